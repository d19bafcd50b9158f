#!/bin/sh
# test_policy_route.sh — policy routing with real packets: a firewall with
# two WAN links to two upstream hosts (isp1, isp2) that both serve the
# same far address; the default route is via isp1. A pass rule with
# gateway ISP2 sends the LAN host's connections (port 80) out by the
# second link while the default stays on the first; a rule with the group
# WANS (ISP1 tier 1, ISP2 tier 2, port 8080) follows the group: when
# isp1's host drops everything (its link stays up) new connections go to
# isp2, and back when it answers again, without the ruleset being loaded
# again. With every member down the rule falls back to the default
# route; with system skip_rules_gw_down it matches nothing and the next
# rule (a reject) decides. Over IPv6 (ISP1v6 the default, ISP2v6 not): a
# pass rule of ipprotocol inet6 with gateway ISP2v6 sends the LAN host's
# TCP to the far IPv6 address by isp2, while the firewall's own goes by
# isp1.
#
#   sh tests/netns/test_policy_route.sh        (root; else SKIPPED)
#   TW_BIN=build/asan/twinwall sh tests/netns/test_policy_route.sh
#
# Prints "PASS name" / "FAIL name: reason", then "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/netns/lib.sh
tw_init twp
TW_BIN=$(realpath "${TW_BIN:-build/twinwall}")
PROBE="$PWD/tests/netns/filter_probe.py"
FAR=198.51.100.10
FAR6=2001:db8:100::10

# --- topology ---------------------------------------------------------
# lan 192.168.71.2 -- lan0 [fw] wan0 10.63.0.1 -- 10.63.0.2 isp1 (FAR)
#                               wan1 10.64.0.1 -- 10.64.0.2 isp2 (FAR)
tw_ns fw && tw_ns lan && tw_ns isp1 && tw_ns isp2 &&
tw_veth fw lan0 lan eth0 && tw_veth fw wan0 isp1 eth0 &&
tw_veth fw wan1 isp2 eth0 &&
tw_in lan ip addr add 192.168.71.2/24 dev eth0 &&
tw_in lan ip route add default via 192.168.71.1 &&
tw_in isp1 ip addr add 10.63.0.2/24 dev eth0 &&
tw_in isp2 ip addr add 10.64.0.2/24 dev eth0 &&
tw_in isp1 ip addr add $FAR/32 dev lo &&
tw_in isp2 ip addr add $FAR/32 dev lo &&
tw_in isp1 ip route add 192.168.71.0/24 via 10.63.0.1 &&
tw_in isp2 ip route add 192.168.71.0/24 via 10.64.0.1 &&
tw_in lan ip -6 addr add fd71::2/64 dev eth0 nodad &&
tw_in lan ip -6 route add default via fd71::1 &&
tw_in isp1 ip -6 addr add 2001:db8:63::2/64 dev eth0 nodad &&
tw_in isp2 ip -6 addr add 2001:db8:64::2/64 dev eth0 nodad &&
tw_in isp1 ip -6 addr add $FAR6/128 dev lo &&
tw_in isp2 ip -6 addr add $FAR6/128 dev lo &&
tw_in isp1 ip -6 route add fd71::/64 via 2001:db8:63::1 &&
tw_in isp2 ip -6 route add fd71::/64 via 2001:db8:64::1 &&
tw_in fw sysctl -qw net.ipv6.conf.all.forwarding=1 &&
# the firewall's addresses usable at once (no duplicate detection wait)
for d in all default lan0 wan0 wan1; do
	tw_in fw sysctl -qw net.ipv6.conf.$d.accept_dad=0 || exit 1
done &&
tw_in fw sysctl -qw net.ipv4.ip_forward=1 || {
	tw_fail setup "cannot build the namespaces"
	tw_summary
	exit 1
}
tw_bg isp1 python3 "$PROBE" serve tcp 80,8080 tcp6 80 tag=isp1
tw_bg isp2 python3 "$PROBE" serve tcp 80,8080 tcp6 80 tag=isp2
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

default_via() {
	tw_in fw ip -j route show default | tw_json 'j[0]["gateway"] if j else ""'
}

gw_status() {
	tw_api GET routes/gateway/status | python3 -c 'import json, sys
print([i["status"] for i in json.load(sys.stdin)["items"]
    if i["name"] == sys.argv[1]][0])' "$1" 2>/dev/null
}

# wait_for SECONDS CMD...: until CMD succeeds (by the clock: a probe may
# itself take a second); 0, or 1 on timeout.
wait_for() {
	end=$(($(date +%s) + $1))
	shift
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.2
	done
}

is_status() { [ "$(gw_status "$1")" = "$2" ]; }
is_via() { [ "$(default_via)" = "$1" ]; }
# via PORT: what a new TCP connection from the LAN host to FAR:PORT got:
# the answering upstream's tag, "refused" or "timeout".
via() {
	tw_in lan python3 "$PROBE" tcp $FAR "$1" |
	    awk '{ if ($1 == "open") print $2; else print $1 }'
}
is_reached() { [ "$(via "$1")" = "$2" ]; }
# via6: the same for the LAN host's TCP to FAR6 port 80.
via6() {
	tw_in lan python3 "$PROBE" tcp $FAR6 80 |
	    awk '{ if ($1 == "open") print $2; else print $1 }'
}
is_reached6() { [ "$(via6)" = "$1" ]; }
# Times the ruleset was loaded (the daemon logs each load).
loads() { grep -c "loaded twinwall.nft" \
    "$TW_TMP/daemon.log"; }

gw_uuid() {
	tw_api GET routing/settings/search_gateway | tw_json \
	    "[r['uuid'] for r in j['rows'] if r['name'] == '$1'][0]"
}

del_rules() {
	for u in $(tw_api GET firewall/filter/search_rule | tw_json \
	    '" ".join(r["uuid"] for r in j["rows"])'); do
		tw_api POST firewall/filter/del_rule/$u >/dev/null && ok_api ||
		    return 1
	done
}

t_setup() {
	tw_api POST interfaces/settings/set_item/lan '{"interface":{"device":
	    "lan0","ipaddr":"192.168.71.1","subnet":"24","ipaddrv6":"fd71::1",
	    "subnetv6":"64"}}' >/dev/null &&
	    ok_api || return 1
	tw_api POST interfaces/settings/set_item/wan '{"interface":{"device":
	    "wan0","ipaddr":"10.63.0.1","subnet":"24","blockpriv":"0",
	    "blockbogons":"0","ipaddrv6":"2001:db8:63::1","subnetv6":"64"}}' \
	    >/dev/null && ok_api || return 1
	tw_api POST interfaces/settings/add_item '{"interface":{"name":"opt1",
	    "device":"wan1","ipaddr":"10.64.0.1","subnet":"24",
	    "ipaddrv6":"2001:db8:64::1","subnetv6":"64"}}' \
	    >/dev/null && ok_api || return 1
	tw_api POST interfaces/settings/reconfigure >/dev/null && ok_api ||
	    return 1
	# The fastest probe settings: a verdict within about two seconds.
	tw_api POST routing/settings/add_gateway '{"gateway":{"name":"ISP1",
	    "interface":"wan","gateway":"10.63.0.2","defaultgw":"1",
	    "priority":"1","monitor_disable":"0","interval":"1",
	    "loss_interval":"1","time_period":"3"}}' >/dev/null && ok_api ||
	    return 1
	tw_api POST routing/settings/add_gateway '{"gateway":{"name":"ISP2",
	    "interface":"opt1","gateway":"10.64.0.2","defaultgw":"0",
	    "priority":"2","monitor_disable":"0","interval":"1",
	    "loss_interval":"1","time_period":"3"}}' >/dev/null && ok_api ||
	    return 1
	# IPv6: ISP1v6 the default; not monitored (the v4 rows test that)
	tw_api POST routing/settings/add_gateway '{"gateway":{"name":"ISP1v6",
	    "interface":"wan","ipprotocol":"inet6","gateway":"2001:db8:63::2",
	    "defaultgw":"1","priority":"1","monitor_disable":"1"}}' \
	    >/dev/null && ok_api || return 1
	tw_api POST routing/settings/add_gateway '{"gateway":{"name":"ISP2v6",
	    "interface":"opt1","ipprotocol":"inet6","gateway":"2001:db8:64::2",
	    "defaultgw":"0","priority":"2","monitor_disable":"1"}}' \
	    >/dev/null && ok_api || return 1
	tw_api POST routing/settings/add_gateway_group '{"gateway_group":{
	    "name":"WANS","tier1":"ISP1","tier2":"ISP2","trigger":"down"}}' \
	    >/dev/null && ok_api || return 1
	tw_api POST routing/settings/reconfigure >/dev/null && ok_api ||
	    return 1
	# Only these rules: the factory's "allow LAN to any" would decide
	# first.
	del_rules || return 1
	tw_api POST firewall/filter/add_rule '{"rule":{"interface":"lan",
	    "direction":"in","ipprotocol":"inet","action":"pass",
	    "protocol":"tcp","destination_port":"80","gateway":"ISP2",
	    "description":"web via ISP2","sequence":"1"}}' >/dev/null && ok_api || return 1
	tw_api POST firewall/filter/add_rule '{"rule":{"interface":"lan",
	    "direction":"in","ipprotocol":"inet","action":"pass",
	    "protocol":"tcp","destination_port":"8080","gateway":"WANS",
	    "description":"8080 via the group","sequence":"2"}}' >/dev/null && ok_api ||
	    return 1
	# What decides when the group's rule is skipped.
	tw_api POST firewall/filter/add_rule '{"rule":{"interface":"lan",
	    "direction":"in","ipprotocol":"inet","action":"reject",
	    "protocol":"tcp","destination_port":"8080",
	    "description":"next rule","sequence":"3"}}' >/dev/null && ok_api || return 1
	tw_api POST firewall/filter/apply >/dev/null && ok_api || return 1
	wait_for 10 is_status ISP1 none || { echo "ISP1: $(gw_status ISP1)"
	    return 1; }
	wait_for 10 is_status ISP2 none || { echo "ISP2: $(gw_status ISP2)"
	    return 1; }
}
tw_check setup_two_wans_rules_with_gateway_and_group t_setup

t_rule_gateway() {
	is_via 10.63.0.2 || { echo "default via $(default_via)"; return 1; }
	v=$(via 80)
	[ "$v" = isp2 ] || { echo "port 80 (rule via ISP2) reached $v"
	    [ -n "${TW_DEBUG:-}" ] && { exec >/tmp/polroute_debug.txt; tw_in fw ip rule; tw_in fw ip route \
	    show table all | grep -v local; tw_in fw nft list chain inet \
	    twinwall pr_lan; tw_in fw nft list chain inet twinwall \
	    policy_route; grep -i "linux\|warn\|netlink\|fail" "$TW_TMP/daemon.log" | tail -30; }
	    return 1; }
	v=$(via 8080)
	[ "$v" = isp1 ] || { echo "port 8080 (group, tier 1 ISP1) reached $v"
	    return 1; }
	# The firewall's own connection follows the default route.
	v=$(tw_in fw python3 "$PROBE" tcp $FAR 80 | awk '{ print $2 }')
	[ "$v" = isp1 ] || { echo "the firewall itself reached $v"; return 1; }
	tw_in fw ip rule show | grep -q "fwmark 0x[0-9a-f]*/0xff0000 lookup" ||
	    { echo "no fwmark rule:"; tw_in fw ip rule show; return 1; }
}
tw_check rule_with_gateway_leaves_by_its_link t_rule_gateway

before=$(loads)
# isp1's host stops answering; its link stays up.
tw_in isp1 nft -f - <<'EOF2'
table inet dead {
	chain input { type filter hook input priority -10; policy drop; }
	chain forward { type filter hook forward priority -10; policy drop; }
}
EOF2

t_group_moves() {
	wait_for 15 is_status ISP1 down || { echo "ISP1: $(gw_status ISP1)"
	    return 1; }
	wait_for 5 is_reached 8080 isp2 || { echo "port 8080 reached \
$(via 8080)"; return 1; }
	v=$(via 80)
	[ "$v" = isp2 ] || { echo "port 80 reached $v"; return 1; }
	[ "$(loads)" = "$before" ] || { echo "the ruleset was loaded again \
($before -> $(loads))"; return 1; }
}
tw_check group_rule_moves_to_tier2_without_reload t_group_moves

tw_in isp1 nft delete table inet dead

t_group_back() {
	wait_for 15 is_status ISP1 none || { echo "ISP1: $(gw_status ISP1)"
	    return 1; }
	wait_for 5 is_reached 8080 isp1 || { echo "port 8080 reached \
$(via 8080)"; return 1; }
	v=$(via 80)
	[ "$v" = isp2 ] || { echo "port 80 reached $v"; return 1; }
}
tw_check group_rule_back_to_tier1 t_group_back

# Every member of WANS down: both hosts stop answering the probes while
# TCP still flows, so the default route (which takes a gateway even when
# all are down) still reaches isp1 and the fallback can be seen.
deaf() {
	for h in isp1 isp2; do
		if [ "$1" = 1 ]; then
			tw_in $h nft -f - <<'EOF2' || return 1
table inet deaf {
	chain input { type filter hook input priority -10; policy accept;
		icmp type echo-request drop; }
}
EOF2
		else
			tw_in $h nft delete table inet deaf || return 1
		fi
	done
}

t_fallback() {
	deaf 1 || return 1
	wait_for 15 is_status ISP1 down || { echo "ISP1: $(gw_status ISP1)"
	    return 1; }
	wait_for 5 is_status ISP2 down || { echo "ISP2: $(gw_status ISP2)"
	    return 1; }
	wait_for 5 is_reached 8080 isp1 || { echo "port 8080 reached \
$(via 8080) (want the default route's isp1)"; return 1; }
}
tw_check all_members_down_rule_falls_back_to_default_route t_fallback

t_skip() {
	tw_api POST core/system/set '{"system":{"skip_rules_gw_down":"1"}}' \
	    >/dev/null && ok_api || return 1
	tw_api POST core/system/reconfigure >/dev/null && ok_api || return 1
	wait_for 5 is_reached 8080 refused || { echo "port 8080 got \
$(via 8080) (want the next rule's reject)"; return 1; }
	# ISP2 alone is down too: its rule is skipped, nothing else passes 80.
	v=$(via 80)
	[ "$v" = timeout ] || { echo "port 80 got $v (want the default \
deny)"; return 1; }
}
tw_check skip_rules_gw_down_rule_does_not_match t_skip

t_skip_back() {
	deaf 0 || return 1
	wait_for 10 is_reached 8080 isp1 || { echo "port 8080 got $(via \
8080)"; return 1; }
	wait_for 5 is_reached 80 isp2 || { echo "port 80 got $(via 80)"
	    return 1; }
}
tw_check members_up_rules_match_again t_skip_back

t_v6_rule() {
	tw_api POST firewall/filter/add_rule '{"rule":{"interface":"lan",
	    "direction":"in","ipprotocol":"inet6","action":"pass",
	    "protocol":"tcp","destination_port":"80","gateway":"ISP2v6",
	    "description":"v6 web via ISP2v6","sequence":"4"}}' >/dev/null &&
	    ok_api || return 1
	tw_api POST firewall/filter/apply >/dev/null && ok_api || return 1
	v=$(tw_in fw ip -6 -j route show default | tw_json \
	    'j[0]["gateway"] if j else ""')
	[ "$v" = 2001:db8:63::2 ] || { echo "v6 default via '$v'"; return 1; }
	wait_for 5 is_reached6 isp2 || { echo "the LAN host's v6 port 80 \
(rule via ISP2v6) reached $(via6)"; tw_in fw ip -6 rule show
	    return 1; }
	# the firewall's own v6 connection follows the default route
	v=$(tw_in fw python3 "$PROBE" tcp $FAR6 80 | awk '{ print $2 }')
	[ "$v" = isp1 ] || { echo "the firewall itself reached $v over v6"
	    return 1; }
	tw_in fw ip -6 rule show | grep -q "fwmark 0x[0-9a-f]*/0xff0000 lookup" ||
	    { echo "no v6 fwmark rule:"; tw_in fw ip -6 rule show; return 1; }
}
tw_check v6_rule_with_gateway_leaves_by_its_link t_v6_rule

t_cleanup() {
	del_rules || return 1
	tw_api POST firewall/filter/apply >/dev/null && ok_api || return 1
	n=$(tw_in fw ip rule show | grep -c "lookup 177")
	[ "$n" = 0 ] || { echo "$n fwmark rules left"; return 1; }
	n=$(tw_in fw ip route show table all | grep -c "table 177")
	[ "$n" = 0 ] || { echo "$n policy routes left"; return 1; }
	n=$(tw_in fw ip -6 rule show | grep -c "fwmark .*/0xff0000")
	[ "$n" = 0 ] || { echo "$n v6 fwmark rules left"; return 1; }
}
tw_check rules_gone_tables_and_ip_rules_removed t_cleanup

tw_summary
