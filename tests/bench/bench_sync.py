#!/usr/bin/env python3
"""bench_sync.py — end-to-end configuration sync of 10,000 filter rules
from a master to a backup daemon over TLS (loopback, --platform dry),
including the backup's merge, revision and apply (filter_configure).

Floor, measured in the same run: `twinwall import` of the same 10,000
rules into a local store (cfg_restore plus process start). Target: the
sync < 2 s. A miss is reported, not failed.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
import twdaemon  # noqa: E402

NRULES = 10000
TARGET = 2.0


def snapshot_with_rules(datadir, path):
    """Writes a snapshot: the factory configuration + NRULES rules."""
    out = subprocess.run([twdaemon.BIN, "export", "--data", datadir],
                         capture_output=True, text=True, cwd=ROOT, check=True)
    snap = json.loads(out.stdout)
    rules = snap["sections"]["filter_rules"]
    for i in range(NRULES - len(rules)):
        rules.append({
            "sequence": str(100 + i), "enabled": "1",
            "action": "block" if i % 3 else "pass", "quick": "1",
            "interface": "lan" if i % 2 else "wan", "direction": "in",
            "ipprotocol": "inet", "protocol": "tcp",
            "source_net": "10.%d.%d.0/24" % (i // 250 % 250, i % 250),
            "destination_net": "any",
            "destination_port": str(1024 + i % 60000),
            "log": "0", "statetype": "keep", "nosync": "0",
            "description": "bench rule %d" % i})
    with open(path, "w") as f:
        json.dump({"format": 1, "sections": {"filter_rules": rules}}, f)


def main():
    if not os.access(twdaemon.BIN, os.X_OK):
        print("bench_sync: SKIPPED (no %s)" % twdaemon.BIN)
        return 0
    tmp = tempfile.mkdtemp(prefix="tw-bench-sync-")
    m = twdaemon.Daemon("master", tls=True, auto_key=True)
    b = twdaemon.Daemon("backup", tls=True, auto_key=True)
    try:
        # the floor: import the same rules into a fresh local store
        floordir = os.path.join(tmp, "floor")
        os.mkdir(floordir)
        subprocess.run([twdaemon.BIN, "apikey", "--data", floordir, "--user",
                        "root"], capture_output=True, cwd=ROOT)
        snap = os.path.join(tmp, "rules.json")
        snapshot_with_rules(floordir, snap)
        t0 = time.time()
        r = subprocess.run([twdaemon.BIN, "import", "--data", floordir, snap],
                           capture_output=True, text=True, cwd=ROOT)
        floor = time.time() - t0
        if r.returncode != 0:
            print("bench_sync: import failed: %s" % r.stderr[-400:])
            return 0
        # the master holds the rules before it starts
        r = subprocess.run([twdaemon.BIN, "import", "--data", m.datadir, snap],
                           capture_output=True, text=True, cwd=ROOT)
        if r.returncode != 0:
            print("bench_sync: import on the master failed: %s" %
                  r.stderr[-400:])
            return 0
        m.start()
        b.start()
        m.ok("POST", "/api/core/hasync/set", {"hasync": {
            "synchronizetoip": b.url(), "username": b.key,
            "password": b.secret, "verifypeer": "0",
            "peerfingerprint": b.fingerprint(), "syncitems": "rules"}})
        t0 = time.time()
        res = m.post("/api/core/hasync_status/sync", timeout=300)
        took = time.time() - t0
        if res.status != 200:
            print("bench_sync: sync failed: %r" % res)
            print(m.logtail(800))
            return 0
        n = res.json["counts"]["filter_rules"]
        dirty = b.status()["dirty"]
        print("== sync (XML-RPC over TLS, loopback, backup applies) ==")
        print("%-40s %10s %10s  %s" % ("figure", "value", "ratio", "target"))
        print("%-40s %9.2f s %10s  %s" % (
            "floor: import of %d rules (CLI)" % n, floor, "1.00", "(floor)"))
        print("%-40s %9.2f s %9.2fx  < %.0f s %s" % (
            "sync of %d rules, end to end" % n, took, took / floor, TARGET,
            "ok" if took < TARGET else "MISSED"))
        print("%-40s %10s" % ("backup dirty after the sync",
                              ",".join(dirty) or "none"))
        print("%-40s %10s" % ("hashes equal", res.json["local_hash"] ==
                              res.json["peer_hash"]))
    finally:
        m.cleanup()
        b.cleanup()
        subprocess.run(["rm", "-rf", tmp])
    return 0


if __name__ == "__main__":
    sys.exit(main())
