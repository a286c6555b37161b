#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Inside the VM (scripts/bench/copycost.sh boots it): what one call of
# bpf_cham_load_bytes(), bpf_cham_store_bytes() and bpf_cham_compare_bytes()
# costs per packet, by size, and what the same load costs done byte by byte
# in a loop the verifier unrolls, with bpf_cham_pkt_ptr(), against a baseline of
# the same handler making no call, all in this boot. The handler is
# selftests/progs/copy_cost.bpf.c (op 0: no call, 1: load, 2: store, 3:
# compare, 4: byte loop; the op and the size are set in its
# copy_cost_config map before each run), reached through bpf/cham_xdp.bpf.o
# with BPF_PROG_TEST_RUN on scripts/bench/frames/udp4_7000_1400.bin, a 1442-byte
# UDP frame to the tenant's rule. Rounds are interleaved so that drift in
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
REPEAT=${REPEAT:-20000}
ROUNDS=${ROUNDS:-3}
SIZES=${SIZES:-0 16 64 256 1024 1400}
FRAME=$CHAM/scripts/bench/frames/udp4_7000_1400.bin
# copy_cost.bpf.c's ops, by number.
OPS="1:load 2:store 3:compare 4:byte_loop"

die() { echo "bench: $*" >&2; exit 1; }

[ -s "$FRAME" ] || die "no $FRAME (scripts/bench/copycost.sh writes it)"
frame_len=$(wc -c <"$FRAME")
for size in $SIZES; do
	[ "$size" -le "$frame_len" ] || die "size $size is beyond the $frame_len-byte frame"
done

insmod "$KO"
mkdir -p "$PIN"
chamctl tenant add alpha id 1 >/dev/null
chamctl rule add alpha dst 10.77.0.1/32 proto udp dport 7000 >/dev/null
chamctl proto load "$CHAM/selftests/progs/copy_cost.bpf.o" tenant alpha >/dev/null
bpftool prog load "$BPF/cham_xdp.bpf.o" "$PIN/bench_chamelio" type xdp

# cham0, the port every test run names as ingress (testrun-vm.sh).
. "$CHAM/scripts/bench/testrun-vm.sh"
bench_port
make_ctx "$FRAME"
ctx=$FRAME.ctx

# bytes32 V: V as the four decimal bytes of a little-endian u32, for
# bpftool map update.
bytes32() {
	v=$1
	for _ in 1 2 3 4; do
		printf '%d ' $((v & 255))
		v=$((v >> 8))
	done
}
# run OP SIZE REPEAT: one test run with copy_cost_config = {OP, SIZE};
# prints the average duration. Every packet must be dropped (XDP_DROP, 1),
# the handler's verdict.
run() {
	# shellcheck disable=SC2046 # the bytes are separate words
	bpftool map update name copy_cost_confi key 0 0 0 0 value $(bytes32 "$1") $(bytes32 "$2") ||
		die "cannot set copy_cost_config"
	out=$(bpftool prog run pinned "$PIN/bench_chamelio" data_in "$FRAME" \
		ctx_in "$ctx" repeat "$3")
	case $out in
	*"Return value: 1,"*) ;;
	*) die "op $1 size $2 did not return XDP_DROP: $out" ;;
	esac
	printf '%s\n' "$out" | sed -n 's/.*duration (average): \([0-9]*\)ns.*/\1/p'
}
# The parse errors a bad test frame or a test run off the port would show.
refused() {
	chamctl -j stats 0 |
		jq '[.parse_errors.bad_l3_csum, .parse_errors.bad_l4_len, .parse_errors.not_port] | map(. // 0) | add'
}

calls_before=$(counter alpha .handler_calls)
refused_before=$(refused)
# Store and compare use the frame's bytes, which the handler keeps in a
# per-CPU buffer: the first packet fills it (copy_cost.bpf.c loads SIZE
# bytes then), so load the whole range once before any run. One vCPU, so
# every run sees that buffer.
run 1 1400 1 >/dev/null
runs=1

: >/tmp/baseline
for op in $OPS; do
	for size in $SIZES; do : >"/tmp/${op#*:}_$size"; done
done
i=0
while [ $i -lt "$ROUNDS" ]; do
	run 0 0 "$REPEAT" >>/tmp/baseline
	runs=$((runs + 1))
	for op in $OPS; do
		for size in $SIZES; do
			run "${op%%:*}" "$size" "$REPEAT" >>"/tmp/${op#*:}_$size"
			runs=$((runs + 1))
		done
	done
	i=$((i + 1))
done

# Every packet ran the handler (none refused by the parser first), once.
calls=$(( $(counter alpha .handler_calls) - calls_before ))
expected=$(( (runs - 1) * REPEAT + 1 ))
[ "$calls" -eq "$expected" ] || die "the handler ran $calls times, expected $expected"
errors=$(( $(refused) - refused_before ))
[ "$errors" -eq 0 ] || die "the parser refused $errors test frames: $(chamctl -j stats 0 | jq -c .parse_errors)"

# Under icount every run of a configuration gives (nearly) the same
# count, and the median of the rounds is the instructions per packet.
median() { sort -n "/tmp/$1" | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
per_byte() { # per_byte INSNS BYTES
	awk -v d="$1" -v n="$2" 'BEGIN {if (n > 0) printf "%.2f", d / n; else print "null"}'
}
base=$(median baseline)
# slope OP: per byte between 256 and 1400 bytes, or null when SIZES
# lacks one of them.
slope() {
	if [ -s "/tmp/$1_256" ] && [ -s "/tmp/$1_1400" ]; then
		per_byte $(( $(median "$1_1400") - $(median "$1_256") )) 1144
	else
		echo null
	fi
}

echo
echo "Per-call cost of the copy kfuncs with BPF_PROG_TEST_RUN: $ROUNDS interleaved runs x $REPEAT packets"
echo "of a $frame_len-byte frame, mode $MODE; medians."
if [ "$MODE" = icount ]; then
	echo "Guest nanoseconds are executed instructions (QEMU -icount shift=0): instructions, not cycles."
	unit=insns
else
	echo "Emulated nanoseconds, not instructions: compare them within this run only."
	unit=ns
fi
printf '%-10s %6s %12s %16s %9s\n' op size "$unit/packet" "above baseline" "per byte"
printf '%-10s %6s %12s %16s %9s\n' "none (op 0)" "" "$base" "" ""
for op in $OPS; do
	name=${op#*:}
	for size in $SIZES; do
		v=$(median "${name}_$size")
		printf '%-10s %6s %12s %16s %9s\n' "$name" "$size" "$v" "$((v - base))" \
			"$(per_byte $((v - base)) "$size" | sed 's/^null$/-/')"
	done
done
echo "per byte between 256 and 1400 bytes:$(for op in $OPS; do
	printf ' %s %s' "${op#*:}" "$(slope "${op#*:}")"; done)"
echo

echo "BENCH-JSON-BEGIN"
printf '{"benchmark":"copycost","mode":"%s","unit":"%s","repeat":%s,"rounds":%s,"frame_bytes":%s,"baseline_insns":%s' \
	"$MODE" "$([ "$MODE" = icount ] && echo instructions || echo "emulated ns")" \
	"$REPEAT" "$ROUNDS" "$frame_len" "$base"
for op in $OPS; do
	name=${op#*:}
	printf ',"%s":{' "$name"
	sep=
	for size in $SIZES; do
		v=$(median "${name}_$size")
		printf '%s"%s":{"insns":%s,"above_baseline":%s,"per_byte":%s,"samples":[%s]}' \
			"$sep" "$size" "$v" "$((v - base))" "$(per_byte $((v - base)) "$size")" \
			"$(paste -sd, "/tmp/${name}_$size")"
		sep=,
	done
	printf '}'
done
printf ',"per_byte_large":{'
sep=
for op in $OPS; do
	printf '%s"%s":%s' "$sep" "${op#*:}" "$(slope "${op#*:}")"
	sep=,
done
printf '},"baseline_samples":[%s]}\n' "$(paste -sd, /tmp/baseline)"
echo "BENCH-JSON-END"
