// SPDX-License-Identifier: GPL-2.0
/*
 * A tenant that relays its traffic out of another Chamelio port: it
 * rewrites the Ethernet addresses and returns CHAM_VERDICT_REDIRECT. The
 * test writes the target (port, MAC addresses) into relay_target.
 */
#include "chamelio.bpf.h"

struct relay_target {
	__u32 ifindex;
	__u8 dest[ETH_ALEN];
	__u8 source[ETH_ALEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct relay_target);
} relay_target SEC(".maps");

SEC("struct_ops/relay_rx")
int BPF_PROG(relay_rx, struct cham_ctx *pkt)
{
	struct ethhdr *eth = cham_hdr(pkt, 0, struct ethhdr);
	struct relay_target *target;
	__u32 zero = 0;

	target = bpf_map_lookup_elem(&relay_target, &zero);
	if (!eth || !target || bpf_cham_redirect_port(pkt, target->ifindex))
		return CHAM_VERDICT_DROP;
	__builtin_memcpy(eth->h_dest, target->dest, ETH_ALEN);
	__builtin_memcpy(eth->h_source, target->source, ETH_ALEN);
	return CHAM_VERDICT_REDIRECT;
}

SEC(".struct_ops.link")
struct cham_proto_ops relay = {
	.rx = (void *)relay_rx,
	.name = "relay",
	.tenant = "alpha",
};
