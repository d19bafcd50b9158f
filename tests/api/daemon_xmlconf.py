#!/usr/bin/env python3
"""config.xml through a real daemon and the CLI, end to end (issue 8).

Starts `twinwall daemon --platform dry` (plain HTTP on loopback, its own
data directory; the Daemon helper of test_api.py), then:
  core/backup/import_xml   the HA master fixture, the report, the stored
                           rows read back through the API
  core/backup/download_xml the document, re-imported: same hash, same bytes
  hostile documents        400, the report names the line, nothing changed
  all or nothing/partial   partial.xml both ways
  privileges               a read-only user gets 403 on both
  the CLI                  import-xml --report json|text, export-xml, usage
Python standard library only.

    python3 tests/api/daemon_xmlconf.py [-k substring]
    TW_BIN=build/asan/twinwall python3 tests/api/daemon_xmlconf.py

Prints "PASS name" / "FAIL name: reason" and ends with "N passed, N failed".
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import test_api  # noqa: E402  (the Daemon helper)

ROOT = os.path.dirname(os.path.dirname(HERE))
FIX = os.path.join(ROOT, "tests", "xmlconf")
BIN = os.path.abspath(os.environ.get("TW_BIN", os.path.join(ROOT, "build",
                                                             "twinwall")))
check = test_api.check
expect = test_api.expect


def fixture(name):
    with open(os.path.join(FIX, name), encoding="utf-8") as f:
        return f.read()


def import_xml(d, text, partial=None, auth="key"):
    body = {"xml": text}
    if partial is not None:
        body["partial"] = partial
    return d.post("/api/core/backup/import_xml", body, auth=auth)


def t_import_ha_master(d):
    j = expect(import_xml(d, fixture("ha_master.xml")), 200, "import")
    check(j["result"] == "imported", "report %r" % j)
    check(j["sections"]["vips"]["imported"] == 2, "vips %r" % j["sections"])
    check(j["config_hash"] == d.config_hash(), "report hash != status hash")
    vips = expect(d.get("/api/interfaces/vip_settings/search_item"), 200)
    got = {r["subnet"]: r for r in vips["rows"]}
    check(got["172.18.0.100"]["vhid"] == "1" and
          got["172.18.0.100"]["mode"] == "carp", "WAN VIP %r" % got)
    check(got["192.168.1.1"]["vhid"] == "3", "LAN VIP %r" % got)
    ha = expect(d.get("/api/core/hasync/get"), 200)["hasync"]
    check(ha["pfsyncinterface"] == "opt1" and ha["synchronizetoip"] ==
          "10.0.0.2", "hasync %r" % ha)
    snat = expect(d.get("/api/firewall/source_nat/search_rule"), 200)
    check([r["target"] for r in snat["rows"]] == ["172.18.0.100"],
          "snat %r" % snat["rows"])
    mode = expect(d.get("/api/firewall/source_nat/get"), 200)
    check(mode["snat"]["mode"] == "hybrid", "mode %r" % mode)
    # Nothing is applied by an import: the sections are dirty.
    check("vip" in d.status()["dirty"], "dirty %r" % d.status()["dirty"])


def t_download_roundtrip(d):
    # Without asking, no secret leaves: no password hash in the document.
    plain = expect_raw(d.get("/api/core/backup/download_xml"))
    check(b"$6$" not in plain and b"$2y$" not in plain,
          "a password hash in the default download")
    # A restorable backup: an API key asks for the secrets explicitly.
    r = d.get("/api/core/backup/download_xml?include_secrets=1")
    expect(r, 200, "download")
    check((r.header("Content-Type") or "").startswith("application/xml"),
          "content type %r" % r.header("Content-Type"))
    check("attachment" in (r.header("Content-Disposition") or ""),
          "disposition %r" % r.header("Content-Disposition"))
    first = r.raw
    check(first.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n'
                           b"<opnsense>"), "document %r" % first[:80])
    before = d.config_hash()
    expect(import_xml(d, first.decode("utf-8")), 200, "re-import")
    check(d.config_hash() == before, "config changed on re-import")
    again = expect_raw(d.get("/api/core/backup/download_xml?include_secrets=1"))
    check(again == first, "second download differs")


def expect_raw(r):
    check(r.status == 200, "HTTP %r" % r)
    return r.raw


HOSTILE = {
    "billion laughs": ('<?xml version="1.0"?>\n<!DOCTYPE opnsense [\n'
                       '<!ENTITY a "aaaaaaaaaa">\n'
                       '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n'
                       '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">\n]>\n'
                       "<opnsense><system><hostname>&c;</hostname></system>"
                       "</opnsense>", "internal subset"),
    "xxe file": ('<?xml version="1.0"?>\n<!DOCTYPE opnsense [<!ENTITY x '
                 'SYSTEM "file:///etc/passwd">]>\n<opnsense><system>'
                 "<hostname>&x;</hostname></system></opnsense>", "line 2"),
    "external dtd": ('<?xml version="1.0"?>\n<!DOCTYPE opnsense SYSTEM '
                     '"http://127.0.0.1:1/x.dtd">\n<opnsense/>',
                     "external identifier"),
    "deep": ("<opnsense>" + "<a>" * 80 + "</a>" * 80 + "</opnsense>",
             "nested deeper than 64"),
    "truncated": ('<?xml version="1.0"?>\n<opnsense>\n<system><hostname>x',
                  "line 3"),
    "encoding": ('<?xml version="1.0" encoding="X-NOPE"?>\n<opnsense/>',
                 "Unsupported encoding"),
}


def t_hostile(d):
    before = d.config_hash()
    for name, (doc, want) in HOSTILE.items():
        j = expect(import_xml(d, doc), 400, name)
        check(j["result"] == "failed", "%s: %r" % (name, j))
        check(want in j["message"] and j["message"].startswith("line "),
              "%s: message %r" % (name, j["message"]))
        check(d.config_hash() == before, "%s: config changed" % name)


def t_body_limits(d):
    before = d.config_hash()
    big = "<opnsense>" + " " * (1 << 20) + "</opnsense>"
    r = import_xml(d, big)
    check(r.status in (400, 413), "oversized: %r" % r)
    expect(d.post("/api/core/backup/import_xml", {"document": "x"}), 400,
           "no xml key")
    check(d.config_hash() == before, "config changed")


def t_all_or_nothing_and_partial(d):
    before = d.config_hash()
    j = expect(import_xml(d, fixture("partial.xml")), 400, "all or nothing")
    check(j["sections"]["filter_rules"]["skipped"] == 3, "report %r" %
          j["sections"]["filter_rules"])
    check(d.config_hash() == before, "config changed")
    j = expect(import_xml(d, fixture("partial.xml"), partial="1"), 200,
               "partial")
    check(j["sections"]["filter_rules"]["imported"] == 1, "report %r" %
          j["sections"]["filter_rules"])
    rules = expect(d.get("/api/firewall/filter/search_rule"), 200)
    check([r["description"] for r in rules["rows"]] == ["valid rule"],
          "rules %r" % rules["rows"])


def t_readonly_user(d):
    # full.xml holds bob (read-only, password bobpass12); root keeps its key.
    expect(import_xml(d, fixture("full.xml")), 200, "full")
    bob = ("bob", "bobpass12")
    r = d.get("/api/core/backup/download_xml", auth=bob)
    check(r.status == 403, "bob download: %r" % r)
    r = import_xml(d, fixture("ha_master.xml"), auth=bob)
    check(r.status == 403, "bob import: %r" % r)
    expect(d.get("/api/core/ping", auth=bob), 200, "bob ping")


def tw(*args):
    return subprocess.run([BIN] + list(args), capture_output=True, text=True,
                          timeout=120)


def t_cli(_d):
    tmp = tempfile.mkdtemp(prefix="tw-xmlcli-")
    try:
        data = os.path.join(tmp, "data")
        p = tw("import-xml", "--data", data, "--report", "json",
               os.path.join(FIX, "full.xml"))
        check(p.returncode == 0, "import-xml: %s" % p.stderr)
        rep = json.loads(p.stdout)
        check(rep["result"] == "imported" and
              rep["sections"]["filter_rules"]["imported"] == 7 and
              rep["sections"]["gateway_groups"]["imported"] == 1, "report %r"
              % rep.get("sections"))
        out = os.path.join(tmp, "out.xml")
        p = tw("export-xml", "--data", data, out)
        check(p.returncode == 0, "export-xml: %s" % p.stderr)
        data2 = os.path.join(tmp, "data2")
        p = tw("import-xml", "--data", data2, out)
        check(p.returncode == 0 and "imported" in p.stdout,
              "re-import: %s %s" % (p.stdout, p.stderr))
        p = tw("export-xml", "--data", data2)
        with open(out, "rb") as f:
            check(p.stdout.encode() == f.read(), "export -> import -> "
                  "export differs")
        p = tw("import-xml", "--data", data, os.path.join(FIX, "partial.xml"))
        check(p.returncode == 1 and "nothing changed" in p.stderr,
              "invalid: %d %s" % (p.returncode, p.stderr))
        p = tw("import-xml", "--data", data, "--partial", "--report", "text",
               os.path.join(FIX, "partial.xml"))
        check(p.returncode == 0 and "skipped filter/rule[2]" in p.stdout,
              "partial: %s" % p.stdout)
        p = tw("import-xml", "--data", data, "--report", "yaml", out)
        check(p.returncode == 2, "usage: %d" % p.returncode)
        p = tw("import-xml", "--data", data, os.path.join(tmp, "missing.xml"))
        check(p.returncode == 1, "missing file: %d" % p.returncode)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


TESTS = [
    ("import_xml HA master", t_import_ha_master),
    ("download_xml round trip", t_download_roundtrip),
    ("hostile documents refused", t_hostile),
    ("body limits", t_body_limits),
    ("all or nothing, then partial", t_all_or_nothing_and_partial),
    ("read-only user refused", t_readonly_user),
    ("cli import-xml/export-xml", t_cli),
]


def main():
    only = None
    if "-k" in sys.argv:
        only = sys.argv[sys.argv.index("-k") + 1]
    test_api.BIN = BIN
    if not os.access(BIN, os.X_OK):
        print("FAIL setup: no %s" % BIN)
        print("0 passed, 1 failed")
        return 1
    passed = failed = 0
    d = test_api.Daemon()
    try:
        d.start()
        d.key, d.secret = d.make_key()
    except Exception as e:
        print("FAIL setup: %s" % e)
        print("0 passed, 1 failed")
        d.cleanup()
        return 1
    try:
        for name, fn in TESTS:
            if only and only not in name:
                continue
            try:
                if d.proc is None or d.proc.poll() is not None:
                    d.start()
                fn(d)
                print("PASS %s" % name)
                passed += 1
            except Exception as e:
                reason = str(e).replace("\n", " ")[:600]
                if not isinstance(e, AssertionError):
                    reason = "%s: %s (%s)" % (type(e).__name__, reason,
                             traceback.format_exc().splitlines()[-3].strip())
                print("FAIL %s: %s" % (name, reason))
                failed += 1
            sys.stdout.flush()
    finally:
        d.cleanup()
    if test_api.SAN_REPORTS:
        print("FAIL sanitizers: %s" % " | ".join(test_api.SAN_REPORTS[:5]))
        failed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
