/*
 * xmlrpc.c — POST /xmlrpc.php, the backup side of OPNsense-style config
 * sync (DESIGN.md §8). This file only guards the door: the body cap,
 * HTTP Basic auth (a local user or an API key, admin scope), then hands
 * the XML to the sync module's server.
 *
 * As OPNsense does, a failed login is not an HTTP error but a
 * methodResponse holding the string "Authentication failed", which
 * OPNsense masters string-match.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "api.h"
#include "log.h"
#include "util.h"

static const char api_xmlrpc_authfail[] =
    "<?xml version=\"1.0\"?>\n<methodResponse><params><param><value>"
    "<string>Authentication failed</string></value></param></params>"
    "</methodResponse>\n";

static const char api_xmlrpc_absent[] =
    "<?xml version=\"1.0\"?>\n<methodResponse><fault><value><struct>"
    "<member><name>faultCode</name><value><int>-32601</int></value>"
    "</member><member><name>faultString</name><value><string>XML-RPC "
    "is not available in this build</string></value></member></struct>"
    "</value></fault></methodResponse>\n";

static int
api_xml_reply(struct api_resp *resp, int status, const char *xml, size_t len)
{
	resp->rs_status = status;
	resp->rs_raw = xmalloc(len + 1);
	memcpy(resp->rs_raw, xml, len);
	resp->rs_raw[len] = '\0';
	resp->rs_rawlen = len;
	resp->rs_ctype = "text/xml";
	return 0;
}

int
api_xmlrpc(struct api_req *req, const char *body, size_t len,
    struct api_resp *resp)
{
	struct store	*st;
	char		*out;
	size_t		 outlen = 0;

	if (req->r_method != API_POST) {
		resp->rs_allow = "POST";
		return api_reply_status(resp, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "Method Not Allowed");
	}
	if (api_auth_request(req) == -1 || req->r_via == API_VIA_SESSION ||
	    strcmp(req->r_scope, "admin") != 0)
		return api_xml_reply(resp, MHD_HTTP_OK, api_xmlrpc_authfail,
		    sizeof(api_xmlrpc_authfail) - 1);
	if (sync_xmlrpc_serve == NULL)
		return api_xml_reply(resp, MHD_HTTP_OK, api_xmlrpc_absent,
		    sizeof(api_xmlrpc_absent) - 1);
	if ((st = api_store()) == NULL)
		return -1;
	snprintf(req->r_actor, sizeof(req->r_actor), "%s (xmlrpc)",
	    req->r_user);
	out = sync_xmlrpc_serve(st, req->r_actor, body ? body : "", len,
	    &outlen);
	if (out == NULL)
		return -1;
	resp->rs_status = MHD_HTTP_OK;
	resp->rs_raw = out;
	resp->rs_rawlen = outlen;
	resp->rs_ctype = "text/xml";
	return 0;
}
