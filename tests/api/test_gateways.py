#!/usr/bin/env python3
"""Gateways through the API: bad monitoring input is refused (naming
the field, nothing saved), a gateway a rule or a route uses cannot be
deleted, and routes/gateway/status answers in the seed's shape (on the
dry platform: the gateways with their flags, no probes sent).

    python3 tests/api/test_gateways.py [-k substring]
    TW_BIN=build/asan/twinwall python3 tests/api/test_gateways.py

Prints "PASS name" / "FAIL name: reason" and "N passed, N failed".
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
from twdaemon import Daemon, check, run_main  # noqa

GW = "/api/routing/settings/"


class Env:
    def __init__(self):
        self.d = None


def setup():
    e = Env()
    e.d = Daemon("gw", auto_key=True).start()
    # A factory WAN is in DHCP mode, where static gateways are refused.
    e.d.ok("POST", "/api/interfaces/settings/set_item/wan", {"interface": {
        "ipaddr": "192.0.2.2", "subnet": "24", "ipaddrv6": "2001:db8::2",
        "subnetv6": "64"}})
    return e


def refused(r):
    """Refused as OPNsense refuses: HTTP 200 with result failed."""
    return r.status == 200 and (r.json or {}).get("result") == "failed"


def good(**kw):
    g = {"name": "WANGW", "interface": "wan", "gateway": "192.0.2.1",
         "ipprotocol": "inet", "monitor_disable": "0"}
    g.update(kw)
    return g


def invalid(d, body, field):
    """add_gateway body: refused naming field, nothing saved."""
    before = d.config_hash()
    r = d.post(GW + "add_gateway", {"gateway": body})
    check(refused(r), "%r: expected a refusal, got %r" % (body, r))
    v = r.json.get("validations") or {}
    check("gateway." + field in v, "%r: validations %r do not name "
          "gateway.%s" % (body, v, field))
    check(d.config_hash() == before, "%r: the configuration changed" % body)


def t_monitor_of_the_other_family(e):
    invalid(e.d, good(monitor="2001:db8::1"), "monitor")
    invalid(e.d, good(ipprotocol="inet6", gateway="2001:db8::1",
                      monitor="192.0.2.9"), "monitor")


def t_interval_bounds(e):
    invalid(e.d, good(interval="0"), "interval")
    invalid(e.d, good(interval="3601"), "interval")
    invalid(e.d, good(interval="x"), "interval")
    invalid(e.d, good(time_period="2"), "time_period")
    # the window must hold two probes past their loss interval
    invalid(e.d, good(interval="10", loss_interval="5", time_period="20"),
            "time_period")


def t_thresholds_ordered(e):
    invalid(e.d, good(latencylow="500", latencyhigh="500"), "latencylow")
    invalid(e.d, good(latencylow="600", latencyhigh="500"), "latencylow")
    invalid(e.d, good(losslow="30", losshigh="20"), "losslow")
    invalid(e.d, good(losshigh="101"), "losshigh")


def t_defaults_are_the_seeds(e):
    j = e.d.ok("GET", GW + "get_gateway")["gateway"]
    want = {"interval": "1", "loss_interval": "4", "time_period": "60",
            "latencylow": "200", "latencyhigh": "500", "losslow": "10",
            "losshigh": "20"}
    for k, v in want.items():
        check(j.get(k) == v, "%s: default %r, want %r" % (k, j.get(k), v))


def t_used_gateway_cannot_be_deleted(e):
    d = e.d
    uuid = d.add(GW + "add_gateway", "gateway", good(name="RULEGW"))
    ruuid = d.add("/api/firewall/filter/add_rule", "rule", {
        "interface": "lan", "action": "pass", "gateway": "RULEGW"})
    r = d.post(GW + "del_gateway/" + uuid)
    check(r.status == 400 or refused(r),
          "delete of a gateway a rule uses: %r" % r)
    why = r.raw.decode(errors="replace")
    check("rule" in why.lower(),
          "the refusal does not say why: %r" % why)
    d.ok("POST", "/api/firewall/filter/del_rule/" + ruuid)
    route = d.add("/api/routes/routes/addroute", "route", {
        "network": "198.51.100.0/24", "gateway": "RULEGW"})
    r = d.post(GW + "del_gateway/" + uuid)
    check(r.status == 400 or refused(r),
          "delete of a gateway a route uses: %r" % r)
    d.ok("POST", "/api/routes/routes/delroute/" + route)
    d.ok("POST", GW + "del_gateway/" + uuid)


def t_status_shape(e):
    d = e.d
    d.add(GW + "add_gateway", "gateway", good(name="STAT1"))
    d.add(GW + "add_gateway", "gateway", good(name="STAT2",
          gateway="192.0.2.2", force_down="1"))
    d.ok("POST", GW + "reconfigure")
    j = d.ok("GET", "/api/routes/gateway/status")
    items = {i["name"]: i for i in j["items"]}
    check("STAT1" in items and "STAT2" in items, "items: %r" % j)
    for i in items.values():
        for k in ("name", "address", "status", "status_translated", "loss",
                  "delay", "stddev"):
            check(k in i, "%s has no %s: %r" % (i["name"], k, i))
    check(items["STAT2"]["status"] == "force_down", "forced: %r" %
          items["STAT2"])
    check(items["STAT2"]["status_translated"] == "Offline (forced)",
          "forced: %r" % items["STAT2"])
    # dry: nothing is probed, and the answer says so
    check(items["STAT1"]["status"] == "none" and
          "no probes" in items["STAT1"]["note"], "dry: %r" % items["STAT1"])


def t_groups_crud_and_checks(e):
    d = e.d
    d.add(GW + "add_gateway", "gateway", good(name="GA", gateway="192.0.2.10"))
    a6 = d.add(GW + "add_gateway", "gateway", good(
        name="GA6", ipprotocol="inet6", gateway="2001:db8::10"))
    uuid = d.add(GW + "add_gateway", "gateway", good(name="GB",
                 gateway="192.0.2.11"))

    def bad(body, field):
        before = d.config_hash()
        r = d.post(GW + "add_gateway_group", {"gateway_group": body})
        check(refused(r), "%r: expected a refusal, got %r" % (body, r))
        v = r.json.get("validations") or {}
        check("gateway_group." + field in v, "%r: %r does not name %s" % (
            body, v, field))
        check(d.config_hash() == before, "%r: saved anyway" % body)
    bad({"name": "G0"}, "tier1")
    bad({"name": "G1", "tier1": "NOPE"}, "tier1")
    bad({"name": "G2", "tier1": "GA", "tier2": "GA6"}, "tier2")
    bad({"name": "G3", "tier1": "GA", "tier2": "GA"}, "tier2")
    bad({"name": "G4", "tier1": "GA", "trigger": "sometimes"}, "trigger")
    g = d.add(GW + "add_gateway_group", "gateway_group", {
        "name": "WANS", "tier1": "GA", "tier2": "GB",
        "trigger": "downloss"})
    got = d.ok("GET", GW + "get_gateway_group/" + g)["gateway_group"]
    # get answers option fields as OPNsense does: {key: {value, selected}}
    check(got["tier1"]["GA"]["selected"] == 1 and
          got["tier2"]["GB"]["selected"] == 1 and
          got["trigger"]["downloss"]["selected"] == 1, "%r" % got)
    rows = d.rows(GW + "search_gateway_group")
    check([r["name"] for r in rows] == ["WANS"], "search: %r" % rows)
    # a gateway of a group cannot be deleted
    r = d.post(GW + "del_gateway/" + uuid)
    check((r.status == 400 or refused(r)) and b"gateway_groups" in r.raw,
          "delete of a grouped gateway: %r" % r)
    d.ok("POST", GW + "reconfigure")
    j = d.ok("GET", "/api/routes/gateway/status")
    grp = [x for x in j["groups"] if x["name"] == "WANS"]
    check(grp and grp[0]["tier"] == 1 and grp[0]["active"] == ["GA"],
          "group status: %r" % j["groups"])
    d.ok("POST", GW + "del_gateway_group/" + g)
    d.ok("POST", GW + "del_gateway/" + uuid)
    d.ok("POST", GW + "del_gateway/" + a6)


def t_rule_names_a_group(e):
    d = e.d
    FR = "/api/firewall/filter/"
    gw = d.add(GW + "add_gateway", "gateway", good(name="PA",
               gateway="192.0.2.20"))
    g = d.add(GW + "add_gateway_group", "gateway_group", {
        "name": "PGRP", "tier1": "PA", "trigger": "down"})
    rule = d.add(FR + "add_rule", "rule", {
        "interface": "lan", "action": "pass", "ipprotocol": "inet",
        "gateway": "PGRP", "description": "via the group"})
    got = d.ok("GET", FR + "get_rule/" + rule)["rule"]
    check("PGRP" in str(got["gateway"]), "rule gateway: %r" % got["gateway"])

    def bad_rule(body, field):
        before = d.config_hash()
        r = d.post(FR + "add_rule", {"rule": body})
        check(refused(r), "%r: expected a refusal, got %r" % (body, r))
        v = r.json.get("validations") or {}
        check("rule." + field in v, "%r: %r does not name %s" % (
            body, v, field))
        check(d.config_hash() == before, "%r: saved anyway" % body)
    bad_rule({"interface": "lan", "action": "pass", "gateway": "NOSUCH"},
             "gateway")
    # a route of one family: the rule must be of it alone
    bad_rule({"interface": "lan", "action": "pass", "ipprotocol": "inet46",
              "gateway": "PGRP"}, "gateway")
    bad_rule({"interface": "lan", "action": "pass", "ipprotocol": "inet6",
              "gateway": "PA"}, "gateway")
    # only a pass rule routes
    bad_rule({"interface": "lan", "action": "block", "gateway": "PA"},
             "gateway")
    # a gateway and a group never share a name (one field names both)
    r = d.post(GW + "add_gateway", {"gateway": good(name="PGRP",
               gateway="192.0.2.21")})
    check(refused(r) and "gateway.name" in r.json.get("validations", {}),
          "gateway named like a group: %r" % r)
    r = d.post(GW + "add_gateway_group", {"gateway_group": {
        "name": "PA", "tier1": "PA"}})
    check(refused(r) and "gateway_group.name" in
          r.json.get("validations", {}), "group named like a gateway: %r" % r)
    # the group a rule uses cannot be deleted: OPNsense's refusal
    before = d.config_hash()
    r = d.post(GW + "del_gateway_group/" + g)
    check(refused(r), "delete of a group a rule uses: %r" % r)
    why = str(r.json.get("validations"))
    check("filter_rules" in why and "via the group" in why,
          "the refusal does not name the rule: %r" % why)
    check(d.config_hash() == before, "deleted anyway")
    d.ok("POST", FR + "del_rule/" + rule)
    d.ok("POST", GW + "del_gateway_group/" + g)
    d.ok("POST", GW + "del_gateway/" + gw)


def t_skip_rules_gw_down_setting(e):
    d = e.d
    j = d.ok("GET", "/api/core/system/get")["system"]
    check(j.get("skip_rules_gw_down") == "0", "default: %r" %
          j.get("skip_rules_gw_down"))
    d.ok("POST", "/api/core/system/set", {"system": {
        "skip_rules_gw_down": "1"}})
    j = d.ok("GET", "/api/core/system/get")["system"]
    check(j.get("skip_rules_gw_down") == "1", "set: %r" %
          j.get("skip_rules_gw_down"))
    r = d.post("/api/core/system/set", {"system": {
        "skip_rules_gw_down": "maybe"}})
    check(r.status == 400 or refused(r), "bad value: %r" % r)
    d.ok("POST", "/api/core/system/set", {"system": {
        "skip_rules_gw_down": "0"}})


TESTS = [(f.__name__[2:], f) for f in (
    t_monitor_of_the_other_family,
    t_interval_bounds,
    t_thresholds_ordered,
    t_defaults_are_the_seeds,
    t_used_gateway_cannot_be_deleted,
    t_status_shape,
    t_groups_crud_and_checks,
    t_rule_names_a_group,
    t_skip_rules_gw_down_setting,
)]

if __name__ == "__main__":
    sys.exit(run_main(TESTS, setup, lambda e: [e.d]))
