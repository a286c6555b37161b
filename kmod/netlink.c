// SPDX-License-Identifier: GPL-2.0
/*
 * The "chamelio" generic netlink family: the admin's interface to tenants,
 * steering rules, ports, guests and statistics. Documentation/netlink/specs/
 * chamelio.yaml describes it and scripts/check-ynl-spec.py holds this file
 * to it: every command has its own policy that admits exactly the
 * attributes it takes, every change needs CAP_NET_ADMIN (GENL_ADMIN_PERM),
 * and every refusal of a handler carries an extack message.
 *
 * Changes hold cham_config_lock. Gets and dumps hold only rcu_read_lock(),
 * so that no reader can delay a change: the lock is also taken under RTNL
 * and under the BPF core's struct_ops mutex. A reader without
 * CAP_NET_ADMIN sees only the tenants it owns, with their rules, guests
 * and statistics; ports and the global settings are readable by all.
 */
#include <linux/cred.h>
#include <linux/etherdevice.h>
#include <linux/in.h>
#include <linux/rtnetlink.h>
#include <linux/socket.h>
#include <linux/uidgid.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>
#include <asm/timex.h>
#include <asm/tsc.h>

#include "chamelio.h"


/* ---- policies ----------------------------------------------------------- */

/* Wider than the s16 bounds of NLA_POLICY_RANGE(). */
static const struct netlink_range_validation cham_tenant_id_range = {
	.min = 1,
	.max = CHAM_TENANT_ID_MAX,
};

static const struct netlink_range_validation cham_burst_us_range = {
	.min = 1,
	.max = USEC_PER_SEC,
};

static const struct netlink_range_validation cham_ceiling_ns_range = {
	.max = CHAM_CEILING_NS_MAX,
};

static const struct netlink_range_validation cham_contention_us_range = {
	.min = 1,
	.max = USEC_PER_SEC,
};

static const struct netlink_range_validation cham_punt_queue_range = {
	.min = 1,
	.max = CHAM_PUNT_QUEUE_MAX,
};

static const struct netlink_range_validation cham_timers_max_range = {
	.max = CHAM_TIMERS_MAX,
};

/* Address families are not a range: exactly AF_INET or AF_INET6. */
static int cham_nl_validate_family(const struct nlattr *attr,
				   struct netlink_ext_ack *extack)
{
	u8 family = nla_get_u8(attr);

	if (family == AF_INET || family == AF_INET6)
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, attr, "family must be AF_INET or AF_INET6");
	return -EINVAL;
}

static const struct nla_policy cham_source_policy[CHAM_A_SOURCE_PREFIX_LEN + 1] = {
	[CHAM_A_SOURCE_FAMILY] =
		NLA_POLICY_VALIDATE_FN(NLA_U8, cham_nl_validate_family),
	[CHAM_A_SOURCE_ADDR] = { .type = NLA_BINARY,
				 .len = sizeof(struct in6_addr) },
	[CHAM_A_SOURCE_PREFIX_LEN] = NLA_POLICY_MAX(NLA_U8, 128),
};

static const struct nla_policy cham_sources_policy[CHAM_A_SOURCES_ENTRY + 1] = {
	[CHAM_A_SOURCES_ENTRY] = NLA_POLICY_NESTED(cham_source_policy),
};

static const struct nla_policy cham_ports_policy[CHAM_A_PORTS_IFINDEX + 1] = {
	[CHAM_A_PORTS_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
};

/*
 * One policy per command (and per do or dump), as the spec lists their
 * request attributes; what a command does not take, read-only attributes
 * included, is refused by the core.
 */

/*
 * For the dumps and the get that take nothing: it admits nothing. Without
 * a policy, the core would ignore attributes instead of refusing them.
 */
static const struct nla_policy cham_no_attrs_policy[CHAM_A_TENANT_ID + 1] = {
};

static const struct nla_policy cham_tenant_new_policy[CHAM_A_TENANT_TIMERS_MAX + 1] = {
	[CHAM_A_TENANT_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &cham_tenant_id_range),
	[CHAM_A_TENANT_NAME] = { .type = NLA_NUL_STRING,
				 .len = CHAM_NAME_LEN - 1 },
	[CHAM_A_TENANT_OWNER] = { .type = NLA_U32 },
	[CHAM_A_TENANT_DEFAULT_VERDICT] =
		NLA_POLICY_MAX(NLA_U8, CHAM_VERDICT_DROP),
	[CHAM_A_TENANT_SHARE] = NLA_POLICY_RANGE(NLA_U32, 1, CHAM_SHARE_SCALE),
	[CHAM_A_TENANT_BURST_US] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &cham_burst_us_range),
	[CHAM_A_TENANT_POLICY] = NLA_POLICY_MAX(NLA_U8, __CHAM_BUDGET_MAX - 1),
	[CHAM_A_TENANT_ECN_THRESHOLD] = NLA_POLICY_MAX(NLA_U8, 100),
	[CHAM_A_TENANT_ACCOUNTING] = NLA_POLICY_MAX(NLA_U8, 1),
	[CHAM_A_TENANT_ENFORCEMENT] = NLA_POLICY_MAX(NLA_U8, 1),
	[CHAM_A_TENANT_CEILING_NS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &cham_ceiling_ns_range),
	[CHAM_A_TENANT_EJECT_AFTER] = { .type = NLA_U32 },
	[CHAM_A_TENANT_INSN_LIMIT] = { .type = NLA_U32 },
	[CHAM_A_TENANT_PUNT_QUEUE] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &cham_punt_queue_range),
	[CHAM_A_TENANT_TIMERS_MAX] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &cham_timers_max_range),
};

static const struct nla_policy cham_tenant_del_policy[CHAM_A_TENANT_NAME + 1] = {
	[CHAM_A_TENANT_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &cham_tenant_id_range),
	[CHAM_A_TENANT_NAME] = { .type = NLA_NUL_STRING,
				 .len = CHAM_NAME_LEN - 1 },
};

static const struct nla_policy cham_tenant_get_policy[CHAM_A_TENANT_NAME + 1] = {
	[CHAM_A_TENANT_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &cham_tenant_id_range),
	[CHAM_A_TENANT_NAME] = { .type = NLA_NUL_STRING,
				 .len = CHAM_NAME_LEN - 1 },
};

static const struct nla_policy cham_rule_new_policy[CHAM_A_RULE_PORT_MAX + 1] = {
	[CHAM_A_TENANT_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &cham_tenant_id_range),
	[CHAM_A_TENANT_NAME] = { .type = NLA_NUL_STRING,
				 .len = CHAM_NAME_LEN - 1 },
	[CHAM_A_RULE_FAMILY] =
		NLA_POLICY_VALIDATE_FN(NLA_U8, cham_nl_validate_family),
	[CHAM_A_RULE_DST] = { .type = NLA_BINARY,
			      .len = sizeof(struct in6_addr) },
	[CHAM_A_RULE_PREFIX_LEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[CHAM_A_RULE_L4_PROTO] = { .type = NLA_U8 },
	[CHAM_A_RULE_PORT_MIN] = { .type = NLA_U16 },
	[CHAM_A_RULE_PORT_MAX] = { .type = NLA_U16 },
};

static const struct nla_policy cham_rule_del_policy[CHAM_A_RULE_ID + 1] = {
	[CHAM_A_RULE_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

static const struct nla_policy cham_rule_get_policy[CHAM_A_RULE_ID + 1] = {
	[CHAM_A_RULE_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

static const struct nla_policy cham_port_new_policy[CHAM_A_PORT_IFINDEX + 1] = {
	[CHAM_A_PORT_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
};

static const struct nla_policy cham_port_del_policy[CHAM_A_PORT_IFINDEX + 1] = {
	[CHAM_A_PORT_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
};

static const struct nla_policy cham_stats_get_policy[CHAM_A_TENANT_NAME + 1] = {
	[CHAM_A_TENANT_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &cham_tenant_id_range),
	[CHAM_A_TENANT_NAME] = { .type = NLA_NUL_STRING,
				 .len = CHAM_NAME_LEN - 1 },
};

static const struct nla_policy cham_proto_reinstate_policy[CHAM_A_TENANT_NAME + 1] = {
	[CHAM_A_TENANT_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &cham_tenant_id_range),
	[CHAM_A_TENANT_NAME] = { .type = NLA_NUL_STRING,
				 .len = CHAM_NAME_LEN - 1 },
};

static const struct nla_policy cham_tenant_set_policy[CHAM_A_TENANT_TIMERS_MAX + 1] = {
	[CHAM_A_TENANT_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &cham_tenant_id_range),
	[CHAM_A_TENANT_NAME] = { .type = NLA_NUL_STRING,
				 .len = CHAM_NAME_LEN - 1 },
	[CHAM_A_TENANT_OWNER] = { .type = NLA_U32 },
	[CHAM_A_TENANT_SHARE] = NLA_POLICY_RANGE(NLA_U32, 1, CHAM_SHARE_SCALE),
	[CHAM_A_TENANT_BURST_US] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &cham_burst_us_range),
	[CHAM_A_TENANT_POLICY] = NLA_POLICY_MAX(NLA_U8, __CHAM_BUDGET_MAX - 1),
	[CHAM_A_TENANT_ECN_THRESHOLD] = NLA_POLICY_MAX(NLA_U8, 100),
	[CHAM_A_TENANT_ACCOUNTING] = NLA_POLICY_MAX(NLA_U8, 1),
	[CHAM_A_TENANT_ENFORCEMENT] = NLA_POLICY_MAX(NLA_U8, 1),
	[CHAM_A_TENANT_CEILING_NS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &cham_ceiling_ns_range),
	[CHAM_A_TENANT_EJECT_AFTER] = { .type = NLA_U32 },
	[CHAM_A_TENANT_INSN_LIMIT] = { .type = NLA_U32 },
	[CHAM_A_TENANT_SOURCES] = NLA_POLICY_NESTED(cham_sources_policy),
	[CHAM_A_TENANT_PORTS] = NLA_POLICY_NESTED(cham_ports_policy),
	[CHAM_A_TENANT_PUNT_QUEUE] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &cham_punt_queue_range),
	[CHAM_A_TENANT_TIMERS_MAX] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &cham_timers_max_range),
};

static const struct netlink_range_validation cham_guest_id_range = {
	.min = 1,
	.max = CHAM_GUEST_ID_MAX,
};

static const struct nla_policy cham_guest_new_policy[CHAM_A_GUEST_ADDRS + 1] = {
	[CHAM_A_TENANT_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &cham_tenant_id_range),
	[CHAM_A_TENANT_NAME] = { .type = NLA_NUL_STRING,
				 .len = CHAM_NAME_LEN - 1 },
	[CHAM_A_GUEST_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &cham_guest_id_range),
	[CHAM_A_GUEST_NAME] = { .type = NLA_NUL_STRING,
				.len = CHAM_NAME_LEN - 1 },
	[CHAM_A_GUEST_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[CHAM_A_GUEST_MAC] = NLA_POLICY_EXACT_LEN(ETH_ALEN),
	[CHAM_A_GUEST_ADDRS] = NLA_POLICY_NESTED(cham_sources_policy),
};

/* Del and get address a guest by id or name. */
static const struct nla_policy cham_guest_policy[CHAM_A_GUEST_NAME + 1] = {
	[CHAM_A_GUEST_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &cham_guest_id_range),
	[CHAM_A_GUEST_NAME] = { .type = NLA_NUL_STRING,
				.len = CHAM_NAME_LEN - 1 },
};

static const struct nla_policy cham_config_set_policy[CHAM_A_CFG_CONTENTION_US + 1] = {
	[CHAM_A_CFG_ACCOUNTING] = NLA_POLICY_MAX(NLA_U8, 1),
	[CHAM_A_CFG_ENFORCEMENT] = NLA_POLICY_MAX(NLA_U8, 1),
	[CHAM_A_CFG_CONTENTION_US] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &cham_contention_us_range),
};

/* The slow path's requests name their tenant like the admin's do. */
static const struct nla_policy cham_agent_register_policy[CHAM_A_TENANT_NAME + 1] = {
	[CHAM_A_TENANT_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &cham_tenant_id_range),
	[CHAM_A_TENANT_NAME] = { .type = NLA_NUL_STRING,
				 .len = CHAM_NAME_LEN - 1 },
};

static const struct netlink_range_validation cham_agent_frame_range = {
	.min = CHAM_AGENT_FRAME_MIN,
	.max = CHAM_AGENT_FRAME_MAX,
};

static const struct nla_policy cham_agent_inject_policy[CHAM_A_AGENT_IFINDEX + 1] = {
	[CHAM_A_TENANT_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &cham_tenant_id_range),
	[CHAM_A_TENANT_NAME] = { .type = NLA_NUL_STRING,
				 .len = CHAM_NAME_LEN - 1 },
	[CHAM_A_GUEST_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &cham_guest_id_range),
	[CHAM_A_AGENT_FRAME] =
		NLA_POLICY_FULL_RANGE(NLA_BINARY, &cham_agent_frame_range),
	[CHAM_A_AGENT_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
};

static const struct nla_policy cham_agent_msg_policy[CHAM_A_AGENT_MSG_DATA + 1] = {
	[CHAM_A_TENANT_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &cham_tenant_id_range),
	[CHAM_A_TENANT_NAME] = { .type = NLA_NUL_STRING,
				 .len = CHAM_NAME_LEN - 1 },
	[CHAM_A_AGENT_MSG_TYPE] = { .type = NLA_U32 },
	[CHAM_A_AGENT_MSG_FLOW] = { .type = NLA_U32 },
	[CHAM_A_AGENT_MSG_DATA] = { .type = NLA_BINARY,
				    .len = CHAM_AGENT_MSG_MAX },
};

enum cham_nl_mcgrp {
	CHAM_NL_MCGRP_EVENTS,
};

/* Events name tenants and their protocols: for the provider only. */
static const struct genl_multicast_group cham_nl_mcgrps[] = {
	[CHAM_NL_MCGRP_EVENTS] = { .name = CHAM_GENL_MCGRP_EVENTS,
				   .flags = GENL_MCAST_CAP_NET_ADMIN },
};

static void cham_nl_notify_rule(const struct cham_rule *rule, u8 cmd);

/* ---- common ------------------------------------------------------------ */

/* A missing attribute gets its type and a message in the extack. */
#define CHAM_NL_REQUIRE(info, attr, msg) ({				\
	struct genl_info *__cham_info = (info);				\
	bool __missing = GENL_REQ_ATTR_CHECK(__cham_info, attr);	\
									\
	if (__missing)							\
		NL_SET_ERR_MSG(__cham_info->extack, msg);		\
	__missing;							\
})

/*
 * Who is reading: CAP_NET_ADMIN sees every tenant, anyone else the tenants
 * whose owner is its effective uid. A dump decides once, in its .start,
 * for the process that asked: every part then shows the same view, and an
 * unprivileged dump loop audits one capability check per dump, not per
 * part.
 */
struct cham_nl_reader {
	bool admin;
	kuid_t uid;
	struct user_namespace *ns;	/* to show owners in */
};

static void cham_nl_reader_init(struct cham_nl_reader *reader,
				struct sk_buff *skb)
{
	reader->admin = netlink_capable(skb, CAP_NET_ADMIN);
	reader->uid = current_euid();
	reader->ns = sk_user_ns(NETLINK_CB(skb).sk);
}

/*
 * The state of a dump of tenants, rules, guests or statistics, over cb->ctx
 * (which cb->args shares): where to resume, and who reads.
 */
struct cham_nl_dump {
	unsigned long next;
	struct cham_nl_reader reader;
};

static_assert(sizeof(struct cham_nl_dump) <=
	      sizeof_field(struct netlink_callback, ctx));

static struct cham_nl_dump *cham_nl_dump(struct netlink_callback *cb)
{
	return (struct cham_nl_dump *)cb->ctx;
}

static int cham_nl_dump_start(struct netlink_callback *cb)
{
	cham_nl_reader_init(&cham_nl_dump(cb)->reader, cb->skb);
	return 0;
}

static bool cham_nl_may_read(const struct cham_nl_reader *reader,
			     const struct cham_tenant *tenant)
{
	return reader->admin || cham_tenant_owned(tenant, reader->uid);
}

/*
 * Commands address a tenant by id or by name. Under cham_config_lock for a
 * change, under rcu_read_lock() for a read; then @reader hides the tenants
 * it may not see, which are reported as missing like those that are.
 */
static struct cham_tenant *cham_nl_tenant(struct genl_info *info,
					  const struct cham_nl_reader *reader)
{
	struct nlattr **attrs = info->attrs;
	struct nlattr *id = attrs[CHAM_A_TENANT_ID];
	struct nlattr *name = attrs[CHAM_A_TENANT_NAME];
	struct cham_tenant *tenant;

	if (!id && !name) {
		NL_SET_ERR_MSG(info->extack, "tenant id or name is required");
		return ERR_PTR(-EINVAL);
	}
	tenant = cham_tenant_find(id ? nla_get_u32(id) : 0,
				  name ? nla_data(name) : NULL);
	if (tenant && id && name && strcmp(tenant->name, nla_data(name)))
		tenant = NULL;
	if (tenant && reader && !cham_nl_may_read(reader, tenant))
		tenant = NULL;
	if (!tenant) {
		NL_SET_ERR_MSG_ATTR(info->extack, id ?: name, "no such tenant");
		return ERR_PTR(-ENOENT);
	}
	return tenant;
}

static void *cham_nl_put_header(struct sk_buff *skb, u32 portid, u32 seq,
				int flags, u8 cmd)
{
	return genlmsg_put(skb, portid, seq, &cham_genl_family, flags, cmd);
}

/* A message of @size for @portid, and its header; NULL when out of memory. */
static struct sk_buff *cham_nl_msg_new(u32 portid, u32 seq, u8 cmd,
				       size_t size, gfp_t gfp, void **hdr)
{
	struct sk_buff *msg = genlmsg_new(size, gfp);

	if (!msg)
		return NULL;
	*hdr = cham_nl_put_header(msg, portid, seq, 0, cmd);
	if (!*hdr) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* The reply to a get, of @size, and its header; NULL when out of memory. */
static struct sk_buff *cham_nl_reply_new_size(struct genl_info *info, u8 cmd,
					      size_t size, void **hdr)
{
	return cham_nl_msg_new(info->snd_portid, info->snd_seq, cmd, size,
			       GFP_KERNEL, hdr);
}

static struct sk_buff *cham_nl_reply_new(struct genl_info *info, u8 cmd,
					 void **hdr)
{
	return cham_nl_reply_new_size(info, cmd, NLMSG_GOODSIZE, hdr);
}

/* Sends the reply a get filled, or drops it and returns the fill's error. */
static int cham_nl_reply_send(struct sk_buff *msg, struct genl_info *info,
			      int err)
{
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/* The header of one message of a dump, flagged if the configuration changed. */
static void *cham_nl_dump_header(struct sk_buff *skb,
				 struct netlink_callback *cb, u8 cmd)
{
	void *hdr;

	hdr = cham_nl_put_header(skb, NETLINK_CB(cb->skb).portid,
				 cb->nlh->nlmsg_seq, NLM_F_MULTI, cmd);
	if (hdr)
		genl_dump_check_consistent(cb, hdr);
	return hdr;
}

/*
 * Each part of a dump notes the configuration's sequence before it walks,
 * so that a change between two parts (or during the last) flags the next
 * message, or the final NLMSG_DONE, NLM_F_DUMP_INTR.
 */
static void cham_nl_dump_begin(struct netlink_callback *cb)
{
	cb->seq = cham_config_seq();
}

static int cham_nl_dump_end(struct sk_buff *skb, int err)
{
	return err && !skb->len ? err : skb->len;
}

/* The owner, as the reader's user namespace sees it. */
static u32 cham_nl_owner(const struct cham_tenant *tenant,
			 const struct cham_nl_reader *reader)
{
	return from_kuid_munged(reader->ns, READ_ONCE(tenant->owner));
}

/* A uid as the sender's user namespace sees it. */
static int cham_nl_parse_owner(struct sk_buff *skb, struct genl_info *info,
			       kuid_t *owner)
{
	struct nlattr *attr = info->attrs[CHAM_A_TENANT_OWNER];

	*owner = make_kuid(sk_user_ns(NETLINK_CB(skb).sk), nla_get_u32(attr));
	if (!uid_valid(*owner)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "owner is no valid uid");
		return -EINVAL;
	}
	return 0;
}

/*
 * A prefix from its family, address and length attributes (the policy has
 * checked the family): the address must be as long as the family's, the
 * prefix no longer; it defaults to the whole address.
 */
static int cham_nl_parse_prefix(struct netlink_ext_ack *extack,
				struct nlattr *family, struct nlattr *addr,
				struct nlattr *len, struct cham_prefix *prefix)
{
	unsigned int addr_len, max_prefix;
	union cham_addr given;

	memset(prefix, 0, sizeof(*prefix));
	prefix->family = nla_get_u8(family);
	addr_len = prefix->family == AF_INET ? 4 : 16;
	max_prefix = addr_len * 8;
	if (nla_len(addr) != addr_len) {
		NL_SET_ERR_MSG_ATTR(extack, addr,
				    "address length does not match the family");
		return -EINVAL;
	}
	nla_memcpy(&prefix->addr, addr, addr_len);
	prefix->prefix_len = len ? nla_get_u8(len) : max_prefix;
	if (prefix->prefix_len > max_prefix) {
		NL_SET_ERR_MSG_ATTR_FMT(extack, len,
					"prefix length %u is out of range (0..%u)",
					prefix->prefix_len, max_prefix);
		return -EINVAL;
	}
	given = prefix->addr;
	cham_prefix_make_mask(prefix);
	/* As ip route does: 10.1.2.3/8 is a typo, not 10.0.0.0/8. */
	if (memcmp(&given, &prefix->addr, addr_len)) {
		if (prefix->family == AF_INET)
			NL_SET_ERR_MSG_ATTR_FMT(extack, addr,
						"host bits set: the network is %pI4/%u",
						&prefix->addr.v4,
						prefix->prefix_len);
		else
			NL_SET_ERR_MSG_ATTR_FMT(extack, addr,
						"host bits set: the network is %pI6c/%u",
						&prefix->addr.v6,
						prefix->prefix_len);
		return -EINVAL;
	}
	return 0;
}

static int cham_nl_put_prefix(struct sk_buff *skb, int family_attr,
			      int addr_attr, int len_attr,
			      const struct cham_prefix *prefix)
{
	int addr_len = prefix->family == AF_INET ? 4 : 16;

	if (nla_put_u8(skb, family_attr, prefix->family) ||
	    nla_put(skb, addr_attr, addr_len, &prefix->addr) ||
	    nla_put_u8(skb, len_attr, prefix->prefix_len))
		return -EMSGSIZE;
	return 0;
}

/* ---- tenants ----------------------------------------------------------- */

static int cham_nl_put_limits(struct sk_buff *skb,
			      const struct cham_limits *limits)
{
	if (nla_put_u32(skb, CHAM_A_TENANT_SHARE, limits->share) ||
	    nla_put_u32(skb, CHAM_A_TENANT_BURST_US, limits->burst_us) ||
	    nla_put_u8(skb, CHAM_A_TENANT_POLICY, limits->policy) ||
	    nla_put_u8(skb, CHAM_A_TENANT_ECN_THRESHOLD,
		       limits->ecn_threshold) ||
	    nla_put_u8(skb, CHAM_A_TENANT_ACCOUNTING, limits->accounting) ||
	    nla_put_u8(skb, CHAM_A_TENANT_ENFORCEMENT, limits->enforcement) ||
	    nla_put_u32(skb, CHAM_A_TENANT_CEILING_NS, limits->ceiling_ns) ||
	    nla_put_u32(skb, CHAM_A_TENANT_EJECT_AFTER, limits->eject_after) ||
	    nla_put_u32(skb, CHAM_A_TENANT_INSN_LIMIT, limits->insn_limit))
		return -EMSGSIZE;
	return 0;
}

/* A list of prefixes (a tenant's sources, a guest's addresses), maybe empty. */
static int cham_nl_put_prefixes(struct sk_buff *skb, int attr,
				const struct cham_prefix *prefixes, u32 count)
{
	struct nlattr *nest, *entry;
	u32 i;

	nest = nla_nest_start(skb, attr);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < count; i++) {
		entry = nla_nest_start(skb, CHAM_A_SOURCES_ENTRY);
		if (!entry ||
		    cham_nl_put_prefix(skb, CHAM_A_SOURCE_FAMILY,
				       CHAM_A_SOURCE_ADDR,
				       CHAM_A_SOURCE_PREFIX_LEN, &prefixes[i]))
			return -EMSGSIZE;
		nla_nest_end(skb, entry);
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* The admin-given sources and ports; empty nests when there are none. */
static int cham_nl_put_egress(struct sk_buff *skb,
			      const struct cham_egress *egress)
{
	struct nlattr *nest;
	u32 i;

	if (cham_nl_put_prefixes(skb, CHAM_A_TENANT_SOURCES, egress->sources,
				 egress->nr_sources))
		return -EMSGSIZE;

	nest = nla_nest_start(skb, CHAM_A_TENANT_PORTS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < egress->nr_ports; i++) {
		u32 ifindex = READ_ONCE(egress->ports[i]);

		/* 0: the port went away (cham_tenants_forget_port()). */
		if (ifindex &&
		    nla_put_u32(skb, CHAM_A_PORTS_IFINDEX, ifindex))
			return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * A protocol nest (@attr): its identity and, for the protocol @tenant's
 * link binds (@bound), the link, whether it was ejected and, per handler,
 * its program and size. Under rcu_read_lock() or the config lock.
 */
static int cham_nl_put_proto(struct sk_buff *skb, int attr,
			     const struct cham_tenant *tenant,
			     const struct cham_proto_ops *ops, bool bound)
{
	const struct bpf_link *link = READ_ONCE(tenant->proto_link);
	u32 link_id = link ? READ_ONCE(link->id) : 0;
	struct nlattr *nest, *handler;
	int i;

	nest = nla_nest_start(skb, attr);
	if (!nest ||
	    nla_put_string(skb, CHAM_A_PROTO_NAME, ops->name) ||
	    nla_put_u32(skb, CHAM_A_PROTO_FLAGS, ops->flags) ||
	    nla_put_u32(skb, CHAM_A_PROTO_GENERATION, ops->generation))
		return -EMSGSIZE;
	/*
	 * No id yet: the link's creation has not settled (proto.c). One
	 * link per tenant: what it binds is ejected when nothing runs.
	 */
	if (bound &&
	    ((link_id && nla_put_u32(skb, CHAM_A_PROTO_LINK_ID, link_id)) ||
	     nla_put_u8(skb, CHAM_A_PROTO_EJECTED,
			!rcu_access_pointer(tenant->ops))))
		return -EMSGSIZE;
	for (i = 0; bound && i < __CHAM_PROTO_HANDLER_MAX; i++) {
		if (!ops->prog_id[i])
			continue;
		handler = nla_nest_start(skb, CHAM_A_PROTO_HANDLER);
		if (!handler ||
		    nla_put_u32(skb, CHAM_A_HANDLER_INDEX, i) ||
		    nla_put_string(skb, CHAM_A_HANDLER_NAME,
				   cham_proto_handler_names[i]) ||
		    nla_put_u32(skb, CHAM_A_HANDLER_PROG_ID, ops->prog_id[i]) ||
		    nla_put_u32(skb, CHAM_A_HANDLER_VERIFIED_INSNS,
				ops->verified_insns[i]))
			return -EMSGSIZE;
		nla_nest_end(skb, handler);
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * Under rcu_read_lock(): the tenant, its limits, its egress settings and
 * its protocol instance are all freed only after a grace period.
 */
static int cham_nl_fill_tenant(struct sk_buff *skb, struct cham_tenant *tenant,
			       const struct cham_nl_reader *reader, void *hdr)
{
	const struct cham_proto_ops *bound;

	if (nla_put_u32(skb, CHAM_A_TENANT_ID, tenant->id) ||
	    nla_put_string(skb, CHAM_A_TENANT_NAME, tenant->name) ||
	    (uid_valid(READ_ONCE(tenant->owner)) &&
	     nla_put_u32(skb, CHAM_A_TENANT_OWNER,
			 cham_nl_owner(tenant, reader))) ||
	    nla_put_u8(skb, CHAM_A_TENANT_DEFAULT_VERDICT,
		       tenant->default_verdict) ||
	    cham_nl_put_limits(skb, rcu_dereference(tenant->limits)) ||
	    nla_put_u32(skb, CHAM_A_TENANT_EJECTIONS,
			atomic_read(&tenant->ejections)) ||
	    cham_nl_put_egress(skb, rcu_dereference(tenant->egress)) ||
	    nla_put_u32(skb, CHAM_A_TENANT_PUNT_QUEUE,
			READ_ONCE(tenant->punt_queue_max)) ||
	    nla_put_u32(skb, CHAM_A_TENANT_TIMERS_MAX,
			READ_ONCE(tenant->timers_max)) ||
	    nla_put_u32(skb, CHAM_A_TENANT_TIMERS_ARMED,
			atomic_read(&tenant->timers_armed)) ||
	    nla_put_u32(skb, CHAM_A_TENANT_AGENT_PORTID,
			cham_agent_portid(tenant)))
		goto cancel;

	/*
	 * What the tenant's link binds, ejected or not: the instance lives
	 * as long as the link, and its map is freed after a grace period.
	 */
	bound = smp_load_acquire(&tenant->proto_bound);
	if (bound &&
	    (nla_put_u32(skb, CHAM_A_TENANT_VIOLATIONS,
			 atomic_read(&bound->violations)) ||
	     cham_nl_put_proto(skb, CHAM_A_TENANT_PROTO, tenant, bound, true)))
		goto cancel;
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/*
 * Applies the time-protection knobs present in @info to @limits. Returns
 * how many there were; the policy has checked each value.
 */
static const int cham_nl_limit_attrs[] = {
	CHAM_A_TENANT_SHARE, CHAM_A_TENANT_BURST_US, CHAM_A_TENANT_POLICY,
	CHAM_A_TENANT_ECN_THRESHOLD, CHAM_A_TENANT_ACCOUNTING,
	CHAM_A_TENANT_ENFORCEMENT, CHAM_A_TENANT_CEILING_NS,
	CHAM_A_TENANT_EJECT_AFTER, CHAM_A_TENANT_INSN_LIMIT,
};

static int cham_nl_count_limits(struct genl_info *info)
{
	int i, n = 0;

	for (i = 0; i < ARRAY_SIZE(cham_nl_limit_attrs); i++)
		n += !!info->attrs[cham_nl_limit_attrs[i]];
	return n;
}

static void cham_nl_parse_limits(struct genl_info *info,
				 struct cham_limits *limits)
{
	struct nlattr **attrs = info->attrs;

	if (attrs[CHAM_A_TENANT_SHARE])
		limits->share = nla_get_u32(attrs[CHAM_A_TENANT_SHARE]);
	if (attrs[CHAM_A_TENANT_BURST_US])
		limits->burst_us = nla_get_u32(attrs[CHAM_A_TENANT_BURST_US]);
	if (attrs[CHAM_A_TENANT_POLICY])
		limits->policy = nla_get_u8(attrs[CHAM_A_TENANT_POLICY]);
	if (attrs[CHAM_A_TENANT_ECN_THRESHOLD])
		limits->ecn_threshold =
			nla_get_u8(attrs[CHAM_A_TENANT_ECN_THRESHOLD]);
	if (attrs[CHAM_A_TENANT_ACCOUNTING])
		limits->accounting = nla_get_u8(attrs[CHAM_A_TENANT_ACCOUNTING]);
	if (attrs[CHAM_A_TENANT_ENFORCEMENT])
		limits->enforcement =
			nla_get_u8(attrs[CHAM_A_TENANT_ENFORCEMENT]);
	if (attrs[CHAM_A_TENANT_CEILING_NS])
		limits->ceiling_ns = nla_get_u32(attrs[CHAM_A_TENANT_CEILING_NS]);
	if (attrs[CHAM_A_TENANT_EJECT_AFTER])
		limits->eject_after =
			nla_get_u32(attrs[CHAM_A_TENANT_EJECT_AFTER]);
	if (attrs[CHAM_A_TENANT_INSN_LIMIT])
		limits->insn_limit = nla_get_u32(attrs[CHAM_A_TENANT_INSN_LIMIT]);
	cham_limits_derive(limits);
}

/* Lists are short: too long is refused before any entry is looked at. */
static int cham_nl_check_count(struct genl_info *info, struct nlattr *nest,
			       u32 max, const char *what)
{
	struct nlattr *attr;
	u32 n = 0;
	int rem;

	nla_for_each_nested(attr, nest, rem)
		n++;
	if (n <= max)
		return 0;
	NL_SET_ERR_MSG_FMT(info->extack, "%u %s, at most %u are allowed", n,
			   what, max);
	NL_SET_BAD_ATTR(info->extack, nest);
	return -E2BIG;
}

/*
 * A list of prefixes (CHAM_A_SOURCES_ENTRY nests) into @prefixes, at most
 * @max of them; *@count is how many.
 */
static int cham_nl_parse_prefixes(struct genl_info *info, struct nlattr *nest,
				  struct cham_prefix *prefixes, u32 max,
				  u32 *count, const char *what)
{
	struct nlattr *tb[CHAM_A_SOURCE_MAX + 1], *entry;
	u32 n = 0;
	int rem, err;

	err = cham_nl_check_count(info, nest, max, what);
	if (err)
		return err;
	nla_for_each_nested(entry, nest, rem) {
		err = nla_parse_nested(tb, CHAM_A_SOURCE_MAX, entry,
				       cham_source_policy, info->extack);
		if (err)
			return err;
		if (NL_REQ_ATTR_CHECK(info->extack, entry, tb,
				      CHAM_A_SOURCE_FAMILY)) {
			NL_SET_ERR_MSG(info->extack,
				       "source address family is required");
			return -EINVAL;
		}
		if (NL_REQ_ATTR_CHECK(info->extack, entry, tb,
				      CHAM_A_SOURCE_ADDR)) {
			NL_SET_ERR_MSG(info->extack,
				       "source address is required");
			return -EINVAL;
		}
		err = cham_nl_parse_prefix(info->extack,
					   tb[CHAM_A_SOURCE_FAMILY],
					   tb[CHAM_A_SOURCE_ADDR],
					   tb[CHAM_A_SOURCE_PREFIX_LEN],
					   &prefixes[n]);
		if (err)
			return err;
		n++;
	}
	*count = n;
	return 0;
}

/* Replaces egress->sources with the entries of @nest. */
static int cham_nl_parse_sources(struct genl_info *info, struct nlattr *nest,
				 struct cham_egress *egress)
{
	return cham_nl_parse_prefixes(info, nest, egress->sources,
				      CHAM_TENANT_SOURCES_MAX,
				      &egress->nr_sources, "source prefixes");
}

/* Replaces egress->ports: each must be a port now. Under the config lock. */
static int cham_nl_parse_ports(struct genl_info *info, struct nlattr *nest,
			       struct cham_egress *egress)
{
	struct nlattr *attr;
	u32 n = 0;
	int rem, err;

	err = cham_nl_check_count(info, nest, CHAM_TENANT_PORTS_MAX, "ports");
	if (err)
		return err;
	nla_for_each_nested(attr, nest, rem) {
		if (!cham_port_exists(nla_get_u32(attr))) {
			NL_SET_ERR_MSG_ATTR(info->extack, attr,
					    "interface is not a Chamelio port");
			return -ENODEV;
		}
		egress->ports[n++] = nla_get_u32(attr);
	}
	egress->nr_ports = n;
	return 0;
}

/* The slow-path knobs present in @info; the policy checked each value. */
static int cham_nl_parse_slowpath(struct genl_info *info,
				  struct cham_tenant *tenant)
{
	struct nlattr *queue = info->attrs[CHAM_A_TENANT_PUNT_QUEUE];
	struct nlattr *timers = info->attrs[CHAM_A_TENANT_TIMERS_MAX];

	if (tenant && queue)
		WRITE_ONCE(tenant->punt_queue_max, nla_get_u32(queue));
	if (tenant && timers)
		WRITE_ONCE(tenant->timers_max, nla_get_u32(timers));
	return !!queue + !!timers;
}

static int cham_nl_tenant_new(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	u8 default_verdict = CHAM_VERDICT_PASS;
	struct cham_limits limits;
	/* No owner: only the admin binds a protocol or reads the tenant. */
	kuid_t owner = INVALID_UID;
	int err;
	u32 id;

	if (CHAM_NL_REQUIRE(info, CHAM_A_TENANT_ID, "tenant id is required") ||
	    CHAM_NL_REQUIRE(info, CHAM_A_TENANT_NAME, "tenant name is required"))
		return -EINVAL;
	if (!cham_tenant_name_valid(nla_data(attrs[CHAM_A_TENANT_NAME]))) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[CHAM_A_TENANT_NAME],
				    "tenant name must be letters, digits, '_' or '-', and not all digits");
		return -EINVAL;
	}
	if (attrs[CHAM_A_TENANT_OWNER]) {
		err = cham_nl_parse_owner(skb, info, &owner);
		if (err)
			return err;
	}
	if (attrs[CHAM_A_TENANT_DEFAULT_VERDICT])
		default_verdict = nla_get_u8(attrs[CHAM_A_TENANT_DEFAULT_VERDICT]);
	cham_limits_init(&limits);
	cham_nl_parse_limits(info, &limits);

	mutex_lock(&cham_config_lock);
	id = nla_get_u32(attrs[CHAM_A_TENANT_ID]);
	err = cham_tenant_add(id, nla_data(attrs[CHAM_A_TENANT_NAME]), owner,
			      default_verdict, &limits, info->extack);
	if (!err) {
		struct cham_tenant *tenant = cham_tenant_find(id, NULL);

		cham_nl_parse_slowpath(info, tenant);
		cham_netlink_notify_tenant(tenant, CHAM_CMD_TENANT_ADD_NTF);
	}
	mutex_unlock(&cham_config_lock);
	return err;
}

/*
 * Changes a tenant's time protection, owner, sources or ports; what is not
 * given stays. Everything is checked before anything changes.
 */
static int cham_nl_tenant_set(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *sources = info->attrs[CHAM_A_TENANT_SOURCES];
	struct nlattr *ports = info->attrs[CHAM_A_TENANT_PORTS];
	bool set_owner = !!info->attrs[CHAM_A_TENANT_OWNER];
	int knobs = cham_nl_count_limits(info);
	int slowpath = cham_nl_parse_slowpath(info, NULL);
	struct cham_limits *limits = NULL;
	struct cham_egress *egress = NULL;
	struct cham_tenant *tenant;
	kuid_t owner;
	int err = 0;

	if (!knobs && !set_owner && !sources && !ports && !slowpath) {
		NL_SET_ERR_MSG(info->extack,
			       "nothing to change: give a share, burst, policy, owner, sources, ports, punt queue, ...");
		return -EINVAL;
	}
	if (set_owner) {
		err = cham_nl_parse_owner(skb, info, &owner);
		if (err)
			return err;
	}

	mutex_lock(&cham_config_lock);
	tenant = cham_nl_tenant(info, NULL);
	if (IS_ERR(tenant)) {
		err = PTR_ERR(tenant);
		goto out;
	}
	/*
	 * The guests' maps are pinned for the owner (chamctl guest add):
	 * a new owner would leave the old one able to attach to them.
	 */
	if (set_owner && !uid_eq(owner, tenant->owner) &&
	    !list_empty(&tenant->guests)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[CHAM_A_TENANT_OWNER],
				    "the tenant has guests: delete them before changing its owner");
		err = -EBUSY;
		goto out;
	}
	if (knobs) {
		limits = kmemdup(cham_config_dereference(tenant->limits),
				 sizeof(*limits), GFP_KERNEL);
		if (!limits) {
			err = -ENOMEM;
			goto out;
		}
		cham_nl_parse_limits(info, limits);
	}
	if (sources || ports) {
		egress = kmemdup(cham_config_dereference(tenant->egress),
				 sizeof(*egress), GFP_KERNEL);
		if (!egress) {
			err = -ENOMEM;
			goto out;
		}
		err = sources ? cham_nl_parse_sources(info, sources, egress) : 0;
		if (!err && ports)
			err = cham_nl_parse_ports(info, ports, egress);
		if (err)
			goto out;
	}

	if (limits)
		cham_tenant_set_limits(tenant, limits);
	if (egress)
		cham_tenant_set_egress(tenant, egress);
	if (set_owner && !uid_eq(owner, tenant->owner)) {
		/* The old owner's agent must not see the new owner's traffic. */
		cham_agent_unregister(tenant);
		cham_tenant_set_owner(tenant, owner);
	}
	cham_nl_parse_slowpath(info, tenant);
	cham_netlink_notify_tenant(tenant, CHAM_CMD_TENANT_CHANGE_NTF);
	limits = NULL;
	egress = NULL;
out:
	mutex_unlock(&cham_config_lock);
	kfree(egress);
	kfree(limits);
	return err;
}

static int cham_nl_tenant_del(struct sk_buff *skb, struct genl_info *info)
{
	struct cham_tenant *tenant;
	int err;

	mutex_lock(&cham_config_lock);
	tenant = cham_nl_tenant(info, NULL);
	err = IS_ERR(tenant) ? PTR_ERR(tenant) : cham_tenant_del(tenant);
	mutex_unlock(&cham_config_lock);
	if (err == -ENOMEM)
		NL_SET_ERR_MSG(info->extack,
			       "out of memory for the rule table without the tenant's rules");
	if (err == -EBUSY)
		NL_SET_ERR_MSG(info->extack,
			       "the tenant has guests: delete them first");
	return err;
}

static int cham_nl_tenant_get(struct sk_buff *skb, struct genl_info *info)
{
	struct cham_nl_reader reader;
	struct cham_tenant *tenant;
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = cham_nl_reply_new(info, CHAM_CMD_TENANT_GET, &hdr);
	if (!msg)
		return -ENOMEM;
	cham_nl_reader_init(&reader, skb);
	rcu_read_lock();
	tenant = cham_nl_tenant(info, &reader);
	err = IS_ERR(tenant) ? PTR_ERR(tenant) :
	      cham_nl_fill_tenant(msg, tenant, &reader, hdr);
	rcu_read_unlock();
	return cham_nl_reply_send(msg, info, err);
}

/* Dumps resume from dump->next, the next tenant id (or the last rule id). */
static int cham_nl_tenant_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct cham_nl_dump *dump = cham_nl_dump(cb);
	const struct cham_nl_reader *reader = &dump->reader;
	unsigned long id = dump->next;
	struct cham_tenant *tenant;
	int err = 0;
	void *hdr;

	cham_nl_dump_begin(cb);
	rcu_read_lock();
	while ((tenant = cham_tenant_next(&id))) {
		if (!cham_nl_may_read(reader, tenant))
			continue;
		hdr = cham_nl_dump_header(skb, cb, CHAM_CMD_TENANT_GET);
		err = hdr ? cham_nl_fill_tenant(skb, tenant, reader, hdr) :
		      -EMSGSIZE;
		if (err)
			break;
		dump->next = id;
	}
	rcu_read_unlock();
	return cham_nl_dump_end(skb, err);
}

/* ---- rules ------------------------------------------------------------- */

/* Under the config lock or rcu_read_lock(), which keep rule->tenant. */
static int cham_nl_fill_rule(struct sk_buff *skb, const struct cham_rule *rule,
			     void *hdr)
{
	if (nla_put_u32(skb, CHAM_A_RULE_ID, rule->id) ||
	    nla_put_u32(skb, CHAM_A_TENANT_ID, rule->tenant->id) ||
	    nla_put_string(skb, CHAM_A_TENANT_NAME, rule->tenant->name) ||
	    cham_nl_put_prefix(skb, CHAM_A_RULE_FAMILY, CHAM_A_RULE_DST,
			       CHAM_A_RULE_PREFIX_LEN, &rule->dst) ||
	    nla_put_u8(skb, CHAM_A_RULE_L4_PROTO, rule->l4_proto) ||
	    nla_put_u16(skb, CHAM_A_RULE_PORT_MIN, rule->port_min) ||
	    nla_put_u16(skb, CHAM_A_RULE_PORT_MAX, rule->port_max)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* Protocol 0 is any protocol, of which those with ports can match ports. */
static bool cham_l4_has_ports(u8 l4_proto)
{
	return !l4_proto || l4_proto == IPPROTO_UDP || l4_proto == IPPROTO_TCP ||
	       l4_proto == IPPROTO_SCTP;
}

static int cham_nl_parse_rule(struct genl_info *info, struct cham_rule *rule)
{
	struct nlattr **attrs = info->attrs;
	int err;

	if (CHAM_NL_REQUIRE(info, CHAM_A_RULE_FAMILY, "address family is required") ||
	    CHAM_NL_REQUIRE(info, CHAM_A_RULE_DST, "destination is required"))
		return -EINVAL;
	memset(rule, 0, sizeof(*rule));
	err = cham_nl_parse_prefix(info->extack, attrs[CHAM_A_RULE_FAMILY],
				   attrs[CHAM_A_RULE_DST],
				   attrs[CHAM_A_RULE_PREFIX_LEN], &rule->dst);
	if (err)
		return err;
	if (attrs[CHAM_A_RULE_L4_PROTO])
		rule->l4_proto = nla_get_u8(attrs[CHAM_A_RULE_L4_PROTO]);

	rule->port_min = 0;
	rule->port_max = U16_MAX;
	if (attrs[CHAM_A_RULE_PORT_MIN])
		rule->port_min = nla_get_u16(attrs[CHAM_A_RULE_PORT_MIN]);
	if (attrs[CHAM_A_RULE_PORT_MAX])
		rule->port_max = nla_get_u16(attrs[CHAM_A_RULE_PORT_MAX]);
	else if (attrs[CHAM_A_RULE_PORT_MIN])
		rule->port_max = rule->port_min;
	if (rule->port_min > rule->port_max) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[CHAM_A_RULE_PORT_MAX],
				    "port range is empty");
		return -EINVAL;
	}
	if (!cham_l4_has_ports(rule->l4_proto) &&
	    (rule->port_min || rule->port_max != U16_MAX)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[CHAM_A_RULE_L4_PROTO],
				    "this transport protocol has no ports");
		return -EINVAL;
	}
	return 0;
}

static int cham_nl_rule_new(struct sk_buff *skb, struct genl_info *info)
{
	struct cham_tenant *tenant;
	struct cham_rule rule;
	struct sk_buff *msg;
	void *hdr;
	int err;

	err = cham_nl_parse_rule(info, &rule);
	if (err)
		return err;

	msg = cham_nl_reply_new(info, CHAM_CMD_RULE_NEW, &hdr);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&cham_config_lock);
	tenant = cham_nl_tenant(info, NULL);
	if (IS_ERR(tenant)) {
		err = PTR_ERR(tenant);
		goto out;
	}
	rule.tenant = tenant;
	err = cham_rule_add(&rule, info->extack);
	/* One rule always fits: the rule is in place, report success. */
	if (!err) {
		WARN_ON_ONCE(cham_nl_fill_rule(msg, &rule, hdr));
		cham_nl_notify_rule(&rule, CHAM_CMD_RULE_ADD_NTF);
	} else if (err == -ENOMEM) {
		NL_SET_ERR_MSG(info->extack,
			       "out of memory for a rule table with the rule");
	}
out:
	mutex_unlock(&cham_config_lock);
	/* The reply tells the admin the id the kernel gave the rule. */
	return cham_nl_reply_send(msg, info, err);
}

static int cham_nl_rule_del(struct sk_buff *skb, struct genl_info *info)
{
	struct cham_rule rule;
	int err = -ENOENT;
	u32 id;

	if (CHAM_NL_REQUIRE(info, CHAM_A_RULE_ID, "rule id is required"))
		return -EINVAL;
	id = nla_get_u32(info->attrs[CHAM_A_RULE_ID]);
	mutex_lock(&cham_config_lock);
	/* The lock keeps rule.tenant until the notification is sent. */
	if (cham_rule_find(id, &rule))
		err = cham_rule_del(id);
	if (!err)
		cham_nl_notify_rule(&rule, CHAM_CMD_RULE_DEL_NTF);
	mutex_unlock(&cham_config_lock);
	if (err == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[CHAM_A_RULE_ID],
				    "no such rule");
	else if (err == -ENOMEM)
		NL_SET_ERR_MSG(info->extack,
			       "out of memory for the rule table without the rule");
	return err;
}

static int cham_nl_rule_get(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *id = info->attrs[CHAM_A_RULE_ID];
	struct cham_nl_reader reader;
	struct cham_rule rule;
	struct sk_buff *msg;
	int err = -ENOENT;
	void *hdr;

	if (CHAM_NL_REQUIRE(info, CHAM_A_RULE_ID, "rule id is required"))
		return -EINVAL;
	msg = cham_nl_reply_new(info, CHAM_CMD_RULE_GET, &hdr);
	if (!msg)
		return -ENOMEM;
	cham_nl_reader_init(&reader, skb);
	rcu_read_lock();
	if (cham_rule_find(nla_get_u32(id), &rule) &&
	    cham_nl_may_read(&reader, rule.tenant))
		err = cham_nl_fill_rule(msg, &rule, hdr);
	rcu_read_unlock();
	if (err == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, id, "no such rule");
	return cham_nl_reply_send(msg, info, err);
}

/*
 * Resumes after the last rule id sent, not at an index: rules deleted
 * between two parts of the dump shift the table. Ids only grow, and the
 * table keeps them in order. A table replaced during the walk can make it
 * miss a rule; the sequence check then flags the dump.
 */
static int cham_nl_rule_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct cham_nl_dump *dump = cham_nl_dump(cb);
	const struct cham_nl_reader *reader = &dump->reader;
	struct cham_rule rule;
	unsigned int index;
	int err = 0;
	void *hdr;

	cham_nl_dump_begin(cb);
	rcu_read_lock();
	for (index = 0; cham_rule_get(index, &rule); index++) {
		if (rule.id <= dump->next ||
		    !cham_nl_may_read(reader, rule.tenant))
			continue;
		hdr = cham_nl_dump_header(skb, cb, CHAM_CMD_RULE_GET);
		err = hdr ? cham_nl_fill_rule(skb, &rule, hdr) : -EMSGSIZE;
		if (err)
			break;
		dump->next = rule.id;
	}
	rcu_read_unlock();
	return cham_nl_dump_end(skb, err);
}

/* ---- ports ------------------------------------------------------------- */

static int cham_nl_port_new(struct sk_buff *skb, struct genl_info *info)
{
	int err;

	if (CHAM_NL_REQUIRE(info, CHAM_A_PORT_IFINDEX,
			    "interface index is required"))
		return -EINVAL;
	rtnl_lock();
	mutex_lock(&cham_config_lock);
	err = cham_port_add(genl_info_net(info),
			    nla_get_u32(info->attrs[CHAM_A_PORT_IFINDEX]),
			    info->extack);
	mutex_unlock(&cham_config_lock);
	rtnl_unlock();
	return err;
}

static int cham_nl_port_del(struct sk_buff *skb, struct genl_info *info)
{
	int err;

	if (CHAM_NL_REQUIRE(info, CHAM_A_PORT_IFINDEX,
			    "interface index is required"))
		return -EINVAL;
	mutex_lock(&cham_config_lock);
	err = cham_port_del(nla_get_u32(info->attrs[CHAM_A_PORT_IFINDEX]));
	mutex_unlock(&cham_config_lock);
	if (err == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[CHAM_A_PORT_IFINDEX],
				    "interface is not a Chamelio port");
	return err;
}

static int cham_nl_fill_port(struct sk_buff *skb, u32 ifindex,
			     const char *ifname, void *hdr)
{
	if (nla_put_u32(skb, CHAM_A_PORT_IFINDEX, ifindex) ||
	    nla_put_string(skb, CHAM_A_PORT_IFNAME, ifname)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* Readable by all: the ports are the provider's, not a tenant's. */
static int cham_nl_port_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	unsigned long ifindex = cb->args[0];
	char ifname[IFNAMSIZ];
	int err = 0;
	void *hdr;

	cham_nl_dump_begin(cb);
	rcu_read_lock();
	for (; cham_port_next(&ifindex, ifname); ifindex++) {
		hdr = cham_nl_dump_header(skb, cb, CHAM_CMD_PORT_GET);
		err = hdr ? cham_nl_fill_port(skb, ifindex, ifname, hdr) :
		      -EMSGSIZE;
		if (err)
			break;
	}
	rcu_read_unlock();
	cb->args[0] = ifindex;
	return cham_nl_dump_end(skb, err);
}

/* ---- statistics -------------------------------------------------------- */

static int cham_nl_put_counters(struct sk_buff *skb, int attr,
				const u64 *counters, int count)
{
	struct nlattr *nest;
	int i;

	nest = nla_nest_start(skb, attr);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < count; i++)
		if (nla_put_u64_64bit(skb, i + CHAM_COUNTER_BASE, counters[i],
				      CHAM_COUNTER_PAD))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* A CHAM_A_STAT_* nest of counters folded over the CPUs. */
static int cham_nl_put_slowpath_stats(struct sk_buff *skb,
				      const struct cham_stats *stats)
{
	const struct {
		int attr;
		u64 value;
	} counters[] = {
		{ CHAM_A_STAT_PUNT_DELIVERED, stats->punt_delivered },
		{ CHAM_A_STAT_PUNT_LOST, stats->punt_lost },
		{ CHAM_A_STAT_PUNT_CYCLES, stats->punt_cycles },
		{ CHAM_A_STAT_EVENTS_DELIVERED, stats->events_delivered },
		{ CHAM_A_STAT_EVENTS_LOST, stats->events_lost },
		{ CHAM_A_STAT_TIMER_CALLS, stats->timer_calls },
		{ CHAM_A_STAT_TIMER_CYCLES, stats->timer_cycles },
		{ CHAM_A_STAT_MSG_CALLS, stats->msg_calls },
		{ CHAM_A_STAT_MSG_CYCLES, stats->msg_cycles },
		{ CHAM_A_STAT_INJECTED, stats->injected },
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(counters); i++)
		if (nla_put_u64_64bit(skb, counters[i].attr, counters[i].value,
				      CHAM_A_STAT_PAD))
			return -EMSGSIZE;
	return 0;
}

/*
 * The latency histogram: its buckets that counted packets, each folded
 * over the CPUs as it is sent, with its bound converted to nanoseconds.
 */
static int cham_nl_put_latency(struct sk_buff *skb,
			       const struct cham_stats __percpu *pcpu)
{
	struct nlattr *nest, *bucket;
	unsigned int i;
	u64 count, limit;

	nest = nla_nest_start(skb, CHAM_A_STAT_LATENCY);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < CHAM_LAT_BUCKETS; i++) {
		count = cham_lat_fold(pcpu, i);
		if (!count)
			continue;
		limit = cham_lat_bucket_limit(i);
		bucket = nla_nest_start(skb, CHAM_A_LATENCY_BUCKET);
		if (!bucket ||
		    (limit &&
		     nla_put_u64_64bit(skb, CHAM_A_LAT_BUCKET_LE_NS,
				       cham_cycles_to_ns(limit),
				       CHAM_A_LAT_BUCKET_PAD)) ||
		    nla_put_u64_64bit(skb, CHAM_A_LAT_BUCKET_COUNT, count,
				      CHAM_A_LAT_BUCKET_PAD))
			return -EMSGSIZE;
		nla_nest_end(skb, bucket);
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* The most a latency nest takes: every bucket counted packets. */
#define CHAM_NL_LATENCY_SIZE						\
	(nla_total_size(0) +						\
	 CHAM_LAT_BUCKETS * (nla_total_size(0) +			\
			     2 * nla_total_size_64bit(sizeof(u64))))
/* A tenant's statistics message: the counters, and the histogram. */
#define CHAM_NL_STATS_SIZE	(NLMSG_GOODSIZE + CHAM_NL_LATENCY_SIZE)

/* @latency: a tenant's, with its histogram; a guest's have none. */
static int cham_nl_put_stats(struct sk_buff *skb, int attr,
			     const struct cham_stats __percpu *pcpu,
			     bool latency)
{
	struct cham_stats stats;
	struct nlattr *nest;
	u64 now;

	now = get_cycles();
	cham_stats_fold(pcpu, &stats);
	nest = nla_nest_start(skb, attr);
	if (!nest ||
	    nla_put_u64_64bit(skb, CHAM_A_STAT_PACKETS, stats.packets,
			      CHAM_A_STAT_PAD) ||
	    nla_put_u64_64bit(skb, CHAM_A_STAT_BYTES, stats.bytes,
			      CHAM_A_STAT_PAD) ||
	    cham_nl_put_counters(skb, CHAM_A_STAT_VERDICTS, stats.verdicts,
				 __CHAM_VERDICT_MAX) ||
	    cham_nl_put_counters(skb, CHAM_A_STAT_DROPS, stats.drops,
				 __CHAM_DROP_MAX) ||
	    cham_nl_put_counters(skb, CHAM_A_STAT_PARSE_ERRORS,
				 stats.parse_errors, __CHAM_PARSE_MAX) ||
	    nla_put_u64_64bit(skb, CHAM_A_STAT_HANDLER_CALLS,
			      stats.handler_calls, CHAM_A_STAT_PAD) ||
	    nla_put_u64_64bit(skb, CHAM_A_STAT_HANDLER_CYCLES,
			      stats.handler_cycles, CHAM_A_STAT_PAD) ||
	    nla_put_u64_64bit(skb, CHAM_A_STAT_HANDLER_MAX_CYCLES,
			      stats.handler_max_cycles, CHAM_A_STAT_PAD) ||
	    nla_put_u64_64bit(skb, CHAM_A_STAT_INFRA_CYCLES,
			      stats.infra_cycles, CHAM_A_STAT_PAD) ||
	    nla_put_u64_64bit(skb, CHAM_A_STAT_ECN_MARKS, stats.ecn_marks,
			      CHAM_A_STAT_PAD) ||
	    nla_put_u64_64bit(skb, CHAM_A_STAT_CEILING_VIOLATIONS,
			      stats.ceiling_violations, CHAM_A_STAT_PAD) ||
	    nla_put_u64_64bit(skb, CHAM_A_STAT_TIMESTAMP, now,
			      CHAM_A_STAT_PAD) ||
	    cham_nl_put_slowpath_stats(skb, &stats) ||
	    (latency && cham_nl_put_latency(skb, pcpu)))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * The unclassified pseudo-tenant (id 0) has statistics, but no limits and
 * no latency histogram. Under rcu_read_lock() for a tenant's.
 */
static int cham_nl_fill_stats(struct sk_buff *skb, u32 id, const char *name,
			      const struct cham_stats __percpu *pcpu,
			      const struct cham_limits *limits, void *hdr)
{
	if (nla_put_u32(skb, CHAM_A_TENANT_ID, id) ||
	    nla_put_string(skb, CHAM_A_TENANT_NAME, name))
		goto cancel;
	if (limits &&
	    (nla_put_u32(skb, CHAM_A_TENANT_SHARE, limits->share) ||
	     nla_put_u32(skb, CHAM_A_TENANT_BURST_US, limits->burst_us)))
		goto cancel;
	if (cham_nl_put_stats(skb, CHAM_A_STATS, pcpu, id != 0))
		goto cancel;
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

#define CHAM_UNCLASSIFIED_NAME	"(unclassified)"

static int cham_nl_stats_get(struct sk_buff *skb, struct genl_info *info)
{
	struct cham_nl_reader reader;
	struct cham_tenant *tenant;
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = cham_nl_reply_new_size(info, CHAM_CMD_STATS_GET,
				     CHAM_NL_STATS_SIZE, &hdr);
	if (!msg)
		return -ENOMEM;
	cham_nl_reader_init(&reader, skb);
	rcu_read_lock();
	tenant = cham_nl_tenant(info, &reader);
	err = IS_ERR(tenant) ? PTR_ERR(tenant) :
	      cham_nl_fill_stats(msg, tenant->id, tenant->name, tenant->stats,
				 rcu_dereference(tenant->limits), hdr);
	rcu_read_unlock();
	return cham_nl_reply_send(msg, info, err);
}

/* Every message of the dump has room for a whole tenant's statistics. */
static int cham_nl_stats_dump_start(struct netlink_callback *cb)
{
	cb->min_dump_alloc = CHAM_NL_STATS_SIZE;
	return cham_nl_dump_start(cb);
}

/*
 * The unclassified pseudo-tenant comes first, as id 0, for CAP_NET_ADMIN
 * only: its traffic is nobody's.
 */
static int cham_nl_stats_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct cham_nl_dump *dump = cham_nl_dump(cb);
	const struct cham_nl_reader *reader = &dump->reader;
	unsigned long id = dump->next;
	struct cham_tenant *tenant;
	int err = 0;
	void *hdr;

	cham_nl_dump_begin(cb);
	if (!id && reader->admin) {
		hdr = cham_nl_dump_header(skb, cb, CHAM_CMD_STATS_GET);
		err = hdr ? cham_nl_fill_stats(skb, 0, CHAM_UNCLASSIFIED_NAME,
					       cham_unclassified_stats, NULL,
					       hdr) : -EMSGSIZE;
		if (err)
			return cham_nl_dump_end(skb, err);
	}
	id = max(id, 1UL);
	dump->next = id;
	rcu_read_lock();
	while ((tenant = cham_tenant_next(&id))) {
		if (!cham_nl_may_read(reader, tenant))
			continue;
		hdr = cham_nl_dump_header(skb, cb, CHAM_CMD_STATS_GET);
		err = hdr ? cham_nl_fill_stats(skb, tenant->id, tenant->name,
					       tenant->stats,
					       rcu_dereference(tenant->limits),
					       hdr) : -EMSGSIZE;
		if (err)
			break;
		dump->next = id;
	}
	rcu_read_unlock();
	return cham_nl_dump_end(skb, err);
}

/* ---- guests ------------------------------------------------------------ */

static int cham_nl_guest_new(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct cham_tenant *tenant;
	struct cham_guest *guest;
	int err;

	if (CHAM_NL_REQUIRE(info, CHAM_A_GUEST_ID, "guest id is required") ||
	    CHAM_NL_REQUIRE(info, CHAM_A_GUEST_NAME, "guest name is required") ||
	    CHAM_NL_REQUIRE(info, CHAM_A_GUEST_IFINDEX,
			    "the interface of the guest's link is required") ||
	    CHAM_NL_REQUIRE(info, CHAM_A_GUEST_MAC,
			    "the guest's MAC address is required"))
		return -EINVAL;
	if (!cham_tenant_name_valid(nla_data(attrs[CHAM_A_GUEST_NAME]))) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[CHAM_A_GUEST_NAME],
				    "guest name must be letters, digits, '_' or '-', and not all digits");
		return -EINVAL;
	}
	guest = kzalloc(sizeof(*guest), GFP_KERNEL);
	if (!guest)
		return -ENOMEM;
	guest->id = nla_get_u32(attrs[CHAM_A_GUEST_ID]);
	nla_strscpy(guest->name, attrs[CHAM_A_GUEST_NAME], sizeof(guest->name));
	guest->ifindex = nla_get_u32(attrs[CHAM_A_GUEST_IFINDEX]);
	nla_memcpy(guest->mac, attrs[CHAM_A_GUEST_MAC], ETH_ALEN);
	if (!is_valid_ether_addr(guest->mac)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[CHAM_A_GUEST_MAC],
				    "the guest's MAC address must be unicast and not zero");
		kfree(guest);
		return -EINVAL;
	}
	if (attrs[CHAM_A_GUEST_ADDRS]) {
		err = cham_nl_parse_prefixes(info, attrs[CHAM_A_GUEST_ADDRS],
					     guest->addrs, CHAM_GUEST_ADDRS_MAX,
					     &guest->nr_addrs,
					     "guest addresses");
		if (err) {
			kfree(guest);
			return err;
		}
	}

	rtnl_lock();
	mutex_lock(&cham_config_lock);
	tenant = cham_nl_tenant(info, NULL);
	if (IS_ERR(tenant)) {
		kfree(guest);
		err = PTR_ERR(tenant);
	} else {
		guest->tenant = tenant;
		err = cham_guest_add(guest, info->extack);
	}
	mutex_unlock(&cham_config_lock);
	rtnl_unlock();
	return err;
}

/*
 * By id or by name; @reader (for reads) hides the guests of tenants it
 * may not see. Under the config lock or rcu_read_lock().
 */
static struct cham_guest *cham_nl_guest(struct genl_info *info,
					const struct cham_nl_reader *reader)
{
	struct nlattr *id = info->attrs[CHAM_A_GUEST_ID];
	struct nlattr *name = info->attrs[CHAM_A_GUEST_NAME];
	struct cham_guest *guest;

	if (!id && !name) {
		NL_SET_ERR_MSG(info->extack, "guest id or name is required");
		return ERR_PTR(-EINVAL);
	}
	guest = cham_guest_find(id ? nla_get_u32(id) : 0,
				name ? nla_data(name) : NULL);
	if (guest && id && name && strcmp(guest->name, nla_data(name)))
		guest = NULL;
	if (guest && reader && !cham_nl_may_read(reader, guest->tenant))
		guest = NULL;
	if (!guest) {
		NL_SET_ERR_MSG_ATTR(info->extack, id ?: name, "no such guest");
		return ERR_PTR(-ENOENT);
	}
	return guest;
}

/*
 * The link is taken down with the guest: once the module no longer knows
 * it, its frames would be unclassified and passed to the host stack
 * without the tenant's protocol. chamctl deletes the link afterwards.
 */
static int cham_nl_guest_del(struct sk_buff *skb, struct genl_info *info)
{
	struct net_device *dev = NULL;
	struct cham_guest *guest;
	int err = 0;

	rtnl_lock();
	mutex_lock(&cham_config_lock);
	guest = cham_nl_guest(info, NULL);
	if (IS_ERR(guest)) {
		err = PTR_ERR(guest);
	} else {
		/*
		 * Down first: closing waits for the frames in flight, which
		 * still find the guest. The notifiers do not take the config
		 * lock for NETDEV_DOWN.
		 */
		if (guest->ifindex)
			dev = __dev_get_by_index(&init_net, guest->ifindex);
		if (dev)
			dev_close(dev);
		cham_guest_del(guest);
	}
	mutex_unlock(&cham_config_lock);
	rtnl_unlock();
	return err;
}

/* Under rcu_read_lock(), which keeps the guest and its tenant. */
static int cham_nl_fill_guest(struct sk_buff *skb,
			      const struct cham_guest *guest, void *hdr)
{
	u32 ifindex = READ_ONCE(guest->ifindex);

	/* No name: a rename could tear it; the reader resolves the index. */
	if (nla_put_u32(skb, CHAM_A_GUEST_ID, guest->id) ||
	    nla_put_string(skb, CHAM_A_GUEST_NAME, guest->name) ||
	    nla_put_u32(skb, CHAM_A_TENANT_ID, guest->tenant->id) ||
	    nla_put_string(skb, CHAM_A_TENANT_NAME, guest->tenant->name) ||
	    nla_put_u32(skb, CHAM_A_GUEST_IFINDEX, ifindex) ||
	    nla_put(skb, CHAM_A_GUEST_MAC, ETH_ALEN, guest->mac) ||
	    cham_nl_put_prefixes(skb, CHAM_A_GUEST_ADDRS, guest->addrs,
				 guest->nr_addrs) ||
	    cham_nl_put_stats(skb, CHAM_A_GUEST_TX_STATS, guest->tx_stats,
			      false) ||
	    cham_nl_put_stats(skb, CHAM_A_GUEST_RX_STATS, guest->rx_stats,
			      false)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int cham_nl_guest_get(struct sk_buff *skb, struct genl_info *info)
{
	struct cham_nl_reader reader;
	struct cham_guest *guest;
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = cham_nl_reply_new(info, CHAM_CMD_GUEST_GET, &hdr);
	if (!msg)
		return -ENOMEM;
	cham_nl_reader_init(&reader, skb);
	rcu_read_lock();
	guest = cham_nl_guest(info, &reader);
	err = IS_ERR(guest) ? PTR_ERR(guest) :
	      cham_nl_fill_guest(msg, guest, hdr);
	rcu_read_unlock();
	return cham_nl_reply_send(msg, info, err);
}

static int cham_nl_guest_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct cham_nl_dump *dump = cham_nl_dump(cb);
	const struct cham_nl_reader *reader = &dump->reader;
	unsigned long id = dump->next;
	struct cham_guest *guest;
	int err = 0;
	void *hdr;

	cham_nl_dump_begin(cb);
	rcu_read_lock();
	for (; (guest = cham_guest_next(&id)); id++) {
		if (!cham_nl_may_read(reader, guest->tenant))
			continue;
		hdr = cham_nl_dump_header(skb, cb, CHAM_CMD_GUEST_GET);
		err = hdr ? cham_nl_fill_guest(skb, guest, hdr) : -EMSGSIZE;
		if (err)
			break;
		dump->next = id + 1;
	}
	rcu_read_unlock();
	return cham_nl_dump_end(skb, err);
}

/* ---- global settings and notifications -------------------------------- */

static int cham_nl_fill_config(struct sk_buff *skb, void *hdr)
{
	if (nla_put_u8(skb, CHAM_A_CFG_ACCOUNTING,
		       READ_ONCE(cham_cycle_accounting)) ||
	    nla_put_u8(skb, CHAM_A_CFG_ENFORCEMENT,
		       READ_ONCE(cham_enforcement)) ||
	    nla_put_u32(skb, CHAM_A_CFG_CONTENTION_US,
			READ_ONCE(cham_contention_us)) ||
	    nla_put_u32(skb, CHAM_A_CFG_TSC_KHZ, tsc_khz)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* Readable by all: the provider's settings, nothing of a tenant. */
static int cham_nl_config_get(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = cham_nl_reply_new(info, CHAM_CMD_CONFIG_GET, &hdr);
	if (!msg)
		return -ENOMEM;
	return cham_nl_reply_send(msg, info, cham_nl_fill_config(msg, hdr));
}

static int cham_nl_config_set(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;

	if (!attrs[CHAM_A_CFG_ACCOUNTING] && !attrs[CHAM_A_CFG_ENFORCEMENT] &&
	    !attrs[CHAM_A_CFG_CONTENTION_US]) {
		NL_SET_ERR_MSG(info->extack,
			       "nothing to change: give accounting, enforcement or contention");
		return -EINVAL;
	}
	mutex_lock(&cham_config_lock);
	if (attrs[CHAM_A_CFG_ACCOUNTING])
		WRITE_ONCE(cham_cycle_accounting,
			   nla_get_u8(attrs[CHAM_A_CFG_ACCOUNTING]));
	if (attrs[CHAM_A_CFG_ENFORCEMENT])
		WRITE_ONCE(cham_enforcement,
			   nla_get_u8(attrs[CHAM_A_CFG_ENFORCEMENT]));
	if (attrs[CHAM_A_CFG_CONTENTION_US])
		cham_budget_set_contention(nla_get_u32(attrs[CHAM_A_CFG_CONTENTION_US]));
	cham_netlink_notify_config();
	mutex_unlock(&cham_config_lock);
	return 0;
}

/* ---- notifications ---------------------------------------------------- */

/*
 * Every change of the configuration, whoever makes it (a netlink command,
 * a struct_ops link, a device going away, the fast path), is told to the
 * "events" group with the attributes its object's get reply has: a monitor
 * keeps its view in step without dumping. Sent under the lock that
 * serialized the change, so that listeners see changes in their order.
 * A notification that cannot be allocated is lost, as rtnetlink's are;
 * a listener that falls behind gets ENOBUFS on its socket and dumps.
 */

/* Not before the family is registered, nor while it is going away. */
static bool cham_nl_registered;

/* The group needs CAP_NET_ADMIN: its listeners see every tenant. */
static const struct cham_nl_reader cham_nl_ntf_reader = {
	.admin = true,
	.ns = &init_user_ns,
};

/* A notification for @cmd and its header; NULL when no one listens. */
static struct sk_buff *cham_nl_ntf_new(u8 cmd, size_t size, gfp_t gfp,
				       void **hdr)
{
	if (!READ_ONCE(cham_nl_registered) ||
	    !genl_has_listeners(&cham_genl_family, &init_net,
				CHAM_NL_MCGRP_EVENTS))
		return NULL;
	return cham_nl_msg_new(0, 0, cmd, size, gfp, hdr);
}

/* The fills size nothing: a notification too big for its buffer is a bug. */
static void cham_nl_ntf_send(struct sk_buff *msg, int err, gfp_t gfp)
{
	if (WARN_ON_ONCE(err)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_multicast(&cham_genl_family, msg, 0, CHAM_NL_MCGRP_EVENTS, gfp);
}

/* Under cham_config_lock, which keeps the tenant. */
void cham_netlink_notify_tenant(struct cham_tenant *tenant, u8 cmd)
{
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = cham_nl_ntf_new(cmd, NLMSG_GOODSIZE, GFP_KERNEL, &hdr);
	if (!msg)
		return;
	rcu_read_lock();
	err = cham_nl_fill_tenant(msg, tenant, &cham_nl_ntf_reader, hdr);
	rcu_read_unlock();
	cham_nl_ntf_send(msg, err, GFP_KERNEL);
}

static void cham_nl_notify_rule(const struct cham_rule *rule, u8 cmd)
{
	struct sk_buff *msg;
	void *hdr;

	msg = cham_nl_ntf_new(cmd, NLMSG_DEFAULT_SIZE, GFP_KERNEL, &hdr);
	if (msg)
		cham_nl_ntf_send(msg, cham_nl_fill_rule(msg, rule, hdr),
				 GFP_KERNEL);
}

void cham_netlink_notify_port(u32 ifindex, const char *ifname, u8 cmd)
{
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = cham_nl_ntf_new(cmd, NLMSG_DEFAULT_SIZE, GFP_KERNEL, &hdr);
	if (!msg)
		return;
	err = cham_nl_fill_port(msg, ifindex, ifname, hdr);
	cham_nl_ntf_send(msg, err, GFP_KERNEL);
}

/* Under cham_config_lock, which keeps the guest and its tenant. */
void cham_netlink_notify_guest(const struct cham_guest *guest, u8 cmd)
{
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = cham_nl_ntf_new(cmd, NLMSG_GOODSIZE, GFP_KERNEL, &hdr);
	if (!msg)
		return;
	rcu_read_lock();
	err = cham_nl_fill_guest(msg, guest, hdr);
	rcu_read_unlock();
	cham_nl_ntf_send(msg, err, GFP_KERNEL);
}

void cham_netlink_notify_config(void)
{
	struct sk_buff *msg;
	void *hdr;

	msg = cham_nl_ntf_new(CHAM_CMD_CONFIG_CHANGE_NTF, NLMSG_DEFAULT_SIZE,
			      GFP_KERNEL, &hdr);
	if (msg)
		cham_nl_ntf_send(msg, cham_nl_fill_config(msg, hdr),
				 GFP_KERNEL);
}

/* @portid: the agent's netlink port, which tenant show reports too. */
void cham_netlink_notify_agent(const struct cham_tenant *tenant, u8 cmd,
			       u32 portid)
{
	struct sk_buff *msg;
	void *hdr;

	msg = cham_nl_ntf_new(cmd, NLMSG_DEFAULT_SIZE, GFP_KERNEL, &hdr);
	if (!msg)
		return;
	if (nla_put_u32(msg, CHAM_A_TENANT_ID, tenant->id) ||
	    nla_put_string(msg, CHAM_A_TENANT_NAME, tenant->name) ||
	    nla_put_u32(msg, CHAM_A_TENANT_AGENT_PORTID, portid)) {
		cham_nl_ntf_send(msg, -EMSGSIZE, GFP_KERNEL);
		return;
	}
	genlmsg_end(msg, hdr);
	cham_nl_ntf_send(msg, 0, GFP_KERNEL);
}

/*
 * A protocol bound, replaced (@prev: the one it displaced), unbound,
 * ejected or reinstated: the tenant's protocol attributes of tenant show.
 * From the config lock (process context) or, for an ejection, from the
 * packet that made it happen (softirq, GFP_ATOMIC), where the instance is
 * kept by RCU.
 */
void cham_netlink_notify_proto(const struct cham_tenant *tenant, u8 cmd,
			       const struct cham_proto_ops *ops,
			       const struct cham_proto_ops *prev, gfp_t gfp)
{
	struct sk_buff *msg;
	void *hdr;

	msg = cham_nl_ntf_new(cmd, NLMSG_DEFAULT_SIZE, gfp, &hdr);
	if (!msg)
		return;
	if (nla_put_u32(msg, CHAM_A_TENANT_ID, tenant->id) ||
	    nla_put_string(msg, CHAM_A_TENANT_NAME, tenant->name) ||
	    nla_put_u32(msg, CHAM_A_TENANT_VIOLATIONS,
			atomic_read(&ops->violations)) ||
	    nla_put_u32(msg, CHAM_A_TENANT_EJECTIONS,
			atomic_read(&tenant->ejections)) ||
	    cham_nl_put_proto(msg, CHAM_A_TENANT_PROTO, tenant, ops, true) ||
	    (prev && cham_nl_put_proto(msg, CHAM_A_TENANT_PROTO_PREV, tenant,
				       prev, false))) {
		cham_nl_ntf_send(msg, -EMSGSIZE, gfp);
		return;
	}
	genlmsg_end(msg, hdr);
	cham_nl_ntf_send(msg, 0, gfp);
}

/*
 * The admin clears an ejection: the protocol the ceiling ejected runs
 * again on its link, with a clean violation count (proto.c). A command of
 * its own rather than a tenant-set knob: it is an act on the protocol,
 * not a setting of the tenant that reads back, and it fails when there
 * is nothing to reinstate.
 */
static int cham_nl_proto_reinstate(struct sk_buff *skb, struct genl_info *info)
{
	struct cham_tenant *tenant;
	int err;

	mutex_lock(&cham_config_lock);
	tenant = cham_nl_tenant(info, NULL);
	err = IS_ERR(tenant) ? PTR_ERR(tenant) :
	      cham_proto_reinstate(tenant, info->extack);
	mutex_unlock(&cham_config_lock);
	return err;
}

/* ---- the slow path ------------------------------------------------------ */

/*
 * A tenant's slow path acts for the tenant: its owner may, and the
 * provider (CAP_NET_ADMIN). The tenants of others are missing to anyone
 * else, as they are for reads (cham_nl_tenant() with a reader, set up
 * before any lock: the capability check may run LSM hooks).
 */

static int cham_nl_agent_register(struct sk_buff *skb, struct genl_info *info)
{
	struct cham_nl_reader reader;
	struct cham_tenant *tenant;
	int err;

	cham_nl_reader_init(&reader, skb);
	mutex_lock(&cham_config_lock);
	tenant = cham_nl_tenant(info, &reader);
	err = IS_ERR(tenant) ? PTR_ERR(tenant) :
	      cham_agent_register(tenant, NETLINK_CB(skb).sk, info->snd_portid,
				  info->extack);
	mutex_unlock(&cham_config_lock);
	return err;
}

static int cham_nl_agent_inject(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *ifindex = info->attrs[CHAM_A_AGENT_IFINDEX];
	struct nlattr *guest = info->attrs[CHAM_A_GUEST_ID];
	struct nlattr *frame = info->attrs[CHAM_A_AGENT_FRAME];
	struct cham_nl_reader reader;
	struct cham_tenant *tenant;
	struct sk_buff *out;
	int err;

	if (CHAM_NL_REQUIRE(info, CHAM_A_AGENT_FRAME, "a frame is required"))
		return -EINVAL;
	if (!ifindex == !guest) {
		NL_SET_ERR_MSG(info->extack,
			       "give either a port (ifindex) or a guest to send the frame to");
		return -EINVAL;
	}
	/* Allocated here: what follows holds rcu_read_lock(). */
	out = alloc_skb(LL_MAX_HEADER + nla_len(frame), GFP_KERNEL);
	if (!out) {
		NL_SET_ERR_MSG(info->extack, "no memory for the frame");
		return -ENOMEM;
	}
	skb_reserve(out, LL_MAX_HEADER);
	skb_put_data(out, nla_data(frame), nla_len(frame));
	cham_nl_reader_init(&reader, skb);
	/* Keeps the tenant; injecting does not sleep. */
	rcu_read_lock();
	tenant = cham_nl_tenant(info, &reader);
	if (IS_ERR(tenant)) {
		kfree_skb(out);
		err = PTR_ERR(tenant);
	} else {
		err = cham_agent_inject(tenant, out,
					ifindex ? nla_get_u32(ifindex) : 0,
					guest ? nla_get_u32(guest) : 0,
					info->extack);
	}
	rcu_read_unlock();
	return err;
}

static int cham_nl_agent_msg(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *data = info->attrs[CHAM_A_AGENT_MSG_DATA];
	struct nlattr *flow = info->attrs[CHAM_A_AGENT_MSG_FLOW];
	struct cham_nl_reader reader;
	struct cham_tenant *tenant;
	struct sk_buff *msg;
	int err, result = 0;
	void *hdr;

	if (CHAM_NL_REQUIRE(info, CHAM_A_AGENT_MSG_TYPE,
			    "a message type is required"))
		return -EINVAL;
	msg = cham_nl_reply_new(info, CHAM_CMD_AGENT_MSG, &hdr);
	if (!msg)
		return -ENOMEM;
	cham_nl_reader_init(&reader, skb);
	rcu_read_lock();
	tenant = cham_nl_tenant(info, &reader);
	err = IS_ERR(tenant) ? PTR_ERR(tenant) :
	      cham_agent_msg(tenant,
			     nla_get_u32(info->attrs[CHAM_A_AGENT_MSG_TYPE]),
			     flow ? nla_get_u32(flow) : 0,
			     data ? nla_data(data) : NULL,
			     data ? nla_len(data) : 0, &result, info->extack);
	if (!err && (nla_put_u32(msg, CHAM_A_TENANT_ID, tenant->id) ||
		     nla_put_s32(msg, CHAM_A_AGENT_MSG_RESULT, result)))
		err = -EMSGSIZE;
	rcu_read_unlock();
	if (!err)
		genlmsg_end(msg, hdr);
	return cham_nl_reply_send(msg, info, err);
}

/*
 * The operations, as the spec lists them: writes need CAP_NET_ADMIN
 * (GENL_ADMIN_PERM, checked by the core before anything is parsed); the
 * slow path's need the tenant's ownership instead, checked per tenant.
 */
static const struct genl_split_ops cham_genl_ops[] = {
	{
		.cmd = CHAM_CMD_TENANT_NEW,
		.doit = cham_nl_tenant_new,
		.policy = cham_tenant_new_policy,
		.maxattr = CHAM_A_TENANT_TIMERS_MAX,
		.flags = GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd = CHAM_CMD_TENANT_DEL,
		.doit = cham_nl_tenant_del,
		.policy = cham_tenant_del_policy,
		.maxattr = CHAM_A_TENANT_NAME,
		.flags = GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd = CHAM_CMD_TENANT_GET,
		.doit = cham_nl_tenant_get,
		.policy = cham_tenant_get_policy,
		.maxattr = CHAM_A_TENANT_NAME,
		.flags = GENL_CMD_CAP_DO,
	},
	{
		.cmd = CHAM_CMD_TENANT_GET,
		.start = cham_nl_dump_start,
		.dumpit = cham_nl_tenant_dump,
		.policy = cham_no_attrs_policy,
		.maxattr = CHAM_A_TENANT_ID,
		.flags = GENL_CMD_CAP_DUMP,
	},
	{
		.cmd = CHAM_CMD_RULE_NEW,
		.doit = cham_nl_rule_new,
		.policy = cham_rule_new_policy,
		.maxattr = CHAM_A_RULE_PORT_MAX,
		.flags = GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd = CHAM_CMD_RULE_DEL,
		.doit = cham_nl_rule_del,
		.policy = cham_rule_del_policy,
		.maxattr = CHAM_A_RULE_ID,
		.flags = GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd = CHAM_CMD_RULE_GET,
		.doit = cham_nl_rule_get,
		.policy = cham_rule_get_policy,
		.maxattr = CHAM_A_RULE_ID,
		.flags = GENL_CMD_CAP_DO,
	},
	{
		.cmd = CHAM_CMD_RULE_GET,
		.start = cham_nl_dump_start,
		.dumpit = cham_nl_rule_dump,
		.policy = cham_no_attrs_policy,
		.maxattr = CHAM_A_TENANT_ID,
		.flags = GENL_CMD_CAP_DUMP,
	},
	{
		.cmd = CHAM_CMD_PORT_NEW,
		.doit = cham_nl_port_new,
		.policy = cham_port_new_policy,
		.maxattr = CHAM_A_PORT_IFINDEX,
		.flags = GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd = CHAM_CMD_PORT_DEL,
		.doit = cham_nl_port_del,
		.policy = cham_port_del_policy,
		.maxattr = CHAM_A_PORT_IFINDEX,
		.flags = GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd = CHAM_CMD_PORT_GET,
		.dumpit = cham_nl_port_dump,
		.policy = cham_no_attrs_policy,
		.maxattr = CHAM_A_TENANT_ID,
		.flags = GENL_CMD_CAP_DUMP,
	},
	{
		.cmd = CHAM_CMD_STATS_GET,
		.doit = cham_nl_stats_get,
		.policy = cham_stats_get_policy,
		.maxattr = CHAM_A_TENANT_NAME,
		.flags = GENL_CMD_CAP_DO,
	},
	{
		.cmd = CHAM_CMD_STATS_GET,
		.start = cham_nl_stats_dump_start,
		.dumpit = cham_nl_stats_dump,
		.policy = cham_no_attrs_policy,
		.maxattr = CHAM_A_TENANT_ID,
		.flags = GENL_CMD_CAP_DUMP,
	},
	{
		.cmd = CHAM_CMD_TENANT_SET,
		.doit = cham_nl_tenant_set,
		.policy = cham_tenant_set_policy,
		.maxattr = CHAM_A_TENANT_TIMERS_MAX,
		.flags = GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd = CHAM_CMD_CONFIG_GET,
		.doit = cham_nl_config_get,
		.policy = cham_no_attrs_policy,
		.maxattr = CHAM_A_TENANT_ID,
		.flags = GENL_CMD_CAP_DO,
	},
	{
		.cmd = CHAM_CMD_CONFIG_SET,
		.doit = cham_nl_config_set,
		.policy = cham_config_set_policy,
		.maxattr = CHAM_A_CFG_CONTENTION_US,
		.flags = GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd = CHAM_CMD_GUEST_NEW,
		.doit = cham_nl_guest_new,
		.policy = cham_guest_new_policy,
		.maxattr = CHAM_A_GUEST_ADDRS,
		.flags = GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd = CHAM_CMD_GUEST_DEL,
		.doit = cham_nl_guest_del,
		.policy = cham_guest_policy,
		.maxattr = CHAM_A_GUEST_NAME,
		.flags = GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd = CHAM_CMD_GUEST_GET,
		.doit = cham_nl_guest_get,
		.policy = cham_guest_policy,
		.maxattr = CHAM_A_GUEST_NAME,
		.flags = GENL_CMD_CAP_DO,
	},
	{
		.cmd = CHAM_CMD_GUEST_GET,
		.start = cham_nl_dump_start,
		.dumpit = cham_nl_guest_dump,
		.policy = cham_no_attrs_policy,
		.maxattr = CHAM_A_TENANT_ID,
		.flags = GENL_CMD_CAP_DUMP,
	},
	{
		.cmd = CHAM_CMD_AGENT_REGISTER,
		.doit = cham_nl_agent_register,
		.policy = cham_agent_register_policy,
		.maxattr = CHAM_A_TENANT_NAME,
		.flags = GENL_CMD_CAP_DO,
	},
	{
		.cmd = CHAM_CMD_AGENT_INJECT,
		.doit = cham_nl_agent_inject,
		.policy = cham_agent_inject_policy,
		.maxattr = CHAM_A_AGENT_IFINDEX,
		.flags = GENL_CMD_CAP_DO,
	},
	{
		.cmd = CHAM_CMD_AGENT_MSG,
		.doit = cham_nl_agent_msg,
		.policy = cham_agent_msg_policy,
		.maxattr = CHAM_A_AGENT_MSG_DATA,
		.flags = GENL_CMD_CAP_DO,
	},
	{
		.cmd = CHAM_CMD_PROTO_REINSTATE,
		.doit = cham_nl_proto_reinstate,
		.policy = cham_proto_reinstate_policy,
		.maxattr = CHAM_A_TENANT_NAME,
		.flags = GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
};

struct genl_family cham_genl_family __ro_after_init = {
	.name = CHAM_GENL_NAME,
	.version = CHAM_GENL_VERSION,
	.split_ops = cham_genl_ops,
	.n_split_ops = ARRAY_SIZE(cham_genl_ops),
	.mcgrps = cham_nl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(cham_nl_mcgrps),
	/*
	 * Changes take cham_config_lock and reads RCU: no need for the
	 * global genl_mutex, which would make one tenant's agent wait for
	 * another's requests (and every other family's).
	 */
	.parallel_ops = true,
	.module = THIS_MODULE,
};

int cham_netlink_init(void)
{
	int err = genl_register_family(&cham_genl_family);

	WRITE_ONCE(cham_nl_registered, !err);
	return err;
}

void cham_netlink_exit(void)
{
	/* Every sender but the fast path's holds the lock; no ejection now. */
	mutex_lock(&cham_config_lock);
	WRITE_ONCE(cham_nl_registered, false);
	mutex_unlock(&cham_config_lock);
	genl_unregister_family(&cham_genl_family);
}
