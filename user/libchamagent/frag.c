// SPDX-License-Identifier: GPL-2.0
/*
 * libchamagent: IP fragments. The module hands a tenant's agent the
 * fragments of its traffic (CHAM_PUNT_FRAGMENT) because a fragment after
 * the first has no transport header to steer by; the agent puts the
 * datagram back together here, and cuts replies longer than the port's
 * MTU, which the module refuses to inject whole (EMSGSIZE).
 *
 * Reassembly keeps each datagram's payload in one buffer, grown as
 * fragments arrive, and a bitmap of the 8-byte units received: fragment
 * offsets are in those units, so a unit is either wholly present or not
 * (only the last fragment may end inside one, and it ends the datagram).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "internal.h"

#define DEFAULT_MAX_DATAGRAMS	64
#define DEFAULT_MAX_BYTES	(4u << 20)
#define DEFAULT_TIMEOUT_MS	30000
/* The Ethernet header, VLAN tags and IP header kept from a first fragment. */
#define HEAD_MAX	(ETH_HDR_LEN + MAX_VLAN_TAGS * VLAN_HDR_LEN + 2048)
#define UNITS		(IP_DATAGRAM_MAX / 8 + 1)

#define IPV4_MF		0x2000
#define IPV4_DF		0x4000
#define IPV4_OFFSET	0x1fff
#define IPV6_MF		0x0001

struct dgram {
	struct dgram *next;		/* oldest first */
	int family;
	uint8_t src[16];
	uint8_t dst[16];
	uint32_t id;
	uint8_t proto;
	uint64_t started_ms;
	uint8_t *data;			/* the payload after the IP header(s) */
	size_t cap;
	size_t total;			/* its length, once the last fragment came */
	bool have_last;
	uint8_t units[UNITS / 8 + 1];	/* 8-byte units received */
	uint8_t head[HEAD_MAX];		/* from the first fragment */
	size_t head_len;		/* 0 until it came */
	size_t l3_off;
	size_t nh_off;			/* IPv6: the next-header byte to patch */
	uint8_t nexthdr;		/* IPv6: the fragmentable part's first header */
};

struct cham_reasm {
	struct cham_reasm_opts opts;
	struct dgram *first;
	unsigned int count;
	size_t bytes;
	struct cham_reasm_stats stats;
};

/* One fragment, as parsed. */
struct frag {
	int family;
	const uint8_t *src, *dst;
	uint32_t id;
	uint8_t proto;
	size_t offset;			/* of its data in the datagram's payload */
	const uint8_t *data;
	size_t len;
	bool more;
	size_t l3_off;
	size_t head_len;		/* link and IP headers, up to the data */
	size_t nh_off;			/* IPv6 */
};

struct cham_reasm *cham_reasm_new(const struct cham_reasm_opts *opts)
{
	struct cham_reasm *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	if (opts)
		r->opts = *opts;
	if (!r->opts.max_datagrams)
		r->opts.max_datagrams = DEFAULT_MAX_DATAGRAMS;
	if (!r->opts.max_bytes)
		r->opts.max_bytes = DEFAULT_MAX_BYTES;
	if (!r->opts.timeout_ms)
		r->opts.timeout_ms = DEFAULT_TIMEOUT_MS;
	return r;
}

static void dgram_free(struct cham_reasm *r, struct dgram **link)
{
	struct dgram *d = *link;

	*link = d->next;
	r->count--;
	r->bytes -= d->cap;
	free(d->data);
	free(d);
}

void cham_reasm_free(struct cham_reasm *r)
{
	if (!r)
		return;
	while (r->first)
		dgram_free(r, &r->first);
	free(r);
}

void cham_reasm_stats(const struct cham_reasm *r, struct cham_reasm_stats *s)
{
	*s = r->stats;
}

unsigned int cham_reasm_expire(struct cham_reasm *r, uint64_t now_ms)
{
	unsigned int dropped = 0;

	/* Oldest first: stop at the first one still in time. */
	while (r->first && now_ms - r->first->started_ms >= r->opts.timeout_ms) {
		dgram_free(r, &r->first);
		dropped++;
	}
	r->stats.timed_out += dropped;
	return dropped;
}

static int parse_frag(const uint8_t *frame, size_t len, struct frag *f)
{
	struct ipv6_walk walk;
	struct l3_view l3;
	const uint8_t *ip;
	size_t hdr_len, ip_end;
	uint16_t field;

	if (frame_l3(frame, len, &l3) ||
	    ip_datagram(frame, len, &l3, &hdr_len, &ip_end))
		return -EINVAL;
	ip = frame + l3.l3_off;
	f->l3_off = l3.l3_off;
	if (l3.ethertype == ETH_P_IP) {
		field = get_be16(ip + 6);
		if (!(field & (IPV4_MF | IPV4_OFFSET)))
			return -EINVAL;		/* not a fragment */
		f->family = AF_INET;
		f->src = ip + 12;
		f->dst = ip + 16;
		f->id = get_be16(ip + 4);
		f->proto = ip[9];
		f->offset = (size_t)(field & IPV4_OFFSET) * 8;
		f->more = field & IPV4_MF;
		f->head_len = l3.l3_off + hdr_len;
		f->nh_off = 0;
		/* The whole datagram must fit the 16-bit total length. */
		if (hdr_len + f->offset + (ip_end - f->head_len) > IP_DATAGRAM_MAX)
			return -EINVAL;
	} else {
		if (ipv6_walk(frame, ip_end, l3.l3_off, true, &walk) ||
		    walk.nexthdr != IPPROTO_FRAGMENT ||
		    ip_end < walk.end + IPV6_FRAG_HDR_LEN)
			return -EINVAL;
		field = get_be16(frame + walk.end + 2);
		f->family = AF_INET6;
		f->src = ip + 8;
		f->dst = ip + 24;
		f->id = get_be32(frame + walk.end + 4);
		f->proto = frame[walk.end];
		f->offset = (size_t)(field >> 3) * 8;
		f->more = field & IPV6_MF;
		/* An atomic fragment (offset 0, no more) is handled alike. */
		f->head_len = walk.end;
		f->nh_off = walk.last_nh_off;
		if (walk.end - l3.l3_off - IPV6_HDR_LEN + f->offset +
		    (ip_end - walk.end - IPV6_FRAG_HDR_LEN) > IP_DATAGRAM_MAX)
			return -EINVAL;
		f->data = frame + walk.end + IPV6_FRAG_HDR_LEN;
		f->len = ip_end - walk.end - IPV6_FRAG_HDR_LEN;
	}
	if (f->family == AF_INET) {
		f->data = frame + f->head_len;
		f->len = ip_end - f->head_len;
	}
	/* Every fragment but the last carries whole units. */
	if (f->more && (f->len % 8 || !f->len))
		return -EINVAL;
	if (f->head_len > HEAD_MAX)
		return -EINVAL;
	return 0;
}

static bool unit_has(const struct dgram *d, size_t u)
{
	return d->units[u / 8] & (1u << (u % 8));
}

static struct dgram *dgram_find(struct cham_reasm *r, const struct frag *f)
{
	size_t alen = f->family == AF_INET ? 4 : 16;
	struct dgram *d;

	for (d = r->first; d; d = d->next)
		if (d->family == f->family && d->id == f->id &&
		    d->proto == f->proto && !memcmp(d->src, f->src, alen) &&
		    !memcmp(d->dst, f->dst, alen))
			return d;
	return NULL;
}

static struct dgram *dgram_new(struct cham_reasm *r, const struct frag *f,
			       uint64_t now_ms)
{
	size_t alen = f->family == AF_INET ? 4 : 16;
	struct dgram *d, **link;

	while (r->first && r->count >= r->opts.max_datagrams) {
		dgram_free(r, &r->first);
		r->stats.evicted++;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->family = f->family;
	d->id = f->id;
	d->proto = f->proto;
	memcpy(d->src, f->src, alen);
	memcpy(d->dst, f->dst, alen);
	d->started_ms = now_ms;
	for (link = &r->first; *link; link = &(*link)->next)
		;
	*link = d;
	r->count++;
	return d;
}

static void dgram_drop(struct cham_reasm *r, struct dgram *d)
{
	struct dgram **link;

	for (link = &r->first; *link != d; link = &(*link)->next)
		;
	dgram_free(r, link);
}

/* Room for @end payload bytes, within the reassembler's byte bound. */
static int dgram_reserve(struct cham_reasm *r, struct dgram *d, size_t end)
{
	size_t cap = d->cap ? d->cap : 2048;
	uint8_t *data;

	if (end <= d->cap)
		return 0;
	while (cap < end)
		cap *= 2;
	if (cap > IP_DATAGRAM_MAX)
		cap = IP_DATAGRAM_MAX;
	/* Older datagrams give way to the newest. */
	while (r->bytes - d->cap + cap > r->opts.max_bytes && r->first != d) {
		dgram_free(r, &r->first);
		r->stats.evicted++;
	}
	if (r->bytes - d->cap + cap > r->opts.max_bytes)
		return -ENOBUFS;
	data = realloc(d->data, cap);
	if (!data)
		return -ENOMEM;
	memset(data + d->cap, 0, cap - d->cap);
	r->bytes += cap - d->cap;
	d->data = data;
	d->cap = cap;
	return 0;
}

/* Copies the fragment's data in; -EINVAL if it contradicts what came. */
static int dgram_put(struct dgram *d, const struct frag *f)
{
	size_t end = f->offset + f->len, u, lo, hi;

	if (d->have_last && (end > d->total || (!f->more && end != d->total)))
		return -EINVAL;
	for (u = f->offset / 8; u * 8 < end; u++) {
		if (!unit_has(d, u))
			continue;
		lo = u * 8 > f->offset ? u * 8 : f->offset;
		hi = u * 8 + 8 < end ? u * 8 + 8 : end;
		if (memcmp(d->data + lo, f->data + (lo - f->offset), hi - lo))
			return -EINVAL;
	}
	memcpy(d->data + f->offset, f->data, f->len);
	for (u = f->offset / 8; u * 8 < end; u++)
		d->units[u / 8] |= 1u << (u % 8);
	if (!f->more) {
		d->have_last = true;
		d->total = end;
	}
	return 0;
}

static bool dgram_complete(const struct dgram *d)
{
	size_t u;

	if (!d->have_last || !d->head_len)
		return false;
	for (u = 0; u * 8 < d->total; u++)
		if (!unit_has(d, u))
			return false;
	return true;
}

/* The whole datagram as one frame. */
static int dgram_build(const struct dgram *d, uint8_t *out, size_t out_size,
		       size_t *out_len)
{
	size_t len = d->head_len + d->total;
	uint8_t *ip = out + d->l3_off;

	if (len > out_size)
		return -EMSGSIZE;
	memcpy(out, d->head, d->head_len);
	memcpy(out + d->head_len, d->data, d->total);
	if (d->family == AF_INET) {
		put_be16(ip + 2, (uint16_t)(len - d->l3_off));
		put_be16(ip + 6, 0);
		ipv4_set_csum(ip, (ip[0] & 0xf) * 4u);
	} else {
		out[d->nh_off] = d->nexthdr;
		put_be16(ip + 4, (uint16_t)(len - d->l3_off - IPV6_HDR_LEN));
	}
	*out_len = len;
	return 0;
}

int cham_reasm_add(struct cham_reasm *r, const void *frame, size_t len,
		   uint64_t now_ms, void *out, size_t out_size, size_t *out_len)
{
	struct dgram *d;
	struct frag f;
	int err;

	cham_reasm_expire(r, now_ms);
	if (parse_frag(frame, len, &f)) {
		r->stats.invalid++;
		return -EINVAL;
	}
	r->stats.fragments++;
	d = dgram_find(r, &f);
	if (!d) {
		d = dgram_new(r, &f, now_ms);
		if (!d)
			return -ENOMEM;
	}
	err = dgram_reserve(r, d, f.offset + f.len);
	if (!err)
		err = dgram_put(d, &f);
	if (err) {
		dgram_drop(r, d);
		r->stats.invalid++;
		return err;
	}
	if (!f.offset) {
		memcpy(d->head, frame, f.head_len);
		d->head_len = f.head_len;
		d->l3_off = f.l3_off;
		d->nh_off = f.nh_off;
		d->nexthdr = f.proto;
	}
	if (!dgram_complete(d))
		return 0;
	err = dgram_build(d, out, out_size, out_len);
	dgram_drop(r, d);
	if (err)
		return err;
	r->stats.reassembled++;
	return 1;
}

int cham_ip_is_fragment(const void *frame_, size_t len)
{
	const uint8_t *frame = frame_;
	struct ipv6_walk walk;
	struct l3_view l3;
	const uint8_t *ip;

	if (frame_l3(frame, len, &l3))
		return 0;
	ip = frame + l3.l3_off;
	if (l3.ethertype == ETH_P_IP)
		return len >= l3.l3_off + IPV4_HDR_LEN &&
		       (get_be16(ip + 6) & (IPV4_MF | IPV4_OFFSET));
	return !ipv6_walk(frame, len, l3.l3_off, true, &walk) &&
	       walk.nexthdr == IPPROTO_FRAGMENT;
}

/*
 * The IPv4 options a fragment after the first carries: those with the
 * copy bit (RFC 791), padded with end-of-options to whole words.
 * Returns the header length.
 */
static size_t ipv4_later_header(const uint8_t *ip, size_t hdr_len, uint8_t *to)
{
	size_t in = IPV4_HDR_LEN, out = IPV4_HDR_LEN, olen;

	memcpy(to, ip, IPV4_HDR_LEN);
	while (in < hdr_len) {
		if (ip[in] == 0)		/* end of options */
			break;
		if (ip[in] == 1) {		/* no-op */
			in++;
			continue;
		}
		if (in + 1 >= hdr_len || ip[in + 1] < 2 ||
		    in + ip[in + 1] > hdr_len)
			break;
		olen = ip[in + 1];
		if (ip[in] & 0x80) {
			memcpy(to + out, ip + in, olen);
			out += olen;
		}
		in += olen;
	}
	while (out % 4)
		to[out++] = 0;
	to[0] = 0x40 | (uint8_t)(out / 4);
	return out;
}

static int fragment_ipv4(const uint8_t *frame, size_t l3_off, size_t ip_end,
			 unsigned int mtu, uint8_t *buf, cham_frag_fn fn,
			 void *arg)
{
	const uint8_t *ip = frame + l3_off;
	size_t hdr_len = (ip[0] & 0xf) * 4u, payload = ip_end - l3_off - hdr_len;
	size_t off = 0, chunk, this_hdr = hdr_len, room;
	uint16_t id = (uint16_t)ip_new_id();
	uint8_t later[60];
	size_t later_len;
	int n = 0, err;

	if (get_be16(ip + 6) & IPV4_DF)
		return -EMSGSIZE;
	later_len = ipv4_later_header(ip, hdr_len, later);
	while (off < payload) {
		uint8_t *fip = buf + l3_off;

		room = mtu > this_hdr ? ((mtu - this_hdr) & ~(size_t)7) : 0;
		if (!room)
			return -EMSGSIZE;
		chunk = payload - off > room ? room : payload - off;
		memcpy(buf, frame, l3_off);
		if (!off)
			memcpy(fip, ip, hdr_len);
		else
			memcpy(fip, later, later_len);
		put_be16(fip + 2, (uint16_t)(this_hdr + chunk));
		put_be16(fip + 4, id);
		put_be16(fip + 6, (uint16_t)((off / 8) |
			 (off + chunk < payload ? IPV4_MF : 0)));
		ipv4_set_csum(fip, this_hdr);
		memcpy(fip + this_hdr, ip + hdr_len + off, chunk);
		err = fn(buf, l3_off + this_hdr + chunk, arg);
		if (err)
			return err;
		n++;
		off += chunk;
		this_hdr = later_len;
	}
	return n;
}

/*
 * The unfragmentable part of an IPv6 datagram (RFC 8200 4.5): the headers
 * routers look at, hop-by-hop options and a routing header (with the
 * destination options that precede it). Returns its end and the offset
 * of the next-header byte that names what follows it.
 */
static int ipv6_unfragmentable(const uint8_t *frame, size_t ip_end,
			       size_t l3_off, size_t *end, size_t *nh_off)
{
	size_t off = l3_off + IPV6_HDR_LEN, nh_at = l3_off + 6, next;
	uint8_t nh = frame[nh_at];
	bool first = true;

	for (;;) {
		if (nh == IPPROTO_FRAGMENT)
			return -EINVAL;		/* already a fragment */
		if (!ipv6_is_ext(nh) || off + 2 > ip_end)
			break;
		next = off + (frame[off + 1] + 1) * 8;
		if (next > ip_end)
			return -EINVAL;
		if (!(nh == 0 && first) && nh != 43 &&
		    !(nh == 60 && frame[off] == 43))
			break;
		nh_at = off;
		nh = frame[off];
		off = next;
		first = false;
	}
	*end = off;
	*nh_off = nh_at;
	return 0;
}

static int fragment_ipv6(const uint8_t *frame, size_t l3_off, size_t ip_end,
			 unsigned int mtu, uint8_t *buf, cham_frag_fn fn,
			 void *arg)
{
	size_t unfrag_end, nh_off, off = 0, chunk, room, payload, head;
	uint32_t id = ip_new_id();
	uint8_t nexthdr;
	int n = 0, err;

	if (ipv6_unfragmentable(frame, ip_end, l3_off, &unfrag_end, &nh_off))
		return -EINVAL;
	nexthdr = frame[nh_off];
	payload = ip_end - unfrag_end;
	head = unfrag_end - l3_off + IPV6_FRAG_HDR_LEN;
	room = mtu > head ? ((mtu - head) & ~(size_t)7) : 0;
	if (!room)
		return -EMSGSIZE;
	while (off < payload) {
		uint8_t *fh = buf + unfrag_end;

		chunk = payload - off > room ? room : payload - off;
		memcpy(buf, frame, unfrag_end);
		buf[nh_off] = IPPROTO_FRAGMENT;
		put_be16(buf + l3_off + 4, (uint16_t)(head - IPV6_HDR_LEN + chunk));
		fh[0] = nexthdr;
		fh[1] = 0;
		put_be16(fh + 2, (uint16_t)(off | (off + chunk < payload ? IPV6_MF : 0)));
		put_be32(fh + 4, id);
		memcpy(fh + IPV6_FRAG_HDR_LEN, frame + unfrag_end + off, chunk);
		err = fn(buf, unfrag_end + IPV6_FRAG_HDR_LEN + chunk, arg);
		if (err)
			return err;
		n++;
		off += chunk;
	}
	return n;
}

int cham_ip_fragment(const void *frame_, size_t len, unsigned int mtu,
		     cham_frag_fn fn, void *arg)
{
	const uint8_t *frame = frame_, *ip;
	struct l3_view l3;
	size_t ip_end;
	uint8_t *buf;
	int ret;

	if (frame_l3(frame, len, &l3) || cham_ip_is_fragment(frame, len))
		return -EINVAL;
	ip = frame + l3.l3_off;
	if (l3.ethertype == ETH_P_IP) {
		if (len < l3.l3_off + IPV4_HDR_LEN || ip[0] >> 4 != 4 ||
		    (ip[0] & 0xf) < 5)
			return -EINVAL;
		ip_end = l3.l3_off + get_be16(ip + 2);
		if (ip_end < l3.l3_off + (ip[0] & 0xf) * 4u)
			return -EINVAL;
	} else {
		if (len < l3.l3_off + IPV6_HDR_LEN || ip[0] >> 4 != 6)
			return -EINVAL;
		ip_end = l3.l3_off + IPV6_HDR_LEN + get_be16(ip + 4);
	}
	if (ip_end > len)
		return -EINVAL;
	if (ip_end - l3.l3_off <= mtu) {
		ret = fn(frame, ip_end, arg);
		return ret ? ret : 1;
	}
	buf = malloc(l3.l3_off + mtu + IPV6_FRAG_HDR_LEN + 64);
	if (!buf)
		return -ENOMEM;
	if (l3.ethertype == ETH_P_IP)
		ret = fragment_ipv4(frame, l3.l3_off, ip_end, mtu, buf, fn, arg);
	else
		ret = fragment_ipv6(frame, l3.l3_off, ip_end, mtu, buf, fn, arg);
	free(buf);
	return ret;
}
