// SPDX-License-Identifier: GPL-2.0
/*
 * verifier_reject: a handler the verifier refuses, a NULL check missing
 * after bpf_cham_pkt_ptr(). The test asserts that chamctl shows the
 * verifier's reason, not its whole log.
 */
#include "chamelio.bpf.h"

SEC("struct_ops/verifier_reject_rx")
int BPF_PROG(verifier_reject_rx, struct cham_ctx *pkt)
{
	struct ethhdr *eth = cham_hdr(pkt, 0, struct ethhdr);

	/* Deliberately no "if (!eth)". */
	return eth->h_proto ? CHAM_VERDICT_PASS : CHAM_VERDICT_DROP;
}

SEC(".struct_ops.link")
struct cham_proto_ops verifier_reject = {
	.rx = (void *)verifier_reject_rx,
	.name = "verifier_reject",
	.tenant = "alpha",
};
