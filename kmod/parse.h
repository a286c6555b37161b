/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fast path's frame parser: finds the headers steering needs and the
 * offsets a tenant handler is given. Every read is checked against the end
 * of the frame; what cannot be parsed gets a reason (enum cham_parse_error)
 * and is left to the kernel stack.
 *
 * It runs for every packet, so it is inlined into the dispatch kfunc: a
 * call and return per header would cost more than the parsing.
 */
#ifndef _CHAMELIO_PARSE_H
#define _CHAMELIO_PARSE_H

#include <linux/if_ether.h>
#include <linux/if_vlan.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/socket.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "chamelio.h"

#define CHAM_MAX_IPV6_EXTS	8

static __always_inline bool cham_parse_fail(struct cham_pkt *pkt,
					    enum cham_parse_error error)
{
	pkt->error = error;
	return false;
}

static __always_inline const void *cham_header(const void *data,
					       const void *data_end,
					       unsigned int off,
					       unsigned int len)
{
	if (off + len > data_end - data)
		return NULL;
	return data + off;
}

static __always_inline bool cham_parse_ipv4(const void *data,
					    const void *data_end,
					    struct cham_pkt *pkt)
{
	unsigned int avail = data_end - data - pkt->l3_off;
	const struct iphdr *iph;
	unsigned int ihl, tot_len;

	iph = cham_header(data, data_end, pkt->l3_off, sizeof(*iph));
	if (!iph)
		return cham_parse_fail(pkt, CHAM_PARSE_TRUNC_L3);
	ihl = iph->ihl * 4;
	tot_len = ntohs(iph->tot_len);
	if (iph->version != 4 || ihl < sizeof(*iph) || tot_len < ihl)
		return cham_parse_fail(pkt, CHAM_PARSE_BAD_L3);
	if (ihl > avail || tot_len > avail)
		return cham_parse_fail(pkt, CHAM_PARSE_TRUNC_L3);
	/* A Linux host drops these; a handler must not echo them. */
	if (ip_fast_csum(iph, iph->ihl))
		return cham_parse_fail(pkt, CHAM_PARSE_BAD_L3_CSUM);

	pkt->family = AF_INET;
	pkt->saddr.v4 = iph->saddr;
	pkt->daddr.v4 = iph->daddr;
	pkt->l4_proto = iph->protocol;
	/* Steered by address and protocol alone (cham_steer_fragment()). */
	if (ip_is_fragment(iph))
		return cham_parse_fail(pkt, CHAM_PARSE_FRAGMENT);
	pkt->l4_off = pkt->l3_off + ihl;
	pkt->l4_len = tot_len - ihl;
	return true;
}

static __always_inline bool cham_parse_ipv6(const void *data,
					    const void *data_end,
					    struct cham_pkt *pkt)
{
	unsigned int avail = data_end - data - pkt->l3_off;
	unsigned int off, end, i;
	const struct ipv6hdr *ip6h;
	u8 nexthdr;

	ip6h = cham_header(data, data_end, pkt->l3_off, sizeof(*ip6h));
	if (!ip6h)
		return cham_parse_fail(pkt, CHAM_PARSE_TRUNC_L3);
	if (ip6h->version != 6)
		return cham_parse_fail(pkt, CHAM_PARSE_BAD_L3);
	end = pkt->l3_off + sizeof(*ip6h) + ntohs(ip6h->payload_len);
	if (sizeof(*ip6h) + ntohs(ip6h->payload_len) > avail)
		return cham_parse_fail(pkt, CHAM_PARSE_TRUNC_L3);

	pkt->family = AF_INET6;
	pkt->saddr.v6 = ip6h->saddr;
	pkt->daddr.v6 = ip6h->daddr;
	nexthdr = ip6h->nexthdr;
	off = pkt->l3_off + sizeof(*ip6h);
	for (i = 0;; i++) {
		const struct ipv6_opt_hdr *opt;
		unsigned int len;

		switch (nexthdr) {
		case NEXTHDR_ROUTING:
			pkt->ipv6_routing_header = true;
			break;
		case NEXTHDR_HOP:
		case NEXTHDR_DEST:
		case NEXTHDR_AUTH:
			break;
		case NEXTHDR_FRAGMENT:
			/* What follows it is the fragment's upper protocol. */
			opt = cham_header(data, data_end, off,
					  sizeof(struct frag_hdr));
			if (!opt)
				return cham_parse_fail(pkt, CHAM_PARSE_TRUNC_L3);
			pkt->l4_proto = opt->nexthdr;
			return cham_parse_fail(pkt, CHAM_PARSE_FRAGMENT);
		default:
			pkt->l4_proto = nexthdr;
			pkt->l4_off = off;
			pkt->l4_len = end - off;
			return true;
		}
		if (i == CHAM_MAX_IPV6_EXTS)
			return cham_parse_fail(pkt, CHAM_PARSE_EXT_DEPTH);
		opt = cham_header(data, data_end, off, sizeof(*opt));
		if (!opt)
			return cham_parse_fail(pkt, CHAM_PARSE_TRUNC_L3);
		len = nexthdr == NEXTHDR_AUTH ? ipv6_authlen(opt) :
						ipv6_optlen(opt);
		if (off + len > end)
			return cham_parse_fail(pkt, CHAM_PARSE_TRUNC_L3);
		nexthdr = opt->nexthdr;
		off += len;
	}
}

static __always_inline bool cham_parse_l4(const void *data,
					  const void *data_end,
					  struct cham_pkt *pkt)
{
	unsigned int hdr_len;
	const __be16 *ports;

	switch (pkt->l4_proto) {
	case IPPROTO_UDP:
		hdr_len = sizeof(struct udphdr);
		break;
	case IPPROTO_TCP:
		hdr_len = sizeof(struct tcphdr);
		break;
	case IPPROTO_SCTP:
		/* Only the ports are needed from the 12-byte common header. */
		hdr_len = 12;
		break;
	default:
		pkt->payload_off = pkt->l4_off;
		return true;
	}
	if (hdr_len > pkt->l4_len)
		return cham_parse_fail(pkt, CHAM_PARSE_TRUNC_L4);
	ports = cham_header(data, data_end, pkt->l4_off, hdr_len);
	if (!ports)
		return cham_parse_fail(pkt, CHAM_PARSE_TRUNC_L4);
	if (pkt->l4_proto == IPPROTO_TCP) {
		hdr_len = ((const struct tcphdr *)ports)->doff * 4;
		if (hdr_len < sizeof(struct tcphdr) || hdr_len > pkt->l4_len)
			return cham_parse_fail(pkt, CHAM_PARSE_TRUNC_L4);
	}
	/*
	 * Linux trims a datagram to a shorter UDP length; a handler would
	 * then checksum and echo bytes the sender did not count. Refuse both.
	 */
	if (pkt->l4_proto == IPPROTO_UDP &&
	    ntohs(((const struct udphdr *)ports)->len) != pkt->l4_len)
		return cham_parse_fail(pkt, CHAM_PARSE_BAD_L4_LEN);
	pkt->has_ports = true;
	pkt->sport = ntohs(ports[0]);
	pkt->dport = ntohs(ports[1]);
	pkt->payload_off = pkt->l4_off + hdr_len;
	return true;
}

/* Returns false, with pkt->error set, for a frame it cannot classify. */
static __always_inline bool cham_parse(const void *data,
				       const void *data_end,
				       struct cham_pkt *pkt)
{
	const struct ethhdr *eth;
	__be16 proto;
	bool ok;

	memset(pkt, 0, sizeof(*pkt));
	eth = cham_header(data, data_end, 0, sizeof(*eth));
	if (!eth)
		return cham_parse_fail(pkt, CHAM_PARSE_TRUNC_L2);
	proto = eth->h_proto;
	pkt->l3_off = sizeof(*eth);
	while (eth_type_vlan(proto)) {
		const struct vlan_hdr *vh;

		if (pkt->vlan_depth == CHAM_MAX_VLAN_TAGS)
			return cham_parse_fail(pkt, CHAM_PARSE_VLAN_DEPTH);
		vh = cham_header(data, data_end, pkt->l3_off, sizeof(*vh));
		if (!vh)
			return cham_parse_fail(pkt, CHAM_PARSE_TRUNC_L2);
		/* Egress validation compares the tags a handler sends. */
		pkt->vlan_tpid[pkt->vlan_depth] = proto;
		pkt->vlan_tci[pkt->vlan_depth] = vh->h_vlan_TCI;
		proto = vh->h_vlan_encapsulated_proto;
		pkt->l3_off += sizeof(*vh);
		pkt->vlan_depth++;
	}
	pkt->l3_proto = ntohs(proto);

	if (proto == htons(ETH_P_IP))
		ok = cham_parse_ipv4(data, data_end, pkt);
	else if (proto == htons(ETH_P_IPV6))
		ok = cham_parse_ipv6(data, data_end, pkt);
	else
		ok = cham_parse_fail(pkt, CHAM_PARSE_NOT_IP);
	return ok && cham_parse_l4(data, data_end, pkt);
}

#endif /* _CHAMELIO_PARSE_H */
