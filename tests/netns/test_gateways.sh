#!/bin/sh
# test_gateways.sh — gateway monitoring and default gateway switching with
# real packets: a firewall with two WAN links to two upstream hosts
# (isp1, isp2) that both serve the same far address 198.51.100.10; a REAL
# daemon (--platform linux) in the firewall namespace probes both
# gateways. The primary's host then drops every IP packet in and through
# it (nft, its link stays up): it must be seen down, the default route
# must move to the second gateway and new connections leave by the second
# link; when the primary answers again, everything moves back. An IPv6
# gateway on the primary's host shows the ICMPv6 probes doing the same;
# a group (ISP1 tier 1, ISP2 tier 2) reports the tier in use.
#
#   sh tests/netns/test_gateways.sh        (root; else SKIPPED)
#   TW_BIN=build/asan/twinwall sh tests/netns/test_gateways.sh
#
# Prints "PASS name" / "FAIL name: reason", then "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/netns/lib.sh
tw_init twg
TW_BIN=$(realpath "${TW_BIN:-build/twinwall}")
PROBE="$PWD/tests/netns/filter_probe.py"
FAR=198.51.100.10

# --- topology ---------------------------------------------------------
# lan 192.168.70.2 -- lan0 [fw] wan0 10.61.0.1 -- 10.61.0.2 isp1 (FAR)
#                               wan1 10.62.0.1 -- 10.62.0.2 isp2 (FAR)
tw_ns fw && tw_ns lan && tw_ns isp1 && tw_ns isp2 &&
tw_veth fw lan0 lan eth0 && tw_veth fw wan0 isp1 eth0 &&
tw_veth fw wan1 isp2 eth0 &&
tw_in lan ip addr add 192.168.70.2/24 dev eth0 &&
tw_in lan ip route add default via 192.168.70.1 &&
tw_in isp1 ip addr add 10.61.0.2/24 dev eth0 &&
tw_in isp2 ip addr add 10.62.0.2/24 dev eth0 &&
tw_in isp1 ip addr add $FAR/32 dev lo &&
tw_in isp2 ip addr add $FAR/32 dev lo &&
tw_in isp1 ip route add 192.168.70.0/24 via 10.61.0.1 &&
tw_in isp2 ip route add 192.168.70.0/24 via 10.62.0.1 &&
tw_in isp1 sysctl -qw net.ipv6.conf.eth0.accept_dad=0 &&
tw_in fw sysctl -qw net.ipv6.conf.default.accept_dad=0 &&
tw_in fw sysctl -qw net.ipv6.conf.wan0.accept_dad=0 &&
tw_in isp1 ip addr add 2001:db8:61::2/64 dev eth0 &&
tw_in fw sysctl -qw net.ipv4.ip_forward=1 || {
	tw_fail setup "cannot build the namespaces"
	tw_summary
	exit 1
}
tw_bg isp1 python3 "$PROBE" serve tcp 80 tag=isp1
tw_bg isp2 python3 "$PROBE" serve tcp 80 tag=isp2
if ! tw_daemon fw; then
	tw_fail setup "daemon did not start"
	tw_summary
	exit 1
fi

ok_api() {
	[ "$(tw_status)" = 200 ] || {
		echo "HTTP $(tw_status): $(cat "$TW_TMP/body")"
		return 1
	}
}

# default_via: the gateway of the firewall's IPv4 default route.
default_via() {
	tw_in fw ip -j route show default | tw_json 'j[0]["gateway"] if j else ""'
}

# gw_status NAME: that gateway's status as routes/gateway/status says.
gw_status() {
	tw_api GET routes/gateway/status | python3 -c 'import json, sys
print([i["status"] for i in json.load(sys.stdin)["items"]
    if i["name"] == sys.argv[1]][0])' "$1" 2>/dev/null
}

# wait_for SECONDS CMD...: until CMD succeeds; 0, or 1 on timeout.
wait_for() {
	n=$(($1 * 10))
	shift
	while [ $n -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

is_status() { [ "$(gw_status "$1")" = "$2" ]; }
# group_tier NAME: the tier in use and its members, "1 ISP1".
group_tier() {
	tw_api GET routes/gateway/status | python3 -c 'import json, sys
g = [g for g in json.load(sys.stdin)["groups"] if g["name"] == sys.argv[1]][0]
print(g["tier"], ",".join(g["active"]))' "$1" 2>/dev/null
}
is_tier() { [ "$(group_tier "$1")" = "$2" ]; }
is_via() { [ "$(default_via)" = "$1" ]; }

# via NS: the tag of the upstream host a new TCP connection reached.
via() {
	tw_in "$1" python3 "$PROBE" tcp $FAR 80 | awk '{ print $2 }'
}

t_setup() {
	tw_api POST interfaces/settings/set_item/lan '{"interface":{"device":
	    "lan0","ipaddr":"192.168.70.1","subnet":"24"}}' >/dev/null &&
	    ok_api || return 1
	tw_api POST interfaces/settings/set_item/wan '{"interface":{"device":
	    "wan0","ipaddr":"10.61.0.1","subnet":"24","ipaddrv6":
	    "2001:db8:61::1","subnetv6":"64","blockpriv":"0",
	    "blockbogons":"0"}}' >/dev/null && ok_api || return 1
	tw_api POST interfaces/settings/add_item '{"interface":{"name":"opt1",
	    "device":"wan1","ipaddr":"10.62.0.1","subnet":"24"}}' \
	    >/dev/null && ok_api || return 1
	tw_api POST interfaces/settings/reconfigure >/dev/null && ok_api ||
	    return 1
	# The fastest probe settings: a verdict within about two seconds.
	tw_api POST routing/settings/add_gateway '{"gateway":{"name":"ISP1",
	    "interface":"wan","gateway":"10.61.0.2","defaultgw":"1",
	    "priority":"1","monitor_disable":"0","interval":"1",
	    "loss_interval":"1","time_period":"3"}}' >/dev/null && ok_api ||
	    return 1
	tw_api POST routing/settings/add_gateway '{"gateway":{"name":"ISP2",
	    "interface":"opt1","gateway":"10.62.0.2","defaultgw":"1",
	    "priority":"2","monitor_disable":"0","interval":"1",
	    "loss_interval":"1","time_period":"3"}}' >/dev/null && ok_api ||
	    return 1
	tw_api POST routing/settings/add_gateway_group '{"gateway_group":{
	    "name":"WANS","tier1":"ISP1","tier2":"ISP2","trigger":"down"}}' \
	    >/dev/null && ok_api || return 1
	# IPv6 probes: the primary's host on the same link.
	tw_api POST routing/settings/add_gateway '{"gateway":{"name":"ISP1V6",
	    "interface":"wan","ipprotocol":"inet6","gateway":
	    "2001:db8:61::2","monitor_disable":"0","interval":"1",
	    "loss_interval":"1","time_period":"3"}}' >/dev/null && ok_api ||
	    return 1
	tw_api POST routing/settings/reconfigure >/dev/null && ok_api ||
	    return 1
	tw_api POST firewall/filter/add_rule '{"rule":{"interface":"lan",
	    "direction":"in","ipprotocol":"inet","action":"pass",
	    "protocol":"tcp","destination_port":"80"}}' >/dev/null &&
	    ok_api || return 1
	tw_api POST firewall/filter/apply >/dev/null && ok_api
}
tw_check setup_two_wans t_setup

t_online() {
	wait_for 10 is_status ISP1 none || { echo "ISP1: $(gw_status ISP1)"
	    return 1; }
	wait_for 10 is_status ISP2 none || { echo "ISP2: $(gw_status ISP2)"
	    return 1; }
	wait_for 10 is_status ISP1V6 none || { echo "ISP1V6: $(gw_status \
	    ISP1V6)"; return 1; }
	tw_api GET routes/gateway/status | tw_json '[i for i in j["items"]
	    if i["name"] == "ISP1"][0]' > "$TW_TMP/isp1"
	python3 - "$TW_TMP/isp1" <<'PY' || return 1
import json, sys
i = json.load(open(sys.argv[1]))
assert i["address"] == "10.61.0.2", i
assert i["status_translated"] == "Online", i
assert i["loss"] == "0.0 %", i
assert i["delay"].endswith(" ms") and i["stddev"].endswith(" ms"), i
PY
	[ "$(default_via)" = 10.61.0.2 ] || { echo "default via $(default_via)"
	    return 1; }
	is_tier WANS "1 ISP1" || { echo "group: $(group_tier WANS)"; return 1; }
}
tw_check both_gateways_online_default_via_primary t_online

t_before() {
	v=$(via fw)
	[ "$v" = isp1 ] || { echo "firewall reached $v"; return 1; }
	v=$(via lan)
	[ "$v" = isp1 ] || { echo "lan host reached $v"; return 1; }
}
tw_check traffic_leaves_by_the_primary t_before

# The primary's host stops answering; its link stays up.
tw_in isp1 nft -f - <<'EOF2'
table inet dead {
	chain input { type filter hook input priority -10; policy drop; }
	chain forward { type filter hook forward priority -10; policy drop; }
}
EOF2

t_down() {
	wait_for 15 is_status ISP1 down || { echo "ISP1: $(gw_status ISP1)"
	    return 1; }
	wait_for 5 is_via 10.62.0.2 || { echo "default via $(default_via)"
	    return 1; }
	link=$(tw_in fw ip -j link show wan0 | tw_json 'j[0]["operstate"]')
	[ "$link" = UP ] || { echo "wan0 is $link"; return 1; }
	is_status ISP2 none || { echo "ISP2: $(gw_status ISP2)"; return 1; }
	wait_for 5 is_status ISP1V6 down || { echo "ISP1V6: $(gw_status \
	    ISP1V6)"; return 1; }
	is_tier WANS "2 ISP2" || { echo "group: $(group_tier WANS)"; return 1; }
}
tw_check primary_down_default_moves_to_second t_down

t_after() {
	v=$(via fw)
	[ "$v" = isp2 ] || { echo "firewall reached $v"; return 1; }
	v=$(via lan)
	[ "$v" = isp2 ] || { echo "lan host reached $v"; return 1; }
}
tw_check new_connections_leave_by_the_second_link t_after

t_logged() {
	grep -q "gateway ISP1: Online -> Offline" "$TW_TMP/daemon.log" ||
	    { echo "no status change in the log"; return 1; }
	tw_api GET routes/gateway/status | tw_json '[t for t in j["timeline"]
	    if t["name"] == "ISP1" and t["to"] == "Offline"][0]["from"]' |
	    grep -q Online || { echo "no status change in the timeline"
	    return 1; }
}
tw_check status_change_logged_and_in_timeline t_logged

# The primary answers again.
tw_in isp1 nft delete table inet dead

t_back() {
	wait_for 15 is_status ISP1 none || { echo "ISP1: $(gw_status ISP1)"
	    return 1; }
	wait_for 5 is_via 10.61.0.2 || { echo "default via $(default_via)"
	    return 1; }
	v=$(via lan)
	[ "$v" = isp1 ] || { echo "lan host reached $v"; return 1; }
	wait_for 5 is_status ISP1V6 none || { echo "ISP1V6: $(gw_status \
	    ISP1V6)"; return 1; }
	is_tier WANS "1 ISP1" || { echo "group: $(group_tier WANS)"; return 1; }
}
tw_check primary_back_default_moves_back t_back

# force_down: down whatever the probes say, no probes needed.
t_force() {
	uuid=$(tw_api GET routing/settings/search_gateway | tw_json \
	    '[r["uuid"] for r in j["rows"] if r["name"] == "ISP1"][0]')
	tw_api POST routing/settings/set_gateway/$uuid \
	    '{"gateway":{"force_down":"1"}}' >/dev/null && ok_api || return 1
	tw_api POST routing/settings/reconfigure >/dev/null && ok_api ||
	    return 1
	wait_for 5 is_status ISP1 force_down || { echo "ISP1: $(gw_status \
	    ISP1)"; return 1; }
	wait_for 5 is_via 10.62.0.2 || { echo "default via $(default_via)"
	    return 1; }
}
tw_check force_down_moves_the_route t_force

tw_summary
