/*
 * daemon_int.h — the root parent's state, shared by daemon.c (processes,
 * event loop) and parent_req.c (the requests it serves). Private.
 */
#ifndef TW_DAEMON_INT_H
#define TW_DAEMON_INT_H

#include <signal.h>
#include <sys/types.h>
#include <time.h>

#include <jansson.h>

#define DAEMON_CLIENTS		8	/* control connections at once */

struct parent {
	const struct daemon_conf *pa_conf;
	const struct platform	*pa_plat;
	pid_t			 pa_child;	/* -1 when none */
	int			 pa_fd;		/* our end, -1 when closed */
	int			 pa_gui;	/* the child's notify line (listener.h) */
	int			 pa_ctl;	/* control.sock listener */
	int			 pa_clients[DAEMON_CLIENTS];
	int			 pa_restarts;
	int			 pa_privsep;	/* root: the child drops */
	uid_t			 pa_uid;
	gid_t			 pa_gid;
	time_t			 pa_started;
	sigset_t		 pa_waitmask;	/* unblocked during ppoll */
};

/*
 * Serves one request from the child or a control client (from names
 * which). Returns a new answer, {"status":"ok",...} or failed; req is
 * borrowed.
 */
json_t	*parent_dispatch(struct parent *, json_t *req, const char *from);

#endif
