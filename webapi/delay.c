/*
 * delay.c — holds answers back without holding a worker: server.c
 * suspends the connection (MHD_suspend_connection) and hands it here;
 * one thread resumes each at its deadline, and libmicrohttpd then sends
 * the answer the connection kept. The throttle (source.c) uses it to
 * slow a source that keeps getting credentials wrong while every other
 * client on the same worker goes on being served.
 *
 * At most API_DELAY_MAX connections wait at once; past that the caller
 * answers at once (the lock-out still comes).
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include "api.h"
#include "log.h"
#include "util.h"

#define API_DELAY_MAX	1024

struct api_delayed {
	struct MHD_Connection	*d_conn;	/* NULL = free slot */
	struct timespec		 d_when;	/* CLOCK_MONOTONIC */
};

static pthread_mutex_t		 api_delay_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t		 api_delay_cv;
static pthread_t		 api_delay_thr;
static struct api_delayed	 api_delay_q[API_DELAY_MAX];
static int			 api_delay_running, api_delay_quit;

static int
api_delay_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec &&
	    a->tv_nsec <= b->tv_nsec);
}

static void *
api_delay_loop(void *arg)
{
	struct timespec	 now, next;
	int		 i, have;

	(void)arg;
	pthread_mutex_lock(&api_delay_mtx);
	while (!api_delay_quit) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		have = 0;
		for (i = 0; i < API_DELAY_MAX; i++) {
			if (api_delay_q[i].d_conn == NULL)
				continue;
			if (api_delay_before(&api_delay_q[i].d_when, &now)) {
				MHD_resume_connection(api_delay_q[i].d_conn);
				api_delay_q[i].d_conn = NULL;
				continue;
			}
			if (!have || api_delay_before(&api_delay_q[i].d_when,
			    &next))
				next = api_delay_q[i].d_when;
			have = 1;
		}
		if (have)
			pthread_cond_timedwait(&api_delay_cv, &api_delay_mtx,
			    &next);
		else
			pthread_cond_wait(&api_delay_cv, &api_delay_mtx);
	}
	/* Stopping: every held connection goes back to the daemon. */
	for (i = 0; i < API_DELAY_MAX; i++)
		if (api_delay_q[i].d_conn != NULL) {
			MHD_resume_connection(api_delay_q[i].d_conn);
			api_delay_q[i].d_conn = NULL;
		}
	pthread_mutex_unlock(&api_delay_mtx);
	return NULL;
}

int
api_delay_start(void)
{
	pthread_condattr_t	ca;
	int			rc;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&api_delay_cv, &ca);
	pthread_condattr_destroy(&ca);
	memset(api_delay_q, 0, sizeof(api_delay_q));
	api_delay_quit = 0;
	if ((rc = pthread_create(&api_delay_thr, NULL, api_delay_loop,
	    NULL)) != 0) {
		errno = rc;
		log_warn("api: delay thread");
		pthread_cond_destroy(&api_delay_cv);
		return -1;
	}
	api_delay_running = 1;
	return 0;
}

int
api_delay_add(struct MHD_Connection *conn, int ms)
{
	struct timespec	 when;
	int		 i, ret = -1;

	clock_gettime(CLOCK_MONOTONIC, &when);
	when.tv_sec += ms / 1000;
	when.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (when.tv_nsec >= 1000000000L) {
		when.tv_sec++;
		when.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&api_delay_mtx);
	for (i = 0; api_delay_running && !api_delay_quit &&
	    i < API_DELAY_MAX; i++)
		if (api_delay_q[i].d_conn == NULL) {
			api_delay_q[i].d_conn = conn;
			api_delay_q[i].d_when = when;
			pthread_cond_signal(&api_delay_cv);
			ret = 0;
			break;
		}
	pthread_mutex_unlock(&api_delay_mtx);
	return ret;
}

void
api_delay_stop(void)
{
	if (!api_delay_running)
		return;
	pthread_mutex_lock(&api_delay_mtx);
	api_delay_quit = 1;
	pthread_cond_signal(&api_delay_cv);
	pthread_mutex_unlock(&api_delay_mtx);
	pthread_join(api_delay_thr, NULL);
	pthread_cond_destroy(&api_delay_cv);
	api_delay_running = 0;
}
