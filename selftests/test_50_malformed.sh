#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Malformed and truncated frames, through a real port and through
# BPF_PROG_TEST_RUN, never crash and are each counted under their reason.
. ./lib.sh

load_module
reset_state
setup_net
chamctl port attach cham0 >/dev/null
# A tenant owning the frames' destination: the well-formed edge cases (IP
# options, VLAN tags, IPv6 extension headers, ICMP) must all reach it.
chamctl tenant add alpha id 1 default pass >/dev/null
chamctl rule add alpha dst 10.77.0.0/24 proto any >/dev/null
chamctl rule add alpha dst fd00:77::/64 proto any >/dev/null

reasons="trunc_l2 vlan_depth trunc_l3 bad_l3 ext_depth fragment trunc_l4 not_ip"
expect=$(cham_frames expect)
expected() { printf '%s\n' "$expect" | awk -v r="$1" '$1 == r {print $2}'; }
parse_errors() { chamctl -j stats 0 | jq -c .parse_errors; }

before=$(chamctl -j stats 0)
alpha_before=$(stat alpha .packets)
check "frames sent through the veth port" \
	ip netns exec cl cham_frames send cl0 "$(mac_of "" cham0)"
sleep 0.5
for r in $reasons; do
	check_eq "port: $r counted" "$(expected $r)" \
		$(( $(stat 0 .parse_errors.$r) - $(printf '%s' "$before" | jq .parse_errors.$r) ))
done

check_eq "port: well-formed edge cases steered to the tenant" \
	"$(expected classified)" $(( $(stat alpha .packets) - alpha_before ))

prog=$(chamctl -j port show | jq -r '.[] | select(.ifname == "cham0") | .xdp_prog_id')
before=$(chamctl -j stats 0)
alpha_before=$(stat alpha .packets)
cham_frames testrun "$prog"
for r in $reasons; do
	check_eq "BPF_PROG_TEST_RUN: $r counted" "$(expected $r)" \
		$(( $(stat 0 .parse_errors.$r) - $(printf '%s' "$before" | jq .parse_errors.$r) ))
done
check_eq "BPF_PROG_TEST_RUN: well-formed edge cases steered to the tenant" \
	"$(expected classified)" $(( $(stat alpha .packets) - alpha_before ))
check_accounting 0
check_accounting alpha
check "the host still answers after the malformed frames" \
	ip netns exec cl ping -c1 -W2 $HOST4
reset_state
finish
