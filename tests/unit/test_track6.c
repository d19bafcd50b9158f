/*
 * test_track6.c — the pure parts of DHCPv6 prefix delegation and track6:
 * reading a stored DHCPv6 reply (platform/dhcp_lease.c), the /64 a
 * prefix id numbers in a delegated prefix, and radvd's configuration
 * (platform/track6.c), which no device name or address can break out of;
 * and resolv.conf with the leases' DNS servers (platform/sysconf.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <jansson.h>

#include "platform/dhcp_int.h"
#include "platform/platform_int.h"
#include "platform/track6.h"
#include "util.h"

/* 2001:db8:77::100 */
#define ADDR	0x20, 0x01, 0x0d, 0xb8, 0, 0x77, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0
/* 2001:db8:f0:100:: and 2001:db8:f1:: */
#define PFX_OLD	0x20, 0x01, 0x0d, 0xb8, 0, 0xf0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0
#define PFX_NEW	0x20, 0x01, 0x0d, 0xb8, 0, 0xf1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0

/* A REPLY: IA_NA with one address, IA_PD with the old prefix withdrawn
 * (lifetimes 0, as a server answers a renewal of a prefix it no longer
 * has) and a new one, a DNS server. */
static const uint8_t reply[] = {
	7, 0x12, 0x34, 0x56,			/* REPLY, xid */
	0, 3, 0, 40,				/* IA_NA */
	0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 30,	/* IAID 1, T1 3, T2 30 */
	0, 5, 0, 24, ADDR, 0, 0, 0, 40, 0, 0, 0, 60,
	0, 25, 0, 70,				/* IA_PD */
	0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 30,
	0, 26, 0, 25, 0, 0, 0, 0, 0, 0, 0, 0, 56, PFX_OLD,
	0, 26, 0, 25, 0, 0, 0, 40, 0, 0, 0, 60, 56, PFX_NEW,
	0, 23, 0, 16, ADDR,			/* DNS */
};

static void
test_lease6(void **state)
{
	struct dhcp_lease6	l;
	char			err[128];

	(void)state;
	assert_int_equal(dhcp_lease6_parse(reply, sizeof(reply), &l, err,
	    sizeof(err)), 0);
	assert_string_equal(l.l6_addr, "2001:db8:77::100");
	assert_int_equal(l.l6_apref, 40);
	assert_int_equal(l.l6_avalid, 60);
	/* The withdrawn prefix is skipped, the new one taken. */
	assert_string_equal(l.l6_prefix, "2001:db8:f1::");
	assert_int_equal(l.l6_plen, 56);
	assert_int_equal(l.l6_pvalid, 60);
	assert_int_equal(l.l6_t1, 3);
	assert_int_equal(l.l6_ndns, 1);
	l.l6_start = 1000;
	assert_true(dhcp_lease6_valid(&l, 1, 1059));
	assert_false(dhcp_lease6_valid(&l, 1, 1060));
	assert_true(dhcp_lease6_valid(&l, 0, 1000));
}

static void
test_lease6_refused(void **state)
{
	struct dhcp_lease6	l;
	uint8_t			buf[sizeof(reply)];
	char			err[128];
	static const uint8_t	nopd[] = {
		7, 0, 0, 1,
		0, 25, 0, 18, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 13, 0, 2, 0, 6,		/* NoPrefixAvail */
	};

	(void)state;
	memcpy(buf, reply, sizeof(buf));
	buf[0] = 2;				/* an ADVERTISE */
	assert_int_equal(dhcp_lease6_parse(buf, sizeof(buf), &l, err,
	    sizeof(err)), -1);
	/* Cut inside the IA_NA: its length runs past the end. */
	assert_int_equal(dhcp_lease6_parse(reply, 30, &l, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "past the end"));
	assert_int_equal(dhcp_lease6_parse(nopd, sizeof(nopd), &l, err,
	    sizeof(err)), -1);
	/* A /65 cannot hold a LAN: no prefix taken. */
	memcpy(buf, reply, sizeof(buf));
	buf[4 + 44 + 4 + 12 + 29 + 4 + 8] = 65;
	assert_int_equal(dhcp_lease6_parse(buf, sizeof(buf), &l, err,
	    sizeof(err)), 0);
	assert_string_equal(l.l6_prefix, "");
}

static void
test_subnet(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(track6_subnet("2001:db8:f0::", 56, 5, out,
	    sizeof(out)), 0);
	assert_string_equal(out, "2001:db8:f0:5::");
	assert_int_equal(track6_subnet("2001:db8:f0:100::", 56, 255, out,
	    sizeof(out)), 0);
	assert_string_equal(out, "2001:db8:f0:1ff::");
	/* A /56 holds ids 0-255. */
	assert_int_equal(track6_subnet("2001:db8:f0::", 56, 256, out,
	    sizeof(out)), -1);
	assert_int_equal(track6_subnet("2001:db8::", 48, 0x1234, out,
	    sizeof(out)), 0);
	assert_string_equal(out, "2001:db8:0:1234::");
	/* A /60's 16 ids, the bits below it kept clear of the prefix. */
	assert_int_equal(track6_subnet("2001:db8:1:20::", 60, 15, out,
	    sizeof(out)), 0);
	assert_string_equal(out, "2001:db8:1:2f::");
	assert_int_equal(track6_subnet("2001:db8:1:20::", 60, 16, out,
	    sizeof(out)), -1);
	/* A /64 delegated: only id 0; host bits of the prefix cleared. */
	assert_int_equal(track6_subnet("2001:db8:1:2::99", 64, 0, out,
	    sizeof(out)), 0);
	assert_string_equal(out, "2001:db8:1:2::");
	assert_int_equal(track6_subnet("2001:db8:1:2::", 64, 1, out,
	    sizeof(out)), -1);
	assert_int_equal(track6_subnet("2001:db8::", 65, 0, out,
	    sizeof(out)), -1);
	assert_int_equal(track6_subnet("10.0.0.0", 56, 0, out,
	    sizeof(out)), -1);
}

/* radvd's own check of a configuration, when radvd is installed. */
static void
radvd_accepts(const char *conf)
{
	char	path[] = "/tmp/tw-radvd.XXXXXX", *cmd;
	FILE	*f;
	int	 fd;

	if (access("/usr/sbin/radvd", X_OK) != 0)
		return;
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	fputs(conf, f);
	fclose(f);
	cmd = xasprintf("/usr/sbin/radvd -c -C %s >/dev/null 2>&1", path);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	unlink(path);
}

static void
test_radvd_conf(void **state)
{
	struct track6_lan	 lan;
	static const char *const hostile[] = { "lan0;", "lan0 {", "a b",
	    "lan0\n", "-lan", "", "lan0}", "lan\"0", "sixteen-chars-xx",
	    NULL };
	char			*c;
	int			 i;

	(void)state;
	memset(&lan, 0, sizeof(lan));
	strcpy(lan.t_dev, "lan0");
	strcpy(lan.t_prefix, "2001:db8:f1:5::");
	lan.t_pref = 40;
	lan.t_valid = 60;
	strcpy(lan.t_old, "2001:db8:f0:5::");
	lan.t_old_valid = 7200;
	strcpy(lan.t_rdnss[0], "2001:db8:77::53");
	lan.t_nrdnss = 1;
	c = track6_radvd_conf(&lan, 1);
	assert_non_null(c);
	assert_non_null(strstr(c, "interface lan0 {\n"));
	assert_non_null(strstr(c, "\tprefix 2001:db8:f1:5::/64 {\n"
	    "\t\tAdvOnLink on;\n\t\tAdvAutonomous on;\n"
	    "\t\tAdvPreferredLifetime 40;\n\t\tAdvValidLifetime 60;\n"));
	/* The old /64 deprecated: preferred 0 (RFC 4862 5.5.3). */
	assert_non_null(strstr(c, "\tprefix 2001:db8:f0:5::/64 {\n"
	    "\t\tAdvOnLink on;\n\t\tAdvAutonomous on;\n"
	    "\t\tAdvPreferredLifetime 0;\n\t\tAdvValidLifetime 7200;\n"));
	assert_non_null(strstr(c, "\tRDNSS 2001:db8:77::53 {\n\t};\n"));
	assert_non_null(strstr(c, "AdvDefaultLifetime 1800;"));
	radvd_accepts(c);
	free(c);
	/* Only the deprecated prefix left: the router lifetime is 0. */
	lan.t_prefix[0] = '\0';
	c = track6_radvd_conf(&lan, 1);
	assert_non_null(strstr(c, "AdvDefaultLifetime 0;"));
	free(c);
	for (i = 0; hostile[i] != NULL; i++) {
		memset(lan.t_dev, 0, sizeof(lan.t_dev));
		memcpy(lan.t_dev, hostile[i], strlen(hostile[i]) <
		    sizeof(lan.t_dev) ? strlen(hostile[i]) :
		    sizeof(lan.t_dev) - 1);
		if (strlen(hostile[i]) >= sizeof(lan.t_dev))
			continue;	/* cannot even be held */
		assert_null(track6_radvd_conf(&lan, 1));
	}
	strcpy(lan.t_dev, "lan0");
	/* An address not as inet_ntop writes it is refused too. */
	strcpy(lan.t_prefix, "2001:db8::/64 { };\ninterface x");
	assert_null(track6_radvd_conf(&lan, 1));
	strcpy(lan.t_prefix, "2001:DB8::");
	assert_null(track6_radvd_conf(&lan, 1));
	strcpy(lan.t_prefix, "2001:db8::");
	strcpy(lan.t_rdnss[0], "2001:db8::1; };");
	assert_null(track6_radvd_conf(&lan, 1));
}

static void
test_lease_dns(void **state)
{
	struct sysconf	 sc;
	char		*t;

	(void)state;
	memset(&sc, 0, sizeof(sc));
	strcpy(sc.sc_dns[0], "192.0.2.53");
	sc.sc_ndns = 1;
	strcpy(sc.sc_lease_dns[0], "10.77.0.53");
	strcpy(sc.sc_lease_dns[1], "192.0.2.53");	/* configured: once */
	strcpy(sc.sc_lease_dns[2], "2001:db8:77::53");
	strcpy(sc.sc_lease_dns[3], "10.0.0.1\nsearch evil");
	sc.sc_nlease = 4;
	/* Without dnsallowoverride the leases are not used. */
	t = sysconf_resolv(&sc);
	assert_null(strstr(t, "10.77.0.53"));
	free(t);
	sc.sc_override = 1;
	t = sysconf_resolv(&sc);
	assert_non_null(strstr(t, "nameserver 192.0.2.53\n"
	    "nameserver 10.77.0.53\nnameserver 2001:db8:77::53\n"));
	assert_null(strstr(t, "evil"));
	/* A configured server leased too is written once. */
	assert_null(strstr(strstr(t, "192.0.2.53") + 1, "192.0.2.53"));
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lease6),
		cmocka_unit_test(test_lease6_refused),
		cmocka_unit_test(test_subnet),
		cmocka_unit_test(test_radvd_conf),
		cmocka_unit_test(test_lease_dns),
	};

	return cmocka_run_group_tests_name("track6", tests, NULL, NULL);
}
