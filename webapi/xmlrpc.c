/*
 * xmlrpc.c — POST /xmlrpc.php, the backup side of OPNsense-style config
 * sync (sync/sync.h). This file only guards the door: the body cap,
 * HTTP Basic auth (a local user or an API key, scope admin or xmlrpc),
 * then hands the XML to the sync module's server.
 *
 * As OPNsense does, a failed login is not an HTTP error but a
 * methodResponse holding the string "Authentication failed", which
 * OPNsense masters string-match.
 *
 * The caller is named "user@address" for the revision a restore stores.
 * A restore may replace the users section, so cached logins and
 * sessions are re-checked after every call.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "api.h"
#include "log.h"
#include "sync.h"
#include "util.h"

/* A body the API takes by default is one the XML-RPC server parses. */
_Static_assert(API_MAX_BODY <= SYNC_MAX_XML, "body limit above the XML limit");

static const char api_xmlrpc_authfail[] =
    "<?xml version=\"1.0\"?>\n<methodResponse><params><param><value>"
    "<string>Authentication failed</string></value></param></params>"
    "</methodResponse>\n";

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

/* The client's address as text ("?" when unknown). */
static void
api_xmlrpc_peer(struct MHD_Connection *conn, char *buf, size_t len)
{
	const union MHD_ConnectionInfo	*ci;
	const struct sockaddr		*sa;
	const void			*a = NULL;

	util_strlcpy(buf, "?", len);
	ci = conn != NULL ? MHD_get_connection_info(conn,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS) : NULL;
	if (ci == NULL || (sa = ci->client_addr) == NULL)
		return;
	if (sa->sa_family == AF_INET)
		a = &((const struct sockaddr_in *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
	if (a == NULL || inet_ntop(sa->sa_family, a, buf, len) == NULL)
		util_strlcpy(buf, "?", len);
}

int
api_xmlrpc(struct api_req *req, const char *body, size_t len,
    struct api_resp *resp)
{
	struct store	*st;
	char		*out, peer[INET6_ADDRSTRLEN];
	char		 actor[API_USER_LEN + INET6_ADDRSTRLEN + 2];
	size_t		 outlen = 0;

	if (req->r_method != API_POST) {
		resp->rs_allow = "POST";
		return api_reply_status(resp, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "Method Not Allowed");
	}
	if (api_auth_request(req) == -1 && req->r_retry_after > 0)
		return api_reply_auth_failed(req, resp);
	/* As OPNsense: an admin, or an account holding only the XML-RPC
	 * privilege (scope xmlrpc); by password or API key. */
	if (req->r_via == API_VIA_NONE || req->r_via == API_VIA_SESSION ||
	    (strcmp(req->r_scope, "admin") != 0 &&
	    strcmp(req->r_scope, "xmlrpc") != 0))
		return api_xml_reply(resp, MHD_HTTP_OK, api_xmlrpc_authfail,
		    sizeof(api_xmlrpc_authfail) - 1);
	if ((st = api_store()) == NULL)
		return -1;
	api_xmlrpc_peer(req->r_conn, peer, sizeof(peer));
	snprintf(actor, sizeof(actor), "%s@%s", req->r_user, peer);
	out = sync_xmlrpc_serve(st, actor, body ? body : "", len, &outlen);
	api_auth_cache_flush();
	api_auth_sessions_revalidate(st);
	if (out == NULL)
		return -1;
	resp->rs_status = MHD_HTTP_OK;
	resp->rs_raw = out;
	resp->rs_rawlen = outlen;
	resp->rs_ctype = "text/xml";
	return 0;
}
