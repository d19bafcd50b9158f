/*
 * handlers_carp.c — the CARP controllers, relayed to the root parent's
 * engine (carp/engine.h has the parent's request and answer shapes):
 *
 *   GET  diagnostics/interface/get_vip_status   OPNsense's shape:
 *        {"total","rowCount","current","rows":[{interface,vhid,advbase,
 *        advskew,subnet,subnet_bits,status,status_txt,mode,vhid_txt,
 *        uuid}],"carp":{"demotion":"N","allow":"1"|"0",
 *        "maintenancemode":bool,"status_msg":"..."},
 *        "stats":{accepted, one count per reason a packet was not
 *        obeyed (bad_hmac, bad_ttl, ...), sent, send_errors,
 *        "proxyarp":{...}}, "liveness":{enabled, interval_ms,
 *        multiplier, detect_s, peer (up|lost|not heard|off), peer_lost,
 *        last_lost, paths:[{interface,self,peer,state,received,sent,
 *        send_errors,downs,last_received}], packets:{accepted, one
 *        count per reason a hello was refused}}, "upstream":{enabled,
 *        demoted, local and peer (up|down|pending|none|unknown), reason,
 *        hold_down_s, hold_up_s, pending_s, last_change, demotions}}
 *   POST diagnostics/interface/carp_status/enable | disable (temporary)
 *   POST diagnostics/interface/carp_status/maintenance[/1|/0]
 *        (persistent; without a value it toggles)
 *        -> {"status":"ok","carp":{...as above}}
 *   GET  core/hasync_status/timeline[?limit=N]
 *        -> {"total","rowCount","rows":[{time,vhid,interface,from,to,
 *        cause}], newest first}
 *
 * Persistent maintenance lives in the store (kv "carp_maintenance"),
 * written here, never by the parent; the parent is told at start
 * (carp_boot_child) and on every change.
 */
#include <sys/param.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "api.h"
#include "config.h"
#include "ipc.h"
#include "log.h"
#include "store.h"
#include "util.h"

#define API_CARP_KV	"carp_maintenance"

/* Returns the parent's answer to {"type":type}: a new object. */
static json_t *
api_carp_call(json_t *req)
{
	json_t *ans = priv_call(req);

	json_decref(req);
	return ans;
}

static int
api_carp_failed(struct api_resp *resp, json_t *ans)
{
	const char *why = cfg_str(ans, "message");

	api_reply(resp, MHD_HTTP_INTERNAL_SERVER_ERROR, ipc_failed("%s",
	    *why ? why : "no answer from the daemon"));
	json_decref(ans);
	return 0;
}

/* The parent's "carp" object in OPNsense's form: a new object. */
static json_t *
api_carp_opn(json_t *c)
{
	char demotion[24];

	snprintf(demotion, sizeof(demotion), "%lld", (long long)
	    json_integer_value(json_object_get(c, "demotion")));
	return json_pack("{s:s,s:s,s:b,s:s,s:s}", "demotion", demotion,
	    "allow", json_is_false(json_object_get(c, "allow")) ? "0" : "1",
	    "maintenancemode", json_is_true(json_object_get(c, "maintenance")),
	    "status_msg", cfg_str(c, "status_msg"),
	    "engine", cfg_str(c, "engine"));
}

/* Sets row.key to an age in seconds as text ("" for never). */
static void
api_carp_age(json_t *row, const char *key, json_t *secs)
{
	char	buf[32] = "";

	if (json_is_number(secs) && json_number_value(secs) >= 0)
		snprintf(buf, sizeof(buf), "%.3f", json_number_value(secs));
	json_object_set_new(row, key, json_string(buf));
}

int
api_handle_carp_vip_status(struct api_req *req, struct api_resp *resp)
{
	json_t		*ans, *rows, *v;
	const char	*status;
	char		 vhid[8], base[8], skew[8], bits[8], txt[64];
	size_t		 i;

	(void)req;
	ans = api_carp_call(json_pack("{s:s}",
	    "type", ipc_type_name(IPC_CARP_STATUS)));
	if (strcmp(cfg_str(ans, "status"), "ok") != 0)
		return api_carp_failed(resp, ans);
	rows = json_array();
	json_array_foreach(json_object_get(ans, "vips"), i, v) {
		snprintf(vhid, sizeof(vhid), "%lld", (long long)
		    json_integer_value(json_object_get(v, "vhid")));
		snprintf(base, sizeof(base), "%lld", (long long)
		    json_integer_value(json_object_get(v, "advbase")));
		snprintf(skew, sizeof(skew), "%lld", (long long)
		    json_integer_value(json_object_get(v, "advskew")));
		snprintf(bits, sizeof(bits), "%lld", (long long)
		    json_integer_value(json_object_get(v, "subnet_bits")));
		if (strcmp(cfg_str(v, "mode"), "carp") == 0)
			snprintf(txt, sizeof(txt), "%s (freq. %s/%s)", vhid,
			    base, skew);
		else
			util_strlcpy(txt, vhid, sizeof(txt));
		status = cfg_str(v, "status");
		json_array_append_new(rows, json_pack("{s:s,s:s,s:s,s:s,s:s,"
		    "s:s,s:s,s:s,s:s,s:s,s:s}",
		    "interface", cfg_str(v, "interface"), "vhid", vhid,
		    "advbase", base, "advskew", skew,
		    "subnet", cfg_str(v, "subnet"), "subnet_bits", bits,
		    "status", status, "status_txt", status,
		    "mode", cfg_str(v, "mode"), "vhid_txt", txt,
		    "uuid", cfg_str(v, "uuid")));
		/* Ours: seconds since the last advert sent and heard. */
		api_carp_age(json_array_get(rows, i), "last_advert_sent",
		    json_object_get(v, "last_sent"));
		api_carp_age(json_array_get(rows, i), "last_advert_received",
		    json_object_get(v, "last_received"));
	}
	/*
	 * "stats" and "liveness" are ours: what was received and not
	 * obeyed, and why; the liveness channel to the peer, per path.
	 */
	api_reply(resp, MHD_HTTP_OK, json_pack("{s:I,s:I,s:i,s:o,s:o,s:O,s:O,"
	    "s:O}",
	    "total", (json_int_t)json_array_size(rows),
	    "rowCount", (json_int_t)json_array_size(rows), "current", 1,
	    "rows", rows,
	    "carp", api_carp_opn(json_object_get(ans, "carp")),
	    "stats", json_object_get(ans, "stats") != NULL ?
	    json_object_get(ans, "stats") : json_null(),
	    "liveness", json_object_get(ans, "liveness") != NULL ?
	    json_object_get(ans, "liveness") : json_null(),
	    "upstream", json_object_get(ans, "upstream") != NULL ?
	    json_object_get(ans, "upstream") : json_null()));
	json_decref(ans);
	return 0;
}

int
api_handle_carp_set(struct api_req *req, struct api_resp *resp)
{
	struct store	*st;
	const char	*action = req->r_params[0];
	json_t		*ans;
	char		*cur;
	int		 on = 1;

	if (strcmp(action, "enable") != 0 && strcmp(action, "disable") != 0 &&
	    strcmp(action, "maintenance") != 0)
		return api_reply_status(resp, MHD_HTTP_NOT_FOUND, "Not Found");
	if (req->r_nparams > 1 && (on = util_bool(req->r_params[1])) ==
	    -1)
		return api_reply_msg(resp, MHD_HTTP_BAD_REQUEST, "failed",
		    "the value must be 1 or 0");
	if (strcmp(action, "maintenance") == 0) {
		/* The store is the truth: it survives restarts and reboots. */
		if ((st = api_store()) == NULL)
			return -1;
		if (req->r_nparams < 2) {
			cur = store_kv_get(st, API_CARP_KV);
			on = !(cur != NULL && strcmp(cur, "1") == 0);
			free(cur);
		}
		if (store_kv_set(st, API_CARP_KV, on ? "1" : "0") == -1)
			return -1;
		log_info("api: %s turned persistent CARP maintenance %s",
		    req->r_actor, on ? "on" : "off");
	} else if (req->r_nparams > 1 && !on)
		action = strcmp(action, "enable") == 0 ? "disable" : "enable";
	ans = api_carp_call(json_pack("{s:s,s:s,s:b}",
	    "type", ipc_type_name(IPC_CARP_SET),
	    "action", action, "on", on));
	if (strcmp(cfg_str(ans, "status"), "ok") != 0)
		return api_carp_failed(resp, ans);
	api_reply(resp, MHD_HTTP_OK, json_pack("{s:s,s:o}", "status", "ok",
	    "carp", api_carp_opn(json_object_get(ans, "carp"))));
	json_decref(ans);
	return 0;
}

int
api_handle_carp_timeline(struct api_req *req, struct api_resp *resp)
{
	json_t		*ans, *jl, *rows;
	const char	*s;
	long		 limit = 100;

	jl = json_object_get(api_args(req), "limit");
	if (json_is_integer(jl))
		limit = (long)json_integer_value(jl);
	else if ((s = json_string_value(jl)) != NULL)
		limit = strtol(s, NULL, 10);
	if (limit < 1)
		limit = 100;
	ans = api_carp_call(json_pack("{s:s,s:i}",
	    "type", ipc_type_name(IPC_TIMELINE),
	    "limit", (int)MIN(limit, 100000)));
	if (strcmp(cfg_str(ans, "status"), "ok") != 0)
		return api_carp_failed(resp, ans);
	rows = json_object_get(ans, "timeline");
	api_reply(resp, MHD_HTTP_OK, json_pack("{s:O,s:I,s:O}", "total",
	    json_object_get(ans, "total"), "rowCount",
	    (json_int_t)json_array_size(rows), "rows", rows));
	json_decref(ans);
	return 0;
}
