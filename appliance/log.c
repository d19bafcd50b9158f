/*
 * log.c — one line per event on stderr: "<time> <proc>[pid]: message".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char	*log_proc = "twinwall";
static int		 log_debugging;

void
log_init(const char *procname, int debug)
{
	log_proc = procname;
	log_debugging = debug || getenv("TW_DEBUG") != NULL;
}

void
log_setproc(const char *procname)
{
	log_proc = procname;
}

static void
log_vwrite(const char *level, const char *fmt, va_list ap, int err)
{
	char		 msg[1024], ts[32];
	struct timespec	 now;
	struct tm	 tm;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	if (err)
		fprintf(stderr, "%s.%03ldZ %s[%d]: %s%s: %s\n", ts,
		    now.tv_nsec / 1000000, log_proc, (int)getpid(), level, msg,
		    strerror(err));
	else
		fprintf(stderr, "%s.%03ldZ %s[%d]: %s%s\n", ts,
		    now.tv_nsec / 1000000, log_proc, (int)getpid(), level, msg);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite("", fmt, ap, 0);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_debugging)
		return;
	va_start(ap, fmt);
	log_vwrite("debug: ", fmt, ap, 0);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	int	e = errno;

	va_start(ap, fmt);
	log_vwrite("warning: ", fmt, ap, e);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite("warning: ", fmt, ap, 0);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	int	e = errno;

	va_start(ap, fmt);
	log_vwrite("fatal: ", fmt, ap, e);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite("fatal: ", fmt, ap, 0);
	va_end(ap);
	exit(1);
}
