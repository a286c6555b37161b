// SPDX-License-Identifier: GPL-2.0
/*
 * A protocol whose timer handler re-arms itself at once and burns the CPU
 * each time (tenant "alpha"): timers are work outside any packet, so only
 * the module's intervention point, charging and ceiling stand between it
 * and the softirq of the CPU. Any UDP datagram starts the storm.
 */
#include "chamelio.bpf.h"

/*
 * Some 16,000 clock reads, milliseconds of an emulated CPU: far above the
 * test's 1 ms ceiling. A loop the verifier unrolls (bpf_loop() is refused,
 * Documentation/isolation.md), without a branch that would keep one state
 * per round pending.
 */
#define STORM_READS	16384

SEC("struct_ops/storm_rx")
int BPF_PROG(storm_rx, struct cham_ctx *pkt)
{
	bpf_cham_timer_arm(1, 0, 0);
	return CHAM_VERDICT_DROP;
}

SEC("struct_ops/storm_timer")
void BPF_PROG(storm_timer, struct cham_timer_ctx *timer)
{
	int i;

	for (i = 0; i < STORM_READS; i++)
		bpf_ktime_get_ns();
	bpf_cham_timer_arm(1, 0, 0);
}

SEC(".struct_ops.link")
struct cham_proto_ops storm = {
	.rx = (void *)storm_rx,
	.timer = (void *)storm_timer,
	.name = "timer_storm",
	.tenant = "alpha",
};
