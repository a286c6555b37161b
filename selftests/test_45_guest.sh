#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guests over AF_XDP (Documentation/design.md, "Guests"): tenants A and B
# have two guests each, every guest in a network namespace of its own,
# attached to the module by a veth pair (chamctl guest add) and served by a
# process of its own (guest_echo, guest_client: libchamguest). Real Linux
# peers in namespace cl talk to them through port cham0, bridged-VM style
# (static neighbours map the guests' addresses to their MACs). Checked:
# echoes both ways over IPv4 and IPv6 with checksums verified by Linux;
# each guest sees only its own traffic; guest to guest within a tenant,
# not across tenants, not even for a protocol that tries (guest_steal);
# spoofed sources, malformed frames and frames without a tx handler are
# dropped and counted; a process attaches only to its own guest; guests
# and processes come and go and protocols are replaced under a flood, and
# every frame stays accounted; in the end the module unloads.
# shellcheck disable=SC2154 # echo_<GUEST>: set by start_echo, through eval
. ./lib.sh

UA=1001	# owns tenant A
UB=1002	# owns tenant B
A1_4=10.77.1.11 A1_6=fd00:77:1::11
A2_4=10.77.1.12 A2_6=fd00:77:1::12
B1_4=10.77.2.11 B1_6=fd00:77:2::11
B2_4=10.77.2.12 B2_6=fd00:77:2::12
C1_4=10.77.3.11
A2_MAC=02:47:00:00:01:12
ECHO=$GUEST_BIN/guest_echo
CLIENT=$GUEST_BIN/guest_client
# The real setpriv: busybox nsenter would run its own applet of that name.
SETPRIV=$(command -v setpriv)

# owner_cmd UID: the words that run a command as UID with only the
# capability a guest process needs besides the pinned map's permission:
# CAP_NET_RAW, for the AF_XDP socket. After nsenter, which needs root.
owner_cmd() {
	echo "$SETPRIV --reuid=$1 --regid=$1 --clear-groups" \
		"--inh-caps=-all,+net_raw --ambient-caps=-all,+net_raw"
}

# client_as UID NETNS ARGS...: guest_client --json ARGS in NETNS, as UID
# ("" for root); prints what the checks compare: "received=R lost=L bad=B
# status=S". client NETNS ARGS...: the same as root.
client_as() {
	local uid=$1 ns=$2 out status
	shift 2
	# shellcheck disable=SC2046 # owner_cmd's words
	out=$(in_guest "$ns" ${uid:+$(owner_cmd "$uid")} "$CLIENT" --json "$@" 2>/tmp/client.err)
	status=$?
	if ! printf '%s' "$out" | jq -e -r --arg s "$status" \
		'"received=\(.received) lost=\(.lost) bad=\(.bad) status=\($s)"' 2>/dev/null; then
		echo "no JSON, status $status: $(cat /tmp/client.err)"
	fi
	[ -s /tmp/client.err ] && sed 's/^/# client: /' /tmp/client.err >&2
	return 0
}
client() {
	client_as "" "$@"
}

# start_echo GUEST NETNS [UID]: guest_echo for GUEST in NETNS (as UID),
# its pid in echo_<GUEST>; checks that it attached.
start_echo() {
	local g=$1 ns=$2 uid=${3:-}
	# shellcheck disable=SC2046 # owner_cmd's words
	guest_start "/tmp/echo_$g.out" "$ns" ${uid:+$(owner_cmd "$uid")} "$ECHO" --guest "$g"
	eval "echo_$g=$guest_pid"
	eventually "guest_echo attaches to $g${uid:+ (as uid $uid)}" \
		grep -q attached "/tmp/echo_$g.out"
}

# rx_all: per guest, its frames delivered by the module (rx packets) and
# handed to its socket (link to_socket): {"a1": [RX, TO_SOCKET], ...}.
rx_all() {
	chamctl -j guest show |
		jq -c '[.[] | {(.name): [.rx.packets, (.link.to_socket // 0)]}] | add'
}
# rx_moved BEFORE: how far they moved since BEFORE, an earlier rx_all:
# "a1=RX/TO_SOCKET a2=...".
rx_moved() {
	jq -n -r --argjson a "$1" --argjson b "$(rx_all)" \
		'[$a | keys[] as $g | "\($g)=\($b[$g][0] - $a[$g][0])/\($b[$g][1] - $a[$g][1])"] | join(" ")'
}

# advancing GUEST: its delivered frames grow over half a second.
advancing() {
	local before after
	before=$(gcounter "$1" .rx.packets)
	sleep 0.5
	after=$(gcounter "$1" .rx.packets)
	[ "$after" -gt "$before" ]
}

steal_set() { # steal_set GUEST-ID: guest_steal's target
	# shellcheck disable=SC2046 # the bytes are separate words
	bpftool map update name steal_target key 0 0 0 0 value $(burner_le_bytes "$1" 4)
}
steal_result() { # the last bpf_cham_redirect_guest() return value
	bpftool -j map lookup name steal_target key 1 0 0 0 |
		jq -r '.formatted.value // (.value | join(" "))'
}

load_module
reset_state
setup_net
mkdir -p "$PIN"
CL_MAC=$(mac_of cl cl0)
chamctl port attach cham0 >/dev/null

# ---- the topology -----------------------------------------------------------

check "tenant A, owned by uid $UA" chamctl tenant add A id 1 owner $UA
check "tenant B, owned by uid $UB" chamctl tenant add B id 2 owner $UB
check "tenant C, owned by root" chamctl tenant add C id 3
for r in "A dst 10.77.1.0/24" "A dst fd00:77:1::/64" "B dst 10.77.2.0/24" \
	"B dst fd00:77:2::/64" "C dst 10.77.3.0/24"; do
	# shellcheck disable=SC2086 # the words are the rule
	check "rule $r" chamctl rule add $r
done
check "A sends out of cham0" chamctl tenant set A ports cham0
check "B sends out of cham0" chamctl tenant set B ports cham0
check "guest_udp loads for A" chamctl proto load "$BPF/guest_udp.bpf.o" tenant A
check "guest_udp loads for B" chamctl proto load "$BPF/guest_udp.bpf.o" tenant B

for ns in $GUEST_NETNS; do
	ip netns add "$ns"
done
links_before=$(ip -o link show | grep -c ' chg')
check "guest a1 (tenant A, netns by name, random MAC)" \
	chamctl guest add a1 tenant A netns ga1 addr $A1_4/32 $A1_6/128
check "guest a2 (MAC given)" \
	chamctl guest add a2 tenant A netns ga2 mac $A2_MAC addr $A2_4/32 $A2_6/128
check "guest b1 (tenant B, netns by path)" \
	chamctl guest add b1 tenant B netns /run/netns/gb1 addr $B1_4/32 $B1_6/128
ip netns exec gb2 sleep 300 &
holder=$!
echo $holder >>"$GUEST_PIDS"
# Wait until it is in gb2: the background ip enters it a moment later.
eventually "a process holds netns gb2" sh -c \
	"[ \"\$(stat -L -c %i /proc/$holder/ns/net)\" = \"\$(stat -L -c %i /run/netns/gb2)\" ]"
check "guest b2 (netns by pid)" \
	chamctl guest add b2 tenant B netns $holder addr $B2_4/32 $B2_6/128
kill $holder
check "guest c1 (tenant C, interface eth0)" \
	chamctl guest add c1 tenant C netns gc1 ifname eth0 addr $C1_4/32
check_eq "guest show lists the guests with ids and tenants" \
	'["a1 1 A","a2 2 A","b1 3 B","b2 4 B","c1 5 C"]' \
	"$(chamctl -j guest show | jq -c '[.[] | "\(.name) \(.id) \(.tenant)"] | sort')"
check_eq "a1's addresses" '["10.77.1.11/32","fd00:77:1::11/128"]' \
	"$(gcounter a1 .addrs | jq -c .)"
check_eq "a2 has the MAC it was given" $A2_MAC "$(gcounter a2 .mac)"
A1_MAC=$(gcounter a1 .mac)
B1_MAC=$(gcounter b1 .mac)
check "a1's random MAC is locally administered unicast" \
	sh -c "case $A1_MAC in ?[26ae]:*) true ;; *) false ;; esac"
check_eq "five host-side links" $((links_before + 5)) "$(ip -o link show | grep -c ' chg')"

# Each link: host side chg<ID> with the provider program, guest side in
# its namespace with the guest's MAC and cham_guest, IPv6 off on both.
cham_xdp=$(ip -j -d link show cham0 | jq '.[0].xdp.prog.id')
xdp_name() { # xdp_name NETNS IFNAME ("" for the root namespace)
	bpftool -j prog show id "$(ip ${1:+-n "$1"} -j -d link show "$2" | jq '.[0].xdp.prog.id')" |
		jq -r .name
}
for g in "a1 ga1 a1" "b2 gb2 b2" "c1 gc1 eth0"; do
	# shellcheck disable=SC2086 # guest, netns, interface
	set -- $g
	id=$(gcounter "$1" .id)
	check_eq "$1: host side is chg$id" "chg$id" "$(gcounter "$1" .ifname)"
	check_eq "$1: chg$id runs the provider program" \
		"$(bpftool -j prog show id "$cham_xdp" | jq -r .name)" "$(xdp_name "" "chg$id")"
	check_eq "$1: the guest side $3 runs cham_guest" cham_guest "$(xdp_name "$2" "$3")"
	check_eq "$1: the guest side has the guest's MAC" "$(gcounter "$1" .mac)" "$(mac_of "$2" "$3")"
	check_eq "$1: IPv6 is off on both sides" "1 1" \
		"$(cat "/proc/sys/net/ipv6/conf/chg$id/disable_ipv6") $(ip netns exec "$2" cat /proc/sys/net/ipv6/conf/"$3"/disable_ipv6)"
done
check_eq "a1's pins: dir root 711, xsks uid $UA 600, counters root 444" "0 711 $UA 600 0 444" \
	"$(stat -c '%u %a' "$GUEST_PIN/a1" "$GUEST_PIN/a1/xsks" "$GUEST_PIN/a1/counters" | tr '\n' ' ' | sed 's/ $//')"
check_eq "b1's xsks belongs to uid $UB" "$UB 600" "$(stat -c '%u %a' "$GUEST_PIN/b1/xsks")"
check_eq "c1's xsks belongs to root" "0 600" "$(stat -c '%u %a' "$GUEST_PIN/c1/xsks")"

check_errno "a second guest named a1: EEXIST" "File exists" \
	chamctl guest add a1 tenant A netns ga2 ifname x1 addr 10.77.1.99/32
check_errno "a guest of a tenant that does not exist: ENOENT" "No such file" \
	chamctl guest add z1 tenant nosuch netns ga2
check_eq "failed adds leave no link behind" $((links_before + 5)) \
	"$(ip -o link show | grep -c ' chg')"
check_errno "a tenant with guests cannot be deleted: EBUSY" "Device or resource busy" \
	chamctl tenant del C
check_errno "a tenant with guests keeps its owner (the pins are the owner's): EBUSY" \
	"Device or resource busy" chamctl tenant set A owner $UB
check_errno "a guest address another guest has: EEXIST" "overlaps an address of guest a1" \
	chamctl guest add z2 tenant A netns ga2 ifname x2 addr 10.77.1.0/24
check_errno "a broadcast guest address: EINVAL" "Invalid argument" \
	chamctl guest add z3 tenant A netns ga2 ifname x3 addr 255.255.255.255/32
check_errno "a guest in chamctl's own namespace is refused" "needs a namespace of its own" \
	chamctl guest add z4 tenant A netns /proc/self/ns/net ifname x4
check_eq "uid $UA sees only the guests of its tenant" '["a1","a2"]' \
	"$(as_uid $UA chamctl -j guest show | jq -c '[.[].name] | sort')"

# The client's side: the guests' prefixes are on cl0's link, each address
# at its guest's MAC, as for VMs bridged onto the network.
ip -n cl route add 10.77.1.0/24 dev cl0
ip -n cl route add 10.77.2.0/24 dev cl0
ip -n cl route add 10.77.3.0/24 dev cl0
ip -n cl -6 route add fd00:77:1::/64 dev cl0
ip -n cl -6 route add fd00:77:2::/64 dev cl0
for g in a1 a2 b1 b2 c1; do
	mac=$(gcounter $g .mac)
	for addr in $(gcounter $g '.addrs[]' | sed 's|/.*||'); do
		ip -n cl neigh replace "$addr" lladdr "$mac" dev cl0 nud permanent
	done
done

# ---- processes attach to their own guests only --------------------------------

start_echo a2 ga2
start_echo b1 gb1 $UB
start_echo b2 gb2
check_errno "a process in ga1 cannot attach to a2 (no interface a2 there)" \
	"guest a2 has no interface a2 in this network namespace" \
	in_guest ga1 "$ECHO" --guest a2
# shellcheck disable=SC2046 # owner_cmd's words
check_errno "uid $UA cannot attach to b1 (tenant B is uid $UB's)" \
	"guest b1 belongs to a tenant this user does not own" \
	in_guest gb1 $(owner_cmd $UA) "$ECHO" --guest b1
check_errno "no process attaches to a guest that does not exist" \
	"no guest nosuch on this host" in_guest ga1 "$ECHO" --guest nosuch
check_errno "a second process cannot take over a2" "already attached" \
	in_guest ga2 "$ECHO" --guest a2

# ---- a guest's client and Linux servers -------------------------------------

ip netns exec cl socat UDP6-RECVFROM:7700,fork,ipv6only=0 PIPE 2>/dev/null &
server=$!
wait_udp_listener cl 7700
before=$(guest_json a1)
rx_before=$(rx_all)
check_eq "guest_client in a1 (uid $UA) gets echoes from a Linux server, IPv4" \
	"received=20 lost=0 bad=0 status=0" \
	"$(client_as $UA ga1 --guest a1 --src $A1_4 --dst $CL4 \
		--gw-mac "$CL_MAC" --dport 7700 --count 20 --inflight 4 --timeout-ms 3000)"
check_eq "... and IPv6" "received=20 lost=0 bad=0 status=0" \
	"$(client ga1 --guest a1 --src $A1_6 --dst $CL6 \
		--gw-mac "$CL_MAC" --dport 7700 --count 20 --inflight 4 --timeout-ms 3000)"
check_eq "a1 sent 40 frames toward the network (tx verdicts)" 40 \
	"$(gcounter_delta "$before" a1 .tx.verdicts.tx)"
check_eq "a1 got 40 replies" 40 "$(gcounter_delta "$before" a1 .rx.packets)"
check_eq "the other guests got none of them" "a2=0/0 b1=0/0 b2=0/0 c1=0/0" \
	"$(rx_moved "$rx_before" | sed 's/a1=[^ ]* //')"

# Guest to guest within A: straight from a1's link into a2's (REDIRECT).
before=$(guest_json a1)
a2_before=$(guest_json a2)
rx_before=$(rx_all)
check_eq "a1 gets echoes from a2 (same tenant), IPv4" "received=20 lost=0 bad=0 status=0" \
	"$(client ga1 --guest a1 --src $A1_4 --dst $A2_4 --gw-mac $A2_MAC \
		--count 20 --inflight 4 --timeout-ms 3000)"
check_eq "... and IPv6" "received=10 lost=0 bad=0 status=0" \
	"$(client ga1 --guest a1 --src $A1_6 --dst $A2_6 --gw-mac $A2_MAC \
		--count 10 --inflight 2 --timeout-ms 3000)"
check_eq "a1's requests were redirected to a2" 30 "$(gcounter_delta "$before" a1 .tx.verdicts.redirect)"
check_eq "a2's echoes were redirected to a1" 30 "$(gcounter_delta "$a2_before" a2 .tx.verdicts.redirect)"
check_eq "only a1 and a2 received (rx packets/to_socket)" "a1=30/30 a2=30/30 b1=0/0 b2=0/0 c1=0/0" \
	"$(rx_moved "$rx_before")"

# Across tenants: A's protocol finds no guest of A at b1's address and
# sends the frame toward the network, where nobody has b1's MAC.
before=$(guest_json a1)
rx_before=$(rx_all)
check_eq "a1 gets nothing from b1 (tenant B)" "received=0 lost=5 bad=0 status=0" \
	"$(client ga1 --guest a1 --src $A1_4 --dst $B1_4 --gw-mac "$B1_MAC" \
		--count 5 --timeout-ms 300 --allow-loss)"
check_eq "nothing reached any guest but a1's own link" "a1=0/0 a2=0/0 b1=0/0 b2=0/0 c1=0/0" \
	"$(rx_moved "$rx_before")"
check_eq "a1's frames for b1 left toward the network" 5 "$(gcounter_delta "$before" a1 .tx.verdicts.tx)"

# Spoofing: a1 sends as a2, as b1 and as the host.
before=$(guest_json a1)
cl_udp=$(udp_stat cl InDatagrams)
cl_udp6=$(udp_stat cl Udp6InDatagrams)
for src in "$A2_4 $CL4" "$B1_6 $CL6" "$HOST4 $CL4"; do
	# shellcheck disable=SC2086 # source, destination
	set -- $src
	check_eq "a1 sending as $1: nothing comes back" "received=0 lost=3 bad=0 status=0" \
		"$(client ga1 --guest a1 --src "$1" --dst "$2" --gw-mac "$CL_MAC" \
			--dport 7700 --count 3 --timeout-ms 300 --allow-loss)"
done
check_eq "a1's spoofed frames: dropped as guest_source" 9 \
	"$(gcounter_delta "$before" a1 .tx.drops.guest_source)"
check_eq "... and none went out" 0 "$(gcounter_delta "$before" a1 .tx.verdicts.tx)"
check_eq "the Linux server saw none of them" "0 0" \
	"$(($(udp_stat cl InDatagrams) - cl_udp)) $(($(udp_stat cl Udp6InDatagrams) - cl_udp6))"
kill $server 2>/dev/null

# ---- Linux clients and the guests' echo servers -------------------------------

start_echo a1 ga1 $UA
csum_before="$(udp_stat cl InCsumErrors) $(udp_stat cl Udp6InCsumErrors)"
for g in "a1 $A1_4 $A1_6" "a2 $A2_4 $A2_6" "b1 $B1_4 $B1_6" "b2 $B2_4 $B2_6"; do
	# shellcheck disable=SC2086 # guest, IPv4 and IPv6 address
	set -- $g
	rx_before=$(rx_all)
	check_eq "a Linux client gets $1's echo over IPv4" "hello $1" "$(udp_ask "$2" 7000 "hello $1")"
	check_eq "a Linux client gets $1's echo over IPv6" "hello v6 $1" "$(udp_ask "$3" 7000 "hello v6 $1")"
	check_eventually_eq "only $1 received them" \
		"$(echo "a1=0/0 a2=0/0 b1=0/0 b2=0/0 c1=0/0" | sed "s|$1=0/0|$1=2/2|")" \
		rx_moved "$rx_before"
done
a1_before=$(guest_json a1)
i=0
while [ $i -lt 8 ]; do
	udp_ask $A1_4 7001 "$(printf 'm%03d' $i)" >/dev/null
	udp_ask $A1_6 7001 "$(printf 'v%03d' $i)" >/dev/null
	i=$((i + 1))
done
check_eq "a1 echoed all 16 datagrams toward the network" 16 \
	"$(gcounter_delta "$a1_before" a1 .tx.verdicts.tx)"
# Ethernet 14 + IPv4 20 / IPv6 40 + UDP 8 + 4 bytes.
check_eq "a1's rx bytes are the frames' bytes" $((8 * 46 + 8 * 66)) \
	"$(gcounter_delta "$a1_before" a1 .rx.bytes)"
check_eq "no UDP checksum errors in the client namespace (IPv4, IPv6)" "$csum_before" \
	"$(udp_stat cl InCsumErrors) $(udp_stat cl Udp6InCsumErrors)"
check_accounting A
check_accounting B

# ---- bad frames from a guest --------------------------------------------------

# cham_frames sends its table of malformed and edge-case frames on a2's own
# interface, from inside ga2: the malformed ones are guest_malformed (with
# their parse error), the well-formed ones do not carry a2's MAC, source
# address or no VLAN tag (guest_source). None may reach the handler.
expect=$(cham_frames expect)
expected() { printf '%s\n' "$expect" | awk -v r="$1" '$1 == r {print $2}'; }
malformed=$(printf '%s\n' "$expect" | awk '$1 != "classified" {n += $2} END {print n}')
total=$(printf '%s\n' "$expect" | awk '{n += $2} END {print n}')
before=$(guest_json a2)
a_before=$(chamctl -j stats A)
check "cham_frames sends its frames from inside ga2" \
	ip netns exec ga2 cham_frames send a2 "$CL_MAC"
check_eventually_eq "a2 sent $total frames" "$total" gcounter_delta "$before" a2 .tx.packets
for r in trunc_l2 vlan_depth trunc_l3 bad_l3 ext_depth fragment trunc_l4 not_ip \
	bad_l3_csum bad_l4_len; do
	check_eq "a2's $r frames counted" "$(expected $r)" \
		"$(gcounter_delta "$before" a2 .tx.parse_errors.$r)"
done
check_eq "a2's malformed frames dropped as guest_malformed" "$malformed" \
	"$(gcounter_delta "$before" a2 .tx.drops.guest_malformed)"
check_eq "a2's well-formed foreign frames dropped as guest_source" "$(expected classified)" \
	"$(gcounter_delta "$before" a2 .tx.drops.guest_source)"
check_eq "none was passed, sent or redirected" "0 0 0" \
	"$(gcounter_delta "$before" a2 .tx.verdicts.pass) $(gcounter_delta "$before" a2 .tx.verdicts.tx) $(gcounter_delta "$before" a2 .tx.verdicts.redirect)"
check_eq "A's handler saw none of them" 0 "$(counter_delta "$a_before" A .handler_calls)"
check_eq "A counts the parse errors too" "$malformed" \
	"$(( $(counter A '[.parse_errors[]] | add') - $(printf '%s' "$a_before" | jq '[.parse_errors[]] | add') ))"
check_guest_accounting a2

# ---- a tenant without a tx handler; a protocol that reaches for another
# ---- tenant's guests ---------------------------------------------------------

before=$(guest_json c1)
check_eq "c1 (tenant C has no protocol): no reply" "received=0 lost=3 bad=0 status=0" \
	"$(client gc1 --guest c1 --ifname eth0 --src $C1_4 --dst $CL4 \
		--gw-mac "$CL_MAC" --count 3 --timeout-ms 300 --allow-loss)"
check_eq "... dropped as no_handler" 3 "$(gcounter_delta "$before" c1 .tx.drops.no_handler)"
check "udp_echo (rx only) loads for C" chamctl proto load "$BPF/udp_echo.bpf.o" tenant C
before=$(guest_json c1)
check_eq "c1 (tenant C runs udp_echo): no reply" "received=0 lost=3 bad=0 status=0" \
	"$(client gc1 --guest c1 --ifname eth0 --src $C1_4 --dst $CL4 \
		--gw-mac "$CL_MAC" --count 3 --timeout-ms 300 --allow-loss)"
check_eq "... dropped as no_handler" 3 "$(gcounter_delta "$before" c1 .tx.drops.no_handler)"
check_eq "... without calling udp_echo" 0 "$(gcounter_delta "$before" c1 .tx.verdicts.tx)"

check "guest_steal replaces udp_echo for C" chamctl proto replace C "$CHAM/selftests/progs/guest_steal.bpf.o"
c1_id=$(gcounter c1 .id)
b1_id=$(gcounter b1 .id)
a1_id=$(gcounter a1 .id)
steal_set "$c1_id"
before=$(guest_json c1)
printf 'to c1' | ip netns exec cl socat -u - UDP:$C1_4:7000
check_eventually_eq "guest_steal delivers to C's own guest c1 (no socket there)" 1 \
	gcounter_delta "$before" c1 .link.no_socket
check_eq "... counted as delivered to c1" 1 "$(gcounter_delta "$before" c1 .rx.packets)"
check_eq "... bpf_cham_redirect_guest returned 0" 0 "$(steal_result)"
steal_set "$b1_id"
c_before=$(chamctl -j stats C)
rx_before=$(rx_all)
printf 'to b1' | ip netns exec cl socat -u - UDP:$C1_4:7000
check_eventually_eq "guest_steal aimed at b1 (tenant B): port_not_allowed" 1 \
	counter_delta "$c_before" C .drops.port_not_allowed
check_eq "... bpf_cham_redirect_guest returned -EPERM" -1 "$(steal_result)"
steal_set "$a1_id"
before=$(guest_json c1)
check_eq "c1's frames aimed at a1 (tenant A): no reply" "received=0 lost=3 bad=0 status=0" \
	"$(client gc1 --guest c1 --ifname eth0 --src $C1_4 --dst $A1_4 \
		--gw-mac "$A1_MAC" --count 3 --timeout-ms 300 --allow-loss)"
check_eq "... dropped as port_not_allowed" 3 "$(gcounter_delta "$before" c1 .tx.drops.port_not_allowed)"
check_eq "neither b1 nor a1 received anything" "a1=0/0 a2=0/0 b1=0/0 b2=0/0" \
	"$(rx_moved "$rx_before" | sed 's/ c1=[^ ]*//')"
check_accounting C
check_guest_accounting c1

# ---- guests, processes and protocols come and go under a flood -----------------

ip netns exec cl socat -u -b 64 /dev/zero "UDP:$A2_4:7900" 2>/dev/null &
flood=$!
trap 'kill $flood 2>/dev/null' EXIT
eventually "the flood reaches a2" advancing a2

b2_id=$(gcounter b2 .id)
check "guest del b2 under traffic" chamctl guest del b2
check_eq "b2 is gone" "" "$(guest_json b2)"
check "b2's link is gone" sh -c "! ip link show chg$b2_id 2>/dev/null"
check "b2's pins are gone" test ! -e "$GUEST_PIN/b2"
eventually "a2 keeps receiving after b2 was deleted" advancing a2
check_eq "b1 still answers" "b1 after b2" "$(udp_ask $B1_4 7000 'b1 after b2')"
diag "b2's guest_echo after its guest was deleted: $(tr '\n' ' ' </tmp/echo_b2.out)"
kill "$echo_b2" 2>/dev/null

kill -9 "$echo_a1" 2>/dev/null
wait "$echo_a1" 2>/dev/null
before=$(guest_json a1)
check_eq "a1 killed (-9): no echo" "" "$(udp_ask $A1_4 7000 'anyone?')"
check_eventually_eq "... the frame found no socket" 1 gcounter_delta "$before" a1 .link.no_socket
eventually "a2 keeps receiving after a1's process was killed" advancing a2
start_echo a1 ga1
check_eq "a new process serves a1" "a1 again" "$(udp_ask $A1_4 7000 'a1 again')"

gen=$(chamctl -j tenant show A | jq .proto.generation)
check "guest_udp replaced for A under traffic" chamctl proto replace A "$BPF/guest_udp.bpf.o"
check_eq "A's protocol generation moved on" $((gen + 1)) "$(chamctl -j tenant show A | jq .proto.generation)"
eventually "a2 keeps receiving after the replacement" advancing a2
check "A's protocol unloads under traffic" chamctl proto unload A
eventually "A has no protocol" sh -c '[ "$(chamctl -j tenant show A | jq -r .proto)" = null ]'
before=$(guest_json a2)
sleep 0.3
check "... and a2 gets nothing then" test "$(gcounter_delta "$before" a2 .rx.packets)" -eq 0
check "guest_udp loads for A again" chamctl proto load "$BPF/guest_udp.bpf.o" tenant A
eventually "a2 receives again" advancing a2
check_eq "a1 answers again" "back" "$(udp_ask $A1_6 7000 back)"

kill $flood 2>/dev/null
wait $flood 2>/dev/null
trap - EXIT
for g in a1 a2 b1 c1; do
	check_guest_accounting $g
done
check_accounting A
check_accounting B
check_accounting C
check_accounting 0

# The echo servers stop on SIGTERM and report.
for g in a1 a2 b1; do
	eval "pid=\$echo_$g"
	kill -TERM "$pid"
	wait "$pid"
	check_eq "$g's guest_echo exits 0 on SIGTERM" 0 $?
	check "... and reports what it echoed" grep -q 'echoed=[1-9]' "/tmp/echo_$g.out"
	sed 's/^/# /' "/tmp/echo_$g.out"
done
before=$(guest_json a2)
printf 'after' | ip netns exec cl socat -u - UDP:$A2_4:7000
check_eventually_eq "once its process is gone, a2's frames find no socket" 1 \
	gcounter_delta "$before" a2 .link.no_socket

# ---- everything goes; the module unloads ----------------------------------------

for g in a1 a2 b1 c1; do
	check "guest del $g" chamctl guest del $g
done
check_eq "no guest left" 0 "$(chamctl -j guest show | jq length)"
check_eq "no host-side link left" "$links_before" "$(ip -o link show | grep -c ' chg')"
check_eq "no pinned guest left" "" "$(ls "$GUEST_PIN" 2>/dev/null)"
check "tenant C can be deleted once its guest is gone" chamctl tenant del C
reset_state
rm -f /tmp/echo_*.out /tmp/client.err
check "rmmod chamelio" unload_module
finish
