/*
 * handlers_core.c — the core controllers that are not plain sections:
 * ping, system status, backups (revisions), browser sessions, the
 * unused-VHID helper and the CARP status relayed from the parent.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#include "api.h"
#include "apply.h"
#include "auth.h"
#include "config.h"
#include "ipc.h"
#include "log.h"
#include "store.h"
#include "util.h"
#include "webapi.h"

#ifndef TW_VERSION
#define TW_VERSION "0.0.0"
#endif

#define API_LOGIN_MAX	1024

int
api_handle_ping(struct api_req *req, struct api_resp *resp)
{
	(void)req;
	return api_reply(resp, MHD_HTTP_OK, json_pack("{s:s}", "status", "ok"));
}

int
api_handle_status(struct api_req *req, struct api_resp *resp)
{
	const struct cfg_section	*sys;
	struct store			*st;
	json_t				*dirty, *snap, *row = NULL, *pst;
	json_t				*boot;
	const char			*host;
	char				 hash[65], own[256];

	(void)req;
	if ((st = api_store()) == NULL)
		return -1;
	if ((snap = cfg_snapshot(st, NULL, 1)) == NULL)
		return -1;
	cfg_hash(snap, hash);
	json_decref(snap);
	if ((dirty = store_dirty_list(st)) == NULL)
		dirty = json_array();
	if ((sys = cfg_section("system")) != NULL)
		row = cfg_get_singleton(st, sys, 0);
	/* None stored: the host keeps its own name, so that is the name. */
	if (*(host = cfg_str(row, "hostname")) == '\0') {
		if (gethostname(own, sizeof(own)) == -1)
			own[0] = '\0';
		own[sizeof(own) - 1] = '\0';
		host = own;
	}
	/* What the parent put in force since it started, and its boot. */
	pst = priv_ask(IPC_STATUS);
	if ((boot = json_incref(json_object_get(pst, "boot"))) == NULL)
		boot = json_pack("{s:s,s:s}", "state", "unknown", "message",
		    cfg_str(pst, "message"));
	api_reply(resp, MHD_HTTP_OK, json_pack("{s:s,s:I,s:s,s:o,s:s,s:s,"
	    "s:o,s:o}",
	    "version", TW_VERSION,
	    "uptime", (json_int_t)api_uptime(),
	    "platform", api_conf()->w_platform,
	    "dirty", dirty,
	    "config_hash", hash,
	    "hostname", host,
	    "applied", apply_status(st),
	    "boot", boot));
	json_decref(pst);
	json_decref(row);
	return 0;
}

int
api_handle_unused_vhid(struct api_req *req, struct api_resp *resp)
{
	struct cfg_query	 q;
	struct store		*st;
	json_t			*res, *rows, *row;
	unsigned char		 used[256];
	size_t			 i;
	long			 v;
	int			 vhid;

	if ((st = api_store()) == NULL)
		return -1;
	memset(&q, 0, sizeof(q));
	q.q_current = 1;
	q.q_rowcount = -1;
	if ((res = cfg_search(st, req->r_section, &q)) == NULL)
		return -1;
	memset(used, 0, sizeof(used));
	rows = json_object_get(res, "rows");
	json_array_foreach(rows, i, row) {
		v = cfg_int(row, "vhid", 0);
		if (v >= 1 && v <= 255)
			used[v] = 1;
	}
	json_decref(res);
	for (vhid = 1; vhid <= 255 && used[vhid]; vhid++)
		;
	if (vhid > 255)
		return api_reply(resp, MHD_HTTP_OK, json_pack("{s:i,s:s,s:s}",
		    "vhid", -1, "status", "failed", "message",
		    "every VHID is in use"));
	return api_reply(resp, MHD_HTTP_OK, json_pack("{s:i,s:s}", "vhid", vhid,
	    "status", "ok"));
}

int
api_handle_backup_list(struct api_req *req, struct api_resp *resp)
{
	struct store	*st;
	json_t		*list;

	(void)req;
	if ((st = api_store()) == NULL ||
	    (list = store_revision_list(st, STORE_KEEP_REVISIONS)) == NULL)
		return -1;
	return api_reply(resp, MHD_HTTP_OK, json_pack("{s:I,s:o}", "total",
	    (json_int_t)json_array_size(list), "revisions", list));
}

long long
api_revision_id(const char *s)
{
	char		*end;
	long long	 id;

	if (s == NULL)
		return -1;
	errno = 0;
	id = strtoll(s, &end, 10);
	if (errno || *end != '\0' || end == s || id < 1)
		return -1;
	return id;
}


/* Removes every secret and password hash from a snapshot in place. */
static void
api_strip_secrets(json_t *snap)
{
	const struct cfg_section	*sec;
	const struct cfg_field		*f;
	json_t				*secs, *rows, *row;
	const char			*name;
	size_t				 i;

	secs = json_object_get(snap, "sections");
	json_object_foreach(secs, name, rows) {
		if ((sec = cfg_section(name)) == NULL)
			continue;
		for (f = sec->s_fields; f->f_name != NULL; f++) {
			if (f->f_type != CFG_SECRET && f->f_type != CFG_PASSWORD)
				continue;
			if (json_is_object(rows))
				json_object_del(rows, f->f_name);
			else
				json_array_foreach(rows, i, row)
					json_object_del(row, f->f_name);
		}
	}
}

int
api_handle_backup_download(struct api_req *req, struct api_resp *resp)
{
	struct store	*st;
	json_t		*snap;
	long long	 id;

	if ((id = api_revision_id(req->r_params[0])) == -1)
		return api_reply_status(resp, MHD_HTTP_NOT_FOUND, "Not Found");
	if ((st = api_store()) == NULL)
		return -1;
	if ((snap = store_revision_snapshot(st, id)) == NULL)
		return api_reply_status(resp, MHD_HTTP_NOT_FOUND, "Not Found");
	api_strip_secrets(snap);
	resp->rs_raw = json_dumps(snap, JSON_INDENT(1));
	json_decref(snap);
	if (resp->rs_raw == NULL)
		return -1;
	resp->rs_rawlen = strlen(resp->rs_raw);
	resp->rs_ctype = "application/json";
	resp->rs_status = MHD_HTTP_OK;
	resp->rs_disposition = xasprintf("attachment; filename="
	    "\"twinwall-config-r%lld.json\"", id);
	return 0;
}

int
api_handle_backup_restore(struct api_req *req, struct api_resp *resp)
{
	struct cfg_errors	 errs;
	struct cfg_ctx		 ctx;
	json_t			*snap;
	char			 descr[64];
	long long		 id;
	int			 rc, ret;

	if ((id = api_revision_id(req->r_params[0])) == -1)
		return api_reply_status(resp, MHD_HTTP_NOT_FOUND, "Not Found");
	memset(&ctx, 0, sizeof(ctx));
	if ((ctx.c_st = api_store()) == NULL)
		return -1;
	if ((snap = store_revision_snapshot(ctx.c_st, id)) == NULL)
		return api_reply_status(resp, MHD_HTTP_NOT_FOUND, "Not Found");
	ctx.c_user = req->r_actor;
	snprintf(descr, sizeof(descr), "restored revision %lld", id);
	cfg_errors_init(&errs, "restore");
	rc = cfg_restore(&ctx, snap, descr, &errs);
	if (rc == 0) {
		api_auth_cache_flush();
		api_auth_sessions_revalidate(ctx.c_st);
		ret = api_reply(resp, MHD_HTTP_OK, json_pack("{s:s,s:I}",
		    "status", "ok", "restored", (json_int_t)id));
	} else if (rc == CFG_EINVAL || rc == CFG_EREF)
		ret = api_reply_validations(resp, errs.e_obj);
	else
		ret = api_reply_msg(resp, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "failed", "the store failed; see the log");
	cfg_errors_free(&errs);
	json_decref(snap);
	return ret;
}

/* Returns a new Set-Cookie value the caller frees. */
static char *
api_cookie(const char *value, int tls, int clear)
{
	return xasprintf("twsession=%s; HttpOnly;%s SameSite=Strict; Path=/%s",
	    value, tls ? " Secure;" : "", clear ? "; Max-Age=0" : "");
}

int
api_handle_login(struct api_req *req, struct api_resp *resp)
{
	struct store	*st;
	json_t		*args = api_args(req), *ju, *jp;
	const char	*user, *pass;
	char		 scope[16], sid[API_TOKEN_LEN + 1];
	char		 csrf[API_TOKEN_LEN + 1];
	int		 ok, ret = -1;

	ju = json_object_get(args, "username");
	jp = json_object_get(args, "password");
	if (!json_is_string(ju) || !json_is_string(jp) ||
	    json_string_length(ju) == 0 || json_string_length(ju) >=
	    API_USER_LEN || json_string_length(jp) > API_LOGIN_MAX)
		return api_reply_msg(resp, MHD_HTTP_BAD_REQUEST, "failed",
		    "the body must be {\"username\":...,\"password\":...}");
	user = json_string_value(ju);
	pass = json_string_value(jp);
	if ((st = api_store()) == NULL)
		goto done;
	if ((req->r_retry_after = api_src_auth_begin(&req->r_src)) > 0) {
		ret = api_reply_auth_failed(req, resp);
		goto done;
	}
	ok = auth_user_login(st, user, pass) == 1;
	req->r_delay_ms = api_src_auth_end(&req->r_src, ok, API_AUTH_LOGIN,
	    user);
	if (!ok) {
		ret = api_reply_auth_failed(req, resp);
		goto done;
	}
	api_auth_scope(st, user, scope, sizeof(scope));
	if (api_auth_session_new(user, scope, sid, csrf) == -1)
		goto done;
	log_info("api: %.32s logged in", user);
	resp->rs_cookie = api_cookie(sid, req->r_tls, 0);
	ret = api_reply(resp, MHD_HTTP_OK, json_pack("{s:s,s:s,s:s,s:s}",
	    "status", "ok", "username", user, "scope", scope,
	    "csrf_token", csrf));
done:
	/* The password lives in the parsed body: wipe it there. */
	explicit_bzero((char *)(uintptr_t)json_string_value(jp),
	    json_string_length(jp));
	explicit_bzero(sid, sizeof(sid));
	explicit_bzero(csrf, sizeof(csrf));
	return ret;
}

int
api_handle_logout(struct api_req *req, struct api_resp *resp)
{
	if (req->r_via == API_VIA_SESSION) {
		api_auth_session_del(req->r_sid);
		resp->rs_cookie = api_cookie("", req->r_tls, 1);
	}
	return api_reply(resp, MHD_HTTP_OK, json_pack("{s:s}", "status", "ok"));
}

int
api_handle_session(struct api_req *req, struct api_resp *resp)
{
	json_t	*o;
	char	 csrf[API_TOKEN_LEN + 1];

	o = json_pack("{s:s,s:s,s:s}", "username", req->r_user, "scope",
	    req->r_scope, "via", req->r_via == API_VIA_SESSION ? "session" :
	    req->r_via == API_VIA_KEY ? "apikey" : "password");
	if (req->r_via == API_VIA_SESSION &&
	    api_auth_session_csrf(req->r_sid, csrf) == 0)
		json_object_set_new(o, "csrf_token", json_string(csrf));
	explicit_bzero(csrf, sizeof(csrf));
	return api_reply(resp, MHD_HTTP_OK, o);
}

/* core/system/throttle: connections per source, the login throttle. */
int
api_handle_throttle(struct api_req *req, struct api_resp *resp)
{
	(void)req;
	return api_reply(resp, MHD_HTTP_OK, api_src_report());
}

/* core/system/throttle_reset/<source>: forgives one source. */
int
api_handle_throttle_reset(struct api_req *req, struct api_resp *resp)
{
	struct api_srckey	 k;
	char			 src[INET6_ADDRSTRLEN + 4];

	if (api_src_parse(req->r_params[0], &k) == -1)
		return api_reply_invalid(resp,
		    "source", "an IPv4 address or an IPv6 address or /64");
	api_src_forget(&k);
	api_src_text(&k, src, sizeof(src));
	log_info("api: %s: throttle reset by %s", src, req->r_actor);
	return api_reply(resp, MHD_HTTP_OK, json_pack("{s:s,s:s}", "status",
	    "ok", "source", src));
}
