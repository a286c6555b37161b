#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Inside the VM (scripts/bench/fastpath.sh boots it): the per-packet cost of
# udp_echo through Chamelio against the same echo as one standalone XDP
# program, cycle accounting on against off, egress validation on against
# off, a long rule table against a short one, and where Chamelio's cost
# goes, all with BPF_PROG_TEST_RUN. Runs are interleaved so that drift in
# the emulator hits every configuration alike.
#
# MODE says how the VM runs: "icount" (scripts/vm.sh --icount), where a
# guest nanosecond is one executed instruction and the durations are
# instruction counts, or "tcg", where they are emulated time.
set -eu
cd /chamelio/selftests
. ./lib.sh
set +u

MODE=${MODE:-tcg}
REPEAT=${REPEAT:-200000}
ROUNDS=${ROUNDS:-9}
FILLER_RULES=${FILLER_RULES:-32}
FRAMES=$CHAM/scripts/bench/frames
PARAMS=/sys/module/chamelio/parameters
ACCOUNTING=$PARAMS/cycle_accounting
VALIDATION=$PARAMS/egress_validation

die() { echo "bench: $*" >&2; exit 1; }

# Port 7000: udp_echo (tenant alpha). 7001: a tenant without protocol
# (default pass). 7002: a handler that does nothing (returns punt). 7003:
# udp_echo again (tenant delta), whose rule comes after FILLER_RULES rules
# of another tenant, so that steering and egress validation, which both
# scan the rule table in order, each pass them. 9: no rule.
insmod "$KO"
[ -e "$VALIDATION" ] || die "no $VALIDATION: this module has no egress validation"
mkdir -p "$PIN"
chamctl tenant add alpha id 1 >/dev/null
chamctl tenant add beta id 2 default pass >/dev/null
chamctl tenant add gamma id 3 >/dev/null
chamctl tenant add delta id 4 >/dev/null
chamctl rule add alpha dst 10.77.0.1/32 proto udp dport 7000 >/dev/null
chamctl rule add beta dst 10.77.0.1/32 proto udp dport 7001 >/dev/null
chamctl rule add gamma dst 10.77.0.1/32 proto udp dport 7002 >/dev/null
i=0
while [ $i -lt "$FILLER_RULES" ]; do
	chamctl rule add beta dst 10.78.$i.0/24 proto udp dport 7000 >/dev/null
	i=$((i + 1))
done
chamctl rule add delta dst 10.77.0.1/32 proto udp dport 7003 >/dev/null
nrules=$(chamctl -j rule show | jq length)
before=$((nrules - 1))	# rules before delta's, the last
chamctl proto load "$BPF/udp_echo.bpf.o" tenant alpha >/dev/null
chamctl proto load "$BPF/udp_echo.bpf.o" tenant delta >/dev/null
chamctl proto load "$CHAM/selftests/progs/fixed_punt.bpf.o" tenant gamma >/dev/null
bpftool prog load "$BPF/cham_xdp.bpf.o" "$PIN/bench_chamelio" type xdp
bpftool prog load "$BPF/udp_echo_standalone.bpf.o" "$PIN/bench_standalone" type xdp

# cham0, the port every test run names as ingress (testrun-vm.sh).
. "$CHAM/scripts/bench/testrun-vm.sh"
bench_port
for f in "$FRAMES"/udp4_*.bin; do
	make_ctx "$f"
done

# measure NAME PROG FRAME RETVAL [ACCOUNTING [VALIDATION]]: one run,
# appended to /tmp/NAME. FRAME names scripts/bench/frames/udp4_FRAME.bin.
measure() {
	echo "${5:-1}" >"$ACCOUNTING"
	echo "${6:-1}" >"$VALIDATION"
	out=$(bpftool prog run pinned "$PIN/$2" data_in "$FRAMES/udp4_$3.bin" \
		ctx_in "$FRAMES/udp4_$3.bin.ctx" repeat "$REPEAT")
	case $out in
	*"Return value: $4,"*) ;;
	*) die "$1 did not return $4: $out" ;;
	esac
	printf '%s\n' "$out" | sed -n 's/.*duration (average): \([0-9]*\)ns.*/\1/p' >>"/tmp/$1"
}

configs="standalone on off egress_off csum_none many_rules many_rules_egress_off unclassified no_protocol noop_handler"
for c in $configs; do : >"/tmp/$c"; done
alpha_before=$(counter alpha .handler_calls)
delta_before=$(counter delta .handler_calls)
# The parse errors a bad test frame or a test run off the port would show.
refused() {
	chamctl -j stats 0 |
		jq '[.parse_errors.bad_l3_csum, .parse_errors.bad_l4_len, .parse_errors.not_port] | map(. // 0) | add'
}
refused_before=$(refused)
i=0
while [ $i -lt "$ROUNDS" ]; do
	measure standalone bench_standalone 7000 3
	measure on bench_chamelio 7000 3 1 1
	measure off bench_chamelio 7000 3 0 1
	measure egress_off bench_chamelio 7000 3 1 0
	measure csum_none bench_chamelio 7000_nocsum 3 1 1
	measure many_rules bench_chamelio 7003 3 1 1
	measure many_rules_egress_off bench_chamelio 7003 3 1 0
	measure unclassified bench_chamelio 9 2
	measure no_protocol bench_chamelio 7001 2
	measure noop_handler bench_chamelio 7002 1
	i=$((i + 1))
done
echo 1 >"$ACCOUNTING"
echo 1 >"$VALIDATION"

# Every echo ran its handler, and no frame was refused by the parser (a
# bad checksum, or a test run that did not come from the port).
calls=$(( $(counter alpha .handler_calls) - alpha_before ))
[ "$calls" -eq $((4 * ROUNDS * REPEAT)) ] ||
	die "alpha's handler ran $calls times, expected $((4 * ROUNDS * REPEAT))"
calls=$(( $(counter delta .handler_calls) - delta_before ))
[ "$calls" -eq $((2 * ROUNDS * REPEAT)) ] ||
	die "delta's handler ran $calls times, expected $((2 * ROUNDS * REPEAT))"
errors=$(( $(refused) - refused_before ))
[ "$errors" -eq 0 ] || die "the parser refused $errors test frames: $(chamctl -j stats 0 | jq -c .parse_errors)"

# The minimum is the run the emulator disturbed least; the median shows
# how far the runs spread. Under icount every run of a configuration gives
# (nearly) the same count, and the median is the instructions per packet.
minimum() { sort -n "/tmp/$1" | head -n1; }
median() { sort -n "/tmp/$1" | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }
base_min=$(minimum standalone)
base_med=$(median standalone)

echo
echo "Per-packet cost with BPF_PROG_TEST_RUN: $ROUNDS interleaved runs x $REPEAT packets, mode $MODE."
if [ "$MODE" = icount ]; then
	echo "Guest nanoseconds are executed instructions (QEMU -icount shift=0): instructions, not cycles."
else
	echo "Emulated nanoseconds mean little; compare the ratios to the standalone program."
fi
printf '%-48s %7s %7s %7s %7s\n' configuration min median "x min" "x med"
row() { # row LABEL NAME
	printf '%-48s %7s %7s %7s %7s\n' "$1" "$(minimum "$2")" "$(median "$2")" \
		"$(ratio "$(minimum "$2")" "$base_min")" "$(ratio "$(median "$2")" "$base_med")"
}
# pair LABEL A B: A against B, as a ratio and a difference of medians.
pair() {
	printf '%-48s %7s %7s %7s %7s\n' "$1" "" "+$(( $(median "$2") - $(median "$3") ))" \
		"$(ratio "$(minimum "$2")" "$(minimum "$3")")" "$(ratio "$(median "$2")" "$(median "$3")")"
}
row "standalone XDP udp_echo (baseline)" standalone
row "chamelio udp_echo (accounting, validation)" on
row "chamelio udp_echo, cycle accounting off" off
row "chamelio udp_echo, egress validation off" egress_off
row "chamelio udp_echo, no UDP checksum to verify" csum_none
row "udp_echo behind $before rules" many_rules
row "udp_echo behind $before rules, validation off" many_rules_egress_off
row "chamelio, no rule matches (parse, scan all rules)" unclassified
row "chamelio, tenant without protocol" no_protocol
row "chamelio, handler that returns at once" noop_handler
pair "accounting on / off" on off
pair "egress validation on / off" on egress_off
pair "egress validation on / off, $before rules before" many_rules many_rules_egress_off
pair "UDP checksum verified / none" on csum_none
echo "($nrules rules in the table; + is the difference of the medians.)"
echo

# pair_json A B: A against B: the ratios of the minimums and the medians,
# and under icount the instructions per packet A adds to B.
pair_json() {
	insns=null
	[ "$MODE" = icount ] && insns=$(( $(median "$1") - $(median "$2") ))
	printf '{"min":%s,"median":%s,"insns":%s}' \
		"$(ratio "$(minimum "$1")" "$(minimum "$2")")" \
		"$(ratio "$(median "$1")" "$(median "$2")")" "$insns"
}
echo "BENCH-JSON-BEGIN"
printf '{"benchmark":"fastpath","mode":"%s","repeat":%s,"rounds":%s,"rules":%s,"filler_rules":%s,"baseline":"standalone","configs":{' \
	"$MODE" "$REPEAT" "$ROUNDS" "$nrules" "$FILLER_RULES"
sep=
for c in $configs; do
	# Instructions per packet exist only when time counts instructions.
	insns=null
	[ "$MODE" = icount ] && insns=$(median "$c")
	printf '%s"%s":{"min_ns":%s,"median_ns":%s,"insns":%s,"ratio_min":%s,"ratio_median":%s,"samples":[%s]}' \
		"$sep" "$c" "$(minimum "$c")" "$(median "$c")" "$insns" \
		"$(ratio "$(minimum "$c")" "$base_min")" "$(ratio "$(median "$c")" "$base_med")" \
		"$(paste -sd, "/tmp/$c")"
	sep=,
done
printf '},"accounting_on_vs_off":%s' "$(pair_json on off)"
printf ',"egress_validation_on_vs_off":%s' "$(pair_json on egress_off)"
printf ',"egress_validation_on_vs_off_many_rules":%s' "$(pair_json many_rules many_rules_egress_off)"
printf ',"csum_verified_vs_none":%s}\n' "$(pair_json on csum_none)"
echo "BENCH-JSON-END"
