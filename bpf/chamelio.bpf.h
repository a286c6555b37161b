/* SPDX-License-Identifier: GPL-2.0 */
/*
 * chamelio.bpf.h: everything a tenant protocol includes.
 *
 * A protocol is a struct cham_proto_ops instance in a ".struct_ops.link"
 * section whose handlers are SEC("struct_ops/...") programs. The handler's
 * context (call it pkt: BPF_PROG() reserves ctx) is read directly; packet
 * bytes are reached with cham_hdr() and rewritten in place, or copied with
 * bpf_cham_load_bytes()/bpf_cham_store_bytes(). See Documentation/tenant-protocols.md.
 */
#ifndef __CHAMELIO_BPF_H
#define __CHAMELIO_BPF_H

#include <linux/bpf.h>
#include <linux/types.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>

/*
 * The module's BTF is the authority on these types: relocate every field
 * access against it (CO-RE), so a protocol keeps working when the module
 * grows a field.
 */
#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)
#include <linux/chamelio.h>
#pragma clang attribute pop

/*
 * Kfuncs for tenant handlers (their contracts: kmod/packet.c for reaching
 * and editing the packet, kmod/dispatch.c for redirects and guests).
 */
extern __u8 *bpf_cham_pkt_ptr(struct cham_ctx *ctx, __u32 offset,
			      const __u32 rdwr_buf_size) __ksym;
extern int bpf_cham_csum_l3_update(struct cham_ctx *ctx) __ksym;
extern int bpf_cham_csum_l4_update(struct cham_ctx *ctx) __ksym;
extern int bpf_cham_csum_l4_valid(struct cham_ctx *ctx) __ksym;
extern int bpf_cham_adjust_tail(struct cham_ctx *ctx, int delta) __ksym;
/* Front of the frame: > 0 prepends zeroed bytes, < 0 removes (reparsed). */
extern int bpf_cham_adjust_head(struct cham_ctx *ctx, int delta) __ksym;
/* ctx from the frame as it is now; -EBADMSG (ctx unchanged) if unparsable. */
extern int bpf_cham_parse(struct cham_ctx *ctx) __ksym;
/*
 * Variable-length copies and comparison: 0, or -EINVAL outside the frame;
 * compare returns 1 when the bytes differ. The size may be a variable the
 * verifier bounds by the buffer's size (e.g. n & (sizeof(buf) - 1)); a
 * stack buffer must be initialised (e.g. = {}) before the call.
 */
extern int bpf_cham_load_bytes(struct cham_ctx *ctx, __u32 offset, void *to,
			       __u32 to__sz) __ksym;
extern int bpf_cham_store_bytes(struct cham_ctx *ctx, __u32 offset,
				const void *from, __u32 from__sz) __ksym;
extern int bpf_cham_compare_bytes(struct cham_ctx *ctx, __u32 offset,
				  const void *buf, __u32 buf__sz) __ksym;
extern int bpf_cham_redirect_port(struct cham_ctx *ctx, __u32 ifindex) __ksym;
extern int bpf_cham_redirect_guest(struct cham_ctx *ctx, __u32 guest_id) __ksym;
extern int bpf_cham_guest_lookup(struct cham_ctx *ctx) __ksym;

/*
 * The slow path (kmod/agent.c, kmod/timer.c). return bpf_cham_punt(ctx,
 * code) hands the packet to the tenant's agent with @code (rx, tx).
 */
extern int bpf_cham_punt(struct cham_ctx *ctx, __u32 code) __ksym;
/* slowpath_msg: bytes [off, off + size) of the agent's message; 0 or -EINVAL. */
extern int bpf_cham_msg_read(struct cham_msg_ctx *ctx, __u32 off, void *to,
			     __u32 to__sz) __ksym;
/*
 * Any handler: (re)arm the tenant's timer @timer_id to call its timer
 * handler with @cookie in @delay_ns, on this CPU; cancel it. Arm: 0,
 * -ENOSPC (the tenant's limit on armed timers), -EINVAL (delay above one
 * hour), -ENOMEM, -ESHUTDOWN (the protocol is going away). Cancel: 0 or
 * -ENOENT.
 */
extern int bpf_cham_timer_arm(__u32 timer_id, __u64 delay_ns,
			      __u64 cookie) __ksym;
extern int bpf_cham_timer_cancel(__u32 timer_id) __ksym;
/*
 * Any handler: an event for the tenant's agent (CHAM_AGENT_EVENT_HANDLER)
 * with @code and up to CHAM_AGENT_EVENT_DATA_MAX bytes: 0, -ENOTCONN (no
 * agent), -ENOBUFS (its queue is full), -E2BIG.
 */
extern int bpf_cham_agent_notify(__u32 code, const void *data,
				 __u32 data__sz) __ksym;

/* A pointer to a @type at @off in the packet, or NULL past its end. */
#define cham_hdr(ctx, off, type) \
	((type *)bpf_cham_pkt_ptr((ctx), (off), sizeof(type)))

/* RFC 1624 incremental update of a ones'-complement checksum. */
static __always_inline void cham_csum_replace16(__u16 *csum, __u16 from,
						__u16 to)
{
	__u32 sum = (__u16)~*csum + (__u16)~from + to;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	*csum = ~sum;
}

static __always_inline void cham_swap_mac(struct ethhdr *eth)
{
	__u8 tmp[ETH_ALEN];

	__builtin_memcpy(tmp, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, tmp, ETH_ALEN);
}

/*
 * Swap the IP addresses and set a fresh TTL (hop limit): the shape of every
 * reply. Swapping is neutral to the IPv4 header and transport checksums;
 * the TTL change is folded into the header checksum.
 */
static __always_inline int cham_reply_l3(struct cham_ctx *ctx, __u8 ttl)
{
	if (ctx->l3_proto == ETH_P_IP) {
		struct iphdr *iph = cham_hdr(ctx, ctx->l3_off, struct iphdr);
		__be32 addr;

		if (!iph)
			return -1;
		addr = iph->saddr;
		iph->saddr = iph->daddr;
		iph->daddr = addr;
		cham_csum_replace16(&iph->check, bpf_htons(iph->ttl << 8),
				    bpf_htons(ttl << 8));
		iph->ttl = ttl;
		return 0;
	}
	if (ctx->l3_proto == ETH_P_IPV6) {
		struct ipv6hdr *ip6h = cham_hdr(ctx, ctx->l3_off, struct ipv6hdr);
		struct in6_addr addr;

		if (!ip6h)
			return -1;
		addr = ip6h->saddr;
		ip6h->saddr = ip6h->daddr;
		ip6h->daddr = addr;
		ip6h->hop_limit = ttl;
		return 0;
	}
	return -1;
}

/*
 * Turn a UDP or TCP packet into its reply in place: swap the MAC and IP
 * addresses and the transport ports, and set a fresh TTL. Returns 0, or -1
 * (packet untouched) when a header is out of reach.
 */
static __always_inline int cham_reply(struct cham_ctx *pkt, __u8 ttl)
{
	struct ethhdr *eth = cham_hdr(pkt, 0, struct ethhdr);
	__be16 *ports = (__be16 *)bpf_cham_pkt_ptr(pkt, pkt->l4_off, 4);
	__be16 port;

	if (!eth || !ports || cham_reply_l3(pkt, ttl))
		return -1;
	cham_swap_mac(eth);
	port = ports[0];
	ports[0] = ports[1];
	ports[1] = port;
	return 0;
}

char _license[] SEC("license") = "GPL";

#endif /* __CHAMELIO_BPF_H */
