#!/usr/bin/env python3
"""CARP through the API on `twinwall daemon --platform dry`: the simulated
engine (the real FSM against a simulated peer, no sockets).

Checks: get_vip_status has OPNsense's shape; disable -> no VIP MASTER;
enable -> MASTER again; maintenance on -> survives a daemon restart ->
off -> MASTER; the timeline lists the transitions with their causes;
the parent's carp_status on control.sock (what the sync gate reads).
Python standard library only.

    python3 tests/api/daemon_carp.py
    TW_BIN=build/asan/twinwall python3 tests/api/daemon_carp.py

Prints "PASS name" / "FAIL name: reason", then "N passed, N failed";
exits 1 when anything failed.
"""
import os
import sys
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
from twdaemon import Daemon  # noqa: E402
# A lone simulated node: master-down = 3 x advbase + advskew/256 s.
SETTLE = 6.0


D = None


def daemon():
    """One daemon with two CARP VIPs (lan, wan) and an IP alias."""
    global D
    if D is None:
        D = Daemon("carp", auto_key=True, key_descr="carp").start()
        # A CARP VIP needs a static address of its subnet: the factory
        # wan is in DHCP mode.
        D.ok("POST", "/api/interfaces/settings/set_item/wan",
             {"interface": {"ipaddr": "203.0.113.1", "subnet": "24"}})
        for vip in ({"mode": "carp", "interface": "lan",
                     "subnet": "192.168.1.100", "subnet_bits": "24",
                     "vhid": "1", "advskew": "0", "password": "pw1"},
                    {"mode": "carp", "interface": "wan",
                     "subnet": "203.0.113.100", "subnet_bits": "24",
                     "vhid": "2", "advskew": "0", "password": "pw2"},
                    {"mode": "ipalias", "interface": "lan",
                     "subnet": "192.168.1.101", "subnet_bits": "24",
                     "vhid": "1"}):
            D.ok("POST", "/api/interfaces/vip_settings/add_item", {"vip": vip})
        j = D.ok("POST", "/api/interfaces/vip_settings/reconfigure", {})
        assert j.get("status") == "ok", j
        D.wait_all("MASTER")
    return D


def test_get_vip_status_shape():
    d = daemon()
    j = d.ok("GET", "/api/diagnostics/interface/get_vip_status")
    for k in ("total", "rowCount", "current", "rows", "carp"):
        assert k in j, (k, j)
    assert j["total"] == 3 and len(j["rows"]) == 3, j
    for r in j["rows"]:
        for k in ("interface", "vhid", "advbase", "advskew", "subnet",
                  "status", "mode", "vhid_txt"):
            assert k in r, (k, r)
        assert r["status"] in ("MASTER", "BACKUP", "INIT", "DISABLED"), r
        # Values are strings, as in OPNsense (subnet_bits was a number).
        assert all(isinstance(x, str) for x in r.values()), r
        assert r["subnet_bits"] == "24", r
    carp = [r for r in j["rows"] if r["mode"] == "carp"]
    assert {r["vhid"] for r in carp} == {"1", "2"}, carp
    assert carp[0]["vhid_txt"] == "%s (freq. 1/0)" % carp[0]["vhid"], carp
    # Ours: the liveness channel (off on the dry platform: no wire).
    lv = j["liveness"]
    assert lv["enabled"] is False and lv["peer"] == "off", lv
    assert lv["interval_ms"] == 50 and lv["multiplier"] == 3, lv
    assert lv["paths"] == [] and isinstance(lv["packets"]["replay"], int), lv
    c = dict(j["carp"])
    # What the engine is (real, simulated, no sockets): said since 71fddbf.
    assert c.pop("engine", "").startswith("simulated"), j["carp"]
    assert c == {"demotion": "0", "allow": "1", "maintenancemode": False,
                 "status_msg": ""}, c
    # Ours, beside OPNsense's shape: packets received and not obeyed.
    st = j["stats"]
    for k in ("accepted", "bad_hmac", "bad_ttl", "sent", "send_errors"):
        assert isinstance(st[k], int), (k, st)
    assert isinstance(st["proxyarp"], dict), st
    alias = [r for r in j["rows"] if r["mode"] == "ipalias"][0]
    assert alias["vhid"] == "1" and alias["status"] == "MASTER", alias


def test_parent_carp_status():
    d = daemon()
    a = d.control({"type": "carp_status"})
    assert a["status"] == "ok", a
    assert a["carp"]["simulated"] is True and a["carp"]["preempt"] is True, a
    v = [x for x in a["vips"] if x["vhid"] == 1 and x["mode"] == "carp"][0]
    assert v["interface"] == "lan" and v["subnet"] == "192.168.1.100", v
    assert v["subnet_bits"] == 24 and v["advbase"] == 1, v
    assert "bad_hmac" in a["stats"] and "sent" in a["stats"], a["stats"]
    bad = d.control({"type": "carp_set", "action": "explode"})
    assert bad["status"] == "failed", bad


def test_upstream_demotion_setting():
    """hasync demoteupstream: off by default; on, the dry platform has
    no liveness channel, so no peer information: never demoted, and the
    status says why. Refused without livenessenabled, naming the field."""
    d = daemon()
    up = d.ok("GET", "/api/diagnostics/interface/get_vip_status")["upstream"]
    assert up["enabled"] is False and up["demoted"] is False, up
    assert up["reason"].startswith("off"), up
    assert "demoteupstream" in d.ok("GET", "/api/core/hasync/get")["hasync"]
    r = d.request("POST", "/api/core/hasync/set", {"hasync": {
        "livenessenabled": "0", "demoteupstream": "1"}})
    body = r.raw.decode()
    assert r.status == 200 and '"failed"' in body and "demoteupstream" in \
        body, (r.status, body)
    d.ok("POST", "/api/core/hasync/set", {"hasync": {"demoteupstream": "1"}})
    d.ok("POST", "/api/core/hasync/reconfigure", {})
    deadline = time.time() + 5
    while True:
        j = d.ok("GET", "/api/diagnostics/interface/get_vip_status")
        up = j["upstream"]
        if up["enabled"] or time.time() > deadline:
            break
        time.sleep(0.2)
    assert up["enabled"] is True and up["demoted"] is False, up
    assert "liveness channel is off" in up["reason"], up
    assert up["peer"] == "unknown", up
    assert j["carp"]["demotion"] == "0", j["carp"]
    d.ok("POST", "/api/core/hasync/set", {"hasync": {"demoteupstream": "0"}})
    d.ok("POST", "/api/core/hasync/reconfigure", {})


def test_disable_enable():
    d = daemon()
    j = d.ok("POST", "/api/diagnostics/interface/carp_status/disable")
    assert j["status"] == "ok" and j["carp"]["allow"] == "0", j
    s = d.statuses()
    assert s and "MASTER" not in s, s
    assert all(x == "DISABLED" for x in s), s
    j = d.ok("GET", "/api/diagnostics/interface/get_vip_status")
    assert j["carp"]["allow"] == "0" and j["carp"]["status_msg"], j["carp"]
    j = d.ok("POST", "/api/diagnostics/interface/carp_status/enable")
    assert j["carp"]["allow"] == "1", j
    d.wait_all("MASTER")


def test_maintenance_survives_restart():
    d = daemon()
    j = d.ok("POST", "/api/diagnostics/interface/carp_status/maintenance/1")
    assert j["carp"]["maintenancemode"] is True, j
    assert j["carp"]["demotion"] == "239", j  # CARP_DEMOTE_MAINT
    d.wait_all("BACKUP", 3)
    d.stop()
    d.start()
    j = d.ok("GET", "/api/diagnostics/interface/get_vip_status")
    assert j["carp"]["maintenancemode"] is True, j["carp"]
    assert len(j["rows"]) == 3, "the stored VIPs are back after a restart"
    time.sleep(SETTLE)
    s = d.statuses()
    assert s and all(x == "BACKUP" for x in s), s
    # Without a value: a toggle (off again).
    j = d.ok("POST", "/api/diagnostics/interface/carp_status/maintenance")
    assert j["carp"]["maintenancemode"] is False, j
    d.wait_all("MASTER")
    r = d.request("POST", "/api/diagnostics/interface/carp_status/bogus")
    assert r.status == 404, r


def test_timeline_causes():
    d = daemon()
    j = d.ok("GET", "/api/core/hasync_status/timeline?limit=1000")
    assert j["total"] >= j["rowCount"] > 0, j
    rows = j["rows"]
    for r in rows:
        for k in ("time", "vhid", "interface", "from", "to", "cause"):
            assert k in r, (k, r)
    causes = " | ".join(r["cause"] for r in rows)
    for c in ("started", "master-down timer expired",
              "handed over (temporary disable)", "enabled"):
        assert c in causes, (c, causes)
    times = [r["time"] for r in rows]
    assert times == sorted(times, reverse=True), "newest first"
    j = d.ok("GET", "/api/core/hasync_status/timeline?limit=2")
    assert j["rowCount"] == 2, j


# The timeline is the running parent's: read it before the restart.
TESTS = [test_get_vip_status_shape, test_parent_carp_status,
         test_upstream_demotion_setting, test_disable_enable, test_timeline_causes,
         test_maintenance_survives_restart]


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
