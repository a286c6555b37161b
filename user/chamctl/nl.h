/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic netlink conversation with the "chamelio" family: one socket,
 * one request at a time, and the kernel's extended ack kept so a refusal
 * can be explained.
 */
#ifndef CHAMCTL_NL_H
#define CHAMCTL_NL_H

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "chamctl.h"
#include "common/nl_ack.h"

/*
 * Opens the socket and resolves the family; prints why on failure.
 * Returns 0 or EXIT_FAIL.
 */
int nl_open(void);

/*
 * Whether the module's family is there, without printing anything (for
 * chamctl --version): 0 with its version (CHAM_GENL_VERSION of the module)
 * in *version, or a negative errno, -ENOENT when the module is not loaded.
 * Opens the socket as nl_open() does.
 */
int nl_probe_family(uint32_t *version);

/*
 * Closes the socket, so that nl_open() opens a new one: a forked process
 * must not share its parent's conversation.
 */
void nl_close(void);

/*
 * Starts a request for @cmd in a buffer owned by nl.c, valid until the next
 * request. @dump asks for every object instead of one.
 */
struct nlmsghdr *nl_request(uint8_t cmd, bool dump);

/*
 * Bytes left in the buffer of request @nlh: checked before a payload of
 * the user's size (an injected frame) is added, where libmnl checks none.
 */
size_t nl_request_room(const struct nlmsghdr *nlh);

/* Called for each reply message; returns 0 or a negative errno to stop. */
typedef int (*nl_reply_cb)(const struct nlmsghdr *nlh, void *data);

/*
 * Sends @nlh and reads replies until the ack (or the end of a dump).
 * Returns 0 or a negative errno; the kernel's message, if it gave one, is
 * then available from nl_ext_ack().
 */
int nl_transact(struct nlmsghdr *nlh, nl_reply_cb cb, void *data);

/*
 * The same conversation on a socket of its own, such as a routing socket
 * (rtnl.c). @nlh needs a sequence number; replies are matched to it.
 */
int nl_socket_transact(struct mnl_socket *sock, struct nlmsghdr *nlh,
		       nl_reply_cb cb, void *data);

/* The kernel's explanation of the last refusal, or NULL. */
const char *nl_ext_ack(void);

/*
 * Prints "chamctl: WHAT: strerror (extack message)" for a refusal of
 * nl_transact() and returns EXIT_FAIL.
 */
__attribute__((format(printf, 2, 3)))
int nl_fail(int err, const char *what_fmt, ...);

/*
 * Attribute parsing: @types gives the payload type of each attribute of a
 * set (MNL_TYPE_UNSPEC: any length). Attributes whose payload does not
 * match are left out of @tb, so users of @tb need no further checks.
 */
void nl_parse(const struct nlmsghdr *nlh,
	      const enum mnl_attr_data_type *types, unsigned int max,
	      const struct nlattr **tb);
void nl_parse_nested(const struct nlattr *nest,
		     const enum mnl_attr_data_type *types, unsigned int max,
		     const struct nlattr **tb);

/* The payload types of the top-level attributes (enum cham_attr). */
extern const enum mnl_attr_data_type cham_attr_types[CHAM_A_MAX + 1];

/*
 * Notifications: join the family's multicast group @name (after
 * nl_open()); returns 0 or EXIT_FAIL, saying why.
 */
int nl_join_group(const char *name);

/*
 * Calls @cb for each notification of the family until it returns
 * non-zero, and returns that; a negative errno if receiving fails.
 */
int nl_listen(nl_reply_cb cb, void *data);

/* Adds a tenant, by id or by name, to a request. */
void nl_put_tenant_ref(struct nlmsghdr *nlh, const struct tenant_ref *ref);

/*
 * A list of prefixes, as tenant sources and guest addresses are sent:
 * repeated CHAM_A_SOURCES_ENTRY nests, each a CHAM_A_SOURCE_* triple.
 * Parsing fills at most @max and returns how many; malformed entries are
 * left out. Putting writes nest @type, empty when @count is 0.
 */
/*
 * A string attribute into @dst (empty when missing), made safe to print:
 * names come from the kernel, which took them from whoever set them.
 */
void nl_attr_copy_str(char *dst, size_t size, const struct nlattr *attr);

unsigned int nl_parse_prefixes(const struct nlattr *nest,
			       struct ip_prefix *prefixes, unsigned int max);
void nl_put_prefixes(struct nlmsghdr *nlh, uint16_t type,
		     const struct ip_prefix *prefixes, unsigned int count);

#endif /* CHAMCTL_NL_H */
