/*
 * daemon.h — `twinwall daemon`: the root parent and the API child
 * (daemon.c says who does what).
 */
#ifndef TW_DAEMON_H
#define TW_DAEMON_H

#include <stddef.h>

struct daemon_conf {
	const char	*d_datadir;	/* absolute */
	const char	*d_listen;	/* "127.0.0.1:8443", "[::1]:443", ":443" */
	const char	*d_platform;	/* "dry", "linux", "freebsd" */
	const char	*d_user;	/* the child's user when root */
	const char	*d_wwwdir;	/* static GUI files */
	int		 d_tls;
	int		 d_debug;
};

/*
 * Runs the daemon until SIGTERM/SIGINT (returns 0) or until the API
 * child died twice (returns 1). Start-up failures are fatal.
 */
int	daemon_main(const struct daemon_conf *);

/* Host part of a listen address ("" for all addresses); 0 or -1. */
int	daemon_listen_host(const char *listen, char *host, size_t len);
/* 1 when the listen address only reaches this host. */
int	daemon_listen_is_loopback(const char *listen);

#endif
