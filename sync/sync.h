/*
 * sync.h — XML-RPC configuration sync, master -> backup: the master
 * side (sync_run and the status queries) and the shared apply step.
 * The backup side is sync_xmlrpc_serve (webapi/api.h).
 *
 * Every path that pushes (REST API, CLI, cron) goes through sync_run,
 * which refuses unless every CARP VIP of this node is MASTER. Answers
 * are JSON objects {"status":"ok"|"refused"|"failed","message":...}.
 */
#ifndef TW_SYNC_H
#define TW_SYNC_H

#include <jansson.h>
#include <stddef.h>

struct store;

/*
 * How to reach the root parent: priv_call in the API child, the control
 * socket in a local tool. Takes req borrowed, returns a new answer (never
 * NULL; a failure is {"status":"failed","message":...}).
 */
typedef json_t *(*sync_parent_fn)(json_t *req);

struct sync_opts {
	struct store	*so_st;
	const char	*so_trigger;	/* "gui", "api", "cli", "cron" */
	int		 so_restart;	/* then restart every peer service */
	sync_parent_fn	 so_parent;
};

/*
 * One sync run: gate, probe, pack, restore, configure, (restart), and
 * the record in the store. Returns a new result object the caller
 * releases with json_decref:
 *   {"status":"ok","message","time","trigger","peer","sections",
 *    "counts":{section:rows},"local_hash","peer_hash","verified",
 *    "duration_ms"[,"restarted"]}
 * or "status":"refused" (gate) / "failed" (anything else) with the
 * reason in "message". Never NULL.
 */
json_t	*sync_run(const struct sync_opts *);

/* The last results, newest first: a new array (never NULL). */
json_t	*sync_results(struct store *, int limit);

/*
 * Read-only questions to the peer (no gate). Each returns a new object
 * with "status":"ok" or "failed" and "message". version adds the peer's
 * "firmware" struct, services its "services" list, drift the compare
 * {"status":"in sync"|"differs"|"unknown","local","peer","sections"}.
 */
json_t	*sync_peer_version(struct store *);
json_t	*sync_peer_services(struct store *);
json_t	*sync_drift(struct store *);

/* The REST handler of core/hasync_status/<command> is the web API's
 * (webapi/handlers_hasync.c): the API calls sync, never the reverse. */

/*
 * server.c: the XML-RPC server. st is the worker's store, actor names the
 * caller for revisions as "user@address" ("root@192.0.2.1"), body is the
 * request (borrowed). Returns a new malloc'd methodResponse document
 * (length in *outlen) the caller frees, or NULL for an internal failure
 * (HTTP 500). A document longer than SYNC_MAX_XML is a fault: the web
 * API's default body limit (webapi/xmlrpc.c checks they agree).
 */
#define SYNC_MAX_XML	(1u << 20)
struct store;
char	*sync_xmlrpc_serve(struct store *st, const char *actor,
	    const char *body, size_t len, size_t *outlen);

#endif
