/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tenant's protocol as the kernel reports it (the CHAM_A_TENANT_PROTO
 * nest of tenant show and of the protocol notifications), and the tenant
 * notifications chamctl monitor prints as tenant show does.
 */
#ifndef CHAMCTL_TENANT_H
#define CHAMCTL_TENANT_H

#include "nl.h"

#define PROTO_MAX_HANDLERS	__CHAM_PROTO_HANDLER_MAX

/* A handler of the tenant's protocol; the kernel may leave fields out. */
struct handler_info {
	char name[CHAM_NAME_LEN];
	bool has_index, has_prog_id, has_verified_insns;
	uint32_t index;
	uint32_t prog_id;
	uint32_t verified_insns;
};

struct proto_info {
	bool present;
	char name[CHAM_NAME_LEN];
	uint32_t flags;
	uint32_t generation;
	bool has_link_id;	/* a kernel before the link id was reported: no */
	uint32_t link_id;
	bool ejected;
	struct handler_info handlers[PROTO_MAX_HANDLERS];
	unsigned int n_handlers;
};

void proto_info_parse(const struct nlattr *nest, struct proto_info *proto);
/* "(unnamed)" for a protocol without a name. */
const char *proto_info_name(const struct proto_info *proto);
/* A JSON member @key: the protocol, or null without one. */
void proto_info_json(const char *key, const struct proto_info *proto);
/* "protocol NAME flags F generation G link L [ejected]", then handlers. */
void proto_info_print(const struct proto_info *proto);

#endif /* CHAMCTL_TENANT_H */
