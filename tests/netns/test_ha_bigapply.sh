#!/bin/sh
# test_ha_bigapply.sh — CARP never waits: a 50,000-rule apply on the
# MASTER of the HA pair (tests/netns/ha_lib.sh) must not look like a dead
# master, and a link lost during it is acted on at once.
#
# 1. 50,000 extra filter rules are imported into fw1's store and applied.
#    fw2 logs no VHID transition (a node demotion of its own, such as
#    state sync holding one, moves nothing), and the longest interval
#    between fw1's adverts seen on fw2's LAN port stays within advbase +
#    advskew/256 + 50 ms (1.05 s).
# 2. The same rules are re-applied with a change, and fw1's WAN switch
#    port goes down 0.1 s into the apply: the longest gap of a 20 ms ping
#    lan -> wan stays <= 0.2 s and every VIP ends on fw2.
# Prints "PASS name" or "FAIL name: reason", then "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
if [ "$(id -u)" != 0 ] || ! ip netns list >/dev/null 2>&1; then
	echo "SKIPPED: needs root (network namespaces)"
	exit 0
fi
for t in conntrackd curl python3 ping tcpdump; do
	command -v $t >/dev/null || { echo "SKIPPED: $t missing (make deps)";
	    exit 0; }
done
HA_ROOT=$PWD
HA_P=twba$$
HA_RUN=$(mktemp -d /tmp/tw-ba.XXXXXX)
. tests/netns/ha_lib.sh
. tests/netns/ha_test.sh
NRULES=${TW_BIGAPPLY_RULES:-50000}

ha_topo_up || { bad setup "topology"; finish; }
for n in 1 2; do
	ha_daemon_start $n || { bad setup "daemon fw$n did not start"; finish; }
	ha_configure $n > "$HA_RUN/setup$n.log" 2>&1 ||
	    { bad setup "configure fw$n: $(tail -2 "$HA_RUN/setup$n.log")"; finish; }
done
check pair_up_fw1_master ha_wait_holder fw1 15

# big TAG: fw1's configuration plus NRULES rules on lan and wan, saved
# to fw1's store (not applied).
big() {
	"$HA_BIN" export --data "$HA_RUN/fw1" "$HA_RUN/base.json" >/dev/null &&
	python3 - "$HA_RUN/base.json" "$HA_RUN/big.json" "$NRULES" "$1" <<'PY' &&
import json, sys, uuid
snap = json.load(open(sys.argv[1]))
n, tag = int(sys.argv[3]), sys.argv[4]
rules = snap["sections"]["filter_rules"]
base = dict(rules[0])
for i in range(n):
    r = dict(base)
    r.update(uuid=str(uuid.uuid4()), sequence=str(100000 + i),
             interface=("lan", "wan")[i % 2], action="block", quick="1",
             protocol="tcp", source_net="any",
             destination_net="10.%d.%d.0/24" % (i // 250 % 250, i % 250),
             destination_port=str(1024 + i % 60000),
             description="%s %d" % (tag, i))
    rules.append(r)
json.dump(snap, open(sys.argv[2], "w"))
PY
	"$HA_BIN" import --data "$HA_RUN/fw1" "$HA_RUN/big.json" >/dev/null
}

# adverts: fw1's CARP adverts (vhid 147) as fw2's LAN port sees them.
cap_start() {
	ha_x fw2 tcpdump -i lan0 -n -tt -l 'ip proto 112 and src host '\
"$HA_LAN_NET.231" > "$HA_RUN/adv.txt" 2>/dev/null &
	CAP=$!
	sleep 1
}
cap_stop() {
	kill $CAP 2>/dev/null
	wait $CAP 2>/dev/null
	python3 -c '
import sys
t = [float(l.split()[0]) for l in open(sys.argv[1]) if l.strip()]
print("%.3f %d" % (max((b - a for a, b in zip(t, t[1:])), default=99), len(t)))' \
	    "$HA_RUN/adv.txt"
}

t_big_apply() {
	big "bulk" || { echo "import failed"; return 1; }
	n0=$(grep -c "carp: vhid .* -> " "$HA_RUN/fw2.log")
	cap_start
	t0=$(date +%s.%N)
	ha_x fw1 "$HA_BIN" apply --data "$HA_RUN/fw1" filter ||
	    { echo "apply failed"; return 1; }
	t1=$(date +%s.%N)
	sleep 1.5
	set -- $(cap_stop)
	n1=$(grep -c "carp: vhid .* -> " "$HA_RUN/fw2.log")
	echo "# apply of $NRULES rules took $(python3 -c "print('%.2f' % ($t1 - $t0))") s;" \
	    "longest advert interval on fw2: $1 s ($2 adverts)"
	[ "$n1" = "$n0" ] || { echo "fw2 logged $((n1 - n0)) transition(s)"; return 1; }
	python3 -c "import sys; sys.exit(0 if float('$1') <= 1.05 else 1)" ||
	    { echo "advert interval $1 s"; return 1; }
	ha_wait_holder fw1 2
}
check big_apply_keeps_adverts_on_time t_big_apply

t_link_during_apply() {
	big "again" || { echo "import failed"; return 1; }
	ha_x lan ping -D -n -i 0.02 $HA_WAN_HOST > "$HA_RUN/ping.log" 2>&1 &
	PING=$!
	sleep 1
	ha_x fw1 "$HA_BIN" apply --data "$HA_RUN/fw1" filter > "$HA_RUN/apply2.log" 2>&1 &
	AP=$!
	sleep 0.1
	ha_port sww p1 down
	ha_wait_holder fw2 10 || { kill $PING; echo "VIPs: $(ha_where)"; return 1; }
	wait $AP
	sleep 1
	kill $PING 2>/dev/null
	g=$(python3 -c '
import re, sys
t = [float(m.group(1)) for m in (re.match(r"\[(\d+\.\d+)\].*icmp_seq=", l) for l in open(sys.argv[1])) if m]
print("%.3f" % max((b - a for a, b in zip(t, t[1:])), default=99))' "$HA_RUN/ping.log")
	echo "# WAN pulled 0.1 s into the apply: longest ping gap $g s"
	python3 -c "import sys; sys.exit(0 if float('$g') <= 0.2 else 1)" ||
	    { echo "ping gap $g s"; return 1; }
	[ "$(ha_holder $HA_WAN_VIP)" = fw2 ] && [ "$(ha_holder $HA_LAN_VIP)" = fw2 ]
}
check wan_lost_during_apply_fails_over_at_once t_link_during_apply

finish
