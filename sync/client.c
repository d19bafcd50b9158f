/*
 * client.c — the master's line to the backup: XML-RPC over HTTPS with
 * libcurl, the XML made and read by xmlrpc-c.
 *
 * xmlrpc-c's own curl transport offers no hook to check a pinned
 * certificate before the request (and its credentials) leaves, so this
 * file drives libcurl itself: the TLS context gets a verify callback that
 * compares the SHA-256 of the peer certificate (DER) with
 * hasync.peerfingerprint during the handshake. With verifypeer=1 the
 * chain is checked against the system CA store and the host name against
 * the certificate; with neither it connects unverified, as OPNsense
 * does, and sync_peer_verified() says so.
 *
 * Credentials (hasync.username/password) are copied here only, handed to
 * libcurl for Basic auth, never logged, and wiped in sync_peer_close().
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <xmlrpc-c/base.h>

#include "config.h"
#include "store.h"
#include "sync_int.h"
#include "util.h"

#ifndef TW_VERSION
#define TW_VERSION "0.0.0"
#endif

#define SYNC_CONNECT_TIMEOUT	10L	/* seconds */
#define SYNC_TIMEOUT		120L	/* seconds, one call */
#define SYNC_MAX_RESPONSE	(16u << 20)
#define SYNC_AUTHFAIL		"Authentication failed"

struct sync_peer {
	CURL		*p_curl;
	struct curl_slist *p_hdrs;
	char		*p_url;		/* .../xmlrpc.php, no credentials */
	char		*p_user;	/* wiped on close */
	char		*p_pass;	/* wiped on close */
	int		 p_verifypeer;
	int		 p_haspin;
	unsigned char	 p_pin[32];
	int		 p_pin_failed;	/* the handshake saw another cert */
	char		 p_pin_seen[65];
	char		*p_buf;		/* the response being read */
	size_t		 p_len, p_cap;
	int		 p_toolarge;
	char		 p_curlerr[CURL_ERROR_SIZE];
};

static pthread_once_t	sync_client_once = PTHREAD_ONCE_INIT;
static int		sync_ssl_idx = -1;

static void
sync_client_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	sync_ssl_idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

/* Parses 64 hex digits, colons and spaces allowed between. 0 or -1. */
static int
sync_parse_fingerprint(const char *s, unsigned char out[32])
{
	size_t	n = 0;
	int	hi = -1, v;

	for (; *s != '\0'; s++) {
		if (*s == ':' || *s == ' ')
			continue;
		if (!isxdigit((unsigned char)*s) || n == 32)
			return -1;
		v = isdigit((unsigned char)*s) ? *s - '0' :
		    tolower((unsigned char)*s) - 'a' + 10;
		if (hi == -1)
			hi = v;
		else {
			out[n++] = (unsigned char)(hi << 4 | v);
			hi = -1;
		}
	}
	return n == 32 && hi == -1 ? 0 : -1;
}

/*
 * OpenSSL's verify callback: the leaf (depth 0) must carry the pinned
 * fingerprint; chain errors count only when verifypeer is set.
 */
static int
sync_verify_cb(int ok, X509_STORE_CTX *xs)
{
	struct sync_peer	*p;
	SSL			*ssl;
	X509			*cert;
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 mdlen = 0;

	ssl = X509_STORE_CTX_get_ex_data(xs,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	if (ssl == NULL || (p = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl),
	    sync_ssl_idx)) == NULL)
		return 0;
	if (X509_STORE_CTX_get_error_depth(xs) == 0 && p->p_haspin) {
		cert = X509_STORE_CTX_get_current_cert(xs);
		if (cert == NULL || X509_digest(cert, EVP_sha256(), md,
		    &mdlen) != 1 || mdlen != 32)
			return 0;
		if (memcmp(md, p->p_pin, 32) != 0) {
			p->p_pin_failed = 1;
			util_hex(md, 32, p->p_pin_seen);
			return 0;
		}
	}
	return p->p_verifypeer ? ok : 1;
}

static CURLcode
sync_ssl_ctx(CURL *curl, void *sslctx, void *arg)
{
	SSL_CTX *ctx = sslctx;

	(void)curl;
	if (SSL_CTX_set_ex_data(ctx, sync_ssl_idx, arg) != 1)
		return CURLE_SSL_CERTPROBLEM;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, sync_verify_cb);
	return CURLE_OK;
}

static size_t
sync_write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sync_peer	*p = arg;
	size_t			 n = size * nmemb;

	if (p->p_len + n > SYNC_MAX_RESPONSE) {
		p->p_toolarge = 1;
		return 0;
	}
	if (p->p_len + n + 1 > p->p_cap) {
		p->p_cap = (p->p_len + n + 1) * 2;
		p->p_buf = xrealloc(p->p_buf, p->p_cap);
	}
	memcpy(p->p_buf + p->p_len, data, n);
	p->p_len += n;
	p->p_buf[p->p_len] = '\0';
	return n;
}

/* 1 when url is plain http to this host (no credentials cross a wire). */
static int
sync_url_loopback_http(const char *url)
{
	static const char *const ok[] = { "http://127.", "http://localhost:",
	    "http://localhost/", "http://[::1]" };
	size_t i;

	for (i = 0; i < nitems(ok); i++)
		if (strncasecmp(url, ok[i], strlen(ok[i])) == 0)
			return 1;
	return 0;
}

/*
 * The URL of the peer's /xmlrpc.php: a URL is used as given, a bare host
 * or address means https://<host>:<this node's webgui_port> (OPNsense
 * assumes both GUIs match). Returns a new string or NULL with err.
 */
static char *
sync_peer_make_url(struct store *st, const char *to, char *err,
    size_t errlen)
{
	const struct cfg_section	*sys = cfg_section("system");
	json_t				*row;
	char				*url, *base;
	size_t				 n;

	if (strncasecmp(to, "https://", 8) == 0 ||
	    strncasecmp(to, "http://", 7) == 0) {
		if (strncasecmp(to, "http://", 7) == 0 &&
		    !sync_url_loopback_http(to)) {
			snprintf(err, errlen, "refusing plain http to %s: the "
			    "peer's password would cross the network in "
			    "clear (use https://)", to);
			return NULL;
		}
		base = xstrdup(to);
		n = strlen(base);
		while (n > 0 && base[n - 1] == '/')
			base[--n] = '\0';
		if (n >= 11 && strcmp(base + n - 11, "/xmlrpc.php") == 0)
			return base;
		url = xasprintf("%s/xmlrpc.php", base);
		free(base);
		return url;
	}
	row = sys != NULL ? cfg_get_singleton(st, sys, 0) : NULL;
	url = xasprintf("https://%s%s%s:%s/xmlrpc.php",
	    strchr(to, ':') ? "[" : "", to, strchr(to, ':') ? "]" : "",
	    row != NULL && *cfg_str(row, "webgui_port") ?
	    cfg_str(row, "webgui_port") : "443");
	json_decref(row);
	return url;
}

struct sync_peer *
sync_peer_open(struct store *st, char *err, size_t errlen)
{
	const struct cfg_section	*hs = cfg_section("hasync");
	struct sync_peer		*p = NULL;
	json_t				*row = NULL;
	const char			*to, *fp;

	pthread_once(&sync_client_once, sync_client_init);
	if (hs == NULL || (row = cfg_get_singleton(st, hs, 1)) == NULL) {
		snprintf(err, errlen, "cannot read the hasync settings");
		goto err;
	}
	to = cfg_str(row, "synchronizetoip");
	if (*to == '\0') {
		snprintf(err, errlen, "no peer configured "
		    "(hasync.synchronizetoip is empty; normal on a backup)");
		goto err;
	}
	if (*cfg_str(row, "username") == '\0' ||
	    *cfg_str(row, "password") == '\0') {
		snprintf(err, errlen, "hasync.username and hasync.password "
		    "are required to reach the peer");
		goto err;
	}
	p = xcalloc(1, sizeof(*p));
	if ((p->p_url = sync_peer_make_url(st, to, err, errlen)) == NULL)
		goto err;
	p->p_verifypeer = cfg_bool(row, "verifypeer");
	fp = cfg_str(row, "peerfingerprint");
	if (*fp != '\0') {
		if (sync_parse_fingerprint(fp, p->p_pin) == -1) {
			snprintf(err, errlen, "hasync.peerfingerprint is not a "
			    "SHA-256 fingerprint (64 hex digits, colons "
			    "allowed)");
			goto err;
		}
		p->p_haspin = 1;
	}
	p->p_user = xstrdup(cfg_str(row, "username"));
	p->p_pass = xstrdup(cfg_str(row, "password"));
	if ((p->p_curl = curl_easy_init()) == NULL) {
		snprintf(err, errlen, "libcurl did not start");
		goto err;
	}
	p->p_hdrs = curl_slist_append(NULL, "Content-Type: text/xml");
	p->p_hdrs = curl_slist_append(p->p_hdrs, "Expect:");
	curl_easy_setopt(p->p_curl, CURLOPT_URL, p->p_url);
	curl_easy_setopt(p->p_curl, CURLOPT_HTTPHEADER, p->p_hdrs);
	curl_easy_setopt(p->p_curl, CURLOPT_USERAGENT, "twinwall/" TW_VERSION);
	curl_easy_setopt(p->p_curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	curl_easy_setopt(p->p_curl, CURLOPT_USERNAME, p->p_user);
	curl_easy_setopt(p->p_curl, CURLOPT_PASSWORD, p->p_pass);
	curl_easy_setopt(p->p_curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(p->p_curl, CURLOPT_CONNECTTIMEOUT,
	    SYNC_CONNECT_TIMEOUT);
	curl_easy_setopt(p->p_curl, CURLOPT_TIMEOUT, SYNC_TIMEOUT);
	curl_easy_setopt(p->p_curl, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(p->p_curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(p->p_curl, CURLOPT_ERRORBUFFER, p->p_curlerr);
	curl_easy_setopt(p->p_curl, CURLOPT_WRITEFUNCTION, sync_write_cb);
	curl_easy_setopt(p->p_curl, CURLOPT_WRITEDATA, p);
	curl_easy_setopt(p->p_curl, CURLOPT_SSL_VERIFYPEER,
	    (long)p->p_verifypeer);
	curl_easy_setopt(p->p_curl, CURLOPT_SSL_VERIFYHOST,
	    p->p_verifypeer ? 2L : 0L);
	/* Every new connection is verified in full, never resumed. */
	curl_easy_setopt(p->p_curl, CURLOPT_SSL_SESSIONID_CACHE, 0L);
	curl_easy_setopt(p->p_curl, CURLOPT_SSL_CTX_FUNCTION, sync_ssl_ctx);
	curl_easy_setopt(p->p_curl, CURLOPT_SSL_CTX_DATA, p);
	json_decref(row);
	return p;
err:
	json_decref(row);
	sync_peer_close(p);
	return NULL;
}

void
sync_peer_close(struct sync_peer *p)
{
	if (p == NULL)
		return;
	if (p->p_curl != NULL)
		curl_easy_cleanup(p->p_curl);
	curl_slist_free_all(p->p_hdrs);
	util_free_secret(p->p_user);
	util_free_secret(p->p_pass);
	if (p->p_buf != NULL) {
		explicit_bzero(p->p_buf, p->p_cap);
		free(p->p_buf);
	}
	free(p->p_url);
	explicit_bzero(p, sizeof(*p));
	free(p);
}

const char *
sync_peer_url(struct sync_peer *p)
{
	return p->p_url;
}

int
sync_peer_verified(struct sync_peer *p)
{
	return p->p_verifypeer || p->p_haspin;
}

/* Explains a failed transfer in err. */
static void
sync_peer_curl_error(struct sync_peer *p, CURLcode rc, char *err,
    size_t errlen)
{
	if (p->p_pin_failed)
		snprintf(err, errlen, "%s: the peer's certificate does not "
		    "match hasync.peerfingerprint (it has sha256 %s)",
		    p->p_url, p->p_pin_seen);
	else if (p->p_toolarge)
		snprintf(err, errlen, "%s: the answer exceeds %u bytes",
		    p->p_url, SYNC_MAX_RESPONSE);
	else if (rc == CURLE_PEER_FAILED_VERIFICATION ||
	    rc == CURLE_SSL_CACERT_BADFILE)
		snprintf(err, errlen, "%s: the peer's certificate is not "
		    "trusted (%s); set hasync.peerfingerprint to pin it, or "
		    "install a certificate the system trusts", p->p_url,
		    p->p_curlerr[0] ? p->p_curlerr : curl_easy_strerror(rc));
	else
		snprintf(err, errlen, "%s: %s", p->p_url, p->p_curlerr[0] ?
		    p->p_curlerr : curl_easy_strerror(rc));
}

json_t *
sync_peer_call(struct sync_peer *p, const char *method, json_t *params,
    char *err, size_t errlen)
{
	xmlrpc_env	 env;
	xmlrpc_mem_block *body = NULL;
	xmlrpc_value	*xparams = NULL, *result = NULL;
	json_t		*none = NULL, *ret = NULL;
	const char	*fstr = NULL;
	CURLcode	 rc;
	long		 code = 0;
	int		 fcode = 0;

	xmlrpc_env_init(&env);
	if (params == NULL)
		params = none = json_array();
	if ((xparams = sync_xml_from_json(&env, params)) != NULL)
		body = XMLRPC_MEMBLOCK_NEW(char, &env, 0);
	if (body != NULL && !env.fault_occurred)
		xmlrpc_serialize_call2(&env, body, method, xparams,
		    xmlrpc_dialect_i8);
	if (env.fault_occurred) {
		snprintf(err, errlen, "%s: cannot encode the call: %s", method,
		    env.fault_string);
		goto err;
	}
	p->p_len = 0;
	p->p_toolarge = 0;
	p->p_pin_failed = 0;
	p->p_curlerr[0] = '\0';
	curl_easy_setopt(p->p_curl, CURLOPT_POSTFIELDS,
	    XMLRPC_MEMBLOCK_CONTENTS(char, body));
	curl_easy_setopt(p->p_curl, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)XMLRPC_MEMBLOCK_SIZE(char, body));
	if ((rc = curl_easy_perform(p->p_curl)) != CURLE_OK) {
		sync_peer_curl_error(p, rc, err, errlen);
		goto err;
	}
	curl_easy_getinfo(p->p_curl, CURLINFO_RESPONSE_CODE, &code);
	if (code != 200) {
		snprintf(err, errlen, "%s: HTTP %ld%s", p->p_url, code,
		    code == 413 ? " (request too large)" : code == 404 ?
		    " (no XML-RPC service there)" : "");
		goto err;
	}
	xmlrpc_parse_response2(&env, p->p_buf ? p->p_buf : "", p->p_len,
	    &result, &fcode, &fstr);
	if (env.fault_occurred) {
		snprintf(err, errlen, "%s: not an XML-RPC answer (%s)",
		    p->p_url, env.fault_string);
		goto err;
	}
	if (fstr != NULL) {
		snprintf(err, errlen, "the peer answered %s with fault %d: %s",
		    method, fcode, fstr);
		goto err;
	}
	if ((ret = sync_json_from_xml(&env, result)) == NULL) {
		snprintf(err, errlen, "%s: the answer to %s: %s", p->p_url,
		    method, env.fault_string);
		goto err;
	}
	if (json_is_string(ret) && strcmp(json_string_value(ret),
	    SYNC_AUTHFAIL) == 0) {
		snprintf(err, errlen, "%s: authentication failed (check "
		    "hasync.username and hasync.password)", p->p_url);
		json_decref(ret);
		ret = NULL;
	}
err:
	/* The call may carry CARP keys and password hashes. */
	curl_easy_setopt(p->p_curl, CURLOPT_POSTFIELDS, NULL);
	if (body != NULL) {
		explicit_bzero(XMLRPC_MEMBLOCK_CONTENTS(char, body),
		    XMLRPC_MEMBLOCK_SIZE(char, body));
		XMLRPC_MEMBLOCK_FREE(char, body);
	}
	if (p->p_buf != NULL)
		explicit_bzero(p->p_buf, p->p_len);
	if (xparams != NULL)
		xmlrpc_DECREF(xparams);
	if (result != NULL)
		xmlrpc_DECREF(result);
	free((void *)fstr);	/* xmlrpc_strfree: not in the headers */
	json_decref(none);
	xmlrpc_env_clean(&env);
	return ret;
}
