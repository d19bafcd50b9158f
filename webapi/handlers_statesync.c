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
	(void)req;
	return api_reply(resp, MHD_HTTP_OK, priv_ask(IPC_STATESYNC_STATUS));
}
