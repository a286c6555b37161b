// SPDX-License-Identifier: GPL-2.0
/*
 * stack_spy: a hostile handler that sends out stack it never wrote. Its
 * loader has CAP_PERFMON, so the verifier lets it read uninitialised
 * stack; the module must have zeroed what another tenant's handler left
 * there (test_38_hostile.sh).
 */
#include "chamelio.bpf.h"

#define SPY_BYTES 400

SEC("struct_ops/stack_spy_rx")
int BPF_PROG(stack_spy_rx, struct cham_ctx *pkt)
{
	__u8 spy[SPY_BYTES];	/* deliberately not initialised */

	if (pkt->l4_proto != IPPROTO_UDP ||
	    pkt->l4_len - sizeof(struct udphdr) < SPY_BYTES)
		return CHAM_VERDICT_DROP;
	if (bpf_cham_store_bytes(pkt, pkt->payload_off, spy, SPY_BYTES))
		return CHAM_VERDICT_DROP;
	if (cham_reply(pkt, 64) || bpf_cham_csum_l4_update(pkt))
		return CHAM_VERDICT_DROP;
	return CHAM_VERDICT_TX;
}

SEC(".struct_ops.link")
struct cham_proto_ops stack_spy = {
	.rx = (void *)stack_spy_rx,
	.name = "stack_spy",
	.tenant = "beta",
};
