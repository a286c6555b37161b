/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Chamelio: a shared, tenant-programmable network stack at XDP.
 *
 * This header is the user-kernel ABI: the generic netlink family "chamelio"
 * (described by Documentation/netlink/specs/chamelio.yaml) and the values
 * shared by the module, the provider XDP program, tenant protocols and the
 * tools. It has no dependencies beyond <linux/types.h>.
 */
#ifndef _UAPI_LINUX_CHAMELIO_H
#define _UAPI_LINUX_CHAMELIO_H

#include <linux/types.h>

#define CHAM_GENL_NAME		"chamelio"
#define CHAM_GENL_VERSION	1
/*
 * Multicast group of notifications, for CAP_NET_ADMIN: every change of
 * the configuration (CHAM_CMD_*_NTF) and CHAM_CMD_PROTO_EJECTED.
 */
#define CHAM_GENL_MCGRP_EVENTS	"events"
/*
 * A tenant's slow path (Documentation/design.md, "The slow path") has no
 * multicast group: the module sends its punts and events by unicast to
 * the socket its agent registered (CHAM_CMD_AGENT_REGISTER), and to no
 * one else.
 */

/* Longest tenant name, including the terminating NUL. */
#define CHAM_NAME_LEN		32

/*
 * Guests: a tenant's VMs or containers, attached over AF_XDP
 * (Documentation/design.md, "Guests"). Ids are chosen by the admin.
 */
#define CHAM_GUEST_ID_MAX	65535
#define CHAM_GUEST_ADDRS_MAX	8

/*
 * The counters of the XDP program on the guest's side of its link
 * (bpf/cham_guest.bpf.c), one per CPU in the program's map "counters":
 * frames handed to the guest's AF_XDP socket, and frames dropped because
 * no socket was attached. Frames the socket then drops for a full ring
 * are counted by the socket (XDP_STATISTICS).
 */
struct cham_guest_link_stats {
	__u64 to_socket;
	__u64 no_socket;
};

/**
 * enum cham_verdict - what the fast path does with a packet
 * @CHAM_VERDICT_PASS: hand it to the kernel network stack of the port (or,
 *	for a guest's frame, of the host side of the guest's link)
 * @CHAM_VERDICT_DROP: drop it (a drop reason says why)
 * @CHAM_VERDICT_TX: transmit it back out of the port it came in on; for a
 *	guest's frame, out toward the network (&cham_proto_ops.tx)
 * @CHAM_VERDICT_REDIRECT: transmit it out of another Chamelio port, or
 *	deliver it to a guest of the tenant; the target is set with a kfunc
 * @CHAM_VERDICT_PUNT: hand it to the tenant's slow-path agent: the frame
 *	is queued for it and sent to it over netlink (CHAM_CMD_AGENT_PUNT).
 *	Counted here once queued; without an agent, or with its queue full,
 *	the packet is dropped instead (CHAM_DROP_NO_AGENT,
 *	CHAM_DROP_PUNT_QUEUE_FULL)
 *
 * Tenant handlers return one of these from &cham_proto_ops.rx. Each packet
 * the fast path sees is counted under exactly one verdict, and each packet
 * counted under CHAM_VERDICT_DROP under exactly one drop reason. A packet
 * counted as TX or REDIRECT can still be dropped by the driver afterwards
 * (full TX ring, target without XDP transmit); the kernel's XDP statistics
 * and tracepoints see those, Chamelio's counters do not.
 */
enum cham_verdict {
	CHAM_VERDICT_PASS,
	CHAM_VERDICT_DROP,
	CHAM_VERDICT_TX,
	CHAM_VERDICT_REDIRECT,
	CHAM_VERDICT_PUNT,
	__CHAM_VERDICT_MAX,
};

/**
 * enum cham_drop_reason - why the fast path dropped a packet
 * @CHAM_DROP_HANDLER: the tenant's handler returned CHAM_VERDICT_DROP
 * @CHAM_DROP_DEFAULT: the tenant has no protocol and its default is drop
 * @CHAM_DROP_BAD_VERDICT: the handler returned a value that is no verdict
 * @CHAM_DROP_BAD_REDIRECT: redirect to something that is not a Chamelio
 *	port (or no target was set), to a guest whose link is gone, or a
 *	guest's TX while its tenant has no port to send it out of
 * @CHAM_DROP_OVER_BUDGET: the tenant was over its CPU budget (time
 *	protection)
 * @CHAM_DROP_SPOOFED_SOURCE: the handler sent (TX or REDIRECT) a packet
 *	whose source address or port the tenant may not use: neither a
 *	destination of its own rules nor one of its admin-given sources, a
 *	broadcast, multicast, loopback or unspecified address, or an
 *	Ethernet source other than the outgoing port's or the one the
 *	sender addressed (for a guest's frame: other than the outgoing
 *	port's or the guest's own)
 * @CHAM_DROP_PORT_NOT_ALLOWED: the handler redirected to a Chamelio port
 *	the admin did not assign to the tenant, or to a guest of another
 *	tenant
 * @CHAM_DROP_EGRESS_MALFORMED: the handler sent a packet that no longer
 *	parses, or whose VLAN tags or IP version it changed, or delivered a
 *	VLAN-tagged frame to a guest
 * @CHAM_DROP_NO_HANDLER: a guest sent a frame and the tenant has no
 *	protocol, or one without a &cham_proto_ops.tx handler
 * @CHAM_DROP_GUEST_SOURCE: a guest sent a frame whose Ethernet source is
 *	not its MAC address, whose IP source is not one of its addresses, or
 *	that carries a VLAN tag
 * @CHAM_DROP_GUEST_MALFORMED: a guest sent a frame that does not parse
 *	(its parse error is counted too); unlike frames from the network it
 *	is not handed to the kernel stack
 * @CHAM_DROP_NO_AGENT: the handler punted the packet (or it is an IP
 *	fragment for the tenant) and the tenant has no slow-path agent
 * @CHAM_DROP_PUNT_QUEUE_FULL: the tenant's punt queue was full (its agent
 *	reads too slowly), or there was no memory to queue the packet
 * @CHAM_DROP_FRAGMENT_AMBIGUOUS: an IP fragment whose destination address
 *	and protocol more than one tenant's rules cover: without its
 *	transport header it cannot be steered, and it is tenant traffic, so
 *	it is not handed to the host stack either (unclassified counters)
 */
enum cham_drop_reason {
	CHAM_DROP_HANDLER,
	CHAM_DROP_DEFAULT,
	CHAM_DROP_BAD_VERDICT,
	CHAM_DROP_BAD_REDIRECT,
	CHAM_DROP_OVER_BUDGET,
	CHAM_DROP_SPOOFED_SOURCE,
	CHAM_DROP_PORT_NOT_ALLOWED,
	CHAM_DROP_EGRESS_MALFORMED,
	CHAM_DROP_NO_HANDLER,
	CHAM_DROP_GUEST_SOURCE,
	CHAM_DROP_GUEST_MALFORMED,
	CHAM_DROP_NO_AGENT,
	CHAM_DROP_PUNT_QUEUE_FULL,
	CHAM_DROP_FRAGMENT_AMBIGUOUS,
	__CHAM_DROP_MAX,
};

/**
 * enum cham_parse_error - why a frame could not be classified
 *
 * Frames from the network the parser cannot classify are passed to the
 * kernel stack, which is the authority on malformed traffic, and counted
 * here, in the statistics of the unclassified pseudo-tenant (id 0).
 * Frames from a guest that do not parse are dropped
 * (CHAM_DROP_GUEST_MALFORMED) and counted for the guest and its tenant.
 *
 * @CHAM_PARSE_TRUNC_L2: shorter than an Ethernet header (or VLAN tags)
 * @CHAM_PARSE_VLAN_DEPTH: more VLAN tags than the parser follows
 * @CHAM_PARSE_TRUNC_L3: shorter than the IP header it announces
 * @CHAM_PARSE_BAD_L3: IP version, header length or total length is wrong
 * @CHAM_PARSE_EXT_DEPTH: more IPv6 extension headers than the parser follows
 * @CHAM_PARSE_FRAGMENT: an IP fragment to an address and protocol no
 *	tenant's rules cover (fragments for one tenant go to its slow path,
 *	see &enum cham_punt_origin; ambiguous ones are dropped,
 *	CHAM_DROP_FRAGMENT_AMBIGUOUS)
 * @CHAM_PARSE_TRUNC_L4: shorter than the UDP/TCP header
 * @CHAM_PARSE_NOT_IP: not IPv4 or IPv6 (ARP, LLDP, ...); not an error,
 *	but counted so every unclassified frame has a reason
 * @CHAM_PARSE_BAD_L3_CSUM: the IPv4 header checksum is wrong
 * @CHAM_PARSE_BAD_L4_LEN: the UDP length disagrees with the IP payload
 * @CHAM_PARSE_NOT_PORT: not received on a Chamelio port or a guest's link
 *	(a call of the fast path from anywhere else: another
 *	device, or BPF_PROG_TEST_RUN without a port as ingress device);
 *	no tenant handler runs for it
 */
enum cham_parse_error {
	CHAM_PARSE_TRUNC_L2,
	CHAM_PARSE_VLAN_DEPTH,
	CHAM_PARSE_TRUNC_L3,
	CHAM_PARSE_BAD_L3,
	CHAM_PARSE_EXT_DEPTH,
	CHAM_PARSE_FRAGMENT,
	CHAM_PARSE_TRUNC_L4,
	CHAM_PARSE_NOT_IP,
	CHAM_PARSE_BAD_L3_CSUM,
	CHAM_PARSE_BAD_L4_LEN,
	CHAM_PARSE_NOT_PORT,
	__CHAM_PARSE_MAX,
};

/*
 * The handlers of &struct cham_proto_ops, in member order, as the admin
 * sees them (CHAM_A_HANDLER_INDEX).
 */
enum cham_proto_handler {
	CHAM_PROTO_HANDLER_RX,
	CHAM_PROTO_HANDLER_TX,
	CHAM_PROTO_HANDLER_TIMER,
	CHAM_PROTO_HANDLER_FLOW_OPEN,
	CHAM_PROTO_HANDLER_FLOW_CLOSE,
	CHAM_PROTO_HANDLER_SLOWPATH_MSG,
	__CHAM_PROTO_HANDLER_MAX,
};

/* &cham_proto_ops.flags: none are defined yet; unknown bits are refused. */
#define CHAM_PROTO_F_ALL	0U

/*
 * What the dispatch kfunc tells the provider XDP program besides the XDP
 * action: the redirect target, because a redirect must be issued by the
 * XDP program itself.
 */
struct cham_xdp_out {
	__u32 redirect_ifindex;
	__u32 reserved;
};

/* ---- tenant protocols (struct_ops) ------------------------------------- */

/*
 * These types are shared by the module and tenant BPF programs. The module's
 * BTF is the authority; bpf/chamelio.bpf.h includes this header with
 * preserve_access_index so tenant programs relocate against it (CO-RE).
 */

/**
 * struct cham_ctx - a packet event handed to a tenant handler
 * @tenant_id: the tenant the packet was steered to (rx) or whose guest
 *	sent it (tx)
 * @ifindex: the device the packet arrived on: a Chamelio port (rx), or
 *	the host side of the sending guest's link (tx)
 * @rx_queue: the receive queue of the device in @ifindex
 * @len: bytes of packet data the handler can reach, from offset 0 (the
 *	Ethernet header) to the end of the linear frame
 * @l3_off: offset of the IPv4 or IPv6 header
 * @l4_off: offset of the transport header (after IPv6 extension headers)
 * @payload_off: offset of the transport payload
 * @l4_len: transport header plus payload, as the IP header says (Ethernet
 *	padding excluded)
 * @l3_proto: ETH_P_IP or ETH_P_IPV6, host byte order
 * @l4_proto: IPPROTO_UDP, IPPROTO_TCP, ...
 * @vlan_depth: how many VLAN tags precede the IP header
 * @flags: CHAM_CTX_F_*
 * @reserved: zero
 * @guest_id: the guest that sent the packet (tx); 0 for packets from the
 *	network (rx)
 *
 * The handler reads these fields directly and reaches the packet bytes with
 * bpf_cham_pkt_ptr(). Offsets are always within @len.
 */
struct cham_ctx {
	__u32 tenant_id;
	__u32 ifindex;
	__u32 rx_queue;
	__u32 len;
	__u16 l3_off;
	__u16 l4_off;
	__u16 payload_off;
	__u16 l4_len;
	__u16 l3_proto;
	__u8 l4_proto;
	__u8 vlan_depth;
	__u8 flags;
	__u8 reserved[3];
	__u32 guest_id;
};

/*
 * &cham_ctx.flags. CHAM_CTX_F_BUDGET_LOW: the tenant's CPU budget on this
 * CPU is below its signal threshold while other tenants want the CPU (see
 * &enum cham_budget_policy). The
 * module has already applied the tenant's policy to the packet; a transport
 * may also react on its own (e.g. shrink its advertised window).
 */
#define CHAM_CTX_F_BUDGET_LOW	(1U << 0)

/**
 * enum cham_budget_policy - how time protection treats a tenant's traffic
 * @CHAM_BUDGET_DROP: run packets while the tenant has budget; once it has
 *	none and the CPU is contended, drop them (reason
 *	CHAM_DROP_OVER_BUDGET) before the handler runs
 * @CHAM_BUDGET_ECN: as DROP, and while the budget is below the tenant's
 *	ECN threshold on a contended CPU, mark ECN-capable packets Congestion
 *	Experienced before the handler sees them, so that senders slow down
 *	before drops start
 *
 * A later transport-aware policy (advertise a zero window, hold
 * transmissions) takes the next value; handlers see the same signal as
 * CHAM_CTX_F_BUDGET_LOW.
 */
enum cham_budget_policy {
	CHAM_BUDGET_DROP,
	CHAM_BUDGET_ECN,
	__CHAM_BUDGET_MAX,
};

/* Shares are in parts of CHAM_SHARE_SCALE of one CPU (basis points). */
#define CHAM_SHARE_SCALE	10000

/*
 * The ceiling on one handler call (CHAM_A_TENANT_CEILING_NS): at most one
 * second; a new tenant starts with 10 ms, and with ejection after 16 calls
 * above it (CHAM_A_TENANT_EJECT_AFTER). Documentation/isolation.md.
 */
#define CHAM_CEILING_NS_MAX		1000000000U
#define CHAM_CEILING_NS_DEFAULT		10000000U
#define CHAM_EJECT_AFTER_DEFAULT	16U

/* ---- the slow path -------------------------------------------------------- */

/**
 * enum cham_punt_origin - why a frame reached the agent (CHAM_A_AGENT_PUNT_ORIGIN)
 * @CHAM_PUNT_HANDLER: the handler returned CHAM_VERDICT_PUNT (its code, set
 *	with bpf_cham_punt(), is in CHAM_A_AGENT_PUNT_CODE)
 * @CHAM_PUNT_FRAGMENT: an IP fragment to an address and protocol only this
 *	tenant's rules cover; the handler does not see fragments, the agent
 *	reassembles them
 */
enum cham_punt_origin {
	CHAM_PUNT_HANDLER,
	CHAM_PUNT_FRAGMENT,
	__CHAM_PUNT_ORIGIN_MAX,
};

/**
 * enum cham_agent_event - what the fast path tells a tenant's agent
 * (CHAM_CMD_AGENT_EVENT, CHAM_A_AGENT_EVENT)
 * @CHAM_AGENT_EVENT_EJECTED: the tenant's protocol was ejected for calls
 *	above its ceiling; the code is the violations counted
 * @CHAM_AGENT_EVENT_BUDGET_LOW: the tenant's CPU budget ran low on a
 *	contended CPU (at most one event per CHAM_AGENT_BUDGET_EVENT_MS);
 *	the code is the CPU
 * @CHAM_AGENT_EVENT_HANDLER: a handler called bpf_cham_agent_notify();
 *	the code and data are the handler's
 */
enum cham_agent_event {
	CHAM_AGENT_EVENT_EJECTED,
	CHAM_AGENT_EVENT_BUDGET_LOW,
	CHAM_AGENT_EVENT_HANDLER,
	__CHAM_AGENT_EVENT_MAX,
};

#define CHAM_AGENT_BUDGET_EVENT_MS	100
/* Most bytes of a message to the fast path (CHAM_A_AGENT_MSG_DATA). */
#define CHAM_AGENT_MSG_MAX		1024
/* Most bytes of a handler's event data (bpf_cham_agent_notify()). */
#define CHAM_AGENT_EVENT_DATA_MAX	64
/* Frames the agent injects: an Ethernet header at least, 64 KiB at most. */
#define CHAM_AGENT_FRAME_MIN		14
#define CHAM_AGENT_FRAME_MAX		65535
/* Frames and events waiting for a tenant's agent (CHAM_A_TENANT_PUNT_QUEUE). */
#define CHAM_PUNT_QUEUE_DEFAULT		256
#define CHAM_PUNT_QUEUE_MAX		65536
/* Timers a tenant may have armed at once (CHAM_A_TENANT_TIMERS_MAX). */
#define CHAM_TIMERS_DEFAULT		64
#define CHAM_TIMERS_MAX			65536
/* The longest delay a timer may be armed with: one hour. */
#define CHAM_TIMER_DELAY_MAX_NS		3600000000000ULL

/**
 * struct cham_timer_ctx - a tenant timer fired
 * @tenant_id: the tenant
 * @timer_id: the id the tenant armed the timer with
 * @now_ns: CLOCK_MONOTONIC when the timer ran
 * @cookie: the value the tenant armed the timer with
 */
struct cham_timer_ctx {
	__u32 tenant_id;
	__u32 timer_id;
	__u64 now_ns;
	__u64 cookie;
};

/**
 * struct cham_flow_ctx - a flow of a tenant is set up or torn down
 * @tenant_id: the tenant
 * @flow_id: the module's handle for the flow, stable for its lifetime
 * @family: AF_INET or AF_INET6
 * @l4_proto: IPPROTO_TCP, ...
 * @local_port: local transport port, host order
 * @remote_port: remote transport port, host order
 * @local_addr: local address (IPv4 in the first word), network order
 * @remote_addr: remote address (IPv4 in the first word), network order
 */
struct cham_flow_ctx {
	__u32 tenant_id;
	__u32 flow_id;
	__u8 family;
	__u8 l4_proto;
	__u16 local_port;
	__u16 remote_port;
	__u16 reserved;
	__u32 local_addr[4];
	__u32 remote_addr[4];
};

/**
 * struct cham_msg_ctx - a message from the tenant's slow-path agent
 * @tenant_id: the tenant
 * @type: the agent's message type (the tenant's own numbering)
 * @len: message length in bytes
 * @flow_id: the flow the message is about, 0 for none
 */
struct cham_msg_ctx {
	__u32 tenant_id;
	__u32 type;
	__u32 len;
	__u32 flow_id;
};

/**
 * struct cham_proto_ops - a tenant's protocol fast path
 *
 * A tenant implements its protocol as an instance of this struct_ops type
 * and registers it (bpftool struct_ops register, or chamctl proto load).
 * The registration binds to the tenant named in @tenant, which the admin
 * must have created; it fails with ENOENT otherwise. Only the tenant's
 * owner (or a CAP_NET_ADMIN holder in the initial user namespace) may
 * prepare, register or update a protocol for it (EPERM otherwise); an
 * instance prepared for a tenant that was deleted since is refused even if
 * a tenant of that name exists again (ESTALE); a registration must create
 * a struct_ops link (a map without BPF_F_LINK is refused, EOPNOTSUPP).
 * A tenant has one link: registering while one is bound (even ejected)
 * fails with EBUSY; bpf_link_update() on that link replaces the protocol
 * atomically (same tenant, same checks), and removing the link returns
 * the tenant to its default verdict. Handlers run in softirq
 * context, run to completion and must not sleep (sleepable programs are
 * refused). Their cycles are measured and charged to the tenant.
 *
 * This version of the module calls @rx, @tx, @timer and @slowpath_msg.
 * @flow_open and @flow_close are specified now so that protocols can be
 * designed against them, but a handler for one of them is refused
 * (EOPNOTSUPP) until the module calls it, rather than silently never run.
 */
struct cham_proto_ops {
	/**
	 * @rx: a packet steered to the tenant arrived on a port.
	 *
	 * The handler may read and rewrite the packet in place, grow or
	 * shrink it at the end (bpf_cham_adjust_tail()), and returns an &enum cham_verdict. Returning
	 * CHAM_VERDICT_REDIRECT needs a target set with
	 * bpf_cham_redirect_port(), a port the admin assigned to the
	 * tenant, or bpf_cham_redirect_guest(), one of the tenant's guests
	 * (bpf_cham_guest_lookup() finds the one a packet is addressed
	 * to). Any other return value drops the packet with reason
	 * CHAM_DROP_BAD_VERDICT. What the handler sends (TX, REDIRECT) is
	 * validated: it must still parse with the VLAN tags it came with,
	 * and come from an address and port the tenant may use, or it is
	 * dropped (CHAM_DROP_EGRESS_MALFORMED, CHAM_DROP_SPOOFED_SOURCE).
	 * Handlers may call the map helpers, spin locks, the clock,
	 * bpf_get_prandom_u32(), bpf_get_smp_processor_id(), bpf_loop(),
	 * bpf_strncmp() and the bpf_cham_* kfuncs; any other helper is
	 * refused at load. (The BPF core's generic kfuncs cannot be closed
	 * by the module on 6.12; the provider-run loader refuses them.)
	 */
	int (*rx)(struct cham_ctx *ctx);

	/**
	 * @tx: a guest of the tenant sent a packet (AF_XDP);
	 * &cham_ctx.guest_id says which.
	 *
	 * Same contract as @rx, with its own intervention point and the
	 * same charging to the tenant's budget. Before it runs, the module
	 * has checked that the frame parses (else CHAM_DROP_GUEST_MALFORMED)
	 * and that its Ethernet source is the guest's MAC, its IP source
	 * one of the guest's addresses and it has no VLAN tag (else
	 * CHAM_DROP_GUEST_SOURCE). Verdicts: CHAM_VERDICT_TX sends it
	 * toward the network, out of the port chosen with
	 * bpf_cham_redirect_port() or else the first port the admin
	 * assigned to the tenant that still exists (CHAM_DROP_BAD_REDIRECT
	 * without one; CHAM_DROP_PORT_NOT_ALLOWED when the last
	 * bpf_cham_redirect_*() call was refused);
	 * CHAM_VERDICT_REDIRECT to a port or to another guest of the
	 * tenant; CHAM_VERDICT_PASS hands it to the host stack (on the
	 * host side of the guest's link); CHAM_VERDICT_DROP. What leaves
	 * by a port is validated like @rx's output, except that the
	 * Ethernet source must be the port's MAC or the guest's own. A protocol without @tx (or a
	 * tenant without protocol) drops its guests' frames
	 * (CHAM_DROP_NO_HANDLER).
	 */
	int (*tx)(struct cham_ctx *ctx);

	/**
	 * @timer: a timer the tenant armed with bpf_cham_timer_arm() fired
	 * (retransmission, delayed ACK, ...). Runs in softirq context on the
	 * CPU that armed it; measured and charged to the tenant like @rx.
	 * May arm timers again. Unregistering the protocol cancels the
	 * tenant's timers; replacing it keeps them (the new protocol's
	 * @timer gets them).
	 */
	void (*timer)(struct cham_timer_ctx *ctx);

	/**
	 * @flow_open: the slow path set up a flow (e.g. a TCP connection after
	 * its handshake) and hands it to the fast path. Return 0 to accept
	 * it, a negative errno to refuse it. Not called yet.
	 */
	int (*flow_open)(struct cham_flow_ctx *ctx);

	/**
	 * @flow_close: a flow is torn down, by the slow path or because the
	 * protocol is unregistered; per-flow state must be released. Not
	 * called yet.
	 */
	void (*flow_close)(struct cham_flow_ctx *ctx);

	/**
	 * @slowpath_msg: the tenant's slow-path agent sent a message to the
	 * fast path (CHAM_CMD_AGENT_MSG; e.g. flow state, new congestion-
	 * control rates). The handler reads the message with
	 * bpf_cham_msg_read(); its return value (0, a negative errno, or any
	 * other int) goes back to the agent (CHAM_A_AGENT_MSG_RESULT). Runs
	 * with bottom halves disabled on the CPU of the agent's request,
	 * charged to the tenant like @rx.
	 */
	int (*slowpath_msg)(struct cham_msg_ctx *ctx);

	/**
	 * @name: the protocol's name, shown to the admin (optional; letters,
	 * digits, '_' and '-', like tenant names).
	 */
	char name[CHAM_NAME_LEN];

	/** @tenant: the name of the tenant this protocol serves (required). */
	char tenant[CHAM_NAME_LEN];

	/** @flags: CHAM_PROTO_F_*; unknown bits are refused. */
	__u32 flags;

#ifdef __KERNEL__
	/*
	 * The module's own state of the instance, after what tenants see:
	 * libbpf leaves members a tenant program does not declare zeroed,
	 * and the module refuses nonzero values. Filled in when the instance
	 * is created, from the programs the registration names (indexed by
	 * enum cham_proto_handler), and when it is registered.
	 */
	__u32 prog_id[__CHAM_PROTO_HANDLER_MAX];
	__u32 verified_insns[__CHAM_PROTO_HANDLER_MAX];
	__u32 generation;	/* the tenant's registration count */
	atomic_t violations;	/* calls above the tenant's ceiling */
	__u64 tenant_cookie;	/* the tenant it was prepared for */
	/*
	 * The programs behind the handlers, for calling rx and tx without
	 * the trampoline (dispatch.c). Not referenced: the instance's links
	 * hold them as long as the instance can be reached.
	 */
	struct bpf_prog *prog[__CHAM_PROTO_HANDLER_MAX];
#endif
};

/* ---- generic netlink -------------------------------------------------- */

enum cham_cmd {
	CHAM_CMD_UNSPEC,
	CHAM_CMD_TENANT_NEW,	/* create: ID, NAME, [OWNER], [DEFAULT_VERDICT] */
	CHAM_CMD_TENANT_DEL,	/* ID or NAME; deletes its rules too */
	CHAM_CMD_TENANT_GET,	/* ID or NAME, or dump */
	CHAM_CMD_RULE_NEW,	/* TENANT_ID or TENANT_NAME, RULE_* */
	CHAM_CMD_RULE_DEL,	/* RULE_ID */
	CHAM_CMD_RULE_GET,	/* RULE_ID, or dump */
	CHAM_CMD_PORT_NEW,	/* PORT_IFINDEX: a port the XDP program serves */
	CHAM_CMD_PORT_DEL,	/* PORT_IFINDEX */
	CHAM_CMD_PORT_GET,	/* dump */
	CHAM_CMD_STATS_GET,	/* TENANT_ID or TENANT_NAME, or dump (the dump has id 0 too) */
	CHAM_CMD_TENANT_SET,	/* ID or NAME, and the time-protection knobs to change */
	CHAM_CMD_CONFIG_GET,	/* global settings */
	CHAM_CMD_CONFIG_SET,	/* CFG_*: global settings to change */
	/*
	 * Notification to the "events" group: TENANT_ID, TENANT_NAME,
	 * TENANT_PROTO (name, flags, generation), and TENANT_VIOLATIONS:
	 * the violations counted when the protocol was ejected (calls
	 * racing on other CPUs can make it exceed TENANT_EJECT_AFTER).
	 */
	CHAM_CMD_PROTO_EJECTED,
	CHAM_CMD_GUEST_NEW,	/* GUEST_ID, GUEST_NAME, TENANT_ID or TENANT_NAME, GUEST_IFINDEX, GUEST_MAC, [GUEST_ADDRS] */
	CHAM_CMD_GUEST_DEL,	/* GUEST_ID or GUEST_NAME */
	CHAM_CMD_GUEST_GET,	/* GUEST_ID or GUEST_NAME, or dump */
	/*
	 * The slow path. A process of the tenant's owner (or a CAP_NET_ADMIN
	 * holder) registers its socket as the tenant's agent: TENANT_ID or
	 * TENANT_NAME. One agent per tenant (EBUSY); it stays registered
	 * until the socket closes. Punts and events then go to that socket.
	 */
	CHAM_CMD_AGENT_REGISTER,
	/*
	 * The agent sends a frame out through its tenant: TENANT_ID or _NAME,
	 * AGENT_FRAME, and AGENT_IFINDEX (a port the admin assigned to the
	 * tenant) or GUEST_ID (one of its guests). Validated like what a
	 * handler sends.
	 */
	CHAM_CMD_AGENT_INJECT,
	/*
	 * A message to the tenant's slowpath_msg handler: TENANT_ID or _NAME,
	 * AGENT_MSG_TYPE, [AGENT_MSG_FLOW], [AGENT_MSG_DATA]; the reply carries
	 * AGENT_MSG_RESULT, the handler's return value.
	 */
	CHAM_CMD_AGENT_MSG,
	/*
	 * Kernel to agent, unicast: a punted frame. TENANT_ID, AGENT_PUNT_ORIGIN,
	 * AGENT_PUNT_CODE, AGENT_IFINDEX (where it arrived), [GUEST_ID] (the
	 * guest that sent it), AGENT_FRAME.
	 */
	CHAM_CMD_AGENT_PUNT,
	/*
	 * Kernel to agent, unicast: TENANT_ID, AGENT_EVENT, AGENT_EVENT_CODE,
	 * [AGENT_EVENT_DATA].
	 */
	CHAM_CMD_AGENT_EVENT,
	/*
	 * Puts the tenant's ejected protocol back on the fast path, with a
	 * clean violation count: TENANT_ID or TENANT_NAME. ENOENT when no
	 * protocol of the tenant is ejected.
	 */
	CHAM_CMD_PROTO_REINSTATE,
	/*
	 * Notifications to the "events" group, one per change, whoever made
	 * it (netlink, a struct_ops link, the kernel). Each carries the
	 * attributes of the object's get reply: as it is after an ADD or a
	 * CHANGE, as it was before a DEL.
	 */
	CHAM_CMD_TENANT_ADD_NTF,	/* as TENANT_GET */
	CHAM_CMD_TENANT_CHANGE_NTF,	/* as TENANT_GET: knobs, owner, sources, ports, slow path */
	CHAM_CMD_TENANT_DEL_NTF,	/* as TENANT_GET; its rules were deleted with it */
	CHAM_CMD_RULE_ADD_NTF,		/* as RULE_GET */
	CHAM_CMD_RULE_DEL_NTF,		/* as RULE_GET */
	CHAM_CMD_PORT_ADD_NTF,		/* as PORT_GET */
	CHAM_CMD_PORT_DEL_NTF,		/* as PORT_GET; also when the device goes */
	CHAM_CMD_GUEST_ADD_NTF,		/* as GUEST_GET */
	CHAM_CMD_GUEST_DEL_NTF,		/* as GUEST_GET */
	CHAM_CMD_GUEST_CHANGE_NTF,	/* as GUEST_GET: its link went (GUEST_IFINDEX 0) */
	CHAM_CMD_CONFIG_CHANGE_NTF,	/* as CONFIG_GET */
	/*
	 * A tenant's protocol: TENANT_ID, TENANT_NAME and TENANT_PROTO (with
	 * PROTO_LINK_ID and the handlers), TENANT_VIOLATIONS and
	 * TENANT_EJECTIONS. REPLACE adds TENANT_PROTO_PREV,
	 * the protocol replaced; UNBIND names the protocol the link bound
	 * (its link released or detached, or its tenant deleted); REINSTATE
	 * is the admin's (CHAM_CMD_PROTO_REINSTATE). An ejection is sent
	 * from the fast path, outside the lock that orders the others: it
	 * can come after the UNBIND of the protocol it ejected; the
	 * generation tells.
	 */
	CHAM_CMD_PROTO_BIND_NTF,
	CHAM_CMD_PROTO_REPLACE_NTF,
	CHAM_CMD_PROTO_UNBIND_NTF,
	CHAM_CMD_PROTO_REINSTATE_NTF,
	/* TENANT_ID, TENANT_NAME, TENANT_AGENT_PORTID (the agent's socket). */
	CHAM_CMD_AGENT_ADD_NTF,
	CHAM_CMD_AGENT_DEL_NTF,		/* its socket closed, or the tenant's owner changed or it was deleted */
	CHAM_CMD_PORT_CHANGE_NTF,	/* as PORT_GET: its interface was renamed */
	__CHAM_CMD_MAX,
};
#define CHAM_CMD_MAX (__CHAM_CMD_MAX - 1)

enum cham_attr {
	CHAM_A_UNSPEC,
	CHAM_A_TENANT_ID,		/* u32, 1..CHAM_TENANT_ID_MAX */
	CHAM_A_TENANT_NAME,		/* string, < CHAM_NAME_LEN: [A-Za-z0-9_-], not all digits */
	CHAM_A_TENANT_OWNER,		/* u32: uid that owns the tenant (binds its protocol, reads its state) */
	CHAM_A_TENANT_DEFAULT_VERDICT,	/* u8: CHAM_VERDICT_PASS or _DROP */
	CHAM_A_TENANT_PROTO,		/* nest: CHAM_A_PROTO_* (get, notifications) */
	CHAM_A_RULE_ID,			/* u32, chosen by the kernel */
	CHAM_A_RULE_FAMILY,		/* u8: AF_INET or AF_INET6 */
	CHAM_A_RULE_DST,		/* binary: 4 or 16 bytes */
	CHAM_A_RULE_PREFIX_LEN,		/* u8: 0..32 or 0..128 */
	CHAM_A_RULE_L4_PROTO,		/* u8: IPPROTO_*, 0 = any */
	CHAM_A_RULE_PORT_MIN,		/* u16, host order */
	CHAM_A_RULE_PORT_MAX,		/* u16, host order */
	CHAM_A_PORT_IFINDEX,		/* u32 */
	CHAM_A_PORT_IFNAME,		/* string (get only) */
	CHAM_A_STATS,			/* nest: CHAM_A_STAT_* (get only) */
	CHAM_A_PAD,
	/* Time protection of a tenant (TENANT_NEW, TENANT_SET, TENANT_GET). */
	CHAM_A_TENANT_SHARE,		/* u32: of CHAM_SHARE_SCALE, 1..CHAM_SHARE_SCALE */
	CHAM_A_TENANT_BURST_US,		/* u32: budget cap, microseconds of CPU time, 1..1000000 */
	CHAM_A_TENANT_POLICY,		/* u8: enum cham_budget_policy */
	CHAM_A_TENANT_ECN_THRESHOLD,	/* u8: percent of the burst, 0..100 */
	CHAM_A_TENANT_ACCOUNTING,	/* u8: 0 or 1 */
	CHAM_A_TENANT_ENFORCEMENT,	/* u8: 0 or 1 */
	CHAM_A_TENANT_CEILING_NS,	/* u32: ns one handler call may cost, <= 1e9, 0 = none */
	CHAM_A_TENANT_EJECT_AFTER,	/* u32: ceiling violations that eject, 0 = never */
	CHAM_A_TENANT_INSN_LIMIT,	/* u32: most verified insns per handler, 0 = none */
	CHAM_A_TENANT_EJECTIONS,	/* u32: protocols ejected so far (get only) */
	CHAM_A_TENANT_VIOLATIONS,	/* u32: ceiling violations of the protocol (get only) */
	/* Global settings (CONFIG_GET, CONFIG_SET). */
	CHAM_A_CFG_ACCOUNTING,		/* u8: 0 or 1 */
	CHAM_A_CFG_ENFORCEMENT,		/* u8: 0 or 1 */
	CHAM_A_CFG_CONTENTION_US,	/* u32: how recent other work contends, 1..1000000 */
	CHAM_A_CFG_TSC_KHZ,		/* u32: cycle counter rate (get only) */
	/* Egress validation of a tenant (TENANT_SET, TENANT_GET). */
	CHAM_A_TENANT_SOURCES,		/* nest: CHAM_A_SOURCES_ENTRY..., replaces the list */
	CHAM_A_TENANT_PORTS,		/* nest: CHAM_A_PORTS_IFINDEX..., replaces the list */

	CHAM_A_GUEST_ID,		/* u32, 1..CHAM_GUEST_ID_MAX */
	CHAM_A_GUEST_NAME,		/* string, like tenant names */
	CHAM_A_GUEST_IFINDEX,		/* u32: host side of the guest's link, in the initial netns; 0 once gone (get) */
	CHAM_A_GUEST_MAC,		/* binary, 6 bytes: the guest's Ethernet address */
	CHAM_A_GUEST_ADDRS,		/* nest: CHAM_A_SOURCES_ENTRY..., the guest's addresses */
	CHAM_A_GUEST_TX_STATS,		/* nest: CHAM_A_STAT_*, frames the guest sent (get only) */
	CHAM_A_GUEST_RX_STATS,		/* nest: CHAM_A_STAT_*, frames redirected to it; its link can still drop them (get only) */

	/* The slow path of a tenant (TENANT_NEW, TENANT_SET, TENANT_GET). */
	CHAM_A_TENANT_PUNT_QUEUE,	/* u32: frames and events waiting for the agent, 1..CHAM_PUNT_QUEUE_MAX */
	CHAM_A_TENANT_TIMERS_MAX,	/* u32: timers armed at once, 0..CHAM_TIMERS_MAX */
	CHAM_A_TENANT_AGENT_PORTID,	/* u32: netlink port of the registered agent, 0 = none (get only) */
	CHAM_A_TENANT_TIMERS_ARMED,	/* u32: timers armed now (get only) */
	/* Agent commands and messages (CHAM_CMD_AGENT_*). */
	CHAM_A_AGENT_FRAME,		/* binary: an Ethernet frame, CHAM_AGENT_FRAME_MIN..CHAM_AGENT_FRAME_MAX bytes */
	CHAM_A_AGENT_IFINDEX,		/* u32: the port (or guest link) a punt arrived on; the port an injection leaves by */
	CHAM_A_AGENT_PUNT_ORIGIN,	/* u8: enum cham_punt_origin */
	CHAM_A_AGENT_PUNT_CODE,		/* u32: the handler's code (bpf_cham_punt()) */
	CHAM_A_AGENT_MSG_TYPE,		/* u32: the tenant's own message numbering */
	CHAM_A_AGENT_MSG_FLOW,		/* u32: a flow id, 0 = none */
	CHAM_A_AGENT_MSG_DATA,		/* binary: up to CHAM_AGENT_MSG_MAX bytes */
	CHAM_A_AGENT_MSG_RESULT,	/* s32: what the slowpath_msg handler returned */
	CHAM_A_AGENT_EVENT,		/* u32: enum cham_agent_event */
	CHAM_A_AGENT_EVENT_CODE,	/* u32 */
	CHAM_A_AGENT_EVENT_DATA,	/* binary: up to CHAM_AGENT_EVENT_DATA_MAX bytes */
	CHAM_A_TENANT_PROTO_PREV,	/* nest: CHAM_A_PROTO_*, the protocol a replacement displaced (PROTO_REPLACE_NTF) */
	__CHAM_A_MAX,
};
#define CHAM_A_MAX (__CHAM_A_MAX - 1)

#define CHAM_TENANT_ID_MAX	0xffff
/* Steering rules the module holds at most (ENOSPC beyond). */
#define CHAM_RULES_MAX		65536

enum cham_proto_attr {
	CHAM_A_PROTO_UNSPEC,
	CHAM_A_PROTO_NAME,		/* string: cham_proto_ops.name, may be empty */
	CHAM_A_PROTO_FLAGS,		/* u32 */
	CHAM_A_PROTO_GENERATION,	/* u32: bumped on each (re)registration */
	CHAM_A_PROTO_HANDLER,		/* nest, one per handler: CHAM_A_HANDLER_* */
	CHAM_A_PROTO_LINK_ID,		/* u32: the struct_ops link that binds it, whoever created it */
	CHAM_A_PROTO_EJECTED,		/* u8, 1: ejected, off the fast path; its link still binds it */
	__CHAM_A_PROTO_MAX,
};
#define CHAM_A_PROTO_MAX (__CHAM_A_PROTO_MAX - 1)

enum cham_handler_attr {
	CHAM_A_HANDLER_UNSPEC,
	CHAM_A_HANDLER_INDEX,		/* u32: enum cham_proto_handler */
	CHAM_A_HANDLER_NAME,		/* string: "rx", "tx", ... */
	CHAM_A_HANDLER_PROG_ID,		/* u32: the BPF program */
	CHAM_A_HANDLER_VERIFIED_INSNS,	/* u32: instructions the verifier processed */
	__CHAM_A_HANDLER_MAX,
};

#define CHAM_A_HANDLER_MAX (__CHAM_A_HANDLER_MAX - 1)

/*
 * Source prefixes a tenant may send from besides the destinations of its
 * own rules, and the ports it may redirect to: at most this many each.
 */
#define CHAM_TENANT_SOURCES_MAX	16
#define CHAM_TENANT_PORTS_MAX	16

enum cham_sources_attr {
	CHAM_A_SOURCES_UNSPEC,
	CHAM_A_SOURCES_ENTRY,		/* nest, repeated: CHAM_A_SOURCE_* */
	__CHAM_A_SOURCES_MAX,
};
#define CHAM_A_SOURCES_MAX (__CHAM_A_SOURCES_MAX - 1)

enum cham_source_attr {
	CHAM_A_SOURCE_UNSPEC,
	CHAM_A_SOURCE_FAMILY,		/* u8: AF_INET or AF_INET6 */
	CHAM_A_SOURCE_ADDR,		/* binary: 4 or 16 bytes */
	CHAM_A_SOURCE_PREFIX_LEN,	/* u8: 0..32 or 0..128 */
	__CHAM_A_SOURCE_MAX,
};
#define CHAM_A_SOURCE_MAX (__CHAM_A_SOURCE_MAX - 1)

enum cham_ports_attr {
	CHAM_A_PORTS_UNSPEC,
	CHAM_A_PORTS_IFINDEX,		/* u32, repeated: a Chamelio port */
	__CHAM_A_PORTS_MAX,
};
#define CHAM_A_PORTS_MAX (__CHAM_A_PORTS_MAX - 1)

enum cham_stat_attr {
	CHAM_A_STAT_UNSPEC,
	CHAM_A_STAT_PAD,
	CHAM_A_STAT_PACKETS,		/* u64: packets classified here */
	CHAM_A_STAT_BYTES,		/* u64 */
	CHAM_A_STAT_VERDICTS,		/* nest: u64 per cham_verdict */
	CHAM_A_STAT_DROPS,		/* nest: u64 per cham_drop_reason */
	CHAM_A_STAT_PARSE_ERRORS,	/* nest: u64 per cham_parse_error */
	CHAM_A_STAT_HANDLER_CALLS,	/* u64 */
	CHAM_A_STAT_HANDLER_CYCLES,	/* u64: cycles spent in the handler */
	CHAM_A_STAT_HANDLER_MAX_CYCLES,	/* u64: most cycles of one call */
	CHAM_A_STAT_INFRA_CYCLES,	/* u64: parsing and steering charged to the tenant */
	CHAM_A_STAT_ECN_MARKS,		/* u64: packets marked CE by the ECN policy */
	CHAM_A_STAT_CEILING_VIOLATIONS,	/* u64: handler calls above the ceiling */
	CHAM_A_STAT_TIMESTAMP,		/* u64: cycle counter when these were read */
	/* The slow path (tenants only). */
	CHAM_A_STAT_PUNT_DELIVERED,	/* u64: punted frames sent to the agent */
	CHAM_A_STAT_PUNT_LOST,		/* u64: queued, then lost: the agent went first */
	CHAM_A_STAT_PUNT_CYCLES,	/* u64: cycles spent copying punts and delivering punts and events, charged to the tenant */
	CHAM_A_STAT_EVENTS_DELIVERED,	/* u64: events sent to the agent */
	CHAM_A_STAT_EVENTS_LOST,	/* u64: events for the agent not sent: its queue full, no memory, or the agent went first */
	CHAM_A_STAT_TIMER_CALLS,	/* u64: timer handler calls */
	CHAM_A_STAT_TIMER_CYCLES,	/* u64: cycles spent in them */
	CHAM_A_STAT_MSG_CALLS,		/* u64: slowpath_msg handler calls */
	CHAM_A_STAT_MSG_CYCLES,		/* u64: cycles spent in them */
	CHAM_A_STAT_INJECTED,		/* u64: frames the agent sent out */
	CHAM_A_STAT_LATENCY,		/* nest: CHAM_A_LATENCY_* (tenants only) */
	__CHAM_A_STAT_MAX,
};
#define CHAM_A_STAT_MAX (__CHAM_A_STAT_MAX - 1)

/*
 * The fast-path latency histogram of a tenant, summed over the CPUs: the
 * time from a packet's entry into the fast path to its verdict, for the
 * packets of an accounted tenant that reach one (those its handler ran
 * for, those refused over budget). Only the buckets that counted a
 * packet, in ascending order.
 */
enum cham_latency_attr {
	CHAM_A_LATENCY_UNSPEC,
	CHAM_A_LATENCY_PAD,
	CHAM_A_LATENCY_BUCKET,		/* nest, repeated: CHAM_A_LAT_BUCKET_* */
	__CHAM_A_LATENCY_MAX,
};
#define CHAM_A_LATENCY_MAX (__CHAM_A_LATENCY_MAX - 1)

enum cham_lat_bucket_attr {
	CHAM_A_LAT_BUCKET_UNSPEC,
	CHAM_A_LAT_BUCKET_PAD,
	CHAM_A_LAT_BUCKET_LE_NS,	/* u64: each packet counted took at most this many ns; absent for the last bucket, which has no bound */
	CHAM_A_LAT_BUCKET_COUNT,	/* u64: packets counted */
	__CHAM_A_LAT_BUCKET_MAX,
};
#define CHAM_A_LAT_BUCKET_MAX (__CHAM_A_LAT_BUCKET_MAX - 1)

/*
 * In the counter nests (CHAM_A_STAT_VERDICTS, _DROPS, _PARSE_ERRORS) the
 * attribute type of a counter is its enum value + CHAM_COUNTER_BASE, and
 * CHAM_COUNTER_PAD pads u64 values where the architecture needs it.
 */
#define CHAM_COUNTER_PAD	1
#define CHAM_COUNTER_BASE	2

#endif /* _UAPI_LINUX_CHAMELIO_H */
