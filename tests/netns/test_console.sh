#!/bin/sh
# test_console.sh — `twinwall console` against real devices: options 1
# (assign, with link auto-detection by a real carrier change) and 2 (set
# interface IP, WAN gateway) in a network namespace whose daemon runs
# --platform linux, then the addresses must REALLY be on the devices
# (ip -j addr). Also option 10 shows real NFLOG entries, through the
# daemon that owns the group.
#
#   sh tests/netns/test_console.sh        (as root)
#   TW_BIN=build/asan/twinwall sh tests/netns/test_console.sh
#
# Prints "PASS name" / "FAIL name: reason", then "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
if [ "$(id -u)" != 0 ]; then
	echo "SKIPPED: needs root"
	exit 0
fi
for t in ip python3 nft; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "SKIPPED: needs $t"
		exit 0
	fi
done
BIN=$(realpath "${TW_BIN:-build/twinwall}")
if [ ! -x "$BIN" ]; then
	echo "FAIL setup: $BIN is not built"
	echo "0 passed, 1 failed"
	exit 1
fi

ID="twc$$"
FW="$ID-fw"
PEER="$ID-peer"
DATA=$(mktemp -d /tmp/tw-console-netns.XXXXXX)
DPID=""

cleanup() {
	if [ -n "$DPID" ]; then
		kill "$DPID" 2>/dev/null
		i=0
		while kill -0 "$DPID" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.2
			i=$((i + 1))
		done
		kill -9 "$DPID" 2>/dev/null
	fi
	ip netns del "$FW" 2>/dev/null
	ip netns del "$PEER" 2>/dev/null
	rm -rf "$DATA"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

ip netns add "$FW" && ip netns add "$PEER" || {
	echo "FAIL setup: cannot create namespaces"
	echo "0 passed, 1 failed"
	exit 1
}
ip -n "$FW" link set lo up
ip link add wan0 netns "$FW" type veth peer name wanp netns "$PEER"
ip link add lan0 netns "$FW" type veth peer name lanp netns "$PEER"
ip link add opt0 netns "$FW" type veth peer name optp netns "$PEER"
ip -n "$FW" link set wan0 up
ip -n "$FW" link set lan0 up
ip -n "$PEER" link set lo up
ip -n "$PEER" link set lanp up
# wanp stays down: wan0 has no carrier until the "cable" goes in.
ip -n "$PEER" addr add 192.168.77.2/24 dev lanp

ip netns exec "$FW" "$BIN" daemon --data "$DATA" --listen 127.0.0.1:18443 \
    --platform linux --no-tls > "$DATA.log" 2>&1 &
DPID=$!
i=0
until ip netns exec "$FW" "$BIN" status --data "$DATA" >/dev/null 2>&1; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 "$DPID" 2>/dev/null; then
		echo "FAIL setup: the daemon did not start:"
		sed 's/^/    /' "$DATA.log" | tail -20
		rm -f "$DATA.log"
		echo "0 passed, 1 failed"
		exit 1
	fi
	sleep 0.2
done

ip netns exec "$FW" env TW_BIN="$BIN" TW_DATA="$DATA" TW_PEER="$PEER" \
    python3 - <<'EOF'
import json
import os
import re
import subprocess
import sys
import time
import traceback

sys.path.insert(0, os.path.join(os.getcwd(), "tests", "console"))
import console_pty as tc

DATA = os.environ["TW_DATA"]
PEER = os.environ["TW_PEER"]
results = []


def check(name, fn):
    try:
        fn()
        print("PASS " + name)
        results.append(True)
    except Exception as e:
        print("FAIL %s: %s" % (name, str(e).replace("\n", "\n    ")))
        traceback.print_exc(file=sys.stdout)
        results.append(False)
    sys.stdout.flush()


def addrs(dev):
    out = subprocess.run(["ip", "-j", "addr", "show", "dev", dev],
                         capture_output=True, text=True).stdout
    return ["%s/%d" % (a["local"], a["prefixlen"])
            for i in json.loads(out) for a in i.get("addr_info", [])]


def number_of(name):
    _, snap = tc.export(DATA)
    for i, r in enumerate(snap["sections"]["interfaces"]):
        if r["name"] == name:
            return str(i + 1)
    raise AssertionError("no interface " + name)


c = tc.Console(DATA)


def assign():
    c.choose(1)
    c.expect(r"lan0\s+\S+\s+link up")
    c.expect(r"wan0\s+\S+\s+link down")
    c.expect(r"Enter the WAN interface name")
    c.line("nosuch0")
    c.expect(r'No such network device "nosuch0"')
    c.line("a")
    c.expect(r"waiting up to \d+ s for a link change")
    time.sleep(0.5)
    subprocess.run(["ip", "-n", PEER, "link", "set", "wanp", "up"],
                   check=True)
    c.expect(r"Detected a link up on wan0", 15)
    c.expect(r"Enter the LAN interface name")
    c.line("lan0")
    c.expect(r"Enter the OPT1 interface name")
    c.line("")
    c.expect(r"proceed\? \[y/N\]: ")
    c.line("y")
    c.expect(r"The assignment is saved")
    c.expect(r"(Applied\.|Apply failed: .*)", 30)
    _, snap = tc.export(DATA)
    devs = {r["name"]: r["device"] for r in snap["sections"]["interfaces"]}
    assert devs["wan"] == "wan0" and devs["lan"] == "lan0", devs
    assert "Applied." in c.all, "apply through the daemon failed"


def setaddr(name, cidr, gw):
    c.choose(2)
    c.expect(r"Enter the number of the interface")
    c.line(number_of(name))
    c.expect(r"via DHCP\? \[y/N\]: ")
    c.line("")
    c.expect(r"IPv4 address")
    c.line("300.1.2.3")			# refused, re-asked
    c.expect(r"must be none, dhcp or an IPv4 address")
    c.line(cidr)
    if gw is not None:
        c.expect(r"upstream gateway IPv4 address")
        c.line(gw)
    c.expect(r"IPv6 too\?")
    c.line("")
    c.expect(r"web GUI access defaults")
    c.line("")
    c.expect(r"Save and apply\? \[y/N\]: ")
    c.line("y")
    c.expect(r"address is saved")
    m = c.expect(r"(Applied\.|Apply failed: .*)", 30)
    assert m.group(1) == "Applied.", m.group(1)
    c.expect(r"https://")


check("console_assign_autodetect_real_carrier", assign)
check("console_setaddr_lan", lambda: setaddr("lan", "192.168.77.1/24", None))
check("console_setaddr_wan_gateway",
      lambda: setaddr("wan", "10.77.0.2/24", "10.77.0.1"))


def lan_addr_on_device():
    a = addrs("lan0")
    assert "192.168.77.1/24" in a, "lan0 has %s, not 192.168.77.1/24 " \
        "(the linux platform did not apply the address)" % a


def wan_addr_on_device():
    a = addrs("wan0")
    assert "10.77.0.2/24" in a, "wan0 has %s, not 10.77.0.2/24 " \
        "(the linux platform did not apply the address)" % a


def default_route():
    out = subprocess.run(["ip", "-j", "route", "show", "default"],
                         capture_output=True, text=True).stdout
    routes = json.loads(out or "[]")
    assert any(r.get("gateway") == "10.77.0.1" for r in routes), \
        "no default route via 10.77.0.1: %s" % routes


check("addresses_really_on_lan0", lan_addr_on_device)
check("addresses_really_on_wan0", wan_addr_on_device)
check("default_route_via_wan_gateway", default_route)


def header_shows_live():
    c.menu()
    c.line("99")
    c.expect(r"Invalid option")
    c.line("11")
    c.expect(r"Applied\.", 30)
    m = c.expect(r"LAN \(lan\)\s+lan0\s+-> v4: 192\.168\.77\.1/24\s+live: "
                 r"(.*)")
    assert "192.168.77.1/24" in m.group(1), m.group(0)


check("header_live_address", header_shows_live)


def fwlog():
    # A real NFLOG entry, prefixed the way the renderer does for the
    # default LAN rule, from a real packet on lan0.
    _, snap = tc.export(DATA)
    rule = snap["sections"]["filter_rules"][0]
    mac = json.loads(subprocess.run(["ip", "-j", "link", "show", "lan0"],
                     capture_output=True, text=True).stdout)[0]["address"]
    nft = ("table inet twctest {\n chain pre {\n  type filter hook "
           "prerouting priority -300;\n  iifname \"lan0\" icmp type "
           "echo-request log prefix \"tw:%s:pass\" group 1\n }\n}\n" %
           rule["uuid"])
    subprocess.run(["nft", "-f", "-"], input=nft, text=True, check=True)
    subprocess.run(["ip", "-n", PEER, "neigh", "replace", "192.168.77.1",
                    "lladdr", mac, "dev", "lanp"], check=True)
    try:
        c.menu()
        c.line("10")
        # The daemon's parent owns the group (one reader per namespace):
        # the console shows what it reads.
        c.expect(r"Firewall log: NFLOG group 1 from the daemon")
        subprocess.run(["ip", "netns", "exec", PEER, "ping", "-c", "2",
                        "-W", "1", "192.168.77.1"], capture_output=True)
        c.expect(r"pass\s+lan\s+-\s+icmp\s+192\.168\.77\.2 -> "
                 r"192\.168\.77\.1\s+Default allow LAN to any rule", 15)
        c.send("q")
        c.menu()
    finally:
        subprocess.run(["nft", "delete", "table", "inet", "twctest"])


check("firewall_log_real_nflog", fwlog)


def states():
    # A real conntrack entry (an address set by hand on a device the
    # console does not manage, so nothing above depends on it).
    subprocess.run(["ip", "addr", "add", "10.99.0.1/24", "dev", "opt0"],
                   check=True)
    subprocess.run(["ip", "link", "set", "opt0", "up"], check=True)
    subprocess.run(["ip", "-n", PEER, "addr", "add", "10.99.0.2/24", "dev",
                    "optp"], check=True)
    subprocess.run(["ip", "-n", PEER, "link", "set", "optp", "up"],
                   check=True)
    c.line("7")
    c.expect(r"Enter a host name or IP address: ")
    c.line("10.99.0.2")
    c.expect(r"3 packets transmitted, 3 received", 20)
    c.menu()
    c.line("9")
    c.expect(r"State table: [1-9]\d* states from (the daemon|\S+), sorted by bytes")
    c.expect(r"icmp\s+10\.99\.0\.1\s+10\.99\.0\.2\s")
    c.send("q")
    c.menu()


check("ping_and_state_table_real_conntrack", states)


def leave():
    c.line("0")
    assert c.wait() == 0, "console exited %s" % c.status


check("console_exits_cleanly", leave)
c.close()
passed = results.count(True)
failed = results.count(False)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
EOF
rc=$?
if [ $rc -ne 0 ]; then
	echo "# daemon log (tail):"
	tail -15 "$DATA.log" | sed 's/^/#   /'
fi
rm -f "$DATA.log"
exit $rc
