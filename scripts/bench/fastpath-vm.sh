#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Inside the VM (scripts/bench/fastpath.sh boots it): the per-packet cost of
# udp_echo through Chamelio against the same echo as one standalone XDP
# program, cycle accounting on against off, and where Chamelio's cost goes,
# all with BPF_PROG_TEST_RUN. Runs are interleaved so that drift in the
# emulator hits every configuration alike.
set -eu
cd /chamelio/selftests
. ./lib.sh
set +u

REPEAT=${REPEAT:-200000}
ROUNDS=${ROUNDS:-9}
FRAMES=$CHAM/scripts/bench/frames
ACCOUNTING=/sys/module/chamelio/parameters/cycle_accounting

# Port 7000: udp_echo. 7001: a tenant without protocol (default pass).
# 7002: a handler that does nothing (returns punt). 9: no rule.
insmod "$KO"
mkdir -p "$PIN"
chamctl tenant add alpha id 1 >/dev/null
chamctl tenant add beta id 2 default pass >/dev/null
chamctl tenant add gamma id 3 >/dev/null
chamctl rule add alpha dst 10.77.0.1/32 proto udp dport 7000 >/dev/null
chamctl rule add beta dst 10.77.0.1/32 proto udp dport 7001 >/dev/null
chamctl rule add gamma dst 10.77.0.1/32 proto udp dport 7002 >/dev/null
chamctl proto load "$BPF/udp_echo.bpf.o" tenant alpha >/dev/null
chamctl proto load "$CHAM/selftests/progs/fixed_punt.bpf.o" tenant gamma >/dev/null
bpftool prog load "$BPF/cham_xdp.bpf.o" "$PIN/bench_chamelio" type xdp
bpftool prog load "$BPF/udp_echo_standalone.bpf.o" "$PIN/bench_standalone" type xdp

# measure NAME PROG PORT RETVAL [ACCOUNTING]: one run, appended to /tmp/NAME.
measure() {
	echo "${5:-1}" >"$ACCOUNTING"
	out=$(bpftool prog run pinned "$PIN/$2" data_in "$FRAMES/udp4_$3.bin" repeat "$REPEAT")
	case $out in
	*"Return value: $4,"*) ;;
	*) echo "bench: $1 did not return $4: $out" >&2; exit 1 ;;
	esac
	printf '%s\n' "$out" | sed -n 's/.*duration (average): \([0-9]*\)ns.*/\1/p' >>"/tmp/$1"
}

configs="standalone on off unclassified no_protocol noop_handler"
for c in $configs; do : >"/tmp/$c"; done
calls_before=$(counter alpha .handler_calls)
i=0
while [ $i -lt "$ROUNDS" ]; do
	measure standalone bench_standalone 7000 3
	measure on bench_chamelio 7000 3 1
	measure off bench_chamelio 7000 3 0
	measure unclassified bench_chamelio 9 2
	measure no_protocol bench_chamelio 7001 2
	measure noop_handler bench_chamelio 7002 1
	i=$((i + 1))
done
echo 1 >"$ACCOUNTING"
calls=$(( $(counter alpha .handler_calls) - calls_before ))
if [ "$calls" -ne $((2 * ROUNDS * REPEAT)) ]; then
	echo "bench: handler ran $calls times, expected $((2 * ROUNDS * REPEAT))" >&2
	exit 1
fi

# The minimum is the run the emulator disturbed least; the median shows
# how far the runs spread.
minimum() { sort -n "/tmp/$1" | head -n1; }
median() { sort -n "/tmp/$1" | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }
base_min=$(minimum standalone)
base_med=$(median standalone)

echo
echo "Per-packet cost with BPF_PROG_TEST_RUN: $ROUNDS interleaved runs x $REPEAT packets."
echo "Emulated nanoseconds mean little; compare the ratios to the standalone program."
printf '%-44s %7s %7s %7s %7s\n' configuration min median "x min" "x med"
row() { # row LABEL NAME
	printf '%-44s %7s %7s %7s %7s\n' "$1" "$(minimum "$2")" "$(median "$2")" \
		"$(ratio "$(minimum "$2")" "$base_min")" "$(ratio "$(median "$2")" "$base_med")"
}
row "standalone XDP udp_echo (baseline)" standalone
row "chamelio udp_echo, cycle accounting on" on
row "chamelio udp_echo, cycle accounting off" off
row "chamelio, no rule matches (parse, steer)" unclassified
row "chamelio, tenant without protocol" no_protocol
row "chamelio, handler that returns at once" noop_handler
printf '%-44s %7s %7s %7s %7s\n' "accounting on / off" "" "" \
	"$(ratio "$(minimum on)" "$(minimum off)")" "$(ratio "$(median on)" "$(median off)")"
echo

echo "BENCH-JSON-BEGIN"
printf '{"benchmark":"fastpath","repeat":%s,"rounds":%s,"baseline":"standalone","configs":{' \
	"$REPEAT" "$ROUNDS"
sep=
for c in $configs; do
	printf '%s"%s":{"min_ns":%s,"median_ns":%s,"ratio_min":%s,"ratio_median":%s,"samples":[%s]}' \
		"$sep" "$c" "$(minimum $c)" "$(median $c)" \
		"$(ratio "$(minimum $c)" "$base_min")" "$(ratio "$(median $c)" "$base_med")" \
		"$(paste -sd, "/tmp/$c")"
	sep=,
done
printf '},"accounting_on_vs_off":{"min":%s,"median":%s}}\n' \
	"$(ratio "$(minimum on)" "$(minimum off)")" "$(ratio "$(median on)" "$(median off)")"
echo "BENCH-JSON-END"
