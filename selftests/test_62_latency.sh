#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The fast path's latency as the module measures it: each tenant's
# histogram counts exactly the packets it handled, and chamctl stats shows
# its p50/p99/p99.9 (ordered, each a bucket's upper bound) and, with -j,
# the histogram itself; a tenant without traffic has none. A burner that
# spins 200 us per packet by the clock it reads has its p50 at 200 us or
# more, above the echo's. And the admin clears an ejection with chamctl
# proto reinstate. Nothing here asserts on how fast anything runs: the
# burner's calls last at least its spin by construction.
. ./lib.sh

load_module
reset_state
setup_net
mkdir -p "$PIN"

ECHO_PORT=7620
IDLE_PORT=7621
BURNER_PORT=7622
EJECT_PORT=7623
SPIN_NS=200000
N=20

# lat TENANT JQ-PATH: one value of TENANT's latency object, compact.
lat() {
	chamctl -j stats "$1" | jq -c ".latency$2"
}

# send_udp PORT COUNT: COUNT datagrams to PORT, none awaited.
send_udp() {
	local i=0
	while [ $i -lt "$2" ]; do
		printf 'latency %d' $i | ip netns exec cl socat -u - "UDP:$HOST4:$1"
		i=$((i + 1))
	done
}

tshow() {
	chamctl -j tenant show "$1" | jq -c "$2"
}

# From CPU 0 (test_60_budget.sh says why): ask0 PORT MESSAGE asks once,
# send0 PORT COUNT sends COUNT datagrams, none awaited. A veth peer with
# XDP runs its NAPI on the CPU that transmits: the handlers run there too.
ask0() {
	local reply
	reply=$(mktemp)
	CHAM_MSG=$2 CHAM_REPLY=$reply ip netns exec cl taskset -c 0 socat -T3 -t0.1 \
		"UDP:$HOST4:$1" EXEC:"$CHAM/selftests/udp_exchange.sh" 2>/dev/null
	cat "$reply"
	rm -f "$reply"
}

send0() {
	local i=0
	while [ $i -lt "$2" ]; do
		printf 'latency %d' $i | ip netns exec cl taskset -c 0 socat -u - "UDP:$HOST4:$1"
		i=$((i + 1))
	done
}

check "port attach cham0" chamctl port attach cham0
check "tenant echo" chamctl tenant add echo id 1
check "tenant idle" chamctl tenant add idle id 2
check "tenant burner (default drop)" chamctl tenant add burner id 3 default drop
check "tenant ej (default drop)" chamctl tenant add ej id 4 default drop
check "tenant bare, without protocol" chamctl tenant add bare id 5
chamctl rule add echo dst $HOST4 proto udp dport $ECHO_PORT >/dev/null
chamctl rule add idle dst $HOST4 proto udp dport $IDLE_PORT >/dev/null
chamctl rule add burner dst $HOST4 proto udp dport $BURNER_PORT >/dev/null
chamctl rule add ej dst $HOST4 proto udp dport $EJECT_PORT >/dev/null
check "udp_echo registers for echo" chamctl proto load "$BPF/udp_echo.bpf.o" tenant echo
check "udp_echo registers for idle" chamctl proto load "$BPF/udp_echo.bpf.o" tenant idle
check "burner registers for burner" chamctl proto load "$BPF/burner.bpf.o" tenant burner
check "udp_echo registers for ej" chamctl proto load "$BPF/udp_echo.bpf.o" tenant ej

# ---- the histogram ----------------------------------------------------------

check_eq "JSON: the latency object has its keys" \
	'["buckets","count","p50_ns","p999_ns","p99_ns"]' "$(lat idle ' | keys')"
check_eq "no traffic: count 0" 0 "$(lat idle .count)"
check_eq "no traffic: no bucket" 0 "$(lat idle '.buckets | length')"
check_eq "no traffic: no percentile" '[null,null,null]' \
	"$(lat idle ' | [.p50_ns, .p99_ns, .p999_ns]')"
check_eq "id 0 has no histogram" null "$(chamctl -j stats 0 | jq -c .latency)"

answered=0
i=0
while [ $i -lt $N ]; do
	msg=$(printf 'latency %02d' $i)
	[ "$(udp_ask $HOST4 $ECHO_PORT "$msg")" = "$msg" ] && answered=$((answered + 1))
	i=$((i + 1))
done
check_eq "echo answered $N" $N "$answered"
check_eventually_eq "echo: $N packets handled" $N counter echo .handler_calls
check_eq "echo: the histogram counts every packet handled" \
	"$(counter echo .packets)" "$(lat echo .count)"
check_eq "echo: the buckets add up to the count" "$(lat echo .count)" \
	"$(lat echo '.buckets | map(.count) | add')"
check_eq "echo: buckets ascend, each bounded and nonempty" true \
	"$(lat echo '.buckets | (map(.le_ns) | . == sort and all(. != null)) and all(.count > 0)')"
p50=$(lat echo .p50_ns)
p99=$(lat echo .p99_ns)
p999=$(lat echo .p999_ns)
diag "echo: p50 ${p50}ns p99 ${p99}ns p99.9 ${p999}ns; buckets $(lat echo .buckets)"
check "echo: p50 is nonzero" test "${p50:-0}" -gt 0
check "echo: p50 <= p99 <= p99.9" test "$p50" -le "$p99" -a "$p99" -le "$p999"
check_eq "echo: each percentile is the bound of a bucket" "[]" \
	"$(lat echo ' as $l | [$l.p50_ns, $l.p99_ns, $l.p999_ns] - [$l.buckets[].le_ns]')"
check_eq "idle still has count 0" 0 "$(lat idle .count)"

# The table: three columns, a time for echo and "-" for idle.
table=$(chamctl stats)
printf '%s\n' "$table" | sed 's/^/# /'
check "the table has LAT_P50, LAT_P99 and LAT_P99.9" \
	sh -c 'printf "%s\n" "$1" | head -n1 | grep -q "LAT_P50 *LAT_P99 *LAT_P99\.9"' _ "$table"
check "the table shows echo's latency as a time" \
	sh -c 'printf "%s\n" "$1" | awk "\$2 == \"echo\" { exit !(\$NF ~ /^[0-9.]+(ns|us|ms|s)$/) }"' _ "$table"
check "the table shows - for idle" \
	sh -c 'printf "%s\n" "$1" | awk "\$2 == \"idle\" { exit !(\$NF == \"-\") }"' _ "$table"

# Not accounted: handled, not measured.
check "echo: accounting off" chamctl tenant set echo accounting off
before=$(chamctl -j stats echo)
check_eq "accounting off: echo answers" "unmeasured" "$(udp_ask $HOST4 $ECHO_PORT unmeasured)"
check_eventually_eq "accounting off: the packet was handled" 1 \
	counter_delta "$before" echo .handler_calls
check_eq "accounting off: not in the histogram" 0 \
	"$(counter_delta "$before" echo .latency.count)"
check "echo: accounting on" chamctl tenant set echo accounting on

# A tenant without protocol has no second clock read: not measured.
chamctl rule add bare dst $HOST4 proto udp dport 7624 >/dev/null
send_udp 7624 2
check_eventually_eq "no protocol: 2 packets take the default" 2 counter bare .packets
check_eq "no protocol: not in the histogram" 0 "$(lat bare .count)"

# The burner spins by the clock it reads: each call lasts at least that.
check "burner spins ${SPIN_NS}ns per packet, then drops" burner_configure burner $SPIN_NS 0
send_udp $BURNER_PORT 5
check_eventually_eq "burner: 5 packets handled" 5 counter burner .handler_calls
check_eq "burner: the histogram counts them" 5 "$(lat burner .count)"
bp50=$(lat burner .p50_ns)
diag "burner: p50 ${bp50}ns; buckets $(lat burner .buckets)"
check "burner: p50 (${bp50}ns) is at least the spin (${SPIN_NS}ns)" \
	test "${bp50:-0}" -ge $SPIN_NS
check "echo's p50 (${p50}ns) is below the burner's" test "$p50" -lt "${bp50:-0}"

# Refused over budget: measured too, up to the intervention point. A
# budget of one call that takes seconds to earn back, while echo works on
# the same CPU within its own (so that the CPU is contended).
check "burner: share 0.01%, burst 200us; contention window 1s" \
	sh -c 'chamctl tenant set burner share 0.01% burst 200us && chamctl config set contention 1s'
before=$(chamctl -j stats burner)
i=0
while [ $i -lt 5 ]; do
	ask0 $ECHO_PORT contend >/dev/null
	send0 $BURNER_PORT 2
	i=$((i + 1))
done
check_eventually_eq "over budget: 10 burner packets" 10 counter_delta "$before" burner .packets
refused=$(counter_delta "$before" burner .drops.over_budget)
diag "over budget: $refused of 10 refused; $(lat burner .buckets)"
check "over budget: burner packets were refused" test "$refused" -gt 0
check_eq "over budget: the histogram counts every packet, run or refused" 10 \
	"$(counter_delta "$before" burner .latency.count)"
check "burner: share 100%, burst 1ms; contention window 10ms" \
	sh -c 'chamctl tenant set burner share 100% burst 1ms && chamctl config set contention 10ms'
check_accounting echo
check_accounting burner

# ---- the admin clears an ejection -------------------------------------------

check_errno "reinstate: a running protocol is not ejected" "no protocol is ejected" \
	chamctl proto reinstate echo
check_errno "reinstate: a tenant without protocol has none ejected" "no protocol is ejected" \
	chamctl proto reinstate bare
check_errno "reinstate: no such tenant" "no such tenant" chamctl proto reinstate nosuch
check_errno "reinstate: a user without CAP_NET_ADMIN may not" \
	"Operation not permitted" as_uid 65534 chamctl proto reinstate ej

check "ej: ceiling 1ns, eject after 1: any call ejects" \
	chamctl tenant set ej ceiling 1ns eject-after 1
gen=$(tshow ej .proto.generation)
udp_ask $HOST4 $EJECT_PORT first >/dev/null
eventually "ej: the first call ejected the protocol" \
	sh -c '[ "$(chamctl -j tenant show ej | jq -c .proto.ejected)" = true ]'
check_eq "ej: ejections 1" 1 "$(tshow ej .ejections)"
check_eq "ej: ejected, no answer" "" "$(udp_ask $HOST4 $EJECT_PORT ejected)"
check "ej: ceiling none" chamctl tenant set ej ceiling none
check "reinstate ej" chamctl proto reinstate ej
check_eq "ej: the protocol is back" '"udp_echo"' "$(tshow ej .proto.name)"
check "ej: ... as a later generation" test "$(tshow ej .proto.generation)" -gt "$gen"
check_eq "ej: no violations since" 0 "$(tshow ej .violations)"
check_eq "ej: ejections still 1" 1 "$(tshow ej .ejections)"
check_eq "ej: the echo answers again" "back again" "$(udp_ask $HOST4 $EJECT_PORT 'back again')"
check_errno "reinstate again: nothing is ejected" "no protocol is ejected" \
	chamctl proto reinstate ej
check_accounting ej

reset_state
finish
