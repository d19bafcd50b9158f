/*
 * carp/engine_req.c — the engine's side of the daemon's request table
 * (carp_status, carp_set, timeline, carp_config; shapes in engine.h) and
 * the API child's start-up message (carp_boot_child).
 *
 * Every handler takes the request borrowed and returns a new answer
 * object the caller sends and releases with json_decref().
 */
#include <sys/param.h>

#include <arpa/inet.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "engine_int.h"
#include "config.h"
#include "ipc.h"
#include "log.h"
#include "store.h"
#include "util.h"

static json_t *eng_req_status_locked(json_t *req);
static json_t *eng_req_set_locked(json_t *req);
static json_t *eng_req_timeline_locked(json_t *req);
static json_t *eng_req_config_locked(json_t *req);

/* Keys of the stats object, by enum carp_reason. */
static const char *const eng_reason_keys[CARP_R_MAX] = {
	[CARP_R_OK] = "accepted", [CARP_R_SHORT] = "short",
	[CARP_R_BAD_IP] = "bad_ip", [CARP_R_BAD_TTL] = "bad_ttl",
	[CARP_R_BAD_CHECKSUM] = "bad_checksum",
	[CARP_R_BAD_VERSION] = "bad_version", [CARP_R_BAD_TYPE] = "bad_type",
	[CARP_R_BAD_AUTHLEN] = "bad_authlen",
	[CARP_R_UNKNOWN_VHID] = "unknown_vhid", [CARP_R_BAD_PEER] = "bad_peer",
	[CARP_R_BAD_HMAC] = "bad_hmac", [CARP_R_OWN_PACKET] = "own_packet",
};

static const char *const eng_demote_keys[CARP_D_MAX] = {
	[CARP_D_LINK] = "link", [CARP_D_MAINT] = "maintenance",
	[CARP_D_SENDERR] = "send_errors", [CARP_D_DISABLE] = "disable",
	[CARP_D_EXTERNAL] = "external", [CARP_D_BOOT] = "boot",
	[CARP_D_UPSTREAM] = "upstream",
};

/* Appends "; text" (or text) to buf. */
static void
eng_msg_add(char *buf, size_t len, const char *text)
{
	size_t n = strlen(buf);

	snprintf(buf + n, len - n, "%s%s", n ? "; " : "", text);
}

/* The node-wide part of carp_status: a new object. */
static json_t *
eng_carp_obj(void)
{
	const struct carp_node	*cn = &eng.e_node;
	json_t			*src;
	char			 msg[1024], one[320];
	int			 i;

	msg[0] = '\0';
	src = json_object();
	for (i = 0; i < CARP_D_MAX; i++)
		json_object_set_new(src, eng_demote_keys[i],
		    json_integer(cn->cn_demote[i]));
	if (cn->cn_disabled)
		eng_msg_add(msg, sizeof(msg), "CARP is temporarily disabled "
		    "on this node: its VIPs are left to the peer");
	if (cn->cn_maintenance)
		eng_msg_add(msg, sizeof(msg), "persistent maintenance mode: "
		    "this node advertises demotion so the peer holds the VIPs");
	if (cn->cn_demote[CARP_D_LINK]) {
		snprintf(one, sizeof(one), "a CARP interface has no link "
		    "(demotion %u)", cn->cn_demote[CARP_D_LINK]);
		eng_msg_add(msg, sizeof(msg), one);
	}
	if (cn->cn_demote[CARP_D_SENDERR]) {
		snprintf(one, sizeof(one), "advertisements fail to send "
		    "(demotion %u)", cn->cn_demote[CARP_D_SENDERR]);
		eng_msg_add(msg, sizeof(msg), one);
	}
	if (cn->cn_demote[CARP_D_EXTERNAL]) {
		snprintf(one, sizeof(one), "demoted by state sync or a "
		    "service check (%u)", cn->cn_demote[CARP_D_EXTERNAL]);
		eng_msg_add(msg, sizeof(msg), one);
	}
	if (cn->cn_demote[CARP_D_UPSTREAM]) {
		snprintf(one, sizeof(one), "%s (demotion %u)",
		    carp_up_reason(&eng.e_up), cn->cn_demote[CARP_D_UPSTREAM]);
		eng_msg_add(msg, sizeof(msg), one);
	}
	if (eng.e_broken[0] != '\0') {
		snprintf(one, sizeof(one), "%s: every VHID stays INIT",
		    eng.e_broken);
		eng_msg_add(msg, sizeof(msg), one);
	}
	if (cn->cn_demote[CARP_D_BOOT]) {
		snprintf(one, sizeof(one), "%s (demotion %u)",
		    eng.e_boot_why[0] ? eng.e_boot_why : "boot apply pending",
		    cn->cn_demote[CARP_D_BOOT]);
		eng_msg_add(msg, sizeof(msg), one);
	}
	return json_pack("{s:I,s:b,s:b,s:b,s:s,s:b,s:o,s:s,s:f}",
	    "demotion", (json_int_t)carp_fsm_demotion(cn),
	    "maintenance", cn->cn_maintenance,
	    "allow", !cn->cn_disabled,
	    "preempt", cn->cn_preempt,
	    "status_msg", msg,
	    "simulated", !eng.e_real,
	    "demotion_sources", src,
	    "engine", eng.e_broken[0] != '\0' ? "no sockets" : eng.e_real ?
	    "real" : "simulated (dry platform: a simulated peer, no packets)",
	    "engine_last_run", eng.e_lastrun > 0 ? eng_now() - eng.e_lastrun :
	    -1.0);
}

/* Keys of liveness.rejected, by enum carp_live_reason. */
static const char *const eng_live_keys[CARP_LIVE_R_MAX] = {
	[CARP_LIVE_R_OK] = "accepted", [CARP_LIVE_R_SHORT] = "short",
	[CARP_LIVE_R_BAD_IP] = "bad_ip", [CARP_LIVE_R_BAD_TTL] = "bad_ttl",
	[CARP_LIVE_R_BAD_VERSION] = "bad_version",
	[CARP_LIVE_R_BAD_FIELD] = "bad_field", [CARP_LIVE_R_OWN] = "own",
	[CARP_LIVE_R_NO_PATH] = "no_path", [CARP_LIVE_R_BAD_PEER] = "bad_peer",
	[CARP_LIVE_R_BAD_HMAC] = "bad_hmac", [CARP_LIVE_R_REPLAY] = "replay",
	[CARP_LIVE_R_DISABLED] = "disabled",
};

/* The liveness channel (live.h) for carp_status: a new object. */
static json_t *
eng_live_obj(double now)
{
	const struct carp_live	*cl = &eng.e_live;
	json_t			*paths = json_array(), *rej = json_object();
	char			 a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	size_t			 i;
	int			 r;

	for (i = 0; i < cl->cl_npaths; i++) {
		const struct carp_live_path *lp = &cl->cl_paths[i];

		json_array_append_new(paths, json_pack("{s:s,s:s,s:s,s:s,s:b,"
		    "s:I,s:I,s:I,s:I,s:f}", "interface", lp->lp_name,
		    "self", carp_proto_addr_str(&lp->lp_self, a, sizeof(a)),
		    "peer", lp->lp_peer.ca_af ? carp_proto_addr_str(
		    &lp->lp_peer, b, sizeof(b)) : "",
		    "state", carp_live_state_name(lp->lp_state),
		    "peer_configured", lp->lp_configured,
		    "received", (json_int_t)lp->lp_rx,
		    "sent", (json_int_t)lp->lp_tx,
		    "send_errors", (json_int_t)lp->lp_txerr,
		    "downs", (json_int_t)lp->lp_downs,
		    "last_received", lp->lp_last_rx > 0 ?
		    now - lp->lp_last_rx : -1.0));
	}
	for (r = 0; r < CARP_LIVE_R_MAX; r++)
		json_object_set_new(rej, eng_live_keys[r],
		    json_integer((json_int_t)cl->cl_rej[r]));
	return json_pack("{s:b,s:i,s:i,s:f,s:s,s:I,s:f,s:o,s:o}",
	    "enabled", cl->cl_enabled,
	    "interval_ms", (int)cl->cl_interval_ms,
	    "multiplier", (int)cl->cl_mult,
	    "detect_s", carp_live_detect(cl),
	    "peer", !cl->cl_enabled ? "off" : cl->cl_peer_up ? "up" :
	    cl->cl_deaths > 0 ? "lost" : "not heard",
	    "peer_lost", (json_int_t)cl->cl_deaths,
	    "last_lost", cl->cl_dead_at > 0 ? now - cl->cl_dead_at : -1.0,
	    "paths", paths, "packets", rej);
}

static json_t *
eng_req_status_locked(json_t *req)
{
	const struct carp_engine_conf	*cf = eng.e_conf;
	const struct eng_vhid		*ev;
	const struct eng_vip		*vp;
	json_t				*vips, *stats, *parp;
	size_t				 i, j;
	double				 now = eng_now();
	int				 r;

	(void)req;
	if (!eng.e_init)
		return ipc_failed("the CARP engine is not running");
	vips = json_array();
	for (i = 0; cf != NULL && i < cf->cf_nvhids; i++) {
		ev = cf->cf_vhids[i];
		for (j = 0; j < ev->ev_nvips; j++) {
			vp = &ev->ev_vips[j];
			json_array_append_new(vips, json_pack("{s:s,s:i,s:s,"
			    "s:s,s:i,s:s,s:i,s:i,s:s}",
			    "uuid", vp->vp_uuid, "vhid", ev->ev_vhid,
			    "interface", vp->vp_iface, "subnet", vp->vp_subnet,
			    "subnet_bits", vp->vp_bits, "mode", vp->vp_mode,
			    "advbase", ev->ev_advbase, "advskew", ev->ev_advskew,
			    "status", ev->ev_vh != NULL ? carp_fsm_state_name(
			    ev->ev_vh->vh_state) : "INIT"));
			json_object_set_new(json_array_get(vips,
			    json_array_size(vips) - 1), "last_sent", json_real(
			    ev->ev_last_tx > 0 ? now - ev->ev_last_tx : -1));
			json_object_set_new(json_array_get(vips,
			    json_array_size(vips) - 1), "last_received",
			    json_real(ev->ev_last_rx > 0 ? now - ev->ev_last_rx :
			    -1));
		}
	}
	stats = json_object();
	for (r = 0; r < CARP_R_MAX; r++)
		json_object_set_new(stats, eng_reason_keys[r],
		    json_integer((json_int_t)eng.e_stats.cs_count[r]));
	json_object_set_new(stats, "sent", json_integer((json_int_t)eng.e_sent));
	json_object_set_new(stats, "send_errors",
	    json_integer((json_int_t)eng.e_senderr));
	parp = json_object();
	for (r = 0; r < PROXYARP_R_MAX; r++)
		json_object_set_new(parp, proxyarp_reason_name(r),
		    json_integer((json_int_t)eng.e_arp[r]));
	json_object_set_new(parp, "send_errors",
	    json_integer((json_int_t)eng.e_arp_senderr));
	json_object_set_new(stats, "proxyarp", parp);
	return json_pack("{s:s,s:o,s:o,s:o,s:o,s:o}", "status", "ok",
	    "carp", eng_carp_obj(), "vips", vips, "stats", stats,
	    "liveness", eng_live_obj(now), "upstream", eng_up_obj(now));
}

/* A boolean in a request: true/false, 1/0, or util_bool's words; -1 else. */
static int
eng_bool(json_t *v)
{
	if (json_is_boolean(v))
		return json_is_true(v);
	if (json_is_integer(v))
		return json_integer_value(v) != 0;
	return util_bool(json_string_value(v));
}

static json_t *
eng_req_set_locked(json_t *req)
{
	const char	*action = json_string_value(json_object_get(req,
			    "action"));
	int		 on = eng_bool(json_object_get(req, "on")), rc;

	if (!eng.e_init)
		return ipc_failed("the CARP engine is not running");
	if (action == NULL)
		return ipc_failed("carp_set: no action");
	if (strcmp(action, "enable") == 0)
		rc = carp_engine_set_disabled(on == 0);
	else if (strcmp(action, "disable") == 0)
		rc = carp_engine_set_disabled(on != 0);
	else if (strcmp(action, "maintenance") == 0)
		rc = carp_engine_set_maintenance(on == -1 ?
		    !eng.e_node.cn_maintenance : on);
	else
		return ipc_failed("carp_set: action must be enable, disable "
		    "or maintenance");
	if (rc == -1)
		return ipc_failed("carp_set %s failed", action);
	return json_pack("{s:s,s:o}", "status", "ok", "carp", eng_carp_obj());
}

static json_t *
eng_req_timeline_locked(json_t *req)
{
	const struct eng_tl	*e;
	json_t			*arr, *jl = json_object_get(req, "limit");
	char			 dfrom[24], dto[24];
	size_t			 n, i, have;
	long long		 limit = 100;

	if (json_is_integer(jl))
		limit = json_integer_value(jl);
	if (limit < 1 || limit > CARP_ENGINE_TIMELINE)
		limit = CARP_ENGINE_TIMELINE;
	have = eng.e_tltotal < CARP_ENGINE_TIMELINE ? (size_t)eng.e_tltotal :
	    CARP_ENGINE_TIMELINE;
	n = MIN(have, (size_t)limit);
	arr = json_array();
	for (i = 0; i < n; i++) {
		e = &eng.e_tl[(eng.e_tlnext + CARP_ENGINE_TIMELINE - 1 - i) %
		    CARP_ENGINE_TIMELINE];
		if (e->t_node) {
			/* The node's demotion, for every VHID at once. */
			snprintf(dfrom, sizeof(dfrom), "demotion %u",
			    e->t_dfrom);
			snprintf(dto, sizeof(dto), "demotion %u", e->t_dto);
			json_array_append_new(arr, json_pack("{s:f,s:i,s:s,"
			    "s:s,s:s,s:s}", "time", e->t_time, "vhid", 0,
			    "interface", "", "from", dfrom, "to", dto,
			    "cause", e->t_cause));
			continue;
		}
		json_array_append_new(arr, json_pack("{s:f,s:i,s:s,s:s,s:s,"
		    "s:s}", "time", e->t_time, "vhid", e->t_vhid,
		    "interface", e->t_iface,
		    "from", carp_fsm_state_name(e->t_from),
		    "to", carp_fsm_state_name(e->t_to), "cause", e->t_cause));
	}
	return json_pack("{s:s,s:I,s:o}", "status", "ok", "total",
	    (json_int_t)eng.e_tltotal, "timeline", arr);
}

static json_t *
eng_req_config_locked(json_t *req)
{
	json_t	*snap = json_object_get(req, "snapshot");
	char	 err[512];
	int	 on = eng_bool(json_object_get(req, "maintenance"));

	if (!eng.e_init)
		return ipc_failed("the CARP engine is not running");
	/* Maintenance first: the VHIDs then start already demoted. */
	if (on != -1)
		carp_engine_set_maintenance(on);
	if (json_is_object(snap)) {
		err[0] = '\0';
		if (carp_engine_configure(snap, err, sizeof(err)) == -1) {
			log_warnx("carp: stored VIPs not taken: %s", err);
			return ipc_failed("carp: %s", err);
		}
	}
	return json_pack("{s:s}", "status", "ok");
}

int
carp_boot_child(struct store *st)
{
	json_t	*req, *ans;
	char	*m;
	int	 ret = -1;

	/* The VIPs come with the boot apply, after the ruleset. */
	m = store_kv_get(st, "carp_maintenance");
	req = json_pack("{s:s,s:b}", "type", ipc_type_name(IPC_CARP_CONFIG),
	    "maintenance", m != NULL && strcmp(m, "1") == 0);
	ans = priv_call(req);
	if (strcmp(cfg_str(ans, "status"), "ok") == 0)
		ret = 0;
	else
		log_warnx("carp: the parent did not take maintenance mode: %s",
		    cfg_str(ans, "message"));
	json_decref(req);
	json_decref(ans);
	free(m);
	return ret;
}

/*
 * The entry points other threads call: each holds the engine lock (the
 * loop thread holds it while it handles events and timers) and wakes the
 * loop when the call may have moved a timer.
 */

json_t *
carp_engine_req_status(json_t *req)
{
	json_t *r;

	ENG_LOCK();
	r = eng_req_status_locked(req);
	ENG_UNLOCK();
	return r;
}

json_t *
carp_engine_req_set(json_t *req)
{
	json_t *r;

	ENG_LOCK();
	r = eng_req_set_locked(req);
	eng_wake();
	ENG_UNLOCK();
	return r;
}

json_t *
carp_engine_req_timeline(json_t *req)
{
	json_t *r;

	ENG_LOCK();
	r = eng_req_timeline_locked(req);
	ENG_UNLOCK();
	return r;
}

json_t *
carp_engine_req_config(json_t *req)
{
	json_t *r;

	ENG_LOCK();
	r = eng_req_config_locked(req);
	eng_wake();
	ENG_UNLOCK();
	return r;
}
