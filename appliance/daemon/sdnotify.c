/*
 * sdnotify.c — Type=notify for the root parent (sdnotify.h).
 *
 * sd_pid_notify names the parent's pid, so the messages are accepted
 * under the unit's NotifyAccess=main. $NOTIFY_SOCKET is taken out of
 * the environment at sdnotify_init(), before any fork, and kept here.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "log.h"
#include "sdnotify.h"
#include "util.h"

static char	*sdnotify_socket;	/* NULL: no service manager */
static int	 sdnotify_done_init;

void
sdnotify_init(void)
{
	const char	*s;

	if (sdnotify_done_init)
		return;
	sdnotify_done_init = 1;
	if ((s = getenv("NOTIFY_SOCKET")) != NULL && s[0] != '\0')
		sdnotify_socket = xstrdup(s);
	(void)unsetenv("NOTIFY_SOCKET");
}

static int
sdnotify_send(const char *msg)
{
	int	r;

	sdnotify_init();
	if (sdnotify_socket == NULL)
		return 0;
	/* sd_notify reads the socket from the environment for one call. */
	if (setenv("NOTIFY_SOCKET", sdnotify_socket, 1) == -1) {
		log_warn("sdnotify: setenv");
		return -1;
	}
	r = sd_pid_notify(getpid(), 1, msg);	/* 1: unset it again */
	if (r < 0) {
		log_warnx("sdnotify: %s: %s", msg, strerror(-r));
		return -1;
	}
	return 0;
}

int
sdnotify_ready(const char *status)
{
	char	*msg;
	int	 ret;

	msg = xasprintf("READY=1\nSTATUS=%s", status != NULL ? status : "");
	ret = sdnotify_send(msg);
	free(msg);
	return ret;
}

int
sdnotify_status(const char *fmt, ...)
{
	va_list	 ap;
	char	 buf[512];
	char	*msg;
	int	 ret;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	msg = xasprintf("STATUS=%s", buf);
	ret = sdnotify_send(msg);
	free(msg);
	return ret;
}

int
sdnotify_stopping(void)
{
	return sdnotify_send("STOPPING=1\nSTATUS=stopping");
}

int
sdnotify_reloading(void)
{
	return sdnotify_send("RELOADING=1\nSTATUS=reloading");
}
