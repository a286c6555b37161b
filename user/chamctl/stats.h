/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The statistics nest (CHAM_A_STAT_*), as tenants (stats.c) and guests
 * (guest.c) report it: read and shown the same way for both.
 */
#ifndef CHAMCTL_STATS_H
#define CHAMCTL_STATS_H

#include "nl.h"
#include "output.h"

extern const enum mnl_attr_data_type stat_attr_types[CHAM_A_STAT_MAX + 1];

/* A u64 of the nest, 0 when the kernel left it out. */
uint64_t stat_u64(const struct nlattr *attr);

/*
 * A nest of u64 counters (verdicts, drops, parse errors): the attribute
 * type is the enum value + CHAM_COUNTER_BASE. Fills at most @count;
 * counters chamctl does not know are left out.
 */
void stat_counters_parse(const struct nlattr *nest, uint64_t *counters,
			 unsigned int count);

/* The counters as an object keyed by their names (names.h). */
void stat_counters_json(const char *key, const uint64_t *counters,
			unsigned int count, const char *(*name)(unsigned int));

/* "LABEL: name=N name=N" for the non-zero counters, if there are any. */
void stat_counters_note(struct table *table, const char *label,
			const uint64_t *counters, unsigned int count,
			const char *(*name)(unsigned int));

/*
 * The rate of the module's cycle counter, CHAM_A_CFG_TSC_KHZ of
 * CONFIG_GET (after nl_open()); 0 when the module does not say.
 */
uint32_t stats_tsc_khz(void);

/*
 * A count of cycles as nanoseconds under @key, next to the count itself;
 * null when the rate is not known (@tsc_khz 0).
 */
void json_cycles_ns(const char *key, uint64_t cycles, uint32_t tsc_khz);

#endif /* CHAMCTL_STATS_H */
