#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Inside the VM (scripts/bench/guest.sh boots it): UDP echo by a Chamelio
# guest over AF_XDP against the same echo on the kernel's UDP sockets, in
# one topology and one boot. A closed-loop client (scripts/bench/udp_rtt,
# INFLIGHT requests in flight, kernel UDP socket) in namespace cl sends to:
#
#   chamelio  10.77.1.11, guest g1 of tenant A (bpf/guest_udp.bpf.o), served
#             by user/guest/guest_echo in namespace g1:
#             cl0 -> cham0 (port, cham_xdp: rule, tenant rx, redirect)
#             -> chg<ID> -> g1's veth (cham_guest, XSKMAP) -> AF_XDP socket;
#             back: AF_XDP TX -> chg<ID> (cham_xdp: source check, tenant tx)
#             -> cham0 -> cl0.
#   kernel    10.77.3.11, socat (UDP4-LISTEN ... PIPE) in namespace k1,
#             routed by the root namespace:
#             cl0 -> cham0 (cham_xdp: no rule matches, XDP_PASS) -> IPv4
#             forwarding -> k1h -> k1g (plain veth, no XDP) -> UDP socket;
#             back: k1g -> k1h -> forwarding -> cham0 -> cl0.
#   tight     the same address, port 8: udp_rtt -e, a minimal echo server on
#             the kernel's sockets (recvmmsg/sendmmsg batches). Not the
#             target's reference: it shows how much of the socat figure is
#             socat itself (poll, then a pipe round trip per datagram).
#
# socat reads and writes SIZE bytes at a time (-b): PIPE is a byte stream,
# and with several requests in flight a larger read would merge them into
# one reply. UDP4-LISTEN serves the first sender only, so the client always
# sends from port LPORT. Static neighbours everywhere, IPv6 off on the new
# links, transmit checksum offload off on the kernel path's sender (as
# setup_net does for cl0): no ARP, ND or partial checksums on the wire.
#
# MODE: icount (scripts/vm.sh --icount, one vCPU: the client, the servers and
# all softirq work share it, and a guest second is 10^9 executed
# instructions) or tcg (emulated time; with two vCPUs or more the client is
# pinned to CPU 1 and the servers to CPU 0).
#
# Known (traced under icount, at 8 in flight): the Chamelio path's p99 is
# set by the kernel's veth page_pool on chg<ID>. Copy-mode AF_XDP transmits
# skbs whose head XDP cannot use, so veth copies each into a page_pool page;
# those pages end in the client's socket and about one in five leaves the
# pool, which then allocates 64 fresh pages at once (~270k instructions)
# while every request in flight waits. The kernel path shows no such refill.
#
# Each round runs every path once for T seconds (after WARMUP seconds of
# the same run that do not count); the results are the medians over ROUNDS
# rounds. A warm-up run per path first lets the emulator translate the code.
# Then a sweep: one run of T_SWEEP seconds per path at each other depth in
# SWEEP, to show how the comparison depends on the requests in flight.
# Prints a table and the result as JSON between BENCH-JSON-BEGIN and
# BENCH-JSON-END.
set -eu
cd /chamelio/selftests
. ./lib.sh
set +u

MODE=${MODE:-tcg}
T=${T:-3}			# measured seconds per run
ROUNDS=${ROUNDS:-3}		# interleaved rounds of every path
WARMUP=${WARMUP:-0.5}		# unmeasured seconds at the start of each run
INFLIGHT=${INFLIGHT:-8}		# requests in flight
SIZE=${SIZE:-64}		# UDP payload bytes
TIMEOUT_MS=${TIMEOUT_MS:-200}	# a request unanswered this long is lost
TIGHT=${TIGHT:-1}		# 0: no udp_rtt -e reference
SWEEP=${SWEEP-1 2 4 16}	# other depths, one run each ("" for none)
T_SWEEP=${T_SWEEP:-1}		# measured seconds per sweep run

RTT=$CHAM/scripts/bench/udp_rtt
ECHO=$CHAM/user/guest/guest_echo
OUT=/tmp/guestbench
G_ADDR=10.77.1.11		# guest g1
K_ADDR=10.77.3.11		# namespace k1
K_HOST=10.77.3.1		# the root namespace's side of k1
LPORT=40007			# the client's port, every run
mkdir -p "$OUT"
: >"$OUT/runs.jsonl"

log() { echo "guest-bench: $*" >&2; }
die() { log "error: $*"; exit 1; }

[ -x "$RTT" ] || die "$RTT is missing: run make"
[ -x "$ECHO" ] || die "$ECHO is missing: run make"

NCPU=$(grep -c '^processor' /proc/cpuinfo)
# With two vCPUs or more: the client on CPU 1, the servers on CPU 0.
CLIENT_CPU=
[ "$NCPU" -ge 2 ] && CLIENT_CPU="-c 1"
# pin_server PID: a server on CPU 0 (its threads: socat and the others have one).
pin_server() {
	[ "$NCPU" -ge 2 ] && taskset -p 1 "$1" >/dev/null
	return 0
}

#
# Setup.
#

insmod "$KO"
setup_net
mkdir -p "$PIN"
chamctl port attach cham0 >/dev/null

# The Chamelio path: tenant A, its rule, its port, guest_udp, guest g1.
chamctl tenant add A id 1 >/dev/null
chamctl rule add A dst $G_ADDR/32 proto udp >/dev/null
chamctl tenant set A ports cham0 >/dev/null
chamctl proto load "$BPF/guest_udp.bpf.o" tenant A >/dev/null
ip netns add g1
chamctl guest add g1 tenant A netns g1 addr $G_ADDR/32 >/dev/null
guest_obj() { chamctl -j guest show g1 | jq -c 'if type == "array" then .[0] else . end'; }
G_MAC=$(guest_obj | jq -r .mac)
[ -n "$G_MAC" ] && [ "$G_MAC" != null ] || die "no MAC for guest g1: $(guest_obj)"
# The guest's prefix is on cl0's link, its address at its MAC (a VM bridged
# onto the network).
ip -n cl route add 10.77.1.0/24 dev cl0
ip -n cl neigh replace $G_ADDR lladdr "$G_MAC" dev cl0 nud permanent

# The kernel path: namespace k1 behind a plain veth pair, routed.
ip netns add k1
ip link add k1h type veth peer name k1g
ip link set k1g netns k1
echo 1 >/proc/sys/net/ipv6/conf/k1h/disable_ipv6
ip netns exec k1 sh -c 'echo 1 >/proc/sys/net/ipv6/conf/k1g/disable_ipv6'
ip addr add $K_HOST/24 dev k1h
ip link set k1h up
ip -n k1 link set lo up
ip -n k1 addr add $K_ADDR/24 dev k1g
ip -n k1 link set k1g up
ip -n k1 route add default via $K_HOST
ip netns exec k1 ethtool -K k1g tx off >/dev/null
ip neigh replace $K_ADDR lladdr "$(mac_of k1 k1g)" dev k1h nud permanent
ip -n k1 neigh replace $K_HOST lladdr "$(mac_of "" k1h)" dev k1g nud permanent
echo 1 >/proc/sys/net/ipv4/ip_forward
ip -n cl route add 10.77.3.0/24 via $HOST4 dev cl0

#
# The servers.
#

# proc_pid NAME: the pid of the one process called NAME.
proc_pid() { pidof "$1" | awk '{print $1}'; }

nsenter --net=/run/netns/g1 "$ECHO" --guest g1 >"$OUT/echo.out" 2>&1 &
i=0
until grep -q attached "$OUT/echo.out"; do
	i=$((i + 1))
	[ $i -lt 100 ] || die "guest_echo did not attach: $(cat "$OUT/echo.out")"
	sleep 0.1
done
ECHO_PID=$(proc_pid guest_echo)
pin_server "$ECHO_PID"

start_socat() {
	ip netns exec k1 socat -b "$SIZE" UDP4-LISTEN:7,reuseaddr PIPE \
		>>"$OUT/socat.out" 2>&1 &
	wait_udp_listener k1 7 || die "socat did not start: $(cat "$OUT/socat.out")"
	SOCAT_PID=$(proc_pid socat)
	pin_server "$SOCAT_PID"
}
start_socat
PATHS="chamelio kernel"
if [ "$TIGHT" = 1 ]; then
	ip netns exec k1 "$RTT" -e $K_ADDR 8 >"$OUT/tight.out" 2>&1 &
	wait_udp_listener k1 8 || die "udp_rtt -e did not start: $(cat "$OUT/tight.out")"
	TIGHT_PID=$!
	pin_server "$TIGHT_PID"
	PATHS="$PATHS tight"
fi

#
# Measurements.
#

# runtime PID: nanoseconds PID has run on a CPU (its own work and the
# softirq work done in its context).
runtime() { cut -d' ' -f1 "/proc/$1/schedstat"; }
uptime_ns() { awk '{printf "%.0f", $1 * 1e9}' /proc/uptime; }
# The all-CPU line of /proc/stat: user nice system idle iowait irq softirq.
cpu_line() { awk '$1 == "cpu" {print $2, $3, $4, $5, $6, $7, $8; exit}' /proc/stat; }

target() { # target PATH: the address and port the client sends to
	case $1 in
	chamelio) echo "$G_ADDR 7" ;;
	kernel) echo "$K_ADDR 7" ;;
	tight) echo "$K_ADDR 8" ;;
	esac
}
server_pid() {
	case $1 in
	chamelio) echo "$ECHO_PID" ;;
	kernel) echo "$SOCAT_PID" ;;
	tight) echo "$TIGHT_PID" ;;
	esac
}

# client SECONDS PATH [INFLIGHT]: one udp_rtt run against PATH; its JSON.
client() {
	# shellcheck disable=SC2046,SC2086 # the words are arguments
	ip netns exec cl "$RTT" $CLIENT_CPU -p $LPORT -w "${3:-$INFLIGHT}" -s "$SIZE" \
		-T "$TIMEOUT_MS" -W "$WARMUP" -t "$1" $(target "$2")
}

# measure PATH ROUND: one measured run, appended to runs.jsonl.
measure() {
	local path=$1 round=$2 pid r0 r1 u0 u1 c0 c1 rtt

	# socat ends on a socket error (an ICMP error for a reply): restart it.
	if [ "$path" = kernel ] && ! kill -0 "$SOCAT_PID" 2>/dev/null; then
		log "socat had exited (round $round), restarted: $(tail -n 2 "$OUT/socat.out")"
		start_socat
	fi
	pid=$(server_pid "$path")
	r0=$(runtime "$pid")
	u0=$(uptime_ns)
	c0=$(cpu_line)
	rtt=$(client "$T" "$path")
	c1=$(cpu_line)
	u1=$(uptime_ns)
	r1=$(runtime "$pid")
	jq -cMn --argjson rtt "$rtt" --arg path "$path" --argjson round "$round" \
		--argjson srv "$((r1 - r0))" --argjson el "$((u1 - u0))" \
		--arg c0 "$c0" --arg c1 "$c1" '
		($c0 | split(" ") | map(tonumber)) as $a |
		($c1 | split(" ") | map(tonumber)) as $b |
		[range(7) as $i | $b[$i] - $a[$i]] as $d |
		($d | add | if . > 0 then . else 1 end) as $tot |
		{ path: $path, round: $round, rtt: $rtt,
		  server_cpu_pct: (100 * $srv / $el),
		  cpu: { user: (100 * ($d[0] + $d[1]) / $tot), system: (100 * $d[2] / $tot),
			 softirq: (100 * ($d[5] + $d[6]) / $tot), idle: (100 * ($d[3] + $d[4]) / $tot),
			 busy: (100 - 100 * ($d[3] + $d[4]) / $tot) } }' >>"$OUT/runs.jsonl"
	tail -n1 "$OUT/runs.jsonl" | jq -r '"guest-bench: round \(.round) \(.path): " +
		"\(.rtt.throughput | floor) req/s, p50 \(.rtt.p50_us) us, p99 \(.rtt.p99_us) us, " +
		"lost \(.rtt.lost), client \(.rtt.cpu_busy_pct)%, server \(.server_cpu_pct | floor)%, " +
		"cpu busy \(.cpu.busy | floor)%"' >&2
}

log "mode $MODE, $NCPU vCPU(s), $INFLIGHT in flight, $SIZE-byte payload, $T s x $ROUNDS rounds; paths: $PATHS"
# The emulator translates code on first use: one run per path, not kept.
for path in $PATHS; do
	client 1 "$path" >/dev/null
done
snap_before=$(guest_obj)
round=1
while [ $round -le "$ROUNDS" ]; do
	for path in $PATHS; do
		measure "$path" $round
	done
	round=$((round + 1))
done
snap_after=$(guest_obj)

: >"$OUT/sweep.jsonl"
for depth in $SWEEP; do
	[ "$depth" = "$INFLIGHT" ] && continue
	for path in $PATHS; do
		client "$T_SWEEP" "$path" "$depth" |
			jq -cM --arg path "$path" --argjson depth "$depth" \
				'{path: $path, inflight: $depth, rtt: .}' >>"$OUT/sweep.jsonl"
		tail -n1 "$OUT/sweep.jsonl" | jq -r '"guest-bench: sweep \(.inflight) in flight, \(.path): " +
			"\(.rtt.throughput | floor) req/s, p50 \(.rtt.p50_us) us, p99 \(.rtt.p99_us) us, lost \(.rtt.lost)"' >&2
	done
done

# The servers' own counters: guest_echo prints them on SIGTERM.
kill "$ECHO_PID"
i=0
while kill -0 "$ECHO_PID" 2>/dev/null && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
ECHO_STATS=$(grep '^echoed=' "$OUT/echo.out" | tail -n1)
kill "$SOCAT_PID" 2>/dev/null || true
[ -n "$TIGHT_PID" ] && kill "$TIGHT_PID" 2>/dev/null || true

#
# Results.
#

jq -Mn --slurpfile runs "$OUT/runs.jsonl" --slurpfile sweep "$OUT/sweep.jsonl" \
	--arg mode "$MODE" --argjson ncpu "$NCPU" \
	--argjson t "$T" --argjson rounds "$ROUNDS" --argjson inflight "$INFLIGHT" \
	--argjson size "$SIZE" --argjson timeout "$TIMEOUT_MS" --argjson warmup "$WARMUP" \
	--argjson g0 "$snap_before" --argjson g1 "$snap_after" --arg echo_stats "$ECHO_STATS" \
	--arg clocksource "$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)" '
def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor]
	else (.[length / 2 - 1] + .[length / 2]) / 2 end;
def r1: if . == null then null else (. * 10 | round / 10) end;
def summary($p): [$runs[] | select(.path == $p)] as $r |
	if ($r | length) == 0 then null else
	{ rps: ($r | map(.rtt.throughput) | median | r1),
	  p50_us: ($r | map(.rtt.p50_us) | median | r1),
	  p99_us: ($r | map(.rtt.p99_us) | median | r1),
	  p999_us: ($r | map(.rtt.p999_us) | median | r1),
	  lost: ($r | map(.rtt.lost) | add), late: ($r | map(.rtt.late) | add),
	  received: ($r | map(.rtt.received) | add),
	  client_cpu_pct: ($r | map(.rtt.cpu_busy_pct) | median | r1),
	  server_cpu_pct: ($r | map(.server_cpu_pct) | median | r1),
	  cpu_busy_pct: ($r | map(.cpu.busy) | median | r1),
	  cpu_softirq_pct: ($r | map(.cpu.softirq) | median | r1),
	  # One vCPU counting instructions: its busy time per request is
	  # the instructions a request costs, end to end, client included.
	  insns_per_req: (if $mode == "icount" and $ncpu == 1 then
		($r | map(.cpu.busy / 100 * 1e9 / .rtt.throughput) | median | round) else null end),
	  runs: ($r | map({round, rps: .rtt.throughput, p50_us: .rtt.p50_us,
		p99_us: .rtt.p99_us, lost: .rtt.lost, client_cpu_pct: .rtt.cpu_busy_pct,
		server_cpu_pct: (.server_cpu_pct | r1), cpu_busy_pct: (.cpu.busy | r1)})) } end;
def delta($path): (($g1 | getpath($path)) // 0) - (($g0 | getpath($path)) // 0);
summary("chamelio") as $c | summary("kernel") as $k | summary("tight") as $tt |
($c.rps / $k.rps) as $ratio |
{ benchmark: "guest", mode: $mode, vcpus: $ncpu,
  config: { seconds: $t, rounds: $rounds, warmup_s: $warmup, inflight: $inflight,
	    size: $size, timeout_ms: $timeout,
	    clocksource: $clocksource },
  chamelio: ($c + { server: "guest_echo (AF_XDP, guest g1, tenant A, guest_udp)",
		    guest: { tx_packets: delta(["tx", "packets"]),
			     tx_drops: ($g1.tx.drops // {}), rx_packets: delta(["rx", "packets"]),
			     link: ($g1.link // null) },
		    echo_counters: $echo_stats }),
  kernel: ($k + { server: "socat -b \($size) UDP4-LISTEN:7,reuseaddr PIPE (netns k1, routed)" }),
  kernel_tight: (if $tt then $tt + { server: "udp_rtt -e (recvmmsg/sendmmsg, netns k1, routed)" } else null end),
  ratio_rps: ($ratio * 1000 | round / 1000),
  ratio_p99: ($c.p99_us / $k.p99_us * 1000 | round / 1000),
  ratio_rps_vs_tight: (if $tt then ($c.rps / $tt.rps * 1000 | round / 1000) else null end),
  # Per depth: one run each (the main depth: the medians above).
  sweep: ([$sweep[].inflight] + [$inflight] | unique | map(. as $d |
	if $d == $inflight then
		{ inflight: $d, chamelio: ($c | {rps, p50_us, p99_us}),
		  kernel: ($k | {rps, p50_us, p99_us}),
		  kernel_tight: (if $tt then $tt | {rps, p50_us, p99_us} else null end) }
	else
		[$sweep[] | select(.inflight == $d)] as $s |
		def one($p): [$s[] | select(.path == $p) | .rtt |
			{rps: .throughput, p50_us, p99_us, lost}][0];
		{ inflight: $d, chamelio: one("chamelio"), kernel: one("kernel"),
		  kernel_tight: one("tight") }
	end |
	. + { ratio_rps: (if .chamelio and .kernel then (.chamelio.rps / .kernel.rps * 1000 | round / 1000) else null end),
	      ratio_p99: (if .chamelio and .kernel then (.chamelio.p99_us / .kernel.p99_us * 1000 | round / 1000) else null end) })),
  target: { text: "chamelio rps >= 1.5x kernel (socat) rps, p99 no worse (icount)",
	    rps: ($ratio >= 1.5), p99: ($c.p99_us <= $k.p99_us),
	    pass: ($ratio >= 1.5 and $c.p99_us <= $k.p99_us) },
  runs: $runs }' >"$OUT/result.json"

#
# The table.
#

echo
echo "Guest UDP echo: a Chamelio guest (AF_XDP) against the kernel's UDP sockets, mode $MODE,"
if [ "$MODE" = icount ]; then
	echo "$NCPU vCPU: the client, the servers and all softirq work share it; a guest second is"
	echo "10^9 executed instructions (instructions, not cycles)."
elif [ "$NCPU" -ge 2 ]; then
	echo "$NCPU vCPUs, emulated time (TCG: compare within this run only); client on CPU 1, servers on CPU 0."
else
	echo "1 vCPU shared by the client, the servers and all softirq work; emulated time (TCG:"
	echo "host time spent emulating, noisy when the host is busy; compare within this run only)."
fi
echo "Closed loop, $INFLIGHT requests in flight, $SIZE-byte payload, $T s per run, median of $ROUNDS rounds."
echo "client%: the client's own CPU time (incl. softirq work in its context) over the run;"
echo "server%: the server process's; cpu%: all CPUs busy; insns/req: busy instructions per request."
fmt='%-28s %9s %8s %8s %8s %5s %7s %7s %5s %9s\n'
# shellcheck disable=SC2059
printf "$fmt" path req/s p50us p99us p99.9us lost client% server% cpu% insns/req
jq -r '
	def n: if . == null then "-" else tostring end;
	[["chamelio (guest_echo, AF_XDP)", .chamelio], ["kernel (socat)", .kernel],
	 ["kernel (udp_rtt -e, tight)", .kernel_tight]][] | select(.[1] != null) |
	[.[0], (.[1] | .rps, .p50_us, .p99_us, .p999_us, .lost, .client_cpu_pct,
		.server_cpu_pct, .cpu_busy_pct, .insns_per_req | n)] | @tsv' "$OUT/result.json" |
while IFS="$(printf '\t')" read -r p a b c d e f g h i; do
	# shellcheck disable=SC2059
	printf "$fmt" "$p" "$a" "$b" "$c" "$d" "$e" "$f" "$g" "$h" "$i"
done
echo
jq -r '"chamelio / kernel (socat): req/s x\(.ratio_rps), p99 x\(.ratio_p99)" +
	(if .ratio_rps_vs_tight then "; chamelio / tight kernel echo: req/s x\(.ratio_rps_vs_tight)" else "" end)' \
	"$OUT/result.json"
if [ -n "$SWEEP" ]; then
	echo
	echo "By requests in flight (one $T_SWEEP s run each; $INFLIGHT: the medians above):"
	fmt3='%8s | %9s %8s %8s | %9s %8s %8s | %9s %8s | %7s %7s\n'
	# shellcheck disable=SC2059
	printf "$fmt3" inflight "cham rps" p50us p99us "socat rps" p50us p99us "tight rps" p99us "rps x" "p99 x"
	jq -r '.sweep[] | def n: if . == null then "-" else tostring end;
		[.inflight, (.chamelio | .rps, .p50_us, .p99_us | n), (.kernel | .rps, .p50_us, .p99_us | n),
		 (.kernel_tight.rps | n), (.kernel_tight.p99_us | n), (.ratio_rps | n), (.ratio_p99 | n)] | @tsv' \
		"$OUT/result.json" |
	while IFS="$(printf '\t')" read -r a b c d e f g h i j k; do
		# shellcheck disable=SC2059
		printf "$fmt3" "$a" "$b" "$c" "$d" "$e" "$f" "$g" "$h" "$i" "$j" "$k"
	done
	echo
fi
jq -r '"guest g1 during the measured rounds: tx \(.chamelio.guest.tx_packets) frames, rx \(.chamelio.guest.rx_packets); tx drops (total) \(.chamelio.guest.tx_drops | tostring); guest_echo: \(.chamelio.echo_counters)"' \
	"$OUT/result.json"
jq -r '. as $r | .target | "\(if .pass then "PASS" else "FAIL" end): \(.text): " +
	"req/s x\($r.ratio_rps) (\(if .rps then "met" else "missed" end)), p99 x\($r.ratio_p99) (\(if .p99 then "met" else "missed" end))" +
	(if $m != "icount" then "; the target is for icount, this is \($m)" else "" end)' \
	--arg m "$MODE" "$OUT/result.json"
echo

echo "BENCH-JSON-BEGIN"
jq -cM . "$OUT/result.json"
echo "BENCH-JSON-END"
