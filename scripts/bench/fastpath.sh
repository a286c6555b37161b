#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: boots the VM once and measures the fast path's per-packet
# cost against a standalone XDP program (scripts/bench/fastpath-vm.sh).
# Prints a table of ratios and writes scripts/bench/results/fastpath.json.
set -euo pipefail
cd "$(dirname "$0")/../.."

mkdir -p scripts/bench/frames scripts/bench/results
# One frame per port that fastpath-vm.sh steers differently.
python3 scripts/bench/frames.py scripts/bench/frames 7000 7001 7002 9

out=scripts/bench/results/fastpath.json
log=.deps/bench-console.log
scripts/vm.sh --timeout "${BENCH_TIMEOUT:-1800}" --log "$log" -- \
	"REPEAT=${REPEAT:-200000} ROUNDS=${ROUNDS:-9} scripts/bench/fastpath-vm.sh" |
	tee .deps/bench-vm.out
tr -d '\r' <.deps/bench-vm.out |
	sed -n '/^BENCH-JSON-BEGIN$/,/^BENCH-JSON-END$/p' | sed '1d;$d' >"$out"
[ -s "$out" ] || { echo "bench: no result (console log: $log)" >&2; exit 1; }
echo "bench: results in $out"
