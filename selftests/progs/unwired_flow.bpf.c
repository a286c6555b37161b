// SPDX-License-Identifier: GPL-2.0
/*
 * A protocol with a flow_open handler, which the module does not call yet:
 * the registration must be refused rather than silently never run it.
 */
#include "chamelio.bpf.h"

SEC("struct_ops/unwired_rx")
int BPF_PROG(unwired_rx, struct cham_ctx *pkt)
{
	return CHAM_VERDICT_PASS;
}

SEC("struct_ops/unwired_flow_open")
int BPF_PROG(unwired_flow_open, struct cham_flow_ctx *flow)
{
	return 0;
}

SEC(".struct_ops.link")
struct cham_proto_ops unwired = {
	.rx = (void *)unwired_rx,
	.flow_open = (void *)unwired_flow_open,
	.name = "unwired_flow",
	.tenant = "alpha",
};
