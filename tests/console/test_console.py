#!/usr/bin/env python3
"""`twinwall console` driven through a pseudo-terminal, as a person would.

Each test starts `twinwall console --data DIR` on a pty (pty.fork), types
menu choices and answers, and reads the screen. Writes are checked with
the config hash `twinwall export` prints: a refused answer, a default-No
confirmation or a Ctrl-C must leave it unchanged. Network devices come
from a fake /sys/class/net (twinwall console --sysfs-net) so assignment and link
auto-detection are exact and need no root; tests/netns/test_console.sh
does the same against real veth devices.

    python3 tests/console/test_console.py [-k substring]
    TW_BIN=build/asan/twinwall python3 tests/console/test_console.py

Python standard library only. Prints "PASS name" / "FAIL name: reason";
ends with "N passed, N failed"; exits 1 when anything failed.
"""
import json
import os
import re
import shutil
import socket
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from console_pty import (BIN, Env, chash, export, revisions, row,  # noqa
                         rows, session, tw)


TESTS = []


def test(fn):
    TESTS.append(session(fn))
    return fn


def test_plain(fn):
    TESTS.append(fn)
    return fn


# --- the menu ---------------------------------------------------------------

@test
def test_menu_header(env, c):
    m = c.expect(r"\*\*\* (\S+): twinwall (\S+) \(platform dry, no daemon "
                 r"running\) \*\*\*")
    # no stored host name: the host's own is shown
    assert m.group(1) == socket.gethostname(), m.group(1)
    ver = tw("version").stdout.split()[-1]
    assert m.group(2) == ver, (m.group(2), ver)
    c.expect(r"LAN \(lan\)\s+unassigned\s+-> v4: 192\.168\.1\.1/24")
    c.expect(r"WAN \(wan\)\s+unassigned\s+-> v4/DHCP4")
    screen = c.expect(r"Enter an option: ")
    labels = ["Logout", "Assign interfaces", "Set interface IP address",
              "Reset the root password", "Reset to factory defaults",
              "Power off system", "Reboot system", "Ping host", "Shell",
              "State table", "Firewall log", "Reload all services",
              "Update from console", "Restore a backup"]
    text = c.all
    for i, label in enumerate(labels):
        assert re.search(r"\b%d\) %s" % (i, label), text), label
    del screen


@test
def test_invalid_choices_reprompt(env, c):
    before = chash(env.dir)
    c.menu()
    for bad in ("99", "abc", "-1", "1x", " 1"):
        c.line(bad)
        c.expect(r'Invalid option "%s": enter a number from 0 to 13' %
                 re.escape(bad))
        c.menu()
    c.line("")
    c.expect(r"No option entered: enter a number from 0 to 13")
    c.menu()
    c.line("0")
    c.expect("Logout")
    assert c.wait() == 0
    assert chash(env.dir) == before, "an invalid choice wrote something"


@test
def test_option0_logout(env, c):
    c.choose(0)
    c.expect("Logout")
    assert c.wait() == 0, c.status


@test
def test_eof_exits_cleanly(env, c):
    c.menu()
    c.send("\x04")			# ^D on an empty line: EOF
    assert c.wait() == 0, c.status
    # EOF inside an option leaves too, writing nothing.
    before = chash(env.dir)
    c2 = env.console()
    try:
        c2.choose(2)
        c2.expect("Enter the number of the interface")
        c2.send("\x04")
        assert c2.wait() == 0, c2.status
    finally:
        c2.close()
    assert chash(env.dir) == before


@test
def test_ctrl_c_at_menu_stays(env, c):
    c.menu()
    c.send("\x03")
    c.menu()
    c.line("0")
    assert c.wait() == 0


# --- 1 assign interfaces ---------------------------------------------------

@test
def test_option1_assign(env, c):
    before = chash(env.dir)
    c.choose(1)
    c.expect(r"tw0\s+02:00:00:00:00:00\s+link up")
    c.expect(r"tw2\s+02:00:00:00:00:02\s+link down")
    assert "lo " not in c.all.split("Valid interfaces")[1].split("Enter")[0]
    assert "tun9" not in c.all
    c.expect(r"Enter the WAN interface name or 'a' for auto-detection: ")
    c.line("")
    c.expect(r"The WAN interface is required")
    c.line("eth99")
    c.expect(r'No such network device "eth99"')
    c.line("tw0")
    c.expect(r"Enter the LAN interface name")
    c.line("tw0")
    c.expect(r"tw0 is already chosen for WAN")
    c.line("tw1")
    c.expect(r"Enter the OPT1 interface name .* \(or nothing if finished\): ")
    c.line("")
    c.expect(r"WAN\s+-> tw0")
    c.expect(r"LAN\s+-> tw1")
    c.expect(r"Do you want to proceed\? \[y/N\]: ")
    c.line("")				# default: No
    c.expect("Nothing was changed")
    assert chash(env.dir) == before, "default No wrote"
    # Again, with an optional interface, and yes.
    c.choose(1)
    c.expect("Enter the WAN interface name")
    c.line("tw1")
    c.expect("Enter the LAN interface name")
    c.line("tw0")
    c.expect("Enter the OPT1 interface name")
    c.line("tw2")
    c.expect(r"OPT1\s+-> tw2")
    c.expect(r"proceed\? \[y/N\]: ")
    c.line("maybe")
    c.expect(r"Please answer y or n")
    c.line("y")
    c.expect("The assignment is saved")
    c.expect(r"No twinwall daemon is running on .*\n.*stays pending")
    c.menu()
    _, snap = export(env.dir)
    assert row(snap, "interfaces", "wan")["device"] == "tw1"
    assert row(snap, "interfaces", "lan")["device"] == "tw0"
    opt1 = row(snap, "interfaces", "opt1")
    assert opt1 and opt1["device"] == "tw2", opt1
    # The header shows the assignment.
    assert re.search(r"WAN \(wan\)\s+tw1", c.all), c.all[-2000:]
    # Swapping back reuses the rows (a device moves between interfaces).
    c.line("1")
    c.expect("Enter the WAN interface name")
    c.line("tw0")
    c.expect("Enter the LAN interface name")
    c.line("tw1")
    c.expect("Enter the OPT1 interface name")
    c.line("")
    c.expect(r"proceed\? \[y/N\]: ")
    c.line("y")
    c.expect("The assignment is saved")
    _, snap = export(env.dir)
    assert row(snap, "interfaces", "wan")["device"] == "tw0"
    assert row(snap, "interfaces", "lan")["device"] == "tw1"
    assert row(snap, "interfaces", "opt1")["device"] == "tw2"


@test
def test_option1_autodetect(env, c):
    c.choose(1)
    c.expect("Enter the WAN interface name")
    c.line("a")
    c.expect(r"waiting up to \d+ s for a link change")
    time.sleep(0.6)
    env.put("tw2", "carrier", "1")	# the cable goes in
    c.expect(r"Detected a link up on tw2")
    c.expect("Enter the LAN interface name")
    c.line("a")
    c.expect("waiting up to")
    c.line("")				# Enter cancels
    c.expect("Auto-detection cancelled")
    c.expect("Enter the LAN interface name")
    c.line("a")
    c.expect("waiting up to")
    time.sleep(0.6)
    env.put("tw0", "carrier", "0")	# a change on tw2 would not count
    c.expect(r"Detected a link loss on tw0")
    c.expect("Enter the OPT1 interface name")
    c.line("")
    c.expect(r"WAN\s+-> tw2")
    c.expect(r"LAN\s+-> tw0")
    c.expect(r"proceed\? \[y/N\]: ")
    c.line("y")
    c.expect("The assignment is saved")
    _, snap = export(env.dir)
    assert row(snap, "interfaces", "wan")["device"] == "tw2"
    assert row(snap, "interfaces", "lan")["device"] == "tw0"


@test
def test_option1_ctrl_c(env, c):
    before = chash(env.dir)
    c.choose(1)
    c.expect("Enter the WAN interface name")
    c.line("tw0")
    c.expect("Enter the LAN interface name")
    c.line("tw1")
    c.expect("Enter the OPT1 interface name")
    c.send("\x03")
    c.expect("Interrupted: back to the menu, nothing was changed")
    c.menu()
    assert chash(env.dir) == before
    # ^C during auto-detection, too.
    c.line("1")
    c.expect("Enter the WAN interface name")
    c.line("a")
    c.expect("waiting up to")
    c.send("\x03")
    c.expect("Interrupted: back to the menu")
    assert chash(env.dir) == before


# --- 2 set interface IP address ---------------------------------------------

def pick_iface(c, name):
    m = c.expect(r"(\d+) - %s\s" % name)
    c.expect(r"Enter the number of the interface to configure: ")
    return m.group(1)


@test
def test_option2_invalid_input_writes_nothing(env, c):
    before = chash(env.dir)
    revs = revisions(env.dir)
    c.choose(2)
    c.expect("Enter the number of the interface")
    for bad in ("", "0", "9", "wan"):
        c.line(bad)
        c.expect(r"(Invalid answer|No answer given).*enter a number from "
                 r"1 to 2")
    c.line(pick_iface_number(env, "wan"))
    c.expect(r"Configure the IPv4 address via DHCP\? \[y/N\]: ")
    c.line("")
    c.expect(r"Enter the new WAN IPv4 address")
    # The model's own messages (the API says the same).
    c.line("300.1.1.1")
    c.expect(r"interface\.ipaddr: must be none, dhcp or an IPv4 address")
    c.line("")
    c.expect(r"interface\.ipaddr: must be none, dhcp or an IPv4 address")
    c.line("192.168.1.1")		# LAN has it
    c.expect(r"interface\.ipaddr: 192\.168\.1\.1 is already used by "
             r"another interface")
    c.line("10.0.0.2/33")
    c.expect(r"interface\.subnet: must be between 1 and 32")
    c.line("10.0.0.2")
    c.expect(r"subnet bit count \(1 to 32\): ")
    c.line("")
    c.expect(r"interface\.subnet: a static address needs a prefix length")
    c.line("abc")
    c.expect(r"interface\.subnet: must be a whole number")
    c.line("0")
    c.expect(r"interface\.subnet: must be between 1 and 32")
    c.line("24")
    c.expect(r"upstream gateway IPv4 address \(Enter for none\): ")
    c.line("10.0.0.300")
    c.expect(r"gateway\.gateway: not a valid IP address")
    c.line("fe80::1")
    c.expect(r"gateway\.gateway: must be an IPv4 address")
    c.line("10.0.0.1")
    c.expect(r"Configure IPv6 too\? \[y/N\]: ")
    c.line("y")
    c.expect(r"Enter the new WAN IPv6 address")
    c.line("2001:db8::1/129")
    c.expect(r"interface\.subnetv6: must be between 1 and 128")
    c.line("2001:db8::zz")
    c.expect(r"interface\.ipaddrv6: must be none, dhcp6, slaac, track6 or an IPv6")
    c.line("slaac")
    c.expect(r"Restore the web GUI access defaults .*\[y/N\]: ")
    c.line("")
    c.expect(r"WAN \(unassigned\) will be set to: v4: 10\.0\.0\.2/24\s+"
             r"v6/SLAAC")
    c.expect(r"upstream gateway WAN_GW 10\.0\.0\.1")
    c.expect(r"Save and apply\? \[y/N\]: ")
    c.line("")				# default: No
    c.expect("Nothing was changed")
    c.menu()
    assert chash(env.dir) == before
    assert revisions(env.dir) == revs


def pick_iface_number(env, name):
    _, snap = export(env.dir)
    for i, r in enumerate(rows(snap, "interfaces")):
        if r["name"] == name:
            return str(i + 1)
    raise AssertionError("no interface " + name)


@test
def test_option2_static_wan_gateway_gui(env, c):
    # The GUI moved away from the defaults first (through an import).
    h, snap = export(env.dir)
    snap["sections"]["system"]["webgui_protocol"] = "http"
    snap["sections"]["system"]["webgui_port"] = "8080"
    path = os.path.join(env.dir, "snap.json")
    with open(path, "w") as f:
        json.dump(snap, f)
    assert tw("import", "--data", env.dir, path).returncode == 0
    revs = revisions(env.dir)
    c.choose(2)
    c.expect("Enter the number of the interface")
    c.line(pick_iface_number(env, "wan"))
    c.expect(r"via DHCP\? \[y/N\]: ")
    c.line("n")
    c.expect(r"Enter the new WAN IPv4 address")
    c.line("10.0.0.2/24")
    c.expect(r"upstream gateway IPv4 address")
    c.line("10.0.0.1")
    c.expect(r"Configure IPv6 too\? \[y/N\]: ")
    c.line("")
    c.expect(r"The web GUI is on http, port 8080")
    c.expect(r"Restore the web GUI access defaults .*\[y/N\]: ")
    c.line("y")
    c.expect(r"Save and apply\? \[y/N\]: ")
    c.line("y")
    c.expect("The WAN address is saved")
    c.expect("No twinwall daemon is running")
    c.expect(r"https://10\.0\.0\.2/")
    c.menu()
    _, snap = export(env.dir)
    wan = row(snap, "interfaces", "wan")
    assert (wan["ipaddr"], wan["subnet"], wan["gateway"]) == \
        ("10.0.0.2", "24", "WAN_GW"), wan
    gw = row(snap, "gateways", "WAN_GW")
    assert gw and gw["gateway"] == "10.0.0.1" and gw["defaultgw"] == "1" \
        and gw["interface"] == "wan", gw
    sysrow = snap["sections"]["system"]
    assert (sysrow["webgui_protocol"], sysrow["webgui_port"]) == \
        ("https", "443"), sysrow
    assert revisions(env.dir) == revs + 1, "not one revision"
    # A new gateway address updates the same row; DHCP drops the gateway.
    c.line("2")
    c.expect("Enter the number of the interface")
    c.line(pick_iface_number(env, "wan"))
    c.expect(r"via DHCP\? \[y/N\]: ")
    c.line("")
    c.expect(r"Enter the new WAN IPv4 address")
    c.line("10.0.0.3/24")
    c.expect(r"upstream gateway IPv4 address")
    c.line("10.0.0.254")
    c.expect(r"IPv6 too\?")
    c.line("")
    c.expect(r"web GUI access defaults")
    c.line("")
    c.expect(r"Save and apply\?")
    c.line("y")
    c.expect("The WAN address is saved")
    _, snap = export(env.dir)
    gws = rows(snap, "gateways")
    assert len(gws) == 1 and gws[0]["gateway"] == "10.0.0.254", gws
    c.menu()
    c.line("2")
    c.expect("Enter the number of the interface")
    c.line(pick_iface_number(env, "lan"))
    c.expect(r"via DHCP\? \[y/N\]: ")
    c.line("y")
    c.expect(r"IPv6 too\?")		# no gateway question off the WAN
    c.line("")
    c.expect(r"web GUI access defaults")
    c.line("")
    c.expect(r"LAN \(unassigned\) will be set to: v4/DHCP4")
    c.expect(r"Save and apply\?")
    c.line("y")
    c.expect("The LAN address is saved")
    _, snap = export(env.dir)
    lan = row(snap, "interfaces", "lan")
    assert lan["ipaddr"] == "dhcp" and lan["subnet"] == "", lan


@test
def test_option2_ctrl_c(env, c):
    before = chash(env.dir)
    c.choose(2)
    c.expect("Enter the number of the interface")
    c.line(pick_iface_number(env, "wan"))
    c.expect(r"via DHCP\?")
    c.line("")
    c.expect(r"IPv4 address")
    c.line("10.9.9.9/24")
    c.expect(r"upstream gateway")
    c.line("10.9.9.1")
    c.expect(r"IPv6 too\?")
    c.line("")
    c.expect(r"web GUI access defaults")
    c.line("y")
    c.expect(r"Save and apply\?")
    c.send("\x03")			# at the very last question
    c.expect("Interrupted: back to the menu, nothing was changed")
    c.menu()
    assert chash(env.dir) == before


# --- 3 root password -------------------------------------------------------

def root_hash(d):
    _, snap = export(d)
    r = row(snap, "users", "root")
    return r["password"] if r else None


@test
def test_option3_password(env, c):
    import crypt_check
    # A store no daemon has started yet has no root: option 3 makes it.
    assert root_hash(env.dir) is None
    c.choose(3)
    c.expect(r"Generate a random password .*\[y/N\]: ")
    c.line("")
    c.expect(r"New root password: ")
    c.line("First-pass-1")
    c.expect(r"Retype")
    c.line("First-pass-1")
    c.expect(r"now\? \[y/N\]: ")
    c.line("y")
    c.expect("There was no user root; it is created")
    c.expect("The root password was changed")
    before = root_hash(env.dir)
    assert crypt_check.verify("First-pass-1", before)
    c.choose(3)
    c.expect(r"Generate a random password .*\[y/N\]: ")
    c.line("")
    c.expect(r"New root password: ")
    c.line("short")
    c.expect(r"A password has 8 to 128 characters")
    c.expect(r"New root password: ")
    c.line("Secret-pass-1")
    c.expect(r"Retype the new root password: ")
    c.line("Secret-pass-2")
    c.expect(r"The passwords differ")
    c.expect(r"New root password: ")
    c.line("Secret-pass-1")
    c.expect(r"Retype")
    c.line("Secret-pass-1")
    c.expect(r"Reset the root password now\? \[y/N\]: ")
    c.line("")
    c.expect("Nothing was changed")
    assert root_hash(env.dir) == before
    c.choose(3)
    c.expect(r"Generate a random password")
    c.line("n")
    c.expect(r"New root password: ")
    c.line("Secret-pass-1")
    c.expect(r"Retype")
    c.line("Secret-pass-1")
    c.expect(r"now\? \[y/N\]: ")
    c.line("y")
    c.expect("The root password was changed")
    c.menu()
    assert "Secret-pass" not in c.all and "First-pass" not in c.all, \
        "a typed password was echoed"
    after = root_hash(env.dir)
    assert after != before and after.startswith("$"), after
    assert crypt_check.verify("Secret-pass-1", after)
    # Generated: shown once.
    c.line("3")
    c.expect(r"Generate a random password")
    c.line("y")
    c.expect(r"now\? \[y/N\]: ")
    c.line("y")
    m = c.expect(r"The root password is now: (\S+)")
    pw = m.group(1)
    assert len(pw) == 16, pw
    c.menu()
    assert c.all.count(pw) == 1, "the generated password was shown twice"
    assert crypt_check.verify(pw, root_hash(env.dir))


@test
def test_option3_ctrl_c_restores_echo(env, c):
    before = root_hash(env.dir)
    c.choose(3)
    c.expect(r"Generate a random password")
    c.line("")
    c.expect(r"New root password: ")
    c.line("Secret-pass-1")
    c.expect(r"Retype")
    c.send("Secr")
    c.send("\x03")
    c.expect("Interrupted: back to the menu, nothing was changed")
    c.menu()
    c.line("echo-visible")			# echo must be back on
    c.expect(r"echo-visible\s*\r?\n.*Invalid option")
    assert root_hash(env.dir) == before


# --- 4 factory defaults ----------------------------------------------------

@test
def test_option4_factory(env, c):
    # Something to reset: an assignment and a second user.
    import crypt_check
    h, snap = export(env.dir)
    row(snap, "interfaces", "wan")["device"] = "tw0"
    for name in ("root", "alice"):
        snap["sections"]["users"].append({
            "name": name, "password": crypt_check.make("Old-pass-1"),
            "scope": "admin", "disabled": "0", "descr": ""})
    path = os.path.join(env.dir, "snap.json")
    with open(path, "w") as f:
        json.dump(snap, f)
    p = tw("import", "--data", env.dir, path)
    assert p.returncode == 0, p.stderr
    p = tw("apikey", "--data", env.dir, "--user", "root")
    assert p.returncode == 0, p.stderr
    before = chash(env.dir)
    old_root = root_hash(env.dir)
    revs = revisions(env.dir)
    c.choose(4)
    c.expect(r"reset the firewall to factory defaults")
    c.expect(r"Do you want to proceed\? \[y/N\]: ")
    c.line("")
    c.expect("Nothing was changed")
    assert chash(env.dir) == before
    c.choose(4)
    c.expect(r"proceed\? \[y/N\]: ")
    c.line("yes")
    m = c.expect(r"The root password is now: (\S+)")
    pw = m.group(1)
    c.expect("No twinwall daemon is running")
    c.menu()
    _, snap = export(env.dir)
    assert row(snap, "interfaces", "wan")["device"] == ""
    assert [u["name"] for u in rows(snap, "users")] == ["root"], \
        rows(snap, "users")
    assert root_hash(env.dir) != old_root
    assert crypt_check.verify(pw, root_hash(env.dir))
    with open(os.path.join(env.dir, "initial-password")) as f:
        assert f.read() == pw + "\n"
    assert revisions(env.dir) == revs + 1
    assert apikeys(env.dir) == 0, "an API key survived the reset"
    # The old configuration is a revision option 13 can bring back.
    c.line("13")
    c.expect(r"console: reset to factory defaults")
    c.expect(r"Enter the number of the backup to restore: ")
    c.line("2")
    c.expect(r"interfaces: 0 added, 0 removed, 1 changed")
    c.expect(r'device: "" -> "tw0"')
    c.expect(r"users: 1 added")
    c.expect(r"Restore this backup\? \[y/N\]: ")
    c.line("y")
    c.expect(r"Revision r\d+ is restored")
    c.menu()
    assert chash(env.dir) == before


def apikeys(d):
    import sqlite3
    db = sqlite3.connect(os.path.join(d, "twinwall.db"))
    n = db.execute("SELECT count(*) FROM apikeys").fetchone()[0]
    db.close()
    return n


# --- 5, 6 power off and reboot ---------------------------------------------

@test
def test_option5_6_refused_on_dry(env, c):
    c.choose(5)
    c.expect(r"Power off is refused: the platform is dry")
    c.choose(6)
    c.expect(r"Reboot is refused: the platform is dry")
    c.menu()
    c.line("0")
    assert c.wait() == 0
    # --platform linux (no daemon): asked, and No is the default.
    c2 = env.console(args=("--platform", "linux"))
    try:
        c2.choose(5)
        c2.expect(r"halt and power off\. Do you want to proceed\? "
                  r"\[y/N\]: ")
        c2.line("")
        c2.expect("Nothing was done")
        c2.choose(6)
        c2.expect(r"will reboot\. Do you want to proceed\? \[y/N\]: ")
        c2.line("n")
        c2.expect("Nothing was done")
        c2.menu()
    finally:
        c2.close()


# --- 7 ping ----------------------------------------------------------------

@test
def test_option7_ping(env, c):
    c.choose(7)
    c.expect(r"Enter a host name or IP address: ")
    c.line("")
    c.expect(r"No host given")
    c.line("bad host!")
    c.expect(r'"bad host!" is not a host name or an IP address')
    c.line("-f")
    c.expect(r'"-f" is not a host name or an IP address')
    c.line("127.0.0.1")
    if shutil.which("ping") is None:
        c.expect(r"Cannot run ping")
    else:
        c.expect(r"3 packets transmitted", 20)
    c.menu()


# --- 8 shell ---------------------------------------------------------------

@test
def test_option8_shell(env, c):
    c.choose(8)
    c.expect(r"Starting /bin/sh; type exit to return to the menu")
    time.sleep(0.3)
    c.line("echo marker-$((6*7))")
    c.expect(r"marker-42")
    c.line("exit")
    c.menu()
    c.line("0")
    assert c.wait() == 0


# --- 9, 10 live views -------------------------------------------------------

@test
def test_option9_states(env, c):
    c.choose(9)
    m = c.expect(r"(State table: \d+ states from (the daemon|\S+), sorted by bytes|"
                 r"state table is not available on this platform)")
    if m.group(1).startswith("State table"):
        c.expect(r"PROTO\s+SOURCE\s+DESTINATION\s+STATE\s+PACKETS\s+BYTES")
        c.send("q")
    c.menu()


@test
def test_option10_firewall_log(env, c):
    c.choose(10)
    m = c.expect(r"(Firewall log: NFLOG group \d+|firewall log is not "
                 r"available: NFLOG group \d+ cannot be read)")
    if m.group(1).startswith("Firewall log"):
        c.expect(r"TIME\s+ACTION\s+IN\s+OUT\s+PACKET\s+RULE")
        c.send("q")
    c.menu()


@test
def test_option10_log_from_daemon(env, c):
    # With a daemon the log is its parent's (it owns the NFLOG group);
    # the dry platform's note says why nothing comes.
    c.close()
    env.start_daemon()
    c2 = env.console()
    try:
        c2.choose(10)
        c2.expect(r"Firewall log: NFLOG group \d+ from the daemon, newest "
                  r"first, 0 entries")
        c2.expect(r"the dry platform logs no packets")
        c2.expect(r"TIME\s+ACTION\s+IN\s+OUT\s+PACKET\s+RULE")
        c2.expect(r"waiting for packets that match a rule with logging on")
        c2.send("q")
        c2.menu()
    finally:
        c2.close()


# --- 11 reload, with and without a daemon ----------------------------------

@test
def test_option11_reload_no_daemon(env, c):
    c.choose(11)
    c.expect(r"No twinwall daemon is running on .*\n.*stays pending")
    c.menu()


@test
def test_with_daemon_apply_and_refusals(env, c):
    c.close()
    env.start_daemon()
    c2 = env.console(args=("--platform", "linux"))
    try:
        c2.expect(r"platform dry, daemon running")
        c2.choose(11)
        c2.expect(r"Applying everything")
        c2.expect(r"Applied\.")
        # The daemon's platform wins over --platform.
        c2.choose(5)
        c2.expect(r"Power off is refused: the platform is dry \(the "
                  r"running daemon's\)")
        c2.choose(1)
        c2.expect("Enter the WAN interface name")
        c2.line("tw0")
        c2.expect("Enter the LAN interface name")
        c2.line("tw1")
        c2.expect("Enter the OPT1 interface name")
        c2.line("")
        c2.expect(r"proceed\?")
        c2.line("y")
        c2.expect("The assignment is saved")
        c2.expect(r"Applied\.")
        c2.menu()
        p = tw("status", "--data", env.dir)
        assert p.returncode == 0, p.stderr
    finally:
        c2.close()


# --- 12 update -------------------------------------------------------------

@test
def test_option12_update(env, c):
    c.choose(12)
    c.expect(r"No update command is configured")
    c.menu()
    h, snap = export(env.dir)
    snap["sections"]["system"]["update_command"] = \
        "/bin/echo update-ran 'two words' \"$HOME\""
    path = os.path.join(env.dir, "snap.json")
    with open(path, "w") as f:
        json.dump(snap, f)
    assert tw("import", "--data", env.dir, path).returncode == 0
    c.line("12")
    c.expect(r"The update command is: /bin/echo")
    c.expect(r"Run it now\? \[y/N\]: ")
    c.line("")
    c.expect("Nothing was run")
    c.line("12")
    c.expect(r"Run it now\? \[y/N\]: ")
    c.line("y")
    # No shell: the quotes group words, $HOME stays as typed.
    c.expect(r"update-ran two words \$HOME")
    c.expect(r"ended with status 0")
    c.menu()


# --- 13 restore ------------------------------------------------------------

@test
def test_option13_restore(env, c):
    h0, snap = export(env.dir)
    snap["sections"]["system"]["hostname"] = "fw-restored"
    r = snap["sections"]["filter_rules"][0]
    r["description"] = "changed rule"
    snap["sections"]["filter_rules"].pop(1)
    path = os.path.join(env.dir, "snap.json")
    with open(path, "w") as f:
        json.dump(snap, f)
    assert tw("import", "--data", env.dir, path).returncode == 0
    h1 = chash(env.dir)
    c.choose(13)
    c.expect(r"the newest 2 revisions")
    c.expect(r"1\s+r\d+\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+import\s+import "
             r"of")
    c.expect(r"2\s+r\d+\s+\S+ \S+\s+system\s+factory defaults")
    c.expect(r"Enter the number of the backup to restore: ")
    c.line("7")
    c.expect(r"enter a number from 1 to 2")
    c.line("1")
    c.expect(r"Nothing: r\d+ is the current configuration")
    c.choose(13)
    c.expect(r"restore: ")
    c.line("2")
    c.expect(r"system: changed")
    c.expect(r'hostname: "fw-restored" -> ""')
    c.expect(r"filter_rules: 1 added, 0 removed, 1 changed")
    c.expect(r"\+ Default allow LAN IPv6 to any rule")
    c.expect(r'description: "changed rule" -> "Default allow LAN to any '
             r'rule"')
    c.expect(r"Restore this backup\? \[y/N\]: ")
    c.line("")
    c.expect("Nothing was changed")
    assert chash(env.dir) == h1
    c.choose(13)
    c.expect(r"restore: ")
    c.send("\x03")
    c.expect("Interrupted: back to the menu")
    assert chash(env.dir) == h1
    c.choose(13)
    c.expect(r"restore: ")
    c.line("2")
    c.expect(r"Restore this backup\? \[y/N\]: ")
    c.line("y")
    c.expect(r"Revision r\d+ is restored")
    c.expect("No twinwall daemon is running")
    c.menu()
    assert chash(env.dir) == h0
    assert "fw-restored" not in c.all.split("is restored")[-1].split(
        "Enter an option")[0]
    assert re.search(r"\*\*\* " + re.escape(socket.gethostname()) + ":",
                     c.all.split(
        "is restored")[-1])


@test
def test_diff_hides_secrets(env, c):
    h0, snap = export(env.dir)
    hs = snap["sections"]["hasync"]
    hs["password"] = "topsecret-sync-pw"
    path = os.path.join(env.dir, "snap.json")
    with open(path, "w") as f:
        json.dump(snap, f)
    p = tw("import", "--data", env.dir, path)
    assert p.returncode == 0, p.stderr
    c.choose(13)
    c.expect(r"restore: ")
    c.line("2")
    c.expect(r"password: \(secret changed\)")
    c.expect(r"Restore this backup\? \[y/N\]: ")
    c.line("n")
    c.menu()
    assert "topsecret" not in c.all


def main():
    only = None
    if len(sys.argv) > 2 and sys.argv[1] == "-k":
        only = sys.argv[2]
    if not os.access(BIN, os.X_OK):
        print("FAIL setup: %s is not built" % BIN)
        print("0 passed, 1 failed")
        return 1
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    passed = failed = 0
    for t in TESTS:
        if only and only not in t.__name__:
            continue
        try:
            t()
            print("PASS %s" % t.__name__)
            passed += 1
        except Exception as e:
            print("FAIL %s: %s" % (t.__name__, str(e).replace("\n",
                                                              "\n    ")))
            traceback.print_exc(file=sys.stdout)
            failed += 1
        sys.stdout.flush()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
