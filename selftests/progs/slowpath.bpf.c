// SPDX-License-Identifier: GPL-2.0
/*
 * A protocol that exercises the slow path from the handler's side, driven
 * by the first word of a UDP payload (tenant "alpha"):
 *   "punt"     punted with code 7
 *   "timer"    arms timer 1 in 1 ms with cookie 0x77 (dropped)
 *   "timers"   arms timers 100..199 in 3 s; the results go to the
 *              "armed" map (how many succeeded, the first error)
 *   "cancel"   cancels timers 100..199 (dropped)
 *   "notify"   an agent event with code 42 and data "hello" (dropped)
 *   anything else is echoed (TX), without the slow path
 * The timer handler counts its calls in "fired", remembers the last
 * cookie, and tells the agent (event code: the cookie). slowpath_msg:
 *   type 1: returns the message's length, and stores its first 16 bytes
 *           in "last_msg"
 *   type 2: arms timer 2 in 1 ms with the cookie in the first 8 bytes
 *   type 3: returns bpf_cham_msg_read() of 8 bytes past the message's end
 *   any other type: returns -EOPNOTSUPP
 */
#include "chamelio.bpf.h"

#define EOPNOTSUPP	95

struct counter {
	__u64 fired;
	__u64 last_cookie;
	__s64 armed_ok;
	__s64 armed_err;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct counter);
} state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[16]);
} last_msg SEC(".maps");

static struct counter *counter(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&state, &zero);
}

/* Arms timers 100..199, 3 s away, counting what succeeded. */
static void arm_hundred(struct counter *c)
{
	__s64 ok = 0, first_err = 0;
	int i, err;

	for (i = 0; i < 100; i++) {
		err = bpf_cham_timer_arm(100 + i, 3000000000ULL, i);
		if (!err)
			ok++;
		else if (!first_err)
			first_err = err;
	}
	c->armed_ok = ok;
	c->armed_err = first_err;
}

static int word_is(struct cham_ctx *ctx, const char *word, __u32 len)
{
	char buf[8] = {};

	if (len > sizeof(buf) || ctx->payload_off + len > ctx->len)
		return 0;
	if (bpf_cham_load_bytes(ctx, ctx->payload_off, buf, len & 7 ?: 8))
		return 0;
	return !bpf_strncmp(buf, len, word);
}

SEC("struct_ops/slowpath_rx")
int BPF_PROG(slowpath_rx, struct cham_ctx *pkt)
{
	__u32 plen = pkt->l4_len - (pkt->payload_off - pkt->l4_off);
	struct counter *c = counter();
	char hello[5] = "hello";

	if (pkt->l4_proto != IPPROTO_UDP || !c)
		return CHAM_VERDICT_PASS;
	if (plen >= 6 && word_is(pkt, "timers", 6)) {
		arm_hundred(c);
		return CHAM_VERDICT_DROP;
	}
	if (plen >= 6 && word_is(pkt, "cancel", 6)) {
		int i;

		for (i = 0; i < 100; i++)
			bpf_cham_timer_cancel(100 + i);
		return CHAM_VERDICT_DROP;
	}
	if (plen >= 6 && word_is(pkt, "notify", 6)) {
		bpf_cham_agent_notify(42, hello, sizeof(hello));
		return CHAM_VERDICT_DROP;
	}
	if (plen >= 5 && word_is(pkt, "timer", 5)) {
		bpf_cham_timer_arm(1, 1000000, 0x77);
		return CHAM_VERDICT_DROP;
	}
	if (plen >= 4 && word_is(pkt, "punt", 4))
		return bpf_cham_punt(pkt, 7);
	return cham_reply(pkt, 64) ? CHAM_VERDICT_DROP : CHAM_VERDICT_TX;
}

SEC("struct_ops/slowpath_timer")
void BPF_PROG(slowpath_timer, struct cham_timer_ctx *timer)
{
	struct counter *c = counter();
	__u32 id = timer->timer_id;

	if (!c)
		return;
	__sync_fetch_and_add(&c->fired, 1);
	c->last_cookie = timer->cookie;
	bpf_cham_agent_notify((__u32)timer->cookie, &id, sizeof(id));
}

SEC("struct_ops/slowpath_msg")
int BPF_PROG(slowpath_msg, struct cham_msg_ctx *msg)
{
	char buf[16] = {};
	__u64 cookie = 0;
	__u32 zero = 0;

	switch (msg->type) {
	case 1:
		if (msg->len >= sizeof(buf))
			bpf_cham_msg_read(msg, 0, buf, sizeof(buf));
		bpf_map_update_elem(&last_msg, &zero, buf, BPF_ANY);
		return msg->len;
	case 2:
		if (bpf_cham_msg_read(msg, 0, &cookie, sizeof(cookie)))
			return -22;
		return bpf_cham_timer_arm(2, 1000000, cookie);
	case 3:
		return bpf_cham_msg_read(msg, msg->len, &cookie, sizeof(cookie));
	default:
		return -EOPNOTSUPP;
	}
}

SEC(".struct_ops.link")
struct cham_proto_ops slowpath = {
	.rx = (void *)slowpath_rx,
	.timer = (void *)slowpath_timer,
	.slowpath_msg = (void *)slowpath_msg,
	.name = "slowpath",
	.tenant = "alpha",
};
