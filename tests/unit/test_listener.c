/*
 * test_listener.c — the web GUI listener's parent side (listener.c):
 * which applies move it, the canonical address it compares, the refusals
 * (http off loopback, a port in use) that leave it where it was, and the
 * socket handed to the child over a SOCK_SEQPACKET line with SCM_RIGHTS.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netinet/in.h>

#include <cmocka.h>

#include "listener.h"
#include "testutil.h"

/* An apply request of subsys (NULL: all) with this system section. */
static json_t *
apply_req(const char *subsys, const char *proto, const char *port)
{
	return json_pack("{s:s, s:o, s:{s:{s:{s:s, s:s}}}}", "type", "apply",
	    "subsys", subsys ? json_pack("[s]", subsys) : json_null(),
	    "snapshot", "sections", "system", "webgui_protocol", proto,
	    "webgui_port", port);
}

/* A port nobody listens on, on 127.0.0.1 (bound and closed). */
static int
spare_port(void)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof(sin);
	int			fd, port;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

static void
test_what_moves(void **state)
{
	char	*dir = tu_tmpdir(), err[512];
	json_t	*req;

	(void)state;
	listener_init("127.0.0.1:08443", 0, dir, (uid_t)-1, (gid_t)-1);
	/* "as started", and the same address written another way */
	req = apply_req("system", "", "");
	assert_int_equal(listener_prepare(req, err, sizeof(err)), 0);
	json_decref(req);
	req = apply_req("system", "http", "8443");
	assert_int_equal(listener_prepare(req, err, sizeof(err)), 0);
	json_decref(req);
	/* not an apply of system, or no apply at all */
	req = apply_req("filter", "https", "9443");
	assert_int_equal(listener_prepare(req, err, sizeof(err)), 0);
	json_decref(req);
	req = json_pack("{s:s}", "type", "status");
	assert_int_equal(listener_prepare(req, err, sizeof(err)), 0);
	json_decref(req);
	/* a port that is no single port */
	req = apply_req("system", "", "80-90");
	assert_int_equal(listener_prepare(req, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "system.webgui_port"));
	json_decref(req);
	listener_shutdown();
	tu_rmdir(dir);
}

static void
test_http_needs_loopback(void **state)
{
	char	*dir = tu_tmpdir(), err[512];
	json_t	*req;

	(void)state;
	listener_init("0.0.0.0:8443", 1, dir, (uid_t)-1, (gid_t)-1);
	req = apply_req(NULL, "http", "");
	assert_int_equal(listener_prepare(req, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "system.webgui_protocol"));
	assert_non_null(strstr(err, "loopback"));
	json_decref(req);
	listener_shutdown();
	tu_rmdir(dir);
}

static void
test_busy_port_refused(void **state)
{
	struct sockaddr_in	 sin;
	char			*dir = tu_tmpdir(), err[512], port[16];
	json_t			*req;
	int			 fd, p = spare_port();

	(void)state;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)p);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(fd, 1), 0);
	listener_init("127.0.0.1:8443", 0, dir, (uid_t)-1, (gid_t)-1);
	snprintf(port, sizeof(port), "%d", p);
	req = apply_req("system", "", port);
	assert_int_equal(listener_prepare(req, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "system.webgui_port: cannot listen on "
	    "127.0.0.1:"));
	assert_non_null(strstr(err, port));
	assert_non_null(strstr(err, "in use"));
	assert_non_null(strstr(err, "stays on 127.0.0.1:8443"));
	json_decref(req);
	close(fd);
	listener_shutdown();
	tu_rmdir(dir);
}

/* A move: bound by prepare, sent with the socket after the commit. */
static void
test_move_hands_the_socket(void **state)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	char			*dir = tu_tmpdir(), err[512], port[16];
	char			 listen_at[300], want[64];
	json_t			*req;
	int			 sp[2], tls = -1, sfd = -1, p = spare_port();

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp), 0);
	listener_init("127.0.0.1:8443", 0, dir, (uid_t)-1, (gid_t)-1);
	snprintf(port, sizeof(port), "%d", p);
	req = apply_req("system", "", port);
	assert_int_equal(listener_prepare(req, err, sizeof(err)), 1);
	/* nothing is sent before the commit (the apply's answer first) */
	assert_int_equal(listener_child_initial(sp[1], listen_at,
	    sizeof(listen_at), &tls, &sfd), 0);
	listener_commit(sp[0]);
	assert_int_equal(listener_child_initial(sp[1], listen_at,
	    sizeof(listen_at), &tls, &sfd), 1);
	snprintf(want, sizeof(want), "127.0.0.1:%d", p);
	assert_string_equal(listen_at, want);
	assert_int_equal(tls, 0);
	assert_true(sfd > 2);
	assert_int_equal(getsockname(sfd, (struct sockaddr *)&sin, &len), 0);
	assert_int_equal(ntohs(sin.sin_port), p);
	close(sfd);
	/* a restarted child is told again */
	listener_resend(sp[0]);
	assert_int_equal(listener_child_initial(sp[1], listen_at,
	    sizeof(listen_at), &tls, &sfd), 1);
	assert_string_equal(listen_at, want);
	close(sfd);
	/* a failed apply: the pending socket goes, nothing is sent */
	json_decref(req);
	snprintf(port, sizeof(port), "%d", spare_port());
	req = apply_req("system", "", port);
	assert_int_equal(listener_prepare(req, err, sizeof(err)), 1);
	listener_abort();
	listener_commit(sp[0]);
	assert_int_equal(listener_child_initial(sp[1], listen_at,
	    sizeof(listen_at), &tls, &sfd), 0);
	json_decref(req);
	listener_shutdown();
	close(sp[0]);
	close(sp[1]);
	tu_rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_what_moves),
		cmocka_unit_test(test_http_needs_loopback),
		cmocka_unit_test(test_busy_port_refused),
		cmocka_unit_test(test_move_hands_the_socket),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
