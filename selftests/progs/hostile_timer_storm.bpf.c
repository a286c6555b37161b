// SPDX-License-Identifier: GPL-2.0
/*
 * A protocol whose timer handler re-arms itself at once and burns the CPU
 * each time (tenant "alpha"): timers are work outside any packet, so only
 * the module's intervention point, charging and ceiling stand between it
 * and the softirq of the CPU. Any UDP datagram starts the storm.
 */
#include "chamelio.bpf.h"

static long burn(__u64 i, void *data)
{
	return 0;
}

SEC("struct_ops/storm_rx")
int BPF_PROG(storm_rx, struct cham_ctx *pkt)
{
	bpf_cham_timer_arm(1, 0, 0);
	return CHAM_VERDICT_DROP;
}

SEC("struct_ops/storm_timer")
void BPF_PROG(storm_timer, struct cham_timer_ctx *timer)
{
	bpf_loop(200000, burn, NULL, 0);
	bpf_cham_timer_arm(1, 0, 0);
}

SEC(".struct_ops.link")
struct cham_proto_ops storm = {
	.rx = (void *)storm_rx,
	.timer = (void *)storm_timer,
	.name = "timer_storm",
	.tenant = "alpha",
};
