// SPDX-License-Identifier: GPL-2.0
/*
 * Error reporting and the argument parsing every command needs.
 */
#define _GNU_SOURCE	/* vasprintf */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "chamctl.h"

unsigned long batch_line;

static struct error_capture *active_capture;

void error_prefix(void)
{
	fputs("chamctl: ", stderr);
	if (batch_line)
		fprintf(stderr, "line %lu: ", batch_line);
}

void error_capture_start(struct error_capture *capture)
{
	memset(capture, 0, sizeof(*capture));
	active_capture = capture;
}

void error_capture_stop(void)
{
	active_capture = NULL;
}

/* The first failure explains the others (they report its consequences). */
static void capture_message(int err, const char *detail, const char *fmt,
			    va_list ap)
{
	struct error_capture *c = active_capture;
	size_t len;

	if (c->message[0])
		return;
	if (err)
		c->err = err < 0 ? -err : err;
	vsnprintf(c->message, sizeof(c->message), fmt, ap);
	len = strlen(c->message);
	if (detail)
		snprintf(c->message + len, sizeof(c->message) - len, " (%s)",
			 detail);
}

/*
 * Programs are verified with root's privileges, and the verifier's log
 * then prints kernel addresses (a map's, in every 64-bit load of one). A
 * captured log goes to the loader's client: blank out the digits of
 * anything that looks like a kernel address, 0xffff followed by 12 hex
 * digits.
 */
static void redact_kernel_addresses(char *text)
{
	char *p = text;
	size_t i;

	while ((p = strstr(p, "0xffff"))) {
		p += 6;
		for (i = 0; i < 12 && isxdigit((unsigned char)p[i]); i++)
			;
		if (i == 12)
			memset(p, '*', 12);
		p += i;
	}
}

/*
 * Appends to the log, dropping its oldest part when it is full: the end
 * of a verifier log is where it says why.
 */
static void capture_log(const char *fmt, va_list ap)
{
	struct error_capture *c = active_capture;
	size_t room = sizeof(c->log) - 1, len, keep;
	char *text;

	if (vasprintf(&text, fmt, ap) < 0)
		return;
	redact_kernel_addresses(text);
	len = strlen(text);
	if (len >= room) {
		memcpy(c->log, text + len - room, room);
		c->log_len = room;
	} else {
		if (c->log_len + len > room) {
			keep = room - len;
			memmove(c->log, c->log + c->log_len - keep, keep);
			c->log_len = keep;
		}
		memcpy(c->log + c->log_len, text, len);
		c->log_len += len;
	}
	c->log[c->log_len] = '\0';
	free(text);
}

void usage_error(const struct chamctl_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	error_prefix();
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nUsage: chamctl %s\n", cmd->usage);
	exit(EXIT_USAGE);
}

int fail(const char *fmt, ...)
{
	va_list ap;

	if (active_capture) {
		va_start(ap, fmt);
		capture_message(0, NULL, fmt, ap);
		va_end(ap);
		return EXIT_FAIL;
	}
	error_prefix();
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_FAIL;
}

int vfail_errno(int err, const char *detail, const char *fmt, va_list ap)
{
	if (active_capture) {
		capture_message(err, detail, fmt, ap);
		return EXIT_FAIL;
	}
	error_prefix();
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
	if (active_capture) {
		if (level == LIBBPF_WARN)
			capture_log(fmt, ap);
		return 0;
	}
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
		error_prefix();
		fputs("out of memory\n", stderr);
		exit(EXIT_FAIL);
	}
	*cap = new_cap;
	return array;
}

size_t family_addr_len(uint8_t family)
{
	return family == AF_INET ? 4 : 16;
}

void parse_ip_prefix(const struct chamctl_cmd *cmd, const char *arg,
		     struct ip_prefix *prefix)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(arg, '/');
	size_t addr_len = slash ? (size_t)(slash - arg) : strlen(arg);
	uint64_t len;

	memset(prefix, 0, sizeof(*prefix));
	if (addr_len >= sizeof(addr))
		usage_error(cmd, "'%s' is no IPv4 or IPv6 address", arg);
	memcpy(addr, arg, addr_len);
	addr[addr_len] = '\0';
	if (inet_pton(AF_INET, addr, prefix->addr) == 1)
		prefix->family = AF_INET;
	else if (inet_pton(AF_INET6, addr, prefix->addr) == 1)
		prefix->family = AF_INET6;
	else
		usage_error(cmd, "'%s' is no IPv4 or IPv6 address", addr);

	prefix->len = family_addr_len(prefix->family) * 8;
	if (!slash)
		return;
	if (!parse_uint(slash + 1, prefix->len, &len))
		usage_error(cmd, "prefix length '%s' is not 0-%u", slash + 1,
			    prefix->len);
	prefix->len = len;
}

void format_ip_prefix(const struct ip_prefix *prefix, char *buf, size_t size)
{
	char addr[INET6_ADDRSTRLEN];

	if (!inet_ntop(prefix->family, prefix->addr, addr, sizeof(addr)))
		snprintf(addr, sizeof(addr), "?");
	snprintf(buf, size, "%s/%u", addr, prefix->len);
}
