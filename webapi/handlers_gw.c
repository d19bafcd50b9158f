/*
 * handlers_gw.c — gateway status, relayed from the root parent's
 * monitor (gwmon/gwmon.h), in OPNsense's shape:
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
	(void)req;
	return api_reply(resp, MHD_HTTP_OK, priv_ask(IPC_GATEWAY_STATUS));
}
