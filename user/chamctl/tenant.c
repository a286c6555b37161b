// SPDX-License-Identifier: GPL-2.0
/*
 * chamctl tenant: create, delete, change and list tenants. Besides its
 * name, id, owner and default verdict, a tenant has time-protection knobs
 * (its CPU budget) and slow-path knobs (its punt queue and timer limit),
 * which tenant add and tenant set take alike, and what egress validation
 * lets its protocol send: source prefixes beyond its rules' destinations,
 * and the ports it may redirect to (tenant set). tenant show also says
 * whether the tenant's agent is registered, and how many timers it has
 * armed.
 */
#include <errno.h>
#include <net/if.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "knob.h"
#include "monitor.h"
#include "names.h"
#include "nl.h"
#include "output.h"
#include "state.h"
#include "tenant.h"

/* ---- time-protection and slow-path knobs ---------------------------------- */

enum tenant_knob {
	TK_SHARE,
	TK_BURST,
	TK_POLICY,
	TK_ECN_THRESHOLD,
	TK_ACCOUNTING,
	TK_ENFORCEMENT,
	TK_CEILING,
	TK_EJECT_AFTER,
	TK_INSN_LIMIT,
	TK_EJECTIONS,		/* reported only */
	TK_VIOLATIONS,		/* reported only, with a protocol */
	TK_PUNT_QUEUE,
	TK_TIMERS_MAX,
	TK_AGENT_PORTID,	/* reported only; 0 is none */
	TK_TIMERS_ARMED,	/* reported only */
	TK_COUNT,
};
_Static_assert(TK_COUNT <= KNOBS_MAX, "struct knob_values is too small");

static bool parse_share(const char *arg, uint64_t *value)
{
	return parse_percent(arg, SHARE_DECIMALS, CHAM_SHARE_SCALE, value) &&
	       *value > 0;
}

static void format_share(uint64_t value, char *buf, size_t size)
{
	format_percent(buf, size, value, SHARE_DECIMALS);
}

/* JSON has the share as the percentage the admin wrote: 12.5, not 1250. */
static void json_share(const char *key, uint64_t value)
{
	json_fixed(key, value, SHARE_DECIMALS);
}

static bool parse_policy(const char *arg, uint64_t *value)
{
	uint8_t policy;

	if (!budget_policy_parse(arg, &policy))
		return false;
	*value = policy;
	return true;
}

static void format_policy(uint64_t value, char *buf, size_t size)
{
	const char *name = budget_policy_name(value);

	if (name)
		snprintf(buf, size, "%s", name);
	else
		snprintf(buf, size, "%llu", (unsigned long long)value);
}

/* A policy this chamctl does not know is shown by number. */
static void json_policy(const char *key, uint64_t value)
{
	const char *name = budget_policy_name(value);

	if (name)
		json_string(key, name);
	else
		json_uint(key, value);
}

static bool parse_whole_percent(const char *arg, uint64_t *value)
{
	return parse_percent(arg, 0, 100, value);
}

static void format_whole_percent(uint64_t value, char *buf, size_t size)
{
	format_percent(buf, size, value, 0);
}

/* 0 is "none" in the ABI: no ceiling. */
static bool parse_ceiling(const char *arg, uint64_t *value)
{
	if (!strcmp(arg, "none")) {
		*value = 0;
		return true;
	}
	return parse_duration(arg, value) && *value >= 1 &&
	       *value <= NSEC_PER_SEC;
}

static void format_ceiling(uint64_t value, char *buf, size_t size)
{
	if (value)
		format_duration(buf, size, value);
	else
		snprintf(buf, size, "none");
}

/* A count where 0 means no limit, written as @word. */
static bool parse_count_or(const char *arg, const char *word,
			   uint64_t *value)
{
	if (!strcmp(arg, word)) {
		*value = 0;
		return true;
	}
	return parse_uint(arg, UINT32_MAX, value);
}

static void format_count_or(uint64_t value, const char *word, char *buf,
			    size_t size)
{
	if (value)
		snprintf(buf, size, "%llu", (unsigned long long)value);
	else
		snprintf(buf, size, "%s", word);
}

static bool parse_eject_after(const char *arg, uint64_t *value)
{
	return parse_count_or(arg, "never", value);
}

static void format_eject_after(uint64_t value, char *buf, size_t size)
{
	format_count_or(value, "never", buf, size);
}

static bool parse_insn_limit(const char *arg, uint64_t *value)
{
	return parse_count_or(arg, "none", value);
}

static void format_insn_limit(uint64_t value, char *buf, size_t size)
{
	format_count_or(value, "none", buf, size);
}

static bool parse_punt_queue(const char *arg, uint64_t *value)
{
	return parse_uint(arg, CHAM_PUNT_QUEUE_MAX, value) && *value >= 1;
}

static bool parse_timers_max(const char *arg, uint64_t *value)
{
	return parse_uint(arg, CHAM_TIMERS_MAX, value);
}

/* The agent's netlink port id; 0 is no agent. */
static void format_agent(uint64_t value, char *buf, size_t size)
{
	format_count_or(value, "none", buf, size);
}

static void json_agent(const char *key, uint64_t value)
{
	if (value)
		json_uint(key, value);
	else
		json_null(key);
}

static const struct knob tenant_knobs[TK_COUNT] = {
	[TK_SHARE] = {
		.keyword = "share", .json_key = "share",
		.attr = CHAM_A_TENANT_SHARE,
		.parse = parse_share, .format = format_share,
		.json = json_share,
		.expect = "a percentage from 0.01% to 100% with at most two decimals, such as 25% or 12.5%",
	},
	[TK_BURST] = {
		.keyword = "burst", .json_key = "burst_us",
		.attr = CHAM_A_TENANT_BURST_US,
		.parse = knob_parse_usecs, .format = knob_format_usecs,
		.json = json_uint, .expect = KNOB_EXPECT_USECS,
	},
	[TK_POLICY] = {
		.keyword = "policy", .json_key = "policy",
		.attr = CHAM_A_TENANT_POLICY, .is_u8 = true,
		.parse = parse_policy, .format = format_policy,
		.json = json_policy, .expect = "'drop' or 'ecn'",
	},
	[TK_ECN_THRESHOLD] = {
		.keyword = "ecn-threshold", .json_key = "ecn_threshold",
		.attr = CHAM_A_TENANT_ECN_THRESHOLD, .is_u8 = true,
		.parse = parse_whole_percent, .format = format_whole_percent,
		.json = json_uint,
		.expect = "a whole percentage from 0 to 100, such as 50%",
	},
	[TK_ACCOUNTING] = {
		.keyword = "accounting", .json_key = "accounting",
		.attr = CHAM_A_TENANT_ACCOUNTING, .is_u8 = true,
		.parse = knob_parse_on_off, .format = knob_format_on_off,
		.json = knob_json_bool, .expect = "'on' or 'off'",
	},
	[TK_ENFORCEMENT] = {
		.keyword = "enforcement", .json_key = "enforcement",
		.attr = CHAM_A_TENANT_ENFORCEMENT, .is_u8 = true,
		.parse = knob_parse_on_off, .format = knob_format_on_off,
		.json = knob_json_bool, .expect = "'on' or 'off'",
	},
	[TK_CEILING] = {
		.keyword = "ceiling", .json_key = "ceiling_ns",
		.attr = CHAM_A_TENANT_CEILING_NS,
		.parse = parse_ceiling, .format = format_ceiling,
		.json = json_uint,
		.expect = "a duration from 1ns to 1s, such as 20us, or 'none'",
	},
	[TK_EJECT_AFTER] = {
		.keyword = "eject-after", .json_key = "eject_after",
		.attr = CHAM_A_TENANT_EJECT_AFTER,
		.parse = parse_eject_after, .format = format_eject_after,
		.json = json_uint,
		.expect = "a number of ceiling violations from 0 to 4294967295, or 'never'",
	},
	[TK_INSN_LIMIT] = {
		.keyword = "insn-limit", .json_key = "insn_limit",
		.attr = CHAM_A_TENANT_INSN_LIMIT,
		.parse = parse_insn_limit, .format = format_insn_limit,
		.json = json_uint,
		.expect = "a number of instructions from 0 to 4294967295, or 'none'",
	},
	[TK_EJECTIONS] = {
		.keyword = "ejections", .json_key = "ejections",
		.attr = CHAM_A_TENANT_EJECTIONS,
		.format = knob_format_uint, .json = json_uint,
	},
	[TK_VIOLATIONS] = {
		.keyword = "violations", .json_key = "violations",
		.attr = CHAM_A_TENANT_VIOLATIONS,
		.format = knob_format_uint, .json = json_uint,
	},
	[TK_PUNT_QUEUE] = {
		.keyword = "punt-queue", .json_key = "punt_queue",
		.attr = CHAM_A_TENANT_PUNT_QUEUE,
		.parse = parse_punt_queue, .format = knob_format_uint,
		.json = json_uint,
		.expect = "a number of frames from 1 to " XSTR(CHAM_PUNT_QUEUE_MAX),
	},
	[TK_TIMERS_MAX] = {
		.keyword = "timers", .json_key = "timers_max",
		.attr = CHAM_A_TENANT_TIMERS_MAX,
		.parse = parse_timers_max, .format = knob_format_uint,
		.json = json_uint,
		.expect = "a number of timers from 0 to " XSTR(CHAM_TIMERS_MAX),
	},
	[TK_AGENT_PORTID] = {
		.keyword = "agent", .json_key = "agent_portid",
		.attr = CHAM_A_TENANT_AGENT_PORTID,
		.format = format_agent, .json = json_agent,
	},
	[TK_TIMERS_ARMED] = {
		.keyword = "timers-armed", .json_key = "timers_armed",
		.attr = CHAM_A_TENANT_TIMERS_ARMED,
		.format = knob_format_uint, .json = json_uint,
	},
};

/* The BUDGET of tenant add and tenant set. */
#define BUDGET_HELP \
"  BUDGET   time protection: any of these, each a keyword and a value\n" \
"    share PCT              the tenant's share of a CPU, 0.01% to 100%\n" \
"                           (25, 25%, 12.5%)\n" \
"    burst DURATION         the most CPU time it can save up, 1us to 1s\n" \
"    policy drop|ecn        over budget, drop its packets; ecn also marks\n" \
"                           them CE while the budget runs low\n" \
"    ecn-threshold PCT      with ecn: mark below this percent of the burst\n" \
"    accounting on|off      measure and charge the tenant's CPU time\n" \
"    enforcement on|off     act on its budget (drop or mark)\n" \
"    ceiling DURATION|none  the most one handler call may take, 1ns to 1s\n" \
"                           (default 10ms)\n" \
"    eject-after N|never    eject its protocol after N calls over the\n" \
"                           ceiling (default 16)\n" \
"    insn-limit N|none      refuse handlers that took the verifier more\n" \
"                           than N instructions\n" \
"  A DURATION is a whole number with a unit: ns, us, ms or s (500us, 2ms).\n"

/* The SLOWPATH knobs of tenant add and tenant set. */
#define SLOWPATH_HELP \
"  SLOWPATH the tenant's agent (chamctl agent --help): any of these\n" \
"    punt-queue N           frames and events that may wait for the agent,\n" \
"                           1 to " XSTR(CHAM_PUNT_QUEUE_MAX) \
				" (default " XSTR(CHAM_PUNT_QUEUE_DEFAULT) \
				"); more are dropped\n" \
"                           (drop reason punt_queue_full)\n" \
"    timers N               timers its handlers may have armed at once,\n" \
"                           0 to " XSTR(CHAM_TIMERS_MAX) \
				" (default " XSTR(CHAM_TIMERS_DEFAULT) \
				"; 0: none)\n"

/* ---- reading tenants ----------------------------------------------------- */

/* Handlers of a newer ABI than chamctl's are left out. */
/*
 * The kernel keeps at most CHAM_TENANT_SOURCES_MAX and _PORTS_MAX; room for
 * more lets a newer kernel's longer lists show, and lets the kernel, not
 * chamctl, be the one that refuses too long a list.
 */
#define TENANT_LIST_MAX		(4 * CHAM_TENANT_SOURCES_MAX)
_Static_assert(CHAM_TENANT_PORTS_MAX <= TENANT_LIST_MAX,
	       "the port list must fit the kernel's");

struct tenant_info {
	uint32_t id;
	char name[CHAM_NAME_LEN];
	uint32_t owner;
	uint8_t default_verdict;
	struct ip_prefix sources[TENANT_LIST_MAX];
	unsigned int n_sources;
	uint32_t ports[TENANT_LIST_MAX];
	unsigned int n_ports;
	struct knob_values budget;
	struct proto_info proto;
};

struct tenant_list {
	struct tenant_info *tenants;
	size_t count, cap;
};

static const enum mnl_attr_data_type proto_attr_types[CHAM_A_PROTO_MAX + 1] = {
	[CHAM_A_PROTO_NAME] = MNL_TYPE_NUL_STRING,
	[CHAM_A_PROTO_FLAGS] = MNL_TYPE_U32,
	[CHAM_A_PROTO_GENERATION] = MNL_TYPE_U32,
	[CHAM_A_PROTO_HANDLER] = MNL_TYPE_NESTED,
	[CHAM_A_PROTO_LINK_ID] = MNL_TYPE_U32,
	[CHAM_A_PROTO_EJECTED] = MNL_TYPE_U8,
};

static const enum mnl_attr_data_type
handler_attr_types[CHAM_A_HANDLER_MAX + 1] = {
	[CHAM_A_HANDLER_INDEX] = MNL_TYPE_U32,
	[CHAM_A_HANDLER_NAME] = MNL_TYPE_NUL_STRING,
	[CHAM_A_HANDLER_PROG_ID] = MNL_TYPE_U32,
	[CHAM_A_HANDLER_VERIFIED_INSNS] = MNL_TYPE_U32,
};

static void copy_name_str(char *dst, const char *name)
{
	snprintf(dst, CHAM_NAME_LEN, "%s", name);
}

static void copy_name(char *dst, const struct nlattr *attr)
{
	copy_name_str(dst, attr ? mnl_attr_get_str(attr) : "");
}

static void parse_handler(const struct nlattr *nest, struct handler_info *h)
{
	const struct nlattr *tb[CHAM_A_HANDLER_MAX + 1];

	nl_parse_nested(nest, handler_attr_types, CHAM_A_HANDLER_MAX, tb);
	memset(h, 0, sizeof(*h));
	if (tb[CHAM_A_HANDLER_INDEX]) {
		h->has_index = true;
		h->index = mnl_attr_get_u32(tb[CHAM_A_HANDLER_INDEX]);
	}
	if (tb[CHAM_A_HANDLER_NAME])
		copy_name(h->name, tb[CHAM_A_HANDLER_NAME]);
	else if (h->has_index && proto_handler_name(h->index))
		copy_name_str(h->name, proto_handler_name(h->index));
	if (tb[CHAM_A_HANDLER_PROG_ID]) {
		h->has_prog_id = true;
		h->prog_id = mnl_attr_get_u32(tb[CHAM_A_HANDLER_PROG_ID]);
	}
	if (tb[CHAM_A_HANDLER_VERIFIED_INSNS]) {
		h->has_verified_insns = true;
		h->verified_insns =
			mnl_attr_get_u32(tb[CHAM_A_HANDLER_VERIFIED_INSNS]);
	}
}

/* The handlers are repeated CHAM_A_PROTO_HANDLER nests, in handler order. */
void proto_info_parse(const struct nlattr *nest, struct proto_info *p)
{
	const struct nlattr *ptb[CHAM_A_PROTO_MAX + 1];
	const struct nlattr *attr;

	memset(p, 0, sizeof(*p));
	p->present = true;
	nl_parse_nested(nest, proto_attr_types, CHAM_A_PROTO_MAX, ptb);
	copy_name(p->name, ptb[CHAM_A_PROTO_NAME]);
	if (ptb[CHAM_A_PROTO_FLAGS])
		p->flags = mnl_attr_get_u32(ptb[CHAM_A_PROTO_FLAGS]);
	if (ptb[CHAM_A_PROTO_GENERATION])
		p->generation = mnl_attr_get_u32(ptb[CHAM_A_PROTO_GENERATION]);
	if (ptb[CHAM_A_PROTO_LINK_ID]) {
		p->has_link_id = true;
		p->link_id = mnl_attr_get_u32(ptb[CHAM_A_PROTO_LINK_ID]);
	}
	if (ptb[CHAM_A_PROTO_EJECTED])
		p->ejected = mnl_attr_get_u8(ptb[CHAM_A_PROTO_EJECTED]);
	mnl_attr_for_each_nested(attr, nest) {
		if (mnl_attr_get_type(attr) != CHAM_A_PROTO_HANDLER ||
		    mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0 ||
		    p->n_handlers == PROTO_MAX_HANDLERS)
			continue;
		parse_handler(attr, &p->handlers[p->n_handlers++]);
	}
}

/* Repeated CHAM_A_SOURCES_ENTRY nests; malformed entries are left out. */
static void parse_sources(const struct nlattr *nest, struct tenant_info *t)
{
	t->n_sources = nl_parse_prefixes(nest, t->sources, TENANT_LIST_MAX);
}

/* Repeated CHAM_A_PORTS_IFINDEX. */
static void parse_ports(const struct nlattr *nest, struct tenant_info *t)
{
	const struct nlattr *attr;

	mnl_attr_for_each_nested(attr, nest) {
		if (mnl_attr_get_type(attr) != CHAM_A_PORTS_IFINDEX ||
		    mnl_attr_validate(attr, MNL_TYPE_U32) < 0 ||
		    t->n_ports == TENANT_LIST_MAX)
			continue;
		t->ports[t->n_ports++] = mnl_attr_get_u32(attr);
	}
}

static int tenant_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CHAM_A_MAX + 1];
	struct tenant_list *list = data;
	struct tenant_info *t;

	nl_parse(nlh, cham_attr_types, CHAM_A_MAX, tb);
	if (!tb[CHAM_A_TENANT_ID])
		return -EPROTO;
	list->tenants = grow_array(list->tenants, &list->cap, list->count + 1,
				   sizeof(*list->tenants));
	t = &list->tenants[list->count++];
	memset(t, 0, sizeof(*t));
	t->id = mnl_attr_get_u32(tb[CHAM_A_TENANT_ID]);
	copy_name(t->name, tb[CHAM_A_TENANT_NAME]);
	/* A tenant created without an owner has none: only the admin binds. */
	t->owner = NO_OWNER;
	if (tb[CHAM_A_TENANT_OWNER])
		t->owner = mnl_attr_get_u32(tb[CHAM_A_TENANT_OWNER]);
	if (tb[CHAM_A_TENANT_DEFAULT_VERDICT])
		t->default_verdict =
			mnl_attr_get_u8(tb[CHAM_A_TENANT_DEFAULT_VERDICT]);
	knobs_get(tb, tenant_knobs, TK_COUNT, &t->budget);
	if (tb[CHAM_A_TENANT_SOURCES])
		parse_sources(tb[CHAM_A_TENANT_SOURCES], t);
	if (tb[CHAM_A_TENANT_PORTS])
		parse_ports(tb[CHAM_A_TENANT_PORTS], t);
	if (tb[CHAM_A_TENANT_PROTO])
		proto_info_parse(tb[CHAM_A_TENANT_PROTO], &t->proto);
	return 0;
}

/* The owner's user name, or NULL if the user database has none. */
static const char *owner_name(uint32_t uid)
{
	const struct passwd *pw = uid == NO_OWNER ? NULL : getpwuid(uid);

	return pw ? pw->pw_name : NULL;
}

/* The user name if there is one, else the uid. */
static const char *owner_text(uint32_t uid, char *buf, size_t size)
{
	const char *name = owner_name(uid);

	if (name)
		snprintf(buf, size, "%s", name);
	else if (uid == NO_OWNER)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%u", uid);
	return sanitize_text(buf);
}

/* A port's interface name, or NULL if this namespace has no such index. */
static const char *port_name(uint32_t ifindex, char buf[IF_NAMESIZE])
{
	return if_indextoname(ifindex, buf);
}

/*
 * The sources or ports of a tenant as one line of words ("-" for none),
 * in @buf, for the table and the detail view.
 */
static const char *sources_text(const struct tenant_info *t, char *buf,
				size_t size, const char *sep)
{
	char prefix[IP_PREFIX_STRLEN];
	size_t len = 0;
	unsigned int i;

	snprintf(buf, size, "-");
	for (i = 0; i < t->n_sources && len < size; i++) {
		format_ip_prefix(&t->sources[i], prefix, sizeof(prefix));
		len += snprintf(buf + len, size - len, "%s%s", i ? sep : "",
				prefix);
	}
	return buf;
}

/* Ports by name, with the index in parentheses when @with_index. */
static const char *ports_text(const struct tenant_info *t, char *buf,
			      size_t size, const char *sep, bool with_index)
{
	char ifname[IF_NAMESIZE];
	size_t len = 0;
	unsigned int i;

	snprintf(buf, size, "-");
	for (i = 0; i < t->n_ports && len < size; i++) {
		const char *name = port_name(t->ports[i], ifname);

		len += snprintf(buf + len, size - len, "%s", i ? sep : "");
		if (len >= size)
			break;
		if (!name)
			len += snprintf(buf + len, size - len, "%u",
					t->ports[i]);
		else if (with_index)
			len += snprintf(buf + len, size - len, "%s (%u)", name,
					t->ports[i]);
		else
			len += snprintf(buf + len, size - len, "%s", name);
	}
	return sanitize_text(buf);
}

/* Long enough for TENANT_LIST_MAX IPv6 prefixes or named ports. */
#define TENANT_LIST_TEXT_LEN	(TENANT_LIST_MAX * (IP_PREFIX_STRLEN + 2))

static const char *default_verdict_name(uint8_t verdict)
{
	return verdict_name(verdict) ?: "?";
}

/* A value the kernel may leave out: a number, or null. */
static void json_optional_uint(const char *key, bool present, uint64_t value)
{
	if (present)
		json_uint(key, value);
	else
		json_null(key);
}

static void handler_json(const struct handler_info *h)
{
	json_object_begin(NULL);
	json_string("name", h->name[0] ? h->name : NULL);
	json_optional_uint("index", h->has_index, h->index);
	json_optional_uint("prog_id", h->has_prog_id, h->prog_id);
	json_optional_uint("verified_insns", h->has_verified_insns,
			   h->verified_insns);
	json_object_end();
}

void proto_info_json(const char *key, const struct proto_info *p)
{
	unsigned int i;

	if (!p->present) {
		json_null(key);
		return;
	}
	json_object_begin(key);
	json_string("name", p->name);
	json_uint("flags", p->flags);
	json_uint("generation", p->generation);
	if (p->has_link_id) {
		json_uint("link_id", p->link_id);
		json_bool("ejected", p->ejected);
	}
	json_array_begin("handlers");
	for (i = 0; i < p->n_handlers; i++)
		handler_json(&p->handlers[i]);
	json_array_end();
	json_object_end();
}

static void sources_json(const struct tenant_info *t)
{
	char prefix[IP_PREFIX_STRLEN];
	unsigned int i;

	json_array_begin("sources");
	for (i = 0; i < t->n_sources; i++) {
		format_ip_prefix(&t->sources[i], prefix, sizeof(prefix));
		json_string(NULL, prefix);
	}
	json_array_end();
}

static void ports_json(const struct tenant_info *t)
{
	char ifname[IF_NAMESIZE];
	unsigned int i;

	json_array_begin("ports");
	for (i = 0; i < t->n_ports; i++) {
		json_object_begin(NULL);
		json_uint("ifindex", t->ports[i]);
		json_string("ifname", port_name(t->ports[i], ifname));
		json_object_end();
	}
	json_array_end();
}

static void tenant_json(const struct tenant_info *t, const char *key)
{
	json_object_begin(key);
	json_uint("id", t->id);
	json_string("name", t->name);
	if (t->owner == NO_OWNER)
		json_null("owner");
	else
		json_uint("owner", t->owner);
	json_string("owner_name", owner_name(t->owner));
	sources_json(t);
	ports_json(t);
	json_string("default", default_verdict_name(t->default_verdict));
	knobs_json(tenant_knobs, TK_COUNT, &t->budget);
	proto_info_json("proto", &t->proto);
	json_object_end();
}

/* The name is optional; an unnamed protocol is still registered. */
const char *proto_info_name(const struct proto_info *p)
{
	return p->name[0] ? p->name : "(unnamed)";
}

static const struct table_column tenant_columns[] = {
	{ "ID", ALIGN_RIGHT },
	{ "NAME", ALIGN_LEFT },
	{ "OWNER", ALIGN_LEFT },
	{ "DEFAULT", ALIGN_LEFT },
	{ "SHARE", ALIGN_RIGHT },
	{ "BURST", ALIGN_RIGHT },
	{ "POLICY", ALIGN_LEFT },
	{ "PROTOCOL", ALIGN_LEFT },
	{ "GEN", ALIGN_RIGHT },
	{ "AGENT", ALIGN_RIGHT },
	{ "PUNTQ", ALIGN_RIGHT },
	{ "TIMERS", ALIGN_RIGHT },
	{ "SOURCES", ALIGN_LEFT },
	{ "PORTS", ALIGN_LEFT },
};

static void tenant_knob_cell(struct table *table, const struct tenant_info *t,
			     enum tenant_knob k)
{
	char buf[32];

	table_cell(table, "%s",
		   knob_text(tenant_knobs, k, &t->budget, buf, sizeof(buf)));
}

/* Armed of the most, "3/64"; "-" for what the kernel did not report. */
static void tenant_timers_cell(struct table *table, const struct tenant_info *t)
{
	char armed[32], max[32];

	table_cell(table, "%s/%s",
		   knob_text(tenant_knobs, TK_TIMERS_ARMED, &t->budget, armed,
			     sizeof(armed)),
		   knob_text(tenant_knobs, TK_TIMERS_MAX, &t->budget, max,
			     sizeof(max)));
}

static void tenant_table(const struct tenant_list *list)
{
	struct table *table = table_new(tenant_columns,
					ARRAY_SIZE(tenant_columns));
	char owner[64], text[TENANT_LIST_TEXT_LEN];
	size_t i;

	for (i = 0; i < list->count; i++) {
		const struct tenant_info *t = &list->tenants[i];

		table_row(table);
		table_cell(table, "%u", t->id);
		table_cell(table, "%s", t->name);
		table_cell(table, "%s", owner_text(t->owner, owner,
						   sizeof(owner)));
		table_cell(table, "%s",
			   default_verdict_name(t->default_verdict));
		tenant_knob_cell(table, t, TK_SHARE);
		tenant_knob_cell(table, t, TK_BURST);
		tenant_knob_cell(table, t, TK_POLICY);
		if (t->proto.present) {
			table_cell(table, "%s%s", proto_info_name(&t->proto),
				   t->proto.ejected ? " (ejected)" : "");
			table_cell(table, "%u", t->proto.generation);
		} else {
			table_cell(table, "-");
			table_cell(table, "-");
		}
		tenant_knob_cell(table, t, TK_AGENT_PORTID);
		tenant_knob_cell(table, t, TK_PUNT_QUEUE);
		tenant_timers_cell(table, t);
		table_cell(table, "%s", sources_text(t, text, sizeof(text),
						     ","));
		table_cell(table, "%s", ports_text(t, text, sizeof(text), ",",
						   false));
	}
	table_print(table);
}

static void handler_print(const struct handler_info *h)
{
	char prog[16] = "-", insns[16] = "-", name[CHAM_NAME_LEN];

	if (h->has_prog_id)
		snprintf(prog, sizeof(prog), "%u", h->prog_id);
	if (h->has_verified_insns)
		snprintf(insns, sizeof(insns), "%u", h->verified_insns);
	printf("  handler %s: prog %s, %s insns verified\n",
	       h->name[0] ? sanitize_text(strcpy(name, h->name)) : "?", prog,
	       insns);
}

/*
 * One tenant, everything the kernel says about it. The knobs are written
 * as tenant add and tenant set take them, so a line can be pasted back.
 */
static void tenant_detail(struct tenant_info *t)
{
	char owner[64], text[TENANT_LIST_TEXT_LEN];

	sanitize_text(t->name);
	printf("tenant %s id %u owner %s default %s\n", t->name, t->id,
	       owner_text(t->owner, owner, sizeof(owner)),
	       default_verdict_name(t->default_verdict));
	/* As tenant set takes them: "source none", "ports none" when empty. */
	printf("  source %s\n", t->n_sources ?
	       sources_text(t, text, sizeof(text), " ") : "none");
	printf("  ports %s\n", t->n_ports ?
	       ports_text(t, text, sizeof(text), " ", true) : "none");
	knobs_print_line(tenant_knobs, TK_SHARE, TK_ECN_THRESHOLD, &t->budget,
			 "  ");
	knobs_print_line(tenant_knobs, TK_ACCOUNTING, TK_ENFORCEMENT,
			 &t->budget, "  ");
	knobs_print_line(tenant_knobs, TK_CEILING, TK_VIOLATIONS, &t->budget,
			 "  ");
	knobs_print_line(tenant_knobs, TK_PUNT_QUEUE, TK_TIMERS_MAX, &t->budget,
			 "  ");
	/* The agent by its netlink port id: what netlink's diagnostics show. */
	knobs_print_line(tenant_knobs, TK_AGENT_PORTID, TK_TIMERS_ARMED,
			 &t->budget, "  ");
	if (!t->proto.present) {
		printf("  protocol -\n");
		return;
	}
	printf("  ");
	proto_info_print(&t->proto);
}

void proto_info_print(const struct proto_info *p)
{
	char link[16] = "-", name[CHAM_NAME_LEN];
	unsigned int i;

	if (p->has_link_id)
		snprintf(link, sizeof(link), "%u", p->link_id);
	snprintf(name, sizeof(name), "%s", proto_info_name(p));
	printf("protocol %s flags %#x generation %u link %s%s\n",
	       sanitize_text(name), p->flags,
	       p->generation, link, p->ejected ? " ejected" : "");
	for (i = 0; i < p->n_handlers; i++)
		handler_print(&p->handlers[i]);
}

static uint32_t parse_owner(const struct chamctl_cmd *cmd, const char *arg)
{
	const struct passwd *pw;
	uint64_t uid;

	if (is_all_digits(arg)) {
		if (!parse_uint(arg, UINT32_MAX, &uid))
			usage_error(cmd, "uid '%s' is out of range (0 to 4294967294)", arg);
		return uid;
	}
	pw = getpwnam(arg);
	if (!pw)
		usage_error(cmd, "no user '%s'", arg);
	return pw->pw_uid;
}

/*
 * The state directory of tenant @name, which the kernel just accepted: a
 * fresh one, so that pins a deleted tenant of the same name left behind
 * are never the new tenant's. If it cannot be made, the tenant is deleted
 * again: a tenant add that failed leaves nothing.
 */
static int tenant_add_state(const char *name, uint32_t owner)
{
	struct nlmsghdr *nlh;
	int dir_fd, err;

	dir_fd = tenant_state_remove(name);
	if (!dir_fd)
		dir_fd = tenant_state_prepare(name, owner);
	if (dir_fd >= 0) {
		close(dir_fd);
		return 0;
	}
	nlh = nl_request(CHAM_CMD_TENANT_DEL, false);
	mnl_attr_put_strz(nlh, CHAM_A_TENANT_NAME, name);
	err = nl_transact(nlh, NULL, NULL);
	if (err)
		return nl_fail(err, "tenant %s is left in the kernel without its state directory %s/%s (chamctl tenant del %s): deleting it again failed",
			       name, STATE_ROOT, name, name);
	return fail("tenant %s was not added: it could not have its state directory %s/%s",
		    name, STATE_ROOT, name);
}

static int tenant_add(const struct chamctl_cmd *cmd, int argc, char **argv)
{
	bool have_id = false, have_owner = false, have_default = false;
	struct knob_values budget = {};
	uint32_t owner = 0;
	uint8_t verdict = CHAM_VERDICT_PASS;
	struct nlmsghdr *nlh;
	const char *name, *value;
	uint64_t id = 0;
	int i, err;

	if (argc < 1)
		usage_error(cmd, "missing the tenant's NAME");
	name = argv[0];
	if (!*name)
		usage_error(cmd, "the tenant name is empty");
	if (is_all_digits(name))
		usage_error(cmd, "tenant name '%s' is all digits: it would read as an id",
			    name);
	if (strlen(name) >= CHAM_NAME_LEN)
		usage_error(cmd, "tenant name '%s' is longer than %d characters",
			    name, CHAM_NAME_LEN - 1);

	for (i = 1; i < argc;) {
		const char *keyword = argv[i];

		if (knob_arg(cmd, tenant_knobs, TK_COUNT, argc, argv, &i,
			     &budget))
			continue;
		if (!strcmp(keyword, "id")) {
			value = keyword_value(cmd, argc, argv, &i);
			if (have_id)
				usage_error(cmd, "'id' is given twice");
			if (!parse_uint(value, UINT32_MAX, &id))
				usage_error(cmd, "tenant id must be a number from 1 to %u, not '%s'",
					    CHAM_TENANT_ID_MAX, value);
			have_id = true;
		} else if (!strcmp(keyword, "owner")) {
			value = keyword_value(cmd, argc, argv, &i);
			if (have_owner)
				usage_error(cmd, "'owner' is given twice");
			owner = parse_owner(cmd, value);
			have_owner = true;
		} else if (!strcmp(keyword, "default")) {
			value = keyword_value(cmd, argc, argv, &i);
			if (have_default)
				usage_error(cmd, "'default' is given twice");
			if (!strcmp(value, "pass"))
				verdict = CHAM_VERDICT_PASS;
			else if (!strcmp(value, "drop"))
				verdict = CHAM_VERDICT_DROP;
			else
				usage_error(cmd, "default must be 'pass' or 'drop', not '%s'",
					    value);
			have_default = true;
		} else {
			usage_error(cmd, "unknown argument '%s'", keyword);
		}
	}
	if (!have_id)
		usage_error(cmd, "missing 'id ID'");

	if (nl_open())
		return EXIT_FAIL;
	nlh = nl_request(CHAM_CMD_TENANT_NEW, false);
	mnl_attr_put_u32(nlh, CHAM_A_TENANT_ID, id);
	mnl_attr_put_strz(nlh, CHAM_A_TENANT_NAME, name);
	if (have_owner)
		mnl_attr_put_u32(nlh, CHAM_A_TENANT_OWNER, owner);
	if (have_default)
		mnl_attr_put_u8(nlh, CHAM_A_TENANT_DEFAULT_VERDICT, verdict);
	knobs_put(nlh, tenant_knobs, TK_COUNT, &budget);
	err = nl_transact(nlh, NULL, NULL);
	if (err)
		return nl_fail(err, "adding tenant %s", name);
	return tenant_add_state(name, have_owner ? owner : NO_OWNER);
}

/* The tenant's name, asked of the kernel when @ref is an id. */
static int tenant_ref_name(const struct tenant_ref *ref,
			   char name[CHAM_NAME_LEN])
{
	if (!ref->by_id) {
		copy_name_str(name, ref->name);
		return 0;
	}
	return tenant_name_lookup(ref->id, name);
}

static int tenant_del(const struct chamctl_cmd *cmd, int argc, char **argv)
{
	struct tenant_ref ref = {};
	char name[CHAM_NAME_LEN];
	struct nlmsghdr *nlh;
	int err;

	if (!argc)
		usage_error(cmd, "missing the tenant's NAME or ID");
	if (argc > 1)
		usage_error(cmd, "unknown argument '%s'", argv[1]);
	parse_tenant_ref(cmd, argv[0], &ref);

	if (nl_open())
		return EXIT_FAIL;
	/* The state directory is by name: an id is looked up first. */
	err = tenant_ref_name(&ref, name);
	if (err)
		return nl_fail(err, "deleting tenant %s", argv[0]);
	nlh = nl_request(CHAM_CMD_TENANT_DEL, false);
	nl_put_tenant_ref(nlh, &ref);
	err = nl_transact(nlh, NULL, NULL);
	if (err)
		return nl_fail(err, "deleting tenant %s", argv[0]);
	if (tenant_state_remove(name))
		return fail("tenant %s was deleted, but %s/%s is left (see above): remove it by hand",
			    name, STATE_ROOT, name);
	return 0;
}

/* What tenant set changes besides the budget. */
struct tenant_change {
	bool have_owner;
	uint32_t owner;
	bool have_sources;
	struct ip_prefix sources[TENANT_LIST_MAX];
	unsigned int n_sources;
	bool have_ports;
	uint32_t ports[TENANT_LIST_MAX];
	unsigned int n_ports;
};

/* The keywords of tenant set: each ends the list before it. */
static bool is_set_keyword(const char *arg)
{
	size_t k;

	if (!strcmp(arg, "owner") || !strcmp(arg, "source") ||
	    !strcmp(arg, "ports"))
		return true;
	for (k = 0; k < TK_COUNT; k++)
		if (tenant_knobs[k].parse && !strcmp(arg, tenant_knobs[k].keyword))
			return true;
	return false;
}

/*
 * The words after the list keyword argv[*i], up to the next keyword, each
 * passed to @add; "none" alone is the empty list. Advances *i past them.
 */
static int parse_list(const struct chamctl_cmd *cmd, int argc, char **argv,
		      int *i, struct tenant_change *change,
		      int (*add)(const struct chamctl_cmd *cmd, const char *arg,
				 struct tenant_change *change))
{
	const char *keyword = argv[(*i)++];
	int first = *i, err;

	while (*i < argc && !is_set_keyword(argv[*i]))
		(*i)++;
	if (*i == first)
		usage_error(cmd, "'%s' needs at least one value, or 'none'",
			    keyword);
	if (!strcmp(argv[first], "none")) {
		if (*i - first > 1)
			usage_error(cmd, "'%s none' takes nothing else",
				    keyword);
		return 0;
	}
	if (*i - first > TENANT_LIST_MAX)
		usage_error(cmd, "'%s' takes at most %d values", keyword,
			    TENANT_LIST_MAX);
	for (; first < *i; first++) {
		if (!strcmp(argv[first], "none"))
			usage_error(cmd, "'%s none' takes nothing else",
				    keyword);
		err = add(cmd, argv[first], change);
		if (err)
			return err;
	}
	return 0;
}

static int add_source(const struct chamctl_cmd *cmd, const char *arg,
		      struct tenant_change *change)
{
	parse_ip_prefix(cmd, arg, &change->sources[change->n_sources++]);
	return 0;
}

/* IFNAME or IFINDEX; the kernel checks that it is a Chamelio port. */
static int add_port(const struct chamctl_cmd *cmd, const char *arg,
		    struct tenant_change *change)
{
	uint64_t ifindex;

	if (is_all_digits(arg)) {
		if (!parse_uint(arg, UINT32_MAX, &ifindex) || !ifindex)
			usage_error(cmd, "'%s' is no interface index", arg);
	} else {
		if (strlen(arg) >= IF_NAMESIZE)
			usage_error(cmd, "'%s' is longer than an interface name can be",
				    arg);
		ifindex = if_nametoindex(arg);
		if (!ifindex) {
			if (errno == ENODEV)
				return fail("no interface %s", arg);
			return fail_errno(errno, "looking up interface %s",
					  arg);
		}
	}
	change->ports[change->n_ports++] = ifindex;
	return 0;
}

static void put_sources(struct nlmsghdr *nlh, const struct tenant_change *c)
{
	/* An empty nest clears the list. */
	nl_put_prefixes(nlh, CHAM_A_TENANT_SOURCES, c->sources, c->n_sources);
}

static void put_ports(struct nlmsghdr *nlh, const struct tenant_change *c)
{
	struct nlattr *list;
	unsigned int i;

	list = mnl_attr_nest_start(nlh, CHAM_A_TENANT_PORTS);
	for (i = 0; i < c->n_ports; i++)
		mnl_attr_put_u32(nlh, CHAM_A_PORTS_IFINDEX, c->ports[i]);
	mnl_attr_nest_end(nlh, list);
}

/*
 * After the kernel took the new owner: the state starts afresh, in an
 * empty directory of the new owner's. Handing the old pins over would
 * not end the old owner's access (a map fd they hold stays valid, and
 * entries they planted would follow), so the new owner's next version
 * starts with fresh maps; the running protocol keeps the ones it has.
 */
static int tenant_set_state_owner(const struct tenant_ref *ref,
				  const char *arg, uint32_t owner)
{
	char name[CHAM_NAME_LEN];
	int err, fd;

	err = tenant_ref_name(ref, name);
	if (err)
		return nl_fail(err, "tenant %s has its new owner, but its state directory was not changed: finding its name",
			       arg);
	fd = tenant_state_remove(name);
	if (!fd)
		fd = tenant_state_prepare(name, owner);
	if (fd < 0)
		return fail("tenant %s has its new owner, but its state directory %s/%s is not theirs yet (see above); run the same tenant set again once fixed",
			    name, STATE_ROOT, name);
	close(fd);
	return 0;
}

static int tenant_set(const struct chamctl_cmd *cmd, int argc, char **argv)
{
	struct knob_values budget = {};
	struct tenant_change change = {};
	struct tenant_ref ref = {};
	struct nlmsghdr *nlh;
	int i, err;

	if (!argc)
		usage_error(cmd, "missing the tenant's NAME or ID");
	parse_tenant_ref(cmd, argv[0], &ref);
	for (i = 1; i < argc;) {
		const char *keyword = argv[i];

		if (knob_arg(cmd, tenant_knobs, TK_COUNT, argc, argv, &i,
			     &budget))
			continue;
		if (!strcmp(keyword, "owner")) {
			if (change.have_owner)
				usage_error(cmd, "'owner' is given twice");
			change.owner = parse_owner(cmd,
					keyword_value(cmd, argc, argv, &i));
			change.have_owner = true;
		} else if (!strcmp(keyword, "source")) {
			if (change.have_sources)
				usage_error(cmd, "'source' is given twice");
			change.have_sources = true;
			parse_list(cmd, argc, argv, &i, &change, add_source);
		} else if (!strcmp(keyword, "ports")) {
			if (change.have_ports)
				usage_error(cmd, "'ports' is given twice");
			change.have_ports = true;
			if (parse_list(cmd, argc, argv, &i, &change, add_port))
				return EXIT_FAIL;
		} else {
			usage_error(cmd, "unknown argument '%s'", keyword);
		}
	}
	if (!knobs_any(&budget, TK_COUNT) && !change.have_owner &&
	    !change.have_sources && !change.have_ports)
		usage_error(cmd, "nothing to change: give an owner, sources, ports, or a BUDGET or SLOWPATH knob");

	if (nl_open())
		return EXIT_FAIL;
	nlh = nl_request(CHAM_CMD_TENANT_SET, false);
	nl_put_tenant_ref(nlh, &ref);
	if (change.have_owner)
		mnl_attr_put_u32(nlh, CHAM_A_TENANT_OWNER, change.owner);
	if (change.have_sources)
		put_sources(nlh, &change);
	if (change.have_ports)
		put_ports(nlh, &change);
	knobs_put(nlh, tenant_knobs, TK_COUNT, &budget);
	err = nl_transact(nlh, NULL, NULL);
	if (err)
		return nl_fail(err, "changing tenant %s", argv[0]);
	if (change.have_owner)
		return tenant_set_state_owner(&ref, argv[0], change.owner);
	return 0;
}

static int tenant_show(const struct chamctl_cmd *cmd, int argc, char **argv)
{
	struct tenant_list list = {};
	struct tenant_ref ref = {};
	struct nlmsghdr *nlh;
	size_t i;
	int err;

	if (argc > 1)
		usage_error(cmd, "unknown argument '%s'", argv[1]);
	if (argc)
		parse_tenant_ref(cmd, argv[0], &ref);

	if (nl_open())
		return EXIT_FAIL;
	nlh = nl_request(CHAM_CMD_TENANT_GET, !argc);
	if (argc)
		nl_put_tenant_ref(nlh, &ref);
	err = nl_transact(nlh, tenant_cb, &list);
	if (err) {
		free(list.tenants);
		if (argc)
			return nl_fail(err, "showing tenant %s", argv[0]);
		return nl_fail(err, "listing tenants");
	}

	if (argc && !list.count) {
		free(list.tenants);
		return fail("the kernel sent nothing about tenant %s", argv[0]);
	}
	if (!opt_json) {
		if (argc)
			tenant_detail(&list.tenants[0]);
		else
			tenant_table(&list);
	} else if (argc) {
		tenant_json(&list.tenants[0], NULL);
	} else {
		json_array_begin(NULL);
		for (i = 0; i < list.count; i++)
			tenant_json(&list.tenants[i], NULL);
		json_array_end();
	}
	free(list.tenants);
	return 0;
}

int tenant_event_print(const struct nlmsghdr *nlh, const char *event,
		       const char *verb)
{
	struct tenant_list list = {};
	int err = tenant_cb(nlh, &list);

	if (err)
		return err;
	if (opt_json) {
		json_object_begin(NULL);
		json_string("event", event);
		tenant_json(&list.tenants[0], "tenant");
		json_object_end();
	} else {
		printf("%s ", verb);
		tenant_detail(&list.tenants[0]);
	}
	free(list.tenants);
	return 0;
}

int tenant_lookup(const struct tenant_ref *ref, struct tenant_summary *out)
{
	struct tenant_list list = {};
	struct nlmsghdr *nlh;
	int err;

	nlh = nl_request(CHAM_CMD_TENANT_GET, false);
	nl_put_tenant_ref(nlh, ref);
	err = nl_transact(nlh, tenant_cb, &list);
	if (!err && !list.count)
		err = -EPROTO;
	if (!err) {
		out->id = list.tenants[0].id;
		memcpy(out->name, list.tenants[0].name, CHAM_NAME_LEN);
		out->owner = list.tenants[0].owner;
		out->insn_limit = list.tenants[0].budget.present[TK_INSN_LIMIT] ?
				  list.tenants[0].budget.value[TK_INSN_LIMIT] : 0;
	}
	free(list.tenants);
	return err;
}

int tenant_name_lookup(uint32_t id, char name[CHAM_NAME_LEN])
{
	struct tenant_ref ref = { .by_id = true, .id = id };
	struct tenant_summary tenant;
	int err;

	err = tenant_lookup(&ref, &tenant);
	if (!err)
		memcpy(name, tenant.name, CHAM_NAME_LEN);
	return err;
}

static const struct chamctl_cmd tenant_cmds[] = {
	{
		.name = "add",
		.usage = "tenant add NAME id ID [owner USER|UID] [default pass|drop] "
			 "[BUDGET...] [SLOWPATH...]",
		.summary = "create a tenant",
		.details =
"  NAME     up to 31 characters, not all digits\n"
"  ID       1-65535, the tenant's number in rules and statistics\n"
"  owner    the user (name or uid) who owns the tenant: who may bind its\n"
"           protocol and read its rules, statistics and events besides\n"
"           the admin; root (0) if not given\n"
"  default  what happens to the tenant's packets while it has no protocol\n"
"           (pass to the kernel stack, the default, or drop)\n"
BUDGET_HELP
SLOWPATH_HELP
"  Knobs not given get the module's defaults.\n",
		.run = tenant_add,
	}, {
		.name = "del",
		.usage = "tenant del NAME|ID",
		.summary = "delete a tenant and its rules",
		.run = tenant_del,
	}, {
		.name = "set",
		.usage = "tenant set NAME|ID [owner USER|UID] "
			 "[source PREFIX...|none] [ports IFACE...|none] "
			 "[BUDGET...] [SLOWPATH...]",
		.summary = "change a tenant's owner, egress validation, time protection or slow path",
		.details =
"  owner    the user (name or uid) who owns the tenant\n"
"  source   the prefixes the tenant's protocol may send from, besides the\n"
"           destinations of its rules (10.1.0.0/16 2001:db8::/64; an\n"
"           address without /LEN is one host); replaces the list, 'none'\n"
"           empties it. At most 16 prefixes.\n"
"  ports    the Chamelio ports the tenant's protocol may redirect to, by\n"
"           interface name or index; replaces the list, 'none' empties it.\n"
"           At most 16 ports.\n"
BUDGET_HELP
SLOWPATH_HELP
"  A shorter punt queue applies to what is queued next; a lower timer\n"
"  limit cancels no armed timer, it refuses new ones.\n"
"  A list ends at the next keyword. What is not given keeps its value.\n",
		.run = tenant_set,
	}, {
		.name = "show",
		.usage = "tenant show [NAME|ID]",
		.summary = "list tenants, or show one",
		.details =
"  Columns: ID NAME OWNER (user name, or uid without one) DEFAULT, SHARE\n"
"  BURST POLICY (time protection), PROTOCOL (the registered protocol, or\n"
"  -), GEN (how often a protocol was registered for the tenant), AGENT\n"
"  (the netlink port id of its registered agent, or none), PUNTQ (its punt\n"
"  queue), TIMERS (timers armed now / the most it may arm), SOURCES and\n"
"  PORTS (what its protocol may send from and redirect to, besides its\n"
"  rules' destinations; - for none). One tenant is shown in full: its\n"
"  sources and ports (name and index), every BUDGET and SLOWPATH knob\n"
"  (see 'tenant set --help'), how many protocols were ejected, its agent\n"
"  and armed timers, and the handlers of its protocol with the\n"
"  instructions the verifier processed for each. - is a value the kernel\n"
"  did not report.\n",
		.run = tenant_show,
	},
};

const struct chamctl_object tenant_object = {
	.name = "tenant",
	.cmds = tenant_cmds,
	.n_cmds = ARRAY_SIZE(tenant_cmds),
};
