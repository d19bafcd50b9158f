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
	const char	*w_wwwdir;	/* static GUI files */
	const char	*w_platform;	/* shown by core/system/status */
	int		 w_threads;	/* worker threads; 0 = number of cores */
};

/*
 * Starts the server and returns once it listens (0), or -1 with a
 * logged reason (address in use, bad certificate...).
 */
int	webapi_start(const struct webapi_conf *);
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
