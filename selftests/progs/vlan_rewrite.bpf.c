// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile: echoes UDP like udp_echo, and, while vlan_rewrite_on[0] is
 * non-zero, moves a tagged frame's reply to another VLAN (VID + 1), a
 * network the tenant was not given. Egress validation must drop it
 * (CHAM_DROP_EGRESS_MALFORMED); with the switch off the echo goes out.
 */
#include "chamelio.bpf.h"

struct vlan_tag {
	__be16 tci;
	__be16 next_type;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} vlan_rewrite_on SEC(".maps");

SEC("struct_ops/vlan_rewrite_rx")
int BPF_PROG(vlan_rewrite_rx, struct cham_ctx *pkt)
{
	struct vlan_tag *tag;
	__u32 zero = 0, *on;

	if (pkt->l4_proto != IPPROTO_UDP)
		return CHAM_VERDICT_PASS;
	if (cham_reply(pkt, 64))
		return CHAM_VERDICT_PASS;
	on = bpf_map_lookup_elem(&vlan_rewrite_on, &zero);
	if (on && *on && pkt->vlan_depth) {
		tag = cham_hdr(pkt, ETH_HLEN, struct vlan_tag);
		if (!tag)
			return CHAM_VERDICT_DROP;
		tag->tci = bpf_htons(bpf_ntohs(tag->tci) + 1);
	}
	return CHAM_VERDICT_TX;
}

SEC(".struct_ops.link")
struct cham_proto_ops vlan_rewrite = {
	.rx = (void *)vlan_rewrite_rx,
	.name = "vlan_rewrite",
	.tenant = "alpha",
};
