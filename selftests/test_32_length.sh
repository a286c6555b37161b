#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A protocol answers with another length than it was asked, at the tail
# (bpf_cham_adjust_tail()) and at the head (bpf_cham_adjust_head(), the
# headers moved with bpf_cham_load_bytes() and bpf_cham_store_bytes()):
# longer and shorter replies reach a Linux client over IPv4 and IPv6,
# untagged and on a VLAN, with lengths and checksums the kernel accepts,
# and what the frame cannot hold is refused, not sent. The copy and
# compare kfuncs answer right at the bounds of the frame (progs/resize.bpf.c
# sends their return codes back).
. ./lib.sh

load_module
reset_state
setup_net

check "port attach cham0" chamctl port attach cham0
check "tenant alpha" chamctl tenant add alpha id 1
check "rule: alpha IPv4 udp 7000" chamctl rule add alpha dst $HOST4/32 proto udp dport 7000
check "rule: alpha IPv6 udp 7000" chamctl rule add alpha dst $HOST6/128 proto udp dport 7000
check "the resizing protocol loads" \
	chamctl proto load "$CHAM/selftests/progs/resize.bpf.o" tenant alpha

csum4=$(udp_stat cl InCsumErrors)
csum6=$(udp_stat cl Udp6InCsumErrors)
check_eq "a longer reply over IPv4" "+grow me12345678" \
	"$(udp_ask_n $HOST4 7000 '+grow me' 16)"
check_eq "a longer reply over IPv6" "+v612345678" \
	"$(udp_ask_n $HOST6 7000 '+v6' 11)"
check_eq "a shorter reply over IPv4" "-abc" \
	"$(udp_ask_n $HOST4 7000 '-abcdefghijklmnopqrstuvwxyz' 4)"
check_eq "a shorter reply over IPv6" "-xyz" \
	"$(udp_ask_n $HOST6 7000 '-xyz0123456789' 4)"
# The 1400-byte question and its 1408-byte answer: the frame's tailroom.
long=$(printf '+%01399d' 0)
check_eq "a longer reply near the MTU" "${long}12345678" \
	"$(udp_ask_n $HOST4 7000 "$long" 1408)"

# ---- the head: encapsulation's and decapsulation's shapes -------------------

check_eq "head grown by 8 over IPv4" "grown+8:>encap me" \
	"$(udp_ask_n $HOST4 7000 '>encap me' 17)"
check_eq "head grown by 8 over IPv6" "grown+8:>v6" \
	"$(udp_ask_n $HOST6 7000 '>v6' 11)"
check_eq "head shrunk by 4 over IPv4" "decap me" \
	"$(udp_ask_n $HOST4 7000 '<abcdecap me' 8)"
check_eq "head shrunk by 4 over IPv6" "v6!" \
	"$(udp_ask_n $HOST6 7000 '<xyzv6!' 3)"
long=$(printf '>%01299d' 0)
check_eq "head grown by 8 near the MTU" "grown+8:$long" \
	"$(udp_ask_n $HOST4 7000 "$long" 1308)"

if setup_client_vlan 10; then
	check "rule: alpha IPv4 udp 7000 on VLAN 10" \
		chamctl rule add alpha dst $VLAN4/32 proto udp dport 7000
	check "rule: alpha IPv6 udp 7000 on VLAN 10" \
		chamctl rule add alpha dst $VLAN6/128 proto udp dport 7000
	before=$(chamctl -j stats alpha)
	check_eq "VLAN 10, IPv4: head grown by 8" "grown+8:>tagged" \
		"$(udp_ask_n $VLAN4 7000 '>tagged' 15)"
	check_eq "VLAN 10, IPv6: head grown by 8" "grown+8:>tagged6" \
		"$(udp_ask_n $VLAN6 7000 '>tagged6' 16)"
	check_eq "VLAN 10, IPv4: head shrunk by 4" "tagged" \
		"$(udp_ask_n $VLAN4 7000 '<...tagged' 6)"
	check_eq "VLAN 10, IPv6: head shrunk by 4" "tagged6" \
		"$(udp_ask_n $VLAN6 7000 '<...tagged6' 7)"
	check_eq "VLAN 10, IPv4: tail grown by 8" "+t12345678" \
		"$(udp_ask_n $VLAN4 7000 '+t' 10)"
	check_eq "VLAN 10, IPv6: tail shrunk" "-t6a" \
		"$(udp_ask_n $VLAN6 7000 '-t6abcdef' 4)"
	check_eq "VLAN 10: all six answered, none dropped" 6 \
		"$(counter_delta "$before" alpha .verdicts.tx)"
else
	not_ok "VLAN 10 on the client (8021q: scripts/vm.sh --append-modules 8021q)"
fi

# ---- payload copies at the bounds --------------------------------------------

# One variable-length load and store whose range ends the frame.
check_eq "a 1-byte variable copy" "x" "$(udp_ask_n $HOST4 7000 'Lx' 1)"
rest=$(printf '%063d' 7)
check_eq "a 63-byte variable copy (the buffer's bound)" "$rest" \
	"$(udp_ask_n $HOST6 7000 "L$rest" 63)"
# Each character, one call (see bounds_reply()): load 0 bytes; load the
# last 16; 16 from one byte further: -EINVAL, buffer untouched; store the
# last 16; one further; 0 bytes at the end; 0 bytes past it; compare
# equal; different; out of range; 0 bytes; parse; shrink the head into
# something that does not parse: -EBADMSG, context unchanged; shrink below
# ETH_HLEN; grow past the headroom.
bounds=00I0I0I01I00BuII
question="B$(printf '%031d' 5)"
check_eq "copies, compares and head changes at the bounds (IPv4)" "$bounds" \
	"$(udp_ask_n $HOST4 7000 "$question" 16)"
check_eq "copies, compares and head changes at the bounds (IPv6)" "$bounds" \
	"$(udp_ask_n $HOST6 7000 "${question}more" 16)"

check_eq "the client's kernel found no bad UDP checksum (IPv4)" "$csum4" \
	"$(udp_stat cl InCsumErrors)"
check_eq "the client's kernel found no bad UDP checksum (IPv6)" "$csum6" \
	"$(udp_stat cl Udp6InCsumErrors)"

before=$(chamctl -j stats alpha)
check_eq "growing past the tailroom is refused: no reply" "" \
	"$(udp_ask_n $HOST4 7000 '*too much' 1)"
check_eq "cutting into the UDP header is refused: no reply" "" \
	"$(udp_ask_n $HOST6 7000 '!cut' 1)"
check_eq "a variable copy past the buffer's bound is refused: no reply" "" \
	"$(udp_ask_n $HOST4 7000 "L${rest}89" 1)"
check_eventually_eq "all three were dropped by the handler" 3 \
	counter_delta "$before" alpha .drops.handler
check_eq "nothing was sent for them" 0 \
	"$(counter_delta "$before" alpha .verdicts.tx)"
check_accounting alpha

reset_state
finish
