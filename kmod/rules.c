// SPDX-License-Identifier: GPL-2.0
/*
 * Steering rules map a packet to a tenant by destination prefix, transport
 * protocol and destination port range. Rules change rarely and are read for
 * every packet, so they live in an immutable array that a change copies and
 * publishes with RCU: the fast path scans it without locks or writes. Rules
 * of different tenants never overlap, so the first match is the only
 * tenant a packet can belong to.
 */
#include <linux/in.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <net/ipv6.h>

#include "chamelio.h"

struct cham_rule_table {
	struct rcu_head rcu;
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
	unsigned int i, bits = prefix->prefix_len;

	memset(&prefix->mask, 0, sizeof(prefix->mask));
	if (prefix->family == AF_INET) {
		prefix->mask.v4 = bits ? htonl(~0U << (32 - bits)) : 0;
		prefix->addr.v4 &= prefix->mask.v4;
		return;
	}
	for (i = 0; i < 4; i++, bits = bits > 32 ? bits - 32 : 0) {
		if (bits >= 32)
			prefix->mask.v6.s6_addr32[i] = htonl(~0U);
		else if (bits)
			prefix->mask.v6.s6_addr32[i] = htonl(~0U << (32 - bits));
		prefix->addr.v6.s6_addr32[i] &= prefix->mask.v6.s6_addr32[i];
	}
}

static bool cham_rule_covers_all_ports(const struct cham_rule *rule)
{
	return rule->port_min == 0 && rule->port_max == U16_MAX;
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
	const struct cham_rule_table *table;
	unsigned int i;

	table = rcu_dereference_check(cham_rule_table, rcu_read_lock_bh_held());
	if (!table)
		return NULL;
	for (i = 0; i < table->count; i++) {
		const struct cham_rule *rule = &table->rules[i];

		if (rule->dst.family != family)
			continue;
		if (rule->l4_proto && rule->l4_proto != l4_proto)
			continue;
		if (has_ports ? (port < rule->port_min ||
				 port > rule->port_max) :
				!cham_rule_covers_all_ports(rule))
			continue;
		if (cham_prefix_match(&rule->dst, addr))
			return rule->tenant;
	}
	return NULL;
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
	const struct cham_rule_table *table;
	struct cham_tenant *found = NULL;
	unsigned int i;

	*ambiguous = false;
	table = rcu_dereference_check(cham_rule_table, rcu_read_lock_bh_held());
	if (!table)
		return NULL;
	for (i = 0; i < table->count; i++) {
		const struct cham_rule *rule = &table->rules[i];

		if (rule->dst.family != family ||
		    (rule->l4_proto && rule->l4_proto != l4_proto) ||
		    !cham_prefix_match(&rule->dst, addr))
			continue;
		if (found && found != rule->tenant) {
			*ambiguous = true;
			return NULL;
		}
		found = rule->tenant;
	}
	return found;
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

static struct cham_rule_table *cham_rule_table_alloc(unsigned int count,
						     gfp_t gfp)
{
	struct cham_rule_table *table;

	table = kvmalloc(struct_size(table, rules, count), gfp);
	if (table)
		table->count = count;
	return table;
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

	table = cham_rule_table_alloc(count + 1, GFP_KERNEL);
	if (!table)
		return -ENOMEM;
	if (count)
		memcpy(table->rules, old->rules, count * sizeof(*rule));
	rule->id = cham_next_rule_id++;
	table->rules[count] = *rule;
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
		table = cham_rule_table_alloc(kept, GFP_KERNEL);
		if (!table)
			return -ENOMEM;
	}
	for (i = 0, kept = 0; i < count; i++)
		if (!drop(&old->rules[i], arg))
			table->rules[kept++] = old->rules[i];
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
