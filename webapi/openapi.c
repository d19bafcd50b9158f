/*
 * openapi.c — /api/openapi.json, generated from the route table
 * (router.c) and the sections' field tables (config.h): every path and
 * method, path parameters, and request bodies whose item schemas carry
 * each field's type, enum, bounds, length, default and help line.
 *
 * Built once (the tables are static) and kept for the life of the
 * process. The api_* builders below each return a new JSON reference
 * that the caller adds to the document (jansson's _new rule).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "api.h"
#include "config.h"
#include "util.h"

#ifndef TW_VERSION
#define TW_VERSION "0.0.0"
#endif

static pthread_once_t	 api_openapi_once = PTHREAD_ONCE_INIT;
static char		*api_openapi_doc;

static const char *const api_type_names[] = {
	[CFG_TEXT] = "text", [CFG_NAME] = "name", [CFG_HOSTNAME] = "hostname",
	[CFG_BOOL] = "bool", [CFG_INT] = "int", [CFG_ENUM] = "enum",
	[CFG_ADDR] = "address", [CFG_ADDR4] = "ipv4-address",
	[CFG_ADDR6] = "ipv6-address", [CFG_CIDR] = "cidr",
	[CFG_ENDPOINT] = "endpoint", [CFG_PORT] = "port", [CFG_REF] = "ref",
	[CFG_TARGET] = "nat-target", [CFG_SECRET] = "secret",
	[CFG_PASSWORD] = "password", [CFG_CRON] = "cron-field",
	[CFG_DEVICE] = "device", [CFG_PEER] = "peer",
};

static json_t *
api_field_schema(const struct cfg_field *f)
{
	json_t		*s = json_object(), *en;
	const char	*const *e;
	char		*end;
	long		 d;

	if (f->f_type == CFG_INT && !(f->f_flags & CFG_F_LIST)) {
		json_object_set_new(s, "type", json_string("integer"));
		json_object_set_new(s, "minimum", json_integer(f->f_min));
		json_object_set_new(s, "maximum", json_integer(f->f_max));
	} else {
		json_object_set_new(s, "type", json_string("string"));
		if (f->f_type == CFG_BOOL)
			json_object_set_new(s, "enum", json_pack("[s,s]", "0",
			    "1"));
		else if (f->f_type == CFG_ENUM && f->f_enum != NULL) {
			en = json_array();
			for (e = f->f_enum; *e != NULL; e++)
				json_array_append_new(en, json_string(*e));
			json_object_set_new(s, "enum", en);
		} else if (f->f_max > 0)
			json_object_set_new(s, "maxLength",
			    json_integer(f->f_max));
	}
	if ((size_t)f->f_type < nitems(api_type_names) &&
	    api_type_names[f->f_type] != NULL)
		json_object_set_new(s, "x-twinwall-type",
		    json_string(api_type_names[f->f_type]));
	if (f->f_flags & CFG_F_LIST)
		json_object_set_new(s, "x-list", json_string("comma-separated"));
	if (f->f_flags & CFG_F_UNIQUE)
		json_object_set_new(s, "x-unique", json_true());
	if (f->f_ref != NULL)
		json_object_set_new(s, "x-ref", json_string(f->f_ref));
	if (f->f_flags & CFG_F_READONLY)
		json_object_set_new(s, "readOnly", json_true());
	if (f->f_type == CFG_SECRET || f->f_type == CFG_PASSWORD) {
		json_object_set_new(s, "writeOnly", json_true());
		json_object_set_new(s, "format", json_string("password"));
	}
	if (f->f_default != NULL) {
		d = strtol(f->f_default, &end, 10);
		if (f->f_type == CFG_INT && *f->f_default != '\0' &&
		    *end == '\0' && !(f->f_flags & CFG_F_LIST))
			json_object_set_new(s, "default", json_integer(d));
		else
			json_object_set_new(s, "default",
			    json_string(f->f_default));
	}
	if (f->f_help != NULL)
		json_object_set_new(s, "description", json_string(f->f_help));
	return s;
}

/* The item schema of a section, and the fields add requires. */
static json_t *
api_section_schema(const struct cfg_section *sec, json_t **required)
{
	const struct cfg_field		*f;
	const struct cfg_opn_name	*o;
	json_t				*props = json_object(), *req = json_array();
	json_t				*opn = json_object();
	char				 d[160];

	for (f = sec->s_fields; f->f_name != NULL; f++) {
		json_object_set_new(props, f->f_name, api_field_schema(f));
		if ((f->f_flags & CFG_F_REQUIRED) && (f->f_default == NULL ||
		    *f->f_default == '\0') && !(f->f_flags & CFG_F_READONLY))
			json_array_append_new(req, json_string(f->f_name));
	}
	/* OPNsense's names of the section (config/ s_opn), accepted as
	 * well: beside the properties, which the GUI builds its forms from. */
	for (o = sec->s_opn; o != NULL && o->o_name != NULL; o++) {
		snprintf(d, sizeof(d), o->o_field != NULL ? "OPNsense's name "
		    "for %s" : "OPNsense's field%s: accepted and ignored (no "
		    "equivalent), named in the answer's \"ignored\"",
		    o->o_field != NULL ? o->o_field : "");
		json_object_set_new(opn, o->o_name, json_string(d));
	}
	if (strcmp(sec->s_name, "vips") == 0)
		json_object_set_new(opn, "network", json_string("OPNsense's "
		    "address/bits: sets subnet and subnet_bits"));
	*required = req;
	/* Other keys are ignored, as OPNsense ignores them, and named. */
	return json_pack("{s:s,s:o,s:b,s:o}", "type", "object", "properties",
	    props, "additionalProperties", 1, "x-opnsense-names", opn);
}

static json_t *
api_ref(const char *name)
{
	char buf[128];

	snprintf(buf, sizeof(buf), "#/components/schemas/%s", name);
	return json_pack("{s:s}", "$ref", buf);
}

static json_t *
api_json_body(json_t *schema)
{
	return json_pack("{s:b,s:{s:{s:o}}}", "required", 1, "content",
	    "application/json", "schema", schema);
}

/* Request body of a route, or NULL. */
static json_t *
api_route_body(const struct api_route *r, const struct cfg_section *sec,
    json_t *adds)
{
	json_t	*item, *req;
	char	 name[80];

	if (r->r_handler == api_handle_login)
		return api_json_body(json_pack("{s:s,s:[s,s],s:{s:{s:s},"
		    "s:{s:s,s:s}}}", "type", "object", "required",
		    "username", "password", "properties", "username", "type",
		    "string", "password", "type", "string", "format",
		    "password"));
	if (sec == NULL)
		return NULL;
	if (r->r_handler == api_handle_search)
		return api_json_body(api_ref("SearchRequest"));
	if (r->r_handler != api_handle_add && r->r_handler != api_handle_set &&
	    r->r_handler != api_handle_single_set)
		return NULL;
	item = api_ref(sec->s_name);
	if (r->r_handler == api_handle_add &&
	    (req = json_object_get(adds, sec->s_name)) != NULL &&
	    json_array_size(req) > 0)
		item = json_pack("{s:[o,{s:O}]}", "allOf", item, "required",
		    req);
	snprintf(name, sizeof(name), "%s", sec->s_key);
	return api_json_body(json_pack("{s:s,s:[s],s:{s:o},s:b}", "type",
	    "object", "required", name, "properties", name, item,
	    "additionalProperties", 0));
}

static json_t *
api_responses(const struct api_route *r, int has_params)
{
	json_t		*o = json_object();
	const char	*ok = "#/components/schemas/Result";

	if (r->r_handler == api_handle_search)
		ok = "#/components/schemas/SearchResult";
	else if (r->r_handler == api_handle_apply ||
	    r->r_handler == api_handle_ping)
		ok = "#/components/schemas/Status";
	json_object_set_new(o, "200", json_pack("{s:s,s:{s:{s:{s:s}}}}",
	    "description", "OK", "content", "application/json", "schema",
	    "$ref", ok));
	if (r->r_methods & API_POST || r->r_handler == api_handle_search)
		json_object_set_new(o, "400", json_pack("{s:s,s:{s:{s:{s:s}}}}",
		    "description", "invalid input: {\"result\":\"failed\","
		    "\"validations\":{\"<key>.<field>\":...}} or a message",
		    "content", "application/json", "schema", "$ref",
		    "#/components/schemas/Failed"));
	if (r->r_priv != API_PRIV_PUBLIC)
		json_object_set_new(o, "401", json_pack("{s:s}", "description",
		    "Authentication Failed"));
	if (r->r_priv == API_PRIV_WRITE || r->r_methods & API_POST)
		json_object_set_new(o, "403", json_pack("{s:s}", "description",
		    "Forbidden: read-only user, or a session without "
		    "X-CSRFToken"));
	if (has_params)
		json_object_set_new(o, "404", json_pack("{s:s}", "description",
		    "no such item"));
	if (r->r_handler == api_handle_apply)
		json_object_set_new(o, "500", json_pack("{s:s}", "description",
		    "{\"status\":\"failed\",\"message\":<why>}: nothing was "
		    "applied, the subsystems stay dirty"));
	return o;
}

static void
api_add_path(json_t *paths, const struct api_route *r, int np,
    const struct cfg_section *sec, json_t *adds)
{
	json_t		*item, *op, *params;
	char		 path[256], opid[192], tag[96], *names, *p, *n;
	size_t		 len;
	int		 i, m;
	static const struct { int bit; const char *name; } meths[] = {
		{ API_GET, "get" }, { API_POST, "post" },
	};

	len = (size_t)snprintf(path, sizeof(path), "/api/%s", r->r_module);
	if (r->r_controller[0] != '\0')
		len += (size_t)snprintf(path + len, sizeof(path) - len, "/%s",
		    r->r_controller);
	if (r->r_command[0] != '\0')
		len += (size_t)snprintf(path + len, sizeof(path) - len, "/%s",
		    r->r_command);
	params = json_array();
	names = xstrdup(r->r_pnames ? r->r_pnames : "");
	p = names;
	for (i = 0; i < np && (n = strsep(&p, ",")) != NULL; i++) {
		len += (size_t)snprintf(path + len, sizeof(path) - len,
		    "/{%s}", n);
		json_array_append_new(params, json_pack("{s:s,s:s,s:b,s:{s:s}}",
		    "name", n, "in", "path", "required", 1, "schema", "type",
		    "string"));
	}
	free(names);
	if ((item = json_object_get(paths, path)) == NULL) {
		item = json_object();
		json_object_set_new(paths, path, item);
	}
	snprintf(tag, sizeof(tag), "%s/%s", r->r_module, r->r_controller);
	for (m = 0; m < (int)nitems(meths); m++) {
		if (!(r->r_methods & meths[m].bit))
			continue;
		snprintf(opid, sizeof(opid), "%s_%s_%s_%s%d", meths[m].name,
		    r->r_module, r->r_controller, r->r_command, np);
		op = json_pack("{s:s,s:s,s:[s],s:O,s:o}", "summary",
		    r->r_summary ? r->r_summary : "", "operationId", opid,
		    "tags", tag, "parameters", params, "responses",
		    api_responses(r, np > 0));
		if (meths[m].bit == API_POST) {
			json_t *body = api_route_body(r, sec, adds);

			if (body != NULL)
				json_object_set_new(op, "requestBody", body);
		}
		if (r->r_priv == API_PRIV_PUBLIC)
			json_object_set_new(op, "security", json_array());
		if (r->r_priv == API_PRIV_WRITE)
			json_object_set_new(op, "x-privilege",
			    json_string("admin"));
		json_object_set_new(item, meths[m].name, op);
	}
	json_decref(params);
}

static void
api_openapi_build(void)
{
	const struct cfg_section *const	*sp;
	const struct cfg_section	*sec;
	const struct api_route		*r;
	json_t				*doc, *schemas, *paths, *adds, *req;
	char				 name[64];
	int				 np;

	schemas = json_object();
	adds = json_object();
	for (sp = cfg_sections(); sp != NULL && *sp != NULL; sp++) {
		json_object_set_new(schemas, (*sp)->s_name,
		    api_section_schema(*sp, &req));
		json_object_set_new(adds, (*sp)->s_name, req);
	}
	json_object_set_new(schemas, "SearchRequest", json_pack(
	    "{s:s,s:s,s:{s:{s:s,s:i},s:{s:s,s:i},s:{s:s},"
	    "s:{s:s,s:{s:s,s:[s,s]}}}}",
	    "type", "object", "description", "A field of the section as a "
	    "key filters the rows: equal to the value, or for a list field "
	    "holding it (any of a comma list). A rule's interface also finds "
	    "the rules on no interface; an empty interface finds the "
	    "floating rules (on none or several).", "properties",
	    "current", "type", "integer", "minimum", 1,
	    "rowCount", "type", "integer", "minimum", -1,
	    "searchPhrase", "type", "string",
	    "sort", "type", "object", "additionalProperties", "type", "string",
	    "enum", "asc", "desc"));
	json_object_set_new(schemas, "SearchResult", json_pack(
	    "{s:s,s:{s:{s:s},s:{s:s},s:{s:s},s:{s:s,s:{s:s}}}}",
	    "type", "object", "properties", "total", "type", "integer",
	    "rowCount", "type", "integer", "current", "type", "integer",
	    "rows", "type", "array", "items", "type", "object"));
	json_object_set_new(schemas, "Result", json_pack("{s:s}", "type",
	    "object"));
	json_object_set_new(schemas, "Status", json_pack(
	    "{s:s,s:{s:{s:s},s:{s:s}}}", "type", "object", "properties",
	    "status", "type", "string", "message", "type", "string"));
	json_object_set_new(schemas, "Failed", json_pack(
	    "{s:s,s:{s:{s:s},s:{s:s},s:{s:s}}}", "type", "object",
	    "properties", "result", "type", "string", "message", "type",
	    "string", "validations", "type", "object"));

	paths = json_object();
	for (r = api_routes(); r->r_module != NULL; r++) {
		sec = NULL;
		if (r->r_section != NULL) {
			util_strlcpy(name, r->r_section, sizeof(name));
			name[strcspn(name, ",")] = '\0';
			sec = cfg_section(name);
		}
		for (np = r->r_minp; np <= r->r_maxp; np++)
			api_add_path(paths, r, np, sec, adds);
	}
	doc = json_pack("{s:s,s:{s:s,s:s,s:s},s:[{s:[]},{s:[]}],s:o,"
	    "s:{s:o,s:{s:{s:s,s:s},s:{s:s,s:s,s:s}}}}",
	    "openapi", "3.0.3",
	    "info", "title", "twinwall REST API", "version", TW_VERSION,
	    "description", "OPNsense-shaped API of a twinwall HA firewall "
	    "node. Values travel as strings (\"1\"/\"0\" for booleans); "
	    "snake_case and camelCase command names are both accepted.",
	    "security", "basic", "session",
	    "paths", paths,
	    "components", "schemas", schemas, "securitySchemes",
	    "basic", "type", "http", "scheme", "basic",
	    "session", "type", "apiKey", "in", "cookie", "name", "twsession");
	json_decref(adds);
	if (doc != NULL)
		api_openapi_doc = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
}

int
api_handle_openapi(struct api_req *req, struct api_resp *resp)
{
	(void)req;
	pthread_once(&api_openapi_once, api_openapi_build);
	if (api_openapi_doc == NULL)
		return -1;
	resp->rs_raw = xstrdup(api_openapi_doc);
	resp->rs_rawlen = strlen(resp->rs_raw);
	resp->rs_ctype = "application/json";
	resp->rs_status = MHD_HTTP_OK;
	return 0;
}
