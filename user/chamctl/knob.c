// SPDX-License-Identifier: GPL-2.0
/*
 * Knobs: one table entry per setting, used to parse, send, read and print
 * it (see knob.h).
 */
#include <stdio.h>
#include <string.h>

#include "knob.h"
#include "output.h"

bool knob_arg(const struct chamctl_cmd *cmd, const struct knob *knobs,
	      size_t n_knobs, int argc, char **argv, int *i,
	      struct knob_values *values)
{
	const char *keyword = argv[*i], *value;
	size_t k;

	for (k = 0; k < n_knobs; k++)
		if (knobs[k].parse && !strcmp(keyword, knobs[k].keyword))
			break;
	if (k == n_knobs)
		return false;
	value = keyword_value(cmd, argc, argv, i);
	if (values->present[k])
		usage_error(cmd, "'%s' is given twice", keyword);
	if (!knobs[k].parse(value, &values->value[k]))
		usage_error(cmd, "%s must be %s, not '%s'", keyword,
			    knobs[k].expect, value);
	values->present[k] = true;
	return true;
}

bool knobs_any(const struct knob_values *values, size_t n_knobs)
{
	size_t k;

	for (k = 0; k < n_knobs; k++)
		if (values->present[k])
			return true;
	return false;
}

void knobs_put(struct nlmsghdr *nlh, const struct knob *knobs,
	       size_t n_knobs, const struct knob_values *values)
{
	size_t k;

	for (k = 0; k < n_knobs; k++) {
		if (!values->present[k])
			continue;
		if (knobs[k].is_u8)
			mnl_attr_put_u8(nlh, knobs[k].attr, values->value[k]);
		else
			mnl_attr_put_u32(nlh, knobs[k].attr, values->value[k]);
	}
}

void knobs_get(const struct nlattr *const *tb, const struct knob *knobs,
	       size_t n_knobs, struct knob_values *values)
{
	const struct nlattr *attr;
	size_t k;

	memset(values, 0, sizeof(*values));
	for (k = 0; k < n_knobs; k++) {
		attr = tb[knobs[k].attr];
		/* nl_parse() checked the length, if nl.c knows the type. */
		if (!attr || mnl_attr_validate(attr, knobs[k].is_u8 ?
					       MNL_TYPE_U8 : MNL_TYPE_U32) < 0)
			continue;
		values->value[k] = knobs[k].is_u8 ? mnl_attr_get_u8(attr) :
						    mnl_attr_get_u32(attr);
		values->present[k] = true;
	}
}

const char *knob_text(const struct knob *knobs, size_t k,
		      const struct knob_values *values, char *buf,
		      size_t size)
{
	if (!values->present[k])
		return "-";
	knobs[k].format(values->value[k], buf, size);
	return buf;
}

void knobs_print_line(const struct knob *knobs, size_t first, size_t last,
		      const struct knob_values *values, const char *indent)
{
	char buf[32];
	size_t k;

	fputs(indent, stdout);
	for (k = first; k <= last; k++)
		printf("%s %s%s", knobs[k].keyword,
		       knob_text(knobs, k, values, buf, sizeof(buf)),
		       k < last ? " " : "\n");
}

void knobs_json(const struct knob *knobs, size_t n_knobs,
		const struct knob_values *values)
{
	size_t k;

	for (k = 0; k < n_knobs; k++) {
		if (values->present[k])
			knobs[k].json(knobs[k].json_key, values->value[k]);
		else
			json_null(knobs[k].json_key);
	}
}

bool knob_parse_on_off(const char *arg, uint64_t *value)
{
	bool on;

	if (!parse_on_off(arg, &on))
		return false;
	*value = on;
	return true;
}

void knob_format_on_off(uint64_t value, char *buf, size_t size)
{
	snprintf(buf, size, "%s", value ? "on" : "off");
}

void knob_json_bool(const char *key, uint64_t value)
{
	json_bool(key, value);
}

bool knob_parse_usecs(const char *arg, uint64_t *value)
{
	uint64_t ns;

	if (!parse_duration(arg, &ns) || ns % NSEC_PER_USEC ||
	    ns < NSEC_PER_USEC || ns > NSEC_PER_SEC)
		return false;
	*value = ns / NSEC_PER_USEC;
	return true;
}

void knob_format_usecs(uint64_t value, char *buf, size_t size)
{
	format_duration(buf, size, value * NSEC_PER_USEC);
}

void knob_format_uint(uint64_t value, char *buf, size_t size)
{
	snprintf(buf, size, "%llu", (unsigned long long)value);
}
