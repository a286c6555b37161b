// SPDX-License-Identifier: GPL-2.0
/*
 * The kfuncs a tenant handler reaches and edits its packet with: pointers
 * to bytes, copies and comparisons of variable-length ranges, checksums,
 * and changes of length at either end. dispatch.c registers them.
 *
 * The invariant they keep: the handler's context (read-only to BPF)
 * describes the frame as it is. Its offsets always name bytes within the
 * frame: the parser found them there, or they moved with those bytes when
 * the frame grew. The checksum kfuncs rely on it; so does egress
 * validation, which parses the frame again after the handler whatever the
 * context says.
 */
#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/filter.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/string.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/ip6_checksum.h>
#include <net/xdp.h>

#include "chamelio.h"
#include "packet.h"
#include "parse.h"

__bpf_kfunc_start_defs();

/**
 * bpf_cham_pkt_ptr() - reach packet bytes from a tenant handler
 * @ctx: the handler's context
 * @offset: offset from the start of the frame
 * @rdwr_buf_size: how many bytes, a constant the verifier checks accesses
 *	against
 *
 * Return: a readable and writable pointer to @rdwr_buf_size bytes at
 * @offset, or NULL when they are not all within the frame.
 */
__bpf_kfunc u8 *bpf_cham_pkt_ptr(struct cham_ctx *ctx, u32 offset,
				 const u32 rdwr_buf_size)
{
	struct cham_rx *rx = container_of(ctx, struct cham_rx, ctx);
	u32 len = rx->xdp->data_end - rx->xdp->data;

	/* A size of 0 would give the handler one read-only byte (6.12). */
	if (!rdwr_buf_size || offset > len || rdwr_buf_size > len - offset)
		return NULL;
	return rx->xdp->data + offset;
}

/*
 * The handler may have rewritten any header byte, so the checksum kfuncs
 * trust only the offsets the parser found (ctx is read-only to BPF) and
 * re-check the lengths they read from the packet.
 */
static struct iphdr *cham_ipv4_header(struct cham_rx *rx)
{
	struct iphdr *iph = rx->xdp->data + rx->ctx.l3_off;

	if (rx->ctx.l3_proto != ETH_P_IP ||
	    rx->ctx.l3_off + iph->ihl * 4 > rx->ctx.len || iph->ihl < 5)
		return NULL;
	return iph;
}

/**
 * bpf_cham_csum_l3_update() - recompute the IPv4 header checksum
 * @ctx: the handler's context
 *
 * Return: 0, or -EINVAL when the packet is not IPv4 or its header length
 * was rewritten to something invalid.
 */
__bpf_kfunc int bpf_cham_csum_l3_update(struct cham_ctx *ctx)
{
	struct cham_rx *rx = container_of(ctx, struct cham_rx, ctx);
	struct iphdr *iph = cham_ipv4_header(rx);

	if (!iph)
		return -EINVAL;
	iph->check = 0;
	iph->check = ip_fast_csum(iph, iph->ihl);
	return 0;
}

/*
 * Where the transport checksum is and whether it can be computed: the
 * checks bpf_cham_csum_l4_update() and bpf_cham_csum_l4_valid() share.
 */
static int cham_l4_csum_field(struct cham_rx *rx, __sum16 **check,
			      const struct iphdr **iph)
{
	const struct cham_ctx *ctx = &rx->ctx;
	void *l4 = rx->xdp->data + ctx->l4_off;

	if (ctx->l4_proto == IPPROTO_UDP)
		*check = &((struct udphdr *)l4)->check;
	else if (ctx->l4_proto == IPPROTO_TCP)
		*check = &((struct tcphdr *)l4)->check;
	else
		return -EINVAL;
	*iph = ctx->l3_proto == ETH_P_IP ? cham_ipv4_header(rx) : NULL;
	if (ctx->l3_proto == ETH_P_IP && !*iph)
		return -EINVAL;
	if (rx->ipv6_routing_header)
		return -EOPNOTSUPP;
	return 0;
}

/*
 * The folded checksum of the segment as it is, pseudo-header (with the
 * addresses now in the IP header) included: 0 when the checksum field is
 * right.
 */
static __sum16 cham_l4_csum_fold(struct cham_rx *rx, const struct iphdr *iph)
{
	const struct cham_ctx *ctx = &rx->ctx;
	const struct ipv6hdr *ip6h;
	u32 len = ctx->l4_len;
	__wsum sum;

	sum = csum_partial(rx->xdp->data + ctx->l4_off, len, 0);
	if (iph)
		return csum_tcpudp_magic(iph->saddr, iph->daddr, len,
					 ctx->l4_proto, sum);
	ip6h = rx->xdp->data + ctx->l3_off;
	return csum_ipv6_magic(&ip6h->saddr, &ip6h->daddr, len, ctx->l4_proto,
			       sum);
}

/**
 * bpf_cham_csum_l4_update() - recompute the UDP or TCP checksum
 * @ctx: the handler's context
 *
 * Covers the pseudo-header (with the addresses now in the IP header) and the
 * whole transport segment, so it is correct after any rewrite of addresses,
 * ports or payload.
 *
 * Return: 0, -EINVAL for other transports or an invalid IPv4 header, or
 * -EOPNOTSUPP behind an IPv6 routing header (the pseudo-header would need
 * the final destination).
 */
__bpf_kfunc int bpf_cham_csum_l4_update(struct cham_ctx *ctx)
{
	struct cham_rx *rx = container_of(ctx, struct cham_rx, ctx);
	const struct iphdr *iph;
	__sum16 *check;
	int err;

	err = cham_l4_csum_field(rx, &check, &iph);
	if (err)
		return err;
	*check = 0;
	*check = cham_l4_csum_fold(rx, iph);
	if (ctx->l4_proto == IPPROTO_UDP && !*check)
		*check = CSUM_MANGLED_0;
	return 0;
}

/**
 * bpf_cham_csum_l4_valid() - verify the UDP or TCP checksum of the packet
 * @ctx: the handler's context
 *
 * The parser does not verify transport checksums (it would cost every
 * packet a pass over its payload); a protocol that answers or forwards
 * what it receives calls this first, so that it never reflects a corrupt
 * segment with a valid-looking checksum of its own. Costs one pass over
 * the segment.
 *
 * Return: 0 when the checksum is right (a UDP-over-IPv4 checksum of 0
 * means none was computed and is accepted), -EBADMSG when it is wrong,
 * -EINVAL for other transports or an invalid IPv4 header, -EOPNOTSUPP
 * behind an IPv6 routing header.
 */
__bpf_kfunc int bpf_cham_csum_l4_valid(struct cham_ctx *ctx)
{
	struct cham_rx *rx = container_of(ctx, struct cham_rx, ctx);
	const struct iphdr *iph;
	__sum16 *check;
	int err;

	err = cham_l4_csum_field(rx, &check, &iph);
	if (err)
		return err;
	if (ctx->l4_proto == IPPROTO_UDP && iph && !*check)
		return 0;
	return cham_l4_csum_fold(rx, iph) ? -EBADMSG : 0;
}

/*
 * The IP header's length and, for UDP, the UDP length, for a transport
 * segment that now ends at the end of the frame.
 */
static void cham_set_lengths(struct cham_rx *rx)
{
	struct cham_ctx *ctx = &rx->ctx;
	void *data = rx->xdp->data;
	struct ipv6hdr *ip6h;
	struct iphdr *iph;

	if (ctx->l3_proto == ETH_P_IP) {
		iph = data + ctx->l3_off;
		csum_replace2(&iph->check, iph->tot_len,
			      htons(ctx->len - ctx->l3_off));
		iph->tot_len = htons(ctx->len - ctx->l3_off);
	} else {
		ip6h = data + ctx->l3_off;
		ip6h->payload_len = htons(ctx->len - ctx->l3_off -
					  sizeof(*ip6h));
	}
	if (ctx->l4_proto == IPPROTO_UDP)
		((struct udphdr *)(data + ctx->l4_off))->len =
			htons(ctx->l4_len);
}

/**
 * bpf_cham_adjust_tail() - grow or shrink a packet at its end
 * @ctx: the handler's context
 * @delta: bytes to add at the end of the transport segment (positive) or
 *	to remove from it (negative)
 *
 * Ethernet padding, if the frame had any, goes first: the segment then
 * ends the frame. It grows by @delta zeroed bytes, or loses its last
 * -@delta bytes. The IP header follows (IPv4 total length and header
 * checksum, IPv6 payload length), and for UDP the UDP length; so do
 * &cham_ctx.len and &cham_ctx.l4_len. The transport checksum does not:
 * write the payload, then call bpf_cham_csum_l4_update(). Pointers from
 * bpf_cham_pkt_ptr() taken before the call may now reach past the end of
 * the packet: take them again.
 *
 * Return: 0; -EINVAL when the segment would lose its transport header,
 * the IP packet would exceed 65535 bytes, or the frame would outgrow the
 * buffer's tailroom (nothing changes then); -EOPNOTSUPP for a frame in
 * several buffers, or when the IPv4 header was rewritten invalid.
 */
__bpf_kfunc int bpf_cham_adjust_tail(struct cham_ctx *ctx, int delta)
{
	struct cham_rx *rx = container_of(ctx, struct cham_rx, ctx);
	struct xdp_buff *xdp = rx->xdp;
	u32 end = ctx->l4_off + ctx->l4_len;
	s64 new_len = (s64)end + delta;

	if (xdp_buff_has_frags(xdp) ||
	    (ctx->l3_proto == ETH_P_IP && !cham_ipv4_header(rx)))
		return -EOPNOTSUPP;
	if (new_len < ctx->payload_off || new_len - ctx->l3_off > U16_MAX ||
	    new_len > xdp_data_hard_end(xdp) - xdp->data)
		return -EINVAL;
	/* The tailroom may hold another packet's bytes. */
	if (delta > 0)
		memset(xdp->data + end, 0, delta);
	xdp->data_end = xdp->data + new_len;
	ctx->len = new_len;
	ctx->l4_len = new_len - ctx->l4_off;
	cham_set_lengths(rx);
	return 0;
}

/*
 * Whether @size bytes at @offset are all within the frame. Of a frame in
 * several buffers, a handler reaches the first one.
 */
static bool cham_range_ok(const struct cham_rx *rx, u32 offset, u32 size)
{
	u32 len = rx->xdp->data_end - rx->xdp->data;

	return offset <= len && size <= len - offset;
}

/**
 * bpf_cham_load_bytes() - copy bytes out of the packet
 * @ctx: the handler's context
 * @offset: offset from the start of the frame
 * @to: where to copy them: the handler's stack, a map value, or packet
 *	bytes from bpf_cham_pkt_ptr() (overlapping ranges are fine)
 * @to__sz: how many: a constant, or a variable the verifier can bound by
 *	the size of @to; 0 is allowed
 *
 * Unlike bpf_cham_pkt_ptr(), the length need not be a constant: this is
 * how a handler copies a variable-length field without a loop.
 *
 * Return: 0, or -EINVAL when the range is not all within the frame (@to
 * is left untouched then).
 */
__bpf_kfunc int bpf_cham_load_bytes(struct cham_ctx *ctx, u32 offset,
				    void *to, u32 to__sz)
{
	struct cham_rx *rx = container_of(ctx, struct cham_rx, ctx);

	if (!cham_range_ok(rx, offset, to__sz))
		return -EINVAL;
	memmove(to, rx->xdp->data + offset, to__sz);
	return 0;
}

/**
 * bpf_cham_store_bytes() - copy bytes into the packet
 * @ctx: the handler's context
 * @offset: offset from the start of the frame
 * @from: the bytes: the handler's stack, a map value, or packet bytes
 *	from bpf_cham_pkt_ptr() (overlapping ranges are fine)
 * @from__sz: how many: a constant, or a variable the verifier can bound
 *	by the size of @from; 0 is allowed
 *
 * Checksums are not updated: call bpf_cham_csum_l4_update() (and
 * bpf_cham_csum_l3_update() after an IPv4 header change) when done.
 *
 * Return: 0, or -EINVAL when the range is not all within the frame (the
 * packet is left untouched then).
 */
__bpf_kfunc int bpf_cham_store_bytes(struct cham_ctx *ctx, u32 offset,
				     const void *from, u32 from__sz)
{
	struct cham_rx *rx = container_of(ctx, struct cham_rx, ctx);

	if (!cham_range_ok(rx, offset, from__sz))
		return -EINVAL;
	memmove(rx->xdp->data + offset, from, from__sz);
	return 0;
}

/**
 * bpf_cham_compare_bytes() - compare packet bytes with a buffer
 * @ctx: the handler's context
 * @offset: offset from the start of the frame
 * @buf: the bytes to compare with
 * @buf__sz: how many: a constant, or a variable the verifier can bound by
 *	the size of @buf; 0 is allowed (and compares equal)
 *
 * Return: 0 when the @buf__sz bytes at @offset equal @buf, 1 when they
 * differ, -EINVAL when the range is not all within the frame.
 */
__bpf_kfunc int bpf_cham_compare_bytes(struct cham_ctx *ctx, u32 offset,
				       const void *buf, u32 buf__sz)
{
	struct cham_rx *rx = container_of(ctx, struct cham_rx, ctx);

	if (!cham_range_ok(rx, offset, buf__sz))
		return -EINVAL;
	return memcmp(rx->xdp->data + offset, buf, buf__sz) ? 1 : 0;
}

static unsigned long cham_metalen(const struct xdp_buff *xdp)
{
	return xdp_data_meta_unsupported(xdp) ? 0 : xdp->data - xdp->data_meta;
}

/*
 * Moves the start of the frame @grow bytes back (forward when negative),
 * with the XDP metadata in front of it, as bpf_xdp_adjust_head() does.
 */
static void cham_move_head(struct xdp_buff *xdp, int grow)
{
	unsigned long metalen = cham_metalen(xdp);

	if (metalen)
		memmove(xdp->data_meta - grow, xdp->data_meta, metalen);
	/* Moved even when unsupported: it stays past data, the marker. */
	xdp->data_meta -= grow;
	xdp->data -= grow;
}

/**
 * bpf_cham_adjust_head() - grow or shrink a packet at its front
 * @ctx: the handler's context
 * @delta: bytes to add in front of the frame (positive: encapsulation) or
 *	to remove from it (negative: decapsulation)
 *
 * Growing adds @delta zeroed bytes in front of the frame, for the handler
 * to write new headers into. The context keeps describing the same bytes:
 * &cham_ctx.len grows by @delta and its offsets move by @delta; after
 * writing the new headers, bpf_cham_parse() makes it describe them.
 *
 * Shrinking removes the first -@delta bytes. What remains must parse as a
 * frame the fast path takes (Ethernet, VLAN tags, IPv4 with a valid header
 * checksum or IPv6, lengths that fit the frame); the context then
 * describes it, as bpf_cham_parse() would.
 *
 * Either way, pointers from bpf_cham_pkt_ptr() taken before the call point
 * to other bytes, or outside the packet: take them again. No checksum or
 * length field is changed.
 *
 * Return: 0; -EINVAL when the frame would grow into the headroom XDP
 * keeps for its frame descriptor and metadata, or keep fewer than
 * ETH_HLEN bytes; -EBADMSG when what would remain after shrinking does not
 * parse; -EOPNOTSUPP for a frame in several buffers. Nothing changes on
 * error.
 */
__bpf_kfunc int bpf_cham_adjust_head(struct cham_ctx *ctx, int delta)
{
	struct cham_rx *rx = container_of(ctx, struct cham_rx, ctx);
	struct xdp_buff *xdp = rx->xdp;
	void *data = xdp->data - (long)delta;
	void *data_start = xdp->data_hard_start + sizeof(struct xdp_frame) +
			   cham_metalen(xdp);
	struct cham_pkt pkt;

	if (xdp_buff_has_frags(xdp))
		return -EOPNOTSUPP;
	if (data < data_start || data > xdp->data_end - ETH_HLEN)
		return -EINVAL;
	if (delta > 0) {
		/* The context's offsets are 16 bits wide. */
		if (ctx->payload_off + delta > U16_MAX)
			return -EINVAL;
		cham_move_head(xdp, delta);
		/* The headroom may hold a previous packet's bytes. */
		memset(xdp->data, 0, delta);
		ctx->len += delta;
		ctx->l3_off += delta;
		ctx->l4_off += delta;
		ctx->payload_off += delta;
		return 0;
	}
	if (!delta)
		return 0;
	if (!cham_parse(data, xdp->data_end, &pkt))
		return -EBADMSG;
	cham_move_head(xdp, delta);
	cham_rx_describe(rx, &pkt, xdp->data_end - xdp->data);
	return 0;
}

/**
 * bpf_cham_parse() - make the context describe the packet as it is now
 * @ctx: the handler's context
 *
 * For a handler that wrote new headers (after bpf_cham_adjust_head(), or
 * rewriting lengths or protocols): parses the frame as the fast path does
 * and sets &cham_ctx.len, the offsets, &cham_ctx.l4_len, the protocols and
 * &cham_ctx.vlan_depth, which the checksum kfuncs and bpf_cham_adjust_tail()
 * then work from. IPv4 headers must have a valid header checksum already
 * (bpf_cham_csum_l3_update() works from the old context: fold a length
 * change into the checksum first, or set the length before moving the
 * header).
 *
 * Return: 0, or -EBADMSG (context unchanged) when the frame does not parse.
 */
__bpf_kfunc int bpf_cham_parse(struct cham_ctx *ctx)
{
	struct cham_rx *rx = container_of(ctx, struct cham_rx, ctx);
	struct xdp_buff *xdp = rx->xdp;
	struct cham_pkt pkt;

	if (!cham_parse(xdp->data, xdp->data_end, &pkt))
		return -EBADMSG;
	cham_rx_describe(rx, &pkt, xdp->data_end - xdp->data);
	return 0;
}

__bpf_kfunc_end_defs();
