// SPDX-License-Identifier: GPL-2.0
/*
 * Tenants: created and deleted by the admin over netlink, looked up by the
 * fast path through the steering rules that point at them. A tenant is freed
 * only after an RCU grace period, so a packet in flight never sees it go.
 */
#include <linux/slab.h>
#include <linux/xarray.h>

#include "chamelio.h"

static DEFINE_XARRAY(cham_tenants);

struct cham_tenant *cham_tenant_find(u32 id, const char *name)
{
	struct cham_tenant *tenant;
	unsigned long index;

	lockdep_assert_held(&cham_config_lock);
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

	lockdep_assert_held(&cham_config_lock);
	tenant = xa_find(&cham_tenants, id, ULONG_MAX, XA_PRESENT);
	if (tenant)
		(*id)++;
	return tenant;
}

int cham_tenant_add(u32 id, const char *name, u32 owner, u8 default_verdict,
		    const struct cham_limits *limits,
		    struct netlink_ext_ack *extack)
{
	struct cham_limits *own_limits;
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
	tenant->stats = cham_stats_alloc();
	tenant->budget = alloc_percpu(struct cham_budget);
	/* Protection starts from the admin's settings or the defaults. */
	own_limits = kmemdup(limits, sizeof(*limits), GFP_KERNEL);
	if (!tenant->stats || !tenant->budget || !own_limits) {
		err = -ENOMEM;
		goto err_free;
	}
	RCU_INIT_POINTER(tenant->limits, own_limits);
	tenant->id = id;
	strscpy(tenant->name, name, sizeof(tenant->name));
	tenant->owner = owner;
	tenant->default_verdict = default_verdict;

	err = xa_insert(&cham_tenants, id, tenant, GFP_KERNEL);
	if (!err)
		return 0;
err_free:
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
}

/*
 * Removes the tenant's rules first, so that once the grace period has passed
 * no packet can reach the tenant; its protocol registration stays with the
 * BPF link, which the tenant removes.
 */
int cham_tenant_del(struct cham_tenant *tenant)
{
	lockdep_assert_held(&cham_config_lock);
	cham_rules_del_tenant(tenant);
	cham_proto_unbind_tenant(tenant);
	xa_erase(&cham_tenants, tenant->id);
	call_rcu(&tenant->rcu, cham_tenant_free_rcu);
	return 0;
}

int cham_tenants_init(void)
{
	cham_unclassified_stats = cham_stats_alloc();
	return cham_unclassified_stats ? 0 : -ENOMEM;
}

void cham_tenants_exit(void)
{
	struct cham_tenant *tenant;
	unsigned long index;

	mutex_lock(&cham_config_lock);
	xa_for_each(&cham_tenants, index, tenant)
		cham_tenant_del(tenant);
	mutex_unlock(&cham_config_lock);
	/* Wait for cham_tenant_free_rcu() before the module text goes. */
	rcu_barrier();
	cham_stats_free(cham_unclassified_stats);
}
