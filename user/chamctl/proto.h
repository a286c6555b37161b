/* SPDX-License-Identifier: GPL-2.0 */
/*
 * chamctl proto: what the direct path (root loads and pins itself) and the
 * loader daemon (chamctl proto serve, for tenants who are not root) share,
 * and the daemon's wire format.
 */
#ifndef CHAMCTL_PROTO_H
#define CHAMCTL_PROTO_H

#include <stdbool.h>
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

/*
 * Loads the object, calls @check (if not NULL; nonzero refuses, having said
 * why) while nothing is attached yet, registers the protocol with a
 * struct_ops link created with effective uid @as_uid (0: as we are), and
 * pins the link at @dir/<tenant>, replacing a protocol pinned there; the
 * pin's path is left in @path. Returns 0 or EXIT_FAIL, saying why.
 */
int proto_object_register(struct proto_object *po, const char *label,
			  const char *dir, uid_t as_uid,
			  int (*check)(const struct proto_object *po),
			  char *path, size_t size);

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

/* "protocol P loaded for tenant T (pinned at PATH)", or its JSON. */
void proto_print_loaded(const char *proto, const char *tenant,
			const char *pin);

/* ---- the loader daemon ---------------------------------------------------- */

#define PROTO_SOCKET_DEFAULT	"/run/chamelio/proto.sock"
#define PROTO_SOCKET_ENV	"CHAMELIO_PROTO_SOCKET"

/* The daemon's socket: @option if given, else the environment's, else the default. */
const char *proto_socket_path(const char *option);

/* chamctl proto serve */
int proto_serve(const struct chamctl_cmd *cmd, int argc, char **argv);

/*
 * proto load and proto unload through the daemon: @tenant as the user
 * wrote it (name or id; NULL for load: the object's).
 */
int proto_client_load(const char *object_path, const char *tenant,
		      const char *socket_path);
int proto_client_unload(const char *tenant, const char *socket_path);

#endif /* CHAMCTL_PROTO_H */
