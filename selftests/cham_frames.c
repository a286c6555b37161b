// SPDX-License-Identifier: GPL-2.0
/*
 * cham_frames - malformed and edge-case frames for the Chamelio parser.
 *
 * Usage:
 *   cham_frames send IFNAME DSTMAC [LABEL...]
 *                                      send every frame (or the labelled
 *                                      ones) once out of IFNAME
 *   cham_frames testrun PROG_ID [REPEAT [IFINDEX]]
 *                                      run every frame through the XDP
 *                                      program PROG_ID (BPF_PROG_TEST_RUN),
 *                                      received on IFINDEX if given (the
 *                                      fast path runs only for frames of
 *                                      a Chamelio port)
 *   cham_frames raw LABEL [DSTMAC]     the frame's bytes on stdout
 *   cham_frames expect                 expected parse-error counts of one
 *                                      pass over the frames: "<reason> <n>"
 *   cham_frames --dump [DSTMAC]        "<label> <reason> <hex>" per frame
 *
 * Each frame is labelled with the enum cham_parse_error reason the kernel
 * must count for it, or "classified" for a frame the parser must accept
 * (every length and checksum right unless the label says otherwise: the
 * parser does not verify transport checksums, handlers do). Malformed frames are passed to the kernel stack, so every
 * test run must return XDP_PASS; so must the well-formed ones, as long as
 * no rule steers 10.77.0.1 or fd00:77::1 to a tenant.
 *
 * Short frames: AF_PACKET (dev_validate_header) and BPF_PROG_TEST_RUN both
 * refuse frames shorter than the 14-byte Ethernet header, so the shortest
 * frame here is exactly 14 bytes; shorter ones cannot be injected. veth
 * does not pad to the 60-byte Ethernet minimum, so the short frames reach
 * XDP as built.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf.h>
#include <linux/chamelio.h>

#include "chamctl/chamctl.h"
#include "chamctl/names.h"
#include "tap.h"

/* Well-formed frames are labelled with this instead of a parse error. */
#define CLASSIFIED	__CHAM_PARSE_MAX

/* chamctl's names, so the labels match the counters it prints. */
static const char *reason_name(unsigned int reason)
{
	return reason == CLASSIFIED ? "classified" : parse_error_name(reason);
}

#define FRAME_MAX	256
/*
 * Two bytes before the Ethernet header put the IP header on a 4-byte
 * boundary (the kernel's NET_IP_ALIGN), so headers can be written through
 * their structs.
 */
#define HEADROOM	2

#define UDP_SRC_PORT	40000
#define UDP_DST_PORT	9
#define IPV4_SRC	0x0a4d0002	/* 10.77.0.2 */
#define IPV4_DST	0x0a4d0001	/* 10.77.0.1 */
#define IPV4_MF		0x2000
#define IPV4_OPT_NOP	1
#define ICMP_ECHO_REQUEST 8

static const struct in6_addr ipv6_src = { { { 0xfd, 0, 0, 0x77, [15] = 2 } } };
static const struct in6_addr ipv6_dst = { { { 0xfd, 0, 0, 0x77, [15] = 1 } } };

static const uint8_t src_mac[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x01 };
static uint8_t dst_mac[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x02 };

struct frame {
	_Alignas(8) uint8_t buf[HEADROOM + FRAME_MAX];
	size_t len;
};

struct vlan_tag {
	__be16 tci;
	__be16 next_type;
};

struct arp_ipv4 {
	__be16 hw_type;
	__be16 proto_type;
	uint8_t hw_len;
	uint8_t proto_len;
	__be16 op;
	uint8_t sender_mac[ETH_ALEN];
	uint8_t sender_ip[4];
	uint8_t target_mac[ETH_ALEN];
	uint8_t target_ip[4];
};

_Static_assert(sizeof(struct arp_ipv4) == 28, "ARP for IPv4 is 28 bytes");

struct icmp_echo {
	uint8_t type;
	uint8_t code;
	__sum16 check;
	__be16 id;
	__be16 seq;
};

struct ipv6_frag {
	uint8_t nexthdr;
	uint8_t reserved;
	__be16 frag_off;	/* offset in 8-byte units << 3, bit 0: more */
	__be32 id;
};

static uint8_t *frame_data(struct frame *f)
{
	return f->buf + HEADROOM;
}

static uint8_t *frame_end(struct frame *f)
{
	return frame_data(f) + f->len;
}

/* Appends @len zeroed bytes. */
static void *frame_put(struct frame *f, size_t len)
{
	void *p = frame_end(f);

	if (f->len + len > FRAME_MAX) {
		fprintf(stderr, "cham_frames: frame longer than %d bytes\n",
			FRAME_MAX);
		exit(1);
	}
	memset(p, 0, len);
	f->len += len;
	return p;
}

/* ---- checksums ----------------------------------------------------------- */

static uint32_t sum16(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	return sum;
}

static __sum16 csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

static void ipv4_checksum(struct iphdr *ip)
{
	ip->check = 0;
	ip->check = csum_fold(sum16(ip, ip->ihl * 4, 0));
}

/* Transport checksum with the IPv4 pseudo-header; @l4 runs to the frame end. */
static __sum16 l4_checksum_v4(const struct iphdr *ip, const void *l4,
			      size_t len)
{
	uint32_t sum = sum16(&ip->saddr, 8, 0) + ip->protocol + len;

	return csum_fold(sum16(l4, len, sum));
}

static __sum16 l4_checksum_v6(const struct ipv6hdr *ip6, uint8_t proto,
			      const void *l4, size_t len)
{
	uint32_t sum = sum16(&ip6->saddr, 32, 0) + proto + len;

	return csum_fold(sum16(l4, len, sum));
}

/* ---- headers ------------------------------------------------------------- */

static void put_eth(struct frame *f, uint16_t type)
{
	struct ethhdr *eth = frame_put(f, sizeof(*eth));

	memcpy(eth->h_dest, dst_mac, ETH_ALEN);
	memcpy(eth->h_source, src_mac, ETH_ALEN);
	eth->h_proto = htons(type);
}

static void put_vlan(struct frame *f, uint16_t vid, uint16_t next_type)
{
	struct vlan_tag *tag = frame_put(f, sizeof(*tag));

	tag->tci = htons(vid);
	tag->next_type = htons(next_type);
}

/* @option_words: 4-byte words of NOP options. ipv4_finish() sets lengths. */
static struct iphdr *put_ipv4(struct frame *f, uint8_t proto,
			      unsigned int option_words)
{
	struct iphdr *ip = frame_put(f, sizeof(*ip) + option_words * 4);

	ip->version = 4;
	ip->ihl = 5 + option_words;
	ip->id = htons(0x4348);
	ip->ttl = 64;
	ip->protocol = proto;
	ip->saddr = htonl(IPV4_SRC);
	ip->daddr = htonl(IPV4_DST);
	memset(ip + 1, IPV4_OPT_NOP, option_words * 4);
	return ip;
}

/* The datagram runs to the end of the frame. */
static void ipv4_finish(struct frame *f, struct iphdr *ip)
{
	ip->tot_len = htons(frame_end(f) - (uint8_t *)ip);
	ipv4_checksum(ip);
}

static struct ipv6hdr *put_ipv6(struct frame *f, uint8_t nexthdr)
{
	struct ipv6hdr *ip6 = frame_put(f, sizeof(*ip6));

	ip6->version = 6;
	ip6->nexthdr = nexthdr;
	ip6->hop_limit = 64;
	ip6->saddr = ipv6_src;
	ip6->daddr = ipv6_dst;
	return ip6;
}

static void ipv6_finish(struct frame *f, struct ipv6hdr *ip6)
{
	ip6->payload_len = htons(frame_end(f) - (uint8_t *)(ip6 + 1));
}

/* Hop-by-hop or destination options of @len bytes, filled with PadN. */
static struct ipv6_opt_hdr *put_ipv6_options(struct frame *f, uint8_t nexthdr,
					     size_t len)
{
	struct ipv6_opt_hdr *opt = frame_put(f, len);
	uint8_t *padn = (uint8_t *)(opt + 1);

	opt->nexthdr = nexthdr;
	opt->hdrlen = len / 8 - 1;
	padn[0] = 1;		/* PadN */
	padn[1] = len - sizeof(*opt) - 2;
	return opt;
}

/* A type 0 routing header with no segments left, which nodes skip. */
static void put_ipv6_routing(struct frame *f, uint8_t nexthdr)
{
	struct ipv6_rt_hdr *rt = frame_put(f, 8);

	rt->nexthdr = nexthdr;
	rt->hdrlen = 0;
	rt->type = 0;
	rt->segments_left = 0;
}

static struct udphdr *put_udp(struct frame *f, size_t payload_len)
{
	struct udphdr *udp = frame_put(f, sizeof(*udp) + payload_len);

	udp->source = htons(UDP_SRC_PORT);
	udp->dest = htons(UDP_DST_PORT);
	udp->len = htons(sizeof(*udp) + payload_len);
	memset(udp + 1, 'c', payload_len);
	return udp;
}

/* Only the ports: what a truncated UDP header still has. */
static void put_ports(struct frame *f)
{
	__be16 *ports = frame_put(f, 4);

	ports[0] = htons(UDP_SRC_PORT);
	ports[1] = htons(UDP_DST_PORT);
}

static struct tcphdr *put_tcp(struct frame *f)
{
	struct tcphdr *tcp = frame_put(f, sizeof(*tcp));

	tcp->source = htons(UDP_SRC_PORT);
	tcp->dest = htons(UDP_DST_PORT);
	tcp->doff = sizeof(*tcp) / 4;
	tcp->syn = 1;
	tcp->window = htons(65535);
	return tcp;
}

/* Ethernet (after any tags), IPv4 and UDP, all lengths and checksums right. */
static struct iphdr *put_ipv4_udp(struct frame *f, unsigned int option_words)
{
	struct iphdr *ip = put_ipv4(f, IPPROTO_UDP, option_words);
	struct udphdr *udp = put_udp(f, 4);

	ipv4_finish(f, ip);
	udp->check = l4_checksum_v4(ip, udp, ntohs(udp->len));
	return ip;
}

/* IPv6 and UDP with the extension headers already put after @ip6. */
static void finish_ipv6_udp(struct frame *f, struct ipv6hdr *ip6)
{
	struct udphdr *udp = put_udp(f, 4);

	ipv6_finish(f, ip6);
	udp->check = l4_checksum_v6(ip6, IPPROTO_UDP, udp, ntohs(udp->len));
}

static struct ipv6hdr *put_ipv6_udp(struct frame *f)
{
	struct ipv6hdr *ip6 = put_ipv6(f, IPPROTO_UDP);

	finish_ipv6_udp(f, ip6);
	return ip6;
}

/* ---- the frames ---------------------------------------------------------- */

static void arp_request(struct frame *f)
{
	struct arp_ipv4 *arp;
	uint32_t ip;

	put_eth(f, ETH_P_ARP);
	arp = frame_put(f, sizeof(*arp));
	arp->hw_type = htons(1);	/* Ethernet */
	arp->proto_type = htons(ETH_P_IP);
	arp->hw_len = ETH_ALEN;
	arp->proto_len = 4;
	arp->op = htons(1);		/* request */
	memcpy(arp->sender_mac, src_mac, ETH_ALEN);
	ip = htonl(IPV4_SRC);
	memcpy(arp->sender_ip, &ip, 4);
	ip = htonl(IPV4_DST);
	memcpy(arp->target_ip, &ip, 4);
}

static void vlan_tag_missing(struct frame *f)
{
	put_eth(f, ETH_P_8021Q);
}

static void vlan_three_tags(struct frame *f)
{
	put_eth(f, ETH_P_8021AD);
	put_vlan(f, 10, ETH_P_8021Q);
	put_vlan(f, 20, ETH_P_8021Q);
	put_vlan(f, 30, ETH_P_IP);
	put_ipv4_udp(f, 0);
}

static void ipv4_header_10_bytes(struct frame *f)
{
	put_eth(f, ETH_P_IP);
	put_ipv4_udp(f, 0);
	f->len = ETH_HLEN + 10;
}

static void ipv4_tot_len_past_frame(struct frame *f)
{
	struct iphdr *ip;

	put_eth(f, ETH_P_IP);
	ip = put_ipv4_udp(f, 0);
	ip->tot_len = htons(ntohs(ip->tot_len) + 100);
	ipv4_checksum(ip);
}

static void ipv4_version_5(struct frame *f)
{
	struct iphdr *ip;

	put_eth(f, ETH_P_IP);
	ip = put_ipv4_udp(f, 0);
	ip->version = 5;
	ipv4_checksum(ip);
}

static void ipv4_ihl_3(struct frame *f)
{
	struct iphdr *ip;

	put_eth(f, ETH_P_IP);
	ip = put_ipv4_udp(f, 0);
	ip->ihl = 3;
	ipv4_checksum(ip);
}

static void ipv4_tot_len_below_ihl(struct frame *f)
{
	struct iphdr *ip;

	put_eth(f, ETH_P_IP);
	ip = put_ipv4_udp(f, 0);
	ip->tot_len = htons(16);
	ipv4_checksum(ip);
}

static void ipv4_more_fragments(struct frame *f)
{
	struct iphdr *ip;

	put_eth(f, ETH_P_IP);
	ip = put_ipv4_udp(f, 0);
	ip->frag_off = htons(IPV4_MF);
	ipv4_checksum(ip);
}

/* The bytes after the header are data from the middle of a datagram. */
static void ipv4_fragment_offset_100(struct frame *f)
{
	struct iphdr *ip;

	put_eth(f, ETH_P_IP);
	ip = put_ipv4_udp(f, 0);
	ip->frag_off = htons(100);
	ipv4_checksum(ip);
}

static void ipv6_header_20_bytes(struct frame *f)
{
	put_eth(f, ETH_P_IPV6);
	put_ipv6_udp(f);
	f->len = ETH_HLEN + 20;
}

static void ipv6_payload_past_frame(struct frame *f)
{
	struct ipv6hdr *ip6;

	put_eth(f, ETH_P_IPV6);
	ip6 = put_ipv6_udp(f);
	ip6->payload_len = htons(ntohs(ip6->payload_len) + 100);
}

/* One more extension header than the parser follows (CHAM_MAX_IPV6_EXTS). */
static void ipv6_nine_dest_options(struct frame *f)
{
	struct ipv6hdr *ip6;
	int i;

	put_eth(f, ETH_P_IPV6);
	ip6 = put_ipv6(f, IPPROTO_DSTOPTS);
	for (i = 0; i < 9; i++)
		put_ipv6_options(f, i < 8 ? IPPROTO_DSTOPTS : IPPROTO_UDP, 8);
	finish_ipv6_udp(f, ip6);
}

/* First fragment (offset 0, more fragments): only the header says so. */
static void ipv6_fragment_header(struct frame *f)
{
	struct ipv6_frag *frag;
	struct ipv6hdr *ip6;

	put_eth(f, ETH_P_IPV6);
	ip6 = put_ipv6(f, IPPROTO_FRAGMENT);
	frag = frame_put(f, sizeof(*frag));
	frag->nexthdr = IPPROTO_UDP;
	frag->frag_off = htons(1);
	frag->id = htonl(0x43484d31);
	finish_ipv6_udp(f, ip6);
}

/* The hop-by-hop header claims 32 bytes; the payload has 16 in all. */
static void ipv6_hop_by_hop_past_payload(struct frame *f)
{
	struct ipv6_opt_hdr *hbh;
	struct ipv6hdr *ip6;

	put_eth(f, ETH_P_IPV6);
	ip6 = put_ipv6(f, IPPROTO_HOPOPTS);
	hbh = put_ipv6_options(f, IPPROTO_UDP, 8);
	hbh->hdrlen = 3;
	put_udp(f, 0);
	ipv6_finish(f, ip6);
}

static void ipv4_udp_4_bytes(struct frame *f)
{
	struct iphdr *ip;

	put_eth(f, ETH_P_IP);
	ip = put_ipv4(f, IPPROTO_UDP, 0);
	put_ports(f);
	ipv4_finish(f, ip);
}

static void ipv4_tcp_doff(struct frame *f, unsigned int doff)
{
	struct tcphdr *tcp;
	struct iphdr *ip;

	put_eth(f, ETH_P_IP);
	ip = put_ipv4(f, IPPROTO_TCP, 0);
	tcp = put_tcp(f);
	tcp->doff = doff;
	ipv4_finish(f, ip);
}

static void ipv4_tcp_doff_2(struct frame *f)
{
	ipv4_tcp_doff(f, 2);
}

/* doff says 60 bytes of header; only the 20-byte base header is there. */
static void ipv4_tcp_doff_15(struct frame *f)
{
	ipv4_tcp_doff(f, 15);
}

static void ipv6_udp_4_bytes(struct frame *f)
{
	struct ipv6hdr *ip6;

	put_eth(f, ETH_P_IPV6);
	ip6 = put_ipv6(f, IPPROTO_UDP);
	put_ports(f);
	ipv6_finish(f, ip6);
}

static void ipv4_udp(struct frame *f)
{
	put_eth(f, ETH_P_IP);
	put_ipv4_udp(f, 0);
}

static void ipv4_udp_options(struct frame *f)
{
	put_eth(f, ETH_P_IP);
	put_ipv4_udp(f, 1);
}

static void ipv4_udp_vlan(struct frame *f)
{
	put_eth(f, ETH_P_8021Q);
	put_vlan(f, 10, ETH_P_IP);
	put_ipv4_udp(f, 0);
}

static void ipv4_udp_qinq(struct frame *f)
{
	put_eth(f, ETH_P_8021AD);
	put_vlan(f, 10, ETH_P_8021Q);
	put_vlan(f, 20, ETH_P_IP);
	put_ipv4_udp(f, 0);
}

static void ipv6_udp(struct frame *f)
{
	put_eth(f, ETH_P_IPV6);
	put_ipv6_udp(f);
}

static void ipv6_udp_hop_by_hop_routing(struct frame *f)
{
	struct ipv6hdr *ip6;

	put_eth(f, ETH_P_IPV6);
	ip6 = put_ipv6(f, IPPROTO_HOPOPTS);
	put_ipv6_options(f, IPPROTO_ROUTING, 8);
	put_ipv6_routing(f, IPPROTO_UDP);
	finish_ipv6_udp(f, ip6);
}

static void ipv4_icmp_echo(struct frame *f)
{
	struct icmp_echo *echo;
	struct iphdr *ip;

	put_eth(f, ETH_P_IP);
	ip = put_ipv4(f, IPPROTO_ICMP, 0);
	echo = frame_put(f, sizeof(*echo) + 4);
	echo->type = ICMP_ECHO_REQUEST;
	echo->id = htons(0x4348);
	echo->seq = htons(1);
	memset(echo + 1, 'c', 4);
	echo->check = csum_fold(sum16(echo, sizeof(*echo) + 4, 0));
	ipv4_finish(f, ip);
}

/* The header checksum is off by one: Linux drops such a datagram. */
static void ipv4_bad_header_checksum(struct frame *f)
{
	struct iphdr *ip;

	put_eth(f, ETH_P_IP);
	ip = put_ipv4_udp(f, 0);
	ip->check = htons(ntohs(ip->check) ^ 1);
}

/*
 * The UDP length says 2 bytes of payload, the IP datagram carries 4 (the
 * checksum covers the 10 bytes the length claims, as a sender would have
 * computed it): Linux would trim the datagram, a handler echo the rest.
 */
static void ipv4_udp_length_short(struct frame *f)
{
	struct udphdr *udp;
	struct iphdr *ip;

	put_eth(f, ETH_P_IP);
	ip = put_ipv4(f, IPPROTO_UDP, 0);
	udp = put_udp(f, 4);
	ipv4_finish(f, ip);
	udp->len = htons(sizeof(*udp) + 2);
	udp->check = l4_checksum_v4(ip, udp, ntohs(udp->len));
}

/* Well-formed but for the UDP checksum, which only handlers verify. */
static void ipv4_udp_bad_checksum(struct frame *f)
{
	struct udphdr *udp;
	struct iphdr *ip;

	put_eth(f, ETH_P_IP);
	ip = put_ipv4_udp(f, 0);
	udp = (struct udphdr *)((uint8_t *)ip + ip->ihl * 4);
	udp->check = htons(ntohs(udp->check) ^ 1);
	if (!udp->check)	/* 0 would mean "no checksum" */
		udp->check = htons(2);
}

static const struct frame_case {
	const char *label;
	unsigned int reason;	/* enum cham_parse_error, or CLASSIFIED */
	void (*build)(struct frame *f);
} frames[] = {
	{ "arp-request", CHAM_PARSE_NOT_IP, arp_request },
	{ "vlan-tag-missing", CHAM_PARSE_TRUNC_L2, vlan_tag_missing },
	{ "vlan-three-tags", CHAM_PARSE_VLAN_DEPTH, vlan_three_tags },
	{ "ipv4-header-10-bytes", CHAM_PARSE_TRUNC_L3, ipv4_header_10_bytes },
	{ "ipv4-tot-len-past-frame", CHAM_PARSE_TRUNC_L3,
	  ipv4_tot_len_past_frame },
	{ "ipv4-version-5", CHAM_PARSE_BAD_L3, ipv4_version_5 },
	{ "ipv4-ihl-3", CHAM_PARSE_BAD_L3, ipv4_ihl_3 },
	{ "ipv4-tot-len-below-ihl", CHAM_PARSE_BAD_L3, ipv4_tot_len_below_ihl },
	{ "ipv4-more-fragments", CHAM_PARSE_FRAGMENT, ipv4_more_fragments },
	{ "ipv4-fragment-offset-100", CHAM_PARSE_FRAGMENT,
	  ipv4_fragment_offset_100 },
	{ "ipv6-header-20-bytes", CHAM_PARSE_TRUNC_L3, ipv6_header_20_bytes },
	{ "ipv6-payload-past-frame", CHAM_PARSE_TRUNC_L3,
	  ipv6_payload_past_frame },
	{ "ipv6-nine-dest-options", CHAM_PARSE_EXT_DEPTH,
	  ipv6_nine_dest_options },
	{ "ipv6-fragment-header", CHAM_PARSE_FRAGMENT, ipv6_fragment_header },
	{ "ipv6-hop-by-hop-past-payload", CHAM_PARSE_TRUNC_L3,
	  ipv6_hop_by_hop_past_payload },
	{ "ipv4-udp-4-bytes", CHAM_PARSE_TRUNC_L4, ipv4_udp_4_bytes },
	{ "ipv4-tcp-doff-2", CHAM_PARSE_TRUNC_L4, ipv4_tcp_doff_2 },
	{ "ipv4-tcp-doff-15", CHAM_PARSE_TRUNC_L4, ipv4_tcp_doff_15 },
	{ "ipv6-udp-4-bytes", CHAM_PARSE_TRUNC_L4, ipv6_udp_4_bytes },
	{ "ipv4-bad-header-checksum", CHAM_PARSE_BAD_L3_CSUM,
	  ipv4_bad_header_checksum },
	{ "ipv4-udp-length-short", CHAM_PARSE_BAD_L4_LEN, ipv4_udp_length_short },
	{ "ipv4-udp", CLASSIFIED, ipv4_udp },
	{ "ipv4-udp-ip-options", CLASSIFIED, ipv4_udp_options },
	{ "ipv4-udp-vlan", CLASSIFIED, ipv4_udp_vlan },
	{ "ipv4-udp-qinq", CLASSIFIED, ipv4_udp_qinq },
	{ "ipv6-udp", CLASSIFIED, ipv6_udp },
	{ "ipv6-udp-hop-by-hop-routing", CLASSIFIED,
	  ipv6_udp_hop_by_hop_routing },
	{ "ipv4-icmp-echo", CLASSIFIED, ipv4_icmp_echo },
	{ "ipv4-udp-bad-checksum", CLASSIFIED, ipv4_udp_bad_checksum },
};


/* Whether frame @c is among the @nlabels labels (all frames if none). */
static bool selected(const struct frame_case *c, int nlabels, char **labels)
{
	int i;

	if (!nlabels)
		return true;
	for (i = 0; i < nlabels; i++)
		if (!strcmp(labels[i], c->label))
			return true;
	return false;
}

static const struct frame_case *find_frame(const char *label)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(frames); i++)
		if (!strcmp(frames[i].label, label))
			return &frames[i];
	return NULL;
}

static void build(const struct frame_case *c, struct frame *f)
{
	f->len = 0;
	c->build(f);
}

/* ---- commands ------------------------------------------------------------ */



static bool parse_mac(const char *text, uint8_t mac[ETH_ALEN])
{
	int i;

	if (strlen(text) != 3 * ETH_ALEN - 1)
		return false;
	for (i = 0; i < ETH_ALEN; i++) {
		const char *p = text + 3 * i;

		if (!isxdigit((unsigned char)p[0]) ||
		    !isxdigit((unsigned char)p[1]) ||
		    (i < ETH_ALEN - 1 && p[2] != ':'))
			return false;
		mac[i] = strtoul((char[]){ p[0], p[1], 0 }, NULL, 16);
	}
	return true;
}

static int cmd_send(const char *ifname, int nlabels, char **labels)
{
	struct sockaddr_ll addr = { .sll_family = AF_PACKET };
	struct frame f;
	size_t i;
	int fd;

	addr.sll_ifindex = if_nametoindex(ifname);
	if (!addr.sll_ifindex) {
		printf("not ok - find interface %s\n# %s\n", ifname,
		       strerror(errno));
		return 1;
	}
	/* Protocol 0: the socket only sends, it receives nothing. */
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		printf("not ok - open a packet socket on %s\n# %s\n", ifname,
		       strerror(errno));
		return 1;
	}

	for (i = 0; i < (size_t)nlabels; i++)
		if (!find_frame(labels[i])) {
			printf("not ok - no frame labelled %s\n", labels[i]);
			return 1;
		}
	for (i = 0; i < ARRAY_SIZE(frames); i++) {
		ssize_t sent;

		if (!selected(&frames[i], nlabels, labels))
			continue;
		build(&frames[i], &f);
		sent = send(fd, frame_data(&f), f.len, 0);
		report(sent == (ssize_t)f.len, "send %s", frames[i].label);
		if (sent < 0)
			printf("# %s\n", strerror(errno));
		else if (sent != (ssize_t)f.len)
			printf("# sent %zd of %zu bytes\n", sent, f.len);
	}
	close(fd);
	return failures ? 1 : 0;
}

static const char *xdp_action_name(uint32_t action)
{
	static const char *const names[] = {
		[XDP_ABORTED] = "XDP_ABORTED",
		[XDP_DROP] = "XDP_DROP",
		[XDP_PASS] = "XDP_PASS",
		[XDP_TX] = "XDP_TX",
		[XDP_REDIRECT] = "XDP_REDIRECT",
	};

	if (action >= ARRAY_SIZE(names))
		return "not an XDP action";
	return names[action];
}

static int cmd_testrun(uint32_t prog_id, uint32_t repeat, uint32_t ifindex)
{
	/* The program may grow the frame; XDP test runs stay within a page. */
	static uint8_t out[4096];
	struct frame f;
	size_t i;
	int fd;

	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0) {
		printf("not ok - open BPF program %u\n# %s\n", prog_id,
		       strerror(-fd));
		return 1;
	}

	for (i = 0; i < ARRAY_SIZE(frames); i++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts);
		struct xdp_md md = { 0 };
		int err;

		build(&frames[i], &f);
		if (ifindex) {
			md.data_end = f.len;
			md.ingress_ifindex = ifindex;
			opts.ctx_in = &md;
			opts.ctx_size_in = sizeof(md);
		}
		opts.data_in = frame_data(&f);
		opts.data_size_in = f.len;
		opts.data_out = out;
		opts.data_size_out = sizeof(out);
		opts.repeat = repeat;
		err = bpf_prog_test_run_opts(fd, &opts);

		report(!err && opts.retval == XDP_PASS,
		       "testrun %s: retval XDP_PASS", frames[i].label);
		if (err)
			printf("# test run failed: %s\n", strerror(-err));
		else if (opts.retval != XDP_PASS)
			printf("# retval %u (%s)\n", opts.retval,
			       xdp_action_name(opts.retval));
	}
	close(fd);
	return failures ? 1 : 0;
}

static int cmd_expect(void)
{
	unsigned int counts[CLASSIFIED + 1] = { 0 };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(frames); i++)
		counts[frames[i].reason]++;
	for (i = 0; i <= CLASSIFIED; i++)
		printf("%s %u\n", reason_name(i), counts[i]);
	return 0;
}

static int cmd_raw(const char *label)
{
	const struct frame_case *c = find_frame(label);
	struct frame f;

	if (!c) {
		fprintf(stderr, "cham_frames: no frame labelled %s\n", label);
		return 1;
	}
	build(c, &f);
	return fwrite(frame_data(&f), 1, f.len, stdout) == f.len ? 0 : 1;
}

static int cmd_dump(void)
{
	struct frame f;
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(frames); i++) {
		build(&frames[i], &f);
		printf("%s %s ", frames[i].label, reason_name(frames[i].reason));
		for (j = 0; j < f.len; j++)
			printf("%02x", frame_data(&f)[j]);
		putchar('\n');
	}
	return 0;
}

static bool parse_u32(const char *text, uint32_t min, uint32_t *value)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-' || v < min ||
	    v > UINT32_MAX)
		return false;
	*value = v;
	return true;
}

static int usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s send IFNAME DSTMAC [LABEL...]\n"
		"       %s testrun PROG_ID [REPEAT [IFINDEX]]\n"
		"       %s raw LABEL [DSTMAC]\n"
		"       %s expect\n"
		"       %s --dump [DSTMAC]\n",
		prog, prog, prog, prog, prog);
	return 1;
}

int main(int argc, char **argv)
{
	uint32_t prog_id, repeat = 1, ifindex = 0;

	if (argc >= 4 && !strcmp(argv[1], "send")) {
		if (!parse_mac(argv[3], dst_mac))
			return usage(argv[0]);
		return cmd_send(argv[2], argc - 4, argv + 4);
	}
	if (argc >= 3 && argc <= 5 && !strcmp(argv[1], "testrun")) {
		if (!parse_u32(argv[2], 1, &prog_id) ||
		    (argc >= 4 && !parse_u32(argv[3], 1, &repeat)) ||
		    (argc == 5 && !parse_u32(argv[4], 1, &ifindex)))
			return usage(argv[0]);
		return cmd_testrun(prog_id, repeat, ifindex);
	}
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "raw")) {
		if (argc == 4 && !parse_mac(argv[3], dst_mac))
			return usage(argv[0]);
		return cmd_raw(argv[2]);
	}
	if (argc == 2 && !strcmp(argv[1], "expect"))
		return cmd_expect();
	if ((argc == 2 || argc == 3) && !strcmp(argv[1], "--dump")) {
		if (argc == 3 && !parse_mac(argv[2], dst_mac))
			return usage(argv[0]);
		return cmd_dump();
	}
	return usage(argv[0]);
}
