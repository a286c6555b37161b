/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the fast path (dispatch.c) and the packet kfuncs (packet.c) share:
 * a handler's context and what only the module may see of the packet.
 */
#ifndef _CHAMELIO_PACKET_H
#define _CHAMELIO_PACKET_H

#include <linux/if_ether.h>
#include <net/xdp.h>

#include "chamelio.h"

struct cham_rx {
	struct cham_ctx ctx;
	struct xdp_buff *xdp;
	struct cham_tenant *tenant;
	const struct cham_guest *from_guest;	/* tx: the guest that sent it */
	struct cham_guest *to_guest;	/* a redirect target that is a guest */
	u32 redirect_ifindex;
	bool redirect_refused;	/* the last target was not the tenant's */
	u32 punt_code;		/* bpf_cham_punt(): for the agent */
	/* Of the frame as ctx describes it: kept by bpf_cham_parse(). */
	bool ipv6_routing_header;
	/*
	 * Whom the sender addressed, as received and never updated: egress
	 * validation allows it as a source, so it must not follow rewrites.
	 */
	u8 rx_h_dest[ETH_ALEN];
};

/*
 * Makes the context describe a frame of @len bytes that cham_parse()
 * parsed into @pkt; the fields that are not the frame's stay.
 */
static inline void cham_rx_describe(struct cham_rx *rx,
				    const struct cham_pkt *pkt, u32 len)
{
	struct cham_ctx *ctx = &rx->ctx;

	ctx->len = len;
	ctx->l3_off = pkt->l3_off;
	ctx->l4_off = pkt->l4_off;
	ctx->payload_off = pkt->payload_off;
	ctx->l4_len = pkt->l4_len;
	ctx->l3_proto = pkt->l3_proto;
	ctx->l4_proto = pkt->l4_proto;
	ctx->vlan_depth = pkt->vlan_depth;
	rx->ipv6_routing_header = pkt->ipv6_routing_header;
}

/* The kfunc, for the hand-written protocol too (native.c). */
int bpf_cham_csum_l4_valid(struct cham_ctx *ctx);

/* The hand-written udp_echo (native.c), for measuring the programmability tax. */
bool cham_native_serves(const struct cham_tenant *tenant);
int cham_native_udp_echo(struct cham_ctx *ctx);

#endif /* _CHAMELIO_PACKET_H */
