// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU statistics. The fast path only ever writes the counters of the CPU
 * it runs on, so no cache line is shared between CPUs; readers fold them.
 */
#include <linux/percpu.h>
#include <linux/string.h>

#include "chamelio.h"

/* Counters are read without u64_stats_sync: only 64-bit reads are whole. */
static_assert(BITS_PER_LONG == 64, "chamelio needs a 64-bit kernel");

/* Traffic that no rule steers to a tenant, shown as tenant id 0. */
struct cham_stats __percpu *cham_unclassified_stats;

struct cham_stats __percpu *cham_stats_alloc(void)
{
	return alloc_percpu(struct cham_stats);
}

void cham_stats_free(struct cham_stats __percpu *stats)
{
	free_percpu(stats);
}

void cham_stats_fold(const struct cham_stats __percpu *stats,
		     struct cham_stats *sum)
{
	int cpu, i;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct cham_stats *s = per_cpu_ptr(stats, cpu);

		sum->packets += READ_ONCE(s->packets);
		sum->bytes += READ_ONCE(s->bytes);
		for (i = 0; i < __CHAM_VERDICT_MAX; i++)
			sum->verdicts[i] += READ_ONCE(s->verdicts[i]);
		for (i = 0; i < __CHAM_DROP_MAX; i++)
			sum->drops[i] += READ_ONCE(s->drops[i]);
		for (i = 0; i < __CHAM_PARSE_MAX; i++)
			sum->parse_errors[i] += READ_ONCE(s->parse_errors[i]);
		sum->handler_calls += READ_ONCE(s->handler_calls);
		sum->handler_cycles += READ_ONCE(s->handler_cycles);
		sum->infra_cycles += READ_ONCE(s->infra_cycles);
		sum->ecn_marks += READ_ONCE(s->ecn_marks);
		sum->ceiling_violations += READ_ONCE(s->ceiling_violations);
		sum->punt_delivered += READ_ONCE(s->punt_delivered);
		sum->punt_lost += READ_ONCE(s->punt_lost);
		sum->punt_cycles += READ_ONCE(s->punt_cycles);
		sum->events_delivered += READ_ONCE(s->events_delivered);
		sum->events_lost += READ_ONCE(s->events_lost);
		sum->timer_calls += READ_ONCE(s->timer_calls);
		sum->timer_cycles += READ_ONCE(s->timer_cycles);
		sum->msg_calls += READ_ONCE(s->msg_calls);
		sum->msg_cycles += READ_ONCE(s->msg_cycles);
		sum->injected += READ_ONCE(s->injected);
		sum->handler_max_cycles = max(sum->handler_max_cycles,
					      READ_ONCE(s->handler_max_cycles));
	}
}
