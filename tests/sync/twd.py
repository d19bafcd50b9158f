"""Helpers for the sync tests and the sync benchmark: real twinwall daemons
(--platform dry, TLS on) on loopback ports, each with its own data dir.

Copied in spirit from tests/api/test_api.py (its helpers are private to
that script). Python standard library only.
"""
import base64
import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def binary():
    b = os.environ.get("TW_BIN")
    if b:
        return os.path.abspath(b)
    return os.path.join(ROOT, "build", "twinwall")


BIN = binary()
SAN_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
             "runtime error:", "SUMMARY: UndefinedBehaviorSanitizer")


class Skip(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Resp:
    def __init__(self, status, body):
        self.status = status
        self.raw = body
        try:
            self.json = json.loads(body.decode("utf-8")) if body else None
        except ValueError:
            self.json = None

    def __repr__(self):
        return "HTTP %d %s" % (self.status, self.raw[:400])


def insecure_ctx():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class Daemon:
    """One twinwall daemon (TLS, --platform dry) with its own data dir."""

    def __init__(self, name):
        self.name = name
        self.datadir = tempfile.mkdtemp(prefix="tw-sync-%s-" % name)
        if os.geteuid() == 0:
            os.chmod(self.datadir, 0o755)
        self.port = None
        self.proc = None
        self.key = self.secret = None
        self.log = None
        self.log_seen = 0

    def start(self):
        self.port = self.port or free_port()
        args = [BIN, "daemon", "--data", self.datadir, "--listen",
                "127.0.0.1:%d" % self.port, "--platform", "dry"]
        self.log = open(os.path.join(self.datadir, "daemon.log"), "ab")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=self.log,
                                     cwd=ROOT)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("%s: daemon exited with %d: %s" % (
                    self.name, self.proc.returncode, self.logtail()))
            try:
                r = self.request("GET", "/api/core/ping", auth=None)
                if r.status in (200, 401):
                    if self.key is None:
                        self.key, self.secret = self.make_key()
                    return self
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.05)
        raise AssertionError("%s: daemon did not answer: %s" % (
            self.name, self.logtail()))

    def logtail(self, n=1500):
        try:
            with open(os.path.join(self.datadir, "daemon.log"), "rb") as f:
                return f.read()[-n:].decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if self.log:
            self.log.close()
            self.log = None

    def san_reports(self):
        try:
            with open(os.path.join(self.datadir, "daemon.log"), "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except OSError:
            return []
        return [l.strip()[:300] for l in text.splitlines()
                if any(m in l for m in SAN_MARKS)]

    def cleanup(self, keep=False):
        self.stop()
        if not keep:
            shutil.rmtree(self.datadir, ignore_errors=True)

    def make_key(self, user="root"):
        out = subprocess.run([BIN, "apikey", "--data", self.datadir,
                              "--user", user], capture_output=True,
                             text=True, timeout=30, cwd=ROOT)
        if out.returncode != 0:
            raise AssertionError("twinwall apikey: %s" % out.stderr)
        w = out.stdout.split()
        return w[-2], w[-1]

    def root_password(self):
        with open(os.path.join(self.datadir, "initial-password")) as f:
            return f.read().strip()

    def url(self):
        return "https://127.0.0.1:%d" % self.port

    def fingerprint(self):
        with open(os.path.join(self.datadir, "tls", "cert.pem")) as f:
            der = ssl.PEM_cert_to_DER_cert(f.read())
        return hashlib.sha256(der).hexdigest()

    def request(self, method, path, body=None, auth="key", raw=None,
                ctype="application/json", timeout=60):
        h = {}
        if auth == "key":
            auth = (self.key, self.secret)
        if auth is not None:
            tok = base64.b64encode(("%s:%s" % auth).encode()).decode()
            h["Authorization"] = "Basic " + tok
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
        if data is not None:
            h["Content-Type"] = ctype
        c = http.client.HTTPSConnection("127.0.0.1", self.port,
                                        context=insecure_ctx(),
                                        timeout=timeout)
        try:
            c.request(method, path, body=data, headers=h)
            r = c.getresponse()
            return Resp(r.status, r.read())
        finally:
            c.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def ok(self, method, path, body=None, status=200):
        r = self.request(method, path, body=body)
        check(r.status == status, "%s %s %s: %r" % (self.name, method, path, r))
        return r.json

    def add(self, base, key, item):
        j = self.ok("POST", base, {key: item})
        check(j.get("result") == "saved", "%s add %s: %r" % (self.name, base, j))
        return j["uuid"]

    def rows(self, search):
        j = self.ok("GET", search + "?rowCount=-1")
        return j["rows"]

    def status(self):
        return self.ok("GET", "/api/core/system/status")

    def config_hash(self):
        return self.status()["config_hash"]

    def rendered(self):
        """name -> content of DIR/rendered/*."""
        d = os.path.join(self.datadir, "rendered")
        out = {}
        for n in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            p = os.path.join(d, n)
            if os.path.isfile(p):
                with open(p, "rb") as f:
                    out[n] = f.read()
        return out

    def cli(self, *args, timeout=60):
        return subprocess.run([BIN] + list(args), capture_output=True,
                              text=True, timeout=timeout, cwd=ROOT)


def run_tests(tests, setup, teardown, only=None):
    """Runs (name, fn) pairs; prints PASS/FAIL lines and the summary."""
    passed = failed = 0
    try:
        env = setup()
    except Exception as e:
        print("FAIL setup: %s" % str(e).replace("\n", " ")[:800])
        print("0 passed, 1 failed")
        return 1
    try:
        for name, fn in tests:
            if only and only not in name:
                continue
            t0 = time.time()
            try:
                fn(env)
                print("PASS %s (%.1fs)" % (name, time.time() - t0))
                passed += 1
            except Skip as e:
                print("SKIP %s: %s" % (name, e))
            except Exception as e:
                reason = str(e).replace("\n", " ")[:800]
                if not isinstance(e, AssertionError):
                    reason = "%s: %s (%s)" % (
                        type(e).__name__, reason,
                        traceback.format_exc().splitlines()[-3].strip())
                print("FAIL %s: %s" % (name, reason))
                failed += 1
            import sys
            sys.stdout.flush()
    finally:
        san = teardown(env, failed > 0)
    if san:
        print("FAIL sanitizers: %s" % " | ".join(san[:5]))
        failed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0
