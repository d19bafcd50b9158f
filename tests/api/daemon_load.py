#!/usr/bin/env python3
"""The management plane under load (issue 14): real sockets on loopback.

Three `twinwall daemon --platform dry --no-tls` on 127.0.0.1:
  A  default limits
  B  --limit per_source_connections=20000: the server itself holds every
     idle connection, so the thread model is what is tested
  C  --limit header_timeout=2 --limit keepalive_timeout=3
and, with several source addresses (127.0.0.2, .3, ... bound locally):
  idle floods   10,000 idle connections from .2 and 2,000 from .3: a
                request from .4 answers in < 1 s during and after (A: the
                per-source limit closes most; B: all are held, and the API
                child's RSS stays bounded)
  503           past per_source_connections a request gets 503 naming it
                and Retry-After; past twice that the connection is closed
  timeouts      a silent connection, a half-sent header and an idle
                keep-alive connection are closed after their timeouts (C)
  wrk           -c 1000 and -c 5000 for 5 s: a request from another
                address answers in < 1 s during the load and at once
                (< 100 ms, best of 3) after it
Bounded: at most 12,000 client sockets, each part a few seconds; exact
figures are make bench's (tests/bench/bench_mgmt.py).

    python3 tests/api/daemon_load.py [-k substring]
"""
import base64
import errno
import http.client
import json
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
import twdaemon  # noqa: E402
from twdaemon import Daemon, Skip, check, wait_for  # noqa: E402


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def hold(src, port, n):
    """n connections from address src, connected and left silent."""
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.setblocking(False)
        s.bind((src, 0))
        try:
            s.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        socks.append(s)
    return socks


def close_all(socks):
    for s in socks:
        s.close()
    del socks[:]


def auth_header(d):
    tok = base64.b64encode(("%s:%s" % (d.key, d.secret)).encode()).decode()
    return {"Authorization": "Basic " + tok}


def timed(d, src, path="/api/core/ping", timeout=5.0, headers=None):
    """GET path from address src: (status, seconds, response)."""
    t0 = time.time()
    c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=timeout,
                                   source_address=(src, 0))
    try:
        c.request("GET", path, headers=headers or auth_header(d))
        r = c.getresponse()
        body = r.read()
        return r.status, time.time() - t0, (r, body)
    finally:
        c.close()


def throttle(d):
    return d.ok("GET", "/api/core/system/throttle")


def source_row(d, src):
    for row in throttle(d)["sources"]:
        if row["source"] == src:
            return row
    return {"connections": 0, "failures": 0}


def api_child_rss_kb(d):
    pid = d.child()
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def probe_ok(d, src, bound, what, n=3):
    for i in range(n):
        st, secs, _ = timed(d, src)
        check(st == 200, "%s: request %d from %s: HTTP %d" % (what, i, src, st))
        check(secs < bound, "%s: request %d from %s took %.2f s (>= %.2f)"
              % (what, i, src, secs, bound))


# ---------------------------------------------------------------------------

def t_idle_flood_limited(env):
    d = env["A"]
    a = hold("127.0.0.2", d.port, 10000)
    b = hold("127.0.0.3", d.port, 2000)
    try:
        time.sleep(1.0)
        probe_ok(d, "127.0.0.4", 1.0, "during the flood")
        t = throttle(d)
        per = t["limits"]["per_source_connections"]
        for src in ("127.0.0.2", "127.0.0.3"):
            row = source_row(d, src)
            check(0 < row["connections"] <= 2 * per + 1,
                  "%s holds %r connections, limit %d" % (src, row, per))
        check(t["counters"]["connections_refused"] > 0,
              "nothing refused at accept: %r" % t["counters"])
    finally:
        close_all(a)
        close_all(b)
    probe_ok(d, "127.0.0.4", 1.0, "after the flood")
    # The flooding address itself is served again once its sockets close.
    wait_for(lambda: timed(d, "127.0.0.2")[0] == 200, 5,
             "127.0.0.2 served again")


def t_idle_flood_held(env):
    d = env["B"]
    a = hold("127.0.0.2", d.port, 10000)
    b = hold("127.0.0.3", d.port, 2000)
    try:
        wait_for(lambda: throttle(d)["connections"] >= 11900, 20,
                 "the server to hold 12,000 connections (has %d)" %
                 throttle(d)["connections"])
        probe_ok(d, "127.0.0.4", 1.0, "12,000 held")
        rss = api_child_rss_kb(d)
        print("# API child RSS holding %d idle connections: %.1f MB" % (
            throttle(d)["connections"], rss / 1024.0))
        check(rss < 256 * 1024, "API child RSS %.1f MB holding 12,000 idle "
              "connections" % (rss / 1024.0))
    finally:
        close_all(a)
        close_all(b)
    probe_ok(d, "127.0.0.4", 1.0, "after the flood")
    wait_for(lambda: throttle(d)["connections"] < 10, 10,
             "the server to let the connections go")


def t_503_past_source_limit(env):
    d = env["A"]
    per = throttle(d)["limits"]["per_source_connections"]
    socks = hold("127.0.0.5", d.port, per)
    try:
        wait_for(lambda: source_row(d, "127.0.0.5")["connections"] >= per,
                 5, "%d connections counted" % per)
        st, secs, (r, body) = timed(d, "127.0.0.5")
        check(st == 503, "past the limit: HTTP %d %r" % (st, body[:200]))
        check(secs < 1.0, "the 503 took %.2f s" % secs)
        check(r.getheader("Retry-After") is not None, "503 without Retry-After")
        check(b"per_source_connections" in body, "503 does not name the "
              "limit: %r" % body[:200])
        more = hold("127.0.0.5", d.port, per)
        socks += more
        wait_for(lambda: source_row(d, "127.0.0.5")["connections"] >=
                 2 * per, 5, "%d connections counted" % (2 * per))
        # Past twice the limit: closed at accept, no answer at all.
        s = socket.socket()
        s.bind(("127.0.0.5", 0))
        s.settimeout(3)
        s.connect(("127.0.0.1", d.port))
        time.sleep(0.3)
        try:
            s.sendall(b"GET /api/core/ping HTTP/1.1\r\nHost: x\r\n\r\n")
            got = s.recv(100)
        except OSError as e:
            got = b"" if e.errno in (errno.ECONNRESET, errno.EPIPE) else None
        s.close()
        check(got == b"", "past twice the limit the connection stays: %r" %
              got)
    finally:
        close_all(socks)
    wait_for(lambda: timed(d, "127.0.0.5")[0] == 200, 5,
             "127.0.0.5 served again")


def closed_within(s, lo, hi):
    """Seconds until the server closes s; checks lo <= t <= hi."""
    t0 = time.time()
    s.settimeout(hi + 1)
    try:
        data = s.recv(4096)
        while data:
            data = s.recv(4096)
    except OSError:
        pass
    t = time.time() - t0
    check(lo <= t <= hi, "closed after %.1f s, want %.1f..%.1f" % (t, lo, hi))
    return t


def t_timeouts(env):
    d = env["C"]
    silent = socket.create_connection(("127.0.0.1", d.port))
    half = socket.create_connection(("127.0.0.1", d.port))
    half.sendall(b"GET /api/core/ping HTTP/1.1\r\nHost: x\r\n")
    kept = socket.create_connection(("127.0.0.1", d.port))
    kept.sendall(b"GET /api/core/ping HTTP/1.1\r\nHost: x\r\n\r\n")
    kept.settimeout(3)
    check(b" 401 " in kept.recv(4096), "no answer on the kept connection")
    res = []

    def run(s, lo, hi):
        try:
            res.append(closed_within(s, lo, hi))
        except AssertionError as e:
            res.append(e)
    ths = [threading.Thread(target=run, args=a) for a in (
        (silent, 1.0, 4.5), (half, 1.0, 4.5), (kept, 2.0, 5.5))]
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    for s in (silent, half, kept):
        s.close()
    for r in res:
        if isinstance(r, AssertionError):
            raise r


def wrk_run(d, conns, seconds, probes):
    """wrk from 127.0.0.1 while probing from 127.0.0.6; returns wrk's
    output. probes collects (status, seconds)."""
    hdr = auth_header(d)["Authorization"]
    p = subprocess.Popen(["wrk", "-t2", "-c%d" % conns, "-d%ds" % seconds,
                          "--timeout", "3s", "-H", "Authorization: " + hdr,
                          "http://127.0.0.1:%d/api/core/ping" % d.port],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)
    time.sleep(1.5)
    while p.poll() is None:
        try:
            st, secs, _ = timed(d, "127.0.0.6", timeout=3)
        except OSError:
            st, secs = 0, 3.0
        probes.append((st, secs))
        time.sleep(0.5)
    return p.communicate()[0]


def t_wrk(env):
    if not shutil.which("wrk"):
        raise Skip("wrk not installed (make deps)")
    d = env["A"]
    for conns in (1000, 5000):
        probes = []
        out = wrk_run(d, conns, 5, probes)
        m = re.search(r"Requests/sec:\s+([\d.]+)", out)
        check(m is not None and float(m.group(1)) > 50,
              "wrk -c %d: %s" % (conns, out[-300:]))
        bad = [p for p in probes if p[0] != 200 or p[1] >= 1.0]
        check(probes and not bad, "wrk -c %d: probes from another address "
              "%r" % (conns, probes))
        after = []
        for _ in range(3):
            st, secs, _ = timed(d, "127.0.0.6")
            check(st == 200, "after wrk -c %d: HTTP %d" % (conns, st))
            after.append(secs)
        check(min(after) < 0.1, "after wrk -c %d: %r s" % (conns, after))
        print("# wrk -c %d: %s req/s, probes max %.3f s, after %.3f s" % (
            conns, m.group(1), max(p[1] for p in probes), min(after)))


TESTS = [
    ("idle flood 10,000 + 2,000, per-source limit", t_idle_flood_limited),
    ("idle flood 10,000 + 2,000, all held", t_idle_flood_held),
    ("503 past the per-source limit, close past twice", t_503_past_source_limit),
    ("header and keep-alive timeouts", t_timeouts),
    ("wrk -c 1000 and -c 5000", t_wrk),
]


def setup():
    if raise_nofile() < 13000:
        raise Skip("open-file limit below 13,000")
    env = {}
    try:
        env["A"] = Daemon("loadA", auto_key=True).start()
        env["B"] = Daemon("loadB", auto_key=True, args=[
            "--limit", "per_source_connections=20000"]).start()
        env["C"] = Daemon("loadC", auto_key=True, args=[
            "--limit", "header_timeout=2", "--limit",
            "keepalive_timeout=3"]).start()
    except Exception:
        for d in env.values():
            d.cleanup()
        raise
    return env


if __name__ == "__main__":
    sys.exit(twdaemon.run_main(TESTS, setup, lambda env: env.values()))
