// SPDX-License-Identifier: GPL-2.0
/*
 * Chamelio: a shared, tenant-programmable network stack at XDP.
 *
 * See Documentation/design.md for the architecture.
 */
#include <linux/module.h>

#include "chamelio.h"

/* Serialises every configuration change; see chamelio.h. */
DEFINE_MUTEX(cham_config_lock);

static atomic_t cham_config_sequence = ATOMIC_INIT(1);

void cham_config_changed(void)
{
	atomic_inc(&cham_config_sequence);
}

u32 cham_config_seq(void)
{
	return atomic_read(&cham_config_sequence);
}

bool cham_cycle_accounting = true;

/* Set through sysfs, it is a change of the settings as CONFIG_SET's is. */
static int cham_cycle_accounting_set(const char *val,
				     const struct kernel_param *kp)
{
	int err = param_set_bool(val, kp);

	if (!err) {
		mutex_lock(&cham_config_lock);
		cham_netlink_notify_config();
		mutex_unlock(&cham_config_lock);
	}
	return err;
}

static const struct kernel_param_ops cham_cycle_accounting_ops = {
	.set = cham_cycle_accounting_set,
	.get = param_get_bool,
};
module_param_cb(cycle_accounting, &cham_cycle_accounting_ops,
		&cham_cycle_accounting, 0644);
__MODULE_PARM_TYPE(cycle_accounting, "bool");
MODULE_PARM_DESC(cycle_accounting,
		 "Measure the cycles of every tenant handler call (default: on)");

static int __init cham_init(void)
{
	int err;

	err = cham_budget_init();
	if (err)
		return err;
	err = cham_tenants_init();
	if (err)
		return err;
	err = cham_ports_init();
	if (err)
		goto err_tenants;
	err = cham_guests_init();
	if (err)
		goto err_ports;
	err = cham_agents_init();
	if (err)
		goto err_guests;
	/*
	 * Without module BTF these two only warn and return 0, leaving a
	 * module nobody can use: the selftests check /sys/kernel/btf/chamelio.
	 */
	err = cham_proto_init();
	if (err)
		goto err_agents;
	err = cham_dispatch_init();
	if (err)
		goto err_agents;
	err = cham_netlink_init();
	if (err)
		goto err_agents;
	return 0;

err_agents:
	cham_agents_exit();
err_guests:
	cham_guests_exit();
err_ports:
	cham_ports_exit();
err_tenants:
	cham_tenants_exit();
	return err;
}

/*
 * The module cannot be unloaded while a struct_ops map of its type or an
 * XDP program calling its kfuncs exists (they hold references to it), so
 * no handler or fast-path call can run here any more.
 */
static void __exit cham_exit(void)
{
	cham_proto_exit();
	cham_netlink_exit();
	cham_rules_exit();
	cham_guests_exit();
	cham_ports_exit();
	cham_tenants_exit();
	/* Every agent went with its tenant. */
	cham_agents_exit();
}

module_init(cham_init);
module_exit(cham_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Chamelio: shared, tenant-programmable network stack at XDP");
MODULE_AUTHOR("The Chamelio developers");
