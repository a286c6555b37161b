// SPDX-License-Identifier: GPL-2.0
/*
 * Name tables, indexed by the uapi enums. Each is checked against the
 * enum's size, so a value added to the ABI cannot go unnamed here.
 */
#include <assert.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "chamctl.h"
#include "names.h"

static const char *const verdict_names[] = {
	[CHAM_VERDICT_PASS] = "pass",
	[CHAM_VERDICT_DROP] = "drop",
	[CHAM_VERDICT_TX] = "tx",
	[CHAM_VERDICT_REDIRECT] = "redirect",
	[CHAM_VERDICT_PUNT] = "punt",
};
static_assert(ARRAY_SIZE(verdict_names) == __CHAM_VERDICT_MAX,
	      "every cham_verdict needs a name");

static const char *const drop_reason_names[] = {
	[CHAM_DROP_HANDLER] = "handler",
	[CHAM_DROP_DEFAULT] = "default",
	[CHAM_DROP_BAD_VERDICT] = "bad_verdict",
	[CHAM_DROP_BAD_REDIRECT] = "bad_redirect",
	[CHAM_DROP_OVER_BUDGET] = "over_budget",
	[CHAM_DROP_SPOOFED_SOURCE] = "spoofed_source",
	[CHAM_DROP_PORT_NOT_ALLOWED] = "port_not_allowed",
	[CHAM_DROP_EGRESS_MALFORMED] = "egress_malformed",
	[CHAM_DROP_NO_HANDLER] = "no_handler",
	[CHAM_DROP_GUEST_SOURCE] = "guest_source",
	[CHAM_DROP_GUEST_MALFORMED] = "guest_malformed",
	[CHAM_DROP_NO_AGENT] = "no_agent",
	[CHAM_DROP_PUNT_QUEUE_FULL] = "punt_queue_full",
	[CHAM_DROP_FRAGMENT_AMBIGUOUS] = "fragment_ambiguous",
};
static_assert(ARRAY_SIZE(drop_reason_names) == __CHAM_DROP_MAX,
	      "every cham_drop_reason needs a name");

static const char *const parse_error_names[] = {
	[CHAM_PARSE_TRUNC_L2] = "trunc_l2",
	[CHAM_PARSE_VLAN_DEPTH] = "vlan_depth",
	[CHAM_PARSE_TRUNC_L3] = "trunc_l3",
	[CHAM_PARSE_BAD_L3] = "bad_l3",
	[CHAM_PARSE_EXT_DEPTH] = "ext_depth",
	[CHAM_PARSE_FRAGMENT] = "fragment",
	[CHAM_PARSE_TRUNC_L4] = "trunc_l4",
	[CHAM_PARSE_NOT_IP] = "not_ip",
	[CHAM_PARSE_BAD_L3_CSUM] = "bad_l3_csum",
	[CHAM_PARSE_BAD_L4_LEN] = "bad_l4_len",
	[CHAM_PARSE_NOT_PORT] = "not_port",
};
static_assert(ARRAY_SIZE(parse_error_names) == __CHAM_PARSE_MAX,
	      "every cham_parse_error needs a name");

static const char *const budget_policy_names[] = {
	[CHAM_BUDGET_DROP] = "drop",
	[CHAM_BUDGET_ECN] = "ecn",
};
static_assert(ARRAY_SIZE(budget_policy_names) == __CHAM_BUDGET_MAX,
	      "every cham_budget_policy needs a name");

/* As the kernel names them (CHAM_A_HANDLER_NAME): the ops' member names. */
static const char *const proto_handler_names[] = {
	[CHAM_PROTO_HANDLER_RX] = "rx",
	[CHAM_PROTO_HANDLER_TX] = "tx",
	[CHAM_PROTO_HANDLER_TIMER] = "timer",
	[CHAM_PROTO_HANDLER_FLOW_OPEN] = "flow_open",
	[CHAM_PROTO_HANDLER_FLOW_CLOSE] = "flow_close",
	[CHAM_PROTO_HANDLER_SLOWPATH_MSG] = "slowpath_msg",
};
static_assert(ARRAY_SIZE(proto_handler_names) == __CHAM_PROTO_HANDLER_MAX,
	      "every cham_proto_handler needs a name");

const char *verdict_name(unsigned int verdict)
{
	return verdict < ARRAY_SIZE(verdict_names) ? verdict_names[verdict] :
						     NULL;
}

const char *drop_reason_name(unsigned int reason)
{
	return reason < ARRAY_SIZE(drop_reason_names) ?
	       drop_reason_names[reason] : NULL;
}

const char *parse_error_name(unsigned int error)
{
	return error < ARRAY_SIZE(parse_error_names) ?
	       parse_error_names[error] : NULL;
}

const char *budget_policy_name(unsigned int policy)
{
	return policy < ARRAY_SIZE(budget_policy_names) ?
	       budget_policy_names[policy] : NULL;
}

bool budget_policy_parse(const char *name, uint8_t *policy)
{
	uint8_t i;

	for (i = 0; i < ARRAY_SIZE(budget_policy_names); i++) {
		if (!strcmp(name, budget_policy_names[i])) {
			*policy = i;
			return true;
		}
	}
	return false;
}

const char *proto_handler_name(unsigned int handler)
{
	return handler < ARRAY_SIZE(proto_handler_names) ?
	       proto_handler_names[handler] : NULL;
}

static const struct {
	const char *name;
	uint8_t proto;
} l4_protos[] = {
	{ "any", 0 },
	{ "icmp", IPPROTO_ICMP },
	{ "tcp", IPPROTO_TCP },
	{ "udp", IPPROTO_UDP },
	{ "icmpv6", IPPROTO_ICMPV6 },
	{ "sctp", IPPROTO_SCTP },
};

bool l4_proto_parse(const char *name, int family, uint8_t *proto)
{
	size_t i;

	/* ICMP over IPv6 is another protocol; "icmp" means the right one. */
	if (!strcmp(name, "icmp") && family == AF_INET6) {
		*proto = IPPROTO_ICMPV6;
		return true;
	}
	for (i = 0; i < ARRAY_SIZE(l4_protos); i++) {
		if (!strcmp(name, l4_protos[i].name)) {
			*proto = l4_protos[i].proto;
			return true;
		}
	}
	return false;
}

const char *l4_proto_name(uint8_t proto)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(l4_protos); i++)
		if (l4_protos[i].proto == proto)
			return l4_protos[i].name;
	return NULL;
}
