/*
 * auth.c — password hashes, API keys and the first user.
 *
 * Hashes are crypt(3) SHA-512 ("$6$rounds=N$salt$hash", libxcrypt's
 * crypt_r/crypt_gensalt_rn). Chosen over yescrypt ("$y$"), which resists
 * GPUs better, because users are an HA sync item and twinwall also drives
 * FreeBSD nodes: FreeBSD's crypt(3) and every OPNsense/pfSense tool read
 * $6$, not $y$, so a hash made here keeps working on every peer.
 * Verification accepts whatever libxcrypt knows ($y$, $2y$ from an
 * OPNsense import, $6$, $5$).
 *
 * Passwords are stretched (AUTH_ROUNDS, ~40 ms). API secrets are 64
 * random characters (384 bits): nothing to stretch, and every API
 * request checks one, so they get the minimum round count.
 *
 * Plain text is wiped with explicit_bzero after use and never logged.
 */
#include <crypt.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <sqlite3.h>

#include "auth.h"
#include "log.h"
#include "store.h"
#include "util.h"

#define AUTH_ROUNDS		100000	/* passwords */
#define AUTH_SECRET_ROUNDS	1000	/* API secrets: libxcrypt's minimum */
#define AUTH_KEY_LEN		64
#define AUTH_INITIAL_LEN	16
#define AUTH_INITIAL_FILE	"initial-password"

static const char auth_b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static const char auth_alnum[] =
    "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

/* Hashes compared against when a user or key does not exist, so that a
 * miss costs as much as a wrong password. */
static pthread_once_t	 auth_dummy_once = PTHREAD_ONCE_INIT;
static char		*auth_dummy_pw, *auth_dummy_secret;

/*
 * Returns a new hash of plain with the given round count, or NULL.
 */
static char *
auth_hash_rounds(const char *plain, unsigned long rounds)
{
	struct crypt_data	*cd;
	char			 salt[CRYPT_GENSALT_OUTPUT_SIZE];
	char			*out, *ret = NULL;

	if (plain == NULL)
		return NULL;
	cd = xcalloc(1, sizeof(*cd));
	if (crypt_gensalt_rn("$6$", rounds, NULL, 0, salt,
	    sizeof(salt)) == NULL) {
		log_warn("auth: crypt_gensalt");
		goto err;
	}
	out = crypt_r(plain, salt, cd);
	if (out == NULL || out[0] != '$') {
		log_warnx("auth: crypt failed");
		goto err;
	}
	ret = xstrdup(out);
err:
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return ret;
}

char *
auth_hash(const char *plain)
{
	return auth_hash_rounds(plain, AUTH_ROUNDS);
}

int
auth_verify(const char *plain, const char *hash)
{
	struct crypt_data	*cd;
	const char		*out;
	size_t			 len;
	int			 ok = 0;

	if (plain == NULL || hash == NULL || hash[0] != '$')
		return 0;
	cd = xcalloc(1, sizeof(*cd));
	out = crypt_r(plain, hash, cd);
	/* libxcrypt returns a "*0"/"*1" failure token, never NULL. */
	if (out != NULL && out[0] == '$' && (len = strlen(hash)) ==
	    strlen(out))
		ok = CRYPTO_memcmp(out, hash, len) == 0;
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return ok;
}

static void
auth_dummy_init(void)
{
	auth_dummy_pw = auth_hash_rounds("twinwall-dummy", AUTH_ROUNDS);
	auth_dummy_secret = auth_hash_rounds("twinwall-dummy",
	    AUTH_SECRET_ROUNDS);
}

/* Spends the time a real verification would. */
static void
auth_burn(const char *plain, int secret)
{
	pthread_once(&auth_dummy_once, auth_dummy_init);
	(void)auth_verify(plain, secret ? auth_dummy_secret : auth_dummy_pw);
}

/* Fills out[len] with random characters of alphabet set and a NUL. */
static int
auth_random_string(char *out, size_t len, const char *set)
{
	size_t	 n = strlen(set), i = 0;
	size_t	 limit = 256 - 256 % n;		/* no modulo bias */
	uint8_t	 b[64];
	size_t	 j;

	while (i < len) {
		if (util_random(b, sizeof(b)) == -1)
			return -1;
		for (j = 0; j < sizeof(b) && i < len; j++)
			if (b[j] < limit)
				out[i++] = set[b[j] % n];
	}
	out[len] = '\0';
	explicit_bzero(b, sizeof(b));
	return 0;
}

/*
 * Looks up one text column by one text parameter. Returns a new string
 * the caller wipes and frees, or NULL when there is no row.
 */
static char *
auth_lookup(struct store *st, const char *sql, const char *param,
    char *col2, size_t col2len)
{
	sqlite3_stmt	*stmt = NULL;
	char		*ret = NULL;
	const char	*v;
	int		 rc;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &stmt, NULL) !=
	    SQLITE_OK) {
		log_warnx("auth: %s", sqlite3_errmsg(store_db(st)));
		return NULL;
	}
	sqlite3_bind_text(stmt, 1, param, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		v = (const char *)sqlite3_column_text(stmt, 0);
		ret = xstrdup(v ? v : "");
		if (col2 != NULL) {
			v = (const char *)sqlite3_column_text(stmt, 1);
			util_strlcpy(col2, v ? v : "", col2len);
		}
	} else if (rc != SQLITE_DONE)
		log_warnx("auth: %s", sqlite3_errmsg(store_db(st)));
	sqlite3_finalize(stmt);
	return ret;
}

int
auth_user_login(struct store *st, const char *user, const char *pass)
{
	char	*hash;
	int	 ok;

	if (user == NULL || pass == NULL)
		return 0;
	hash = auth_lookup(st, "SELECT password FROM users "
	    "WHERE name = ?1 AND disabled = '0'", user, NULL, 0);
	if (hash == NULL || hash[0] == '\0') {
		auth_burn(pass, 0);
		ok = 0;
	} else
		ok = auth_verify(pass, hash);
	util_free_secret(hash);
	return ok;
}

int
auth_apikey_check(struct store *st, const char *key, const char *secret,
    char *user, size_t size)
{
	char	*hash, name[64];
	int	 ok = 0;

	if (key == NULL || secret == NULL)
		return 0;
	name[0] = '\0';
	hash = auth_lookup(st, "SELECT a.secret, a.user FROM apikeys a "
	    "JOIN users u ON u.name = a.user "
	    "WHERE a.key = ?1 AND u.disabled = '0'", key, name, sizeof(name));
	if (hash == NULL)
		auth_burn(secret, 1);
	else if ((ok = auth_verify(secret, hash)) && user != NULL)
		util_strlcpy(user, name, size);
	util_free_secret(hash);
	return ok;
}

int
auth_apikey_create(struct store *st, const char *user, const char *descr,
    char *key, char *secret)
{
	sqlite3_stmt	*stmt = NULL;
	char		*hash = NULL, *exists = NULL;
	int		 ret = -1;

	key[0] = secret[0] = '\0';
	exists = auth_lookup(st, "SELECT disabled FROM users WHERE name = ?1",
	    user, NULL, 0);
	if (exists == NULL) {
		log_warnx("auth: no user %s", user);
		goto err;
	}
	/* A key for a disabled user would never work: say so instead. */
	if (strcmp(exists, "0") != 0) {
		log_warnx("auth: user %s is disabled: no API key made", user);
		ret = AUTH_EDISABLED;
		goto err;
	}
	if (auth_random_string(key, AUTH_KEY_LEN, auth_b64url) == -1 ||
	    auth_random_string(secret, AUTH_KEY_LEN, auth_b64url) == -1) {
		log_warn("auth: random");
		goto err;
	}
	if ((hash = auth_hash_rounds(secret, AUTH_SECRET_ROUNDS)) == NULL)
		goto err;
	if (sqlite3_prepare_v2(store_db(st), "INSERT INTO apikeys "
	    "(key, user, secret, descr, created) VALUES (?1, ?2, ?3, ?4, ?5)",
	    -1, &stmt, NULL) != SQLITE_OK)
		goto sqlerr;
	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, descr ? descr : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 5, (sqlite3_int64)time(NULL));
	if (sqlite3_step(stmt) != SQLITE_DONE)
		goto sqlerr;
	log_info("auth: API key %.8s... created for %s", key, user);
	ret = 0;
	goto err;
sqlerr:
	log_warnx("auth: API key: %s", sqlite3_errmsg(store_db(st)));
err:
	sqlite3_finalize(stmt);
	free(exists);
	util_free_secret(hash);
	if (ret != 0) {
		explicit_bzero(secret, AUTH_KEY_LEN + 1);
		key[0] = secret[0] = '\0';
	}
	return ret;
}

int
auth_set_password(struct store *st, const char *user, const char *pass)
{
	sqlite3_stmt	*stmt = NULL;
	char		*hash = NULL;
	int		 ret = -1;

	if ((hash = auth_hash(pass)) == NULL)
		return -1;
	if (sqlite3_prepare_v2(store_db(st),
	    "UPDATE users SET password = ?1 WHERE name = ?2", -1, &stmt,
	    NULL) != SQLITE_OK)
		goto sqlerr;
	sqlite3_bind_text(stmt, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, user, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		goto sqlerr;
	if (sqlite3_changes(store_db(st)) == 0)
		goto err;
	ret = 0;
	goto err;
sqlerr:
	log_warnx("auth: set password: %s", sqlite3_errmsg(store_db(st)));
err:
	sqlite3_finalize(stmt);
	util_free_secret(hash);
	return ret;
}

/* Count of users that can log in with a password; -1 on error. */
static int
auth_count_passwords(struct store *st)
{
	sqlite3_stmt	*stmt = NULL;
	int		 n = -1;

	if (sqlite3_prepare_v2(store_db(st), "SELECT count(*) FROM users "
	    "WHERE password != ''", -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW)
		n = sqlite3_column_int(stmt, 0);
	else
		log_warnx("auth: %s", sqlite3_errmsg(store_db(st)));
	sqlite3_finalize(stmt);
	return n;
}

/*
 * First start. The factory defaults may already hold root without a
 * password, so the test is "nobody can log in", not "no row": then root
 * is created or given a random password, shown once on stdout and left in
 * DIR/initial-password (0600) for an administrator who missed it.
 */
int
auth_bootstrap(struct store *st, const char *datadir)
{
	sqlite3_stmt	*stmt = NULL;
	char		 pw[AUTH_INITIAL_LEN + 2], uuid[UUID_LEN + 1];
	char		*hash = NULL, *path = NULL, *exists = NULL;
	int		 n, ret = -1;

	if ((n = auth_count_passwords(st)) == -1)
		return -1;
	if (n > 0)
		return 0;
	if (auth_random_string(pw, AUTH_INITIAL_LEN, auth_alnum) == -1) {
		log_warn("auth: random");
		goto err;
	}
	if ((hash = auth_hash(pw)) == NULL)
		goto err;
	exists = auth_lookup(st, "SELECT name FROM users WHERE name = ?1",
	    "root", NULL, 0);
	if (exists != NULL) {
		if (sqlite3_prepare_v2(store_db(st), "UPDATE users SET "
		    "password = ?1, disabled = '0', scope = 'admin' "
		    "WHERE name = 'root'", -1, &stmt, NULL) != SQLITE_OK)
			goto sqlerr;
		sqlite3_bind_text(stmt, 1, hash, -1, SQLITE_STATIC);
	} else {
		util_uuid(uuid);
		if (sqlite3_prepare_v2(store_db(st), "INSERT INTO users "
		    "(uuid, name, password, scope, disabled, descr) VALUES "
		    "(?1, 'root', ?2, 'admin', '0', 'System Administrator')",
		    -1, &stmt, NULL) != SQLITE_OK)
			goto sqlerr;
		sqlite3_bind_text(stmt, 1, uuid, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, hash, -1, SQLITE_STATIC);
	}
	if (sqlite3_step(stmt) != SQLITE_DONE)
		goto sqlerr;

	path = xasprintf("%s/%s", datadir, AUTH_INITIAL_FILE);
	pw[AUTH_INITIAL_LEN] = '\n';
	pw[AUTH_INITIAL_LEN + 1] = '\0';
	if (util_write_file(path, pw, AUTH_INITIAL_LEN + 1, 0600) == -1)
		log_warn("auth: %s", path);	/* stdout still has it */
	pw[AUTH_INITIAL_LEN] = '\0';
	printf("initial root password: %s\n", pw);
	fflush(stdout);
	log_info("auth: created the initial root password (see %s)", path);
	ret = 0;
	goto err;
sqlerr:
	log_warnx("auth: bootstrap: %s", sqlite3_errmsg(store_db(st)));
err:
	sqlite3_finalize(stmt);
	explicit_bzero(pw, sizeof(pw));
	util_free_secret(hash);
	free(exists);
	free(path);
	return ret;
}
