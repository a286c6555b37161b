// SPDX-License-Identifier: GPL-2.0
/*
 * A protocol with a map pinned by name: libbpf, running as root in the
 * loader daemon, would reuse or create /sys/fs/bpf/hostile_pinned, so a
 * tenant could open another tenant's or root's pinned maps. The daemon
 * takes pin paths away from libbpf and pins in the tenant's own state
 * directory, with the owner's uid (test_25_access).
 */
#include "chamelio.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} hostile_pinned SEC(".maps");

SEC("struct_ops/pin_rx")
int BPF_PROG(pin_rx, struct cham_ctx *pkt)
{
	__u32 key = 0;
	__u64 *count = bpf_map_lookup_elem(&hostile_pinned, &key);

	if (count)
		__sync_fetch_and_add(count, 1);
	return CHAM_VERDICT_PASS;
}

SEC(".struct_ops.link")
struct cham_proto_ops hostile_pin = {
	.rx = (void *)pin_rx,
	.name = "pin",
	.tenant = "alpha",
};
