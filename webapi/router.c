/*
 * router.c — the REST API as one table: every route with its methods,
 * /api/<module>/<controller>/<command>[/<param>...], handler, section
 * and privilege. Names compare without case and '_' so searchRule,
 * search_rule and SearchRule are one command, as in OPNsense.
 *
 * Dispatch: find the row, authenticate (all but public rows), then
 * method (405), parameters (404), privilege (403: scope "user" reads
 * only) and, for a session, the CSRF token on every POST (403).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "api.h"
#include "config.h"
#include "log.h"
#include "util.h"

#define R(meth, m, c, cmd, h, sec, priv, minp, maxp, pn, sum) \
	{ meth, m, c, cmd, h, sec, priv, minp, maxp, pn, sum }
#define RD	API_PRIV_READ
#define WR	API_PRIV_WRITE
#define GP	(API_GET | API_POST)

/* The generic verbs of an item section, named verb + sfx. */
#define CRUD(m, c, sec, sfx)						\
	CRUD_NOTOGGLE(m, c, sec, sfx),					\
	R(API_POST, m, c, "toggle" sfx, api_handle_toggle, sec, WR, 1, 2, \
	    "uuid,enabled", "Enable/disable; without enabled, flip")

/* Sections without an enable switch (VIPs, as in OPNsense). */
#define CRUD_NOTOGGLE(m, c, sec, sfx)					\
	R(GP, m, c, "search" sfx, api_handle_search, sec, RD, 0, 0, NULL, \
	    "Search: current, rowCount (-1 all), searchPhrase, sort[field]"), \
	R(API_GET, m, c, "get" sfx, api_handle_get, sec, RD, 0, 1, "uuid", \
	    "Read one item; without uuid, the defaults"),		\
	R(API_POST, m, c, "add" sfx, api_handle_add, sec, WR, 0, 0, NULL, \
	    "Add an item"),						\
	R(API_POST, m, c, "set" sfx, api_handle_set, sec, WR, 1, 1, "uuid", \
	    "Update an item"),						\
	R(API_POST, m, c, "del" sfx, api_handle_del, sec, WR, 1, 1, "uuid", \
	    "Delete an item (refused while referenced)")

#define APPLY(m, c, cmd, secs)						\
	R(API_POST, m, c, cmd, api_handle_apply, secs, WR, 0, 0, NULL,	\
	    "Apply the saved configuration of " secs)

#define SINGLE(m, c, sec)						\
	R(API_GET, m, c, "get", api_handle_single_get, sec, RD, 0, 0, NULL, \
	    "Read the settings"),					\
	R(API_POST, m, c, "set", api_handle_single_set, sec, WR, 0, 0, NULL, \
	    "Save the settings")

int	api_handle_import_xml(struct api_req *, struct api_resp *);
int	api_handle_statesync_status(struct api_req *, struct api_resp *);
int	api_handle_gateway_status(struct api_req *, struct api_resp *);
int	api_handle_download_xml(struct api_req *, struct api_resp *);

/* The model-level get of a controller, as OPNsense answers it. */
#define OPN_GET(m, c, secs)						\
	R(API_GET, m, c, "get", api_handle_opn_get, secs, RD, 0, 0, NULL, \
	    "The controller's model as OPNsense gives it: items by uuid, " \
	    "option fields as {key:{value,selected}}")

static const struct api_route api_route_table[] = {
	OPN_GET("firewall", "filter", "filter_rules,snat_rules"),
	OPN_GET("firewall", "alias", "aliases"),
	OPN_GET("firewall", "source_nat", "snat_rules,snat"),
	OPN_GET("routes", "routes", "routes"),
	OPN_GET("interfaces", "vip_settings", "vips"),
	OPN_GET("routing", "settings", "gateways"),
	OPN_GET("cron", "settings", "cron_jobs"),
	OPN_GET("core", "cron", "cron_jobs"),
	/* OPNsense's meaning of the value: 1 = disabled (see handler). */
	R(API_POST, "routes", "routes", "toggleroute", api_handle_toggle_raw,
	    "routes", WR, 1, 2, "uuid,disabled",
	    "OPNsense: the value is the route's disabled flag"),
	R(API_POST, "firewall", "d_nat", "toggle_rule", api_handle_toggle_raw,
	    "dnat_rules", WR, 1, 2, "uuid,disabled",
	    "OPNsense: the value is the rule's disabled flag"),
	CRUD("firewall", "filter", "filter_rules", "_rule"),
	CRUD("firewall", "filter", "filter_rules", "_item"),
	R(API_POST, "firewall", "filter", "toggle_rule_log",
	    api_handle_toggle_log, "filter_rules", WR, 1, 2, "uuid,enabled",
	    "Switch logging of a rule; without enabled, flip"),
	R(API_POST, "firewall", "filter", "move_rule_before",
	    api_handle_move_before, "filter_rules", WR, 2, 2,
	    "uuid,before_uuid", "Move a rule just before another"),
	APPLY("firewall", "filter", "apply",
	    "filter_rules,aliases,snat,snat_rules,dnat_rules"),
	/* packet filter (platform/) */
	R(API_POST, "firewall", "filter", "savepoint",
	    api_handle_filter_savepoint, NULL, WR, 0, 0, NULL,
	    "The revision to roll back to: {status,retention,revision}"),
	R(API_POST, "firewall", "filter", "apply",
	    api_handle_filter_apply_rev,
	    "filter_rules,aliases,snat,snat_rules,dnat_rules", WR, 1, 1,
	    "revision", "Apply; restore revision's rules unless confirmed "
	    "within retention seconds"),
	R(API_POST, "firewall", "filter", "cancel_rollback",
	    api_handle_filter_cancel_rollback, NULL, WR, 1, 1, "revision",
	    "Keep the applied rules (disarm the rollback)"),
	R(API_GET, "firewall", "filter", "rollback_status",
	    api_handle_filter_rollback_status, NULL, RD, 0, 0, NULL,
	    "Armed rollback (revision, seconds left) and the last one"),
	R(GP, "diagnostics", "firewall", "query_states",
	    api_handle_query_states, NULL, RD, 0, 0, NULL,
	    "State table: current, rowCount, searchPhrase"),
	R(API_POST, "diagnostics", "firewall", "kill_states",
	    api_handle_kill_states, NULL, WR, 0, 0, NULL,
	    "Drop the states of an address or network: {filter}"),
	R(API_POST, "diagnostics", "firewall", "flush_states",
	    api_handle_flush_states, NULL, WR, 0, 0, NULL,
	    "Drop every state"),
	R(GP, "diagnostics", "firewall", "log", api_handle_firewall_log, NULL,
	    RD, 0, 0, NULL, "Firewall log, newest first: current, rowCount, "
	    "searchPhrase; rows of time, interface, dir, action, proto, src, "
	    "src_port, dst, dst_port, rule, label"),

	CRUD("firewall", "alias", "aliases", "_item"),
	R(API_GET, "firewall", "alias", "get_alias_uuid",
	    api_handle_alias_uuid, "aliases", RD, 1, 1, "name",
	    "The uuid of the alias of that name: {uuid}, or []"),
	R(API_GET, "firewall", "alias", "export", api_handle_alias_export,
	    "aliases", RD, 0, 0, NULL,
	    "Every alias as config.xml holds it: {aliases:{alias:{uuid:{}}}}"),
	APPLY("firewall", "alias", "reconfigure", "aliases"),

	CRUD("firewall", "source_nat", "snat_rules", "_rule"),
	CRUD("firewall", "source_nat", "snat_rules", "_item"),
	SINGLE("firewall", "source_nat", "snat"),
	APPLY("firewall", "source_nat", "apply", "snat,snat_rules"),

	CRUD("firewall", "d_nat", "dnat_rules", "_rule"),
	CRUD("firewall", "d_nat", "dnat_rules", "_item"),
	APPLY("firewall", "d_nat", "apply", "dnat_rules"),

	CRUD_NOTOGGLE("interfaces", "vip_settings", "vips", "_item"),
	R(API_GET, "interfaces", "vip_settings", "get_unused_vhid",
	    api_handle_unused_vhid, "vips", RD, 0, 0, NULL,
	    "The lowest VHID no VIP uses"),
	APPLY("interfaces", "vip_settings", "reconfigure", "vips"),

	CRUD("interfaces", "settings", "interfaces", "_item"),
	APPLY("interfaces", "settings", "reconfigure", "interfaces"),
	/* live state (handlers_overview.c, platform/dhcp.h) */
	R(API_GET, "interfaces", "overview", "interfaces_info",
	    api_handle_interfaces_info, NULL, RD, 0, 0, NULL,
	    "Every interface now: live addresses, gateways, the DHCP client "
	    "and its lease (address, router, dns, lease times)"),
	R(API_GET, "interfaces", "overview", "get_interface",
	    api_handle_get_interface, NULL, RD, 1, 1, "name",
	    "One interface of interfaces_info, by name (wan, lan, optN)"),

	CRUD("routing", "settings", "gateways", "_gateway"),
	CRUD("routing", "settings", "gateways", "_item"),
	CRUD_NOTOGGLE("routing", "settings", "gateway_groups",
	    "_gateway_group"),
	APPLY("routing", "settings", "reconfigure",
	    "gateways,gateway_groups,routes"),
	/* gateway monitor (gwmon/) */
	R(API_GET, "routes", "gateway", "status", api_handle_gateway_status,
	    NULL, RD, 0, 0, NULL, "Gateway status as the monitor sees it: "
	    "items of name, address, status, status_translated, loss, "
	    "delay, stddev; and the status changes, newest first"),

	CRUD("routes", "routes", "routes", "route"),
	CRUD("routes", "routes", "routes", "_item"),
	APPLY("routes", "routes", "reconfigure", "routes,gateways"),

	SINGLE("core", "hasync", "hasync"),
	APPLY("core", "hasync", "reconfigure", "hasync"),
	/* core/hasync_status (handlers_hasync.c) */
	R(API_GET, "core", "hasync_status", "version", api_handle_hasync_status, NULL,
	    RD, 0, 0, NULL, "The peer's versions, or why it cannot be reached"),
	R(API_GET, "core", "hasync_status", "services", api_handle_hasync_status, NULL,
	    RD, 0, 0, NULL, "The peer's services"),
	R(API_GET, "core", "hasync_status", "last", api_handle_hasync_status, NULL, RD,
	    0, 0, NULL, "The last sync results, newest first"),
	R(API_GET, "core", "hasync_status", "drift", api_handle_hasync_status, NULL, RD,
	    0, 0, NULL, "Compare this node's synced sections with the peer's"),
	R(API_POST, "core", "hasync_status", "sync", api_handle_hasync_status, NULL, WR,
	    0, 0, NULL, "Push hasync.syncitems to the peer (all VIPs MASTER)"),
	R(API_POST, "core", "hasync_status", "restart_all", api_handle_hasync_status,
	    NULL, WR, 0, 0, NULL, "Sync, then restart every peer service"),

	SINGLE("core", "system", "system"),
	R(API_GET, "core", "system", "status", api_handle_status, NULL, RD,
	    0, 0, NULL, "Version, uptime, platform, dirty subsystems, "
	    "configuration hash"),
	APPLY("core", "system", "reconfigure", "system"),
	R(API_GET, "core", "system", "throttle", api_handle_throttle, NULL,
	    RD, 0, 0, NULL, "Connections and failed credentials per source "
	    "(IPv4 address, IPv6 /64), lock-outs, counters, the limits in "
	    "force"),
	R(API_POST, "core", "system", "throttle_reset",
	    api_handle_throttle_reset, NULL, WR, 1, 1, "source",
	    "Forgive a source its failed credentials and lock-out"),

	/* OPNsense's paths of the cron model. */
	CRUD("cron", "settings", "cron_jobs", "_job"),
	APPLY("cron", "service", "reconfigure", "cron_jobs"),
	CRUD("core", "cron", "cron_jobs", "_job"),
	CRUD("core", "cron", "cron_jobs", "_item"),
	APPLY("core", "cron", "reconfigure", "cron_jobs"),

	CRUD("core", "user", "users", "_user"),
	CRUD("core", "user", "users", "_item"),

	R(API_GET, "core", "backup", "list", api_handle_backup_list, NULL, RD,
	    0, 0, NULL, "Configuration revisions, newest first"),
	R(API_GET, "core", "backup", "download", api_handle_backup_download,
	    NULL, WR, 1, 1, "id", "One revision as JSON, secrets left out"),
	R(API_POST, "core", "backup", "restore", api_handle_backup_restore,
	    NULL, WR, 1, 1, "id", "Restore a revision (not applied)"),
	/* config.xml (xmlconf/) */
	R(API_POST, "core", "backup", "import_xml", api_handle_import_xml,
	    NULL, WR, 0, 0, NULL, "Import an OPNsense config.xml: {\"xml\": "
	    "text, \"partial\": \"0\"|\"1\"}; answers the import report"),
	R(API_GET, "core", "backup", "download_xml", api_handle_download_xml,
	    NULL, WR, 0, 0, NULL, "The configuration as config.xml, secrets "
	    "included"),

	R(GP, "core", "ping", "", api_handle_ping, NULL, RD, 0, 0, NULL,
	    "Cheap health check"),
	R(API_POST, "core", "login", "", api_handle_login, NULL,
	    API_PRIV_PUBLIC, 0, 0, NULL,
	    "Start a browser session: {username,password}"),
	R(API_POST, "core", "logout", "", api_handle_logout, NULL, RD, 0, 0,
	    NULL, "End the session"),
	R(API_GET, "core", "session", "", api_handle_session, NULL, RD, 0, 0,
	    NULL, "Who am I, and the session's CSRF token"),

	/* CARP (carp/) */
	R(API_GET, "diagnostics", "interface", "get_vip_status",
	    api_handle_carp_vip_status, NULL, RD, 0, 0, NULL,
	    "CARP status of every VIP and of the node, from the engine"),
	R(API_POST, "diagnostics", "interface", "carp_status",
	    api_handle_carp_set, NULL, WR, 1, 2, "action,value",
	    "enable | disable (temporary) | maintenance[/1|/0] (persistent; "
	    "toggles without a value)"),
	R(API_GET, "core", "hasync_status", "timeline",
	    api_handle_carp_timeline, NULL, RD, 0, 0, NULL,
	    "CARP transitions with their causes, newest first (?limit=N)"),

	/* state sync (statesync/) */
	R(API_GET, "core", "hasync_status", "statesync",
	    api_handle_statesync_status, NULL, RD, 0, 0, NULL,
	    "conntrackd: running, role, restarts, demotion hold, last sequence"),

	/* GUI support (www/) */
	R(GP, "core", "user", "search_api_key", api_handle_apikey_search, NULL,
	    WR, 0, 1, "user", "API keys (key, user, descr, created); no secrets"),
	R(API_POST, "core", "user", "add_api_key", api_handle_apikey_add, NULL,
	    WR, 1, 1, "user", "New API key for a user: {descr}; the secret is "
	    "shown once"),
	R(API_POST, "core", "user", "del_api_key", api_handle_apikey_del, NULL,
	    WR, 1, 1, "key", "Delete an API key"),
	APPLY("core", "user", "reconfigure", "users"),

	R(API_GET, "openapi.json", "", "", api_handle_openapi, NULL, RD, 0, 0,
	    NULL, "This description"),
	R(0, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL)
};

const struct api_route *
api_routes(void)
{
	return api_route_table;
}

int
api_name_eq(const char *a, const char *b)
{
	for (;;) {
		while (*a == '_')
			a++;
		while (*b == '_')
			b++;
		if (*a == '\0' || *b == '\0')
			return *a == *b;
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return 0;
		a++;
		b++;
	}
}

int
api_reply(struct api_resp *resp, int status, json_t *body)
{
	json_decref(resp->rs_body);
	resp->rs_status = status;
	resp->rs_body = body;
	return 0;
}

int
api_reply_msg(struct api_resp *resp, int status, const char *result,
    const char *msg)
{
	return api_reply(resp, status, json_pack("{s:s,s:s}", "result",
	    result, "message", msg));
}

int
api_reply_status(struct api_resp *resp, int status, const char *msg)
{
	return api_reply(resp, status, json_pack("{s:i,s:s}", "status", status,
	    "message", msg));
}

/* 400 naming one field and why. */
/* The one refusal: a new {"result":"failed","validations":v}, v borrowed. */
static json_t *
api_refusal(json_t *v)
{
	return json_pack("{s:s,s:o}", "result", "failed", "validations",
	    v != NULL ? json_incref(v) : json_object());
}

int
api_reply_refused(struct api_resp *resp, int status, const char *field,
    const char *msg)
{
	json_t	*v = json_pack("{s:s}", field, msg);
	int	 ret = api_reply(resp, status, api_refusal(v));

	json_decref(v);
	return ret;
}

int
api_reply_invalid(struct api_resp *resp, const char *field, const char *msg)
{
	return api_reply_refused(resp, MHD_HTTP_OK, field, msg);
}

/* 401, or 429 with Retry-After when the source is throttled (source.c). */
int
api_reply_auth_failed(struct api_req *req, struct api_resp *resp)
{
	char msg[128];

	if (req->r_retry_after <= 0)
		return api_reply_status(resp, MHD_HTTP_UNAUTHORIZED,
		    "Authentication Failed");
	snprintf(msg, sizeof(msg), "Too Many Requests: too many failed "
	    "credentials from this address; retry after %d s",
	    req->r_retry_after);
	resp->rs_retry_after = req->r_retry_after;
	return api_reply_status(resp, MHD_HTTP_TOO_MANY_REQUESTS, msg);
}

int
api_reply_validations(struct api_resp *resp, json_t *v)
{
	/* As OPNsense: a validation failure is an answer, not an error. */
	return api_reply(resp, MHD_HTTP_OK, api_refusal(v));
}

json_t *
api_args(struct api_req *req)
{
	if (req->r_body != NULL && json_object_size(req->r_body) > 0)
		return req->r_body;
	return req->r_query;
}

static const char *
api_allow(int methods)
{
	if ((methods & GP) == GP)
		return "GET, HEAD, POST";
	return methods & API_POST ? "POST" : "GET, HEAD";
}

/*
 * Splits the path after "/api/" into segs (pointers into buf). Returns
 * the count, or -1 when there are too many.
 */
static int
api_split(char *buf, char **segs, int max)
{
	char	*p = buf, *s;
	int	 n = 0;

	while ((s = strsep(&p, "/")) != NULL) {
		if (*s == '\0')
			continue;
		if (n == max)
			return -1;
		segs[n++] = s;
	}
	return n;
}

/* How many leading segments a route's names take (1..3). */
static int
api_route_names(const struct api_route *r)
{
	if (r->r_controller[0] == '\0')
		return 1;
	if (r->r_command[0] == '\0')
		return 2;
	return 3;
}

static int
api_route_match(const struct api_route *r, char **segs, int n)
{
	int k = api_route_names(r);

	if (n < k || !api_name_eq(r->r_module, segs[0]))
		return 0;
	if (k >= 2 && !api_name_eq(r->r_controller, segs[1]))
		return 0;
	if (k == 3 && !api_name_eq(r->r_command, segs[2]))
		return 0;
	return 1;
}

int
api_route_dispatch(struct api_req *req, struct api_resp *resp)
{
	const struct api_route	*r, *found = NULL, *named = NULL;
	char			*buf, *segs[3 + API_MAX_PARAMS];
	char			 secname[64];
	int			 n, k, i, ret = -1;

	buf = xstrdup(req->r_url + 4);
	if ((n = api_split(buf, segs, (int)nitems(segs))) <= 0)
		n = 0;
	for (r = api_route_table; n > 0 && r->r_module != NULL; r++) {
		if (!api_route_match(r, segs, n))
			continue;
		k = api_route_names(r);
		if (n - k < r->r_minp || n - k > r->r_maxp)
			continue;
		if (named == NULL)
			named = r;
		if (r->r_methods & req->r_method) {
			found = r;
			break;
		}
	}
	if (found == NULL || found->r_priv != API_PRIV_PUBLIC) {
		if (api_auth_request(req) == -1) {
			ret = api_reply_auth_failed(req, resp);
			goto done;
		}
	}
	if (found == NULL && named != NULL) {
		resp->rs_allow = api_allow(named->r_methods);
		ret = api_reply_status(resp, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "Method Not Allowed");
		goto done;
	}
	if (found == NULL) {
		ret = api_reply_status(resp, MHD_HTTP_NOT_FOUND, "Not Found");
		goto done;
	}
	r = found;
	/* Scope xmlrpc holds OPNsense's XML-RPC privilege and nothing else. */
	if ((r->r_priv != API_PRIV_PUBLIC &&
	    strcmp(req->r_scope, "xmlrpc") == 0) ||
	    (r->r_priv == API_PRIV_WRITE && strcmp(req->r_scope, "admin") != 0) ||
	    (req->r_method == API_POST && !api_auth_csrf_ok(req))) {
		ret = api_reply_status(resp, MHD_HTTP_FORBIDDEN, "Forbidden");
		goto done;
	}
	k = api_route_names(r);
	for (i = k; i < n && req->r_nparams < API_MAX_PARAMS; i++)
		req->r_params[req->r_nparams++] = xstrdup(segs[i]);
	req->r_route = r;
	if (r->r_section != NULL) {
		util_strlcpy(secname, r->r_section, sizeof(secname));
		secname[strcspn(secname, ",")] = '\0';
		if ((req->r_section = cfg_section(secname)) == NULL) {
			log_warnx("api: route %s/%s/%s: no section %s",
			    r->r_module, r->r_controller, r->r_command, secname);
			goto done;
		}
	}
	ret = r->r_handler(req, resp);
done:
	free(buf);
	return ret;
}
