// SPDX-License-Identifier: GPL-2.0
/*
 * The fast path. The provider XDP program on each port calls bpf_cham_rx(),
 * which classifies the frame, runs the tenant's handler, accounts the
 * packet and returns the XDP action. Tenant handlers reach the packet and
 * rewrite it through the bpf_cham_* kfuncs below.
 */
#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/filter.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/dsfield.h>
#include <net/inet_ecn.h>
#include <net/ip6_checksum.h>
#include <net/xdp.h>
#include <asm/timex.h>

#include "chamelio.h"
#include "parse.h"

/* A handler's context and what only the module may see of the packet. */
struct cham_rx {
	struct cham_ctx ctx;
	struct xdp_buff *xdp;
	u32 redirect_ifindex;
	bool ipv6_routing_header;
};

static const u32 cham_xdp_action[__CHAM_VERDICT_MAX] = {
	[CHAM_VERDICT_PASS] = XDP_PASS,
	[CHAM_VERDICT_DROP] = XDP_DROP,
	[CHAM_VERDICT_TX] = XDP_TX,
	[CHAM_VERDICT_REDIRECT] = XDP_REDIRECT,
	/* No slow-path agent exists yet to take the packet. */
	[CHAM_VERDICT_PUNT] = XDP_DROP,
};

static void cham_count_drop(struct cham_stats __percpu *stats,
			    enum cham_drop_reason reason)
{
	this_cpu_inc(stats->drops[reason]);
}

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

/* Time protection's measurements of one handler call. */
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
		return false;
	case CHAM_ADMIT_SIGNAL:
		rx->ctx.flags |= CHAM_CTX_F_BUDGET_LOW;
		if (limits->policy == CHAM_BUDGET_ECN &&
		    cham_mark_ce(rx->xdp, pkt))
			this_cpu_inc(tenant->stats->ecn_marks);
		return true;
	default:
		return true;
	}
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
	u32 violations;

	this_cpu_add(stats->handler_cycles, cycles);
	this_cpu_add(stats->infra_cycles, timing->admitted - timing->start);
	/* Racing with a softirq on this CPU can lose one maximum; harmless. */
	if (cycles > this_cpu_read(stats->handler_max_cycles))
		this_cpu_write(stats->handler_max_cycles, cycles);
	cham_budget_charge(this_cpu_ptr(tenant->budget), &limits->budget,
			   timing->admit, end - timing->start);

	if (!limits->ceiling || cycles <= limits->ceiling)
		return;
	this_cpu_inc(stats->ceiling_violations);
	violations = atomic_inc_return(&ops->violations);
	/* Ejecting is enforcement: with it off, violations are only counted. */
	if (limits->eject_after && violations >= limits->eject_after &&
	    cham_enforcing(limits))
		cham_proto_eject(tenant, ops, violations);
}

/* Runs the tenant's protocol, or applies its default, and checks the verdict. */
static enum cham_verdict cham_run_tenant(struct cham_tenant *tenant,
					 struct xdp_buff *xdp,
					 const struct cham_pkt *pkt,
					 struct cham_xdp_out *out,
					 struct cham_timing *timing)
{
	struct cham_stats __percpu *stats = tenant->stats;
	const struct cham_limits *limits;
	struct cham_proto_ops *ops;
	struct cham_rx rx;
	int verdict;

	/* Native XDP runs with BH disabled, not always under rcu_read_lock(). */
	ops = rcu_dereference_check(tenant->ops, rcu_read_lock_bh_held());
	if (!ops) {
		if (tenant->default_verdict == CHAM_VERDICT_DROP)
			cham_count_drop(stats, CHAM_DROP_DEFAULT);
		return tenant->default_verdict;
	}
	limits = rcu_dereference_check(tenant->limits, rcu_read_lock_bh_held());

	rx.ctx = (struct cham_ctx) {
		.tenant_id = tenant->id,
		.ifindex = xdp->rxq->dev->ifindex,
		.rx_queue = xdp->rxq->queue_index,
		.len = xdp->data_end - xdp->data,
		.l3_off = pkt->l3_off,
		.l4_off = pkt->l4_off,
		.payload_off = pkt->payload_off,
		.l4_len = pkt->l4_len,
		.l3_proto = pkt->l3_proto,
		.l4_proto = pkt->l4_proto,
		.vlan_depth = pkt->vlan_depth,
	};
	rx.xdp = xdp;
	rx.redirect_ifindex = 0;
	rx.ipv6_routing_header = pkt->ipv6_routing_header;

	if (!cham_admit_packet(tenant, limits, &rx, pkt, timing)) {
		cham_count_drop(stats, CHAM_DROP_OVER_BUDGET);
		return CHAM_VERDICT_DROP;
	}
	this_cpu_inc(stats->handler_calls);
	verdict = ops->rx(&rx.ctx);
	if (timing->start)
		cham_charge_packet(tenant, limits, ops, timing);

	switch (verdict) {
	case CHAM_VERDICT_PASS:
	case CHAM_VERDICT_TX:
	case CHAM_VERDICT_PUNT:
		return verdict;
	case CHAM_VERDICT_DROP:
		cham_count_drop(stats, CHAM_DROP_HANDLER);
		return verdict;
	case CHAM_VERDICT_REDIRECT:
		if (!rx.redirect_ifindex) {
			cham_count_drop(stats, CHAM_DROP_BAD_REDIRECT);
			return CHAM_VERDICT_DROP;
		}
		out->redirect_ifindex = rx.redirect_ifindex;
		return verdict;
	default:
		cham_count_drop(stats, CHAM_DROP_BAD_VERDICT);
		return CHAM_VERDICT_DROP;
	}
}

__bpf_kfunc_start_defs();

/**
 * bpf_cham_rx() - run the Chamelio fast path on a received frame
 * @xdp_md: the XDP program's context
 * @out: where the redirect target is stored for XDP_REDIRECT
 *
 * Return: the XDP action the provider program must return. For
 * XDP_REDIRECT, the program issues the redirect to @out->redirect_ifindex.
 */
__bpf_kfunc int bpf_cham_rx(struct xdp_md *xdp_md, struct cham_xdp_out *out)
{
	struct xdp_buff *xdp = (struct xdp_buff *)xdp_md;
	struct cham_stats __percpu *stats = cham_unclassified_stats;
	struct cham_timing timing = {};
	struct cham_tenant *tenant;
	enum cham_verdict verdict;
	struct cham_pkt pkt;

	/* Parsing and steering are charged to the tenant the packet is for. */
	if (READ_ONCE(cham_cycle_accounting))
		timing.start = get_cycles();
	if (!cham_parse(xdp->data, xdp->data_end, &pkt)) {
		this_cpu_inc(stats->parse_errors[pkt.error]);
		verdict = CHAM_VERDICT_PASS;
	} else {
		tenant = cham_steer(&pkt);
		if (tenant) {
			stats = tenant->stats;
			verdict = cham_run_tenant(tenant, xdp, &pkt, out,
						  &timing);
		} else {
			verdict = CHAM_VERDICT_PASS;
		}
	}

	this_cpu_inc(stats->packets);
	this_cpu_add(stats->bytes, xdp_get_buff_len(xdp));
	this_cpu_inc(stats->verdicts[verdict]);
	return cham_xdp_action[verdict];
}

/**
 * bpf_cham_pkt_ptr() - reach packet bytes from a tenant handler
 * @ctx: the handler's context
 * @offset: offset from the start of the frame
 * @rdwr_buf_size: how many bytes, a constant the verifier checks accesses
 *	against
 *
 * Return: a readable and writable pointer to @rdwr_buf_size bytes at
 * @offset, or NULL when they are not all within the frame.
 */
__bpf_kfunc u8 *bpf_cham_pkt_ptr(struct cham_ctx *ctx, u32 offset,
				 const u32 rdwr_buf_size)
{
	struct cham_rx *rx = container_of(ctx, struct cham_rx, ctx);
	u32 len = rx->xdp->data_end - rx->xdp->data;

	/* A size of 0 would give the handler one read-only byte (6.12). */
	if (!rdwr_buf_size || offset > len || rdwr_buf_size > len - offset)
		return NULL;
	return rx->xdp->data + offset;
}

/*
 * The handler may have rewritten any header byte, so the checksum kfuncs
 * trust only the offsets the parser found (ctx is read-only to BPF) and
 * re-check the lengths they read from the packet.
 */
static struct iphdr *cham_ipv4_header(struct cham_rx *rx)
{
	struct iphdr *iph = rx->xdp->data + rx->ctx.l3_off;

	if (rx->ctx.l3_proto != ETH_P_IP ||
	    rx->ctx.l3_off + iph->ihl * 4 > rx->ctx.len || iph->ihl < 5)
		return NULL;
	return iph;
}

/**
 * bpf_cham_csum_l3_update() - recompute the IPv4 header checksum
 * @ctx: the handler's context
 *
 * Return: 0, or -EINVAL when the packet is not IPv4 or its header length
 * was rewritten to something invalid.
 */
__bpf_kfunc int bpf_cham_csum_l3_update(struct cham_ctx *ctx)
{
	struct cham_rx *rx = container_of(ctx, struct cham_rx, ctx);
	struct iphdr *iph = cham_ipv4_header(rx);

	if (!iph)
		return -EINVAL;
	iph->check = 0;
	iph->check = ip_fast_csum(iph, iph->ihl);
	return 0;
}

/**
 * bpf_cham_csum_l4_update() - recompute the UDP or TCP checksum
 * @ctx: the handler's context
 *
 * Covers the pseudo-header (with the addresses now in the IP header) and the
 * whole transport segment, so it is correct after any rewrite of addresses,
 * ports or payload.
 *
 * Return: 0, -EINVAL for other transports or an invalid IPv4 header, or
 * -EOPNOTSUPP behind an IPv6 routing header (the pseudo-header would need
 * the final destination).
 */
__bpf_kfunc int bpf_cham_csum_l4_update(struct cham_ctx *ctx)
{
	struct cham_rx *rx = container_of(ctx, struct cham_rx, ctx);
	void *l4 = rx->xdp->data + ctx->l4_off;
	const struct ipv6hdr *ip6h;
	const struct iphdr *iph;
	u32 len = ctx->l4_len;
	__sum16 *check;
	__wsum sum;

	if (ctx->l4_proto == IPPROTO_UDP)
		check = &((struct udphdr *)l4)->check;
	else if (ctx->l4_proto == IPPROTO_TCP)
		check = &((struct tcphdr *)l4)->check;
	else
		return -EINVAL;
	iph = ctx->l3_proto == ETH_P_IP ? cham_ipv4_header(rx) : NULL;
	if (ctx->l3_proto == ETH_P_IP && !iph)
		return -EINVAL;
	if (rx->ipv6_routing_header)
		return -EOPNOTSUPP;

	*check = 0;
	sum = csum_partial(l4, len, 0);
	if (iph) {
		*check = csum_tcpudp_magic(iph->saddr, iph->daddr, len,
					   ctx->l4_proto, sum);
	} else {
		ip6h = rx->xdp->data + ctx->l3_off;
		*check = csum_ipv6_magic(&ip6h->saddr, &ip6h->daddr, len,
					 ctx->l4_proto, sum);
	}
	if (ctx->l4_proto == IPPROTO_UDP && !*check)
		*check = CSUM_MANGLED_0;
	return 0;
}

/**
 * bpf_cham_redirect_port() - choose where CHAM_VERDICT_REDIRECT sends a packet
 * @ctx: the handler's context
 * @ifindex: a port the admin attached Chamelio to
 *
 * Return: 0, or -ENODEV when @ifindex is not a Chamelio port: a tenant can
 * only send traffic where the provider runs Chamelio.
 */
__bpf_kfunc int bpf_cham_redirect_port(struct cham_ctx *ctx, u32 ifindex)
{
	struct cham_rx *rx = container_of(ctx, struct cham_rx, ctx);

	/* Ports are interfaces of init_net, the namespace chamctl serves. */
	if (!net_eq(dev_net(rx->xdp->rxq->dev), &init_net) ||
	    !cham_port_exists(ifindex))
		return -ENODEV;
	rx->redirect_ifindex = ifindex;
	return 0;
}

__bpf_kfunc_end_defs();

BTF_KFUNCS_START(cham_xdp_kfunc_ids)
BTF_ID_FLAGS(func, bpf_cham_rx)
BTF_KFUNCS_END(cham_xdp_kfunc_ids)

static const struct btf_kfunc_id_set cham_xdp_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &cham_xdp_kfunc_ids,
};

BTF_KFUNCS_START(cham_proto_kfunc_ids)
BTF_ID_FLAGS(func, bpf_cham_pkt_ptr, KF_TRUSTED_ARGS | KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_cham_csum_l3_update, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_cham_csum_l4_update, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_cham_redirect_port, KF_TRUSTED_ARGS)
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
