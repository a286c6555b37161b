// SPDX-License-Identifier: GPL-2.0
/*
 * What bpf_cham_load_bytes(), bpf_cham_store_bytes() and
 * bpf_cham_compare_bytes() cost per byte: one call per packet, the kfunc
 * and length chosen in copy_cost_config (op 0: no call, 1: load, 2:
 * store, 3: compare, 4: the load done byte by byte with
 * bpf_cham_pkt_ptr() in a loop the verifier unrolls, for comparison; size in bytes), from offset 0 of the frame. Store
 * and compare use the frame's own bytes, loaded on the first packet, so
 * that BPF_PROG_TEST_RUN's repetitions, which reuse the buffer, see the
 * same frame every time. Drops every packet.
 *
 * The figures in Documentation/tenant-protocols.md (What it costs) come
 * from it with make bench-copy (scripts/bench/copycost.sh): under
 * scripts/vm.sh --icount, bpftool prog run of bpf/cham_xdp.bpf.o on a
 * 1442-byte UDP frame to a rule of the tenant's, repeat 20000, with
 * copy_cost_config set by bpftool map update before each run.
 */
#include "chamelio.bpf.h"

#define COPY_COST_MAX	2048

struct copy_cost_config {
	__u32 op;
	__u32 size;
};

struct copy_cost_buf {
	__u32 primed;
	__u8 bytes[COPY_COST_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct copy_cost_config);
} copy_cost_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct copy_cost_buf);
} copy_cost_buf SEC(".maps");

/* Op 4: what a protocol pays for copying without the copy kfuncs. */
static void copy_byte_by_byte(struct cham_ctx *pkt, struct copy_cost_buf *buf,
			      __u32 size)
{
	__u8 *byte;
	__u32 i;

	for (i = 0; i < COPY_COST_MAX; i++) {
		if (i >= size)
			break;
		byte = bpf_cham_pkt_ptr(pkt, i, 1);
		if (!byte)
			break;
		buf->bytes[i] = *byte;
	}
}

SEC("struct_ops/copy_cost_rx")
int BPF_PROG(copy_cost_rx, struct cham_ctx *pkt)
{
	struct copy_cost_config *config;
	struct copy_cost_buf *buf;
	__u32 zero = 0, size;

	config = bpf_map_lookup_elem(&copy_cost_config, &zero);
	buf = bpf_map_lookup_elem(&copy_cost_buf, &zero);
	if (!config || !buf)
		return CHAM_VERDICT_DROP;
	size = config->size & (COPY_COST_MAX - 1);
	if (!buf->primed) {
		bpf_cham_load_bytes(pkt, 0, buf->bytes, size);
		buf->primed = 1;
	}
	switch (config->op) {
	case 1:
		bpf_cham_load_bytes(pkt, 0, buf->bytes, size);
		break;
	case 2:
		bpf_cham_store_bytes(pkt, 0, buf->bytes, size);
		break;
	case 3:
		bpf_cham_compare_bytes(pkt, 0, buf->bytes, size);
		break;
	case 4:
		copy_byte_by_byte(pkt, buf, size);
		break;
	}
	return CHAM_VERDICT_DROP;
}

SEC(".struct_ops.link")
struct cham_proto_ops copy_cost = {
	.rx = (void *)copy_cost_rx,
	.name = "copy_cost",
	.tenant = "alpha",
};
