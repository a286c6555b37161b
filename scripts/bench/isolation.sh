#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench-isolation` (and `make bench`): boots the VM once, with three
# vCPUs, and measures time protection (scripts/bench/isolation-vm.sh, which
# documents its design at the top): a victim tenant's UDP latency while
# adversary tenants doing a few microseconds of work per packet are flooded
# at growing rates, spread over more tenants, on the same port and CPU,
# with enforcement off and on and against a null adversary; a long-call
# burner near the ceiling; work conservation. Prints a table and one
# PASS/FAIL line per target, and writes scripts/bench/results/isolation.json
# and Documentation/images/isolation.png (victim p99 against adversary
# load, with isolation.md's bound).
#
# Mode: instruction-count (scripts/vm.sh --icount: guest time counts
# executed instructions, so runs repeat whatever the host does) by
# default; ICOUNT=0 runs plain TCG (emulated time, moves with the host's
# load). The JSON says which ("mode").
#
# Knobs (environment), passed to the guest (defaults and reasons in
# isolation-vm.sh): T (seconds per run), WARMUP, TIMEOUT_MS, SPIN_NS, STEPS
# ("TENANTS:RATE ..."), ADV_SHARE, VICTIM_SHARE (percent), FLOWS, PERIOD_US,
# NULL and ALONE (0 skips those runs), LONG_SPIN_NS, LONG_RATE, LONG_SHARE,
# SATURATED. BENCH_TIMEOUT limits the VM run. Takes about 8 minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/bench/vm-result.sh

results=scripts/bench/results
out=$results/isolation.json
plot=Documentation/images/isolation.png
log=.deps/bench-isolation-console.log
vm_out=.deps/bench-isolation-vm.out
mkdir -p "$results"

for f in scripts/bench/udp_rtt scripts/bench/flood; do
	[ -x "$f" ] || { echo "bench: $f is missing: run make" >&2; exit 1; }
done

if [ "${ICOUNT:-1}" = 1 ]; then
	mode=icount
	vm_opts=(--icount)
else
	mode=tcg
	vm_opts=()
fi

# The guest's environment: the knobs that are set here.
env=("MODE=$mode")
for v in T WARMUP CLIENT_SETTLE TIMEOUT_MS SPIN_NS STEPS ADV_SHARE VICTIM_SHARE FLOWS \
	PERIOD_US NULL ALONE LONG_SPIN_NS LONG_RATE LONG_SHARE SATURATED; do
	[ -n "${!v:-}" ] && env+=("$v='${!v}'")
done

host_load() { cut -d' ' -f1-3 /proc/loadavg; }
load_before=$(host_load)
# Under plain TCG the host's other work lands in the emulated time.
if [ "$mode" = tcg ] && { pgrep -x qemu-system-x86 >/dev/null ||
	awk -v l="${load_before%% *}" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; }; then
	echo "bench: warning: other work on the host (load $load_before on $(nproc) CPUs, or another QEMU) competes with the emulated guest; expect noisy results" >&2
fi

# The previous result of the same mode, to say whether this run repeats it.
previous=$results/isolation-previous.json
rm -f "$previous"
if [ -s "$out" ] && [ "$(jq -r '.mode // ""' "$out")" = "$mode" ]; then
	cp "$out" "$previous"
fi

# Three CPUs: Chamelio, the victim's client, the flood (isolation-vm.sh).
scripts/vm.sh "${vm_opts[@]}" --smp 3 --timeout "${BENCH_TIMEOUT:-1500}" \
	--log "$log" -- "${env[*]} scripts/bench/isolation-vm.sh" | tee "$vm_out"
bench_json "$vm_out" "$out"
[ -s "$out" ] || { echo "bench: no result (console log: $log)" >&2; exit 1; }
jq --arg before "$load_before" --arg after "$(host_load)" --argjson cpus "$(nproc)" \
	--arg date "$(date -u +%FT%TZ)" \
	'.date = $date | .host = {cpus: $cpus, loadavg_before: $before, loadavg_after: $after}' \
	"$out" >"$out.tmp"
mv "$out.tmp" "$out"
echo "bench: results in $out"

/usr/bin/python3 scripts/bench/plot_isolation.py "$out" "$plot"
echo "bench: plot in $plot"

echo
jq -r '"mode: \(.mode)"' "$out"
jq -r '.targets[] | "\(if .pass == null then "SKIP" elif .pass then "PASS" else "FAIL" end): \(.name): " +
	"\(if .value == null then "not measured" else (.value * 1000 | round / 1000) end)"' "$out"

# Repeatability: every target value against the previous run of the same
# mode (kept in $previous), within 5%. Exact-zero targets compare exactly.
if [ -s "$previous" ]; then
	echo
	echo "against the previous $mode run ($(jq -r '.date // "undated"' "$previous")):"
	if ! jq -e --slurpfile prev "$previous" \
		'(.config | del(.module, .tenants, .clocksource)) == ($prev[0].config | del(.module, .tenants, .clocksource))' \
		"$out" >/dev/null; then
		echo "(it ran another configuration: the comparison says little)"
	fi
	# A target whose value is an error near zero compares what it measured.
	jq -r --slurpfile prev "$previous" '
		[.targets[] as $t | ($prev[0].targets[] | select(.name == $t.name)) as $p |
		 ($t.measured // $t.value) as $now | ($p.measured // $p.value) as $before |
		 { name: $t.name, now: $now, before: $before,
		   diff: (if $now == null or $before == null then null
			  elif $now == $before then 0
			  else (($now - $before) / ([($now | fabs), ($before | fabs)] | max)) | fabs end) }][] |
		"\(if .diff == null then "SKIP" elif .diff <= 0.05 then "SAME" else "DIFF" end): \(.name): " +
		"\(.before) -> \(.now) (\(if .diff == null then "-" else (.diff * 1000 | round / 10 | tostring) + "%" end))"' "$out"
fi
