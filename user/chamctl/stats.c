// SPDX-License-Identifier: GPL-2.0
/*
 * chamctl stats: per-tenant counters. Id 0 is the unclassified
 * pseudo-tenant: traffic no rule matched, and frames that did not parse.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "nl.h"
#include "output.h"
#include "stats.h"

/* The slow path's counters, in the order of enum cham_stat_attr. */
enum slowpath_counter {
	SLOWPATH_PUNT_DELIVERED,
	SLOWPATH_PUNT_LOST,
	SLOWPATH_PUNT_CYCLES,
	SLOWPATH_EVENTS_DELIVERED,
	SLOWPATH_EVENTS_LOST,
	SLOWPATH_TIMER_CALLS,
	SLOWPATH_TIMER_CYCLES,
	SLOWPATH_MSG_CALLS,
	SLOWPATH_MSG_CYCLES,
	SLOWPATH_INJECTED,
	__SLOWPATH_COUNTER_MAX,
};

/* Each counter's attribute, and its name in JSON and the table's notes. */
static const struct {
	uint16_t attr;
	const char *name;
} slowpath_counters[] = {
	[SLOWPATH_PUNT_DELIVERED] = { CHAM_A_STAT_PUNT_DELIVERED, "punt_delivered" },
	[SLOWPATH_PUNT_LOST] = { CHAM_A_STAT_PUNT_LOST, "punt_lost" },
	[SLOWPATH_PUNT_CYCLES] = { CHAM_A_STAT_PUNT_CYCLES, "punt_cycles" },
	[SLOWPATH_EVENTS_DELIVERED] = { CHAM_A_STAT_EVENTS_DELIVERED, "events_delivered" },
	[SLOWPATH_EVENTS_LOST] = { CHAM_A_STAT_EVENTS_LOST, "events_lost" },
	[SLOWPATH_TIMER_CALLS] = { CHAM_A_STAT_TIMER_CALLS, "timer_calls" },
	[SLOWPATH_TIMER_CYCLES] = { CHAM_A_STAT_TIMER_CYCLES, "timer_cycles" },
	[SLOWPATH_MSG_CALLS] = { CHAM_A_STAT_MSG_CALLS, "msg_calls" },
	[SLOWPATH_MSG_CYCLES] = { CHAM_A_STAT_MSG_CYCLES, "msg_cycles" },
	[SLOWPATH_INJECTED] = { CHAM_A_STAT_INJECTED, "injected" },
};
_Static_assert(ARRAY_SIZE(slowpath_counters) == __SLOWPATH_COUNTER_MAX,
	       "every slow-path counter needs an attribute and a name");

static const char *slowpath_counter_name(unsigned int counter)
{
	return slowpath_counters[counter].name;
}

/*
 * The fast-path latency histogram, as the kernel sends it: the buckets
 * that counted packets, in ascending order. Every packet of a bucket took
 * at most its bound (le_ns); the last bucket has none.
 */
struct latency_bucket {
	uint64_t le_ns;
	bool bounded;
	uint64_t count;
};

struct latency_info {
	bool present;		/* tenants only: id 0 has none */
	unsigned int n_buckets;
	struct latency_bucket *buckets;	/* malloc()ed, n_buckets of them */
	uint64_t count;
};

/* The percentiles shown: p50, p99, p99.9, in parts per thousand. */
static const struct {
	unsigned int permille;
	const char *json_key;
	const char *column;
} latency_percentiles[] = {
	{ 500, "p50_ns", "LAT_P50" },
	{ 990, "p99_ns", "LAT_P99" },
	{ 999, "p999_ns", "LAT_P99.9" },
};

struct stats_info {
	uint32_t id;
	char name[CHAM_NAME_LEN];
	uint64_t packets;
	uint64_t bytes;
	uint64_t verdicts[__CHAM_VERDICT_MAX];
	uint64_t drops[__CHAM_DROP_MAX];
	uint64_t parse_errors[__CHAM_PARSE_MAX];
	uint64_t handler_calls;
	uint64_t handler_cycles;
	uint64_t handler_max_cycles;
	uint64_t infra_cycles;
	uint64_t ecn_marks;
	uint64_t ceiling_violations;
	uint64_t timestamp;
	uint64_t slowpath[__SLOWPATH_COUNTER_MAX];
	/* The tenant's budget; id 0 has none. */
	bool has_share, has_burst;
	uint32_t share;
	uint32_t burst_us;
	struct latency_info latency;
};

struct stats_list {
	struct stats_info *entries;
	size_t count, cap;
};

const enum mnl_attr_data_type stat_attr_types[CHAM_A_STAT_MAX + 1] = {
	[CHAM_A_STAT_PACKETS] = MNL_TYPE_U64,
	[CHAM_A_STAT_BYTES] = MNL_TYPE_U64,
	[CHAM_A_STAT_VERDICTS] = MNL_TYPE_NESTED,
	[CHAM_A_STAT_DROPS] = MNL_TYPE_NESTED,
	[CHAM_A_STAT_PARSE_ERRORS] = MNL_TYPE_NESTED,
	[CHAM_A_STAT_HANDLER_CALLS] = MNL_TYPE_U64,
	[CHAM_A_STAT_HANDLER_CYCLES] = MNL_TYPE_U64,
	[CHAM_A_STAT_HANDLER_MAX_CYCLES] = MNL_TYPE_U64,
	[CHAM_A_STAT_INFRA_CYCLES] = MNL_TYPE_U64,
	[CHAM_A_STAT_ECN_MARKS] = MNL_TYPE_U64,
	[CHAM_A_STAT_CEILING_VIOLATIONS] = MNL_TYPE_U64,
	[CHAM_A_STAT_TIMESTAMP] = MNL_TYPE_U64,
	[CHAM_A_STAT_PUNT_DELIVERED] = MNL_TYPE_U64,
	[CHAM_A_STAT_PUNT_LOST] = MNL_TYPE_U64,
	[CHAM_A_STAT_PUNT_CYCLES] = MNL_TYPE_U64,
	[CHAM_A_STAT_EVENTS_DELIVERED] = MNL_TYPE_U64,
	[CHAM_A_STAT_EVENTS_LOST] = MNL_TYPE_U64,
	[CHAM_A_STAT_TIMER_CALLS] = MNL_TYPE_U64,
	[CHAM_A_STAT_TIMER_CYCLES] = MNL_TYPE_U64,
	[CHAM_A_STAT_MSG_CALLS] = MNL_TYPE_U64,
	[CHAM_A_STAT_MSG_CYCLES] = MNL_TYPE_U64,
	[CHAM_A_STAT_INJECTED] = MNL_TYPE_U64,
	[CHAM_A_STAT_LATENCY] = MNL_TYPE_NESTED,
};

static const enum mnl_attr_data_type lat_bucket_attr_types[CHAM_A_LAT_BUCKET_MAX + 1] = {
	[CHAM_A_LAT_BUCKET_LE_NS] = MNL_TYPE_U64,
	[CHAM_A_LAT_BUCKET_COUNT] = MNL_TYPE_U64,
};

/*
 * The buckets of a CHAM_A_STAT_LATENCY nest; malformed ones are left out.
 * Returns 0 or -ENOMEM.
 */
static int latency_parse(const struct nlattr *nest, struct latency_info *lat)
{
	const struct nlattr *tb[CHAM_A_LAT_BUCKET_MAX + 1];
	const struct nlattr *attr;
	struct latency_bucket *b;
	unsigned int n = 0;

	lat->present = nest != NULL;
	if (!nest)
		return 0;
	mnl_attr_for_each_nested(attr, nest)
		n++;
	lat->buckets = calloc(n ? n : 1, sizeof(*lat->buckets));
	if (!lat->buckets)
		return -ENOMEM;
	mnl_attr_for_each_nested(attr, nest) {
		if (mnl_attr_get_type(attr) != CHAM_A_LATENCY_BUCKET ||
		    mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
			continue;
		nl_parse_nested(attr, lat_bucket_attr_types,
				CHAM_A_LAT_BUCKET_MAX, tb);
		if (!tb[CHAM_A_LAT_BUCKET_COUNT])
			continue;
		b = &lat->buckets[lat->n_buckets++];
		b->bounded = tb[CHAM_A_LAT_BUCKET_LE_NS] != NULL;
		b->le_ns = stat_u64(tb[CHAM_A_LAT_BUCKET_LE_NS]);
		b->count = mnl_attr_get_u64(tb[CHAM_A_LAT_BUCKET_COUNT]);
		lat->count += b->count;
	}
	return 0;
}

/*
 * The bucket that holds the @permille percentile: the first whose running
 * count reaches ceil(count * permille / 1000). NULL without packets.
 */
static const struct latency_bucket *
latency_percentile(const struct latency_info *lat, unsigned int permille)
{
	/* In two parts, so that no product overflows. */
	uint64_t rank = lat->count / 1000 * permille +
			(lat->count % 1000 * permille + 999) / 1000;
	uint64_t seen = 0;
	unsigned int i;

	for (i = 0; i < lat->n_buckets; i++) {
		seen += lat->buckets[i].count;
		if (seen >= rank)
			return &lat->buckets[i];
	}
	return NULL;
}

uint64_t stat_u64(const struct nlattr *attr)
{
	return attr ? mnl_attr_get_u64(attr) : 0;
}

void stat_counters_parse(const struct nlattr *nest, uint64_t *counters,
			 unsigned int count)
{
	const struct nlattr *attr;
	unsigned int type;

	if (!nest)
		return;
	mnl_attr_for_each_nested(attr, nest) {
		type = mnl_attr_get_type(attr);
		if (type >= CHAM_COUNTER_BASE &&
		    type - CHAM_COUNTER_BASE < count &&
		    mnl_attr_validate(attr, MNL_TYPE_U64) == 0)
			counters[type - CHAM_COUNTER_BASE] = mnl_attr_get_u64(attr);
	}
}

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CHAM_A_MAX + 1], *stb[CHAM_A_STAT_MAX + 1];
	struct stats_list *list = data;
	struct stats_info *s;
	unsigned int i;

	nl_parse(nlh, cham_attr_types, CHAM_A_MAX, tb);
	if (!tb[CHAM_A_TENANT_ID] || !tb[CHAM_A_STATS])
		return -EPROTO;
	list->entries = grow_array(list->entries, &list->cap, list->count + 1,
				   sizeof(*list->entries));
	s = &list->entries[list->count++];
	memset(s, 0, sizeof(*s));
	s->id = mnl_attr_get_u32(tb[CHAM_A_TENANT_ID]);
	if (tb[CHAM_A_TENANT_NAME])
		snprintf(s->name, sizeof(s->name), "%s",
			 mnl_attr_get_str(tb[CHAM_A_TENANT_NAME]));
	if (tb[CHAM_A_TENANT_SHARE]) {
		s->has_share = true;
		s->share = mnl_attr_get_u32(tb[CHAM_A_TENANT_SHARE]);
	}
	if (tb[CHAM_A_TENANT_BURST_US]) {
		s->has_burst = true;
		s->burst_us = mnl_attr_get_u32(tb[CHAM_A_TENANT_BURST_US]);
	}

	nl_parse_nested(tb[CHAM_A_STATS], stat_attr_types, CHAM_A_STAT_MAX,
			stb);
	s->packets = stat_u64(stb[CHAM_A_STAT_PACKETS]);
	s->bytes = stat_u64(stb[CHAM_A_STAT_BYTES]);
	stat_counters_parse(stb[CHAM_A_STAT_VERDICTS], s->verdicts,
			    __CHAM_VERDICT_MAX);
	stat_counters_parse(stb[CHAM_A_STAT_DROPS], s->drops, __CHAM_DROP_MAX);
	stat_counters_parse(stb[CHAM_A_STAT_PARSE_ERRORS], s->parse_errors,
			    __CHAM_PARSE_MAX);
	s->handler_calls = stat_u64(stb[CHAM_A_STAT_HANDLER_CALLS]);
	s->handler_cycles = stat_u64(stb[CHAM_A_STAT_HANDLER_CYCLES]);
	s->handler_max_cycles = stat_u64(stb[CHAM_A_STAT_HANDLER_MAX_CYCLES]);
	s->infra_cycles = stat_u64(stb[CHAM_A_STAT_INFRA_CYCLES]);
	s->ecn_marks = stat_u64(stb[CHAM_A_STAT_ECN_MARKS]);
	s->ceiling_violations = stat_u64(stb[CHAM_A_STAT_CEILING_VIOLATIONS]);
	s->timestamp = stat_u64(stb[CHAM_A_STAT_TIMESTAMP]);
	for (i = 0; i < __SLOWPATH_COUNTER_MAX; i++)
		s->slowpath[i] = stat_u64(stb[slowpath_counters[i].attr]);
	return latency_parse(stb[CHAM_A_STAT_LATENCY], &s->latency);
}

static void stats_list_free(struct stats_list *list)
{
	size_t i;

	for (i = 0; i < list->count; i++)
		free(list->entries[i].latency.buckets);
	free(list->entries);
}

void stat_counters_json(const char *key, const uint64_t *counters,
			unsigned int count, const char *(*name)(unsigned int))
{
	unsigned int i;

	json_object_begin(key);
	for (i = 0; i < count; i++)
		json_uint(name(i), counters[i]);
	json_object_end();
}

/* A bound in ns, or null for the last bucket's, which has none. */
static void latency_bound_json(const char *key, const struct latency_bucket *b)
{
	if (b && b->bounded)
		json_uint(key, b->le_ns);
	else
		json_null(key);
}

/*
 * {"count", "p50_ns", "p99_ns", "p999_ns", "buckets": [{"le_ns", "count"}]}
 * (keys the benchmark reads); null for id 0, which has no histogram.
 */
static void latency_json(const struct latency_info *lat)
{
	unsigned int i;

	if (!lat->present) {
		json_null("latency");
		return;
	}
	json_object_begin("latency");
	json_uint("count", lat->count);
	for (i = 0; i < ARRAY_SIZE(latency_percentiles); i++)
		latency_bound_json(latency_percentiles[i].json_key,
				   latency_percentile(lat,
						      latency_percentiles[i].permille));
	json_array_begin("buckets");
	for (i = 0; i < lat->n_buckets; i++) {
		json_object_begin(NULL);
		latency_bound_json("le_ns", &lat->buckets[i]);
		json_uint("count", lat->buckets[i].count);
		json_object_end();
	}
	json_array_end();
	json_object_end();
}

static void stats_json(const struct stats_info *s)
{
	unsigned int i;

	json_object_begin(NULL);
	json_uint("id", s->id);
	json_string("name", s->name);
	json_uint("packets", s->packets);
	json_uint("bytes", s->bytes);
	stat_counters_json("verdicts", s->verdicts, __CHAM_VERDICT_MAX,
			   verdict_name);
	stat_counters_json("drops", s->drops, __CHAM_DROP_MAX,
			   drop_reason_name);
	stat_counters_json("parse_errors", s->parse_errors, __CHAM_PARSE_MAX,
			   parse_error_name);
	json_uint("handler_calls", s->handler_calls);
	json_uint("handler_cycles", s->handler_cycles);
	json_uint("handler_max_cycles", s->handler_max_cycles);
	json_uint("infra_cycles", s->infra_cycles);
	json_uint("ecn_marks", s->ecn_marks);
	json_uint("ceiling_violations", s->ceiling_violations);
	json_uint("timestamp", s->timestamp);
	for (i = 0; i < __SLOWPATH_COUNTER_MAX; i++)
		json_uint(slowpath_counters[i].name, s->slowpath[i]);
	/* As in tenant show: the percentage, 12.5 for 12.5%. */
	if (s->has_share)
		json_fixed("share", s->share, SHARE_DECIMALS);
	else
		json_null("share");
	if (s->has_burst)
		json_uint("burst_us", s->burst_us);
	else
		json_null("burst_us");
	latency_json(&s->latency);
	json_object_end();
}

void stat_counters_note(struct table *table, const char *label,
			const uint64_t *counters, unsigned int count,
			const char *(*name)(unsigned int))
{
	char line[512];
	size_t len = 0;
	unsigned int i;

	for (i = 0; i < count && len < sizeof(line); i++)
		if (counters[i])
			len += snprintf(line + len, sizeof(line) - len,
					" %s=%llu", name(i),
					(unsigned long long)counters[i]);
	if (len)
		table_note(table, "%s:%s", label, line);
}

/* The time-protection counters that are not drops. */
enum budget_counter {
	BUDGET_ECN_MARKS,
	BUDGET_CEILING_VIOLATIONS,
	__BUDGET_COUNTER_MAX,
};

static const char *budget_counter_name(unsigned int counter)
{
	static const char *const names[] = {
		[BUDGET_ECN_MARKS] = "ecn_marks",
		[BUDGET_CEILING_VIOLATIONS] = "ceiling_violations",
	};

	return names[counter];
}

static const struct table_column stats_columns[] = {
	{ "ID", ALIGN_RIGHT },
	{ "NAME", ALIGN_LEFT },
	{ "PACKETS", ALIGN_RIGHT },
	{ "BYTES", ALIGN_RIGHT },
	{ "PASS", ALIGN_RIGHT },
	{ "DROP", ALIGN_RIGHT },
	{ "TX", ALIGN_RIGHT },
	{ "REDIRECT", ALIGN_RIGHT },
	{ "PUNT", ALIGN_RIGHT },
	{ "CALLS", ALIGN_RIGHT },
	{ "AVG_CYCLES", ALIGN_RIGHT },
	{ "MAX_CYCLES", ALIGN_RIGHT },
	{ "LAT_P50", ALIGN_RIGHT },
	{ "LAT_P99", ALIGN_RIGHT },
	{ "LAT_P99.9", ALIGN_RIGHT },
};

/*
 * A percentile's bucket bound, to two significant digits at least:
 * "850ns", "1.2us", "35us", "10ms". "-" without packets, "inf" in the
 * last bucket, which has no bound.
 */
static void latency_cell(struct table *table, const struct latency_info *lat,
			 unsigned int permille)
{
	static const struct {
		uint64_t ns;
		const char *unit;
	} units[] = {
		{ NSEC_PER_SEC, "s" }, { 1000000, "ms" }, { NSEC_PER_USEC, "us" },
	};
	const struct latency_bucket *b = latency_percentile(lat, permille);
	unsigned int i;

	if (!b) {
		table_cell(table, "-");
		return;
	}
	if (!b->bounded) {
		table_cell(table, "inf");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(units); i++) {
		if (b->le_ns < units[i].ns)
			continue;
		table_cell(table, b->le_ns < 10 * units[i].ns ? "%.1f%s" : "%.0f%s",
			   (double)b->le_ns / units[i].ns, units[i].unit);
		return;
	}
	table_cell(table, "%lluns", (unsigned long long)b->le_ns);
}

static void stats_table(const struct stats_info *entries, size_t count)
{
	struct table *table = table_new(stats_columns,
					ARRAY_SIZE(stats_columns));
	unsigned int v;
	size_t i;

	for (i = 0; i < count; i++) {
		const struct stats_info *s = &entries[i];
		const uint64_t budget[__BUDGET_COUNTER_MAX] = {
			[BUDGET_ECN_MARKS] = s->ecn_marks,
			[BUDGET_CEILING_VIOLATIONS] = s->ceiling_violations,
		};

		table_row(table);
		table_cell(table, "%u", s->id);
		table_cell(table, "%s", s->name);
		table_cell(table, "%llu", (unsigned long long)s->packets);
		table_cell(table, "%llu", (unsigned long long)s->bytes);
		for (v = 0; v < __CHAM_VERDICT_MAX; v++)
			table_cell(table, "%llu",
				   (unsigned long long)s->verdicts[v]);
		table_cell(table, "%llu", (unsigned long long)s->handler_calls);
		table_cell(table, "%llu", (unsigned long long)
			   (s->handler_calls ?
			    s->handler_cycles / s->handler_calls : 0));
		table_cell(table, "%llu",
			   (unsigned long long)s->handler_max_cycles);
		for (v = 0; v < ARRAY_SIZE(latency_percentiles); v++)
			latency_cell(table, &s->latency,
				     latency_percentiles[v].permille);
		stat_counters_note(table, "drops", s->drops, __CHAM_DROP_MAX,
				   drop_reason_name);
		stat_counters_note(table, "parse errors", s->parse_errors,
				   __CHAM_PARSE_MAX, parse_error_name);
		stat_counters_note(table, "budget", budget,
				   __BUDGET_COUNTER_MAX, budget_counter_name);
		stat_counters_note(table, "slow path", s->slowpath,
				   __SLOWPATH_COUNTER_MAX,
				   slowpath_counter_name);
	}
	table_print(table);
}

static int stats_run(const struct chamctl_cmd *cmd, int argc, char **argv)
{
	struct stats_list list = {};
	const struct stats_info *one = NULL;
	struct tenant_ref ref = {};
	struct nlmsghdr *nlh;
	bool dump;
	size_t i;
	int err;

	if (argc > 1)
		usage_error(cmd, "unknown argument '%s'", argv[1]);
	if (argc)
		parse_tenant_ref(cmd, argv[0], &ref);
	/* The unclassified pseudo-tenant is only in a dump. */
	dump = !argc || (ref.by_id && ref.id == 0);

	if (nl_open())
		return EXIT_FAIL;
	nlh = nl_request(CHAM_CMD_STATS_GET, dump);
	if (!dump)
		nl_put_tenant_ref(nlh, &ref);
	err = nl_transact(nlh, stats_cb, &list);
	if (err) {
		stats_list_free(&list);
		if (argc)
			return nl_fail(err, "reading the statistics of tenant %s",
				       argv[0]);
		return nl_fail(err, "reading statistics");
	}

	if (argc) {
		for (i = 0; i < list.count && !one; i++)
			if (!dump || list.entries[i].id == 0)
				one = &list.entries[i];
		if (!one) {
			stats_list_free(&list);
			return fail("the kernel sent no statistics for tenant %s",
				    argv[0]);
		}
		if (opt_json)
			stats_json(one);
		else
			stats_table(one, 1);
	} else if (opt_json) {
		json_array_begin(NULL);
		for (i = 0; i < list.count; i++)
			stats_json(&list.entries[i]);
		json_array_end();
	} else {
		stats_table(list.entries, list.count);
	}
	stats_list_free(&list);
	return 0;
}

static const struct chamctl_cmd stats_cmds[] = {
	{
		.usage = "stats [TENANT]",
		.summary = "show packet, verdict and handler counters",
		.details =
"  TENANT  a tenant's name or id; 0 is the unclassified traffic. Every\n"
"          tenant, unclassified first, when not given.\n"
"  Columns: packets and bytes steered to the tenant, packets per verdict,\n"
"  handler calls and their cycles, and the fast path's latency: p50, p99\n"
"  and p99.9 of the time from a packet's entry into the fast path to its\n"
"  verdict, each the upper bound of the histogram bucket that holds it,\n"
"  which overstates it by 25% at most (- when no packet was measured;\n"
"  only the tenants with accounting on are). Drop reasons, parse errors,\n"
"  ECN marks, ceiling violations and slow-path counters that are not zero\n"
"  follow on lines of their own. The slow path's: punt_delivered and\n"
"  punt_lost (punted frames sent to the agent, or queued and then lost:\n"
"  the punt verdicts are their sum once the queue drained), punt_cycles\n"
"  (cycles of delivering punts and events, charged to the tenant),\n"
"  events_delivered and events_lost, timer_calls and timer_cycles (the\n"
"  timer handler), msg_calls and msg_cycles (the slowpath_msg handler),\n"
"  injected (frames the agent sent out). JSON has them all, zero or not.\n"
"  JSON also has the cycles of parsing and steering charged to the\n"
"  tenant (infra_cycles), the cycle counter when the counters were read\n"
"  (timestamp), the tenant's share and burst, and its latency histogram:\n"
"  latency.count (packets measured), latency.p50_ns, .p99_ns, .p999_ns,\n"
"  and latency.buckets, [{le_ns, count}] for each bucket that counted\n"
"  packets (le_ns null for the last, unbounded one); null for id 0.\n",
		.run = stats_run,
	},
};

const struct chamctl_object stats_object = {
	.name = "stats",
	.cmds = stats_cmds,
	.n_cmds = ARRAY_SIZE(stats_cmds),
};
