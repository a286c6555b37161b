// SPDX-License-Identifier: GPL-2.0
/*
 * A protocol in a ".struct_ops" section: libbpf creates its map without
 * BPF_F_LINK and registers it by the map update alone, with no link to own
 * or remove it. The module refuses such registrations (EOPNOTSUPP).
 */
#include "chamelio.bpf.h"

SEC("struct_ops/nolink_rx")
int BPF_PROG(nolink_rx, struct cham_ctx *pkt)
{
	return CHAM_VERDICT_PASS;
}

SEC(".struct_ops")
struct cham_proto_ops nolink = {
	.rx = (void *)nolink_rx,
	.name = "nolink",
	.tenant = "alpha",
};
