/*
 * carp/fsm.c — table-driven CARP state machine, one node, many VHIDs.
 *
 * The receive rules follow FreeBSD ip_carp.c carp_input_c() (MASTER steps
 * down on an advert at least as frequent as its own; BACKUP preempts a
 * slower master, and treats a master advertising slower than 3 x advbase
 * as gone) with two additions of ours: a BACKUP takes over from
 * a master that advertises demotion even without preempt (OpenBSD does so
 * for its demote byte), and such a takeover promotes every VHID of the
 * node at once (group promotion).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fsm.h"
#include "log.h"
#include "util.h"

struct carp_fsm_row;
typedef int	(*carp_guard_fn)(struct carp_node *, struct carp_vhid *);
typedef void	(*carp_action_fn)(struct carp_node *, struct carp_vhid *,
		    double);

#define CARP_FSM_NAME(cn)	((cn)->cn_name != NULL ? (cn)->cn_name : "carp")
#define CARP_ROW_GROUP	0x01	/* after the transition, promote the rest */
#define CARP_ROW_GROUPDOWN 0x02	/* after it, step down from the rest */

struct carp_fsm_row {
	enum carp_state	 state;
	enum carp_event	 event;
	carp_guard_fn	 guard;		/* NULL: always */
	carp_action_fn	 action;
	enum carp_state	 next;
	int		 flags;
	const char	*cause;		/* for the timeline */
};

static const char *carp_state_names[CARP_S_MAX] = {
	"INIT", "BACKUP", "MASTER", "DISABLED"
};

static const char *carp_event_names[CARP_E_MAX] = {
	"start", "link_up", "link_down", "master_down", "adv_timer",
	"rx_better", "rx_equal", "rx_worse", "rx_bowout", "demotion",
	"disable", "enable", "group", "handover", "group_down", "peer_dead",
	"yield"
};

const char *
carp_fsm_state_name(enum carp_state s)
{
	return (int)s >= 0 && s < CARP_S_MAX ? carp_state_names[s] : "?";
}

const char *
carp_fsm_event_name(enum carp_event e)
{
	return (int)e >= 0 && e < CARP_E_MAX ? carp_event_names[e] : "?";
}

unsigned int
carp_fsm_demotion(const struct carp_node *cn)
{
	unsigned int	sum = 0;
	int		i;

	for (i = 0; i < CARP_D_MAX; i++)
		sum += cn->cn_demote[i];
	return sum;
}

/*
 * FreeBSD compares and sends advskew + net.inet.carp.demotion clamped
 * to 0..CARP_MAXSKEW (240).
 */
uint8_t
carp_fsm_skew(const struct carp_node *cn, const struct carp_vhid *vh)
{
	unsigned int s = vh->vh_advskew + carp_fsm_demotion(cn);

	return s > CARP_MAXSKEW ? CARP_MAXSKEW : (uint8_t)s;
}

static uint8_t
carp_fsm_demote_byte(const struct carp_node *cn)
{
	unsigned int d = carp_fsm_demotion(cn);

	return d > 255 ? 255 : (uint8_t)d;
}

/* Advert interval = advbase + advskew/256 s. */
double
carp_fsm_adv_interval(const struct carp_node *cn, const struct carp_vhid *vh)
{
	return vh->vh_advbase + carp_fsm_skew(cn, vh) / 256.0;
}

/* Master-down = 3 x advbase + advskew/256 s (FreeBSD, not OpenBSD's 3x). */
double
carp_fsm_master_down_interval(const struct carp_node *cn,
    const struct carp_vhid *vh)
{
	return 3.0 * vh->vh_advbase + carp_fsm_skew(cn, vh) / 256.0;
}

/* Guards. */

static int
g_link(struct carp_node *cn, struct carp_vhid *vh)
{
	(void)cn;
	return vh->vh_link;
}

static int
g_started(struct carp_node *cn, struct carp_vhid *vh)
{
	(void)vh;
	return cn->cn_started;
}

/* Preempt, unless held after a yield (carp_fsm_yield). */
static int
g_preempt(struct carp_node *cn, struct carp_vhid *vh)
{
	(void)vh;
	return cn->cn_preempt && cn->cn_now >= cn->cn_preempt_hold;
}

static int
g_peer_demoted(struct carp_node *cn, struct carp_vhid *vh)
{
	(void)cn;
	return vh->vh_rx_demoted;
}

/*
 * Every VHID of the node advertises the same timing. Only then may one
 * VHID's better peer stand for all of them: with mixed skews, releasing
 * every VHID on one VHID's advert would fight the peer's promotion.
 */
static int
g_uniform(struct carp_node *cn, struct carp_vhid *vh)
{
	size_t i;

	for (i = 0; i < cn->cn_nvhids; i++)
		if (cn->cn_vhids[i]->vh_advbase != vh->vh_advbase ||
		    cn->cn_vhids[i]->vh_advskew != vh->vh_advskew)
			return 0;
	return 1;
}

/*
 * The master's adverts stopped on this VHID's segment, but the master
 * still says over the liveness channel's other paths that it holds it:
 * one segment is cut between the nodes (a switch port dropping frames
 * with carrier up), and taking over would make two MASTERs.
 */
static int
g_peer_holds(struct carp_node *cn, struct carp_vhid *vh)
{
	return cn->cn_ops.peer_holds != NULL &&
	    cn->cn_ops.peer_holds(cn->cn_ops.arg, vh);
}

static int
g_disabled(struct carp_node *cn, struct carp_vhid *vh)
{
	(void)vh;
	return cn->cn_disabled;
}

/* Actions. */

/*
 * Lifts a VHID's send-error demotion. Besides FreeBSD's three good sends
 * in a row (only possible as MASTER) this happens when its link comes
 * back and on enable: a demoted BACKUP never sends, so without a fresh
 * start the demotion would stick forever.
 */
static void
carp_fsm_senderr_clear(struct carp_node *cn, struct carp_vhid *vh)
{
	if (vh->vh_senderr_demoted)
		cn->cn_demote[CARP_D_SENDERR] -= CARP_DEMOTE_STEP;
	vh->vh_senderr_demoted = 0;
	vh->vh_sendad_errors = 0;
	vh->vh_sendad_success = 0;
}

/*
 * Sends one advert and rearms the advert timer. Send errors are counted
 * the FreeBSD way: CARP_SENDAD_MAX_ERRORS in a row demote the node,
 * CARP_SENDAD_MIN_SUCCESS good sends in a row undo it.
 */
static void
carp_fsm_advertise(struct carp_node *cn, struct carp_vhid *vh, double now)
{
	int rc = -1;

	if (cn->cn_ops.send_advert != NULL)
		rc = cn->cn_ops.send_advert(cn->cn_ops.arg, vh,
		    carp_fsm_skew(cn, vh), carp_fsm_demote_byte(cn));
	if (rc == -1) {
		vh->vh_sendad_success = 0;
		if (vh->vh_sendad_errors < CARP_SENDAD_MAX_ERRORS &&
		    ++vh->vh_sendad_errors == CARP_SENDAD_MAX_ERRORS &&
		    !vh->vh_senderr_demoted) {
			log_warnx("carp: vhid %u: %d send errors in a row, "
			    "demoting", vh->vh_vhid, CARP_SENDAD_MAX_ERRORS);
			vh->vh_senderr_demoted = 1;
			cn->cn_demote[CARP_D_SENDERR] += CARP_DEMOTE_STEP;
		}
	} else if (vh->vh_senderr_demoted) {
		if (++vh->vh_sendad_success >= CARP_SENDAD_MIN_SUCCESS) {
			log_info("carp: vhid %u: sending again, demotion "
			    "lifted", vh->vh_vhid);
			carp_fsm_senderr_clear(cn, vh);
		}
	} else
		vh->vh_sendad_errors = 0;
	vh->vh_t_adv = now + carp_fsm_adv_interval(cn, vh);
}

static void
a_stop(struct carp_node *cn, struct carp_vhid *vh, double now)
{
	(void)cn;
	(void)now;
	vh->vh_t_adv = vh->vh_t_down = vh->vh_t_handover = 0;
}

static void
a_restart_down(struct carp_node *cn, struct carp_vhid *vh, double now)
{
	vh->vh_t_down = now + carp_fsm_master_down_interval(cn, vh);
}

static void
a_to_backup(struct carp_node *cn, struct carp_vhid *vh, double now)
{
	a_stop(cn, vh, now);
	a_restart_down(cn, vh, now);
}

static void
a_master_off(struct carp_node *cn, struct carp_vhid *vh, double now)
{
	a_stop(cn, vh, now);
	if (cn->cn_ops.vip_down != NULL)
		cn->cn_ops.vip_down(cn->cn_ops.arg, vh);
}

static void
a_master_to_backup(struct carp_node *cn, struct carp_vhid *vh, double now)
{
	a_master_off(cn, vh, now);
	a_restart_down(cn, vh, now);
}

/*
 * Becoming MASTER: VIPs up now; the gratuitous ARP / unsolicited NA and
 * an advert follow once every VHID taken in the same event is up
 * (carp_fsm_dispatch), so the old master and the switches learn it at
 * once, but not before this node can receive for all of them.
 */
static void
a_become_master(struct carp_node *cn, struct carp_vhid *vh, double now)
{
	a_stop(cn, vh, now);
	if (cn->cn_ops.vip_up != NULL)
		cn->cn_ops.vip_up(cn->cn_ops.arg, vh);
	vh->vh_announce = 1;
}

static void
a_advertise(struct carp_node *cn, struct carp_vhid *vh, double now)
{
	carp_fsm_advertise(cn, vh, now);
}

/*
 * MASTER hearing a slower master (both are MASTER): like ucarp, assert
 * ourselves at once, advert and gratuitous ARP, so the other steps down
 * and the switches point at us again without waiting an interval.
 */
static void
a_reassert(struct carp_node *cn, struct carp_vhid *vh, double now)
{
	if (cn->cn_ops.garp != NULL)
		cn->cn_ops.garp(cn->cn_ops.arg, vh);
	carp_fsm_advertise(cn, vh, now);
}

/*
 * Temporary disable on a MASTER: keep the VIPs while the demoted adverts
 * (sent by the demotion announcement) make the peer take over, and go
 * DISABLED when its advert arrives, or after a master-down interval if
 * nobody takes over. Make-before-break instead of a 3 s gap.
 */
static void
a_handover(struct carp_node *cn, struct carp_vhid *vh, double now)
{
	vh->vh_t_handover = now + carp_fsm_master_down_interval(cn, vh);
}

static void
a_cancel_handover(struct carp_node *cn, struct carp_vhid *vh, double now)
{
	(void)cn;
	(void)now;
	vh->vh_t_handover = 0;
}

/*
 * The transition table. The first row matching (state, event) whose
 * guard holds is taken; an event without a row is ignored in that state.
 */
static const struct carp_fsm_row carp_fsm_table[] = {
	{ CARP_S_INIT, CARP_E_START, g_disabled, a_stop, CARP_S_DISABLED, 0,
	    "started while temporarily disabled" },
	{ CARP_S_INIT, CARP_E_START, g_link, a_to_backup, CARP_S_BACKUP, 0,
	    "started" },
	{ CARP_S_INIT, CARP_E_LINK_UP, g_started, a_to_backup, CARP_S_BACKUP,
	    0, "link up" },
	{ CARP_S_INIT, CARP_E_DISABLE, NULL, a_stop, CARP_S_DISABLED, 0,
	    "temporarily disabled" },

	{ CARP_S_BACKUP, CARP_E_LINK_DOWN, NULL, a_stop, CARP_S_INIT, 0,
	    "link down" },
	{ CARP_S_BACKUP, CARP_E_MASTER_DOWN, g_peer_holds, a_restart_down,
	    CARP_S_BACKUP, 0, NULL },
	{ CARP_S_BACKUP, CARP_E_MASTER_DOWN, NULL, a_become_master,
	    CARP_S_MASTER, 0, "master-down timer expired" },
	{ CARP_S_BACKUP, CARP_E_RX_BETTER, NULL, a_restart_down,
	    CARP_S_BACKUP, 0, NULL },
	{ CARP_S_BACKUP, CARP_E_RX_EQUAL, NULL, a_restart_down,
	    CARP_S_BACKUP, 0, NULL },
	/* FreeBSD: with preempt, treat a slower master as down. */
	{ CARP_S_BACKUP, CARP_E_RX_WORSE, g_preempt, a_become_master,
	    CARP_S_MASTER, CARP_ROW_GROUP, "preempting a slower master" },
	/* As OpenBSD's demote: a demoted master is left at once. */
	{ CARP_S_BACKUP, CARP_E_RX_WORSE, g_peer_demoted, a_become_master,
	    CARP_S_MASTER, CARP_ROW_GROUP, "master advertises demotion" },
	{ CARP_S_BACKUP, CARP_E_RX_WORSE, NULL, a_restart_down,
	    CARP_S_BACKUP, 0, NULL },
	/* FreeBSD: a master slower than 3 x our advbase will time out. */
	{ CARP_S_BACKUP, CARP_E_RX_BOWOUT, NULL, a_become_master,
	    CARP_S_MASTER, CARP_ROW_GROUP,
	    "master advertises slower than 3 x advbase" },
	{ CARP_S_BACKUP, CARP_E_GROUP, NULL, a_become_master, CARP_S_MASTER,
	    0, "group promotion" },
	/*
	 * The liveness channel lost every path to the master at once: it
	 * is dead or frozen, not cut off on one link (live.h). All VIPs
	 * move together, as on any other takeover.
	 */
	{ CARP_S_BACKUP, CARP_E_PEER_DEAD, NULL, a_become_master,
	    CARP_S_MASTER, CARP_ROW_GROUP, "peer liveness lost" },
	{ CARP_S_BACKUP, CARP_E_DISABLE, NULL, a_stop, CARP_S_DISABLED, 0,
	    "temporarily disabled" },

	{ CARP_S_MASTER, CARP_E_LINK_DOWN, NULL, a_master_off, CARP_S_INIT, 0,
	    "link down" },
	{ CARP_S_MASTER, CARP_E_ADV_TIMER, NULL, a_advertise, CARP_S_MASTER,
	    0, NULL },
	{ CARP_S_MASTER, CARP_E_DEMOTION, NULL, a_advertise, CARP_S_MASTER,
	    0, NULL },
	{ CARP_S_MASTER, CARP_E_RX_BETTER, g_disabled, a_master_off,
	    CARP_S_DISABLED, 0, "handed over (temporary disable)" },
	{ CARP_S_MASTER, CARP_E_RX_EQUAL, g_disabled, a_master_off,
	    CARP_S_DISABLED, 0, "handed over (temporary disable)" },
	/*
	 * FreeBSD: an advert at least as frequent as ours -> BACKUP. A peer
	 * that took one VHID by being better promotes all of its group at
	 * once (twinwall), so every VHID is released now rather than one per
	 * advert: otherwise the VIPs sit on different nodes for a moment.
	 */
	{ CARP_S_MASTER, CARP_E_RX_BETTER, g_uniform, a_master_to_backup,
	    CARP_S_BACKUP, CARP_ROW_GROUPDOWN, "more frequent advert received" },
	{ CARP_S_MASTER, CARP_E_RX_BETTER, NULL, a_master_to_backup,
	    CARP_S_BACKUP, 0, "more frequent advert received" },
	{ CARP_S_MASTER, CARP_E_GROUP_DOWN, NULL, a_master_to_backup,
	    CARP_S_BACKUP, 0, "group step-down" },
	{ CARP_S_MASTER, CARP_E_RX_EQUAL, NULL, a_master_to_backup,
	    CARP_S_BACKUP, 0, "equally frequent advert received" },
	{ CARP_S_MASTER, CARP_E_RX_WORSE, NULL, a_reassert, CARP_S_MASTER, 0,
	    NULL },
	{ CARP_S_MASTER, CARP_E_RX_BOWOUT, NULL, a_reassert, CARP_S_MASTER, 0,
	    NULL },
	{ CARP_S_MASTER, CARP_E_DISABLE, NULL, a_handover, CARP_S_MASTER, 0,
	    NULL },
	{ CARP_S_MASTER, CARP_E_ENABLE, NULL, a_cancel_handover,
	    CARP_S_MASTER, 0, NULL },
	/* Frozen, declared dead and replaced: the newer master stays. */
	{ CARP_S_MASTER, CARP_E_YIELD, NULL, a_master_to_backup,
	    CARP_S_BACKUP, 0, "peer took over while this node was frozen" },
	{ CARP_S_MASTER, CARP_E_HANDOVER, NULL, a_master_off,
	    CARP_S_DISABLED, 0, "temporarily disabled, no peer took over" },

	{ CARP_S_DISABLED, CARP_E_ENABLE, g_link, a_to_backup, CARP_S_BACKUP,
	    0, "enabled" },
	{ CARP_S_DISABLED, CARP_E_ENABLE, NULL, a_stop, CARP_S_INIT, 0,
	    "enabled, link down" },
};

static void	carp_fsm_dispatch(struct carp_node *, struct carp_vhid *,
		    enum carp_event, double, const char *);
static void	carp_fsm_takeover_announce(struct carp_node *, double);

static void
carp_fsm_group_promote(struct carp_node *cn, struct carp_vhid *from,
    double now)
{
	char	 why[80];
	size_t	 i;

	snprintf(why, sizeof(why), "vhid %u taken over", from->vh_vhid);
	for (i = 0; i < cn->cn_nvhids; i++)
		if (cn->cn_vhids[i] != from &&
		    cn->cn_vhids[i]->vh_state == CARP_S_BACKUP)
			carp_fsm_dispatch(cn, cn->cn_vhids[i], CARP_E_GROUP,
			    now, why);
}

static void
carp_fsm_group_stepdown(struct carp_node *cn, struct carp_vhid *from,
    double now)
{
	char	 why[80];
	size_t	 i;

	snprintf(why, sizeof(why), "vhid %u taken by a better peer",
	    from->vh_vhid);
	for (i = 0; i < cn->cn_nvhids; i++)
		if (cn->cn_vhids[i] != from &&
		    cn->cn_vhids[i]->vh_state == CARP_S_MASTER)
			carp_fsm_dispatch(cn, cn->cn_vhids[i],
			    CARP_E_GROUP_DOWN, now, why);
}

static void
carp_fsm_dispatch(struct carp_node *cn, struct carp_vhid *vh,
    enum carp_event ev, double now, const char *detail)
{
	const struct carp_fsm_row	*r = NULL;
	struct carp_transition		 t;
	size_t				 i;

	cn->cn_now = now;		/* the guards read it */
	for (i = 0; i < nitems(carp_fsm_table); i++) {
		r = &carp_fsm_table[i];
		if (r->state == vh->vh_state && r->event == ev &&
		    (r->guard == NULL || r->guard(cn, vh)))
			break;
		r = NULL;
	}
	if (r == NULL)
		return;
	cn->cn_depth++;

	t.ct_time = now;
	t.ct_vhid = vh->vh_vhid;
	t.ct_from = vh->vh_state;
	t.ct_to = r->next;
	if (detail != NULL)
		snprintf(t.ct_cause, sizeof(t.ct_cause), "%s: %s",
		    r->cause ? r->cause : carp_fsm_event_name(ev), detail);
	else
		snprintf(t.ct_cause, sizeof(t.ct_cause), "%s",
		    r->cause ? r->cause : carp_fsm_event_name(ev));

	vh->vh_state = r->next;
	if (t.ct_from != t.ct_to) {
		log_info("%s: vhid %u: %s -> %s (%s)", CARP_FSM_NAME(cn),
		    vh->vh_vhid,
		    carp_fsm_state_name(t.ct_from),
		    carp_fsm_state_name(t.ct_to), t.ct_cause);
		if (cn->cn_ops.transition != NULL)
			cn->cn_ops.transition(cn->cn_ops.arg, &t);
	}
	r->action(cn, vh, now);
	if (r->flags & CARP_ROW_GROUP)
		carp_fsm_group_promote(cn, vh, now);
	if (r->flags & CARP_ROW_GROUPDOWN)
		carp_fsm_group_stepdown(cn, vh, now);
	if (--cn->cn_depth == 0)
		carp_fsm_takeover_announce(cn, now);
}

/*
 * The announcements of the VHIDs just taken, after all of them are up.
 * Taken one by one, the first advert made the old master step down
 * while this node was still bringing up the next VHID (an rtnetlink call
 * can wait 10 ms on the kernel's lock), and replies to that VHID's
 * virtual MAC went to a port where nobody took them (seen: one lost
 * reply in two preempting takeovers). Every gratuitous ARP leaves
 * before the first advert: the switches point here before the old
 * master lets go.
 */
static void
carp_fsm_takeover_announce(struct carp_node *cn, double now)
{
	size_t	i;

	for (i = 0; i < cn->cn_nvhids; i++)
		if (cn->cn_vhids[i]->vh_announce &&
		    cn->cn_vhids[i]->vh_state == CARP_S_MASTER &&
		    cn->cn_ops.garp != NULL)
			cn->cn_ops.garp(cn->cn_ops.arg, cn->cn_vhids[i]);
	for (i = 0; i < cn->cn_nvhids; i++) {
		if (!cn->cn_vhids[i]->vh_announce)
			continue;
		cn->cn_vhids[i]->vh_announce = 0;
		if (cn->cn_vhids[i]->vh_state == CARP_S_MASTER)
			carp_fsm_advertise(cn, cn->cn_vhids[i], now);
	}
}

/*
 * Demotion changed since old: every VHID this node is MASTER of sends an
 * advert now (FreeBSD carp_send_ad_all), so the peer sees the new skew
 * within one packet. Send errors during the announcement may change the
 * demotion again; loop until it is stable (bounded: each VHID demotes
 * at most once).
 */
static void
carp_fsm_announce(struct carp_node *cn, unsigned int old, double now)
{
	unsigned int	cur;
	size_t		i;

	while ((cur = carp_fsm_demotion(cn)) != old) {
		log_info("%s: node demotion %u -> %u, announcing",
		    CARP_FSM_NAME(cn), old, cur);
		old = cur;
		for (i = 0; i < cn->cn_nvhids; i++)
			if (cn->cn_vhids[i]->vh_state == CARP_S_MASTER &&
			    cn->cn_vhids[i]->vh_link)
				carp_fsm_dispatch(cn, cn->cn_vhids[i],
				    CARP_E_DEMOTION, now, NULL);
	}
}

void
carp_fsm_init(struct carp_node *cn, const struct carp_fsm_ops *ops,
    int preempt)
{
	memset(cn, 0, sizeof(*cn));
	if (ops != NULL)
		cn->cn_ops = *ops;
	cn->cn_preempt = preempt != 0;
}

void
carp_fsm_free(struct carp_node *cn)
{
	size_t i;

	for (i = 0; i < cn->cn_nvhids; i++)
		free(cn->cn_vhids[i]);
	free(cn->cn_vhids);
	cn->cn_vhids = NULL;
	cn->cn_nvhids = 0;
}

struct carp_vhid *
carp_fsm_vhid(struct carp_node *cn, uint8_t vhid)
{
	size_t i;

	for (i = 0; i < cn->cn_nvhids; i++)
		if (cn->cn_vhids[i]->vh_vhid == vhid)
			return cn->cn_vhids[i];
	return NULL;
}

struct carp_vhid *
carp_fsm_add_vhid(struct carp_node *cn, uint8_t vhid, uint8_t advbase,
    uint8_t advskew, int ifindex, void *cookie)
{
	struct carp_vhid *vh;

	if (vhid == 0 || carp_fsm_vhid(cn, vhid) != NULL) {
		log_warnx("carp: vhid %u: invalid or already configured",
		    vhid);
		return NULL;
	}
	/* FreeBSD refuses advbase 0; a 0 s interval would spin. */
	if (advbase == 0) {
		log_warnx("carp: vhid %u: advbase must be at least 1 s", vhid);
		return NULL;
	}
	vh = xcalloc(1, sizeof(*vh));
	vh->vh_vhid = vhid;
	vh->vh_advbase = advbase;
	vh->vh_advskew = advskew;
	vh->vh_ifindex = ifindex;
	vh->vh_cookie = cookie;
	vh->vh_state = CARP_S_INIT;
	vh->vh_link = 1;
	vh->vh_master_skew = -1;
	cn->cn_vhids = xrealloc(cn->cn_vhids,
	    (cn->cn_nvhids + 1) * sizeof(*cn->cn_vhids));
	cn->cn_vhids[cn->cn_nvhids++] = vh;
	return vh;
}

static unsigned int	carp_fsm_links_down(const struct carp_node *);
static void		carp_fsm_announce(struct carp_node *, unsigned int,
			    double);

int
carp_fsm_del_vhid(struct carp_node *cn, uint8_t vhid, const char *why,
    double now)
{
	struct carp_transition	 t;
	struct carp_vhid	*vh = NULL;
	unsigned int		 old = carp_fsm_demotion(cn);
	size_t			 i;

	for (i = 0; i < cn->cn_nvhids; i++)
		if (cn->cn_vhids[i]->vh_vhid == vhid) {
			vh = cn->cn_vhids[i];
			break;
		}
	if (vh == NULL)
		return -1;
	if (vh->vh_state == CARP_S_MASTER && cn->cn_ops.vip_down != NULL)
		cn->cn_ops.vip_down(cn->cn_ops.arg, vh);
	if (vh->vh_state != CARP_S_INIT) {
		memset(&t, 0, sizeof(t));
		t.ct_time = now;
		t.ct_vhid = vh->vh_vhid;
		t.ct_from = vh->vh_state;
		t.ct_to = CARP_S_INIT;
		snprintf(t.ct_cause, sizeof(t.ct_cause), "%s",
		    why != NULL ? why : "removed");
		log_info("%s: vhid %u: %s -> INIT (%s)", CARP_FSM_NAME(cn),
		    vh->vh_vhid,
		    carp_fsm_state_name(t.ct_from), t.ct_cause);
		if (cn->cn_ops.transition != NULL)
			cn->cn_ops.transition(cn->cn_ops.arg, &t);
	}
	if (vh->vh_senderr_demoted)
		cn->cn_demote[CARP_D_SENDERR] -= CARP_DEMOTE_STEP;
	memmove(&cn->cn_vhids[i], &cn->cn_vhids[i + 1],
	    (cn->cn_nvhids - i - 1) * sizeof(*cn->cn_vhids));
	cn->cn_nvhids--;
	free(vh);
	cn->cn_demote[CARP_D_LINK] = carp_fsm_links_down(cn) *
	    CARP_DEMOTE_STEP;
	carp_fsm_announce(cn, old, now);
	return 0;
}

void
carp_fsm_start(struct carp_node *cn, double now)
{
	size_t i;

	cn->cn_started = 1;
	for (i = 0; i < cn->cn_nvhids; i++)
		carp_fsm_dispatch(cn, cn->cn_vhids[i], CARP_E_START, now, NULL);
}

/* Distinct interfaces carrying a VHID that have no link. */
static unsigned int
carp_fsm_links_down(const struct carp_node *cn)
{
	unsigned int	n = 0;
	size_t		i, j;

	for (i = 0; i < cn->cn_nvhids; i++) {
		if (cn->cn_vhids[i]->vh_link)
			continue;
		for (j = 0; j < i; j++)
			if (!cn->cn_vhids[j]->vh_link &&
			    cn->cn_vhids[j]->vh_ifindex ==
			    cn->cn_vhids[i]->vh_ifindex)
				break;
		if (j == i)
			n++;
	}
	return n;
}

/*
 * Link state of one interface. Losing link on any CARP interface demotes
 * the node by 240 (FreeBSD carp_sc_state -> carp_demote_adj) so the
 * healthy peer takes every VIP, not only the ones on this link.
 */
void
carp_fsm_link(struct carp_node *cn, int ifindex, int up, double now)
{
	unsigned int	old = carp_fsm_demotion(cn);
	size_t		i;
	uint8_t		changed[256] = { 0 };	/* by vhid */

	up = up != 0;
	for (i = 0; i < cn->cn_nvhids; i++) {
		if (cn->cn_vhids[i]->vh_ifindex != ifindex ||
		    cn->cn_vhids[i]->vh_link == up)
			continue;
		cn->cn_vhids[i]->vh_link = up;
		changed[cn->cn_vhids[i]->vh_vhid] = 1;
	}
	cn->cn_demote[CARP_D_LINK] = carp_fsm_links_down(cn) *
	    CARP_DEMOTE_STEP;
	/*
	 * A lost link is announced on the live VHIDs before the dead one's
	 * VIPs come down: taking a virtual-MAC device down waits for an
	 * RCU grace period (10 ms measured), which the peer need not wait
	 * for to take over.
	 */
	if (!up)
		carp_fsm_announce(cn, old, now);
	for (i = 0; i < cn->cn_nvhids; i++) {
		if (!changed[cn->cn_vhids[i]->vh_vhid])
			continue;
		if (up)
			carp_fsm_senderr_clear(cn, cn->cn_vhids[i]);
		carp_fsm_dispatch(cn, cn->cn_vhids[i], up ? CARP_E_LINK_UP :
		    CARP_E_LINK_DOWN, now, NULL);
	}
	if (up)
		carp_fsm_announce(cn, old, now);
}

/*
 * An accepted advert for vhid. The comparison is FreeBSD's: the shorter
 * interval (advbase, then advskew, ours with demotion folded in) is the
 * better master; equal intervals are a tie.
 */
void
carp_fsm_rx(struct carp_node *cn, uint8_t vhid, const struct carp_adv *adv,
    double now)
{
	struct carp_vhid	*vh;
	enum carp_event		 ev;
	unsigned int		 ours, theirs, old = carp_fsm_demotion(cn);
	int			 same;

	if ((vh = carp_fsm_vhid(cn, vhid)) == NULL)
		return;
	ours = vh->vh_advbase * 256u + carp_fsm_skew(cn, vh);
	theirs = adv->ca_advbase * 256u + adv->ca_advskew;

	/*
	 * Has this master been demoted? Either it says so in byte 4
	 * (OpenBSD, and us) with more than we carry, or it is the same
	 * sender advertising a higher skew than the lowest we have seen
	 * from it (FreeBSD folds demotion into advskew).
	 */
	same = vh->vh_master.ca_af != 0 &&
	    vh->vh_master.ca_af == adv->ca_src.ca_af &&
	    memcmp(&vh->vh_master.ca_u, &adv->ca_src.ca_u,
	    adv->ca_src.ca_af == AF_INET ? 4 : 16) == 0;
	vh->vh_rx_demoted = adv->ca_demote > carp_fsm_demote_byte(cn) ||
	    (same && vh->vh_master_skew >= 0 &&
	    adv->ca_advskew > vh->vh_master_skew);
	if (!same) {
		vh->vh_master = adv->ca_src;
		vh->vh_master_skew = adv->ca_advskew;
	} else if (adv->ca_advskew < vh->vh_master_skew)
		vh->vh_master_skew = adv->ca_advskew;

	if (theirs > 3u * vh->vh_advbase * 256u)
		ev = CARP_E_RX_BOWOUT;
	else if (theirs < ours)
		ev = CARP_E_RX_BETTER;
	else if (theirs == ours)
		ev = CARP_E_RX_EQUAL;
	else
		ev = CARP_E_RX_WORSE;
	carp_fsm_dispatch(cn, vh, ev, now, NULL);
	carp_fsm_announce(cn, old, now);
}

void
carp_fsm_set_preempt(struct carp_node *cn, int on)
{
	cn->cn_preempt = on != 0;
}

void
carp_fsm_set_demotion(struct carp_node *cn, enum carp_demote_src src,
    unsigned int value, double now)
{
	unsigned int old = carp_fsm_demotion(cn);

	if ((int)src < 0 || src >= CARP_D_MAX)
		return;
	cn->cn_demote[src] = value;
	carp_fsm_announce(cn, old, now);
}

/* Maintenance mode: demote so the peer takes every VIP (fsm.h). */
void
carp_fsm_set_maintenance(struct carp_node *cn, int on, double now)
{
	cn->cn_maintenance = on != 0;
	carp_fsm_set_demotion(cn, CARP_D_MAINT,
	    cn->cn_maintenance ? CARP_DEMOTE_MAINT : 0, now);
}

/*
 * Temporary disable: demote (the announcement makes the peer take over),
 * BACKUP/INIT VHIDs go DISABLED now, MASTERs when the peer has taken
 * over (a_handover). Enable lifts the demotion and restarts as BACKUP.
 */
void
carp_fsm_set_disabled(struct carp_node *cn, int on, double now)
{
	unsigned int	old = carp_fsm_demotion(cn);
	size_t		i;

	on = on != 0;
	if (cn->cn_disabled == on)
		return;
	cn->cn_disabled = on;
	cn->cn_demote[CARP_D_DISABLE] = on ? CARP_DEMOTE_STEP : 0;
	for (i = 0; i < cn->cn_nvhids; i++) {
		if (!on)
			carp_fsm_senderr_clear(cn, cn->cn_vhids[i]);
		if (cn->cn_started)
			carp_fsm_dispatch(cn, cn->cn_vhids[i],
			    on ? CARP_E_DISABLE : CARP_E_ENABLE, now, NULL);
	}
	carp_fsm_announce(cn, old, now);
}

void
carp_fsm_peer_dead(struct carp_node *cn, const uint8_t *held, double now)
{
	unsigned int	old = carp_fsm_demotion(cn);
	size_t		i;

	for (i = 0; i < cn->cn_nvhids; i++) {
		struct carp_vhid *vh = cn->cn_vhids[i];

		if (vh->vh_state == CARP_S_BACKUP &&
		    (held[vh->vh_vhid / 8] >> (vh->vh_vhid % 8) & 1))
			carp_fsm_dispatch(cn, vh, CARP_E_PEER_DEAD, now, NULL);
	}
	carp_fsm_announce(cn, old, now);
}

void
carp_fsm_yield(struct carp_node *cn, const uint8_t *held, double hold_until,
    double now)
{
	unsigned int	old = carp_fsm_demotion(cn);
	size_t		i;

	for (i = 0; i < cn->cn_nvhids; i++) {
		struct carp_vhid *vh = cn->cn_vhids[i];

		if (vh->vh_state != CARP_S_MASTER ||
		    !(held[vh->vh_vhid / 8] >> (vh->vh_vhid % 8) & 1))
			continue;
		cn->cn_preempt_hold = hold_until;
		carp_fsm_dispatch(cn, vh, CARP_E_YIELD, now, NULL);
	}
	carp_fsm_announce(cn, old, now);
}

double
carp_fsm_next_deadline(const struct carp_node *cn)
{
	double	next = 0;
	size_t	i;

#define CARP_EARLIER(t)	do {						\
	if ((t) > 0 && (next == 0 || (t) < next))			\
		next = (t);						\
} while (0)
	for (i = 0; i < cn->cn_nvhids; i++) {
		CARP_EARLIER(cn->cn_vhids[i]->vh_t_adv);
		CARP_EARLIER(cn->cn_vhids[i]->vh_t_down);
		CARP_EARLIER(cn->cn_vhids[i]->vh_t_handover);
	}
#undef CARP_EARLIER
	return next;
}

double
carp_fsm_tick(struct carp_node *cn, double now)
{
	unsigned int	old = carp_fsm_demotion(cn);
	size_t		i;

	for (i = 0; i < cn->cn_nvhids; i++) {
		struct carp_vhid *vh = cn->cn_vhids[i];

		if (vh->vh_t_handover > 0 && now >= vh->vh_t_handover) {
			vh->vh_t_handover = 0;
			carp_fsm_dispatch(cn, vh, CARP_E_HANDOVER, now, NULL);
		}
		if (vh->vh_t_down > 0 && now >= vh->vh_t_down) {
			vh->vh_t_down = 0;
			carp_fsm_dispatch(cn, vh, CARP_E_MASTER_DOWN, now,
			    NULL);
		}
		if (vh->vh_t_adv > 0 && now >= vh->vh_t_adv) {
			vh->vh_t_adv = 0;
			carp_fsm_dispatch(cn, vh, CARP_E_ADV_TIMER, now, NULL);
		}
	}
	carp_fsm_announce(cn, old, now);
	return carp_fsm_next_deadline(cn);
}
