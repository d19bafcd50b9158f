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

#include "subsys.h"

#define DAEMON_CLIENTS		8	/* control connections at once */

/* The boot apply: what a start brings back before serving (apply.h). */
enum parent_boot {
	PARENT_BOOT_PENDING = 0,	/* not yet asked for, or running */
	PARENT_BOOT_OK,
	PARENT_BOOT_FAILED		/* the node stays demoted */
};

/* What the parent put in force per subsystem, for status. */
struct parent_in_force {
	long long	 pf_rev;	/* -1: nothing applied since start */
	time_t		 pf_time;
	int		 pf_ok;		/* the last attempt */
	char		 pf_who[16];
	char		 pf_msg[256];
};

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
	enum parent_boot	 pa_boot;
	char			 pa_boot_msg[512];
	subsys_mask		 pa_boot_failed;	/* to apply again */
	double			 pa_boot_secs;	/* start to end of boot apply */
	double			 pa_t0;		/* monotonic, at start */
	struct parent_in_force	 pa_in_force[SUBSYS_COUNT];
};

/* The boot apply ended (ok or not): readiness, once. In daemon.c. */
void	parent_boot_done(struct parent *);

/*
 * Serves one request from the child or a control client (from names
 * which). Returns a new answer, {"status":"ok",...} or failed; req is
 * borrowed.
 */
json_t	*parent_dispatch(struct parent *, json_t *req, const char *from);

#endif
