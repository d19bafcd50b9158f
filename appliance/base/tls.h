/*
 * tls.h — the web GUI's self-signed certificate, made on first start.
 */
#ifndef TW_TLS_H
#define TW_TLS_H

#include <sys/types.h>

/*
 * Makes certfile and keyfile unless both exist: an EC P-256 key and a
 * self-signed X.509 v3 certificate valid 10 years, CN = this host's name,
 * subjectAltName = DNS:<hostname>, DNS:localhost, IP:127.0.0.1, IP:::1 and
 * the listen host (an IP or a DNS name; NULL or "" for none). Both files
 * are created 0600, exclusively (never through a symlink), owned by
 * uid/gid when uid != (uid_t)-1. 1 when made, 0 when already there, -1 on
 * error (logged; a half-made pair is removed).
 */
int	tls_ensure_cert(const char *certfile, const char *keyfile,
	    const char *listen_host, uid_t uid, gid_t gid);

#endif
