/*
 * handlers_statesync.c — the state sync status, relayed from the root
 * parent (statesync/statesync.h):
 *
 *   GET core/hasync_status/statesync
 *       -> {"status":"ok","enabled":bool,"running":bool,"pid":N,
 *          "restarts":N,"role":"master"|"backup"|"unknown",
 *          "demotion_held":bool,"holds":N,"job":"none"|"master"|...,
 *          "last":"<the last sequence's outcome>","conf":"<path>"}
 */
#include <microhttpd.h>

#include "api.h"
#include "ipc.h"

int	api_handle_statesync_status(struct api_req *, struct api_resp *);

int
api_handle_statesync_status(struct api_req *req, struct api_resp *resp)
{
	json_t	*msg, *ans;

	(void)req;
	if ((msg = json_pack("{s:s}",
	    "type", ipc_type_name(IPC_STATESYNC_STATUS))) == NULL)
		return -1;
	ans = priv_call(msg);
	json_decref(msg);
	if (ans == NULL)
		return api_reply_status(resp, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "no answer from the daemon");
	return api_reply(resp, MHD_HTTP_OK, ans);
}
