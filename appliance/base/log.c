/*
 * log.c — one line per event on stderr: "<time> <proc>[pid]: message".
 *
 * Under systemd stderr is a stream to the journal ($JOURNAL_STREAM names
 * its device and inode). Then each line starts with its syslog priority
 * as "<N>" (sd-daemon(3)'s prefixes, which journald strips and keeps as
 * PRIORITY=) and carries no time stamp, which the journal adds. Staying
 * on stderr keeps one code path for the terminal, the tests and the
 * journal, needs no socket after the API child drops privileges, and
 * keeps our lines in order with anything else written to stderr.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/* syslog(3) priorities, as the journal stores them. */
enum log_prio {
	LOG_PRIO_ERR = 3,
	LOG_PRIO_WARNING = 4,
	LOG_PRIO_INFO = 6,
	LOG_PRIO_DEBUG = 7,
};

static const char	*log_proc = "twinwall";
static int		 log_debugging;
static int		 log_journal;	/* stderr is the journal's stream */

/* 1 when fd 2 is the stream $JOURNAL_STREAM ("DEV:INODE") names. */
static int
log_stderr_is_journal(void)
{
	const char		*js = getenv("JOURNAL_STREAM");
	unsigned long long	 dev, ino;
	struct stat		 sb;

	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2)
		return 0;
	if (fstat(STDERR_FILENO, &sb) == -1)
		return 0;
	return (unsigned long long)sb.st_dev == dev &&
	    (unsigned long long)sb.st_ino == ino;
}

void
log_init(const char *procname, int debug)
{
	log_proc = procname;
	log_debugging = debug || getenv("TW_DEBUG") != NULL;
	log_journal = log_stderr_is_journal();
}

void
log_setproc(const char *procname)
{
	log_proc = procname;
}

static void
log_vwrite(enum log_prio prio, const char *level, const char *fmt,
    va_list ap, int err)
{
	char		 msg[1024], ts[32];
	struct timespec	 now;
	struct tm	 tm;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_journal) {
		if (err)
			fprintf(stderr, "<%d>%s[%d]: %s%s: %s\n", prio,
			    log_proc, (int)getpid(), level, msg, strerror(err));
		else
			fprintf(stderr, "<%d>%s[%d]: %s%s\n", prio, log_proc,
			    (int)getpid(), level, msg);
		return;
	}
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
	log_vwrite(LOG_PRIO_INFO, "", fmt, ap, 0);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_debugging)
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_PRIO_DEBUG, "debug: ", fmt, ap, 0);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	int	e = errno;

	va_start(ap, fmt);
	log_vwrite(LOG_PRIO_WARNING, "warning: ", fmt, ap, e);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_PRIO_WARNING, "warning: ", fmt, ap, 0);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	int	e = errno;

	va_start(ap, fmt);
	log_vwrite(LOG_PRIO_ERR, "fatal: ", fmt, ap, e);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_PRIO_ERR, "fatal: ", fmt, ap, 0);
	va_end(ap);
	exit(1);
}
