#!/usr/bin/env python3
"""bench_boot.py — from daemon start to ready with a large configuration
in force: a reboot of a node with 10,000 rules and 20 aliases x 5,000
entries (the store of bench_apply.py).

The configuration is applied once, the daemon stopped and the kernel's
ruleset flushed (a reboot); then the daemon is started and timed until
its API first answers, which it does only after the boot apply. The
parent's own figure ("ready: boot apply in force N s after start") is
printed beside it. The floor is `nft -f` of the same rendered ruleset
into an empty kernel, in the same namespace. Three boots, best compared.
Needs root (namespaces); SKIPPED otherwise.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_apply  # noqa: E402  (the same 10,000-rule store)

BIN = bench_apply.BIN
NRULES = 10000
RUNS = 3
PORT = 18491


def ns(name, *cmd, **kw):
    return subprocess.run(["ip", "netns", "exec", name] + list(cmd), **kw)


def start(name, data, log):
    return subprocess.Popen(
        ["ip", "netns", "exec", name, BIN, "daemon", "--data", data,
         "--listen", "127.0.0.1:%d" % PORT, "--no-tls", "--platform",
         "linux"], stdout=log, stderr=log)


def ready(name, t0, proc):
    """Seconds from t0 until core/ping answers inside the namespace."""
    while time.time() - t0 < 60:
        r = ns(name, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
               "http://127.0.0.1:%d/api/core/ping" % PORT,
               capture_output=True, text=True)
        if r.stdout in ("200", "401"):
            return time.time() - t0
        if proc.poll() is not None:
            raise SystemExit("daemon exited during boot")
        time.sleep(0.01)
    raise SystemExit("daemon not ready within 60 s")


def stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def main():
    if os.geteuid() != 0:
        print("SKIPPED: bench_boot needs root (network namespaces)")
        return 0
    if not os.access(BIN, os.X_OK):
        print("SKIPPED: %s is not built" % BIN)
        return 0
    tmp = tempfile.mkdtemp(prefix="tw-bench-boot-")
    os.chmod(tmp, 0o755)
    name = "twboot%d" % os.getpid()
    proc = None
    try:
        # A node with CARP VIPs on the rules' interfaces: where users live.
        bench_apply.snapshot(bench_apply.seed(tmp), NRULES, True,
                             tmp + "/bench.json")
        data = tmp + "/data"
        out = subprocess.run([BIN, "import", "--data", data,
                              tmp + "/bench.json"], capture_output=True,
                             text=True)
        if out.returncode != 0:
            raise SystemExit("import: " + out.stderr[-500:])
        subprocess.run(["ip", "netns", "add", name], check=True)
        ns(name, "ip", "link", "set", "lo", "up", check=True)
        ns(name, "ip", "link", "add", "lan0", "type", "veth", "peer", "name",
           "wan0", check=True)
        log = open(tmp + "/daemon.log", "w")
        proc = start(name, data, log)
        ready(name, time.time(), proc)
        r = ns(name, BIN, "apply", "--data", data, capture_output=True,
               text=True)
        if r.returncode != 0:
            raise SystemExit("apply: %s %s" % (r.stdout, r.stderr))
        stop(proc)
        proc = None
        script = data + "/rendered/twinwall.nft"
        boots, parent = [], []
        for _ in range(RUNS):
            ns(name, "nft", "flush", "ruleset", check=True)
            t0 = time.time()
            proc = start(name, data, log)
            boots.append(ready(name, t0, proc))
            stop(proc)
            proc = None
        log.flush()
        parent = [float(x) for x in re.findall(
            r"ready: boot apply in force ([\d.]+) s after start",
            open(tmp + "/daemon.log").read())][-RUNS:]
        floor = []
        for _ in range(RUNS):
            ns(name, "nft", "flush", "ruleset", check=True)
            t = time.time()
            ns(name, "nft", "-f", script, check=True)
            floor.append(time.time() - t)
        b, f = min(boots), min(floor)
        print("bench_boot: %d rules + %d aliases x %d entries and 2 CARP "
              "VIPs in force at boot" % (NRULES, bench_apply.NALIASES,
                                         bench_apply.NENTRIES))
        print("  start to ready (API answers): %s s, best %.2f" %
              (" ".join("%.2f" % x for x in boots), b))
        if parent:
            print("  the parent's boot apply ends %s s after start" %
                  " ".join("%.2f" % x for x in parent))
        print("  floor nft -f of the same ruleset (%d KB): best %.2f s" %
              (os.path.getsize(script) // 1024, f))
        print("  ratio ready / nft -f = %.2f" % (b / f if f else 0))
    finally:
        if proc is not None:
            stop(proc)
        subprocess.run(["ip", "netns", "del", name], stderr=subprocess.DEVNULL)
        if os.environ.get("TW_KEEP"):
            print("  kept " + tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
