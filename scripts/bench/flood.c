// SPDX-License-Identifier: GPL-2.0
/*
 * flood: a cheap, paced UDP flood for the isolation benchmark
 * (scripts/bench/isolation-vm.sh).
 *
 *   flood -i IFNAME -s SRC_MAC -d DST_MAC -S SRC_IPV4 -D DST_IPV4
 *         -p DST_PORT [-n PORTS] [-f FLOWS] [-r RATE] [-P PERIOD_US]
 *         [-c CPU] [-t SECONDS]
 *
 * Sends RATE frames per second out of IFNAME, a veth whose peer is the
 * Chamelio port, until SECONDS have passed (0: until SIGINT or SIGTERM).
 * Every frame is UDP to DST_IPV4; frame i goes to destination port
 * DST_PORT + i % PORTS (one port per adversary tenant) from source port
 * 10000 + (i / PORTS) % FLOWS, so every tenant sees FLOWS flows, in a fixed
 * order (no randomness: two runs send the same frames).
 *
 * Why not pktgen: on a veth, pktgen can neither clone nor burst (veth does
 * not share skbs), and below 100 us between packets it paces by
 * busy-waiting. Under QEMU's icount all vCPUs share one instruction clock,
 * so every instruction a generator runs, busy-waiting included, is time
 * the measured vCPUs do not get. This one sleeps between bursts
 * (clock_nanosleep to an absolute deadline), so its vCPU is idle and costs
 * nothing then; every PERIOD_US it wakes and sends what the rate owes with
 * one sendmmsg() on an AF_PACKET socket that bypasses the qdisc
 * (PACKET_QDISC_BYPASS): an skb and a copy per frame, then straight into
 * the veth. A shorter period spreads the frames more evenly (a victim's
 * packet queues behind fewer at once) for more wake-ups.
 *
 * (BPF_PROG_TEST_RUN's live-frame mode would spare the skb, but every call
 * creates and destroys a page pool, and the destruction waits for an RCU
 * grace period: tens of milliseconds per call on 6.12.)
 *
 * Prints, when it stops, one JSON object: frames asked for and sent,
 * send errors (the veth's ring full), calls, seconds, the achieved rate
 * and the periods it overran (woke up after the next one had begun).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NSEC_PER_SEC	1000000000ULL
#define FRAME_LEN	60	/* the Ethernet minimum, without FCS */
#define MAX_BURST	1024	/* frames in one sendmmsg() */
#define SRC_PORT_BASE	10000

/* Offsets in the frame: Ethernet (14), IPv4 without options (20), UDP. */
#define IP_OFF		14
#define UDP_OFF		34

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void die(const char *what)
{
	fprintf(stderr, "flood: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: flood -i IFNAME -s SRC_MAC -d DST_MAC -S SRC_IPV4 -D DST_IPV4\n"
		"             -p DST_PORT [-n PORTS] [-f FLOWS] [-r RATE] [-P PERIOD_US]\n"
		"             [-c CPU] [-t SECONDS]\n");
	exit(2);
}

static double parse_num(const char *arg, double min, double max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || v < min || v > max) {
		fprintf(stderr, "flood: bad number '%s' (%g..%g)\n", arg, min,
			max);
		exit(2);
	}
	return v;
}

static void parse_mac(const char *arg, unsigned char *mac)
{
	unsigned int b[6];
	int i;

	if (sscanf(arg, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5]) != 6) {
		fprintf(stderr, "flood: bad MAC address '%s'\n", arg);
		exit(2);
	}
	for (i = 0; i < 6; i++)
		mac[i] = (unsigned char)b[i];
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* The IPv4 header checksum (RFC 1071) over @len bytes. */
static uint16_t ip_checksum(const unsigned char *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(unsigned char *p, unsigned int v)
{
	p[0] = (v >> 8) & 0xff;
	p[1] = v & 0xff;
}

static void build_frame(unsigned char *f, const unsigned char *src_mac,
			const unsigned char *dst_mac, struct in_addr src,
			struct in_addr dst)
{
	unsigned char *ip = f + IP_OFF, *udp = f + UDP_OFF;

	memset(f, 0, FRAME_LEN);
	memcpy(f, dst_mac, 6);
	memcpy(f + 6, src_mac, 6);
	put16(f + 12, ETHERTYPE_IP);
	ip[0] = 0x45;			/* version 4, 5 words */
	put16(ip + 2, FRAME_LEN - IP_OFF);
	ip[8] = 64;			/* TTL */
	ip[9] = 17;			/* UDP */
	memcpy(ip + 12, &src, 4);
	memcpy(ip + 16, &dst, 4);
	put16(ip + 10, ip_checksum(ip, 20));
	put16(udp + 4, FRAME_LEN - UDP_OFF);
	/* UDP checksum 0: none, which IPv4 allows; the ports vary. */
}

int main(int argc, char **argv)
{
	static unsigned char frames[MAX_BURST][FRAME_LEN];
	static struct mmsghdr msgs[MAX_BURST];
	static struct iovec iovs[MAX_BURST];
	const char *ifname = NULL;
	unsigned char src_mac[6], dst_mac[6];
	unsigned int dport = 0, ports = 1, flows = 1, i, n;
	double rate = 1000, period_us = 200, seconds = 0, owed = 0;
	struct in_addr src = { 0 }, dst = { 0 };
	unsigned long long asked = 0, sent = 0, errors = 0, calls = 0;
	unsigned long long overruns = 0, seq = 0;
	uint64_t start, next, period, now, end = 0;
	int have = 0, cpu = -1, opt, fd, one = 1, r;
	struct sigaction sa = { .sa_handler = on_signal };
	struct sockaddr_ll addr = { .sll_family = AF_PACKET };
	struct timespec ts;

	while ((opt = getopt(argc, argv, "i:s:d:S:D:p:n:f:r:P:c:t:")) != -1) {
		switch (opt) {
		case 'i':
			ifname = optarg;
			break;
		case 's':
			parse_mac(optarg, src_mac);
			have |= 1;
			break;
		case 'd':
			parse_mac(optarg, dst_mac);
			have |= 2;
			break;
		case 'S':
		case 'D':
			if (inet_pton(AF_INET, optarg, opt == 'S' ? &src : &dst) != 1) {
				fprintf(stderr, "flood: bad IPv4 address '%s'\n",
					optarg);
				exit(2);
			}
			have |= opt == 'S' ? 4 : 8;
			break;
		case 'p':
			dport = (unsigned int)parse_num(optarg, 1, 65535);
			break;
		case 'n':
			ports = (unsigned int)parse_num(optarg, 1, 1024);
			break;
		case 'f':
			flows = (unsigned int)parse_num(optarg, 1, 50000);
			break;
		case 'r':
			rate = parse_num(optarg, 0, 1e8);
			break;
		case 'P':
			period_us = parse_num(optarg, 10, 1e6);
			break;
		case 'c':
			cpu = (int)parse_num(optarg, 0, CPU_SETSIZE - 1);
			break;
		case 't':
			seconds = parse_num(optarg, 0, 86400);
			break;
		default:
			usage();
		}
	}
	if (!ifname || have != 15 || !dport || optind != argc)
		usage();
	if (dport + ports - 1 > 65535) {
		fprintf(stderr, "flood: ports %u..%u out of range\n", dport,
			dport + ports - 1);
		exit(2);
	}
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			die("sched_setaffinity");
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	/* Protocol 0: a sender only, nothing is delivered to this socket. */
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0)
		die("socket(AF_PACKET)");
	addr.sll_ifindex = (int)if_nametoindex(ifname);
	if (!addr.sll_ifindex)
		die(ifname);
	addr.sll_halen = 6;
	memcpy(addr.sll_addr, dst_mac, 6);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)))
		die("bind");
	if (setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)))
		die("PACKET_QDISC_BYPASS");

	for (i = 0; i < MAX_BURST; i++) {
		build_frame(frames[i], src_mac, dst_mac, src, dst);
		iovs[i].iov_base = frames[i];
		iovs[i].iov_len = FRAME_LEN;
		msgs[i].msg_hdr.msg_iov = &iovs[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}

	period = (uint64_t)(period_us * 1000);
	start = now_ns();
	if (seconds > 0)
		end = start + (uint64_t)(seconds * NSEC_PER_SEC);
	next = start;
	while (!stop) {
		/* What the rate owes for one period; the fraction carries. */
		owed += rate * (double)period / NSEC_PER_SEC;
		n = owed > MAX_BURST ? MAX_BURST : (unsigned int)owed;
		owed -= n;
		for (i = 0; i < n; i++, seq++) {
			put16(frames[i] + UDP_OFF, SRC_PORT_BASE +
			      (unsigned int)((seq / ports) % flows));
			put16(frames[i] + UDP_OFF + 2,
			      dport + (unsigned int)(seq % ports));
		}
		asked += n;
		for (i = 0; i < n; i += (unsigned int)r) {
			r = sendmmsg(fd, msgs + i, n - i, MSG_DONTWAIT);
			calls++;
			if (r <= 0) {
				/* ENOBUFS and the like: the frame is lost. */
				if (r < 0 && errno == EINTR) {
					r = 0;
				} else {
					errors++;
					r = 1;
				}
			} else {
				sent += (unsigned int)r;
			}
		}
		next += period;
		now = now_ns();
		if (end && now >= end)
			break;
		if (now > next) {
			/*
			 * Late: the next burst owes the time lost, so that
			 * the average rate holds.
			 */
			overruns++;
			continue;
		}
		ts.tv_sec = (time_t)(next / NSEC_PER_SEC);
		ts.tv_nsec = (long)(next % NSEC_PER_SEC);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR &&
		       !stop)
			;
	}
	now = now_ns();
	printf("{\"asked\":%llu,\"sent\":%llu,\"errors\":%llu,\"calls\":%llu,"
	       "\"overruns\":%llu,\"seconds\":%.3f,\"rate\":%.1f,"
	       "\"asked_rate\":%.1f,\"period_us\":%.1f,\"ports\":%u,"
	       "\"flows\":%u}\n",
	       asked, sent, errors, calls, overruns,
	       (double)(now - start) / NSEC_PER_SEC,
	       sent / ((double)(now - start) / NSEC_PER_SEC), rate, period_us,
	       ports, flows);
	close(fd);
	return 0;
}
