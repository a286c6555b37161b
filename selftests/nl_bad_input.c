// SPDX-License-Identifier: GPL-2.0
/*
 * nl_bad_input - bad requests to the "chamelio" generic netlink family are
 * refused with the right errno and an extended ack, and change nothing.
 *
 * Usage: nl_bad_input
 *
 * Run as root with the module loaded and no tenant, rule or port it uses
 * (tenants 100 "nlt-a", 101 "nlt-b", 102 "nlt-c"; lo must not be a port).
 * It creates nlt-a with one rule and nlt-b, sends each bad request, checks
 * the dumps and the global settings did not change and deletes what it
 * created. Output: one "ok - ..." or "not ok - ..." line per check,
 * diagnostics on "# " lines; the exit status is 1 if any check failed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
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

static int family_id_attr(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
	    !mnl_attr_validate(attr, MNL_TYPE_U16))
		*(uint16_t *)data = mnl_attr_get_u16(attr);
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

static void tenant_b(struct nlmsghdr *nlh)
{
	put_tenant(nlh, TENANT_B_ID, TENANT_B_NAME);
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

/* Within the policy's 2..10, so the handler has to refuse it. */
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

/* ---- checks -------------------------------------------------------------- */

/* A request the kernel must refuse, and how. */
struct refusal {
	const char *what;
	uint8_t cmd;
	build_fn build;
	int errnos[2];		/* accepted errnos; none listed: any errno */
	/*
	 * The kernel reports a missing attribute by type (MISS_TYPE) rather
	 * than by text; naming this attribute counts as an extended ack.
	 */
	unsigned int missing;
	const char *msg_has;	/* text the message must contain, if any */
};

static const struct refusal refusals[] = {
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
		.what = "TENANT_NEW with a STATS attribute",
		.cmd = CHAM_CMD_TENANT_NEW,
		.build = tenant_with_stats,
		.errnos = { EINVAL },
		.msg_has = "statistics are read-only",
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
		.what = "RULE_NEW with family 3",
		.cmd = CHAM_CMD_RULE_NEW,
		.build = rule_family_3,
		.errnos = { EAFNOSUPPORT, EINVAL },
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
		.msg_has = "ejections",
	},
	{
		.what = "TENANT_SET with VIOLATIONS (read-only)",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_violations,
		.errnos = { EINVAL },
		.msg_has = "violations",
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
		.msg_has = "ejections",
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
		.msg_has = "read-only",
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

/* Valid change requests, refused only for lack of CAP_NET_ADMIN. */
static const struct refusal unprivileged[] = {
	{
		.what = "unprivileged TENANT_NEW",
		.cmd = CHAM_CMD_TENANT_NEW,
		.build = tenant_spare,
		.errnos = { EPERM },
	},
	{
		.what = "unprivileged TENANT_DEL",
		.cmd = CHAM_CMD_TENANT_DEL,
		.build = name_b,
		.errnos = { EPERM },
	},
	{
		.what = "unprivileged RULE_NEW",
		.cmd = CHAM_CMD_RULE_NEW,
		.build = rule_spare,
		.errnos = { EPERM },
	},
	{
		.what = "unprivileged RULE_DEL",
		.cmd = CHAM_CMD_RULE_DEL,
		.build = rule_id_a,
		.errnos = { EPERM },
	},
	{
		.what = "unprivileged PORT_NEW",
		.cmd = CHAM_CMD_PORT_NEW,
		.build = port_lo,
		.errnos = { EPERM },
	},
	{
		.what = "unprivileged PORT_DEL",
		.cmd = CHAM_CMD_PORT_DEL,
		.build = port_lo,
		.errnos = { EPERM },
	},
	{
		.what = "unprivileged TENANT_SET",
		.cmd = CHAM_CMD_TENANT_SET,
		.build = set_share_a,
		.errnos = { EPERM },
	},
	{
		.what = "unprivileged CONFIG_SET",
		.cmd = CHAM_CMD_CONFIG_SET,
		.build = cfg_contention_3000,
		.errnos = { EPERM },
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
		report(false, "%s: refused with %s and an extack", r->what,
		       expected);
		printf("# could not send the request: %s\n", strerror(-err));
		return;
	}

	errno_ok = errno_accepted(r, ans->error);
	if (r->msg_has)
		extack_ok = strstr(ans->msg, r->msg_has);
	else
		extack_ok = ans->msg[0] ||
			    (r->missing && ans->missing == r->missing);
	report(errno_ok && extack_ok, "%s: refused with %s and an extack",
	       r->what, expected);

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

/* What a child without privileges reports through its pipe. */
struct child_report {
	int err;		/* a local failure, as a negative errno */
	struct answer ans;
};

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

/*
 * Sends a request from a child process that has no privileges and its own
 * socket: the kernel checks the capabilities of the socket's opener.
 */
static int send_unprivileged(uint16_t family, uint8_t cmd, uint16_t flags,
			     build_fn build, struct answer *ans)
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
		if (!child.err)
			child.err = send_request(&nl, cmd, flags, build, NULL,
						 NULL, &child.ans);
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

static void check_unprivileged(struct nl *nl)
{
	struct answer ans;
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(unprivileged); i++) {
		const struct refusal *r = &unprivileged[i];

		err = send_unprivileged(nl->family, r->cmd, 0, r->build, &ans);
		check_refusal(r, err, &ans);
	}

	/* Reading the configuration needs no privilege. */
	err = send_unprivileged(nl->family, CHAM_CMD_TENANT_GET, NLM_F_DUMP,
				NULL, &ans);
	report(!err && !ans.error && ans.replies >= 2,
	       "unprivileged TENANT_GET dump works");
	if (err)
		printf("# could not send the request: %s\n", strerror(-err));
	else if (ans.error)
		printf("# refused with %s%s%s\n", errno_name(ans.error),
		       ans.msg[0] ? ": " : "", ans.msg);
	else if (ans.replies < 2)
		printf("# expected at least nlt-a and nlt-b, got %u tenants\n",
		       ans.replies);

	err = send_unprivileged(nl->family, CHAM_CMD_CONFIG_GET, 0, NULL, &ans);
	report(!err && !ans.error && ans.replies == 1,
	       "unprivileged CONFIG_GET works");
	if (err)
		printf("# could not send the request: %s\n", strerror(-err));
	else if (ans.error)
		printf("# refused with %s%s%s\n", errno_name(ans.error),
		       ans.msg[0] ? ": " : "", ans.msg);
	else if (ans.replies != 1)
		printf("# expected one reply, got %u\n", ans.replies);
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
		    CHAM_CMD_RULE_NEW, rule_a, rule_id_reply, &rule_a_id))
		goto out;
	if (!rule_a_id)
		printf("# the RULE_NEW reply carried no rule id\n");

	before = snapshot(&nl);
	report(before, "snapshot the configuration");
	if (!before)
		goto out;

	for (i = 0; i < ARRAY_SIZE(refusals); i++) {
		const struct refusal *r = &refusals[i];
		struct answer ans;

		err = send_request(&nl, r->cmd, 0, r->build, NULL, NULL, &ans);
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
out:
	cleanup(&nl);
	mnl_socket_close(nl.sock);
	return failures ? 1 : 0;
}
