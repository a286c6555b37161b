// SPDX-License-Identifier: GPL-2.0
/*
 * udp_kv: a key-value store served from the fast path over UDP, IPv4 and
 * IPv6. One request per datagram, one answer back, of whatever length it
 * needs:
 *
 *	SET <key> <value>	-> OK
 *	GET <key>		-> <value>, or NOT_FOUND
 *	DEL <key>		-> OK, or NOT_FOUND
 *	VERSION			-> udp_kv 2		(version 2 only)
 *	anything else		-> ERR
 *
 * A trailing newline (what echo and ncat send) is not part of the request
 * and is given back on the answer. Keys are 1..KV_KEY_MAX bytes without
 * spaces, values 1..KV_VALUE_MAX bytes.
 *
 * The store is the map `kv`, pinned by name: chamctl keeps it in the
 * tenant's own state directory, so a new version loaded with
 * `chamctl proto replace` finds the data the old one stored, and another
 * tenant loading this object gets a store of its own. Build version 2 with
 * -DKV_VERSION=2 (make does: bpf/udp_kv_v2.bpf.o).
 */
#include "chamelio.bpf.h"

#ifndef KV_VERSION
#define KV_VERSION 1
#endif

#define KV_KEY_MAX	32
#define KV_VALUE_MAX	64
/* "SET " key ' ' value '\n': the longest request read, a power of two. */
#define KV_REQUEST_MAX	128

struct kv_key {
	char bytes[KV_KEY_MAX];		/* zero-padded: the hash sees all of it */
};

/*
 * Handlers run on every CPU at once, so a value is shared memory: the lock
 * makes a SET (bpf_map_update_elem() with BPF_F_LOCK copies under it) and
 * the copy a GET takes of it atomic to each other. The key is kept in the
 * value too: hash elements are recycled as soon as they are deleted, so a
 * GET racing a DEL and a SET of another key could otherwise copy the other
 * key's value.
 */
struct kv_value {
	struct bpf_spin_lock lock;
	__u32 len;
	struct kv_key key;
	char bytes[KV_VALUE_MAX];
};

/* Preallocated (the default): a SET never allocates in the packet path. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct kv_key);
	__type(value, struct kv_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} kv SEC(".maps");

/* Where a request's parts are, as offsets into its payload. */
struct kv_request {
	__u32 len;		/* without the trailing newline */
	__u32 key_len;
	__u32 value_off;	/* 0: no value */
	__u32 value_len;
	__u8 newline;		/* 1: the request ended with one */
};

/*
 * Splits "CMD key [value]" in the copy @buf of the payload. Bounded by a
 * constant, so the verifier walks it once per byte position: cheaper to
 * verify than a scan of packet memory, where every byte would need its own
 * bounds check.
 */
static __always_inline int kv_split(const char *buf, struct kv_request *req)
{
	__u32 i, key_end = 0;

	for (i = 4; i < KV_REQUEST_MAX; i++) {
		if (i >= req->len)
			break;
		if (buf[i] == ' ') {
			key_end = i;
			break;
		}
	}
	if (!key_end)
		key_end = req->len;
	req->key_len = key_end - 4;
	if (!req->key_len || req->key_len > KV_KEY_MAX)
		return -1;
	if (key_end < req->len) {
		req->value_off = key_end + 1;
		req->value_len = req->len - req->value_off;
		if (!req->value_len || req->value_len > KV_VALUE_MAX)
			return -1;
	}
	return 0;
}

/*
 * A length the verifier sees bounded where it is passed. Clang may test a
 * copy of the register and pass another one whose bound the verifier never
 * learnt ("R4 min value is negative"); the empty asm makes the tested
 * value and the passed one the same register.
 */
static __always_inline __u64 kv_bound(__u64 v)
{
	asm volatile("" : "+r"(v));
	return v;
}

/* Whole words: a byte loop would be 32 verified iterations. */
static __always_inline int kv_key_equal(const struct kv_key *a,
					const struct kv_key *b)
{
	const __u64 *x = (const __u64 *)a->bytes, *y = (const __u64 *)b->bytes;

	return x[0] == y[0] && x[1] == y[1] && x[2] == y[2] && x[3] == y[3];
}

/*
 * Replaces the request's payload with @len bytes of @answer (stack or map
 * memory: the verifier checks kfunc buffers for writing too, so not
 * .rodata), plus the newline if the request had one, and turns the packet
 * into the reply.
 */
static __always_inline int kv_answer(struct cham_ctx *pkt,
				     const struct kv_request *req,
				     char *answer, __u32 len)
{
	char no_room[11] = "ERR no room";	/* no NUL: not sent */
	char newline[1] = { '\n' };
	__u32 payload_len = pkt->l4_len - sizeof(struct udphdr);
	__u32 answer_len = len + req->newline;
	__u64 bounded = kv_bound(len);

	if (bounded > KV_VALUE_MAX)
		return CHAM_VERDICT_DROP;
	if (bpf_cham_adjust_tail(pkt, (int)answer_len - (int)payload_len)) {
		/*
		 * No tailroom for it: veth, for one, leaves only up to a
		 * cache line after the frame. Answer that, in fewer bytes.
		 */
		if (bpf_cham_adjust_tail(pkt, (int)sizeof(no_room) +
					 req->newline - (int)payload_len))
			return CHAM_VERDICT_DROP;
		answer = no_room;
		len = sizeof(no_room);
		bounded = sizeof(no_room);
	}
	if (bpf_cham_store_bytes(pkt, pkt->payload_off, answer, bounded))
		return CHAM_VERDICT_DROP;
	if (req->newline &&
	    bpf_cham_store_bytes(pkt, pkt->payload_off + len, newline, 1))
		return CHAM_VERDICT_DROP;
	if (cham_reply(pkt, 64) || bpf_cham_csum_l4_update(pkt))
		return CHAM_VERDICT_DROP;
	return CHAM_VERDICT_TX;
}

#define KV_ANSWER(pkt, req, text) ({				\
	char __text[] = text;					\
	kv_answer(pkt, req, __text, sizeof(__text) - 1);	\
})

static __always_inline int kv_command(const char *buf, const char *cmd)
{
	return buf[0] == cmd[0] && buf[1] == cmd[1] && buf[2] == cmd[2] &&
	       buf[3] == ' ';
}

SEC("struct_ops/udp_kv_rx")
int BPF_PROG(udp_kv_rx, struct cham_ctx *pkt)
{
	char buf[KV_REQUEST_MAX] = {};
	struct kv_request req = {};
	struct kv_value value = {};
	struct kv_key key = {};
	struct kv_value *found;
	__u32 payload_len;
	__u64 len;

	if (pkt->l4_proto != IPPROTO_UDP)
		return CHAM_VERDICT_PASS;
	/* An answer built on a corrupt request would look valid. */
	if (bpf_cham_csum_l4_valid(pkt))
		return CHAM_VERDICT_DROP;
	payload_len = pkt->l4_len - sizeof(struct udphdr);
	if (payload_len < 3 || payload_len > KV_REQUEST_MAX)
		return KV_ANSWER(pkt, &req, "ERR");
	if (bpf_cham_load_bytes(pkt, pkt->payload_off, buf, payload_len))
		return CHAM_VERDICT_DROP;
	req.len = payload_len;
	if (buf[(req.len - 1) & (KV_REQUEST_MAX - 1)] == '\n') {
		req.newline = 1;
		req.len--;
	}

#if KV_VERSION >= 2
	if (req.len == 7 && buf[0] == 'V' && buf[1] == 'E' && buf[2] == 'R' &&
	    buf[3] == 'S' && buf[4] == 'I' && buf[5] == 'O' && buf[6] == 'N')
		return KV_ANSWER(pkt, &req, "udp_kv 2");
#endif
	if (req.len < 5 || kv_split(buf, &req))
		return KV_ANSWER(pkt, &req, "ERR");
	/* Straight from the packet into the zero-padded key. */
	len = kv_bound(req.key_len);
	if (len > KV_KEY_MAX)
		return KV_ANSWER(pkt, &req, "ERR");
	if (bpf_cham_load_bytes(pkt, pkt->payload_off + 4, key.bytes, len))
		return CHAM_VERDICT_DROP;

	if (kv_command(buf, "SET") && req.value_off) {
		len = kv_bound(req.value_len);
		if (len > KV_VALUE_MAX)
			return KV_ANSWER(pkt, &req, "ERR");
		if (bpf_cham_load_bytes(pkt, pkt->payload_off + req.value_off,
					value.bytes, len))
			return CHAM_VERDICT_DROP;
		value.len = len;
		value.key = key;
		if (bpf_map_update_elem(&kv, &key, &value, BPF_F_LOCK))
			return KV_ANSWER(pkt, &req, "ERR full");
		return KV_ANSWER(pkt, &req, "OK");
	}
	if (req.value_off)
		return KV_ANSWER(pkt, &req, "ERR");
	if (kv_command(buf, "GET")) {
		found = bpf_map_lookup_elem(&kv, &key);
		if (!found)
			return KV_ANSWER(pkt, &req, "NOT_FOUND");
		/* No call may be made under the lock: copy, then answer. */
		bpf_spin_lock(&found->lock);
		value.len = found->len;
		value.key = found->key;
		__builtin_memcpy(value.bytes, found->bytes, KV_VALUE_MAX);
		bpf_spin_unlock(&found->lock);
		if (!kv_key_equal(&value.key, &key))
			return KV_ANSWER(pkt, &req, "NOT_FOUND");
		return kv_answer(pkt, &req, value.bytes, value.len);
	}
	if (kv_command(buf, "DEL")) {
		if (bpf_map_delete_elem(&kv, &key))
			return KV_ANSWER(pkt, &req, "NOT_FOUND");
		return KV_ANSWER(pkt, &req, "OK");
	}
	return KV_ANSWER(pkt, &req, "ERR");
}

SEC(".struct_ops.link")
struct cham_proto_ops udp_kv = {
	.rx = (void *)udp_kv_rx,
#if KV_VERSION >= 2
	.name = "udp_kv_v2",
#else
	.name = "udp_kv",
#endif
	.tenant = "alpha",
};
