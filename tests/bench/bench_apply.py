#!/usr/bin/env python3
"""bench_apply.py — render + apply of a large ruleset (issue 3).

10,000 filter rules and 20 aliases of 5,000 addresses each are imported
into a store; a real daemon (--platform linux) runs in a fresh network
namespace and applies them through its normal path (control socket ->
parent -> p_apply: render, one atomic commit). The parent logs
"apply (control): ok in N ms" for each. The floor is `nft -f` of the
SAME rendered text (DIR/rendered/twinwall.nft) in the same namespace.
Both replace an existing table, three runs each, best run compared.
Target: apply <= 1.2 x nft -f. Needs root (namespaces); SKIPPED otherwise.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("TW_BIN", os.path.join(ROOT, "build", "twinwall"))
NRULES, NALIASES, NENTRIES, RUNS = 10000, 20, 5000, 3


def snapshot(tmp):
    os.mkdir(tmp + "/seed")
    out = subprocess.run([BIN, "export", "--data", tmp + "/seed",
                          tmp + "/seed.json"], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit("export: " + out.stderr)
    snap = json.load(open(tmp + "/seed.json"))
    sec = snap["sections"]
    for i in sec["interfaces"]:
        i["device"] = {"lan": "lan0", "wan": "wan0"}.get(i["name"], "")
        if i["name"] == "wan":
            i["ipaddr"], i["subnet"] = "10.60.0.1", "24"
    aliases = []
    for a in range(NALIASES):
        content = ",".join("10.%d.%d.%d" % (100 + a, n // 250, n % 250 + 1)
                           for n in range(NENTRIES))
        aliases.append({"uuid": str(uuid.uuid4()), "name": "bench%d" % a,
                        "type": "host", "enabled": "1", "content": content,
                        "descr": "bench"})
    sec["aliases"] = aliases
    base = sec["filter_rules"][0]
    rules = []
    for n in range(NRULES):
        r = dict(base)
        r.update(uuid=str(uuid.uuid4()), sequence=str(n + 10),
                 description="bench rule %d" % n,
                 action=("pass", "block", "reject")[n % 3],
                 quick="1" if n % 2 else "0", protocol="tcp",
                 source_net="any",
                 destination_net="bench%d" % (n % NALIASES) if n % 4 == 0
                 else "10.%d.%d.0/24" % (n // 250 % 250, n % 250),
                 destination_port=str(1024 + n % 60000))
        rules.append(r)
    sec["filter_rules"] = sec["filter_rules"] + rules
    json.dump(snap, open(tmp + "/bench.json", "w"))


def ns(name, *cmd, **kw):
    return subprocess.run(["ip", "netns", "exec", name] + list(cmd), **kw)


def main():
    if os.geteuid() != 0:
        print("SKIPPED: bench_apply needs root (network namespaces)")
        return 0
    if not os.access(BIN, os.X_OK):
        print("SKIPPED: %s is not built" % BIN)
        return 0
    tmp = tempfile.mkdtemp(prefix="tw-bench-apply-")
    os.chmod(tmp, 0o755)
    name = "twbench%d" % os.getpid()
    daemon = None
    try:
        t0 = time.time()
        snapshot(tmp)
        data = tmp + "/data"
        out = subprocess.run([BIN, "import", "--data", data,
                              tmp + "/bench.json"], capture_output=True,
                             text=True)
        if out.returncode != 0:
            raise SystemExit("import: " + out.stderr[-500:])
        print("bench_apply: %d rules, %d aliases x %d entries (setup %.1f s)"
              % (NRULES, NALIASES, NENTRIES, time.time() - t0))
        subprocess.run(["ip", "netns", "add", name], check=True)
        ns(name, "ip", "link", "add", "lan0", "type", "veth", "peer", "name",
           "wan0", check=True)
        log = open(tmp + "/daemon.log", "w")
        daemon = subprocess.Popen(
            ["ip", "netns", "exec", name, BIN, "daemon", "--data", data,
             "--listen", "127.0.0.1:18490", "--no-tls", "--platform",
             "linux"], stdout=log, stderr=log)
        for _ in range(200):
            if os.path.exists(data + "/control.sock"):
                break
            time.sleep(0.05)
        times = []
        for i in range(RUNS + 1):	# the first creates the table
            r = ns(name, BIN, "apply", "--data", data, "filter",
                   capture_output=True, text=True)
            if r.returncode != 0:
                raise SystemExit("apply: %s %s" % (r.stdout, r.stderr))
        text = open(tmp + "/daemon.log").read()
        times = [float(m) for m in
                 re.findall(r"apply \((?:control|cli)\): ok in (\d+) ms", text)][1:]
        acts = open(data + "/rendered/actions.log").read()
        stages = re.findall(r"render (\d+) ms, commit (\d+) ms", acts)[1:]
        script = data + "/rendered/twinwall.nft"
        size = os.path.getsize(script)
        floor = []
        for i in range(RUNS):
            t = time.time()
            ns(name, "nft", "-f", script, check=True)
            floor.append((time.time() - t) * 1e3)
        a, f = min(times), min(floor)
        print("  apply (render + commit, through the daemon): %s ms, best %.0f" %
              (" ".join("%.0f" % x for x in times), a))
        print("  floor nft -f (same %d KB script):  %s ms, best %.0f" %
              (size // 1024, " ".join("%.0f" % x for x in floor), f))
        ratio = a / f if f > 0 else 0
        best = min(stages, key=lambda x: sum(map(int, x))) if stages else None
        if best:
            print("  stages of the best apply: render %s ms, commit %s ms"
                  % best)
        print("  ratio apply / nft -f = %.2f (target <= 1.2): %s" %
              (ratio, "met" if ratio <= 1.2 else "MISSED"))
    finally:
        if daemon is not None:
            daemon.terminate()
            try:
                daemon.wait(timeout=20)
            except subprocess.TimeoutExpired:
                daemon.kill()
        subprocess.run(["ip", "netns", "del", name], stderr=subprocess.DEVNULL)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
