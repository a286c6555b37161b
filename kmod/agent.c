// SPDX-License-Identifier: GPL-2.0
/*
 * A tenant's slow path: the process of the tenant that registers its
 * generic netlink socket as the tenant's agent (CHAM_CMD_AGENT_REGISTER).
 * Frames the tenant's handler punts, and events of the fast path, are
 * queued per tenant and sent to that socket, and to no other; the agent
 * sends frames out through its tenant (inject) and messages to the
 * tenant's slowpath_msg handler.
 *
 * Delivery never runs netlink in the XDP loop: the fast path copies the
 * frame into a netlink message and queues it (bounded by the tenant's
 * punt queue), and a worker sends the queue to the agent's socket. While
 * that socket is full the frames wait in the queue, so a slow agent fills
 * its own tenant's queue and nothing else; once the queue is full, punts
 * are dropped at the fast path (CHAM_DROP_PUNT_QUEUE_FULL). Both the copy
 * and the worker's sending are charged to the tenant's CPU budget.
 */
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/skbuff.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <net/xdp.h>

#include "chamelio.h"
#include "parse.h"

struct cham_agent {
	struct cham_tenant *tenant;	/* outlives it: deletion unregisters */
	u32 portid;			/* its socket's, in init_net */
	struct sock *sk;		/* held: its receive buffer is read */
	struct sk_buff_head queue;	/* netlink messages for it */
	struct delayed_work work;
};

/* What a queued message is, for the counters when it is sent or lost. */
enum cham_agent_item {
	CHAM_AGENT_ITEM_PUNT = 1,
	CHAM_AGENT_ITEM_EVENT,
};

/* Unbound: delivery runs on whichever CPU is free, not the XDP one. */
static struct workqueue_struct *cham_agent_wq;
/* Socket releases look for agents only when there are some. */
static atomic_t cham_agents_registered = ATOMIC_INIT(0);

/* While its socket is full, the worker looks again after this. */
#define CHAM_AGENT_RETRY_JIFFIES	1
/* Messages sent before the worker lets other work run. */
#define CHAM_AGENT_BATCH		64

static struct cham_agent *cham_tenant_agent(struct cham_tenant *tenant)
{
	return rcu_dereference_check(tenant->agent, rcu_read_lock_bh_held() ||
				     lockdep_is_held(&cham_config_lock));
}

u32 cham_agent_portid(struct cham_tenant *tenant)
{
	struct cham_agent *agent;
	u32 portid;

	rcu_read_lock();
	agent = cham_tenant_agent(tenant);
	portid = agent ? agent->portid : 0;
	rcu_read_unlock();
	return portid;
}

static void cham_agent_count(struct cham_tenant *tenant, u32 item, bool sent)
{
	struct cham_stats __percpu *stats = tenant->stats;

	if (item == CHAM_AGENT_ITEM_PUNT && sent)
		this_cpu_inc(stats->punt_delivered);
	else if (item == CHAM_AGENT_ITEM_PUNT)
		this_cpu_inc(stats->punt_lost);
	else if (sent)
		this_cpu_inc(stats->events_delivered);
	else
		this_cpu_inc(stats->events_lost);
}

/*
 * Sends what is queued until the agent's socket is full. Messages go onto
 * the socket the agent registered, which the module holds, not to its
 * port id: a port id is free for anyone to bind from the moment the
 * socket is unhashed, before it is marked dead and before the release
 * notifier runs. A message the socket has no room for stays at the head
 * of the queue: while the agent does not read, the frames wait here,
 * where the tenant's bound holds (plus the one the worker holds), and the
 * worker looks again a jiffy later.
 */
static void cham_agent_deliver(struct work_struct *work)
{
	struct cham_agent *agent = container_of(to_delayed_work(work),
						struct cham_agent, work);
	struct cham_tenant *tenant = agent->tenant;
	struct sock *sk = agent->sk;
	unsigned int sent = 0;
	struct cham_work charge;
	struct sk_buff *skb;
	int err;
	u32 item;

	while ((skb = skb_dequeue(&agent->queue))) {
		item = skb->mark;
		/* Its socket is closing: the release notifier is next. */
		if (sock_flag(sk, SOCK_DEAD)) {
			cham_agent_count(tenant, item, false);
			nlmsg_free(skb);
			continue;
		}
		local_bh_disable();
		cham_work_begin(tenant, &charge);
		/* Queued and the agent woken, or refused and still ours. */
		err = sock_queue_rcv_skb(sk, skb);
		this_cpu_add(tenant->stats->punt_cycles,
			     cham_work_end(tenant, &charge, NULL));
		local_bh_enable();
		if (err == -ENOMEM || err == -ENOBUFS)
			goto wait;
		cham_agent_count(tenant, item, !err);
		if (err)
			nlmsg_free(skb);
		if (++sent == CHAM_AGENT_BATCH) {
			queue_delayed_work(cham_agent_wq, &agent->work, 0);
			return;
		}
	}
	return;

wait:
	skb_queue_head(&agent->queue, skb);
	queue_delayed_work(cham_agent_wq, &agent->work, CHAM_AGENT_RETRY_JIFFIES);
}

/* A message for the tenant's agent, its TENANT_ID already in. */
static struct sk_buff *cham_agent_msg_new(struct cham_tenant *tenant, u8 cmd,
					  size_t attrs_size, void **hdr)
{
	struct sk_buff *skb;

	skb = genlmsg_new(nla_total_size(sizeof(u32)) + attrs_size,
			  GFP_ATOMIC);
	if (!skb)
		return NULL;
	*hdr = genlmsg_put(skb, 0, 0, &cham_genl_family, 0, cmd);
	if (!*hdr || nla_put_u32(skb, CHAM_A_TENANT_ID, tenant->id)) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

/*
 * Queues @skb unless the tenant's queue is full. The bound is checked
 * under the queue's lock (the worker may hold one message more, out of
 * the queue, while the agent's socket is full); the caller counts a
 * refusal (the message is freed).
 */
static bool cham_agent_enqueue(struct cham_agent *agent, struct sk_buff *skb,
			       enum cham_agent_item item)
{
	unsigned long flags;
	bool queued;

	skb->mark = item;
	spin_lock_irqsave(&agent->queue.lock, flags);
	queued = skb_queue_len(&agent->queue) <
		 READ_ONCE(agent->tenant->punt_queue_max);
	if (queued)
		__skb_queue_tail(&agent->queue, skb);
	spin_unlock_irqrestore(&agent->queue.lock, flags);
	if (!queued) {
		nlmsg_free(skb);
		return false;
	}
	/* Already pending (or waiting for room): it sends this one too. */
	queue_delayed_work(cham_agent_wq, &agent->work, 0);
	return true;
}

/* The frame, linear part and fragments, into @to. */
static void cham_agent_copy_frame(void *to, const struct xdp_buff *xdp)
{
	const struct skb_shared_info *sinfo;
	u32 len = xdp->data_end - xdp->data;
	u32 i;

	memcpy(to, xdp->data, len);
	if (!xdp_buff_has_frags(xdp))
		return;
	sinfo = xdp_get_shared_info_from_buff(xdp);
	for (i = 0; i < sinfo->nr_frags; i++) {
		const skb_frag_t *frag = &sinfo->frags[i];

		memcpy(to + len, skb_frag_address(frag), skb_frag_size(frag));
		len += skb_frag_size(frag);
	}
}

/* The frame, in a netlink message for the agent, on its queue. */
static enum cham_drop_reason
cham_agent_queue_frame(struct cham_agent *agent, const struct xdp_buff *xdp,
		       u32 len, const struct cham_guest *guest, u8 origin,
		       u32 code)
{
	struct cham_tenant *tenant = agent->tenant;
	struct sk_buff *skb;
	struct nlattr *frame;
	size_t size;
	void *hdr;

	size = nla_total_size(sizeof(u8)) + 3 * nla_total_size(sizeof(u32)) +
	       nla_total_size(len);
	skb = cham_agent_msg_new(tenant, CHAM_CMD_AGENT_PUNT, size, &hdr);
	if (!skb)
		return CHAM_DROP_PUNT_QUEUE_FULL;
	if (nla_put_u8(skb, CHAM_A_AGENT_PUNT_ORIGIN, origin) ||
	    nla_put_u32(skb, CHAM_A_AGENT_PUNT_CODE, code) ||
	    nla_put_u32(skb, CHAM_A_AGENT_IFINDEX, xdp->rxq->dev->ifindex) ||
	    (guest && nla_put_u32(skb, CHAM_A_GUEST_ID, guest->id))) {
		nlmsg_free(skb);
		return CHAM_DROP_PUNT_QUEUE_FULL;
	}
	frame = nla_reserve(skb, CHAM_A_AGENT_FRAME, len);
	if (!frame) {
		nlmsg_free(skb);
		return CHAM_DROP_PUNT_QUEUE_FULL;
	}
	cham_agent_copy_frame(nla_data(frame), xdp);
	genlmsg_end(skb, hdr);
	if (!cham_agent_enqueue(agent, skb, CHAM_AGENT_ITEM_PUNT))
		return CHAM_DROP_PUNT_QUEUE_FULL;
	return __CHAM_DROP_MAX;
}

/**
 * cham_agent_punt() - queue a frame for the tenant's agent
 * @tenant: whose agent
 * @xdp: the frame, as the handler left it
 * @guest: the guest that sent it, or NULL for a frame from the network
 * @origin: enum cham_punt_origin
 * @code: the handler's code
 *
 * Called from the fast path, in softirq context.
 *
 * Return: __CHAM_DROP_MAX when the frame is queued, else the drop reason:
 * no agent, or no room (a full queue, no memory, a frame too long for
 * one netlink attribute).
 */
enum cham_drop_reason cham_agent_punt(struct cham_tenant *tenant,
				      const struct xdp_buff *xdp,
				      const struct cham_guest *guest,
				      u8 origin, u32 code)
{
	struct cham_agent *agent = cham_tenant_agent(tenant);
	u32 len = xdp_get_buff_len((struct xdp_buff *)xdp);
	enum cham_drop_reason drop;
	struct cham_work copy;

	if (!agent)
		return CHAM_DROP_NO_AGENT;
	/* Unlocked first: a full queue costs no allocation. */
	if (skb_queue_len_lockless(&agent->queue) >=
	    READ_ONCE(tenant->punt_queue_max) ||
	    len > CHAM_AGENT_FRAME_MAX - NLA_HDRLEN)
		return CHAM_DROP_PUNT_QUEUE_FULL;
	/*
	 * The tenant's work, charged to its budget, but not its handler's:
	 * it does not count toward the ceiling, or punting jumbo frames
	 * could eject a correct protocol.
	 */
	cham_work_begin(tenant, &copy);
	drop = cham_agent_queue_frame(agent, xdp, len, guest, origin, code);
	this_cpu_add(tenant->stats->punt_cycles,
		     cham_work_end(tenant, &copy, NULL));
	return drop;
}

/**
 * cham_agent_event() - tell the tenant's agent something
 * @tenant: whose agent
 * @event: enum cham_agent_event
 * @code: what the event says
 * @data: up to CHAM_AGENT_EVENT_DATA_MAX bytes, or NULL
 * @len: their length
 *
 * From any context. Events share the tenant's queue with its punts.
 *
 * Return: 0 when queued, -ENOTCONN without an agent, -ENOBUFS when the
 * queue is full or there is no memory (counted as a lost event).
 */
int cham_agent_event(struct cham_tenant *tenant, u32 event, u32 code,
		     const void *data, u32 len)
{
	struct cham_agent *agent;
	struct sk_buff *skb;
	size_t size;
	int err = 0;
	void *hdr;

	rcu_read_lock();
	agent = cham_tenant_agent(tenant);
	if (!agent) {
		err = -ENOTCONN;
		goto out;
	}
	size = 2 * nla_total_size(sizeof(u32)) + nla_total_size(len);
	skb = cham_agent_msg_new(tenant, CHAM_CMD_AGENT_EVENT, size, &hdr);
	if (skb && (nla_put_u32(skb, CHAM_A_AGENT_EVENT, event) ||
		    nla_put_u32(skb, CHAM_A_AGENT_EVENT_CODE, code) ||
		    (len && nla_put(skb, CHAM_A_AGENT_EVENT_DATA, len, data)))) {
		nlmsg_free(skb);
		skb = NULL;
	}
	if (skb)
		genlmsg_end(skb, hdr);
	if (!skb || !cham_agent_enqueue(agent, skb, CHAM_AGENT_ITEM_EVENT)) {
		this_cpu_inc(tenant->stats->events_lost);
		err = -ENOBUFS;
	}
out:
	rcu_read_unlock();
	return err;
}

/**
 * cham_agent_register() - make a socket the tenant's agent
 * @tenant: the tenant; the caller checked the sender may act for it
 * @sk: the socket that asked
 * @portid: its port id
 * @extack: for the refusal
 *
 * Under cham_config_lock. The registration lasts until the socket is
 * released (cham_agent_netlink_event()) or the tenant deleted.
 *
 * Return: 0, -EBUSY when the tenant has an agent, -ENOMEM.
 */
int cham_agent_register(struct cham_tenant *tenant, struct sock *sk,
			u32 portid, struct netlink_ext_ack *extack)
{
	struct cham_agent *agent = cham_tenant_agent(tenant);

	lockdep_assert_held(&cham_config_lock);
	if (agent) {
		NL_SET_ERR_MSG_FMT(extack,
				   "tenant %s already has an agent (netlink port %u)",
				   tenant->name, agent->portid);
		return -EBUSY;
	}
	agent = kzalloc(sizeof(*agent), GFP_KERNEL);
	if (!agent)
		return -ENOMEM;
	agent->tenant = tenant;
	agent->portid = portid;
	agent->sk = sk;
	sock_hold(sk);
	skb_queue_head_init(&agent->queue);
	INIT_DELAYED_WORK(&agent->work, cham_agent_deliver);
	rcu_assign_pointer(tenant->agent, agent);
	atomic_inc(&cham_agents_registered);
	cham_config_changed();
	cham_netlink_notify_agent(tenant, CHAM_CMD_AGENT_ADD_NTF, portid);
	return 0;
}

/**
 * cham_agent_unregister() - the tenant's agent is gone, or the tenant
 * @tenant: the tenant
 *
 * Under cham_config_lock, in process context. Waits for the fast path to
 * stop queueing and for the worker, then counts what was still queued as
 * lost. An agent whose socket is still open gets ECONNRESET on it.
 */
void cham_agent_unregister(struct cham_tenant *tenant)
{
	struct cham_agent *agent;
	struct sk_buff *skb;

	agent = rcu_replace_pointer(tenant->agent, NULL,
				    lockdep_is_held(&cham_config_lock));
	if (!agent)
		return;
	atomic_dec(&cham_agents_registered);
	cham_config_changed();
	cham_netlink_notify_agent(tenant, CHAM_CMD_AGENT_DEL_NTF, agent->portid);
	synchronize_rcu();
	cancel_delayed_work_sync(&agent->work);
	while ((skb = skb_dequeue(&agent->queue))) {
		cham_agent_count(tenant, skb->mark, false);
		nlmsg_free(skb);
	}
	/*
	 * Unregistered while its socket lives (a new owner, the tenant
	 * deleted): its next receive fails with ECONNRESET, so it knows.
	 */
	if (!sock_flag(agent->sk, SOCK_DEAD)) {
		WRITE_ONCE(agent->sk->sk_err, ECONNRESET);
		sk_error_report(agent->sk);
	}
	sock_put(agent->sk);
	kfree(agent);
}

/*
 * A netlink socket is released: if it is an agent's, the registration
 * ends now, not at the next punt. Runs in process context for every
 * netlink socket of the system, hence the quick way out.
 */
static int cham_agent_netlink_event(struct notifier_block *nb,
				    unsigned long event, void *ptr)
{
	const struct netlink_notify *notify = ptr;
	struct cham_tenant *tenant;
	struct cham_agent *agent;
	unsigned long id = 0;

	if (event != NETLINK_URELEASE || notify->protocol != NETLINK_GENERIC ||
	    !net_eq(notify->net, &init_net) ||
	    !atomic_read(&cham_agents_registered))
		return NOTIFY_DONE;
	mutex_lock(&cham_config_lock);
	while ((tenant = cham_tenant_next(&id))) {
		agent = cham_tenant_agent(tenant);
		if (agent && agent->portid == notify->portid)
			cham_agent_unregister(tenant);
	}
	mutex_unlock(&cham_config_lock);
	return NOTIFY_DONE;
}

static struct notifier_block cham_agent_notifier = {
	.notifier_call = cham_agent_netlink_event,
};

/*
 * Where an injected frame may go: a guest of the tenant (anything that
 * parses and is untagged: the tenant may tell its guest anything), or a
 * port the admin assigned to it, from the port's Ethernet address and a
 * source the tenant may use. Returns the device, kept by the caller's
 * rcu_read_lock().
 */
static struct net_device *cham_agent_inject_dev(struct cham_tenant *tenant,
						const struct cham_pkt *pkt,
						const struct ethhdr *eth,
						u32 ifindex, u32 guest_id,
						struct cham_guest **guest,
						struct netlink_ext_ack *extack,
						int *err)
{
	struct net_device *dev;

	*err = -EPERM;
	if (guest_id) {
		*guest = cham_guest_find(guest_id, NULL);
		if (!*guest) {
			*err = -ENOENT;
			NL_SET_ERR_MSG(extack, "no such guest");
			return NULL;
		}
		if ((*guest)->tenant != tenant) {
			NL_SET_ERR_MSG(extack, "the guest is another tenant's");
			return NULL;
		}
		if (pkt->vlan_depth) {
			*err = -EINVAL;
			NL_SET_ERR_MSG(extack, "frames to a guest carry no VLAN tag");
			return NULL;
		}
		dev = dev_get_by_index_rcu(&init_net, READ_ONCE((*guest)->ifindex));
		if (!dev) {
			*err = -ENODEV;
			NL_SET_ERR_MSG(extack, "the guest's link is gone");
		}
		return dev;
	}
	dev = cham_port_exists(ifindex) ?
	      dev_get_by_index_rcu(&init_net, ifindex) : NULL;
	if (!dev) {
		*err = -ENODEV;
		NL_SET_ERR_MSG(extack, "not a Chamelio port");
		return NULL;
	}
	if (!cham_tenant_may_use_port(tenant, ifindex)) {
		NL_SET_ERR_MSG(extack, "the port is not assigned to the tenant");
		return NULL;
	}
	/*
	 * A handler keeps the tags its frame arrived with; an agent has no
	 * such frame, and the VLANs of a port are the provider's.
	 */
	if (pkt->vlan_depth) {
		NL_SET_ERR_MSG(extack, "the tenant may not choose VLAN tags");
		return NULL;
	}
	if (!ether_addr_equal(eth->h_source, dev->dev_addr)) {
		NL_SET_ERR_MSG(extack,
			       "the Ethernet source must be the port's address");
		return NULL;
	}
	if (!cham_tenant_may_send_from(tenant, pkt)) {
		NL_SET_ERR_MSG(extack,
			       "the tenant may not send from this source address and port");
		return NULL;
	}
	return dev;
}

/**
 * cham_agent_inject() - send a frame out through the tenant
 * @tenant: the tenant; the caller checked the sender may act for it
 * @skb: the Ethernet frame, linear, with LL_MAX_HEADER of headroom;
 *	consumed
 * @ifindex: the port it leaves by, or 0
 * @guest_id: the guest it goes to, or 0 (exactly one of the two is set)
 * @extack: for a refusal
 *
 * Validated like what a handler sends (Documentation/design.md, "Egress
 * validation"): it must parse (an IP fragment may be sent if its address
 * and protocol are the tenant's alone), and leave a port from the port's
 * Ethernet address and a source the tenant may use. Transmitted with
 * dev_queue_xmit(), in the agent's context, under rcu_read_lock() (which
 * keeps @tenant).
 *
 * Return: 0, or a negative errno with a message in @extack.
 */
int cham_agent_inject(struct cham_tenant *tenant, struct sk_buff *skb,
		      u32 ifindex, u32 guest_id, struct netlink_ext_ack *extack)
{
	struct cham_guest *guest = NULL;
	u32 len = skb->len;
	struct net_device *dev;
	struct cham_pkt pkt;
	int err;

	if (!cham_parse(skb->data, skb->data + len, &pkt) &&
	    pkt.error != CHAM_PARSE_FRAGMENT) {
		NL_SET_ERR_MSG_FMT(extack,
				   "the frame does not parse as IPv4 or IPv6 (parse error %u)",
				   pkt.error);
		err = -EINVAL;
		goto free;
	}
	dev = cham_agent_inject_dev(tenant, &pkt, (const struct ethhdr *)skb->data, ifindex, guest_id,
				    &guest, extack, &err);
	if (!dev)
		goto free;
	if (len > dev->mtu + dev->hard_header_len) {
		NL_SET_ERR_MSG_FMT(extack,
				   "the frame is longer than the MTU of %s (%u)",
				   dev->name, dev->mtu);
		err = -EMSGSIZE;
		goto free;
	}
	skb->dev = dev;
	skb_reset_mac_header(skb);
	skb->protocol = eth_hdr(skb)->h_proto;
	skb_set_network_header(skb, pkt.l3_off);
	err = dev_queue_xmit(skb);
	if (err < 0) {
		NL_SET_ERR_MSG(extack, "the device refused the frame");
		return err;
	}
	if (err == NET_XMIT_DROP) {
		NL_SET_ERR_MSG(extack, "the device dropped the frame");
		return -ENOBUFS;
	}
	this_cpu_inc(tenant->stats->injected);
	if (guest) {
		this_cpu_inc(guest->rx_stats->packets);
		this_cpu_add(guest->rx_stats->bytes, len);
	}
	return 0;

free:
	kfree_skb(skb);
	return err;
}

/* A slowpath_msg handler's context, and what only the module sees. */
struct cham_msg_run {
	struct cham_msg_ctx ctx;
	const void *data;
	u32 len;
};

/**
 * cham_agent_msg() - call the tenant's slowpath_msg handler
 * @tenant: the tenant; the caller checked the sender may act for it
 * @type: the message type, the tenant's own numbering
 * @flow: a flow id, or 0
 * @data: the message
 * @len: its length, at most CHAM_AGENT_MSG_MAX
 * @result: the handler's return value
 * @extack: for a refusal
 *
 * Runs the handler in the caller's context with bottom halves disabled,
 * as handlers run, measured and charged to the tenant.
 *
 * Return: 0 when the handler ran, -ENOENT without a protocol,
 * -EOPNOTSUPP when it has no slowpath_msg handler, -EBUSY when the tenant
 * is over its CPU budget on a contended CPU (enforcement on).
 */
int cham_agent_msg(struct cham_tenant *tenant, u32 type, u32 flow,
		   const void *data, u32 len, int *result,
		   struct netlink_ext_ack *extack)
{
	struct cham_msg_run run = {
		.ctx = {
			.tenant_id = tenant->id,
			.type = type,
			.len = len,
			.flow_id = flow,
		},
		.data = data,
		.len = len,
	};
	struct cham_proto_ops *ops;
	struct cham_work charge;
	struct cham_call call;
	int err = 0;
	u64 cycles;

	local_bh_disable();
	rcu_read_lock();
	ops = rcu_dereference(tenant->ops);
	if (!ops) {
		NL_SET_ERR_MSG(extack, "the tenant has no protocol");
		err = -ENOENT;
	} else if (!ops->slowpath_msg) {
		NL_SET_ERR_MSG(extack,
			       "the tenant's protocol has no slowpath_msg handler");
		err = -EOPNOTSUPP;
	} else if (cham_proto_extended(tenant, ops,
				       CHAM_PROTO_HANDLER_SLOWPATH_MSG)) {
		NL_SET_ERR_MSG(extack,
			       "the tenant's protocol was ejected: a handler was replaced (freplace)");
		err = -ENOENT;
	} else if (!cham_work_begin(tenant, &charge)) {
		cham_work_end(tenant, &charge, NULL);
		NL_SET_ERR_MSG(extack,
			       "the tenant is over its CPU budget: try again later");
		err = -EBUSY;
	} else {
		/* On the task's stack, which other tenants' calls used. */
		cham_stack_scrub();
		cham_call_enter(&call, tenant);
		*result = ops->slowpath_msg(&run.ctx);
		cham_call_exit(&call);
		cycles = cham_work_end(tenant, &charge, ops);
		this_cpu_inc(tenant->stats->msg_calls);
		this_cpu_add(tenant->stats->msg_cycles, cycles);
	}
	rcu_read_unlock();
	local_bh_enable();
	return err;
}

__bpf_kfunc_start_defs();

/**
 * bpf_cham_msg_read() - read the agent's message
 * @ctx: the slowpath_msg handler's context
 * @off: where to start in the message
 * @to: where to copy
 * @to__sz: how many bytes
 *
 * Return: 0, or -EINVAL when [@off, @off + @to__sz) is not within the
 * message (nothing is copied).
 */
__bpf_kfunc int bpf_cham_msg_read(struct cham_msg_ctx *ctx, u32 off, void *to,
				  u32 to__sz)
{
	struct cham_msg_run *run = container_of(ctx, struct cham_msg_run, ctx);

	if (off > run->len || to__sz > run->len - off) {
		/* The verifier takes the buffer as written: no stale bytes. */
		memset(to, 0, to__sz);
		return -EINVAL;
	}
	memcpy(to, run->data + off, to__sz);
	return 0;
}

/**
 * bpf_cham_agent_notify() - send the tenant's agent an event
 * @code: what it says, the protocol's own numbering
 * @data: what goes with it
 * @data__sz: up to CHAM_AGENT_EVENT_DATA_MAX bytes
 *
 * From any handler; the agent gets CHAM_CMD_AGENT_EVENT with
 * CHAM_AGENT_EVENT_HANDLER, on its tenant's channel only.
 *
 * Return: 0, -ENOTCONN without an agent, -ENOBUFS when its queue is full,
 * -E2BIG when @data__sz is too large.
 */
__bpf_kfunc int bpf_cham_agent_notify(u32 code, const void *data, u32 data__sz)
{
	struct cham_tenant *tenant = cham_call_tenant();

	if (WARN_ON_ONCE(!tenant))
		return -EINVAL;
	if (data__sz > CHAM_AGENT_EVENT_DATA_MAX)
		return -E2BIG;
	return cham_agent_event(tenant, CHAM_AGENT_EVENT_HANDLER, code, data,
				data__sz);
}

__bpf_kfunc_end_defs();

int cham_agents_init(void)
{
	int err;

	cham_agent_wq = alloc_workqueue("chamelio_agent", WQ_UNBOUND, 0);
	if (!cham_agent_wq)
		return -ENOMEM;
	err = netlink_register_notifier(&cham_agent_notifier);
	if (err)
		destroy_workqueue(cham_agent_wq);
	return err;
}

/* After every tenant is gone (and with it every agent). */
void cham_agents_exit(void)
{
	netlink_unregister_notifier(&cham_agent_notifier);
	destroy_workqueue(cham_agent_wq);
}
