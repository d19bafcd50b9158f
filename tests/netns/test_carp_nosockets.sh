#!/bin/sh
# test_carp_nosockets.sh — a linux node whose CARP engine cannot open its
# sockets (the daemon started without CAP_NET_RAW) never pretends: its
# VHID stays INIT (no simulated peer making it MASTER), the node says
# why in get_vip_status, and the HA sync gate refuses to push.
#
# Prints "PASS name" / "FAIL name: reason", then "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/netns/lib.sh
tw_init twn
command -v setpriv >/dev/null || { echo "SKIPPED: needs setpriv"; exit 0; }
TW_BIN=$(realpath "${TW_BIN:-build/twinwall}")

tw_ns fw && tw_ns peer && tw_veth fw lan0 peer eth0 || {
	tw_fail setup "cannot build the namespaces"; tw_summary; exit 1; }
# The daemon without CAP_NET_RAW: raw and packet sockets are refused.
TW_DATA="$TW_TMP/data"
mkdir -p "$TW_DATA"
tw_in fw setpriv --bounding-set -net_raw --inh-caps -net_raw \
    "$TW_BIN" daemon --data "$TW_DATA" --listen 127.0.0.1:18480 --no-tls \
    --platform linux > "$TW_TMP/daemon.log" 2>&1 &
TW_DPID=$!
TW_API="http://127.0.0.1:18480/api"
TW_DNS=fw
i=0
until tw_in fw curl -s -o /dev/null "$TW_API/core/ping"; do
	i=$((i + 1))
	[ $i -gt 100 ] && { tw_fail setup "daemon did not start"; tw_summary; exit 1; }
	sleep 0.1
done
set -- $("$TW_BIN" apikey --data "$TW_DATA" --user root | tail -1)
TW_KEY=$1 TW_SECRET=$2

post() {
	tw_api POST "$1" "${2:-}" >/dev/null
	[ "$(tw_status)" = 200 ] || { echo "$1: HTTP $(tw_status) $(cat "$TW_TMP/body")"; return 1; }
}

t_configure() {
	post interfaces/settings/set_item/lan '{"interface":{"device":"lan0",
	    "ipaddr":"192.168.62.1","subnet":"24"}}' &&
	post interfaces/vip_settings/add_item '{"vip":{"mode":"carp",
	    "interface":"lan","subnet":"192.168.62.10","subnet_bits":"24",
	    "vhid":"62","advbase":"1","advskew":"0","password":"s3cret"}}' &&
	post interfaces/settings/reconfigure &&
	post interfaces/vip_settings/reconfigure
}
tw_check configured t_configure

t_stays_init() {
	# A lone node with a working engine is MASTER after 3 s.
	sleep 4
	tw_api GET diagnostics/interface/get_vip_status > "$TW_TMP/vips.json"
	python3 - "$TW_TMP/vips.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rows = d["rows"]
assert rows and all(r["status"] == "INIT" for r in rows), rows
c = d["carp"]
assert c["engine"] == "no sockets", c
assert "could not be opened" in c["status_msg"], c
assert "INIT" in c["status_msg"], c
PY
}
tw_check vhid_stays_init_and_says_why t_stays_init

t_no_vip_on_the_wire() {
	! tw_in fw ip -4 addr show | grep -q 192.168.62.10 ||
	    { echo "the VIP is on an interface"; return 1; }
}
tw_check no_vip_installed t_no_vip_on_the_wire

t_gate_refuses() {
	post core/hasync/set '{"hasync":{"synchronizetoip":"192.168.62.2",
	    "username":"root","password":"x"}}' || return 1
	out=$("$TW_BIN" sync --data "$TW_DATA" 2>&1) && { echo "sync ran: $out"; return 1; }
	echo "$out" | grep -qi "not MASTER\|refused" || { echo "$out"; return 1; }
}
tw_check sync_gate_refuses t_gate_refuses

tw_summary
