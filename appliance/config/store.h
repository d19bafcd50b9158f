/*
 * store.h — the SQLite store: open (WAL), migrate, transactions,
 * revisions, dirty flags.
 *
 * One struct store per thread: SQLite connections are not shared. The
 * API child opens one per HTTP worker thread; local tools open their own.
 * WAL lets readers run beside the one writer; writers wait (busy timeout).
 */
#ifndef TW_STORE_H
#define TW_STORE_H

#include <jansson.h>
#include <sqlite3.h>

#include "subsys.h"

struct store;

#define STORE_DB_NAME		"twinwall.db"
#define STORE_KEEP_REVISIONS	200

/*
 * Opens (creating if needed) DIR/twinwall.db and applies every migration
 * not yet recorded in schema_version. Returns a new handle the caller
 * closes with store_close(), or NULL with a reason in err.
 */
struct store	*store_open(const char *datadir, char *err, size_t errlen);
void		 store_close(struct store *);
sqlite3		*store_db(struct store *);
const char	*store_datadir(struct store *);
int		 store_schema_version(struct store *);

/* Nested calls are counted: only the outermost begin/commit reach SQLite. */
int		 store_begin(struct store *);
int		 store_commit(struct store *);
void		 store_rollback(struct store *);

/*
 * A prepared statement for sql from the connection's cache, ready to
 * bind, or NULL (the error in store_errmsg()). The store owns it: give
 * it back with store_stmt_done(), never sqlite3_finalize(). Parsing the
 * same SQL again for every row was a third of a 10,000-row restore.
 */
sqlite3_stmt	*store_stmt(struct store *, const char *sql);
/* Resets stmt and clears its bindings for the next user. NULL is a no-op. */
void		 store_stmt_done(struct store *, sqlite3_stmt *stmt);

/* Runs one statement with no result rows; 0 or -1 (logged). */
int		 store_exec(struct store *, const char *sql);
/* The last SQLite error message of this connection (borrowed). */
const char	*store_errmsg(struct store *);

/* Dirty flags per subsystem (subsys.h): saved, not yet applied. */
int		 store_dirty_set(struct store *, enum subsys);
int		 store_dirty_clear(struct store *, enum subsys);
subsys_mask	 store_dirty_mask(struct store *);
/* When s became dirty (the first save since its last apply); 0: clean. */
double		 store_dirty_since(struct store *, enum subsys);
/* Returns a new JSON array of dirty subsystem names. */
json_t		*store_dirty_list(struct store *);

/*
 * What is in force (schema/002_applied.sql). ok: s now runs revision
 * rev; !ok: the last attempt failed with msg, the revision in force
 * stays. who names the path (api, boot, cli, console, xmlrpc). 0 or -1.
 */
int		 store_applied_set(struct store *, enum subsys, long long rev,
		    int ok, const char *who, const char *msg);
/*
 * A new object {subsys: {revision, time, attempt, ok, message, who}}
 * for every subsystem an apply has touched.
 */
json_t		*store_applied_list(struct store *);
/* The newest revision id (0 for a store without one), or -1. */
long long	 store_revision_last(struct store *);
/* The newest revision saved before t (0 when none), or -1. */
long long	 store_revision_before(struct store *, double t);

/*
 * Revisions: every save stores one (time, user, description and what it
 * changed). store_revision_add must be called inside the save's
 * transaction: it records every configuration row the transaction has
 * changed so far. Returns the new id or -1.
 */
long long	 store_revision_add(struct store *, const char *user,
		    const char *descr);
/* Returns a new array of {id,time,user,description} newest first. */
json_t		*store_revision_list(struct store *, int limit);
/*
 * Returns a new object {id,time,user,description,snapshot} or NULL; the
 * snapshot (with secrets) is the configuration as that revision left it.
 */
json_t		*store_revision_get(struct store *, long long id);
/*
 * The configuration (a new snapshot with secrets) as revision id left it,
 * 0 meaning the store as created; NULL when the changesets after id are
 * no longer kept.
 */
json_t		*store_revision_at(struct store *, long long id);
/* Only the snapshot of revision id: a new object, or NULL. */
json_t		*store_revision_snapshot(struct store *, long long id);

/*
 * A per-connection memo (search totals, search pages) that stays valid
 * while no connection has changed the database. store_memo_get returns a
 * borrowed text (valid until the next memo call) and fills *num, or NULL.
 * store_memo_put copies text (NULL for a number only).
 */
const char	*store_memo_get(struct store *, const char *key, long long *num);
void		 store_memo_put(struct store *, const char *key,
		    const char *text, long long num);

/* Key/value state the daemon keeps across restarts (maintenance mode...). */
int		 store_kv_set(struct store *, const char *key, const char *val);
/* Returns a new string the caller frees, or NULL when unset. */
char		*store_kv_get(struct store *, const char *key);

#endif
