/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Frame parsing, checksums and building for the guest programs: Ethernet,
 * IPv4 or IPv6 (no extension headers, no fragments), UDP.
 */
#ifndef GUEST_PKT_H
#define GUEST_PKT_H

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define PKT_IP4_MF		0x2000
#define PKT_IP4_OFFSET		0x1fff
#define PKT_IP4_DF		0x4000

/* A parsed UDP frame; the pointers point into the frame. */
struct pkt_udp {
	struct ethhdr *eth;
	int family;			/* AF_INET or AF_INET6 */
	struct iphdr *ip4;		/* family AF_INET */
	struct ipv6hdr *ip6;		/* family AF_INET6 */
	struct udphdr *udp;
	unsigned char *payload;
	unsigned int udp_len;		/* header and payload */
	unsigned int payload_len;
};

/*
 * The Internet checksum is a ones' complement sum of big-endian 16-bit
 * words. Summing bytes as such makes it independent of the host's byte
 * order; 32 bits cannot overflow for anything that fits a frame.
 */
static inline uint32_t csum_add(uint32_t sum, const void *buf, size_t len)
{
	const unsigned char *b = buf;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	return sum;
}

static inline uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The sum of the UDP pseudo-header: addresses, protocol, UDP length. */
static inline uint32_t pkt_pseudo_sum(const struct pkt_udp *p)
{
	uint32_t sum = IPPROTO_UDP + p->udp_len;

	if (p->family == AF_INET)
		return csum_add(sum, &p->ip4->saddr, 8);
	return csum_add(sum, &p->ip6->saddr, 32);
}

/* A valid header sums to all ones, its checksum field included. */
static inline bool pkt_ip4_csum_ok(const struct pkt_udp *p)
{
	return p->family != AF_INET ||
	       csum_fold(csum_add(0, p->ip4, p->ip4->ihl * 4)) == 0xffff;
}

/*
 * IPv4 lets a sender omit the UDP checksum (zero); IPv6 does not
 * (RFC 8200, 8.1).
 */
static inline bool pkt_udp_csum_ok(const struct pkt_udp *p)
{
	if (!p->udp->check)
		return p->family == AF_INET;
	return csum_fold(csum_add(pkt_pseudo_sum(p), p->udp, p->udp_len)) ==
	       0xffff;
}

static inline void pkt_set_ip4_csum(struct pkt_udp *p)
{
	p->ip4->check = 0;
	p->ip4->check = htons(~csum_fold(csum_add(0, p->ip4, p->ip4->ihl * 4)));
}

/* A computed zero is sent as all ones: zero means "no checksum". */
static inline void pkt_set_udp_csum(struct pkt_udp *p)
{
	uint16_t csum;

	p->udp->check = 0;
	csum = ~csum_fold(csum_add(pkt_pseudo_sum(p), p->udp, p->udp_len));
	p->udp->check = htons(csum ? csum : 0xffff);
}

static inline int pkt_parse_ip4(unsigned char *l3, unsigned int len,
				struct pkt_udp *p)
{
	struct iphdr *ip = (struct iphdr *)l3;
	unsigned int hlen, tot;

	if (len < sizeof(*ip) || ip->version != 4 || ip->ihl < 5)
		return -1;
	hlen = ip->ihl * 4;
	tot = ntohs(ip->tot_len);
	if (tot < hlen || tot > len || ip->protocol != IPPROTO_UDP ||
	    ntohs(ip->frag_off) & (PKT_IP4_MF | PKT_IP4_OFFSET))
		return -1;
	p->family = AF_INET;
	p->ip4 = ip;
	p->udp = (struct udphdr *)(l3 + hlen);
	p->udp_len = tot - hlen;
	return 0;
}

static inline int pkt_parse_ip6(unsigned char *l3, unsigned int len,
				struct pkt_udp *p)
{
	struct ipv6hdr *ip = (struct ipv6hdr *)l3;

	if (len < sizeof(*ip) || ip->version != 6 ||
	    ip->nexthdr != IPPROTO_UDP ||
	    ntohs(ip->payload_len) > len - sizeof(*ip))
		return -1;
	p->family = AF_INET6;
	p->ip6 = ip;
	p->udp = (struct udphdr *)(l3 + sizeof(*ip));
	p->udp_len = ntohs(ip->payload_len);
	return 0;
}

/*
 * Parses an untagged Ethernet frame carrying UDP over IPv4 or IPv6: 0, or
 * -1 for anything else (other protocols, fragments, lengths that
 * disagree). Ethernet padding after the IP packet is allowed.
 */
static inline int pkt_parse_udp(void *data, unsigned int len, struct pkt_udp *p)
{
	unsigned char *l3 = (unsigned char *)data + sizeof(struct ethhdr);
	int ret;

	memset(p, 0, sizeof(*p));
	if (len < sizeof(struct ethhdr))
		return -1;
	p->eth = data;
	len -= sizeof(struct ethhdr);
	if (p->eth->h_proto == htons(ETH_P_IP))
		ret = pkt_parse_ip4(l3, len, p);
	else if (p->eth->h_proto == htons(ETH_P_IPV6))
		ret = pkt_parse_ip6(l3, len, p);
	else
		ret = -1;
	if (ret || p->udp_len < sizeof(struct udphdr) ||
	    ntohs(p->udp->len) != p->udp_len)
		return -1;
	p->payload = (unsigned char *)(p->udp + 1);
	p->payload_len = p->udp_len - sizeof(struct udphdr);
	return 0;
}

static inline void swap_bytes(void *a, void *b, size_t len)
{
	unsigned char tmp[16], *x = a, *y = b;

	memcpy(tmp, x, len);
	memcpy(x, y, len);
	memcpy(y, tmp, len);
}

/*
 * Turns a frame into its reply, sent from @own_mac to the request's
 * Ethernet source: the request's destination MAC need not be ours (a
 * routed peer addresses its gateway's, a broadcast is ff:ff:..), and the
 * module drops what a guest sends from any MAC but its own (guest_source).
 * The checksums cover the addresses and ports as sums, which do not change
 * when two of their terms swap.
 */
static inline void pkt_make_reply(struct pkt_udp *p,
				  const unsigned char own_mac[ETH_ALEN])
{
	memcpy(p->eth->h_dest, p->eth->h_source, ETH_ALEN);
	memcpy(p->eth->h_source, own_mac, ETH_ALEN);
	if (p->family == AF_INET)
		swap_bytes(&p->ip4->saddr, &p->ip4->daddr, 4);
	else
		swap_bytes(&p->ip6->saddr, &p->ip6->daddr, 16);
	swap_bytes(&p->udp->source, &p->udp->dest, 2);
}

static inline int parse_mac(const char *s, unsigned char mac[ETH_ALEN])
{
	unsigned int b[ETH_ALEN];
	char end;
	int i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &end) != ETH_ALEN)
		return -1;
	for (i = 0; i < ETH_ALEN; i++)
		mac[i] = (unsigned char)b[i];
	return 0;
}

#endif /* GUEST_PKT_H */
