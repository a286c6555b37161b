// SPDX-License-Identifier: GPL-2.0
/*
 * Time protection settings: the admin's units (shares, microseconds,
 * nanoseconds) converted once into the cycles the fast path measures, and
 * the global switches. The arithmetic of the buckets is in budget.h; the
 * intervention point is in dispatch.c. Documentation/isolation.md explains
 * the model.
 */
#include <linux/math64.h>
#include <linux/time64.h>
#include <asm/tsc.h>

#include "chamelio.h"

bool cham_enforcement = true;
u32 cham_contention_us = 2000;
/* Set by cham_budget_init(), from cham_contention_us. */
u64 cham_contention_cycles;

/* get_cycles() reads the TSC, which counts at tsc_khz. */
u64 cham_ns_to_cycles(u64 ns)
{
	return mul_u64_u32_div(ns, tsc_khz, NSEC_PER_MSEC);
}

/* A new tenant may use a whole CPU: protection starts when the admin says. */
void cham_limits_init(struct cham_limits *limits)
{
	*limits = (struct cham_limits) {
		.share = CHAM_SHARE_SCALE,
		.burst_us = 1000,
		.policy = CHAM_BUDGET_DROP,
		.ecn_threshold = 50,
		.accounting = true,
		.enforcement = true,
	};
	cham_limits_derive(limits);
}

void cham_limits_derive(struct cham_limits *limits)
{
	u64 burst = max(cham_ns_to_cycles((u64)limits->burst_us * NSEC_PER_USEC), 1ULL);
	u32 signal_pct = limits->policy == CHAM_BUDGET_ECN ?
			 limits->ecn_threshold : 0;

	cham_budget_cfg_init(&limits->budget, limits->share, burst, signal_pct);
	limits->ceiling = cham_ns_to_cycles(limits->ceiling_ns);
	/* A ceiling shorter than one cycle still means "a ceiling". */
	if (limits->ceiling_ns && !limits->ceiling)
		limits->ceiling = 1;
}

void cham_budget_init(void)
{
	WRITE_ONCE(cham_contention_cycles,
		   cham_ns_to_cycles((u64)cham_contention_us * NSEC_PER_USEC));
}
