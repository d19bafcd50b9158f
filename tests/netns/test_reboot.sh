#!/bin/sh
# test_reboot.sh — a node comes back after a reboot with what was in
# force, and fails closed: lan host -- fw -- wan host in namespaces, a
# real daemon (--platform linux) in fw.
#
# A "reboot" is: stop the daemon, flush the namespace's ruleset,
# addresses, routes and CARP devices as a power cycle leaves them, start
# the daemon again. The daemon serves its API only once its boot apply
# has run, so the first answer to core/ping is "ready".
#
#   sh tests/netns/test_reboot.sh          (root; else SKIPPED)
#
# Prints "PASS name" / "FAIL name: reason", then "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/netns/lib.sh
tw_init twr
TW_BIN=$(realpath "${TW_BIN:-build/twinwall}")
PROBE="$PWD/tests/netns/filter_probe.py"

tw_ns fw && tw_ns lan && tw_ns wan &&
tw_veth fw lan0 lan eth0 && tw_veth fw wan0 wan eth0 &&
tw_in lan ip addr add 192.168.61.2/24 dev eth0 &&
tw_in lan ip route add default via 192.168.61.1 &&
tw_in wan ip addr add 10.61.0.2/24 dev eth0 &&
tw_in fw sysctl -qw net.ipv4.ip_forward=1 || {
	tw_fail setup "cannot build the namespaces"
	tw_summary
	exit 1
}
tw_bg wan python3 "$PROBE" serve tcp 80,81 tag=wansrv
tw_daemon fw || { tw_fail setup "daemon did not start"; tw_summary; exit 1; }

ok_api() {
	[ "$(tw_status)" = 200 ] || {
		echo "HTTP $(tw_status): $(cat "$TW_TMP/body")"
		return 1
	}
}
post() {
	tw_api POST "$1" "${2:-}" >/dev/null
	ok_api
}
probe() {
	tw_in "$1" python3 "$PROBE" "$2" "$3" "$4"
}

# The kernel's view, for before/after: the ruleset without counters and
# handles, the addresses, the routes.
ruleset() {
	tw_in fw nft list ruleset | sed -E 's/counter packets [0-9]+ bytes [0-9]+ ?//; s/ # handle [0-9]+//'
}
addrs() {
	tw_in fw ip -4 -o addr show | awk '$2 != "lo" { sub(/@.*/, "", $2); print $2, $4 }' | sort
}
routes() {
	tw_in fw ip -4 route show table main | sort
}
vip_status() {	# vip_status SUBNET: its CARP status from get_vip_status
	tw_api GET diagnostics/interface/get_vip_status | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(next((r["status"] for r in d["rows"] if r["subnet"] == sys.argv[1]),
      "absent"))' "$1"
}
wait_vip_master() {
	i=0
	while [ "$(vip_status 10.61.0.10)" != MASTER ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && { echo "VIP not MASTER: $(vip_status 10.61.0.10)"; return 1; }
		sleep 0.1
	done
}

# Stops the daemon and flushes what a power cycle flushes.
reboot_flush() {
	kill "$TW_DPID" 2>/dev/null
	i=0
	while kill -0 "$TW_DPID" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	TW_DPID=""
	tw_in fw nft flush ruleset
	for d in $(tw_in fw ip -o link show | awk -F': ' '{ print $2 }' |
	    sed 's/@.*//' | grep '^twc'); do
		tw_in fw ip link del "$d"
	done
	tw_in fw ip addr flush dev lan0
	tw_in fw ip addr flush dev wan0
	tw_in fw ip route flush table main
}

restart() {
	tw_daemon fw
}

# --- configure and apply ----------------------------------------------
t_configure() {
	post interfaces/settings/set_item/lan '{"interface":{"device":"lan0",
	    "ipaddr":"192.168.61.1","subnet":"24"}}' &&
	post interfaces/settings/set_item/wan '{"interface":{"device":"wan0",
	    "ipaddr":"10.61.0.1","subnet":"24","blockpriv":"0",
	    "blockbogons":"0"}}' &&
	post routing/settings/add_gateway '{"gateway":{"name":"WANGW",
	    "interface":"wan","gateway":"10.61.0.2","defaultgw":"1",
	    "monitor_disable":"1"}}' &&
	post routes/routes/addroute '{"route":{"network":"172.16.61.0/24",
	    "gateway":"WANGW"}}' &&
	# The factory "LAN to any" pass is quick: make it pf's plain pass
	# (last match) so that the block below decides.
	u=$(tw_api GET 'firewall/filter/search_rule?searchPhrase=Default%20allow%20LAN%20to%20any' |
	    tw_json 'j["rows"][0]["uuid"]') &&
	post "firewall/filter/set_rule/$u" '{"rule":{"quick":"0"}}' &&
	post firewall/filter/add_rule '{"rule":{"interface":"lan",
	    "action":"block","quick":"1","protocol":"tcp",
	    "destination_port":"81","description":"block 81"}}' &&
	post interfaces/vip_settings/add_item '{"vip":{"mode":"carp",
	    "interface":"wan","subnet":"10.61.0.10","subnet_bits":"24",
	    "vhid":"61","advbase":"1","advskew":"0","password":"s3cret"}}' &&
	post firewall/source_nat/set '{"snat":{"mode":"advanced"}}' &&
	post firewall/source_nat/add_rule '{"rule":{"interface":"wan",
	    "source_net":"192.168.61.0/24","destination_net":"any",
	    "target":"10.61.0.10","description":"lan to the VIP"}}' || return 1
	for p in interfaces/settings/reconfigure routing/settings/reconfigure \
	    firewall/filter/apply interfaces/vip_settings/reconfigure; do
		post "$p" || return 1
	done
	wait_vip_master || return 1
	# Traffic as configured: 80 passes through NAT, 81 is blocked.
	got=$(probe lan tcp 10.61.0.2 80)
	case $got in open*10.61.0.10*) ;; *) echo "80: $got"; return 1 ;; esac
	got=$(probe lan tcp 10.61.0.2 81)
	case $got in timeout*|refused*) ;; *) echo "81: $got"; return 1 ;; esac
}
tw_check configured_and_applied t_configure

ruleset > "$TW_TMP/rules.before"
addrs > "$TW_TMP/addrs.before"
routes > "$TW_TMP/routes.before"

# An edit saved and not applied: it must stay pending across the reboot.
t_pending() {
	post firewall/filter/add_rule '{"rule":{"interface":"lan",
	    "action":"block","quick":"1","protocol":"tcp",
	    "destination_port":"80","description":"pending edit"}}'
}
tw_check pending_edit_saved t_pending

# --- reboot ------------------------------------------------------------
reboot_flush
t_flushed() {
	[ -z "$(tw_in fw nft list ruleset)" ] || { echo "ruleset left"; return 1; }
	! addrs | grep -q 10.61.0.1 || { echo "address left"; return 1; }
}
tw_check kernel_state_flushed t_flushed

# Poll the kernel from before the start: from the first sample that
# shows a table of ours, every sample shows the guard or the ruleset.
tw_in fw python3 - "$TW_TMP/tables.log" <<'EOF' &
import subprocess, sys, time
out = open(sys.argv[1], "w")
end = time.time() + 15
while time.time() < end:
    t = subprocess.run(["nft", "list", "tables"], capture_output=True,
                       text=True).stdout.split("\n")
    out.write(",".join(x for x in t if x) + "\n")
    out.flush()
    time.sleep(0.01)
EOF
POLL=$!
TW_PIDS="$TW_PIDS $POLL"
sleep 0.2
restart || tw_fail restart "daemon did not start"

t_same_ruleset() {
	ruleset > "$TW_TMP/rules.after"
	diff "$TW_TMP/rules.before" "$TW_TMP/rules.after" | head -20
	cmp -s "$TW_TMP/rules.before" "$TW_TMP/rules.after"
}
tw_check ruleset_back_when_ready t_same_ruleset

t_same_addrs() {
	addrs > "$TW_TMP/addrs.after"
	# The VIP's macvlan comes back once CARP is MASTER again.
	grep -v twc "$TW_TMP/addrs.before" > "$TW_TMP/a1"
	grep -v twc "$TW_TMP/addrs.after" > "$TW_TMP/a2"
	diff "$TW_TMP/a1" "$TW_TMP/a2" && grep -q 10.61.0.1/24 "$TW_TMP/a2"
}
tw_check addresses_back_when_ready t_same_addrs

t_same_routes() {
	routes > "$TW_TMP/routes.after"
	diff "$TW_TMP/routes.before" "$TW_TMP/routes.after" &&
	    grep -q "172.16.61.0/24 via 10.61.0.2" "$TW_TMP/routes.after" &&
	    grep -q "default via 10.61.0.2" "$TW_TMP/routes.after"
}
tw_check routes_back_when_ready t_same_routes

t_vip_back() {
	s=$(vip_status 10.61.0.10)
	case $s in BACKUP|MASTER) ;; *) echo "VIP $s at ready"; return 1 ;; esac
	wait_vip_master && addrs | grep -q "10.61.0.10/24"
}
tw_check carp_vip_back t_vip_back

t_guarded() {
	kill "$POLL" 2>/dev/null
	wait "$POLL" 2>/dev/null
	python3 - "$TW_TMP/tables.log" <<'EOF'
import sys
seen = False
for n, line in enumerate(open(sys.argv[1])):
    line = line.strip()
    if not line:
        if seen:
            sys.exit("sample %d: no table at all after the guard" % n)
        continue
    seen = True
    if "twinwall" not in line:
        sys.exit("sample %d: %s" % (n, line))
if not seen:
    sys.exit("never saw a table")
EOF
}
tw_check never_unguarded_during_start t_guarded

t_traffic_after() {
	got=$(probe lan tcp 10.61.0.2 80)
	case $got in open*10.61.0.10*) ;; *) echo "80: $got"; return 1 ;; esac
	got=$(probe lan tcp 10.61.0.2 81)
	case $got in timeout*|refused*) ;; *) echo "81: $got"; return 1 ;; esac
}
tw_check traffic_as_before_reboot t_traffic_after

t_still_pending() {
	tw_api GET core/system/status | tw_json '"filter" in j["dirty"]' |
	    grep -q True || { echo "filter not pending"; return 1; }
	! tw_in fw nft list ruleset | grep -q "pending edit" ||
	    { echo "the pending rule is in the kernel"; return 1; }
	"$TW_BIN" status --data "$TW_DATA" > "$TW_TMP/status.json" &&
	    python3 - "$TW_TMP/status.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["boot"]["state"] == "ok", s["boot"]
assert s["in_force"]["filter"]["ok"], s["in_force"]
assert s["in_force"]["filter"]["who"] == "boot", s["in_force"]
EOF
}
tw_check pending_edit_still_pending t_still_pending

# --- the daemon dies during start: the guard holds ---------------------
# A store the API child cannot open (a disk gone bad) kills the start
# before any apply: the child dies twice and the parent gives up.
reboot_flush
t_dies_during_start() {
	mkdir -p "$TW_TMP/good"
	mv "$TW_DATA"/twinwall.db* "$TW_TMP/good/"
	echo "this is not a database" > "$TW_DATA/twinwall.db"
	timeout 30 ip netns exec "$TW_ID-fw" "$TW_BIN" daemon --data \
	    "$TW_DATA" --listen 127.0.0.1:18480 --no-tls --platform linux \
	    >> "$TW_TMP/daemon.log" 2>&1
	rc=$?
	rm -f "$TW_DATA"/twinwall.db*
	mv "$TW_TMP/good"/twinwall.db* "$TW_DATA/"
	[ $rc -ne 0 ] && [ $rc -ne 124 ] || { echo "daemon exit $rc"; return 1; }
	tw_in fw nft list table inet twinwall_guard >/dev/null ||
	    { echo "no guard left in the kernel"; return 1; }
	! tw_in fw nft list table inet twinwall >/dev/null 2>&1 ||
	    { echo "a ruleset was loaded"; return 1; }
	# Addresses as an administrator might have set them by hand:
	# forwarding would work if nothing dropped it.
	tw_in fw ip addr add 192.168.61.1/24 dev lan0
	tw_in fw ip addr add 10.61.0.1/24 dev wan0
	got=$(probe lan tcp 10.61.0.2 80)
	case $got in timeout*) ;; *) echo "forwarded: $got"; return 1 ;; esac
}
tw_check guard_holds_when_the_daemon_dies_during_start t_dies_during_start

# --- a boot apply that cannot apply: demoted, says why, filtered -------
reboot_flush
tw_in fw ip link set wan0 name wanX
t_failed_boot() {
	restart || return 1
	"$TW_BIN" status --data "$TW_DATA" > "$TW_TMP/status.json" || return 1
	python3 - "$TW_TMP/status.json" <<'EOF' || return 1
import json, sys
s = json.load(open(sys.argv[1]))
b = s["boot"]
assert b["state"] == "failed", b
assert "wan0" in b["message"], b
EOF
	tw_api GET diagnostics/interface/get_vip_status > "$TW_TMP/vips.json"
	python3 - "$TW_TMP/vips.json" <<'EOF' || return 1
import json, sys
d = json.load(open(sys.argv[1]))
c = d.get("carp", {})
assert c.get("demotion") == "240", c
assert "boot apply failed" in c.get("status_msg", ""), c
assert "wan0" in c.get("status_msg", ""), c
assert not any(r.get("status") == "MASTER" for r in d["rows"]), d["rows"]
EOF
	# Filtered: the ruleset or the guard is in the kernel.
	tw_in fw nft list tables | grep -q "inet twinwall" ||
	    { echo "no table of ours"; return 1; }
}
tw_check failed_boot_stays_demoted_and_says_why t_failed_boot

t_fix_and_apply() {
	tw_in fw ip link set wanX name wan0
	post interfaces/settings/reconfigure &&
	    post routing/settings/reconfigure && post firewall/filter/apply &&
	    post interfaces/vip_settings/reconfigure || return 1
	# The boot hold goes once everything is in force again.
	tw_api GET diagnostics/interface/get_vip_status |
	    tw_json 'j["carp"]["demotion"] + " " + j["carp"]["status_msg"]' |
	    grep -qx "0 " || { echo "still held"; return 1; }
}
tw_check full_apply_lifts_a_failed_boot t_fix_and_apply

tw_summary
