// SPDX-License-Identifier: GPL-2.0
/*
 * Ports: the interfaces the admin attached the provider XDP program to
 * (chamctl port attach registers them). The fast path consults the set only
 * to check redirect targets, so a tenant can only send traffic out where the
 * provider runs Chamelio. A port disappears with its interface.
 */
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <net/net_namespace.h>

#include "chamelio.h"

struct cham_port {
	u32 ifindex;
	char ifname[IFNAMSIZ];
	struct rcu_head rcu;
};

/* Keyed by ifindex in init_net, the namespace the netlink family serves. */
static DEFINE_XARRAY(cham_ports);

/*
 * Whether an interface is a port is asked for every frame: the ports with
 * a small ifindex, as a host's NICs have, are also bits here, which a
 * frame tests in a few instructions instead of an xarray walk. Changed
 * under the config lock with the xarray, bit after insertion and before
 * removal, so that a reader never sees a bit for a port that was never
 * added (one racing with a removal may, as with the xarray).
 */
DECLARE_BITMAP(cham_port_bitmap, CHAM_PORT_BITMAP_BITS) __read_mostly;

bool cham_port_lookup(u32 ifindex)
{
	return xa_load(&cham_ports, ifindex);
}

/* Readers of the names hold the config lock or rcu_read_lock(). */
static void cham_port_replace(struct cham_port *old, struct cham_port *port)
{
	xa_store(&cham_ports, port->ifindex, port, GFP_KERNEL);
	kfree_rcu(old, rcu);
	cham_config_changed();
}

int cham_port_add(struct net *net, u32 ifindex, struct netlink_ext_ack *extack)
{
	struct net_device *dev;
	struct cham_port *port;
	int err;

	/* RTNL first: the netdev notifier takes cham_config_lock under it. */
	ASSERT_RTNL();
	lockdep_assert_held(&cham_config_lock);
	port = kzalloc(sizeof(*port), GFP_KERNEL);
	if (!port)
		return -ENOMEM;

	dev = __dev_get_by_index(net, ifindex);
	if (!dev) {
		NL_SET_ERR_MSG(extack, "no interface with this index");
		err = -ENODEV;
		goto err_free;
	}
	if (cham_guest_by_ifindex(ifindex)) {
		NL_SET_ERR_MSG(extack, "interface is a guest's link");
		err = -EBUSY;
		goto err_free;
	}
	port->ifindex = ifindex;
	strscpy(port->ifname, dev->name, sizeof(port->ifname));
	err = xa_insert(&cham_ports, ifindex, port, GFP_KERNEL);
	if (err == -EBUSY) {
		NL_SET_ERR_MSG(extack, "interface is already a Chamelio port");
		err = -EEXIST;
	}
	if (err)
		goto err_free;
	if (ifindex < CHAM_PORT_BITMAP_BITS)
		set_bit(ifindex, cham_port_bitmap);
	cham_config_changed();
	cham_netlink_notify_port(ifindex, port->ifname, CHAM_CMD_PORT_ADD_NTF);
	return 0;

err_free:
	kfree(port);
	return err;
}

int cham_port_del(u32 ifindex)
{
	struct cham_port *port;

	lockdep_assert_held(&cham_config_lock);
	if (ifindex < CHAM_PORT_BITMAP_BITS)
		clear_bit(ifindex, cham_port_bitmap);
	port = xa_erase(&cham_ports, ifindex);
	if (!port)
		return -ENOENT;
	cham_netlink_notify_port(ifindex, port->ifname, CHAM_CMD_PORT_DEL_NTF);
	cham_tenants_forget_port(ifindex);
	kfree_rcu(port, rcu);
	cham_config_changed();
	return 0;
}

/*
 * Iterate in ifindex order: fills the port at or after *ifindex. Under the
 * config lock or rcu_read_lock().
 */
bool cham_port_next(unsigned long *ifindex, char *ifname)
{
	struct cham_port *port;

	port = xa_find(&cham_ports, ifindex, ULONG_MAX, XA_PRESENT);
	if (!port)
		return false;
	strscpy(ifname, port->ifname, IFNAMSIZ);
	return true;
}

static int cham_port_netdev_event(struct notifier_block *nb,
				  unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct cham_port *port, *renamed;

	if (!net_eq(dev_net(dev), &init_net))
		return NOTIFY_DONE;
	switch (event) {
	case NETDEV_UNREGISTER:
		mutex_lock(&cham_config_lock);
		cham_port_del(dev->ifindex);
		mutex_unlock(&cham_config_lock);
		break;
	case NETDEV_CHANGENAME:
		/*
		 * Readers copy the name without the lock: publish a new one
		 * (without memory, the old name stays; it is only shown).
		 */
		mutex_lock(&cham_config_lock);
		port = xa_load(&cham_ports, dev->ifindex);
		renamed = port ? kmemdup(port, sizeof(*port), GFP_KERNEL) : NULL;
		if (renamed) {
			strscpy(renamed->ifname, dev->name,
				sizeof(renamed->ifname));
			cham_port_replace(port, renamed);
			cham_netlink_notify_port(dev->ifindex, dev->name,
						 CHAM_CMD_PORT_CHANGE_NTF);
		}
		mutex_unlock(&cham_config_lock);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block cham_port_notifier = {
	.notifier_call = cham_port_netdev_event,
};

int cham_ports_init(void)
{
	return register_netdevice_notifier(&cham_port_notifier);
}

void cham_ports_exit(void)
{
	struct cham_port *port;
	unsigned long index;

	unregister_netdevice_notifier(&cham_port_notifier);
	mutex_lock(&cham_config_lock);
	xa_for_each(&cham_ports, index, port)
		cham_port_del(index);
	mutex_unlock(&cham_config_lock);
}
