// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink over libmnl. Replies are walked here rather than with
 * mnl_cb_run() because its error handling drops the extended ack, and the
 * kernel's message is the most useful part of a refusal.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "nl.h"
#include "output.h"

/* Large enough for any dump skb: the kernel caps those at 32 KiB. */
#define NL_RECV_SIZE	32768
/*
 * Requests are small, but for a frame an agent injects (agent inject):
 * the largest attribute, with room for the headers and a few more.
 */
#define NL_SEND_SIZE	(UINT16_MAX + 4096)

static struct mnl_socket *nl_sock;
static unsigned int nl_seq;
static uint16_t nl_family;
/* The family's version, as the module registered it (CTRL_ATTR_VERSION). */
static uint32_t nl_family_version;
static char nl_send_buf[NL_SEND_SIZE] __attribute__((aligned(8)));
static char nl_recv_buf[NL_RECV_SIZE] __attribute__((aligned(8)));
/* The kernel's message, and what its policy allows, if it said. */
static char nl_ext_ack_msg[384];

/* The family's multicast groups, from the reply that resolved it. */
#define NL_MAX_GROUPS	8
static struct {
	char name[GENL_NAMSIZ];
	uint32_t id;
} nl_groups[NL_MAX_GROUPS];
static unsigned int nl_n_groups;

const enum mnl_attr_data_type cham_attr_types[CHAM_A_MAX + 1] = {
	[CHAM_A_TENANT_ID] = MNL_TYPE_U32,
	[CHAM_A_TENANT_NAME] = MNL_TYPE_NUL_STRING,
	[CHAM_A_TENANT_OWNER] = MNL_TYPE_U32,
	[CHAM_A_TENANT_DEFAULT_VERDICT] = MNL_TYPE_U8,
	[CHAM_A_TENANT_PROTO] = MNL_TYPE_NESTED,
	[CHAM_A_RULE_ID] = MNL_TYPE_U32,
	[CHAM_A_RULE_FAMILY] = MNL_TYPE_U8,
	[CHAM_A_RULE_DST] = MNL_TYPE_BINARY,
	[CHAM_A_RULE_PREFIX_LEN] = MNL_TYPE_U8,
	[CHAM_A_RULE_L4_PROTO] = MNL_TYPE_U8,
	[CHAM_A_RULE_PORT_MIN] = MNL_TYPE_U16,
	[CHAM_A_RULE_PORT_MAX] = MNL_TYPE_U16,
	[CHAM_A_PORT_IFINDEX] = MNL_TYPE_U32,
	[CHAM_A_PORT_IFNAME] = MNL_TYPE_NUL_STRING,
	[CHAM_A_STATS] = MNL_TYPE_NESTED,
	[CHAM_A_TENANT_SHARE] = MNL_TYPE_U32,
	[CHAM_A_TENANT_BURST_US] = MNL_TYPE_U32,
	[CHAM_A_TENANT_POLICY] = MNL_TYPE_U8,
	[CHAM_A_TENANT_ECN_THRESHOLD] = MNL_TYPE_U8,
	[CHAM_A_TENANT_ACCOUNTING] = MNL_TYPE_U8,
	[CHAM_A_TENANT_ENFORCEMENT] = MNL_TYPE_U8,
	[CHAM_A_TENANT_CEILING_NS] = MNL_TYPE_U32,
	[CHAM_A_TENANT_EJECT_AFTER] = MNL_TYPE_U32,
	[CHAM_A_TENANT_INSN_LIMIT] = MNL_TYPE_U32,
	[CHAM_A_TENANT_EJECTIONS] = MNL_TYPE_U32,
	[CHAM_A_TENANT_VIOLATIONS] = MNL_TYPE_U32,
	[CHAM_A_CFG_ACCOUNTING] = MNL_TYPE_U8,
	[CHAM_A_CFG_ENFORCEMENT] = MNL_TYPE_U8,
	[CHAM_A_CFG_CONTENTION_US] = MNL_TYPE_U32,
	[CHAM_A_CFG_TSC_KHZ] = MNL_TYPE_U32,
	[CHAM_A_TENANT_SOURCES] = MNL_TYPE_NESTED,
	[CHAM_A_TENANT_PORTS] = MNL_TYPE_NESTED,
	[CHAM_A_GUEST_ID] = MNL_TYPE_U32,
	[CHAM_A_GUEST_NAME] = MNL_TYPE_NUL_STRING,
	[CHAM_A_GUEST_IFINDEX] = MNL_TYPE_U32,
	[CHAM_A_GUEST_MAC] = MNL_TYPE_BINARY,
	[CHAM_A_GUEST_ADDRS] = MNL_TYPE_NESTED,
	[CHAM_A_GUEST_TX_STATS] = MNL_TYPE_NESTED,
	[CHAM_A_GUEST_RX_STATS] = MNL_TYPE_NESTED,
	[CHAM_A_TENANT_PUNT_QUEUE] = MNL_TYPE_U32,
	[CHAM_A_TENANT_TIMERS_MAX] = MNL_TYPE_U32,
	[CHAM_A_TENANT_AGENT_PORTID] = MNL_TYPE_U32,
	[CHAM_A_TENANT_TIMERS_ARMED] = MNL_TYPE_U32,
	[CHAM_A_AGENT_FRAME] = MNL_TYPE_BINARY,
	[CHAM_A_AGENT_IFINDEX] = MNL_TYPE_U32,
	[CHAM_A_AGENT_PUNT_ORIGIN] = MNL_TYPE_U8,
	[CHAM_A_AGENT_PUNT_CODE] = MNL_TYPE_U32,
	[CHAM_A_AGENT_MSG_TYPE] = MNL_TYPE_U32,
	[CHAM_A_AGENT_MSG_FLOW] = MNL_TYPE_U32,
	[CHAM_A_AGENT_MSG_DATA] = MNL_TYPE_BINARY,
	/* An s32: the length is what matters here. */
	[CHAM_A_AGENT_MSG_RESULT] = MNL_TYPE_U32,
	[CHAM_A_AGENT_EVENT] = MNL_TYPE_U32,
	[CHAM_A_AGENT_EVENT_CODE] = MNL_TYPE_U32,
	[CHAM_A_AGENT_EVENT_DATA] = MNL_TYPE_BINARY,
};

static struct nlmsghdr *nl_start(uint16_t type, uint8_t cmd, uint8_t version,
				 uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl_send_buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl_seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

size_t nl_request_room(const struct nlmsghdr *nlh)
{
	return sizeof(nl_send_buf) - nlh->nlmsg_len;
}

struct nlmsghdr *nl_request(uint8_t cmd, bool dump)
{
	/* A dump ends with NLMSG_DONE; anything else is acked. */
	return nl_start(nl_family, cmd, CHAM_GENL_VERSION,
			dump ? NLM_F_DUMP : NLM_F_ACK);
}

const char *nl_ext_ack(void)
{
	return nl_ext_ack_msg[0] ? nl_ext_ack_msg : NULL;
}

int nl_fail(int err, const char *what_fmt, ...)
{
	va_list ap;

	va_start(ap, what_fmt);
	vfail_errno(err, nl_ext_ack(), what_fmt, ap);
	va_end(ap);
	return EXIT_FAIL;
}

/* The end of a dump carries the error that cut it short, if any. */
static int nl_handle_done(const struct nlmsghdr *nlh)
{
	int error;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(error))
		return 0;
	memcpy(&error, mnl_nlmsg_get_payload(nlh), sizeof(error));
	if (error >= 0)
		return 0;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
		cham_nl_parse_ext_ack(nlh, sizeof(error), nl_ext_ack_msg,
				      sizeof(nl_ext_ack_msg));
	return error;
}

/* Returns 1 while more replies are due, else 0 or a negative errno. */
static int nl_handle_replies(const void *buf, size_t len, unsigned int portid,
			     unsigned int seq, nl_reply_cb cb, void *data)
{
	const struct nlmsghdr *nlh = buf;
	int remaining = len, err;

	for (; mnl_nlmsg_ok(nlh, remaining);
	     nlh = mnl_nlmsg_next(nlh, &remaining)) {
		/* Leftovers of a request that was abandoned midway. */
		if (!mnl_nlmsg_portid_ok(nlh, portid) ||
		    nlh->nlmsg_seq != seq)
			continue;
		switch (nlh->nlmsg_type) {
		case NLMSG_NOOP:
			continue;
		case NLMSG_ERROR:
			return cham_nl_ack_error(nlh, nl_ext_ack_msg,
						 sizeof(nl_ext_ack_msg));
		case NLMSG_DONE:
			return nl_handle_done(nlh);
		case NLMSG_OVERRUN:
			return -ENOBUFS;
		}
		if (cb) {
			err = cb(nlh, data);
			if (err)
				return err;
		}
	}
	return 1;
}

int nl_socket_transact(struct mnl_socket *sock, struct nlmsghdr *nlh,
		       nl_reply_cb cb, void *data)
{
	unsigned int portid = mnl_socket_get_portid(sock);
	unsigned int seq = nlh->nlmsg_seq;
	ssize_t len;
	int ret;

	nl_ext_ack_msg[0] = '\0';
	if (mnl_socket_sendto(sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		len = mnl_socket_recvfrom(sock, nl_recv_buf,
					  sizeof(nl_recv_buf));
		if (len < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		ret = nl_handle_replies(nl_recv_buf, len, portid, seq, cb,
					data);
	} while (ret > 0);
	return ret;
}

int nl_transact(struct nlmsghdr *nlh, nl_reply_cb cb, void *data)
{
	return nl_socket_transact(nl_sock, nlh, cb, data);
}

static void nl_parse_into(const struct nlattr *attr,
			  const enum mnl_attr_data_type *types,
			  unsigned int max, const struct nlattr **tb)
{
	unsigned int type = mnl_attr_get_type(attr);

	if (type > max)
		return;
	if (types[type] != MNL_TYPE_UNSPEC &&
	    mnl_attr_validate(attr, types[type]) < 0)
		return;
	tb[type] = attr;
}

void nl_parse(const struct nlmsghdr *nlh,
	      const enum mnl_attr_data_type *types, unsigned int max,
	      const struct nlattr **tb)
{
	const struct nlattr *attr;

	memset(tb, 0, (max + 1) * sizeof(*tb));
	mnl_attr_for_each(attr, nlh, GENL_HDRLEN)
		nl_parse_into(attr, types, max, tb);
}

void nl_parse_nested(const struct nlattr *nest,
		     const enum mnl_attr_data_type *types, unsigned int max,
		     const struct nlattr **tb)
{
	const struct nlattr *attr;

	memset(tb, 0, (max + 1) * sizeof(*tb));
	mnl_attr_for_each_nested(attr, nest)
		nl_parse_into(attr, types, max, tb);
}

void nl_put_tenant_ref(struct nlmsghdr *nlh, const struct tenant_ref *ref)
{
	if (ref->by_id)
		mnl_attr_put_u32(nlh, CHAM_A_TENANT_ID, ref->id);
	else
		mnl_attr_put_strz(nlh, CHAM_A_TENANT_NAME, ref->name);
}

static const enum mnl_attr_data_type
source_attr_types[CHAM_A_SOURCE_MAX + 1] = {
	[CHAM_A_SOURCE_FAMILY] = MNL_TYPE_U8,
	[CHAM_A_SOURCE_ADDR] = MNL_TYPE_BINARY,
	[CHAM_A_SOURCE_PREFIX_LEN] = MNL_TYPE_U8,
};

void nl_attr_copy_str(char *dst, size_t size, const struct nlattr *attr)
{
	snprintf(dst, size, "%s", attr ? mnl_attr_get_str(attr) : "");
	sanitize_text(dst);
}

unsigned int nl_parse_prefixes(const struct nlattr *nest,
			       struct ip_prefix *prefixes, unsigned int max)
{
	const struct nlattr *tb[CHAM_A_SOURCE_MAX + 1], *attr;
	struct ip_prefix *prefix;
	unsigned int count = 0;
	uint8_t family;

	mnl_attr_for_each_nested(attr, nest) {
		if (mnl_attr_get_type(attr) != CHAM_A_SOURCES_ENTRY ||
		    mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0 ||
		    count == max)
			continue;
		nl_parse_nested(attr, source_attr_types, CHAM_A_SOURCE_MAX, tb);
		if (!tb[CHAM_A_SOURCE_FAMILY] || !tb[CHAM_A_SOURCE_ADDR] ||
		    !tb[CHAM_A_SOURCE_PREFIX_LEN])
			continue;
		family = mnl_attr_get_u8(tb[CHAM_A_SOURCE_FAMILY]);
		if ((family != AF_INET && family != AF_INET6) ||
		    mnl_attr_get_payload_len(tb[CHAM_A_SOURCE_ADDR]) !=
		    family_addr_len(family))
			continue;
		prefix = &prefixes[count++];
		memset(prefix, 0, sizeof(*prefix));
		prefix->family = family;
		memcpy(prefix->addr,
		       mnl_attr_get_payload(tb[CHAM_A_SOURCE_ADDR]),
		       family_addr_len(family));
		prefix->len = mnl_attr_get_u8(tb[CHAM_A_SOURCE_PREFIX_LEN]);
	}
	return count;
}

void nl_put_prefixes(struct nlmsghdr *nlh, uint16_t type,
		     const struct ip_prefix *prefixes, unsigned int count)
{
	struct nlattr *list, *entry;
	unsigned int i;

	list = mnl_attr_nest_start(nlh, type);
	for (i = 0; i < count; i++) {
		const struct ip_prefix *p = &prefixes[i];

		entry = mnl_attr_nest_start(nlh, CHAM_A_SOURCES_ENTRY);
		mnl_attr_put_u8(nlh, CHAM_A_SOURCE_FAMILY, p->family);
		mnl_attr_put(nlh, CHAM_A_SOURCE_ADDR,
			     family_addr_len(p->family), p->addr);
		mnl_attr_put_u8(nlh, CHAM_A_SOURCE_PREFIX_LEN, p->len);
		mnl_attr_nest_end(nlh, entry);
	}
	mnl_attr_nest_end(nlh, list);
}

/* CTRL_ATTR_MCAST_GROUPS: a nest of nests, one per group. */
static void nl_parse_groups(const struct nlattr *groups)
{
	static const enum mnl_attr_data_type
	types[CTRL_ATTR_MCAST_GRP_MAX + 1] = {
		[CTRL_ATTR_MCAST_GRP_NAME] = MNL_TYPE_NUL_STRING,
		[CTRL_ATTR_MCAST_GRP_ID] = MNL_TYPE_U32,
	};
	const struct nlattr *tb[CTRL_ATTR_MCAST_GRP_MAX + 1], *group;

	mnl_attr_for_each_nested(group, groups) {
		if (nl_n_groups == NL_MAX_GROUPS)
			break;
		if (mnl_attr_validate(group, MNL_TYPE_NESTED) < 0)
			continue;
		nl_parse_nested(group, types, CTRL_ATTR_MCAST_GRP_MAX, tb);
		if (!tb[CTRL_ATTR_MCAST_GRP_NAME] ||
		    !tb[CTRL_ATTR_MCAST_GRP_ID])
			continue;
		snprintf(nl_groups[nl_n_groups].name, GENL_NAMSIZ, "%s",
			 mnl_attr_get_str(tb[CTRL_ATTR_MCAST_GRP_NAME]));
		nl_groups[nl_n_groups++].id =
			mnl_attr_get_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
	}
}

static int nl_family_id_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, GENL_HDRLEN) {
		switch (mnl_attr_get_type(attr)) {
		case CTRL_ATTR_FAMILY_ID:
			if (mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
				*(uint16_t *)data = mnl_attr_get_u16(attr);
			break;
		case CTRL_ATTR_VERSION:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
				nl_family_version = mnl_attr_get_u32(attr);
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			if (mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0)
				nl_parse_groups(attr);
			break;
		}
	}
	return 0;
}

/*
 * Opens the socket and resolves the family, without a word: 0, -EPROTO
 * when the kernel did not say the family's id, or another negative errno
 * (-ENOENT: the module is not loaded).
 */
static int nl_connect(void)
{
	struct nlmsghdr *nlh;
	int err;

	if (nl_family)
		return 0;	/* opened already */
	if (!nl_sock) {
		nl_sock = cham_nl_socket_open(NETLINK_GENERIC);
		if (!nl_sock)
			return -errno;
		nl_seq = time(NULL);
	}
	nlh = nl_start(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, NLM_F_ACK);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, CHAM_GENL_NAME);
	err = nl_transact(nlh, nl_family_id_cb, &nl_family);
	if (err)
		return err;
	return nl_family ? 0 : -EPROTO;
}

int nl_open(void)
{
	int err = nl_connect();

	if (!err)
		return 0;
	if (!nl_sock)
		return fail_errno(err, "opening a generic netlink socket");
	if (err == -ENOENT)
		return fail("the kernel has no \"%s\" netlink family; is the module loaded? (modprobe chamelio)",
			    CHAM_GENL_NAME);
	if (err == -EPROTO)
		return fail("the kernel did not say which id the \"%s\" family has",
			    CHAM_GENL_NAME);
	return nl_fail(err, "resolving the \"%s\" netlink family",
		       CHAM_GENL_NAME);
}

int nl_probe_family(uint32_t *version)
{
	int err = nl_connect();

	if (!err)
		*version = nl_family_version;
	return err;
}

void nl_close(void)
{
	if (nl_sock)
		mnl_socket_close(nl_sock);
	nl_sock = NULL;
	nl_family = 0;
	nl_family_version = 0;
	nl_n_groups = 0;
}

int nl_join_group(const char *name)
{
	unsigned int i;
	int id;

	for (i = 0; i < nl_n_groups; i++)
		if (!strcmp(nl_groups[i].name, name))
			break;
	if (i == nl_n_groups)
		return fail("the \"%s\" netlink family has no \"%s\" group; is the module older than chamctl?",
			    CHAM_GENL_NAME, name);
	id = nl_groups[i].id;
	if (mnl_socket_setsockopt(nl_sock, NETLINK_ADD_MEMBERSHIP, &id,
				  sizeof(id)) < 0)
		return fail_errno(errno, "joining the \"%s\" group of \"%s\"",
				  name, CHAM_GENL_NAME);
	return 0;
}

int nl_listen(nl_reply_cb cb, void *data)
{
	const struct nlmsghdr *nlh;
	ssize_t len;
	int remaining, ret;

	for (;;) {
		len = mnl_socket_recvfrom(nl_sock, nl_recv_buf,
					  sizeof(nl_recv_buf));
		if (len < 0) {
			if (errno == EINTR)
				continue;
			/* The socket overflowed: say so, and keep listening. */
			if (errno == ENOBUFS) {
				fail("notifications were lost (receive buffer overrun)");
				continue;
			}
			return -errno;
		}
		remaining = len;
		for (nlh = (const struct nlmsghdr *)nl_recv_buf;
		     mnl_nlmsg_ok(nlh, remaining);
		     nlh = mnl_nlmsg_next(nlh, &remaining)) {
			/* Only the kernel's notifications of our family. */
			if (nlh->nlmsg_pid || nlh->nlmsg_type != nl_family ||
			    mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
				continue;
			ret = cb(nlh, data);
			if (ret)
				return ret;
		}
	}
}
