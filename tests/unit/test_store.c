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

#include "config/config.h"
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
	int				 last = 0;

	for (m = schema_migrations; m->sql; m++)
		last = m->version;
	assert_int_equal(store_schema_version(fx->st), last);
	assert_int_equal(count(fx->st, "SELECT count(*) FROM schema_version"),
	    last);
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
	assert_true(store_dirty_is(fx->st, SUBSYS_FILTER));
	assert_int_equal(store_dirty_clear(fx->st, SUBSYS_FILTER), 0);
	assert_false(store_dirty_is(fx->st, SUBSYS_FILTER));
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_migrate_empty, tu_setup,
		    tu_teardown),
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
