# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers for the Chamelio selftests. Sourced by each test_*.sh, run
# by dash inside the VM (see scripts/vm.sh). Every check prints one
# line, "ok - what" or "not ok - what"; run.sh numbers and counts them.

set -u

CHAM=${CHAM:-/chamelio}
PATH=$CHAM/user/chamctl:$CHAM/selftests:$PATH
PIN=/sys/fs/bpf/chamelio
GUEST_PIN=/sys/fs/bpf/chamelio-guests
BPF=$CHAM/bpf
KO=$CHAM/kmod/chamelio.ko
failures=0

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; failures=$((failures + 1)); }
diag() { echo "# $*"; }

# check DESCRIPTION COMMAND...: one check that a command succeeds.
check() {
	local what="$1" out
	shift
	if out=$("$@" 2>&1); then
		ok "$what"
	else
		not_ok "$what"
		printf '%s\n' "$out" | sed 's/^/# /' | tail -n 20
	fi
}

# check_fails DESCRIPTION COMMAND...: one check that a command fails.
check_fails() {
	local what="$1" out
	shift
	if out=$("$@" 2>&1); then
		not_ok "$what (unexpectedly succeeded)"
		printf '%s\n' "$out" | sed 's/^/# /' | tail -n 5
	else
		ok "$what"
		printf '%s\n' "$out" | sed 's/^/# /' | tail -n 2
	fi
}

# check_errno DESCRIPTION MESSAGE COMMAND...: one check that a command
# fails and says MESSAGE, the strerror() text of the errno it must get
# ("Operation not permitted" for EPERM, ...).
check_errno() {
	local what="$1" msg="$2" out
	shift 2
	if out=$("$@" 2>&1); then
		not_ok "$what (unexpectedly succeeded)"
		printf '%s\n' "$out" | sed 's/^/# /' | tail -n 5
	elif printf '%s' "$out" | grep -q "$msg"; then
		ok "$what"
		printf '%s\n' "$out" | grep "$msg" | sed 's/^/# /' | tail -n 1
	else
		not_ok "$what (failed, but not with '$msg')"
		printf '%s\n' "$out" | sed 's/^/# /' | tail -n 5
	fi
}

# check_eq DESCRIPTION EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		diag "expected: $2"
		diag "actual:   $3"
	fi
}

# eventually DESCRIPTION COMMAND...: a check for a state the kernel reaches
# asynchronously (a removed BPF link is released from a workqueue).
eventually() {
	local what="$1" i
	shift
	for i in $(seq 50); do
		"$@" >/dev/null 2>&1 && { ok "$what"; return 0; }
		sleep 0.1
	done
	not_ok "$what"
}

# check_eventually_eq DESCRIPTION EXPECTED COMMAND...: like check_eq on
# the output of COMMAND, for a counter that packets still in flight update.
check_eventually_eq() {
	local what="$1" expected="$2" actual i
	shift 2
	for i in $(seq 50); do
		actual=$("$@")
		[ "$actual" = "$expected" ] && break
		sleep 0.1
	done
	check_eq "$what" "$expected" "$actual"
}

# wait_udp_listener NETNS PORT: until a UDP socket is bound to PORT in NETNS
# ("" for the root namespace): background servers take a moment to start.
wait_udp_listener() {
	local i
	for i in $(seq 50); do
		if [ -n "$1" ]; then
			ip netns exec "$1" ss -Huln "sport = :$2"
		else
			ss -Huln "sport = :$2"
		fi | grep -q . && return 0
		sleep 0.1
	done
	return 1
}

load_module() {
	lsmod | grep -q '^chamelio ' || insmod "$KO"
}

# The module can be unloaded only once the maps and programs that reference
# it are gone, and the BPF core frees those asynchronously: retry briefly.
unload_module() {
	local i
	for i in $(seq 50); do
		rmmod chamelio 2>/dev/null && return 0
		sleep 0.2
	done
	rmmod chamelio
}

# counter TENANT JQ-PATH: one counter of `chamctl -j stats TENANT`.
counter() {
	chamctl -j stats "$1" | jq -r "$2"
}

# counter_delta SNAPSHOT TENANT JQ-PATH: how much a counter grew since
# SNAPSHOT, an earlier `chamctl -j stats TENANT`.
counter_delta() {
	echo $(( $(counter "$2" "$3") - $(printf '%s' "$1" | jq "$3") ))
}

# check_accounting TENANT: every packet is in exactly one verdict counter,
# every drop under exactly one reason. A packet still being counted can
# show in one counter and not yet in the other, so allow it to land.
check_accounting() {
	check_eventually_eq "$1: packets = sum of verdicts" 0 \
		sh -c "chamctl -j stats $1 | jq '.packets - ([.verdicts[]] | add)'"
	check_eventually_eq "$1: drop verdicts = sum of drop reasons" 0 \
		sh -c "chamctl -j stats $1 | jq '.verdicts.drop - ([.drops[]] | add)'"
}

# The test network: the root namespace is the Chamelio host with port cham0
# (10.77.0.1, fd00:77::1); namespace "cl" is a client behind veth cl0.
HOST4=10.77.0.1
HOST6=fd00:77::1
CL4=10.77.0.2
CL6=fd00:77::2

setup_net() {
	ip netns add cl
	ip link add cham0 type veth peer name cl0
	ip link set cl0 netns cl
	ip addr add $HOST4/24 dev cham0
	ip addr add $HOST6/64 dev cham0 nodad
	ip link set cham0 up
	ip -n cl addr add $CL4/24 dev cl0
	ip -n cl addr add $CL6/64 dev cl0 nodad
	ip -n cl link set cl0 up
	ip -n cl link set lo up
	# veth delivers XDP_TX frames to a peer that runs XDP (see
	# progs/xdp_pass.bpf.c). And the client must put full checksums on
	# the wire, as through a real NIC: with offload, veth hands XDP a
	# partial checksum that an echo carries back and the client rejects.
	ip -n cl link set dev cl0 xdpdrv obj "$CHAM/selftests/progs/xdp_pass.bpf.o" sec xdp
	ip netns exec cl ethtool -K cl0 tx off >/dev/null
	# Static neighbours: no ARP or ND on the wire, so the counters the
	# tests compare see only the tests' own frames.
	ip neigh replace $CL4 lladdr "$(mac_of cl cl0)" dev cham0 nud permanent
	ip neigh replace $CL6 lladdr "$(mac_of cl cl0)" dev cham0 nud permanent
	ip -n cl neigh replace $HOST4 lladdr "$(mac_of "" cham0)" dev cl0 nud permanent
	ip -n cl neigh replace $HOST6 lladdr "$(mac_of "" cham0)" dev cl0 nud permanent
}

# mac_of NETNS IFNAME ("" for the root namespace)
mac_of() {
	ip ${1:+-n "$1"} link show "$2" | awk '/link\/ether/ {print $2}'
}

cleanup_net() {
	ip link del cham0 2>/dev/null
	ip netns del cl 2>/dev/null
	true
}

# udp_ask ADDR PORT MESSAGE: send one datagram from the client namespace
# with the kernel's UDP socket (socat) and print the reply, which must be as
# long as the message. Returns as soon as it arrives; gives up after 3 s.
udp_ask() {
	udp_ask_n "$1" "$2" "$3" "${#3}"
}

# udp_ask_n ADDR PORT MESSAGE LENGTH: like udp_ask, for a reply of LENGTH
# bytes.
udp_ask_n() {
	local addr=$1 reply
	case $addr in *:*) addr="[$addr]" ;; esac
	reply=$(mktemp)
	CHAM_MSG=$3 CHAM_REPLY_LEN=$4 CHAM_REPLY=$reply ip netns exec cl \
		socat -T3 -t0.1 "UDP:$addr:$2" \
		EXEC:"$CHAM/selftests/udp_exchange.sh" 2>/dev/null
	cat "$reply"
	rm -f "$reply"
}

# udp_ask_any PORT MESSAGE: like udp_ask to $HOST4, but the client's socket
# (10.77.0.2:40001) is not connected: it takes a reply from any source
# address, so a reply a handler sends from a spoofed address would be seen.
udp_ask_any() {
	local reply
	reply=$(mktemp)
	CHAM_MSG=$2 CHAM_REPLY=$reply ip netns exec cl socat -T2 -t0.1 \
		"UDP4-DATAGRAM:$HOST4:$1,bind=$CL4:40001" \
		EXEC:"$CHAM/selftests/udp_exchange.sh" 2>/dev/null
	cat "$reply"
	rm -f "$reply"
}

# setup_server: namespace sv behind a second veth, cham1 (not yet a port),
# holding the address the client sends to, so that a datagram a tenant
# relays there is the server's own.
setup_server() {
	ip netns add sv
	ip link add cham1 type veth peer name sv0
	ip link set sv0 netns sv
	ip link set cham1 up
	ip -n sv addr add $HOST4/24 dev sv0
	ip -n sv link set sv0 up
	# veth delivers XDP_REDIRECTed frames only to a peer with XDP.
	ip -n sv link set dev sv0 xdpdrv obj "$CHAM/selftests/progs/xdp_pass.bpf.o" sec xdp
}

# as_uid UID COMMAND...: COMMAND as an unprivileged user, without any
# capability (uid and gid UID, no supplementary groups).
as_uid() {
	local uid=$1
	shift
	setpriv --reuid="$uid" --regid="$uid" --clear-groups --inh-caps=-all "$@"
}

# Reset everything a test may leave behind, so tests are independent.
reset_state() {
	[ -n "${serve_pid:-}" ] && kill "$serve_pid" 2>/dev/null
	pkill socat 2>/dev/null
	rm -f /tmp/stop_traffic
	ip link del cham1 2>/dev/null
	ip netns del sv 2>/dev/null
	# Guests (test_45_guest): their processes, then the guests (a tenant
	# with guests cannot be deleted), then their namespaces.
	if [ -f "$GUEST_PIDS" ]; then
		# shellcheck disable=SC2046 # one pid per line
		kill -9 $(cat "$GUEST_PIDS") 2>/dev/null
		rm -f "$GUEST_PIDS"
	fi
	for g in $(chamctl -j guest show 2>/dev/null | jq -r '.[].name'); do
		chamctl guest del "$g" >/dev/null 2>&1
	done
	for ns in $GUEST_NETNS; do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$PIN"
	for t in $(chamctl -j tenant show 2>/dev/null | jq -r '.[].name'); do
		chamctl tenant del "$t"
	done
	chamctl port detach cham0 >/dev/null 2>&1
	chamctl config set accounting on enforcement on contention 10ms
	cleanup_net
}

finish() {
	[ "$failures" -eq 0 ]
	exit $?
}

# ---- the burner adversary (bpf/burner.bpf.c) ---------------------------------

# burner_config_map TENANT: the id of the burner_config map of the burner
# protocol registered for TENANT (each registration has its own map).
burner_config_map() {
	local prog map
	prog=$(chamctl -j tenant show "$1" |
		jq '.proto.handlers[]? | select(.name == "rx") | .prog_id')
	[ -n "$prog" ] || return 1
	for map in $(bpftool -j prog show id "$prog" | jq '.map_ids[]?'); do
		if [ "$(bpftool -j map show id "$map" | jq -r .name)" = burner_config ]; then
			echo "$map"
			return 0
		fi
	done
	return 1
}

# burner_le_bytes VALUE N: VALUE as N little-endian bytes, for bpftool.
burner_le_bytes() {
	local v=$1 i=0
	while [ $i -lt "$2" ]; do
		printf '%d ' $((v & 255))
		v=$((v >> 8))
		i=$((i + 1))
	done
}

# burner_configure TENANT SPIN_NS ECHO: TENANT's burner spins SPIN_NS per
# packet, then drops it (ECHO 0) or echoes it (ECHO 1, UDP).
burner_configure() {
	local map
	map=$(burner_config_map "$1") || return 1
	# shellcheck disable=SC2046 # the bytes are separate words
	bpftool map update id "$map" key 0 0 0 0 \
		value $(burner_le_bytes "$2" 8) $(burner_le_bytes "$3" 4) 0 0 0 0
}

# ---- guests over AF_XDP (test_45_guest) --------------------------------------

GUEST_BIN=$CHAM/user/guest
# The namespaces the guests live in, and the pids of the guest processes
# started with guest_start: reset_state removes both.
GUEST_NETNS="ga1 ga2 gb1 gb2 gc1"
GUEST_PIDS=/tmp/cham_guest_pids

# in_guest NETNS COMMAND...: COMMAND in network namespace NETNS, with the
# root namespace's mounts (ip netns exec remounts /sys and so hides the
# guests' pinned maps under /sys/fs/bpf).
in_guest() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" "$@"
}

# guest_start OUTFILE NETNS COMMAND...: COMMAND in the background in
# NETNS, stdout and stderr to OUTFILE; its pid in $guest_pid (and in
# $GUEST_PIDS for reset_state).
guest_start() {
	local out=$1 ns=$2
	shift 2
	nsenter --net="/run/netns/$ns" "$@" >"$out" 2>&1 &
	guest_pid=$!
	echo "$guest_pid" >>"$GUEST_PIDS"
}

# guest_json NAME: the guest's object in chamctl -j guest show.
guest_json() {
	chamctl -j guest show | jq -c --arg n "$1" '.[] | select(.name == $n)'
}

# gcounter NAME JQ-PATH: one value of the guest's object (0 if absent).
gcounter() {
	guest_json "$1" | jq -r "$2 // 0"
}

# gcounter_delta SNAPSHOT NAME JQ-PATH: how much a guest's counter grew
# since SNAPSHOT, an earlier guest_json NAME.
gcounter_delta() {
	echo $(( $(gcounter "$2" "$3") - $(printf '%s' "$1" | jq "$3 // 0") ))
}

# check_guest_accounting NAME: every frame the guest sent is in exactly one
# verdict counter, every drop under exactly one reason.
check_guest_accounting() {
	check_eventually_eq "guest $1: tx packets = sum of tx verdicts" 0 \
		sh -c "chamctl -j guest show | jq --arg n $1 '.[] | select(.name == \$n) |
			.tx.packets - ([.tx.verdicts[]] | add // 0)'"
	check_eventually_eq "guest $1: tx drop verdicts = sum of drop reasons" 0 \
		sh -c "chamctl -j guest show | jq --arg n $1 '.[] | select(.name == \$n) |
			(.tx.verdicts.drop // 0) - ([.tx.drops[]] | add // 0)'"
}

# udp_stat NETNS FIELD: a counter of the Udp: (or, for FIELD Udp6...,
# the IPv6) section of the namespace's /proc/net/snmp.
udp_stat() {
	case $2 in
	Udp6*)
		ip netns exec "$1" awk -v f="$2" '$1 == f {print $2}' /proc/net/snmp6 ;;
	*)
		ip netns exec "$1" awk -v f="$2" '
			$1 == "Udp:" && !names { for (i = 2; i <= NF; i++) col[$i] = i; names = 1; next }
			$1 == "Udp:" { print $col[f] }' /proc/net/snmp ;;
	esac
}

# setup_client_vlan VID: VLAN VID on the client's link (setup_net first):
# cl0.VID in namespace cl holds 10.77.VID.2 and fd00:77:VID::2, and reaches
# 10.77.VID.1 and fd00:77:VID::1 at cham0's address, where tagged frames
# arrive untouched (the host has no VLAN device: a tenant answers them).
# Sets VLAN4 and VLAN6 to those host addresses.
setup_client_vlan() {
	VLAN4=10.77.$1.1
	VLAN6=fd00:77:$1::1
	ip -n cl link add link cl0 name "cl0.$1" type vlan id "$1" || return 1
	# The tag in the frame, as a NIC puts it on the wire: veth's VLAN
	# offload would hand it to XDP outside the frame.
	ip netns exec cl ethtool -K cl0 txvlan off >/dev/null 2>&1
	ip -n cl addr add "10.77.$1.2/24" dev "cl0.$1"
	ip -n cl addr add "fd00:77:$1::2/64" dev "cl0.$1" nodad
	ip -n cl link set "cl0.$1" up
	ip -n cl neigh replace "$VLAN4" lladdr "$(mac_of "" cham0)" dev "cl0.$1" nud permanent
	ip -n cl neigh replace "$VLAN6" lladdr "$(mac_of "" cham0)" dev "cl0.$1" nud permanent
}

# ---- chamctl monitor -----------------------------------------------------------

# A monitor has joined a multicast group once a generic netlink socket
# shows one (/proc/net/netlink lists the first 32 groups).
monitor_joined() {
	awk 'NR > 1 && $2 == 16 && $4 != "00000000" { found = 1 } END { exit !found }' \
		/proc/net/netlink
}

# monitor_start FILE ARGS...: chamctl ARGS (e.g. -j monitor proto count 1)
# in the background, output to FILE, $monitor its pid; returns once it
# listens, so that no change made after it is missed.
monitor_start() {
	local out=$1 i=0
	shift
	: >"$out"
	chamctl "$@" >"$out" 2>&1 &
	monitor=$!
	while [ $i -lt 50 ] && ! monitor_joined; do sleep 0.1; i=$((i + 1)); done
	monitor_joined || { diag "cannot see the monitor join its group; waiting 2s"; sleep 2; }
}

# monitor_stop: ends the monitor started last (a background job of a
# script ignores SIGINT).
monitor_stop() {
	kill "$monitor" 2>/dev/null
	wait "$monitor" 2>/dev/null
	true
}
