// SPDX-License-Identifier: GPL-2.0
/*
 * Tenant protocols: the cham_proto_ops struct_ops type. A registration binds
 * an instance to the tenant it names; the tenant's ops pointer is published
 * with RCU, and the BPF core frees an instance only after a grace period,
 * so the fast path never calls into a protocol that is gone.
 */
#include <linux/bpf.h>
#include <linux/bpf_verifier.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/cred.h>
#include <linux/module.h>
#include <linux/sched.h>

#include "chamelio.h"

/* Where the tenant kfuncs' filter finds the type its callers must serve. */
static const struct btf *cham_proto_btf;
BTF_ID_LIST_SINGLE(cham_proto_ops_btf_id, struct, cham_proto_ops)

/* Kfuncs that act for the running handler's tenant, without a packet. */
BTF_SET_START(cham_tenant_kfunc_ids)
BTF_ID(func, bpf_cham_agent_notify)
BTF_ID(func, bpf_cham_timer_arm)
BTF_ID(func, bpf_cham_timer_cancel)
BTF_SET_END(cham_tenant_kfunc_ids)

/* The one kfunc of the slowpath_msg handler's context. */
BTF_ID_LIST_SINGLE(cham_msg_kfunc_id, func, bpf_cham_msg_read)

/*
 * The kernel's open-coded iterators (all of 6.12's): a loop over one runs
 * as many times as the iterator yields, which the verifier does not bound.
 * Refusing the constructors refuses the loops.
 */
BTF_SET_START(cham_iterator_kfunc_ids)
BTF_ID(func, bpf_iter_num_new)
BTF_ID(func, bpf_iter_bits_new)
BTF_ID(func, bpf_iter_task_vma_new)
BTF_ID(func, bpf_iter_css_task_new)
BTF_ID(func, bpf_iter_css_new)
BTF_ID(func, bpf_iter_task_new)
BTF_SET_END(cham_iterator_kfunc_ids)

const char *const cham_proto_handler_names[__CHAM_PROTO_HANDLER_MAX] = {
	[CHAM_PROTO_HANDLER_RX] = "rx",
	[CHAM_PROTO_HANDLER_TX] = "tx",
	[CHAM_PROTO_HANDLER_TIMER] = "timer",
	[CHAM_PROTO_HANDLER_FLOW_OPEN] = "flow_open",
	[CHAM_PROTO_HANDLER_FLOW_CLOSE] = "flow_close",
	[CHAM_PROTO_HANDLER_SLOWPATH_MSG] = "slowpath_msg",
};

/*
 * The handlers are the first members, in enum cham_proto_handler order, so
 * a handler's index is its member index and a program's
 * expected_attach_type.
 */
#define CHAM_PROTO_HANDLERS_END	offsetof(struct cham_proto_ops, name)
static_assert(CHAM_PROTO_HANDLERS_END ==
	      __CHAM_PROTO_HANDLER_MAX * sizeof(void *));
static_assert(offsetof(struct cham_proto_ops, slowpath_msg) ==
	      CHAM_PROTO_HANDLER_SLOWPATH_MSG * sizeof(void *));

static int cham_proto_init_btf(struct btf *btf)
{
	cham_proto_btf = btf;
	return 0;
}

/*
 * Only the module's handlers may call its kfuncs, and each handler those
 * of its context: the packet kfuncs (struct cham_ctx) the rx and tx
 * handlers, bpf_cham_msg_read() the slowpath_msg handler, and the timer
 * and agent-event kfuncs, which act for the tenant of the handler running
 * on the CPU (cham_call_tenant()), the handlers the module calls: rx, tx,
 * timer and slowpath_msg. Every other program, of any struct_ops type, is
 * kept away from them all.
 */
int cham_proto_kfunc_filter(const struct bpf_prog *prog, u32 kfunc_id)
{
	u32 handler = (u32)prog->expected_attach_type;
	bool tenant_kfunc = btf_id_set_contains(&cham_tenant_kfunc_ids,
						kfunc_id);
	bool msg_kfunc = kfunc_id == cham_msg_kfunc_id[0];

	if (prog->type != BPF_PROG_TYPE_STRUCT_OPS ||
	    prog->aux->attach_btf != cham_proto_btf ||
	    prog->aux->attach_btf_id != cham_proto_ops_btf_id[0])
		return -EACCES;
	switch (handler) {
	case CHAM_PROTO_HANDLER_RX:
	case CHAM_PROTO_HANDLER_TX:
		return msg_kfunc ? -EACCES : 0;
	case CHAM_PROTO_HANDLER_TIMER:
		return tenant_kfunc ? 0 : -EACCES;
	case CHAM_PROTO_HANDLER_SLOWPATH_MSG:
		return tenant_kfunc || msg_kfunc ? 0 : -EACCES;
	default:
		return -EACCES;
	}
}

static bool cham_proto_is_valid_access(int off, int size,
				       enum bpf_access_type type,
				       const struct bpf_prog *prog,
				       struct bpf_insn_access_aux *info)
{
	return bpf_tracing_btf_ctx_access(off, size, type, prog, info);
}

/*
 * Least privilege: what a protocol needs, and nothing that reaches beyond
 * its own packet and state. Maps (state, including across CPUs) with spin
 * locks; the clock (timeouts, RTT); random numbers (initial sequence
 * numbers, sampling); the CPU id (per-CPU state); bpf_strncmp() (matching
 * payload against constants). Refused at load with the verifier's "program
 * of this type cannot use helper": kernel memory and task readers,
 * bpf_trace_printk() (a channel out of the handler shared by all), timers
 * (work outside the packet path, uncharged), tail calls, ring buffers,
 * user memory, and the helpers that call back in a loop (bpf_loop() and
 * the like: cham_proto_unbounded() says why). This closes helpers only: the BPF core registers generic
 * kfuncs (bpf_rdonly_cast() among them) for every program type, in
 * vmlinux's BTF, where a module's filter cannot reach; with the
 * CAP_PERFMON that loading struct_ops needs they read kernel memory. The
 * provider-run loader refuses objects that use them (design.md, Trust
 * model).
 */
static const struct bpf_func_proto *
cham_proto_get_func_proto(enum bpf_func_id func_id, const struct bpf_prog *prog)
{
	switch (func_id) {
	case BPF_FUNC_map_lookup_elem:
	case BPF_FUNC_map_update_elem:
	case BPF_FUNC_map_delete_elem:
	case BPF_FUNC_map_push_elem:
	case BPF_FUNC_map_pop_elem:
	case BPF_FUNC_map_peek_elem:
	case BPF_FUNC_map_lookup_percpu_elem:
	case BPF_FUNC_spin_lock:
	case BPF_FUNC_spin_unlock:
	case BPF_FUNC_ktime_get_ns:
	case BPF_FUNC_ktime_get_boot_ns:
	case BPF_FUNC_jiffies64:
	case BPF_FUNC_get_prandom_u32:
	case BPF_FUNC_get_smp_processor_id:
	case BPF_FUNC_strncmp:
		/*
		 * Never a helper that reads the run context or the argument
		 * count the trampoline sets up (get_attach_cookie,
		 * get_func_ip, get_func_arg*): rx and tx are called without
		 * it (dispatch.c, cham_call_handler()).
		 */
		return bpf_base_func_proto(func_id, prog);
	default:
		return NULL;
	}
}

static const struct bpf_verifier_ops cham_proto_verifier_ops = {
	.get_func_proto = cham_proto_get_func_proto,
	.is_valid_access = cham_proto_is_valid_access,
};

/*
 * A handler runs to completion in the receive softirq, and every other
 * tenant's packets on the CPU wait for it: how long one call can run must
 * be known when the protocol is loaded (Documentation/isolation.md, "The
 * bounded fast-path contract"). The verifier walks every path of a program
 * without loops it cannot unroll, so a call executes at most the
 * instructions it processed (the verified_insns the module reports and
 * insn-limit caps) plus the helpers and kfuncs it calls, each of bounded
 * cost. These constructs break that bound:
 *  - helpers that call a callback in a loop (bpf_loop() and kin, up to 2^23
 *    iterations for a callback verified once);
 *  - open-coded iterators and may_goto, whose loops the verifier checks
 *    with widened state rather than walks;
 *  - global functions, verified once and callable from a loop any number
 *    of times.
 * Returns what was found, or NULL, and its instruction in @insn_off.
 */
static const char *cham_proto_unbounded(const struct bpf_prog *prog,
					u32 *insn_off)
{
	const struct bpf_func_info_aux *func_aux = prog->aux->func_info_aux;
	const struct bpf_insn *insn;
	u32 i;

	for (i = 0; i < prog->len; i++) {
		insn = &prog->insnsi[i];
		*insn_off = i;
		if (insn->code == (BPF_JMP | BPF_JCOND) &&
		    insn->src_reg == BPF_MAY_GOTO)
			return "may_goto";
		if (insn->code != (BPF_JMP | BPF_CALL))
			continue;
		if (insn->src_reg == BPF_PSEUDO_KFUNC_CALL && !insn->off &&
		    btf_id_set_contains(&cham_iterator_kfunc_ids, insn->imm))
			return "an open-coded iterator";
		if (insn->src_reg)
			continue;
		switch (insn->imm) {
		case BPF_FUNC_loop:
			return "bpf_loop()";
		case BPF_FUNC_for_each_map_elem:
			return "bpf_for_each_map_elem()";
		case BPF_FUNC_user_ringbuf_drain:
			return "bpf_user_ringbuf_drain()";
		case BPF_FUNC_find_vma:
			return "bpf_find_vma()";
		}
	}
	/* Function 0 is the handler itself. */
	for (i = 1; func_aux && i < prog->aux->func_info_cnt; i++) {
		if (func_aux[i].linkage == BTF_FUNC_GLOBAL) {
			*insn_off = prog->aux->func_info[i].insn_off;
			return "a global function";
		}
	}
	return NULL;
}

/*
 * The kfuncs of the kernel's own BTF (a call with offset 0: libbpf puts
 * module BTF at 1 and up). The BPF core registers its generic sets for
 * struct_ops and for every program type, where no filter of the module's
 * reaches: bpf_rdonly_cast() reads kernel memory, bpf_wq and bpf_rbtree
 * take callbacks no intervention point sees, iterators loop. A handler
 * needs none of them: Chamelio's own kfuncs come from the module's BTF.
 * Returns the first such call's instruction, or -1.
 */
static s64 cham_proto_kernel_kfunc(const struct bpf_prog *prog, s32 *btf_id)
{
	const struct bpf_insn *insn;
	u32 i;

	for (i = 0; i < prog->len; i++) {
		insn = &prog->insnsi[i];
		if (insn->code == (BPF_JMP | BPF_CALL) &&
		    insn->src_reg == BPF_PSEUDO_KFUNC_CALL && !insn->off) {
			*btf_id = insn->imm;
			return i;
		}
	}
	return -1;
}

static int cham_proto_check_member(const struct btf_type *t,
				   const struct btf_member *member,
				   const struct bpf_prog *prog)
{
	u32 moff = __btf_member_bit_offset(t, member) / 8;
	const char *unbounded;
	u32 insn_off;
	s32 btf_id;
	s64 at;

	/* Handlers run in softirq context on the packet path. */
	if (prog->sleepable)
		return -EINVAL;
	/* The flow operations are specified but not called yet: say so. */
	if (moff == offsetof(struct cham_proto_ops, flow_open) ||
	    moff == offsetof(struct cham_proto_ops, flow_close))
		return -EOPNOTSUPP;
	unbounded = cham_proto_unbounded(prog, &insn_off);
	if (unbounded) {
		pr_warn_ratelimited("chamelio: program '%s' refused: %s at instruction %u leaves the length of a call unbounded; a handler's loops must be ones the verifier unrolls (Documentation/isolation.md)\n",
				    prog->aux->name, unbounded, insn_off);
		return -EINVAL;
	}
	at = cham_proto_kernel_kfunc(prog, &btf_id);
	if (at >= 0) {
		pr_warn_ratelimited("chamelio: program '%s' refused: it calls a kfunc of the kernel's (vmlinux BTF id %d) at instruction %lld; handlers may call Chamelio's kfuncs only\n",
				    prog->aux->name, btf_id, at);
		return -EACCES;
	}
	return 0;
}

/* Names follow the tenant-name rules; they reach the kernel log and bpffs. */
static bool cham_name_valid(const char *name, size_t size, bool required)
{
	size_t len = strnlen(name, size);

	if (len == size)
		return false;
	return len ? cham_tenant_name_valid(name) : !required;
}

/*
 * Binding a protocol to a tenant lets it receive, rewrite and send the
 * tenant's traffic: only the tenant's owner may, or the provider
 * (CAP_NET_ADMIN in the initial user namespace). Runs in the context of
 * the process that writes the map, creates the link or updates it.
 */
static int cham_proto_may_bind(const struct cham_tenant *tenant)
{
	kuid_t euid = current_euid();

	if (cham_tenant_owned(tenant, euid) || capable(CAP_NET_ADMIN))
		return 0;
	pr_warn_ratelimited("chamelio: uid %u (pid %d) may not bind a protocol to tenant %s\n",
			    from_kuid(&init_user_ns, euid),
			    task_tgid_nr(current), tenant->name);
	return -EPERM;
}

/* The tenant the instance names, or NULL, said in the log. */
static struct cham_tenant *
cham_proto_named_tenant(const struct cham_proto_ops *ops)
{
	struct cham_tenant *tenant;

	lockdep_assert_held(&cham_config_lock);
	tenant = cham_tenant_find(0, ops->tenant);
	if (!tenant)
		pr_warn_ratelimited("chamelio: protocol '%s' names no tenant '%s'\n",
				    ops->name, ops->tenant);
	return tenant;
}

/*
 * The tenant an instance was prepared for, if it still exists: a tenant
 * deleted and created again under the same name is another tenant, with
 * another owner perhaps, and a map prepared for the first is refused.
 */
static struct cham_tenant *cham_proto_tenant(const struct cham_proto_ops *ops,
					     int *err)
{
	struct cham_tenant *tenant;

	tenant = cham_proto_named_tenant(ops);
	if (!tenant) {
		*err = -ENOENT;
		return NULL;
	}
	if (tenant->cookie != ops->tenant_cookie) {
		pr_warn_ratelimited("chamelio: protocol '%s' was prepared for an earlier tenant '%s'\n",
				    ops->name, ops->tenant);
		*err = -ESTALE;
		return NULL;
	}
	*err = cham_proto_may_bind(tenant);
	return *err ? NULL : tenant;
}

/*
 * Map update: the instance names its tenant, which must exist and be the
 * caller's. Remembers which tenant it was, for the registration.
 */
static int cham_proto_init_tenant(struct cham_proto_ops *ops,
				  const struct cham_proto_ops *uops)
{
	struct cham_tenant *tenant;
	int err;

	if (!cham_name_valid(uops->tenant, sizeof(uops->tenant), true)) {
		pr_warn_ratelimited("chamelio: a protocol must name its tenant (letters, digits, '_', '-')\n");
		return -EINVAL;
	}
	strscpy(ops->tenant, uops->tenant, sizeof(ops->tenant));
	mutex_lock(&cham_config_lock);
	tenant = cham_proto_named_tenant(ops);
	if (tenant) {
		ops->tenant_cookie = tenant->cookie;
		err = cham_proto_may_bind(tenant);
	} else {
		err = -ENOENT;
	}
	mutex_unlock(&cham_config_lock);
	return err ?: 1;
}

/*
 * Notes which program serves handler @index and how many instructions the
 * verifier processed for it, for the admin and the instruction limit. The
 * BPF core resolves the same descriptor right after this and fails the
 * registration itself if it is not a program of this type;
 * cham_proto_check_handlers() then makes sure it found the same program.
 */
static void cham_proto_note_handler(struct cham_proto_ops *ops, u32 index,
				    const void *udata, u32 moff)
{
	int fd = (int)*(const unsigned long *)(udata + moff);
	struct bpf_prog *prog;

	if (!fd)
		return;
	prog = bpf_prog_get_type_dev(fd, BPF_PROG_TYPE_STRUCT_OPS, false);
	if (IS_ERR(prog))
		return;
	ops->prog_id[index] = prog->aux->id;
	ops->verified_insns[index] = prog->aux->verified_insns;
	/* Valid once cham_proto_check_handlers() found the same ids attached. */
	ops->prog[index] = prog;
	bpf_prog_put(prog);
}

/*
 * The BPF core initialises members in order and, once it has attached a
 * handler's program, replaces the descriptor in @udata with the program's
 * id. By the first member after the handlers, every id must be the one
 * noted above, or the descriptor was swapped in between. That also makes
 * the noted program pointers the attached programs: program ids are
 * allocated cyclically over 2^31, so a program freed after the note
 * cannot be followed by another with its id within one registration.
 */
/* The module's own members: the tenant leaves them zero. */
static int cham_proto_module_member(const void *udata, u32 moff, size_t size)
{
	return memchr_inv(udata + moff, 0, size) ? -EINVAL : 1;
}

static int cham_proto_check_handlers(const struct cham_proto_ops *ops,
				     const void *udata)
{
	int i;

	for (i = 0; i < __CHAM_PROTO_HANDLER_MAX; i++)
		if (*(const unsigned long *)(udata + i * sizeof(void *)) !=
		    ops->prog_id[i])
			return -EINVAL;
	return 0;
}

static int cham_proto_init_member(const struct btf_type *t,
				  const struct btf_member *member,
				  void *kdata, const void *udata)
{
	const struct cham_proto_ops *uops = udata;
	struct cham_proto_ops *ops = kdata;
	u32 moff = __btf_member_bit_offset(t, member) / 8;

	if (moff < CHAM_PROTO_HANDLERS_END) {
		cham_proto_note_handler(ops, moff / sizeof(void *), udata, moff);
		return 0;	/* the BPF core attaches the program */
	}
	switch (moff) {
	case offsetof(struct cham_proto_ops, name):
		if (cham_proto_check_handlers(ops, udata))
			return -EINVAL;
		if (!cham_name_valid(uops->name, sizeof(uops->name), false))
			return -EINVAL;
		strscpy(ops->name, uops->name, sizeof(ops->name));
		return 1;
	case offsetof(struct cham_proto_ops, tenant):
		return cham_proto_init_tenant(ops, uops);
	case offsetof(struct cham_proto_ops, flags):
		if (uops->flags & ~CHAM_PROTO_F_ALL)
			return -EINVAL;
		ops->flags = uops->flags;
		return 1;
	case offsetof(struct cham_proto_ops, prog_id):
		return cham_proto_module_member(udata, moff, sizeof(ops->prog_id));
	case offsetof(struct cham_proto_ops, verified_insns):
		return cham_proto_module_member(udata, moff,
						sizeof(ops->verified_insns));
	case offsetof(struct cham_proto_ops, generation):
		return cham_proto_module_member(udata, moff,
						sizeof(ops->generation));
	case offsetof(struct cham_proto_ops, violations):
		return cham_proto_module_member(udata, moff,
						sizeof(ops->violations));
	case offsetof(struct cham_proto_ops, tenant_cookie):
		return cham_proto_module_member(udata, moff,
						sizeof(ops->tenant_cookie));
	case offsetof(struct cham_proto_ops, prog):
		return cham_proto_module_member(udata, moff, sizeof(ops->prog));
	}
	return 0;
}

/*
 * The lock keeps the instance alive (its unreg takes the lock), but the
 * pointer can still change under it: the fast path ejects protocols.
 */
static struct cham_proto_ops *cham_tenant_ops(struct cham_tenant *tenant)
{
	return rcu_dereference_check(tenant->ops,
				     lockdep_is_held(&cham_config_lock));
}

/*
 * The link is kept to refuse a second registration and to check updates
 * against. The generation counts registrations and replacements, so the
 * admin can see them; each protocol starts with a clean record against
 * the ceiling.
 */
/*
 * A program of type EXT (freplace) attached over a handler, or over any
 * function of its program, runs in its place, verified without the
 * module's allow-list and cham_proto_check_member(): its calls need not be
 * bounded, nor its kfuncs Chamelio's. So a protocol's programs are sealed
 * while it is bound: registration is refused if one is extended already,
 * and no extension can attach while the seal holds. The seal is the count
 * the BPF core itself checks, under the same mutex, before it lets an
 * extension attach (bpf_freplace_check_tgt_prog(): a program in a tail
 * call array may not be extended); the module holds one count per program
 * from registration until the instance is no longer bound.
 */
static void cham_proto_unseal(struct cham_proto_ops *ops, int handlers)
{
	struct bpf_prog *prog;
	int i;

	for (i = 0; i < handlers; i++) {
		prog = ops->prog[i];
		if (!prog)
			continue;
		mutex_lock(&prog->aux->ext_mutex);
		prog->aux->prog_array_member_cnt--;
		mutex_unlock(&prog->aux->ext_mutex);
	}
}

static int cham_proto_seal(struct cham_proto_ops *ops)
{
	struct bpf_prog *prog;
	bool extended;
	int i;

	for (i = 0; i < __CHAM_PROTO_HANDLER_MAX; i++) {
		prog = ops->prog[i];
		if (!prog)
			continue;
		mutex_lock(&prog->aux->ext_mutex);
		extended = prog->aux->is_extended;
		if (!extended)
			prog->aux->prog_array_member_cnt++;
		mutex_unlock(&prog->aux->ext_mutex);
		if (extended) {
			cham_proto_unseal(ops, i);
			pr_warn_ratelimited("chamelio: protocol '%s' refused: its %s handler is extended by an freplace program\n",
					    ops->name,
					    cham_proto_handler_names[i]);
			return -EBUSY;
		}
	}
	return 0;
}

/*
 * A link has no id until its creation settles, after reg() returned
 * (bpf_struct_ops_link_create()), and the bind notification names the
 * link: it is sent from a work item once the id is there. Any later
 * change of the tenant's protocol sends it first, so that listeners see
 * the bind before what follows; an ejection, from softirq, cannot.
 *
 * Under cham_config_lock, which keeps the link (its unreg takes the
 * lock). Returns false while it still waits; @force sends it anyway.
 */
static bool cham_proto_bind_ntf_flush(struct cham_tenant *tenant, bool force)
{
	const struct bpf_link *link = tenant->proto_link;

	lockdep_assert_held(&cham_config_lock);
	if (!tenant->proto_bind_pending)
		return true;
	if (!force && link && !READ_ONCE(link->id))
		return false;
	tenant->proto_bind_pending = false;
	if (tenant->proto_bound)
		cham_netlink_notify_proto(tenant, CHAM_CMD_PROTO_BIND_NTF,
					  tenant->proto_bound, NULL,
					  GFP_KERNEL);
	return true;
}

static void cham_proto_bind_ntf_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(cham_proto_bind_ntf_work, cham_proto_bind_ntf_fn);

static void cham_proto_bind_ntf_fn(struct work_struct *work)
{
	struct cham_tenant *tenant;
	unsigned long id = 0;
	bool waiting = false;

	mutex_lock(&cham_config_lock);
	while ((tenant = cham_tenant_next(&id)))
		waiting |= !cham_proto_bind_ntf_flush(tenant, false);
	mutex_unlock(&cham_config_lock);
	if (waiting)
		schedule_delayed_work(&cham_proto_bind_ntf_work, 1);
}

static void cham_proto_publish(struct cham_tenant *tenant,
			       struct cham_proto_ops *ops, struct bpf_link *link)
{
	struct cham_proto_ops *old = tenant->proto_bound;

	if (ops) {
		atomic_set(&ops->violations, 0);
		ops->generation = ++tenant->proto_generation;
		cham_timers_open(tenant);
	}
	rcu_assign_pointer(tenant->ops, ops);
	WRITE_ONCE(tenant->proto_link, link);
	/*
	 * Both read without the lock by tenant show (netlink.c); the
	 * release orders the generation and violations before the instance.
	 */
	smp_store_release(&tenant->proto_bound, ops);
	if (old && old != ops)
		cham_proto_unseal(old, __CHAM_PROTO_HANDLER_MAX);
	/* A replacement keeps them: its timer handler takes them over. */
	if (!ops)
		cham_timers_close(tenant);
	cham_config_changed();
}

/* The admin's limit on the size of each handler, checked on registration. */
static int cham_proto_check_size(const struct cham_tenant *tenant,
				 const struct cham_proto_ops *ops)
{
	const struct cham_limits *limits;
	int i;

	limits = rcu_dereference_protected(tenant->limits,
					   lockdep_is_held(&cham_config_lock));
	if (!limits->insn_limit)
		return 0;
	for (i = 0; i < __CHAM_PROTO_HANDLER_MAX; i++) {
		if (ops->verified_insns[i] > limits->insn_limit) {
			pr_warn_ratelimited("chamelio: tenant %s: handler %s of '%s' has %u verified insns, the limit is %u\n",
					    tenant->name,
					    cham_proto_handler_names[i],
					    ops->name, ops->verified_insns[i],
					    limits->insn_limit);
			return -E2BIG;
		}
	}
	return 0;
}

/*
 * The name of the protocol a tenant's link binds, for messages: none when
 * it was ejected (the link stays, the instance is off the fast path).
 */
static const char *cham_proto_bound_name(struct cham_tenant *tenant)
{
	struct cham_proto_ops *cur = cham_tenant_ops(tenant);

	return cur ? cur->name : "(ejected)";
}

/*
 * One link per tenant. A registration for a tenant that already has a
 * link bound, ejected or not, is refused with EBUSY: replacing is
 * bpf_link_update() on that link (cham_proto_update()), the kernel's own
 * convention for XDP and struct_ops links. Were a second link to displace
 * the first, a registration that cannot last (bpftool failing to pin its
 * link, a loader killed before pinning) would take the tenant's protocol
 * with it when its link dies, leaving the tenant offline; refused, it
 * leaves the bound protocol serving, and the tenant's link stays the one
 * object its owner pinned.
 *
 * Everything below runs under cham_config_lock, as do unreg, update and
 * tenant deletion: a link's release (unreg) clears proto_link before the
 * next registration can look at it, so "busy" always means a live link.
 * Link release is deferred work when the last reference is a pin removed
 * from bpffs: a registration right after "rm PIN" can still see the old
 * link; chamctl proto unload detaches the link first, which unregisters
 * synchronously.
 */
static int cham_proto_reg(void *kdata, struct bpf_link *link)
{
	struct cham_proto_ops *ops = kdata;
	struct cham_tenant *tenant;
	int err = 0;

	/*
	 * Without a link nothing ties the registration to the process that
	 * made it and nothing can update it: design.md asks for links.
	 */
	if (!link) {
		pr_warn_ratelimited("chamelio: protocol '%s': register it with a link (BPF_F_LINK)\n",
				    ops->name);
		return -EOPNOTSUPP;
	}
	mutex_lock(&cham_config_lock);
	tenant = cham_proto_tenant(ops, &err);
	if (!tenant)
		goto out;
	if (tenant->proto_link) {
		pr_info_ratelimited("chamelio: tenant %s: protocol '%s' refused: '%s' is bound; replace it with a link update\n",
				    tenant->name, ops->name,
				    cham_proto_bound_name(tenant));
		err = -EBUSY;
		goto out;
	}
	err = cham_proto_check_size(tenant, ops) ?: cham_proto_seal(ops);
	if (!err) {
		cham_proto_publish(tenant, ops, link);
		tenant->proto_bind_pending = true;
		schedule_delayed_work(&cham_proto_bind_ntf_work, 0);
	}
out:
	mutex_unlock(&cham_config_lock);
	return err;
}

/*
 * The link goes (its last reference dropped, or BPF_LINK_DETACH): the
 * tenant returns to its default verdict if this link is the one bound. A
 * link is bound to at most one tenant, the one its registration named; the
 * cookie keeps a tenant deleted and created again under the same name,
 * which starts unbound, from being unbound by the first tenant's link.
 * With EBUSY, a bound link's instance is the published one or, once
 * ejected, none: nothing else can be in tenant->ops.
 */
static void cham_proto_unreg(void *kdata, struct bpf_link *link)
{
	struct cham_proto_ops *ops = kdata;
	struct cham_tenant *tenant;

	mutex_lock(&cham_config_lock);
	tenant = cham_tenant_find(0, ops->tenant);
	if (tenant && tenant->cookie == ops->tenant_cookie &&
	    tenant->proto_link == link) {
		/* Sent first: it names the link, which is then forgotten. */
		cham_proto_bind_ntf_flush(tenant, true);
		cham_netlink_notify_proto(tenant, CHAM_CMD_PROTO_UNBIND_NTF,
					  tenant->proto_bound, NULL,
					  GFP_KERNEL);
		cham_proto_publish(tenant, NULL, NULL);
	}
	mutex_unlock(&cham_config_lock);
	/*
	 * A reader under RCU (tenant show, an ejection) may still read the
	 * link's id, even if its tenant was deleted meanwhile: the BPF core
	 * frees the link when this returns.
	 */
	synchronize_rcu();
}

/*
 * bpf_link_update() of a struct_ops link: the replacement path. The new
 * instance must name the same tenant as the old, be prepared for the
 * tenant as it is now (cham_proto_tenant(): the cookie, and the caller
 * owns it), fit its insn-limit, and @link must be the tenant's bound link:
 * a link left over from a tenant of the same name that was deleted, or
 * one detached meanwhile, cannot take over (-ENOENT; user space then
 * registers anew). The link cannot go between the check and the
 * publication: the updater holds a reference to it, BPF_LINK_DETACH is
 * serialized with updates by the BPF core's update mutex, and tenant
 * deletion takes cham_config_lock as we do. The swap is one pointer
 * store: every packet sees the old or the new protocol, none goes
 * unserved.
 *
 * An ejected link (tenant->ops NULL, proto_link still set) may be updated:
 * it is how a tenant puts a fixed protocol back. An ejection racing with
 * the update is harmless: it only ever clears the instance it ejects
 * (cmpxchg in cham_proto_eject()), so it either takes the old instance
 * off just before the new one is published, or finds the new one and
 * does nothing.
 */
static int cham_proto_update(void *kdata, void *old_kdata,
			     struct bpf_link *link)
{
	struct cham_proto_ops *ops = kdata, *old = old_kdata, *cur;
	struct cham_tenant *tenant;
	int err = 0;

	if (strcmp(ops->tenant, old->tenant))
		return -EINVAL;
	mutex_lock(&cham_config_lock);
	tenant = cham_proto_tenant(ops, &err);
	if (!tenant)
		goto out;
	cur = cham_tenant_ops(tenant);
	if (tenant->proto_link != link || (cur && cur != old) ||
	    tenant->cookie != old->tenant_cookie)
		err = -ENOENT;
	else
		err = cham_proto_check_size(tenant, ops) ?:
		      cham_proto_seal(ops);
	if (err)
		goto out;
	pr_info_ratelimited("chamelio: tenant %s: protocol '%s' replaces '%s'\n",
			    tenant->name, ops->name, old->name);
	cham_proto_bind_ntf_flush(tenant, true);
	cham_proto_publish(tenant, ops, link);
	cham_netlink_notify_proto(tenant, CHAM_CMD_PROTO_REPLACE_NTF, ops, old,
				  GFP_KERNEL);
out:
	mutex_unlock(&cham_config_lock);
	return err;
}

static int cham_proto_validate(void *kdata)
{
	struct cham_proto_ops *ops = kdata;

	return ops->rx ? 0 : -EINVAL;
}

/*
 * The bounded fast-path contract: a protocol whose calls keep exceeding the
 * ceiling is unbound from the fast path, from softirq context. Its link
 * stays bound, inert: the tenant's traffic gets the default verdict until
 * the link is updated with a fixed protocol, or removed and a protocol
 * registered again (a registration meanwhile is refused, EBUSY), or the
 * admin reinstates it (cham_proto_reinstate()). Only the protocol that
 * violated is ejected, once, even if an update races with it.
 */
static bool cham_proto_take_off(struct cham_tenant *tenant,
				struct cham_proto_ops *ops, u32 violations)
{
	struct cham_proto_ops __rcu *expected = RCU_INITIALIZER(ops);

	if (cmpxchg(&tenant->ops, expected, NULL) != expected)
		return false;
	atomic_inc(&tenant->ejections);
	cham_config_changed();
	cham_netlink_notify_proto(tenant, CHAM_CMD_PROTO_EJECTED, ops, NULL,
				  GFP_ATOMIC);
	cham_agent_event(tenant, CHAM_AGENT_EVENT_EJECTED, violations, NULL, 0);
	return true;
}

void cham_proto_eject(struct cham_tenant *tenant, struct cham_proto_ops *ops,
		      u32 violations)
{
	if (cham_proto_take_off(tenant, ops, violations))
		pr_warn_ratelimited("chamelio: tenant %s: protocol '%s' ejected after %u calls above the ceiling\n",
				    tenant->name, ops->name, violations);
}

/*
 * The admin clears an ejection: the instance the tenant's link still binds
 * goes back on the fast path, with a new generation and a clean record, as
 * if registered again. Until then an ejection stays in force: nothing else
 * but the tenant's own update or a new registration ends it.
 */
int cham_proto_reinstate(struct cham_tenant *tenant,
			 struct netlink_ext_ack *extack)
{
	struct cham_proto_ops *ops = tenant->proto_bound;
	int err;

	lockdep_assert_held(&cham_config_lock);
	if (!ops || rcu_access_pointer(tenant->ops)) {
		NL_SET_ERR_MSG_FMT(extack, "tenant %s: no protocol is ejected",
				   tenant->name);
		return -ENOENT;
	}
	/* The admin may have lowered insn-limit since it was registered. */
	err = cham_proto_check_size(tenant, ops);
	if (err) {
		NL_SET_ERR_MSG_FMT(extack, "tenant %s: protocol '%s' exceeds the tenant's insn-limit",
				   tenant->name, ops->name);
		return err;
	}
	pr_info("chamelio: tenant %s: protocol '%s' reinstated by the admin\n",
		tenant->name, ops->name);
	cham_proto_bind_ntf_flush(tenant, true);
	cham_proto_publish(tenant, ops, tenant->proto_link);
	cham_netlink_notify_proto(tenant, CHAM_CMD_PROTO_REINSTATE_NTF, ops,
				  NULL, GFP_KERNEL);
	return 0;
}

/*
 * The seal (cham_proto_seal()) keeps extensions off a bound protocol's
 * programs; this is its backstop, one load from the program the module
 * calls anyway: should one be extended all the same, the protocol is
 * taken off the fast path, as an ejection does, instead of called.
 */
bool cham_proto_extended(struct cham_tenant *tenant,
			 struct cham_proto_ops *ops, u32 handler)
{
	const struct bpf_prog *prog = ops->prog[handler];

	if (likely(!prog || !READ_ONCE(prog->aux->is_extended)))
		return false;
	if (cham_proto_take_off(tenant, ops, 0))
		pr_warn_ratelimited("chamelio: tenant %s: protocol '%s' ejected: its %s handler was replaced by an freplace program\n",
				    tenant->name, ops->name,
				    cham_proto_handler_names[handler]);
	return true;
}

void cham_proto_unbind_tenant(struct cham_tenant *tenant)
{
	lockdep_assert_held(&cham_config_lock);
	if (tenant->proto_bound) {
		cham_proto_bind_ntf_flush(tenant, true);
		cham_netlink_notify_proto(tenant, CHAM_CMD_PROTO_UNBIND_NTF,
					  tenant->proto_bound, NULL,
					  GFP_KERNEL);
	}
	RCU_INIT_POINTER(tenant->ops, NULL);
	/* The tenant is freed after a grace period: its readers are done. */
	WRITE_ONCE(tenant->proto_link, NULL);
	if (tenant->proto_bound)
		cham_proto_unseal(tenant->proto_bound,
				  __CHAM_PROTO_HANDLER_MAX);
	/* Pairs with tenant show's acquire, as in cham_proto_publish(). */
	smp_store_release(&tenant->proto_bound, NULL);
	cham_timers_close(tenant);
}

/* The BPF core needs a callable stub per member for CFI and arg info. */
static int cham_proto_rx_stub(struct cham_ctx *ctx)
{
	return CHAM_VERDICT_PASS;
}

static int cham_proto_tx_stub(struct cham_ctx *ctx)
{
	return CHAM_VERDICT_PASS;
}

static void cham_proto_timer_stub(struct cham_timer_ctx *ctx)
{
}

static int cham_proto_flow_open_stub(struct cham_flow_ctx *ctx)
{
	return 0;
}

static void cham_proto_flow_close_stub(struct cham_flow_ctx *ctx)
{
}

static int cham_proto_slowpath_msg_stub(struct cham_msg_ctx *ctx)
{
	return 0;
}

static struct cham_proto_ops cham_proto_cfi_stubs = {
	.rx = cham_proto_rx_stub,
	.tx = cham_proto_tx_stub,
	.timer = cham_proto_timer_stub,
	.flow_open = cham_proto_flow_open_stub,
	.flow_close = cham_proto_flow_close_stub,
	.slowpath_msg = cham_proto_slowpath_msg_stub,
};

static struct bpf_struct_ops cham_proto_bpf_ops = {
	.verifier_ops = &cham_proto_verifier_ops,
	.init = cham_proto_init_btf,
	.check_member = cham_proto_check_member,
	.init_member = cham_proto_init_member,
	.reg = cham_proto_reg,
	.unreg = cham_proto_unreg,
	.update = cham_proto_update,
	.validate = cham_proto_validate,
	.cfi_stubs = &cham_proto_cfi_stubs,
	.owner = THIS_MODULE,
	.name = "cham_proto_ops",
};

void cham_proto_exit(void)
{
	cancel_delayed_work_sync(&cham_proto_bind_ntf_work);
}

int cham_proto_init(void)
{
	return register_bpf_struct_ops(&cham_proto_bpf_ops, cham_proto_ops);
}
