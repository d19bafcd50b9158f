/*
 * record.c — the outcome of each sync run, newest first, for the HA
 * status page (GET core/hasync_status/last). Kept as one JSON array in
 * the store's kv table: bookkeeping, never part of a revision, and small
 * (SYNC_RESULTS_KEEP entries).
 */
#include <stdlib.h>

#include "log.h"
#include "store.h"
#include "sync_int.h"

#define SYNC_KV_RESULTS	"sync.results"

/* Returns the stored list as a new array (empty when none). */
static json_t *
sync_results_load(struct store *st)
{
	json_t	*list;
	char	*text;

	if ((text = store_kv_get(st, SYNC_KV_RESULTS)) == NULL)
		return json_array();
	list = json_loads(text, 0, NULL);
	free(text);
	if (!json_is_array(list)) {
		json_decref(list);
		return json_array();
	}
	return list;
}

int
sync_record(struct store *st, json_t *result)
{
	json_t	*list;
	char	*text;
	int	 ret = -1;

	if (store_begin(st) == -1)
		return -1;
	list = sync_results_load(st);
	json_array_insert(list, 0, result);
	while (json_array_size(list) > SYNC_RESULTS_KEEP)
		json_array_remove(list, json_array_size(list) - 1);
	if ((text = json_dumps(list, JSON_COMPACT)) == NULL)
		goto err;
	if (store_kv_set(st, SYNC_KV_RESULTS, text) == -1) {
		free(text);
		goto err;
	}
	free(text);
	ret = store_commit(st);
	json_decref(list);
	return ret;
err:
	log_warnx("sync: cannot record the result: %s", store_errmsg(st));
	store_rollback(st);
	json_decref(list);
	return ret;
}

json_t *
sync_results(struct store *st, int limit)
{
	json_t *list = sync_results_load(st);

	while (limit >= 0 && json_array_size(list) > (size_t)limit)
		json_array_remove(list, json_array_size(list) - 1);
	return list;
}
