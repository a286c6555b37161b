// SPDX-License-Identifier: GPL-2.0
/*
 * A tenant's state directory (see state.h). The root directory is root's
 * and checked as every pin directory is (pin_dir_open()); the tenant's
 * directory below it belongs to the tenant's owner, who may put anything
 * in it: links to other tenants' pins, directories, hard links. So root
 * never resolves a path through it: entries are reached relative to a
 * directory fd, without following links, and only ever unlinked as
 * themselves.
 */
#define _GNU_SOURCE	/* O_PATH, AT_EMPTY_PATH */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chamctl.h"
#include "proto.h"
#include "state.h"

#define STATE_ROOT_MODE		0711	/* others may enter, not list */
#define STATE_DIR_MODE		0700

/*
 * How deep the owner's own subdirectories are followed when removing:
 * deeper trees are left for the admin to remove by hand rather
 * than spending a descriptor per level on them.
 */
#define STATE_MAX_DEPTH		16

/* The tenant name becomes one file name in the root directory. */
static bool state_name_ok(const char *tenant)
{
	return tenant[0] && strcmp(tenant, ".") && strcmp(tenant, "..") &&
	       !strchr(tenant, '/') && strlen(tenant) <= NAME_MAX;
}

int tenant_state_path(char *buf, size_t size, const char *tenant)
{
	int len;

	if (!state_name_ok(tenant))
		return -EINVAL;
	len = snprintf(buf, size, "%s/%s", STATE_ROOT, tenant);
	if (len < 0 || (size_t)len >= size)
		return -ENAMETOOLONG;
	return 0;
}

static uid_t owner_uid(uint32_t owner)
{
	return owner == NO_OWNER ? 0 : owner;
}

/*
 * chmod of the directory open at O_PATH @fd: fchmod() refuses O_PATH fds,
 * so open it again through the fd itself ("." of the directory, no path
 * walked).
 */
static int dir_chmod(int fd, mode_t mode)
{
	int rfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int err = 0;

	if (rfd < 0)
		return -errno;
	if (fchmod(rfd, mode))
		err = -errno;
	close(rfd);
	return err;
}

/* The root directory, created if @create; -ENOENT (silent) if absent. */
static int state_root_open(bool create)
{
	struct stat st;
	int fd, err;

	fd = pin_dir_open(STATE_ROOT, create ? STATE_ROOT_MODE : 0, false);
	if (fd < 0)
		return fd;
	/* A umask may have taken bits off; an admin may have added some. */
	if (create && !fstat(fd, &st) &&
	    (st.st_mode & 07777) != STATE_ROOT_MODE) {
		err = dir_chmod(fd, STATE_ROOT_MODE);
		if (err) {
			fail_errno(err, "setting mode %04o on %s",
				   STATE_ROOT_MODE, STATE_ROOT);
			close(fd);
			return err;
		}
	}
	return fd;
}

/*
 * The tenant's directory in @root_fd, as @flags (O_DIRECTORY|O_NOFOLLOW
 * added) opens it. Only root writes in the root directory, so anything
 * there but a directory is an admin's mistake, refused.
 */
static int state_dir_open_at(int root_fd, const char *tenant, int flags)
{
	int fd = openat(root_fd, tenant,
			flags | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int err;

	if (fd >= 0)
		return fd;
	err = -errno;
	if (err == -ELOOP || err == -ENOTDIR)
		fail("refusing %s/%s: not a directory (remove it)", STATE_ROOT,
		     tenant);
	else if (err != -ENOENT)
		fail_errno(err, "opening %s/%s", STATE_ROOT, tenant);
	return err;
}

static int check_name(const char *tenant)
{
	if (state_name_ok(tenant))
		return 0;
	fail("tenant name '%s' cannot name a state directory", tenant);
	return -EINVAL;
}

static int state_prepare(const char *tenant, uint32_t owner, bool claim);

int tenant_state_prepare(const char *tenant, uint32_t owner)
{
	return state_prepare(tenant, owner, true);
}

int tenant_state_use(const char *tenant, uint32_t owner)
{
	return state_prepare(tenant, owner, false);
}

/*
 * @claim: give an existing directory to @owner (tenant add and set, which
 * know the owner is current). Without it (a load, whose idea of the owner
 * may be stale by now) an existing directory of another uid is refused.
 */
static int state_prepare(const char *tenant, uint32_t owner, bool claim)
{
	uid_t uid = owner_uid(owner);
	int root_fd, fd, err;
	struct stat st;

	err = check_name(tenant);
	if (err)
		return err;
	root_fd = state_root_open(true);
	if (root_fd < 0)
		return root_fd;
	if (mkdirat(root_fd, tenant, STATE_DIR_MODE) && errno != EEXIST) {
		err = -errno;
		fail_errno(err, "creating %s/%s", STATE_ROOT, tenant);
		goto out;
	}
	fd = state_dir_open_at(root_fd, tenant, O_PATH);
	if (fd < 0) {
		err = fd;
		goto out;
	}
	if (fstat(fd, &st)) {
		err = -errno;
		goto fail_fd;
	}
	if (!claim && st.st_uid != uid) {
		fail("%s/%s belongs to uid %u, not to tenant %s's owner (uid %u): its owner changed meanwhile? Nothing loaded",
		     STATE_ROOT, tenant, (unsigned int)st.st_uid, tenant,
		     (unsigned int)uid);
		close(fd);
		close(root_fd);
		return -EPERM;
	}
	if ((st.st_uid != uid || st.st_gid != 0) &&
	    fchownat(fd, "", uid, 0, AT_EMPTY_PATH)) {
		err = -errno;
		goto fail_fd;
	}
	if ((st.st_mode & 07777) != STATE_DIR_MODE) {
		err = dir_chmod(fd, STATE_DIR_MODE);
		if (err)
			goto fail_fd;
	}
	close(root_fd);
	return fd;

fail_fd:
	fail_errno(err, "giving %s/%s to uid %u, mode %04o", STATE_ROOT,
		   tenant, (unsigned int)uid, STATE_DIR_MODE);
	close(fd);
out:
	close(root_fd);
	return err;
}

int tenant_state_open(const char *tenant)
{
	int root_fd, fd, err;

	err = check_name(tenant);
	if (err)
		return err;
	root_fd = state_root_open(false);
	if (root_fd < 0)
		return root_fd;
	fd = state_dir_open_at(root_fd, tenant, O_PATH);
	close(root_fd);
	return fd;
}

/* ---- walking the owner's entries ----------------------------------------- */

/* fail_errno() for the walk's steps: returns the negative @err. */
__attribute__((format(printf, 2, 3)))
static int report(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail_errno(err, NULL, fmt, ap);
	va_end(ap);
	return err;
}

/*
 * What a walk does to each entry of a directory: @fd is the entry itself,
 * opened O_PATH without following it (a link is the link); @parent and
 * @name reach it for unlinkat().
 */
struct state_walk {
	const char *tenant;
	int (*entry)(struct state_walk *walk, int parent, const char *name,
		     int fd, const struct stat *st);
	/* The same after a directory's entries were walked. */
	int (*dir_done)(struct state_walk *walk, int parent, const char *name,
			int fd, const struct stat *st);
	uid_t uid;
};

/*
 * Runs @walk over the entries of directory @dir_fd (O_RDONLY), depth
 * first. Returns 0 or the first error (printed); goes on past errors so
 * that as much as possible is done.
 */
static int state_walk_dir(struct state_walk *walk, int dir_fd,
			  unsigned int depth)
{
	struct dirent *de;
	int first_err = 0;
	DIR *dir;

	dir = fdopendir(dup(dir_fd));
	if (!dir)
		return report(-errno, "reading %s's state directory",
			      walk->tenant);
	while ((de = readdir(dir))) {
		struct stat st;
		int fd, err = 0;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		fd = openat(dir_fd, de->d_name,
			    O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st)) {
			err = -errno;
			fail_errno(err, "%s/%s/.../%s", STATE_ROOT,
				   walk->tenant, de->d_name);
		} else if (walk->entry) {
			err = walk->entry(walk, dir_fd, de->d_name, fd, &st);
		}
		if (!err && S_ISDIR(st.st_mode)) {
			int sub = -1;

			if (depth >= STATE_MAX_DEPTH) {
				err = -ELOOP;
				fail("%s/%s has directories more than %d deep: remove them by hand",
				     STATE_ROOT, walk->tenant,
				     STATE_MAX_DEPTH);
			} else {
				/* Through the fd: the same directory. */
				sub = openat(fd, ".", O_RDONLY | O_DIRECTORY |
					     O_CLOEXEC);
				if (sub < 0) {
					err = -errno;
					fail_errno(err, "%s/%s/.../%s",
						   STATE_ROOT, walk->tenant,
						   de->d_name);
				}
			}
			if (sub >= 0) {
				err = state_walk_dir(walk, sub, depth + 1);
				close(sub);
			}
			if (!err && walk->dir_done)
				err = walk->dir_done(walk, dir_fd, de->d_name,
						     fd, &st);
		}
		if (fd >= 0)
			close(fd);
		if (err && !first_err)
			first_err = err;
	}
	closedir(dir);
	return first_err;
}

/* ---- removal ------------------------------------------------------------- */

/* Removes a pin, link or file by name: whatever it points to stays. */
static int remove_entry(struct state_walk *walk, int parent,
			const char *name, int fd, const struct stat *st)
{
	(void)fd;
	if (S_ISDIR(st->st_mode))
		return 0;	/* emptied first, then removed by dir_done */
	if (unlinkat(parent, name, 0) && errno != ENOENT)
		return report(-errno, "unpinning %s in %s's state directory",
			      name, walk->tenant);
	return 0;
}

static int remove_dir(struct state_walk *walk, int parent, const char *name,
		      int fd, const struct stat *st)
{
	(void)fd;
	(void)st;
	if (unlinkat(parent, name, AT_REMOVEDIR) && errno != ENOENT)
		return report(-errno, "removing %s in %s's state directory",
			      name, walk->tenant);
	return 0;
}

int tenant_state_remove(const char *tenant)
{
	struct state_walk walk = {
		.tenant = tenant,
		.entry = remove_entry,
		.dir_done = remove_dir,
	};
	int root_fd, fd, err;

	err = check_name(tenant);
	if (err)
		return err;
	root_fd = state_root_open(false);
	if (root_fd < 0)
		return root_fd == -ENOENT ? 0 : root_fd;
	fd = state_dir_open_at(root_fd, tenant, O_RDONLY);
	if (fd < 0) {
		close(root_fd);
		return fd == -ENOENT ? 0 : fd;
	}
	/*
	 * Taken from the owner first: while it is theirs they could keep
	 * adding entries behind the walk and make the rmdir fail.
	 */
	if (fchown(fd, 0, 0) || fchmod(fd, STATE_DIR_MODE)) {
		err = -errno;
		fail_errno(err, "taking %s/%s back from its owner", STATE_ROOT,
			   tenant);
		close(fd);
		close(root_fd);
		return err;
	}
	err = state_walk_dir(&walk, fd, 1);
	close(fd);
	if (!err && unlinkat(root_fd, tenant, AT_REMOVEDIR) &&
	    errno != ENOENT) {
		err = -errno;
		/* ENOTEMPTY: the owner pinned something meanwhile. */
		fail_errno(err, "removing %s/%s", STATE_ROOT, tenant);
	}
	close(root_fd);
	return err;
}

