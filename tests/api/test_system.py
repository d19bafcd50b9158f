#!/usr/bin/env python3
"""System settings through the API: what is refused (naming the
field), what the dry platform renders for the host (DATA/rendered/),
and the web GUI's listener following system.webgui_protocol and
system.webgui_port on real daemons on loopback ports.

    python3 tests/api/test_system.py [-k substring]
    TW_BIN=build/asan/twinwall python3 tests/api/test_system.py

Prints "PASS name" / "FAIL name: reason" and "N passed, N failed".
"""
import os
import random
import signal
import socket
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
from twdaemon import Daemon, check, run_main, wait_for  # noqa

SYS = "/api/core/system/"


class Env:
    def __init__(self):
        self.d = None		# dry, plain HTTP on 127.0.0.1
        self.tls = None		# dry, TLS on 127.0.0.1
        self.wide = None	# dry, TLS on 0.0.0.0 (not loopback)


def setup():
    e = Env()
    e.d = Daemon("sys", auto_key=True).start()
    e.tls = Daemon("systls", tls=True, auto_key=True).start()
    e.wide = Daemon("syswide", tls=True, listen_host="0.0.0.0",
                    auto_key=True)
    # every address: a port below the ephemeral range, or a client's
    # source port (127.0.0.1:P, taken the moment free_port freed it)
    # could hold it (quiet_port)
    e.wide.port = quiet_port("0.0.0.0")
    e.wide.listen = "0.0.0.0:%d" % e.wide.port
    e.wide.start()
    return e


def quiet_port(host="127.0.0.1"):
    lo = 20000
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            lo = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        pass
    for p in random.sample(range(10000, max(lo, 10001)), 200):
        s = socket.socket()
        try:
            s.bind((host, p))
            return p
        except OSError:
            continue
        finally:
            s.close()
    raise AssertionError("no free port on every address")


def invalid(d, body, field):
    """POST body to system/set: refused as OPNsense refuses (HTTP 200,
    result failed) naming field, nothing changes."""
    before = d.config_hash()
    r = d.post(SYS + "set", {"system": body})
    check(r.status == 200 and r.json.get("result") == "failed",
          "%r: expected a refusal, got %r" % (body, r))
    v = r.json.get("validations") or {}
    check("system." + field in v, "%r: validations %r do not name "
          "system.%s" % (body, v, field))
    check(d.config_hash() == before, "%r: the configuration changed" % body)
    return v["system." + field]


def refused(port, timeout=6.0):
    """Until nothing accepts on 127.0.0.1:port."""
    def gone():
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return False
        except ConnectionRefusedError:
            return True
    return wait_for(gone, timeout, "port %d to close" % port)


def t_fresh_store_is_as_started(e):
    d = e.d
    j = d.ok("GET", SYS + "get")["system"]
    for f in ("hostname", "domain", "timezone", "dnsserver",
              "webgui_protocol", "webgui_port"):
        check(j[f] == "", "fresh %s = %r, not the host's own" % (f, j[f]))
    j = d.ok("POST", SYS + "reconfigure")
    check(j["status"] == "ok", j)
    check(d.listening(), "a fresh store moved the listener")
    r = d.rendered()
    check(not any(n in r for n in ("hostname", "hosts", "resolv.conf",
                                   "timezone")), "rendered %r" % list(r))


def t_bad_timezone(e):
    d = e.d
    why = invalid(d, {"timezone": "Mars/Olympus_Mons"}, "timezone")
    check("time zone" in why, why)
    invalid(d, {"timezone": "../../../etc/passwd"}, "timezone")
    invalid(d, {"timezone": "Europe/../Europe/Berlin"}, "timezone")
    invalid(d, {"timezone": "/usr/share/zoneinfo/UTC"}, "timezone")
    invalid(d, {"timezone": "Europe/Berlin\nnameserver 203.0.113.6"},
            "timezone")
    invalid(d, {"timezone": "Europe"}, "timezone")	# a directory
    invalid(d, {"timezone": "zone.tab"}, "timezone")	# not a zone file


def t_bad_hostname(e):
    d = e.d
    why = invalid(d, {"hostname": "fw1.example.org"}, "hostname")
    check("domain" in why, why)
    invalid(d, {"hostname": "fw 1"}, "hostname")
    invalid(d, {"hostname": "fw1\n127.0.0.1 evil"}, "hostname")
    invalid(d, {"hostname": "-fw"}, "hostname")
    invalid(d, {"hostname": "x" * 64}, "hostname")
    invalid(d, {"domain": "lab example"}, "domain")
    invalid(d, {"domain": "lab.example\nsearch evil"}, "domain")


def t_bad_dns_server(e):
    d = e.d
    invalid(d, {"dnsserver": "dns.example.org"}, "dnsserver")
    invalid(d, {"dnsserver": "192.0.2.300"}, "dnsserver")
    invalid(d, {"dnsserver": "192.0.2.53 options ndots:9"}, "dnsserver")
    invalid(d, {"dnsserver": "192.0.2.53\nnameserver 203.0.113.6x"},
            "dnsserver")
    invalid(d, {"dnsserver": ",".join("192.0.2.%d" % i
                                     for i in range(1, 10))}, "dnsserver")


def t_port_out_of_range(e):
    d = e.d
    for p in ("0", "-1", "443x", "80:90"):
        invalid(d, {"webgui_port": p}, "webgui_port")
    why = invalid(d, {"webgui_port": "65536"}, "webgui_port")
    check("65535" in why, why)
    invalid(d, {"webgui_protocol": "ftp"}, "webgui_protocol")


def t_http_needs_loopback(e):
    w = e.wide
    why = invalid(w, {"webgui_protocol": "http"}, "webgui_protocol")
    check("loopback" in why, why)
    # https stays allowed there, and http on a loopback daemon
    w.ok("POST", SYS + "set", {"system": {"webgui_protocol": "https"}})
    e.d.ok("POST", SYS + "set", {"system": {"webgui_protocol": "http"}})
    e.d.ok("POST", SYS + "set", {"system": {"webgui_protocol": ""}})


def t_dry_renders_host_files(e):
    d = e.d
    d.ok("POST", SYS + "set", {"system": {
        "hostname": "fw-dry", "domain": "lab.example",
        "dnsserver": "192.0.2.53, 2001:db8::53", "timezone": "Asia/Tokyo"}})
    j = d.ok("POST", SYS + "reconfigure")
    check(j["status"] == "ok", j)
    r = {k: v.decode() for k, v in d.rendered().items()
         if k in ("hostname", "hosts", "resolv.conf", "timezone",
                  "actions.log")}
    check(r.get("hostname") == "fw-dry\n", r)
    check(r.get("hosts") == "127.0.1.1\tfw-dry.lab.example\tfw-dry\n", r)
    lines = [x for x in r.get("resolv.conf", "").splitlines()
             if not x.startswith("#")]
    check(lines == ["search lab.example", "nameserver 192.0.2.53",
                    "nameserver 2001:db8::53"], lines)
    check(r.get("timezone") == "Asia/Tokyo\n", r)
    check("would link /etc/localtime to /usr/share/zoneinfo/Asia/Tokyo"
          in r["actions.log"], r["actions.log"][-500:])
    check(d.listening(), "the listener moved without a stored port")


def t_domain_alone_names_the_host(e):
    d = e.d
    d.ok("POST", SYS + "set", {"system": {"hostname": "", "dnsserver": "",
                                          "domain": "only.example"}})
    d.ok("POST", SYS + "reconfigure")
    own = socket.gethostname().split(".")[0]
    r = d.rendered()
    check(r.get("hosts", b"").decode() ==
          "127.0.1.1\t%s.only.example\t%s\n" % (own, own), r.get("hosts"))
    d.ok("POST", SYS + "set", {"system": {"domain": ""}})


def t_gui_port_moves_and_survives_restart(e):
    d = e.d
    old, new = d.port, quiet_port()
    d.ok("POST", SYS + "set", {"system": {"webgui_port": str(new)}})
    j = d.ok("POST", SYS + "reconfigure")	# answered on the old port
    check(j["status"] == "ok", j)
    d.port = new
    wait_for(d.listening, 6, "the GUI on port %d" % new)
    refused(old)
    check(d.ok("GET", SYS + "get")["system"]["webgui_port"] == str(new),
          "new port serves the API")
    # the API child dies: its replacement serves the moved listener at
    # once, even with --listen's port taken meanwhile
    squat = socket.socket()
    squat.bind(("127.0.0.1", old))
    squat.listen()
    try:
        kid = d.child()
        check(kid is not None, "no API child")
        os.kill(kid, signal.SIGKILL)
        wait_for(lambda: d.child() not in (None, kid), 10, "a new API child")
        def serves():
            try:
                return d.get("/api/core/ping", timeout=2).status == 200
            except OSError:
                return False
        wait_for(serves, 10, "the new child on port %d" % new)
        check("restarting it (once)" in d.stderr(), "no child restart")
    finally:
        squat.close()
    # a reboot: --listen still says the old port, the store wins
    d.restart()
    check(d.listening(), "not on the stored port after a restart")
    refused(old)
    # back to "as started"
    d.ok("POST", SYS + "set", {"system": {"webgui_port": ""}})
    d.ok("POST", SYS + "reconfigure")
    d.port = old
    wait_for(d.listening, 6, "the GUI back on --listen's port %d" % old)
    refused(new)


def t_busy_port_keeps_the_old_listener(e):
    d = e.d
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    busy = s.getsockname()[1]
    try:
        d.ok("POST", SYS + "set", {"system": {"webgui_port": str(busy),
                                              "hostname": "fw-busy"}})
        r = d.post(SYS + "reconfigure")
        check(r.status == 500, "apply on a busy port: %r" % r)
        msg = r.json.get("message", "")
        check("webgui_port" in msg and "127.0.0.1:%d" % busy in msg and
              "in use" in msg.lower(), msg)
        check(d.listening(), "the old listener stopped")
        check("fw-busy" not in d.rendered().get("hostname", b"").decode(),
              "the failed apply changed the host")
        check("cannot listen on 127.0.0.1:%d" % busy in d.stderr(),
              "not logged")
        check(d.status()["dirty"], "the failed apply cleared the flags")
    finally:
        s.close()
        d.ok("POST", SYS + "set", {"system": {"webgui_port": "",
                                              "hostname": ""}})


def t_protocol_changes_on_the_same_port(e):
    t = e.tls
    t.ok("POST", SYS + "set", {"system": {"webgui_protocol": "http"}})
    j = t.ok("POST", SYS + "reconfigure")	# answered over TLS
    check(j["status"] == "ok", j)
    t.tls = False

    def plain():
        try:
            return t.get("/api/core/ping", timeout=2).status == 200
        except OSError:
            return False
    wait_for(plain, 6, "plain HTTP on the same port")
    t.ok("POST", SYS + "set", {"system": {"webgui_protocol": ""}})
    t.ok("POST", SYS + "reconfigure")
    t.tls = True
    wait_for(plain, 6, "TLS again (as started)")


TESTS = [(f.__name__[2:], f) for f in (
    t_fresh_store_is_as_started,
    t_bad_timezone,
    t_bad_hostname,
    t_bad_dns_server,
    t_port_out_of_range,
    t_http_needs_loopback,
    t_dry_renders_host_files,
    t_domain_alone_names_the_host,
    t_gui_port_moves_and_survives_restart,
    t_busy_port_keeps_the_old_listener,
    t_protocol_changes_on_the_same_port,
)]

if __name__ == "__main__":
    sys.exit(run_main(TESTS, setup, lambda e: [e.d, e.tls, e.wide]))
