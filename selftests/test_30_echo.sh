#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Two tenants serve real Linux UDP clients from the fast path, over IPv4 and
# IPv6; traffic matching no rule reaches the kernel stack untouched; each
# tenant sees only its own traffic and the counters match it exactly.
. ./lib.sh

load_module
reset_state
setup_net
mkdir -p "$PIN"

check "port attach cham0" chamctl port attach cham0
check "tenant alpha" chamctl tenant add alpha id 1
check "tenant beta (default drop)" chamctl tenant add beta id 2 default drop
check "rule: alpha IPv4 udp 7000" chamctl rule add alpha dst $HOST4/32 proto udp dport 7000
check "rule: alpha IPv6 udp 7000" chamctl rule add alpha dst $HOST6/128 proto udp dport 7000
check "rule: beta IPv4 udp 7001-7002" chamctl rule add beta dst $HOST4 proto udp dport 7001-7002
check "rule: beta IPv6 udp 7001-7002" chamctl rule add 2 dst $HOST6 proto udp dport 7001-7002
check "udp_echo registers for alpha (bpftool)" \
	bpftool struct_ops register "$BPF/udp_echo.bpf.o" "$PIN"
check "udp_upper loads for beta (chamctl)" \
	chamctl proto load "$BPF/udp_upper.bpf.o" tenant beta

check_eq "alpha echoes over IPv4" "hello chamelio" "$(udp_ask $HOST4 7000 'hello chamelio')"
check_eq "alpha echoes over IPv6" "hello over v6" "$(udp_ask $HOST6 7000 'hello over v6')"
check_eq "beta answers over IPv4 (payload rewritten, checksum fixed)" \
	"HELLO, BETA 42" "$(udp_ask $HOST4 7001 'hello, beta 42')"
check_eq "beta answers over IPv6 (payload rewritten, checksum fixed)" \
	"HELLO V6" "$(udp_ask $HOST6 7002 'hello v6')"

# The kernel's own UDP echo service on a port no rule covers.
socat UDP6-RECVFROM:8000,fork,ipv6only=0 EXEC:cat 2>/dev/null &
server=$!
socat UDP6-RECVFROM:7003,fork,ipv6only=0 EXEC:cat 2>/dev/null &
server_edge=$!
wait_udp_listener "" 8000 && wait_udp_listener "" 7003
unclassified_before=$(counter 0 .verdicts.pass)
check_eq "unmatched IPv4 traffic reaches the kernel stack" "to the kernel" \
	"$(udp_ask $HOST4 8000 'to the kernel')"
check_eq "unmatched IPv6 traffic reaches the kernel stack" "to the kernel v6" \
	"$(udp_ask $HOST6 8000 'to the kernel v6')"
check_eq "port 7003, just outside beta's range, reaches the kernel stack" \
	"edge" "$(udp_ask $HOST4 7003 'edge')"
kill $server $server_edge 2>/dev/null
# At least: the client's IPv6 stack may send MLD reports meanwhile.
check "unclassified traffic was counted as passed" \
	test "$(counter 0 .verdicts.pass)" -ge $((unclassified_before + 3))

# Exact accounting: fresh tenants count only what is sent from here on.
a_before=$(chamctl -j stats alpha)
b_before=$(chamctl -j stats beta)
n4=12
n6=7
nb=5
i=0
while [ $i -lt $n4 ]; do udp_ask $HOST4 7000 "$(printf 'm%03d' $i)" >/dev/null; i=$((i + 1)); done
i=0
while [ $i -lt $n6 ]; do udp_ask $HOST6 7000 "$(printf 'v%03d' $i)" >/dev/null; i=$((i + 1)); done
i=0
while [ $i -lt $nb ]; do udp_ask $HOST4 7001 "$(printf 'b%03d' $i)" >/dev/null; i=$((i + 1)); done

# Frame sizes: Ethernet 14 + IPv4 20 / IPv6 40 + UDP 8 + 4 bytes payload.
check_eq "alpha packets = datagrams sent to it" $((n4 + n6)) "$(counter_delta "$a_before" alpha .packets)"
check_eq "alpha bytes = frame bytes sent to it" $((n4 * 46 + n6 * 66)) "$(counter_delta "$a_before" alpha .bytes)"
check_eq "alpha tx verdicts" $((n4 + n6)) "$(counter_delta "$a_before" alpha .verdicts.tx)"
check_eq "alpha handler calls" $((n4 + n6)) "$(counter_delta "$a_before" alpha .handler_calls)"
check_eq "beta packets = only its own datagrams" $nb "$(counter_delta "$b_before" beta .packets)"
check_eq "beta bytes" $((nb * 46)) "$(counter_delta "$b_before" beta .bytes)"
check_eq "beta tx verdicts" $nb "$(counter_delta "$b_before" beta .verdicts.tx)"
check "alpha handler cycles were measured" test "$(counter alpha .handler_cycles)" -gt 0
check_accounting alpha
check_accounting beta
check_accounting 0

# udp_echo verifies the UDP checksum (bpf_cham_csum_l4_valid) and drops a
# corrupt datagram instead of reflecting it. Crafted frames (cham_frames) to
# alpha's port 9: a well-formed one as the control, then one whose UDP
# checksum is off by one.
chamctl rule add alpha dst $HOST4/32 proto udp dport 9 >/dev/null
a_before=$(chamctl -j stats alpha)
check "a well-formed crafted datagram is sent" \
	ip netns exec cl cham_frames send cl0 "$(mac_of "" cham0)" ipv4-udp
check_eventually_eq "the well-formed datagram is echoed (tx)" 1 \
	counter_delta "$a_before" alpha .verdicts.tx
a_before=$(chamctl -j stats alpha)
check "a datagram with a bad UDP checksum is sent" \
	ip netns exec cl cham_frames send cl0 "$(mac_of "" cham0)" ipv4-udp-bad-checksum
check_eventually_eq "the bad-checksum datagram reaches the handler" 1 \
	counter_delta "$a_before" alpha .handler_calls
check_eq "the bad-checksum datagram is not echoed" 0 \
	"$(counter_delta "$a_before" alpha .verdicts.tx)"
check_eq "the bad-checksum datagram is a handler drop" 1 \
	"$(counter_delta "$a_before" alpha .drops.handler)"
check_accounting alpha

# Without a protocol, beta's default verdict (drop) applies.
check "beta's protocol unloads (chamctl)" chamctl proto unload beta
eventually "beta's protocol is gone" \
	sh -c '[ "$(chamctl -j tenant show beta | jq -r .proto)" = null ]'
drops=$(counter beta .drops.default)
check_eq "beta without protocol: no answer" "" "$(udp_ask $HOST4 7001 'nobody home')"
check_eq "beta without protocol: dropped by default" $((drops + 1)) "$(counter beta .drops.default)"

check "human stats table prints" sh -c 'chamctl stats | grep -q alpha'
chamctl stats | sed 's/^/# /'
reset_state
finish
