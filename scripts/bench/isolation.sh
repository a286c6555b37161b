#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench-isolation` (and `make bench`): boots the VM once and measures
# time protection (scripts/bench/isolation-vm.sh): a victim tenant's UDP
# latency while an adversary tenant floods the same port and CPU with
# packets that each burn CPU time, with enforcement off and on; the
# adversary's measured CPU share; work conservation; and what accounting
# costs per packet. Prints a table and one PASS/FAIL line per target, and
# writes scripts/bench/results/isolation.json and isolation.png.
#
# Knobs (environment), passed to the guest (defaults and reasons in
# isolation-vm.sh): T (seconds per run), PASSES, WARMUP, INFLIGHT,
# TIMEOUT_MS, SPIN_NS, RATES ("R1 R2 ..." packets/s), VICTIM_SHARE,
# BURNER_SHARE, BURNER2_SHARE (percent), BURST (e.g. 2ms), CONTENTION
# (e.g. 10ms; default: the module's), TWO_BURNERS and ALONE (0 skips the
# phase), PKTGEN_MAX_RATE, PKTGEN_NICE, REPEAT, ROUNDS. BENCH_TIMEOUT
# limits the whole VM run. Takes 6 to 8 minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/bench/vm-result.sh

results=scripts/bench/results
out=$results/isolation.json
plot=$results/isolation.png
log=.deps/bench-isolation-console.log
vm_out=.deps/bench-isolation-vm.out
mkdir -p scripts/bench/frames "$results"

[ -x scripts/bench/udp_rtt ] || { echo "bench: scripts/bench/udp_rtt is missing: run make" >&2; exit 1; }

# The frame of the accounting-cost runs, to the victim's port.
python3 scripts/bench/frames.py scripts/bench/frames 7000

# The guest's environment: the knobs that are set here.
env=()
for v in T PASSES WARMUP INFLIGHT TIMEOUT_MS SPIN_NS RATES VICTIM_SHARE \
	BURNER_SHARE BURNER2_SHARE BURST CONTENTION TWO_BURNERS ALONE \
	PKTGEN_MAX_RATE PKTGEN_NICE REPEAT ROUNDS; do
	[ -n "${!v:-}" ] && env+=("$v='${!v}'")
done

# The guest is emulated on the host's CPUs: other work there steals time
# from it, in the middle of a handler as anywhere, and shows in the results.
host_load() { cut -d' ' -f1-3 /proc/loadavg; }
load_before=$(host_load)
# A process name (comm) is cut to 15 characters: qemu-system-x86.
if pgrep -x qemu-system-x86 >/dev/null ||
	awk -v l="${load_before%% *}" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
	echo "bench: warning: other work on the host (load $load_before on $(nproc) CPUs, or another QEMU) competes with the emulated guest; expect noisy results" >&2
fi

# Two CPUs: CPU 0 serves the Chamelio port, CPU 1 the client and the flood
# (see isolation-vm.sh). pktgen makes the flood.
scripts/vm.sh --smp 2 --append-modules pktgen --timeout "${BENCH_TIMEOUT:-1200}" \
	--log "$log" -- "${env[*]} scripts/bench/isolation-vm.sh" | tee "$vm_out"
bench_json "$vm_out" "$out"
[ -s "$out" ] || { echo "bench: no result (console log: $log)" >&2; exit 1; }
jq --arg before "$load_before" --arg after "$(host_load)" --argjson cpus "$(nproc)" \
	'.host = {cpus: $cpus, loadavg_before: $before, loadavg_after: $after}' "$out" >"$out.tmp"
mv "$out.tmp" "$out"
echo "bench: results in $out"

/usr/bin/python3 scripts/bench/plot_isolation.py "$out" "$plot"
echo "bench: plot in $plot"

echo
jq -r '.targets[] | "\(if .pass == null then "SKIP" elif .pass then "PASS" else "FAIL" end): \(.name): " +
	"\(if .value == null then "not measured" else (.value * 1000 | round / 1000) end)"' "$out"
