/*
 * carp/upstream.h — "demote CARP when every upstream gateway is down"
 * (hasync.demoteupstream), the decision alone.
 *
 * Pure, like fsm.c and live.c: no clock and no socket. The caller passes
 * what this node's gateway monitor says of its upstream gateways, what
 * the peer's newest liveness hello says of the peer's (live.h, the
 * CARP_LIVE_F_UP* flags), and the time; carp_up_eval() answers whether
 * the node should advertise the CARP_D_UPSTREAM demotion, with the rule
 * that decided it (a row of upstream.c's table) as the reason.
 *
 * Demote only when the peer is better off: alive on the liveness
 * channel and reporting its own upstream up. Two nodes behind one dead
 * ISP are equal, and the configured priorities decide (no flap); a
 * peer we know nothing of (channel off, peer lost, a peer that does not
 * report) is never assumed better.
 *
 * Hysteresis: the wanted state must hold continuously for the row's
 * hold time before it is taken: hold_down to demote (and to lift when
 * the peer loses its upstream too), hold_up to lift when our upstream
 * is back; lifting for "off", "peer lost" or "no peer information" is
 * immediate (nobody to hand the VIPs to, or not asked to).
 */
#ifndef TW_CARP_UPSTREAM_H
#define TW_CARP_UPSTREAM_H

#include <stdint.h>

/* This node's upstream gateways (enabled, defaultgw, monitored). */
enum carp_up_local {
	CARP_UP_L_NONE = 0,	/* none monitored: nothing to judge by */
	CARP_UP_L_PENDING,	/* some without a status yet, none up */
	CARP_UP_L_UP,		/* at least one up */
	CARP_UP_L_DOWN,		/* every one down or forced down */
	CARP_UP_L_MAX
};

/* The peer's, as its liveness hellos say. */
enum carp_up_peer {
	CARP_UP_P_UNKNOWN = 0,	/* channel off, peer lost, or no report */
	CARP_UP_P_UP,
	CARP_UP_P_DOWN,
	CARP_UP_P_MAX
};

struct carp_up_in {
	int			 ui_enabled;	/* hasync.demoteupstream */
	int			 ui_live;	/* the liveness channel is on */
	enum carp_up_local	 ui_local;
	enum carp_up_peer	 ui_peer;
	double			 ui_hold_down;	/* s */
	double			 ui_hold_up;	/* s */
};

struct carp_up {
	int		 up_demoted;	/* the decision in force */
	double		 up_since;	/* wanted != in force since; 0 not */
	double		 up_due;	/* when the pending change is taken */
	double		 up_changed;	/* when up_demoted last changed */
	int		 up_row;	/* the rule that decided last */
	uint64_t	 up_demotions;	/* times demoted */
};

void	 carp_up_init(struct carp_up *);
/*
 * Evaluates in at now. Returns 1 when up_demoted changed (the caller
 * then sets the demotion and logs carp_up_reason()), else 0. *next is
 * when to evaluate again at the latest (0: only on a change of input).
 */
int	 carp_up_eval(struct carp_up *, const struct carp_up_in *, double now,
	    double *next);
/* The rule that decided last: a static sentence for status and log. */
const char *carp_up_reason(const struct carp_up *);
/* 1 when the last rule wants the opposite of what is in force. */
int	 carp_up_pending(const struct carp_up *);
/* Static names for status: "none", "pending", "up", "down"; "unknown". */
const char *carp_up_local_name(enum carp_up_local);
const char *carp_up_peer_name(enum carp_up_peer);

#endif
