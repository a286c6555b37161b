// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile: a handler that calls a global function in a loop. The verifier
 * checks a global function once, whatever number of calls, so the
 * instructions it walked no longer bound a call: 255 rounds here, each of
 * which could be a loop of its own. Refused by the module.
 */
#include "chamelio.bpf.h"

__noinline int mix_round(__u32 x)
{
	return (x * 2654435761u) >> 7;
}

SEC("struct_ops/global_rx")
int BPF_PROG(global_rx, struct cham_ctx *pkt)
{
	__u32 acc = pkt->len;
	int i;

	for (i = 0; i < 255; i++)
		acc += mix_round(acc);
	return acc & 1 ? CHAM_VERDICT_PASS : CHAM_VERDICT_DROP;
}

SEC(".struct_ops.link")
struct cham_proto_ops hostile_global = {
	.rx = (void *)global_rx,
	.name = "global",
	.tenant = "alpha",
};
