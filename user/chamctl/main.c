// SPDX-License-Identifier: GPL-2.0
/*
 * chamctl: the Chamelio admin tool.
 *
 *	chamctl [-j|--json] [-v|--verbose] [-h|--help] OBJECT COMMAND [ARGS]
 *
 * Global options come first; the rest is dispatched by object and command
 * word, as in ip(8).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "chamctl.h"

bool opt_json;
bool opt_verbose;

static const struct chamctl_object *const objects[] = {
	&tenant_object,
	&rule_object,
	&port_object,
	&stats_object,
	&proto_object,
	&config_object,
	&monitor_object,
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

	fputs("Usage: chamctl [OPTIONS] OBJECT COMMAND [ARGS]\n\n", out);
	for (i = 0; i < ARRAY_SIZE(objects); i++)
		print_commands(out, objects[i], false);
	fputs("\nOptions:\n"
	      "  -j, --json     print JSON instead of tables\n"
	      "  -v, --verbose  show what libbpf says while loading programs\n"
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

	fputs("chamctl: ", stderr);
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
		fprintf(stderr, "chamctl: '%s' needs a command\n",
			object->name);
		return object_help(stderr, object, EXIT_USAGE);
	}
	cmd = find_command(object, argv[0]);
	if (!cmd) {
		if (is_help_option(argv[0]))
			return object_help(stdout, object, 0);
		fprintf(stderr, "chamctl: '%s' is no command of '%s'\n",
			argv[0], object->name);
		return object_help(stderr, object, EXIT_USAGE);
	}
	return run_command(cmd, argc - 1, argv + 1);
}

static int run_chamctl(int argc, char **argv);

/* Output that never reached its reader is a failure too. */
int main(int argc, char **argv)
{
	int status = run_chamctl(argc, argv);

	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "chamctl: writing the output failed\n");
		return EXIT_FAIL;
	}
	return status;
}

static int run_chamctl(int argc, char **argv)
{
	const struct chamctl_object *object;
	bool help;
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
		} else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else {
			return usage_failure("unknown option '%s'", argv[i]);
		}
	}
	if (i == argc)
		return usage_failure("no OBJECT given");
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
