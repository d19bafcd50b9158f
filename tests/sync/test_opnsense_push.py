#!/usr/bin/env python3
"""An OPNsense master pushing to a twinwall backup over XML-RPC, as 24.7's
rc.filter_synchronize does: firmware_version, restore_config_section with
config.xml-shaped sections (legacy filter.rule[], nat.outbound,
virtualip.vip[], aliases, and an MVC alias subtree with @attributes
uuids), then filter_configure. Written from OPNsense's documented
shapes; checked row by row on the backup.

    python3 tests/sync/test_opnsense_push.py [-k substring]

Prints "PASS name" / "FAIL name: reason" and "N passed, N failed".
"""
import os
import sys
import xmlrpc.client

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "lib"))
import twdaemon  # noqa: E402
from twdaemon import check  # noqa: E402

VIP_UUID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
ALIAS_UUID = "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e"


class Env:
    pass


def payload():
    """What an OPNsense master sends for syncitems rules,nat,aliases,
    virtualip: each section as its config.xml subtree, repeated elements
    as arrays, VIPs with a vhid only and advskew already + 100."""
    return {
        "aliases": {"alias": [{"name": "legacy_web", "type": "host",
                               "address": "10.0.0.5 10.0.0.6",
                               "descr": "legacy alias"}]},
        "filter": {"rule": [
            {"type": "pass", "interface": "lan", "ipprotocol": "inet",
             "protocol": "tcp", "source": {"network": "lan"},
             "destination": {"any": "1", "port": "443"},
             "descr": "m https"},
            {"type": "block", "interface": "lan", "ipprotocol": "inet",
             "source": {"any": "1"},
             "destination": {"address": "legacy_web"},
             "descr": "m block web"}]},
        "nat": {"outbound": {"mode": "hybrid", "rule": [
            {"interface": "wan", "source": {"network": "192.168.1.0/24"},
             "destination": {"any": "1"}, "target": "198.51.100.100",
             "descr": "m snat"}]}},
        "virtualip": {"vip": [
            {"@attributes": {"uuid": VIP_UUID}, "mode": "carp",
             "interface": "lan", "vhid": "7", "advbase": "1",
             "advskew": "100", "password": "vip-secret",
             "subnet": "192.168.1.250", "subnet_bits": "24",
             "descr": "m vip"}]},
        "OPNsense": {
            "Firewall": {"Alias": {"aliases": {"alias": [
                {"@attributes": {"uuid": ALIAS_UUID}, "enabled": "1",
                 "name": "mvc_nets", "type": "network",
                 "content": "10.1.0.0/16\n10.2.0.0/16",
                 "description": "mvc alias"}]}}},
            "IDS": {"general": {"enabled": "1"}}},
    }


def proxy(d):
    return xmlrpc.client.ServerProxy("http://%s:%s@127.0.0.1:%d/xmlrpc.php"
                                     % (d.key, d.secret, d.port))


def setup():
    e = Env()
    e.d = twdaemon.Daemon("opn-backup", auto_key=True).start()
    d = e.d
    d.ok("POST", "/api/interfaces/settings/set_item/wan", {"interface": {
        "ipaddr": "198.51.100.2", "subnet": "24"}})
    # The backup's own: a nosync rule (kept, as OPNsense keeps local
    # nosync records) and a rule the push replaces.
    e.own = d.add("/api/firewall/filter/add_rule", "rule", {
        "interface": "lan", "description": "b own", "nosync": "1"})
    d.add("/api/firewall/filter/add_rule", "rule", {
        "interface": "lan", "description": "b replaced"})
    return e


def t_master_sequence(e):
    p = proxy(e.d)
    v = p.opnsense.firmware_version()
    check("firmware" in v and "version" in v["firmware"], "version: %r" % v)
    ans = p.opnsense.restore_config_section(payload())
    # true, plus what no form maps (PHP reads a non-empty struct as true).
    check(ans == {"result": True, "ignored": ["OPNsense/IDS"]},
          "restore answer: %r" % ans)
    check(p.opnsense.filter_configure() is True, "filter_configure")
    check("OPNsense/IDS" in e.d.stderr(), "the log does not name the part "
          "left out")


def t_rows_arrived(e):
    d = e.d
    al = {a["name"]: a for a in d.rows("/api/firewall/alias/search_item")}
    check(sorted(al) == ["legacy_web", "mvc_nets"], "aliases %r" % sorted(al))
    check(al["legacy_web"]["content"] == "10.0.0.5,10.0.0.6" and
          al["legacy_web"]["descr"] == "legacy alias", al["legacy_web"])
    check(al["mvc_nets"]["uuid"] == ALIAS_UUID and
          al["mvc_nets"]["content"] == "10.1.0.0/16,10.2.0.0/16",
          al["mvc_nets"])
    rules = d.rows("/api/firewall/filter/search_rule")
    by = {r["description"]: r for r in rules}
    check("b replaced" not in by, "the push did not replace the rules")
    check("b own" in by and by["b own"]["uuid"] == e.own,
          "the backup's nosync rule is gone: %r" % sorted(by))
    https, blk = by["m https"], by["m block web"]
    check(https["action"] == "pass" and https["protocol"] == "tcp" and
          https["source_net"] == "lan" and
          https["destination_port"] == "443", https)
    check(blk["action"] == "block" and
          blk["destination_net"] == "legacy_web", blk)
    order = [r["description"] for r in rules if r["description"] != "b own"]
    check(order == ["m https", "m block web"], "order %r" % order)
    check(d.ok("GET", "/api/firewall/source_nat/get")["snat"]["mode"] ==
          "hybrid", "outbound mode")
    sn = d.rows("/api/firewall/source_nat/search_rule")
    check([(r["description"], r["target"], r["source_net"]) for r in sn] ==
          [("m snat", "198.51.100.100", "192.168.1.0/24")], sn)
    vips = d.rows("/api/interfaces/vip_settings/search_item")
    check([(v["uuid"], v["subnet"], v["vhid"], v["advskew"]) for v in vips]
          == [(VIP_UUID, "192.168.1.250", "7", "100")],
          "VIPs (advskew as sent): %r" % vips)
    st = d.status()
    check(st["dirty"] == [], "applied: dirty %r" % st["dirty"])


def t_second_push_changes_nothing(e):
    """The same push again: the same rows. Legacy items carry no uuid in
    config.xml, so theirs are new each time, as on OPNsense."""
    d = e.d

    def rows():
        out = []
        for path in ("/api/firewall/filter/search_rule",
                     "/api/firewall/alias/search_item",
                     "/api/firewall/source_nat/search_rule",
                     "/api/interfaces/vip_settings/search_item"):
            out.append([{k: v for k, v in r.items() if k != "uuid"}
                        for r in d.rows(path)])
        return out
    before = rows()
    proxy(d).opnsense.restore_config_section(payload())
    check(rows() == before, "the same push changed the rows")


def t_unmappable_row_refused_whole(e):
    d = e.d
    before = d.config_hash()
    bad = payload()
    bad["filter"]["rule"].append({"type": "pass", "interface": "lan",
                                  "sched": "office_hours",
                                  "source": {"any": "1"},
                                  "destination": {"any": "1"},
                                  "descr": "scheduled"})
    try:
        proxy(d).opnsense.restore_config_section(bad)
        raise AssertionError("a row twinwall cannot map was accepted")
    except xmlrpc.client.Fault as f:
        check("scheduled" in f.faultString and "nothing changed" in
              f.faultString, "fault: %s" % f.faultString)
    check(d.config_hash() == before, "half-applied")


def t_invalid_row_refused_whole(e):
    d = e.d
    before = d.config_hash()
    bad = payload()
    bad["virtualip"]["vip"][0]["advskew"] = "300"
    try:
        proxy(d).opnsense.restore_config_section(bad)
        raise AssertionError("an invalid VIP was accepted")
    except xmlrpc.client.Fault as f:
        check("advskew" in f.faultString, "fault: %s" % f.faultString)
    check(d.config_hash() == before, "half-applied")


def t_bad_element_name(e):
    try:
        proxy(e.d).opnsense.restore_config_section({"filter": {
            "rule": [{"bad name": "x"}]}})
        raise AssertionError("accepted a member that is no element name")
    except xmlrpc.client.Fault as f:
        check("element name" in f.faultString, f.faultString)


def t_xmlrpc_privilege(e):
    """A user holding only the XML-RPC privilege (scope xmlrpc) syncs, by
    password or by API key, and can do nothing else."""
    d = e.d
    d.add("/api/core/user/add_user", "user", {
        "name": "hasync", "password": "sync-only-pass", "scope": "xmlrpc"})
    p = xmlrpc.client.ServerProxy(
        "http://hasync:sync-only-pass@127.0.0.1:%d/xmlrpc.php" % d.port)
    check("firmware" in p.opnsense.firmware_version(), "password login")
    key, secret = d.make_key(user="hasync")
    p = xmlrpc.client.ServerProxy("http://%s:%s@127.0.0.1:%d/xmlrpc.php"
                                  % (key, secret, d.port))
    check(p.opnsense.restore_config_section(payload())["result"] is True,
          "API key push")
    for path in ("/api/core/system/status", "/api/firewall/filter/search_rule"):
        r = d.get(path, auth=(key, secret))
        check(r.status == 403, "%s as xmlrpc-only: %r" % (path, r))
    r = d.get("/api/core/system/status", auth=("hasync", "sync-only-pass"))
    check(r.status == 403, "REST by password as xmlrpc-only: %r" % r)
    # A plain read-only user has no XML-RPC privilege.
    d.add("/api/core/user/add_user", "user", {
        "name": "viewer", "password": "viewer-pass", "scope": "user"})
    p = xmlrpc.client.ServerProxy(
        "http://viewer:viewer-pass@127.0.0.1:%d/xmlrpc.php" % d.port)
    check(p.opnsense.firmware_version() == "Authentication failed",
          "a user without the privilege got in")


def main():
    tests = [(n[2:], f) for n, f in globals().items()
             if n.startswith("t_") and callable(f)]
    return twdaemon.run_main(tests, setup, lambda env: [env.d])


if __name__ == "__main__":
    sys.exit(main())
