// SPDX-License-Identifier: GPL-2.0
/*
 * A hand-written protocol: bpf/udp_echo.bpf.c's echo in kernel C, which
 * the fast path runs instead of the registered rx program for the tenant
 * the native_tenant parameter names. It exists to measure the
 * programmability tax the way the research prototype reports it,
 * cost(BPF path) / cost(native path) - 1 (scripts/bench/fastpath.sh): the
 * same work, in the same place, with the same admission, accounting,
 * ceiling and egress validation, but no BPF program, struct_ops call or
 * kfunc boundary. It serves a tenant only while that tenant has a
 * protocol registered, so switching it on or off never changes what the
 * tenant's traffic is steered to.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/moduleparam.h>
#include <linux/udp.h>
#include <net/checksum.h>

#include "chamelio.h"
#include "packet.h"

static unsigned int cham_native_tenant;
module_param_named(native_tenant, cham_native_tenant, uint, 0644);
MODULE_PARM_DESC(native_tenant,
		 "Tenant id whose rx runs the built-in C udp_echo instead of its protocol, to measure the programmability tax (default 0: none)");

bool cham_native_serves(const struct cham_tenant *tenant)
{
	return READ_ONCE(cham_native_tenant) == tenant->id;
}

#define CHAM_NATIVE_TTL	64

/* Swaps the IP addresses and sets a fresh TTL, as cham_reply_l3() does. */
static void cham_native_reply_l3(void *l3, u16 l3_proto)
{
	struct ipv6hdr *ip6h = l3;
	struct iphdr *iph = l3;
	struct in6_addr addr6;
	__be32 addr;

	if (l3_proto == ETH_P_IP) {
		addr = iph->saddr;
		iph->saddr = iph->daddr;
		iph->daddr = addr;
		csum_replace2(&iph->check, htons(iph->ttl << 8),
			      htons(CHAM_NATIVE_TTL << 8));
		iph->ttl = CHAM_NATIVE_TTL;
		return;
	}
	addr6 = ip6h->saddr;
	ip6h->saddr = ip6h->daddr;
	ip6h->daddr = addr6;
	ip6h->hop_limit = CHAM_NATIVE_TTL;
}

/*
 * The parser has checked that the IP and UDP headers lie within the frame
 * (packet.h), so the echo touches them directly.
 */
int cham_native_udp_echo(struct cham_ctx *ctx)
{
	struct cham_rx *rx = container_of(ctx, struct cham_rx, ctx);
	void *data = rx->xdp->data;
	struct udphdr *uh = data + ctx->l4_off;
	struct ethhdr *eth = data;
	u8 mac[ETH_ALEN] __aligned(2);
	__be16 port;

	if (ctx->l4_proto != IPPROTO_UDP)
		return CHAM_VERDICT_PASS;
	if (bpf_cham_csum_l4_valid(ctx))
		return CHAM_VERDICT_DROP;
	cham_native_reply_l3(data + ctx->l3_off, ctx->l3_proto);
	ether_addr_copy(mac, eth->h_dest);
	ether_addr_copy(eth->h_dest, eth->h_source);
	ether_addr_copy(eth->h_source, mac);
	port = uh->source;
	uh->source = uh->dest;
	uh->dest = port;
	return CHAM_VERDICT_TX;
}
