/*
 * test_throttle.c — the management plane's bookkeeping without a server:
 * sources (IPv4 address, IPv6 /64), the credential throttle's steps
 * (free, held back, 429), checks in flight, forgiveness; the limits
 * table; the JSON depth and item bounds of api_body_parse().
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "api.h"
#include "webapi.h"

static void
key4(const char *a, struct api_srckey *k)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, a, &sin.sin_addr), 1);
	api_src_key((struct sockaddr *)&sin, k);
}

static void
key6(const char *a, struct api_srckey *k)
{
	struct sockaddr_in6 sin6;

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, a, &sin6.sin6_addr), 1);
	api_src_key((struct sockaddr *)&sin6, k);
}

static void
test_sources(void **state)
{
	struct api_srckey	a, b;
	char			txt[INET6_ADDRSTRLEN + 4];

	(void)state;
	key4("192.0.2.7", &a);
	key6("::ffff:192.0.2.7", &b);
	assert_memory_equal(&a, &b, sizeof(a));	/* dual stack: one source */
	api_src_text(&a, txt, sizeof(txt));
	assert_string_equal(txt, "192.0.2.7");

	/* Every address of a /64 is one source; the next /64 is another. */
	key6("2001:db8:1:2::1", &a);
	key6("2001:db8:1:2:ffff:1:2:3", &b);
	assert_memory_equal(&a, &b, sizeof(a));
	api_src_text(&a, txt, sizeof(txt));
	assert_string_equal(txt, "2001:db8:1:2::/64");
	key6("2001:db8:1:3::1", &b);
	assert_memory_not_equal(&a, &b, sizeof(a));

	assert_int_equal(api_src_parse("2001:db8:1:2::/64", &b), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(api_src_parse("192.0.2.7", &b), 0);
	assert_int_equal(api_src_parse("not-an-address", &b), -1);
}

static void
test_connections(void **state)
{
	struct api_srckey	a;
	long			total;

	(void)state;
	key4("192.0.2.8", &a);
	assert_int_equal(api_src_conn_open(&a, &total), 1);
	assert_int_equal(api_src_conn_open(&a, &total), 2);
	assert_int_equal(total, 2);
	assert_int_equal(api_src_conns(&a), 2);
	api_src_conn_close(&a, 1);
	api_src_conn_close(&a, 1);
	assert_int_equal(api_src_conns(&a), 0);
	api_src_fini();
}

/* One failed check from source k; returns the delay it earned. */
static int
fail_once(const struct api_srckey *k)
{
	assert_int_equal(api_src_auth_begin(k), 0);
	return api_src_auth_end(k, 0, API_AUTH_LOGIN, "root");
}

static void
test_throttle_steps(void **state)
{
	struct api_srckey	a, other;
	long			nfree = api_limit(API_LIM_AUTH_FREE);
	long			nlock = api_limit(API_LIM_AUTH_LOCK);
	long			i;
	int			d, last = 0, retry;

	(void)state;
	key4("192.0.2.9", &a);
	key4("192.0.2.10", &other);
	for (i = 1; i <= nlock; i++) {
		d = fail_once(&a);
		if (i <= nfree)
			assert_int_equal(d, 0);		/* answered at once */
		else {
			assert_true(d >= 100 && d <= 2000);	/* held back */
			assert_true(d >= last);		/* growing */
			last = d;
		}
	}
	/* Locked: refused before any check, the right secret included. */
	retry = api_src_auth_begin(&a);
	assert_true(retry > 0 &&
	    retry <= api_limit(API_LIM_AUTH_LOCK_TIME));
	/* Another source is not touched. */
	assert_int_equal(api_src_auth_begin(&other), 0);
	assert_int_equal(api_src_auth_end(&other, 1, API_AUTH_LOGIN, "root"),
	    0);
	/* Forgiven, the source starts again from nothing. */
	api_src_forget(&a);
	assert_int_equal(fail_once(&a), 0);
	api_src_fini();
}

static void
test_throttle_in_flight(void **state)
{
	struct api_srckey	a;
	long			nlock = api_limit(API_LIM_AUTH_LOCK);
	long			i;

	(void)state;
	key4("192.0.2.11", &a);
	/* Parallel checks count before they end: no more than nlock. */
	for (i = 0; i < nlock; i++)
		assert_int_equal(api_src_auth_begin(&a), 0);
	assert_true(api_src_auth_begin(&a) > 0);
	for (i = 0; i < nlock; i++)
		(void)api_src_auth_end(&a, 0, API_AUTH_BASIC, "key");
	assert_true(api_src_auth_begin(&a) > 0);	/* and now locked */
	api_src_fini();
}

static void
test_limits_table(void **state)
{
	char err[128];

	(void)state;
	assert_int_equal(webapi_limit_set("json_depth=8", err, sizeof(err)),
	    0);
	assert_int_equal(api_limit(API_LIM_JSON_DEPTH), 8);
	assert_int_equal(webapi_limit_set("json_depth=1", err, sizeof(err)),
	    -1);					/* below its minimum */
	assert_non_null(strstr(err, "json_depth"));
	assert_int_equal(webapi_limit_set("nonsense=3", err, sizeof(err)), -1);
	assert_int_equal(webapi_limit_set("items", err, sizeof(err)), -1);
	assert_int_equal(webapi_limit_set("items=12x", err, sizeof(err)), -1);
	assert_int_equal(webapi_limit_set("json_depth=16", err, sizeof(err)),
	    0);
}

static json_t *
parse(const char *s, int *status, char *err, size_t len)
{
	return api_body_parse(s, strlen(s), "application/json", err, len,
	    status);
}

static void
test_body_bounds(void **state)
{
	char	 err[160], *deep, *many;
	json_t	*o;
	int	 st, i, n;

	(void)state;
	/* 16 levels pass, 17 do not; brackets inside strings are text. */
	deep = calloc(1, 64);
	n = 0;
	n += sprintf(deep + n, "{\"a\":");
	for (i = 0; i < 15; i++)
		deep[n++] = '[';
	for (i = 0; i < 15; i++)
		deep[n++] = ']';
	deep[n++] = '}';
	o = parse(deep, &st, err, sizeof(err));
	assert_non_null(o);
	json_decref(o);
	memmove(deep + 5, deep + 4, strlen(deep + 4) + 1);
	deep[5] = '[';
	memmove(deep + n, deep + n - 1, 2);
	deep[n] = ']';
	o = parse(deep, &st, err, sizeof(err));
	assert_null(o);
	assert_int_equal(st, 400);
	assert_non_null(strstr(err, "json_depth"));
	free(deep);
	o = parse("{\"a\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[\"}", &st, err,
	    sizeof(err));
	assert_non_null(o);
	json_decref(o);

	/* items: values in containers, nested ones included. */
	many = calloc(1, 2 * 10001 + 32);
	n = sprintf(many, "{\"a\":[");
	for (i = 0; i < 9999; i++)
		n += sprintf(many + n, "%s1", i ? "," : "");
	sprintf(many + n, "]}");
	o = parse(many, &st, err, sizeof(err));	/* 1 + 9,999 values */
	assert_non_null(o);
	json_decref(o);
	sprintf(many + n, ",1]}");
	o = parse(many, &st, err, sizeof(err));
	assert_null(o);
	assert_int_equal(st, 413);
	assert_non_null(strstr(err, "items"));
	free(many);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sources),
		cmocka_unit_test(test_connections),
		cmocka_unit_test(test_throttle_steps),
		cmocka_unit_test(test_throttle_in_flight),
		cmocka_unit_test(test_limits_table),
		cmocka_unit_test(test_body_bounds),
	};

	return cmocka_run_group_tests_name("throttle", tests, NULL, NULL);
}
