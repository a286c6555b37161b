// SPDX-License-Identifier: GPL-2.0
/*
 * agent_probe: a test agent on libchamagent, for the slow-path tests.
 *
 *	agent_probe TENANT [--count-only | --echo | --stall] [--seconds N]
 *		[--json] [--rcvbuf BYTES] [--ready FILE]
 *	agent_probe TENANT --msg TYPE DATA [--flow F]
 *
 * The first form registers as TENANT's agent (on refusal: exit 3, the
 * errno's name first on stderr, e.g. "EBUSY: ..."), then
 *   --count-only (the default) reads and counts punts and events;
 *   --echo also answers each punted UDP frame with itself, addresses and
 *	ports swapped and checksums fixed, injected out of the port it came
 *	in on (or to the guest that sent it);
 *   --stall never reads: the socket fills, then the tenant's punt queue.
 * On SIGTERM or SIGINT, or after --seconds N, it prints one line
 *	punts=N events=N inject_ok=N inject_err=N enobufs=N
 *	last_event_type=T last_event_code=C last_event_data=HEX fragments=N
 * (the last three "none"/empty without events; fragments: punts of origin
 * CHAM_PUNT_FRAGMENT), or with --json the same as one JSON object, and
 * exits 0. --ready FILE creates FILE once registered.
 *
 * The second form sends one message to the protocol's slowpath_msg
 * handler without registering, and prints "result=N" (the handler's
 * return value); on failure the errno's name and the kernel's message on
 * stderr, exit 1. DATA is taken as text, or as hex after "hex:"; "" sends
 * none.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/chamelio.h>

#include "chamagent.h"

#define EXIT_REFUSED	3
/* Errors reported on stderr, so a flood of refusals does not bury the rest. */
#define ERRORS_SHOWN	5

enum probe_mode { MODE_COUNT, MODE_ECHO, MODE_STALL };

struct probe {
	enum probe_mode mode;
	unsigned long long punts, events, inject_ok, inject_err, fragments;
	bool have_event;
	uint32_t last_type, last_code;
	uint8_t last_data[CHAM_AGENT_EVENT_DATA_MAX];
	size_t last_len;
	unsigned int errors_shown;
	uint8_t frame[CHAM_AGENT_FRAME_MAX];
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

static const char *errno_name(int err)
{
	const char *name = strerrorname_np(err);

	return name ? name : "E?";
}

static void show_error(struct probe *p, const char *what, int err,
		       const char *why)
{
	if (p->errors_shown++ >= ERRORS_SHOWN)
		return;
	fprintf(stderr, "%s: %s: %s\n", errno_name(err), what, why);
}

static void on_punt(struct cham_agent *agent, const struct cham_agent_punt *punt,
		    void *user)
{
	struct probe *p = user;
	int err;

	p->punts++;
	if (punt->origin == CHAM_PUNT_FRAGMENT)
		p->fragments++;
	if (p->mode != MODE_ECHO)
		return;
	memcpy(p->frame, punt->frame, punt->len);
	if (cham_udp_swap(p->frame, punt->len)) {
		p->inject_err++;
		show_error(p, "echo", EINVAL, "the punted frame is no UDP datagram");
		return;
	}
	if (punt->guest_id)
		err = cham_agent_inject_guest(agent, punt->guest_id, p->frame,
					      punt->len);
	else
		err = cham_agent_inject_port(agent, punt->ifindex, p->frame,
					     punt->len);
	if (err) {
		p->inject_err++;
		show_error(p, "inject", -err, cham_agent_last_error(agent));
		return;
	}
	p->inject_ok++;
}

static void on_event(struct cham_agent *agent,
		     const struct cham_agent_notice *event, void *user)
{
	struct probe *p = user;

	p->events++;
	p->have_event = true;
	p->last_type = event->type;
	p->last_code = event->code;
	p->last_len = event->len < sizeof(p->last_data) ? event->len :
							  sizeof(p->last_data);
	if (p->last_len)
		memcpy(p->last_data, event->data, p->last_len);
}

static void print_hex(const uint8_t *data, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		printf("%02x", data[i]);
}

static void print_summary(const struct probe *p, uint64_t enobufs, bool json)
{
	if (json) {
		printf("{\"punts\":%llu,\"events\":%llu,\"inject_ok\":%llu,\"inject_err\":%llu,\"enobufs\":%llu,\"fragments\":%llu,",
		       p->punts, p->events, p->inject_ok, p->inject_err,
		       (unsigned long long)enobufs, p->fragments);
		if (p->have_event) {
			printf("\"last_event_type\":%u,\"last_event_code\":%u,\"last_event_data\":\"",
			       p->last_type, p->last_code);
			print_hex(p->last_data, p->last_len);
			printf("\"}\n");
		} else {
			printf("\"last_event_type\":null,\"last_event_code\":null,\"last_event_data\":null}\n");
		}
	} else {
		printf("punts=%llu events=%llu inject_ok=%llu inject_err=%llu enobufs=%llu",
		       p->punts, p->events, p->inject_ok, p->inject_err,
		       (unsigned long long)enobufs);
		if (p->have_event) {
			printf(" last_event_type=%u last_event_code=%u last_event_data=",
			       p->last_type, p->last_code);
			print_hex(p->last_data, p->last_len);
		} else {
			printf(" last_event_type=none last_event_code=none last_event_data=");
		}
		printf(" fragments=%llu\n", p->fragments);
	}
	fflush(stdout);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int send_msg(const char *tenant, const char *type_arg,
		    const char *data_arg, uint32_t flow)
{
	struct cham_agent_opts opts = { .no_register = 1 };
	static uint8_t data[CHAM_AGENT_MSG_MAX + 1];
	size_t len = 0, i, n;
	struct cham_agent *agent;
	char err[512], *end;
	int32_t result;
	uint32_t type;
	int ret;

	type = (uint32_t)strtoul(type_arg, &end, 0);
	if (*end || !*type_arg) {
		fprintf(stderr, "agent_probe: bad message type '%s'\n", type_arg);
		return 2;
	}
	if (!strncmp(data_arg, "hex:", 4)) {
		data_arg += 4;
		n = strlen(data_arg);
		if (n % 2 || n / 2 > sizeof(data)) {
			fprintf(stderr, "agent_probe: bad hex data\n");
			return 2;
		}
		for (i = 0; i < n; i += 2) {
			if (hex_digit(data_arg[i]) < 0 || hex_digit(data_arg[i + 1]) < 0) {
				fprintf(stderr, "agent_probe: bad hex data\n");
				return 2;
			}
			data[len++] = (uint8_t)(hex_digit(data_arg[i]) << 4 |
						hex_digit(data_arg[i + 1]));
		}
	} else {
		/* One byte more than allowed is let through: the kernel refuses it. */
		len = strlen(data_arg);
		if (len > sizeof(data))
			len = sizeof(data);
		memcpy(data, data_arg, len);
	}
	agent = cham_agent_open(tenant, &opts, err, sizeof(err));
	if (!agent) {
		fprintf(stderr, "%s: %s\n", errno_name(errno), err);
		return 1;
	}
	ret = cham_agent_msg(agent, type, flow, data, len, &result);
	if (ret) {
		fprintf(stderr, "%s: %s\n", errno_name(-ret),
			cham_agent_last_error(agent));
		cham_agent_close(agent);
		return 1;
	}
	printf("result=%d\n", result);
	cham_agent_close(agent);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: agent_probe TENANT [--count-only | --echo | --stall] [--seconds N]\n"
		"                   [--json] [--rcvbuf BYTES] [--ready FILE]\n"
		"       agent_probe TENANT --msg TYPE DATA [--flow F]\n");
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	static const struct cham_agent_handlers handlers = {
		.punt = on_punt,
		.event = on_event,
	};
	struct sigaction sa = { .sa_handler = on_signal };
	const char *tenant = NULL, *msg_type = NULL, *msg_data = NULL;
	const char *ready = NULL;
	struct cham_agent_opts opts = { 0 };
	static struct probe p;
	struct cham_agent *agent;
	int64_t deadline = -1, left;
	bool json = false;
	uint32_t flow = 0;
	struct pollfd pfd;
	char err[512];
	int i, ret, fd;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--count-only")) {
			p.mode = MODE_COUNT;
		} else if (!strcmp(a, "--echo")) {
			p.mode = MODE_ECHO;
		} else if (!strcmp(a, "--stall")) {
			p.mode = MODE_STALL;
		} else if (!strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(a, "--seconds") && i + 1 < argc) {
			deadline = now_ms() + (int64_t)(atof(argv[++i]) * 1000);
		} else if (!strcmp(a, "--rcvbuf") && i + 1 < argc) {
			opts.rcvbuf = atoi(argv[++i]);
		} else if (!strcmp(a, "--ready") && i + 1 < argc) {
			ready = argv[++i];
		} else if (!strcmp(a, "--flow") && i + 1 < argc) {
			flow = (uint32_t)strtoul(argv[++i], NULL, 0);
		} else if (!strcmp(a, "--msg") && i + 2 < argc) {
			msg_type = argv[++i];
			msg_data = argv[++i];
		} else if (a[0] != '-' && !tenant) {
			tenant = a;
		} else {
			usage();
			return 2;
		}
	}
	if (!tenant) {
		usage();
		return 2;
	}
	if (msg_type)
		return send_msg(tenant, msg_type, msg_data, flow);

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	agent = cham_agent_open(tenant, &opts, err, sizeof(err));
	if (!agent) {
		fprintf(stderr, "%s: %s\n", errno_name(errno), err);
		return EXIT_REFUSED;
	}
	if (ready) {
		fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd >= 0)
			close(fd);
	}
	pfd.fd = cham_agent_fd(agent);
	pfd.events = p.mode == MODE_STALL ? 0 : POLLIN;
	while (!stop) {
		if (p.mode != MODE_STALL) {
			ret = cham_agent_dispatch(agent, &handlers, &p);
			if (ret < 0) {
				fprintf(stderr, "%s: receiving\n", errno_name(-ret));
				break;
			}
		}
		left = deadline < 0 ? 1000 : deadline - now_ms();
		if (left <= 0)
			break;
		if (poll(&pfd, 1, (int)(left > 1000 ? 1000 : left)) < 0 &&
		    errno != EINTR)
			break;
	}
	print_summary(&p, cham_agent_overruns(agent), json);
	cham_agent_close(agent);
	return 0;
}
