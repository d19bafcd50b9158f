/*
 * carp/fsm.h — the CARP state machine for every VHID of one node.
 *
 * Pure: no sockets and no clock. The caller passes the time (seconds, any
 * monotonic origin) into every call, runs carp_fsm_tick() at the deadline
 * the engine returns, and performs the actions through the callbacks in
 * struct carp_fsm_ops. Transitions are a table ({state, event, guard,
 * action, next}) in fsm.c; every state change is reported through
 * ops.transition with its cause, for the timeline.
 *
 * Node-wide demotion: the sum of the sources in enum carp_demote_src is
 * added to every VHID's advskew and advertised as min(advskew + demotion,
 * 240) (FreeBSD net.inet.carp.demotion); any change is announced at once
 * on every VHID this node is MASTER of.
 *
 * Group promotion: when a BACKUP VHID takes over from a worse master
 * (preempt, a demoted peer, or a peer bowing out), every other BACKUP VHID
 * of the node takes over at the same instant, so all VIPs move together.
 */
#ifndef TW_CARP_FSM_H
#define TW_CARP_FSM_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

enum carp_state {
	CARP_S_INIT = 0,	/* link down or not started: no VIP, silent */
	CARP_S_BACKUP,		/* listening, master-down timer running */
	CARP_S_MASTER,		/* VIPs up, advertising */
	CARP_S_DISABLED,	/* temporary disable: no VIP, silent */
	CARP_S_MAX
};

enum carp_event {
	CARP_E_START = 0,
	CARP_E_LINK_UP,
	CARP_E_LINK_DOWN,
	CARP_E_MASTER_DOWN,	/* master-down timer expired */
	CARP_E_ADV_TIMER,	/* time to advertise */
	CARP_E_RX_BETTER,	/* peer advertises more often than we would */
	CARP_E_RX_EQUAL,
	CARP_E_RX_WORSE,	/* peer advertises less often */
	CARP_E_RX_BOWOUT,	/* peer interval > 3 x our advbase */
	CARP_E_DEMOTION,	/* node demotion changed */
	CARP_E_DISABLE,
	CARP_E_ENABLE,
	CARP_E_GROUP,		/* another VHID of this node took over */
	CARP_E_HANDOVER,	/* disable hand-over deadline expired */
	CARP_E_GROUP_DOWN,	/* a better peer took another VHID of ours */
	CARP_E_PEER_DEAD,	/* liveness channel: every path lost (live.h) */
	CARP_E_YIELD,		/* woke from a stall to find the peer MASTER */
	CARP_E_MAX
};

/* Sources of node-wide demotion; the node's demotion is their sum. */
enum carp_demote_src {
	CARP_D_LINK = 0,	/* 240 per CARP interface without link */
	CARP_D_MAINT,		/* persistent maintenance mode: 239 */
	CARP_D_SENDERR,		/* 240 per VHID with 3 send errors in a row */
	CARP_D_DISABLE,		/* temporary disable: 240 */
	CARP_D_EXTERNAL,	/* daemon: service checks, state sync */
	CARP_D_BOOT,		/* the boot apply is not in force: 240 */
	CARP_D_UPSTREAM,	/* every upstream gateway down (upstream.h) */
	CARP_D_MAX
};

#define CARP_DEMOTE_STEP	240
/*
 * Maintenance demotes by one less than a fault: a node in maintenance is
 * healthy and only wants traffic away, so when its peer then loses a link
 * (240) the demote byte tells them apart and every VIP comes back to the
 * maintenance node instead of splitting on a tie at the 240 cap (S3).
 */
#define CARP_DEMOTE_MAINT	(CARP_DEMOTE_STEP - 1)
#define CARP_SENDAD_MAX_ERRORS	3	/* FreeBSD: errors before demotion */
#define CARP_SENDAD_MIN_SUCCESS	3	/* FreeBSD: successes to undo it */

/* One state change, as reported to ops.transition (valid during the call). */
struct carp_transition {
	double		 ct_time;
	uint8_t		 ct_vhid;
	enum carp_state	 ct_from;
	enum carp_state	 ct_to;
	char		 ct_cause[96];
};

/* What an accepted advert told us (from carp_proto_validate). */
struct carp_adv {
	uint8_t		 ca_advbase;
	uint8_t		 ca_advskew;
	uint8_t		 ca_demote;	/* byte 4 (OpenBSD and us), else 0 */
	struct carp_addr ca_src;
};

struct carp_vhid;

/*
 * Actions, all supplied by the caller. send_advert returns 0, or -1 on a
 * send error (counted toward send-error demotion). advskew is the value
 * to put on the wire (demotion included), demote the byte-4 value.
 */
struct carp_fsm_ops {
	int	(*send_advert)(void *, const struct carp_vhid *,
		    uint8_t advskew, uint8_t demote);
	void	(*vip_up)(void *, const struct carp_vhid *);
	void	(*vip_down)(void *, const struct carp_vhid *);
	void	(*garp)(void *, const struct carp_vhid *);
	void	(*transition)(void *, const struct carp_transition *);
	/*
	 * 1 when the peer is alive and says it is MASTER of this VHID by
	 * another path (the liveness channel); NULL: never.
	 */
	int	(*peer_holds)(void *, const struct carp_vhid *);
	void	*arg;
};

/* One VHID. The vh_ fields after vh_cookie are the engine's; read only. */
struct carp_vhid {
	uint8_t		 vh_vhid;
	uint8_t		 vh_advbase;	/* seconds, >= 1 */
	uint8_t		 vh_advskew;	/* configured, before demotion */
	int		 vh_ifindex;	/* interface carrying it */
	void		*vh_cookie;	/* the caller's; never touched */

	enum carp_state	 vh_state;
	int		 vh_link;	/* 1 if vh_ifindex has link */
	double		 vh_t_adv;	/* next advert (MASTER); 0 off */
	double		 vh_t_down;	/* master-down (BACKUP); 0 off */
	double		 vh_t_handover;	/* disable hand-over; 0 off */
	int		 vh_sendad_errors;
	int		 vh_sendad_success;
	int		 vh_senderr_demoted;
	struct carp_addr vh_master;	/* last master heard, ca_af 0 none */
	int		 vh_master_skew; /* its last skew; -1 unknown */
	const char	*vh_why;	/* cause of the event in progress */
	uint8_t		 vh_rx_demoted;	/* last advert showed demotion */
	int		 vh_announce;	/* MASTER, announcement not sent yet */
};

struct carp_node {
	struct carp_vhid	**cn_vhids;	/* owned */
	size_t			 cn_nvhids;
	struct carp_fsm_ops	 cn_ops;
	int			 cn_preempt;	/* !hasync.disablepreempt */
	int			 cn_maintenance;
	int			 cn_disabled;	/* temporary disable */
	int			 cn_started;
	unsigned int		 cn_demote[CARP_D_MAX];
	const char		*cn_name;	/* log prefix; NULL "carp" */
	int			 cn_depth;	/* carp_fsm_dispatch nesting */
	double			 cn_now;	/* time of the event in progress */
	double			 cn_preempt_hold; /* no preempting before */
};

void		 carp_fsm_init(struct carp_node *, const struct carp_fsm_ops *,
		    int preempt);
/* Frees every VHID; the node can be initialised again. */
void		 carp_fsm_free(struct carp_node *);

/*
 * Adds a VHID in INIT with link assumed up. Returns a pointer owned by
 * the node, valid until carp_fsm_free(); NULL (logged) for a duplicate
 * vhid or bad advbase.
 */
struct carp_vhid *carp_fsm_add_vhid(struct carp_node *, uint8_t vhid,
		    uint8_t advbase, uint8_t advskew, int ifindex, void *cookie);
/* Borrowed pointer or NULL. */
struct carp_vhid *carp_fsm_vhid(struct carp_node *, uint8_t vhid);
/*
 * Removes a VHID (reconfiguration): a MASTER's VIPs go down first, and
 * a VHID that was not in INIT reports a transition to INIT with cause
 * why. Its link and send-error demotion are dropped. 0, or -1 if the
 * node has no such vhid.
 */
int		 carp_fsm_del_vhid(struct carp_node *, uint8_t vhid,
		    const char *why, double now);

void		 carp_fsm_start(struct carp_node *, double now);
void		 carp_fsm_link(struct carp_node *, int ifindex, int up, double now);
void		 carp_fsm_rx(struct carp_node *, uint8_t vhid,
		    const struct carp_adv *, double now);
void		 carp_fsm_set_preempt(struct carp_node *, int);
void		 carp_fsm_set_maintenance(struct carp_node *, int, double now);
void		 carp_fsm_set_disabled(struct carp_node *, int, double now);
void		 carp_fsm_set_demotion(struct carp_node *, enum carp_demote_src,
		    unsigned int, double now);

/*
 * Runs every timer due at now; returns the next deadline (absolute, same
 * clock as now), or 0 if nothing is scheduled.
 */
/*
 * The liveness channel declared the peer dead (live.h): every BACKUP
 * VHID the peer held by its last hello (held: 256-bit map, bit v = vhid
 * v) takes over now, and group promotion takes the rest.
 */
void		 carp_fsm_peer_dead(struct carp_node *, const uint8_t *held,
		    double now);
/*
 * This node was frozen past the channel's detection time and the peer's
 * hellos say it took over: every MASTER VHID the peer holds steps down,
 * and preempt is held until hold_until so it does not take them back at
 * the peer's next advert (a second GARP war).
 */
void		 carp_fsm_yield(struct carp_node *, const uint8_t *held,
		    double hold_until, double now);

double		 carp_fsm_tick(struct carp_node *, double now);
double		 carp_fsm_next_deadline(const struct carp_node *);

unsigned int	 carp_fsm_demotion(const struct carp_node *);
/* min(advskew + demotion, 240): what this VHID advertises and compares. */
uint8_t		 carp_fsm_skew(const struct carp_node *, const struct carp_vhid *);
double		 carp_fsm_adv_interval(const struct carp_node *,
		    const struct carp_vhid *);
double		 carp_fsm_master_down_interval(const struct carp_node *,
		    const struct carp_vhid *);
/* Static strings. */
const char	*carp_fsm_state_name(enum carp_state);
const char	*carp_fsm_event_name(enum carp_event);

#endif
