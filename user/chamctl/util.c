// SPDX-License-Identifier: GPL-2.0
/*
 * Error reporting and the argument parsing every command needs.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "chamctl.h"

void usage_error(const struct chamctl_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("chamctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nUsage: chamctl %s\n", cmd->usage);
	exit(EXIT_USAGE);
}

int fail(const char *fmt, ...)
{
	va_list ap;

	fputs("chamctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_FAIL;
}

int vfail_errno(int err, const char *detail, const char *fmt, va_list ap)
{
	fputs("chamctl: ", stderr);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, ": %s", strerror(err < 0 ? -err : err));
	if (detail)
		fprintf(stderr, " (%s)", detail);
	fputc('\n', stderr);
	return EXIT_FAIL;
}

int fail_errno(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail_errno(err, NULL, fmt, ap);
	va_end(ap);
	return EXIT_FAIL;
}

const char *keyword_value(const struct chamctl_cmd *cmd, int argc, char **argv,
			  int *i)
{
	const char *value;

	if (*i + 1 >= argc)
		usage_error(cmd, "'%s' needs a value", argv[*i]);
	value = argv[*i + 1];
	*i += 2;
	return value;
}

bool is_all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

bool parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t value = 0;

	if (!is_all_digits(s))
		return false;
	for (; *s; s++) {
		unsigned int digit = *s - '0';

		if (value > max / 10 || digit > max - value * 10)
			return false;
		value = value * 10 + digit;
	}
	*out = value;
	return true;
}

static uint64_t power_of_ten(unsigned int exponent)
{
	uint64_t value = 1;

	while (exponent--)
		value *= 10;
	return value;
}

bool parse_percent(const char *s, unsigned int decimals, uint64_t max,
		   uint64_t *out)
{
	uint64_t scale = power_of_ten(decimals), whole, fraction = 0;
	char buf[32];
	char *point, *end;
	size_t len = strlen(s);

	/* The '%' is optional: "25" and "25%" are the same. */
	if (len && s[len - 1] == '%')
		len--;
	if (len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	point = strchr(buf, '.');
	if (point) {
		*point = '\0';
		end = point + 1;
		/* "25." and more decimals than asked for are typos. */
		if (strlen(end) > decimals ||
		    !parse_uint(end, UINT64_MAX, &fraction))
			return false;
		fraction *= power_of_ten(decimals - strlen(end));
	}
	if (!parse_uint(buf, max / scale, &whole) ||
	    whole * scale + fraction > max)
		return false;
	*out = whole * scale + fraction;
	return true;
}

static const struct {
	const char *name;
	uint64_t ns;
} duration_units[] = {
	{ "s", NSEC_PER_SEC },
	{ "ms", NSEC_PER_SEC / 1000 },
	{ "us", NSEC_PER_USEC },
	{ "ns", 1 },
};

bool parse_duration(const char *s, uint64_t *ns)
{
	char number[24];
	size_t digits = strspn(s, "0123456789");
	uint64_t value;
	size_t i;

	if (!digits || digits >= sizeof(number))
		return false;
	memcpy(number, s, digits);
	number[digits] = '\0';
	/* No default unit: is "500" microseconds or milliseconds? */
	for (i = 0; i < ARRAY_SIZE(duration_units); i++) {
		if (strcmp(s + digits, duration_units[i].name))
			continue;
		if (!parse_uint(number, UINT64_MAX / duration_units[i].ns,
				&value))
			return false;
		*ns = value * duration_units[i].ns;
		return true;
	}
	return false;
}

bool parse_on_off(const char *s, bool *on)
{
	if (!strcmp(s, "on"))
		*on = true;
	else if (!strcmp(s, "off"))
		*on = false;
	else
		return false;
	return true;
}

void format_fixed(char *buf, size_t size, uint64_t value,
		  unsigned int decimals)
{
	uint64_t scale = power_of_ten(decimals), fraction = value % scale;
	int len;

	if (!fraction) {
		snprintf(buf, size, "%llu", (unsigned long long)(value / scale));
		return;
	}
	len = snprintf(buf, size, "%llu.%0*llu",
		       (unsigned long long)(value / scale), (int)decimals,
		       (unsigned long long)fraction);
	if (len < 0 || (size_t)len >= size)
		return;
	while (buf[len - 1] == '0')
		buf[--len] = '\0';
}

void format_percent(char *buf, size_t size, uint64_t value,
		    unsigned int decimals)
{
	size_t len;

	format_fixed(buf, size, value, decimals);
	len = strlen(buf);
	snprintf(buf + len, size - len, "%%");
}

void format_duration(char *buf, size_t size, uint64_t ns)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(duration_units); i++)
		if (ns && ns % duration_units[i].ns == 0)
			break;
	if (i == ARRAY_SIZE(duration_units))
		i--;	/* 0: any unit will do */
	snprintf(buf, size, "%llu%s",
		 (unsigned long long)(ns / duration_units[i].ns),
		 duration_units[i].name);
}

void parse_tenant_ref(const struct chamctl_cmd *cmd, const char *arg,
		      struct tenant_ref *ref)
{
	uint64_t id;

	memset(ref, 0, sizeof(*ref));
	if (is_all_digits(arg)) {
		if (!parse_uint(arg, UINT32_MAX, &id))
			usage_error(cmd, "tenant id '%s' is too large", arg);
		ref->by_id = true;
		ref->id = id;
		return;
	}
	if (strlen(arg) >= CHAM_NAME_LEN)
		usage_error(cmd, "tenant name '%s' is longer than %d characters",
			    arg, CHAM_NAME_LEN - 1);
	ref->name = arg;
}

static int libbpf_log(enum libbpf_print_level level, const char *fmt,
		      va_list ap)
{
	if (level != LIBBPF_WARN && !opt_verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void setup_libbpf_logging(void)
{
	libbpf_set_print(libbpf_log);
}

void *grow_array(void *array, size_t *cap, size_t need, size_t size)
{
	size_t new_cap = *cap ? *cap : 16;

	if (need <= *cap)
		return array;
	while (new_cap < need)
		new_cap *= 2;
	array = realloc(array, new_cap * size);
	if (!array) {
		fputs("chamctl: out of memory\n", stderr);
		exit(EXIT_FAIL);
	}
	*cap = new_cap;
	return array;
}
