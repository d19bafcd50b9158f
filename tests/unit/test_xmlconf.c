/*
 * test_xmlconf.c — config.xml import and export against real stores:
 * the fixtures of tests/xmlconf/ imported and read back field by field
 * through cfg_snapshot, export -> import -> export byte-identical, all or
 * nothing versus --partial, and what the report says.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "auth.h"
#include "config/config.h"
#include "store.h"
#include "testutil.h"
#include "util.h"
#include "xmlconf/xmlconf.h"

static char *
fixture_path(const char *name)
{
	const char *src = getenv("TW_SRCDIR");

	return xasprintf("%s/tests/xmlconf/%s", src && *src ? src : ".", name);
}

/* Imports a fixture; returns the rc, the report in *repp (or freed). */
static int
import_fixture(struct tu_fx *fx, const char *name, int flags, json_t **repp)
{
	char	*path = fixture_path(name);
	json_t	*rep = NULL;
	int	 rc;

	rc = xmlconf_import_file(&fx->ctx, path, flags, &rep);
	if (rc != 0 && repp == NULL) {
		char *t = xmlconf_report_text(rep);

		print_message("%s", t);
		free(t);
	}
	free(path);
	if (repp != NULL)
		*repp = rep;
	else
		json_decref(rep);
	return rc;
}

static void
hash_of(struct store *st, char out[65])
{
	json_t *s = cfg_snapshot(st, NULL, 1);

	assert_non_null(s);
	cfg_hash(s, out);
	json_decref(s);
}

/* The row of section whose field key is val, borrowed from snap. */
static json_t *
row_by(json_t *snap, const char *section, const char *key, const char *val)
{
	json_t	*rows = json_object_get(json_object_get(snap, "sections"),
		    section), *r;
	size_t	 i;

	if (json_is_object(rows))
		return rows;
	json_array_foreach(rows, i, r)
		if (strcmp(cfg_str(r, key), val) == 0)
			return r;
	fail_msg("no %s row with %s = %s", section, key, val);
	return NULL;
}

static size_t
count_rows(json_t *snap, const char *section)
{
	return json_array_size(json_object_get(json_object_get(snap,
	    "sections"), section));
}

struct want {
	const char	*w_section;
	const char	*w_key;		/* field that finds the row */
	const char	*w_keyval;
	const char	*w_field;
	const char	*w_value;
};

static void
check_wants(json_t *snap, const struct want *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		json_t *r = row_by(snap, w[i].w_section, w[i].w_key,
		    w[i].w_keyval);
		const char *got = cfg_str(r, w[i].w_field);

		if (strcmp(got, w[i].w_value) != 0)
			fail_msg("%s[%s=%s].%s: want \"%s\", got \"%s\"",
			    w[i].w_section, w[i].w_key, w[i].w_keyval,
			    w[i].w_field, w[i].w_value, got);
	}
}

static const struct want full_wants[] = {
	{ "system", "", "", "hostname", "fw-full" },
	{ "system", "", "", "domain", "example.org" },
	{ "system", "", "", "timezone", "Europe/Berlin" },
	{ "system", "", "", "language", "de_DE" },
	{ "system", "", "", "dnsserver", "9.9.9.9,2620:fe::fe" },
	{ "system", "", "", "webgui_protocol", "https" },
	{ "system", "", "", "webgui_port", "8443" },

	{ "interfaces", "name", "wan", "device", "em0" },
	{ "interfaces", "name", "wan", "descr", "WAN" },
	{ "interfaces", "name", "wan", "enabled", "1" },
	{ "interfaces", "name", "wan", "locked", "0" },
	/* Static: WAN_GW, WAN_GW6 and the CARP VIPs are in its subnets. */
	{ "interfaces", "name", "wan", "ipaddr", "203.0.113.2" },
	{ "interfaces", "name", "wan", "subnet", "24" },
	{ "interfaces", "name", "wan", "ipaddrv6", "2001:db8::2" },
	{ "interfaces", "name", "wan", "blockpriv", "1" },
	{ "interfaces", "name", "wan", "blockbogons", "1" },
	{ "interfaces", "name", "wan", "mtu", "" },
	{ "interfaces", "name", "lan", "device", "em1" },
	{ "interfaces", "name", "lan", "enabled", "1" },
	{ "interfaces", "name", "lan", "locked", "1" },
	{ "interfaces", "name", "lan", "ipaddr", "192.168.1.1" },
	{ "interfaces", "name", "lan", "subnet", "24" },
	{ "interfaces", "name", "lan", "ipaddrv6", "none" },
	{ "interfaces", "name", "lan", "mtu", "1500" },
	{ "interfaces", "name", "lan", "mss", "1400" },
	{ "interfaces", "name", "lan", "blockpriv", "0" },
	{ "interfaces", "name", "opt1", "descr", "DMZ" },
	{ "interfaces", "name", "opt1", "ipaddr", "10.0.10.1" },
	{ "interfaces", "name", "opt1", "ipaddrv6", "2001:db8:10::1" },
	{ "interfaces", "name", "opt1", "subnetv6", "64" },
	{ "interfaces", "name", "opt1", "gateway", "DMZ_GW" },
	{ "interfaces", "name", "opt2", "enabled", "0" },
	{ "interfaces", "name", "opt2", "ipaddr", "none" },

	{ "gateways", "name", "WAN_GW", "interface", "wan" },
	{ "gateways", "name", "WAN_GW", "gateway", "203.0.113.1" },
	{ "gateways", "name", "WAN_GW", "defaultgw", "1" },
	{ "gateways", "name", "WAN_GW", "monitor_disable", "0" },
	{ "gateways", "name", "WAN_GW", "descr", "Upstream" },
	{ "gateways", "name", "DMZ_GW", "uuid",
	    "1f2e3d4c-5b6a-4978-8877-665544332201" },
	{ "gateways", "name", "DMZ_GW", "interface", "opt1" },
	{ "gateways", "name", "DMZ_GW", "monitor", "10.0.10.253" },
	{ "gateways", "name", "DMZ_GW", "priority", "100" },
	{ "gateways", "name", "DMZ_GW", "weight", "2" },
	{ "gateways", "name", "DMZ_GW", "defaultgw", "0" },
	{ "gateways", "name", "WAN_GW6", "ipprotocol", "inet6" },
	{ "gateways", "name", "WAN_GW6", "gateway", "2001:db8::1" },
	{ "gateways", "name", "WAN_GW6", "disabled", "1" },

	{ "routes", "network", "10.20.0.0/16", "gateway", "DMZ_GW" },
	{ "routes", "network", "10.20.0.0/16", "disabled", "0" },
	{ "routes", "network", "10.20.0.0/16", "uuid",
	    "0e7a6c1d-3b1f-4c55-8a1e-7f0b1c2d3e01" },
	{ "routes", "network", "172.30.0.0/16", "gateway", "WAN_GW" },
	{ "routes", "network", "172.30.0.0/16", "disabled", "1" },

	{ "aliases", "name", "web_servers", "type", "host" },
	{ "aliases", "name", "web_servers", "content", "10.0.10.5,10.0.10.6" },
	{ "aliases", "name", "web_servers", "descr", "DMZ web servers" },
	{ "aliases", "name", "mgmt_nets", "type", "network" },
	{ "aliases", "name", "mgmt_nets", "content",
	    "192.168.50.0/24,192.168.51.0/24" },
	{ "aliases", "name", "web_ports", "content", "80,443,8000:8080" },
	{ "aliases", "name", "old_hosts", "enabled", "0" },

	{ "filter_rules", "description", "mgmt to the web servers", "sequence",
	    "10" },
	{ "filter_rules", "description", "mgmt to the web servers", "protocol",
	    "tcp" },
	{ "filter_rules", "description", "mgmt to the web servers",
	    "source_net", "mgmt_nets" },
	{ "filter_rules", "description", "mgmt to the web servers",
	    "destination_port", "web_ports" },
	{ "filter_rules", "description", "mgmt to the web servers",
	    "nopfsync", "1" },
	{ "filter_rules", "description", "DMZ: nothing foreign to the "
	    "firewall", "enabled", "0" },
	{ "filter_rules", "description", "DMZ: nothing foreign to the "
	    "firewall", "quick", "0" },
	{ "filter_rules", "description", "DMZ: nothing foreign to the "
	    "firewall", "direction", "any" },
	{ "filter_rules", "description", "DMZ: nothing foreign to the "
	    "firewall", "ipprotocol", "inet46" },
	{ "filter_rules", "description", "DMZ: nothing foreign to the "
	    "firewall", "source_not", "1" },
	{ "filter_rules", "description", "DMZ: nothing foreign to the "
	    "firewall", "destination_net", "opt1ip" },
	{ "filter_rules", "description", "DMZ: nothing foreign to the "
	    "firewall", "statetype", "modulate" },
	{ "filter_rules", "description", "DMZ: nothing foreign to the "
	    "firewall", "categories", "dmz,audit" },
	{ "filter_rules", "description", "Floating: no pings out", "sequence",
	    "21" },
	{ "filter_rules", "description", "Floating: no pings out", "action",
	    "block" },
	{ "filter_rules", "description", "Floating: no pings out",
	    "interface", "wan,lan" },
	{ "filter_rules", "description", "Floating: no pings out",
	    "direction", "out" },
	{ "filter_rules", "description", "Floating: no pings out",
	    "icmptype", "echoreq" },
	{ "filter_rules", "description", "HTTPS to the web servers",
	    "sequence", "22" },
	{ "filter_rules", "description", "HTTPS to the web servers",
	    "destination_net", "web_servers" },
	{ "filter_rules", "description", "HTTPS to the web servers",
	    "destination_port", "443" },
	{ "filter_rules", "description", "HTTPS to the web servers", "log",
	    "1" },
	{ "filter_rules", "description", "HTTPS to the web servers", "quick",
	    "1" },
	{ "filter_rules", "description", "no DNS except to the DMZ", "action",
	    "reject" },
	{ "filter_rules", "description", "no DNS except to the DMZ",
	    "enabled", "0" },
	{ "filter_rules", "description", "no DNS except to the DMZ",
	    "destination_not", "1" },
	{ "filter_rules", "description", "no DNS except to the DMZ",
	    "destination_net", "opt1" },
	{ "filter_rules", "description", "no DNS except to the DMZ",
	    "statetype", "sloppy" },
	{ "filter_rules", "description", "no DNS except to the DMZ",
	    "nosync", "1" },
	{ "filter_rules", "description", "ICMPv6 out", "protocol", "icmpv6" },
	{ "filter_rules", "description", "ICMPv6 out", "gateway", "WAN_GW6" },
	/* a rule may name a gateway group */
	{ "filter_rules", "description", "web out through the group",
	    "gateway", "FAILOVER" },
	/* <item>gateway|tier|source</item> into tiers; a VIP source and a
	 * tier past 5 are said and left out */
	{ "gateway_groups", "name", "FAILOVER", "tier1", "WAN_GW" },
	{ "gateway_groups", "name", "FAILOVER", "tier2", "DMZ_GW" },
	{ "gateway_groups", "name", "FAILOVER", "tier3", "" },
	{ "gateway_groups", "name", "FAILOVER", "trigger", "downloss" },
	{ "gateway_groups", "name", "FAILOVER", "descr",
	    "WAN, then the DMZ router" },

	{ "snat", "", "", "mode", "hybrid" },
	{ "snat_rules", "description", "LAN out via the WAN address",
	    "target", "wanip" },
	{ "snat_rules", "description", "LAN out via the WAN address",
	    "source_net", "192.168.1.0/24" },
	{ "snat_rules", "description", "no NAT", "nonat", "1" },
	{ "snat_rules", "description", "no NAT", "target", "" },
	{ "snat_rules", "description", "no NAT", "destination_not", "1" },
	{ "snat_rules", "description", "SIP", "source_port", "5060" },
	{ "snat_rules", "description", "SIP", "destination_port", "5060" },
	{ "snat_rules", "description", "SIP", "target", "203.0.113.20" },
	{ "snat_rules", "description", "SIP", "target_port", "5062" },
	{ "snat_rules", "description", "SIP", "staticnatport", "1" },
	{ "snat_rules", "description", "SIP", "enabled", "0" },
	{ "snat_rules", "description", "DMZ out via the CARP address",
	    "sequence", "100" },
	{ "snat_rules", "description", "DMZ out via the CARP address",
	    "target", "203.0.113.10" },

	{ "dnat_rules", "descr", "HTTPS to web1", "uuid",
	    "9c2f0d3a-8e71-4b6a-a5c4-1d2e3f405001" },
	{ "dnat_rules", "descr", "HTTPS to web1", "destination_net", "wanip" },
	{ "dnat_rules", "descr", "HTTPS to web1", "destination_port", "443" },
	{ "dnat_rules", "descr", "HTTPS to web1", "target", "10.0.10.5" },
	{ "dnat_rules", "descr", "HTTPS to web1", "local_port", "443" },
	{ "dnat_rules", "descr", "HTTPS to web1", "filter_rule", "pass" },
	{ "dnat_rules", "descr", "SMTP from the relay", "source_net",
	    "198.51.100.0/24" },
	{ "dnat_rules", "descr", "SMTP from the relay", "nosync", "1" },
	{ "dnat_rules", "descr", "SMTP from the relay", "log", "1" },

	{ "vips", "subnet", "203.0.113.10", "mode", "carp" },
	{ "vips", "subnet", "203.0.113.10", "vhid", "1" },
	{ "vips", "subnet", "203.0.113.10", "advskew", "0" },
	{ "vips", "subnet", "203.0.113.10", "password", "carp-wan-key" },
	{ "vips", "subnet", "203.0.113.10", "subnet_bits", "24" },
	{ "vips", "subnet", "203.0.113.11", "mode", "ipalias" },
	{ "vips", "subnet", "203.0.113.11", "vhid", "1" },
	{ "vips", "subnet", "10.0.10.200", "mode", "proxyarp" },
	{ "vips", "subnet", "10.0.10.200", "nosync", "1" },

	{ "hasync", "", "", "pfsyncenabled", "1" },
	{ "hasync", "", "", "pfsyncinterface", "opt1" },
	{ "hasync", "", "", "pfsyncpeerip", "10.0.10.2" },
	{ "hasync", "", "", "synchronizetoip", "10.0.10.2" },
	{ "hasync", "", "", "username", "root" },
	{ "hasync", "", "", "password", "sync-secret" },
	{ "hasync", "", "", "syncitems", "rules,nat,users" },

	{ "users", "name", "root", "scope", "admin" },
	{ "users", "name", "root", "disabled", "0" },
	{ "users", "name", "alice", "scope", "admin" },
	{ "users", "name", "alice", "uuid",
	    "5b1f8c3e-2a47-4d0e-9f6b-0c1d2e3f4a01" },
	{ "users", "name", "bob", "scope", "user" },
	{ "users", "name", "bob", "disabled", "0" },
	{ "users", "name", "carol", "disabled", "1" },
	{ "users", "name", "dave", "disabled", "1" },
	{ "users", "name", "dave", "scope", "admin" },

	{ "cron_jobs", "command", "ha_sync_restart", "minute", "0" },
	{ "cron_jobs", "command", "ha_sync_restart", "hour", "*/2" },
	{ "cron_jobs", "command", "ha_sync_restart", "weekday", "1-5" },
	{ "cron_jobs", "command", "ha_sync_restart", "descr",
	    "HA update and reconfigure backup" },
	{ "cron_jobs", "command", "ha_sync", "minute", "*/15" },
};

static json_t *
section_report(json_t *rep, const char *name)
{
	json_t *s = json_object_get(json_object_get(rep, "sections"), name);

	assert_non_null(s);
	return s;
}

static int
report_has(json_t *list, const char *item_prefix, const char *text)
{
	json_t	*e;
	size_t	 i;

	json_array_foreach(list, i, e)
		if (strncmp(cfg_str(e, "item"), item_prefix,
		    strlen(item_prefix)) == 0 && strstr(cfg_str(e, "message"),
		    text) != NULL)
			return 1;
	return 0;
}

static void
test_full_fields(void **state)
{
	struct tu_fx	*fx = *state;
	json_t		*rep, *snap, *r, *ign;
	size_t		 i;
	int		 found = 0;

	assert_int_equal(import_fixture(fx, "full.xml", 0, &rep), 0);
	assert_string_equal(cfg_str(rep, "result"), "imported");
	snap = cfg_snapshot(fx->st, NULL, 1);
	check_wants(snap, full_wants, nitems(full_wants));
	assert_int_equal(count_rows(snap, "interfaces"), 4);
	assert_int_equal(count_rows(snap, "gateways"), 3);
	assert_int_equal(count_rows(snap, "routes"), 2);
	assert_int_equal(count_rows(snap, "aliases"), 4);
	assert_int_equal(count_rows(snap, "filter_rules"), 7);
	assert_int_equal(count_rows(snap, "gateway_groups"), 1);
	assert_int_equal(count_rows(snap, "snat_rules"), 4);
	assert_int_equal(count_rows(snap, "dnat_rules"), 2);
	assert_int_equal(count_rows(snap, "vips"), 3);
	assert_int_equal(count_rows(snap, "users"), 5);
	/* The firmware job is kept, disabled (its action in parameters). */
	assert_int_equal(count_rows(snap, "cron_jobs"), 3);
	r = row_by(snap, "cron_jobs", "command", "none");
	assert_non_null(r);
	assert_string_equal(cfg_str(r, "enabled"), "0");
	assert_string_equal(cfg_str(r, "parameters"), "firmware poll");

	/* Hashes libcrypt verifies are kept and still log in. */
	r = row_by(snap, "users", "name", "root");
	assert_true(auth_verify("opnsense", cfg_str(r, "password")));
	r = row_by(snap, "users", "name", "alice");
	assert_true(auth_verify("alicepass", cfg_str(r, "password")));
	r = row_by(snap, "users", "name", "bob");
	assert_true(auth_verify("bobpass12", cfg_str(r, "password")));
	r = row_by(snap, "users", "name", "carol");
	assert_false(auth_verify("carolpass", cfg_str(r, "password")));
	assert_memory_equal(cfg_str(r, "password"), "$6$", 3);

	/* What was skipped, and why. */
	assert_int_equal(json_integer_value(json_object_get(section_report(
	    rep, "interfaces"), "skipped")), 2);
	assert_int_equal(json_integer_value(json_object_get(section_report(
	    rep, "filter_rules"), "skipped")), 3);
	assert_int_equal(json_integer_value(json_object_get(section_report(
	    rep, "aliases"), "skipped")), 2);
	assert_int_equal(json_integer_value(json_object_get(section_report(
	    rep, "cron_jobs"), "skipped")), 0);
	assert_true(report_has(json_object_get(section_report(rep, "aliases"),
	    "items"), "OPNsense/Firewall/Alias", "urltable is not supported"));
	assert_true(report_has(json_object_get(section_report(rep, "aliases"),
	    "items"), "aliases/alias[2]", "geoip is not supported"));
	assert_true(report_has(json_object_get(section_report(rep,
	    "filter_rules"), "items"), "filter/rule[7]", "<sched>"));
	assert_true(report_has(json_object_get(section_report(rep,
	    "filter_rules"), "items"), "filter/rule[4]", "port forward"));
	assert_true(report_has(json_object_get(section_report(rep,
	    "gateways"), "items"), "gateways/gateway_item[2]", "dynamic"));
	assert_true(report_has(json_object_get(section_report(rep,
	    "gateway_groups"), "notes"), "gateways/gateway_group",
	    "virtual IP 203.0.113.10"));
	assert_true(report_has(json_object_get(section_report(rep,
	    "gateway_groups"), "notes"), "gateways/gateway_group",
	    "WAN_GW6|9|address"));
	assert_true(report_has(json_object_get(section_report(rep, "users"),
	    "notes"), "system/user[4] (carol)", "cannot be verified"));
	assert_true(report_has(json_object_get(section_report(rep, "hasync"),
	    "notes"), "hasync", "synchronizedhcpd"));
	assert_true(report_has(json_object_get(section_report(rep,
	    "cron_jobs"), "notes"), "OPNsense/cron", "no twinwall "
	    "equivalent: kept disabled"));
	ign = json_object_get(rep, "ignored");
	json_array_foreach(ign, i, r)
		found += strcmp(json_string_value(r), "dhcpd") == 0 ||
		    strcmp(json_string_value(r), "OPNsense/IDS") == 0;
	assert_int_equal(found, 2);
	json_decref(snap);
	json_decref(rep);
}

static const struct want ha_wants[] = {
	{ "system", "", "", "hostname", "fw1" },
	{ "interfaces", "name", "opt1", "descr", "PFSYNC" },
	{ "interfaces", "name", "opt1", "device", "vtnet2" },
	{ "interfaces", "name", "opt1", "ipaddr", "10.0.0.1" },
	{ "interfaces", "name", "wan", "ipaddr", "172.18.0.101" },
	{ "interfaces", "name", "wan", "gateway", "WAN_GW" },
	{ "gateways", "name", "WAN_GW", "defaultgw", "1" },
	{ "gateways", "name", "WAN_GW", "gateway", "172.18.0.1" },
	{ "vips", "subnet", "172.18.0.100", "mode", "carp" },
	{ "vips", "subnet", "172.18.0.100", "interface", "wan" },
	{ "vips", "subnet", "172.18.0.100", "vhid", "1" },
	{ "vips", "subnet", "172.18.0.100", "advbase", "1" },
	{ "vips", "subnet", "172.18.0.100", "advskew", "0" },
	{ "vips", "subnet", "172.18.0.100", "password", "wan-carp-pass" },
	{ "vips", "subnet", "172.18.0.100", "subnet_bits", "24" },
	{ "vips", "subnet", "172.18.0.100", "uuid",
	    "a1a1a1a1-0000-4000-8000-000000000001" },
	{ "vips", "subnet", "192.168.1.1", "interface", "lan" },
	{ "vips", "subnet", "192.168.1.1", "vhid", "3" },
	{ "vips", "subnet", "192.168.1.1", "password", "lan-carp-pass" },
	{ "hasync", "", "", "disablepreempt", "0" },
	{ "hasync", "", "", "pfsyncenabled", "1" },
	{ "hasync", "", "", "pfsyncinterface", "opt1" },
	{ "hasync", "", "", "pfsyncpeerip", "10.0.0.2" },
	{ "hasync", "", "", "synchronizetoip", "10.0.0.2" },
	{ "hasync", "", "", "verifypeer", "0" },
	{ "hasync", "", "", "username", "root" },
	{ "hasync", "", "", "password", "backup-root-pw" },
	{ "hasync", "", "", "syncitems",
	    "rules,nat,aliases,virtualip,staticroutes" },
	{ "snat", "", "", "mode", "hybrid" },
	{ "snat_rules", "description", "LAN out via the WAN VIP", "target",
	    "172.18.0.100" },
	{ "snat_rules", "description", "LAN out via the WAN VIP", "interface",
	    "wan" },
	{ "snat_rules", "description", "LAN out via the WAN VIP",
	    "source_net", "192.168.1.0/24" },
	{ "filter_rules", "description", "CARP on WAN", "protocol", "carp" },
	{ "filter_rules", "description", "CARP on WAN", "interface", "wan" },
	{ "filter_rules", "description", "pfsync and XML-RPC between the "
	    "nodes", "source_net", "opt1" },
	{ "filter_rules", "description", "pfsync and XML-RPC between the "
	    "nodes", "sequence", "1" },
	{ "filter_rules", "description", "Default allow LAN to any rule",
	    "sequence", "3" },
	{ "users", "name", "root", "scope", "admin" },
};

static void
test_ha_master(void **state)
{
	struct tu_fx	*fx = *state;
	json_t		*rep, *snap;

	assert_int_equal(import_fixture(fx, "ha_master.xml", 0, &rep), 0);
	snap = cfg_snapshot(fx->st, NULL, 1);
	check_wants(snap, ha_wants, nitems(ha_wants));
	assert_int_equal(count_rows(snap, "vips"), 2);
	assert_int_equal(count_rows(snap, "filter_rules"), 3);
	assert_true(report_has(json_object_get(section_report(rep, "hasync"),
	    "notes"), "hasync", "dhcpd"));
	json_decref(snap);
	json_decref(rep);
}

/* export -> import (a fresh store) -> export: the same bytes. */
static void
roundtrip(const char *fixture)
{
	struct tu_fx	*a, *b;
	json_t		*rep = NULL;
	char		*x1, *x2, *x3, ha[65], hb[65];
	size_t		 l1, l2, l3;

	assert_int_equal(tu_setup((void **)&a), 0);
	assert_int_equal(tu_setup((void **)&b), 0);
	assert_int_equal(import_fixture(a, fixture, 0, NULL), 0);
	x1 = xmlconf_export(a->st, 1, &l1);
	assert_non_null(x1);
	assert_int_equal(strlen(x1), l1);
	assert_int_equal(xmlconf_import(&b->ctx, x1, l1, XMLCONF_MAX_FILE, 0,
	    "export", &rep), 0);
	json_decref(rep);
	x2 = xmlconf_export(b->st, 1, &l2);
	assert_non_null(x2);
	assert_int_equal(l1, l2);
	assert_memory_equal(x1, x2, l1);
	/* The same configuration, not only the same text. */
	hash_of(a->st, ha);
	hash_of(b->st, hb);
	assert_string_equal(ha, hb);
	/* Into the store it came from: nothing changes either. */
	assert_int_equal(xmlconf_import(&a->ctx, x2, l2, XMLCONF_MAX_FILE, 0,
	    "export", &rep), 0);
	json_decref(rep);
	x3 = xmlconf_export(a->st, 1, &l3);
	assert_int_equal(l1, l3);
	assert_memory_equal(x1, x3, l1);
	hash_of(a->st, hb);
	assert_string_equal(ha, hb);
	free(x1);
	free(x2);
	free(x3);
	tu_teardown((void **)&a);
	tu_teardown((void **)&b);
}

static void
test_roundtrip_full(void **state)
{
	(void)state;
	roundtrip("full.xml");
}

static void
test_roundtrip_ha(void **state)
{
	(void)state;
	roundtrip("ha_master.xml");
}

/* A store written through the API (every field set) exports losslessly. */
static void
test_roundtrip_factory(void **state)
{
	struct tu_fx	*fx = *state, *b;
	json_t		*rep = NULL;
	char		*x1, *x2, ha[65], hb[65];
	size_t		 l1, l2;

	x1 = xmlconf_export(fx->st, 1, &l1);
	assert_non_null(x1);
	assert_non_null(strstr(x1, "<opnsense>"));
	assert_int_equal(tu_setup((void **)&b), 0);
	assert_int_equal(xmlconf_import(&b->ctx, x1, l1, XMLCONF_MAX_FILE, 0,
	    "factory", &rep), 0);
	json_decref(rep);
	x2 = xmlconf_export(b->st, 1, &l2);
	assert_int_equal(l1, l2);
	assert_memory_equal(x1, x2, l1);
	hash_of(fx->st, ha);
	hash_of(b->st, hb);
	assert_string_equal(ha, hb);
	free(x1);
	free(x2);
	tu_teardown((void **)&b);
}

/* Every field the model has, set away from its default, survives. */
static const char api_snapshot[] = "{\"format\":1,\"sections\":{"
    "\"system\":{\"hostname\":\"edge\",\"domain\":\"corp.example\","
    "\"timezone\":\"America/New_York\",\"dnsserver\":\"192.0.2.53\","
    "\"language\":\"fr_FR\",\"webgui_protocol\":\"http\","
    "\"webgui_port\":\"\",\"update_command\":\"apt-get -y upgrade\"},"
    "\"interfaces\":[{\"name\":\"wan\",\"device\":\"eth0\","
    "\"descr\":\"Uplink & more <x>\",\"enabled\":\"1\",\"locked\":\"1\","
    "\"ipaddr\":\"192.0.2.2\",\"subnet\":\"29\",\"ipaddrv6\":\"slaac\","
    "\"subnetv6\":\"\",\"gateway\":\"GW\",\"blockpriv\":\"1\","
    "\"blockbogons\":\"0\",\"mtu\":\"9000\",\"mss\":\"1300\"},"
    "{\"name\":\"lan\",\"device\":\"eth1\",\"enabled\":\"0\","
    "\"ipaddr\":\"10.9.0.1\",\"subnet\":\"16\",\"ipaddrv6\":\"none\"}],"
    "\"gateways\":[{\"name\":\"GW\",\"interface\":\"wan\","
    "\"gateway\":\"192.0.2.1\",\"defaultgw\":\"1\","
    "\"monitor_disable\":\"0\",\"monitor\":\"192.0.2.9\","
    "\"priority\":\"7\",\"weight\":\"5\",\"force_down\":\"1\","
    "\"disabled\":\"1\",\"descr\":\"d\",\"nosync\":\"1\"}],"
    "\"routes\":[{\"network\":\"198.18.0.0/15\",\"gateway\":\"GW\","
    "\"disabled\":\"1\",\"descr\":\"bench\"}],"
    "\"aliases\":[{\"name\":\"p\",\"type\":\"port\","
    "\"content\":\"22,80:90\",\"enabled\":\"0\",\"descr\":\"ports\"}],"
    "\"filter_rules\":[{\"sequence\":\"5\",\"enabled\":\"0\","
    "\"action\":\"reject\",\"quick\":\"0\",\"interface\":\"wan,lan\","
    "\"direction\":\"out\",\"ipprotocol\":\"inet\",\"protocol\":\"tcp\","
    "\"source_net\":\"lanip\",\"source_not\":\"1\",\"source_port\":\"p\","
    "\"destination_net\":\"10.0.0.0/8\",\"destination_not\":\"1\","
    "\"destination_port\":\"1000-2000\",\"log\":\"1\","
    "\"statetype\":\"synproxy\",\"nosync\":\"1\",\"nopfsync\":\"1\","
    "\"categories\":\"a,b\",\"description\":\"all set\"},"
    "{\"sequence\":\"5\",\"protocol\":\"icmp\",\"icmptype\":\"echorep\","
    "\"gateway\":\"GW\",\"description\":\"same sequence\"}],"
    "\"snat\":{\"mode\":\"advanced\"},"
    "\"snat_rules\":[{\"sequence\":\"3\",\"nonat\":\"1\","
    "\"interface\":\"wan\",\"target\":\"\",\"description\":\"nonat\"},"
    "{\"sequence\":\"4\",\"enabled\":\"0\",\"interface\":\"lan\","
    "\"protocol\":\"udp\",\"target\":\"wanip\",\"target_port\":\"53\","
    "\"staticnatport\":\"1\",\"log\":\"1\",\"nosync\":\"1\"},"
    "{\"sequence\":\"6\",\"interface\":\"wan\",\"target\":\"lanip\"}],"
    "\"dnat_rules\":[{\"sequence\":\"9\",\"disabled\":\"1\","
    "\"interface\":\"wan\",\"protocol\":\"udp\",\"source_net\":\"any\","
    "\"destination_net\":\"192.0.2.3\",\"destination_not\":\"1\","
    "\"destination_port\":\"53\",\"target\":\"10.9.0.53\","
    "\"local_port\":\"5353\",\"filter_rule\":\"none\",\"descr\":\"dns\"}],"
    "\"vips\":[{\"mode\":\"carp\",\"interface\":\"wan\","
    "\"subnet\":\"192.0.2.4\",\"subnet_bits\":\"29\",\"vhid\":\"200\","
    "\"advbase\":\"3\",\"advskew\":\"100\",\"password\":\"k\","
    "\"peer\":\"192.0.2.5\",\"peer6\":\"2001:db8::5\",\"nosync\":\"1\"},"
    "{\"mode\":\"ipalias\",\"interface\":\"lan\",\"subnet\":\"10.9.0.2\","
    "\"subnet_bits\":\"16\",\"advbase\":\"\",\"advskew\":\"\","
    "\"nobind\":\"1\"}],"
    "\"hasync\":{\"disablepreempt\":\"1\",\"pfsyncenabled\":\"1\","
    "\"pfsyncinterface\":\"lan\",\"pfsyncpeerip\":\"10.9.0.3\","
    "\"synchronizetoip\":\"https://10.9.0.3:8443\",\"verifypeer\":\"1\","
    "\"peerfingerprint\":\"ab:cd\",\"username\":\"sync\","
    "\"password\":\"pw\",\"syncitems\":\"\"},"
    "\"users\":[{\"name\":\"root\",\"password\":"
    "\"$6$saltsalt$rzfj3K6KVFQ4V9q/okOudMZGuSZKMFrxqDgewXGFdwMRXPq3b/VJZE9GTq"
    "IswKiaUevH/OVWyfUacikq/VxJY/\"},{\"name\":\"ro\",\"scope\":\"user\","
    "\"disabled\":\"1\",\"descr\":\"read only\",\"password\":"
    "\"$2b$05$abcdefghijklmnopqrstuutXU3jQgK0RyeLN5myZZxfzX0ohPwVwm\"},"
    "{\"name\":\"ops\",\"password\":"
    "\"$2b$05$abcdefghijklmnopqrstuutXU3jQgK0RyeLN5myZZxfzX0ohPwVwm\"}],"
    "\"cron_jobs\":[{\"command\":\"ha_sync\",\"minute\":\"5\"},"
    "{\"command\":\"ha_sync_restart\",\"enabled\":\"0\"},"
    "{\"command\":\"apply_all\",\"parameters\":\"x y\",\"day\":\"1\","
    "\"month\":\"2\",\"weekday\":\"3\",\"hour\":\"4\"},"
    "{\"command\":\"backup\",\"descr\":\"nightly\"}]}}";

static void
test_roundtrip_api(void **state)
{
	struct tu_fx		*fx = *state, *b;
	struct cfg_errors	 e;
	json_error_t		 jerr;
	json_t			*snap, *rep = NULL;
	char			*x1, *x2, ha[65], hb[65];
	size_t			 l1, l2;

	snap = json_loads(api_snapshot, 0, &jerr);
	if (snap == NULL)
		fail_msg("bad test JSON: %s at %d", jerr.text, jerr.position);
	cfg_errors_init(&e, "test");
	if (cfg_restore(&fx->ctx, snap, "test", &e) != 0) {
		char *m = json_dumps(e.e_obj, 0);

		fail_msg("restore: %s", m);
	}
	cfg_errors_free(&e);
	json_decref(snap);
	x1 = xmlconf_export(fx->st, 1, &l1);
	assert_non_null(x1);
	assert_int_equal(tu_setup((void **)&b), 0);
	if (xmlconf_import(&b->ctx, x1, l1, XMLCONF_MAX_FILE, 0, "api",
	    &rep) != 0) {
		char *t = xmlconf_report_text(rep);

		fail_msg("%s", t);
	}
	json_decref(rep);
	hash_of(fx->st, ha);
	hash_of(b->st, hb);
	if (strcmp(ha, hb) != 0) {
		json_t *s1 = cfg_snapshot(fx->st, NULL, 1);
		json_t *s2 = cfg_snapshot(b->st, NULL, 1);
		char *t1 = json_dumps(s1, JSON_SORT_KEYS | JSON_INDENT(1));
		char *t2 = json_dumps(s2, JSON_SORT_KEYS | JSON_INDENT(1));

		print_message("before:\n%s\nafter:\n%s\n", t1, t2);
		fail_msg("the configuration changed on the way");
	}
	x2 = xmlconf_export(b->st, 1, &l2);
	assert_int_equal(l1, l2);
	assert_memory_equal(x1, x2, l1);
	free(x1);
	free(x2);
	tu_teardown((void **)&b);
}

static void
test_all_or_nothing(void **state)
{
	struct tu_fx	*fx = *state;
	json_t		*rep;
	char		 before[65], after[65];

	hash_of(fx->st, before);
	assert_int_equal(import_fixture(fx, "partial.xml", 0, &rep), -1);
	hash_of(fx->st, after);
	assert_string_equal(before, after);
	assert_string_equal(cfg_str(rep, "result"), "failed");
	/* Every invalid item is named, even those of the reference pass. */
	assert_int_equal(json_integer_value(json_object_get(section_report(
	    rep, "filter_rules"), "skipped")), 3);
	assert_int_equal(json_integer_value(json_object_get(section_report(
	    rep, "filter_rules"), "imported")), 0);
	assert_true(report_has(json_object_get(section_report(rep,
	    "filter_rules"), "items"), "filter/rule[2]", "no interface named "
	    "\"opt9\""));
	assert_true(report_has(json_object_get(section_report(rep, "aliases"),
	    "items"), "aliases/alias[2]", "not an IP address"));
	assert_true(report_has(json_object_get(section_report(rep, "vips"),
	    "items"), "virtualip/vip[1]", "between 0 and 254"));
	assert_true(report_has(json_object_get(section_report(rep, "system"),
	    "items"), "system", "between 1 and 65535"));
	json_decref(rep);
}

static void
test_partial(void **state)
{
	struct tu_fx	*fx = *state;
	json_t		*rep, *snap, *items, *e;
	size_t		 i;
	int		 ref = 0, inval = 0, dup = 0;

	assert_int_equal(import_fixture(fx, "partial.xml", XMLCONF_PARTIAL,
	    &rep), 0);
	assert_string_equal(cfg_str(rep, "result"), "imported");
	snap = cfg_snapshot(fx->st, NULL, 1);
	assert_int_equal(count_rows(snap, "filter_rules"), 1);
	assert_string_equal(cfg_str(json_array_get(json_object_get(
	    json_object_get(snap, "sections"), "filter_rules"), 0),
	    "description"), "valid rule");
	assert_int_equal(count_rows(snap, "aliases"), 1);
	assert_int_equal(count_rows(snap, "gateways"), 1);
	assert_int_equal(count_rows(snap, "vips"), 0);
	assert_int_equal(count_rows(snap, "interfaces"), 2);
	/*
	 * The invalid port went back to the default ("": as the daemon was
	 * started); the rest stayed.
	 */
	assert_string_equal(cfg_str(row_by(snap, "system", "", ""),
	    "webgui_port"), "");
	assert_string_equal(cfg_str(row_by(snap, "system", "", ""),
	    "webgui_protocol"), "http");
	assert_string_equal(cfg_str(row_by(snap, "system", "", ""),
	    "hostname"), "fw-partial");
	items = json_object_get(section_report(rep, "filter_rules"), "items");
	assert_int_equal(json_array_size(items), 3);
	json_array_foreach(items, i, e) {
		ref += strcmp(cfg_str(e, "reason"), "reference") == 0;
		inval += strcmp(cfg_str(e, "reason"), "invalid") == 0;
	}
	assert_int_equal(ref, 2);	/* opt9, and the rule on bad_hosts */
	assert_int_equal(inval, 1);	/* action allow */
	items = json_object_get(section_report(rep, "gateways"), "items");
	json_array_foreach(items, i, e)
		dup += strcmp(cfg_str(e, "reason"), "duplicate") == 0;
	assert_int_equal(dup, 1);
	assert_int_equal(json_integer_value(json_object_get(section_report(
	    rep, "filter_rules"), "imported")), 1);
	json_decref(snap);
	json_decref(rep);
}

/* Importing the same document twice changes nothing the second time. */
static void
test_reimport_same(void **state)
{
	struct tu_fx	*fx = *state;
	char		 h1[65], h2[65];

	assert_int_equal(import_fixture(fx, "ha_master.xml", 0, NULL), 0);
	hash_of(fx->st, h1);
	/* uuid-less legacy rows get new uuids: compare after export. */
	{
		char	*x = NULL;
		size_t	 l;
		json_t	*rep = NULL;

		x = xmlconf_export(fx->st, 1, &l);
		assert_int_equal(xmlconf_import(&fx->ctx, x, l,
		    XMLCONF_MAX_FILE, 0, "again", &rep), 0);
		json_decref(rep);
		free(x);
	}
	hash_of(fx->st, h2);
	assert_string_equal(h1, h2);
}

static void
test_report_text(void **state)
{
	struct tu_fx	*fx = *state;
	json_t		*rep;
	char		*t;

	assert_int_equal(import_fixture(fx, "full.xml", 0, &rep), 0);
	t = xmlconf_report_text(rep);
	assert_non_null(strstr(t, "imported"));
	assert_non_null(strstr(t, "filter_rules imported 7, skipped 3"));
	assert_non_null(strstr(t, "skipped filter/rule[7] (only in working "
	    "hours): unsupported: <sched>"));
	assert_non_null(strstr(t, "not mapped (ignored):"));
	free(t);
	json_decref(rep);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_full_fields, tu_setup,
		    tu_teardown),
		cmocka_unit_test_setup_teardown(test_ha_master, tu_setup,
		    tu_teardown),
		cmocka_unit_test(test_roundtrip_full),
		cmocka_unit_test(test_roundtrip_ha),
		cmocka_unit_test_setup_teardown(test_roundtrip_factory, tu_setup,
		    tu_teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip_api, tu_setup,
		    tu_teardown),
		cmocka_unit_test_setup_teardown(test_all_or_nothing, tu_setup,
		    tu_teardown),
		cmocka_unit_test_setup_teardown(test_partial, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_reimport_same, tu_setup,
		    tu_teardown),
		cmocka_unit_test_setup_teardown(test_report_text, tu_setup,
		    tu_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
