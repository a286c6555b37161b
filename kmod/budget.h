/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Time protection arithmetic: a token bucket of CPU cycles per tenant and
 * CPU, refilled lazily from elapsed time, and the contention test that
 * makes enforcement work-conserving.
 *
 * Everything here is a pure function of its arguments and of the clock
 * value it is given, so that the module and the host unit test
 * (selftests/budget_test.c) run this very code. The caller provides u32,
 * u64, s64, bool, div64_u64() and div_u64_rem().
 *
 * Why lazy refill rather than a per-CPU timer: the bucket only matters at
 * the intervention point, which already reads the cycle counter to measure
 * the handler, so refilling there costs a multiply and a compare; a timer
 * would wake idle CPUs for every tenant, and its granularity would limit
 * how exactly a share is enforced.
 */
#ifndef _CHAM_BUDGET_H
#define _CHAM_BUDGET_H

#ifdef __KERNEL__
#include <linux/math64.h>
#include <linux/types.h>
#include <linux/chamelio.h>
#endif

/* A tenant's budget settings, in cycles, as the fast path uses them. */
struct cham_budget_cfg {
	u64 burst;		/* most the bucket holds */
	u64 max_debt;		/* most the bucket can owe (cham_budget_cfg_init()) */
	s64 signal_below;	/* the policy signals below this many tokens */
	u64 full_refill;	/* elapsed cycles that refill any bucket */
	u32 share;		/* of CHAM_SHARE_SCALE */
};

/* One tenant's bucket on one CPU. Zeroed, it refills to full on first use. */
struct cham_budget {
	s64 tokens;
	u64 last_refill;
	/*
	 * What the last refill earned below one cycle, in 1/CHAM_SHARE_SCALE
	 * cycles: without it, a tenant with a small share whose packets come
	 * close together would never earn a whole cycle.
	 */
	u32 carry;
};

/*
 * The two most recent tenants that did work within their budget on a CPU,
 * newest first, never the same tenant twice; tenant 0 is an empty slot.
 * The most recent work of any tenant other than T is then in slot 0, or in
 * slot 1 when slot 0 is T.
 */
struct cham_recent {
	u32 tenant[2];
	u64 when[2];
};

enum cham_admit {
	CHAM_ADMIT_RUN,		/* within budget */
	CHAM_ADMIT_SIGNAL,	/* within budget, but low while others want the CPU */
	CHAM_ADMIT_SPARE,	/* over budget, but nobody else wants the CPU */
	CHAM_ADMIT_REFUSE,	/* over budget while the CPU is contended */
};

/*
 * @share of CHAM_SHARE_SCALE (1..CHAM_SHARE_SCALE), @burst in cycles (at
 * least 1), @signal_pct: percent of the burst under which the policy
 * signals (0 never), @max_call: the longest call the tenant may make
 * without violating its protocol's contract, in cycles: its ceiling.
 *
 * Every call is charged in full, so that a tenant's share holds however
 * long its calls are. The debt is still bounded, so that one call the
 * tenant had no business making (a call above the ceiling, counted as a
 * violation and, repeated, ejected) cannot lock it out for longer than a
 * legitimate one: the bound is twice the longest legitimate call. A call
 * is admitted only with tokens left, so the longest call within the
 * ceiling leaves the bucket above -max_call; the second max_call covers
 * the parse and steer charged with it and the refusals that follow while
 * the bucket refills. Within that, nothing is ever forgiven.
 */
static inline void cham_budget_cfg_init(struct cham_budget_cfg *cfg, u32 share,
					u64 burst, u32 signal_pct,
					u64 max_call)
{
	cfg->share = share;
	cfg->burst = burst;
	cfg->max_debt = 2 * max_call;
	cfg->signal_below = div64_u64(burst * signal_pct, 100);
	/* From the deepest debt to a full bucket. */
	cfg->full_refill = div64_u64((burst + cfg->max_debt) * CHAM_SHARE_SCALE,
				     share);
}

static inline void cham_budget_refill(struct cham_budget *b,
				      const struct cham_budget_cfg *cfg, u64 now)
{
	u64 elapsed = now - b->last_refill;

	if (!elapsed)
		return;
	/*
	 * A CPU's cycle counter should not go back, but a TSC can be written
	 * (resume, a hypervisor): start over from now, earning nothing for
	 * the interval, rather than wait, refused, for the counter to pass
	 * the old value again.
	 */
	if ((s64)elapsed < 0) {
		b->last_refill = now;
		return;
	}
	/* A bucket never used starts full, however young the counter. */
	if (elapsed >= cfg->full_refill || !b->last_refill) {
		b->last_refill = now;
		b->tokens = cfg->burst;
		b->carry = 0;
		return;
	}
	b->last_refill = now;
	/* elapsed * share < (burst + max_debt) * CHAM_SHARE_SCALE: no overflow. */
	b->tokens += div_u64_rem(elapsed * cfg->share + b->carry,
				 CHAM_SHARE_SCALE, &b->carry);
	if (b->tokens > (s64)cfg->burst)
		b->tokens = cfg->burst;
}

/* Did a tenant other than @tenant work within its budget in @window? */
static inline bool cham_recent_contended(const struct cham_recent *r,
					 u32 tenant, u64 now, u64 window)
{
	int other = r->tenant[0] == tenant;

	return r->tenant[other] && now - r->when[other] < window;
}

static inline void cham_recent_note(struct cham_recent *r, u32 tenant, u64 now)
{
	if (r->tenant[0] != tenant) {
		r->tenant[1] = r->tenant[0];
		r->when[1] = r->when[0];
		r->tenant[0] = tenant;
	}
	r->when[0] = now;
}

/*
 * The intervention point: may @tenant's next packet run at @now? Work
 * within budget is noted as contention for the other tenants. An empty
 * bucket refuses, and a low one signals, only while another tenant has
 * recently worked within its own budget on this CPU: otherwise the
 * capacity would go unused, and slowing the tenant down would help nobody.
 */
static inline enum cham_admit cham_budget_admit(struct cham_budget *b,
						const struct cham_budget_cfg *cfg,
						struct cham_recent *recent,
						u32 tenant, u64 now, u64 window)
{
	cham_budget_refill(b, cfg, now);
	/*
	 * Work is noted when admitted, so a tenant's own call, as long as
	 * its ceiling, would age the others' marks past the window and pass
	 * its next packet off as uncontended: the window stretches by that
	 * call (max_debt is twice the longest).
	 */
	window += cfg->max_debt / 2;
	if (b->tokens <= 0)
		return cham_recent_contended(recent, tenant, now, window) ?
		       CHAM_ADMIT_REFUSE : CHAM_ADMIT_SPARE;
	/* Noting this tenant does not change who else worked recently. */
	cham_recent_note(recent, tenant, now);
	if (b->tokens < cfg->signal_below &&
	    cham_recent_contended(recent, tenant, now, window))
		return CHAM_ADMIT_SIGNAL;
	return CHAM_ADMIT_RUN;
}

/*
 * Charges @cycles of work admitted as @admit, in full (see
 * cham_budget_cfg_init() for the bound on debt). Work on spare capacity is
 * free: it took nothing from anyone, and charging it would make the tenant
 * pay later, when others want the CPU.
 */
static inline void cham_budget_charge(struct cham_budget *b,
				      const struct cham_budget_cfg *cfg,
				      enum cham_admit admit, u64 cycles)
{
	if (admit == CHAM_ADMIT_SPARE)
		return;
	/* A wild measurement (a counter written meanwhile) must not wrap. */
	if (cycles > cfg->max_debt + cfg->burst)
		cycles = cfg->max_debt + cfg->burst;
	b->tokens -= cycles;
	if (b->tokens < -(s64)cfg->max_debt)
		b->tokens = -(s64)cfg->max_debt;
}

#endif /* _CHAM_BUDGET_H */
