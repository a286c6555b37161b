/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's answer to a netlink request: an ack, or a refusal with its
 * errno and extended ack. chamctl and libchamagent both walk their replies
 * themselves (mnl_cb_run() drops the extended ack, the most useful part of
 * a refusal), and both build this file in.
 */
#ifndef CHAM_NL_ACK_H
#define CHAM_NL_ACK_H

#include <libmnl/libmnl.h>
#include <stddef.h>

/*
 * The kernel's message from the extended-ack TLVs that start @offset bytes
 * into @nlh's payload, into @msg (@msg_size bytes). When the kernel's
 * policy refused an attribute, what the policy allows follows the message:
 * "integer out of range: valid range 1..65535". @msg is left as it is
 * when the kernel said nothing.
 */
void cham_nl_parse_ext_ack(const struct nlmsghdr *nlh, size_t offset,
			   char *msg, size_t msg_size);

/*
 * An NLMSG_ERROR message: 0 for an ack, or the refusal's negative errno
 * with its extended ack in @msg as cham_nl_parse_ext_ack() puts it.
 */
int cham_nl_ack_error(const struct nlmsghdr *nlh, char *msg, size_t msg_size);

/*
 * A bound socket of netlink @bus in the calling thread's network
 * namespace, asking for extended acks; NULL with errno set.
 */
struct mnl_socket *cham_nl_socket_open(int bus);

#endif /* CHAM_NL_ACK_H */
