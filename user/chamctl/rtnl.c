// SPDX-License-Identifier: GPL-2.0
/*
 * The few rtnetlink requests chamctl makes, with libmnl like the generic
 * netlink ones, and their replies walked by the same code (nl.c), so a
 * refusal comes with the kernel's extended ack here too.
 */
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/if_ether.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include "nl.h"
#include "rtnl.h"

/* A veth request with both ends' names is well under this. */
#define RTNL_MSG_SIZE	1024

static unsigned int rtnl_seq;

static struct nlmsghdr *rtnl_start(char *buf, uint16_t type, uint16_t flags,
				   struct ifinfomsg **ifm)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	if (!rtnl_seq)
		rtnl_seq = time(NULL);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++rtnl_seq;
	*ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(**ifm));
	(*ifm)->ifi_family = AF_UNSPEC;
	return nlh;
}

static int rtnl_transact(struct nlmsghdr *nlh)
{
	struct mnl_socket *sock = cham_nl_socket_open(NETLINK_ROUTE);
	int err;

	if (!sock)
		return -errno;
	err = nl_socket_transact(sock, nlh, NULL, NULL);
	mnl_socket_close(sock);
	return err;
}

/*
 * One RX queue: frames redirected to the host side land on the peer's
 * queue for the sending CPU modulo the peer's queue count, and the guest's
 * AF_XDP socket is bound to queue 0 only.
 */
static void put_one_queue(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, IFLA_NUM_TX_QUEUES, 1);
	mnl_attr_put_u32(nlh, IFLA_NUM_RX_QUEUES, 1);
}

int rtnl_veth_create(const struct veth_pair *pair)
{
	char buf[RTNL_MSG_SIZE] __attribute__((aligned(8)));
	struct nlattr *linkinfo, *data, *peer;
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh;

	nlh = rtnl_start(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifm);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, pair->name);
	put_one_queue(nlh);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	/* The peer is described as a link: a header, then attributes. */
	peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, pair->peer_name);
	mnl_attr_put(nlh, IFLA_ADDRESS, ETH_ALEN, pair->peer_mac);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, pair->peer_netns_fd);
	put_one_queue(nlh);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	return rtnl_transact(nlh);
}

int rtnl_link_set_up(uint32_t ifindex)
{
	char buf[RTNL_MSG_SIZE] __attribute__((aligned(8)));
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh;

	nlh = rtnl_start(buf, RTM_NEWLINK, 0, &ifm);
	ifm->ifi_index = ifindex;
	ifm->ifi_flags = IFF_UP;
	ifm->ifi_change = IFF_UP;
	return rtnl_transact(nlh);
}

int rtnl_link_delete(uint32_t ifindex)
{
	char buf[RTNL_MSG_SIZE] __attribute__((aligned(8)));
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh;

	nlh = rtnl_start(buf, RTM_DELLINK, 0, &ifm);
	ifm->ifi_index = ifindex;
	return rtnl_transact(nlh);
}

int rtnl_link_delete_name(const char *name)
{
	char buf[RTNL_MSG_SIZE] __attribute__((aligned(8)));
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh;

	nlh = rtnl_start(buf, RTM_DELLINK, 0, &ifm);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return rtnl_transact(nlh);
}
