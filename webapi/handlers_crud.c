/*
 * handlers_crud.c — the generic handlers every section shares: search,
 * get, add, set, del, toggle, move, the singleton get/set, and
 * apply/reconfigure through the root parent.
 *
 * Validation is the configuration model's (cfg_*); this file only
 * checks the envelope ({"<key>":{...}}, value types) and maps the
 * model's return codes onto OPNsense's answers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "api.h"
#include "apply.h"
#include "sync.h"
#include "config.h"
#include "ipc.h"
#include "log.h"
#include "store.h"
#include "util.h"

#define API_PHRASE_MAX	256
#define API_ROWS_MAX	100000

static int
api_is_secret(const struct cfg_field *f)
{
	return f->f_type == CFG_SECRET || f->f_type == CFG_PASSWORD;
}

/* Reads an integer argument given as a number or a string. 0/-1. */
static int
api_arg_long(json_t *args, const char *name, long dflt, long *out)
{
	json_t		*v = json_object_get(args, name);
	const char	*s;
	char		*end;

	*out = dflt;
	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_integer(v)) {
		*out = (long)json_integer_value(v);
		return 0;
	}
	if (!json_is_string(v))
		return -1;
	s = json_string_value(v);
	if (*s == '\0')
		return 0;
	errno = 0;
	*out = strtol(s, &end, 10);
	return errno || *end != '\0' ? -1 : 0;
}

static int
api_bad(struct api_resp *resp, const char *msg)
{
	return api_reply_msg(resp, MHD_HTTP_BAD_REQUEST, "failed", msg);
}

static int
api_not_found(struct api_resp *resp)
{
	return api_reply(resp, MHD_HTTP_NOT_FOUND,
	    json_pack("{s:s}", "result", "not found"));
}

/*
 * Maps a cfg_* return code onto the answer; ok (stolen, may be NULL
 * when rc is not 0) is sent on success.
 */
static int
api_cfg_result(struct api_resp *resp, int rc, struct cfg_errors *errs,
    json_t *ok)
{
	switch (rc) {
	case 0:
		return api_reply(resp, MHD_HTTP_OK, ok);
	case CFG_EINVAL:
	case CFG_EREF:
		json_decref(ok);
		if (errs != NULL && errs->e_obj != NULL &&
		    json_object_size(errs->e_obj) > 0)
			return api_reply_validations(resp, errs->e_obj);
		return api_bad(resp, "invalid request");
	case CFG_ENOENT:
		json_decref(ok);
		return api_not_found(resp);
	default:
		json_decref(ok);
		return api_reply_msg(resp, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "failed", "the store failed; see the log");
	}
}

/*
 * Writes into out the uuid named by param: a uuid, or the value of the
 * section's name field (interfaces by "lan", aliases by name). 0/-1.
 */
static int
api_resolve(struct store *st, const struct cfg_section *sec,
    const char *param, char *out)
{
	json_t		*row;
	const char	*u;

	if (util_is_uuid(param)) {
		util_strlcpy(out, param, UUID_LEN + 1);
		return 0;
	}
	if (sec->s_namefield == NULL || strlen(param) > 64)
		return -1;
	if ((row = cfg_find(st, sec, param)) == NULL)
		return -1;
	u = cfg_str(row, "uuid");
	util_strlcpy(out, u, UUID_LEN + 1);
	json_decref(row);
	return util_is_uuid(out) ? 0 : -1;
}

json_t *
api_item_fields(const struct cfg_section *sec, json_t *item,
    int drop_empty_secrets, json_t *ignored, struct cfg_errors *errs)
{
	const struct cfg_field	*f;
	json_t			*in, *out, *v, *e;
	const char		*k;
	char			*joined, *tmp;
	size_t			 i;

	/* OPNsense's names become ours; keys we have no field for are
	 * ignored, as OPNsense ignores them, and named in the answer. */
	in = json_deep_copy(item);
	api_opn_input(sec, in, ignored);
	out = json_object();
	json_object_foreach(in, k, v) {
		f = cfg_field(sec, k);
		if (json_is_null(v))
			v = json_string("");
		else if (json_is_array(v) && f != NULL &&
		    (f->f_flags & CFG_F_LIST)) {
			joined = xstrdup("");
			json_array_foreach(v, i, e) {
				if (!json_is_string(e)) {
					cfg_error(errs, k, "list items must "
					    "be strings");
					break;
				}
				tmp = xasprintf("%s%s%s", joined,
				    i ? "," : "", json_string_value(e));
				free(joined);
				joined = tmp;
			}
			v = json_string(joined);
			free(joined);
		} else if (json_is_object(v) || json_is_array(v)) {
			cfg_error(errs, k, "must be a string, number or "
			    "boolean");
			continue;
		} else
			json_incref(v);
		if (drop_empty_secrets && f != NULL && api_is_secret(f) &&
		    json_is_string(v) && json_string_length(v) == 0) {
			json_decref(v);
			continue;
		}
		json_object_set_new(out, k, v);
	}
	json_decref(in);
	if (cfg_errors_any(errs)) {
		json_decref(out);
		out = NULL;
	}
	return out;
}

/*
 * Takes the item out of {"<key>":{...}} through api_item_fields, or
 * returns NULL with resp filled.
 */
static json_t *
api_item(struct api_req *req, struct api_resp *resp,
    const struct cfg_section *sec, int drop_empty_secrets, json_t *ignored)
{
	struct cfg_errors	 errs;
	json_t			*in = NULL, *out = NULL;
	const char		*key = sec->s_key;

	cfg_errors_init(&errs, key);
	/* OPNsense's body key where it differs ("gateway_item"). */
	if (req->r_body != NULL && sec->s_opn_key != NULL &&
	    (in = json_object_get(req->r_body, sec->s_opn_key)) != NULL)
		key = sec->s_opn_key;
	if (in == NULL && req->r_body != NULL)
		in = json_object_get(req->r_body, key);
	if (in == NULL) {
		char msg[96];

		snprintf(msg, sizeof(msg), "the body must be {\"%s\":{...}}",
		    key);
		api_bad(resp, msg);
		goto done;
	}
	if (json_object_size(req->r_body) != 1) {
		api_bad(resp, "unexpected keys beside the item in the body");
		goto done;
	}
	if (!json_is_object(in)) {
		api_bad(resp, "the item must be a JSON object");
		goto done;
	}
	if ((out = api_item_fields(sec, in, drop_empty_secrets, ignored,
	    &errs)) == NULL)
		api_reply_validations(resp, errs.e_obj);
done:
	cfg_errors_free(&errs);
	return out;
}

/* {"result":"saved", ...} plus the keys that were ignored, if any. */
static json_t *
api_saved(json_t *ignored)
{
	json_t *ok = json_pack("{s:s}", "result", "saved");

	if (json_array_size(ignored) > 0)
		json_object_set(ok, "ignored", ignored);
	return ok;
}

/* A users change ends cached logins and stale sessions at once. */
static void
api_after_write(struct store *st, const struct cfg_section *sec)
{
	if (strcmp(sec->s_name, "users") == 0) {
		api_auth_cache_flush();
		api_auth_sessions_revalidate(st);
	}
}

int
api_handle_search(struct api_req *req, struct api_resp *resp)
{
	const struct cfg_section	*sec = req->r_section;
	const struct cfg_field		*f;
	struct cfg_query		 q;
	json_t				*args = api_args(req), *sort, *v;
	json_t				*where = NULL;
	char				*text, *dyn;
	struct store			*st;
	const char			*k, *dir;
	long				 cur, rows;
	int				 ret = -1;

	memset(&q, 0, sizeof(q));
	if (api_arg_long(args, "current", 1, &cur) == -1 || cur < 1 ||
	    cur > 1000000)
		return api_bad(resp, "current must be a page number from 1");
	if (api_arg_long(args, "rowCount", -1, &rows) == -1 || rows < -1 ||
	    rows > API_ROWS_MAX)
		return api_bad(resp, "rowCount must be -1 (all) or a count");
	q.q_current = (int)cur;
	q.q_rowcount = rows == 0 ? -1 : (int)rows;
	if ((v = json_object_get(args, "searchPhrase")) != NULL) {
		if (!json_is_string(v) ||
		    json_string_length(v) > API_PHRASE_MAX)
			return api_bad(resp, "searchPhrase must be a string "
			    "of at most 256 characters");
		q.q_phrase = json_string_value(v);
	}
	if ((sort = json_object_get(args, "sort")) != NULL) {
		if (!json_is_object(sort) || json_object_size(sort) > 1)
			return api_bad(resp, "sort must be {\"field\":"
			    "\"asc\"|\"desc\"}");
		json_object_foreach(sort, k, v) {
			f = cfg_field(sec, k);
			if ((f == NULL || api_is_secret(f)) &&
			    strcmp(k, "uuid") != 0)
				return api_bad(resp, "sort: no such field");
			dir = json_is_string(v) ? json_string_value(v) : "";
			if (strcmp(dir, "asc") != 0 && strcmp(dir, "desc") != 0)
				return api_bad(resp, "sort: asc or desc");
			q.q_sort = k;
			q.q_desc = strcmp(dir, "desc") == 0;
		}
	}
	/*
	 * Field arguments filter (OPNsense: vip search by mode); a list
	 * field by item. An empty interface asks for the floating rules.
	 */
	json_object_foreach(args, k, v) {
		f = cfg_field(sec, k);
		if (f == NULL || api_is_secret(f) || !json_is_string(v) ||
		    (json_string_length(v) == 0 &&
		    !(f->f_flags & CFG_F_FLOATING)))
			continue;
		if (where == NULL)
			where = json_object();
		json_object_set(where, k, v);
	}
	q.q_where = where;
	if ((st = api_store()) == NULL)
		goto done;
	/* The hot path: SQLite writes the page as JSON text directly. */
	if ((text = cfg_search_text(st, sec, &q)) == NULL)
		goto done;
	/* WAN_DHCP: listed while wan is in DHCP mode (handlers_overview.c). */
	if (strcmp(sec->s_name, "gateways") == 0 && q.q_where == NULL &&
	    (dyn = api_gateways_dynamic(st, text, &q)) != NULL) {
		free(text);
		text = dyn;
	}
	json_decref(resp->rs_body);
	resp->rs_body = NULL;
	resp->rs_status = MHD_HTTP_OK;
	resp->rs_raw = text;
	resp->rs_rawlen = strlen(text);
	resp->rs_ctype = "application/json";
	ret = 0;
done:
	json_decref(where);
	return ret;
}

int
api_handle_get(struct api_req *req, struct api_resp *resp)
{
	const struct cfg_section	*sec = req->r_section;
	struct store			*st;
	json_t				*row;
	char				 uuid[UUID_LEN + 1];

	json_t				*item, *cache, *ans;

	if ((st = api_store()) == NULL)
		return -1;
	if (req->r_nparams == 0)
		row = cfg_defaults(sec);
	else if (api_resolve(st, sec, req->r_params[0], uuid) == -1 ||
	    (row = cfg_get(st, sec, uuid, 0)) == NULL)
		/* OPNsense: an unknown uuid is an empty answer, not 404. */
		return api_reply(resp, MHD_HTTP_OK, json_array());
	if (row == NULL)
		return -1;
	/* OPNsense's item: option fields as {key:{value,selected}}. */
	cache = json_object();
	item = api_opn_item(st, sec, row, cache);
	json_decref(cache);
	json_decref(row);
	ans = json_pack("{s:o}", sec->s_key, item);
	if (sec->s_opn_key != NULL)
		json_object_set(ans, sec->s_opn_key, item);
	return api_reply(resp, MHD_HTTP_OK, ans);
}

int
api_handle_add(struct api_req *req, struct api_resp *resp)
{
	const struct cfg_section	*sec = req->r_section;
	struct cfg_errors		 errs;
	struct cfg_ctx			 ctx;
	json_t				*in, *ignored = json_array(), *ok;
	char				 uuid[UUID_LEN + 1];
	int				 rc, ret;

	if ((in = api_item(req, resp, sec, 0, ignored)) == NULL) {
		json_decref(ignored);
		return 0;
	}
	memset(&ctx, 0, sizeof(ctx));
	if ((ctx.c_st = api_store()) == NULL) {
		json_decref(in);
		json_decref(ignored);
		return -1;
	}
	ctx.c_user = req->r_actor;
	cfg_errors_init(&errs, sec->s_key);
	uuid[0] = '\0';
	rc = cfg_add(&ctx, sec, in, uuid, &errs);
	if (rc == 0)
		api_after_write(ctx.c_st, sec);
	ok = NULL;
	if (rc == 0) {
		ok = api_saved(ignored);
		json_object_set_new(ok, "uuid", json_string(uuid));
	}
	ret = api_cfg_result(resp, rc, &errs, ok);
	cfg_errors_free(&errs);
	json_decref(in);
	json_decref(ignored);
	return ret;
}

int
api_handle_set(struct api_req *req, struct api_resp *resp)
{
	const struct cfg_section	*sec = req->r_section;
	struct cfg_errors		 errs;
	struct cfg_ctx			 ctx;
	json_t				*in, *ignored, *old;
	char				 uuid[UUID_LEN + 1];
	int				 rc, ret, create = 0;

	memset(&ctx, 0, sizeof(ctx));
	if ((ctx.c_st = api_store()) == NULL)
		return -1;
	if (api_resolve(ctx.c_st, sec, req->r_params[0], uuid) == -1)
		return api_not_found(resp);
	/* OPNsense creates the item a new (well-formed) uuid names. */
	if ((old = cfg_get(ctx.c_st, sec, uuid, 0)) == NULL)
		create = 1;
	json_decref(old);
	ignored = json_array();
	if ((in = api_item(req, resp, sec, !create, ignored)) == NULL) {
		json_decref(ignored);
		return 0;
	}
	ctx.c_user = req->r_actor;
	cfg_errors_init(&errs, sec->s_key);
	if (create)
		rc = cfg_add_as(&ctx, sec, uuid, in, NULL, &errs);
	else
		rc = cfg_set(&ctx, sec, uuid, in, &errs);
	if (rc == 0)
		api_after_write(ctx.c_st, sec);
	ret = api_cfg_result(resp, rc, &errs, rc != 0 ? NULL :
	    api_saved(ignored));
	cfg_errors_free(&errs);
	json_decref(in);
	json_decref(ignored);
	return ret;
}

int
api_handle_del(struct api_req *req, struct api_resp *resp)
{
	const struct cfg_section	*sec = req->r_section;
	struct cfg_errors		 errs;
	struct cfg_ctx			 ctx;
	char				 uuid[UUID_LEN + 1];
	int				 rc, ret;

	memset(&ctx, 0, sizeof(ctx));
	if ((ctx.c_st = api_store()) == NULL)
		return -1;
	/* OPNsense: deleting what is not there answers "not found", 200. */
	if (api_resolve(ctx.c_st, sec, req->r_params[0], uuid) == -1)
		return api_reply(resp, MHD_HTTP_OK, json_pack("{s:s}", "result",
		    "not found"));
	ctx.c_user = req->r_actor;
	cfg_errors_init(&errs, sec->s_key);
	rc = cfg_del(&ctx, sec, uuid, &errs);
	if (rc == CFG_ENOENT) {
		cfg_errors_free(&errs);
		return api_reply(resp, MHD_HTTP_OK, json_pack("{s:s}", "result",
		    "not found"));
	}
	if (rc == 0)
		api_after_write(ctx.c_st, sec);
	ret = api_cfg_result(resp, rc, &errs, rc != 0 ? NULL :
	    json_pack("{s:s}", "result", "deleted"));
	cfg_errors_free(&errs);
	return ret;
}

/* Reads the optional 0|1 parameter at index i: 1, 0, or -1 (flip). */
static int
api_want(struct api_req *req, int i, int *want)
{
	const char *p;

	*want = -1;
	if (req->r_nparams <= i)
		return 0;
	p = req->r_params[i];
	return (*want = util_bool(p)) == -1 ? -1 : 0;
}

int
api_handle_toggle(struct api_req *req, struct api_resp *resp)
{
	const struct cfg_section	*sec = req->r_section;
	struct cfg_errors		 errs;
	struct cfg_ctx			 ctx;
	char				 uuid[UUID_LEN + 1];
	int				 rc, ret, want, enabled = 0, changed = 0;

	if (sec->s_toggle == NULL)
		return api_reply_status(resp, MHD_HTTP_NOT_FOUND, "Not Found");
	if (api_want(req, 1, &want) == -1)
		return api_bad(resp, "the state must be 0 or 1");
	memset(&ctx, 0, sizeof(ctx));
	if ((ctx.c_st = api_store()) == NULL)
		return -1;
	if (api_resolve(ctx.c_st, sec, req->r_params[0], uuid) == -1)
		return api_not_found(resp);
	ctx.c_user = req->r_actor;
	cfg_errors_init(&errs, sec->s_key);
	rc = cfg_toggle(&ctx, sec, uuid, want, &enabled, &changed, &errs);
	if (rc == 0)
		api_after_write(ctx.c_st, sec);
	ret = api_cfg_result(resp, rc, &errs, rc != 0 ? NULL :
	    json_pack("{s:s,s:b}", "result", enabled ? "Enabled" : "Disabled",
	    "changed", changed));
	cfg_errors_free(&errs);
	return ret;
}

int
api_handle_toggle_log(struct api_req *req, struct api_resp *resp)
{
	const struct cfg_section	*sec = req->r_section;
	struct cfg_errors		 errs;
	struct cfg_ctx			 ctx;
	json_t				*row, *in;
	char				 uuid[UUID_LEN + 1];
	int				 rc, want, cur, ret;

	if (api_want(req, 1, &want) == -1)
		return api_bad(resp, "the state must be 0 or 1");
	memset(&ctx, 0, sizeof(ctx));
	if ((ctx.c_st = api_store()) == NULL)
		return -1;
	if (api_resolve(ctx.c_st, sec, req->r_params[0], uuid) == -1 ||
	    (row = cfg_get(ctx.c_st, sec, uuid, 0)) == NULL)
		return api_not_found(resp);
	cur = cfg_bool(row, "log");
	json_decref(row);
	if (want == -1)
		want = !cur;
	if (want == cur)
		return api_reply(resp, MHD_HTTP_OK, json_pack("{s:s,s:b}",
		    "result", cur ? "Enabled" : "Disabled", "changed", 0));
	ctx.c_user = req->r_actor;
	cfg_errors_init(&errs, sec->s_key);
	in = json_pack("{s:s}", "log", want ? "1" : "0");
	rc = cfg_set(&ctx, sec, uuid, in, &errs);
	ret = api_cfg_result(resp, rc, &errs, rc != 0 ? NULL :
	    json_pack("{s:s,s:b}", "result", want ? "Enabled" : "Disabled",
	    "changed", 1));
	json_decref(in);
	cfg_errors_free(&errs);
	return ret;
}

int
api_handle_move_before(struct api_req *req, struct api_resp *resp)
{
	const struct cfg_section	*sec = req->r_section;
	struct cfg_ctx			 ctx;
	char				 u1[UUID_LEN + 1], u2[UUID_LEN + 1];
	int				 rc;

	memset(&ctx, 0, sizeof(ctx));
	if ((ctx.c_st = api_store()) == NULL)
		return -1;
	if (api_resolve(ctx.c_st, sec, req->r_params[0], u1) == -1 ||
	    api_resolve(ctx.c_st, sec, req->r_params[1], u2) == -1)
		return api_not_found(resp);
	if (strcmp(u1, u2) == 0)
		return api_bad(resp, "cannot move a rule before itself");
	ctx.c_user = req->r_actor;
	rc = cfg_move_before(&ctx, sec, u1, u2);
	return api_cfg_result(resp, rc, NULL, rc != 0 ? NULL :
	    json_pack("{s:s}", "status", "ok"));
}

int
api_handle_single_get(struct api_req *req, struct api_resp *resp)
{
	const struct cfg_section	*sec = req->r_section;
	struct store			*st;
	json_t				*row;

	if ((st = api_store()) == NULL ||
	    (row = cfg_get_singleton(st, sec, 0)) == NULL)
		return -1;
	return api_reply(resp, MHD_HTTP_OK, json_pack("{s:o}", sec->s_key, row));
}

int
api_handle_single_set(struct api_req *req, struct api_resp *resp)
{
	const struct cfg_section	*sec = req->r_section;
	struct cfg_errors		 errs;
	struct cfg_ctx			 ctx;
	json_t				*in, *mode, *ignored = json_array();
	int				 rc, ret;

	if ((in = api_item(req, resp, sec, 1, ignored)) == NULL) {
		json_decref(ignored);
		return 0;
	}
	/* Outbound NAT: pfSense and older OPNsense call "advanced" manual. */
	if (strcmp(sec->s_name, "snat") == 0 &&
	    (mode = json_object_get(in, "mode")) != NULL &&
	    json_is_string(mode) && strcmp(json_string_value(mode),
	    "manual") == 0)
		json_object_set_new(in, "mode", json_string("advanced"));
	memset(&ctx, 0, sizeof(ctx));
	if ((ctx.c_st = api_store()) == NULL) {
		json_decref(in);
		json_decref(ignored);
		return -1;
	}
	ctx.c_user = req->r_actor;
	cfg_errors_init(&errs, sec->s_key);
	rc = cfg_set_singleton(&ctx, sec, in, &errs);
	ret = api_cfg_result(resp, rc, &errs, rc != 0 ? NULL :
	    api_saved(ignored));
	cfg_errors_free(&errs);
	json_decref(in);
	json_decref(ignored);
	return ret;
}

/*
 * Apply: the parent renders and applies a snapshot (with secrets) for
 * the subsystems of the route's sections. On success their dirty flags
 * are cleared, unless the configuration changed meanwhile. A failure is
 * HTTP 500 {"status":"failed","message":<the parent's reason>}, and the
 * flags stay: nothing is half-applied (the platform keeps the old
 * state).
 */
int
api_handle_apply(struct api_req *req, struct api_resp *resp)
{
	const struct cfg_section	*sec;
	struct store			*st;
	subsys_mask			 mask = 0;
	char				*list, *p, *name, err[1024];
	int				 ret = -1;

	if ((st = api_store()) == NULL)
		return -1;
	list = xstrdup(req->r_route->r_section);
	p = list;
	while ((name = strsep(&p, ",")) != NULL)
		if ((sec = cfg_section(name)) != NULL &&
		    sec->s_subsys != SUBSYS_NONE)
			mask |= SUBSYS_BIT(sec->s_subsys);
	free(list);
	/* One apply path for the API, the XML-RPC backup and the CLI. */
	if (apply_run(st, mask, &apply_via_priv, "api", NULL, err,
	    sizeof(err)) == -1) {
		log_warnx("api: %s: %s", req->r_route->r_section, err);
		ret = api_reply(resp, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    ipc_failed("%s", err));
		goto done;
	}
	ret = api_reply(resp, MHD_HTTP_OK, json_pack("{s:s}", "status", "ok"));
done:
	return ret;
}
