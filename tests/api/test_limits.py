#!/usr/bin/env python3
"""Guessing, request limits, TLS and the lock-out rule (issue 14).

Two `twinwall daemon --platform dry` on loopback (one plain HTTP, one
TLS), clients bound to several source addresses (127.0.0.7, .8, ...):
  throttle      1,000 wrong passwords on core/login from one address:
                the first answered at once, then held back, then 429 with
                Retry-After, the whole run bounded; the right password
                from another address works at once meanwhile; the log has
                no secret; core/system/throttle shows the source; the
                console and DATA/control.sock still work; throttle_reset
                forgives it. The same for wrong API secrets (HTTP Basic)
                and wrong XML-RPC logins.
  limits        oversized header (431), body (413), JSON nesting (400)
                and item count (413), each naming its limit; bodies held
                at once past body_memory (503)
  TLS           1.0 and 1.1 refused, 1.2 and 1.3 served (a local server
                proves the client really offers the old versions); CSP,
                HSTS, X-Frame-Options DENY and nosniff on API answers,
                GUI files and refusals
  lock-out      import-xml (CLI and API) of a config.xml whose only admin
                has no password hash is refused; disabling the last
                admin through the API is refused; `apikey` and
                add_api_key refuse a disabled user
Python standard library only.

    python3 tests/api/test_limits.py [-k substring]
    TW_BIN=build/asan/twinwall python3 tests/api/test_limits.py
"""
import base64
import http.client
import json
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import warnings

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
sys.path.insert(0, os.path.join(ROOT, "tests", "console"))
import twdaemon  # noqa: E402
from twdaemon import Daemon, Skip, check, wait_for  # noqa: E402

WRONG = "wrong-Secret-7f3a"	# must never reach a log


def basic(user, secret):
    tok = base64.b64encode(("%s:%s" % (user, secret)).encode()).decode()
    return "Basic " + tok


class Client:
    """A keep-alive HTTP connection from source address src."""

    def __init__(self, d, src, timeout=10):
        self.d = d
        self.c = http.client.HTTPConnection("127.0.0.1", d.port,
                                            timeout=timeout,
                                            source_address=(src, 0))

    def req(self, method, path, body=None, headers=None, raw=None):
        h = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        t0 = time.time()
        self.c.request(method, path, body=data, headers=h)
        r = self.c.getresponse()
        b = r.read()
        return twdaemon.Resp(r.status, r.getheaders(), b), time.time() - t0

    def close(self):
        self.c.close()


def login(d, src, user, password):
    c = Client(d, src)
    try:
        return c.req("POST", "/api/core/login",
                     {"username": user, "password": password})
    finally:
        c.close()


def throttle_row(d, src):
    for row in d.ok("GET", "/api/core/system/throttle")["sources"]:
        if row["source"] == src:
            return row
    return None


def reset(d, src):
    d.ok("POST", "/api/core/system/throttle_reset/" + src)


def guess_run(d, src, n, send):
    """n wrong guesses on one connection; [(status, secs, resp)]."""
    c = Client(d, src)
    out = []
    try:
        for _ in range(n):
            r, secs = send(c)
            out.append((r.status, secs, r))
    finally:
        c.close()
    return out


def check_throttled(res, what):
    st = [s for s, _, _ in res]
    check(st[0] in (200, 401), "%s: first answer %d" % (what, st[0]))
    check(max(t for s, t, _ in res[:3]) < 5, "%s: first answers slow" % what)
    held = [t for s, t, _ in res if s != 429 and t >= 0.09]
    check(held, "%s: no answer was held back: %r" % (
        what, [(s, round(t, 2)) for s, t, _ in res[:12]]))
    n429 = st.count(429)
    check(n429 >= len(res) - 12, "%s: only %d of %d answered 429: %r" % (
        what, n429, len(res), st[:16]))
    last = res[-1][2]
    check(last.status == 429, "%s: last answer %r" % (what, last))
    ra = last.header("Retry-After")
    check(ra is not None and int(ra) > 0, "%s: Retry-After %r" % (what, ra))
    check(last.json and "retry after" in last.json.get("message", ""),
          "%s: 429 body %r" % (what, last.raw[:200]))


# ---------------------------------------------------------------------------

def t_throttle_login(env):
    d = env["http"]
    res = []
    t0 = time.time()
    th = threading.Thread(target=lambda: res.extend(guess_run(
        d, "127.0.0.7", 1000, lambda c: c.req(
            "POST", "/api/core/login",
            {"username": "root", "password": WRONG}))))
    th.start()
    try:
        # Once answers to .7 are held back, .8 logs in at once.
        wait_for(lambda: len(res) >= 5, 30, "the guesser to be slowed")
        r, secs = login(d, "127.0.0.8", "root", d.root_password())
        check(r.status == 200, "right password from .8: %r" % r)
        check(secs < 1.0, "right password from .8 took %.2f s" % secs)
    finally:
        th.join()
    took = time.time() - t0
    check(len(res) == 1000, "%d answers" % len(res))
    check(took < 40, "1,000 guesses took %.1f s" % took)
    check_throttled(res, "login")
    # Locked: the right password from .7 is refused too, .8 still works.
    r, _ = login(d, "127.0.0.7", "root", d.root_password())
    check(r.status == 429, "right password from the locked .7: %r" % r)
    row = throttle_row(d, "127.0.0.7")
    check(row and row["locked"] and row["failures"] >= 8 and
          row["retry_after"] > 0 and row["last_kind"] == "login" and
          row["last_name"] == "root", "throttle row %r" % row)
    t = d.ok("GET", "/api/core/system/throttle")
    check(t["counters"]["answered_429"] >= 900 and t["locked"] >= 1,
          "counters %r" % t["counters"])
    log = d.stderr()
    check("127.0.0.7 locked out" in log, "no lock-out line in the log")
    check(WRONG not in log and WRONG not in d.stdout(),
          "the wrong password reached the log")
    # The local ways in are never throttled.
    st = d.cli("status", "--data", d.datadir)
    check(st.returncode == 0, "status over control.sock: %s" % st.stderr)
    from console_pty import Console
    con = Console(d.datadir)
    try:
        con.choose(0)
        con.expect("Logout")
        check(con.wait() == 0, "console exit %r" % con.status)
    finally:
        con.close()
    reset(d, "127.0.0.7")
    r, _ = login(d, "127.0.0.7", "root", d.root_password())
    check(r.status == 200, "after throttle_reset: %r" % r)


def t_throttle_basic(env):
    d = env["http"]
    hdr = {"Authorization": basic(d.key, WRONG)}
    res = guess_run(d, "127.0.0.9", 40, lambda c: c.req(
        "GET", "/api/core/ping", headers=hdr))
    check_throttled(res, "basic")
    c = Client(d, "127.0.0.10")
    try:
        r, secs = c.req("GET", "/api/core/ping", headers={
            "Authorization": basic(d.key, d.secret)})
    finally:
        c.close()
    check(r.status == 200 and secs < 1.0, "key from .10: %r %.2f s" % (
        r, secs))
    # The right key from the locked source is refused too (no cache
    # oracle), until the source is forgiven.
    c = Client(d, "127.0.0.9")
    try:
        r, _ = c.req("GET", "/api/core/ping", headers={
            "Authorization": basic(d.key, d.secret)})
        check(r.status == 429, "right key from locked .9: %r" % r)
    finally:
        c.close()
    check(WRONG not in d.stderr(), "the wrong secret reached the log")
    reset(d, "127.0.0.9")


def t_throttle_xmlrpc(env):
    d = env["http"]
    call = (b"<?xml version=\"1.0\"?><methodCall><methodName>"
            b"opnsense.firmware_version</methodName><params/></methodCall>")
    hdr = {"Authorization": basic("root", WRONG), "Content-Type": "text/xml"}
    res = guess_run(d, "127.0.0.11", 30, lambda c: c.req(
        "POST", "/xmlrpc.php", headers=hdr, raw=call))
    check(b"Authentication failed" in res[0][2].raw, "first xmlrpc answer "
          "%r" % res[0][2])
    check_throttled(res, "xmlrpc")
    row = throttle_row(d, "127.0.0.11")
    check(row and row["last_kind"] == "xmlrpc", "row %r" % row)
    reset(d, "127.0.0.11")
    check(throttle_row(d, "127.0.0.11") is None, "still listed after reset")
    r = d.post("/api/core/system/throttle_reset/not-an-address")
    check(r.status == 200 and r.json.get("result") == "failed" and
          "source" in r.raw.decode(), "bad source: %r" % r)


def expect_limit(r, status, name, what):
    check(r.status == status, "%s: want %d, got %r" % (what, status, r))
    check(r.json is not None and name in json.dumps(r.json),
          "%s: answer does not name %s: %r" % (what, name, r.raw[:200]))


def t_limit_header(env):
    d = env["http"]
    r = d.get("/api/core/ping", headers={"X-Pad": "a" * 9000})
    expect_limit(r, 431, "header_bytes", "9,000-byte header")
    # Far past it, libmicrohttpd's own buffer ends it: still a 4xx.
    r = d.get("/api/core/ping", headers={"X-Pad": "a" * 200000})
    check(400 <= r.status < 500, "200 KB header: %r" % r)
    check(d.get("/api/core/ping").status == 200, "served afterwards")


def t_limit_body(env):
    d = env["http"]
    pad = {"descr": "x" * (1 << 20)}
    r = d.post("/api/core/ping", pad)
    expect_limit(r, 413, "body_bytes", "1 MiB body")


def t_limit_body_memory(env):
    d = env["mem"]
    auth = basic(d.key, d.secret)
    head = ("POST /api/core/ping HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\n"
            "Content-Type: application/json\r\nContent-Length: %%d\r\n\r\n"
            % auth)
    # One upload holds the whole budget (body_memory = 1 MiB) ...
    slow = socket.create_connection(("127.0.0.1", d.port))
    slow.sendall((head % 1000000).encode() + b" " * 700000)
    time.sleep(0.5)
    try:
        # ... so another body is refused, naming the limit.
        r = d.post("/api/core/ping", raw=b" " * 300000)
        expect_limit(r, 503, "body_memory", "a body past body_memory")
    finally:
        slow.close()
    # Freed with its connection: bodies are taken again.
    wait_for(lambda: d.post("/api/core/ping", {"a": "b"}).status == 200, 5,
             "a body accepted again")


def t_limit_depth(env):
    d = env["http"]
    deep = "[" * 17 + "]" * 17
    r = d.post("/api/firewall/alias/add_item",
               raw=('{"alias":%s}' % deep).encode())
    expect_limit(r, 400, "json_depth", "depth 18")
    ok = "[" * 14 + "]" * 14
    r = d.post("/api/firewall/alias/add_item",
               raw=('{"alias":{"x":%s}}' % ok).encode())
    check(r.status == 200 and r.json.get("result") == "failed" and
          "json_depth" not in r.raw.decode(),
          "depth 16 is parsed (and refused by the model): %r" % r)


def t_limit_items(env):
    d = env["http"]
    many = '{"alias":{"content":[%s]}}' % ",".join(["1"] * 10001)
    r = d.post("/api/firewall/alias/add_item", raw=many.encode())
    expect_limit(r, 413, "items", "10,001 values")
    form = "&".join("f%d=1" % i for i in range(10001))
    r = d.post("/api/firewall/alias/add_item", raw=form.encode(),
               ctype="application/x-www-form-urlencoded")
    expect_limit(r, 413, "items", "10,001 form fields")


# -- TLS ---------------------------------------------------------------------

def tls_ctx(version):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.set_ciphers("ALL:@SECLEVEL=0")
        ctx.minimum_version = version
        ctx.maximum_version = version
    return ctx


def handshake(port, version):
    """The protocol agreed with 127.0.0.1:port, or None when refused."""
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        t = tls_ctx(version).wrap_socket(s)
        v = t.version()
        t.close()
        return v
    except (ssl.SSLError, ConnectionResetError):
        return None
    finally:
        s.close()


def local_tls_server(d, version):
    """A one-shot server offering only version: the client's control."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        sctx.set_ciphers("ALL:@SECLEVEL=0")
        sctx.minimum_version = version
        sctx.maximum_version = version
    sctx.load_cert_chain(os.path.join(d.datadir, "tls", "cert.pem"),
                         os.path.join(d.datadir, "tls", "key.pem"))
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)

    def serve():
        c, _ = ls.accept()
        try:
            sctx.wrap_socket(c, server_side=True).close()
        except (ssl.SSLError, OSError):
            pass
        c.close()
        ls.close()
    threading.Thread(target=serve, daemon=True).start()
    return ls.getsockname()[1]


def t_tls_versions(env):
    d = env["tls"]
    V = ssl.TLSVersion
    for v, name in ((V.TLSv1, "TLSv1"), (V.TLSv1_1, "TLSv1.1")):
        try:
            got = handshake(local_tls_server(d, v), v)
        except OSError:
            got = None
        if got != name:
            raise Skip("this OpenSSL cannot offer %s at all" % name)
        check(handshake(d.port, v) is None, "%s accepted" % name)
    for v, name in ((V.TLSv1_2, "TLSv1.2"), (V.TLSv1_3, "TLSv1.3")):
        check(handshake(d.port, v) == name, "%s not served" % name)


SEC_HEADERS = (("Content-Security-Policy", "frame-ancestors 'none'"),
               ("Strict-Transport-Security", "max-age="),
               ("X-Frame-Options", "DENY"),
               ("X-Content-Type-Options", "nosniff"))


def t_tls_headers(env):
    d = env["tls"]
    checks = [("API answer", d.get("/api/core/ping")),
              ("401", d.get("/api/core/ping", auth=None)),
              ("431", d.get("/api/core/ping",
                            headers={"X-Pad": "a" * 9000}))]
    r = d.get("/", auth=None)
    if r.status == 200:
        checks.append(("GUI page", r))
    for what, r in checks:
        for h, want in SEC_HEADERS:
            v = r.header(h)
            if what == "GUI page" and h == "Content-Security-Policy":
                want = "default-src 'self'"
            check(v is not None and want in v, "%s: %s is %r" % (what, h, v))


# -- lock-out ----------------------------------------------------------------

def nopw_xml():
    with open(os.path.join(ROOT, "tests", "xmlconf", "ha_master.xml")) as f:
        text = f.read()
    out = "\n".join(l for l in text.splitlines()
                    if "<password>$2y$" not in l) + "\n"
    check(out != text, "fixture has no root hash to drop")
    return out


def t_lockout_import_xml(env):
    d = env["http"]
    before = d.config_hash()
    text = nopw_xml()
    with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False) as f:
        f.write(text)
        path = f.name
    try:
        out = d.cli("import-xml", "--data", d.datadir, path)
        check(out.returncode != 0, "import-xml into the live store: exit 0:"
              " %s" % out.stdout[-400:])
        check("lock every administrator out" in out.stdout + out.stderr,
              "no reason given: %s" % (out.stdout + out.stderr)[-400:])
        fresh = tempfile.mkdtemp(prefix="tw-lockout-")
        try:
            out = d.cli("import-xml", "--data", fresh, path)
            check(out.returncode != 0, "import-xml into a fresh store: "
                  "exit 0: %s" % out.stdout[-400:])
        finally:
            subprocess.run(["rm", "-rf", fresh])
    finally:
        os.unlink(path)
    r = d.post("/api/core/backup/import_xml", {"xml": text})
    check(r.status == 400 and "lock every administrator out" in r.raw.decode(),
          "API import_xml: %r" % r)
    check(d.config_hash() == before, "the refused imports changed the store")
    r, _ = login(d, "127.0.0.12", "root", d.root_password())
    check(r.status == 200, "root after the refused imports: %r" % r)


def user_uuid(d, name):
    for row in d.rows("/api/core/user/search_user"):
        if row["name"] == name:
            return row["uuid"]
    return None


def t_lockout_api_and_apikey(env):
    d = env["http"]
    root = user_uuid(d, "root")
    r = d.post("/api/core/user/toggle_user/%s/0" % root)
    check(r.json.get("result") == "failed" and
          "lock every administrator out" in r.raw.decode(),
          "disabling the only admin: %r" % r)
    r = d.post("/api/core/user/set_user/%s" % root, {"user": {"scope": "user"}})
    check(r.json.get("result") == "failed", "demoting the only admin: %r" % r)
    # A disabled user gets no API key, from the CLI or the API.
    uid = d.add("/api/core/user/add_user", "user", {
        "name": "bob", "password": "bob-password-1", "scope": "user",
        "disabled": "1"})
    out = d.cli("apikey", "--data", d.datadir, "--user", "bob")
    check(out.returncode != 0 and "disabled" in out.stderr,
          "apikey for disabled bob: %d %s" % (out.returncode, out.stderr))
    r = d.post("/api/core/user/add_api_key/bob", {})
    check(r.json.get("result") == "failed" and "disabled" in r.raw.decode(),
          "add_api_key for disabled bob: %r" % r)
    d.ok("POST", "/api/core/user/del_user/%s" % uid)
    check(d.get("/api/core/ping").status == 200, "root's key still works")


def t_limit_option(env):
    d = env["http"]
    for arg, words in (("json_depth=1", "from 2 to 512"),
                       ("bogus=1", "unknown limit"), ("items", "NAME=VALUE")):
        out = d.cli("daemon", "--data", d.datadir, "--listen",
                    "127.0.0.1:1", "--limit", arg)
        check(out.returncode == 2 and words in out.stderr,
              "--limit %s: %d %r" % (arg, out.returncode, out.stderr))
    out = d.cli("daemon", "--limit", "help")
    check(out.returncode == 0 and "per_source_connections" in out.stdout,
          "--limit help: %r" % out.stdout[:200])


TESTS = [
    ("throttle: 1,000 wrong passwords", t_throttle_login),
    ("throttle: wrong API secrets", t_throttle_basic),
    ("throttle: wrong XML-RPC logins", t_throttle_xmlrpc),
    ("limit: header", t_limit_header),
    ("limit: body", t_limit_body),
    ("limit: bodies in memory", t_limit_body_memory),
    ("limit: JSON nesting", t_limit_depth),
    ("limit: items", t_limit_items),
    ("limit: daemon --limit NAME=VALUE", t_limit_option),
    ("TLS: 1.0/1.1 refused, 1.2/1.3 served", t_tls_versions),
    ("TLS: security headers", t_tls_headers),
    ("lock-out: import-xml without a root hash", t_lockout_import_xml),
    ("lock-out: API and apikey", t_lockout_api_and_apikey),
]


def setup():
    env = {}
    try:
        env["http"] = Daemon("limits", auto_key=True).start()
        env["tls"] = Daemon("limits-tls", tls=True, auto_key=True).start()
        env["mem"] = Daemon("limits-mem", auto_key=True, args=[
            "--limit", "body_memory=1048576"]).start()
    except Exception:
        for d in env.values():
            d.cleanup()
        raise
    return env


if __name__ == "__main__":
    sys.exit(twdaemon.run_main(TESTS, setup, lambda env: env.values()))
