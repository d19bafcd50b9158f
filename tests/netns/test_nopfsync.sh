#!/bin/sh
# test_nopfsync.sh — a rule with nopfsync (pf's no-sync) on the real HA
# pair (tests/netns/ha_lib.sh): real daemons, CARP and conntrackd.
#
# Both nodes get a quick pass rule with nopfsync=1 for TCP to port
# $NOSYNC_PORT on lan, before the default LAN allow rule. Two TCP streams
# go lan -> wan through NAT: one to $NORMAL_PORT (replicated), one to
# $NOSYNC_PORT (not). fw1 (sync 11.11.0.1, the lower address) marks its
# nopfsync states 0x80000000, fw2 0x40000000. The events:
#   1. fw1 -> fw2: the normal flow moves; the nopfsync one was never sent.
#   2. fw2 -> fw1: fw1's own nopfsync state survived (its MASTER sequence
#      deletes only the peer's bit) and the stream resumes; fw1's resync
#      and bulk send put the nopfsync state in fw2's external cache.
#   3. fw1 -> fw2: fw2 commits that state and deletes it (the peer's bit):
#      `conntrack -L` on fw2 lacks it and its stream moves no data, while
#      the normal stream lives on without a reset.
# Prints "PASS name" or "FAIL name: reason", then "N passed, N failed".
# Root only.
set -u
cd "$(dirname "$0")/../.." || exit 1
if [ "$(id -u)" != 0 ] || ! ip netns list >/dev/null 2>&1; then
	echo "SKIPPED: needs root (network namespaces)"
	exit 0
fi
for t in conntrack conntrackd curl python3; do
	command -v $t >/dev/null || { echo "SKIPPED: $t missing (make deps)";
	    exit 0; }
done
HA_ROOT=$PWD
HA_P=twnps$$
HA_RUN=$(mktemp -d /tmp/tw-nps.XXXXXX)
. tests/netns/ha_lib.sh
NORMAL_PORT=5001
NOSYNC_PORT=5002
. tests/netns/ha_test.sh

# field PORT NAME: a field of the client's status for the stream to PORT.
field() {
	python3 -c 'import json,sys; v=json.load(open(sys.argv[1])).get(sys.argv[2]); print("null" if v is None else v)' \
	    "$HA_RUN/stream$1.json" "$2" 2>/dev/null || echo "?"
}

# flows PORT SECS: the stream to PORT echoes 10 more lines within SECS
# and has no error. 0, or 1 with the reason in $why.
flows() {
	base=$(field "$1" recv)
	end=$(($(date +%s) + $2))
	while [ "$(date +%s)" -le $end ]; do
		if [ "$(field "$1" error)" != null ]; then
			why="stream $1 died: $(field "$1" error)"
			return 1
		fi
		now=$(field "$1" recv)
		if [ "$now" != "?" ] && [ "$base" != "?" ] &&
		    [ "$now" -gt $((base + 10)) ]; then
			return 0
		fi
		sleep 0.1
	done
	why="stream $1 stalled: recv $base -> $(field "$1" recv)"
	return 1
}

# stalled PORT SECS: the stream to PORT echoes nothing for SECS, no reset.
stalled() {
	base=$(field "$1" recv)
	sleep "$2"
	now=$(field "$1" recv)
	err=$(field "$1" error)
	if [ "$now" = "$base" ] && [ "$now" != "?" ] && [ "$err" = null ]; then
		return 0
	fi
	why="stream $1: recv $base -> $now in $2 s, error $err"
	return 1
}

# ct N PORT: fwN's kernel conntrack entries of TCP to the wan host PORT.
ct() { ha_x fw$1 conntrack -L -p tcp --dport "$2" 2>/dev/null; }
# cache N PORT: the same in fwN's conntrackd external cache.
cache() {
	ha_x fw$1 conntrackd -C "$HA_RUN/fw$1/rendered/conntrackd.conf" -e \
	    2>/dev/null | grep "dport=$2 "
}
# waitfor SECS CMD...: until CMD succeeds (0) or SECS pass (1).
waitfor() {
	end=$(($(date +%s) + $1))
	shift
	while [ "$(date +%s)" -le $end ]; do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
has_cache() { cache "$1" "$2" >/dev/null; }

# --- the pair ------------------------------------------------------------
t0=$(date +%s)
if ! ha_topo_up; then
	bad setup "cannot build the topology"
	finish
fi
for n in 1 2; do
	if ! ha_daemon_start $n; then
		bad setup "twinwall on fw$n did not start: $(tail -n 3 \
"$HA_RUN/fw$n.log")"
		finish
	fi
done
for n in 1 2; do
	if ! out=$(ha_configure $n 2>&1); then
		bad setup "configuring fw$n through the API: $out"
		finish
	fi
done

# The nopfsync rule, just before the default LAN allow rule, on both.
addrule() {
	first=$(ha_api "$1" POST firewall/filter/search_rule \
	    '{"current":1,"rowCount":-1}' | python3 -c 'import json, sys
print([r["uuid"] for r in json.load(sys.stdin)["rows"]
    if r["description"] == "Default allow LAN to any rule"][0])') &&
	    uuid=$(ha_api "$1" POST firewall/filter/add_rule "{\"rule\":{
	    \"action\":\"pass\",\"interface\":\"lan\",\"direction\":\"in\",
	    \"ipprotocol\":\"inet\",\"protocol\":\"tcp\",\"source_net\":\"any\",
	    \"destination_net\":\"any\",\"destination_port\":\"$NOSYNC_PORT\",
	    \"nopfsync\":\"1\",\"description\":\"lan: no state sync\"}}" |
	    python3 -c 'import json, sys; print(json.load(sys.stdin)["uuid"])') &&
	    ha_api "$1" POST "firewall/filter/move_rule_before/$uuid/$first" \
	    '{}' >/dev/null &&
	    ha_api "$1" POST firewall/filter/apply '{}' >/dev/null
}
for n in 1 2; do
	bit=$([ $n = 1 ] && echo 0x80000000 || echo 0x40000000)
	peer=$([ $n = 1 ] && echo 0x40000000 || echo 0x80000000)
	if ! addrule $n; then
		bad "fw$n: nopfsync rule added and applied" "API call failed"
		finish
	fi
	rs=$(ha_x fw$n nft list table inet twinwall)
	# nft lists the guard's mask as a prefix: 0x40000000/2.
	if echo "$rs" | grep -q "tcp dport $NOSYNC_PORT ct mark set ct mark | $bit ct event set destroy accept" &&
	    echo "$rs" | grep -q "ct mark $peer/2 drop"
	then
		ok "fw$n: nopfsync rule marks $bit, drops the peer's $peer"
	else
		bad "fw$n: nopfsync rule marks $bit, drops the peer's $peer" \
		    "$(echo "$rs" | grep -E "ct mark|lan0" | head -n 6)"
	fi
done
if ha_wait_holder fw1 20; then
	ok "setup (fw1 holds both VIPs, fw2 backup)"
else
	bad setup "fw1 does not hold both VIPs: $(ha_where)"
	finish
fi

# The streams: the wan host echoes on both ports, the lan host counts.
for p in $NORMAL_PORT $NOSYNC_PORT; do
	ip netns exec "$(ha_ns wan)" python3 tests/netns/ha_stream.py server \
	    $p > "$HA_RUN/server$p.log" 2>&1 &
done
for p in $NORMAL_PORT $NOSYNC_PORT; do ha_listening wan $p; done
for p in $NORMAL_PORT $NOSYNC_PORT; do
	ip netns exec "$(ha_ns lan)" python3 tests/netns/ha_stream.py client \
	    $HA_WAN_HOST $p "$HA_RUN/stream$p.json" > "$HA_RUN/client$p.log" \
	    2>&1 &
done
waitfor 5 test -s "$HA_RUN/stream$NOSYNC_PORT.json"
if flows $NORMAL_PORT 8 && flows $NOSYNC_PORT 8; then
	ok "both streams flow lan -> wan through NAT"
else
	bad "both streams flow lan -> wan through NAT" "$why"
	finish
fi
# mark=2147483648 is 0x80000000: fw1's bit; the normal flow has none.
if ct 1 $NOSYNC_PORT | grep -q "mark=2147483648 " &&
    ct 1 $NORMAL_PORT | grep -q "mark=0 "; then
	ok "fw1: the nopfsync state carries fw1's mark, the other none"
else
	bad "fw1: the nopfsync state carries fw1's mark, the other none" \
	    "$(ct 1 $NOSYNC_PORT; ct 1 $NORMAL_PORT)"
fi
# No live events: fw2 learns the normal flow, never the nopfsync one.
if waitfor 5 has_cache 2 $NORMAL_PORT && sleep 1 &&
    ! has_cache 2 $NOSYNC_PORT; then
	ok "fw2's external cache holds the normal flow, not the nopfsync one"
else
	bad "fw2's external cache holds the normal flow, not the nopfsync one" \
	    "normal: $(cache 2 $NORMAL_PORT | head -c 200) nopfsync: \
$(cache 2 $NOSYNC_PORT | head -c 200)"
fi

# --- 1. fw1 -> fw2 -------------------------------------------------------
ha_port sww p1 down
if ha_wait_holder fw2 10 && flows $NORMAL_PORT 8; then
	ok "1 fw1 -> fw2: the normal stream moved, no reset"
else
	bad "1 fw1 -> fw2: the normal stream moved, no reset" \
	    "${why:-} $(ha_where)"
fi
if stalled $NOSYNC_PORT 2 && [ -z "$(ct 2 $NOSYNC_PORT)" ]; then
	ok "1 fw1 -> fw2: the nopfsync stream did not move"
else
	bad "1 fw1 -> fw2: the nopfsync stream did not move" \
	    "${why:-} fw2: $(ct 2 $NOSYNC_PORT)"
fi

# --- 2. fw2 -> fw1: fw1's own nopfsync state survives --------------------
ha_port sww p1 up
if ha_wait_holder fw1 20 && flows $NORMAL_PORT 8; then
	ok "2 fw2 -> fw1: the normal stream moved back, no reset"
else
	bad "2 fw2 -> fw1: the normal stream moved back, no reset" \
	    "${why:-} $(ha_where)"
fi
# TCP backs off while the stream is stalled: allow a few seconds.
if flows $NOSYNC_PORT 15 && ct 1 $NOSYNC_PORT | grep -q "mark=2147483648 "
then
	ok "2 fw2 -> fw1: fw1's own nopfsync state survived, the stream resumed"
else
	bad "2 fw2 -> fw1: fw1's own nopfsync state survived, the stream resumed" \
	    "${why:-} fw1: $(ct 1 $NOSYNC_PORT)"
fi
# What the delete is for: fw1's resync + bulk send shipped it to fw2.
if waitfor 5 has_cache 2 $NOSYNC_PORT; then
	ok "2 fw1's bulk send put the nopfsync state in fw2's external cache"
else
	bad "2 fw1's bulk send put the nopfsync state in fw2's external cache" \
	    "$(cache 2 $NOSYNC_PORT)"
fi

# --- 3. fw1 -> fw2: fw2 commits it and deletes it -------------------------
n0=$(grep -c "states of the peer's nopfsync rules deleted" "$HA_RUN/fw2.log")
ha_port sww p1 down
if ha_wait_holder fw2 10 && flows $NORMAL_PORT 8; then
	ok "3 fw1 -> fw2: the normal stream moved, no reset"
else
	bad "3 fw1 -> fw2: the normal stream moved, no reset" \
	    "${why:-} $(ha_where)"
fi
# The MASTER sequence ran (its log line), then fw2's table is checked.
gone() {
	[ "$(grep -c "states of the peer's nopfsync rules deleted" \
	    "$HA_RUN/fw2.log")" -gt "$n0" ]
}
waitfor 10 gone
if ct 2 $NORMAL_PORT | grep -q "dport=$NORMAL_PORT" &&
    [ -z "$(ct 2 $NOSYNC_PORT)" ]; then
	ok "3 fw2's table: the normal flow, not the nopfsync one ($(grep \
"nopfsync rules deleted" "$HA_RUN/fw2.log" | tail -n 1 | sed 's/.*: //'))"
else
	bad "3 fw2's table: the normal flow, not the nopfsync one" \
	    "normal: $(ct 2 $NORMAL_PORT | head -c 200) nopfsync: \
$(ct 2 $NOSYNC_PORT | head -c 200)"
fi
if stalled $NOSYNC_PORT 3; then
	ok "3 the nopfsync stream carries no data through fw2"
else
	bad "3 the nopfsync stream carries no data through fw2" "$why"
fi
if flows $NORMAL_PORT 5; then
	ok "3 the normal stream still flows through fw2"
else
	bad "3 the normal stream still flows through fw2" "$why"
fi
echo "# took $(($(date +%s) - t0)) s"
finish
