// SPDX-License-Identifier: GPL-2.0
/*
 * chamctl agent: what a tenant's slow-path agent does, one request at a
 * time, for admins and tests: send a message to the tenant's slowpath_msg
 * handler and print what it returned, or send a frame out through the
 * tenant. A real agent (user/libchamagent) keeps its socket registered and
 * receives the tenant's punts and events; these commands make their
 * requests through the same library without registering, and whether the
 * tenant has an agent shows in tenant show.
 *
 * The kernel lets the tenant's owner and CAP_NET_ADMIN send these; to
 * anyone else the tenant does not exist. What it refuses is printed with
 * its errno and extack, as every chamctl refusal is.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chamagent.h"
#include "nl.h"
#include "output.h"

/*
 * The longest payload a netlink attribute can carry (its length is a
 * u16 that counts its header): a longer frame cannot even be sent.
 */
#define ATTR_PAYLOAD_MAX	(UINT16_MAX - NLA_HDRLEN)

/* Bytes the user gives as hex or a string, or a frame read from a file. */
struct payload {
	uint8_t *data;
	size_t len;
};

/*
 * Pairs of hex digits, "0a1b2c"; a ':' or blank between bytes is allowed
 * ("0a:1b:2c", "0a 1b 2c"), as tools print bytes. False if @arg is
 * anything else.
 */
static bool parse_hex(const char *arg, struct payload *out)
{
	size_t n = 0;
	int hi, lo;

	out->data = malloc(strlen(arg) / 2 + 1);
	if (!out->data)
		return false;
	while (*arg) {
		if (*arg == ':' || *arg == ' ') {
			arg++;
			continue;
		}
		hi = hex_digit(arg[0]);
		lo = hi < 0 ? -1 : hex_digit(arg[1]);
		if (lo < 0) {
			free(out->data);
			out->data = NULL;
			return false;
		}
		out->data[n++] = hi << 4 | lo;
		arg += 2;
	}
	out->len = n;
	return true;
}

/* The whole of file @path ("-" for stdin), at most @max bytes. */
static int read_file(const struct chamctl_cmd *cmd, const char *path,
		     size_t max, struct payload *out)
{
	size_t cap = max + 1, len = 0;
	ssize_t got;
	int fd;

	fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	if (fd < 0)
		return fail_errno(errno, "opening %s", path);
	out->data = malloc(cap);
	if (!out->data) {
		if (fd)
			close(fd);
		return fail("out of memory reading %s", path);
	}
	/* One byte more than the most, to tell a long file from a full one. */
	while (len < cap) {
		got = read(fd, out->data + len, cap - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int err = errno;

			if (fd)
				close(fd);
			return fail_errno(err, "reading %s", path);
		}
		if (!got)
			break;
		len += got;
	}
	if (fd)
		close(fd);
	if (len > max)
		usage_error(cmd, "%s is longer than a frame can be (%d bytes)",
			    path, ATTR_PAYLOAD_MAX);
	out->len = len;
	return 0;
}

/*
 * The requests go through libchamagent, as a real agent's do, on an agent
 * opened without registering: the tenant may have its own agent
 * registered meanwhile.
 */
static struct cham_agent *agent_open(const char *tenant)
{
	const struct cham_agent_opts opts = { .no_register = 1 };
	struct cham_agent *agent;
	char why[320];

	agent = cham_agent_open(tenant, &opts, why, sizeof(why));
	if (!agent)
		fail("%s", why);
	return agent;
}

/*
 * A refused request, printed as every chamctl refusal is: its errno, and
 * the kernel's extack when it gave one (the library says strerror() when
 * it did not, which would only repeat the errno).
 */
static int agent_fail(struct cham_agent *agent, int err, const char *what_fmt,
		      ...)
{
	const char *why = cham_agent_last_error(agent);
	va_list ap;

	if (!why[0] || !strcmp(why, strerror(-err)))
		why = NULL;
	va_start(ap, what_fmt);
	vfail_errno(err, why, what_fmt, ap);
	va_end(ap);
	cham_agent_close(agent);
	return EXIT_FAIL;
}

/* ---- agent msg --------------------------------------------------------- */

static int agent_msg(const struct chamctl_cmd *cmd, int argc, char **argv)
{
	struct payload data = {};
	struct tenant_ref ref = {};
	bool have_flow = false, have_data = false;
	uint64_t type, flow = 0;
	struct cham_agent *agent;
	const char *value;
	int32_t result;
	int i, err;

	if (argc < 1)
		usage_error(cmd, "missing the TENANT");
	if (argc < 2)
		usage_error(cmd, "missing the message TYPE");
	parse_tenant_ref(cmd, argv[0], &ref);
	if (!parse_uint(argv[1], UINT32_MAX, &type))
		usage_error(cmd, "TYPE must be a number from 0 to %u, not '%s'",
			    UINT32_MAX, argv[1]);
	for (i = 2; i < argc;) {
		const char *keyword = argv[i];

		if (!strcmp(keyword, "flow")) {
			value = keyword_value(cmd, argc, argv, &i);
			if (have_flow)
				usage_error(cmd, "'flow' is given twice");
			if (!parse_uint(value, UINT32_MAX, &flow))
				usage_error(cmd, "flow must be a number from 0 to %u, not '%s'",
					    UINT32_MAX, value);
			have_flow = true;
		} else if (!strcmp(keyword, "data") || !strcmp(keyword, "str")) {
			value = keyword_value(cmd, argc, argv, &i);
			if (have_data)
				usage_error(cmd, "the message has one 'data' or 'str'");
			if (keyword[0] == 's') {
				data.data = (uint8_t *)strdup(value);
				data.len = strlen(value);
				if (!data.data)
					return fail("out of memory");
			} else if (!parse_hex(value, &data)) {
				usage_error(cmd, "data must be pairs of hex digits (0a1b2c, or 0a:1b:2c), not '%s'",
					    value);
			}
			have_data = true;
		} else {
			usage_error(cmd, "unknown argument '%s'", keyword);
		}
	}
	if (data.len > CHAM_AGENT_MSG_MAX) {
		free(data.data);
		usage_error(cmd, "the message's data is %zu bytes; a message carries at most %d",
			    data.len, CHAM_AGENT_MSG_MAX);
	}

	agent = agent_open(argv[0]);
	if (!agent) {
		free(data.data);
		return EXIT_FAIL;
	}
	/* A flow of 0 is no flow: the kernel reads a missing one as 0. */
	err = cham_agent_msg(agent, type, flow, data.data, data.len, &result);
	free(data.data);
	if (err)
		return agent_fail(agent, err, "sending message type %llu to tenant %s",
				  (unsigned long long)type, argv[0]);
	cham_agent_close(agent);
	if (opt_json) {
		json_object_begin(NULL);
		json_int("result", result);
		json_object_end();
	} else {
		printf("result %d\n", result);
	}
	return 0;
}

/* ---- agent inject ------------------------------------------------------ */

/* IFNAME or IFINDEX; the kernel checks that it is one of the tenant's ports. */
static int parse_port(const struct chamctl_cmd *cmd, const char *arg,
		      uint32_t *ifindex)
{
	uint64_t index;

	if (is_all_digits(arg)) {
		if (!parse_uint(arg, UINT32_MAX, &index) || !index)
			usage_error(cmd, "'%s' is no interface index", arg);
		*ifindex = index;
		return 0;
	}
	if (strlen(arg) >= IF_NAMESIZE)
		usage_error(cmd, "'%s' is longer than an interface name can be",
			    arg);
	*ifindex = if_nametoindex(arg);
	if (!*ifindex) {
		if (errno == ENODEV)
			return fail("no interface %s", arg);
		return fail_errno(errno, "looking up interface %s", arg);
	}
	return 0;
}

static int agent_inject(const struct chamctl_cmd *cmd, int argc, char **argv)
{
	const char *port = NULL, *guest = NULL, *file = NULL, *hex = NULL;
	const struct keyword_slot slots[] = {
		{ "port", &port },
		{ "guest", &guest },
		{ "file", &file },
		{ "hex", &hex },
	};
	struct payload frame = {};
	struct tenant_ref ref = {};
	uint32_t ifindex = 0, guest_id = 0;
	struct cham_agent *agent;
	int err;

	if (argc < 1)
		usage_error(cmd, "missing the TENANT");
	parse_tenant_ref(cmd, argv[0], &ref);
	parse_keyword_slots(cmd, argc, argv, 1, slots, ARRAY_SIZE(slots));
	if (!port == !guest)
		usage_error(cmd, "give one target: 'port DEV' or 'guest GUEST'");
	if (!file == !hex)
		usage_error(cmd, "give the frame once: 'file PATH' or 'hex HEX'");

	if (hex) {
		if (!parse_hex(hex, &frame))
			usage_error(cmd, "the frame must be pairs of hex digits (0a1b2c, or 0a:1b:2c), not '%s'",
				    hex);
		if (frame.len > ATTR_PAYLOAD_MAX) {
			free(frame.data);
			usage_error(cmd, "the frame is %zu bytes, longer than a frame can be (%d)",
				    frame.len, ATTR_PAYLOAD_MAX);
		}
	} else if (read_file(cmd, file, ATTR_PAYLOAD_MAX, &frame)) {
		free(frame.data);
		return EXIT_FAIL;
	}
	/* Shorter than an Ethernet header: the kernel would say the same. */
	if (frame.len < CHAM_AGENT_FRAME_MIN) {
		free(frame.data);
		usage_error(cmd, "the frame is %zu bytes; a frame has at least %d (an Ethernet header)",
			    frame.len, CHAM_AGENT_FRAME_MIN);
	}

	if (port && parse_port(cmd, port, &ifindex)) {
		free(frame.data);
		return EXIT_FAIL;
	}
	/* A guest's name is chamctl's to resolve, on its own socket. */
	if (guest && nl_open()) {
		free(frame.data);
		return EXIT_FAIL;
	}
	if (guest) {
		err = guest_ref_id(cmd, guest, &guest_id);
		if (err) {
			free(frame.data);
			return nl_fail(err, "looking up guest %s", guest);
		}
	}
	agent = agent_open(argv[0]);
	if (!agent) {
		free(frame.data);
		return EXIT_FAIL;
	}
	if (port)
		err = cham_agent_inject_port(agent, ifindex, frame.data, frame.len);
	else
		err = cham_agent_inject_guest(agent, guest_id, frame.data,
					      frame.len);
	free(frame.data);
	if (err)
		return agent_fail(agent, err,
				  "injecting a frame through tenant %s to %s %s",
				  argv[0], port ? "port" : "guest",
				  port ? port : guest);
	cham_agent_close(agent);
	return 0;
}

static const struct chamctl_cmd agent_cmds[] = {
	{
		.name = "msg",
		.usage = "agent msg TENANT TYPE [flow FLOW] [data HEX | str STRING]",
		.summary = "send a message to the tenant's slowpath_msg handler and print its result",
		.details =
"  TENANT   the tenant's name or id\n"
"  TYPE     the message's type, 0-4294967295, as the tenant's protocol\n"
"           numbers its messages\n"
"  flow     a flow id the message is about (0-4294967295; none if not given)\n"
"  data     the message's bytes in hex (0a1b2c, or 0a:1b:2c)\n"
"  str      the message's bytes as a string (without a terminating NUL)\n"
"  At most " XSTR(CHAM_AGENT_MSG_MAX) " bytes of data. Prints 'result N', what the handler\n"
"  returned (JSON: {\"result\": N}). Refused if the tenant has no protocol\n"
"  (ENOENT) or its protocol no slowpath_msg handler (EOPNOTSUPP). Open to\n"
"  the tenant's owner and to CAP_NET_ADMIN; an agent need not be\n"
"  registered.\n",
		.run = agent_msg,
	}, {
		.name = "inject",
		.usage = "agent inject TENANT port DEV|guest GUEST file PATH|hex HEX",
		.summary = "send a frame out through the tenant, as its agent would",
		.details =
"  TENANT   the tenant's name or id\n"
"  port     the port to send it out of, by interface name or index: one of\n"
"           the tenant's ports (tenant set ... ports)\n"
"  guest    the guest to deliver it to, by name or id: one of the tenant's\n"
"  file     the frame, from Ethernet header to payload, as raw bytes in\n"
"           PATH (- for stdin)\n"
"  hex      the frame in hex (0a1b2c, or 0a:1b:2c)\n"
"  The kernel validates it as what the tenant's handlers send: it must\n"
"  parse, its source must be the tenant's, and it must fit the port's MTU.\n"
"  Counted in the tenant's 'injected' statistic. Open to the tenant's\n"
"  owner and to CAP_NET_ADMIN.\n",
		.run = agent_inject,
	},
};

const struct chamctl_object agent_object = {
	.name = "agent",
	.cmds = agent_cmds,
	.n_cmds = ARRAY_SIZE(agent_cmds),
};
