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
# It also measures the cost against the number of steering rules (the
# matched tenant's rule last) and against the number of tenants, and plots
# both in scripts/bench/results/steering.png (plot_steering.py).
#
# Knobs: REPEAT (packets per run), ROUNDS (interleaved runs of every
# configuration and of every step of the rule series), FILLER_RULES (rules
# before the long-table configuration's), STEER_RULES (rule-table sizes,
# "1 64 1024 4096"), STEER_SHARED_BLOCK=1 (the other rules' /28s in the
# timed frames' /16), TENANT_STEPS (tenant counts, "1 16 64 256"),
# TENANT_REPEAT and TENANT_ROUNDS (packets per tenant and run, 2000, and
# rounds, 3, in the tenant series: one run per tenant and round makes a
# round of 256 tenants 256 runs), BENCH_TIMEOUT (seconds for the VM run).
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

tenant_steps=${TENANT_STEPS:-1 16 64 256}
most_tenants=${tenant_steps##* }

mkdir -p scripts/bench/frames scripts/bench/results
# One frame per port that fastpath-vm.sh steers differently, and two per
# tenant of the tenant series: to its port on 10.77.0.1 (7000 on) and to
# port 7000 on its address (10.78.x.y for tenant 256x + y, alpha's is
# 10.77.0.1).
mapfile -t dests < <(
	{ seq 7000 7003; seq 7000 $((7000 + most_tenants - 1)); } | sort -un
	for ((k = 2; k <= most_tenants; k++)); do
		echo "10.78.$((k / 256)).$((k % 256)):7000"
	done)
python3 scripts/bench/frames.py scripts/bench/frames "${dests[@]}" 9

out=scripts/bench/results/fastpath.json
log=.deps/bench-console.log
# The previous result, to compare with.
prev=
if [ -s "$out" ]; then
	prev=$(mktemp)
	cp "$out" "$prev"
fi

guest_env="MODE=$mode REPEAT=$repeat ROUNDS=$rounds${FILLER_RULES:+ FILLER_RULES=$FILLER_RULES}"
# shellcheck disable=SC2016 # the quotes are for the guest's shell
guest_env="$guest_env TENANT_STEPS='$tenant_steps'${STEER_RULES:+ STEER_RULES='$STEER_RULES'}"
guest_env="$guest_env TENANT_REPEAT=${TENANT_REPEAT:-2000} TENANT_ROUNDS=${TENANT_ROUNDS:-3}"
guest_env="$guest_env${STEER_SHARED_BLOCK:+ STEER_SHARED_BLOCK=$STEER_SHARED_BLOCK}"
scripts/vm.sh ${vm_opts[@]+"${vm_opts[@]}"} --timeout "${BENCH_TIMEOUT:-1800}" --log "$log" -- \
	"$guest_env scripts/bench/fastpath-vm.sh" |
	tee .deps/bench-vm.out
bench_json .deps/bench-vm.out "$out"
[ -s "$out" ] || { echo "bench: no result (console log: $log)" >&2; exit 1; }
echo "bench: results in $out"

# Under icount two runs of the same build should agree to about one
# instruction in a thousand: say how far this one is from the last, over
# the configurations and the steps of the rule and tenant series.
if [ -n "$prev" ]; then
	jq -r --slurpfile p "$prev" '
		# Every measured median as {k: name, v: value}.
		def medians:
			[(.configs // {} | to_entries[] | {k: .key, v: .value.median_ns}),
			 (.steering // [] | .[] | ({k: "\(.rules) rules, matched", v: .matched_median_ns},
						   {k: "\(.rules) rules, unmatched", v: .unmatched_median_ns})),
			 (.tenants // [] | .[] | ({k: "\(.tenants) tenants", v: .median_ns},
						  {k: "\(.tenants) tenants by address", v: .by_address.median_ns?}))] |
			map(select(.v != null));
		if $p[0].mode != .mode or $p[0].repeat != .repeat then
			"bench: the previous result (mode \($p[0].mode // "tcg"), repeat \($p[0].repeat)) is not comparable"
		else
			($p[0] | medians | map({key: .k, value: .v}) | from_entries) as $was |
			[medians[] | select($was[.k] != null) |
			 {k, d: ((.v - $was[.k]) / $was[.k] * 100)}] |
			if length == 0 then "bench: nothing in common with the previous result"
			else (max_by(.d | fabs)) as $m |
				"bench: against the previous result (\(length) medians in common), the largest difference is \($m.d * 1000 | round / 1000)% (\($m.k))"
			end
		end' "$out"
	rm -f "$prev"
fi

# The steering series as a plot (needs matplotlib; says so when missing).
/usr/bin/python3 scripts/bench/plot_steering.py "$out" scripts/bench/results/steering.png
