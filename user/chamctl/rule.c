// SPDX-License-Identifier: GPL-2.0
/*
 * chamctl rule: steering rules, which give a tenant the packets to a
 * destination prefix, transport protocol and destination port range.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "monitor.h"
#include "names.h"
#include "nl.h"
#include "output.h"

struct rule_info {
	uint32_t id;
	uint32_t tenant_id;
	char tenant[CHAM_NAME_LEN];
	struct ip_prefix dst;
	uint8_t l4_proto;
	uint16_t port_min;
	uint16_t port_max;
};

struct rule_list {
	struct rule_info *rules;
	size_t count, cap;
};

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CHAM_A_MAX + 1];
	struct rule_list *list = data;
	struct rule_info *r;
	uint8_t family;

	nl_parse(nlh, cham_attr_types, CHAM_A_MAX, tb);
	if (!tb[CHAM_A_RULE_ID] || !tb[CHAM_A_RULE_FAMILY] ||
	    !tb[CHAM_A_RULE_DST])
		return -EPROTO;
	family = mnl_attr_get_u8(tb[CHAM_A_RULE_FAMILY]);
	if ((family != AF_INET && family != AF_INET6) ||
	    mnl_attr_get_payload_len(tb[CHAM_A_RULE_DST]) !=
	    family_addr_len(family))
		return -EPROTO;

	list->rules = grow_array(list->rules, &list->cap, list->count + 1,
				 sizeof(*list->rules));
	r = &list->rules[list->count++];
	memset(r, 0, sizeof(*r));
	r->id = mnl_attr_get_u32(tb[CHAM_A_RULE_ID]);
	r->dst.family = family;
	memcpy(r->dst.addr, mnl_attr_get_payload(tb[CHAM_A_RULE_DST]),
	       family_addr_len(family));
	r->dst.len = family_addr_len(family) * 8;
	r->port_max = UINT16_MAX;
	if (tb[CHAM_A_TENANT_ID])
		r->tenant_id = mnl_attr_get_u32(tb[CHAM_A_TENANT_ID]);
	if (tb[CHAM_A_TENANT_NAME])
		snprintf(r->tenant, sizeof(r->tenant), "%s",
			 mnl_attr_get_str(tb[CHAM_A_TENANT_NAME]));
	if (tb[CHAM_A_RULE_PREFIX_LEN])
		r->dst.len = mnl_attr_get_u8(tb[CHAM_A_RULE_PREFIX_LEN]);
	if (tb[CHAM_A_RULE_L4_PROTO])
		r->l4_proto = mnl_attr_get_u8(tb[CHAM_A_RULE_L4_PROTO]);
	if (tb[CHAM_A_RULE_PORT_MIN])
		r->port_min = mnl_attr_get_u16(tb[CHAM_A_RULE_PORT_MIN]);
	if (tb[CHAM_A_RULE_PORT_MAX])
		r->port_max = mnl_attr_get_u16(tb[CHAM_A_RULE_PORT_MAX]);
	return 0;
}

static bool covers_all_ports(const struct rule_info *r)
{
	return r->port_min == 0 && r->port_max == UINT16_MAX;
}

static void rule_json(const struct rule_info *r, const char *key)
{
	char prefix[IP_PREFIX_STRLEN];
	const char *proto = l4_proto_name(r->l4_proto);

	format_ip_prefix(&r->dst, prefix, sizeof(prefix));
	json_object_begin(key);
	json_uint("id", r->id);
	json_string("tenant", r->tenant);
	json_uint("tenant_id", r->tenant_id);
	json_string("family", r->dst.family == AF_INET ? "ipv4" : "ipv6");
	json_string("dst", prefix);
	if (proto)
		json_string("proto", proto);
	else
		json_uint("proto", r->l4_proto);
	json_uint("dport_min", r->port_min);
	json_uint("dport_max", r->port_max);
	json_object_end();
}

static const struct table_column rule_columns[] = {
	{ "ID", ALIGN_RIGHT },
	{ "TENANT", ALIGN_LEFT },
	{ "DST", ALIGN_LEFT },
	{ "PROTO", ALIGN_LEFT },
	{ "DPORT", ALIGN_LEFT },
};

static void rule_table(const struct rule_list *list)
{
	struct table *table = table_new(rule_columns, ARRAY_SIZE(rule_columns));
	char prefix[IP_PREFIX_STRLEN];
	size_t i;

	for (i = 0; i < list->count; i++) {
		const struct rule_info *r = &list->rules[i];
		const char *proto = l4_proto_name(r->l4_proto);

		format_ip_prefix(&r->dst, prefix, sizeof(prefix));
		table_row(table);
		table_cell(table, "%u", r->id);
		table_cell(table, "%s", r->tenant);
		table_cell(table, "%s", prefix);
		if (proto)
			table_cell(table, "%s", proto);
		else
			table_cell(table, "%u", r->l4_proto);
		if (covers_all_ports(r))
			table_cell(table, "any");
		else if (r->port_min == r->port_max)
			table_cell(table, "%u", r->port_min);
		else
			table_cell(table, "%u-%u", r->port_min, r->port_max);
	}
	table_print(table);
}

/* As rule add takes it: "rule ID tenant T dst P [proto X] [dport A[-B]]". */
int rule_event_print(const struct nlmsghdr *nlh, const char *event,
		     const char *verb)
{
	struct rule_list list = {};
	char prefix[IP_PREFIX_STRLEN];
	const struct rule_info *r;
	const char *proto;
	int err = rule_cb(nlh, &list);

	if (err)
		return err;
	r = &list.rules[0];
	if (opt_json) {
		json_object_begin(NULL);
		json_string("event", event);
		rule_json(r, "rule");
		json_object_end();
		free(list.rules);
		return 0;
	}
	format_ip_prefix(&r->dst, prefix, sizeof(prefix));
	printf("%s rule %u tenant %s dst %s", verb, r->id,
	       sanitize_text(list.rules[0].tenant), prefix);
	proto = l4_proto_name(r->l4_proto);
	if (proto && r->l4_proto)
		printf(" proto %s", proto);
	else if (r->l4_proto)
		printf(" proto %u", r->l4_proto);
	if (r->port_min == r->port_max)
		printf(" dport %u", r->port_min);
	else if (!covers_all_ports(r))
		printf(" dport %u-%u", r->port_min, r->port_max);
	printf("\n");
	free(list.rules);
	return 0;
}

static uint16_t parse_port(const struct chamctl_cmd *cmd, const char *arg)
{
	uint64_t port;

	if (!parse_uint(arg, UINT16_MAX, &port))
		usage_error(cmd, "'%s' is no port (0-65535)", arg);
	return port;
}

/* PORT or PORT-PORT */
static void parse_port_range(const struct chamctl_cmd *cmd, const char *arg,
			     struct rule_info *r)
{
	char buf[16];
	char *dash;

	if (snprintf(buf, sizeof(buf), "%s", arg) >= (int)sizeof(buf))
		usage_error(cmd, "'%s' is no port or port range", arg);
	dash = strchr(buf, '-');
	if (dash)
		*dash = '\0';
	r->port_min = parse_port(cmd, buf);
	r->port_max = dash ? parse_port(cmd, dash + 1) : r->port_min;
	if (r->port_min > r->port_max)
		usage_error(cmd, "port range '%s' is empty", arg);
}

static int rule_add(const struct chamctl_cmd *cmd, int argc, char **argv)
{
	const char *dst = NULL, *proto = NULL, *dport = NULL;
	const struct keyword_slot slots[] = {
		{ "dst", &dst },
		{ "proto", &proto },
		{ "dport", &dport },
	};
	struct rule_list reply = {};
	struct rule_info rule = {};
	struct tenant_ref ref;
	struct nlmsghdr *nlh;
	int err;

	if (argc < 1)
		usage_error(cmd, "missing the TENANT");
	parse_tenant_ref(cmd, argv[0], &ref);
	parse_keyword_slots(cmd, argc, argv, 1, slots, ARRAY_SIZE(slots));
	if (!dst)
		usage_error(cmd, "missing 'dst PREFIX'");
	parse_ip_prefix(cmd, dst, &rule.dst);
	if (proto && !l4_proto_parse(proto, rule.dst.family, &rule.l4_proto)) {
		uint64_t number;

		if (!parse_uint(proto, UINT8_MAX, &number))
			usage_error(cmd, "unknown protocol '%s'", proto);
		rule.l4_proto = number;
	}
	if (dport)
		parse_port_range(cmd, dport, &rule);

	if (nl_open())
		return EXIT_FAIL;
	nlh = nl_request(CHAM_CMD_RULE_NEW, false);
	nl_put_tenant_ref(nlh, &ref);
	mnl_attr_put_u8(nlh, CHAM_A_RULE_FAMILY, rule.dst.family);
	mnl_attr_put(nlh, CHAM_A_RULE_DST, family_addr_len(rule.dst.family),
		     rule.dst.addr);
	mnl_attr_put_u8(nlh, CHAM_A_RULE_PREFIX_LEN, rule.dst.len);
	if (proto)
		mnl_attr_put_u8(nlh, CHAM_A_RULE_L4_PROTO, rule.l4_proto);
	if (dport) {
		mnl_attr_put_u16(nlh, CHAM_A_RULE_PORT_MIN, rule.port_min);
		mnl_attr_put_u16(nlh, CHAM_A_RULE_PORT_MAX, rule.port_max);
	}
	err = nl_transact(nlh, rule_cb, &reply);
	if (!err && !reply.count)
		err = -EPROTO;	/* the kernel always names the new rule */
	if (err) {
		free(reply.rules);
		return nl_fail(err, "adding a rule for tenant %s", argv[0]);
	}

	if (opt_json) {
		json_object_begin(NULL);
		json_uint("id", reply.rules[0].id);
		json_object_end();
	} else {
		printf("rule %u\n", reply.rules[0].id);
	}
	free(reply.rules);
	return 0;
}

static uint32_t parse_rule_id(const struct chamctl_cmd *cmd, int argc,
			      char **argv)
{
	uint64_t id;

	if (argc > 1)
		usage_error(cmd, "unknown argument '%s'", argv[1]);
	if (!parse_uint(argv[0], UINT32_MAX, &id))
		usage_error(cmd, "rule id must be a number from 1 to %u, not '%s'",
			    UINT32_MAX, argv[0]);
	return id;
}

static int rule_del(const struct chamctl_cmd *cmd, int argc, char **argv)
{
	struct nlmsghdr *nlh;
	uint32_t id;
	int err;

	if (!argc)
		usage_error(cmd, "missing the rule ID");
	id = parse_rule_id(cmd, argc, argv);

	if (nl_open())
		return EXIT_FAIL;
	nlh = nl_request(CHAM_CMD_RULE_DEL, false);
	mnl_attr_put_u32(nlh, CHAM_A_RULE_ID, id);
	err = nl_transact(nlh, NULL, NULL);
	if (err)
		return nl_fail(err, "deleting rule %u", id);
	return 0;
}

static int rule_show(const struct chamctl_cmd *cmd, int argc, char **argv)
{
	struct rule_list list = {};
	struct nlmsghdr *nlh;
	uint32_t id = 0;
	size_t i;
	int err;

	if (argc)
		id = parse_rule_id(cmd, argc, argv);

	if (nl_open())
		return EXIT_FAIL;
	nlh = nl_request(CHAM_CMD_RULE_GET, !argc);
	if (argc)
		mnl_attr_put_u32(nlh, CHAM_A_RULE_ID, id);
	err = nl_transact(nlh, rule_cb, &list);
	if (err) {
		free(list.rules);
		if (argc)
			return nl_fail(err, "showing rule %u", id);
		return nl_fail(err, "listing rules");
	}

	if (!opt_json) {
		rule_table(&list);
	} else if (argc) {
		if (list.count)
			rule_json(&list.rules[0], NULL);
		else
			json_null(NULL);
	} else {
		json_array_begin(NULL);
		for (i = 0; i < list.count; i++)
			rule_json(&list.rules[i], NULL);
		json_array_end();
	}
	free(list.rules);
	return 0;
}

static const struct chamctl_cmd rule_cmds[] = {
	{
		.name = "add",
		.usage = "rule add TENANT dst PREFIX [proto udp|tcp|sctp|icmp|any|NUM] "
			 "[dport PORT|PORT-PORT]",
		.summary = "steer matching packets to a tenant",
		.details =
"  TENANT  the tenant's name, or its id\n"
"  PREFIX  an IPv4 or IPv6 address, optionally /LEN; without, a host route\n"
"  proto   the transport protocol; any by default (icmp means ICMPv6 for an\n"
"          IPv6 prefix)\n"
"  dport   a destination port or range; every port by default\n"
"  Prints the id the kernel gave the rule: \"rule ID\".\n",
		.run = rule_add,
	}, {
		.name = "del",
		.usage = "rule del ID",
		.summary = "delete a rule",
		.run = rule_del,
	}, {
		.name = "show",
		.usage = "rule show [ID]",
		.summary = "list rules, or show one",
		.run = rule_show,
	},
};

const struct chamctl_object rule_object = {
	.name = "rule",
	.cmds = rule_cmds,
	.n_cmds = ARRAY_SIZE(rule_cmds),
};
