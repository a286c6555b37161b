// SPDX-License-Identifier: GPL-2.0
/*
 * chamctl tenant: create, delete and list tenants.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "nl.h"
#include "output.h"

struct tenant_info {
	uint32_t id;
	char name[CHAM_NAME_LEN];
	uint32_t owner;
	uint8_t default_verdict;
	bool has_proto;
	char proto_name[CHAM_NAME_LEN];
	uint32_t proto_flags;
	uint32_t proto_generation;
};

struct tenant_list {
	struct tenant_info *tenants;
	size_t count, cap;
};

static const enum mnl_attr_data_type proto_attr_types[CHAM_A_PROTO_MAX + 1] = {
	[CHAM_A_PROTO_NAME] = MNL_TYPE_NUL_STRING,
	[CHAM_A_PROTO_FLAGS] = MNL_TYPE_U32,
	[CHAM_A_PROTO_GENERATION] = MNL_TYPE_U32,
};

static void copy_name(char *dst, const struct nlattr *attr)
{
	snprintf(dst, CHAM_NAME_LEN, "%s", attr ? mnl_attr_get_str(attr) : "");
}

static int tenant_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CHAM_A_MAX + 1], *ptb[CHAM_A_PROTO_MAX + 1];
	struct tenant_list *list = data;
	struct tenant_info *t;

	nl_parse(nlh, cham_attr_types, CHAM_A_MAX, tb);
	if (!tb[CHAM_A_TENANT_ID])
		return -EPROTO;
	list->tenants = grow_array(list->tenants, &list->cap, list->count + 1,
				   sizeof(*list->tenants));
	t = &list->tenants[list->count++];
	memset(t, 0, sizeof(*t));
	t->id = mnl_attr_get_u32(tb[CHAM_A_TENANT_ID]);
	copy_name(t->name, tb[CHAM_A_TENANT_NAME]);
	if (tb[CHAM_A_TENANT_OWNER])
		t->owner = mnl_attr_get_u32(tb[CHAM_A_TENANT_OWNER]);
	if (tb[CHAM_A_TENANT_DEFAULT_VERDICT])
		t->default_verdict =
			mnl_attr_get_u8(tb[CHAM_A_TENANT_DEFAULT_VERDICT]);
	if (tb[CHAM_A_TENANT_PROTO]) {
		nl_parse_nested(tb[CHAM_A_TENANT_PROTO], proto_attr_types,
				CHAM_A_PROTO_MAX, ptb);
		t->has_proto = true;
		copy_name(t->proto_name, ptb[CHAM_A_PROTO_NAME]);
		if (ptb[CHAM_A_PROTO_FLAGS])
			t->proto_flags =
				mnl_attr_get_u32(ptb[CHAM_A_PROTO_FLAGS]);
		if (ptb[CHAM_A_PROTO_GENERATION])
			t->proto_generation =
				mnl_attr_get_u32(ptb[CHAM_A_PROTO_GENERATION]);
	}
	return 0;
}

static const char *default_verdict_name(uint8_t verdict)
{
	return verdict_name(verdict) ?: "?";
}

static void tenant_json(const struct tenant_info *t)
{
	json_object_begin(NULL);
	json_uint("id", t->id);
	json_string("name", t->name);
	json_uint("owner", t->owner);
	json_string("default", default_verdict_name(t->default_verdict));
	if (t->has_proto) {
		json_object_begin("proto");
		json_string("name", t->proto_name);
		json_uint("flags", t->proto_flags);
		json_uint("generation", t->proto_generation);
		json_object_end();
	} else {
		json_null("proto");
	}
	json_object_end();
}

static const struct table_column tenant_columns[] = {
	{ "ID", ALIGN_RIGHT },
	{ "NAME", ALIGN_LEFT },
	{ "OWNER", ALIGN_RIGHT },
	{ "DEFAULT", ALIGN_LEFT },
	{ "PROTOCOL", ALIGN_LEFT },
	{ "GEN", ALIGN_RIGHT },
};

static void tenant_table(const struct tenant_list *list)
{
	struct table *table = table_new(tenant_columns,
					ARRAY_SIZE(tenant_columns));
	size_t i;

	for (i = 0; i < list->count; i++) {
		const struct tenant_info *t = &list->tenants[i];

		table_row(table);
		table_cell(table, "%u", t->id);
		table_cell(table, "%s", t->name);
		table_cell(table, "%u", t->owner);
		table_cell(table, "%s",
			   default_verdict_name(t->default_verdict));
		if (t->has_proto) {
			/* The name is optional; an unnamed one still counts. */
			table_cell(table, "%s", t->proto_name[0] ?
						t->proto_name : "(unnamed)");
			table_cell(table, "%u", t->proto_generation);
		} else {
			table_cell(table, "-");
			table_cell(table, "-");
		}
	}
	table_print(table);
}

static uint32_t parse_owner(const struct chamctl_cmd *cmd, const char *arg)
{
	const struct passwd *pw;
	uint64_t uid;

	if (is_all_digits(arg)) {
		if (!parse_uint(arg, UINT32_MAX, &uid))
			usage_error(cmd, "uid '%s' is too large", arg);
		return uid;
	}
	pw = getpwnam(arg);
	if (!pw)
		usage_error(cmd, "no user '%s'", arg);
	return pw->pw_uid;
}

static int tenant_add(const struct chamctl_cmd *cmd, int argc, char **argv)
{
	bool have_id = false, have_owner = false, have_default = false;
	uint32_t owner = 0;
	uint8_t verdict = CHAM_VERDICT_PASS;
	struct nlmsghdr *nlh;
	const char *name, *value;
	uint64_t id = 0;
	int i, err;

	if (argc < 1)
		usage_error(cmd, "missing the tenant's NAME");
	name = argv[0];
	if (!*name)
		usage_error(cmd, "the tenant name is empty");
	if (is_all_digits(name))
		usage_error(cmd, "tenant name '%s' is all digits: it would read as an id",
			    name);
	if (strlen(name) >= CHAM_NAME_LEN)
		usage_error(cmd, "tenant name '%s' is longer than %d characters",
			    name, CHAM_NAME_LEN - 1);

	for (i = 1; i < argc;) {
		const char *keyword = argv[i];

		if (!strcmp(keyword, "id")) {
			value = keyword_value(cmd, argc, argv, &i);
			if (have_id)
				usage_error(cmd, "'id' is given twice");
			if (!parse_uint(value, UINT32_MAX, &id))
				usage_error(cmd, "invalid tenant id '%s'", value);
			have_id = true;
		} else if (!strcmp(keyword, "owner")) {
			value = keyword_value(cmd, argc, argv, &i);
			if (have_owner)
				usage_error(cmd, "'owner' is given twice");
			owner = parse_owner(cmd, value);
			have_owner = true;
		} else if (!strcmp(keyword, "default")) {
			value = keyword_value(cmd, argc, argv, &i);
			if (have_default)
				usage_error(cmd, "'default' is given twice");
			if (!strcmp(value, "pass"))
				verdict = CHAM_VERDICT_PASS;
			else if (!strcmp(value, "drop"))
				verdict = CHAM_VERDICT_DROP;
			else
				usage_error(cmd, "default must be 'pass' or 'drop', not '%s'",
					    value);
			have_default = true;
		} else {
			usage_error(cmd, "unknown argument '%s'", keyword);
		}
	}
	if (!have_id)
		usage_error(cmd, "missing 'id ID'");

	if (nl_open())
		return EXIT_FAIL;
	nlh = nl_request(CHAM_CMD_TENANT_NEW, false);
	mnl_attr_put_u32(nlh, CHAM_A_TENANT_ID, id);
	mnl_attr_put_strz(nlh, CHAM_A_TENANT_NAME, name);
	if (have_owner)
		mnl_attr_put_u32(nlh, CHAM_A_TENANT_OWNER, owner);
	if (have_default)
		mnl_attr_put_u8(nlh, CHAM_A_TENANT_DEFAULT_VERDICT, verdict);
	err = nl_transact(nlh, NULL, NULL);
	if (err)
		return nl_fail(err, "adding tenant %s", name);
	return 0;
}

static int tenant_del(const struct chamctl_cmd *cmd, int argc, char **argv)
{
	struct tenant_ref ref = {};
	struct nlmsghdr *nlh;
	int err;

	if (!argc)
		usage_error(cmd, "missing the tenant's NAME or ID");
	if (argc > 1)
		usage_error(cmd, "unknown argument '%s'", argv[1]);
	parse_tenant_ref(cmd, argv[0], &ref);

	if (nl_open())
		return EXIT_FAIL;
	nlh = nl_request(CHAM_CMD_TENANT_DEL, false);
	nl_put_tenant_ref(nlh, &ref);
	err = nl_transact(nlh, NULL, NULL);
	if (err)
		return nl_fail(err, "deleting tenant %s", argv[0]);
	return 0;
}

static int tenant_show(const struct chamctl_cmd *cmd, int argc, char **argv)
{
	struct tenant_list list = {};
	struct tenant_ref ref = {};
	struct nlmsghdr *nlh;
	size_t i;
	int err;

	if (argc > 1)
		usage_error(cmd, "unknown argument '%s'", argv[1]);
	if (argc)
		parse_tenant_ref(cmd, argv[0], &ref);

	if (nl_open())
		return EXIT_FAIL;
	nlh = nl_request(CHAM_CMD_TENANT_GET, !argc);
	if (argc)
		nl_put_tenant_ref(nlh, &ref);
	err = nl_transact(nlh, tenant_cb, &list);
	if (err) {
		free(list.tenants);
		if (argc)
			return nl_fail(err, "showing tenant %s", argv[0]);
		return nl_fail(err, "listing tenants");
	}

	if (!opt_json) {
		tenant_table(&list);
	} else if (argc) {
		if (list.count)
			tenant_json(&list.tenants[0]);
		else
			json_null(NULL);
	} else {
		json_array_begin(NULL);
		for (i = 0; i < list.count; i++)
			tenant_json(&list.tenants[i]);
		json_array_end();
	}
	free(list.tenants);
	return 0;
}

int tenant_name_lookup(uint32_t id, char name[CHAM_NAME_LEN])
{
	struct tenant_list list = {};
	struct nlmsghdr *nlh;
	int err;

	nlh = nl_request(CHAM_CMD_TENANT_GET, false);
	mnl_attr_put_u32(nlh, CHAM_A_TENANT_ID, id);
	err = nl_transact(nlh, tenant_cb, &list);
	if (!err && !list.count)
		err = -EPROTO;
	if (!err)
		memcpy(name, list.tenants[0].name, CHAM_NAME_LEN);
	free(list.tenants);
	return err;
}

static const struct chamctl_cmd tenant_cmds[] = {
	{
		.name = "add",
		.usage = "tenant add NAME id ID [owner UID] [default pass|drop]",
		.summary = "create a tenant",
		.details =
"  NAME     up to 31 characters, not all digits\n"
"  ID       1-65535, the tenant's number in rules and statistics\n"
"  UID      the user (uid or name) whose agent serves the tenant;\n"
"           0 if not given\n"
"  default  what happens to the tenant's packets while it has no protocol\n"
"           (pass to the kernel stack, the default, or drop)\n",
		.run = tenant_add,
	}, {
		.name = "del",
		.usage = "tenant del NAME|ID",
		.summary = "delete a tenant and its rules",
		.run = tenant_del,
	}, {
		.name = "show",
		.usage = "tenant show [NAME|ID]",
		.summary = "list tenants, or show one",
		.details =
"  Columns: ID NAME OWNER DEFAULT PROTOCOL (the registered protocol, or -)\n"
"  and GEN (how often a protocol was registered for the tenant).\n",
		.run = tenant_show,
	},
};

const struct chamctl_object tenant_object = {
	.name = "tenant",
	.cmds = tenant_cmds,
	.n_cmds = ARRAY_SIZE(tenant_cmds),
};
