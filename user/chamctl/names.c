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
};
static_assert(ARRAY_SIZE(parse_error_names) == __CHAM_PARSE_MAX,
	      "every cham_parse_error needs a name");

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
