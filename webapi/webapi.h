/*
 * webapi.h — the API child's HTTP side: REST API, www/, /xmlrpc.php.
 *
 * Runs in the unprivileged child. Each HTTP worker thread opens its own
 * store (store.h); anything that needs root goes through priv_call().
 */
#ifndef TW_WEBAPI_H
#define TW_WEBAPI_H

#include <stddef.h>
#include <stdio.h>

struct webapi_conf {
	const char	*w_datadir;
	const char	*w_listen;	/* "127.0.0.1:8443", "[::1]:443", ":443" */
	int		 w_tls;		/* 0 only with --no-tls on loopback */
	const char	*w_certfile;	/* PEM, when w_tls */
	const char	*w_keyfile;
	int		 w_wwwfd;	/* the static GUI files' folder, -1:
					   none; opened before the child
					   dropped root (its parents may be
					   closed to the API user); closed
					   by webapi_stop() */
	const char	*w_platform;	/* shown by core/system/status */
	int		 w_threads;	/* worker threads; 0 = number of cores */
	int		 w_listenfd;	/* > 0: a bound, listening socket to
					   serve instead of binding w_listen */
};

/*
 * Starts the server and returns once it listens (0), or -1 with a
 * logged reason (address in use, bad certificate...).
 */
int	webapi_start(const struct webapi_conf *);
/*
 * Moves the server to listen (tls as told), serving fd, a bound and
 * listening socket it takes over (-1: the address in use, keep its
 * socket). The new listener serves before the old one stops accepting;
 * the old one is stopped once its connections finished (at most a few
 * seconds). 0, or -1 (logged) with the old listener still serving.
 * Sessions and API keys stay valid. Main thread only.
 */
int	webapi_relisten(int fd, const char *listen, int tls);
/* Stops accepting, finishes requests in flight, closes stores. */
void	webapi_stop(void);

/*
 * Sets one bound of limits.c from "NAME=VALUE" (twinwall daemon --limit),
 * before webapi_start(). 0, or -1 with the reason in err.
 */
int	webapi_limit_set(const char *arg, char *err, size_t errlen);
/* Prints the table of limits: name, default, unit and meaning. */
void	webapi_limits_print(FILE *);

#endif
