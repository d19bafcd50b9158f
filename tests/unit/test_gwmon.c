/*
 * test_gwmon.c — the gateway monitor's verdict (gwmon/stat.c) driven by
 * a simulated clock: a gateway answering, one that goes silent, one that
 * comes back, a slow one, and how long each verdict takes at the seed's
 * default and at the fastest settings.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "gwmon/gwmon.h"

#define S	1000000LL		/* us */
#define MS	1000LL

/* The seed's defaults: 1 s, 4 s loss, 60 s window, 200/500 ms, 10/20 %. */
static const struct gwmon_params p_default = {
	1 * S, 4 * S, 60 * S, 200 * MS, 500 * MS, 10, 20 };
/* The fastest the field table accepts: 1 s, 1 s loss, 3 s window. */
static const struct gwmon_params p_fast = {
	1 * S, 1 * S, 3 * S, 200 * MS, 500 * MS, 10, 20 };

/*
 * Runs the gateway from t0 to t1 (us) on p: a probe every interval,
 * answered after rtt us when up(t) says so. Returns the first time the
 * status is want (checked every ms), or -1.
 */
struct sim {
	struct gwmon_stat	 st;
	const struct gwmon_params *p;
	long long		 t, next;
	uint16_t		 seq;
	long long		 pending_at[65536 / 64];
	uint16_t		 pending_seq[65536 / 64];
	size_t			 npending;
};

static void
sim_init(struct sim *s, const struct gwmon_params *p)
{
	memset(s, 0, sizeof(*s));
	s->p = p;
	gwmon_stat_init(&s->st, p);
}

static long long
sim_run(struct sim *s, long long until, int up, long long rtt,
    enum gwmon_status want)
{
	struct gwmon_result	r;
	size_t			i;

	for (; s->t < until; s->t += MS) {
		for (i = 0; i < s->npending; i++)
			if (s->pending_at[i] <= s->t) {
				(void)gwmon_stat_reply(&s->st,
				    s->pending_seq[i], s->t);
				s->pending_at[i] = s->pending_at[--s->npending];
				s->pending_seq[i] = s->pending_seq[s->npending];
				i--;
			}
		if (s->t >= s->next) {
			gwmon_stat_sent(&s->st, ++s->seq, s->t);
			if (up && s->npending < 1024) {
				s->pending_at[s->npending] = s->t + rtt;
				s->pending_seq[s->npending++] = s->seq;
			}
			s->next += s->p->p_interval;
		}
		gwmon_stat_eval(&s->st, s->p, s->t, &r);
		if (r.r_status == want)
			return s->t;
	}
	return -1;
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(gwmon_status_name(GWMON_ONLINE), "none");
	assert_string_equal(gwmon_status_name(GWMON_DOWN), "down");
	assert_string_equal(gwmon_status_text(GWMON_LOSS), "Packetloss");
	assert_string_equal(gwmon_status_text(GWMON_DELAY), "Latency");
	assert_true(gwmon_status_down(GWMON_FORCE_DOWN));
	assert_false(gwmon_status_down(GWMON_LOSS));
}

/* Nothing is known before the first probe's outcome. */
static void
test_pending(void **state)
{
	struct gwmon_stat	st;
	struct gwmon_result	r;

	(void)state;
	gwmon_stat_init(&st, &p_default);
	gwmon_stat_eval(&st, &p_default, 0, &r);
	assert_int_equal(r.r_status, GWMON_PENDING);
	gwmon_stat_sent(&st, 1, 0);
	gwmon_stat_eval(&st, &p_default, 3 * S, &r);
	assert_int_equal(r.r_status, GWMON_PENDING);	/* still waiting */
	assert_int_equal(gwmon_stat_deadline(&st, &p_default, 3 * S), 4 * S);
	gwmon_stat_eval(&st, &p_default, 4 * S, &r);
	assert_int_equal(r.r_status, GWMON_DOWN);	/* 1 of 1 lost */
	assert_int_equal(gwmon_stat_reply(&st, 9, 4 * S), -1);
	gwmon_stat_free(&st);
}

/* Delay mean and deviation over the window. */
static void
test_delay_stddev(void **state)
{
	struct gwmon_stat	st;
	struct gwmon_result	r;

	(void)state;
	gwmon_stat_init(&st, &p_default);
	gwmon_stat_sent(&st, 1, 0);
	gwmon_stat_sent(&st, 2, 1 * S);
	assert_int_equal(gwmon_stat_reply(&st, 1, 10 * MS), 0);
	assert_int_equal(gwmon_stat_reply(&st, 1, 11 * MS), -1);  /* dup */
	assert_int_equal(gwmon_stat_reply(&st, 2, 1 * S + 30 * MS), 0);
	gwmon_stat_eval(&st, &p_default, 2 * S, &r);
	assert_int_equal(r.r_status, GWMON_ONLINE);
	assert_int_equal(r.r_known, 2);
	assert_true(r.r_delay > 19.99 && r.r_delay < 20.01);
	assert_true(r.r_stddev > 9.99 && r.r_stddev < 10.01);
	assert_true(r.r_loss < 0.01);
	gwmon_stat_free(&st);
}

/*
 * Default settings: a dead upstream is down once more than 20 % of the
 * window's known probes are lost: about 12 probes plus the 4 s loss
 * interval after the death (the seed's own figure: interval x the
 * losses the window needs, plus the loss interval).
 */
static void
test_default_death_and_return(void **state)
{
	struct sim	*s = test_malloc(sizeof(*s));
	long long	 t;

	(void)state;
	sim_init(s, &p_default);
	assert_int_equal(sim_run(s, 120 * S, 1, 5 * MS, GWMON_DOWN), -1);
	t = sim_run(s, 200 * S, 0, 0, GWMON_DOWN);
	assert_true(t != -1);
	/* 56 known probes in the window: 12 lost ones are > 20 %. */
	assert_true(t - 120 * S >= 14 * S && t - 120 * S <= 17 * S);
	/* Loss between 10 and 20 % passes through "loss" on the way back. */
	t = sim_run(s, 400 * S, 1, 5 * MS, GWMON_LOSS);
	assert_true(t != -1);
	t = sim_run(s, 400 * S, 1, 5 * MS, GWMON_ONLINE);
	assert_true(t != -1);
	gwmon_stat_free(&s->st);
	test_free(s);
}

/* Fastest settings: down within loss interval + one probe. */
static void
test_fast_death(void **state)
{
	struct sim	*s = test_malloc(sizeof(*s));
	long long	 t;

	(void)state;
	sim_init(s, &p_fast);
	assert_int_equal(sim_run(s, 10 * S, 1, 5 * MS, GWMON_DOWN), -1);
	t = sim_run(s, 20 * S, 0, 0, GWMON_DOWN);
	assert_true(t != -1 && t - 10 * S <= 2 * S);
	t = sim_run(s, 30 * S, 1, 5 * MS, GWMON_ONLINE);
	assert_true(t != -1 && t - 20 * S <= 4 * S);
	gwmon_stat_free(&s->st);
	test_free(s);
}

/* Slow replies: delay above latencylow, then above latencyhigh. */
static void
test_latency(void **state)
{
	struct sim	*s = test_malloc(sizeof(*s));

	(void)state;
	sim_init(s, &p_default);
	assert_true(sim_run(s, 10 * S, 1, 300 * MS, GWMON_DELAY) != -1);
	assert_true(sim_run(s, 80 * S, 1, 700 * MS, GWMON_DOWN) != -1);
	gwmon_stat_free(&s->st);
	test_free(s);
}

/* A reply later than the loss interval counts as lost. */
static void
test_late_reply_is_lost(void **state)
{
	struct gwmon_stat	st;
	struct gwmon_result	r;

	(void)state;
	gwmon_stat_init(&st, &p_fast);
	gwmon_stat_sent(&st, 1, 0);
	assert_int_equal(gwmon_stat_reply(&st, 1, 2 * S), 0);
	gwmon_stat_eval(&st, &p_fast, 2 * S, &r);
	assert_int_equal(r.r_known, 1);
	assert_true(r.r_loss > 99.9);
	gwmon_stat_free(&st);
}

/* Which member statuses each group trigger takes out of its tier. */
static void
test_triggers(void **state)
{
	(void)state;
	assert_true(gwmon_member_usable(GWMON_ONLINE, "down"));
	assert_true(gwmon_member_usable(GWMON_PENDING, "downlosslatency"));
	assert_false(gwmon_member_usable(GWMON_DOWN, "down"));
	assert_false(gwmon_member_usable(GWMON_FORCE_DOWN, "down"));
	assert_true(gwmon_member_usable(GWMON_LOSS, "down"));
	assert_true(gwmon_member_usable(GWMON_LOSS, "downlatency"));
	assert_false(gwmon_member_usable(GWMON_LOSS, "downloss"));
	assert_false(gwmon_member_usable(GWMON_LOSS, "downlosslatency"));
	assert_true(gwmon_member_usable(GWMON_DELAY, "downloss"));
	assert_false(gwmon_member_usable(GWMON_DELAY, "downlatency"));
	assert_false(gwmon_member_usable(GWMON_DELAY, "downlosslatency"));
}

/* Statuses for the group tests: A down, B in loss, the rest online. */
static enum gwmon_status
pick_status(const char *name)
{
	if (strcmp(name, "A") == 0)
		return GWMON_DOWN;
	if (strcmp(name, "B") == 0)
		return GWMON_LOSS;
	if (strcmp(name, "OFF") == 0)
		return GWMON_FORCE_DOWN;
	return GWMON_ONLINE;
}

/* A group's member in use: lowest tier first, the first usable there. */
static void
test_group_pick(void **state)
{
	json_t	*g;
	char	 m[32];

	(void)state;
	g = json_pack("{s:s,s:s,s:s,s:s}", "trigger", "down", "tier1", "A,B",
	    "tier2", "C", "tier3", "D");
	/* A is down; B's loss does not count under "down": B, tier 1. */
	assert_int_equal(gwmon_group_pick(g, pick_status, m, sizeof(m)), 1);
	assert_string_equal(m, "B");
	/* Under "downloss" B is out too: the next tier's C. */
	json_object_set_new(g, "trigger", json_string("downloss"));
	assert_int_equal(gwmon_group_pick(g, pick_status, m, sizeof(m)), 2);
	assert_string_equal(m, "C");
	/* Several usable in one tier: the first listed. */
	json_object_set_new(g, "tier1", json_string("A,D,C"));
	assert_int_equal(gwmon_group_pick(g, pick_status, m, sizeof(m)), 1);
	assert_string_equal(m, "D");
	/* Every member out: 0, the rule falls back (or is skipped). */
	json_decref(g);
	g = json_pack("{s:s,s:s,s:s}", "trigger", "down", "tier1", "A",
	    "tier5", "OFF");
	assert_int_equal(gwmon_group_pick(g, pick_status, m, sizeof(m)), 0);
	json_decref(g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_pending),
		cmocka_unit_test(test_delay_stddev),
		cmocka_unit_test(test_default_death_and_return),
		cmocka_unit_test(test_fast_death),
		cmocka_unit_test(test_latency),
		cmocka_unit_test(test_late_reply_is_lost),
		cmocka_unit_test(test_triggers),
		cmocka_unit_test(test_group_pick),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
