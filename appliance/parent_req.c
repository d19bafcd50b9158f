/*
 * parent_req.c — what the root parent does on request, as a table of
 * request types: apply a snapshot, report status, drive CARP, state sync,
 * the state table and the firewall log. Requests come from the API child
 * and from local tools on DIR/control.sock; each answer is a new JSON
 * object.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "carp/engine.h"
#include "daemon.h"
#include "daemon_int.h"
#include "fwlog.h"
#include "log.h"
#include "platform/dhcp.h"
#include "platform/platform.h"
#include "statesync/statesync.h"
#include "util.h"

typedef json_t *(*parent_handler)(struct parent *, json_t *, const char *);

static json_t	*parent_apply(struct parent *, json_t *, const char *);
static json_t	*parent_status(struct parent *, json_t *, const char *);
static json_t	*parent_carp(struct parent *, json_t *, const char *);
static json_t	*parent_statesync(struct parent *, json_t *, const char *);

/* Requests the parent serves, from the child and on control.sock. */
static const struct {
	const char	*h_type;
	parent_handler	 h_fn;
} parent_handlers[] = {
	{ "apply",	parent_apply },
	{ "status",	parent_status },
	{ "carp_status", parent_carp },			/* carp/engine.h */
	{ "carp_set",	parent_carp },
	{ "carp_config", parent_carp },
	{ "timeline",	parent_carp },
	{ "statesync_status", parent_statesync },
	{ "states",	platform_req_states },		/* platform.c */
	{ "kill_states", platform_req_kill_states },
	{ "flush_states", platform_req_flush_states },
	{ "firewall_log", fwlog_req },			/* fwlog.h */
	{ "dhcp",	dhcp_req },			/* platform/dhcp.h */
};

/* Returns a new {"status":"failed","message":...} answer. */
static json_t *
parent_failed(const char *fmt, ...)
{
	char	msg[1024];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return json_pack("{s:s, s:s}", "status", "failed", "message", msg);
}

/* Handlers return a new answer object; req is borrowed. */
static json_t *
parent_apply(struct parent *pa, json_t *req, const char *from)
{
	struct carp_engine_conf	*carp = NULL;
	json_t		*subsys, *snap, *v;
	char		 err[1024];
	size_t		 i;
	double		 t0 = util_now();

	subsys = json_object_get(req, "subsys");
	if (json_is_null(subsys))
		subsys = NULL;
	if (subsys != NULL) {
		if (!json_is_array(subsys))
			return parent_failed("apply: subsys is not an array");
		json_array_foreach(subsys, i, v)
			if (!json_is_string(v))
				return parent_failed("apply: subsys holds a "
				    "non-string");
	}
	snap = json_object_get(req, "snapshot");
	if (!json_is_object(snap) ||
	    !json_is_object(json_object_get(snap, "sections")))
		return parent_failed("apply: no snapshot with sections");
	err[0] = '\0';
	/* CARP is checked first, so a bad VIP changes nothing at all. */
	if (carp_engine_wants(subsys) &&
	    (carp = carp_engine_conf_new(snap, err, sizeof(err))) == NULL) {
		log_warnx("apply (%s) refused: carp: %s", from, err);
		return parent_failed("carp: %s", err);
	}
	if (pa->pa_plat->p_apply(snap, subsys, err, sizeof(err)) == -1) {
		if (err[0] == '\0')
			snprintf(err, sizeof(err), "platform %s: apply failed",
			    pa->pa_plat->p_name);
		log_warnx("apply (%s) failed: %s", from, err);
		carp_engine_conf_free(carp);
		carp_engine_wipe_secrets(snap);
		return parent_failed("%s", err);
	}
	carp_engine_conf_commit(carp);
	carp_engine_wipe_secrets(snap);
	if (statesync_apply(snap, subsys, err, sizeof(err)) == -1) {
		log_warnx("apply (%s): state sync: %s", from, err);
		return parent_failed("%s", err);
	}
	log_info("apply (%s): ok in %.0f ms", from, (util_now() - t0) * 1e3);
	return json_pack("{s:s}", "status", "ok");
}

static json_t *
parent_status(struct parent *pa, json_t *req, const char *from)
{
	(void)req;
	(void)from;
	return json_pack("{s:s, s:s, s:s, s:I, s:i, s:i, s:i, s:b}",
	    "status", "ok", "version", TW_VERSION,
	    "platform", pa->pa_plat->p_name,
	    "uptime", (json_int_t)(time(NULL) - pa->pa_started),
	    "pid", (int)getpid(), "child", (int)pa->pa_child,
	    "restarts", pa->pa_restarts, "privsep", pa->pa_privsep);
}

static json_t *
parent_statesync(struct parent *pa, json_t *req, const char *from)
{
	(void)pa;
	(void)req;
	(void)from;
	return statesync_status();
}

/* The CARP engine's requests (shapes in carp/engine.h). */
static json_t *
parent_carp(struct parent *pa, json_t *req, const char *from)
{
	const char *type = json_string_value(json_object_get(req, "type"));

	(void)pa;
	if (strcmp(type, "carp_status") == 0)
		return carp_engine_req_status(req);
	if (strcmp(type, "timeline") == 0)
		return carp_engine_req_timeline(req);
	if (strcmp(type, "carp_config") == 0)
		return carp_engine_req_config(req);
	log_info("carp: %s %.16s from %s", type, json_string_value(
	    json_object_get(req, "action")) ? json_string_value(
	    json_object_get(req, "action")) : "?", from);
	return carp_engine_req_set(req);
}

/* Returns a new answer to req. */
json_t *
parent_dispatch(struct parent *pa, json_t *req, const char *from)
{
	const char	*type = json_string_value(json_object_get(req, "type"));
	json_t		*ans;
	size_t		 i;

	if (type == NULL)
		return parent_failed("a request needs a type");
	for (i = 0; i < nitems(parent_handlers); i++)
		if (strcmp(parent_handlers[i].h_type, type) == 0)
			break;
	if (i == nitems(parent_handlers)) {
		log_warnx("unknown request type \"%.32s\" from %s", type, from);
		return parent_failed("unknown request type");
	}
	if ((ans = parent_handlers[i].h_fn(pa, req, from)) == NULL)
		fatalx("out of memory");
	return ans;
}
