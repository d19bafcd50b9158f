/*
 * handlers_filter.c — the packet filter's controllers besides the rule
 * CRUD: apply with rollback (OPNsense's savepoint / apply/<rev> /
 * cancel_rollback/<rev>), the state table (diagnostics/firewall:
 * query_states, kill_states, flush_states) and the firewall log
 * (diagnostics/firewall/log).
 *
 * Rollback: a remote administrator takes a savepoint (the revision the
 * store is at), edits rules, and applies with apply/<rev>, which arms a
 * timer. Unless cancel_rollback/<rev> comes within the retention time
 * (60 s; TW_ROLLBACK_SECONDS in tests), the filter, alias and NAT
 * sections are restored from revision <rev> as a new revision and
 * applied: an administrator who locked himself out gets his access back.
 *
 * The timer lives here, in the API child, in one thread: the child owns
 * the store, and a rollback is a store restore followed by an ordinary
 * apply through the parent. A timer in the parent would have to ask the
 * child to do exactly that, and the parent never writes the store. A
 * child restart forgets an armed timer; the rules then stay as applied
 * (as OPNsense after a reboot), and rollback_status says nothing is
 * armed.
 *
 * States: the parent reads conntrack (platform p_states) and answers the
 * whole table; searching and paging happen here.
 *
 * The log: the parent answers its last entries (fwlog.h, newest first);
 * the names only the store knows (interface, the rule's description) are
 * added here, then the search and the page.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include "api.h"
#include "apply.h"
#include "sync.h"
#include "config.h"
#include "fwlog.h"
#include "ipc.h"
#include "log.h"
#include "store.h"
#include "util.h"
#include "webapi.h"

#define FILTER_KV_LAST		"filter_rollback_last"

/* The sections a rollback restores, and the subsystems it applies. */
static const char *const filter_sections[] = {
	"filter_rules", "aliases", "snat", "snat_rules", "dnat_rules",
};
static const subsys_mask filter_subsys = SUBSYS_BIT(SUBSYS_FILTER) |
    SUBSYS_BIT(SUBSYS_ALIASES) | SUBSYS_BIT(SUBSYS_NAT);

static pthread_mutex_t	 filter_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 filter_cond;
static int		 filter_thread_up;
static long long	 filter_armed;		/* revision, 0: none */
static struct timespec	 filter_deadline;	/* CLOCK_MONOTONIC */

/* --limit rollback_seconds (limits.c); OPNsense's 60 by default. */
static int
filter_retention(void)
{
	return (int)api_limit(API_LIM_ROLLBACK);
}

/*
 * Applies the stored filter/alias/NAT configuration through the parent
 * (the one apply path, apply.h) and clears their dirty flags. 0, or
 * -1 with the parent's reason in why.
 */
static int
filter_apply_stored(struct store *st, char *why, size_t whylen)
{
	return apply_run(st, filter_subsys, &apply_via_priv, "api", NULL, why,
	    whylen);
}

/* Restores revision id's filter sections and applies them. */
static void
filter_rollback(long long id, int secs)
{
	struct cfg_errors	 errs;
	struct cfg_ctx		 ctx;
	struct store		*st;
	json_t			*old = NULL, *part = NULL, *secs_obj, *v, *ev;
	char			 err[1024], descr[128], *text;
	json_t			*list;
	const char		*result = "failed";
	size_t			 i;

	err[0] = '\0';
	cfg_errors_init(&errs, "rollback");
	if ((st = store_open(api_conf()->w_datadir, err, sizeof(err))) ==
	    NULL)
		goto done;
	if ((old = store_revision_snapshot(st, id)) == NULL) {
		snprintf(err, sizeof(err), "revision %lld is gone", id);
		goto done;
	}
	secs_obj = json_object();
	for (i = 0; i < nitems(filter_sections); i++) {
		v = json_object_get(json_object_get(old, "sections"),
		    filter_sections[i]);
		if (v != NULL)
			json_object_set(secs_obj, filter_sections[i], v);
	}
	part = json_pack("{s:i,s:o}", "format", 1, "sections", secs_obj);
	snprintf(descr, sizeof(descr), "rollback to revision %lld (not "
	    "confirmed in %d s)", id, secs);
	memset(&ctx, 0, sizeof(ctx));
	ctx.c_st = st;
	ctx.c_user = "system (rollback)";
	if (cfg_restore(&ctx, part, descr, &errs) != 0) {
		text = json_dumps(errs.e_obj, JSON_COMPACT);
		snprintf(err, sizeof(err), "restore refused: %s",
		    text ? text : "?");
		free(text);
		goto done;
	}
	if (filter_apply_stored(st, err, sizeof(err)) == -1)
		goto done;
	result = "ok";
done:
	if (strcmp(result, "ok") == 0)
		log_warnx("filter: apply of revision %lld not confirmed in %d "
		    "s: rolled back and applied", id, secs);
	else
		log_warnx("filter: rollback to revision %lld failed: %s", id,
		    err);
	if (st != NULL) {
		list = store_revision_list(st, 1);
		ev = json_pack("{s:I,s:I,s:s,s:s,s:s,s:O}",
		    "time", (json_int_t)time(NULL), "revision", (json_int_t)id,
		    "result", result, "message", strcmp(result, "ok") == 0 ?
		    descr : err, "description", descr, "new_revision",
		    json_object_get(json_array_get(list, 0), "id") ?
		    json_object_get(json_array_get(list, 0), "id") :
		    json_null());
		text = json_dumps(ev, JSON_COMPACT);
		if (text != NULL)
			store_kv_set(st, FILTER_KV_LAST, text);
		free(text);
		json_decref(ev);
		json_decref(list);
		store_close(st);
	}
	cfg_errors_free(&errs);
	json_decref(old);
	json_decref(part);
}

static void *
filter_timer(void *arg)
{
	struct timespec	now;
	long long	id;
	int		secs;

	(void)arg;
	pthread_mutex_lock(&filter_lock);
	for (;;) {
		if (filter_armed == 0) {
			pthread_cond_wait(&filter_cond, &filter_lock);
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec < filter_deadline.tv_sec ||
		    (now.tv_sec == filter_deadline.tv_sec &&
		    now.tv_nsec < filter_deadline.tv_nsec)) {
			pthread_cond_timedwait(&filter_cond, &filter_lock,
			    &filter_deadline);
			continue;
		}
		id = filter_armed;
		filter_armed = 0;
		secs = filter_retention();
		pthread_mutex_unlock(&filter_lock);
		filter_rollback(id, secs);
		pthread_mutex_lock(&filter_lock);
	}
	return NULL;
}

/* Arms (or re-arms) the rollback to id. 0, or -1 when no thread. */
static int
filter_arm(long long id, int secs)
{
	pthread_condattr_t	ca;
	pthread_t		t;
	int			ret = 0;

	pthread_mutex_lock(&filter_lock);
	if (!filter_thread_up) {
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&filter_cond, &ca);
		pthread_condattr_destroy(&ca);
		if (pthread_create(&t, NULL, filter_timer, NULL) != 0) {
			log_warnx("filter: cannot start the rollback timer");
			ret = -1;
			goto err;
		}
		pthread_detach(t);
		filter_thread_up = 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &filter_deadline);
	filter_deadline.tv_sec += secs;
	filter_armed = id;
	pthread_cond_signal(&filter_cond);
err:
	pthread_mutex_unlock(&filter_lock);
	return ret;
}

int
api_handle_filter_savepoint(struct api_req *req, struct api_resp *resp)
{
	struct store	*st;
	json_t		*list;
	char		 rev[32];

	(void)req;
	if ((st = api_store()) == NULL ||
	    (list = store_revision_list(st, 1)) == NULL)
		return -1;
	snprintf(rev, sizeof(rev), "%lld", (long long)json_integer_value(
	    json_object_get(json_array_get(list, 0), "id")));
	json_decref(list);
	return api_reply(resp, MHD_HTTP_OK, json_pack("{s:s,s:i,s:s}",
	    "status", "ok", "retention", filter_retention(), "revision", rev));
}

int
api_handle_filter_apply_rev(struct api_req *req, struct api_resp *resp)
{
	struct store	*st;
	json_t		*snap;
	long long	 id;
	int		 secs = filter_retention();

	if ((id = api_revision_id(req->r_params[0])) == -1)
		return api_reply_status(resp, MHD_HTTP_NOT_FOUND, "Not Found");
	if ((st = api_store()) == NULL)
		return -1;
	if ((snap = store_revision_snapshot(st, id)) == NULL)
		return api_reply_status(resp, MHD_HTTP_NOT_FOUND,
		    "No such revision");
	json_decref(snap);
	if (api_handle_apply(req, resp) == -1)
		return -1;
	if (resp->rs_status != MHD_HTTP_OK)
		return 0;	/* nothing new in force: nothing to undo */
	if (filter_arm(id, secs) == -1)
		return api_reply_msg(resp, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "failed", "applied, but the rollback timer did not start");
	log_info("filter: %s applied with rollback to revision %lld in %d s",
	    req->r_actor, id, secs);
	return api_reply(resp, MHD_HTTP_OK, json_pack("{s:s,s:i,s:s}",
	    "status", "ok", "retention", secs, "revision",
	    req->r_params[0]));
}

int
api_handle_filter_cancel_rollback(struct api_req *req, struct api_resp *resp)
{
	long long	id;
	int		cancelled = 0;

	if ((id = api_revision_id(req->r_params[0])) == -1)
		return api_reply_status(resp, MHD_HTTP_NOT_FOUND, "Not Found");
	pthread_mutex_lock(&filter_lock);
	if (filter_armed == id) {
		filter_armed = 0;
		cancelled = 1;
	}
	pthread_mutex_unlock(&filter_lock);
	if (cancelled)
		log_info("filter: %s confirmed the rules (rollback to revision "
		    "%lld cancelled)", req->r_actor, id);
	return api_reply(resp, MHD_HTTP_OK, json_pack("{s:s,s:b}", "status",
	    "ok", "cancelled", cancelled));
}

int
api_handle_filter_rollback_status(struct api_req *req, struct api_resp *resp)
{
	struct timespec	 now;
	struct store	*st;
	json_t		*last = NULL;
	char		*text;
	long long	 id;
	long		 left = 0;

	(void)req;
	if ((st = api_store()) == NULL)
		return -1;
	if ((text = store_kv_get(st, FILTER_KV_LAST)) != NULL) {
		last = json_loads(text, 0, NULL);
		free(text);
	}
	pthread_mutex_lock(&filter_lock);
	id = filter_armed;
	if (id != 0) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = (long)(filter_deadline.tv_sec - now.tv_sec);
		if (left < 0)
			left = 0;
	}
	pthread_mutex_unlock(&filter_lock);
	return api_reply(resp, MHD_HTTP_OK, json_pack("{s:s,s:b,s:I,s:i,s:o}",
	    "status", "ok", "armed", id != 0, "revision", (json_int_t)id,
	    "remaining", (int)left, "last", last ? last : json_null()));
}

/* States. */

static int
filter_row_matches(json_t *row, const char *phrase)
{
	char		 word[128], val[128];
	const char	*p = phrase, *k;
	json_t		*v;
	size_t		 n;
	int		 hit;

	for (;;) {
		p += strspn(p, " ");
		if ((n = strcspn(p, " ")) == 0)
			return 1;
		if (n >= sizeof(word))
			n = sizeof(word) - 1;
		memcpy(word, p, n);
		word[n] = '\0';
		p += strcspn(p, " ");
		hit = 0;
		json_object_foreach(row, k, v) {
			if (json_is_string(v))
				util_strlcpy(val, json_string_value(v),
				    sizeof(val));
			else if (json_is_integer(v))
				snprintf(val, sizeof(val), "%lld",
				    (long long)json_integer_value(v));
			else
				continue;
			if (strcasestr(val, word) != NULL) {
				hit = 1;
				break;
			}
		}
		if (!hit)
			return 0;
	}
}

static long
filter_arg_int(json_t *args, const char *key, long dflt)
{
	json_t		*v = json_object_get(args, key);
	const char	*s;
	char		*end;
	long		 n;

	if (json_is_integer(v))
		return (long)json_integer_value(v);
	if ((s = json_string_value(v)) == NULL || *s == '\0')
		return dflt;
	n = strtol(s, &end, 10);
	return *end == '\0' ? n : dflt;
}

int
api_handle_query_states(struct api_req *req, struct api_resp *resp)
{
	json_t		*args = api_args(req), *ans, *rows, *row, *out;
	const char	*phrase;
	long		 current, count, total = 0, first;
	size_t		 i;

	phrase = json_string_value(json_object_get(args, "searchPhrase"));
	current = filter_arg_int(args, "current", 1);
	count = filter_arg_int(args, "rowCount", -1);
	if (current < 1)
		current = 1;
	ans = priv_ask(IPC_STATES);
	if (strcmp(cfg_str(ans, "status"), "ok") != 0) {
		api_reply(resp, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    ipc_failed("%s", cfg_str(ans, "message")));
		json_decref(ans);
		return 0;
	}
	rows = json_object_get(ans, "rows");
	out = json_array();
	first = count > 0 ? (current - 1) * count : 0;
	json_array_foreach(rows, i, row) {
		if (phrase != NULL && !filter_row_matches(row, phrase))
			continue;
		if (total++ < first || (count > 0 &&
		    (long)json_array_size(out) >= count))
			continue;
		json_array_append(out, row);
	}
	api_reply(resp, MHD_HTTP_OK, json_pack("{s:I,s:I,s:I,s:o}",
	    "total", (json_int_t)total, "rowCount", (json_int_t)
	    json_array_size(out), "current", (json_int_t)current,
	    "rows", out));
	if (json_object_get(ans, "note") != NULL)
		json_object_set(resp->rs_body, "note",
		    json_object_get(ans, "note"));
	json_decref(ans);
	return 0;
}

static int
filter_states_call(struct api_resp *resp, json_t *msg)
{
	json_t *ans;

	ans = priv_call(msg);
	json_decref(msg);
	if (strcmp(cfg_str(ans, "status"), "ok") != 0)
		api_reply_msg(resp, MHD_HTTP_BAD_REQUEST, "failed",
		    cfg_str(ans, "message"));
	else
		api_reply(resp, MHD_HTTP_OK, json_pack("{s:s,s:O}", "result",
		    "ok", "dropped_states", json_object_get(ans,
		    "dropped_states")));
	json_decref(ans);
	return 0;
}

int
api_handle_kill_states(struct api_req *req, struct api_resp *resp)
{
	const char *filter;

	filter = json_string_value(json_object_get(api_args(req), "filter"));
	if (filter == NULL || filter[0] == '\0')
		return api_reply_refused(resp, MHD_HTTP_BAD_REQUEST, "filter",
		    "an address or network is required");
	return filter_states_call(resp, json_pack("{s:s,s:s}", "type",
	    "kill_states", "filter", filter));
}

int
api_handle_flush_states(struct api_req *req, struct api_resp *resp)
{
	(void)req;
	return filter_states_call(resp, json_pack("{s:s}", "type",
	    "flush_states"));
}

/* The firewall log. */

#define FILTER_PHRASE_MAX	256

/*
 * A whole number argument (a JSON integer or its text) in lo..hi, dflt
 * when absent or empty. 0, or -1 when it is something else.
 */
static int
filter_arg_long(json_t *args, const char *key, long dflt, long lo, long hi,
    long *out)
{
	json_t		*v = json_object_get(args, key);
	const char	*s;
	char		*end;
	long		 n;

	*out = dflt;
	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_integer(v)) {
		if (json_integer_value(v) < lo || json_integer_value(v) > hi)
			return -1;
		*out = (long)json_integer_value(v);
		return 0;
	}
	if ((s = json_string_value(v)) == NULL)
		return -1;
	if (*s == '\0')
		return 0;
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || n < lo || n > hi)
		return -1;
	*out = n;
	return 0;
}

/* The API's row of a resolved parent row (fwlog.h): a new object. */
static json_t *
filter_log_row(json_t *in)
{
	static const char *const fields[] = { "time", "interface", "dir",
	    "action", "proto", "src", "src_port", "dst", "dst_port", "rule",
	    "label", "icmp_type" };
	json_t	*out = json_object();
	size_t	 i;

	for (i = 0; i < nitems(fields); i++)
		json_object_set_new(out, fields[i],
		    json_string(cfg_str(in, fields[i])));
	return out;
}

int
api_handle_firewall_log(struct api_req *req, struct api_resp *resp)
{
	json_t		*args = api_args(req), *v, *bad, *ans, *rows;
	json_t		*row, *out;
	struct store	*st;
	const char	*phrase = NULL;
	long		 current, count, total = 0, first;
	size_t		 i;

	bad = json_object();
	if (filter_arg_long(args, "current", 1, 1, 1000000, &current) == -1)
		json_object_set_new(bad, "current", json_string("must be a "
		    "page number from 1"));
	if (filter_arg_long(args, "rowCount", -1, -1, 100000, &count) == -1)
		json_object_set_new(bad, "rowCount", json_string("must be -1 "
		    "(all) or a count"));
	if ((v = json_object_get(args, "searchPhrase")) != NULL &&
	    !json_is_null(v)) {
		if (!json_is_string(v) ||
		    json_string_length(v) > FILTER_PHRASE_MAX)
			json_object_set_new(bad, "searchPhrase", json_string(
			    "must be a string of at most 256 characters"));
		else
			phrase = json_string_value(v);
	}
	if (json_object_size(bad) > 0) {
		api_reply_validations(resp, bad);
		json_decref(bad);
		return 0;
	}
	json_decref(bad);
	if (count == 0)
		count = -1;
	if ((st = api_store()) == NULL)
		return -1;
	ans = priv_ask(IPC_FIREWALL_LOG);
	rows = json_object_get(ans, "rows");
	if (strcmp(cfg_str(ans, "status"), "ok") != 0 || !json_is_array(rows)) {
		api_reply(resp, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    ipc_failed("%s", cfg_str(ans, "message")));
		json_decref(ans);
		return 0;
	}
	fwlog_resolve(st, rows);
	out = json_array();
	first = count > 0 ? (current - 1) * count : 0;
	json_array_foreach(rows, i, row) {
		row = filter_log_row(row);
		if ((phrase == NULL || filter_row_matches(row, phrase)) &&
		    total++ >= first && (count < 0 ||
		    (long)json_array_size(out) < count))
			json_array_append(out, row);
		json_decref(row);
	}
	api_reply(resp, MHD_HTTP_OK, json_pack("{s:I,s:I,s:I,s:o}",
	    "total", (json_int_t)total, "rowCount", (json_int_t)
	    json_array_size(out), "current", (json_int_t)current,
	    "rows", out));
	if ((v = json_object_get(ans, "note")) != NULL)
		json_object_set(resp->rs_body, "note", v);
	json_decref(ans);
	return 0;
}
