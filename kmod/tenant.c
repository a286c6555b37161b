// SPDX-License-Identifier: GPL-2.0
/*
 * Tenants: created and deleted by the admin over netlink, looked up by the
 * fast path through the steering rules that point at them. A tenant is freed
 * only after an RCU grace period, so a packet in flight never sees it go.
 */
#include <linux/cred.h>
#include <linux/ctype.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "chamelio.h"

static DEFINE_XARRAY(cham_tenants);
static u64 cham_next_tenant_cookie = 1;

/* Readers hold the config lock or rcu_read_lock(); a tenant is freed after RCU. */
static void cham_tenant_assert_reader(void)
{
	RCU_LOCKDEP_WARN(!rcu_read_lock_held() &&
			 !lockdep_is_held(&cham_config_lock),
			 "chamelio: tenant lookup without the config lock or RCU");
}

/*
 * Tenant (and protocol) names appear in bpffs pins (which refuse '.'), in
 * the kernel log and on command lines, where an all-digit name would read
 * as an id.
 */
bool cham_tenant_name_valid(const char *name)
{
	bool all_digits = true;
	const char *c;

	for (c = name; *c; c++) {
		if (!isalnum(*c) && *c != '_' && *c != '-')
			return false;
		all_digits &= !!isdigit(*c);
	}
	return c != name && !all_digits;
}

struct cham_tenant *cham_tenant_find(u32 id, const char *name)
{
	struct cham_tenant *tenant;
	unsigned long index;

	cham_tenant_assert_reader();
	if (id)
		return xa_load(&cham_tenants, id);
	xa_for_each(&cham_tenants, index, tenant)
		if (!strcmp(tenant->name, name))
			return tenant;
	return NULL;
}

/* Iterate in id order: returns the tenant at or after *id, then moves on. */
struct cham_tenant *cham_tenant_next(unsigned long *id)
{
	struct cham_tenant *tenant;

	cham_tenant_assert_reader();
	tenant = xa_find(&cham_tenants, id, ULONG_MAX, XA_PRESENT);
	if (tenant)
		(*id)++;
	return tenant;
}

/* Whether @uid owns the tenant; privileged callers are the caller's concern. */
bool cham_tenant_owned(const struct cham_tenant *tenant, kuid_t uid)
{
	return uid_eq(READ_ONCE(tenant->owner), uid);
}

int cham_tenant_add(u32 id, const char *name, kuid_t owner, u8 default_verdict,
		    const struct cham_limits *limits,
		    struct netlink_ext_ack *extack)
{
	struct cham_limits *own_limits;
	struct cham_egress *egress;
	struct cham_tenant *tenant;
	int err;

	lockdep_assert_held(&cham_config_lock);
	if (xa_load(&cham_tenants, id)) {
		NL_SET_ERR_MSG(extack, "a tenant with this id exists");
		return -EEXIST;
	}
	if (cham_tenant_find(0, name)) {
		NL_SET_ERR_MSG(extack, "a tenant with this name exists");
		return -EEXIST;
	}

	tenant = kzalloc(sizeof(*tenant), GFP_KERNEL);
	if (!tenant)
		return -ENOMEM;
	INIT_LIST_HEAD(&tenant->guests);
	xa_init_flags(&tenant->timers, XA_FLAGS_LOCK_BH);
	tenant->timers_max = CHAM_TIMERS_DEFAULT;
	tenant->punt_queue_max = CHAM_PUNT_QUEUE_DEFAULT;
	tenant->stats = cham_stats_alloc(true);
	tenant->budget = alloc_percpu(struct cham_budget);
	/* Protection starts from the admin's settings or the defaults. */
	own_limits = kmemdup(limits, sizeof(*limits), GFP_KERNEL);
	/* No sources beyond its rules, no ports to redirect to. */
	egress = kzalloc(sizeof(*egress), GFP_KERNEL);
	if (!tenant->stats || !tenant->budget || !own_limits || !egress) {
		err = -ENOMEM;
		goto err_free;
	}
	RCU_INIT_POINTER(tenant->limits, own_limits);
	RCU_INIT_POINTER(tenant->egress, egress);
	tenant->id = id;
	strscpy(tenant->name, name, sizeof(tenant->name));
	tenant->owner = owner;
	tenant->cookie = cham_next_tenant_cookie++;
	tenant->default_verdict = default_verdict;

	err = xa_insert(&cham_tenants, id, tenant, GFP_KERNEL);
	if (!err) {
		cham_config_changed();
		return 0;
	}
err_free:
	kfree(egress);
	kfree(own_limits);
	free_percpu(tenant->budget);
	cham_stats_free(tenant->stats);
	kfree(tenant);
	return err;
}

static void cham_tenant_free_rcu(struct rcu_head *head)
{
	struct cham_tenant *tenant = container_of(head, struct cham_tenant, rcu);

	kfree(rcu_dereference_protected(tenant->limits, true));
	kfree(rcu_dereference_protected(tenant->egress, true));
	free_percpu(tenant->budget);
	cham_stats_free(tenant->stats);
	kfree(tenant);
}

/*
 * Takes ownership of @limits. The buckets keep their tokens: a new burst
 * caps them at the next refill, a new share applies from now on.
 */
void cham_tenant_set_limits(struct cham_tenant *tenant,
			    struct cham_limits *limits)
{
	struct cham_limits *old;

	lockdep_assert_held(&cham_config_lock);
	old = rcu_replace_pointer(tenant->limits, limits,
				  lockdep_is_held(&cham_config_lock));
	kfree_rcu(old, rcu);
	cham_config_changed();
}

/* Takes ownership of @egress. */
void cham_tenant_set_egress(struct cham_tenant *tenant,
			    struct cham_egress *egress)
{
	struct cham_egress *old;

	lockdep_assert_held(&cham_config_lock);
	old = rcu_replace_pointer(tenant->egress, egress,
				  lockdep_is_held(&cham_config_lock));
	kfree_rcu(old, rcu);
	cham_config_changed();
}

/*
 * A port is gone: no tenant may redirect to its ifindex, which a new
 * interface could get. Zeroed in place (0 is no interface) rather than
 * copied, so that it cannot fail; readers see the old index or 0.
 */
void cham_tenants_forget_port(u32 ifindex)
{
	struct cham_tenant *tenant;
	struct cham_egress *egress;
	unsigned long index;
	u32 i;

	lockdep_assert_held(&cham_config_lock);
	xa_for_each(&cham_tenants, index, tenant) {
		bool changed = false;

		egress = rcu_dereference_protected(tenant->egress,
						   lockdep_is_held(&cham_config_lock));
		for (i = 0; i < egress->nr_ports; i++) {
			if (egress->ports[i] == ifindex) {
				WRITE_ONCE(egress->ports[i], 0);
				changed = true;
			}
		}
		if (changed)
			cham_netlink_notify_tenant(tenant,
						   CHAM_CMD_TENANT_CHANGE_NTF);
	}
}

/* A new owner binds protocols from now on; a bound protocol stays. */
void cham_tenant_set_owner(struct cham_tenant *tenant, kuid_t owner)
{
	lockdep_assert_held(&cham_config_lock);
	WRITE_ONCE(tenant->owner, owner);
	cham_config_changed();
}

/*
 * Removes the tenant's rules first, so that once the grace period has passed
 * no packet can reach the tenant; its protocol registration stays with the
 * BPF link, which the tenant removes. Fails, changing nothing, when the
 * tenant still has guests (-EBUSY) or the smaller rule table cannot be
 * allocated.
 */
int cham_tenant_del(struct cham_tenant *tenant)
{
	int err;

	lockdep_assert_held(&cham_config_lock);
	/* Its guests' links carry its traffic: the admin removes them first. */
	if (!list_empty(&tenant->guests))
		return -EBUSY;
	err = cham_rules_del_tenant(tenant);
	if (err)
		return err;
	cham_proto_unbind_tenant(tenant);
	cham_agent_unregister(tenant);
	cham_netlink_notify_tenant(tenant, CHAM_CMD_TENANT_DEL_NTF);
	xa_erase(&cham_tenants, tenant->id);
	call_rcu(&tenant->rcu, cham_tenant_free_rcu);
	cham_config_changed();
	return 0;
}

int cham_tenants_init(void)
{
	cham_unclassified_stats = cham_stats_alloc(false);
	return cham_unclassified_stats ? 0 : -ENOMEM;
}

void cham_tenants_exit(void)
{
	struct cham_tenant *tenant;
	unsigned long index;

	/* The rules are gone already (cham_rules_exit()): this cannot fail. */
	mutex_lock(&cham_config_lock);
	xa_for_each(&cham_tenants, index, tenant)
		WARN_ON(cham_tenant_del(tenant));
	mutex_unlock(&cham_config_lock);
	/* Wait for cham_tenant_free_rcu() before the module text goes. */
	rcu_barrier();
	cham_stats_free(cham_unclassified_stats);
}
