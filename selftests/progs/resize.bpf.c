// SPDX-License-Identifier: GPL-2.0
/*
 * A UDP answer of another length than its question, by the first payload
 * byte, and the packet kfuncs at their bounds.
 *
 * At the tail (bpf_cham_adjust_tail()): '+' appends "12345678"; '-' keeps
 * four payload bytes; '*' asks for more tailroom than a frame has and '!'
 * to cut into the UDP header, both refused, and then dropped.
 *
 * At the head (bpf_cham_adjust_head()), moving the headers with
 * bpf_cham_load_bytes() and bpf_cham_store_bytes(): '>' grows the frame
 * by 8 bytes and answers "grown+8:" and the question; '<' shrinks it by 4
 * and answers the question without its first 4 bytes.
 *
 * 'L' answers the rest of the question (at most 63 bytes, a length the
 * verifier only knows bounded) with one variable-length load and store.
 *
 * 'B' answers 16 status characters, one per call at a bound (see
 * bounds_reply()): '0' and '1' for those results, 'I' for -EINVAL, 'B' for
 * -EBADMSG, 'O' for -EOPNOTSUPP, 'u' for an unchanged context, 'X' for a
 * result that is wrong in another way, '?' for any other error.
 */
#include "chamelio.bpf.h"

#define EINVAL		22
#define EBADMSG		74
#define EOPNOTSUPP	95

/* Room for the headers in front of the payload that these tests send. */
#define HDR_MAX		256
#define COPY_MAX	64

static __always_inline int resize_reply(struct cham_ctx *pkt)
{
	if (cham_reply(pkt, 64) || bpf_cham_csum_l4_update(pkt))
		return CHAM_VERDICT_DROP;
	return CHAM_VERDICT_TX;
}

/*
 * Adds @delta to the IP and UDP lengths of the headers the context
 * describes, IPv4 header checksum included.
 */
static __always_inline int add_lengths(struct cham_ctx *pkt, int delta)
{
	struct udphdr *udp;

	if (pkt->l3_proto == ETH_P_IP) {
		struct iphdr *iph = cham_hdr(pkt, pkt->l3_off, struct iphdr);

		if (!iph)
			return -1;
		iph->tot_len = bpf_htons(bpf_ntohs(iph->tot_len) + delta);
		if (bpf_cham_csum_l3_update(pkt))
			return -1;
	} else {
		struct ipv6hdr *ip6h = cham_hdr(pkt, pkt->l3_off, struct ipv6hdr);

		if (!ip6h)
			return -1;
		ip6h->payload_len = bpf_htons(bpf_ntohs(ip6h->payload_len) +
					      delta);
	}
	udp = cham_hdr(pkt, pkt->l4_off, struct udphdr);
	if (!udp)
		return -1;
	udp->len = bpf_htons(bpf_ntohs(udp->len) + delta);
	return 0;
}

/*
 * Encapsulation's shape: 8 new bytes in front, the headers moved there,
 * and 8 bytes of our own between them and the question.
 */
static __always_inline int grow_head(struct cham_ctx *pkt)
{
	char grown[8] = { 'g', 'r', 'o', 'w', 'n', '+', '8', ':' };
	__u32 hdr_len = pkt->payload_off, l4_len = pkt->l4_len;
	__u8 hdr[HDR_MAX] = {};

	/* A bound the verifier sees: hdr_len <= sizeof(hdr) below. */
	if (hdr_len > sizeof(hdr))
		return CHAM_VERDICT_DROP;
	if (bpf_cham_adjust_head(pkt, 8))
		return CHAM_VERDICT_DROP;
	/*
	 * The context still describes the headers, now 8 bytes further.
	 * (Not "hdr_len + 8 != ...": the 6.12 verifier then loses the bound
	 * of hdr_len it needs for the copies below.)
	 */
	if (pkt->payload_off - 8 != hdr_len || add_lengths(pkt, 8))
		return CHAM_VERDICT_DROP;
	if (bpf_cham_load_bytes(pkt, 8, hdr, hdr_len) ||
	    bpf_cham_store_bytes(pkt, 0, hdr, hdr_len) ||
	    bpf_cham_store_bytes(pkt, hdr_len, grown, sizeof(grown)))
		return CHAM_VERDICT_DROP;
	if (bpf_cham_parse(pkt) || pkt->payload_off != hdr_len ||
	    pkt->l4_len != l4_len + 8)
		return CHAM_VERDICT_DROP;
	return resize_reply(pkt);
}

/* Decapsulation's shape: the headers move 4 bytes on, over the payload. */
static __always_inline int shrink_head(struct cham_ctx *pkt, __u32 payload)
{
	__u32 hdr_len = pkt->payload_off & (HDR_MAX - 1);
	__u32 l3_off = pkt->l3_off, l4_len = pkt->l4_len;
	__u8 hdr[HDR_MAX] = {};

	if (hdr_len != pkt->payload_off || payload < 4 || add_lengths(pkt, -4))
		return CHAM_VERDICT_DROP;
	if (bpf_cham_load_bytes(pkt, 0, hdr, hdr_len) ||
	    bpf_cham_store_bytes(pkt, 4, hdr, hdr_len))
		return CHAM_VERDICT_DROP;
	/* The rest parses again: the context describes it. */
	if (bpf_cham_adjust_head(pkt, -4) || pkt->payload_off != hdr_len ||
	    pkt->l3_off != l3_off || pkt->l4_len != l4_len - 4)
		return CHAM_VERDICT_DROP;
	return resize_reply(pkt);
}

/* The rest of the question moved one byte forward: the 'L' dropped. */
static __always_inline int copy_rest(struct cham_ctx *pkt, __u32 payload)
{
	__u32 n = (payload - 1) & (COPY_MAX - 1);
	__u8 buf[COPY_MAX] = {};

	if (payload - 1 >= COPY_MAX)
		return CHAM_VERDICT_DROP;
	/* The range ends exactly at the end of the frame. */
	if (bpf_cham_load_bytes(pkt, pkt->payload_off + 1, buf, n) ||
	    bpf_cham_store_bytes(pkt, pkt->payload_off, buf, n) ||
	    bpf_cham_compare_bytes(pkt, pkt->payload_off, buf, n) ||
	    bpf_cham_adjust_tail(pkt, -1))
		return CHAM_VERDICT_DROP;
	return resize_reply(pkt);
}

static __always_inline char status(int ret)
{
	switch (ret) {
	case 0:
		return '0';
	case 1:
		return '1';
	case -EINVAL:
		return 'I';
	case -EBADMSG:
		return 'B';
	case -EOPNOTSUPP:
		return 'O';
	}
	return '?';
}

/*
 * The calls at their bounds, on a question of 32 bytes or more; the
 * answer expected is "00I0I0I01I00BuII" (see the test).
 */
static __always_inline int bounds_reply(struct cham_ctx *pkt, __u32 payload)
{
	__u32 len = pkt->len, l3_off = pkt->l3_off;
	__u8 buf[16] = {}, probe[16], st[16] = {};
	int i, ret;

	if (payload < 32)
		return CHAM_VERDICT_DROP;
	__builtin_memset(probe, 0xaa, sizeof(probe));
	/* Nothing, then the last 16 bytes, then one byte too far. */
	st[0] = status(bpf_cham_load_bytes(pkt, pkt->payload_off, buf, 0));
	st[1] = status(bpf_cham_load_bytes(pkt, len - 16, buf, 16));
	st[2] = status(bpf_cham_load_bytes(pkt, len - 15, probe, 16));
	for (i = 0; i < sizeof(probe); i++)
		if (probe[i] != 0xaa)
			st[2] = 'X';
	st[3] = status(bpf_cham_store_bytes(pkt, len - 16, buf, 16));
	st[4] = status(bpf_cham_store_bytes(pkt, len - 15, buf, 16));
	/* 0 bytes at the end are within the frame, past it not. */
	st[5] = status(bpf_cham_store_bytes(pkt, len, buf, 0));
	st[6] = status(bpf_cham_load_bytes(pkt, len + 1, buf, 0));
	st[7] = status(bpf_cham_compare_bytes(pkt, len - 16, buf, 16));
	buf[15] ^= 1;
	st[8] = status(bpf_cham_compare_bytes(pkt, len - 16, buf, 16));
	st[9] = status(bpf_cham_compare_bytes(pkt, len - 15, buf, 16));
	st[10] = status(bpf_cham_compare_bytes(pkt, len, buf, 0));
	st[11] = status(bpf_cham_parse(pkt));
	/* What is left 4 bytes in is no Ethernet frame. */
	st[12] = status(bpf_cham_adjust_head(pkt, -4));
	st[13] = pkt->len == len && pkt->l3_off == l3_off ? 'u' : 'X';
	st[14] = status(bpf_cham_adjust_head(pkt, -(int)(len - ETH_HLEN + 1)));
	st[15] = status(bpf_cham_adjust_head(pkt, 4096));

	ret = bpf_cham_adjust_tail(pkt, (int)sizeof(st) - (int)payload);
	if (ret || bpf_cham_store_bytes(pkt, pkt->payload_off, st, sizeof(st)))
		return CHAM_VERDICT_DROP;
	return resize_reply(pkt);
}

SEC("struct_ops/resize_rx")
int BPF_PROG(resize_rx, struct cham_ctx *pkt)
{
	__u32 payload = pkt->l4_len - (pkt->payload_off - pkt->l4_off);
	__u8 *cmd, *tail;

	if (pkt->l4_proto != IPPROTO_UDP || bpf_cham_csum_l4_valid(pkt))
		return CHAM_VERDICT_DROP;
	cmd = bpf_cham_pkt_ptr(pkt, pkt->payload_off, 1);
	if (!cmd)
		return CHAM_VERDICT_DROP;
	switch (*cmd) {
	case '+':
		if (bpf_cham_adjust_tail(pkt, 8))
			return CHAM_VERDICT_DROP;
		/* Taken again: the packet changed under the old pointers. */
		tail = bpf_cham_pkt_ptr(pkt, pkt->l4_off + pkt->l4_len - 8, 8);
		if (!tail)
			return CHAM_VERDICT_DROP;
		__builtin_memcpy(tail, "12345678", 8);
		return resize_reply(pkt);
	case '-':
		if (payload < 4 || bpf_cham_adjust_tail(pkt, 4 - (int)payload))
			return CHAM_VERDICT_DROP;
		return resize_reply(pkt);
	case '*':
		if (bpf_cham_adjust_tail(pkt, 8192))
			return CHAM_VERDICT_DROP;
		return resize_reply(pkt);
	case '!':
		if (bpf_cham_adjust_tail(pkt, -(int)payload - 1))
			return CHAM_VERDICT_DROP;
		return resize_reply(pkt);
	case '>':
		return grow_head(pkt);
	case '<':
		return shrink_head(pkt, payload);
	case 'L':
		return copy_rest(pkt, payload);
	case 'B':
		return bounds_reply(pkt, payload);
	}
	return CHAM_VERDICT_DROP;
}

SEC(".struct_ops.link")
struct cham_proto_ops resize = {
	.rx = (void *)resize_rx,
	.name = "resize",
	.tenant = "alpha",
};
