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

/*
 * Each counter's attribute, and its name in JSON and the table's notes. A
 * count of cycles also has its time: in JSON next to it, in nanoseconds
 * (ns_name), and in the notes instead of it (time_name).
 */
static const struct {
	uint16_t attr;
	const char *name;
	const char *ns_name;
	const char *time_name;
} slowpath_counters[] = {
	[SLOWPATH_PUNT_DELIVERED] = { CHAM_A_STAT_PUNT_DELIVERED, "punt_delivered" },
	[SLOWPATH_PUNT_LOST] = { CHAM_A_STAT_PUNT_LOST, "punt_lost" },
	[SLOWPATH_PUNT_CYCLES] = { CHAM_A_STAT_PUNT_CYCLES, "punt_cycles",
				   "punt_ns", "punt_time" },
	[SLOWPATH_EVENTS_DELIVERED] = { CHAM_A_STAT_EVENTS_DELIVERED, "events_delivered" },
	[SLOWPATH_EVENTS_LOST] = { CHAM_A_STAT_EVENTS_LOST, "events_lost" },
	[SLOWPATH_TIMER_CALLS] = { CHAM_A_STAT_TIMER_CALLS, "timer_calls" },
	[SLOWPATH_TIMER_CYCLES] = { CHAM_A_STAT_TIMER_CYCLES, "timer_cycles",
				    "timer_ns", "timer_time" },
	[SLOWPATH_MSG_CALLS] = { CHAM_A_STAT_MSG_CALLS, "msg_calls" },
	[SLOWPATH_MSG_CYCLES] = { CHAM_A_STAT_MSG_CYCLES, "msg_cycles",
				  "msg_ns", "msg_time" },
	[SLOWPATH_INJECTED] = { CHAM_A_STAT_INJECTED, "injected" },
};
_Static_assert(ARRAY_SIZE(slowpath_counters) == __SLOWPATH_COUNTER_MAX,
	       "every slow-path counter needs an attribute and a name");


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

static int tsc_khz_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CHAM_A_MAX + 1];

	nl_parse(nlh, cham_attr_types, CHAM_A_MAX, tb);
	if (tb[CHAM_A_CFG_TSC_KHZ])
		*(uint32_t *)data = mnl_attr_get_u32(tb[CHAM_A_CFG_TSC_KHZ]);
	return 0;
}

uint32_t stats_tsc_khz(void)
{
	struct nlmsghdr *nlh = nl_request(CHAM_CMD_CONFIG_GET, false);
	uint32_t tsc_khz = 0;

	if (nl_transact(nlh, tsc_khz_cb, &tsc_khz))
		return 0;
	return tsc_khz;
}

void json_cycles_ns(const char *key, uint64_t cycles, uint32_t tsc_khz)
{
	if (tsc_khz)
		json_uint(key, cycles_to_ns(cycles, tsc_khz));
	else
		json_null(key);
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

static void stats_json(const struct stats_info *s, uint32_t tsc_khz)
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
	json_cycles_ns("handler_ns", s->handler_cycles, tsc_khz);
	json_uint("handler_max_cycles", s->handler_max_cycles);
	json_cycles_ns("handler_max_ns", s->handler_max_cycles, tsc_khz);
	json_uint("infra_cycles", s->infra_cycles);
	json_cycles_ns("infra_ns", s->infra_cycles, tsc_khz);
	json_uint("ecn_marks", s->ecn_marks);
	json_uint("ceiling_violations", s->ceiling_violations);
	json_uint("timestamp", s->timestamp);
	for (i = 0; i < __SLOWPATH_COUNTER_MAX; i++) {
		json_uint(slowpath_counters[i].name, s->slowpath[i]);
		if (slowpath_counters[i].ns_name)
			json_cycles_ns(slowpath_counters[i].ns_name,
				       s->slowpath[i], tsc_khz);
	}
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
	{ "AVG_NS", ALIGN_RIGHT },
	{ "MAX_US", ALIGN_RIGHT },
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
	const struct latency_bucket *b = latency_percentile(lat, permille);
	char text[32];

	if (!b) {
		table_cell(table, "-");
		return;
	}
	if (!b->bounded) {
		table_cell(table, "inf");
		return;
	}
	format_time_approx(text, sizeof(text), b->le_ns);
	table_cell(table, "%s", text);
}

/*
 * AVG_NS and MAX_US: the average handler call in whole nanoseconds, the
 * longest in microseconds to a tenth. "-" without calls, or when the
 * module did not say how fast its cycle counter runs.
 */
static void handler_time_cells(struct table *table,
			       const struct stats_info *s, uint32_t tsc_khz)
{
	uint64_t max_ns;

	if (!s->handler_calls || !tsc_khz) {
		table_cell(table, "-");
		table_cell(table, "-");
		return;
	}
	table_cell(table, "%llu", (unsigned long long)
		   (cycles_to_ns(s->handler_cycles, tsc_khz) /
		    s->handler_calls));
	max_ns = cycles_to_ns(s->handler_max_cycles, tsc_khz);
	table_cell(table, "%llu.%llu",
		   (unsigned long long)(max_ns / NSEC_PER_USEC),
		   (unsigned long long)(max_ns % NSEC_PER_USEC / 100));
}

/*
 * "slow path: punt_delivered=N timer_time=45us ...": the counters that
 * are not zero, each count of cycles as the time it is.
 */
static void slowpath_note(struct table *table, const struct stats_info *s,
			  uint32_t tsc_khz)
{
	char line[512], text[32];
	size_t len = 0;
	unsigned int i;

	for (i = 0; i < __SLOWPATH_COUNTER_MAX && len < sizeof(line); i++) {
		if (!s->slowpath[i])
			continue;
		if (slowpath_counters[i].time_name && tsc_khz) {
			format_time_approx(text, sizeof(text),
					   cycles_to_ns(s->slowpath[i],
							tsc_khz));
			len += snprintf(line + len, sizeof(line) - len,
					" %s=%s", slowpath_counters[i].time_name,
					text);
			continue;
		}
		len += snprintf(line + len, sizeof(line) - len, " %s=%llu",
				slowpath_counters[i].name,
				(unsigned long long)s->slowpath[i]);
	}
	if (len)
		table_note(table, "slow path:%s", line);
}

static void stats_table(const struct stats_info *entries, size_t count,
			uint32_t tsc_khz)
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
		handler_time_cells(table, s, tsc_khz);
		for (v = 0; v < ARRAY_SIZE(latency_percentiles); v++)
			latency_cell(table, &s->latency,
				     latency_percentiles[v].permille);
		stat_counters_note(table, "drops", s->drops, __CHAM_DROP_MAX,
				   drop_reason_name);
		stat_counters_note(table, "parse errors", s->parse_errors,
				   __CHAM_PARSE_MAX, parse_error_name);
		stat_counters_note(table, "budget", budget,
				   __BUDGET_COUNTER_MAX, budget_counter_name);
		slowpath_note(table, s, tsc_khz);
	}
	table_print(table);
}

static int stats_run(const struct chamctl_cmd *cmd, int argc, char **argv)
{
	struct stats_list list = {};
	const struct stats_info *one = NULL;
	struct tenant_ref ref = {};
	struct nlmsghdr *nlh;
	uint32_t tsc_khz;
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
	/* Read after the counters: a rate that fails to come costs only the times. */
	tsc_khz = stats_tsc_khz();

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
			stats_json(one, tsc_khz);
		else
			stats_table(one, 1, tsc_khz);
	} else if (opt_json) {
		json_array_begin(NULL);
		for (i = 0; i < list.count; i++)
			stats_json(&list.entries[i], tsc_khz);
		json_array_end();
	} else {
		stats_table(list.entries, list.count, tsc_khz);
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
"  handler calls (CALLS), the average call in nanoseconds (AVG_NS) and\n"
"  the longest in microseconds (MAX_US), and the fast path's latency:\n"
"  p50, p99 and p99.9 of the time from a packet's entry into the fast\n"
"  path to its verdict, each the upper bound of the histogram bucket that\n"
"  holds it, which overstates it by 25% at most (- when no packet was\n"
"  measured; only the tenants with accounting on are). The module counts\n"
"  time in cycles of its clock; chamctl turns them into time at the rate\n"
"  the module reports (chamctl config show: tsc-khz). Drop reasons, parse\n"
"  errors, ECN marks, ceiling violations and slow-path counters that are\n"
"  not zero follow on lines of their own. The slow path's: punt_delivered\n"
"  and punt_lost (punted frames sent to the agent, or queued and then\n"
"  lost: the punt verdicts are their sum once the queue drained),\n"
"  punt_time (delivering punts and events, charged to the tenant),\n"
"  events_delivered and events_lost, timer_calls and timer_time (the\n"
"  timer handler), msg_calls and msg_time (the slowpath_msg handler),\n"
"  injected (frames the agent sent out). JSON has them all, zero or not,\n"
"  each time in cycles and in nanoseconds: handler_cycles and handler_ns\n"
"  (all calls), handler_max_cycles and handler_max_ns, punt_cycles and\n"
"  punt_ns, timer_cycles and timer_ns, msg_cycles and msg_ns (the *_ns\n"
"  null when the module does not report its rate). JSON also has the\n"
"  time of parsing and steering charged to the tenant (infra_cycles,\n"
"  infra_ns), the cycle counter when the counters were read\n"
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
