#!/bin/sh
# test_fwlog.sh — the firewall log with real packets: lan host -- firewall
# -- wan host in namespaces; a REAL daemon (--platform linux) owns the
# NFLOG group in the firewall namespace, and rules with "log" on must
# show up in diagnostics/firewall/log with the rule, its description, the
# interface name and the packet's addresses and ports. A rule without
# "log" must not. The console (option 10) is in test_console.sh.
#
#   sh tests/netns/test_fwlog.sh          (root; else SKIPPED)
#   TW_BIN=build/asan/twinwall sh tests/netns/test_fwlog.sh
#
# Prints "PASS name" / "FAIL name: reason", then "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/netns/lib.sh
tw_init twl
TW_BIN=$(realpath "${TW_BIN:-build/twinwall}")
PROBE="$PWD/tests/netns/filter_probe.py"

# --- topology ---------------------------------------------------------
# lan 192.168.60.2 -- lan0 [fw] wan0 -- 10.60.0.2 wan
tw_ns fw && tw_ns lan && tw_ns wan &&
tw_veth fw lan0 lan eth0 && tw_veth fw wan0 wan eth0 &&
tw_in lan ip addr add 192.168.60.2/24 dev eth0 &&
tw_in lan ip route add default via 192.168.60.1 &&
tw_in wan ip addr add 10.60.0.2/24 dev eth0 &&
tw_in wan ip route add default via 10.60.0.1 &&
tw_in fw sysctl -qw net.ipv4.ip_forward=1 || {
	tw_fail setup "cannot build the namespaces"
	tw_summary
	exit 1
}
tw_bg wan python3 "$PROBE" serve tcp 80,81,82,83 udp 5353 tag=wansrv
if ! tw_daemon fw; then
	tw_fail setup "daemon did not start"
	tw_summary
	exit 1
fi

ok_api() {
	# A refused save is HTTP 200 {"result":"failed",...}, as OPNsense's.
	[ "$(tw_status)" = 200 ] &&
	    ! grep -q '"result":"failed"' "$TW_TMP/body" || {
		echo "HTTP $(tw_status): $(cat "$TW_TMP/body")"
		return 1
	}
}

add_rule() {
	tw_api POST firewall/filter/add_rule "{\"rule\":$1}" | tw_json 'j["uuid"]'
}

probe() {
	tw_in "$1" python3 "$PROBE" "$2" "$3" "$4"
}

# logrow UUID: waits up to 5 s for a log entry of rule UUID; the newest
# one lands in $TW_TMP/row (JSON).
logrow() {
	i=0
	while [ $i -lt 25 ]; do
		tw_api GET "diagnostics/firewall/log?rowCount=-1&searchPhrase=$1" \
		    > "$TW_TMP/log"
		ok_api || return 1
		if tw_json 'j["rows"][0]' < "$TW_TMP/log" > "$TW_TMP/row" \
		    2>/dev/null; then
			return 0
		fi
		sleep 0.2
		i=$((i + 1))
	done
	echo "no log entry of rule $1 after 5 s: $(head -c 300 "$TW_TMP/log")"
	return 1
}

# fields K=V...: every field of $TW_TMP/row equals V (K=~RE: matches RE).
fields() {
	python3 - "$TW_TMP/row" "$@" <<'EOF'
import json, re, sys
row = json.load(open(sys.argv[1]))
bad = []
for kv in sys.argv[2:]:
    k, v = kv.split("=", 1)
    got = row.get(k)
    if not isinstance(got, str):
        bad.append("%s is %r, not a string" % (k, got))
    elif v.startswith("~") and not re.fullmatch(v[1:], got):
        bad.append("%s=%r !~ %s" % (k, got, v[1:]))
    elif not v.startswith("~") and got != v:
        bad.append("%s=%r, want %r" % (k, got, v))
if bad:
    sys.exit("; ".join(bad) + " in " + json.dumps(row))
EOF
}

# --- configuration ----------------------------------------------------
L='"interface":"lan","direction":"in","ipprotocol":"inet","quick":"1"'
t_setup() {
	tw_api POST interfaces/settings/set_item/lan '{"interface":{"device":
	    "lan0","ipaddr":"192.168.60.1","subnet":"24"}}' >/dev/null &&
	    ok_api || return 1
	tw_api POST interfaces/settings/set_item/wan '{"interface":{"device":
	    "wan0","ipaddr":"10.60.0.1","subnet":"24","blockpriv":"0",
	    "blockbogons":"0"}}' >/dev/null && ok_api || return 1
	tw_api POST interfaces/settings/reconfigure >/dev/null && ok_api ||
	    return 1
	# The factory "LAN to any" pass is quick: made pf's plain pass, so
	# the quick rules below decide first.
	u=$(tw_api GET 'firewall/filter/search_rule?searchPhrase=Default%20allow%20LAN%20to'\
'%20any' | tw_json 'j["rows"][0]["uuid"]')
	tw_api POST "firewall/filter/set_rule/$u" '{"rule":{"quick":"0"}}' \
	    >/dev/null && ok_api || return 1
	BLOCK=$(add_rule "{$L,\"action\":\"block\",\"protocol\":\"tcp\",
	    \"destination_port\":\"81\",\"log\":\"1\",
	    \"description\":\"fwlog block 81\"}") || return 1
	PASS=$(add_rule "{$L,\"action\":\"pass\",\"protocol\":\"udp\",
	    \"destination_port\":\"5353\",\"log\":\"1\",
	    \"description\":\"fwlog pass dns\"}") || return 1
	SILENT=$(add_rule "{$L,\"action\":\"block\",\"protocol\":\"tcp\",
	    \"destination_port\":\"82\",\"log\":\"0\",
	    \"description\":\"fwlog silent 82\"}") || return 1
	LOCAL=$(add_rule "{$L,\"action\":\"reject\",\"protocol\":\"tcp\",
	    \"destination_net\":\"192.168.60.1\",\"destination_port\":\"2222\",
	    \"log\":\"1\",\"description\":\"fwlog to the firewall\"}") ||
	    return 1
	OUT=$(add_rule "{\"interface\":\"wan\",\"direction\":\"out\",
	    \"ipprotocol\":\"inet\",\"quick\":\"1\",\"action\":\"block\",
	    \"protocol\":\"tcp\",\"destination_port\":\"83\",\"log\":\"1\",
	    \"description\":\"fwlog out on wan\"}") || return 1
	PING=$(add_rule "{$L,\"action\":\"pass\",\"protocol\":\"icmp\",
	    \"destination_net\":\"10.60.0.2\",\"log\":\"1\",
	    \"description\":\"fwlog ping\"}") || return 1
	tw_api POST firewall/filter/apply >/dev/null && ok_api || return 1
	echo "$BLOCK $PASS $SILENT $LOCAL $OUT $PING" > "$TW_TMP/uuids"
	grep -q "log prefix \"tw:$BLOCK:block:in\" group 1" \
	    "$TW_DATA/rendered/twinwall.nft" ||
	    { echo "the block rule is not rendered with log"; return 1; }
}
tw_check rules_with_log_applied t_setup
read -r BLOCK PASS SILENT LOCAL OUT PING < "$TW_TMP/uuids" 2>/dev/null ||
    BLOCK="" PASS="" SILENT="" LOCAL="" OUT="" PING=""

# The parent owns the group: nobody else can bind it in this namespace
# (the kernel refuses another socket's bind with EPERM, even to root).
t_parent_owns_group() {
	out=$(tw_in fw python3 - <<'EOF'
import socket, struct
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)
s.bind((0, 0))
# NFULNL_MSG_CONFIG, NFULA_CFG_CMD = BIND, group 1, with an ack.
attr = struct.pack("=HHB3x", 5, 1, 1)
body = struct.pack("=BBH", 0, 0, socket.htons(1)) + attr
hdr = struct.pack("=IHHII", 16 + len(body), (4 << 8) | 1, 1 | 4, 1, 0)
s.send(hdr + body)
data = s.recv(4096)
print(struct.unpack("=i", data[16:20])[0])
EOF
) || return 1
	[ "$out" = -1 ] || { echo "a second bind answered $out, not -EPERM"
	    return 1; }
}
tw_check daemon_owns_the_nflog_group t_parent_owns_group

# --- traffic and the log ----------------------------------------------
# The silent rule's packet goes first: once the later entries are in, an
# entry of it would be too.
t_block() {
	r=$(probe lan tcp 10.60.0.2 82)
	[ "$r" = timeout ] || { echo "port 82: $r"; return 1; }
	r=$(probe lan tcp 10.60.0.2 81)
	[ "$r" = timeout ] || { echo "port 81: $r"; return 1; }
	logrow "$BLOCK" || return 1
	fields action=block "rule=$BLOCK" "label=fwlog block 81" \
	    interface=lan dir=in proto=tcp src=192.168.60.2 'src_port=~[0-9]+' \
	    dst=10.60.0.2 dst_port=81 icmp_type= \
	    'time=~20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\.[0-9]{3}Z'
}
tw_check block_logged_with_rule_label_interface t_block

t_silent() {
	tw_api GET 'diagnostics/firewall/log?rowCount=-1' > "$TW_TMP/all"
	ok_api || return 1
	python3 - "$TW_TMP/all" "$SILENT" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
if not j["rows"]:
    sys.exit("the log is empty")
hit = [r for r in j["rows"] if r["rule"] == sys.argv[2] or r["dst_port"] == "82"]
if hit:
    sys.exit("a rule without log was logged: %s" % hit[0])
if j["total"] != len(j["rows"]):
    sys.exit("total %s for %d rows" % (j["total"], len(j["rows"])))
EOF
}
tw_check rule_without_log_not_logged t_silent

t_pass() {
	r=$(probe lan udp 10.60.0.2 5353)
	case "$r" in "reply wansrv"*) ;; *) echo "udp 5353: $r"; return 1 ;; esac
	logrow "$PASS" || return 1
	fields action=pass "rule=$PASS" "label=fwlog pass dns" interface=lan \
	    dir=in proto=udp src=192.168.60.2 dst=10.60.0.2 dst_port=5353
}
tw_check pass_logged_as_pass t_pass

t_icmp() {
	tw_in lan ping -c1 -W1 -q 10.60.0.2 >/dev/null ||
	    { echo "ping failed"; return 1; }
	logrow "$PING" || return 1
	fields action=pass proto=icmp icmp_type=8 src_port= dst_port= \
	    interface=lan dir=in dst=10.60.0.2
}
tw_check icmp_logged_with_type t_icmp

# To the firewall itself: the input hook.
t_local() {
	r=$(probe lan tcp 192.168.60.1 2222)
	[ "$r" = refused ] || { echo "port 2222: $r"; return 1; }
	logrow "$LOCAL" || return 1
	fields action=reject "label=fwlog to the firewall" interface=lan \
	    dir=in proto=tcp dst=192.168.60.1 dst_port=2222
}
tw_check reject_to_the_firewall_logged t_local

# A forwarded packet logged by the out rule of the leaving interface.
t_out() {
	r=$(probe lan tcp 10.60.0.2 83)
	[ "$r" = timeout ] || { echo "port 83: $r"; return 1; }
	logrow "$OUT" || return 1
	fields action=block "label=fwlog out on wan" interface=wan dir=out \
	    proto=tcp src=192.168.60.2 dst=10.60.0.2 dst_port=83
}
tw_check out_rule_logged_on_wan t_out

# Newest first, the shape list.js reads, paging and the search.
t_list() {
	tw_api GET 'diagnostics/firewall/log?current=1&rowCount=2' \
	    > "$TW_TMP/page" && ok_api || return 1
	tw_api GET 'diagnostics/firewall/log?rowCount=-1' > "$TW_TMP/all" &&
	    ok_api || return 1
	tw_api POST diagnostics/firewall/log \
	    '{"current":1,"rowCount":50,"searchPhrase":"fwlog out"}' \
	    > "$TW_TMP/search" && ok_api || return 1
	tw_api GET 'diagnostics/firewall/log?rowCount=x' > "$TW_TMP/bad"
	[ "$(tw_status)" = 200 ] && [ "$(tw_json 'j["result"]' \
	    < "$TW_TMP/bad")" = failed ] || { echo "rowCount=x: HTTP" \
	    "$(tw_status) $(cat "$TW_TMP/bad")"; return 1; }
	python3 - "$TW_TMP" "$OUT" <<'EOF'
import json, sys
d = sys.argv[1]
page = json.load(open(d + "/page"))
every = json.load(open(d + "/all"))
search = json.load(open(d + "/search"))
t = [r["time"] for r in every["rows"]]
if t != sorted(t, reverse=True):
    sys.exit("not newest first: %s" % t)
if every["rows"][0]["rule"] != sys.argv[2]:
    sys.exit("the newest entry is not the last packet's: %s" % every["rows"][0])
if page["rowCount"] != 2 or len(page["rows"]) != 2 or \
        page["total"] != every["total"] or page["current"] != 1:
    sys.exit("page: %s" % {k: page[k] for k in ("total", "rowCount", "current")})
if page["rows"] != every["rows"][:2]:
    sys.exit("page 1 is not the first two entries")
if not search["rows"] or any(r["rule"] != sys.argv[2] for r in search["rows"]):
    sys.exit("search for the label: %s" % search["rows"][:2])
if "note" in every:
    sys.exit("a note on the linux platform: %s" % every["note"])
EOF
}
tw_check list_newest_first_paged_searched t_list

if [ "$TW_FAIL" -gt 0 ]; then
	echo "# daemon log (tail):"
	tail -15 "$TW_TMP/daemon.log" | sed 's/^/#   /'
fi
tw_summary
