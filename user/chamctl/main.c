// SPDX-License-Identifier: GPL-2.0
/*
 * chamctl: the Chamelio admin tool.
 *
 *	chamctl [-j|--json] [-v|--verbose] [-h|--help] OBJECT COMMAND [ARGS]
 *	chamctl [-j|--json] [-v|--verbose] -batch|-b FILE
 *	chamctl -V|--version
 *
 * Global options come first; the rest is dispatched by object and command
 * word, as in ip(8). A batch runs one command per line of FILE.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chamctl.h"
#include "nl.h"
#include "state.h"

bool opt_json;
bool opt_verbose;

static const struct chamctl_object *const objects[] = {
	&tenant_object,
	&rule_object,
	&port_object,
	&guest_object,
	&stats_object,
	&proto_object,
	&map_object,
	&config_object,
	&monitor_object,
	&agent_object,
	&status_object,
};

static void print_commands(FILE *out, const struct chamctl_object *object,
			   bool summaries)
{
	size_t i;

	for (i = 0; i < object->n_cmds; i++) {
		fprintf(out, "  chamctl %s\n", object->cmds[i].usage);
		if (summaries)
			fprintf(out, "      %s\n", object->cmds[i].summary);
	}
}

static void print_usage(FILE *out)
{
	size_t i;

	fputs("Usage: chamctl [OPTIONS] OBJECT COMMAND [ARGS]\n"
	      "       chamctl [OPTIONS] -batch FILE\n"
	      "       chamctl -V|--version\n\n", out);
	for (i = 0; i < ARRAY_SIZE(objects); i++)
		print_commands(out, objects[i], false);
	fputs("\nOptions:\n"
	      "  -j, --json     print JSON instead of tables\n"
	      "  -v, --verbose  show everything libbpf says while loading and\n"
	      "                 attaching programs, and whole verifier logs;\n"
	      "                 without it, only libbpf's warnings, and only\n"
	      "                 when the command fails\n"
	      "  -b, -batch FILE\n"
	      "                 run the commands in FILE (- for stdin), one per\n"
	      "                 line as 'OBJECT COMMAND [ARGS]', over one netlink\n"
	      "                 socket; blank lines and lines starting with # are\n"
	      "                 skipped; stops at the first line that fails\n"
	      "  -V, --version  print chamctl's version, and the module's\n"
	      "                 netlink version when it is loaded\n"
	      "  -h, --help     print this help\n"
	      "\n"
	      "'chamctl OBJECT help' and 'chamctl OBJECT COMMAND --help' "
	      "describe commands.\n"
	      "A TENANT is given by name, or by id when it is all digits.\n",
	      out);
}

__attribute__((format(printf, 1, 2)))
static int usage_failure(const char *fmt, ...)
{
	va_list ap;

	error_prefix();
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n\n", stderr);
	print_usage(stderr);
	return EXIT_USAGE;
}

static int object_help(FILE *out, const struct chamctl_object *object,
		       int code)
{
	fprintf(out, "Commands of '%s':\n", object->name);
	print_commands(out, object, true);
	return code;
}

static int command_help(const struct chamctl_cmd *cmd)
{
	printf("Usage: chamctl %s\n\n  %s\n", cmd->usage, cmd->summary);
	if (cmd->details)
		printf("\n%s", cmd->details);
	return 0;
}

static bool is_help_option(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help");
}

static const struct chamctl_object *find_object(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(objects); i++)
		if (!strcmp(objects[i]->name, name))
			return objects[i];
	return NULL;
}

static const struct chamctl_cmd *
find_command(const struct chamctl_object *object, const char *name)
{
	size_t i;

	for (i = 0; i < object->n_cmds; i++)
		if (object->cmds[i].name && !strcmp(object->cmds[i].name, name))
			return &object->cmds[i];
	return NULL;
}

/* Runs @cmd, unless its arguments ask for help. */
static int run_command(const struct chamctl_cmd *cmd, int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++)
		if (is_help_option(argv[i]))
			return command_help(cmd);
	return cmd->run(cmd, argc, argv);
}

static int run_object(const struct chamctl_object *object, int argc,
		      char **argv)
{
	const struct chamctl_cmd *cmd;

	if (argc && !strcmp(argv[0], "help"))
		return object_help(stdout, object, 0);
	/* An object without command words (stats) has a single command. */
	if (object->n_cmds == 1 && !object->cmds[0].name)
		return run_command(&object->cmds[0], argc, argv);
	if (!argc) {
		/* As in ip(8), the object alone shows it. */
		cmd = find_command(object, "show");
		if (cmd)
			return run_command(cmd, 0, argv);
		error_prefix();
		fprintf(stderr, "'%s' needs a command\n", object->name);
		return object_help(stderr, object, EXIT_USAGE);
	}
	cmd = find_command(object, argv[0]);
	if (!cmd) {
		if (is_help_option(argv[0]))
			return object_help(stdout, object, 0);
		error_prefix();
		fprintf(stderr, "'%s' is no command of '%s'\n", argv[0],
			object->name);
		return object_help(stderr, object, EXIT_USAGE);
	}
	return run_command(cmd, argc - 1, argv + 1);
}

/*
 * "chamctl VERSION (netlink N)", and the loaded module's family version:
 * the two must match for chamctl to understand the module. Nothing about
 * the module when it is not loaded.
 */
static int print_version(void)
{
	uint32_t module_version;

	printf("chamctl %s (netlink %u)\n", CHAMELIO_VERSION,
	       CHAM_GENL_VERSION);
	if (nl_probe_family(&module_version) == 0)
		printf("module chamelio loaded (netlink %u)\n",
		       module_version);
	return 0;
}

static int run_chamctl(int argc, char **argv);

/* Output that never reached its reader is a failure too. */
int main(int argc, char **argv)
{
	int status = run_chamctl(argc, argv);

	/* A failure that was not reported through fail(): still explained. */
	if (status)
		libbpf_warnings_flush();
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "chamctl: writing the output failed\n");
		return EXIT_FAIL;
	}
	return status;
}

/* "[help] OBJECT [COMMAND [ARGS]]": a command line after the options. */
static int run_words(int argc, char **argv)
{
	const struct chamctl_object *object;
	bool help;
	int i = 0;

	/* A line of a batch is explained by its own warnings only. */
	libbpf_warnings_discard();
	/* "chamctl help [OBJECT]" */
	help = !strcmp(argv[i], "help");
	if (help) {
		if (++i == argc) {
			print_usage(stdout);
			return 0;
		}
		if (i + 1 < argc)
			return usage_failure("'help' takes one OBJECT");
	}
	object = find_object(argv[i]);
	if (!object)
		return usage_failure("unknown object '%s'", argv[i]);
	if (help)
		return object_help(stdout, object, 0);
	return run_object(object, argc - i - 1, argv + i + 1);
}

/* More words than any command takes (tenant set with two full lists). */
#define BATCH_MAX_WORDS	128

/*
 * Splits @line into words in place, as a shell would for the simple
 * cases: blanks separate, '...' and "..." quote (no escapes), and a word
 * starting with # begins a comment. Returns the number of words, or -1
 * with *why set.
 */
static int split_words(char *line, char **words, int max, const char **why)
{
	char *in = line, *out;
	int n = 0;

	for (;;) {
		while (*in == ' ' || *in == '\t' || *in == '\n' || *in == '\r')
			in++;
		if (!*in || *in == '#')
			return n;
		if (n == max) {
			*why = "too many words";
			return -1;
		}
		/* The word is copied over itself, without its quotes. */
		words[n++] = out = in;
		while (*in && *in != ' ' && *in != '\t' && *in != '\n' &&
		       *in != '\r') {
			char quote = *in;

			if (quote != '\'' && quote != '"') {
				*out++ = *in++;
				continue;
			}
			in++;
			while (*in && *in != quote)
				*out++ = *in++;
			if (!*in) {
				*why = "unterminated quote";
				return -1;
			}
			in++;
		}
		if (*in)
			in++;
		*out = '\0';
	}
}

/*
 * Runs FILE line by line, like ip -batch. Every command reuses the netlink
 * socket the first one opened (nl_open() opens it once), so thousands of
 * lines cost one round trip each and nothing more.
 */
static int run_batch(const char *path)
{
	char *words[BATCH_MAX_WORDS];
	char *line = NULL;
	size_t cap = 0;
	const char *why;
	int n, status = 0;
	FILE *in;

	in = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!in)
		return fail_errno(errno, "opening %s", path);
	while (getline(&line, &cap, in) >= 0) {
		batch_line++;
		n = split_words(line, words, ARRAY_SIZE(words), &why);
		if (n < 0) {
			status = fail("%s", why);
			break;
		}
		if (!n)
			continue;
		status = run_words(n, words);
		if (status)
			break;
	}
	if (!status && ferror(in))
		status = fail_errno(errno, "reading %s", path);
	batch_line = 0;
	free(line);
	if (in != stdin)
		fclose(in);
	return status;
}

static bool is_batch_option(const char *arg)
{
	return !strcmp(arg, "-b") || !strcmp(arg, "-batch") ||
	       !strcmp(arg, "--batch");
}

static int run_chamctl(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			opt_json = true;
		} else if (!strcmp(argv[i], "-v") ||
			   !strcmp(argv[i], "--verbose")) {
			opt_verbose = true;
		} else if (is_help_option(argv[i])) {
			print_usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "-V") ||
			   !strcmp(argv[i], "--version")) {
			return print_version();
		} else if (is_batch_option(argv[i])) {
			if (i + 1 == argc)
				return usage_failure("'%s' needs a FILE",
						     argv[i]);
			if (i + 2 < argc)
				return usage_failure("'%s FILE' takes no command; put it in FILE",
						     argv[i]);
			return run_batch(argv[i + 1]);
		} else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else {
			return usage_failure("unknown option '%s'", argv[i]);
		}
	}
	if (i == argc)
		return usage_failure("no OBJECT given");
	return run_words(argc - i, argv + i);
}
