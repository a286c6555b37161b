// SPDX-License-Identifier: GPL-2.0
/*
 * libchamguest: receiving and sending frames over the guest's AF_XDP socket.
 *
 * The UMEM is split in two pools that never mix: receive frames circulate
 * fill ring -> kernel -> RX ring -> caller -> fill ring, send frames
 * circulate free stack -> TX ring -> kernel -> completion ring -> free
 * stack. Because a pool's frames are all the entries its rings can ever
 * hold, no ring can overflow and a busy sender cannot starve reception.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "internal.h"

static __u64 frame_base(const struct cham_guest *g, __u64 addr)
{
	return addr & ~(__u64)(g->frame_size - 1);
}

/* At attach: every receive frame goes to the kernel. */
void guest_fill_all(struct cham_guest *g)
{
	unsigned int i;

	ring_prod_free(&g->fill, g->nr_rx);
	for (i = 0; i < g->nr_rx; i++)
		*ring_addr(&g->fill, g->fill.cached_prod++) =
			(__u64)i * g->frame_size;
	ring_prod_submit(&g->fill);
}

/* Takes back the send frames the kernel has transmitted (or dropped). */
unsigned int guest_reap_completions(struct cham_guest *g)
{
	__u32 n, i;

	n = ring_cons_avail(&g->comp, g->nr_tx);
	for (i = 0; i < n && g->tx_nr_free < g->nr_tx; i++)
		g->tx_free[g->tx_nr_free++] =
			frame_base(g, *ring_addr(&g->comp, g->comp.cached_cons++));
	if (i)
		ring_cons_release(&g->comp);
	return i;
}

/*
 * The socket's error, kept once seen: when its interface goes away the
 * kernel sets it (ENETDOWN) and unbinds the socket for good.
 */
static int socket_error(struct cham_guest *g)
{
	socklen_t len = sizeof(int);
	int err = 0;

	if (g->err)
		return g->err;
	if (getsockopt(g->fd, SOL_SOCKET, SO_ERROR, &err, &len))
		return -errno;
	g->err = -err;
	return g->err;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The socket does not report errors through poll(): if its interface goes
 * away it sets its error, but poll() sees no event, and an unbound socket
 * never becomes readable again. So the wait is cut into slices, and the
 * error checked after each, so that a guest whose link was deleted learns
 * it within a slice even when it waits forever.
 */
#define POLL_SLICE_MS	1000

int cham_guest_poll(struct cham_guest *g, int timeout_ms)
{
	struct pollfd pfd = { .fd = g->fd, .events = POLLIN };
	long long deadline = 0, left;
	int ret, slice;

	if (g->err)
		return g->err;
	if (ring_cons_avail(&g->rx, 1))
		return 1;
	if (timeout_ms > 0)
		deadline = now_ms() + timeout_ms;
	for (;;) {
		slice = POLL_SLICE_MS;
		if (timeout_ms >= 0) {
			left = timeout_ms ? deadline - now_ms() : 0;
			if (left < slice)
				slice = left > 0 ? (int)left : 0;
		}
		ret = poll(&pfd, 1, slice);
		if (ret < 0)
			return -errno;
		if (ret) {
			if (pfd.revents & POLLIN)
				return ret;
			return socket_error(g) ?: -EIO;
		}
		ret = socket_error(g);
		if (ret)
			return ret;
		if (timeout_ms >= 0 && slice < POLL_SLICE_MS)
			return 0;
	}
}

int cham_guest_recv(struct cham_guest *g, struct cham_frame *frames,
		    unsigned int max)
{
	const struct xdp_desc *desc;
	__u32 n, i;

	n = ring_cons_avail(&g->rx, max);
	if (n > max)
		n = max;
	for (i = 0; i < n; i++) {
		desc = ring_desc(&g->rx, g->rx.cached_cons++);
		frames[i].addr = desc->addr;
		frames[i].len = desc->len;
		frames[i].data = (char *)g->umem + desc->addr;
		g->own.rx_bytes += desc->len;
	}
	if (n)
		ring_cons_release(&g->rx);
	g->own.rx_frames += n;
	return n;
}

void cham_guest_release(struct cham_guest *g, const struct cham_frame *frames,
			unsigned int n)
{
	__u32 room, i;

	/*
	 * The fill ring has room for twice the receive pool (attach.c), so
	 * this only truncates for a caller releasing a frame twice.
	 */
	room = ring_prod_free(&g->fill, n);
	if (n > room)
		n = room;
	for (i = 0; i < n; i++)
		*ring_addr(&g->fill, g->fill.cached_prod++) =
			frame_base(g, frames[i].addr);
	if (n)
		ring_prod_submit(&g->fill);
}

int cham_guest_send(struct cham_guest *g, const void *frame, unsigned int len)
{
	struct xdp_desc *desc;
	__u64 addr;

	if (!len)
		return -EINVAL;
	if (len > g->frame_size || len > g->max_frame)
		return -EMSGSIZE;
	if (!g->tx_nr_free)
		guest_reap_completions(g);
	if (!g->tx_nr_free || !ring_prod_free(&g->tx, 1)) {
		g->own.tx_again++;
		return -EAGAIN;
	}
	addr = g->tx_free[--g->tx_nr_free];
	memcpy((char *)g->umem + addr, frame, len);
	desc = ring_desc(&g->tx, g->tx.cached_prod++);
	desc->addr = addr;
	desc->len = len;
	desc->options = 0;
	/* Published by cham_guest_flush(): one release store per batch. */
	g->own.tx_frames++;
	g->own.tx_bytes += len;
	return 0;
}

/*
 * In copy mode the kernel transmits only inside a system call on the
 * socket: sendto() takes up to TX_BATCH descriptors (TX_BATCH_SIZE in
 * net/xdp/xsk.c) and answers EAGAIN when more are left, or when the
 * socket's send buffer is full of frames the peer has not consumed yet.
 * It stops at the first frame the device drops (a link that is down, a
 * full veth ring), consumes it and answers EBUSY: such a kick may take a
 * single frame.
 *
 * The kernel publishes its consumer index lazily, only once it has used
 * up the descriptors it last saw, so an index that did not move does not
 * mean no progress. Hence a budget of kicks, enough to take every pending
 * descriptor a batch at a time plus a little: an EBUSY kick gives its
 * kick back (it consumed a descriptor, so there are at most as many as
 * were pending), and a consumer index that moved renews the budget for
 * what is left. Only a device that takes nothing, kick after kick, uses
 * it up, and then we stop rather than spin.
 */
#define TX_BATCH	32

static unsigned int kick_budget(__u32 pending)
{
	return pending / TX_BATCH + 2;
}

int cham_guest_flush(struct cham_guest *g)
{
	__u32 pending, consumer, now;
	unsigned int budget;
	int ret = 0;

	ring_prod_submit(&g->tx);
	consumer = ring_load_acquire(g->tx.consumer);
	pending = g->tx.cached_prod - consumer;
	budget = kick_budget(pending);
	while (pending && budget) {
		if (sendto(g->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 &&
		    errno != EBUSY) {
			if (errno != EAGAIN && errno != EINTR) {
				ret = -errno;
				break;
			}
			budget--;
		}
		now = ring_load_acquire(g->tx.consumer);
		if (now != consumer) {
			consumer = now;
			pending = g->tx.cached_prod - consumer;
			budget = kick_budget(pending);
		}
	}
	if (!ret && pending)
		ret = -EAGAIN;
	guest_reap_completions(g);
	return ret;
}
