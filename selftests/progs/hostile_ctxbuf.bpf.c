// SPDX-License-Identifier: GPL-2.0
/*
 * hostile_ctxbuf: hands the handler's context to a payload kfunc as the
 * buffer to write, to overwrite the offsets the module trusts with packet
 * bytes. The verifier must refuse it at load (test_38_hostile.sh).
 */
#include "chamelio.bpf.h"

SEC("struct_ops/hostile_ctxbuf_rx")
int BPF_PROG(hostile_ctxbuf_rx, struct cham_ctx *pkt)
{
	bpf_cham_load_bytes(pkt, 0, &pkt->l4_off, sizeof(pkt->l4_off));
	return CHAM_VERDICT_PASS;
}

SEC(".struct_ops.link")
struct cham_proto_ops hostile_ctxbuf = {
	.rx = (void *)hostile_ctxbuf_rx,
	.name = "hostile_ctxbuf",
	.tenant = "alpha",
};
