/*
 * listener.h — where the web GUI listens: the command line's --listen
 * until an apply of "system" stores a protocol or port, then the stored
 * ones on the command line's host address.
 *
 * The root parent binds a new socket before the apply runs (so a port
 * that cannot be had fails the apply with nothing changed, and ports
 * below 1024 work although the child has dropped root), answers the
 * apply, and then hands the socket to the API child over a second
 * socketpair (SCM_RIGHTS). The child starts serving on it and only then
 * stops the old listener: the admin is never left without one.
 */
#ifndef TW_LISTENER_H
#define TW_LISTENER_H

#include <sys/types.h>
#include <stddef.h>

#include <jansson.h>

/* Parent: the command line's listener; uid/gid own a new certificate. */
void	listener_init(const char *listen, int tls, const char *datadir,
	    uid_t uid, gid_t gid);
/*
 * Parent, before an apply request (borrowed) is served: when it applies
 * "system" and the stored protocol/port differ from the listener in use,
 * binds the new one. Returns 1 (a move is pending), 0 (nothing to do)
 * or -1 with the field and reason in err (refuse the apply).
 */
int	listener_prepare(json_t *req, char *err, size_t errlen);
/* Parent: the apply failed; drop the pending socket. */
void	listener_abort(void);
/*
 * Parent, once the apply's answer went out: the pending listener is the
 * one in use; sends it to the child on fd (its notify socket).
 */
void	listener_commit(int fd);
/* Parent: a new child starts; sends it the listener in use, if moved. */
void	listener_resend(int fd);
/* Parent: closes what it holds. */
void	listener_shutdown(void);

/*
 * Child, before it serves: 1 when the parent has already moved the
 * listener (a restarted child): listen and tls say where, *sfd is the
 * socket to serve, the caller's (-1: bind listen itself). 0 when
 * --listen stands.
 */
int	listener_child_initial(int fd, char *listen, size_t len, int *tls,
	    int *sfd);
/*
 * Child: reads one message from the notify socket fd and moves the web
 * API there (webapi_relisten). 0, or -1 when the parent went away.
 */
int	listener_child_event(int fd);

#endif
