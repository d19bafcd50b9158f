/*
 * test_statesync.c — the conntrackd.conf renderer: golden files, purity,
 * the snapshots it must refuse, and the real conntrackd's parser on
 * every golden file (conntrackd -C FILE -s parses the file before it
 * looks for the daemon: "can't connect" means the syntax was accepted),
 * and which nopfsync ct mark bit is this node's and which the peer's.
 *
 * Cases are tests/render/cases_conntrackd/<name>.json; the expected
 * output is <name>.conf beside it. TW_REGEN=1 rewrites the goldens.
 * Run from the repository root (or set TW_SRCDIR).
 */
#include <sys/wait.h>

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "platform/platform.h"
#include "render/render.h"
#include "statesync/statesync.h"
#include "subsys.h"
#include "util.h"

#define CASEDIR	"tests/render/cases_conntrackd"

static char	casedir[1024];

static const struct conntrackd_paths test_paths = {
	.sp_lockfile = "/run/twinwall/rendered/conntrackd.lock",
	.sp_socket = "/run/twinwall/rendered/conntrackd.ctl",
};

static json_t *
case_load(const char *name)
{
	json_error_t	 jerr;
	char		*path = xasprintf("%s/%s.json", casedir, name);
	json_t		*snap = json_load_file(path, 0, &jerr);

	if (snap == NULL)
		fail_msg("%s: %s line %d", path, jerr.text, jerr.line);
	free(path);
	return snap;
}

/* A real conntrackd accepts the file's syntax (skipped without one). */
static void
conntrackd_parses(const char *path)
{
	char	*cmd, buf[4096];
	FILE	*p;
	size_t	 n;

	if (access("/usr/sbin/conntrackd", X_OK) != 0)
		return;
	cmd = xasprintf("/usr/sbin/conntrackd -C '%s' -s 2>&1", path);
	if ((p = popen(cmd, "r")) == NULL)
		fail_msg("popen");
	n = fread(buf, 1, sizeof(buf) - 1, p);
	buf[n] = '\0';
	pclose(p);
	free(cmd);
	if (strstr(buf, "parsing") != NULL || strstr(buf, "can't connect") ==
	    NULL)
		fail_msg("conntrackd rejects %s: %s", path, buf);
}

static void
test_case(void **state)
{
	const char	*name = *state, *regen = getenv("TW_REGEN");
	json_t		*snap = case_load(name);
	char		 err[256], *got, *again, *want, *path;
	size_t		 len;

	if ((got = conntrackd_render(snap, &test_paths, err,
	    sizeof(err))) == NULL)
		fail_msg("%s: %s", name, err);
	again = conntrackd_render(snap, &test_paths, err, sizeof(err));
	assert_non_null(again);
	assert_string_equal(got, again);	/* pure */
	path = xasprintf("%s/%s.conf", casedir, name);
	if (regen != NULL && strcmp(regen, "1") == 0)
		assert_int_equal(util_write_file(path, got, strlen(got),
		    0644), 0);
	if ((want = util_read_file(path, &len, 1 << 20)) == NULL)
		fail_msg("%s missing (TW_REGEN=1 writes it)", path);
	if (strcmp(want, got) != 0)
		fail_msg("%s differs from the rendered output (TW_REGEN=1 "
		    "rewrites it)", path);
	conntrackd_parses(path);
	free(want);
	free(path);
	free(got);
	free(again);
	json_decref(snap);
}

static json_t *
seed(void)
{
	return case_load("ha_seed");
}

static json_t *
section_row(json_t *snap, const char *sec, const char *name)
{
	json_t	*s = json_object_get(json_object_get(snap, "sections"), sec);
	json_t	*row;
	size_t	 i;

	if (name == NULL)
		return s;
	json_array_foreach(s, i, row)
		if (strcmp(json_string_value(json_object_get(row, "name")),
		    name) == 0)
			return row;
	fail_msg("no %s %s", sec, name);
	return NULL;
}

static void
set(json_t *row, const char *field, const char *val)
{
	assert_int_equal(json_object_set_new(row, field, json_string(val)), 0);
}

/* Renders snap and expects a failure whose message holds want. */
static void
refused(json_t *snap, const struct conntrackd_paths *sp, const char *want)
{
	char	 err[256], *got;

	err[0] = '\0';
	got = conntrackd_render(snap, sp, err, sizeof(err));
	if (got != NULL)
		fail_msg("rendered, expected a failure with \"%s\"", want);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err, want);
	json_decref(snap);
}

static void
test_refusals(void **state)
{
	struct conntrackd_paths	 sp = test_paths;
	json_t			*s;
	char			 longp[200];

	(void)state;
	s = seed();
	set(section_row(s, "hasync", NULL), "pfsyncenabled", "0");
	refused(s, &test_paths, "disabled");

	s = seed();
	set(section_row(s, "interfaces", "opt1"), "ipaddr", "dhcp");
	refused(s, &test_paths, "static IPv4");

	s = seed();
	set(section_row(s, "interfaces", "opt1"), "device", "");
	refused(s, &test_paths, "no device");

	s = seed();
	set(section_row(s, "interfaces", "opt1"), "device", "eth0\n}");
	refused(s, &test_paths, "unsafe device");

	s = seed();
	set(section_row(s, "hasync", NULL), "pfsyncinterface", "nosuch");
	refused(s, &test_paths, "names no interface");

	s = seed();
	set(section_row(s, "hasync", NULL), "pfsyncpeerip", "11.11.0.2 #");
	refused(s, &test_paths, "pfsyncpeerip");

	/* The socket path must fit sun_path, tokens must stay tokens. */
	memset(longp, 'a', sizeof(longp));
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	sp.sp_socket = longp;
	refused(seed(), &sp, "path");
	sp = test_paths;
	sp.sp_lockfile = "/run/a b";
	refused(seed(), &sp, "path");
	sp.sp_lockfile = "relative.lock";
	refused(seed(), &sp, "path");
	refused(seed(), NULL, "path");
}

/* What the seed's fw1 must get, line by line. */
static void
test_seed_content(void **state)
{
	json_t	*s = seed();
	char	 err[256], *got;

	(void)state;
	got = conntrackd_render(s, &test_paths, err, sizeof(err));
	assert_non_null(got);
	assert_non_null(strstr(got, "\t\tIPv4_address 11.11.0.1\n"));
	assert_non_null(strstr(got, "IPv4_Destination_Address 11.11.0.2\n"));
	assert_non_null(strstr(got, "\t\tInterface sync0\n"));
	assert_non_null(strstr(got, "\t\tPort 3780\n"));
	assert_non_null(strstr(got, "Mode FTFW"));
	assert_non_null(strstr(got, "DisableExternalCache Off"));
	/* Local traffic is ignored: node addresses and both VIPs. */
	assert_non_null(strstr(got, "IPv4_address 192.168.147.231 # lan"));
	assert_non_null(strstr(got, "IPv4_address 192.168.148.231 # wan"));
	assert_non_null(strstr(got, "IPv4_address 192.168.147.230 # vip"));
	assert_non_null(strstr(got, "IPv4_address 192.168.148.230 # vip"));
	assert_non_null(strstr(got, "Path /run/twinwall/rendered/"
	    "conntrackd.ctl\n"));
	free(got);
	json_decref(s);
}

/* The node's nopfsync bit and the peer's for a sync pair (mine, peer). */
static void
nosync_pair(const char *mine, const char *mine6, const char *peer,
    uint32_t want)
{
	json_t	*s = seed();

	set(section_row(s, "interfaces", "opt1"), "ipaddr", mine);
	set(section_row(s, "interfaces", "opt1"), "ipaddrv6", mine6);
	set(section_row(s, "hasync", NULL), "pfsyncpeerip", peer);
	if (render_nosync_mark(s) != want)
		fail_msg("%s/%s vs %s: own bit 0x%08x, want 0x%08x", mine,
		    mine6, peer, render_nosync_mark(s), want);
	assert_int_equal(conntrackd_peer_mark(s), TW_CTMARK_NOSYNC & ~want);
	json_decref(s);
}

static void
test_nosync_mark(void **state)
{
	const uint32_t lo = TW_CTMARK_NOSYNC_LOW, hi = TW_CTMARK_NOSYNC_HIGH;
	json_t	*s;

	(void)state;
	/* The seed: fw1 11.11.0.1 with peer 11.11.0.2, and the reverse. */
	s = seed();
	assert_int_equal(render_nosync_mark(s), lo);
	assert_int_equal(conntrackd_peer_mark(s), hi);
	json_decref(s);
	nosync_pair("11.11.0.2", "none", "11.11.0.1", hi);
	/* As addresses, not strings: .10 is above .9. */
	nosync_pair("10.0.0.10", "none", "10.0.0.9", hi);
	nosync_pair("10.0.0.9", "none", "10.0.0.10", lo);
	nosync_pair("9.255.255.255", "none", "10.0.0.0", lo);
	/* An IPv6 peer is compared with the interface's IPv6 address. */
	nosync_pair("11.11.0.9", "fd00::10", "fd00::9", hi);
	nosync_pair("11.11.0.9", "fd00::9", "fd00::a", lo);
	/* Nothing to compare: the first bit, whatever else is set. */
	nosync_pair("dhcp", "none", "11.11.0.1", lo);
	nosync_pair("11.11.0.2", "none", "", lo);
	nosync_pair("11.11.0.2", "none", "not-an-address", lo);
	nosync_pair("11.11.0.2", "none", "fd00::1", lo);
	nosync_pair("11.11.0.2", "none", "11.11.0.2", lo);
	s = seed();
	set(section_row(s, "hasync", NULL), "pfsyncinterface", "");
	assert_int_equal(render_nosync_mark(s), lo);
	json_object_del(json_object_get(s, "sections"), "hasync");
	assert_int_equal(render_nosync_mark(s), lo);
	assert_int_equal(conntrackd_peer_mark(s), hi);
	json_decref(s);
	assert_int_equal(render_nosync_mark(NULL), lo);
	/* State sync switched off keeps the node's bit. */
	s = seed();
	set(section_row(s, "interfaces", "opt1"), "ipaddr", "11.11.0.2");
	set(section_row(s, "hasync", NULL), "pfsyncpeerip", "11.11.0.1");
	set(section_row(s, "hasync", NULL), "pfsyncenabled", "0");
	assert_int_equal(render_nosync_mark(s), hi);
	json_decref(s);
}

/* The file a dry node rendered into dir: a new string. */
static char *
rendered(const char *dir)
{
	char	*path = xasprintf("%s/rendered/%s", dir, STATESYNC_CONF);
	char	*text = NULL;
	size_t	 len;
	FILE	*f;

	if ((f = fopen(path, "r")) == NULL)
		fail_msg("%s: not rendered", path);
	text = xcalloc(1, 65536);
	len = fread(text, 1, 65535, f);
	text[len] = '\0';
	fclose(f);
	free(path);
	return text;
}

/*
 * A VIP apply re-renders conntrackd's Address Ignore list: the subsystem
 * is named by the one table (subsys.h), "vip", where statesync once
 * looked for "vips" and never saw a VIP change.
 */
static void
test_vip_apply_rerenders(void **state)
{
	char		 tmpl[] = "/tmp/twtest.XXXXXX", err[256], *text;
	const struct platform *dry = platform_get("dry");
	json_t		*s, *vip, *subsys;

	(void)state;
	assert_non_null(mkdtemp(tmpl));
	assert_int_equal(dry->p_init(tmpl), 0);
	assert_int_equal(statesync_init(tmpl, "dry"), 0);
	s = seed();
	assert_int_equal(statesync_apply(s, NULL, err, sizeof(err)), 0);
	text = rendered(tmpl);
	assert_null(strstr(text, "192.168.147.77"));
	free(text);
	vip = json_array_get(section_row(s, "vips", NULL), 0);
	assert_non_null(vip);
	set(vip, "subnet", "192.168.147.77");
	subsys = json_pack("[s]", subsys_name(SUBSYS_VIP));
	assert_int_equal(statesync_apply(s, subsys, err, sizeof(err)), 0);
	text = rendered(tmpl);
	assert_non_null(strstr(text, "192.168.147.77"));
	free(text);
	json_decref(subsys);
	json_decref(s);
	statesync_shutdown();
	dry->p_shutdown();
}

static int
case_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 5 && strcmp(d->d_name + n - 5, ".json") == 0;
}

int
main(void)
{
	struct CMUnitTest	*tests;
	struct dirent		**ents;
	const char		*src = getenv("TW_SRCDIR");
	char			**names;
	int			 n, i, k = 0, rc;

	snprintf(casedir, sizeof(casedir), "%s/%s", src ? src : ".", CASEDIR);
	if ((n = scandir(casedir, &ents, case_filter, alphasort)) < 0) {
		fprintf(stderr, "%s: cannot read\n", casedir);
		return 1;
	}
	tests = xcalloc((size_t)n + 5, sizeof(*tests));
	names = xcalloc((size_t)n + 1, sizeof(*names));
	for (i = 0; i < n; i++) {
		names[i] = xstrdup(ents[i]->d_name);
		names[i][strlen(names[i]) - 5] = '\0';
		tests[k].name = names[i];
		tests[k].test_func = test_case;
		tests[k++].initial_state = names[i];
		free(ents[i]);
	}
	free(ents);
	tests[k].name = "refusals";
	tests[k++].test_func = test_refusals;
	tests[k].name = "seed_content";
	tests[k++].test_func = test_seed_content;
	tests[k].name = "nosync_mark";
	tests[k++].test_func = test_nosync_mark;
	tests[k].name = "vip_apply_rerenders";
	tests[k++].test_func = test_vip_apply_rerenders;
	rc = _cmocka_run_group_tests("statesync", tests, (size_t)k, NULL,
	    NULL);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(tests);
	return rc;
}
