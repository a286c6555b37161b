// SPDX-License-Identifier: GPL-2.0
/*
 * burner: the adversary of the time-protection tests and benchmark. Spends
 * a configurable time on every packet, in a loop the verifier unrolls,
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

/*
 * The spin is a loop the verifier unrolls: BURNER_CHECKS deadline checks,
 * each after BURNER_READS_PER_CHECK clock reads. A handler may not loop
 * with bpf_loop() or iterators (their length is unknown at load: the
 * module refuses them), so a call's length is capped by what the verifier
 * walked: 131072 clock reads, some 10 ms of an emulated CPU in
 * instruction-count mode (the ceiling's default). BURNER_CHECKS stays
 * below the verifier's 8192 pending branches; the loop costs some 300,000
 * verified instructions.
 */
#define BURNER_CHECKS		4096
#define BURNER_READS_PER_CHECK	32

static __always_inline void burner_spin(__u64 spin_ns)
{
	__u64 deadline = bpf_ktime_get_ns() + spin_ns;
	int i, j;

	for (i = 0; i < BURNER_CHECKS; i++) {
#pragma unroll
		for (j = 0; j < BURNER_READS_PER_CHECK - 1; j++)
			bpf_ktime_get_ns();
		if (bpf_ktime_get_ns() >= deadline)
			break;
	}
}

SEC("struct_ops/burner_rx")
int BPF_PROG(burner_rx, struct cham_ctx *pkt)
{
	struct burner_config *cfg;
	__u32 key = 0;

	cfg = bpf_map_lookup_elem(&burner_config, &key);
	if (!cfg)
		return CHAM_VERDICT_DROP;
	if (cfg->spin_ns)
		burner_spin(cfg->spin_ns);
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
