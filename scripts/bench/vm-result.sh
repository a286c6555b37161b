# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Sourced by the host side of the benchmarks (copycost.sh, fastpath.sh,
# guest.sh, isolation.sh, slowpath.sh): the result the in-VM half printed
# on the console, as JSON between a BENCH-JSON-BEGIN and a BENCH-JSON-END
# line. The console ends its lines with CRs.

# bench_json VM_OUT FILE: the JSON block of VM_OUT (what the VM printed)
# into FILE; FILE is empty when there is none.
bench_json() {
	tr -d '\r' <"$1" |
		sed -n '/^BENCH-JSON-BEGIN$/,/^BENCH-JSON-END$/p' | sed '1d;$d' >"$2"
}

# bench_save_dated VM_OUT OUT LOG: the JSON block of VM_OUT, with the
# date added, into OUT; fails, naming the console log LOG, when the VM
# printed no valid JSON.
bench_save_dated() {
	bench_json "$1" "$2.tmp"
	jq -e . "$2.tmp" >/dev/null 2>&1 || {
		rm -f "$2.tmp"
		echo "bench: no result (console log: $3)" >&2
		return 1
	}
	jq --arg date "$(date -u +%FT%TZ)" '. + {date: $date}' "$2.tmp" >"$2"
	rm -f "$2.tmp"
	echo "bench: results in $2"
}
