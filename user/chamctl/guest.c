// SPDX-License-Identifier: GPL-2.0
/*
 * chamctl guest: a tenant's VMs and containers, attached over AF_XDP
 * (Documentation/design.md, "Guests").
 *
 * A guest is a veth pair. The host side, "chg<ID>" in the initial network
 * namespace, runs the provider program as a port does: what the guest
 * sends arrives there and goes to the tenant's tx handler. The guest side,
 * in the guest's namespace, runs bpf/cham_guest.bpf.c, which hands every
 * frame to the AF_XDP socket the guest process put into its XSKMAP. That
 * map is pinned at GUEST_PIN_ROOT/NAME/xsks and owned by the tenant's
 * owner: the file permission is what lets the guest process, and nobody
 * else but root, attach its socket. The program's counters are pinned
 * beside it, root's and read-only. Then the module learns the guest's id,
 * device, MAC and addresses (CHAM_CMD_GUEST_NEW), and only then is the
 * host side brought up.
 *
 * guest add does all of it or, if a step fails, undoes the steps before.
 */
#define _GNU_SOURCE	/* setns, O_PATH */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/nsfs.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cham_guest.skel.h"
#include "monitor.h"
#include "names.h"
#include "nl.h"
#include "output.h"
#include "proto.h"
#include "rtnl.h"
#include "stats.h"

/*
 * Not under PIN_DIR_DEFAULT: that directory's entries are tenant names
 * (protocol links), and a tenant named "guests" would collide.
 */
#define GUEST_PIN_ROOT		"/sys/fs/bpf/chamelio-guests"
/* The pins of a guest, under GUEST_PIN_ROOT/NAME. */
#define GUEST_PIN_XSKS		"xsks"
#define GUEST_PIN_COUNTERS	"counters"

/*
 * Pinning relative to a directory fd came with Linux 6.5, and the installed
 * <linux/bpf.h> may be older (there it is an enum, which #ifndef cannot
 * see; the same value defined again is harmless).
 */
#ifndef BPF_F_PATH_FD
#define BPF_F_PATH_FD		(1U << 14)
#endif

/* The host side of guest ID's link is "chg<ID>". */
#define GUEST_HOST_IF_PREFIX	"chg"

/* "aa:bb:cc:dd:ee:ff" */
#define MAC_STRLEN		(3 * ETH_ALEN)

/*
 * The kernel keeps at most CHAM_GUEST_ADDRS_MAX; room for more lets a
 * newer kernel's longer lists show.
 */
#define GUEST_ADDRS_ROOM	(4 * CHAM_GUEST_ADDRS_MAX)

/* ---- names and references ------------------------------------------------ */

/*
 * As the kernel takes tenant names: letters, digits, '_' and '-', not all
 * digits. chamctl checks them itself because the name becomes a directory
 * under GUEST_PIN_ROOT before the kernel sees it.
 */
static bool guest_name_ok(const char *name)
{
	const char *p;

	if (!*name || strlen(name) >= CHAM_NAME_LEN || is_all_digits(name))
		return false;
	for (p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			return false;
	return true;
}

/* A guest on the command line: all digits is an id, as for tenants. */
struct guest_ref {
	bool by_id;
	uint32_t id;
	const char *name;
};

static void parse_guest_ref(const struct chamctl_cmd *cmd, const char *arg,
			    struct guest_ref *ref)
{
	uint64_t id;

	memset(ref, 0, sizeof(*ref));
	if (is_all_digits(arg)) {
		if (!parse_uint(arg, UINT32_MAX, &id))
			usage_error(cmd, "guest id '%s' is out of range (1 to %u)", arg,
				    CHAM_GUEST_ID_MAX);
		ref->by_id = true;
		ref->id = id;
		return;
	}
	if (!guest_name_ok(arg))
		usage_error(cmd, "'%s' is no guest name (up to %d letters, digits, '_' or '-')",
			    arg, CHAM_NAME_LEN - 1);
	ref->name = arg;
}

static void put_guest_ref(struct nlmsghdr *nlh, const struct guest_ref *ref)
{
	if (ref->by_id)
		mnl_attr_put_u32(nlh, CHAM_A_GUEST_ID, ref->id);
	else
		mnl_attr_put_strz(nlh, CHAM_A_GUEST_NAME, ref->name);
}

static bool parse_mac(const char *arg, uint8_t mac[ETH_ALEN])
{
	int end = 0;

	if (strlen(arg) != MAC_STRLEN - 1 ||
	    sscanf(arg, "%2hhx:%2hhx:%2hhx:%2hhx:%2hhx:%2hhx%n", &mac[0],
		   &mac[1], &mac[2], &mac[3], &mac[4], &mac[5], &end) != 6 ||
	    end != MAC_STRLEN - 1)
		return false;
	return true;
}

static void format_mac(const uint8_t mac[ETH_ALEN], char buf[MAC_STRLEN])
{
	snprintf(buf, MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0],
		 mac[1], mac[2], mac[3], mac[4], mac[5]);
}

static bool mac_is_unicast(const uint8_t mac[ETH_ALEN])
{
	static const uint8_t zero[ETH_ALEN];

	return !(mac[0] & 0x01) && memcmp(mac, zero, ETH_ALEN);
}

/* A random locally administered unicast address, as the kernel makes them. */
static int random_mac(uint8_t mac[ETH_ALEN])
{
	if (getrandom(mac, ETH_ALEN, 0) != ETH_ALEN)
		return fail_errno(errno, "drawing a random MAC address");
	mac[0] = (mac[0] & ~0x01) | 0x02;
	return 0;
}

/* "chamctl: WHAT: strerror(err) (DETAIL)", as the kernel's refusals read. */
__attribute__((format(printf, 3, 4)))
static int fail_errno_detail(int err, const char *detail, const char *fmt,
			     ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail_errno(err, detail, fmt, ap);
	va_end(ap);
	return EXIT_FAIL;
}

/* ---- reading guests ------------------------------------------------------ */

struct guest_info {
	uint32_t id;
	char name[CHAM_NAME_LEN];
	uint32_t tenant_id;
	char tenant[CHAM_NAME_LEN];
	uint32_t ifindex;		/* 0: the host side was deleted */
	char ifname[IF_NAMESIZE];
	bool has_mac;
	uint8_t mac[ETH_ALEN];
	struct ip_prefix addrs[GUEST_ADDRS_ROOM];
	unsigned int n_addrs;
	struct {
		uint64_t packets, bytes;
		uint64_t verdicts[__CHAM_VERDICT_MAX];
		uint64_t drops[__CHAM_DROP_MAX];
		uint64_t parse_errors[__CHAM_PARSE_MAX];
	} tx;
	struct {
		uint64_t packets, bytes;
	} rx;
	/* The guest side's counters, from its pinned map when readable. */
	bool has_link;
	struct cham_guest_link_stats link;
};

struct guest_list {
	struct guest_info *guests;
	size_t count, cap;
};


static int guest_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CHAM_A_MAX + 1], *stb[CHAM_A_STAT_MAX + 1];
	struct guest_list *list = data;
	struct guest_info *g;

	nl_parse(nlh, cham_attr_types, CHAM_A_MAX, tb);
	if (!tb[CHAM_A_GUEST_ID])
		return -EPROTO;
	list->guests = grow_array(list->guests, &list->cap, list->count + 1,
				  sizeof(*list->guests));
	g = &list->guests[list->count++];
	memset(g, 0, sizeof(*g));
	g->id = mnl_attr_get_u32(tb[CHAM_A_GUEST_ID]);
	nl_attr_copy_str(g->name, sizeof(g->name), tb[CHAM_A_GUEST_NAME]);
	if (tb[CHAM_A_TENANT_ID])
		g->tenant_id = mnl_attr_get_u32(tb[CHAM_A_TENANT_ID]);
	nl_attr_copy_str(g->tenant, sizeof(g->tenant), tb[CHAM_A_TENANT_NAME]);
	if (tb[CHAM_A_GUEST_IFINDEX])
		g->ifindex = mnl_attr_get_u32(tb[CHAM_A_GUEST_IFINDEX]);
	/* The module sends no name (a rename could tear it): resolve here. */
	if (g->ifindex && !if_indextoname(g->ifindex, g->ifname))
		g->ifname[0] = '\0';
	sanitize_text(g->ifname);
	if (tb[CHAM_A_GUEST_MAC] &&
	    mnl_attr_get_payload_len(tb[CHAM_A_GUEST_MAC]) == ETH_ALEN) {
		g->has_mac = true;
		memcpy(g->mac, mnl_attr_get_payload(tb[CHAM_A_GUEST_MAC]),
		       ETH_ALEN);
	}
	if (tb[CHAM_A_GUEST_ADDRS])
		g->n_addrs = nl_parse_prefixes(tb[CHAM_A_GUEST_ADDRS], g->addrs,
					       GUEST_ADDRS_ROOM);
	if (tb[CHAM_A_GUEST_TX_STATS]) {
		nl_parse_nested(tb[CHAM_A_GUEST_TX_STATS], stat_attr_types,
				CHAM_A_STAT_MAX, stb);
		g->tx.packets = stat_u64(stb[CHAM_A_STAT_PACKETS]);
		g->tx.bytes = stat_u64(stb[CHAM_A_STAT_BYTES]);
		stat_counters_parse(stb[CHAM_A_STAT_VERDICTS], g->tx.verdicts,
				    __CHAM_VERDICT_MAX);
		stat_counters_parse(stb[CHAM_A_STAT_DROPS], g->tx.drops,
				    __CHAM_DROP_MAX);
		stat_counters_parse(stb[CHAM_A_STAT_PARSE_ERRORS],
				    g->tx.parse_errors, __CHAM_PARSE_MAX);
	}
	if (tb[CHAM_A_GUEST_RX_STATS]) {
		nl_parse_nested(tb[CHAM_A_GUEST_RX_STATS], stat_attr_types,
				CHAM_A_STAT_MAX, stb);
		g->rx.packets = stat_u64(stb[CHAM_A_STAT_PACKETS]);
		g->rx.bytes = stat_u64(stb[CHAM_A_STAT_BYTES]);
	}
	return 0;
}

/* The guest @ref names, or every guest for NULL. 0 or a negative errno. */
static int guest_list_get(const struct guest_ref *ref, struct guest_list *list)
{
	struct nlmsghdr *nlh;
	int err;

	nlh = nl_request(CHAM_CMD_GUEST_GET, !ref);
	if (ref)
		put_guest_ref(nlh, ref);
	err = nl_transact(nlh, guest_cb, list);
	if (!err && ref && !list->count)
		err = -EPROTO;
	return err;
}

int guest_ref_id(const struct chamctl_cmd *cmd, const char *arg,
		 uint32_t *id)
{
	struct guest_list list = {};
	struct guest_ref ref;
	int err;

	parse_guest_ref(cmd, arg, &ref);
	if (ref.by_id) {
		*id = ref.id;
		return 0;
	}
	err = guest_list_get(&ref, &list);
	if (!err)
		*id = list.guests[0].id;
	free(list.guests);
	return err;
}

/* ---- pins ---------------------------------------------------------------- */

/*
 * The guest process runs as the tenant's owner and must reach its pins, so
 * GUEST_PIN_ROOT needs search permission for others (0711: they can look a
 * name up, not list the guests). pin_dir_open() has checked that root owns
 * it and alone may write in it: a directory of anyone else's is refused,
 * never chmodded.
 */
static int make_searchable(int root_fd)
{
	struct stat st;
	int fd, ret = 0;

	if (fstat(root_fd, &st))
		return fail_errno(errno, "%s", GUEST_PIN_ROOT);
	if (st.st_uid != 0)
		return fail("refusing %s: owner uid %u, not root",
			    GUEST_PIN_ROOT, (unsigned int)st.st_uid);
	if ((st.st_mode & 0111) == 0111)
		return 0;
	/* fchmod() needs an fd opened for real, not root_fd's O_PATH. */
	fd = openat(root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fchmod(fd, (st.st_mode & 07777) | 0111))
		ret = fail_errno(errno, "letting guests reach %s",
				 GUEST_PIN_ROOT);
	if (fd >= 0)
		close(fd);
	return ret;
}

/*
 * Pins @skel's maps in GUEST_PIN_ROOT/@name, for a guest of a tenant owned
 * by @owner (0: none). The directory is root's, 0711: its owner could
 * otherwise create entries in it that make guest del's rmdir fail, or
 * remove the pins. The XSKMAP is @owner's, 0600: opening it for writing is
 * what lets a process serve as the guest. The counters are root's, 0444:
 * the owner reads them (guest show) but, not owning the file, cannot
 * chmod it writable and forge what admins read; whoever else knows the
 * name can read two frame counts, which say no more than the host side's
 * interface counters (ip -s link show chg<ID>) already tell everyone.
 *
 * Everything is relative to directory fds and follows no link: the pin
 * root is root's alone (pin_dir_open), so what mkdirat() made stays ours.
 */
static int guest_pin(const char *name, const struct cham_guest *skel,
		     uid_t owner, bool *dir_created)
{
	LIBBPF_OPTS(bpf_obj_pin_opts, pin_opts, .file_flags = BPF_F_PATH_FD);
	const struct {
		const char *file;
		const struct bpf_map *map;
		uid_t uid;
		mode_t mode;
	} pins[] = {
		{ GUEST_PIN_XSKS, skel->maps.xsks, owner, 0600 },
		{ GUEST_PIN_COUNTERS, skel->maps.counters, 0, 0444 },
	};
	int root_fd, dir_fd = -1, ret = EXIT_FAIL;
	size_t i;

	root_fd = pin_dir_open(GUEST_PIN_ROOT, 0711, false);
	if (root_fd < 0)
		return EXIT_FAIL;
	if (owner && make_searchable(root_fd))
		goto out;
	/* Only ever pins of our own: a directory left over is not ours. */
	if (mkdirat(root_fd, name, 0711)) {
		if (errno == EEXIST)
			fail("%s/%s exists: a guest %s was not deleted cleanly; remove it first",
			     GUEST_PIN_ROOT, name, name);
		else
			fail_errno(errno, "creating %s/%s", GUEST_PIN_ROOT,
				   name);
		goto out;
	}
	*dir_created = true;
	dir_fd = openat(root_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW |
				       O_CLOEXEC);
	/* The umask may have taken the search bits the owner needs. */
	if (dir_fd < 0 || fchmodat(root_fd, name, 0711, 0)) {
		fail_errno(errno, "preparing %s/%s", GUEST_PIN_ROOT, name);
		goto out;
	}
	pin_opts.path_fd = dir_fd;
	for (i = 0; i < ARRAY_SIZE(pins); i++) {
		if (bpf_obj_pin_opts(bpf_map__fd(pins[i].map), pins[i].file,
				     &pin_opts)) {
			fail_errno(errno, "pinning %s/%s/%s", GUEST_PIN_ROOT,
				   name, pins[i].file);
			goto out;
		}
		/*
		 * No one but root writes in dir_fd, so the name is still our
		 * pin; fchmodat() has no working AT_SYMLINK_NOFOLLOW.
		 */
		if (fchownat(dir_fd, pins[i].file, pins[i].uid, -1,
			     AT_SYMLINK_NOFOLLOW) ||
		    fchmodat(dir_fd, pins[i].file, pins[i].mode, 0)) {
			fail_errno(errno, "handing %s/%s/%s to uid %u",
				   GUEST_PIN_ROOT, name, pins[i].file,
				   (unsigned int)pins[i].uid);
			goto out;
		}
	}
	ret = 0;
out:
	if (dir_fd >= 0)
		close(dir_fd);
	close(root_fd);
	return ret;
}

/* Removes the pins of guest @name and their directory; none is fine. */
static int guest_unpin(const char *name)
{
	static const char *const files[] = {
		GUEST_PIN_XSKS, GUEST_PIN_COUNTERS,
	};
	int root_fd, dir_fd, ret = 0;
	size_t i;

	root_fd = pin_dir_open(GUEST_PIN_ROOT, 0, false);
	if (root_fd == -ENOENT)
		return 0;
	if (root_fd < 0)
		return EXIT_FAIL;
	dir_fd = openat(root_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW |
				       O_CLOEXEC);
	if (dir_fd < 0) {
		if (errno != ENOENT)
			ret = fail_errno(errno, "removing %s/%s",
					 GUEST_PIN_ROOT, name);
		close(root_fd);
		return ret;
	}
	for (i = 0; i < ARRAY_SIZE(files); i++)
		if (unlinkat(dir_fd, files[i], 0) && errno != ENOENT)
			ret = fail_errno(errno, "removing %s/%s/%s",
					 GUEST_PIN_ROOT, name, files[i]);
	close(dir_fd);
	if (unlinkat(root_fd, name, AT_REMOVEDIR) && errno != ENOENT)
		ret = fail_errno(errno, "removing %s/%s", GUEST_PIN_ROOT,
				 name);
	close(root_fd);
	return ret;
}

/*
 * The guest side's counters, summed over the CPUs. False if the map is
 * not there or this user may not read it. Only from a pin root that is
 * root's alone: anyone else could have put another map of the same shape
 * there.
 */
static bool guest_link_read(const char *name,
			    struct cham_guest_link_stats *sum)
{
	LIBBPF_OPTS(bpf_obj_get_opts, opts,
		    .file_flags = BPF_F_RDONLY | BPF_F_PATH_FD);
	struct cham_guest_link_stats *values = NULL;
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info), key = 0;
	char path[PATH_MAX];
	bool ok = false;
	int root_fd, fd, cpus, i;

	if (!guest_name_ok(name) ||
	    snprintf(path, sizeof(path), "%s/%s", name, GUEST_PIN_COUNTERS) >=
		    (int)sizeof(path))
		return false;
	root_fd = pin_dir_open(GUEST_PIN_ROOT, 0, true);
	if (root_fd < 0)
		return false;
	opts.path_fd = root_fd;
	fd = bpf_obj_get_opts(path, &opts);
	close(root_fd);
	if (fd < 0)
		return false;
	cpus = libbpf_num_possible_cpus();
	/* The lookup writes value_size per CPU: it must be our map. */
	if (cpus <= 0 || bpf_map_get_info_by_fd(fd, &info, &len) ||
	    info.type != BPF_MAP_TYPE_PERCPU_ARRAY ||
	    info.value_size != sizeof(*values))
		goto out;
	values = calloc(cpus, sizeof(*values));
	if (!values || bpf_map_lookup_elem(fd, &key, values))
		goto out;
	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < cpus; i++) {
		sum->to_socket += values[i].to_socket;
		sum->no_socket += values[i].no_socket;
	}
	ok = true;
out:
	free(values);
	close(fd);
	return ok;
}

/* ---- network namespaces and links ---------------------------------------- */

/* NS: a name under /run/netns, a path, or a PID. Returns an fd or -1. */
static int netns_open(const char *arg)
{
	char path[PATH_MAX];
	struct stat ns, own;
	int fd, type, len;

	if (is_all_digits(arg))
		len = snprintf(path, sizeof(path), "/proc/%s/ns/net", arg);
	else if (strchr(arg, '/'))
		len = snprintf(path, sizeof(path), "%s", arg);
	else
		len = snprintf(path, sizeof(path), "/run/netns/%s", arg);
	if (len < 0 || len >= (int)sizeof(path)) {
		fail("network namespace '%s': the path is too long", arg);
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fail_errno(errno, "opening network namespace %s (%s)", arg,
			   path);
		return -1;
	}
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type != CLONE_NEWNET) {
		if (type < 0)
			fail_errno(errno, "%s is no namespace", path);
		else
			fail("%s is no network namespace", path);
		close(fd);
		return -1;
	}
	/*
	 * A guest side in the host's own namespace would sit beside the
	 * ports, with nothing between it and the host stack.
	 */
	if (fstat(fd, &ns) || stat("/proc/self/ns/net", &own) ||
	    (ns.st_dev == own.st_dev && ns.st_ino == own.st_ino)) {
		fail("network namespace %s is chamctl's own: a guest needs a namespace of its own",
		     arg);
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Writes 1 to the interface's disable_ipv6 in the current namespace (the
 * sysctl tree under /proc/sys/net is the opener's namespace's): no router
 * solicitations, DAD or MLD reports reach the counters or the guest. A
 * kernel without IPv6 has nothing to disable.
 */
static int disable_ipv6(const char *ifname)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6",
		 ifname);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT &&
		    access("/proc/sys/net/ipv6/conf", F_OK) && errno == ENOENT)
			return 0;
		return fail_errno(errno, "disabling IPv6 on %s", ifname);
	}
	n = write(fd, "1\n", 2);
	if (n != 2) {
		fail_errno(n < 0 ? errno : EIO, "disabling IPv6 on %s", ifname);
		close(fd);
		return EXIT_FAIL;
	}
	close(fd);
	return 0;
}

/*
 * The guest's side, from inside its namespace: IPv6 off, the guest-side
 * program attached in native mode (veth has it), then up.
 */
static int guest_side_setup(const char *ifname, const struct cham_guest *skel)
{
	uint32_t ifindex = if_nametoindex(ifname);
	int err;

	if (!ifindex)
		return fail_errno(errno, "finding %s in the guest's namespace",
				  ifname);
	if (disable_ipv6(ifname))
		return EXIT_FAIL;
	err = bpf_xdp_attach(ifindex, bpf_program__fd(skel->progs.cham_guest),
			     XDP_FLAGS_DRV_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST,
			     NULL);
	if (err)
		return fail_errno(err, "attaching the guest-side XDP program to %s",
				  ifname);
	err = rtnl_link_set_up(ifindex);
	if (err)
		return nl_fail(err, "setting %s up", ifname);
	return 0;
}

/*
 * Runs guest_side_setup() in the namespace @netns_fd, in a child: chamctl
 * itself never leaves its namespace, so whatever happens there, the undo
 * of guest add (deleting chg<ID>, unpinning) runs where chg<ID> is. The
 * child inherits the program's fd and reports on stderr itself.
 */
static int guest_side_setup_in(int netns_fd, const char *ifname,
			       const struct cham_guest *skel)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return fail_errno(errno, "starting the guest-side setup");
	if (!pid) {
		if (setns(netns_fd, CLONE_NEWNET)) {
			fail_errno(errno, "entering the guest's network namespace");
			_exit(EXIT_FAIL);
		}
		_exit(guest_side_setup(ifname, skel) ? EXIT_FAIL : 0);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return fail_errno(errno, "waiting for the guest-side setup");
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return 0;
	/* Its own message said why, unless it was killed. */
	if (WIFSIGNALED(status))
		return fail("the guest-side setup was killed by signal %d",
			    WTERMSIG(status));
	return EXIT_FAIL;
}

/* ---- guest add ----------------------------------------------------------- */

struct guest_add_args {
	const char *name;
	const char *tenant_arg;
	struct tenant_ref tenant;
	const char *netns;
	const char *ifname;
	bool have_mac;
	uint8_t mac[ETH_ALEN];
	struct ip_prefix addrs[CHAM_GUEST_ADDRS_MAX];
	unsigned int n_addrs;
};

static bool is_add_keyword(const char *arg)
{
	return !strcmp(arg, "tenant") || !strcmp(arg, "netns") ||
	       !strcmp(arg, "ifname") || !strcmp(arg, "mac") ||
	       !strcmp(arg, "addr");
}

/*
 * "addr P1 P2 ...": the prefixes up to the next keyword. "addr" may come
 * again; the lists add up. Advances *i past them.
 */
static void parse_addrs(const struct chamctl_cmd *cmd, int argc, char **argv,
			int *i, struct guest_add_args *a)
{
	if (++*i == argc || is_add_keyword(argv[*i]))
		usage_error(cmd, "'addr' needs at least one PREFIX");
	for (; *i < argc && !is_add_keyword(argv[*i]); ++*i) {
		if (a->n_addrs == CHAM_GUEST_ADDRS_MAX)
			usage_error(cmd, "a guest has at most %d addresses",
				    CHAM_GUEST_ADDRS_MAX);
		parse_ip_prefix(cmd, argv[*i], &a->addrs[a->n_addrs++]);
	}
}

static void parse_add_args(const struct chamctl_cmd *cmd, int argc,
			   char **argv, struct guest_add_args *a)
{
	bool have_tenant = false;
	const char *keyword, *value;
	int i;

	if (argc < 1)
		usage_error(cmd, "missing the guest's NAME");
	a->name = argv[0];
	if (!guest_name_ok(a->name))
		usage_error(cmd, "guest name '%s' must be 1 to %d letters, digits, '_' or '-', not all digits",
			    a->name, CHAM_NAME_LEN - 1);
	for (i = 1; i < argc;) {
		keyword = argv[i];
		if (!strcmp(keyword, "addr")) {
			parse_addrs(cmd, argc, argv, &i, a);
			continue;
		}
		value = keyword_value(cmd, argc, argv, &i);
		if (!strcmp(keyword, "tenant")) {
			if (have_tenant)
				usage_error(cmd, "'tenant' is given twice");
			parse_tenant_ref(cmd, value, &a->tenant);
			a->tenant_arg = value;
			have_tenant = true;
		} else if (!strcmp(keyword, "netns")) {
			if (a->netns)
				usage_error(cmd, "'netns' is given twice");
			if (!*value)
				usage_error(cmd, "the network namespace is empty");
			a->netns = value;
		} else if (!strcmp(keyword, "ifname")) {
			if (a->ifname)
				usage_error(cmd, "'ifname' is given twice");
			a->ifname = value;
		} else if (!strcmp(keyword, "mac")) {
			if (a->have_mac)
				usage_error(cmd, "'mac' is given twice");
			if (!parse_mac(value, a->mac) ||
			    !mac_is_unicast(a->mac))
				usage_error(cmd, "'%s' is no unicast MAC address (aa:bb:cc:dd:ee:ff)",
					    value);
			a->have_mac = true;
		} else {
			usage_error(cmd, "unknown argument '%s'", keyword);
		}
	}
	if (!have_tenant)
		usage_error(cmd, "missing 'tenant TENANT'");
	if (!a->netns)
		usage_error(cmd, "missing 'netns NS'");
	if (!a->ifname) {
		if (strlen(a->name) >= IF_NAMESIZE)
			usage_error(cmd, "guest name '%s' is too long for an interface name; give 'ifname'",
				    a->name);
		a->ifname = a->name;
	}
	if (!*a->ifname || strlen(a->ifname) >= IF_NAMESIZE ||
	    strchr(a->ifname, '/') || strchr(a->ifname, ':') ||
	    !strcmp(a->ifname, ".") || !strcmp(a->ifname, ".."))
		usage_error(cmd, "'%s' is no interface name", a->ifname);
}

/*
 * The smallest id no guest has, after checking that @name is free too:
 * a clash found now costs nothing to undo. 0 or EXIT_FAIL.
 */
static int guest_pick_id(const char *name, uint32_t *id)
{
	static uint8_t used[(CHAM_GUEST_ID_MAX + 1 + 7) / 8];
	struct guest_list list = {};
	uint32_t candidate;
	size_t i;
	int err;

	err = guest_list_get(NULL, &list);
	if (err) {
		free(list.guests);
		return nl_fail(err, "listing guests");
	}
	memset(used, 0, sizeof(used));
	for (i = 0; i < list.count; i++) {
		if (!strcmp(list.guests[i].name, name)) {
			free(list.guests);
			return fail_errno_detail(EEXIST,
						 "a guest of this name exists",
						 "adding guest %s", name);
		}
		if (list.guests[i].id <= CHAM_GUEST_ID_MAX)
			used[list.guests[i].id / 8] |=
				1 << (list.guests[i].id % 8);
	}
	free(list.guests);
	for (candidate = 1; candidate <= CHAM_GUEST_ID_MAX; candidate++) {
		if (!(used[candidate / 8] & (1 << (candidate % 8)))) {
			*id = candidate;
			return 0;
		}
	}
	return fail("adding guest %s: all %d guest ids are taken", name,
		    CHAM_GUEST_ID_MAX);
}

/*
 * The tenant by id and name both, as looked up: the kernel refuses the
 * guest if the tenant was replaced by another of the same name since, whose
 * owner may not be the one the pins were handed to.
 */
static int guest_new(const struct guest_add_args *a, uint32_t id,
		     const struct tenant_summary *tenant,
		     uint32_t host_ifindex, const uint8_t mac[ETH_ALEN])
{
	struct nlmsghdr *nlh;
	int err;

	nlh = nl_request(CHAM_CMD_GUEST_NEW, false);
	mnl_attr_put_u32(nlh, CHAM_A_GUEST_ID, id);
	mnl_attr_put_strz(nlh, CHAM_A_GUEST_NAME, a->name);
	mnl_attr_put_u32(nlh, CHAM_A_TENANT_ID, tenant->id);
	mnl_attr_put_strz(nlh, CHAM_A_TENANT_NAME, tenant->name);
	mnl_attr_put_u32(nlh, CHAM_A_GUEST_IFINDEX, host_ifindex);
	mnl_attr_put(nlh, CHAM_A_GUEST_MAC, ETH_ALEN, mac);
	if (a->n_addrs)
		nl_put_prefixes(nlh, CHAM_A_GUEST_ADDRS, a->addrs, a->n_addrs);
	err = nl_transact(nlh, NULL, NULL);
	if (err)
		return nl_fail(err, "adding guest %s", a->name);
	return 0;
}

static void guest_added_print(const struct guest_add_args *a, uint32_t id,
			      const char *host_ifname,
			      const uint8_t mac[ETH_ALEN])
{
	char mac_text[MAC_STRLEN];

	format_mac(mac, mac_text);
	if (opt_json) {
		json_object_begin(NULL);
		json_uint("id", id);
		json_string("name", a->name);
		json_string("ifname", host_ifname);
		json_string("guest_ifname", a->ifname);
		json_string("mac", mac_text);
		json_object_end();
		return;
	}
	printf("guest %s id %u: %s here, %s in %s, mac %s\n", a->name, id,
	       host_ifname, a->ifname, a->netns, mac_text);
}

/* Undoes a GUEST_NEW; a failure is reported, the caller undoes the rest. */
static void guest_del_id(uint32_t id)
{
	struct nlmsghdr *nlh = nl_request(CHAM_CMD_GUEST_DEL, false);
	int err;

	mnl_attr_put_u32(nlh, CHAM_A_GUEST_ID, id);
	err = nl_transact(nlh, NULL, NULL);
	if (err)
		nl_fail(err, "deleting guest id %u again", id);
}

static int guest_add(const struct chamctl_cmd *cmd, int argc, char **argv)
{
	struct guest_add_args a = {};
	struct provider_attachment provider = {};
	struct cham_guest *guest_prog = NULL;
	struct tenant_summary tenant;
	char host_ifname[IF_NAMESIZE];
	bool veth_created = false, pin_dir_created = false;
	uint32_t id = 0, host_ifindex = 0;
	uint8_t mac[ETH_ALEN];
	int netns_fd, err, ret = EXIT_FAIL;

	parse_add_args(cmd, argc, argv, &a);
	if (a.have_mac)
		memcpy(mac, a.mac, ETH_ALEN);
	else if (random_mac(mac))
		return EXIT_FAIL;
	netns_fd = netns_open(a.netns);
	if (netns_fd < 0)
		return EXIT_FAIL;

	/* What can be checked or loaded without changing anything, first. */
	if (nl_open())
		goto out;
	setup_libbpf_logging();
	err = tenant_lookup(&a.tenant, &tenant);
	if (err) {
		nl_fail(err, "adding guest %s: tenant %s", a.name,
			a.tenant_arg);
		goto out;
	}
	if (guest_pick_id(a.name, &id))
		goto out;
	guest_prog = cham_guest__open_and_load();
	if (!guest_prog) {
		fail_errno(errno, "loading the guest-side XDP program");
		goto out;
	}
	snprintf(host_ifname, sizeof(host_ifname), GUEST_HOST_IF_PREFIX "%u",
		 id);

	err = rtnl_veth_create(&(struct veth_pair){
		.name = host_ifname,
		.peer_name = a.ifname,
		.peer_mac = mac,
		.peer_netns_fd = netns_fd,
	});
	if (err) {
		nl_fail(err, "creating %s with peer %s in %s", host_ifname,
			a.ifname, a.netns);
		goto out;
	}
	veth_created = true;
	host_ifindex = if_nametoindex(host_ifname);
	if (!host_ifindex) {
		fail_errno(errno, "finding %s", host_ifname);
		goto undo;
	}
	if (disable_ipv6(host_ifname))
		goto undo;
	if (provider_attach(&provider, host_ifname, host_ifindex,
			    XDP_FLAGS_DRV_MODE))
		goto undo;
	if (guest_side_setup_in(netns_fd, a.ifname, guest_prog))
		goto undo;
	if (guest_pin(a.name, guest_prog,
		      tenant.owner == NO_OWNER ? 0 : tenant.owner,
		      &pin_dir_created))
		goto undo;
	if (guest_new(&a, id, &tenant, host_ifindex, mac))
		goto undo;
	/*
	 * Up only once the module knows the link: before, the guest's frames
	 * would be unclassified there and passed to the host stack.
	 */
	err = rtnl_link_set_up(host_ifindex);
	if (err) {
		nl_fail(err, "setting %s up", host_ifname);
		guest_del_id(id);
		goto undo;
	}
	guest_added_print(&a, id, host_ifname, mac);
	ret = 0;
	goto out;

undo:
	if (pin_dir_created)
		guest_unpin(a.name);
	/* Both ends go, and the programs attached to them with them. */
	if (veth_created) {
		err = host_ifindex ? rtnl_link_delete(host_ifindex) :
				     rtnl_link_delete_name(host_ifname);
		if (err)
			nl_fail(err, "deleting %s again", host_ifname);
	}
out:
	provider_attach_release(&provider);
	cham_guest__destroy(guest_prog);
	close(netns_fd);
	return ret;
}

/* ---- guest del ----------------------------------------------------------- */

static int guest_del(const struct chamctl_cmd *cmd, int argc, char **argv)
{
	struct guest_list list = {};
	struct guest_ref ref;
	struct guest_info *g;
	struct nlmsghdr *nlh;
	int err, ret = 0;

	if (!argc)
		usage_error(cmd, "missing the guest's NAME");
	if (argc > 1)
		usage_error(cmd, "unknown argument '%s'", argv[1]);
	parse_guest_ref(cmd, argv[0], &ref);

	if (nl_open())
		return EXIT_FAIL;
	/* Its name (for the pins) and its host side, before they are gone. */
	err = guest_list_get(&ref, &list);
	if (err) {
		free(list.guests);
		return nl_fail(err, "deleting guest %s", argv[0]);
	}
	g = &list.guests[0];
	/*
	 * The module first: it takes the host side down before it forgets
	 * the guest, so the link never passes the guest's frames to the host
	 * stack unclassified; and a refusal leaves everything in place.
	 */
	nlh = nl_request(CHAM_CMD_GUEST_DEL, false);
	mnl_attr_put_u32(nlh, CHAM_A_GUEST_ID, g->id);
	err = nl_transact(nlh, NULL, NULL);
	if (err) {
		free(list.guests);
		return nl_fail(err, "deleting guest %s", argv[0]);
	}
	if (guest_name_ok(g->name))
		ret = guest_unpin(g->name);
	/*
	 * The module follows its device and reports 0 once it is gone, so a
	 * nonzero index is still the guest's link.
	 */
	if (g->ifindex) {
		err = rtnl_link_delete(g->ifindex);
		if (err && err != -ENODEV)
			ret = nl_fail(err, "deleting %s (ifindex %u)",
				      g->ifname[0] ? g->ifname : "the link",
				      g->ifindex);
	}
	free(list.guests);
	return ret;
}

/* ---- guest show ---------------------------------------------------------- */

/* Long enough for GUEST_ADDRS_ROOM IPv6 prefixes. */
#define GUEST_ADDRS_TEXT_LEN	(GUEST_ADDRS_ROOM * (IP_PREFIX_STRLEN + 1))

static const char *addrs_text(const struct guest_info *g, char *buf,
			      size_t size)
{
	char prefix[IP_PREFIX_STRLEN];
	size_t len = 0;
	unsigned int i;

	snprintf(buf, size, "-");
	for (i = 0; i < g->n_addrs && len < size; i++) {
		format_ip_prefix(&g->addrs[i], prefix, sizeof(prefix));
		len += snprintf(buf + len, size - len, "%s%s", i ? "," : "",
				prefix);
	}
	return buf;
}

static void guest_json(const struct guest_info *g, const char *key)
{
	char mac[MAC_STRLEN], prefix[IP_PREFIX_STRLEN];
	unsigned int i;

	json_object_begin(key);
	json_uint("id", g->id);
	json_string("name", g->name);
	json_string("tenant", g->tenant);
	json_uint("tenant_id", g->tenant_id);
	json_uint("ifindex", g->ifindex);
	json_string("ifname", g->ifname[0] ? g->ifname : NULL);
	if (g->has_mac)
		format_mac(g->mac, mac);
	json_string("mac", g->has_mac ? mac : NULL);
	json_array_begin("addrs");
	for (i = 0; i < g->n_addrs; i++) {
		format_ip_prefix(&g->addrs[i], prefix, sizeof(prefix));
		json_string(NULL, prefix);
	}
	json_array_end();
	json_object_begin("tx");
	json_uint("packets", g->tx.packets);
	json_uint("bytes", g->tx.bytes);
	stat_counters_json("verdicts", g->tx.verdicts, __CHAM_VERDICT_MAX,
			   verdict_name);
	stat_counters_json("drops", g->tx.drops, __CHAM_DROP_MAX,
			   drop_reason_name);
	stat_counters_json("parse_errors", g->tx.parse_errors,
			   __CHAM_PARSE_MAX, parse_error_name);
	json_object_end();
	json_object_begin("rx");
	json_uint("packets", g->rx.packets);
	json_uint("bytes", g->rx.bytes);
	json_object_end();
	if (g->has_link) {
		json_object_begin("link");
		json_uint("to_socket", g->link.to_socket);
		json_uint("no_socket", g->link.no_socket);
		json_object_end();
	} else {
		json_null("link");
	}
	json_object_end();
}

static const struct table_column guest_columns[] = {
	{ "ID", ALIGN_RIGHT },
	{ "NAME", ALIGN_LEFT },
	{ "TENANT", ALIGN_LEFT },
	{ "IFNAME", ALIGN_LEFT },
	{ "MAC", ALIGN_LEFT },
	{ "ADDRS", ALIGN_LEFT },
	{ "TX_PACKETS", ALIGN_RIGHT },
	{ "TX_BYTES", ALIGN_RIGHT },
	{ "RX_PACKETS", ALIGN_RIGHT },
	{ "RX_BYTES", ALIGN_RIGHT },
	{ "TO_SOCKET", ALIGN_RIGHT },
	{ "NO_SOCKET", ALIGN_RIGHT },
};

static void guest_table(const struct guest_list *list)
{
	struct table *table = table_new(guest_columns,
					ARRAY_SIZE(guest_columns));
	char text[GUEST_ADDRS_TEXT_LEN];
	size_t i;

	for (i = 0; i < list->count; i++) {
		const struct guest_info *g = &list->guests[i];

		table_row(table);
		table_cell(table, "%u", g->id);
		table_cell(table, "%s", g->name);
		table_cell(table, "%s", g->tenant);
		table_cell(table, "%s", g->ifname[0] ? g->ifname : "-");
		if (g->has_mac)
			format_mac(g->mac, text);
		table_cell(table, "%s", g->has_mac ? text : "-");
		table_cell(table, "%s", addrs_text(g, text, sizeof(text)));
		table_cell(table, "%llu", (unsigned long long)g->tx.packets);
		table_cell(table, "%llu", (unsigned long long)g->tx.bytes);
		table_cell(table, "%llu", (unsigned long long)g->rx.packets);
		table_cell(table, "%llu", (unsigned long long)g->rx.bytes);
		if (g->has_link) {
			table_cell(table, "%llu",
				   (unsigned long long)g->link.to_socket);
			table_cell(table, "%llu",
				   (unsigned long long)g->link.no_socket);
		} else {
			table_cell(table, "-");
			table_cell(table, "-");
		}
		stat_counters_note(table, "tx verdicts", g->tx.verdicts,
				   __CHAM_VERDICT_MAX, verdict_name);
		stat_counters_note(table, "tx drops", g->tx.drops,
				   __CHAM_DROP_MAX, drop_reason_name);
		stat_counters_note(table, "tx parse errors", g->tx.parse_errors,
				   __CHAM_PARSE_MAX, parse_error_name);
	}
	table_print(table);
}

/* As guest add takes it: "guest NAME id N tenant T link IF mac M addr ..." */
int guest_event_print(const struct nlmsghdr *nlh, const char *event,
		      const char *verb)
{
	struct guest_list list = {};
	char text[GUEST_ADDRS_TEXT_LEN];
	struct guest_info *g;
	int err = guest_cb(nlh, &list);

	if (err)
		return err;
	g = &list.guests[0];
	if (opt_json) {
		json_object_begin(NULL);
		json_string("event", event);
		guest_json(g, "guest");
		json_object_end();
		free(list.guests);
		return 0;
	}
	printf("%s guest %s id %u tenant %s link %s", verb,
	       sanitize_text(g->name), g->id, sanitize_text(g->tenant),
	       g->ifname[0] ? g->ifname : "-");
	if (g->has_mac) {
		format_mac(g->mac, text);
		printf(" mac %s", text);
	}
	printf(" addrs %s\n", addrs_text(g, text, sizeof(text)));
	free(list.guests);
	return 0;
}

static int guest_show(const struct chamctl_cmd *cmd, int argc, char **argv)
{
	struct guest_list list = {};
	struct guest_ref ref;
	size_t i;
	int err;

	if (argc > 1)
		usage_error(cmd, "unknown argument '%s'", argv[1]);
	if (argc)
		parse_guest_ref(cmd, argv[0], &ref);

	if (nl_open())
		return EXIT_FAIL;
	setup_libbpf_logging();
	err = guest_list_get(argc ? &ref : NULL, &list);
	if (err) {
		free(list.guests);
		if (argc)
			return nl_fail(err, "showing guest %s", argv[0]);
		return nl_fail(err, "listing guests");
	}
	for (i = 0; i < list.count; i++)
		list.guests[i].has_link = guest_link_read(list.guests[i].name,
							  &list.guests[i].link);

	if (!opt_json) {
		guest_table(&list);
	} else if (argc) {
		guest_json(&list.guests[0], NULL);
	} else {
		json_array_begin(NULL);
		for (i = 0; i < list.count; i++)
			guest_json(&list.guests[i], NULL);
		json_array_end();
	}
	free(list.guests);
	return 0;
}

static const struct chamctl_cmd guest_cmds[] = {
	{
		.name = "add",
		.usage = "guest add NAME tenant TENANT netns NS "
			 "[ifname IFNAME] [mac MAC] [addr PREFIX...]",
		.summary = "attach a tenant's VM or container over AF_XDP",
		.details =
"  NAME    up to 31 letters, digits, '_' or '-', not all digits\n"
"  tenant  the tenant whose protocol serves the guest (its tx handler\n"
"          sees what the guest sends)\n"
"  netns   the guest's network namespace: a name under /run/netns, a\n"
"          path (/proc/PID/ns/net) or a PID\n"
"  ifname  the guest's interface in NS (default NAME)\n"
"  mac     the guest's MAC address (default a random locally\n"
"          administered one)\n"
"  addr    the guest's addresses (10.1.0.2, 2001:db8::2/128), at most 8:\n"
"          the IP sources it may send from, and what bpf_cham_guest_lookup()\n"
"          finds it by\n"
"  Creates a veth pair, chg<ID> here and IFNAME in NS, with Chamelio's\n"
"  programs on both ends, and pins the guest side's maps in\n"
"  " GUEST_PIN_ROOT "/NAME: xsks, owned by the tenant's owner, who\n"
"  runs the guest process, and counters, read-only. ID is the smallest\n"
"  id no guest has.\n",
		.run = guest_add,
	}, {
		.name = "del",
		.usage = "guest del NAME|ID",
		.summary = "detach a guest and delete its veth pair and pins",
		.run = guest_del,
	}, {
		.name = "show",
		.usage = "guest show [NAME|ID]",
		.summary = "list guests with their counters, or show one",
		.details =
"  Columns: ID NAME TENANT, IFNAME (the host side, - once deleted), MAC,\n"
"  ADDRS, what the guest sent (TX_PACKETS TX_BYTES; its verdicts, drop\n"
"  reasons and parse errors that are not zero on lines of their own) and\n"
"  what was delivered to it (RX_PACKETS RX_BYTES), and the guest side's\n"
"  counters: frames handed to its AF_XDP socket (TO_SOCKET) and dropped\n"
"  without one (NO_SOCKET), - when this user cannot read them.\n",
		.run = guest_show,
	},
};

const struct chamctl_object guest_object = {
	.name = "guest",
	.cmds = guest_cmds,
	.n_cmds = ARRAY_SIZE(guest_cmds),
};
