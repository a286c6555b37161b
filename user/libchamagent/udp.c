// SPDX-License-Identifier: GPL-2.0
/*
 * libchamagent: UDP frames, and the header walking and checksums the
 * fragment code shares. Frames are byte arrays read with explicit
 * offsets and byte order: a punted frame has no alignment to rely on.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "internal.h"

#define ETH_P_8021Q_	0x8100
#define ETH_P_8021AD_	0x88a8
#define REPLY_TTL	64

int frame_l3(const uint8_t *frame, size_t len, struct l3_view *view)
{
	size_t off = ETH_HDR_LEN;
	uint16_t type;
	int tags = 0;

	if (len < ETH_HDR_LEN)
		return -EINVAL;
	type = get_be16(frame + 12);
	while (type == ETH_P_8021Q_ || type == ETH_P_8021AD_) {
		if (++tags > MAX_VLAN_TAGS || len < off + VLAN_HDR_LEN)
			return -EINVAL;
		type = get_be16(frame + off + 2);
		off += VLAN_HDR_LEN;
	}
	if (type != ETH_P_IP && type != ETH_P_IPV6)
		return -EINVAL;
	view->l3_off = off;
	view->ethertype = type;
	return 0;
}

int ip_datagram(const uint8_t *frame, size_t len, const struct l3_view *l3,
		size_t *hdr_len, size_t *ip_end)
{
	const uint8_t *ip = frame + l3->l3_off;

	if (l3->ethertype == ETH_P_IP) {
		if (len < l3->l3_off + IPV4_HDR_LEN || ip[0] >> 4 != 4)
			return -EINVAL;
		*hdr_len = (ip[0] & 0xf) * 4u;
		*ip_end = l3->l3_off + get_be16(ip + 2);
		if (*hdr_len < IPV4_HDR_LEN || *ip_end > len ||
		    *ip_end < l3->l3_off + *hdr_len)
			return -EINVAL;
		return 0;
	}
	if (len < l3->l3_off + IPV6_HDR_LEN || ip[0] >> 4 != 6)
		return -EINVAL;
	*hdr_len = IPV6_HDR_LEN;
	*ip_end = l3->l3_off + IPV6_HDR_LEN + get_be16(ip + 4);
	return *ip_end > len ? -EINVAL : 0;
}

int ipv6_walk(const uint8_t *frame, size_t len, size_t l3_off,
	      bool stop_at_fragment, struct ipv6_walk *walk)
{
	size_t off = l3_off + IPV6_HDR_LEN, nh_off = l3_off + 6;
	uint8_t nh;
	int depth;

	if (len < off)
		return -EINVAL;
	nh = frame[nh_off];
	/* Bounded like the module's parser: a chain cannot loop. */
	for (depth = 0; depth < 8; depth++) {
		if (nh == IPPROTO_FRAGMENT && !stop_at_fragment) {
			if (len < off + IPV6_FRAG_HDR_LEN)
				return -EINVAL;
			nh_off = off;
			nh = frame[off];
			off += IPV6_FRAG_HDR_LEN;
			continue;
		}
		if (!ipv6_is_ext(nh))
			break;
		if (len < off + 2)
			return -EINVAL;
		nh_off = off;
		nh = frame[off];
		off += (frame[off + 1] + 1) * 8;
		if (len < off)
			return -EINVAL;
	}
	if (ipv6_is_ext(nh))
		return -EINVAL;
	walk->end = off;
	walk->last_nh_off = nh_off;
	walk->nexthdr = nh;
	return 0;
}

uint32_t csum_add(uint32_t sum, const uint8_t *data, size_t len)
{
	uint64_t acc = sum;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		acc += get_be16(data + i);
	if (len & 1)
		acc += (uint16_t)(data[len - 1] << 8);
	while (acc >> 32)
		acc = (acc & 0xffffffff) + (acc >> 32);
	return (uint32_t)acc;
}

uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

void ipv4_set_csum(uint8_t *ip, size_t hdr_len)
{
	put_be16(ip + 10, 0);
	put_be16(ip + 10, csum_fold(csum_add(0, ip, hdr_len)));
}

uint32_t ip_new_id(void)
{
	static _Atomic uint32_t next;
	static _Atomic int seeded;
	uint32_t seed;

	/* Random start: ids must not repeat across restarts of an agent. */
	if (!atomic_exchange(&seeded, 1)) {
		if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed))
			seed = (uint32_t)(uintptr_t)&seed;
		atomic_store(&next, seed);
	}
	return atomic_fetch_add(&next, 1);
}

/* The sum of the pseudo-header and the UDP header and payload. */
static uint32_t udp_sum(const uint8_t *frame, const struct cham_udp_view *v)
{
	size_t udp_len = UDP_HDR_LEN + v->payload_len;
	const uint8_t *ip = frame + v->l3_off;
	uint8_t pseudo[8] = { 0 };
	uint32_t sum;

	if (v->family == AF_INET) {
		sum = csum_add(0, ip + 12, 8);
		pseudo[1] = IPPROTO_UDP;
		put_be16(pseudo + 2, (uint16_t)udp_len);
		sum = csum_add(sum, pseudo, 4);
	} else {
		sum = csum_add(0, ip + 8, 32);
		put_be32(pseudo, (uint32_t)udp_len);
		pseudo[7] = IPPROTO_UDP;
		sum = csum_add(sum, pseudo, 8);
	}
	return csum_add(sum, frame + v->l4_off, udp_len);
}

/* Computes and stores the UDP checksum of a frame @v describes. */
static void udp_set_csum(uint8_t *frame, const struct cham_udp_view *v)
{
	uint16_t csum;

	put_be16(frame + v->l4_off + 6, 0);
	csum = csum_fold(udp_sum(frame, v));
	/* 0 means "no checksum": a computed 0 is sent as its other form. */
	put_be16(frame + v->l4_off + 6, csum ? csum : 0xffff);
}

int cham_udp_parse(const void *frame_, size_t len, struct cham_udp_view *view)
{
	const uint8_t *frame = frame_;
	struct ipv6_walk walk;
	struct l3_view l3;
	size_t ip_end, hdr_len;
	const uint8_t *ip;

	if (frame_l3(frame, len, &l3) ||
	    ip_datagram(frame, len, &l3, &hdr_len, &ip_end))
		return -EINVAL;
	ip = frame + l3.l3_off;
	if (l3.ethertype == ETH_P_IP) {
		/* More fragments, or an offset: a fragment. */
		if (get_be16(ip + 6) & 0x3fff)
			return -EINVAL;
		if (ip[9] != IPPROTO_UDP)
			return -EINVAL;
		view->family = AF_INET;
		view->l4_off = l3.l3_off + hdr_len;
	} else {
		if (ipv6_walk(frame, ip_end, l3.l3_off, true, &walk) ||
		    walk.nexthdr != IPPROTO_UDP)
			return -EINVAL;
		view->family = AF_INET6;
		view->l4_off = walk.end;
	}
	if (ip_end < view->l4_off + UDP_HDR_LEN ||
	    get_be16(frame + view->l4_off + 4) != ip_end - view->l4_off)
		return -EINVAL;
	view->l3_off = l3.l3_off;
	view->payload_off = view->l4_off + UDP_HDR_LEN;
	view->payload_len = ip_end - view->payload_off;
	view->src_port = get_be16(frame + view->l4_off);
	view->dst_port = get_be16(frame + view->l4_off + 2);
	return 0;
}

int cham_udp_csum_valid(const void *frame, const struct cham_udp_view *view)
{
	const uint8_t *f = frame;

	if (!get_be16(f + view->l4_off + 6))
		return view->family == AF_INET;
	/* The sum over a correct checksum folds to 0xffff (complement 0). */
	return csum_fold(udp_sum(f, view)) == 0;
}

ssize_t cham_udp_reply(const void *request, size_t request_len,
		       const void *payload, size_t payload_len,
		       void *out_, size_t out_size)
{
	const uint8_t *req = request;
	struct cham_udp_view rv, v;
	uint8_t *out = out_, *ip;
	size_t l3_len, total;

	if (cham_udp_parse(request, request_len, &rv))
		return -EINVAL;
	l3_len = rv.family == AF_INET ? IPV4_HDR_LEN : IPV6_HDR_LEN;
	if (UDP_HDR_LEN + payload_len > IP_DATAGRAM_MAX - (rv.family ==
	    AF_INET ? IPV4_HDR_LEN : 0))
		return -EMSGSIZE;
	total = rv.l3_off + l3_len + UDP_HDR_LEN + payload_len;
	if (total > out_size)
		return -EMSGSIZE;

	/* Link layer: the request's, addresses swapped, tags kept. */
	memcpy(out, req + 6, 6);
	memcpy(out + 6, req, 6);
	memcpy(out + 12, req + 12, rv.l3_off - 12);

	ip = out + rv.l3_off;
	if (rv.family == AF_INET) {
		const uint8_t *rip = req + rv.l3_off;

		ip[0] = 0x45;
		ip[1] = rip[1];		/* DSCP and ECN as asked */
		put_be16(ip + 2, (uint16_t)(l3_len + UDP_HDR_LEN + payload_len));
		put_be16(ip + 4, (uint16_t)ip_new_id());
		put_be16(ip + 6, 0);
		ip[8] = REPLY_TTL;
		ip[9] = IPPROTO_UDP;
		memcpy(ip + 12, rip + 16, 4);
		memcpy(ip + 16, rip + 12, 4);
		ipv4_set_csum(ip, IPV4_HDR_LEN);
	} else {
		const uint8_t *rip = req + rv.l3_off;

		memcpy(ip, rip, 4);	/* version, traffic class, flow label */
		put_be16(ip + 4, (uint16_t)(UDP_HDR_LEN + payload_len));
		ip[6] = IPPROTO_UDP;
		ip[7] = REPLY_TTL;
		memcpy(ip + 8, rip + 24, 16);
		memcpy(ip + 24, rip + 8, 16);
	}

	v.family = rv.family;
	v.l3_off = rv.l3_off;
	v.l4_off = rv.l3_off + l3_len;
	v.payload_off = v.l4_off + UDP_HDR_LEN;
	v.payload_len = payload_len;
	put_be16(out + v.l4_off, rv.dst_port);
	put_be16(out + v.l4_off + 2, rv.src_port);
	put_be16(out + v.l4_off + 4, (uint16_t)(UDP_HDR_LEN + payload_len));
	/* memmove: the caller may build the reply over its own payload. */
	memmove(out + v.payload_off, payload, payload_len);
	udp_set_csum(out, &v);
	return (ssize_t)total;
}

int cham_udp_swap(void *frame_, size_t len)
{
	uint8_t *frame = frame_, tmp[16], *ip;
	struct cham_udp_view v;
	bool had_csum;
	size_t alen;

	if (cham_udp_parse(frame, len, &v))
		return -EINVAL;
	memcpy(tmp, frame, 6);
	memcpy(frame, frame + 6, 6);
	memcpy(frame + 6, tmp, 6);

	ip = frame + v.l3_off;
	alen = v.family == AF_INET ? 4 : 16;
	/* Source and destination are adjacent in both IP headers. */
	memcpy(tmp, ip + (v.family == AF_INET ? 12 : 8), alen);
	memmove(ip + (v.family == AF_INET ? 12 : 8),
		ip + (v.family == AF_INET ? 12 : 8) + alen, alen);
	memcpy(ip + (v.family == AF_INET ? 12 : 8) + alen, tmp, alen);
	if (v.family == AF_INET) {
		ip[8] = REPLY_TTL;
		ipv4_set_csum(ip, (ip[0] & 0xf) * 4u);
	} else {
		ip[7] = REPLY_TTL;
	}

	put_be16(frame + v.l4_off, v.dst_port);
	put_be16(frame + v.l4_off + 2, v.src_port);
	had_csum = get_be16(frame + v.l4_off + 6) != 0;
	if (had_csum || v.family == AF_INET6)
		udp_set_csum(frame, &v);
	return 0;
}
