#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Malformed and truncated frames, through a real port and through
# BPF_PROG_TEST_RUN, never crash and are each counted under their reason:
# among them an IPv4 header checksum that is wrong (bad_l3_csum) and a UDP
# length that disagrees with the IP payload (bad_l4_len), which a Linux
# host drops and a handler must never see. BPF_PROG_TEST_RUN reaches the
# fast path only with a port as the ingress device (not_port otherwise).
. ./lib.sh

load_module
reset_state
setup_net
chamctl port attach cham0 >/dev/null
# A tenant owning the frames' destination: the well-formed edge cases (IP
# options, VLAN tags, IPv6 extension headers, ICMP) must all reach it, and
# so must the IP fragments (its rules alone cover their addresses); without
# a protocol its default applies to them, as to everything it gets (pass).
chamctl tenant add alpha id 1 default pass >/dev/null
chamctl rule add alpha dst 10.77.0.0/24 proto any >/dev/null
chamctl rule add alpha dst fd00:77::/64 proto any >/dev/null

reasons="trunc_l2 vlan_depth trunc_l3 bad_l3 ext_depth trunc_l4 not_ip bad_l3_csum bad_l4_len"
expect=$(cham_frames expect)
expected() { printf '%s\n' "$expect" | awk -v r="$1" '$1 == r {print $2}'; }

# Each pass sends every frame once; the counters must grow by exactly the
# table's expectation, reason by reason.
check_pass() { # check_pass WHAT UNCLASSIFIED_SNAPSHOT ALPHA_SNAPSHOT
	for r in $reasons; do
		check_eventually_eq "$1: $r counted" "$(expected $r)" \
			counter_delta "$2" 0 .parse_errors.$r
	done
	check_eventually_eq "$1: well-formed edge cases and fragments steered to the tenant" \
		"$(( $(expected classified) + $(expected fragment) ))" \
		counter_delta "$3" alpha .packets
	check_eq "$1: no fragment was left unclassified" 0 \
		"$(counter_delta "$2" 0 .parse_errors.fragment)"
}

before=$(chamctl -j stats 0)
alpha_before=$(chamctl -j stats alpha)
check "frames sent through the veth port" \
	ip netns exec cl cham_frames send cl0 "$(mac_of "" cham0)"
check_pass port "$before" "$alpha_before"

# The table must hold one frame of each new reason, or the checks above
# would pass on zero.
check_eq "the frame table has one bad_l3_csum frame" 1 "$(expected bad_l3_csum)"
check_eq "the frame table has one bad_l4_len frame" 1 "$(expected bad_l4_len)"
check "the frame table has fragments" test "$(expected fragment)" -gt 0
check_eq "no frame sent through the port counted as not_port" 0 \
	"$(counter_delta "$before" 0 .parse_errors.not_port)"

prog=$(chamctl -j port show | jq -r '.[] | select(.ifname == "cham0") | .xdp_prog_id')
cham0=$(cat /sys/class/net/cham0/ifindex)
before=$(chamctl -j stats 0)
alpha_before=$(chamctl -j stats alpha)
cham_frames testrun "$prog" 1 "$cham0" ||
	not_ok "cham_frames testrun (ingress cham0) exited with status $?"
check_pass "BPF_PROG_TEST_RUN, ingress cham0" "$before" "$alpha_before"

# Without an ingress device the test run is no port's traffic: every frame
# is passed as not_port, none parsed, none steered.
nframes=$(printf '%s\n' "$expect" | awk '{n += $2} END {print n}')
before=$(chamctl -j stats 0)
alpha_before=$(chamctl -j stats alpha)
cham_frames testrun "$prog" ||
	not_ok "cham_frames testrun (no ingress device) exited with status $?"
check_eventually_eq "BPF_PROG_TEST_RUN without ingress: every frame counted not_port" \
	"$nframes" counter_delta "$before" 0 .parse_errors.not_port
check_eq "BPF_PROG_TEST_RUN without ingress: nothing steered to the tenant" 0 \
	"$(counter_delta "$alpha_before" alpha .packets)"
check_eq "BPF_PROG_TEST_RUN without ingress: nothing counted trunc_l3" 0 \
	"$(counter_delta "$before" 0 .parse_errors.trunc_l3)"
check_accounting 0
check_accounting alpha
check "the host still answers after the malformed frames" \
	ip netns exec cl ping -c1 -W2 $HOST4
reset_state
finish
