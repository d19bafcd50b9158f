/*
 * store.c — the SQLite store.
 *
 * One file, DIR/twinwall.db, in WAL mode so the API's readers never wait
 * for a writer. Migrations are compiled in (schema.h) and applied in one
 * transaction each at open; a fresh store then receives the factory
 * defaults (cfg_install_factory) so every path sees the same first state.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "config/config.h"
#include "log.h"
#include "schema.h"
#include "store.h"
#include "util.h"

struct store {
	sqlite3		*st_db;
	char		*st_dir;
	int		 st_depth;	/* nested store_begin count */
	int		 st_failed;	/* an inner level rolled back */
};

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

static int
store_migrate(struct store *st, char *err, size_t errlen)
{
	const struct schema_migration	*m;
	sqlite3_stmt			*stmt = NULL;
	char				*msg = NULL;
	int				 cur = store_schema_version(st);

	for (m = schema_migrations; m->sql != NULL; m++) {
		if (m->version <= cur)
			continue;
		if (store_exec(st, "BEGIN IMMEDIATE") == -1)
			goto err;
		/* Another process may have migrated while we waited. */
		if (store_schema_version(st) >= m->version) {
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

struct store *
store_open(const char *datadir, char *err, size_t errlen)
{
	struct store	*st;
	char		*path;
	char		*init;

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

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
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
	return 0;
}

int
store_commit(struct store *st)
{
	if (st->st_depth == 0)
		fatalx("store_commit without store_begin");
	if (--st->st_depth > 0)
		return st->st_failed ? -1 : 0;
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
store_dirty_set(struct store *st, const char *subsys)
{
	return store_exec1(st, "INSERT OR IGNORE INTO dirty (subsys, since) "
	    "VALUES (?, ?)", subsys, store_time()) == -1 ? -1 : 0;
}

int
store_dirty_clear(struct store *st, const char *subsys)
{
	return store_exec1(st, "DELETE FROM dirty WHERE subsys = ?", subsys,
	    0) == -1 ? -1 : 0;
}

int
store_dirty_is(struct store *st, const char *subsys)
{
	return store_exec1(st, "SELECT 1 FROM dirty WHERE subsys = ?",
	    subsys, 0) == 1;
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
store_revision_add(struct store *st, const char *user, const char *descr,
    json_t *snapshot)
{
	sqlite3_stmt	*stmt = NULL;
	char		*text;
	long long	 id = -1;

	text = json_dumps(snapshot, JSON_COMPACT | JSON_SORT_KEYS);
	if (text == NULL)
		return -1;
	if (sqlite3_prepare_v2(st->st_db, "INSERT INTO revisions "
	    "(time, user, description, snapshot) VALUES (?, ?, ?, ?)", -1,
	    &stmt, NULL) != SQLITE_OK)
		goto err;
	sqlite3_bind_double(stmt, 1, store_time());
	sqlite3_bind_text(stmt, 2, user ? user : "system", -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, descr ? descr : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, text, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		goto err;
	id = sqlite3_last_insert_rowid(st->st_db);
	sqlite3_finalize(stmt);
	stmt = NULL;
	/* Retention, as OPNsense's backup count: oldest go first. */
	if (id > STORE_KEEP_REVISIONS) {
		char *sql = xasprintf("DELETE FROM revisions WHERE id <= %lld",
		    id - STORE_KEEP_REVISIONS);
		store_exec(st, sql);
		free(sql);
	}
err:
	if (id == -1)
		log_warnx("store: revision: %s", sqlite3_errmsg(st->st_db));
	sqlite3_finalize(stmt);
	free(text);
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

json_t *
store_revision_get(struct store *st, long long id)
{
	sqlite3_stmt	*stmt;
	json_t		*o = NULL, *snap;
	json_error_t	 jerr;

	if (sqlite3_prepare_v2(st->st_db, "SELECT id, time, user, description,"
	    " snapshot FROM revisions WHERE id = ?", -1, &stmt,
	    NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		snap = json_loads((const char *)sqlite3_column_text(stmt, 4), 0,
		    &jerr);
		if (snap != NULL)
			o = json_pack("{s:I,s:f,s:s,s:s,s:o}",
			    "id", (json_int_t)sqlite3_column_int64(stmt, 0),
			    "time", sqlite3_column_double(stmt, 1),
			    "user", (const char *)sqlite3_column_text(stmt, 2),
			    "description",
			    (const char *)sqlite3_column_text(stmt, 3),
			    "snapshot", snap);
		else
			log_warnx("store: revision %lld: %s", id, jerr.text);
	}
	sqlite3_finalize(stmt);
	return o;
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
