// SPDX-License-Identifier: GPL-2.0
/*
 * udp_echo: answers every UDP datagram steered to the tenant from the fast
 * path, over IPv4 and IPv6, without the kernel stack.
 */
#include "chamelio.bpf.h"

SEC("struct_ops/udp_echo_rx")
int BPF_PROG(udp_echo_rx, struct cham_ctx *pkt)
{
	struct ethhdr *eth = cham_hdr(pkt, 0, struct ethhdr);
	struct udphdr *udp;
	__be16 port;

	if (!eth || pkt->l4_proto != IPPROTO_UDP)
		return CHAM_VERDICT_PASS;
	udp = cham_hdr(pkt, pkt->l4_off, struct udphdr);
	if (!udp || cham_reply_l3(pkt, 64))
		return CHAM_VERDICT_PASS;

	cham_swap_mac(eth);
	port = udp->source;
	udp->source = udp->dest;
	udp->dest = port;
	return CHAM_VERDICT_TX;
}

/* The tenant name can be overridden: chamctl proto load OBJ tenant NAME. */
SEC(".struct_ops.link")
struct cham_proto_ops udp_echo = {
	.rx = (void *)udp_echo_rx,
	.name = "udp_echo",
	.tenant = "alpha",
};
