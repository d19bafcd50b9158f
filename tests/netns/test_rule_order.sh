#!/bin/sh
# test_rule_order.sh — two quick rules of one sequence number: the one
# created first decides, in the kernel, whatever their uuids. lan host --
# firewall -- wan host in namespaces; a REAL daemon (--platform linux) in
# the firewall namespace, configured through its API.
#
# Pairs on ports 7000..7007: even ports get "quick pass" then "quick
# block" (must stay open), odd ports "quick block" then "quick pass" (must
# time out). uuids are random: with 4 pairs of each kind, some have their
# uuids in the other order, which decided before schema 003.
#
#   sh tests/netns/test_rule_order.sh          (root; else SKIPPED)
#
# Prints "PASS name" / "FAIL name: reason", then "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/netns/lib.sh
tw_init two
TW_BIN=$(realpath "${TW_BIN:-build/twinwall}")
PROBE="$PWD/tests/netns/filter_probe.py"
PORTS="7000,7001,7002,7003,7004,7005,7006,7007"

tw_ns fw && tw_ns lan && tw_ns wan &&
tw_veth fw lan0 lan eth0 && tw_veth fw wan0 wan eth0 &&
tw_in lan ip addr add 192.168.51.2/24 dev eth0 &&
tw_in lan ip route add default via 192.168.51.1 &&
tw_in wan ip addr add 10.51.0.2/24 dev eth0 &&
tw_in fw sysctl -qw net.ipv4.ip_forward=1 || {
	tw_fail setup "cannot build the namespaces"
	tw_summary
	exit 1
}
tw_bg wan python3 "$PROBE" serve tcp "$PORTS" tag=wansrv
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

# add_rule ACTION PORT: a quick rule of sequence 5 on lan; its uuid.
add_rule() {
	tw_api POST firewall/filter/add_rule "{\"rule\":{\"sequence\":\"5\",
	    \"action\":\"$1\",\"quick\":\"1\",\"interface\":\"lan\",
	    \"direction\":\"in\",\"ipprotocol\":\"inet\",\"protocol\":\"tcp\",
	    \"destination_port\":\"$2\",\"description\":\"$1 $2\"}}" |
	    tw_json 'j["uuid"]'
}

t_setup() {
	tw_api POST interfaces/settings/set_item/lan '{"interface":{"device":
	    "lan0","ipaddr":"192.168.51.1","subnet":"24"}}' >/dev/null &&
	    ok_api || return 1
	tw_api POST interfaces/settings/set_item/wan '{"interface":{"device":
	    "wan0","ipaddr":"10.51.0.1","subnet":"24","blockpriv":"0",
	    "blockbogons":"0"}}' >/dev/null && ok_api || return 1
	tw_api POST interfaces/settings/reconfigure >/dev/null && ok_api ||
	    return 1
	# The factory "LAN to any" pass becomes pf's plain (last match)
	# pass, so that the quick pairs decide.
	u=$(tw_api GET 'firewall/filter/search_rule?searchPhrase=Default%20allow%20LAN%20to'\
'%20any' | tw_json 'j["rows"][0]["uuid"]')
	tw_api POST "firewall/filter/set_rule/$u" '{"rule":{"quick":"0"}}' \
	    >/dev/null && ok_api || return 1
	: > "$TW_TMP/pairs"
	for p in 7000 7001 7002 7003 7004 7005 7006 7007; do
		if [ $((p % 2)) = 0 ]; then
			a=$(add_rule pass $p) && b=$(add_rule block $p) ||
			    return 1
		else
			a=$(add_rule block $p) && b=$(add_rule pass $p) ||
			    return 1
		fi
		echo "$p $a $b" >> "$TW_TMP/pairs"
	done
	tw_api POST firewall/filter/apply >/dev/null && ok_api
}
tw_check rules_added_and_applied t_setup

# The GUI's list: first created, first listed.
t_list() {
	tw_api GET 'firewall/filter/search_rule?rowCount=-1' > "$TW_TMP/list"
	python3 - "$TW_TMP/list" "$TW_TMP/pairs" <<'EOF'
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
pos = {r["uuid"]: k for k, r in enumerate(rows)}
inv = 0
for line in open(sys.argv[2]):
    port, a, b = line.split()
    if pos[a] > pos[b]:
        sys.exit("port %s: the rule created first is listed second" % port)
    inv += a > b
print("%d of 8 pairs have their uuids in the other order" % inv)
EOF
}
tw_check search_list_in_creation_order t_list

# The kernel: even ports open (pass created first), odd ports blocked.
t_packets() {
	bad=
	for p in 7000 7001 7002 7003 7004 7005 7006 7007; do
		got=$(tw_in lan python3 "$PROBE" tcp 10.51.0.2 $p)
		case "$p:$got" in
		*[02468]:open*|*[13579]:timeout*) ;;
		*) bad="$bad $p:$got" ;;
		esac
	done
	[ -z "$bad" ] || { echo "first-created rule did not decide:$bad"
	    return 1; }
}
tw_check kernel_first_created_decides t_packets

# The loaded ruleset holds each pair in creation order.
t_loaded() {
	tw_in fw nft list table inet twinwall > "$TW_TMP/loaded" || return 1
	while read -r p a b; do
		la=$(grep -n "$a" "$TW_TMP/loaded" | head -1 | cut -d: -f1)
		lb=$(grep -n "$b" "$TW_TMP/loaded" | head -1 | cut -d: -f1)
		[ -n "$la" ] && [ -n "$lb" ] && [ "$la" -lt "$lb" ] || {
			echo "port $p: loaded out of creation order ($la, $lb)"
			return 1
		}
	done < "$TW_TMP/pairs"
}
tw_check loaded_ruleset_in_creation_order t_loaded

if [ "$TW_FAIL" -gt 0 ]; then
	echo "# daemon log (tail):"
	tail -15 "$TW_TMP/daemon.log" | sed 's/^/#   /'
fi
tw_summary
