// SPDX-License-Identifier: GPL-2.0
/*
 * A UDP answer of another length than its question, by the first payload
 * byte: '+' appends "12345678"; '-' keeps four payload bytes; '*' asks for
 * more tailroom than a frame has and '!' to cut into the UDP header, both
 * refused by bpf_cham_adjust_tail(), and then dropped.
 */
#include "chamelio.bpf.h"

static __always_inline int resize_reply(struct cham_ctx *pkt)
{
	if (cham_reply(pkt, 64) || bpf_cham_csum_l4_update(pkt))
		return CHAM_VERDICT_DROP;
	return CHAM_VERDICT_TX;
}

SEC("struct_ops/resize_rx")
int BPF_PROG(resize_rx, struct cham_ctx *pkt)
{
	__u32 payload = pkt->l4_len - (pkt->payload_off - pkt->l4_off);
	__u8 *cmd, *tail;

	if (pkt->l4_proto != IPPROTO_UDP || bpf_cham_csum_l4_valid(pkt))
		return CHAM_VERDICT_DROP;
	cmd = bpf_cham_pkt_ptr(pkt, pkt->payload_off, 1);
	if (!cmd)
		return CHAM_VERDICT_DROP;
	switch (*cmd) {
	case '+':
		if (bpf_cham_adjust_tail(pkt, 8))
			return CHAM_VERDICT_DROP;
		/* Taken again: the packet changed under the old pointers. */
		tail = bpf_cham_pkt_ptr(pkt, pkt->l4_off + pkt->l4_len - 8, 8);
		if (!tail)
			return CHAM_VERDICT_DROP;
		__builtin_memcpy(tail, "12345678", 8);
		return resize_reply(pkt);
	case '-':
		if (payload < 4 || bpf_cham_adjust_tail(pkt, 4 - (int)payload))
			return CHAM_VERDICT_DROP;
		return resize_reply(pkt);
	case '*':
		if (bpf_cham_adjust_tail(pkt, 8192))
			return CHAM_VERDICT_DROP;
		return resize_reply(pkt);
	case '!':
		if (bpf_cham_adjust_tail(pkt, -(int)payload - 1))
			return CHAM_VERDICT_DROP;
		return resize_reply(pkt);
	}
	return CHAM_VERDICT_DROP;
}

SEC(".struct_ops.link")
struct cham_proto_ops resize = {
	.rx = (void *)resize_rx,
	.name = "resize",
	.tenant = "alpha",
};
