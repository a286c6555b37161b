// SPDX-License-Identifier: GPL-2.0
/*
 * A protocol with a tx handler, which the module does not call yet: the
 * registration must be refused rather than silently never run it.
 */
#include "chamelio.bpf.h"

SEC("struct_ops/unwired_rx")
int BPF_PROG(unwired_rx, struct cham_ctx *pkt)
{
	return CHAM_VERDICT_PASS;
}

SEC("struct_ops/unwired_tx")
int BPF_PROG(unwired_tx, struct cham_ctx *pkt)
{
	return CHAM_VERDICT_PASS;
}

SEC(".struct_ops.link")
struct cham_proto_ops unwired = {
	.rx = (void *)unwired_rx,
	.tx = (void *)unwired_tx,
	.name = "unwired_tx",
	.tenant = "alpha",
};
