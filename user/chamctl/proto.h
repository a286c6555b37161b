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

/* Removes @dir/@tenant, a pinned protocol link. 0 or EXIT_FAIL. */
int proto_unpin(const char *dir, const char *tenant);

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
