/*
 * test_store.c — the SQLite store: migration from an empty database,
 * factory defaults once, nested transactions, dirty flags, revisions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "config/config.h"
#include "config/sections.h"
#include "schema.h"
#include "store.h"
#include "testutil.h"

static int
count(struct store *st, const char *sql)
{
	sqlite3_stmt	*stmt;
	int		 n = -1;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &stmt, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		n = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	return n;
}

static void
test_migrate_empty(void **state)
{
	struct tu_fx			*fx = *state;
	const struct schema_migration	*m;
	int				 last = 0, n = 0;

	/* One row per migration; numbers may have gaps between branches. */
	for (m = schema_migrations; m->sql; m++, n++)
		last = m->version;
	assert_int_equal(store_schema_version(fx->st), last);
	assert_int_equal(count(fx->st, "SELECT count(*) FROM schema_version"),
	    n);
	/* WAL, as the API's readers rely on. */
	assert_int_equal(count(fx->st, "SELECT count(*) FROM "
	    "pragma_journal_mode WHERE journal_mode = 'wal'"), 1);
}

static void
test_factory_once(void **state)
{
	struct tu_fx	*fx = *state;
	struct store	*again;
	char		 err[256];

	assert_int_equal(count(fx->st, "SELECT count(*) FROM interfaces WHERE "
	    "name = 'lan' AND ipaddr = '192.168.1.1' AND subnet = '24'"), 1);
	assert_int_equal(count(fx->st, "SELECT count(*) FROM interfaces WHERE "
	    "name = 'wan' AND ipaddr = 'dhcp'"), 1);
	assert_int_equal(count(fx->st, "SELECT count(*) FROM filter_rules "
	    "WHERE source_net = 'lan' AND action = 'pass'"), 2);
	assert_int_equal(count(fx->st, "SELECT count(*) FROM snat WHERE "
	    "mode = 'automatic'"), 1);
	assert_int_equal(count(fx->st, "SELECT count(*) FROM revisions WHERE "
	    "description = 'factory defaults'"), 1);
	/* A second open neither migrates nor installs again. */
	again = store_open(fx->dir, err, sizeof(err));
	assert_non_null(again);
	store_close(again);
	assert_int_equal(count(fx->st, "SELECT count(*) FROM interfaces"), 2);
	assert_int_equal(count(fx->st, "SELECT count(*) FROM revisions"), 1);
}

static void
test_nested_rollback(void **state)
{
	struct tu_fx *fx = *state;

	assert_int_equal(store_begin(fx->st), 0);
	assert_int_equal(store_kv_set(fx->st, "a", "1"), 0);
	assert_int_equal(store_begin(fx->st), 0);
	assert_int_equal(store_kv_set(fx->st, "b", "2"), 0);
	store_rollback(fx->st);			/* inner fails ... */
	assert_int_equal(store_commit(fx->st), -1); /* ... so outer does */
	assert_null(store_kv_get(fx->st, "a"));
	assert_null(store_kv_get(fx->st, "b"));
}

static void
test_dirty(void **state)
{
	struct tu_fx	*fx = *state;
	json_t		*l;

	/* The factory install leaves everything dirty: nothing applied yet. */
	assert_true(store_dirty_mask(fx->st) & SUBSYS_BIT(SUBSYS_FILTER));
	assert_int_equal(store_dirty_clear(fx->st, SUBSYS_FILTER), 0);
	assert_false(store_dirty_mask(fx->st) & SUBSYS_BIT(SUBSYS_FILTER));
	assert_int_equal(store_dirty_set(fx->st, SUBSYS_FILTER), 0);
	assert_int_equal(store_dirty_set(fx->st, SUBSYS_FILTER), 0);
	l = store_dirty_list(fx->st);
	assert_true(json_array_size(l) >= 1);
	json_decref(l);
}

static void
test_revisions(void **state)
{
	struct tu_fx	*fx = *state;
	json_t		*list, *rev;
	long long	 id = 0;
	int		 i;

	for (i = 0; i < STORE_KEEP_REVISIONS + 5; i++) {
		assert_int_equal(store_begin(fx->st), 0);
		assert_int_equal(store_exec(fx->st, "UPDATE system SET "
		    "language = 'x'"), 0);
		id = store_revision_add(fx->st, "tester", "x");
		assert_int_equal(store_commit(fx->st), 0);
	}
	assert_true(id > STORE_KEEP_REVISIONS);
	assert_int_equal(count(fx->st, "SELECT count(*) FROM revisions"),
	    STORE_KEEP_REVISIONS);
	list = store_revision_list(fx->st, 3);
	assert_int_equal(json_array_size(list), 3);
	assert_int_equal(json_integer_value(json_object_get(
	    json_array_get(list, 0), "id")), id);
	rev = store_revision_get(fx->st, id);
	assert_non_null(rev);
	assert_string_equal(json_string_value(json_object_get(rev, "user")),
	    "tester");
	assert_non_null(json_object_get(rev, "snapshot"));
	assert_null(store_revision_get(fx->st, 1));	/* pruned */
	json_decref(rev);
	json_decref(list);
}

/*
 * The statement cache: the same SQL comes back prepared, bindings
 * cleared; a nested user of the same SQL gets its own statement; more
 * distinct statements than slots still all work.
 */
static void
test_stmt_cache(void **state)
{
	struct tu_fx	*fx = *state;
	sqlite3_stmt	*a, *b, *c;
	char		 sql[64];
	int		 i;

	a = store_stmt(fx->st, "SELECT ?1 + 1");
	assert_non_null(a);
	sqlite3_bind_int(a, 1, 41);
	assert_int_equal(sqlite3_step(a), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(a, 0), 42);
	/* Still stepping a: the same SQL again is another statement. */
	b = store_stmt(fx->st, "SELECT ?1 + 1");
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	store_stmt_done(fx->st, b);
	store_stmt_done(fx->st, a);
	c = store_stmt(fx->st, "SELECT ?1 + 1");
	assert_true(c == a || c == b);	/* cached, reset, unbound */
	assert_int_equal(sqlite3_step(c), SQLITE_ROW);
	assert_int_equal(sqlite3_column_type(c, 0), SQLITE_NULL);
	store_stmt_done(fx->st, c);
	for (i = 0; i < 100; i++) {
		snprintf(sql, sizeof(sql), "SELECT %d", i);
		assert_non_null(c = store_stmt(fx->st, sql));
		assert_int_equal(sqlite3_step(c), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(c, 0), i);
		store_stmt_done(fx->st, c);
	}
	assert_null(store_stmt(fx->st, "SELECT FROM nowhere"));
	store_stmt_done(fx->st, NULL);
}

static void
test_file_mode(void **state)
{
	struct tu_fx	*fx = *state;
	struct stat	 sb;
	char		 path[512];

	snprintf(path, sizeof(path), "%s/%s", fx->dir, STORE_DB_NAME);
	assert_int_equal(stat(path, &sb), 0);
	/* Holds password hashes and CARP keys: nobody else reads it. */
	assert_int_equal(sb.st_mode & 077, 0);
}

/*
 * A store made before schema 003 read equal sequences by uuid: the
 * migration keeps that order, and rules added afterwards come after
 * every older rule of their sequence, whatever their uuid.
 */
static void
test_migrate_keeps_order(void **state)
{
	static const char *const rule = "INSERT INTO filter_rules (uuid, "
	    "sequence, enabled, action, quick, direction, ipprotocol, "
	    "protocol, source_net, source_not, destination_net, "
	    "destination_not, log, statetype, nosync, nopfsync, description) "
	    "VALUES ('%s', %d, '1', 'pass', '1', 'in', 'inet', 'any', 'any', "
	    "'0', 'any', '0', '0', 'keep', '0', '0', '%s')";
	const char *const want[] = { "five", "ten a", "ten c", "ten new" };
	struct cfg_errors	 e;
	struct cfg_query	 q = { .q_current = 1, .q_rowcount = -1 };
	struct cfg_ctx		 ctx;
	struct store		*st;
	sqlite3			*db;
	json_t			*res, *rows, *in;
	char			*dir = tu_tmpdir(), path[512], err[256], sql[512];
	const char		*d;
	size_t			 i;

	(void)state;
	snprintf(path, sizeof(path), "%s/%s", dir, STORE_DB_NAME);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, schema_migrations[0].sql, NULL,
	    NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO schema_version "
	    "(version, name, applied) VALUES (1, '001_init', 0); "
	    "INSERT INTO kv (key, value) VALUES ('factory_installed', '1')",
	    NULL, NULL, NULL), SQLITE_OK);
	snprintf(sql, sizeof(sql), rule, "cccccccc-0000-4000-8000-000000000000",
	    10, "ten c");
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	snprintf(sql, sizeof(sql), rule, "bbbbbbbb-0000-4000-8000-000000000000",
	    5, "five");
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	snprintf(sql, sizeof(sql), rule, "aaaaaaaa-0000-4000-8000-000000000000",
	    10, "ten a");
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	st = store_open(dir, err, sizeof(err));
	assert_non_null(st);
	memset(&ctx, 0, sizeof(ctx));
	ctx.c_st = st;
	ctx.c_user = "test";
	cfg_errors_init(&e, "rule");
	/* The store holds no interfaces: a floating rule. */
	in = json_pack("{s:s,s:s}", "sequence", "10", "description",
	    "ten new");
	assert_int_equal(cfg_add(&ctx, &cfg_sec_filter_rules, in, NULL, &e),
	    0);
	json_decref(in);
	cfg_errors_free(&e);
	res = cfg_search(st, &cfg_sec_filter_rules, &q);
	rows = json_object_get(res, "rows");
	assert_int_equal(json_array_size(rows), 4);
	for (i = 0; i < 4; i++) {
		d = json_string_value(json_object_get(json_array_get(rows, i),
		    "description"));
		assert_string_equal(d, want[i]);
	}
	json_decref(res);
	store_close(st);
	tu_rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_migrate_empty, tu_setup,
		    tu_teardown),
		cmocka_unit_test(test_migrate_keeps_order),
		cmocka_unit_test_setup_teardown(test_factory_once, tu_setup,
		    tu_teardown),
		cmocka_unit_test_setup_teardown(test_nested_rollback, tu_setup,
		    tu_teardown),
		cmocka_unit_test_setup_teardown(test_dirty, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_stmt_cache, tu_setup,
		    tu_teardown),
		cmocka_unit_test_setup_teardown(test_revisions, tu_setup,
		    tu_teardown),
		cmocka_unit_test_setup_teardown(test_file_mode, tu_setup,
		    tu_teardown),
	};

	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
