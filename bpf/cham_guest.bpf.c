// SPDX-License-Identifier: GPL-2.0
/*
 * The provider XDP program on the guest's side of its veth link (chamctl
 * guest add attaches it inside the guest's network namespace). Every frame
 * that reaches the guest's side came from Chamelio (the host side's peer
 * is the only sender), so it goes straight into the guest's AF_XDP socket:
 * the guest process put that socket into the pinned XSKMAP "xsks". With no
 * socket there is nobody to deliver to, and the kernel stack of the
 * guest's namespace must not see the tenant's frames either: drop.
 *
 * The counters tell the admin which of the two happened, per CPU, without
 * asking the guest; frames the socket drops for a full ring are counted by
 * the socket (XDP_STATISTICS).
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <linux/chamelio.h>

/* One RX queue on the guest's side, so one socket, at key 0. */
struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cham_guest_link_stats);
} counters SEC(".maps");

SEC("xdp")
int cham_guest(struct xdp_md *ctx)
{
	struct cham_guest_link_stats *stats;
	__u32 zero = 0;
	long action;

	/* XDP_REDIRECT only if the queue's entry holds a socket. */
	action = bpf_redirect_map(&xsks, ctx->rx_queue_index, XDP_DROP);
	stats = bpf_map_lookup_elem(&counters, &zero);
	if (stats) {
		if (action == XDP_REDIRECT)
			stats->to_socket++;
		else
			stats->no_socket++;
	}
	return action;
}

char _license[] SEC("license") = "GPL";
