#!/usr/bin/env python3
"""REST API tests against real twinwall daemons on loopback ports.

Starts `build/twinwall daemon --platform dry` (one plain-HTTP daemon on
127.0.0.1 with --no-tls, one with TLS), creates an API key with
`twinwall apikey`, and talks HTTP to it. Python standard library only.

    python3 tests/api/test_api.py [BUILD_DIR] [-k substring]
    TW_BIN=build/asan/twinwall python3 tests/api/test_api.py   (tests/run.sh)

Prints "PASS name" / "FAIL name: reason" per test (SKIP when a test
cannot run here) and ends with "N passed, N failed"; exits 1 on failure.
"""
import http.client
import json
import os
import pwd
import shutil
import sys
import tempfile
import time
import traceback
import uuid as uuidlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
import twdaemon  # noqa: E402
from twdaemon import SAN_REPORTS, Daemon, Skip, check  # noqa: E402


def expect(r, status, what=""):
    check(r.status == status, "%s: expected HTTP %d, got %r" % (what, status, r))
    return r.json


def plain(v):
    """An item value as get answers it: OPNsense's option fields
    ({key: {value, selected}}) as the selected keys, comma-joined."""
    if isinstance(v, dict):
        return ",".join(k for k, o in v.items() if o.get("selected") in (1, "1"))
    return v


def expect_invalid(d, path, body, field, what=None):
    """POST body must be refused (HTTP 200 {"result":"failed"}, as
    OPNsense answers) naming field; nothing changes."""
    before = d.config_hash()
    r = d.post(path, body)
    j = expect(r, 200, what or field)
    check(j.get("result") == "failed", "%s: result %r" % (field, j))
    v = j.get("validations") or {}
    check(field in v, "%s: validations %r do not name it" % (field, v))
    check(d.config_hash() == before, "%s: config changed" % field)


# ---------------------------------------------------------------------------
# Section descriptions for the generic CRUD test.

W = ["alpha", "bravo", "charlie"]


def sections(d):
    """name -> (base, sfx, key, [3 valid items], update, sortfield, phrasefield)"""
    return [
        ("filter", "/api/firewall/filter/", "_rule", "rule",
         [{"action": "pass", "interface": "lan", "protocol": "tcp",
           "destination_port": "443", "description": "web " + W[i]}
          for i in range(3)],
         {"action": "block"}, "description", "description"),
        ("alias", "/api/firewall/alias/", "_item", "alias",
         [{"name": "hosts%d" % i, "type": "host",
           "content": "10.0.0.%d,10.0.1.%d" % (i + 1, i + 1),
           "descr": "alias " + W[i]} for i in range(3)],
         {"content": "192.0.2.1"}, "name", "descr"),
        ("source_nat", "/api/firewall/source_nat/", "_rule", "rule",
         [{"interface": "wan", "source_net": "192.168.%d.0/24" % i,
           "target": "wanip", "description": "snat " + W[i]}
          for i in range(3)],
         {"staticnatport": "1"}, "description", "description"),
        ("d_nat", "/api/firewall/d_nat/", "_rule", "rule",
         [{"interface": "wan", "protocol": "tcp", "destination_net": "wanip",
           "destination_port": str(8080 + i), "target": "192.168.1.%d" % (10 + i),
           "local_port": "80", "descr": "fwd " + W[i]} for i in range(3)],
         {"local_port": "8080"}, "descr", "descr"),
        ("vip", "/api/interfaces/vip_settings/", "_item", "vip",
         [{"mode": "carp", "interface": "lan", "subnet": "192.168.1.%d" % (200 + i),
           "subnet_bits": "24", "vhid": str(10 + i), "advskew": "0",
           "password": "s3cret%d" % i, "descr": "vip " + W[i]}
          for i in range(3)],
         {"advskew": "100"}, "descr", "descr"),
        ("interfaces", "/api/interfaces/settings/", "_item", "interface",
         [{"name": "opt%d" % (i + 1), "device": "veth%d" % i,
           "ipaddr": "10.%d.0.1" % (i + 10), "subnet": "24",
           "descr": "opt " + W[i]} for i in range(3)],
         {"mtu": "1400"}, "name", "descr"),
        ("gateways", "/api/routing/settings/", "_gateway", "gateway",
         [{"name": "GW%d" % i, "interface": "lan",
           "gateway": "192.168.1.%d" % (250 - i), "descr": "gw " + W[i]}
          for i in range(3)],
         {"weight": "3"}, "name", "descr"),
        ("routes", "/api/routes/routes/", "route", "route",
         None, {"descr": "changed"}, "network", "descr"),
        ("cron", "/api/core/cron/", "_job", "job",
         [{"minute": str(i), "hour": "3", "command": "ha_sync",
           "descr": "job " + W[i]} for i in range(3)],
         {"hour": "4"}, "minute", "descr"),
        ("users", "/api/core/user/", "_user", "user",
         [{"name": "op%d" % i, "password": "correct horse %d" % i,
           "scope": "user", "descr": "operator " + W[i]} for i in range(3)],
         {"descr": "renamed"}, "name", "descr"),
    ]


def ensure_gateway(d, name="RGW", addr="192.168.1.254"):
    r = d.post("/api/routing/settings/add_gateway", {"gateway": {
        "name": name, "interface": "lan", "gateway": addr}})
    check(r.status == 200, "gateway for routes: %r" % r)
    return r.json["uuid"]


def crud_one(d, name, base, sfx, key, items, update, sortf, phrasef):
    uuids = []
    for it in items:
        j = expect(d.post(base + "add" + sfx, {key: it}), 200, name + " add")
        check(j.get("result") == "saved" and len(j.get("uuid", "")) == 36,
              "%s add: %r" % (name, j))
        uuids.append(j["uuid"])
    # read back
    for u, it in zip(uuids, items):
        j = expect(d.get(base + "get" + sfx + "/" + u), 200, name + " get")
        row = j.get(key)
        check(isinstance(row, dict), "%s get: %r" % (name, j))
        for k, v in it.items():
            if k == "password":
                check(k not in row or row[k] == "", "%s: password returned" % name)
                continue
            check(plain(row.get(k)) == v, "%s get: %s=%r, want %r" % (name, k, row.get(k), v))
    # defaults
    j = expect(d.get(base + "get" + sfx), 200, name + " defaults")
    check(isinstance(j.get(key), dict), "%s defaults: %r" % (name, j))
    # search: paging
    j = expect(d.get(base + "search" + sfx + "?current=1&rowCount=2"), 200,
               name + " search")
    for f in ("total", "rowCount", "current", "rows"):
        check(f in j, "%s search: no %s in %r" % (name, f, j))
    total = j["total"]
    check(total >= 3, "%s search total %d" % (name, total))
    check(len(j["rows"]) == 2 and j["current"] == 1,
          "%s page 1: %r" % (name, j))
    j2 = expect(d.post(base + "search" + sfx, {"current": 2, "rowCount": 2}),
                200, name + " search p2")
    check(len(j2["rows"]) == min(2, total - 2), "%s page 2: %r" % (name, j2))
    ids1 = {r["uuid"] for r in j["rows"]}
    check(not ids1 & {r["uuid"] for r in j2["rows"]}, "%s pages overlap" % name)
    jall = expect(d.get(base + "search" + sfx + "?rowCount=-1"), 200, name)
    check(len(jall["rows"]) == total, "%s rowCount -1: %r" % (name, jall))
    # sort both ways, query-string and JSON forms
    asc = expect(d.get(base + "search" + sfx + "?rowCount=-1&sort%%5B%s%%5D=asc"
                       % sortf), 200, name + " sort asc")
    desc = expect(d.post(base + "search" + sfx, {"rowCount": -1,
                  "sort": {sortf: "desc"}}), 200, name + " sort desc")
    va = [r.get(sortf) for r in asc["rows"]]
    vd = [r.get(sortf) for r in desc["rows"]]

    def sortkey(v):
        try:
            return (0, int(v), "")
        except (TypeError, ValueError):
            return (1, 0, str(v))
    check(va == sorted(va, key=sortkey) or va == sorted(va),
          "%s asc not sorted: %r" % (name, va))
    check(vd == list(reversed(va)), "%s desc: %r vs %r" % (name, vd, va))
    # phrase
    target = items[1][phrasef]
    j = expect(d.get(base + "search" + sfx + "?searchPhrase=" +
                     target.replace(" ", "%20")), 200, name + " phrase")
    got = [r["uuid"] for r in j["rows"]]
    check(uuids[1] in got and uuids[0] not in got and uuids[2] not in got,
          "%s phrase %r: %r" % (name, target, j))
    # update
    j = expect(d.post(base + "set" + sfx + "/" + uuids[0], {key: update}), 200,
               name + " set")
    check(j == {"result": "saved"}, "%s set: %r" % (name, j))
    row = d.get(base + "get" + sfx + "/" + uuids[0]).json[key]
    for k, v in update.items():
        check(plain(row.get(k)) == v, "%s set: %s=%r" % (name, k, row.get(k)))
    # toggle (the _item form as well); VIPs have no switch, as in OPNsense
    if name == "vip":
        expect(d.post(base + "toggle" + sfx + "/" + uuids[0]), 404, "vip toggle")
    else:
        toggle_check(d, name, base, sfx, uuids)
    crud_tail(d, name, base, sfx, key, uuids)


def toggle_check(d, name, base, sfx, uuids):
    j = expect(d.post(base + "toggle" + sfx + "/" + uuids[0]), 200, name + " toggle")
    check(j.get("result") in ("Enabled", "Disabled") and j.get("changed") is True,
          "%s toggle: %r" % (name, j))
    first = j["result"]
    want = "1" if first == "Disabled" else "0"
    j = expect(d.post(base + "toggle_item/" + uuids[0] + "/" + want), 200,
               name + " toggle_item")
    check(j.get("result") != first and j.get("changed") is True,
          "%s toggle back: %r" % (name, j))
    j = expect(d.post(base + "toggle_item/" + uuids[0] + "/" + want), 200,
               name + " toggle again")
    check(j.get("changed") is False, "%s toggle no-op: %r" % (name, j))


def crud_tail(d, name, base, sfx, key, uuids):
    # camelCase
    camel = "get" + sfx.replace("_r", "R").replace("_i", "I").replace(
        "_g", "G").replace("_j", "J").replace("_u", "U").replace("route", "route")
    expect(d.get(base + camel + "/" + uuids[1]), 200, name + " camelCase " + camel)
    # delete
    for u in uuids:
        j = expect(d.post(base + "del" + sfx + "/" + u), 200, name + " del")
        check(j == {"result": "deleted"}, "%s del: %r" % (name, j))
    j = expect(d.get(base + "get" + sfx + "/" + uuids[0]), 200, name + " get deleted")
    check(j == [], "%s get deleted: %r" % (name, j))
    j = expect(d.post(base + "del" + sfx + "/" + uuids[0]), 200, name + " del again")
    check(j == {"result": "not found"}, "%s del again: %r" % (name, j))


def t_crud_every_section(d):
    for (name, base, sfx, key, items, update, sortf, phrasef) in sections(d):
        if items is None:   # routes need gateways
            gw = ensure_gateway(d)
            items = [{"network": "10.%d.0.0/16" % (50 + i), "gateway": "RGW",
                      "descr": "route " + W[i]} for i in range(3)]
            crud_one(d, name, base, sfx, key, items, update, sortf, phrasef)
            d.post("/api/routing/settings/del_gateway/" + gw)
            continue
        crud_one(d, name, base, sfx, key, items, update, sortf, phrasef)


def t_interfaces_by_name(d):
    j = expect(d.get("/api/interfaces/settings/get_item/lan"), 200, "lan")
    check(j["interface"]["name"] == "lan", "get by name: %r" % j)
    j = expect(d.post("/api/interfaces/settings/set_item/lan",
                      {"interface": {"descr": "LAN side"}}), 200, "set lan")
    j = expect(d.get("/api/interfaces/settings/get_item/lan"), 200, "lan")
    check(j["interface"]["descr"] == "LAN side", "set by name: %r" % j)


def t_singletons(d):
    j = expect(d.get("/api/core/hasync/get"), 200, "hasync get")
    check("hasync" in j and "syncitems" in j["hasync"], "hasync: %r" % j)
    expect(d.post("/api/core/hasync/set", {"hasync": {
        "pfsyncenabled": "1", "pfsyncinterface": "lan", "pfsyncpeerip": "10.9.9.2",
        "synchronizetoip": "10.9.9.2", "username": "root",
        "password": "peerpass"}}), 200, "hasync set")
    h = d.get("/api/core/hasync/get").json["hasync"]
    check(h["pfsyncpeerip"] == "10.9.9.2", "hasync set: %r" % h)
    check(h.get("password", "") == "", "hasync password returned: %r" % h)
    expect_invalid(d, "/api/core/hasync/set", {"hasync": {"pfsyncpeerip": "nope"}},
                   "hasync.pfsyncpeerip")
    j = expect(d.get("/api/core/system/get"), 200, "system get")
    # a fresh store leaves the host's own name, zone and GUI port in force
    check(all(j["system"][f] == "" for f in ("hostname", "timezone",
                                             "webgui_port")), "system: %r" % j)
    expect(d.post("/api/core/system/set", {"system": {"hostname": "fw1"}}), 200,
           "system set")
    check(d.status()["hostname"] == "fw1", "hostname not in status")
    expect_invalid(d, "/api/core/system/set", {"system": {"hostname": "bad_host!"}},
                   "system.hostname")
    expect(d.post("/api/firewall/source_nat/set", {"snat": {"mode": "manual"}}),
           200, "snat manual")
    j = expect(d.get("/api/firewall/source_nat/get"), 200, "snat get")
    check(j["snat"]["mode"] == "advanced", "manual != advanced: %r" % j)
    expect(d.post("/api/firewall/source_nat/set", {"snat": {"mode": "hybrid"}}),
           200, "snat hybrid")
    expect_invalid(d, "/api/firewall/source_nat/set", {"snat": {"mode": "sometimes"}},
                   "snat.mode")


def t_invalid_values(d):
    F = "/api/firewall/filter/add_rule"
    ok = {"action": "pass", "interface": "lan", "protocol": "tcp"}

    def rule(**kw):
        r = dict(ok)
        r.update(kw)
        return {"rule": r}
    expect_invalid(d, "/api/routing/settings/add_gateway", {"gateway": {
        "name": "BAD", "interface": "lan", "gateway": "300.1.1.1"}},
        "gateway.gateway", "address")
    ensure_gateway(d, "VGW", "192.168.1.253")
    expect_invalid(d, "/api/routes/routes/addroute", {"route": {
        "network": "10.0.0.0/33", "gateway": "VGW"}}, "route.network", "CIDR")
    expect_invalid(d, F, rule(destination_port="70000"), "rule.destination_port",
                   "port")
    expect_invalid(d, F, rule(destination_port="100:1:2"), "rule.destination_port",
                   "range")
    expect_invalid(d, F, rule(action="allow"), "rule.action", "enum")
    expect_invalid(d, "/api/interfaces/vip_settings/add_item", {"vip": {
        "mode": "carp", "interface": "lan", "subnet": "192.168.1.99",
        "vhid": "256", "password": "x"}}, "vip.vhid", "int bounds")
    expect_invalid(d, "/api/interfaces/vip_settings/add_item", {"vip": {
        "mode": "carp", "interface": "lan", "subnet": "192.168.1.99",
        "vhid": "9", "advskew": "-1", "password": "x"}}, "vip.advskew", "int bounds")
    expect_invalid(d, F, rule(log="maybe"), "rule.log", "bool")
    expect_invalid(d, "/api/firewall/alias/add_item", {"alias": {
        "name": "bad name!", "type": "host", "content": "10.0.0.1"}},
        "alias.name", "name")
    expect_invalid(d, F, rule(description="x" * 300), "rule.description", "too long")
    expect_invalid(d, F, rule(description="a\x01b"), "rule.description",
                   "control character")
    # Unknown keys are ignored, as OPNsense does, and named in the answer.
    j = expect(d.post(F, rule(bogus="1")), 200, "unknown field")
    check(j.get("result") == "saved" and j.get("ignored") == ["bogus"],
          "unknown field: %r" % j)
    d.post("/api/firewall/filter/del_rule/" + j["uuid"])
    expect_invalid(d, F, rule(log=[1]), "rule.log", "wrong type")
    expect_invalid(d, F, rule(interface="nosuchif"), "rule.interface", "reference")
    # NUL inside a JSON string, and a raw NUL byte
    before = d.config_hash()
    r = d.post(F, raw=b'{"rule":{"action":"pass","description":"a\\u0000b"}}')
    expect(r, 400, "NUL escape")
    check(r.json.get("result") == "failed" and r.json.get("message"), "NUL: %r" % r)
    r = d.post(F, raw=b'{"rule":{"action":"pass","description":"a\x00b"}}')
    expect(r, 400, "NUL byte")
    check(d.config_hash() == before, "NUL changed config")


def t_references(d):
    # alias used by a rule
    a = expect(d.post("/api/firewall/alias/add_item", {"alias": {
        "name": "webservers", "type": "host", "content": "10.1.1.1"}}), 200, "alias")
    r = expect(d.post("/api/firewall/filter/add_rule", {"rule": {
        "interface": "lan", "destination_net": "webservers"}}), 200, "rule")
    j = expect(d.post("/api/firewall/alias/del_item/" + a["uuid"]), 200, "del alias")
    check(j.get("result") == "failed" and j.get("validations"), "alias ref: %r" % j)
    check("webservers" in json.dumps(j) or "rule" in json.dumps(j), "referrer %r" % j)
    expect(d.post("/api/firewall/filter/del_rule/" + r["uuid"]), 200, "del rule")
    expect(d.post("/api/firewall/alias/del_item/" + a["uuid"]), 200, "del alias")
    # gateway used by a route
    g = ensure_gateway(d, "REFGW", "192.168.1.252")
    rt = expect(d.post("/api/routes/routes/addroute", {"route": {
        "network": "172.30.0.0/16", "gateway": "REFGW"}}), 200, "route")
    j = expect(d.post("/api/routing/settings/del_gateway/" + g), 200, "del gw")
    check(j.get("validations"), "gw ref: %r" % j)
    expect(d.post("/api/routes/routes/delroute/" + rt["uuid"]), 200, "del route")
    expect(d.post("/api/routing/settings/del_gateway/" + g), 200, "del gw")
    # interface used by a rule
    i = expect(d.post("/api/interfaces/settings/add_item", {"interface": {
        "name": "opt7", "device": "eth7", "ipaddr": "10.77.0.1", "subnet": "24"}}),
        200, "iface")
    r = expect(d.post("/api/firewall/filter/add_rule", {"rule": {
        "interface": "opt7"}}), 200, "rule on opt7")
    j = expect(d.post("/api/interfaces/settings/del_item/opt7"), 200, "del iface")
    check(j.get("validations"), "iface ref: %r" % j)
    expect(d.post("/api/firewall/filter/del_rule/" + r["uuid"]), 200, "del rule")
    expect(d.post("/api/interfaces/settings/del_item/" + i["uuid"]), 200, "del iface")
    # VIP used as a NAT target
    v = expect(d.post("/api/interfaces/vip_settings/add_item", {"vip": {
        "mode": "carp", "interface": "lan", "subnet": "192.168.1.100",
        "subnet_bits": "24", "vhid": "42", "password": "vippass"}}), 200, "vip")
    n = expect(d.post("/api/firewall/source_nat/add_rule", {"rule": {
        "interface": "lan", "source_net": "10.0.0.0/8",
        "target": "192.168.1.100"}}), 200, "snat to vip")
    j = expect(d.post("/api/interfaces/vip_settings/del_item/" + v["uuid"]), 200,
               "del vip")
    check(j.get("validations"), "vip ref: %r" % j)
    expect(d.post("/api/firewall/source_nat/del_rule/" + n["uuid"]), 200, "del snat")
    expect(d.post("/api/interfaces/vip_settings/del_item/" + v["uuid"]), 200, "del vip")


def t_rule_interface_filter(d):
    """search_rule by interface as OPNsense: a name finds the rules whose
    list holds it (and the floating ones on no interface, which apply
    everywhere); an empty interface finds the floating rules."""
    F = "/api/firewall/filter/"
    ifs, rules = [], {}
    try:
        for name in ("opt1", "lan2"):
            ifs.append(expect(d.post("/api/interfaces/settings/add_item", {
                "interface": {"name": name}}), 200, name)["uuid"])
        for descr, iface in (("ifx-multi", "lan,opt1"), ("ifx-lan2", "lan2"),
                             ("ifx-wan", "wan"), ("ifx-any", "")):
            rules[descr] = expect(d.post(F + "add_rule", {"rule": {
                "interface": iface, "description": descr,
                "categories": "dmz,audit" if iface == "wan" else ""}}),
                200, descr)["uuid"]

        def found(query=None, body=None):
            if body is not None:
                j = expect(d.post(F + "search_rule", dict(body, rowCount=-1)),
                           200, "search %r" % body)
            else:
                j = expect(d.get(F + "search_rule?rowCount=-1&" + query), 200,
                           "search " + query)
            check(j["total"] == len(j["rows"]), "total %r" % j)
            return sorted(r["description"] for r in j["rows"]
                          if r["description"].startswith("ifx-"))
        want = {
            "interface=lan": ["ifx-any", "ifx-multi"],
            "interface=opt1": ["ifx-any", "ifx-multi"],
            "interface=lan2": ["ifx-any", "ifx-lan2"],
            "interface=wan": ["ifx-any", "ifx-wan"],
            "interface=": ["ifx-any", "ifx-multi"],
            "interface=lan,wan": ["ifx-any", "ifx-multi", "ifx-wan"],
            "": ["ifx-any", "ifx-lan2", "ifx-multi", "ifx-wan"],
            # Bound, not spliced; an item is whole, not a substring.
            "interface=an": ["ifx-any"],
            "interface=%25": ["ifx-any"],
            "interface=lan%27%20OR%201%3D1%20--": ["ifx-any"],
            "interface=%2C": ["ifx-any", "ifx-multi"],
            # Another list field matches by item too; "" is no filter there.
            "categories=audit": ["ifx-wan"],
            "categories=aud": [],
            "categories=": ["ifx-any", "ifx-lan2", "ifx-multi", "ifx-wan"],
        }
        for q, w in want.items():
            got = found(q)
            check(got == w, "%s: %r, want %r" % (q or "no filter", got, w))
        got = found(body={"interface": ""})
        check(got == ["ifx-any", "ifx-multi"], "JSON floating: %r" % got)
        got = found(body={"interface": "opt1", "searchPhrase": "multi"})
        check(got == ["ifx-multi"], "filter and phrase: %r" % got)
        # A field that is not a list still matches exactly.
        j = expect(d.get("/api/interfaces/settings/search_item?rowCount=-1"
                         "&name=lan"), 200, "interfaces name=lan")
        check([r["name"] for r in j["rows"]] == ["lan"], "name=lan: %r" % j)
    finally:
        for u in rules.values():
            d.post(F + "del_rule/" + u)
        for u in ifs:
            d.post("/api/interfaces/settings/del_item/" + u)


def t_vhid_and_move(d):
    j = expect(d.get("/api/interfaces/vip_settings/get_unused_vhid"), 200, "vhid")
    check(j.get("status") == "ok" and 1 <= j.get("vhid", 0) <= 255, "vhid %r" % j)
    v = expect(d.post("/api/interfaces/vip_settings/add_item", {"vip": {
        "mode": "carp", "interface": "lan", "subnet": "192.168.1.101",
        "vhid": str(j["vhid"]), "password": "p"}}), 200, "vip")
    j2 = expect(d.get("/api/interfaces/vip_settings/getUnusedVhid"), 200, "vhid2")
    check(j2["vhid"] != j["vhid"], "vhid reused: %r %r" % (j, j2))
    d.post("/api/interfaces/vip_settings/del_item/" + v["uuid"])
    a = expect(d.post("/api/firewall/filter/add_rule", {"rule": {
        "description": "move A"}}), 200, "A")["uuid"]
    b = expect(d.post("/api/firewall/filter/add_rule", {"rule": {
        "description": "move B"}}), 200, "B")["uuid"]
    expect(d.post("/api/firewall/filter/move_rule_before/%s/%s" % (b, a)), 200, "move")
    rows = d.get("/api/firewall/filter/search_rule?rowCount=-1").json["rows"]
    ids = [r["uuid"] for r in rows]
    check(ids.index(b) < ids.index(a), "move_rule_before: order %r" % ids)
    j = expect(d.post("/api/firewall/filter/toggle_rule_log/" + a), 200, "log")
    check(j.get("result") == "Enabled", "toggle_rule_log %r" % j)
    check(d.get("/api/firewall/filter/get_rule/" + a).json["rule"]["log"] == "1",
          "log not set")
    for u in (a, b):
        d.post("/api/firewall/filter/del_rule/" + u)


def t_apply(d):
    # State sync on an interface without a device cannot work, and its
    # apply says so (earlier tests may have left it enabled on lan).
    expect(d.post("/api/core/hasync/set", {"hasync": {"pfsyncenabled": "1",
           "pfsyncinterface": "lan", "pfsyncpeerip": "10.9.9.2"}}), 200, "hasync")
    expect(d.post("/api/interfaces/settings/set_item/lan",
                  {"interface": {"device": ""}}), 200, "no device")
    r = d.post("/api/core/hasync/reconfigure")
    check(r.status == 500 and b"lan" in r.raw, "hasync without a device: %r" % r.raw)
    # ... and an interface apply is not blocked by it.
    expect(d.post("/api/interfaces/settings/reconfigure"), 200, "interfaces")
    expect(d.post("/api/interfaces/settings/set_item/lan",
                  {"interface": {"device": "lan0"}}), 200, "device")
    expect(d.post("/api/firewall/filter/add_rule", {"rule": {"description": "ap"}}),
           200, "add")
    st = d.status()
    check("filter" in st["dirty"], "filter not dirty: %r" % st)
    for p in ("/api/firewall/filter/apply", "/api/firewall/alias/reconfigure",
              "/api/firewall/source_nat/apply", "/api/firewall/d_nat/apply",
              "/api/interfaces/vip_settings/reconfigure",
              "/api/routing/settings/reconfigure", "/api/routes/routes/reconfigure",
              "/api/interfaces/settings/reconfigure", "/api/core/hasync/reconfigure"):
        j = expect(d.post(p), 200, p)
        check(j == {"status": "ok"}, "%s: %r" % (p, j))
    st = d.status()
    for s in ("filter", "aliases", "nat", "vip", "routing", "interfaces", "hasync"):
        check(s not in st["dirty"], "%s still dirty: %r" % (s, st["dirty"]))


def t_status_ping(d):
    j = expect(d.get("/api/core/ping"), 200, "ping")
    check(j == {"status": "ok"}, "ping %r" % j)
    st = d.status()
    for f in ("version", "uptime", "platform", "dirty", "config_hash", "hostname"):
        check(f in st, "status lacks %s: %r" % (f, st))
    check(st["platform"] == "dry", "platform %r" % st)
    check(len(st["config_hash"]) == 64, "hash %r" % st)


def t_auth_basics(d):
    r = d.get("/api/core/ping", auth=None)
    check(r.status == 401 and r.json == {"status": 401,
          "message": "Authentication Failed"}, "no auth: %r" % r)
    r = d.get("/api/core/ping", auth=(d.key, "wrong"))
    expect(r, 401, "wrong secret")
    r = d.get("/api/core/ping", auth=("nokey", "nosecret"))
    expect(r, 401, "unknown key")
    r = d.get("/api/core/ping", headers={"Authorization": "Basic !!!"}, auth=None)
    expect(r, 401, "garbage basic")
    r = d.get("/api/core/ping", auth=("root", d.root_password()))
    expect(r, 200, "user + password")
    # 404 / 405 shapes
    r = d.get("/api/firewall/filter/no_such_command")
    check(r.status == 404 and r.json == {"status": 404, "message": "Not Found"},
          "404: %r" % r)
    r = d.get("/api/firewall/filter/add_rule")
    expect(r, 405, "GET on add_rule")
    # XML-RPC: a failed login is a methodResponse, as OPNsense answers it
    r = d.post("/xmlrpc.php", raw=b"<?xml version='1.0'?><methodCall><methodName>"
               b"opnsense.firmware_version</methodName></methodCall>", auth=None,
               ctype="text/xml")
    check(r.status == 200 and b"Authentication failed" in r.raw, "xmlrpc: %r" % r)
    # cache: many pings are quick (no slow hash per request)
    t0 = time.time()
    for _ in range(50):
        expect(d.get("/api/core/ping"), 200, "ping")
    check(time.time() - t0 < 5, "50 pings took %.1fs" % (time.time() - t0))


def t_unauthenticated_routes(d):
    check(d.get("/api/openapi.json", auth=None).status == 401, "openapi open")
    doc = expect(d.get("/api/openapi.json"), 200, "openapi")
    paths = doc["paths"]
    check(len(paths) > 100, "only %d paths" % len(paths))
    n = 0
    for p, ops in paths.items():
        url = p.replace("{uuid}", str(uuidlib.uuid4())).replace(
            "{before_uuid}", str(uuidlib.uuid4())).replace(
            "{enabled}", "1").replace("{id}", "1")
        for m in ops:
            if p == "/api/core/login" and m == "post":
                continue
            r = d.request(m.upper(), url, auth=None,
                          body={} if m == "post" else None)
            check(r.status == 401, "%s %s without credentials: %r" % (m, p, r))
            n += 1
    check(n > 100, "checked only %d" % n)
    # wrong credentials, too, on a sample
    r = d.post("/api/firewall/filter/add_rule", {"rule": {}}, auth=(d.key, "x"))
    expect(r, 401, "bad secret add")


def t_openapi(d):
    doc = expect(d.get("/api/openapi.json"), 200, "openapi")
    check(doc.get("openapi", "").startswith("3.0"), "version %r" % doc.get("openapi"))
    p = doc["paths"]
    for need in ("/api/firewall/filter/search_rule", "/api/firewall/filter/add_rule",
                 "/api/firewall/filter/set_rule/{uuid}",
                 "/api/firewall/filter/move_rule_before/{uuid}/{before_uuid}",
                 "/api/routes/routes/searchroute", "/api/routing/settings/search_gateway",
                 "/api/interfaces/vip_settings/get_unused_vhid", "/api/core/ping",
                 "/api/core/login", "/api/core/backup/download/{id}"):
        check(need in p, "openapi lacks %s" % need)
    body = p["/api/firewall/filter/add_rule"]["post"]["requestBody"]
    check("rule" in json.dumps(body), "add_rule body %r" % body)
    sch = doc["components"]["schemas"]["filter_rules"]["properties"]
    check(sch["action"]["enum"] == ["pass", "block", "reject"], "enum %r" % sch["action"])
    check(sch["sequence"]["minimum"] == 1 and sch["sequence"]["maximum"] == 999999,
          "bounds %r" % sch["sequence"])
    check(sch["description"]["maxLength"] == 255, "maxLength")
    check(sch["action"]["default"] == "pass" and sch["action"].get("description"),
          "default/description %r" % sch["action"])
    vip = doc["components"]["schemas"]["vips"]["properties"]
    check(vip["password"].get("writeOnly") is True, "password not writeOnly")
    check(p["/api/core/login"]["post"].get("security") == [], "login security")


def t_firewall_log(d):
    """diagnostics/firewall/log: the list shape on the dry platform, and
    input the list cannot take refused with the field named."""
    L = "/api/diagnostics/firewall/log"
    ops = expect(d.get("/api/openapi.json"), 200, "openapi")["paths"].get(L)
    check(ops is not None and set(ops) == {"get", "post"},
          "openapi.json lists %s as %r" % (L, ops))
    for what, r in (("GET", d.get(L)),
                    ("GET paged", d.get(L + "?current=1&rowCount=20&searchPhrase=lan")),
                    ("POST", d.post(L, {"current": 1, "rowCount": 20,
                                        "searchPhrase": "block"})),
                    ("POST all", d.post(L, {"current": "1", "rowCount": "-1"}))):
        j = expect(r, 200, what)
        check({k: j.get(k) for k in ("total", "rowCount", "current", "rows")} ==
              {"total": 0, "rowCount": 0, "current": 1, "rows": []},
              "%s: %r" % (what, j))
        check("dry platform logs no packets" in j.get("note", ""),
              "%s: no note about the dry platform: %r" % (what, j))
    big = "x" * 257
    for field, how, arg in (
            ("rowCount", "get", "rowCount=abc"), ("rowCount", "get", "rowCount=-2"),
            ("rowCount", "post", {"rowCount": "ten"}),
            ("rowCount", "post", {"rowCount": 1.5}),
            ("current", "get", "current=0"), ("current", "post", {"current": "-3"}),
            ("current", "post", {"current": [1]}),
            ("searchPhrase", "post", {"searchPhrase": 5}),
            ("searchPhrase", "get", "searchPhrase=" + big)):
        r = d.get(L + "?" + arg) if how == "get" else d.post(L, arg)
        j = expect(r, 200, "%s %r" % (how, arg))
        check(j.get("result") == "failed" and
              field in (j.get("validations") or {}),
              "%s %r: %r does not name %s" % (how, arg, j, field))


def t_robustness(d):
    F = "/api/firewall/filter/add_rule"
    before = d.config_hash()
    for raw, what in ((b'{"rule": {', "truncated"), (b"[1,2]", "array body"),
                      (b'"rule"', "string body"), (b"not json", "garbage"),
                      (b'{"rule":{},"rule":{}}', "duplicate keys")):
        r = d.post(F, raw=raw)
        j = expect(r, 400, what)
        check(j.get("result") == "failed" and j.get("message"), "%s: %r" % (what, j))
    j = expect(d.post(F, {"rules": {}}), 400, "wrong key")
    check("rule" in j.get("message", ""), "wrong key msg %r" % j)
    expect(d.post(F, {"rule": "x"}), 400, "item not an object")
    expect(d.post(F, {"rule": {}, "extra": 1}), 400, "extra key")
    expect(d.post(F), 400, "no body")
    big = b'{"rule":{"description":"' + b"a" * (1 << 20) + b'"}}'
    r = d.post(F, raw=big)
    j = expect(r, 413, "1 MiB")
    check(j.get("result") == "failed", "413 body %r" % j)
    r = d.post("/api/firewall/filter/search_rule", raw=b"x" * (3 << 20))
    expect(r, 413, "3 MiB search")
    expect(d.get("/api/firewall/filter/search_rule?sort%5Bname;DROP%5D=asc"), 400,
           "sort injection")
    expect(d.get("/api/firewall/filter/search_rule?rowCount=abc"), 400, "rowCount")
    # OPNsense: an unknown uuid reads as [].
    check(d.get("/api/firewall/filter/get_rule/" + "a" * 5000).json == [],
          "long param")
    check(d.get("/api/firewall/filter/get_rule/'%20OR%201=1--").json == [],
          "sqli param")
    j = expect(d.get("/api/firewall/filter/search_rule?searchPhrase=%27%20OR%201%3D1%20--"),
               200, "sqli phrase")
    check(j["total"] == 0, "phrase injection matched %r" % j)
    expect_invalid(d, F, {"rule": {"interface": "lan'; DROP TABLE filter_rules;--"}},
                   "rule.interface", "sqli ref")
    check(d.config_hash() == before, "config changed by refused requests")
    # SQL metacharacters stored literally
    s = "x'); DROP TABLE filter_rules; -- \"%_"
    u = expect(d.post(F, {"rule": {"description": s}}), 200, "metachar")["uuid"]
    got = d.get("/api/firewall/filter/get_rule/" + u).json["rule"]["description"]
    check(got == s, "stored %r" % got)
    expect(d.get("/api/firewall/filter/search_rule"), 200, "table survives")
    d.post("/api/firewall/filter/del_rule/" + u)
    # form bodies
    r = d.post("/api/firewall/filter/search_rule", raw=b"current=1&rowCount=1",
               ctype="application/x-www-form-urlencoded")
    check(r.status == 200 and r.json["rowCount"] <= 1, "form search %r" % r)


def t_revisions(d):
    lst = expect(d.get("/api/core/backup/list"), 200, "list")
    n0 = len(lst["revisions"])
    h0 = d.config_hash()
    rev0 = lst["revisions"][0]["id"] if n0 else None
    u = expect(d.post("/api/firewall/filter/add_rule", {"rule": {
        "description": "rev test"}}), 200, "add")["uuid"]
    lst = d.get("/api/core/backup/list").json["revisions"]
    check(len(lst) == n0 + 1 or len(lst) == min(n0 + 1, 200), "no new revision")
    check("root (api)" in lst[0].get("user", ""), "revision user %r" % lst[0])
    expect(d.post("/api/firewall/filter/set_rule/" + u, {"rule": {
        "description": "rev test 2"}}), 200, "set")
    check(len(d.get("/api/core/backup/list").json["revisions"]) == n0 + 2,
          "set made no revision")
    # download strips secrets
    v = expect(d.post("/api/interfaces/vip_settings/add_item", {"vip": {
        "mode": "carp", "interface": "lan", "subnet": "192.168.1.111",
        "vhid": "77", "password": "topsecret"}}), 200, "vip")["uuid"]
    top = d.get("/api/core/backup/list").json["revisions"][0]["id"]
    r = d.get("/api/core/backup/download/%d" % top)
    expect(r, 200, "download")
    check("attachment" in (r.header("Content-Disposition") or ""), "disposition")
    check(b"topsecret" not in r.raw, "secret in download")
    check(b"192.168.1.111" in r.raw, "vip not in download")
    expect(d.get("/api/core/backup/download/999999"), 404, "no such revision")
    # restore the state before this test
    check(rev0 is not None, "no revision to restore")
    j = expect(d.post("/api/core/backup/restore/%d" % rev0), 200, "restore")
    check(d.config_hash() == h0, "restore did not bring the config back")
    lst = d.get("/api/core/backup/list").json["revisions"]
    check("restored revision %d" % rev0 in lst[0].get("description", ""),
          "restore revision %r" % lst[0])
    check(expect(d.get("/api/firewall/filter/get_rule/" + u), 200,
                 "rule after restore") == [], "rule after restore")
    # restore the newest-but-one: VIP secret survives server side
    j = expect(d.post("/api/core/backup/restore/%d" % top), 200, "restore top")
    vip = d.get("/api/interfaces/vip_settings/get_item/" + v)
    expect(vip, 200, "vip back")
    d.post("/api/interfaces/vip_settings/del_item/" + v)
    d.post("/api/firewall/filter/del_rule/" + u)


def t_sessions(d):
    r = d.post("/api/core/login", {"username": "root", "password": "wrong"}, auth=None)
    expect(r, 401, "bad login")
    r = d.post("/api/core/login", {"username": "root",
               "password": d.root_password()}, auth=None)
    j = expect(r, 200, "login")
    check(j.get("status") == "ok" and len(j.get("csrf_token", "")) >= 32, "%r" % j)
    ck = r.header("Set-Cookie") or ""
    for flag in ("twsession=", "HttpOnly", "SameSite=Strict", "Path=/"):
        check(flag in ck, "cookie lacks %s: %r" % (flag, ck))
    check(("Secure" in ck) == d.tls, "Secure flag wrong for tls=%s: %r" % (d.tls, ck))
    cookie = ck.split(";")[0]
    tok = j["csrf_token"]
    H = {"Cookie": cookie}
    s = expect(d.get("/api/core/session", auth=None, headers=H), 200, "session")
    check(s.get("username") == "root" and s.get("csrf_token") == tok, "session %r" % s)
    expect(d.get("/api/firewall/filter/search_rule", auth=None, headers=H), 200, "get")
    r = d.post("/api/firewall/filter/add_rule", {"rule": {"description": "s"}},
               auth=None, headers=H)
    check(r.status == 403 and r.json == {"status": 403, "message": "Forbidden"},
          "POST without CSRF: %r" % r)
    r = d.post("/api/firewall/filter/add_rule", {"rule": {"description": "s"}},
               auth=None, headers=dict(H, **{"X-CSRFToken": "0" * 64}))
    expect(r, 403, "wrong CSRF")
    r = d.post("/api/firewall/filter/add_rule", {"rule": {"description": "s"}},
               auth=None, headers=dict(H, **{"X-CSRFToken": tok}))
    u = expect(r, 200, "POST with CSRF")["uuid"]
    lst = d.get("/api/core/backup/list").json["revisions"]
    check("root (gui)" in lst[0]["user"], "session actor %r" % lst[0])
    d.post("/api/firewall/filter/del_rule/" + u)
    expect(d.post("/api/core/logout", auth=None, headers=dict(H, **{"X-CSRFToken": tok})),
           200, "logout")
    expect(d.get("/api/core/session", auth=None, headers=H), 401, "after logout")
    expect(d.get("/api/core/ping", auth=None, headers={"Cookie": "twsession=" + "a" * 64}),
           401, "forged cookie")


def t_readonly_user(d):
    u = expect(d.post("/api/core/user/add_user", {"user": {
        "name": "viewer", "password": "viewer-pass-1", "scope": "user"}}),
        200, "add viewer")["uuid"]
    j = expect(d.get("/api/core/user/get_user/" + u), 200, "get viewer")
    check(j["user"].get("password", "") == "", "password readable: %r" % j)
    auth = ("viewer", "viewer-pass-1")
    expect(d.get("/api/firewall/filter/search_rule", auth=auth), 200, "viewer reads")
    expect(d.post("/api/firewall/filter/search_rule", {}, auth=auth), 200, "viewer search")
    r = d.post("/api/firewall/filter/add_rule", {"rule": {}}, auth=auth)
    check(r.status == 403 and r.json == {"status": 403, "message": "Forbidden"},
          "viewer writes: %r" % r)
    expect(d.post("/api/firewall/filter/apply", auth=auth), 403, "viewer applies")
    r = d.post("/api/core/login", {"username": "viewer",
               "password": "viewer-pass-1"}, auth=None)
    j = expect(r, 200, "viewer login")
    check(j.get("scope") == "user", "viewer scope %r" % j)
    H = {"Cookie": r.header("Set-Cookie").split(";")[0],
         "X-CSRFToken": j["csrf_token"]}
    expect(d.get("/api/core/session", auth=None, headers=H), 200, "viewer session")
    expect(d.post("/api/firewall/filter/add_rule", {"rule": {}}, auth=None,
                  headers=H), 403, "viewer session writes")
    expect(d.post("/api/core/user/del_user/" + u), 200, "del viewer")
    expect(d.get("/api/core/ping", auth=auth), 401, "deleted user")
    expect(d.get("/api/core/session", auth=None, headers=H), 401,
           "deleted user's session")


def t_static(d):
    www = os.path.join(ROOT, "www")
    r = d.get("/", auth=None)
    if os.path.exists(os.path.join(www, "index.html")):
        check(r.status == 200 and "text/html" in (r.header("Content-Type") or ""),
              "index: %r" % r)
    else:
        check(r.status == 404, "/ without index.html: %r" % r)
    for p in ("/../etc/passwd", "/%2e%2e/etc/passwd", "/..%2fetc%2fpasswd",
              "/.git/config", "//etc/passwd"):
        r = d.get(p, auth=None)
        check(r.status in (400, 404), "%s: %r" % (p, r))
        check(b"root:" not in r.raw, "traversal %s" % p)
    expect(d.post("/index.html", {}, auth=None), 405, "POST static")
    check(d.get("/api/core/ping").header("X-Content-Type-Options") == "nosniff",
          "security headers")


def t_static_files(_d):
    www = tempfile.mkdtemp(prefix="tw-www-")
    os.chmod(www, 0o755)
    os.makedirs(os.path.join(www, "gui"))
    for name, text in (("index.html", "<html>twinwall</html>"),
                       ("app.js", "console.log(1)"), ("style.css", "p{}"),
                       ("gui/index.html", "<html>gui</html>"),
                       (".hidden", "secret")):
        with open(os.path.join(www, name), "w") as f:
            f.write(text)
    os.symlink("/etc/passwd", os.path.join(www, "passwd.txt"))
    for dp, dn, fn in os.walk(www):
        for n in dn + fn:
            if not os.path.islink(os.path.join(dp, n)):
                os.chmod(os.path.join(dp, n), 0o755)
    d = Daemon("api")
    d.www = www
    try:
        d.start()
        for path, ctype, body in (("/", "text/html", b"twinwall"),
                                  ("/index.html", "text/html", b"twinwall"),
                                  ("/app.js", "text/javascript", b"console"),
                                  ("/style.css", "text/css", b"p{}"),
                                  ("/gui/", "text/html", b"gui")):
            r = d.get(path, auth=None)
            check(r.status == 200 and ctype in (r.header("Content-Type") or "")
                  and body in r.raw, "%s: %r %r" % (path, r, r.headers))
            check(r.header("X-Frame-Options") == "DENY", "%s headers" % path)
        r = d.get("/gui", auth=None)
        check(r.status == 301 and r.header("Location") == "/gui/", "/gui: %r" % r)
        for path in ("/.hidden", "/passwd.txt", "/nope.html", "/../index.html",
                     "/gui/../.hidden"):
            r = d.get(path, auth=None)
            check(r.status == 404 and b"root:" not in r.raw and
                  b"secret" not in r.raw, "%s: %r" % (path, r))
        r = d.request("HEAD", "/index.html", auth=None)
        check(r.status == 200 and not r.raw, "HEAD %r" % r)
    finally:
        d.cleanup()
        shutil.rmtree(www, ignore_errors=True)


def t_restart_persists(d):
    u = expect(d.post("/api/firewall/alias/add_item", {"alias": {
        "name": "persist", "type": "network", "content": "10.0.0.0/8"}}), 200,
        "alias")["uuid"]
    h = d.config_hash()
    d.restart()
    check(d.config_hash() == h, "config hash changed across restart")
    j = expect(d.get("/api/firewall/alias/get_item/" + u), 200, "alias after restart")
    check(j["alias"]["name"] == "persist", "%r" % j)
    d.post("/api/firewall/alias/del_item/" + u)


def t_privsep_uid(d):
    if os.geteuid() != 0:
        raise Skip("not root")
    try:
        tw = pwd.getpwnam("twinwall").pw_uid
    except KeyError:
        raise AssertionError("no user twinwall after the daemon started")
    kids = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/status" % pid) as f:
                st = f.read()
        except OSError:
            continue
        ppid = [l for l in st.splitlines() if l.startswith("PPid:")]
        if ppid and int(ppid[0].split()[1]) == d.proc.pid:
            uid = [l for l in st.splitlines() if l.startswith("Uid:")][0].split()[1:]
            kids.append((pid, uid))
    check(kids, "no child of the daemon found")
    for pid, uid in kids:
        check(all(int(x) == tw for x in uid), "child %s runs as %r" % (pid, uid))


def t_tls_daemon(_d):
    d = Daemon("api", tls=True).start()
    try:
        d.key, d.secret = d.make_key()
        expect(d.get("/api/core/ping"), 200, "TLS ping")
        r = d.get("/api/core/ping")
        check("max-age" in (r.header("Strict-Transport-Security") or ""), "HSTS")
        t_sessions(d)
        # plain HTTP on the TLS port does not get an answer
        c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=5)
        try:
            c.request("GET", "/api/core/ping")
            r = c.getresponse()
            check(r.status >= 400, "plain HTTP answered %d" % r.status)
        except (OSError, http.client.HTTPException):
            pass
        finally:
            c.close()
    finally:
        d.cleanup()


TESTS = [
    ("auth_basics", t_auth_basics),
    ("status_ping", t_status_ping),
    ("unauthenticated_routes", t_unauthenticated_routes),
    ("openapi", t_openapi),
    ("firewall_log", t_firewall_log),
    ("crud_every_section", t_crud_every_section),
    ("interfaces_by_name", t_interfaces_by_name),
    ("singletons", t_singletons),
    ("invalid_values", t_invalid_values),
    ("references", t_references),
    ("rule_interface_filter", t_rule_interface_filter),
    ("vhid_and_move", t_vhid_and_move),
    ("robustness", t_robustness),
    ("revisions", t_revisions),
    ("sessions", t_sessions),
    ("readonly_user", t_readonly_user),
    ("static", t_static),
    ("static_files", t_static_files),
    ("apply", t_apply),
    ("restart_persists", t_restart_persists),
    ("privsep_uid", t_privsep_uid),
    ("tls_daemon", t_tls_daemon),
]


def main():
    args = sys.argv[1:]
    only = None
    if "-k" in args:
        i = args.index("-k")
        only = args[i + 1]
        del args[i:i + 2]
    if args:
        twdaemon.BIN = os.path.abspath(os.path.join(args[0], "twinwall"))
    BIN = twdaemon.BIN	# TW_BIN, else build/twinwall
    if not os.access(BIN, os.X_OK):
        print("FAIL setup: no %s" % BIN)
        print("0 passed, 1 failed")
        return 1
    passed = failed = skipped = 0
    d = Daemon("api")
    try:
        d.start()
        d.key, d.secret = d.make_key()
    except Exception as e:
        print("FAIL setup: %s" % e)
        print("0 passed, 1 failed")
        d.cleanup()
        return 1
    try:
        for name, fn in TESTS:
            if only and only not in name:
                continue
            try:
                if d.proc is None or d.proc.poll() is not None:
                    d.start()
                fn(d)
                print("PASS %s" % name)
                passed += 1
            except Skip as e:
                print("SKIP %s: %s" % (name, e))
                skipped += 1
            except Exception as e:
                reason = str(e).replace("\n", " ")[:600]
                if not isinstance(e, AssertionError):
                    reason = "%s: %s (%s)" % (type(e).__name__, reason,
                             traceback.format_exc().splitlines()[-3].strip())
                print("FAIL %s: %s" % (name, reason))
                failed += 1
            sys.stdout.flush()
    finally:
        if failed and os.environ.get("TW_KEEP"):
            print("data kept in %s" % d.datadir)
            d.stop()
        else:
            d.cleanup()
    if SAN_REPORTS:
        print("FAIL sanitizers: %s" % " | ".join(SAN_REPORTS[:5]))
        failed += 1
    else:
        print("PASS sanitizers")
        passed += 1
    print("%d passed, %d failed%s" % (passed, failed,
          ", %d skipped" % skipped if skipped else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
