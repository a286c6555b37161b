// SPDX-License-Identifier: GPL-2.0
/*
 * udp_upper: echoes UDP datagrams with their ASCII letters upper-cased. It
 * rewrites the payload, so unlike udp_echo it must recompute the UDP
 * checksum: a receiver that gets its reply proves the checksum right.
 */
#include "chamelio.bpf.h"

/* Bytes of payload rewritten; a bounded loop keeps the handler's cost flat. */
#define UDP_UPPER_MAX	64

SEC("struct_ops/udp_upper_rx")
int BPF_PROG(udp_upper_rx, struct cham_ctx *pkt)
{
	__u32 i, len;

	if (pkt->l4_proto != IPPROTO_UDP || pkt->l4_len < sizeof(struct udphdr))
		return CHAM_VERDICT_PASS;
	/* The checksum is recomputed below: check the sender's first. */
	if (bpf_cham_csum_l4_valid(pkt))
		return CHAM_VERDICT_DROP;

	len = pkt->l4_len - sizeof(struct udphdr);
	for (i = 0; i < UDP_UPPER_MAX && i < len; i++) {
		__u8 *c = bpf_cham_pkt_ptr(pkt, pkt->payload_off + i, 1);

		if (c && *c >= 'a' && *c <= 'z')
			*c -= 'a' - 'A';
	}

	if (cham_reply(pkt, 64) || bpf_cham_csum_l4_update(pkt))
		return CHAM_VERDICT_DROP;
	return CHAM_VERDICT_TX;
}

SEC(".struct_ops.link")
struct cham_proto_ops udp_upper = {
	.rx = (void *)udp_upper_rx,
	.name = "udp_upper",
	.tenant = "beta",
};
