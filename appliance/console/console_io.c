/*
 * console_io.c — the console's terminal: line input that Ctrl-C
 * interrupts, answers without echo, [y/N] questions, children run on the
 * terminal (ping, shell, update) and keys for the live views.
 *
 * Input is read with read(2), a byte at a time, never through stdio: a
 * child that inherits the terminal then sees exactly what the console did
 * not read, and SIGINT (installed without SA_RESTART) ends a read at once.
 */
#include <sys/ioctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "config.h"
#include "apply.h"
#include "console_int.h"
#include "control.h"
#include "store.h"
#include "util.h"

static volatile sig_atomic_t	con_sigint;
static struct termios		con_saved;
static int			con_keys;	/* 1 while in key mode */

static void
console_sighandler(int sig)
{
	(void)sig;
	con_sigint = 1;
}

void
console_io_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = console_sighandler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;		/* no SA_RESTART: reads end on ^C */
	sigaction(SIGINT, &sa, NULL);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGTSTP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
}

int
console_interrupted(void)
{
	return con_sigint != 0;
}

void
console_interrupt_clear(void)
{
	con_sigint = 0;
}

void
console_wipe(char *buf, size_t len)
{
	explicit_bzero(buf, len);
}

/*
 * One line from stdin into buf, without its newline. A line longer than
 * buf is read to its end and refused.
 */
static int
console_getline(char *buf, size_t len)
{
	size_t	n = 0;
	ssize_t	r;
	char	c;
	int	over = 0;

	for (;;) {
		if (con_sigint) {
			console_wipe(buf, len);
			return CON_INTR;
		}
		r = read(STDIN_FILENO, &c, 1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			console_wipe(buf, len);
			return CON_EXIT;
		}
		if (c == '\n')
			break;
		if (c == '\r')
			continue;
		if (n + 1 < len)
			buf[n++] = c;
		else
			over = 1;
	}
	buf[n] = '\0';
	if (over) {
		console_wipe(buf, len);
		printf("That answer is too long (at most %zu characters).\n",
		    len - 1);
		return 1;
	}
	return CON_OK;
}

int
console_read(const char *prompt, char *buf, size_t len)
{
	int rc;

	do {
		fputs(prompt, stdout);
		fflush(stdout);
	} while ((rc = console_getline(buf, len)) == 1);
	if (rc == CON_INTR)
		putchar('\n');
	return rc;
}

int
console_read_secret(const char *prompt, char *buf, size_t len)
{
	struct termios	 old, quiet;
	int		 rc, tty;

	tty = tcgetattr(STDIN_FILENO, &old) == 0;
	if (tty) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	rc = console_read(prompt, buf, len);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		if (rc != CON_INTR)
			putchar('\n');
	}
	return rc;
}

int
console_confirm(const char *question, int *yes)
{
	char	buf[CON_LINE], prompt[512];
	int	rc;

	*yes = 0;
	snprintf(prompt, sizeof(prompt), "%s [y/N]: ", question);
	for (;;) {
		if ((rc = console_read(prompt, buf, sizeof(buf))) != CON_OK)
			return rc;
		if (strcasecmp(buf, "y") == 0 || strcasecmp(buf, "yes") == 0) {
			*yes = 1;
			return CON_OK;
		}
		if (buf[0] == '\0' || strcasecmp(buf, "n") == 0 ||
		    strcasecmp(buf, "no") == 0)
			return CON_OK;
		printf("Please answer y or n (Enter means no).\n");
	}
}

int
console_read_number(const char *prompt, long min, long max, long *out)
{
	char	 buf[CON_LINE], *end;
	long	 n;
	int	 rc;

	for (;;) {
		if ((rc = console_read(prompt, buf, sizeof(buf))) != CON_OK)
			return rc;
		if (buf[0] == '\0') {
			printf("No answer given: enter a number from %ld to "
			    "%ld.\n", min, max);
			continue;
		}
		errno = 0;
		n = strtol(buf, &end, 10);
		if (errno == 0 && *end == '\0' && buf[0] >= '0' &&
		    buf[0] <= '9' && n >= min && n <= max) {
			*out = n;
			return CON_OK;
		}
		printf("Invalid answer \"%.32s\": enter a number from %ld to "
		    "%ld.\n", buf, min, max);
	}
}

int
console_run(char *const argv[])
{
	struct sigaction	 ign, old;
	pid_t			 pid;
	int			 status, ret;

	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1) {
		printf("Cannot start %s: %s\n", argv[0], strerror(errno));
		return -1;
	}
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		signal(SIGTSTP, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
		fprintf(stderr, "Cannot run %s: %s\n", argv[0],
		    strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR) {
			status = -1;
			break;
		}
	/* A shell with job control may leave its group in front. */
	if (isatty(STDIN_FILENO)) {
		memset(&ign, 0, sizeof(ign));
		ign.sa_handler = SIG_IGN;
		sigaction(SIGTTOU, &ign, &old);
		tcsetpgrp(STDIN_FILENO, getpgrp());
		sigaction(SIGTTOU, &old, NULL);
	}
	con_sigint = 0;		/* that ^C was the child's */
	if (status == -1)
		ret = -1;
	else if (WIFEXITED(status))
		ret = WEXITSTATUS(status);
	else
		ret = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
	return ret;
}

int
console_keys_begin(void)
{
	struct termios raw;

	if (tcgetattr(STDIN_FILENO, &con_saved) == -1)
		return 0;
	raw = con_saved;
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == -1)
		return 0;
	con_keys = 1;
	return 0;
}

void
console_keys_end(void)
{
	if (con_keys)
		tcsetattr(STDIN_FILENO, TCSANOW, &con_saved);
	con_keys = 0;
}

/*
 * Waits up to timeout_ms for a key on stdin or for extra_fd (-1: none)
 * to become readable. A line of input (no terminal) counts by its first
 * character.
 */
int
console_key_wait(int extra_fd, int timeout_ms, int *key, int *extra_ready)
{
	struct pollfd	pfd[2];
	char		c;
	ssize_t		r;
	int		n;

	*key = 0;
	if (extra_ready != NULL)
		*extra_ready = 0;
	pfd[0].fd = STDIN_FILENO;
	pfd[0].events = POLLIN;
	pfd[1].fd = extra_fd;
	pfd[1].events = POLLIN;
	n = poll(pfd, extra_fd >= 0 ? 2 : 1, timeout_ms);
	if (con_sigint)
		return CON_INTR;
	if (n <= 0)
		return CON_OK;
	if (extra_fd >= 0 && (pfd[1].revents & (POLLIN | POLLERR)) &&
	    extra_ready != NULL)
		*extra_ready = 1;
	if (pfd[0].revents & (POLLIN | POLLHUP)) {
		r = read(STDIN_FILENO, &c, 1);
		if (r == -1 && errno == EINTR)
			return con_sigint ? CON_INTR : CON_OK;
		if (r <= 0)
			return CON_EXIT;
		*key = (unsigned char)c;
	}
	return CON_OK;
}

int
console_rows(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row >= 10)
		return ws.ws_row;
	return 24;
}

void
console_print_errors(struct cfg_errors *e, const char *field)
{
	const char	*key, *dot, *msg;
	json_t		*v;

	json_object_foreach(e->e_obj, key, v) {
		dot = strchr(key, '.');
		if (field != NULL && (dot == NULL || strcmp(dot + 1, field)))
			continue;
		msg = json_string_value(v);
		printf("  %s: %s\n", key, msg ? msg : "invalid");
	}
}

int
console_apply(struct console *c, json_t *subsys)
{
	struct apply_via via;
	subsys_mask	 want;
	char		 err[1024];

	if (subsys_mask_from_json(subsys, &want, err, sizeof(err)) == -1) {
		printf("Cannot apply: %s.\n", err);
		return -1;
	}
	if (subsys == NULL)
		want = 0;	/* what is pending */
	printf("Applying %s...\n", subsys ? "the change" : "everything");
	apply_via_control(&via, c->c_dir);
	if (apply_run(c->c_st, want, &via, "console", NULL, err,
	    sizeof(err)) == -1) {
		if (strstr(err, "no daemon running") != NULL)
			printf("No twinwall daemon is running on %s (%s).\n"
			    "The configuration is saved and stays pending: "
			    "apply it once the daemon runs.\n", c->c_dir, err);
		else
			printf("Apply failed: %s\nThe configuration is saved; "
			    "the system keeps its previous state.\n", err);
		return -1;
	}
	printf("Applied.\n");
	return 0;
}
