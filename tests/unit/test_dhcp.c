/*
 * test_dhcp.c — reading a stored DHCPv4 lease (platform/dhcp_lease.c):
 * the fields the parent routes and reports with, and every malformed
 * message refused rather than half-read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "platform/dhcp_int.h"

/* An ACK for 10.77.0.100 with the options in opts (len bytes). */
static size_t
ack(uint8_t *buf, const uint8_t *opts, size_t len)
{
	static const uint8_t yiaddr[4] = { 10, 77, 0, 100 };
	static const uint8_t cookie[4] = { 99, 130, 83, 99 };

	memset(buf, 0, 240);
	buf[0] = 2;				/* BOOTREPLY */
	memcpy(buf + 16, yiaddr, 4);
	memcpy(buf + 236, cookie, 4);
	memcpy(buf + 240, opts, len);
	return 240 + len;
}

static const uint8_t good[] = {
	53, 1, 5,				/* DHCPACK */
	54, 4, 10, 77, 0, 1,			/* server */
	51, 4, 0, 0, 0x0e, 0x10,		/* 3600 s */
	58, 4, 0, 0, 0x03, 0x84,		/* T1 900 */
	1, 4, 255, 255, 255, 0,			/* /24 */
	3, 8, 10, 77, 0, 1, 10, 77, 0, 2,	/* routers: the first */
	6, 8, 10, 77, 0, 53, 10, 77, 0, 54,	/* DNS */
	0, 0,					/* pad */
	255,
};

static void
test_parse(void **state)
{
	struct dhcp_lease4	l;
	uint8_t			buf[600];
	char			err[128];

	(void)state;
	assert_int_equal(dhcp_lease4_parse(buf, ack(buf, good, sizeof(good)),
	    &l, err, sizeof(err)), 0);
	assert_string_equal(l.l_addr, "10.77.0.100");
	assert_int_equal(l.l_prefix, 24);
	assert_string_equal(l.l_router, "10.77.0.1");
	assert_string_equal(l.l_server, "10.77.0.1");
	assert_int_equal(l.l_ndns, 2);
	assert_string_equal(l.l_dns[1], "10.77.0.54");
	assert_int_equal(l.l_time, 3600);
	assert_int_equal(l.l_renew, 900);
	assert_int_equal(l.l_rebind, 3150);	/* RFC 2131: 7/8 */
	l.l_start = 1000;
	assert_true(dhcp_lease4_valid(&l, 4599));
	assert_false(dhcp_lease4_valid(&l, 4600));
}

static void
test_refused(void **state)
{
	static const uint8_t nak[] = { 53, 1, 6, 51, 4, 0, 0, 1, 0, 255 };
	static const uint8_t notime[] = { 53, 1, 5, 255 };
	static const uint8_t overrun[] = { 53, 1, 5, 51, 4, 0, 0, 1, 0, 3,
	    40, 10, 77 };
	struct dhcp_lease4	l;
	uint8_t			buf[600];
	char			err[128];
	size_t			n;

	(void)state;
	n = ack(buf, nak, sizeof(nak));
	assert_int_equal(dhcp_lease4_parse(buf, n, &l, err, sizeof(err)), -1);
	n = ack(buf, notime, sizeof(notime));
	assert_int_equal(dhcp_lease4_parse(buf, n, &l, err, sizeof(err)), -1);
	n = ack(buf, overrun, sizeof(overrun));
	assert_int_equal(dhcp_lease4_parse(buf, n, &l, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "past the end"));
	/* Truncated before the options, a request, no cookie, no address. */
	assert_int_equal(dhcp_lease4_parse(buf, 239, &l, err, sizeof(err)),
	    -1);
	n = ack(buf, good, sizeof(good));
	buf[0] = 1;
	assert_int_equal(dhcp_lease4_parse(buf, n, &l, err, sizeof(err)), -1);
	n = ack(buf, good, sizeof(good));
	buf[237] = 0;
	assert_int_equal(dhcp_lease4_parse(buf, n, &l, err, sizeof(err)), -1);
	n = ack(buf, good, sizeof(good));
	memset(buf + 16, 0, 4);
	assert_int_equal(dhcp_lease4_parse(buf, n, &l, err, sizeof(err)), -1);
}

static void
test_defaults(void **state)
{
	/* 12 s: below the client's floor; a mask with a hole; no router. */
	static const uint8_t opts[] = { 53, 1, 5, 51, 4, 0, 0, 0, 12,
	    1, 4, 255, 0, 255, 0, 255 };
	static const uint8_t inf[] = { 53, 1, 5, 51, 4, 255, 255, 255, 255,
	    255 };
	struct dhcp_lease4	l;
	uint8_t			buf[600];
	char			err[128];

	(void)state;
	assert_int_equal(dhcp_lease4_parse(buf, ack(buf, opts, sizeof(opts)),
	    &l, err, sizeof(err)), 0);
	assert_int_equal(l.l_time, 20);
	assert_int_equal(l.l_renew, 10);
	assert_int_equal(l.l_rebind, 17);
	assert_int_equal(l.l_prefix, 32);
	assert_string_equal(l.l_router, "");
	assert_int_equal(dhcp_lease4_parse(buf, ack(buf, inf, sizeof(inf)),
	    &l, err, sizeof(err)), 0);
	l.l_start = 0;
	assert_true(dhcp_lease4_valid(&l, (time_t)1 << 40));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_defaults),
	};

	return cmocka_run_group_tests_name("dhcp", tests, NULL, NULL);
}
