// SPDX-License-Identifier: GPL-2.0
/*
 * A protocol that takes the address of a kernel symbol (an untyped __ksym
 * variable, even one named bpf_cham_*): libbpf would write the kallsyms
 * address into the program, and the verifier's log, which the loader
 * daemon returns to its client, would show it (a KASLR leak). The daemon
 * allows function externs only.
 */
#include "chamelio.bpf.h"

extern const void bpf_cham_rx __ksym;

SEC("struct_ops/ksym_var_rx")
int BPF_PROG(ksym_var_rx, struct cham_ctx *pkt)
{
	__u64 addr = (__u64)&bpf_cham_rx;

	return addr & 1 ? CHAM_VERDICT_DROP : CHAM_VERDICT_PASS;
}

SEC(".struct_ops.link")
struct cham_proto_ops hostile_ksym_var = {
	.rx = (void *)ksym_var_rx,
	.name = "ksym_var",
	.tenant = "alpha",
};
