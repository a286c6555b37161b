/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libchamguest internals: the state of an attached guest and the four
 * AF_XDP rings.
 *
 * Each ring is shared with the kernel: one side produces descriptors, the
 * other consumes them, and each side only writes its own index. The
 * indices are free-running 32-bit counters; a slot is index & mask. The
 * ordering rules (the kernel's net/xdp/xsk_queue.h states them too):
 *
 *   producer: load consumer (acquire), write descriptors,
 *             store producer (release)
 *   consumer: load producer (acquire), read descriptors,
 *             store consumer (release)
 *
 * The acquire on the other side's index keeps our descriptor accesses from
 * moving before we know the slots are ours; the release on our own index
 * makes the descriptors we wrote (or finished reading) visible before the
 * other side may reuse the slots.
 */
#ifndef CHAMGUEST_INTERNAL_H
#define CHAMGUEST_INTERNAL_H

#include <linux/if_xdp.h>
#include <linux/types.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "chamguest.h"

struct cham_ring {
	__u32 *producer;
	__u32 *consumer;
	void *descs;		/* struct xdp_desc[] or __u64[] */
	__u32 size;		/* entries, a power of two */
	__u32 mask;
	/*
	 * Our own index, and the last value seen of the other side's:
	 * reading the shared one on every access would bounce its cache
	 * line between the CPUs for nothing.
	 */
	__u32 cached_prod;
	__u32 cached_cons;
	void *map;
	size_t map_len;
};

struct cham_guest {
	int fd;
	char name[64];
	char ifname[IF_NAMESIZE];
	unsigned char mac[6];
	/* The longest frame the interface takes: its MTU, Ethernet header. */
	unsigned int max_frame;
	/*
	 * The socket's error once seen (negative): SO_ERROR reads and
	 * clears it, but an unbound socket stays unbound.
	 */
	int err;

	void *umem;
	size_t umem_len;
	unsigned int frame_size;
	/* Frames [0, nr_rx) receive; [nr_rx, nr_rx + nr_tx) send. */
	unsigned int nr_rx;
	unsigned int nr_tx;

	struct cham_ring fill;	/* we produce free receive frames */
	struct cham_ring rx;	/* the kernel produces received frames */
	struct cham_ring tx;	/* we produce frames to send */
	struct cham_ring comp;	/* the kernel produces sent frames */

	/* Send frames owned by us (not in the TX ring), as a stack. */
	__u64 *tx_free;
	unsigned int tx_nr_free;

	struct cham_guest_counters own;
};

static inline __u32 ring_load_acquire(const __u32 *index)
{
	return __atomic_load_n(index, __ATOMIC_ACQUIRE);
}

static inline void ring_store_release(__u32 *index, __u32 value)
{
	__atomic_store_n(index, value, __ATOMIC_RELEASE);
}

/* Producer side: how many slots we may fill, at least want if possible. */
static inline __u32 ring_prod_free(struct cham_ring *r, __u32 want)
{
	__u32 free = r->size - (r->cached_prod - r->cached_cons);

	if (free >= want)
		return free;
	r->cached_cons = ring_load_acquire(r->consumer);
	return r->size - (r->cached_prod - r->cached_cons);
}

/* Producer side: publishes the slots written since the last submit. */
static inline void ring_prod_submit(struct cham_ring *r)
{
	ring_store_release(r->producer, r->cached_prod);
}

/* Consumer side: how many filled slots wait for us, want if possible. */
static inline __u32 ring_cons_avail(struct cham_ring *r, __u32 want)
{
	__u32 avail = r->cached_prod - r->cached_cons;

	if (avail >= want)
		return avail;
	r->cached_prod = ring_load_acquire(r->producer);
	return r->cached_prod - r->cached_cons;
}

/* Consumer side: hands the slots read so far back to the producer. */
static inline void ring_cons_release(struct cham_ring *r)
{
	ring_store_release(r->consumer, r->cached_cons);
}

static inline __u64 *ring_addr(struct cham_ring *r, __u32 index)
{
	return &((__u64 *)r->descs)[index & r->mask];
}

static inline struct xdp_desc *ring_desc(struct cham_ring *r, __u32 index)
{
	return &((struct xdp_desc *)r->descs)[index & r->mask];
}

/* io.c */
void guest_fill_all(struct cham_guest *g);
unsigned int guest_reap_completions(struct cham_guest *g);

#endif /* CHAMGUEST_INTERNAL_H */
