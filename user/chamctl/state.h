/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tenant's state directory: a bpffs directory its owner owns, where the
 * maps a protocol pins by name (LIBBPF_PIN_BY_NAME) live, so that they
 * survive replacing the protocol and the owner can reach them (chamctl map).
 *
 *	/sys/fs/bpf/chamelio-state/		root:root 0711, not listable
 *	/sys/fs/bpf/chamelio-state/<tenant>/	owner:root 0700 (root if none)
 *
 * The tenant's directory is the owner's to write in, so the owner can put
 * links and directories of their own there: nothing below follows a link
 * in it, and everything works relative to directory fds.
 */
#ifndef CHAMCTL_STATE_H
#define CHAMCTL_STATE_H

#include <stddef.h>
#include <stdint.h>

#define STATE_ROOT	"/sys/fs/bpf/chamelio-state"

/*
 * "/sys/fs/bpf/chamelio-state/<tenant>" into @buf; -ENAMETOOLONG if it does
 * not fit, -EINVAL if @tenant is not one plain file name.
 */
int tenant_state_path(char *buf, size_t size, const char *tenant);

/*
 * Creates (or fixes owner and mode of) the root directory and the tenant's
 * directory for @owner (NO_OWNER: root). Returns an O_PATH|O_DIRECTORY fd of
 * the tenant's directory, or a negative errno (the message printed).
 */
int tenant_state_prepare(const char *tenant, uint32_t owner);

/*
 * As tenant_state_prepare() for a load: creates the directory if missing,
 * but refuses (-EPERM, message printed) one that belongs to another uid
 * than @owner instead of taking it over.
 */
int tenant_state_use(const char *tenant, uint32_t owner);

/*
 * Opens the tenant's existing directory (O_PATH|O_DIRECTORY, no link
 * followed), checking the root directory as tenant_state_prepare() does.
 * Returns the fd or a negative errno: -ENOENT (not printed) when there is
 * none, anything else printed.
 */
int tenant_state_open(const char *tenant);

/*
 * Unpins everything in the tenant's directory (entries the owner made,
 * links and subdirectories included, none followed) and removes it.
 * 0 if absent; a negative errno, printed.
 */
int tenant_state_remove(const char *tenant);

/* chamctl map (map.c): the maps in a tenant's state directory. */
struct chamctl_object;
extern const struct chamctl_object map_object;

#endif /* CHAMCTL_STATE_H */
