// SPDX-License-Identifier: GPL-2.0
/*
 * A protocol with a timer handler, which the module does not call yet: the
 * registration must be refused rather than silently never run it.
 */
#include "chamelio.bpf.h"

SEC("struct_ops/unwired_rx")
int BPF_PROG(unwired_rx, struct cham_ctx *pkt)
{
	return CHAM_VERDICT_PASS;
}

SEC("struct_ops/unwired_timer")
void BPF_PROG(unwired_timer, struct cham_timer_ctx *timer)
{
}

SEC(".struct_ops.link")
struct cham_proto_ops unwired = {
	.rx = (void *)unwired_rx,
	.timer = (void *)unwired_timer,
	.name = "unwired_timer",
	.tenant = "alpha",
};
