/*
 * server.c — the HTTP server: libmicrohttpd with an internal thread pool
 * on epoll, TLS from PEM files, a store per worker thread, and the split
 * between /api (router.c), /xmlrpc.php and static files (static.c).
 *
 * It keeps serving whatever clients do (the bounds are limits.c's):
 * - every source (source.c) may hold per_source_connections; past that
 *   its connections are answered 503 at their first request, past twice
 *   that they are closed at accept (the accept policy, and
 *   libmicrohttpd's per-IP limit behind it);
 * - past `connections` in all, new connections are answered 503;
 *   libmicrohttpd's own limit sits above, where the open-file limit
 *   (raised at start) would end accepting anyway;
 * - libmicrohttpd times out a connection on inactivity only: a new
 *   connection gets header_timeout, a connection between two requests
 *   keepalive_timeout (set per connection after an answer, only when
 *   the two differ: libmicrohttpd scans such connections on every
 *   loop). A request's header bytes arriving slowly restart the clock;
 *   header_bytes and the per-source limit bound what that can hold;
 * - header, body, JSON depth and item counts answer 431/413/400 naming
 *   the limit;
 * - an answer the throttle holds back (source.c) is kept while the
 *   connection is suspended (delay.c), so no worker waits.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "api.h"
#include "log.h"
#include "store.h"
#include "util.h"
#include "webapi.h"

/*
 * A body larger than body_bytes is read and dropped up to this size so
 * the client sees the 413 instead of a reset; beyond it the 413 goes out
 * at once and the connection is closed.
 */
#define API_DRAIN_MAX	(16u << 20)
#define API_FD_RESERVE	128	/* files besides connections: stores, logs */
#define API_RETRY_BUSY	5	/* Retry-After of a 503, seconds */

/* Why a body was not kept: it is read and dropped, then refused. */
enum {
	API_BODY_KEPT,
	API_BODY_TOOLARGE,	/* past body_bytes: 413 */
	API_BODY_BUSY,		/* past body_memory, all requests: 503 */
};

/* One request. */
struct api_conn {
	char			*c_buf;
	size_t			 c_len;
	size_t			 c_cap;		/* counted in api_body_mem */
	int			 c_toolarge;	/* API_BODY_* */
	struct MHD_Response	*c_held;	/* answer delay.c holds back */
	unsigned int		 c_held_status;
};

/* One TCP connection (libmicrohttpd's socket context). */
struct api_sock {
	struct api_srckey	 s_src;
	int			 s_counted;	/* by api_src_conn_open() */
	int			 s_over;	/* API_OVER_*: answer 503 */
};

enum {
	API_OVER_NONE,
	API_OVER_SOURCE,	/* per_source_connections */
	API_OVER_TOTAL,		/* connections */
};

static struct MHD_Daemon	*api_daemon;
static struct webapi_conf	 api_cf;
static int			 api_wwwfd = -1;	/* api_cf.w_wwwfd */
static char			*api_cert, *api_key;
static size_t			 api_keylen;
static double			 api_started;
/* webapi_relisten: keep the session state. */
static int			 api_relistening;
static char			*api_listen_owned;
static long			 api_conn_soft;	/* 503 past it */
static atomic_long		 api_body_mem;	/* bytes of bodies held */

static _Thread_local struct store *api_tls_store;
static pthread_mutex_t		 api_stores_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct store		**api_stores;
static size_t			 api_nstores;

const struct webapi_conf *
api_conf(void)
{
	return &api_cf;
}

double
api_uptime(void)
{
	return util_now() - api_started;
}

/*
 * Returns the calling thread's store, opening it on first use. Borrowed:
 * webapi_stop() closes every store once the workers are gone.
 */
struct store *
api_store(void)
{
	char		 err[256];
	struct store	*st;

	if (api_tls_store != NULL)
		return api_tls_store;
	if ((st = store_open(api_cf.w_datadir, err, sizeof(err))) == NULL) {
		log_warnx("api: store: %s", err);
		return NULL;
	}
	pthread_mutex_lock(&api_stores_mtx);
	api_stores = xrealloc(api_stores, (api_nstores + 1) * sizeof(*api_stores));
	api_stores[api_nstores++] = st;
	pthread_mutex_unlock(&api_stores_mtx);
	api_tls_store = st;
	return st;
}

static void
api_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_debug("http: %s", msg);
}

static int
api_method(const char *m)
{
	if (strcmp(m, "GET") == 0)
		return API_GET;
	if (strcmp(m, "POST") == 0)
		return API_POST;
	if (strcmp(m, "HEAD") == 0)
		return API_HEAD;
	return API_OTHER;
}

void
api_headers_common(struct MHD_Response *r, int tls, int is_api)
{
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(r, "Content-Security-Policy", is_api ?
	    "default-src 'none'; frame-ancestors 'none'" :
	    "default-src 'self'; img-src 'self' data:; object-src 'none'; "
	    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
	if (tls)
		MHD_add_response_header(r, "Strict-Transport-Security",
		    "max-age=31536000");
	if (is_api)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
		    "no-store");
}

/*
 * Turns resp into a new libmicrohttpd response (NULL when out of
 * memory); frees what resp owns.
 */
static struct MHD_Response *
api_response(struct api_resp *resp, int tls)
{
	struct MHD_Response	*r;
	char			*buf, num[16];
	size_t			 len;
	const char		*ctype = "application/json";

	if (resp->rs_status < 100 || resp->rs_status > 599) {
		log_warnx("api: handler left no status; answering 500");
		free(resp->rs_raw);
		resp->rs_raw = NULL;
		api_reply_status(resp, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "Internal Error");
	}
	if (resp->rs_raw != NULL) {
		buf = resp->rs_raw;
		len = resp->rs_rawlen;
		resp->rs_raw = NULL;
		if (resp->rs_ctype != NULL)
			ctype = resp->rs_ctype;
	} else {
		if (resp->rs_body == NULL)
			resp->rs_body = json_object();
		buf = json_dumps(resp->rs_body, JSON_COMPACT);
		if (buf == NULL)
			fatalx("json_dumps");
		len = strlen(buf);
	}
	r = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(buf);
		goto done;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	api_headers_common(r, tls, 1);
	if (resp->rs_cookie != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE,
		    resp->rs_cookie);
	if (resp->rs_disposition != NULL)
		MHD_add_response_header(r, "Content-Disposition",
		    resp->rs_disposition);
	if (resp->rs_allow != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW,
		    resp->rs_allow);
	if (resp->rs_retry_after > 0) {
		snprintf(num, sizeof(num), "%d", resp->rs_retry_after);
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, num);
	}
	if (resp->rs_close)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION,
		    "close");
done:
	json_decref(resp->rs_body);
	free(resp->rs_cookie);
	free(resp->rs_disposition);
	memset(resp, 0, sizeof(*resp));
	return r;
}

/* Queues resp on conn; frees what resp owns. */
static enum MHD_Result
api_send(struct MHD_Connection *conn, struct api_resp *resp, int tls)
{
	struct MHD_Response	*r;
	enum MHD_Result		 ret;
	unsigned int		 status;

	if (resp->rs_status < 100 || resp->rs_status > 599)
		status = MHD_HTTP_INTERNAL_SERVER_ERROR;
	else
		status = (unsigned int)resp->rs_status;
	if ((r = api_response(resp, tls)) == NULL)
		return MHD_NO;
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

/*
 * Sends resp after ms milliseconds: the connection is suspended and
 * delay.c resumes it, then api_access() queues c_held. At once when no
 * slot is free.
 */
static enum MHD_Result
api_send_later(struct MHD_Connection *conn, struct api_conn *c,
    struct api_resp *resp, int ms)
{
	unsigned int status = (unsigned int)resp->rs_status;

	if (status < 100 || status > 599 || c == NULL)
		return api_send(conn, resp, api_cf.w_tls);
	if ((c->c_held = api_response(resp, api_cf.w_tls)) == NULL)
		return MHD_NO;
	c->c_held_status = status;
	MHD_suspend_connection(conn);
	if (api_delay_add(conn, ms) == -1)
		MHD_resume_connection(conn);
	return MHD_YES;
}

static enum MHD_Result
api_send_msg(struct MHD_Connection *conn, int status, const char *msg)
{
	struct api_resp resp;

	memset(&resp, 0, sizeof(resp));
	api_reply_msg(&resp, status, "failed", msg);
	return api_send(conn, &resp, api_cf.w_tls);
}

/* A refusal that ends the connection: 503 busy, 431 headers, 413. */
static enum MHD_Result
api_send_close(struct MHD_Connection *conn, int status, int retry,
    const char *msg)
{
	struct api_resp resp;

	memset(&resp, 0, sizeof(resp));
	api_reply_msg(&resp, status, "failed", msg);
	json_object_set_new(resp.rs_body, "status", json_integer(status));
	resp.rs_retry_after = retry;
	resp.rs_close = 1;
	return api_send(conn, &resp, api_cf.w_tls);
}

/*
 * Why a body was dropped, as the answer says it: the message (naming
 * the limit) into buf, the status returned.
 */
static int
api_body_msg(const struct api_conn *c, char *buf, size_t len)
{
	if (c->c_toolarge == API_BODY_BUSY) {
		snprintf(buf, len, "server busy: request bodies in memory "
		    "exceed %s (%ld bytes); retry", api_limit_name(
		    API_LIM_BODY_MEMORY), api_limit(API_LIM_BODY_MEMORY));
		return MHD_HTTP_SERVICE_UNAVAILABLE;
	}
	snprintf(buf, len, "request body exceeds %s (%ld bytes)",
	    api_limit_name(API_LIM_BODY_BYTES),
	    api_limit(API_LIM_BODY_BYTES));
	return MHD_HTTP_CONTENT_TOO_LARGE;
}

/* Drops what c buffered (it may hold a password) and its count. */
static void
api_body_drop(struct api_conn *c)
{
	if (c->c_buf != NULL) {
		explicit_bzero(c->c_buf, c->c_cap);
		free(c->c_buf);
	}
	atomic_fetch_sub(&api_body_mem, (long)c->c_cap);
	c->c_buf = NULL;
	c->c_len = c->c_cap = 0;
}

/*
 * Makes room for n more bytes, within body_bytes for this request and
 * body_memory for all of them; else the body is dropped and why kept
 * in c_toolarge.
 */
static void
api_body_grow(struct api_conn *c, size_t n, size_t max)
{
	size_t	cap;
	long	delta;

	if (c->c_len + n > max) {
		api_body_drop(c);
		c->c_toolarge = API_BODY_TOOLARGE;
		return;
	}
	if (c->c_len + n <= c->c_cap)
		return;
	cap = c->c_len + n < 4096 ? 4096 : (c->c_len + n) * 2;
	if (cap > max)
		cap = max;
	delta = (long)(cap - c->c_cap);
	if (atomic_fetch_add(&api_body_mem, delta) + delta >
	    api_limit(API_LIM_BODY_MEMORY)) {
		atomic_fetch_sub(&api_body_mem, delta);
		api_body_drop(c);
		c->c_toolarge = API_BODY_BUSY;
		return;
	}
	c->c_buf = xrealloc(c->c_buf, cap);
	c->c_cap = cap;
}

struct api_query {
	json_t	*q_obj;
	long	 q_n;
};

static enum MHD_Result
api_query_it(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *val)
{
	struct api_query *q = cls;

	(void)kind;
	if (++q->q_n > api_limit(API_LIM_ITEMS))
		return MHD_NO;
	api_args_put(q->q_obj, key, val ? val : "");
	return MHD_YES;
}

/* Adds up the request line and headers as the client sent them. */
static enum MHD_Result
api_header_size_it(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *val)
{
	size_t *n = cls;

	(void)kind;
	*n += strlen(key) + (val != NULL ? strlen(val) : 0) + 4;
	return MHD_YES;
}

/* The client's source, from libmicrohttpd's view of the connection. */
static void
api_conn_src(struct MHD_Connection *conn, struct api_srckey *k)
{
	const union MHD_ConnectionInfo *ci;

	ci = MHD_get_connection_info(conn,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	api_src_key(ci != NULL ? ci->client_addr : NULL, k);
}

static void
api_req_free(struct api_req *req)
{
	int i;

	for (i = 0; i < req->r_nparams; i++)
		free(req->r_params[i]);
	json_decref(req->r_query);
	json_decref(req->r_body);
	explicit_bzero(req, sizeof(*req));
}

static enum MHD_Result
api_process_xmlrpc(struct MHD_Connection *conn, const char *url, int m,
    struct api_conn *c)
{
	struct api_req	 req;
	struct api_resp	 resp;
	enum MHD_Result	 ret;
	char		 msg[128];
	int		 st;

	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	req.r_conn = conn;
	req.r_url = url;
	req.r_method = m;
	req.r_tls = api_cf.w_tls;
	api_conn_src(conn, &req.r_src);
	if (c->c_toolarge) {
		st = api_body_msg(c, msg, sizeof(msg));
		api_reply_msg(&resp, st, "failed", msg);
	} else if (api_xmlrpc(&req, c->c_buf, c->c_len, &resp) == -1) {
		free(resp.rs_raw);
		resp.rs_raw = NULL;
		api_reply_status(&resp, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "Internal Error");
	}
	if (req.r_delay_ms > 0)
		ret = api_send_later(conn, c, &resp, req.r_delay_ms);
	else
		ret = api_send(conn, &resp, api_cf.w_tls);
	api_req_free(&req);
	return ret;
}

static enum MHD_Result
api_process(struct MHD_Connection *conn, const char *url, const char *method,
    struct api_conn *c)
{
	struct api_req	 req;
	struct api_resp	 resp;
	struct api_query q;
	const char	*ctype;
	char		 err[256];
	enum MHD_Result	 ret;
	int		 m = api_method(method), st;

	if (strcmp(url, "/xmlrpc.php") == 0)
		return api_process_xmlrpc(conn, url, m, c);
	if (strncmp(url, "/api/", 5) != 0 && strcmp(url, "/api") != 0) {
		if (c->c_toolarge) {
			st = api_body_msg(c, err, sizeof(err));
			return api_send_msg(conn, st, err);
		}
		if (api_static_serve(conn, url, m, api_wwwfd,
		    api_cf.w_tls) == 0)
			return MHD_YES;
		return MHD_NO;
	}

	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	req.r_conn = conn;
	req.r_url = url;
	req.r_method = m == API_HEAD ? API_GET : m;
	req.r_tls = api_cf.w_tls;
	req.r_query = json_object();
	api_conn_src(conn, &req.r_src);
	q.q_obj = req.r_query;
	q.q_n = 0;
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, api_query_it,
	    &q);
	if (q.q_n > api_limit(API_LIM_ITEMS)) {
		snprintf(err, sizeof(err), "more than %s (%ld) query "
		    "arguments", api_limit_name(API_LIM_ITEMS),
		    api_limit(API_LIM_ITEMS));
		api_reply_msg(&resp, MHD_HTTP_CONTENT_TOO_LARGE, "failed", err);
		goto send;
	}

	if (c->c_toolarge) {
		st = api_body_msg(c, err, sizeof(err));
		api_reply_msg(&resp, st, "failed", err);
		goto send;
	}
	req.r_bodylen = c->c_len;
	if (c->c_len > 0) {
		if (memchr(c->c_buf, '\0', c->c_len) != NULL) {
			api_reply_msg(&resp, MHD_HTTP_BAD_REQUEST, "failed",
			    "NUL byte in request body");
			goto send;
		}
		ctype = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_TYPE);
		req.r_body = api_body_parse(c->c_buf, c->c_len, ctype, err,
		    sizeof(err), &st);
		if (req.r_body == NULL) {
			api_reply_msg(&resp, st, "failed", err);
			goto send;
		}
	}
	if (api_route_dispatch(&req, &resp) == -1) {
		json_decref(resp.rs_body);
		resp.rs_body = NULL;
		api_reply_status(&resp, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "Internal Error");
	}
send:
	if (req.r_delay_ms > 0)
		ret = api_send_later(conn, c, &resp, req.r_delay_ms);
	else
		ret = api_send(conn, &resp, api_cf.w_tls);
	api_req_free(&req);
	return ret;
}

/*
 * The first look at a request, headers complete: the connection's own
 * standing (503 past a connection limit), then the header size. 1 when
 * an answer was queued (*ret), else 0.
 */
static int
api_admit(struct MHD_Connection *conn, const char *url, enum MHD_Result *ret)
{
	const union MHD_ConnectionInfo	*ci;
	struct api_sock			*sk = NULL;
	char				 msg[160], src[INET6_ADDRSTRLEN + 4];
	size_t				 n = strlen(url) + 16;

	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci != NULL)
		sk = ci->socket_context;
	if (sk != NULL && sk->s_over != API_OVER_NONE) {
		api_src_count(API_SRC_BUSY);
		api_src_text(&sk->s_src, src, sizeof(src));
		if (sk->s_over == API_OVER_SOURCE)
			snprintf(msg, sizeof(msg), "too many connections from "
			    "%s (%s %ld)", src,
			    api_limit_name(API_LIM_PER_SOURCE),
			    api_limit(API_LIM_PER_SOURCE));
		else
			snprintf(msg, sizeof(msg), "server busy: too many "
			    "connections (%s %ld)",
			    api_limit_name(API_LIM_CONNECTIONS), api_conn_soft);
		*ret = api_send_close(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
		    API_RETRY_BUSY, msg);
		return 1;
	}
	/* The cookies are in their header already: not counted twice. */
	MHD_get_connection_values(conn, MHD_HEADER_KIND |
	    MHD_GET_ARGUMENT_KIND, api_header_size_it, &n);
	if ((long)n > api_limit(API_LIM_HEADER_BYTES)) {
		snprintf(msg, sizeof(msg), "request line and headers exceed "
		    "%s (%ld bytes)", api_limit_name(API_LIM_HEADER_BYTES),
		    api_limit(API_LIM_HEADER_BYTES));
		*ret = api_send_close(conn,
		    MHD_HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE, 0, msg);
		return 1;
	}
	return 0;
}

static enum MHD_Result
api_access(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct api_conn	*c = *con_cls;
	const char	*cl;
	size_t		 n;

	enum MHD_Result	 ret;
	char		 msg[128];
	size_t		 max = (size_t)api_limit(API_LIM_BODY_BYTES);

	(void)cls;
	(void)version;
	if (c == NULL) {
		c = xcalloc(1, sizeof(*c));
		*con_cls = c;
		if (api_admit(conn, url, &ret))
			return ret;
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl != NULL && strtoull(cl, NULL, 10) >
		    (max > API_DRAIN_MAX ? max : API_DRAIN_MAX)) {
			c->c_toolarge = API_BODY_TOOLARGE;
			return api_send_close(conn, api_body_msg(c, msg,
			    sizeof(msg)), 0, msg);
		}
		return MHD_YES;
	}
	if (c->c_held != NULL) {
		/* Resumed by delay.c: the answer it held goes out now. */
		ret = MHD_queue_response(conn, c->c_held_status, c->c_held);
		MHD_destroy_response(c->c_held);
		c->c_held = NULL;
		return ret;
	}
	if (*upload_size > 0) {
		n = *upload_size;
		*upload_size = 0;
		if (c->c_toolarge)
			return MHD_YES;
		/* Dropped: keep reading so that the refusal arrives. */
		if (api_body_grow(c, n, max), c->c_toolarge)
			return MHD_YES;
		memcpy(c->c_buf + c->c_len, upload, n);
		c->c_len += n;
		return MHD_YES;
	}
	return api_process(conn, url, method, c);
}

/* The body may hold a password: wiped before it is freed. */
static void
api_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct api_conn *c = *con_cls;

	(void)cls;
	if (c == NULL)
		return;
	if (c->c_held != NULL)
		MHD_destroy_response(c->c_held);
	api_body_drop(c);
	free(c);
	*con_cls = NULL;
	/* Between two requests the keep-alive bound applies (see top). */
	if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK &&
	    api_limit(API_LIM_KEEPALIVE) != api_limit(API_LIM_HEADER_TIMEOUT))
		MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT,
		    (unsigned int)api_limit(API_LIM_KEEPALIVE));
}

/*
 * Accept policy: a source holding twice its limit is closed at once
 * (IPv6 sources are /64s, which libmicrohttpd's per-IP limit cannot
 * group).
 */
static enum MHD_Result
api_accept_policy(void *cls, const struct sockaddr *sa, socklen_t len)
{
	struct api_srckey k;

	(void)cls;
	(void)len;
	api_src_key(sa, &k);
	if (api_src_conns(&k) >= 2 * api_limit(API_LIM_PER_SOURCE)) {
		api_src_count(API_SRC_REFUSED);
		return MHD_NO;
	}
	return MHD_YES;
}

/* Counts each connection for its source; marks those past a limit. */
static void
api_conn_notify(void *cls, struct MHD_Connection *conn, void **socket_ctx,
    enum MHD_ConnectionNotificationCode code)
{
	struct api_sock	*sk = *socket_ctx;
	long		 total;
	int		 n;

	(void)cls;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		sk = xcalloc(1, sizeof(*sk));
		api_conn_src(conn, &sk->s_src);
		n = api_src_conn_open(&sk->s_src, &total);
		sk->s_counted = n != -1;
		if (n > api_limit(API_LIM_PER_SOURCE))
			sk->s_over = API_OVER_SOURCE;
		else if (total > api_conn_soft)
			sk->s_over = API_OVER_TOTAL;
		*socket_ctx = sk;
		return;
	}
	if (sk == NULL)
		return;
	api_src_conn_close(&sk->s_src, sk->s_counted);
	free(sk);
	*socket_ctx = NULL;
}

/*
 * Raises the open-file limit to its hard limit: each connection is a
 * file. Returns the soft limit now in force.
 */
static long
api_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return 1024;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (rl.rlim_cur > (1u << 20))
			rl.rlim_cur = 1u << 20;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			log_warn("api: raising the open-file limit");
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	return rl.rlim_cur == RLIM_INFINITY ? (1L << 20) : (long)rl.rlim_cur;
}

/*
 * Parses "127.0.0.1:8443", "[::1]:443", ":443" (every address, both
 * families) into ss; *loopback tells whether only this host can connect.
 */
static int
api_parse_listen(const char *s, struct sockaddr_storage *ss, int *v6,
    int *loopback)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;
	char			 host[INET6_ADDRSTRLEN + 1];
	const char		*p, *port;
	char			*end;
	size_t			 hl;
	long			 pn;

	memset(ss, 0, sizeof(*ss));
	*v6 = *loopback = 0;
	if (s == NULL || *s == '\0')
		return -1;
	if (*s == '[') {
		if ((p = strchr(s, ']')) == NULL || p[1] != ':')
			return -1;
		hl = (size_t)(p - s - 1);
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, s + 1, hl);
		host[hl] = '\0';
		port = p + 2;
		*v6 = 1;
	} else {
		if ((p = strrchr(s, ':')) == NULL)
			return -1;
		hl = (size_t)(p - s);
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, s, hl);
		host[hl] = '\0';
		port = p + 1;
		if (hl == 0)
			*v6 = 1;	/* every address, dual stack */
	}
	errno = 0;
	pn = strtol(port, &end, 10);
	if (errno || *end != '\0' || pn < 1 || pn > 65535)
		return -1;
	if (*v6) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)pn);
		if (host[0] == '\0')
			sin6->sin6_addr = in6addr_any;
		else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
			return -1;
		*loopback = IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr);
		return 0;
	}
	if (strcmp(host, "localhost") == 0)
		util_strlcpy(host, "127.0.0.1", sizeof(host));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)pn);
	if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
		return -1;
	*loopback = (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
	return 0;
}

int
webapi_start(const struct webapi_conf *conf)
{
	struct sockaddr_storage	 ss;
	unsigned int		 flags;
	long			 ncpu, nofile, soft, hard;
	size_t			 memlimit;
	MHD_socket		 lfd;
	int			 v6, loopback, threads;

	if (api_daemon != NULL) {
		log_warnx("api: already started");
		return -1;
	}
	api_cf = *conf;
	/* Ours from now on (a relisten passes the same one again). */
	api_wwwfd = conf->w_wwwfd;
	if (api_cf.w_platform == NULL)
		api_cf.w_platform = "unknown";
	if (api_parse_listen(conf->w_listen, &ss, &v6, &loopback) == -1) {
		log_warnx("api: bad listen address \"%s\"",
		    conf->w_listen ? conf->w_listen : "");
		return -1;
	}
	if (!conf->w_tls && !loopback) {
		log_warnx("api: refusing to serve %s without TLS: only a "
		    "loopback address may go without", conf->w_listen);
		return -1;
	}
	lfd = conf->w_listenfd > 0 ? conf->w_listenfd : MHD_INVALID_SOCKET;
	if ((threads = conf->w_threads) <= 0) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		threads = ncpu < 2 ? 2 : ncpu > 16 ? 16 : (int)ncpu;
	}
	flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC;
	if (v6 && IN6_IS_ADDR_UNSPECIFIED(
	    &((struct sockaddr_in6 *)&ss)->sin6_addr))
		flags |= MHD_USE_DUAL_STACK;
	else if (v6)
		flags |= MHD_USE_IPv6;
	if (conf->w_tls) {
		if (conf->w_certfile == NULL || conf->w_keyfile == NULL) {
			log_warnx("api: TLS needs a certificate and a key");
			return -1;
		}
		api_cert = util_read_file(conf->w_certfile, NULL, 1 << 20);
		api_key = util_read_file(conf->w_keyfile, &api_keylen, 1 << 20);
		if (api_cert == NULL || api_key == NULL) {
			log_warn("api: reading %s", api_cert == NULL ?
			    conf->w_certfile : conf->w_keyfile);
			goto err;
		}
		flags |= MHD_USE_TLS;
	}
	if (!api_relistening && api_auth_init() == -1)
		goto err;
	signal(SIGPIPE, SIG_IGN);
	if (!api_relistening)
		api_started = util_now();

	/*
	 * Connections: `connections` answered normally, a margin above
	 * answered 503, libmicrohttpd's limit above that; all under the
	 * open-file limit less what the process needs besides.
	 */
	nofile = api_raise_nofile();
	soft = api_limit(API_LIM_CONNECTIONS);
	hard = soft + soft / 16 + 64;
	if (hard > nofile - API_FD_RESERVE)
		hard = nofile - API_FD_RESERVE;
	if (hard < 32)
		hard = 32;
	if (soft > hard - hard / 16)
		soft = hard - hard / 16;
	api_conn_soft = soft;
	/*
	 * Each connection's buffer (headers, a slice of the body, the answer's
	 * headers) is what an idle flood multiplies: header_bytes and room
	 * for the rest, 16 KiB by default where libmicrohttpd would take 32.
	 */
	memlimit = (size_t)api_limit(API_LIM_HEADER_BYTES) + (8u << 10);
	flags |= MHD_ALLOW_SUSPEND_RESUME;
	if (!api_relistening && api_delay_start() == -1) {
		api_auth_fini();
		goto err;
	}

	api_daemon = MHD_start_daemon(flags, 0, api_accept_policy, NULL,
	    api_access, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)threads,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)hard,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    (unsigned int)(2 * api_limit(API_LIM_PER_SOURCE) + 1),
	    MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned int)api_limit(API_LIM_HEADER_TIMEOUT),
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, memlimit,
	    MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)4096,
	    MHD_OPTION_NOTIFY_COMPLETED, api_completed, NULL,
	    MHD_OPTION_NOTIFY_CONNECTION, api_conn_notify, NULL,
	    MHD_OPTION_EXTERNAL_LOGGER, api_mhd_log, NULL,
	    MHD_OPTION_LISTEN_SOCKET, lfd,
	    /* Without TLS the list ends here. */
	    conf->w_tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, api_cert,
	    MHD_OPTION_HTTPS_MEM_KEY, api_key,
	    MHD_OPTION_HTTPS_PRIORITIES,
	    "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2",
	    MHD_OPTION_END);
	if (api_daemon == NULL) {
		log_warnx("api: cannot listen on %s (address in use, or a bad "
		    "certificate or key)", conf->w_listen);
		if (!api_relistening) {
			api_delay_stop();
			api_auth_fini();
		}
		goto err;
	}
	log_info("api: listening on %s%s, %d threads; %ld connections "
	    "(503 past it, %ld at most, open files %ld), %ld per source",
	    conf->w_listen, conf->w_tls ? " (TLS)" : " (no TLS)", threads,
	    soft, hard, nofile, api_limit(API_LIM_PER_SOURCE));
	return 0;
err:
	free(api_cert);
	if (api_key != NULL) {
		explicit_bzero(api_key, api_keylen);
		free(api_key);
	}
	api_cert = api_key = NULL;
	return -1;
}

/*
 * The old daemon stops accepting at once (MHD_quiesce_daemon, which
 * needs the MHD_USE_ITC of webapi_start) and is stopped when its
 * connections are done (the apply's answer among them), or after
 * API_RELISTEN_DRAIN seconds. The stores its threads opened stay open
 * until webapi_stop.
 */
#define API_RELISTEN_DRAIN	3.0

static void
api_drain(struct MHD_Daemon *old)
{
	const union MHD_DaemonInfo	*di;
	MHD_socket			 qfd;
	double				 until = util_now() + API_RELISTEN_DRAIN;

	qfd = MHD_quiesce_daemon(old);
	while (util_now() < until) {
		di = MHD_get_daemon_info(old,
		    MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
		if (di == NULL || di->num_connections == 0)
			break;
		usleep(20000);
	}
	MHD_stop_daemon(old);
	if (qfd != MHD_INVALID_SOCKET)
		close(qfd);
}

int
webapi_relisten(int fd, const char *listen, int tls)
{
	const union MHD_DaemonInfo	*di;
	struct MHD_Daemon		*old = api_daemon;
	struct webapi_conf		 cf = api_cf, was = api_cf;
	char				*ocert = api_cert, *okey = api_key;
	char				*owned;
	size_t				 okeylen = api_keylen;
	int				 ret;

	if (old == NULL) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	/* The same address: serve a copy of the socket in use. */
	if (fd == -1 && ((di = MHD_get_daemon_info(old,
	    MHD_DAEMON_INFO_LISTEN_FD)) == NULL ||
	    (fd = fcntl(di->listen_fd, F_DUPFD_CLOEXEC, 0)) == -1)) {
		log_warn("api: relisten: no socket to keep");
		return -1;
	}
	owned = xstrdup(listen);
	cf.w_listen = owned;
	cf.w_tls = tls;
	cf.w_listenfd = fd;
	api_daemon = NULL;
	api_cert = api_key = NULL;
	api_relistening = 1;
	ret = webapi_start(&cf);
	api_relistening = 0;
	if (ret == -1) {
		/* The old listener never stopped: nothing changed. */
		api_daemon = old;
		api_cf = was;
		api_cert = ocert;
		api_key = okey;
		api_keylen = okeylen;
		/* fd is not closed: MHD may have closed it already. */
		free(owned);
		return -1;
	}
	api_drain(old);
	free(ocert);
	if (okey != NULL) {
		explicit_bzero(okey, okeylen);
		free(okey);
	}
	free(api_listen_owned);
	api_listen_owned = owned;
	return 0;
}

void
webapi_stop(void)
{
	size_t i;

	if (api_daemon == NULL)
		return;
	/* Held answers first: libmicrohttpd stops no suspended connection. */
	api_delay_stop();
	MHD_stop_daemon(api_daemon);
	api_daemon = NULL;
	api_src_fini();
	pthread_mutex_lock(&api_stores_mtx);
	for (i = 0; i < api_nstores; i++)
		store_close(api_stores[i]);
	free(api_stores);
	api_stores = NULL;
	api_nstores = 0;
	pthread_mutex_unlock(&api_stores_mtx);
	api_tls_store = NULL;
	api_auth_fini();
	free(api_cert);
	if (api_key != NULL) {
		explicit_bzero(api_key, api_keylen);
		free(api_key);
	}
	api_cert = api_key = NULL;
	free(api_listen_owned);
	api_listen_owned = NULL;
	if (api_wwwfd != -1)
		close(api_wwwfd);
	api_wwwfd = -1;
}
