// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU statistics. The fast path only ever writes the counters of the CPU
 * it runs on, so no cache line is shared between CPUs; readers fold them.
 */
#include <linux/math64.h>
#include <linux/overflow.h>
#include <linux/percpu.h>
#include <linux/string.h>
#include <linux/time64.h>
#include <asm/tsc.h>

#include "chamelio.h"

/* Counters are read without u64_stats_sync: only 64-bit reads are whole. */
static_assert(BITS_PER_LONG == 64, "chamelio needs a 64-bit kernel");
static_assert(CHAM_LAT_BUCKETS == 125);

/* Traffic that no rule steers to a tenant, shown as tenant id 0. */
struct cham_stats __percpu *cham_unclassified_stats;

/*
 * @latency: with the latency histogram after the counters (a tenant's);
 * guests' and the unclassified statistics have none, and nothing reads or
 * writes one for them (cham_lat_record() is given tenants' only).
 */
struct cham_stats __percpu *cham_stats_alloc(bool latency)
{
	return (struct cham_stats __percpu *)
	       __alloc_percpu(struct_size_t(struct cham_stats, latency,
					    latency ? CHAM_LAT_BUCKETS : 0),
			      __alignof__(struct cham_stats));
}

void cham_stats_free(struct cham_stats __percpu *stats)
{
	free_percpu(stats);
}

/* Everything but the latency histogram, which @sum has no room for. */
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

/* Bucket @index of the latency histogram, summed over the CPUs. */
u64 cham_lat_fold(const struct cham_stats __percpu *stats, unsigned int index)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(stats, cpu)->latency[index]);
	return sum;
}

/*
 * The inverse of cham_lat_bucket(): bucket @index holds u = cycles / 16
 * in [top << e, (top + 1) << e), top its three leading bits.
 */
u64 cham_lat_bucket_limit(unsigned int index)
{
	unsigned int e = max(index >> CHAM_LAT_SUB_BITS, 1U) - 1;
	u64 top = index - (e << CHAM_LAT_SUB_BITS);

	if (index >= CHAM_LAT_BUCKETS - 1)
		return 0;
	return ((top + 1) << e) << CHAM_LAT_FIRST_SHIFT;
}

/*
 * get_cycles() reads the TSC, which counts at tsc_khz (the inverse of
 * cham_ns_to_cycles()). Rounded up, so that a bound in cycles stays a
 * bound in nanoseconds.
 */
u64 cham_cycles_to_ns(u64 cycles)
{
	u32 rem;
	u64 ms = div_u64_rem(cycles, tsc_khz, &rem);

	return ms * NSEC_PER_MSEC +
	       DIV_ROUND_UP_ULL((u64)rem * NSEC_PER_MSEC, tsc_khz);
}
