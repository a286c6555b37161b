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
#include <grp.h>
#include <limits.h>
#include <pwd.h>
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

#include "names.h"
#include "nl.h"
#include "output.h"
#include "proto.h"
#include "state.h"

/*
 * struct_ops links came with Linux 6.4, and the installed <linux/bpf.h> may
 * be older: what chamctl needs of them is spelled out here, as the kernel's
 * ABI has it.
 */
#ifndef BPF_F_LINK
#define BPF_F_LINK	(1U << 13)
#endif
/* BPF_OBJ_GET/PIN relative to a directory fd (Linux 6.5). */
#ifndef BPF_F_PATH_FD
#define BPF_F_PATH_FD	(1U << 14)
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

/* What an fd of the bpf() syscall refers to. */
enum bpf_fd_kind { BPF_FD_OTHER, BPF_FD_MAP, BPF_FD_PROG, BPF_FD_LINK };

/*
 * Maps, programs and links all answer an info query, each with its own
 * layout: only the file behind the fd tells the kinds apart.
 */
static enum bpf_fd_kind bpf_fd_kind(int fd)
{
	static const char prefix[] = "anon_inode:bpf";
	const size_t len = sizeof(prefix) - 1;
	char fd_path[64], target[64];
	const char *kind;
	ssize_t n;

	snprintf(fd_path, sizeof(fd_path), "/proc/self/fd/%d", fd);
	n = readlink(fd_path, target, sizeof(target) - 1);
	if (n <= (ssize_t)len || strncmp(target, prefix, len))
		return BPF_FD_OTHER;
	target[n] = '\0';
	/* The kernel spells it both ways, depending on how the fd was made. */
	if (target[len] != '-' && target[len] != '_')
		return BPF_FD_OTHER;
	kind = target + len + 1;
	if (!strcmp(kind, "map"))
		return BPF_FD_MAP;
	if (!strcmp(kind, "prog"))
		return BPF_FD_PROG;
	if (!strcmp(kind, "link"))
		return BPF_FD_LINK;
	return BPF_FD_OTHER;
}

int struct_ops_link_query(int fd, uint32_t *id, uint32_t *map_id)
{
	struct struct_ops_link_info info = {};
	uint32_t len = sizeof(info);

	if (bpf_fd_kind(fd) != BPF_FD_LINK ||
	    bpf_obj_get_info_by_fd(fd, &info, &len) ||
	    info.type != BPF_LINK_TYPE_STRUCT_OPS)
		return -EBADF;
	*id = info.id;
	*map_id = info.struct_ops.map_id;
	return 0;
}

/*
 * Opens the struct_ops link pinned at @path. Returns its fd, -ENOENT when
 * nothing is pinned there, or another negative errno (-EBADF: something
 * that is not a struct_ops link is pinned there).
 */
static int pinned_link_open(const char *path)
{
	uint32_t id, map_id;
	int fd;

	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	if (struct_ops_link_query(fd, &id, &map_id)) {
		close(fd);
		return -EBADF;
	}
	return fd;
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
 * Runs as effective uid @uid from here (0, or our own: nothing changes)
 * until as_user_end(), for the kernel's ownership check on link create and
 * update. The daemon serves each request in a single-threaded process of
 * its own, so nothing else runs with the borrowed uid. Leaving uid 0
 * clears the effective capabilities: the kernel sees what the owner may do.
 */
static int as_user_begin(uid_t uid, const char *what)
{
	int err;

	if (!uid || uid == geteuid())
		return 0;
	if (seteuid(uid)) {
		err = -errno;
		fail_errno(err, "taking uid %u to %s", (unsigned int)uid, what);
		return err;
	}
	return 0;
}

static void as_user_end(uid_t uid)
{
	if (!uid || !geteuid())
		return;
	/* Carrying on as someone else would be worse than stopping. */
	if (seteuid(0)) {
		fprintf(stderr, "chamctl: cannot return to uid 0 from %u: %s\n",
			(unsigned int)uid, strerror(errno));
		_exit(EXIT_FAIL);
	}
}

/*
 * The struct_ops link, created with effective uid @as_uid unless it is 0.
 * The loader daemon registers as its caller so that the kernel's own check
 * applies: only the tenant's owner may bind a protocol to it.
 */
static struct bpf_link *attach_as(const struct proto_object *po, uid_t as_uid)
{
	struct bpf_link *link;
	int err;

	err = as_user_begin(as_uid, "register");
	if (err) {
		errno = -err;
		return NULL;
	}
	link = bpf_map__attach_struct_ops(po->map);
	err = link ? 0 : errno;
	as_user_end(as_uid);
	errno = err;
	return link;
}

/* bpf_link_update() of @link_fd to the protocol's map, as @as_uid. */
static int update_as(const struct proto_object *po, int link_fd, uid_t as_uid)
{
	int err;

	err = as_user_begin(as_uid, "replace");
	if (err)
		return err;
	err = bpf_link_update(link_fd, bpf_map__fd(po->map), NULL) ? -errno : 0;
	as_user_end(as_uid);
	return err;
}

/*
 * Registers the protocol with a new link and pins it at @path, replacing
 * whatever stale link is pinned there in one rename(), so the path never
 * goes missing. Returns 0, -EBUSY (the tenant has a protocol bound: nothing
 * was said), or EXIT_FAIL, saying why.
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
	if (!link && errno == EBUSY)
		return -EBUSY;
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

/* ---- what the kernel has bound ------------------------------------------- */

struct tenant_proto_list {
	struct tenant_proto *tenants;
	size_t count, cap;
};

static uint32_t attr_u32(const struct nlattr *attr)
{
	return attr ? mnl_attr_get_u32(attr) : 0;
}


static int tenant_proto_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CHAM_A_MAX + 1];
	struct tenant_proto_list *list = data;
	struct tenant_proto *tp;

	nl_parse(nlh, cham_attr_types, CHAM_A_MAX, tb);
	if (!tb[CHAM_A_TENANT_ID])
		return -EPROTO;
	list->tenants = grow_array(list->tenants, &list->cap, list->count + 1,
				   sizeof(*list->tenants));
	tp = &list->tenants[list->count++];
	memset(tp, 0, sizeof(*tp));
	tp->tenant_id = attr_u32(tb[CHAM_A_TENANT_ID]);
	nl_attr_copy_str(tp->tenant, CHAM_NAME_LEN, tb[CHAM_A_TENANT_NAME]);
	tp->agent_portid = attr_u32(tb[CHAM_A_TENANT_AGENT_PORTID]);
	if (tb[CHAM_A_TENANT_PROTO])
		proto_info_parse(tb[CHAM_A_TENANT_PROTO], &tp->proto);
	return 0;
}

int tenant_protos_get(const struct tenant_ref *ref, struct tenant_proto **out,
		      size_t *count)
{
	struct tenant_proto_list list = {};
	struct nlmsghdr *nlh;
	int err;

	nlh = nl_request(CHAM_CMD_TENANT_GET, !ref);
	if (ref)
		nl_put_tenant_ref(nlh, ref);
	err = nl_transact(nlh, tenant_proto_cb, &list);
	if (!err && ref && list.count != 1)
		err = -EPROTO;
	if (err) {
		free(list.tenants);
		list.tenants = NULL;
		list.count = 0;
	}
	*out = list.tenants;
	*count = list.count;
	return err;
}

/*
 * The protocol the tenant named @tenant has bound, as the kernel says:
 * -ENOENT when it has none (or no longer exists).
 */
static int tenant_bound_proto(const char *tenant, struct tenant_proto *tp)
{
	struct tenant_ref ref = { .name = tenant };
	struct tenant_proto *found;
	size_t count;
	int err;

	err = tenant_protos_get(&ref, &found, &count);
	if (err)
		return err;
	*tp = found[0];
	free(found);
	return tp->proto.present ? 0 : -ENOENT;
}

/* ---- the module's struct_ops type ---------------------------------------- */

/*
 * The id of the module's BTF object: struct_ops maps of every module's
 * types share the id space of type ids (each module's BTF numbers its types
 * from the end of vmlinux's), so a type id means something only with the
 * object it belongs to. 0 when it cannot be found (not root).
 */
static uint32_t module_btf_obj_id(const char *module)
{
	struct bpf_btf_info info;
	char name[64];
	uint32_t id = 0, len;
	int fd;

	while (!bpf_btf_get_next_id(id, &id)) {
		fd = bpf_btf_get_fd_by_id(id);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		memset(name, 0, sizeof(name));
		info.name = (uintptr_t)name;
		info.name_len = sizeof(name);
		len = sizeof(info);
		if (!bpf_btf_get_info_by_fd(fd, &info, &len) &&
		    info.kernel_btf && !strcmp(name, module)) {
			close(fd);
			return id;
		}
		close(fd);
	}
	return 0;
}

int proto_ops_btf_get(struct proto_ops_btf *ops_btf)
{
	const struct btf_member *member;
	const struct btf_type *value, *ops, *t;
	struct btf *vmlinux, *module = NULL;
	uint32_t data_off, data_size, off, size;
	unsigned int i, h;
	const char *name;
	int id, err = -ENOENT;

	memset(ops_btf, 0, sizeof(*ops_btf));
	for (h = 0; h < ARRAY_SIZE(ops_btf->handler_off); h++)
		ops_btf->handler_off[h] = UINT32_MAX;
	vmlinux = btf__load_vmlinux_btf();
	if (vmlinux)
		module = btf__load_module_btf("chamelio", vmlinux);
	if (!module)
		goto out;
	id = btf__find_by_name_kind(module, "bpf_struct_ops_" PROTO_OPS_TYPE,
				    BTF_KIND_STRUCT);
	value = id > 0 ? btf__type_by_id(module, id) : NULL;
	ops_btf->value_type_id = id;
	id = btf__find_by_name_kind(module, PROTO_OPS_TYPE, BTF_KIND_STRUCT);
	ops = id > 0 ? btf__type_by_id(module, id) : NULL;
	err = -EPROTO;
	if (!value || !ops ||
	    struct_member(module, value, "data", &data_off, &data_size) ||
	    struct_member(module, ops, "tenant", &ops_btf->tenant_off,
			  &ops_btf->tenant_size) ||
	    struct_member(module, ops, "name", &ops_btf->name_off,
			  &ops_btf->name_size))
		goto out;
	ops_btf->value_size = value->size;
	ops_btf->tenant_off += data_off;
	ops_btf->name_off += data_off;
	/* A handler is a function pointer member named as the kernel names it. */
	member = btf_members(ops);
	for (i = 0; i < btf_vlen(ops); i++, member++) {
		t = btf__type_by_id(module, member->type);
		name = btf__name_by_offset(module, member->name_off);
		if (!t || !btf_is_ptr(t) || !name ||
		    struct_member(module, ops, name, &off, &size) ||
		    size != sizeof(uint64_t))
			continue;
		for (h = 0; h < ARRAY_SIZE(ops_btf->handler_off); h++)
			if (proto_handler_name(h) &&
			    !strcmp(proto_handler_name(h), name))
				ops_btf->handler_off[h] = data_off + off;
	}
	ops_btf->obj_id = module_btf_obj_id("chamelio");
	err = 0;
out:
	btf__free(module);
	btf__free(vmlinux);
	return err;
}

/*
 * The module BTF object a struct_ops map's type lives in. Linux 6.9 named
 * it in what was an alignment pad, which older <linux/bpf.h> leave unnamed.
 */
static uint32_t map_info_btf_vmlinux_id(const struct bpf_map_info *info)
{
	size_t off = offsetof(struct bpf_map_info, btf_value_type_id) +
		     sizeof(info->btf_value_type_id);
	uint32_t id;

	_Static_assert(offsetof(struct bpf_map_info, map_extra) ==
		       offsetof(struct bpf_map_info, btf_value_type_id) + 8,
		       "btf_vmlinux_id follows btf_value_type_id");
	memcpy(&id, (const char *)info + off, sizeof(id));
	return id;
}

bool proto_map_read(const struct proto_ops_btf *ops_btf, uint32_t map_id,
		    struct proto_map_value *out)
{
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info), zero = 0;
	uint64_t prog_id;
	bool match = false;
	unsigned int h;
	char *value;
	int fd;

	if (!map_id || !ops_btf->value_size)
		return false;
	fd = bpf_map_get_fd_by_id(map_id);
	if (fd < 0)
		return false;
	if (bpf_map_get_info_by_fd(fd, &info, &len) ||
	    info.type != BPF_MAP_TYPE_STRUCT_OPS ||
	    info.btf_vmlinux_value_type_id != ops_btf->value_type_id ||
	    info.value_size != ops_btf->value_size ||
	    (ops_btf->obj_id &&
	     map_info_btf_vmlinux_id(&info) != ops_btf->obj_id))
		goto out;
	match = true;
	if (!out)
		goto out;
	memset(out, 0, sizeof(*out));
	value = calloc(1, info.value_size);
	if (value && !bpf_map_lookup_elem(fd, &zero, value)) {
		snprintf(out->tenant, sizeof(out->tenant), "%.*s",
			 (int)ops_btf->tenant_size, value + ops_btf->tenant_off);
		snprintf(out->name, sizeof(out->name), "%.*s",
			 (int)ops_btf->name_size, value + ops_btf->name_off);
		sanitize_text(out->tenant);
		sanitize_text(out->name);
		for (h = 0; h < ARRAY_SIZE(out->prog_id); h++) {
			if (ops_btf->handler_off[h] == UINT32_MAX)
				continue;
			memcpy(&prog_id, value + ops_btf->handler_off[h],
			       sizeof(prog_id));
			out->prog_id[h] = prog_id;
		}
	}
	free(value);
out:
	close(fd);
	return match;
}

/*
 * Opens link @link_id if it is a struct_ops link of a cham_proto_ops map
 * naming @tenant (an id the kernel gave can be reused once the link goes).
 * Returns the fd, or -ENOENT.
 */
static int proto_link_open(uint32_t link_id, const char *tenant)
{
	struct proto_ops_btf ops_btf;
	struct proto_map_value value;
	uint32_t id, map_id;
	int fd;

	if (!link_id || proto_ops_btf_get(&ops_btf))
		return -ENOENT;
	fd = bpf_link_get_fd_by_id(link_id);
	if (fd < 0)
		return errno == EPERM ? -EPERM : -ENOENT;
	if (struct_ops_link_query(fd, &id, &map_id) ||
	    !proto_map_read(&ops_btf, map_id, &value) ||
	    strcmp(value.tenant, tenant)) {
		close(fd);
		return -ENOENT;
	}
	return fd;
}

/* ---- finding a tenant's link --------------------------------------------- */

/* Whether the struct_ops link pinned at @pin is link @id. */
static bool pin_is_link(const char *pin, uint32_t id)
{
	uint32_t pinned_id, map_id;
	int fd = pinned_link_open(pin);
	bool same;

	if (fd < 0)
		return false;
	same = !struct_ops_link_query(fd, &pinned_id, &map_id) &&
	       pinned_id == id;
	close(fd);
	return same;
}

/*
 * Swaps the protocol in on the tenant's bound link, the one the kernel
 * names. Returns 0 (@result says which link), -ENOENT when the tenant
 * has none bound (unloaded meanwhile) or the link took no update, or
 * EXIT_FAIL, saying why.
 */
static int replace_on_bound_link(const struct proto_object *po,
				 const char *pin, uid_t as_uid,
				 struct proto_result *result)
{
	struct tenant_proto tp;
	int fd, err;

	err = tenant_bound_proto(po->tenant, &tp);
	if (err)
		return err == -ENOENT ? err :
		       nl_fail(err, "looking up tenant %s", po->tenant);
	fd = proto_link_open(tp.proto.link_id, po->tenant);
	if (fd < 0)
		return -ENOENT;
	err = update_as(po, fd, as_uid);
	close(fd);
	/* ENOLINK: detached meanwhile; ENOENT: no longer the bound one. */
	if (err == -ENOLINK || err == -ENOENT)
		return -ENOENT;
	if (err)
		return err == -E2BIG ? insn_limit_exceeded(po) :
		       fail_errno(err, "replacing the protocol of tenant %s with %s",
				  po->tenant, po->name);
	result->replaced = true;
	result->link_id = tp.proto.link_id;
	snprintf(result->replaced_proto, sizeof(result->replaced_proto), "%s",
		 tp.proto.name[0] ? tp.proto.name : "(unnamed)");
	result->pinned = pin_is_link(pin, tp.proto.link_id);
	return 0;
}

/* The EBUSY of 'proto load': which protocol, which link, what to do. */
static int tenant_busy(const struct proto_object *po, const char *object)
{
	struct tenant_proto tp;

	if (tenant_bound_proto(po->tenant, &tp))
		return fail_errno(EBUSY, "tenant %s already runs a protocol: use chamctl proto replace %s %s",
				  po->tenant, po->tenant, object);
	return fail_errno(EBUSY, "tenant %s already runs protocol %s (link %u): use chamctl proto replace %s %s",
			  po->tenant, tp.proto.name[0] ? tp.proto.name : "(unnamed)",
			  tp.proto.link_id, po->tenant, object);
}

/* ---- state across versions: the tenant's pinned maps --------------------- */

/*
 * A map the object declares pinned by name (LIBBPF_PIN_BY_NAME) lives in
 * the tenant's state directory under its name, and the next version of the
 * protocol reuses it: its state survives the replacement. libbpf could do
 * this itself (pin_root_path), but as root, following whatever the owner
 * put in the owner-writable directory: a symbolic link there to another
 * tenant's pin would hand that tenant's map over. So chamctl clears
 * libbpf's pin paths and does the lookups (BPF_OBJ_GET) and the new pins
 * (BPF_OBJ_PIN) itself, relative to the directory's fd and with the
 * owner's effective uid: the kernel resolves every path with the owner's
 * permissions (another tenant's directory is 0700: EACCES), and bpffs
 * makes new pins the owner's (fsuid), mode 0600.
 */
struct state_map {
	struct bpf_map *map;
	char name[NAME_MAX + 1];
	bool create;	/* not pinned yet: this load creates and pins it */
	bool pinned;	/* pinned by this load: unpinned if it fails */
};

struct state_maps {
	int dir_fd;		/* the tenant's state directory, or -1 */
	uid_t uid;		/* the owner's, for every path operation */
	gid_t gid;		/* the owner's primary group */
	gid_t *saved_groups;	/* ours, while we are the owner */
	int n_saved_groups;
	struct state_map *maps;
	size_t n;
};

/*
 * The owner's identity for the state directory: effective uid and gid and
 * no supplementary groups (root's would open group-readable pins the owner
 * cannot), as chamctl map takes it. A tenant without an owner: root's.
 */
static int state_as_owner(struct state_maps *sm, const char *what)
{
	int n, err;

	if (!sm->uid)
		return 0;
	n = getgroups(0, NULL);
	sm->saved_groups = n >= 0 ? calloc(n + 1, sizeof(gid_t)) : NULL;
	if (!sm->saved_groups)
		return fail_errno(n < 0 ? errno : ENOMEM, "reading our groups");
	sm->n_saved_groups = getgroups(n, sm->saved_groups);
	if (sm->n_saved_groups >= 0 && !setgroups(0, NULL) &&
	    !setegid(sm->gid) && !seteuid(sm->uid))
		return 0;
	err = errno;
	/* Half done is not done: back to root before saying so. */
	if (seteuid(0) || setegid(0) ||
	    (sm->n_saved_groups >= 0 &&
	     setgroups(sm->n_saved_groups, sm->saved_groups)))
		_exit(EXIT_FAIL);
	free(sm->saved_groups);
	sm->saved_groups = NULL;
	return fail_errno(err, "taking uid %u to %s", (unsigned int)sm->uid,
			  what);
}

static void state_as_root(struct state_maps *sm)
{
	if (!sm->uid)
		return;
	/* Carrying on as someone else would be worse than stopping. */
	if (seteuid(0) || setegid(0) ||
	    setgroups(sm->n_saved_groups, sm->saved_groups)) {
		fprintf(stderr, "chamctl: cannot return to uid 0 from %u: %s\n",
			(unsigned int)sm->uid, strerror(errno));
		_exit(EXIT_FAIL);
	}
	free(sm->saved_groups);
	sm->saved_groups = NULL;
}

/*
 * The pinned map must be what the object declares, field by field (as
 * libbpf's own reuse checks): a value read with another layout is garbage
 * to the new version, or worse.
 */
static int state_map_compatible(const struct proto_object *po,
				const struct state_map *sm, int fd)
{
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info);
	const char *field = NULL;
	uint64_t pinned = 0, declared = 0;

	if (bpf_fd_kind(fd) != BPF_FD_MAP)
		return fail("map %s: %s/%s/%s is no map; refusing to load %s",
			    sm->name, STATE_ROOT, po->tenant, sm->name,
			    po->name);
	if (bpf_map_get_info_by_fd(fd, &info, &len))
		return fail_errno(errno, "map %s: reading the pinned map",
				  sm->name);
#define STATE_FIELD(name, have, want)					\
	do {								\
		if (!field && (uint64_t)(have) != (uint64_t)(want)) {	\
			field = name;					\
			pinned = have;					\
			declared = want;				\
		}							\
	} while (0)
	STATE_FIELD("type", info.type, bpf_map__type(sm->map));
	STATE_FIELD("key size", info.key_size, bpf_map__key_size(sm->map));
	STATE_FIELD("value size", info.value_size,
		    bpf_map__value_size(sm->map));
	STATE_FIELD("max_entries", info.max_entries,
		    bpf_map__max_entries(sm->map));
	STATE_FIELD("flags", info.map_flags, bpf_map__map_flags(sm->map));
#undef STATE_FIELD
	if (!field)
		return 0;
	return fail_errno(EINVAL, "map %s is incompatible with the one pinned in tenant %s's state (%s %llu there, %llu in %s): nothing registered; keep the map's layout across versions, or remove %s/%s/%s to start afresh",
			  sm->name, po->tenant, field,
			  (unsigned long long)pinned,
			  (unsigned long long)declared, po->name, STATE_ROOT,
			  po->tenant, sm->name);
}

static void state_maps_free(struct state_maps *sm)
{
	if (sm->dir_fd >= 0)
		close(sm->dir_fd);
	free(sm->maps);
	sm->dir_fd = -1;
	sm->maps = NULL;
	sm->n = 0;
}

/*
 * A load through the daemon creates its maps as root's memory, within the
 * daemon's cap per object (check_maps()). Pins left from earlier versions
 * (renamed, moved into a directory, or no longer declared) would let an
 * owner keep piling such maps up, one load at a time: the daemon loads
 * only into a state directory that holds nothing but the maps the object
 * itself pins. Run as the owner, on the owner's directory.
 */
static int state_holds_only_declared(const struct state_maps *sm,
				     const char *tenant, const char *proto)
{
	struct dirent *entry;
	int fd, err = 0;
	size_t i;
	DIR *dir;

	fd = openat(sm->dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dir = fd < 0 ? NULL : fdopendir(fd);
	if (!dir) {
		err = fail_errno(errno, "listing %s/%s", STATE_ROOT, tenant);
		if (fd >= 0)
			close(fd);
		return err;
	}
	while (!err && (entry = readdir(dir))) {
		if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, ".."))
			continue;
		for (i = 0; i < sm->n; i++)
			if (!strcmp(entry->d_name, sm->maps[i].name))
				break;
		if (i == sm->n)
			err = fail("tenant %s's state holds '%s', which %s does not pin: the loader daemon keeps only the maps a version declares (remove it from %s/%s first)",
				   tenant, sanitize_text(entry->d_name), proto,
				   STATE_ROOT, tenant);
	}
	closedir(dir);
	return err;
}

/*
 * Before loading: finds the maps pinned by name, reuses those the tenant's
 * state already has, notes the others for state_maps_pin(), and takes
 * every pin path away from libbpf. 0 or EXIT_FAIL, saying why.
 */
static int state_maps_prepare(struct proto_object *po, uint32_t owner,
			      bool only_declared, struct state_maps *sm)
{
	LIBBPF_OPTS(bpf_obj_get_opts, get_opts, .file_flags = BPF_F_PATH_FD);
	const struct passwd *pw;
	struct bpf_map *map;
	struct state_map *m;
	size_t count = 0, i;
	int fd, err = 0;

	sm->dir_fd = -1;
	sm->uid = owner == NO_OWNER ? 0 : (uid_t)owner;
	/* Without a user database entry, no group of anyone's: nogroup. */
	pw = sm->uid ? getpwuid(sm->uid) : NULL;
	sm->gid = pw ? pw->pw_gid : sm->uid ? 65534 : 0;
	bpf_object__for_each_map(map, po->obj)
		if (bpf_map__pin_path(map))
			count++;
	if (!count)
		return 0;
	sm->maps = calloc(count, sizeof(*sm->maps));
	if (!sm->maps)
		return fail("out of memory");
	bpf_object__for_each_map(map, po->obj) {
		if (!bpf_map__pin_path(map))
			continue;
		m = &sm->maps[sm->n++];
		m->map = map;
		snprintf(m->name, sizeof(m->name), "%s", bpf_map__name(map));
		/* Never libbpf's to pin, reuse or create as root. */
		bpf_map__set_pin_path(map, NULL);
		if (map == po->map)
			return fail("%s: the struct_ops map %s cannot be pinned (its link is)",
				    po->name, m->name);
		/* bpffs takes no '.' in a name; a '/' would leave the dir. */
		if (!pin_name_ok(m->name) || strchr(m->name, '.'))
			return fail("map %s cannot be pinned by name", m->name);
	}

	sm->dir_fd = tenant_state_use(po->tenant, owner);
	if (sm->dir_fd < 0)
		return EXIT_FAIL;
	get_opts.path_fd = sm->dir_fd;
	if (state_as_owner(sm, "reach the tenant's state"))
		return EXIT_FAIL;
	if (only_declared)
		err = state_holds_only_declared(sm, po->tenant, po->name);
	for (i = 0; i < sm->n && !err; i++) {
		m = &sm->maps[i];
		fd = bpf_obj_get_opts(m->name, &get_opts);
		if (fd < 0 && errno == ENOENT) {
			m->create = true;
			continue;
		}
		if (fd < 0) {
			err = fail_errno(errno, "map %s: reusing %s/%s/%s as uid %u, the tenant's owner%s",
					 m->name, STATE_ROOT, po->tenant,
					 m->name, (unsigned int)sm->uid,
					 errno == EACCES ?
					 " (a link to a pin that is not the owner's?)" :
					 "");
			break;
		}
		err = state_map_compatible(po, m, fd);
		if (!err && bpf_map__reuse_fd(m->map, fd))
			err = fail_errno(errno, "map %s: reusing the pinned map",
					 m->name);
		close(fd);
	}
	state_as_root(sm);
	return err ? EXIT_FAIL : 0;
}

/* Removes the pins this load made (it failed). */
static void state_maps_unpin(struct state_maps *sm)
{
	size_t i;

	if (sm->dir_fd < 0 || state_as_owner(sm, "unpin"))
		return;
	for (i = 0; i < sm->n; i++)
		if (sm->maps[i].pinned &&
		    !unlinkat(sm->dir_fd, sm->maps[i].name, 0))
			sm->maps[i].pinned = false;
	state_as_root(sm);
}

/*
 * After loading, before registering: pins the maps this version created,
 * so that a registered protocol always has its state in the directory.
 * EEXIST: another load for the tenant pinned one meanwhile; this one is
 * refused rather than left with a map no later version would find.
 */
static int state_maps_pin(struct state_maps *sm, const struct proto_object *po)
{
	LIBBPF_OPTS(bpf_obj_pin_opts, pin_opts, .file_flags = BPF_F_PATH_FD);
	size_t i;
	int err = 0;

	if (sm->dir_fd < 0)
		return 0;
	pin_opts.path_fd = sm->dir_fd;
	if (state_as_owner(sm, "pin the tenant's maps"))
		return EXIT_FAIL;
	for (i = 0; i < sm->n && !err; i++) {
		if (!sm->maps[i].create)
			continue;
		if (bpf_obj_pin_opts(bpf_map__fd(sm->maps[i].map),
				     sm->maps[i].name, &pin_opts))
			err = fail_errno(errno, "map %s: pinning it in %s/%s%s",
					 sm->maps[i].name, STATE_ROOT,
					 po->tenant, errno == EEXIST ?
					 " (another load for the tenant pinned it meanwhile: try again)" :
					 "");
		else
			sm->maps[i].pinned = true;
	}
	state_as_root(sm);
	if (err)
		state_maps_unpin(sm);
	return err ? EXIT_FAIL : 0;
}

/* ---- registration or replacement ----------------------------------------- */

/*
 * How many times a replacement starts over when the tenant's link went
 * away between the kernel's EBUSY and the update (an unload racing).
 */
#define REPLACE_TRIES	3

/*
 * Registering and replacing. libbpf prepares a struct_ops map's value in
 * the kernel (BPF_MAP_UPDATE_ELEM with the programs' fds) only in
 * bpf_map__attach_struct_ops(), which then creates a link, and updates a
 * link (bpf_link__update_map()) only if it created it. So both paths start
 * the same way: attach. If the tenant has no protocol bound, that is the
 * registration, and the link is pinned. If it has one, the kernel refuses
 * the link (EBUSY, kmod/proto.c) but the map's value is in place, READY
 * for BPF_LINK_UPDATE: a load stops there and says so; a replacement
 * updates the tenant's own link with it (bpf_link_update()), so the pinned
 * link stays the same object, at the same pin, and the swap is atomic. If
 * the link goes between the EBUSY and the update (an unload), no link
 * accepts the update and the replacement starts over, registering.
 */
int proto_object_register(struct proto_object *po, const char *label,
			  const struct proto_register_opts *opts,
			  struct proto_result *result)
{
	struct state_maps sm = { .dir_fd = -1 };
	int fd, err, tries;

	memset(result, 0, sizeof(*result));
	if (state_maps_prepare(po, opts->owner, opts->as_uid != 0, &sm)) {
		state_maps_free(&sm);
		return EXIT_FAIL;
	}
	err = bpf_object__load(po->obj);
	if (err) {
		state_maps_free(&sm);
		return fail_errno(err, "loading %s", label);
	}
	/* Loaded, not yet attached: nothing has run, closing undoes it all. */
	if ((opts->check && opts->check(po)) ||
	    proto_prepare_pin_dir(opts->dir) ||
	    pin_path(result->pin, sizeof(result->pin), opts->dir,
		     po->tenant)) {
		state_maps_free(&sm);
		return EXIT_FAIL;
	}
	fd = pinned_link_open(result->pin);
	if (fd >= 0)
		close(fd);
	if (fd == -EBADF)
		err = fail("%s is not a struct_ops link; not replacing it",
			   result->pin);
	else if (fd < 0 && fd != -ENOENT)
		err = fail_errno(fd, "opening %s", result->pin);
	else
		err = state_maps_pin(&sm, po);

	for (tries = 0; !err && tries < REPLACE_TRIES; tries++) {
		err = attach_and_pin(po, opts->dir, result->pin, opts->as_uid);
		if (err != -EBUSY)
			break;
		if (!opts->replace) {
			err = tenant_busy(po, opts->object_hint);
			break;
		}
		err = replace_on_bound_link(po, result->pin, opts->as_uid,
					    result);
		if (err != -ENOENT)
			break;
		/* A link whose last reference went is released in deferred work. */
		usleep(100000 * (tries + 1));
	}
	if (err == -ENOENT || err == -EBUSY)
		err = fail_errno(EBUSY, "tenant %s has a protocol bound, but none of its links took the update; try again",
				 po->tenant);
	if (err)
		state_maps_unpin(&sm);
	if (!err && result->replaced && !result->pinned)
		result->pin[0] = '\0';
	else if (!err)
		result->pinned = true;
	state_maps_free(&sm);
	return err;
}

void proto_print_loaded(const char *proto, const char *tenant,
			const char *pin, const char *replaced)
{
	if (opt_json) {
		json_object_begin(NULL);
		json_string("proto", proto);
		json_string("tenant", tenant);
		json_string("pin", pin);
		if (replaced)
			json_string("replaced", replaced);
		else
			json_null("replaced");
		json_object_end();
	} else if (replaced) {
		printf("protocol %s replaces %s for tenant %s (%s%s)\n", proto,
		       replaced[0] ? replaced : "(unnamed)", tenant,
		       strncmp(pin, "link ", 5) ? "pinned at " : "", pin);
	} else {
		printf("protocol %s loaded for tenant %s (pinned at %s)\n",
		       proto, tenant, pin);
	}
}

void proto_result_pin(const struct proto_result *result, char *buf,
		      size_t size)
{
	if (result->pin[0])
		snprintf(buf, size, "%s", result->pin);
	else
		snprintf(buf, size, "link %u", result->link_id);
}

/* Root's own load or replace; anyone else's goes to the daemon. */
static int proto_load_direct(const char *object_path, const char *tenant_arg,
			     const char *dir, bool replace)
{
	struct proto_register_opts opts = {
		.dir = dir, .replace = replace, .object_hint = object_path,
	};
	struct tenant_summary tenant;
	struct proto_result result;
	struct proto_object po = {};
	char pin[PATH_MAX];
	int ret, err;

	setup_libbpf_logging();
	ret = proto_object_open(&po, object_path, tenant_arg);
	if (ret)
		goto out;
	/* The owner's uid does the work in the tenant's state directory. */
	err = tenant_lookup(&(struct tenant_ref){ .name = po.tenant }, &tenant);
	if (err == -ENOENT) {
		ret = registration_failed(err, &po);
		goto out;
	}
	if (err) {
		ret = nl_fail(err, "looking up tenant %s", po.tenant);
		goto out;
	}
	opts.owner = tenant.owner;
	ret = proto_object_register(&po, object_path, &opts, &result);
	if (!ret) {
		proto_result_pin(&result, pin, sizeof(pin));
		proto_print_loaded(po.name, po.tenant, pin,
				   result.replaced ? result.replaced_proto :
				   NULL);
	}
out:
	proto_object_close(&po);
	return ret;
}

/*
 * proto load OBJECT [tenant T] [pin DIR] [socket PATH] [replace]
 * proto replace TENANT OBJECT [pin DIR] [socket PATH]
 */
static int proto_load_or_replace(const struct chamctl_cmd *cmd,
				 const char *object_path,
				 const char *tenant_arg, bool replace,
				 int argc, char **argv, int first)
{
	const char *dir = PIN_DIR_DEFAULT, *socket_opt = NULL;
	char tenant_name[CHAM_NAME_LEN];
	bool have_dir = false;
	struct tenant_ref ref = {};
	int i, err;

	if (tenant_arg)
		parse_tenant_ref(cmd, tenant_arg, &ref);
	for (i = first; i < argc;) {
		if (!strcmp(argv[i], "tenant") && first == 1) {
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
		} else if (!strcmp(argv[i], "replace") && first == 1) {
			if (replace)
				usage_error(cmd, "'replace' is given twice");
			replace = true;
			i++;
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
		return proto_client_load(object_path, tenant_arg, replace,
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
	return proto_load_direct(object_path, tenant_arg, dir, replace);
}

static int proto_load(const struct chamctl_cmd *cmd, int argc, char **argv)
{
	if (!argc)
		usage_error(cmd, "missing the OBJECT file");
	return proto_load_or_replace(cmd, argv[0], NULL, false, argc, argv, 1);
}

static int proto_replace(const struct chamctl_cmd *cmd, int argc, char **argv)
{
	if (argc < 2)
		usage_error(cmd, "missing the %s",
			    argc ? "OBJECT file" : "TENANT");
	return proto_load_or_replace(cmd, argv[1], argv[0], true, argc, argv,
				     2);
}

/* ---- pins in bpffs --------------------------------------------------------- */

#define BPFFS_ROOT		"/sys/fs/bpf"
/* Deeper than any layout seen (bpftool, libbpf, chamctl, systemd). */
#define PIN_SEARCH_DEPTH	8
/* Entries looked at in all: a crowded bpffs costs a bounded time. */
#define PIN_SEARCH_MAX		65536

struct pin_walk;
/*
 * Called for each struct_ops link or map found pinned: @name in the
 * directory open at @dir_fd, which is how the pin is reached again
 * without following a path a user could change meanwhile.
 */
typedef void (*pin_visit_fn)(struct pin_walk *walk, int dir_fd,
			     const char *name, const struct bpf_pin *pin);

struct dir_id {
	dev_t dev;
	ino_t ino;
};

struct pin_walk {
	pin_visit_fn visit;
	struct dir_id *seen;	/* directories walked, each walked once */
	size_t n_seen, cap_seen;
	size_t entries;
	/* For the visitors. */
	struct bpf_pin_list *list;
	uint32_t link_id;	/* pins of this link are removed */
	int err;		/* the first removal that failed */
	char failed[PATH_MAX];
};

static bool pin_walk_seen(struct pin_walk *walk, int fd)
{
	struct stat st;
	size_t i;

	if (fstat(fd, &st))
		return true;
	for (i = 0; i < walk->n_seen; i++)
		if (walk->seen[i].dev == st.st_dev &&
		    walk->seen[i].ino == st.st_ino)
			return true;
	walk->seen = grow_array(walk->seen, &walk->cap_seen, walk->n_seen + 1,
				sizeof(*walk->seen));
	walk->seen[walk->n_seen++] = (struct dir_id){ st.st_dev, st.st_ino };
	return false;
}

static void pin_walk_entry(struct pin_walk *walk, int dir_fd,
			   const char *name, const char *path)
{
	LIBBPF_OPTS(bpf_obj_get_opts, opts, .file_flags = BPF_F_PATH_FD,
		    .path_fd = dir_fd);
	struct bpf_pin pin = {};
	struct bpf_map_info info;
	uint32_t len = sizeof(info);
	int fd;

	fd = bpf_obj_get_opts(name, &opts);
	if (fd < 0)
		return;		/* not the caller's to open, or gone */
	switch (bpf_fd_kind(fd)) {
	case BPF_FD_LINK:
		if (struct_ops_link_query(fd, &pin.id, &pin.map_id))
			goto out;
		break;
	case BPF_FD_MAP:
		memset(&info, 0, sizeof(info));
		if (bpf_map_get_info_by_fd(fd, &info, &len) ||
		    info.type != BPF_MAP_TYPE_STRUCT_OPS)
			goto out;
		pin.is_map = true;
		pin.id = info.id;
		break;
	default:
		goto out;
	}
	snprintf(pin.path, sizeof(pin.path), "%s", path);
	walk->visit(walk, dir_fd, name, &pin);
out:
	close(fd);
}

/* @path (of PATH_MAX) names @dir_fd in its first @len bytes. */
static void pin_walk_dir(struct pin_walk *walk, int dir_fd, char *path,
			 size_t len, int depth)
{
	const int dir_flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	const struct dirent *entry;
	struct statfs fs;
	struct stat st;
	DIR *dir;
	int fd, sub;

	fd = openat(dir_fd, ".", dir_flags);
	dir = fd >= 0 ? fdopendir(fd) : NULL;
	if (!dir) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while (walk->entries < PIN_SEARCH_MAX && (entry = readdir(dir))) {
		if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, ".."))
			continue;
		walk->entries++;
		if (snprintf(path + len, PATH_MAX - len, "/%s",
			     entry->d_name) >= (int)(PATH_MAX - len))
			continue;
		if (fstatat(dir_fd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;
		if (S_ISREG(st.st_mode)) {
			pin_walk_entry(walk, dir_fd, entry->d_name, path);
			continue;
		}
		if (!S_ISDIR(st.st_mode) || depth >= PIN_SEARCH_DEPTH)
			continue;
		sub = openat(dir_fd, entry->d_name, dir_flags);
		if (sub < 0)
			continue;
		if (!fstatfs(sub, &fs) && fs.f_type == BPF_FS_MAGIC &&
		    !pin_walk_seen(walk, sub))
			pin_walk_dir(walk, sub, path, strlen(path), depth + 1);
		close(sub);
	}
	path[len] = '\0';
	closedir(dir);
}

/* @extra_dir if given, the default pin directory, then all of bpffs. */
static void pin_walk_run(struct pin_walk *walk, const char *extra_dir)
{
	const char *roots[] = { extra_dir, PIN_DIR_DEFAULT, BPFFS_ROOT };
	char path[PATH_MAX];
	struct statfs fs;
	size_t i, len;
	int fd;

	for (i = 0; i < ARRAY_SIZE(roots); i++) {
		if (!roots[i])
			continue;
		fd = open(roots[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			  O_CLOEXEC);
		if (fd < 0)
			continue;
		len = snprintf(path, sizeof(path), "%s", roots[i]);
		while (len > 1 && path[len - 1] == '/')
			path[--len] = '\0';
		if (len < sizeof(path) && !fstatfs(fd, &fs) &&
		    fs.f_type == BPF_FS_MAGIC && !pin_walk_seen(walk, fd))
			pin_walk_dir(walk, fd, path, len == 1 ? 0 : len, 0);
		close(fd);
	}
	free(walk->seen);
	walk->seen = NULL;
	walk->n_seen = walk->cap_seen = 0;
}

static void pin_list_visit(struct pin_walk *walk, int dir_fd,
			   const char *name, const struct bpf_pin *pin)
{
	struct bpf_pin_list *list = walk->list;

	list->pins = grow_array(list->pins, &list->cap, list->count + 1,
				sizeof(*list->pins));
	list->pins[list->count++] = *pin;
}

void bpf_pins_find(struct bpf_pin_list *list, const char *extra_dir)
{
	struct pin_walk walk = { .visit = pin_list_visit, .list = list };

	pin_walk_run(&walk, extra_dir);
}

void bpf_pins_free(struct bpf_pin_list *list)
{
	free(list->pins);
	memset(list, 0, sizeof(*list));
}

const char *bpf_pins_link_path(const struct bpf_pin_list *list,
			       uint32_t link_id, const char *tenant)
{
	const struct bpf_pin *first = NULL, *pin;
	const char *base;
	size_t i;

	for (i = 0; i < list->count; i++) {
		pin = &list->pins[i];
		if (pin->is_map || pin->id != link_id)
			continue;
		base = strrchr(pin->path, '/');
		if (tenant && base && !strcmp(base + 1, tenant))
			return pin->path;
		if (!first)
			first = pin;
	}
	return first ? first->path : NULL;
}

/*
 * Removes a pin of the link being unloaded: it was just opened at
 * @dir_fd/@name and is that link, so nothing else is removed.
 */
static void pin_unlink_visit(struct pin_walk *walk, int dir_fd,
			     const char *name, const struct bpf_pin *pin)
{
	if (pin->is_map || pin->id != walk->link_id)
		return;
	if (!unlinkat(dir_fd, name, 0) || walk->err)
		return;
	walk->err = errno;
	snprintf(walk->failed, sizeof(walk->failed), "%s", pin->path);
}

/* ---- unloading ----------------------------------------------------------- */

/*
 * Detaches link @id (open at @fd), then removes its pins. Detaching
 * unregisters now: left to the link's release, it would happen in
 * deferred work once the last reference goes (a pin, an fd bpftool or a
 * loader still holds), and a registration right after the unload could
 * still find the tenant busy. The kernel unbinds the tenant only if this
 * link is the one bound. 0 or EXIT_FAIL, saying why.
 */
static int proto_link_detach(int fd, uint32_t id, const char *extra_dir)
{
	struct pin_walk walk = { .visit = pin_unlink_visit, .link_id = id };

	if (bpf_link_detach(fd) && errno != EOPNOTSUPP && errno != EINVAL)
		return fail_errno(errno, "detaching link %u", id);
	pin_walk_run(&walk, extra_dir);
	if (walk.err)
		return fail_errno(walk.err, "removing %s, a pin of link %u (the link is detached)",
				  walk.failed, id);
	return 0;
}

/* How many times the link is looked up again when it went meanwhile. */
#define UNLOAD_TRIES	3

int proto_unload_tenant(const struct tenant_ref *ref, const char *label,
			const char *extra_dir)
{
	struct tenant_proto *found, tp = {};
	size_t count;
	int tries, fd = -ENOENT, err;

	for (tries = 0; tries < UNLOAD_TRIES && fd == -ENOENT; tries++) {
		err = tenant_protos_get(ref, &found, &count);
		if (err)
			return nl_fail(err, "looking up tenant %s", label);
		tp = found[0];
		free(found);
		if (!tp.proto.present)
			break;
		if (!tp.proto.link_id)
			return fail_errno(EPROTO, "the module does not name the link of tenant %s (older than chamctl?)",
					  tp.tenant);
		/* ENOENT: the link went between the kernel's answer and ours. */
		fd = proto_link_open(tp.proto.link_id, tp.tenant);
	}
	if (fd == -ENOENT)
		return fail_errno(ENOENT, "tenant %s has no protocol bound",
				  tp.tenant[0] ? tp.tenant : label);
	if (fd < 0)
		return fail_errno(fd, "opening link %u of tenant %s",
				  tp.proto.link_id, tp.tenant);
	err = proto_link_detach(fd, tp.proto.link_id, extra_dir);
	close(fd);
	return err;
}

/*
 * A link no tenant binds (a deleted tenant's, one a library left
 * behind): it still holds its map, and the map the module.
 */
static int proto_unload_link(const char *arg, const char *extra_dir)
{
	struct proto_ops_btf ops_btf;
	uint32_t id, map_id;
	uint64_t value;
	int fd, err;

	if (!parse_uint(arg, UINT32_MAX, &value) || !value)
		return fail_errno(EINVAL, "'%s' is no link id", arg);
	fd = bpf_link_get_fd_by_id(value);
	if (fd < 0)
		return fail_errno(errno, "link %s", arg);
	if (struct_ops_link_query(fd, &id, &map_id))
		err = fail("link %u is no struct_ops link; not detaching it",
			   (unsigned int)value);
	else if (map_id && (proto_ops_btf_get(&ops_btf) ||
			    !proto_map_read(&ops_btf, map_id, NULL)))
		err = fail("link %u binds no %s (map %u); not detaching it",
			   id, PROTO_OPS_TYPE, map_id);
	else
		err = proto_link_detach(fd, id, extra_dir);
	close(fd);
	return err;
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

/*
 * proto unload [tenant] TENANT [pin DIR] [socket PATH]
 * proto unload link ID [pin DIR]
 */
static int proto_unload(const struct chamctl_cmd *cmd, int argc, char **argv)
{
	const char *tenant_arg, *dir, *socket_opt, *link_arg = NULL;
	struct tenant_ref ref;
	int first = 1;

	if (!argc)
		usage_error(cmd, "missing the TENANT");
	tenant_arg = argv[0];
	/* A tenant named "link" or "tenant" is still reached alone. */
	if (!strcmp(argv[0], "tenant") && argc > 1) {
		tenant_arg = argv[1];
		first = 2;
	} else if (!strcmp(argv[0], "link") && argc > 1 &&
		   is_all_digits(argv[1])) {
		link_arg = argv[1];
		first = 2;
	}
	parse_pin_socket(cmd, argc, argv, first, &dir, &socket_opt);
	if (link_arg) {
		if (socket_opt)
			usage_error(cmd, "'link' is root's own: no tenant owns a link no tenant binds");
		return proto_unload_link(link_arg, dir);
	}
	parse_tenant_ref(cmd, tenant_arg, &ref);
	if (socket_opt || geteuid() != 0) {
		if (dir)
			usage_error(cmd, "'pin' is for root's own unloads; the loader daemon searches %s",
				    BPFFS_ROOT);
		return proto_client_unload(tenant_arg,
					   proto_socket_path(socket_opt));
	}
	if (nl_open())
		return EXIT_FAIL;
	return proto_unload_tenant(&ref, tenant_arg, dir);
}

/* ---- proto show ------------------------------------------------------------ */

static int compare_tenant_protos(const void *a, const void *b)
{
	const struct tenant_proto *ta = a, *tb = b;

	return strcmp(ta->tenant, tb->tenant);
}

/* "rx:12,tx:13": each handler's program. */
static const char *handlers_text(const struct tenant_proto *tp, char *buf,
				 size_t size)
{
	size_t len = 0;
	unsigned int i;

	snprintf(buf, size, "-");
	for (i = 0; i < tp->proto.n_handlers && len < size; i++)
		len += snprintf(buf + len, size - len, "%s%s:%u", i ? "," : "",
				tp->proto.handlers[i].name, tp->proto.handlers[i].prog_id);
	return buf;
}

static const char *proto_state_name(const struct tenant_proto *tp)
{
	return tp->proto.ejected ? "ejected" : "bound";
}

static const struct table_column proto_columns[] = {
	{ "TENANT", ALIGN_LEFT },
	{ "PROTO", ALIGN_LEFT },
	{ "STATE", ALIGN_LEFT },
	{ "GEN", ALIGN_RIGHT },
	{ "LINK", ALIGN_RIGHT },
	{ "PROGS", ALIGN_LEFT },
	{ "PIN", ALIGN_LEFT },
};

void proto_print_bound(const struct tenant_proto *tps, size_t count,
		       const struct bpf_pin_list *pins, const char *json_key)
{
	char progs[__CHAM_PROTO_HANDLER_MAX * (CHAM_NAME_LEN + 12)];
	const struct tenant_proto *tp;
	struct table *table = NULL;
	const char *pin;
	unsigned int h;
	size_t i;

	if (opt_json)
		json_array_begin(json_key);
	else
		table = table_new(proto_columns, ARRAY_SIZE(proto_columns));
	for (i = 0; i < count; i++) {
		tp = &tps[i];
		if (!tp->proto.present)
			continue;
		pin = tp->proto.link_id ?
		      bpf_pins_link_path(pins, tp->proto.link_id, tp->tenant) : NULL;
		if (!opt_json) {
			table_row(table);
			table_cell(table, "%s", tp->tenant);
			table_cell(table, "%s", tp->proto.name[0] ? tp->proto.name : "-");
			table_cell(table, "%s", proto_state_name(tp));
			table_cell(table, "%u", tp->proto.generation);
			if (tp->proto.link_id)
				table_cell(table, "%u", tp->proto.link_id);
			else
				table_cell(table, "-");
			table_cell(table, "%s",
				   handlers_text(tp, progs, sizeof(progs)));
			table_cell(table, "%s", pin ?: "-");
			continue;
		}
		json_object_begin(NULL);
		json_string("tenant", tp->tenant);
		json_uint("tenant_id", tp->tenant_id);
		json_string("proto", tp->proto.name);
		json_string("state", proto_state_name(tp));
		json_uint("generation", tp->proto.generation);
		if (tp->proto.link_id)
			json_uint("link_id", tp->proto.link_id);
		else
			json_null("link_id");
		json_array_begin("handlers");
		for (h = 0; h < tp->proto.n_handlers; h++) {
			json_object_begin(NULL);
			json_string("name", tp->proto.handlers[h].name);
			json_uint("prog_id", tp->proto.handlers[h].prog_id);
			json_uint("verified_insns",
				  tp->proto.handlers[h].verified_insns);
			json_object_end();
		}
		json_array_end();
		json_string("pin", pin);
		json_object_end();
	}
	if (opt_json)
		json_array_end();
	else
		table_print(table);
}

bool link_is_bound(const struct tenant_proto *tps, size_t count, uint32_t id)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (tps[i].proto.present && tps[i].proto.link_id == id)
			return true;
	return false;
}

/*
 * A pinned link is stale when no tenant binds it: a link of a deleted
 * tenant, or one left detached. Only those whose map is a cham_proto_ops
 * are Chamelio's; a detached one says nothing of its type any more, and
 * counts only in chamctl's own directory. Root only: anyone else sees
 * only their own tenants, and others' links would all look stale.
 */
static bool pin_is_stale(const struct bpf_pin *pin,
			 const struct proto_ops_btf *ops_btf,
			 const struct tenant_proto *tps, size_t count,
			 struct proto_map_value *value)
{
	memset(value, 0, sizeof(*value));
	if (pin->is_map || link_is_bound(tps, count, pin->id))
		return false;
	if (pin->map_id)
		return proto_map_read(ops_btf, pin->map_id, value);
	return !strncmp(pin->path, PIN_DIR_DEFAULT "/",
			strlen(PIN_DIR_DEFAULT "/"));
}

static const struct table_column stale_columns[] = {
	{ "PIN", ALIGN_LEFT },
	{ "LINK", ALIGN_RIGHT },
	{ "MAP", ALIGN_RIGHT },
	{ "PROTO", ALIGN_LEFT },
	{ "NAMES", ALIGN_LEFT },
};

/* Prints the stale pins (with @print) and returns how many there are. */
static size_t proto_stale_pins(const struct tenant_proto *tps, size_t count,
			       const struct bpf_pin_list *pins, bool print)
{
	struct proto_map_value value;
	struct proto_ops_btf ops_btf;
	struct table *table = NULL;
	const struct bpf_pin *pin;
	size_t i, stale = 0;

	if (proto_ops_btf_get(&ops_btf))
		return 0;
	if (print && opt_json)
		json_array_begin(NULL);
	else if (print)
		table = table_new(stale_columns, ARRAY_SIZE(stale_columns));
	for (i = 0; i < pins->count; i++) {
		pin = &pins->pins[i];
		if (!pin_is_stale(pin, &ops_btf, tps, count, &value))
			continue;
		stale++;
		if (!print)
			continue;
		if (opt_json) {
			json_object_begin(NULL);
			json_string("pin", pin->path);
			json_uint("link_id", pin->id);
			if (pin->map_id)
				json_uint("map_id", pin->map_id);
			else
				json_null("map_id");
			json_string("proto", pin->map_id ? value.name : NULL);
			json_string("tenant",
				    pin->map_id ? value.tenant : NULL);
			json_object_end();
			continue;
		}
		table_row(table);
		table_cell(table, "%s", pin->path);
		table_cell(table, "%u", pin->id);
		table_cell(table, pin->map_id ? "%u" : "-", pin->map_id);
		table_cell(table, "%s", value.name[0] ? value.name : "-");
		table_cell(table, "%s", value.tenant[0] ? value.tenant : "-");
	}
	if (print && opt_json)
		json_array_end();
	else if (print)
		table_print(table);
	return stale;
}

/* proto show [stale] [pin DIR] */
static int proto_show(const struct chamctl_cmd *cmd, int argc, char **argv)
{
	struct bpf_pin_list pins = {};
	struct tenant_proto *tps;
	bool stale = false;
	const char *dir;
	size_t count, n;
	int err;

	if (argc && !strcmp(argv[0], "stale")) {
		stale = true;
		argc--;
		argv++;
	}
	parse_pin_socket(cmd, argc, argv, 0, &dir, NULL);
	if (stale && geteuid() != 0)
		return fail_errno(EPERM, "only root sees every tenant, and so which pins no tenant binds");
	if (nl_open())
		return EXIT_FAIL;
	err = tenant_protos_get(NULL, &tps, &count);
	if (err)
		return nl_fail(err, "listing tenants");
	if (count)
		qsort(tps, count, sizeof(*tps), compare_tenant_protos);
	bpf_pins_find(&pins, dir);
	if (stale) {
		proto_stale_pins(tps, count, &pins, true);
	} else {
		proto_print_bound(tps, count, &pins, NULL);
		n = geteuid() || opt_json ? 0 :
		    proto_stale_pins(tps, count, &pins, false);
		if (n)
			fprintf(stderr, "chamctl: note: %zu pinned protocol link%s no tenant binds (chamctl proto show stale)\n",
				n, n == 1 ? "" : "s");
	}
	bpf_pins_free(&pins);
	free(tps);
	return 0;
}

/*
 * The admin clears an ejection: the kernel puts the protocol the ceiling
 * ejected back on the fast path, on the link it kept.
 */
static int proto_reinstate(const struct chamctl_cmd *cmd, int argc,
			   char **argv)
{
	struct tenant_ref ref;
	struct nlmsghdr *nlh;
	int err;

	if (!argc)
		usage_error(cmd, "a TENANT is required");
	if (argc > 1)
		usage_error(cmd, "unknown argument '%s'", argv[1]);
	parse_tenant_ref(cmd, argv[0], &ref);
	if (nl_open())
		return EXIT_FAIL;
	nlh = nl_request(CHAM_CMD_PROTO_REINSTATE, false);
	nl_put_tenant_ref(nlh, &ref);
	err = nl_transact(nlh, NULL, NULL);
	if (err)
		return nl_fail(err, "reinstating the protocol of tenant %s",
			       argv[0]);
	return 0;
}

static const struct chamctl_cmd proto_cmds[] = {
	{
		.name = "load",
		.usage = "proto load OBJECT.bpf.o [tenant TENANT] [pin DIR] "
			 "[socket PATH] [replace]",
		.summary = "register a tenant protocol (the tenant must have none)",
		.details =
"  OBJECT  a BPF object with one struct cham_proto_ops in section\n"
"          \".struct_ops.link\"\n"
"  tenant  the tenant to serve, instead of the one the object names\n"
"  pin     where the protocol's link is pinned, as DIR/TENANT\n"
"          (" PIN_DIR_DEFAULT " by default)\n"
"  socket  the loader daemon's socket (see 'proto serve'); also\n"
"          $" PROTO_SOCKET_ENV ", " PROTO_SOCKET_DEFAULT " by default\n"
"  replace as 'proto replace': swap it in if the tenant runs a protocol\n"
"  The tenant must exist (chamctl tenant add). If it already runs a\n"
"  protocol, the load fails (EBUSY) and changes nothing: use 'proto\n"
"  replace'. Maps the object pins by name (LIBBPF_PIN_BY_NAME) are\n"
"  reused from, or pinned in, the tenant's state directory\n"
"  " STATE_ROOT "/TENANT, with the tenant owner's uid: they\n"
"  keep the tenant's state across versions.\n"
"  Root loads the object itself. Anyone else hands the object file, as an\n"
"  open file, to the loader daemon, which loads it if the caller owns the\n"
"  tenant; 'pin' is then not taken. The daemon refuses uid 0 (root\n"
"  giving 'socket').\n",
		.run = proto_load,
	}, {
		.name = "replace",
		.usage = "proto replace TENANT OBJECT.bpf.o [pin DIR] [socket PATH]",
		.summary = "swap a new version of a tenant's protocol in, atomically",
		.details =
"  If TENANT runs a protocol, the new one takes its place on the same\n"
"  link (bpf_link_update()): one pointer swap, no packet unserved, the\n"
"  pin unchanged; a protocol ejected by the ceiling is replaced too. If\n"
"  TENANT runs none, registers it as 'proto load' does. Maps pinned by\n"
"  name are reused from the tenant's state directory, as with 'load'.\n"
"  Anyone but root goes through the loader daemon, as with 'load'.\n",
		.run = proto_replace,
	}, {
		.name = "unload",
		.usage = "proto unload [tenant] TENANT|link ID [pin DIR] "
			 "[socket PATH]",
		.summary = "unregister a tenant's protocol (detach its link, remove its pins)",
		.details =
"  However the protocol was registered (chamctl, bpftool, libbpf), the\n"
"  kernel names the link that binds it; that link is detached, so the\n"
"  tenant returns to its default verdict at once, even if something else\n"
"  holds the link, and may register again right away. Every pin of that\n"
"  link found under " BPFFS_ROOT " (and DIR, if given) is removed; no\n"
"  other. An ejected protocol is unloaded too. Fails with ENOENT if the\n"
"  tenant has no protocol bound. The tenant's state directory is kept.\n"
"  Anyone but root asks the loader daemon, which does the same if the\n"
"  caller owns the tenant (and refuses uid 0).\n"
"  link ID  a protocol link no tenant binds (a deleted tenant's, see\n"
"           'proto show stale' and 'chamctl status'): detached, its pins\n"
"           removed. Root only.\n",
		.run = proto_unload,
	}, {
		.name = "reinstate",
		.usage = "proto reinstate TENANT",
		.summary = "put a protocol the ceiling ejected back on the fast path",
		.details =
"  The tenant's ejected protocol, still bound to its link, handles the\n"
"  tenant's packets again, as a new generation with its violation count\n"
"  back to 0; the tenant's ejections count stays. Raise the tenant's\n"
"  ceiling or eject-after first, or the same calls eject it again.\n"
"  Fails (ENOENT, \"no protocol is ejected\") when the tenant runs its\n"
"  protocol or has none. Root only (CAP_NET_ADMIN): a tenant's owner\n"
"  puts a fixed version back with 'proto replace'.\n",
		.run = proto_reinstate,
	}, {
		.name = "show",
		.usage = "proto show [stale] [pin DIR]",
		.summary = "list the protocols the module has bound, per tenant",
		.details =
"  What the kernel has bound, however it was registered: TENANT, PROTO\n"
"  (its name), STATE (bound, or ejected by the ceiling: the link still\n"
"  binds it), GEN (the registration's generation), LINK (the link's id),\n"
"  PROGS (each handler's program id, as rx:12,tx:13) and PIN (where the\n"
"  link is pinned, searched under " BPFFS_ROOT " and DIR; - if nowhere\n"
"  the caller can read). Anyone but root sees the tenants they own.\n"
"  stale  instead, root's list of pinned protocol links no tenant binds\n"
"         (left by a deleted tenant, or detached): PIN, LINK, MAP (- once\n"
"         detached), PROTO and NAMES (the tenant the protocol names).\n"
"         They hold the module until removed: chamctl proto unload link ID.\n",
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
"  hash maps (64 MiB of entries at most; maps pinned by name live in\n"
"  T's state directory, reached with uid U); its tenant is set to T;\n"
"  the struct_ops link is created, or the tenant's link updated for a\n"
"  replace, with effective uid U, so the kernel checks ownership too; a\n"
"  new link is pinned at " PIN_DIR_DEFAULT "/T. Unloading detaches\n"
"  the link the kernel names for T, however it was registered, and\n"
"  removes its pins, as root's 'proto unload' does.\n",
		.run = proto_serve,
	},
};

const struct chamctl_object proto_object = {
	.name = "proto",
	.cmds = proto_cmds,
	.n_cmds = ARRAY_SIZE(proto_cmds),
};
