// SPDX-License-Identifier: GPL-2.0
/*
 * Tenant timers. A handler arms a timer of its tenant by id
 * (bpf_cham_timer_arm()); when it fires, in softirq context on the CPU
 * that armed it, the module calls the tenant's timer handler, measured and
 * charged to the tenant like a packet's handler. A tenant has at most
 * timers_max armed at once; unregistering its protocol cancels them.
 *
 * Why not bpf_timer: its callbacks run outside any intervention point of
 * the module, so their work could not be charged to the tenant, nothing
 * bounds how many a tenant keeps armed, and nothing cancels them when the
 * protocol goes (they live as long as the map holding them). The
 * least-privilege allow-list closes it (kmod/proto.c).
 *
 * Ownership: a timer is allocated while it is in its tenant's xarray, and
 * whoever erases it from there frees it. The firing callback erases itself
 * once it ran without being armed again; cancelling erases it unless its
 * callback is running, in which case it marks it cancelled and the
 * callback (or the next one, if the handler armed it again meanwhile)
 * erases it; closing the tenant's timers erases them all and waits for
 * each callback with hrtimer_cancel(). Everything but the handler runs
 * under the xarray's lock.
 */
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "chamelio.h"

struct cham_timer {
	struct hrtimer hrtimer;
	struct cham_tenant *tenant;
	u32 id;
	u64 cookie;
	bool cancelled;		/* while its callback ran */
	struct rcu_head rcu;
};

/* Under the xarray's lock: @timer leaves its tenant's set. */
static void cham_timer_erase(struct cham_timer *timer)
{
	__xa_erase(&timer->tenant->timers, timer->id);
	atomic_dec(&timer->tenant->timers_armed);
}

/* Whether @timer is still in its tenant's set, under the xarray's lock. */
static bool cham_timer_listed(const struct cham_timer *timer)
{
	return xa_load(&timer->tenant->timers, timer->id) == timer;
}

/*
 * Runs the tenant's timer handler. Returns false when the tenant is over
 * its budget on a contended CPU: the call is deferred, not lost.
 */
static bool cham_timer_run(struct cham_timer *timer, u64 cookie)
{
	struct cham_tenant *tenant = timer->tenant;
	struct cham_timer_ctx ctx = {
		.tenant_id = tenant->id,
		.timer_id = timer->id,
		.now_ns = ktime_get_ns(),
		.cookie = cookie,
	};
	struct cham_proto_ops *ops;
	struct cham_work charge;
	struct cham_call call;
	bool ran = true;
	u64 cycles;

	rcu_read_lock();
	ops = rcu_dereference(tenant->ops);
	/* Ejected or going meanwhile, or a protocol without a timer handler. */
	if (ops && ops->timer && !READ_ONCE(tenant->timers_closed) &&
	    !cham_proto_extended(tenant, ops, CHAM_PROTO_HANDLER_TIMER)) {
		ran = cham_work_begin(tenant, &charge);
		if (ran) {
			cham_stack_prepare(tenant);
			cham_call_enter(&call, tenant);
			ops->timer(&ctx);
			cham_call_exit(&call);
		}
		cycles = cham_work_end(tenant, &charge, ran ? ops : NULL);
		if (ran) {
			this_cpu_inc(tenant->stats->timer_calls);
			this_cpu_add(tenant->stats->timer_cycles, cycles);
		}
	}
	rcu_read_unlock();
	return ran;
}

static enum hrtimer_restart cham_timer_fire(struct hrtimer *hrtimer)
{
	struct cham_timer *timer = container_of(hrtimer, struct cham_timer,
						hrtimer);
	struct xarray *timers = &timer->tenant->timers;
	enum hrtimer_restart restart = HRTIMER_NORESTART;
	bool done = false;
	bool ran;
	u64 cookie;

	xa_lock_bh(timers);
	if (!cham_timer_listed(timer)) {
		/* Being closed: the closer waits for us and frees it. */
		xa_unlock_bh(timers);
		return HRTIMER_NORESTART;
	}
	if (timer->cancelled) {
		cham_timer_erase(timer);
		xa_unlock_bh(timers);
		kfree_rcu(timer, rcu);
		return HRTIMER_NORESTART;
	}
	cookie = timer->cookie;
	xa_unlock_bh(timers);

	ran = cham_timer_run(timer, cookie);

	/*
	 * Decided under the lock, as every arming is: a timer armed again
	 * meanwhile (by its handler, or from another CPU) is queued and
	 * stays; one being closed is the closer's.
	 */
	xa_lock_bh(timers);
	if (cham_timer_listed(timer) && !hrtimer_is_queued(hrtimer)) {
		if (!ran && !timer->cancelled) {
			/* Over budget: again once the bucket has refilled. */
			hrtimer_forward_now(hrtimer,
					    ns_to_ktime(cham_work_retry_ns(timer->tenant)));
			restart = HRTIMER_RESTART;
		} else {
			cham_timer_erase(timer);
			done = true;
		}
	}
	xa_unlock_bh(timers);
	if (done)
		kfree_rcu(timer, rcu);
	return restart;
}

/* A protocol may (again) arm its tenant's timers. */
void cham_timers_open(struct cham_tenant *tenant)
{
	lockdep_assert_held(&cham_config_lock);
	WRITE_ONCE(tenant->timers_closed, false);
}

/**
 * cham_timers_close() - cancel a tenant's timers for good
 * @tenant: whose protocol is going (unregistered, or the tenant deleted)
 *
 * Under cham_config_lock, in process context. No handler can arm a timer
 * once this returns, and none of the tenant's timers is queued or running.
 */
void cham_timers_close(struct cham_tenant *tenant)
{
	struct cham_timer *timer;
	unsigned long id;

	lockdep_assert_held(&cham_config_lock);
	xa_lock_bh(&tenant->timers);
	WRITE_ONCE(tenant->timers_closed, true);
	xa_unlock_bh(&tenant->timers);
	/* Handlers that saw it open have finished arming. */
	synchronize_rcu();
	for (;;) {
		id = 0;
		xa_lock_bh(&tenant->timers);
		timer = xa_find(&tenant->timers, &id, ULONG_MAX, XA_PRESENT);
		if (timer)
			cham_timer_erase(timer);
		xa_unlock_bh(&tenant->timers);
		if (!timer)
			break;
		hrtimer_cancel(&timer->hrtimer);
		kfree_rcu(timer, rcu);
	}
}

__bpf_kfunc_start_defs();

/**
 * bpf_cham_timer_arm() - arm a timer of the handler's tenant
 * @timer_id: the tenant's name for it; arming an armed one moves it
 * @delay_ns: from now, at most CHAM_TIMER_DELAY_MAX_NS
 * @cookie: handed to the timer handler (&cham_timer_ctx.cookie)
 *
 * The timer fires once, on this CPU, and calls the tenant's timer handler.
 *
 * Return: 0; -EINVAL for a longer delay; -ENOSPC when the tenant has its
 * limit of armed timers (CHAM_A_TENANT_TIMERS_MAX); -ENOMEM; -ESHUTDOWN
 * when the protocol is being unregistered.
 */
__bpf_kfunc int bpf_cham_timer_arm(u32 timer_id, u64 delay_ns, u64 cookie)
{
	struct cham_tenant *tenant = cham_call_tenant();
	struct cham_timer *timer;
	int err = 0;

	if (WARN_ON_ONCE(!tenant))
		return -EINVAL;
	if (delay_ns > CHAM_TIMER_DELAY_MAX_NS)
		return -EINVAL;
	xa_lock_bh(&tenant->timers);
	if (READ_ONCE(tenant->timers_closed)) {
		err = -ESHUTDOWN;
		goto out;
	}
	timer = xa_load(&tenant->timers, timer_id);
	if (!timer) {
		if (atomic_read(&tenant->timers_armed) >=
		    READ_ONCE(tenant->timers_max)) {
			err = -ENOSPC;
			goto out;
		}
		timer = kzalloc(sizeof(*timer), GFP_ATOMIC);
		if (!timer) {
			err = -ENOMEM;
			goto out;
		}
		hrtimer_init(&timer->hrtimer, CLOCK_MONOTONIC,
			     HRTIMER_MODE_REL_PINNED_SOFT);
		timer->hrtimer.function = cham_timer_fire;
		timer->tenant = tenant;
		timer->id = timer_id;
		err = xa_err(__xa_store(&tenant->timers, timer_id, timer,
					GFP_ATOMIC));
		if (err) {
			kfree(timer);
			goto out;
		}
		atomic_inc(&tenant->timers_armed);
	}
	timer->cookie = cookie;
	timer->cancelled = false;
	hrtimer_start(&timer->hrtimer, ns_to_ktime(delay_ns),
		      HRTIMER_MODE_REL_PINNED_SOFT);
out:
	xa_unlock_bh(&tenant->timers);
	return err;
}

/**
 * bpf_cham_timer_cancel() - cancel a timer of the handler's tenant
 * @timer_id: the id it was armed with
 *
 * Return: 0, or -ENOENT when no timer of that id is armed.
 */
__bpf_kfunc int bpf_cham_timer_cancel(u32 timer_id)
{
	struct cham_tenant *tenant = cham_call_tenant();
	struct cham_timer *timer;
	bool free = false;
	int err = 0;

	if (WARN_ON_ONCE(!tenant))
		return -EINVAL;
	xa_lock_bh(&tenant->timers);
	timer = xa_load(&tenant->timers, timer_id);
	if (!timer || timer->cancelled) {
		err = -ENOENT;
	} else if (hrtimer_try_to_cancel(&timer->hrtimer) >= 0) {
		cham_timer_erase(timer);
		free = true;
	} else {
		/* Its callback runs (this may be it): it erases it. */
		timer->cancelled = true;
	}
	xa_unlock_bh(&tenant->timers);
	if (free)
		kfree_rcu(timer, rcu);
	return err;
}

__bpf_kfunc_end_defs();
