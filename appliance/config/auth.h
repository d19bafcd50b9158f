/*
 * auth.h — passwords, API keys and the first user.
 *
 * Passwords are kept as crypt(3) SHA-512 hashes ("$6$rounds=...$salt$...");
 * verification also accepts any hash libcrypt knows ($2y$ bcrypt from an
 * OPNsense import, $y$ yescrypt). API secrets are kept the same way.
 * Plain text is wiped after use and never logged.
 */
#ifndef TW_AUTH_H
#define TW_AUTH_H

#include <stddef.h>

struct store;

/* Returns a new hash string the caller frees, or NULL. */
char	*auth_hash(const char *plain);
/* 1 when plain matches hash, else 0. Constant-time compare. */
int	 auth_verify(const char *plain, const char *hash);

/* 1 when the user exists, is enabled and the password matches. */
int	 auth_user_login(struct store *, const char *user, const char *pass);
/*
 * 1 when key/secret is a valid API key of an enabled user; its user name
 * goes into user (size bytes).
 */
int	 auth_apikey_check(struct store *, const char *key, const char *secret,
	    char *user, size_t size);
/*
 * Creates an API key for user. Writes the key and the secret (plain, for
 * the caller to show once) into key/secret (at least 81 bytes each).
 * 0, -1 (no such user, or a failure: logged) or AUTH_EDISABLED.
 */
#define AUTH_EDISABLED	(-2)
int	 auth_apikey_create(struct store *, const char *user, const char *descr,
	    char *key, char *secret);
/* Sets a user's password (hashing it). 0, or -1 when no such user. */
int	 auth_set_password(struct store *, const char *user, const char *pass);
/*
 * First start: when no user exists, create root with a random password,
 * write it to DIR/initial-password (0600) and print it once. 0 or -1.
 */
int	 auth_bootstrap(struct store *, const char *datadir);

#endif
