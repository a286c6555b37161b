#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Inside the VM (scripts/bench/slowpath.sh boots it): the cost of punts in
# the XDP loop, the punt round trip through an agent against the fast
# path's own answer, and a victim's round trip beside a punting tenant.
#
# Tenant alpha (10.77.0.1, UDP 7000) runs selftests/progs/fixed_punt.bpf.o
# (every packet punted) or fixed_drop.bpf.o; its agent is
# selftests/agent_probe (--stall: registers and never reads; --count-only;
# --echo: answers every punted datagram by injecting it back). Tenant beta
# (10.77.0.3, UDP 7001) runs udp_echo: the fast path answering itself, and
# the victim.
#
# MODE: "icount" (1 guest ns = 1 instruction) or "tcg" (emulated time).
set -eu
cd /chamelio/selftests
. ./lib.sh
set +u

MODE=${MODE:-tcg}
REPEAT=${REPEAT:-20000}
SECONDS_RTT=${SECONDS_RTT:-3}
FRAME=$CHAM/scripts/bench/frames/udp4_7000.bin
PROGS=$CHAM/selftests/progs
RTT=$CHAM/scripts/bench/udp_rtt
BETA4=10.77.0.3

die() { echo "bench: $*" >&2; exit 1; }

insmod "$KO"
mkdir -p "$PIN"
. "$CHAM/scripts/bench/testrun-vm.sh"

# ---- the XDP loop: BPF_PROG_TEST_RUN on port cham0 --------------------------
bench_port
make_ctx "$FRAME"
chamctl tenant add alpha id 1 punt-queue 65536 >/dev/null
chamctl rule add alpha dst 10.77.0.1/32 proto udp dport 7000 >/dev/null
bpftool prog load "$BPF/cham_xdp.bpf.o" "$PIN/bench_chamelio" type xdp

# run: one test run of REPEAT packets; prints the average duration. Every
# packet is dropped or punted: XDP_DROP (1) either way.
run() {
	out=$(bpftool prog run pinned "$PIN/bench_chamelio" data_in "$FRAME" \
		ctx_in "$FRAME.ctx" repeat "$REPEAT")
	case $out in
	*"Return value: 1,"*) ;;
	*) die "the test run did not return XDP_DROP: $out" ;;
	esac
	printf '%s\n' "$out" | sed -n 's/.*duration (average): \([0-9]*\)ns.*/\1/p'
}
agent_for() { # agent_for MODE: agent_probe alpha --MODE in the background
	agent_probe alpha "--$1" >/tmp/probe.out 2>&1 &
	agent=$!
	i=0
	while [ "$(chamctl -j tenant show alpha | jq .agent_portid)" = 0 ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || die "agent_probe --$1 did not register: $(cat /tmp/probe.out)"
		sleep 0.1
	done
}
agent_stop() { kill "$agent"; wait "$agent" 2>/dev/null || true; }

chamctl proto load "$PROGS/fixed_drop.bpf.o" tenant alpha >/dev/null
xdp_drop=$(run)
chamctl proto replace alpha "$PROGS/fixed_punt.bpf.o" >/dev/null
xdp_no_agent=$(run)
agent_for stall
before=$(counter alpha .verdicts.punt)
xdp_queued=$(run)
queued=$(( $(counter alpha .verdicts.punt) - before ))
[ "$queued" -eq "$REPEAT" ] || die "$queued of $REPEAT punts queued to the stalled agent"
agent_stop
agent_for count-only
before=$(counter alpha .punt_delivered)
xdp_delivered=$(run)
# The worker may still be sending the last ones.
sleep 1
delivered=$(( $(counter alpha .punt_delivered) - before ))
agent_stop
[ "$delivered" -eq "$REPEAT" ] || die "$delivered of $REPEAT punts delivered to the reading agent"
chamctl proto unload alpha >/dev/null
chamctl tenant del alpha >/dev/null
ip link del cham0

# ---- round trips with a Linux client ----------------------------------------
setup_net
ip addr add $BETA4/32 dev cham0
ip -n cl neigh replace $BETA4 lladdr "$(mac_of "" cham0)" dev cl0 nud permanent
chamctl port attach cham0 >/dev/null
chamctl tenant add alpha id 1 >/dev/null
chamctl tenant add beta id 2 >/dev/null
chamctl rule add alpha dst $HOST4/32 proto udp dport 7000 >/dev/null
chamctl rule add beta dst $BETA4/32 proto udp dport 7001 >/dev/null
chamctl tenant set alpha ports cham0 >/dev/null
chamctl proto load "$PROGS/fixed_punt.bpf.o" tenant alpha >/dev/null
chamctl proto load "$BPF/udp_echo.bpf.o" tenant beta >/dev/null
agent_for echo

rtt() { # rtt HOST PORT INFLIGHT: udp_rtt's JSON
	ip netns exec cl "$RTT" -w "$3" -t "$SECONDS_RTT" -W 1 -T 200 "$1" "$2"
}
fastpath=$(rtt $BETA4 7001 1)
slowpath=$(rtt $HOST4 7000 1)
victim_alone=$(rtt $BETA4 7001 1)
# The neighbour's clients keep its agent busy for the whole victim run.
ip netns exec cl "$RTT" -w 16 -t $((SECONDS_RTT + 2)) -W 0 -T 200 $HOST4 7000 \
	>/tmp/neighbour.json &
neighbour=$!
sleep 0.5
victim_loaded=$(rtt $BETA4 7001 1)
wait $neighbour
neighbour_json=$(cat /tmp/neighbour.json)
agent_stop
check_accounting alpha >/dev/null

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.3f", a / b; else print "null"}'; }
field() { printf '%s' "$1" | jq -r ".$2"; }

unit=$([ "$MODE" = icount ] && echo insns || echo ns)
echo
echo "The slow path, mode $MODE$([ "$MODE" = icount ] && echo ' (1 guest ns = 1 instruction)')."
echo "XDP loop, BPF_PROG_TEST_RUN x $REPEAT, $unit per packet:"
printf '  %-34s %8s %8s\n' config "$unit" "vs drop"
for c in "handler drops:$xdp_drop" "punt, no agent:$xdp_no_agent" \
	"punt queued (stalled agent):$xdp_queued" "punt delivered (agent reads):$xdp_delivered"; do
	printf '  %-34s %8s %8s\n' "${c%%:*}" "${c##*:}" "$(ratio "${c##*:}" "$xdp_drop")"
done
echo "Round trips (udp_rtt, closed loop, $SECONDS_RTT s each; microseconds are $([ "$MODE" = icount ] && echo 'thousands of instructions' || echo 'emulated')):"
printf '  %-34s %10s %8s %8s\n' run "replies/s" "p50 us" "p99 us"
for r in "fast path answers (beta):$fastpath" "punt -> agent -> inject (alpha):$slowpath" \
	"victim alone:$victim_alone" "victim, neighbour punting:$victim_loaded" \
	"neighbour (16 in flight):$neighbour_json"; do
	j=${r#*:}
	printf '  %-34s %10s %8s %8s\n' "${r%%:*}" "$(field "$j" throughput)" \
		"$(field "$j" p50_us)" "$(field "$j" p99_us)"
done
echo

echo "BENCH-JSON-BEGIN"
jq -n -M --arg mode "$MODE" --argjson repeat "$REPEAT" \
	--argjson drop "$xdp_drop" --argjson no_agent "$xdp_no_agent" \
	--argjson queued "$xdp_queued" --argjson delivered "$xdp_delivered" \
	--argjson fast "$fastpath" --argjson slow "$slowpath" \
	--argjson alone "$victim_alone" --argjson loaded "$victim_loaded" \
	--argjson neighbour "$neighbour_json" '
	def r(a; b): if b > 0 then (a / b * 1000 | round) / 1000 else null end;
	{benchmark: "slowpath", mode: $mode,
	 unit: (if $mode == "icount" then "instructions" else "emulated ns" end),
	 repeat: $repeat,
	 xdp: {drop: {insns: $drop, vs_drop: 1},
	       punt_no_agent: {insns: $no_agent, vs_drop: r($no_agent; $drop)},
	       punt_queued: {insns: $queued, vs_drop: r($queued; $drop)},
	       punt_delivered: {insns: $delivered, vs_drop: r($delivered; $drop)}},
	 round_trip: {fastpath: $fast, slowpath: $slow,
	       rate_ratio: r($slow.throughput; $fast.throughput),
	       p50_ratio: r($slow.p50_us; $fast.p50_us),
	       p99_ratio: r($slow.p99_us; $fast.p99_us)},
	 victim: {alone: $alone, with_punting_neighbour: $loaded, neighbour: $neighbour,
	       p50_ratio: r($loaded.p50_us; $alone.p50_us),
	       p99_ratio: r($loaded.p99_us; $alone.p99_us)}}'
echo "BENCH-JSON-END"
