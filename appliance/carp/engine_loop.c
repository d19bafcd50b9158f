/*
 * engine_loop.c — the CARP engine's own thread and its lock.
 *
 * CARP is judged by its timers: a master that misses three adverts is
 * taken over. The parent's loop applies rulesets (seconds at 100,000
 * rules), dumps the state table and reads the firewall log and the API
 * child; none of that may delay an advert. So, as the OpenBSD routing
 * daemons keep their hellos in a process apart from the heavy work, the
 * engine runs its sockets and timers in a thread of its own, and the
 * rest of the parent talks to it through the locked entry points of
 * engine.h. The thread takes the lock only to handle what woke it.
 *
 * Transitions go the other way as messages: the engine writes each to a
 * pipe, the parent's loop reads it and hands it to state sync, which
 * asks for demotion through an entry point. Nothing calls back into the
 * FSM from inside a transition.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "engine_int.h"
#include "log.h"

pthread_mutex_t	 eng_mtx = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

static int		 loop_wake[2] = { -1, -1 };
static int		 loop_pub[2] = { -1, -1 };
static pthread_t	 loop_thr;
static int		 loop_up;
static atomic_int	 loop_stop;
static atomic_ulong	 loop_dropped;	/* transitions lost: pipe full */

/* One published transition, as written to the pipe. */
struct loop_msg {
	int		 lm_from;
	int		 lm_to;
	unsigned int	 lm_nmaster;
};

void
eng_wake(void)
{
	ssize_t n;

	/* A full pipe means the loop is awake anyway. */
	if (loop_wake[1] != -1 && (n = write(loop_wake[1], "w", 1)) == -1 &&
	    errno != EAGAIN)
		log_warn("carp: wake the engine's loop");
}

void
eng_publish(int from, int to, unsigned int nmaster)
{
	struct loop_msg m = { from, to, nmaster };

	if (loop_pub[1] == -1)
		return;		/* no subscriber (the unit tests) */
	if (write(loop_pub[1], &m, sizeof(m)) != (ssize_t)sizeof(m))
		loop_dropped++;
}

int
carp_engine_pub_fd(void)
{
	return loop_pub[0];
}

void
carp_engine_pub_read(void (*fn)(int, int, unsigned int))
{
	struct loop_msg	m;
	ssize_t		n;

	/* A pipe write of a few bytes is atomic: whole messages only. */
	while ((n = read(loop_pub[0], &m, sizeof(m))) == (ssize_t)sizeof(m))
		fn(m.lm_from, m.lm_to, m.lm_nmaster);
	if (n > 0)
		log_warnx("carp: a short transition message (%zd bytes)", n);
	if (loop_dropped > 0) {
		log_warnx("carp: %lu transition message(s) lost: the "
		    "subscriber fell behind", (unsigned long)loop_dropped);
		loop_dropped = 0;
	}
}

static void *
loop_main(void *arg)
{
	struct pollfd	pfd[1 + CARP_ENGINE_MAXFDS];
	sigset_t	all;
	char		buf[64];
	int		n, ms;

	(void)arg;
	/* Signals are the parent loop's: this thread takes none. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	while (!loop_stop) {
		pfd[0].fd = loop_wake[0];
		pfd[0].events = POLLIN;
		pfd[0].revents = 0;
		ENG_LOCK();
		n = carp_engine_pollfds(pfd + 1, CARP_ENGINE_MAXFDS);
		ms = carp_engine_timeout_ms();
		ENG_UNLOCK();
		if (poll(pfd, (nfds_t)n + 1, ms) == -1 && errno != EINTR) {
			log_warn("carp: poll");
			continue;
		}
		if (pfd[0].revents & POLLIN)
			while (read(loop_wake[0], buf, sizeof(buf)) > 0)
				;
		if (loop_stop)
			break;
		ENG_LOCK();
		carp_engine_events(pfd + 1, n);
		carp_engine_run();
		ENG_UNLOCK();
	}
	return NULL;
}

static int
loop_pipe(int p[2])
{
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) == -1) {
		log_warn("carp: pipe");
		return -1;
	}
	return 0;
}

int
carp_engine_thread_start(void)
{
	int	rc;

	if (loop_up)
		return 0;
	if (loop_pipe(loop_wake) == -1 || loop_pipe(loop_pub) == -1)
		return -1;
	/* Room for a burst of transitions while the parent is busy. */
	(void)fcntl(loop_pub[1], F_SETPIPE_SZ, 1 << 20);
	loop_stop = 0;
	if ((rc = pthread_create(&loop_thr, NULL, loop_main, NULL)) != 0) {
		errno = rc;
		log_warn("carp: cannot start the engine's thread");
		return -1;
	}
	(void)pthread_setname_np(loop_thr, "carp");
	loop_up = 1;
	return 0;
}

void
carp_engine_thread_stop(void)
{
	int	i;

	if (!loop_up)
		return;
	loop_stop = 1;
	eng_wake();
	pthread_join(loop_thr, NULL);
	loop_up = 0;
	for (i = 0; i < 2; i++) {
		close(loop_wake[i]);
		loop_wake[i] = -1;
	}
	/* The pub pipe stays until the parent read the last transitions. */
}
