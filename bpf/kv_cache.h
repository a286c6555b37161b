/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kv_cache: what the fast path (bpf/kv_cache.bpf.c) and the agent
 * (user/agent/kv_agent.c) agree on: the codes of the punts and the
 * messages the agent sends to the slowpath_msg handler.
 */
#ifndef KV_CACHE_H
#define KV_CACHE_H

#include <linux/types.h>

/* Keys are 1..32 bytes without spaces, as in udp_kv. */
#define KV_CACHE_KEY_MAX	32
/* The longest value the fast path holds; longer ones stay in the agent. */
#define KV_CACHE_VALUE_MAX	256

/* Why the fast path punted a request (the code of bpf_cham_punt()). */
enum kv_cache_punt {
	KV_PUNT_MISS = 1,	/* GET of a key not in the cache */
	KV_PUNT_SET,		/* every SET: the agent keeps the store */
	KV_PUNT_DEL,		/* every DEL */
	KV_PUNT_NO_ROOM,	/* GET of a cached key whose answer does not fit the frame */
	KV_PUNT_OTHER,		/* anything else: the agent answers it (ERR, ...) */
};

/* Messages to the slowpath_msg handler (CHAM_A_AGENT_MSG_TYPE). */
enum kv_cache_msg_type {
	KV_MSG_INSTALL = 1,	/* struct kv_cache_msg: put the key in the cache */
	KV_MSG_EVICT,		/* struct kv_cache_msg, no value: take it out */
	KV_MSG_FLUSH,		/* no data: forget every cached key */
};

/*
 * INSTALL and EVICT carry exactly this, the key and value zero-padded:
 * one fixed size is one bounds check for the verifier. The handler
 * returns 0, -EINVAL (malformed), -E2BIG (value too long), -ENOENT
 * (EVICT of a key not cached) or the map's error (-E2BIG when full).
 */
struct kv_cache_msg {
	__u32 key_len;
	__u32 value_len;
	char key[KV_CACHE_KEY_MAX];
	char value[KV_CACHE_VALUE_MAX];
};

#endif /* KV_CACHE_H */
