// SPDX-License-Identifier: GPL-2.0
/*
 * chamctl port: the interfaces Chamelio serves. A port is the provider XDP
 * program (bpf/cham_xdp.bpf.c, embedded here through its skeleton)
 * attached to an interface, plus the module's record of it. The netdev
 * holds the program, so it stays attached after chamctl exits.
 */
#include <errno.h>
#include <net/if.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cham_xdp.skel.h"
#include "nl.h"
#include "output.h"

/* The provider program's name, as the kernel reports it. */
#define CHAM_XDP_PROG_NAME	"cham_xdp"

/* What is attached to an interface, per XDP mode. */
struct xdp_state {
	uint8_t attach_mode;	/* XDP_ATTACHED_* */
	uint32_t drv_prog_id;
	uint32_t skb_prog_id;
	uint32_t hw_prog_id;
};

static int xdp_state_query(int ifindex, struct xdp_state *state)
{
	struct bpf_xdp_query_opts opts;
	int err;

	/*
	 * Sized to stop before feature_flags: the features need another
	 * netlink family and are of no use here.
	 */
	memset(&opts, 0, sizeof(opts));
	opts.sz = offsetof(struct bpf_xdp_query_opts, feature_flags);
	err = bpf_xdp_query(ifindex, 0, &opts);
	if (err)
		return err;
	state->attach_mode = opts.attach_mode;
	state->drv_prog_id = opts.drv_prog_id;
	state->skb_prog_id = opts.skb_prog_id;
	state->hw_prog_id = opts.hw_prog_id;
	return 0;
}

static const char *xdp_mode_name(uint8_t attach_mode)
{
	switch (attach_mode) {
	case XDP_ATTACHED_NONE:
		return "none";
	case XDP_ATTACHED_DRV:
		return "native";
	case XDP_ATTACHED_SKB:
		return "generic";
	case XDP_ATTACHED_HW:
		return "offload";
	case XDP_ATTACHED_MULTI:
		return "multi";
	}
	return "?";
}

/* The program of a port: native, generic or (never ours) offloaded. */
static uint32_t xdp_state_prog_id(const struct xdp_state *state)
{
	return state->drv_prog_id ?: state->skb_prog_id ?: state->hw_prog_id;
}

/* A file descriptor for program @id and its name; -errno on failure. */
static int prog_open(uint32_t id, char *name, size_t size)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);
	int fd, err;

	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	err = bpf_prog_get_info_by_fd(fd, &info, &len);
	if (err) {
		close(fd);
		return err;
	}
	snprintf(name, size, "%s", info.name);
	return fd;
}

static const char *parse_ifname(const struct chamctl_cmd *cmd, int argc,
				char **argv)
{
	if (!argc)
		usage_error(cmd, "missing the interface name");
	if (strlen(argv[0]) >= IFNAMSIZ)
		usage_error(cmd, "'%s' is longer than an interface name can be",
			    argv[0]);
	return argv[0];
}

/* Exits when there is no such interface. */
static uint32_t ifname_to_index(const char *ifname)
{
	uint32_t ifindex = if_nametoindex(ifname);

	if (!ifindex) {
		if (errno == ENODEV)
			fail("no interface %s", ifname);
		else
			fail_errno(errno, "looking up interface %s", ifname);
		exit(EXIT_FAIL);
	}
	return ifindex;
}

/*
 * The interface already has a program in @mode_flags's mode or another.
 * If it is ours in the mode asked for, the port only needs registering;
 * anything else is not ours to replace. Returns 0 to carry on.
 */
static int port_check_existing(const char *ifname, int ifindex,
			       uint32_t mode_flags)
{
	char name[BPF_OBJ_NAME_LEN] = "?";
	struct xdp_state state;
	uint32_t id;
	int fd;

	if (xdp_state_query(ifindex, &state))
		return fail("%s already has an XDP program", ifname);
	id = mode_flags & XDP_FLAGS_DRV_MODE ? state.drv_prog_id :
					       state.skb_prog_id;
	if (id) {
		fd = prog_open(id, name, sizeof(name));
		if (fd >= 0)
			close(fd);
		if (!strcmp(name, CHAM_XDP_PROG_NAME))
			return 0;
	} else {
		id = xdp_state_prog_id(&state);
		fd = prog_open(id, name, sizeof(name));
		if (fd >= 0)
			close(fd);
	}
	return fail("%s already has XDP program '%s' (id %u, %s mode); not replacing it",
		    ifname, name, id, xdp_mode_name(state.attach_mode));
}

int provider_attach(struct provider_attachment *pa, const char *ifname,
		    uint32_t ifindex, uint32_t mode_flags)
{
	int err;

	memset(pa, 0, sizeof(*pa));
	pa->ifindex = ifindex;
	pa->mode_flags = mode_flags;
	pa->skel = cham_xdp__open_and_load();
	if (!pa->skel)
		return fail_errno(errno, "loading the provider XDP program");

	err = bpf_xdp_attach(ifindex, bpf_program__fd(pa->skel->progs.cham_xdp),
			     mode_flags | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);
	if (err == -EBUSY || err == -EEXIST) {
		/*
		 * libbpf passed on the kernel's "XDP program already
		 * attached": expected when the port is Chamelio's already,
		 * and said better below when it is not.
		 */
		libbpf_warnings_discard();
		if (port_check_existing(ifname, ifindex, mode_flags))
			goto fail;
	} else if (err == -EOPNOTSUPP && mode_flags == XDP_FLAGS_DRV_MODE) {
		libbpf_warnings_discard();
		fail("the driver of %s has no native XDP; try 'mode generic'",
		     ifname);
		goto fail;
	} else if (err) {
		fail_errno(err, "attaching the XDP program to %s", ifname);
		goto fail;
	} else {
		pa->attached_here = true;
	}
	return 0;
fail:
	provider_attach_release(pa);
	return EXIT_FAIL;
}

void provider_attach_undo(struct provider_attachment *pa)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts);

	/* Only what this command attached, and only if still there. */
	if (!pa->skel || !pa->attached_here)
		return;
	opts.old_prog_fd = bpf_program__fd(pa->skel->progs.cham_xdp);
	bpf_xdp_detach(pa->ifindex, pa->mode_flags | XDP_FLAGS_REPLACE, &opts);
	pa->attached_here = false;
}

void provider_attach_release(struct provider_attachment *pa)
{
	cham_xdp__destroy(pa->skel);
	pa->skel = NULL;
}

static int port_attach(const struct chamctl_cmd *cmd, int argc, char **argv)
{
	uint32_t mode_flags = XDP_FLAGS_DRV_MODE;
	struct provider_attachment attachment;
	const char *ifname, *value;
	bool have_mode = false;
	struct nlmsghdr *nlh;
	uint32_t ifindex;
	int i, err, ret = 0;

	ifname = parse_ifname(cmd, argc, argv);
	for (i = 1; i < argc;) {
		if (strcmp(argv[i], "mode"))
			usage_error(cmd, "unknown argument '%s'", argv[i]);
		if (have_mode)
			usage_error(cmd, "'mode' is given twice");
		value = keyword_value(cmd, argc, argv, &i);
		have_mode = true;
		if (!strcmp(value, "native"))
			mode_flags = XDP_FLAGS_DRV_MODE;
		else if (!strcmp(value, "generic"))
			mode_flags = XDP_FLAGS_SKB_MODE;
		else
			usage_error(cmd, "mode must be 'native' or 'generic', not '%s'",
				    value);
	}
	ifindex = ifname_to_index(ifname);

	/* The program calls into the module: without it, nothing to do. */
	if (nl_open())
		return EXIT_FAIL;
	setup_libbpf_logging();
	if (provider_attach(&attachment, ifname, ifindex, mode_flags))
		return EXIT_FAIL;

	nlh = nl_request(CHAM_CMD_PORT_NEW, false);
	mnl_attr_put_u32(nlh, CHAM_A_PORT_IFINDEX, ifindex);
	err = nl_transact(nlh, NULL, NULL);
	if (err) {
		ret = nl_fail(err, "adding port %s", ifname);
		provider_attach_undo(&attachment);
	}
	provider_attach_release(&attachment);
	return ret;
}

/* Detaches the provider program in one mode, refusing anyone else's. */
static int port_detach_mode(const char *ifname, int ifindex, uint32_t id,
			    uint32_t mode_flags)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts);
	char name[BPF_OBJ_NAME_LEN];
	int fd, err;

	fd = prog_open(id, name, sizeof(name));
	if (fd < 0)
		return fail_errno(fd, "looking up XDP program %u on %s", id,
				  ifname);
	if (strcmp(name, CHAM_XDP_PROG_NAME)) {
		close(fd);
		return fail("%s has XDP program '%s' (id %u), not Chamelio's; not detaching it",
			    ifname, name, id);
	}
	/* Replace exactly this program, in case it changed meanwhile. */
	opts.old_prog_fd = fd;
	err = bpf_xdp_detach(ifindex, mode_flags | XDP_FLAGS_REPLACE, &opts);
	close(fd);
	if (err)
		return fail_errno(err, "detaching the XDP program from %s",
				  ifname);
	return 0;
}

static int port_detach(const struct chamctl_cmd *cmd, int argc, char **argv)
{
	struct xdp_state state;
	struct nlmsghdr *nlh;
	const char *ifname;
	uint32_t ifindex;
	int err;

	ifname = parse_ifname(cmd, argc, argv);
	if (argc > 1)
		usage_error(cmd, "unknown argument '%s'", argv[1]);
	ifindex = ifname_to_index(ifname);

	if (nl_open())
		return EXIT_FAIL;
	setup_libbpf_logging();
	err = xdp_state_query(ifindex, &state);
	if (err)
		return fail_errno(err, "querying the XDP programs of %s",
				  ifname);
	if (state.hw_prog_id)
		return fail("%s has an offloaded XDP program, which is not Chamelio's; not detaching it",
			    ifname);
	/* Both modes at once is possible (attach mode "multi"). */
	if (state.drv_prog_id &&
	    port_detach_mode(ifname, ifindex, state.drv_prog_id,
			     XDP_FLAGS_DRV_MODE))
		return EXIT_FAIL;
	if (state.skb_prog_id &&
	    port_detach_mode(ifname, ifindex, state.skb_prog_id,
			     XDP_FLAGS_SKB_MODE))
		return EXIT_FAIL;

	nlh = nl_request(CHAM_CMD_PORT_DEL, false);
	mnl_attr_put_u32(nlh, CHAM_A_PORT_IFINDEX, ifindex);
	err = nl_transact(nlh, NULL, NULL);
	/* Not a port (any more) is what detaching wants anyway. */
	if (err && err != -ENOENT)
		return nl_fail(err, "removing port %s", ifname);
	return 0;
}

struct port_info {
	uint32_t ifindex;
	char ifname[IFNAMSIZ];
};

struct port_list {
	struct port_info *ports;
	size_t count, cap;
};

static int port_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CHAM_A_MAX + 1];
	struct port_list *list = data;
	struct port_info *p;

	nl_parse(nlh, cham_attr_types, CHAM_A_MAX, tb);
	if (!tb[CHAM_A_PORT_IFINDEX])
		return -EPROTO;
	list->ports = grow_array(list->ports, &list->cap, list->count + 1,
				 sizeof(*list->ports));
	p = &list->ports[list->count++];
	p->ifindex = mnl_attr_get_u32(tb[CHAM_A_PORT_IFINDEX]);
	snprintf(p->ifname, sizeof(p->ifname), "%s",
		 tb[CHAM_A_PORT_IFNAME] ?
		 mnl_attr_get_str(tb[CHAM_A_PORT_IFNAME]) : "");
	return 0;
}

static const struct table_column port_columns[] = {
	{ "IFINDEX", ALIGN_RIGHT },
	{ "IFNAME", ALIGN_LEFT },
	{ "XDP_PROG_ID", ALIGN_RIGHT },
	{ "MODE", ALIGN_LEFT },
};

static int port_show(const struct chamctl_cmd *cmd, int argc, char **argv)
{
	struct port_list list = {};
	struct table *table = NULL;
	struct nlmsghdr *nlh;
	size_t i;
	int err;

	if (argc)
		usage_error(cmd, "unknown argument '%s'", argv[0]);
	if (nl_open())
		return EXIT_FAIL;
	setup_libbpf_logging();
	nlh = nl_request(CHAM_CMD_PORT_GET, true);
	err = nl_transact(nlh, port_cb, &list);
	if (err) {
		free(list.ports);
		return nl_fail(err, "listing ports");
	}

	if (opt_json)
		json_array_begin(NULL);
	else
		table = table_new(port_columns, ARRAY_SIZE(port_columns));
	for (i = 0; i < list.count; i++) {
		const struct port_info *p = &list.ports[i];
		struct xdp_state state = {};
		uint32_t prog_id;

		/* A port whose interface cannot be queried shows "none". */
		xdp_state_query(p->ifindex, &state);
		prog_id = xdp_state_prog_id(&state);
		if (opt_json) {
			json_object_begin(NULL);
			json_uint("ifindex", p->ifindex);
			json_string("ifname", p->ifname);
			if (prog_id)
				json_uint("xdp_prog_id", prog_id);
			else
				json_null("xdp_prog_id");
			json_string("mode", xdp_mode_name(state.attach_mode));
			json_object_end();
			continue;
		}
		table_row(table);
		table_cell(table, "%u", p->ifindex);
		table_cell(table, "%s", p->ifname);
		if (prog_id)
			table_cell(table, "%u", prog_id);
		else
			table_cell(table, "-");
		table_cell(table, "%s", xdp_mode_name(state.attach_mode));
	}
	if (opt_json)
		json_array_end();
	else
		table_print(table);
	free(list.ports);
	return 0;
}

static const struct chamctl_cmd port_cmds[] = {
	{
		.name = "attach",
		.usage = "port attach IFNAME [mode native|generic]",
		.summary = "attach Chamelio's XDP program to an interface and serve it",
		.details =
"  mode  native (in the driver, the default) or generic (after the driver,\n"
"        for drivers without XDP support)\n"
"  An XDP program that is already attached and not Chamelio's is left\n"
"  alone and the command fails.\n",
		.run = port_attach,
	}, {
		.name = "detach",
		.usage = "port detach IFNAME",
		.summary = "detach Chamelio's XDP program from an interface",
		.run = port_detach,
	}, {
		.name = "show",
		.usage = "port show",
		.summary = "list ports with their XDP program and mode",
		.run = port_show,
	},
};

const struct chamctl_object port_object = {
	.name = "port",
	.cmds = port_cmds,
	.n_cmds = ARRAY_SIZE(port_cmds),
};
