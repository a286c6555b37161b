#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Inside the VM (scripts/bench/isolation.sh boots it, three vCPUs): time
# protection against a scaling adversary. A victim tenant (udp_echo) serves
# a closed-loop UDP client (scripts/bench/udp_rtt, one request in flight)
# while adversary tenants, each loaded from bpf/burner.bpf.c with its own
# rule and port and a short spin per packet (SPIN_NS), receive a flood of
# growing rate spread over more of them (STEPS), on the same port and CPU.
# Every step runs with enforcement off and on, and once more against a
# "null" adversary (the same flood to a burner that does not spin). Then,
# separately: one long-call burner near the ceiling (LONG_SPIN_NS per call),
# and one adversary alone (work conservation). Prints a table and the
# results as JSON between BENCH-JSON-BEGIN and BENCH-JSON-END.
#
# CPU placement. A veth with XDP runs its receive NAPI on the sender's CPU
# unless threaded, so both veths' NAPI are threaded and pinned:
#
#   CPU 0: napi/cham0-*, the Chamelio port's receive path: parse, steer,
#          handlers, refusals, XDP_TX of the echoes. Nothing else.
#   CPU 1: the victim's client (udp_rtt -c 1) and napi/cl0-*, which
#          delivers the echoes to its socket.
#   CPU 2: the flood (scripts/bench/flood -c 2): paced bursts on an
#          AF_PACKET socket, idle between them (see flood.c for why not
#          pktgen).
#
# So the generator never takes the client's CPU. The run checks it: the
# table and the JSON give every CPU's busy share per run (/proc/stat), the
# client's own CPU use (getrusage), and the flood's achieved rate.
#
# Time leaking between vCPUs. Under QEMU's icount (the default mode) the
# three vCPUs take turns on one host thread and share one clock that
# counts the instructions any of them executes. Whatever runs on one vCPU
# while a span is measured on another is inside that span: the flood's
# sends on CPU 2 and the adversaries' calls on CPU 0 both lengthen the
# victim's round trips, and CPU 2's turns lengthen the calls CPU 0 times.
# The benchmark cannot subtract that per packet, so it measures it:
# - the "null" series runs the victim against the same flood at the same
#   rate, delivered to a tenant whose handler does nothing: what the flood
#   itself costs the victim (generation, veth, parse, steer), with no
#   adversary work to protect against. The gap between "null" and "on" is
#   what time protection is responsible for;
# - the module's own latency histogram (chamctl -j stats, "latency": from
#   the entry into the fast path to the verdict) of the victim, per run: no
#   round trip, so no client or generator in it;
# - the burner's us/call against its spin: a spin is a deadline, so turns
#   of other vCPUs inside a call do not lengthen it beyond the deadline,
#   and what a call measures above its spin is the handler's overhead plus
#   the last slice another vCPU ran.
# Under plain TCG (ICOUNT=0) the vCPUs run in parallel on host threads and
# do not share a clock, but the host's load lands in everything measured.
#
# Every setting is an environment variable; the defaults and their reasons:
set -eu
cd /chamelio/selftests
. ./lib.sh
set +u

MODE=${MODE:-icount}		# what isolation.sh booted: icount or tcg
T=${T:-3}			# seconds measured per run
WARMUP=${WARMUP:-0.5}		# seconds of flood before each measurement
# Seconds from the client's start to the first reading of the counters
# (its own start and 0.2 s of warm-up), and from the last reading to its
# end: the shares are measured only while the victim is active.
CLIENT_SETTLE=${CLIENT_SETTLE:-0.5}
TIMEOUT_MS=${TIMEOUT_MS:-100}	# a request unanswered this long is lost
# A handler of a few microseconds, like the research adversary's protocol
# work. Shorter spins need more packets for the same demand, and each
# packet costs about 5 us outside the handler here (the flood's send, the
# veth's skb, the refusal), all on the one instruction clock.
SPIN_NS=${SPIN_NS:-10000}
# Steps, "TENANTS:PACKETS/S": adversary tenants (ports 9001..) flooded at
# once, the flood spread evenly over them. The last steps overload CPU 0
# without protection (demand ~ rate x (spin + ~5 us)).
STEPS=${STEPS:-1:4000 1:10000 2:20000 4:40000 4:60000}
ADV_SHARE=${ADV_SHARE:-5}	# percent of a CPU, each adversary tenant
VICTIM_SHARE=${VICTIM_SHARE:-50}
FLOWS=${FLOWS:-64}		# source ports per adversary tenant
PERIOD_US=${PERIOD_US:-200}	# the flood's burst period
NULL=${NULL:-1}			# 0: no null-adversary runs
# The long-call burner: one call near (below) the default 10 ms ceiling is
# a spin of a few ms; 1 ms keeps it below any cap the burner has.
LONG_SPIN_NS=${LONG_SPIN_NS:-1000000}
LONG_RATE=${LONG_RATE:-1500}	# calls/s: 150% of a CPU at 1 ms
LONG_SHARE=${LONG_SHARE:-20}
ALONE=${ALONE:-1}		# 0: skip the work-conservation runs
SATURATED=${SATURATED:-95}	# a CPU busier than this (%) is saturated

RTT=$CHAM/scripts/bench/udp_rtt
FLOOD=$CHAM/scripts/bench/flood
OUT=/tmp/isolation
VICTIM_PORT=7000
ADV_PORT=9001			# adversary i (1..) listens on ADV_PORT + i - 1
NULL_PORT=9100
LONG_PORT=9200
mkdir -p "$OUT"
: >"$OUT/runs.jsonl"

log() { echo "isolation: $*" >&2; }
die() { log "error: $*"; exit 1; }

[ -x "$RTT" ] || die "$RTT is missing: run make"
[ -x "$FLOOD" ] || die "$FLOOD is missing: run make"
[ "$(nproc)" -ge 3 ] || die "three CPUs needed (client, Chamelio, flood), $(nproc) here"

ADV_MAX=0
for step in $STEPS; do
	[ "${step%%:*}" -gt "$ADV_MAX" ] && ADV_MAX=${step%%:*}
done
TOP_STEP=${STEPS##* }

#
# Setup.
#

insmod "$KO"
setup_net
mkdir -p "$PIN"
chamctl -j config show >"$OUT/config.json" ||
	die "chamctl config show failed: no time protection in this module?"
TSC_KHZ=$(jq -r .tsc_khz "$OUT/config.json")
chamctl port attach cham0 >/dev/null

# spin_new NS: the burner_config (spin_ns, drop) of the burner instances
# loaded since the last call; each tenant's load has its own map.
SEEN_MAPS=
spin_new() {
	local value id

	value=$(printf '%016x' "$1" |
		sed 's/\(..\)\(..\)\(..\)\(..\)\(..\)\(..\)\(..\)\(..\)/\8 \7 \6 \5 \4 \3 \2 \1/')
	for id in $(bpftool -j map show | jq -r '.[] | select(.name == "burner_config") | .id'); do
		case " $SEEN_MAPS " in *" $id "*) continue ;; esac
		bpftool map update id "$id" key 0 0 0 0 value hex $value 0 0 0 0 0 0 0 0
		SEEN_MAPS="$SEEN_MAPS $id"
	done
}

# add_tenant NAME ID SHARE PORT OBJECT [SPIN_NS]: with the default knobs
# (burst, ceiling, eject-after) but the share.
add_tenant() {
	chamctl tenant add "$1" id "$2" share "$3%" >/dev/null
	chamctl rule add "$1" dst $HOST4/32 proto udp dport "$4" >/dev/null
	chamctl proto load "$BPF/$5.bpf.o" tenant "$1" >/dev/null
	[ -z "${6-}" ] || spin_new "$6"
}

add_tenant victim 1 "$VICTIM_SHARE" $VICTIM_PORT udp_echo
i=1
while [ $i -le "$ADV_MAX" ]; do
	add_tenant adv$i $((1 + i)) "$ADV_SHARE" $((ADV_PORT + i - 1)) burner "$SPIN_NS"
	i=$((i + 1))
done
[ "$NULL" = 1 ] && add_tenant null 40 "$((ADV_SHARE * ADV_MAX))" $NULL_PORT burner 0
add_tenant long 50 "$LONG_SHARE" $LONG_PORT burner "$LONG_SPIN_NS"
chamctl -j tenant show >"$OUT/tenants.json"

# The placement described at the top.
echo 1 >/sys/class/net/cham0/threaded
ip netns exec cl sh -c 'echo 1 >/sys/class/net/cl0/threaded'
napi_pid() { ps -o pid,comm | awk -v n="napi/$1-" 'index($2, n) == 1 {print $1; exit}'; }
NAPI_CHAM=$(napi_pid cham0)
NAPI_CL=$(napi_pid cl0)
[ -n "$NAPI_CHAM" ] && [ -n "$NAPI_CL" ] || die "no threaded NAPI for cham0 or cl0"
taskset -p 1 "$NAPI_CHAM" >/dev/null
taskset -p 2 "$NAPI_CL" >/dev/null
# This script, and the readings it takes while the client runs, on the
# flood's CPU: away from Chamelio's and the client's.
taskset -p 4 $$ >/dev/null
CHAM_MAC=$(mac_of "" cham0)
CL_MAC=$(mac_of cl cl0)

#
# Measurements.
#

# snapshot: counters of both sides, as one JSON object. CPU times from
# /proc/stat as [busy, total] ticks per CPU; the NAPI threads and the
# flood as [last CPU, utime + stime].
task_ticks() {
	if [ -n "$1" ] && [ -r "/proc/$1/stat" ]; then
		awk '{printf "[%d,%d]", $39, $14 + $15}' "/proc/$1/stat"
	else
		echo null
	fi
}
snapshot() {
	printf '{"stats":%s,"cpu":[%s],"net_rx":[%s],"ring_drops":%s,"napi_cham0":%s,"napi_cl0":%s,"flood":%s}\n' \
		"$(chamctl -j stats)" \
		"$(awk '/^cpu[0-9]+ / {b = $2 + $3 + $4 + $7 + $8 + $9;
			printf "%s[%d,%d]", s, b, b + $5 + $6; s = ","}' /proc/stat)" \
		"$(awk '$1 == "NET_RX:" {for (i = 2; i <= NF; i++) printf "%s%d", (i > 2 ? "," : ""), $i}' /proc/softirqs)" \
		"$(ip netns exec cl cat /sys/class/net/cl0/statistics/tx_dropped)" \
		"$(task_ticks "$NAPI_CHAM")" "$(task_ticks "$NAPI_CL")" \
		"$(task_ticks "${FLOOD_PID:-}")"
}

# The deltas of a run: per tenant, packets, handler calls, over-budget
# drops, cycles (handler + infrastructure) over the cycles elapsed, and the
# fast-path latency histogram's growth (if the module keeps one).
DELTAS='
def tenant($s; $n): [$s.stats[] | select(.name == $n)][0];
# Percentile $p of a histogram delta: the upper edge of the bucket holding
# the sample of rank ceil(p x count).
def hist_pct($b; $count; $p):
	(($p * $count) | ceil | if . < 1 then 1 else . end) as $rank |
	first(foreach $b[] as $x (0; . + $x.count; select(. >= $rank) | $x.le_ns)) // null;
def latency($x; $y):
	if ($y.latency? // null) == null then null else
	($x.latency.buckets // [] | map({key: (.le_ns | tostring), value: .count}) | from_entries) as $old |
	[$y.latency.buckets[] | {le_ns, count: (.count - ($old[.le_ns | tostring] // 0))} |
	 select(.count > 0)] as $b |
	($b | map(.count) | add // 0) as $n |
	{ count: $n, p50_ns: hist_pct($b; $n; 0.5), p99_ns: hist_pct($b; $n; 0.99),
	  p999_ns: hist_pct($b; $n; 0.999), buckets: $b } end;
def per_tenant($n):
	tenant($a; $n) as $x | tenant($b; $n) as $y |
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
	  ceiling_violations: ($y.ceiling_violations - $x.ceiling_violations),
	  share: (100 * $cyc / $dt),
	  handler_share: (100 * ($y.handler_cycles - $x.handler_cycles) / $dt),
	  configured_share: $y.share,
	  latency: latency($x; $y) }
	end;
# Busy shares over the elapsed time of the run (USER_HZ ticks): the idle time
# /proc/stat gives for a tickless idle CPU lags, so it is no denominator.
((tenant($b; "victim").timestamp - tenant($a; "victim").timestamp) / ($khz * 1000)) as $secs |
def cpu($i): ($b.cpu[$i][0] - $a.cpu[$i][0]) / $secs;
def sum_tenants($names): [$names[] as $n | per_tenant($n) | select(. != null)] |
	if length == 0 then null else
	{ tenants: length, packets: (map(.packets) | add), handler_calls: (map(.handler_calls) | add),
	  over_budget: (map(.over_budget) | add),
	  calls_per_s: (map(.calls_per_s) | add), packets_per_s: (map(.packets_per_s) | add),
	  us_per_call: ((map(.handler_cycles) | add) / ((map(.handler_calls) | add) | if . > 0 then . else 1 end) / $khz * 1000),
	  max_call_us: (map(.max_call_us) | max),
	  share: (map(.share) | add), handler_share: (map(.handler_share) | add),
	  configured_share: (map(.configured_share) | add),
	  ceiling_violations: (map(.ceiling_violations) | add),
	  per_tenant: map({share, configured_share, calls_per_s, over_budget}) } end;
{ victim: per_tenant("victim"),
  adversary: sum_tenants($adv),
  null: per_tenant("null"), long: per_tenant("long"),
  cpu_busy: [range($b.cpu | length) as $i | cpu($i)],
  ring_drops: ($b.ring_drops - $a.ring_drops),
  net_rx_softirqs: [range($b.net_rx | length) as $i | $b.net_rx[$i] - $a.net_rx[$i]],
  napi_cham0_cpu: $b.napi_cham0[0], napi_cl0_cpu: $b.napi_cl0[0],
  flood_cpu: ($b.flood[0]? // null),
  seconds: $secs,
  napi_cham0_busy: (($b.napi_cham0[1] - $a.napi_cham0[1]) / $secs),
  napi_cl0_busy: (($b.napi_cl0[1] - $a.napi_cl0[1]) / $secs),
  flood_busy: (if $a.flood == null or $b.flood == null then null
	       else ($b.flood[1] - $a.flood[1]) / $secs end) }'

# run PHASE ENFORCEMENT PORT TENANTS RATE VICTIM(0|1) TARGETS...: one
# measured run, appended to runs.jsonl. The flood goes to TENANTS
# consecutive ports from PORT at RATE packets/s (0: none); TARGETS are the
# tenants it reaches, whose counters are summed as "adversary".
run() {
	local phase=$1 enforcement=$2 port=$3 tenants=$4 rate=$5 victim=$6 before after rtt flood names

	shift 6
	names=$(printf '%s\n' "$@" | jq -R . | jq -sc .)
	chamctl config set enforcement "$enforcement"
	FLOOD_PID=
	if [ "$rate" -gt 0 ]; then
		ip netns exec cl "$FLOOD" -c 2 -i cl0 -s "$CL_MAC" -d "$CHAM_MAC" \
			-S $CL4 -D $HOST4 -p "$port" -n "$tenants" -f "$FLOWS" \
			-r "$rate" -P "$PERIOD_US" >"$OUT/flood.out" &
		FLOOD_PID=$!
	fi
	sleep "$WARMUP"
	if [ "$victim" = 1 ]; then
		# The counters are read while the client runs, not around it:
		# before it starts and after it ends, the victim is idle, and
		# the adversary then runs on spare capacity, as it may (work
		# conservation), which would count against its share.
		ip netns exec cl "$RTT" -c 1 -w 1 -t "$T" -W 0.2 \
			-T "$TIMEOUT_MS" $HOST4 $VICTIM_PORT >"$OUT/rtt.out" &
		rtt_pid=$!
		sleep "$CLIENT_SETTLE"
		before=$(snapshot)
		sleep "$(awk -v t="$T" -v s="$CLIENT_SETTLE" 'BEGIN { print t - s }')"
		after=$(snapshot)
		wait "$rtt_pid"
		rtt=$(cat "$OUT/rtt.out")
	else
		before=$(snapshot)
		rtt=null
		sleep "$T"
		after=$(snapshot)
	fi
	flood=null
	if [ -n "$FLOOD_PID" ]; then
		kill "$FLOOD_PID"
		wait "$FLOOD_PID" || true
		flood=$(cat "$OUT/flood.out")
		FLOOD_PID=
	fi
	jq -cMn --argjson a "$before" --argjson b "$after" --argjson khz "$TSC_KHZ" \
		--argjson rtt "$rtt" --argjson flood "${flood:-null}" --argjson adv "$names" \
		--arg phase "$phase" --arg enforcement "$enforcement" \
		--argjson rate "$rate" --argjson tenants "$tenants" \
		"$DELTAS"' + {phase: $phase, enforcement: $enforcement, rate: $rate,
			tenants: $tenants, victim_rtt: $rtt, flood: $flood}' >>"$OUT/runs.jsonl"
	tail -n1 "$OUT/runs.jsonl" | jq -r '"isolation: \(.phase) \(.tenants)x\(.rate) enforcement \(.enforcement): " +
		"victim p99 \(.victim_rtt.p99_us // "-") us, module p99 \(.victim.latency.p99_ns // "-") ns, " +
		"adversary calls/s \(.adversary.calls_per_s // 0 | floor), over_budget \(.adversary.over_budget // 0), " +
		"share \(.adversary.share // 0 | . * 10 | floor / 10)%, cpu \(.cpu_busy | map(floor))"' >&2
}

adv_names() {
	local i=1
	while [ $i -le "$1" ]; do
		printf 'adv%d ' $i
		i=$((i + 1))
	done
}

log "mode $MODE; tsc $TSC_KHZ kHz; clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource); $(nproc) CPUs"
log "placement: napi/cham0 pid $NAPI_CHAM $(taskset -p "$NAPI_CHAM" | sed 's/.*: //'), napi/cl0 pid $NAPI_CL $(taskset -p "$NAPI_CL" | sed 's/.*: //')"

# The emulator translates code on first use: a victim run and a short
# flood to warm up, not kept.
ip netns exec cl "$RTT" -c 1 -w 1 -t 1 -W 0.2 $HOST4 $VICTIM_PORT >/dev/null
ip netns exec cl "$FLOOD" -c 2 -i cl0 -s "$CL_MAC" -d "$CHAM_MAC" -S $CL4 -D $HOST4 \
	-p $ADV_PORT -n 1 -r 5000 -t 0.5 >/dev/null

# 1. The victim against the steps, enforcement off and on, then the null
# adversary; the reference without any flood first and last.
for enforcement in off on; do
	run reference $enforcement $ADV_PORT 0 0 1
done
for step in $STEPS; do
	n=${step%%:*}
	rate=${step#*:}
	# shellcheck disable=SC2046 # one name per word
	for enforcement in off on; do
		run step $enforcement $ADV_PORT "$n" "$rate" 1 $(adv_names "$n")
	done
	[ "$NULL" = 1 ] && run null on $NULL_PORT 1 "$rate" 1 null
done
for enforcement in off on; do
	run reference $enforcement $ADV_PORT 0 0 1
done

# 2. The long-call burner alone against the victim.
for enforcement in off on; do
	run long $enforcement $LONG_PORT 1 "$LONG_RATE" 1 long
done

# 3. Work conservation: one adversary alone at the top rate, off, on, on,
# off, so that drift hits both alike.
if [ "$ALONE" = 1 ]; then
	for enforcement in off on on off; do
		run alone $enforcement $ADV_PORT 1 "${TOP_STEP#*:}" 0 adv1
	done
fi
chamctl config set enforcement on
# Calls that measure above the ceiling (another vCPU's turn inside one, see
# the top) count as violations; enough of them eject a tenant, which would
# void the runs after it: the result says whether any did.
chamctl -j tenant show >"$OUT/tenants_end.json"

#
# Results.
#

jq -Mn --slurpfile runs "$OUT/runs.jsonl" --slurpfile cfg "$OUT/config.json" \
	--slurpfile tenants "$OUT/tenants.json" --slurpfile tenants_end "$OUT/tenants_end.json" \
	--arg mode "$MODE" --argjson spin "$SPIN_NS" --argjson long_spin "$LONG_SPIN_NS" \
	--argjson long_rate "$LONG_RATE" --argjson t "$T" --arg steps "$STEPS" \
	--argjson adv_share "$ADV_SHARE" --argjson vshare "$VICTIM_SHARE" \
	--argjson long_share "$LONG_SHARE" --argjson flows "$FLOWS" \
	--argjson period "$PERIOD_US" --argjson saturated "$SATURATED" \
	--arg clocksource "$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)" '
def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor]
	else (.[length / 2 - 1] + .[length / 2]) / 2 end;
def rel($v; $ref): if $v != null and $ref != null and $ref > 0 then $v / $ref else null end;
# $measured: what a repeated run should reproduce, where the value is an
# error near zero (a share, not its distance from the configured one).
def target($name; $value; $limit; $op; $measured):
	{ name: $name, value: $value, limit: $limit, op: $op, measured: $measured,
	  pass: (if $value == null then null elif $op == ">=" then $value >= $limit
		 elif $op == "<" then $value < $limit else $value <= $limit end) };
def target($name; $value; $limit; $op): target($name; $value; $limit; $op; $value);
def tenant_cfg($n): [$tenants[0][] | select(.name == $n)][0];
# What a victim packet may wait for other tenants work, by isolation.md
# ("What a victim can rely on"), without the refusals (R): the co-runners
# bursts plus one ceiling each, over what the co-runners shares leave.
def bound_us($names): [$names[] | tenant_cfg(.)] as $c |
	(($c | map(.burst_us + .ceiling_ns / 1000) | add) /
	 (1 - ($c | map(.share) | add) / 100));
def adv_names($n): [range(1; $n + 1) | "adv\(.)"];
[$runs[] | select(.phase == "reference")] as $refs |
{ off: ([$refs[] | select(.enforcement == "off") | .victim_rtt.p99_us] | median),
  on: ([$refs[] | select(.enforcement == "on") | .victim_rtt.p99_us] | median) } as $ref |
def summary($r; $refp99):
	if $r == null then null else
	{ p50_us: $r.victim_rtt.p50_us, p99_us: $r.victim_rtt.p99_us, p999_us: $r.victim_rtt.p999_us,
	  ratio: rel($r.victim_rtt.p99_us; $refp99),
	  throughput: $r.victim_rtt.throughput, lost: $r.victim_rtt.lost,
	  module_p50_ns: $r.victim.latency.p50_ns, module_p99_ns: $r.victim.latency.p99_ns,
	  module_p999_ns: $r.victim.latency.p999_ns,
	  adversary_share: ($r.adversary.share // $r.null.share // $r.long.share),
	  adversary_calls_per_s: ($r.adversary.calls_per_s // $r.null.calls_per_s // $r.long.calls_per_s),
	  adversary_over_budget: ($r.adversary.over_budget // 0),
	  flood_rate: $r.flood.rate, cpu_busy: $r.cpu_busy, client_busy: $r.victim_rtt.cpu_busy_pct,
	  client_cpu_busy: ($r.victim_rtt.cpu_busy_pct + $r.napi_cl0_busy),
	  chamelio_cpu_busy: $r.napi_cham0_busy, flood_busy: $r.flood_busy,
	  victim_over_budget: $r.victim.over_budget } end;
def step_run($e; $n; $rate): [$runs[] | select(.phase == "step" and .enforcement == $e and
	.tenants == $n and .rate == $rate)][0];
[$runs[] | select(.phase == "step" and .enforcement == "off") | {tenants, rate}] as $steps |
[ $steps[] | . as $s |
  { tenants: $s.tenants, rate: $s.rate,
    bound_us: bound_us(adv_names($s.tenants)),
    configured_share: ([adv_names($s.tenants)[] | tenant_cfg(.).share] | add),
    off: summary(step_run("off"; $s.tenants; $s.rate); $ref.off),
    on: summary(step_run("on"; $s.tenants; $s.rate); $ref.on),
    null: summary([$runs[] | select(.phase == "null" and .rate == $s.rate)][0]; $ref.on) } |
  .on_vs_null = rel(.on.p99_us; .null.p99_us) ] as $table |
($table[-1]) as $top |
{ off: summary([$runs[] | select(.phase == "long" and .enforcement == "off")][0]; $ref.off),
  on: summary([$runs[] | select(.phase == "long" and .enforcement == "on")][0]; $ref.on),
  bound_us: bound_us(["long"]), spin_ns: $long_spin, rate: $long_rate,
  violations: ([$runs[] | select(.phase == "long") | .long.ceiling_violations] | add),
  max_call_us: ([$runs[] | select(.phase == "long") | .long.max_call_us] | max) } as $long |
def alone($e): [$runs[] | select(.phase == "alone" and .enforcement == $e) | .adversary] |
	if length == 0 then null else
	{ calls_per_s: (map(.calls_per_s) | add / length),
	  over_budget: (map(.over_budget) | add), runs: length } end;
{ off: alone("off"), on: alone("on") } as $alone |
[$table[] | .on.ratio] as $on_ratios |
# The client CPU: the client itself (getrusage) and napi/cl0, which
# delivers its echoes; task times are exact where /proc/stat samples ticks.
[$runs[] | select(.victim_rtt != null) | .victim_rtt.cpu_busy_pct + .napi_cl0_busy] as $client_cpu |
{
  benchmark: "isolation",
  mode: $mode,
  config: { spin_ns: $spin, steps: $steps, adversary_share: $adv_share,
            victim_share: $vshare, flows: $flows, flood_period_us: $period,
            seconds: $t, long_spin_ns: $long_spin, long_rate: $long_rate,
            long_share: $long_share, clocksource: $clocksource, module: $cfg[0],
            tenants: [$tenants[0][] | {name, share, burst_us, ceiling_ns, eject_after}] },
  reference_p99_us: $ref,
  steps: $table,
  bound_us: ($top.bound_us),
  long_call: $long,
  work_conservation: $alone,
  client_cpu_busy_max: ($client_cpu | max),
  ejections: [$tenants_end[0][] | {name, ejections, violations}],
  runs: $runs,
  targets: [
    target("victim p99 at every step, enforcement on, vs no adversary (<= 1.5x, worst step)";
           (if ($on_ratios | length) > 0 and all($on_ratios[]; . != null) then $on_ratios | max else null end); 1.5; "<="),
    target("victim p99 at the top step, enforcement off, vs no adversary (>= 10x)";
           $top.off.ratio; 10; ">="),
    target("adversary CPU share at the top step, enforcement on, vs configured (relative error <= 5%)";
           (if $top.on.adversary_share != null then (($top.on.adversary_share - $top.configured_share) / $top.configured_share | fabs) else null end); 0.05; "<=";
           $top.on.adversary_share),
    target("adversary alone: handler calls/s, enforcement on vs off (>= 95%)";
           rel($alone.on.calls_per_s?; $alone.off.calls_per_s?); 0.95; ">="),
    target("victim: over_budget drops in every run (= 0)";
           ([$runs[].victim.over_budget] | add); 0; "<="),
    target("the client CPU (CPU 1: client + napi/cl0) never saturated while measured (busiest run < \($saturated)%)";
           ($client_cpu | max); $saturated; "<") ]
}' >"$OUT/result.json"

#
# The table.
#

echo
echo "Time protection ($MODE): victim udp_echo (share $VICTIM_SHARE%) under adversary tenants (burner,"
echo "spin $SPIN_NS ns per packet, share $ADV_SHARE% each, default burst and ceiling) flooded from CPU 2;"
echo "$T s per run, one request in flight. x: victim p99 over the no-adversary p99 of the same"
echo "enforcement; null: the same flood to a tenant that does not spin. mod p50/p99: the victim's"
echo "fast-path latency as the module measures it (ns). shr%: adversary (handler + infra cycles) /"
echo "elapsed. busy % of a CPU, from task times: cham: napi/cham0 (CPU 0); cli: the client and"
echo "napi/cl0 (CPU 1); gen: the flood (CPU 2). Throughput of the client: req/s."
fmt='%-5s %6s %4s | %7s %7s %6s %6s %6s | %8s %8s %6s %6s | %4s %4s %4s %6s\n'
printf "$fmt" n rate enf "p50us" "p99us" x "mod50" "mod99" "adv c/s" "refused" "shr%" "flood" cham cli gen "req/s"
jq -r '
	def n($v; $f): if $v == null then "-" else ($v * $f | round / $f | tostring) end;
	.steps[] as $s |
	(["off", "on", "null"][] as $e | $s[$e] | select(. != null) |
	 [ $s.tenants, $s.rate, $e, n(.p50_us; 1), n(.p99_us; 1), n(.ratio; 100),
	   n(.module_p50_ns; 1), n(.module_p99_ns; 1), n(.adversary_calls_per_s; 1),
	   n(.adversary_over_budget; 1), n(.adversary_share; 10), n(.flood_rate; 1),
	   n(.chamelio_cpu_busy; 1), n(.client_cpu_busy; 1), n(.flood_busy; 1), n(.throughput; 1) ] | @tsv)' \
	"$OUT/result.json" |
while IFS="$(printf '\t')" read -r tn ra en p50 p99 x m50 m99 ac ob sh fr c0 c1 c2 cl; do
	printf "$fmt" "$tn" "$ra" "$en" "$p50" "$p99" "$x" "$m50" "$m99" "$ac" "$ob" "$sh" "$fr" "$c0" "$c1" "$c2" "$cl"
done
echo
jq -r '"no adversary: victim p99 \(.reference_p99_us.off) us (off), \(.reference_p99_us.on) us (on); " +
	"bound at the top step \(.bound_us | round) us"' "$OUT/result.json"
jq -r '"victim p99 on / null adversary p99, per step: \([.steps[] | .on_vs_null // null | if . == null then "-" else (. * 100 | round / 100) end])"' "$OUT/result.json"
jq -r '[.ejections[] | select(.ejections > 0) | "\(.name) ejected \(.ejections) time(s)"] |
	if length > 0 then "WARNING: " + join(", ") + ": runs after an ejection are void" else "no tenant was ejected" end' "$OUT/result.json"
jq -r '.long_call | "long calls (\(.spin_ns / 1000) us spin, \(.rate)/s): victim p99 \(.off.p99_us) us off (x\(.off.ratio * 100 | round / 100)), " +
	"\(.on.p99_us) us on (x\(.on.ratio * 100 | round / 100)), bound \(.bound_us | round) us; share on \(.on.adversary_share * 10 | round / 10)%; " +
	"longest call \(.max_call_us | round) us, \(.violations) ceiling violations"' "$OUT/result.json"
jq -r '.work_conservation | select(.on != null) | "adversary alone: \(.off.calls_per_s | round) calls/s enforcement off, \(.on.calls_per_s | round) on " +
	"(\(.on.over_budget) refused)"' "$OUT/result.json"
jq -r '.runs | "placement: napi/cham0 last ran on CPU \(map(.napi_cham0_cpu) | unique), napi/cl0 on CPU \(map(.napi_cl0_cpu) | unique), " +
	"flood on CPU \(map(.flood_cpu) | map(select(. != null)) | unique); NET_RX softirqs per CPU during the runs " +
	"\(reduce (.[].net_rx_softirqs) as $n ([]; [range($n | length) as $i | (.[$i] // 0) + $n[$i]]))"' "$OUT/result.json"
echo
jq -r '.targets[] | "\(if .pass == null then "SKIP" elif .pass then "PASS" else "FAIL" end): \(.name): " +
	"\(if .value == null then "not measured" else (.value * 1000 | round / 1000) end)"' "$OUT/result.json"
echo

echo "BENCH-JSON-BEGIN"
jq -cM . "$OUT/result.json"
echo "BENCH-JSON-END"
