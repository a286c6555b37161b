#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench-guest` (and `make bench`): UDP echo by a Chamelio guest over
# AF_XDP (user/guest/guest_echo) against the same echo by socat on the
# kernel's UDP sockets, in one topology, with a closed-loop client
# (scripts/bench/udp_rtt) and several requests in flight: requests per
# second, p50/p99 latency, and the CPU the client and the servers used.
# One VM boot per mode runs every path (scripts/bench/guest-vm.sh).
#
# Modes (BENCH_MODES, default "icount tcg"):
# - icount: scripts/vm.sh --icount, one vCPU. Guest time is executed
#   instructions (1 ns = 1 instruction), the same whatever the host does;
#   the client, the servers and all softirq work share the one vCPU, so
#   requests per second measure the instructions a round trip costs,
#   end to end. Instructions, not cycles: cache misses cost nothing. The
#   target is stated for this mode: Chamelio's requests per second at least
#   1.5x socat's, with p99 no worse.
# - tcg: plain TCG, emulated time, for comparison: the host's time spent
#   emulating each path, which weighs instructions unequally (memory
#   accesses, helpers) and moves with the host's load. One vCPU like icount
#   (TCG_SMP=2: client on CPU 1, servers on CPU 0, where cross-CPU wake-ups
#   dominate); 9 rounds of 1 s, median, no sweep (set T, ROUNDS, SWEEP to
#   override).
#
# Results: scripts/bench/results/guest.json holds the icount result at its
# top level ({"mode": "icount", "chamelio": {"rps", "p50_us", "p99_us",
# "client_cpu_pct", "server_cpu_pct", ...}, "kernel": {...}, "kernel_tight":
# {...}, "ratio_rps", "ratio_p99", "target", ...}) and the tcg result, of the
# same shape, under "tcg". Running one mode replaces its part and keeps the
# other (each part has its own "date").
#
# Knobs (environment), passed to the guest (defaults in guest-vm.sh): T
# (seconds per run), ROUNDS, WARMUP, INFLIGHT, SIZE, TIMEOUT_MS, TIGHT (0:
# no udp_rtt -e reference), SWEEP (other depths, one run each), T_SWEEP,
# CHAM_GUEST_PIN_ROOT (for guest_echo, libchamguest's). BENCH_TIMEOUT limits
# each VM run (seconds). Takes about 7 minutes for icount, 1 for tcg.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/bench/vm-result.sh

results=scripts/bench/results
out=$results/guest.json
mkdir -p "$results"
modes=${BENCH_MODES:-icount tcg}

for f in scripts/bench/udp_rtt user/guest/guest_echo user/chamctl/chamctl; do
	[ -x "$f" ] || { echo "bench: $f is missing: run make" >&2; exit 1; }
done

# knobs MODE: the guest's environment, the knobs that are set here; under
# TCG, whose runs move with the host's load, more and shorter rounds and no
# sweep unless asked.
knobs() {
	local v env=()

	if [ "$1" = tcg ]; then
		env+=("T='${T:-1}'" "ROUNDS='${ROUNDS:-9}'" "SWEEP='${SWEEP-}'")
	else
		for v in T ROUNDS SWEEP; do
			[ -n "${!v+set}" ] && env+=("$v='${!v}'")
		done
	fi
	for v in WARMUP INFLIGHT SIZE TIMEOUT_MS TIGHT T_SWEEP CHAM_GUEST_PIN_ROOT; do
		[ -n "${!v:-}" ] && env+=("$v='${!v}'")
	done
	echo "${env[*]}"
}

host_load() { cut -d' ' -f1-3 /proc/loadavg; }

for mode in $modes; do
	case $mode in
	icount) vm_opts=(--icount) ;;	# one vCPU (vm.sh's default with --icount)
	tcg) vm_opts=(--smp "${TCG_SMP:-1}") ;;
	*) echo "bench: BENCH_MODES: icount or tcg, not $mode" >&2; exit 2 ;;
	esac
	log=.deps/bench-guest-$mode-console.log
	vm_out=.deps/bench-guest-$mode-vm.out
	part=$(mktemp)
	load_before=$(host_load)
	if [ "$mode" = tcg ] && { pgrep -x qemu-system-x86 >/dev/null ||
		awk -v l="${load_before%% *}" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; }; then
		echo "bench: warning: other work on the host (load $load_before on $(nproc) CPUs, or another QEMU): TCG results will be noisy" >&2
	fi
	scripts/vm.sh "${vm_opts[@]}" --timeout "${BENCH_TIMEOUT:-900}" --log "$log" -- \
		"MODE=$mode $(knobs "$mode") scripts/bench/guest-vm.sh" | tee "$vm_out"
	bench_json "$vm_out" "$part"
	[ -s "$part" ] || { echo "bench: no $mode result (console log: $log)" >&2; exit 1; }
	jq --arg date "$(date -u +%FT%TZ)" --arg before "$load_before" --arg after "$(host_load)" \
		--argjson cpus "$(nproc)" \
		'. + {date: $date, host: {cpus: $cpus, loadavg_before: $before, loadavg_after: $after}}' \
		"$part" >"$part.new"
	mv "$part.new" "$part"
	# Merge: icount at the top level, tcg under "tcg".
	prev='{}'
	[ -s "$out" ] && prev=$(cat "$out")
	if [ "$mode" = icount ]; then
		jq --argjson prev "$prev" '. + (if $prev.tcg then {tcg: $prev.tcg} else {} end)' "$part" >"$out.tmp"
	else
		jq --argjson prev "$prev" '$prev + {tcg: .}' "$part" >"$out.tmp"
	fi
	mv "$out.tmp" "$out"
	rm -f "$part"
done
echo "bench: results in $out"

# One line per mode.
jq -r '[., .tcg] | .[] | select(. != null and .mode != null) |
	"\(.mode): chamelio \(.chamelio.rps) req/s p50 \(.chamelio.p50_us) p99 \(.chamelio.p99_us) us; " +
	"kernel (socat) \(.kernel.rps) req/s p50 \(.kernel.p50_us) p99 \(.kernel.p99_us) us; " +
	"ratio \(.ratio_rps)x" + (if .mode == "icount" then
		" -> \(if .target.pass then "PASS" else "FAIL" end): \(.target.text)" else "" end)' "$out"
