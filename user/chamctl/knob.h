/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Knobs: settings written "keyword value" on the command line and sent as
 * one netlink attribute each, such as a tenant's time protection (tenant
 * add, set and show) and the global settings (config). A command's table
 * of knobs says, per knob, how the admin writes its value, how the kernel
 * sends it and how JSON shows it, so the commands that set a knob and the
 * ones that show it cannot disagree.
 */
#ifndef CHAMCTL_KNOB_H
#define CHAMCTL_KNOB_H

#include "nl.h"

struct knob {
	/* On the command line, and before the value in human output. */
	const char *keyword;
	const char *json_key;
	uint16_t attr;
	/* The attribute is a u8 (on/off, enums, percent), else a u32. */
	bool is_u8;
	/*
	 * The command-line value: false if it is invalid. NULL for a value
	 * the kernel reports but does not take.
	 */
	bool (*parse)(const char *arg, uint64_t *value);
	/* What a valid value is, for "KEYWORD must be EXPECT, not 'ARG'". */
	const char *expect;
	/* The human form, which parse() takes back. */
	void (*format)(uint64_t value, char *buf, size_t size);
	void (*json)(const char *key, uint64_t value);
};

#define KNOBS_MAX	16

/* Values by knob index: given on the command line, or sent by the kernel. */
struct knob_values {
	uint64_t value[KNOBS_MAX];
	bool present[KNOBS_MAX];
};

/*
 * If argv[*i] names a settable knob, parses its value into @values and
 * advances *i past both; refuses the command line if the value is
 * invalid or the knob is given twice. False if argv[*i] is no knob.
 */
bool knob_arg(const struct chamctl_cmd *cmd, const struct knob *knobs,
	      size_t n_knobs, int argc, char **argv, int *i,
	      struct knob_values *values);

bool knobs_any(const struct knob_values *values, size_t n_knobs);

/* Adds an attribute for each knob present in @values. */
void knobs_put(struct nlmsghdr *nlh, const struct knob *knobs,
	       size_t n_knobs, const struct knob_values *values);

/*
 * Fills @values from the attributes of a reply (nl_parse()), leaving out
 * the ones missing, as from a kernel that predates them.
 */
void knobs_get(const struct nlattr *const *tb, const struct knob *knobs,
	       size_t n_knobs, struct knob_values *values);

/* Knob @k's value in human form, in @buf, or "-" when it is missing. */
const char *knob_text(const struct knob *knobs, size_t k,
		      const struct knob_values *values, char *buf,
		      size_t size);

/* Prints "KEYWORD VALUE" for knobs @first..@last, on one line. */
void knobs_print_line(const struct knob *knobs, size_t first, size_t last,
		      const struct knob_values *values, const char *indent);

/* A JSON member for each knob, null when missing. */
void knobs_json(const struct knob *knobs, size_t n_knobs,
		const struct knob_values *values);

/* ---- value kinds that several knobs share -------------------------------- */

bool knob_parse_on_off(const char *arg, uint64_t *value);
void knob_format_on_off(uint64_t value, char *buf, size_t size);
void knob_json_bool(const char *key, uint64_t value);

/* A whole number of microseconds, 1us to 1s, written as a duration. */
bool knob_parse_usecs(const char *arg, uint64_t *value);
void knob_format_usecs(uint64_t value, char *buf, size_t size);
#define KNOB_EXPECT_USECS \
	"a whole number of microseconds from 1us to 1s, such as 500us or 2ms"

void knob_format_uint(uint64_t value, char *buf, size_t size);

#endif /* CHAMCTL_KNOB_H */
