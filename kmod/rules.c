// SPDX-License-Identifier: GPL-2.0
/*
 * Steering rules map a packet to a tenant by destination prefix, transport
 * protocol and destination port range. Rules change rarely and are read for
 * every packet, so they live in an immutable table that a change copies and
 * publishes with RCU: the fast path reads it without locks or writes. The
 * table keeps the rules in id order, for dumps, and the steering index
 * built from them (steer.h), for lookups whose cost does not grow with the
 * number of rules. Rules of different tenants never overlap, so a match
 * names the only tenant a packet can belong to.
 */
#include <linux/in.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <net/ipv6.h>

#include "chamelio.h"

/*
 * One allocation: the header, the rules in id order (for dumps), their
 * indices in key order (what the index is built from, kept up to date on
 * every change rather than sorted again), then the index (steer.h).
 */
struct cham_rule_table {
	struct rcu_head rcu;
	struct cham_steer_index *index;
	u32 *order;
	size_t size;
	unsigned int count;
	struct cham_rule rules[] __counted_by(count);
};

static struct cham_rule_table __rcu *cham_rule_table;
static u32 cham_next_rule_id = 1;

bool cham_prefix_match(const struct cham_prefix *prefix,
		       const union cham_addr *addr)
{
	if (prefix->family == AF_INET)
		return (addr->v4 & prefix->mask.v4) == prefix->addr.v4;
	return !ipv6_masked_addr_cmp(&addr->v6, &prefix->mask.v6,
				     &prefix->addr.v6);
}

/* Fills in the mask from family and length, and masks the address. */
void cham_prefix_make_mask(struct cham_prefix *prefix)
{
	union cham_addr ones;

	memset(&ones, 0xff, sizeof(ones));
	memset(&prefix->mask, 0, sizeof(prefix->mask));
	cham_steer_mask(prefix->family, &ones, prefix->prefix_len,
			&prefix->mask);
	cham_steer_mask(prefix->family, &prefix->addr, prefix->prefix_len,
			&prefix->addr);
}

struct cham_steer_index __rcu *cham_steer_published;

/*
 * An IP fragment has no transport header (but the first), so no port to
 * steer by: it belongs to a tenant when that tenant's rules are the only
 * ones covering its address and protocol, whatever their ports. Returns
 * that tenant; NULL when no rule covers it (*ambiguous false: the host's
 * traffic) or rules of several tenants do (*ambiguous true).
 */
struct cham_tenant *cham_steer_fragment(u8 family, const union cham_addr *addr,
					u8 l4_proto, bool *ambiguous)
{
	const struct cham_steer_index *index;

	index = rcu_dereference_check(cham_steer_published,
				      rcu_read_lock_bh_held());
	*ambiguous = false;
	if (!index)
		return NULL;
	return cham_steer_lookup_fragment(index, family, addr, l4_proto,
					  ambiguous);
}

/* Two prefixes overlap when one contains the other. */
static bool cham_prefixes_overlap(const struct cham_prefix *a,
				  const struct cham_prefix *b)
{
	const struct cham_prefix *wider = a->prefix_len <= b->prefix_len ? a : b;
	const struct cham_prefix *narrower = wider == a ? b : a;

	return cham_prefix_match(wider, &narrower->addr);
}

static bool cham_rules_overlap(const struct cham_rule *a,
			       const struct cham_rule *b)
{
	return a->dst.family == b->dst.family &&
	       (!a->l4_proto || !b->l4_proto || a->l4_proto == b->l4_proto) &&
	       a->port_min <= b->port_max && b->port_min <= a->port_max &&
	       cham_prefixes_overlap(&a->dst, &b->dst);
}

/* The same match: family, prefix, transport protocol and ports. */
static bool cham_rules_equal(const struct cham_rule *a,
			     const struct cham_rule *b)
{
	return a->dst.family == b->dst.family &&
	       a->dst.prefix_len == b->dst.prefix_len &&
	       !memcmp(&a->dst.addr, &b->dst.addr, sizeof(a->dst.addr)) &&
	       a->l4_proto == b->l4_proto && a->port_min == b->port_min &&
	       a->port_max == b->port_max;
}

static struct cham_rule_table *cham_rule_table_locked(void)
{
	return rcu_dereference_protected(cham_rule_table,
					 lockdep_is_held(&cham_config_lock));
}

/*
 * A table for @count rules: fill in the rules and their order, then
 * cham_steer_index_build() the index. count <= CHAM_RULES_MAX: a few
 * megabytes at most.
 */
static struct cham_rule_table *cham_rule_table_alloc(unsigned int count)
{
	struct cham_rule_table *table;
	size_t order = struct_size(table, rules, count);
	size_t index = ALIGN(order + count * sizeof(u32), sizeof(void *));
	size_t size = size_add(index, cham_steer_index_size(count));

	table = kvzalloc(size, GFP_KERNEL);
	if (!table)
		return NULL;
	table->count = count;
	table->size = size;
	table->order = (void *)table + order;
	table->index = (void *)table + index;
	return table;
}

/*
 * The index's hash seed is drawn anew for every build, so that nobody can
 * aim packets at its longest probe chains. A fixed seed makes the chains,
 * and so instruction counts, the same from one boot to the next: for
 * benchmarks only.
 */
static unsigned int cham_steer_seed;
module_param_named(steer_seed, cham_steer_seed, uint, 0644);
MODULE_PARM_DESC(steer_seed,
		 "Fixed hash seed of the steering index, for reproducible benchmarks (default 0: random per rule change)");

static void cham_rule_table_index(struct cham_rule_table *table)
{
	u32 seed = READ_ONCE(cham_steer_seed);

	cham_steer_index_build(table->index, table->rules, table->order,
			       table->count, seed ? seed : get_random_u32());
}

/*
 * Replaced tables wait for a grace period to be freed. A batch of changes
 * to a large table (chamctl -batch adding 10,000 rules) retires them
 * faster than grace periods end under load; past this many bytes waiting,
 * a change waits until they are freed.
 */
#define CHAM_RULES_RETIRED_MAX	(32 << 20)
static size_t cham_rules_retired;

static void cham_rule_table_publish(struct cham_rule_table *table)
{
	struct cham_rule_table *old = cham_rule_table_locked();

	rcu_assign_pointer(cham_rule_table, table);
	/* The index lives in the table: the same grace period frees both. */
	rcu_assign_pointer(cham_steer_published, table ? table->index : NULL);
	if (old) {
		cham_rules_retired += old->size;
		kvfree_rcu(old, rcu);
		if (cham_rules_retired > CHAM_RULES_RETIRED_MAX) {
			kvfree_rcu_barrier();
			cham_rules_retired = 0;
		}
	}
	cham_config_changed();
}

/* Where @rule goes in @table's key order: after every rule not above it. */
static unsigned int cham_rule_order_pos(const struct cham_rule_table *table,
					const struct cham_rule *rule)
{
	unsigned int lo = 0, hi = table ? table->count : 0;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (cham_steer_rule_cmp(&table->rules[table->order[mid]],
					rule) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Adds @rule (family, dst, prefix_len, l4_proto, ports, tenant filled in)
 * and sets rule->id. The table stays in id order (dumps rely on it).
 */
int cham_rule_add(struct cham_rule *rule, struct netlink_ext_ack *extack)
{
	struct cham_rule_table *old = cham_rule_table_locked(), *table;
	unsigned int i, pos, count = old ? old->count : 0;

	lockdep_assert_held(&cham_config_lock);
	if (count >= CHAM_RULES_MAX) {
		NL_SET_ERR_MSG_FMT(extack, "the module holds at most %u rules",
				   CHAM_RULES_MAX);
		return -ENOSPC;
	}
	cham_prefix_make_mask(&rule->dst);
	for (i = 0; i < count; i++) {
		/* A second copy would only make deleting the rule not take. */
		if (old->rules[i].tenant == rule->tenant &&
		    cham_rules_equal(&old->rules[i], rule)) {
			NL_SET_ERR_MSG_FMT(extack, "tenant %s has this rule: rule %u",
					   rule->tenant->name, old->rules[i].id);
			return -EEXIST;
		}
		if (old->rules[i].tenant != rule->tenant &&
		    cham_rules_overlap(&old->rules[i], rule)) {
			NL_SET_ERR_MSG_FMT(extack,
					   "rule overlaps rule %u of tenant %s",
					   old->rules[i].id,
					   old->rules[i].tenant->name);
			return -EEXIST;
		}
	}

	table = cham_rule_table_alloc(count + 1);
	if (!table)
		return -ENOMEM;
	pos = cham_rule_order_pos(old, rule);
	if (count) {
		memcpy(table->rules, old->rules, count * sizeof(*rule));
		memcpy(table->order, old->order, pos * sizeof(u32));
		memcpy(table->order + pos + 1, old->order + pos,
		       (count - pos) * sizeof(u32));
	}
	rule->id = cham_next_rule_id++;
	table->rules[count] = *rule;
	table->order[pos] = count;
	cham_rule_table_index(table);
	cham_rule_table_publish(table);
	return 0;
}

/*
 * Publishes the current table without the rules @drop selects. A table is
 * read without locks, so even removal needs a new one: when it cannot be
 * allocated, nothing changes and the caller reports -ENOMEM.
 */
static int cham_rules_remove(bool (*drop)(const struct cham_rule *rule,
					  const void *arg),
			     const void *arg)
{
	struct cham_rule_table *old = cham_rule_table_locked(), *table;
	unsigned int i, kept = 0, count = old ? old->count : 0;
	u32 *renumber;

	for (i = 0; i < count; i++)
		kept += !drop(&old->rules[i], arg);
	if (kept == count)
		return -ENOENT;
	if (!kept) {
		cham_rule_table_publish(NULL);
		return 0;
	}

	table = cham_rule_table_alloc(kept);
	renumber = kvmalloc_array(count, sizeof(*renumber), GFP_KERNEL);
	if (!table || !renumber) {
		kvfree(table);
		kvfree(renumber);
		return -ENOMEM;
	}
	/* The kept rules, in id order, and what each old index became. */
	for (i = 0, kept = 0; i < count; i++) {
		renumber[i] = U32_MAX;
		if (!drop(&old->rules[i], arg)) {
			renumber[i] = kept;
			table->rules[kept++] = old->rules[i];
		}
	}
	/* Removing rules keeps the others in key order. */
	for (i = 0, kept = 0; i < count; i++)
		if (renumber[old->order[i]] != U32_MAX)
			table->order[kept++] = renumber[old->order[i]];
	kvfree(renumber);
	cham_rule_table_index(table);
	cham_rule_table_publish(table);
	return 0;
}

static bool cham_rule_has_id(const struct cham_rule *rule, const void *id)
{
	return rule->id == *(const u32 *)id;
}

static bool cham_rule_of_tenant(const struct cham_rule *rule,
				const void *tenant)
{
	return rule->tenant == tenant;
}

int cham_rule_del(u32 id)
{
	lockdep_assert_held(&cham_config_lock);
	return cham_rules_remove(cham_rule_has_id, &id);
}

/* 0 also when the tenant had no rules. */
int cham_rules_del_tenant(struct cham_tenant *tenant)
{
	int err;

	lockdep_assert_held(&cham_config_lock);
	err = cham_rules_remove(cham_rule_of_tenant, tenant);
	return err == -ENOENT ? 0 : err;
}

/* Under the config lock or rcu_read_lock(): rule->tenant lives as long. */
bool cham_rule_get(unsigned int index, struct cham_rule *rule)
{
	struct cham_rule_table *table = cham_config_dereference(cham_rule_table);

	if (!table || index >= table->count)
		return false;
	*rule = table->rules[index];
	return true;
}

/* One snapshot of the table: a concurrent change cannot hide the rule. */
bool cham_rule_find(u32 id, struct cham_rule *rule)
{
	struct cham_rule_table *table = cham_config_dereference(cham_rule_table);
	unsigned int i;

	for (i = 0; table && i < table->count; i++) {
		if (table->rules[i].id == id) {
			*rule = table->rules[i];
			return true;
		}
	}
	return false;
}

void cham_rules_exit(void)
{
	mutex_lock(&cham_config_lock);
	cham_rule_table_publish(NULL);
	mutex_unlock(&cham_config_lock);
}
