// SPDX-License-Identifier: GPL-2.0
/*
 * A struct_ops program of another type (a TCP congestion control) that
 * calls the kfuncs acting for "the running handler's tenant": all
 * struct_ops programs share one program type, so only the module's kfunc
 * filter keeps them from arming timers or sending events as whatever
 * tenant's handler ran last on the CPU. The verifier must refuse it.
 */
#include "chamelio.bpf.h"

struct sock;

struct tcp_congestion_ops {
	void (*init)(struct sock *sk);
	char name[16];
};

SEC("struct_ops/foreign_init")
void BPF_PROG(foreign_init, struct sock *sk)
{
	char data[4] = {};

	bpf_cham_timer_arm(1, 1000, 0);
	bpf_cham_agent_notify(1, data, sizeof(data));
}

SEC(".struct_ops.link")
struct tcp_congestion_ops foreign = {
	.init = (void *)foreign_init,
	.name = "cham_foreign",
};
