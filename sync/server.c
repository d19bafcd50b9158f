/*
 * server.c — the backup side of the sync: the XML-RPC methods behind
 * POST /xmlrpc.php (webapi/xmlrpc.c has authenticated the caller).
 *
 * The XML is parsed by xmlrpc-c's registry (never by hand) with the body
 * capped by the webapi (its body limit, SYNC_MAX_XML by default) and
 * xmlrpc-c's nesting limit set low: a configuration payload is params > struct > array > struct >
 * scalar. Everything wrong is an XML-RPC fault with a message that says
 * what: unknown method, malformed payload, invalid section (validated by
 * cfg_restore with the API's model; an invalid payload changes nothing).
 *
 * Methods (the first five as OPNsense's xmlrpc.php serves them to an
 * OPNsense master; tests/sync/ drives them as one does):
 *   opnsense.firmware_version()              -> {base,firmware,kernel}
 *   opnsense.restore_config_section(struct)  -> true (merge, 1 revision)
 *   opnsense.filter_configure()              -> true (the backup applies)
 *   opnsense.list_services()                 -> [{name,description,...}]
 *   opnsense.restart_service({service,id})   -> "ok"
 *   twinwall.config_hash([sections])         -> hash of the sync view
 *   twinwall.stage_config_section(token, struct) -> rows staged
 *   twinwall.restore_config_section(token, struct) -> true
 * The two staging methods carry payloads larger than one request body
 * (10,000 rules): the master stages chunks under a random token, the
 * restore then merges staged rows + its own struct in one transaction.
 * One stage exists at a time; a new token replaces it; it expires.
 */
#include <sys/utsname.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xmlrpc-c/base.h>
#include <xmlrpc-c/server.h>

#include "apply.h"
#include "config.h"
#include "sections.h"
#include "ipc.h"
#include "log.h"
#include "sched.h"
#include "store.h"
#include "sync_int.h"
#include "util.h"

#ifndef TW_VERSION
#define TW_VERSION "0.0.0"
#endif

/* Deep enough for an MVC subtree as OPNsense sends it: OPNsense.Firewall.
 * Filter.rules.rule[].field with @attributes is about 10 levels. */
#define SYNC_NESTING_LIMIT	32
#define SYNC_STAGE_TTL		120.0	/* seconds */
#define SYNC_TOKEN_MIN		16
#define SYNC_TOKEN_MAX		64

#define SYNC_FAULT_PARAMS	(-32602)	/* malformed arguments */
#define SYNC_FAULT_METHOD	(-32601)	/* no such method */
#define SYNC_FAULT_INVALID	(-32000)	/* refused by the model */
#define SYNC_FAULT_APPLY	(-32001)	/* the apply failed */
#define SYNC_FAULT_INTERNAL	(-32603)

/* Per call: who asks, and the worker's store. */
struct sync_call {
	struct store	*c_st;
	const char	*c_actor;	/* "user@address" */
};

static pthread_once_t	 sync_server_once = PTHREAD_ONCE_INIT;
static xmlrpc_registry	*sync_registry;

/*
 * The snapshot filter_configure just applied, kept for the master's
 * config_hash that follows at once (reading 10,000 rules again costs
 * 0.15 s). Used once, and only while no revision was stored since.
 */
static pthread_mutex_t	 sync_applied_mtx = PTHREAD_MUTEX_INITIALIZER;
static json_t		*sync_applied;
static long long	 sync_applied_rev;

static pthread_mutex_t	 sync_stage_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char		 st_token[SYNC_TOKEN_MAX + 1];
	json_t		*st_secs;	/* section -> staged rows */
	size_t		 st_rows;
	double		 st_expires;
} sync_stage;

/* 1 when s is short printable ASCII, safe for a message or a log. */
static int
sync_printable(const char *s, size_t max)
{
	size_t n = 0;

	for (; *s != '\0'; s++, n++)
		if (*s < 0x20 || *s > 0x7e || n >= max)
			return 0;
	return 1;
}

/*
 * The i-th parameter as JSON, which must be of JSON type want (or any
 * when want is -1). Returns a new value or NULL with the fault set.
 */
static json_t *
sync_param(xmlrpc_env *env, xmlrpc_value *params, int i, int want,
    const char *what)
{
	xmlrpc_value	*v;
	json_t		*j;

	if (xmlrpc_array_size(env, params) <= i) {
		xmlrpc_env_set_fault_formatted(env, SYNC_FAULT_PARAMS,
		    "missing argument %d: %s", i + 1, what);
		return NULL;
	}
	xmlrpc_array_read_item(env, params, (unsigned)i, &v);
	if (env->fault_occurred)
		return NULL;
	j = sync_json_from_xml(env, v);
	xmlrpc_DECREF(v);
	if (j == NULL) {
		char msg[256];

		snprintf(msg, sizeof(msg), "argument %d: %s", i + 1,
		    env->fault_string);
		xmlrpc_env_clean(env);
		xmlrpc_env_init(env);
		xmlrpc_env_set_fault(env, SYNC_FAULT_PARAMS, msg);
		return NULL;
	}
	if (want != -1 && (int)json_typeof(j) != want) {
		json_decref(j);
		xmlrpc_env_set_fault_formatted(env, SYNC_FAULT_PARAMS,
		    "argument %d must be %s", i + 1, what);
		return NULL;
	}
	return j;
}

static xmlrpc_value *
sync_m_firmware(xmlrpc_env *env, xmlrpc_value *params, void *si, void *ci)
{
	struct utsname	u;

	(void)params;
	(void)si;
	(void)ci;
	if (uname(&u) == -1)
		util_strlcpy(u.release, "unknown", sizeof(u.release));
	return xmlrpc_build_value(env, "{s:{s:s},s:{s:s},s:{s:s},s:s}",
	    "base", "version", TW_VERSION,
	    "firmware", "version", TW_VERSION,
	    "kernel", "version", u.release,
	    "product", "twinwall");
}

/* Drops the stage (caller holds the mutex). */
static void
sync_stage_clear(void)
{
	json_decref(sync_stage.st_secs);
	memset(&sync_stage, 0, sizeof(sync_stage));
}

static int
sync_token_ok(const char *t)
{
	size_t n = strlen(t);

	return n >= SYNC_TOKEN_MIN && n <= SYNC_TOKEN_MAX &&
	    strspn(t, "0123456789abcdef") == n;
}

/* Appends the rows of in (section -> rows) to dst; 0 or -1 with err. */
static int
sync_stage_add(json_t *dst, json_t *in, size_t *rows, char *err,
    size_t errlen)
{
	const char	*name;
	json_t		*data, *have;

	json_object_foreach(in, name, data) {
		if (!sync_section_ok(name) || !json_is_array(data)) {
			snprintf(err, errlen, "only row sections may be "
			    "staged (%s)", sync_printable(name, 32) ? name :
			    "?");
			return -1;
		}
		*rows += json_array_size(data);
		if (*rows > SYNC_MAX_ROWS) {
			snprintf(err, errlen, "too many rows staged (at most "
			    "%d)", SYNC_MAX_ROWS);
			return -1;
		}
		if ((have = json_object_get(dst, name)) == NULL)
			json_object_set(dst, name, data);
		else
			json_array_extend(have, data);
	}
	return 0;
}

static xmlrpc_value *
sync_m_stage(xmlrpc_env *env, xmlrpc_value *params, void *si, void *ci)
{
	json_t	*tok, *in;
	char	 err[256];
	int	 rows = -1;

	(void)si;
	(void)ci;
	if ((tok = sync_param(env, params, 0, JSON_STRING, "a token")) == NULL)
		return NULL;
	if ((in = sync_param(env, params, 1, JSON_OBJECT,
	    "a struct of sections")) == NULL) {
		json_decref(tok);
		return NULL;
	}
	err[0] = '\0';
	pthread_mutex_lock(&sync_stage_mtx);
	if (!sync_token_ok(json_string_value(tok)))
		snprintf(err, sizeof(err), "the token must be 16-64 lower "
		    "case hex digits");
	else {
		if (strcmp(sync_stage.st_token, json_string_value(tok)) != 0 ||
		    util_now() > sync_stage.st_expires) {
			sync_stage_clear();
			util_strlcpy(sync_stage.st_token,
			    json_string_value(tok),
			    sizeof(sync_stage.st_token));
			sync_stage.st_secs = json_object();
		}
		sync_stage.st_expires = util_now() + SYNC_STAGE_TTL;
		if (sync_stage_add(sync_stage.st_secs, in,
		    &sync_stage.st_rows, err, sizeof(err)) == -1)
			sync_stage_clear();
		else
			rows = (int)sync_stage.st_rows;
	}
	pthread_mutex_unlock(&sync_stage_mtx);
	json_decref(tok);
	json_decref(in);
	if (rows == -1) {
		xmlrpc_env_set_fault(env, SYNC_FAULT_PARAMS, err);
		return NULL;
	}
	return xmlrpc_int_new(env, rows);
}

/* "filter_rules,aliases" from an object's keys; a new string. */
static char *
sync_names(json_t *secs)
{
	const char	*name;
	json_t		*v;
	char		*s = xstrdup(""), *t;

	json_object_foreach(secs, name, v) {
		t = xasprintf("%s%s%s", s, *s ? ", " : "", name);
		free(s);
		s = t;
	}
	return s;
}

/* The first messages of a failed validation, for the fault. */
static void
sync_errors_text(struct cfg_errors *e, char *out, size_t len)
{
	const char	*key;
	json_t		*v;
	size_t		 n = 0;
	int		 count = 0;

	out[0] = '\0';
	json_object_foreach(e->e_obj, key, v) {
		if (count++ == 5) {
			snprintf(out + n, len - n, "; ...");
			break;
		}
		snprintf(out + n, len - n, "%s%s: %s", n ? "; " : "", key,
		    json_string_value(v) ? json_string_value(v) : "invalid");
		n = strlen(out);
		if (n + 1 >= len)
			break;
	}
}

/*
 * 1 if the users of snap keep the account this sync logs in as (the user
 * part of actor) enabled and admin. A payload that drops, disables or
 * demotes it would be accepted now and make every later sync fail to log
 * in: a sync that silently stops. It is refused while someone is looking.
 */
static int
sync_keeps_actor(json_t *snap, const char *actor)
{
	json_t	*users, *u, *row;
	size_t	 i, n = strcspn(actor, "@");
	int	 ok;

	users = json_object_get(json_object_get(snap, "sections"), "users");
	if (users == NULL)
		return 1;
	json_array_foreach(users, i, u) {
		if (strlen(cfg_str(u, "name")) != n ||
		    strncmp(cfg_str(u, "name"), actor, n) != 0)
			continue;
		/* The wire leaves out fields at their default. */
		row = cfg_defaults(&cfg_sec_users);
		json_object_update(row, u);
		ok = strcmp(cfg_str(row, "disabled"), "1") != 0 &&
		    (strcmp(cfg_str(row, "scope"), "admin") == 0 ||
		    strcmp(cfg_str(row, "scope"), "xmlrpc") == 0);
		json_decref(row);
		return ok;
	}
	return 0;
}

/* Merges and restores in (stolen); NULL with the fault set, or true. */
static xmlrpc_value *
sync_restore(xmlrpc_env *env, struct sync_call *call, json_t *in)
{
	struct cfg_errors	 errs;
	struct cfg_ctx		 ctx;
	json_t			*snap;
	const char		*peer;
	char			 err[1024], *names, *descr, user[128];
	int			 rc;

	snap = sync_merge(call->c_st, in, err, sizeof(err));
	if (snap == NULL) {
		json_decref(in);
		xmlrpc_env_set_fault_formatted(env, SYNC_FAULT_PARAMS,
		    "malformed payload, nothing changed: %s", err);
		return NULL;
	}
	if (json_object_get(in, "users") != NULL &&
	    !sync_keeps_actor(snap, call->c_actor)) {
		log_warnx("sync: refused users from %s: they do not keep %.*s "
		    "as an enabled admin", call->c_actor,
		    (int)strcspn(call->c_actor, "@"), call->c_actor);
		xmlrpc_env_set_fault_formatted(env, SYNC_FAULT_INVALID,
		    "invalid configuration, nothing changed: the users section "
		    "would leave %.*s, the account this sync logs in as, "
		    "missing, disabled or not an admin, and every later sync "
		    "would fail to log in; add it to the master's users or "
		    "sync with another account",
		    (int)strcspn(call->c_actor, "@"), call->c_actor);
		json_decref(in);
		json_decref(snap);
		return NULL;
	}
	peer = strchr(call->c_actor, '@');
	peer = peer != NULL ? peer + 1 : call->c_actor;
	names = sync_names(in);
	json_decref(in);
	descr = xasprintf("merged %s from %s", *names ? names : "nothing",
	    peer);
	snprintf(user, sizeof(user), "sync %s", call->c_actor);
	memset(&ctx, 0, sizeof(ctx));
	ctx.c_st = call->c_st;
	ctx.c_user = user;
	cfg_errors_init(&errs, "sync");
	rc = cfg_restore(&ctx, snap, descr, &errs);
	if (rc == 0)
		log_info("sync: %s (by %s)", descr, call->c_actor);
	else if (rc == CFG_ESTORE)
		xmlrpc_env_set_fault_formatted(env, SYNC_FAULT_INTERNAL,
		    "the store failed, nothing changed: %s",
		    store_errmsg(call->c_st));
	else {
		sync_errors_text(&errs, err, sizeof(err));
		log_warnx("sync: refused a payload from %s: %s",
		    call->c_actor, err);
		xmlrpc_env_set_fault_formatted(env, SYNC_FAULT_INVALID,
		    "invalid configuration, nothing changed: %s", err);
	}
	cfg_errors_free(&errs);
	json_decref(snap);
	free(names);
	free(descr);
	return rc == 0 ? xmlrpc_bool_new(env, 1) : NULL;
}

static xmlrpc_value *
sync_m_restore(xmlrpc_env *env, xmlrpc_value *params, void *si, void *ci)
{
	struct sync_call	*call = ci;
	json_t			*in, *secs, *ignored = NULL, *ans;
	xmlrpc_value		*v;
	char			 err[512], *names;

	(void)si;
	if ((in = sync_param(env, params, 0, JSON_OBJECT,
	    "a struct of sections")) == NULL)
		return NULL;
	if (!sync_opn_shaped(in))
		return sync_restore(env, ci, in);
	/* An OPNsense master: config.xml subtrees, through the importer's
	 * forms. What no form maps is named; a row that cannot be read
	 * refuses the whole payload. */
	secs = sync_opn_sections(in, &ignored, err, sizeof(err));
	json_decref(in);
	if (secs == NULL) {
		json_decref(ignored);
		log_warnx("sync: refused an OPNsense payload from %s: %s",
		    call->c_actor, err);
		xmlrpc_env_set_fault_formatted(env, strncmp(err, "unknown", 7)
		    == 0 ? SYNC_FAULT_PARAMS : SYNC_FAULT_INVALID, "%s", err);
		return NULL;
	}
	if (json_array_size(ignored) > 0) {
		names = json_dumps(ignored, JSON_COMPACT);
		log_warnx("sync: %s sent parts twinwall does not map, left "
		    "as they are: %s", call->c_actor, names ? names : "?");
		free(names);
	}
	if ((v = sync_restore(env, ci, secs)) == NULL ||
	    json_array_size(ignored) == 0) {
		json_decref(ignored);
		return v;
	}
	xmlrpc_DECREF(v);
	ans = json_pack("{s:b,s:o}", "result", 1, "ignored", ignored);
	v = sync_xml_from_json(env, ans);
	json_decref(ans);
	return v;
}

static xmlrpc_value *
sync_m_restore_staged(xmlrpc_env *env, xmlrpc_value *params, void *si,
    void *ci)
{
	json_t		*tok, *in, *all = NULL, *data;
	const char	*name;
	char		 err[256];
	size_t		 rows = 0;

	(void)si;
	if ((tok = sync_param(env, params, 0, JSON_STRING, "a token")) == NULL)
		return NULL;
	if ((in = sync_param(env, params, 1, JSON_OBJECT,
	    "a struct of sections")) == NULL) {
		json_decref(tok);
		return NULL;
	}
	err[0] = '\0';
	pthread_mutex_lock(&sync_stage_mtx);
	if (sync_stage.st_secs == NULL || util_now() > sync_stage.st_expires ||
	    strcmp(sync_stage.st_token, json_string_value(tok)) != 0)
		snprintf(err, sizeof(err), "nothing staged under this token "
		    "(expired after %.0f s, or replaced by another sync)",
		    SYNC_STAGE_TTL);
	else {
		all = sync_stage.st_secs;
		rows = sync_stage.st_rows;
		sync_stage.st_secs = NULL;
		sync_stage_clear();
	}
	pthread_mutex_unlock(&sync_stage_mtx);
	json_decref(tok);
	if (all == NULL) {
		json_decref(in);
		xmlrpc_env_set_fault_formatted(env, SYNC_FAULT_PARAMS,
		    "%s; nothing changed", err);
		return NULL;
	}
	/* Staged rows come first, then the rows of the final call. */
	json_object_foreach(in, name, data) {
		if (json_is_array(data) && json_is_array(json_object_get(all,
		    name))) {
			rows += json_array_size(data);
			json_array_extend(json_object_get(all, name), data);
		} else
			json_object_set(all, name, data);
	}
	json_decref(in);
	if (rows > SYNC_MAX_ROWS) {
		json_decref(all);
		xmlrpc_env_set_fault_formatted(env, SYNC_FAULT_PARAMS,
		    "too many rows (at most %d); nothing changed",
		    SYNC_MAX_ROWS);
		return NULL;
	}
	return sync_restore(env, ci, all);
}

static xmlrpc_value *
sync_m_configure(xmlrpc_env *env, xmlrpc_value *params, void *si, void *ci)
{
	struct sync_call	*call = ci;
	struct apply_done	 done;
	char			 err[1024];
	int			 rc;

	(void)params;
	(void)si;
	/* What the restore left pending; a bare configure reloads the filter. */
	rc = apply_run(call->c_st, store_dirty_mask(call->c_st) != 0 ? 0 :
	    SUBSYS_BIT(SUBSYS_FILTER), &apply_via_priv, "xmlrpc", &done, err,
	    sizeof(err));
	pthread_mutex_lock(&sync_applied_mtx);
	json_decref(sync_applied);
	sync_applied = done.ad_snap;	/* taken over; NULL when composed */
	sync_applied_rev = done.ad_rev;
	done.ad_snap = NULL;
	pthread_mutex_unlock(&sync_applied_mtx);
	if (rc == -1) {
		log_warnx("sync: filter_configure for %s: %s", call->c_actor,
		    err);
		xmlrpc_env_set_fault_formatted(env, SYNC_FAULT_APPLY, "%s",
		    err);
		return NULL;
	}
	return xmlrpc_bool_new(env, 1);
}

static xmlrpc_value *
sync_m_list_services(xmlrpc_env *env, xmlrpc_value *params, void *si,
    void *ci)
{
	struct sync_call	*call = ci;
	xmlrpc_value		*v;
	json_t			*list, *svc;
	const char		*st;
	size_t			 i;

	(void)params;
	(void)si;
	list = sync_services_list(call->c_st);
	/* OPNsense's status is a boolean (running, as measured); the
	 * words stay in "state". */
	json_array_foreach(list, i, svc) {
		st = json_string_value(json_object_get(svc, "status"));
		json_object_set_new(svc, "state", json_string(st ? st : ""));
		json_object_set(svc, "status", json_object_get(svc,
		    "running"));
	}
	v = sync_xml_from_json(env, list);
	json_decref(list);
	return v;
}

static xmlrpc_value *
sync_m_restart_service(xmlrpc_env *env, xmlrpc_value *params, void *si,
    void *ci)
{
	struct sync_call	*call = ci;
	json_t			*arg;
	const char		*name;
	char			 err[1024];
	int			 rc;

	(void)si;
	if ((arg = sync_param(env, params, 0, -1,
	    "{service, id} or a service name")) == NULL)
		return NULL;
	name = json_is_string(arg) ? json_string_value(arg) :
	    json_string_value(json_object_get(arg, "service"));
	if (name == NULL || !sync_printable(name, 32)) {
		json_decref(arg);
		xmlrpc_env_set_fault(env, SYNC_FAULT_PARAMS, "the argument "
		    "must be {\"service\": name, \"id\": ...} with a service "
		    "of opnsense.list_services");
		return NULL;
	}
	rc = sync_service_restart(call->c_st, name, &apply_via_priv, err,
	    sizeof(err));
	json_decref(arg);
	if (rc == -1) {
		xmlrpc_env_set_fault(env, SYNC_FAULT_APPLY, err);
		return NULL;
	}
	return xmlrpc_string_new(env, "ok");
}

/*
 * start_service: the services are twinwall's subsystems, always running;
 * starting one re-applies it, as restart does. stop_service is refused:
 * the packet filter, routing or the VIPs cannot be stopped from afar.
 */
static xmlrpc_value *
sync_m_start_service(xmlrpc_env *env, xmlrpc_value *params, void *si,
    void *ci)
{
	return sync_m_restart_service(env, params, si, ci);
}

static xmlrpc_value *
sync_m_stop_service(xmlrpc_env *env, xmlrpc_value *params, void *si,
    void *ci)
{
	(void)params;
	(void)si;
	(void)ci;
	xmlrpc_env_set_fault(env, SYNC_FAULT_APPLY, "twinwall does not stop "
	    "services remotely (the filter, routing and VIPs stay up); use "
	    "restart_service");
	return NULL;
}

/* OPNsense regenerates its service templates; twinwall renders on apply. */
static xmlrpc_value *
sync_m_reload_templates(xmlrpc_env *env, xmlrpc_value *params, void *si,
    void *ci)
{
	(void)params;
	(void)si;
	(void)ci;
	return xmlrpc_build_value(env, "{s:s}", "status", "done");
}

static xmlrpc_value *
sync_m_config_hash(xmlrpc_env *env, xmlrpc_value *params, void *si,
    void *ci)
{
	struct sync_call	*call = ci;
	json_t			*which, *snap, *view, *v;
	char			 hash[65];
	size_t			 i;

	(void)si;
	if ((which = sync_param(env, params, 0, JSON_ARRAY,
	    "an array of section names")) == NULL)
		return NULL;
	json_array_foreach(which, i, v)
		if (!json_is_string(v) ||
		    !sync_section_ok(json_string_value(v))) {
			xmlrpc_env_set_fault_formatted(env, SYNC_FAULT_PARAMS,
			    "item %zu is not a synchronised section", i + 1);
			json_decref(which);
			return NULL;
		}
	pthread_mutex_lock(&sync_applied_mtx);
	snap = sync_applied;
	if (snap != NULL && sync_applied_rev != store_revision_last(call->c_st)) {
		json_decref(snap);
		snap = NULL;
	}
	sync_applied = NULL;
	pthread_mutex_unlock(&sync_applied_mtx);
	if (snap == NULL && (snap = cfg_snapshot(call->c_st, which, 1)) ==
	    NULL) {
		json_decref(which);
		xmlrpc_env_set_fault(env, SYNC_FAULT_INTERNAL,
		    "cannot read the configuration");
		return NULL;
	}
	view = sync_view(json_object_get(snap, "sections"), which, 0);
	sync_view_hash(view, hash);
	json_decref(view);
	json_decref(snap);
	json_decref(which);
	return xmlrpc_string_new(env, hash);
}

static xmlrpc_value *
sync_m_unknown(xmlrpc_env *env, const char *host, const char *method,
    xmlrpc_value *params, void *si)
{
	(void)host;
	(void)params;
	(void)si;
	xmlrpc_env_set_fault_formatted(env, SYNC_FAULT_METHOD,
	    "unknown method \"%.64s\" (system.listMethods names those "
	    "served: opnsense.firmware_version, restore_config_section, "
	    "filter_configure, ...)",
	    sync_printable(method, 64) ? method : "(unprintable)");
	return NULL;
}

static const struct {
	const char	*m_name;
	xmlrpc_method2	 m_fn;
	const char	*m_help;
} sync_methods[] = {
	{ "opnsense.firmware_version", sync_m_firmware,
	    "versions of this node" },
	{ "opnsense.restore_config_section", sync_m_restore,
	    "merge configuration sections into this node" },
	{ "opnsense.filter_configure", sync_m_configure,
	    "apply the stored configuration" },
	{ "opnsense.list_services", sync_m_list_services,
	    "services of this node" },
	{ "opnsense.restart_service", sync_m_restart_service,
	    "restart (re-apply) one service" },
	{ "opnsense.start_service", sync_m_start_service,
	    "start (re-apply) one service" },
	{ "opnsense.stop_service", sync_m_stop_service,
	    "refused: services are not stopped remotely" },
	{ "opnsense.configd_reload_all_templates", sync_m_reload_templates,
	    "nothing to regenerate: {status: done}" },

	{ "twinwall.config_hash", sync_m_config_hash,
	    "hash of the sync view of sections" },
	{ "twinwall.stage_config_section", sync_m_stage,
	    "stage rows of a large restore under a token" },
	{ "twinwall.restore_config_section", sync_m_restore_staged,
	    "restore staged rows plus these sections" },
};

static void
sync_server_init(void)
{
	struct xmlrpc_method_info3	 mi;
	xmlrpc_env			 env;
	size_t				 i;

	xmlrpc_env_init(&env);
	xmlrpc_limit_set(XMLRPC_NESTING_LIMIT_ID, SYNC_NESTING_LIMIT);
	xmlrpc_limit_set(XMLRPC_XML_SIZE_LIMIT_ID, SYNC_MAX_XML);
	sync_registry = xmlrpc_registry_new(&env);
	if (env.fault_occurred)
		fatalx("xmlrpc: %s", env.fault_string);
	/* system.listMethods & co., as OPNsense's xmlrpc.php offers them. */
	for (i = 0; i < nitems(sync_methods); i++) {
		memset(&mi, 0, sizeof(mi));
		mi.methodName = sync_methods[i].m_name;
		mi.methodFunction = sync_methods[i].m_fn;
		mi.signatureString = "?";
		mi.help = sync_methods[i].m_help;
		xmlrpc_registry_add_method3(&env, sync_registry, &mi);
		if (env.fault_occurred)
			fatalx("xmlrpc: %s", env.fault_string);
	}
	xmlrpc_registry_set_default_method(&env, sync_registry,
	    sync_m_unknown, NULL);
	if (env.fault_occurred)
		fatalx("xmlrpc: %s", env.fault_string);
	xmlrpc_env_clean(&env);
}

/*
 * Returns a new malloc'd methodResponse (length in *outlen) the caller
 * frees, or NULL on an internal failure. actor is "user@address".
 */
char *
sync_xmlrpc_serve(struct store *st, const char *actor, const char *body,
    size_t len, size_t *outlen)
{
	struct sync_call	 call;
	xmlrpc_env		 env;
	xmlrpc_mem_block	*out = NULL;
	char			*res = NULL;
	size_t			 n;

	pthread_once(&sync_server_once, sync_server_init);
	sched_start(store_datadir(st));
	call.c_st = st;
	call.c_actor = actor;
	xmlrpc_env_init(&env);
	xmlrpc_registry_process_call2(&env, sync_registry, body, len, &call,
	    &out);
	if (env.fault_occurred) {
		/* Only when no response could be made at all. */
		log_warnx("xmlrpc: %s", env.fault_string);
		goto err;
	}
	n = XMLRPC_MEMBLOCK_SIZE(char, out);
	res = xmalloc(n + 1);
	memcpy(res, XMLRPC_MEMBLOCK_CONTENTS(char, out), n);
	res[n] = '\0';
	*outlen = n;
err:
	if (out != NULL)
		XMLRPC_MEMBLOCK_FREE(char, out);
	xmlrpc_env_clean(&env);
	return res;
}
