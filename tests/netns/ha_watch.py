#!/usr/bin/env python3
"""ha_watch.py — samples an HA node every 10 ms until killed (SIGTERM) or
its time runs out, and reports whether it ever held a VIP without its
ruleset.

    ha_watch.py NETNS SECONDS OUT.json VIP [VIP...]

Each sample asks the kernel of NETNS for the tables (nft list tables)
and the IPv4 addresses on devices that are up (ip -j addr). A VIP held
while neither `inet twinwall` is loaded is a violation: the node would
answer ARP for the VIP and forward with no ruleset. OUT.json gets
{"samples", "violations", "first_violation", "held_samples"}.
"""
import json
import signal
import subprocess
import sys
import time

ns, secs, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
vips = set(sys.argv[4:])
res = {"samples": 0, "violations": 0, "first_violation": None,
       "held_samples": 0, "changes": []}
stop = False


def on_term(*_):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_term)


def held():
    try:
        j = json.loads(subprocess.run(
            ["ip", "-n", ns, "-j", "-4", "addr", "show", "up"],
            capture_output=True, text=True, timeout=2).stdout or "[]")
    except (ValueError, subprocess.TimeoutExpired):
        return set()
    return {a["local"] for i in j for a in i.get("addr_info", [])
            if a.get("local") in vips}


def ruleset():
    r = subprocess.run(["ip", "netns", "exec", ns, "nft", "list", "tables"],
                       capture_output=True, text=True, timeout=2)
    return "table inet twinwall\n" in r.stdout + "\n"


end = time.time() + secs
last = None
while not stop and time.time() < end:
    t0 = time.time()
    h = held()
    if h != last:
        res["changes"].append([t0, sorted(h)])
        last = h
    if h:
        res["held_samples"] += 1
        # Check the ruleset after the addresses: a ruleset that came
        # later than the VIP is still caught by the next sample.
        if not ruleset():
            res["violations"] += 1
            if res["first_violation"] is None:
                res["first_violation"] = {"time": t0, "held": sorted(h)}
    res["samples"] += 1
    time.sleep(max(0.0, 0.01 - (time.time() - t0)))
with open(out, "w") as f:
    json.dump(res, f)
