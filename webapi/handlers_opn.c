/*
 * handlers_opn.c — the REST API in the shapes OPNsense 24.7 gives its own
 * clients (ApiMutableModelControllerBase): the model-level get of a
 * controller, items with option fields as {key:{value,selected}}, the
 * field names of OPNsense's models (cfg_section.s_opn), and the VIP's
 * "network" as address/bits.
 *
 * Reading: api_opn_item() turns a stored row into OPNsense's item; search
 * stays flat, as in OPNsense. Writing: api_opn_input() renames OPNsense's
 * keys to ours and takes out what twinwall has no field for, so that the
 * answer can name it ("ignored"); the model validates the rest as ever.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "api.h"
#include "config.h"
#include "store.h"
#include "util.h"

/* Integer fields OPNsense's model offers as a list of choices. */
static const struct {
	const char	*section, *field;
} opn_int_choices[] = {
	{ "vips", "vhid" }, { "vips", "advbase" }, { "vips", "advskew" },
	{ NULL, NULL }
};

static int
opn_int_choice(const struct cfg_section *sec, const struct cfg_field *f)
{
	size_t i;

	for (i = 0; opn_int_choices[i].section != NULL; i++)
		if (strcmp(opn_int_choices[i].section, sec->s_name) == 0 &&
		    strcmp(opn_int_choices[i].field, f->f_name) == 0)
			return 1;
	return 0;
}

/* 1 when item is one of the comma-separated values of list. */
static int
opn_in_list(const char *list, const char *item, int is_list)
{
	size_t	n = strlen(item);
	const char *p = list;

	if (!is_list)
		return strcmp(list, item) == 0;
	while (*p != '\0') {
		if (strncmp(p, item, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
		p = strchr(p, ',');
		if (p == NULL)
			break;
		p++;
	}
	return 0;
}

static void
opn_option(json_t *opts, const char *key, const char *label, int selected)
{
	json_object_set_new(opts, key, json_pack("{s:s,s:i}", "value", label,
	    "selected", selected));
}

/* Every row of sec in the store's order; a new array or NULL. */
static json_t *
opn_rows(struct store *st, const struct cfg_section *sec)
{
	struct cfg_query	 q;
	json_t			*res, *rows;

	memset(&q, 0, sizeof(q));
	q.q_current = 1;
	q.q_rowcount = -1;
	if ((res = cfg_search(st, sec, &q)) == NULL)
		return NULL;
	rows = json_incref(json_object_get(res, "rows"));
	json_decref(res);
	return rows;
}

/*
 * The choices of a referenced section, [[name, label], ...], read once
 * per request and kept in cache (borrowed).
 */
static json_t *
opn_ref_choices(struct store *st, const char *section, json_t *cache)
{
	const struct cfg_section	*ref = cfg_section(section);
	json_t				*c, *rows, *row;
	const char			*name, *label;
	size_t				 i;

	if ((c = json_object_get(cache, section)) != NULL)
		return c;
	c = json_array();
	if (ref != NULL && ref->s_namefield != NULL &&
	    (rows = opn_rows(st, ref)) != NULL) {
		json_array_foreach(rows, i, row) {
			name = cfg_str(row, ref->s_namefield);
			label = cfg_str(row, "descr");
			json_array_append_new(c, json_pack("[s,s]", name,
			    *label ? label : name));
		}
		json_decref(rows);
	}
	json_object_set_new(cache, section, c);
	return c;
}

/* The value of an option field as OPNsense shows it. New object. */
static json_t *
opn_options(struct store *st, const struct cfg_section *sec,
    const struct cfg_field *f, const char *val, json_t *cache)
{
	json_t		*opts = json_object(), *c, *pair;
	int		 list = (f->f_flags & CFG_F_LIST) != 0;
	const char	*k;
	char		 num[16], *copy, *item, *save = NULL;
	long		 i;
	size_t		 j;

	if (f->f_type == CFG_ENUM) {
		for (i = 0; f->f_enum[i] != NULL; i++)
			opn_option(opts, f->f_enum[i], *f->f_enum[i] ?
			    f->f_enum[i] : "none", opn_in_list(val,
			    f->f_enum[i], list));
	} else if (f->f_type == CFG_REF) {
		if (!(f->f_flags & (CFG_F_REQUIRED | CFG_F_LIST)))
			opn_option(opts, "", "none", *val == '\0');
		c = opn_ref_choices(st, f->f_ref, cache);
		json_array_foreach(c, j, pair) {
			k = json_string_value(json_array_get(pair, 0));
			opn_option(opts, k, json_string_value(json_array_get(
			    pair, 1)), opn_in_list(val, k, list));
		}
	} else if (f->f_type == CFG_INT && opn_int_choice(sec, f)) {
		for (i = f->f_min; i <= f->f_max; i++) {
			snprintf(num, sizeof(num), "%ld", i);
			opn_option(opts, num, num, strcmp(val, num) == 0);
		}
	}
	/* A stored value the choices do not hold still shows, selected. */
	copy = xstrdup(val);
	for (item = strtok_r(copy, list ? ",\n" : "", &save); item != NULL;
	    item = strtok_r(NULL, list ? ",\n" : "", &save))
		if (json_object_get(opts, item) == NULL)
			opn_option(opts, item, item, 1);
	free(copy);
	return opts;
}

static int
opn_is_option(const struct cfg_section *sec, const struct cfg_field *f)
{
	/* A free list (alias content, categories) is OPNsense's option
	 * list of its entries, each selected. */
	return f->f_type == CFG_ENUM || f->f_type == CFG_REF ||
	    (f->f_type == CFG_TEXT && (f->f_flags & CFG_F_LIST)) ||
	    (f->f_type == CFG_INT && opn_int_choice(sec, f));
}

json_t *
api_opn_item(struct store *st, const struct cfg_section *sec, json_t *row,
    json_t *cache)
{
	const struct cfg_field		*f;
	const struct cfg_opn_name	*o;
	json_t				*item = json_object();
	const char			*v;
	char				*net;

	for (f = sec->s_fields; f->f_name != NULL; f++) {
		if (f->f_type == CFG_SECRET || f->f_type == CFG_PASSWORD)
			continue;
		v = cfg_str(row, f->f_name);
		json_object_set_new(item, f->f_name, opn_is_option(sec, f) ?
		    opn_options(st, sec, f, v, cache) : json_string(v));
	}
	for (o = sec->s_opn; o != NULL && o->o_name != NULL; o++) {
		if (json_object_get(item, o->o_name) != NULL)
			continue;
		if (o->o_field != NULL)
			json_object_set(item, o->o_name, json_object_get(item,
			    o->o_field));
		else if (o->o_default != NULL)
			json_object_set_new(item, o->o_name,
			    json_string(o->o_default));
		else	/* an option field with nothing to choose */
			json_object_set_new(item, o->o_name, json_object());
	}
	if (strcmp(sec->s_name, "vips") == 0) {
		net = xasprintf("%s/%s", cfg_str(row, "subnet"),
		    cfg_str(row, "subnet_bits"));
		json_object_set_new(item, "network", json_string(net));
		free(net);
	}
	return item;
}

int
api_opn_input(const struct cfg_section *sec, json_t *in, json_t *ignored)
{
	const struct cfg_opn_name	*o;
	json_t				*v, *out;
	const char			*k, *net, *slash;
	char				*addr;
	void				*tmp;

	out = json_object();
	json_object_foreach_safe(in, tmp, k, v) {
		if (strcmp(k, "uuid") == 0 || cfg_field(sec, k) != NULL)
			continue;
		for (o = sec->s_opn; o != NULL && o->o_name != NULL; o++)
			if (strcmp(o->o_name, k) == 0)
				break;
		/* Ours wins when a client sends both names. */
		if (o != NULL && o->o_name != NULL && o->o_field != NULL) {
			if (json_object_get(in, o->o_field) == NULL)
				json_object_set(out, o->o_field, v);
		} else if (strcmp(sec->s_name, "vips") == 0 &&
		    strcmp(k, "network") == 0 && json_is_string(v)) {
			net = json_string_value(v);
			if ((slash = strchr(net, '/')) != NULL &&
			    json_object_get(in, "subnet") == NULL) {
				addr = xstrdup(net);
				addr[slash - net] = '\0';
				json_object_set_new(out, "subnet",
				    json_string(addr));
				json_object_set_new(out, "subnet_bits",
				    json_string(slash + 1));
				free(addr);
			} else if (slash == NULL &&
			    json_object_get(in, "subnet") == NULL)
				json_object_set(out, "subnet", v);
		} else if (json_array_size(ignored) < 64)
			json_array_append_new(ignored, json_string(k));
		json_object_del(in, k);
	}
	json_object_update(in, out);
	json_decref(out);
	return 0;
}

/* Nests items at path ("alias.aliases.alias") in top, merging. */

/*
 * GET <module>/<controller>/get: the controller's model as OPNsense gives
 * it. Every section of the route: item sections as {uuid: item} at their
 * s_opn_path, singletons flat under their body key.
 */
int
api_handle_opn_get(struct api_req *req, struct api_resp *resp)
{
	const struct cfg_section	*sec;
	struct store			*st;
	json_t				*top, *rows, *row, *items, *cache;
	char				*names, *name, *save = NULL;
	size_t				 i;

	if ((st = api_store()) == NULL)
		return -1;
	top = json_object();
	cache = json_object();
	names = xstrdup(req->r_route->r_section);
	for (name = strtok_r(names, ",", &save); name != NULL;
	    name = strtok_r(NULL, ",", &save)) {
		if ((sec = cfg_section(name)) == NULL)
			continue;
		if (sec->s_flags & CFG_S_SINGLETON) {
			if ((row = cfg_get_singleton(st, sec, 0)) != NULL)
				json_object_set_new(top, sec->s_key, row);
			continue;
		}
		if (sec->s_opn_path == NULL ||
		    (rows = opn_rows(st, sec)) == NULL)
			continue;
		items = json_object();
		json_array_foreach(rows, i, row)
			json_object_set_new(items, cfg_str(row, "uuid"),
			    api_opn_item(st, sec, row, cache));
		cfg_json_set_path(top, sec->s_opn_path, '.', items);
		json_decref(items);
		json_decref(rows);
	}
	free(names);
	json_decref(cache);
	return api_reply(resp, MHD_HTTP_OK, top);
}

/*
 * toggle_route/<uuid>/<0|1> and d_nat's toggle_rule as OPNsense up to
 * 26.1 means them: the value is written into the item's "disabled" field
 * (1 disables). Without a value, the state flips. twinwall's own
 * toggle_item keeps "1 = enabled" on every section.
 */
int
api_handle_toggle_raw(struct api_req *req, struct api_resp *resp)
{
	const struct cfg_section	*sec = req->r_section;
	struct cfg_ctx			 ctx;
	json_t				*row;
	const char			*p;
	int				 rc, want = -1, enabled = 0, changed = 0;

	if (sec->s_toggle == NULL || strcmp(sec->s_toggle, "disabled") != 0)
		return api_handle_toggle(req, resp);
	if (req->r_nparams > 1) {
		p = req->r_params[1];
		if ((want = util_bool(p)) == -1)
			return api_reply_msg(resp, MHD_HTTP_BAD_REQUEST,
			    "failed", "the value must be 0 or 1");
		want = !want;	/* disabled=0: enabled */
	}
	memset(&ctx, 0, sizeof(ctx));
	if ((ctx.c_st = api_store()) == NULL)
		return -1;
	if (!util_is_uuid(req->r_params[0]) ||
	    (row = cfg_get(ctx.c_st, sec, req->r_params[0], 0)) == NULL)
		return api_reply(resp, MHD_HTTP_OK, json_pack("{s:s}",
		    "result", "not found"));
	json_decref(row);
	ctx.c_user = req->r_actor;
	rc = cfg_toggle(&ctx, sec, req->r_params[0], want, &enabled, &changed,
	    NULL);
	if (rc != 0)
		return api_reply_msg(resp, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "failed", "the store failed; see the log");
	return api_reply(resp, MHD_HTTP_OK, json_pack("{s:s,s:b}", "result",
	    enabled ? "Enabled" : "Disabled", "changed", changed));
}

/* GET firewall/alias/get_alias_uuid/<name>: {"uuid":...}, or [] (opn-cli). */
int
api_handle_alias_uuid(struct api_req *req, struct api_resp *resp)
{
	struct store	*st;
	json_t		*row, *ans;

	if ((st = api_store()) == NULL)
		return -1;
	if (strlen(req->r_params[0]) > 64 || (row = cfg_find(st,
	    req->r_section, req->r_params[0])) == NULL)
		return api_reply(resp, MHD_HTTP_OK, json_array());
	ans = json_pack("{s:O}", "uuid", json_object_get(row, "uuid"));
	json_decref(row);
	return api_reply(resp, MHD_HTTP_OK, ans);
}

/*
 * GET firewall/alias/export: {"aliases":{"alias":{uuid:{...}}}} with
 * plain values as config.xml holds them (content one entry a line), the
 * shape opn-cli lists aliases from.
 */
int
api_handle_alias_export(struct api_req *req, struct api_resp *resp)
{
	const struct cfg_section	*sec = req->r_section;
	const struct cfg_opn_name	*o;
	struct store			*st;
	json_t				*rows, *row, *items, *v;
	char				*content, *p, *uuid;
	size_t				 i;

	if ((st = api_store()) == NULL || (rows = opn_rows(st, sec)) == NULL)
		return -1;
	items = json_object();
	json_array_foreach(rows, i, row) {
		uuid = xstrdup(cfg_str(row, "uuid"));
		json_object_del(row, "uuid");
		for (o = sec->s_opn; o != NULL && o->o_name != NULL; o++)
			if (o->o_field != NULL && (v = json_object_get(row,
			    o->o_field)) != NULL)
				json_object_set(row, o->o_name, v);
		content = xstrdup(cfg_str(row, "content"));
		for (p = content; *p != '\0'; p++)
			if (*p == ',')
				*p = '\n';
		json_object_set_new(row, "content", json_string(content));
		free(content);
		json_object_set(items, uuid, row);
		free(uuid);
	}
	json_decref(rows);
	return api_reply(resp, MHD_HTTP_OK, json_pack("{s:{s:o}}", "aliases",
	    "alias", items));
}
