/* SPDX-License-Identifier: GPL-2.0 */
/* What the files of libchamagent share. */
#ifndef CHAMAGENT_INTERNAL_H
#define CHAMAGENT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chamagent.h"

#define ETH_HDR_LEN	14
#define VLAN_HDR_LEN	4
/* As many tags as the module's parser follows (QinQ). */
#define MAX_VLAN_TAGS	2
#define IPV4_HDR_LEN	20
#define IPV6_HDR_LEN	40
#define IPV6_FRAG_HDR_LEN	8
#define UDP_HDR_LEN	8
/* Largest IP datagram: the IPv4 total length and IPv6 payload length fields. */
#define IP_DATAGRAM_MAX	65535

/* Where the IP header of a frame starts, and which one it is. */
struct l3_view {
	size_t l3_off;
	uint16_t ethertype;	/* ETH_P_IP or ETH_P_IPV6; host order */
};

/* The Ethernet header and VLAN tags: 0, or -EINVAL if not IPv4/IPv6. */
int frame_l3(const uint8_t *frame, size_t len, struct l3_view *view);

/*
 * The IP header at @l3's offset and where its datagram ends (@ip_end, an
 * offset into @frame); @hdr_len is the IPv4 header's length, or the fixed
 * IPv6 header's. 0, or -EINVAL when the header is truncated or its
 * lengths disagree with @len.
 */
int ip_datagram(const uint8_t *frame, size_t len, const struct l3_view *l3,
		size_t *hdr_len, size_t *ip_end);

/*
 * An IPv6 header's extension headers, up to the transport or fragment
 * header.
 */
struct ipv6_walk {
	size_t end;		/* offset just past the last extension header */
	size_t last_nh_off;	/* offset of the next-header byte naming what is at @end */
	uint8_t nexthdr;	/* the header at @end */
};

/* Walks from the IPv6 header at @l3_off: 0, or -EINVAL if truncated. */
int ipv6_walk(const uint8_t *frame, size_t len, size_t l3_off,
	      bool stop_at_fragment, struct ipv6_walk *walk);

static inline bool ipv6_is_ext(uint8_t nh)
{
	/* Hop-by-hop, routing, destination options. */
	return nh == 0 || nh == 43 || nh == 60;
}

static inline uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static inline uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, v >> 16);
	put_be16(p + 2, v & 0xffff);
}

/* Ones'-complement sum of @len bytes, added to @sum (not folded). */
uint32_t csum_add(uint32_t sum, const uint8_t *data, size_t len);
/* Folded and complemented: the value that goes into a header. */
uint16_t csum_fold(uint32_t sum);

/* The IPv4 header checksum at @ip, for a header of @hdr_len bytes. */
void ipv4_set_csum(uint8_t *ip, size_t hdr_len);

/* A new IPv4 identification or IPv6 fragment id, never the same twice in a row. */
uint32_t ip_new_id(void);

#endif /* CHAMAGENT_INTERNAL_H */
