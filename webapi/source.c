/*
 * source.c — what each client address is doing: how many connections it
 * holds (the per-source limit of server.c) and how many credentials it
 * got wrong (the throttle). A source is an IPv4 address or an IPv6 /64:
 * a host is given a whole /64 and picks addresses in it at will.
 *
 * The throttle, per source (limits.c names the numbers):
 *   failures 1..auth_free_failures   answered at once
 *   up to auth_lock_failures         answered after 0.1 s, 0.2 s, ... 2 s
 *                                    (server.c suspends the connection;
 *                                    no worker thread sleeps)
 *   then                             429 + Retry-After for
 *                                    auth_lock_seconds, doubled on each
 *                                    new lock-out of the source
 * Checks in flight count as failures until they end, so a source with
 * many connections gets no more guesses than one with one connection.
 * A success does not wipe the count: a source holding one valid key
 * must not earn new guesses at another account with it. Failures are
 * forgotten auth_window seconds after the last one.
 *
 * One mutex guards the table; it is held for a lookup, never across a
 * password check or a store call.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "api.h"
#include "log.h"
#include "util.h"

#define API_SRC_BUCKETS		4096
#define API_SRC_MAX		65536	/* entries; more go unrecorded */
#define API_SRC_REPORT_MAX	200
#define API_SRC_DELAY_BASE	100	/* ms, doubled per failure */
#define API_SRC_DELAY_MAX	2000

struct api_src {
	struct api_src		*s_next;
	struct api_srckey	 s_key;
	int			 s_conns;
	int			 s_pending;	/* credential checks in flight */
	int			 s_fails;	/* within the window */
	int			 s_locks;	/* lock-outs; each doubles the next */
	double			 s_last_fail;	/* util_now() */
	double			 s_locked_until;
	enum api_auth_kind	 s_kind;	/* of the last failure */
	char			 s_name[33];	/* account name tried, printable */
};

static const char *const api_auth_kinds[API_AUTH__N] = {
	[API_AUTH_LOGIN] = "login",
	[API_AUTH_BASIC] = "basic auth",
	[API_AUTH_XMLRPC] = "xmlrpc",
};

static pthread_mutex_t	 api_src_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct api_src	*api_src_tab[API_SRC_BUCKETS];
static size_t		 api_src_n;
static long		 api_src_total;		/* open connections */
static unsigned long	 api_src_stat[API_SRC_STAT__N];

void
api_src_key(const struct sockaddr *sa, struct api_srckey *k)
{
	const struct sockaddr_in6	*sin6;

	memset(k, 0, sizeof(*k));
	k->k[10] = k->k[11] = 0xff;
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET) {
		memcpy(&k->k[12], &((const struct sockaddr_in *)sa)->sin_addr,
		    4);
		return;
	}
	if (sa->sa_family != AF_INET6)
		return;
	sin6 = (const struct sockaddr_in6 *)sa;
	if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
		memcpy(&k->k[12], &sin6->sin6_addr.s6_addr[12], 4);
		return;
	}
	memset(k, 0, sizeof(*k));
	memcpy(k->k, sin6->sin6_addr.s6_addr, 8);	/* the /64 */
}

static int
api_src_is4(const struct api_srckey *k)
{
	static const uint8_t pfx[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };

	return memcmp(k->k, pfx, sizeof(pfx)) == 0;
}

void
api_src_text(const struct api_srckey *k, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (api_src_is4(k)) {
		if (inet_ntop(AF_INET, &k->k[12], buf, (socklen_t)len) == NULL)
			util_strlcpy(buf, "?", len);
		return;
	}
	if (inet_ntop(AF_INET6, k->k, a, sizeof(a)) == NULL)
		util_strlcpy(buf, "?", len);
	else
		snprintf(buf, len, "%s/64", a);
}

int
api_src_parse(const char *s, struct api_srckey *k)
{
	struct sockaddr_in	sin;
	struct sockaddr_in6	sin6;
	char			buf[INET6_ADDRSTRLEN + 4];
	size_t			n;

	memset(&sin, 0, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	if (inet_pton(AF_INET, s, &sin.sin_addr) == 1) {
		sin.sin_family = AF_INET;
		api_src_key((struct sockaddr *)&sin, k);
		return 0;
	}
	util_strlcpy(buf, s, sizeof(buf));
	n = strlen(buf);
	if (n > 3 && strcmp(buf + n - 3, "/64") == 0)
		buf[n - 3] = '\0';
	if (inet_pton(AF_INET6, buf, &sin6.sin6_addr) != 1)
		return -1;
	sin6.sin6_family = AF_INET6;
	api_src_key((struct sockaddr *)&sin6, k);
	return 0;
}

static unsigned int
api_src_hash(const struct api_srckey *k)
{
	uint32_t	h = 2166136261u;
	size_t		i;

	for (i = 0; i < sizeof(k->k); i++)
		h = (h ^ k->k[i]) * 16777619u;
	return h % API_SRC_BUCKETS;
}

/* The slot pointing at k's entry (or at NULL where it would go). Locked. */
static struct api_src **
api_src_slot(const struct api_srckey *k)
{
	struct api_src **pp = &api_src_tab[api_src_hash(k)];

	while (*pp != NULL && memcmp(&(*pp)->s_key, k, sizeof(*k)) != 0)
		pp = &(*pp)->s_next;
	return pp;
}

/* k's entry, made when create is set and the table has room. Locked. */
static struct api_src *
api_src_get(const struct api_srckey *k, int create)
{
	struct api_src	**pp = api_src_slot(k), *e;

	if (*pp != NULL || !create)
		return *pp;
	if (api_src_n >= API_SRC_MAX)
		return NULL;
	e = xcalloc(1, sizeof(*e));
	e->s_key = *k;
	*pp = e;
	api_src_n++;
	return e;
}

/* Forgets failures past the window; frees an entry with nothing left. */
static void
api_src_expire(struct api_src *e, double now)
{
	if (e->s_fails > 0 && now >= e->s_locked_until &&
	    now - e->s_last_fail > (double)api_limit(API_LIM_AUTH_WINDOW)) {
		e->s_fails = e->s_locks = 0;
		e->s_locked_until = 0;
	}
}

/* Whole seconds to wait, rounded up. */
static int
api_src_secs(double d)
{
	int s = (int)d;

	return (double)s < d ? s + 1 : s;
}

static void
api_src_gc(const struct api_srckey *k)
{
	struct api_src	**pp = api_src_slot(k), *e = *pp;

	if (e == NULL)
		return;
	api_src_expire(e, util_now());
	if (e->s_conns > 0 || e->s_pending > 0 || e->s_fails > 0)
		return;
	*pp = e->s_next;
	free(e);
	api_src_n--;
}

int
api_src_conn_open(const struct api_srckey *k, long *total)
{
	struct api_src	*e;
	int		 n = -1;

	pthread_mutex_lock(&api_src_mtx);
	*total = ++api_src_total;
	if ((e = api_src_get(k, 1)) != NULL)
		n = ++e->s_conns;
	pthread_mutex_unlock(&api_src_mtx);
	return n;
}

void
api_src_conn_close(const struct api_srckey *k, int counted)
{
	struct api_src *e;

	pthread_mutex_lock(&api_src_mtx);
	api_src_total--;
	if (counted && (e = api_src_get(k, 0)) != NULL && e->s_conns > 0) {
		e->s_conns--;
		api_src_gc(k);
	}
	pthread_mutex_unlock(&api_src_mtx);
}

int
api_src_conns(const struct api_srckey *k)
{
	struct api_src	*e;
	int		 n;

	pthread_mutex_lock(&api_src_mtx);
	n = (e = api_src_get(k, 0)) != NULL ? e->s_conns : 0;
	pthread_mutex_unlock(&api_src_mtx);
	return n;
}

void
api_src_count(enum api_src_stat s)
{
	pthread_mutex_lock(&api_src_mtx);
	api_src_stat[s]++;
	pthread_mutex_unlock(&api_src_mtx);
}

int
api_src_auth_begin(const struct api_srckey *k)
{
	struct api_src	*e;
	double		 now = util_now();
	int		 retry = 0;

	pthread_mutex_lock(&api_src_mtx);
	if ((e = api_src_get(k, 1)) == NULL) {
		/* A full table: better a 429 than an unrecorded guess. */
		retry = 1;
		goto done;
	}
	api_src_expire(e, now);
	if (now < e->s_locked_until)
		retry = api_src_secs(e->s_locked_until - now);
	else if (e->s_fails + e->s_pending >= api_limit(API_LIM_AUTH_LOCK))
		retry = 1;	/* checks in flight may lock it: ask again */
	else
		e->s_pending++;
done:
	if (retry > 0)
		api_src_stat[API_SRC_THROTTLED]++;
	pthread_mutex_unlock(&api_src_mtx);
	return retry;
}

int
api_src_auth_end(const struct api_srckey *k, int ok, enum api_auth_kind ak,
    const char *name)
{
	const char	*kind = api_auth_kinds[ak < API_AUTH__N ? ak : 0];
	struct api_src	*e;
	char		 src[INET6_ADDRSTRLEN + 4];
	double		 now = util_now(), lock = 0;
	long		 nfree = api_limit(API_LIM_AUTH_FREE);
	long		 nlock = api_limit(API_LIM_AUTH_LOCK);
	int		 n, delay = 0, locks = 0;

	pthread_mutex_lock(&api_src_mtx);
	if ((e = api_src_get(k, 0)) == NULL) {
		pthread_mutex_unlock(&api_src_mtx);
		return 0;
	}
	if (e->s_pending > 0)
		e->s_pending--;
	if (ok) {
		api_src_gc(k);
		pthread_mutex_unlock(&api_src_mtx);
		return 0;
	}
	n = ++e->s_fails;
	e->s_last_fail = now;
	api_src_stat[API_SRC_FAILURES]++;
	e->s_kind = ak < API_AUTH__N ? ak : API_AUTH_BASIC;
	util_strlcpy(e->s_name, name != NULL && api_printable(name) ? name :
	    "(unprintable)", sizeof(e->s_name));
	if (n > nfree) {
		delay = API_SRC_DELAY_BASE << (n - nfree - 1 > 5 ? 5 :
		    n - nfree - 1);
		if (delay > API_SRC_DELAY_MAX)
			delay = API_SRC_DELAY_MAX;
		api_src_stat[API_SRC_DELAYED]++;
	}
	if (n >= nlock && now >= e->s_locked_until) {
		locks = e->s_locks < 6 ? e->s_locks : 6;
		lock = (double)(api_limit(API_LIM_AUTH_LOCK_TIME) << locks);
		e->s_locked_until = now + lock;
		e->s_locks++;
		api_src_stat[API_SRC_LOCKOUTS]++;
	}
	pthread_mutex_unlock(&api_src_mtx);

	api_src_text(k, src, sizeof(src));
	log_info("api: %s: %s failed for \"%.32s\" (failure %d; %s)", src,
	    kind, name != NULL && api_printable(name) ? name : "(unprintable)",
	    n, delay > 0 ? "answer delayed" : "answered at once");
	if (lock > 0)
		log_warnx("api: %s locked out for %.0f s after %d failed "
		    "credentials: answered 429 until then", src, lock, n);
	return delay;
}

void
api_src_forget(const struct api_srckey *k)
{
	struct api_src *e;

	pthread_mutex_lock(&api_src_mtx);
	if ((e = api_src_get(k, 0)) != NULL) {
		e->s_fails = e->s_locks = 0;
		e->s_locked_until = 0;
		api_src_gc(k);
	}
	pthread_mutex_unlock(&api_src_mtx);
}

static int
api_src_cmp(const void *a, const void *b)
{
	const struct api_src *x = *(struct api_src *const *)a;
	const struct api_src *y = *(struct api_src *const *)b;

	if (x->s_fails != y->s_fails)
		return y->s_fails - x->s_fails;
	return y->s_conns - x->s_conns;
}

json_t *
api_src_report(void)
{
	static const char *const stat_names[API_SRC_STAT__N] = {
		[API_SRC_REFUSED] = "connections_refused",
		[API_SRC_BUSY] = "answered_503",
		[API_SRC_THROTTLED] = "answered_429",
		[API_SRC_FAILURES] = "auth_failures",
		[API_SRC_DELAYED] = "answers_delayed",
		[API_SRC_LOCKOUTS] = "lockouts",
	};
	struct api_src	**all, *e;
	json_t		*rows = json_array(), *stats = json_object(), *o;
	char		 src[INET6_ADDRSTRLEN + 4];
	double		 now = util_now();
	size_t		 i, n = 0;
	long		 total;
	int		 locked = 0;

	pthread_mutex_lock(&api_src_mtx);
	all = xcalloc(api_src_n + 1, sizeof(*all));
	for (i = 0; i < API_SRC_BUCKETS; i++)
		for (e = api_src_tab[i]; e != NULL; e = e->s_next) {
			api_src_expire(e, now);
			if (e->s_fails > 0 || e->s_conns > 0)
				all[n++] = e;
			if (now < e->s_locked_until)
				locked++;
		}
	qsort(all, n, sizeof(*all), api_src_cmp);
	for (i = 0; i < n && i < API_SRC_REPORT_MAX; i++) {
		e = all[i];
		api_src_text(&e->s_key, src, sizeof(src));
		o = json_pack("{s:s,s:i,s:i,s:b,s:i}", "source", src,
		    "connections", e->s_conns, "failures", e->s_fails,
		    "locked", now < e->s_locked_until, "retry_after",
		    now < e->s_locked_until ? api_src_secs(e->s_locked_until - now) : 0);
		if (e->s_fails > 0) {
			json_object_set_new(o, "last_failure",
			    json_integer((json_int_t)e->s_last_fail));
			json_object_set_new(o, "last_kind",
			    json_string(api_auth_kinds[e->s_kind]));
			json_object_set_new(o, "last_name",
			    json_string(e->s_name));
		}
		json_array_append_new(rows, o);
	}
	for (i = 0; i < API_SRC_STAT__N; i++)
		json_object_set_new(stats, stat_names[i],
		    json_integer((json_int_t)api_src_stat[i]));
	total = api_src_total;
	pthread_mutex_unlock(&api_src_mtx);
	free(all);
	return json_pack("{s:I,s:I,s:i,s:o,s:o,s:o}", "connections",
	    (json_int_t)total, "sources_listed", (json_int_t)n, "locked",
	    locked, "counters", stats, "sources", rows, "limits",
	    api_limits_json());
}

void
api_src_fini(void)
{
	struct api_src	*e, *next;
	size_t		 i;

	pthread_mutex_lock(&api_src_mtx);
	for (i = 0; i < API_SRC_BUCKETS; i++) {
		for (e = api_src_tab[i]; e != NULL; e = next) {
			next = e->s_next;
			free(e);
		}
		api_src_tab[i] = NULL;
	}
	api_src_n = 0;
	api_src_total = 0;
	memset(api_src_stat, 0, sizeof(api_src_stat));
	pthread_mutex_unlock(&api_src_mtx);
}
