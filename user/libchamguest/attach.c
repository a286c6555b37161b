// SPDX-License-Identifier: GPL-2.0
/*
 * libchamguest: attaching a guest process to its link and detaching it.
 *
 * No libbpf: the guest needs no BPF program of its own, only to open one
 * pinned map and store its socket in it, so three bpf(2) commands do, and
 * guest programs do not inherit a libbpf version of their own.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/chamelio.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

#ifndef AF_XDP
#define AF_XDP 44
#endif
#ifndef SOL_XDP
#define SOL_XDP 283
#endif

#define DEFAULT_PIN_ROOT	"/sys/fs/bpf/chamelio-guests"
#define DEFAULT_FRAME_SIZE	2048
#define DEFAULT_NR_FRAMES	4096
#define DEFAULT_RING_SIZE	2048

static void __attribute__((format(printf, 3, 4)))
set_err(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	if (!err || !err_len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
}

static int sys_bpf(enum bpf_cmd cmd, union bpf_attr *attr)
{
	return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static bool is_pow2(unsigned int x)
{
	return x && !(x & (x - 1));
}

static unsigned int roundup_pow2(unsigned int x)
{
	unsigned int p = 1;

	while (p < x)
		p <<= 1;
	return p;
}

/* The tenant-name rules: the name becomes a directory under the pin root. */
static bool guest_name_ok(const char *name)
{
	size_t len = strlen(name);
	const char *c;

	if (!len || len >= CHAM_NAME_LEN)
		return false;
	for (c = name; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '_' && *c != '-')
			return false;
	return true;
}

/*
 * Opens the guest's pinned XSKMAP. Its file mode is the authorization: only
 * the tenant's owner (or root) may open it for writing.
 */
static int open_xskmap(const char *name, const char *root, char *err,
		       size_t err_len)
{
	struct bpf_map_info info = { 0 };
	union bpf_attr attr;
	char path[4096];
	int fd, e;

	if (snprintf(path, sizeof(path), "%s/%s/xsks", root, name) >=
	    (int)sizeof(path)) {
		set_err(err, err_len, "guest %s: pin root '%s' is too long",
			name, root);
		errno = ENAMETOOLONG;
		return -1;
	}
	memset(&attr, 0, sizeof(attr));
	attr.pathname = (__u64)(unsigned long)path;
	fd = sys_bpf(BPF_OBJ_GET, &attr);
	if (fd < 0) {
		e = errno;
		if (e == ENOENT && access(root, F_OK))
			/* Say why: a missing bpffs is the likely mistake. */
			set_err(err, err_len,
				"no guest %s on this host (no %s: is the bpf file system mounted? \"ip netns exec\" hides it, use \"nsenter --net=\")",
				name, root);
		else if (e == ENOENT)
			set_err(err, err_len, "no guest %s on this host", name);
		else if (e == EACCES || e == EPERM)
			/*
			 * Also what a pin root the user cannot search gives
			 * (systemd mounts bpffs with mode 0700): say both.
			 */
			set_err(err, err_len,
				"guest %s: cannot open %s: permission denied (guest %s belongs to a tenant this user does not own, or a directory above it is not searchable)",
				name, path, name);
		else
			set_err(err, err_len, "guest %s: cannot open %s: %s",
				name, path, strerror(e));
		errno = e;
		return -1;
	}

	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = (__u64)(unsigned long)&info;
	if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr) ||
	    info.type != BPF_MAP_TYPE_XSKMAP) {
		set_err(err, err_len, "guest %s: %s is not an XSKMAP", name,
			path);
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

/*
 * The interface's MAC and MTU. A plain datagram socket answers interface
 * ioctls for the namespace it was created in; sysfs would show the
 * namespace it was mounted in, which under nsenter is the host's.
 */
static int read_link(struct cham_guest *g)
{
	struct ifreq ifr = { 0 };
	int fd, ret = -1;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	memcpy(ifr.ifr_name, g->ifname, sizeof(g->ifname));
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		goto out;
	memcpy(g->mac, ifr.ifr_hwaddr.sa_data, sizeof(g->mac));
	if (ioctl(fd, SIOCGIFMTU, &ifr))
		goto out;
	/*
	 * veth drops a longer frame silently (its peer checks the MTU), so
	 * cham_guest_send() refuses it instead. Untagged: the module drops
	 * a guest's tagged frames anyway.
	 */
	g->max_frame = (unsigned int)ifr.ifr_mtu + ETH_HLEN;
	ret = 0;
out:
	close(fd);
	return ret;
}

static int setup_umem(struct cham_guest *g, char *err, size_t err_len)
{
	struct xdp_umem_reg reg;
	struct rlimit lim;
	int e;

	g->umem = mmap(NULL, g->umem_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->umem == MAP_FAILED) {
		e = errno;
		g->umem = NULL;
		set_err(err, err_len, "guest %s: cannot allocate %zu KiB of UMEM: %s",
			g->name, g->umem_len >> 10, strerror(e));
		errno = e;
		return -1;
	}
	memset(&reg, 0, sizeof(reg));
	reg.addr = (__u64)(unsigned long)g->umem;
	reg.len = g->umem_len;
	reg.chunk_size = g->frame_size;
	if (!setsockopt(g->fd, SOL_XDP, XDP_UMEM_REG, &reg, sizeof(reg)))
		return 0;
	e = errno;
	/* The kernel pins the UMEM and charges it to RLIMIT_MEMLOCK. */
	if (e == ENOBUFS && !getrlimit(RLIMIT_MEMLOCK, &lim) &&
	    lim.rlim_cur != RLIM_INFINITY)
		set_err(err, err_len,
			"guest %s: cannot register %zu KiB of UMEM: %s (locked memory limit %llu KiB: see ulimit -l, or use fewer frames)",
			g->name, g->umem_len >> 10, strerror(e),
			(unsigned long long)lim.rlim_cur >> 10);
	else
		set_err(err, err_len,
			"guest %s: cannot register UMEM (%u frames of %u bytes): %s",
			g->name, g->nr_rx + g->nr_tx, g->frame_size, strerror(e));
	errno = e;
	return -1;
}

static int map_ring(struct cham_guest *g, struct cham_ring *r,
		    const struct xdp_ring_offset *off, size_t desc_size,
		    off_t pgoff)
{
	r->map_len = off->desc + (size_t)r->size * desc_size;
	r->map = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_POPULATE, g->fd, pgoff);
	if (r->map == MAP_FAILED) {
		r->map = NULL;
		return -1;
	}
	r->producer = (__u32 *)((char *)r->map + off->producer);
	r->consumer = (__u32 *)((char *)r->map + off->consumer);
	r->descs = (char *)r->map + off->desc;
	r->mask = r->size - 1;
	r->cached_prod = *r->producer;
	r->cached_cons = *r->consumer;
	return 0;
}

static int setup_rings(struct cham_guest *g, char *err, size_t err_len)
{
	struct xdp_mmap_offsets off;
	socklen_t len = sizeof(off);
	const char *what;
	int e;

	what = "set the ring sizes";
	if (setsockopt(g->fd, SOL_XDP, XDP_UMEM_FILL_RING, &g->fill.size,
		       sizeof(g->fill.size)) ||
	    setsockopt(g->fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &g->comp.size,
		       sizeof(g->comp.size)) ||
	    setsockopt(g->fd, SOL_XDP, XDP_RX_RING, &g->rx.size,
		       sizeof(g->rx.size)) ||
	    setsockopt(g->fd, SOL_XDP, XDP_TX_RING, &g->tx.size,
		       sizeof(g->tx.size)))
		goto fail;
	what = "read the ring offsets";
	if (getsockopt(g->fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &len))
		goto fail;
	what = "map the rings";
	if (map_ring(g, &g->fill, &off.fr, sizeof(__u64),
		     XDP_UMEM_PGOFF_FILL_RING) ||
	    map_ring(g, &g->comp, &off.cr, sizeof(__u64),
		     XDP_UMEM_PGOFF_COMPLETION_RING) ||
	    map_ring(g, &g->rx, &off.rx, sizeof(struct xdp_desc),
		     XDP_PGOFF_RX_RING) ||
	    map_ring(g, &g->tx, &off.tx, sizeof(struct xdp_desc),
		     XDP_PGOFF_TX_RING))
		goto fail;
	return 0;
fail:
	e = errno;
	set_err(err, err_len, "guest %s: cannot %s: %s", g->name, what,
		strerror(e));
	errno = e;
	return -1;
}

/*
 * veth has no AF_XDP zero-copy support: the kernel copies each frame
 * between the socket's UMEM and an skb, so copy mode is the only mode.
 */
static int bind_socket(struct cham_guest *g, unsigned int ifindex, char *err,
		       size_t err_len)
{
	struct sockaddr_xdp sxdp = {
		.sxdp_family = AF_XDP,
		.sxdp_flags = XDP_COPY,
		.sxdp_ifindex = ifindex,
		.sxdp_queue_id = 0,
	};
	int e;

	if (!bind(g->fd, (struct sockaddr *)&sxdp, sizeof(sxdp)))
		return 0;
	e = errno;
	if (e == EBUSY)
		/* One UMEM per device queue: someone else's socket is there. */
		set_err(err, err_len,
			"guest %s is already attached (%s queue 0 has an AF_XDP socket)",
			g->name, g->ifname);
	else
		set_err(err, err_len, "guest %s: cannot bind to %s queue 0: %s",
			g->name, g->ifname, strerror(e));
	errno = e;
	return -1;
}

/*
 * BPF_NOEXIST: a socket already in the map belongs to a live process (a
 * closed socket leaves the map by itself), which must not be displaced.
 */
static int insert_socket(struct cham_guest *g, int map_fd, char *err,
			 size_t err_len)
{
	__u32 key = 0, value = g->fd;
	union bpf_attr attr;
	int e;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = map_fd;
	attr.key = (__u64)(unsigned long)&key;
	attr.value = (__u64)(unsigned long)&value;
	attr.flags = BPF_NOEXIST;
	if (!sys_bpf(BPF_MAP_UPDATE_ELEM, &attr))
		return 0;
	e = errno;
	if (e == EEXIST)
		set_err(err, err_len,
			"guest %s is already attached by another process",
			g->name);
	else
		set_err(err, err_len,
			"guest %s: cannot insert the socket into its XSKMAP: %s",
			g->name, strerror(e));
	errno = e;
	return -1;
}

static int resolve_opts(const char *name, const struct cham_guest_opts *in,
			struct cham_guest_opts *o, char *err, size_t err_len)
{
	if (in)
		*o = *in;
	else
		memset(o, 0, sizeof(*o));
	if (!o->ifname)
		o->ifname = name;
	if (!o->pin_root)
		o->pin_root = getenv("CHAM_GUEST_PIN_ROOT");
	if (!o->pin_root || !*o->pin_root)
		o->pin_root = DEFAULT_PIN_ROOT;
	if (!o->frame_size)
		o->frame_size = DEFAULT_FRAME_SIZE;
	if (!o->nr_frames)
		o->nr_frames = DEFAULT_NR_FRAMES;
	if (!o->ring_size)
		o->ring_size = DEFAULT_RING_SIZE;

	if (!guest_name_ok(name)) {
		set_err(err, err_len,
			"invalid guest name '%s' (1 to %d letters, digits, '_' or '-')",
			name, CHAM_NAME_LEN - 1);
	} else if (!*o->ifname || strlen(o->ifname) >= IF_NAMESIZE) {
		set_err(err, err_len, "guest %s: invalid interface name '%s'",
			name, o->ifname);
	} else if (!is_pow2(o->frame_size) || o->frame_size < 2048) {
		set_err(err, err_len,
			"guest %s: frame size %u is not a power of two of at least 2048",
			name, o->frame_size);
	} else if (o->nr_frames < 2 || o->nr_frames > (1U << 20)) {
		set_err(err, err_len, "guest %s: %u frames (2 to %u)", name,
			o->nr_frames, 1U << 20);
	} else if (!is_pow2(o->ring_size) || o->ring_size > (1U << 20)) {
		set_err(err, err_len,
			"guest %s: ring size %u is not a power of two up to %u",
			name, o->ring_size, 1U << 20);
	} else {
		return 0;
	}
	errno = EINVAL;
	return -1;
}

static struct cham_guest *guest_alloc(const char *name,
				      const struct cham_guest_opts *o)
{
	struct cham_guest *g;
	unsigned int i;

	g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->fd = -1;
	snprintf(g->name, sizeof(g->name), "%s", name);
	snprintf(g->ifname, sizeof(g->ifname), "%s", o->ifname);
	g->frame_size = o->frame_size;
	g->nr_rx = o->nr_frames / 2;
	g->nr_tx = o->nr_frames - g->nr_rx;
	g->umem_len = (size_t)o->nr_frames * o->frame_size;
	/*
	 * The fill ring holds every receive frame we own, with room to
	 * spare: the kernel publishes how far it consumed lazily, and a
	 * returned frame must never find the ring full.
	 */
	g->fill.size = roundup_pow2(2 * g->nr_rx);
	/* At most nr_tx sends are outstanding, so they always complete. */
	g->comp.size = roundup_pow2(g->nr_tx);
	g->rx.size = o->ring_size;
	g->tx.size = o->ring_size;
	g->tx_free = calloc(g->nr_tx, sizeof(*g->tx_free));
	if (!g->tx_free) {
		free(g);
		return NULL;
	}
	for (i = 0; i < g->nr_tx; i++)
		g->tx_free[i] = (__u64)(g->nr_rx + i) * g->frame_size;
	g->tx_nr_free = g->nr_tx;
	return g;
}

static void unmap_ring(struct cham_ring *r)
{
	if (r->map)
		munmap(r->map, r->map_len);
	r->map = NULL;
}

static void guest_free(struct cham_guest *g)
{
	unmap_ring(&g->fill);
	unmap_ring(&g->comp);
	unmap_ring(&g->rx);
	unmap_ring(&g->tx);
	/* Also takes the socket out of the XSKMAP: the kernel does so. */
	if (g->fd >= 0)
		close(g->fd);
	if (g->umem)
		munmap(g->umem, g->umem_len);
	free(g->tx_free);
	free(g);
}

/* The steps after the map is open, in the order the kernel needs them. */
static int guest_open(struct cham_guest *g, int map_fd, char *err,
		      size_t err_len)
{
	unsigned int ifindex;
	int e;

	ifindex = if_nametoindex(g->ifname);
	if (!ifindex) {
		e = errno == ENXIO ? ENODEV : errno;
		set_err(err, err_len,
			"guest %s has no interface %s in this network namespace",
			g->name, g->ifname);
		errno = e;
		return -1;
	}
	if (read_link(g)) {
		e = errno;
		set_err(err, err_len, "guest %s: cannot read the MAC address and MTU of %s: %s",
			g->name, g->ifname, strerror(e));
		errno = e;
		return -1;
	}
	g->fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (g->fd < 0) {
		e = errno;
		set_err(err, err_len,
			"guest %s: cannot create an AF_XDP socket: %s%s",
			g->name, strerror(e), e == EPERM ?
			" (needs CAP_NET_RAW in the guest's network namespace)" : "");
		errno = e;
		return -1;
	}
	if (setup_umem(g, err, err_len) || setup_rings(g, err, err_len) ||
	    bind_socket(g, ifindex, err, err_len))
		return -1;
	/* Receive buffers first: frames arrive as soon as the map has us. */
	guest_fill_all(g);
	return insert_socket(g, map_fd, err, err_len);
}

struct cham_guest *cham_guest_attach(const char *name,
				     const struct cham_guest_opts *opts,
				     char *err, size_t err_len)
{
	struct cham_guest_opts o;
	struct cham_guest *g;
	int map_fd, e;

	set_err(err, err_len, "%s", "");
	if (!name) {
		set_err(err, err_len, "no guest name");
		errno = EINVAL;
		return NULL;
	}
	if (resolve_opts(name, opts, &o, err, err_len))
		return NULL;
	map_fd = open_xskmap(name, o.pin_root, err, err_len);
	if (map_fd < 0)
		return NULL;
	g = guest_alloc(name, &o);
	if (!g) {
		set_err(err, err_len, "guest %s: out of memory", name);
		close(map_fd);
		errno = ENOMEM;
		return NULL;
	}
	if (guest_open(g, map_fd, err, err_len)) {
		e = errno;
		close(map_fd);
		guest_free(g);
		errno = e;
		return NULL;
	}
	/* The socket stays in the map until it is closed. */
	close(map_fd);
	return g;
}

void cham_guest_detach(struct cham_guest *g)
{
	int e = errno, tries;

	if (!g)
		return;
	/*
	 * Frames queued but not yet taken by the kernel would be lost with
	 * the socket. -EAGAIN: the socket's send buffer is full of frames
	 * the peer has not consumed yet; give it a moment, not forever.
	 */
	for (tries = 0; tries < 50; tries++) {
		if (cham_guest_flush(g) != -EAGAIN)
			break;
		usleep(1000);
	}
	guest_free(g);
	errno = e;
}

int cham_guest_fd(const struct cham_guest *g)
{
	return g->fd;
}

int cham_guest_mac(const struct cham_guest *g, unsigned char mac[6])
{
	memcpy(mac, g->mac, sizeof(g->mac));
	return 0;
}

int cham_guest_counters(struct cham_guest *g, struct cham_guest_counters *c)
{
	struct xdp_statistics st;
	socklen_t len = sizeof(st);

	memset(&st, 0, sizeof(st));
	if (getsockopt(g->fd, SOL_XDP, XDP_STATISTICS, &st, &len))
		return -errno;
	*c = g->own;
	c->rx_dropped = st.rx_dropped;
	c->rx_ring_full = st.rx_ring_full;
	c->rx_invalid_descs = st.rx_invalid_descs;
	c->tx_invalid_descs = st.tx_invalid_descs;
	c->fill_ring_empty = st.rx_fill_ring_empty_descs;
	c->tx_ring_empty = st.tx_ring_empty_descs;
	return 0;
}
