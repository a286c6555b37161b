#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A protocol answers with another length than it was asked
# (bpf_cham_adjust_tail()): longer and shorter replies reach a Linux
# client over IPv4 and IPv6 with lengths and checksums the kernel accepts,
# and what the frame cannot hold is refused, not sent.
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
check_eq "the client's kernel found no bad UDP checksum (IPv4)" "$csum4" \
	"$(udp_stat cl InCsumErrors)"
check_eq "the client's kernel found no bad UDP checksum (IPv6)" "$csum6" \
	"$(udp_stat cl Udp6InCsumErrors)"

before=$(chamctl -j stats alpha)
check_eq "growing past the tailroom is refused: no reply" "" \
	"$(udp_ask_n $HOST4 7000 '*too much' 1)"
check_eq "cutting into the UDP header is refused: no reply" "" \
	"$(udp_ask_n $HOST6 7000 '!cut' 1)"
check_eventually_eq "both were dropped by the handler" 2 \
	counter_delta "$before" alpha .drops.handler
check_eq "nothing was sent for them" 0 \
	"$(counter_delta "$before" alpha .verdicts.tx)"
check_accounting alpha

reset_state
finish
