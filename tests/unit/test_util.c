/*
 * test_util.c — the helpers every module shares: the one boolean parser
 * (util_bool) that the API, the CARP requests and field validation use,
 * and the one failed answer (ipc_failed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bool_words),
		cmocka_unit_test(test_failed_answer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
