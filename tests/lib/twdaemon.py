"""Real twinwall daemons for the Python tests: tests/api/test_api.py,
tests/api/daemon_*.py, tests/sync/*.py and tests/bench/bench_sync.py.

One `twinwall daemon` on a free loopback port with its own data
directory; stdout and stderr go to DIR/daemon.out and DIR/daemon.err
(appended across restarts). stop() scans them for sanitizer reports
(ASan builds): they collect in SAN_REPORTS and in Daemon.san.
The binary is TW_BIN, else build/twinwall (a test may set twdaemon.BIN).
Python standard library only.
"""
import base64
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
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
SAN_REPORTS = []	# every daemon's, in this process


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


def wait_for(pred, timeout=10.0, what="condition"):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


def children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:		# gone meanwhile
        return []


def insecure_ctx():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.raw = body
        try:
            self.json = json.loads(body.decode("utf-8")) if body else None
        except ValueError:
            self.json = None

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def __repr__(self):
        return "HTTP %d %s" % (self.status, self.raw[:400])


class Daemon:
    """One twinwall daemon with its own data directory.

    name: in messages and the temporary directory's name (tw-NAME-...);
    tls: HTTPS with the generated certificate, else --no-tls;
    datadir: an existing data directory instead of a fresh one;
    listen_host, platform: --listen HOST:PORT, --platform;
    www: --www DIR (also settable as an attribute before start());
    auto_key: start() creates an API key for root (key, secret) once,
    with --descr key_descr when given;
    args: more daemon arguments ("--limit", "NAME=VALUE", ...).
    """

    def __init__(self, name="daemon", tls=False, datadir=None,
                 listen_host="127.0.0.1", platform="dry", www=None,
                 auto_key=False, key_descr=None, timeout=60, args=()):
        self.name = name
        self.args = list(args)
        self.tls = tls
        self.platform = platform
        self.www = www
        self.auto_key = auto_key
        self.key_descr = key_descr
        self.timeout = timeout
        self.datadir = datadir or tempfile.mkdtemp(prefix="tw-%s-" % name)
        if os.geteuid() == 0:
            os.chmod(self.datadir, 0o755)	# the child walks through it
        self.port = free_port()
        self.listen = "%s:%d" % (listen_host, self.port)
        self.out = os.path.join(self.datadir, "daemon.out")
        self.err = os.path.join(self.datadir, "daemon.err")
        self.proc = None
        self.key = self.secret = None
        self.seen = {}		# log file -> offset scanned so far
        self.san = []

    @property
    def dir(self):
        return self.datadir

    # -- process -----------------------------------------------------------

    def start(self, wait=True):
        args = [BIN, "daemon", "--data", self.datadir, "--listen",
                self.listen, "--platform", self.platform]
        if self.www:
            args += ["--www", self.www]
        if not self.tls:
            args.append("--no-tls")
        args += self.args
        with open(self.out, "ab") as out, open(self.err, "ab") as err:
            since = err.tell()
            self.proc = subprocess.Popen(args, stdout=out, stderr=err,
                                         stdin=subprocess.DEVNULL, cwd=ROOT)
        if not wait:
            return self
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("%s: daemon exited with %d: %s" % (
                    self.name, self.proc.returncode, self.logtail()))
            try:
                r = self.request("GET", "/api/core/ping", auth=None)
                if r.status in (200, 401):
                    break
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.05)
        else:
            raise AssertionError("%s: daemon did not answer: %s" % (
                self.name, self.logtail()))
        wait_for(lambda: "running as uid" in self._read(self.err, since), 10,
                 "the api child to start")
        if self.auto_key and self.key is None:
            self.key, self.secret = self.make_key(descr=self.key_descr)
        return self

    def listening(self):
        if self.proc.poll() is not None:
            raise AssertionError("daemon exited %d: %s" % (
                self.proc.returncode, self.stderr()[-2000:]))
        try:
            socket.create_connection(("127.0.0.1", self.port), 0.2).close()
            return True
        except OSError:
            return False

    def child(self):
        kids = children(self.proc.pid)
        return kids[0] if len(kids) == 1 else None

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        self.scan_log()

    def restart(self):
        self.stop()
        return self.start()

    def cleanup(self, keep=False):
        self.stop()
        if not keep:
            shutil.rmtree(self.datadir, ignore_errors=True)

    # -- logs --------------------------------------------------------------

    @staticmethod
    def _read(path, offset=0):
        try:
            with open(path, "rb") as f:
                f.seek(offset)
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def stdout(self):
        return self._read(self.out)

    def stderr(self):
        return self._read(self.err)

    def logtail(self, n=1500):
        return self.stderr()[-n:]

    def scan_log(self):
        """Collects the sanitizer reports written since the last scan."""
        for path in (self.err, self.out):
            try:
                with open(path, "rb") as f:
                    f.seek(self.seen.get(path, 0))
                    text = f.read().decode("utf-8", "replace")
                    self.seen[path] = f.tell()
            except OSError:
                continue
            for line in text.splitlines():
                if any(m in line for m in SAN_MARKS):
                    self.san.append(line.strip()[:300])
                    SAN_REPORTS.append(line.strip()[:300])

    def san_reports(self):
        self.scan_log()
        return list(self.san)

    # -- local commands and files -----------------------------------------

    def cli(self, *args, timeout=60):
        return subprocess.run([BIN] + list(args), capture_output=True,
                              text=True, timeout=timeout, cwd=ROOT)

    def make_key(self, user="root", descr=None):
        args = ["apikey", "--data", self.datadir, "--user", user]
        if descr:
            args += ["--descr", descr]
        out = self.cli(*args, timeout=30)
        if out.returncode != 0:
            raise AssertionError("twinwall apikey: %s" % out.stderr)
        words = out.stdout.split()
        if len(words) < 2:
            raise AssertionError("twinwall apikey printed %r" % out.stdout)
        return words[-2], words[-1]

    def root_password(self):
        with open(os.path.join(self.datadir, "initial-password")) as f:
            return f.read().strip()

    def password(self):
        """The initial root password as the first start printed it."""
        m = re.search(r"^initial root password: (\S+)$", self.stdout(), re.M)
        return m.group(1) if m else None

    def fingerprint(self):
        with open(os.path.join(self.datadir, "tls", "cert.pem")) as f:
            der = ssl.PEM_cert_to_DER_cert(f.read())
        return hashlib.sha256(der).hexdigest()

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

    def control(self, req):
        """One request on DIR/control.sock (4-byte length + JSON)."""
        s = socket.socket(socket.AF_UNIX)
        s.connect(os.path.join(self.datadir, "control.sock"))
        m = json.dumps(req).encode()
        s.sendall(struct.pack(">I", len(m)) + m)
        n = struct.unpack(">I", self._recv(s, 4))[0]
        ans = json.loads(self._recv(s, n))
        s.close()
        return ans

    @staticmethod
    def _recv(s, n):
        b = b""
        while len(b) < n:
            c = s.recv(n - len(b))
            if not c:
                raise AssertionError("control socket closed")
            b += c
        return b

    # -- HTTP --------------------------------------------------------------

    def url(self):
        return "%s://127.0.0.1:%d" % ("https" if self.tls else "http",
                                      self.port)

    def conn(self, timeout=None):
        timeout = timeout or self.timeout
        if self.tls:
            return http.client.HTTPSConnection("127.0.0.1", self.port,
                                               context=insecure_ctx(),
                                               timeout=timeout)
        return http.client.HTTPConnection("127.0.0.1", self.port,
                                          timeout=timeout)

    def request(self, method, path, body=None, auth="key", headers=None,
                raw=None, ctype="application/json", timeout=None):
        """auth: "key" (self.key, self.secret), (user, secret) or None."""
        h = dict(headers or {})
        if auth == "key":
            auth = (self.key, self.secret)
        if auth is not None:
            tok = base64.b64encode(("%s:%s" % tuple(auth)).encode()).decode()
            h["Authorization"] = "Basic " + tok
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
        if data is not None:
            h.setdefault("Content-Type", ctype)
        c = self.conn(timeout)
        try:
            c.request(method, path, body=data, headers=h)
            r = c.getresponse()
            return Resp(r.status, r.getheaders(), r.read())
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

    def ping(self, user, secret):
        """GET /api/core/ping as user: (status, body)."""
        r = self.get("/api/core/ping", auth=(user, secret))
        if r.status == 404:
            raise Skip("GET /api/core/ping not served yet")
        return r.status, r.raw

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

    # -- CARP --------------------------------------------------------------

    def statuses(self):
        """The status of every CARP VIP (get_vip_status)."""
        j = self.ok("GET", "/api/diagnostics/interface/get_vip_status")
        return [r["status"] for r in j["rows"] if r["mode"] == "carp"]

    def wait_all(self, want, timeout=6.0):
        """Until every CARP VIP is in state want."""
        return wait_for(lambda: (lambda s: s and all(x == want for x in s))(
            self.statuses()), timeout, "every CARP VIP %s (now %s)" % (
            want, self.statuses()))


def run_main(tests, setup, daemons):
    """The main of a test script: "-k WORD" runs the tests whose name
    holds WORD; the teardown stops every daemon of daemons(env) (None
    entries skipped), keeps their data after a failure when TW_KEEP is
    set, and returns their sanitizer reports."""
    only = None
    if "-k" in sys.argv:
        only = sys.argv[sys.argv.index("-k") + 1]
    if not os.access(BIN, os.X_OK):
        print("FAIL setup: no %s" % BIN)
        print("0 passed, 1 failed")
        return 1

    def teardown(env, failed):
        keep = failed and bool(os.environ.get("TW_KEEP"))
        san = []
        for d in daemons(env):
            if d is None:
                continue
            d.stop()
            san += d.san_reports()
            if keep:
                print("data kept in %s" % d.datadir)
            d.cleanup(keep)
        return san

    return run_tests(tests, setup, teardown, only)


def run_tests(tests, setup, teardown, only=None):
    """Runs (name, fn) pairs with env = setup(); prints PASS/FAIL lines
    and the summary; teardown(env, failed) returns sanitizer reports."""
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
            sys.stdout.flush()
    finally:
        san = teardown(env, failed > 0)
    if san:
        print("FAIL sanitizers: %s" % " | ".join(san[:5]))
        failed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0
