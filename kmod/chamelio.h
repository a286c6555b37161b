/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Chamelio: definitions shared by the files of the module.
 */
#ifndef _CHAMELIO_H
#define _CHAMELIO_H

#include <linux/if_ether.h>
#include <linux/in6.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/xarray.h>
#include <linux/chamelio.h>

#include "budget.h"
#include "steer.h"

struct bpf_link;
struct bpf_prog;
struct cham_agent;
struct genl_family;
struct sock;
struct xdp_buff;

/*
 * Every configuration change (tenants, rules, ports, protocol registration)
 * holds this mutex; the fast path only reads RCU-protected state.
 */
extern struct mutex cham_config_lock;

/*
 * Readers (netlink gets and dumps) walk tenants, rules and ports under
 * rcu_read_lock() alone; every change under the lock bumps this sequence
 * so that a dump split over several messages can tell it saw a change
 * (genl_dump_check_consistent()).
 */
void cham_config_changed(void);
u32 cham_config_seq(void);

#define cham_config_dereference(p)					\
	rcu_dereference_check(p, lockdep_is_held(&cham_config_lock))

/*
 * The fast-path latency histogram (stats.c): cycles from a packet's entry
 * into the fast path to its verdict, log-linear. Buckets 0-7 are 16
 * cycles wide (0 to 127 cycles); from there every power of two has
 * 1 << CHAM_LAT_SUB_BITS buckets, each at most a quarter of its lower
 * bound wide, so that its upper bound overstates what it counted by 25%
 * at most; up to 2^CHAM_LAT_TOP_SHIFT cycles, whose bucket is the last
 * and holds everything above (seconds at any clock rate): 125 buckets.
 */
#define CHAM_LAT_SUB_BITS	2
#define CHAM_LAT_FIRST_SHIFT	4	/* the width of the first buckets */
#define CHAM_LAT_TOP_SHIFT	36
#define CHAM_LAT_BUCKETS						\
	(((CHAM_LAT_TOP_SHIFT - CHAM_LAT_FIRST_SHIFT - CHAM_LAT_SUB_BITS) << \
	  CHAM_LAT_SUB_BITS) + (1 << CHAM_LAT_SUB_BITS) + 1)

/*
 * The bucket of @cycles: with u = cycles / 16 and e the number of bits
 * of u beyond the top three, u >> e keeps its top three bits (4..7, or u
 * itself below 8), and each e adds four buckets. One fls64, a max, two
 * shifts and a min: no branch.
 */
static inline unsigned int cham_lat_bucket(u64 cycles)
{
	u64 u = cycles >> CHAM_LAT_FIRST_SHIFT;
	unsigned int e = max(fls64(u), CHAM_LAT_SUB_BITS + 1) -
			 (CHAM_LAT_SUB_BITS + 1);

	return min((e << CHAM_LAT_SUB_BITS) + (unsigned int)(u >> e),
		   CHAM_LAT_BUCKETS - 1U);
}

/* Cycles below which every packet of bucket @index took; 0: the last, open. */
u64 cham_lat_bucket_limit(unsigned int index);
u64 cham_cycles_to_ns(u64 cycles);

/* Per-CPU counters of one tenant (or of unclassified traffic). */
struct cham_stats {
	u64 packets;
	u64 bytes;
	u64 verdicts[__CHAM_VERDICT_MAX];
	u64 drops[__CHAM_DROP_MAX];
	u64 parse_errors[__CHAM_PARSE_MAX];
	u64 handler_calls;
	u64 handler_cycles;
	u64 handler_max_cycles;
	u64 infra_cycles;	/* parsing and steering, charged to the tenant */
	u64 ecn_marks;
	u64 ceiling_violations;
	/* The slow path (agent.c, timer.c). */
	u64 punt_delivered;
	u64 punt_lost;
	u64 punt_cycles;
	u64 events_delivered;
	u64 events_lost;
	u64 timer_calls;
	u64 timer_cycles;
	u64 msg_calls;
	u64 msg_cycles;
	u64 injected;
	/*
	 * Tenants only: the fast-path latency histogram, CHAM_LAT_BUCKETS
	 * counts that cham_stats_alloc() provides beyond the struct. A
	 * flexible array, so that a struct cham_stats of folded counters
	 * (a netlink reply's, on the stack) does not carry it: it is folded
	 * one bucket at a time (cham_lat_fold()).
	 */
	u64 latency[];
};

struct cham_stats __percpu *cham_stats_alloc(bool latency);
void cham_stats_free(struct cham_stats __percpu *stats);
void cham_stats_fold(const struct cham_stats __percpu *stats,
		     struct cham_stats *sum);
extern struct cham_stats __percpu *cham_unclassified_stats;
u64 cham_lat_fold(const struct cham_stats __percpu *stats, unsigned int index);

/* Counts one fast-path latency of @cycles; bottom halves disabled. */
static inline void cham_lat_record(struct cham_stats __percpu *stats,
				   u64 cycles)
{
	this_cpu_inc(stats->latency[cham_lat_bucket(cycles)]);
}

/*
 * A tenant's time-protection settings, as the admin set them and converted
 * to the cycles the fast path works in. Replaced whole on every change, so
 * a packet sees one consistent set.
 */
struct cham_limits {
	u32 share;		/* of CHAM_SHARE_SCALE */
	u32 burst_us;
	u32 ceiling_ns;		/* 0: no ceiling */
	u32 eject_after;	/* ceiling violations; 0: never eject */
	u32 insn_limit;		/* verified insns per handler; 0: none */
	u8 policy;		/* enum cham_budget_policy */
	u8 ecn_threshold;	/* percent of the burst */
	bool accounting;
	bool enforcement;
	struct cham_budget_cfg budget;
	u64 ceiling;		/* cycles; 0: no ceiling */
	struct rcu_head rcu;
};

void cham_limits_init(struct cham_limits *limits);
void cham_limits_derive(struct cham_limits *limits);

void cham_prefix_make_mask(struct cham_prefix *prefix);
bool cham_prefix_match(const struct cham_prefix *prefix,
		       const union cham_addr *addr);

/*
 * What a tenant's handlers may send (egress validation): source prefixes
 * beyond the destinations of its own rules, and the ports it may redirect
 * to. Replaced whole on every change, like the limits.
 */
struct cham_egress {
	u32 nr_sources;
	u32 nr_ports;
	struct cham_prefix sources[CHAM_TENANT_SOURCES_MAX];
	u32 ports[CHAM_TENANT_PORTS_MAX];	/* 0: a port that went away */
	struct rcu_head rcu;
};

struct cham_tenant {
	u32 id;
	char name[CHAM_NAME_LEN];
	/* Binds the tenant's protocol and reads its state; see cham_tenant_owned(). */
	kuid_t owner;
	/*
	 * Unique over the module's life: a protocol instance prepared for a
	 * tenant remembers it, so that a tenant deleted and created again
	 * under the same name is not taken for the old one.
	 */
	u64 cookie;
	struct cham_egress __rcu *egress;
	u8 default_verdict;
	/* The registered protocol; NULL gives the default verdict. */
	struct cham_proto_ops __rcu *ops;
	/*
	 * The link that binds the protocol. Only its id is read, under the
	 * config lock or under RCU (tenant show, an ejection in softirq):
	 * its unreg waits for a grace period before the BPF core frees it.
	 */
	struct bpf_link *proto_link;
	/*
	 * The instance proto_link binds, on the fast path or ejected from
	 * it; it lives as long as the link. Under cham_config_lock.
	 */
	struct cham_proto_ops *proto_bound;
	/* The bind notification waits for the link's id (proto.c). */
	bool proto_bind_pending;
	u32 proto_generation;
	atomic_t ejections;	/* protocols ejected, ever */
	struct cham_limits __rcu *limits;
	struct cham_budget __percpu *budget;
	struct cham_stats __percpu *stats;
	/* Its guests (RCU list, changed under the config lock). */
	struct list_head guests;
	/* Its slow-path agent, if one is registered (agent.c). */
	struct cham_agent __rcu *agent;
	u32 punt_queue_max;		/* frames and events waiting for it */
	unsigned long budget_event_at;	/* jiffies of the last budget event */
	/* Its armed timers by id (timer.c). */
	struct xarray timers;
	u32 timers_max;
	atomic_t timers_armed;
	bool timers_closed;		/* its protocol is going: no arming */
	struct rcu_head rcu;
};

int cham_tenants_init(void);
void cham_tenants_exit(void);
struct cham_tenant *cham_tenant_find(u32 id, const char *name);
int cham_tenant_add(u32 id, const char *name, kuid_t owner, u8 default_verdict,
		    const struct cham_limits *limits,
		    struct netlink_ext_ack *extack);
int cham_tenant_del(struct cham_tenant *tenant);
void cham_tenant_set_limits(struct cham_tenant *tenant,
			    struct cham_limits *limits);
void cham_tenant_set_egress(struct cham_tenant *tenant,
			    struct cham_egress *egress);
void cham_tenant_set_owner(struct cham_tenant *tenant, kuid_t owner);
void cham_tenants_forget_port(u32 ifindex);
bool cham_tenant_owned(const struct cham_tenant *tenant, kuid_t uid);
struct cham_tenant *cham_tenant_next(unsigned long *id);
bool cham_tenant_name_valid(const char *name);

#define CHAM_MAX_VLAN_TAGS	2

/* What the parser learnt about a frame. */
struct cham_pkt {
	u16 l3_off;
	u16 l4_off;
	u16 payload_off;
	u16 l4_len;
	u16 l3_proto;
	u8 l4_proto;
	u8 family;
	u8 vlan_depth;
	bool has_ports;
	bool ipv6_routing_header;
	u8 error;		/* enum cham_parse_error, when parsing failed */
	u16 sport;
	u16 dport;
	union cham_addr saddr;
	union cham_addr daddr;
	__be16 vlan_tci[CHAM_MAX_VLAN_TAGS];
	__be16 vlan_tpid[CHAM_MAX_VLAN_TAGS];
};

int cham_rule_add(struct cham_rule *rule, struct netlink_ext_ack *extack);
int cham_rule_del(u32 id);
int cham_rules_del_tenant(struct cham_tenant *tenant);

/* The steering index of the published rule table (rules.c). */
extern struct cham_steer_index __rcu *cham_steer_published;

/*
 * The tenant whose rule matches an address, transport protocol and port:
 * the destination of a received packet (steering), or the source of one a
 * handler sends (egress validation). Inline: it runs for every packet,
 * under the XDP program's RCU read side.
 */
static inline struct cham_tenant *cham_steer(u8 family,
					     const union cham_addr *addr,
					     u8 l4_proto, bool has_ports,
					     u16 port)
{
	const struct cham_steer_index *index;

	index = rcu_dereference_check(cham_steer_published,
				      rcu_read_lock_bh_held());
	if (!index)
		return NULL;
	return cham_steer_lookup(index, family, addr, l4_proto, has_ports,
				 port);
}
bool cham_rule_get(unsigned int index, struct cham_rule *rule);
bool cham_rule_find(u32 id, struct cham_rule *rule);
void cham_rules_exit(void);

/* Ports: interfaces whose provider XDP program the admin attached. */
int cham_port_add(struct net *net, u32 ifindex, struct netlink_ext_ack *extack);
int cham_port_del(u32 ifindex);
bool cham_port_next(unsigned long *ifindex, char *ifname);
bool cham_port_lookup(u32 ifindex);
#define CHAM_PORT_BITMAP_BITS	1024
extern unsigned long cham_port_bitmap[];

/* Whether @ifindex is a port: for every frame, and for redirect targets. */
static inline bool cham_port_exists(u32 ifindex)
{
	if (likely(ifindex < CHAM_PORT_BITMAP_BITS))
		return test_bit(ifindex, cham_port_bitmap);
	return cham_port_lookup(ifindex);
}
int cham_ports_init(void);
void cham_ports_exit(void);

/*
 * A tenant's VM or container (guest.c). Fixed once added, but for the
 * ifindex, which becomes 0 when the link goes away.
 */
struct cham_guest {
	u32 id;
	char name[CHAM_NAME_LEN];
	/* Tenants with guests are not deleted: outlives the guest. */
	struct cham_tenant *tenant;
	struct list_head tenant_node;
	u32 ifindex;		/* host side of its link, init_net */
	u8 mac[ETH_ALEN];
	u32 nr_addrs;
	struct cham_prefix addrs[CHAM_GUEST_ADDRS_MAX];
	struct cham_stats __percpu *tx_stats;	/* what it sent */
	struct cham_stats __percpu *rx_stats;	/* what was delivered to it */
	struct rcu_head rcu;
};

int cham_guests_init(void);
void cham_guests_exit(void);
int cham_guest_add(struct cham_guest *guest, struct netlink_ext_ack *extack);
void cham_guest_del(struct cham_guest *guest);
struct cham_guest *cham_guest_find(u32 id, const char *name);
struct cham_guest *cham_guest_by_ifindex(u32 ifindex);
struct cham_guest *cham_guest_find_addr(struct cham_tenant *tenant, u8 family,
					const union cham_addr *addr);
struct cham_guest *cham_guest_next(unsigned long *id);

/* Tenant protocols. */
int cham_proto_init(void);
int cham_proto_kfunc_filter(const struct bpf_prog *prog, u32 kfunc_id);
void cham_proto_unbind_tenant(struct cham_tenant *tenant);
void cham_proto_exit(void);
bool cham_proto_extended(struct cham_tenant *tenant,
			 struct cham_proto_ops *ops, u32 handler);
int cham_proto_reinstate(struct cham_tenant *tenant,
			 struct netlink_ext_ack *extack);
void cham_proto_eject(struct cham_tenant *tenant, struct cham_proto_ops *ops,
		      u32 violations);
extern const char *const cham_proto_handler_names[__CHAM_PROTO_HANDLER_MAX];

int cham_dispatch_init(void);

/*
 * The handler running on this CPU, for the kfuncs that act for its tenant
 * without a packet context (timers, agent events). Set around every
 * handler call with bottom halves disabled, so nothing else can run a
 * handler on this CPU meanwhile; nested calls (a softirq's handler on top
 * of a process-context one) restore the outer one.
 */
struct cham_call {
	struct cham_tenant *tenant;
	struct cham_call *outer;
};

void cham_call_enter(struct cham_call *call, struct cham_tenant *tenant);
void cham_call_exit(struct cham_call *call);
struct cham_tenant *cham_call_tenant(void);

/*
 * A tenant's work outside a packet (timer and slowpath_msg handlers, punt
 * copies and delivery): the intervention point before it, which returns
 * false when the tenant is over budget on a contended CPU and enforcement
 * is on (the caller then defers or refuses the work), and the charge
 * after it, like a handler's call, holding a handler of @ops to the
 * tenant's ceiling. Call with bottom halves disabled; cham_work_end()
 * returns the cycles the work took (0 when accounting is off).
 */
struct cham_work {
	u64 start;
	int admit;		/* enum cham_admit */
};

bool cham_work_begin(struct cham_tenant *tenant, struct cham_work *work);
u64 cham_work_end(struct cham_tenant *tenant, struct cham_work *work,
		  struct cham_proto_ops *ops);
/* How long work refused at the intervention point waits: a burst, a tick at least. */
u64 cham_work_retry_ns(struct cham_tenant *tenant);
/* A task's stack is not the CPU's: scrub it before every handler. */
void cham_stack_scrub(void);
/* Before a tenant's handler: no other tenant's data left on the stack. */
void cham_stack_prepare(const struct cham_tenant *tenant);
/* May @tenant send from the source of @pkt (egress validation)? */
bool cham_tenant_may_send_from(struct cham_tenant *tenant,
			       const struct cham_pkt *pkt);
/* Is @ifindex a port the admin assigned to @tenant? */
bool cham_tenant_may_use_port(struct cham_tenant *tenant, u32 ifindex);

/* The slow path: a tenant's agent (agent.c). */
int cham_agents_init(void);
void cham_agents_exit(void);
int cham_agent_register(struct cham_tenant *tenant, struct sock *sk,
			u32 portid, struct netlink_ext_ack *extack);
void cham_agent_unregister(struct cham_tenant *tenant);
u32 cham_agent_portid(struct cham_tenant *tenant);
enum cham_drop_reason cham_agent_punt(struct cham_tenant *tenant,
				      const struct xdp_buff *xdp,
				      const struct cham_guest *guest,
				      u8 origin, u32 code);
int cham_agent_event(struct cham_tenant *tenant, u32 event, u32 code,
		     const void *data, u32 len);
int cham_agent_inject(struct cham_tenant *tenant, struct sk_buff *skb,
		      u32 ifindex, u32 guest_id,
		      struct netlink_ext_ack *extack);
int cham_agent_msg(struct cham_tenant *tenant, u32 type, u32 flow,
		   const void *data, u32 len, int *result,
		   struct netlink_ext_ack *extack);

/* Tenant timers (timer.c). */
void cham_timers_open(struct cham_tenant *tenant);
void cham_timers_close(struct cham_tenant *tenant);

/* The tenant whose rules alone cover a fragment's address and protocol. */
struct cham_tenant *cham_steer_fragment(u8 family, const union cham_addr *addr,
					u8 l4_proto, bool *ambiguous);

extern struct genl_family cham_genl_family;
int cham_netlink_init(void);
void cham_netlink_exit(void);
void cham_netlink_notify_tenant(struct cham_tenant *tenant, u8 cmd);
void cham_netlink_notify_config(void);
void cham_netlink_notify_port(u32 ifindex, const char *ifname, u8 cmd);
void cham_netlink_notify_guest(const struct cham_guest *guest, u8 cmd);
void cham_netlink_notify_agent(const struct cham_tenant *tenant, u8 cmd,
			       u32 portid);
void cham_netlink_notify_proto(const struct cham_tenant *tenant, u8 cmd,
			       const struct cham_proto_ops *ops,
			       const struct cham_proto_ops *prev, gfp_t gfp);

/*
 * Global time-protection switches (netlink CONFIG_SET; accounting is also
 * the module parameter cycle_accounting). Each tenant has its own switches
 * too; both must be on.
 */
extern bool cham_cycle_accounting;
extern bool cham_enforcement;
extern u32 cham_contention_us;
extern u64 cham_contention_cycles;

u64 cham_ns_to_cycles(u64 ns);
int cham_budget_init(void);
void cham_budget_set_contention(u32 us);

#endif /* _CHAMELIO_H */
