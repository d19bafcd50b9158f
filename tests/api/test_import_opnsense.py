#!/usr/bin/env python3
"""A config.xml as OPNsense itself writes it imports whole, without
--partial: the outbound NAT rules OPNsense creates on the switch to
manual mode (ISAKMP: destination port 500, no protocol) and cron jobs
whose actions twinwall has no equivalent for (kept, disabled, named in
the report). tests/xmlconf/opnsense_generated.xml.

    python3 tests/api/test_import_opnsense.py [-k substring]

Prints "PASS name" / "FAIL name: reason" and "N passed, N failed".
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "lib"))
import twdaemon  # noqa: E402
from twdaemon import check  # noqa: E402

XML = os.path.join(twdaemon.ROOT, "tests", "xmlconf", "opnsense_generated.xml")


class Env:
    pass


def setup():
    e = Env()
    e.tmp = tempfile.mkdtemp(prefix="tw-imp-")
    e.d = twdaemon.Daemon("import-opn", auto_key=False)
    p = e.d.cli("import-xml", "--data", e.d.dir, "--report", "json", XML)
    e.rc, e.out, e.err = p.returncode, p.stdout, p.stderr
    if p.returncode == 0:
        e.d.start()
        e.d.key, e.d.secret = e.d.make_key()
    return e


def t_imports_without_partial(e):
    check(e.rc == 0, "import-xml exit %d: %s %s" % (e.rc, e.out[-800:],
                                                     e.err[-800:]))


def report(e):
    try:
        return json.loads(e.out)
    except ValueError:
        raise AssertionError("report is not JSON: %r" % e.out[:300])


def t_report_names_conversions(e):
    text = json.dumps(report(e))
    for what in ("Auto created rule for ISAKMP - LAN to WAN", "converted",
                 "firmware poll", "system remote backup",
                 "filter refresh_aliases", "interface reconfigure",
                 "kept disabled"):
        check(what in text, "report does not say %r" % what)


def t_outbound_rules_as_opnsense_wrote_them(e):
    d = e.d
    mode = d.ok("GET", "/api/firewall/source_nat/get")["snat"]["mode"]
    check(mode == "advanced", "mode %r" % mode)
    rows = d.rows("/api/firewall/source_nat/search_rule")
    check([r["description"] for r in rows] == [
        "Auto created rule for ISAKMP - localhost to WAN",
        "Auto created rule - localhost to WAN",
        "Auto created rule for ISAKMP - LAN to WAN",
        "Auto created rule - LAN to WAN"], "order: %r" % rows)
    isakmp, plain = rows[2], rows[3]
    check(isakmp["protocol"] == "tcp/udp" and
          isakmp["destination_port"] == "500" and
          isakmp["staticnatport"] == "1" and
          isakmp["source_net"] == "192.168.1.0/24" and
          isakmp["interface"] == "wan", "ISAKMP rule: %r" % isakmp)
    check(plain["protocol"] == "any" and plain["destination_port"] == "" and
          plain["staticnatport"] == "0", "plain rule: %r" % plain)


def t_rendered_and_loadable(e):
    d = e.d
    d.ok("POST", "/api/firewall/filter/apply")
    r = d.rendered()
    nft = r["twinwall.nft"].decode()
    check("dport 500" in nft, "no port-500 NAT rule rendered")
    pf = r["pf.conf"].decode()
    check("port 500" in pf and "static-port" in pf,
          "pf.conf lacks the ISAKMP rule: %s" % pf[:1500])
    if os.geteuid() == 0 and shutil.which("nft"):
        path = os.path.join(e.tmp, "imp.nft")
        with open(path, "w") as f:
            f.write(nft)
        p = subprocess.run(["nft", "-c", "-f", path], capture_output=True,
                           text=True)
        check(p.returncode == 0, "nft -c: %s" % p.stderr[:600])


def t_cron_jobs_kept(e):
    d = e.d
    rows = {r["descr"]: r for r in d.rows("/api/core/cron/search_item")}
    check(len(rows) == 5, "jobs: %r" % sorted(rows))
    ha = rows["HA update and reconfigure backup"]
    check(ha["command"] == "ha_sync_restart" and ha["enabled"] == "1",
          "HA job: %r" % ha)
    for descr, action in (("Firmware update check", "firmware poll"),
                          ("Remote backup", "system remote backup"),
                          ("Update and reload firewall aliases",
                           "filter refresh_aliases"),
                          ("Periodic interface reset",
                           "interface reconfigure wan")):
        j = rows[descr]
        check(j["command"] == "none" and j["enabled"] == "0" and
              j["parameters"] == action, "%s: %r" % (descr, j))
    # Such a job does nothing: it cannot be enabled.
    u = rows["Remote backup"]["uuid"]
    r = d.post("/api/core/cron/set_item/" + u, {"job": {"enabled": "1"}})
    check(r.status == 200 and r.json.get("result") == "failed" and
          "job.enabled" in r.json.get("validations", {}),
          "enabling a none job: %r" % r)


def t_export_round_trip(e):
    """export-xml, import into a fresh store: the same configuration."""
    d = e.d
    out = os.path.join(e.tmp, "again.xml")
    p = d.cli("export-xml", "--data", d.dir, out)
    check(p.returncode == 0, "export-xml: %s" % p.stderr[-400:])
    d2 = twdaemon.Daemon("import-again", auto_key=False)
    try:
        p = d2.cli("import-xml", "--data", d2.dir, out)
        check(p.returncode == 0, "re-import: %s %s" % (p.stdout[-600:],
                                                      p.stderr[-400:]))
        d2.start()
        d2.key, d2.secret = d2.make_key()
        check(d2.config_hash() == d.config_hash(),
              "re-imported configuration differs")
    finally:
        d2.stop()
        d2.cleanup()


def main():
    tests = [(n[2:], f) for n, f in globals().items()
             if n.startswith("t_") and callable(f)]

    def daemons(env):
        shutil.rmtree(env.tmp, ignore_errors=True)
        return [env.d]

    return twdaemon.run_main(tests, setup, daemons)


if __name__ == "__main__":
    sys.exit(main())
