/*
 * carp/engine_up.c — hasync.demoteupstream in the engine's thread: every
 * ENG_UP_PERIOD it asks the source (the gateway monitor, set by the
 * daemon) what this node's upstream gateways say, puts that in the
 * liveness hellos' flags for the peer, reads the peer's from its newest
 * hello, and lets carp/upstream.c decide the CARP_D_UPSTREAM demotion.
 *
 * The flags are sent whether or not this node has the option on: the
 * peer may have it. The engine never calls into the monitor with its
 * lock held by the monitor (the monitor never calls the engine).
 */
#include <stdio.h>
#include <string.h>

#include "engine_int.h"
#include "live.h"
#include "upstream.h"
#include "log.h"

static void	(*eng_up_src)(struct carp_engine_upstream *);

void
carp_engine_upstream_source(void (*fn)(struct carp_engine_upstream *))
{
	ENG_LOCK();
	eng_up_src = fn;
	eng.e_up_next = 0;
	ENG_UNLOCK();
	eng_wake();
}

void
eng_up_run(double now)
{
	struct carp_engine_upstream	 src;
	struct carp_up_in		*in = &eng.e_up_in;
	char				 cause[96];
	double				 next;
	unsigned int			 old;

	if (now < eng.e_up_next)
		return;
	memset(&src, 0, sizeof(src));
	src.eu_state = CARP_UP_L_NONE;
	if (eng_up_src != NULL)
		eng_up_src(&src);
	memset(in, 0, sizeof(*in));
	in->ui_enabled = eng.e_conf != NULL && eng.e_conf->cf_upstream;
	in->ui_live = eng.e_live.cl_enabled;
	in->ui_local = src.eu_state;
	in->ui_hold_down = src.eu_hold_down;
	in->ui_hold_up = src.eu_hold_up;
	/* The peer's word counts only while it is alive and fresh. */
	in->ui_peer = eng.e_live.cl_peer_up ? carp_live_peer_upstream(
	    &eng.e_live, now - carp_live_detect(&eng.e_live)) :
	    CARP_UP_P_UNKNOWN;
	/* Ours for the peer: the raw state, the peer's hold does the rest. */
	eng.e_live.cl_flags = src.eu_state == CARP_UP_L_UP ?
	    CARP_LIVE_F_UPINFO | CARP_LIVE_F_UPSTREAM :
	    src.eu_state == CARP_UP_L_DOWN ? CARP_LIVE_F_UPINFO : 0;
	eng.e_up_next = now + ENG_UP_PERIOD;
	if (!carp_up_eval(&eng.e_up, in, now, &next))
		return;
	old = eng.e_node.cn_demote[CARP_D_UPSTREAM];
	if (eng.e_up.up_demoted)
		log_warnx("carp: demoting this node (%u): %s",
		    CARP_DEMOTE_STEP, carp_up_reason(&eng.e_up));
	else
		log_info("carp: upstream demotion lifted: %s",
		    carp_up_reason(&eng.e_up));
	snprintf(cause, sizeof(cause), "upstream: %s",
	    carp_up_reason(&eng.e_up));
	eng_timeline_node(old, eng.e_up.up_demoted ? CARP_DEMOTE_STEP : 0,
	    cause);
	carp_fsm_set_demotion(&eng.e_node, CARP_D_UPSTREAM,
	    eng.e_up.up_demoted ? CARP_DEMOTE_STEP : 0, now);
}

double
eng_up_next(void)
{
	/* Polled only while someone may use it: the option or the peer. */
	return eng.e_real && eng.e_init ? eng.e_up_next : 0;
}

json_t *
eng_up_obj(double now)
{
	const struct carp_up_in	*in = &eng.e_up_in;
	const struct carp_up	*u = &eng.e_up;

	return json_pack("{s:b,s:b,s:s,s:s,s:s,s:f,s:f,s:f,s:f,s:I}",
	    "enabled", in->ui_enabled,
	    "demoted", u->up_demoted,
	    "local", carp_up_local_name(in->ui_local),
	    "peer", carp_up_peer_name(in->ui_peer),
	    "reason", carp_up_reason(u),
	    "hold_down_s", in->ui_hold_down,
	    "hold_up_s", in->ui_hold_up,
	    /* Seconds until a pending change is taken; -1: none pending. */
	    "pending_s", carp_up_pending(u) ? u->up_due - now : -1.0,
	    "last_change", u->up_changed > 0 ? now - u->up_changed : -1.0,
	    "demotions", (json_int_t)u->up_demotions);
}
