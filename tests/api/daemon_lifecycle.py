#!/usr/bin/env python3
"""The privilege-separated daemon and the local commands, end to end.

Starts the real `twinwall daemon --platform dry` on free loopback ports,
each with its own data directory, and checks: first start (password
printed once, initial-password 0600), `apikey`, privilege separation
(as root: the child runs as user twinwall and owns the db), SIGHUP,
SIGTERM, the restart-once rule, TLS with the generated certificate,
--no-tls refused off loopback, `check`, `export`/`import` round trip and
an invalid import changing nothing. Python standard library only.

    python3 tests/api/daemon_lifecycle.py [-k substring]
    TW_BIN=build/asan/twinwall python3 tests/api/daemon_lifecycle.py

Prints "PASS name" / "FAIL name: reason" / "SKIP name: reason"; exits 1
when anything failed.
"""
import json
import os
import pwd
import re
import shutil
import signal
import socket
import ssl
import stat
import subprocess
import sys
import tempfile
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
from twdaemon import BIN, Daemon, Skip, free_port, wait_for  # noqa: E402
IS_ROOT = os.geteuid() == 0


def tw(*args, stdin=None, check=False):
    """Runs `twinwall ARGS`; returns CompletedProcess (text)."""
    p = subprocess.run([BIN] + list(args), input=stdin, capture_output=True,
                       text=True, timeout=60)
    if check and p.returncode != 0:
        raise AssertionError("twinwall %s exited %d: %s" % (
            " ".join(args), p.returncode, p.stderr.strip()))
    return p


def alive(pid):
    """True when pid runs (a zombie counts as gone)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def proc_ids(pid, field):
    """Uid:/Gid: line of /proc/PID/status as four ints."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return [int(x) for x in line.split()[1:]]
    return []


# One daemon shared by the read-only tests.
SHARED = None


def shared():
    global SHARED
    if SHARED is None:
        SHARED = Daemon().start()
    return SHARED


def test_first_start_password():
    d = shared()
    pw = wait_for(d.password, 10, "the initial password on stdout")
    assert len(pw) == 16, pw
    path = os.path.join(d.dir, "initial-password")
    st = os.stat(path)
    assert stat.S_IMODE(st.st_mode) == 0o600, oct(st.st_mode)
    with open(path) as f:
        assert f.read() == pw + "\n"
    assert d.stdout().count("initial root password") == 1, d.stdout()
    assert pw not in d.stderr(), "the password reached the log"


def test_control_socket_mode():
    d = shared()
    st = os.stat(os.path.join(d.dir, "control.sock"))
    assert stat.S_ISSOCK(st.st_mode)
    assert stat.S_IMODE(st.st_mode) == 0o600, oct(st.st_mode)
    p = tw("status", "--data", d.dir, check=True)
    j = json.loads(p.stdout)
    assert j["status"] == "ok" and j["platform"] == "dry", j
    assert j["pid"] == d.proc.pid, j
    assert j["child"] == d.child(), (j, d.child())


def test_apikey_and_ping():
    d = shared()
    p = tw("apikey", "--data", d.dir, "--user", "root", "--descr", "test",
           check=True)
    assert re.fullmatch(r"[A-Za-z0-9_-]{64} [A-Za-z0-9_-]{64}\n", p.stdout), p.stdout
    key, secret = p.stdout.split()
    assert secret not in p.stderr
    p2 = tw("apikey", "--data", d.dir, "--user", "nobody")
    assert p2.returncode != 0 and p2.stdout == ""
    status, body = d.ping(key, secret)
    assert status == 200, (status, body)
    status, body = d.ping(key, secret[:-1] + ("A" if secret[-1] != "A" else "B"))
    assert status == 401, (status, body)
    status, body = d.ping("root", d.password())
    assert status == 200, (status, body)


def test_privsep_as_root():
    if not IS_ROOT:
        raise Skip("not root: both halves run as the invoking user")
    d = shared()
    tw_pw = pwd.getpwnam("twinwall")
    child = d.child()
    assert child, "no api child"
    assert proc_ids(child, "Uid") == [tw_pw.pw_uid] * 4, proc_ids(child, "Uid")
    assert proc_ids(child, "Gid") == [tw_pw.pw_gid] * 4, proc_ids(child, "Gid")
    with open("/proc/%d/status" % child) as f:
        groups = [l for l in f if l.startswith("Groups:")][0].split()[1:]
    assert groups == [], groups
    with open("/proc/%d/status" % child) as f:
        nnp = [l for l in f if l.startswith("NoNewPrivs:")]
    assert not nnp or nnp[0].split()[1] == "1", nnp
    assert proc_ids(d.proc.pid, "Uid")[1] == 0, "parent is not root"
    db = os.stat(os.path.join(d.dir, "twinwall.db"))
    assert db.st_uid == tw_pw.pw_uid, db.st_uid
    for sub in ("var", "tls"):
        assert os.stat(os.path.join(d.dir, sub)).st_uid == tw_pw.pw_uid, sub
    rendered = os.stat(os.path.join(d.dir, "rendered"))
    assert rendered.st_uid == 0, "rendered/ must stay root's"
    top = os.stat(d.dir)
    assert top.st_uid == 0 and top.st_mode & stat.S_ISVTX, oct(top.st_mode)


def test_gui_behind_closed_folder():
    """A clone in a 0700 folder (mktemp -d): the child drops root, yet
    serves the GUI it opened before; a symlink as the last name stays
    out."""
    if not IS_ROOT:
        raise Skip("not root: nothing is dropped")
    top = tempfile.mkdtemp(prefix="tw-closed-")
    d = None
    try:
        assert stat.S_IMODE(os.stat(top).st_mode) == 0o700
        www = os.path.join(top, "www")
        os.mkdir(www, 0o755)
        with open(os.path.join(www, "index.html"), "w") as f:
            f.write("<p>closed-folder GUI</p>\n")
        os.symlink("/etc/passwd", os.path.join(www, "passwd.txt"))
        d = Daemon(name="closed", www=www).start()
        r = d.get("/", auth=None)
        assert r.status == 200 and b"closed-folder GUI" in r.raw, r
        r = d.get("/passwd.txt", auth=None)
        assert r.status == 404 and b"root:" not in r.raw, r
    finally:
        if d is not None:
            d.cleanup()
        shutil.rmtree(top, ignore_errors=True)


def test_sighup_keeps_running():
    d = shared()
    child = d.child()
    d.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: "SIGHUP: reopening the store" in d.stderr(), 5,
             "the child to reopen its store")
    time.sleep(0.3)
    assert d.proc.poll() is None, "parent died on SIGHUP"
    assert alive(child) and d.child() == child, "child changed on SIGHUP"
    tw("status", "--data", d.dir, check=True)


def test_check_fresh_store():
    dir = tempfile.mkdtemp(prefix="tw-check-")
    try:
        p = tw("check", "--data", dir)
        assert p.returncode == 0, p.stderr
        assert "configuration OK" in p.stdout, p.stdout
    finally:
        shutil.rmtree(dir, ignore_errors=True)


def test_check_reports_bad_rows():
    import sqlite3
    dir = tempfile.mkdtemp(prefix="tw-check-")
    try:
        assert tw("check", "--data", dir).returncode == 0
        db = sqlite3.connect(os.path.join(dir, "twinwall.db"))
        # Behind the model's back: a rule on an interface that does not
        # exist and an address that is not one (the CHECKs allow both).
        db.execute("UPDATE filter_rules SET interface = 'nosuch' "
                   "WHERE sequence = 1")
        db.execute("UPDATE interfaces SET ipaddr = '300.1.1.1' "
                   "WHERE name = 'lan'")
        db.commit()
        db.close()
        p = tw("check", "--data", dir)
        assert p.returncode == 1, (p.stdout, p.stderr)
        assert "configuration OK" not in p.stdout
        assert "nosuch" in p.stderr or "interface" in p.stderr, p.stderr
        assert "ipaddr" in p.stderr, p.stderr
        assert "problem" in p.stderr, p.stderr
    finally:
        shutil.rmtree(dir, ignore_errors=True)


def test_passwd_on_terminal():
    """Without echo, asked twice; a mismatch changes nothing."""
    import pty
    d = shared()

    def run(first, second):
        pid, fd = pty.fork()
        if pid == 0:
            os.execv(BIN, [BIN, "passwd", "--data", d.dir, "--user", "root"])
        import select
        out = b""
        end = time.time() + 20

        def more():
            r, _, _ = select.select([fd], [], [], max(0.0, end - time.time()))
            if not r:
                os.kill(pid, signal.SIGKILL)
                raise AssertionError("passwd hangs; output so far: %r" % out)
            try:
                return os.read(fd, 1024)
            except OSError:         # EIO: the child has gone
                return b""

        for n, answer in enumerate((first, second)):
            while out.count(b"password: ") <= n:
                chunk = more()
                if not chunk:
                    break
                out += chunk
            os.write(fd, answer.encode() + b"\n")
        while True:
            chunk = more()
            if not chunk:
                break
            out += chunk
        _, status = os.waitpid(pid, 0)
        os.close(fd)
        return os.waitstatus_to_exitcode(status), out.decode(errors="replace")

    rc, out = run("terminal pass 1", "terminal pass 2")
    assert rc == 1 and "differ" in out, (rc, out)
    assert "terminal pass" not in out, "password echoed: " + out
    rc, out = run("terminal pass 1", "terminal pass 1")
    assert rc == 0 and "changed" in out, (rc, out)
    assert "terminal pass" not in out, "password echoed: " + out
    status, _ = d.ping("root", "terminal pass 1")
    assert status == 200, status


def test_apply_through_control_socket():
    d = shared()
    p = tw("apply", "--data", d.dir)
    assert p.returncode == 0, p.stderr
    assert "applied" in p.stdout
    r = os.path.join(d.dir, "rendered")
    for f in ("twinwall.nft", "pf.conf", "snapshot.json", "actions.log"):
        assert os.path.exists(os.path.join(r, f)), f
    assert stat.S_IMODE(os.stat(os.path.join(r, "snapshot.json")).st_mode) == 0o600
    with open(os.path.join(r, "actions.log")) as f:
        log = f.read()
    assert "dry: apply all: done" in log, log
    assert "apply (cli): ok" in d.stderr()


def test_api_apply_through_parent():
    """POST .../apply: the child sends the snapshot, the root parent applies."""
    d = shared()
    key, secret = tw("apikey", "--data", d.dir, "--user", "root",
                     check=True).stdout.split()
    r = d.request("POST", "/api/firewall/filter/apply", body={},
                  auth=(key, secret))
    status, body = r.status, r.raw
    if status == 404:
        raise Skip("POST /api/firewall/filter/apply not served yet")
    assert status == 200, (status, body)
    assert json.loads(body)["status"] == "ok", body
    wait_for(lambda: "apply (api): ok" in d.stderr(), 5, "the parent's log line")
    r = d.get("/api/diagnostics/interface/get_vip_status", auth=(key, secret))
    status, body = r.status, r.raw
    if status != 404:
        assert status == 200, (status, body)


def control_frame(body):
    return len(body).to_bytes(4, "big") + body


def control_exchange(d, data):
    """Sends raw bytes on control.sock; returns the answer object or None."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(os.path.join(d.dir, "control.sock"))
    s.sendall(data)
    hdr = b""
    while len(hdr) < 4:
        try:
            chunk = s.recv(4 - len(hdr))
        except ConnectionResetError:    # closed with our bytes unread
            chunk = b""
        if not chunk:
            s.close()
            return None
        hdr += chunk
    n = int.from_bytes(hdr, "big")
    body = b""
    while len(body) < n:
        chunk = s.recv(n - len(body))
        assert chunk, "short answer"
        body += chunk
    s.close()
    return json.loads(body)


def test_control_socket_malformed():
    """Bad frames on control.sock close that connection, nothing else."""
    d = shared()
    child = d.child()
    for bad in ((0xffffffff).to_bytes(4, "big") + b"{}",
                control_frame(b"[1,2,3]"),
                control_frame(b'{"no":"type"}'),
                control_frame(b'{"type":"status"')):
        assert control_exchange(d, bad) is None, bad
    a = control_exchange(d, control_frame(b'{"type":"reboot"}'))
    assert a == {"status": "failed", "message": "unknown request type"}, a
    a = control_exchange(d, control_frame(b'{"type":"apply","subsys":["filter"]}'))
    assert a["status"] == "failed" and "snapshot" in a["message"], a
    a = control_exchange(d, control_frame(b'{"type":"status"}'))
    assert a["status"] == "ok", a
    assert d.proc.poll() is None and d.child() == child
    assert "control: malformed request" in d.stderr()


def test_apply_without_daemon():
    dir = tempfile.mkdtemp(prefix="tw-nodaemon-")
    try:
        tw("check", "--data", dir)
        p = tw("apply", "--data", dir)
        assert p.returncode == 1 and "no daemon running" in p.stderr, p.stderr
    finally:
        shutil.rmtree(dir, ignore_errors=True)


def test_second_daemon_refused():
    d = shared()
    p = subprocess.run([BIN, "daemon", "--data", d.dir, "--listen",
                        "127.0.0.1:%d" % free_port(), "--no-tls"],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode != 0
    assert "another twinwall daemon" in p.stderr, p.stderr
    assert d.proc.poll() is None


def test_no_tls_off_loopback_refused():
    dir = tempfile.mkdtemp(prefix="tw-notls-")
    try:
        for listen in ("0.0.0.0:%d" % free_port(), ":%d" % free_port(),
                       "[::]:%d" % free_port()):
            p = subprocess.run([BIN, "daemon", "--data", dir, "--listen",
                                listen, "--no-tls"], capture_output=True,
                               text=True, timeout=30)
            assert p.returncode != 0, listen
            assert "loopback" in p.stderr, p.stderr
    finally:
        shutil.rmtree(dir, ignore_errors=True)


def test_sigterm_stops_both():
    d = Daemon().start()
    try:
        child = wait_for(d.child, 5, "the api child")
        d.proc.send_signal(signal.SIGTERM)
        rc = d.proc.wait(15)
        assert rc == 0, (rc, d.stderr()[-1000:])
        assert not alive(child), "child %d left behind" % child
        assert not os.path.exists(os.path.join(d.dir, "control.sock"))
        assert "stopped" in d.stderr()
    finally:
        d.cleanup()


def test_child_restarted_once_then_give_up():
    d = Daemon().start()
    try:
        first = wait_for(d.child, 5, "the api child")
        os.kill(first, signal.SIGKILL)
        second = wait_for(lambda: d.child() not in (None, first) and d.child(),
                          10, "a restarted child")
        wait_for(lambda: "running as uid" in d.stderr().split("restarting it")[-1],
                 10, "the restarted child to serve")
        assert d.proc.poll() is None, "parent exited after the first death"
        assert "restarting it (once)" in d.stderr()
        wait_for(d.listening, 10, "the restarted child to listen")
        assert d.stdout().count("initial root password") == 1
        os.kill(second, signal.SIGKILL)
        rc = d.proc.wait(15)
        assert rc != 0, "parent exited 0 after giving up"
        assert "giving up" in d.stderr(), d.stderr()[-1000:]
        assert not alive(second)
    finally:
        d.cleanup()


def test_child_exits_when_parent_dies():
    d = Daemon().start()
    try:
        child = wait_for(d.child, 5, "the api child")
        d.proc.kill()
        d.proc.wait(5)
        wait_for(lambda: not alive(child), 10, "the orphaned child to exit")
        assert "parent process is gone" in d.stderr(), d.stderr()[-1000:]
    finally:
        d.cleanup()


def test_platform_freebsd_renders_and_says_so():
    d = Daemon(platform="freebsd").start()
    try:
        p = tw("apply", "--data", d.dir)
        assert p.returncode == 1, p.stdout
        assert "needs a FreeBSD host" in p.stderr, p.stderr
        pf = os.path.join(d.dir, "rendered", "pf.conf")
        assert os.path.getsize(pf) > 0
        st = json.loads(tw("status", "--data", d.dir, check=True).stdout)
        assert st["platform"] == "freebsd", st
    finally:
        d.cleanup()


def test_platform_linux_loads_nft_in_netns():
    """As root, in a network namespace of its own: apply loads the ruleset."""
    if not IS_ROOT:
        raise Skip("needs root for a network namespace and nftables")
    for tool in ("unshare", "nsenter", "nft", "ip"):
        if shutil.which(tool) is None:
            raise Skip("%s not installed" % tool)
    d = Daemon(platform="linux")
    try:
        cmd = "ip link set lo up && exec %s daemon --data %s --listen %s " \
              "--no-tls --platform linux" % (BIN, d.dir, d.listen)
        d.proc = subprocess.Popen(["unshare", "--net", "sh", "-c", cmd],
                                  stdout=open(d.out, "w"),
                                  stderr=open(d.err, "w"),
                                  stdin=subprocess.DEVNULL, cwd=ROOT)
        wait_for(lambda: "running as uid" in d.stderr() or
                 d.proc.poll() is not None, 20, "the daemon in its netns")
        assert d.proc.poll() is None, d.stderr()
        p = tw("apply", "--data", d.dir)
        assert p.returncode == 0, p.stderr
        ns = "--net=/proc/%d/ns/net" % d.proc.pid
        out = subprocess.run(["nsenter", ns, "nft", "list", "table", "inet",
                              "twinwall"], capture_output=True, text=True)
        assert out.returncode == 0 and "chain input" in out.stdout, out
        with open(os.path.join(d.dir, "rendered", "actions.log")) as f:
            log = f.read()
        assert "linux: apply all: loaded twinwall.nft" in log, log
        assert "not applied yet" not in log, log  # addresses, routes: applied
    finally:
        d.cleanup()


def test_tls_certificate():
    d = Daemon(tls=True).start()
    try:
        cert = os.path.join(d.dir, "tls", "cert.pem")
        key = os.path.join(d.dir, "tls", "key.pem")
        assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
        if IS_ROOT:
            assert os.stat(key).st_uid == pwd.getpwnam("twinwall").pw_uid
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        with socket.create_connection(("127.0.0.1", d.port), 5) as s:
            with ctx.wrap_socket(s, server_hostname="localhost") as t:
                der = t.getpeercert(binary_form=True)
        with open(cert) as f:
            assert ssl.DER_cert_to_PEM_cert(der).strip() == f.read().strip()
        info = ssl._ssl._test_decode_cert(cert)
        subject = dict(x[0] for x in info["subject"])
        host = socket.gethostname()[:64]
        assert subject.get("commonName") == host, (subject, host)
        san = info.get("subjectAltName", ())
        for want in (("DNS", "localhost"), ("IP Address", "127.0.0.1"),
                     ("DNS", host)):
            assert want in san, (want, san)
        nb = ssl.cert_time_to_seconds(info["notAfter"])
        assert nb - time.time() > 9 * 365 * 86400, info["notAfter"]
        # The certificate is its own trust anchor: strict verification
        # against it by name and by address works.
        vctx = ssl.create_default_context(cafile=cert)
        for name in ("localhost", "127.0.0.1"):
            with socket.create_connection(("127.0.0.1", d.port), 5) as s:
                with vctx.wrap_socket(s, server_hostname=name):
                    pass
        # A restart keeps the certificate.
        pw = d.password()
        d.stop()
        d.start()
        with open(cert) as f:
            assert ssl.DER_cert_to_PEM_cert(der).strip() == f.read().strip()
        status, _ = d.ping("root", pw)
        assert status == 200, status
    finally:
        d.cleanup()


def export_hash(dir, path):
    p = tw("export", "--data", dir, path, check=True)
    m = re.search(r"config hash ([0-9a-f]{64})", p.stderr)
    assert m, p.stderr
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    return m.group(1)


def test_export_import_round_trip():
    a = tempfile.mkdtemp(prefix="tw-exp-")
    b = tempfile.mkdtemp(prefix="tw-imp-")
    f1 = os.path.join(a, "snap.json")
    f2 = os.path.join(b, "snap.json")
    try:
        tw("check", "--data", a)
        h1 = export_hash(a, f1)
        with open(f1) as f:
            snap = json.load(f)
        assert snap["format"] == 1 and "interfaces" in snap["sections"]
        # Make it differ from b's factory defaults before importing.
        for row in snap["sections"]["interfaces"]:
            if row["name"] == "lan":
                row["ipaddr"] = "10.9.8.1"
        with open(f1, "w") as f:
            json.dump(snap, f)
        tw("check", "--data", b)
        p = tw("import", "--data", b, f1)
        assert p.returncode == 0, p.stderr
        m = re.search(r"config hash ([0-9a-f]{64})", p.stdout)
        assert m, p.stdout
        h2 = export_hash(b, f2)
        assert m.group(1) == h2, (m.group(1), h2)
        assert h1 != h2
        with open(f2) as f:
            back = json.load(f)
        assert back["sections"] == snap["sections"]
        # Stdout export is the same document.
        p = tw("export", "--data", b, check=True)
        assert json.loads(p.stdout)["sections"] == snap["sections"]
    finally:
        shutil.rmtree(a, ignore_errors=True)
        shutil.rmtree(b, ignore_errors=True)


def test_import_invalid_changes_nothing():
    a = tempfile.mkdtemp(prefix="tw-bad-")
    f1 = os.path.join(a, "snap.json")
    f2 = os.path.join(a, "after.json")
    try:
        tw("check", "--data", a)
        h1 = export_hash(a, f1)
        with open(f1) as f:
            snap = json.load(f)
        # One good change and one bad one: neither may land.
        snap["sections"]["interfaces"][0]["descr"] = "changed"
        snap["sections"]["interfaces"][1]["ipaddr"] = "999.1.1.1"
        bad = os.path.join(a, "bad.json")
        with open(bad, "w") as f:
            json.dump(snap, f)
        p = tw("import", "--data", a, bad)
        assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
        assert "nothing changed" in p.stderr and "ipaddr" in p.stderr, p.stderr
        assert export_hash(a, f2) == h1
        for junk in ('[1,2]', '{"format":1}', '{"format":1,"sections":{"nosuch":[]}}',
                     '{"format":1,'):
            with open(bad, "w") as f:
                f.write(junk)
            p = tw("import", "--data", a, bad)
            assert p.returncode == 1, (junk, p.stderr)
        assert export_hash(a, f2) == h1
    finally:
        shutil.rmtree(a, ignore_errors=True)


def test_passwd_from_stdin():
    d = shared()
    p = tw("passwd", "--data", d.dir, "--user", "root", stdin="short\n")
    assert p.returncode != 0 and "8" in p.stderr, p.stderr
    p = tw("passwd", "--data", d.dir, "--user", "root",
           stdin="a new password\n")
    assert p.returncode == 0, p.stderr
    assert "a new password" not in p.stdout + p.stderr
    status, _ = d.ping("root", "a new password")
    assert status == 200, status
    status, _ = d.ping("root", d.password())
    assert status == 401, status


TESTS = [
    test_first_start_password,
    test_control_socket_mode,
    test_apikey_and_ping,
    test_privsep_as_root,
    test_gui_behind_closed_folder,
    test_sighup_keeps_running,
    test_check_fresh_store,
    test_check_reports_bad_rows,
    test_apply_through_control_socket,
    test_api_apply_through_parent,
    test_control_socket_malformed,
    test_apply_without_daemon,
    test_second_daemon_refused,
    test_no_tls_off_loopback_refused,
    test_passwd_from_stdin,
    test_passwd_on_terminal,
    test_sigterm_stops_both,
    test_child_restarted_once_then_give_up,
    test_child_exits_when_parent_dies,
    test_platform_freebsd_renders_and_says_so,
    test_platform_linux_loads_nft_in_netns,
    test_tls_certificate,
    test_export_import_round_trip,
    test_import_invalid_changes_nothing,
]


def main():
    only = None
    if "-k" in sys.argv:
        only = sys.argv[sys.argv.index("-k") + 1]
    if not os.access(BIN, os.X_OK):
        print("SKIP daemon_lifecycle: %s not built" % BIN)
        return 0
    failed = passed = 0
    try:
        for t in TESTS:
            name = t.__name__
            if only and only not in name:
                continue
            try:
                t()
                print("PASS %s" % name)
                passed += 1
            except Skip as e:
                print("SKIP %s: %s" % (name, e))
            except Exception as e:
                failed += 1
                print("FAIL %s: %s" % (name, str(e)[:2000] or type(e).__name__))
                traceback.print_exc(file=sys.stdout)
            sys.stdout.flush()
    finally:
        if SHARED is not None:
            if failed:
                print("# shared daemon log:\n# " +
                      SHARED.stderr()[-3000:].replace("\n", "\n# "))
            SHARED.cleanup()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
