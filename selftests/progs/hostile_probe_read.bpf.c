// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile: a handler that reads kernel memory (here, past its context,
 * where other tenants' packets could be). Handlers' helpers are an
 * allow-list: the verifier must refuse bpf_probe_read_kernel at load.
 */
#include "chamelio.bpf.h"

SEC("struct_ops/peek_rx")
int BPF_PROG(peek_rx, struct cham_ctx *pkt)
{
	__u64 word = 0;

	bpf_probe_read_kernel(&word, sizeof(word), (void *)pkt + 4096);
	return word ? CHAM_VERDICT_PASS : CHAM_VERDICT_DROP;
}

SEC(".struct_ops.link")
struct cham_proto_ops hostile_probe_read = {
	.rx = (void *)peek_rx,
	.name = "probe_read",
	.tenant = "alpha",
};
