// SPDX-License-Identifier: GPL-2.0
/*
 * nl_bad_input - bad requests to the "chamelio" generic netlink family are
 * refused with the right errno and an extended ack, and change nothing.
 *
 * Usage: nl_bad_input
 *
 * Run as root with the module loaded and no tenant, rule or port it uses
 * (tenants 100 "nlt-a", 101 "nlt-b", 102 "nlt-c"; lo must not be a port).
 * It creates nlt-a and nlt-b (owned by nobody, uid 65534) with one rule
 * each, sends each bad request, checks the dumps and the global settings
 * did not change, checks what nobody (without capabilities) may read and
 * that every write is refused to it, then sets owner, sources and ports
 * and reads them back, and deletes what it created (lo is a port for a
 * moment). The slow path: bad agent requests (register, inject, msg) are
 * refused with their errno and extack, nobody cannot act for a tenant it
 * does not own, a second agent gets EBUSY until the first one's socket
 * closes, and only a valid injection counts. Output: one "ok - ..." or
 * "not ok - ..." line per check, diagnostics on "# " lines; the exit
 * status is 1 if any check failed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/chamelio.h>

#include "tap.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define TENANT_A_ID	100
#define TENANT_A_NAME	"nlt-a"
#define TENANT_B_ID	101
#define TENANT_B_NAME	"nlt-b"
/* A valid tenant that must never come to exist. */
#define SPARE_ID	102
#define SPARE_NAME	"nlt-c"

/*
 * Requests here are small. Replies: the kernel fills dump messages up to
 * 32 KiB when the reader's buffer is that large.
 */
#define REQUEST_SIZE	4096
#define RECEIVE_SIZE	32768

/* nobody/nogroup: switching to them from root drops every capability. */
#define UNPRIVILEGED_ID	65534

struct nl {
	struct mnl_socket *sock;
	uint16_t family;	/* id of the "chamelio" family */
	uint32_t seq;
};

/* Id of the family's "events" multicast group, 0 if unknown. */
static uint32_t events_group;

/* What the kernel answered to one request. */
struct answer {
	int error;		/* errno of the ack (or of NLMSG_DONE), 0 if none */
	char msg[256];		/* NLMSGERR_ATTR_MSG, "" if absent */
	unsigned int missing;	/* NLMSGERR_ATTR_MISS_TYPE, 0 if absent */
	unsigned int replies;	/* messages before the ack: replies, dump entries */
};

typedef void (*reply_fn)(const struct nlmsghdr *nlh, void *arg);
typedef void (*build_fn)(struct nlmsghdr *nlh);

static uint32_t lo_ifindex = 1;
static uint32_t rule_a_id;	/* the rule created for nlt-a */
static uint32_t rule_b_id;	/* the rule created for nlt-b */


static const char *errno_name(int err)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{ 0, "success" },
		{ EPERM, "EPERM" },
		{ ENOENT, "ENOENT" },
		{ EINVAL, "EINVAL" },
		{ ERANGE, "ERANGE" },
		{ EEXIST, "EEXIST" },
		{ ENODEV, "ENODEV" },
		{ EAFNOSUPPORT, "EAFNOSUPPORT" },
		{ EOPNOTSUPP, "EOPNOTSUPP" },
		{ EMSGSIZE, "EMSGSIZE" },
		{ ENOMEM, "ENOMEM" },
		{ E2BIG, "E2BIG" },
		{ EBUSY, "EBUSY" },
	};
	static char other[32];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].err == err)
			return names[i].name;
	snprintf(other, sizeof(other), "errno %d", err);
	return other;
}

/* ---- netlink plumbing ---------------------------------------------------- */

static int nl_open(struct nl *nl, uint16_t family)
{
	int one = 1;

	nl->family = family;
	nl->seq = 0;
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock)
		return -errno;
	/* Error text and missing-attribute reports, without the echoed request. */
	if (mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one)) ||
	    mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID)) {
		int err = -errno;

		mnl_socket_close(nl->sock);
		nl->sock = NULL;
		return err;
	}
	return 0;
}

static struct nlmsghdr *request(char *buf, uint16_t family, uint8_t cmd,
				uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	/* The controller and chamelio are both at version 1. */
	genl->version = CHAM_GENL_VERSION;
	return nlh;
}

static int ack_attr(const struct nlattr *attr, void *data)
{
	struct answer *ans = data;

	switch (mnl_attr_get_type(attr)) {
	case NLMSGERR_ATTR_MSG:
		if (!mnl_attr_validate(attr, MNL_TYPE_NUL_STRING))
			snprintf(ans->msg, sizeof(ans->msg), "%s",
				 mnl_attr_get_str(attr));
		break;
	case NLMSGERR_ATTR_MISS_TYPE:
		if (!mnl_attr_validate(attr, MNL_TYPE_U32))
			ans->missing = mnl_attr_get_u32(attr);
		break;
	}
	return MNL_CB_OK;
}

/* Reads the errno and the extended ack of NLMSG_ERROR or NLMSG_DONE. */
static void parse_ack(const struct nlmsghdr *nlh, struct answer *ans)
{
	size_t len = mnl_nlmsg_get_payload_len(nlh);
	const void *payload = mnl_nlmsg_get_payload(nlh);
	size_t tlv_offset;

	if (nlh->nlmsg_type == NLMSG_DONE) {
		int err;

		if (len < sizeof(err))
			return;
		memcpy(&err, payload, sizeof(err));
		ans->error = -err;
		tlv_offset = sizeof(err);
	} else {
		const struct nlmsgerr *err = payload;

		if (len < sizeof(*err)) {
			ans->error = EPROTO;
			return;
		}
		ans->error = -err->error;
		tlv_offset = sizeof(*err);
		/* The request is echoed unless the kernel honoured CAP_ACK. */
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			tlv_offset += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
	}
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
		mnl_attr_parse(nlh, tlv_offset, ack_attr, ans);
}

/*
 * Sends @req and reads until its ack (or the end of the dump), handing
 * every other message to @fn. Returns 0 with @ans filled in, or a negative
 * errno when the socket itself failed.
 */
static int transact(struct nl *nl, struct nlmsghdr *req, reply_fn fn,
		    void *arg, struct answer *ans)
{
	static char buf[RECEIVE_SIZE];
	bool dump = (req->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;

	memset(ans, 0, sizeof(*ans));
	req->nlmsg_seq = ++nl->seq;
	/* A dump ends with NLMSG_DONE; anything else must be acked. */
	if (!dump)
		req->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0)
		return -errno;

	for (;;) {
		int len = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		const struct nlmsghdr *nlh = (const void *)buf;

		if (len < 0)
			return -errno;
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_seq != req->nlmsg_seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR ||
			    nlh->nlmsg_type == NLMSG_DONE) {
				parse_ack(nlh, ans);
				return 0;
			}
			ans->replies++;
			if (fn)
				fn(nlh, arg);
		}
	}
}

/* Builds a request with @build and sends it; the answer goes to @ans. */
static int send_request(struct nl *nl, uint8_t cmd, uint16_t flags,
			build_fn build, reply_fn fn, void *arg,
			struct answer *ans)
{
	static char buf[REQUEST_SIZE];
	struct nlmsghdr *nlh = request(buf, nl->family, cmd, flags);

	if (build)
		build(nlh);
	return transact(nl, nlh, fn, arg, ans);
}

/* One group of CTRL_ATTR_MCAST_GROUPS: notes the id of "events". */
static int mcast_group_attr(const struct nlattr *attr, void *data)
{
	const struct nlattr *inner;
	const char *name = NULL;
	uint32_t id = 0;

	mnl_attr_for_each_nested(inner, attr) {
		if (mnl_attr_get_type(inner) == CTRL_ATTR_MCAST_GRP_NAME &&
		    !mnl_attr_validate(inner, MNL_TYPE_NUL_STRING))
			name = mnl_attr_get_str(inner);
		else if (mnl_attr_get_type(inner) == CTRL_ATTR_MCAST_GRP_ID &&
			 !mnl_attr_validate(inner, MNL_TYPE_U32))
			id = mnl_attr_get_u32(inner);
	}
	if (name && !strcmp(name, CHAM_GENL_MCGRP_EVENTS))
		events_group = id;
	return MNL_CB_OK;
}

static int family_id_attr(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
	    !mnl_attr_validate(attr, MNL_TYPE_U16))
		*(uint16_t *)data = mnl_attr_get_u16(attr);
	else if (mnl_attr_get_type(attr) == CTRL_ATTR_MCAST_GROUPS)
		mnl_attr_parse_nested(attr, mcast_group_attr, NULL);
	return MNL_CB_OK;
}

static void family_id_reply(const struct nlmsghdr *nlh, void *arg)
{
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_id_attr, arg);
}

static int resolve_family(struct nl *nl)
{
	char buf[REQUEST_SIZE];
	struct nlmsghdr *nlh = request(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	uint16_t id = 0;
	struct answer ans;
	int err;

	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, CHAM_GENL_NAME);
	err = transact(nl, nlh, family_id_reply, &id, &ans);
	if (err)
		return err;
	if (ans.error)
		return -ans.error;
	if (!id)
		return -ENOENT;
	nl->family = id;
	return 0;
}

/* ---- request builders ---------------------------------------------------- */

static void put_tenant(struct nlmsghdr *nlh, uint32_t id, const char *name)
{
	mnl_attr_put_u32(nlh, CHAM_A_TENANT_ID, id);
	mnl_attr_put_strz(nlh, CHAM_A_TENANT_NAME, name);
}

/* An IPv4 UDP rule; @prefix is dotted-quad. */
static void put_rule_v4(struct nlmsghdr *nlh, const char *prefix, uint8_t len,
			uint16_t port_min, uint16_t port_max)
{
	struct in_addr dst;

	inet_pton(AF_INET, prefix, &dst);
	mnl_attr_put_u8(nlh, CHAM_A_RULE_FAMILY, AF_INET);
	mnl_attr_put(nlh, CHAM_A_RULE_DST, sizeof(dst), &dst);
	mnl_attr_put_u8(nlh, CHAM_A_RULE_PREFIX_LEN, len);
	mnl_attr_put_u8(nlh, CHAM_A_RULE_L4_PROTO, IPPROTO_UDP);
	mnl_attr_put_u16(nlh, CHAM_A_RULE_PORT_MIN, port_min);
	mnl_attr_put_u16(nlh, CHAM_A_RULE_PORT_MAX, port_max);
}

static void tenant_a(struct nlmsghdr *nlh)
{
	put_tenant(nlh, TENANT_A_ID, TENANT_A_NAME);
}

/* nlt-b belongs to nobody, the uid the unprivileged requests run as. */
static void tenant_b(struct nlmsghdr *nlh)
{
	put_tenant(nlh, TENANT_B_ID, TENANT_B_NAME);
	mnl_attr_put_u32(nlh, CHAM_A_TENANT_OWNER, UNPRIVILEGED_ID);
}

static void tenant_spare(struct nlmsghdr *nlh)
{
	put_tenant(nlh, SPARE_ID, SPARE_NAME);
}

static void rule_a(struct nlmsghdr *nlh)
{
	mnl_attr_put_strz(nlh, CHAM_A_TENANT_NAME, TENANT_A_NAME);
	put_rule_v4(nlh, "10.99.0.0", 16, 1000, 2000);
}

static void rule_b(struct nlmsghdr *nlh)
{
	mnl_attr_put_strz(nlh, CHAM_A_TENANT_NAME, TENANT_B_NAME);
	put_rule_v4(nlh, "10.97.0.0", 16, 1000, 2000);
}

/* Valid and overlapping nothing: only the tenant can make it fail. */
static void rule_spare(struct nlmsghdr *nlh)
{
	mnl_attr_put_strz(nlh, CHAM_A_TENANT_NAME, TENANT_A_NAME);
	put_rule_v4(nlh, "10.98.0.0", 16, 1000, 2000);
}

static void tenant_no_name(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, CHAM_A_TENANT_ID, SPARE_ID);
}

static void tenant_no_id(struct nlmsghdr *nlh)
{
	mnl_attr_put_strz(nlh, CHAM_A_TENANT_NAME, SPARE_NAME);
}

static void tenant_empty_name(struct nlmsghdr *nlh)
{
	put_tenant(nlh, SPARE_ID, "");
}

/* 40 characters: longer than CHAM_NAME_LEN - 1, the policy's limit. */
static void tenant_long_name(struct nlmsghdr *nlh)
{
	char name[41];

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	put_tenant(nlh, SPARE_ID, name);
}

static void tenant_id_one_byte(struct nlmsghdr *nlh)
{
	mnl_attr_put_u8(nlh, CHAM_A_TENANT_ID, SPARE_ID);
	mnl_attr_put_strz(nlh, CHAM_A_TENANT_NAME, SPARE_NAME);
}

static void tenant_id_zero(struct nlmsghdr *nlh)
{
	put_tenant(nlh, 0, SPARE_NAME);
}

static void tenant_id_70000(struct nlmsghdr *nlh)
{
	put_tenant(nlh, 70000, SPARE_NAME);
}

static void tenant_verdict_7(struct nlmsghdr *nlh)
{
	tenant_spare(nlh);
	mnl_attr_put_u8(nlh, CHAM_A_TENANT_DEFAULT_VERDICT, 7);
}

static void tenant_dup_id(struct nlmsghdr *nlh)
{
	put_tenant(nlh, TENANT_A_ID, SPARE_NAME);
}

static void tenant_dup_name(struct nlmsghdr *nlh)
{
	put_tenant(nlh, SPARE_ID, TENANT_A_NAME);
}

static void tenant_unknown_attr(struct nlmsghdr *nlh)
{
	tenant_spare(nlh);
	mnl_attr_put_u32(nlh, 200, 0);
}

static void tenant_with_stats(struct nlmsghdr *nlh)
{
	tenant_spare(nlh);
	/* Without NLA_F_NESTED, so that the policy's reject message answers. */
	mnl_attr_put(nlh, CHAM_A_STATS, 0, NULL);
}

static void rule_unknown_tenant_name(struct nlmsghdr *nlh)
{
	mnl_attr_put_strz(nlh, CHAM_A_TENANT_NAME, "nope");
	put_rule_v4(nlh, "10.98.0.0", 16, 1000, 2000);
}

static void rule_unknown_tenant_id(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, CHAM_A_TENANT_ID, 999);
	put_rule_v4(nlh, "10.98.0.0", 16, 1000, 2000);
}

static void put_rule_raw_dst(struct nlmsghdr *nlh, uint8_t family,
			     size_t dst_len, uint8_t prefix_len)
{
	static const uint8_t dst[17] = { 10, 98 };

	mnl_attr_put_strz(nlh, CHAM_A_TENANT_NAME, TENANT_A_NAME);
	mnl_attr_put_u8(nlh, CHAM_A_RULE_FAMILY, family);
	mnl_attr_put(nlh, CHAM_A_RULE_DST, dst_len, dst);
	mnl_attr_put_u8(nlh, CHAM_A_RULE_PREFIX_LEN, prefix_len);
	mnl_attr_put_u8(nlh, CHAM_A_RULE_L4_PROTO, IPPROTO_UDP);
}

static void rule_dst_5_bytes(struct nlmsghdr *nlh)
{
	put_rule_raw_dst(nlh, AF_INET, 5, 16);
}

static void rule_dst_17_bytes(struct nlmsghdr *nlh)
{
	put_rule_raw_dst(nlh, AF_INET, 17, 16);
}

static void rule_prefix_33(struct nlmsghdr *nlh)
{
	put_rule_raw_dst(nlh, AF_INET, 4, 33);
}

/* Between AF_INET and AF_INET6: the policy admits exactly those two. */
static void rule_family_3(struct nlmsghdr *nlh)
{
	put_rule_raw_dst(nlh, 3, 4, 16);
}

static void rule_empty_port_range(struct nlmsghdr *nlh)
{
	mnl_attr_put_strz(nlh, CHAM_A_TENANT_NAME, TENANT_A_NAME);
	put_rule_v4(nlh, "10.98.0.0", 16, 2000, 1000);
}

static void rule_overlapping(struct nlmsghdr *nlh)
{
	mnl_attr_put_strz(nlh, CHAM_A_TENANT_NAME, TENANT_B_NAME);
	put_rule_v4(nlh, "10.99.1.0", 24, 1500, 1500);
}

static void rule_id_unknown(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, CHAM_A_RULE_ID, 99999);
}

static void rule_id_a(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, CHAM_A_RULE_ID, rule_a_id);
}

static void rule_id_b(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, CHAM_A_RULE_ID, rule_b_id);
}

static void port_no_such_device(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, CHAM_A_PORT_IFINDEX, 99999);
}

static void port_lo(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, CHAM_A_PORT_IFINDEX, lo_ifindex);
}

static void name_a(struct nlmsghdr *nlh)
{
	mnl_attr_put_strz(nlh, CHAM_A_TENANT_NAME, TENANT_A_NAME);
}

static void name_b(struct nlmsghdr *nlh)
{
	mnl_attr_put_strz(nlh, CHAM_A_TENANT_NAME, TENANT_B_NAME);
}

static void id_spare(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, CHAM_A_TENANT_ID, SPARE_ID);
}

/*
 * Time protection: TENANT_SET of nlt-a (or TENANT_NEW of nlt-c) with one
 * knob. Each builder is one line: a knob, its width and its value.
 */
#define KNOB_BUILDER(fn, target, put, attr, value)			\
static void fn(struct nlmsghdr *nlh)					\
{									\
	target(nlh);							\
	put(nlh, attr, value);						\
}

KNOB_BUILDER(set_share_0, name_a, mnl_attr_put_u32, CHAM_A_TENANT_SHARE, 0)
KNOB_BUILDER(set_share_10001, name_a, mnl_attr_put_u32, CHAM_A_TENANT_SHARE,
	     CHAM_SHARE_SCALE + 1)
KNOB_BUILDER(set_burst_0, name_a, mnl_attr_put_u32, CHAM_A_TENANT_BURST_US, 0)
KNOB_BUILDER(set_burst_1000001, name_a, mnl_attr_put_u32,
	     CHAM_A_TENANT_BURST_US, 1000001)
KNOB_BUILDER(set_policy_2, name_a, mnl_attr_put_u8, CHAM_A_TENANT_POLICY,
	     __CHAM_BUDGET_MAX)
KNOB_BUILDER(set_ecn_threshold_101, name_a, mnl_attr_put_u8,
	     CHAM_A_TENANT_ECN_THRESHOLD, 101)
KNOB_BUILDER(set_accounting_2, name_a, mnl_attr_put_u8,
	     CHAM_A_TENANT_ACCOUNTING, 2)
KNOB_BUILDER(set_enforcement_2, name_a, mnl_attr_put_u8,
	     CHAM_A_TENANT_ENFORCEMENT, 2)
KNOB_BUILDER(set_ceiling_too_long, name_a, mnl_attr_put_u32,
	     CHAM_A_TENANT_CEILING_NS, 1000000001)
KNOB_BUILDER(set_ejections, name_a, mnl_attr_put_u32,
	     CHAM_A_TENANT_EJECTIONS, 0)
KNOB_BUILDER(set_violations, name_a, mnl_attr_put_u32,
	     CHAM_A_TENANT_VIOLATIONS, 0)
/* Wrong widths: each knob one size off its policy's. */
KNOB_BUILDER(set_share_u8, name_a, mnl_attr_put_u8, CHAM_A_TENANT_SHARE, 50)
KNOB_BUILDER(set_burst_u64, name_a, mnl_attr_put_u64, CHAM_A_TENANT_BURST_US,
	     500)
KNOB_BUILDER(set_policy_u32, name_a, mnl_attr_put_u32, CHAM_A_TENANT_POLICY,
	     CHAM_BUDGET_ECN)
KNOB_BUILDER(set_ceiling_u16, name_a, mnl_attr_put_u16,
	     CHAM_A_TENANT_CEILING_NS, 1000)
KNOB_BUILDER(new_share_0, tenant_spare, mnl_attr_put_u32, CHAM_A_TENANT_SHARE,
	     0)
KNOB_BUILDER(new_policy_2, tenant_spare, mnl_attr_put_u8, CHAM_A_TENANT_POLICY,
	     __CHAM_BUDGET_MAX)
KNOB_BUILDER(new_ejections, tenant_spare, mnl_attr_put_u32,
	     CHAM_A_TENANT_EJECTIONS, 1)
/* Valid, but for a tenant that does not exist. */
KNOB_BUILDER(set_share_unknown_name, tenant_no_id, mnl_attr_put_u32,
	     CHAM_A_TENANT_SHARE, 5000)
KNOB_BUILDER(set_share_unknown_id, id_spare, mnl_attr_put_u32,
	     CHAM_A_TENANT_SHARE, 5000)
/* Valid, refused only to the unprivileged. */
KNOB_BUILDER(set_share_a, name_a, mnl_attr_put_u32, CHAM_A_TENANT_SHARE, 5000)

static void no_tenant(struct nlmsghdr *nlh)
{
}

/* A valid knob but no tenant to apply it to. */
KNOB_BUILDER(set_share_no_tenant, no_tenant, mnl_attr_put_u32,
	     CHAM_A_TENANT_SHARE, 5000)

/* Global settings. */
KNOB_BUILDER(cfg_contention_0, no_tenant, mnl_attr_put_u32,
	     CHAM_A_CFG_CONTENTION_US, 0)
KNOB_BUILDER(cfg_contention_1000001, no_tenant, mnl_attr_put_u32,
	     CHAM_A_CFG_CONTENTION_US, 1000001)
KNOB_BUILDER(cfg_accounting_2, no_tenant, mnl_attr_put_u8,
	     CHAM_A_CFG_ACCOUNTING, 2)
KNOB_BUILDER(cfg_enforcement_2, no_tenant, mnl_attr_put_u8,
	     CHAM_A_CFG_ENFORCEMENT, 2)
KNOB_BUILDER(cfg_tsc_khz, no_tenant, mnl_attr_put_u32, CHAM_A_CFG_TSC_KHZ,
	     1000000)
KNOB_BUILDER(cfg_contention_u16, no_tenant, mnl_attr_put_u16,
	     CHAM_A_CFG_CONTENTION_US, 100)
KNOB_BUILDER(cfg_contention_3000, no_tenant, mnl_attr_put_u32,
	     CHAM_A_CFG_CONTENTION_US, 3000)

/* ---- guests ---------------------------------------------------------------- */

/*
 * A guest of tenant A on lo (a device the test does not own as a guest
 * link); @mac and @addr vary what is wrong with it.
 */
static void put_guest(struct nlmsghdr *nlh, const uint8_t *mac,
		      const char *addr, uint8_t prefix_len)
{
	struct nlattr *nest, *entry;
	struct in_addr in;

	mnl_attr_put_u32(nlh, CHAM_A_GUEST_ID, 7);
	mnl_attr_put_strz(nlh, CHAM_A_GUEST_NAME, "nlt-g");
	mnl_attr_put_strz(nlh, CHAM_A_TENANT_NAME, TENANT_A_NAME);
	mnl_attr_put_u32(nlh, CHAM_A_GUEST_IFINDEX, lo_ifindex);
	if (mac)
		mnl_attr_put(nlh, CHAM_A_GUEST_MAC, 6, mac);
	if (!addr)
		return;
	inet_pton(AF_INET, addr, &in);
	nest = mnl_attr_nest_start(nlh, CHAM_A_GUEST_ADDRS);
	entry = mnl_attr_nest_start(nlh, CHAM_A_SOURCES_ENTRY);
	mnl_attr_put_u8(nlh, CHAM_A_SOURCE_FAMILY, AF_INET);
	mnl_attr_put(nlh, CHAM_A_SOURCE_ADDR, 4, &in);
	mnl_attr_put_u8(nlh, CHAM_A_SOURCE_PREFIX_LEN, prefix_len);
	mnl_attr_nest_end(nlh, entry);
	mnl_attr_nest_end(nlh, nest);
}

static const uint8_t guest_mac[6] = { 0x02, 0, 0, 0, 0, 0x07 };
static const uint8_t multicast_mac[6] = { 0x01, 0, 0x5e, 0, 0, 1 };

static void guest_no_mac(struct nlmsghdr *nlh)
{
	put_guest(nlh, NULL, NULL, 0);
}

static void guest_multicast_mac(struct nlmsghdr *nlh)
{
	put_guest(nlh, multicast_mac, NULL, 0);
}

static void guest_short_mac(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, CHAM_A_GUEST_ID, 7);
	mnl_attr_put_strz(nlh, CHAM_A_GUEST_NAME, "nlt-g");
	mnl_attr_put_strz(nlh, CHAM_A_TENANT_NAME, TENANT_A_NAME);
	mnl_attr_put_u32(nlh, CHAM_A_GUEST_IFINDEX, lo_ifindex);
	mnl_attr_put(nlh, CHAM_A_GUEST_MAC, 4, guest_mac);
}

static void guest_broadcast_addr(struct nlmsghdr *nlh)
{
	put_guest(nlh, guest_mac, "255.255.255.255", 32);
}

static void guest_whole_space(struct nlmsghdr *nlh)
{
	put_guest(nlh, guest_mac, "128.0.0.0", 1);
}

static void guest_id_0(struct nlmsghdr *nlh)
{
	put_guest(nlh, guest_mac, NULL, 0);
	mnl_attr_put_u32(nlh, CHAM_A_GUEST_ID, 0);
}

/* Valid but for the caller's privilege (and lo not being a veth). */
static void guest_valid(struct nlmsghdr *nlh)
{
	put_guest(nlh, guest_mac, "10.98.0.7", 32);
}

static void guest_unknown_tenant(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, CHAM_A_GUEST_ID, 7);
	mnl_attr_put_strz(nlh, CHAM_A_GUEST_NAME, "nlt-g");
	mnl_attr_put_strz(nlh, CHAM_A_TENANT_NAME, SPARE_NAME);
	mnl_attr_put_u32(nlh, CHAM_A_GUEST_IFINDEX, lo_ifindex);
	mnl_attr_put(nlh, CHAM_A_GUEST_MAC, 6, guest_mac);
}

static void guest_name_nosuch(struct nlmsghdr *nlh)
{
	mnl_attr_put_strz(nlh, CHAM_A_GUEST_NAME, "nlt-nosuch");
}

static void guest_get_with_mac(struct nlmsghdr *nlh)
{
	guest_name_nosuch(nlh);
	mnl_attr_put(nlh, CHAM_A_GUEST_MAC, 6, guest_mac);
}

/* ---- the slow path ------------------------------------------------------- */

/* Slow-path knobs: each one past its end. */
KNOB_BUILDER(set_punt_queue_0, name_a, mnl_attr_put_u32,
	     CHAM_A_TENANT_PUNT_QUEUE, 0)
KNOB_BUILDER(set_punt_queue_over, name_a, mnl_attr_put_u32,
	     CHAM_A_TENANT_PUNT_QUEUE, CHAM_PUNT_QUEUE_MAX + 1)
KNOB_BUILDER(set_timers_over, name_a, mnl_attr_put_u32,
	     CHAM_A_TENANT_TIMERS_MAX, CHAM_TIMERS_MAX + 1)
KNOB_BUILDER(new_punt_queue_0, tenant_spare, mnl_attr_put_u32,
	     CHAM_A_TENANT_PUNT_QUEUE, 0)
KNOB_BUILDER(new_timers_over, tenant_spare, mnl_attr_put_u32,
	     CHAM_A_TENANT_TIMERS_MAX, CHAM_TIMERS_MAX + 1)
KNOB_BUILDER(set_punt_queue_u8, name_a, mnl_attr_put_u8,
	     CHAM_A_TENANT_PUNT_QUEUE, 16)
/* Read-only: what the kernel reports, never takes. */
KNOB_BUILDER(set_agent_portid, name_a, mnl_attr_put_u32,
	     CHAM_A_TENANT_AGENT_PORTID, 1)
KNOB_BUILDER(set_timers_armed, name_a, mnl_attr_put_u32,
	     CHAM_A_TENANT_TIMERS_ARMED, 0)
/* The ends of the ranges, which are taken. */
KNOB_BUILDER(set_punt_queue_1, name_a, mnl_attr_put_u32,
	     CHAM_A_TENANT_PUNT_QUEUE, 1)
KNOB_BUILDER(set_timers_0, name_a, mnl_attr_put_u32,
	     CHAM_A_TENANT_TIMERS_MAX, 0)

static void set_slowpath_most(struct nlmsghdr *nlh)
{
	name_a(nlh);
	mnl_attr_put_u32(nlh, CHAM_A_TENANT_PUNT_QUEUE, CHAM_PUNT_QUEUE_MAX);
	mnl_attr_put_u32(nlh, CHAM_A_TENANT_TIMERS_MAX, CHAM_TIMERS_MAX);
}

/* The longest frame the tests build: headers and a little payload. */
#define FRAME_ROOM	128

struct frame {
	uint8_t bytes[FRAME_ROOM];
	size_t len;
};

/* The Internet checksum of @len bytes (even) at @data. */
static uint16_t ip_checksum(const uint8_t *data, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += data[i] << 8 | data[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

/*
 * An IPv4 UDP frame that parses: from Ethernet @src_mac (lo's address is
 * all zeros), from @src:@sport to @dst:@dport, with a 4-byte payload and
 * no UDP checksum (allowed over IPv4).
 */
static void udp_frame(struct frame *f, const uint8_t src_mac[6],
		      const char *src, uint16_t sport, const char *dst,
		      uint16_t dport)
{
	static const uint8_t dst_mac[6] = { 0x02, 0, 0, 0, 0, 0x99 };
	uint8_t *eth = f->bytes, *ip = eth + 14, *udp = ip + 20;
	const size_t payload = 4;
	uint16_t csum;

	memset(f, 0, sizeof(*f));
	memcpy(eth, dst_mac, 6);
	memcpy(eth + 6, src_mac, 6);
	eth[12] = 0x08;				/* ETH_P_IP */
	ip[0] = 0x45;				/* IPv4, 20-byte header */
	ip[2] = 0;
	ip[3] = 20 + 8 + payload;		/* total length */
	ip[8] = 64;				/* TTL */
	ip[9] = IPPROTO_UDP;
	inet_pton(AF_INET, src, ip + 12);
	inet_pton(AF_INET, dst, ip + 16);
	csum = ip_checksum(ip, 20);
	ip[10] = csum >> 8;
	ip[11] = csum & 0xff;
	udp[0] = sport >> 8;
	udp[1] = sport & 0xff;
	udp[2] = dport >> 8;
	udp[3] = dport & 0xff;
	udp[5] = 8 + payload;			/* UDP length */
	memcpy(udp + 8, "ping", payload);
	f->len = 14 + 20 + 8 + payload;
}

static const uint8_t zero_mac[6];

/* From nlt-a's own address and port (its rule's destination) to TEST-NET-1. */
static void frame_a(struct frame *f)
{
	udp_frame(f, zero_mac, "10.99.0.1", 1500, "192.0.2.1", 9);
}

static void put_frame(struct nlmsghdr *nlh, const struct frame *f)
{
	mnl_attr_put(nlh, CHAM_A_AGENT_FRAME, f->len, f->bytes);
}

/* AGENT_INJECT through @tenant of @f: to port @ifindex and/or guest @guest (0: none). */
static void inject(struct nlmsghdr *nlh, const char *tenant,
		   const struct frame *f, uint32_t ifindex, uint32_t guest)
{
	mnl_attr_put_strz(nlh, CHAM_A_TENANT_NAME, tenant);
	if (f)
		put_frame(nlh, f);
	if (ifindex)
		mnl_attr_put_u32(nlh, CHAM_A_AGENT_IFINDEX, ifindex);
	if (guest)
		mnl_attr_put_u32(nlh, CHAM_A_GUEST_ID, guest);
}

/* Shorter than CHAM_AGENT_FRAME_MIN: not even an Ethernet header. */
static void inject_truncated(struct nlmsghdr *nlh)
{
	struct frame f;

	frame_a(&f);
	f.len = CHAM_AGENT_FRAME_MIN - 4;
	inject(nlh, TENANT_A_NAME, &f, lo_ifindex, 0);
}

/* 20 bytes: an Ethernet header of ARP and 6 bytes; no IP to parse. */
static void inject_not_ip(struct nlmsghdr *nlh)
{
	struct frame f;

	frame_a(&f);
	f.bytes[12] = 0x08;
	f.bytes[13] = 0x06;			/* ETH_P_ARP */
	f.len = 20;
	inject(nlh, TENANT_A_NAME, &f, lo_ifindex, 0);
}

/* IPv4 whose header says 20 bytes, in a 20-byte frame (6 of IP). */
static void inject_truncated_ip(struct nlmsghdr *nlh)
{
	struct frame f;

	frame_a(&f);
	f.len = 20;
	inject(nlh, TENANT_A_NAME, &f, lo_ifindex, 0);
}

static void inject_no_frame(struct nlmsghdr *nlh)
{
	inject(nlh, TENANT_A_NAME, NULL, lo_ifindex, 0);
}

static void inject_no_target(struct nlmsghdr *nlh)
{
	struct frame f;

	frame_a(&f);
	inject(nlh, TENANT_A_NAME, &f, 0, 0);
}

static void inject_both_targets(struct nlmsghdr *nlh)
{
	struct frame f;

	frame_a(&f);
	inject(nlh, TENANT_A_NAME, &f, lo_ifindex, 7);
}

static void inject_unknown_guest(struct nlmsghdr *nlh)
{
	struct frame f;

	frame_a(&f);
	inject(nlh, TENANT_A_NAME, &f, 0, 999);
}

/* nlt-b's own source, to a guest that does not exist. */
static void inject_b_unknown_guest(struct nlmsghdr *nlh)
{
	struct frame f;

	udp_frame(&f, zero_mac, "10.97.0.1", 1500, "192.0.2.1", 9);
	inject(nlh, TENANT_B_NAME, &f, 0, 999);
}

static void inject_unknown_port(struct nlmsghdr *nlh)
{
	struct frame f;

	frame_a(&f);
	inject(nlh, TENANT_A_NAME, &f, 99999, 0);
}

static void inject_ifindex_0(struct nlmsghdr *nlh)
{
	struct frame f;

	frame_a(&f);
	inject(nlh, TENANT_A_NAME, &f, 0, 0);
	mnl_attr_put_u32(nlh, CHAM_A_AGENT_IFINDEX, 0);
}

static void inject_unknown_tenant(struct nlmsghdr *nlh)
{
	struct frame f;

	frame_a(&f);
	inject(nlh, SPARE_NAME, &f, lo_ifindex, 0);
}

static void inject_with_msg_type(struct nlmsghdr *nlh)
{
	struct frame f;

	frame_a(&f);
	inject(nlh, TENANT_A_NAME, &f, lo_ifindex, 0);
	mnl_attr_put_u32(nlh, CHAM_A_AGENT_MSG_TYPE, 1);
}

/* Valid for nlt-a once lo is its port: what the test sends successfully. */
static void inject_a_lo(struct nlmsghdr *nlh)
{
	struct frame f;

	frame_a(&f);
	inject(nlh, TENANT_A_NAME, &f, lo_ifindex, 0);
}

/* From an address no rule of nlt-a's covers, and none of its sources. */
static void inject_a_foreign_source(struct nlmsghdr *nlh)
{
	struct frame f;

	udp_frame(&f, zero_mac, "10.50.0.1", 1500, "192.0.2.1", 9);
	inject(nlh, TENANT_A_NAME, &f, lo_ifindex, 0);
}

/* nlt-a's source, but not from the port's Ethernet address. */
static void inject_a_foreign_mac(struct nlmsghdr *nlh)
{
	static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x42 };
	struct frame f;

	udp_frame(&f, mac, "10.99.0.1", 1500, "192.0.2.1", 9);
	inject(nlh, TENANT_A_NAME, &f, lo_ifindex, 0);
}

/* nlt-b's own source, out of lo, which is not nlt-b's port. */
static void inject_b_lo(struct nlmsghdr *nlh)
{
	struct frame f;

	udp_frame(&f, zero_mac, "10.97.0.1", 1500, "192.0.2.1", 9);
	inject(nlh, TENANT_B_NAME, &f, lo_ifindex, 0);
}

static void msg(struct nlmsghdr *nlh, const char *tenant, size_t data_len)
{
	static const uint8_t data[CHAM_AGENT_MSG_MAX + 1];

	mnl_attr_put_strz(nlh, CHAM_A_TENANT_NAME, tenant);
	mnl_attr_put_u32(nlh, CHAM_A_AGENT_MSG_TYPE, 1);
	mnl_attr_put_u32(nlh, CHAM_A_AGENT_MSG_FLOW, 5);
	mnl_attr_put(nlh, CHAM_A_AGENT_MSG_DATA, data_len, data);
}

static void msg_a(struct nlmsghdr *nlh)
{
	msg(nlh, TENANT_A_NAME, 4);
}

static void msg_b(struct nlmsghdr *nlh)
{
	msg(nlh, TENANT_B_NAME, 4);
}

static void msg_a_oversized(struct nlmsghdr *nlh)
{
	msg(nlh, TENANT_A_NAME, CHAM_AGENT_MSG_MAX + 1);
}

static void msg_unknown_tenant(struct nlmsghdr *nlh)
{
	msg(nlh, SPARE_NAME, 4);
}

static void msg_a_no_type(struct nlmsghdr *nlh)
{
	name_a(nlh);
	mnl_attr_put(nlh, CHAM_A_AGENT_MSG_DATA, 4, "ping");
}

static void msg_a_type_u16(struct nlmsghdr *nlh)
{
	name_a(nlh);
	mnl_attr_put_u16(nlh, CHAM_A_AGENT_MSG_TYPE, 1);
}

/* ---- attributes a command does not take ---------------------------------- */

static void del_with_rule_family(struct nlmsghdr *nlh)
{
	name_a(nlh);
	mnl_attr_put_u8(nlh, CHAM_A_RULE_FAMILY, AF_INET);
}

static void rule_get_with_tenant(struct nlmsghdr *nlh)
{
	rule_id_a(nlh);
	mnl_attr_put_strz(nlh, CHAM_A_TENANT_NAME, TENANT_A_NAME);
}

static void port_new_with_ifname(struct nlmsghdr *nlh)
{
	port_lo(nlh);
	mnl_attr_put_strz(nlh, CHAM_A_PORT_IFNAME, "lo");
}

/* Sources and ports are set with TENANT_SET, not TENANT_NEW. */
static void new_with_sources(struct nlmsghdr *nlh)
{
	tenant_spare(nlh);
	mnl_attr_nest_end(nlh, mnl_attr_nest_start(nlh, CHAM_A_TENANT_SOURCES));
}

static void config_set_with_tenant(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, CHAM_A_CFG_CONTENTION_US, 3000);
	mnl_attr_put_u32(nlh, CHAM_A_TENANT_ID, TENANT_A_ID);
}

/* A dump takes no attributes at all. */
static void dump_with_id(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, CHAM_A_TENANT_ID, TENANT_A_ID);
}

/* ---- owners, sources and ports --------------------------------------------- */

KNOB_BUILDER(set_owner_invalid, name_a, mnl_attr_put_u32, CHAM_A_TENANT_OWNER,
	     UINT32_MAX)
KNOB_BUILDER(new_owner_invalid, tenant_spare, mnl_attr_put_u32,
	     CHAM_A_TENANT_OWNER, UINT32_MAX)
KNOB_BUILDER(set_owner_1234, name_a, mnl_attr_put_u32, CHAM_A_TENANT_OWNER,
	     1234)
KNOB_BUILDER(set_owner_root, name_a, mnl_attr_put_u32, CHAM_A_TENANT_OWNER, 0)
/* Valid, but nlt-b's owner is no admin. */
KNOB_BUILDER(set_owner_b_self, name_b, mnl_attr_put_u32, CHAM_A_TENANT_OWNER,
	     UNPRIVILEGED_ID)

struct source {
	uint8_t family;
	const char *addr;	/* in the family's notation */
	size_t addr_len;	/* bytes sent: the family's, or a wrong length */
	int prefix_len;		/* -1: none */
};

static void put_source(struct nlmsghdr *nlh, const struct source *src)
{
	uint8_t addr[17] = { 0 };
	struct nlattr *entry;

	inet_pton(src->family == AF_INET6 ? AF_INET6 : AF_INET, src->addr,
		  addr);
	entry = mnl_attr_nest_start(nlh, CHAM_A_SOURCES_ENTRY);
	mnl_attr_put_u8(nlh, CHAM_A_SOURCE_FAMILY, src->family);
	if (src->addr_len)
		mnl_attr_put(nlh, CHAM_A_SOURCE_ADDR, src->addr_len, addr);
	if (src->prefix_len >= 0)
		mnl_attr_put_u8(nlh, CHAM_A_SOURCE_PREFIX_LEN, src->prefix_len);
	mnl_attr_nest_end(nlh, entry);
}

/* TENANT_SET of nlt-a with @n copies of @src as its sources. */
static void set_sources(struct nlmsghdr *nlh, const struct source *src,
			unsigned int n)
{
	struct nlattr *nest;

	name_a(nlh);
	nest = mnl_attr_nest_start(nlh, CHAM_A_TENANT_SOURCES);
	while (n--)
		put_source(nlh, src);
	mnl_attr_nest_end(nlh, nest);
}

#define SOURCES_BUILDER(fn, n, ...)					\
static void fn(struct nlmsghdr *nlh)					\
{									\
	static const struct source src = { __VA_ARGS__ };		\
									\
	set_sources(nlh, &src, n);					\
}

SOURCES_BUILDER(set_sources_family_3, 1, 3, "10.1.0.0", 4, 16)
SOURCES_BUILDER(set_sources_v4_16_bytes, 1, AF_INET, "10.1.0.0", 16, 16)
SOURCES_BUILDER(set_sources_v6_4_bytes, 1, AF_INET6, "2001:db8::", 4, 64)
SOURCES_BUILDER(set_sources_prefix_33, 1, AF_INET, "10.1.0.0", 4, 33)
SOURCES_BUILDER(set_sources_v6_prefix_129, 1, AF_INET6, "2001:db8::", 16, 129)
SOURCES_BUILDER(set_sources_no_addr, 1, AF_INET, "10.1.0.0", 0, 16)
SOURCES_BUILDER(set_sources_17, 17, AF_INET, "10.1.0.0", 4, 16)
SOURCES_BUILDER(set_sources_16, 16, AF_INET, "10.1.0.0", 4, 16)
/* As ip route does, host bits are a typo the kernel refuses, not clears. */
SOURCES_BUILDER(set_sources_host_bits, 1, AF_INET, "10.1.2.3", 4, 16)

/* Two prefixes, one of each family: 10.1.0.0/16 and 2001:db8::/64. */
static void set_sources_two(struct nlmsghdr *nlh)
{
	static const struct source v4 = { AF_INET, "10.1.0.0", 4, 16 };
	static const struct source v6 = { AF_INET6, "2001:db8::", 16, 64 };
	struct nlattr *nest;

	name_a(nlh);
	nest = mnl_attr_nest_start(nlh, CHAM_A_TENANT_SOURCES);
	put_source(nlh, &v4);
	put_source(nlh, &v6);
	mnl_attr_nest_end(nlh, nest);
}

/* TENANT_SET of nlt-a with @n copies of @ifindex as its ports. */
static void set_ports(struct nlmsghdr *nlh, uint32_t ifindex, unsigned int n)
{
	struct nlattr *nest;

	name_a(nlh);
	nest = mnl_attr_nest_start(nlh, CHAM_A_TENANT_PORTS);
	while (n--)
		mnl_attr_put_u32(nlh, CHAM_A_PORTS_IFINDEX, ifindex);
	mnl_attr_nest_end(nlh, nest);
}

static void set_ports_lo(struct nlmsghdr *nlh)
{
	set_ports(nlh, lo_ifindex, 1);
}

static void set_ports_lo_17(struct nlmsghdr *nlh)
{
	set_ports(nlh, lo_ifindex, 17);
}

static void set_ports_zero(struct nlmsghdr *nlh)
{
	set_ports(nlh, 0, 1);
}

/* Empty nests clear both lists. */
static void set_egress_none(struct nlmsghdr *nlh)
{
	name_a(nlh);
	mnl_attr_nest_end(nlh, mnl_attr_nest_start(nlh, CHAM_A_TENANT_SOURCES));
	mnl_attr_nest_end(nlh, mnl_attr_nest_start(nlh, CHAM_A_TENANT_PORTS));
}

/* ---- checks -------------------------------------------------------------- */

/*
 * The genetlink core's messages for an attribute the command's policy does
 * not admit (strict validation): "Unsupported attribute" up to the
 * policy's highest attribute, "Unknown attribute type" above it. msg_has
 * takes alternatives separated by '|'.
 */
#define NOT_TAKEN_MSG	"Unsupported attribute|Unknown attribute type"

/* A request the kernel must refuse, and how. */
struct refusal {
	const char *what;
	uint8_t cmd;
	uint16_t flags;		/* NLM_F_DUMP for a dump */
	build_fn build;
	int errnos[2];		/* accepted errnos; none listed: any errno */
	/*
	 * The genetlink core refuses a write without CAP_NET_ADMIN
	 * (GENL_ADMIN_PERM) before the family sees it, with no message.
	 */
	bool no_extack;
	/*
	 * The kernel reports a missing attribute by type (MISS_TYPE) rather
	 * than by text; naming this attribute counts as an extended ack.
	 */
	unsigned int missing;
	const char *msg_has;	/* text the message must contain, if any */
};

/* Whether @msg contains one of the '|'-separated alternatives of @want. */
static bool msg_matches(const char *msg, const char *want)
{
	const char *end;

	for (;; want = end + 1) {
		end = strchrnul(want, '|');
		if (memmem(msg, strlen(msg), want, end - want))
			return true;
		if (!*end)
			return false;
	}
}

static const struct refusal refusals[] = {
	{
		.what = "GUEST_NEW without MAC",
		.cmd = CHAM_CMD_GUEST_NEW,
		.build = guest_no_mac,
		.errnos = { EINVAL },
		.missing = CHAM_A_GUEST_MAC,
	},
	{
		.what = "GUEST_NEW with a 4-byte MAC",
		.cmd = CHAM_CMD_GUEST_NEW,
		.build = guest_short_mac,
		.errnos = { EINVAL, ERANGE },
	},
	{
		.what = "GUEST_NEW with a multicast MAC",
		.cmd = CHAM_CMD_GUEST_NEW,
		.build = guest_multicast_mac,
		.errnos = { EINVAL },
		.msg_has = "unicast",
	},
	{
		.what = "GUEST_NEW with id 0",
		.cmd = CHAM_CMD_GUEST_NEW,
		.build = guest_id_0,
		.errnos = { EINVAL, ERANGE },
	},
	{
		.what = "GUEST_NEW with a broadcast address",
		.cmd = CHAM_CMD_GUEST_NEW,
		.build = guest_broadcast_addr,
		.errnos = { EINVAL },
		.msg_has = "martian address",
	},
	{
		.what = "GUEST_NEW with half the address space",
		.cmd = CHAM_CMD_GUEST_NEW,
		.build = guest_whole_space,
		.errnos = { EINVAL },
		.msg_has = "prefix under /8",
	},
	{
		.what = "GUEST_NEW for a tenant that does not exist",
		.cmd = CHAM_CMD_GUEST_NEW,
		.build = guest_unknown_tenant,
		.errnos = { ENOENT },
		.msg_has = "no such tenant",
	},
	{
		.what = "GUEST_DEL of a guest that does not exist",
		.cmd = CHAM_CMD_GUEST_DEL,
		.build = guest_name_nosuch,
		.errnos = { ENOENT },
		.msg_has = "no such guest",
	},
	{
		.what = "GUEST_DEL without id or name",
		.cmd = CHAM_CMD_GUEST_DEL,
		.build = no_tenant,
		.errnos = { EINVAL },
		.msg_has = "guest id or name is required",
	},
	{
		.what = "GUEST_GET with a MAC (not taken)",
		.cmd = CHAM_CMD_GUEST_GET,
		.build = guest_get_with_mac,
		.errnos = { EINVAL, EOPNOTSUPP },
		.msg_has = NOT_TAKEN_MSG,
	},
	{
		.what = "TENANT_NEW without NAME",
		.cmd = CHAM_CMD_TENANT_NEW,
		.build = tenant_no_name,
		.errnos = { EINVAL },
		.missing = CHAM_A_TENANT_NAME,
	},
	{
		.what = "TENANT_NEW without ID",
		.cmd = CHAM_CMD_TENANT_NEW,
		.build = tenant_no_id,
		.errnos = { EINVAL },
		.missing = CHAM_A_TENANT_ID,
	},
	{
		.what = "TENANT_NEW with an empty name",
		.cmd = CHAM_CMD_TENANT_NEW,
		.build = tenant_empty_name,
		.errnos = { EINVAL },
	},
	{
		.what = "TENANT_NEW with a 40-character name",
		.cmd = CHAM_CMD_TENANT_NEW,
		.build = tenant_long_name,
		.errnos = { ERANGE, EINVAL },
	},
	{
		.what = "TENANT_NEW with a 1-byte TENANT_ID",
		.cmd = CHAM_CMD_TENANT_NEW,
		.build = tenant_id_one_byte,
		.errnos = { EINVAL, ERANGE },
	},
	{
		.what = "TENANT_NEW with TENANT_ID 0",
		.cmd = CHAM_CMD_TENANT_NEW,
		.build = tenant_id_zero,
		.errnos = { ERANGE, EINVAL },
	},
	{
		.what = "TENANT_NEW with TENANT_ID 70000",
		.cmd = CHAM_CMD_TENANT_NEW,
		.build = tenant_id_70000,
		.errnos = { ERANGE, EINVAL },
	},
	{
		.what = "TENANT_NEW with DEFAULT_VERDICT 7",
		.cmd = CHAM_CMD_TENANT_NEW,
		.build = tenant_verdict_7,
		.errnos = { ERANGE, EINVAL },
	},
	{
		.what = "TENANT_NEW with a duplicate id",
		.cmd = CHAM_CMD_TENANT_NEW,
		.build = tenant_dup_id,
		.errnos = { EEXIST },
	},
	{
		.what = "TENANT_NEW with a duplicate name",
		.cmd = CHAM_CMD_TENANT_NEW,
		.build = tenant_dup_name,
		.errnos = { EEXIST },
	},
	{
		.what = "TENANT_NEW with unknown attribute 200",
		.cmd = CHAM_CMD_TENANT_NEW,
		.build = tenant_unknown_attr,
	},
	{
		.what = "TENANT_NEW with a STATS attribute (read-only)",
		.cmd = CHAM_CMD_TENANT_NEW,
		.build = tenant_with_stats,
		.errnos = { EINVAL },
		.msg_has = NOT_TAKEN_MSG,
	},
	{
		.what = "TENANT_NEW with an invalid OWNER (uid -1)",
		.cmd = CHAM_CMD_TENANT_NEW,
		.build = new_owner_invalid,
		.errnos = { EINVAL },
		.msg_has = "owner",
	},
	{
		.what = "TENANT_NEW with SOURCES (not taken: TENANT_SET sets them)",
		.cmd = CHAM_CMD_TENANT_NEW,
		.build = new_with_sources,
		.errnos = { EINVAL },
		.msg_has = NOT_TAKEN_MSG,
	},
	{
		.what = "TENANT_DEL with RULE_FAMILY (not taken)",
		.cmd = CHAM_CMD_TENANT_DEL,
		.build = del_with_rule_family,
		.errnos = { EINVAL },
		.msg_has = NOT_TAKEN_MSG,
	},
	{
		.what = "RULE_GET with TENANT_NAME (not taken)",
		.cmd = CHAM_CMD_RULE_GET,
		.build = rule_get_with_tenant,
		.errnos = { EINVAL },
		.msg_has = NOT_TAKEN_MSG,
	},
	{
		.what = "PORT_NEW with PORT_IFNAME (read-only)",
		.cmd = CHAM_CMD_PORT_NEW,
		.build = port_new_with_ifname,
		.errnos = { EINVAL },
		.msg_has = NOT_TAKEN_MSG,
	},
	{
		.what = "CONFIG_SET with TENANT_ID (not taken)",
		.cmd = CHAM_CMD_CONFIG_SET,
		.build = config_set_with_tenant,
		.errnos = { EINVAL },
		.msg_has = NOT_TAKEN_MSG,
	},
	{
		.what = "TENANT_GET dump with TENANT_ID (dumps take nothing)",
		.cmd = CHAM_CMD_TENANT_GET,
		.flags = NLM_F_DUMP,
		.build = dump_with_id,
		.errnos = { EINVAL },
		.msg_has = NOT_TAKEN_MSG,
	},
	{
		.what = "CONFIG_GET with TENANT_ID (takes nothing)",
		.cmd = CHAM_CMD_CONFIG_GET,
		.build = dump_with_id,
		.errnos = { EINVAL },
		.msg_has = NOT_TAKEN_MSG,
	},
	{
		.what = "RULE_NEW for unknown tenant name",
		.cmd = CHAM_CMD_RULE_NEW,
		.build = rule_unknown_tenant_name,
		.errnos = { ENOENT },
	},
	{
		.what = "RULE_NEW for unknown tenant id",
		.cmd = CHAM_CMD_RULE_NEW,
		.build = rule_unknown_tenant_id,
		.errnos = { ENOENT },
	},
	{
		.what = "RULE_NEW with a 5-byte AF_INET DST",
		.cmd = CHAM_CMD_RULE_NEW,
		.build = rule_dst_5_bytes,
		.errnos = { EINVAL },
	},
	{
		.what = "RULE_NEW with a 17-byte DST",
		.cmd = CHAM_CMD_RULE_NEW,
		.build = rule_dst_17_bytes,
		.errnos = { ERANGE, EINVAL },
	},
	{
		.what = "RULE_NEW with AF_INET prefix_len 33",
		.cmd = CHAM_CMD_RULE_NEW,
		.build = rule_prefix_33,
		.errnos = { EINVAL },
	},
	{
		.what = "RULE_NEW with family 3 (refused by the policy)",
		.cmd = CHAM_CMD_RULE_NEW,
		.build = rule_family_3,
		.errnos = { EINVAL },
		.msg_has = "AF_INET or AF_INET6",
	},
	{
		.what = "RULE_NEW with port_min > port_max",
		.cmd = CHAM_CMD_RULE_NEW,
		.build = rule_empty_port_range,
		.errnos = { EINVAL },
	},
	{
		.what = "RULE_NEW overlapping another tenant's rule",
		.cmd = CHAM_CMD_RULE_NEW,
		.build = rule_overlapping,
		.errnos = { EEXIST },
		.msg_has = "overlaps",
	},
	{
		.what = "RULE_DEL of unknown rule 99999",
		.cmd = CHAM_CMD_RULE_DEL,
		.build = rule_id_unknown,
		.errnos = { ENOENT },
	},
	{
		.what = "RULE_DEL without RULE_ID",
		.cmd = CHAM_CMD_RULE_DEL,
		.errnos = { EINVAL },
		.missing = CHAM_A_RULE_ID,
	},
	{
		.what = "PORT_NEW with ifindex 99999",
		.cmd = CHAM_CMD_PORT_NEW,
		.build = port_no_such_device,
		.errnos = { ENODEV },
	},
	{
		.what = "PORT_DEL of lo, which is not a port",
		.cmd = CHAM_CMD_PORT_DEL,
		.build = port_lo,
		.errnos = { ENOENT },
	},
	/* Time protection: a tenant's knobs. */
	{
		.what = "TENANT_SET with share 0",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_share_0,
		.errnos = { ERANGE, EINVAL },
	},
	{
		.what = "TENANT_SET with share 10001",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_share_10001,
		.errnos = { ERANGE, EINVAL },
	},
	{
		.what = "TENANT_SET with burst 0 us",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_burst_0,
		.errnos = { ERANGE, EINVAL },
	},
	{
		.what = "TENANT_SET with burst 1000001 us",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_burst_1000001,
		.errnos = { ERANGE, EINVAL },
	},
	{
		.what = "TENANT_SET with policy 2",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_policy_2,
		.errnos = { ERANGE, EINVAL },
	},
	{
		.what = "TENANT_SET with ECN threshold 101%",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_ecn_threshold_101,
		.errnos = { ERANGE, EINVAL },
	},
	{
		.what = "TENANT_SET with accounting 2",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_accounting_2,
		.errnos = { ERANGE, EINVAL },
	},
	{
		.what = "TENANT_SET with enforcement 2",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_enforcement_2,
		.errnos = { ERANGE, EINVAL },
	},
	{
		.what = "TENANT_SET with ceiling 1000000001 ns",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_ceiling_too_long,
		.errnos = { ERANGE, EINVAL },
	},
	{
		.what = "TENANT_SET with EJECTIONS (read-only)",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_ejections,
		.errnos = { EINVAL },
		.msg_has = NOT_TAKEN_MSG,
	},
	{
		.what = "TENANT_SET with VIOLATIONS (read-only)",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_violations,
		.errnos = { EINVAL },
		.msg_has = NOT_TAKEN_MSG,
	},
	{
		.what = "TENANT_SET with a 1-byte SHARE",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_share_u8,
		.errnos = { EINVAL, ERANGE },
	},
	{
		.what = "TENANT_SET with an 8-byte BURST_US",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_burst_u64,
		.errnos = { EINVAL, ERANGE },
	},
	{
		.what = "TENANT_SET with a 4-byte POLICY",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_policy_u32,
		.errnos = { EINVAL, ERANGE },
	},
	{
		.what = "TENANT_SET with a 2-byte CEILING_NS",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_ceiling_u16,
		.errnos = { EINVAL, ERANGE },
	},
	{
		.what = "TENANT_SET with no knob",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = name_a,
		.errnos = { EINVAL },
	},
	{
		.what = "TENANT_SET without ID or NAME",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_share_no_tenant,
		.errnos = { EINVAL },
		.missing = CHAM_A_TENANT_ID,
	},
	{
		.what = "TENANT_SET of unknown tenant name",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_share_unknown_name,
		.errnos = { ENOENT },
	},
	{
		.what = "TENANT_SET of unknown tenant id",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_share_unknown_id,
		.errnos = { ENOENT },
	},
	/* Owner, sources and ports. */
	{
		.what = "TENANT_SET with an invalid OWNER (uid -1)",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_owner_invalid,
		.errnos = { EINVAL },
		.msg_has = "owner",
	},
	{
		.what = "TENANT_SET with a source of family 3",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_sources_family_3,
		.errnos = { EINVAL },
		.msg_has = "AF_INET or AF_INET6",
	},
	{
		.what = "TENANT_SET with a 16-byte AF_INET source",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_sources_v4_16_bytes,
		.errnos = { EINVAL },
		.msg_has = "address length",
	},
	{
		.what = "TENANT_SET with a 4-byte AF_INET6 source",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_sources_v6_4_bytes,
		.errnos = { EINVAL },
		.msg_has = "address length",
	},
	{
		.what = "TENANT_SET with an AF_INET source /33",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_sources_prefix_33,
		.errnos = { EINVAL },
		.msg_has = "prefix length 33 is out of range (0..32)",
	},
	{
		.what = "TENANT_SET with host bits beyond a source's prefix",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_sources_host_bits,
		.errnos = { EINVAL },
		.msg_has = "host bits set: the network is 10.1.0.0/16",
	},
	{
		.what = "TENANT_SET with an AF_INET6 source /129",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_sources_v6_prefix_129,
		.errnos = { ERANGE, EINVAL },
	},
	{
		.what = "TENANT_SET with a source without address",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_sources_no_addr,
		.errnos = { EINVAL },
		.missing = CHAM_A_SOURCE_ADDR,
	},
	{
		.what = "TENANT_SET with 17 sources",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_sources_17,
		.errnos = { E2BIG },
		.msg_has = "at most 16",
	},
	{
		.what = "TENANT_SET with port lo, which is not a port",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_ports_lo,
		.errnos = { ENODEV },
		.msg_has = "not a Chamelio port",
	},
	{
		.what = "TENANT_SET with 17 ports",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_ports_lo_17,
		.errnos = { E2BIG },
		.msg_has = "at most 16",
	},
	{
		.what = "TENANT_SET with port ifindex 0",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_ports_zero,
		.errnos = { ERANGE, EINVAL },
	},
	{
		.what = "TENANT_NEW with share 0",
		.cmd = CHAM_CMD_TENANT_NEW,
		.build = new_share_0,
		.errnos = { ERANGE, EINVAL },
	},
	{
		.what = "TENANT_NEW with policy 2",
		.cmd = CHAM_CMD_TENANT_NEW,
		.build = new_policy_2,
		.errnos = { ERANGE, EINVAL },
	},
	{
		.what = "TENANT_NEW with EJECTIONS (read-only)",
		.cmd = CHAM_CMD_TENANT_NEW,
		.build = new_ejections,
		.errnos = { EINVAL },
		.msg_has = NOT_TAKEN_MSG,
	},
	/* The slow path's knobs. */
	{
		.what = "TENANT_SET with punt queue 0",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_punt_queue_0,
		.errnos = { ERANGE },
	},
	{
		.what = "TENANT_SET with punt queue CHAM_PUNT_QUEUE_MAX + 1",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_punt_queue_over,
		.errnos = { ERANGE },
	},
	{
		.what = "TENANT_SET with timers CHAM_TIMERS_MAX + 1",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_timers_over,
		.errnos = { ERANGE },
	},
	{
		.what = "TENANT_SET with a 1-byte PUNT_QUEUE",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_punt_queue_u8,
		.errnos = { EINVAL, ERANGE },
	},
	{
		.what = "TENANT_SET with AGENT_PORTID (read-only)",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_agent_portid,
		.errnos = { EINVAL },
		.msg_has = NOT_TAKEN_MSG,
	},
	{
		.what = "TENANT_SET with TIMERS_ARMED (read-only)",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_timers_armed,
		.errnos = { EINVAL },
		.msg_has = NOT_TAKEN_MSG,
	},
	{
		.what = "TENANT_NEW with punt queue 0",
		.cmd = CHAM_CMD_TENANT_NEW,
		.build = new_punt_queue_0,
		.errnos = { ERANGE },
	},
	{
		.what = "TENANT_NEW with timers CHAM_TIMERS_MAX + 1",
		.cmd = CHAM_CMD_TENANT_NEW,
		.build = new_timers_over,
		.errnos = { ERANGE },
	},
	/* The slow path's requests, by root. */
	{
		.what = "AGENT_REGISTER for a tenant that does not exist",
		.cmd = CHAM_CMD_AGENT_REGISTER,
		.build = tenant_no_id,
		.errnos = { ENOENT },
		.msg_has = "no such tenant",
	},
	{
		.what = "AGENT_REGISTER without a tenant",
		.cmd = CHAM_CMD_AGENT_REGISTER,
		.errnos = { EINVAL },
		.msg_has = "tenant id or name",
	},
	{
		.what = "AGENT_REGISTER with a TENANT_SHARE (not taken)",
		.cmd = CHAM_CMD_AGENT_REGISTER,
		.build = set_share_a,
		.errnos = { EINVAL },
		.msg_has = NOT_TAKEN_MSG,
	},
	{
		.what = "AGENT_INJECT of a frame shorter than CHAM_AGENT_FRAME_MIN (policy)",
		.cmd = CHAM_CMD_AGENT_INJECT,
		.build = inject_truncated,
		.errnos = { ERANGE },
	},
	{
		.what = "AGENT_INJECT of 20 bytes that are no IP (ARP)",
		.cmd = CHAM_CMD_AGENT_INJECT,
		.build = inject_not_ip,
		.errnos = { EINVAL },
		.msg_has = "frame does not parse",
	},
	{
		.what = "AGENT_INJECT of 20 bytes of a truncated IPv4 header",
		.cmd = CHAM_CMD_AGENT_INJECT,
		.build = inject_truncated_ip,
		.errnos = { EINVAL },
		.msg_has = "frame does not parse",
	},
	{
		.what = "AGENT_INJECT without a frame",
		.cmd = CHAM_CMD_AGENT_INJECT,
		.build = inject_no_frame,
		.errnos = { EINVAL },
		.missing = CHAM_A_AGENT_FRAME,
	},
	{
		.what = "AGENT_INJECT to neither a port nor a guest",
		.cmd = CHAM_CMD_AGENT_INJECT,
		.build = inject_no_target,
		.errnos = { EINVAL },
		.msg_has = "port",
	},
	{
		.what = "AGENT_INJECT to both a port and a guest",
		.cmd = CHAM_CMD_AGENT_INJECT,
		.build = inject_both_targets,
		.errnos = { EINVAL },
		.msg_has = "port",
	},
	{
		.what = "AGENT_INJECT to a guest that does not exist",
		.cmd = CHAM_CMD_AGENT_INJECT,
		.build = inject_unknown_guest,
		.errnos = { ENOENT },
		.msg_has = "no such guest",
	},
	{
		.what = "AGENT_INJECT to ifindex 99999, no port",
		.cmd = CHAM_CMD_AGENT_INJECT,
		.build = inject_unknown_port,
		.errnos = { ENODEV },
		.msg_has = "not a Chamelio port",
	},
	{
		.what = "AGENT_INJECT to lo, which is not a port",
		.cmd = CHAM_CMD_AGENT_INJECT,
		.build = inject_a_lo,
		.errnos = { ENODEV },
		.msg_has = "not a Chamelio port",
	},
	{
		.what = "AGENT_INJECT to ifindex 0 (policy)",
		.cmd = CHAM_CMD_AGENT_INJECT,
		.build = inject_ifindex_0,
		.errnos = { ERANGE },
	},
	{
		.what = "AGENT_INJECT through a tenant that does not exist",
		.cmd = CHAM_CMD_AGENT_INJECT,
		.build = inject_unknown_tenant,
		.errnos = { ENOENT },
		.msg_has = "no such tenant",
	},
	{
		.what = "AGENT_INJECT with AGENT_MSG_TYPE (not taken)",
		.cmd = CHAM_CMD_AGENT_INJECT,
		.build = inject_with_msg_type,
		.errnos = { EINVAL },
		.msg_has = NOT_TAKEN_MSG,
	},
	{
		.what = "AGENT_MSG with CHAM_AGENT_MSG_MAX + 1 bytes of data (policy)",
		.cmd = CHAM_CMD_AGENT_MSG,
		.build = msg_a_oversized,
		.errnos = { ERANGE },
	},
	{
		.what = "AGENT_MSG without a type",
		.cmd = CHAM_CMD_AGENT_MSG,
		.build = msg_a_no_type,
		.errnos = { EINVAL },
		.missing = CHAM_A_AGENT_MSG_TYPE,
	},
	{
		.what = "AGENT_MSG with a 2-byte type",
		.cmd = CHAM_CMD_AGENT_MSG,
		.build = msg_a_type_u16,
		.errnos = { EINVAL, ERANGE },
	},
	{
		.what = "AGENT_MSG to a tenant without protocol",
		.cmd = CHAM_CMD_AGENT_MSG,
		.build = msg_a,
		.errnos = { ENOENT },
		.msg_has = "tenant has no protocol",
	},
	{
		.what = "AGENT_MSG to a tenant that does not exist",
		.cmd = CHAM_CMD_AGENT_MSG,
		.build = msg_unknown_tenant,
		.errnos = { ENOENT },
		.msg_has = "no such tenant",
	},
	/* Time protection: the global settings. */
	{
		.what = "CONFIG_SET with contention 0 us",
		.cmd = CHAM_CMD_CONFIG_SET,
		.build = cfg_contention_0,
		.errnos = { ERANGE, EINVAL },
	},
	{
		.what = "CONFIG_SET with contention 1000001 us",
		.cmd = CHAM_CMD_CONFIG_SET,
		.build = cfg_contention_1000001,
		.errnos = { ERANGE, EINVAL },
	},
	{
		.what = "CONFIG_SET with accounting 2",
		.cmd = CHAM_CMD_CONFIG_SET,
		.build = cfg_accounting_2,
		.errnos = { ERANGE, EINVAL },
	},
	{
		.what = "CONFIG_SET with enforcement 2",
		.cmd = CHAM_CMD_CONFIG_SET,
		.build = cfg_enforcement_2,
		.errnos = { ERANGE, EINVAL },
	},
	{
		.what = "CONFIG_SET with TSC_KHZ (read-only)",
		.cmd = CHAM_CMD_CONFIG_SET,
		.build = cfg_tsc_khz,
		.errnos = { EINVAL },
		.msg_has = NOT_TAKEN_MSG,
	},
	{
		.what = "CONFIG_SET with a 2-byte CONTENTION_US",
		.cmd = CHAM_CMD_CONFIG_SET,
		.build = cfg_contention_u16,
		.errnos = { EINVAL, ERANGE },
	},
	{
		.what = "CONFIG_SET with no setting",
		.cmd = CHAM_CMD_CONFIG_SET,
		.errnos = { EINVAL },
	},
};

/*
 * Valid change requests, refused only for lack of CAP_NET_ADMIN: every
 * write, also of the tenant the caller owns.
 */
static const struct refusal unprivileged[] = {
	{
		.what = "unprivileged TENANT_NEW",
		.cmd = CHAM_CMD_TENANT_NEW,
		.build = tenant_spare,
		.errnos = { EPERM },
		.no_extack = true,
	},
	{
		.what = "unprivileged TENANT_DEL of its own tenant",
		.cmd = CHAM_CMD_TENANT_DEL,
		.build = name_b,
		.errnos = { EPERM },
		.no_extack = true,
	},
	{
		.what = "unprivileged RULE_NEW",
		.cmd = CHAM_CMD_RULE_NEW,
		.build = rule_spare,
		.errnos = { EPERM },
		.no_extack = true,
	},
	{
		.what = "unprivileged RULE_DEL",
		.cmd = CHAM_CMD_RULE_DEL,
		.build = rule_id_a,
		.errnos = { EPERM },
		.no_extack = true,
	},
	{
		.what = "unprivileged PORT_NEW",
		.cmd = CHAM_CMD_PORT_NEW,
		.build = port_lo,
		.errnos = { EPERM },
		.no_extack = true,
	},
	{
		.what = "unprivileged PORT_DEL",
		.cmd = CHAM_CMD_PORT_DEL,
		.build = port_lo,
		.errnos = { EPERM },
		.no_extack = true,
	},
	{
		.what = "unprivileged TENANT_SET",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_share_a,
		.errnos = { EPERM },
		.no_extack = true,
	},
	{
		.what = "unprivileged CONFIG_SET",
		.cmd = CHAM_CMD_CONFIG_SET,
		.build = cfg_contention_3000,
		.errnos = { EPERM },
		.no_extack = true,
	},
	{
		.what = "unprivileged TENANT_SET of its own tenant (owner is no admin)",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_owner_b_self,
		.errnos = { EPERM },
		.no_extack = true,
	},
	{
		.what = "unprivileged TENANT_SET of its own tenant's sources",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_sources_16,
		.errnos = { EPERM },
		.no_extack = true,
	},
	{
		.what = "unprivileged GUEST_NEW",
		.cmd = CHAM_CMD_GUEST_NEW,
		.build = guest_valid,
		.errnos = { EPERM },
		.no_extack = true,
	},
	{
		.what = "unprivileged GUEST_DEL",
		.cmd = CHAM_CMD_GUEST_DEL,
		.build = guest_name_nosuch,
		.errnos = { EPERM },
		.no_extack = true,
	},
	{
		.what = "unprivileged RULE_DEL of its own tenant's rule",
		.cmd = CHAM_CMD_RULE_DEL,
		.build = rule_id_b,
		.errnos = { EPERM },
		.no_extack = true,
	},
};

/*
 * The slow path's requests are not GENL_ADMIN_PERM: nobody may send them
 * for nlt-b, which it owns, and for no other tenant, which it does not
 * see (ENOENT, as for reads). Those for nlt-b get past the owner check
 * and are refused for what is wrong with them.
 */
static const struct refusal agent_unprivileged[] = {
	{
		.what = "unprivileged AGENT_REGISTER for nlt-a, not its own",
		.cmd = CHAM_CMD_AGENT_REGISTER,
		.build = name_a,
		.errnos = { ENOENT },
		.msg_has = "no such tenant",
	},
	{
		.what = "unprivileged AGENT_INJECT through nlt-a, not its own",
		.cmd = CHAM_CMD_AGENT_INJECT,
		.build = inject_a_lo,
		.errnos = { ENOENT },
		.msg_has = "no such tenant",
	},
	{
		.what = "unprivileged AGENT_MSG to nlt-a, not its own",
		.cmd = CHAM_CMD_AGENT_MSG,
		.build = msg_a,
		.errnos = { ENOENT },
		.msg_has = "no such tenant",
	},
	{
		.what = "unprivileged AGENT_MSG to its own nlt-b: past the owner check, no protocol",
		.cmd = CHAM_CMD_AGENT_MSG,
		.build = msg_b,
		.errnos = { ENOENT },
		.msg_has = "tenant has no protocol",
	},
	{
		.what = "unprivileged AGENT_INJECT through its own nlt-b to an unknown guest",
		.cmd = CHAM_CMD_AGENT_INJECT,
		.build = inject_b_unknown_guest,
		.errnos = { ENOENT },
		.msg_has = "no such guest",
	},
};

static bool errno_accepted(const struct refusal *r, int err)
{
	if (!r->errnos[0])
		return err != 0;
	return err && (err == r->errnos[0] || err == r->errnos[1]);
}

/* Two steps: errno_name() may return its static buffer. */
static void expected_errnos(const struct refusal *r, char *buf, size_t size)
{
	int len;

	if (!r->errnos[0]) {
		snprintf(buf, size, "any errno");
		return;
	}
	len = snprintf(buf, size, "%s", errno_name(r->errnos[0]));
	if (r->errnos[1] && len >= 0 && (size_t)len < size)
		snprintf(buf + len, size - len, " or %s",
			 errno_name(r->errnos[1]));
}

/* @err is a local failure (negative errno); otherwise @ans is the answer. */
static void check_refusal(const struct refusal *r, int err,
			  const struct answer *ans)
{
	bool errno_ok, extack_ok;
	char expected[96];

	expected_errnos(r, expected, sizeof(expected));
	if (err) {
		report(false, "%s: refused with %s%s", r->what, expected,
		       r->no_extack ? "" : " and an extack");
		printf("# could not send the request: %s\n", strerror(-err));
		return;
	}

	errno_ok = errno_accepted(r, ans->error);
	if (r->no_extack)
		extack_ok = true;
	else if (r->msg_has)
		extack_ok = msg_matches(ans->msg, r->msg_has);
	else
		extack_ok = ans->msg[0] ||
			    (r->missing && ans->missing == r->missing);
	report(errno_ok && extack_ok, "%s: refused with %s%s", r->what,
	       expected, r->no_extack ? "" : " and an extack");

	if (!errno_ok)
		printf("# expected %s, got %s\n", expected,
		       errno_name(ans->error));
	if (ans->msg[0])
		printf("# extack: \"%s\"\n", ans->msg);
	if (ans->missing)
		printf("# extack: missing attribute %u\n", ans->missing);
	if (!extack_ok) {
		if (r->msg_has)
			printf("# expected an extack message containing \"%s\"\n",
			       r->msg_has);
		else if (r->missing)
			printf("# expected an extack message or missing attribute %u\n",
			       r->missing);
		else
			printf("# expected a non-empty extack message\n");
	}
}

/* ---- state snapshots ----------------------------------------------------- */

/* One line per object: command, then type=hex for every attribute. */
static void serialize_reply(const struct nlmsghdr *nlh, void *arg)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	FILE *out = arg;

	fprintf(out, "cmd=%u", genl->cmd);
	mnl_attr_for_each(attr, nlh, sizeof(*genl)) {
		const uint8_t *data = mnl_attr_get_payload(attr);
		uint16_t i, len = mnl_attr_get_payload_len(attr);

		fprintf(out, " %u=", mnl_attr_get_type(attr));
		for (i = 0; i < len; i++)
			fprintf(out, "%02x", data[i]);
	}
	fputc('\n', out);
}

/*
 * The configuration as canonical text: the tenant, rule and port dumps, in
 * the kernel's order (tenant id, rule table, ifindex), and the global
 * settings. Returns NULL on error.
 */
static char *snapshot(struct nl *nl)
{
	static const uint8_t dumps[] = {
		CHAM_CMD_TENANT_GET, CHAM_CMD_RULE_GET, CHAM_CMD_PORT_GET,
	};
	struct answer ans;
	char *text = NULL;
	size_t size, i;
	FILE *out;
	bool ok = true;

	out = open_memstream(&text, &size);
	if (!out)
		return NULL;
	for (i = 0; i < sizeof(dumps) && ok; i++) {
		int err = send_request(nl, dumps[i], NLM_F_DUMP, NULL,
				       serialize_reply, out, &ans);

		if (err || ans.error) {
			printf("# dump of command %u failed: %s\n", dumps[i],
			       err ? strerror(-err) : errno_name(ans.error));
			ok = false;
		}
	}
	/* And the global settings, which are one object, not a dump. */
	if (ok) {
		int err = send_request(nl, CHAM_CMD_CONFIG_GET, 0, NULL,
				       serialize_reply, out, &ans);

		if (err || ans.error || ans.replies != 1) {
			printf("# CONFIG_GET failed: %s\n",
			       err ? strerror(-err) : ans.error ?
			       errno_name(ans.error) : "no reply");
			ok = false;
		}
	}
	fclose(out);
	if (!ok) {
		free(text);
		return NULL;
	}
	return text;
}

static void print_diagnostic_lines(const char *prefix, const char *text)
{
	const char *line = text, *end;

	for (; *line; line = end + 1) {
		end = strchrnul(line, '\n');
		printf("# %s%.*s\n", prefix, (int)(end - line), line);
		if (!*end)
			break;
	}
}

/* ---- unprivileged requests ----------------------------------------------- */

/* What the replies to a request showed of the objects this test made. */
struct seen {
	unsigned int tenant_a;	/* replies naming nlt-a (tenant, rule, stats) */
	unsigned int tenant_b;
	unsigned int tenant_0;	/* the unclassified pseudo-tenant's statistics */
	unsigned int rule_a;	/* nlt-a's rule */
	unsigned int rule_b;
};

static void note_seen(const struct nlmsghdr *nlh, void *arg)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	struct seen *seen = arg;

	mnl_attr_for_each(attr, nlh, sizeof(*genl)) {
		uint16_t type = mnl_attr_get_type(attr);
		uint32_t v;

		if (mnl_attr_validate(attr, MNL_TYPE_U32))
			continue;
		v = mnl_attr_get_u32(attr);
		if (type == CHAM_A_TENANT_ID) {
			seen->tenant_a += v == TENANT_A_ID;
			seen->tenant_b += v == TENANT_B_ID;
			seen->tenant_0 += v == 0;
		} else if (type == CHAM_A_RULE_ID) {
			seen->rule_a += v == rule_a_id;
			seen->rule_b += v == rule_b_id;
		}
	}
}

/* What a child without privileges reports through its pipe. */
struct child_report {
	int err;		/* a local failure, as a negative errno */
	struct answer ans;
	struct seen seen;
};

/* A request that is no command: join the "events" multicast group. */
#define JOIN_EVENTS	0

/* Runs in the child, whose "# " lines share the parent's stdout. */
static int drop_privileges(void)
{
	int err = 0;

	if (setgroups(0, NULL) || setgid(UNPRIVILEGED_ID) ||
	    setuid(UNPRIVILEGED_ID))
		err = -errno;
	/* Leaving uid 0 must have taken every capability with it. */
	else if (!setuid(0))
		err = -ECANCELED;
	if (err) {
		printf("# the child could not drop its privileges\n");
		fflush(stdout);
	}
	return err;
}

/* Joins the events group; the answer's error is setsockopt()'s errno. */
static int join_events(struct nl *nl, struct answer *ans)
{
	memset(ans, 0, sizeof(*ans));
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP,
				  &events_group, sizeof(events_group)))
		ans->error = errno;
	return 0;
}

/*
 * Sends a request (or JOIN_EVENTS) from a child process that has no
 * privileges and its own socket: the kernel checks the capabilities of
 * the socket's opener, and the reader's uid. @seen (if not NULL) gets
 * what the replies showed.
 */
static int send_unprivileged(uint16_t family, uint8_t cmd, uint16_t flags,
			     build_fn build, struct answer *ans,
			     struct seen *seen)
{
	struct child_report report_buf;
	int pipefd[2], status;
	ssize_t got;
	pid_t pid;

	if (pipe(pipefd))
		return -errno;
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		int err = -errno;

		close(pipefd[0]);
		close(pipefd[1]);
		return err;
	}
	if (!pid) {
		struct child_report child = { 0 };
		struct nl nl;

		close(pipefd[0]);
		child.err = drop_privileges();
		if (!child.err)
			child.err = nl_open(&nl, family);
		if (!child.err && cmd == JOIN_EVENTS)
			child.err = join_events(&nl, &child.ans);
		else if (!child.err)
			child.err = send_request(&nl, cmd, flags, build,
						 note_seen, &child.seen,
						 &child.ans);
		_exit(write(pipefd[1], &child, sizeof(child)) == sizeof(child) ?
		      0 : 1);
	}

	close(pipefd[1]);
	got = read(pipefd[0], &report_buf, sizeof(report_buf));
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	if (got != sizeof(report_buf))
		return -EIO;
	*ans = report_buf.ans;
	if (seen)
		*seen = report_buf.seen;
	return report_buf.err;
}

/* ---- tenants and rules found in dumps ------------------------------------ */

struct presence {
	unsigned int tenants;	/* nlt-a or nlt-b, by id or name */
	unsigned int rules;	/* rules of nlt-a or nlt-b */
};

static bool ours(uint32_t id)
{
	return id == TENANT_A_ID || id == TENANT_B_ID;
}

static void count_ours(const struct nlmsghdr *nlh, void *arg)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	struct presence *found = arg;
	const struct nlattr *attr;
	bool mine = false;

	mnl_attr_for_each(attr, nlh, sizeof(*genl)) {
		uint16_t type = mnl_attr_get_type(attr);

		if (type == CHAM_A_TENANT_ID &&
		    !mnl_attr_validate(attr, MNL_TYPE_U32))
			mine |= ours(mnl_attr_get_u32(attr));
		else if (type == CHAM_A_TENANT_NAME &&
			 !mnl_attr_validate(attr, MNL_TYPE_NUL_STRING))
			mine |= !strcmp(mnl_attr_get_str(attr), TENANT_A_NAME) ||
				!strcmp(mnl_attr_get_str(attr), TENANT_B_NAME);
	}
	if (!mine)
		return;
	if (genl->cmd == CHAM_CMD_RULE_GET)
		found->rules++;
	else
		found->tenants++;
}

static int rule_id_attr(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == CHAM_A_RULE_ID &&
	    !mnl_attr_validate(attr, MNL_TYPE_U32))
		*(uint32_t *)data = mnl_attr_get_u32(attr);
	return MNL_CB_OK;
}

static void rule_id_reply(const struct nlmsghdr *nlh, void *arg)
{
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), rule_id_attr, arg);
}

/* ---- the test ------------------------------------------------------------ */

static bool create(struct nl *nl, const char *what, uint8_t cmd,
		   build_fn build, reply_fn fn, void *arg)
{
	struct answer ans;
	int err = send_request(nl, cmd, 0, build, fn, arg, &ans);
	bool ok = !err && !ans.error;

	report(ok, "create %s", what);
	if (err)
		printf("# could not send the request: %s\n", strerror(-err));
	else if (ans.error)
		printf("# refused with %s%s%s\n", errno_name(ans.error),
		       ans.msg[0] ? ": " : "", ans.msg);
	return ok;
}

/* A read whose answer and replies are known exactly. */
struct read_check {
	const char *what;
	uint8_t cmd;
	uint16_t flags;
	build_fn build;
	int error;		/* expected errno, 0 for success */
	const char *msg_has;	/* for a refusal: text of the extack */
	struct seen seen;	/* what the replies must show, exactly */
};

static void check_read(const struct read_check *c, int err,
		       const struct answer *ans, const struct seen *seen)
{
	bool ok = !err && ans->error == c->error &&
		  (!c->msg_has || strstr(ans->msg, c->msg_has)) &&
		  !memcmp(seen, &c->seen, sizeof(*seen));

	report(ok, "%s", c->what);
	if (err) {
		printf("# could not send the request: %s\n", strerror(-err));
		return;
	}
	if (ans->error != c->error)
		printf("# expected %s, got %s\n", errno_name(c->error),
		       errno_name(ans->error));
	if (ans->msg[0])
		printf("# extack: \"%s\"\n", ans->msg);
	if (memcmp(seen, &c->seen, sizeof(*seen)))
		printf("# saw nlt-a %u, nlt-b %u, id 0 %u, rule of nlt-a %u, of nlt-b %u; expected %u %u %u %u %u\n",
		       seen->tenant_a, seen->tenant_b, seen->tenant_0,
		       seen->rule_a, seen->rule_b, c->seen.tenant_a,
		       c->seen.tenant_b, c->seen.tenant_0, c->seen.rule_a,
		       c->seen.rule_b);
}

/*
 * What nobody, who owns nlt-b but has no capability, may read: its own
 * tenant, rule and statistics, the ports and the global settings; not
 * nlt-a, nor the unclassified statistics.
 */
static const struct read_check unprivileged_reads[] = {
	{
		.what = "unprivileged TENANT_GET dump shows its own nlt-b only",
		.cmd = CHAM_CMD_TENANT_GET,
		.flags = NLM_F_DUMP,
		.seen = { .tenant_b = 1 },
	},
	{
		.what = "unprivileged TENANT_GET of its own nlt-b works",
		.cmd = CHAM_CMD_TENANT_GET,
		.build = name_b,
		.seen = { .tenant_b = 1 },
	},
	{
		.what = "unprivileged TENANT_GET of nlt-a: ENOENT, no such tenant",
		.cmd = CHAM_CMD_TENANT_GET,
		.build = name_a,
		.error = ENOENT,
		.msg_has = "no such tenant",
	},
	{
		.what = "unprivileged RULE_GET dump shows nlt-b's rule only",
		.cmd = CHAM_CMD_RULE_GET,
		.flags = NLM_F_DUMP,
		.seen = { .tenant_b = 1, .rule_b = 1 },
	},
	{
		.what = "unprivileged RULE_GET of nlt-b's rule works",
		.cmd = CHAM_CMD_RULE_GET,
		.build = rule_id_b,
		.seen = { .tenant_b = 1, .rule_b = 1 },
	},
	{
		.what = "unprivileged RULE_GET of nlt-a's rule: ENOENT, no such rule",
		.cmd = CHAM_CMD_RULE_GET,
		.build = rule_id_a,
		.error = ENOENT,
		.msg_has = "no such rule",
	},
	{
		.what = "unprivileged STATS_GET dump shows nlt-b only, not id 0",
		.cmd = CHAM_CMD_STATS_GET,
		.flags = NLM_F_DUMP,
		.seen = { .tenant_b = 1 },
	},
	{
		.what = "unprivileged STATS_GET of its own nlt-b works",
		.cmd = CHAM_CMD_STATS_GET,
		.build = name_b,
		.seen = { .tenant_b = 1 },
	},
	{
		.what = "unprivileged STATS_GET of nlt-a: ENOENT, no such tenant",
		.cmd = CHAM_CMD_STATS_GET,
		.build = name_a,
		.error = ENOENT,
		.msg_has = "no such tenant",
	},
	{
		.what = "unprivileged PORT_GET dump works",
		.cmd = CHAM_CMD_PORT_GET,
		.flags = NLM_F_DUMP,
	},
	{
		.what = "unprivileged CONFIG_GET works",
		.cmd = CHAM_CMD_CONFIG_GET,
	},
	{
		.what = "unprivileged join of the events group: EPERM",
		.cmd = JOIN_EVENTS,
		.error = EPERM,
	},
	{
		/* Its socket closes when the child exits: that unregisters. */
		.what = "unprivileged AGENT_REGISTER for its own nlt-b works",
		.cmd = CHAM_CMD_AGENT_REGISTER,
		.build = name_b,
	},
};

/* The same reads by root see everything: the filter is the reader's. */
static const struct read_check privileged_reads[] = {
	{
		.what = "root's TENANT_GET dump shows nlt-a and nlt-b",
		.cmd = CHAM_CMD_TENANT_GET,
		.flags = NLM_F_DUMP,
		.seen = { .tenant_a = 1, .tenant_b = 1 },
	},
	{
		.what = "root's RULE_GET dump shows both rules",
		.cmd = CHAM_CMD_RULE_GET,
		.flags = NLM_F_DUMP,
		.seen = { .tenant_a = 1, .tenant_b = 1, .rule_a = 1,
			  .rule_b = 1 },
	},
	{
		.what = "root's STATS_GET dump shows id 0, nlt-a and nlt-b",
		.cmd = CHAM_CMD_STATS_GET,
		.flags = NLM_F_DUMP,
		.seen = { .tenant_a = 1, .tenant_b = 1, .tenant_0 = 1 },
	},
	{
		.what = "root may join the events group",
		.cmd = JOIN_EVENTS,
	},
};

/* Below, with the slow path's checks. */
static bool tenant_agent_becomes(struct nl *nl, build_fn name,
				 uint32_t portid);

static void check_unprivileged(struct nl *nl)
{
	struct answer ans;
	struct seen seen;
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(unprivileged); i++) {
		const struct refusal *r = &unprivileged[i];

		err = send_unprivileged(nl->family, r->cmd, r->flags, r->build,
					&ans, NULL);
		check_refusal(r, err, &ans);
	}
	for (i = 0; i < ARRAY_SIZE(agent_unprivileged); i++) {
		const struct refusal *r = &agent_unprivileged[i];

		err = send_unprivileged(nl->family, r->cmd, r->flags, r->build,
					&ans, NULL);
		check_refusal(r, err, &ans);
	}

	if (!events_group)
		printf("# the family has no \"events\" group\n");
	for (i = 0; i < ARRAY_SIZE(unprivileged_reads); i++) {
		const struct read_check *c = &unprivileged_reads[i];

		memset(&seen, 0, sizeof(seen));
		err = send_unprivileged(nl->family, c->cmd, c->flags, c->build,
					&ans, &seen);
		check_read(c, err, &ans, &seen);
	}
	/*
	 * nobody registered for nlt-b from a process that exited since:
	 * that closed its socket. nlt-b (101) comes right after nlt-a (100).
	 */
	report(tenant_agent_becomes(nl, name_b, 0),
	       "nobody's agent for nlt-b is gone once its process exited");
	for (i = 0; i < ARRAY_SIZE(privileged_reads); i++) {
		const struct read_check *c = &privileged_reads[i];
		struct nl root;

		memset(&seen, 0, sizeof(seen));
		/* A socket of its own: joining a group must not stay. */
		err = nl_open(&root, nl->family);
		if (!err && c->cmd == JOIN_EVENTS)
			err = join_events(&root, &ans);
		else if (!err)
			err = send_request(&root, c->cmd, c->flags, c->build,
					   note_seen, &seen, &ans);
		check_read(c, err, &ans, &seen);
		if (root.sock)
			mnl_socket_close(root.sock);
	}
}

/* ---- owner, sources and ports read back ---------------------------------- */

/* nlt-a's owner, sources and ports as TENANT_GET shows them. */
struct tenant_view {
	bool has_owner, has_sources, has_ports;
	uint32_t owner;
	/* The slow path; UINT32_MAX when the kernel did not report it. */
	uint32_t punt_queue, timers_max, timers_armed, agent_portid;
	char sources[2048];	/* "addr/len addr/len" */
	char ports[256];	/* "ifindex ifindex" */
};

static void append(char *buf, size_t size, const char *text)
{
	size_t len = strlen(buf);

	snprintf(buf + len, size - len, "%s%s", len ? " " : "", text);
}

static void view_source(const struct nlattr *entry, struct tenant_view *view)
{
	const struct nlattr *attr;
	char addr[INET6_ADDRSTRLEN] = "?", text[INET6_ADDRSTRLEN + 8];
	int family = 0, len = -1;
	const void *data = NULL;

	mnl_attr_for_each_nested(attr, entry) {
		switch (mnl_attr_get_type(attr)) {
		case CHAM_A_SOURCE_FAMILY:
			family = mnl_attr_get_u8(attr);
			break;
		case CHAM_A_SOURCE_ADDR:
			data = mnl_attr_get_payload(attr);
			break;
		case CHAM_A_SOURCE_PREFIX_LEN:
			len = mnl_attr_get_u8(attr);
			break;
		}
	}
	if (data)
		inet_ntop(family, data, addr, sizeof(addr));
	snprintf(text, sizeof(text), "%s/%d", addr, len);
	append(view->sources, sizeof(view->sources), text);
}

static void view_tenant(const struct nlmsghdr *nlh, void *arg)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	struct tenant_view *view = arg;
	const struct nlattr *attr, *inner;
	char text[16];

	mnl_attr_for_each(attr, nlh, sizeof(*genl)) {
		switch (mnl_attr_get_type(attr)) {
		case CHAM_A_TENANT_OWNER:
			view->has_owner = true;
			view->owner = mnl_attr_get_u32(attr);
			break;
		case CHAM_A_TENANT_PUNT_QUEUE:
			view->punt_queue = mnl_attr_get_u32(attr);
			break;
		case CHAM_A_TENANT_TIMERS_MAX:
			view->timers_max = mnl_attr_get_u32(attr);
			break;
		case CHAM_A_TENANT_TIMERS_ARMED:
			view->timers_armed = mnl_attr_get_u32(attr);
			break;
		case CHAM_A_TENANT_AGENT_PORTID:
			view->agent_portid = mnl_attr_get_u32(attr);
			break;
		case CHAM_A_TENANT_SOURCES:
			view->has_sources = true;
			mnl_attr_for_each_nested(inner, attr)
				view_source(inner, view);
			break;
		case CHAM_A_TENANT_PORTS:
			view->has_ports = true;
			mnl_attr_for_each_nested(inner, attr) {
				snprintf(text, sizeof(text), "%u",
					 mnl_attr_get_u32(inner));
				append(view->ports, sizeof(view->ports), text);
			}
			break;
		}
	}
}

static bool get_tenant(struct nl *nl, build_fn name, struct tenant_view *view)
{
	struct answer ans;
	int err;

	memset(view, 0, sizeof(*view));
	view->punt_queue = view->timers_max = UINT32_MAX;
	view->timers_armed = view->agent_portid = UINT32_MAX;
	err = send_request(nl, CHAM_CMD_TENANT_GET, 0, name, view_tenant,
			   view, &ans);
	if (err || ans.error || ans.replies != 1) {
		printf("# TENANT_GET failed: %s\n",
		       err ? strerror(-err) : errno_name(ans.error));
		return false;
	}
	return true;
}

static bool get_tenant_a(struct nl *nl, struct tenant_view *view)
{
	return get_tenant(nl, name_a, view);
}

/* A change that must succeed. */
static bool change(struct nl *nl, const char *what, uint8_t cmd,
		   build_fn build)
{
	struct answer ans;
	int err = send_request(nl, cmd, 0, build, NULL, NULL, &ans);
	bool ok = !err && !ans.error;

	report(ok, "%s", what);
	if (err)
		printf("# could not send the request: %s\n", strerror(-err));
	else if (ans.error)
		printf("# refused with %s%s%s\n", errno_name(ans.error),
		       ans.msg[0] ? ": " : "", ans.msg);
	return ok;
}

static void check_view(bool ok, const char *what, const char *expected,
		       const char *actual)
{
	report(ok && !strcmp(expected, actual), "%s", what);
	if (ok && strcmp(expected, actual)) {
		printf("# expected: \"%s\"\n", expected);
		printf("# actual:   \"%s\"\n", actual);
	}
}

static void check_owner_sources_ports(struct nl *nl)
{
	char expected[2048] = "", lo[16];
	struct tenant_view view;
	bool ok;
	int i;

	ok = get_tenant_a(nl, &view);
	report(ok && !view.has_owner && view.has_sources &&
	       !view.sources[0] && view.has_ports && !view.ports[0],
	       "a new tenant shows no owner (only the admin binds), no sources, no ports");

	if (change(nl, "TENANT_SET with only OWNER 1234", CHAM_CMD_TENANT_SET,
		   set_owner_1234)) {
		ok = get_tenant_a(nl, &view);
		report(ok && view.owner == 1234, "owner 1234 read back");
		if (ok && view.owner != 1234)
			printf("# owner is %u\n", view.owner);
	}
	change(nl, "TENANT_SET back to OWNER 0", CHAM_CMD_TENANT_SET,
	       set_owner_root);

	if (change(nl, "TENANT_SET with only SOURCES 10.1.0.0/16 2001:db8::/64",
		   CHAM_CMD_TENANT_SET, set_sources_two)) {
		ok = get_tenant_a(nl, &view);
		check_view(ok, "sources read back",
			   "10.1.0.0/16 2001:db8::/64", view.sources);
	}
	if (change(nl, "TENANT_SET with 16 sources (the most)",
		   CHAM_CMD_TENANT_SET, set_sources_16)) {
		for (i = 0; i < 16; i++)
			append(expected, sizeof(expected), "10.1.0.0/16");
		ok = get_tenant_a(nl, &view);
		check_view(ok, "16 sources read back", expected, view.sources);
	}

	snprintf(lo, sizeof(lo), "%u", lo_ifindex);
	if (change(nl, "make lo a port", CHAM_CMD_PORT_NEW, port_lo)) {
		if (change(nl, "TENANT_SET with only PORTS lo",
			   CHAM_CMD_TENANT_SET, set_ports_lo)) {
			ok = get_tenant_a(nl, &view);
			check_view(ok, "port lo read back (ifindex)", lo,
				   view.ports);
			check_view(ok, "setting ports kept the sources",
				   expected, view.sources);
		}
	}
	if (change(nl, "TENANT_SET with empty SOURCES and PORTS nests",
		   CHAM_CMD_TENANT_SET, set_egress_none)) {
		ok = get_tenant_a(nl, &view);
		check_view(ok, "empty nests clear the sources", "",
			   view.sources);
		check_view(ok, "empty nests clear the ports", "", view.ports);
	}
	change(nl, "lo is no port again", CHAM_CMD_PORT_DEL, port_lo);
}

/* ---- the slow path ------------------------------------------------------- */

/* The punt queue and timer limit: defaults, the ends of the ranges. */
static void check_slowpath_knobs(struct nl *nl)
{
	struct tenant_view view;
	bool ok;

	ok = get_tenant_a(nl, &view);
	report(ok && view.punt_queue == CHAM_PUNT_QUEUE_DEFAULT &&
	       view.timers_max == CHAM_TIMERS_DEFAULT && view.timers_armed == 0 &&
	       view.agent_portid == 0,
	       "a new tenant: punt queue %d, %d timers, none armed, no agent",
	       CHAM_PUNT_QUEUE_DEFAULT, CHAM_TIMERS_DEFAULT);
	if (ok)
		printf("# punt queue %u, timers max %u, armed %u, agent portid %u\n",
		       view.punt_queue, view.timers_max, view.timers_armed,
		       view.agent_portid);
	if (change(nl, "TENANT_SET with punt queue 1", CHAM_CMD_TENANT_SET,
		   set_punt_queue_1) &&
	    change(nl, "TENANT_SET with timers 0", CHAM_CMD_TENANT_SET,
		   set_timers_0)) {
		ok = get_tenant_a(nl, &view);
		report(ok && view.punt_queue == 1 && view.timers_max == 0,
		       "punt queue 1 and timers 0 read back");
	}
	if (change(nl, "TENANT_SET with the largest punt queue and timers",
		   CHAM_CMD_TENANT_SET, set_slowpath_most)) {
		ok = get_tenant_a(nl, &view);
		report(ok && view.punt_queue == CHAM_PUNT_QUEUE_MAX &&
		       view.timers_max == CHAM_TIMERS_MAX,
		       "punt queue %d and timers %d read back",
		       CHAM_PUNT_QUEUE_MAX, CHAM_TIMERS_MAX);
	}
}

/* A tenant's agent port id as TENANT_GET shows it; UINT32_MAX if unknown. */
static uint32_t agent_of(struct nl *nl, build_fn name)
{
	struct tenant_view view;

	return get_tenant(nl, name, &view) ? view.agent_portid : UINT32_MAX;
}

/*
 * Whether the agent of the tenant @name names becomes @portid. The module
 * unregisters in the socket's release, so it should be at once; a little
 * patience keeps a slow VM from failing the check, and the time it took
 * is printed.
 */
static bool tenant_agent_becomes(struct nl *nl, build_fn name,
				 uint32_t portid)
{
	uint32_t now = agent_of(nl, name);
	int tries;

	for (tries = 0; now != portid && tries < 100; tries++) {
		usleep(10000);
		now = agent_of(nl, name);
	}
	if (now != portid)
		printf("# the tenant's agent is port %u, not %u\n", now, portid);
	else if (tries)
		printf("# it took %d ms\n", tries * 10);
	return now == portid;
}

static uint32_t agent_of_a(struct nl *nl)
{
	return agent_of(nl, name_a);
}

static bool agent_becomes(struct nl *nl, uint32_t portid)
{
	return tenant_agent_becomes(nl, name_a, portid);
}

/*
 * One agent per tenant: a second socket gets EBUSY while the first one
 * is registered, and registers once the first one's socket closed.
 */
static void check_agent_registration(struct nl *nl)
{
	struct nl first = { 0 }, second = { 0 };
	uint32_t first_port, second_port;
	struct answer ans;
	int err;

	if (nl_open(&first, nl->family) || nl_open(&second, nl->family)) {
		report(false, "open two more netlink sockets");
		goto out;
	}
	first_port = mnl_socket_get_portid(first.sock);
	second_port = mnl_socket_get_portid(second.sock);

	err = send_request(&first, CHAM_CMD_AGENT_REGISTER, 0, name_a, NULL,
			   NULL, &ans);
	report(!err && !ans.error, "AGENT_REGISTER for nlt-a from a first socket");
	if (err || ans.error)
		printf("# refused with %s: %s\n",
		       err ? strerror(-err) : errno_name(ans.error), ans.msg);
	report(agent_becomes(nl, first_port),
	       "TENANT_GET shows the first socket as nlt-a's agent");

	err = send_request(&second, CHAM_CMD_AGENT_REGISTER, 0, name_a, NULL,
			   NULL, &ans);
	check_refusal(&(struct refusal){
		.what = "AGENT_REGISTER for nlt-a from a second socket",
		.errnos = { EBUSY },
		.msg_has = "already has an agent",
	}, err, &ans);
	report(agent_of_a(nl) == first_port,
	       "the refused registration left the first agent in place");

	mnl_socket_close(first.sock);
	first.sock = NULL;
	report(agent_becomes(nl, 0),
	       "closing the first socket ends its registration");

	err = send_request(&second, CHAM_CMD_AGENT_REGISTER, 0, name_a, NULL,
			   NULL, &ans);
	report(!err && !ans.error,
	       "AGENT_REGISTER from the second socket, once the first closed");
	if (err || ans.error)
		printf("# refused with %s: %s\n",
		       err ? strerror(-err) : errno_name(ans.error), ans.msg);
	report(agent_becomes(nl, second_port),
	       "TENANT_GET shows the second socket as nlt-a's agent");

	mnl_socket_close(second.sock);
	second.sock = NULL;
	report(agent_becomes(nl, 0),
	       "closing the second socket ends its registration");
out:
	if (first.sock)
		mnl_socket_close(first.sock);
	if (second.sock)
		mnl_socket_close(second.sock);
}

/* A tenant's slow-path counters, from STATS_GET. */
struct slowpath_stats {
	uint64_t injected, msg_calls;
};

static void slowpath_stats_reply(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *attr, *inner;
	struct slowpath_stats *stats = arg;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(attr) != CHAM_A_STATS)
			continue;
		mnl_attr_for_each_nested(inner, attr) {
			if (mnl_attr_validate(inner, MNL_TYPE_U64))
				continue;
			if (mnl_attr_get_type(inner) == CHAM_A_STAT_INJECTED)
				stats->injected = mnl_attr_get_u64(inner);
			else if (mnl_attr_get_type(inner) == CHAM_A_STAT_MSG_CALLS)
				stats->msg_calls = mnl_attr_get_u64(inner);
		}
	}
}

static bool get_slowpath_stats(struct nl *nl, build_fn name,
			       struct slowpath_stats *stats)
{
	struct answer ans;
	int err;

	stats->injected = stats->msg_calls = UINT64_MAX;
	err = send_request(nl, CHAM_CMD_STATS_GET, 0, name,
			   slowpath_stats_reply, stats, &ans);
	if (err || ans.error) {
		printf("# STATS_GET failed: %s\n",
		       err ? strerror(-err) : errno_name(ans.error));
		return false;
	}
	return true;
}

/* What the refused requests above must not have counted. */
static void check_nothing_counted(struct nl *nl)
{
	struct slowpath_stats a, b;
	bool ok;

	ok = get_slowpath_stats(nl, name_a, &a) &&
	     get_slowpath_stats(nl, name_b, &b);
	report(ok && !a.injected && !a.msg_calls && !b.injected && !b.msg_calls,
	       "refused agent requests injected nothing and called no handler");
	if (ok)
		printf("# nlt-a injected %llu, msg calls %llu; nlt-b %llu, %llu\n",
		       (unsigned long long)a.injected,
		       (unsigned long long)a.msg_calls,
		       (unsigned long long)b.injected,
		       (unsigned long long)b.msg_calls);
}

/*
 * Injection out of a port: lo, made a port and nlt-a's for the test.
 * Only the valid frame leaves and is counted; egress validation refuses
 * the others.
 */
static void check_agent_inject(struct nl *nl)
{
	static const struct refusal refused[] = {
		{
			.what = "AGENT_INJECT through nlt-a from a source not the tenant's",
			.cmd = CHAM_CMD_AGENT_INJECT,
			.build = inject_a_foreign_source,
			.errnos = { EPERM },
			.msg_has = "source",
		},
		{
			.what = "AGENT_INJECT through nlt-a from another Ethernet address than the port's",
			.cmd = CHAM_CMD_AGENT_INJECT,
			.build = inject_a_foreign_mac,
			.errnos = { EPERM },
			.msg_has = "Ethernet source",
		},
		{
			.what = "AGENT_INJECT through nlt-b out of lo, not its port",
			.cmd = CHAM_CMD_AGENT_INJECT,
			.build = inject_b_lo,
			.errnos = { EPERM },
			.msg_has = "not assigned",
		},
	};
	struct slowpath_stats a, b;
	struct answer ans;
	size_t i;
	int err;
	bool ok;

	if (!change(nl, "make lo a port", CHAM_CMD_PORT_NEW, port_lo))
		return;
	if (!change(nl, "TENANT_SET nlt-a's ports to lo", CHAM_CMD_TENANT_SET,
		    set_ports_lo))
		goto out;
	for (i = 0; i < ARRAY_SIZE(refused); i++) {
		err = send_request(nl, refused[i].cmd, 0, refused[i].build,
				   NULL, NULL, &ans);
		check_refusal(&refused[i], err, &ans);
	}
	/* nobody owns nlt-b: it gets that far, to the port check. */
	err = send_unprivileged(nl->family, CHAM_CMD_AGENT_INJECT, 0,
				inject_b_lo, &ans, NULL);
	check_refusal(&(struct refusal){
		.what = "unprivileged AGENT_INJECT through its own nlt-b out of lo, not its port",
		.errnos = { EPERM },
		.msg_has = "not assigned",
	}, err, &ans);
	ok = get_slowpath_stats(nl, name_a, &a) &&
	     get_slowpath_stats(nl, name_b, &b);
	report(ok && !a.injected && !b.injected,
	       "refused injections were not counted");

	change(nl, "AGENT_INJECT through nlt-a out of lo, from its own address",
	       CHAM_CMD_AGENT_INJECT, inject_a_lo);
	ok = get_slowpath_stats(nl, name_a, &a) &&
	     get_slowpath_stats(nl, name_b, &b);
	report(ok && a.injected == 1 && !b.injected,
	       "the injection counted once, for nlt-a");
	if (ok)
		printf("# nlt-a injected %llu, nlt-b %llu\n",
		       (unsigned long long)a.injected,
		       (unsigned long long)b.injected);
	change(nl, "TENANT_SET nlt-a's ports to none", CHAM_CMD_TENANT_SET,
	       set_egress_none);
out:
	change(nl, "lo is no port again", CHAM_CMD_PORT_DEL, port_lo);
}

static void cleanup(struct nl *nl)
{
	struct presence found = { 0 };
	struct answer ans;
	int err;

	err = send_request(nl, CHAM_CMD_TENANT_DEL, 0, name_a, NULL, NULL, &ans);
	report(!err && !ans.error, "delete tenant " TENANT_A_NAME);
	err = send_request(nl, CHAM_CMD_TENANT_DEL, 0, name_b, NULL, NULL, &ans);
	report(!err && !ans.error, "delete tenant " TENANT_B_NAME);
	/*
	 * Undo what a wrongly accepted request may have created; both are
	 * refused with ENOENT when all went well.
	 */
	send_request(nl, CHAM_CMD_TENANT_DEL, 0, id_spare, NULL, NULL, &ans);
	send_request(nl, CHAM_CMD_PORT_DEL, 0, port_lo, NULL, NULL, &ans);

	err = send_request(nl, CHAM_CMD_TENANT_GET, NLM_F_DUMP, NULL,
			   count_ours, &found, &ans);
	if (!err && !ans.error)
		err = send_request(nl, CHAM_CMD_RULE_GET, NLM_F_DUMP, NULL,
				   count_ours, &found, &ans);
	report(!err && !ans.error && !found.tenants && !found.rules,
	       "dumps no longer show nlt-a, nlt-b or their rules");
	if (err || ans.error)
		printf("# dump failed: %s\n",
		       err ? strerror(-err) : errno_name(ans.error));
	else if (found.tenants || found.rules)
		printf("# still present: %u tenants, %u rules\n",
		       found.tenants, found.rules);
}

int main(int argc, char **argv)
{
	char *before, *after;
	struct nl nl;
	size_t i;
	int err;

	if (argc > 1) {
		fprintf(stderr, "usage: %s\n", argv[0]);
		return 1;
	}
	if (geteuid()) {
		report(false, "running as root");
		return 1;
	}
	lo_ifindex = if_nametoindex("lo") ?: 1;

	err = nl_open(&nl, 0);
	if (!err)
		err = resolve_family(&nl);
	report(!err, "resolve generic netlink family " CHAM_GENL_NAME);
	if (err) {
		printf("# %s (is the module loaded?)\n", strerror(-err));
		return 1;
	}

	if (!create(&nl, "tenant " TENANT_A_NAME, CHAM_CMD_TENANT_NEW,
		    tenant_a, NULL, NULL) ||
	    !create(&nl, "tenant " TENANT_B_NAME, CHAM_CMD_TENANT_NEW,
		    tenant_b, NULL, NULL) ||
	    !create(&nl, "rule 10.99.0.0/16 udp 1000-2000 for " TENANT_A_NAME,
		    CHAM_CMD_RULE_NEW, rule_a, rule_id_reply, &rule_a_id) ||
	    !create(&nl, "rule 10.97.0.0/16 udp 1000-2000 for " TENANT_B_NAME,
		    CHAM_CMD_RULE_NEW, rule_b, rule_id_reply, &rule_b_id))
		goto out;
	if (!rule_a_id || !rule_b_id)
		printf("# a RULE_NEW reply carried no rule id\n");

	before = snapshot(&nl);
	report(before, "snapshot the configuration");
	if (!before)
		goto out;

	for (i = 0; i < ARRAY_SIZE(refusals); i++) {
		const struct refusal *r = &refusals[i];
		struct answer ans;

		err = send_request(&nl, r->cmd, r->flags, r->build, NULL, NULL,
				   &ans);
		check_refusal(r, err, &ans);
	}
	check_unprivileged(&nl);

	after = snapshot(&nl);
	report(after && !strcmp(before, after),
	       "state unchanged after refused requests");
	if (after && strcmp(before, after)) {
		print_diagnostic_lines("before: ", before);
		print_diagnostic_lines("after:  ", after);
	}
	free(before);
	free(after);
	check_nothing_counted(&nl);
	check_owner_sources_ports(&nl);
	check_slowpath_knobs(&nl);
	check_agent_registration(&nl);
	check_agent_inject(&nl);
out:
	cleanup(&nl);
	mnl_socket_close(nl.sock);
	return failures ? 1 : 0;
}
