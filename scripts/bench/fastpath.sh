#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench` (and `make bench-fastpath`): boots the VM once and measures
# the fast path's per-packet cost against a standalone XDP program
# (scripts/bench/fastpath-vm.sh). Prints a table and writes
# scripts/bench/results/fastpath.json.
#
# BENCH_MODE=icount (the default) runs the VM with scripts/vm.sh --icount,
# one vCPU: guest time is then executed instructions (1 ns = 1
# instruction), the same from one run to the next whatever the host does,
# and the durations are instructions per packet. They count instructions,
# not cycles: cache misses and mispredictions cost nothing there.
# BENCH_MODE=tcg runs plain TCG with two vCPUs, where durations are
# emulated time and only ratios within one run mean something.
#
# Knobs: REPEAT (packets per run), ROUNDS (interleaved runs of every
# configuration), FILLER_RULES (rules before the long-table configuration's),
# BENCH_TIMEOUT (seconds for the VM run).
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
	vm_opts=()
	repeat=${REPEAT:-200000}
	rounds=${ROUNDS:-9}
	;;
*) echo "bench: BENCH_MODE must be icount or tcg, not $mode" >&2; exit 2 ;;
esac

mkdir -p scripts/bench/frames scripts/bench/results
# One frame per port that fastpath-vm.sh steers differently.
python3 scripts/bench/frames.py scripts/bench/frames 7000 7001 7002 7003 9

out=scripts/bench/results/fastpath.json
log=.deps/bench-console.log
# The previous result, to compare with.
prev=
if [ -s "$out" ]; then
	prev=$(mktemp)
	cp "$out" "$prev"
fi

guest_env="MODE=$mode REPEAT=$repeat ROUNDS=$rounds${FILLER_RULES:+ FILLER_RULES=$FILLER_RULES}"
scripts/vm.sh ${vm_opts[@]+"${vm_opts[@]}"} --timeout "${BENCH_TIMEOUT:-1800}" --log "$log" -- \
	"$guest_env scripts/bench/fastpath-vm.sh" |
	tee .deps/bench-vm.out
bench_json .deps/bench-vm.out "$out"
[ -s "$out" ] || { echo "bench: no result (console log: $log)" >&2; exit 1; }
echo "bench: results in $out"

# Under icount two runs of the same build should agree to about one
# instruction in a thousand: say how far this one is from the last.
if [ -n "$prev" ]; then
	jq -r --slurpfile p "$prev" '
		if $p[0].mode != .mode or $p[0].repeat != .repeat then
			"bench: the previous result (mode \($p[0].mode // "tcg"), repeat \($p[0].repeat)) is not comparable"
		else
			[.configs | to_entries[] | select($p[0].configs[.key] != null) |
			 {k: .key, d: ((.value.median_ns - $p[0].configs[.key].median_ns) /
			 $p[0].configs[.key].median_ns * 100)}] |
			if length == 0 then "bench: no configuration in common with the previous result"
			else (max_by(.d | fabs)) as $m |
				"bench: against the previous result, medians differ by at most \($m.d * 1000 | round / 1000)% (\($m.k))"
			end
		end' "$out"
	rm -f "$prev"
fi
