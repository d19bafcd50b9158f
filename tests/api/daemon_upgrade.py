#!/usr/bin/env python3
"""Upgrade: this binary opens the stores earlier releases wrote.

For every tests/fixtures/store-VERSION/ (made by make_store.sh with that
release's binary): a copy of its twinwall.db is opened by this binary,
which migrates it to the newest schema compiled in; every value of the
release's export.json reads back the same (a newer schema may add
fields: only the old ones are compared); `twinwall check` passes; the
daemon serves it (the release's API key still authenticates, the rules
are listed) and applies it (dry platform: the rendered ruleset, checked
by `nft -c` as root). A store with a schema version newer than this
binary knows is refused, by `check` and by the daemon, with a message
that says so, and is left unchanged. Python standard library only.

    python3 tests/api/daemon_upgrade.py [-k substring]
"""
import glob
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
from twdaemon import BIN, Daemon, Skip, check, run_tests  # noqa: E402

FIXTURES = sorted(glob.glob(os.path.join(ROOT, "tests", "fixtures", "store-*")))
IS_ROOT = os.geteuid() == 0


def tw(*args):
    return subprocess.run([BIN] + list(args), capture_output=True, text=True,
                          timeout=120, cwd=ROOT)


def newest_schema():
    """The highest NNN of schema/NNN_*.sql: what this binary compiles in."""
    return max(int(os.path.basename(p).split("_")[0])
               for p in glob.glob(os.path.join(ROOT, "schema", "*.sql")))


def copy_store(fixture):
    """A fresh data directory holding a copy of the fixture's store."""
    d = tempfile.mkdtemp(prefix="tw-upgrade-")
    if IS_ROOT:
        os.chmod(d, 0o755)	# the API child walks through it
    shutil.copy(os.path.join(fixture, "twinwall.db"), d)
    return d


def schema_version(db):
    c = sqlite3.connect(db)
    try:
        return c.execute("SELECT max(version) FROM schema_version").fetchone()[0]
    finally:
        c.close()


# Values of the old factory that were shown and never in force: the
# migration to "the host's own" (schema 003) blanks them on purpose.
BLANKED = {("sections.system.hostname", "twinwall"),
           ("sections.system.domain", "localdomain"),
           ("sections.system.timezone", "Etc/UTC"),
           ("sections.system.webgui_protocol", "https"),
           ("sections.system.webgui_port", "443")}


def same_or_more(old, new, path, diffs):
    """Every value of old is in new, equal; new may have more keys."""
    if isinstance(old, dict):
        if not isinstance(new, dict):
            diffs.append("%s: %r became %r" % (path, old, new))
            return
        for k, v in old.items():
            if k not in new:
                diffs.append("%s.%s: missing" % (path, k))
            else:
                same_or_more(v, new[k], "%s.%s" % (path, k), diffs)
    elif isinstance(old, list):
        # Items are matched by uuid, else by position.
        if old and all(isinstance(x, dict) and "uuid" in x for x in old):
            by = {x.get("uuid"): x for x in new if isinstance(x, dict)}
            for x in old:
                if x["uuid"] not in by:
                    diffs.append("%s[%s]: missing" % (path, x["uuid"]))
                else:
                    same_or_more(x, by[x["uuid"]], "%s[%s]" % (
                        path, x["uuid"]), diffs)
        elif len(old) != len(new if isinstance(new, list) else []):
            diffs.append("%s: %r became %r" % (path, old, new))
        else:
            for i, (a, b) in enumerate(zip(old, new)):
                same_or_more(a, b, "%s[%d]" % (path, i), diffs)
    elif old != new and not (new == "" and (path, old) in BLANKED):
        diffs.append("%s: %r became %r" % (path, old, new))


def t_migrates_and_reads_back(env):
    for fx in FIXTURES:
        d = copy_store(fx)
        env["dirs"].append(d)
        db = os.path.join(d, "twinwall.db")
        before = schema_version(db)
        out = os.path.join(d, "export.json")
        p = tw("export", "--data", d, out)
        check(p.returncode == 0, "%s: export exited %d: %s" % (
            fx, p.returncode, p.stderr))
        check(schema_version(db) == newest_schema(),
              "%s: schema %s -> %s after opening, want %d" % (
                  fx, before, schema_version(db), newest_schema()))
        with open(os.path.join(fx, "export.json")) as f:
            old = json.load(f)
        with open(out) as f:
            new = json.load(f)
        diffs = []
        same_or_more(old["sections"], new["sections"], "sections", diffs)
        check(not diffs, "%s: %d difference(s): %s" % (
            fx, len(diffs), "; ".join(diffs[:8])))
        # Something to compare: the fixture is a populated configuration.
        s = old["sections"]
        for sec in ("filter_rules", "aliases", "vips", "snat_rules",
                    "dnat_rules", "users", "cron_jobs", "routes"):
            check(len(s.get(sec) or []) > 0, "%s: fixture has no %s" % (fx, sec))
        # Opened again: nothing more to migrate, nothing changes.
        h = hashlib.sha256(json.dumps(new, sort_keys=True).encode()).digest()
        p = tw("export", "--data", d, out)
        with open(out) as f:
            h2 = hashlib.sha256(json.dumps(json.load(f),
                                           sort_keys=True).encode()).digest()
        check(p.returncode == 0 and h == h2, "%s: a second open changed the "
              "configuration" % fx)


# Rules added since a fixture's release that its configuration breaks:
# check must name these (an upgraded store is told what to fix), and
# nothing else. 0.3.0's full.xml has a DHCP WAN with static gateways,
# which cannot work and is refused since DHCP runs (issue 18).
NEWER_RULES = ("DHCP cannot work on", "DHCPv6/SLAAC cannot work on",
               "gets its IPv4 address by DHCP",
               "gets its IPv6 address by DHCPv6/SLAAC",
               "a CARP VIP needs a static")


def t_check_passes(env):
    for fx in FIXTURES:
        d = copy_store(fx)
        env["dirs"].append(d)
        p = tw("check", "--data", d)
        if p.returncode == 0:
            check("configuration OK" in p.stdout, p.stdout)
            continue
        bad = [l for l in p.stderr.splitlines() if l.startswith("  ") and
               not any(r in l for r in NEWER_RULES)]
        check(not bad and any(r in p.stderr for r in NEWER_RULES),
              "%s: check exited %d: %s %s" % (fx, p.returncode, p.stdout,
                                              p.stderr))


def t_daemon_serves_and_applies(env):
    for fx in FIXTURES:
        d = copy_store(fx)
        dm = Daemon("upgrade", datadir=d)
        env["daemons"].append(dm)
        dm.start()
        with open(os.path.join(fx, "apikey")) as f:
            dm.key, dm.secret = f.read().split()
        with open(os.path.join(fx, "export.json")) as f:
            old = json.load(f)["sections"]
        r = dm.get("/api/firewall/filter/search_rule?current=1&rowCount=-1")
        check(r.status == 200, "%s: the release's API key: HTTP %d %r" % (
            fx, r.status, r.raw[:200]))
        rows = r.json["rows"]
        want = {x["uuid"] for x in old["filter_rules"]}
        got = {x["uuid"] for x in rows}
        check(want <= got, "%s: rules missing after the upgrade: %s" % (
            fx, sorted(want - got)))
        r = dm.get("/api/firewall/alias/search_item?current=1&rowCount=-1")
        check(r.status == 200 and {x["name"] for x in old["aliases"]} <=
              {x["name"] for x in r.json["rows"]}, "%s: aliases %r" % (
                  fx, r.raw[:300]))
        for p in ("/api/firewall/alias/reconfigure", "/api/firewall/filter/apply",
                  "/api/firewall/source_nat/apply", "/api/firewall/d_nat/apply"):
            r = dm.post(p)
            check(r.status == 200 and r.json == {"status": "ok"},
                  "%s: %s: HTTP %d %r" % (fx, p, r.status, r.raw[:300]))
        nft = dm.rendered().get("twinwall.nft", b"")
        check(b"table" in nft, "%s: no rendered ruleset: %r" % (fx, list(
            dm.rendered())))
        for x in old["aliases"]:
            if x["enabled"] == "1":
                check(x["name"].encode() in nft, "%s: alias %s not in the "
                      "ruleset" % (fx, x["name"]))
        if IS_ROOT and shutil.which("nft"):
            path = os.path.join(d, "rendered", "twinwall.nft")
            p = subprocess.run(["nft", "-c", "-f", path], capture_output=True,
                               text=True, timeout=60)
            check(p.returncode == 0, "%s: nft -c refuses the ruleset: %s" % (
                fx, p.stderr[:500]))
        dm.stop()


def newer_store(fx):
    d = copy_store(fx)
    db = os.path.join(d, "twinwall.db")
    c = sqlite3.connect(db)
    c.execute("INSERT INTO schema_version (version, name, applied) "
              "VALUES (999, '999_from_the_future', 0)")
    c.commit()
    c.close()
    with open(db, "rb") as f:
        return d, db, hashlib.sha256(f.read()).hexdigest()


def t_newer_store_refused(env):
    fx = FIXTURES[-1]
    d, db, h = newer_store(fx)
    env["dirs"].append(d)
    p = tw("check", "--data", d)
    msg = p.stdout + p.stderr
    check(p.returncode != 0, "check accepted a store of schema 999: %s" % msg)
    check(re.search(r"schema version 999, newer than %d" % newest_schema(),
                    msg) and "newer twinwall" in msg,
          "the refusal does not say why: %r" % msg)
    for cmd in (("export", "--data", d), ("apikey", "--data", d, "--user",
                                           "root")):
        p = tw(*cmd)
        check(p.returncode != 0 and "newer" in p.stderr,
              "%s opened a newer store: %d %r" % (cmd[0], p.returncode,
                                                  p.stderr))
    with open(db, "rb") as f:
        check(hashlib.sha256(f.read()).hexdigest() == h,
              "the refused store was modified")


def t_newer_store_daemon_refuses(env):
    fx = FIXTURES[-1]
    d, db, h = newer_store(fx)
    dm = Daemon("newer", datadir=d)
    env["daemons"].append(dm)
    dm.start(wait=False)
    try:
        rc = dm.proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        raise AssertionError("the daemon runs on a store of schema 999")
    check(rc != 0, "the daemon exited %d on a newer store" % rc)
    check("newer than %d" % newest_schema() in dm.stderr(),
          "the daemon's log does not say why: %r" % dm.logtail(800))
    c = sqlite3.connect(db)
    n = c.execute("SELECT count(*) FROM schema_version WHERE version > 1 "
                  "AND version < 999").fetchone()[0]
    c.close()
    check(n == 0, "migrations were applied to a newer store")


TESTS = [
    ("fixture store migrates and reads back the same", t_migrates_and_reads_back),
    ("fixture store passes check, or names only newer rules", t_check_passes),
    ("daemon serves and applies the fixture store", t_daemon_serves_and_applies),
    ("store of a newer schema refused by the tools", t_newer_store_refused),
    ("store of a newer schema refused by the daemon",
     t_newer_store_daemon_refuses),
]


def main():
    if not FIXTURES:
        print("FAIL setup: no tests/fixtures/store-*")
        return 1
    if not os.access(BIN, os.X_OK):
        print("FAIL setup: no %s" % BIN)
        return 1

    def setup():
        return {"dirs": [], "daemons": []}

    def teardown(env, failed):
        san = []
        for dm in env["daemons"]:
            dm.stop()
            san += dm.san_reports()
            dm.cleanup(keep=failed and bool(os.environ.get("TW_KEEP")))
        for d in env["dirs"]:
            shutil.rmtree(d, ignore_errors=True)
        return san

    only = sys.argv[sys.argv.index("-k") + 1] if "-k" in sys.argv else None
    return run_tests(TESTS, setup, teardown, only)


if __name__ == "__main__":
    sys.exit(main())
