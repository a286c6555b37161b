// SPDX-License-Identifier: GPL-2.0
/*
 * kv_agent: the slow path of the kv_cache example (bpf/kv_cache.bpf.c),
 * a UDP key-value cache over IPv4 and IPv6 speaking udp_kv's protocol:
 *
 *	SET <key> <value>	-> OK		(ERR full when the store is)
 *	GET <key>		-> <value>, or NOT_FOUND
 *	DEL <key>		-> OK, or NOT_FOUND
 *	anything else		-> ERR
 *
 * Keys are 1..32 bytes without spaces, values 1..KV_VALUE_MAX bytes, so
 * requests and answers can be larger than the MTU. A trailing newline is
 * not part of a request and is given back on the answer.
 *
 * The store is here, in the agent; the fast path answers GETs of the keys
 * in its map `cache` and punts everything else here. This agent answers
 * what it is punted by injecting the reply out of the port the request
 * came in on, puts a key into the cache after its HOT-th miss (if the
 * value fits the map), and keeps the cache coherent: a SET or DEL of a
 * cached key updates or evicts it (a message to the protocol's
 * slowpath_msg handler, which has run when the call returns) before the
 * client gets its OK. It starts by flushing the cache, because the store
 * of a previous agent is gone with it. IP fragments of requests (the
 * module punts them with origin CHAM_PUNT_FRAGMENT) are reassembled, and
 * replies larger than the port's MTU are fragmented.
 *
 *	kv_agent TENANT [--port PORT] [--hot N] [--verbose]
 *
 * On SIGINT or SIGTERM it prints one line of counters and exits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/chamelio.h>

#include "chamagent.h"
#include "kv_cache.h"

/* Values are kept up to this long: a reply then still fits one datagram. */
#define KV_VALUE_MAX		16384
#define KV_STORE_MAX		65536
#define KV_BUCKETS		4096
#define KV_DEFAULT_HOT		2
/* A whole frame: the largest IP datagram behind an Ethernet header and tags. */
#define FRAME_MAX		(65535 + 14 + 8)

struct kv_item {
	struct kv_item *next;
	size_t key_len;
	char key[KV_CACHE_KEY_MAX];
	char *value;
	size_t value_len;
	unsigned int misses;	/* GETs punted as misses */
	bool cached;		/* installed in the fast path's map */
};

struct kv_counters {
	unsigned long long misses, sets, dels, others, no_room;
	unsigned long long installs, updates, evictions, cache_errors;
	unsigned long long fragments, reassembled, ignored;
	unsigned long long replies, injected, inject_errors;
};

struct kv_agent {
	struct cham_agent *agent;
	struct cham_reasm *reasm;
	const char *tenant;
	int port;		/* answer only this UDP port; -1: any */
	unsigned int hot;
	bool verbose;
	struct kv_item *buckets[KV_BUCKETS];
	unsigned int keys;
	struct kv_counters c;
	uint8_t frame[FRAME_MAX];	/* a reassembled request */
	uint8_t reply[FRAME_MAX];
	char answer[KV_VALUE_MAX + 16];
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* FNV-1a: keys are short, and this is an example. */
static unsigned int kv_hash(const char *key, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (uint8_t)key[i]) * 16777619u;
	return h % KV_BUCKETS;
}

static struct kv_item **kv_find(struct kv_agent *kv, const char *key,
				size_t len)
{
	struct kv_item **link = &kv->buckets[kv_hash(key, len)];

	for (; *link; link = &(*link)->next)
		if ((*link)->key_len == len && !memcmp((*link)->key, key, len))
			return link;
	return link;
}

/*
 * Sends one message about @item to the fast path. Returns the handler's
 * result, or the request's negative errno.
 */
static int kv_cache_send(struct kv_agent *kv, uint32_t type,
			 const struct kv_item *item)
{
	struct kv_cache_msg msg;
	int32_t result;
	int err;

	memset(&msg, 0, sizeof(msg));
	msg.key_len = (uint32_t)item->key_len;
	memcpy(msg.key, item->key, item->key_len);
	if (type == KV_MSG_INSTALL) {
		msg.value_len = (uint32_t)item->value_len;
		memcpy(msg.value, item->value, item->value_len);
	}
	err = cham_agent_msg(kv->agent, type, 0, &msg, sizeof(msg), &result);
	if (err) {
		fprintf(stderr, "kv_agent: message to the fast path: %s: %s\n",
			strerror(-err), cham_agent_last_error(kv->agent));
		return err;
	}
	return result;
}

/*
 * Takes @item out of the cache. ENOENT means the fast path had dropped it
 * already: out all the same.
 */
static void kv_cache_evict(struct kv_agent *kv, struct kv_item *item)
{
	int ret = kv_cache_send(kv, KV_MSG_EVICT, item);

	if (ret && ret != -ENOENT)
		kv->c.cache_errors++;
	else
		kv->c.evictions++;
	item->cached = false;
}

/* Installs or refreshes @item in the cache, or takes it out if it no longer fits. */
static void kv_cache_refresh(struct kv_agent *kv, struct kv_item *item)
{
	int ret;

	if (item->value_len <= KV_CACHE_VALUE_MAX) {
		ret = kv_cache_send(kv, KV_MSG_INSTALL, item);
		if (!ret) {
			if (item->cached)
				kv->c.updates++;
			else
				kv->c.installs++;
			item->cached = true;
			return;
		}
		kv->c.cache_errors++;
	}
	/* Not updated: the old value must not be served. */
	if (item->cached)
		kv_cache_evict(kv, item);
}

static const char *kv_set(struct kv_agent *kv, const char *key, size_t key_len,
			  const char *value, size_t value_len)
{
	struct kv_item **link = kv_find(kv, key, key_len), *item = *link;
	char *copy;

	if (!item && kv->keys >= KV_STORE_MAX)
		return "ERR full";
	copy = malloc(value_len);
	if (!copy)
		return "ERR full";
	memcpy(copy, value, value_len);
	if (!item) {
		item = calloc(1, sizeof(*item));
		if (!item) {
			free(copy);
			return "ERR full";
		}
		item->key_len = key_len;
		memcpy(item->key, key, key_len);
		*link = item;
		kv->keys++;
	}
	free(item->value);
	item->value = copy;
	item->value_len = value_len;
	/* Coherence first: the client's OK promises the new value. */
	if (item->cached)
		kv_cache_refresh(kv, item);
	return "OK";
}

static const char *kv_del(struct kv_agent *kv, const char *key, size_t key_len)
{
	struct kv_item **link = kv_find(kv, key, key_len), *item = *link;

	if (!item)
		return "NOT_FOUND";
	if (item->cached)
		kv_cache_evict(kv, item);
	*link = item->next;
	kv->keys--;
	free(item->value);
	free(item);
	return "OK";
}

/* GET: the value, in @value_len bytes, or NOT_FOUND. */
static const char *kv_get(struct kv_agent *kv, const char *key, size_t key_len,
			  bool punted_as_miss, size_t *value_len)
{
	struct kv_item *item = *kv_find(kv, key, key_len);

	if (!item)
		return NULL;
	if (punted_as_miss && !item->cached && ++item->misses >= kv->hot &&
	    item->value_len <= KV_CACHE_VALUE_MAX)
		kv_cache_refresh(kv, item);
	*value_len = item->value_len;
	return item->value;
}

/* Where a reply goes: back where its request came from. */
struct kv_target {
	struct kv_agent *kv;
	const struct cham_agent_punt *punt;
};

static int inject_one(const void *frame, size_t len, void *arg)
{
	const struct kv_target *to = arg;
	const struct cham_agent_punt *punt = to->punt;
	struct kv_agent *kv = to->kv;
	int err;

	if (punt->guest_id)
		err = cham_agent_inject_guest(kv->agent, punt->guest_id, frame, len);
	else
		err = cham_agent_inject_port(kv->agent, punt->ifindex, frame, len);
	if (err) {
		kv->c.inject_errors++;
		fprintf(stderr, "kv_agent: inject (%zu bytes): %s: %s\n", len,
			strerror(-err), cham_agent_last_error(kv->agent));
		return 0;	/* the other fragments are no use, but harmless */
	}
	kv->c.injected++;
	return 0;
}

/* Answers the request in @frame (the punted one or a reassembled one). */
static void kv_answer(struct kv_agent *kv, const struct cham_agent_punt *punt,
		      const uint8_t *frame, size_t len, const char *answer,
		      size_t answer_len, bool newline)
{
	struct kv_target to = { kv, punt };
	ssize_t reply_len;
	int mtu;

	memmove(kv->answer, answer, answer_len);
	if (newline)
		kv->answer[answer_len++] = '\n';
	reply_len = cham_udp_reply(frame, len, kv->answer, answer_len,
				   kv->reply, sizeof(kv->reply));
	if (reply_len < 0) {
		kv->c.inject_errors++;
		return;
	}
	kv->c.replies++;
	mtu = cham_port_mtu(punt->ifindex);
	if (mtu <= 0)
		mtu = 1500;
	if (cham_ip_fragment(kv->reply, (size_t)reply_len, (unsigned int)mtu,
			     inject_one, &to) < 0)
		kv->c.inject_errors++;
}

/* One whole request datagram. */
static void kv_request(struct kv_agent *kv, const struct cham_agent_punt *punt,
		       const uint8_t *frame, size_t len)
{
	const char *p, *answer, *key, *value = NULL;
	size_t n, key_len, value_len = 0, answer_len;
	struct cham_udp_view v;
	bool newline = false;
	size_t key_end;

	if (cham_udp_parse(frame, len, &v) ||
	    (kv->port >= 0 && v.dst_port != kv->port)) {
		kv->c.ignored++;
		return;
	}
	p = (const char *)frame + v.payload_off;
	n = v.payload_len;
	if (n && p[n - 1] == '\n') {
		newline = true;
		n--;
	}
	answer = "ERR";
	if (n < 5 || p[3] != ' ')
		goto out;
	for (key_end = 4; key_end < n && p[key_end] != ' '; key_end++)
		;
	key = p + 4;
	key_len = key_end - 4;
	if (!key_len || key_len > KV_CACHE_KEY_MAX)
		goto out;
	if (key_end < n) {
		value = p + key_end + 1;
		value_len = n - key_end - 1;
	}
	if (!memcmp(p, "SET", 3)) {
		kv->c.sets++;
		if (value && value_len && value_len <= KV_VALUE_MAX)
			answer = kv_set(kv, key, key_len, value, value_len);
	} else if (!memcmp(p, "DEL", 3)) {
		kv->c.dels++;
		if (!value)
			answer = kv_del(kv, key, key_len);
	} else if (!memcmp(p, "GET", 3)) {
		bool miss = punt->origin == CHAM_PUNT_HANDLER &&
			    punt->code == KV_PUNT_MISS;

		if (miss)
			kv->c.misses++;
		else if (punt->code == KV_PUNT_NO_ROOM)
			kv->c.no_room++;
		if (!value) {
			answer = kv_get(kv, key, key_len, miss, &value_len);
			if (answer) {
				if (kv->verbose)
					fprintf(stderr, "kv_agent: GET %.*s: %zu bytes\n",
						(int)key_len, key, value_len);
				kv_answer(kv, punt, frame, len, answer, value_len,
					  newline);
				return;
			}
			answer = "NOT_FOUND";
		}
	} else {
		kv->c.others++;
	}
out:
	answer_len = strlen(answer);
	if (kv->verbose)
		fprintf(stderr, "kv_agent: %.*s%s -> %s\n", (int)(n > 40 ? 40 : n),
			p, n > 40 ? "..." : "", answer);
	kv_answer(kv, punt, frame, len, answer, answer_len, newline);
}

static void on_punt(struct cham_agent *agent, const struct cham_agent_punt *punt,
		    void *user)
{
	struct kv_agent *kv = user;
	struct cham_udp_view v;
	size_t len;
	int ret;

	if (punt->origin != CHAM_PUNT_FRAGMENT) {
		kv_request(kv, punt, punt->frame, punt->len);
		return;
	}
	kv->c.fragments++;
	ret = cham_reasm_add(kv->reasm, punt->frame, punt->len, now_ms(),
			     kv->frame, sizeof(kv->frame), &len);
	if (ret <= 0)
		return;
	kv->c.reassembled++;
	/* The fast path checked the others; nobody checked this one. */
	if (cham_udp_parse(kv->frame, len, &v) ||
	    !cham_udp_csum_valid(kv->frame, &v)) {
		kv->c.ignored++;
		return;
	}
	kv_request(kv, punt, kv->frame, len);
}

static void on_event(struct cham_agent *agent,
		     const struct cham_agent_notice *event, void *user)
{
	struct kv_agent *kv = user;

	if (kv->verbose || event->type == CHAM_AGENT_EVENT_EJECTED)
		fprintf(stderr, "kv_agent: event %u code %u%s\n", event->type,
			event->code,
			event->type == CHAM_AGENT_EVENT_EJECTED ?
			" (the protocol was ejected)" : "");
}

static void print_summary(const struct kv_agent *kv)
{
	const struct kv_counters *c = &kv->c;

	printf("kv_agent: tenant %s: misses=%llu sets=%llu dels=%llu others=%llu no_room=%llu installs=%llu updates=%llu evictions=%llu cache_errors=%llu fragments=%llu reassembled=%llu ignored=%llu replies=%llu injected=%llu inject_errors=%llu lost=%llu keys=%u\n",
	       kv->tenant, c->misses, c->sets, c->dels, c->others, c->no_room,
	       c->installs, c->updates, c->evictions, c->cache_errors,
	       c->fragments, c->reassembled, c->ignored, c->replies,
	       c->injected, c->inject_errors,
	       (unsigned long long)cham_agent_overruns(kv->agent), kv->keys);
	fflush(stdout);
}

static void usage(FILE *to)
{
	fprintf(to,
		"usage: kv_agent TENANT [--port PORT] [--hot N] [--verbose]\n"
		"  The slow path of bpf/kv_cache.bpf.o for TENANT (name or id):\n"
		"  answers what the fast path punts and installs hot keys.\n"
		"  --port PORT  answer only datagrams to this UDP port\n"
		"  --hot N      install a key after its N-th miss (default %d)\n"
		"  --verbose    one line per request on stderr\n",
		KV_DEFAULT_HOT);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "hot", required_argument, NULL, 'H' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const struct cham_agent_handlers handlers = {
		.punt = on_punt,
		.event = on_event,
	};
	static struct kv_agent kv = { .port = -1, .hot = KV_DEFAULT_HOT };
	struct sigaction sa = { .sa_handler = on_signal };
	char err[512];
	struct pollfd pfd;
	int opt, ret;
	int32_t result;
	char *end;

	while ((opt = getopt_long(argc, argv, "p:H:vh", options, NULL)) != -1) {
		switch (opt) {
		case 'p':
			kv.port = (int)strtol(optarg, &end, 10);
			if (*end || kv.port < 1 || kv.port > 65535) {
				fprintf(stderr, "kv_agent: bad port '%s'\n", optarg);
				return 2;
			}
			break;
		case 'H':
			kv.hot = (unsigned int)strtoul(optarg, &end, 10);
			if (*end || !kv.hot) {
				fprintf(stderr, "kv_agent: bad --hot '%s'\n", optarg);
				return 2;
			}
			break;
		case 'v':
			kv.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	kv.tenant = argv[optind];

	kv.reasm = cham_reasm_new(NULL);
	if (!kv.reasm) {
		fprintf(stderr, "kv_agent: out of memory\n");
		return 1;
	}
	kv.agent = cham_agent_open(kv.tenant, NULL, err, sizeof(err));
	if (!kv.agent) {
		fprintf(stderr, "kv_agent: %s\n", err);
		return 1;
	}
	/* Entries a previous agent installed have no store behind them now. */
	ret = cham_agent_msg(kv.agent, KV_MSG_FLUSH, 0, NULL, 0, &result);
	if (ret)
		fprintf(stderr, "kv_agent: flushing the fast path's cache: %s: %s (is bpf/kv_cache.bpf.o loaded for %s?)\n",
			strerror(-ret), cham_agent_last_error(kv.agent), kv.tenant);
	else if (result)
		fprintf(stderr, "kv_agent: the fast path refused the flush: %s\n",
			strerror(-result));
	/* Once registered and flushed: scripts wait for this line. */
	fprintf(stderr, "kv_agent: serving tenant %s\n", kv.tenant);

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	pfd.fd = cham_agent_fd(kv.agent);
	pfd.events = POLLIN;
	while (!stop) {
		/* First round too: punts can arrive with the registration. */
		ret = cham_agent_dispatch(kv.agent, &handlers, &kv);
		if (ret < 0) {
			fprintf(stderr, "kv_agent: receiving: %s\n", strerror(-ret));
			break;
		}
		cham_reasm_expire(kv.reasm, now_ms());
		if (ret > 0)
			continue;
		if (poll(&pfd, 1, 1000) < 0 && errno != EINTR) {
			fprintf(stderr, "kv_agent: poll: %s\n", strerror(errno));
			break;
		}
	}
	print_summary(&kv);
	cham_agent_close(kv.agent);
	cham_reasm_free(kv.reasm);
	return stop ? 0 : 1;
}
