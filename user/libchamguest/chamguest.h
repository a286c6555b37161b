/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libchamguest: attach a guest process to its Chamelio guest link over
 * AF_XDP (Documentation/design.md, "Guests").
 *
 * chamctl creates the link (a veth pair whose guest side is in the guest's
 * network namespace) and pins the XSKMAP of the guest side's XDP program at
 * <pin_root>/<name>/xsks, owned by the tenant's owner. A guest process opens
 * an AF_XDP socket (copy mode, queue 0) on the guest side, registers its
 * own UMEM and puts the socket into that map; from then on every frame the
 * guest side receives lands in the socket, and what the process sends
 * reaches the tenant's tx handler. The process runs as the owner (or
 * root), with CAP_NET_RAW in the namespace (AF_XDP sockets) and, unless it
 * is root, an RLIMIT_MEMLOCK of at least the UMEM (nr_frames * frame_size).
 *
 * The process must run in the guest's network namespace with /sys/fs/bpf
 * visible: start it with "nsenter --net=/run/netns/NS", not with
 * "ip netns exec NS", which remounts /sys and hides the pinned map.
 *
 * Frames returned by cham_guest_recv() stay valid until they are handed
 * back with cham_guest_release(). cham_guest_send() copies the frame, so
 * the caller may reuse its buffer (or send a received frame and release it
 * right after). Not thread safe: one thread per struct cham_guest.
 */
#ifndef CHAMGUEST_H
#define CHAMGUEST_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct cham_guest;

/* Zero (or a NULL opts) means the default for every member. */
struct cham_guest_opts {
	/* The guest-side interface; default: the guest name. */
	const char *ifname;
	/*
	 * Where chamctl pins the guests' maps; default: environment
	 * variable CHAM_GUEST_PIN_ROOT, else /sys/fs/bpf/chamelio-guests.
	 */
	const char *pin_root;
	/* Bytes per UMEM frame, a power of two; default 2048. */
	unsigned int frame_size;
	/* UMEM frames, half for receiving, half for sending; default 4096. */
	unsigned int nr_frames;
	/* Descriptors of the RX and TX rings, a power of two; default 2048. */
	unsigned int ring_size;
};

/*
 * Attaches the calling process to guest NAME. Returns NULL on failure with
 * errno set and a one-line message (naming the guest) in err, if err is not
 * NULL.
 */
struct cham_guest *cham_guest_attach(const char *name,
				     const struct cham_guest_opts *opts,
				     char *err, size_t err_len);
/*
 * Transmits what is still queued, closes the socket (which removes it from
 * the guest's XSKMAP: frames then count as no_socket) and frees everything.
 */
void cham_guest_detach(struct cham_guest *g);
/*
 * The AF_XDP socket, for poll()/epoll (POLLIN: frames to receive). The
 * socket raises no poll event when its interface goes away: a caller
 * waiting on it itself should call cham_guest_poll(g, 0) now and then
 * (say every second) to learn it.
 */
int cham_guest_fd(const struct cham_guest *g);
/*
 * Waits for frames: >0 readable, 0 on timeout, -errno (-EINTR on a
 * signal, -ENETDOWN once the interface is gone, within a second even
 * with timeout_ms -1, and from then on).
 */
int cham_guest_poll(struct cham_guest *g, int timeout_ms);

/* A received frame: data points into the UMEM; addr identifies the frame. */
struct cham_frame {
	void *data;
	unsigned int len;
	unsigned long long addr;
};

/* Takes up to max received frames; returns how many (0: none waiting). */
int cham_guest_recv(struct cham_guest *g, struct cham_frame *frames,
		    unsigned int max);
/* Gives received frames back to the kernel for new packets. */
void cham_guest_release(struct cham_guest *g, const struct cham_frame *frames,
			unsigned int n);
/*
 * Queues a copy of an Ethernet frame for transmission: 0, -EAGAIN when no
 * send buffer is free (call cham_guest_flush() and retry), -EMSGSIZE when
 * it does not fit a UMEM frame or is longer than the interface's MTU
 * (read at attach) plus the Ethernet header, which the link would drop
 * without a word, -EINVAL for an empty frame. Copy mode sends nothing
 * before cham_guest_flush().
 */
int cham_guest_send(struct cham_guest *g, const void *frame, unsigned int len);
/*
 * Transmits the queued frames and recycles the send buffers the kernel is
 * done with: 0, -EAGAIN when frames are still queued because the socket's
 * send buffer is full (flush again later; they are not lost), or another
 * -errno (-ENXIO, -ENETDOWN: the interface went away).
 */
int cham_guest_flush(struct cham_guest *g);
/* The MAC address of the guest-side interface: 0 or -errno. */
int cham_guest_mac(const struct cham_guest *g, unsigned char mac[6]);

struct cham_guest_counters {
	/* Counted by the library. */
	unsigned long long rx_frames;	/* returned by cham_guest_recv() */
	unsigned long long rx_bytes;
	unsigned long long tx_frames;	/* accepted by cham_guest_send() */
	unsigned long long tx_bytes;
	/* The kernel's XDP_STATISTICS of the socket. */
	unsigned long long rx_dropped;	/* dropped for other reasons */
	unsigned long long rx_ring_full;	/* RX ring full */
	unsigned long long rx_invalid_descs;
	unsigned long long tx_invalid_descs;
	unsigned long long fill_ring_empty;	/* no receive buffer */
	unsigned long long tx_ring_empty;
	/* Counted by the library: cham_guest_send() returned -EAGAIN. */
	unsigned long long tx_again;
};

/* Fills c: 0 or -errno. */
int cham_guest_counters(struct cham_guest *g, struct cham_guest_counters *c);

#ifdef __cplusplus
}
#endif

#endif /* CHAMGUEST_H */
