/*
 * sched.h — the interface of sched.c: cron expressions and the job
 * runner of the API child.
 *
 * (The build puts module headers on the quote path only, so the C
 * library's <sched.h>, which <pthread.h> includes, is not this one.)
 */
#ifndef TW_SCHED_H
#define TW_SCHED_H

#include <stdint.h>
#include <time.h>

/* One parsed five-field expression: a bit per allowed value. */
struct sched_expr {
	uint64_t	se_minute;	/* bits 0-59 */
	uint32_t	se_hour;	/* bits 0-23 */
	uint32_t	se_day;		/* bits 1-31 */
	uint16_t	se_month;	/* bits 1-12 */
	uint8_t		se_weekday;	/* bits 0-6, Sunday = 0 (7 folds) */
	int		se_day_any;	/* day was "*" */
	int		se_weekday_any;	/* weekday was "*" */
};

/*
 * Parses the five fields (each "*", "n", "a-b", "*\/n", "a-b/n", "a/n"
 * or a comma list of those). 0, or -1 when a field is not valid.
 */
int	sched_parse(const char *minute, const char *hour, const char *day,
	    const char *month, const char *weekday, struct sched_expr *);
/*
 * 1 when tm (local time) is due. As in Vixie cron, when both day and
 * weekday are restricted, either one matching is enough.
 */
int	sched_match(const struct sched_expr *, const struct tm *);

/*
 * Starts the scheduler thread of the API child once (later calls do
 * nothing): at every minute's :00 it runs the enabled cron_jobs that are
 * due (ha_sync, ha_sync_restart), each recorded like any other trigger.
 * datadir is copied. 0, or -1 when the thread could not start (logged).
 */
int	sched_start(const char *datadir);
/* 1 when the scheduler's thread woke in the last two minutes; *last. */
int	sched_alive(time_t *last);

#endif
