/*
 * handlers_xml.c — core/backup/import_xml and core/backup/download_xml:
 * OPNsense config.xml in and out through the API (xmlconf/).
 *
 * import_xml (POST, admin): the document travels inside a JSON body,
 *   {"xml": "<?xml ...?><opnsense>...</opnsense>", "partial": "0"|"1"}
 *   (a form field xml=... works too). The server caps bodies at 1 MiB,
 *   and the parser caps the document at XMLCONF_MAX_API. Answers 200 with
 *   the import report when the configuration was replaced (not applied),
 *   400 with the report when nothing changed.
 * download_xml (GET, admin): the configuration as config.xml. Secrets
 *   (password hashes, CARP and sync passwords) never go to a browser:
 *   they are left out unless an API key asks for them with
 *   include_secrets=1, as an automated, restorable backup needs them.
 */
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "api.h"
#include "config.h"
#include "store.h"
#include "util.h"
#include "xmlconf.h"

int	api_handle_import_xml(struct api_req *, struct api_resp *);
int	api_handle_download_xml(struct api_req *, struct api_resp *);

int
api_handle_import_xml(struct api_req *req, struct api_resp *resp)
{
	struct cfg_ctx	 ctx;
	json_t		*args = api_args(req), *xml, *rep = NULL;
	const char	*p;
	int		 flags = 0, rc;

	xml = json_object_get(args, "xml");
	if (!json_is_string(xml) || json_string_length(xml) == 0)
		return api_reply_msg(resp, MHD_HTTP_BAD_REQUEST, "failed",
		    "send the document as {\"xml\": \"<opnsense>...\"}");
	p = json_string_value(json_object_get(args, "partial"));
	if (util_bool(p) == 1 || json_is_true(json_object_get(args, "partial")))
		flags |= XMLCONF_PARTIAL;
	memset(&ctx, 0, sizeof(ctx));
	if ((ctx.c_st = api_store()) == NULL)
		return -1;
	ctx.c_user = req->r_actor;
	rc = xmlconf_import(&ctx, json_string_value(xml),
	    json_string_length(xml), XMLCONF_MAX_API, flags, "config.xml",
	    &rep);
	if (rc == 0) {
		api_auth_cache_flush();
		api_auth_sessions_revalidate(ctx.c_st);
	}
	return api_reply(resp, rc == 0 ? MHD_HTTP_OK : MHD_HTTP_BAD_REQUEST,
	    rep);
}

int
api_handle_download_xml(struct api_req *req, struct api_resp *resp)
{
	struct store	*st;
	json_t		*sys;
	const char	*want;
	size_t		 len = 0;
	int		 secrets;

	want = json_string_value(json_object_get(api_args(req),
	    "include_secrets"));
	secrets = req->r_via == API_VIA_KEY && util_bool(want) == 1;
	if ((st = api_store()) == NULL)
		return -1;
	if ((resp->rs_raw = xmlconf_export(st, secrets, &len)) == NULL)
		return -1;
	resp->rs_rawlen = len;
	resp->rs_ctype = "application/xml";
	resp->rs_status = MHD_HTTP_OK;
	/* The host name is an RFC 1123 name: safe in a header. */
	sys = cfg_get_singleton(st, cfg_section("system"), 0);
	resp->rs_disposition = xasprintf("attachment; filename="
	    "\"config%s%s.xml\"", *cfg_str(sys, "hostname") ? "-" : "",
	    cfg_str(sys, "hostname"));
	json_decref(sys);
	return 0;
}
