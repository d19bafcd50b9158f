/*
 * server.c — the HTTP server: libmicrohttpd with an internal thread pool
 * on epoll, TLS from PEM files, request bodies capped at API_MAX_BODY,
 * a store per worker thread, and the split between /api (router.c),
 * /xmlrpc.php and static files (static.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "api.h"
#include "log.h"
#include "store.h"
#include "util.h"
#include "webapi.h"

/*
 * A body larger than API_MAX_BODY is read and dropped up to this size so
 * the client sees the 413 instead of a reset; beyond it the 413 goes out
 * at once and the connection is closed.
 */
#define API_DRAIN_MAX	(16u << 20)

struct api_conn {
	char	*c_buf;
	size_t	 c_len;
	size_t	 c_cap;
	int	 c_toolarge;
};

static struct MHD_Daemon	*api_daemon;
static struct webapi_conf	 api_cf;
static char			*api_cert, *api_key;
static size_t			 api_keylen;
static double			 api_started;
/* webapi_relisten: keep the session state. */
static int			 api_relistening;
static char			*api_listen_owned;

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

/* Queues resp on conn; frees what resp owns. */
static enum MHD_Result
api_send(struct MHD_Connection *conn, struct api_resp *resp, int tls)
{
	struct MHD_Response	*r;
	enum MHD_Result		 ret;
	char			*buf;
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
		ret = MHD_NO;
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
	ret = MHD_queue_response(conn, (unsigned)resp->rs_status, r);
	MHD_destroy_response(r);
done:
	json_decref(resp->rs_body);
	free(resp->rs_cookie);
	free(resp->rs_disposition);
	memset(resp, 0, sizeof(*resp));
	return ret;
}

static enum MHD_Result
api_send_msg(struct MHD_Connection *conn, int status, const char *msg)
{
	struct api_resp resp;

	memset(&resp, 0, sizeof(resp));
	api_reply_msg(&resp, status, "failed", msg);
	return api_send(conn, &resp, api_cf.w_tls);
}

static enum MHD_Result
api_query_it(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *val)
{
	(void)kind;
	api_args_put(cls, key, val ? val : "");
	return MHD_YES;
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

	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	req.r_conn = conn;
	req.r_url = url;
	req.r_method = m;
	req.r_tls = api_cf.w_tls;
	if (c->c_toolarge)
		api_reply_msg(&resp, MHD_HTTP_CONTENT_TOO_LARGE, "failed",
		    "request body exceeds 1 MiB");
	else if (api_xmlrpc(&req, c->c_buf, c->c_len, &resp) == -1) {
		free(resp.rs_raw);
		resp.rs_raw = NULL;
		api_reply_status(&resp, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "Internal Error");
	}
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
	const char	*ctype;
	char		 err[256];
	enum MHD_Result	 ret;
	int		 m = api_method(method);

	if (strcmp(url, "/xmlrpc.php") == 0)
		return api_process_xmlrpc(conn, url, m, c);
	if (strncmp(url, "/api/", 5) != 0 && strcmp(url, "/api") != 0) {
		if (c->c_toolarge)
			return api_send_msg(conn, MHD_HTTP_CONTENT_TOO_LARGE,
			    "request body exceeds 1 MiB");
		if (api_static_serve(conn, url, m, api_cf.w_wwwdir,
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
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, api_query_it,
	    req.r_query);

	if (c->c_toolarge) {
		api_reply_msg(&resp, MHD_HTTP_CONTENT_TOO_LARGE, "failed",
		    "request body exceeds 1 MiB");
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
		    sizeof(err));
		if (req.r_body == NULL) {
			api_reply_msg(&resp, MHD_HTTP_BAD_REQUEST, "failed", err);
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
	ret = api_send(conn, &resp, api_cf.w_tls);
	api_req_free(&req);
	return ret;
}

static enum MHD_Result
api_access(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct api_conn	*c = *con_cls;
	const char	*cl;
	size_t		 n;

	(void)cls;
	(void)version;
	if (c == NULL) {
		c = xcalloc(1, sizeof(*c));
		*con_cls = c;
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl != NULL && strtoull(cl, NULL, 10) > API_DRAIN_MAX)
			return api_send_msg(conn, MHD_HTTP_CONTENT_TOO_LARGE,
			    "request body exceeds 1 MiB");
		return MHD_YES;
	}
	if (*upload_size > 0) {
		n = *upload_size;
		*upload_size = 0;
		if (c->c_toolarge)
			return MHD_YES;
		if (c->c_len + n > API_MAX_BODY) {
			/* Stop buffering; keep reading so the 413 arrives. */
			c->c_toolarge = 1;
			if (c->c_buf != NULL)
				explicit_bzero(c->c_buf, c->c_len);
			free(c->c_buf);
			c->c_buf = NULL;
			c->c_len = c->c_cap = 0;
			return MHD_YES;
		}
		if (c->c_len + n > c->c_cap) {
			c->c_cap = c->c_len + n < 4096 ? 4096 :
			    (c->c_len + n) * 2;
			if (c->c_cap > API_MAX_BODY)
				c->c_cap = API_MAX_BODY;
			c->c_buf = xrealloc(c->c_buf, c->c_cap);
		}
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
	(void)conn;
	(void)toe;
	if (c == NULL)
		return;
	if (c->c_buf != NULL) {
		explicit_bzero(c->c_buf, c->c_cap);
		free(c->c_buf);
	}
	free(c);
	*con_cls = NULL;
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
	long			 ncpu;
	MHD_socket		 lfd;
	int			 v6, loopback, threads;

	if (api_daemon != NULL) {
		log_warnx("api: already started");
		return -1;
	}
	api_cf = *conf;
	if (api_cf.w_wwwdir == NULL)
		api_cf.w_wwwdir = "www";
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

	if (conf->w_tls)
		api_daemon = MHD_start_daemon(flags, 0, NULL, NULL,
		    api_access, NULL,
		    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		    MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)threads,
		    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)512,
		    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)60,
		    MHD_OPTION_NOTIFY_COMPLETED, api_completed, NULL,
		    MHD_OPTION_EXTERNAL_LOGGER, api_mhd_log, NULL,
		    MHD_OPTION_HTTPS_MEM_CERT, api_cert,
		    MHD_OPTION_HTTPS_MEM_KEY, api_key,
		    MHD_OPTION_HTTPS_PRIORITIES,
		    "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2",
		    MHD_OPTION_LISTEN_SOCKET, lfd,
		    MHD_OPTION_END);
	else
		api_daemon = MHD_start_daemon(flags, 0, NULL, NULL,
		    api_access, NULL,
		    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		    MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)threads,
		    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)512,
		    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)60,
		    MHD_OPTION_NOTIFY_COMPLETED, api_completed, NULL,
		    MHD_OPTION_EXTERNAL_LOGGER, api_mhd_log, NULL,
		    MHD_OPTION_LISTEN_SOCKET, lfd,
		    MHD_OPTION_END);
	if (api_daemon == NULL) {
		log_warnx("api: cannot listen on %s (address in use, or a bad "
		    "certificate or key)", conf->w_listen);
		if (!api_relistening)
			api_auth_fini();
		goto err;
	}
	log_info("api: listening on %s%s, %d threads", conf->w_listen,
	    conf->w_tls ? " (TLS)" : " (no TLS)", threads);
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
	MHD_stop_daemon(api_daemon);
	api_daemon = NULL;
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
}
