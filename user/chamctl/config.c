// SPDX-License-Identifier: GPL-2.0
/*
 * chamctl config: the module's global settings for time protection.
 */
#include <stdio.h>

#include "knob.h"
#include "monitor.h"
#include "nl.h"
#include "output.h"

enum config_knob {
	CK_ACCOUNTING,
	CK_ENFORCEMENT,
	CK_CONTENTION,
	CK_TSC_KHZ,		/* reported only */
	CK_COUNT,
};
_Static_assert(CK_COUNT <= KNOBS_MAX, "struct knob_values is too small");

static const struct knob config_knobs[CK_COUNT] = {
	[CK_ACCOUNTING] = {
		.keyword = "accounting", .json_key = "accounting",
		.attr = CHAM_A_CFG_ACCOUNTING, .is_u8 = true,
		.parse = knob_parse_on_off, .format = knob_format_on_off,
		.json = knob_json_bool, .expect = "'on' or 'off'",
	},
	[CK_ENFORCEMENT] = {
		.keyword = "enforcement", .json_key = "enforcement",
		.attr = CHAM_A_CFG_ENFORCEMENT, .is_u8 = true,
		.parse = knob_parse_on_off, .format = knob_format_on_off,
		.json = knob_json_bool, .expect = "'on' or 'off'",
	},
	[CK_CONTENTION] = {
		.keyword = "contention", .json_key = "contention_us",
		.attr = CHAM_A_CFG_CONTENTION_US,
		.parse = knob_parse_usecs, .format = knob_format_usecs,
		.json = json_uint, .expect = KNOB_EXPECT_USECS,
	},
	[CK_TSC_KHZ] = {
		.keyword = "tsc-khz", .json_key = "tsc_khz",
		.attr = CHAM_A_CFG_TSC_KHZ,
		.format = knob_format_uint, .json = json_uint,
	},
};

static int config_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CHAM_A_MAX + 1];

	nl_parse(nlh, cham_attr_types, CHAM_A_MAX, tb);
	knobs_get(tb, config_knobs, CK_COUNT, data);
	return 0;
}

int config_event_print(const struct nlmsghdr *nlh, const char *event,
		       const char *verb)
{
	struct knob_values config = {};

	config_cb(nlh, &config);
	if (opt_json) {
		json_object_begin(NULL);
		json_string("event", event);
		json_object_begin("config");
		knobs_json(config_knobs, CK_COUNT, &config);
		json_object_end();
		json_object_end();
		return 0;
	}
	printf("%s config", verb);
	knobs_print_line(config_knobs, 0, CK_COUNT - 1, &config, " ");
	return 0;
}

static int config_show(const struct chamctl_cmd *cmd, int argc, char **argv)
{
	struct knob_values config = {};
	struct nlmsghdr *nlh;
	size_t k;
	int err;

	if (argc)
		usage_error(cmd, "unknown argument '%s'", argv[0]);

	if (nl_open())
		return EXIT_FAIL;
	nlh = nl_request(CHAM_CMD_CONFIG_GET, false);
	err = nl_transact(nlh, config_cb, &config);
	if (err)
		return nl_fail(err, "reading the configuration");

	if (opt_json) {
		json_object_begin(NULL);
		knobs_json(config_knobs, CK_COUNT, &config);
		json_object_end();
		return 0;
	}
	for (k = 0; k < CK_COUNT; k++)
		knobs_print_line(config_knobs, k, k, &config, "");
	return 0;
}

static int config_set(const struct chamctl_cmd *cmd, int argc, char **argv)
{
	struct knob_values config = {};
	struct nlmsghdr *nlh;
	int i, err;

	for (i = 0; i < argc;)
		if (!knob_arg(cmd, config_knobs, CK_COUNT, argc, argv, &i,
			      &config))
			usage_error(cmd, "unknown argument '%s'", argv[i]);
	if (!knobs_any(&config, CK_COUNT))
		usage_error(cmd, "nothing to change: give at least one setting");

	if (nl_open())
		return EXIT_FAIL;
	nlh = nl_request(CHAM_CMD_CONFIG_SET, false);
	knobs_put(nlh, config_knobs, CK_COUNT, &config);
	err = nl_transact(nlh, NULL, NULL);
	if (err)
		return nl_fail(err, "changing the configuration");
	return 0;
}

static const struct chamctl_cmd config_cmds[] = {
	{
		.name = "show",
		.usage = "config show",
		.summary = "show the global time-protection settings",
		.details =
"  accounting   whether handler cycles are measured and charged at all\n"
"  enforcement  whether budgets are enforced at all\n"
"  contention   how recently another tenant must have run on a CPU for\n"
"               it to count as contended (budgets are enforced only then)\n"
"  tsc-khz      the rate of the cycle counter, to turn cycles into time\n",
		.run = config_show,
	}, {
		.name = "set",
		.usage = "config set [accounting on|off] [enforcement on|off] "
			 "[contention DURATION]",
		.summary = "change the global time-protection settings",
		.details =
"  accounting   off: measure no handler cycles, for any tenant\n"
"  enforcement  off: enforce no tenant's budget; they are still accounted\n"
"  contention   1us to 1s: how recently another tenant must have run on a\n"
"               CPU for an over-budget tenant to be held back there\n"
"  A DURATION is a whole number with a unit: ns, us, ms or s (100us).\n"
"  Give at least one; the others keep their values.\n",
		.run = config_set,
	},
};

const struct chamctl_object config_object = {
	.name = "config",
	.cmds = config_cmds,
	.n_cmds = ARRAY_SIZE(config_cmds),
};
