// SPDX-License-Identifier: GPL-2.0
/*
 * A handler that returns one verdict for every packet, built once per
 * verdict the tests need (FIXED_VERDICT, see the Makefile): punt, an
 * invalid value, and redirect without a target.
 */
#include "chamelio.bpf.h"

SEC("struct_ops/fixed_rx")
int BPF_PROG(fixed_rx, struct cham_ctx *pkt)
{
	return FIXED_VERDICT;
}

SEC(".struct_ops.link")
struct cham_proto_ops fixed = {
	.rx = (void *)fixed_rx,
	.name = FIXED_NAME,
	.tenant = "alpha",
};
