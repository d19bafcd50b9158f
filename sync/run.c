/*
 * run.c — one sync, master side (sync.h), and the
 * read-only questions the HA status page asks the peer.
 *
 *   1. refuse unless every CARP VIP of this node is MASTER (asked of the
 *      root parent; an unknown answer refuses too: never sync blindly);
 *   2. probe opnsense.firmware_version (reachability, TLS, credentials);
 *   3. pack the sections of hasync.syncitems as sync_view(SEND) shapes
 *      them, secrets included, empty sections sent empty;
 *   4. restore_config_section (staged in chunks when large), then
 *      filter_configure; restart_all restarts every listed service;
 *   5. compare hashes and record the outcome in the store.
 * A peer whose firmware_version names no product "twinwall" is an
 * OPNsense node: step 4 then sends its shapes (the config.xml subtrees
 * of the sections, through the importer/exporter's forms) and step 5
 * has no hash to compare.
 * Runs are serialised across processes by flock(DIR/var/sync.lock).
 */
#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ipc.h"
#include "config.h"
#include "xmlconf.h"
#include "log.h"
#include "store.h"
#include "sync_int.h"
#include "util.h"

#ifndef TW_VERSION
#define TW_VERSION "0.0.0"
#endif

#define SYNC_MSG_MAX	2048

/* What one run carries between its steps. */
struct sync_ctx {
	const struct sync_opts	*x_opts;
	struct sync_peer	*x_peer;
	json_t			*x_res;		/* the result being built */
	json_t			*x_sections;	/* names */
	json_t			*x_view;	/* what is sent */
	int			 x_opn;		/* the peer is OPNsense */
	char			 x_msg[SYNC_MSG_MAX];
};

/* Sets status and message of the result; returns -1 for the caller. */
static int
sync_fail(struct sync_ctx *x, const char *status, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(x->x_msg, sizeof(x->x_msg), fmt, ap);
	va_end(ap);
	json_object_set_new(x->x_res, "status", json_string(status));
	json_object_set_new(x->x_res, "message", json_string(x->x_msg));
	return -1;
}

/* Opens and locks DIR/var/sync.lock; the fd, or -1 (runs unlocked). */
static int
sync_lock(struct store *st)
{
	char	*path;
	int	 fd;

	path = xasprintf("%s/var/sync.lock", store_datadir(st));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 && errno == ENOENT)
		fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd == -1)
		log_warn("sync: %s", path);
	else if (flock(fd, LOCK_EX) == -1) {
		log_warn("sync: lock %s", path);
		close(fd);
		fd = -1;
	}
	free(path);
	return fd;
}

/*
 * Step 1. 0 when every CARP VIP is MASTER; -1 with the refusal set,
 * naming the VIPs that are not.
 */
static int
sync_gate(struct sync_ctx *x)
{
	json_t		*req, *ans, *vips, *v;
	const char	*st;
	char		 one[256], vhid[24];
	size_t		 i, n = 0, len = 0;
	int		 ret = -1;

	req = json_pack("{s:s}", "type", ipc_type_name(IPC_CARP_STATUS));
	ans = x->x_opts->so_parent(req);
	json_decref(req);
	if (strcmp(cfg_str(ans, "status"), "ok") != 0) {
		sync_fail(x, "refused", "sync refused: cannot read the CARP "
		    "status from the daemon (%s)", *cfg_str(ans, "message") ?
		    cfg_str(ans, "message") : "no answer");
		goto err;
	}
	vips = json_object_get(ans, "vips");
	x->x_msg[0] = '\0';
	json_array_foreach(vips, i, v) {
		if (*cfg_str(v, "mode") != '\0' &&
		    strcmp(cfg_str(v, "mode"), "carp") != 0)
			continue;
		st = *cfg_str(v, "status") ? cfg_str(v, "status") : "UNKNOWN";
		if (strcmp(st, "MASTER") == 0)
			continue;
		if (json_is_integer(json_object_get(v, "vhid")))
			snprintf(vhid, sizeof(vhid), "%lld", (long long)
			    json_integer_value(json_object_get(v, "vhid")));
		else
			util_strlcpy(vhid, cfg_str(v, "vhid"), sizeof(vhid));
		snprintf(one, sizeof(one), "%s%s (vhid %s, %s) is %s",
		    n++ ? ", " : "", cfg_str(v, "subnet"), vhid,
		    cfg_str(v, "interface"), st);
		if (len + strlen(one) + 1 < sizeof(x->x_msg)) {
			memcpy(x->x_msg + len, one, strlen(one) + 1);
			len += strlen(one);
		}
	}
	if (n > 0) {
		char list[SYNC_MSG_MAX];

		util_strlcpy(list, x->x_msg, sizeof(list));
		sync_fail(x, "refused", "sync refused: not MASTER: %s", list);
		goto err;
	}
	ret = 0;
err:
	json_decref(ans);
	return ret;
}

/* Calls method; NULL with the failure set on the result. */
static json_t *
sync_call(struct sync_ctx *x, const char *method, json_t *params)
{
	json_t	*r;
	char	 err[SYNC_MSG_MAX - 64];

	if ((r = sync_peer_call(x->x_peer, method, params, err,
	    sizeof(err))) == NULL)
		sync_fail(x, "failed", "sync failed: %s", err);
	return r;
}

/*
 * Step 4a: sends the view, staging chunks of rows when it is larger than
 * one request may be. 0 or -1 (failure set).
 */
static int
sync_send(struct sync_ctx *x)
{
	json_t		*cur, *params, *r, *data, *row, *arr, *v;
	json_t		*defs = NULL;
	const char	*name;
	unsigned char	 rnd[16];
	char		 token[33];
	size_t		 i, size = 0, est;
	int		 staged = 0, ret = -1;

	util_random(rnd, sizeof(rnd));
	util_hex(rnd, sizeof(rnd), token);
	cur = json_object();
	json_object_foreach(x->x_view, name, data) {
		if (!json_is_array(data))
			continue;
		json_decref(defs);
		defs = cfg_defaults(cfg_section(name));
		json_array_foreach(data, i, v) {
			row = sync_wire_row(defs, v);
			est = sync_xml_estimate(row);
			if (size > 0 && size + est > SYNC_XML_CHUNK) {
				params = json_pack("[s,o]", token, cur);
				r = sync_call(x,
				    "twinwall.stage_config_section", params);
				json_decref(params);
				if (r == NULL) {
					json_decref(row);
					goto err;
				}
				json_decref(r);
				cur = json_object();
				size = 0;
				staged = 1;
			}
			if ((arr = json_object_get(cur, name)) == NULL) {
				arr = json_array();
				json_object_set_new(cur, name, arr);
			}
			json_array_append_new(arr, row);
			size += est;
		}
	}
	/* The final call names every section, empty ones too. */
	json_object_foreach(x->x_view, name, v)
		if (json_object_get(cur, name) == NULL)
			json_object_set_new(cur, name, json_is_array(v) ?
			    json_array() : json_incref(v));
	params = staged ? json_pack("[s,o]", token, cur) :
	    json_pack("[o]", cur);
	r = sync_call(x, staged ? "twinwall.restore_config_section" :
	    "opnsense.restore_config_section", params);
	json_decref(params);
	if (r != NULL && !json_is_true(r))
		sync_fail(x, "failed", "sync failed: the peer did not accept "
		    "the sections");
	else if (r != NULL)
		ret = 0;
	json_decref(r);
err:
	json_decref(defs);
	return ret;
}

/*
 * Step 4a for an OPNsense peer: the view as OPNsense's own master sends
 * it, config.xml subtrees (nosync rows and VIPs without vhid already left
 * out, advskew raised), in one call. 0 or -1 (failure set).
 */
static int
sync_send_opn(struct sync_ctx *x)
{
	json_t	*payload, *params, *r;
	int	 ret = -1;

	payload = xmlconf_export_struct(x->x_view);
	params = json_pack("[o]", payload);
	r = sync_call(x, "opnsense.restore_config_section", params);
	json_decref(params);
	if (r != NULL && !json_is_true(r))
		sync_fail(x, "failed", "sync failed: the OPNsense peer did not "
		    "accept the sections");
	else if (r != NULL)
		ret = 0;
	json_decref(r);
	return ret;
}

/* Step 4c: restarts every service the peer lists. Count or -1. */
static int
sync_restart_all(struct sync_ctx *x)
{
	json_t		*list, *s, *params, *r;
	size_t		 i;
	int		 count = 0;

	if ((list = sync_call(x, "opnsense.list_services", NULL)) == NULL)
		return -1;
	json_array_foreach(list, i, s) {
		if (!json_is_string(json_object_get(s, "name")))
			continue;
		params = json_pack("[{s:O,s:O}]", "service",
		    json_object_get(s, "name"), "id", json_object_get(s, "id") ?
		    json_object_get(s, "id") : json_object_get(s, "name"));
		r = sync_call(x, "opnsense.restart_service", params);
		json_decref(params);
		if (r == NULL) {
			json_decref(list);
			return -1;
		}
		json_decref(r);
		count++;
	}
	json_decref(list);
	return count;
}

/* Reads hasync.syncitems into the names of the sections to sync. */
static json_t *
sync_selected(struct store *st)
{
	const struct cfg_section	*hs = cfg_section("hasync");
	json_t				*row, *names;

	if (hs == NULL || (row = cfg_get_singleton(st, hs, 0)) == NULL)
		return json_array();
	names = sync_sections_of(cfg_str(row, "syncitems"));
	json_decref(row);
	return names;
}

/* The master's view of the selected sections (new), hash in out. */
static json_t *
sync_local_view(struct store *st, json_t *which, char out[65])
{
	json_t *snap, *view;

	if ((snap = cfg_snapshot(st, which, 1)) == NULL)
		return NULL;
	view = sync_view(json_object_get(snap, "sections"), which,
	    SYNC_VIEW_SEND);
	json_decref(snap);
	sync_view_hash(view, out);
	return view;
}

static int
sync_steps(struct sync_ctx *x)
{
	struct store	*st = x->x_opts->so_st;
	json_t		*r, *counts, *data, *params;
	const char	*name;
	char		 err[SYNC_MSG_MAX - 64], hash[65];
	int		 n;

	if (sync_gate(x) == -1)
		return -1;
	if ((x->x_peer = sync_peer_open(st, err, sizeof(err))) == NULL)
		return sync_fail(x, "failed", "sync failed: %s", err);
	json_object_set_new(x->x_res, "peer",
	    json_string(sync_peer_url(x->x_peer)));
	json_object_set_new(x->x_res, "verified",
	    json_boolean(sync_peer_verified(x->x_peer)));
	if ((r = sync_call(x, "opnsense.firmware_version", NULL)) == NULL)
		return -1;
	json_object_set_new(x->x_res, "peer_version", json_incref(
	    json_object_get(json_object_get(r, "firmware"), "version")));
	/* twinwall adds "product"; OPNsense's answer has none. */
	x->x_opn = !json_is_string(json_object_get(r, "product")) ||
	    strcmp(json_string_value(json_object_get(r, "product")),
	    "twinwall") != 0;
	json_object_set_new(x->x_res, "peer_product", json_string(x->x_opn ?
	    "OPNsense" : "twinwall"));
	json_decref(r);

	x->x_sections = sync_selected(st);
	json_object_set(x->x_res, "sections", x->x_sections);
	if ((x->x_view = sync_local_view(st, x->x_sections, hash)) == NULL)
		return sync_fail(x, "failed", "sync failed: cannot read the "
		    "configuration");
	counts = json_object();
	json_object_foreach(x->x_view, name, data)
		json_object_set_new(counts, name, json_integer(
		    json_is_array(data) ? (json_int_t)json_array_size(data) :
		    1));
	json_object_set_new(x->x_res, "counts", counts);
	json_object_set_new(x->x_res, "local_hash", json_string(hash));

	if ((x->x_opn ? sync_send_opn(x) : sync_send(x)) == -1)
		return -1;
	if ((r = sync_call(x, "opnsense.filter_configure", NULL)) == NULL)
		return -1;
	json_decref(r);
	if (x->x_opn) {
		/* No hash to compare with an OPNsense node. */
		json_object_set_new(x->x_res, "peer_hash", json_string(""));
		goto restart;
	}
	params = json_pack("[O]", x->x_sections);
	r = sync_call(x, "twinwall.config_hash", params);
	json_decref(params);
	if (r == NULL)
		return -1;
	json_object_set_new(x->x_res, "peer_hash", json_is_string(r) ?
	    json_incref(r) : json_string(""));
	json_decref(r);
restart:
	if (x->x_opts->so_restart) {
		if ((n = sync_restart_all(x)) == -1)
			return -1;
		json_object_set_new(x->x_res, "restarted", json_integer(n));
	}
	return 0;
}

json_t *
sync_run(const struct sync_opts *o)
{
	struct sync_ctx	 x;
	json_t		*res;
	char		 when[32];
	const char	*ph, *lh;
	struct timespec	 ts;
	struct tm	 tm;
	time_t		 now;
	double		 t0 = util_now();
	int		 lock;

	memset(&x, 0, sizeof(x));
	x.x_opts = o;
	/* Not time(): its coarse clock may still read the last second. */
	clock_gettime(CLOCK_REALTIME, &ts);
	now = ts.tv_sec;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	x.x_res = json_pack("{s:s,s:I,s:s,s:s,s:s,s:[],s:{}}", "status",
	    "failed", "epoch", (json_int_t)now, "time", when, "trigger",
	    o->so_trigger, "peer", "", "sections", "counts");
	lock = sync_lock(o->so_st);
	if (sync_steps(&x) == 0) {
		lh = cfg_str(x.x_res, "local_hash");
		ph = cfg_str(x.x_res, "peer_hash");
		snprintf(x.x_msg, sizeof(x.x_msg), "synchronised %zu "
		    "section%s to %s%s%s", json_array_size(x.x_sections),
		    json_array_size(x.x_sections) == 1 ? "" : "s",
		    sync_peer_url(x.x_peer), sync_peer_verified(x.x_peer) ?
		    "" : " (peer certificate NOT verified)",
		    x.x_opn ? " (an OPNsense node, in its shapes)" :
		    strcmp(lh, ph) == 0 ? "" : "; the peer's hash differs "
		    "(its own rows or a newer change)");
		json_object_set_new(x.x_res, "status", json_string("ok"));
		json_object_set_new(x.x_res, "message",
		    json_string(x.x_msg));
	}
	json_object_set_new(x.x_res, "duration_ms",
	    json_integer((json_int_t)((util_now() - t0) * 1e3)));
	if (strcmp(cfg_str(x.x_res, "status"), "ok") == 0)
		log_info("sync (%s): %s", o->so_trigger, x.x_msg);
	else
		log_warnx("sync (%s): %s", o->so_trigger, x.x_msg);
	sync_record(o->so_st, x.x_res);
	if (lock != -1)
		close(lock);
	sync_peer_close(x.x_peer);
	json_decref(x.x_sections);
	json_decref(x.x_view);
	res = x.x_res;
	return res;
}

json_t *
sync_peer_version(struct store *st)
{
	struct sync_peer	*p;
	json_t			*r, *res;
	char			 err[SYNC_MSG_MAX];

	if ((p = sync_peer_open(st, err, sizeof(err))) == NULL)
		return ipc_failed("%s", err);
	if ((r = sync_peer_call(p, "opnsense.firmware_version", NULL, err,
	    sizeof(err))) == NULL)
		res = json_pack("{s:s,s:s,s:s,s:b}", "status", "failed",
		    "message", err, "peer", sync_peer_url(p), "verified",
		    sync_peer_verified(p));
	else
		res = json_pack("{s:s,s:s,s:s,s:b,s:o,s:{s:s}}", "status", "ok",
		    "message", "the peer answers", "peer", sync_peer_url(p),
		    "verified", sync_peer_verified(p), "firmware", r, "local",
		    "version", TW_VERSION);
	sync_peer_close(p);
	return res;
}

json_t *
sync_peer_services(struct store *st)
{
	struct sync_peer	*p;
	json_t			*r, *res;
	char			 err[SYNC_MSG_MAX];

	if ((p = sync_peer_open(st, err, sizeof(err))) == NULL)
		return ipc_failed("%s", err);
	if ((r = sync_peer_call(p, "opnsense.list_services", NULL, err,
	    sizeof(err))) == NULL)
		res = ipc_failed("%s", err);
	else
		res = json_pack("{s:s,s:I,s:o}", "status", "ok", "total",
		    (json_int_t)json_array_size(r), "rows", r);
	sync_peer_close(p);
	return res;
}

json_t *
sync_drift(struct store *st)
{
	struct sync_peer	*p;
	json_t			*which, *view, *params, *r = NULL, *res;
	char			 err[SYNC_MSG_MAX], hash[65];

	which = sync_selected(st);
	if ((view = sync_local_view(st, which, hash)) == NULL) {
		json_decref(which);
		return json_pack("{s:s,s:s}", "status", "unknown", "message",
		    "cannot read the configuration");
	}
	json_decref(view);
	if ((p = sync_peer_open(st, err, sizeof(err))) != NULL) {
		params = json_pack("[O]", which);
		r = sync_peer_call(p, "twinwall.config_hash", params, err,
		    sizeof(err));
		json_decref(params);
	}
	if (r == NULL || !json_is_string(r))
		res = json_pack("{s:s,s:s,s:s,s:s,s:O}", "status", "unknown",
		    "message", r == NULL ? err : "the peer's hash is not a "
		    "string", "local", hash, "peer", "", "sections", which);
	else
		res = json_pack("{s:s,s:s,s:O,s:O,s:s}", "status",
		    strcmp(json_string_value(r), hash) == 0 ? "in sync" :
		    "differs", "local", hash, "peer", r, "sections", which,
		    "peer_url", sync_peer_url(p));
	json_decref(r);
	json_decref(which);
	sync_peer_close(p);
	return res;
}
