#!/usr/bin/env python3
"""bench_api.py — the foundation's figures (issue: make bench).

Measured in one run with wrk on loopback:
  floor   a bare libmicrohttpd server with the webapi's threading
  ping    GET /api/core/ping with HTTP Basic (API key)
  search  GET search_rule, a page of 50 from 10,000 rules
and the daemon's RSS (parent + API child) holding 10,000 rules.
Targets: ping >= 15,000 req/s on 2 cores, search >= 0.3 x ping, RSS < 40 MB.
"""
import base64
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("TW_BIN", os.path.join(ROOT, "build", "twinwall"))
DURATION = os.environ.get("TW_BENCH_SECONDS", "5")
NRULES = 10000

sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
from twdaemon import children, free_port  # noqa: E402


def wait_port(port, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def wrk(url, auth=None, script=None):
    cmd = ["wrk", "-t2", "-c32", "-d" + DURATION + "s", url]
    if script:
        cmd[1:1] = ["-s", script]
    if auth:
        cmd[1:1] = ["-H", "Authorization: Basic " + auth]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if "non-2xx:" in out or m is None:
        print("  warning: %s: %s" % (url, out.strip().splitlines()[-1:] or "no output"))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non2xx:
        print("  warning: %s non-2xx answers from %s" % (non2xx.group(1), url))
    return float(m.group(1)) if m else 0.0


def rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main():
    if not shutil.which("wrk"):
        print("bench_api: SKIPPED (wrk not installed; run make deps)")
        return 0
    tmp = tempfile.mkdtemp(prefix="twbench.")
    os.chmod(tmp, 0o755)  # the API child runs as user twinwall
    floor_bin = os.path.join(ROOT, "build", "bench", "floor")
    os.makedirs(os.path.dirname(floor_bin), exist_ok=True)
    subprocess.run(["cc", "-O2", "-o", floor_bin,
                    os.path.join(ROOT, "tests", "bench", "floor.c"),
                    "-lmicrohttpd"], check=True)
    procs = []
    try:
        fport = free_port()
        procs.append(subprocess.Popen([floor_bin, str(fport)]))
        wait_port(fport)

        data = os.path.join(tmp, "data")
        os.makedirs(data)
        port = free_port()
        d = subprocess.Popen([BIN, "daemon", "--data", data, "--listen",
                              "127.0.0.1:%d" % port, "--platform", "dry", "--no-tls"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(d)
        if not wait_port(port):
            print("bench_api: daemon did not start")
            return 1
        # 10,000 rules through the import path (validated like the API).
        subprocess.run([BIN, "export", "--data", data, os.path.join(tmp, "s.json")],
                       check=True, capture_output=True)
        with open(os.path.join(tmp, "s.json")) as f:
            snap = json.load(f)
        rules = snap["sections"]["filter_rules"]
        base = dict(rules[0])
        for i in range(NRULES - len(rules)):
            r = dict(base)
            r.pop("uuid", None)
            r.update(sequence=str(10 + i), protocol="tcp",
                     destination_port=str(1 + i % 60000),
                     description="bench rule %d" % i)
            rules.append(r)
        with open(os.path.join(tmp, "s.json"), "w") as f:
            json.dump(snap, f)
        t0 = time.time()
        subprocess.run([BIN, "import", "--data", data, os.path.join(tmp, "s.json")],
                       check=True, capture_output=True)
        import_s = time.time() - t0

        key = subprocess.run([BIN, "apikey", "--data", data, "--user", "root"],
                             capture_output=True, text=True, check=True).stdout.split()
        auth = base64.b64encode(("%s:%s" % (key[0], key[1])).encode()).decode()
        url = "http://127.0.0.1:%d" % port
        req = urllib.request.Request(url + "/api/firewall/filter/search_rule?rowCount=1",
                                     headers={"Authorization": "Basic " + auth})
        total = json.load(urllib.request.urlopen(req))["total"]

        floor = wrk("http://127.0.0.1:%d/" % fport)
        ping = wrk(url + "/api/core/ping", auth)
        search = wrk(url + "/api/firewall/filter/search_rule?current=3&rowCount=50", auth)
        # Every request another of 200 pages: the per-connection memo misses.
        lua = os.path.join(tmp, "pages.lua")
        with open(lua, "w") as f:
            f.write('n = 0\nrequest = function()\n  n = n + 1\n'
                    '  return wrk.format("GET", "/api/firewall/filter/search_rule'
                    '?rowCount=50&current=" .. (n % 200 + 1))\nend\n'
                    'done = function(s, l, r)\n'
                    '  if s.errors.status > 0 then io.write("non-2xx: " .. '
                    's.errors.status .. "\\n") end\nend\n')
        pages = wrk(url + "/", auth, lua)
        rss = rss_kb(d.pid) + sum(rss_kb(c) for c in children(d.pid))

        def verdict(ok):
            return "ok" if ok else "MISSED"
        print("== API (2 wrk threads, 32 connections, %ss each, loopback) ==" % DURATION)
        print("%-34s %12s %10s  %s" % ("figure", "value", "ratio", "target"))
        print("%-34s %10.0f/s %10s  %s" % ("floor: bare libmicrohttpd", floor, "1.00", "(floor)"))
        print("%-34s %10.0f/s %9.2fx  >= 15000/s %s" % ("GET core/ping (Basic auth)", ping,
              ping / floor if floor else 0, verdict(ping >= 15000)))
        print("%-34s %10.0f/s %9.2fx  >= 0.30x ping %s" % (
              "search_rule 50 of %d" % total, search, search / ping if ping else 0,
              verdict(ping and search / ping >= 0.3)))
        print("%-34s %10.0f/s %9.2fx  (no memo: a new page each time)" % (
              "search_rule, 200 pages cycled", pages, pages / ping if ping else 0))
        print("%-34s %10.1f MB %10s  < 40 MB %s" % ("RSS parent + api, %d rules" % total,
              rss / 1024.0, "", verdict(rss < 40 * 1024)))
        print("%-34s %11.2f s %10s" % ("import of %d rules (CLI)" % total, import_s, ""))
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
