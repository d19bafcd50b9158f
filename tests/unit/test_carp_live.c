/*
 * test_carp_live.c — the liveness channel (carp/live.c) with a clock
 * passed in: two channels exchanging hellos over simulated paths, the
 * "peer dead" rule (every path at once, never some), each rejection
 * counted by its reason, and the two FSM events it drives
 * (carp_fsm_peer_dead, carp_fsm_yield with its preempt hold).
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

#include "carp/fsm.h"
#include "carp/live.h"
#include "util.h"

#define NPATH	3

static struct carp_addr
a4(const char *s)
{
	struct carp_addr a;

	memset(&a, 0, sizeof(a));
	a.ca_af = AF_INET;
	inet_pton(AF_INET, s, &a.ca_u.v4);
	return a;
}

/* Node n (1 or 2) on paths 1..3 (ifindex = path), 10.0.<path>.<n>. */
static void
setup(struct carp_live *cl, int n, const char *key, double now)
{
	struct carp_live_path	tmp[CARP_LIVE_MAXPATHS];
	struct carp_addr	self, peer;
	size_t			ntmp;
	char			buf[32];
	int			p;

	carp_live_init(cl, (uint32_t)(0x1000 + n), 1000u * (uint64_t)n);
	assert_int_equal(carp_live_configure(cl, 1, 50, 3), 0);
	assert_int_equal(carp_live_set_key(cl, (const uint8_t *)key,
	    strlen(key)), 0);
	carp_live_paths_begin(cl, tmp, &ntmp);
	for (p = 1; p <= NPATH; p++) {
		snprintf(buf, sizeof(buf), "10.0.%d.%d", p, n);
		self = a4(buf);
		snprintf(buf, sizeof(buf), "10.0.%d.%d", p, 3 - n);
		peer = a4(buf);
		snprintf(buf, sizeof(buf), "if%d", p);
		assert_int_equal(carp_live_path_add(tmp, &ntmp, buf, p, &self,
		    p == 1 ? &peer : NULL), 0);
	}
	carp_live_paths_commit(cl, tmp, ntmp, now);
}

/* An IPv4/UDP packet around a hello of `from` to path p. */
static size_t
wrap(const struct carp_live *from, int p, const uint8_t *hello,
    uint8_t *pkt)
{
	memset(pkt, 0, CARP_LIVE_PKT_LEN);
	pkt[0] = 0x45;
	pkt[8] = 255;
	pkt[9] = 17;
	memcpy(pkt + 12, &from->cl_paths[p - 1].lp_self.ca_u.v4, 4);
	pkt[20] = CARP_LIVE_PORT >> 8;
	pkt[21] = CARP_LIVE_PORT & 0xff;
	pkt[22] = CARP_LIVE_PORT >> 8;
	pkt[23] = CARP_LIVE_PORT & 0xff;
	memcpy(pkt + 28, hello, CARP_LIVE_LEN);
	return CARP_LIVE_PKT_LEN;
}

/*
 * Runs both channels from t0 to t1 in 1 ms steps; path p carries
 * hellos (both ways) while up[p]. Returns "peer dead" events at node 1;
 * the time of the first in *when.
 */
static int
run(struct carp_live *n1, struct carp_live *n2, const uint8_t *map2,
    const int up[NPATH + 1], double t0, double t1, double *when)
{
	struct carp_live_out	out;
	uint8_t			h[CARP_LIVE_LEN], pkt[CARP_LIVE_PKT_LEN];
	uint8_t			none[CARP_LIVE_MAPLEN] = { 0 };
	size_t			path, len;
	double			t;
	int			p, deaths = 0;

	for (t = t0; t < t1; t += 0.001) {
		(void)carp_live_tick(n2, t, &out);
		for (p = 1; p <= NPATH; p++) {
			if (!(out.lo_send & (1u << (p - 1))))
				continue;
			carp_live_encode(n2, map2, h);
			len = wrap(n2, p, h, pkt);
			if (up[p])
				assert_int_equal(carp_live_input(n1, pkt, len,
				    p, t, &path), CARP_LIVE_R_OK);
		}
		(void)carp_live_tick(n1, t, &out);
		if (out.lo_peer_dead) {
			if (deaths++ == 0 && when != NULL)
				*when = t;
			assert_true(carp_live_map_has(out.lo_map, 147));
		}
		for (p = 1; p <= NPATH; p++) {
			if (!(out.lo_send & (1u << (p - 1))))
				continue;
			carp_live_encode(n1, none, h);
			len = wrap(n1, p, h, pkt);
			if (up[p])
				(void)carp_live_input(n2, pkt, len, p, t, &path);
		}
	}
	return deaths;
}

static void
test_dead_only_when_every_path_is(void **state)
{
	struct carp_live	n1, n2;
	uint8_t			map[CARP_LIVE_MAPLEN] = { 0 };
	int			all[NPATH + 1] = { 0, 1, 1, 1 };
	int			one[NPATH + 1] = { 0, 0, 0, 1 };
	int			none[NPATH + 1] = { 0, 0, 0, 0 };
	double			when = 0;
	size_t			i;

	(void)state;
	setup(&n1, 1, "secret", 0);
	setup(&n2, 2, "secret", 0);
	carp_live_map_set(map, 147);
	/*
	 * Path 1 has a configured peer. On 2 and 3 node 1 (the backup)
	 * learns node 2's address from its CARP adverts, and node 2 learns
	 * node 1's from the first hello. Never heard: one a second.
	 */
	carp_live_learn(&n1, 2, &n2.cl_paths[1].lp_self);
	carp_live_learn(&n1, 3, &n2.cl_paths[2].lp_self);
	assert_int_equal(run(&n1, &n2, map, all, 0, 3.0, NULL), 0);
	for (i = 0; i < NPATH; i++)
		assert_int_equal(n1.cl_paths[i].lp_state, CARP_LIVE_UP);
	assert_true(n1.cl_peer_up);
	/* Two paths of three lost, for 10 s: never "dead". */
	assert_int_equal(run(&n1, &n2, map, one, 3.0, 13.0, NULL), 0);
	assert_int_equal(n1.cl_paths[0].lp_state, CARP_LIVE_DOWN);
	assert_int_equal(n1.cl_paths[2].lp_state, CARP_LIVE_UP);
	assert_int_equal(run(&n1, &n2, map, all, 13.0, 14.0, NULL), 0);
	/* Every path at once: dead within 3 x 50 ms (+ 1 ms steps), once. */
	assert_int_equal(run(&n1, &n2, map, none, 14.0, 20.0, &when), 1);
	assert_true(when - 14.0 <= 0.155);
	assert_true(when - 14.0 >= 0.10);
	assert_int_equal(n1.cl_deaths, 1);
	/* The peer comes back: up again, and it can die again. */
	assert_int_equal(run(&n1, &n2, map, all, 20.0, 22.0, NULL), 0);
	assert_true(n1.cl_peer_up);
	assert_int_equal(run(&n1, &n2, map, none, 22.0, 23.0, NULL), 1);
	/* Nothing refused along the way. */
	for (i = 1; i < CARP_LIVE_R_MAX; i++)
		assert_int_equal(n1.cl_rej[i], 0);
	carp_live_clear(&n1);
	carp_live_clear(&n2);
}

static void
test_never_heard_is_never_dead(void **state)
{
	struct carp_live	n1;
	struct carp_live_out	out;
	double			t;
	int			sends = 0;

	(void)state;
	setup(&n1, 1, "secret", 0);
	for (t = 0; t < 10.0; t += 0.001) {
		(void)carp_live_tick(&n1, t, &out);
		assert_int_equal(out.lo_peer_dead, 0);
		sends += out.lo_send != 0;
	}
	/* RFC 5880 6.8.3: one per second to a peer never heard (path 1). */
	assert_true(sends >= 10 && sends <= 11);
	carp_live_clear(&n1);
}

/* Each rejection counted by its reason; nothing changes before auth. */
static void
test_rejections(void **state)
{
	struct carp_live	n1, n2, evil;
	uint8_t			map[CARP_LIVE_MAPLEN] = { 0 }, h[CARP_LIVE_LEN];
	uint8_t			pkt[CARP_LIVE_PKT_LEN], bad[CARP_LIVE_PKT_LEN];
	size_t			len, path;

	(void)state;
	setup(&n1, 1, "secret", 0);
	setup(&n2, 2, "secret", 0);
	setup(&evil, 2, "guess", 0);
	carp_live_encode(&n2, map, h);
	len = wrap(&n2, 2, h, pkt);

	assert_int_equal(carp_live_input(&n1, pkt, 30, 2, 1, &path),
	    CARP_LIVE_R_SHORT);
	memcpy(bad, pkt, len);
	bad[9] = 6;
	assert_int_equal(carp_live_input(&n1, bad, len, 2, 1, &path),
	    CARP_LIVE_R_BAD_IP);
	memcpy(bad, pkt, len);
	bad[8] = 254;		/* routed: not a neighbour */
	assert_int_equal(carp_live_input(&n1, bad, len, 2, 1, &path),
	    CARP_LIVE_R_BAD_TTL);
	memcpy(bad, pkt, len);
	bad[28] = 2;
	assert_int_equal(carp_live_input(&n1, bad, len, 2, 1, &path),
	    CARP_LIVE_R_BAD_VERSION);
	memcpy(bad, pkt, len);
	bad[28 + 2] = 0;
	assert_int_equal(carp_live_input(&n1, bad, len, 2, 1, &path),
	    CARP_LIVE_R_BAD_FIELD);
	assert_int_equal(carp_live_input(&n1, pkt, len, 9, 1, &path),
	    CARP_LIVE_R_NO_PATH);
	/* Path 1's peer is configured (10.0.1.2): 10.0.2.2 is not it. */
	assert_int_equal(carp_live_input(&n1, pkt, len, 1, 1, &path),
	    CARP_LIVE_R_BAD_PEER);
	/* A wrong key, then one bit flipped in the map. */
	carp_live_encode(&evil, map, h);
	len = wrap(&evil, 2, h, bad);
	assert_int_equal(carp_live_input(&n1, bad, len, 2, 1, &path),
	    CARP_LIVE_R_BAD_HMAC);
	memcpy(bad, pkt, len);
	bad[28 + 20] ^= 1;
	assert_int_equal(carp_live_input(&n1, bad, len, 2, 1, &path),
	    CARP_LIVE_R_BAD_HMAC);
	assert_int_equal(n1.cl_paths[1].lp_state, CARP_LIVE_DOWN);
	assert_int_equal(n1.cl_paths[1].lp_peer.ca_af, 0);	/* unlearned */
	/* The genuine one, then the same again: a replay. */
	assert_int_equal(carp_live_input(&n1, pkt, len, 2, 1, &path),
	    CARP_LIVE_R_OK);
	assert_int_equal(path, 1);
	assert_int_equal(carp_live_input(&n1, pkt, len, 2, 1.01, &path),
	    CARP_LIVE_R_REPLAY);
	/* Our own hello looped back. */
	carp_live_encode(&n1, map, h);
	len = wrap(&n2, 2, h, bad);
	assert_int_equal(carp_live_input(&n1, bad, len, 2, 1, &path),
	    CARP_LIVE_R_OWN);
	assert_int_equal(n1.cl_rej[CARP_LIVE_R_OK], 1);
	assert_int_equal(n1.cl_rej[CARP_LIVE_R_BAD_HMAC], 2);
	assert_int_equal(n1.cl_rej[CARP_LIVE_R_REPLAY], 1);
	assert_int_equal(n1.cl_rej[CARP_LIVE_R_BAD_TTL], 1);
	assert_string_equal(carp_live_reason_name(CARP_LIVE_R_REPLAY),
	    "sequence number not newer (replay)");
	/* Off: refused as such. */
	assert_int_equal(carp_live_configure(&n1, 0, 50, 3), 0);
	assert_int_equal(carp_live_input(&n1, pkt, len, 2, 1, &path),
	    CARP_LIVE_R_DISABLED);
	/* Out-of-range settings change nothing. */
	assert_int_equal(carp_live_configure(&n1, 1, 5, 3), -1);
	assert_int_equal(carp_live_configure(&n1, 1, 50, 1), -1);
	assert_int_equal(n1.cl_interval_ms, 50);
	carp_live_clear(&n1);
	carp_live_clear(&n2);
	carp_live_clear(&evil);
}

/* A path learns its peer from CARP adverts; a reconfiguration keeps it. */
static void
test_learn_and_keep(void **state)
{
	struct carp_live	 n1;
	struct carp_live_path	 tmp[CARP_LIVE_MAXPATHS];
	struct carp_addr	 src = a4("10.0.3.2"), self = a4("10.0.3.1");
	size_t			 ntmp;

	(void)state;
	setup(&n1, 1, "secret", 0);
	carp_live_learn(&n1, 3, &src);
	assert_int_equal(n1.cl_paths[2].lp_peer.ca_af, AF_INET);
	n1.cl_paths[2].lp_state = CARP_LIVE_UP;
	n1.cl_paths[2].lp_rx = 7;
	carp_live_paths_begin(&n1, tmp, &ntmp);
	assert_int_equal(carp_live_path_add(tmp, &ntmp, "if3", 3, &self,
	    NULL), 0);
	assert_int_equal(carp_live_path_add(tmp, &ntmp, "dup", 3, &self,
	    NULL), 0);
	assert_int_equal(ntmp, 1);		/* one path per interface */
	carp_live_paths_commit(&n1, tmp, ntmp, 5);
	assert_int_equal(n1.cl_npaths, 1);
	assert_int_equal(n1.cl_paths[0].lp_rx, 7);
	assert_int_equal(n1.cl_paths[0].lp_state, CARP_LIVE_UP);
	assert_int_equal(n1.cl_paths[0].lp_peer.ca_af, AF_INET);
	carp_live_clear(&n1);
}

static int	ntrans;
static int	peer_alive_holds;

static int
on_peer_holds(void *arg, const struct carp_vhid *vh)
{
	(void)arg;
	(void)vh;
	return peer_alive_holds;
}
static char	last_cause[96];

static void
on_transition(void *arg, const struct carp_transition *t)
{
	(void)arg;
	ntrans++;
	snprintf(last_cause, sizeof(last_cause), "%s", t->ct_cause);
}

/* The FSM's side: peer dead promotes; yield steps down, holds preempt. */
static void
test_fsm_events(void **state)
{
	static const struct carp_fsm_ops ops = { .transition = on_transition };
	struct carp_node	 cn;
	struct carp_adv		 adv;
	uint8_t			 held[CARP_LIVE_MAPLEN] = { 0 };

	(void)state;
	carp_fsm_init(&cn, &ops, 1);
	assert_non_null(carp_fsm_add_vhid(&cn, 147, 1, 100, 1, NULL));
	assert_non_null(carp_fsm_add_vhid(&cn, 148, 1, 100, 2, NULL));
	carp_fsm_start(&cn, 0);
	assert_int_equal(carp_fsm_vhid(&cn, 147)->vh_state, CARP_S_BACKUP);
	/* The dead peer held nothing: CARP's timers decide, not us. */
	carp_fsm_peer_dead(&cn, held, 0.5);
	assert_int_equal(carp_fsm_vhid(&cn, 147)->vh_state, CARP_S_BACKUP);
	/* It held 147: 147 by the channel, 148 by group promotion. */
	carp_live_map_set(held, 147);
	ntrans = 0;
	carp_fsm_peer_dead(&cn, held, 1.0);
	assert_int_equal(carp_fsm_vhid(&cn, 147)->vh_state, CARP_S_MASTER);
	assert_int_equal(carp_fsm_vhid(&cn, 148)->vh_state, CARP_S_MASTER);
	assert_int_equal(ntrans, 2);

	/* Now the other side: this node was frozen and the peer took 147. */
	carp_fsm_yield(&cn, held, 31.0, 1.0);
	assert_string_equal(last_cause,
	    "peer took over while this node was frozen");
	assert_int_equal(carp_fsm_vhid(&cn, 147)->vh_state, CARP_S_BACKUP);
	assert_int_equal(carp_fsm_vhid(&cn, 148)->vh_state, CARP_S_MASTER);
	/* A worse master's advert within the hold: no preempt back. */
	memset(&adv, 0, sizeof(adv));
	adv.ca_advbase = 1;
	adv.ca_advskew = 200;
	adv.ca_src = a4("10.0.1.2");
	carp_fsm_rx(&cn, 147, &adv, 2.0);
	assert_int_equal(carp_fsm_vhid(&cn, 147)->vh_state, CARP_S_BACKUP);
	/* After it, CARP's preempt as always. */
	carp_fsm_rx(&cn, 147, &adv, 31.5);
	assert_int_equal(carp_fsm_vhid(&cn, 147)->vh_state, CARP_S_MASTER);
	assert_string_equal(carp_fsm_event_name(CARP_E_PEER_DEAD), "peer_dead");
	carp_fsm_free(&cn);
}

/*
 * Adverts lost on one segment while the master says over the channel
 * that it holds the VHID: master-down does not make a second MASTER.
 */
static void
test_fsm_master_down_held(void **state)
{
	static const struct carp_fsm_ops ops = { .transition = on_transition,
	    .peer_holds = on_peer_holds };
	struct carp_node	 cn;

	(void)state;
	carp_fsm_init(&cn, &ops, 1);
	assert_non_null(carp_fsm_add_vhid(&cn, 147, 1, 100, 1, NULL));
	carp_fsm_start(&cn, 0);
	peer_alive_holds = 1;
	(void)carp_fsm_tick(&cn, 10.0);		/* master-down long past */
	assert_int_equal(carp_fsm_vhid(&cn, 147)->vh_state, CARP_S_BACKUP);
	assert_true(carp_fsm_vhid(&cn, 147)->vh_t_down > 10.0);
	peer_alive_holds = 0;			/* the peer gone quiet */
	(void)carp_fsm_tick(&cn, 20.0);
	assert_int_equal(carp_fsm_vhid(&cn, 147)->vh_state, CARP_S_MASTER);
	carp_fsm_free(&cn);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dead_only_when_every_path_is),
		cmocka_unit_test(test_never_heard_is_never_dead),
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_learn_and_keep),
		cmocka_unit_test(test_fsm_events),
		cmocka_unit_test(test_fsm_master_down_held),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
