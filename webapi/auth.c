/*
 * auth.c — who is calling: HTTP Basic (API key + secret, or a local user
 * + password, as XML-RPC peers send), or a browser session cookie with
 * its CSRF token.
 *
 * Secrets are kept as slow crypt(3) hashes, so a verified Basic pair is
 * remembered for API_CACHE_TTL seconds as an HMAC-SHA256 of the
 * presented secret under a random per-process key: a request with the
 * same pair then costs one HMAC, not one crypt. Nothing here stores or
 * logs a plain secret; decoded credentials are wiped after use.
 *
 * Sessions live in memory only (a restart logs everyone out): random
 * 32-byte ids, idle timeout API_SESSION_IDLE, removed on logout.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "api.h"
#include "auth.h"
#include "config.h"
#include "log.h"
#include "util.h"

#define API_CACHE_N		128
#define API_CACHE_TTL		60.0
#define API_SESSIONS_MAX	1024
#define API_SESSION_IDLE	(4 * 3600.0)
#define API_SECRET_MAX		1024
#define API_NAME_MAX		128	/* API keys are up to 80 characters */

struct api_cache_ent {
	char		ce_name[API_NAME_MAX];	/* key or user name presented */
	uint8_t		ce_mac[32];
	char		ce_user[API_USER_LEN];
	char		ce_scope[16];
	enum api_via	ce_via;
	double		ce_expires;		/* util_now(); 0 = free */
};

struct api_session {
	char		s_id[API_TOKEN_LEN + 1];	/* "" = free */
	char		s_csrf[API_TOKEN_LEN + 1];
	char		s_user[API_USER_LEN];
	char		s_scope[16];
	double		s_last;
};

static pthread_mutex_t		 api_cache_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct api_cache_ent	 api_cache[API_CACHE_N];
static uint8_t			 api_cache_key[32];

static pthread_mutex_t		 api_sess_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct api_session	*api_sessions;	/* API_SESSIONS_MAX */

int
api_auth_init(void)
{
	if (util_random(api_cache_key, sizeof(api_cache_key)) == -1) {
		log_warn("api: getrandom");
		return -1;
	}
	memset(api_cache, 0, sizeof(api_cache));
	if (api_sessions == NULL)
		api_sessions = xcalloc(API_SESSIONS_MAX, sizeof(*api_sessions));
	return 0;
}

void
api_auth_fini(void)
{
	pthread_mutex_lock(&api_cache_mtx);
	explicit_bzero(api_cache, sizeof(api_cache));
	explicit_bzero(api_cache_key, sizeof(api_cache_key));
	pthread_mutex_unlock(&api_cache_mtx);
	pthread_mutex_lock(&api_sess_mtx);
	if (api_sessions != NULL) {
		explicit_bzero(api_sessions,
		    API_SESSIONS_MAX * sizeof(*api_sessions));
		free(api_sessions);
		api_sessions = NULL;
	}
	pthread_mutex_unlock(&api_sess_mtx);
}

void
api_auth_cache_flush(void)
{
	pthread_mutex_lock(&api_cache_mtx);
	explicit_bzero(api_cache, sizeof(api_cache));
	pthread_mutex_unlock(&api_cache_mtx);
}

/* mac = HMAC-SHA256(process key, name NUL secret). */
static void
api_cache_mac(const char *name, const char *secret, uint8_t mac[32])
{
	size_t		 nl = strlen(name) + 1, sl = strlen(secret);
	uint8_t		*buf = xmalloc(nl + sl);
	unsigned int	 len = 32;

	memcpy(buf, name, nl);
	memcpy(buf + nl, secret, sl);
	if (HMAC(EVP_sha256(), api_cache_key, sizeof(api_cache_key), buf,
	    nl + sl, mac, &len) == NULL)
		fatalx("HMAC-SHA256");
	explicit_bzero(buf, nl + sl);
	free(buf);
}

static int
api_cache_lookup(struct api_req *req, const char *name, const uint8_t *mac)
{
	struct api_cache_ent	*e;
	double			 now = util_now();
	int			 i, found = 0;

	pthread_mutex_lock(&api_cache_mtx);
	for (i = 0; i < API_CACHE_N; i++) {
		e = &api_cache[i];
		if (e->ce_expires <= now || strcmp(e->ce_name, name) != 0)
			continue;
		if (CRYPTO_memcmp(e->ce_mac, mac, 32) != 0)
			continue;
		util_strlcpy(req->r_user, e->ce_user, sizeof(req->r_user));
		util_strlcpy(req->r_scope, e->ce_scope, sizeof(req->r_scope));
		req->r_via = e->ce_via;
		found = 1;
		break;
	}
	pthread_mutex_unlock(&api_cache_mtx);
	return found;
}

static void
api_cache_insert(const struct api_req *req, const char *name,
    const uint8_t *mac)
{
	struct api_cache_ent	*e, *victim = &api_cache[0];
	double			 now = util_now();
	int			 i;

	pthread_mutex_lock(&api_cache_mtx);
	for (i = 0; i < API_CACHE_N; i++) {
		e = &api_cache[i];
		if (e->ce_expires <= now || strcmp(e->ce_name, name) == 0) {
			victim = e;
			break;
		}
		if (e->ce_expires < victim->ce_expires)
			victim = e;
	}
	util_strlcpy(victim->ce_name, name, sizeof(victim->ce_name));
	memcpy(victim->ce_mac, mac, 32);
	util_strlcpy(victim->ce_user, req->r_user, sizeof(victim->ce_user));
	util_strlcpy(victim->ce_scope, req->r_scope, sizeof(victim->ce_scope));
	victim->ce_via = req->r_via;
	victim->ce_expires = now + API_CACHE_TTL;
	pthread_mutex_unlock(&api_cache_mtx);
}

void
api_auth_scope(struct store *st, const char *user, char *out, size_t len)
{
	const struct cfg_section	*sec;
	json_t				*row = NULL;
	const char			*scope = "";

	if ((sec = cfg_section("users")) != NULL &&
	    (row = cfg_find(st, sec, user)) != NULL)
		scope = cfg_str(row, "scope");
	/* Anything but an explicit admin reads only; xmlrpc syncs only. */
	util_strlcpy(out, strcmp(scope, "admin") == 0 ? "admin" :
	    strcmp(scope, "xmlrpc") == 0 ? "xmlrpc" : "user", len);
	json_decref(row);
}

int
api_printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

/*
 * Checks "Authorization: Basic base64(name:secret)". name is an API key,
 * or failing that a local user. 0 when valid (req filled), else -1.
 */
static int
api_auth_basic(struct api_req *req, const char *hdr)
{
	struct store	*st = NULL;
	char		*dec = NULL, *colon, *name, *secret;
	uint8_t		 mac[32];
	size_t		 inlen, declen;
	int		 n, ret = -1;

	hdr += 6;
	while (*hdr == ' ')
		hdr++;
	inlen = strlen(hdr);
	if (inlen == 0 || inlen % 4 != 0 || inlen > 4 * API_SECRET_MAX)
		goto done;
	dec = xmalloc(inlen / 4 * 3 + 1);
	if ((n = EVP_DecodeBlock((uint8_t *)dec, (const uint8_t *)hdr,
	    (int)inlen)) < 0)
		goto done;
	declen = (size_t)n;
	if (hdr[inlen - 1] == '=')
		declen--;
	if (hdr[inlen - 2] == '=')
		declen--;
	dec[declen] = '\0';
	if (strlen(dec) != declen || (colon = strchr(dec, ':')) == NULL)
		goto done;
	*colon = '\0';
	name = dec;
	secret = colon + 1;
	if (*name == '\0' || strlen(name) >= API_NAME_MAX || *secret == '\0')
		goto done;

	/*
	 * A throttled source is refused before the cache too: a cache hit
	 * would tell a guesser which guess was right at HMAC speed.
	 */
	if ((req->r_retry_after = api_src_auth_begin(&req->r_src)) > 0)
		goto done;
	api_cache_mac(name, secret, mac);
	if (api_cache_lookup(req, name, mac))
		ret = 0;
	else if ((st = api_store()) == NULL) {
		/* No guess was judged. */
		api_src_auth_end(&req->r_src, 1, API_AUTH_BASIC, NULL);
		goto done;
	} else if (auth_apikey_check(st, name, secret, req->r_user,
	    sizeof(req->r_user)) == 1) {
		req->r_via = API_VIA_KEY;
		ret = 0;
	} else if (auth_user_login(st, name, secret) == 1) {
		req->r_via = API_VIA_USER;
		util_strlcpy(req->r_user, name, sizeof(req->r_user));
		ret = 0;
	}
	if (ret == 0 && req->r_scope[0] == '\0') {
		api_auth_scope(st, req->r_user, req->r_scope,
		    sizeof(req->r_scope));
		api_cache_insert(req, name, mac);
	}
	req->r_delay_ms = api_src_auth_end(&req->r_src, ret == 0,
	    strcmp(req->r_url, "/xmlrpc.php") == 0 ? API_AUTH_XMLRPC :
	    API_AUTH_BASIC, name);
done:
	if (dec != NULL) {
		explicit_bzero(dec, inlen / 4 * 3 + 1);
		free(dec);
	}
	explicit_bzero(mac, sizeof(mac));
	return ret;
}

/* Finds a live session by id; returns its slot or NULL. Lock held. */
static struct api_session *
api_session_find(const char *sid)
{
	struct api_session	*s;
	double			 now = util_now();
	int			 i;

	if (api_sessions == NULL || strlen(sid) != API_TOKEN_LEN)
		return NULL;
	for (i = 0; i < API_SESSIONS_MAX; i++) {
		s = &api_sessions[i];
		if (s->s_id[0] == '\0')
			continue;
		if (now - s->s_last > API_SESSION_IDLE) {
			explicit_bzero(s, sizeof(*s));
			continue;
		}
		if (CRYPTO_memcmp(s->s_id, sid, API_TOKEN_LEN) == 0)
			return s;
	}
	return NULL;
}

static int
api_auth_cookie(struct api_req *req, const char *sid)
{
	struct api_session	*s;
	int			 ret = -1;

	pthread_mutex_lock(&api_sess_mtx);
	if ((s = api_session_find(sid)) != NULL) {
		s->s_last = util_now();
		util_strlcpy(req->r_user, s->s_user, sizeof(req->r_user));
		util_strlcpy(req->r_scope, s->s_scope, sizeof(req->r_scope));
		util_strlcpy(req->r_sid, s->s_id, sizeof(req->r_sid));
		req->r_via = API_VIA_SESSION;
		ret = 0;
	}
	pthread_mutex_unlock(&api_sess_mtx);
	return ret;
}

int
api_auth_request(struct api_req *req)
{
	const char	*hdr, *sid;
	int		 ret = -1;

	req->r_via = API_VIA_NONE;
	hdr = MHD_lookup_connection_value(req->r_conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_AUTHORIZATION);
	sid = MHD_lookup_connection_value(req->r_conn, MHD_COOKIE_KIND,
	    "twsession");
	if (hdr != NULL) {
		if (strncasecmp(hdr, "Basic ", 6) == 0)
			ret = api_auth_basic(req, hdr);
	} else if (sid != NULL)
		ret = api_auth_cookie(req, sid);
	if (ret == -1) {
		req->r_via = API_VIA_NONE;
		req->r_user[0] = req->r_scope[0] = '\0';
		return -1;
	}
	snprintf(req->r_actor, sizeof(req->r_actor), "%s (%s)", req->r_user,
	    req->r_via == API_VIA_KEY ? "api" :
	    req->r_via == API_VIA_USER ? "basic" : "gui");
	return 0;
}

int
api_auth_csrf_ok(struct api_req *req)
{
	struct api_session	*s;
	const char		*tok;
	int			 ok = 0;

	if (req->r_via != API_VIA_SESSION)
		return 1;
	tok = MHD_lookup_connection_value(req->r_conn, MHD_HEADER_KIND,
	    "X-CSRFToken");
	if (tok == NULL || strlen(tok) != API_TOKEN_LEN)
		return 0;
	pthread_mutex_lock(&api_sess_mtx);
	if ((s = api_session_find(req->r_sid)) != NULL &&
	    CRYPTO_memcmp(s->s_csrf, tok, API_TOKEN_LEN) == 0)
		ok = 1;
	pthread_mutex_unlock(&api_sess_mtx);
	return ok;
}

static int
api_token(char *out)
{
	uint8_t b[API_TOKEN_LEN / 2];

	if (util_random(b, sizeof(b)) == -1)
		return -1;
	util_hex(b, sizeof(b), out);
	explicit_bzero(b, sizeof(b));
	return 0;
}

int
api_auth_session_new(const char *user, const char *scope, char *sid,
    char *csrf)
{
	struct api_session	*s, *victim = NULL;
	double			 now = util_now();
	int			 i, ret = -1;

	if (api_token(sid) == -1 || api_token(csrf) == -1)
		return -1;
	pthread_mutex_lock(&api_sess_mtx);
	if (api_sessions == NULL)
		goto done;
	for (i = 0; i < API_SESSIONS_MAX; i++) {
		s = &api_sessions[i];
		if (s->s_id[0] == '\0' || now - s->s_last > API_SESSION_IDLE) {
			victim = s;
			break;
		}
		if (victim == NULL || s->s_last < victim->s_last)
			victim = s;
	}
	explicit_bzero(victim, sizeof(*victim));
	util_strlcpy(victim->s_id, sid, sizeof(victim->s_id));
	util_strlcpy(victim->s_csrf, csrf, sizeof(victim->s_csrf));
	util_strlcpy(victim->s_user, user, sizeof(victim->s_user));
	util_strlcpy(victim->s_scope, scope, sizeof(victim->s_scope));
	victim->s_last = now;
	ret = 0;
done:
	pthread_mutex_unlock(&api_sess_mtx);
	return ret;
}

void
api_auth_session_del(const char *sid)
{
	struct api_session *s;

	pthread_mutex_lock(&api_sess_mtx);
	if ((s = api_session_find(sid)) != NULL)
		explicit_bzero(s, sizeof(*s));
	pthread_mutex_unlock(&api_sess_mtx);
}

/*
 * After a change of the users section (or a restore): ends the sessions
 * of users that are gone or disabled, and refreshes the scope of the
 * others, so that a demoted or deleted administrator loses the GUI at
 * once. Users writes are rare: the lookups run under the session lock.
 */
void
api_auth_sessions_revalidate(struct store *st)
{
	const struct cfg_section	*sec = cfg_section("users");
	struct api_session		*s;
	json_t				*row;
	int				 i;

	if (sec == NULL)
		return;
	pthread_mutex_lock(&api_sess_mtx);
	for (i = 0; api_sessions != NULL && i < API_SESSIONS_MAX; i++) {
		s = &api_sessions[i];
		if (s->s_id[0] == '\0')
			continue;
		row = cfg_find(st, sec, s->s_user);
		if (row == NULL || cfg_bool(row, "disabled"))
			explicit_bzero(s, sizeof(*s));
		else
			util_strlcpy(s->s_scope, strcmp(cfg_str(row, "scope"),
			    "admin") == 0 ? "admin" : strcmp(cfg_str(row,
			    "scope"), "xmlrpc") == 0 ? "xmlrpc" : "user",
			    sizeof(s->s_scope));
		json_decref(row);
	}
	pthread_mutex_unlock(&api_sess_mtx);
}

int
api_auth_session_csrf(const char *sid, char *csrf)
{
	struct api_session	*s;
	int			 ret = -1;

	pthread_mutex_lock(&api_sess_mtx);
	if ((s = api_session_find(sid)) != NULL) {
		util_strlcpy(csrf, s->s_csrf, API_TOKEN_LEN + 1);
		ret = 0;
	}
	pthread_mutex_unlock(&api_sess_mtx);
	return ret;
}
