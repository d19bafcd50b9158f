/*
 * test_util.c — the helpers every module shares: the one boolean parser
 * (util_bool) that the API, the CARP requests and field validation use,
 * and the one failed answer (ipc_failed).
 */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "ipc.h"
#include "util.h"

static void
test_bool_words(void **state)
{
	static const char *const on[] = { "1", "true", "TRUE", "yes", "Yes",
	    "on", "ON" };
	static const char *const off[] = { "0", "false", "False", "no",
	    "NO", "off" };
	static const char *const bad[] = { "", "2", "y", "n", "enable",
	    "true ", " 1", "10" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(on) / sizeof(on[0]); i++)
		assert_int_equal(util_bool(on[i]), 1);
	for (i = 0; i < sizeof(off) / sizeof(off[0]); i++)
		assert_int_equal(util_bool(off[i]), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(util_bool(bad[i]), -1);
	assert_int_equal(util_bool(NULL), -1);
}

static void
test_failed_answer(void **state)
{
	json_t	*a;
	char	 big[3000];

	(void)state;
	a = ipc_failed("dhcp: no client on %s", "eth9");
	assert_string_equal(json_string_value(json_object_get(a, "status")),
	    "failed");
	assert_string_equal(json_string_value(json_object_get(a, "message")),
	    "dhcp: no client on eth9");
	assert_int_equal(json_object_size(a), 2);
	json_decref(a);
	/* A long reason is cut, never refused: the caller gets an answer. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	a = ipc_failed("%s", big);
	assert_non_null(a);
	assert_int_equal(strlen(json_string_value(json_object_get(a,
	    "message"))), 1023);
	json_decref(a);
}

static void
test_child_sig(int sig)
{
	(void)sig;
}

/*
 * A supervised program starts clean: what the parent had blocked, caught
 * or open (but the one descriptor kept) is gone, and the parent's death
 * will send it SIGTERM. The child reports on the kept pipe.
 */
static void
test_child_reset(void **state)
{
	int	 p[2], other, status;
	char	 verdict[64] = "";
	pid_t	 pid;

	(void)state;
	assert_int_equal(pipe(p), 0);
	other = open("/dev/null", O_RDONLY);
	assert_true(other > 2);
	if ((pid = fork()) == 0) {
		sigset_t	 set, now;
		struct sigaction sa;
		int		 deathsig = 0;

		signal(SIGUSR1, test_child_sig);
		sigemptyset(&set);
		sigaddset(&set, SIGHUP);
		sigprocmask(SIG_BLOCK, &set, NULL);
		if (util_child_reset(p[1]) != 0)
			_exit(2);
		sigprocmask(SIG_SETMASK, NULL, &now);
		sigaction(SIGUSR1, NULL, &sa);
		prctl(PR_GET_PDEATHSIG, &deathsig, 0, 0, 0);
		dprintf(p[1], "%s %s %s %s",
		    fcntl(other, F_GETFD) == -1 ? "closed" : "open",
		    sigismember(&now, SIGHUP) ? "blocked" : "unblocked",
		    sa.sa_handler == SIG_DFL ? "default" : "caught",
		    deathsig == SIGTERM ? "deathsig" : "nodeathsig");
		_exit(0);
	}
	assert_true(pid > 0);
	close(p[1]);
	assert_true(read(p[0], verdict, sizeof(verdict) - 1) > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_string_equal(verdict, "closed unblocked default deathsig");
	close(p[0]);
	close(other);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bool_words),
		cmocka_unit_test(test_failed_answer),
		cmocka_unit_test(test_child_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
