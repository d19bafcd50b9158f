/*
 * daemon.c — the privilege-separated daemon, after OpenBSD's
 * relayd/ospfd.
 *
 * The parent keeps root and does only what needs it: it prepares the data
 * directory, makes the TLS certificate, then forks the API child and
 * answers the child's requests (apply a snapshot, status) table-driven
 * over a socketpair, plus the same requests from local tools on
 * DIR/control.sock. It never reads HTTP, XML or network JSON.
 *
 * The child drops to the unprivileged user (setgroups/setresgid/
 * setresuid, checked with getresuid), opens the store, creates the first
 * user and runs the web API. It exits when the parent goes away; the
 * parent restarts a dead child once, and the second death ends the
 * daemon with status 1.
 *
 * Data directory when run as root (the child's user is U):
 *   DIR            root:U 01770  sticky: U may add files (the db, its
 *                                WAL) but not rename root's
 *   DIR/tls        U 0700        cert.pem, key.pem (0600)
 *   DIR/var        U 0700        the child's scratch space
 *   DIR/rendered   root 0755     written by the parent's platform only
 *   DIR/control.sock root 0600
 * Without root both halves run as the invoking user and nothing changes
 * owner.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdarg.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apply.h"
#include "auth.h"
#include "config.h"
#include "engine.h"
#include "control.h"
#include "daemon.h"
#include "daemon_int.h"
#include "fwlog.h"
#include "gwmon.h"
#include "ipc.h"
#include "listener.h"
#include "log.h"
#include "dhcp.h"
#include "platform.h"
#include "statesync.h"
#include "store.h"
#include "tls.h"
#include "util.h"
#include "sched.h"
#include "sdnotify.h"
#include "webapi.h"

/*
 * The CARP engine's view of the upstream gateways (hasync
 * demoteupstream): the monitor's, in the engine's words. Called from the
 * engine's thread; gwmon_upstream takes only the monitor's lock.
 */
static void
daemon_upstream(struct carp_engine_upstream *eu)
{
	struct gwmon_upstream_info u;

	gwmon_upstream(&u);
	eu->eu_state = u.u_state == GWMON_UPSTREAM_UP ? CARP_UP_L_UP :
	    u.u_state == GWMON_UPSTREAM_DOWN ? CARP_UP_L_DOWN :
	    u.u_state == GWMON_UPSTREAM_PENDING ? CARP_UP_L_PENDING :
	    CARP_UP_L_NONE;
	eu->eu_hold_down = u.u_hold_down;
	eu->eu_hold_up = u.u_hold_up;
}

#define DAEMON_STOP_WAIT	10	/* seconds for the child to stop */

static volatile sig_atomic_t	sig_term, sig_hup, sig_chld;

/* For a start-up failure after the control socket exists (fatal()). */
static pid_t		 daemon_parent_pid;
static const char	*daemon_ctl_dir;


static void
daemon_sighandler(int sig)
{
	switch (sig) {
	case SIGTERM:
	case SIGINT:
		sig_term = 1;
		break;
	case SIGHUP:
		sig_hup = 1;
		break;
	case SIGCHLD:
		sig_chld = 1;
		break;
	}
}

/*
 * The signals are blocked except inside ppoll, so a flag is never set
 * between the check and the wait. waitmask receives the mask for ppoll.
 */
static void
daemon_signals(sigset_t *waitmask)
{
	struct sigaction	 sa;
	sigset_t		 block;
	static const int	 sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGCHLD };
	size_t			 i;

	sigemptyset(&block);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = daemon_sighandler;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < nitems(sigs); i++) {
		sigaddset(&block, sigs[i]);
		if (sigaction(sigs[i], &sa, NULL) == -1)
			fatal("sigaction");
	}
	signal(SIGPIPE, SIG_IGN);
	if (sigprocmask(SIG_BLOCK, &block, waitmask) == -1)
		fatal("sigprocmask");
	for (i = 0; i < nitems(sigs); i++)
		sigdelset(waitmask, sigs[i]);
}

static void
daemon_atexit(void)
{
	/* The child inherits this handler: only the parent removes. */
	if (daemon_ctl_dir != NULL && getpid() == daemon_parent_pid)
		control_unlink(daemon_ctl_dir);
}

int
daemon_listen_host(const char *listen, char *host, size_t len)
{
	const char	*end;
	size_t		 n;

	if (listen == NULL || listen[0] == '\0')
		return -1;
	if (listen[0] == '[') {
		if ((end = strchr(listen, ']')) == NULL || end[1] != ':')
			return -1;
		n = (size_t)(end - listen - 1);
		listen++;
	} else {
		if ((end = strrchr(listen, ':')) == NULL)
			return -1;
		n = (size_t)(end - listen);
	}
	if (n >= len)
		return -1;
	memcpy(host, listen, n);
	host[n] = '\0';
	return 0;
}

int
daemon_listen_is_loopback(const char *listen)
{
	char		host[256];
	struct in_addr	a4;
	struct in6_addr	a6;

	if (daemon_listen_host(listen, host, sizeof(host)) == -1)
		return 0;
	if (strcmp(host, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6) || (IN6_IS_ADDR_V4MAPPED(&a6) &&
		    a6.s6_addr[12] == 127);
	return 0;
}

/* Runs argv (no shell), 0 when it exited 0. */
static int
daemon_run(char *const argv[])
{
	pid_t	pid;
	int	status;

	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* Finds, or as root creates, the child's system user. */
static void
daemon_user(const char *name, uid_t *uid, gid_t *gid)
{
	struct passwd	*pw;
	char		*useradd[] = { "/usr/sbin/useradd", "--system",
			    "--user-group", "--no-create-home", "--home-dir",
			    "/nonexistent", "--shell", "/usr/sbin/nologin",
			    (char *)name, NULL };
	char		*adduser[] = { "/usr/sbin/adduser", "--system",
			    "--group", "--no-create-home", "--shell",
			    "/usr/sbin/nologin", (char *)name, NULL };

	if ((pw = getpwnam(name)) == NULL) {
		log_info("creating system user %s", name);
		if (daemon_run(useradd) == -1 && daemon_run(adduser) == -1)
			fatalx("cannot create user %s (useradd and adduser "
			    "failed)", name);
		if ((pw = getpwnam(name)) == NULL)
			fatalx("user %s still missing after useradd", name);
	}
	if (pw->pw_uid == 0 || pw->pw_gid == 0)
		fatalx("user %s has uid or gid 0: the API child must not run "
		    "as root", name);
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
}

/*
 * chown without following a symlink the child may have planted; a
 * missing file is fine. 0 or -1 (logged).
 */
static int
daemon_chown(const char *dir, const char *name, uid_t uid, gid_t gid)
{
	char	*path = xasprintf("%s/%s", dir, name);
	int	 fd, ret = -1;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1) {
		if (errno == ENOENT)
			ret = 0;
		else
			log_warn("%s", path);
		goto err;
	}
	if (fchown(fd, uid, gid) == -1) {
		log_warn("chown %s", path);
		goto err;
	}
	ret = 0;
err:
	if (fd != -1)
		close(fd);
	free(path);
	return ret;
}

/* mkdir DIR/name mode unless present; a symlink there is refused. */
static void
daemon_subdir(const char *dir, const char *name, int mode)
{
	char		*path = xasprintf("%s/%s", dir, name);
	struct stat	 sb;

	if (mkdir(path, mode) == -1 && errno != EEXIST)
		fatal("mkdir %s", path);
	if (lstat(path, &sb) == -1)
		fatal("%s", path);
	if (!S_ISDIR(sb.st_mode))
		fatalx("%s is not a directory", path);
	free(path);
}

static void
daemon_prepare(struct parent *pa)
{
	const struct daemon_conf *c = pa->pa_conf;
	static const char *const owned[] = { "tls", "tls/cert.pem",
	    "tls/key.pem", "var", STORE_DB_NAME, STORE_DB_NAME "-wal",
	    STORE_DB_NAME "-shm", "initial-password" };
	char		 host[256], *cert, *key;
	uid_t		 uid = pa->pa_privsep ? pa->pa_uid : (uid_t)-1;
	size_t		 i;
	int		 fd;

	if (util_mkdirs(c->d_datadir, 0700) == -1)
		fatal("mkdir %s", c->d_datadir);
	if (pa->pa_privsep) {
		fd = open(c->d_datadir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (fd == -1 || fchown(fd, 0, pa->pa_gid) == -1 ||
		    fchmod(fd, 01770) == -1)
			fatal("%s", c->d_datadir);
		close(fd);
	}
	daemon_subdir(c->d_datadir, "tls", 0700);
	daemon_subdir(c->d_datadir, "var", 0700);
	if (c->d_tls) {
		if (daemon_listen_host(c->d_listen, host, sizeof(host)) == -1)
			host[0] = '\0';
		cert = xasprintf("%s/tls/cert.pem", c->d_datadir);
		key = xasprintf("%s/tls/key.pem", c->d_datadir);
		if (tls_ensure_cert(cert, key, host, uid, pa->pa_gid) == -1)
			fatalx("no TLS certificate: see above, or use --no-tls "
			    "on a loopback address");
		free(cert);
		free(key);
	}
	if (pa->pa_privsep)
		for (i = 0; i < nitems(owned); i++)
			if (daemon_chown(c->d_datadir, owned[i], pa->pa_uid,
			    pa->pa_gid) == -1)
				fatalx("cannot hand %s/%s to uid %d",
				    c->d_datadir, owned[i], (int)pa->pa_uid);
}

/* Drops to uid/gid for good, and checks that root cannot come back. */
static void
child_drop(uid_t uid, gid_t gid)
{
	uid_t	ru, eu, su;
	gid_t	rg, eg, sg;

	if (setgroups(0, NULL) == -1)
		fatal("setgroups");
	if (setresgid(gid, gid, gid) == -1)
		fatal("setresgid");
	if (setresuid(uid, uid, uid) == -1)
		fatal("setresuid");
	if (getresuid(&ru, &eu, &su) == -1 || getresgid(&rg, &eg, &sg) == -1)
		fatal("getresuid");
	if (ru != uid || eu != uid || su != uid || rg != gid || eg != gid ||
	    sg != gid)
		fatalx("privileges not dropped (uid %d/%d/%d gid %d/%d/%d)",
		    (int)ru, (int)eu, (int)su, (int)rg, (int)eg, (int)sg);
	if (setuid(0) != -1 || seteuid(0) != -1)
		fatalx("could regain root after dropping privileges");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("prctl(PR_SET_NO_NEW_PRIVS)");
}

/*
 * The API child. fd is its end of the socketpair, gfd of the listener
 * line (listener.h). Never returns.
 */
static void __attribute__((noreturn))
child_main(struct parent *pa, int fd, int gfd)
{
	const struct daemon_conf *c = pa->pa_conf;
	struct webapi_conf	 wc;
	struct store		*st;
	struct pollfd		 pfd[2];
	const char		*www;
	char			 err[256], *cert, *key, moved[300];
	int			 status = 0, tls = c->d_tls, sfd = -1, wwwfd;

	log_setproc("api");
	sig_term = sig_hup = sig_chld = 0;
	signal(SIGCHLD, SIG_DFL);
	/* Nothing of the parent's stays open: fds 0-2 and the socketpairs. */
	if (fd != 3) {
		if (dup2(fd, 3) == -1)
			fatal("dup2");
		fd = 3;
	}
	if (gfd != 4) {
		if (dup2(gfd, 4) == -1)
			fatal("dup2");
		gfd = 4;
	}
	if (close_range(5, ~0U, 0) == -1)
		fatal("close_range");
	(void)prctl(PR_SET_NAME, "twinwall-api", 0, 0, 0);
	/* As root: the GUI's folder may sit below one the API user cannot enter. */
	www = c->d_wwwdir != NULL ? c->d_wwwdir : "www";
	/* Without it the GUI answers 404; the API still serves. */
	if ((wwwfd = open(www, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		log_warn("api: GUI files %s", www);
	if (pa->pa_privsep)
		child_drop(pa->pa_uid, pa->pa_gid);
	priv_init(fd);

	if ((st = store_open(c->d_datadir, err, sizeof(err))) == NULL)
		fatalx("store %s: %s", c->d_datadir, err);
	if (auth_bootstrap(st, c->d_datadir) == -1)
		fatalx("cannot create the first user");
	cfg_system_listen_loopback(daemon_listen_is_loopback(c->d_listen));
	/* Persistent maintenance first: the VHIDs then start demoted. */
	(void)carp_boot_child(st);
	/*
	 * The boot apply, before serving: the host comes back to what was
	 * in force (the parent keeps forwarding dropped and CARP demoted
	 * until it is). A failure is the parent's to report; the API
	 * still starts so the administrator can fix the configuration.
	 */
	if (apply_boot(st, &apply_via_priv, err, sizeof(err)) == -1)
		log_warnx("boot apply failed: %s", err);

	cert = xasprintf("%s/tls/cert.pem", c->d_datadir);
	key = xasprintf("%s/tls/key.pem", c->d_datadir);
	memset(&wc, 0, sizeof(wc));
	wc.w_datadir = c->d_datadir;
	wc.w_listen = c->d_listen;
	/* A restarted child serves where the last apply moved the GUI. */
	if (listener_child_initial(gfd, moved, sizeof(moved), &tls, &sfd))
		wc.w_listen = moved;
	wc.w_listenfd = sfd;
	wc.w_tls = tls;
	wc.w_certfile = cert;
	wc.w_keyfile = key;
	wc.w_wwwfd = wwwfd;
	wc.w_platform = c->d_platform;
	if (webapi_start(&wc) == -1)
		fatalx("web API did not start on %s", wc.w_listen);
	sched_start(c->d_datadir);	/* cron jobs: HA sync, apply, ... */
	log_info("running as uid %d, serving %s on %s", (int)getuid(),
	    tls ? "https" : "http", wc.w_listen);

	for (;;) {
		/* Hang-ups (answers are read by priv_call's caller), moves. */
		pfd[0].fd = fd;
		pfd[0].events = POLLRDHUP;
		pfd[1].fd = gfd;
		pfd[1].events = POLLIN;
		pfd[0].revents = pfd[1].revents = 0;
		if (ppoll(pfd, 2, NULL, &pa->pa_waitmask) == -1 &&
		    errno != EINTR)
			fatal("ppoll");
		if (((pfd[1].revents & POLLIN) &&
		    listener_child_event(gfd) == -1) ||
		    (pfd[1].revents & (POLLHUP | POLLERR | POLLNVAL)))
			pfd[0].revents |= POLLHUP;	/* the parent is gone */
		if (sig_term) {
			log_info("stopping");
			break;
		}
		if (sig_hup) {
			sig_hup = 0;
			log_info("SIGHUP: reopening the store");
			store_close(st);
			if ((st = store_open(c->d_datadir, err,
			    sizeof(err))) == NULL)
				fatalx("store %s: %s", c->d_datadir, err);
		}
		if (pfd[0].revents & (POLLHUP | POLLRDHUP | POLLERR | POLLNVAL)) {
			log_warnx("parent process is gone, exiting");
			status = 1;
			break;
		}
	}
	webapi_stop();
	store_close(st);
	free(cert);
	free(key);
	exit(status);
}

/* The unit's readiness is the end of the boot apply, failed or not. */
void
parent_boot_done(struct parent *pa)
{
	char	status[600];

	if (pa->pa_boot == PARENT_BOOT_OK) {
		log_info("ready: boot apply in force %.2f s after start",
		    pa->pa_boot_secs);
		snprintf(status, sizeof(status), "running: configuration in "
		    "force %.2f s after start", pa->pa_boot_secs);
	} else {
		log_warnx("ready, but the boot apply failed: %s",
		    pa->pa_boot_msg);
		snprintf(status, sizeof(status), "running, DEMOTED: the boot "
		    "apply failed: %.500s", pa->pa_boot_msg);
	}
	(void)sdnotify_ready(status);
}

static void
parent_fork_child(struct parent *pa)
{
	int	sp[2], gp[2];
	pid_t	pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == -1 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, gp) == -1)
		fatal("socketpair");
	/* A restarted child serves where the last apply put the GUI. */
	listener_resend(gp[0]);
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid == 0) {
		close(sp[0]);
		close(gp[0]);
		child_main(pa, sp[1], gp[1]);
	}
	close(sp[1]);
	close(gp[1]);
	pa->pa_child = pid;
	pa->pa_fd = sp[0];
	pa->pa_gui = gp[0];
	log_info("api child started (pid %d)", (int)pid);
}


/*
 * An apply of "system" may move the web GUI (listener.h): the new socket
 * is bound first, so a port that cannot be had refuses the apply with
 * nothing changed; *moved says to hand it over once the answer is out.
 */
static json_t *
parent_serve(struct parent *pa, json_t *req, const char *from, int *moved)
{
	json_t	*ans;
	char	 err[512];
	int	 rc;

	*moved = 0;
	if ((rc = listener_prepare(req, err, sizeof(err))) == -1) {
		/* At boot the ruleset matters more than the GUI's port. */
		if (json_is_true(json_object_get(req, "boot"))) {
			log_warnx("boot apply: %s; the GUI stays on the command "
			    "line's listener", err);
			rc = 0;
		} else {
			log_warnx("apply (%s) refused: %s", from, err);
			return ipc_failed("%s", err);
		}
	}
	ans = parent_dispatch(pa, req, from);
	if (rc == 1 && strcmp(cfg_str(ans, "status"), "ok") == 0)
		*moved = 1;
	else
		listener_abort();
	return ans;
}

static void
parent_read_child(struct parent *pa)
{
	json_t	*req, *ans;
	char	 err[256];
	int	 moved;

	if ((req = ipc_recv(pa->pa_fd, err, sizeof(err))) == NULL) {
		if (err[0] != '\0') {
			log_warnx("malformed message from the api child: %s; "
			    "closing and killing it", err);
			if (pa->pa_child > 0)
				kill(pa->pa_child, SIGKILL);
		} else
			log_debug("api child closed its end");
		close(pa->pa_fd);
		pa->pa_fd = -1;
		return;
	}
	ans = parent_serve(pa, req, "api", &moved);
	if (ipc_send(pa->pa_fd, ans) == -1)
		log_warn("answer to the api child");
	if (moved)
		listener_commit(pa->pa_gui);
	json_decref(ans);
	json_decref(req);
}

static void
parent_accept(struct parent *pa)
{
	size_t	i;
	int	fd;

	if ((fd = accept4(pa->pa_ctl, NULL, NULL, SOCK_CLOEXEC)) == -1) {
		if (errno != EINTR && errno != EAGAIN)
			log_warn("control accept");
		return;
	}
	for (i = 0; i < DAEMON_CLIENTS; i++)
		if (pa->pa_clients[i] == -1) {
			pa->pa_clients[i] = fd;
			return;
		}
	log_warnx("control: too many connections, refusing one");
	close(fd);
}

static void
parent_read_client(struct parent *pa, size_t i)
{
	json_t	*req, *ans;
	char	 err[256];
	int	 moved;

	if ((req = ipc_recv(pa->pa_clients[i], err, sizeof(err))) == NULL) {
		if (err[0] != '\0')
			log_warnx("control: malformed request: %s; closing",
			    err);
		close(pa->pa_clients[i]);
		pa->pa_clients[i] = -1;
		return;
	}
	ans = parent_serve(pa, req, "control", &moved);
	if (ipc_send(pa->pa_clients[i], ans) == -1) {
		close(pa->pa_clients[i]);
		pa->pa_clients[i] = -1;
	}
	if (moved)
		listener_commit(pa->pa_gui);
	json_decref(ans);
	json_decref(req);
}

static const char *
daemon_exit_text(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d",
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "was killed by signal %d (%s)",
		    WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "stopped (status 0x%x)", status);
	return buf;
}

/* Reaps children; 0 to go on, -1 when the child died a second time. */
static int
parent_reap(struct parent *pa)
{
	pid_t	pid;
	int	status;
	char	how[96];

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid != pa->pa_child) {
			if (!statesync_reaped(pid, status))
				(void)dhcp_reaped(pid, status);
			continue;
		}
		pa->pa_child = -1;
		if (pa->pa_fd != -1) {
			close(pa->pa_fd);
			pa->pa_fd = -1;
		}
		if (pa->pa_gui != -1) {
			close(pa->pa_gui);
			pa->pa_gui = -1;
		}
		daemon_exit_text(status, how, sizeof(how));
		if (pa->pa_restarts >= 1) {
			log_warnx("api child (pid %d) %s after its restart: "
			    "giving up, twinwall stops", (int)pid, how);
			return -1;
		}
		pa->pa_restarts++;
		log_warnx("api child (pid %d) %s: restarting it (once)",
		    (int)pid, how);
		parent_fork_child(pa);
	}
	return 0;
}

static void
parent_shutdown(struct parent *pa)
{
	size_t	i;
	int	status, n;

	if (pa->pa_child > 0) {
		kill(pa->pa_child, SIGTERM);
		for (n = 0; n < DAEMON_STOP_WAIT * 20; n++) {
			if (waitpid(pa->pa_child, &status, WNOHANG) ==
			    pa->pa_child)
				break;
			usleep(50000);
		}
		if (n == DAEMON_STOP_WAIT * 20) {
			log_warnx("api child (pid %d) did not stop: killing it",
			    (int)pa->pa_child);
			kill(pa->pa_child, SIGKILL);
			waitpid(pa->pa_child, &status, 0);
		}
		pa->pa_child = -1;
	}
	if (pa->pa_fd != -1)
		close(pa->pa_fd);
	if (pa->pa_gui != -1)
		close(pa->pa_gui);
	listener_shutdown();
	for (i = 0; i < DAEMON_CLIENTS; i++)
		if (pa->pa_clients[i] != -1)
			close(pa->pa_clients[i]);
	close(pa->pa_ctl);
	control_unlink(pa->pa_conf->d_datadir);
	daemon_ctl_dir = NULL;		/* d_datadir is freed after return */
	carp_engine_thread_stop();
	carp_engine_shutdown();
	gwmon_stop();
	fwlog_shutdown();
	statesync_shutdown();
	pa->pa_plat->p_shutdown();
}

int
daemon_main(const struct daemon_conf *c)
{
	struct parent	 pa;
	struct pollfd	 pfd[5 + DAEMON_CLIENTS];
	size_t		 i, n, ncl, nlog, cl[DAEMON_CLIENTS];
	char		 err[512];

	memset(&pa, 0, sizeof(pa));
	pa.pa_conf = c;
	pa.pa_t0 = util_now();
	for (i = 0; i < nitems(pa.pa_in_force); i++)
		pa.pa_in_force[i].pf_rev = -1;
	pa.pa_child = -1;
	pa.pa_fd = -1;
	pa.pa_gui = -1;
	pa.pa_started = time(NULL);
	for (i = 0; i < DAEMON_CLIENTS; i++)
		pa.pa_clients[i] = -1;

	log_init("parent", c->d_debug);
	sdnotify_init();	/* before any fork: no child inherits it */
	if ((pa.pa_plat = platform_get(c->d_platform)) == NULL)
		fatalx("unknown platform %s", c->d_platform);
	if (!c->d_tls && !daemon_listen_is_loopback(c->d_listen))
		fatalx("--no-tls is only allowed on a loopback address, not "
		    "%s: passwords and API secrets would cross the network "
		    "in clear", c->d_listen);
	pa.pa_privsep = geteuid() == 0;
	if (pa.pa_privsep)
		daemon_user(c->d_user, &pa.pa_uid, &pa.pa_gid);
	else if (strcmp(pa.pa_plat->p_name, "dry") != 0)
		log_warnx("not root: platform %s will not be able to change "
		    "the host", pa.pa_plat->p_name);

	daemon_signals(&pa.pa_waitmask);
	/* The control socket first: it tells whether DIR is in use. */
	if (util_mkdirs(c->d_datadir, 0700) == -1)
		fatal("mkdir %s", c->d_datadir);
	if ((pa.pa_ctl = control_listen(c->d_datadir, err, sizeof(err))) == -1)
		fatalx("%s", err);
	daemon_parent_pid = getpid();
	daemon_ctl_dir = c->d_datadir;
	atexit(daemon_atexit);
	daemon_prepare(&pa);
	listener_init(c->d_listen, c->d_tls, c->d_datadir, pa.pa_privsep ?
	    pa.pa_uid : (uid_t)-1, pa.pa_privsep ? pa.pa_gid : (gid_t)-1);
	if (pa.pa_plat->p_init(c->d_datadir) == -1)
		fatalx("platform %s did not start", pa.pa_plat->p_name);
	(void)statesync_init(c->d_datadir, pa.pa_plat->p_name);
	/*
	 * Real CARP on linux, never a silent simulation: without its
	 * sockets the engine keeps every VHID INIT and says why. Only the
	 * dry platform runs the simulated peer.
	 */
	if (strcmp(pa.pa_plat->p_name, "linux") == 0) {
		if (carp_engine_init(1) == -1 &&
		    carp_engine_init_without_sockets("CARP sockets could not "
		    "be opened (needs root and CAP_NET_RAW)") == -1)
			fatalx("carp: the engine did not start");
	} else if (carp_engine_init(0) == -1)
		fatalx("carp: the engine did not start");
	/* No VIP before the boot apply has put the ruleset in force. */
	(void)carp_engine_boot_hold(1, "waiting for the boot apply");
	fwlog_init(pa.pa_plat->p_name);
	log_info("twinwall %s starting: platform %s, data %s, %s", TW_VERSION,
	    pa.pa_plat->p_name, c->d_datadir, pa.pa_privsep ?
	    "privilege separation on" : "not root: both halves run as the "
	    "invoking user");
	parent_fork_child(&pa);
	/*
	 * The CARP engine and the gateway probes run in threads of their
	 * own (carp/engine_loop.c, gwmon/gwmon.c), started after the fork:
	 * a thread running while fork() runs can leave the child's
	 * allocator locked (the sanitizers' is not fork-safe). The engine
	 * has no VHID until the boot apply, which the child sends.
	 */
	if (carp_engine_thread_start() == -1)
		fatalx("carp: the engine's thread did not start");
	if (gwmon_start() == -1)
		fatalx("gwmon: the monitor's thread did not start");
	carp_engine_upstream_source(daemon_upstream);
	/* READY comes with the end of the boot apply (parent_boot_done). */
	(void)sdnotify_status("boot apply: bringing back what was in force");

	for (;;) {
		n = 0;
		pfd[n].fd = pa.pa_fd;		/* -1 is ignored by poll */
		pfd[n++].events = POLLIN;
		pfd[n].fd = pa.pa_ctl;
		pfd[n++].events = POLLIN;
		for (i = 0; i < DAEMON_CLIENTS; i++)
			if (pa.pa_clients[i] != -1) {
				cl[n - 2] = i;
				pfd[n].fd = pa.pa_clients[i];
				pfd[n++].events = POLLIN;
			}
		/* The NFLOG group, when this platform logs packets. */
		ncl = n;
		n += (size_t)fwlog_pollfd(&pfd[n]);
		/* CARP runs in its own thread; its transitions come here. */
		nlog = n;
		pfd[n].fd = carp_engine_pub_fd();
		pfd[n++].events = POLLIN;
		/* Gateway status changes, from the monitor's thread. */
		pfd[n].fd = gwmon_pub_fd();
		pfd[n++].events = POLLIN;
		if (ppoll(pfd, n, NULL, &pa.pa_waitmask) == -1) {
			if (errno != EINTR)
				fatal("ppoll");
		}
		if (sig_term) {
			log_info("stopping");
			sdnotify_stopping();
			parent_shutdown(&pa);
			log_info("stopped");
			return 0;
		}
		if (sig_chld) {
			sig_chld = 0;
			if (parent_reap(&pa) == -1) {
				parent_shutdown(&pa);
				return 1;
			}
			continue;	/* the fds may have changed */
		}
		if (sig_hup) {
			sig_hup = 0;
			log_info("SIGHUP: passing it to the api child");
			sdnotify_reloading();
			if (pa.pa_child > 0)
				kill(pa.pa_child, SIGHUP);
			if (pa.pa_boot != PARENT_BOOT_PENDING)
				sdnotify_ready("running");
			continue;
		}
		if (pa.pa_fd != -1 && pfd[0].revents & (POLLIN | POLLHUP |
		    POLLERR))
			parent_read_child(&pa);
		if (pfd[1].revents & POLLIN)
			parent_accept(&pa);
		for (i = 2; i < ncl; i++)
			if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
				parent_read_client(&pa, cl[i - 2]);
		if (nlog > ncl)
			fwlog_events(&pfd[ncl]);
		if (pfd[nlog].revents & POLLIN)
			carp_engine_pub_read(statesync_carp_transition);
		if (pfd[nlog + 1].revents & POLLIN)
			gwmon_pub_read(platform_gw_changed);
	}
}
