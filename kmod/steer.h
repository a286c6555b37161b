/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The steering index: which tenant's rule matches a destination (address,
 * transport protocol, port), at a cost that does not grow with the number
 * of rules.
 *
 * Rules are grouped by their key, the masked prefix (family, length,
 * address). The keys sit in one open-addressing hash table; each key holds
 * the port ranges of its rules, sorted per transport protocol, and its
 * single-port rules, the bulk of a provider's table, in a second hash
 * keyed by key, protocol and port. A lookup probes the key table once for
 * every prefix length that can match: for IPv4, the lengths from 16 on in
 * use within the packet's /16 (a third hash, of /16 blocks) and the
 * shorter lengths in use anywhere; for IPv6, every length in use. Within
 * a key it probes the exact ports, then binary-searches the ranges of the
 * packet's protocol and of "any protocol". So its cost does not grow with
 * the number of rules, nor, for IPv4, with the lengths in use elsewhere;
 * design.md compares it with a multibit trie.
 *
 * Rules of different tenants never overlap (rules.c refuses it), so the
 * first span found is the only tenant the packet can belong to, and two
 * spans of one key and protocol overlap only when they are one tenant's:
 * the build merges those, which keeps the spans disjoint and sorted.
 *
 * The index is built whole from the rules on every change and published
 * with RCU (rules.c); it is immutable once built. Everything here is a
 * pure function of its arguments, so the host unit test
 * (selftests/steer_test.c) runs this very code against a linear scan. The
 * includer provides u8, u16, u32, u64, bool, __be32, htonl(),
 * struct in6_addr with s6_addr32, AF_INET and AF_INET6.
 */
#ifndef _CHAM_STEER_H
#define _CHAM_STEER_H

#ifdef __KERNEL__
#include <linux/in6.h>
#include <linux/socket.h>
#include <linux/types.h>
#endif

struct cham_tenant;

union cham_addr {
	__be32 v4;
	struct in6_addr v6;
};

/* An address prefix, stored masked. */
struct cham_prefix {
	u8 family;
	u8 prefix_len;
	union cham_addr addr;
	union cham_addr mask;
};

struct cham_rule {
	u32 id;
	struct cham_prefix dst;
	u8 l4_proto;		/* 0: any */
	u16 port_min;
	u16 port_max;
	struct cham_tenant *tenant;
};

/* The ports of rules under one key and protocol, merged per tenant. */
struct cham_steer_span {
	u16 port_min;
	u16 port_max;
	/* One rule alone covers every port: portless packets match it. */
	bool whole;
	struct cham_tenant *tenant;
};

/* The spans of one key and one transport protocol (0: any). */
struct cham_steer_run {
	u8 l4_proto;
	u32 nr_spans;
	u32 first_span;
	/* Its only tenant, for fragments; NULL when it has several. */
	struct cham_tenant *sole;
};

/* A hash slot: one key and its runs. Free while nr_runs is 0. */
struct cham_steer_key {
	union cham_addr addr;
	u8 family;
	u8 prefix_len;
	u32 nr_runs;
	u32 first_run;
	u32 nr_exact;		/* its single-port rules, in the exact table */
};

/* A single-port rule: its key's slot, protocol and port, to its tenant. */
struct cham_steer_exact {
	u64 key;		/* cham_steer_exact_key() */
	struct cham_tenant *tenant;	/* NULL: a free slot */
};

/* The IPv4 prefix lengths from 16 to 32 in use within one /16. */
#define CHAM_STEER_BLOCK_LEN	16
struct cham_steer_block {
	__be32 block;
	u32 lengths;		/* bit L - 16 for length L; 0: a free slot */
};

#define CHAM_STEER_MAX_LEN	128

struct cham_steer_index {
	u32 seed;
	u32 slot_mask;		/* slots - 1, a power of two less one */
	u32 exact_mask;		/* the same for the exact table */
	u32 block_mask;		/* and for the blocks */
	/*
	 * The prefix lengths in use, longest first: [0] IPv4's shorter than
	 * CHAM_STEER_BLOCK_LEN (the others are per block), [1] IPv6's.
	 */
	u32 nr_lengths[2];
	u8 lengths[2][CHAM_STEER_MAX_LEN + 1];
	struct cham_steer_key *slots;
	struct cham_steer_run *runs;
	struct cham_steer_span *spans;
	struct cham_steer_exact *exact;
	struct cham_steer_block *blocks;
};

static __always_inline unsigned int cham_steer_family_index(u8 family)
{
	return family == AF_INET6;
}

static __always_inline unsigned int cham_steer_addr_words(u8 family)
{
	return family == AF_INET6 ? 4 : 1;
}

static __always_inline __be32 cham_steer_word_mask(unsigned int bits)
{
	return bits >= 32 ? htonl(~0U) : bits ? htonl(~0U << (32 - bits)) : 0;
}

/* @addr masked to @len bits into @out. */
static __always_inline void cham_steer_mask(u8 family, const union cham_addr *addr,
				   unsigned int len, union cham_addr *out)
{
	unsigned int i;

	if (family == AF_INET) {
		out->v4 = addr->v4 & cham_steer_word_mask(len);
		return;
	}
	for (i = 0; i < 4; i++, len = len > 32 ? len - 32 : 0)
		out->v6.s6_addr32[i] = addr->v6.s6_addr32[i] &
				       cham_steer_word_mask(len);
}

/* Spreads the bits of a key, with the index's seed. */
static __always_inline u32 cham_steer_mix(u64 key, u32 seed)
{
	u32 h = (u32)(key >> 32) * 0x9e3779b1U ^ (u32)key ^ seed;

	h ^= h >> 16;
	h *= 0x85ebca6bU;
	h ^= h >> 13;
	h *= 0xc2b2ae35U;
	return h ^ (h >> 16);
}

/* A multiplicative hash; the seed, random per build, spreads any rule set. */
static __always_inline u32 cham_steer_hash(const struct cham_steer_index *index,
				  u8 family, unsigned int len,
				  const union cham_addr *addr)
{
	const u32 *words = family == AF_INET ? (const u32 *)&addr->v4 :
					       addr->v6.s6_addr32;
	unsigned int i, n = cham_steer_addr_words(family);
	u32 h = len << 8 | family;

	for (i = 0; i < n; i++)
		h = (h ^ words[i]) * 0x9e3779b1U;
	return cham_steer_mix(h, index->seed);
}

static __always_inline u64 cham_steer_exact_key(u32 slot, u8 l4_proto,
						u16 port)
{
	return (u64)slot << 24 | (u32)l4_proto << 16 | port;
}

/* The exact table's slot for @key: its own, or the free one ending its probe. */
static __always_inline struct cham_steer_exact *
cham_steer_exact_slot(const struct cham_steer_index *index, u64 key)
{
	u32 i = cham_steer_mix(key, index->seed);
	struct cham_steer_exact *e;

	for (;; i++) {
		e = &index->exact[i & index->exact_mask];
		if (!e->tenant || e->key == key)
			return e;
	}
}

/* The blocks' slot for the /16 @block (masked), likewise. */
static __always_inline struct cham_steer_block *
cham_steer_block_slot(const struct cham_steer_index *index, __be32 block)
{
	u32 i = cham_steer_mix((u32)block, index->seed);
	struct cham_steer_block *b;

	for (;; i++) {
		b = &index->blocks[i & index->block_mask];
		if (!b->lengths || b->block == block)
			return b;
	}
}

static __always_inline bool cham_steer_addr_equal(u8 family, const union cham_addr *a,
					 const union cham_addr *b)
{
	if (family == AF_INET)
		return a->v4 == b->v4;
	return !((a->v6.s6_addr32[0] ^ b->v6.s6_addr32[0]) |
		 (a->v6.s6_addr32[1] ^ b->v6.s6_addr32[1]) |
		 (a->v6.s6_addr32[2] ^ b->v6.s6_addr32[2]) |
		 (a->v6.s6_addr32[3] ^ b->v6.s6_addr32[3]));
}

/* The slot of a masked key: its own, or the free one that ends its probe. */
static __always_inline struct cham_steer_key *
cham_steer_slot(const struct cham_steer_index *index, u8 family,
		unsigned int len, const union cham_addr *masked)
{
	u32 i = cham_steer_hash(index, family, len, masked);
	struct cham_steer_key *slot;

	for (;; i++) {
		slot = &index->slots[i & index->slot_mask];
		if (!slot->nr_runs ||
		    (slot->family == family && slot->prefix_len == len &&
		     cham_steer_addr_equal(family, &slot->addr, masked)))
			return slot;
	}
}

/* The run of @l4_proto under @key, or NULL. */
static inline const struct cham_steer_run *
cham_steer_run(const struct cham_steer_index *index,
	       const struct cham_steer_key *key, u8 l4_proto)
{
	const struct cham_steer_run *run = &index->runs[key->first_run];
	u32 i;

	for (i = 0; i < key->nr_runs; i++)
		if (run[i].l4_proto == l4_proto)
			return &run[i];
	return NULL;
}

/* The span of @run that holds @port, or NULL. */
static inline const struct cham_steer_span *
cham_steer_span(const struct cham_steer_index *index,
		const struct cham_steer_run *run, u16 port)
{
	const struct cham_steer_span *spans = &index->spans[run->first_span];
	u32 lo = 0, hi = run->nr_spans;

	/* Single ports only: they are in the exact table. */
	if (!hi)
		return NULL;
	/* The last span that starts at or below @port. */
	while (hi - lo > 1) {
		u32 mid = lo + (hi - lo) / 2;

		if (spans[mid].port_min <= port)
			lo = mid;
		else
			hi = mid;
	}
	if (spans[lo].port_min <= port && port <= spans[lo].port_max)
		return &spans[lo];
	return NULL;
}

static inline struct cham_tenant *
cham_steer_in_run(const struct cham_steer_index *index,
		  const struct cham_steer_run *run, bool has_ports, u16 port)
{
	const struct cham_steer_span *span;

	if (!run)
		return NULL;
	/* A portless packet matches only a rule for every port (port 0 on). */
	span = cham_steer_span(index, run, has_ports ? port : 0);
	if (!span || (!has_ports && !span->whole))
		return NULL;
	return span->tenant;
}

/*
 * The prefix lengths a lookup of @addr probes, longest first, into @lens
 * (room for CHAM_STEER_MAX_LEN + 1); returns how many.
 */
static __always_inline unsigned int
cham_steer_lengths(const struct cham_steer_index *index, u8 family,
		   const union cham_addr *addr, u8 *lens)
{
	const struct cham_steer_block *b;
	unsigned int n = 0, i;
	u32 bits;

	if (family == AF_INET6) {
		for (i = 0; i < index->nr_lengths[1]; i++)
			lens[i] = index->lengths[1][i];
		return i;
	}
	b = cham_steer_block_slot(index, addr->v4 & cham_steer_word_mask(16));
	for (bits = b->lengths; bits; bits &= ~(1U << i)) {
		i = 31 - __builtin_clz(bits);
		lens[n++] = CHAM_STEER_BLOCK_LEN + i;
	}
	for (i = 0; i < index->nr_lengths[0]; i++)
		lens[n++] = index->lengths[0][i];
	return n;
}

/* @key's single-port rule for @port, of @l4_proto or of any protocol. */
static __always_inline struct cham_tenant *
cham_steer_exact_port(const struct cham_steer_index *index,
		      const struct cham_steer_key *key, u8 l4_proto, u16 port)
{
	u32 slot = key - index->slots;
	struct cham_tenant *tenant;

	tenant = cham_steer_exact_slot(index,
			cham_steer_exact_key(slot, l4_proto, port))->tenant;
	if (!tenant && l4_proto)
		tenant = cham_steer_exact_slot(index,
				cham_steer_exact_key(slot, 0, port))->tenant;
	return tenant;
}

/* Inlined for each family, so that IPv4 works on one word throughout. */
static __always_inline struct cham_tenant *
cham_steer_lookup_family(const struct cham_steer_index *index, u8 family,
			 const union cham_addr *addr, u8 l4_proto,
			 bool has_ports, u16 port)
{
	u8 lens[CHAM_STEER_MAX_LEN + 1];
	unsigned int i, n = cham_steer_lengths(index, family, addr, lens);
	const struct cham_steer_key *key;
	struct cham_tenant *tenant;
	union cham_addr masked;

	for (i = 0; i < n; i++) {
		cham_steer_mask(family, addr, lens[i], &masked);
		key = cham_steer_slot(index, family, lens[i], &masked);
		if (!key->nr_runs)
			continue;
		if (has_ports && key->nr_exact) {
			tenant = cham_steer_exact_port(index, key, l4_proto,
						       port);
			if (tenant)
				return tenant;
		}
		tenant = cham_steer_in_run(index,
					   cham_steer_run(index, key, l4_proto),
					   has_ports, port);
		if (!tenant && l4_proto)
			tenant = cham_steer_in_run(index,
						   cham_steer_run(index, key, 0),
						   has_ports, port);
		if (tenant)
			return tenant;
	}
	return NULL;
}

/*
 * The tenant whose rule matches a destination (or a source, for egress
 * validation), or NULL.
 */
static __always_inline struct cham_tenant *
cham_steer_lookup(const struct cham_steer_index *index, u8 family,
		  const union cham_addr *addr, u8 l4_proto, bool has_ports,
		  u16 port)
{
	if (family == AF_INET)
		return cham_steer_lookup_family(index, AF_INET, addr, l4_proto,
						has_ports, port);
	return cham_steer_lookup_family(index, AF_INET6, addr, l4_proto,
					has_ports, port);
}

/*
 * A fragment has no port: the tenant whose rules alone cover its address
 * and protocol, whatever their ports. NULL when no rule covers it
 * (*ambiguous false) or rules of several tenants do (*ambiguous true).
 */
static inline struct cham_tenant *
cham_steer_lookup_fragment(const struct cham_steer_index *index, u8 family,
			   const union cham_addr *addr, u8 l4_proto,
			   bool *ambiguous)
{
	u8 lens[CHAM_STEER_MAX_LEN + 1];
	unsigned int i, p, n = cham_steer_lengths(index, family, addr, lens);
	const struct cham_steer_run *run;
	const struct cham_steer_key *key;
	struct cham_tenant *found = NULL;
	union cham_addr masked;

	*ambiguous = false;
	for (i = 0; i < n; i++) {
		cham_steer_mask(family, addr, lens[i], &masked);
		key = cham_steer_slot(index, family, lens[i], &masked);
		for (p = 0; key->nr_runs && p < 2; p++) {
			run = cham_steer_run(index, key, p ? 0 : l4_proto);
			if (!run || (p && !l4_proto))
				continue;
			if (!run->sole || (found && found != run->sole)) {
				*ambiguous = true;
				return NULL;
			}
			found = run->sole;
		}
	}
	return found;
}

/*
 * Building. The caller allocates cham_steer_index_size(n) bytes, zeroed
 * and pointer-aligned, and passes its @n rules with @order, their indices
 * in cham_steer_rule_cmp() order, and a random seed; the index points
 * into that allocation.
 */
static inline u32 cham_steer_slots(u32 nr_rules)
{
	u64 slots = 4;

	/*
	 * At most a quarter full: a miss, what every frame of no tenant's
	 * costs, ends after 1.4 probes on average.
	 */
	while (slots < 4 * (u64)nr_rules)
		slots *= 2;
	return slots;
}

static inline u64 cham_steer_index_size(u32 nr_rules)
{
	u64 slots = cham_steer_slots(nr_rules);

	return sizeof(struct cham_steer_index) +
	       nr_rules * (u64)(sizeof(struct cham_steer_run) +
				sizeof(struct cham_steer_span)) +
	       slots * (sizeof(struct cham_steer_exact) +
			sizeof(struct cham_steer_key) +
			sizeof(struct cham_steer_block));
}

static inline int cham_steer_cmp_u32(u32 a, u32 b)
{
	return a < b ? -1 : a > b;
}

/* Orders rules by key, then protocol, then first port. */
static inline int cham_steer_rule_cmp(const struct cham_rule *a,
				      const struct cham_rule *b)
{
	unsigned int i, n = cham_steer_addr_words(a->dst.family);
	const u32 *wa, *wb;
	int c;

	c = cham_steer_cmp_u32(a->dst.family, b->dst.family);
	if (!c)
		c = cham_steer_cmp_u32(a->dst.prefix_len, b->dst.prefix_len);
	if (c)
		return c;
	wa = a->dst.family == AF_INET ? (const u32 *)&a->dst.addr.v4 :
					a->dst.addr.v6.s6_addr32;
	wb = b->dst.family == AF_INET ? (const u32 *)&b->dst.addr.v4 :
					b->dst.addr.v6.s6_addr32;
	/* Any consistent order will do: network-order words compare as they are. */
	for (i = 0; i < n; i++) {
		c = cham_steer_cmp_u32(wa[i], wb[i]);
		if (c)
			return c;
	}
	c = cham_steer_cmp_u32(a->l4_proto, b->l4_proto);
	return c ? c : cham_steer_cmp_u32(a->port_min, b->port_min);
}

static inline bool cham_steer_same_key(const struct cham_rule *a,
				       const struct cham_rule *b)
{
	return a->dst.family == b->dst.family &&
	       a->dst.prefix_len == b->dst.prefix_len &&
	       cham_steer_addr_equal(a->dst.family, &a->dst.addr, &b->dst.addr);
}

/* Appends @rule's ports to @run, merging with the last span if it overlaps. */
static inline void cham_steer_add_span(struct cham_steer_index *index,
				       struct cham_steer_run *run,
				       const struct cham_rule *rule)
{
	struct cham_steer_span *last = run->nr_spans ?
		&index->spans[run->first_span + run->nr_spans - 1] : NULL;
	bool whole = rule->port_min == 0 && rule->port_max == 0xffff;

	/* Sorted by first port, and only one tenant's spans overlap. */
	if (last && last->tenant == rule->tenant &&
	    rule->port_min <= last->port_max) {
		if (rule->port_max > last->port_max)
			last->port_max = rule->port_max;
		last->whole |= whole;
		return;
	}
	last = &index->spans[run->first_span + run->nr_spans++];
	last->port_min = rule->port_min;
	last->port_max = rule->port_max;
	last->whole = whole;
	last->tenant = rule->tenant;
}

/* Notes a single-port rule in the exact table; one tenant per port. */
static inline void cham_steer_add_exact(struct cham_steer_index *index,
					struct cham_steer_key *key,
					const struct cham_rule *rule)
{
	u64 k = cham_steer_exact_key(key - index->slots, rule->l4_proto,
				     rule->port_min);
	struct cham_steer_exact *e = cham_steer_exact_slot(index, k);

	e->key = k;
	e->tenant = rule->tenant;
	key->nr_exact++;
}

/* Notes an IPv4 prefix length in use: in its /16, or among the short ones. */
static inline void cham_steer_note_v4_length(struct cham_steer_index *index,
					     const struct cham_rule *rule,
					     bool *has_short)
{
	unsigned int len = rule->dst.prefix_len;
	struct cham_steer_block *b;
	__be32 block;

	if (len < CHAM_STEER_BLOCK_LEN) {
		has_short[len] = true;
		return;
	}
	block = rule->dst.addr.v4 & cham_steer_word_mask(16);
	b = cham_steer_block_slot(index, block);
	b->block = block;
	b->lengths |= 1U << (len - CHAM_STEER_BLOCK_LEN);
}

static inline void cham_steer_index_build(struct cham_steer_index *index,
					  const struct cham_rule *rules,
					  const u32 *order, u32 nr_rules,
					  u32 seed)
{
	u32 i, nr_runs = 0, nr_spans = 0, slots = cham_steer_slots(nr_rules);
	bool has_len[2][CHAM_STEER_MAX_LEN + 1] = {};
	struct cham_steer_run *run = NULL;
	struct cham_steer_key *key = NULL;
	unsigned int f, len;

	index->seed = seed;
	index->slot_mask = slots - 1;
	index->exact_mask = slots - 1;
	index->block_mask = slots - 1;
	/* Pointer-aligned arrays first: a key or a block is only u32-aligned. */
	index->runs = (struct cham_steer_run *)(index + 1);
	index->spans = (struct cham_steer_span *)(index->runs + nr_rules);
	index->exact = (struct cham_steer_exact *)(index->spans + nr_rules);
	index->slots = (struct cham_steer_key *)(index->exact + slots);
	index->blocks = (struct cham_steer_block *)(index->slots + slots);

	for (i = 0; i < nr_rules; i++) {
		const struct cham_rule *rule = &rules[order[i]];

		if (!i || !cham_steer_same_key(&rules[order[i - 1]], rule)) {
			len = rule->dst.prefix_len;
			key = cham_steer_slot(index, rule->dst.family, len,
					      &rule->dst.addr);
			key->addr = rule->dst.addr;
			key->family = rule->dst.family;
			key->prefix_len = len;
			key->first_run = nr_runs;
			if (rule->dst.family == AF_INET6)
				has_len[1][len] = true;
			else
				cham_steer_note_v4_length(index, rule,
							  has_len[0]);
			run = NULL;
		}
		if (!run || run->l4_proto != rule->l4_proto) {
			run = &index->runs[nr_runs++];
			run->l4_proto = rule->l4_proto;
			run->first_span = nr_spans;
			run->sole = rule->tenant;
			key->nr_runs++;
		} else if (run->sole != rule->tenant) {
			run->sole = NULL;
		}
		if (rule->port_min == rule->port_max)
			cham_steer_add_exact(index, key, rule);
		else
			cham_steer_add_span(index, run, rule);
		nr_spans = run->first_span + run->nr_spans;
	}
	for (f = 0; f < 2; f++)
		for (len = CHAM_STEER_MAX_LEN + 1; len-- > 0;)
			if (has_len[f][len])
				index->lengths[f][index->nr_lengths[f]++] = len;
}

#endif /* _CHAM_STEER_H */
