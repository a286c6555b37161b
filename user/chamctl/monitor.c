// SPDX-License-Identifier: GPL-2.0
/*
 * chamctl monitor: the module's notifications, one line each, as they
 * come. Output goes out line by line, so a reader on a pipe or a file sees
 * each event when it happens.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "nl.h"
#include "output.h"

struct monitor {
	bool counted;		/* stop after @remaining events */
	uint64_t remaining;
};

static const enum mnl_attr_data_type proto_attr_types[CHAM_A_PROTO_MAX + 1] = {
	[CHAM_A_PROTO_NAME] = MNL_TYPE_NUL_STRING,
	[CHAM_A_PROTO_GENERATION] = MNL_TYPE_U32,
};

/* The attributes of an event; the kernel may leave any out. */
struct event_attr {
	bool present;
	uint32_t value;
};

static struct event_attr event_u32(const struct nlattr *attr)
{
	return (struct event_attr){
		.present = attr != NULL,
		.value = attr ? mnl_attr_get_u32(attr) : 0,
	};
}

static void event_json_u32(const char *key, struct event_attr a)
{
	if (a.present)
		json_uint(key, a.value);
	else
		json_null(key);
}

/* "-" for a missing value; @buf holds the number otherwise. */
static const char *event_text(struct event_attr a, char *buf, size_t size)
{
	if (!a.present)
		return "-";
	snprintf(buf, size, "%u", a.value);
	return buf;
}

/* A tenant's protocol ran over its ceiling too often and was unregistered. */
static void proto_ejected(const struct nlmsghdr *nlh)
{
	const struct nlattr *tb[CHAM_A_MAX + 1];
	const struct nlattr *ptb[CHAM_A_PROTO_MAX + 1] = {};
	char tenant[CHAM_NAME_LEN] = "-", proto[CHAM_NAME_LEN] = "-";
	char id_buf[16], gen_buf[16], count_buf[16];
	struct event_attr id, generation, violations;

	nl_parse(nlh, cham_attr_types, CHAM_A_MAX, tb);
	if (tb[CHAM_A_TENANT_PROTO])
		nl_parse_nested(tb[CHAM_A_TENANT_PROTO], proto_attr_types,
				CHAM_A_PROTO_MAX, ptb);
	id = event_u32(tb[CHAM_A_TENANT_ID]);
	violations = event_u32(tb[CHAM_A_TENANT_VIOLATIONS]);
	generation = event_u32(ptb[CHAM_A_PROTO_GENERATION]);
	if (tb[CHAM_A_TENANT_NAME])
		snprintf(tenant, sizeof(tenant), "%s",
			 mnl_attr_get_str(tb[CHAM_A_TENANT_NAME]));
	if (ptb[CHAM_A_PROTO_NAME])
		snprintf(proto, sizeof(proto), "%s",
			 mnl_attr_get_str(ptb[CHAM_A_PROTO_NAME]));

	if (opt_json) {
		json_object_begin(NULL);
		json_string("event", "proto_ejected");
		event_json_u32("id", id);
		json_string("name", tb[CHAM_A_TENANT_NAME] ? tenant : NULL);
		json_string("proto", ptb[CHAM_A_PROTO_NAME] ? proto : NULL);
		event_json_u32("generation", generation);
		event_json_u32("violations", violations);
		json_object_end();
		return;
	}
	printf("tenant %s (id %s): protocol %s (generation %s) ejected after %s ceiling violation%s\n",
	       sanitize_text(tenant), event_text(id, id_buf, sizeof(id_buf)),
	       proto[0] ? sanitize_text(proto) : "(unnamed)",
	       event_text(generation, gen_buf, sizeof(gen_buf)),
	       event_text(violations, count_buf, sizeof(count_buf)),
	       violations.present && violations.value == 1 ? "" : "s");
}

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
	struct monitor *monitor = data;

	switch (genl->cmd) {
	case CHAM_CMD_PROTO_EJECTED:
		proto_ejected(nlh);
		break;
	default:
		unknown_event(genl->cmd);
		break;
	}
	if (fflush(stdout) || ferror(stdout))
		return -EIO;
	if (monitor->counted && !--monitor->remaining)
		return 1;
	return 0;
}

static int monitor_run(const struct chamctl_cmd *cmd, int argc, char **argv)
{
	struct monitor monitor = {};
	const char *value;
	int i, ret;

	for (i = 0; i < argc;) {
		if (strcmp(argv[i], "count"))
			usage_error(cmd, "unknown argument '%s'", argv[i]);
		value = keyword_value(cmd, argc, argv, &i);
		if (monitor.counted)
			usage_error(cmd, "'count' is given twice");
		if (!parse_uint(value, UINT64_MAX, &monitor.remaining) ||
		    !monitor.remaining)
			usage_error(cmd, "count must be a number of events, 1 or more, not '%s'",
				    value);
		monitor.counted = true;
	}

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
		.usage = "monitor [count N]",
		.summary = "print the module's events as they happen",
		.details =
"  count  exit after N events; without it, run until interrupted\n"
"  Events: a protocol ejected for running over its tenant's ceiling.\n"
"  Each event is one line (with -j, one JSON object per line), written\n"
"  out as soon as it arrives.\n",
		.run = monitor_run,
	},
};

const struct chamctl_object monitor_object = {
	.name = "monitor",
	.cmds = monitor_cmds,
	.n_cmds = ARRAY_SIZE(monitor_cmds),
};
