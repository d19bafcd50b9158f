/*
 * stat.c — loss, delay and status of one gateway from its probes, as a
 * pure function of the clock (no sockets, no time calls: the thread and
 * the unit tests pass "now").
 *
 * The model is the classic one for gateway monitors: a probe every
 * interval; a probe without a reply after the loss interval is lost (a
 * late reply counts as lost too); loss and delay are taken over the
 * probes sent within the time period that have an outcome; a probe
 * still inside its loss interval counts for neither.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gwmon.h"
#include "util.h"

static const struct {
	const char	*n_name;
	const char	*n_text;
} gwmon_names[GWMON_NSTATUS] = {
	[GWMON_PENDING] =	{ "none", "Pending" },
	[GWMON_ONLINE] =	{ "none", "Online" },
	[GWMON_DELAY] =		{ "delay", "Latency" },
	[GWMON_LOSS] =		{ "loss", "Packetloss" },
	[GWMON_DOWN] =		{ "down", "Offline" },
	[GWMON_FORCE_DOWN] =	{ "force_down", "Offline (forced)" },
	[GWMON_UNMONITORED] =	{ "none", "Online (unmonitored)" },
};

const char *
gwmon_status_name(enum gwmon_status s)
{
	return s < GWMON_NSTATUS ? gwmon_names[s].n_name : "?";
}

const char *
gwmon_status_text(enum gwmon_status s)
{
	return s < GWMON_NSTATUS ? gwmon_names[s].n_text : "?";
}

int
gwmon_status_down(enum gwmon_status s)
{
	return s == GWMON_DOWN || s == GWMON_FORCE_DOWN;
}

int
gwmon_member_usable(enum gwmon_status s, const char *trigger)
{
	if (gwmon_status_down(s))
		return 0;
	if (s == GWMON_LOSS)
		return strstr(trigger, "loss") == NULL;
	if (s == GWMON_DELAY)
		return strstr(trigger, "latency") == NULL;
	return 1;
}

void
gwmon_stat_init(struct gwmon_stat *st, const struct gwmon_params *p)
{
	memset(st, 0, sizeof(*st));
	/* One window plus the probes still inside their loss interval. */
	st->s_cap = (size_t)((p->p_period + p->p_loss) / p->p_interval) + 2;
	st->s_ring = xcalloc(st->s_cap, sizeof(*st->s_ring));
}

void
gwmon_stat_free(struct gwmon_stat *st)
{
	free(st->s_ring);
	memset(st, 0, sizeof(*st));
}

/* The i-th probe, oldest first. */
static struct gwmon_probe *
stat_at(const struct gwmon_stat *st, size_t i)
{
	return &st->s_ring[(st->s_head + st->s_cap - st->s_n + i) %
	    st->s_cap];
}

void
gwmon_stat_sent(struct gwmon_stat *st, uint16_t seq, long long now)
{
	struct gwmon_probe *pr = &st->s_ring[st->s_head];

	pr->pr_sent = now;
	pr->pr_rtt = -1;
	pr->pr_seq = seq;
	st->s_head = (st->s_head + 1) % st->s_cap;
	if (st->s_n < st->s_cap)
		st->s_n++;
}

int
gwmon_stat_reply(struct gwmon_stat *st, uint16_t seq, long long now)
{
	struct gwmon_probe	*pr;
	size_t			 i;

	for (i = st->s_n; i > 0; i--) {
		pr = stat_at(st, i - 1);
		if (pr->pr_seq != seq)
			continue;
		if (pr->pr_rtt != -1 || now < pr->pr_sent)
			return -1;	/* a duplicate, or not ours */
		pr->pr_rtt = now - pr->pr_sent;
		return 0;
	}
	return -1;
}

void
gwmon_stat_eval(const struct gwmon_stat *st, const struct gwmon_params *p,
    long long now, struct gwmon_result *r)
{
	const struct gwmon_probe *pr;
	double		 sum = 0, sq = 0, ms;
	size_t		 i;
	int		 lost = 0, got = 0;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < st->s_n; i++) {
		pr = stat_at(st, i);
		if (pr->pr_sent < now - p->p_period)
			continue;	/* out of the window */
		if (pr->pr_rtt != -1 && pr->pr_rtt <= p->p_loss) {
			ms = (double)pr->pr_rtt / 1e3;
			sum += ms;
			sq += ms * ms;
			got++;
		} else if (now - pr->pr_sent >= p->p_loss)
			lost++;		/* no reply in time */
	}
	r->r_known = got + lost;
	if (r->r_known == 0) {
		r->r_status = GWMON_PENDING;
		return;
	}
	r->r_loss = 100.0 * lost / r->r_known;
	if (got > 0) {
		r->r_delay = sum / got;
		r->r_stddev = sqrt(fmax(0, sq / got - r->r_delay *
		    r->r_delay));
	}
	/* Above a threshold, as OPNsense's monitor alarms: strictly. */
	if (r->r_delay * 1e3 > (double)p->p_lathigh ||
	    r->r_loss > p->p_losshigh)
		r->r_status = GWMON_DOWN;
	else if (r->r_delay * 1e3 > (double)p->p_latlow)
		r->r_status = GWMON_DELAY;
	else if (r->r_loss > p->p_losslow)
		r->r_status = GWMON_LOSS;
	else
		r->r_status = GWMON_ONLINE;
}

long long
gwmon_stat_deadline(const struct gwmon_stat *st, const struct gwmon_params *p,
    long long now)
{
	const struct gwmon_probe *pr;
	size_t		 i;

	for (i = 0; i < st->s_n; i++) {
		pr = stat_at(st, i);
		if (pr->pr_rtt == -1 && pr->pr_sent + p->p_loss > now)
			return pr->pr_sent + p->p_loss;
	}
	return -1;
}

int
gwmon_group_pick(json_t *group, enum gwmon_status (*status_of)(const char *),
    char *buf, size_t len)
{
	static const char *const tiers[] = { "tier1", "tier2", "tier3",
	    "tier4", "tier5" };
	const char	*trigger, *list;
	char		*copy, *m, *save;
	size_t		 t;
	int		 tier = 0;

	trigger = json_string_value(json_object_get(group, "trigger"));
	for (t = 0; t < nitems(tiers) && tier == 0; t++) {
		list = json_string_value(json_object_get(group, tiers[t]));
		if (list == NULL)
			continue;
		copy = xstrdup(list);
		save = NULL;
		for (m = strtok_r(copy, ",", &save); m != NULL && tier == 0;
		    m = strtok_r(NULL, ",", &save))
			if (gwmon_member_usable(status_of(m),
			    trigger ? trigger : "down")) {
				util_strlcpy(buf, m, len);
				tier = (int)t + 1;
			}
		free(copy);
	}
	return tier;
}
