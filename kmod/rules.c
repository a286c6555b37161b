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
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/sort.h>
#include <net/ipv6.h>

#include "chamelio.h"

/* One allocation: the header, the rules, then the index (steer.h). */
struct cham_rule_table {
	struct rcu_head rcu;
	struct cham_steer_index *index;
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

static const struct cham_steer_index *cham_steer_index(void)
{
	const struct cham_rule_table *table;

	table = rcu_dereference_check(cham_rule_table, rcu_read_lock_bh_held());
	return table ? table->index : NULL;
}

/*
 * The tenant whose rule matches an address, transport protocol and port:
 * the destination of a received packet (steering), or the source of one a
 * handler sends (egress validation). Called for every packet under the
 * XDP program's RCU read side.
 */
struct cham_tenant *cham_steer(u8 family, const union cham_addr *addr,
			       u8 l4_proto, bool has_ports, u16 port)
{
	const struct cham_steer_index *index = cham_steer_index();

	if (!index)
		return NULL;
	return cham_steer_lookup(index, family, addr, l4_proto, has_ports,
				 port);
}

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
	const struct cham_steer_index *index = cham_steer_index();

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

static struct cham_rule_table *cham_rule_table_locked(void)
{
	return rcu_dereference_protected(cham_rule_table,
					 lockdep_is_held(&cham_config_lock));
}

static int cham_rule_ptr_cmp(const void *a, const void *b)
{
	return cham_steer_rule_cmp(*(const struct cham_rule *const *)a,
				   *(const struct cham_rule *const *)b);
}

/*
 * A table for @count rules, with room for their index after them: fill
 * in the rules, then cham_rule_table_index().
 */
static struct cham_rule_table *cham_rule_table_alloc(unsigned int count)
{
	struct cham_rule_table *table;
	size_t rules = ALIGN(struct_size(table, rules, count), sizeof(void *));

	table = kvzalloc(rules + cham_steer_index_size(count), GFP_KERNEL);
	if (!table)
		return NULL;
	table->count = count;
	table->index = (void *)table + rules;
	return table;
}

/* Builds the index of the table's rules. */
static int cham_rule_table_index(struct cham_rule_table *table)
{
	const struct cham_rule **sorted;
	unsigned int i;

	sorted = kvmalloc_array(table->count, sizeof(*sorted), GFP_KERNEL);
	if (!sorted)
		return -ENOMEM;
	for (i = 0; i < table->count; i++)
		sorted[i] = &table->rules[i];
	sort(sorted, table->count, sizeof(*sorted), cham_rule_ptr_cmp, NULL);
	cham_steer_index_build(table->index, sorted, table->count,
			       get_random_u32());
	kvfree(sorted);
	return 0;
}

static void cham_rule_table_publish(struct cham_rule_table *table)
{
	struct cham_rule_table *old = cham_rule_table_locked();

	rcu_assign_pointer(cham_rule_table, table);
	if (old)
		kvfree_rcu(old, rcu);
	cham_config_changed();
}

/*
 * Adds @rule (family, dst, prefix_len, l4_proto, ports, tenant filled in)
 * and sets rule->id. The table stays in id order (dumps rely on it).
 */
int cham_rule_add(struct cham_rule *rule, struct netlink_ext_ack *extack)
{
	struct cham_rule_table *old = cham_rule_table_locked(), *table;
	unsigned int i, count = old ? old->count : 0;

	lockdep_assert_held(&cham_config_lock);
	cham_prefix_make_mask(&rule->dst);
	for (i = 0; i < count; i++) {
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
	if (count)
		memcpy(table->rules, old->rules, count * sizeof(*rule));
	table->rules[count] = *rule;
	table->rules[count].id = cham_next_rule_id;
	if (cham_rule_table_index(table)) {
		kvfree(table);
		return -ENOMEM;
	}
	rule->id = cham_next_rule_id++;
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

	for (i = 0; i < count; i++)
		kept += !drop(&old->rules[i], arg);
	if (kept == count)
		return -ENOENT;

	table = NULL;
	if (kept) {
		table = cham_rule_table_alloc(kept);
		if (!table)
			return -ENOMEM;
		for (i = 0, kept = 0; i < count; i++)
			if (!drop(&old->rules[i], arg))
				table->rules[kept++] = old->rules[i];
		if (cham_rule_table_index(table)) {
			kvfree(table);
			return -ENOMEM;
		}
	}
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
