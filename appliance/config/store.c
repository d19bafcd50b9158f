/*
 * store.c — the SQLite store.
 *
 * One file, DIR/twinwall.db, in WAL mode so the API's readers never wait
 * for a writer. Migrations are compiled in (schema.h) and applied in one
 * transaction each at open; a fresh store then receives the factory
 * defaults (cfg_install_factory) so every path sees the same first state.
 *
 * Every outermost transaction records its row changes in an SQLite
 * session; a revision keeps that changeset. Going back to revision N is
 * applying, newest first, the inverse of every later changeset — on a
 * copy in memory, so the live store is never touched to compute it.
 */
/* Debian's libsqlite3 is built with the session extension. */
#define SQLITE_ENABLE_SESSION
#define SQLITE_ENABLE_PREUPDATE_HOOK

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "config.h"
#include "log.h"
#include "schema.h"
#include "store.h"
#include "util.h"

#ifndef TW_VERSION
#define TW_VERSION "0.0.0"
#endif

struct store {
	sqlite3		*st_db;
	char		*st_dir;
	int		 st_depth;	/* nested store_begin count */
	int		 st_failed;	/* an inner level rolled back */
	sqlite3_session	*st_session;	/* changes of this transaction */
	struct store_memo {
		char		*m_key;
		char		*m_text;
		long long	 m_val;
	}		 st_memo[16];
	unsigned	 st_memo_next;
	long long	 st_memo_dv;	/* data version the memo is valid for */
	sqlite3_stmt	*st_dv_stmt;	/* PRAGMA data_version, kept prepared */
	long long	 st_memo_tc;	/* total_changes the memo is valid for */
	struct store_cached {
		char		*c_sql;
		sqlite3_stmt	*c_stmt;
		int		 c_busy;	/* handed out, not given back */
		unsigned long	 c_used;	/* for eviction: least recent */
	}		 st_cache[32];
	unsigned long	 st_cache_tick;
};

/* Tables that are bookkeeping, not configuration: never in a revision. */
static const char *const store_untracked[] = { "revisions", "dirty", "kv",
    "schema_version", "apikeys", NULL };

static int
store_tracked(void *arg, const char *table)
{
	size_t i;

	(void)arg;
	if (strncmp(table, "sqlite_", 7) == 0)
		return 0;
	for (i = 0; store_untracked[i] != NULL; i++)
		if (strcmp(table, store_untracked[i]) == 0)
			return 0;
	return 1;
}

static void
store_session_end(struct store *st)
{
	if (st->st_session != NULL)
		sqlite3session_delete(st->st_session);
	st->st_session = NULL;
}

static double
store_time(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
store_exec(struct store *st, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(st->st_db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_warnx("store: %s", msg ? msg : "error");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

const char *
store_errmsg(struct store *st)
{
	return sqlite3_errmsg(st->st_db);
}

/* 1 when migration version is recorded (branches may number past a gap). */
static int
store_migrated(struct store *st, int version)
{
	sqlite3_stmt	*stmt;
	int		 done = 0;

	if (sqlite3_prepare_v2(st->st_db,
	    "SELECT 1 FROM schema_version WHERE version = ?", -1, &stmt,
	    NULL) != SQLITE_OK)
		return 0;	/* no table yet: an empty database */
	sqlite3_bind_int(stmt, 1, version);
	done = sqlite3_step(stmt) == SQLITE_ROW;
	sqlite3_finalize(stmt);
	return done;
}

int
store_schema_version(struct store *st)
{
	sqlite3_stmt	*stmt;
	int		 v = 0;

	if (sqlite3_prepare_v2(st->st_db,
	    "SELECT max(version) FROM schema_version", -1, &stmt,
	    NULL) != SQLITE_OK)
		return 0;	/* no table yet: an empty database */
	if (sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	return v;
}

/*
 * A store written by a newer twinwall (a downgrade, or a copied data
 * directory): its tables may mean what this binary does not know, so it
 * is neither read nor written, not even switched to WAL. 0 or -1.
 */
static int
store_schema_check(struct store *st, char *err, size_t errlen)
{
	const struct schema_migration	*m;
	int				 cur = store_schema_version(st);
	int				 known = 0;

	for (m = schema_migrations; m->sql != NULL; m++)
		known = m->version;
	if (cur <= known)
		return 0;
	snprintf(err, errlen, "this store has schema version %d, newer than "
	    "%d, the newest this twinwall %s knows: it was written by a newer "
	    "twinwall; run that version or restore a backup made by this one",
	    cur, known, TW_VERSION);
	return -1;
}

static int
store_migrate(struct store *st, char *err, size_t errlen)
{
	const struct schema_migration	*m;
	sqlite3_stmt			*stmt = NULL;
	char				*msg = NULL;

	for (m = schema_migrations; m->sql != NULL; m++) {
		if (store_migrated(st, m->version))
			continue;
		if (store_exec(st, "BEGIN IMMEDIATE") == -1)
			goto err;
		/* Another process may have migrated while we waited. */
		if (store_migrated(st, m->version)) {
			store_exec(st, "COMMIT");
			continue;
		}
		if (sqlite3_exec(st->st_db, m->sql, NULL, NULL, &msg) !=
		    SQLITE_OK) {
			snprintf(err, errlen, "migration %s: %s", m->name,
			    msg ? msg : "error");
			sqlite3_free(msg);
			store_exec(st, "ROLLBACK");
			return -1;
		}
		if (sqlite3_prepare_v2(st->st_db, "INSERT INTO schema_version "
		    "(version, name, applied) VALUES (?, ?, ?)", -1, &stmt,
		    NULL) != SQLITE_OK)
			goto err;
		sqlite3_bind_int(stmt, 1, m->version);
		sqlite3_bind_text(stmt, 2, m->name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 3, (sqlite3_int64)time(NULL));
		if (sqlite3_step(stmt) != SQLITE_DONE)
			goto err;
		sqlite3_finalize(stmt);
		stmt = NULL;
		if (store_exec(st, "COMMIT") == -1)
			goto err;
		log_debug("store: applied migration %s", m->name);
	}
	return 0;
err:
	snprintf(err, errlen, "migration: %s", sqlite3_errmsg(st->st_db));
	sqlite3_finalize(stmt);
	store_exec(st, "ROLLBACK");
	return -1;
}

/*
 * Once per process, before SQLite initialises: no global memory
 * statistics, whose mutex otherwise serialises every API worker thread.
 */
static void
store_global_init(void)
{
	if (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK)
		log_warnx("store: SQLite was initialised before store_open");
	sqlite3_initialize();
}

struct store *
store_open(const char *datadir, char *err, size_t errlen)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct store	*st;
	char		*path;
	char		*init;

	pthread_once(&once, store_global_init);
	st = xcalloc(1, sizeof(*st));
	st->st_dir = xstrdup(datadir);
	path = xasprintf("%s/%s", datadir, STORE_DB_NAME);
	if (sqlite3_open_v2(path, &st->st_db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, st->st_db ?
		    sqlite3_errmsg(st->st_db) : "cannot open");
		goto err;
	}
	/* Password hashes and CARP keys: owner only. SQLite gives the -wal
	 * and -shm files the database file's mode. */
	if (chmod(path, 0600) == -1) {
		snprintf(err, errlen, "%s: chmod: %s", path, strerror(errno));
		goto err;
	}
	free(path);
	path = NULL;
	sqlite3_busy_timeout(st->st_db, 10000);
	sqlite3_extended_result_codes(st->st_db, 0);
	if (store_schema_check(st, err, errlen) == -1)
		goto err;
	if (store_exec(st, "PRAGMA journal_mode=WAL") == -1 ||
	    store_exec(st, "PRAGMA synchronous=NORMAL") == -1 ||
	    store_exec(st, "PRAGMA foreign_keys=ON") == -1) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(st->st_db));
		goto err;
	}
	if (store_migrate(st, err, errlen) == -1)
		goto err;

	/* A fresh store gets the factory defaults, exactly once. */
	if ((init = store_kv_get(st, "factory_installed")) == NULL) {
		if (store_begin(st) == -1)
			goto dberr;
		init = store_kv_get(st, "factory_installed");
		if (init == NULL) {
			if (cfg_install_factory(st) == -1 ||
			    store_kv_set(st, "factory_installed", "1") == -1) {
				store_rollback(st);
				goto dberr;
			}
		}
		if (store_commit(st) == -1)
			goto dberr;
	}
	free(init);
	return st;
dberr:
	snprintf(err, errlen, "factory defaults: %s",
	    sqlite3_errmsg(st->st_db));
err:
	free(path);
	store_close(st);
	return NULL;
}

static void
store_memo_clear(struct store *st)
{
	size_t i;

	for (i = 0; i < nitems(st->st_memo); i++) {
		free(st->st_memo[i].m_key);
		free(st->st_memo[i].m_text);
		st->st_memo[i].m_key = NULL;
		st->st_memo[i].m_text = NULL;
	}
}

/* 1 while no connection has changed the database since the memo. */
static int
store_memo_valid(struct store *st)
{
	long long	dv = -1;
	long long	tc = sqlite3_total_changes64(st->st_db);

	/* The pragma sees commits of other connections (and processes). */
	if (st->st_dv_stmt == NULL && sqlite3_prepare_v3(st->st_db,
	    "PRAGMA data_version", -1, SQLITE_PREPARE_PERSISTENT,
	    &st->st_dv_stmt, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(st->st_dv_stmt) == SQLITE_ROW)
		dv = sqlite3_column_int64(st->st_dv_stmt, 0);
	sqlite3_reset(st->st_dv_stmt);
	if (dv == -1)
		return 0;
	if (dv == st->st_memo_dv && tc == st->st_memo_tc)
		return 1;
	store_memo_clear(st);
	st->st_memo_dv = dv;
	st->st_memo_tc = tc;
	return 0;
}

const char *
store_memo_get(struct store *st, const char *key, long long *num)
{
	size_t i;

	if (st->st_depth > 0 || !store_memo_valid(st))
		return NULL;
	for (i = 0; i < nitems(st->st_memo); i++)
		if (st->st_memo[i].m_key != NULL &&
		    strcmp(st->st_memo[i].m_key, key) == 0) {
			*num = st->st_memo[i].m_val;
			return st->st_memo[i].m_text ? st->st_memo[i].m_text :
			    "";
		}
	return NULL;
}

void
store_memo_put(struct store *st, const char *key, const char *text,
    long long num)
{
	struct store_memo *m;

	if (st->st_depth > 0)
		return;		/* uncommitted: may still roll back */
	/* Large pages are not worth holding per thread. */
	if (text != NULL && strlen(text) > (256u << 10))
		return;
	store_memo_valid(st);
	m = &st->st_memo[st->st_memo_next++ % nitems(st->st_memo)];
	free(m->m_key);
	free(m->m_text);
	m->m_key = xstrdup(key);
	m->m_text = text ? xstrdup(text) : NULL;
	m->m_val = num;
}

sqlite3_stmt *
store_stmt(struct store *st, const char *sql)
{
	struct store_cached	*c, *victim = NULL;
	sqlite3_stmt		*stmt;
	size_t			 i;

	for (i = 0; i < nitems(st->st_cache); i++) {
		c = &st->st_cache[i];
		if (c->c_sql != NULL && !c->c_busy &&
		    strcmp(c->c_sql, sql) == 0) {
			c->c_busy = 1;
			c->c_used = ++st->st_cache_tick;
			return c->c_stmt;
		}
		if (!c->c_busy && (victim == NULL || c->c_sql == NULL ||
		    (victim->c_sql != NULL && c->c_used < victim->c_used)))
			victim = c;
	}
	if (sqlite3_prepare_v3(st->st_db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &stmt, NULL) != SQLITE_OK)
		return NULL;
	/* Every slot busy (nested users of many statements): uncached. */
	if (victim == NULL)
		return stmt;
	sqlite3_finalize(victim->c_stmt);
	free(victim->c_sql);
	victim->c_sql = xstrdup(sql);
	victim->c_stmt = stmt;
	victim->c_busy = 1;
	victim->c_used = ++st->st_cache_tick;
	return stmt;
}

void
store_stmt_done(struct store *st, sqlite3_stmt *stmt)
{
	size_t i;

	if (stmt == NULL)
		return;
	for (i = 0; i < nitems(st->st_cache); i++)
		if (st->st_cache[i].c_stmt == stmt) {
			sqlite3_reset(stmt);
			sqlite3_clear_bindings(stmt);
			st->st_cache[i].c_busy = 0;
			return;
		}
	sqlite3_finalize(stmt);
}

static void
store_cache_clear(struct store *st)
{
	size_t i;

	for (i = 0; i < nitems(st->st_cache); i++) {
		sqlite3_finalize(st->st_cache[i].c_stmt);
		free(st->st_cache[i].c_sql);
		memset(&st->st_cache[i], 0, sizeof(st->st_cache[i]));
	}
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	store_cache_clear(st);
	store_memo_clear(st);
	sqlite3_finalize(st->st_dv_stmt);
	store_session_end(st);
	if (st->st_db)
		sqlite3_close_v2(st->st_db);
	free(st->st_dir);
	free(st);
}

sqlite3 *
store_db(struct store *st)
{
	return st->st_db;
}

const char *
store_datadir(struct store *st)
{
	return st->st_dir;
}

int
store_begin(struct store *st)
{
	if (st->st_depth++ > 0)
		return 0;
	st->st_failed = 0;
	/* IMMEDIATE: take the write lock now, not at the first write. */
	if (store_exec(st, "BEGIN IMMEDIATE") == -1) {
		st->st_depth = 0;
		return -1;
	}
	if (sqlite3session_create(st->st_db, "main", &st->st_session) !=
	    SQLITE_OK) {
		st->st_session = NULL;
		goto err;
	}
	sqlite3session_table_filter(st->st_session, store_tracked, NULL);
	if (sqlite3session_attach(st->st_session, NULL) != SQLITE_OK)
		goto err;
	return 0;
err:
	log_warnx("store: session: %s", sqlite3_errmsg(st->st_db));
	store_session_end(st);
	store_exec(st, "ROLLBACK");
	st->st_depth = 0;
	return -1;
}

int
store_commit(struct store *st)
{
	if (st->st_depth == 0)
		fatalx("store_commit without store_begin");
	if (--st->st_depth > 0)
		return st->st_failed ? -1 : 0;
	store_session_end(st);
	if (st->st_failed) {
		store_exec(st, "ROLLBACK");
		return -1;
	}
	if (store_exec(st, "COMMIT") == -1) {
		store_exec(st, "ROLLBACK");
		return -1;
	}
	return 0;
}

void
store_rollback(struct store *st)
{
	if (st->st_depth == 0)
		fatalx("store_rollback without store_begin");
	if (--st->st_depth > 0) {
		st->st_failed = 1;	/* the outermost commit rolls back */
		return;
	}
	store_session_end(st);
	store_exec(st, "ROLLBACK");
}

static int
store_exec1(struct store *st, const char *sql, const char *a, double d)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	if (sqlite3_prepare_v2(st->st_db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		log_warnx("store: %s", sqlite3_errmsg(st->st_db));
		return -1;
	}
	sqlite3_bind_text(stmt, 1, a, -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(stmt) > 1)
		sqlite3_bind_double(stmt, 2, d);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		log_warnx("store: %s", sqlite3_errmsg(st->st_db));
		return -1;
	}
	return rc == SQLITE_ROW ? 1 : 0;
}

int
store_dirty_set(struct store *st, enum subsys s)
{
	return store_exec1(st, "INSERT OR IGNORE INTO dirty (subsys, since) "
	    "VALUES (?, ?)", subsys_name(s), store_time()) == -1 ? -1 : 0;
}

int
store_dirty_clear(struct store *st, enum subsys s)
{
	return store_exec1(st, "DELETE FROM dirty WHERE subsys = ?",
	    subsys_name(s), 0) == -1 ? -1 : 0;
}

subsys_mask
store_dirty_mask(struct store *st)
{
	json_t		*l = store_dirty_list(st), *v;
	subsys_mask	 m = 0;
	size_t		 i;

	json_array_foreach(l, i, v)
		m |= SUBSYS_BIT(subsys_from_name(json_string_value(v)));
	json_decref(l);
	return m & ~SUBSYS_BIT(SUBSYS_NONE);
}

double
store_dirty_since(struct store *st, enum subsys s)
{
	sqlite3_stmt	*stmt;
	double		 t = 0;

	if ((stmt = store_stmt(st, "SELECT since FROM dirty WHERE subsys = ?"))
	    == NULL)
		return 0;
	sqlite3_bind_text(stmt, 1, subsys_name(s), -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		t = sqlite3_column_double(stmt, 0);
	store_stmt_done(st, stmt);
	return t;
}

int
store_applied_set(struct store *st, enum subsys s, long long rev, int ok,
    const char *who, const char *msg)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	stmt = store_stmt(st, ok ?
	    "INSERT INTO applied (subsys, revision, time, attempt, ok, "
	    "message, who) VALUES (?1, ?2, ?3, ?3, 1, '', ?4) "
	    "ON CONFLICT (subsys) DO UPDATE SET revision = ?2, time = ?3, "
	    "attempt = ?3, ok = 1, message = '', who = ?4" :
	    "INSERT INTO applied (subsys, revision, time, attempt, ok, "
	    "message, who) VALUES (?1, -1, 0, ?3, 0, ?5, ?4) "
	    "ON CONFLICT (subsys) DO UPDATE SET attempt = ?3, ok = 0, "
	    "message = ?5, who = ?4");
	if (stmt == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, subsys_name(s), -1, SQLITE_STATIC);
	if (ok)
		sqlite3_bind_int64(stmt, 2, rev);
	sqlite3_bind_double(stmt, 3, store_time());
	sqlite3_bind_text(stmt, 4, who, -1, SQLITE_STATIC);
	if (!ok)
		sqlite3_bind_text(stmt, 5, msg, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	store_stmt_done(st, stmt);
	if (rc != SQLITE_DONE) {
		log_warnx("store: %s", sqlite3_errmsg(st->st_db));
		return -1;
	}
	return 0;
}

json_t *
store_applied_list(struct store *st)
{
	sqlite3_stmt	*stmt;
	json_t		*o = json_object();

	if ((stmt = store_stmt(st, "SELECT subsys, revision, time, attempt, "
	    "ok, message, who FROM applied ORDER BY subsys")) == NULL)
		return o;
	while (sqlite3_step(stmt) == SQLITE_ROW)
		json_object_set_new(o, (const char *)sqlite3_column_text(stmt,
		    0), json_pack("{s:I,s:f,s:f,s:b,s:s,s:s}",
		    "revision", (json_int_t)sqlite3_column_int64(stmt, 1),
		    "time", sqlite3_column_double(stmt, 2),
		    "attempt", sqlite3_column_double(stmt, 3),
		    "ok", sqlite3_column_int(stmt, 4),
		    "message", (const char *)sqlite3_column_text(stmt, 5),
		    "who", (const char *)sqlite3_column_text(stmt, 6)));
	store_stmt_done(st, stmt);
	return o;
}

long long
store_revision_last(struct store *st)
{
	sqlite3_stmt	*stmt;
	long long	 id = 0;

	if ((stmt = store_stmt(st, "SELECT max(id) FROM revisions")) == NULL)
		return -1;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		id = sqlite3_column_int64(stmt, 0);
	store_stmt_done(st, stmt);
	return id;
}

long long
store_revision_before(struct store *st, double t)
{
	sqlite3_stmt	*stmt;
	long long	 id = 0;

	if ((stmt = store_stmt(st, "SELECT max(id) FROM revisions WHERE "
	    "time < ?")) == NULL)
		return -1;
	sqlite3_bind_double(stmt, 1, t);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		id = sqlite3_column_int64(stmt, 0);
	store_stmt_done(st, stmt);
	return id;
}

json_t *
store_dirty_list(struct store *st)
{
	sqlite3_stmt	*stmt;
	json_t		*a = json_array();

	if (sqlite3_prepare_v2(st->st_db, "SELECT subsys FROM dirty "
	    "ORDER BY subsys", -1, &stmt, NULL) != SQLITE_OK)
		return a;
	while (sqlite3_step(stmt) == SQLITE_ROW)
		json_array_append_new(a, json_string(
		    (const char *)sqlite3_column_text(stmt, 0)));
	sqlite3_finalize(stmt);
	return a;
}

long long
store_revision_add(struct store *st, const char *user, const char *descr)
{
	sqlite3_stmt	*stmt = NULL;
	void		*cs = NULL;
	int		 cslen = 0;
	long long	 id = -1;

	if (st->st_session == NULL)
		fatalx("store_revision_add outside a transaction");
	if (sqlite3session_changeset(st->st_session, &cslen, &cs) != SQLITE_OK)
		goto err;
	if (sqlite3_prepare_v2(st->st_db, "INSERT INTO revisions "
	    "(time, user, description, changeset) VALUES (?, ?, ?, ?)", -1,
	    &stmt, NULL) != SQLITE_OK)
		goto err;
	sqlite3_bind_double(stmt, 1, store_time());
	sqlite3_bind_text(stmt, 2, user ? user : "system", -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, descr ? descr : "", -1, SQLITE_STATIC);
	sqlite3_bind_blob(stmt, 4, cs ? cs : "", cslen, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		goto err;
	id = sqlite3_last_insert_rowid(st->st_db);
	sqlite3_finalize(stmt);
	stmt = NULL;
	/* Retention, as OPNsense's backup count: oldest go first. */
	if (id > STORE_KEEP_REVISIONS) {
		/*
		 * Never the changesets a pending subsystem needs to rebuild
		 * the content it has in force (apply.c, at boot).
		 */
		char *sql = xasprintf("DELETE FROM revisions WHERE id <= %lld "
		    "AND id <= coalesce((SELECT min(a.revision) FROM applied a "
		    "JOIN dirty d ON a.subsys = d.subsys WHERE a.revision >= "
		    "0), %lld) AND id <= coalesce((SELECT max(r.id) FROM "
		    "revisions r WHERE r.time < (SELECT min(since) FROM "
		    "dirty)), %lld)", id - STORE_KEEP_REVISIONS, id, id);
		store_exec(st, sql);
		free(sql);
	}
err:
	if (id == -1)
		log_warnx("store: revision: %s", sqlite3_errmsg(st->st_db));
	sqlite3_finalize(stmt);
	sqlite3_free(cs);
	return id;
}

json_t *
store_revision_list(struct store *st, int limit)
{
	sqlite3_stmt	*stmt;
	json_t		*a = json_array();

	if (sqlite3_prepare_v2(st->st_db, "SELECT id, time, user, description "
	    "FROM revisions ORDER BY id DESC LIMIT ?", -1, &stmt,
	    NULL) != SQLITE_OK)
		return a;
	sqlite3_bind_int(stmt, 1, limit > 0 ? limit : -1);
	while (sqlite3_step(stmt) == SQLITE_ROW)
		json_array_append_new(a, json_pack("{s:I,s:f,s:s,s:s}",
		    "id", (json_int_t)sqlite3_column_int64(stmt, 0),
		    "time", sqlite3_column_double(stmt, 1),
		    "user", (const char *)sqlite3_column_text(stmt, 2),
		    "description", (const char *)sqlite3_column_text(stmt, 3)));
	sqlite3_finalize(stmt);
	return a;
}

/* A row changed since: take the inverse as it comes (the copy is ours). */
static int
store_conflict(void *arg, int kind, sqlite3_changeset_iter *it)
{
	(void)arg;
	(void)it;
	return kind == SQLITE_CHANGESET_DATA ||
	    kind == SQLITE_CHANGESET_CONFLICT ? SQLITE_CHANGESET_REPLACE :
	    SQLITE_CHANGESET_OMIT;
}

/*
 * The configuration as revision id left it: copy the store into memory,
 * undo every later revision there, newest first, and snapshot the copy.
 */
static json_t *
store_rewind(struct store *st, long long id)
{
	struct store	 mem = { 0 };
	sqlite3_backup	*bk;
	sqlite3_stmt	*stmt = NULL;
	void		*inv;
	int		 invlen, rc;
	json_t		*snap = NULL;

	if (sqlite3_open(":memory:", &mem.st_db) != SQLITE_OK)
		goto err;
	mem.st_dir = st->st_dir;
	if ((bk = sqlite3_backup_init(mem.st_db, "main", st->st_db,
	    "main")) == NULL)
		goto err;
	sqlite3_backup_step(bk, -1);
	if (sqlite3_backup_finish(bk) != SQLITE_OK)
		goto err;
	if (sqlite3_prepare_v2(mem.st_db, "SELECT changeset FROM revisions "
	    "WHERE id > ? ORDER BY id DESC", -1, &stmt, NULL) != SQLITE_OK)
		goto err;
	sqlite3_bind_int64(stmt, 1, id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (sqlite3changeset_invert(sqlite3_column_bytes(stmt, 0),
		    (void *)sqlite3_column_blob(stmt, 0), &invlen, &inv) !=
		    SQLITE_OK)
			goto err;
		rc = sqlite3changeset_apply(mem.st_db, invlen, inv, NULL,
		    store_conflict, NULL);
		sqlite3_free(inv);
		if (rc != SQLITE_OK)
			goto err;
	}
	if (rc != SQLITE_DONE)
		goto err;
	snap = cfg_snapshot(&mem, NULL, 1);
err:
	if (snap == NULL)
		log_warnx("store: revision %lld: %s", id, mem.st_db ?
		    sqlite3_errmsg(mem.st_db) : "no memory");
	sqlite3_finalize(stmt);
	store_cache_clear(&mem);
	sqlite3_close(mem.st_db);
	return snap;
}

json_t *
store_revision_get(struct store *st, long long id)
{
	sqlite3_stmt	*stmt;
	json_t		*o = NULL, *snap;

	if (sqlite3_prepare_v2(st->st_db, "SELECT id, time, user, description "
	    "FROM revisions WHERE id = ?", -1, &stmt, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite3_step(stmt) == SQLITE_ROW &&
	    (snap = store_rewind(st, id)) != NULL)
		o = json_pack("{s:I,s:f,s:s,s:s,s:o}",
		    "id", (json_int_t)sqlite3_column_int64(stmt, 0),
		    "time", sqlite3_column_double(stmt, 1),
		    "user", (const char *)sqlite3_column_text(stmt, 2),
		    "description", (const char *)sqlite3_column_text(stmt, 3),
		    "snapshot", snap);
	sqlite3_finalize(stmt);
	return o;
}

json_t *
store_revision_at(struct store *st, long long id)
{
	sqlite3_stmt	*stmt;
	long long	 oldest = 0;

	/* Rewinding to id undoes every changeset after it: all must be kept. */
	if ((stmt = store_stmt(st, "SELECT min(id) FROM revisions")) == NULL)
		return NULL;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		oldest = sqlite3_column_int64(stmt, 0);
	store_stmt_done(st, stmt);
	if (id < 0 || (oldest > 0 && id < oldest - 1))
		return NULL;
	return store_rewind(st, id);
}

json_t *
store_revision_snapshot(struct store *st, long long id)
{
	json_t *rev, *snap;

	if ((rev = store_revision_get(st, id)) == NULL)
		return NULL;
	snap = json_incref(json_object_get(rev, "snapshot"));
	json_decref(rev);
	return snap;
}

int
store_kv_set(struct store *st, const char *key, const char *val)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	if (sqlite3_prepare_v2(st->st_db, "INSERT OR REPLACE INTO kv "
	    "(key, value) VALUES (?, ?)", -1, &stmt, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, val, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}

char *
store_kv_get(struct store *st, const char *key)
{
	sqlite3_stmt	*stmt;
	char		*v = NULL;

	if (sqlite3_prepare_v2(st->st_db, "SELECT value FROM kv WHERE key = ?",
	    -1, &stmt, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		v = xstrdup((const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	return v;
}
