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

# Each pass sends every frame once; the counters must grow by exactly the
# table's expectation, reason by reason.
check_pass() { # check_pass WHAT UNCLASSIFIED_SNAPSHOT ALPHA_SNAPSHOT
	for r in $reasons; do
		check_eventually_eq "$1: $r counted" "$(expected $r)" \
			counter_delta "$2" 0 .parse_errors.$r
	done
	check_eventually_eq "$1: well-formed edge cases steered to the tenant" \
		"$(expected classified)" counter_delta "$3" alpha .packets
}

before=$(chamctl -j stats 0)
alpha_before=$(chamctl -j stats alpha)
check "frames sent through the veth port" \
	ip netns exec cl cham_frames send cl0 "$(mac_of "" cham0)"
check_pass port "$before" "$alpha_before"

prog=$(chamctl -j port show | jq -r '.[] | select(.ifname == "cham0") | .xdp_prog_id')
before=$(chamctl -j stats 0)
alpha_before=$(chamctl -j stats alpha)
cham_frames testrun "$prog" || not_ok "cham_frames testrun exited with status $?"
check_pass BPF_PROG_TEST_RUN "$before" "$alpha_before"
check_accounting 0
check_accounting alpha
check "the host still answers after the malformed frames" \
	ip netns exec cl ping -c1 -W2 $HOST4
reset_state
finish
