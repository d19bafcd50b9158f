#!/bin/sh
# test_filter.sh — the packet filter, NAT, addresses and routes with real
# packets: lan host -- firewall -- wan host in namespaces; a REAL daemon
# (--platform linux) runs in the firewall namespace and is configured
# through its API with curl from inside that namespace.
#
#   sh tests/netns/test_filter.sh          (root; else SKIPPED)
#   TW_BIN=build/asan/twinwall sh tests/netns/test_filter.sh
#
# Prints "PASS name" / "FAIL name: reason", then "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/netns/lib.sh
tw_init twf
TW_BIN=$(realpath "${TW_BIN:-build/twinwall}")
PROBE="$PWD/tests/netns/filter_probe.py"

# --- topology ---------------------------------------------------------
# lan 192.168.50.2 -- lan0 [fw] wan0 -- 10.50.0.2/.7/.8 wan
tw_ns fw && tw_ns lan && tw_ns wan &&
tw_veth fw lan0 lan eth0 && tw_veth fw wan0 wan eth0 &&
tw_in lan ip addr add 192.168.50.2/24 dev eth0 &&
tw_in lan ip route add default via 192.168.50.1 &&
tw_in wan ip addr add 10.50.0.2/24 dev eth0 &&
tw_in wan ip addr add 10.50.0.7/24 dev eth0 &&
tw_in wan ip addr add 10.50.0.8/24 dev eth0 &&
tw_in fw sysctl -qw net.ipv4.ip_forward=1 &&
tw_in fw ip addr add 10.99.0.1/32 dev wan0 || {
	tw_fail setup "cannot build the namespaces"
	tw_summary
	exit 1
}
tw_bg wan python3 "$PROBE" serve tcp 80,81,82,8080,9000 udp 5353,5354,5355 \
    tag=wansrv
tw_bg lan python3 "$PROBE" serve tcp 8000 tag=lansrv
if ! tw_daemon fw --limit=rollback_seconds=3; then
	tw_fail setup "daemon did not start"
	tw_summary
	exit 1
fi

# probe NS tcp|udp HOST PORT -> open ... | reply ... | refused | timeout
probe() {
	tw_in "$1" python3 "$PROBE" "$2" "$3" "$4"
}

# expect WANT NS PROTO HOST PORT: the probe's answer starts with WANT.
expect() {
	want=$1
	shift
	got=$(probe "$@")
	case "$got" in
	"$want"*) return 0 ;;
	esac
	echo "$*: want $want, got $got"
	return 1
}

# ok_api: the last tw_api answered 200.
ok_api() {
	# A refused save is HTTP 200 {"result":"failed",...}, as OPNsense's.
	[ "$(tw_status)" = 200 ] &&
	    ! grep -q '"result":"failed"' "$TW_TMP/body" || {
		echo "HTTP $(tw_status): $(cat "$TW_TMP/body")"
		return 1
	}
}

api_apply() {
	tw_api POST "$1" >/dev/null
	ok_api
}

add_rule() {
	tw_api POST firewall/filter/add_rule "{\"rule\":$1}" | tw_json 'j["uuid"]'
}

# handles: "chain handle comment" of every rule in the loaded table.
handles() {
	tw_in fw nft -j list table inet twinwall | python3 -c '
import json, sys
for o in json.load(sys.stdin)["nftables"]:
    r = o.get("rule")
    if r:
        print(r["chain"], r["handle"], r.get("comment", ""))'
}

has_addr() {	# has_addr DEV ADDR PREFIX
	tw_in fw ip -j addr show dev "$1" | python3 -c '
import json, sys
a = [(x["local"], x["prefixlen"]) for i in json.load(sys.stdin)
     for x in i.get("addr_info", [])]
sys.exit(0 if (sys.argv[1], int(sys.argv[2])) in a else 1)' "$2" "$3"
}

# --- interfaces: addresses and MTU through netlink --------------------
t_interfaces() {
	tw_api POST interfaces/settings/set_item/lan '{"interface":{"device":
	    "lan0","ipaddr":"192.168.50.1","subnet":"24","mtu":"1400"}}' \
	    >/dev/null && ok_api || return 1
	tw_api POST interfaces/settings/set_item/wan '{"interface":{"device":
	    "wan0","ipaddr":"10.50.0.1","subnet":"24","blockpriv":"0",
	    "blockbogons":"0"}}' >/dev/null && ok_api || return 1
	api_apply interfaces/settings/reconfigure || return 1
	has_addr lan0 192.168.50.1 24 || { echo "no 192.168.50.1/24"; return 1; }
	has_addr wan0 10.50.0.1 24 || { echo "no 10.50.0.1/24"; return 1; }
	mtu=$(tw_in fw ip -j link show dev lan0 | tw_json 'j[0]["mtu"]')
	[ "$mtu" = 1400 ] || { echo "lan0 mtu $mtu"; return 1; }
}
tw_check interface_addresses_and_mtu t_interfaces

t_routes() {
	tw_api POST routing/settings/add_gateway '{"gateway":{"name":"WANGW",
	    "interface":"wan","gateway":"10.50.0.2","defaultgw":"1"}}' \
	    >/dev/null && ok_api || return 1
	tw_api POST routes/routes/addroute '{"route":{"network":
	    "172.16.99.0/24","gateway":"WANGW"}}' > "$TW_TMP/route" &&
	    ok_api || return 1
	api_apply routing/settings/reconfigure || return 1
	tw_in fw ip -j route show default | grep -q '"gateway":"10.50.0.2"' ||
	    { echo "no default route via 10.50.0.2"; return 1; }
	tw_in fw ip -j route show 172.16.99.0/24 | grep -q '10.50.0.2' ||
	    { echo "no route 172.16.99.0/24"; return 1; }
}
tw_check routes_default_and_static t_routes

# --- rules ------------------------------------------------------------
R='"interface":"lan","direction":"in","ipprotocol":"inet"'
t_rules() {
	# The factory "LAN to any" pass is quick: make it pf's plain pass
	# (last match) so that later rules can override it.
	u=$(tw_api GET 'firewall/filter/search_rule?searchPhrase=Default%20allow%20LAN%20to'\
'%20any' | tw_json 'j["rows"][0]["uuid"]')
	tw_api POST "firewall/filter/set_rule/$u" '{"rule":{"quick":"0"}}' \
	    >/dev/null && ok_api || return 1
	tw_api POST firewall/alias/add_item '{"alias":{"name":"webhosts",
	    "type":"host","content":"10.50.0.2"}}' >/dev/null && ok_api ||
	    return 1
	add_rule "{$R,\"action\":\"block\",\"quick\":\"1\",\"protocol\":\"tcp\",
	    \"destination_port\":\"81\",\"description\":\"quick block 81\"}" &&
	add_rule "{$R,\"action\":\"block\",\"quick\":\"0\",\"protocol\":\"tcp\",
	    \"destination_port\":\"8080\"}" &&
	add_rule "{$R,\"action\":\"block\",\"quick\":\"0\",\"protocol\":\"udp\",
	    \"destination_port\":\"5353\"}" &&
	add_rule "{$R,\"action\":\"pass\",\"quick\":\"0\",\"protocol\":\"udp\",
	    \"destination_port\":\"5353\"}" &&
	add_rule "{$R,\"action\":\"block\",\"quick\":\"0\",\"protocol\":\"udp\",
	    \"destination_port\":\"5355\"}" &&
	add_rule "{$R,\"action\":\"reject\",\"quick\":\"1\",\"protocol\":\"tcp\",
	    \"destination_port\":\"82\"}" &&
	add_rule "{$R,\"action\":\"reject\",\"quick\":\"1\",\"protocol\":\"udp\",
	    \"destination_port\":\"5354\"}" &&
	add_rule "{$R,\"action\":\"block\",\"quick\":\"1\",\"protocol\":\"icmp\",
	    \"destination_net\":\"10.50.0.7\"}" &&
	add_rule "{$R,\"action\":\"pass\",\"quick\":\"1\",\"protocol\":\"tcp\",
	    \"destination_net\":\"webhosts\",\"destination_port\":\"9000\"}" &&
	add_rule "{$R,\"action\":\"block\",\"quick\":\"1\",\"protocol\":\"tcp\",
	    \"destination_port\":\"9000\"}" >/dev/null || return 1
	api_apply firewall/filter/apply
}
tw_check rules_saved_and_applied t_rules

tw_check tcp_pass_and_snat_source expect "open wansrv peer=10.50.0.1" \
    lan tcp 10.50.0.2 80
tw_check quick_block_beats_later_pass expect timeout lan tcp 10.50.0.2 81
tw_check last_match_block_wins expect timeout lan tcp 10.50.0.2 8080
tw_check last_match_pass_wins_udp expect "reply wansrv" lan udp 10.50.0.2 5353
tw_check udp_blocked expect timeout lan udp 10.50.0.2 5355
tw_check reject_tcp_rst expect refused lan tcp 10.50.0.2 82
tw_check reject_udp_unreachable expect refused lan udp 10.50.0.2 5354
tw_check icmp_pass tw_in lan ping -c1 -W1 -q 10.50.0.2
t_icmp_block() { ! tw_in lan ping -c1 -W1 -q 10.50.0.7; }
tw_check icmp_blocked t_icmp_block
tw_check alias_member_passes expect open lan tcp 10.50.0.2 9000
tw_check alias_nonmember_blocked expect timeout lan tcp 10.50.0.8 9000

# --- alias change: the set is refilled, rules are not reloaded --------
t_alias_update() {
	handles > "$TW_TMP/h1"
	uuid=$(tw_api GET 'firewall/alias/search_item?searchPhrase=webhosts' |
	    tw_json 'j["rows"][0]["uuid"]')
	tw_api POST "firewall/alias/set_item/$uuid" '{"alias":{"content":
	    "10.50.0.2,10.50.0.8"}}' >/dev/null && ok_api || return 1
	api_apply firewall/alias/reconfigure || return 1
	handles > "$TW_TMP/h2"
	cmp -s "$TW_TMP/h1" "$TW_TMP/h2" || {
		echo "rule handles changed: $(diff "$TW_TMP/h1" "$TW_TMP/h2" |
		    head -4)"
		return 1
	}
	[ -s "$TW_TMP/h1" ] || { echo "no rules listed"; return 1; }
	grep -q "refilled 1 alias" "$TW_DATA/rendered/actions.log" ||
	    { echo "actions.log does not show an alias-only update"; return 1; }
	expect open lan tcp 10.50.0.8 9000
}
tw_check alias_update_without_rule_reload t_alias_update

# --- port forward -----------------------------------------------------
t_rdr() {
	tw_api POST firewall/d_nat/add_rule '{"rule":{"interface":"wan",
	    "protocol":"tcp","destination_net":"wanip","destination_port":
	    "8443","target":"192.168.50.2","local_port":"8000"}}' \
	    >/dev/null && ok_api || return 1
	api_apply firewall/d_nat/apply || return 1
	expect "open lansrv peer=10.50.0.2" wan tcp 10.50.0.1 8443
}
tw_check port_forward_reaches_lan_server t_rdr

# --- a rule change through the API takes effect -----------------------
t_change() {
	u=$(add_rule "{$R,\"action\":\"block\",\"quick\":\"1\",
	    \"protocol\":\"tcp\",\"destination_port\":\"80\"}") || return 1
	api_apply firewall/filter/apply || return 1
	expect timeout lan tcp 10.50.0.2 80 || return 1
	tw_api POST "firewall/filter/del_rule/$u" >/dev/null && ok_api ||
	    return 1
	api_apply firewall/filter/apply || return 1
	expect open lan tcp 10.50.0.2 80
}
tw_check rule_change_takes_effect t_change

# --- text never injects -----------------------------------------------
t_inject() {
	tw_api POST firewall/filter/add_rule "{\"rule\":{$R,\"description\":
	    \"x\\\"; }\\n table ip evil { chain c { drop; } }\"}}" \
	    > "$TW_TMP/inj"
	# Refused as OPNsense refuses: HTTP 200 {"result":"failed",...}.
	[ "$(tw_status)" = 200 ] && [ "$(tw_json 'j["result"]' \
	    < "$TW_TMP/inj")" = failed ] || { echo "newline accepted:" \
	    "$(tw_status) $(cat "$TW_TMP/inj")"; return 1; }
	add_rule "{$R,\"action\":\"pass\",\"protocol\":\"tcp\",
	    \"destination_port\":\"7\",\"description\":
	    \"x\\\"; } } table ip evil { chain c { type filter hook input priority 0; drop; } } #{\"}" \
	    >/dev/null && ok_api || return 1
	api_apply firewall/filter/apply || return 1
	tables=$(tw_in fw nft -j list tables | python3 -c '
import json, sys
print(" ".join(o["table"]["name"] for o in json.load(sys.stdin)["nftables"]
               if "table" in o))')
	[ "$tables" = twinwall ] || { echo "tables: $tables"; return 1; }
	tw_in fw nft -j list table inet twinwall | python3 -c '
import json, sys
for o in json.load(sys.stdin)["nftables"]:
    r = o.get("rule")
    if r and ("evil" in json.dumps(r["expr"]) or '\''"'\'' in r.get("comment", "")):
        sys.exit("injected: %s" % r)' || return 1
	expect "open wansrv" lan tcp 10.50.0.2 80
}
tw_check description_cannot_inject t_inject

# --- alias names that are nft keywords are harmless --------------------
# Sets are named alias_<name>, so "counter" cannot break a load.
t_keyword_alias() {
	tw_api POST firewall/alias/add_item '{"alias":{"name":"counter",
	    "type":"host","content":"10.50.0.9"}}' >/dev/null && ok_api ||
	    return 1
	api_apply firewall/alias/reconfigure || return 1
	u=$(tw_api GET 'firewall/alias/search_item?searchPhrase=counter' |
	    tw_json 'j["rows"][0]["uuid"]')
	tw_api POST "firewall/alias/del_item/$u" >/dev/null && ok_api
	api_apply firewall/alias/reconfigure
}
tw_check keyword_alias_loads t_keyword_alias

# --- an invalid ruleset is refused; the old one keeps forwarding ------
# A row the model would never accept, written behind its back (a hand
# edit, a damaged restore): the renderer re-checks every token and the
# apply is refused with the reason; nothing reaches the kernel.
t_invalid() {
	handles > "$TW_TMP/h1"
	sqlite3 "$TW_DATA/twinwall.db" "INSERT INTO aliases (uuid, name,
	    type, content, enabled, descr) VALUES
	    ('00000000-0000-4000-8000-00000000dead', 'bad', 'host',
	    '10.50.0.9; flush ruleset', '1', '')" || return 1
	tw_api POST firewall/alias/reconfigure > "$TW_TMP/bad"
	[ "$(tw_status)" != 200 ] || { echo "apply accepted"; return 1; }
	grep -q 'bad' "$TW_TMP/bad" ||
	    { echo "no reason: $(cat "$TW_TMP/bad")"; return 1; }
	handles > "$TW_TMP/h2"
	cmp -s "$TW_TMP/h1" "$TW_TMP/h2" || { echo "ruleset changed"; return 1; }
	expect "open wansrv peer=10.50.0.1" lan tcp 10.50.0.2 80 || return 1
	sqlite3 "$TW_DATA/twinwall.db" "DELETE FROM aliases WHERE
	    uuid = '00000000-0000-4000-8000-00000000dead'" || return 1
	api_apply firewall/alias/reconfigure
}
tw_check invalid_ruleset_refused_old_forwards t_invalid

# --- states -----------------------------------------------------------
t_states() {
	tw_api GET 'diagnostics/firewall/query_states?searchPhrase=10.50.0.8' \
	    > "$TW_TMP/st" && ok_api || return 1
	n=$(tw_json 'j["total"]' < "$TW_TMP/st")
	[ "$n" -ge 1 ] || { echo "no state to 10.50.0.8: $(head -c 300 \
	    "$TW_TMP/st")"; return 1; }
	tw_json 'j["rows"][0]["proto"]+" "+j["rows"][0]["state"]' \
	    < "$TW_TMP/st" | grep -q '^tcp ' || { echo "row: $(head -c 300 \
	    "$TW_TMP/st")"; return 1; }
	d=$(tw_api POST diagnostics/firewall/kill_states \
	    '{"filter":"10.50.0.8"}' | tw_json 'j["dropped_states"]')
	[ "$d" -ge 1 ] || { echo "dropped $d"; return 1; }
	n=$(tw_api GET 'diagnostics/firewall/query_states?searchPhrase=10.50.0.8' |
	    tw_json 'j["total"]')
	[ "$n" = 0 ] || { echo "$n states left"; return 1; }
	r=$(tw_api POST diagnostics/firewall/flush_states | tw_json 'j["result"]')
	[ "$r" = ok ] || return 1
	n=$(tw_api GET diagnostics/firewall/query_states | tw_json 'j["total"]')
	[ "$n" -le 2 ] || { echo "$n states after flush"; return 1; }
}
tw_check states_query_kill_flush t_states

# --- apply with rollback ----------------------------------------------
block80() {
	add_rule "{$R,\"action\":\"block\",\"quick\":\"1\",\"protocol\":\"tcp\",
	    \"destination_port\":\"80\",\"description\":\"lockout\"}" >/dev/null
}

t_rollback() {
	rev=$(tw_api POST firewall/filter/savepoint | tw_json 'j["revision"]')
	[ -n "$rev" ] || return 1
	block80 || return 1
	tw_api POST "firewall/filter/apply/$rev" >/dev/null && ok_api ||
	    return 1
	expect timeout lan tcp 10.50.0.2 80 || return 1
	i=0
	until tw_api GET firewall/filter/rollback_status |
	    tw_json 'j["last"] and j["last"]["revision"]' | grep -qx "$rev"; do
		i=$((i + 1))
		[ $i -lt 40 ] || { echo "no rollback after 10 s"; return 1; }
		sleep 0.25
	done
	tw_api GET firewall/filter/rollback_status | tw_json 'j["last"]["result"]' |
	    grep -qx ok || { echo "$(cat "$TW_TMP/body")"; return 1; }
	tw_api GET core/backup/list | grep -q "rollback to revision $rev" ||
	    { echo "no revision for the rollback"; return 1; }
	expect open lan tcp 10.50.0.2 80
}
tw_check rollback_restores_rules_after_expiry t_rollback

t_confirm() {
	rev=$(tw_api POST firewall/filter/savepoint | tw_json 'j["revision"]')
	block80 || return 1
	tw_api POST "firewall/filter/apply/$rev" >/dev/null && ok_api ||
	    return 1
	c=$(tw_api POST "firewall/filter/cancel_rollback/$rev" |
	    tw_json 'j["cancelled"]')
	[ "$c" = True ] || { echo "cancel: $c"; return 1; }
	sleep 4
	expect timeout lan tcp 10.50.0.2 80
}
tw_check cancel_rollback_keeps_rules t_confirm

# --- CARP: a rule on an interface matches frames to its VIP -----------
# Frames to a VIP arrive on the VHID's macvlan twc<vhid>, not on lan0:
# the interface's rules must hold there too, in pf's order. The lan host
# sends to the virtual MAC (a static neighbour), so every probe below
# enters through twc50; its rx counter proves it.
VIP=192.168.50.100
vmac_rx() {
	tw_in fw ip -j -s link show dev twc50 | tw_json 'j[0]["stats64"]["rx"]["packets"]'
}
t_carp_vip() {
	tw_api POST interfaces/vip_settings/add_item '{"vip":{"mode":"carp",
	    "interface":"lan","subnet":"'$VIP'","subnet_bits":"24","vhid":"50",
	    "advbase":"1","advskew":"0","password":"twfilter",
	    "descr":"lan VIP"}}' >/dev/null && ok_api || return 1
	# A floating non-quick block, then a later non-quick pass on lan:
	# the later (lan) one wins for 7072; 7071 has only the block.
	add_rule '{"interface":"","direction":"in","ipprotocol":"inet",
	    "action":"block","quick":"0","protocol":"tcp",
	    "destination_port":"7071:7072","description":"floating block"}' \
	    >/dev/null && ok_api || return 1
	add_rule "{$R,\"action\":\"pass\",\"quick\":\"0\",\"protocol\":\"tcp\",
	    \"destination_port\":\"7072\"}" >/dev/null && ok_api || return 1
	api_apply interfaces/vip_settings/reconfigure || return 1
	api_apply firewall/filter/apply || return 1
	# Alone on the segment: MASTER after the master-down time.
	i=0
	until tw_in fw ip -o -4 addr show dev twc50 up 2>/dev/null |
	    grep -q " $VIP/"; do
		i=$((i + 1))
		[ $i -lt 100 ] || { echo "no $VIP on twc50 after 10 s"; return 1; }
		sleep 0.1
	done
	tw_in lan ip neigh replace $VIP lladdr 00:00:5e:00:01:32 dev eth0 \
	    nud permanent
	grep -q '"twc50" : goto in_lan' "$TW_DATA/rendered/twinwall.nft" || {
		echo "twc50 not mapped to lan's chain"; return 1; }
}
tw_check carp_vip_master_and_mapped t_carp_vip
tw_bg fw python3 "$PROBE" serve tcp 7070,7071,7072,8080 tag=fwsrv
tw_listening fw 8080

# expect_vmac WANT PORT: expect, and the frames came in on twc50.
expect_vmac() {
	rx0=$(vmac_rx)
	expect "$1" lan tcp $VIP "$2" || return 1
	rx1=$(vmac_rx)
	[ "$rx1" -gt "$rx0" ] || { echo "twc50 received nothing ($rx0)"
	    return 1; }
}
tw_check carp_vip_lan_pass_matches_on_twc expect_vmac "open fwsrv" 7070
tw_check carp_vip_quick_block_on_twc expect_vmac timeout 81
tw_check carp_vip_last_match_block_on_twc expect_vmac timeout 8080
tw_check carp_vip_floating_block_on_twc expect_vmac timeout 7071
tw_check carp_vip_later_lan_pass_beats_floating expect_vmac "open fwsrv" 7072
tw_check later_lan_pass_beats_floating_on_lan0 expect "open fwsrv" lan \
    tcp 192.168.50.1 7072
tw_check floating_block_on_lan0 expect timeout lan tcp 192.168.50.1 7071

# --- removals reach the devices ---------------------------------------
t_removals() {
	tw_api POST interfaces/settings/set_item/wan \
	    '{"interface":{"ipaddr":"10.50.0.9"}}' >/dev/null && ok_api ||
	    return 1
	api_apply interfaces/settings/reconfigure || return 1
	has_addr wan0 10.50.0.9 24 || { echo "no 10.50.0.9"; return 1; }
	! has_addr wan0 10.50.0.1 24 || { echo "10.50.0.1 still there"
	    return 1; }
	has_addr wan0 10.99.0.1 32 || { echo "foreign address removed"
	    return 1; }
	u=$(tw_json 'j["uuid"]' < "$TW_TMP/route")
	tw_api POST "routes/routes/delroute/$u" >/dev/null && ok_api ||
	    return 1
	api_apply routes/routes/reconfigure || return 1
	[ "$(tw_in fw ip -j route show 172.16.99.0/24)" = "[]" ] ||
	    { echo "route still there"; return 1; }
	g=$(tw_api GET 'routing/settings/search_gateway' |
	    tw_json 'j["rows"][0]["uuid"]')
	tw_api POST "routing/settings/toggle_gateway/$g/0" >/dev/null &&
	    ok_api || return 1
	api_apply routing/settings/reconfigure || return 1
	[ "$(tw_in fw ip -j route show default)" = "[]" ] ||
	    { echo "default route still there"; return 1; }
}
tw_check removed_addresses_and_routes_disappear t_removals

if [ "$TW_FAIL" -gt 0 ]; then
	echo "# daemon log (tail):"
	tail -15 "$TW_TMP/daemon.log" | sed 's/^/#   /'
fi
tw_summary
