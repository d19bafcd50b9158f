/*
 * services.c — the services a peer lists and restarts; a restart is an
 * apply of the service's subsystems through the one apply path
 * (appliance/apply/apply.c).
 */
#include <stdio.h>
#include <string.h>

#include "apply.h"
#include "config.h"
#include "ipc.h"
#include "sched.h"
#include "store.h"
#include "sync_int.h"
#include "util.h"

/* A service is a name for the subsystems its restart re-applies. */
static const struct {
	const char	*sv_name;
	const char	*sv_descr;
	subsys_mask	 sv_subsys;
} sync_services[] = {
	{ "filter", "Packet filter (rules, aliases, NAT)",
	    SUBSYS_BIT(SUBSYS_FILTER) | SUBSYS_BIT(SUBSYS_ALIASES) |
	    SUBSYS_BIT(SUBSYS_NAT) },
	{ "routing", "Gateways and static routes", SUBSYS_BIT(SUBSYS_ROUTING) },
	{ "carp", "CARP virtual IPs", SUBSYS_BIT(SUBSYS_VIP) },
	{ "statesync", "State synchronisation (conntrackd / pfsync)",
	    SUBSYS_BIT(SUBSYS_HASYNC) },
	{ "cron", "Scheduled jobs", SUBSYS_BIT(SUBSYS_CRON) },
};

/*
 * One service's state from what is measured: the parent's last apply of
 * its subsystems, the engine's loop and adverts, conntrackd's process,
 * the scheduler's thread. Sets status ("running", "changes pending",
 * "failed: ...", "stopped", "disabled") and running on svc.
 */
static void
sync_service_measure(json_t *svc, size_t i, subsys_mask dirty, json_t *par,
    json_t *carp, json_t *ss)
{
	json_t		*inforce = json_object_get(par, "in_force"), *a, *c;
	json_t		*detail = json_object();
	const char	*why = NULL;
	char		 buf[512];
	time_t		 last;
	int		 s, running = 1;

	for (s = SUBSYS_NONE + 1; s < SUBSYS_COUNT; s++) {
		if (!(sync_services[i].sv_subsys & SUBSYS_BIT(s)))
			continue;
		a = json_object_get(inforce, subsys_name((enum subsys)s));
		if (a != NULL) {
			json_object_set(detail, subsys_name((enum subsys)s), a);
			if (json_is_false(json_object_get(a, "ok")))
				why = cfg_str(a, "message");
		}
	}
	if (strcmp(sync_services[i].sv_name, "carp") == 0) {
		c = json_object_get(carp, "carp");
		json_object_set_new(detail, "engine", json_string(cfg_str(c,
		    "engine")));
		json_object_set(detail, "engine_last_run", json_object_get(c,
		    "engine_last_run"));
		json_object_set(detail, "vips", json_object_get(carp, "vips"));
		if (strcmp(cfg_str(carp, "status"), "ok") != 0)
			why = "the CARP engine does not answer";
		else if (strcmp(cfg_str(c, "engine"), "no sockets") == 0)
			why = cfg_str(c, "status_msg");
	} else if (strcmp(sync_services[i].sv_name, "statesync") == 0) {
		json_object_set(detail, "conntrackd", ss);
		if (!json_is_true(json_object_get(ss, "enabled"))) {
			json_object_set_new(svc, "status", json_string(
			    "disabled"));
			json_object_set_new(svc, "running", json_false());
			json_object_set_new(svc, "detail", detail);
			return;
		}
		if (!json_is_true(json_object_get(ss, "running")) &&
		    strcmp(cfg_str(ss, "conf"), "") != 0 &&
		    strstr(cfg_str(par, "platform"), "linux") != NULL) {
			why = "conntrackd is not running";
			running = 0;
		}
	} else if (strcmp(sync_services[i].sv_name, "cron") == 0) {
		running = sched_alive(&last);
		json_object_set_new(detail, "last_wakeup", json_integer(last));
		if (!running)
			why = "the scheduler's thread is not running";
	}
	if (why != NULL) {
		snprintf(buf, sizeof(buf), "failed: %s", why);
		json_object_set_new(svc, "status", json_string(buf));
		running = 0;
	} else
		json_object_set_new(svc, "status", json_string((dirty &
		    sync_services[i].sv_subsys) ? "changes pending" :
		    "running"));
	json_object_set_new(svc, "running", json_boolean(running));
	json_object_set_new(svc, "detail", detail);
}

json_t *
sync_services_list(struct store *st)
{
	json_t		*list = json_array(), *par, *carp, *ss, *svc;
	subsys_mask	 dirty = store_dirty_mask(st);
	size_t		 i;

	par = priv_ask(IPC_STATUS);
	carp = priv_ask(IPC_CARP_STATUS);
	ss = priv_ask(IPC_STATESYNC_STATUS);
	for (i = 0; i < nitems(sync_services); i++) {
		svc = json_pack("{s:s,s:s,s:s,s:i}",
		    "name", sync_services[i].sv_name,
		    "id", sync_services[i].sv_name,
		    "description", sync_services[i].sv_descr,
		    "nocheck", 0);
		sync_service_measure(svc, i, dirty, par, carp, ss);
		json_array_append_new(list, svc);
	}
	json_decref(par);
	json_decref(carp);
	json_decref(ss);
	return list;
}

int
sync_service_restart(struct store *st, const char *name,
    const struct apply_via *via, char *err, size_t errlen)
{
	size_t	 i;

	for (i = 0; i < nitems(sync_services); i++)
		if (strcmp(sync_services[i].sv_name, name) == 0)
			break;
	if (i == nitems(sync_services)) {
		snprintf(err, errlen, "no service \"%.32s\" (see "
		    "opnsense.list_services)", name);
		return -1;
	}
	return apply_run(st, sync_services[i].sv_subsys, via, "xmlrpc", NULL,
	    err, errlen);
}
