// SPDX-License-Identifier: GPL-2.0
/*
 * libchamagent: the generic netlink side of an agent.
 *
 * Two sockets: the one registered as the tenant's agent only receives
 * (punts and events, sent by the module as unicast with sequence number 0),
 * and requests (inject, msg) go over the other and wait for their ack.
 * On one socket, a request's ack would queue behind thousands of punts,
 * and reading punts while waiting for it would reorder them.
 *
 * Replies are walked here rather than with mnl_cb_run(), whose error
 * handling drops the extended ack: the kernel's message is the most useful
 * part of a refusal.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/chamelio.h>
#include <linux/genetlink.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/nl_ack.h"
#include "internal.h"

/* The default receive buffer of the punt socket. */
#define DEFAULT_RCVBUF		(8 << 20)
/*
 * One message at a time comes off a netlink socket: the largest is a punt
 * of a 64 KiB frame plus its headers and attributes.
 */
#define PUNT_RECV_SIZE		(CHAM_AGENT_FRAME_MAX + 4096)
#define REQ_RECV_SIZE		16384
#define SEND_SIZE		(CHAM_AGENT_FRAME_MAX + 1024)
/* Messages one cham_agent_dispatch() handles before it returns. */
#define DISPATCH_BATCH		4096

struct cham_agent {
	struct mnl_socket *punt_sock;	/* registered; NULL with no_register */
	struct mnl_socket *req_sock;
	uint16_t family;
	unsigned int seq;
	/* The tenant as the caller named it: requests name it the same way. */
	bool by_id;
	uint32_t tenant_id;
	char tenant_name[CHAM_NAME_LEN];
	uint64_t overruns;
	char error[256];
	/* Punts and events that came in with the registration's ack. */
	uint8_t *early;
	size_t early_len;
	uint8_t *send_buf;
	uint8_t *punt_buf;
	uint8_t req_buf[REQ_RECV_SIZE] __attribute__((aligned(8)));
};

/* What a reply callback gets. */
typedef int (*reply_fn)(struct cham_agent *agent, const struct nlmsghdr *nlh,
			void *data);

static void __attribute__((format(printf, 2, 3)))
set_error(struct cham_agent *agent, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(agent->error, sizeof(agent->error), fmt, ap);
	va_end(ap);
}

const char *cham_agent_last_error(const struct cham_agent *agent)
{
	return agent->error;
}

int cham_agent_fd(const struct cham_agent *agent)
{
	return agent->punt_sock ? mnl_socket_get_fd(agent->punt_sock) : -1;
}

uint64_t cham_agent_overruns(const struct cham_agent *agent)
{
	return agent->overruns;
}

static struct nlmsghdr *start_msg(struct cham_agent *agent, uint16_t type,
				  uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(agent->send_buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++agent->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

/* A request of the family, naming the tenant. */
static struct nlmsghdr *start_request(struct cham_agent *agent, uint8_t cmd)
{
	struct nlmsghdr *nlh = start_msg(agent, agent->family, cmd,
					 CHAM_GENL_VERSION);

	if (agent->by_id)
		mnl_attr_put_u32(nlh, CHAM_A_TENANT_ID, agent->tenant_id);
	else
		mnl_attr_put_strz(nlh, CHAM_A_TENANT_NAME, agent->tenant_name);
	return nlh;
}

/* Keeps a punt or event that arrived before the registration's ack. */
static void keep_early(struct cham_agent *agent, const struct nlmsghdr *nlh)
{
	size_t len = NLMSG_ALIGN(nlh->nlmsg_len);
	uint8_t *early = realloc(agent->early, agent->early_len + len);

	if (!early) {
		agent->overruns++;	/* lost, like an overrun */
		return;
	}
	memcpy(early + agent->early_len, nlh, nlh->nlmsg_len);
	agent->early = early;
	agent->early_len += len;
}

/*
 * Sends @nlh on @sock and reads until its ack. Replies to it go to @fn;
 * the module's own messages on the punt socket are kept for dispatch.
 */
static int transact(struct cham_agent *agent, struct mnl_socket *sock,
		    struct nlmsghdr *nlh, reply_fn fn, void *data)
{
	unsigned int portid = mnl_socket_get_portid(sock);
	unsigned int seq = nlh->nlmsg_seq;
	const struct nlmsghdr *reply;
	uint8_t *buf = sock == agent->punt_sock ? agent->punt_buf :
						  agent->req_buf;
	size_t size = sock == agent->punt_sock ? PUNT_RECV_SIZE :
						 sizeof(agent->req_buf);
	ssize_t len;
	int remaining, err;

	agent->error[0] = '\0';
	if (mnl_socket_sendto(sock, nlh, nlh->nlmsg_len) < 0) {
		err = -errno;
		set_error(agent, "sending the request: %s", strerror(-err));
		return err;
	}
	for (;;) {
		len = mnl_socket_recvfrom(sock, buf, size);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				agent->overruns++;
				continue;
			}
			err = -errno;
			set_error(agent, "reading the answer: %s", strerror(-err));
			return err;
		}
		remaining = (int)len;
		for (reply = (const struct nlmsghdr *)buf;
		     mnl_nlmsg_ok(reply, remaining);
		     reply = mnl_nlmsg_next(reply, &remaining)) {
			if (!reply->nlmsg_seq && !reply->nlmsg_pid &&
			    reply->nlmsg_type == agent->family &&
			    sock == agent->punt_sock) {
				keep_early(agent, reply);
				continue;
			}
			/* Leftovers of an abandoned request. */
			if (reply->nlmsg_seq != seq ||
			    !mnl_nlmsg_portid_ok(reply, portid))
				continue;
			if (reply->nlmsg_type == NLMSG_ERROR) {
				err = cham_nl_ack_error(reply, agent->error,
							sizeof(agent->error));
				if (err && !agent->error[0])
					set_error(agent, "%s", strerror(-err));
				return err;
			}
			if (reply->nlmsg_type == NLMSG_DONE ||
			    reply->nlmsg_type == NLMSG_NOOP || !fn)
				continue;
			err = fn(agent, reply, data);
			if (err)
				return err;
		}
	}
}

static int family_cb(struct cham_agent *agent, const struct nlmsghdr *nlh,
		     void *data)
{
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
		    mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
			agent->family = mnl_attr_get_u16(attr);
	return 0;
}

static void set_rcvbuf(struct mnl_socket *sock, int bytes)
{
	int fd = mnl_socket_get_fd(sock);

	/* Past rmem_max needs CAP_NET_ADMIN; others get what they may. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

void cham_agent_close(struct cham_agent *agent)
{
	if (!agent)
		return;
	if (agent->punt_sock)
		mnl_socket_close(agent->punt_sock);
	if (agent->req_sock)
		mnl_socket_close(agent->req_sock);
	free(agent->early);
	free(agent->send_buf);
	free(agent->punt_buf);
	free(agent);
}

/* Closes what was opened and reports @err (negative) with errno set. */
static struct cham_agent *open_failed(struct cham_agent *agent, int err,
				      char *msg, size_t msg_len,
				      const char *what)
{
	if (msg && msg_len) {
		if (agent && agent->error[0] && strcmp(agent->error, strerror(-err)))
			snprintf(msg, msg_len, "%s: %s: %s", what,
				 strerror(-err), agent->error);
		else
			snprintf(msg, msg_len, "%s: %s", what, strerror(-err));
	}
	cham_agent_close(agent);
	errno = -err;
	return NULL;
}

struct cham_agent *cham_agent_open(const char *tenant,
				   const struct cham_agent_opts *opts,
				   char *msg, size_t msg_len)
{
	struct cham_agent_opts defaults = { 0 };
	struct cham_agent *agent;
	struct nlmsghdr *nlh;
	char what[96];
	int err;

	if (!opts)
		opts = &defaults;
	if (!tenant || !*tenant || strlen(tenant) >= CHAM_NAME_LEN)
		return open_failed(NULL, -EINVAL, msg, msg_len,
				   "a tenant name or id is needed");
	agent = calloc(1, sizeof(*agent));
	if (!agent)
		return open_failed(NULL, -ENOMEM, msg, msg_len, "allocating");
	agent->send_buf = malloc(SEND_SIZE);
	agent->punt_buf = opts->no_register ? NULL : malloc(PUNT_RECV_SIZE);
	if (!agent->send_buf || (!opts->no_register && !agent->punt_buf))
		return open_failed(agent, -ENOMEM, msg, msg_len, "allocating");
	agent->by_id = all_digits(tenant);
	if (agent->by_id)
		agent->tenant_id = (uint32_t)strtoul(tenant, NULL, 10);
	snprintf(agent->tenant_name, sizeof(agent->tenant_name), "%s", tenant);
	agent->seq = (unsigned int)time(NULL);

	agent->req_sock = cham_nl_socket_open(NETLINK_GENERIC);
	if (!agent->req_sock)
		return open_failed(agent, -errno, msg, msg_len,
				   "opening a generic netlink socket");
	nlh = start_msg(agent, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, CHAM_GENL_NAME);
	err = transact(agent, agent->req_sock, nlh, family_cb, NULL);
	if (err == -ENOENT) {
		set_error(agent, "is the module loaded?");
		return open_failed(agent, err, msg, msg_len,
				   "no \"" CHAM_GENL_NAME "\" netlink family");
	}
	if (!err && !agent->family)
		err = -EPROTO;
	if (err)
		return open_failed(agent, err, msg, msg_len,
				   "resolving the \"" CHAM_GENL_NAME "\" netlink family");
	if (opts->no_register)
		return agent;

	agent->punt_sock = cham_nl_socket_open(NETLINK_GENERIC);
	if (!agent->punt_sock)
		return open_failed(agent, -errno, msg, msg_len,
				   "opening a generic netlink socket");
	set_rcvbuf(agent->punt_sock, opts->rcvbuf > 0 ? opts->rcvbuf :
						      DEFAULT_RCVBUF);
	nlh = start_request(agent, CHAM_CMD_AGENT_REGISTER);
	err = transact(agent, agent->punt_sock, nlh, NULL, NULL);
	if (err) {
		snprintf(what, sizeof(what),
			 "registering as the agent of tenant %s", tenant);
		return open_failed(agent, err, msg, msg_len, what);
	}
	return agent;
}

static const enum mnl_attr_data_type attr_types[CHAM_A_MAX + 1] = {
	[CHAM_A_TENANT_ID] = MNL_TYPE_U32,
	[CHAM_A_GUEST_ID] = MNL_TYPE_U32,
	[CHAM_A_AGENT_FRAME] = MNL_TYPE_BINARY,
	[CHAM_A_AGENT_IFINDEX] = MNL_TYPE_U32,
	[CHAM_A_AGENT_PUNT_ORIGIN] = MNL_TYPE_U8,
	[CHAM_A_AGENT_PUNT_CODE] = MNL_TYPE_U32,
	[CHAM_A_AGENT_MSG_RESULT] = MNL_TYPE_U32,
	[CHAM_A_AGENT_EVENT] = MNL_TYPE_U32,
	[CHAM_A_AGENT_EVENT_CODE] = MNL_TYPE_U32,
	[CHAM_A_AGENT_EVENT_DATA] = MNL_TYPE_BINARY,
};

/* The attributes of a message of the family; ones that fail validation are left out. */
static void parse_attrs(const struct nlmsghdr *nlh, const struct nlattr **tb)
{
	const struct nlattr *attr;
	unsigned int type;

	memset(tb, 0, (CHAM_A_MAX + 1) * sizeof(*tb));
	mnl_attr_for_each(attr, nlh, GENL_HDRLEN) {
		type = mnl_attr_get_type(attr);
		if (type > CHAM_A_MAX)
			continue;
		if (attr_types[type] != MNL_TYPE_UNSPEC &&
		    mnl_attr_validate(attr, attr_types[type]) < 0)
			continue;
		tb[type] = attr;
	}
}

static uint32_t attr_u32(const struct nlattr *attr)
{
	return attr ? mnl_attr_get_u32(attr) : 0;
}

/* One message from the module: returns 1 if it was a punt or event. */
static int dispatch_one(struct cham_agent *agent, const struct nlmsghdr *nlh,
			const struct cham_agent_handlers *h, void *user)
{
	const struct nlattr *tb[CHAM_A_MAX + 1];
	const struct genlmsghdr *genl;

	if (nlh->nlmsg_type != agent->family || nlh->nlmsg_pid ||
	    mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
		return 0;
	genl = mnl_nlmsg_get_payload(nlh);
	parse_attrs(nlh, tb);
	if (genl->cmd == CHAM_CMD_AGENT_PUNT) {
		struct cham_agent_punt punt = {
			.tenant_id = attr_u32(tb[CHAM_A_TENANT_ID]),
			.origin = tb[CHAM_A_AGENT_PUNT_ORIGIN] ?
				  mnl_attr_get_u8(tb[CHAM_A_AGENT_PUNT_ORIGIN]) : 0,
			.code = attr_u32(tb[CHAM_A_AGENT_PUNT_CODE]),
			.ifindex = attr_u32(tb[CHAM_A_AGENT_IFINDEX]),
			.guest_id = attr_u32(tb[CHAM_A_GUEST_ID]),
		};

		if (!tb[CHAM_A_AGENT_FRAME])
			return 0;
		punt.frame = mnl_attr_get_payload(tb[CHAM_A_AGENT_FRAME]);
		punt.len = mnl_attr_get_payload_len(tb[CHAM_A_AGENT_FRAME]);
		if (h && h->punt)
			h->punt(agent, &punt, user);
		return 1;
	}
	if (genl->cmd == CHAM_CMD_AGENT_EVENT) {
		struct cham_agent_notice event = {
			.tenant_id = attr_u32(tb[CHAM_A_TENANT_ID]),
			.type = attr_u32(tb[CHAM_A_AGENT_EVENT]),
			.code = attr_u32(tb[CHAM_A_AGENT_EVENT_CODE]),
		};

		if (tb[CHAM_A_AGENT_EVENT_DATA]) {
			event.data = mnl_attr_get_payload(tb[CHAM_A_AGENT_EVENT_DATA]);
			event.len = mnl_attr_get_payload_len(tb[CHAM_A_AGENT_EVENT_DATA]);
		}
		if (h && h->event)
			h->event(agent, &event, user);
		return 1;
	}
	return 0;
}

static int dispatch_buf(struct cham_agent *agent, const uint8_t *buf,
			size_t len, const struct cham_agent_handlers *h,
			void *user)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int remaining = (int)len, n = 0;

	for (; mnl_nlmsg_ok(nlh, remaining);
	     nlh = mnl_nlmsg_next(nlh, &remaining))
		n += dispatch_one(agent, nlh, h, user);
	return n;
}

int cham_agent_dispatch(struct cham_agent *agent,
			const struct cham_agent_handlers *h, void *user)
{
	int fd, n = 0, reads;
	uint8_t *early;
	ssize_t len;

	if (!agent->punt_sock)
		return -EINVAL;
	if (agent->early) {
		/* Detached first: a callback may not see it twice. */
		early = agent->early;
		len = (ssize_t)agent->early_len;
		agent->early = NULL;
		agent->early_len = 0;
		n += dispatch_buf(agent, early, (size_t)len, h, user);
		free(early);
	}
	fd = mnl_socket_get_fd(agent->punt_sock);
	for (reads = 0; reads < DISPATCH_BATCH; reads++) {
		len = recv(fd, agent->punt_buf, PUNT_RECV_SIZE, MSG_DONTWAIT);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == ENOBUFS) {
				/* The socket overflowed: messages are lost. */
				agent->overruns++;
				continue;
			}
			return -errno;
		}
		n += dispatch_buf(agent, agent->punt_buf, (size_t)len, h, user);
	}
	return n;
}

static int inject(struct cham_agent *agent, uint16_t target_type,
		  uint32_t target, const void *frame, size_t len)
{
	struct nlmsghdr *nlh;

	if (len < CHAM_AGENT_FRAME_MIN || len > CHAM_AGENT_FRAME_MAX) {
		set_error(agent, "a frame is %d to %d bytes long",
			  CHAM_AGENT_FRAME_MIN, CHAM_AGENT_FRAME_MAX);
		return -EINVAL;
	}
	nlh = start_request(agent, CHAM_CMD_AGENT_INJECT);
	mnl_attr_put_u32(nlh, target_type, target);
	/* The length fits: SEND_SIZE has room for the largest frame. */
	mnl_attr_put(nlh, CHAM_A_AGENT_FRAME, len, frame);
	return transact(agent, agent->req_sock, nlh, NULL, NULL);
}

int cham_agent_inject_port(struct cham_agent *agent, uint32_t ifindex,
			   const void *frame, size_t len)
{
	return inject(agent, CHAM_A_AGENT_IFINDEX, ifindex, frame, len);
}

int cham_agent_inject_guest(struct cham_agent *agent, uint32_t guest_id,
			    const void *frame, size_t len)
{
	return inject(agent, CHAM_A_GUEST_ID, guest_id, frame, len);
}

struct msg_reply {
	bool have;
	int32_t result;
};

static int msg_cb(struct cham_agent *agent, const struct nlmsghdr *nlh,
		  void *data)
{
	const struct nlattr *tb[CHAM_A_MAX + 1];
	struct msg_reply *reply = data;

	if (nlh->nlmsg_type != agent->family)
		return 0;
	parse_attrs(nlh, tb);
	if (tb[CHAM_A_AGENT_MSG_RESULT]) {
		reply->result = (int32_t)mnl_attr_get_u32(tb[CHAM_A_AGENT_MSG_RESULT]);
		reply->have = true;
	}
	return 0;
}

int cham_agent_msg(struct cham_agent *agent, uint32_t type, uint32_t flow,
		   const void *data, size_t len, int32_t *result)
{
	struct msg_reply reply = { 0 };
	struct nlmsghdr *nlh;
	int err;

	if (len > CHAM_AGENT_MSG_MAX) {
		set_error(agent, "a message is at most %d bytes",
			  CHAM_AGENT_MSG_MAX);
		return -EMSGSIZE;
	}
	nlh = start_request(agent, CHAM_CMD_AGENT_MSG);
	mnl_attr_put_u32(nlh, CHAM_A_AGENT_MSG_TYPE, type);
	if (flow)
		mnl_attr_put_u32(nlh, CHAM_A_AGENT_MSG_FLOW, flow);
	if (len)
		mnl_attr_put(nlh, CHAM_A_AGENT_MSG_DATA, len, data);
	err = transact(agent, agent->req_sock, nlh, msg_cb, &reply);
	if (err)
		return err;
	if (!reply.have) {
		set_error(agent, "the kernel's answer had no result");
		return -EPROTO;
	}
	*result = reply.result;
	return 0;
}

int cham_port_mtu(uint32_t ifindex)
{
	struct ifreq ifr = { 0 };
	int fd, err;

	if (!if_indextoname(ifindex, ifr.ifr_name))
		return -errno;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	err = ioctl(fd, SIOCGIFMTU, &ifr) ? -errno : ifr.ifr_mtu;
	close(fd);
	return err;
}
