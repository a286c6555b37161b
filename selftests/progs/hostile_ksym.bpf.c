// SPDX-License-Identifier: GPL-2.0
/*
 * A protocol that calls a generic kfunc of the BPF core (registered for
 * every program type, so the module cannot refuse it on 6.12: a documented
 * limit). The loader daemon refuses objects that declare kernel symbols
 * other than the bpf_cham_* kfuncs, so a non-root tenant cannot load it.
 */
#include "chamelio.bpf.h"

extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

SEC("struct_ops/ksym_rx")
int BPF_PROG(ksym_rx, struct cham_ctx *pkt)
{
	bpf_rcu_read_lock();
	bpf_rcu_read_unlock();
	return CHAM_VERDICT_PASS;
}

SEC(".struct_ops.link")
struct cham_proto_ops hostile_ksym = {
	.rx = (void *)ksym_rx,
	.name = "ksym",
	.tenant = "alpha",
};
