"""The pty harness of the console tests: a `twinwall console` on a
pseudo-terminal (pty.fork) that a test types into and reads, a data
directory with a fake /sys/class/net, and store helpers. Python standard
library only; shared by tests/console/test_console.py and
tests/netns/test_console.sh.
"""
import fcntl
import json
import os
import pty
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import termios
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
BIN = os.path.abspath(os.environ.get("TW_BIN",
                                     os.path.join(ROOT, "build", "twinwall")))
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class Console:
    """One `twinwall console` on a pty."""

    def __init__(self, datadir, env=None, args=()):
        e = dict(os.environ)
        e.update(env or {})
        e["SHELL"] = "/bin/sh"
        e["TERM"] = "dumb"
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ,
                            struct.pack("HHHH", 40, 200, 0, 0))
                os.execve(BIN, [BIN, "console", "--data", datadir] +
                          list(args), e)
            finally:
                os._exit(127)
        self.buf = ""
        self.all = ""
        self.status = None

    def _read(self, timeout):
        r, _, _ = select.select([self.fd], [], [], timeout)
        if not r:
            return False
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            data = b""
        if not data:
            raise EOFError("console closed")
        text = ANSI.sub("", data.decode("utf-8", "replace"))
        self.buf += text
        self.all += text
        return True

    def expect(self, pattern, timeout=10):
        """Waits for pattern (regex) and consumes the output up to it."""
        end = time.time() + timeout
        rx = re.compile(pattern, re.M)
        while True:
            m = rx.search(self.buf)
            if m:
                self.buf = self.buf[m.end():]
                return m
            left = end - time.time()
            if left <= 0:
                raise AssertionError("timed out waiting for %r; screen "
                                     "ends with:\n%s" % (pattern,
                                                         self.buf[-1500:]))
            try:
                self._read(min(left, 0.5))
            except EOFError:
                m = rx.search(self.buf)
                if m:
                    self.buf = self.buf[m.end():]
                    return m
                raise AssertionError("console exited while waiting for "
                                     "%r; screen ends with:\n%s" %
                                     (pattern, self.buf[-1500:]))

    def drain(self, secs=0.3):
        end = time.time() + secs
        try:
            while time.time() < end:
                self._read(max(0.0, end - time.time()))
        except EOFError:
            pass
        text, self.buf = self.buf, ""
        return text

    def send(self, s):
        os.write(self.fd, s.encode())

    def line(self, s=""):
        self.send(s + "\r")

    def menu(self):
        return self.expect(r"Enter an option: ")

    def choose(self, opt):
        self.menu()
        self.line(str(opt))

    def wait(self, timeout=10):
        end = time.time() + timeout
        while time.time() < end:
            pid, st = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(st)
                return self.status
            try:
                self._read(0.1)
            except EOFError:
                pass
        raise AssertionError("console did not exit; screen ends with:\n" +
                             self.buf[-1000:])

    def close(self):
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self.status = -9
        try:
            os.close(self.fd)
        except OSError:
            pass


def tw(*args, stdin=None):
    return subprocess.run([BIN] + list(args), input=stdin,
                          capture_output=True, text=True, timeout=60)


def export(d):
    """(config hash, snapshot) of the store of d."""
    p = tw("export", "--data", d)
    assert p.returncode == 0, p.stderr
    m = re.search(r"config hash ([0-9a-f]{64})", p.stderr)
    return m.group(1), json.loads(p.stdout)


def chash(d):
    return export(d)[0]


def rows(snap, section):
    return snap["sections"][section]


def row(snap, section, name):
    for r in rows(snap, section):
        if r.get("name") == name:
            return r
    return None


def revisions(d):
    import sqlite3
    db = sqlite3.connect(os.path.join(d, "twinwall.db"))
    n = db.execute("SELECT count(*) FROM revisions").fetchone()[0]
    db.close()
    return n


class Env:
    """A data directory and a fake /sys/class/net with three devices."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="tw-console-")
        self.net = tempfile.mkdtemp(prefix="tw-sysnet-")
        for i, carrier in enumerate(("1", "1", "0")):
            dev = os.path.join(self.net, "tw%d" % i)
            os.mkdir(dev)
            self.put("tw%d" % i, "type", "1")
            self.put("tw%d" % i, "address", "02:00:00:00:00:%02x" % i)
            self.put("tw%d" % i, "carrier", carrier)
        # Not Ethernet: never offered.
        os.mkdir(os.path.join(self.net, "lo"))
        self.put("lo", "type", "772")
        os.mkdir(os.path.join(self.net, "tun9"))
        self.put("tun9", "type", "65534")
        self.daemon = None
        try:
            tw("check", "--data", self.dir)	# creates the store
        except BaseException:
            self.cleanup()
            raise

    def put(self, dev, attr, val):
        with open(os.path.join(self.net, dev, attr), "w") as f:
            f.write(val + "\n")

    def console(self, args=(), env=None):
        return Console(self.dir, env or {},
                       ("--sysfs-net", self.net) + tuple(args))

    def start_daemon(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        self.dlog = open(os.path.join(self.net, "daemon.log"), "w")
        self.daemon = subprocess.Popen(
            [BIN, "daemon", "--data", self.dir, "--listen",
             "127.0.0.1:%d" % port, "--platform", "dry", "--no-tls"],
            stdout=self.dlog, stderr=self.dlog, stdin=subprocess.DEVNULL,
            cwd=ROOT)
        end = time.time() + 20
        while time.time() < end:
            if tw("status", "--data", self.dir).returncode == 0:
                return
            if self.daemon.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError("the daemon did not start")

    def cleanup(self):
        if self.daemon is not None and self.daemon.poll() is None:
            self.daemon.terminate()
            try:
                self.daemon.wait(15)
            except subprocess.TimeoutExpired:
                self.daemon.kill()
                self.daemon.wait()
        shutil.rmtree(self.dir, ignore_errors=True)
        shutil.rmtree(self.net, ignore_errors=True)


def session(fn):
    """Runs fn(env, console) with a fresh environment and console."""
    def run():
        env = Env()
        c = None
        try:
            c = env.console()
            fn(env, c)
        finally:
            if c is not None:
                c.close()
            env.cleanup()
    run.__name__ = fn.__name__
    return run
