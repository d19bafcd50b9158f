/*
 * test_sdnotify.c — the messages the service manager gets (sdnotify.c),
 * read from a real AF_UNIX datagram socket standing in for systemd's
 * notify socket, and the journal priority prefixes of log.c.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"
#include "sdnotify.h"
#include "testutil.h"

/* One datagram from fd, NUL-terminated into buf; its length or -1. */
static ssize_t
recv_msg(int fd, char *buf, size_t len)
{
	ssize_t	n = recv(fd, buf, len - 1, MSG_DONTWAIT);

	if (n >= 0)
		buf[n] = '\0';
	return n;
}

static void
test_notify_messages(void **state)
{
	struct sockaddr_un	 sun;
	char			*dir = tu_tmpdir(), buf[256];
	int			 fd;
	pid_t			 pid;

	(void)state;
	assert_non_null(dir);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/notify", dir);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	setenv("NOTIFY_SOCKET", sun.sun_path, 1);

	sdnotify_init();
	/* Taken out of the environment: a forked child cannot speak. */
	assert_null(getenv("NOTIFY_SOCKET"));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(getenv("NOTIFY_SOCKET") == NULL ? 0 : 1);
	{
		int	status;

		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}

	assert_int_equal(sdnotify_ready("running"), 0);
	assert_true(recv_msg(fd, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "READY=1\nSTATUS=running");
	assert_null(getenv("NOTIFY_SOCKET"));

	assert_int_equal(sdnotify_status("applying %d of %d", 2, 9), 0);
	assert_true(recv_msg(fd, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "STATUS=applying 2 of 9");

	assert_int_equal(sdnotify_reloading(), 0);
	assert_true(recv_msg(fd, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "RELOADING=1"));

	assert_int_equal(sdnotify_stopping(), 0);
	assert_true(recv_msg(fd, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "STOPPING=1"));
	assert_null(getenv("NOTIFY_SOCKET"));

	close(fd);
	tu_rmdir(dir);
}

/* Runs log_warnx with stderr on a file, JOURNAL_STREAM naming it or not. */
static void
log_line(int journal, char *buf, size_t len)
{
	char		 path[] = "/tmp/twlog.XXXXXX", js[64];
	struct stat	 sb;
	FILE		*f;
	int		 fd, saved;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &sb), 0);
	snprintf(js, sizeof(js), "%llu:%llu", (unsigned long long)sb.st_dev,
	    (unsigned long long)sb.st_ino);
	if (journal)
		setenv("JOURNAL_STREAM", js, 1);
	else
		setenv("JOURNAL_STREAM", "1:1", 1);	/* another stream */
	fflush(stderr);
	saved = dup(2);
	assert_int_equal(dup2(fd, 2), 2);
	log_init("parent", 0);
	log_warnx("the disk is %s", "full");
	log_info("ready");
	fflush(stderr);
	assert_int_equal(dup2(saved, 2), 2);
	close(saved);
	unsetenv("JOURNAL_STREAM");
	f = fdopen(fd, "r");
	assert_non_null(f);
	rewind(f);
	len = fread(buf, 1, len - 1, f);
	buf[len] = '\0';
	fclose(f);
	unlink(path);
}

static void
test_log_journal_priorities(void **state)
{
	char	buf[1024];

	(void)state;
	log_line(1, buf, sizeof(buf));
	/* sd-daemon(3): <4> warning, <6> info; the journal adds the time. */
	assert_true(strncmp(buf, "<4>parent[", 10) == 0);
	assert_non_null(strstr(buf, "warning: the disk is full\n<6>parent["));

	log_line(0, buf, sizeof(buf));
	/* A terminal or a file: a time stamp, no priority prefix. */
	assert_true(buf[0] >= '0' && buf[0] <= '9');
	assert_null(strstr(buf, "<4>"));
	assert_non_null(strstr(buf, "parent["));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_notify_messages),
		cmocka_unit_test(test_log_journal_priorities),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
