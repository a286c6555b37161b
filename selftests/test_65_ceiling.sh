#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The bounded fast-path contract: handler calls above the tenant's ceiling
# are counted, and after eject-after of them since the protocol was
# registered the protocol is ejected (default verdict, a notification, the
# link inert); registering again restores it with a clean record. And the
# limit on a handler's size, checked at registration.
. ./lib.sh

load_module
reset_state
setup_net
mkdir -p "$PIN"

# Far apart, so that scheduling and emulation cannot blur them: a call
# without spin stays well under the ceiling, one with spin far above it.
CEILING=1ms
SPIN_NS=10000000
PORT=7200

# burner_set SPIN_NS ECHO: configure the burner registered for tenant burner.
burner_set() {
	burner_configure burner "$@"
}

# send_udp COUNT: COUNT datagrams to the burner's port, none awaited. Each
# is handled (on the sender's CPU) before socat returns; the counters are
# still read with check_eventually_eq.
send_udp() {
	local i=0
	while [ $i -lt "$1" ]; do
		printf 'ceiling %d' $i | ip netns exec cl socat -u - "UDP:$HOST4:$PORT"
		i=$((i + 1))
	done
}

tshow() {
	chamctl -j tenant show burner | jq -c "$1"
}

chamctl port attach cham0 >/dev/null

# A tenant's calls are held to a ceiling from the start: 10 ms, ejection
# after 16 calls above it; none and never only when the admin says so.
check "a new tenant" chamctl tenant add fresh id 9
check_eq "a new tenant: ceiling 10 ms, eject after 16" '[10000000,16]' \
	"$(chamctl -j tenant show fresh | jq -c '[.ceiling_ns, .eject_after]')"
check "ceiling none, eject-after never, when the admin says so" \
	chamctl tenant set fresh ceiling none eject-after never
check_eq "... and so shown" '[0,0]' \
	"$(chamctl -j tenant show fresh | jq -c '[.ceiling_ns, .eject_after]')"
chamctl tenant del fresh >/dev/null

check "tenant burner with ceiling $CEILING, eject after 3" \
	chamctl tenant add burner id 5 default drop ceiling $CEILING eject-after 3
chamctl rule add burner dst $HOST4 proto udp dport $PORT >/dev/null
check "burner registers" chamctl proto load "$BPF/burner.bpf.o" tenant burner
gen=$(tshow .proto.generation)

# Within the ceiling: counted, never a violation.
before=$(chamctl -j stats burner)
check "burner configured: no spin, drop" burner_set 0 0
send_udp 3
check_eventually_eq "no spin: 3 handler calls" 3 counter_delta "$before" burner .handler_calls
check_eq "no spin: no ceiling violation" 0 "$(counter_delta "$before" burner .ceiling_violations)"
check_eq "no spin: the handler dropped them" 3 "$(counter_delta "$before" burner .drops.handler)"

# Above the ceiling: violations, then ejection on the third.
monitor_start /tmp/monitor.out -j monitor proto count 1

check "burner configured: spin far above the ceiling" burner_set $SPIN_NS 0
before=$(chamctl -j stats burner)
send_udp 2
check_eventually_eq "two slow calls: two ceiling violations" 2 \
	counter_delta "$before" burner .ceiling_violations
check_eq "tenant show: the protocol has 2 violations" 2 "$(tshow .violations)"
check_eq "two violations of three: still registered" "$gen" "$(tshow .proto.generation)"
check_eq "two violations of three: not ejected" 0 "$(tshow .ejections)"
send_udp 1
check_eventually_eq "the third slow call: three ceiling violations" 3 \
	counter_delta "$before" burner .ceiling_violations
eventually "the third violation ejected the protocol" \
	sh -c '[ "$(chamctl -j tenant show burner | jq -c .proto.ejected)" = true ]'
check_eq "ejections: 1" 1 "$(tshow .ejections)"
check_eq "the link stays (inert)" 1 \
	"$(chamctl -j proto show | jq '[.[] | select(.tenant == "burner")] | length')"
check "the kernel log says why" sh -c 'dmesg | grep -q "tenant burner: protocol .burner. ejected"'

eventually "the monitor printed one event and exited" sh -c "! kill -0 $monitor"
kill $monitor 2>/dev/null
wait $monitor 2>/dev/null
sed 's/^/# monitor: /' /tmp/monitor.out
check_eq "monitor: one proto_ejected event for tenant burner (id 5), protocol burner, ejected" \
	'["proto_ejected",5,"burner","burner",true]' \
	"$(head -n1 /tmp/monitor.out | jq -c '[.event, .tenant_id, .tenant, .proto.name, .proto.ejected]')"
check_eq "monitor: the event names the generation ejected" "$gen" \
	"$(head -n1 /tmp/monitor.out | jq -c .proto.generation)"
check_eq "monitor: the event counts 3 violations" 3 \
	"$(head -n1 /tmp/monitor.out | jq -c .violations)"

# Ejected: the default verdict, the handler no longer runs.
before=$(chamctl -j stats burner)
send_udp 2
check_eventually_eq "ejected: packets take the default verdict (drop)" 2 \
	counter_delta "$before" burner .drops.default
check_eq "ejected: no handler call" 0 "$(counter_delta "$before" burner .handler_calls)"
check_eq "ejected: no new violation" 0 "$(counter_delta "$before" burner .ceiling_violations)"

# An ejection stays in force until the admin clears it or the tenant
# registers again: not lifted by time, nor by new settings.
check "the admin raises the ceiling to 1s" chamctl tenant set burner ceiling 1s
sleep 1
before=$(chamctl -j stats burner)
send_udp 2
check_eventually_eq "still ejected after a second and new settings: default verdict" 2 \
	counter_delta "$before" burner .drops.default
check_eq "still ejected: no handler call" 0 "$(counter_delta "$before" burner .handler_calls)"
check "the ceiling back to $CEILING" chamctl tenant set burner ceiling $CEILING

# Replacing the ejected protocol (an update of its link, which stayed
# bound) restores it, with a clean record.
check "burner registers again" chamctl proto replace burner "$BPF/burner.bpf.o"
check_eq "registered again: a new generation" $((gen + 1)) "$(tshow .proto.generation)"
gen=$((gen + 1))
check_eq "registered again: ejections still 1" 1 "$(tshow .ejections)"
check_eq "registered again: no violations yet" 0 "$(tshow .violations)"
check "the new registration has no spin" burner_set 0 0
before=$(chamctl -j stats burner)
send_udp 2
check_eventually_eq "registered again: the handler runs" 2 counter_delta "$before" burner .drops.handler
check "the new registration spins" burner_set $SPIN_NS 0
send_udp 2
check_eventually_eq "registered again: two violations" 2 \
	counter_delta "$before" burner .ceiling_violations
check_eq "the count restarted at registration: still registered" "$gen" \
	"$(tshow .proto.generation)"
send_udp 1
eventually "the third violation since registering ejects again" \
	sh -c '[ "$(chamctl -j tenant show burner | jq -c .proto.ejected)" = true ]'
check_eq "ejections: 2" 2 "$(tshow .ejections)"

# Ejecting is enforcement: with the tenant's enforcement off, violations
# are only counted; back on, the next one ejects.
check "enforcement off" chamctl tenant set burner enforcement off
check "burner registers a third time" chamctl proto replace burner "$BPF/burner.bpf.o"
gen=$((gen + 1))
check "... spinning" burner_set $SPIN_NS 0
before=$(chamctl -j stats burner)
send_udp 4
check_eventually_eq "enforcement off: 4 violations counted" 4 \
	counter_delta "$before" burner .ceiling_violations
check_eq "enforcement off: 4 violations of eject-after 3, still registered" "$gen" \
	"$(tshow .proto.generation)"
check_eq "enforcement off: ejections still 2" 2 "$(tshow .ejections)"
check "enforcement on" chamctl tenant set burner enforcement on
send_udp 1
eventually "enforcement on: the next violation ejects" \
	sh -c '[ "$(chamctl -j tenant show burner | jq -c .proto.ejected)" = true ]'
check_eq "ejections: 3" 3 "$(tshow .ejections)"

# eject-after never (0): violations are only counted.
check "eject-after never" chamctl tenant set burner eject-after never
check_eq "eject-after never reads back as 0" 0 "$(tshow .eject_after)"
check "burner registers a fourth time" chamctl proto replace burner "$BPF/burner.bpf.o"
gen=$((gen + 1))
check "... spinning" burner_set $SPIN_NS 0
before=$(chamctl -j stats burner)
send_udp 5
check_eventually_eq "eject-after never: 5 violations counted" 5 \
	counter_delta "$before" burner .ceiling_violations
check_eq "eject-after never: still registered" "$gen" "$(tshow .proto.generation)"
check_eq "eject-after never: ejections still 3" 3 "$(tshow .ejections)"
check_eq "eject-after never: the handler ran every time" 5 \
	"$(counter_delta "$before" burner .drops.handler)"

# No ceiling: nothing is a violation.
check "ceiling none" chamctl tenant set burner ceiling none eject-after 1
before=$(chamctl -j stats burner)
send_udp 2
check_eventually_eq "ceiling none: handler calls" 2 counter_delta "$before" burner .handler_calls
check_eq "ceiling none: no violation" 0 "$(counter_delta "$before" burner .ceiling_violations)"
check_eq "ceiling none: still registered" "$gen" "$(tshow .proto.generation)"
# The slowest call took the spin: more than 1 ms of the cycle counter.
check "the slowest handler call was measured above 1 ms" \
	test "$(counter burner .handler_max_cycles)" -gt "$(chamctl -j config show | jq .tsc_khz)"
check_accounting burner

# The size limit, checked at registration.
insns=$(tshow '.proto.handlers[] | select(.name == "rx") | .verified_insns')
check "without a limit, tenant show reports the rx handler's verified insns" \
	test "${insns:-0}" -gt 0
diag "burner rx: $insns verified instructions"
check "insn-limit 5" chamctl tenant set burner insn-limit 5
check_eq "insn-limit reads back" 5 "$(tshow .insn_limit)"
out=$(chamctl proto replace burner "$BPF/burner.bpf.o" 2>&1)
status=$?
check "a handler above the limit is refused" test $status -ne 0
check "... with E2BIG" sh -c 'printf "%s" "$1" | grep -qiE "argument list too long|E2BIG"' _ "$out"
check "... naming the handler, its size and the limit" \
	sh -c 'printf "%s" "$1" | grep -q "handler burner_rx verified $2 instructions, more than the tenant.s insn-limit of 5"' _ "$out" "$insns"
diag "$out"
check_eq "... and the protocol in place stays" "$gen" "$(tshow .proto.generation)"
check "insn-limit = the handler's size" chamctl tenant set burner insn-limit "$insns"
check "a handler at the limit registers" chamctl proto replace burner "$BPF/burner.bpf.o"
check_eq "... as a new generation" $((gen + 1)) "$(tshow .proto.generation)"
check "insn-limit one below the handler's size" \
	chamctl tenant set burner insn-limit $((insns - 1))
check_fails "a handler one instruction above the limit is refused" \
	chamctl proto replace burner "$BPF/burner.bpf.o"
check "insn-limit none" chamctl tenant set burner insn-limit none
check "without a limit it registers again" chamctl proto replace burner "$BPF/burner.bpf.o"
check_accounting burner

reset_state
finish
