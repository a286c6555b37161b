// SPDX-License-Identifier: GPL-2.0
/*
 * A protocol with a function an freplace program could attach over (tenant
 * "alpha"): pick_verdict() is static and not inlined, and its BTF matches
 * its arguments, so the verifier counts it reliable and would let a
 * program of type EXT replace it (selftests/progs/hostile_freplace.bpf.c,
 * attached by selftests/freplace_rx.c). Drops every packet itself.
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
