/*
 * test_platform.c — driver lookup, the dry driver's output and its
 * all-or-nothing apply, the freebsd driver's honest refusal, and the
 * daemon's listen-address helpers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/config.h"
#include "daemon.h"
#include "platform/platform.h"
#include "store.h"
#include "testutil.h"
#include "util.h"

static char *
read_rendered(const char *dir, const char *name)
{
	char	*path = xasprintf("%s/rendered/%s", dir, name);
	char	*text = util_read_file(path, NULL, 0);

	free(path);
	return text;
}

/* A fresh store's snapshot (factory defaults, rows with uuids). */
static json_t *
factory_snapshot(const char *dir)
{
	struct store	*st;
	json_t		*snap;
	char		 err[256];

	if ((st = store_open(dir, err, sizeof(err))) == NULL)
		fail_msg("store_open: %s", err);
	snap = cfg_snapshot(st, NULL, 1);
	store_close(st);
	assert_non_null(snap);
	return snap;
}

static int
rendered_mode(const char *dir, const char *name)
{
	char		*path = xasprintf("%s/rendered/%s", dir, name);
	struct stat	 sb;
	int		 mode = -1;

	if (stat(path, &sb) == 0)
		mode = (int)(sb.st_mode & 07777);
	free(path);
	return mode;
}

static void
test_platform_get(void **state)
{
	(void)state;
	assert_ptr_equal(platform_get("dry"), &platform_dry);
	assert_ptr_equal(platform_get("linux"), &platform_linux);
	assert_ptr_equal(platform_get("freebsd"), &platform_freebsd);
	assert_null(platform_get("openbsd"));
	assert_null(platform_get(""));
	assert_null(platform_get(NULL));
}

static void
test_dry_apply(void **state)
{
	const struct platform	*p = &platform_dry;
	char			*dir = tu_tmpdir(), *nft, *nft2, *log, err[512];
	json_t			*snap, *bad, *subsys;

	(void)state;
	assert_non_null(dir);
	assert_int_equal(p->p_init(dir), 0);
	snap = factory_snapshot(dir);
	subsys = json_pack("[s,s]", "filter", "nat");
	if (p->p_apply(snap, subsys, err, sizeof(err)) != 0)
		fail_msg("apply: %s", err);
	nft = read_rendered(dir, "twinwall.nft");
	assert_non_null(nft);
	assert_non_null(strstr(nft, "table inet twinwall"));
	assert_int_equal(rendered_mode(dir, "snapshot.json"), 0600);
	assert_int_equal(rendered_mode(dir, "twinwall.nft"), 0644);
	assert_int_equal(rendered_mode(dir, "pf.conf"), 0644);
	log = read_rendered(dir, "actions.log");
	assert_non_null(strstr(log, "dry: apply filter,nat: done"));
	free(log);

	/* A snapshot the renderer refuses changes nothing on disk. */
	bad = json_deep_copy(snap);
	json_object_set_new(json_array_get(json_object_get(json_object_get(bad,
	    "sections"), "filter_rules"), 0), "interface",
	    json_string("nosuch"));
	err[0] = '\0';
	assert_int_equal(p->p_apply(bad, NULL, err, sizeof(err)), -1);
	assert_true(err[0] != '\0');
	nft2 = read_rendered(dir, "twinwall.nft");
	assert_string_equal(nft, nft2);
	log = read_rendered(dir, "actions.log");
	assert_non_null(strstr(log, "dry: apply all: failed"));

	p->p_shutdown();
	free(log);
	free(nft);
	free(nft2);
	json_decref(bad);
	json_decref(snap);
	json_decref(subsys);
	tu_rmdir(dir);
}

/* Addresses, routes and VIPs are described in actions.log. */
static void
test_dry_describes_host_changes(void **state)
{
	char	*dir = tu_tmpdir(), *log, err[512];
	json_t	*snap, *lan;

	(void)state;
	assert_int_equal(platform_dry.p_init(dir), 0);
	snap = factory_snapshot(dir);
	lan = json_array_get(json_object_get(json_object_get(snap, "sections"),
	    "interfaces"), 0);
	json_object_set_new(lan, "device", json_string("eth1"));
	assert_int_equal(platform_dry.p_apply(snap, NULL, err, sizeof(err)), 0);
	log = read_rendered(dir, "actions.log");
	assert_non_null(strstr(log, "dry: would set address 192.168.1.1/24 on "
	    "eth1 (lan)"));
	platform_dry.p_shutdown();
	free(log);
	json_decref(snap);
	tu_rmdir(dir);
}

static void
test_freebsd_renders_and_refuses(void **state)
{
	char	*dir = tu_tmpdir(), *pf, err[512];
	json_t	*snap = factory_snapshot(dir);

	(void)state;
	assert_int_equal(platform_freebsd.p_init(dir), 0);
	assert_int_equal(platform_freebsd.p_apply(snap, NULL, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "needs a FreeBSD host"));
	pf = read_rendered(dir, "pf.conf");
	assert_non_null(pf);
	assert_true(strlen(pf) > 0);
	platform_freebsd.p_shutdown();
	free(pf);
	json_decref(snap);
	tu_rmdir(dir);
}

static json_t *
system_row(json_t *snap)
{
	return json_object_get(json_object_get(snap, "sections"), "system");
}

/*
 * The parent checks the system settings again: a snapshot that slipped
 * a line or a path past the API writes nothing.
 */
static void
test_system_injection_refused(void **state)
{
	static const struct {
		const char	*field;
		const char	*value;
	} bad[] = {
		{ "hostname", "fw\nnameserver 203.0.113.6" },
		{ "hostname", "fw.example.org" },
		{ "hostname", "fw 1" },
		{ "domain", "lab.example\nsearch evil" },
		{ "domain", "lab example" },
		{ "dnsserver", "192.0.2.1\nnameserver 203.0.113.6" },
		{ "dnsserver", "192.0.2.1 options" },
		{ "dnsserver", "dns.example" },
		{ "timezone", "../../../etc/shadow" },
		{ "timezone", "Europe/Berlin\n" },
		{ "timezone", "/etc/passwd" },
	};
	char	*dir = tu_tmpdir(), *text, err[512];
	json_t	*snap, *one, *subsys;
	size_t	 i;

	(void)state;
	assert_int_equal(platform_dry.p_init(dir), 0);
	snap = factory_snapshot(dir);
	subsys = json_pack("[s]", "system");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		one = json_deep_copy(snap);
		json_object_set_new(system_row(one), "hostname",
		    json_string("fw1"));
		json_object_set_new(system_row(one), bad[i].field,
		    json_string(bad[i].value));
		err[0] = '\0';
		if (platform_dry.p_apply(one, subsys, err, sizeof(err)) != -1)
			fail_msg("%s=%s applied", bad[i].field, bad[i].value);
		if (strstr(err, bad[i].field) == NULL)
			fail_msg("%s: error \"%s\" does not name it",
			    bad[i].field, err);
		assert_null(read_rendered(dir, "hostname"));
		assert_null(read_rendered(dir, "resolv.conf"));
		json_decref(one);
	}
	/* The same snapshot with good values renders. */
	json_object_set_new(system_row(snap), "hostname", json_string("fw1"));
	json_object_set_new(system_row(snap), "dnsserver",
	    json_string("192.0.2.1,fe80::1%eth0"));
	assert_int_equal(platform_dry.p_apply(snap, subsys, err, sizeof(err)),
	    0);
	text = read_rendered(dir, "resolv.conf");
	assert_non_null(strstr(text, "\nnameserver 192.0.2.1\n"
	    "nameserver fe80::1%eth0\n"));
	assert_null(strstr(text, "search"));
	free(text);
	platform_dry.p_shutdown();
	json_decref(snap);
	json_decref(subsys);
	tu_rmdir(dir);
}

/* What FreeBSD would take: rc.conf's hostname line and resolv.conf. */
static void
test_freebsd_system(void **state)
{
	char	*dir = tu_tmpdir(), *text, err[512];
	json_t	*snap = factory_snapshot(dir), *subsys;

	(void)state;
	assert_int_equal(platform_freebsd.p_init(dir), 0);
	json_object_set_new(system_row(snap), "hostname", json_string("fw1"));
	json_object_set_new(system_row(snap), "domain",
	    json_string("example.org"));
	json_object_set_new(system_row(snap), "dnsserver",
	    json_string("192.0.2.53"));
	subsys = json_pack("[s]", "system");
	assert_int_equal(platform_freebsd.p_apply(snap, subsys, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "needs a FreeBSD host"));
	text = read_rendered(dir, "rc.conf.system");
	assert_string_equal(text, "hostname=\"fw1.example.org\"\n");
	free(text);
	text = read_rendered(dir, "resolv.conf");
	assert_string_equal(text, "# written by twinwall from system.dnsserver "
	    "and system.domain;\n# changes here are replaced at the next "
	    "apply\nsearch example.org\nnameserver 192.0.2.53\n");
	free(text);
	platform_freebsd.p_shutdown();
	json_decref(subsys);
	json_decref(snap);
	tu_rmdir(dir);
}

/* rendered/ swapped for a symlink is refused, not followed. */
static void
test_rendered_symlink_refused(void **state)
{
	char	*dir = tu_tmpdir(), *link, *target;

	(void)state;
	if (dir == NULL)
		abort();
	target = xasprintf("%s/elsewhere", dir);
	link = xasprintf("%s/rendered", dir);
	assert_int_equal(mkdir(target, 0755), 0);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(platform_dry.p_init(dir), -1);
	free(target);
	free(link);
	tu_rmdir(dir);
}

static void
test_listen_host(void **state)
{
	static const struct {
		const char	*in;
		const char	*host;		/* NULL: refused */
		int		 loopback;
	} cases[] = {
		{ "127.0.0.1:8443", "127.0.0.1", 1 },
		{ "127.1.2.3:80", "127.1.2.3", 1 },
		{ "[::1]:443", "::1", 1 },
		{ "localhost:8080", "localhost", 1 },
		{ "[::ffff:127.0.0.1]:80", "::ffff:127.0.0.1", 1 },
		{ ":443", "", 0 },
		{ "0.0.0.0:443", "0.0.0.0", 0 },
		{ "[::]:443", "::", 0 },
		{ "192.168.1.1:443", "192.168.1.1", 0 },
		{ "[fe80::1]:443", "fe80::1", 0 },
		{ "fw.example.org:443", "fw.example.org", 0 },
		{ "127.0.0.1", NULL, 0 },
		{ "[::1]443", NULL, 0 },
		{ "[::1", NULL, 0 },
		{ "", NULL, 0 },
	};
	char	host[256];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].host == NULL)
			assert_int_equal(daemon_listen_host(cases[i].in, host,
			    sizeof(host)), -1);
		else {
			assert_int_equal(daemon_listen_host(cases[i].in, host,
			    sizeof(host)), 0);
			assert_string_equal(host, cases[i].host);
		}
		if (daemon_listen_is_loopback(cases[i].in) != cases[i].loopback)
			fail_msg("loopback(%s) != %d", cases[i].in,
			    cases[i].loopback);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_platform_get),
		cmocka_unit_test(test_dry_apply),
		cmocka_unit_test(test_dry_describes_host_changes),
		cmocka_unit_test(test_freebsd_renders_and_refuses),
		cmocka_unit_test(test_system_injection_refused),
		cmocka_unit_test(test_freebsd_system),
		cmocka_unit_test(test_rendered_symlink_refused),
		cmocka_unit_test(test_listen_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
