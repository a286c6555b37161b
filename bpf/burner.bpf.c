// SPDX-License-Identifier: GPL-2.0
/*
 * burner: the adversary of the time-protection tests and benchmark. Spends
 * a configurable time on every packet, in a loop the verifier can bound,
 * then drops the packet or echoes it (UDP). Configured at run time through
 * the burner_config map:
 *
 *   bpftool map update name burner_config key 0 0 0 0 \
 *           value <spin_ns: 8 bytes LE> <verdict: 4 bytes LE> 0 0 0 0
 */
#include "chamelio.bpf.h"

struct burner_config {
	__u64 spin_ns;		/* time to burn per packet */
	__u32 echo;		/* 0: drop the packet, 1: echo it (UDP) */
	__u32 reserved;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct burner_config);
} burner_config SEC(".maps");

/* Upper bound of the loop: far beyond any useful spin. */
#define BURNER_MAX_STEPS	(1U << 20)

static long burner_step(__u64 index, void *deadline)
{
	return bpf_ktime_get_ns() >= *(__u64 *)deadline;
}

SEC("struct_ops/burner_rx")
int BPF_PROG(burner_rx, struct cham_ctx *pkt)
{
	struct burner_config *cfg;
	__u32 key = 0;
	__u64 deadline;

	cfg = bpf_map_lookup_elem(&burner_config, &key);
	if (!cfg)
		return CHAM_VERDICT_DROP;
	if (cfg->spin_ns) {
		deadline = bpf_ktime_get_ns() + cfg->spin_ns;
		bpf_loop(BURNER_MAX_STEPS, burner_step, &deadline, 0);
	}
	if (cfg->echo && pkt->l4_proto == IPPROTO_UDP && !cham_reply(pkt, 64))
		return CHAM_VERDICT_TX;
	return CHAM_VERDICT_DROP;
}

SEC(".struct_ops.link")
struct cham_proto_ops burner = {
	.rx = (void *)burner_rx,
	.name = "burner",
	.tenant = "burner",
};
