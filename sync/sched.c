/*
 * sched.c — cron for the API child: standard five-field expressions
 * over the cron_jobs section, checked once a minute at :00 in a thread
 * of its own with its own store connection.
 *
 * The jobs are a table; a command the table does not know is logged and
 * skipped (the section allows it for other parts of the system).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "ipc.h"
#include "log.h"
#include "sched.h"
#include "store.h"
#include "sync.h"
#include "util.h"

static json_t	*sched_job_sync(struct store *, int restart);

static json_t *
sched_ha_sync(struct store *st)
{
	return sched_job_sync(st, 0);
}

static json_t *
sched_ha_sync_restart(struct store *st)
{
	return sched_job_sync(st, 1);
}

/* What a cron_jobs command runs; returns a new result object. */
static const struct {
	const char	*j_command;
	json_t		*(*j_fn)(struct store *);
} sched_jobs[] = {
	{ "ha_sync",		sched_ha_sync },
	{ "ha_sync_restart",	sched_ha_sync_restart },
};

static _Atomic time_t	 sched_last;	/* its last wake-up; -1: dead */
static pthread_mutex_t	 sched_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_t	 sched_thread;
static int		 sched_started;
static char		*sched_datadir;

/*
 * Parses one field into *bits for min..max. 0 or -1. Values are folded
 * by fold (7 -> 0 for weekdays) when fold > 0.
 */
static int
sched_field(const char *s, int min, int max, int fold, uint64_t *bits,
    int *any)
{
	char	*copy, *item, *save = NULL, *slash, *end;
	long	 a, b, step, v;
	int	 ret = -1;

	*bits = 0;
	*any = strcmp(s, "*") == 0;
	if (*s == '\0')
		return -1;
	copy = xstrdup(s);
	for (item = strtok_r(copy, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		step = 1;
		if ((slash = strchr(item, '/')) != NULL) {
			*slash = '\0';
			errno = 0;
			step = strtol(slash + 1, &end, 10);
			if (errno || *end != '\0' || slash[1] == '\0' ||
			    step < 1 || step > max)
				goto err;
		}
		if (strcmp(item, "*") == 0) {
			a = min;
			b = max;
		} else {
			errno = 0;
			a = strtol(item, &end, 10);
			if (errno || end == item)
				goto err;
			b = slash != NULL ? max : a;	/* "a/n": a..max */
			if (*end == '-') {
				item = end + 1;
				b = strtol(item, &end, 10);
				if (end == item)
					goto err;
			}
			if (*end != '\0' || a < min || b > max || a > b)
				goto err;
		}
		for (v = a; v <= b; v += step)
			*bits |= 1ULL << (fold > 0 && v == fold ? 0 : v);
	}
	ret = 0;
err:
	free(copy);
	return ret;
}

int
sched_parse(const char *minute, const char *hour, const char *day,
    const char *month, const char *weekday, struct sched_expr *e)
{
	uint64_t	b;
	int		any;

	memset(e, 0, sizeof(*e));
	if (sched_field(minute, 0, 59, 0, &e->se_minute, &any) == -1)
		return -1;
	if (sched_field(hour, 0, 23, 0, &b, &any) == -1)
		return -1;
	e->se_hour = (uint32_t)b;
	if (sched_field(day, 1, 31, 0, &b, &e->se_day_any) == -1)
		return -1;
	e->se_day = (uint32_t)b;
	if (sched_field(month, 1, 12, 0, &b, &any) == -1)
		return -1;
	e->se_month = (uint16_t)b;
	if (sched_field(weekday, 0, 7, 7, &b, &e->se_weekday_any) == -1)
		return -1;
	e->se_weekday = (uint8_t)b;
	return 0;
}

int
sched_match(const struct sched_expr *e, const struct tm *tm)
{
	int dom, dow;

	if (!(e->se_minute & (1ULL << tm->tm_min)) ||
	    !(e->se_hour & (1U << tm->tm_hour)) ||
	    !(e->se_month & (1U << (tm->tm_mon + 1))))
		return 0;
	dom = (e->se_day & (1U << tm->tm_mday)) != 0;
	dow = (e->se_weekday & (1U << tm->tm_wday)) != 0;
	if (!e->se_day_any && !e->se_weekday_any)
		return dom || dow;
	return dom && dow;
}

static json_t *
sched_job_sync(struct store *st, int restart)
{
	struct sync_opts o;

	memset(&o, 0, sizeof(o));
	o.so_st = st;
	o.so_trigger = "cron";
	o.so_restart = restart;
	o.so_parent = priv_call;
	return sync_run(&o);
}

/* Runs every enabled job due at tm. */
static void
sched_tick(struct store *st, const struct tm *tm)
{
	const struct cfg_section	*sec = cfg_section("cron_jobs");
	struct sched_expr		 e;
	json_t				*which, *snap, *rows, *row, *res;
	const char			*cmd;
	size_t				 i, j;

	which = json_pack("[s]", "cron_jobs");
	snap = sec != NULL ? cfg_snapshot(st, which, 0) : NULL;
	json_decref(which);
	if (snap == NULL) {
		log_warnx("cron: cannot read the jobs");
		return;
	}
	rows = json_object_get(json_object_get(snap, "sections"), "cron_jobs");
	json_array_foreach(rows, i, row) {
		if (!cfg_bool(row, "enabled"))
			continue;
		if (sched_parse(cfg_str(row, "minute"), cfg_str(row, "hour"),
		    cfg_str(row, "day"), cfg_str(row, "month"),
		    cfg_str(row, "weekday"), &e) == -1) {
			log_warnx("cron: job %s has a bad expression",
			    cfg_str(row, "uuid"));
			continue;
		}
		if (!sched_match(&e, tm))
			continue;
		cmd = cfg_str(row, "command");
		for (j = 0; j < nitems(sched_jobs); j++)
			if (strcmp(sched_jobs[j].j_command, cmd) == 0)
				break;
		if (j == nitems(sched_jobs)) {
			log_info("cron: %s is not run by this build", cmd);
			continue;
		}
		log_info("cron: running %s (job %s)", cmd, cfg_str(row,
		    "uuid"));
		res = sched_jobs[j].j_fn(st);
		log_info("cron: %s: %s: %s", cmd, cfg_str(res, "status"),
		    cfg_str(res, "message"));
		json_decref(res);
	}
	json_decref(snap);
}

static void *
sched_main(void *arg)
{
	struct store	*st;
	struct timespec	 ts;
	struct tm	 tm;
	char		 err[256];
	time_t		 next;

	(void)arg;
	if ((st = store_open(sched_datadir, err, sizeof(err))) == NULL) {
		log_warnx("cron: store: %s; no scheduled jobs will run", err);
		sched_last = -1;
		return NULL;
	}
	sched_last = time(NULL);
	for (;;) {
		/*
		 * The next minute's :00 (minutes missed while busy are
		 * skipped). CLOCK_REALTIME, not time(): the coarse clock of
		 * time() may still read :59 when the sleep ends.
		 */
		clock_gettime(CLOCK_REALTIME, &ts);
		next = (ts.tv_sec / 60 + 1) * 60;
		ts.tv_sec = next;
		ts.tv_nsec = 0;
		while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts,
		    NULL) == EINTR)
			;
		sched_last = time(NULL);
		if (localtime_r(&next, &tm) == NULL)
			continue;
		sched_tick(st, &tm);
	}
	return NULL;
}

int
sched_alive(time_t *last)
{
	time_t t = sched_last;

	if (last != NULL)
		*last = t > 0 ? t : 0;
	/* It wakes every minute: two minutes of silence is a dead thread. */
	return sched_started && t > 0 && time(NULL) - t < 120;
}

int
sched_start(const char *datadir)
{
	sigset_t	all, old;
	int		rc, ret = 0;

	pthread_mutex_lock(&sched_mtx);
	if (sched_started || datadir == NULL)
		goto done;
	sched_datadir = xstrdup(datadir);
	/* The thread takes no signals: they belong to the main thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&sched_thread, NULL, sched_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		log_warnx("cron: cannot start the scheduler: %s",
		    strerror(rc));
		free(sched_datadir);
		sched_datadir = NULL;
		ret = -1;
		goto done;
	}
	pthread_detach(sched_thread);
	sched_started = 1;
	log_info("cron: scheduler started");
done:
	pthread_mutex_unlock(&sched_mtx);
	return ret;
}
