#!/usr/bin/env python3
"""bench_apply.py — render + apply of large rulesets (issue 13, item 3).

10,000 / 50,000 / 100,000 filter rules (on lan and wan, one in a hundred
floating on both) and 20 aliases of 5,000 addresses each are imported
into a store; a real daemon (--platform linux) runs in a fresh network
namespace and applies them through its normal path (control socket ->
parent: render, one atomic commit). The parent logs "apply (control): ok
in N ms" for each. Two nodes per size, one after the other:

  carp     a CARP VIP on lan and on wan (the engine runs; its macvlans
           are devices the rules of those interfaces must match)
  no carp  the same rules, no VIP

Floors, measured in the same run: `nft -f` of the SAME rendered text
(DIR/rendered/twinwall.nft) in the same namespace; every apply and load
replaces an existing table; the best of the runs is compared. Targets:
each apply <= 1.2 x its nft -f floor and <= 1.2 x the node without CARP;
100,000 rules <= 12 x 10,000. Needs root (namespaces); SKIPPED otherwise.
TW_BENCH_SIZES="10000 50000" picks the sizes; TW_BENCH_KEEP=DIR keeps
the rendered scripts there.
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
SIZES = [int(x) for x in
         os.environ.get("TW_BENCH_SIZES", "10000 50000 100000").split()]
NALIASES, NENTRIES = 20, 5000
RUNS = {10000: 4, 50000: 3}	# 100,000: 2 (each is seconds long)


def seed(tmp):
    os.mkdir(tmp + "/seed")
    out = subprocess.run([BIN, "export", "--data", tmp + "/seed",
                          tmp + "/seed.json"], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit("export: " + out.stderr)
    return json.load(open(tmp + "/seed.json"))


def vip(ifname, addr, vhid):
    return {"uuid": str(uuid.uuid4()), "mode": "carp", "interface": ifname,
            "subnet": addr, "subnet_bits": "24", "vhid": str(vhid),
            "advbase": "1", "advskew": "0", "password": "benchcarp",
            "peer": "", "peer6": "", "nobind": "0", "nosync": "0",
            "descr": "bench VIP"}


def rules_for(base, n):
    """n filter rules in the shape of base, spread over lan and wan."""
    out = []
    for i in range(n):
        r = dict(base)
        r.update(uuid=str(uuid.uuid4()), sequence=str(i + 10),
                 description="b%d" % i,
                 interface="lan,wan" if i % 100 == 99 else
                 ("lan", "wan")[i % 2],
                 action=("pass", "block", "reject")[i % 3],
                 quick="1" if i % 2 else "0", protocol="tcp",
                 source_net="any",
                 destination_net="bench%d" % (i % NALIASES) if i % 4 == 0
                 else "10.%d.%d.0/24" % (i // 250 % 250, i % 250),
                 destination_port=str(1024 + i % 60000))
        out.append(r)
    return out


def snapshot(base, n, carp, path):
    snap = json.loads(json.dumps(base))
    sec = snap["sections"]
    for i in sec["interfaces"]:
        i["device"] = {"lan": "lan0", "wan": "wan0"}.get(i["name"], "")
        if i["name"] == "wan":
            i["ipaddr"], i["subnet"] = "10.60.0.1", "24"
    sec["aliases"] = [
        {"uuid": str(uuid.uuid4()), "name": "bench%d" % a, "type": "host",
         "enabled": "1", "descr": "bench",
         "content": ",".join("10.%d.%d.%d" % (100 + a, k // 250, k % 250 + 1)
                             for k in range(NENTRIES))}
        for a in range(NALIASES)]
    sec["filter_rules"] = sec["filter_rules"] + \
        rules_for(sec["filter_rules"][0], n)
    sec["vips"] = [vip("lan", "192.168.1.100", 61),
                   vip("wan", "10.60.0.100", 62)] if carp else []
    json.dump(snap, open(path, "w"))


def ns(name, *cmd, **kw):
    return subprocess.run(["ip", "netns", "exec", name] + list(cmd), **kw)


class Node:
    """A daemon in a namespace of its own with the store of snapfile:
    devices lan0 and wan0 (veth, their peers in the same namespace)."""

    def __init__(self, tmp, snapfile, tag, carp):
        self.tag, self.carp = tag, carp
        self.data = "%s/%s" % (tmp, tag)
        self.log = self.data + ".log"
        self.name = "twbench%d%s" % (os.getpid(), tag.replace("-", ""))
        self.daemon = None
        self.applies, self.floors = [], []
        out = subprocess.run([BIN, "import", "--data", self.data, snapfile],
                             capture_output=True, text=True)
        if out.returncode != 0:
            raise SystemExit("import: " + out.stderr[-500:])
        subprocess.run(["ip", "netns", "add", self.name], check=True)
        ns(self.name, "ip", "link", "set", "lo", "up", check=True)
        for a, b in (("lan0", "lanp"), ("wan0", "wanp")):
            ns(self.name, "ip", "link", "add", a, "type", "veth", "peer",
               "name", b, check=True)
            ns(self.name, "ip", "link", "set", a, "up", check=True)
            ns(self.name, "ip", "link", "set", b, "up", check=True)
        ns(self.name, "ip", "addr", "add", "192.168.1.1/24", "dev", "lan0")
        ns(self.name, "ip", "addr", "add", "10.60.0.1/24", "dev", "wan0")
        self.daemon = subprocess.Popen(
            ["ip", "netns", "exec", self.name, BIN, "daemon", "--data",
             self.data, "--listen", "127.0.0.1:18490", "--no-tls",
             "--platform", "linux"], stdout=open(self.log, "w"),
            stderr=subprocess.STDOUT)
        for _ in range(1200):
            if os.path.exists(self.data + "/control.sock") or \
                    self.daemon.poll() is not None:
                break
            time.sleep(0.05)
        # The first apply creates the table (and, with CARP, hands the
        # engine its VHIDs); the timed ones replace it.
        self.apply(["vip", "filter"] if carp else ["filter"])
        if carp and "configured 2 VHID" not in open(self.log).read():
            raise SystemExit("%s: the CARP engine took no VHID" % tag)
        self.script = self.data + "/rendered/twinwall.nft"
        if os.environ.get("TW_BENCH_KEEP"):
            shutil.copy(self.script, "%s/%s.nft" % (
                os.environ["TW_BENCH_KEEP"], tag))

    def apply(self, subsys=("filter",)):
        r = ns(self.name, BIN, "apply", "--data", self.data, *subsys,
               capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit("apply: %s %s\ndaemon log: %s" % (
                r.stdout, r.stderr, open(self.log).read()[-1500:]))
        self.applies = [float(m) for m in re.findall(
            r"apply \((?:control|cli)\): ok in (\d+) ms", open(self.log).read())][1:]

    def floor(self):
        t = time.time()
        ns(self.name, "nft", "-f", self.script, check=True)
        self.floors.append((time.time() - t) * 1e3)

    def stages(self):
        acts = open(self.data + "/rendered/actions.log").read()
        st = re.findall(r"render (\d+) ms, commit (\d+) ms", acts)[1:]
        return min(st, key=lambda x: sum(map(int, x)))

    def close(self):
        if self.daemon is not None:
            self.daemon.terminate()
            try:
                self.daemon.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.daemon.kill()
        subprocess.run(["ip", "netns", "del", self.name],
                       stderr=subprocess.DEVNULL)
        shutil.rmtree(self.data, ignore_errors=True)


def verdict(ok):
    return "met" if ok else "MISSED"


def main():
    if os.geteuid() != 0:
        print("SKIPPED: bench_apply needs root (network namespaces)")
        return 0
    if not os.access(BIN, os.X_OK):
        print("SKIPPED: %s is not built" % BIN)
        return 0
    tmp = tempfile.mkdtemp(prefix="tw-bench-apply-")
    os.chmod(tmp, 0o755)
    rows = {}
    try:
        base = seed(tmp)
        print("bench_apply: N filter rules + %d aliases x %d entries, "
              "apply through the daemon vs nft -f of the same text"
              % (NALIASES, NENTRIES))
        print("%8s %-8s %9s %9s %6s %9s %9s %7s  %s" % (
            "rules", "node", "apply ms", "nft -f ms", "ratio", "render ms",
            "commit ms", "KB", "runs (apply / nft -f)"))
        for n in SIZES:
            runs = RUNS.get(n, 2)
            t0 = time.time()
            nodes = []
            try:
                # Both nodes up, then their runs interleaved: a busy
                # machine weighs on both alike.
                for carp in (False, True):
                    tag = "%d-%s" % (n, "carp" if carp else "plain")
                    path = "%s/%s.json" % (tmp, tag)
                    snapshot(base, n, carp, path)
                    nodes.append(Node(tmp, path, tag, carp))
                    os.unlink(path)
                for i in range(runs):
                    for nd in nodes[::1 if i % 2 else -1]:
                        nd.apply()
                        nd.floor()
                for nd in nodes:
                    a, f = min(nd.applies), min(nd.floors)
                    st = nd.stages()
                    rows[(n, nd.carp)] = (a, f)
                    print("%8d %-8s %9.0f %9.0f %6.2f %9s %9s %7d  %s / %s"
                          % (n, "carp" if nd.carp else "no carp", a, f,
                             a / f, st[0], st[1],
                             os.path.getsize(nd.script) // 1024,
                             " ".join("%.0f" % x for x in nd.applies),
                             " ".join("%.0f" % x for x in nd.floors)))
            finally:
                for nd in nodes:
                    nd.close()
            print("%8s (%.0f s)" % ("", time.time() - t0))
            sys.stdout.flush()
        print("targets:")
        for n in SIZES:
            c, p = rows[(n, True)], rows[(n, False)]
            print("  %6d rules: carp apply / its nft -f = %.2f (<= 1.2) %s;"
                  " no-carp apply / its nft -f = %.2f %s; carp / no-carp "
                  "apply = %.2f (<= 1.2) %s" % (
                      n, c[0] / c[1], verdict(c[0] / c[1] <= 1.2),
                      p[0] / p[1], verdict(p[0] / p[1] <= 1.2),
                      c[0] / p[0], verdict(c[0] / p[0] <= 1.2)))
        if 10000 in SIZES and 100000 in SIZES:
            k = rows[(100000, True)][0] / rows[(10000, True)][0]
            print("  100,000 / 10,000 rules (carp node): %.1f x (<= 12) %s"
                  % (k, verdict(k <= 12)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
