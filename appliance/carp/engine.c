/*
 * carp/engine.c — the CARP engine: one carp_node for every VHID, its
 * callbacks, reconfiguration without flapping, the transition timeline,
 * the status answers, and the simulated wire used off Linux.
 *
 * Real (platform linux): adverts go out through engine_linux.c, received
 * packets are validated (carp_proto_validate), counted, and only then
 * shown to the FSM; rtnetlink link changes feed carp_fsm_link().
 *
 * Simulated (platform dry and others): a second carp_node, the simulated
 * peer, holds the same VHIDs with advskew CARP_ENGINE_SIM_SKEW. Adverts of
 * either node are queued and delivered to the other (eng_drain) after
 * every entry point, never from inside an FSM callback, so neither node
 * is re-entered. The peer is a healthy backup: it takes over when this
 * node goes silent or advertises demotion, exactly as a real one would.
 */
#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "engine_int.h"
#include "linux.h"
#include "proxyarp.h"
#include "config.h"
#include "log.h"
#include "util.h"
#include "subsys.h"

static void eng_shutdown_locked(void);
static struct carp_engine_conf *eng_conf_new_locked(json_t *snap, char *err, size_t errlen);
static void eng_conf_commit_locked(struct carp_engine_conf *nc);
static int eng_set_maintenance_locked(int on);
static int eng_set_disabled_locked(int on);
static int eng_demote_external_locked(int value);
static int eng_boot_hold_locked(int held, const char *why);
static int eng_pollfds_locked(struct pollfd *pfd, int max);
static void eng_events_locked(const struct pollfd *pfd, int n);
static int eng_timeout_ms_locked(void);
static void eng_run_locked(void);

#define ENG_SIM_SELF	"192.0.2.1"	/* RFC 5737, never on a wire */
#define ENG_SIM_PEER	"192.0.2.2"

struct eng_state eng;

double
eng_now(void)
{
	return eng.e_clock != NULL ? eng.e_clock() : util_now();
}

void
carp_engine_set_clock(double (*fn)(void))
{
	eng.e_clock = fn;
}

static struct eng_vhid *
eng_find_in(const struct carp_engine_conf *cf, uint8_t vhid)
{
	size_t i;

	for (i = 0; cf != NULL && i < cf->cf_nvhids; i++)
		if (cf->cf_vhids[i] != NULL && cf->cf_vhids[i]->ev_vhid == vhid)
			return cf->cf_vhids[i];
	return NULL;
}

static struct eng_vhid *
eng_find(uint8_t vhid)
{
	return eng_find_in(eng.e_conf, vhid);
}

/* The simulated wire. */

static void
eng_queue(int to_peer, const struct carp_vhid *vh, uint8_t skew,
    uint8_t demote)
{
	struct eng_msg *m;

	if (eng.e_qlen == ENG_QMAX) {
		log_warnx("carp: simulated wire full, advert dropped");
		return;
	}
	m = &eng.e_q[(eng.e_qhead + eng.e_qlen++) % ENG_QMAX];
	m->m_to_peer = to_peer;
	m->m_vhid = vh->vh_vhid;
	m->m_advbase = vh->vh_advbase;
	m->m_skew = skew;
	m->m_demote = demote;
}

/* Delivers what is queued; bounded, since delivery may queue more. */
static void
eng_drain(double now)
{
	struct carp_adv	adv;
	struct eng_msg	m;
	struct eng_vhid	*ev;
	int		n;

	for (n = 0; eng.e_qlen > 0 && n < 4 * ENG_QMAX; n++) {
		m = eng.e_q[eng.e_qhead];
		eng.e_qhead = (eng.e_qhead + 1) % ENG_QMAX;
		eng.e_qlen--;
		memset(&adv, 0, sizeof(adv));
		adv.ca_advbase = m.m_advbase;
		adv.ca_advskew = m.m_skew;
		adv.ca_demote = m.m_demote;
		adv.ca_src = m.m_to_peer ? eng.e_self : eng.e_simpeer;
		if (!m.m_to_peer && (ev = eng_find(m.m_vhid)) != NULL)
			ev->ev_last_rx = now;
		carp_fsm_rx(m.m_to_peer ? &eng.e_peer : &eng.e_node, m.m_vhid,
		    &adv, now);
	}
}

static int
eng_peer_send(void *arg, const struct carp_vhid *vh, uint8_t skew,
    uint8_t demote)
{
	(void)arg;
	eng_queue(0, vh, skew, demote);
	return 0;
}

/* The node's callbacks. */

static int
eng_send_advert(void *arg, const struct carp_vhid *vh, uint8_t skew,
    uint8_t demote)
{
	struct eng_vhid	*ev = vh->vh_cookie;
	struct carp_hdr	 hdr;
	uint8_t		 pkt[CARP_HDR_LEN];
	int		 rc;

	(void)arg;
	if (!eng.e_real) {
		eng_queue(1, vh, skew, demote);
		eng.e_sent++;
		if (ev != NULL)
			ev->ev_last_tx = eng_now();
		return 0;
	}
	rc = -1;
	if (carp_proto_advert(&ev->ev_vconf, vh->vh_advbase, skew, demote,
	    &hdr) == 0) {
		carp_proto_encode(&hdr, pkt);
		rc = eng_linux_send(ev, ev->ev_af == AF_INET ? eng.e_fd4 :
		    eng.e_fd6, pkt);
	}
	if (rc == 0) {
		eng.e_sent++;
		ev->ev_last_tx = eng_now();
	} else
		eng.e_senderr++;
	return rc;
}

static void
eng_vip_up(void *arg, const struct carp_vhid *vh)
{
	(void)arg;
	if (eng.e_real)
		eng_linux_vip_up(vh->vh_cookie);
	else
		log_debug("carp: vhid %u: simulated, VIPs up", vh->vh_vhid);
}

static void
eng_vip_down(void *arg, const struct carp_vhid *vh)
{
	(void)arg;
	if (eng.e_real)
		eng_linux_vip_down(vh->vh_cookie);
	else
		log_debug("carp: vhid %u: simulated, VIPs down", vh->vh_vhid);
}

static void
eng_garp(void *arg, const struct carp_vhid *vh)
{
	(void)arg;
	if (eng.e_real)
		eng_linux_garp(vh->vh_cookie);
}

static int
eng_peer_holds(void *arg, const struct carp_vhid *vh)
{
	(void)arg;
	return eng_live_peer_holds(vh->vh_vhid, eng_now());
}

static double
eng_wallclock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Every transition is published with the node's role after it; the
 * subscriber (state sync, in the parent's loop) acts on it there and
 * asks for demotion through the entry points: nothing calls back into
 * the FSM from inside a transition.
 */
static void
eng_publish_transition(const struct carp_transition *t)
{
	unsigned int	nmaster = 0;
	size_t		i;

	for (i = 0; i < eng.e_node.cn_nvhids; i++)
		if (eng.e_node.cn_vhids[i]->vh_state == CARP_S_MASTER)
			nmaster++;
	eng_publish(t->ct_from, t->ct_to, nmaster);
}

static void
eng_transition(void *arg, const struct carp_transition *t)
{
	struct eng_tl	*e = &eng.e_tl[eng.e_tlnext];
	struct eng_vhid	*ev = eng_find(t->ct_vhid);
	struct carp_vhid *vh;

	(void)arg;
	/* A VHID being added is not in e_conf yet: ask the node. */
	if (ev == NULL && (vh = carp_fsm_vhid(&eng.e_node, t->ct_vhid)) != NULL)
		ev = vh->vh_cookie;
	memset(e, 0, sizeof(*e));
	e->t_time = eng_wallclock();
	e->t_vhid = t->ct_vhid;
	if (ev != NULL)
		util_strlcpy(e->t_iface, ev->ev_iface, sizeof(e->t_iface));
	e->t_from = t->ct_from;
	e->t_to = t->ct_to;
	util_strlcpy(e->t_cause, t->ct_cause, sizeof(e->t_cause));
	eng.e_tlnext = (eng.e_tlnext + 1) % CARP_ENGINE_TIMELINE;
	eng.e_tltotal++;
	eng_publish_transition(t);
}

void
eng_timeline_node(unsigned int from, unsigned int to, const char *cause)
{
	struct eng_tl	*e = &eng.e_tl[eng.e_tlnext];

	memset(e, 0, sizeof(*e));
	e->t_time = eng_wallclock();
	e->t_node = 1;
	e->t_dfrom = from;
	e->t_dto = to;
	util_strlcpy(e->t_cause, cause, sizeof(e->t_cause));
	eng.e_tlnext = (eng.e_tlnext + 1) % CARP_ENGINE_TIMELINE;
	eng.e_tltotal++;
}

static void
eng_peer_transition(void *arg, const struct carp_transition *t)
{
	(void)arg;
	(void)t;	/* the FSM logs it with the peer's name */
}

int
carp_engine_init_without_sockets(const char *why)
{
	int ret;

	ENG_LOCK();
	if ((ret = carp_engine_init(0)) == 0) {
		/* Real, but deaf and mute: no simulated peer, no VHID starts. */
		eng.e_real = 1;
		snprintf(eng.e_broken, sizeof(eng.e_broken), "%s", why);
		carp_fsm_set_demotion(&eng.e_node, CARP_D_EXTERNAL,
		    CARP_DEMOTE_STEP, eng_now());
		log_warnx("carp: %s: every VHID stays INIT and the node "
		    "demoted", eng.e_broken);
	}
	ENG_UNLOCK();
	return ret;
}

int
carp_engine_init(int real)
{
	static const struct carp_fsm_ops ops = {
		.send_advert = eng_send_advert, .vip_up = eng_vip_up,
		.vip_down = eng_vip_down, .garp = eng_garp,
		.transition = eng_transition, .peer_holds = eng_peer_holds,
	};
	static const struct carp_fsm_ops peer_ops = {
		.send_advert = eng_peer_send,
		.transition = eng_peer_transition,
	};
	double (*clock)(void) = eng.e_clock;

	if (eng.e_init)
		carp_engine_shutdown();
	memset(&eng, 0, sizeof(eng));
	eng.e_clock = clock;
	eng.e_fd4 = eng.e_fd6 = eng.e_fdlink = eng.e_fdpkt = eng.e_fdarp = -1;
	eng.e_fdlive = eng.e_fdlivetx = -1;
	eng.e_real = real != 0;
	if (eng.e_real && eng_linux_init(&eng.e_fd4, &eng.e_fd6,
	    &eng.e_fdlink, &eng.e_fdpkt) == -1)
		return -1;
	(void)eng_live_init();		/* off (logged) without its sockets */
	carp_fsm_init(&eng.e_node, &ops, 1);
	carp_fsm_init(&eng.e_peer, &peer_ops, 1);
	eng.e_node.cn_name = "carp";
	eng.e_peer.cn_name = "carp (simulated peer)";
	carp_stats_init(&eng.e_stats, 60);
	eng.e_self.ca_af = eng.e_simpeer.ca_af = AF_INET;
	inet_pton(AF_INET, ENG_SIM_SELF, &eng.e_self.ca_u.v4);
	inet_pton(AF_INET, ENG_SIM_PEER, &eng.e_simpeer.ca_u.v4);
	eng.e_init = 1;
	log_info("carp: engine started (%s)", eng.e_real ? "raw sockets, "
	    "virtual MACs" : "simulated: no sockets, a simulated peer");
	return 0;
}

static void
eng_shutdown_locked(void)
{
	struct carp_engine_conf	*cf = eng.e_conf;
	struct eng_vhid		*ev;
	struct carp_hdr		 hdr;
	uint8_t			 pkt[CARP_HDR_LEN];
	double			 now = eng_now();
	size_t			 i;

	if (!eng.e_init)
		return;
	for (i = 0; cf != NULL && i < cf->cf_nvhids; i++) {
		ev = cf->cf_vhids[i];
		/*
		 * OpenBSD's bow-out: advbase 255, advskew 255 tells the
		 * backup to take over now instead of after master-down.
		 */
		if (eng.e_real && ev->ev_vh != NULL &&
		    ev->ev_vh->vh_state == CARP_S_MASTER &&
		    carp_proto_advert(&ev->ev_vconf, 255, 255, 0, &hdr) == 0) {
			carp_proto_encode(&hdr, pkt);
			(void)eng_linux_send(ev, ev->ev_af == AF_INET ?
			    eng.e_fd4 : eng.e_fd6, pkt);
		}
		carp_fsm_del_vhid(&eng.e_node, ev->ev_vhid, "daemon stopping",
		    now);
		if (eng.e_real)
			eng_linux_vhid_del(ev);
	}
	for (i = 0; eng.e_real && cf != NULL && i < cf->cf_nplain; i++)
		if (cf->cf_plain[i].vp_installed)
			eng_linux_plain(&cf->cf_plain[i], NULL, 0);
	carp_engine_conf_free(cf);
	eng.e_conf = NULL;
	carp_fsm_free(&eng.e_node);
	carp_fsm_free(&eng.e_peer);
	if (eng.e_real)
		eng_linux_shutdown();
	eng_live_shutdown();
	if (eng.e_fd4 != -1)
		close(eng.e_fd4);
	if (eng.e_fd6 != -1)
		close(eng.e_fd6);
	if (eng.e_fdlink != -1)
		close(eng.e_fdlink);
	if (eng.e_fdpkt != -1)
		close(eng.e_fdpkt);
	if (eng.e_fdarp != -1)
		close(eng.e_fdarp);
	eng.e_fd4 = eng.e_fd6 = eng.e_fdlink = eng.e_fdpkt = eng.e_fdarp = -1;
	eng.e_init = 0;
}

/* Reconfiguration. */

static struct carp_engine_conf *
eng_conf_new_locked(json_t *snap, char *err, size_t errlen)
{
	if (!eng.e_init) {
		snprintf(err, errlen, "the CARP engine is not running");
		return NULL;
	}
	return eng_conf_parse(snap, eng.e_real, err, errlen);
}

/* Puts a new VHID under the node (and the simulated peer). */
static void
eng_vhid_start(struct eng_vhid *ev, double now)
{
	int link;

	/* Without sockets a VHID can neither hear nor speak: it stays INIT. */
	if (eng.e_broken[0] != '\0') {
		ev->ev_vh = NULL;
		return;
	}
	if (eng.e_real && eng_linux_vhid_add(ev, eng.e_fd4, eng.e_fd6) == -1)
		log_warnx("carp: vhid %u on %s: see above; it runs without "
		    "its virtual MAC", ev->ev_vhid, ev->ev_device);
	ev->ev_vh = carp_fsm_add_vhid(&eng.e_node, ev->ev_vhid,
	    ev->ev_advbase, ev->ev_advskew, ev->ev_ifindex, ev);
	if (ev->ev_vh == NULL)
		return;
	if (eng.e_real && (link = carp_linux_link_state(ev->ev_ifindex)) == 0)
		carp_fsm_link(&eng.e_node, ev->ev_ifindex, 0, now);
	if (!eng.e_real)
		(void)carp_fsm_add_vhid(&eng.e_peer, ev->ev_vhid,
		    ev->ev_advbase, CARP_ENGINE_SIM_SKEW, ev->ev_ifindex, NULL);
}

static void
eng_vhid_stop(struct eng_vhid *ev, const char *why, double now)
{
	if (ev->ev_vh == NULL)
		return;		/* never started (no sockets) */
	(void)carp_fsm_del_vhid(&eng.e_node, ev->ev_vhid, why, now);
	if (!eng.e_real)
		(void)carp_fsm_del_vhid(&eng.e_peer, ev->ev_vhid, why, now);
	else
		eng_linux_vhid_del(ev);
	ev->ev_vh = NULL;
}

/*
 * Keeps the FSM state of every VHID whose parameters did not change
 * (advbase/advskew are updated in place), restarts the changed ones,
 * removes the gone ones, starts the new ones.
 */
static void
eng_conf_commit_locked(struct carp_engine_conf *nc)
{
	struct carp_engine_conf	*oc = eng.e_conf;
	struct eng_vhid		*ov, *nv, **keep;
	struct eng_vip		*tmp;
	struct carp_vhid	*pv;
	double			 now = eng_now();
	size_t			 i, j, n, c;

	if (nc == NULL)
		return;
	n = oc != NULL ? oc->cf_nvhids : 0;
	keep = xcalloc(n + 1, sizeof(*keep));
	for (i = 0; i < n; i++) {
		ov = oc->cf_vhids[i];
		for (j = 0; j < nc->cf_nvhids; j++)
			if (nc->cf_vhids[j]->ev_vhid == ov->ev_vhid)
				break;
		nv = j < nc->cf_nvhids ? nc->cf_vhids[j] : NULL;
		if (nv != NULL && eng_vhid_same(ov, nv)) {
			keep[i] = ov;
			continue;
		}
		eng_vhid_stop(ov, nv != NULL ? "reconfigured" :
		    "removed from the configuration", now);
	}
	for (j = 0; j < nc->cf_nvhids; j++) {
		nv = nc->cf_vhids[j];
		for (i = 0; i < n; i++)
			if (keep[i] != NULL && keep[i]->ev_vhid == nv->ev_vhid)
				break;
		if (i == n) {
			eng_vhid_start(nv, now);
			continue;
		}
		/* Unchanged: the running one stays, with the new rows. */
		ov = keep[i];
		tmp = ov->ev_vips;
		ov->ev_vips = nv->ev_vips;
		nv->ev_vips = tmp;
		c = ov->ev_nvips;
		ov->ev_nvips = nv->ev_nvips;
		nv->ev_nvips = c;
		ov->ev_advbase = nv->ev_advbase;
		ov->ev_advskew = nv->ev_advskew;
		if (ov->ev_vh != NULL) {
			ov->ev_vh->vh_advbase = ov->ev_advbase;
			ov->ev_vh->vh_advskew = ov->ev_advskew;
		}
		if ((pv = carp_fsm_vhid(&eng.e_peer, ov->ev_vhid)) != NULL)
			pv->vh_advbase = ov->ev_advbase;
		eng_vhid_free(nv);
		nc->cf_vhids[j] = ov;
		oc->cf_vhids[i] = NULL;
	}
	/* Plain IP aliases and proxy-ARP entries: the difference only. */
	for (i = 0; eng.e_real && oc != NULL && i < oc->cf_nplain; i++) {
		for (j = 0; j < nc->cf_nplain; j++)
			if (eng_plain_same(&oc->cf_plain[i], &nc->cf_plain[j]))
				break;
		if (j < nc->cf_nplain) {
			nc->cf_plain[j].vp_installed =
			    oc->cf_plain[i].vp_installed;
			nc->cf_plain[j].vp_pdev = oc->cf_plain[i].vp_pdev;
		} else if (oc->cf_plain[i].vp_installed)
			eng_linux_plain(&oc->cf_plain[i], NULL, 0);
	}
	for (j = 0; eng.e_real && j < nc->cf_nplain; j++)
		if (!nc->cf_plain[j].vp_installed)
			eng_linux_plain(&nc->cf_plain[j], eng_find_in(nc,
			    nc->cf_plain[j].vp_gov), 1);
	/* The ARP responder listens only while it has something to say. */
	if (eng.e_real && nc->cf_nparp > 0 && eng.e_fdarp == -1)
		eng.e_fdarp = proxyarp_socket();
	else if (nc->cf_nparp == 0 && eng.e_fdarp != -1) {
		close(eng.e_fdarp);
		eng.e_fdarp = -1;
	}
	/* Stopped VHIDs were freed from the node; free their structs. */
	for (i = 0; oc != NULL && i < oc->cf_nvhids; i++)
		if (oc->cf_vhids[i] != NULL && keep[i] == NULL) {
			eng_vhid_free(oc->cf_vhids[i]);
			oc->cf_vhids[i] = NULL;
		}
	free(keep);
	carp_engine_conf_free(oc);
	eng.e_conf = nc;
	eng_live_conf(nc, now);
	carp_fsm_set_preempt(&eng.e_node, nc->cf_preempt);
	carp_fsm_set_preempt(&eng.e_peer, nc->cf_preempt);
	carp_fsm_start(&eng.e_node, now);
	if (!eng.e_real)
		carp_fsm_start(&eng.e_peer, now);
	eng_drain(now);
	log_info("carp: configured %zu VHID(s), %zu plain VIP(s), preempt %s",
	    nc->cf_nvhids, nc->cf_nplain, nc->cf_preempt ? "on" : "off");
}

int
carp_engine_configure(json_t *snap, char *err, size_t errlen)
{
	struct carp_engine_conf *cf;

	if ((cf = carp_engine_conf_new(snap, err, errlen)) == NULL)
		return -1;
	carp_engine_conf_commit(cf);
	return 0;
}

int
carp_engine_wants(json_t *subsys)
{
	return subsys_has(subsys, SUBSYS_VIP) ||
	    subsys_has(subsys, SUBSYS_INTERFACES) ||
	    subsys_has(subsys, SUBSYS_HASYNC);
}

/* Controls. */

static int
eng_set_maintenance_locked(int on)
{
	double now = eng_now();

	if (!eng.e_init)
		return -1;
	if (eng.e_node.cn_maintenance != (on != 0))
		log_info("carp: persistent maintenance mode %s", on ? "on" :
		    "off");
	carp_fsm_set_maintenance(&eng.e_node, on, now);
	eng_drain(now);
	return 0;
}

static int
eng_set_disabled_locked(int on)
{
	double now = eng_now();

	if (!eng.e_init)
		return -1;
	if (eng.e_node.cn_disabled != (on != 0))
		log_info("carp: %s", on ? "temporarily disabled" : "enabled");
	carp_fsm_set_disabled(&eng.e_node, on, now);
	eng_drain(now);
	return 0;
}

static int
eng_demote_external_locked(int value)
{
	double now = eng_now();

	if (!eng.e_init || value < 0)
		return -1;
	if (eng.e_node.cn_demote[CARP_D_EXTERNAL] != (unsigned int)value)
		log_info("carp: external demotion %u -> %d",
		    eng.e_node.cn_demote[CARP_D_EXTERNAL], value);
	carp_fsm_set_demotion(&eng.e_node, CARP_D_EXTERNAL,
	    (unsigned int)value, now);
	eng_drain(now);
	return 0;
}

static int
eng_boot_hold_locked(int held, const char *why)
{
	double now = eng_now();

	if (!eng.e_init)
		return -1;
	snprintf(eng.e_boot_why, sizeof(eng.e_boot_why), "%s",
	    held && why != NULL ? why : "");
	if ((eng.e_node.cn_demote[CARP_D_BOOT] != 0) != (held != 0))
		log_info("carp: %s", held ? eng.e_boot_why :
		    "boot apply in force: the boot demotion is lifted");
	carp_fsm_set_demotion(&eng.e_node, CARP_D_BOOT,
	    held ? CARP_DEMOTE_STEP : 0, now);
	eng_drain(now);
	return 0;
}

/* The event loop. */

static int
eng_pollfds_locked(struct pollfd *pfd, int max)
{
	/* Hellos first: read before adverts after a stall (engine_live.c). */
	int fds[4] = { eng.e_fdlive, eng.e_fdpkt, eng.e_fdlink, eng.e_fdarp };
	int i, n = 0;

	for (i = 0; eng.e_init && i < 4 && n < max; i++)
		if (fds[i] != -1) {
			pfd[n].fd = fds[i];
			pfd[n].events = POLLIN;
			pfd[n++].revents = 0;
		}
	return n;
}

static uint8_t
eng_peek_vhid(const uint8_t *p, ssize_t n, int af)
{
	size_t hl = af == AF_INET ? (size_t)(p[0] & 0x0f) * 4 :
	    CARP_IP6_HDR_LEN;

	return n > 0 && (size_t)n >= hl + 2 ? p[hl + 1] : 0;
}

/* The VHID whose virtual-MAC device is ifindex, or NULL. */
static struct eng_vhid *
eng_vmac_vhid(int ifindex)
{
	size_t i;

	for (i = 0; eng.e_conf != NULL && i < eng.e_conf->cf_nvhids; i++)
		if (eng.e_conf->cf_vhids[i]->ev_vmac == ifindex)
			return eng.e_conf->cf_vhids[i];
	return NULL;
}

/* Reads what fd has pending; nothing reaches the FSM unvalidated. */
static void
eng_recv(int fd, double now)
{
	struct carp_rxconf	 rxc;
	struct carp_rx		 rx;
	struct carp_adv		 adv;
	struct eng_vhid		*ev;
	enum carp_reason	 r;
	uint8_t			 buf[2048];
	ssize_t			 n;
	int			 ifindex, af, k;

	for (k = 0; k < 64; k++) {
		if ((n = carp_linux_packet_recv(fd, buf, sizeof(buf),
		    &ifindex, &af)) <= 0)
			break;
		ev = eng_find(eng_peek_vhid(buf, n, af));
		memset(&rxc, 0, sizeof(rxc));
		memset(&rx, 0, sizeof(rx));
		if (ev != NULL) {
			rxc.rc_vhids = &ev->ev_vconf;
			rxc.rc_nvhids = 1;
			rxc.rc_local = &ev->ev_src;
			rxc.rc_nlocal = ev->ev_src.ca_af != 0;
		}
		r = carp_proto_validate(buf, (size_t)n, &rxc, &rx);
		/*
		 * A VHID lives on one segment: elsewhere it is not ours.
		 * Frames on the virtual-MAC device are copies of what the
		 * parent saw: skipped, not counted.
		 */
		if (eng_vmac_vhid(ifindex) != NULL)
			continue;
		if (r == CARP_R_OK && ifindex != ev->ev_ifindex)
			r = CARP_R_UNKNOWN_VHID;
		carp_stats_count(&eng.e_stats, r, &rx, now);
		if (r != CARP_R_OK)
			continue;	/* counted, never acted on */
		memset(&adv, 0, sizeof(adv));
		adv.ca_advbase = rx.rx_hdr.ch_advbase;
		adv.ca_advskew = rx.rx_hdr.ch_advskew;
		adv.ca_demote = rx.rx_hdr.ch_demote;
		adv.ca_src = rx.rx_src;
		ev->ev_last_rx = now;
		eng_live_learn(ifindex, &rx.rx_src);
		carp_fsm_rx(&eng.e_node, ev->ev_vhid, &adv, now);
	}
}

/* Answers ARP requests for IPv4 proxy-ARP VIPs (proxyarp.h). */
static void
eng_arp_recv(int fd)
{
	static const struct proxyarp_if	 none;
	const struct proxyarp_if	*pi;
	struct eng_vhid			*ev;
	enum proxyarp_reason		 r;
	uint8_t				 f[128], reply[PROXYARP_FRAME_LEN];
	ssize_t				 n;
	size_t				 i;
	int				 ifindex, bcast, k;

	for (k = 0; k < 64 && eng.e_conf != NULL; k++) {
		if ((n = proxyarp_recv(fd, f, sizeof(f), &ifindex,
		    &bcast)) <= 0)
			break;
		/*
		 * A broadcast reaches the parent and, copied, every vMAC
		 * device that is UP: the parent's copy is answered. A
		 * request unicast to the vMAC arrives on its device only.
		 */
		if ((ev = eng_vmac_vhid(ifindex)) != NULL) {
			if (bcast)
				continue;
			ifindex = ev->ev_ifindex;
		}
		pi = &none;
		for (i = 0; i < eng.e_conf->cf_nparp; i++)
			if (eng.e_conf->cf_parp[i].pi_ifindex == ifindex)
				pi = &eng.e_conf->cf_parp[i];
		ev = pi->pi_vhid ? eng_find(pi->pi_vhid) : NULL;
		r = proxyarp_input(f, (size_t)n, pi, ev != NULL && ev->ev_up,
		    reply);
		eng.e_arp[r]++;
		if (r == PROXYARP_R_ANSWER && carp_linux_frame_send(ifindex,
		    ETH_P_ARP, reply, sizeof(reply)) == -1)
			eng.e_arp_senderr++;
	}
}

static void
eng_link_cb(void *arg, int ifindex, int up)
{
	carp_fsm_link(&eng.e_node, ifindex, up, *(double *)arg);
}

/*
 * Reads the carrier of every CARP interface. Polled every
 * ENG_LINKPOLL s: the kernel's notification of a carrier loss may come
 * up to 1 s late (carp_linux_link_state()), and a cable pull must demote
 * the node within the failover budget. The FSM ignores a state it has.
 */
#define ENG_LINKPOLL	0.02
static void
eng_link_poll(double now)
{
	struct eng_vhid	*ev;
	size_t		 j, k;
	int		 st;

	for (j = 0; eng.e_conf != NULL && j < eng.e_conf->cf_nvhids; j++) {
		ev = eng.e_conf->cf_vhids[j];
		/* One question per interface, however many VHIDs it has. */
		for (k = 0; k < j; k++)
			if (eng.e_conf->cf_vhids[k]->ev_ifindex ==
			    ev->ev_ifindex)
				break;
		if (k == j &&
		    (st = carp_linux_link_state(ev->ev_ifindex)) != -1)
			carp_fsm_link(&eng.e_node, ev->ev_ifindex, st, now);
	}
	eng.e_linkpoll = now + ENG_LINKPOLL;
}

static void
eng_events_locked(const struct pollfd *pfd, int n)
{
	double		 now = eng_now();
	int		 i, stalled = eng.e_init && eng_live_stalled(now);

	/*
	 * The hellos before anything else: after a stall they decide
	 * whether this node yields, before its stale timers or the peer's
	 * adverts make it send one advert as MASTER (engine_live.c).
	 */
	for (i = 0; eng.e_init && i < n; i++)
		if (pfd[i].fd != -1 && pfd[i].fd == eng.e_fdlive &&
		    (pfd[i].revents & (POLLIN | POLLERR)))
			eng_live_recv(now, stalled);
	for (i = 0; eng.e_init && i < n; i++) {
		if (pfd[i].fd == -1 || !(pfd[i].revents & (POLLIN | POLLERR)))
			continue;
		if (pfd[i].fd == eng.e_fdlive)
			continue;
		if (pfd[i].fd == eng.e_fdpkt)
			eng_recv(eng.e_fdpkt, now);
		else if (pfd[i].fd == eng.e_fdarp)
			eng_arp_recv(eng.e_fdarp);
		else if (pfd[i].fd == eng.e_fdlink &&
		    carp_linux_link_read(eng.e_fdlink, eng_link_cb,
		    &now) == -1)
			eng_link_poll(now);	/* events were lost (ENOBUFS) */
	}
	eng_drain(now);
}

static int
eng_timeout_ms_locked(void)
{
	double	d, p, now;

	if (!eng.e_init)
		return -1;
	d = carp_fsm_next_deadline(&eng.e_node);
	p = carp_fsm_next_deadline(&eng.e_peer);
	if (p > 0 && (d == 0 || p < d))
		d = p;
	p = eng_live_next();
	if (p > 0 && (d == 0 || p < d))
		d = p;
	p = eng_up_next();
	if (p > 0 && (d == 0 || p < d))
		d = p;
	if (eng.e_real && eng.e_conf != NULL && eng.e_conf->cf_nvhids > 0 &&
	    (d == 0 || eng.e_linkpoll < d))
		d = eng.e_linkpoll;
	if (d == 0)
		return -1;
	now = eng_now();
	if (d <= now)
		return 0;
	return (int)ceil((d - now) * 1000.0);
}

static void
eng_run_locked(void)
{
	double now = eng_now();

	if (!eng.e_init)
		return;
	eng.e_lastrun = now;
	/*
	 * The simulated peer first, and its adverts delivered, so that
	 * timers due in the same wake-up resolve as on a wire: a demoted
	 * node hears the peer before its own master-down fires.
	 */
	if (!eng.e_real) {
		(void)carp_fsm_tick(&eng.e_peer, now);
		eng_drain(now);
	}
	if (eng.e_real && now >= eng.e_linkpoll)
		eng_link_poll(now);
	eng_up_run(now);	/* first: the hellos carry its flags */
	eng_live_run(now);
	(void)carp_fsm_tick(&eng.e_node, now);
	eng_drain(now);
}

/*
 * The entry points other threads call: each holds the engine lock (the
 * loop thread holds it while it handles events and timers) and wakes the
 * loop when the call may have moved a timer.
 */

void
carp_engine_shutdown(void)
{
	ENG_LOCK();
	eng_shutdown_locked();
	ENG_UNLOCK();
}

struct carp_engine_conf *
carp_engine_conf_new(json_t *snap, char *err, size_t errlen)
{
	struct carp_engine_conf *r;

	ENG_LOCK();
	r = eng_conf_new_locked(snap, err, errlen);
	ENG_UNLOCK();
	return r;
}

void
carp_engine_conf_commit(struct carp_engine_conf *nc)
{
	ENG_LOCK();
	eng_conf_commit_locked(nc);
	eng_wake();
	ENG_UNLOCK();
}

int
carp_engine_set_maintenance(int on)
{
	int r;

	ENG_LOCK();
	r = eng_set_maintenance_locked(on);
	eng_wake();
	ENG_UNLOCK();
	return r;
}

int
carp_engine_set_disabled(int on)
{
	int r;

	ENG_LOCK();
	r = eng_set_disabled_locked(on);
	eng_wake();
	ENG_UNLOCK();
	return r;
}

int
carp_engine_demote_external(int value)
{
	int r;

	ENG_LOCK();
	r = eng_demote_external_locked(value);
	eng_wake();
	ENG_UNLOCK();
	return r;
}

int
carp_engine_boot_hold(int held, const char *why)
{
	int r;

	ENG_LOCK();
	r = eng_boot_hold_locked(held, why);
	eng_wake();
	ENG_UNLOCK();
	return r;
}

int
carp_engine_pollfds(struct pollfd *pfd, int max)
{
	int r;

	ENG_LOCK();
	r = eng_pollfds_locked(pfd, max);
	ENG_UNLOCK();
	return r;
}

void
carp_engine_events(const struct pollfd *pfd, int n)
{
	ENG_LOCK();
	eng_events_locked(pfd, n);
	ENG_UNLOCK();
}

int
carp_engine_timeout_ms(void)
{
	int r;

	ENG_LOCK();
	r = eng_timeout_ms_locked();
	ENG_UNLOCK();
	return r;
}

void
carp_engine_run(void)
{
	ENG_LOCK();
	eng_run_locked();
	ENG_UNLOCK();
}
