// SPDX-License-Identifier: GPL-2.0
/*
 * steer_probe - sends one probe packet per line of standard input, for the
 * steering test (test_70_steering.sh), where thousands of probes would take
 * minutes as one process each.
 *
 * Each line is "PROTO ADDR PORT": PROTO is udp, tcp, icmp (ICMPv6 for an
 * IPv6 address) or an IP protocol number, ADDR an IPv4 or IPv6 address,
 * PORT the destination port ("-" for a protocol without ports). Blank lines
 * are skipped. The kernel routes each probe and fills in the IP header, so
 * a probe is one frame on the link, as a real client's would be.
 *
 * Only the destination matters to the receiver's steering, which runs
 * before any transport checksum is checked: TCP probes are bare SYN headers
 * with no checksum (the host discards them unanswered if no rule takes
 * them), and other protocols carry a few bytes of payload.
 *
 * Exits 1 on a line it cannot parse or a probe the kernel refuses to send.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/tcp.h>

/*
 * veth hands frames to an XDP peer through a ring of 256; the receiver
 * normally drains it before the next send returns, but a short pause now
 * and then keeps a late receive softirq from ever seeing it full.
 */
#define PACE_EVERY	32
#define PACE_NSEC	200000

#define TCP_SRC_PORT	40100

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const char payload[] = "probe";

/* One socket per family and protocol, opened on first use. */
struct probe_socket {
	int family;
	int type;
	int protocol;
	int fd;
};

static struct probe_socket sockets[16];
static unsigned int nr_sockets;

static int probe_socket(int family, int type, int protocol)
{
	struct probe_socket *s;
	unsigned int i;

	for (i = 0; i < nr_sockets; i++) {
		s = &sockets[i];
		if (s->family == family && s->type == type &&
		    s->protocol == protocol)
			return s->fd;
	}
	if (nr_sockets == ARRAY_SIZE(sockets)) {
		fprintf(stderr, "steer_probe: too many protocols\n");
		return -1;
	}
	s = &sockets[nr_sockets];
	s->fd = socket(family, type, protocol);
	if (s->fd < 0) {
		fprintf(stderr, "steer_probe: socket(%d, %d, %d): %s\n",
			family, type, protocol, strerror(errno));
		return -1;
	}
	s->family = family;
	s->type = type;
	s->protocol = protocol;
	nr_sockets++;
	return s->fd;
}

/* The Internet checksum of an ICMPv4 message (no pseudo-header). */
static uint16_t inet_csum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

/*
 * Fills @buf with what follows the IP header (for UDP, the datagram's
 * payload); returns its length.
 */
static size_t build_probe(uint8_t *buf, int family, int proto, uint16_t port,
			  uint16_t seq)
{
	if (proto == IPPROTO_TCP) {
		struct tcphdr *tcp = (struct tcphdr *)buf;

		memset(tcp, 0, sizeof(*tcp));
		tcp->source = htons(TCP_SRC_PORT);
		tcp->dest = htons(port);
		tcp->seq = htonl(seq);
		tcp->doff = sizeof(*tcp) / 4;
		tcp->syn = 1;
		tcp->window = htons(1024);
		return sizeof(*tcp);
	}
	if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) {
		struct icmphdr *icmp = (struct icmphdr *)buf;

		/* struct icmp6hdr has the same layout for an echo request. */
		memset(icmp, 0, sizeof(*icmp));
		icmp->type = family == AF_INET ? ICMP_ECHO : ICMPV6_ECHO_REQUEST;
		icmp->un.echo.id = htons(0xc4a3);
		icmp->un.echo.sequence = htons(seq);
		memcpy(buf + sizeof(*icmp), payload, sizeof(payload));
		/* The kernel checksums ICMPv6 itself (pseudo-header). */
		if (family == AF_INET)
			icmp->checksum = inet_csum(buf, sizeof(*icmp) +
						   sizeof(payload));
		return sizeof(*icmp) + sizeof(payload);
	}
	memcpy(buf, payload, sizeof(payload));
	return sizeof(payload);
}

static int parse_proto(const char *word, int family)
{
	char *end;
	long n;

	if (!strcmp(word, "udp"))
		return IPPROTO_UDP;
	if (!strcmp(word, "tcp"))
		return IPPROTO_TCP;
	if (!strcmp(word, "icmp"))
		return family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	n = strtol(word, &end, 10);
	if (*word && !*end && n > 0 && n < 256)
		return n;
	return -1;
}

static void pace(unsigned long sent)
{
	struct timespec pause = { .tv_nsec = PACE_NSEC };

	if (sent % PACE_EVERY == 0)
		nanosleep(&pause, NULL);
}

static int send_probe(const char *proto_word, const char *addr_word,
		      const char *port_word, uint16_t seq)
{
	struct sockaddr_storage dst = {};
	struct sockaddr_in *in4 = (struct sockaddr_in *)&dst;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&dst;
	uint8_t buf[64];
	int family, proto, fd;
	long port = 0;
	socklen_t len;
	char *end;
	size_t n;

	if (inet_pton(AF_INET, addr_word, &in4->sin_addr) == 1) {
		family = AF_INET;
		len = sizeof(*in4);
	} else if (inet_pton(AF_INET6, addr_word, &in6->sin6_addr) == 1) {
		family = AF_INET6;
		len = sizeof(*in6);
	} else {
		fprintf(stderr, "steer_probe: bad address '%s'\n", addr_word);
		return -1;
	}
	dst.ss_family = family;
	proto = parse_proto(proto_word, family);
	if (proto < 0) {
		fprintf(stderr, "steer_probe: bad protocol '%s'\n", proto_word);
		return -1;
	}
	if (proto == IPPROTO_UDP || proto == IPPROTO_TCP) {
		port = strtol(port_word, &end, 10);
		if (*end || port < 1 || port > 65535) {
			fprintf(stderr, "steer_probe: bad port '%s'\n",
				port_word);
			return -1;
		}
	}
	/*
	 * A raw socket's port field is the protocol; for UDP the port goes in
	 * the address, for TCP in the header built here.
	 */
	if (proto == IPPROTO_UDP) {
		fd = probe_socket(family, SOCK_DGRAM, 0);
		if (family == AF_INET)
			in4->sin_port = htons(port);
		else
			in6->sin6_port = htons(port);
	} else {
		fd = probe_socket(family, SOCK_RAW, proto);
	}
	if (fd < 0)
		return -1;
	n = build_probe(buf, family, proto, port, seq);
	if (sendto(fd, buf, n, 0, (struct sockaddr *)&dst, len) != (ssize_t)n) {
		fprintf(stderr, "steer_probe: %s %s %s: %s\n", proto_word,
			addr_word, port_word, strerror(errno));
		return -1;
	}
	return 0;
}

int main(void)
{
	char line[256], proto[16], addr[INET6_ADDRSTRLEN], port[8];
	unsigned long lineno = 0, sent = 0;
	int words;

	while (fgets(line, sizeof(line), stdin)) {
		lineno++;
		words = sscanf(line, "%15s %45s %7s", proto, addr, port);
		if (words <= 0)
			continue;
		if (words != 3) {
			fprintf(stderr, "steer_probe: line %lu: want PROTO ADDR PORT\n",
				lineno);
			return 1;
		}
		if (send_probe(proto, addr, port, lineno))
			return 1;
		pace(++sent);
	}
	return 0;
}
