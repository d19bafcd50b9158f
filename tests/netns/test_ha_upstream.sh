#!/bin/sh
# test_ha_upstream.sh — hasync demoteupstream ("demote CARP when every
# upstream gateway is down", appliance/carp/upstream.h) on the HA pair of
# tests/netns/ha_lib.sh: real daemons, real CARP, real ICMP probes.
#
# Both firewalls' upstream gateway is WAN_GW, the wan host (the ISP's
# router), probed at the fastest settings (1 s, loss after 1 s, 3 s
# window: hold 4 s to demote, 8 s to lift, derived from them).
#   - fw1's path to the ISP dies while its WAN link stays up (the WAN
#     switch drops frames between fw1's port and the ISP's): every VIP
#     moves to fw2, not before the hold; status, timeline and log say why;
#   - the path comes back: the VIPs come back to fw1 (preempt), not
#     before the lift hold, and stay there;
#   - the ISP dies for both: nothing moves over a window longer than the
#     hold (sampled every 10 ms), neither node demotes;
#   - opt-in off, fw1's path dies: nothing moves;
#   - demoteupstream without liveness hellos is refused, naming the field.
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
HA_P=twu$$
HA_RUN=$(mktemp -d /tmp/tw-upstream.XXXXXX)
. tests/netns/ha_lib.sh
. tests/netns/ha_test.sh
HOLD_DOWN=4
HOLD_UP=8

tl_causes() {
	ha_api "$1" GET "core/hasync_status/timeline?limit=20" 2>/dev/null |
	    python3 -c 'import json,sys
for r in json.load(sys.stdin)["rows"]: print(r["from"], "->", r["to"], r["cause"])' \
	    2>/dev/null
}
# took T0 NS TIMEOUT: seconds from T0 (epoch) until fwNS holds both VIPs,
# sampled every 10 ms; "timeout".
took() {
	python3 - "$1" "$(ha_ns "$2")" "$3" $HA_LAN_VIP $HA_WAN_VIP <<'PY'
import json, subprocess, sys, time
t0, ns, tmo = float(sys.argv[1]), sys.argv[2], float(sys.argv[3])
vips = set(sys.argv[4:])
while time.time() - t0 < tmo:
    j = json.loads(subprocess.run(["ip", "-n", ns, "-j", "-4", "addr", "show", "up"],
        capture_output=True, text=True).stdout or "[]")
    h = {a.get("local") for d in j if "LOWER_UP" in d.get("flags", [])
         for a in d.get("addr_info", [])} & vips
    if h == vips:
        print("%.3f" % (time.time() - t0))
        sys.exit(0)
    time.sleep(0.01)
print("timeout")
PY
}
between() { awk -v a="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(a != "timeout" && a + 0 >= lo + 0 && a + 0 <= hi + 0) }'; }
# still SECONDS: samples both VIPs every 10 ms (ha_dual.py); prints
# "CHANGES DUAL LANHOLDER WANHOLDER" (changes after the first sample).
still() {
	python3 tests/netns/ha_dual.py "$(ha_ns fw1)" "$(ha_ns fw2)" "$1" \
	    "$HA_RUN/dual.json" $HA_LAN_VIP $HA_WAN_VIP
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
print(len(d["changes"]) - len(sys.argv[2:]), d["dual"], d["holders"].get(sys.argv[2], "?"),
      d["holders"].get(sys.argv[3], "?"))' "$HA_RUN/dual.json" \
	    $HA_LAN_VIP $HA_WAN_VIP 2>/dev/null || echo "? ? ? ?"
}
# The ISP itself dies (for both): its router drops everything.
isp_dead() {
	ha_x wan nft -f - <<'EOF'
table inet dead {
	chain input { type filter hook input priority -10; policy drop; }
}
EOF
}
isp_back() { ha_x wan nft delete table inet dead; }


# --- the pair -------------------------------------------------------------
T_START=$(date +%s)
ha_topo_up || { bad setup "cannot build the topology"; finish; }
for n in 1 2; do
	ha_daemon_start $n || { bad setup "fw$n did not start"; finish; }
done
for n in 1 2; do
	out=$(ha_configure $n 2>&1) || { bad setup "configure fw$n: $out";
	    finish; }
done
ha_wait_holder fw1 20 || { bad setup "fw1 does not hold both VIPs: \
$(ha_where)"; finish; }
for n in 1 2; do
	ha_monitor_wan $n 1 1 3 ||
	    { bad setup "gateway monitoring on fw$n"; finish; }
	ha_demoteupstream $n 1 || { bad setup "demoteupstream on fw$n"; finish; }
done
# Both see their upstream up and hear the peer's up.
if ha_wait_vip_status 1 '(d["upstream"]["local"], d["upstream"]["peer"])' \
    "('up', 'up')" 15 && ha_wait_vip_status 2 \
    '(d["upstream"]["local"], d["upstream"]["peer"])' "('up', 'up')" 5; then
	ok "setup: both upstreams up, each hears the peer's"
else
	bad setup "upstream: fw1 $(ha_vip_status 1 'd["upstream"]') fw2 \
$(ha_vip_status 2 'd["upstream"]')"
	finish
fi
r=$(ha_vip_status 1 '(d["upstream"]["enabled"], d["upstream"]["demoted"], d["upstream"]["hold_down_s"], d["upstream"]["hold_up_s"])')
check "holds derived from the probe settings, visible ($r)" \
    test "$r" = "(True, False, $HOLD_DOWN.0, $HOLD_UP.0)"

# Refused without the liveness channel, naming the field.
set -- $(ha_key 2)
code=$(ha_x fw2 curl -s -o "$HA_RUN/v.json" -w '%{http_code}' -u "$1:$2" \
    -H 'Content-Type: application/json' -X POST \
    -d '{"hasync":{"livenessenabled":"0","demoteupstream":"1"}}' \
    "http://127.0.0.1:$HA_PORT/api/core/hasync/set")
if [ "$code" = 200 ] && grep -q '"result":"failed"' "$HA_RUN/v.json" &&
    grep -q demoteupstream "$HA_RUN/v.json"; then
	ok "demoteupstream without liveness refused, naming the field"
else
	bad "demoteupstream without liveness refused" \
	    "HTTP $code $(cat "$HA_RUN/v.json")"
fi

# --- fw1 loses its upstream path, fw2 still reaches it --------------------
t0=$(date +%s.%N)
ha_cut_upstream
t=$(took "$t0" fw2 20)
# Probe verdict (about 2 s) + hold (4 s) + one CARP advert; never sooner
# than the hold.
if between "$t" $HOLD_DOWN 12 && ha_wait_holder fw2 3; then
	ok "fw1's upstream dead: every VIP on fw2 after $t s (hold $HOLD_DOWN s)"
else
	bad "fw1's upstream dead: VIPs to fw2" "took $t s; $(ha_where)"
fi
r=$(ha_vip_status 1 '(d["upstream"]["local"], d["upstream"]["peer"], d["upstream"]["demoted"], d["carp"]["demotion"])')
check "fw1 demoted for its upstream ($r)" test "$r" = "('down', 'up', True, '240')"
msg=$(ha_vip_status 1 'd["carp"]["status_msg"]')
check "status_msg says why ($msg)" sh -c "echo \"\$1\" | grep -q \
'every upstream gateway is down and the peer.s upstream is up'" _ "$msg"
check "fw1's timeline: the upstream demotion" sh -c "echo \"\$1\" | grep -q \
'demotion 0 -> demotion 240 upstream: every upstream gateway is down'" _ \
    "$(tl_causes 1)"
check "fw1's log: the upstream demotion" grep -q \
    "carp: demoting this node (240): every upstream gateway is down" \
    "$HA_RUN/fw1.log"
r=$(ha_vip_status 2 '(d["upstream"]["local"], d["upstream"]["peer"], d["upstream"]["demoted"])')
check "fw2 sees its upstream up and fw1's down ($r)" \
    test "$r" = "('up', 'down', False)"

# --- the path comes back: back to fw1 (preempt), after the lift hold ------
t0=$(date +%s.%N)
ha_mend_upstream
t=$(took "$t0" fw1 30)
if between "$t" $HOLD_UP 20 && ha_wait_holder fw1 3; then
	ok "fw1's upstream back: every VIP back on fw1 after $t s (hold $HOLD_UP s)"
else
	bad "fw1's upstream back: VIPs to fw1" "took $t s; $(ha_where)"
fi
r=$(ha_vip_status 1 '(d["upstream"]["demoted"], d["carp"]["demotion"])')
check "fw1's demotion lifted ($r)" test "$r" = "(False, '0')"

# --- the ISP dies for both: nothing moves --------------------------------
isp_dead
# Longer than verdict + hold + a CARP advert, sampled every 10 ms.
r=$(still $((HOLD_DOWN + 6)))
check "ISP dead for both: no VIP moves over $((HOLD_DOWN + 6)) s (changes \
dual lan wan: $r)" test "$r" = "0 0 fw1 fw1"
r=$(ha_vip_status 1 '(d["upstream"]["local"], d["upstream"]["peer"], d["upstream"]["demoted"], d["carp"]["demotion"])')
check "fw1: both upstreams down, not demoted ($r)" \
    test "$r" = "('down', 'down', False, '0')"
r=$(ha_vip_status 2 '(d["upstream"]["local"], d["upstream"]["peer"], d["upstream"]["demoted"])')
check "fw2: both upstreams down, not demoted ($r)" \
    test "$r" = "('down', 'down', False)"
isp_back
ha_wait_vip_status 1 'd["upstream"]["local"]' up 10
ha_wait_vip_status 2 'd["upstream"]["local"]' up 5

# --- opt-in off: fw1's path dies, nothing moves ----------------------------
ha_demoteupstream 1 0 && ha_demoteupstream 2 0 || bad "demoteupstream off" "refused"
ha_cut_upstream
r=$(still $((HOLD_DOWN + 5)))
check "opt-in off, fw1's upstream dead: no VIP moves (changes dual lan wan: \
$r)" test "$r" = "0 0 fw1 fw1"
r=$(ha_vip_status 1 '(d["upstream"]["enabled"], d["upstream"]["local"], d["upstream"]["demoted"], d["carp"]["demotion"])')
check "fw1: off, upstream down, not demoted ($r)" \
    test "$r" = "(False, 'down', False, '0')"
ha_mend_upstream
echo "# wall time $(($(date +%s) - T_START)) s"
finish
