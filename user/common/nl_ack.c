// SPDX-License-Identifier: GPL-2.0
/* The kernel's answer to a netlink request (see nl_ack.h). */
#include <errno.h>
#include <inttypes.h>
#include <linux/netlink.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "nl_ack.h"

/*
 * What the kernel's policy allows of the attribute it refused
 * (NLMSGERR_ATTR_POLICY, a nest of NL_POLICY_TYPE_ATTR_*). Only the parts
 * the kernel sent are set.
 */
struct refused_policy {
	bool has_min_u, has_max_u, has_min_s, has_max_s;
	bool has_min_len, has_max_len, has_mask;
	uint64_t min_u, max_u, mask;
	int64_t min_s, max_s;
	uint32_t min_len, max_len;
};

/*
 * The kernel puts the bounds as u64/s64 (with padding attributes), but
 * newer kernels may shorten them to 32 bits as nla_put_uint() does:
 * take either.
 */
static bool policy_u64(const struct nlattr *attr, uint64_t *value)
{
	switch (mnl_attr_get_payload_len(attr)) {
	case sizeof(uint32_t):
		*value = mnl_attr_get_u32(attr);
		return true;
	case sizeof(uint64_t):
		*value = mnl_attr_get_u64(attr);
		return true;
	}
	return false;
}

static bool policy_s64(const struct nlattr *attr, int64_t *value)
{
	int32_t v32;

	switch (mnl_attr_get_payload_len(attr)) {
	case sizeof(int32_t):
		memcpy(&v32, mnl_attr_get_payload(attr), sizeof(v32));
		*value = v32;
		return true;
	case sizeof(int64_t):
		memcpy(value, mnl_attr_get_payload(attr), sizeof(*value));
		return true;
	}
	return false;
}

static void parse_policy(const struct nlattr *nest, struct refused_policy *p)
{
	const struct nlattr *attr;

	mnl_attr_for_each_nested(attr, nest) {
		switch (mnl_attr_get_type(attr)) {
		case NL_POLICY_TYPE_ATTR_MIN_VALUE_U:
			p->has_min_u = policy_u64(attr, &p->min_u);
			break;
		case NL_POLICY_TYPE_ATTR_MAX_VALUE_U:
			p->has_max_u = policy_u64(attr, &p->max_u);
			break;
		case NL_POLICY_TYPE_ATTR_MIN_VALUE_S:
			p->has_min_s = policy_s64(attr, &p->min_s);
			break;
		case NL_POLICY_TYPE_ATTR_MAX_VALUE_S:
			p->has_max_s = policy_s64(attr, &p->max_s);
			break;
		case NL_POLICY_TYPE_ATTR_MIN_LENGTH:
			p->has_min_len =
				mnl_attr_validate(attr, MNL_TYPE_U32) == 0;
			if (p->has_min_len)
				p->min_len = mnl_attr_get_u32(attr);
			break;
		case NL_POLICY_TYPE_ATTR_MAX_LENGTH:
			p->has_max_len =
				mnl_attr_validate(attr, MNL_TYPE_U32) == 0;
			if (p->has_max_len)
				p->max_len = mnl_attr_get_u32(attr);
			break;
		case NL_POLICY_TYPE_ATTR_MASK:
			p->has_mask = policy_u64(attr, &p->mask);
			break;
		}
	}
}

/*
 * What the policy allows, in words ("valid range 1..65535"); an empty
 * string when it says nothing a person can act on (a nested policy).
 */
static void describe_policy(const struct refused_policy *p, char *buf,
			    size_t size)
{
	buf[0] = '\0';
	if (p->has_min_u && p->has_max_u)
		snprintf(buf, size, "valid range %" PRIu64 "..%" PRIu64,
			 p->min_u, p->max_u);
	else if (p->has_min_s && p->has_max_s)
		snprintf(buf, size, "valid range %" PRId64 "..%" PRId64,
			 p->min_s, p->max_s);
	else if (p->has_mask)
		snprintf(buf, size, "valid bits 0x%" PRIx64, p->mask);
	else if (p->has_min_len && p->has_max_len &&
		 p->min_len == p->max_len)
		snprintf(buf, size, "valid length %u bytes", p->min_len);
	else if (p->has_min_len && p->has_max_len)
		snprintf(buf, size, "valid length %u..%u bytes", p->min_len,
			 p->max_len);
	else if (p->has_max_len)
		snprintf(buf, size, "valid length at most %u bytes",
			 p->max_len);
	else if (p->has_min_len)
		snprintf(buf, size, "valid length at least %u bytes",
			 p->min_len);
}

void cham_nl_parse_ext_ack(const struct nlmsghdr *nlh, size_t offset,
			   char *msg, size_t msg_size)
{
	struct refused_policy policy = {};
	char allowed[96] = "";
	const struct nlattr *attr;
	uint32_t missing = 0;
	bool have_msg = false;
	size_t len;

	if (offset > mnl_nlmsg_get_payload_len(nlh))
		return;
	mnl_attr_for_each(attr, nlh, offset) {
		switch (mnl_attr_get_type(attr)) {
		case NLMSGERR_ATTR_MSG:
			if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0) {
				snprintf(msg, msg_size, "%s",
					 mnl_attr_get_str(attr));
				have_msg = true;
			}
			break;
		case NLMSGERR_ATTR_MISS_TYPE:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
				missing = mnl_attr_get_u32(attr);
			break;
		case NLMSGERR_ATTR_POLICY:
			if (mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0)
				parse_policy(attr, &policy);
			break;
		}
	}
	/* A required attribute is reported by type, without a message. */
	if (!have_msg && missing) {
		snprintf(msg, msg_size, "attribute %u is missing", missing);
		have_msg = true;
	}
	/*
	 * A value the policy refused ("integer out of range"): the kernel
	 * says which values it takes; say it too, so the admin need not
	 * guess.
	 */
	describe_policy(&policy, allowed, sizeof(allowed));
	if (!allowed[0] || !msg_size)
		return;
	if (!have_msg) {
		snprintf(msg, msg_size, "%s", allowed);
		return;
	}
	len = strlen(msg);
	if (len < msg_size)
		snprintf(msg + len, msg_size - len, ": %s", allowed);
}
int cham_nl_ack_error(const struct nlmsghdr *nlh, char *msg, size_t msg_size)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	size_t offset = sizeof(*err);
	int error;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*err))
		return -EBADMSG;
	error = err->error < 0 ? err->error : -err->error;
	if (!error)
		return 0;
	/* Without NETLINK_CAP_ACK the request is echoed before the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (err->msg.nlmsg_len < sizeof(err->msg))
			return error;
		offset += err->msg.nlmsg_len - sizeof(err->msg);
	}
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
		cham_nl_parse_ext_ack(nlh, offset, msg, msg_size);
	return error;
}

struct mnl_socket *cham_nl_socket_open(int bus)
{
	struct mnl_socket *sock = mnl_socket_open(bus);
	int one = 1, err;

	if (!sock)
		return NULL;
	if (mnl_socket_bind(sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = errno;
		mnl_socket_close(sock);
		errno = err;
		return NULL;
	}
	/*
	 * Ask for the kernel's reason with every refusal, and not for our own
	 * request back: it is of no use (an inject's would be a whole frame)
	 * and could crowd out the reason. Kernels without these options
	 * still work, less helpfully.
	 */
	mnl_socket_setsockopt(sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(sock, NETLINK_CAP_ACK, &one, sizeof(one));
	return sock;
}
