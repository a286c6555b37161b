#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The tenant slow path (Documentation/design.md, "The slow path"): tenant
# alpha (owned by uid $UA) runs selftests/progs/slowpath.bpf.o and its
# agent is selftests/agent_probe, a process of uid $UA; tenant beta runs
# udp_echo without an agent and must not notice anything alpha does.
# Checked: punts without an agent are drops (no_agent); one agent per
# tenant (EBUSY), only the owner's (ENOENT for others); punts, handler
# events and timer events reach the agent, exactly counted; messages reach
# slowpath_msg and its return value comes back; timers fire, are charged,
# are limited per tenant, cancelled by the handler and by unregistration
# (none fires after); an agent echoing punted datagrams by injection
# answers a Linux client; kill -9 under load leaves every punt accounted
# (punt = punt_delivered + punt_lost) and the fast path serving; a stalled
# agent fills only alpha's queue (punt_queue_full) while beta keeps
# answering; a restarted agent resumes; IP fragments for alpha go to its
# agent, never to the host stack, and ambiguous ones are dropped; a timer
# handler that re-arms itself at once and burns the CPU is ejected.
. ./lib.sh

UA=1001		# owns alpha
UX=1002		# owns nothing
BETA4=10.77.0.3
PROGS=$CHAM/selftests/progs
OUT=/tmp/agent_probe.out

load_module
setup_net
ip addr add $BETA4/32 dev cham0
ip -n cl neigh replace $BETA4 lladdr "$(mac_of "" cham0)" dev cl0 nud permanent
chamctl port attach cham0 >/dev/null
chamctl tenant add alpha id 1 owner $UA >/dev/null
chamctl tenant add beta id 2 >/dev/null
chamctl tenant add gamma id 3 >/dev/null
chamctl rule add alpha dst $HOST4/32 proto udp dport 7000 >/dev/null
chamctl rule add alpha dst $HOST6/128 proto udp dport 7000 >/dev/null
chamctl rule add beta dst $BETA4/32 proto udp dport 7001 >/dev/null
chamctl tenant set alpha ports cham0 >/dev/null
check "alpha's protocol loads (rx, timer and slowpath_msg handlers)" \
	chamctl proto load "$PROGS/slowpath.bpf.o" tenant alpha
check "beta runs udp_echo" chamctl proto load "$BPF/udp_echo.bpf.o" tenant beta

# send ADDR PAYLOAD...: one datagram per payload to port 7000, from the
# client, by bash's /dev/udp: fast enough to flood a queue.
send() {
	ip netns exec cl bash -c 'addr=$1; shift
		exec 3>/dev/udp/$addr/7000 || exit 1
		for p; do printf %s "$p" >&3; done' send "$@"
}
# send_n ADDR N PAYLOAD: N datagrams.
send_n() {
	ip netns exec cl bash -c 'exec 3>/dev/udp/$1/7000 || exit 1
		i=0; while [ $i -lt $2 ]; do printf %s "$3" >&3; i=$((i + 1)); done' \
		send_n "$@"
}
stat_of() { counter alpha "$1"; }
beta_answers() { [ "$(udp_ask $BETA4 7001 beta-ping)" = beta-ping ]; }
# probe_line KEY: KEY=N from the agent's summary line.
probe_value() { sed -n "s/.*\\b$1=\\([-0-9]*\\).*/\\1/p" "$OUT" | tail -n 1; }
start_probe() { # start_probe ARGS...: agent_probe alpha ARGS as uid $UA
	# Not as_uid, a function: $! must be agent_probe's pid (setpriv execs).
	setpriv --reuid=$UA --regid=$UA --clear-groups --inh-caps=-all \
		agent_probe alpha "$@" >"$OUT" 2>&1 &
	probe_pid=$!
	eventually "the agent is registered" \
		sh -c '[ "$(chamctl -j tenant show alpha | jq ".agent_portid // 0")" -gt 0 ]'
}
stop_probe() {
	kill -TERM "$probe_pid" 2>/dev/null
	wait "$probe_pid" 2>/dev/null
	probe_pid=
}

# ---- no agent --------------------------------------------------------------

before=$(chamctl -j stats alpha)
send $HOST4 punt
check_eventually_eq "a punt without an agent is a drop (no_agent)" 1 \
	counter_delta "$before" alpha .drops.no_agent
check_eq "... and not a punt" 0 "$(counter_delta "$before" alpha .verdicts.punt)"
check_eq "tenant show: no agent" 0 "$(chamctl -j tenant show alpha | jq '.agent_portid // 0')"

# ---- who may be the agent --------------------------------------------------

check_errno "uid $UX may not register for alpha (invisible: ENOENT)" ENOENT \
	as_uid $UX agent_probe alpha --seconds 1
check_errno "nor send alpha's protocol a message" "No such" \
	as_uid $UX chamctl agent msg alpha 1
start_probe --count-only
check_errno "a second agent for alpha is refused (EBUSY)" EBUSY \
	as_uid $UA agent_probe alpha --seconds 1
check_errno "root cannot displace it either" EBUSY agent_probe alpha --seconds 1

# ---- punts and events reach the agent --------------------------------------

before=$(chamctl -j stats alpha)
send $HOST4 punt punt punt punt punt notify
check_eventually_eq "5 punts delivered to the agent" 5 \
	counter_delta "$before" alpha .punt_delivered
check_eq "... counted as punt verdicts" 5 "$(counter_delta "$before" alpha .verdicts.punt)"
check_eventually_eq "the handler's event delivered" 1 \
	counter_delta "$before" alpha .events_delivered
check_eq "nothing lost" 0 "$(counter_delta "$before" alpha .punt_lost)"
stop_probe
check_eq "agent_probe received the 5 punts" 5 "$(probe_value punts)"
check_eq "... and the event" 1 "$(probe_value events)"
check_eventually_eq "its exit ends the registration" 0 \
	sh -c 'chamctl -j tenant show alpha | jq ".agent_portid // 0"'

# ---- messages --------------------------------------------------------------

check_eq "a message's length comes back from slowpath_msg" 5 \
	"$(as_uid $UA chamctl -j agent msg alpha 1 str hello | jq .result)"
check_eq "bpf_cham_msg_read() past the end is -EINVAL" -22 \
	"$(chamctl -j agent msg alpha 3 str x | jq .result)"
check_eq "an unknown type: the handler's -EOPNOTSUPP" -95 \
	"$(chamctl -j agent msg alpha 9 | jq .result)"
check_errno "a tenant without protocol: ENOENT" "no protocol" chamctl agent msg gamma 1
check_errno "a protocol without slowpath_msg: EOPNOTSUPP" "not supported" \
	chamctl agent msg beta 1
check_eq "msg_calls counts the three calls" 3 "$(stat_of .msg_calls)"

# ---- timers ----------------------------------------------------------------

start_probe --count-only
before=$(chamctl -j stats alpha)
send $HOST4 timer
check_eventually_eq "a timer armed by rx fires and calls the timer handler" 1 \
	counter_delta "$before" alpha .timer_calls
check "... charged to the tenant" test "$(counter_delta "$before" alpha .timer_cycles)" -gt 0
check_eventually_eq "... and its event (the cookie) reaches the agent" 1 \
	counter_delta "$before" alpha .events_delivered
# A timer armed by slowpath_msg, with the message's cookie.
before=$(chamctl -j stats alpha)
check_eq "slowpath_msg arms a timer" 0 \
	"$(chamctl -j agent msg alpha 2 data efbeadde00000000 | jq .result)"
check_eventually_eq "... which fires" 1 counter_delta "$before" alpha .timer_calls
stop_probe
check_eq "the agent saw the cookies (last: 0xdeadbeef)" 3735928559 "$(probe_value last_event_code)"

armed() { chamctl -j tenant show alpha | jq .timers_armed; }
map_state() { bpftool -j map dump name state | jq ".[0] | (.formatted.value // .value).$1"; }
chamctl tenant set alpha timers 10 >/dev/null
send $HOST4 timers
check_eventually_eq "the tenant's limit holds: 10 of 100 timers armed" 10 armed
check_eq "... the handler saw 10 successes" 10 "$(map_state armed_ok)"
check_eq "... and -ENOSPC beyond" -28 "$(map_state armed_err)"
send $HOST4 cancel
check_eventually_eq "bpf_cham_timer_cancel() disarms them" 0 armed
# 3 s timers, then unregister: none may fire.
send $HOST4 timers
check_eventually_eq "10 armed again" 10 armed
calls=$(stat_of .timer_calls)
check "unregistering the protocol" chamctl proto unload alpha
check_eq "... cancels the tenant's timers at once" 0 "$(armed)"
sleep 4
check_eq "... and none fires afterwards" "$calls" "$(stat_of .timer_calls)"
chamctl tenant set alpha timers 64 >/dev/null
chamctl proto load "$PROGS/slowpath.bpf.o" tenant alpha >/dev/null

# ---- round trip: punt, agent, inject ---------------------------------------

start_probe --echo
before=$(chamctl -j stats alpha)
check_eq "an agent answers a punted datagram by injection (IPv4)" "punt-echo4" \
	"$(udp_ask $HOST4 7000 punt-echo4)"
check_eq "... and over IPv6" "punt-echo6" "$(udp_ask $HOST6 7000 punt-echo6)"
check_eventually_eq "2 frames injected" 2 counter_delta "$before" alpha .injected

# kill -9 under load: the fast path keeps serving, every punt is accounted.
send_n $HOST4 400 punt &
flood=$!
sleep 0.3
kill -9 "$probe_pid"
wait "$probe_pid" 2>/dev/null
wait $flood
check_eventually_eq "kill -9 ends the registration at once" 0 \
	sh -c 'chamctl -j tenant show alpha | jq ".agent_portid // 0"'
check "beta answers meanwhile" beta_answers
before=$(chamctl -j stats alpha)
send $HOST4 punt
check_eventually_eq "the next punt finds no agent" 1 counter_delta "$before" alpha .drops.no_agent
check_eventually_eq "every punt was delivered or lost: punt = delivered + lost" 0 \
	sh -c "chamctl -j stats alpha | jq '.verdicts.punt - .punt_delivered - .punt_lost'"
check_accounting alpha
start_probe --echo
check_eq "a restarted agent answers again" "punt-again" "$(udp_ask $HOST4 7000 punt-again)"
stop_probe

# ---- a stalled agent fills its own queue only ------------------------------

# A small receive buffer fills after a few dozen punts; then the frames
# wait in alpha's queue (8), and once that is full too, punts are refused.
chamctl tenant set alpha punt-queue 8 >/dev/null
start_probe --stall --rcvbuf 16384
before=$(chamctl -j stats alpha)
beta_before=$(chamctl -j stats beta)
i=0
while [ $i -lt 10 ]; do
	send_n $HOST4 30 punt
	sleep 0.1
	i=$((i + 1))
done
queued() { chamctl -j stats alpha | jq '.verdicts.punt - .punt_delivered - .punt_lost'; }
check_eventually_eq "the stalled agent's frames wait in alpha's queue, 8 of them" 8 queued
check "... and then punts are refused: punt_queue_full" \
	test "$(counter_delta "$before" alpha .drops.punt_queue_full)" -gt 0
check_eq "... none lost on the way" 0 "$(counter_delta "$before" alpha .punt_lost)"
check "beta answers while alpha's agent stalls" beta_answers
check_eq "beta dropped nothing" 0 "$(counter_delta "$beta_before" beta .verdicts.drop)"
check_eq "300 packets: punts + queue-full drops" 300 \
	"$(( $(counter_delta "$before" alpha .verdicts.punt) + $(counter_delta "$before" alpha .drops.punt_queue_full) ))"
stop_probe
check_eventually_eq "when it leaves, the 8 queued are lost, counted" 8 \
	counter_delta "$before" alpha .punt_lost
check_eq "punt = delivered + lost" 0 "$(queued)"
check_accounting alpha
chamctl tenant set alpha punt-queue 256 >/dev/null

# ---- an owner change ends the old owner's registration ---------------------

start_probe --count-only
chamctl tenant set alpha owner $UX >/dev/null
check_eventually_eq "a new owner unregisters the old owner's agent" 0 \
	sh -c 'chamctl -j tenant show alpha | jq ".agent_portid // 0"'
eventually "... which is told: its socket reports ECONNRESET" grep -q ECONNRESET "$OUT"
kill -9 "$probe_pid" 2>/dev/null
wait "$probe_pid" 2>/dev/null
chamctl tenant set alpha owner $UA >/dev/null

# ---- fragments ---------------------------------------------------------------

start_probe --count-only
big4() { ip netns exec cl bash -c "head -c 3000 /dev/zero | tr '\\0' f >/dev/udp/$HOST4/7000"; }
big6() { ip netns exec cl bash -c "head -c 3000 /dev/zero | tr '\\0' f >/dev/udp/$HOST6/7000"; }
before=$(chamctl -j stats alpha)
host_before=$(chamctl -j stats 0)
big4
big6
check_eventually_eq "a 3000-byte datagram is 3 fragments each way, punted to alpha's agent" 6 \
	counter_delta "$before" alpha .punt_delivered
check_eq "... the host stack saw none" 0 \
	"$(counter_delta "$host_before" 0 .parse_errors.fragment)"
chamctl rule add beta dst $HOST4/32 proto udp dport 7005 >/dev/null
host_before=$(chamctl -j stats 0)
big4
check_eventually_eq "fragments two tenants' rules cover are dropped (fragment_ambiguous)" 3 \
	counter_delta "$host_before" 0 .drops.fragment_ambiguous
stop_probe
check_accounting alpha
check_accounting 0

# ---- a timer storm: re-armed at once, each call burning the CPU -------------

# Timers are work outside any packet: the ceiling holds them too, and a
# protocol whose timer handler keeps exceeding it is ejected like one
# whose rx does; its timers then call nothing.
chamctl tenant set alpha ceiling 1ms eject-after 3 >/dev/null
check "timer_storm replaces alpha's protocol" \
	chamctl proto replace alpha "$PROGS/hostile_timer_storm.bpf.o"
ejections=$(chamctl -j tenant show alpha | jq .ejections)
send $HOST4 storm
check_eventually_eq "the storming timer handler is ejected for calls above the ceiling" \
	$((ejections + 1)) sh -c 'chamctl -j tenant show alpha | jq .ejections'
calls=$(stat_of .timer_calls)
sleep 1
check_eq "... and its timer calls nothing any more" "$calls" "$(stat_of .timer_calls)"
check "beta answered throughout" beta_answers
chamctl proto unload alpha >/dev/null
check_eventually_eq "unloading leaves no timer armed" 0 armed

chamctl proto unload beta >/dev/null
reset_state
finish
