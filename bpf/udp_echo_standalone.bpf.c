// SPDX-License-Identifier: GPL-2.0
/*
 * The baseline for scripts/bench/fastpath.sh: the udp_echo protocol as one
 * standalone XDP program, with its steering (one destination and port)
 * written in, and no Chamelio in the way. It does the same work per packet
 * as the module's parser, steering and bpf/udp_echo.bpf.c together.
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* The steering rule the benchmark gives the Chamelio tenant, written in. */
#define ECHO_ADDR4	bpf_htonl(0x0a4d0001)	/* 10.77.0.1 */
#define ECHO_PORT	7000

static __always_inline void csum_replace16(__u16 *csum, __u16 from, __u16 to)
{
	__u32 sum = (__u16)~*csum + (__u16)~from + to;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	*csum = ~sum;
}

SEC("xdp")
int udp_echo_standalone(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u8 mac[ETH_ALEN];
	struct udphdr *udp;
	struct iphdr *iph;
	__be32 addr;
	__be16 port;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end || iph->version != 4 || iph->ihl < 5)
		return XDP_PASS;
	if (iph->frag_off & bpf_htons(0x3fff) || iph->protocol != IPPROTO_UDP ||
	    iph->daddr != ECHO_ADDR4)
		return XDP_PASS;
	udp = (void *)iph + iph->ihl * 4;
	if ((void *)(udp + 1) > data_end || udp->dest != bpf_htons(ECHO_PORT))
		return XDP_PASS;

	__builtin_memcpy(mac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, mac, ETH_ALEN);
	addr = iph->saddr;
	iph->saddr = iph->daddr;
	iph->daddr = addr;
	csum_replace16(&iph->check, bpf_htons(iph->ttl << 8), bpf_htons(64 << 8));
	iph->ttl = 64;
	port = udp->source;
	udp->source = udp->dest;
	udp->dest = port;
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
