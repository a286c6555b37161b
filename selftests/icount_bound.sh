#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# What a victim can rely on (Documentation/isolation.md): while it is
# active, a victim's packet waits for other tenants' work at most
#   W = (sum of their bursts and ceilings + refusals) / (1 - sum of shares).
# Checked under a worst-case adversary: calls just under its ceiling,
# offered at three CPUs' worth, so that it always has work queued. The
# victim's round trips, from a closed-loop client, must stay within its
# round trip alone plus W; without enforcement the same adversary must
# break the bound, or this test could not fail.
#
# Runs in instruction-count mode only (scripts/check.sh boots a VM with
# --icount --smp 2 for it): time is executed instructions there, so a
# bound in time can be checked without the host's noise. Placement as in
# the isolation benchmark (scripts/bench/isolation-vm.sh): threaded NAPI,
# everything Chamelio does on CPU 0; the client, the flood generator
# (scripts/bench/flood, which sleeps between bursts) and the client side's
# NAPI on CPU 1. Both vCPUs share one instruction clock: what CPU 1
# executes while a victim packet waits on CPU 0 counts as waiting, which
# makes the test stricter, not looser.
. ./lib.sh

if [ "${CHAM_ICOUNT:-0}" != 1 ]; then
	ok "# SKIP not in instruction-count mode"
	exit 0
fi

load_module
reset_state
setup_net
mkdir -p "$PIN"

VICTIM_PORT=7100
ADV_PORT=7101
SHARE=20		# the adversary's, percent
BURST_US=1000
CEILING_US=2000
SPIN_NS=1500000		# its calls: under the ceiling, so never ejected
RATE=2000		# its packets/s: three CPUs' worth of calls
RING=256		# veth's receive ring: the refusals a packet can queue behind
REFUSAL_US=5		# a refusal with veth's own work, generously (icount)
FLOOD=$CHAM/scripts/bench/flood

flood_pid=
flood_stop() {
	[ -n "$flood_pid" ] && kill "$flood_pid" 2>/dev/null && wait "$flood_pid" 2>/dev/null
	flood_pid=
}
trap flood_stop EXIT

check "port attach cham0" chamctl port attach cham0
check "victim: share 50%" chamctl tenant add victim id 1 share 50%
check "adversary: share $SHARE%, burst ${BURST_US}us, ceiling ${CEILING_US}us" \
	chamctl tenant add adversary id 2 share $SHARE% burst ${BURST_US}us \
	ceiling ${CEILING_US}us eject-after never
chamctl rule add victim dst $HOST4 proto udp dport $VICTIM_PORT >/dev/null
chamctl rule add adversary dst $HOST4 proto udp dport $ADV_PORT >/dev/null
check "udp_echo for the victim" chamctl proto load "$BPF/udp_echo.bpf.o" tenant victim
check "burner for the adversary" chamctl proto load "$BPF/burner.bpf.o" tenant adversary
check "the adversary spins $((SPIN_NS / 1000)) us per packet" \
	burner_configure adversary $SPIN_NS 0

echo 1 >/sys/class/net/cham0/threaded
ip netns exec cl sh -c 'echo 1 >/sys/class/net/cl0/threaded'
napi_pid() { ps -o pid,comm | awk -v n="napi/$1-" 'index($2, n) == 1 {print $1; exit}'; }
check "threaded NAPI: cham0's on CPU 0" taskset -p 1 "$(napi_pid cham0)"
check "threaded NAPI: cl0's on CPU 1" taskset -p 2 "$(napi_pid cl0)"

# rtt: one closed-loop client run against the victim, on CPU 1; its JSON.
rtt() {
	ip netns exec cl "$CHAM/scripts/bench/udp_rtt" -c 1 -w 1 -t 2 -W 1 \
		-T 2000 $HOST4 $VICTIM_PORT
}

# with_flood: rtt while the adversary is flooded from CPU 1.
with_flood() {
	ip netns exec cl "$FLOOD" -i cl0 -s "$(mac_of cl cl0)" \
		-d "$(mac_of "" cham0)" -S $CL4 -D $HOST4 -p $ADV_PORT \
		-r $RATE -P 1000 -c 1 >/tmp/flood.json 2>&1 &
	flood_pid=$!
	sleep 0.5
	rtt
	flood_stop
}

delta() { jq -n --argjson a "$1" --argjson b "$2" "\$b$3 - \$a$3"; }

alone=$(rtt)
diag "victim alone: $alone"
check "victim alone: answered" test "$(printf '%s' "$alone" | jq .received)" -gt 100

a0=$(chamctl -j stats adversary)
v0=$(chamctl -j stats victim)
on=$(with_flood)
a1=$(chamctl -j stats adversary)
v1=$(chamctl -j stats victim)
diag "enforced: $on"
diag "enforced: flood $(cat /tmp/flood.json)"
diag "enforced: adversary $(delta "$a0" "$a1" .handler_calls) calls, $(delta "$a0" "$a1" .drops.over_budget) refused; victim $(delta "$v0" "$v1" .handler_calls) calls"
check "enforced: the adversary ran" test "$(delta "$a0" "$a1" .handler_calls)" -gt 0
check "enforced: the adversary was refused" \
	test "$(delta "$a0" "$a1" .drops.over_budget)" -gt 0
check_eq "enforced: the victim was never refused" 0 \
	"$(delta "$v0" "$v1" .drops.over_budget)"
check_eq "enforced: no victim request lost" 0 "$(printf '%s' "$on" | jq .lost)"

check "enforcement off (the adversary's)" chamctl tenant set adversary enforcement off
off=$(with_flood)
diag "not enforced: $off"
diag "not enforced: flood $(cat /tmp/flood.json)"
chamctl tenant set adversary enforcement on >/dev/null

# The bound, in microseconds: the co-runner's burst and ceiling over one
# minus its share, plus the refusals a full ring of its frames costs.
bound=$(( (BURST_US + CEILING_US) * 100 / (100 - SHARE) + RING * REFUSAL_US ))
alone_max=$(printf '%s' "$alone" | jq '.max_us | floor')
on_max=$(printf '%s' "$on" | jq '.max_us | floor')
off_max=$(printf '%s' "$off" | jq '.max_us | floor')
diag "longest round trips (us): alone $alone_max, enforced $on_max, not enforced $off_max; the bound: alone + $bound"
check "enforced: the victim's longest round trip ($on_max us) is within alone ($alone_max us) + the bound ($bound us)" \
	test "$on_max" -le $((alone_max + bound))
check "not enforced: the same adversary breaks the bound ($off_max us)" \
	test "$off_max" -gt $((alone_max + bound))
finish
