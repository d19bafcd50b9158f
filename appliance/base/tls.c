/*
 * tls.c — the self-signed certificate for the web GUI and the API.
 *
 * EC P-256 rather than RSA-2048: same strength class, generated in a
 * millisecond instead of a second, and accepted by every browser and
 * curl. The administrator replaces the pair by dropping other PEM files
 * in place; they are never overwritten.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "log.h"
#include "tls.h"
#include "util.h"

#define TLS_DAYS	3650

static void
tls_log_ssl(const char *what)
{
	unsigned long	e = ERR_get_error();
	char		buf[256];

	if (e == 0)
		log_warnx("tls: %s failed", what);
	else {
		ERR_error_string_n(e, buf, sizeof(buf));
		log_warnx("tls: %s: %s", what, buf);
	}
	ERR_clear_error();
}

static int
tls_add_ext(X509 *crt, int nid, const char *value)
{
	X509V3_CTX	 ctx;
	X509_EXTENSION	*ext;
	int		 ret;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, crt, crt, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL) {
		tls_log_ssl(value);
		return -1;
	}
	ret = X509_add_ext(crt, ext, -1) == 1 ? 0 : -1;
	X509_EXTENSION_free(ext);
	return ret;
}

/* Returns a new subjectAltName value the caller frees. */
static char *
tls_san(const char *hostname, const char *listen_host)
{
	unsigned char	 a[16];
	char		*san, *tmp;

	san = xasprintf("DNS:%s,DNS:localhost,IP:127.0.0.1,IP:::1", hostname);
	if (listen_host == NULL || listen_host[0] == '\0' ||
	    strcmp(listen_host, hostname) == 0 ||
	    strcmp(listen_host, "localhost") == 0 ||
	    strcmp(listen_host, "127.0.0.1") == 0 ||
	    strcmp(listen_host, "::1") == 0 ||
	    strcmp(listen_host, "0.0.0.0") == 0 ||
	    strcmp(listen_host, "::") == 0)
		return san;
	if (inet_pton(AF_INET, listen_host, a) == 1 ||
	    inet_pton(AF_INET6, listen_host, a) == 1)
		tmp = xasprintf("%s,IP:%s", san, listen_host);
	else if (strspn(listen_host, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") == strlen(listen_host))
		tmp = xasprintf("%s,DNS:%s", san, listen_host);
	else
		return san;
	free(san);
	return tmp;
}

/* Returns a new self-signed certificate for key, or NULL. */
static X509 *
tls_make_cert(EVP_PKEY *key, const char *hostname, const char *listen_host)
{
	X509		*crt;
	X509_NAME	*name;
	BIGNUM		*bn = NULL;
	char		*san = NULL;

	if ((crt = X509_new()) == NULL)
		goto err;
	if (X509_set_version(crt, 2) != 1)	/* v3 */
		goto err;
	/* A random positive 127-bit serial. */
	if ((bn = BN_new()) == NULL ||
	    BN_rand(bn, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(crt)) == NULL)
		goto err;
	if (X509_gmtime_adj(X509_getm_notBefore(crt), -3600) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(crt),
	    (long)TLS_DAYS * 24 * 3600) == NULL)
		goto err;
	if (X509_set_pubkey(crt, key) != 1)
		goto err;
	name = X509_get_subject_name(crt);
	if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
	    (const unsigned char *)"twinwall", -1, -1, 0) != 1 ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)hostname, -1, -1, 0) != 1 ||
	    X509_set_issuer_name(crt, name) != 1)
		goto err;
	san = tls_san(hostname, listen_host);
	/* Self-signed leaf: subject and authority key ids let strict
	 * verifiers use it as its own trust anchor. */
	if (tls_add_ext(crt, NID_basic_constraints, "critical,CA:FALSE") ||
	    tls_add_ext(crt, NID_key_usage,
	    "critical,digitalSignature,keyAgreement") ||
	    tls_add_ext(crt, NID_ext_key_usage, "serverAuth") ||
	    tls_add_ext(crt, NID_subject_key_identifier, "hash") ||
	    tls_add_ext(crt, NID_authority_key_identifier, "keyid:always") ||
	    tls_add_ext(crt, NID_subject_alt_name, san))
		goto err;
	if (X509_sign(crt, key, EVP_sha256()) == 0)
		goto err;
	BN_free(bn);
	free(san);
	return crt;
err:
	tls_log_ssl("certificate");
	X509_free(crt);
	BN_free(bn);
	free(san);
	return NULL;
}

/*
 * Opens path for writing, 0600, refusing an existing file or symlink.
 * Returns a new FILE the caller closes, or NULL.
 */
static FILE *
tls_create(const char *path, uid_t uid, gid_t gid)
{
	FILE	*fp;
	int	 fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1) {
		log_warn("tls: %s", path);
		return NULL;
	}
	if (uid != (uid_t)-1 && fchown(fd, uid, gid) == -1) {
		log_warn("tls: chown %s", path);
		close(fd);
		unlink(path);
		return NULL;
	}
	if ((fp = fdopen(fd, "w")) == NULL) {
		log_warn("tls: %s", path);
		close(fd);
		unlink(path);
	}
	return fp;
}

int
tls_ensure_cert(const char *certfile, const char *keyfile,
    const char *listen_host, uid_t uid, gid_t gid)
{
	EVP_PKEY	*key = NULL;
	X509		*crt = NULL;
	FILE		*fp = NULL;
	char		 hostname[256];
	struct stat	 sb;
	int		 have_cert, have_key, made_key = 0, ret = -1;

	have_cert = lstat(certfile, &sb) == 0;
	have_key = lstat(keyfile, &sb) == 0;
	if (have_cert && have_key)
		return 0;
	if (have_cert != have_key) {
		log_warnx("tls: %s without %s: remove it or supply both",
		    have_cert ? certfile : keyfile,
		    have_cert ? keyfile : certfile);
		return -1;
	}
	if (gethostname(hostname, sizeof(hostname)) == -1 ||
	    hostname[0] == '\0')
		util_strlcpy(hostname, "twinwall", sizeof(hostname));
	hostname[sizeof(hostname) - 1] = '\0';
	if (strlen(hostname) > 64)	/* the CN's upper bound */
		hostname[64] = '\0';

	if ((key = EVP_EC_gen("P-256")) == NULL) {
		tls_log_ssl("EC P-256 key");
		goto err;
	}
	if ((crt = tls_make_cert(key, hostname, listen_host)) == NULL)
		goto err;

	if ((fp = tls_create(keyfile, uid, gid)) == NULL)
		goto err;
	made_key = 1;
	if (PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL, NULL) != 1) {
		tls_log_ssl("write key");
		goto err;
	}
	if (fclose(fp) != 0) {
		fp = NULL;
		log_warn("tls: %s", keyfile);
		goto err;
	}
	if ((fp = tls_create(certfile, uid, gid)) == NULL)
		goto err;
	if (PEM_write_X509(fp, crt) != 1) {
		tls_log_ssl("write certificate");
		goto err;
	}
	if (fclose(fp) != 0) {
		fp = NULL;
		log_warn("tls: %s", certfile);
		goto err;
	}
	fp = NULL;
	log_info("tls: made a self-signed certificate for %s in %s",
	    hostname, certfile);
	ret = 1;
err:
	if (fp != NULL)
		fclose(fp);
	if (ret == -1) {
		if (made_key) {
			unlink(keyfile);
			unlink(certfile);
		}
	}
	X509_free(crt);
	EVP_PKEY_free(key);
	return ret;
}
