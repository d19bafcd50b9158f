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

#include "engine.h"
#include "daemon.h"
#include "daemon_int.h"
#include "fwlog.h"
#include "gwmon.h"
#include "ipc.h"
#include "log.h"
#include "dhcp.h"
#include "platform.h"
#include "statesync.h"
#include "util.h"

typedef json_t *(*parent_handler)(struct parent *, json_t *, const char *);

static json_t	*parent_apply(struct parent *, json_t *, const char *);
static json_t	*parent_status(struct parent *, json_t *, const char *);
static json_t	*parent_carp(struct parent *, json_t *, const char *);
static json_t	*parent_statesync(struct parent *, json_t *, const char *);

/* Requests the parent serves, from the child and on control.sock. */
static const struct {
	enum ipc_type	 h_type;
	parent_handler	 h_fn;
} parent_handlers[] = {
	{ IPC_APPLY,		parent_apply },
	{ IPC_STATUS,		parent_status },
	{ IPC_CARP_STATUS,	parent_carp },		/* carp/engine.h */
	{ IPC_CARP_SET,		parent_carp },
	{ IPC_CARP_CONFIG,	parent_carp },
	{ IPC_TIMELINE,		parent_carp },
	{ IPC_STATESYNC_STATUS,	parent_statesync },
	{ IPC_STATES,		platform_req_states },	/* platform.c */
	{ IPC_KILL_STATES,	platform_req_kill_states },
	{ IPC_FLUSH_STATES,	platform_req_flush_states },
	{ IPC_FIREWALL_LOG,	fwlog_req },		/* fwlog.h */
	{ IPC_DHCP,		dhcp_req },		/* platform/dhcp.h */
	{ IPC_GATEWAY_STATUS,	gwmon_req_status },	/* gwmon/gwmon.h */
};

/* Records an apply's outcome for every subsystem of mask. */
static void
parent_in_force(struct parent *pa, subsys_mask mask, long long rev, int ok,
    const char *who, const char *msg)
{
	struct parent_in_force	*pf;
	int			 s;

	for (s = SUBSYS_NONE + 1; s < SUBSYS_COUNT; s++) {
		if (!(mask & SUBSYS_BIT(s)))
			continue;
		pf = &pa->pa_in_force[s];
		if (ok)
			pf->pf_rev = rev;
		pf->pf_time = time(NULL);
		pf->pf_ok = ok;
		snprintf(pf->pf_who, sizeof(pf->pf_who), "%s", who);
		snprintf(pf->pf_msg, sizeof(pf->pf_msg), "%s", ok ? "" : msg);
	}
}

/* Appends "; what: why" to the reasons of a boot apply. */
static void
parent_why(char *buf, size_t len, const char *what, const char *why)
{
	size_t n = strlen(buf);

	if (n < len)
		snprintf(buf + n, len - n, "%s%s%s", n ? "; " : "", what, why);
}

/*
 * Handlers return a new answer object; req is borrowed.
 *
 * apply {"subsys":[names]|null, "snapshot":{...}, "revision":N,
 * "who":"api", "boot":bool}: the platform first (interfaces, routes,
 * ruleset with aliases and NAT), then state sync, then CARP, so a VIP
 * is never taken before the ruleset that guards it. A normal apply
 * checks CARP first and changes nothing when it is invalid. The boot
 * apply puts in force whatever it can (a node with its ruleset is safer
 * than one without) and, unless everything went in, keeps the node
 * demoted with the reasons.
 */
static json_t *
parent_apply(struct parent *pa, json_t *req, const char *from)
{
	struct carp_engine_conf	*carp = NULL;
	json_t		*subsys, *snap;
	subsys_mask	 mask, bad = 0;
	const char	*who;
	char		 err[1024], why[1024];
	long long	 rev;
	double		 t0 = util_now();
	int		 boot, failed = 0;

	subsys = json_object_get(req, "subsys");
	if (json_is_null(subsys))
		subsys = NULL;
	err[0] = why[0] = '\0';
	/* Names are checked here, once: the drivers trust the list. */
	if (subsys_mask_from_json(subsys, &mask, err, sizeof(err)) == -1)
		return ipc_failed("apply: %s", err);
	snap = json_object_get(req, "snapshot");
	if (!json_is_object(snap) ||
	    !json_is_object(json_object_get(snap, "sections")))
		return ipc_failed("apply: no snapshot with sections");
	boot = json_is_true(json_object_get(req, "boot")) &&
	    pa->pa_boot != PARENT_BOOT_OK;
	rev = json_integer_value(json_object_get(req, "revision"));
	if ((who = json_string_value(json_object_get(req, "who"))) == NULL)
		who = from;
	if (carp_engine_wants(subsys) &&
	    (carp = carp_engine_conf_new(snap, err, sizeof(err))) == NULL) {
		log_warnx("apply (%s) %s: carp: %s", who, boot ? "at boot" :
		    "refused", err);
		if (!boot) {
			parent_in_force(pa, mask & SUBSYS_PARENT, rev, 0, who,
			    err);
			return ipc_failed("carp: %s", err);
		}
		parent_why(why, sizeof(why), "carp: ", err);
		bad |= SUBSYS_BIT(SUBSYS_VIP);
		failed = 1;
	}
	err[0] = '\0';
	if (pa->pa_plat->p_apply(snap, subsys, err, sizeof(err)) == -1) {
		if (err[0] == '\0')
			snprintf(err, sizeof(err), "platform %s: apply failed",
			    pa->pa_plat->p_name);
		log_warnx("apply (%s) failed: %s", who, err);
		if (!boot) {
			carp_engine_conf_free(carp);
			carp_engine_wipe_secrets(snap);
			parent_in_force(pa, mask & SUBSYS_PARENT, rev, 0, who,
			    err);
			return ipc_failed("%s", err);
		}
		parent_why(why, sizeof(why), "", err);
		bad |= SUBSYS_BIT(SUBSYS_INTERFACES) |
		    SUBSYS_BIT(SUBSYS_ROUTING) | SUBSYS_BIT(SUBSYS_FILTER) |
		    SUBSYS_BIT(SUBSYS_ALIASES) | SUBSYS_BIT(SUBSYS_NAT);
		failed = 1;
	}
	err[0] = '\0';
	if (statesync_apply(snap, subsys, err, sizeof(err)) == -1) {
		log_warnx("apply (%s): state sync: %s", who, err);
		parent_why(why, sizeof(why), "state sync: ", err);
		bad |= SUBSYS_BIT(SUBSYS_HASYNC);
		failed = 1;
	}
	/* CARP last: the VIPs follow what guards them. */
	carp_engine_conf_commit(carp);
	carp_engine_wipe_secrets(snap);
	parent_in_force(pa, mask & SUBSYS_PARENT, rev, !failed, who, why);
	if (boot) {
		pa->pa_boot = failed ? PARENT_BOOT_FAILED : PARENT_BOOT_OK;
		pa->pa_boot_failed = bad;
		pa->pa_boot_secs = util_now() - pa->pa_t0;
		snprintf(pa->pa_boot_msg, sizeof(pa->pa_boot_msg), "%.500s",
		    failed ? why : "");
		if (failed) {
			snprintf(err, sizeof(err), "boot apply failed: %.900s",
			    why);
			(void)carp_engine_boot_hold(1, err);
			log_warnx("%s; the node stays demoted", err);
		} else {
			(void)carp_engine_boot_hold(0, NULL);
			log_info("boot apply: revision %lld in force in %.0f "
			    "ms (%.2f s after start)", rev,
			    (util_now() - t0) * 1e3, pa->pa_boot_secs);
		}
		parent_boot_done(pa);
	} else if (!failed && pa->pa_boot == PARENT_BOOT_FAILED &&
	    (pa->pa_boot_failed &= ~mask) == 0) {
		/* What failed at boot went in since: the hold ends. */
		pa->pa_boot = PARENT_BOOT_OK;
		pa->pa_boot_msg[0] = '\0';
		(void)carp_engine_boot_hold(0, NULL);
		log_info("apply (%s): what failed at boot is in force now",
		    who);
	}
	if (failed)
		return ipc_failed("%s", why);
	if (!boot)
		log_info("apply (%s): ok in %.0f ms", who,
		    (util_now() - t0) * 1e3);
	return json_pack("{s:s}", "status", "ok");
}

static const char *const parent_boot_names[] = {
	[PARENT_BOOT_PENDING] = "pending",
	[PARENT_BOOT_OK] = "ok",
	[PARENT_BOOT_FAILED] = "failed",
};

static json_t *
parent_status(struct parent *pa, json_t *req, const char *from)
{
	struct parent_in_force	*pf;
	json_t			*inforce = json_object();
	int			 s;

	(void)req;
	(void)from;
	for (s = SUBSYS_NONE + 1; s < SUBSYS_COUNT; s++) {
		if (!(SUBSYS_PARENT & SUBSYS_BIT(s)))
			continue;
		pf = &pa->pa_in_force[s];
		json_object_set_new(inforce, subsys_name((enum subsys)s),
		    json_pack("{s:I,s:I,s:b,s:s,s:s}",
		    "revision", (json_int_t)pf->pf_rev,
		    "time", (json_int_t)pf->pf_time, "ok", pf->pf_ok,
		    "who", pf->pf_who, "message", pf->pf_msg));
	}
	return json_pack("{s:s, s:s, s:s, s:I, s:i, s:i, s:i, s:b, "
	    "s:{s:s,s:s,s:f}, s:o}",
	    "status", "ok", "version", TW_VERSION,
	    "platform", pa->pa_plat->p_name,
	    "uptime", (json_int_t)(time(NULL) - pa->pa_started),
	    "pid", (int)getpid(), "child", (int)pa->pa_child,
	    "restarts", pa->pa_restarts, "privsep", pa->pa_privsep,
	    "boot", "state", parent_boot_names[pa->pa_boot],
	    "message", pa->pa_boot_msg, "seconds", pa->pa_boot_secs,
	    "in_force", inforce);
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
	(void)pa;
	switch (ipc_type_of(req)) {
	case IPC_CARP_STATUS:
		return carp_engine_req_status(req);
	case IPC_TIMELINE:
		return carp_engine_req_timeline(req);
	case IPC_CARP_CONFIG:
		return carp_engine_req_config(req);
	default:
		break;
	}
	log_info("carp: set %.16s from %s", json_string_value(
	    json_object_get(req, "action")) ? json_string_value(
	    json_object_get(req, "action")) : "?", from);
	return carp_engine_req_set(req);
}

/* Returns a new answer to req. */
json_t *
parent_dispatch(struct parent *pa, json_t *req, const char *from)
{
	const char	*type = json_string_value(json_object_get(req, "type"));
	enum ipc_type	 t = ipc_type_of(req);
	json_t		*ans;
	size_t		 i;

	if (type == NULL)
		return ipc_failed("a request needs a type");
	for (i = 0; i < nitems(parent_handlers); i++)
		if (t != IPC_NONE && parent_handlers[i].h_type == t)
			break;
	if (i == nitems(parent_handlers)) {
		log_warnx("unknown request type \"%.32s\" from %s", type, from);
		return ipc_failed("unknown request type");
	}
	if ((ans = parent_handlers[i].h_fn(pa, req, from)) == NULL)
		fatalx("out of memory");
	return ans;
}
