// SPDX-License-Identifier: GPL-2.0
/*
 * Not the provider program: an XDP program of its own that calls the fast
 * path, as one in another namespace or run with BPF_PROG_TEST_RUN on
 * forged frames would. Frames it passes that were not received on a
 * Chamelio port must reach no tenant handler (parse error not_port).
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <linux/chamelio.h>

extern int bpf_cham_rx(struct xdp_md *ctx, struct cham_xdp_out *out) __ksym;

SEC("xdp")
int forged_rx(struct xdp_md *ctx)
{
	struct cham_xdp_out out = {};

	return bpf_cham_rx(ctx, &out);
}

char _license[] SEC("license") = "GPL";
