#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The fast/slow split on a real workload: the kv_cache example
# (bpf/kv_cache.bpf.c, the fast path, and user/agent/kv_agent, the agent
# run by the tenant's owner) serves Linux UDP clients over IPv4 and IPv6.
# A SET, and a GET of a key not cached, go through the agent (punted,
# answered by injection); the agent installs a key after its second miss,
# and GETs of it are then answered at XDP without the agent (exact punt,
# TX, handler, delivery, injection and message counters). SET and DEL of
# a cached key update and evict it before the client gets its OK. A
# 2000-byte value (larger than the veth MTU of 1500) is SET and read back
# over IPv4 and IPv6: the client's kernel fragments the request, the
# module hands the fragments to the agent, which reassembles them,
# fragments its reply, and the client's kernel reassembles that. Killing
# the agent with kill -9 under load leaves hits served and misses dropped
# as no_agent with every punt accounted; a restarted agent flushes the
# cache (its store is new) and answers again.
. ./lib.sh

UA=1001		# owns alpha and runs its agent
PORT=7000
AGENT=$CHAM/user/agent/kv_agent
AGENT_OUT=/tmp/kv_agent.out
AGENT_LOG=/tmp/kv_agent.log
agent_pid=

load_module
reset_state
setup_net
chamctl port attach cham0 >/dev/null
chamctl tenant add alpha id 1 owner $UA >/dev/null
chamctl rule add alpha dst $HOST4/32 proto udp dport $PORT >/dev/null
chamctl rule add alpha dst $HOST6/128 proto udp dport $PORT >/dev/null
# An agent injects only out of ports the admin assigned to its tenant.
chamctl tenant set alpha ports cham0 >/dev/null
check "kv_cache loads for alpha (rx and slowpath_msg)" \
	chamctl proto load "$BPF/kv_cache.bpf.o" tenant alpha

# The agent's netlink port; 0 (or null) without one.
registered() { chamctl -j tenant show alpha | jq '.agent_portid // 0'; }

# start_agent: kv_agent for alpha as its owner, in the background; waits
# until it has registered and flushed the cache (its "serving" line).
start_agent() {
	: >"$AGENT_LOG"
	# setpriv itself, not as_uid: a shell function in the background is
	# a subshell, and its pid is not the agent's.
	setpriv --reuid=$UA --regid=$UA --clear-groups --inh-caps=-all \
		"$AGENT" alpha --port $PORT --verbose >"$AGENT_OUT" 2>"$AGENT_LOG" &
	agent_pid=$!
	eventually "the agent registers and flushes the cache" \
		grep -q "serving tenant alpha" "$AGENT_LOG"
}

# stop_agent: SIGTERM; the agent prints its summary line.
stop_agent() {
	kill -TERM "$agent_pid" 2>/dev/null
	wait "$agent_pid" 2>/dev/null
	agent_pid=
}

# summary KEY: KEY=N of the agent's summary line.
summary() { sed -n "s/.* $1=\\([0-9]*\\).*/\\1/p" "$AGENT_OUT"; }

# kv ADDR REQUEST ANSWER PUNTS TX: the answer to REQUEST is ANSWER, and it
# cost the tenant PUNTS punts (through the agent) and TX fast-path answers.
kv() {
	local before
	before=$(chamctl -j stats alpha)
	check_eq "$2 ($1): $3" "$3" "$(udp_ask_n "$1" $PORT "$2" "${#3}")"
	check_eq "... $4 punted" "$4" "$(counter_delta "$before" alpha .verdicts.punt)"
	check_eq "... $5 answered at XDP" "$5" "$(counter_delta "$before" alpha .verdicts.tx)"
}

# ---- misses through the agent, hits at XDP --------------------------------------

csum4=$(udp_stat cl InCsumErrors)
csum6=$(udp_stat cl Udp6InCsumErrors)
host_before=$(chamctl -j stats 0)
start_agent
before=$(chamctl -j stats alpha)
kv $HOST4 "SET colour blue" OK 1 0
kv $HOST4 "GET colour" blue 1 0
# The second miss installs the key (a message to slowpath_msg) ...
kv $HOST6 "GET colour" blue 1 0
# ... and from then on the fast path answers it alone.
kv $HOST4 "GET colour" blue 0 1
kv $HOST6 "GET colour" blue 0 1
check_eq "5 requests: 5 rx handler calls" 5 "$(counter_delta "$before" alpha .handler_calls)"
check_eq "3 punts delivered to the agent" 3 "$(counter_delta "$before" alpha .punt_delivered)"
check_eq "nothing lost" 0 "$(counter_delta "$before" alpha .punt_lost)"
check_eventually_eq "3 answers injected by the agent" 3 \
	counter_delta "$before" alpha .injected
check_eq "1 slowpath_msg call: the install" 1 "$(counter_delta "$before" alpha .msg_calls)"

# Coherence: a SET of a cached key updates it before the OK, a DEL evicts it.
before=$(chamctl -j stats alpha)
kv $HOST4 "SET colour red" OK 1 0
kv $HOST6 "GET colour" red 0 1
kv $HOST4 "DEL colour" OK 1 0
kv $HOST4 "GET colour" NOT_FOUND 1 0
check_eq "the update and the eviction were 2 messages" 2 \
	"$(counter_delta "$before" alpha .msg_calls)"
# A newline is given back, as by udp_kv (ncat sends one).
check_eq "ncat: SET and GET with a newline" "OK|red|" \
	"$( (printf 'SET colour red\n'; sleep 1) | ip netns exec cl timeout 5 ncat -u $HOST4 $PORT | tr '\n' '|'
	   (printf 'GET colour\n'; sleep 1) | ip netns exec cl timeout 5 ncat -u $HOST6 $PORT | tr '\n' '|')"
kv $HOST4 "FLY away" ERR 1 0

# A cached value too long for the frame's tailroom (veth leaves less than a
# cache line) is answered by the agent: punted with code no_room.
long=$(printf 'L%0199d' 5)
kv $HOST4 "SET long $long" OK 1 0
kv $HOST4 "GET long" "$long" 1 0
kv $HOST6 "GET long" "$long" 1 0
kv $HOST4 "GET long" "$long" 1 0

# ---- datagrams larger than the MTU --------------------------------------------

big=$(printf 'B%01999d' 4)
for addr in $HOST4 $HOST6; do
	before=$(chamctl -j stats alpha)
	kv $addr "SET big$addr $big" OK 2 0
	check_eq "... the 2 fragments went to the agent, not the handler" 0 \
		"$(counter_delta "$before" alpha .handler_calls)"
	before=$(chamctl -j stats alpha)
	check_eq "GET big$addr: 2000 bytes back, in fragments" "$big" \
		"$(udp_ask_n $addr $PORT "GET big$addr" 2000)"
	check_eventually_eq "... a miss, answered with 2 injected fragments" 2 \
		counter_delta "$before" alpha .injected
done
check_eq "the host stack saw no fragment" 0 \
	"$(counter_delta "$host_before" 0 .parse_errors.fragment)"
check_eq "the client's kernel found no bad UDP checksum (IPv4)" "$csum4" \
	"$(udp_stat cl InCsumErrors)"
check_eq "the client's kernel found no bad UDP checksum (IPv6)" "$csum6" \
	"$(udp_stat cl Udp6InCsumErrors)"

stop_agent
diag "$(cat "$AGENT_OUT")"
check_eq "the agent counted 8 misses" 8 "$(summary misses)"
check_eq "... 6 SETs (2 of them reassembled)" 6 "$(summary sets)"
check_eq "... 2 installs, 1 update, 1 eviction" "2 1 1" \
	"$(summary installs) $(summary updates) $(summary evictions)"
check_eq "... 1 answer too long for the fast path" 1 "$(summary no_room)"
check_eq "... 4 fragments, 2 datagrams reassembled" "4 2" \
	"$(summary fragments) $(summary reassembled)"
check_eq "... no inject error, nothing lost" "0 0" \
	"$(summary inject_errors) $(summary lost)"
check_eventually_eq "its exit ends the registration" 0 registered
check_accounting alpha

# ---- kill -9 under load, and a restart --------------------------------------------

# flood N: N GETs of a cached key and N of a missing one, interleaved, by
# bash's /dev/udp (no waiting for answers).
flood() {
	ip netns exec cl bash -c 'exec 3>/dev/udp/$1/'$PORT' || exit 1
		i=0; while [ $i -lt $2 ]; do
			printf "GET hot" >&3; printf "GET cold" >&3; i=$((i + 1))
		done' flood $HOST4 "$1"
}

start_agent
kv $HOST4 "SET hot fire" OK 1 0
kv $HOST4 "GET hot" fire 1 0
kv $HOST4 "GET hot" fire 1 0
kv $HOST4 "GET hot" fire 0 1
flood 300 &
flood_pid=$!
sleep 0.3
kill -9 "$agent_pid"
wait "$agent_pid" 2>/dev/null
agent_pid=
wait $flood_pid
check_eventually_eq "kill -9 ends the registration at once" 0 registered
before=$(chamctl -j stats alpha)
kv $HOST4 "GET hot" fire 0 1
check_eq "without an agent a miss gets no answer" "" \
	"$(udp_ask_n $HOST4 $PORT "GET cold" 9)"
check_eq "... it is dropped as no_agent" 1 "$(counter_delta "$before" alpha .drops.no_agent)"
check_eq "... after the handler ran (2 calls)" 2 "$(counter_delta "$before" alpha .handler_calls)"
check_eventually_eq "every punt was delivered or lost: punt = delivered + lost" 0 \
	sh -c "chamctl -j stats alpha | jq '.verdicts.punt - .punt_delivered - .punt_lost'"
check_accounting alpha

# The new agent's store is empty: it flushes the cache when it starts, so
# the fast path does not serve what the store no longer has.
start_agent
kv $HOST4 "GET hot" NOT_FOUND 1 0
kv $HOST6 "SET hot ice" OK 1 0
kv $HOST4 "GET hot" ice 1 0
kv $HOST6 "GET hot" ice 1 0
kv $HOST4 "GET hot" ice 0 1
stop_agent
diag "$(cat "$AGENT_OUT")"
check_eq "the restarted agent: 3 misses, 1 SET, 1 install" "3 1 1" \
	"$(summary misses) $(summary sets) $(summary installs)"
check_accounting alpha

chamctl proto unload alpha >/dev/null
reset_state
finish
