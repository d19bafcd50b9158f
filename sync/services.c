/*
 * services.c — the services a peer lists and restarts; a restart is an
 * apply of the service's subsystems through the one apply path
 * (appliance/apply.c).
 */
#include <stdio.h>
#include <string.h>

#include "apply.h"
#include "config/config.h"
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

json_t *
sync_services_list(struct store *st)
{
	json_t		*list = json_array();
	subsys_mask	 dirty = store_dirty_mask(st);
	size_t		 i;
	int		 pending;

	for (i = 0; i < nitems(sync_services); i++) {
		pending = (dirty & sync_services[i].sv_subsys) != 0;
		json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:s,s:i}",
		    "name", sync_services[i].sv_name,
		    "id", sync_services[i].sv_name,
		    "description", sync_services[i].sv_descr,
		    "status", pending ? "changes pending" : "running",
		    "nocheck", 0));
	}
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
