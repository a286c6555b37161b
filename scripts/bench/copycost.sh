#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench-copy`: boots the VM once and measures what one call of
# bpf_cham_load_bytes(), bpf_cham_store_bytes() and bpf_cham_compare_bytes()
# costs per packet at 0 to 1400 bytes, and the same load done byte by byte
# in a loop the verifier unrolls, against the same handler making no call
# (scripts/bench/copycost-vm.sh, selftests/progs/copy_cost.bpf.c). Prints a
# table and writes scripts/bench/results/copycost.json: {"mode",
# "baseline_insns", "load"|"store"|"compare"|"byte_loop": {SIZE: {"insns",
# "above_baseline", "per_byte"}}, "per_byte_large": {OP: per byte between
# 256 and 1400 bytes}, ...}; "insns" is per packet, "per_byte" is above
# the baseline. Documentation/tenant-protocols.md (What it costs) quotes it.
#
# BENCH_MODE=icount (the default) runs the VM with scripts/vm.sh --icount,
# one vCPU: guest time is then executed instructions (1 ns = 1
# instruction), the same from one run to the next whatever the host does.
# They count instructions, not cycles: cache misses cost nothing there, and
# a `rep movsb` counts once per byte. BENCH_MODE=tcg runs plain TCG, where
# the figures are emulated nanoseconds (in the same keys) and only
# comparisons within one run mean something. Both use one vCPU: the
# handler keeps the frame's bytes in a per-CPU buffer.
#
# Knobs: REPEAT (packets per run), ROUNDS (interleaved runs of every
# configuration), SIZES (bytes, at most 1442), BENCH_TIMEOUT (seconds for
# the VM run).
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/bench/vm-result.sh

mode=${BENCH_MODE:-icount}
case $mode in
icount)
	# Deterministic: few rounds tell the story. 20000 repetitions keep
	# what timer interrupts add to the count below one instruction per
	# packet.
	vm_opts=(--icount)
	repeat=${REPEAT:-20000}
	rounds=${ROUNDS:-3}
	;;
tcg)
	vm_opts=(--smp 1)
	repeat=${REPEAT:-20000}
	rounds=${ROUNDS:-9}
	;;
*) echo "bench: BENCH_MODE must be icount or tcg, not $mode" >&2; exit 2 ;;
esac

for f in kmod/chamelio.ko bpf/cham_xdp.bpf.o selftests/progs/copy_cost.bpf.o user/chamctl/chamctl; do
	[ -e "$f" ] || { echo "bench: $f is missing: run make" >&2; exit 1; }
done

# The frame: a 1442-byte UDP datagram (1400 bytes of payload) to
# 10.77.0.1:7000, the tenant's rule, that is its own echo.
mkdir -p scripts/bench/frames scripts/bench/results
python3 scripts/bench/frames.py --payload 1400 scripts/bench/frames 7000

out=scripts/bench/results/copycost.json
log=.deps/bench-copycost-console.log
vm_out=.deps/bench-copycost-vm.out
# shellcheck disable=SC2016 # the single quotes are the guest's, $SIZES expands here
guest_env="MODE=$mode REPEAT=$repeat ROUNDS=$rounds${SIZES:+ SIZES='$SIZES'}"
scripts/vm.sh "${vm_opts[@]}" --timeout "${BENCH_TIMEOUT:-1800}" --log "$log" -- \
	"$guest_env scripts/bench/copycost-vm.sh" |
	tee "$vm_out"
bench_save_dated "$vm_out" "$out" "$log"
