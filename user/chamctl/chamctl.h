/* SPDX-License-Identifier: GPL-2.0 */
/*
 * chamctl: what the command files share. Each object (tenant, rule, ...)
 * is a table of commands; main.c finds the command, handles help, and runs
 * it with the arguments that follow the command word.
 */
#ifndef CHAMCTL_H
#define CHAMCTL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/chamelio.h>

/*
 * chamctl's version (chamctl --version): the build may pass its own, such
 * as the output of git describe; this release otherwise.
 */
#ifndef CHAMELIO_VERSION
#define CHAMELIO_VERSION	"0.1"
#endif

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
/* A limit of the ABI, such as CHAM_AGENT_MSG_MAX, in a help text. */
#define STR(x)		#x
#define XSTR(x)		STR(x)

/* Exit codes: the kernel or the system refused (1), the command line (2). */
#define EXIT_FAIL	1
#define EXIT_USAGE	2

struct chamctl_cmd {
	/* The command word; NULL for an object that has none (stats). */
	const char *name;
	/* The full syntax, without "chamctl ". */
	const char *usage;
	/* One line: what the command does. */
	const char *summary;
	/* Details for --help: the arguments, one per line. */
	const char *details;
	/* Runs with the arguments after the command word; an exit code. */
	int (*run)(const struct chamctl_cmd *cmd, int argc, char **argv);
};

struct chamctl_object {
	const char *name;
	const struct chamctl_cmd *cmds;
	size_t n_cmds;
};

extern const struct chamctl_object tenant_object;
extern const struct chamctl_object rule_object;
extern const struct chamctl_object port_object;
extern const struct chamctl_object guest_object;
extern const struct chamctl_object stats_object;
extern const struct chamctl_object proto_object;
extern const struct chamctl_object config_object;
extern const struct chamctl_object monitor_object;
extern const struct chamctl_object agent_object;
extern const struct chamctl_object status_object;

/* Global options. */
extern bool opt_json;
extern bool opt_verbose;

/*
 * The line of a batch file being run (chamctl -batch), 0 outside a batch:
 * every error message names it, so the admin knows which line failed.
 */
extern unsigned long batch_line;

/* "chamctl: ", and "line N: " in a batch: the start of every error. */
void error_prefix(void);

/*
 * The loader daemon (chamctl proto serve) runs the commands' code on behalf
 * of a client: while a capture is active, fail() and fail_errno() keep the
 * first message and errno for the client's reply instead of printing them,
 * and libbpf's warnings (the verifier's log) are kept too, their tail if
 * they are long.
 */
#define CAPTURE_MESSAGE_LEN	256
#define CAPTURE_LOG_LEN		4096

struct error_capture {
	int err;			/* positive errno, 0 if none was given */
	char message[CAPTURE_MESSAGE_LEN];
	char log[CAPTURE_LOG_LEN];
	size_t log_len;
};

void error_capture_start(struct error_capture *capture);
void error_capture_stop(void);

/* Prints "chamctl: MSG" and the command's usage, and exits with EXIT_USAGE. */
__attribute__((noreturn, format(printf, 2, 3)))
void usage_error(const struct chamctl_cmd *cmd, const char *fmt, ...);

/* Prints "chamctl: MSG" to stderr; returns EXIT_FAIL. */
__attribute__((format(printf, 1, 2)))
int fail(const char *fmt, ...);

/* Prints "chamctl: MSG: strerror(err)"; err is a positive or negative errno. */
__attribute__((format(printf, 2, 3)))
int fail_errno(int err, const char *fmt, ...);
/* The same with a va_list, and an optional detail (an extack) after it. */
int vfail_errno(int err, const char *detail, const char *fmt, va_list ap);

/*
 * The value after the keyword at argv[*i]: advances *i past both, or
 * refuses the command line when the value is missing.
 */
const char *keyword_value(const struct chamctl_cmd *cmd, int argc, char **argv,
			  int *i);

/* A keyword that takes a value, and where the value goes (NULL if not given). */
struct keyword_slot {
	const char *keyword;
	const char **value;
};

/*
 * KEYWORD VALUE pairs from argv[@first] on, each of @slots at most once;
 * an unknown keyword, one given twice or one without its value refuses
 * the command line.
 */
void parse_keyword_slots(const struct chamctl_cmd *cmd, int argc, char **argv,
			 int first, const struct keyword_slot *slots,
			 size_t n_slots);

bool is_all_digits(const char *s);

/* The value of hex digit @c (either case), or -1 if it is none. */
int hex_digit(char c);

/* Strict decimal: no sign, no spaces, no trailing junk, at most @max. */
bool parse_uint(const char *s, uint64_t max, uint64_t *out);

/*
 * A percentage, "12.5" or "12.5%", with at most @decimals digits after the
 * point. *out counts units of 10^-@decimals percent and is at most @max:
 * with 2 decimals, "12.5%" is 1250.
 */
bool parse_percent(const char *s, unsigned int decimals, uint64_t max,
		   uint64_t *out);

#define NSEC_PER_USEC	1000ULL
#define NSEC_PER_MSEC	1000000ULL
#define NSEC_PER_SEC	1000000000ULL

/* A whole number with a unit, ns, us, ms or s ("500us"), in nanoseconds. */
bool parse_duration(const char *s, uint64_t *ns);

bool parse_on_off(const char *s, bool *on);

/*
 * The other way round, for output. @value in units of 10^-@decimals,
 * without trailing zeros: (1250, 2) is "12.5", (2500, 2) is "25".
 */
void format_fixed(char *buf, size_t size, uint64_t value,
		  unsigned int decimals);
/* The same with a '%': "12.5%". */
void format_percent(char *buf, size_t size, uint64_t value,
		    unsigned int decimals);
/* In the largest unit that shows @ns exactly: "2ms", "500us", "7ns". */
void format_duration(char *buf, size_t size, uint64_t ns);
/*
 * A measured time, to two significant digits at least, in the largest
 * unit it has a whole one of: "850ns", "1.2us", "35us", "10ms".
 */
void format_time_approx(char *buf, size_t size, uint64_t ns);

/*
 * The module counts time in cycles of the TSC, which ticks @tsc_khz
 * times a millisecond (CHAM_A_CFG_TSC_KHZ, not 0): @cycles in
 * nanoseconds, rounded down.
 */
uint64_t cycles_to_ns(uint64_t cycles, uint32_t tsc_khz);

/*
 * Shares are parts of CHAM_SHARE_SCALE, which is 100% to two decimals:
 * a share is a percentage with SHARE_DECIMALS decimals, as it is.
 */
#define SHARE_DECIMALS	2
_Static_assert(CHAM_SHARE_SCALE == 100 * 100,
	       "a share is a percentage with SHARE_DECIMALS decimals");

/*
 * A tenant on the command line: all digits is an id, anything else a name.
 * Names that are all digits are refused when a tenant is created, so every
 * tenant can be named both ways.
 */
struct tenant_ref {
	bool by_id;
	uint32_t id;
	const char *name;
};

void parse_tenant_ref(const struct chamctl_cmd *cmd, const char *arg,
		      struct tenant_ref *ref);

/* An IPv4 or IPv6 prefix: a rule's destination, a tenant's source. */
struct ip_prefix {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint8_t len;
};

/* "addr/len" at its longest. */
#define IP_PREFIX_STRLEN	(46 + 4)

/* 4 for AF_INET, 16 for AF_INET6. */
size_t family_addr_len(uint8_t family);

/*
 * An IPv4 or IPv6 address, optionally /LEN; a host prefix without.
 * Refuses the command line when it is neither.
 */
void parse_ip_prefix(const struct chamctl_cmd *cmd, const char *arg,
		     struct ip_prefix *prefix);
void format_ip_prefix(const struct ip_prefix *prefix, char *buf, size_t size);

/* A tenant without an owner (the kernel sends no owner attribute). */
#define NO_OWNER	UINT32_MAX

/* What the kernel says about a tenant, for commands that act on one. */
struct tenant_summary {
	uint32_t id;
	char name[CHAM_NAME_LEN];
	uint32_t owner;		/* NO_OWNER for none */
	uint32_t insn_limit;	/* verified insns per handler; 0: none */
};

/*
 * Asks the kernel about the tenant @ref names (after nl_open()). Returns 0
 * or a negative errno, as nl_transact().
 */
int tenant_lookup(const struct tenant_ref *ref, struct tenant_summary *out);

/*
 * The name of tenant @id, asked of the kernel (after nl_open()).
 * Returns 0 or a negative errno, as nl_transact().
 */
int tenant_name_lookup(uint32_t id, char name[CHAM_NAME_LEN]);

/*
 * The id of the guest @arg names: an id as it is, a name asked of the
 * kernel (after nl_open()); refuses the command line when @arg is
 * neither. Returns 0 or a negative errno, as nl_transact().
 */
int guest_ref_id(const struct chamctl_cmd *cmd, const char *arg,
		 uint32_t *id);

/*
 * The provider XDP program (bpf/cham_xdp.bpf.c) attached to an interface,
 * as port attach and guest add attach it (port.c).
 */
struct cham_xdp;

struct provider_attachment {
	struct cham_xdp *skel;	/* the loaded program, until released */
	uint32_t ifindex;
	uint32_t mode_flags;	/* XDP_FLAGS_DRV_MODE or XDP_FLAGS_SKB_MODE */
	bool attached_here;	/* false: it was attached before */
};

/*
 * Loads the provider program and attaches it to @ifindex (@ifname for
 * messages) in @mode_flags's mode. Chamelio's program already attached in
 * that mode is taken as it is; anyone else's program is never replaced.
 * Returns 0, or EXIT_FAIL having said why (nothing to release then).
 */
int provider_attach(struct provider_attachment *pa, const char *ifname,
		    uint32_t ifindex, uint32_t mode_flags);
/* Detaches the program again, if this attachment attached it. */
void provider_attach_undo(struct provider_attachment *pa);
/* Frees the loaded program; the interface keeps what is attached. */
void provider_attach_release(struct provider_attachment *pa);

/*
 * libbpf's messages: with --verbose, all of them as they come; without,
 * its warnings only, held until the command fails (fail(), fail_errno(),
 * usage_error() print them first: they explain a refused program) and
 * dropped when it succeeds.
 */
void setup_libbpf_logging(void);

/* Prints the warnings held so far (see above); fail() does it itself. */
void libbpf_warnings_flush(void);

/*
 * Drops the warnings held so far: for a refusal the command handles
 * (an XDP program already attached) or explains better itself.
 */
void libbpf_warnings_discard(void);

/*
 * Prints libbpf's warnings @text to stderr; a verifier log in them is cut
 * to the verifier's reason, unless --verbose.
 */
void print_libbpf_warnings(const char *text);

/* Grows *array (of *cap elements of @size) to hold at least @need. */
void *grow_array(void *array, size_t *cap, size_t need, size_t size);

#endif /* CHAMCTL_H */
