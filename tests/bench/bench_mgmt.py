#!/usr/bin/env python3
"""bench_mgmt.py — the management plane under load (issue 14).

One `twinwall daemon --platform dry --no-tls` with default limits (D) and
one with --limit per_source_connections=20000 (R: every connection is
served, so the thread model itself is measured). wrk runs from
127.0.0.1 (2 threads, TW_BENCH_SECONDS, default 10 s); other clients bind
127.0.0.2, .3, .4 so the per-source limit sees them as other hosts.

Figures, each beside its floor from the same run:
  req/s at 32 connections (the floor), at 1,000 and 5,000 (total and
  2xx: under the default limits wrk's excess connections get 503 or are
  closed, and reconnect); the slowest request from another address
  during the 5,000-connection load and the first right after it;
  a third-address request under 10,000 + 2,000 idle connections
  (beside the same request on an idle server); the API child's RSS idle
  (floor), holding 12,000 idle connections and during wrk -c 5000.
Targets: the load never stops the service (2xx > 0), a request after
the load < 100 ms, the third-address request < 1 s, RSS < 256 MB.
"""
import os
import re
import shutil
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
sys.path.insert(0, os.path.join(ROOT, "tests", "api"))
from twdaemon import Daemon, wait_for  # noqa: E402
import daemon_load as L  # noqa: E402

SECS = int(os.environ.get("TW_BENCH_SECONDS", "10"))


def wrk(d, conns, probe=None):
    """(total req/s, 2xx req/s, RSS peak KB, probe max s)."""
    hdr = L.auth_header(d)["Authorization"]
    p = subprocess.Popen(["wrk", "-t2", "-c%d" % conns, "-d%ds" % SECS,
                          "--timeout", "3s", "-H", "Authorization: " + hdr,
                          "http://127.0.0.1:%d/api/core/ping" % d.port],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)
    rss = 0
    pmax = 0.0
    time.sleep(1.0)
    while p.poll() is None:
        rss = max(rss, L.api_child_rss_kb(d))
        if probe:
            try:
                pmax = max(pmax, L.timed(d, probe, timeout=5)[1])
            except OSError:
                pmax = max(pmax, 5.0)
        time.sleep(0.5)
    out = p.communicate()[0]
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    n = re.search(r"(\d+) requests in ([\d.]+)s", out)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    total = float(m.group(1)) if m else 0.0
    ok = total
    if n and bad:
        ok = (int(n.group(1)) - int(bad.group(1))) / float(n.group(2))
    return total, ok, rss, pmax


def best(d, src, n=5):
    return min(L.timed(d, src)[1] for _ in range(n))


def main():
    if not shutil.which("wrk"):
        print("bench_mgmt: SKIPPED (wrk not installed; run make deps)")
        return 0
    if L.raise_nofile() < 13000:
        print("bench_mgmt: SKIPPED (open-file limit below 13,000)")
        return 0
    D = Daemon("benchD", auto_key=True)
    R = Daemon("benchR", auto_key=True,
               args=["--limit", "per_source_connections=20000"])
    rows = []
    try:
        D.start()
        R.start()
        idle_req = best(D, "127.0.0.4")
        rss_idle = L.api_child_rss_kb(D)
        floor, _, _, _ = wrk(D, 32)
        res = {}
        for name, d in (("default limits", D), ("per-source 20000", R)):
            for c in (1000, 5000):
                res[(name, c)] = wrk(d, c, probe="127.0.0.4" if c == 5000
                                     else None)
        after = best(D, "127.0.0.4", 3)
        # Idle floods: the default limits close most; R holds them all.
        flood = {}
        for name, d in (("default limits", D), ("per-source 20000", R)):
            a = L.hold("127.0.0.2", d.port, 10000)
            b = L.hold("127.0.0.3", d.port, 2000)
            try:
                if d is R:
                    wait_for(lambda: L.throttle(d)["connections"] >= 11900,
                             20, "12,000 held")
                else:
                    time.sleep(1.0)
                held = L.throttle(d)["connections"]
                t = max(L.timed(d, "127.0.0.4")[1] for _ in range(5))
                flood[name] = (held, t, L.api_child_rss_kb(d))
            finally:
                L.close_all(a)
                L.close_all(b)

        def row(fig, val, unit, ratio, target):
            rows.append("%-46s %10s %-4s %8s  %s" % (fig, val, unit, ratio,
                                                     target))
        row("ping, 32 connections (floor)", "%.0f" % floor, "/s", "1.00",
            "(floor)")
        for (name, c), (tot, ok, rss, pmax) in res.items():
            row("ping, %d connections, %s" % (c, name), "%.0f" % tot, "/s",
                "%.2fx" % (tot / floor if floor else 0),
                "2xx %.0f/s %s" % (ok, "ok" if ok > 0 else "MISSED"))
        for name in ("default limits", "per-source 20000"):
            tot, ok, rss, pmax = res[(name, 5000)]
            row("  slowest other-address request, %s" % name,
                "%.1f" % (pmax * 1000), "ms", "%.1fx" % (
                    pmax / idle_req if idle_req else 0),
                "< 1000 ms %s" % ("ok" if pmax < 1 else "MISSED"))
            row("  API child RSS during wrk -c 5000, %s" % name,
                "%.1f" % (rss / 1024.0), "MB", "%.1fx" % (
                    rss / float(rss_idle) if rss_idle else 0),
                "< 256 MB %s" % ("ok" if rss < 256 * 1024 else "MISSED"))
        row("request on an idle server (floor)", "%.1f" % (idle_req * 1000),
            "ms", "1.0x", "(floor)")
        row("first request after wrk -c 5000", "%.1f" % (after * 1000), "ms",
            "%.1fx" % (after / idle_req if idle_req else 0),
            "< 100 ms %s" % ("ok" if after < 0.1 else "MISSED"))
        for name, (held, t, rss) in flood.items():
            row("third address, 10,000+2,000 idle, %s" % name,
                "%.1f" % (t * 1000), "ms", "%.1fx" % (
                    t / idle_req if idle_req else 0),
                "< 1000 ms %s (server held %d)" % (
                    "ok" if t < 1 else "MISSED", held))
        row("API child RSS idle (floor)", "%.1f" % (rss_idle / 1024.0), "MB",
            "1.0x", "(floor)")
        for name, (held, t, rss) in flood.items():
            row("API child RSS, idle flood, %s" % name,
                "%.1f" % (rss / 1024.0), "MB",
                "%.1fx" % (rss / float(rss_idle) if rss_idle else 0),
                "< 256 MB %s (%d held)" % (
                    "ok" if rss < 256 * 1024 else "MISSED", held))
    finally:
        D.cleanup()
        R.cleanup()
    print("== management plane under load (wrk -t2, %d s each, loopback) =="
          % SECS)
    print("%-46s %10s %-4s %8s  %s" % ("figure", "value", "", "ratio",
                                       "target"))
    for r in rows:
        print(r)
    return 0


if __name__ == "__main__":
    sys.exit(main())
