// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile: a handler that spins in bpf_loop(), up to 2^23 calls of its
 * callback per packet, which the verifier checks once. The length of a
 * call is unknown at load: the module refuses it (Documentation/
 * isolation.md, "The bounded fast-path contract").
 */
#include "chamelio.bpf.h"

static long spin_step(__u64 index, void *ctx)
{
	return 0;
}

SEC("struct_ops/loop_rx")
int BPF_PROG(loop_rx, struct cham_ctx *pkt)
{
	bpf_loop(1 << 23, spin_step, NULL, 0);
	return CHAM_VERDICT_PASS;
}

SEC(".struct_ops.link")
struct cham_proto_ops hostile_loop = {
	.rx = (void *)loop_rx,
	.name = "loop",
	.tenant = "alpha",
};
