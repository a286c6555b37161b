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
	struct ethhdr *eth = cham_hdr(pkt, 0, struct ethhdr);
	__u32 i, len;
	struct udphdr *udp;
	__be16 port;

	if (!eth || pkt->l4_proto != IPPROTO_UDP)
		return CHAM_VERDICT_PASS;
	udp = cham_hdr(pkt, pkt->l4_off, struct udphdr);
	if (!udp || cham_reply_l3(pkt, 64))
		return CHAM_VERDICT_PASS;

	len = pkt->l4_len - sizeof(*udp);
	for (i = 0; i < UDP_UPPER_MAX && i < len; i++) {
		__u8 *c = bpf_cham_pkt_ptr(pkt, pkt->payload_off + i, 1);

		if (c && *c >= 'a' && *c <= 'z')
			*c -= 'a' - 'A';
	}

	cham_swap_mac(eth);
	port = udp->source;
	udp->source = udp->dest;
	udp->dest = port;
	if (bpf_cham_csum_l4_update(pkt))
		return CHAM_VERDICT_DROP;
	return CHAM_VERDICT_TX;
}

SEC(".struct_ops.link")
struct cham_proto_ops udp_upper = {
	.rx = (void *)udp_upper_rx,
	.name = "udp_upper",
	.tenant = "beta",
};
