// SPDX-License-Identifier: GPL-2.0
/*
 * A protocol with a function an freplace program might aim at (tenant
 * "alpha"): pick_verdict(), not inlined, its BTF matching its arguments
 * (selftests/progs/hostile_freplace.bpf.c, attached by
 * selftests/freplace_rx.c). 6.12 extends global functions only, and the
 * module refuses handlers with one, so it stays static. Drops every
 * packet itself.
 */
#include "chamelio.bpf.h"

static __noinline int pick_verdict(int len)
{
	return len >= 0 ? CHAM_VERDICT_DROP : CHAM_VERDICT_PASS;
}

SEC("struct_ops/target_rx")
int BPF_PROG(target_rx, struct cham_ctx *pkt)
{
	return pick_verdict(pkt->len);
}

SEC(".struct_ops.link")
struct cham_proto_ops freplace_target = {
	.rx = (void *)target_rx,
	.name = "freplace_target",
	.tenant = "alpha",
};
