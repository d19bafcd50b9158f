#!/bin/sh
# test_ha_scenarios.sh — the seed's failover scenarios on a real HA pair
# in namespaces (tests/netns/ha_lib.sh): real twinwall daemons
# (--platform linux), real CARP, real conntrackd, a real TCP stream
# through NAT (lan host -> wan host, translated to the WAN VIP) that
# must survive every event without a reset.
#
# Each scenario asserts who holds both VIPs afterwards, by `ip addr` in
# the namespaces AND by get_vip_status on both nodes (never both, never
# none), and that the stream kept flowing. Prints "PASS name" or
# "FAIL name: reason", then "N passed, N failed". Root only.
set -u
cd "$(dirname "$0")/../.." || exit 1
if [ "$(id -u)" != 0 ] || ! ip netns list >/dev/null 2>&1; then
	echo "SKIPPED: needs root (network namespaces)"
	exit 0
fi
for t in conntrackd socat curl python3; do
	command -v $t >/dev/null || { echo "SKIPPED: $t missing (make deps)";
	    exit 0; }
done
HA_ROOT=$PWD
HA_P=twt$$
HA_RUN=$(mktemp -d /tmp/tw-ha.XXXXXX)
. tests/netns/ha_lib.sh
STREAM_PORT=5001
STATUS=$HA_RUN/stream.json
. tests/netns/ha_test.sh

# stream_field NAME: a field of the client's status.
stream_field() {
	python3 -c 'import json,sys; v=json.load(open(sys.argv[1])).get(sys.argv[2]); print("null" if v is None else v)' \
	    "$STATUS" "$1" 2>/dev/null || echo "?"
}

# stream_check: the stream lives and moved after now. 0, or 1 with
# the reason in $why.
stream_check() {
	base=$(stream_field recv)
	end=$(($(date +%s) + 8))
	while [ "$(date +%s)" -le $end ]; do
		err=$(stream_field error)
		if [ "$err" != null ]; then
			why="stream died: $err (max gap $(stream_field max_gap) s)"
			return 1
		fi
		now=$(stream_field recv)
		if [ "$now" != "?" ] && [ "$base" != "?" ] &&
		    [ "$now" -gt $((base + 10)) ]; then
			return 0
		fi
		sleep 0.1
	done
	why="stream stalled: no echo for $(stream_field since_last) s after"
	why="$why the event (recv $base -> $(stream_field recv))"
	return 1
}

stream_mark() {
	[ -f "$HA_RUN/client.pid" ] && kill -USR1 "$(cat "$HA_RUN/client.pid")"
	sleep 0.15
}

# scenario NAME WHO TIMEOUT CMD...: runs CMD, expects both VIPs on WHO
# within TIMEOUT seconds and the stream alive.
scenario() {
	name=$1 who=$2 tmo=$3
	shift 3
	stream_mark
	t0=$(date +%s.%N)
	if ! "$@"; then
		bad "$name" "event command failed: $*"
		return 1
	fi
	if ! ha_wait_holder "$who" "$tmo"; then
		bad "$name" "VIPs not all on $who within ${tmo}s: $(ha_where)"
		return 1
	fi
	took=$(echo "$(date +%s.%N) $t0" | awk '{printf "%.2f", $1 - $2}')
	if ! stream_check; then
		bad "$name" "$why"
		return 1
	fi
	ok "$name (VIPs on $who after ${took}s, stream max gap $(stream_field \
max_gap)s, no reset)"
}

carp() { ha_api "$1" POST "diagnostics/interface/carp_status/$2" >/dev/null; }
links() {	# links N up|down: every link of fwN, switch side and sync
	ha_port swl p$1 "$2" && ha_port sww p$1 "$2" &&
	    ha_x fw$1 ip link set sync0 "$2"
}
kill_fw() {	# the node dies: daemon killed (conntrackd with it), links down
	ha_daemon_kill "$1" KILL
	links "$1" down
}
revive_fw() {
	links "$1" up && ha_daemon_start "$1" && ha_configure "$1" >/dev/null
}

# --- the pair -------------------------------------------------------------
if ! ha_topo_up; then
	bad setup "cannot build the topology"
	echo "$pass passed, $fail failed"
	exit 1
fi
for n in 1 2; do
	if ! ha_daemon_start $n; then
		bad setup "twinwall on fw$n did not start: $(tail -n 3 \
"$HA_RUN/fw$n.log")"
		echo "$pass passed, $fail failed"
		exit 1
	fi
done
for n in 1 2; do
	if ! out=$(ha_configure $n 2>&1); then
		bad setup "configuring fw$n through the API: $out"
		echo "$pass passed, $fail failed"
		exit 1
	fi
done
if ha_wait_holder fw1 20; then
	ok "setup (fw1 holds both VIPs, fw2 backup)"
else
	bad setup "fw1 does not hold both VIPs: $(ha_where)"
fi

# The stream: wan host echoes, lan host counts.
ip netns exec "$(ha_ns wan)" python3 tests/netns/ha_stream.py server \
    $STREAM_PORT > "$HA_RUN/server.log" 2>&1 &
ha_listening wan $STREAM_PORT
ip netns exec "$(ha_ns lan)" python3 tests/netns/ha_stream.py client \
    $HA_WAN_HOST $STREAM_PORT "$STATUS" > "$HA_RUN/client.log" 2>&1 &
echo $! > "$HA_RUN/client.pid"
i=0
while [ ! -s "$STATUS" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
if stream_check; then
	ok "stream lan -> wan through NAT"
else
	bad "stream lan -> wan through NAT" "$why"
fi
# The server sees the WAN VIP (snat to the VIP, never a node address).
if ha_x wan ss -tn state established "( sport = :$STREAM_PORT )" |
    grep -q "$HA_WAN_VIP:"; then
	ok "outbound NAT to the WAN VIP"
else
	bad "outbound NAT to the WAN VIP" "server sees: $(ha_x wan ss -tn \
state established | tail -n +2 | tr '\n' ' ')"
fi
# A reply reaching a VIP without state (what arrives before the commit)
# is dropped in silence: without the ruleset this port would answer RST.
r=$(ip netns exec "$(ha_ns wan)" python3 tests/netns/ha_stream.py probe \
    $HA_WAN_HOST $HA_WAN_VIP 40000 2>&1)
if [ "$r" = none ]; then
	ok "stateless TCP to the VIP dropped, no RST"
else
	bad "stateless TCP to the VIP dropped, no RST" "probe said: $r"
fi
# The backup holds the flow in conntrackd's external cache.
conf2=$HA_RUN/fw2/rendered/conntrackd.conf
i=0
while [ $i -lt 50 ]; do
	ha_x fw2 conntrackd -C "$conf2" -e 2>/dev/null |
	    grep -q "dport=$STREAM_PORT" && break
	sleep 0.1
	i=$((i + 1))
done
if [ $i -lt 50 ]; then
	ok "state sync: fw2's external cache holds the flow"
else
	bad "state sync: fw2's external cache holds the flow" \
	    "conntrackd -e on fw2: $(ha_x fw2 conntrackd -C "$conf2" -e 2>&1 |
	    head -n 3 | tr '\n' ' ')"
fi

# The parent's supervision, as the API shows it.
st=$(ha_api 2 GET core/hasync_status/statesync 2>&1)
if echo "$st" | python3 -c 'import json, sys; d = json.load(sys.stdin)
sys.exit(0 if d.get("running") and d.get("role") == "backup" else 1)' \
    2>/dev/null; then
	ok "statesync status: fw2 conntrackd running, role backup"
else
	bad "statesync status: fw2 conntrackd running, role backup" "$st"
fi

# Supervision: conntrackd killed on the backup comes back (backoff 1 s at
# most after a long run) and its external cache is warm again.
jfield() {
	python3 -c 'import json, sys; print(json.load(sys.stdin).get(sys.argv[1]))' \
	    "$1" 2>/dev/null
}
old=$(ha_api 2 GET core/hasync_status/statesync | jfield pid)
kill -9 "$old" 2>/dev/null
i=0
while [ $i -lt 80 ]; do
	st=$(ha_api 2 GET core/hasync_status/statesync 2>/dev/null)
	new=$(echo "$st" | jfield pid)
	if [ "$new" != "$old" ] && [ "$(echo "$st" | jfield running)" = True ] &&
	    [ "$(echo "$st" | jfield demotion_held)" = False ] && ha_x fw2 conntrackd -C "$conf2" -e 2>/dev/null |
	    grep -q "dport=$STREAM_PORT"; then
		break
	fi
	sleep 0.1
	i=$((i + 1))
done
if [ $i -lt 80 ]; then
	ok "conntrackd killed on fw2: restarted (pid $old -> $new), cache warm"
else
	bad "conntrackd killed on fw2: restarted, cache warm" "status: $st"
fi

# --- the seed's scenarios -------------------------------------------------
scenario "S1 master WAN link down" fw2 8 ha_port sww p1 down
scenario "S2 master WAN link restored" fw1 20 ha_port sww p1 up
# S3 needs the backup active while the master is healthy: the master in
# maintenance (so it does not preempt), then the backup's WAN fails.
scenario "S3 setup: fw1 maintenance on" fw2 8 carp 1 maintenance/1
scenario "S3 backup WAN down while it is active" fw1 8 ha_port sww p2 down
ha_port sww p2 up
scenario "S3 restore: fw1 maintenance off" fw1 20 carp 1 maintenance/0
scenario "S4 master LAN link down" fw2 8 ha_port swl p1 down
scenario "S4 restore: master LAN link up" fw1 20 ha_port swl p1 up
scenario "S5 temporary CARP disable" fw2 8 carp 1 disable
scenario "S5 restore: CARP enable" fw1 20 carp 1 enable
scenario "S6 persistent maintenance on" fw2 8 carp 1 maintenance/1
scenario "S6 persistent maintenance off" fw1 20 carp 1 maintenance/0
scenario "S8 master node dies" fw2 10 kill_fw 1
scenario "S8 restore: master back" fw1 30 revive_fw 1

# --- the config-sync gate on real CARP (issue 5) ---------------------------
# Every trigger refuses unless every CARP VIP of the node is MASTER. The
# gate is decided before the peer is contacted, so the pair's loopback
# APIs are enough: the BACKUP must refuse and name its VIPs; the MASTER
# must get past the gate (and then fail only on reaching the peer).
sync_try() {	# node -> prints "HTTP-code body"
	set -- "$1" $(ha_key "$1")
	ha_x fw$1 curl -s -o "$HA_RUN/sync$1.json" -w '%{http_code}' -X POST \
	    -u "$2:$3" "http://127.0.0.1:$HA_PORT/api/core/hasync_status/sync"
	echo " $(cat "$HA_RUN/sync$1.json")"
}
for n in 1 2; do
	peer=$((3 - n))
	ha_api $n POST core/hasync/set "{\"hasync\":{\"synchronizetoip\":
	    \"https://11.11.0.$peer:8443\",\"username\":\"root\",
	    \"password\":\"not-used-here\"}}" >/dev/null
done
r2=$(sync_try 2)
if echo "$r2" | grep -q '^409 ' && echo "$r2" | grep -q '192.168.147.230' &&
    echo "$r2" | grep -q BACKUP; then
	ok "sync gate: the BACKUP refuses (API) and names its VIPs"
else
	bad "sync gate: the BACKUP refuses (API) and names its VIPs" "$r2"
fi
ha_x fw2 "$HA_BIN" sync --data "$HA_RUN/fw2" > "$HA_RUN/cli2.txt" 2>&1
rc=$?
if [ $rc = 3 ] && grep -q BACKUP "$HA_RUN/cli2.txt"; then
	ok "sync gate: the BACKUP refuses (CLI, exit 3)"
else
	bad "sync gate: the BACKUP refuses (CLI, exit 3)" \
	    "rc=$rc $(head -c 300 "$HA_RUN/cli2.txt")"
fi
r1=$(sync_try 1)
if ! echo "$r1" | grep -q '^409 ' && ! echo "$r1" | grep -q 'not MASTER'; then
	ok "sync gate: the all-MASTER node passes it (then the peer: ${r1%% *})"
else
	bad "sync gate: the all-MASTER node passes it" "$r1"
fi

# hasync apply stops conntrackd when state sync is switched off and
# starts it again when it is switched on.
ss_running() {
	ha_api 2 GET core/hasync_status/statesync 2>/dev/null | jfield running
}
ha_api 2 POST core/hasync/set '{"hasync":{"pfsyncenabled":"0"}}' >/dev/null &&
    ha_api 2 POST core/hasync/reconfigure '{}' >/dev/null
off=$(ss_running)
ha_api 2 POST core/hasync/set '{"hasync":{"pfsyncenabled":"1"}}' >/dev/null &&
    ha_api 2 POST core/hasync/reconfigure '{}' >/dev/null
on=$(ss_running)
if [ "$off" = False ] && [ "$on" = True ]; then
	ok "hasync apply: state sync off stops conntrackd, on starts it"
else
	bad "hasync apply: state sync off stops conntrackd, on starts it" \
	    "running after off: $off, after on: $on"
fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
