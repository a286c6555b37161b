// SPDX-License-Identifier: GPL-2.0
/*
 * udp_echo: answers every UDP datagram steered to the tenant from the fast
 * path, over IPv4 and IPv6, without the kernel stack.
 */
#include "chamelio.bpf.h"

SEC("struct_ops/udp_echo_rx")
int BPF_PROG(udp_echo_rx, struct cham_ctx *pkt)
{
	if (pkt->l4_proto != IPPROTO_UDP)
		return CHAM_VERDICT_PASS;
	/* Never reflect a corrupt datagram: its echo would look valid. */
	if (bpf_cham_csum_l4_valid(pkt))
		return CHAM_VERDICT_DROP;
	/* Swapping addresses and ports leaves the UDP checksum valid. */
	if (cham_reply(pkt, 64))
		return CHAM_VERDICT_PASS;
	return CHAM_VERDICT_TX;
}

/* The tenant name can be overridden: chamctl proto load OBJ tenant NAME. */
SEC(".struct_ops.link")
struct cham_proto_ops udp_echo = {
	.rx = (void *)udp_echo_rx,
	.name = "udp_echo",
	.tenant = "alpha",
};
