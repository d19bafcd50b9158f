/*
 * carp/upstream.c — the upstream demotion's decision (upstream.h): a
 * table of rows {guard, wanted state, hold, reason}, the first row whose
 * guard holds decides, as in fsm.c.
 */
#include <stddef.h>
#include <string.h>

#include "upstream.h"

enum up_want {
	UP_LIFT = 0,
	UP_DEMOTE,
	UP_KEEP			/* whatever is in force stays */
};

enum up_hold {
	UP_H_NOW = 0,		/* taken at once */
	UP_H_DOWN,		/* ui_hold_down */
	UP_H_UP			/* ui_hold_up */
};

typedef int (*up_guard)(const struct carp_up_in *);

struct up_row {
	up_guard	 r_guard;
	enum up_want	 r_want;
	enum up_hold	 r_hold;
	const char	*r_why;
};

static int
g_off(const struct carp_up_in *in)
{
	return !in->ui_enabled;
}

static int
g_no_channel(const struct carp_up_in *in)
{
	return !in->ui_live;
}

static int
g_no_gateway(const struct carp_up_in *in)
{
	return in->ui_local == CARP_UP_L_NONE;
}

static int
g_pending(const struct carp_up_in *in)
{
	return in->ui_local == CARP_UP_L_PENDING;
}

static int
g_local_up(const struct carp_up_in *in)
{
	return in->ui_local == CARP_UP_L_UP;
}

static int
g_peer_unknown(const struct carp_up_in *in)
{
	return in->ui_peer == CARP_UP_P_UNKNOWN;
}

static int
g_peer_down(const struct carp_up_in *in)
{
	return in->ui_peer == CARP_UP_P_DOWN;
}

static int
g_always(const struct carp_up_in *in)
{
	(void)in;
	return 1;
}

/*
 * Order matters: the first row that holds decides. "Our upstream is
 * back" comes before anything about the peer, so a demotion is lifted
 * only after hold_up of good probes, whatever the peer says meanwhile.
 */
static const struct up_row up_rows[] = {
	{ g_off, UP_LIFT, UP_H_NOW, "off (hasync demoteupstream)" },
	{ g_no_channel, UP_LIFT, UP_H_NOW, "no peer information: the "
	    "liveness channel is off, so this node never demotes itself "
	    "for its upstream" },
	{ g_no_gateway, UP_LIFT, UP_H_NOW, "no enabled upstream gateway "
	    "(defaultgw) is monitored" },
	{ g_pending, UP_KEEP, UP_H_NOW, "upstream gateways without a "
	    "status yet" },
	{ g_local_up, UP_LIFT, UP_H_UP, "an upstream gateway is up" },
	/* From here every upstream gateway of ours is down. */
	{ g_peer_unknown, UP_LIFT, UP_H_NOW, "every upstream gateway is "
	    "down, but the peer is lost or does not report its upstream: "
	    "it is not known to be better off" },
	{ g_peer_down, UP_LIFT, UP_H_DOWN, "every upstream gateway is "
	    "down, and the peer's too: the configured priorities decide" },
	{ g_always, UP_DEMOTE, UP_H_DOWN, "every upstream gateway is down "
	    "and the peer's upstream is up" },
};

static const char *const up_local_names[CARP_UP_L_MAX] = {
	[CARP_UP_L_NONE] = "none", [CARP_UP_L_PENDING] = "pending",
	[CARP_UP_L_UP] = "up", [CARP_UP_L_DOWN] = "down",
};

static const char *const up_peer_names[CARP_UP_P_MAX] = {
	[CARP_UP_P_UNKNOWN] = "unknown", [CARP_UP_P_UP] = "up",
	[CARP_UP_P_DOWN] = "down",
};

const char *
carp_up_local_name(enum carp_up_local l)
{
	return (int)l >= 0 && l < CARP_UP_L_MAX ? up_local_names[l] : "?";
}

const char *
carp_up_peer_name(enum carp_up_peer p)
{
	return (int)p >= 0 && p < CARP_UP_P_MAX ? up_peer_names[p] : "?";
}

void
carp_up_init(struct carp_up *u)
{
	memset(u, 0, sizeof(*u));
}

const char *
carp_up_reason(const struct carp_up *u)
{
	return up_rows[u->up_row].r_why;
}

int
carp_up_pending(const struct carp_up *u)
{
	return u->up_since > 0;
}

int
carp_up_eval(struct carp_up *u, const struct carp_up_in *in, double now,
    double *next)
{
	const struct up_row	*r;
	double			 hold;
	size_t			 i;
	int			 want;

	*next = 0;
	for (i = 0; i < sizeof(up_rows) / sizeof(up_rows[0]); i++)
		if (up_rows[i].r_guard(in))
			break;
	r = &up_rows[i];	/* the last row always holds */
	u->up_row = (int)i;
	want = r->r_want == UP_KEEP ? u->up_demoted : r->r_want == UP_DEMOTE;
	if (want == u->up_demoted) {
		u->up_since = u->up_due = 0;	/* broke: start again */
		return 0;
	}
	hold = r->r_hold == UP_H_DOWN ? in->ui_hold_down :
	    r->r_hold == UP_H_UP ? in->ui_hold_up : 0;
	if (u->up_since == 0)
		u->up_since = now;
	if (now - u->up_since < hold) {
		*next = u->up_due = u->up_since + hold;
		return 0;
	}
	u->up_demoted = want;
	u->up_since = u->up_due = 0;
	u->up_changed = now;
	if (want)
		u->up_demotions++;
	return 1;
}
