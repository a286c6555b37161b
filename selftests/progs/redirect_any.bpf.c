// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile: relays its traffic out of whatever port the test names and
 * returns CHAM_VERDICT_REDIRECT whatever bpf_cham_redirect_port() said.
 * The kfunc's return value is kept in redirect_result for the test: -EPERM
 * for a Chamelio port not assigned to the tenant (the redirect is then
 * dropped, CHAM_DROP_PORT_NOT_ALLOWED), -ENODEV for a non-port.
 */
#include "chamelio.bpf.h"

struct redirect_target {
	__u32 ifindex;
	__u8 dest[ETH_ALEN];
	__u8 source[ETH_ALEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct redirect_target);
} redirect_target SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __s32);
} redirect_result SEC(".maps");

SEC("struct_ops/redirect_any_rx")
int BPF_PROG(redirect_any_rx, struct cham_ctx *pkt)
{
	struct ethhdr *eth = cham_hdr(pkt, 0, struct ethhdr);
	struct redirect_target *target;
	__u32 zero = 0;
	__s32 ret;

	target = bpf_map_lookup_elem(&redirect_target, &zero);
	if (!eth || !target)
		return CHAM_VERDICT_DROP;
	ret = bpf_cham_redirect_port(pkt, target->ifindex);
	bpf_map_update_elem(&redirect_result, &zero, &ret, BPF_ANY);
	__builtin_memcpy(eth->h_dest, target->dest, ETH_ALEN);
	__builtin_memcpy(eth->h_source, target->source, ETH_ALEN);
	return CHAM_VERDICT_REDIRECT;
}

SEC(".struct_ops.link")
struct cham_proto_ops redirect_any = {
	.rx = (void *)redirect_any_rx,
	.name = "redirect_any",
	.tenant = "alpha",
};
