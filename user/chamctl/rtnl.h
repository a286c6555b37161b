/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Links over rtnetlink: what guest add and guest del need of a guest's
 * veth pair. Each call opens a routing socket of its own, and a socket
 * belongs to the network namespace it was opened in: after setns() the
 * same calls act on the other namespace's links.
 *
 * Each returns 0 or a negative errno; nl_ext_ack() then has the kernel's
 * explanation, if it gave one.
 */
#ifndef CHAMCTL_RTNL_H
#define CHAMCTL_RTNL_H

#include <stdint.h>

struct veth_pair {
	const char *name;		/* created in the current namespace */
	const char *peer_name;		/* created in @peer_netns_fd */
	const uint8_t *peer_mac;	/* 6 bytes */
	int peer_netns_fd;
};

/* Creates the pair, both ends down, each with one RX and one TX queue. */
int rtnl_veth_create(const struct veth_pair *pair);

int rtnl_link_set_up(uint32_t ifindex);

/* Deleting one end of a veth pair deletes both. */
int rtnl_link_delete(uint32_t ifindex);
/*
 * The same by name, in the current namespace: for undoing a creation
 * whose index could not be learnt.
 */
int rtnl_link_delete_name(const char *name);

#endif /* CHAMCTL_RTNL_H */
