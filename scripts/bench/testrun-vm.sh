# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Sourced by the in-VM benchmarks that time the fast path with
# BPF_PROG_TEST_RUN on the provider program (fastpath-vm.sh,
# copycost-vm.sh, slowpath-vm.sh), after selftests/lib.sh.
#
# The fast path runs tenant handlers only for frames received on a
# Chamelio port: every test run names port cham0 as its ingress device, in
# an xdp_md (data, data_end, data_meta, ingress_ifindex, rx_queue_index,
# egress_ifindex; u32 each, little-endian). The port's XDP program
# registers the receive queue's xdp_rxq_info, which the test run needs.
# The port and its peer have no addresses and no IPv6, so that no frame
# of their own (router solicitations, MLD) is received during a run and
# counted in it.

# bench_port: cham0 (a veth to bench1), a Chamelio port.
bench_port() {
	ip link add cham0 type veth peer name bench1
	for dev in cham0 bench1; do
		echo 1 >/proc/sys/net/ipv6/conf/$dev/disable_ipv6
		ip link set $dev up
	done
	chamctl port attach cham0 >/dev/null
}

# le32 N: N as 4 bytes, little-endian.
le32() {
	v=$1
	for _ in 1 2 3 4; do
		# shellcheck disable=SC2059 # an octal escape built on purpose
		printf "\\$(printf %03o $((v & 255)))"
		v=$((v >> 8))
	done
}

# make_ctx FRAME: FRAME.ctx, the xdp_md for FRAME received on cham0.
make_ctx() {
	{
		le32 0
		le32 "$(wc -c <"$1")"
		le32 0
		le32 "$(cat /sys/class/net/cham0/ifindex)"
		le32 0
		le32 0
	} >"$1.ctx"
	[ "$(wc -c <"$1.ctx")" = 24 ] || die "cannot write $1.ctx"
}
