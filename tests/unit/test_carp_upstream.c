/*
 * test_carp_upstream.c — the upstream demotion's decision (carp/
 * upstream.c) with the clock passed in: scripts of inputs over time and
 * the decision expected after each step; and the liveness hello's
 * upstream flags (carp/live.c), covered by its HMAC.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "carp/live.h"
#include "carp/upstream.h"

#define L_NONE	CARP_UP_L_NONE
#define L_PEND	CARP_UP_L_PENDING
#define L_UP	CARP_UP_L_UP
#define L_DOWN	CARP_UP_L_DOWN
#define P_UNK	CARP_UP_P_UNKNOWN
#define P_UP	CARP_UP_P_UP
#define P_DOWN	CARP_UP_P_DOWN

/* One step: from t on, these inputs; after it, demoted or not. */
struct step {
	double			 t;
	int			 enabled, live;
	enum carp_up_local	 local;
	enum carp_up_peer	 peer;
	int			 demoted;
	const char		*why;	/* a word of the reason, or NULL */
};

#define HOLD_DOWN	4.0
#define HOLD_UP		8.0

/*
 * Runs a script in 0.1 s ticks, as the engine would evaluate it, and
 * checks the decision at the end of each step. Returns the number of
 * changes of decision.
 */
static int
play(const struct step *s, size_t n, double end)
{
	struct carp_up		u;
	struct carp_up_in	in;
	double			t, next, stop;
	size_t			i;
	int			changes = 0;

	carp_up_init(&u);
	for (i = 0; i < n; i++) {
		memset(&in, 0, sizeof(in));
		in.ui_enabled = s[i].enabled;
		in.ui_live = s[i].live;
		in.ui_local = s[i].local;
		in.ui_peer = s[i].peer;
		in.ui_hold_down = HOLD_DOWN;
		in.ui_hold_up = HOLD_UP;
		stop = i + 1 < n ? s[i + 1].t : end;
		for (t = s[i].t; t < stop - 1e-9; t += 0.1) {
			changes += carp_up_eval(&u, &in, t, &next);
			/* A pending change names its deadline. */
			if (carp_up_pending(&u))
				assert_true(next > t);
		}
		if (u.up_demoted != s[i].demoted)
			fail_msg("step %zu (t %.1f): demoted %d, expected %d "
			    "(%s)", i, s[i].t, u.up_demoted, s[i].demoted,
			    carp_up_reason(&u));
		if (s[i].why != NULL &&
		    strstr(carp_up_reason(&u), s[i].why) == NULL)
			fail_msg("step %zu: reason \"%s\" lacks \"%s\"", i,
			    carp_up_reason(&u), s[i].why);
	}
	return changes;
}

/* Our upstream dies, the peer's stays: demoted after the hold, once. */
static void
test_demote_after_hold(void **state)
{
	const struct step s[] = {
		{ 0, 1, 1, L_UP, P_UP, 0, "is up" },
		{ 10, 1, 1, L_DOWN, P_UP, 0, NULL },	/* 10 -> 13.5 */
		{ 13.5, 1, 1, L_DOWN, P_UP, 1, "peer's upstream is up" },
		{ 30, 1, 1, L_DOWN, P_UP, 1, NULL },
	};

	(void)state;
	assert_int_equal(play(s, 4, 40), 1);
}

/* A down shorter than the hold never demotes; up blips reset it. */
static void
test_short_outages_ignored(void **state)
{
	const struct step s[] = {
		{ 0, 1, 1, L_UP, P_UP, 0, NULL },
		{ 10, 1, 1, L_DOWN, P_UP, 0, NULL },
		{ 13, 1, 1, L_UP, P_UP, 0, NULL },
		{ 14, 1, 1, L_DOWN, P_UP, 0, NULL },
		{ 17, 1, 1, L_PEND, P_UP, 0, "without a status" },
		{ 18, 1, 1, L_DOWN, P_UP, 0, NULL },
		{ 21, 1, 1, L_UP, P_UP, 0, NULL },
	};

	(void)state;
	assert_int_equal(play(s, 7, 30), 0);
}

/* Lifted only after hold_up of good upstream; a relapse restarts it. */
static void
test_lift_after_hold_up(void **state)
{
	const struct step s[] = {
		{ 0, 1, 1, L_DOWN, P_UP, 1, NULL },
		{ 10, 1, 1, L_UP, P_UP, 1, NULL },
		{ 17, 1, 1, L_DOWN, P_UP, 1, NULL },	/* 7 s < 8: stays */
		{ 18, 1, 1, L_UP, P_UP, 1, NULL },	/* until 25.5 */
		{ 25.5, 1, 1, L_UP, P_UP, 0, "is up" },	/* 18 + 8 */
	};

	(void)state;
	assert_int_equal(play(s, 5, 30), 2);
}

/*
 * Both behind one dead ISP: the peer no better off never makes us
 * demote, in whichever order the two notice; and once demoted, the
 * peer losing its upstream too lifts it (after the hold), no flap.
 */
static void
test_peer_no_better(void **state)
{
	const struct step both[] = {
		{ 0, 1, 1, L_UP, P_UP, 0, NULL },
		{ 10, 1, 1, L_DOWN, P_UP, 0, NULL },	/* we notice first */
		{ 12, 1, 1, L_DOWN, P_DOWN, 0, "and the peer's too" },
		{ 40, 1, 1, L_DOWN, P_DOWN, 0, NULL },
		{ 50, 1, 1, L_DOWN, P_UP, 0, NULL },	/* the peer's back */
		{ 52, 1, 1, L_UP, P_UP, 0, "is up" },
	};
	const struct step later[] = {
		{ 0, 1, 1, L_DOWN, P_UP, 1, NULL },
		{ 10, 1, 1, L_DOWN, P_DOWN, 1, NULL },	/* until 13.5 */
		{ 13.5, 1, 1, L_DOWN, P_DOWN, 0, "priorities decide" },
		{ 60, 1, 1, L_DOWN, P_DOWN, 0, NULL },
	};

	(void)state;
	assert_int_equal(play(both, 6, 60), 0);
	assert_int_equal(play(later, 4, 70), 2);
}

/* No peer information: never demoted, and a demotion goes at once. */
static void
test_unknown_peer_is_never_better(void **state)
{
	const struct step s[] = {
		{ 0, 1, 1, L_DOWN, P_UNK, 0, "not known to be better" },
		{ 20, 1, 0, L_DOWN, P_UP, 0, "liveness channel is off" },
		{ 40, 1, 1, L_DOWN, P_UP, 1, NULL },
		{ 50, 1, 1, L_DOWN, P_UNK, 0, "peer is lost" },
		{ 50.2, 1, 1, L_DOWN, P_UP, 0, NULL },	/* the hold again */
		{ 52, 1, 0, L_DOWN, P_UP, 0, NULL },
	};

	(void)state;
	assert_int_equal(play(s, 6, 70), 2);
}

/* Off, or no monitored upstream gateway: nothing, and lifted at once. */
static void
test_off_and_no_gateway(void **state)
{
	const struct step s[] = {
		{ 0, 0, 1, L_DOWN, P_UP, 0, "off" },
		{ 20, 1, 1, L_DOWN, P_UP, 1, NULL },
		{ 30, 0, 1, L_DOWN, P_UP, 0, "off" },
		{ 30.2, 1, 1, L_NONE, P_UP, 0, "monitored" },
		{ 50, 1, 1, L_PEND, P_UP, 0, NULL },
	};

	(void)state;
	assert_int_equal(play(s, 5, 60), 2);
}

static struct carp_addr
a4(const char *s)
{
	struct carp_addr a;

	memset(&a, 0, sizeof(a));
	a.ca_af = AF_INET;
	inet_pton(AF_INET, s, &a.ca_u.v4);
	return a;
}

static void
live_setup(struct carp_live *cl, int n)
{
	struct carp_live_path	tmp[CARP_LIVE_MAXPATHS];
	struct carp_addr	self, peer;
	size_t			ntmp;

	carp_live_init(cl, (uint32_t)(0x2000 + n), 1000u * (uint64_t)n);
	assert_int_equal(carp_live_configure(cl, 1, 50, 3), 0);
	assert_int_equal(carp_live_set_key(cl, (const uint8_t *)"k", 1), 0);
	carp_live_paths_begin(cl, tmp, &ntmp);
	self = a4(n == 1 ? "10.9.0.1" : "10.9.0.2");
	peer = a4(n == 1 ? "10.9.0.2" : "10.9.0.1");
	assert_int_equal(carp_live_path_add(tmp, &ntmp, "if1", 1, &self,
	    &peer), 0);
	carp_live_paths_commit(cl, tmp, ntmp, 0);
}

static size_t
live_wrap(const struct carp_live *from, const uint8_t *hello, uint8_t *pkt)
{
	memset(pkt, 0, CARP_LIVE_PKT_LEN);
	pkt[0] = 0x45;
	pkt[8] = 255;
	pkt[9] = 17;
	memcpy(pkt + 12, &from->cl_paths[0].lp_self.ca_u.v4, 4);
	pkt[22] = CARP_LIVE_PORT >> 8;
	pkt[23] = CARP_LIVE_PORT & 0xff;
	memcpy(pkt + 28, hello, CARP_LIVE_LEN);
	return CARP_LIVE_PKT_LEN;
}

/*
 * The flags travel in byte 1, under the HMAC: a hello whose flag was
 * flipped on the way is refused; a peer that sends none (flags 0, as
 * before the flags existed) reports nothing, so it is never "better".
 */
static void
test_hello_flags(void **state)
{
	struct carp_live	n1, n2;
	uint8_t			map[CARP_LIVE_MAPLEN] = { 0 }, h[CARP_LIVE_LEN];
	uint8_t			pkt[CARP_LIVE_PKT_LEN];
	size_t			len, path;

	(void)state;
	live_setup(&n1, 1);
	live_setup(&n2, 2);
	carp_live_encode(&n2, map, h);
	len = live_wrap(&n2, h, pkt);
	assert_int_equal(carp_live_input(&n1, pkt, len, 1, 1.0, &path),
	    CARP_LIVE_R_OK);
	assert_int_equal(carp_live_peer_upstream(&n1, 0.5), CARP_UP_P_UNKNOWN);

	n2.cl_flags = CARP_LIVE_F_UPINFO | CARP_LIVE_F_UPSTREAM;
	carp_live_encode(&n2, map, h);
	len = live_wrap(&n2, h, pkt);
	assert_int_equal(carp_live_input(&n1, pkt, len, 1, 1.1, &path),
	    CARP_LIVE_R_OK);
	assert_int_equal(carp_live_peer_upstream(&n1, 1.0), CARP_UP_P_UP);
	/* Stale: no hello since 1.2. */
	assert_int_equal(carp_live_peer_upstream(&n1, 1.2), CARP_UP_P_UNKNOWN);

	n2.cl_flags = CARP_LIVE_F_UPINFO;
	carp_live_encode(&n2, map, h);
	len = live_wrap(&n2, h, pkt);
	assert_int_equal(carp_live_input(&n1, pkt, len, 1, 1.2, &path),
	    CARP_LIVE_R_OK);
	assert_int_equal(carp_live_peer_upstream(&n1, 1.2), CARP_UP_P_DOWN);

	/* Flipped on the way ("up" forged): the HMAC refuses it. */
	carp_live_encode(&n2, map, h);
	len = live_wrap(&n2, h, pkt);
	pkt[28 + 1] |= CARP_LIVE_F_UPSTREAM;
	assert_int_equal(carp_live_input(&n1, pkt, len, 1, 1.3, &path),
	    CARP_LIVE_R_BAD_HMAC);
	assert_int_equal(carp_live_peer_upstream(&n1, 1.2), CARP_UP_P_DOWN);
	carp_live_clear(&n1);
	carp_live_clear(&n2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demote_after_hold),
		cmocka_unit_test(test_short_outages_ignored),
		cmocka_unit_test(test_lift_after_hold_up),
		cmocka_unit_test(test_peer_no_better),
		cmocka_unit_test(test_unknown_peer_is_never_better),
		cmocka_unit_test(test_off_and_no_gateway),
		cmocka_unit_test(test_hello_flags),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
