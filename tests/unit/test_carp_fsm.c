/*
 * test_carp_fsm.c — the CARP state machine, alone and as two simulated
 * nodes electing over an in-memory wire with a simulated clock.
 *
 * Topology of the simulation (the seed lab): node A (advskew 0) and node
 * B (advskew 100), segment 1 = LAN carrying vhid 147, segment 2 = WAN
 * carrying vhids 148 and 149. Adverts take 5 ms on the wire. The clock
 * advances in 1 ms steps; for every step the harness counts, per VHID,
 * whether no node serves it (a gap: pings would be lost) or two do.
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
#include "util.h"

#define NNODE	2
#define NSEG	2
#define NVHID	3
#define MAXQ	4096
#define MAXLOG	512
#define LATENCY	5		/* ms */

static const uint8_t	sim_vhid[NVHID] = { 147, 148, 149 };
static const int	sim_seg[NVHID] = { 1, 2, 2 };

struct msg {
	long		 at;		/* ms */
	int		 from;
	int		 seg;
	uint8_t		 vhid, advbase, skew, demote;
};

struct simnode {
	struct carp_node	 cn;
	int			 id;
	int			 started;
	int			 dead;
	int			 link[NSEG + 1];
	int			 sendfail[NSEG + 1];
	int			 vip[256];	/* vip_up minus vip_down */
	int			 garps;
	struct carp_transition	 log[MAXLOG];
	int			 nlog;
};

static struct sim {
	long		 ms;
	struct simnode	 n[NNODE];
	struct msg	 q[MAXQ];
	int		 nq;
	long		 gap[NVHID];	/* ms without any master */
	long		 dual[NVHID];	/* ms with two masters */
	long		 late_dual;	/* dual ms in the last 5 s before end */
} S;

static double
now(void)
{
	return S.ms / 1000.0;
}

static int
sim_send(void *arg, const struct carp_vhid *vh, uint8_t skew, uint8_t demote)
{
	struct simnode *sn = arg;

	if (sn->dead || !sn->link[vh->vh_ifindex] ||
	    sn->sendfail[vh->vh_ifindex])
		return -1;
	assert_true(S.nq < MAXQ);
	S.q[S.nq++] = (struct msg){ S.ms + LATENCY, sn->id, vh->vh_ifindex,
	    vh->vh_vhid, vh->vh_advbase, skew, demote };
	return 0;
}

static void
sim_vip_up(void *arg, const struct carp_vhid *vh)
{
	struct simnode *sn = arg;

	sn->vip[vh->vh_vhid]++;
	assert_int_equal(sn->vip[vh->vh_vhid], 1);
}

static void
sim_vip_down(void *arg, const struct carp_vhid *vh)
{
	struct simnode *sn = arg;

	sn->vip[vh->vh_vhid]--;
	assert_int_equal(sn->vip[vh->vh_vhid], 0);
}

static void
sim_garp(void *arg, const struct carp_vhid *vh)
{
	struct simnode *sn = arg;

	(void)vh;
	sn->garps++;
}

static void
sim_transition(void *arg, const struct carp_transition *t)
{
	struct simnode *sn = arg;

	assert_true(sn->nlog < MAXLOG);
	assert_int_not_equal(t->ct_from, t->ct_to);
	assert_true(t->ct_cause[0] != '\0');
	sn->log[sn->nlog++] = *t;
}

static const struct carp_fsm_ops sim_ops = {
	sim_send, sim_vip_up, sim_vip_down, sim_garp, sim_transition, NULL,
	NULL
};

static void
sim_init(int skew_a, int skew_b, int preempt_a, int preempt_b)
{
	struct carp_fsm_ops	ops = sim_ops;
	int			i, v, s;

	memset(&S, 0, sizeof(S));
	for (i = 0; i < NNODE; i++) {
		struct simnode *sn = &S.n[i];

		sn->id = i;
		ops.arg = sn;
		carp_fsm_init(&sn->cn, &ops, i == 0 ? preempt_a : preempt_b);
		for (s = 1; s <= NSEG; s++)
			sn->link[s] = 1;
		for (v = 0; v < NVHID; v++)
			assert_non_null(carp_fsm_add_vhid(&sn->cn, sim_vhid[v],
			    1, (uint8_t)(i == 0 ? skew_a : skew_b),
			    sim_seg[v], NULL));
	}
}

static void
sim_free(void)
{
	int i;

	for (i = 0; i < NNODE; i++)
		carp_fsm_free(&S.n[i].cn);
}

static int
serving(struct simnode *sn, int v)
{
	struct carp_vhid *vh = carp_fsm_vhid(&sn->cn, sim_vhid[v]);

	return !sn->dead && sn->link[sim_seg[v]] &&
	    vh->vh_state == CARP_S_MASTER;
}

static void
sim_deliver(void)
{
	struct carp_adv	adv;
	struct msg	m;
	int		j;

	/* FIFO: one link does not reorder one sender's packets. */
	while (S.nq > 0 && S.q[0].at <= S.ms) {
		m = S.q[0];
		memmove(&S.q[0], &S.q[1], --S.nq * sizeof(S.q[0]));
		for (j = 0; j < NNODE; j++) {
			struct simnode *sn = &S.n[j];

			if (j == m.from || sn->dead || !sn->started ||
			    !sn->link[m.seg] || !S.n[m.from].link[m.seg])
				continue;
			memset(&adv, 0, sizeof(adv));
			adv.ca_advbase = m.advbase;
			adv.ca_advskew = m.skew;
			adv.ca_demote = m.demote;
			adv.ca_src.ca_af = AF_INET;
			adv.ca_src.ca_u.v4.s_addr = htonl(0x0a000001 |
			    (uint32_t)m.seg << 8 | (uint32_t)(m.from + 1));
			carp_fsm_rx(&sn->cn, m.vhid, &adv, now());
		}
	}
}

static void
sim_run_until(long until_ms, long end_ms)
{
	int i, v, masters;

	while (S.ms < until_ms) {
		S.ms++;
		sim_deliver();
		for (i = 0; i < NNODE; i++) {
			struct simnode *sn = &S.n[i];
			double next;

			if (sn->dead || !sn->started)
				continue;
			next = carp_fsm_tick(&sn->cn, now());
			/* The engine never asks to be woken in the past. */
			assert_true(next == 0 || next > now());
		}
		for (v = 0; v < NVHID; v++) {
			masters = 0;
			for (i = 0; i < NNODE; i++)
				masters += serving(&S.n[i], v);
			if (masters == 0)
				S.gap[v]++;
			if (masters > 1) {
				S.dual[v]++;
				if (S.ms > end_ms - 5000)
					S.late_dual++;
			}
		}
	}
}

/* Scenario steps. */
enum op {
	START, KILL, LINKDOWN, LINKUP, MAINT, UNMAINT, DISABLE, ENABLE,
	SENDFAIL, SENDOK, MARK,
	OWNER,		/* node arg serves every VHID, the other none */
	NOOWNER,	/* arg: node serves nothing (may be INIT/DISABLED) */
	STATE,		/* node's VHID index arg is in state arg2 */
	GAPMAX,		/* every VHID: gap since MARK <= arg ms */
	GAPRANGE,	/* VHID index arg: arg2 <= gap <= arg3 ms */
	DUALMAX,	/* every VHID: dual since MARK <= arg ms */
	GROUP,		/* node's VHIDs became MASTER at one instant;
			   arg 1: by group promotion */
	NEVERMASTER,	/* node never was MASTER */
	END
};

struct step {
	long		 t;		/* ms */
	enum op		 op;
	int		 node;
	int		 arg, arg2, arg3;
};

struct scenario {
	const char	*name;
	int		 skew_a, skew_b;
	int		 preempt_a, preempt_b;
	struct step	 steps[24];
};

#define A 0
#define B 1

/* Steps leave trailing arguments out: they are zero. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
static const struct scenario scenarios[] = {
	{ "startup election: lower skew wins", 0, 100, 1, 1, {
		{ 0, START, A }, { 0, START, B },
		{ 10000, OWNER, A }, { 10000, NEVERMASTER, B },
		{ 10000, GROUP, A, 0 },
		{ 20000, END } } },
	{ "equal skew, A first: B never preempts (ties never do)",
	    50, 50, 1, 1, {
		{ 0, START, A }, { 2000, START, B },
		{ 10000, OWNER, A }, { 60000, OWNER, A },
		{ 60000, NEVERMASTER, B }, { 60000, END } } },
	{ "better node joins later with preempt: takes over, no gap",
	    0, 100, 1, 1, {
		{ 0, START, B }, { 6000, OWNER, B }, { 6000, MARK },
		{ 10000, START, A }, { 13000, OWNER, A },
		{ 13000, GAPMAX, 0, 0 }, { 13000, DUALMAX, 0, 2 * LATENCY },
		{ 20000, END } } },
	{ "disablepreempt: better node joining later stays BACKUP",
	    0, 100, 0, 0, {
		{ 0, START, B }, { 6000, OWNER, B },
		{ 10000, START, A }, { 30000, OWNER, B },
		{ 30000, NEVERMASTER, A }, { 30000, END } } },
	{ "master dies: backup takes over after master-down (~3.4 s)",
	    0, 100, 1, 1, {
		{ 0, START, A }, { 0, START, B }, { 10000, OWNER, A },
		{ 10000, MARK }, { 10000, KILL, A },
		{ 14000, OWNER, B },
		/* last advert <= 1 s before death, master-down 3.39 s */
		{ 14000, GAPRANGE, A, 0, 2300, 3400 },
		{ 14000, GAPRANGE, A, 1, 2300, 3400 },
		{ 20000, END } } },
	{ "S1 master WAN link down: B takes ALL vhids at once (preempt)",
	    0, 100, 1, 1, {
		{ 0, START, A }, { 0, START, B }, { 10000, OWNER, A },
		{ 10000, MARK }, { 10000, LINKDOWN, A, 2 },
		{ 10100, OWNER, B }, { 10100, GROUP, B, 1 },
		{ 10100, GAPRANGE, 0, 0, 0 },	/* LAN: make before break */
		{ 10100, GAPMAX, 0, 2 * LATENCY },	/* WAN: ~latency, not 3.4 s */
		{ 20000, OWNER, B }, { 20000, END } } },
	{ "S1 without preempt: the demoted master is still left at once",
	    0, 100, 0, 0, {
		{ 0, START, A }, { 0, START, B }, { 10000, OWNER, A },
		{ 10000, MARK }, { 10000, LINKDOWN, A, 2 },
		{ 10100, OWNER, B }, { 10100, GROUP, B, 1 },
		{ 10100, GAPMAX, 0, 2 * LATENCY }, { 20000, END } } },
	{ "S4 master LAN link down: WAN follows LAN", 0, 100, 1, 1, {
		{ 0, START, A }, { 0, START, B }, { 10000, OWNER, A },
		{ 10000, MARK }, { 10000, LINKDOWN, A, 1 },
		{ 10100, OWNER, B }, { 10100, GROUP, B, 1 },
		{ 10100, GAPMAX, 0, 2 * LATENCY }, { 20000, END } } },
	{ "S2 master WAN restored, preempt: A takes all back, no gap",
	    0, 100, 1, 1, {
		{ 0, START, A }, { 0, START, B }, { 10000, OWNER, A },
		{ 10000, LINKDOWN, A, 2 }, { 12000, OWNER, B },
		{ 20000, MARK }, { 20000, LINKUP, A, 2 },
		{ 22000, OWNER, A }, { 22000, GROUP, A, 1 },
		{ 22000, GAPMAX, 0, 0 }, { 22000, DUALMAX, 0, 2 * LATENCY },
		{ 30000, OWNER, A }, { 30000, END } } },
	{ "S2 master WAN restored, disablepreempt: VIPs stay on B",
	    0, 100, 0, 0, {
		{ 0, START, A }, { 0, START, B }, { 10000, OWNER, A },
		{ 10000, LINKDOWN, A, 2 }, { 12000, OWNER, B },
		{ 20000, MARK }, { 20000, LINKUP, A, 2 },
		{ 40000, OWNER, B }, { 40000, GAPMAX, 0, 0 },
		{ 40000, END } } },
	{ "S3 backup WAN down while holding VIPs: all return to A, no gap",
	    0, 100, 0, 0, {
		{ 0, START, A }, { 0, START, B },
		{ 10000, LINKDOWN, A, 2 }, { 20000, LINKUP, A, 2 },
		{ 25000, OWNER, B }, { 25000, MARK },
		{ 25000, LINKDOWN, B, 2 },
		{ 25100, OWNER, A }, { 25100, GROUP, A, 1 },
		{ 25100, GAPRANGE, 0, 0, 0 }, { 25100, GAPMAX, 0, 2 * LATENCY },
		{ 35000, END } } },
	{ "S6 maintenance mode on/off with preempt: no gap either way",
	    0, 100, 1, 1, {
		{ 0, START, A }, { 0, START, B }, { 10000, OWNER, A },
		{ 10000, MARK }, { 10000, MAINT, A },
		{ 10100, OWNER, B }, { 10100, GROUP, B, 1 },
		{ 10100, GAPMAX, 0, 0 },
		{ 30000, OWNER, B },		/* stays while in maintenance */
		{ 30000, UNMAINT, A }, { 32000, OWNER, A },
		{ 32000, GAPMAX, 0, 0 }, { 40000, END } } },
	{ "S3 with A in maintenance: B loses WAN, every VIP goes to A",
	    0, 100, 1, 1, {
		{ 0, START, A }, { 0, START, B }, { 10000, OWNER, A },
		{ 10000, MAINT, A }, { 12000, OWNER, B },
		{ 20000, MARK }, { 20000, LINKDOWN, B, 2 },
		/* maintenance (239) beats a dead link (240): no split */
		{ 20100, OWNER, A }, { 20100, GROUP, A, 1 },
		{ 20100, GAPMAX, 0, 2 * LATENCY },
		{ 40000, OWNER, A }, { 40000, END } } },
	{ "S6 maintenance without preempt: leaving it keeps VIPs on B",
	    0, 100, 0, 0, {
		{ 0, START, A }, { 0, START, B }, { 10000, OWNER, A },
		{ 10000, MAINT, A }, { 10100, OWNER, B },
		{ 20000, UNMAINT, A }, { 40000, OWNER, B },
		{ 40000, END } } },
	{ "S5 temporary disable: hand-over without a gap, enable preempts",
	    0, 100, 1, 1, {
		{ 0, START, A }, { 0, START, B }, { 10000, OWNER, A },
		{ 10000, MARK }, { 10000, DISABLE, A },
		{ 10100, OWNER, B }, { 10100, GAPMAX, 0, 0 },
		{ 10100, STATE, A, 0, CARP_S_DISABLED },
		{ 10100, STATE, A, 1, CARP_S_DISABLED },
		{ 20000, NOOWNER, A }, { 20000, ENABLE, A },
		{ 20001, STATE, A, 0, CARP_S_BACKUP },
		{ 23000, OWNER, A }, { 23000, GAPMAX, 0, 0 },
		{ 30000, END } } },
	{ "temporary disable with no peer: VIPs dropped after master-down",
	    0, 100, 1, 1, {
		{ 0, START, A }, { 10000, OWNER, A },
		{ 10000, DISABLE, A }, { 12000, STATE, A, 0, CARP_S_MASTER },
		{ 14500, STATE, A, 0, CARP_S_DISABLED },
		{ 14500, STATE, A, 2, CARP_S_DISABLED },
		{ 14500, NOOWNER, A }, { 20000, END } } },
	{ "send errors on WAN: A demotes itself after 3, B takes all",
	    0, 100, 1, 1, {
		{ 0, START, A }, { 0, START, B }, { 10000, OWNER, A },
		{ 10000, SENDFAIL, A, 2 },
		{ 14000, OWNER, B }, { 14000, GROUP, B, 1 },
		/* Sticky while BACKUP (it cannot prove sends work)... */
		{ 20000, SENDOK, A, 2 }, { 40000, OWNER, B },
		/* ... until the link is renewed. */
		{ 40000, LINKDOWN, A, 2 }, { 40500, LINKUP, A, 2 },
		{ 43000, OWNER, A }, { 50000, END } } },
	{ "both links flap on A: the group never splits", 0, 100, 1, 1, {
		{ 0, START, A }, { 0, START, B }, { 10000, OWNER, A },
		{ 10000, LINKDOWN, A, 1 }, { 10500, LINKDOWN, A, 2 },
		{ 11000, OWNER, B }, { 11500, LINKUP, A, 1 },
		{ 14000, OWNER, B },		/* A still demoted by WAN */
		{ 14000, LINKUP, A, 2 }, { 17000, OWNER, A },
		{ 25000, END } } },
};
#pragma GCC diagnostic pop

static int
vhids_in(struct simnode *sn, enum carp_state st)
{
	int v, n = 0;

	for (v = 0; v < NVHID; v++)
		n += carp_fsm_vhid(&sn->cn, sim_vhid[v])->vh_state == st;
	return n;
}

static void
check_group(const struct scenario *sc, struct simnode *sn, int promoted)
{
	double	t = -1;
	int	v, i, found, grouped = 0;

	/* The last transition to MASTER of every VHID: one instant. */
	for (v = 0; v < NVHID; v++) {
		found = 0;
		for (i = sn->nlog - 1; i >= 0; i--) {
			if (sn->log[i].ct_vhid != sim_vhid[v] ||
			    sn->log[i].ct_to != CARP_S_MASTER)
				continue;
			if (t < 0)
				t = sn->log[i].ct_time;
			if (sn->log[i].ct_time != t)
				fail_msg("%s: vhid %u master at %.3f, not %.3f",
				    sc->name, sim_vhid[v], sn->log[i].ct_time,
				    t);
			grouped += strstr(sn->log[i].ct_cause,
			    "group promotion") != NULL;
			found = 1;
			break;
		}
		if (!found)
			fail_msg("%s: vhid %u never MASTER", sc->name,
			    sim_vhid[v]);
	}
	/* promoted: the others followed the first by group promotion. */
	if (promoted && grouped != NVHID - 1)
		fail_msg("%s: %d VHIDs group-promoted, want %d", sc->name,
		    grouped, NVHID - 1);
}

static void
run_scenario(const struct scenario *sc)
{
	const struct step	*st;
	long			 end = 0;
	int			 v, i;

	sim_init(sc->skew_a, sc->skew_b, sc->preempt_a, sc->preempt_b);
	for (st = sc->steps; st->op != END; st++)
		;
	end = st->t;
	for (st = sc->steps; ; st++) {
		struct simnode *sn = &S.n[st->node];

		sim_run_until(st->t, end);
		switch (st->op) {
		case START:
			sn->started = 1;
			carp_fsm_start(&sn->cn, now());
			break;
		case KILL:
			sn->dead = 1;
			break;
		case LINKDOWN:
		case LINKUP:
			sn->link[st->arg] = st->op == LINKUP;
			carp_fsm_link(&sn->cn, st->arg, st->op == LINKUP,
			    now());
			break;
		case MAINT:
		case UNMAINT:
			carp_fsm_set_maintenance(&sn->cn, st->op == MAINT,
			    now());
			break;
		case DISABLE:
		case ENABLE:
			carp_fsm_set_disabled(&sn->cn, st->op == DISABLE,
			    now());
			break;
		case SENDFAIL:
		case SENDOK:
			sn->sendfail[st->arg] = st->op == SENDFAIL;
			break;
		case MARK:
			memset(S.gap, 0, sizeof(S.gap));
			memset(S.dual, 0, sizeof(S.dual));
			break;
		case OWNER:
			for (v = 0; v < NVHID; v++) {
				if (!serving(sn, v) || serving(&S.n[!st->node],
				    v))
					fail_msg("%s @%ldms: vhid %u not owned "
					    "by %c alone", sc->name, S.ms,
					    sim_vhid[v], 'A' + st->node);
			}
			break;
		case NOOWNER:
			assert_int_equal(vhids_in(sn, CARP_S_MASTER), 0);
			break;
		case STATE:
			if (carp_fsm_vhid(&sn->cn, sim_vhid[st->arg])->vh_state
			    != (enum carp_state)st->arg2)
				fail_msg("%s @%ldms: vhid %u of %c not %s",
				    sc->name, S.ms, sim_vhid[st->arg],
				    'A' + st->node,
				    carp_fsm_state_name(st->arg2));
			break;
		case GAPMAX:
		case DUALMAX:
			for (v = 0; v < NVHID; v++) {
				long got = st->op == GAPMAX ? S.gap[v] :
				    S.dual[v];

				if (got > st->arg)
					fail_msg("%s @%ldms: vhid %u %s %ld ms "
					    "> %d", sc->name, S.ms,
					    sim_vhid[v], st->op == GAPMAX ?
					    "gap" : "dual master", got,
					    st->arg);
			}
			break;
		case GAPRANGE:
			if (S.gap[st->arg] < st->arg2 ||
			    S.gap[st->arg] > st->arg3)
				fail_msg("%s @%ldms: vhid %u gap %ld ms not in "
				    "[%d, %d]", sc->name, S.ms,
				    sim_vhid[st->arg], S.gap[st->arg],
				    st->arg2, st->arg3);
			break;
		case GROUP:
			check_group(sc, sn, st->arg);
			break;
		case NEVERMASTER:
			for (i = 0; i < sn->nlog; i++)
				if (sn->log[i].ct_to == CARP_S_MASTER)
					fail_msg("%s: %c became MASTER at "
					    "%.3f (%s)", sc->name,
					    'A' + st->node,
					    sn->log[i].ct_time,
					    sn->log[i].ct_cause);
			break;
		case END:
			break;
		}
		if (st->op == END)
			break;
	}
	/* Settled: never MASTER on both nodes in the last 5 s. */
	if (S.late_dual != 0)
		fail_msg("%s: dual master for %ld ms after settling", sc->name,
		    S.late_dual);
	for (v = 0; v < NVHID; v++)
		if (serving(&S.n[A], v) && serving(&S.n[B], v))
			fail_msg("%s: both MASTER of vhid %u at the end",
			    sc->name, sim_vhid[v]);
	/* VIP callbacks always match the state. */
	for (i = 0; i < NNODE; i++)
		for (v = 0; v < NVHID; v++)
			assert_int_equal(S.n[i].vip[sim_vhid[v]],
			    carp_fsm_vhid(&S.n[i].cn, sim_vhid[v])->vh_state ==
			    CARP_S_MASTER);
	sim_free();
}

static void
test_scenarios(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < nitems(scenarios); i++) {
		print_message("scenario: %s\n", scenarios[i].name);
		run_scenario(&scenarios[i]);
	}
}

/* Single-node checks of the receive rules, one table. */
static const struct {
	enum carp_state	 from;
	int		 preempt;
	uint8_t		 advbase, advskew, demote;
	enum carp_state	 to;
	const char	*why;
} rx_cases[] = {
	/* own advbase 1, advskew 100 */
	{ CARP_S_MASTER, 1, 1, 100, 0, CARP_S_BACKUP, "tie steps down" },
	{ CARP_S_MASTER, 1, 1, 99, 0, CARP_S_BACKUP, "faster peer" },
	{ CARP_S_MASTER, 1, 0, 250, 0, CARP_S_BACKUP, "advbase first" },
	{ CARP_S_MASTER, 1, 1, 101, 0, CARP_S_MASTER, "slower peer" },
	{ CARP_S_MASTER, 0, 2, 0, 0, CARP_S_MASTER, "advbase 2 slower" },
	{ CARP_S_BACKUP, 1, 1, 101, 0, CARP_S_MASTER, "preempt slower" },
	{ CARP_S_BACKUP, 0, 1, 101, 0, CARP_S_BACKUP, "no preempt" },
	{ CARP_S_BACKUP, 1, 1, 100, 0, CARP_S_BACKUP, "ties never preempt" },
	{ CARP_S_BACKUP, 0, 1, 101, 1, CARP_S_MASTER, "demote byte" },
	{ CARP_S_BACKUP, 0, 3, 0, 0, CARP_S_BACKUP, "3 s is not > 3 s" },
	{ CARP_S_BACKUP, 0, 3, 1, 0, CARP_S_MASTER, "> 3 x advbase" },
	{ CARP_S_BACKUP, 0, 255, 255, 0, CARP_S_MASTER, "bow-out" },
};

static void
to_state(struct carp_node *cn, enum carp_state st)
{
	struct carp_vhid *vh = carp_fsm_vhid(cn, 5);

	carp_fsm_start(cn, 0);
	assert_int_equal(vh->vh_state, CARP_S_BACKUP);
	if (st == CARP_S_MASTER) {
		carp_fsm_tick(cn, carp_fsm_next_deadline(cn));
		assert_int_equal(vh->vh_state, CARP_S_MASTER);
	}
}

static void
test_rx_rules(void **state)
{
	struct carp_fsm_ops	ops = sim_ops;
	struct carp_node	cn;
	struct carp_adv		adv;
	size_t			i;

	(void)state;
	memset(&S, 0, sizeof(S));
	S.n[0].link[1] = 1;
	ops.arg = &S.n[0];
	for (i = 0; i < nitems(rx_cases); i++) {
		memset(&S.n[0].vip, 0, sizeof(S.n[0].vip));
		S.nq = 0;
		carp_fsm_init(&cn, &ops, rx_cases[i].preempt);
		assert_non_null(carp_fsm_add_vhid(&cn, 5, 1, 100, 1, NULL));
		to_state(&cn, rx_cases[i].from);
		memset(&adv, 0, sizeof(adv));
		adv.ca_advbase = rx_cases[i].advbase;
		adv.ca_advskew = rx_cases[i].advskew;
		adv.ca_demote = rx_cases[i].demote;
		adv.ca_src.ca_af = AF_INET;
		adv.ca_src.ca_u.v4.s_addr = htonl(0x0a000002);
		carp_fsm_rx(&cn, 5, &adv, 5.0);
		if (carp_fsm_vhid(&cn, 5)->vh_state != rx_cases[i].to)
			fail_msg("%s: %s, want %s", rx_cases[i].why,
			    carp_fsm_state_name(carp_fsm_vhid(&cn,
			    5)->vh_state),
			    carp_fsm_state_name(rx_cases[i].to));
		/* Unknown vhid: ignored. */
		carp_fsm_rx(&cn, 6, &adv, 5.0);
		carp_fsm_free(&cn);
	}
}

/* A FreeBSD master's advskew rising (demotion folded in) is noticed. */
static void
test_skew_rise_is_demotion(void **state)
{
	struct carp_fsm_ops	ops = sim_ops;
	struct carp_node	cn;
	struct carp_adv		adv;
	struct carp_vhid	*vh;

	(void)state;
	memset(&S, 0, sizeof(S));
	S.n[0].link[1] = 1;
	ops.arg = &S.n[0];
	carp_fsm_init(&cn, &ops, 0);
	vh = carp_fsm_add_vhid(&cn, 5, 1, 100, 1, NULL);
	to_state(&cn, CARP_S_BACKUP);
	memset(&adv, 0, sizeof(adv));
	adv.ca_advbase = 1;
	adv.ca_advskew = 110;		/* slower, but no preempt */
	adv.ca_src.ca_af = AF_INET;
	adv.ca_src.ca_u.v4.s_addr = htonl(0x0a000002);
	carp_fsm_rx(&cn, 5, &adv, 1.0);
	assert_int_equal(vh->vh_state, CARP_S_BACKUP);
	adv.ca_advskew = 240;		/* same master, now demoted */
	carp_fsm_rx(&cn, 5, &adv, 2.0);
	assert_int_equal(vh->vh_state, CARP_S_MASTER);
	assert_string_equal(S.n[0].log[S.n[0].nlog - 1].ct_cause,
	    "master advertises demotion");
	carp_fsm_free(&cn);
}

static void
test_timers_and_demotion(void **state)
{
	struct carp_fsm_ops	ops = sim_ops;
	struct carp_node	cn;
	struct carp_vhid	*vh, *vh2;
	int			nq;

	(void)state;
	memset(&S, 0, sizeof(S));
	S.n[0].link[1] = S.n[0].link[2] = 1;
	ops.arg = &S.n[0];
	carp_fsm_init(&cn, &ops, 1);
	assert_null(carp_fsm_add_vhid(&cn, 0, 1, 0, 1, NULL));
	assert_null(carp_fsm_add_vhid(&cn, 5, 0, 0, 1, NULL));
	vh = carp_fsm_add_vhid(&cn, 5, 1, 100, 1, NULL);
	vh2 = carp_fsm_add_vhid(&cn, 6, 2, 0, 2, NULL);
	assert_non_null(vh);
	assert_null(carp_fsm_add_vhid(&cn, 5, 1, 100, 1, NULL));
	assert_ptr_equal(carp_fsm_vhid(&cn, 6), vh2);
	assert_true(carp_fsm_adv_interval(&cn, vh) == 1 + 100 / 256.0);
	assert_true(carp_fsm_master_down_interval(&cn, vh) ==
	    3 + 100 / 256.0);
	assert_true(carp_fsm_next_deadline(&cn) == 0);

	carp_fsm_start(&cn, 10.0);
	assert_true(carp_fsm_next_deadline(&cn) == 10.0 + 3 + 100 / 256.0);
	assert_true(carp_fsm_tick(&cn, 13.0) == 10.0 + 3 + 100 / 256.0);
	assert_int_equal(vh->vh_state, CARP_S_BACKUP);
	/* vh master at 13.39; its first advert at once, next 1.39 s on. */
	carp_fsm_tick(&cn, 13.5);
	assert_int_equal(vh->vh_state, CARP_S_MASTER);
	assert_int_equal(S.nq, 1);
	assert_int_equal(S.q[0].skew, 100);
	assert_true(vh->vh_t_adv == 13.5 + 1 + 100 / 256.0);
	assert_int_equal(S.n[0].garps, 1);

	/* Maintenance: 100 + 239 clamps to 240, announced at once. */
	nq = S.nq;
	carp_fsm_set_maintenance(&cn, 1, 14.0);
	assert_int_equal(carp_fsm_demotion(&cn), CARP_DEMOTE_MAINT);
	assert_int_equal(carp_fsm_skew(&cn, vh), 240);
	assert_int_equal(carp_fsm_skew(&cn, vh2), CARP_DEMOTE_MAINT); /* 0 + 239 */
	assert_int_equal(S.nq, nq + 1);
	assert_int_equal(S.q[nq].skew, 240);
	assert_int_equal(S.q[nq].demote, CARP_DEMOTE_MAINT);
	/* Link loss adds up; the byte saturates at 255. */
	carp_fsm_link(&cn, 2, 0, 14.5);
	assert_int_equal(carp_fsm_demotion(&cn), CARP_DEMOTE_MAINT + 240);
	assert_int_equal(S.q[S.nq - 1].demote, 255);
	assert_int_equal(vh2->vh_state, CARP_S_INIT);
	/* A second VHID on the same downed link does not count twice. */
	carp_fsm_link(&cn, 2, 0, 14.6);
	assert_int_equal(carp_fsm_demotion(&cn), CARP_DEMOTE_MAINT + 240);
	carp_fsm_link(&cn, 2, 1, 15.0);
	assert_int_equal(vh2->vh_state, CARP_S_BACKUP);
	carp_fsm_set_maintenance(&cn, 0, 15.0);
	carp_fsm_set_demotion(&cn, CARP_D_EXTERNAL, 50, 15.0);
	assert_int_equal(carp_fsm_skew(&cn, vh), 150);
	assert_int_equal(S.q[S.nq - 1].skew, 150);
	carp_fsm_set_demotion(&cn, CARP_D_EXTERNAL, 0, 15.0);
	assert_int_equal(carp_fsm_demotion(&cn), 0);
	assert_string_equal(carp_fsm_state_name(CARP_S_DISABLED), "DISABLED");
	assert_string_equal(carp_fsm_event_name(CARP_E_RX_BOWOUT),
	    "rx_bowout");
	carp_fsm_free(&cn);
}

/* The order of what a takeover does, as "up5 garp5 adv5 ...". */
static char trace[256];

static void
trace_add(const char *what, const struct carp_vhid *vh)
{
	size_t len = strlen(trace);

	snprintf(trace + len, sizeof(trace) - len, "%s%s%u", len ? " " : "",
	    what, vh->vh_vhid);
}

static int
trace_send(void *arg, const struct carp_vhid *vh, uint8_t skew,
    uint8_t demote)
{
	(void)arg;
	(void)skew;
	(void)demote;
	trace_add("adv", vh);
	return 0;
}

static void
trace_up(void *arg, const struct carp_vhid *vh)
{
	(void)arg;
	trace_add("up", vh);
}

static void
trace_garp(void *arg, const struct carp_vhid *vh)
{
	(void)arg;
	trace_add("garp", vh);
}

/*
 * A takeover of two VHIDs (group promotion) brings both up before it
 * announces either, and sends every gratuitous ARP before the first
 * advert: the advert is what makes the old master let go.
 */
static void
test_group_takeover_order(void **state)
{
	struct carp_fsm_ops	ops = { trace_send, trace_up, NULL, trace_garp,
				    NULL, NULL, NULL };
	struct carp_node	cn;
	struct carp_adv		adv;

	(void)state;
	carp_fsm_init(&cn, &ops, 1);
	assert_non_null(carp_fsm_add_vhid(&cn, 5, 1, 100, 1, NULL));
	assert_non_null(carp_fsm_add_vhid(&cn, 6, 1, 100, 2, NULL));
	carp_fsm_start(&cn, 0);
	memset(&adv, 0, sizeof(adv));
	adv.ca_advbase = 1;
	adv.ca_advskew = 239;		/* skew 0, maintenance folded in */
	adv.ca_demote = CARP_DEMOTE_MAINT;	/* the master leaves */
	adv.ca_src.ca_af = AF_INET;
	adv.ca_src.ca_u.v4.s_addr = htonl(0x0a000002);
	trace[0] = '\0';
	carp_fsm_rx(&cn, 5, &adv, 1.0);
	assert_int_equal(carp_fsm_vhid(&cn, 5)->vh_state, CARP_S_MASTER);
	assert_int_equal(carp_fsm_vhid(&cn, 6)->vh_state, CARP_S_MASTER);
	assert_string_equal(trace, "up5 up6 garp5 garp6 adv5 adv6");
	/* The advert timers run: the next adverts come on time. */
	assert_true(carp_fsm_vhid(&cn, 6)->vh_t_adv > 1.0);
	carp_fsm_free(&cn);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timers_and_demotion),
		cmocka_unit_test(test_rx_rules),
		cmocka_unit_test(test_skew_rise_is_demotion),
		cmocka_unit_test(test_scenarios),
		cmocka_unit_test(test_group_takeover_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
