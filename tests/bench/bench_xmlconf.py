#!/usr/bin/env python3
"""bench_xmlconf.py — config.xml import of 10,000 rules (issue 8).

Generates an OPNsense config.xml with 10,000 legacy filter rules (on
three interfaces, half of them naming one of 50 aliases), then measures
in one run, each into a fresh data directory, best of three:
  floor       `twinwall import` of the equivalent JSON snapshot (the same
              rules: the snapshot the XML import stored, exported)
  import-xml  `twinwall import-xml` of the config.xml
  export-xml  `twinwall export-xml` of the imported store
Target: import-xml < 2 s. Printed with its ratio to the floor, which is
what the model's validation and the store cost on this machine.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("TW_BIN", os.path.join(ROOT, "build", "twinwall"))
NRULES = int(os.environ.get("TW_BENCH_RULES", "10000"))
NALIASES = 50
RUNS = 3


def config_xml(nrules):
    out = ['<?xml version="1.0"?>', "<opnsense>", "  <system>",
           "    <hostname>bench</hostname>", "    <domain>example.org</domain>",
           "    <timezone>Etc/UTC</timezone>", "  </system>", "  <interfaces>"]
    for i, (name, dev, addr) in enumerate((("wan", "eth0", "192.0.2.2"),
                                           ("lan", "eth1", "10.0.0.1"),
                                           ("opt1", "eth2", "10.1.0.1"))):
        out.append("    <%s><enable>1</enable><if>%s</if><ipaddr>%s</ipaddr>"
                   "<subnet>24</subnet></%s>" % (name, dev, addr, name))
    out.append("  </interfaces>")
    out.append("  <aliases>")
    for a in range(NALIASES):
        out.append("    <alias><name>hosts_%d</name><type>host</type>"
                   "<address>10.2.%d.1 10.2.%d.2</address></alias>" % (a, a, a))
    out.append("  </aliases>")
    out.append("  <filter>")
    ifs = ("wan", "lan", "opt1")
    for i in range(nrules):
        dst = ("<address>hosts_%d</address>" % (i % NALIASES) if i % 2
               else "<network>10.%d.%d.0/24</network>" % (100 + i // 65536 % 100,
                                                         i // 256 % 256))
        out.append(
            "    <rule><type>%s</type><interface>%s</interface>"
            "<ipprotocol>inet</ipprotocol><protocol>tcp</protocol>"
            "<source><any/></source><destination>%s<port>%d</port>"
            "</destination>%s<descr>rule %d</descr></rule>"
            % ("pass" if i % 3 else "block", ifs[i % 3], dst, 1 + i % 65535,
               "<log/>" if i % 7 == 0 else "", i))
    out.append("  </filter>")
    out.append("</opnsense>")
    return "\n".join(out) + "\n"


def timed(cmd, stdout=subprocess.DEVNULL):
    t = time.monotonic()
    r = subprocess.run(cmd, stdout=stdout, stderr=subprocess.PIPE)
    dt = time.monotonic() - t
    if r.returncode != 0:
        raise RuntimeError("%s failed: %s" % (" ".join(cmd),
                                              r.stderr.decode()[-500:]))
    return dt


def best(tmp, label, cmd_for_dir):
    times = []
    for k in range(RUNS):
        d = os.path.join(tmp, "%s%d" % (label, k))
        times.append(timed(cmd_for_dir(d)))
    return min(times)


def main():
    if not os.access(BIN, os.X_OK):
        print("bench_xmlconf: SKIPPED (%s not built)" % BIN)
        return 0
    tmp = tempfile.mkdtemp(prefix="twbench-xml.")
    try:
        xml = os.path.join(tmp, "config.xml")
        with open(xml, "w") as f:
            f.write(config_xml(NRULES))
        xml_size = os.path.getsize(xml)
        # The equivalent snapshot: what an XML import stores, as JSON.
        ref = os.path.join(tmp, "ref")
        timed([BIN, "import-xml", "--data", ref, xml])
        snap = os.path.join(tmp, "snapshot.json")
        timed([BIN, "export", "--data", ref, snap])

        floor = best(tmp, "json", lambda d: [BIN, "import", "--data", d, snap])
        imp = best(tmp, "xml", lambda d: [BIN, "import-xml", "--data", d, xml])
        out = os.path.join(tmp, "export.xml")
        exp = min(timed([BIN, "export-xml", "--data", ref, out])
                  for _ in range(RUNS))

        def verdict(ok):
            return "ok" if ok else "MISSED"
        print("== config.xml import (%d rules, %.1f MB XML, best of %d, "
              "fresh data dir each) ==" % (NRULES, xml_size / 1e6, RUNS))
        print("%-40s %9s %9s  %s" % ("figure", "seconds", "ratio", "target"))
        print("%-40s %9.3f %9s  %s" % ("floor: import of the JSON snapshot",
                                       floor, "1.00", "(floor)"))
        print("%-40s %9.3f %8.2fx  < 2 s %s" % ("import-xml config.xml", imp,
              imp / floor if floor else 0, verdict(imp < 2.0)))
        print("%-40s %9.3f %8.2fx  (no target)" % ("export-xml", exp,
              exp / floor if floor else 0))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
