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
#include "output.h"

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

/*
 * libbpf's warnings without --verbose: held until the command fails, and
 * then printed before chamctl's own message, which they explain (a
 * verifier log, the kernel's reason for refusing an XDP attach). A
 * command that succeeds, or that handles what libbpf warned about, has
 * them dropped: a second port attach finds the program attached, says
 * nothing and succeeds. Only the last few are kept; the reason is there.
 */
#define HELD_WARNINGS_MAX	32

static char *held_warnings[HELD_WARNINGS_MAX];
static size_t n_held_warnings;

static void hold_warning(char *text)
{
	if (n_held_warnings == HELD_WARNINGS_MAX) {
		free(held_warnings[0]);
		memmove(held_warnings, held_warnings + 1,
			(HELD_WARNINGS_MAX - 1) * sizeof(held_warnings[0]));
		n_held_warnings--;
	}
	held_warnings[n_held_warnings++] = text;
}

void libbpf_warnings_discard(void)
{
	while (n_held_warnings)
		free(held_warnings[--n_held_warnings]);
}

void libbpf_warnings_flush(void)
{
	size_t i;

	for (i = 0; i < n_held_warnings; i++)
		print_libbpf_warnings(held_warnings[i]);
	libbpf_warnings_discard();
}

void usage_error(const struct chamctl_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	libbpf_warnings_flush();
	error_prefix();
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nUsage: chamctl %s\n", cmd->usage);
	exit(EXIT_USAGE);
}

/*
 * An error message can carry names others chose (a pin an owner made, a
 * tenant's protocol name): never their control characters to the
 * terminal of whoever runs chamctl.
 */
static void print_message(const char *fmt, va_list ap)
{
	char *text;

	if (vasprintf(&text, fmt, ap) < 0) {
		fputs("(out of memory)", stderr);
		return;
	}
	fputs(sanitize_text(text), stderr);
	free(text);
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
	libbpf_warnings_flush();
	error_prefix();
	va_start(ap, fmt);
	print_message(fmt, ap);
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
	libbpf_warnings_flush();
	error_prefix();
	print_message(fmt, ap);
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

void parse_keyword_slots(const struct chamctl_cmd *cmd, int argc, char **argv,
			 int first, const struct keyword_slot *slots,
			 size_t n_slots)
{
	const struct keyword_slot *slot;
	int i;

	for (i = first; i < argc;) {
		for (slot = slots; slot < slots + n_slots; slot++)
			if (!strcmp(argv[i], slot->keyword))
				break;
		if (slot == slots + n_slots)
			usage_error(cmd, "unknown argument '%s'", argv[i]);
		if (*slot->value)
			usage_error(cmd, "'%s' is given twice", argv[i]);
		*slot->value = keyword_value(cmd, argc, argv, &i);
	}
}

int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
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

void format_time_approx(char *buf, size_t size, uint64_t ns)
{
	static const struct {
		uint64_t ns;
		const char *unit;
	} units[] = {
		{ NSEC_PER_SEC, "s" }, { 1000000, "ms" }, { NSEC_PER_USEC, "us" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(units); i++) {
		if (ns < units[i].ns)
			continue;
		snprintf(buf, size, ns < 10 * units[i].ns ? "%.1f%s" : "%.0f%s",
			 (double)ns / units[i].ns, units[i].unit);
		return;
	}
	snprintf(buf, size, "%lluns", (unsigned long long)ns);
}

uint64_t cycles_to_ns(uint64_t cycles, uint32_t tsc_khz)
{
	/*
	 * cycles * 10^6 / khz, in two parts so that no product overflows:
	 * the remainder is below 2^32, times 10^6 is below 2^52.
	 */
	return cycles / tsc_khz * NSEC_PER_MSEC +
	       cycles % tsc_khz * NSEC_PER_MSEC / tsc_khz;
}

void parse_tenant_ref(const struct chamctl_cmd *cmd, const char *arg,
		      struct tenant_ref *ref)
{
	uint64_t id;

	memset(ref, 0, sizeof(*ref));
	if (is_all_digits(arg)) {
		/* 0 is the unclassified traffic: stats takes it. */
		if (!parse_uint(arg, CHAM_TENANT_ID_MAX, &id))
			usage_error(cmd, "tenant id '%s' is out of range: tenant ids are 1 to %u",
				    arg, CHAM_TENANT_ID_MAX);
		ref->by_id = true;
		ref->id = id;
		return;
	}
	if (strlen(arg) >= CHAM_NAME_LEN)
		usage_error(cmd, "tenant name '%s' is longer than %d characters",
			    arg, CHAM_NAME_LEN - 1);
	ref->name = arg;
}

/*
 * libbpf hands over a refused program's verifier log in one warning,
 * between these markers: often thousands of lines, and the reason is in
 * the last few.
 */
#define LOAD_LOG_BEGIN	"-- BEGIN PROG LOAD LOG --\n"
#define LOAD_LOG_END	"-- END PROG LOAD LOG --"
#define LOG_REASON_LINES 4

struct log_line {
	const char *start;
	int len;
};

static bool starts_with(const struct log_line *line, const char *prefix)
{
	size_t len = strlen(prefix);

	return (size_t)line->len >= len && !strncmp(line->start, prefix, len);
}

/* "12: (61) r1 = *(u32 *)(r0 +0)": the instruction the verifier was at. */
static bool is_insn_line(const struct log_line *line)
{
	int i = 0;

	while (i < line->len && isdigit((unsigned char)line->start[i]))
		i++;
	return i && i + 3 < line->len && line->start[i] == ':' &&
	       line->start[i + 1] == ' ' && line->start[i + 2] == '(';
}

/* The verifier's closing statistics, not the reason. */
static bool is_stats_line(const struct log_line *line)
{
	return !line->len || starts_with(line, "processed ") ||
	       starts_with(line, "verification time") ||
	       starts_with(line, "stack depth") ||
	       starts_with(line, "max_states_per_insn");
}

static void print_log_line(const struct log_line *line)
{
	fprintf(stderr, "    %.*s\n", line->len, line->start);
}

/*
 * The verifier's reason for refusing a program: the lines after the last
 * instruction it looked at, that instruction and the source line above
 * it. @log is the text between the markers (or the tail of it that a
 * capture kept).
 */
static void print_verifier_reason(const char *prog, const char *log,
				  size_t len, bool whole)
{
	struct log_line lines[64];
	size_t count = 0, total = 0, i, first;
	const char *p = log, *end = log + len, *nl;

	/* Keep the last lines only: the reason is at the end. */
	while (p < end) {
		nl = memchr(p, '\n', end - p);
		if (!nl)
			nl = end;
		lines[count % 64] = (struct log_line){ p, (int)(nl - p) };
		count++;
		total++;
		p = nl + 1;
	}
	if (count > 64)
		count = 64;
	first = total - count;
	/* lines[] is a ring: index i of the last @count is (first + i) % 64. */
#define LINE(i) (&lines[(first + (i)) % 64])
	while (count && is_stats_line(LINE(count - 1)))
		count--;
	i = count;
	while (i && !is_insn_line(LINE(i - 1)) && count - i < LOG_REASON_LINES)
		i--;
	if (i && is_insn_line(LINE(i - 1))) {
		i--;
		if (i && starts_with(LINE(i - 1), "; "))
			i--;
	}
	error_prefix();
	fprintf(stderr, "the verifier refused %s:\n", prog);
	for (; i < count; i++)
		print_log_line(LINE(i));
#undef LINE
	if (whole)
		fprintf(stderr, "  (the whole verifier log, %zu lines: run again with -v)\n",
			total);
	else
		fputs("  (the whole verifier log: run again with -v)\n", stderr);
}

void print_libbpf_warnings(const char *text)
{
	const char *begin, *log, *end, *name, *quote;
	char prog[CHAM_NAME_LEN + 16] = "the program";
	bool whole;

	end = strstr(text, LOAD_LOG_END);
	if (opt_verbose || !end) {
		fputs(text, stderr);
		return;
	}
	begin = strstr(text, LOAD_LOG_BEGIN);
	whole = begin && begin < end;
	log = whole ? begin + strlen(LOAD_LOG_BEGIN) : text;
	/* libbpf's words before the log name the program: "prog 'NAME': ". */
	name = whole ? strstr(text, "prog '") : NULL;
	if (name && name < begin) {
		name += strlen("prog '");
		quote = strchr(name, '\'');
		if (quote && quote < begin)
			snprintf(prog, sizeof(prog), "program '%.*s'",
				 (int)(quote - name), name);
	}
	print_verifier_reason(prog, log, end - log, whole);
	end += strlen(LOAD_LOG_END);
	if (*end == '\n')
		end++;
	fputs(end, stderr);
}

static int libbpf_log(enum libbpf_print_level level, const char *fmt,
		      va_list ap)
{
	char *text;

	if (level != LIBBPF_WARN && !opt_verbose)
		return 0;
	if (active_capture) {
		if (level == LIBBPF_WARN)
			capture_log(fmt, ap);
		return 0;
	}
	if (vasprintf(&text, fmt, ap) < 0)
		return opt_verbose ? vfprintf(stderr, fmt, ap) : 0;
	if (!opt_verbose) {
		hold_warning(text);
		return 0;
	}
	print_libbpf_warnings(text);
	free(text);
	return 0;
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
