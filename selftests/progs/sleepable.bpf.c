// SPDX-License-Identifier: GPL-2.0
/* A handler declared sleepable: the module must refuse it. */
#include "chamelio.bpf.h"

SEC("struct_ops.s/sleepy_rx")
int BPF_PROG(sleepy_rx, struct cham_ctx *pkt)
{
	return CHAM_VERDICT_PASS;
}

SEC(".struct_ops.link")
struct cham_proto_ops sleepable = {
	.rx = (void *)sleepy_rx,
	.name = "sleepable",
	.tenant = "alpha",
};
