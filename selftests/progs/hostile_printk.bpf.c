// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile: a handler that writes to the trace pipe (bpf_printk, i.e.
 * bpf_trace_printk), a channel out of the fast path the provider does not
 * control. Refused at load by the verifier.
 */
#include "chamelio.bpf.h"

SEC("struct_ops/printk_rx")
int BPF_PROG(printk_rx, struct cham_ctx *pkt)
{
	bpf_printk("tenant packet of %u bytes", pkt->len);
	return CHAM_VERDICT_PASS;
}

SEC(".struct_ops.link")
struct cham_proto_ops hostile_printk = {
	.rx = (void *)printk_rx,
	.name = "printk",
	.tenant = "alpha",
};
