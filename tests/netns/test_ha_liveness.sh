#!/bin/sh
# test_ha_liveness.sh — the liveness channel (appliance/carp/live.h) on
# the HA pair of tests/netns/ha_lib.sh: real daemons, real CARP, hellos
# every 50 ms with multiplier 3 (the defaults), a TCP stream through NAT.
#
#   - both nodes hear each other on the three paths (sync, lan, wan);
#   - a bad interval is refused, naming the field;
#   - the sync cable pulled: no transition anywhere;
#   - fw1's LAN switch port drops every frame, carrier up: fw2 still
#     hears fw1 say (sync and wan) that it holds vhid 147, so its
#     master-down does not make a second MASTER: no VIP on both nodes
#     at any 10 ms sample, no transition on either;
#   - S8, the master dies (SIGKILL, links down): fw2 holds both VIPs
#     within 0.3 s, the stream lives;
#   - fw1 frozen (SIGSTOP) 5 s: fw2 takes over within 0.3 s; on SIGCONT
#     fw1 steps down before sending an advert, no VIP on both after.
# Prints PASS/FAIL lines and "N passed, N failed". Root only.
set -u
cd "$(dirname "$0")/../.." || exit 1
if [ "$(id -u)" != 0 ] || ! ip netns list >/dev/null 2>&1; then
	echo "SKIPPED: needs root (network namespaces)"
	exit 0
fi
for t in conntrackd curl python3 nft; do
	command -v $t >/dev/null || { echo "SKIPPED: $t missing (make deps)";
	    exit 0; }
done
HA_ROOT=$PWD
HA_P=twl$$
HA_RUN=$(mktemp -d /tmp/tw-live.XXXXXX)
. tests/netns/ha_lib.sh
. tests/netns/ha_test.sh
STREAM_PORT=5001
STATUS=$HA_RUN/stream.json
TARGET=0.3

stream_field() {
	python3 -c 'import json,sys; v=json.load(open(sys.argv[1])).get(sys.argv[2]); print("null" if v is None else v)' \
	    "$STATUS" "$1" 2>/dev/null || echo "?"
}
# stream_alive: no error, and echoes moved on within 8 s.
stream_alive() {
	base=$(stream_field recv)
	end=$(($(date +%s) + 8))
	while [ "$(date +%s)" -le $end ]; do
		[ "$(stream_field error)" != null ] && {
			why="stream died: $(stream_field error)"; return 1; }
		now=$(stream_field recv)
		[ "$now" != "?" ] && [ "$base" != "?" ] &&
		    [ "$now" -gt $((base + 10)) ] && return 0
		sleep 0.1
	done
	why="stream stalled (recv $base -> $(stream_field recv))"
	return 1
}
links() {
	ha_port swl p$1 "$2" && ha_port sww p$1 "$2" &&
	    ha_x fw$1 ip link set sync0 "$2"
}
tl_total() {
	ha_api "$1" GET core/hasync_status/timeline 2>/dev/null |
	    python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])' \
	    2>/dev/null
}
tl_causes() {
	ha_api "$1" GET "core/hasync_status/timeline?limit=20" 2>/dev/null |
	    python3 -c 'import json,sys
for r in json.load(sys.stdin)["rows"]: print(r["cause"])' 2>/dev/null
}
# took T0 NS TIMEOUT HAVE: seconds from T0 (epoch) until fwNS holds both
# VIPs (HAVE=1) or neither (HAVE=0), sampled every 10 ms; "timeout".
took() {
	python3 - "$1" "$(ha_ns "$2")" "$3" "$4" $HA_LAN_VIP $HA_WAN_VIP <<'PY'
import json, subprocess, sys, time
t0, ns, tmo, have = float(sys.argv[1]), sys.argv[2], float(sys.argv[3]), sys.argv[4] == "1"
vips = set(sys.argv[5:])
while time.time() - t0 < tmo:
    j = json.loads(subprocess.run(["ip", "-n", ns, "-j", "-4", "addr", "show", "up"],
        capture_output=True, text=True).stdout or "[]")
    h = {a.get("local") for d in j if "LOWER_UP" in d.get("flags", [])
         for a in d.get("addr_info", [])} & vips
    if (h == vips) if have else not h:
        print("%.3f" % (time.time() - t0))
        sys.exit(0)
    time.sleep(0.005)
print("timeout")
PY
}
# decided N CAUSE T0: seconds from T0 (epoch) to the newest timeline
# entry of fwN whose cause contains CAUSE, or "none".
decided() {
	ha_api "$1" GET "core/hasync_status/timeline?limit=10" 2>/dev/null |
	    python3 -c 'import json, sys
t = [r["time"] for r in json.load(sys.stdin)["rows"] if sys.argv[1] in r["cause"]]
print("%.3f" % (float(t[0]) - float(sys.argv[2])) if t else "none")' "$2" "$3" \
	    2>/dev/null || echo none
}
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "timeout" && a + 0 <= b + 0) }'; }
dual_start() {	# dual_start SECONDS: the 10 ms sampler, in the background
	python3 tests/netns/ha_dual.py "$(ha_ns fw1)" "$(ha_ns fw2)" "$1" \
	    "$HA_RUN/dual.json" $HA_LAN_VIP $HA_WAN_VIP &
	echo $! > "$HA_RUN/dual.pid"
}
# dual_wait (in this shell, not in $(...): wait needs the child), then
# dual_result prints "DUAL SAMPLES LANHOLDER WANHOLDER FIRST".
dual_wait() { wait "$(cat "$HA_RUN/dual.pid")" 2>/dev/null; }
dual_result() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
print(d["dual"], d["samples"], d["holders"].get(sys.argv[2], "?"),
      d["holders"].get(sys.argv[3], "?"), d["first_dual"])' \
	    "$HA_RUN/dual.json" $HA_LAN_VIP $HA_WAN_VIP 2>/dev/null ||
	    echo "? 0 ? ? none"
}

# --- the pair -------------------------------------------------------------
ha_topo_up || { bad setup "cannot build the topology"; finish; }
for n in 1 2; do
	ha_daemon_start $n || { bad setup "fw$n did not start"; finish; }
done
for n in 1 2; do
	out=$(ha_configure $n 2>&1) || { bad setup "configure fw$n: $out";
	    finish; }
done
if ha_wait_holder fw1 20; then
	ok "setup (fw1 holds both VIPs)"
else
	bad setup "fw1 does not hold both VIPs: $(ha_where)"
	finish
fi
ip netns exec "$(ha_ns wan)" python3 tests/netns/ha_stream.py server \
    $STREAM_PORT > "$HA_RUN/server.log" 2>&1 &
ha_listening wan $STREAM_PORT
ip netns exec "$(ha_ns lan)" python3 tests/netns/ha_stream.py client \
    $HA_WAN_HOST $STREAM_PORT "$STATUS" > "$HA_RUN/client.log" 2>&1 &
echo $! > "$HA_RUN/client.pid"
sleep 1

# Both nodes hear the other on all three paths.
i=0
while [ $i -lt 50 ]; do
	a=$(ha_vip_status 1 '" ".join(sorted(p["interface"] for p in d["liveness"]["paths"] if p["state"] == "up"))')
	b=$(ha_vip_status 2 '" ".join(sorted(p["interface"] for p in d["liveness"]["paths"] if p["state"] == "up"))')
	[ "$a" = "lan opt1 wan" ] && [ "$b" = "lan opt1 wan" ] && break
	sleep 0.1
	i=$((i + 1))
done
if [ $i -lt 50 ]; then
	ok "liveness up on sync, lan and wan, both nodes (get_vip_status)"
else
	bad "liveness up on three paths" "fw1 up: '$a', fw2 up: '$b'; fw2: \
$(ha_vip_status 2 'd["liveness"]')"
fi
r=$(ha_vip_status 2 'd["liveness"]["interval_ms"], d["liveness"]["multiplier"], d["liveness"]["packets"]["bad_hmac"]')
check "defaults 50 ms x 3, no bad HMAC ($r)" test "$r" = "(50, 3, 0)"

# Validation: refused as OPNsense refuses (result failed), naming the field.
set -- $(ha_key 2)
code=$(ha_x fw2 curl -s -o "$HA_RUN/v.json" -w '%{http_code}' -u "$1:$2" \
    -H 'Content-Type: application/json' -X POST \
    -d '{"hasync":{"livenessinterval":"5"}}' \
    "http://127.0.0.1:$HA_PORT/api/core/hasync/set")
if [ "$code" = 200 ] && grep -q '"result":"failed"' "$HA_RUN/v.json" &&
    grep -q livenessinterval "$HA_RUN/v.json"; then
	ok "livenessinterval 5 refused, naming the field"
else
	bad "livenessinterval 5 refused" "HTTP $code $(cat "$HA_RUN/v.json")"
fi

# --- sync cable pulled: no transition anywhere ------------------------------
t1=$(tl_total 1) t2=$(tl_total 2)
ha_x fw1 ip link set sync0 down
sleep 2
s=$(ha_vip_status 2 '[p["state"] for p in d["liveness"]["paths"] if p["interface"] == "opt1"][0], d["liveness"]["peer"]')
if [ "$(tl_total 1)" = "$t1" ] && [ "$(tl_total 2)" = "$t2" ] &&
    [ "$(ha_holder $HA_LAN_VIP)" = fw1 ] && [ "$(ha_holder $HA_WAN_VIP)" = fw1 ] &&
    [ "$s" = "('down', 'up')" ]; then
	ok "sync cable pulled: sync path down, peer up, no transition"
else
	bad "sync cable pulled: no transition" "timeline $t1/$t2 -> \
$(tl_total 1)/$(tl_total 2), $(ha_where), fw2 sync path/peer $s"
fi
ha_x fw1 ip link set sync0 up
sleep 1

# --- fw1's LAN switch port drops every frame, carrier up -------------------
t1=$(tl_total 1) t2=$(tl_total 2)
ha_x swl nft -f - <<'NFT'
table bridge twdrop {
	chain c {
		type filter hook forward priority 0; policy accept;
		iifname "p1" drop
		oifname "p1" drop
	}
}
NFT
dual_start 6
dual_wait
set -- $(dual_result)
if [ "$1" = 0 ]; then
	ok "LAN port drops all (link up): no VIP on both in $2 samples (lan $3, wan $4)"
	[ "$(tl_total 1)" = "$t1" ] && [ "$(tl_total 2)" = "$t2" ] &&
	    ok "LAN port drops all: no transition on either node" ||
	    bad "LAN port drops all: no transition" "$(tl_causes 2 | head -n 2 | tr '\n' ';')"
else
	bad "LAN port drops all (link up)" "$1 of $2 samples with a VIP on \
both (first at ${5}s); last lan $3, wan $4"
fi
echo "# LAN drop, fw1 timeline: $(tl_causes 1 | head -n 3 | tr '\n' ';')"
echo "# LAN drop, fw2 timeline: $(tl_causes 2 | head -n 3 | tr '\n' ';')"
ha_x swl nft delete table bridge twdrop
if ha_wait_holder fw1 20; then
	ok "LAN port restored: fw1 holds both VIPs again"
else
	bad "LAN port restored" "$(ha_where)"
fi
# The stream was cut with the LAN port: flowing again before S8.
stream_alive || stream_alive || bad "stream back after the LAN port" "$why"

# --- S8: the master dies ---------------------------------------------------
[ -f "$HA_RUN/client.pid" ] && kill -USR1 "$(cat "$HA_RUN/client.pid")"
sleep 0.15
pid=$(cat "$HA_RUN/fw1.pid")
t0=$(date +%s.%N)
kill -KILL "$pid"
links 1 down
s8ip=$(took "$t0" fw2 5 1)
s8=$(decided 2 "peer liveness lost" "$t0")
if le "$s8" $TARGET && [ "$s8ip" != timeout ]; then
	ok "S8 master killed: fw2 took over after ${s8}s (target $TARGET; both VIPs seen by ip, polled from the shell, at ${s8ip}s)"
else
	bad "S8 master killed within $TARGET s" "timeline $s8, ip $s8ip; $(ha_where)"
fi
if stream_alive; then
	ok "S8: the stream through NAT lives (max gap $(stream_field max_gap)s)"
else
	bad "S8: the stream through NAT lives" "$why"
fi
if tl_causes 2 | grep -q "peer liveness lost"; then
	ok "S8: fw2's timeline says \"peer liveness lost\""
else
	bad "S8: timeline cause" "$(tl_causes 2 | head -n 3 | tr '\n' ';')"
fi
rm -f "$HA_RUN/fw1.pid"
links 1 up
ha_daemon_start 1 && ha_configure 1 >/dev/null
if ha_wait_holder fw1 30; then
	ok "S8 restore: fw1 back, holds both VIPs"
else
	bad "S8 restore" "$(ha_where)"
	finish
fi
sleep 1
stream_alive
[ -f "$HA_RUN/client.pid" ] && kill -USR1 "$(cat "$HA_RUN/client.pid")"
sleep 0.15

# --- fw1 frozen 5 s -----------------------------------------------------------
pid=$(cat "$HA_RUN/fw1.pid")
t0=$(date +%s.%N)
kill -STOP "$pid"
stip=$(took "$t0" fw2 4 1)
sleep 4.5
# (fw1's API waits on its frozen parent: ask fw2 only until SIGCONT.)
st=$(decided 2 "peer liveness lost" "$t0")
if le "$st" $TARGET && [ "$stip" != timeout ]; then
	ok "SIGSTOP master: fw2 took over after ${st}s (target $TARGET; both VIPs seen by ip at ${stip}s)"
else
	bad "SIGSTOP master: fw2 within $TARGET s" "timeline $st, ip $stip"
fi
t0=$(date +%s.%N)
kill -CONT "$pid"
downip=$(took "$t0" fw1 3 0)
down=$(decided 1 "frozen" "$t0")
if le "$down" 0.1 && [ "$downip" != timeout ]; then
	ok "SIGCONT: fw1 steps down after ${down}s (VIPs gone by ip at ${downip}s)"
else
	bad "SIGCONT: fw1 steps down" "timeline $down, ip $downip; $(ha_where)"
fi
dual_start 3
dual_wait
set -- $(dual_result)
if [ "$1" = 0 ] && [ "$3" = fw2 ] && [ "$4" = fw2 ]; then
	ok "after SIGCONT: fw2 keeps both, no VIP on both in $2 samples"
else
	bad "after SIGCONT: no two MASTERs" "$1 of $2 samples on both; lan $3, wan $4"
fi
c1=$(tl_causes 1 | head -n 2 | tr '\n' ';')
if [ "$c1" = "peer took over while this node was frozen;peer took over while this node was frozen;" ]; then
	ok "fw1's timeline: stepped down as frozen, no preempt back"
else
	bad "fw1's timeline after SIGCONT" "$c1"
fi
if stream_alive; then
	ok "SIGSTOP/SIGCONT: the stream lives (max gap $(stream_field max_gap)s)"
else
	bad "SIGSTOP/SIGCONT: the stream lives" "$why"
fi
finish
