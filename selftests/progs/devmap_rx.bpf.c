// SPDX-License-Identifier: GPL-2.0
/*
 * A devmap program (run on frames another program redirected, not on
 * frames a port received) that calls the fast path: the module's kfunc
 * filter refuses bpf_cham_rx to it at load.
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <linux/chamelio.h>

extern int bpf_cham_rx(struct xdp_md *ctx, struct cham_xdp_out *out) __ksym;

SEC("xdp/devmap")
int devmap_rx(struct xdp_md *ctx)
{
	struct cham_xdp_out out = {};

	return bpf_cham_rx(ctx, &out);
}

char _license[] SEC("license") = "GPL";
