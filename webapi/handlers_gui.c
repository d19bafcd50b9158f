/*
 * handlers_gui.c — endpoints the browser GUI (www/) needs that the
 * configuration sections do not give: a user's API keys (list, create,
 * delete). API keys are credentials, not configuration (no revision, no
 * sync); their secrets are kept as hashes and shown once, on creation.
 */
#include <stdio.h>
#include <string.h>

#include <microhttpd.h>
#include <sqlite3.h>

#include "api.h"
#include "auth.h"
#include "log.h"
#include "store.h"
#include "util.h"

#define API_KEY_DESCR_MAX	255

/* Optional ?user= (or the path parameter): GET the keys, newest first. */
int
api_handle_apikey_search(struct api_req *req, struct api_resp *resp)
{
	sqlite3_stmt	*stmt = NULL;
	struct store	*st;
	json_t		*rows, *u;
	const char	*user = NULL;

	if (req->r_nparams > 0)
		user = req->r_params[0];
	else if (json_is_string(u = json_object_get(api_args(req), "user")) &&
	    json_string_length(u) > 0)
		user = json_string_value(u);
	if ((st = api_store()) == NULL)
		return -1;
	if (sqlite3_prepare_v2(store_db(st), "SELECT key, user, descr, created "
	    "FROM apikeys WHERE ?1 IS NULL OR user = ?1 ORDER BY created DESC, "
	    "key", -1, &stmt, NULL) != SQLITE_OK) {
		log_warnx("api: apikeys: %s", sqlite3_errmsg(store_db(st)));
		return -1;
	}
	if (user != NULL)
		sqlite3_bind_text(stmt, 1, user, -1, SQLITE_STATIC);
	rows = json_array();
	while (sqlite3_step(stmt) == SQLITE_ROW)
		json_array_append_new(rows, json_pack("{s:s,s:s,s:s,s:I}",
		    "key", (const char *)sqlite3_column_text(stmt, 0),
		    "user", (const char *)sqlite3_column_text(stmt, 1),
		    "descr", (const char *)sqlite3_column_text(stmt, 2),
		    "created", (json_int_t)sqlite3_column_int64(stmt, 3)));
	sqlite3_finalize(stmt);
	return api_reply(resp, MHD_HTTP_OK, json_pack("{s:I,s:o}", "total",
	    (json_int_t)json_array_size(rows), "rows", rows));
}

/* POST add_api_key/<user> {"descr":...}: the secret, once. */
int
api_handle_apikey_add(struct api_req *req, struct api_resp *resp)
{
	struct store	*st;
	json_t		*d;
	const char	*descr = "";
	char		 key[128], secret[128];
	int		 rc;

	d = json_object_get(api_args(req), "descr");
	if (d != NULL && (!json_is_string(d) || json_string_length(d) >
	    API_KEY_DESCR_MAX || !api_printable(json_string_value(d))))
		return api_reply_invalid(resp,
		    "apikey.descr", "at most 255 printable characters");
	if (d != NULL)
		descr = json_string_value(d);
	if ((st = api_store()) == NULL)
		return -1;
	if ((rc = auth_apikey_create(st, req->r_params[0], descr, key,
	    secret)) == AUTH_EDISABLED)
		return api_reply_invalid(resp,
		    "apikey.user", "the user is disabled: its key would never "
		    "work");
	if (rc != 0)
		return api_reply(resp, MHD_HTTP_NOT_FOUND, json_pack("{s:s}",
		    "result", "not found"));
	api_reply(resp, MHD_HTTP_OK, json_pack("{s:s,s:s,s:s}", "result",
	    "saved", "key", key, "secret", secret));
	explicit_bzero(secret, sizeof(secret));
	return 0;
}

/* POST del_api_key/<key>. */
int
api_handle_apikey_del(struct api_req *req, struct api_resp *resp)
{
	sqlite3_stmt	*stmt = NULL;
	struct store	*st;
	int		 n;

	if ((st = api_store()) == NULL)
		return -1;
	if (sqlite3_prepare_v2(store_db(st), "DELETE FROM apikeys WHERE "
	    "key = ?1", -1, &stmt, NULL) != SQLITE_OK) {
		log_warnx("api: apikeys: %s", sqlite3_errmsg(store_db(st)));
		return -1;
	}
	sqlite3_bind_text(stmt, 1, req->r_params[0], -1, SQLITE_STATIC);
	n = sqlite3_step(stmt) == SQLITE_DONE ? sqlite3_changes(store_db(st)) :
	    -1;
	sqlite3_finalize(stmt);
	if (n == -1)
		return -1;
	if (n == 0)
		return api_reply(resp, MHD_HTTP_NOT_FOUND, json_pack("{s:s}",
		    "result", "not found"));
	api_auth_cache_flush();
	log_info("api: API key %.8s... deleted by %s", req->r_params[0],
	    req->r_actor);
	return api_reply(resp, MHD_HTTP_OK, json_pack("{s:s}", "result",
	    "deleted"));
}
