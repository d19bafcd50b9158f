/*
 * test_auth.c — password hashing and API keys, against a real store in a
 * temporary directory.
 */
#include <crypt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "auth.h"
#include "store.h"
#include "util.h"

struct fixture {
	char		 dir[64];
	struct store	*st;
};

static int
setup_store(void **state)
{
	struct fixture	*f = calloc(1, sizeof(*f));
	char		 err[256];

	assert_non_null(f);
	strcpy(f->dir, "/tmp/tw-test-auth-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->st = store_open(f->dir, err, sizeof(err));
	if (f->st == NULL)
		fail_msg("store_open: %s", err);
	*state = f;
	return 0;
}

static int
teardown_store(void **state)
{
	struct fixture	*f = *state;
	char		*cmd;

	store_close(f->st);
	cmd = xasprintf("rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(f);
	return 0;
}

static void
test_hash_verify(void **state)
{
	char *h;

	(void)state;
	h = auth_hash("correct horse");
	assert_non_null(h);
	assert_int_equal(strncmp(h, "$6$rounds=", 10), 0);
	assert_true(strstr(h, "correct horse") == NULL);
	assert_int_equal(auth_verify("correct horse", h), 1);
	assert_int_equal(auth_verify("correct horsf", h), 0);
	assert_int_equal(auth_verify("correct hors", h), 0);
	assert_int_equal(auth_verify("", h), 0);
	free(h);
}

static void
test_hash_never_plain(void **state)
{
	char *h;

	(void)state;
	h = auth_hash("$6$abc");
	assert_non_null(h);
	assert_string_not_equal(h, "$6$abc");
	assert_int_equal(auth_verify("$6$abc", h), 1);
	/* The hash itself is not a password for itself. */
	assert_int_equal(auth_verify(h, h), 0);
	free(h);
}

static void
test_salted(void **state)
{
	char *a, *b;

	(void)state;
	a = auth_hash("same password");
	b = auth_hash("same password");
	assert_non_null(a);
	assert_non_null(b);
	assert_string_not_equal(a, b);
	assert_int_equal(auth_verify("same password", a), 1);
	assert_int_equal(auth_verify("same password", b), 1);
	free(a);
	free(b);
}

static void
test_verify_bad_hashes(void **state)
{
	(void)state;
	assert_int_equal(auth_verify("x", NULL), 0);
	assert_int_equal(auth_verify(NULL, "$6$x$y"), 0);
	assert_int_equal(auth_verify("x", ""), 0);
	assert_int_equal(auth_verify("x", "x"), 0);
	assert_int_equal(auth_verify("x", "*"), 0);
	assert_int_equal(auth_verify("x", "$6$"), 0);
	assert_int_equal(auth_verify("x", "$zz$nonsense"), 0);
}

/* Hashes from elsewhere (OPNsense bcrypt, yescrypt) still verify. */
static void
test_verify_other_schemes(void **state)
{
	static const char *prefixes[] = { "$2y$", "$y$", "$5$" };
	struct crypt_data	*cd = calloc(1, sizeof(*cd));
	char			 salt[CRYPT_GENSALT_OUTPUT_SIZE], *h;
	size_t			 i;

	(void)state;
	assert_non_null(cd);
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		assert_non_null(crypt_gensalt_rn(prefixes[i], 0, NULL, 0, salt,
		    sizeof(salt)));
		h = strdup(crypt_r("opnsense", salt, cd));
		assert_int_equal(auth_verify("opnsense", h), 1);
		assert_int_equal(auth_verify("pfsense", h), 0);
		free(h);
	}
	free(cd);
}

static void
test_bootstrap(void **state)
{
	struct fixture	*f = *state;
	struct stat	 sb;
	char		*path, *pw;
	size_t		 len;

	assert_int_equal(auth_bootstrap(f->st, f->dir), 0);
	path = xasprintf("%s/initial-password", f->dir);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	pw = util_read_file(path, &len, 1024);
	assert_non_null(pw);
	assert_int_equal(len, 17);
	assert_int_equal(pw[16], '\n');
	pw[16] = '\0';
	assert_int_equal(auth_user_login(f->st, "root", pw), 1);
	assert_int_equal(auth_user_login(f->st, "root", "wrong password"), 0);
	assert_int_equal(auth_user_login(f->st, "nobody", pw), 0);

	/* A second start changes nothing. */
	unlink(path);
	assert_int_equal(auth_bootstrap(f->st, f->dir), 0);
	assert_int_equal(stat(path, &sb), -1);
	assert_int_equal(auth_user_login(f->st, "root", pw), 1);

	/* passwd */
	assert_int_equal(auth_set_password(f->st, "root", "new secret"), 0);
	assert_int_equal(auth_user_login(f->st, "root", pw), 0);
	assert_int_equal(auth_user_login(f->st, "root", "new secret"), 1);
	assert_int_equal(auth_set_password(f->st, "nobody", "new secret"), -1);
	free(pw);
	free(path);
}

static void
test_apikey(void **state)
{
	struct fixture	*f = *state;
	char		 key[128], secret[128], key2[128], secret2[128];
	char		 user[64];
	size_t		 i;

	assert_int_equal(auth_bootstrap(f->st, f->dir), 0);
	assert_int_equal(auth_apikey_create(f->st, "root", "test", key,
	    secret), 0);
	assert_int_equal(strlen(key), 64);
	assert_int_equal(strlen(secret), 64);
	for (i = 0; i < 64; i++) {
		assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
		    "nopqrstuvwxyz0123456789-_", key[i]));
		assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
		    "nopqrstuvwxyz0123456789-_", secret[i]));
	}
	user[0] = '\0';
	assert_int_equal(auth_apikey_check(f->st, key, secret, user,
	    sizeof(user)), 1);
	assert_string_equal(user, "root");

	secret[0] ^= 1;
	assert_int_equal(auth_apikey_check(f->st, key, secret, user,
	    sizeof(user)), 0);
	secret[0] ^= 1;
	assert_int_equal(auth_apikey_check(f->st, secret, key, user,
	    sizeof(user)), 0);
	assert_int_equal(auth_apikey_check(f->st, "", "", user,
	    sizeof(user)), 0);

	/* The secret is stored hashed, never as given. */
	{
		sqlite3_stmt	*stmt;
		const char	*s;

		assert_int_equal(sqlite3_prepare_v2(store_db(f->st),
		    "SELECT secret FROM apikeys WHERE key = ?1", -1, &stmt,
		    NULL), SQLITE_OK);
		sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
		s = (const char *)sqlite3_column_text(stmt, 0);
		assert_int_equal(s[0], '$');
		assert_null(strstr(s, secret));
		sqlite3_finalize(stmt);
	}

	/* Two keys differ. */
	assert_int_equal(auth_apikey_create(f->st, "root", "", key2,
	    secret2), 0);
	assert_string_not_equal(key, key2);
	assert_string_not_equal(secret, secret2);

	/* No key for a user that does not exist. */
	assert_int_equal(auth_apikey_create(f->st, "nobody", "", key2,
	    secret2), -1);

	/* A disabled user's keys stop working. */
	assert_int_equal(store_exec(f->st,
	    "UPDATE users SET disabled = '1' WHERE name = 'root'"), 0);
	assert_int_equal(auth_apikey_check(f->st, key, secret, user,
	    sizeof(user)), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_verify),
		cmocka_unit_test(test_hash_never_plain),
		cmocka_unit_test(test_salted),
		cmocka_unit_test(test_verify_bad_hashes),
		cmocka_unit_test(test_verify_other_schemes),
		cmocka_unit_test_setup_teardown(test_bootstrap, setup_store,
		    teardown_store),
		cmocka_unit_test_setup_teardown(test_apikey, setup_store,
		    teardown_store),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
