// SPDX-License-Identifier: GPL-2.0
/*
 * Attached to the client's end of the test veth: veth wakes a peer's NAPI
 * for XDP_TX frames only when the peer runs an XDP program, so without one
 * the echoes Chamelio transmits would wait in the peer's ring.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
