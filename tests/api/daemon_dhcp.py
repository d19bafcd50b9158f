#!/usr/bin/env python3
"""Interface address modes through the API (a real daemon, --platform dry).

What cannot work is refused (result failed) naming the field: a CARP VIP
on an interface without a static address of its subnet (and an interface
leaving that subnet, or going DHCP, under its VIPs), a static gateway
on an interface in DHCP mode, DHCP where a static gateway (and the routes
through it) names the interface, leaving DHCP while WAN_DHCP is in use.
The dynamic gateway WAN_DHCP exists while wan is in DHCP mode: the
gateway search lists it and routes may use it. interfaces/overview
answers in OPNsense's shape; the parent refuses a malformed lease event.
track6 takes a prefix only from a dhcp6 interface that asks for one, with
a prefix id that fits it, and that interface cannot stop asking while
tracked.

    python3 tests/api/daemon_dhcp.py [-k substring]
    TW_BIN=build/asan/twinwall python3 tests/api/daemon_dhcp.py

Prints "PASS name" / "FAIL name: reason"; exits 1 when anything failed.
"""
import os
import sys
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
from twdaemon import Daemon  # noqa: E402

D = None


def daemon():
    global D
    if D is None:
        D = Daemon("dhcp", auto_key=True, key_descr="dhcp").start()
    return D


def refused(method, path, body, field, words):
    """The request is refused as OPNsense refuses (HTTP 200, result
    failed) with a message for field holding words."""
    r = daemon().request(method, path, body=body)
    assert r.status == 200 and (r.json or {}).get("result") == "failed", r
    msg = (r.json or {}).get("validations", {}).get(field)
    assert msg is not None, "no message for %s: %r" % (field, r.json)
    for w in words:
        assert w in msg, "%r not in %r" % (w, msg)
    return msg


def uuid_of(path, key, value):
    j = daemon().ok("POST", path, {"rowCount": -1})
    for r in j["rows"]:
        if r.get(key) == value:
            return r["uuid"]
    raise AssertionError("no %s=%s in %s" % (key, value, path))


def test_carp_vip_on_dhcp_wan():
    refused("POST", "/api/interfaces/vip_settings/add_item", {"vip": {
        "mode": "carp", "interface": "wan", "subnet": "203.0.113.10",
        "subnet_bits": "24", "vhid": "3", "password": "pw"}},
        "vip.interface", ["static IPv4 address", "wan", "dhcp"])


def test_carp_vip_outside_subnet():
    refused("POST", "/api/interfaces/vip_settings/add_item", {"vip": {
        "mode": "carp", "interface": "lan", "subnet": "10.9.9.9",
        "subnet_bits": "24", "vhid": "4", "password": "pw"}},
        "vip.subnet", ["not in the subnet", "192.168.1.1/24"])
    # In the subnet it is fine ...
    daemon().ok("POST", "/api/interfaces/vip_settings/add_item", {"vip": {
        "mode": "carp", "interface": "lan", "subnet": "192.168.1.9",
        "subnet_bits": "24", "vhid": "4", "password": "pw"}})
    # ... and the interface may not move away from it, nor go DHCP.
    refused("POST", "/api/interfaces/settings/set_item/lan", {"interface": {
        "ipaddr": "10.1.1.1", "subnet": "24"}}, "interface.ipaddr",
        ["CARP VIP 192.168.1.9", "10.1.1.1/24"])
    refused("POST", "/api/interfaces/settings/set_item/lan", {"interface": {
        "ipaddr": "dhcp", "subnet": ""}}, "interface.ipaddr",
        ["CARP VIP 192.168.1.9 needs a static address"])


def test_static_gateway_on_dhcp_wan():
    refused("POST", "/api/routing/settings/add_gateway", {"gateway": {
        "name": "WAN_GW", "interface": "wan", "gateway": "203.0.113.1"}},
        "gateway.gateway", ["DHCP", "WAN_DHCP"])


def test_wan_dhcp_listed_and_routable():
    j = daemon().ok("GET", "/api/routing/settings/search_gateway")
    dyn = [r for r in j["rows"] if r["name"] == "WAN_DHCP"]
    assert len(dyn) == 1 and dyn[0]["gateway"] == "dynamic" and \
        dyn[0]["interface"] == "wan" and j["total"] == len(j["rows"]), j
    daemon().ok("POST", "/api/routes/routes/addroute", {"route": {
        "network": "198.51.100.0/24", "gateway": "WAN_DHCP"}})
    # Leaving DHCP would strand the route.
    refused("POST", "/api/interfaces/settings/set_item/wan", {"interface": {
        "ipaddr": "203.0.113.2", "subnet": "24"}}, "interface.ipaddr",
        ["WAN_DHCP", "route 198.51.100.0/24"])
    daemon().ok("POST", "/api/routes/routes/delroute/" + uuid_of(
        "/api/routes/routes/searchroute", "network", "198.51.100.0/24"))


def test_dhcp_refused_where_static_gateway():
    d = daemon()
    d.ok("POST", "/api/interfaces/settings/set_item/wan", {"interface": {
        "ipaddr": "203.0.113.2", "subnet": "24"}})
    d.ok("POST", "/api/routing/settings/add_gateway", {"gateway": {
        "name": "WAN_GW", "interface": "wan", "gateway": "203.0.113.1"}})
    d.ok("POST", "/api/routes/routes/addroute", {"route": {
        "network": "198.51.100.0/24", "gateway": "WAN_GW"}})
    refused("POST", "/api/interfaces/settings/set_item/wan", {"interface": {
        "ipaddr": "dhcp", "subnet": ""}}, "interface.ipaddr",
        ["WAN_GW (203.0.113.1)", "routes 198.51.100.0/24", "static"])
    # A dynamic gateway on a static interface is refused too.
    refused("POST", "/api/routing/settings/add_gateway", {"gateway": {
        "name": "WAN_DHCP", "interface": "wan", "gateway": "dynamic"}},
        "gateway.gateway", ["does not get its IPv4 address by DHCP"])
    j = d.ok("GET", "/api/routing/settings/search_gateway")
    assert not [r for r in j["rows"] if r["name"] == "WAN_DHCP"], j


def test_overview_shape():
    j = daemon().ok("GET", "/api/interfaces/overview/interfaces_info")
    assert j["total"] == len(j["rows"]) >= 2, j
    for r in j["rows"]:
        for k in ("identifier", "description", "device", "enabled",
                  "status", "link_type", "addr4", "addr6", "ipv4", "ipv6",
                  "gateways"):
            assert k in r, (k, r)
    lan = daemon().ok("GET", "/api/interfaces/overview/get_interface/lan")
    assert lan["identifier"] == "lan" and lan["link_type"] == "static", lan
    r = daemon().request("GET", "/api/interfaces/overview/get_interface/x9")
    assert r.status == 404, r


def test_overview_dhcp_without_device():
    d = daemon()
    d.ok("POST", "/api/interfaces/settings/add_item", {"interface": {
        "name": "opt3", "ipaddr": "dhcp"}})
    o = d.ok("GET", "/api/interfaces/overview/get_interface/opt3")
    assert o["link_type"] == "dhcp" and o["dhcp"]["lease"] is None and \
        o["dhcp"]["client"] == "no device", o


def test_event_checked_by_parent():
    d = daemon()
    for bad in ({"device": "wan0; reboot", "reason": "BOUND"},
                {"device": "wan0", "reason": "$(id)"},
                {"device": "wan0"}):
        req = dict(bad, type="dhcp", op="event")
        a = d.control(req)
        assert a["status"] == "failed", (bad, a)
    a = d.control({"type": "dhcp", "op": "event", "device": "nosuch0",
                   "reason": "BOUND"})
    assert a["status"] == "failed" and "no client" in a["message"], a


def test_track6_rules():
    d = daemon()
    refused("POST", "/api/interfaces/settings/set_item/lan", {"interface": {
        "ipaddrv6": "track6"}}, "interface.track6_interface",
        ["needs the interface"])
    refused("POST", "/api/interfaces/settings/set_item/lan", {"interface": {
        "ipaddrv6": "track6", "track6_interface": "lan"}},
        "interface.track6_interface", ["cannot track itself"])
    refused("POST", "/api/interfaces/settings/set_item/lan", {"interface": {
        "ipaddrv6": "track6", "track6_interface": "opt9"}},
        "interface.track6_interface", ["no interface opt9"])
    refused("POST", "/api/interfaces/settings/set_item/wan", {"interface": {
        "ipaddrv6": "dhcp6", "dhcp6_ia_pd_len": "17"}},
        "interface.dhcp6_ia_pd_len", [])
    d.ok("POST", "/api/interfaces/settings/set_item/wan", {"interface": {
        "ipaddrv6": "dhcp6", "dhcp6_ia_pd_len": "4"}})
    # A /60 holds ids 0-15.
    refused("POST", "/api/interfaces/settings/set_item/lan", {"interface": {
        "ipaddrv6": "track6", "track6_interface": "wan",
        "track6_prefix_id": "16"}}, "interface.track6_prefix_id",
        ["does not fit the /60", "0-15"])
    d.ok("POST", "/api/interfaces/settings/set_item/lan", {"interface": {
        "ipaddrv6": "track6", "track6_interface": "wan",
        "track6_prefix_id": "15"}})
    # Tracked: wan keeps asking, for a delegation the id fits in.
    refused("POST", "/api/interfaces/settings/set_item/wan", {"interface": {
        "ipaddrv6": "slaac"}}, "interface.ipaddrv6", ["lan tracks wan"])
    refused("POST", "/api/interfaces/settings/set_item/wan", {"interface": {
        "dhcp6_ia_pd_len": ""}}, "interface.dhcp6_ia_pd_len",
        ["lan tracks wan"])
    refused("POST", "/api/interfaces/settings/set_item/wan", {"interface": {
        "dhcp6_ia_pd_len": "2"}}, "interface.dhcp6_ia_pd_len",
        ["prefix id of lan", "/62"])
    j = d.ok("GET", "/api/interfaces/overview/get_interface/lan")
    assert j["link_type6"] == "track6", j
    d.ok("POST", "/api/interfaces/settings/set_item/lan", {"interface": {
        "ipaddrv6": "none"}})
    d.ok("POST", "/api/interfaces/settings/set_item/wan", {"interface": {
        "ipaddrv6": "none", "dhcp6_ia_pd_len": ""}})


TESTS = [test_track6_rules, test_carp_vip_on_dhcp_wan, test_carp_vip_outside_subnet,
         test_static_gateway_on_dhcp_wan, test_wan_dhcp_listed_and_routable,
         test_dhcp_refused_where_static_gateway, test_overview_shape,
         test_overview_dhcp_without_device, test_event_checked_by_parent]


def main():
    only = sys.argv[2] if len(sys.argv) > 2 and sys.argv[1] == "-k" else None
    passed = failed = 0
    try:
        for t in TESTS:
            name = t.__name__[5:]
            if only and only not in name:
                continue
            try:
                t()
                passed += 1
                print("PASS " + name)
            except Exception as e:
                failed += 1
                print("FAIL %s: %s" % (name, e))
                traceback.print_exc(file=sys.stdout)
            sys.stdout.flush()
    finally:
        if D is not None:
            if failed:
                print("# daemon log tail:\n" + "".join(
                    "#   " + l for l in
                    D.stderr().splitlines(True)[-30:]))
            D.cleanup()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
