// SPDX-License-Identifier: GPL-2.0
/*
 * kv_cache: the fast path of a UDP key-value cache whose store lives in
 * the tenant's agent (user/agent/kv_agent.c). The protocol is udp_kv's
 * (SET/GET/DEL, one request per datagram, answers OK, the value,
 * NOT_FOUND or ERR, a trailing newline given back), over IPv4 and IPv6.
 *
 * Split:
 *  - a GET of a key in the map `cache` is answered here, from XDP
 *    (verdict TX), and the agent never sees it;
 *  - a GET of any other key, every SET and DEL, and whatever else arrives
 *    is punted to the agent (bpf_cham_punt(), with a code saying which),
 *    which answers it by injecting the reply;
 *  - the agent puts hot keys into `cache` and keeps them coherent with
 *    messages to kv_cache_msg (CHAM_CMD_AGENT_MSG): install, evict,
 *    flush.
 *
 * Datagrams larger than the MTU arrive fragmented; the module hands
 * fragments to the agent directly (the handler never sees them), which
 * reassembles them.
 */
#include <linux/errno.h>

#include "chamelio.bpf.h"
#include "kv_cache.h"

/* "GET " key '\n': the longest GET answered here, a power of two above. */
#define KV_GET_MAX	(4 + KV_CACHE_KEY_MAX + 1)
#define KV_GET_BUF	64

struct kv_key {
	char bytes[KV_CACHE_KEY_MAX];	/* zero-padded: the hash sees all of it */
};

/*
 * The value of a cached key. Only the agent writes (through kv_cache_msg,
 * a copy under the lock with BPF_F_LOCK); GETs on every CPU copy it under
 * the lock too, so a GET never answers half of an old value and half of a
 * new one. The key is kept again inside: deleted hash elements are reused
 * at once, and a GET racing an evict and an install of another key would
 * otherwise copy that key's value. @gen is the flush generation the value
 * was installed in.
 */
struct kv_entry {
	struct bpf_spin_lock lock;
	__u32 len;
	__u32 gen;
	struct kv_key key;
	char bytes[KV_CACHE_VALUE_MAX];
};

/*
 * Preallocated (the default): an install never allocates in softirq. Not
 * pinned: the cache means something only next to its agent's store, and
 * a new version of the protocol starts empty, its agent filling it again.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct kv_key);
	__type(value, struct kv_entry);
} cache SEC(".maps");

/*
 * The flush generation: a flush (KV_MSG_FLUSH, sent by an agent when it
 * starts with an empty store) bumps it, and entries of older generations
 * are misses. Cheaper than deleting every key, which a handler cannot
 * iterate over.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cache_gen SEC(".maps");

/* A GET's copy of the value, taken under the lock (no lock of its own). */
struct kv_copy {
	__u32 len;
	__u32 gen;
	struct kv_key key;
	char bytes[KV_CACHE_VALUE_MAX];
};

/* Per-CPU scratch: too large for the 512-byte BPF stack next to the rest. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kv_copy);
} get_copy SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kv_cache_msg);
} msg_copy SEC(".maps");

/*
 * A length the verifier sees bounded where it is passed (see udp_kv:
 * clang may test one register and pass a copy whose bound it never
 * learnt).
 */
static __always_inline __u64 kv_bound(__u64 v)
{
	asm volatile("" : "+r"(v));
	return v;
}

static __always_inline int kv_key_equal(const struct kv_key *a,
					const struct kv_key *b)
{
	const __u64 *x = (const __u64 *)a->bytes, *y = (const __u64 *)b->bytes;

	return x[0] == y[0] && x[1] == y[1] && x[2] == y[2] && x[3] == y[3];
}

/*
 * Replaces the GET's payload with the value (map memory: kfunc buffers
 * must be writable, so not .rodata) and the request's newline, and turns
 * the packet into the reply. A frame without the tailroom for it goes to
 * the agent instead: veth, for one, leaves only up to a cache line after
 * a frame.
 */
static __always_inline int kv_answer(struct cham_ctx *pkt, char *value,
				     __u32 len, __u8 newline)
{
	char nl[1] = { '\n' };
	__u32 payload_len = pkt->l4_len - sizeof(struct udphdr);
	__u64 bounded = kv_bound(len);

	if (!bounded || bounded > KV_CACHE_VALUE_MAX)
		return bpf_cham_punt(pkt, KV_PUNT_MISS);
	if (bpf_cham_adjust_tail(pkt, (int)(len + newline) - (int)payload_len))
		return bpf_cham_punt(pkt, KV_PUNT_NO_ROOM);
	if (bpf_cham_store_bytes(pkt, pkt->payload_off, value, bounded))
		return CHAM_VERDICT_DROP;
	if (newline && bpf_cham_store_bytes(pkt, pkt->payload_off + len, nl, 1))
		return CHAM_VERDICT_DROP;
	if (cham_reply(pkt, 64) || bpf_cham_csum_l4_update(pkt))
		return CHAM_VERDICT_DROP;
	return CHAM_VERDICT_TX;
}

/* Which punt a request that is not a GET the fast path answers gets. */
static __always_inline int kv_punt_request(struct cham_ctx *pkt,
					   const char *cmd)
{
	if (cmd[0] == 'S' && cmd[1] == 'E' && cmd[2] == 'T' && cmd[3] == ' ')
		return bpf_cham_punt(pkt, KV_PUNT_SET);
	if (cmd[0] == 'D' && cmd[1] == 'E' && cmd[2] == 'L' && cmd[3] == ' ')
		return bpf_cham_punt(pkt, KV_PUNT_DEL);
	return bpf_cham_punt(pkt, KV_PUNT_OTHER);
}

SEC("struct_ops/kv_cache_rx")
int BPF_PROG(kv_cache_rx, struct cham_ctx *pkt)
{
	char buf[KV_GET_BUF] = {};
	struct kv_key key = {};
	struct kv_entry *found;
	struct kv_copy *copy;
	__u32 zero = 0, payload_len, key_len, i, *gen;
	__u8 newline = 0;
	__u64 len;

	if (pkt->l4_proto != IPPROTO_UDP)
		return CHAM_VERDICT_PASS;
	/* The agent trusts what is punted as much as what is answered here. */
	if (bpf_cham_csum_l4_valid(pkt))
		return CHAM_VERDICT_DROP;
	payload_len = pkt->l4_len - sizeof(struct udphdr);
	if (payload_len < 4)
		return bpf_cham_punt(pkt, KV_PUNT_OTHER);
	if (payload_len > KV_GET_MAX) {
		/* A SET with its value, or anything long: the agent's. */
		if (bpf_cham_load_bytes(pkt, pkt->payload_off, buf, 4))
			return CHAM_VERDICT_DROP;
		return kv_punt_request(pkt, buf);
	}
	len = kv_bound(payload_len);
	if (len > KV_GET_BUF)
		return CHAM_VERDICT_DROP;
	if (bpf_cham_load_bytes(pkt, pkt->payload_off, buf, len))
		return CHAM_VERDICT_DROP;
	if (buf[0] != 'G' || buf[1] != 'E' || buf[2] != 'T' || buf[3] != ' ')
		return kv_punt_request(pkt, buf);
	if (buf[(payload_len - 1) & (KV_GET_BUF - 1)] == '\n') {
		newline = 1;
		payload_len--;
	}
	key_len = payload_len - 4;
	if (!key_len || key_len > KV_CACHE_KEY_MAX)
		return bpf_cham_punt(pkt, KV_PUNT_OTHER);
	/* A space in the key ("GET a b") is an error the agent answers. */
	for (i = 0; i < KV_CACHE_KEY_MAX; i++) {
		if (i >= key_len)
			break;
		if (buf[4 + i] == ' ')
			return bpf_cham_punt(pkt, KV_PUNT_OTHER);
		key.bytes[i] = buf[4 + i];
	}

	found = bpf_map_lookup_elem(&cache, &key);
	if (!found)
		return bpf_cham_punt(pkt, KV_PUNT_MISS);
	copy = bpf_map_lookup_elem(&get_copy, &zero);
	gen = bpf_map_lookup_elem(&cache_gen, &zero);
	if (!copy || !gen)
		return bpf_cham_punt(pkt, KV_PUNT_MISS);
	/* No call may be made under the lock: copy, then answer. */
	bpf_spin_lock(&found->lock);
	copy->len = found->len;
	copy->gen = found->gen;
	copy->key = found->key;
	__builtin_memcpy(copy->bytes, found->bytes, KV_CACHE_VALUE_MAX);
	bpf_spin_unlock(&found->lock);
	if (!kv_key_equal(&copy->key, &key) || copy->gen != *gen)
		return bpf_cham_punt(pkt, KV_PUNT_MISS);
	return kv_answer(pkt, copy->bytes, copy->len, newline);
}

/*
 * The agent's messages. Runs in the agent's request (bottom halves off),
 * charged to the tenant like rx; its return value goes back to the agent.
 */
SEC("struct_ops/kv_cache_msg")
int BPF_PROG(kv_cache_msg, struct cham_msg_ctx *msg)
{
	struct kv_entry entry = {};
	struct kv_cache_msg *m;
	struct kv_key key = {};
	__u32 zero = 0, *gen;

	gen = bpf_map_lookup_elem(&cache_gen, &zero);
	if (!gen)
		return -ENOENT;
	if (msg->type == KV_MSG_FLUSH) {
		__sync_fetch_and_add(gen, 1);
		return 0;
	}
	if (msg->type != KV_MSG_INSTALL && msg->type != KV_MSG_EVICT)
		return -EINVAL;
	if (msg->len != sizeof(*m))
		return -EINVAL;
	m = bpf_map_lookup_elem(&msg_copy, &zero);
	if (!m)
		return -ENOENT;
	if (bpf_cham_msg_read(msg, 0, m, sizeof(*m)))
		return -EINVAL;
	if (!m->key_len || m->key_len > KV_CACHE_KEY_MAX)
		return -EINVAL;
	__builtin_memcpy(key.bytes, m->key, KV_CACHE_KEY_MAX);
	if (msg->type == KV_MSG_EVICT)
		return bpf_map_delete_elem(&cache, &key);
	if (!m->value_len)
		return -EINVAL;
	if (m->value_len > KV_CACHE_VALUE_MAX)
		return -E2BIG;
	entry.len = m->value_len;
	entry.gen = *gen;
	entry.key = key;
	__builtin_memcpy(entry.bytes, m->value, KV_CACHE_VALUE_MAX);
	return bpf_map_update_elem(&cache, &key, &entry, BPF_F_LOCK);
}

/* The tenant name can be overridden: chamctl proto load OBJ tenant NAME. */
SEC(".struct_ops.link")
struct cham_proto_ops kv_cache = {
	.rx = (void *)kv_cache_rx,
	.slowpath_msg = (void *)kv_cache_msg,
	.name = "kv_cache",
	.tenant = "alpha",
};
