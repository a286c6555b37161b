// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile: echoes IPv4 UDP datagrams like udp_echo, but from 10.77.0.99, an
 * address none of the tenant's rules covers (another tenant's, say). The
 * checksums are fixed, so the reply would be accepted by the peer; egress
 * validation must drop it (CHAM_DROP_SPOOFED_SOURCE) unless the admin
 * gave the tenant that source.
 */
#include "chamelio.bpf.h"

#define SPOOFED_SADDR	0x0a4d0063	/* 10.77.0.99 */

SEC("struct_ops/spoof_rx")
int BPF_PROG(spoof_rx, struct cham_ctx *pkt)
{
	struct iphdr *iph;
	struct udphdr *udp;
	__be32 old, new = bpf_htonl(SPOOFED_SADDR);

	if (pkt->l3_proto != ETH_P_IP || pkt->l4_proto != IPPROTO_UDP)
		return CHAM_VERDICT_PASS;
	if (cham_reply(pkt, 64))
		return CHAM_VERDICT_PASS;
	iph = cham_hdr(pkt, pkt->l3_off, struct iphdr);
	udp = cham_hdr(pkt, pkt->l4_off, struct udphdr);
	if (!iph || !udp)
		return CHAM_VERDICT_DROP;
	old = iph->saddr;
	iph->saddr = new;
	cham_csum_replace16(&iph->check, old >> 16, new >> 16);
	cham_csum_replace16(&iph->check, old & 0xffff, new & 0xffff);
	if (udp->check) {
		cham_csum_replace16(&udp->check, old >> 16, new >> 16);
		cham_csum_replace16(&udp->check, old & 0xffff, new & 0xffff);
	}
	return CHAM_VERDICT_TX;
}

SEC(".struct_ops.link")
struct cham_proto_ops spoof = {
	.rx = (void *)spoof_rx,
	.name = "spoof",
	.tenant = "alpha",
};
