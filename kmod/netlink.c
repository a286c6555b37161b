// SPDX-License-Identifier: GPL-2.0
/*
 * The "chamelio" generic netlink family: the admin's interface to tenants,
 * steering rules, ports and statistics. Documentation/netlink/specs/
 * chamelio.yaml describes it. Every attribute has a policy, every refusal
 * an extack message, and every change needs CAP_NET_ADMIN.
 */
#include <linux/ctype.h>
#include <linux/in.h>
#include <linux/rtnetlink.h>
#include <linux/socket.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <asm/timex.h>
#include <asm/tsc.h>

#include "chamelio.h"

static struct genl_family cham_genl_family;

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
	.max = NSEC_PER_SEC,
};

static const struct netlink_range_validation cham_contention_us_range = {
	.min = 1,
	.max = USEC_PER_SEC,
};

static const struct nla_policy cham_policy[CHAM_A_MAX + 1] = {
	[CHAM_A_TENANT_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &cham_tenant_id_range),
	[CHAM_A_TENANT_NAME] = { .type = NLA_NUL_STRING,
				 .len = CHAM_NAME_LEN - 1 },
	[CHAM_A_TENANT_OWNER] = { .type = NLA_U32 },
	[CHAM_A_TENANT_DEFAULT_VERDICT] =
		NLA_POLICY_MAX(NLA_U8, CHAM_VERDICT_DROP),
	[CHAM_A_TENANT_PROTO] = { .type = NLA_REJECT,
				  .reject_message = "protocol is read-only" },
	[CHAM_A_RULE_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[CHAM_A_RULE_FAMILY] = NLA_POLICY_RANGE(NLA_U8, AF_INET, AF_INET6),
	[CHAM_A_RULE_DST] = { .type = NLA_BINARY,
			      .len = sizeof(struct in6_addr) },
	[CHAM_A_RULE_PREFIX_LEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[CHAM_A_RULE_L4_PROTO] = { .type = NLA_U8 },
	[CHAM_A_RULE_PORT_MIN] = { .type = NLA_U16 },
	[CHAM_A_RULE_PORT_MAX] = { .type = NLA_U16 },
	[CHAM_A_PORT_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[CHAM_A_PORT_IFNAME] = { .type = NLA_REJECT,
				 .reject_message = "use the interface index" },
	[CHAM_A_STATS] = { .type = NLA_REJECT,
			   .reject_message = "statistics are read-only" },
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
	[CHAM_A_TENANT_EJECTIONS] = { .type = NLA_REJECT,
				      .reject_message = "ejections are read-only" },
	[CHAM_A_TENANT_VIOLATIONS] = { .type = NLA_REJECT,
				       .reject_message = "violations are read-only" },
	[CHAM_A_CFG_ACCOUNTING] = NLA_POLICY_MAX(NLA_U8, 1),
	[CHAM_A_CFG_ENFORCEMENT] = NLA_POLICY_MAX(NLA_U8, 1),
	[CHAM_A_CFG_CONTENTION_US] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &cham_contention_us_range),
	[CHAM_A_CFG_TSC_KHZ] = { .type = NLA_REJECT,
				 .reject_message = "the cycle counter rate is read-only" },
};

enum cham_nl_mcgrp {
	CHAM_NL_MCGRP_EVENTS,
};

static const struct genl_multicast_group cham_nl_mcgrps[] = {
	[CHAM_NL_MCGRP_EVENTS] = { .name = CHAM_GENL_MCGRP_EVENTS },
};

/* A missing attribute gets its type and a message in the extack. */
#define CHAM_NL_REQUIRE(info, attr, msg) ({				\
	struct genl_info *__cham_info = (info);				\
	bool __missing = GENL_REQ_ATTR_CHECK(__cham_info, attr);	\
									\
	if (__missing)							\
		NL_SET_ERR_MSG(__cham_info->extack, msg);		\
	__missing;							\
})

/* Commands address a tenant by id or by name. */
static struct cham_tenant *cham_nl_tenant(struct genl_info *info,
					  int id_attr, int name_attr)
{
	struct nlattr **attrs = info->attrs;
	struct cham_tenant *tenant;

	if (!attrs[id_attr] && !attrs[name_attr]) {
		NL_SET_ERR_MSG(info->extack, "tenant id or name is required");
		return ERR_PTR(-EINVAL);
	}
	tenant = cham_tenant_find(attrs[id_attr] ? nla_get_u32(attrs[id_attr]) : 0,
				  attrs[name_attr] ? nla_data(attrs[name_attr]) : NULL);
	if (tenant && attrs[id_attr] && attrs[name_attr] &&
	    strcmp(tenant->name, nla_data(attrs[name_attr])))
		tenant = NULL;
	if (!tenant) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    attrs[id_attr] ?: attrs[name_attr],
				    "no such tenant");
		return ERR_PTR(-ENOENT);
	}
	return tenant;
}

static void *cham_nl_put_header(struct sk_buff *skb, u32 portid, u32 seq,
				int flags, u8 cmd)
{
	return genlmsg_put(skb, portid, seq, &cham_genl_family, flags, cmd);
}

/* ---- tenants ----------------------------------------------------------- */

static const struct cham_limits *cham_nl_limits(const struct cham_tenant *tenant)
{
	return rcu_dereference_protected(tenant->limits,
					 lockdep_is_held(&cham_config_lock));
}

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

/* The protocol nest: its identity and, per handler, its program and size. */
static int cham_nl_put_proto(struct sk_buff *skb,
			     const struct cham_proto_ops *ops, bool handlers)
{
	struct nlattr *nest, *handler;
	int i;

	nest = nla_nest_start(skb, CHAM_A_TENANT_PROTO);
	if (!nest ||
	    nla_put_string(skb, CHAM_A_PROTO_NAME, ops->name) ||
	    nla_put_u32(skb, CHAM_A_PROTO_FLAGS, ops->flags) ||
	    nla_put_u32(skb, CHAM_A_PROTO_GENERATION, ops->generation))
		return -EMSGSIZE;
	for (i = 0; handlers && i < __CHAM_PROTO_HANDLER_MAX; i++) {
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

static int cham_nl_fill_tenant(struct sk_buff *skb, struct cham_tenant *tenant,
			       u32 portid, u32 seq, int flags)
{
	const struct cham_proto_ops *ops;
	void *hdr;

	hdr = cham_nl_put_header(skb, portid, seq, flags, CHAM_CMD_TENANT_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, CHAM_A_TENANT_ID, tenant->id) ||
	    nla_put_string(skb, CHAM_A_TENANT_NAME, tenant->name) ||
	    nla_put_u32(skb, CHAM_A_TENANT_OWNER, tenant->owner) ||
	    nla_put_u8(skb, CHAM_A_TENANT_DEFAULT_VERDICT,
		       tenant->default_verdict) ||
	    cham_nl_put_limits(skb, cham_nl_limits(tenant)) ||
	    nla_put_u32(skb, CHAM_A_TENANT_EJECTIONS,
			atomic_read(&tenant->ejections)))
		goto cancel;

	/* The fast path can eject the protocol; the lock keeps it alive. */
	ops = rcu_dereference_check(tenant->ops,
				    lockdep_is_held(&cham_config_lock));
	if (ops &&
	    (nla_put_u32(skb, CHAM_A_TENANT_VIOLATIONS,
			 atomic_read(&ops->violations)) ||
	     cham_nl_put_proto(skb, ops, true)))
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

static int cham_nl_parse_limits(struct genl_info *info,
				struct cham_limits *limits)
{
	struct nlattr **attrs = info->attrs;
	int i, n = 0;

	for (i = 0; i < ARRAY_SIZE(cham_nl_limit_attrs); i++)
		n += !!attrs[cham_nl_limit_attrs[i]];

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
	return n;
}

/*
 * Names appear in bpffs pins (which refuse '.') and on command lines, where
 * an all-digit name would read as an id.
 */
static bool cham_tenant_name_valid(const char *name)
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

static int cham_nl_tenant_new(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	u8 default_verdict = CHAM_VERDICT_PASS;
	struct cham_limits limits;
	u32 owner = 0;
	int err;

	if (CHAM_NL_REQUIRE(info, CHAM_A_TENANT_ID, "tenant id is required") ||
	    CHAM_NL_REQUIRE(info, CHAM_A_TENANT_NAME, "tenant name is required"))
		return -EINVAL;
	if (!cham_tenant_name_valid(nla_data(attrs[CHAM_A_TENANT_NAME]))) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[CHAM_A_TENANT_NAME],
				    "tenant name must be letters, digits, '_' or '-', and not all digits");
		return -EINVAL;
	}
	if (attrs[CHAM_A_TENANT_OWNER])
		owner = nla_get_u32(attrs[CHAM_A_TENANT_OWNER]);
	if (attrs[CHAM_A_TENANT_DEFAULT_VERDICT])
		default_verdict = nla_get_u8(attrs[CHAM_A_TENANT_DEFAULT_VERDICT]);
	cham_limits_init(&limits);
	cham_nl_parse_limits(info, &limits);

	mutex_lock(&cham_config_lock);
	err = cham_tenant_add(nla_get_u32(attrs[CHAM_A_TENANT_ID]),
			      nla_data(attrs[CHAM_A_TENANT_NAME]), owner,
			      default_verdict, &limits, info->extack);
	mutex_unlock(&cham_config_lock);
	return err;
}

/* Changes a tenant's time protection; what is not given stays. */
static int cham_nl_tenant_set(struct sk_buff *skb, struct genl_info *info)
{
	struct cham_limits *limits = NULL;
	struct cham_tenant *tenant;
	int err = 0;

	mutex_lock(&cham_config_lock);
	tenant = cham_nl_tenant(info, CHAM_A_TENANT_ID, CHAM_A_TENANT_NAME);
	if (IS_ERR(tenant)) {
		err = PTR_ERR(tenant);
		goto out;
	}
	limits = kmemdup(cham_nl_limits(tenant), sizeof(*limits), GFP_KERNEL);
	if (!limits) {
		err = -ENOMEM;
		goto out;
	}
	if (!cham_nl_parse_limits(info, limits)) {
		NL_SET_ERR_MSG(info->extack,
			       "nothing to change: give a share, burst, policy, ...");
		err = -EINVAL;
		goto out;
	}
	cham_tenant_set_limits(tenant, limits);
	limits = NULL;
out:
	mutex_unlock(&cham_config_lock);
	kfree(limits);
	return err;
}

static int cham_nl_tenant_del(struct sk_buff *skb, struct genl_info *info)
{
	struct cham_tenant *tenant;
	int err;

	mutex_lock(&cham_config_lock);
	tenant = cham_nl_tenant(info, CHAM_A_TENANT_ID, CHAM_A_TENANT_NAME);
	err = IS_ERR(tenant) ? PTR_ERR(tenant) : cham_tenant_del(tenant);
	mutex_unlock(&cham_config_lock);
	return err;
}

static int cham_nl_tenant_get(struct sk_buff *skb, struct genl_info *info)
{
	struct cham_tenant *tenant;
	struct sk_buff *msg;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&cham_config_lock);
	tenant = cham_nl_tenant(info, CHAM_A_TENANT_ID, CHAM_A_TENANT_NAME);
	err = IS_ERR(tenant) ? PTR_ERR(tenant) :
	      cham_nl_fill_tenant(msg, tenant, info->snd_portid, info->snd_seq, 0);
	mutex_unlock(&cham_config_lock);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/* Dumps resume from cb->args[0], the next tenant id (or rule index). */
static int cham_nl_tenant_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	unsigned long id = cb->args[0];
	struct cham_tenant *tenant;
	int err = 0;

	mutex_lock(&cham_config_lock);
	while ((tenant = cham_tenant_next(&id))) {
		err = cham_nl_fill_tenant(skb, tenant, NETLINK_CB(cb->skb).portid,
					  cb->nlh->nlmsg_seq, NLM_F_MULTI);
		if (err)
			break;
		cb->args[0] = id;
	}
	mutex_unlock(&cham_config_lock);
	return err && !skb->len ? err : skb->len;
}

/* ---- rules ------------------------------------------------------------- */

static int cham_nl_fill_rule(struct sk_buff *skb, const struct cham_rule *rule,
			     u32 portid, u32 seq, int flags, u8 cmd)
{
	int addr_len = rule->family == AF_INET ? 4 : 16;
	void *hdr;

	hdr = cham_nl_put_header(skb, portid, seq, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, CHAM_A_RULE_ID, rule->id) ||
	    nla_put_u32(skb, CHAM_A_TENANT_ID, rule->tenant->id) ||
	    nla_put_string(skb, CHAM_A_TENANT_NAME, rule->tenant->name) ||
	    nla_put_u8(skb, CHAM_A_RULE_FAMILY, rule->family) ||
	    nla_put(skb, CHAM_A_RULE_DST, addr_len, &rule->dst) ||
	    nla_put_u8(skb, CHAM_A_RULE_PREFIX_LEN, rule->prefix_len) ||
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
	unsigned int addr_len, max_prefix;

	if (CHAM_NL_REQUIRE(info, CHAM_A_RULE_FAMILY, "address family is required") ||
	    CHAM_NL_REQUIRE(info, CHAM_A_RULE_DST, "destination is required"))
		return -EINVAL;
	memset(rule, 0, sizeof(*rule));
	rule->family = nla_get_u8(attrs[CHAM_A_RULE_FAMILY]);
	if (rule->family != AF_INET && rule->family != AF_INET6) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[CHAM_A_RULE_FAMILY],
				    "family must be AF_INET or AF_INET6");
		return -EAFNOSUPPORT;
	}
	addr_len = rule->family == AF_INET ? 4 : 16;
	max_prefix = addr_len * 8;
	if (nla_len(attrs[CHAM_A_RULE_DST]) != addr_len) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[CHAM_A_RULE_DST],
				    "address length does not match the family");
		return -EINVAL;
	}
	nla_memcpy(&rule->dst, attrs[CHAM_A_RULE_DST], addr_len);

	rule->prefix_len = max_prefix;
	if (attrs[CHAM_A_RULE_PREFIX_LEN])
		rule->prefix_len = nla_get_u8(attrs[CHAM_A_RULE_PREFIX_LEN]);
	if (rule->prefix_len > max_prefix) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[CHAM_A_RULE_PREFIX_LEN],
				    "prefix is longer than the address");
		return -EINVAL;
	}
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
	int err;

	err = cham_nl_parse_rule(info, &rule);
	if (err)
		return err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&cham_config_lock);
	tenant = cham_nl_tenant(info, CHAM_A_TENANT_ID, CHAM_A_TENANT_NAME);
	if (IS_ERR(tenant)) {
		err = PTR_ERR(tenant);
		goto out;
	}
	rule.tenant = tenant;
	err = cham_rule_add(&rule, info->extack);
	/* One rule always fits: the rule is in place, report success. */
	if (!err)
		WARN_ON_ONCE(cham_nl_fill_rule(msg, &rule, info->snd_portid,
					       info->snd_seq, 0,
					       CHAM_CMD_RULE_NEW));
out:
	mutex_unlock(&cham_config_lock);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	/* The reply tells the admin the id the kernel gave the rule. */
	return genlmsg_reply(msg, info);
}

static int cham_nl_rule_del(struct sk_buff *skb, struct genl_info *info)
{
	int err;

	if (CHAM_NL_REQUIRE(info, CHAM_A_RULE_ID, "rule id is required"))
		return -EINVAL;
	mutex_lock(&cham_config_lock);
	err = cham_rule_del(nla_get_u32(info->attrs[CHAM_A_RULE_ID]));
	mutex_unlock(&cham_config_lock);
	if (err == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[CHAM_A_RULE_ID],
				    "no such rule");
	return err;
}

static int cham_nl_rule_get(struct sk_buff *skb, struct genl_info *info)
{
	struct cham_rule rule;
	struct sk_buff *msg;
	int err = -ENOENT;

	if (CHAM_NL_REQUIRE(info, CHAM_A_RULE_ID, "rule id is required"))
		return -EINVAL;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&cham_config_lock);
	if (cham_rule_find(nla_get_u32(info->attrs[CHAM_A_RULE_ID]), &rule))
		err = cham_nl_fill_rule(msg, &rule, info->snd_portid,
					info->snd_seq, 0, CHAM_CMD_RULE_GET);
	mutex_unlock(&cham_config_lock);
	if (err) {
		if (err == -ENOENT)
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[CHAM_A_RULE_ID],
					    "no such rule");
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/*
 * Resumes after the last rule id sent, not at an index: rules deleted
 * between two parts of the dump shift the table. Ids only grow, and the
 * table keeps them in order.
 */
static int cham_nl_rule_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct cham_rule rule;
	unsigned int index;
	int err = 0;

	mutex_lock(&cham_config_lock);
	for (index = 0; cham_rule_get(index, &rule); index++) {
		if (rule.id <= cb->args[0])
			continue;
		err = cham_nl_fill_rule(skb, &rule, NETLINK_CB(cb->skb).portid,
					cb->nlh->nlmsg_seq, NLM_F_MULTI,
					CHAM_CMD_RULE_GET);
		if (err)
			break;
		cb->args[0] = rule.id;
	}
	mutex_unlock(&cham_config_lock);
	return err && !skb->len ? err : skb->len;
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

static int cham_nl_port_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	unsigned long ifindex = cb->args[0];
	char ifname[IFNAMSIZ];
	int err = 0;
	void *hdr;

	mutex_lock(&cham_config_lock);
	for (; cham_port_next(&ifindex, ifname); ifindex++) {
		hdr = cham_nl_put_header(skb, NETLINK_CB(cb->skb).portid,
					 cb->nlh->nlmsg_seq, NLM_F_MULTI,
					 CHAM_CMD_PORT_GET);
		if (!hdr) {
			err = -EMSGSIZE;
			break;
		}
		if (nla_put_u32(skb, CHAM_A_PORT_IFINDEX, ifindex) ||
		    nla_put_string(skb, CHAM_A_PORT_IFNAME, ifname)) {
			genlmsg_cancel(skb, hdr);
			err = -EMSGSIZE;
			break;
		}
		genlmsg_end(skb, hdr);
	}
	cb->args[0] = ifindex;
	mutex_unlock(&cham_config_lock);
	return err && !skb->len ? err : skb->len;
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

/* The unclassified pseudo-tenant (id 0) has statistics, but no limits. */
static int cham_nl_fill_stats(struct sk_buff *skb, u32 id, const char *name,
			      const struct cham_stats __percpu *pcpu,
			      const struct cham_limits *limits,
			      u32 portid, u32 seq, int flags)
{
	struct cham_stats stats;
	struct nlattr *nest;
	u64 now;
	void *hdr;

	now = get_cycles();
	cham_stats_fold(pcpu, &stats);
	hdr = cham_nl_put_header(skb, portid, seq, flags, CHAM_CMD_STATS_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, CHAM_A_TENANT_ID, id) ||
	    nla_put_string(skb, CHAM_A_TENANT_NAME, name))
		goto cancel;
	if (limits &&
	    (nla_put_u32(skb, CHAM_A_TENANT_SHARE, limits->share) ||
	     nla_put_u32(skb, CHAM_A_TENANT_BURST_US, limits->burst_us)))
		goto cancel;
	nest = nla_nest_start(skb, CHAM_A_STATS);
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
			      CHAM_A_STAT_PAD))
		goto cancel;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

#define CHAM_UNCLASSIFIED_NAME	"(unclassified)"

static int cham_nl_stats_get(struct sk_buff *skb, struct genl_info *info)
{
	struct cham_tenant *tenant;
	struct sk_buff *msg;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&cham_config_lock);
	tenant = cham_nl_tenant(info, CHAM_A_TENANT_ID, CHAM_A_TENANT_NAME);
	err = IS_ERR(tenant) ? PTR_ERR(tenant) :
	      cham_nl_fill_stats(msg, tenant->id, tenant->name, tenant->stats,
				 cham_nl_limits(tenant), info->snd_portid,
				 info->snd_seq, 0);
	mutex_unlock(&cham_config_lock);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/* The unclassified pseudo-tenant comes first, as id 0. */
static int cham_nl_stats_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	u32 portid = NETLINK_CB(cb->skb).portid, seq = cb->nlh->nlmsg_seq;
	unsigned long id = cb->args[0];
	struct cham_tenant *tenant;
	int err = 0;

	mutex_lock(&cham_config_lock);
	if (!id) {
		err = cham_nl_fill_stats(skb, 0, CHAM_UNCLASSIFIED_NAME,
					 cham_unclassified_stats, NULL, portid,
					 seq, NLM_F_MULTI);
		if (!err) {
			id = 1;
			cb->args[0] = id;
		}
	}
	while (!err && (tenant = cham_tenant_next(&id))) {
		err = cham_nl_fill_stats(skb, tenant->id, tenant->name,
					 tenant->stats, cham_nl_limits(tenant),
					 portid, seq, NLM_F_MULTI);
		if (!err)
			cb->args[0] = id;
	}
	mutex_unlock(&cham_config_lock);
	return err && !skb->len ? err : skb->len;
}

/* ---- global settings and notifications -------------------------------- */

static int cham_nl_config_get(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = cham_nl_put_header(msg, info->snd_portid, info->snd_seq, 0,
				 CHAM_CMD_CONFIG_GET);
	mutex_lock(&cham_config_lock);
	if (!hdr ||
	    nla_put_u8(msg, CHAM_A_CFG_ACCOUNTING,
		       READ_ONCE(cham_cycle_accounting)) ||
	    nla_put_u8(msg, CHAM_A_CFG_ENFORCEMENT, cham_enforcement) ||
	    nla_put_u32(msg, CHAM_A_CFG_CONTENTION_US, cham_contention_us) ||
	    nla_put_u32(msg, CHAM_A_CFG_TSC_KHZ, tsc_khz)) {
		mutex_unlock(&cham_config_lock);
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	mutex_unlock(&cham_config_lock);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
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
	mutex_unlock(&cham_config_lock);
	return 0;
}

/*
 * Tells listeners of the "events" group that a protocol was ejected. Runs
 * in softirq context, on the packet that made it happen.
 */
void cham_netlink_notify_ejected(const struct cham_tenant *tenant,
				 const struct cham_proto_ops *ops,
				 u32 violations)
{
	/* id, violations, the proto nest's flags and generation; two names */
	size_t size = 4 * nla_total_size(sizeof(u32)) + nla_total_size(0) +
		      2 * nla_total_size(CHAM_NAME_LEN);
	struct sk_buff *msg;
	void *hdr;

	if (!genl_has_listeners(&cham_genl_family, &init_net,
				CHAM_NL_MCGRP_EVENTS))
		return;
	msg = genlmsg_new(size, GFP_ATOMIC);
	if (!msg)
		return;
	hdr = cham_nl_put_header(msg, 0, 0, 0, CHAM_CMD_PROTO_EJECTED);
	if (!hdr ||
	    nla_put_u32(msg, CHAM_A_TENANT_ID, tenant->id) ||
	    nla_put_string(msg, CHAM_A_TENANT_NAME, tenant->name) ||
	    nla_put_u32(msg, CHAM_A_TENANT_VIOLATIONS, violations) ||
	    cham_nl_put_proto(msg, ops, false)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&cham_genl_family, msg, 0, CHAM_NL_MCGRP_EVENTS,
			  GFP_ATOMIC);
}

/*
 * Changes need CAP_NET_ADMIN. Checked here rather than with GENL_ADMIN_PERM
 * so that the refusal carries an extack message like every other one.
 */
#define CHAM_NL_ADMIN	BIT(0)

static int cham_nl_pre_doit(const struct genl_split_ops *ops,
			    struct sk_buff *skb, struct genl_info *info)
{
	if ((ops->internal_flags & CHAM_NL_ADMIN) &&
	    !netlink_capable(skb, CAP_NET_ADMIN)) {
		NL_SET_ERR_MSG(info->extack,
			       "changing Chamelio needs CAP_NET_ADMIN");
		return -EPERM;
	}
	return 0;
}

static const struct genl_ops cham_genl_ops[] = {
	{
		.cmd = CHAM_CMD_TENANT_NEW,
		.doit = cham_nl_tenant_new,
		.internal_flags = CHAM_NL_ADMIN,
	}, {
		.cmd = CHAM_CMD_TENANT_DEL,
		.doit = cham_nl_tenant_del,
		.internal_flags = CHAM_NL_ADMIN,
	}, {
		.cmd = CHAM_CMD_TENANT_GET,
		.doit = cham_nl_tenant_get,
		.dumpit = cham_nl_tenant_dump,
	}, {
		.cmd = CHAM_CMD_RULE_NEW,
		.doit = cham_nl_rule_new,
		.internal_flags = CHAM_NL_ADMIN,
	}, {
		.cmd = CHAM_CMD_RULE_DEL,
		.doit = cham_nl_rule_del,
		.internal_flags = CHAM_NL_ADMIN,
	}, {
		.cmd = CHAM_CMD_RULE_GET,
		.doit = cham_nl_rule_get,
		.dumpit = cham_nl_rule_dump,
	}, {
		.cmd = CHAM_CMD_PORT_NEW,
		.doit = cham_nl_port_new,
		.internal_flags = CHAM_NL_ADMIN,
	}, {
		.cmd = CHAM_CMD_PORT_DEL,
		.doit = cham_nl_port_del,
		.internal_flags = CHAM_NL_ADMIN,
	}, {
		.cmd = CHAM_CMD_PORT_GET,
		.dumpit = cham_nl_port_dump,
	}, {
		.cmd = CHAM_CMD_STATS_GET,
		.doit = cham_nl_stats_get,
		.dumpit = cham_nl_stats_dump,
	}, {
		.cmd = CHAM_CMD_TENANT_SET,
		.doit = cham_nl_tenant_set,
		.internal_flags = CHAM_NL_ADMIN,
	}, {
		.cmd = CHAM_CMD_CONFIG_GET,
		.doit = cham_nl_config_get,
	}, {
		.cmd = CHAM_CMD_CONFIG_SET,
		.doit = cham_nl_config_set,
		.internal_flags = CHAM_NL_ADMIN,
	},
};

static struct genl_family cham_genl_family __ro_after_init = {
	.name = CHAM_GENL_NAME,
	.version = CHAM_GENL_VERSION,
	.maxattr = CHAM_A_MAX,
	.policy = cham_policy,
	.pre_doit = cham_nl_pre_doit,
	.ops = cham_genl_ops,
	.n_ops = ARRAY_SIZE(cham_genl_ops),
	.mcgrps = cham_nl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(cham_nl_mcgrps),
	.module = THIS_MODULE,
};

int cham_netlink_init(void)
{
	return genl_register_family(&cham_genl_family);
}

void cham_netlink_exit(void)
{
	genl_unregister_family(&cham_genl_family);
}
