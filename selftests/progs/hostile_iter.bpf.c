// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile: a handler that loops over the kernel's numeric iterator
 * (bpf_for(), bpf_iter_num_*), which the verifier checks with widened
 * state rather than unrolls: the number of rounds, here a packet field's
 * worth, is unknown at load. Refused by the module.
 */
#include "chamelio.bpf.h"

SEC("struct_ops/iter_rx")
int BPF_PROG(iter_rx, struct cham_ctx *pkt)
{
	__u32 sum = 0;
	int i;

	bpf_for(i, 0, pkt->len * 1000)
		sum += i;
	return sum ? CHAM_VERDICT_PASS : CHAM_VERDICT_DROP;
}

SEC(".struct_ops.link")
struct cham_proto_ops hostile_iter = {
	.rx = (void *)iter_rx,
	.name = "iter",
	.tenant = "alpha",
};
