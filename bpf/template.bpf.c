// SPDX-License-Identifier: GPL-2.0
/*
 * template: a protocol to start from. Copy this file into an empty
 * directory, rename the handlers and the instance, and build it with the
 * kit (Documentation/tenant-protocols.md, "Building with the kit"):
 *
 *	clang -O2 -g -target bpf $(pkg-config --cflags chamelio) \
 *		-c my_proto.bpf.c -o my_proto.bpf.o
 *	chamctl proto load my_proto.bpf.o tenant TENANT
 *
 * As it stands it answers every UDP datagram steered to the tenant with
 * the datagram's payload behind "re: ", and counts what it did.
 */
#include "chamelio.bpf.h"

/* "re: ", ahead of the payload of every answer. */
#define PREFIX_LEN	4
/* The longest payload answered; a power of two bounds lengths cheaply. */
#define PAYLOAD_MAX	256

/*
 * State. A map declared in the object is created when the protocol is
 * loaded; with `pinning` it lives in the tenant's state directory and the
 * next version of the protocol (chamctl proto replace) finds it there.
 * Per-CPU: handlers run on every CPU at once, and a per-CPU value needs no
 * lock. The tenant reads it with `chamctl map dump TENANT stats`.
 */
struct template_stats {
	__u64 answered;
	__u64 too_long;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct template_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} stats SEC(".maps");

/*
 * rx: a packet the provider's rules steered to the tenant. The context
 * (pkt) says where the headers are; bytes are reached through kfuncs
 * (cham_hdr(), bpf_cham_load_bytes(), ...). Return a verdict:
 * CHAM_VERDICT_TX sends the packet back out of the port it came in by.
 */
SEC("struct_ops/template_rx")
int BPF_PROG(template_rx, struct cham_ctx *pkt)
{
	/* Stack buffers handed to kfuncs must be initialised. */
	char payload[PAYLOAD_MAX] = {};
	char prefix[PREFIX_LEN] = { 'r', 'e', ':', ' ' };
	struct template_stats *st;
	__u32 key = 0, len;

	st = bpf_map_lookup_elem(&stats, &key);
	if (!st)
		return CHAM_VERDICT_DROP;
	if (pkt->l4_proto != IPPROTO_UDP)
		return CHAM_VERDICT_PASS;	/* the host stack handles it */
	/* Never answer a corrupt datagram: the answer would look valid. */
	if (bpf_cham_csum_l4_valid(pkt))
		return CHAM_VERDICT_DROP;

	len = pkt->l4_len - sizeof(struct udphdr);
	/* The verifier needs to see the bound before the copy below. */
	if (len > PAYLOAD_MAX) {
		st->too_long++;
		return CHAM_VERDICT_DROP;
	}
	if (bpf_cham_load_bytes(pkt, pkt->payload_off, payload, len))
		return CHAM_VERDICT_DROP;
	/*
	 * Make room: the IP and UDP lengths and pkt->len/l4_len follow, the
	 * UDP checksum does not (it is recomputed last).
	 */
	if (bpf_cham_adjust_tail(pkt, PREFIX_LEN))
		return CHAM_VERDICT_DROP;
	if (bpf_cham_store_bytes(pkt, pkt->payload_off, prefix, PREFIX_LEN) ||
	    bpf_cham_store_bytes(pkt, pkt->payload_off + PREFIX_LEN, payload,
				 len))
		return CHAM_VERDICT_DROP;
	/* Addresses and ports swapped, a fresh TTL, then the checksum. */
	if (cham_reply(pkt, 64) || bpf_cham_csum_l4_update(pkt))
		return CHAM_VERDICT_DROP;
	st->answered++;
	return CHAM_VERDICT_TX;
}

/*
 * tx: a frame one of the tenant's guests sent (chamctl guest add). The
 * module has checked its source addresses already. CHAM_VERDICT_TX sends
 * it out of the tenant's port; leave tx out if the tenant has no guests.
 */
SEC("struct_ops/template_tx")
int BPF_PROG(template_tx, struct cham_ctx *pkt)
{
	return CHAM_VERDICT_TX;
}

/*
 * The instance: one per protocol. The tenant named here is a default;
 * `chamctl proto load OBJ tenant NAME` sets the real one. Name and tenant
 * are at most 15 characters.
 */
SEC(".struct_ops.link")
struct cham_proto_ops template = {
	.rx = (void *)template_rx,
	.tx = (void *)template_tx,
	.name = "template",
	.tenant = "alpha",
};
