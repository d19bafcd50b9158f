#!/usr/bin/env python3
"""A twinwall master pushing to an OPNsense backup. The backup is a test
double on loopback that answers XML-RPC as OPNsense 24.7's xmlrpc.php and
merges as its restore_config_section does (top-level keys merged, lists replaced whole, the backup's own VIPs
without vhid kept, VHID VIPs taken as sent). The master tells it apart by
its firmware_version (no product "twinwall") and must send OPNsense's
shapes: config.xml subtrees, never twinwall's table names.

The double's merged configuration, written out as config.xml, is then
imported into a fresh twinwall: it must hold the master's synced rows.

    python3 tests/sync/test_push_to_opnsense.py [-k substring]

Prints "PASS name" / "FAIL name: reason" and "N passed, N failed".
"""
import base64
import os
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "lib"))
import twdaemon  # noqa: E402
from twdaemon import check  # noqa: E402

FILTER = "/api/firewall/filter/"
ALIAS = "/api/firewall/alias/"
VIP = "/api/interfaces/vip_settings/"
SNAT = "/api/firewall/source_nat/"
OPN_TOP = {"filter", "nat", "aliases", "virtualip", "staticroutes",
           "gateways", "OPNsense", "system"}
USER, SECRET = "root", "opnsense-backup-pw"


class Env:
    pass


# --- the OPNsense backup double ---------------------------------------------

class OpnBackup:
    """What an OPNsense 24.7 backup does with the XML-RPC sync calls."""

    def __init__(self):
        self.config = {
            # The backup's own: an IP alias without vhid (kept), a stale
            # CARP VIP (replaced), a hostname (never touched).
            "system": {"hostname": "opn-backup"},
            "virtualip": {"vip": [
                {"mode": "ipalias", "interface": "lan",
                 "subnet": "192.168.1.230", "subnet_bits": "24"},
                {"mode": "carp", "interface": "lan", "vhid": "99",
                 "subnet": "192.168.1.99", "subnet_bits": "24",
                 "advskew": "0", "password": "old"}]},
        }
        self.calls = []
        self.received = None
        self.lock = threading.Lock()

    def firmware_version(self):
        self.calls.append("firmware_version")
        return {"base": {"version": "24.7"}, "firmware": {"version": "24.7"},
                "kernel": {"version": "14.1-RELEASE-p3"}}

    @staticmethod
    def merge(dst, src):
        for k, v in src.items():
            if isinstance(v, dict) and isinstance(dst.get(k), dict):
                OpnBackup.merge(dst[k], v)
            else:
                dst[k] = v		# scalars and lists: replaced whole

    def restore_config_section(self, sections):
        with self.lock:
            self.calls.append("restore_config_section")
            self.received = sections
            vip = sections.get("virtualip")
            if isinstance(vip, dict):
                # Local VIPs without vhid stay; VHID VIPs as sent.
                own = [v for v in self.config.get("virtualip", {}).get(
                    "vip", []) if not v.get("vhid")]
                sections = dict(sections, virtualip={
                    "vip": own + list(vip.get("vip", []))})
            self.merge(self.config, sections)
        return True

    def filter_configure(self):
        self.calls.append("filter_configure")
        return True

    def list_services(self):
        return [{"name": "pf", "description": "Packet Filter",
                 "status": True}]

    def restart_service(self, arg):
        self.calls.append("restart_service")
        return "OK"

    def configd_reload_all_templates(self):
        return {"status": "done"}


class AuthHandler(SimpleXMLRPCRequestHandler):
    rpc_paths = ("/xmlrpc.php",)

    def do_POST(self):
        want = "Basic " + base64.b64encode(
            ("%s:%s" % (USER, SECRET)).encode()).decode()
        if self.headers.get("Authorization") != want:
            body = (b"<?xml version=\"1.0\"?><methodResponse><params>"
                    b"<param><value><string>Authentication failed</string>"
                    b"</value></param></params></methodResponse>")
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_POST()

    def log_message(self, *args):
        pass


def start_double():
    backup = OpnBackup()
    srv = SimpleXMLRPCServer(("127.0.0.1", 0), requestHandler=AuthHandler,
                             allow_none=True, logRequests=False)
    for name in ("firmware_version", "restore_config_section",
                 "filter_configure", "list_services", "restart_service",
                 "configd_reload_all_templates"):
        srv.register_function(getattr(backup, name), "opnsense." + name)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    return backup, srv


def to_xml(parent, name, v):
    """The double's config as config.xml: arrays repeat, @attributes."""
    if isinstance(v, list):
        for e in v:
            to_xml(parent, name, e)
        return
    el = ET.SubElement(parent, name)
    if isinstance(v, dict):
        for k, a in (v.get("@attributes") or {}).items():
            el.set(k, a)
        for k, c in v.items():
            if k != "@attributes":
                to_xml(el, k, c)
    elif v is not None:
        el.text = str(v)


# --- the test ---------------------------------------------------------------

def setup():
    e = Env()
    e.m = None
    e.backup, e.srv = start_double()
    e.m = twdaemon.Daemon("master", auto_key=True).start()
    m = e.m
    m.ok("POST", "/api/core/hasync/set", {"hasync": {
        "synchronizetoip": "http://127.0.0.1:%d" % e.srv.server_address[1],
        "username": USER, "password": SECRET, "verifypeer": "0",
        "syncitems": "rules,nat,aliases,virtualip"}})
    m.add(ALIAS + "add_item", "alias", {"name": "web", "type": "host",
                                        "content": "10.0.0.1,10.0.0.2",
                                        "descr": "web servers"})
    m.add(FILTER + "add_rule", "rule", {
        "action": "pass", "interface": "lan", "protocol": "tcp",
        "destination_net": "web", "destination_port": "443",
        "description": "m web"})
    m.add(FILTER + "add_rule", "rule", {
        "action": "block", "interface": "lan", "description": "m only",
        "nosync": "1"})
    m.ok("POST", SNAT + "set", {"snat": {"mode": "hybrid"}})
    m.add(SNAT + "add_rule", "rule", {
        "interface": "wan", "source_net": "192.168.1.0/24",
        "target": "192.168.1.210", "description": "m snat"})
    e.vip = m.add(VIP + "add_item", "vip", {
        "mode": "carp", "interface": "lan", "subnet": "192.168.1.210",
        "subnet_bits": "24", "vhid": "10", "advskew": "0",
        "password": "carp-pw", "descr": "m vip"})
    m.add(VIP + "add_item", "vip", {"mode": "ipalias", "interface": "lan",
                                    "subnet": "192.168.1.220",
                                    "subnet_bits": "24"})
    m.ok("POST", VIP + "reconfigure")
    deadline = time.time() + 15
    while True:
        st = [r["status"] for r in m.ok(
            "GET", "/api/diagnostics/interface/get_vip_status")["rows"]
            if r.get("mode", "carp") == "carp"]
        if st and all(s == "MASTER" for s in st):
            break
        check(time.time() < deadline, "VIPs not MASTER: %r" % st)
        time.sleep(0.2)
    return e


def t_push(e):
    r = e.m.post("/api/core/hasync_status/sync")
    check(r.status == 200 and r.json.get("status") == "ok",
          "sync: %r" % r)
    check(r.json.get("peer_product") == "OPNsense", "not told apart: %r" %
          r.json)
    check(e.backup.calls[:3] == ["firmware_version",
                                 "restore_config_section",
                                 "filter_configure"], e.backup.calls)


def t_only_opnsense_shapes(e):
    got = e.backup.received
    if os.environ.get("TW_SHOW"):
        print(repr(got))
    check(got is not None, "nothing received")
    check(set(got) <= OPN_TOP, "keys OPNsense would keep as junk: %r" %
          sorted(set(got) - OPN_TOP))
    for twname in ("filter_rules", "vips", "snat_rules", "dnat_rules",
                   "aliases_rows"):
        check(twname not in got, "twinwall table name %s sent" % twname)
    check("system" not in got and "interfaces" not in got,
          "node identity sent: %r" % sorted(got))
    vips = got["virtualip"]["vip"]
    check(isinstance(vips, list) and len(vips) == 1,
          "VIPs: only those with a vhid, as a list: %r" % vips)
    check(vips[0]["vhid"] == "10" and vips[0]["advskew"] == "100" and
          vips[0]["password"] == "carp-pw", "VIP: %r" % vips[0])
    text = repr(got)
    check("m only" not in text, "a nosync rule was sent")
    check("m web" in text and "m snat" in text, "rules missing")


def t_backup_merged_as_opnsense(e):
    cfg = e.backup.config
    check(cfg["system"]["hostname"] == "opn-backup", "hostname touched")
    subnets = sorted(v["subnet"] for v in cfg["virtualip"]["vip"])
    check(subnets == ["192.168.1.210", "192.168.1.230"],
          "VIPs after the merge: %r" % subnets)


def t_backup_config_reads_back(e):
    """The double's merged config, as config.xml, holds the master's
    synced rows: twinwall reads it back without --partial."""
    root = ET.Element("opnsense")
    for k, v in e.backup.config.items():
        if k not in ("system",):
            to_xml(root, k, v)
    ET.SubElement(ET.SubElement(root, "interfaces"), "lan").extend([])
    lan = root.find("interfaces/lan")
    for k, v in (("enable", "1"), ("if", "eth1"), ("ipaddr", "192.168.1.1"),
                 ("subnet", "24")):
        ET.SubElement(lan, k).text = v
    wan = ET.SubElement(root.find("interfaces"), "wan")
    for k, v in (("enable", "1"), ("if", "eth0"), ("ipaddr", "dhcp")):
        ET.SubElement(wan, k).text = v
    fd, path = tempfile.mkstemp(suffix=".xml")
    os.close(fd)
    ET.ElementTree(root).write(path)
    d = twdaemon.Daemon("readback", auto_key=False)
    try:
        p = d.cli("import-xml", "--data", d.dir, path)
        check(p.returncode == 0, "import: %s %s" % (p.stdout[-800:],
                                                   p.stderr[-400:]))
        d.start()
        d.key, d.secret = d.make_key()
        m = e.m
        for path_, key in ((FILTER + "search_rule", "description"),
                           (SNAT + "search_rule", "description"),
                           (ALIAS + "search_item", "name")):
            want = [(r[key]) for r in m.rows(path_) if r.get("nosync") != "1"]
            got = [(r[key]) for r in d.rows(path_)]
            check(got == want, "%s: %r, want %r" % (path_, got, want))
        al = {a["name"]: a for a in d.rows(ALIAS + "search_item")}
        check(al["web"]["content"] == "10.0.0.1,10.0.0.2", al["web"])
        v = [x for x in d.rows(VIP + "search_item")
             if x["subnet"] == "192.168.1.210"]
        check(len(v) == 1 and v[0]["advskew"] == "100" and
              v[0]["vhid"] == "10", "VIP read back: %r" % v)
        check(d.ok("GET", SNAT + "get")["snat"]["mode"] == "hybrid",
              "outbound mode")
    finally:
        d.stop()
        d.cleanup()
        os.unlink(path)


def t_wrong_credentials(e):
    m = e.m
    m.ok("POST", "/api/core/hasync/set", {"hasync": {"password": "wrong"}})
    try:
        r = m.post("/api/core/hasync_status/sync")
        check(r.json.get("status") == "failed" and
              "authentication failed" in r.json.get("message", "").lower(),
              "wrong password: %r" % r)
    finally:
        m.ok("POST", "/api/core/hasync/set", {"hasync": {
            "password": SECRET}})


def main():
    tests = [(n[2:], f) for n, f in globals().items()
             if n.startswith("t_") and callable(f)]

    def daemons(env):
        env.srv.shutdown()
        return [env.m]

    return twdaemon.run_main(tests, setup, daemons)


if __name__ == "__main__":
    sys.exit(main())
