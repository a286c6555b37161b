// SPDX-License-Identifier: GPL-2.0
/*
 * guest_udp: UDP for a tenant's guests. The guests own addresses (chamctl
 * guest add ... addr); a datagram from the network for one of them goes to
 * that guest's AF_XDP socket, and a datagram a guest sends goes out to the
 * network, or straight to the tenant's other guest it is addressed to.
 * IPv4 and IPv6; the guests build their frames, checksums included.
 */
#include "chamelio.bpf.h"

/* Deliver to the tenant's guest that owns the destination, if any. */
static __always_inline int guest_udp_deliver(struct cham_ctx *pkt, int guest)
{
	if (bpf_cham_redirect_guest(pkt, guest))
		return CHAM_VERDICT_DROP;
	return CHAM_VERDICT_REDIRECT;
}

SEC("struct_ops/guest_udp_rx")
int BPF_PROG(guest_udp_rx, struct cham_ctx *pkt)
{
	int guest;

	if (pkt->l4_proto != IPPROTO_UDP)
		return CHAM_VERDICT_PASS;
	guest = bpf_cham_guest_lookup(pkt);
	if (guest < 0)
		return CHAM_VERDICT_PASS;
	return guest_udp_deliver(pkt, guest);
}

SEC("struct_ops/guest_udp_tx")
int BPF_PROG(guest_udp_tx, struct cham_ctx *pkt)
{
	int guest;

	/* The module has checked the guest sent as itself; UDP only. */
	if (pkt->l4_proto != IPPROTO_UDP)
		return CHAM_VERDICT_DROP;
	/* A corrupt datagram stops here, not at the peer. */
	if (bpf_cham_csum_l4_valid(pkt))
		return CHAM_VERDICT_DROP;
	guest = bpf_cham_guest_lookup(pkt);
	if (guest > 0 && guest != (int)pkt->guest_id)
		return guest_udp_deliver(pkt, guest);
	/* Toward the network, out of the tenant's first port. */
	return CHAM_VERDICT_TX;
}

/* The tenant name can be overridden: chamctl proto load OBJ tenant NAME. */
SEC(".struct_ops.link")
struct cham_proto_ops guest_udp = {
	.rx = (void *)guest_udp_rx,
	.tx = (void *)guest_udp_tx,
	.name = "guest_udp",
	.tenant = "alpha",
};
