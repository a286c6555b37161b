// SPDX-License-Identifier: GPL-2.0
/*
 * Guests: a tenant's VMs and containers. Each guest has a link of its own
 * (a veth pair, see Documentation/design.md "Guests"): its host side lives
 * in init_net and carries the provider XDP program, so every frame the
 * guest sends reaches the fast path (dispatch.c runs the tenant's tx
 * handler); frames for the guest are redirected into that host side, and
 * the guest's AF_XDP socket on the far side receives them.
 *
 * The module knows a guest by that host-side interface, its Ethernet
 * address and its IP addresses: what the fast path needs to check that a
 * guest sends only as itself and to find the guest a packet is for.
 */
#include <linux/etherdevice.h>
#include <linux/in.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>

#include "chamelio.h"

/* By id, and by the ifindex of the host side (in init_net). */
static DEFINE_XARRAY(cham_guests);
static DEFINE_XARRAY(cham_guest_links);

struct cham_guest *cham_guest_find(u32 id, const char *name)
{
	struct cham_guest *guest;
	unsigned long index;

	if (id)
		return xa_load(&cham_guests, id);
	xa_for_each(&cham_guests, index, guest)
		if (!strcmp(guest->name, name))
			return guest;
	return NULL;
}

/* The fast path's question: did this frame come from a guest? */
struct cham_guest *cham_guest_by_ifindex(u32 ifindex)
{
	return xa_load(&cham_guest_links, ifindex);
}

/*
 * The tenant's guest that owns @addr. A tenant has few guests: a walk of
 * its own list (issue 11 makes steering scale; guests will follow).
 */
struct cham_guest *cham_guest_find_addr(struct cham_tenant *tenant, u8 family,
					const union cham_addr *addr)
{
	struct cham_guest *guest;
	u32 i;

	list_for_each_entry_rcu(guest, &tenant->guests, tenant_node,
				lockdep_is_held(&cham_config_lock))
		for (i = 0; i < guest->nr_addrs; i++)
			if (guest->addrs[i].family == family &&
			    cham_prefix_match(&guest->addrs[i], addr))
				return guest;
	return NULL;
}

/*
 * A guest is a host, or a small network: never an address no host sends
 * from (which the egress check refuses only toward a port, not toward
 * another guest or the host stack), nor most of the address space.
 */
static bool cham_guest_prefix_valid(const struct cham_prefix *prefix)
{
	const union cham_addr *addr = &prefix->addr;

	if (prefix->family == AF_INET)
		return prefix->prefix_len >= 8 &&
		       !ipv4_is_multicast(addr->v4) &&
		       !ipv4_is_lbcast(addr->v4) &&
		       !ipv4_is_zeronet(addr->v4) &&
		       !ipv4_is_loopback(addr->v4);
	return prefix->prefix_len >= 16 &&
	       !ipv6_addr_is_multicast(&addr->v6) &&
	       !ipv6_addr_any(&addr->v6) &&
	       !ipv6_addr_loopback(&addr->v6);
}

static bool cham_prefixes_overlap(const struct cham_prefix *a,
				  const struct cham_prefix *b)
{
	if (a->family != b->family)
		return false;
	if (a->prefix_len > b->prefix_len)
		swap(a, b);
	return cham_prefix_match(a, &b->addr);
}

/*
 * Each address belongs to one guest: otherwise one guest could send as
 * another (the source check) and a packet would have two owners (the
 * lookup). Under the config lock.
 */
static int cham_guest_check_addrs(const struct cham_guest *guest,
				  struct netlink_ext_ack *extack)
{
	const struct cham_guest *other;
	unsigned long index;
	u32 i, j;

	for (i = 0; i < guest->nr_addrs; i++) {
		if (!cham_guest_prefix_valid(&guest->addrs[i])) {
			NL_SET_ERR_MSG_FMT(extack,
					   "guest address %u: a martian address, or a prefix under /8 (/16 for IPv6)",
					   i + 1);
			return -EINVAL;
		}
		xa_for_each(&cham_guests, index, other)
			for (j = 0; j < other->nr_addrs; j++)
				if (cham_prefixes_overlap(&guest->addrs[i],
							  &other->addrs[j])) {
					NL_SET_ERR_MSG_FMT(extack,
							   "guest address %u overlaps an address of guest %s",
							   i + 1, other->name);
					return -EEXIST;
				}
	}
	return 0;
}

static void cham_guest_free(struct cham_guest *guest)
{
	cham_stats_free(guest->tx_stats);
	cham_stats_free(guest->rx_stats);
	kfree(guest);
}

static void cham_guest_free_rcu(struct rcu_head *rcu)
{
	cham_guest_free(container_of(rcu, struct cham_guest, rcu));
}

/*
 * Adds @guest (filled by the caller, stats not yet allocated); takes it
 * over whether or not this succeeds. Under RTNL (the device must not go
 * away before the guest is in the table the notifier clears) and the
 * config lock.
 */
int cham_guest_add(struct cham_guest *guest, struct netlink_ext_ack *extack)
{
	struct net_device *dev;
	int err = -ENOMEM;

	ASSERT_RTNL();
	lockdep_assert_held(&cham_config_lock);
	guest->tx_stats = cham_stats_alloc(false);
	guest->rx_stats = cham_stats_alloc(false);
	if (!guest->tx_stats || !guest->rx_stats)
		goto err_free;

	dev = __dev_get_by_index(&init_net, guest->ifindex);
	if (!dev) {
		NL_SET_ERR_MSG(extack, "no interface with this index");
		err = -ENODEV;
		goto err_free;
	}
	if (cham_port_exists(guest->ifindex)) {
		NL_SET_ERR_MSG(extack, "interface is a Chamelio port");
		err = -EBUSY;
		goto err_free;
	}
	if (cham_guest_find(0, guest->name)) {
		NL_SET_ERR_MSG(extack, "a guest of this name exists");
		err = -EEXIST;
		goto err_free;
	}
	err = cham_guest_check_addrs(guest, extack);
	if (err)
		goto err_free;
	err = xa_insert(&cham_guests, guest->id, guest, GFP_KERNEL);
	if (err == -EBUSY) {
		NL_SET_ERR_MSG(extack, "a guest with this id exists");
		err = -EEXIST;
	} else if (err) {
		NL_SET_ERR_MSG(extack, "out of memory for the guest table");
	}
	if (err)
		goto err_free;
	err = xa_insert(&cham_guest_links, guest->ifindex, guest, GFP_KERNEL);
	if (err) {
		if (err == -EBUSY)
			NL_SET_ERR_MSG(extack, "interface is another guest's link");
		else
			NL_SET_ERR_MSG(extack, "out of memory for the guest table");
		xa_erase(&cham_guests, guest->id);
		goto err_free;
	}
	list_add_tail_rcu(&guest->tenant_node, &guest->tenant->guests);
	cham_config_changed();
	cham_netlink_notify_guest(guest, CHAM_CMD_GUEST_ADD_NTF);
	return 0;

err_free:
	cham_guest_free(guest);
	return err;
}

/* Frames in flight finish with the guest they found (RCU). */
void cham_guest_del(struct cham_guest *guest)
{
	u32 ifindex = READ_ONCE(guest->ifindex);

	lockdep_assert_held(&cham_config_lock);
	cham_netlink_notify_guest(guest, CHAM_CMD_GUEST_DEL_NTF);
	xa_erase(&cham_guests, guest->id);
	if (ifindex)
		xa_erase(&cham_guest_links, ifindex);
	list_del_rcu(&guest->tenant_node);
	call_rcu(&guest->rcu, cham_guest_free_rcu);
	cham_config_changed();
}

/*
 * Iterate in id order: the guest at or after *id. Under the config lock
 * or rcu_read_lock().
 */
struct cham_guest *cham_guest_next(unsigned long *id)
{
	return xa_find(&cham_guests, id, ULONG_MAX, XA_PRESENT);
}

/*
 * A guest whose link is deleted stays, without a link, until the admin
 * deletes it: its counters remain readable, and no frame can reach it.
 */
static int cham_guest_netdev_event(struct notifier_block *nb,
				   unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct cham_guest *guest;

	if (event != NETDEV_UNREGISTER || !net_eq(dev_net(dev), &init_net))
		return NOTIFY_DONE;
	mutex_lock(&cham_config_lock);
	guest = xa_erase(&cham_guest_links, dev->ifindex);
	if (guest) {
		WRITE_ONCE(guest->ifindex, 0);
		cham_config_changed();
		cham_netlink_notify_guest(guest, CHAM_CMD_GUEST_CHANGE_NTF);
	}
	mutex_unlock(&cham_config_lock);
	return NOTIFY_DONE;
}

static struct notifier_block cham_guest_notifier = {
	.notifier_call = cham_guest_netdev_event,
};

int cham_guests_init(void)
{
	return register_netdevice_notifier(&cham_guest_notifier);
}

void cham_guests_exit(void)
{
	struct cham_guest *guest;
	unsigned long index;

	unregister_netdevice_notifier(&cham_guest_notifier);
	mutex_lock(&cham_config_lock);
	xa_for_each(&cham_guests, index, guest)
		cham_guest_del(guest);
	mutex_unlock(&cham_config_lock);
}
