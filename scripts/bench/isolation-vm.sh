#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Inside the VM (scripts/bench/isolation.sh boots it): time protection
# against a CPU-burning tenant. A victim tenant (udp_echo) serves a
# closed-loop UDP client (scripts/bench/udp_rtt) while an adversary tenant
# (bpf/burner.bpf.c, spin_ns per packet) receives a pktgen flood of
# increasing rate on the same port and the same CPU; every step runs with
# enforcement off and on. Then: the adversary alone (work conservation),
# two adversaries of different shares at once, and the per-packet cost of
# accounting with BPF_PROG_TEST_RUN. Prints a table and the results as JSON
# between BENCH-JSON-BEGIN and BENCH-JSON-END.
#
# CPU placement. A veth with XDP runs its receive NAPI on the CPU of the
# sender, so a flood from another CPU would not contend with the victim.
# Both ports' NAPI are therefore threaded (/sys/class/net/*/threaded):
#
#   CPU 0: napi/cham0-*, the Chamelio port's receive path: parse, steer,
#          handlers, refusals, XDP_TX of the echoes. Nothing else.
#   CPU 1: the client (udp_rtt -c 1), pktgen (kpktgend_1, at nice 19) and
#          napi/cl0-*, which delivers the echoes to the client's socket.
#
# So the victim and the adversary contend for CPU 0 only inside Chamelio,
# which is what time protection arbitrates. The run checks the placement:
# the table shows both CPUs' load per run and which CPU each NAPI thread
# last ran on, and /proc/softirqs NET_RX stays flat (no NAPI in softirq).
#
# The load, and why it is what it is (TCG, 2 host CPUs):
# - pktgen builds an skb per packet, 30-50 us each under TCG, on the
#   client's CPU. At nice 19 it takes only what CPU 1 has spare, so that it
#   delays the client by little more than one transmission.
# - One request in flight (INFLIGHT=1): with 4, the client alone keeps
#   CPU 1 busy, its own queueing dominates the round trip, and the flood
#   then competes with it for CPU 1 (in the guest and, through QEMU's
#   threads, on the host) rather than for CPU 0.
# - A spin of 75 us: a victim packet can wait behind one admitted burner
#   call, and its echo is flushed at the end of the NAPI poll, after the
#   calls that follow it in the batch; shorter spins need more packets for
#   the same demand, and what a packet costs outside Chamelio (veth, a
#   refusal: ~30 us under TCG) then dominates. The top step's demand (spin
#   alone 68% of a CPU, ~80% with that overhead) saturates CPU 0 without
#   enforcement but leaves room for the refusals with it.
#
# Emulated time means little: compare ratios within this boot. Time the
# host takes from the emulated CPUs lands in whatever runs, a handler too:
# the burner's us/call column shows how much.
set -eu
cd /chamelio/selftests
. ./lib.sh
set +u

T=${T:-6}			# seconds measured per run
PASSES=${PASSES:-3}		# passes over the latency steps
WARMUP=${WARMUP:-1}		# seconds before each measurement
INFLIGHT=${INFLIGHT:-1}		# the client's requests in flight
TIMEOUT_MS=${TIMEOUT_MS:-100}	# a request unanswered this long is lost
SPIN_NS=${SPIN_NS:-75000}	# the burner's cost per packet
RATES=${RATES:-2000 4000 6500 9000}	# flood steps, packets/s
VICTIM_SHARE=${VICTIM_SHARE:-50}	# percent of a CPU
BURNER_SHARE=${BURNER_SHARE:-20}
BURNER2_SHARE=${BURNER2_SHARE:-10}
BURST=${BURST:-2ms}
CONTENTION=${CONTENTION:-}	# empty: the module's default
TWO_BURNERS=${TWO_BURNERS:-1}	# 0: skip that phase
ALONE=${ALONE:-1}		# 0: skip the work-conservation phase
REPEAT=${REPEAT:-200000}	# BPF_PROG_TEST_RUN repetitions per round
ROUNDS=${ROUNDS:-11}		# interleaved rounds of those

RTT=$CHAM/scripts/bench/udp_rtt
FRAMES=$CHAM/scripts/bench/frames
PG=/proc/net/pktgen
OUT=/tmp/isolation
VICTIM_PORT=7000
BURNER_PORT=9000
BURNER2_PORT=9001
mkdir -p "$OUT"
: >"$OUT/runs.jsonl"

log() { echo "isolation: $*" >&2; }
die() { log "error: $*"; exit 1; }

[ -x "$RTT" ] || die "$RTT is missing: run make"
[ -d $PG ] || die "no $PG: boot with --append-modules pktgen"

#
# Setup.
#

insmod "$KO"
setup_net
mkdir -p "$PIN"
chamctl -j config show >"$OUT/config.json" ||
	die "chamctl config show failed: no time protection in this module?"
TSC_KHZ=$(jq -r .tsc_khz "$OUT/config.json")
[ -n "$CONTENTION" ] && chamctl config set contention "$CONTENTION"
chamctl port attach cham0 >/dev/null
chamctl tenant add victim id 1 share "$VICTIM_SHARE%" burst "$BURST" >/dev/null
chamctl tenant add burner id 2 share "$BURNER_SHARE%" burst "$BURST" >/dev/null
chamctl rule add victim dst $HOST4/32 proto udp dport $VICTIM_PORT >/dev/null
chamctl rule add burner dst $HOST4/32 proto udp dport $BURNER_PORT >/dev/null
chamctl proto load "$BPF/udp_echo.bpf.o" tenant victim >/dev/null
chamctl proto load "$BPF/burner.bpf.o" tenant burner >/dev/null

# set_spin NS: every burner instance's burner_config (spin_ns, drop).
set_spin() {
	local value id

	value=$(printf '%016x' "$1" |
		sed 's/\(..\)\(..\)\(..\)\(..\)\(..\)\(..\)\(..\)\(..\)/\8 \7 \6 \5 \4 \3 \2 \1/')
	for id in $(bpftool -j map show | jq -r '.[] | select(.name == "burner_config") | .id'); do
		bpftool map update id "$id" key 0 0 0 0 value hex $value 0 0 0 0 0 0 0 0
	done
}
set_spin "$SPIN_NS"

# The placement described at the top.
echo 1 >/sys/class/net/cham0/threaded
ip netns exec cl sh -c 'echo 1 >/sys/class/net/cl0/threaded'
napi_pid() { ps -o pid,comm | awk -v n="napi/$1-" 'index($2, n) == 1 {print $1; exit}'; }
NAPI_CHAM=$(napi_pid cham0)
NAPI_CL=$(napi_pid cl0)
[ -n "$NAPI_CHAM" ] && [ -n "$NAPI_CL" ] || die "no threaded NAPI for cham0 or cl0"
taskset -p 1 "$NAPI_CHAM" >/dev/null
taskset -p 2 "$NAPI_CL" >/dev/null
CHAM_MAC=$(mac_of "" cham0)
# pktgen stands in for traffic from the network, which costs the client
# nothing: see the top.
PKTGEN_NICE=${PKTGEN_NICE:-19}
for pid in $(ps -o pid,comm | awk '$2 ~ /^kpktgend_/ {print $1}'); do
	renice -n "$PKTGEN_NICE" -p "$pid" >/dev/null
done

#
# The flood: pktgen in namespace "cl" sends on cl0, so that its frames
# enter Chamelio through cham0 like the victim's. Each flow takes one or
# more pktgen devices (cl0@N), all on kpktgend_1 (CPU 1). veth cannot share
# skbs, so clone_skb is 0 and every packet is built anew.
#

pgset() { ip netns exec cl sh -c "echo '$2' >$PG/$1"; }

# flood_config "PORT:RATE ...": one flow per word (RATE 0: none). A pktgen
# device paces its packets by sleeping when the gap is 100 us or more, and
# busy-waits below that, which would take CPU 1 from the client: a flow
# faster than PKTGEN_MAX_RATE is split over several devices.
PKTGEN_MAX_RATE=${PKTGEN_MAX_RATE:-8000}
flood_config() {
	local flow port rate parts dev cmd i n=0

	pgset kpktgend_1 rem_device_all
	for flow in $1; do
		port=${flow%%:*}
		rate=${flow#*:}
		[ "$rate" -gt 0 ] || continue
		parts=$(((rate + PKTGEN_MAX_RATE - 1) / PKTGEN_MAX_RATE))
		i=0
		while [ $i -lt $parts ]; do
			dev=cl0@$n
			pgset kpktgend_1 "add_device $dev"
			for cmd in "count 0" "clone_skb 0" "pkt_size 60" "dst $HOST4" \
				"src_min $CL4" "src_max $CL4" "dst_mac $CHAM_MAC" \
				"udp_src_min 9" "udp_src_max 9" "udp_dst_min $port" \
				"udp_dst_max $port" "ratep $((rate / parts))"; do
				pgset "$dev" "$cmd"
			done
			i=$((i + 1))
			n=$((n + 1))
		done
	done
	FLOWS=$n
}

flood_start() {
	FLOOD_PID=
	[ "$FLOWS" -gt 0 ] || return 0
	# Returns when stopped.
	ip netns exec cl sh -c "echo start >$PG/pgctrl" &
	FLOOD_PID=$!
}

flood_stop() {
	[ -n "$FLOOD_PID" ] || return 0
	ip netns exec cl sh -c "echo stop >$PG/pgctrl"
	wait "$FLOOD_PID" || true
	FLOOD_PID=
}

#
# Measurements.
#

# snapshot: counters of both sides, as one JSON object. CPU times from
# /proc/stat as [busy, total] ticks per CPU; the NAPI threads as
# [last CPU, utime + stime].
snapshot() {
	printf '{"stats":%s,"cpu":[%s],"net_rx":[%s],"ring_drops":%s,"napi_cham0":%s,"napi_cl0":%s}\n' \
		"$(chamctl -j stats)" \
		"$(awk '/^cpu[0-9]+ / {b = $2 + $3 + $4 + $7 + $8 + $9;
			printf "%s[%d,%d]", s, b, b + $5 + $6; s = ","}' /proc/stat)" \
		"$(awk '$1 == "NET_RX:" {for (i = 2; i <= NF; i++) printf "%s%d", (i > 2 ? "," : ""), $i}' /proc/softirqs)" \
		"$(ip netns exec cl cat /sys/class/net/cl0/statistics/tx_dropped)" \
		"$(awk '{printf "[%d,%d]", $39, $14 + $15}' /proc/$NAPI_CHAM/stat)" \
		"$(awk '{printf "[%d,%d]", $39, $14 + $15}' /proc/$NAPI_CL/stat)"
}

# The deltas of a run: per tenant, packets, handler calls, over-budget
# drops and cycles (handler + infrastructure) over the cycles elapsed.
DELTAS='
def tenant($n): [.stats[] | select(.name == $n)][0];
def per_tenant($n):
	($a | tenant($n)) as $x | ($b | tenant($n)) as $y |
	if $x == null then null else
	($y.timestamp - $x.timestamp) as $dt |
	($dt / ($khz * 1000)) as $s |
	($y.handler_calls - $x.handler_calls) as $calls |
	(($y.handler_cycles + $y.infra_cycles) -
	 ($x.handler_cycles + $x.infra_cycles)) as $cyc |
	{ packets: ($y.packets - $x.packets),
	  handler_calls: $calls,
	  over_budget: ($y.drops.over_budget - $x.drops.over_budget),
	  handler_cycles: ($y.handler_cycles - $x.handler_cycles),
	  infra_cycles: ($y.infra_cycles - $x.infra_cycles),
	  cycles: $cyc, elapsed_cycles: $dt, seconds: $s,
	  packets_per_s: (($y.packets - $x.packets) / $s),
	  calls_per_s: ($calls / $s),
	  us_per_call: (if $calls > 0 then ($y.handler_cycles - $x.handler_cycles) /
			$calls / $khz * 1000 else null end),
	  max_call_us: ($y.handler_max_cycles / $khz * 1000),
	  share: (100 * $cyc / $dt),
	  configured_share: $y.share }
	end;
def cpu($i): 100 * ($b.cpu[$i][0] - $a.cpu[$i][0]) /
	(($b.cpu[$i][1] - $a.cpu[$i][1]) | if . > 0 then . else 1 end);
{ victim: per_tenant("victim"), burner: per_tenant("burner"),
  burner2: per_tenant("burner2"),
  cpu0_busy: cpu(0), cpu1_busy: cpu(1),
  ring_drops: ($b.ring_drops - $a.ring_drops),
  net_rx_softirqs: [range($b.net_rx | length) as $i | $b.net_rx[$i] - $a.net_rx[$i]],
  napi_cham0_cpu: $b.napi_cham0[0], napi_cl0_cpu: $b.napi_cl0[0],
  napi_cham0_ticks: ($b.napi_cham0[1] - $a.napi_cham0[1]) }'

# run PHASE ENFORCEMENT "PORT:RATE ..." VICTIM(0|1): one measured run,
# appended to runs.jsonl.
run() {
	local phase=$1 enforcement=$2 flows=$3 victim=$4 before after rtt flow total=0

	chamctl config set enforcement "$enforcement"
	flood_config "$flows"
	flood_start
	sleep "$WARMUP"
	before=$(snapshot)
	if [ "$victim" = 1 ]; then
		rtt=$(ip netns exec cl "$RTT" -c 1 -w "$INFLIGHT" -t "$T" -W 0.2 \
			-T "$TIMEOUT_MS" $HOST4 $VICTIM_PORT)
	else
		rtt=null
		sleep "$T"
	fi
	after=$(snapshot)
	flood_stop
	for flow in $flows; do total=$((total + ${flow#*:})); done
	jq -cMn --argjson a "$before" --argjson b "$after" --argjson khz "$TSC_KHZ" \
		--argjson rtt "$rtt" --arg phase "$phase" --arg enforcement "$enforcement" \
		--argjson rate "$total" --arg flows "$flows" \
		"$DELTAS"' + {phase: $phase, enforcement: $enforcement, rate: $rate,
			flows: $flows, victim_rtt: $rtt}' >>"$OUT/runs.jsonl"
	tail -n1 "$OUT/runs.jsonl" | jq -r '"isolation: \(.phase) rate \(.rate) enforcement \(.enforcement): " +
		"victim p99 \(.victim_rtt.p99_us // "-") us, burner calls/s \(.burner.calls_per_s | floor), " +
		"over_budget \(.burner.over_budget), share \(.burner.share | floor)%, cpu0 \(.cpu0_busy | floor)%"' >&2
}

log "tsc $TSC_KHZ kHz; clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
log "placement: napi/cham0 pid $NAPI_CHAM $(taskset -p "$NAPI_CHAM" | sed 's/.*: //'), napi/cl0 pid $NAPI_CL $(taskset -p "$NAPI_CL" | sed 's/.*: //')"

# The emulator translates code on first use: one run to warm up, not kept.
ip netns exec cl "$RTT" -c 1 -w "$INFLIGHT" -t 2 -W 0.2 $HOST4 $VICTIM_PORT >/dev/null

# 1. Victim latency against flood steps, enforcement off and on, in
# PASSES interleaved passes. Each pass measures the reference without
# adversary first and last. The results take the median of a step's runs:
# the emulated guest's p99 moves by tens of percent from one run to the
# next, and by several times while the host is busy with other work.
pass=0
while [ $pass -lt "$PASSES" ]; do
	for rate in 0 $RATES 0; do
		for enforcement in off on; do
			run latency $enforcement "$BURNER_PORT:$rate" 1
		done
	done
	pass=$((pass + 1))
done

# 2. Work conservation: the adversary alone at the top rate, enforcement
# off, on, on, off, so that drift hits both alike.
TOP=${RATES##* }
if [ "$ALONE" = 1 ]; then
	for enforcement in off on on off; do
		run alone $enforcement "$BURNER_PORT:$TOP" 0
	done
fi

# 3. Two adversaries of different shares, each flooding at half the top
# rate, with the victim: each should get its own share.
if [ "$TWO_BURNERS" = 1 ]; then
	chamctl tenant add burner2 id 3 share "$BURNER2_SHARE%" burst "$BURST" >/dev/null
	chamctl rule add burner2 dst $HOST4/32 proto udp dport $BURNER2_PORT >/dev/null
	chamctl proto load "$BPF/burner.bpf.o" tenant burner2 >/dev/null
	set_spin "$SPIN_NS"
	run two_burners on "$BURNER_PORT:$((TOP / 2)) $BURNER2_PORT:$((TOP / 2))" 1
fi
chamctl config set enforcement on

# 4. Accounting overhead: the fast path's per-packet cost under
# BPF_PROG_TEST_RUN (as in fastpath-vm.sh) with accounting off, on without
# enforcement, and on with enforcement, interleaved. The victim gets a whole
# CPU so that back-to-back test runs stay within its budget.
chamctl tenant set victim share 100% >/dev/null
bpftool prog load "$BPF/cham_xdp.bpf.o" "$PIN/bench_chamelio" type xdp
# Tenant handlers run only for frames received on a port: the test run
# names cham0 as the ingress device in an xdp_md (data, data_end, data_meta,
# ingress_ifindex, rx_queue_index, egress_ifindex: u32 each, little-endian).
le32() {
	local v=$1 _i
	for _i in 1 2 3 4; do
		# shellcheck disable=SC2059 # an octal escape built on purpose
		printf "\\$(printf %03o $((v & 255)))"
		v=$((v >> 8))
	done
}
COST_FRAME=$FRAMES/udp4_$VICTIM_PORT.bin
COST_CTX=$OUT/cost.ctx
{
	le32 0
	le32 "$(wc -c <"$COST_FRAME")"
	le32 0
	le32 "$(cat /sys/class/net/cham0/ifindex)"
	le32 0
	le32 0
} >"$COST_CTX"
[ "$(wc -c <"$COST_CTX")" = 24 ] || die "cannot write $COST_CTX"
for c in off accounting enforcement; do : >"$OUT/cost_$c"; done
# measure NAME ACCOUNTING ENFORCEMENT
measure() {
	local out

	chamctl config set accounting "$2" enforcement "$3"
	out=$(bpftool prog run pinned "$PIN/bench_chamelio" \
		data_in "$COST_FRAME" ctx_in "$COST_CTX" repeat "$REPEAT")
	case $out in
	*"Return value: 3,"*) ;;	# XDP_TX: the echo
	*) die "test run ($1) did not echo: $out" ;;
	esac
	printf '%s\n' "$out" | sed -n 's/.*duration (average): \([0-9]*\)ns.*/\1/p' >>"$OUT/cost_$1"
}
i=0
while [ $i -lt "$ROUNDS" ]; do
	measure off off off
	measure accounting on off
	measure enforcement on on
	i=$((i + 1))
done
chamctl config set accounting on enforcement on

#
# Results.
#

samples() { paste -sd, "$OUT/cost_$1"; }
jq -Mn --slurpfile runs "$OUT/runs.jsonl" --slurpfile cfg "$OUT/config.json" \
	--argjson off "[$(samples off)]" --argjson acc "[$(samples accounting)]" \
	--argjson enf "[$(samples enforcement)]" \
	--argjson spin "$SPIN_NS" --argjson inflight "$INFLIGHT" --argjson t "$T" \
	--argjson passes "$PASSES" \
	--argjson vshare "$VICTIM_SHARE" --argjson bshare "$BURNER_SHARE" \
	--argjson b2share "$BURNER2_SHARE" --arg burst "$BURST" \
	--argjson repeat "$REPEAT" --argjson rounds "$ROUNDS" \
	--arg clocksource "$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)" '
def median: sort | if length % 2 == 1 then .[length / 2 | floor]
	else (.[length / 2 - 1] + .[length / 2]) / 2 end;
def lat($e): [$runs[] | select(.phase == "latency" and .enforcement == $e)];
# A step: the median over its runs of the victim p99 and the burner share.
def at($r; $e): [lat($e)[] | select(.rate == $r)] |
	if length == 0 then null else
	{ p99_us: (map(.victim_rtt.p99_us) | median), burner_share: (map(.burner.share) | median),
	  runs: length } end;
def steps($e): [ ([lat($e)[] | .rate] | unique)[] as $r | at($r; $e) + {rate: $r} ];
def alone($e): [$runs[] | select(.phase == "alone" and .enforcement == $e) | .burner] |
	if length == 0 then null else
	{ calls_per_s: ((map(.handler_calls) | add) / (map(.seconds) | add)),
	  over_budget: (map(.over_budget) | add), runs: length } end;
def rel($v; $ref): if $v != null and $ref != null and $ref > 0 then $v / $ref else null end;
def target($name; $value; $limit; $op):
	{ name: $name, value: $value, limit: $limit, op: $op,
	  pass: (if $value == null then null elif $op == ">=" then $value >= $limit
		 else $value <= $limit end) };
([$runs[] | select(.phase == "latency" and .rate > 0) | .rate] | unique) as $rates |
($rates | max) as $top |
{ off: at(0; "off").p99_us, on: at(0; "on").p99_us } as $ref |
[ $rates[] as $r | rel(at($r; "on").p99_us; $ref.on) ] as $on_ratios |
(at($top; "on").burner_share) as $top_share |
([$runs[] | select(.phase == "two_burners")][0]) as $two |
{ off: alone("off"), on: alone("on") } as $alone |
{ off: ($off | min), accounting: ($acc | min), enforcement: ($enf | min) } as $cmin |
{ off: ($off | median), accounting: ($acc | median), enforcement: ($enf | median) } as $cmed |
{
  benchmark: "isolation",
  config: { spin_ns: $spin, inflight: $inflight, seconds: $t, passes: $passes,
            victim_share: $vshare,
            burner_share: $bshare, burner2_share: $b2share, burst: $burst,
            rates: $rates, clocksource: $clocksource, module: $cfg[0] },
  runs: $runs,
  reference_p99_us: $ref,
  steps: { off: [steps("off")[] | . + {p99_ratio: rel(.p99_us; $ref.off)}],
           on: [steps("on")[] | . + {p99_ratio: rel(.p99_us; $ref.on)}] },
  work_conservation: $alone,
  accounting_cost: {
    repeat: $repeat, rounds: $rounds,
    min_ns: $cmin, median_ns: $cmed,
    accounting_vs_off: { min: ($cmin.accounting / $cmin.off), median: ($cmed.accounting / $cmed.off) },
    enforcement_vs_off: { min: ($cmin.enforcement / $cmin.off), median: ($cmed.enforcement / $cmed.off) },
    samples: { off: $off, accounting: $acc, enforcement: $enf } },
  targets: ([
    target("victim p99 at the top step, enforcement off, vs no adversary (>= 3x)";
           rel(at($top; "off").p99_us; $ref.off); 3; ">="),
    target("victim p99 at every step, enforcement on, vs no adversary (<= 1.5x, worst step)";
           (if ($on_ratios | length) > 0 and all($on_ratios[]; . != null) then $on_ratios | max else null end); 1.5; "<="),
    target("burner share at the top step, enforcement on, vs configured (relative error <= 10%)";
           (if $top_share then (($top_share - $bshare) / $bshare | fabs) else null end); 0.10; "<="),
    target("adversary alone: processed packets/s, enforcement on vs off (>= 90%)";
           rel($alone.on.calls_per_s?; $alone.off.calls_per_s?); 0.90; ">="),
    target("adversary alone: over_budget drops with enforcement on (= 0)";
           $alone.on.over_budget?; 0; "<="),
    target("victim: over_budget drops in every run (= 0)";
           ([$runs[].victim.over_budget] | add); 0; "<="),
    target("per-packet cost, accounting (and enforcement) on vs off (<= 5%, min of interleaved runs)";
           ($cmin.enforcement / $cmin.off - 1); 0.05; "<=") ] +
    (if $two then [
    target("two burners: burner share vs configured (relative error <= 10%)";
           (($two.burner.share - $bshare) / $bshare | fabs); 0.10; "<="),
    target("two burners: burner2 share vs configured (relative error <= 10%)";
           (($two.burner2.share - $b2share) / $b2share | fabs); 0.10; "<=") ]
    else [] end))
}' >"$OUT/result.json"

#
# The table.
#

echo
echo "Time protection: victim udp_echo (share $VICTIM_SHARE%) under a burner flood (share"
echo "$BURNER_SHARE%, burst $BURST, spin ${SPIN_NS} ns per packet); $T s per run, $INFLIGHT requests in flight."
echo "Emulated (TCG): compare within this table. p99 x: against the median no-adversary p99"
echo "of the same enforcement setting. b calls/s, b drop/s: burner packets run and refused"
echo "(over_budget); ring/s: dropped by veth, its ring full. shr%: measured CPU share ="
echo "(handler + infra cycles) / elapsed cycles. us/call: burner handler time per call (the"
echo "spin is $((SPIN_NS / 1000)) us; the rest is mostly time the emulated CPU lost to the host)."
fmt='%-11s %5s %3s | %6s %6s %7s %7s %5s %4s | %6s %6s %6s %5s %6s | %5s %4s %4s\n'
printf "$fmt" phase rate enf req/s p50us p99us p99.9us "p99 x" lost \
	"b run/s" "b drop/s" "ring/s" "b shr%" "us/call" "v shr%" cpu0 cpu1
jq -r --slurpfile res "$OUT/result.json" '
	$res[0].reference_p99_us as $ref |
	def n($v; $f): if $v == null then "-" else ($v * $f | round / $f | tostring) end;
	def per_s($v; $run): if $run == null or $run.seconds == 0 then null else $v / $run.seconds end;
	[ .phase, .rate, .enforcement,
	  n(.victim_rtt.throughput; 1), n(.victim_rtt.p50_us; 1), n(.victim_rtt.p99_us; 1),
	  n(.victim_rtt.p999_us; 1),
	  n(if .victim_rtt then .victim_rtt.p99_us / $ref[.enforcement] else null end; 100),
	  n(.victim_rtt.lost; 1),
	  n(.burner.calls_per_s; 1), n(per_s(.burner.over_budget; .burner); 1),
	  n(per_s(.ring_drops; .burner); 1),
	  n(.burner.share; 10), n(.burner.us_per_call; 1), n(.victim.share; 10),
	  n(.cpu0_busy; 1), n(.cpu1_busy; 1) ] | @tsv' "$OUT/runs.jsonl" |
while IFS="$(printf '\t')" read -r ph ra en tp p50 p99 p999 x lost bc bd rd bs bu vs c0 c1; do
	printf "$fmt" "$ph" "$ra" "$en" "$tp" "$p50" "$p99" "$p999" "$x" "$lost" \
		"$bc" "$bd" "$rd" "$bs" "$bu" "$vs" "$c0" "$c1"
done
echo
echo "Per step, the median of its runs (p99 x: against the median without adversary):"
fmt2='%6s | %8s %6s %6s | %8s %6s %6s\n'
printf "$fmt2" rate "off p99" "p99 x" "b shr%" "on p99" "p99 x" "b shr%"
jq -r '.steps as $s | $s.off[] | .rate as $r | ($s.on[] | select(.rate == $r)) as $on |
	def n($v; $f): if $v == null then "-" else ($v * $f | round / $f | tostring) end;
	[ $r, n(.p99_us; 1), n(.p99_ratio; 100), n(.burner_share; 10),
	  n($on.p99_us; 1), n($on.p99_ratio; 100), n($on.burner_share; 10) ] | @tsv' "$OUT/result.json" |
while IFS="$(printf '\t')" read -r ra p0 x0 s0 p1 x1 s1; do
	printf "$fmt2" "$ra" "$p0" "$x0" "$s0" "$p1" "$x1" "$s1"
done
echo
jq -r '.runs[] | select(.phase == "two_burners") |
	"two burners, enforcement on: burner share \(.burner.share * 10 | round / 10)% of \(.burner.configured_share)%, " +
	"burner2 share \(.burner2.share * 10 | round / 10)% of \(.burner2.configured_share)%; victim p99 \(.victim_rtt.p99_us) us"' \
	"$OUT/result.json"
jq -r '.work_conservation | select(.on != null) | "adversary alone: \(.off.calls_per_s | round) runs/s enforcement off, \(.on.calls_per_s | round) on " +
	"(\(.on.over_budget) refused)"' "$OUT/result.json"
jq -r '.accounting_cost | "per-packet cost (BPF_PROG_TEST_RUN, ns min/median of \(.rounds)): off \(.min_ns.off)/\(.median_ns.off), " +
	"accounting \(.min_ns.accounting)/\(.median_ns.accounting), accounting+enforcement \(.min_ns.enforcement)/\(.median_ns.enforcement)"' \
	"$OUT/result.json"
jq -r '.runs | "placement: napi/cham0 last ran on CPU \(map(.napi_cham0_cpu) | unique), napi/cl0 on CPU \(map(.napi_cl0_cpu) | unique); " +
	"NET_RX softirqs per CPU during the runs \(reduce (.[].net_rx_softirqs) as $n ([]; [range($n | length) as $i | (.[$i] // 0) + $n[$i]]))"' \
	"$OUT/result.json"
jq -r '.runs | "longest burner call: \(map(.burner.max_call_us // 0) | max | round) us (time the host took from the guest)"' \
	"$OUT/result.json"
echo
jq -r '.targets[] | "\(if .pass == null then "SKIP" elif .pass then "PASS" else "FAIL" end): \(.name): " +
	"\(if .value == null then "not measured" else (.value * 1000 | round / 1000) end)"' "$OUT/result.json"
echo

echo "BENCH-JSON-BEGIN"
jq -cM . "$OUT/result.json"
echo "BENCH-JSON-END"
