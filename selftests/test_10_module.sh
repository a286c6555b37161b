#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The module loads with BTF, registers its struct_ops type, kfuncs and
# netlink family, and refuses protocols that break the contract.
. ./lib.sh

check "module loads" insmod "$KO"
check "module BTF exists (/sys/kernel/btf/chamelio)" test -e /sys/kernel/btf/chamelio

btf=$(bpftool btf dump file /sys/kernel/btf/chamelio 2>&1)
for name in "STRUCT 'cham_proto_ops'" "FUNC 'bpf_cham_rx'" \
	"FUNC 'bpf_cham_pkt_ptr'" "FUNC 'bpf_cham_csum_l3_update'" \
	"FUNC 'bpf_cham_csum_l4_update'" "FUNC 'bpf_cham_redirect_port'"; do
	check "module BTF has $name" sh -c "printf '%s' \"\$1\" | grep -q \"\$2\"" _ "$btf" "$name"
done

check "generic netlink family answers" chamctl tenant show
mkdir -p "$PIN"
# The verifier resolves bpf_cham_rx only if it is registered for XDP.
check "provider XDP program loads (XDP kfunc registered)" \
	bpftool prog load "$BPF/cham_xdp.bpf.o" "$PIN/probe_xdp" type xdp
rm -f "$PIN/probe_xdp"

# The struct_ops type is registered: a protocol loads and verifies, and
# fails only at registration, because its tenant does not exist.
dmesg -c >/dev/null
check_fails "protocol for a missing tenant is refused" \
	bpftool struct_ops register "$BPF/udp_echo.bpf.o" "$PIN"
check "the refusal names the missing tenant in the kernel log" \
	sh -c "dmesg | grep -q \"names no tenant 'alpha'\""
check "no link is left behind" test ! -e "$PIN/udp_echo"

check_errno "chamctl proto load for a missing tenant says so" "no such tenant nosuch" \
	chamctl proto load "$BPF/udp_echo.bpf.o" tenant nosuch
check "tenant alpha" chamctl tenant add alpha id 1
# The verifier asks the module (check_member) and logs its refusal.
refused_member() { # refused_member OBJECT MEMBER
	! out=$(chamctl proto load "$CHAM/selftests/progs/$1.bpf.o" tenant alpha 2>&1) &&
		printf '%s' "$out" | grep -q "attach to unsupported member $2 of struct cham_proto_ops"
}
check "a sleepable handler is refused by the module" refused_member sleepable rx
check "a handler for an operation not wired yet (flow_open) is refused" refused_member unwired_flow flow_open
check "a protocol registers for an existing tenant (bpftool)" \
	bpftool struct_ops register "$BPF/udp_echo.bpf.o" "$PIN"
check_eq "chamctl shows the tenant's protocol" "udp_echo" \
	"$(chamctl -j tenant show alpha | jq -r .proto.name)"
check "bpftool struct_ops show works for the module's type" \
	sh -c "bpftool struct_ops show | grep -q cham_proto_ops"
check "removing the link unregisters the protocol" rm "$PIN/udp_echo"
eventually "tenant is back to no protocol" \
	sh -c '[ "$(chamctl -j tenant show alpha | jq -r .proto)" = null ]'

check "registers again (bpftool)" \
	bpftool struct_ops register "$BPF/udp_echo.bpf.o" "$PIN"
check "bpftool struct_ops unregister detaches the link" \
	bpftool struct_ops unregister name udp_echo
eventually "after bpftool unregister, no protocol" \
	sh -c '[ "$(chamctl -j tenant show alpha | jq -r .proto)" = null ]'
rm -f "$PIN/udp_echo"
chamctl tenant del alpha
finish
