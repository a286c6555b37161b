#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench-slowpath`: boots the VM once and measures the tenant slow
# path (scripts/bench/slowpath-vm.sh):
#   - what a punt costs in the XDP loop, per packet, with BPF_PROG_TEST_RUN:
#     a handler that drops (the baseline), one that punts without an agent
#     (no_agent), one that punts to a stalled agent (copy and queue only),
#     and one that punts to an agent that reads (copy, queue, the worker's
#     send and the agent's receive, all in the measured time: one vCPU);
#   - the punt round trip (client -> fast path -> agent -> inject ->
#     client) against the fast path answering itself (udp_echo), in the
#     same boot: rate and latency with a closed-loop client (udp_rtt);
#   - what a punting tenant costs a co-resident victim: the victim's
#     round trip alone and while the other tenant's clients keep its agent
#     busy.
# Prints a table and writes scripts/bench/results/slowpath.json: {"mode",
# "xdp": {CONFIG: {"insns", "vs_drop"}}, "round_trip": {"fastpath",
# "slowpath", "rate_ratio", "p50_ratio", "p99_ratio"}, "victim": {"alone",
# "with_punting_neighbour", "p50_ratio", "p99_ratio"}}; the round-trip
# objects are udp_rtt's.
#
# BENCH_MODE=icount (the default) runs scripts/vm.sh --icount with one
# vCPU: guest time is executed instructions (1 ns = 1 instruction), so
# every figure is deterministic up to scheduling order, and the
# microseconds of the round trips are thousands of instructions.
# BENCH_MODE=tcg runs plain TCG with 2 vCPUs (emulated time).
#
# Knobs: REPEAT (test-run packets), SECONDS_RTT (each closed-loop run),
# BENCH_TIMEOUT.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/bench/vm-result.sh

mode=${BENCH_MODE:-icount}
case $mode in
icount) vm_opts=(--icount) ;;
tcg) vm_opts=(--smp 2) ;;
*) echo "bench: BENCH_MODE must be icount or tcg, not $mode" >&2; exit 2 ;;
esac

for f in kmod/chamelio.ko bpf/cham_xdp.bpf.o selftests/progs/fixed_punt.bpf.o \
	selftests/progs/fixed_drop.bpf.o selftests/agent_probe scripts/bench/udp_rtt \
	user/chamctl/chamctl; do
	[ -e "$f" ] || { echo "bench: $f is missing: run make" >&2; exit 1; }
done
mkdir -p scripts/bench/frames scripts/bench/results
python3 scripts/bench/frames.py scripts/bench/frames 7000

out=scripts/bench/results/slowpath.json
log=.deps/bench-slowpath-console.log
vm_out=.deps/bench-slowpath-vm.out
guest_env="MODE=$mode REPEAT=${REPEAT:-20000} SECONDS_RTT=${SECONDS_RTT:-3}"
scripts/vm.sh "${vm_opts[@]}" --timeout "${BENCH_TIMEOUT:-1800}" --log "$log" -- \
	"$guest_env scripts/bench/slowpath-vm.sh" |
	tee "$vm_out"
bench_save_dated "$vm_out" "$out" "$log"
