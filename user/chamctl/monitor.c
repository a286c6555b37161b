// SPDX-License-Identifier: GPL-2.0
/*
 * chamctl monitor: the module's notifications, as they come. The kernel
 * sends one for every change (a tenant, rule, port, guest or setting, a
 * protocol bound, replaced, unbound, ejected or reinstated, an agent),
 * whoever made it; each is printed as the object's show prints it, one
 * JSON object per line with -j. Output goes out event by event, so a
 * reader on a pipe or a file sees each one when it happens.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "monitor.h"
#include "nl.h"
#include "output.h"
#include "tenant.h"

/* The objects a monitor can be limited to, as bits of a mask. */
enum monitor_object {
	MO_TENANT,
	MO_RULE,
	MO_PORT,
	MO_GUEST,
	MO_CONFIG,
	MO_PROTO,
	MO_AGENT,
	MO_COUNT,
};

static const char *const monitor_object_names[MO_COUNT] = {
	[MO_TENANT] = "tenant",
	[MO_RULE] = "rule",
	[MO_PORT] = "port",
	[MO_GUEST] = "guest",
	[MO_CONFIG] = "config",
	[MO_PROTO] = "proto",
	[MO_AGENT] = "agent",
};

typedef int (*event_printer)(const struct nlmsghdr *nlh, const char *event,
			     const char *verb);

struct event_type {
	uint8_t cmd;
	enum monitor_object object;
	const char *event;	/* JSON "event" */
	const char *verb;	/* the text line's first word */
	event_printer print;
};

/* ---- the objects shown nowhere else in this form ---------------------- */

static const enum mnl_attr_data_type port_attr_types[CHAM_A_MAX + 1] = {
	[CHAM_A_PORT_IFINDEX] = MNL_TYPE_U32,
	[CHAM_A_PORT_IFNAME] = MNL_TYPE_NUL_STRING,
};


/* As port show lists a port: its ifindex and name. */
static int port_event_print(const struct nlmsghdr *nlh, const char *event,
			    const char *verb)
{
	const struct nlattr *tb[CHAM_A_MAX + 1];
	char ifname[IF_NAMESIZE + 1];
	uint32_t ifindex;

	nl_parse(nlh, port_attr_types, CHAM_A_MAX, tb);
	if (!tb[CHAM_A_PORT_IFINDEX])
		return -EPROTO;
	ifindex = mnl_attr_get_u32(tb[CHAM_A_PORT_IFINDEX]);
	nl_attr_copy_str(ifname, sizeof(ifname), tb[CHAM_A_PORT_IFNAME]);
	if (opt_json) {
		json_object_begin(NULL);
		json_string("event", event);
		json_object_begin("port");
		json_uint("ifindex", ifindex);
		json_string("ifname", ifname);
		json_object_end();
		json_object_end();
		return 0;
	}
	printf("%s port %s ifindex %u\n", verb, ifname, ifindex);
	return 0;
}

/* The tenant a protocol or agent notification is about. */
struct event_tenant {
	uint32_t id;
	char name[CHAM_NAME_LEN];
};

static int event_tenant_parse(const struct nlattr *const *tb,
			      struct event_tenant *t)
{
	if (!tb[CHAM_A_TENANT_ID])
		return -EPROTO;
	t->id = mnl_attr_get_u32(tb[CHAM_A_TENANT_ID]);
	nl_attr_copy_str(t->name, sizeof(t->name), tb[CHAM_A_TENANT_NAME]);
	return 0;
}

static void event_tenant_json(const char *event, const struct event_tenant *t)
{
	json_string("event", event);
	json_string("tenant", t->name);
	json_uint("tenant_id", t->id);
}

/*
 * "bound protocol NAME tenant T (id N) generation G link L", the handlers
 * after it; a replacement says what it replaced, an ejection how many
 * calls ran over the ceiling.
 */
static int proto_event_print(const struct nlmsghdr *nlh, const char *event,
			     const char *verb)
{
	const struct nlattr *tb[CHAM_A_MAX + 1];
	struct proto_info proto = {}, prev = {};
	struct event_tenant t;
	uint32_t violations = 0, ejections = 0;
	char name[CHAM_NAME_LEN];
	int err;

	nl_parse(nlh, cham_attr_types, CHAM_A_MAX, tb);
	err = event_tenant_parse(tb, &t);
	if (err || !tb[CHAM_A_TENANT_PROTO])
		return err ?: -EPROTO;
	proto_info_parse(tb[CHAM_A_TENANT_PROTO], &proto);
	if (tb[CHAM_A_TENANT_PROTO_PREV])
		proto_info_parse(tb[CHAM_A_TENANT_PROTO_PREV], &prev);
	if (tb[CHAM_A_TENANT_VIOLATIONS])
		violations = mnl_attr_get_u32(tb[CHAM_A_TENANT_VIOLATIONS]);
	if (tb[CHAM_A_TENANT_EJECTIONS])
		ejections = mnl_attr_get_u32(tb[CHAM_A_TENANT_EJECTIONS]);

	if (opt_json) {
		json_object_begin(NULL);
		event_tenant_json(event, &t);
		json_uint("violations", violations);
		json_uint("ejections", ejections);
		proto_info_json("proto", &proto);
		if (prev.present)
			proto_info_json("replaced", &prev);
		json_object_end();
		return 0;
	}
	printf("%s tenant %s id %u ", verb, t.name, t.id);
	if (prev.present) {
		snprintf(name, sizeof(name), "%s", proto_info_name(&prev));
		printf("(replaced %s generation %u) ", sanitize_text(name),
		       prev.generation);
	}
	if (!strcmp(event, "proto_ejected"))
		printf("(after %u ceiling violation%s) ", violations,
		       violations == 1 ? "" : "s");
	proto_info_print(&proto);
	return 0;
}

/* "registered agent tenant T id N portid P": the agent's netlink port. */
static int agent_event_print(const struct nlmsghdr *nlh, const char *event,
			     const char *verb)
{
	const struct nlattr *tb[CHAM_A_MAX + 1];
	struct event_tenant t;
	uint32_t portid = 0;
	int err;

	nl_parse(nlh, cham_attr_types, CHAM_A_MAX, tb);
	err = event_tenant_parse(tb, &t);
	if (err)
		return err;
	if (tb[CHAM_A_TENANT_AGENT_PORTID])
		portid = mnl_attr_get_u32(tb[CHAM_A_TENANT_AGENT_PORTID]);
	if (opt_json) {
		json_object_begin(NULL);
		event_tenant_json(event, &t);
		json_uint("agent_portid", portid);
		json_object_end();
		return 0;
	}
	printf("%s agent tenant %s id %u portid %u\n", verb, t.name, t.id,
	       portid);
	return 0;
}

static const struct event_type event_types[] = {
	{ CHAM_CMD_TENANT_ADD_NTF, MO_TENANT, "tenant_add", "added",
	  tenant_event_print },
	{ CHAM_CMD_TENANT_CHANGE_NTF, MO_TENANT, "tenant_change", "changed",
	  tenant_event_print },
	{ CHAM_CMD_TENANT_DEL_NTF, MO_TENANT, "tenant_del", "deleted",
	  tenant_event_print },
	{ CHAM_CMD_RULE_ADD_NTF, MO_RULE, "rule_add", "added",
	  rule_event_print },
	{ CHAM_CMD_RULE_DEL_NTF, MO_RULE, "rule_del", "deleted",
	  rule_event_print },
	{ CHAM_CMD_PORT_ADD_NTF, MO_PORT, "port_add", "added",
	  port_event_print },
	{ CHAM_CMD_PORT_DEL_NTF, MO_PORT, "port_del", "deleted",
	  port_event_print },
	{ CHAM_CMD_PORT_CHANGE_NTF, MO_PORT, "port_change", "renamed",
	  port_event_print },
	{ CHAM_CMD_GUEST_ADD_NTF, MO_GUEST, "guest_add", "added",
	  guest_event_print },
	{ CHAM_CMD_GUEST_DEL_NTF, MO_GUEST, "guest_del", "deleted",
	  guest_event_print },
	{ CHAM_CMD_GUEST_CHANGE_NTF, MO_GUEST, "guest_change", "changed",
	  guest_event_print },
	{ CHAM_CMD_CONFIG_CHANGE_NTF, MO_CONFIG, "config_change", "changed",
	  config_event_print },
	{ CHAM_CMD_PROTO_BIND_NTF, MO_PROTO, "proto_bind", "bound",
	  proto_event_print },
	{ CHAM_CMD_PROTO_REPLACE_NTF, MO_PROTO, "proto_replace", "replaced",
	  proto_event_print },
	{ CHAM_CMD_PROTO_UNBIND_NTF, MO_PROTO, "proto_unbind", "unbound",
	  proto_event_print },
	{ CHAM_CMD_PROTO_EJECTED, MO_PROTO, "proto_ejected", "ejected",
	  proto_event_print },
	{ CHAM_CMD_PROTO_REINSTATE_NTF, MO_PROTO, "proto_reinstate",
	  "reinstated", proto_event_print },
	{ CHAM_CMD_AGENT_ADD_NTF, MO_AGENT, "agent_add", "registered",
	  agent_event_print },
	{ CHAM_CMD_AGENT_DEL_NTF, MO_AGENT, "agent_del", "unregistered",
	  agent_event_print },
};

struct monitor {
	unsigned int objects;	/* bits of enum monitor_object */
	bool counted;		/* stop after @remaining events */
	uint64_t remaining;
};

/* A newer module may send events this chamctl does not know: say so. */
static void unknown_event(uint8_t cmd)
{
	if (opt_json) {
		json_object_begin(NULL);
		json_string("event", "unknown");
		json_uint("cmd", cmd);
		json_object_end();
		return;
	}
	printf("unknown event (command %u)\n", cmd);
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	const struct event_type *type = NULL;
	struct monitor *monitor = data;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(event_types) && !type; i++)
		if (event_types[i].cmd == genl->cmd)
			type = &event_types[i];
	if (type && !(monitor->objects & 1u << type->object))
		return 0;
	/* Shown as unknown, not lost: a malformed event is the kernel's bug. */
	if (!type || type->print(nlh, type->event, type->verb))
		unknown_event(genl->cmd);
	if (fflush(stdout) || ferror(stdout))
		return -EIO;
	if (monitor->counted && !--monitor->remaining)
		return 1;
	return 0;
}

static int parse_monitor_object(const char *word)
{
	int i;

	if (!strcmp(word, "all"))
		return (1 << MO_COUNT) - 1;
	for (i = 0; i < MO_COUNT; i++)
		if (!strcmp(word, monitor_object_names[i]))
			return 1 << i;
	return 0;
}

static int monitor_run(const struct chamctl_cmd *cmd, int argc, char **argv)
{
	struct monitor monitor = {};
	const char *value;
	int i, ret, object;

	for (i = 0; i < argc;) {
		object = parse_monitor_object(argv[i]);
		if (object) {
			monitor.objects |= object;
			i++;
			continue;
		}
		if (strcmp(argv[i], "count"))
			usage_error(cmd, "unknown object '%s': give tenant, rule, port, guest, config, proto, agent or all",
				    argv[i]);
		value = keyword_value(cmd, argc, argv, &i);
		if (monitor.counted)
			usage_error(cmd, "'count' is given twice");
		if (!parse_uint(value, UINT64_MAX, &monitor.remaining) ||
		    !monitor.remaining)
			usage_error(cmd, "count must be a number of events, 1 or more, not '%s'",
				    value);
		monitor.counted = true;
	}
	if (!monitor.objects)
		monitor.objects = (1 << MO_COUNT) - 1;

	if (nl_open() || nl_join_group(CHAM_GENL_MCGRP_EVENTS))
		return EXIT_FAIL;
	ret = nl_listen(event_cb, &monitor);
	if (ret == -EIO)
		return fail("writing the output failed");
	if (ret < 0)
		return fail_errno(ret, "receiving notifications");
	return 0;
}

static const struct chamctl_cmd monitor_cmds[] = {
	{
		.usage = "monitor [OBJECT...] [count N]",
		.summary = "print every change to the module's state as it happens",
		.details =
"  OBJECT  tenant, rule, port, guest, config, proto, agent, or all\n"
"          (the default): only the changes of these objects\n"
"  count   exit after N events; without it, run until interrupted\n"
"  Every change is an event, whoever made it (chamctl, bpftool, a\n"
"  device going away, the fast path): tenants, rules, ports and guests\n"
"  added, changed and deleted; settings changed; protocols bound,\n"
"  replaced, unbound, ejected and reinstated; agents registered and\n"
"  gone. Each is printed as the object's show prints it, one JSON\n"
"  object per line with -j (\"event\" names it), as soon as it arrives.\n"
"  Needs CAP_NET_ADMIN.\n",
		.run = monitor_run,
	},
};

const struct chamctl_object monitor_object = {
	.name = "monitor",
	.cmds = monitor_cmds,
	.n_cmds = ARRAY_SIZE(monitor_cmds),
};
