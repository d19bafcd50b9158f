/*
 * handlers_gw.c — gateway status, relayed from the root parent's
 * monitor (gwmon/gwmon.h), in the seed's shape:
 *
 *   GET routes/gateway/status
 *       -> {"status":"ok","items":[{name,address,monitor,status,
 *          status_translated,loss,delay,stddev,monitored,since,note}],
 *          "timeline":[{time,name,from,to,loss,delay}, newest first]}
 *
 * status is "none" (up), "delay", "loss", "down" or "force_down"; loss,
 * delay and stddev are text ("0.0 %", "0.4 ms"), "~" until measured.
 */
#include <microhttpd.h>

#include "api.h"
#include "ipc.h"

int	api_handle_gateway_status(struct api_req *, struct api_resp *);

int
api_handle_gateway_status(struct api_req *req, struct api_resp *resp)
{
	json_t	*msg, *ans;

	(void)req;
	if ((msg = json_pack("{s:s}", "type",
	    ipc_type_name(IPC_GATEWAY_STATUS))) == NULL)
		return -1;
	ans = priv_call(msg);
	json_decref(msg);
	if (ans == NULL)
		return api_reply_status(resp, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "no answer from the daemon");
	return api_reply(resp, MHD_HTTP_OK, ans);
}
