// SPDX-License-Identifier: GPL-2.0
/*
 * A tenant protocol that delivers every packet, from the network (rx) or
 * from one of its guests (tx), to the guest whose id the test writes into
 * steal_target, ignoring what bpf_cham_redirect_guest() says. Aimed at its
 * own guest it is a plain delivery; aimed at another tenant's guest the
 * module must refuse it (CHAM_DROP_PORT_NOT_ALLOWED). steal_result keeps
 * the kfunc's last return value, so the test sees the refusal's errno.
 */
#include "chamelio.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);	/* 0: the target guest id, 1: last result */
	__type(key, __u32);
	__type(value, __s32);
} steal_target SEC(".maps");

static __always_inline int steal_to_target(struct cham_ctx *pkt)
{
	__u32 target_key = 0, result_key = 1;
	__s32 *target, *result;

	target = bpf_map_lookup_elem(&steal_target, &target_key);
	result = bpf_map_lookup_elem(&steal_target, &result_key);
	if (!target || !result)
		return CHAM_VERDICT_DROP;
	*result = bpf_cham_redirect_guest(pkt, *target);
	return CHAM_VERDICT_REDIRECT;
}

SEC("struct_ops/guest_steal_rx")
int BPF_PROG(guest_steal_rx, struct cham_ctx *pkt)
{
	return steal_to_target(pkt);
}

SEC("struct_ops/guest_steal_tx")
int BPF_PROG(guest_steal_tx, struct cham_ctx *pkt)
{
	return steal_to_target(pkt);
}

SEC(".struct_ops.link")
struct cham_proto_ops guest_steal = {
	.rx = (void *)guest_steal_rx,
	.tx = (void *)guest_steal_tx,
	.name = "guest_steal",
	.tenant = "alpha",
};
