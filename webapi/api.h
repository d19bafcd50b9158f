/*
 * api.h — internals of the webapi shared by its modules: the request
 * and response as handlers see them, the route table, auth, the
 * per-thread store.
 *
 * Flow: server.c reads a request (bounds of limits.c) into a
 * struct api_req, router.c authenticates it (auth.c), finds its row in
 * the route table and calls the row's handler, which fills a struct
 * api_resp; server.c turns that into an HTTP response.
 */
#ifndef TW_API_H
#define TW_API_H

#include <jansson.h>
#include <stddef.h>

struct MHD_Connection;
struct sockaddr;
struct cfg_section;
struct store;
struct webapi_conf;

#define API_MAX_BODY	(1u << 20)	/* default of limit body_bytes */
#define API_MAX_PARAMS	4		/* path segments after the command */
#define API_USER_LEN	64
#define API_TOKEN_LEN	64		/* hex of 32 random bytes */

/* The bounds of limits.c; api_limit_name() gives the table's names. */
enum api_limit {
	API_LIM_CONNECTIONS,
	API_LIM_PER_SOURCE,
	API_LIM_HEADER_TIMEOUT,
	API_LIM_KEEPALIVE,
	API_LIM_HEADER_BYTES,
	API_LIM_BODY_BYTES,
	API_LIM_BODY_MEMORY,
	API_LIM_JSON_DEPTH,
	API_LIM_ITEMS,
	API_LIM_AUTH_FREE,
	API_LIM_AUTH_LOCK,
	API_LIM_AUTH_LOCK_TIME,
	API_LIM_AUTH_WINDOW,
	API_LIM_ROLLBACK,
	API_LIM__N
};

/* Methods, as a bit set so a route may take several. */
#define API_GET		0x01
#define API_POST	0x02
#define API_HEAD	0x04
#define API_OTHER	0x80

/* Privilege a route needs. */
enum api_priv {
	API_PRIV_PUBLIC,	/* no credentials (login) */
	API_PRIV_READ,		/* any authenticated user */
	API_PRIV_WRITE,		/* scope admin */
};

/* How the caller authenticated. */
enum api_via {
	API_VIA_NONE,
	API_VIA_KEY,		/* Basic: API key + secret */
	API_VIA_USER,		/* Basic: user name + password */
	API_VIA_SESSION,	/* cookie twsession (+ X-CSRFToken on POST) */
};

struct api_route;

/* A client source: an IPv4 address (as ::ffff:a.b.c.d) or an IPv6 /64. */
struct api_srckey {
	unsigned char	k[16];
};

/* What a failed credential was presented to (source.c names them). */
enum api_auth_kind {
	API_AUTH_LOGIN,		/* core/login */
	API_AUTH_BASIC,		/* HTTP Basic on an API route */
	API_AUTH_XMLRPC,	/* HTTP Basic on /xmlrpc.php */
	API_AUTH__N
};

/* Counters of source.c, shown by core/system/throttle. */
enum api_src_stat {
	API_SRC_REFUSED,	/* closed at accept: twice the per-source limit */
	API_SRC_BUSY,		/* answered 503 */
	API_SRC_THROTTLED,	/* answered 429 */
	API_SRC_FAILURES,	/* wrong credentials */
	API_SRC_DELAYED,	/* answers held back after a failure */
	API_SRC_LOCKOUTS,
	API_SRC_STAT__N
};

struct api_req {
	struct MHD_Connection	*r_conn;
	const char		*r_url;		/* decoded path */
	int			 r_method;	/* API_GET ... */
	int			 r_tls;
	const struct api_route	*r_route;
	const struct cfg_section *r_section;	/* r_route's, or NULL */
	char			*r_params[API_MAX_PARAMS];
	int			 r_nparams;
	json_t			*r_query;	/* GET arguments, nested */
	json_t			*r_body;	/* parsed body, or NULL */
	size_t			 r_bodylen;	/* raw length */
	enum api_via		 r_via;
	char			 r_user[API_USER_LEN];
	char			 r_scope[16];
	char			 r_actor[API_USER_LEN + 16];	/* "root (api)" */
	char			 r_sid[API_TOKEN_LEN + 1];	/* session */
	struct api_srckey	 r_src;		/* the client's source */
	int			 r_retry_after;	/* > 0: throttled, answer 429 */
	int			 r_delay_ms;	/* hold the answer back this long */
};

struct api_resp {
	int		 rs_status;	/* HTTP status */
	json_t		*rs_body;	/* owned; sent as JSON */
	char		*rs_raw;	/* owned; sent instead of rs_body */
	size_t		 rs_rawlen;
	const char	*rs_ctype;	/* for rs_raw */
	char		*rs_cookie;	/* owned; Set-Cookie */
	char		*rs_disposition; /* owned; Content-Disposition */
	const char	*rs_allow;	/* Allow, with 405 */
	int		 rs_retry_after; /* Retry-After seconds, with 429/503 */
	int		 rs_close;	/* Connection: close */
};

/*
 * A handler fills resp (status and body) and returns 0, or -1 for an
 * internal failure (answered with 500).
 */
typedef int (*api_handler)(struct api_req *, struct api_resp *);

struct api_route {
	int		 r_methods;	/* API_GET | API_POST */
	const char	*r_module;	/* canonical snake_case names */
	const char	*r_controller;
	const char	*r_command;
	api_handler	 r_handler;
	const char	*r_section;	/* section name(s), comma-separated */
	enum api_priv	 r_priv;
	int		 r_minp, r_maxp;	/* path parameters */
	const char	*r_pnames;	/* "uuid,enabled" for openapi.json */
	const char	*r_summary;
};

/* server.c */
const struct webapi_conf *api_conf(void);
/* The calling thread's store, opened on first use; NULL if it fails. */
struct store	*api_store(void);
double		 api_uptime(void);

/* limits.c: the value of a bound, its name, all of them as an object. */
long		 api_limit(enum api_limit);
const char	*api_limit_name(enum api_limit);
json_t		*api_limits_json(void);

/* source.c: per-source connections and the credential throttle. */
void	api_src_key(const struct sockaddr *, struct api_srckey *);
/* "192.0.2.1" or "2001:db8::/64" into buf (INET6_ADDRSTRLEN + 4). */
void	api_src_text(const struct api_srckey *, char *buf, size_t len);
/* The key of "192.0.2.1", "2001:db8::1" or "2001:db8::/64"; 0/-1. */
int	api_src_parse(const char *, struct api_srckey *);
/*
 * Counts a new connection; returns the source's count (-1 when the
 * table is full: not counted) and the total in *total.
 */
int	api_src_conn_open(const struct api_srckey *, long *total);
/* counted: what conn_open returned was not -1. */
void	api_src_conn_close(const struct api_srckey *, int counted);
int	api_src_conns(const struct api_srckey *);
void	api_src_count(enum api_src_stat);
/*
 * Before checking a credential: 0 to go ahead (then api_src_auth_end()
 * must follow), or the seconds the source must wait (answer 429).
 */
int	api_src_auth_begin(const struct api_srckey *);
/*
 * After the check: counts a failure (logged with its kind and the
 * account name, never the secret) and returns the milliseconds to hold
 * the answer back.
 */
int	api_src_auth_end(const struct api_srckey *, int ok,
	    enum api_auth_kind, const char *name);
/* Forgives a source its failures and lock-out. */
void	api_src_forget(const struct api_srckey *);
/* New object: counters, limits and the busiest sources. */
json_t	*api_src_report(void);
void	api_src_fini(void);

/* router.c */
const struct api_route	*api_routes(void);	/* NULL-command terminated */
int	api_route_dispatch(struct api_req *, struct api_resp *);
/* Compares route names ignoring case and '_' (searchRule == search_rule). */
int	api_name_eq(const char *, const char *);

/* auth.c */
int	api_auth_init(void);
void	api_auth_fini(void);
/* Fills r_user/r_scope/r_via/r_actor from Basic auth or the cookie. 0/-1. */
int	api_auth_request(struct api_req *);
/* 1 when a session request carries the right X-CSRFToken. */
int	api_auth_csrf_ok(struct api_req *);
/*
 * Creates a session; writes its id and CSRF token (API_TOKEN_LEN+1
 * bytes each). 0/-1.
 */
int	api_auth_session_new(const char *user, const char *scope, char *sid,
	    char *csrf);
void	api_auth_session_del(const char *sid);
/* Copies the session's CSRF token into csrf; 0, or -1 if none. */
int	api_auth_session_csrf(const char *sid, char *csrf);
/* Forgets every cached Basic verification (after a users change). */
void	api_auth_cache_flush(void);
/* Ends sessions of deleted/disabled users, refreshes scopes. */
void	api_auth_sessions_revalidate(struct store *);
/* 1 when s is printable ASCII, safe to put in a log line. */
int	api_printable(const char *);
/* Returns a user's scope ("admin" or "user") into out. */
void	api_auth_scope(struct store *, const char *user, char *out, size_t);

/* util in router.c: response helpers. Each takes over nothing. */
int	api_reply(struct api_resp *, int status, json_t *body);	/* steals */
int	api_reply_msg(struct api_resp *, int status, const char *result,
	    const char *msg);
int	api_reply_status(struct api_resp *, int status, const char *msg);
int	api_reply_validations(struct api_resp *, json_t *validations);
/*
 * OPNsense's refusal, {"result":"failed","validations":{field: msg}}:
 * with status, or as api_reply_validations (200). Nothing taken over.
 */
int	api_reply_refused(struct api_resp *, int status, const char *field,
	    const char *msg);
int	api_reply_invalid(struct api_resp *, const char *field, const char *msg);
/* 401 Authentication Failed, or 429 + Retry-After when throttled. */
int	api_reply_auth_failed(struct api_req *, struct api_resp *);
/* The request's arguments: body (JSON or form) over query. Borrowed. */
json_t	*api_args(struct api_req *);

/* handlers_crud.c */
int	api_handle_search(struct api_req *, struct api_resp *);
int	api_handle_get(struct api_req *, struct api_resp *);
/* handlers_opn.c: OPNsense's shapes */
int	api_handle_opn_get(struct api_req *, struct api_resp *);
int	api_handle_toggle_raw(struct api_req *, struct api_resp *);
int	api_handle_alias_uuid(struct api_req *, struct api_resp *);
int	api_handle_alias_export(struct api_req *, struct api_resp *);
json_t	*api_opn_item(struct store *, const struct cfg_section *, json_t *row,
	    json_t *cache);
int	 api_opn_input(const struct cfg_section *, json_t *in, json_t *ignored);
/*
 * handlers_crud.c: an item (an object, borrowed) as the model takes it:
 * OPNsense's names made ours (keys without a field added to ignored),
 * values strings, numbers or booleans, null "", a list field's array of
 * strings joined with ','; drop_empty_secrets leaves out "" secrets
 * ("unchanged" on set). A new object, or NULL with the reasons in errs.
 */
struct cfg_errors;
json_t	*api_item_fields(const struct cfg_section *, json_t *item,
	    int drop_empty_secrets, json_t *ignored, struct cfg_errors *);
int	api_handle_add(struct api_req *, struct api_resp *);
int	api_handle_set(struct api_req *, struct api_resp *);
int	api_handle_del(struct api_req *, struct api_resp *);
int	api_handle_toggle(struct api_req *, struct api_resp *);
int	api_handle_toggle_log(struct api_req *, struct api_resp *);
int	api_handle_move_before(struct api_req *, struct api_resp *);
int	api_handle_single_get(struct api_req *, struct api_resp *);
int	api_handle_single_set(struct api_req *, struct api_resp *);
int	api_handle_apply(struct api_req *, struct api_resp *);

/* handlers_core.c */
int	api_handle_ping(struct api_req *, struct api_resp *);
int	api_handle_status(struct api_req *, struct api_resp *);
int	api_handle_unused_vhid(struct api_req *, struct api_resp *);
int	api_handle_backup_list(struct api_req *, struct api_resp *);
int	api_handle_backup_download(struct api_req *, struct api_resp *);
int	api_handle_backup_restore(struct api_req *, struct api_resp *);
int	api_handle_login(struct api_req *, struct api_resp *);
int	api_handle_logout(struct api_req *, struct api_resp *);
int	api_handle_session(struct api_req *, struct api_resp *);
int	api_handle_throttle(struct api_req *, struct api_resp *);
int	api_handle_throttle_reset(struct api_req *, struct api_resp *);

/* handlers_carp.c: CARP status, enable/disable/maintenance, timeline */
int	api_handle_carp_vip_status(struct api_req *, struct api_resp *);
int	api_handle_carp_set(struct api_req *, struct api_resp *);
int	api_handle_carp_timeline(struct api_req *, struct api_resp *);

/* handlers_overview.c: live interfaces (addresses, DHCP clients) */
int	api_handle_interfaces_info(struct api_req *, struct api_resp *);
int	api_handle_get_interface(struct api_req *, struct api_resp *);
/* The dynamic gateways added to a gateway search page (text borrowed)
 * of query q: a new text, or NULL when there are none to add. */
struct cfg_query;
char	*api_gateways_dynamic(struct store *, const char *text,
	    const struct cfg_query *);

/* handlers_core.c: a revision id parameter; -1 unless a positive number. */
long long	api_revision_id(const char *);

/* openapi.c */
int	api_handle_openapi(struct api_req *, struct api_resp *);

/* handlers_filter.c: apply with rollback, the state table, the log */
int	api_handle_filter_savepoint(struct api_req *, struct api_resp *);
int	api_handle_filter_apply_rev(struct api_req *, struct api_resp *);
int	api_handle_filter_cancel_rollback(struct api_req *, struct api_resp *);
int	api_handle_filter_rollback_status(struct api_req *, struct api_resp *);
int	api_handle_query_states(struct api_req *, struct api_resp *);
int	api_handle_kill_states(struct api_req *, struct api_resp *);
int	api_handle_flush_states(struct api_req *, struct api_resp *);
int	api_handle_firewall_log(struct api_req *, struct api_resp *);

/* handlers_gui.c: what the browser GUI needs besides the sections */
int	api_handle_apikey_search(struct api_req *, struct api_resp *);
int	api_handle_apikey_add(struct api_req *, struct api_resp *);
int	api_handle_apikey_del(struct api_req *, struct api_resp *);

/* delay.c: answers held back on suspended connections. */
int	api_delay_start(void);
/* Resumes conn (suspended by the caller) after ms; 0, or -1 when full. */
int	api_delay_add(struct MHD_Connection *, int ms);
/* Resumes every held connection and ends the thread. */
void	api_delay_stop(void);

/* static.c: serves a file beneath the directory wwwfd (-1: none); 0,
 * or -1 (nothing queued). */
int	api_static_serve(struct MHD_Connection *, const char *url, int method,
	    int wwwfd, int tls);

/* xmlrpc.c: POST /xmlrpc.php; body may be NULL (len 0). */
int	api_xmlrpc(struct api_req *, const char *body, size_t len,
	    struct api_resp *);
/* handlers_hasync.c: core/hasync_status/<command> (version, services,
 * last, drift, sync, restart_all). */
int	 api_handle_hasync_status(struct api_req *, struct api_resp *);

/* body.c */
/*
 * Parses a request body: JSON, or application/x-www-form-urlencoded
 * when ctype says so, within the json_depth and items limits. Returns a
 * new object, or NULL with a message for the client in err and the
 * HTTP status in *status.
 */
json_t	*api_body_parse(const char *buf, size_t len, const char *ctype,
	    char *err, size_t errlen, int *status);
/* Adds "a[b]=v" as {"a":{"b":v}} to obj. */
void	 api_args_put(json_t *obj, const char *key, const char *val);
/* Sets the security headers every response carries. */
struct MHD_Response;
void	 api_headers_common(struct MHD_Response *, int tls, int is_api);

#endif
