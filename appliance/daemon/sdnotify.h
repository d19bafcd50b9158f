/*
 * sdnotify.h — readiness and state for the service manager (systemd's
 * Type=notify), through libsystemd's sd_notify.
 *
 * Only the root parent calls these. Without $NOTIFY_SOCKET (started by
 * hand, or by a test) every call is a no-op that returns 0. The first
 * call reads and unsets $NOTIFY_SOCKET, so the API child, conntrackd
 * and the helpers the parent runs never inherit it: a child could
 * otherwise say READY or STOPPING in the parent's name.
 *
 * All return 0 (sent, or no service manager) or -1 (logged).
 */
#ifndef TW_SDNOTIFY_H
#define TW_SDNOTIFY_H

/* Reads $NOTIFY_SOCKET once and removes it from the environment. */
void	sdnotify_init(void);
/* READY=1 with STATUS=status: the boot apply is done, the API serves. */
int	sdnotify_ready(const char *status);
/* STATUS= only: shown by `systemctl status`. */
int	sdnotify_status(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
/* STOPPING=1: SIGTERM received, shutting down. */
int	sdnotify_stopping(void);
/* RELOADING=1 at SIGHUP; sdnotify_ready() ends the reload. */
int	sdnotify_reloading(void);

#endif
