/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The names chamctl shows and accepts for the values of the uapi enums:
 * used by both the tables and JSON, so the two always agree.
 */
#ifndef CHAMCTL_NAMES_H
#define CHAMCTL_NAMES_H

#include <stdbool.h>
#include <stdint.h>

/* "pass", "drop", ...; NULL past the end of the enum. */
const char *verdict_name(unsigned int verdict);
const char *drop_reason_name(unsigned int reason);
const char *parse_error_name(unsigned int error);
/* "drop", "ecn": enum cham_budget_policy. */
const char *budget_policy_name(unsigned int policy);
bool budget_policy_parse(const char *name, uint8_t *policy);
/* "rx", "tx", ...: enum cham_proto_handler. */
const char *proto_handler_name(unsigned int handler);

/*
 * Transport protocols by name. "icmp" means the ICMP of the rule's address
 * family, so it needs @family (AF_INET or AF_INET6) to become a number.
 */
bool l4_proto_parse(const char *name, int family, uint8_t *proto);
/* "udp", ..., "any" for 0; NULL for a protocol without a name. */
const char *l4_proto_name(uint8_t proto);

#endif /* CHAMCTL_NAMES_H */
