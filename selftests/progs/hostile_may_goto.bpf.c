// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile: a handler with may_goto, the instruction behind cond_break,
 * which lets the verifier accept a loop after up to 2^23 rounds it does
 * not walk. Written as its encoding (opcode 0xe5, offset 1, skipping the
 * next instruction when the budget runs out): the compilers of this tree
 * predate its mnemonic. Refused by the module.
 */
#include "chamelio.bpf.h"

SEC("struct_ops/may_goto_rx")
int BPF_PROG(may_goto_rx, struct cham_ctx *pkt)
{
	asm volatile(".byte 0xe5, 0, 1, 0, 0, 0, 0, 0\n\t"
		     "r0 = 0" ::: "r0");
	return CHAM_VERDICT_PASS;
}

SEC(".struct_ops.link")
struct cham_proto_ops hostile_may_goto = {
	.rx = (void *)may_goto_rx,
	.name = "may_goto",
	.tenant = "alpha",
};
