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
u32 cham_contention_us = 10000;
/* cham_contention_us in cycles, for the fast path. */
u64 cham_contention_cycles;

/* get_cycles() reads the TSC, which counts at tsc_khz. */
u64 cham_ns_to_cycles(u64 ns)
{
	return mul_u64_u32_div(ns, tsc_khz, NSEC_PER_MSEC);
}

/*
 * A new tenant may use a whole CPU: sharing starts when the admin says.
 * Its calls are held to a ceiling from the start, though: a call is time
 * other tenants' packets wait, whatever the shares (isolation.md, "What a
 * victim can rely on").
 */
void cham_limits_init(struct cham_limits *limits)
{
	*limits = (struct cham_limits) {
		.share = CHAM_SHARE_SCALE,
		.burst_us = 1000,
		.policy = CHAM_BUDGET_DROP,
		.ecn_threshold = 50,
		.accounting = true,
		.enforcement = true,
		.ceiling_ns = CHAM_CEILING_NS_DEFAULT,
		.eject_after = CHAM_EJECT_AFTER_DEFAULT,
	};
	cham_limits_derive(limits);
}

void cham_limits_derive(struct cham_limits *limits)
{
	u64 burst = cham_ns_to_cycles((u64)limits->burst_us * NSEC_PER_USEC);

	limits->ceiling = cham_ns_to_cycles(limits->ceiling_ns);
	/* A ceiling shorter than one cycle still means "a ceiling". */
	if (limits->ceiling_ns && !limits->ceiling)
		limits->ceiling = 1;
	/*
	 * The threshold signals under every policy (CHAM_CTX_F_BUDGET_LOW);
	 * the ECN policy also marks packets. Debt is bounded by the longest
	 * call the tenant may legitimately make (budget.h): its ceiling,
	 * when calls above it eject; with no ceiling, or calls above it only
	 * counted, the longest a ceiling could allow. Never less than the
	 * burst, which one call may spend.
	 */
	cham_budget_cfg_init(&limits->budget, limits->share, max(burst, 1ULL),
			     limits->ecn_threshold,
			     max(limits->ceiling && limits->eject_after ?
				 limits->ceiling :
				 cham_ns_to_cycles(CHAM_CEILING_NS_MAX),
				 burst));
}

void cham_budget_set_contention(u32 us)
{
	WRITE_ONCE(cham_contention_us, us);
	WRITE_ONCE(cham_contention_cycles,
		   cham_ns_to_cycles((u64)us * NSEC_PER_USEC));
}

int cham_budget_init(void)
{
	/* Without a TSC rate, every time the admin gives would be 0 cycles. */
	if (!tsc_khz) {
		pr_err("chamelio: the TSC rate is unknown; time protection needs it\n");
		return -ENODEV;
	}
	cham_budget_set_contention(cham_contention_us);
	return 0;
}
