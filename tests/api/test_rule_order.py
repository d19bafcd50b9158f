#!/usr/bin/env python3
"""Rules of equal sequence keep the order of their creation, as OPNsense's
model keeps insertion order: in the search list (the GUI's), in the
rendered nftables and pf rulesets, through a config.xml export and import,
through a JSON backup and restore, and on a backup node after a sync.

Pairs of filter rules share one sequence number: "quick pass then quick
block" and the reverse. uuids are random, so pairs are added until some of
each kind have their uuids in the opposite order of creation (the order
the store used before schema 003).

    python3 tests/api/test_rule_order.py [-k substring]

Prints "PASS name" / "FAIL name: reason" and "N passed, N failed".
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "lib"))
import twdaemon  # noqa: E402
from twdaemon import check  # noqa: E402

FILTER = "/api/firewall/filter/"
SNAT = "/api/firewall/source_nat/"
DNAT = "/api/firewall/d_nat/"
HS = "/api/core/hasync_status/"


class Env:
    pass


def frule(seq, action, port, descr):
    return {"sequence": str(seq), "action": action, "quick": "1",
            "interface": "lan", "direction": "in", "ipprotocol": "inet",
            "protocol": "tcp", "destination_port": str(port),
            "description": descr}


def add_pairs(d):
    """[(first uuid, second uuid, first action)] over pairs of one
    sequence each; enough that the uuid order is wrong for >= 2 of each."""
    pairs = []
    inverted = {"pass": 0, "block": 0}
    i = 0
    while min(inverted.values()) < 2:
        check(i < 64, "uuids kept their creation order 64 times")
        first, second = ("pass", "block") if i % 2 == 0 else \
            ("block", "pass")
        seq, port = 500 + i, 7000 + i
        u1 = d.add(FILTER + "add_rule", "rule",
                   frule(seq, first, port, "p%d %s first" % (i, first)))
        u2 = d.add(FILTER + "add_rule", "rule",
                   frule(seq, second, port, "p%d %s second" % (i, second)))
        if u1 > u2:
            inverted[first] += 1
        pairs.append((u1, u2, first))
        i += 1
    return pairs


def check_list(d, pairs, what):
    rows = d.rows(FILTER + "search_rule")
    pos = {r["uuid"]: k for k, r in enumerate(rows)}
    for u1, u2, first in pairs:
        check(u1 in pos and u2 in pos, "%s: a rule is missing" % what)
        check(pos[u1] < pos[u2], "%s: the %s rule created first is listed "
              "after the one created second" % (what, first))
    return rows


def check_text(text, pairs, what):
    for u1, u2, first in pairs:
        a, b = text.find(u1), text.find(u2)
        check(a != -1 and b != -1, "%s: a rule is not rendered" % what)
        check(a < b, "%s: the %s rule created first comes second" %
              (what, first))


def setup():
    e = Env()
    e.m = e.b = None
    e.tmp = tempfile.mkdtemp(prefix="tw-order-")
    e.m = twdaemon.Daemon("order", auto_key=True).start()
    e.b = twdaemon.Daemon("order-backup", auto_key=True).start()
    m = e.m
    m.ok("POST", "/api/interfaces/settings/set_item/lan",
         {"interface": {"device": "lan0"}})
    m.ok("POST", "/api/interfaces/settings/set_item/wan",
         {"interface": {"device": "wan0"}})
    e.pairs = add_pairs(m)
    # Source NAT (rendered in hybrid mode) and port forwards of one
    # sequence, too.
    m.ok("POST", SNAT + "set", {"snat": {"mode": "hybrid"}})
    e.snat = [m.add(SNAT + "add_rule", "rule", {
        "sequence": "50", "interface": "wan", "source_net": src,
        "target": "wanip", "description": "snat %s" % src})
        for src in ("192.168.1.0/24", "192.168.1.0/25", "192.168.1.0/26",
                    "192.168.1.0/27", "192.168.1.0/28")]
    e.dnat = [m.add(DNAT + "add_rule", "rule", {
        "sequence": "50", "interface": "wan", "protocol": "tcp",
        "destination_net": "wanip", "destination_port": "8080",
        "target": "192.168.1.%d" % k, "local_port": "80",
        "descr": "fwd %d" % k}) for k in range(10, 15)]
    m.ok("POST", FILTER + "apply")
    return e


def t_search_list(e):
    check_list(e.m, e.pairs, "search_rule")
    # Sorting by another column keeps creation order within its ties.
    rows = e.m.ok("GET", FILTER + "search_rule?rowCount=-1&sort[sequence]="
                  "asc")["rows"]
    pos = {r["uuid"]: k for k, r in enumerate(rows)}
    for u1, u2, _ in e.pairs:
        check(pos[u1] < pos[u2], "sort[sequence]: creation order lost")
    for path, uuids in ((SNAT + "search_rule", e.snat),
                        (DNAT + "search_rule", e.dnat)):
        got = [r["uuid"] for r in e.m.rows(path) if r["uuid"] in uuids]
        check(got == uuids, "%s: %r is not the order of creation" %
              (path, got))


def t_rendered(e):
    r = e.m.rendered()
    nft = r["twinwall.nft"].decode()
    check_text(nft, e.pairs, "twinwall.nft")
    check_text(r["pf.conf"].decode(), e.pairs, "pf.conf")
    for uuids in (e.snat, e.dnat):
        check_text(nft, [(uuids[k], uuids[k + 1], "nat")
                         for k in range(len(uuids) - 1)], "nat")
    if os.geteuid() == 0 and shutil.which("nft"):
        path = os.path.join(e.tmp, "order.nft")
        with open(path, "w") as f:
            f.write(nft)
        p = subprocess.run(["nft", "-c", "-f", path], capture_output=True,
                           text=True)
        check(p.returncode == 0, "nft -c: %s" % p.stderr[:600])


def t_toggle_and_edit_keep_order(e):
    """An edit (set_rule, toggle_rule) is not a new creation."""
    m = e.m
    u1, u2, _ = e.pairs[0]
    m.ok("POST", FILTER + "toggle_rule/%s/0" % u1)
    m.ok("POST", FILTER + "toggle_rule/%s/1" % u1)
    m.ok("POST", FILTER + "set_rule/%s" % u1,
         {"rule": {"description": "p0 pass first, edited"}})
    check_list(m, e.pairs, "after edits")


def t_config_xml_round_trip(e):
    xml = os.path.join(e.tmp, "config.xml")
    p = e.m.cli("export-xml", "--data", e.m.dir, xml)
    check(p.returncode == 0, "export-xml: %s" % p.stderr[-600:])
    d = twdaemon.Daemon("order-import", auto_key=False)
    try:
        p = d.cli("import-xml", "--data", d.dir, xml)
        check(p.returncode == 0, "import-xml: %s%s" % (p.stdout[-600:],
                                                      p.stderr[-600:]))
        d.start()
        d.key, d.secret = d.make_key()
        check_list(d, e.pairs, "imported config.xml")
    finally:
        d.stop()
        d.cleanup()


def t_backup_restore(e):
    m = e.m
    # The JSON export restored into a fresh store: the order travels.
    js = os.path.join(e.tmp, "export.json")
    p = m.cli("export", "--data", m.dir, js)
    check(p.returncode == 0, "export: %s" % p.stderr[-600:])
    d = twdaemon.Daemon("order-restore", auto_key=False)
    try:
        p = d.cli("import", "--data", d.dir, js)
        check(p.returncode == 0, "import: %s" % p.stderr[-600:])
        d.start()
        d.key, d.secret = d.make_key()
        check_list(d, e.pairs, "restored export")
    finally:
        d.stop()
        d.cleanup()


def t_synced_backup(e):
    m, b = e.m, e.b
    m.ok("POST", "/api/core/hasync/set", {"hasync": {
        "synchronizetoip": b.url(), "username": b.key, "password": b.secret,
        "verifypeer": "0", "syncitems": "rules,nat"}})
    r = m.post(HS + "sync")
    check(r.status == 200 and r.json.get("status") == "ok",
          "sync: %r" % r)
    check(r.json["local_hash"] == r.json["peer_hash"], r.json)
    rows = check_list(b, e.pairs, "synced backup")
    mine = [x["uuid"] for x in m.rows(FILTER + "search_rule")]
    check([x["uuid"] for x in rows] == mine, "backup's order differs")
    got = [x["uuid"] for x in b.rows(SNAT + "search_rule")]
    check(got == e.snat, "backup's source NAT order differs")
    check_text(b.rendered()["twinwall.nft"].decode(), e.pairs,
               "backup's twinwall.nft")


def main():
    tests = [(n[2:], f) for n, f in sorted(globals().items())
             if n.startswith("t_") and callable(f)]
    order = ["search_list", "rendered", "toggle_and_edit_keep_order",
             "config_xml_round_trip", "backup_restore", "synced_backup"]
    tests.sort(key=lambda t: order.index(t[0]))

    def daemons(env):
        shutil.rmtree(env.tmp, ignore_errors=True)
        return [env.m, env.b]

    return twdaemon.run_main(tests, setup, daemons)


if __name__ == "__main__":
    sys.exit(main())
