/*
 * statesync.c — the parent's supervision of conntrackd and the CARP
 * transition sequences (conntrack-tools' primary-backup.sh, run here).
 *
 * Processes, all children of the root parent, none waited for in the
 * event loop (the parent's SIGCHLD reaper hands their pids to
 * statesync_reaped()):
 *   - conntrackd itself, in the foreground (no -d) so its pid is ours.
 *     When it dies it is started again after a backoff (1 s doubling to
 *     30 s, back to none once it ran 30 s); the delay is slept by the
 *     forked child before exec, so no timer is needed in the parent.
 *   - one "job" at a time: a short process sending conntrackd's
 *     requests in order on the daemon's UNIX socket (what the client
 *     `conntrackd -C FILE <opt>` would send; the MASTER commit leaves
 *     from the parent itself at the transition, the job reads its end):
 *       MASTER  -c (commit the external cache), then the states of the
 *               peer's nopfsync rules it brought are deleted (by ct
 *               mark, render.h), -f (flush the caches), -R (resync the
 *               internal cache with the kernel), -B (bulk send to the
 *               peer)
 *       BACKUP  -t (shorten the kernel timers to PurgeTimeout), -n
 *               (request a resync from the new master)
 *       RESYNC  -n, then -s until the external cache stops growing
 *               (at most STATESYNC_HOLD_MAX s): the demotion hold.
 *     A role change queues its sequence (the latest wins) behind the job
 *     in progress; a role change to MASTER ends a RESYNC job at once.
 *
 * The CARP demotion for a hold is raised in the parent the moment the
 * hold starts and dropped when the RESYNC job has been reaped.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fsm.h"
#include "log.h"
#include "platform.h"
#include "engine.h"
#include "render.h"
#include "statesync.h"
#include "subsys.h"
#include "util.h"


#define SS_BIN		"/usr/sbin/conntrackd"
#define SS_BACKOFF_MAX	30	/* seconds */
#define SS_STABLE_RUN	30	/* seconds alive that reset the backoff */
#define SS_CMD_TIMEOUT	10	/* seconds per client command */
#define SS_STOP_WAIT	3	/* seconds before SIGKILL */

enum ss_job {
	JOB_NONE = 0,
	JOB_MASTER,
	JOB_BACKUP,
	JOB_RESYNC,
};

static const char *const ss_jobname[] = { "none", "master", "backup",
    "resync" };

static struct {
	int	 s_mode;	/* 0 nothing, 1 render only, 2 supervise */
	char	*s_conf;	/* DIR/rendered/conntrackd.conf */
	char	*s_lock;
	char	*s_sock;
	char	*s_text;	/* what s_conf holds; NULL when disabled */
	pid_t	 s_pid;		/* conntrackd, -1 none */
	double	 s_started;
	int	 s_backoff;
	unsigned s_restarts;
	pid_t	 s_job;		/* job in progress, -1 none */
	enum ss_job s_jobkind;
	enum ss_job s_next;	/* queued role sequence */
	int	 s_resync;	/* a RESYNC job is queued */
	int	 s_role;	/* -1 unknown, 0 backup, 1 master */
	uint32_t s_peermark;	/* ct mark bit of the peer's nopfsync states */
	int	 s_hold;	/* demotion raised */
	unsigned s_holds;
	char	 s_last[160];	/* the last job's outcome */
} ss = { .s_pid = -1, .s_job = -1, .s_role = -1 };

static void
statesync_demote(int on)
{
	if (ss.s_hold == on)
		return;
	ss.s_hold = on;
	if (on)
		ss.s_holds++;
	if (carp_engine_demote_external(on ? STATESYNC_DEMOTE : 0) == -1)
		log_warnx("statesync: CARP demotion %s refused",
		    on ? "hold" : "release");
	else
		log_info("statesync: CARP demotion %d %s", STATESYNC_DEMOTE,
		    on ? "held while the state table resyncs" : "released");
}

/* In a fresh child: signals as a new program expects them, no fds. */
static void
statesync_child_reset(int keep)
{
	if (util_child_reset(keep) == -1)
		_exit(1);
	/* A client's answer must not kill us when conntrackd goes away. */
	(void)signal(SIGPIPE, SIG_IGN);
	umask(077);
}

static void __attribute__((noreturn))
statesync_exec(char *const argv[])
{
	execv(SS_BIN, argv);
	execvp("conntrackd", argv);
	_exit(127);
}

/* Starts conntrackd after delay seconds. 0 or -1. */
static int
statesync_spawn(int delay)
{
	char	*argv[] = { "conntrackd", "-C", ss.s_conf, NULL };
	pid_t	 pid;

	if ((pid = fork()) == -1) {
		log_warn("statesync: fork");
		return -1;
	}
	if (pid == 0) {
		/* A parent killed with -9 takes its conntrackd along. */
		if (util_child_reset(-1) == -1)
			_exit(1);
		umask(077);
		if (delay > 0)
			sleep((unsigned)delay);
		/* Ours is dead (reaped): what it left behind is stale. */
		(void)unlink(ss.s_lock);
		(void)unlink(ss.s_sock);
		statesync_exec(argv);
	}
	ss.s_pid = pid;
	ss.s_started = util_now() + delay;
	log_info("statesync: conntrackd %s (pid %d)%s", delay ? "restarting" :
	    "started", (int)pid, delay ? " after backoff" : "");
	platform_action("statesync: conntrackd started (pid %d) with %s",
	    (int)pid, ss.s_conf);
	return 0;
}

/* Waits for pid up to secs, then kills it. Reaps it either way. */
static void
statesync_kill(pid_t pid, int secs)
{
	int	status, n;

	if (pid <= 0)
		return;
	(void)kill(pid, SIGTERM);
	for (n = 0; n < secs * 50; n++) {
		if (waitpid(pid, &status, WNOHANG) != 0)
			return;
		usleep(20000);
	}
	(void)kill(pid, SIGKILL);
	(void)waitpid(pid, &status, 0);
}

static void
statesync_stop(void)
{
	if (ss.s_job > 0) {
		statesync_kill(ss.s_job, 1);
		ss.s_job = -1;
		ss.s_jobkind = JOB_NONE;
	}
	ss.s_next = JOB_NONE;
	ss.s_resync = 0;
	statesync_demote(0);
	if (ss.s_pid > 0) {
		statesync_kill(ss.s_pid, SS_STOP_WAIT);
		log_info("statesync: conntrackd (pid %d) stopped",
		    (int)ss.s_pid);
		platform_action("statesync: conntrackd stopped");
		ss.s_pid = -1;
	}
}

/*
 * Requests on conntrackd's UNIX socket, as `conntrackd -C FILE <opt>`
 * sends them: one native int, then the daemon writes its answer and
 * closes. Values of conntrack-tools 1.4.7 (include/conntrackd.h), checked
 * against Debian 12's client. Talking to the socket directly saves the
 * client's fork and exec (about 15 ms per step) when it matters most:
 * the commit on becoming MASTER.
 */
enum ss_req {
	SS_REQ_STATS = 21,	/* -s */
	SS_REQ_BULK = 22,	/* -B: bulk send to the peer */
	SS_REQ_DUMP = 23,	/* -n: request a resync from the peer */
	SS_REQ_TIMERS = 26,	/* -t: kernel timers to PurgeTimeout */
	SS_REQ_RESYNC = 44,	/* -R: internal cache from the kernel */
	SS_REQ_FLUSH = 45,	/* -f: flush the caches */
	SS_REQ_COMMIT = 46,	/* -c: external cache to the kernel */
};

/* Sends req; returns the connected socket (the answer to read), or -1. */
static int
statesync_request(enum ss_req req)
{
	struct sockaddr_un	 sun;
	int			 fd, code = (int)req;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (ss.s_sock == NULL || strlen(ss.s_sock) >= sizeof(sun.sun_path))
		return -1;
	memcpy(sun.sun_path, ss.s_sock, strlen(ss.s_sock));
	/* Non-blocking: a hung conntrackd must not stall the parent. */
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    write(fd, &code, sizeof(code)) != (ssize_t)sizeof(code)) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Reads the answer on fd until the daemon closes it (SS_CMD_TIMEOUT at
 * most) and closes fd. out, when not NULL, receives the text. 0 or -1.
 */
static int
statesync_answer(int fd, char *out, size_t len)
{
	struct pollfd	pfd;
	size_t		got = 0;
	ssize_t		r;
	char		junk[512];
	double		t0 = util_now();
	int		ret = -1;

	if (fd == -1)
		return -1;
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (util_now() - t0 < SS_CMD_TIMEOUT) {
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		if (out != NULL && got + 1 < len)
			r = read(fd, out + got, len - 1 - got);
		else
			r = read(fd, junk, sizeof(junk));
		if (r == 0) {
			ret = 0;
			break;
		}
		if (r == -1 && errno != EINTR && errno != EAGAIN)
			break;
		if (r > 0 && out != NULL && got + 1 < len)
			got += (size_t)r;
	}
	if (out != NULL && len > 0)
		out[got] = '\0';
	close(fd);
	return ret;
}

/* Sum of the external cache's active entries (conntrackd -s), or -1. */
static long
statesync_external_count(void)
{
	char	buf[8192], *p;
	long	n = -1;

	if (statesync_answer(statesync_request(SS_REQ_STATS), buf,
	    sizeof(buf)) == -1)
		return -1;
	if ((p = strstr(buf, "cache external")) != NULL &&
	    (p = strstr(p, "current active connections:")) != NULL)
		n = strtol(p + strlen("current active connections:"), NULL,
		    10);
	return n;
}

/*
 * The job child. commit is the socket of the commit request the parent
 * sent before forking (MASTER), else -1. Exit status: failed steps.
 */
static void __attribute__((noreturn))
statesync_job_main(enum ss_job kind, int commit)
{
	static const enum ss_req master[] = { SS_REQ_FLUSH, SS_REQ_RESYNC,
	    SS_REQ_BULK, 0 };
	static const enum ss_req backup[] = { SS_REQ_TIMERS, SS_REQ_DUMP, 0 };
	const enum ss_req *steps = kind == JOB_MASTER ? master : backup;
	long	 n, last = -2;
	double	 t0 = util_now(), stable = 0;
	int	 failed = 0, i;

	statesync_child_reset(commit);
	/* The commit must end before the flush: conntrackd refuses -f mid-commit. */
	if (kind == JOB_MASTER && statesync_answer(commit, NULL, 0) == -1)
		failed++;
	/*
	 * The peer's nopfsync states came with the commit (its resync read
	 * them from its kernel): delete them before -R reads ours. The
	 * ruleset drops their packets meanwhile. Never with a zero mark: that
	 * would match every unmarked state.
	 */
	if (kind == JOB_MASTER && ss.s_peermark != 0) {
		if ((n = linux_states_flush_mark(ss.s_peermark,
		    TW_CTMARK_NOSYNC)) == -1)
			failed++;
		else
			log_info("statesync: %ld states of the peer's nopfsync "
			    "rules deleted", n);
	}
	for (i = 0; kind != JOB_RESYNC && steps[i] != 0; i++)
		if (statesync_answer(statesync_request(steps[i]), NULL,
		    0) == -1)
			failed++;
	if (kind == JOB_RESYNC) {
		/* A daemon just started may not listen yet: retry 2 s. */
		while (statesync_answer(statesync_request(SS_REQ_DUMP), NULL,
		    0) == -1) {
			if (util_now() - t0 > 2)
				_exit(1);
			usleep(100000);
		}
		/* Settled: the same count for 0.5 s (the peer's bulk is in). */
		while (util_now() - t0 < STATESYNC_HOLD_MAX) {
			n = statesync_external_count();
			if (n != last) {
				last = n;
				stable = util_now();
			} else if (n >= 0 && util_now() - stable >= 0.5)
				break;
			usleep(100000);
		}
		if (util_now() - t0 >= STATESYNC_HOLD_MAX)
			failed++;
	}
	_exit(failed > 125 ? 125 : failed);
}

/* Starts the next queued job, if any and none runs. */
static void
statesync_job_next(void)
{
	enum ss_job	kind;
	pid_t		pid;
	int		commit = -1;

	if (ss.s_job > 0)
		return;
	if (ss.s_next != JOB_NONE) {
		kind = ss.s_next;
		ss.s_next = JOB_NONE;
	} else if (ss.s_resync) {
		kind = JOB_RESYNC;
		ss.s_resync = 0;
	} else {
		statesync_demote(0);
		return;
	}
	if (ss.s_pid <= 0) {
		snprintf(ss.s_last, sizeof(ss.s_last), "%s: skipped, "
		    "conntrackd is not running", ss_jobname[kind]);
		log_warnx("statesync: %s", ss.s_last);
		statesync_job_next();
		return;
	}
	/* The commit leaves now, from here; the child reads its answer. */
	if (kind == JOB_MASTER && (commit = statesync_request(
	    SS_REQ_COMMIT)) == -1)
		log_warn("statesync: commit request to %s", ss.s_sock);
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1) {
		log_warn("statesync: fork");
		if (commit != -1)
			close(commit);
		return;
	}
	if (pid == 0)
		statesync_job_main(kind, commit);
	if (commit != -1)
		close(commit);
	ss.s_job = pid;
	ss.s_jobkind = kind;
	log_info("statesync: %s sequence started (pid %d)", ss_jobname[kind],
	    (int)pid);
}

int
statesync_init(const char *datadir, const char *platform)
{
	const char	*dir;

	(void)datadir;
	if (strcmp(platform, "linux") == 0)
		ss.s_mode = 2;
	else if (strcmp(platform, "dry") == 0)
		ss.s_mode = 1;
	else
		return 0;
	dir = platform_rendered_path();
	if (dir[0] != '/') {
		log_warnx("statesync: no rendered directory");
		ss.s_mode = 0;
		return -1;
	}
	free(ss.s_conf);
	free(ss.s_lock);
	free(ss.s_sock);
	ss.s_conf = xasprintf("%s/%s", dir, STATESYNC_CONF);
	ss.s_lock = xasprintf("%s/%s", dir, STATESYNC_LOCK);
	ss.s_sock = xasprintf("%s/%s", dir, STATESYNC_SOCK);
	return 0;
}

int
statesync_apply(json_t *snap, json_t *subsys, char *err, size_t errlen)
{
	struct conntrackd_paths	 sp;
	json_t			*ha;
	const char		*flag;
	char			*text = NULL;
	int			 enabled, ret = -1;

	if (ss.s_mode == 0 || (!subsys_has(subsys, SUBSYS_HASYNC) &&
	    !subsys_has(subsys, SUBSYS_INTERFACES) &&
	    !subsys_has(subsys, SUBSYS_VIP)))
		return 0;
	ha = json_object_get(json_object_get(snap, "sections"), "hasync");
	flag = json_string_value(json_object_get(ha, "pfsyncenabled"));
	enabled = flag != NULL && strcmp(flag, "1") == 0;
	if (!enabled) {
		statesync_stop();
		if (ss.s_text != NULL)
			platform_action("statesync: disabled");
		free(ss.s_text);
		ss.s_text = NULL;
		return 0;
	}
	ss.s_peermark = conntrackd_peer_mark(snap);
	sp.sp_lockfile = ss.s_lock;
	sp.sp_socket = ss.s_sock;
	if ((text = conntrackd_render(snap, &sp, err, errlen)) == NULL) {
		/*
		 * Only an apply of hasync itself fails on its settings: an
		 * interface or VIP change must not be blocked by them. The
		 * running state sync stays as it is, and the log says why.
		 */
		if (!subsys_has(subsys, SUBSYS_HASYNC)) {
			log_warnx("statesync: not reconfigured: %s", err);
			platform_action("statesync: not reconfigured: %s", err);
			err[0] = '\0';
			ret = 0;
		}
		goto err;
	}
	if (ss.s_text != NULL && strcmp(ss.s_text, text) == 0 &&
	    (ss.s_pid > 0 || ss.s_mode == 1)) {
		ret = 0;	/* unchanged and running */
		goto err;
	}
	if (platform_write(STATESYNC_CONF, text, strlen(text), 0644, err,
	    errlen) == -1)
		goto err;
	free(ss.s_text);
	ss.s_text = text;
	text = NULL;
	if (ss.s_mode == 1) {
		platform_action("statesync: rendered %s (dry: not started)",
		    STATESYNC_CONF);
		return 0;
	}
	statesync_stop();
	ss.s_backoff = 0;
	if (statesync_spawn(0) == -1) {
		snprintf(err, errlen, "statesync: cannot start conntrackd");
		goto err;
	}
	/* A new daemon has an empty external cache: warm it first. */
	if (ss.s_role != 1) {
		statesync_demote(1);
		ss.s_resync = 1;
		statesync_job_next();
	}
	ret = 0;
err:
	free(text);
	return ret;
}

void
statesync_shutdown(void)
{
	statesync_stop();
	free(ss.s_text);
	ss.s_text = NULL;
}

int
statesync_reaped(pid_t pid, int status)
{
	double	ran;

	if (pid > 0 && pid == ss.s_job) {
		snprintf(ss.s_last, sizeof(ss.s_last), "%s: %s",
		    ss_jobname[ss.s_jobkind], WIFEXITED(status) &&
		    WEXITSTATUS(status) == 0 ? "ok" : WIFEXITED(status) ?
		    "some steps failed" : "ended by a signal");
		log_info("statesync: %s sequence done: %s",
		    ss_jobname[ss.s_jobkind], ss.s_last);
		ss.s_job = -1;
		ss.s_jobkind = JOB_NONE;
		statesync_job_next();
		return 1;
	}
	if (pid <= 0 || pid != ss.s_pid)
		return 0;
	ran = util_now() - ss.s_started;
	ss.s_pid = -1;
	if (ss.s_text == NULL || ss.s_mode != 2)
		return 1;
	ss.s_restarts++;
	if (ran >= SS_STABLE_RUN)
		ss.s_backoff = 0;
	else
		ss.s_backoff = ss.s_backoff == 0 ? 1 :
		    ss.s_backoff * 2 > SS_BACKOFF_MAX ? SS_BACKOFF_MAX :
		    ss.s_backoff * 2;
	log_warnx("statesync: conntrackd (pid %d) %s %d after %.1f s; "
	    "restarting in %d s", (int)pid, WIFEXITED(status) ?
	    "exited with status" : "was killed by signal", WIFEXITED(status) ?
	    WEXITSTATUS(status) : WTERMSIG(status), ran, ss.s_backoff);
	(void)statesync_spawn(ss.s_backoff);
	if (ss.s_role != 1) {
		statesync_demote(1);
		ss.s_resync = 1;
		statesync_job_next();
	}
	return 1;
}

void
statesync_carp_transition(int from, int to, unsigned int nmaster)
{
	int	role = nmaster > 0 ? 1 : 0;

	/* The role is kept even while disabled: enabling needs it. */
	if (ss.s_mode != 2 || ss.s_text == NULL) {
		ss.s_role = role;
		return;
	}
	if (role != ss.s_role) {
		log_info("statesync: node is now %s: queueing the %s sequence",
		    role ? "MASTER" : "BACKUP", role ? "master" : "backup");
		ss.s_role = role;
		ss.s_next = role ? JOB_MASTER : JOB_BACKUP;
		if (role) {
			/* Mastership wins: no hold, no waiting behind one. */
			ss.s_resync = 0;
			statesync_demote(0);
			if (ss.s_job > 0 && ss.s_jobkind == JOB_RESYNC)
				(void)kill(ss.s_job, SIGTERM);
		}
	}
	if (from == CARP_S_INIT && to == CARP_S_BACKUP && !role) {
		statesync_demote(1);
		ss.s_resync = 1;
	}
	statesync_job_next();
}

json_t *
statesync_status(void)
{
	return json_pack("{s:s, s:b, s:b, s:i, s:I, s:s, s:b, s:I, s:s, "
	    "s:s, s:s}",
	    "status", "ok",
	    "enabled", ss.s_text != NULL,
	    "running", ss.s_pid > 0,
	    "pid", (int)ss.s_pid,
	    "restarts", (json_int_t)ss.s_restarts,
	    "role", ss.s_role == 1 ? "master" : ss.s_role == 0 ? "backup" :
	    "unknown",
	    "demotion_held", ss.s_hold,
	    "holds", (json_int_t)ss.s_holds,
	    "job", ss_jobname[ss.s_jobkind],
	    "last", ss.s_last,
	    "conf", ss.s_conf != NULL ? ss.s_conf : "");
}
