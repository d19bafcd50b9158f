/*
 * test_ipc.c — framing and shape checks of ipc.c, and priv_call against
 * a fake parent.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "ipc.h"

struct pair {
	int	a, b;
};

static int
setup(void **state)
{
	struct pair	*p = calloc(1, sizeof(*p));
	int		 sv[2];

	assert_non_null(p);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	p->a = sv[0];
	p->b = sv[1];
	*state = p;
	return 0;
}

static int
teardown(void **state)
{
	struct pair *p = *state;

	if (p->a != -1)
		close(p->a);
	if (p->b != -1)
		close(p->b);
	free(p);
	return 0;
}

/* Writes a frame with the given length header and body bytes. */
static void
write_frame(int fd, uint32_t len, const char *body, size_t n)
{
	uint8_t hdr[4] = { len >> 24, len >> 16, len >> 8, len };

	assert_int_equal(write(fd, hdr, 4), 4);
	if (n > 0)
		assert_int_equal(write(fd, body, n), (ssize_t)n);
}

static void
expect_refused(struct pair *p, const char *needle)
{
	char	 err[256];
	json_t	*m;

	m = ipc_recv(p->b, err, sizeof(err));
	assert_null(m);
	assert_true(err[0] != '\0');
	if (strstr(err, needle) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err, needle);
}

static void
test_round_trip(void **state)
{
	struct pair	*p = *state;
	json_t		*out, *in;
	char		 err[256];

	out = json_pack("{s:s, s:[s,s], s:{s:i}}", "type", "apply", "subsys",
	    "filter", "nat", "snapshot", "format", 1);
	assert_int_equal(ipc_send(p->a, out), 0);
	in = ipc_recv(p->b, err, sizeof(err));
	assert_non_null(in);
	assert_true(json_equal(in, out));
	json_decref(in);

	/* Answers go the other way and carry "status". */
	json_decref(out);
	out = json_pack("{s:s, s:s}", "status", "failed", "message", "x");
	assert_int_equal(ipc_send(p->b, out), 0);
	in = ipc_recv(p->a, err, sizeof(err));
	assert_non_null(in);
	assert_true(json_equal(in, out));
	json_decref(in);
	json_decref(out);
}

static void
test_many_messages(void **state)
{
	struct pair	*p = *state;
	json_t		*m;
	char		 err[256];
	int		 i;

	for (i = 0; i < 50; i++) {
		m = json_pack("{s:s, s:i}", "type", "status", "n", i);
		assert_int_equal(ipc_send(p->a, m), 0);
		json_decref(m);
	}
	for (i = 0; i < 50; i++) {
		m = ipc_recv(p->b, err, sizeof(err));
		assert_non_null(m);
		assert_int_equal(json_integer_value(json_object_get(m, "n")),
		    i);
		json_decref(m);
	}
}

static void
test_oversized_refused(void **state)
{
	struct pair *p = *state;

	write_frame(p->a, IPC_MAX_MSG + 1, "{}", 2);
	expect_refused(p, "length");
}

static void
test_zero_length_refused(void **state)
{
	struct pair *p = *state;

	write_frame(p->a, 0, NULL, 0);
	expect_refused(p, "length");
}

static void
test_huge_length_refused(void **state)
{
	struct pair *p = *state;

	write_frame(p->a, 0xffffffffu, "{}", 2);
	expect_refused(p, "length");
}

static void
test_non_object_refused(void **state)
{
	struct pair	*p = *state;
	const char	*body = "[\"type\",\"apply\"]";

	write_frame(p->a, strlen(body), body, strlen(body));
	expect_refused(p, "not a JSON object");
}

static void
test_no_type_refused(void **state)
{
	struct pair	*p = *state;
	const char	*body = "{\"kind\":\"apply\"}";

	write_frame(p->a, strlen(body), body, strlen(body));
	expect_refused(p, "type");
}

static void
test_type_not_string_refused(void **state)
{
	struct pair	*p = *state;
	const char	*body = "{\"type\":7}";

	write_frame(p->a, strlen(body), body, strlen(body));
	expect_refused(p, "type");
}

static void
test_bad_json_refused(void **state)
{
	struct pair	*p = *state;
	const char	*body = "{\"type\":\"apply\"";

	write_frame(p->a, strlen(body), body, strlen(body));
	expect_refused(p, "bad JSON");
}

static void
test_trailing_garbage_refused(void **state)
{
	struct pair	*p = *state;
	const char	*body = "{\"type\":\"a\"}{\"type\":\"b\"}";

	write_frame(p->a, strlen(body), body, strlen(body));
	expect_refused(p, "bad JSON");
}

static void
test_duplicate_key_refused(void **state)
{
	struct pair	*p = *state;
	const char	*body = "{\"type\":\"a\",\"type\":\"b\"}";

	write_frame(p->a, strlen(body), body, strlen(body));
	expect_refused(p, "bad JSON");
}

static void
test_truncated_message(void **state)
{
	struct pair *p = *state;

	write_frame(p->a, 100, "{\"type\":\"ap", 11);
	close(p->a);
	p->a = -1;
	expect_refused(p, "truncated message");
}

static void
test_truncated_header(void **state)
{
	struct pair	*p = *state;
	uint8_t		 hdr[2] = { 0, 0 };

	assert_int_equal(write(p->a, hdr, 2), 2);
	close(p->a);
	p->a = -1;
	expect_refused(p, "truncated header");
}

static void
test_eof(void **state)
{
	struct pair	*p = *state;
	char		 err[256] = "junk";

	close(p->a);
	p->a = -1;
	assert_null(ipc_recv(p->b, err, sizeof(err)));
	assert_string_equal(err, "");
}

static void
test_send_refuses_non_object(void **state)
{
	struct pair	*p = *state;
	json_t		*a = json_array();

	assert_int_equal(ipc_send(p->a, a), -1);
	assert_int_equal(ipc_send(p->a, NULL), -1);
	json_decref(a);
}

static void
test_send_to_closed_peer(void **state)
{
	struct pair	*p = *state;
	json_t		*m = json_pack("{s:s}", "type", "status");

	close(p->b);
	p->b = -1;
	/* No SIGPIPE: -1 with EPIPE. */
	assert_int_equal(ipc_send(p->a, m), -1);
	json_decref(m);
}

/* A fake parent: answers each request with its type echoed. */
static void *
fake_parent(void *arg)
{
	int	 fd = *(int *)arg;
	json_t	*req, *ans;
	char	 err[256];

	while ((req = ipc_recv(fd, err, sizeof(err))) != NULL) {
		ans = json_pack("{s:s, s:O}", "status", "ok", "echo",
		    json_object_get(req, "type"));
		ipc_send(fd, ans);
		json_decref(ans);
		json_decref(req);
	}
	close(fd);
	return NULL;
}

static void *
priv_caller(void *arg)
{
	json_t	*req, *ans;
	int	 i, *bad = arg;

	for (i = 0; i < 100; i++) {
		req = json_pack("{s:s, s:i}", "type", "status", "i", i);
		ans = priv_call(req);
		if (strcmp(json_string_value(json_object_get(ans, "status")),
		    "ok") != 0)
			(*bad)++;
		json_decref(ans);
		json_decref(req);
	}
	return NULL;
}

static void
test_priv_call(void **state)
{
	struct pair	*p = *state;
	pthread_t	 parent, callers[4];
	json_t		*req, *ans;
	int		 bad[4] = { 0 }, i, fd = p->b;

	p->b = -1;		/* the fake parent closes it */
	assert_int_equal(pthread_create(&parent, NULL, fake_parent, &fd), 0);
	priv_init(p->a);

	/* Threads share the line: one request in flight, answers in order. */
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&callers[i], NULL,
		    priv_caller, &bad[i]), 0);
	for (i = 0; i < 4; i++) {
		pthread_join(callers[i], NULL);
		assert_int_equal(bad[i], 0);
	}

	req = json_pack("{s:s}", "type", "apply");
	ans = priv_call(req);
	assert_string_equal(json_string_value(json_object_get(ans, "echo")),
	    "apply");
	json_decref(ans);

	/* The parent goes away: a failed answer, never NULL. */
	shutdown(p->a, SHUT_WR);
	pthread_join(parent, NULL);
	ans = priv_call(req);
	assert_non_null(ans);
	assert_string_equal(json_string_value(json_object_get(ans, "status")),
	    "failed");
	assert_string_equal(json_string_value(json_object_get(ans, "message")),
	    "parent process is gone");
	json_decref(ans);
	json_decref(req);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_many_messages, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_oversized_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_zero_length_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_huge_length_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_non_object_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_no_type_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_type_not_string_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_json_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_trailing_garbage_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_key_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_message, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_truncated_header, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_eof, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_refuses_non_object,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_to_closed_peer,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_priv_call, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
