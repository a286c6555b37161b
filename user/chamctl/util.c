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
