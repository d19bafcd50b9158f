/*
 * handlers_hasync.c — the REST side of the sync:
 * core/hasync_status/<command>, one handler behind the route rows of
 * router.c; the work is sync/'s.
 *
 *   GET  version      the peer's versions, or why it cannot be reached
 *   GET  services     the peer's services
 *   GET  last         the last sync results, newest first
 *   GET  drift        {"status":"in sync"|"differs"|"unknown",...}
 *   POST sync         one sync run (gate first)
 *   POST restart_all  sync, then restart every peer service
 *
 * A sync answers 200 {"status":"ok",...}; refused by the CARP gate 409
 * {"status":"refused","message":...}; any other failure 502 (the peer)
 * with {"status":"failed","message":...}.
 */
#include <string.h>

#include <microhttpd.h>

#include "api.h"
#include "ipc.h"
#include "sched.h"
#include "store.h"
#include "sync.h"
#include "util.h"
#include "webapi.h"

#define API_HASYNC_LAST	20

static int
api_hasync_run(struct api_req *req, struct api_resp *resp, int restart)
{
	struct sync_opts	 o;
	json_t			*res;
	const char		*status;

	memset(&o, 0, sizeof(o));
	if ((o.so_st = api_store()) == NULL)
		return -1;
	o.so_trigger = req->r_via == API_VIA_SESSION ? "gui" : "api";
	o.so_restart = restart;
	o.so_parent = priv_call;
	res = sync_run(&o);
	status = json_string_value(json_object_get(res, "status"));
	if (restart && status != NULL && strcmp(status, "ok") == 0)
		json_object_set(res, "count", json_object_get(res,
		    "restarted"));
	return api_reply(resp, status == NULL ? MHD_HTTP_INTERNAL_SERVER_ERROR :
	    strcmp(status, "ok") == 0 ? MHD_HTTP_OK :
	    strcmp(status, "refused") == 0 ? MHD_HTTP_CONFLICT :
	    MHD_HTTP_BAD_GATEWAY, res);
}

int
api_handle_hasync_status(struct api_req *req, struct api_resp *resp)
{
	const char	*cmd = req->r_route->r_command;
	struct store	*st;
	json_t		*list;

	sched_start(api_conf()->w_datadir);
	if ((st = api_store()) == NULL)
		return -1;
	if (api_name_eq(cmd, "sync"))
		return api_hasync_run(req, resp, 0);
	if (api_name_eq(cmd, "restart_all"))
		return api_hasync_run(req, resp, 1);
	if (api_name_eq(cmd, "version"))
		return api_reply(resp, MHD_HTTP_OK, sync_peer_version(st));
	if (api_name_eq(cmd, "services"))
		return api_reply(resp, MHD_HTTP_OK, sync_peer_services(st));
	if (api_name_eq(cmd, "drift"))
		return api_reply(resp, MHD_HTTP_OK, sync_drift(st));
	if (api_name_eq(cmd, "last")) {
		list = sync_results(st, API_HASYNC_LAST);
		return api_reply(resp, MHD_HTTP_OK, json_pack("{s:I,s:o}",
		    "total", (json_int_t)json_array_size(list), "rows", list));
	}
	return api_reply_status(resp, MHD_HTTP_NOT_FOUND, "Not Found");
}
