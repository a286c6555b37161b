// SPDX-License-Identifier: GPL-2.0
/*
 * ecn_count: attached to the client's end of the test veth in place of
 * xdp_pass (see there why that end needs an XDP program) to see what
 * Chamelio's ECN policy did to the echoes: counts the IPv4 and IPv6 UDP
 * packets arriving by the ECN codepoint of their IP header, and passes
 * everything on. Read with
 *
 *   bpftool map lookup name ecn_counts key 3 0 0 0     (3: CE)
 *
 * Keys: 0 not-ECT, 1 ECT(1), 2 ECT(0), 3 CE; IPv6 packets add 4.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} ecn_counts SEC(".maps");

SEC("xdp")
int ecn_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 key;
	__u64 *count;

	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_UDP)
			return XDP_PASS;
		key = ip->tos & 3;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > end || ip6->nexthdr != IPPROTO_UDP)
			return XDP_PASS;
		/* The traffic class straddles the first two bytes. */
		key = 4 + ((bpf_ntohl(*(__be32 *)ip6) >> 20) & 3);
	} else {
		return XDP_PASS;
	}
	count = bpf_map_lookup_elem(&ecn_counts, &key);
	if (count)
		__sync_fetch_and_add(count, 1);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
