#!/usr/bin/env python3
"""ha_dual.py — samples both firewalls of the HA pair every 10 ms and
reports every sample in which a VIP is held by both at once (an address
on a device that is UP with carrier, as `ip -j addr` shows it).

    ha_dual.py NETNS1 NETNS2 SECONDS OUT.json VIP [VIP...]

Runs until SECONDS pass or SIGTERM. OUT.json gets {"samples", "dual",
"first_dual" (seconds from start), "holders" (the last sample: VIP ->
"fw1" | "fw2" | "both" | "none"), "changes": [[t, VIP, holder], ...]}.
"""
import json
import signal
import subprocess
import sys
import time

ns1, ns2, secs, out = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
vips = sys.argv[5:]
res = {"samples": 0, "dual": 0, "first_dual": None, "holders": {},
       "changes": []}
stop = False


def on_term(*_):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_term)


def held(ns):
    try:
        j = json.loads(subprocess.run(
            ["ip", "-n", ns, "-j", "-4", "addr", "show", "up"],
            capture_output=True, text=True, timeout=2).stdout or "[]")
    except (ValueError, subprocess.TimeoutExpired):
        return set()
    have = set()
    for dev in j:
        if "LOWER_UP" not in dev.get("flags", []):
            continue
        for a in dev.get("addr_info", []):
            if a.get("local") in vips:
                have.add(a["local"])
    return have


t0 = time.monotonic()
last = {}
while not stop and time.monotonic() - t0 < secs:
    t = time.monotonic()
    h1, h2 = held(ns1), held(ns2)
    res["samples"] += 1
    dual = False
    for v in vips:
        w = ("both" if v in h1 and v in h2 else "fw1" if v in h1 else
             "fw2" if v in h2 else "none")
        if w == "both":
            dual = True
        if last.get(v) != w:
            res["changes"].append([round(t - t0, 3), v, w])
            last[v] = w
    if dual:
        res["dual"] += 1
        if res["first_dual"] is None:
            res["first_dual"] = round(t - t0, 3)
    res["holders"] = dict(last)
    time.sleep(max(0, 0.01 - (time.monotonic() - t)))
json.dump(res, open(out, "w"))
