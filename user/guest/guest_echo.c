// SPDX-License-Identifier: GPL-2.0
/*
 * guest_echo: a Chamelio guest that echoes UDP.
 *
 *   guest_echo --guest NAME [--ifname IF] [--count N] [--quiet]
 *
 * Attaches to guest NAME's AF_XDP link (libchamguest) and sends every
 * IPv4/IPv6 UDP frame it receives back to where it came from: IP addresses
 * and UDP ports swapped, which keeps both checksums valid, and sent from
 * the guest's own MAC to the request's source MAC (the module takes
 * nothing else from a guest). A
 * frame whose IPv4 header or UDP checksum is wrong is counted and not
 * echoed, so a corrupted path shows up in the counters rather than as
 * echoes that look fine; any other frame is counted as ignored.
 *
 * On SIGINT or SIGTERM, or after N echoes, prints one line of counters and
 * exits 0. Run it in the guest's network namespace with
 * "nsenter --net=/run/netns/NS" ("ip netns exec" hides /sys/fs/bpf).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chamguest.h"
#include "pkt.h"

#define BATCH		64
#define POLL_MS		100

struct echo_stats {
	unsigned long long echoed, ignored, bad_csum, tx_failed;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: guest_echo --guest NAME [--ifname IF] [--count N] [--quiet]\n"
		"\n"
		"Echo every UDP frame guest NAME receives (IP addresses and ports swapped,\n"
		"from the guest's MAC to the sender's); frames with a bad checksum are\n"
		"counted, not echoed. Stops on SIGINT/SIGTERM or after N echoes and\n"
		"prints its counters.\n"
		"\n"
		"  --guest NAME   the guest (chamctl guest add)\n"
		"  --ifname IF    its interface in this network namespace (default NAME)\n"
		"  --count N      exit after N echoes (default: run until a signal)\n"
		"  --quiet        no start-up message on stderr\n"
		"\n"
		"Run it inside the guest's network namespace with nsenter --net=...;\n"
		"\"ip netns exec\" hides /sys/fs/bpf. Environment: CHAM_GUEST_PIN_ROOT.\n");
}

static int install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	/* No SA_RESTART: a signal must end the poll() at once. */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL)) {
		perror("guest_echo: sigaction");
		return -1;
	}
	return 0;
}

/* Echoes one frame in place (the caller releases it afterwards). */
static int echo_frame(struct cham_guest *g, const unsigned char *mac,
		      struct cham_frame *f, struct echo_stats *st)
{
	struct pkt_udp p;
	int ret;

	if (pkt_parse_udp(f->data, f->len, &p)) {
		st->ignored++;
		return 0;
	}
	if (!pkt_ip4_csum_ok(&p) || !pkt_udp_csum_ok(&p)) {
		st->bad_csum++;
		return 0;
	}
	pkt_make_reply(&p, mac);
	ret = cham_guest_send(g, f->data, f->len);
	if (ret == -EAGAIN) {
		/* All send frames queued: push them out, then retry once. */
		cham_guest_flush(g);
		ret = cham_guest_send(g, f->data, f->len);
	}
	if (ret) {
		st->tx_failed++;
		return ret == -EAGAIN ? 0 : ret;
	}
	st->echoed++;
	return 0;
}

/* Receives and echoes one batch: 0 or -errno. */
static int echo_batch(struct cham_guest *g, const unsigned char *mac,
		      unsigned long long count, struct echo_stats *st)
{
	struct cham_frame frames[BATCH];
	int n, i, ret = 0;

	n = cham_guest_recv(g, frames, BATCH);
	for (i = 0; i < n && !ret; i++) {
		if (count && st->echoed >= count)
			break;
		ret = echo_frame(g, mac, &frames[i], st);
	}
	cham_guest_release(g, frames, n);
	if (ret) {
		fprintf(stderr, "guest_echo: send: %s\n", strerror(-ret));
		return ret;
	}
	ret = cham_guest_flush(g);
	/* -EAGAIN: the rest goes out with the next flush. */
	if (ret && ret != -EAGAIN) {
		fprintf(stderr, "guest_echo: transmit: %s\n", strerror(-ret));
		return ret;
	}
	return 0;
}

static void print_stats(struct cham_guest *g, const struct echo_stats *st)
{
	struct cham_guest_counters c;

	if (cham_guest_counters(g, &c))
		memset(&c, 0, sizeof(c));
	printf("echoed=%llu ignored=%llu bad_csum=%llu tx_failed=%llu "
	       "rx_frames=%llu rx_ring_full=%llu fill_ring_empty=%llu "
	       "rx_dropped=%llu rx_invalid_descs=%llu tx_invalid_descs=%llu "
	       "tx_again=%llu\n",
	       st->echoed, st->ignored, st->bad_csum, st->tx_failed,
	       c.rx_frames, c.rx_ring_full, c.fill_ring_empty, c.rx_dropped,
	       c.rx_invalid_descs, c.tx_invalid_descs, c.tx_again);
	fflush(stdout);
}

static int parse_args(int argc, char **argv, struct cham_guest_opts *opts,
		      const char **name, unsigned long long *count, int *quiet)
{
	static const struct option longopts[] = {
		{ "guest", required_argument, NULL, 'g' },
		{ "ifname", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'c' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char *end;
	int opt;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'g':
			*name = optarg;
			break;
		case 'i':
			opts->ifname = optarg;
			break;
		case 'c':
			errno = 0;
			*count = strtoull(optarg, &end, 10);
			if (errno || end == optarg || *end || *optarg == '-') {
				fprintf(stderr, "guest_echo: bad count '%s'\n", optarg);
				return 2;
			}
			break;
		case 'q':
			*quiet = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || !*name) {
		usage(stderr);
		return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct cham_guest_opts opts = { 0 };
	unsigned long long count = 0;
	struct echo_stats st = { 0 };
	unsigned char mac[ETH_ALEN];
	const char *name = NULL;
	struct cham_guest *g;
	int quiet = 0, ret, status = 0;
	char err[256];

	ret = parse_args(argc, argv, &opts, &name, &count, &quiet);
	if (ret)
		return ret;
	if (install_signals())
		return 1;
	g = cham_guest_attach(name, &opts, err, sizeof(err));
	if (!g) {
		fprintf(stderr, "guest_echo: %s\n", err);
		return 1;
	}
	/* Replies go out from the guest's own MAC. */
	cham_guest_mac(g, mac);
	if (!quiet) {
		fprintf(stderr,
			"guest_echo: guest %s attached (%s, %02x:%02x:%02x:%02x:%02x:%02x), echoing\n",
			name, opts.ifname ? opts.ifname : name, mac[0], mac[1],
			mac[2], mac[3], mac[4], mac[5]);
	}

	while (!stop && (!count || st.echoed < count)) {
		ret = cham_guest_poll(g, POLL_MS);
		if (ret == -EINTR)
			continue;
		if (ret < 0) {
			fprintf(stderr, "guest_echo: guest %s: %s\n", name,
				strerror(-ret));
			status = 1;
			break;
		}
		if (echo_batch(g, mac, count, &st)) {
			status = 1;
			break;
		}
	}
	print_stats(g, &st);
	cham_guest_detach(g);
	return status;
}
