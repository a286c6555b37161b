#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Inside the VM (scripts/bench/fastpath.sh boots it): the per-packet cost of
# udp_echo through Chamelio against the same echo as one standalone XDP
# program, and of cycle accounting on against off, with BPF_PROG_TEST_RUN.
# Runs are interleaved so that drift in the emulator hits all alike.
set -eu
cd /chamelio/selftests
. ./lib.sh
set +u

REPEAT=${REPEAT:-200000}
ROUNDS=${ROUNDS:-7}
FRAME=$CHAM/scripts/bench/frames/udp4_echo.bin
ACCOUNTING=/sys/module/chamelio/parameters/cycle_accounting

insmod "$KO"
mkdir -p "$PIN"
chamctl tenant add alpha id 1 >/dev/null
chamctl rule add alpha dst 10.77.0.1/32 proto udp dport 7000 >/dev/null
chamctl proto load "$BPF/udp_echo.bpf.o" tenant alpha >/dev/null
bpftool prog load "$BPF/cham_xdp.bpf.o" "$PIN/bench_chamelio" type xdp
bpftool prog load "$BPF/udp_echo_standalone.bpf.o" "$PIN/bench_standalone" type xdp

# measure PIN: average ns per run; fails unless the program answered XDP_TX.
measure() {
	out=$(bpftool prog run pinned "$PIN/$1" data_in "$FRAME" repeat "$REPEAT")
	case $out in
	*"Return value: 3,"*) ;;
	*) echo "bench: $1 did not echo: $out" >&2; return 1 ;;
	esac
	printf '%s\n' "$out" | sed -n 's/.*duration (average): \([0-9]*\)ns.*/\1/p'
}

calls_before=$(stat alpha .handler_calls)
: >/tmp/standalone; : >/tmp/on; : >/tmp/off
i=0
while [ $i -lt "$ROUNDS" ]; do
	measure bench_standalone >>/tmp/standalone
	echo 1 >"$ACCOUNTING"
	measure bench_chamelio >>/tmp/on
	echo 0 >"$ACCOUNTING"
	measure bench_chamelio >>/tmp/off
	echo 1 >"$ACCOUNTING"
	i=$((i + 1))
done
calls=$(( $(stat alpha .handler_calls) - calls_before ))
if [ "$calls" -ne $((2 * ROUNDS * REPEAT)) ]; then
	echo "bench: handler ran $calls times, expected $((2 * ROUNDS * REPEAT))" >&2
	exit 1
fi

median() { sort -n "$1" | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
alone=$(median /tmp/standalone)
on=$(median /tmp/on)
off=$(median /tmp/off)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }

echo
echo "Per-packet cost, BPF_PROG_TEST_RUN, median of $ROUNDS runs x $REPEAT packets (ns are emulated: compare ratios)"
printf '%-44s %8s %8s\n' "configuration" "ns/pkt" "ratio"
printf '%-44s %8s %8s\n' "standalone XDP udp_echo (baseline)" "$alone" "1.000"
printf '%-44s %8s %8s\n' "chamelio udp_echo, cycle accounting on" "$on" "$(ratio "$on" "$alone")"
printf '%-44s %8s %8s\n' "chamelio udp_echo, cycle accounting off" "$off" "$(ratio "$off" "$alone")"
printf '%-44s %8s %8s\n' "accounting on / off" "" "$(ratio "$on" "$off")"
echo
echo "BENCH-JSON-BEGIN"
printf '{"benchmark":"fastpath","repeat":%s,"rounds":%s,' "$REPEAT" "$ROUNDS"
printf '"ns_per_packet":{"standalone":%s,"chamelio_accounting_on":%s,"chamelio_accounting_off":%s},' \
	"$alone" "$on" "$off"
printf '"ratios":{"chamelio_vs_standalone":%s,"chamelio_no_accounting_vs_standalone":%s,"accounting_on_vs_off":%s},' \
	"$(ratio "$on" "$alone")" "$(ratio "$off" "$alone")" "$(ratio "$on" "$off")"
printf '"samples":{"standalone":[%s],"on":[%s],"off":[%s]}}\n' \
	"$(paste -sd, /tmp/standalone)" "$(paste -sd, /tmp/on)" "$(paste -sd, /tmp/off)"
echo "BENCH-JSON-END"
