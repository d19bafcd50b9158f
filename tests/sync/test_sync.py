#!/usr/bin/env python3
"""Configuration sync master -> backup between two real daemons on
loopback (own data dirs, own ports, TLS on, --platform dry), pushed by
the API, the CLI and cron, gated on every CARP VIP being MASTER.

    python3 tests/sync/test_sync.py [-k substring]     (TW_KEEP=1 keeps dirs)

Prints "PASS name" / "FAIL name: reason" and "N passed, N failed".
One cron test waits for the next minute (at most ~61 s).
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "lib"))
import twdaemon  # noqa: E402
from twdaemon import check  # noqa: E402

FILTER = "/api/firewall/filter/"
ALIAS = "/api/firewall/alias/"
VIP = "/api/interfaces/vip_settings/"
DNAT = "/api/firewall/d_nat/"
SNAT = "/api/firewall/source_nat/"
GW = "/api/routing/settings/"
HS = "/api/core/hasync_status/"
CARP_DISABLE = "/api/diagnostics/interface/carp_status/disable"
CARP_ENABLE = "/api/diagnostics/interface/carp_status/enable"
ITEMS = "rules,nat,aliases,virtualip"


class Env:
    pass


def rule(seq, descr, **kw):
    r = {"sequence": str(seq), "action": "pass", "interface": "lan",
         "protocol": "tcp", "destination_port": "443", "description": descr}
    r.update(kw)
    return r


def carp_vip(addr, vhid, advskew):
    return {"mode": "carp", "interface": "lan", "subnet": addr,
            "subnet_bits": "24", "vhid": str(vhid), "advskew": str(advskew),
            "password": "pw%d" % vhid, "descr": "vip %d" % vhid}


def set_hasync(m, peer, **kw):
    h = {"synchronizetoip": peer.url(), "username": peer.key,
         "password": peer.secret, "verifypeer": "0", "peerfingerprint": "",
         "syncitems": ITEMS}
    h.update(kw)
    m.ok("POST", "/api/core/hasync/set", {"hasync": h})


def sync(m, status=200):
    r = m.post(HS + "sync")
    check(r.status == status, "sync: want HTTP %d, got %r" % (status, r))
    return r.json


def wait_master(d, timeout=15):
    """The CARP engine elects after master-down time (3 x advbase)."""
    deadline = time.time() + timeout
    while True:
        j = d.ok("GET", "/api/diagnostics/interface/get_vip_status")
        st = [r.get("status") for r in j.get("rows", [])
              if r.get("mode", "carp") == "carp"]
        if all(s == "MASTER" for s in st):
            return
        check(time.time() < deadline, "%s: VIPs not MASTER after %d s: "
              "%r" % (d.name, timeout, st))
        time.sleep(0.2)


def by(rows, key):
    return {r[key]: r for r in rows}


def setup():
    e = Env()
    e.m = e.b = e.m2 = None
    try:
        return configure(e)
    except BaseException:
        for d in (e.m, e.b):
            if d is not None:
                sys.stdout.write(d.logtail(600))
                d.cleanup()
        raise


def configure(e):
    e.m = twdaemon.Daemon("master", tls=True, auto_key=True).start()
    e.b = twdaemon.Daemon("backup", tls=True, auto_key=True).start()
    m, b = e.m, e.b
    set_hasync(m, b)
    # Master: aliases, rules (one nosync), NAT, VIPs (CARP + an alias
    # without vhid, which stays local).
    m.add(ALIAS + "add_item", "alias", {"name": "web", "type": "host",
                                        "content": "10.0.0.1,10.0.0.2"})
    m.add(ALIAS + "add_item", "alias", {"name": "gone", "type": "port",
                                        "content": "8080"})
    m.add(FILTER + "add_rule", "rule", rule(10, "m web",
                                            destination_net="web"))
    m.add(FILTER + "add_rule", "rule", rule(11, "m dns", protocol="udp",
                                            destination_port="53"))
    m.add(FILTER + "add_rule", "rule", rule(12, "m only", nosync="1"))
    m.add(DNAT + "add_rule", "rule", {
        "interface": "wan", "protocol": "tcp", "destination_net": "wanip",
        "destination_port": "8080", "target": "192.168.1.10",
        "local_port": "80", "descr": "m fwd"})
    m.add(SNAT + "add_rule", "rule", {
        "interface": "wan", "source_net": "192.168.1.0/24",
        "target": "wanip", "description": "m snat"})
    e.vhid = {}
    for addr, vhid, skew in (("192.168.1.210", 10, 0),
                             ("192.168.1.211", 11, 200),
                             ("192.168.1.212", 12, 100)):
        e.vhid[vhid] = m.add(VIP + "add_item", "vip",
                             carp_vip(addr, vhid, skew))
    m.add(VIP + "add_item", "vip", {"mode": "ipalias", "interface": "lan",
                                    "subnet": "192.168.1.220",
                                    "subnet_bits": "24"})
    m.ok("POST", VIP + "reconfigure")      # the parent knows the VIPs
    # Backup: a nosync rule and an alias VIP of its own (kept), a rule
    # that the sync replaces, a gateway (section not synced: kept).
    e.b_own = b.add(FILTER + "add_rule", "rule",
                    rule(5, "b only", nosync="1"))
    b.add(FILTER + "add_rule", "rule", rule(6, "b replaced"))
    b.add(VIP + "add_item", "vip", {"mode": "ipalias", "interface": "lan",
                                    "subnet": "192.168.1.230",
                                    "subnet_bits": "24"})
    b.add(GW + "add_gateway", "gateway", {"name": "BGW", "interface": "lan",
                                          "gateway": "192.168.1.254"})
    b.ok("POST", FILTER + "apply")
    # The scheduler starts with the first hasync_status request (see
    # webapi/handlers_hasync.c) unless the daemon started it already.
    m.ok("GET", HS + "last")
    wait_master(m)
    return e


def t_sync_copies_sections(e):
    m, b = e.m, e.b
    before = b.rendered()
    j = sync(m)
    check(j["status"] == "ok", j)
    check(j["trigger"] == "api", j)
    check(j["local_hash"] == j["peer_hash"], "hashes differ: %r" % j)
    check(j["verified"] is False and "NOT verified" in j["message"], j)
    check(sorted(j["sections"]) == sorted(
        ["aliases", "dnat_rules", "filter_rules", "snat", "snat_rules",
         "vips"]), j["sections"])
    synced = [r for r in m.rows(FILTER + "search_rule") if r["nosync"] != "1"]
    check(j["counts"]["filter_rules"] == len(synced) and
          j["counts"]["vips"] == 3 and j["counts"]["aliases"] == 2,
          j["counts"])
    # aliases: exactly the master's
    ma = by(m.rows(ALIAS + "search_item"), "name")
    ba = by(b.rows(ALIAS + "search_item"), "name")
    check(sorted(ba) == sorted(ma), "aliases %r vs %r" % (sorted(ba), sorted(ma)))
    check(ba["web"]["content"] == ma["web"]["content"], ba["web"])
    # rules: master's synced ones, the backup's nosync one, not the rest
    br = by(b.rows(FILTER + "search_rule"), "description")
    check("m web" in br and "m dns" in br, sorted(br))
    check("m only" not in br, "a nosync rule left the master")
    check("b only" in br and br["b only"]["uuid"] == e.b_own,
          "the backup's nosync rule is gone: %r" % sorted(br))
    check("b replaced" not in br, "the backup's synced section kept %r" %
          sorted(br))
    check("m only" in by(m.rows(FILTER + "search_rule"), "description"),
          "the master lost its nosync rule")
    # NAT
    check("m fwd" in by(b.rows(DNAT + "search_rule"), "descr"), "dnat")
    check("m snat" in by(b.rows(SNAT + "search_rule"), "description"),
          "snat")
    # VIPs: advskew + 100 capped at 254; local VIPs without vhid
    bv = by(b.rows(VIP + "search_item"), "subnet")
    check(bv["192.168.1.210"]["advskew"] == "100", bv["192.168.1.210"])
    check(bv["192.168.1.211"]["advskew"] == "254", bv["192.168.1.211"])
    check(bv["192.168.1.212"]["advskew"] == "200", bv["192.168.1.212"])
    check("192.168.1.230" in bv, "the backup's own alias VIP is gone")
    check("192.168.1.220" not in bv, "a VIP without vhid was sent")
    mv = by(m.rows(VIP + "search_item"), "subnet")
    check(mv["192.168.1.210"]["advskew"] == "0", "master's advskew changed")
    # the CARP password arrived (secrets are sent): the backup rendered it
    # sections not chosen are untouched
    check("BGW" in by(b.rows(GW + "search_gateway"), "name"), "gateways")
    # the backup applied
    st = b.status()
    check(st["dirty"] == [], "backup dirty: %r" % st["dirty"])
    after = b.rendered()
    check(after.get("twinwall.nft") != before.get("twinwall.nft"),
          "backup's rendered ruleset did not change")
    check(b"10.0.0.2" in after.get("twinwall.nft", b""),
          "alias content not rendered on the backup")
    snap = after.get("snapshot.json", b"")
    check(b"pw10" in snap, "CARP password did not reach the backup")
    # one revision on the backup
    rev = b.ok("GET", "/api/core/backup/list")["revisions"][0]
    check(rev["description"].startswith("merged ") and
          "from 127.0.0.1" in rev["description"], rev)
    # recorded on the master
    last = m.ok("GET", HS + "last")["rows"][0]
    check(last["status"] == "ok" and last["trigger"] == "api" and
          last["local_hash"] == j["local_hash"], last)


def t_drift(e):
    m = e.m
    d = m.ok("GET", HS + "drift")
    check(d["status"] == "in sync" and d["local"] == d["peer"], d)
    m.add(ALIAS + "add_item", "alias", {"name": "newer", "type": "host",
                                        "content": "10.9.9.9"})
    d = m.ok("GET", HS + "drift")
    check(d["status"] == "differs" and d["local"] != d["peer"], d)
    # A nosync edit on the master is not drift.
    sync(m)
    m.add(FILTER + "add_rule", "rule", rule(13, "m only 2", nosync="1"))
    d = m.ok("GET", HS + "drift")
    check(d["status"] == "in sync", "nosync edit counted as drift: %r" % d)


def t_deletions_propagate(e):
    m, b = e.m, e.b
    uuid = by(m.rows(ALIAS + "search_item"), "name")["gone"]["uuid"]
    m.ok("POST", ALIAS + "del_item/" + uuid)
    sync(m)
    check("gone" not in by(b.rows(ALIAS + "search_item"), "name"),
          "a deleted alias stayed on the backup")
    # an empty section is sent empty
    for r in m.rows(DNAT + "search_rule"):
        m.ok("POST", DNAT + "del_rule/" + r["uuid"])
    sync(m)
    check(b.rows(DNAT + "search_rule") == [], "dnat rules stayed")


def failing_sync(e, words, **hasync):
    m, b = e.m, e.b
    set_hasync(m, b, **hasync)
    try:
        return failing_sync_1(m, b, words)
    finally:
        set_hasync(m, b)


def failing_sync_1(m, b, words):
    m.add(ALIAS + "add_item", "alias", {"name": "x%d" % int(time.time() *
                                                           1000 % 1e6),
                                        "type": "host", "content": "10.1.1.1"})
    before = b.config_hash()
    files = b.rendered()
    j = sync(m, 502)
    check(j["status"] == "failed", j)
    for w in words:
        check(w in j["message"], "%r lacks %r" % (j["message"], w))
    check(b.config_hash() == before, "the backup changed")
    check(b.rendered() == files, "the backup applied")
    last = m.ok("GET", HS + "last")["rows"][0]
    check(last["status"] == "failed" and last["message"] == j["message"],
          last)
    return j


def t_wrong_credentials(e):
    failing_sync(e, ("authentication failed",), password="wrong-secret")
    failing_sync(e, ("authentication failed",), username="nobody")


def t_unreachable(e):
    port = twdaemon.free_port()
    failing_sync(e, ("127.0.0.1:%d" % port,),
                 synchronizetoip="https://127.0.0.1:%d" % port)


def t_bad_certificate(e):
    failing_sync(e, ("not trusted",), verifypeer="1")
    wrong = "ab" * 32
    failing_sync(e, ("does not match", e.b.fingerprint()),
                 peerfingerprint=wrong)


def t_pinned_certificate(e):
    m, b = e.m, e.b
    fp = b.fingerprint()
    colons = ":".join(fp[i:i + 2].upper() for i in range(0, 64, 2))
    set_hasync(m, b, peerfingerprint=colons)
    j = sync(m)
    check(j["verified"] is True and "NOT" not in j["message"], j)
    v = m.ok("GET", HS + "version")
    check(v["status"] == "ok" and v["verified"] is True and
          v["firmware"]["base"]["version"] == b.status()["version"], v)
    set_hasync(m, b)


def t_status_endpoints(e):
    m = e.m
    v = m.ok("GET", HS + "version")
    check(v["status"] == "ok" and "firmware" in v, v)
    s = m.ok("GET", HS + "services")
    check(s["status"] == "ok" and any(x["name"] == "filter"
                                      for x in s["rows"]), s)
    r = m.post(HS + "restart_all")
    check(r.status == 200 and r.json["status"] == "ok" and
          r.json["count"] == len(s["rows"]), r)
    last = m.ok("GET", HS + "last")["rows"]
    check(len(last) >= 2 and last[0]["epoch"] >= last[1]["epoch"],
          "not newest first")
    # a bare address means https://<it>:<this node's webgui_port>
    m.ok("POST", "/api/core/system/set", {"system": {
        "webgui_port": str(e.b.port)}})
    set_hasync(m, e.b, synchronizetoip="127.0.0.1")
    try:
        v = m.ok("GET", HS + "version")
        check(v["status"] == "ok" and v["peer"] ==
              "https://127.0.0.1:%d/xmlrpc.php" % e.b.port, v)
    finally:
        set_hasync(m, e.b)
    # the backup has no peer: a clear answer, not an error
    v = e.b.ok("GET", HS + "version")
    check(v["status"] == "failed" and "synchronizetoip" in v["message"], v)
    d = e.b.ok("GET", HS + "drift")
    check(d["status"] == "unknown", d)


def t_cli(e):
    m, b = e.m, e.b
    m.add(ALIAS + "add_item", "alias", {"name": "bycli", "type": "host",
                                        "content": "10.2.2.2"})
    out = m.cli("sync", "--data", m.datadir)
    check(out.returncode == 0, "twinwall sync: %d %s %s" % (
        out.returncode, out.stdout, out.stderr))
    check("synchronised" in out.stdout, out.stdout)
    check("bycli" in by(b.rows(ALIAS + "search_item"), "name"), "cli sync")
    last = m.ok("GET", HS + "last")["rows"][0]
    check(last["trigger"] == "cli" and last["status"] == "ok", last)


def carp_disable(d):
    r = d.post(CARP_DISABLE)
    check(r.status == 200, "%s needs POST %s (CARP status in the "
          "parent): %r" % (d.name, CARP_DISABLE, r))


def t_gate_refuses(e):
    m, b = e.m, e.b
    carp_disable(m)
    try:
        before = b.config_hash()
        j = sync(m, 409)
        check(j["status"] == "refused", j)
        for w in ("not MASTER", "192.168.1.210 (vhid 10, lan)"):
            check(w in j["message"], "%r lacks %r" % (j["message"], w))
        r = m.post(HS + "restart_all")
        check(r.status == 409, "restart_all: %r" % r)
        out = m.cli("sync", "--data", m.datadir)
        check(out.returncode == 3 and "not MASTER" in out.stderr and
              "vhid 11" in out.stderr, "cli: %d %s" % (out.returncode,
                                                        out.stderr))
        check(b.config_hash() == before, "the backup changed")
        last = m.ok("GET", HS + "last")["rows"][0]
        check(last["status"] == "refused" and last["trigger"] == "cli",
              last)
    finally:
        m.post(CARP_ENABLE)
    wait_master(m)
    j = sync(m)
    check(j["status"] == "ok", "after enable: %r" % j)


def t_cron(e):
    """One wait for the next minute: the master's job syncs, a second
    master with CARP disabled refuses from cron."""
    m, b = e.m, e.b
    e.m2 = m2 = twdaemon.Daemon("master2", tls=True, auto_key=True).start()
    set_hasync(m2, b, syncitems="aliases")
    m2.add(VIP + "add_item", "vip", carp_vip("192.168.1.240", 40, 0))
    m2.ok("POST", VIP + "reconfigure")
    carp_disable(m2)
    job = {"minute": "*", "hour": "*", "day": "*", "month": "*",
           "weekday": "*", "command": "ha_sync", "descr": "every minute"}
    m.add("/api/core/cron/add_job", "job", job)
    m2.add("/api/core/cron/add_job", "job", job)
    m.add(ALIAS + "add_item", "alias", {"name": "bycron", "type": "host",
                                        "content": "10.3.3.3"})
    for d in (m, m2):
        d.ok("GET", HS + "last")        # starts a lazy scheduler
    deadline = time.time() + 66
    got = {}
    while time.time() < deadline and len(got) < 2:
        for d in (m, m2):
            rows = [r for r in d.ok("GET", HS + "last")["rows"]
                    if r["trigger"] == "cron"]
            if rows:
                got[d.name] = rows[0]
        time.sleep(0.5)
    check("master" in got, "no cron run on the master within 66 s")
    check("master2" in got, "no cron run on master2 within 66 s")
    r = got["master"]
    check(r["status"] == "ok", r)
    check(r["epoch"] % 60 < 30, "ran late in its minute: %r" % r["time"])
    check("bycron" in by(b.rows(ALIAS + "search_item"), "name"),
          "cron sync did not reach the backup")
    r2 = got["master2"]
    check(r2["status"] == "refused" and "192.168.1.240 (vhid 40, lan)" in
          r2["message"], r2)


def add_syncer(d):
    d.ok("POST", "/api/core/user/add_user", {"user": {
        "name": "syncer", "password": "Sync-er-pass-1", "scope": "admin",
        "descr": "the account the master syncs as"}})


def t_users_keep_sync_account(e):
    """A users section without the account the sync logs in as is
    refused, with nothing changed: accepted, it would drop the account's
    API key and every later sync would fail to log in."""
    m, b = e.m, e.b
    add_syncer(b)
    key, secret = b.make_key(user="syncer")
    set_hasync(m, b, username=key, password=secret, syncitems="users")
    try:
        j = failing_sync_1(m, b, ("syncer, the account this sync logs in",))
        check("nothing changed" in j["message"], j)
        check("syncer" in by(b.rows("/api/core/user/search_user"), "name"),
              "the backup lost syncer")
        add_syncer(m)		# the master has it too: accepted
        r = m.post(HS + "sync")
        check(r.status == 200, r.json.get("message") if r.json else r)
        j = r.json
        check("syncer" in by(b.rows("/api/core/user/search_user"), "name"),
              "the backup lost syncer")
        check(sync(m)["status"] == "ok", "a second sync as syncer failed")
    finally:
        set_hasync(m, b)


TESTS = [
    ("sync_copies_chosen_sections", t_sync_copies_sections),
    ("drift", t_drift),
    ("deletions_propagate", t_deletions_propagate),
    ("wrong_credentials_change_nothing", t_wrong_credentials),
    ("unreachable_peer_changes_nothing", t_unreachable),
    ("bad_certificate_changes_nothing", t_bad_certificate),
    ("pinned_certificate", t_pinned_certificate),
    ("status_endpoints", t_status_endpoints),
    ("cli_sync", t_cli),
    ("gate_refuses_api_cli", t_gate_refuses),
    ("cron_sync_and_gate", t_cron),
    ("users_keep_sync_account", t_users_keep_sync_account),
]


def main():
    return twdaemon.run_main(TESTS, setup, lambda e: (
        getattr(e, "m", None), getattr(e, "b", None), getattr(e, "m2", None)))


if __name__ == "__main__":
    sys.exit(main())
