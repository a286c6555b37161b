/* SPDX-License-Identifier: GPL-2.0 */
/*
 * chamctl proto: what the direct path (root loads and pins itself) and the
 * loader daemon (chamctl proto serve, for tenants who are not root) share,
 * and the daemon's wire format.
 */
#ifndef CHAMCTL_PROTO_H
#define CHAMCTL_PROTO_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "chamctl.h"
#include "tenant.h"

#define PIN_DIR_DEFAULT		"/sys/fs/bpf/chamelio"

/* ---- a protocol object ---------------------------------------------------- */

struct bpf_object;
struct bpf_map;

struct proto_object {
	struct bpf_object *obj;
	struct bpf_map *map;
	char name[CHAM_NAME_LEN];	/* the protocol's, for messages */
	char tenant[CHAM_NAME_LEN];
};

/*
 * Opens the object at @path, or in @buf, and names its tenant, overridden
 * by @tenant if not NULL. @label names the object in messages. Returns 0 or
 * EXIT_FAIL, saying why; proto_object_close() in either case.
 */
int proto_object_open(struct proto_object *po, const char *path,
		      const char *tenant);
int proto_object_open_mem(struct proto_object *po, const void *buf,
			  size_t size, const char *label, const char *tenant);
void proto_object_close(struct proto_object *po);

struct proto_register_opts {
	const char *dir;	/* the link is pinned at DIR/<tenant> */
	uid_t as_uid;		/* effective uid for link create/update; 0: ours */
	uint32_t owner;		/* the tenant's owner (NO_OWNER: none), whose
				 * uid reaches the tenant's state directory */
	bool replace;		/* a bound protocol is replaced, not refused */
	const char *object_hint;	/* the object, in the EBUSY hint */
	/* Nonzero refuses the loaded object (having said why). */
	int (*check)(const struct proto_object *po);
};

struct proto_result {
	char pin[PATH_MAX];	/* the tenant's link's pin; "": not chamctl's */
	uint32_t link_id;	/* of the link updated (replace) */
	bool replaced;		/* a bound protocol was replaced */
	bool pinned;		/* the link is the one at pin */
	char replaced_proto[CHAM_NAME_LEN];	/* the protocol replaced */
};

/*
 * Reuses the maps the object pins by name from the tenant's state
 * directory (or pins the new ones there), loads the object, calls
 * @opts->check while nothing is attached yet, and registers the protocol
 * with a struct_ops link pinned at DIR/<tenant>. If the tenant already
 * has a protocol bound, fails with EBUSY, saying which, unless
 * @opts->replace: then the tenant's link is updated to the new protocol
 * (bpf_link_update()). Returns 0 or EXIT_FAIL, saying why; nothing is
 * registered or pinned after a failure.
 */
int proto_object_register(struct proto_object *po, const char *label,
			  const struct proto_register_opts *opts,
			  struct proto_result *result);

/* The result's pin, or "link N" for a link chamctl did not pin. */
void proto_result_pin(const struct proto_result *result, char *buf,
		      size_t size);

/*
 * Opens directory @dir for pins of root's (O_PATH, for the *at() calls),
 * creating missing directories with @create_mode unless it is 0. Every
 * component is opened without following links and must be root's and
 * writable by root alone (sticky will do above the last), and @dir must be
 * on bpffs: a user who prepared the path cannot redirect what root pins,
 * chowns or removes there. Returns the fd or a negative errno; unless
 * @quiet, says why, except for -ENOENT when not creating.
 */
int pin_dir_open(const char *dir, mode_t create_mode, bool quiet);

/* pin_dir_open() with mode 0700, closed again. 0 or EXIT_FAIL. */
int proto_prepare_pin_dir(const char *dir);

/* ---- what the kernel has bound ------------------------------------------ */

/*
 * A tenant as the kernel reports it (TENANT_GET), with the protocol its
 * link binds, if any: however the protocol was registered (chamctl,
 * bpftool, libbpf), the link is the kernel's record of it.
 */
struct tenant_proto {
	uint32_t tenant_id;
	char tenant[CHAM_NAME_LEN];
	uint32_t agent_portid;	/* the tenant's agent; 0: none */
	/* What its link binds; present false: none. link_id 0: not known. */
	struct proto_info proto;
};

/*
 * Asks the kernel (after nl_open()) about the tenant @ref names, or about
 * every tenant the caller may see when @ref is NULL (the kernel shows
 * others only their own). *@out is an array of *@count to free(). Returns
 * 0 or a negative errno, as nl_transact().
 */
int tenant_protos_get(const struct tenant_ref *ref, struct tenant_proto **out,
		      size_t *count);

/* Whether one of the @count tenants' protocols is bound by link @id. */
bool link_is_bound(const struct tenant_proto *tps, size_t count, uint32_t id);

/*
 * The struct_ops type as the module's BTF lays it out: how to recognize
 * its maps among every struct_ops map, and read what a map holds (the
 * value a lookup gives: a header, then the data as user space wrote it,
 * each handler replaced by its program's id).
 */
struct proto_ops_btf {
	uint32_t obj_id;	/* the module's BTF object; 0: unknown */
	uint32_t value_type_id;	/* struct bpf_struct_ops_cham_proto_ops */
	uint32_t value_size;
	uint32_t tenant_off, tenant_size;
	uint32_t name_off, name_size;
	/* Each handler's program id; UINT32_MAX: no such member. */
	uint32_t handler_off[__CHAM_PROTO_HANDLER_MAX];
};

/*
 * Reads the layout from /sys/kernel/btf/chamelio, and the BTF object's id
 * (root only; obj_id stays 0 otherwise). 0 or a negative errno (-ENOENT:
 * the module is not loaded).
 */
int proto_ops_btf_get(struct proto_ops_btf *ops_btf);

/* What a cham_proto_ops map holds. */
struct proto_map_value {
	char tenant[CHAM_NAME_LEN];	/* the tenant it names */
	char name[CHAM_NAME_LEN];	/* the protocol's name */
	uint32_t prog_id[__CHAM_PROTO_HANDLER_MAX];	/* 0: none */
};

/*
 * Whether map @map_id is a cham_proto_ops map (root: by id), and if
 * so, what it holds into @value (when not NULL).
 */
bool proto_map_read(const struct proto_ops_btf *ops_btf, uint32_t map_id,
		    struct proto_map_value *value);

/*
 * The struct_ops link open at @fd: its id and map (0 once detached).
 * Returns 0, or -EBADF when @fd is not a struct_ops link.
 */
int struct_ops_link_query(int fd, uint32_t *id, uint32_t *map_id);

/* ---- pins in bpffs ------------------------------------------------------- */

/*
 * Where a link or map of a protocol is pinned: found by searching bpffs
 * (pin_search_roots()), because bpftool, libbpf and chamctl each pin
 * where they like, and nothing but the pin's path records it.
 */
struct bpf_pin {
	bool is_map;		/* a struct_ops map; else a struct_ops link */
	uint32_t id;		/* the link's or map's */
	uint32_t map_id;	/* a link's map; 0: detached */
	char path[PATH_MAX];
};

struct bpf_pin_list {
	struct bpf_pin *pins;
	size_t count, cap;
};

/*
 * Every struct_ops link and map pinned in @extra_dir (if not NULL), in
 * PIN_DIR_DEFAULT, then anywhere under /sys/fs/bpf, a few levels deep;
 * directories and pins the caller cannot read are skipped.
 */
void bpf_pins_find(struct bpf_pin_list *list, const char *extra_dir);
void bpf_pins_free(struct bpf_pin_list *list);

/*
 * The pin of link @link_id to show, or NULL: one named @tenant if there
 * is one (chamctl pins at DIR/TENANT), else the first found.
 */
const char *bpf_pins_link_path(const struct bpf_pin_list *list,
			       uint32_t link_id, const char *tenant);

/*
 * The bound protocols of @tps (tenant_protos_get()) as proto show prints
 * them, their pins from @pins; JSON: an array, member @json_key of the
 * object being written if not NULL.
 */
void proto_print_bound(const struct tenant_proto *tps, size_t count,
		       const struct bpf_pin_list *pins, const char *json_key);

/* ---- unloading ----------------------------------------------------------- */

/*
 * Detaches the link that binds the protocol of the tenant @ref names (as
 * @label, for messages), whoever registered it: its id comes from the
 * kernel; then removes every pin of that link (searched as
 * bpf_pins_find() does, @extra_dir too). "tenant T has no protocol
 * bound" (ENOENT) if there is none. Root, or the loader daemon on an
 * owner's behalf. 0 or EXIT_FAIL, saying why.
 */
int proto_unload_tenant(const struct tenant_ref *ref, const char *label,
			const char *extra_dir);

/*
 * "protocol P loaded for tenant T (pinned at PATH)", or with @replaced
 * (not NULL) "protocol P replaces Q for tenant T (...)"; or its JSON.
 */
void proto_print_loaded(const char *proto, const char *tenant,
			const char *pin, const char *replaced);

/* ---- the loader daemon ---------------------------------------------------- */

#define PROTO_SOCKET_DEFAULT	"/run/chamelio/proto.sock"
#define PROTO_SOCKET_ENV	"CHAMELIO_PROTO_SOCKET"

/* The daemon's socket: @option if given, else the environment's, else the default. */
const char *proto_socket_path(const char *option);

/* chamctl proto serve */
int proto_serve(const struct chamctl_cmd *cmd, int argc, char **argv);

/*
 * proto load (or replace) and proto unload through the daemon: @tenant as
 * the user wrote it (name or id; NULL for load: the object's).
 */
int proto_client_load(const char *object_path, const char *tenant,
		      bool replace, const char *socket_path);
int proto_client_unload(const char *tenant, const char *socket_path);

#endif /* CHAMCTL_PROTO_H */
