// SPDX-License-Identifier: GPL-2.0
/*
 * The fast path. The provider XDP program on each port, and on the host
 * side of each guest's link, calls bpf_cham_rx(), which classifies the
 * frame, runs the tenant's handler (rx for the network's frames, tx for a
 * guest's), accounts the packet and returns the XDP action. Tenant handlers
 * redirect it with the kfuncs below, and reach and rewrite it with those of
 * packet.c; this file registers them all.
 */
#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/etherdevice.h>
#include <linux/filter.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/moduleparam.h>
#include <net/dsfield.h>
#include <net/inet_ecn.h>
#include <net/xdp.h>
#include <asm/timex.h>

#include "chamelio.h"
#include "packet.h"
#include "parse.h"

/*
 * Egress validation is part of the isolation contract; switching it off
 * exists only to measure what it costs (scripts/bench/).
 */
static bool cham_egress_validation = true;
module_param_named(egress_validation, cham_egress_validation, bool, 0644);
MODULE_PARM_DESC(egress_validation,
		 "Validate the frames tenant handlers send (default: on; off only to measure its cost)");

/*
 * rx and tx programs are called directly rather than through their
 * struct_ops trampoline; design.md ("Calling a handler") says why that is
 * sound. Switching it off exists to measure what the trampoline costs.
 */
static bool cham_direct_call = true;
module_param_named(direct_call, cham_direct_call, bool, 0644);
MODULE_PARM_DESC(direct_call,
		 "Call rx and tx handler programs directly, without the struct_ops trampoline (default: on)");

static const u32 cham_xdp_action[__CHAM_VERDICT_MAX] = {
	[CHAM_VERDICT_PASS] = XDP_PASS,
	[CHAM_VERDICT_DROP] = XDP_DROP,
	[CHAM_VERDICT_TX] = XDP_TX,
	[CHAM_VERDICT_REDIRECT] = XDP_REDIRECT,
	/* The agent has a copy (agent.c); the frame itself is done with. */
	[CHAM_VERDICT_PUNT] = XDP_DROP,
};

/* The tenants that recently worked within budget, per CPU (budget.h). */
static DEFINE_PER_CPU(struct cham_recent, cham_recent);

/*
 * The ECN policy's signal: Congestion Experienced on an ECN-capable packet
 * (the parser has checked the IP header is within the frame).
 */
static bool cham_mark_ce(struct xdp_buff *xdp, const struct cham_pkt *pkt)
{
	void *l3 = xdp->data + pkt->l3_off;
	u8 dsfield;

	if (pkt->l3_proto == ETH_P_IP) {
		dsfield = ((struct iphdr *)l3)->tos;
		if (INET_ECN_is_not_ect(dsfield) || INET_ECN_is_ce(dsfield))
			return false;
		return IP_ECN_set_ce(l3);
	}
	dsfield = ipv6_get_dsfield(l3);
	if (INET_ECN_is_not_ect(dsfield) || INET_ECN_is_ce(dsfield))
		return false;
	/* The ECN bits are bits 20-21 of the first word; no checksum. */
	*(__be32 *)l3 |= htonl(INET_ECN_CE << 20);
	return true;
}

/* Refusing, marking and ejecting: enforcement on, globally and for the tenant. */
static bool cham_enforcing(const struct cham_limits *limits)
{
	return limits->enforcement && READ_ONCE(cham_enforcement);
}

/*
 * Tells the tenant's agent its budget runs low, at most once per
 * CHAM_AGENT_BUDGET_EVENT_MS: the first CPU to see it after that wins.
 */
static void cham_budget_event(struct cham_tenant *tenant)
{
	unsigned long last = READ_ONCE(tenant->budget_event_at);
	unsigned long now = jiffies;

	if (time_before(now, last + msecs_to_jiffies(CHAM_AGENT_BUDGET_EVENT_MS)) ||
	    cmpxchg(&tenant->budget_event_at, last, now) != last)
		return;
	cham_agent_event(tenant, CHAM_AGENT_EVENT_BUDGET_LOW,
			 smp_processor_id(), NULL, 0);
}

/*
 * Time protection's measurements of one handler call. They also give the
 * tenant's fast-path latency histogram (cham_lat_record()): the cycles
 * from timing->start, the entry into bpf_cham_rx(), to the clock read
 * that closes the packet's accounting, so that no packet pays for a
 * clock read of its own. Recorded for every packet of an accounted
 * tenant (accounting on globally and for the tenant) that reaches one:
 * those its handler ran for, up to the checked verdict
 * (cham_charge_packet(); a punt's copy for the agent comes after), those
 * refused over budget (to the intervention point), and a guest's frames
 * refused before the handler (cham_charge_refusal()). Not recorded, since
 * no second clock read exists for them: packets of a tenant without
 * protocol (its default verdict), IP fragments (whose copy for the agent
 * charges itself), and unclassified traffic.
 */
struct cham_timing {
	u64 start;		/* entry into the fast path: 0 when not measured */
	u64 admitted;		/* the intervention point */
	enum cham_admit admit;
};

/*
 * The intervention point, before the handler runs. Returns false when the
 * packet must be refused. Measures nothing unless accounting is on both
 * globally (timing->start) and for the tenant.
 */
static bool cham_admit_packet(struct cham_tenant *tenant,
			      const struct cham_limits *limits,
			      struct cham_rx *rx, const struct cham_pkt *pkt,
			      struct cham_timing *timing)
{
	struct cham_budget *budget;

	if (!timing->start || !limits->accounting) {
		timing->start = 0;
		return true;
	}
	budget = this_cpu_ptr(tenant->budget);
	timing->admitted = get_cycles();
	timing->admit = cham_budget_admit(budget, &limits->budget,
					  this_cpu_ptr(&cham_recent), tenant->id,
					  timing->admitted,
					  READ_ONCE(cham_contention_cycles));
	if (!cham_enforcing(limits))
		return true;

	switch (timing->admit) {
	case CHAM_ADMIT_REFUSE:
		/* The refusal's parse and steer are the tenant's cost too. */
		cham_budget_charge(budget, &limits->budget, timing->admit,
				   timing->admitted - timing->start);
		this_cpu_add(tenant->stats->infra_cycles,
			     timing->admitted - timing->start);
		cham_lat_record(tenant->stats, timing->admitted - timing->start);
		return false;
	case CHAM_ADMIT_SIGNAL:
		rx->ctx.flags |= CHAM_CTX_F_BUDGET_LOW;
		if (limits->policy == CHAM_BUDGET_ECN &&
		    cham_mark_ce(rx->xdp, pkt))
			this_cpu_inc(tenant->stats->ecn_marks);
		cham_budget_event(tenant);
		return true;
	default:
		return true;
	}
}

/*
 * The bounded fast-path contract: a handler call of @cycles above the
 * tenant's ceiling is a violation of its protocol, and enough of them
 * eject it. Every handler the module calls is held to it.
 */
static void cham_hold_to_ceiling(struct cham_tenant *tenant,
				 const struct cham_limits *limits,
				 struct cham_proto_ops *ops, u64 cycles)
{
	u32 violations;

	if (!limits->ceiling || cycles <= limits->ceiling)
		return;
	this_cpu_inc(tenant->stats->ceiling_violations);
	violations = atomic_inc_return(&ops->violations);
	/* Ejecting is enforcement: with it off, violations are only counted. */
	if (limits->eject_after && violations >= limits->eject_after &&
	    cham_enforcing(limits))
		cham_proto_eject(tenant, ops, violations);
}

/*
 * After the handler: charge the tenant, and hold its protocol to the
 * ceiling on the cost of one call.
 */
static void cham_charge_packet(struct cham_tenant *tenant,
			       const struct cham_limits *limits,
			       struct cham_proto_ops *ops,
			       const struct cham_timing *timing)
{
	struct cham_stats __percpu *stats = tenant->stats;
	u64 end = get_cycles(), cycles = end - timing->admitted;

	this_cpu_add(stats->handler_cycles, cycles);
	this_cpu_add(stats->infra_cycles, timing->admitted - timing->start);
	/* Racing with a softirq on this CPU can lose one maximum; harmless. */
	if (cycles > this_cpu_read(stats->handler_max_cycles))
		this_cpu_write(stats->handler_max_cycles, cycles);
	cham_budget_charge(this_cpu_ptr(tenant->budget), &limits->budget,
			   timing->admit, end - timing->start);
	cham_lat_record(stats, end - timing->start);
	cham_hold_to_ceiling(tenant, limits, ops, cycles);
}

static const struct cham_egress *cham_tenant_egress(struct cham_tenant *tenant)
{
	return rcu_dereference_check(tenant->egress, rcu_read_lock_bh_held());
}

static bool cham_egress_has_port(const struct cham_egress *egress, u32 ifindex)
{
	u32 i;

	/* A port that goes away is zeroed in place (cham_port_del()). */
	for (i = 0; i < egress->nr_ports; i++)
		if (READ_ONCE(egress->ports[i]) == ifindex)
			return true;
	return false;
}

bool cham_tenant_may_use_port(struct cham_tenant *tenant, u32 ifindex)
{
	return cham_egress_has_port(cham_tenant_egress(tenant), ifindex);
}

/*
 * Addresses no host sends from, whatever the rules say: a tenant whose rule
 * covers a broadcast or multicast address still may not use it as source.
 */
static bool cham_martian_source(const struct cham_pkt *pkt)
{
	if (pkt->family == AF_INET)
		return ipv4_is_multicast(pkt->saddr.v4) ||
		       ipv4_is_lbcast(pkt->saddr.v4) ||
		       ipv4_is_zeronet(pkt->saddr.v4) ||
		       ipv4_is_loopback(pkt->saddr.v4);
	return ipv6_addr_is_multicast(&pkt->saddr.v6) ||
	       ipv6_addr_any(&pkt->saddr.v6) ||
	       ipv6_addr_loopback(&pkt->saddr.v6);
}

/*
 * The Ethernet source must be the address of the device the frame leaves
 * by, or the unicast address the sender addressed (a port that receives
 * for several MACs), or, for a guest's frame, the guest's own address (as
 * a bridged VM's): anything else would teach the next switch to send
 * another host's traffic here.
 */
static bool cham_l2_source_allowed(const struct cham_rx *rx,
				   const struct net_device *out_dev)
{
	const struct ethhdr *eth = rx->xdp->data;

	if (is_multicast_ether_addr(eth->h_source))
		return false;
	if (ether_addr_equal(eth->h_source, out_dev->dev_addr))
		return true;
	if (rx->from_guest)
		return ether_addr_equal(eth->h_source, rx->from_guest->mac);
	return ether_addr_equal(eth->h_source, rx->rx_h_dest);
}

/*
 * A reply from the very address, protocol and port a frame from the
 * network was steered to the tenant by: the source lookup would be the
 * steering lookup again, so its answer is known. The common case of a
 * protocol that answers; a guest's frames were not steered by address.
 */
static bool cham_source_was_steered(const struct cham_rx *rx,
				    const struct cham_pkt *in,
				    const struct cham_pkt *out)
{
	if (rx->from_guest || out->family != in->family ||
	    out->l4_proto != in->l4_proto ||
	    out->has_ports != in->has_ports ||
	    (out->has_ports && out->sport != in->dport))
		return false;
	if (out->family == AF_INET)
		return out->saddr.v4 == in->daddr.v4;
	return ipv6_addr_equal(&out->saddr.v6, &in->daddr.v6);
}

/*
 * What a handler sends must still be a frame of its tenant's: it parses,
 * keeps the VLAN tags and IP version it arrived with, and comes from an
 * address and port the tenant may use: the destination of one of its own
 * rules (rules never overlap across tenants, so this is exact), or an
 * address within the sources the admin gave it. @out_dev is the device it
 * leaves by. Returns the drop reason, or __CHAM_DROP_MAX when it may leave.
 */
static enum cham_drop_reason cham_egress_check(const struct cham_rx *rx,
					       const struct cham_pkt *in,
					       const struct net_device *out_dev)
{
	const struct xdp_buff *xdp = rx->xdp;
	struct cham_pkt out;

	if (!READ_ONCE(cham_egress_validation))
		return __CHAM_DROP_MAX;
	if (!cham_parse(xdp->data, xdp->data_end, &out) ||
	    out.family != in->family || out.vlan_depth != in->vlan_depth ||
	    memcmp(out.vlan_tci, in->vlan_tci, sizeof(out.vlan_tci)) ||
	    memcmp(out.vlan_tpid, in->vlan_tpid, sizeof(out.vlan_tpid)))
		return CHAM_DROP_EGRESS_MALFORMED;
	if (!out_dev || !cham_l2_source_allowed(rx, out_dev))
		return CHAM_DROP_SPOOFED_SOURCE;
	if (cham_source_was_steered(rx, in, &out) ? cham_martian_source(&out) :
	    !cham_tenant_may_send_from(rx->tenant, &out))
		return CHAM_DROP_SPOOFED_SOURCE;
	return __CHAM_DROP_MAX;
}

/*
 * The network-layer half of egress validation, for handlers and agents
 * alike: @pkt's source is no martian and is the destination of one of the
 * tenant's rules (rules never overlap across tenants, so this is exact),
 * or within the sources the admin gave it. A fragment (pkt->error
 * CHAM_PARSE_FRAGMENT, which only an agent may send) has no port: its
 * address and protocol must be the tenant's alone, as for received ones.
 */
bool cham_tenant_may_send_from(struct cham_tenant *tenant,
			       const struct cham_pkt *pkt)
{
	const struct cham_egress *egress;
	bool ambiguous;
	u32 i;

	if (cham_martian_source(pkt))
		return false;
	if (pkt->error == CHAM_PARSE_FRAGMENT) {
		if (cham_steer_fragment(pkt->family, &pkt->saddr,
					pkt->l4_proto, &ambiguous) == tenant)
			return true;
	} else if (cham_steer(pkt->family, &pkt->saddr, pkt->l4_proto,
			      pkt->has_ports, pkt->sport) == tenant) {
		return true;
	}
	egress = cham_tenant_egress(tenant);
	for (i = 0; i < egress->nr_sources; i++)
		if (egress->sources[i].family == pkt->family &&
		    cham_prefix_match(&egress->sources[i], &pkt->saddr))
			return true;
	return false;
}

/*
 * Delivering to one of the tenant's own guests: the tenant may tell its
 * guest anything, but what arrives must still be a frame the guest's
 * socket can take apart, and untagged (a guest's link has no VLANs).
 */
static enum cham_drop_reason cham_guest_delivery_check(const struct cham_rx *rx)
{
	struct cham_pkt out;

	if (!READ_ONCE(rx->to_guest->ifindex))
		return CHAM_DROP_BAD_REDIRECT;
	if (!cham_parse(rx->xdp->data, rx->xdp->data_end, &out) ||
	    out.vlan_depth)
		return CHAM_DROP_EGRESS_MALFORMED;
	return __CHAM_DROP_MAX;
}

/*
 * A guest's TX goes toward the network: out of the port its handler chose
 * with bpf_cham_redirect_port(), else the first port the admin assigned
 * to the tenant. Returns that port's ifindex, or 0.
 */
static u32 cham_guest_uplink(struct cham_rx *rx)
{
	const struct cham_egress *egress;
	u32 i, ifindex;

	if (rx->redirect_ifindex && !rx->to_guest)
		return rx->redirect_ifindex;
	egress = cham_tenant_egress(rx->tenant);
	for (i = 0; i < egress->nr_ports; i++) {
		ifindex = READ_ONCE(egress->ports[i]);
		if (ifindex)
			return ifindex;
	}
	return 0;
}

/*
 * Whether the handler's verdict stands: returns the drop reason when it
 * does not, __CHAM_DROP_MAX when it does. A guest's TX becomes a redirect
 * to its uplink here.
 */
static enum cham_drop_reason cham_check_verdict(struct cham_rx *rx,
						const struct cham_pkt *pkt,
						int verdict)
{
	switch (verdict) {
	case CHAM_VERDICT_PASS:
	case CHAM_VERDICT_PUNT:
		return __CHAM_DROP_MAX;
	case CHAM_VERDICT_DROP:
		return CHAM_DROP_HANDLER;
	case CHAM_VERDICT_TX:
		if (!rx->from_guest)
			return cham_egress_check(rx, pkt, rx->xdp->rxq->dev);
		if (rx->redirect_refused)
			return CHAM_DROP_PORT_NOT_ALLOWED;
		rx->redirect_ifindex = cham_guest_uplink(rx);
		rx->to_guest = NULL;
		fallthrough;
	case CHAM_VERDICT_REDIRECT:
		if (rx->redirect_refused)
			return CHAM_DROP_PORT_NOT_ALLOWED;
		if (!rx->redirect_ifindex)
			return CHAM_DROP_BAD_REDIRECT;
		if (rx->to_guest)
			return cham_guest_delivery_check(rx);
		return cham_egress_check(rx, pkt,
					 dev_get_by_index_rcu(&init_net,
							      rx->redirect_ifindex));
	default:
		return CHAM_DROP_BAD_VERDICT;
	}
}

/*
 * Struct_ops programs are loaded with CAP_PERFMON, and with it the
 * verifier lets a handler read stack it never wrote. Its frame lies where
 * the previous handler's frame lay on this CPU, so without this a tenant
 * could read another tenant's packet bytes and state left there, and send
 * them out. Zeroing that area before a tenant's handler runs, whenever a
 * different tenant ran last on this CPU, leaves a handler only its own
 * tenant's leftovers and the kernel's (which its loader may read anyway).
 */
static DEFINE_PER_CPU(u64, cham_stack_tenant);

/*
 * Room for the handler's whole BPF stack (MAX_BPF_STACK) and what lies
 * between this function's caller and it: cham_call_handler()'s frame, or
 * the struct_ops trampoline's, the larger, for the handlers called
 * through it.
 */
#define CHAM_SCRUB_BYTES	(MAX_BPF_STACK + 256)

noinline void cham_stack_scrub(void)
{
	u8 area[CHAM_SCRUB_BYTES];

	memzero_explicit(area, sizeof(area));
}

void cham_stack_prepare(const struct cham_tenant *tenant)
{
	if (this_cpu_read(cham_stack_tenant) == tenant->cookie)
		return;
	cham_stack_scrub();
	this_cpu_write(cham_stack_tenant, tenant->cookie);
}

static DEFINE_PER_CPU(struct cham_call *, cham_current_call);

void cham_call_enter(struct cham_call *call, struct cham_tenant *tenant)
{
	lockdep_assert_once(in_softirq());
	call->tenant = tenant;
	call->outer = this_cpu_read(cham_current_call);
	this_cpu_write(cham_current_call, call);
}

void cham_call_exit(struct cham_call *call)
{
	this_cpu_write(cham_current_call, call->outer);
}

struct cham_tenant *cham_call_tenant(void)
{
	struct cham_call *call = this_cpu_read(cham_current_call);

	return call ? call->tenant : NULL;
}

bool cham_work_begin(struct cham_tenant *tenant, struct cham_work *work)
{
	const struct cham_limits *limits;

	work->start = 0;
	work->admit = CHAM_ADMIT_RUN;
	limits = rcu_dereference_check(tenant->limits, rcu_read_lock_bh_held());
	if (!READ_ONCE(cham_cycle_accounting) || !limits->accounting)
		return true;
	work->start = get_cycles();
	work->admit = cham_budget_admit(this_cpu_ptr(tenant->budget),
					&limits->budget,
					this_cpu_ptr(&cham_recent), tenant->id,
					work->start,
					READ_ONCE(cham_contention_cycles));
	return work->admit != CHAM_ADMIT_REFUSE || !cham_enforcing(limits);
}

u64 cham_work_end(struct cham_tenant *tenant, struct cham_work *work,
		  struct cham_proto_ops *ops)
{
	const struct cham_limits *limits;
	u64 cycles;

	if (!work->start)
		return 0;
	cycles = get_cycles() - work->start;
	limits = rcu_dereference_check(tenant->limits, rcu_read_lock_bh_held());
	cham_budget_charge(this_cpu_ptr(tenant->budget), &limits->budget,
			   work->admit, cycles);
	if (ops)
		cham_hold_to_ceiling(tenant, limits, ops, cycles);
	return cycles;
}

u64 cham_work_retry_ns(struct cham_tenant *tenant)
{
	const struct cham_limits *limits;

	limits = rcu_dereference_check(tenant->limits, rcu_read_lock_bh_held());
	/* Not faster than the tick: a refused retry costs a softirq too. */
	return max_t(u64, (u64)limits->burst_us * NSEC_PER_USEC,
		     TICK_NSEC);
}

/*
 * A packet handler's call. The trampoline the BPF core builds for a
 * struct_ops member enters the program the way any caller might: it takes
 * the RCU read lock, disables migration, sets a run context and keeps
 * run-time statistics (it checks no recursion for struct_ops programs).
 * None of that is needed here:
 * the fast path already runs in the program's RCU read side with bottom
 * halves disabled (no migration, no other handler on this CPU), a handler
 * cannot reenter the fast path, the allow-list leaves no helper that reads
 * a run context, and the module accounts the call itself. So the program
 * is called as BPF_PROG_RUN() calls any program: its image, with a context
 * that is the array of the member's arguments, the layout the verifier
 * checked it against. The instance's links keep the program as long as
 * the instance can be reached (struct_ops maps are freed after an RCU
 * grace period), which covers this call.
 */
static int cham_call_handler(struct cham_tenant *tenant,
			     struct cham_proto_ops *ops, bool tx,
			     struct cham_ctx *ctx)
{
	const struct bpf_prog *prog;
	u64 args[1];

	if (tx) {
		if (unlikely(cham_proto_extended(tenant, ops,
						 CHAM_PROTO_HANDLER_TX)))
			return CHAM_VERDICT_DROP;
		prog = ops->prog[CHAM_PROTO_HANDLER_TX];
		if (!prog || !READ_ONCE(cham_direct_call))
			return ops->tx(ctx);
	} else {
		if (unlikely(cham_native_serves(tenant)))
			return cham_native_udp_echo(ctx);
		if (unlikely(cham_proto_extended(tenant, ops,
						 CHAM_PROTO_HANDLER_RX)))
			return CHAM_VERDICT_DROP;
		prog = ops->prog[CHAM_PROTO_HANDLER_RX];
		if (!prog || !READ_ONCE(cham_direct_call))
			return ops->rx(ctx);
	}
	args[0] = (unsigned long)ctx;
	return (int)prog->bpf_func(args, prog->insnsi);
}

/*
 * Runs the tenant's protocol on a frame from the network (rx) or from one
 * of its guests (@guest, tx), or applies the tenant's default, and checks
 * the verdict; a punted frame is queued for the tenant's agent. A DROP
 * comes with its reason in *drop.
 */
static enum cham_verdict cham_run_tenant(struct cham_tenant *tenant,
					 const struct cham_guest *guest,
					 struct xdp_buff *xdp,
					 const struct cham_pkt *pkt,
					 struct cham_xdp_out *out,
					 struct cham_timing *timing,
					 enum cham_drop_reason *drop)
{
	int (*handler)(struct cham_ctx *ctx);
	const struct cham_limits *limits;
	struct cham_proto_ops *ops;
	struct cham_call call;
	struct cham_rx rx;
	bool bh_off;
	int verdict;

	/* Native XDP runs with BH disabled, not always under rcu_read_lock(). */
	ops = rcu_dereference_check(tenant->ops, rcu_read_lock_bh_held());
	handler = !ops ? NULL : guest ? ops->tx : ops->rx;
	if (!handler) {
		/* A guest's frames reach nothing but its tenant's protocol. */
		*drop = guest ? CHAM_DROP_NO_HANDLER : CHAM_DROP_DEFAULT;
		return guest ? CHAM_VERDICT_DROP : tenant->default_verdict;
	}
	limits = rcu_dereference_check(tenant->limits, rcu_read_lock_bh_held());

	rx.ctx = (struct cham_ctx) {
		.tenant_id = tenant->id,
		.ifindex = xdp->rxq->dev->ifindex,
		.rx_queue = xdp->rxq->queue_index,
		.guest_id = guest ? guest->id : 0,
	};
	cham_rx_describe(&rx, pkt, xdp->data_end - xdp->data);
	rx.xdp = xdp;
	rx.tenant = tenant;
	rx.from_guest = guest;
	rx.to_guest = NULL;
	rx.redirect_ifindex = 0;
	rx.redirect_refused = false;
	rx.punt_code = 0;
	/* The parser has seen the Ethernet header. */
	ether_addr_copy(rx.rx_h_dest, ((struct ethhdr *)xdp->data)->h_dest);

	if (!cham_admit_packet(tenant, limits, &rx, pkt, timing)) {
		*drop = CHAM_DROP_OVER_BUDGET;
		return CHAM_VERDICT_DROP;
	}
	this_cpu_inc(tenant->stats->handler_calls);
	/*
	 * The provider program runs in softirq context, except under
	 * BPF_PROG_TEST_RUN: then a handler could be preempted with its
	 * tenant in cham_current_call.
	 */
	bh_off = !in_softirq();
	if (bh_off)
		local_bh_disable();
	cham_stack_prepare(tenant);
	cham_call_enter(&call, tenant);
	verdict = cham_call_handler(tenant, ops, guest, &rx.ctx);
	cham_call_exit(&call);
	if (bh_off)
		local_bh_enable();
	*drop = cham_check_verdict(&rx, pkt, verdict);
	/* Validating what the handler sends is the tenant's cost too. */
	if (timing->start)
		cham_charge_packet(tenant, limits, ops, timing);
	/* After the handler's charge: the copy is not the handler's work. */
	if (verdict == CHAM_VERDICT_PUNT && *drop == __CHAM_DROP_MAX)
		*drop = cham_agent_punt(tenant, xdp, guest, CHAM_PUNT_HANDLER,
					rx.punt_code);

	if (*drop != __CHAM_DROP_MAX)
		return CHAM_VERDICT_DROP;
	if (verdict == CHAM_VERDICT_REDIRECT || (guest && verdict == CHAM_VERDICT_TX))
		out->redirect_ifindex = rx.redirect_ifindex;
	if (rx.to_guest && verdict == CHAM_VERDICT_REDIRECT) {
		this_cpu_inc(rx.to_guest->rx_stats->packets);
		this_cpu_add(rx.to_guest->rx_stats->bytes,
			     xdp_get_buff_len(xdp));
	}
	return verdict;
}

/*
 * A guest's frame refused before its tenant's handler: checking it was
 * work for the tenant, charged like the over-budget refusal's, so that a
 * guest cannot burn the CPU outside its tenant's time protection.
 */
static void cham_charge_refusal(struct cham_tenant *tenant,
				const struct cham_timing *timing)
{
	const struct cham_limits *limits;
	u64 cycles;

	if (!timing->start)
		return;
	limits = rcu_dereference_check(tenant->limits, rcu_read_lock_bh_held());
	if (!limits->accounting)
		return;
	cycles = get_cycles() - timing->start;
	this_cpu_add(tenant->stats->infra_cycles, cycles);
	cham_budget_charge(this_cpu_ptr(tenant->budget), &limits->budget,
			   CHAM_ADMIT_RUN, cycles);
	cham_lat_record(tenant->stats, cycles);
}

/*
 * A guest sends only as itself: its own Ethernet address, one of its IP
 * addresses (a guest without addresses sends no IP at all), and no VLAN
 * tag (VLANs are the provider's to choose).
 */
static bool cham_guest_source_ok(const struct cham_guest *guest,
				 const struct xdp_buff *xdp,
				 const struct cham_pkt *pkt)
{
	const struct ethhdr *eth = xdp->data;
	u32 i;

	if (pkt->vlan_depth || !ether_addr_equal(eth->h_source, guest->mac))
		return false;
	for (i = 0; i < guest->nr_addrs; i++)
		if (guest->addrs[i].family == pkt->family &&
		    cham_prefix_match(&guest->addrs[i], &pkt->saddr))
			return true;
	return false;
}

/* @bytes: the length as received, whatever the handler made of it. */
static void cham_count(struct cham_stats __percpu *stats, u32 bytes,
		       enum cham_verdict verdict, enum cham_drop_reason drop)
{
	this_cpu_inc(stats->packets);
	this_cpu_add(stats->bytes, bytes);
	this_cpu_inc(stats->verdicts[verdict]);
	if (verdict == CHAM_VERDICT_DROP)
		this_cpu_inc(stats->drops[drop]);
}

/*
 * A frame one of the tenant's guests sent (it arrived on the host side of
 * the guest's link). Unlike a frame from the network, one that does not
 * parse is dropped: a guest reaches the host stack only through its
 * tenant's protocol. Counted for the guest and for its tenant.
 */
static int cham_guest_sent(struct cham_guest *guest, struct xdp_buff *xdp,
			   struct cham_xdp_out *out, struct cham_timing *timing)
{
	struct cham_tenant *tenant = guest->tenant;
	enum cham_drop_reason drop = __CHAM_DROP_MAX;
	u32 bytes = xdp_get_buff_len(xdp);
	enum cham_verdict verdict;
	struct cham_pkt pkt;

	if (!cham_parse(xdp->data, xdp->data_end, &pkt)) {
		this_cpu_inc(guest->tx_stats->parse_errors[pkt.error]);
		this_cpu_inc(tenant->stats->parse_errors[pkt.error]);
		drop = CHAM_DROP_GUEST_MALFORMED;
		verdict = CHAM_VERDICT_DROP;
		cham_charge_refusal(tenant, timing);
	} else if (!cham_guest_source_ok(guest, xdp, &pkt)) {
		drop = CHAM_DROP_GUEST_SOURCE;
		verdict = CHAM_VERDICT_DROP;
		cham_charge_refusal(tenant, timing);
	} else {
		verdict = cham_run_tenant(tenant, guest, xdp, &pkt, out,
					  timing, &drop);
	}
	cham_count(guest->tx_stats, bytes, verdict, drop);
	cham_count(tenant->stats, bytes, verdict, drop);
	/* Toward the network is a redirect to the uplink port. */
	return verdict == CHAM_VERDICT_TX ? XDP_REDIRECT :
	       cham_xdp_action[verdict];
}

/*
 * An IP fragment from the network: without its transport header (all but
 * the first have none) it cannot be steered by port, and without the
 * tenant's reassembly the handler could not make sense of it. When its
 * address and protocol are one tenant's alone, it is that tenant's
 * traffic: it goes to the tenant's agent, which reassembles, charged to
 * the tenant like a handler's call; it never reaches the host stack, which
 * would answer for the tenant (an ICMP port unreachable). Fragments for
 * several tenants' addresses are dropped; for no tenant's, the host's.
 */
static int cham_fragment(struct xdp_buff *xdp, const struct cham_pkt *pkt,
			 struct cham_timing *timing)
{
	enum cham_drop_reason drop = __CHAM_DROP_MAX;
	u32 bytes = xdp_get_buff_len(xdp);
	const struct cham_limits *limits;
	enum cham_verdict verdict;
	struct cham_tenant *tenant;
	bool ambiguous;

	tenant = cham_steer_fragment(pkt->family, &pkt->daddr, pkt->l4_proto,
				     &ambiguous);
	if (!tenant) {
		if (ambiguous) {
			cham_count(cham_unclassified_stats, bytes,
				   CHAM_VERDICT_DROP,
				   CHAM_DROP_FRAGMENT_AMBIGUOUS);
			return XDP_DROP;
		}
		this_cpu_inc(cham_unclassified_stats->parse_errors[pkt->error]);
		cham_count(cham_unclassified_stats, bytes, CHAM_VERDICT_PASS,
			   __CHAM_DROP_MAX);
		return XDP_PASS;
	}

	limits = rcu_dereference_check(tenant->limits, rcu_read_lock_bh_held());
	if (timing->start && limits->accounting) {
		timing->admitted = get_cycles();
		timing->admit = cham_budget_admit(this_cpu_ptr(tenant->budget),
						  &limits->budget,
						  this_cpu_ptr(&cham_recent),
						  tenant->id, timing->admitted,
						  READ_ONCE(cham_contention_cycles));
		if (timing->admit == CHAM_ADMIT_REFUSE && cham_enforcing(limits))
			drop = CHAM_DROP_OVER_BUDGET;
		/* Parsing and steering; the copy charges itself. */
		cham_budget_charge(this_cpu_ptr(tenant->budget),
				   &limits->budget, timing->admit,
				   timing->admitted - timing->start);
		this_cpu_add(tenant->stats->infra_cycles,
			     timing->admitted - timing->start);
	}
	if (drop != __CHAM_DROP_MAX) {
		verdict = CHAM_VERDICT_DROP;
	} else if (!rcu_access_pointer(tenant->ops)) {
		/*
		 * A tenant without protocol leaves its traffic to its
		 * default, as for whole datagrams: to the host stack, or
		 * dropped.
		 */
		verdict = tenant->default_verdict;
		if (verdict == CHAM_VERDICT_DROP)
			drop = CHAM_DROP_DEFAULT;
	} else {
		drop = cham_agent_punt(tenant, xdp, NULL, CHAM_PUNT_FRAGMENT, 0);
		verdict = drop == __CHAM_DROP_MAX ? CHAM_VERDICT_PUNT :
						    CHAM_VERDICT_DROP;
	}
	cham_count(tenant->stats, bytes, verdict, drop);
	return cham_xdp_action[verdict];
}

/*
 * Tenant handlers run only for frames a port's provider program received:
 * anything else (another device, a namespace's own XDP program,
 * BPF_PROG_TEST_RUN without a port as ingress) could forge a tenant's
 * traffic, drain its budget or get its protocol ejected.
 */
static bool cham_received_on_port(const struct xdp_buff *xdp)
{
	const struct net_device *dev = xdp->rxq->dev;

	return net_eq(dev_net(dev), &init_net) && cham_port_exists(dev->ifindex);
}

/* Or the host side of a guest's link: the frame is the guest's. */
static struct cham_guest *cham_received_from_guest(const struct xdp_buff *xdp)
{
	const struct net_device *dev = xdp->rxq->dev;

	if (!net_eq(dev_net(dev), &init_net))
		return NULL;
	return cham_guest_by_ifindex(dev->ifindex);
}

/*
 * Sets the target of CHAM_VERDICT_REDIRECT (a port, or a guest's link),
 * or, with @ifindex 0, refuses: the last call wins, and a refused target
 * drops the redirect (CHAM_DROP_PORT_NOT_ALLOWED).
 */
static int cham_redirect_to(struct cham_rx *rx, u32 ifindex,
			    struct cham_guest *guest)
{
	rx->redirect_refused = !ifindex;
	rx->redirect_ifindex = ifindex;
	rx->to_guest = guest;
	return ifindex ? 0 : -EPERM;
}

__bpf_kfunc_start_defs();

/**
 * bpf_cham_rx() - run the Chamelio fast path on a received frame
 * @xdp_md: the XDP program's context
 * @out: where the redirect target is stored for XDP_REDIRECT
 *
 * Return: the XDP action the provider program must return. For
 * XDP_REDIRECT, the program issues the redirect to @out->redirect_ifindex.
 * The tenant's handler may have changed the packet's length: packet
 * pointers the program took before the call must not be used after it.
 */
__bpf_kfunc int bpf_cham_rx(struct xdp_md *xdp_md, struct cham_xdp_out *out)
{
	struct xdp_buff *xdp = (struct xdp_buff *)xdp_md;
	struct cham_stats __percpu *stats = cham_unclassified_stats;
	enum cham_drop_reason drop = __CHAM_DROP_MAX;
	u32 bytes = xdp_get_buff_len(xdp);
	struct cham_timing timing = {};
	struct cham_tenant *tenant;
	struct cham_guest *guest;
	enum cham_verdict verdict;
	struct cham_pkt pkt;

	/* Parsing and steering are charged to the tenant the packet is for. */
	if (READ_ONCE(cham_cycle_accounting))
		timing.start = get_cycles();
	if (!cham_received_on_port(xdp)) {
		guest = cham_received_from_guest(xdp);
		if (guest)
			return cham_guest_sent(guest, xdp, out, &timing);
		this_cpu_inc(stats->parse_errors[CHAM_PARSE_NOT_PORT]);
		verdict = CHAM_VERDICT_PASS;
	} else if (!cham_parse(xdp->data, xdp->data_end, &pkt)) {
		if (pkt.error == CHAM_PARSE_FRAGMENT)
			return cham_fragment(xdp, &pkt, &timing);
		this_cpu_inc(stats->parse_errors[pkt.error]);
		verdict = CHAM_VERDICT_PASS;
	} else {
		tenant = cham_steer(pkt.family, &pkt.daddr, pkt.l4_proto,
				    pkt.has_ports, pkt.dport);
		if (tenant) {
			stats = tenant->stats;
			verdict = cham_run_tenant(tenant, NULL, xdp, &pkt, out,
						  &timing, &drop);
		} else {
			verdict = CHAM_VERDICT_PASS;
		}
	}

	cham_count(stats, bytes, verdict, drop);
	return cham_xdp_action[verdict];
}

/**
 * bpf_cham_redirect_port() - choose where CHAM_VERDICT_REDIRECT sends a packet
 * @ctx: the handler's context
 * @ifindex: a Chamelio port the admin assigned to the tenant
 *
 * Return: 0; -ENODEV when @ifindex is not a Chamelio port (ports are
 * interfaces of init_net); -EPERM when it is one the admin did not assign
 * to the tenant, and a CHAM_VERDICT_REDIRECT is then dropped with reason
 * CHAM_DROP_PORT_NOT_ALLOWED unless a later call sets an allowed target.
 */
__bpf_kfunc int bpf_cham_redirect_port(struct cham_ctx *ctx, u32 ifindex)
{
	struct cham_rx *rx = container_of(ctx, struct cham_rx, ctx);

	if (!cham_port_exists(ifindex))
		return -ENODEV;
	if (!cham_egress_has_port(cham_tenant_egress(rx->tenant), ifindex))
		return cham_redirect_to(rx, 0, NULL);
	return cham_redirect_to(rx, ifindex, NULL);
}

/**
 * bpf_cham_redirect_guest() - deliver a packet to a guest with
 * CHAM_VERDICT_REDIRECT
 * @ctx: the handler's context
 * @guest_id: a guest of the tenant
 *
 * The packet goes, unchanged but for what the handler rewrote, to the
 * guest's AF_XDP socket. It must still parse and carry no VLAN tag
 * (CHAM_DROP_EGRESS_MALFORMED otherwise); its addresses are the tenant's
 * business.
 *
 * Return: 0; -ENOENT when no guest has @guest_id or its link is gone;
 * -EPERM when the guest is another tenant's, and a CHAM_VERDICT_REDIRECT
 * is then dropped with reason CHAM_DROP_PORT_NOT_ALLOWED unless a later
 * call sets an allowed target.
 */
__bpf_kfunc int bpf_cham_redirect_guest(struct cham_ctx *ctx, u32 guest_id)
{
	struct cham_rx *rx = container_of(ctx, struct cham_rx, ctx);
	struct cham_guest *guest = guest_id ? cham_guest_find(guest_id, NULL) :
					      NULL;
	u32 ifindex = guest ? READ_ONCE(guest->ifindex) : 0;

	if (!ifindex)
		return -ENOENT;
	if (guest->tenant != rx->tenant)
		return cham_redirect_to(rx, 0, NULL);
	return cham_redirect_to(rx, ifindex, guest);
}

/**
 * bpf_cham_guest_lookup() - find the guest a packet is for
 * @ctx: the handler's context
 *
 * Looks the packet's IP destination, as it is now in the IP header, up in
 * the addresses the admin gave the tenant's guests.
 *
 * Return: the guest's id (positive), or -ENOENT when none of the tenant's
 * guests has that address.
 */
__bpf_kfunc int bpf_cham_guest_lookup(struct cham_ctx *ctx)
{
	struct cham_rx *rx = container_of(ctx, struct cham_rx, ctx);
	/* ctx's IP header is always within the frame (packet.c). */
	const void *l3 = rx->xdp->data + rx->ctx.l3_off;
	struct cham_guest *guest;
	union cham_addr daddr;
	u8 family;

	if (rx->ctx.l3_proto == ETH_P_IP) {
		family = AF_INET;
		daddr.v4 = ((const struct iphdr *)l3)->daddr;
	} else {
		family = AF_INET6;
		daddr.v6 = ((const struct ipv6hdr *)l3)->daddr;
	}
	guest = cham_guest_find_addr(rx->tenant, family, &daddr);
	return guest ? guest->id : -ENOENT;
}

/**
 * bpf_cham_punt() - hand the packet to the tenant's slow path
 * @ctx: the handler's context
 * @code: what the agent is told about it (CHAM_A_AGENT_PUNT_CODE)
 *
 * For ``return bpf_cham_punt(ctx, code);``: the frame, as the handler
 * leaves it, is queued for the tenant's agent with @code.
 *
 * Return: CHAM_VERDICT_PUNT.
 */
__bpf_kfunc int bpf_cham_punt(struct cham_ctx *ctx, u32 code)
{
	struct cham_rx *rx = container_of(ctx, struct cham_rx, ctx);

	rx->punt_code = code;
	return CHAM_VERDICT_PUNT;
}

__bpf_kfunc_end_defs();

BTF_KFUNCS_START(cham_xdp_kfunc_ids)
BTF_ID_FLAGS(func, bpf_cham_rx)
BTF_KFUNCS_END(cham_xdp_kfunc_ids)

/*
 * Only the provider drives the fast path: a program attached to a device
 * (not a devmap or cpumap program, whose frames come from elsewhere),
 * loaded by a CAP_NET_ADMIN holder of the initial user namespace, so that
 * a BPF token delegated to a container cannot load one. Called by the
 * verifier, in the loader's context.
 */
static int cham_xdp_kfunc_filter(const struct bpf_prog *prog, u32 kfunc_id)
{
	/* The module's only XDP kfunc: no lookup that could fail open. */
	if ((prog->expected_attach_type != BPF_XDP &&
	     prog->expected_attach_type != 0) ||
	    !capable(CAP_NET_ADMIN))
		return -EACCES;
	return 0;
}

static const struct btf_kfunc_id_set cham_xdp_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &cham_xdp_kfunc_ids,
	.filter = cham_xdp_kfunc_filter,
};

/* The handlers' kfuncs: those of this file, packet.c, agent.c and timer.c. */
BTF_KFUNCS_START(cham_proto_kfunc_ids)
BTF_ID_FLAGS(func, bpf_cham_pkt_ptr, KF_TRUSTED_ARGS | KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_cham_csum_l3_update, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_cham_csum_l4_update, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_cham_csum_l4_valid, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_cham_adjust_tail, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_cham_adjust_head, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_cham_parse, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_cham_load_bytes, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_cham_store_bytes, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_cham_compare_bytes, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_cham_redirect_port, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_cham_redirect_guest, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_cham_guest_lookup, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_cham_punt, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_cham_msg_read, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_cham_agent_notify)
BTF_ID_FLAGS(func, bpf_cham_timer_arm)
BTF_ID_FLAGS(func, bpf_cham_timer_cancel)
BTF_KFUNCS_END(cham_proto_kfunc_ids)

static const struct btf_kfunc_id_set cham_proto_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &cham_proto_kfunc_ids,
	.filter = cham_proto_kfunc_filter,
};

int cham_dispatch_init(void)
{
	int err;

	err = register_btf_kfunc_id_set(BPF_PROG_TYPE_XDP, &cham_xdp_kfunc_set);
	if (err)
		return err;
	return register_btf_kfunc_id_set(BPF_PROG_TYPE_STRUCT_OPS,
					 &cham_proto_kfunc_set);
}
