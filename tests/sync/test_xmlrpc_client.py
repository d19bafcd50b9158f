#!/usr/bin/env python3
"""The backup side of the sync as any XML-RPC client sees it: Python's
xmlrpc.client against POST /xmlrpc.php of a real daemon (TLS, --platform
dry). Every method with valid and invalid input; an invalid call is a
fault (or, for bad credentials, the string OPNsense answers) and changes
nothing (config_hash of GET core/system/status).

    python3 tests/sync/test_xmlrpc_client.py [-k substring]
"""
import http.client
import os
import sys
import xmlrpc.client

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "lib"))
import twdaemon  # noqa: E402
from twdaemon import check  # noqa: E402


def proxy(d, user=None, password=None):
    user = user or d.key
    password = password or d.secret
    return xmlrpc.client.ServerProxy(
        "https://%s:%s@127.0.0.1:%d/xmlrpc.php" % (user, password, d.port),
        context=twdaemon.insecure_ctx(), allow_none=False)


def fault(fn, *args, code=None, words=()):
    try:
        r = fn(*args)
    except xmlrpc.client.Fault as f:
        if code is not None:
            check(f.faultCode == code, "fault code %d, want %d: %s" % (
                f.faultCode, code, f.faultString))
        for w in words:
            check(w in f.faultString, "fault %r lacks %r" % (f.faultString, w))
        return f
    raise AssertionError("no fault, got %r" % (r,))


def unchanged(d, before, what):
    check(d.config_hash() == before, "%s changed the configuration" % what)


def rule(seq, descr, **kw):
    r = {"sequence": str(seq), "action": "pass", "interface": "lan",
         "protocol": "tcp", "destination_port": "443",
         "description": descr}
    r.update(kw)
    return r


def t_firmware_version(d):
    v = proxy(d).opnsense.firmware_version()
    ver = d.status()["version"]
    for k in ("base", "firmware", "kernel"):
        check(isinstance(v.get(k), dict) and v[k].get("version"),
              "firmware_version: %r" % v)
    check(v["base"]["version"] == ver, "base %r != %r" % (v["base"], ver))


def t_bad_auth(d):
    before = d.config_hash()
    for user, pw in ((d.key, "wrong-secret"), ("root", "wrong password"),
                     ("nobody", "x")):
        r = proxy(d, user, pw).opnsense.restore_config_section(
            {"aliases": []})
        check(r == "Authentication failed", "bad auth answered %r" % (r,))
    unchanged(d, before, "bad auth")
    # A user password works too (OPNsense: local users, then API keys).
    v = proxy(d, "root", d.root_password()).opnsense.firmware_version()
    check("base" in v, "root login: %r" % v)


def t_unknown_method(d):
    f = fault(proxy(d).opnsense.no_such_thing, code=-32601,
              words=("unknown method", "opnsense.no_such_thing"))
    check("restore_config_section" in f.faultString, f.faultString)
    # The method set of OPNsense 24.7's xmlrpc.php, named as it names it.
    names = proxy(d).system.listMethods()
    for m in ("opnsense.firmware_version", "opnsense.restore_config_section",
              "opnsense.filter_configure", "opnsense.list_services",
              "opnsense.start_service", "opnsense.stop_service",
              "opnsense.restart_service",
              "opnsense.configd_reload_all_templates", "system.listMethods"):
        check(m in names, "system.listMethods lacks %s: %r" % (m, names))


def t_malformed_xml(d):
    before = d.config_hash()
    for body in (b"<methodCall><methodName>opnsense.firmware_version",
                 b"not xml at all", b"",
                 b"<?xml version='1.0'?><methodCall><params/></methodCall>"):
        r = d.request("POST", "/xmlrpc.php", raw=body, ctype="text/xml")
        check(r.status == 200, "malformed %r: %r" % (body[:20], r))
        check(b"<fault>" in r.raw, "malformed %r: no fault: %r" % (
            body[:20], r.raw[:300]))
    unchanged(d, before, "malformed XML")


def t_too_deep(d):
    before = d.config_hash()
    v = "x"
    for _ in range(40):		# deeper than any MVC subtree (limit 32)
        v = [v]
    f = fault(proxy(d).opnsense.restore_config_section, {"aliases": v})
    check(f.faultString, "empty fault")
    unchanged(d, before, "deep nesting")


def t_too_large(d):
    before = d.config_hash()
    big = xmlrpc.client.dumps(({"aliases": [{"name": "a", "descr": "x" * 200}
                                            for _ in range(6000)]},),
                              "opnsense.restore_config_section")
    r = d.request("POST", "/xmlrpc.php", raw=big.encode(), ctype="text/xml")
    check(r.status == 413, "%d bytes: %r" % (len(big), r))
    unchanged(d, before, "an oversized body")


def t_malformed_struct(d):
    before = d.config_hash()
    p = proxy(d).opnsense.restore_config_section
    fault(p, code=-32602, words=("missing argument",))
    fault(p, "filter_rules", code=-32602, words=("struct",))
    fault(p, {"filter_rules": "all of them"}, code=-32602,
          words=("filter_rules", "array"))
    fault(p, {"filter_rules": ["not a struct"]}, code=-32602,
          words=("not a struct",))
    fault(p, {"system": []}, code=-32602, words=("system", "struct"))
    fault(p, {"bogus": []}, code=-32602, words=("unknown section", "bogus"))
    fault(p, {"interfaces": []}, code=-32602,
          words=("interfaces", "not synchronised"))
    fault(p, {"hasync": {}}, code=-32602, words=("hasync",))
    fault(p, {"aliases": [{"name": b"\x00bin"}]})
    unchanged(d, before, "malformed structs")


def t_invalid_values(d):
    before = d.config_hash()
    p = proxy(d).opnsense.restore_config_section
    f = fault(p, {"filter_rules": [rule(1, "ok"), rule(2, "bad",
                                                   action="explode")]},
              code=-32000, words=("nothing changed", "action"))
    check("filter_rules.1" in f.faultString, f.faultString)
    fault(p, {"aliases": [{"name": "1bad name", "type": "host"}]},
          code=-32000, words=("name",))
    fault(p, {"filter_rules": [rule(1, "x", interface="nosuchif")]},
          code=-32000, words=("interface",))
    fault(p, {"vips": [{"mode": "carp", "interface": "lan",
                        "subnet": "192.168.1.250", "subnet_bits": "24",
                        "vhid": "300", "password": "x"}]},
          code=-32000, words=("vhid",))
    fault(p, {"filter_rules": [rule(1, "x", unknownfield="1")]},
          code=-32000, words=("unknownfield",))
    # Never lock the backup out: no enabled admin would remain.
    fault(p, {"users": []}, code=-32000, words=("admin",))
    unchanged(d, before, "invalid values")


def t_restore_and_configure(d):
    # The backup's own nosync rule must survive a replace.
    own = d.add("/api/firewall/filter/add_rule", "rule",
                rule(50, "backup only", nosync="1"))
    d.ok("POST", "/api/firewall/filter/apply")
    before_files = d.rendered()
    p = proxy(d)
    r = p.opnsense.restore_config_section({
        "aliases": [{"name": "webservers", "type": "host",
                     "content": "10.0.0.1,10.0.0.2"}],
        "filter_rules": [rule(1, "from master", destination_net="webservers"),
                         rule(2, "second", protocol="udp",
                              destination_port="53")]})
    check(r is True, "restore: %r" % (r,))
    rules = d.rows("/api/firewall/filter/search_rule")
    descrs = [x["description"] for x in rules]
    check("from master" in descrs and "second" in descrs, descrs)
    check("backup only" in descrs, "nosync rule lost: %r" % descrs)
    check(not any(x.startswith("Default allow") for x in descrs),
          "factory rules not replaced: %r" % descrs)
    check(any(x["uuid"] == own for x in rules), "nosync uuid changed")
    revs = d.ok("GET", "/api/core/backup/list")["revisions"]
    check("merged" in revs[0]["description"] and
          "127.0.0.1" in revs[0]["description"] and
          "filter_rules" in revs[0]["description"], revs[0])
    check(revs[0]["user"].startswith("sync "), revs[0])
    check("filter" in d.status()["dirty"], d.status()["dirty"])
    check(p.opnsense.filter_configure() is True, "filter_configure")
    st = d.status()
    check(st["dirty"] == [], "dirty after configure: %r" % st["dirty"])
    after = d.rendered()
    check(after.get("twinwall.nft") != before_files.get("twinwall.nft"),
          "rendered ruleset unchanged")
    check(b"webservers" in after.get("twinwall.nft", b""),
          "alias not in the rendered ruleset")


def t_services(d):
    p = proxy(d)
    svcs = p.opnsense.list_services()
    names = [s["name"] for s in svcs]
    check("filter" in names and all("status" in s and "description" in s
                                    for s in svcs), svcs)
    # What is measured, not "running" for everything: the dry engine
    # says it simulates, conntrackd is off, the scheduler's thread and
    # the last apply of each subsystem are read from where they live.
    # OPNsense gives status as a boolean (running); the words are state.
    by = {s["name"]: s for s in svcs}
    check(by["carp"]["detail"]["engine"].startswith("simulated"), by["carp"])
    check(by["statesync"]["state"] == "disabled" and
          by["statesync"]["status"] is False, by["statesync"])
    check(by["cron"]["status"] is True and
          by["cron"]["detail"]["last_wakeup"] > 0, by["cron"])
    check(all(isinstance(s["status"], bool) for s in svcs), svcs)
    check(by["filter"]["status"] is True, by["filter"])
    check(p.opnsense.configd_reload_all_templates() == {"status": "done"},
          "reload templates")
    check(p.opnsense.start_service({"service": "filter", "id": "filter"})
          == "ok", "start filter")
    fault(p.opnsense.stop_service, {"service": "filter"}, code=-32001,
          words=("does not stop",))
    check(p.opnsense.restart_service({"service": "filter", "id": "filter"})
          == "ok", "restart filter")
    check(p.opnsense.restart_service("routing") == "ok", "restart routing")
    fault(p.opnsense.restart_service, {"service": "sshd"}, code=-32001,
          words=("no service",))
    fault(p.opnsense.restart_service, {"id": 3}, code=-32602)
    fault(p.opnsense.restart_service, code=-32602)


def t_config_hash(d):
    p = proxy(d)
    h = p.twinwall.config_hash(["filter_rules", "aliases"])
    check(isinstance(h, str) and len(h) == 64, h)
    check(p.twinwall.config_hash(["filter_rules", "aliases"]) == h, "stable")
    check(p.twinwall.config_hash(["aliases"]) != h, "per section")
    fault(p.twinwall.config_hash, ["interfaces"], code=-32602)
    fault(p.twinwall.config_hash, "filter_rules", code=-32602)
    fault(p.twinwall.config_hash, [1], code=-32602)
    # nosync rows are not part of the hash: adding one changes nothing.
    d.add("/api/firewall/filter/add_rule", "rule",
          rule(60, "local again", nosync="1"))
    check(p.twinwall.config_hash(["filter_rules", "aliases"]) == h,
          "a nosync row changed the sync hash")


def t_staged(d):
    before = d.config_hash()
    p = proxy(d)
    tok = "0123456789abcdef0123456789abcdef"
    fault(p.twinwall.stage_config_section, "short", {"aliases": []},
          code=-32602, words=("token",))
    fault(p.twinwall.stage_config_section, tok, {"system": {}},
          code=-32602, words=("row sections",))
    n = p.twinwall.stage_config_section(tok, {"aliases": [
        {"name": "staged%d" % i, "type": "host", "content": "10.1.0.%d" % i}
        for i in range(1, 4)]})
    check(n == 3, "staged %r" % n)
    n = p.twinwall.stage_config_section(tok, {"aliases": [
        {"name": "staged4", "type": "host", "content": "10.1.0.4"}]})
    check(n == 4, "staged %r" % n)
    fault(p.twinwall.restore_config_section, "f" * 32, {"aliases": []},
          code=-32602, words=("nothing staged",))
    unchanged(d, before, "staging")
    # The wrong token above did not consume the stage? It did not match,
    # so stage again under a fresh token and restore.
    tok2 = "fedcba9876543210fedcba9876543210"
    p.twinwall.stage_config_section(tok2, {"aliases": [
        {"name": "staged%d" % i, "type": "host", "content": "10.1.0.%d" % i}
        for i in range(1, 3)]})
    r = p.twinwall.restore_config_section(tok2, {"aliases": [
        {"name": "final", "type": "host", "content": "10.1.0.9"}],
        "filter_rules": [rule(1, "staged run")]})
    check(r is True, "restore staged: %r" % (r,))
    names = sorted(x["name"] for x in d.rows("/api/firewall/alias/search_item"))
    check(names == ["final", "staged1", "staged2"], names)
    fault(p.twinwall.restore_config_section, tok2, {"aliases": []},
          code=-32602, words=("nothing staged",))


TESTS = [
    ("firmware_version", t_firmware_version),
    ("bad_auth", t_bad_auth),
    ("unknown_method", t_unknown_method),
    ("malformed_xml", t_malformed_xml),
    ("nesting_limit", t_too_deep),
    ("body_limit", t_too_large),
    ("malformed_struct", t_malformed_struct),
    ("invalid_values", t_invalid_values),
    ("restore_and_configure", t_restore_and_configure),
    ("services", t_services),
    ("config_hash", t_config_hash),
    ("staged_restore", t_staged),
]


def setup():
    return twdaemon.Daemon("backup", tls=True, auto_key=True).start()


def main():
    return twdaemon.run_main(TESTS, setup, lambda d: (d,))


if __name__ == "__main__":
    http.client.HTTPConnection.debuglevel = 0
    sys.exit(main())
