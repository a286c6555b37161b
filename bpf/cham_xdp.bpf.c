// SPDX-License-Identifier: GPL-2.0
/*
 * The provider XDP program attached to every Chamelio port (chamctl port
 * attach). All policy lives in the module; this program only calls it and
 * carries out a redirect, which must be issued from XDP itself.
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <linux/chamelio.h>

extern int bpf_cham_rx(struct xdp_md *ctx, struct cham_xdp_out *out) __ksym;

SEC("xdp")
int cham_xdp(struct xdp_md *ctx)
{
	struct cham_xdp_out out = {};
	int action = bpf_cham_rx(ctx, &out);

	if (action == XDP_REDIRECT)
		return bpf_redirect(out.redirect_ifindex, 0);
	return action;
}

char _license[] SEC("license") = "GPL";
