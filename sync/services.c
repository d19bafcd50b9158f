/*
 * services.c — the apply step shared by every path that must make the
 * system match the store (the backup's filter_configure, restart_service)
 * and the services a peer lists and restarts.
 *
 * sync_apply is the API's apply (webapi/handlers_crud.c) as a function:
 * the parent renders and applies a snapshot with secrets; the dirty flags
 * are cleared afterwards only if the configuration did not change while
 * the parent worked (no new revision: cheaper than hashing the snapshot
 * twice, which costs 0.2 s with 10,000 rules).
 */
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "store.h"
#include "sync_int.h"
#include "util.h"

/* A service is a name for the subsystems its restart re-applies. */
static const struct {
	const char	*sv_name;
	const char	*sv_descr;
	const char	*sv_subsys[5];
} sync_services[] = {
	{ "filter", "Packet filter (rules, aliases, NAT)",
	    { "filter", "aliases", "nat", NULL } },
	{ "routing", "Gateways and static routes", { "routing", NULL } },
	{ "carp", "CARP virtual IPs", { "vip", NULL } },
	{ "statesync", "State synchronisation (conntrackd / pfsync)",
	    { "hasync", NULL } },
	{ "cron", "Scheduled jobs", { "cron", NULL } },
};

/* Every save stores a revision: its id says whether anything changed. */
long long
sync_revision_now(struct store *st)
{
	json_t		*l = store_revision_list(st, 1);
	long long	 id;

	id = json_integer_value(json_object_get(json_array_get(l, 0), "id"));
	json_decref(l);
	return id;
}

int
sync_apply(struct store *st, json_t *subsys, sync_parent_fn parent,
    char *err, size_t errlen)
{
	return sync_apply_snap(st, subsys, parent, NULL, NULL, err, errlen);
}

int
sync_apply_snap(struct store *st, json_t *subsys, sync_parent_fn parent,
    json_t **snapp, long long *revp, char *err, size_t errlen)
{
	json_t		*snap = NULL, *msg, *ans = NULL, *list, *v;
	const char	*why;
	long long	 rev;
	size_t		 i;
	int		 ret = -1;

	list = subsys != NULL ? json_incref(subsys) : store_dirty_list(st);
	if (list == NULL) {
		snprintf(err, errlen, "cannot read the dirty subsystems");
		goto err;
	}
	rev = sync_revision_now(st);
	if ((snap = cfg_snapshot(st, NULL, 1)) == NULL) {
		snprintf(err, errlen, "cannot read the configuration");
		goto err;
	}
	msg = json_pack("{s:s,s:O,s:O}", "type", "apply", "subsys", list,
	    "snapshot", snap);
	ans = parent(msg);
	json_decref(msg);
	if (strcmp(cfg_str(ans, "status"), "ok") != 0) {
		why = cfg_str(ans, "message");
		snprintf(err, errlen, "apply failed: %s", *why ? why :
		    "no reason given");
		goto err;
	}
	/*
	 * A save while the parent worked stored a revision: then the flags
	 * stay, the applied snapshot is not the stored configuration.
	 */
	if (store_begin(st) == -1) {
		snprintf(err, errlen, "store: %s", store_errmsg(st));
		goto err;
	}
	if (sync_revision_now(st) == rev) {
		json_array_foreach(list, i, v)
			store_dirty_clear(st, json_string_value(v));
		if (snapp != NULL) {
			*snapp = json_incref(snap);
			*revp = rev;
		}
	}
	if (store_commit(st) == -1) {
		snprintf(err, errlen, "store: %s", store_errmsg(st));
		goto err;
	}
	ret = 0;
err:
	json_decref(list);
	json_decref(snap);
	json_decref(ans);
	return ret;
}

/* The k-th string of an array, "" when it is not one. Borrowed. */
static const char *
sync_str_at(json_t *a, size_t k)
{
	const char *s = json_string_value(json_array_get(a, k));

	return s != NULL ? s : "";
}

json_t *
sync_services_list(struct store *st)
{
	json_t	*list = json_array(), *dirty;
	size_t	 i, j, k;
	int	 pending;

	dirty = store_dirty_list(st);
	for (i = 0; i < nitems(sync_services); i++) {
		pending = 0;
		for (j = 0; sync_services[i].sv_subsys[j] != NULL; j++)
			for (k = 0; k < json_array_size(dirty); k++)
				if (strcmp(sync_str_at(dirty, k),
				    sync_services[i].sv_subsys[j]) == 0)
					pending = 1;
		json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:s,s:i}",
		    "name", sync_services[i].sv_name,
		    "id", sync_services[i].sv_name,
		    "description", sync_services[i].sv_descr,
		    "status", pending ? "changes pending" : "running",
		    "nocheck", 0));
	}
	json_decref(dirty);
	return list;
}

int
sync_service_restart(struct store *st, const char *name,
    sync_parent_fn parent, char *err, size_t errlen)
{
	json_t	*subsys;
	size_t	 i, j;
	int	 ret;

	for (i = 0; i < nitems(sync_services); i++)
		if (strcmp(sync_services[i].sv_name, name) == 0)
			break;
	if (i == nitems(sync_services)) {
		snprintf(err, errlen, "no service \"%.32s\" (see "
		    "opnsense.list_services)", name);
		return -1;
	}
	subsys = json_array();
	for (j = 0; sync_services[i].sv_subsys[j] != NULL; j++)
		json_array_append_new(subsys,
		    json_string(sync_services[i].sv_subsys[j]));
	ret = sync_apply(st, subsys, parent, err, errlen);
	json_decref(subsys);
	return ret;
}
