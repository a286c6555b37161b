// SPDX-License-Identifier: GPL-2.0
/*
 * guest_client: a closed-loop UDP client running as a Chamelio guest.
 *
 *   guest_client --guest NAME --src IP --dst IP --gw-mac MAC [--sport N]
 *                [--dport N] [--count N] [--inflight K] [--size BYTES]
 *                [--timeout-ms T] [--allow-loss] [--json] [--ifname IF]
 *
 * Sends COUNT requests from the guest's AF_XDP link (libchamguest), K at a
 * time: Ethernet from the guest's MAC to the gateway's, IPv4 or IPv6 (the
 * family of --src), UDP with valid checksums. Each payload starts with the
 * request's sequence number and a tag of this run, followed by a pattern
 * derived from the sequence number, so that a reply is matched to its
 * request and any corruption on the way is seen. Every reply is checked:
 * sent to our MAC, addresses and ports swapped, IPv4 header and UDP
 * checksums valid, payload as sent. A request unanswered after T ms is
 * lost (never retransmitted) and the next request takes its place; its
 * reply, if it comes later, counts as late, and so does an intact reply
 * to an earlier run on the same flow (another tag).
 *
 * Prints "sent=.. received=.. lost=.. bad=.. rps=.. p50_us=.. p99_us=.."
 * (then late= and ignored=), or the same keys as one JSON object.
 * Round-trip times are CLOCK_MONOTONIC, of answered requests only. Exit
 * status 0 iff every request was answered and no reply was bad (with
 * --allow-loss: no reply was bad).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chamguest.h"
#include "pkt.h"

#define BATCH		64
#define MAX_INFLIGHT	1024
/* Fits a 1500-byte MTU with the IPv6 header, and a 2048-byte frame. */
#define MAX_FRAME	(ETH_HLEN + 1500)
#define NSEC_PER_SEC	1000000000ULL
#define NSEC_PER_MSEC	1000000ULL

/* The start of every payload, big-endian; a pattern follows. */
struct req_hdr {
	uint64_t seq;
	uint64_t tag;
};

struct slot {
	uint64_t seq;
	uint64_t round;		/* requests this slot has sent */
	uint64_t sent_ns;	/* 0: nothing outstanding */
};

struct client {
	struct cham_guest *g;
	const char *name;
	int family;
	unsigned char src_ip[16], dst_ip[16];
	unsigned char mac[ETH_ALEN], gw_mac[ETH_ALEN];
	uint16_t sport, dport;
	unsigned long long count;
	unsigned int inflight;
	unsigned int size;	/* UDP payload bytes */
	uint64_t timeout_ns;
	bool json, allow_loss;
	uint64_t tag;

	unsigned char frame[MAX_FRAME];	/* the request being built */
	unsigned int frame_len;
	struct pkt_udp req;		/* its headers */
	struct slot slots[MAX_INFLIGHT];
	uint64_t *rtt_ns;		/* one per answered request */

	unsigned long long sent, received, lost, bad, late, ignored;
	unsigned long long tx_failed;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: guest_client --guest NAME --src IP --dst IP --gw-mac MAC [--sport N]\n"
		"                    [--dport N] [--count N] [--inflight K] [--size BYTES]\n"
		"                    [--timeout-ms T] [--allow-loss] [--json] [--ifname IF]\n"
		"\n"
		"Closed-loop UDP client on guest NAME's link: COUNT requests, K in flight,\n"
		"each reply checked (addresses, ports, checksums, payload).\n"
		"\n"
		"  --guest NAME      the guest (chamctl guest add)\n"
		"  --src IP          the guest's address (IPv4 or IPv6: sets the family)\n"
		"  --dst IP          the echo server, same family\n"
		"  --gw-mac MAC      Ethernet destination of the requests\n"
		"  --sport N         UDP source port (default 40000)\n"
		"  --dport N         UDP destination port (default 7)\n"
		"  --count N         requests (default 1000)\n"
		"  --inflight K      requests in flight, 1..%d (default 1)\n"
		"  --size BYTES      UDP payload, %zu..1452 (IPv6) or 1472 (IPv4) (default 64)\n"
		"  --timeout-ms T    a request unanswered after T ms is lost (default 1000)\n"
		"  --allow-loss      exit 0 despite lost requests (not bad replies)\n"
		"  --json            print one JSON object\n"
		"  --ifname IF       the guest's interface (default NAME)\n"
		"\n"
		"Prints sent= received= lost= bad= rps= p50_us= p99_us= late= ignored=.\n"
		"Exit status 0 iff received == count and bad == 0. Run it inside the\n"
		"guest's network namespace with nsenter --net=...; \"ip netns exec\"\n"
		"hides /sys/fs/bpf. Environment: CHAM_GUEST_PIN_ROOT.\n",
		MAX_INFLIGHT, sizeof(struct req_hdr));
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static uint64_t get_be64(const unsigned char *b)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

static void put_be64(unsigned char *b, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		b[i] = (unsigned char)v;
}

/* Differs per request, so a reply's payload cannot pass for another's. */
static unsigned char pattern_byte(uint64_t seq, unsigned int i)
{
	return (unsigned char)(seq * 131 + i * 7 + (i >> 8));
}

/* ---- requests ---------------------------------------------------------- */

static unsigned int l3_hlen(const struct client *c)
{
	return c->family == AF_INET ? sizeof(struct iphdr) :
				      sizeof(struct ipv6hdr);
}

/* Everything but the payload and the UDP checksum is the same each time. */
static void build_template(struct client *c)
{
	unsigned int udp_len = sizeof(struct udphdr) + c->size;
	struct ethhdr *eth = (struct ethhdr *)c->frame;
	unsigned char *l3 = c->frame + ETH_HLEN;
	struct pkt_udp *p = &c->req;

	p->eth = eth;
	p->family = c->family;
	memcpy(eth->h_dest, c->gw_mac, ETH_ALEN);
	memcpy(eth->h_source, c->mac, ETH_ALEN);
	if (c->family == AF_INET) {
		p->ip4 = (struct iphdr *)l3;
		p->ip4->version = 4;
		p->ip4->ihl = 5;
		p->ip4->tot_len = htons(sizeof(struct iphdr) + udp_len);
		p->ip4->frag_off = htons(PKT_IP4_DF);
		p->ip4->ttl = 64;
		p->ip4->protocol = IPPROTO_UDP;
		memcpy(&p->ip4->saddr, c->src_ip, 4);
		memcpy(&p->ip4->daddr, c->dst_ip, 4);
		pkt_set_ip4_csum(p);
		eth->h_proto = htons(ETH_P_IP);
	} else {
		p->ip6 = (struct ipv6hdr *)l3;
		p->ip6->version = 6;
		p->ip6->payload_len = htons(udp_len);
		p->ip6->nexthdr = IPPROTO_UDP;
		p->ip6->hop_limit = 64;
		memcpy(&p->ip6->saddr, c->src_ip, 16);
		memcpy(&p->ip6->daddr, c->dst_ip, 16);
		eth->h_proto = htons(ETH_P_IPV6);
	}
	p->udp = (struct udphdr *)(l3 + l3_hlen(c));
	p->udp->source = htons(c->sport);
	p->udp->dest = htons(c->dport);
	p->udp->len = htons(udp_len);
	p->udp_len = udp_len;
	p->payload = (unsigned char *)(p->udp + 1);
	p->payload_len = c->size;
	c->frame_len = ETH_HLEN + l3_hlen(c) + udp_len;
}

static void send_request(struct client *c, struct slot *slot, uint64_t now)
{
	unsigned char *payload = c->req.payload;
	unsigned int i;
	int ret;

	/*
	 * A slot's sequence numbers are congruent to its index modulo the
	 * window, so that a reply finds its slot by division.
	 */
	slot->seq = slot->round++ * c->inflight + (uint64_t)(slot - c->slots);
	slot->sent_ns = now;
	c->sent++;

	put_be64(payload, slot->seq);
	put_be64(payload + 8, c->tag);
	for (i = sizeof(struct req_hdr); i < c->size; i++)
		payload[i] = pattern_byte(slot->seq, i);
	pkt_set_udp_csum(&c->req);

	ret = cham_guest_send(c->g, c->frame, c->frame_len);
	if (ret == -EAGAIN) {
		cham_guest_flush(c->g);
		ret = cham_guest_send(c->g, c->frame, c->frame_len);
	}
	/* An unsent request times out like a lost one. */
	if (ret)
		c->tx_failed++;
}

/* Sends the next request from a free slot, if any are left to send. */
static void refill(struct client *c, struct slot *slot, uint64_t now)
{
	slot->sent_ns = 0;
	if (c->sent < c->count && !stop)
		send_request(c, slot, now);
}

/* ---- replies ----------------------------------------------------------- */

/* Ours: carries our tag, or comes back on our flow. Anything else is not. */
static bool is_ours(const struct client *c, const struct pkt_udp *p)
{
	unsigned int alen = c->family == AF_INET ? 4 : 16;
	const void *saddr;

	if (p->family != c->family)
		return false;
	if (p->payload_len >= sizeof(struct req_hdr) &&
	    get_be64(p->payload + 8) == c->tag)
		return true;
	saddr = c->family == AF_INET ? (const void *)&p->ip4->saddr :
				       (const void *)&p->ip6->saddr;
	return !memcmp(saddr, c->dst_ip, alen) &&
	       p->udp->source == htons(c->dport);
}

enum reply_kind {
	REPLY_OK,
	REPLY_STALE,	/* well formed, on our flow, from another run */
	REPLY_BAD,
};

/*
 * Everything a correct reply must be, but its sequence number. A reply
 * that is intact (checksums valid, addresses and ports ours) but carries
 * another run's tag was answered to an earlier client on the same flow
 * after it gave up: late, not wrong.
 */
static enum reply_kind reply_check(const struct client *c,
				   const struct pkt_udp *p)
{
	unsigned int alen = c->family == AF_INET ? 4 : 16, i;
	const unsigned char *saddr, *daddr;
	uint64_t seq;

	saddr = c->family == AF_INET ? (const unsigned char *)&p->ip4->saddr :
				       (const unsigned char *)&p->ip6->saddr;
	daddr = saddr + alen;
	if (memcmp(p->eth->h_dest, c->mac, ETH_ALEN) ||
	    memcmp(saddr, c->dst_ip, alen) || memcmp(daddr, c->src_ip, alen) ||
	    p->udp->source != htons(c->dport) ||
	    p->udp->dest != htons(c->sport) ||
	    !pkt_ip4_csum_ok(p) || !pkt_udp_csum_ok(p) ||
	    p->payload_len < sizeof(struct req_hdr))
		return REPLY_BAD;
	if (get_be64(p->payload + 8) != c->tag)
		return REPLY_STALE;
	if (p->payload_len != c->size)
		return REPLY_BAD;
	seq = get_be64(p->payload);
	for (i = sizeof(struct req_hdr); i < c->size; i++)
		if (p->payload[i] != pattern_byte(seq, i))
			return REPLY_BAD;
	return REPLY_OK;
}

static void handle_frame(struct client *c, struct cham_frame *f, uint64_t now)
{
	struct pkt_udp p;
	struct slot *slot;
	uint64_t seq;

	if (pkt_parse_udp(f->data, f->len, &p) || !is_ours(c, &p)) {
		c->ignored++;
		return;
	}
	switch (reply_check(c, &p)) {
	case REPLY_OK:
		break;
	case REPLY_STALE:
		c->late++;
		return;
	case REPLY_BAD:
		c->bad++;
		return;
	}
	seq = get_be64(p.payload);
	slot = &c->slots[seq % c->inflight];
	if (!slot->sent_ns || slot->seq != seq) {
		/* Answered after its timeout, or twice. */
		c->late++;
		return;
	}
	c->rtt_ns[c->received++] = now - slot->sent_ns;
	refill(c, slot, now);
}

static void receive(struct client *c)
{
	struct cham_frame frames[BATCH];
	uint64_t now;
	int n, i;

	n = cham_guest_recv(c->g, frames, BATCH);
	now = now_ns();
	for (i = 0; i < n; i++)
		handle_frame(c, &frames[i], now);
	cham_guest_release(c->g, frames, n);
}

/* Replaces the requests that timed out; returns the next deadline, or 0. */
static uint64_t expire(struct client *c, uint64_t now)
{
	uint64_t next = 0, due;
	unsigned int i;

	for (i = 0; i < c->inflight; i++) {
		struct slot *slot = &c->slots[i];

		if (!slot->sent_ns)
			continue;
		if (now - slot->sent_ns >= c->timeout_ns) {
			c->lost++;
			refill(c, slot, now);
			if (!slot->sent_ns)
				continue;
		}
		due = slot->sent_ns + c->timeout_ns;
		if (!next || due < next)
			next = due;
	}
	return next;
}

static int run(struct client *c)
{
	uint64_t now, next, wait_ms;
	unsigned int i;
	int ret;

	now = now_ns();
	for (i = 0; i < c->inflight && c->sent < c->count; i++)
		send_request(c, &c->slots[i], now);
	for (;;) {
		ret = cham_guest_flush(c->g);
		if (ret && ret != -EAGAIN) {
			fprintf(stderr, "guest_client: transmit: %s\n",
				strerror(-ret));
			return -1;
		}
		now = now_ns();
		next = expire(c, now);
		if (!next || stop)
			return 0;
		/* Round up: waking early would only spin. */
		wait_ms = next > now ? (next - now + NSEC_PER_MSEC - 1) /
				       NSEC_PER_MSEC : 0;
		ret = cham_guest_poll(c->g, (int)(wait_ms > 1000 ? 1000 : wait_ms));
		if (ret < 0 && ret != -EINTR) {
			fprintf(stderr, "guest_client: guest %s: %s\n", c->name,
				strerror(-ret));
			return -1;
		}
		if (ret > 0)
			receive(c);
	}
}

/* ---- results ----------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile in microseconds; 0 without samples. */
static double percentile(const struct client *c, double p)
{
	unsigned long long rank;

	if (!c->received)
		return 0;
	rank = (unsigned long long)(p / 100.0 * c->received + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > c->received)
		rank = c->received;
	return c->rtt_ns[rank - 1] / 1000.0;
}

static void report(struct client *c, uint64_t elapsed_ns)
{
	double s = elapsed_ns ? (double)elapsed_ns / NSEC_PER_SEC : 0;
	double rps = s > 0 ? c->received / s : 0;
	const char *fmt;

	qsort(c->rtt_ns, c->received, sizeof(*c->rtt_ns), cmp_u64);
	if (c->json)
		fmt = "{\"sent\":%llu,\"received\":%llu,\"lost\":%llu,\"bad\":%llu,"
		      "\"rps\":%.1f,\"p50_us\":%.1f,\"p99_us\":%.1f,"
		      "\"late\":%llu,\"ignored\":%llu}\n";
	else
		fmt = "sent=%llu received=%llu lost=%llu bad=%llu rps=%.1f "
		      "p50_us=%.1f p99_us=%.1f late=%llu ignored=%llu\n";
	printf(fmt, c->sent, c->received, c->lost, c->bad, rps,
	       percentile(c, 50), percentile(c, 99), c->late, c->ignored);
	if (c->tx_failed)
		fprintf(stderr, "guest_client: %llu requests could not be queued for sending\n",
			c->tx_failed);
	fflush(stdout);
}

/* ---- options ----------------------------------------------------------- */

static int parse_num(const char *what, const char *arg,
		     unsigned long long min, unsigned long long max,
		     unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(arg, &end, 10);
	if (errno || end == arg || *end || *arg == '-' || *v < min || *v > max) {
		fprintf(stderr, "guest_client: bad %s '%s' (%llu..%llu)\n", what,
			arg, min, max);
		return -1;
	}
	return 0;
}

static int parse_ip(const char *what, const char *arg, int *family,
		    unsigned char *addr)
{
	if (inet_pton(AF_INET, arg, addr) == 1)
		*family = AF_INET;
	else if (inet_pton(AF_INET6, arg, addr) == 1)
		*family = AF_INET6;
	else {
		fprintf(stderr, "guest_client: bad %s address '%s'\n", what, arg);
		return -1;
	}
	return 0;
}

enum { OPT_SRC = 256, OPT_DST, OPT_GW_MAC, OPT_SPORT, OPT_DPORT, OPT_COUNT,
	OPT_INFLIGHT, OPT_SIZE, OPT_TIMEOUT, OPT_JSON, OPT_ALLOW_LOSS,
	OPT_GUEST, OPT_IFNAME, OPT_HELP };

static const struct option longopts[] = {
	{ "guest", required_argument, NULL, OPT_GUEST },
	{ "ifname", required_argument, NULL, OPT_IFNAME },
	{ "src", required_argument, NULL, OPT_SRC },
	{ "dst", required_argument, NULL, OPT_DST },
	{ "gw-mac", required_argument, NULL, OPT_GW_MAC },
	{ "sport", required_argument, NULL, OPT_SPORT },
	{ "dport", required_argument, NULL, OPT_DPORT },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "inflight", required_argument, NULL, OPT_INFLIGHT },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "timeout-ms", required_argument, NULL, OPT_TIMEOUT },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "allow-loss", no_argument, NULL, OPT_ALLOW_LOSS },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

struct args {
	const char *src, *dst, *gw_mac, *size;
	unsigned long long v;
};

static int parse_opt(struct client *c, struct cham_guest_opts *opts,
		     struct args *a, int opt)
{
	switch (opt) {
	case OPT_GUEST:
		c->name = optarg;
		return 0;
	case OPT_IFNAME:
		opts->ifname = optarg;
		return 0;
	case OPT_SRC:
		a->src = optarg;
		return 0;
	case OPT_DST:
		a->dst = optarg;
		return 0;
	case OPT_GW_MAC:
		a->gw_mac = optarg;
		return 0;
	case OPT_SIZE:
		a->size = optarg;
		return 0;
	case OPT_JSON:
		c->json = true;
		return 0;
	case OPT_ALLOW_LOSS:
		c->allow_loss = true;
		return 0;
	case OPT_SPORT:
		if (parse_num("port", optarg, 1, 65535, &a->v))
			return -1;
		c->sport = (uint16_t)a->v;
		return 0;
	case OPT_DPORT:
		if (parse_num("port", optarg, 1, 65535, &a->v))
			return -1;
		c->dport = (uint16_t)a->v;
		return 0;
	case OPT_COUNT:
		if (parse_num("count", optarg, 1, 100000000, &a->v))
			return -1;
		c->count = a->v;
		return 0;
	case OPT_INFLIGHT:
		if (parse_num("inflight", optarg, 1, MAX_INFLIGHT, &a->v))
			return -1;
		c->inflight = (unsigned int)a->v;
		return 0;
	case OPT_TIMEOUT:
		if (parse_num("timeout", optarg, 1, 3600000, &a->v))
			return -1;
		c->timeout_ns = a->v * NSEC_PER_MSEC;
		return 0;
	case OPT_HELP:
		usage(stdout);
		exit(0);
	default:
		usage(stderr);
		return -1;
	}
}

/* The options that depend on each other, once all are known. */
static int check_args(struct client *c, struct args *a)
{
	int dst_family;

	if (!c->name || !a->src || !a->dst || !a->gw_mac) {
		fprintf(stderr, "guest_client: --guest, --src, --dst and --gw-mac are required\n");
		return -1;
	}
	if (parse_ip("source", a->src, &c->family, c->src_ip) ||
	    parse_ip("destination", a->dst, &dst_family, c->dst_ip))
		return -1;
	if (dst_family != c->family) {
		fprintf(stderr, "guest_client: --src and --dst are of different families\n");
		return -1;
	}
	if (parse_mac(a->gw_mac, c->gw_mac)) {
		fprintf(stderr, "guest_client: bad MAC address '%s'\n", a->gw_mac);
		return -1;
	}
	if (a->size) {
		/* The largest payload that fits a 1500-byte MTU unfragmented. */
		if (parse_num("size", a->size, sizeof(struct req_hdr),
			      1500 - l3_hlen(c) - sizeof(struct udphdr), &a->v))
			return -1;
		c->size = (unsigned int)a->v;
	}
	if (c->inflight > c->count)
		c->inflight = (unsigned int)c->count;
	return 0;
}

static int parse_args(int argc, char **argv, struct client *c,
		      struct cham_guest_opts *opts)
{
	struct args a = { 0 };
	int opt;

	c->sport = 40000;
	c->dport = 7;
	c->count = 1000;
	c->inflight = 1;
	c->size = 64;
	c->timeout_ns = 1000 * NSEC_PER_MSEC;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		if (parse_opt(c, opts, &a, opt))
			return -1;
	if (optind != argc) {
		usage(stderr);
		return -1;
	}
	return check_args(c, &a);
}

static int install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	/* No SA_RESTART: a signal must end the poll() at once. */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL)) {
		perror("guest_client: sigaction");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct cham_guest_opts opts = { 0 };
	static struct client c;
	uint64_t start;
	char err[256];
	int ret;

	if (parse_args(argc, argv, &c, &opts))
		return 2;
	c.rtt_ns = calloc(c.count, sizeof(*c.rtt_ns));
	if (!c.rtt_ns || install_signals()) {
		perror("guest_client");
		return 1;
	}
	c.g = cham_guest_attach(c.name, &opts, err, sizeof(err));
	if (!c.g) {
		fprintf(stderr, "guest_client: %s\n", err);
		return 1;
	}
	cham_guest_mac(c.g, c.mac);
	start = now_ns();
	/* Tells this run's replies from a previous run's late ones. */
	c.tag = start ^ ((uint64_t)getpid() << 32);
	build_template(&c);

	ret = run(&c);
	report(&c, now_ns() - start);
	cham_guest_detach(c.g);
	free(c.rtt_ns);
	if (ret)
		return 1;
	if (c.bad || (!c.allow_loss && c.received != c.count))
		return 1;
	return 0;
}
