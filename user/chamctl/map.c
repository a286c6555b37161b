// SPDX-License-Identifier: GPL-2.0
/*
 * chamctl map: a tenant's maps, the ones its protocol pins by name in the
 * tenant's state directory (state.h), read and changed by the tenant's
 * owner without root. Opening a pin (BPF_OBJ_GET) and working on the map
 * through its fd need no capability: the pins' and the directory's file
 * permissions decide, and the directory is the owner's alone (0700).
 *
 * The owner may put anything in that directory, a link to another
 * tenant's pin included. So chamctl reaches entries relative to the
 * directory's fd, refuses anything but a pin as itself (no link is
 * followed), and when root works on a tenant that has an owner, it does
 * all of it with the owner's effective uid and gid: a path the owner could
 * not open, root does not open for them either.
 */
#define _GNU_SOURCE	/* O_PATH */
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
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "nl.h"
#include "output.h"
#include "state.h"

/*
 * BPF_OBJ_GET relative to a directory fd came with Linux 6.5; the
 * installed <linux/bpf.h> may be older (the value is the kernel's ABI).
 */
#define OBJ_GET_F_PATH_FD	(1U << 14)

/* Entries counted for map show, at most: a syscall each. */
#define COUNT_ENTRIES_MAX	65536

/* ---- the tenant and its directory ---------------------------------------- */

struct tenant_maps {
	const char *arg;		/* the tenant as the user wrote it */
	char name[CHAM_NAME_LEN];
	int dir_fd;			/* O_PATH; -1: no state directory */
	/* Root working for the tenant's owner: whom to be, and who we were. */
	bool as_owner;
	uid_t uid;
	gid_t gid;
	gid_t saved_gid;
	gid_t *saved_groups;
	int n_saved_groups;
};

static int no_such_tenant(const struct tenant_maps *tm)
{
	return fail("no such tenant %s (chamctl tenant show lists yours)",
		    tm->arg);
}

static int not_yours(const struct tenant_maps *tm)
{
	return fail_errno(EACCES, "tenant %s's maps are not yours", tm->arg);
}

static void return_to_root(struct tenant_maps *tm)
{
	if (!tm->as_owner)
		return;
	/* Carrying on as someone else would be worse than stopping. */
	if (seteuid(0) || setegid(tm->saved_gid) ||
	    setgroups(tm->n_saved_groups, tm->saved_groups)) {
		fprintf(stderr, "chamctl: cannot return to uid 0 from %u: %s\n",
			(unsigned int)tm->uid, strerror(errno));
		_exit(EXIT_FAIL);
	}
	tm->as_owner = false;
}

/*
 * Takes the owner's identity: effective uid and gid, no supplementary
 * groups (root's would open group-readable pins the owner cannot).
 */
static int become_owner(struct tenant_maps *tm)
{
	const struct passwd *pw = getpwuid(tm->uid);
	int n;

	/* Without a user database entry, no group of anyone's: nogroup. */
	tm->gid = pw ? pw->pw_gid : 65534;
	tm->saved_gid = getegid();
	n = getgroups(0, NULL);
	if (n < 0)
		return fail_errno(errno, "reading our groups");
	tm->saved_groups = calloc(n + 1, sizeof(gid_t));
	if (!tm->saved_groups)
		return fail_errno(ENOMEM, "reading our groups");
	tm->n_saved_groups = getgroups(n, tm->saved_groups);
	if (tm->n_saved_groups < 0)
		return fail_errno(errno, "reading our groups");
	if (setgroups(0, NULL) || setegid(tm->gid) || seteuid(tm->uid)) {
		int err = errno;

		/* Half done is not done: back to root before saying so. */
		tm->as_owner = true;
		return_to_root(tm);
		return fail_errno(err, "taking uid %u to reach tenant %s's maps",
				  (unsigned int)tm->uid, tm->name);
	}
	tm->as_owner = true;
	return 0;
}

static void tenant_maps_close(struct tenant_maps *tm)
{
	return_to_root(tm);
	free(tm->saved_groups);
	tm->saved_groups = NULL;
	if (tm->dir_fd >= 0)
		close(tm->dir_fd);
	tm->dir_fd = -1;
}

/*
 * The kernel hides tenants that are not the caller's (ENOENT). For a name,
 * the state directory says whether it exists: its root is 0711, so anyone
 * may look a name up, though no one but root may list them.
 */
static int tenant_unknown(struct tenant_maps *tm, const struct tenant_ref *ref)
{
	char path[PATH_MAX];
	int fd;

	if (geteuid() == 0 || ref->by_id ||
	    tenant_state_path(path, sizeof(path), ref->name))
		return no_such_tenant(tm);
	fd = tenant_state_open(ref->name);
	if (fd == -ENOENT)
		return no_such_tenant(tm);
	if (fd < 0)
		return EXIT_FAIL;
	close(fd);
	return not_yours(tm);
}

/*
 * Finds the tenant @arg names and opens its state directory, as its owner
 * when we are root. 0 or EXIT_FAIL, said why; tenant_maps_close() either
 * way.
 */
static int tenant_maps_open(const struct chamctl_cmd *cmd, const char *arg,
			    struct tenant_maps *tm)
{
	struct tenant_summary tenant;
	struct tenant_ref ref;
	int err;

	memset(tm, 0, sizeof(*tm));
	tm->arg = arg;
	tm->dir_fd = -1;
	parse_tenant_ref(cmd, arg, &ref);
	if (nl_open())
		return EXIT_FAIL;
	err = tenant_lookup(&ref, &tenant);
	if (err == -ENOENT)
		return tenant_unknown(tm, &ref);
	if (err)
		return nl_fail(err, "looking up tenant %s", arg);
	memcpy(tm->name, tenant.name, sizeof(tm->name));
	tm->dir_fd = tenant_state_open(tm->name);
	if (tm->dir_fd == -ENOENT)
		tm->dir_fd = -1;	/* none yet: no maps */
	else if (tm->dir_fd < 0)
		return EXIT_FAIL;
	if (geteuid() == 0 && tenant.owner != NO_OWNER && tenant.owner != 0) {
		tm->uid = tenant.owner;
		return become_owner(tm);
	}
	return 0;
}

/* ---- opening a map ------------------------------------------------------- */

struct tenant_map {
	const char *name;
	int fd;
	struct bpf_map_info info;
};

static bool map_name_ok(const char *name)
{
	return name[0] && strcmp(name, ".") && strcmp(name, "..") &&
	       !strchr(name, '/');
}

/* Whether @fd is a map, not a program or link pinned under a map's name. */
static bool fd_is_map(int fd)
{
	char proc[64], target[64];
	ssize_t len;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	len = readlink(proc, target, sizeof(target) - 1);
	if (len < 0)
		return true;	/* no /proc: the info call is the check */
	target[len] = '\0';
	return !strcmp(target, "anon_inode:bpf-map");
}

/*
 * Opens the pin @name in the tenant's directory (@file_flags: BPF_F_RDONLY
 * or BPF_F_WRONLY) and reads its info. Returns 0, -ENOENT when there is no
 * such entry, -ELOOP for a link, -EINVAL for anything but a map, or another
 * negative errno; says which, except the first three when @listing (map
 * show leaves them out).
 */
static int tenant_map_open(const struct tenant_maps *tm, const char *name,
			   uint32_t file_flags, bool listing,
			   struct tenant_map *map)
{
	LIBBPF_OPTS(bpf_obj_get_opts, opts,
		    .file_flags = file_flags | OBJ_GET_F_PATH_FD,
		    .path_fd = tm->dir_fd);
	uint32_t len = sizeof(map->info);
	struct stat st;
	int err;

	memset(map, 0, sizeof(*map));
	map->name = name;
	map->fd = -1;
	if (!map_name_ok(name) || tm->dir_fd < 0)
		goto missing;
	if (fstatat(tm->dir_fd, name, &st, AT_SYMLINK_NOFOLLOW)) {
		err = -errno;
		if (err == -ENOENT)
			goto missing;
		if (err == -EACCES)
			not_yours(tm);
		else
			fail_errno(err, "tenant %s's map %s", tm->arg, name);
		return err;
	}
	if (S_ISLNK(st.st_mode)) {
		if (!listing)
			fail("tenant %s's %s is a symbolic link, not a pinned map: chamctl follows none",
			     tm->arg, name);
		return -ELOOP;
	}
	if (!S_ISREG(st.st_mode))
		goto not_a_map;
	/*
	 * A link swapped in after the check is followed by BPF_OBJ_GET, but
	 * with the owner's permissions (see tenant_maps_open()) it reaches
	 * nothing the owner could not.
	 */
	map->fd = bpf_obj_get_opts(name, &opts);
	if (map->fd < 0) {
		err = -errno;
		if (err == -ENOENT)
			goto missing;
		/* A program or link pin opens read-write only. */
		if (err == -EINVAL)
			goto not_a_map;
		if (err == -EACCES)
			fail_errno(err, "tenant %s's map %s is not open to you for %s (pin owned by uid %u, mode %04o)",
				   tm->arg, name,
				   file_flags & BPF_F_WRONLY ? "writing" : "reading",
				   (unsigned int)st.st_uid,
				   (unsigned int)(st.st_mode & 07777));
		else
			fail_errno(err, "opening tenant %s's map %s", tm->arg,
				   name);
		return err;
	}
	if (!fd_is_map(map->fd) ||
	    bpf_map_get_info_by_fd(map->fd, &map->info, &len)) {
		close(map->fd);
		map->fd = -1;
		goto not_a_map;
	}
	return 0;

not_a_map:
	if (!listing)
		fail("tenant %s's %s is not a map (a pinned program or link, or a directory)",
		     tm->arg, name);
	return -EINVAL;
missing:
	if (!listing)
		fail("tenant %s has no map %s (chamctl map show %s lists them)",
		     tm->arg, name, tm->arg);
	return -ENOENT;
}

static void tenant_map_close(struct tenant_map *map)
{
	if (map->fd >= 0)
		close(map->fd);
	map->fd = -1;
}

static bool map_is_percpu(const struct bpf_map_info *info)
{
	switch (info->type) {
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE:
		return true;
	default:
		return false;
	}
}

static bool map_is_array(const struct bpf_map_info *info)
{
	return info->type == BPF_MAP_TYPE_ARRAY ||
	       info->type == BPF_MAP_TYPE_PERCPU_ARRAY;
}

static const char *map_type_name(const struct bpf_map_info *info)
{
	return libbpf_bpf_map_type_str(info->type) ?: "unknown";
}

/*
 * A value as the kernel copies it: one per possible CPU for per-CPU maps,
 * each in a slot rounded up to 8 bytes.
 */
struct map_layout {
	unsigned int n_values;
	size_t stride;
	size_t size;
};

static int map_layout(const struct tenant_map *map, struct map_layout *l)
{
	int cpus;

	l->n_values = 1;
	l->stride = map->info.value_size;
	if (map_is_percpu(&map->info)) {
		cpus = libbpf_num_possible_cpus();
		if (cpus < 0)
			return fail_errno(cpus, "counting the possible CPUs");
		l->n_values = cpus;
		l->stride = (map->info.value_size + 7) & ~(size_t)7;
	}
	l->size = l->stride * l->n_values;
	return 0;
}

/*
 * Lookups and updates copy a value under its bpf_spin_lock when it has one
 * (BPF_F_LOCK), as the protocol's handlers take it: a handler never sees
 * half a value from chamctl, nor chamctl half of one from a handler. The
 * kernel refuses the flag (EINVAL) for a value without a lock, and the
 * value's BTF, which would say, is for CAP_SYS_ADMIN to read: so try.
 */
static int map_lookup_value(const struct tenant_map *map, const void *key,
			    void *value)
{
	if (!map_is_percpu(&map->info) &&
	    !bpf_map_lookup_elem_flags(map->fd, key, value, BPF_F_LOCK))
		return 0;
	if (!map_is_percpu(&map->info) && errno != EINVAL)
		return -1;
	return bpf_map_lookup_elem(map->fd, key, value);
}

static int map_update_value(const struct tenant_map *map, const void *key,
			    const void *value)
{
	if (!map_is_percpu(&map->info) &&
	    !bpf_map_update_elem(map->fd, key, value, BPF_ANY | BPF_F_LOCK))
		return 0;
	if (!map_is_percpu(&map->info) && errno != EINVAL)
		return -1;
	return bpf_map_update_elem(map->fd, key, value, BPF_ANY);
}

/* ---- bytes on the command line ------------------------------------------- */

enum bytes_kind { BYTES_HEX, BYTES_STR, BYTES_U32, BYTES_U64 };

/*
 * A key or value as written: "hex 0a 0b", "str foo", "u32 7", "u64 7", or
 * several of them in a row.
 */
struct bytes_arg {
	const char *what;	/* "key" or "value" */
	enum bytes_kind kind;	/* the last part's */
	uint8_t *data;
	size_t len;
};

#define BYTES_SYNTAX "'hex BYTES...', 'str STRING', 'strN STRING', 'u32 N' or 'u64 N'"

static void bytes_append(const struct chamctl_cmd *cmd, struct bytes_arg *arg,
			 const void *data, size_t n);

/* Appends the bytes of one hex word ("0a", "0a0b", "0x0a0b"). */
static void parse_hex_word(const struct chamctl_cmd *cmd,
			   struct bytes_arg *arg, const char *word)
{
	const char *p = word;
	size_t n;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	n = strlen(p);
	if (!n || n % 2)
		usage_error(cmd, "%s: '%s' is not bytes in hex (two digits each)",
			    arg->what, word);
	for (; *p; p += 2) {
		int hi = hex_digit(p[0]), lo = hex_digit(p[1]);
		uint8_t byte;

		if (hi < 0 || lo < 0)
			usage_error(cmd, "%s: '%s' is not bytes in hex",
				    arg->what, word);
		byte = (uint8_t)(hi << 4 | lo);
		bytes_append(cmd, arg, &byte, 1);
	}
}

/* "strN": a string padded to N bytes; 0 if @word is none. */
static size_t fixed_str_size(const char *word)
{
	uint64_t n;

	if (strncmp(word, "str", 3) || !parse_uint(word + 3, 4096, &n))
		return 0;
	return n;
}

static bool is_bytes_kind(const char *word)
{
	return !strcmp(word, "hex") || !strcmp(word, "str") ||
	       !strcmp(word, "u32") || !strcmp(word, "u64") ||
	       fixed_str_size(word);
}

/* Appends @n bytes to the argument. */
static void bytes_append(const struct chamctl_cmd *cmd, struct bytes_arg *arg,
			 const void *data, size_t n)
{
	arg->data = realloc(arg->data, arg->len + n + 1);
	if (!arg->data)
		usage_error(cmd, "out of memory");
	memcpy(arg->data + arg->len, data, n);
	arg->len += n;
}

/*
 * One part of a key or value at argv[*i] (its kind word), up to @stop (a
 * keyword that ends a list of hex words; NULL: the end). Advances *i past
 * it.
 */
static void parse_bytes_part(const struct chamctl_cmd *cmd, int argc,
			     char **argv, int *i, const char *stop,
			     struct bytes_arg *arg)
{
	const char *kind = argv[(*i)++];
	size_t before = arg->len;
	uint64_t n;

	if (!strcmp(kind, "hex")) {
		arg->kind = BYTES_HEX;
		while (*i < argc && !is_bytes_kind(argv[*i]) &&
		       !(stop && !strcmp(argv[*i], stop)))
			parse_hex_word(cmd, arg, argv[(*i)++]);
		if (arg->len == before)
			usage_error(cmd, "%s: 'hex' needs bytes", arg->what);
		return;
	}
	if (*i >= argc)
		usage_error(cmd, "%s: '%s' needs a value", arg->what, kind);
	if (!strcmp(kind, "str")) {
		arg->kind = BYTES_STR;
		bytes_append(cmd, arg, argv[*i], strlen(argv[*i]));
	} else if (fixed_str_size(kind)) {
		/* A char[N] field in the middle of a struct. */
		size_t size = fixed_str_size(kind), len = strlen(argv[*i]);
		char *field;

		if (len > size)
			usage_error(cmd, "%s: '%s' is longer than %zu bytes",
				    arg->what, argv[*i], size);
		field = calloc(1, size);
		if (!field)
			usage_error(cmd, "out of memory");
		memcpy(field, argv[*i], len);
		arg->kind = BYTES_HEX;	/* exact from here on */
		bytes_append(cmd, arg, field, size);
		free(field);
	} else if (!strcmp(kind, "u32") || !strcmp(kind, "u64")) {
		bool wide = kind[1] == '6';
		uint32_t v32;
		uint64_t v64;

		if (!parse_uint(argv[*i], wide ? UINT64_MAX : UINT32_MAX, &n))
			usage_error(cmd, "%s: '%s' is no %s", arg->what,
				    argv[*i], kind);
		arg->kind = wide ? BYTES_U64 : BYTES_U32;
		/* Host order, as the protocol's own u32 or u64. */
		v32 = n;
		v64 = n;
		if (wide)
			bytes_append(cmd, arg, &v64, sizeof(v64));
		else
			bytes_append(cmd, arg, &v32, sizeof(v32));
	} else {
		usage_error(cmd, "%s must be " BYTES_SYNTAX ", not '%s ...'",
			    arg->what, kind);
	}
	(*i)++;
}

/*
 * The key or value at argv[*i]: one part or several in a row, their bytes
 * one after the other ("u32 4 str blue": a length, then the text). The
 * kind of the last part decides whether zeros may pad it (str).
 */
static void parse_bytes_arg(const struct chamctl_cmd *cmd, int argc,
			    char **argv, int *i, const char *stop,
			    struct bytes_arg *arg)
{
	if (*i >= argc || !is_bytes_kind(argv[*i]))
		usage_error(cmd, "missing the %s: " BYTES_SYNTAX, arg->what);
	while (*i < argc && is_bytes_kind(argv[*i]))
		parse_bytes_part(cmd, argc, argv, i, stop, arg);
}

/*
 * The argument as @size bytes in @buf: a string is padded with zeros,
 * anything else must fit exactly.
 */
static int bytes_fit(const struct bytes_arg *arg, const struct tenant_map *map,
		     size_t size, uint8_t *buf)
{
	if (arg->len > size || (arg->kind != BYTES_STR && arg->len != size))
		return fail("the %s given is %zu bytes, but map %s has %zu-byte %ss",
			    arg->what, arg->len, map->name, size, arg->what);
	memset(buf, 0, size);
	memcpy(buf, arg->data, arg->len);
	return 0;
}

/* ---- bytes in the output ------------------------------------------------- */

/*
 * Text when the bytes are printable up to a NUL and only NULs after
 * (a zero-padded string); NULL otherwise.
 */
static char *bytes_text(const uint8_t *data, size_t len)
{
	size_t n = 0, i;
	char *text;

	while (n < len && data[n] >= 0x20 && data[n] < 0x7f)
		n++;
	if (!n)
		return NULL;
	for (i = n; i < len; i++)
		if (data[i])
			return NULL;
	text = malloc(n + 1);
	if (!text)
		return NULL;
	memcpy(text, data, n);
	text[n] = '\0';
	return text;
}

/* "0a 0b 0c" for people; "0a0b0c" (@sep "") for JSON. */
static char *bytes_hex(const uint8_t *data, size_t len, const char *sep)
{
	size_t room = len * (2 + strlen(sep)) + 1, pos = 0, i;
	char *hex = malloc(room);

	if (!hex)
		return NULL;
	hex[0] = '\0';
	for (i = 0; i < len; i++)
		pos += snprintf(hex + pos, room - pos, "%s%02x",
				i ? sep : "", data[i]);
	return hex;
}

/* `KEYWORD 0a 0b ("text")` on stdout. */
static void print_bytes(const char *keyword, const uint8_t *data, size_t len)
{
	char *hex = bytes_hex(data, len, " "), *text = bytes_text(data, len);
	const char *p;

	printf("%s %s", keyword, hex ? hex : "?");
	if (text) {
		fputs(" (\"", stdout);
		for (p = text; *p; p++) {
			if (*p == '"' || *p == '\\')
				putchar('\\');
			putchar(*p);
		}
		fputs("\")", stdout);
	}
	free(hex);
	free(text);
}

/* "KEY": "0a0b", "KEY_str": "text" or null. */
static void json_bytes(const char *key, const uint8_t *data, size_t len)
{
	char *hex = bytes_hex(data, len, ""), *text = bytes_text(data, len);
	char str_key[32];

	snprintf(str_key, sizeof(str_key), "%s_str", key);
	json_string(key, hex);
	json_string(str_key, text);
	free(hex);
	free(text);
}

/* One entry: a line, or one line per CPU; or a JSON object. */
static void print_entry(const struct tenant_map *map,
			const struct map_layout *l, const uint8_t *key,
			const uint8_t *value)
{
	size_t key_size = map->info.key_size, value_size = map->info.value_size;
	unsigned int cpu;

	if (opt_json) {
		json_object_begin(NULL);
		json_bytes("key", key, key_size);
		if (!map_is_percpu(&map->info)) {
			json_bytes("value", value, value_size);
		} else {
			json_array_begin("values");
			for (cpu = 0; cpu < l->n_values; cpu++) {
				json_object_begin(NULL);
				json_uint("cpu", cpu);
				json_bytes("value", value + cpu * l->stride,
					   value_size);
				json_object_end();
			}
			json_array_end();
		}
		json_object_end();
		return;
	}
	print_bytes("key", key, key_size);
	if (!map_is_percpu(&map->info)) {
		print_bytes(" value", value, value_size);
		putchar('\n');
		return;
	}
	putchar('\n');
	for (cpu = 0; cpu < l->n_values; cpu++) {
		printf("  cpu %u", cpu);
		print_bytes(" value", value + cpu * l->stride, value_size);
		putchar('\n');
	}
}

/* ---- the commands -------------------------------------------------------- */

struct map_entry_info {
	char name[NAME_MAX + 1];
	struct bpf_map_info info;
	bool counted;
	uint64_t entries;
};

static int compare_maps(const void *a, const void *b)
{
	const struct map_entry_info *ma = a, *mb = b;

	return strcmp(ma->name, mb->name);
}

/* How many entries: all of an array's; a hash map's by walking its keys. */
static bool count_entries(const struct tenant_map *map, uint64_t *count)
{
	uint8_t *key, *next;
	bool done = false;
	uint64_t n = 0;

	if (map_is_array(&map->info)) {
		*count = map->info.max_entries;
		return true;
	}
	if (map->info.max_entries > COUNT_ENTRIES_MAX || !map->info.key_size)
		return false;
	key = malloc(map->info.key_size);
	next = malloc(map->info.key_size);
	if (key && next) {
		int err = bpf_map_get_next_key(map->fd, NULL, next);

		while (!err && n <= COUNT_ENTRIES_MAX) {
			n++;
			memcpy(key, next, map->info.key_size);
			err = bpf_map_get_next_key(map->fd, key, next);
		}
		done = err && errno == ENOENT;
	}
	free(key);
	free(next);
	*count = n;
	return done;
}

static const struct table_column map_columns[] = {
	{ "NAME", ALIGN_LEFT },
	{ "ID", ALIGN_RIGHT },
	{ "TYPE", ALIGN_LEFT },
	{ "KEY", ALIGN_RIGHT },
	{ "VALUE", ALIGN_RIGHT },
	{ "MAX", ALIGN_RIGHT },
	{ "ENTRIES", ALIGN_RIGHT },
};

static void map_show_print(const struct map_entry_info *maps, size_t count)
{
	struct table *table;
	size_t i;

	if (opt_json) {
		json_array_begin(NULL);
		for (i = 0; i < count; i++) {
			const struct bpf_map_info *info = &maps[i].info;

			json_object_begin(NULL);
			json_string("name", maps[i].name);
			json_uint("id", info->id);
			json_string("type", map_type_name(info));
			json_uint("key_size", info->key_size);
			json_uint("value_size", info->value_size);
			json_uint("max_entries", info->max_entries);
			json_bool("per_cpu", map_is_percpu(info));
			if (maps[i].counted)
				json_uint("entries", maps[i].entries);
			else
				json_null("entries");
			json_object_end();
		}
		json_array_end();
		return;
	}
	table = table_new(map_columns, ARRAY_SIZE(map_columns));
	for (i = 0; i < count; i++) {
		const struct bpf_map_info *info = &maps[i].info;

		table_row(table);
		table_cell(table, "%s", maps[i].name);
		table_cell(table, "%u", info->id);
		table_cell(table, "%s", map_type_name(info));
		table_cell(table, "%u", info->key_size);
		table_cell(table, "%u", info->value_size);
		table_cell(table, "%u", info->max_entries);
		if (maps[i].counted)
			table_cell(table, "%llu",
				   (unsigned long long)maps[i].entries);
		else
			table_cell(table, "-");
	}
	table_print(table);
}

/*
 * The tenant's maps: every pin in its directory that is a map. Links and
 * directories the owner made there are not maps and are left out.
 */
static int list_maps(struct tenant_maps *tm, struct map_entry_info **out,
		     size_t *count)
{
	struct map_entry_info *maps = NULL;
	const struct dirent *de;
	size_t cap = 0;
	bool failed = false;
	DIR *dir;
	int fd;

	*count = 0;
	if (tm->dir_fd < 0)
		goto done;
	fd = openat(tm->dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == EACCES)
			return not_yours(tm);
		return fail_errno(errno, "reading tenant %s's state directory",
				  tm->arg);
	}
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return fail_errno(errno, "reading tenant %s's state directory",
				  tm->arg);
	}
	while ((de = readdir(dir))) {
		struct tenant_map map;
		struct map_entry_info *m;
		int err;

		if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
			continue;
		err = tenant_map_open(tm, de->d_name, BPF_F_RDONLY, true,
				      &map);
		if (err == -ENOENT || err == -EINVAL || err == -ELOOP)
			continue;	/* gone meanwhile, or no map */
		if (err) {
			failed = true;
			continue;
		}
		maps = grow_array(maps, &cap, *count + 1, sizeof(*maps));
		m = &maps[(*count)++];
		snprintf(m->name, sizeof(m->name), "%s", de->d_name);
		sanitize_text(m->name);
		m->info = map.info;
		m->counted = count_entries(&map, &m->entries);
		tenant_map_close(&map);
	}
	closedir(dir);
	if (*count)
		qsort(maps, *count, sizeof(*maps), compare_maps);
done:
	*out = maps;
	return failed ? EXIT_FAIL : 0;
}

static int map_show(const struct chamctl_cmd *cmd, int argc, char **argv)
{
	struct map_entry_info *maps = NULL;
	struct tenant_maps tm;
	size_t count = 0;
	int err;

	if (argc < 1)
		usage_error(cmd, "missing the TENANT");
	if (argc > 1)
		usage_error(cmd, "unknown argument '%s'", argv[1]);
	err = tenant_maps_open(cmd, argv[0], &tm);
	if (!err)
		err = list_maps(&tm, &maps, &count);
	tenant_maps_close(&tm);
	/* A refusal prints no list, not even an empty one. */
	if (err && !count) {
		free(maps);
		return err;
	}
	map_show_print(maps, count);
	free(maps);
	return err;
}

/* TENANT MAP, the map opened (with @file_flags) after the tenant's. */
static int open_tenant_map(const struct chamctl_cmd *cmd, int argc,
			   char **argv, uint32_t file_flags,
			   struct tenant_maps *tm, struct tenant_map *map)
{
	map->fd = -1;
	if (argc < 1)
		usage_error(cmd, "missing the TENANT");
	if (argc < 2)
		usage_error(cmd, "missing the MAP (chamctl map show %s lists them)",
			    argv[0]);
	if (tenant_maps_open(cmd, argv[0], tm))
		return EXIT_FAIL;
	if (tenant_map_open(tm, argv[1], file_flags, false, map))
		return EXIT_FAIL;
	return 0;
}

static int map_dump(const struct chamctl_cmd *cmd, int argc, char **argv)
{
	uint8_t *key = NULL, *next = NULL, *value = NULL;
	struct tenant_map map;
	struct tenant_maps tm;
	struct map_layout l;
	int err, ret = EXIT_FAIL;

	if (argc > 2)
		usage_error(cmd, "unknown argument '%s'", argv[2]);
	if (open_tenant_map(cmd, argc, argv, BPF_F_RDONLY, &tm, &map) ||
	    map_layout(&map, &l))
		goto out;
	key = calloc(1, map.info.key_size + 1);
	next = calloc(1, map.info.key_size + 1);
	value = calloc(1, l.size + 1);
	if (!key || !next || !value) {
		fail_errno(ENOMEM, "dumping map %s", map.name);
		goto out;
	}
	if (opt_json)
		json_array_begin(NULL);
	err = bpf_map_get_next_key(map.fd, NULL, next);
	while (!err) {
		memcpy(key, next, map.info.key_size);
		/* An entry deleted since its key was read is left out. */
		if (!map_lookup_value(&map, key, value))
			print_entry(&map, &l, key, value);
		else if (errno != ENOENT)
			break;
		err = bpf_map_get_next_key(map.fd, key, next);
	}
	err = errno;
	if (opt_json)
		json_array_end();
	if (err != ENOENT)
		fail_errno(err, "dumping tenant %s's map %s", tm.arg, map.name);
	else
		ret = 0;
out:
	free(key);
	free(next);
	free(value);
	tenant_map_close(&map);
	tenant_maps_close(&tm);
	return ret;
}

/* After TENANT MAP: "key K" and, if @value is not NULL, "value V". */
static void parse_key_value(const struct chamctl_cmd *cmd, int argc,
			    char **argv, struct bytes_arg *key,
			    struct bytes_arg *value)
{
	int i = 2;

	key->what = "key";
	if (i >= argc || strcmp(argv[i], "key"))
		usage_error(cmd, "missing 'key' " BYTES_SYNTAX);
	i++;
	parse_bytes_arg(cmd, argc, argv, &i, value ? "value" : NULL, key);
	if (value) {
		value->what = "value";
		if (i >= argc || strcmp(argv[i], "value"))
			usage_error(cmd, "missing 'value' " BYTES_SYNTAX);
		i++;
		parse_bytes_arg(cmd, argc, argv, &i, NULL, value);
	}
	if (i < argc)
		usage_error(cmd, "unknown argument '%s'", argv[i]);
}

/* "tenant T's map M has no key 0a 0b" */
static int no_such_key(const struct tenant_maps *tm,
		       const struct tenant_map *map, const uint8_t *key)
{
	char *hex = bytes_hex(key, map->info.key_size, " ");

	fail("tenant %s's map %s has no key %s", tm->arg, map->name,
	     hex ? hex : "?");
	free(hex);
	return EXIT_FAIL;
}

static int map_lookup(const struct chamctl_cmd *cmd, int argc, char **argv)
{
	struct bytes_arg karg = {};
	uint8_t *key = NULL, *value = NULL;
	struct tenant_map map;
	struct tenant_maps tm;
	struct map_layout l;
	int ret = EXIT_FAIL;

	parse_key_value(cmd, argc, argv, &karg, NULL);
	if (open_tenant_map(cmd, argc, argv, BPF_F_RDONLY, &tm, &map) ||
	    map_layout(&map, &l))
		goto out;
	key = malloc(map.info.key_size + 1);
	value = malloc(l.size + 1);
	if (!key || !value) {
		fail_errno(ENOMEM, "looking up in map %s", map.name);
		goto out;
	}
	if (bytes_fit(&karg, &map, map.info.key_size, key))
		goto out;
	if (map_lookup_value(&map, key, value)) {
		if (errno == ENOENT)
			no_such_key(&tm, &map, key);
		else
			fail_errno(errno, "looking up in tenant %s's map %s",
				   tm.arg, map.name);
		goto out;
	}
	print_entry(&map, &l, key, value);
	ret = 0;
out:
	free(karg.data);
	free(key);
	free(value);
	tenant_map_close(&map);
	tenant_maps_close(&tm);
	return ret;
}

static int map_update(const struct chamctl_cmd *cmd, int argc, char **argv)
{
	struct bytes_arg karg = {}, varg = {};
	uint8_t *key = NULL, *value = NULL;
	struct tenant_map map;
	struct tenant_maps tm;
	struct map_layout l;
	int ret = EXIT_FAIL;
	unsigned int cpu;

	parse_key_value(cmd, argc, argv, &karg, &varg);
	if (open_tenant_map(cmd, argc, argv, BPF_F_WRONLY, &tm, &map) ||
	    map_layout(&map, &l))
		goto out;
	key = malloc(map.info.key_size + 1);
	value = calloc(1, l.size + 1);
	if (!key || !value) {
		fail_errno(ENOMEM, "updating map %s", map.name);
		goto out;
	}
	if (bytes_fit(&karg, &map, map.info.key_size, key) ||
	    bytes_fit(&varg, &map, map.info.value_size, value))
		goto out;
	/* A per-CPU map gets the value on every CPU. */
	for (cpu = 1; cpu < l.n_values; cpu++)
		memcpy(value + cpu * l.stride, value, map.info.value_size);
	if (map_update_value(&map, key, value)) {
		/* An array has its keys, all of them; E2BIG is beyond. */
		if (errno == E2BIG && map_is_array(&map.info))
			no_such_key(&tm, &map, key);
		else if (errno == E2BIG)
			fail_errno(errno, "tenant %s's map %s is full (%u entries)",
				   tm.arg, map.name, map.info.max_entries);
		else
			fail_errno(errno, "updating tenant %s's map %s",
				   tm.arg, map.name);
		goto out;
	}
	ret = 0;
out:
	free(karg.data);
	free(varg.data);
	free(key);
	free(value);
	tenant_map_close(&map);
	tenant_maps_close(&tm);
	return ret;
}

static int map_delete(const struct chamctl_cmd *cmd, int argc, char **argv)
{
	struct bytes_arg karg = {};
	struct tenant_map map;
	struct tenant_maps tm;
	uint8_t *key = NULL;
	int ret = EXIT_FAIL;

	parse_key_value(cmd, argc, argv, &karg, NULL);
	if (open_tenant_map(cmd, argc, argv, BPF_F_WRONLY, &tm, &map))
		goto out;
	key = malloc(map.info.key_size + 1);
	if (!key) {
		fail_errno(ENOMEM, "deleting from map %s", map.name);
		goto out;
	}
	if (bytes_fit(&karg, &map, map.info.key_size, key))
		goto out;
	if (bpf_map_delete_elem(map.fd, key)) {
		if (errno == ENOENT)
			no_such_key(&tm, &map, key);
		else if (errno == EINVAL && map_is_array(&map.info))
			fail("tenant %s's map %s is an array: its entries cannot be deleted, only set (chamctl map update)",
			     tm.arg, map.name);
		else
			fail_errno(errno, "deleting from tenant %s's map %s",
				   tm.arg, map.name);
		goto out;
	}
	ret = 0;
out:
	free(karg.data);
	free(key);
	tenant_map_close(&map);
	tenant_maps_close(&tm);
	return ret;
}

#define MAP_TENANT_HELP \
"  TENANT   the tenant's name or id; its owner and root may use these\n" \
"  MAP      a map the tenant's protocol pinned by name\n" \
"           (__uint(pinning, LIBBPF_PIN_BY_NAME)): see chamctl map show\n"

#define MAP_BYTES_HELP \
"  K, V     hex BYTES...  bytes in hex, as many as the size: hex 0a 0b 0c 0d\n" \
"                         or hex 0a0b0c0d\n" \
"           str STRING    the string, padded with zeros to the size\n" \
"           strN STRING   the string padded with zeros to N bytes: a\n" \
"                         char[N] field (str32 colour)\n" \
"           u32 N, u64 N  a decimal number in host byte order (4 or 8\n" \
"                         bytes)\n" \
"           Several in a row are put one after the other (a struct):\n" \
"           value u32 4 str blue. Only a str at the end is padded; other\n" \
"           keys and values must have the map's size exactly.\n"

static const struct chamctl_cmd map_cmds[] = {
	{
		.name = "show",
		.usage = "map show TENANT",
		.summary = "list the maps a tenant's protocol pinned",
		.details =
MAP_TENANT_HELP
"  Columns: NAME (the pin's), ID, TYPE, KEY and VALUE (sizes in bytes),\n"
"  MAX (max_entries), ENTRIES (an array's size, a hash map's entries; -\n"
"  when too many to count).\n",
		.run = map_show,
	}, {
		.name = "dump",
		.usage = "map dump TENANT MAP",
		.summary = "print every entry of a tenant's map",
		.details =
MAP_TENANT_HELP
"  Keys and values are printed in hex, followed by (\"text\") when they\n"
"  are a printable string padded with zeros. A per-CPU map has a value\n"
"  for each CPU, one per line.\n",
		.run = map_dump,
	}, {
		.name = "lookup",
		.usage = "map lookup TENANT MAP key K",
		.summary = "print one entry of a tenant's map",
		.details = MAP_TENANT_HELP MAP_BYTES_HELP,
		.run = map_lookup,
	}, {
		.name = "update",
		.usage = "map update TENANT MAP key K value V",
		.summary = "create or change an entry of a tenant's map",
		.details =
MAP_TENANT_HELP MAP_BYTES_HELP
"  A per-CPU map gets V on every CPU.\n",
		.run = map_update,
	}, {
		.name = "delete",
		.usage = "map delete TENANT MAP key K",
		.summary = "delete an entry of a tenant's map (not of an array)",
		.details = MAP_TENANT_HELP MAP_BYTES_HELP,
		.run = map_delete,
	},
};

const struct chamctl_object map_object = {
	.name = "map",
	.cmds = map_cmds,
	.n_cmds = ARRAY_SIZE(map_cmds),
};
