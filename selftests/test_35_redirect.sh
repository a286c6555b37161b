#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# CHAM_VERDICT_REDIRECT: a tenant relays its traffic out of a second
# Chamelio port to a server namespace, and only to Chamelio ports the admin
# assigned to it (chamctl tenant set T ports). A relay forwards other
# hosts' packets, so the admin also gives it their sources (tenant set T
# source). See test_38_hostile for a relay that ignores the refusals.
. ./lib.sh

load_module
reset_state
setup_net
# The server: namespace sv behind cham1 (lib.sh).
setup_server

chamctl port attach cham0 >/dev/null
chamctl tenant add alpha id 1 >/dev/null
chamctl rule add alpha dst $HOST4 proto udp dport 7100 >/dev/null
check "relay protocol loads" chamctl proto load "$CHAM/selftests/progs/relay.bpf.o"

# relay_target: the port's ifindex (u32, little endian), then the server's
# MAC and cham1's MAC as destination and source.
hex_mac() { echo "$1" | tr ':' ' '; }
set_target() { # set_target IFINDEX DEST_MAC SOURCE_MAC
	bpftool map update name relay_target key hex 00 00 00 00 value hex \
		$(printf '%02x %02x %02x %02x' $(($1 & 255)) $((($1 >> 8) & 255)) \
			$((($1 >> 16) & 255)) $((($1 >> 24) & 255))) \
		$(hex_mac "$2") $(hex_mac "$3")
}
cham1=$(cat /sys/class/net/cham1/ifindex)
set_target "$cham1" "$(mac_of sv sv0)" "$(mac_of "" cham1)"

ip netns exec sv socat -u UDP4-RECV:7100 OPEN:/tmp/relayed,creat,trunc &
server=$!
wait_udp_listener sv 7100
printf 'relayed by a tenant' | ip netns exec cl socat -u - UDP:$HOST4:7100
check_eventually_eq "to a port that is not a Chamelio port yet: dropped by the handler" \
	1 counter alpha .drops.handler

check "cham1 becomes a Chamelio port" chamctl port attach cham1
printf 'not assigned' | ip netns exec cl socat -u - UDP:$HOST4:7100
check_eventually_eq "to a port not assigned to the tenant: refused, dropped by the handler" \
	2 counter alpha .drops.handler

check "cham1 is assigned to alpha" chamctl tenant set alpha ports cham1
check_eq "tenant show lists the port" "cham1 $cham1" \
	"$(chamctl -j tenant show alpha | jq -r '.ports[] | "\(.ifname) \(.ifindex)"')"
printf 'not my source' | ip netns exec cl socat -u - UDP:$HOST4:7100
check_eventually_eq "relaying the client's source without leave: dropped (spoofed_source)" \
	1 counter alpha .drops.spoofed_source

check "alpha may send from the client's address" chamctl tenant set alpha source $CL4/32
check_eq "tenant show lists the source" "$CL4/32" \
	"$(chamctl -j tenant show alpha | jq -r '.sources[]')"
printf 'relayed by a tenant' | ip netns exec cl socat -u - UDP:$HOST4:7100
check_eventually_eq "the server behind cham1 got the datagram" \
	"relayed by a tenant" cat /tmp/relayed
check_eq "counted as redirected" 1 "$(counter alpha .verdicts.redirect)"
kill $server 2>/dev/null

# A target outside the port table, here the loopback device.
set_target 1 "$(mac_of sv sv0)" "$(mac_of "" cham1)"
printf 'x' | ip netns exec cl socat -u - UDP:$HOST4:7100
check_eventually_eq "to the loopback device: refused, dropped by the handler" \
	3 counter alpha .drops.handler
check_accounting alpha

check "the assignment is cleared (ports none)" chamctl tenant set alpha ports none
check_eq "tenant show lists no port" 0 "$(chamctl -j tenant show alpha | jq '.ports | length')"
set_target "$cham1" "$(mac_of sv sv0)" "$(mac_of "" cham1)"
printf 'x' | ip netns exec cl socat -u - UDP:$HOST4:7100
check_eventually_eq "with the assignment cleared: refused again" \
	4 counter alpha .drops.handler
check_eq "still one redirect in all" 1 "$(counter alpha .verdicts.redirect)"
check_accounting alpha

chamctl port detach cham1 >/dev/null
ip link del cham1
ip netns del sv
rm -f /tmp/relayed
reset_state
finish
