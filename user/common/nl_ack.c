// SPDX-License-Identifier: GPL-2.0
/* The kernel's answer to a netlink request (see nl_ack.h). */
#include <errno.h>
#include <linux/netlink.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/socket.h>

#include "nl_ack.h"

void cham_nl_parse_ext_ack(const struct nlmsghdr *nlh, size_t offset,
			   char *msg, size_t msg_size)
{
	const struct nlattr *attr;
	uint32_t missing = 0;
	bool have_msg = false;

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
		}
	}
	/* A required attribute is reported by type, without a message. */
	if (!have_msg && missing)
		snprintf(msg, msg_size, "attribute %u is missing", missing);
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
