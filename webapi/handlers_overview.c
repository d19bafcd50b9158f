/*
 * handlers_overview.c — what the interfaces are doing now, in OPNsense's
 * interfaces/overview shape where it fits:
 *
 *   GET interfaces/overview/interfaces_info
 *       -> {"total","rowCount","current","rows":[{"identifier":"wan",
 *          "description","device","enabled","status","link_type":
 *          "dhcp"|"static"|"none","addr4","addr6","ipv4":[{"ipaddr"}],
 *          "ipv6":[{"ipaddr"}],"gateways":[addr],"dhcp":{client,pid,
 *          restarts,last_event,last_event_time,gateway,gateway_address,
 *          lease:{address,prefix,router,server,dns,lease_time,obtained,
 *          renew,rebind,expires,valid}|null}}]}
 *   GET interfaces/overview/get_interface/<name> -> that row
 *
 * The configuration comes from the store, the live part (addresses on
 * the device, the DHCP client and its lease) from the root parent's
 * "dhcp" request (platform/dhcp.h). The dynamic gateways (WAN_DHCP) are
 * also added to routing/settings/search_gateway here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "api.h"
#include "config.h"
#include "ipc.h"
#include "util.h"

/* The parent's view, a new array (empty when it has none). */
static json_t *
api_live_interfaces(void)
{
	json_t	*msg, *ans, *list;

	msg = json_pack("{s:s, s:s}",
	    "type", ipc_type_name(IPC_DHCP), "op", "status");
	ans = priv_call(msg);
	json_decref(msg);
	list = json_incref(json_object_get(ans, "interfaces"));
	json_decref(ans);
	if (!json_is_array(list)) {
		json_decref(list);
		list = json_array();
	}
	return list;
}

static json_t *
api_live_find(json_t *live, const char *name)
{
	json_t	*o;
	size_t	 i;

	json_array_foreach(live, i, o)
		if (strcmp(cfg_str(o, "name"), name) == 0)
			return o;
	return NULL;
}

/* One row of interfaces_info for the stored row ifr: a new object. */
static json_t *
api_overview_row(json_t *ifr, json_t *live)
{
	json_t		*o, *lv, *v4 = json_array(), *v6 = json_array(), *a;
	json_t		*gws = json_array(), *dhcp;
	const char	*ip4 = cfg_str(ifr, "ipaddr"), *s, *addr4 = "";
	const char	*addr6 = "", *link;
	size_t		 i;

	lv = api_live_find(live, cfg_str(ifr, "name"));
	json_array_foreach(json_object_get(lv, "addresses"), i, a) {
		s = json_string_value(a);
		if (s == NULL)
			continue;
		if (strchr(s, ':') == NULL) {
			json_array_append_new(v4, json_pack("{s:s}", "ipaddr",
			    s));
			if (addr4[0] == '\0')
				addr4 = s;
		} else {
			json_array_append_new(v6, json_pack("{s:s}", "ipaddr",
			    s));
			if (addr6[0] == '\0' || strncmp(addr6, "fe80:", 5) == 0)
				addr6 = s;
		}
	}
	dhcp = json_object_get(lv, "dhcp");
	if (dhcp != NULL && cfg_str(dhcp, "gateway_address")[0] != '\0')
		json_array_append_new(gws, json_string(cfg_str(dhcp,
		    "gateway_address")));
	if (dhcp != NULL && cfg_str(dhcp, "gateway6_address")[0] != '\0')
		json_array_append_new(gws, json_string(cfg_str(dhcp,
		    "gateway6_address")));
	link = strcmp(ip4, "dhcp") == 0 ? "dhcp" : strcmp(ip4, "none") == 0 ?
	    "none" : "static";
	o = json_pack("{s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:s, s:s, s:s, "
	    "s:o, s:o, s:o}",
	    "identifier", cfg_str(ifr, "name"),
	    "description", cfg_str(ifr, "descr")[0] ? cfg_str(ifr, "descr") :
	    cfg_str(ifr, "name"),
	    "device", cfg_str(ifr, "device"),
	    "enabled", cfg_bool(ifr, "enabled"),
	    "status", !cfg_bool(ifr, "enabled") ? "disabled" :
	    cfg_str(ifr, "device")[0] == '\0' ? "no device" : lv == NULL ?
	    "not applied" : "up",
	    "link_type", link,
	    "link_type6", cfg_str(ifr, "ipaddrv6"),
	    "addr4", addr4, "addr6", addr6,
	    "ipaddr", ip4,
	    "ipv4", v4, "ipv6", v6, "gateways", gws);
	/* track6: the /64 taken of the delegated prefix, and radvd. */
	if (json_object_get(lv, "track6") != NULL)
		json_object_set(o, "track6", json_object_get(lv, "track6"));
	if (dhcp != NULL)
		json_object_set(o, "dhcp", dhcp);
	else if (strcmp(link, "dhcp") == 0)
		json_object_set_new(o, "dhcp", json_pack("{s:s, s:n}",
		    "client", cfg_str(ifr, "device")[0] == '\0' ?
		    "no device" : "not running (apply interfaces)",
		    "lease"));
	return o;
}

static json_t *
api_overview_rows(struct store *st)
{
	const struct cfg_section	*sec = cfg_section("interfaces");
	struct cfg_query		 q;
	json_t				*res, *rows, *live, *ifr;
	size_t				 i;

	memset(&q, 0, sizeof(q));
	q.q_current = 1;
	q.q_rowcount = -1;
	if ((res = cfg_search(st, sec, &q)) == NULL)
		return NULL;
	live = api_live_interfaces();
	rows = json_array();
	json_array_foreach(json_object_get(res, "rows"), i, ifr)
		json_array_append_new(rows, api_overview_row(ifr, live));
	json_decref(live);
	json_decref(res);
	return rows;
}

int
api_handle_interfaces_info(struct api_req *req, struct api_resp *resp)
{
	struct store	*st;
	json_t		*rows;

	(void)req;
	if ((st = api_store()) == NULL || (rows = api_overview_rows(st)) ==
	    NULL)
		return -1;
	return api_reply(resp, MHD_HTTP_OK, json_pack("{s:I, s:I, s:i, s:o}",
	    "total", (json_int_t)json_array_size(rows),
	    "rowCount", (json_int_t)json_array_size(rows), "current", 1,
	    "rows", rows));
}

int
api_handle_get_interface(struct api_req *req, struct api_resp *resp)
{
	struct store	*st;
	json_t		*rows, *o;
	size_t		 i;

	if ((st = api_store()) == NULL || (rows = api_overview_rows(st)) ==
	    NULL)
		return -1;
	json_array_foreach(rows, i, o)
		if (strcmp(cfg_str(o, "identifier"), req->r_params[0]) == 0) {
			api_reply(resp, MHD_HTTP_OK, json_incref(o));
			json_decref(rows);
			return 0;
		}
	json_decref(rows);
	return api_reply_status(resp, MHD_HTTP_NOT_FOUND, "Not Found");
}

/*
 * search_gateway: the dynamic gateways of the interfaces in DHCP mode
 * that have no stored row are listed after the stored ones (counted in
 * total, on the pages where they fall), each with the lease's router as
 * "address". text is the stored page (borrowed), q_rowcount the page
 * size asked (-1 all); returns a new text, or NULL to keep text.
 */
/* q_sort order for qsort (numbers as numbers, as the store sorts). */
static const char	*api_gw_sortf;
static int		 api_gw_desc;

static int
api_gw_cmp(const void *a, const void *b)
{
	const char	*x = cfg_str(*(json_t *const *)a, api_gw_sortf);
	const char	*y = cfg_str(*(json_t *const *)b, api_gw_sortf);
	char		*ex, *ey;
	long		 nx = strtol(x, &ex, 10), ny = strtol(y, &ey, 10);
	int		 r;

	if (*x != '\0' && *y != '\0' && *ex == '\0' && *ey == '\0')
		r = nx < ny ? -1 : nx > ny;
	else
		r = strcmp(x, y);
	return api_gw_desc ? -r : r;
}

/* Sorts page's rows (all of them) by q's sort field. */
static void
api_gw_sort(json_t *page, const struct cfg_query *q)
{
	json_t	*rows = json_object_get(page, "rows"), **v, *sorted;
	size_t	 i, n = json_array_size(rows);

	if (q->q_sort == NULL || n < 2)
		return;
	v = xcalloc(n, sizeof(*v));
	for (i = 0; i < n; i++)
		v[i] = json_array_get(rows, i);
	api_gw_sortf = q->q_sort;
	api_gw_desc = q->q_desc;
	qsort(v, n, sizeof(*v), api_gw_cmp);
	sorted = json_array();
	for (i = 0; i < n; i++)
		json_array_append(sorted, v[i]);
	free(v);
	json_object_set_new(page, "rows", sorted);
}

char *
api_gateways_dynamic(struct store *st, const char *text,
    const struct cfg_query *qq)
{
	const struct cfg_section	*ifs = cfg_section("interfaces");
	const struct cfg_section	*gws = cfg_section("gateways");
	struct cfg_query		 q;
	json_t				*page, *res = NULL, *ifr, *live = NULL;
	json_t				*lv, *row, *stored;
	char				 name[64], *out = NULL;
	const char			*addr;
	json_int_t			 total, count, cur, per;
	size_t				 i;
	int				 v6, added = 0, want_all;

	if ((page = json_loads(text, 0, NULL)) == NULL)
		return NULL;
	total = json_integer_value(json_object_get(page, "total"));
	count = json_integer_value(json_object_get(page, "rowCount"));
	cur = json_integer_value(json_object_get(page, "current"));
	if (cur < 1)
		cur = 1;
	/* The page size asked for: rowCount of a full page, -1 for all. */
	per = qq->q_rowcount;
	want_all = per <= 0;
	(void)count;
	memset(&q, 0, sizeof(q));
	q.q_current = 1;
	q.q_rowcount = -1;
	if ((res = cfg_search(st, ifs, &q)) == NULL)
		goto done;
	json_array_foreach(json_object_get(res, "rows"), i, ifr) {
		for (v6 = 0; v6 < 2; v6++) {
			if (v6 ? strcmp(cfg_str(ifr, "ipaddrv6"), "dhcp6") !=
			    0 && strcmp(cfg_str(ifr, "ipaddrv6"), "slaac") != 0 :
			    strcmp(cfg_str(ifr, "ipaddr"), "dhcp") != 0)
				continue;
			cfg_gw_dynamic_name(cfg_str(ifr, "name"), v6, name,
			    sizeof(name));
			if ((stored = cfg_find(st, gws, name)) != NULL) {
				json_decref(stored);
				continue;
			}
			if (qq->q_phrase != NULL && qq->q_phrase[0] != '\0' &&
			    strcasestr(name, qq->q_phrase) == NULL)
				continue;
			if (live == NULL)
				live = api_live_interfaces();
			lv = json_object_get(api_live_find(live,
			    cfg_str(ifr, "name")), "dhcp");
			addr = cfg_str(lv, v6 ? "gateway6_address" :
			    "gateway_address");
			row = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, "
			    "s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, "
			    "s:s}",
			    "uuid", "", "name", name,
			    "interface", cfg_str(ifr, "name"),
			    "ipprotocol", v6 ? "inet6" : "inet",
			    "gateway", "dynamic", "address", addr,
			    "defaultgw", "0", "monitor_disable", "1",
			    "monitor", "", "priority", "255", "weight", "1",
			    "force_down", "0", "disabled", "0",
			    "descr", "Interface DHCP gateway (the lease's "
			    "router)", "nosync", "1",
			    "dynamic", "1", "virtual", "1");
			/* They follow the stored rows: on the pages there. */
			if (want_all || (total + added >= (cur - 1) * per &&
			    total + added < cur * per))
				json_array_append_new(json_object_get(page,
				    "rows"), row);
			else
				json_decref(row);
			added++;
		}
	}
	if (added == 0)
		goto done;
	/* A whole list is sorted again with them; a page keeps them last. */
	if (want_all)
		api_gw_sort(page, qq);
	json_object_set_new(page, "total", json_integer(total + added));
	json_object_set_new(page, "rowCount", json_integer(
	    (json_int_t)json_array_size(json_object_get(page, "rows"))));
	out = json_dumps(page, JSON_COMPACT);
done:
	json_decref(live);
	json_decref(res);
	json_decref(page);
	return out;
}
