// SPDX-License-Identifier: GPL-2.0
/*
 * steer_test - host unit test of the steering index (kmod/steer.h), the
 * very code the module runs, against the obvious linear scan of the rules.
 *
 * Usage: steer_test [SEED]
 *
 * Builds random rule tables the way rules.c accepts them (rules of
 * different tenants never overlap; one tenant's may), of 1 to 4096 rules,
 * IPv4 and IPv6, exact addresses and prefixes, single ports, ranges, any
 * protocol, and probes each with addresses and ports near the rules' edges
 * and at random: the index must name the same tenant as the scan for
 * every probe, with and without ports, and for fragments. Built and run on
 * the host by scripts/check.sh. Output: "ok - ..." / "not ok - ..." lines.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef uint32_t __be32;

#include "../kmod/steer.h"
#include "tap.h"

/* Tenants are only compared: any distinct addresses do. */
struct cham_tenant {
	int id;
};

#define NR_TENANTS	16
static struct cham_tenant tenants[NR_TENANTS];

static u64 rng_state;

static u32 rnd(u32 bound)
{
	/* xorshift64*: reproducible from the seed, good enough to spread. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (u32)((rng_state * 0x2545f4914f6cdd1dULL) >> 32) % bound;
}

/*
 * The reference's own masking, bit by bit, so that a masking bug in
 * steer.h cannot hide by changing rules, reference and index alike.
 */
static bool bit_of(u8 family, const union cham_addr *a, unsigned int bit)
{
	const u8 *bytes = family == AF_INET ? (const u8 *)&a->v4 :
					      a->v6.s6_addr;

	return bytes[bit / 8] & (0x80 >> (bit % 8));
}

static bool prefix_match(const struct cham_prefix *p, const union cham_addr *a)
{
	unsigned int bit;

	for (bit = 0; bit < p->prefix_len; bit++)
		if (bit_of(p->family, a, bit) != bit_of(p->family, &p->addr, bit))
			return false;
	return true;
}

/* @a with the bits from @len on cleared, bit by bit. */
static void clear_host_bits(u8 family, union cham_addr *a, unsigned int len)
{
	u8 *bytes = family == AF_INET ? (u8 *)&a->v4 : a->v6.s6_addr;
	unsigned int bit, bits = family == AF_INET ? 32 : 128;

	for (bit = len; bit < bits; bit++)
		bytes[bit / 8] &= ~(0x80 >> (bit % 8));
}

/* The reference: rules.c's rules, scanned in order (the old steering). */
static struct cham_tenant *linear(const struct cham_rule *rules, u32 n,
				  u8 family, const union cham_addr *addr,
				  u8 proto, bool has_ports, u16 port)
{
	u32 i;

	for (i = 0; i < n; i++) {
		const struct cham_rule *r = &rules[i];

		if (r->dst.family != family ||
		    (r->l4_proto && r->l4_proto != proto))
			continue;
		if (has_ports ? port < r->port_min || port > r->port_max :
				r->port_min != 0 || r->port_max != 0xffff)
			continue;
		if (prefix_match(&r->dst, addr))
			return r->tenant;
	}
	return NULL;
}

static struct cham_tenant *linear_fragment(const struct cham_rule *rules,
					   u32 n, u8 family,
					   const union cham_addr *addr,
					   u8 proto, bool *ambiguous)
{
	struct cham_tenant *found = NULL;
	u32 i;

	*ambiguous = false;
	for (i = 0; i < n; i++) {
		const struct cham_rule *r = &rules[i];

		if (r->dst.family != family ||
		    (r->l4_proto && r->l4_proto != proto) ||
		    !prefix_match(&r->dst, addr))
			continue;
		if (found && found != r->tenant) {
			*ambiguous = true;
			return NULL;
		}
		found = r->tenant;
	}
	return found;
}

/* rules.c's overlap test. */
static bool overlap(const struct cham_rule *a, const struct cham_rule *b)
{
	const struct cham_rule *wide = a->dst.prefix_len <= b->dst.prefix_len ?
				       a : b;
	const struct cham_rule *narrow = wide == a ? b : a;

	return a->dst.family == b->dst.family &&
	       (!a->l4_proto || !b->l4_proto || a->l4_proto == b->l4_proto) &&
	       a->port_min <= b->port_max && b->port_min <= a->port_max &&
	       prefix_match(&wide->dst, &narrow->dst.addr);
}

/*
 * Addresses from a small space (a few /16s, a few /48s), so that
 * prefixes nest and collide as a provider's do; every IPv6 word varies,
 * and some IPv4 addresses equal an IPv6 address's first word.
 */
static void random_addr(u8 family, union cham_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (family == AF_INET) {
		a->v4 = rnd(8) ? htonl(0x0a000000 | rnd(4) << 16 |
				       rnd(8) << 8 | rnd(16)) :
				 htonl(0x20010db8);
		return;
	}
	a->v6.s6_addr32[0] = htonl(0x20010db8);
	a->v6.s6_addr32[1] = htonl(rnd(3) << rnd(32));
	a->v6.s6_addr32[2] = htonl(rnd(3) << rnd(32));
	a->v6.s6_addr32[3] = htonl(rnd(16));
}

/* Host addresses and a provider's usual lengths most, any length sometimes. */
static u8 random_len(u8 family)
{
	static const u8 v4[] = { 8, 16, 24, 32, 32, 32 };
	static const u8 v6[] = { 48, 64, 128, 128, 128 };

	if (!rnd(3))
		return rnd(family == AF_INET ? 33 : 129);
	return family == AF_INET ? v4[rnd(sizeof(v4))] : v6[rnd(sizeof(v6))];
}

static const u8 protos[] = { 0, IPPROTO_UDP, IPPROTO_UDP, IPPROTO_TCP };

static void random_rule(struct cham_rule *r)
{
	u8 family = rnd(4) ? AF_INET : AF_INET6;
	u32 a = rnd(64), b;

	memset(r, 0, sizeof(*r));
	r->dst.family = family;
	r->dst.prefix_len = random_len(family);
	random_addr(family, &r->dst.addr);
	clear_host_bits(family, &r->dst.addr, r->dst.prefix_len);
	r->l4_proto = protos[rnd(sizeof(protos))];
	switch (rnd(5)) {
	case 0:
		r->port_min = 0;
		r->port_max = 0xffff;
		break;
	case 1:
		/* From port 0: merges with a whole rule of its tenant. */
		r->port_min = 0;
		r->port_max = 7000 + a;
		break;
	case 2:
		b = a + rnd(8);
		r->port_min = 7000 + a;
		r->port_max = 7000 + b;
		break;
	default:
		r->port_min = r->port_max = 7000 + a;
	}
	r->tenant = &tenants[rnd(NR_TENANTS)];
}

static const struct cham_rule *sort_rules;

static int rule_index_cmp(const void *a, const void *b)
{
	return cham_steer_rule_cmp(&sort_rules[*(const u32 *)a],
				   &sort_rules[*(const u32 *)b]);
}

/* As rules.c keeps them: the rules, and their indices in key order. */
static struct cham_steer_index *build(const struct cham_rule *rules, u32 n)
{
	u32 *order = calloc(n ? n : 1, sizeof(*order));
	struct cham_steer_index *index;
	u32 i;

	index = calloc(1, cham_steer_index_size(n));
	if (!order || !index) {
		perror("steer_test");
		exit(1);
	}
	for (i = 0; i < n; i++)
		order[i] = i;
	sort_rules = rules;
	qsort(order, n, sizeof(*order), rule_index_cmp);
	cham_steer_index_build(index, rules, order, n, rnd(~0U));
	free(order);
	return index;
}

/* A probe near a rule (its address, ports at and beyond its edges) or anywhere. */
static void probe_near(const struct cham_rule *r, u8 *family,
		       union cham_addr *addr, u8 *proto, u16 *port)
{
	static const int deltas[] = { -1, 0, 1 };

	*family = r->dst.family;
	random_addr(*family, addr);
	if (rnd(2)) {
		/* Inside the prefix: its bits, then random ones. */
		union cham_addr inside = r->dst.addr;
		u8 *ib = *family == AF_INET ? (u8 *)&inside.v4 :
					      inside.v6.s6_addr;
		unsigned int bit, bits = *family == AF_INET ? 32 : 128;

		for (bit = r->dst.prefix_len; bit < bits; bit++)
			if (bit_of(*family, addr, bit))
				ib[bit / 8] |= 0x80 >> (bit % 8);
		*addr = inside;
	}
	*proto = rnd(3) ? r->l4_proto : protos[rnd(sizeof(protos))];
	if (!*proto)
		*proto = rnd(2) ? IPPROTO_UDP : IPPROTO_ICMP;
	*port = (rnd(2) ? r->port_min : r->port_max) + deltas[rnd(3)];
}

static bool run_table(u32 n, u32 probes)
{
	struct cham_rule *rules = calloc(n ? n : 1, sizeof(*rules));
	struct cham_steer_index *index;
	u32 i, j, accepted = 0, mismatches = 0, nr_lengths;
	bool ok = true;

	/* Random rules, kept when rules.c would accept them. */
	for (i = 0; accepted < n && i < 50 * n; i++) {
		struct cham_rule r;

		random_rule(&r);
		for (j = 0; j < accepted; j++)
			if (rules[j].tenant != r.tenant && overlap(&rules[j], &r))
				break;
		if (j == accepted)
			rules[accepted++] = r;
	}
	index = build(rules, accepted);
	nr_lengths = index->nr_lengths[0] + index->nr_lengths[1];

	for (i = 0; i < probes; i++) {
		struct cham_tenant *want, *got;
		bool amb_want, amb_got, has_ports = rnd(4) != 0;
		union cham_addr addr;
		u8 family, proto;
		u16 port;

		if (accepted && rnd(4)) {
			probe_near(&rules[rnd(accepted)], &family, &addr,
				   &proto, &port);
		} else {
			family = rnd(4) ? AF_INET : AF_INET6;
			random_addr(family, &addr);
			proto = protos[rnd(sizeof(protos))];
			port = 7000 + rnd(80);
		}
		want = linear(rules, accepted, family, &addr, proto, has_ports,
			      port);
		got = cham_steer_lookup(index, family, &addr, proto, has_ports,
					port);
		if (want != got) {
			if (!mismatches++) {
				char buf[INET6_ADDRSTRLEN];

				inet_ntop(family, &addr, buf, sizeof(buf));
				printf("# %s proto %u port %u%s: index %d, scan %d\n",
				       buf, proto, port,
				       has_ports ? "" : " (portless)",
				       got ? got->id : -1, want ? want->id : -1);
			}
			continue;
		}
		want = linear_fragment(rules, accepted, family, &addr, proto,
				       &amb_want);
		got = cham_steer_lookup_fragment(index, family, &addr, proto,
						 &amb_got);
		if (want != got || amb_want != amb_got)
			mismatches++;
	}
	ok = mismatches == 0;
	report(ok, "%u rules (%u prefix lengths): %u probes steer as the scan does",
	       accepted, nr_lengths, probes);
	if (!ok)
		printf("# %u mismatches\n", mismatches);
	free(index);
	free(rules);
	return ok;
}

int main(int argc, char **argv)
{
	static const u32 sizes[] = { 0, 1, 2, 3, 16, 64, 256, 1024, 4096 };
	u32 i, round;

	rng_state = argc > 1 ? strtoull(argv[1], NULL, 0) : 0x5eed5eedULL;
	if (!rng_state)
		rng_state = 1;
	for (i = 0; i < NR_TENANTS; i++)
		tenants[i].id = i;
	for (round = 0; round < 3; round++)
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
			run_table(sizes[i], 20000);
	return failures ? 1 : 0;
}
