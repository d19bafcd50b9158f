/*
 * carp/engine.h — the CARP engine of the root parent: the glue between
 * the state machine (fsm.c), the wire (proto.c, linux.c) and the daemon.
 *
 * One engine per process, one node for every VHID. The parent feeds it
 * the "vip" part of apply snapshots (VIPs, interfaces, hasync); VHIDs
 * whose parameters did not change keep their state. On --platform linux
 * it runs real CARP (raw sockets, virtual-MAC macvlans, rtnetlink link
 * watch). On any other platform it runs SIMULATED CARP: the same FSM,
 * with no sockets, against a simulated peer node (a second FSM that
 * advertises advskew CARP_ENGINE_SIM_SKEW) over an in-memory wire. A lone
 * node thus becomes MASTER after one master-down interval, and
 * maintenance or disable hand the VIPs to the simulated peer as a real
 * pair would: every status and timeline entry is real FSM output.
 *
 * Requests of the daemon's table (daemon.c), answers are new objects:
 *   {"type":"carp_status"}
 *     -> {"status":"ok","carp":{"demotion":N,"maintenance":bool,
 *        "allow":bool,"preempt":bool,"status_msg":"...","simulated":bool,
 *        "demotion_sources":{"link":N,"maintenance":N,"send_errors":N,
 *        "disable":N,"external":N,"boot":N,"upstream":N}},
 *        "vips":[{"uuid","vhid":N,"interface","subnet","subnet_bits":N,
 *        "mode","advbase":N,"advskew":N,"status":"MASTER|BACKUP|INIT|
 *        DISABLED"}], "stats":{"accepted":N,"sent":N,"send_errors":N,
 *        "short":N,"bad_ip":N,...,"own_packet":N,
 *        "proxyarp":{"answered":N,"not_ours":N,"backup":N,...,
 *        "send_errors":N}}, "liveness":{...}, "upstream":{"enabled":b,
 *        "demoted":b,"local":"none|pending|up|down","peer":"unknown|up|
 *        down","reason","hold_down_s","hold_up_s","pending_s",
 *        "last_change","demotions":N}}
 *   {"type":"carp_set","action":"enable"|"disable"|"maintenance","on":b}
 *     -> {"status":"ok","carp":{...as above}}
 *   {"type":"timeline","limit":N}
 *     -> {"status":"ok","total":N,"timeline":[{"time":epoch seconds,
 *        "vhid":N,"interface","from","to","cause"}, newest first]}
 *     (a node-wide entry, the upstream demotion: vhid 0, interface "",
 *     from/to "demotion N")
 *   {"type":"carp_config","snapshot":{...},"maintenance":bool}
 *     (sent by the API child at start: persistent maintenance and the
 *     stored VIPs, before anything is applied)
 */
#ifndef TW_CARP_ENGINE_H
#define TW_CARP_ENGINE_H

#include <jansson.h>
#include <poll.h>
#include <stddef.h>

#include "upstream.h"

#define CARP_ENGINE_TIMELINE	1000	/* transitions kept */
#define CARP_ENGINE_MAXFDS	4	/* liveness, packet, rtnetlink, ARP */
/* Just below maintenance (CARP_DEMOTE_MAINT), so it takes over from it. */
#define CARP_ENGINE_SIM_SKEW	238	/* the simulated peer's advskew */

struct store;
struct carp_engine_conf;

/*
 * real: sockets and devices (platform linux, needs root); otherwise
 * simulated. 0, or -1 (logged) when the sockets cannot be opened.
 */
int	 carp_engine_init(int real);
/*
 * For a platform that should run real CARP but could not open its
 * sockets: no VHID ever leaves INIT, the node stays demoted, and why is
 * in every status answer. Never a simulated peer. 0 or -1.
 */
int	 carp_engine_init_without_sockets(const char *why);
/*
 * The engine's own thread: adverts, master-down timers, the carrier
 * poll and GARP run there, never waiting on the caller's loop (an apply,
 * a state-table dump, the API). The entry points below are safe from any
 * thread. start: 0 or -1; stop joins it (before carp_engine_shutdown).
 */
int	 carp_engine_thread_start(void);
void	 carp_engine_thread_stop(void);
/*
 * Transitions, published by the engine for its subscriber: a descriptor
 * that becomes readable when some are queued, and the read that hands
 * each to fn (from, to: enum carp_state; nmaster: VHIDs of this node
 * MASTER after it), in order. -1 before the thread runs.
 */
int	 carp_engine_pub_fd(void);
void	 carp_engine_pub_read(void (*fn)(int from, int to,
	    unsigned int nmaster));
/* Bows out (advbase 255) of every VHID it is MASTER of, removes VIPs. */
void	 carp_engine_shutdown(void);
/* Tests: the monotonic clock (seconds); NULL restores util_now. */
void	 carp_engine_set_clock(double (*)(void));

/*
 * Two steps so that an apply changes nothing when the CARP part is
 * invalid: conf_new parses and resolves snap (borrowed) and returns a
 * new configuration (free with carp_engine_conf_free), or NULL with the
 * reason in err; conf_commit puts it in force and takes it over.
 */
struct carp_engine_conf *carp_engine_conf_new(json_t *snap, char *err,
	    size_t errlen);
void	 carp_engine_conf_commit(struct carp_engine_conf *);
void	 carp_engine_conf_free(struct carp_engine_conf *);
/* Both steps. 0, or -1 with the reason in err. */
int	 carp_engine_configure(json_t *snap, char *err, size_t errlen);
/* Clears the CARP passwords in snap once nothing needs them. */
void	 carp_engine_wipe_secrets(json_t *snap);
/* 1 when subsys (apply's array; NULL = all) concerns CARP. */
int	 carp_engine_wants(json_t *subsys);

/* The daemon's request handlers: req borrowed, a new answer returned. */
json_t	*carp_engine_req_status(json_t *req);
json_t	*carp_engine_req_set(json_t *req);
json_t	*carp_engine_req_timeline(json_t *req);
json_t	*carp_engine_req_config(json_t *req);

/* Direct controls; 0 or -1. */
int	 carp_engine_set_maintenance(int on);
int	 carp_engine_set_disabled(int on);
/*
 * For state sync (conntrackd resync hold) and service checks: the
 * node-wide external demotion becomes value (0 lifts it, 240 makes the
 * peer take every VIP). 0, or -1 for a negative value.
 */
int	 carp_engine_demote_external(int value);
/*
 * The boot hold: from start until the boot apply is in force the node
 * advertises a demotion of 240 (CARP_D_BOOT) with why as the status
 * message, so it takes no VIP from a healthy peer; a failed boot apply
 * keeps it held with its reason. 0, or -1 before init.
 */
int	 carp_engine_boot_hold(int held, const char *why);
/*
 * hasync.demoteupstream: where the engine's thread asks, a few times a
 * second, what this node's upstream gateways say (the gateway monitor;
 * fn must be safe from any thread and must not call the engine). Set
 * once at start; NULL: no upstream information (never demoted for it,
 * and the hellos report nothing).
 */
struct carp_engine_upstream {
	enum carp_up_local	 eu_state;
	double			 eu_hold_down;	/* s */
	double			 eu_hold_up;	/* s */
};
void	 carp_engine_upstream_source(void (*fn)(struct carp_engine_upstream *));

/* Event loop: descriptors to poll (count), their events, the timers. */
int	 carp_engine_pollfds(struct pollfd *, int max);
void	 carp_engine_events(const struct pollfd *, int n);
/* Milliseconds until the next timer (-1: none); run when due. */
int	 carp_engine_timeout_ms(void);
void	 carp_engine_run(void);

/*
 * Runs in the API child at start: reads persistent maintenance
 * ("carp_maintenance" in the store's kv) and the stored VIPs and sends
 * them to the parent as carp_config. 0, or -1 (logged).
 */
int	 carp_boot_child(struct store *);

#endif
