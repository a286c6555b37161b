// SPDX-License-Identifier: GPL-2.0
/*
 * chamctl proto: tenant protocols. A protocol is a cham_proto_ops
 * struct_ops map in a BPF object; registering it creates a struct_ops link,
 * which names its tenant. The link is pinned at DIR/<tenant> so that it
 * outlives chamctl, and removing the pin unregisters the protocol.
 *
 * Root loads directly. Anyone else goes through the loader daemon
 * (protod.c), which runs the same code on the caller's behalf.
 */
#define _GNU_SOURCE	/* O_PATH, strchrnul */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "nl.h"
#include "output.h"
#include "proto.h"

/*
 * struct_ops links came with Linux 6.4, and the installed <linux/bpf.h> may
 * be older: what chamctl needs of them is spelled out here, as the kernel's
 * ABI has it.
 */
#ifndef BPF_F_LINK
#define BPF_F_LINK	(1U << 13)
#endif

/* The start of struct bpf_link_info, as a struct_ops link fills it in. */
struct struct_ops_link_info {
	uint32_t type;
	uint32_t id;
	uint32_t prog_id;
	union {
		struct {
			uint32_t map_id;
		} struct_ops;
		uint64_t align;	/* 8-byte aligned, as the kernel has it */
	};
};

#define PROTO_OPS_TYPE		"cham_proto_ops"

/* ---- the pin directory ------------------------------------------------- */

/*
 * Whether the directory open at @fd may hold root's pins (@last) or lead to
 * them. It must be root's: a directory a user owns, or may write in, lets
 * that user rename its entries and put a directory or link of their own in
 * their place, and root would then pin into, chown or remove what the user
 * chose. Above the last, a sticky directory writable by all is fine (only
 * an entry's owner may rename or remove it there): an optionless bpffs root
 * is one (mode 1777). The last must be writable by root alone, or a user
 * could take a tenant's or guest's name in it before root does.
 */
static int pin_dir_check(int fd, const char *dir, int len, bool last,
			 bool quiet)
{
	struct stat st;

	if (fstat(fd, &st))
		return -errno;
	if (st.st_uid == 0 && (!(st.st_mode & 0022) ||
			       (!last && (st.st_mode & S_ISVTX))))
		return 0;
	if (!quiet)
		fail("refusing %.*s: owner uid %u, mode %04o; pins go only where root alone can write (remove it, or fix its owner and mode)",
		     len, dir, (unsigned int)st.st_uid,
		     (unsigned int)(st.st_mode & 07777));
	return -EPERM;
}

int pin_dir_open(const char *dir, mode_t create_mode, bool quiet)
{
	const int flags = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	char comp[NAME_MAX + 1];
	const char *p = dir, *end;
	struct statfs fs;
	int fd, next, err;
	size_t len;

	fd = open(*dir == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		goto report;
	}
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		end = strchrnul(p, '/');
		len = end - p;
		if (len > NAME_MAX) {
			err = -ENAMETOOLONG;
			goto report;
		}
		memcpy(comp, p, len);
		comp[len] = '\0';
		next = openat(fd, comp, flags);
		if (next < 0 && errno == ENOENT && create_mode) {
			if (mkdirat(fd, comp, create_mode) && errno != EEXIST) {
				err = -errno;
				if (!quiet)
					fail_errno(err, "creating %.*s",
						   (int)(end - dir), dir);
				goto out;
			}
			next = openat(fd, comp, flags);
		}
		if (next < 0) {
			err = -errno;
			if (err == -ENOENT && !create_mode)
				goto out;
			/* O_NOFOLLOW: ELOOP, or ENOTDIR from O_DIRECTORY. */
			if (!quiet && (err == -ELOOP || err == -ENOTDIR))
				fail("refusing %.*s: not a directory (pins are never reached through a symbolic link)",
				     (int)(end - dir), dir);
			else if (!quiet)
				fail_errno(err, "%.*s", (int)(end - dir), dir);
			goto out;
		}
		close(fd);
		fd = next;
		p = end;
		err = pin_dir_check(fd, dir, end - dir, !end[strspn(end, "/")],
				    quiet);
		if (err == -EPERM)
			goto out;
		if (err)
			goto report;
	}
	if (fstatfs(fd, &fs)) {
		err = -errno;
		goto report;
	}
	if (fs.f_type != BPF_FS_MAGIC) {
		if (!quiet)
			fail("%s is not on a BPF filesystem (mount -t bpf bpf /sys/fs/bpf)",
			     dir);
		err = -ENOTSUP;
		goto out;
	}
	return fd;

report:
	if (!quiet)
		fail_errno(err, "%s", dir);
out:
	if (fd >= 0)
		close(fd);
	return err;
}

int proto_prepare_pin_dir(const char *dir)
{
	int fd = pin_dir_open(dir, 0700, false);

	if (fd < 0)
		return EXIT_FAIL;
	close(fd);
	return 0;
}

/* The tenant name becomes a file name: keep it to one plain component. */
static bool pin_name_ok(const char *name)
{
	return name[0] && name[0] != '.' && !strchr(name, '/');
}

static int pin_path(char *path, size_t size, const char *dir,
		    const char *name)
{
	if (snprintf(path, size, "%s/%s", dir, name) >= (int)size)
		return fail("pin path %s/%s is too long", dir, name);
	return 0;
}

/*
 * Opens the struct_ops link pinned at @path. Returns its fd, -ENOENT when
 * nothing is pinned there, or another negative errno (-EBADF: something
 * that is not a struct_ops link is pinned there).
 */
static int pinned_link_open(const char *path,
			    struct struct_ops_link_info *info)
{
	char fd_path[64], target[64];
	uint32_t len = sizeof(*info);
	ssize_t n;
	int fd;

	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	/*
	 * Maps and programs answer a link info query too, with their own
	 * layout: only the file behind the fd tells the kinds apart.
	 */
	snprintf(fd_path, sizeof(fd_path), "/proc/self/fd/%d", fd);
	n = readlink(fd_path, target, sizeof(target) - 1);
	if (n < 0)
		goto not_ours;
	target[n] = '\0';
	/* The kernel spells it both ways, depending on how the fd was made. */
	if (strcmp(target, "anon_inode:bpf-link") &&
	    strcmp(target, "anon_inode:bpf_link"))
		goto not_ours;
	memset(info, 0, sizeof(*info));
	if (bpf_obj_get_info_by_fd(fd, info, &len) ||
	    info->type != BPF_LINK_TYPE_STRUCT_OPS)
		goto not_ours;
	return fd;

not_ours:
	close(fd);
	return -EBADF;
}

/* ---- the protocol object ----------------------------------------------- */

static struct bpf_map *find_struct_ops_map(const char *path,
					   struct bpf_object *obj)
{
	struct bpf_map *map, *found = NULL;
	unsigned int count = 0;

	bpf_object__for_each_map(map, obj) {
		if (bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS)
			continue;
		found = map;
		count++;
	}
	if (count != 1) {
		fail("%s has %u struct_ops maps; a protocol object has exactly one",
		     path, count);
		return NULL;
	}
	return found;
}

/*
 * libbpf copies the struct_ops data into the kernel's struct member by
 * member, by name: with a name given twice, the member set here and the
 * one the kernel gets could differ (two "tenant"s).
 */
static bool members_unique(const struct btf *btf, const struct btf_type *t)
{
	const struct btf_member *members = btf_members(t);
	unsigned int i, j;

	for (i = 0; i < btf_vlen(t); i++)
		for (j = 0; j < i; j++)
			if (!strcmp(btf__name_by_offset(btf, members[i].name_off) ?: "",
				    btf__name_by_offset(btf, members[j].name_off) ?: ""))
				return false;
	return true;
}

/* Where member @name of struct @t is, in bytes. */
static int struct_member(const struct btf *btf, const struct btf_type *t,
			 const char *name, uint32_t *offset, uint32_t *size)
{
	const struct btf_member *member = btf_members(t);
	unsigned int i;
	int64_t msize;

	for (i = 0; i < btf_vlen(t); i++, member++) {
		if (strcmp(btf__name_by_offset(btf, member->name_off), name))
			continue;
		if (btf_member_bit_offset(t, i) % 8)
			return -EINVAL;
		msize = btf__resolve_size(btf, member->type);
		if (msize < 0)
			return msize;
		*offset = btf_member_bit_offset(t, i) / 8;
		*size = msize;
		return 0;
	}
	return -ENOENT;
}

/*
 * The char array member @member of the struct_ops data: libbpf keeps the
 * data in the object's own BTF layout until load, so the object's BTF says
 * where it is.
 */
static char *ops_string_member(const char *path, struct bpf_object *obj,
			       struct bpf_map *map, const char *member,
			       uint32_t *size)
{
	const struct btf *btf = bpf_object__btf(obj);
	const struct btf_type *t;
	uint32_t offset = 0;
	size_t data_size;
	char *data;
	int err;

	t = btf ? btf__type_by_id(btf, bpf_map__btf_value_type_id(map)) : NULL;
	data = bpf_map__initial_value(map, &data_size);
	if (!t || !btf_is_struct(t) || !data) {
		fail("%s: the struct_ops map %s has no type information", path,
		     bpf_map__name(map));
		return NULL;
	}
	err = struct_member(btf, t, member, &offset, size);
	if (err || *size == 0 || offset + *size > data_size ||
	    offset + *size > t->size) {
		fail("%s: struct %s has no usable member '%s'", path,
		     btf__name_by_offset(btf, t->name_off), member);
		return NULL;
	}
	return data + offset;
}

/* Finds the protocol in the opened object and names its tenant. */
static int proto_object_setup(struct proto_object *po, const char *path,
			      const char *tenant)
{
	const struct btf *btf;
	const struct btf_type *t;
	const char *type_name;
	char *field;
	uint32_t size;

	po->map = find_struct_ops_map(path, po->obj);
	if (!po->map)
		return EXIT_FAIL;

	btf = bpf_object__btf(po->obj);
	t = btf__type_by_id(btf, bpf_map__btf_value_type_id(po->map));
	type_name = t ? btf__name_by_offset(btf, t->name_off) : "?";
	if (strcmp(type_name, PROTO_OPS_TYPE))
		return fail("%s: %s is a struct %s, not a struct %s", path,
			    bpf_map__name(po->map), type_name, PROTO_OPS_TYPE);
	if (!btf_is_struct(t) || !members_unique(btf, t))
		return fail("%s: struct %s names a member twice", path,
			    PROTO_OPS_TYPE);
	/* Without a link, nothing could be pinned, and it would not last. */
	if (!(bpf_map__map_flags(po->map) & BPF_F_LINK))
		return fail("%s: %s must be in section \".struct_ops.link\"",
			    path, bpf_map__name(po->map));

	field = ops_string_member(path, po->obj, po->map,
				  "tenant", &size);
	if (!field)
		return EXIT_FAIL;
	if (tenant) {
		if (strlen(tenant) >= size || strlen(tenant) >= CHAM_NAME_LEN)
			return fail("tenant name '%s' is too long", tenant);
		memset(field, 0, size);
		memcpy(field, tenant, strlen(tenant));
	}
	snprintf(po->tenant, sizeof(po->tenant), "%.*s", (int)size, field);
	if (!po->tenant[0])
		return fail("%s names no tenant; give one with 'tenant NAME'",
			    path);
	if (!pin_name_ok(po->tenant))
		return fail("tenant name '%s' cannot be a pin file name",
			    po->tenant);

	field = ops_string_member(path, po->obj, po->map,
				  "name", &size);
	if (field && field[0])
		snprintf(po->name, sizeof(po->name), "%.*s", (int)size, field);
	else
		snprintf(po->name, sizeof(po->name), "%s",
			 bpf_map__name(po->map));
	return 0;
}

int proto_object_open(struct proto_object *po, const char *path,
		      const char *tenant)
{
	memset(po, 0, sizeof(*po));
	po->obj = bpf_object__open_file(path, NULL);
	if (!po->obj)
		return fail_errno(errno, "opening %s", path);
	return proto_object_setup(po, path, tenant);
}

int proto_object_open_mem(struct proto_object *po, const void *buf,
			  size_t size, const char *label, const char *tenant)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = "proto");

	memset(po, 0, sizeof(*po));
	po->obj = bpf_object__open_mem(buf, size, &opts);
	if (!po->obj)
		return fail_errno(errno, "opening %s", label);
	return proto_object_setup(po, label, tenant);
}

void proto_object_close(struct proto_object *po)
{
	/* A link holds what it needs of the object. */
	bpf_object__close(po->obj);
	po->obj = NULL;
}

/* ---- registration ------------------------------------------------------ */

/*
 * E2BIG at registration: a handler is bigger than the tenant's insn-limit.
 * The kernel says which only in its log, which a tenant may not read: name
 * the handler and both numbers here.
 */
static int insn_limit_exceeded(const struct proto_object *po)
{
	struct tenant_ref ref = { .name = po->tenant };
	struct bpf_prog_info info;
	struct tenant_summary tenant;
	struct bpf_program *prog;
	__u32 len;

	if (nl_open() || tenant_lookup(&ref, &tenant) || !tenant.insn_limit)
		return fail_errno(-E2BIG, "registering protocol %s for tenant %s: a handler exceeds the tenant's insn-limit",
				  po->name, po->tenant);
	bpf_object__for_each_program(prog, po->obj) {
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (bpf_prog_get_info_by_fd(bpf_program__fd(prog), &info, &len) ||
		    info.verified_insns <= tenant.insn_limit)
			continue;
		return fail("registering protocol %s for tenant %s: handler %s verified %u instructions, more than the tenant's insn-limit of %u (E2BIG)",
			    po->name, po->tenant, bpf_program__name(prog),
			    info.verified_insns, tenant.insn_limit);
	}
	return fail_errno(-E2BIG, "registering protocol %s for tenant %s: a handler exceeds the tenant's insn-limit of %u",
			  po->name, po->tenant, tenant.insn_limit);
}

static int registration_failed(int err, const struct proto_object *po)
{
	if (err == -ENOENT)
		return fail("registering protocol %s: no such tenant %s (create it with chamctl tenant add)",
			    po->name, po->tenant);
	if (err == -E2BIG)
		return insn_limit_exceeded(po);
	return fail_errno(err, "registering protocol %s for tenant %s",
			  po->name, po->tenant);
}

/*
 * The struct_ops link, created with effective uid @as_uid unless it is 0.
 * The loader daemon registers as its caller so that the kernel's own check
 * applies: only the tenant's owner may bind a protocol to it. The daemon
 * serves each request in a single-threaded process of its own, so nothing
 * else runs with the borrowed uid.
 */
static struct bpf_link *attach_as(const struct proto_object *po, uid_t as_uid)
{
	struct bpf_link *link;
	int err;

	if (as_uid && seteuid(as_uid)) {
		err = -errno;
		fail_errno(err, "taking uid %u to register", (unsigned int)as_uid);
		errno = -err;
		return NULL;
	}
	link = bpf_map__attach_struct_ops(po->map);
	err = link ? 0 : errno;
	/* Carrying on as someone else would be worse than stopping. */
	if (as_uid && seteuid(0)) {
		fprintf(stderr, "chamctl: cannot return to uid 0 from %u: %s\n",
			(unsigned int)as_uid, strerror(errno));
		_exit(EXIT_FAIL);
	}
	errno = err;
	return link;
}

/*
 * Registers the protocol with a new link and pins it at @path, replacing
 * whatever stale link is pinned there in one rename(), so the path never
 * goes missing.
 */
static int attach_and_pin(const struct proto_object *po, const char *dir,
			  const char *path, uid_t as_uid)
{
	char tmp_path[PATH_MAX];
	struct bpf_link *link;
	int err;

	/*
	 * '~' is in no tenant name, so this is no tenant's pin (and bpffs
	 * refuses names with a '.').
	 */
	if (snprintf(tmp_path, sizeof(tmp_path), "%s/~%s", dir,
		     po->tenant) >= (int)sizeof(tmp_path))
		return fail("pin path %s is too long", path);
	link = attach_as(po, as_uid);
	if (!link)
		return registration_failed(-errno, po);
	/*
	 * From here the tenant runs the new protocol: a failure must say
	 * where that leaves it.
	 */
	unlink(tmp_path);
	err = bpf_link__pin(link, tmp_path);
	if (err) {
		bpf_link__destroy(link);
		return fail_errno(err, "pinning the link at %s (tenant %s is left without a protocol)",
				  tmp_path, po->tenant);
	}
	if (rename(tmp_path, path)) {
		err = -errno;
		bpf_link__destroy(link);
		return fail_errno(err, "moving the pin %s to %s (the protocol runs, pinned at %s)",
				  tmp_path, path, tmp_path);
	}
	/* Closes our fd; the pin keeps the link. */
	bpf_link__destroy(link);
	return 0;
}

int proto_object_register(struct proto_object *po, const char *label,
			  const char *dir, uid_t as_uid,
			  int (*check)(const struct proto_object *po),
			  char *path, size_t size)
{
	struct struct_ops_link_info info;
	int fd, err;

	err = bpf_object__load(po->obj);
	if (err)
		return fail_errno(err, "loading %s", label);
	/* Loaded, not yet attached: nothing has run, closing undoes it all. */
	if (check && check(po))
		return EXIT_FAIL;
	if (proto_prepare_pin_dir(dir) || pin_path(path, size, dir, po->tenant))
		return EXIT_FAIL;

	/*
	 * Loading over a pinned link: the new registration replaces the
	 * tenant's protocol in one pointer swap (see kmod/proto.c), and the
	 * rename in attach_and_pin() drops the displaced link.
	 * bpf_link_update() would need the new map updated first, which
	 * libbpf does only for links it created itself.
	 */
	fd = pinned_link_open(path, &info);
	if (fd >= 0 || fd == -ENOENT) {
		if (fd >= 0)
			close(fd);
		return attach_and_pin(po, dir, path, as_uid);
	}
	if (fd == -EBADF)
		return fail("%s is not a struct_ops link; not replacing it",
			    path);
	return fail_errno(fd, "opening %s", path);
}

void proto_print_loaded(const char *proto, const char *tenant,
			const char *pin)
{
	if (opt_json) {
		json_object_begin(NULL);
		json_string("proto", proto);
		json_string("tenant", tenant);
		json_string("pin", pin);
		json_object_end();
	} else {
		printf("protocol %s loaded for tenant %s (pinned at %s)\n",
		       proto, tenant, pin);
	}
}

static int proto_load(const struct chamctl_cmd *cmd, int argc, char **argv)
{
	const char *object_path, *tenant_arg = NULL, *dir = PIN_DIR_DEFAULT;
	const char *socket_opt = NULL;
	char tenant_name[CHAM_NAME_LEN], path[PATH_MAX];
	bool have_dir = false;
	struct proto_object po = {};
	struct tenant_ref ref = {};
	int i, err, ret;

	if (!argc)
		usage_error(cmd, "missing the OBJECT file");
	object_path = argv[0];
	for (i = 1; i < argc;) {
		if (!strcmp(argv[i], "tenant")) {
			if (tenant_arg)
				usage_error(cmd, "'tenant' is given twice");
			tenant_arg = keyword_value(cmd, argc, argv, &i);
			parse_tenant_ref(cmd, tenant_arg, &ref);
		} else if (!strcmp(argv[i], "pin")) {
			if (have_dir)
				usage_error(cmd, "'pin' is given twice");
			dir = keyword_value(cmd, argc, argv, &i);
			have_dir = true;
		} else if (!strcmp(argv[i], "socket")) {
			if (socket_opt)
				usage_error(cmd, "'socket' is given twice");
			socket_opt = keyword_value(cmd, argc, argv, &i);
		} else {
			usage_error(cmd, "unknown argument '%s'", argv[i]);
		}
	}

	/*
	 * Only root can load a struct_ops protocol itself (it needs
	 * CAP_BPF and CAP_PERFMON, which a user namespace cannot grant for
	 * module BTF): anyone else asks the provider's loader daemon. Root
	 * goes there only when told to ('socket'), and is refused: the
	 * daemon serves no uid 0.
	 */
	if (socket_opt || geteuid() != 0) {
		if (have_dir)
			usage_error(cmd, "'pin' is for root's own loads; the loader daemon pins at %s",
				    PIN_DIR_DEFAULT);
		return proto_client_load(object_path, tenant_arg,
					 proto_socket_path(socket_opt));
	}

	/* Registration needs the module; say so plainly if it is missing. */
	if (nl_open())
		return EXIT_FAIL;
	if (tenant_arg && ref.by_id) {
		err = tenant_name_lookup(ref.id, tenant_name);
		if (err)
			return nl_fail(err, "looking up tenant %u", ref.id);
		tenant_arg = tenant_name;
	}
	setup_libbpf_logging();

	ret = proto_object_open(&po, object_path, tenant_arg);
	if (!ret)
		ret = proto_object_register(&po, object_path, dir, 0, NULL,
					    path, sizeof(path));
	if (!ret)
		proto_print_loaded(po.name, po.tenant, path);
	proto_object_close(&po);
	return ret;
}

/* TENANT on the command line, as the name its pin has. */
static int tenant_pin_name(const struct chamctl_cmd *cmd, const char *arg,
			   char name[CHAM_NAME_LEN])
{
	struct tenant_ref ref;
	int err;

	parse_tenant_ref(cmd, arg, &ref);
	if (!ref.by_id) {
		if (!pin_name_ok(ref.name))
			usage_error(cmd, "'%s' cannot be a tenant's pin", arg);
		snprintf(name, CHAM_NAME_LEN, "%s", ref.name);
		return 0;
	}
	if (nl_open())
		return EXIT_FAIL;
	err = tenant_name_lookup(ref.id, name);
	if (err)
		return nl_fail(err, "looking up tenant %u", ref.id);
	return 0;
}

/* [pin DIR] [socket PATH], from argv[first] on; NULL when not given. */
static void parse_pin_socket(const struct chamctl_cmd *cmd, int argc,
			     char **argv, int first, const char **dir,
			     const char **socket_path)
{
	int i = first;

	*dir = NULL;
	if (socket_path)
		*socket_path = NULL;
	while (i < argc) {
		if (!strcmp(argv[i], "pin") && !*dir)
			*dir = keyword_value(cmd, argc, argv, &i);
		else if (socket_path && !strcmp(argv[i], "socket") &&
			 !*socket_path)
			*socket_path = keyword_value(cmd, argc, argv, &i);
		else
			usage_error(cmd, "unknown argument '%s'", argv[i]);
	}
}

int proto_unpin(const char *dir, const char *tenant)
{
	char path[PATH_MAX];
	struct struct_ops_link_info info;
	int fd;

	if (pin_path(path, sizeof(path), dir, tenant))
		return EXIT_FAIL;
	fd = pinned_link_open(path, &info);
	if (fd == -ENOENT)
		return fail("no protocol is pinned for tenant %s (%s)", tenant,
			    path);
	if (fd == -EBADF)
		return fail("%s is not a struct_ops link; not removing it",
			    path);
	if (fd < 0)
		return fail_errno(fd, "opening %s", path);
	/*
	 * Unregistration happens when the last reference goes: this pin, our
	 * fd, and whatever else holds the link.
	 */
	if (unlink(path)) {
		close(fd);
		return fail_errno(errno, "removing %s", path);
	}
	close(fd);
	return 0;
}

/* "proto unload TENANT" as before, or "proto unload tenant TENANT". */
static int proto_unload(const struct chamctl_cmd *cmd, int argc, char **argv)
{
	const char *tenant_arg, *dir, *socket_opt;
	char name[CHAM_NAME_LEN];
	int first = 1;

	if (!argc)
		usage_error(cmd, "missing the TENANT");
	tenant_arg = argv[0];
	if (!strcmp(argv[0], "tenant") && argc > 1) {
		tenant_arg = argv[1];
		first = 2;
	}
	parse_pin_socket(cmd, argc, argv, first, &dir, &socket_opt);
	if (socket_opt || geteuid() != 0) {
		if (dir)
			usage_error(cmd, "'pin' is for root's own unloads; the loader daemon pins at %s",
				    PIN_DIR_DEFAULT);
		parse_tenant_ref(cmd, tenant_arg, &(struct tenant_ref){});
		return proto_client_unload(tenant_arg,
					   proto_socket_path(socket_opt));
	}
	if (tenant_pin_name(cmd, tenant_arg, name))
		return EXIT_FAIL;
	return proto_unpin(dir ?: PIN_DIR_DEFAULT, name);
}

struct pinned_proto {
	char tenant[NAME_MAX + 1];
	uint32_t link_id;
	uint32_t map_id;	/* 0: the link was detached */
};

static int compare_pinned(const void *a, const void *b)
{
	const struct pinned_proto *pa = a, *pb = b;

	return strcmp(pa->tenant, pb->tenant);
}

static const struct table_column proto_columns[] = {
	{ "TENANT", ALIGN_LEFT },
	{ "LINK_ID", ALIGN_RIGHT },
	{ "MAP_ID", ALIGN_RIGHT },
};

static void proto_print(const struct pinned_proto *protos, size_t count)
{
	struct table *table;
	size_t i;

	if (opt_json) {
		json_array_begin(NULL);
		for (i = 0; i < count; i++) {
			json_object_begin(NULL);
			json_string("tenant", protos[i].tenant);
			json_uint("link_id", protos[i].link_id);
			if (protos[i].map_id)
				json_uint("map_id", protos[i].map_id);
			else
				json_null("map_id");
			json_object_end();
		}
		json_array_end();
		return;
	}
	table = table_new(proto_columns, ARRAY_SIZE(proto_columns));
	for (i = 0; i < count; i++) {
		table_row(table);
		table_cell(table, "%s", protos[i].tenant);
		table_cell(table, "%u", protos[i].link_id);
		if (protos[i].map_id)
			table_cell(table, "%u", protos[i].map_id);
		else
			table_cell(table, "-");
	}
	table_print(table);
}

static int proto_show(const struct chamctl_cmd *cmd, int argc, char **argv)
{
	struct pinned_proto *protos = NULL;
	size_t count = 0, cap = 0;
	char path[PATH_MAX];
	struct struct_ops_link_info info;
	const struct dirent *entry;
	const char *dir;
	bool failed = false;
	DIR *d;
	int fd;

	parse_pin_socket(cmd, argc, argv, 0, &dir, NULL);
	if (!dir)
		dir = PIN_DIR_DEFAULT;
	d = opendir(dir);
	if (!d && errno != ENOENT)
		return fail_errno(errno, "reading %s", dir);
	while (d && (entry = readdir(d))) {
		/* '.' and '..'; '~' marks a pin attach_and_pin() is moving. */
		if (entry->d_name[0] == '.' || entry->d_name[0] == '~')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir,
			     entry->d_name) >= (int)sizeof(path))
			continue;
		fd = pinned_link_open(path, &info);
		if (fd == -EBADF || fd == -ENOENT)
			continue;	/* not a link, or gone meanwhile */
		if (fd < 0) {
			fail_errno(fd, "reading %s", path);
			failed = true;
			continue;
		}
		close(fd);
		protos = grow_array(protos, &cap, count + 1, sizeof(*protos));
		snprintf(protos[count].tenant, sizeof(protos[count].tenant),
			 "%s", entry->d_name);
		protos[count].link_id = info.id;
		protos[count].map_id = info.struct_ops.map_id;
		count++;
	}
	if (d)
		closedir(d);
	if (count)
		qsort(protos, count, sizeof(*protos), compare_pinned);
	proto_print(protos, count);
	free(protos);
	return failed ? EXIT_FAIL : 0;
}

static const struct chamctl_cmd proto_cmds[] = {
	{
		.name = "load",
		.usage = "proto load OBJECT.bpf.o [tenant TENANT] [pin DIR] "
			 "[socket PATH]",
		.summary = "register a tenant protocol, replacing the tenant's current one",
		.details =
"  OBJECT  a BPF object with one struct cham_proto_ops in section\n"
"          \".struct_ops.link\"\n"
"  tenant  the tenant to serve, instead of the one the object names\n"
"  pin     where the protocol's link is pinned, as DIR/TENANT\n"
"          (" PIN_DIR_DEFAULT " by default)\n"
"  socket  the loader daemon's socket (see 'proto serve'); also\n"
"          $" PROTO_SOCKET_ENV ", " PROTO_SOCKET_DEFAULT " by default\n"
"  The tenant must exist (chamctl tenant add). A protocol already pinned\n"
"  for the tenant is replaced atomically.\n"
"  Root loads the object itself. Anyone else hands the object file, as an\n"
"  open file, to the loader daemon, which loads it if the caller owns the\n"
"  tenant; 'pin' is then not taken. The daemon refuses uid 0 (root\n"
"  giving 'socket').\n",
		.run = proto_load,
	}, {
		.name = "unload",
		.usage = "proto unload [tenant] TENANT [pin DIR] [socket PATH]",
		.summary = "unregister a tenant's protocol (remove its pin)",
		.details =
"  The tenant returns to its default verdict once nothing else holds the\n"
"  protocol's link. Anyone but root asks the loader daemon, which removes\n"
"  the pin if the caller owns the tenant (and refuses uid 0).\n",
		.run = proto_unload,
	}, {
		.name = "show",
		.usage = "proto show [pin DIR]",
		.summary = "list pinned protocol links",
		.details =
"  Columns: TENANT, LINK_ID and MAP_ID (the struct_ops map the link\n"
"  uses; - once the link was detached).\n",
		.run = proto_show,
	}, {
		.name = "serve",
		.usage = "proto serve [socket PATH]",
		.summary = "run the loader daemon: load tenants' protocols for their owners",
		.details =
"  socket  where to listen (" PROTO_SOCKET_DEFAULT " by default; the\n"
"          directory is created); the socket is open to every user\n"
"          (mode 0666): the daemon checks each caller itself\n"
"  Runs as root, in the foreground, until SIGTERM or SIGINT, and logs one\n"
"  line per request to stderr. A request of uid U for tenant T is served\n"
"  only if U owns T (uid 0 is refused: root loads itself), before the\n"
"  object is read; each in a process of its own, killed after 20 s, at\n"
"  most 4 at once. The object may call no kernel function but the\n"
"  bpf_cham_* kfuncs, hold only struct_ops programs and plain array and\n"
"  hash maps (64 MiB of entries at most, none pinned); its tenant is set\n"
"  to T; the struct_ops link is created with effective uid U, so the\n"
"  kernel checks ownership too, and is pinned at " PIN_DIR_DEFAULT "/T.\n"
"  Unloading removes that pin.\n",
		.run = proto_serve,
	},
};

const struct chamctl_object proto_object = {
	.name = "proto",
	.cmds = proto_cmds,
	.n_cmds = ARRAY_SIZE(proto_cmds),
};
