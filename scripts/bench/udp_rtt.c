// SPDX-License-Identifier: GPL-2.0
/*
 * udp_rtt: a closed-loop UDP latency client for the isolation and guest
 * benchmarks (scripts/bench/isolation-vm.sh, scripts/bench/guest-vm.sh).
 *
 *   udp_rtt [-c CPU] [-w INFLIGHT] [-t SECONDS] [-W WARMUP] [-s SIZE]
 *           [-T TIMEOUT_MS] [-p LOCAL_PORT] HOST PORT
 *   udp_rtt -e [-c CPU] HOST PORT
 *
 * Keeps INFLIGHT requests outstanding on one connected kernel UDP socket
 * against an echo server and sends the next request as soon as a reply
 * arrives, for WARMUP + SECONDS seconds; only the last SECONDS count. Each
 * request carries its sequence number and a tag of this run, so a reply is
 * matched to the request it answers and stale replies are ignored. A
 * request unanswered after TIMEOUT_MS is counted lost and replaced with a
 * new one; its reply, if it ever comes, counts as late.
 *
 * Prints one JSON object: requests sent, replies received, requests lost,
 * throughput (replies per second) and round-trip time percentiles in
 * microseconds (CLOCK_MONOTONIC). A lost request enters the percentiles with
 * the timeout as its round-trip time: a lower bound of its latency, and a
 * loss must not make the tail look better than a slow reply would. It also
 * reports the CPU time the client itself used during the measured seconds
 * (getrusage: user, system, and busy = both over elapsed), so that a reader
 * can tell whether the client was the bottleneck. System time includes the
 * softirq work the kernel happens to do in the client's context (on veth,
 * the receiving side's NAPI runs on the sender's CPU).
 *
 * -p binds the socket to LOCAL_PORT: a server that serves one peer only
 * (socat UDP4-LISTEN connects to the first sender) then serves every run.
 *
 * -e is the other end: an echo server on the kernel's UDP sockets, bound to
 * HOST PORT, that sends every datagram back to its sender, in batches
 * (recvmmsg, sendmmsg), until killed. A reference for what a tight server on
 * kernel sockets costs, next to a general-purpose one like socat.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/socket.h>

#define MAX_INFLIGHT	1024
#define MAX_SIZE	1472
#define NSEC_PER_SEC	1000000000ULL
#define NSEC_PER_MSEC	1000000ULL
#define ECHO_BATCH	64

/* The start of every request; the echo sends it back unchanged. */
struct rtt_msg {
	uint64_t seq;
	uint64_t tag;
};

struct slot {
	uint64_t seq;
	uint64_t round;		/* requests this slot has sent */
	uint64_t sent;		/* ns; 0: nothing outstanding */
	bool measured;		/* sent after the warm-up */
};

struct samples {
	uint64_t *ns;
	size_t count, cap;
};

struct run {
	int fd;
	unsigned int inflight;
	size_t size;
	uint64_t timeout;	/* ns */
	uint64_t measure_from;	/* ns: end of the warm-up */
	uint64_t end;		/* ns */
	uint64_t tag;
	struct slot slots[MAX_INFLIGHT];
	struct samples rtt;
	/* Counted for measured requests only. */
	uint64_t sent, received, lost, late, send_errors;
	/* The client's CPU time over the measured seconds. */
	bool cpu_started, cpu_done;
	uint64_t cpu_from, cpu_to;	/* ns */
	struct rusage usage_from, usage_to;
};

static void die(const char *what)
{
	fprintf(stderr, "udp_rtt: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: udp_rtt [-c CPU] [-w INFLIGHT] [-t SECONDS] [-W WARMUP] [-s SIZE]\n"
		"               [-T TIMEOUT_MS] [-p LOCAL_PORT] HOST PORT\n"
		"       udp_rtt -e [-c CPU] HOST PORT    (echo server)\n");
	exit(2);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static double parse_num(const char *arg, double min, double max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || v < min || v > max) {
		fprintf(stderr, "udp_rtt: bad number '%s' (%g..%g)\n", arg,
			min, max);
		exit(2);
	}
	return v;
}

static void add_sample(struct samples *s, uint64_t ns)
{
	if (s->count == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 65536;
		s->ns = realloc(s->ns, s->cap * sizeof(*s->ns));
		if (!s->ns)
			die("realloc");
	}
	s->ns[s->count++] = ns;
}

static void send_request(struct run *r, struct slot *slot, uint64_t now)
{
	unsigned char buf[MAX_SIZE] = { 0 };
	struct rtt_msg msg = { .tag = r->tag };

	/*
	 * The sequence numbers of a slot are congruent to its index modulo
	 * the window, so that a reply finds its slot by division.
	 */
	slot->seq = slot->round++ * r->inflight + (uint64_t)(slot - r->slots);
	msg.seq = slot->seq;
	slot->sent = now;
	slot->measured = now >= r->measure_from;
	if (slot->measured)
		r->sent++;
	memcpy(buf, &msg, sizeof(msg));
	if (send(r->fd, buf, r->size, 0) < 0) {
		/* The request times out like a lost one. */
		if (slot->measured)
			r->send_errors++;
	}
}

static void receive_replies(struct run *r)
{
	unsigned char buf[MAX_SIZE + 1];
	struct rtt_msg msg;
	struct slot *slot;
	uint64_t now;
	ssize_t len;

	for (;;) {
		len = recv(r->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (len < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			/* ECONNREFUSED: an ICMP error; the request times out. */
			if (errno == EINTR || errno == ECONNREFUSED)
				continue;
			die("recv");
		}
		now = now_ns();
		if ((size_t)len != r->size)
			continue;
		memcpy(&msg, buf, sizeof(msg));
		if (msg.tag != r->tag)
			continue;
		slot = &r->slots[msg.seq % r->inflight];
		if (!slot->sent || slot->seq != msg.seq) {
			/* Answered after its timeout, or a duplicate. */
			r->late++;
			continue;
		}
		if (slot->measured) {
			r->received++;
			add_sample(&r->rtt, now - slot->sent);
		}
		slot->sent = 0;
		if (now < r->end)
			send_request(r, slot, now);
	}
}

/* Replaces the requests that timed out; returns the next deadline. */
static uint64_t expire(struct run *r, uint64_t now)
{
	uint64_t next = r->end;
	unsigned int i;

	for (i = 0; i < r->inflight; i++) {
		struct slot *slot = &r->slots[i];

		if (!slot->sent)
			continue;
		if (now - slot->sent >= r->timeout) {
			if (slot->measured) {
				r->lost++;
				add_sample(&r->rtt, r->timeout);
			}
			slot->sent = 0;
			if (now < r->end)
				send_request(r, slot, now);
			else
				continue;
		}
		if (slot->sent + r->timeout < next)
			next = slot->sent + r->timeout;
	}
	return next;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile, in microseconds; -1 without samples. */
static double percentile(const struct samples *s, double p)
{
	size_t rank;

	if (!s->count)
		return -1;
	rank = (size_t)(p / 100.0 * s->count + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > s->count)
		rank = s->count;
	return s->ns[rank - 1] / 1000.0;
}

static uint64_t timeval_ns(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * NSEC_PER_SEC + (uint64_t)tv->tv_usec * 1000;
}

/* Notes the client's CPU time at the start and the end of the measurement. */
static void account_cpu(struct run *r, uint64_t now)
{
	if (!r->cpu_started && now >= r->measure_from) {
		getrusage(RUSAGE_SELF, &r->usage_from);
		r->cpu_from = now;
		r->cpu_started = true;
	}
	if (!r->cpu_done && now >= r->end) {
		getrusage(RUSAGE_SELF, &r->usage_to);
		r->cpu_to = now;
		r->cpu_done = true;
	}
}

/* Binds fd to the wildcard address of its family and port. */
static void bind_port(int fd, int family, unsigned int port)
{
	struct sockaddr_storage ss = { .ss_family = (sa_family_t)family };
	socklen_t len;

	if (family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_port = htons((uint16_t)port);
		len = sizeof(*sin6);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_port = htons((uint16_t)port);
		len = sizeof(*sin);
	}
	if (bind(fd, (struct sockaddr *)&ss, len))
		die("bind");
}

static int connect_to(const char *host, const char *port, unsigned int lport)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_DGRAM,
		.ai_flags = AI_NUMERICSERV,
	};
	struct addrinfo *res, *ai;
	int fd = -1, err;

	err = getaddrinfo(host, port, &hints, &res);
	if (err) {
		fprintf(stderr, "udp_rtt: %s port %s: %s\n", host, port,
			gai_strerror(err));
		exit(2);
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (lport)
			bind_port(fd, ai->ai_family, lport);
		if (!connect(fd, ai->ai_addr, ai->ai_addrlen))
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		die("connect");
	return fd;
}

/* -e: echo every datagram to its sender until killed. */
static int echo_server(const char *host, const char *port)
{
	static unsigned char bufs[ECHO_BATCH][MAX_SIZE + 1];
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_DGRAM,
		.ai_flags = AI_NUMERICSERV | AI_PASSIVE,
	};
	struct sockaddr_storage peers[ECHO_BATCH];
	struct mmsghdr msgs[ECHO_BATCH];
	struct iovec iovs[ECHO_BATCH];
	struct addrinfo *res;
	int fd, n, i, sent, err, one = 1;

	err = getaddrinfo(host, port, &hints, &res);
	if (err) {
		fprintf(stderr, "udp_rtt: %s port %s: %s\n", host, port,
			gai_strerror(err));
		exit(2);
	}
	fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
	if (fd < 0)
		die("socket");
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		die("SO_REUSEADDR");
	if (bind(fd, res->ai_addr, res->ai_addrlen))
		die("bind");
	freeaddrinfo(res);

	for (;;) {
		memset(msgs, 0, sizeof(msgs));
		for (i = 0; i < ECHO_BATCH; i++) {
			iovs[i].iov_base = bufs[i];
			iovs[i].iov_len = sizeof(bufs[i]);
			msgs[i].msg_hdr.msg_iov = &iovs[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			msgs[i].msg_hdr.msg_name = &peers[i];
			msgs[i].msg_hdr.msg_namelen = sizeof(peers[i]);
		}
		/* Blocks for the first datagram, takes what else is queued. */
		n = recvmmsg(fd, msgs, ECHO_BATCH, MSG_WAITFORONE, NULL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("recvmmsg");
		}
		for (i = 0; i < n; i++)
			iovs[i].iov_len = msgs[i].msg_len;
		for (i = 0; i < n; i += sent) {
			sent = sendmmsg(fd, msgs + i, (unsigned int)(n - i), 0);
			if (sent < 0) {
				if (errno == EINTR) {
					sent = 0;
					continue;
				}
				/* A peer gone (ICMP error): skip its reply. */
				sent = 1;
			}
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	double seconds = 5, warmup = 0.5, timeout_ms = 100;
	static struct run r;
	uint64_t start, now, next, elapsed;
	struct timespec wait;
	struct pollfd pfd;
	unsigned int i;
	int cpu = -1, opt;
	unsigned int lport = 0;
	bool server = false;
	double s, cpu_s, user_s = 0, sys_s = 0, busy = -1;

	r.inflight = 4;
	r.size = 64;
	while ((opt = getopt(argc, argv, "c:w:t:W:s:T:p:e")) != -1) {
		switch (opt) {
		case 'c':
			cpu = (int)parse_num(optarg, 0, CPU_SETSIZE - 1);
			break;
		case 'w':
			r.inflight = (unsigned int)parse_num(optarg, 1,
							     MAX_INFLIGHT);
			break;
		case 't':
			seconds = parse_num(optarg, 0.01, 86400);
			break;
		case 'W':
			warmup = parse_num(optarg, 0, 86400);
			break;
		case 's':
			r.size = (size_t)parse_num(optarg, sizeof(struct rtt_msg),
						   MAX_SIZE);
			break;
		case 'T':
			timeout_ms = parse_num(optarg, 0.001, 60000);
			break;
		case 'p':
			lport = (unsigned int)parse_num(optarg, 1, 65535);
			break;
		case 'e':
			server = true;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 2)
		usage();

	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			die("sched_setaffinity");
	}
	if (server)
		return echo_server(argv[optind], argv[optind + 1]);
	r.fd = connect_to(argv[optind], argv[optind + 1], lport);
	r.timeout = (uint64_t)(timeout_ms * NSEC_PER_MSEC);

	start = now_ns();
	r.tag = start ^ ((uint64_t)getpid() << 32);
	r.measure_from = start + (uint64_t)(warmup * NSEC_PER_SEC);
	r.end = r.measure_from + (uint64_t)(seconds * NSEC_PER_SEC);
	for (i = 0; i < r.inflight; i++)
		send_request(&r, &r.slots[i], start);

	pfd.fd = r.fd;
	pfd.events = POLLIN;
	for (;;) {
		now = now_ns();
		account_cpu(&r, now);
		next = expire(&r, now);
		if (now >= r.end) {
			/* Wait for the replies still due, no longer. */
			for (i = 0; i < r.inflight && !r.slots[i].sent; i++)
				;
			if (i == r.inflight)
				break;
		}
		wait.tv_sec = (next > now ? next - now : 0) / NSEC_PER_SEC;
		wait.tv_nsec = (next > now ? next - now : 0) % NSEC_PER_SEC;
		if (ppoll(&pfd, 1, &wait, NULL) < 0 && errno != EINTR)
			die("ppoll");
		if (pfd.revents & (POLLIN | POLLERR))
			receive_replies(&r);
	}

	elapsed = r.end - r.measure_from;
	s = (double)elapsed / NSEC_PER_SEC;
	if (r.cpu_started && r.cpu_done && r.cpu_to > r.cpu_from) {
		user_s = (double)(timeval_ns(&r.usage_to.ru_utime) -
				  timeval_ns(&r.usage_from.ru_utime)) / NSEC_PER_SEC;
		sys_s = (double)(timeval_ns(&r.usage_to.ru_stime) -
				 timeval_ns(&r.usage_from.ru_stime)) / NSEC_PER_SEC;
		cpu_s = (double)(r.cpu_to - r.cpu_from) / NSEC_PER_SEC;
		busy = 100.0 * (user_s + sys_s) / cpu_s;
	}
	qsort(r.rtt.ns, r.rtt.count, sizeof(*r.rtt.ns), cmp_u64);
	printf("{\"sent\":%llu,\"received\":%llu,\"lost\":%llu,\"late\":%llu,"
	       "\"send_errors\":%llu,\"seconds\":%.3f,\"inflight\":%u,"
	       "\"size\":%zu,\"timeout_ms\":%.3f,\"throughput\":%.1f,"
	       "\"p50_us\":%.1f,\"p90_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,"
	       "\"max_us\":%.1f,\"cpu_user_s\":%.3f,\"cpu_sys_s\":%.3f,"
	       "\"cpu_busy_pct\":%.1f}\n",
	       (unsigned long long)r.sent, (unsigned long long)r.received,
	       (unsigned long long)r.lost, (unsigned long long)r.late,
	       (unsigned long long)r.send_errors, s, r.inflight, r.size,
	       timeout_ms, r.received / s, percentile(&r.rtt, 50),
	       percentile(&r.rtt, 90),
	       percentile(&r.rtt, 99), percentile(&r.rtt, 99.9),
	       percentile(&r.rtt, 100), user_s, sys_s, busy);
	free(r.rtt.ns);
	close(r.fd);
	return 0;
}
