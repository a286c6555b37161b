/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libchamagent: a tenant's slow path (Documentation/tenant-protocols.md,
 * "Writing an agent").
 *
 * A process of the tenant's owner (or root) opens an agent for its tenant:
 * the library resolves the "chamelio" generic netlink family and registers
 * a socket of its own as the tenant's agent (CHAM_CMD_AGENT_REGISTER).
 * From then on the frames the tenant's handlers punt, the IP fragments of
 * the tenant's traffic and the fast path's events arrive on that socket;
 * cham_agent_fd() is it, for poll(), and cham_agent_dispatch() reads
 * what is waiting and hands it to the caller's callbacks. The registration
 * lasts until the socket is closed (cham_agent_close(), or the process
 * exits or is killed): the module then drops the tenant's punts as
 * no_agent until an agent registers again.
 *
 * Requests (inject a frame, send a message to the protocol's slowpath_msg
 * handler) go over a second socket and wait for the kernel's answer, so a
 * callback may make them while punts queue up on the first.
 *
 * Besides the netlink side, the library has what agents of UDP services
 * need: a reply frame built from a request frame (udp.c), reassembly of
 * the IP fragments the module punts and fragmentation of replies longer
 * than a port's MTU (frag.c).
 *
 * Not thread safe: one thread per struct cham_agent.
 */
#ifndef CHAMAGENT_H
#define CHAMAGENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct cham_agent;

/**
 * struct cham_agent_opts - how an agent is opened
 * @rcvbuf: receive buffer of the punt socket in bytes; 0 for the default
 *	(8 MiB). Root gets it whatever net.core.rmem_max says
 *	(SO_RCVBUFFORCE); others get at most rmem_max. While the buffer is
 *	full the module keeps punts in the tenant's punt queue, and drops
 *	new ones once that is full too (punt_queue_full).
 * @no_register: open only the request socket: inject and msg work (for a
 *	tool or a second process of the tenant), nothing is received
 *
 * A NULL opts, or zeroed members, mean the defaults.
 */
struct cham_agent_opts {
	int rcvbuf;
	int no_register;
};

/**
 * cham_agent_open() - register as a tenant's agent
 * @tenant: the tenant's name, or its id in decimal
 * @opts: options, or NULL
 * @err: where to put a one-line reason on failure, with the kernel's
 *	message (extended ack) when it gave one; may be NULL
 * @err_len: its size
 *
 * Fails with EBUSY when the tenant has an agent already, ENOENT when the
 * tenant does not exist or the caller may not act for it (tenants of
 * others are invisible), ENOENT also without the module loaded.
 *
 * Return: the agent, or NULL with errno set.
 */
struct cham_agent *cham_agent_open(const char *tenant,
				   const struct cham_agent_opts *opts,
				   char *err, size_t err_len);

/**
 * cham_agent_close() - end the registration and free the agent
 * @agent: the agent, or NULL
 */
void cham_agent_close(struct cham_agent *agent);

/**
 * cham_agent_fd() - the socket punts and events arrive on, for poll()
 * @agent: the agent
 *
 * Return: a file descriptor (POLLIN: call cham_agent_dispatch()), or -1
 * for an agent opened with &cham_agent_opts.no_register.
 */
int cham_agent_fd(const struct cham_agent *agent);

/**
 * struct cham_agent_punt - a frame handed to the agent (CHAM_CMD_AGENT_PUNT)
 * @tenant_id: the tenant
 * @origin: &enum cham_punt_origin: the handler punted it
 *	(CHAM_PUNT_HANDLER), or it is an IP fragment (CHAM_PUNT_FRAGMENT)
 * @code: the handler's code (bpf_cham_punt()); 0 for a fragment
 * @ifindex: the port it arrived on (or the host side of a guest's link)
 * @guest_id: the guest that sent it, 0 for a frame from the network
 * @frame: the Ethernet frame, as the handler left it; valid during the
 *	callback only
 * @len: its length
 */
struct cham_agent_punt {
	uint32_t tenant_id;
	uint8_t origin;
	uint32_t code;
	uint32_t ifindex;
	uint32_t guest_id;
	const uint8_t *frame;
	size_t len;
};

/**
 * struct cham_agent_notice - the fast path tells the agent something
 * (CHAM_CMD_AGENT_EVENT)
 * @tenant_id: the tenant
 * @type: &enum cham_agent_event
 * @code: what it says: the violations (ejected), the CPU (budget low), the
 *	handler's code (bpf_cham_agent_notify())
 * @data: up to CHAM_AGENT_EVENT_DATA_MAX bytes of the handler's, or NULL;
 *	valid during the callback only
 * @len: their length
 */
struct cham_agent_notice {
	uint32_t tenant_id;
	uint32_t type;
	uint32_t code;
	const uint8_t *data;
	size_t len;
};

/**
 * struct cham_agent_handlers - what cham_agent_dispatch() calls
 * @punt: for each punted frame; may be NULL (punts are then read and
 *	dropped)
 * @event: for each event; may be NULL
 */
struct cham_agent_handlers {
	void (*punt)(struct cham_agent *agent, const struct cham_agent_punt *punt,
		     void *user);
	void (*event)(struct cham_agent *agent,
		      const struct cham_agent_notice *event, void *user);
};

/**
 * cham_agent_dispatch() - handle what has arrived, without waiting
 * @agent: the agent
 * @handlers: the callbacks
 * @user: passed to them
 *
 * Reads every message waiting on the punt socket and calls the callbacks,
 * then returns. An overrun of the socket (ENOBUFS: messages were lost,
 * how many the module's punt_lost and events_lost counters say) is counted
 * (cham_agent_overruns()) and reading goes on; it is not an error.
 *
 * Return: how many punts and events were handled, or a negative errno
 * (-EINVAL for an agent opened with &cham_agent_opts.no_register).
 */
int cham_agent_dispatch(struct cham_agent *agent,
			const struct cham_agent_handlers *handlers, void *user);

/**
 * cham_agent_overruns() - how often the punt socket overflowed
 * @agent: the agent
 *
 * Each overrun lost one message or more.
 */
uint64_t cham_agent_overruns(const struct cham_agent *agent);

/**
 * cham_agent_inject_port() - send a frame out of a port of the tenant
 * @agent: the agent
 * @ifindex: a port the admin assigned to the tenant
 * @frame: an Ethernet frame from the port's MAC address and an address
 *	(and transport port) the tenant may send from; an IP fragment is
 *	accepted when its source address and protocol are the tenant's
 * @len: at most the port's MTU plus the Ethernet header (and VLAN tags)
 *
 * Validated like what a handler sends. Refusals: EINVAL (does not
 * parse), EPERM (source or port not the tenant's), ENODEV (not a
 * Chamelio port), EMSGSIZE (longer than the MTU: see
 * cham_ip_fragment()); cham_agent_last_error() says why.
 *
 * Return: 0 or a negative errno.
 */
int cham_agent_inject_port(struct cham_agent *agent, uint32_t ifindex,
			   const void *frame, size_t len);

/**
 * cham_agent_inject_guest() - deliver a frame to one of the tenant's guests
 * @agent: the agent
 * @guest_id: the guest
 * @frame: an untagged Ethernet frame that parses as IPv4 or IPv6
 * @len: its length
 *
 * Return: 0 or a negative errno (ENOENT: no such guest; EPERM: another
 * tenant's).
 */
int cham_agent_inject_guest(struct cham_agent *agent, uint32_t guest_id,
			    const void *frame, size_t len);

/**
 * cham_agent_msg() - send a message to the protocol's slowpath_msg handler
 * @agent: the agent
 * @type: the message type, the protocol's own numbering
 * @flow: a flow id, or 0
 * @data: the message, read by the handler with bpf_cham_msg_read(); may
 *	be NULL when @len is 0
 * @len: at most CHAM_AGENT_MSG_MAX bytes
 * @result: where the handler's return value goes
 *
 * The handler runs before the call returns, so what it changed (a map) is
 * in place for the next packet. Refusals: ENOENT (the tenant has no
 * protocol), EOPNOTSUPP (the protocol has no slowpath_msg handler).
 *
 * Return: 0 when the handler ran, or a negative errno.
 */
int cham_agent_msg(struct cham_agent *agent, uint32_t type, uint32_t flow,
		   const void *data, size_t len, int32_t *result);

/**
 * cham_agent_last_error() - why the last request failed
 * @agent: the agent
 *
 * Return: the kernel's message (extended ack) of the last refused
 * request, or a description of a local failure; "" when there is none.
 */
const char *cham_agent_last_error(const struct cham_agent *agent);

/* ---- UDP replies (udp.c) ------------------------------------------------ */

/**
 * struct cham_udp_view - where the parts of a UDP frame are
 * @family: AF_INET or AF_INET6
 * @l3_off: offset of the IP header (after the Ethernet header and VLAN tags)
 * @l4_off: offset of the UDP header
 * @payload_off: offset of the payload
 * @payload_len: its length, as the UDP header says
 * @src_port: UDP source port, host order
 * @dst_port: UDP destination port, host order
 */
struct cham_udp_view {
	int family;
	size_t l3_off;
	size_t l4_off;
	size_t payload_off;
	size_t payload_len;
	uint16_t src_port;
	uint16_t dst_port;
};

/**
 * cham_udp_parse() - find the parts of an unfragmented UDP datagram
 * @frame: an Ethernet frame, with up to two VLAN tags
 * @len: its length
 * @view: filled in
 *
 * IPv6 extension headers are walked (hop-by-hop, routing, destination
 * options); a fragment is refused (reassemble it first).
 *
 * Return: 0, or -EINVAL when it is not a whole, consistent UDP datagram.
 */
int cham_udp_parse(const void *frame, size_t len, struct cham_udp_view *view);

/**
 * cham_udp_csum_valid() - is the UDP checksum right?
 * @frame: a frame cham_udp_parse() accepted
 * @view: its view
 *
 * A zero checksum over IPv4 means none and is valid; over IPv6 it is not.
 *
 * Return: 1 when valid, 0 when not.
 */
int cham_udp_csum_valid(const void *frame, const struct cham_udp_view *view);

/**
 * cham_udp_reply() - build the reply to a UDP datagram
 * @request: the request frame (cham_udp_parse() must accept it)
 * @request_len: its length
 * @payload: the reply's payload
 * @payload_len: its length (the IP datagram may exceed the MTU: then
 *	cut it with cham_ip_fragment())
 * @out: where the reply frame goes
 * @out_size: its size
 *
 * The reply goes back the way the request came: Ethernet addresses, IP
 * addresses and UDP ports swapped, the same VLAN tags, a fresh IP header
 * (IPv4 without options, TTL 64, a new identification, not DF; IPv6 hop
 * limit 64, same traffic class and flow label, no extension headers), and
 * the IP and UDP checksums computed.
 *
 * Return: the reply's length, -EINVAL when @request is no UDP datagram,
 * -EMSGSIZE when the reply does not fit @out or one IP datagram.
 */
ssize_t cham_udp_reply(const void *request, size_t request_len,
		       const void *payload, size_t payload_len,
		       void *out, size_t out_size);

/**
 * cham_udp_swap() - turn a UDP frame into its own echo, in place
 * @frame: the frame (cham_udp_parse() must accept it)
 * @len: its length
 *
 * Swaps the Ethernet and IP addresses and the UDP ports; the IPv4 TTL and
 * IPv6 hop limit become 64 and the checksums are recomputed.
 *
 * Return: 0 or -EINVAL.
 */
int cham_udp_swap(void *frame, size_t len);

/* ---- IP fragments (frag.c) -------------------------------------------- */

struct cham_reasm;

/**
 * struct cham_reasm_opts - bounds of a reassembler
 * @max_datagrams: datagrams being reassembled at once (default 64); a
 *	fragment of one more evicts the oldest
 * @max_bytes: bytes held for them (default 4 MiB), likewise
 * @timeout_ms: how long a datagram may take to complete (default 30000,
 *	as Linux's ipfrag_time); cham_reasm_expire() drops the older ones
 */
struct cham_reasm_opts {
	unsigned int max_datagrams;
	size_t max_bytes;
	unsigned int timeout_ms;
};

/**
 * struct cham_reasm_stats - what a reassembler did
 * @fragments: fragments taken
 * @reassembled: datagrams completed
 * @timed_out: datagrams dropped incomplete after the timeout
 * @evicted: datagrams dropped incomplete to make room
 * @invalid: fragments refused: malformed, overlapping differently, or
 *	beyond 64 KiB
 */
struct cham_reasm_stats {
	uint64_t fragments;
	uint64_t reassembled;
	uint64_t timed_out;
	uint64_t evicted;
	uint64_t invalid;
};

/**
 * cham_reasm_new() - a reassembler of IPv4 and IPv6 fragments
 * @opts: its bounds, or NULL for the defaults
 *
 * Return: the reassembler, or NULL (ENOMEM).
 */
struct cham_reasm *cham_reasm_new(const struct cham_reasm_opts *opts);

/**
 * cham_reasm_free() - free a reassembler and what it holds
 * @reasm: the reassembler, or NULL
 */
void cham_reasm_free(struct cham_reasm *reasm);

/**
 * cham_reasm_add() - add a fragment
 * @reasm: the reassembler
 * @frame: an Ethernet frame holding an IPv4 or IPv6 fragment
 * @len: its length
 * @now_ms: the time, in milliseconds of any monotonic clock
 * @out: where the whole datagram goes once complete
 * @out_size: its size (a datagram can be up to 65535 bytes plus the
 *	Ethernet header)
 * @out_len: its length, when complete
 *
 * Fragments are matched by addresses, protocol and identification, in any
 * order; duplicates are accepted. The datagram is rebuilt as one frame:
 * the Ethernet header (and VLAN tags) of its first fragment, an IP header
 * without fragmentation (IPv4: offset 0, new checksum; IPv6: the fragment
 * header removed) and the whole payload, ready for cham_udp_parse().
 *
 * Return: 1 when the datagram is complete (in @out), 0 when more
 * fragments are needed, -EINVAL for a fragment refused (counted invalid),
 * -EMSGSIZE when @out is too small (the datagram is dropped).
 */
int cham_reasm_add(struct cham_reasm *reasm, const void *frame, size_t len,
		   uint64_t now_ms, void *out, size_t out_size, size_t *out_len);

/**
 * cham_reasm_expire() - drop the datagrams older than the timeout
 * @reasm: the reassembler
 * @now_ms: the time, on the clock of cham_reasm_add()
 *
 * Call it now and then (every second is plenty).
 *
 * Return: how many were dropped.
 */
unsigned int cham_reasm_expire(struct cham_reasm *reasm, uint64_t now_ms);

/**
 * cham_reasm_stats() - what the reassembler did so far
 * @reasm: the reassembler
 * @stats: filled in
 */
void cham_reasm_stats(const struct cham_reasm *reasm,
		      struct cham_reasm_stats *stats);

/**
 * cham_ip_is_fragment() - is the frame an IPv4 or IPv6 fragment?
 * @frame: an Ethernet frame
 * @len: its length
 *
 * Return: 1 or 0.
 */
int cham_ip_is_fragment(const void *frame, size_t len);

/**
 * typedef cham_frag_fn - called for each fragment cham_ip_fragment() cuts
 * @frame: the fragment, a whole Ethernet frame; valid during the call
 * @len: its length, at most the MTU plus the link headers
 * @arg: the caller's
 *
 * Return: 0 to go on, or a negative errno to stop (cham_ip_fragment()
 * returns it).
 */
typedef int (*cham_frag_fn)(const void *frame, size_t len, void *arg);

/**
 * cham_ip_fragment() - cut an IP datagram to fit an MTU
 * @frame: an Ethernet frame of an unfragmented IPv4 or IPv6 datagram
 *	(VLAN tags allowed), for instance from cham_udp_reply()
 * @len: its length
 * @mtu: the MTU of the link it leaves by (IP datagram bytes per frame)
 * @fn: called for each frame to send, in order
 * @arg: passed to @fn
 *
 * A datagram that fits is passed to @fn unchanged. Otherwise IPv4
 * fragments share a new identification and carry the options RFC 791
 * copies (a datagram with DF set is refused, -EMSGSIZE); IPv6 fragments
 * share a new identification in a fragment header after the
 * unfragmentable part of RFC 8200: the IPv6 header, a hop-by-hop options
 * header, a routing header and destination options ahead of it; other
 * extension headers travel in the fragments' payload. Each fragment
 * carries a multiple of 8 payload bytes but the last.
 *
 * Return: how many frames were passed to @fn, -EINVAL when @frame is no IP
 * datagram or is a fragment, -EMSGSIZE when the MTU leaves no room, or
 * @fn's error.
 */
int cham_ip_fragment(const void *frame, size_t len, unsigned int mtu,
		     cham_frag_fn fn, void *arg);

/**
 * cham_port_mtu() - the MTU of a network device
 * @ifindex: the device (a port: punts say which, &cham_agent_punt.ifindex)
 *
 * Return: the MTU, or a negative errno.
 */
int cham_port_mtu(uint32_t ifindex);

#ifdef __cplusplus
}
#endif

#endif /* CHAMAGENT_H */
