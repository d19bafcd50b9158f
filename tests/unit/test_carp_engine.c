/*
 * test_carp_engine.c — the engine glue in its simulated mode (the same
 * FSM, no sockets) with a test clock: snapshot -> VHID configuration,
 * reconfiguration keeping unchanged VHIDs' state, the simulated statuses
 * (MASTER, disable, maintenance), maintenance restored across an engine
 * restart from the same kv input, the timeline and the request shapes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "carp/engine.h"
#include "carp/engine_int.h"
#include "config/config.h"

static double	test_clock_now;

static double
test_clock(void)
{
	return test_clock_now;
}

/* Advances the test clock by secs in 10 ms steps, running timers. */
static void
advance(double secs)
{
	double end = test_clock_now + secs;

	while (test_clock_now < end) {
		test_clock_now += 0.01;
		carp_engine_run();
	}
}

/* A snapshot: lan + wan, CARP VIPs 5 (lan) and 6 (wan), an alias. */
static json_t *
snapshot(int skew5, const char *pass5, int with_alias)
{
	json_t *vips = json_pack("[{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s},"
	    "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}]",
	    "uuid", "u5", "mode", "carp", "interface", "lan", "subnet",
	    "192.168.1.10", "subnet_bits", "24", "vhid", "5", "advbase", "1",
	    "advskew", skew5 ? "100" : "0", "password", pass5,
	    "uuid", "u6", "mode", "carp", "interface", "wan", "subnet",
	    "10.0.0.10", "subnet_bits", "24", "vhid", "6", "advbase", "1",
	    "advskew", "0", "password", "other");

	if (with_alias)
		json_array_append_new(vips, json_pack("{s:s,s:s,s:s,s:s,s:s,"
		    "s:s}", "uuid", "u7", "mode", "ipalias", "interface", "lan",
		    "subnet", "192.168.1.11", "subnet_bits", "24", "vhid", "5"));
	return json_pack("{s:i,s:{s:o,s:[{s:s,s:s,s:s,s:s},{s:s,s:s,s:s,"
	    "s:s}],s:{s:s}}}", "format", 1, "sections", "vips", vips,
	    "interfaces", "name", "lan", "device", "", "ipaddr", "192.168.1.1",
	    "subnet", "24", "name", "wan", "device", "", "ipaddr", "10.0.0.1",
	    "subnet", "24", "hasync", "disablepreempt", "0");
}

/* Status of vhid in a carp_status answer ("" when absent). */
static const char *
status_of(json_t *ans, int vhid)
{
	json_t	*v;
	size_t	 i;

	json_array_foreach(json_object_get(ans, "vips"), i, v)
		if (json_integer_value(json_object_get(v, "vhid")) == vhid)
			return cfg_str(v, "status");
	return "";
}

static json_t *
status(void)
{
	json_t *req = json_pack("{s:s}", "type", "carp_status");
	json_t *ans = carp_engine_req_status(req);

	json_decref(req);
	assert_string_equal(cfg_str(ans, "status"), "ok");
	return ans;
}

static void
expect(int vhid, const char *want)
{
	json_t *ans = status();

	assert_string_equal(status_of(ans, vhid), want);
	json_decref(ans);
}

static int
setup(void **state)
{
	(void)state;
	test_clock_now = 1000;
	carp_engine_set_clock(test_clock);
	assert_int_equal(carp_engine_init(0), 0);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	carp_engine_shutdown();
	carp_engine_set_clock(NULL);
	return 0;
}

static void
test_snapshot_to_vhids(void **state)
{
	struct carp_engine_conf	*cf;
	json_t			*snap = snapshot(0, "secret", 1), *bad;
	char			 err[256];

	(void)state;
	cf = carp_engine_conf_new(snap, err, sizeof(err));
	assert_non_null(cf);
	assert_int_equal(cf->cf_nvhids, 2);
	assert_int_equal(cf->cf_vhids[0]->ev_vhid, 5);
	assert_string_equal(cf->cf_vhids[0]->ev_iface, "lan");
	/* The alias is hashed with vhid 5 and listed under it. */
	assert_int_equal(cf->cf_vhids[0]->ev_nvips, 2);
	assert_int_equal(cf->cf_vhids[0]->ev_vconf.vc_nvip4, 2);
	assert_int_equal(cf->cf_vhids[0]->ev_vconf.vc_keylen, 6);
	assert_memory_equal(cf->cf_vhids[0]->ev_vconf.vc_key, "secret", 6);
	assert_int_equal(cf->cf_vhids[1]->ev_vhid, 6);
	assert_int_equal(cf->cf_preempt, 1);
	carp_engine_conf_free(cf);
	/* The password is wiped once nothing needs it. */
	carp_engine_wipe_secrets(snap);
	assert_int_equal(cfg_str(json_array_get(json_object_get(
	    json_object_get(snap, "sections"), "vips"), 0), "password")[0], 0);
	json_decref(snap);

	/* A duplicate vhid and a 20-character password are refused. */
	bad = snapshot(0, "01234567890123456789", 0);
	assert_null(carp_engine_conf_new(bad, err, sizeof(err)));
	assert_non_null(strstr(err, "password"));
	json_decref(bad);
	bad = snapshot(0, "x", 0);
	json_object_set_new(json_array_get(json_object_get(json_object_get(
	    bad, "sections"), "vips"), 1), "vhid", json_string("5"));
	assert_null(carp_engine_conf_new(bad, err, sizeof(err)));
	assert_non_null(strstr(err, "vhid 5"));
	json_decref(bad);
}

static void
test_dry_statuses(void **state)
{
	json_t	*snap = snapshot(0, "secret", 1), *ans, *req;
	char	 err[256];

	(void)state;
	assert_int_equal(carp_engine_configure(snap, err, sizeof(err)), 0);
	json_decref(snap);
	expect(5, "BACKUP");
	/* A lone node: master-down = 3 x 1 + 0/256 s. */
	advance(2.9);
	expect(5, "BACKUP");
	advance(0.2);
	expect(5, "MASTER");
	expect(6, "MASTER");

	/* Temporary disable: handed to the simulated peer at once. */
	assert_int_equal(carp_engine_set_disabled(1), 0);
	expect(5, "DISABLED");
	expect(6, "DISABLED");
	ans = status();
	assert_false(json_is_true(json_object_get(json_object_get(ans, "carp"),
	    "allow")));
	json_decref(ans);
	/* Enable: BACKUP, then preempts the peer's slower adverts. */
	assert_int_equal(carp_engine_set_disabled(0), 0);
	expect(5, "BACKUP");
	advance(2.0);
	expect(5, "MASTER");
	expect(6, "MASTER");

	/* Maintenance through the request table. */
	req = json_pack("{s:s,s:s,s:b}", "type", "carp_set", "action",
	    "maintenance", "on", 1);
	ans = carp_engine_req_set(req);
	json_decref(req);
	assert_string_equal(cfg_str(ans, "status"), "ok");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
	    ans, "carp"), "demotion")), CARP_DEMOTE_MAINT);
	json_decref(ans);
	expect(5, "BACKUP");
	expect(6, "BACKUP");
	advance(10);
	expect(5, "BACKUP");		/* stays: the peer holds them */

	/* External demotion (state sync) adds to the node's demotion. */
	assert_int_equal(carp_engine_demote_external(100), 0);
	ans = status();
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
	    ans, "carp"), "demotion")), CARP_DEMOTE_MAINT + 100);
	json_decref(ans);
	assert_int_equal(carp_engine_demote_external(0), 0);
	assert_int_equal(carp_engine_set_maintenance(0), 0);
	advance(2.0);
	expect(5, "MASTER");
	expect(6, "MASTER");
}

/* Number of timeline entries for vhid. */
static int
transitions(int vhid)
{
	json_t	*req = json_pack("{s:s,s:i}", "type", "timeline", "limit", 1000);
	json_t	*ans = carp_engine_req_timeline(req), *e;
	size_t	 i;
	int	 n = 0;

	json_array_foreach(json_object_get(ans, "timeline"), i, e)
		if (json_integer_value(json_object_get(e, "vhid")) == vhid)
			n++;
	json_decref(req);
	json_decref(ans);
	return n;
}

static void
test_reconfigure_keeps_state(void **state)
{
	json_t	*snap = snapshot(0, "secret", 0), *req, *ans, *e;
	char	 err[256];
	int	 n5, n6;

	(void)state;
	assert_int_equal(carp_engine_configure(snap, err, sizeof(err)), 0);
	json_decref(snap);
	advance(3.5);
	expect(5, "MASTER");
	n5 = transitions(5);
	n6 = transitions(6);

	/* Same again, plus an alias on 5: 6 keeps its state, 5 restarts. */
	snap = snapshot(0, "secret", 1);
	assert_int_equal(carp_engine_configure(snap, err, sizeof(err)), 0);
	json_decref(snap);
	assert_int_equal(transitions(6), n6);
	expect(6, "MASTER");
	expect(5, "BACKUP");
	assert_true(transitions(5) > n5);

	/* advskew changes in place: no transition at all. */
	advance(3.5);
	n5 = transitions(5);
	snap = snapshot(1, "secret", 1);
	assert_int_equal(carp_engine_configure(snap, err, sizeof(err)), 0);
	json_decref(snap);
	assert_int_equal(transitions(5), n5);
	ans = status();
	assert_string_equal(status_of(ans, 5), "MASTER");
	json_decref(ans);

	/* A new password is a new VHID; removing 6 logs its cause. */
	snap = snapshot(1, "changed", 1);
	json_array_remove(json_object_get(json_object_get(snap, "sections"),
	    "vips"), 1);
	assert_int_equal(carp_engine_configure(snap, err, sizeof(err)), 0);
	json_decref(snap);
	expect(6, "");
	expect(5, "BACKUP");
	req = json_pack("{s:s,s:i}", "type", "timeline", "limit", 2);
	ans = carp_engine_req_timeline(req);
	assert_int_equal(json_array_size(json_object_get(ans, "timeline")), 2);
	e = json_array_get(json_object_get(ans, "timeline"), 1);
	assert_non_null(e);
	json_decref(ans);
	json_decref(req);
	assert_true(transitions(6) > n6);
}

/* The parent at start: maintenance from the store's kv, then the VIPs. */
static void
boot(const char *kv)
{
	json_t	*snap = snapshot(0, "secret", 0), *req, *ans;

	req = json_pack("{s:s,s:b,s:o}", "type", "carp_config",
	    "maintenance", kv != NULL && strcmp(kv, "1") == 0,
	    "snapshot", snap);
	ans = carp_engine_req_config(req);
	assert_string_equal(cfg_str(ans, "status"), "ok");
	json_decref(ans);
	json_decref(req);
}

static void
test_maintenance_across_restart(void **state)
{
	json_t *ans;

	(void)state;
	boot("1");
	advance(8);
	expect(5, "BACKUP");		/* demoted from the first advert */
	carp_engine_shutdown();

	/* Restart: the same kv input gives the same demoted node. */
	assert_int_equal(carp_engine_init(0), 0);
	boot("1");
	ans = status();
	assert_true(json_is_true(json_object_get(json_object_get(ans, "carp"),
	    "maintenance")));
	json_decref(ans);
	advance(8);
	expect(5, "BACKUP");
	expect(6, "BACKUP");
	carp_engine_shutdown();

	/* And with maintenance off in the kv, MASTER after master-down. */
	assert_int_equal(carp_engine_init(0), 0);
	boot("0");
	advance(3.5);
	expect(5, "MASTER");
}

static void
test_wants(void **state)
{
	json_t *s;

	(void)state;
	assert_true(carp_engine_wants(NULL));
	s = json_pack("[s]", "filter");
	assert_false(carp_engine_wants(s));
	json_array_append_new(s, json_string("vip"));
	assert_true(carp_engine_wants(s));
	json_decref(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_snapshot_to_vhids, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_dry_statuses, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reconfigure_keeps_state,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_maintenance_across_restart,
		    setup, teardown),
		cmocka_unit_test(test_wants),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
