// SPDX-License-Identifier: GPL-2.0
/*
 * chamctl status: what holds the module. `rmmod chamelio` says only
 * "Resource temporarily unavailable" while anything uses it: the XDP
 * program on a port or a guest's link (it calls the module's kfuncs), a
 * protocol's struct_ops link, map and programs (their type is the
 * module's), whether a tenant binds them or not, and modules that depend
 * on it. This lists each, with what to run to let rmmod succeed.
 *
 * Tenants, rules and agents do not hold the module: rmmod deletes them
 * with it.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "nl.h"
#include "output.h"
#include "proto.h"

#define MODULE_NAME		"chamelio"
#define MODULE_SYSFS		"/sys/module/" MODULE_NAME
/* The programs Chamelio attaches to interfaces (port.c, guest.c). */
static const char *const provider_progs[] = { "cham_xdp", "cham_guest" };

/* ---- the module itself ----------------------------------------------------- */

struct module_state {
	bool loaded;
	bool has_refcnt;
	long refcnt;
	char **holders;		/* modules that depend on it */
	size_t n_holders, cap_holders;
};

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void module_state_read(struct module_state *ms)
{
	const struct dirent *entry;
	FILE *f;
	DIR *dir;

	ms->loaded = !access(MODULE_SYSFS, F_OK);
	if (!ms->loaded)
		return;
	f = fopen(MODULE_SYSFS "/refcnt", "r");
	if (f) {
		ms->has_refcnt = fscanf(f, "%ld", &ms->refcnt) == 1;
		fclose(f);
	}
	dir = opendir(MODULE_SYSFS "/holders");
	while (dir && (entry = readdir(dir))) {
		if (entry->d_name[0] == '.')
			continue;
		ms->holders = grow_array(ms->holders, &ms->cap_holders,
					 ms->n_holders + 1,
					 sizeof(*ms->holders));
		ms->holders[ms->n_holders] = strdup(entry->d_name);
		if (ms->holders[ms->n_holders])
			ms->n_holders++;
	}
	if (dir)
		closedir(dir);
	if (ms->n_holders)
		qsort(ms->holders, ms->n_holders, sizeof(*ms->holders),
		      compare_strings);
}

static void module_state_free(struct module_state *ms)
{
	while (ms->n_holders)
		free(ms->holders[--ms->n_holders]);
	free(ms->holders);
}

/* ---- ports, guests and interfaces ------------------------------------------ */

/* The XDP program attached to @ifindex (any mode), and its name. */
static uint32_t xdp_prog_of(uint32_t ifindex, char name[BPF_OBJ_NAME_LEN])
{
	struct bpf_xdp_query_opts opts;
	struct bpf_prog_info info;
	uint32_t id, len = sizeof(info);
	int fd;

	name[0] = '\0';
	/* Sized to stop before feature_flags, which need another family. */
	memset(&opts, 0, sizeof(opts));
	opts.sz = offsetof(struct bpf_xdp_query_opts, feature_flags);
	if (bpf_xdp_query(ifindex, 0, &opts))
		return 0;
	id = opts.drv_prog_id ?: opts.skb_prog_id ?: opts.hw_prog_id;
	fd = id ? bpf_prog_get_fd_by_id(id) : -1;
	if (fd >= 0) {
		memset(&info, 0, sizeof(info));
		if (!bpf_prog_get_info_by_fd(fd, &info, &len))
			snprintf(name, BPF_OBJ_NAME_LEN, "%s", info.name);
		close(fd);
	}
	return id;
}

static bool is_provider_prog(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(provider_progs); i++)
		if (!strcmp(name, provider_progs[i]))
			return true;
	return false;
}

/* A port, a guest's link, or another interface running Chamelio's XDP. */
struct iface {
	uint32_t ifindex;
	char ifname[IF_NAMESIZE];
	uint32_t prog_id;		/* its XDP program; 0: none */
	char prog[BPF_OBJ_NAME_LEN];
	/* Guests only. */
	uint32_t guest_id;
	char guest[CHAM_NAME_LEN];
	char tenant[CHAM_NAME_LEN];
};

struct iface_list {
	struct iface *ifaces;
	size_t count, cap;
};

static struct iface *iface_add(struct iface_list *list, uint32_t ifindex)
{
	struct iface *iface;

	list->ifaces = grow_array(list->ifaces, &list->cap, list->count + 1,
				  sizeof(*list->ifaces));
	iface = &list->ifaces[list->count++];
	memset(iface, 0, sizeof(*iface));
	iface->ifindex = ifindex;
	return iface;
}

static void copy_name(char *dst, size_t size, const struct nlattr *attr)
{
	snprintf(dst, size, "%s", attr ? mnl_attr_get_str(attr) : "");
	sanitize_text(dst);
}

static int port_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CHAM_A_MAX + 1];
	struct iface *iface;

	nl_parse(nlh, cham_attr_types, CHAM_A_MAX, tb);
	if (!tb[CHAM_A_PORT_IFINDEX])
		return -EPROTO;
	iface = iface_add(data, mnl_attr_get_u32(tb[CHAM_A_PORT_IFINDEX]));
	copy_name(iface->ifname, sizeof(iface->ifname),
		  tb[CHAM_A_PORT_IFNAME]);
	return 0;
}

static int guest_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CHAM_A_MAX + 1];
	struct iface *iface;

	nl_parse(nlh, cham_attr_types, CHAM_A_MAX, tb);
	if (!tb[CHAM_A_GUEST_ID])
		return -EPROTO;
	/* 0: the guest's link is gone; the guest still is. */
	iface = iface_add(data, tb[CHAM_A_GUEST_IFINDEX] ?
			  mnl_attr_get_u32(tb[CHAM_A_GUEST_IFINDEX]) : 0);
	iface->guest_id = mnl_attr_get_u32(tb[CHAM_A_GUEST_ID]);
	copy_name(iface->guest, sizeof(iface->guest), tb[CHAM_A_GUEST_NAME]);
	copy_name(iface->tenant, sizeof(iface->tenant),
		  tb[CHAM_A_TENANT_NAME]);
	if (iface->ifindex && !if_indextoname(iface->ifindex, iface->ifname))
		iface->ifname[0] = '\0';
	return 0;
}

static void ifaces_query_xdp(struct iface_list *list)
{
	size_t i;

	for (i = 0; i < list->count; i++)
		if (list->ifaces[i].ifindex)
			list->ifaces[i].prog_id =
				xdp_prog_of(list->ifaces[i].ifindex,
					    list->ifaces[i].prog);
}

static bool iface_listed(const struct iface_list *list, uint32_t ifindex)
{
	size_t i;

	for (i = 0; i < list->count; i++)
		if (list->ifaces[i].ifindex == ifindex)
			return true;
	return false;
}

/*
 * Interfaces of this namespace that run Chamelio's XDP program without
 * being a port or a guest's link (the port record went, the program
 * stayed): port detach takes the program off all the same.
 */
static void other_xdp_find(struct iface_list *other,
			   const struct iface_list *ports,
			   const struct iface_list *guests)
{
	struct if_nameindex *names, *n;
	char prog[BPF_OBJ_NAME_LEN];
	struct iface *iface;
	uint32_t id;

	names = if_nameindex();
	for (n = names; n && n->if_index; n++) {
		if (iface_listed(ports, n->if_index) ||
		    iface_listed(guests, n->if_index))
			continue;
		id = xdp_prog_of(n->if_index, prog);
		if (!id || !is_provider_prog(prog))
			continue;
		iface = iface_add(other, n->if_index);
		snprintf(iface->ifname, sizeof(iface->ifname), "%s",
			 n->if_name);
		iface->prog_id = id;
		memcpy(iface->prog, prog, sizeof(prog));
	}
	if (names)
		if_freenameindex(names);
}

/* ---- BPF objects no tenant binds ------------------------------------------- */

/* A process that holds a BPF object by an fd (/proc/PID/fdinfo). */
struct fd_holder {
	int kind;		/* HELD_* */
	uint32_t id;
	pid_t pid;
	char comm[32];
};

enum { HELD_MAP, HELD_PROG, HELD_LINK };

struct holder_list {
	struct fd_holder *holders;
	size_t count, cap;
};

/* The id on line "@key:\t<id>" of an fdinfo file. */
static uint32_t fdinfo_id(const char *path, const char *key)
{
	char line[128];
	size_t len = strlen(key);
	uint32_t id = 0;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':') {
			id = strtoul(line + len + 1, NULL, 10);
			break;
		}
	fclose(f);
	return id;
}

static void process_comm(pid_t pid, char *comm, size_t size)
{
	char path[64];
	FILE *f;

	snprintf(comm, size, "?");
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(comm, size, f))
		comm[strcspn(comm, "\n")] = '\0';
	fclose(f);
	sanitize_text(comm);
}

static void process_holders(struct holder_list *list, pid_t pid)
{
	static const struct {
		const char *target, *key;
		int kind;
	} kinds[] = {
		{ "anon_inode:bpf-map", "map_id", HELD_MAP },
		{ "anon_inode:bpf_map", "map_id", HELD_MAP },
		{ "anon_inode:bpf-prog", "prog_id", HELD_PROG },
		{ "anon_inode:bpf_prog", "prog_id", HELD_PROG },
		{ "anon_inode:bpf-link", "link_id", HELD_LINK },
		{ "anon_inode:bpf_link", "link_id", HELD_LINK },
	};
	char path[64 + NAME_MAX], target[64];
	const struct dirent *entry;
	struct fd_holder *h;
	size_t i;
	ssize_t n;
	uint32_t id;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	dir = opendir(path);
	while (dir && (entry = readdir(dir))) {
		if (!isdigit((unsigned char)entry->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd/%s", (int)pid,
			 entry->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		for (i = 0; i < ARRAY_SIZE(kinds); i++)
			if (!strcmp(target, kinds[i].target))
				break;
		if (i == ARRAY_SIZE(kinds))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", (int)pid,
			 entry->d_name);
		id = fdinfo_id(path, kinds[i].key);
		if (!id)
			continue;
		list->holders = grow_array(list->holders, &list->cap,
					   list->count + 1,
					   sizeof(*list->holders));
		h = &list->holders[list->count++];
		h->kind = kinds[i].kind;
		h->id = id;
		h->pid = pid;
		process_comm(pid, h->comm, sizeof(h->comm));
	}
	if (dir)
		closedir(dir);
}

/* Every BPF map, program and link some process holds an fd of. */
static void holders_find(struct holder_list *list)
{
	const struct dirent *entry;
	pid_t self = getpid();
	DIR *proc;
	long pid;

	proc = opendir("/proc");
	while (proc && (entry = readdir(proc))) {
		if (!is_all_digits(entry->d_name))
			continue;
		pid = strtol(entry->d_name, NULL, 10);
		if (pid > 0 && pid != self)
			process_holders(list, pid);
	}
	if (proc)
		closedir(proc);
}

/* A protocol's link, map or program that no tenant binds. */
struct stale_object {
	int kind;			/* HELD_* */
	uint32_t id;
	uint32_t map_id;		/* a link's */
	char proto[CHAM_NAME_LEN];	/* a map's or link's protocol */
	char tenant[CHAM_NAME_LEN];	/* the tenant it names */
	char prog[BPF_OBJ_NAME_LEN];	/* a program's name */
};

struct stale_list {
	struct stale_object *objects;
	size_t count, cap;
};

static struct stale_object *stale_add(struct stale_list *list, int kind,
				      uint32_t id)
{
	struct stale_object *o;

	list->objects = grow_array(list->objects, &list->cap, list->count + 1,
				   sizeof(*list->objects));
	o = &list->objects[list->count++];
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	o->id = id;
	return o;
}

struct id_set {
	uint32_t *ids;
	size_t count, cap;
};

static void id_set_add(struct id_set *set, uint32_t id)
{
	set->ids = grow_array(set->ids, &set->cap, set->count + 1,
			      sizeof(*set->ids));
	set->ids[set->count++] = id;
}

static bool id_set_has(const struct id_set *set, uint32_t id)
{
	size_t i;

	for (i = 0; i < set->count; i++)
		if (set->ids[i] == id)
			return true;
	return false;
}

/*
 * Walks every link, map and program of the system (root): the
 * cham_proto_ops links no tenant binds, the cham_proto_ops maps no live
 * link uses, and the module's struct_ops programs no such map holds. Each
 * holds the module. What a bound link uses is the tenant's, and goes with
 * 'proto unload' (unless a process holds it too: then it shows here once
 * unloaded).
 */
static void stale_find(struct stale_list *stale,
		       const struct tenant_proto *tps, size_t count,
		       const struct proto_ops_btf *ops_btf)
{
	struct id_set linked_maps = {}, held_progs = {};
	struct proto_map_value value;
	struct bpf_prog_info info;
	struct stale_object *o;
	uint32_t id = 0, link_id, map_id, len;
	unsigned int h;
	int fd;

	while (!bpf_link_get_next_id(id, &id)) {
		fd = bpf_link_get_fd_by_id(id);
		if (fd < 0)
			continue;
		if (!struct_ops_link_query(fd, &link_id, &map_id) &&
		    proto_map_read(ops_btf, map_id, &value)) {
			id_set_add(&linked_maps, map_id);
			if (!link_is_bound(tps, count, link_id)) {
				o = stale_add(stale, HELD_LINK, link_id);
				o->map_id = map_id;
				memcpy(o->proto, value.name, sizeof(o->proto));
				memcpy(o->tenant, value.tenant,
				       sizeof(o->tenant));
			}
		}
		close(fd);
	}
	id = 0;
	while (!bpf_map_get_next_id(id, &id)) {
		if (!proto_map_read(ops_btf, id, &value))
			continue;
		for (h = 0; h < ARRAY_SIZE(value.prog_id); h++)
			if (value.prog_id[h])
				id_set_add(&held_progs, value.prog_id[h]);
		if (id_set_has(&linked_maps, id))
			continue;
		o = stale_add(stale, HELD_MAP, id);
		memcpy(o->proto, value.name, sizeof(o->proto));
		memcpy(o->tenant, value.tenant, sizeof(o->tenant));
	}
	id = 0;
	while (ops_btf->obj_id && !bpf_prog_get_next_id(id, &id)) {
		if (id_set_has(&held_progs, id))
			continue;
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (!bpf_prog_get_info_by_fd(fd, &info, &len) &&
		    info.type == BPF_PROG_TYPE_STRUCT_OPS &&
		    info.attach_btf_obj_id == ops_btf->obj_id) {
			o = stale_add(stale, HELD_PROG, id);
			snprintf(o->prog, sizeof(o->prog), "%s", info.name);
		}
		close(fd);
	}
	free(linked_maps.ids);
	free(held_progs.ids);
}

/* ---- what to run ----------------------------------------------------------- */

struct actions {
	char **lines;
	size_t count, cap;
};

__attribute__((format(printf, 2, 3)))
static void action_add(struct actions *a, const char *fmt, ...)
{
	va_list ap;
	char *line;
	size_t i;

	va_start(ap, fmt);
	if (vasprintf(&line, fmt, ap) < 0)
		line = NULL;
	va_end(ap);
	if (!line)
		return;
	/* A process holding several objects is stopped once. */
	for (i = 0; i < a->count; i++)
		if (!strcmp(a->lines[i], line)) {
			free(line);
			return;
		}
	a->lines = grow_array(a->lines, &a->cap, a->count + 1,
			      sizeof(*a->lines));
	a->lines[a->count++] = line;
}

static void actions_free(struct actions *a)
{
	while (a->count)
		free(a->lines[--a->count]);
	free(a->lines);
}

/* ---- the report ------------------------------------------------------------ */

struct status {
	struct module_state module;
	bool root;
	struct tenant_proto *tps;
	size_t n_tps;
	size_t n_bound, n_agents;
	struct iface_list ports, guests, other_xdp;
	struct stale_list stale;
	struct bpf_pin_list pins;
	struct holder_list holders;
	struct actions actions;
};

static const char *const kind_names[] = {
	[HELD_MAP] = "map", [HELD_PROG] = "prog", [HELD_LINK] = "link",
};

/* Says how to let go of each thing found, in the order that works. */
static void status_actions(struct status *st)
{
	const struct stale_object *o;
	const struct fd_holder *h;
	const struct bpf_pin *pin;
	bool held;
	size_t i, j;

	for (i = 0; i < st->n_tps; i++)
		if (st->tps[i].proto.present)
			action_add(&st->actions, "chamctl proto unload %s",
				   st->tps[i].tenant);
	for (i = 0; i < st->stale.count; i++) {
		o = &st->stale.objects[i];
		if (o->kind == HELD_LINK) {
			action_add(&st->actions, "chamctl proto unload link %u",
				   o->id);
			continue;
		}
		/* A map or program: whatever holds it must let go. */
		held = false;
		for (j = 0; j < st->pins.count; j++) {
			pin = &st->pins.pins[j];
			if (o->kind == HELD_MAP && pin->is_map &&
			    pin->id == o->id) {
				action_add(&st->actions, "rm %s", pin->path);
				held = true;
			}
		}
		for (j = 0; j < st->holders.count; j++) {
			h = &st->holders.holders[j];
			if (h->kind != o->kind || h->id != o->id)
				continue;
			action_add(&st->actions, "kill %d	# %s holds %s %u",
				   (int)h->pid, h->comm, kind_names[o->kind],
				   o->id);
			held = true;
		}
		if (!held)
			action_add(&st->actions, "# %s %u: nothing visible holds it; the kernel frees it shortly",
				   kind_names[o->kind], o->id);
	}
	/* A port whose program went (ip link set ... xdp off) holds nothing. */
	for (i = 0; i < st->ports.count; i++)
		if (st->ports.ifaces[i].prog_id &&
		    is_provider_prog(st->ports.ifaces[i].prog))
			action_add(&st->actions, "chamctl port detach %s",
				   st->ports.ifaces[i].ifname);
	for (i = 0; i < st->other_xdp.count; i++)
		action_add(&st->actions, "chamctl port detach %s",
			   st->other_xdp.ifaces[i].ifname);
	for (i = 0; i < st->guests.count; i++)
		action_add(&st->actions, "chamctl guest del %s",
			   st->guests.ifaces[i].guest);
	for (i = 0; i < st->module.n_holders; i++)
		action_add(&st->actions, "rmmod %s", st->module.holders[i]);
}

static void json_pins_and_pids(const struct status *st, int kind,
			       uint32_t id)
{
	const struct fd_holder *h;
	const struct bpf_pin *pin;
	size_t i;

	json_array_begin("pins");
	for (i = 0; i < st->pins.count; i++) {
		pin = &st->pins.pins[i];
		if (pin->id == id && pin->is_map == (kind == HELD_MAP) &&
		    kind != HELD_PROG)
			json_string(NULL, pin->path);
	}
	json_array_end();
	json_array_begin("held_by");
	for (i = 0; i < st->holders.count; i++) {
		h = &st->holders.holders[i];
		if (h->kind != kind || h->id != id)
			continue;
		json_object_begin(NULL);
		json_int("pid", h->pid);
		json_string("comm", h->comm);
		json_object_end();
	}
	json_array_end();
}

static void json_ifaces(const char *key, const struct iface_list *list,
			bool guests)
{
	const struct iface *iface;
	size_t i;

	json_array_begin(key);
	for (i = 0; i < list->count; i++) {
		iface = &list->ifaces[i];
		json_object_begin(NULL);
		if (guests) {
			json_string("name", iface->guest);
			json_uint("id", iface->guest_id);
			json_string("tenant", iface->tenant);
		}
		json_string("ifname", iface->ifname[0] ? iface->ifname : NULL);
		json_uint("ifindex", iface->ifindex);
		if (iface->prog_id)
			json_uint("xdp_prog_id", iface->prog_id);
		else
			json_null("xdp_prog_id");
		json_string("xdp_prog", iface->prog_id ? iface->prog : NULL);
		json_object_end();
	}
	json_array_end();
}

static void status_print_json(const struct status *st)
{
	const struct stale_object *o;
	size_t i;

	json_object_begin(NULL);
	json_object_begin("module");
	json_bool("loaded", st->module.loaded);
	if (st->module.has_refcnt)
		json_int("refcnt", st->module.refcnt);
	else
		json_null("refcnt");
	json_array_begin("holders");
	for (i = 0; i < st->module.n_holders; i++)
		json_string(NULL, st->module.holders[i]);
	json_array_end();
	json_object_end();
	if (!st->module.loaded) {
		json_object_end();
		return;
	}
	json_ifaces("ports", &st->ports, false);
	proto_print_bound(st->tps, st->n_tps, &st->pins, "protocols");
	json_ifaces("guests", &st->guests, true);
	json_ifaces("other_xdp", &st->other_xdp, false);
	json_array_begin("agents");
	for (i = 0; i < st->n_tps; i++) {
		if (!st->tps[i].agent_portid)
			continue;
		json_object_begin(NULL);
		json_string("tenant", st->tps[i].tenant);
		json_uint("tenant_id", st->tps[i].tenant_id);
		json_uint("portid", st->tps[i].agent_portid);
		json_object_end();
	}
	json_array_end();
	/* Only root can see them: null, not an empty list, for anyone else. */
	if (!st->root) {
		json_null("unbound");
	} else {
		json_array_begin("unbound");
		for (i = 0; i < st->stale.count; i++) {
			o = &st->stale.objects[i];
			json_object_begin(NULL);
			json_string("kind", kind_names[o->kind]);
			json_uint("id", o->id);
			if (o->kind == HELD_PROG) {
				json_string("name", o->prog);
			} else {
				json_string("proto", o->proto);
				json_string("tenant", o->tenant);
			}
			if (o->kind == HELD_LINK)
				json_uint("map_id", o->map_id);
			json_pins_and_pids(st, o->kind, o->id);
			json_object_end();
		}
		json_array_end();
	}
	json_array_begin("actions");
	for (i = 0; i < st->actions.count; i++)
		json_string(NULL, st->actions.lines[i]);
	json_array_end();
	json_object_end();
}

/* "-", or the pins and holders of a stale object, for the table. */
static void stale_where(const struct status *st, const struct stale_object *o,
			char *buf, size_t size)
{
	const struct fd_holder *h;
	const struct bpf_pin *pin;
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < st->pins.count && len < size; i++) {
		pin = &st->pins.pins[i];
		if (o->kind != HELD_PROG && pin->id == o->id &&
		    pin->is_map == (o->kind == HELD_MAP))
			len += snprintf(buf + len, size - len, "%s%s",
					len ? ", " : "", pin->path);
	}
	for (i = 0; i < st->holders.count && len < size; i++) {
		h = &st->holders.holders[i];
		if (h->kind == o->kind && h->id == o->id)
			len += snprintf(buf + len, size - len, "%spid %d (%s)",
					len ? ", " : "", (int)h->pid, h->comm);
	}
	if (!buf[0])
		snprintf(buf, size, "-");
}

static const struct table_column iface_columns[] = {
	{ "IFNAME", ALIGN_LEFT },
	{ "IFINDEX", ALIGN_RIGHT },
	{ "XDP_PROG", ALIGN_LEFT },
	{ "PROG_ID", ALIGN_RIGHT },
};

static const struct table_column guest_columns[] = {
	{ "GUEST", ALIGN_LEFT },
	{ "TENANT", ALIGN_LEFT },
	{ "IFNAME", ALIGN_LEFT },
	{ "XDP_PROG", ALIGN_LEFT },
	{ "PROG_ID", ALIGN_RIGHT },
};

static const struct table_column agent_columns[] = {
	{ "TENANT", ALIGN_LEFT },
	{ "PORTID", ALIGN_RIGHT },
};

static const struct table_column stale_columns[] = {
	{ "KIND", ALIGN_LEFT },
	{ "ID", ALIGN_RIGHT },
	{ "PROTO", ALIGN_LEFT },
	{ "NAMES", ALIGN_LEFT },
	{ "PINNED/HELD_BY", ALIGN_LEFT },
};

static void print_ifaces(const char *title, const struct iface_list *list,
			 bool guests)
{
	const struct iface *iface;
	struct table *table;
	size_t i;

	if (!list->count) {
		printf("%s: none\n", title);
		return;
	}
	printf("%s:\n", title);
	table = table_new(guests ? guest_columns : iface_columns,
			  guests ? ARRAY_SIZE(guest_columns) :
			  ARRAY_SIZE(iface_columns));
	for (i = 0; i < list->count; i++) {
		iface = &list->ifaces[i];
		table_row(table);
		if (guests) {
			table_cell(table, "%s", iface->guest);
			table_cell(table, "%s", iface->tenant);
		}
		table_cell(table, "%s", iface->ifname[0] ? iface->ifname : "-");
		if (!guests)
			table_cell(table, "%u", iface->ifindex);
		table_cell(table, "%s", iface->prog_id ? iface->prog : "-");
		table_cell(table, iface->prog_id ? "%u" : "-", iface->prog_id);
	}
	table_print(table);
}

static void status_print_text(const struct status *st)
{
	const struct stale_object *o;
	struct table *table;
	char where[1024];
	size_t i;

	if (!st->module.loaded) {
		printf("module %s: not loaded\n", MODULE_NAME);
		return;
	}
	printf("module %s: loaded", MODULE_NAME);
	if (st->module.has_refcnt)
		printf(", refcount %ld", st->module.refcnt);
	if (st->module.n_holders) {
		printf(", used by modules");
		for (i = 0; i < st->module.n_holders; i++)
			printf(" %s", st->module.holders[i]);
	}
	printf("\n\n");
	print_ifaces("ports", &st->ports, false);
	if (st->n_bound) {
		printf("\nprotocols:\n");
		proto_print_bound(st->tps, st->n_tps, &st->pins, NULL);
	} else {
		printf("\nprotocols: none\n");
	}
	printf("\n");
	print_ifaces("guests", &st->guests, true);
	if (st->other_xdp.count) {
		printf("\n");
		print_ifaces("Chamelio's XDP program on interfaces that are no port",
			     &st->other_xdp, false);
	}
	if (st->n_agents) {
		printf("\nagents (they do not hold the module; rmmod disconnects them):\n");
		table = table_new(agent_columns, ARRAY_SIZE(agent_columns));
		for (i = 0; i < st->n_tps; i++) {
			if (!st->tps[i].agent_portid)
				continue;
			table_row(table);
			table_cell(table, "%s", st->tps[i].tenant);
			table_cell(table, "%u", st->tps[i].agent_portid);
		}
		table_print(table);
	}
	if (!st->root) {
		printf("\nprotocol links, maps and programs no tenant binds: only root can see them\n");
	} else if (st->stale.count) {
		printf("\nprotocol links, maps and programs no tenant binds:\n");
		table = table_new(stale_columns, ARRAY_SIZE(stale_columns));
		for (i = 0; i < st->stale.count; i++) {
			o = &st->stale.objects[i];
			table_row(table);
			table_cell(table, "%s", kind_names[o->kind]);
			table_cell(table, "%u", o->id);
			table_cell(table, "%s", o->kind == HELD_PROG ?
				   o->prog : o->proto[0] ? o->proto : "-");
			table_cell(table, "%s", o->tenant[0] ? o->tenant : "-");
			stale_where(st, o, where, sizeof(where));
			table_cell(table, "%s", where);
		}
		table_print(table);
	}
	printf("\n");
	if (!st->actions.count) {
		if (st->module.has_refcnt && st->module.refcnt > 0)
			printf("refcount %ld, but nothing chamctl can see holds the module: objects the kernel is still freeing (retry shortly), or a BPF program using its kfuncs that a process holds (bpftool prog show)%s\n",
			       st->module.refcnt,
			       st->root ? "" : "; root sees more");
		else
			printf("nothing holds the module: rmmod %s\n",
			       MODULE_NAME);
		return;
	}
	printf("to let 'rmmod %s' succeed, run:\n", MODULE_NAME);
	for (i = 0; i < st->actions.count; i++)
		printf("  %s\n", st->actions.lines[i]);
	printf("  rmmod %s\n", MODULE_NAME);
}

static int status_gather(struct status *st)
{
	struct proto_ops_btf ops_btf;
	struct nlmsghdr *nlh;
	size_t i;
	int err;

	if (nl_open())
		return EXIT_FAIL;
	err = tenant_protos_get(NULL, &st->tps, &st->n_tps);
	if (err)
		return nl_fail(err, "listing tenants");
	for (i = 0; i < st->n_tps; i++) {
		st->n_bound += st->tps[i].proto.present;
		st->n_agents += st->tps[i].agent_portid != 0;
	}
	nlh = nl_request(CHAM_CMD_PORT_GET, true);
	err = nl_transact(nlh, port_cb, &st->ports);
	if (err)
		return nl_fail(err, "listing ports");
	nlh = nl_request(CHAM_CMD_GUEST_GET, true);
	err = nl_transact(nlh, guest_cb, &st->guests);
	if (err)
		return nl_fail(err, "listing guests");
	ifaces_query_xdp(&st->ports);
	ifaces_query_xdp(&st->guests);
	other_xdp_find(&st->other_xdp, &st->ports, &st->guests);
	bpf_pins_find(&st->pins, NULL);
	/* Everything else takes walking the system's BPF objects: root's. */
	if (st->root && !proto_ops_btf_get(&ops_btf)) {
		stale_find(&st->stale, st->tps, st->n_tps, &ops_btf);
		if (st->stale.count)
			holders_find(&st->holders);
	}
	status_actions(st);
	return 0;
}

static int status_run(const struct chamctl_cmd *cmd, int argc, char **argv)
{
	struct status st = { .root = geteuid() == 0 };
	int ret = 0;

	if (argc)
		usage_error(cmd, "unknown argument '%s'", argv[0]);
	setup_libbpf_logging();
	module_state_read(&st.module);
	if (st.module.loaded)
		ret = status_gather(&st);
	if (!ret && opt_json)
		status_print_json(&st);
	else if (!ret)
		status_print_text(&st);
	module_state_free(&st.module);
	free(st.tps);
	free(st.ports.ifaces);
	free(st.guests.ifaces);
	free(st.other_xdp.ifaces);
	free(st.stale.objects);
	bpf_pins_free(&st.pins);
	free(st.holders.holders);
	actions_free(&st.actions);
	return ret;
}

static const struct chamctl_cmd status_cmds[] = {
	{
		.usage = "status",
		.summary = "what holds the module, and what to run to let rmmod succeed",
		.details =
"  rmmod chamelio fails (\"Resource temporarily unavailable\") while\n"
"  anything uses the module. Lists the module's refcount and the modules\n"
"  that depend on it, the ports and guests (their XDP program calls the\n"
"  module), the protocols tenants have bound (as 'proto show'), agents\n"
"  (they do not hold it), interfaces running Chamelio's XDP program that\n"
"  are no port, and, for root, the protocol links, maps and programs no\n"
"  tenant binds, with their pins and the processes holding them. Ends\n"
"  with the commands to run, or \"nothing holds the module\". The kernel\n"
"  frees maps and programs shortly after their last user lets go: rmmod\n"
"  may need a moment's retry.\n",
		.run = status_run,
	},
};

const struct chamctl_object status_object = {
	.name = "status",
	.cmds = status_cmds,
	.n_cmds = ARRAY_SIZE(status_cmds),
};
