#!/bin/sh
# bench_upstream.sh — `make bench`: CARP demotion when every upstream is
# down (hasync demoteupstream, appliance/carp/upstream.h), on the HA pair
# of tests/netns/ha_lib.sh with the upstream monitored as in
# tests/netns/test_ha_upstream.sh.
#
#   The WAN switch starts dropping every frame between fw1's port and the
#   ISP's (fw1's link stays up, its CARP to fw2 too). The clock starts at
#   that death; the row is the time until a 20 ms ping from the lan host
#   to the wan host (through the LAN VIP and NAT to the WAN VIP) is
#   answered again, now through fw2. Beside it, the figure derived from
#   the holds, measured in the same run: the hold_down fw1's status
#   reports + one CARP advertisement interval (advbase 1 s); and, sampled
#   from fw1's API every 100 ms, when WAN_GW first said down (the
#   monitor's verdict, which the hold follows) and when fw1 said it was
#   demoted.
#   Rows: the fastest probe settings (1 s, loss 1 s, 3 s window), then the
#   seed's default ones (1 s, loss 4 s, 60 s), after a full window of good
#   probes as in service.
# Root only; figures are reported, not failed.
set -u
cd "$(dirname "$0")/../.." || exit 1
if [ "$(id -u)" != 0 ] || ! ip netns list >/dev/null 2>&1; then
	echo "SKIPPED bench_upstream: needs root (network namespaces)"
	exit 0
fi
for t in conntrackd curl python3 nft; do
	command -v $t >/dev/null || { echo "SKIPPED bench_upstream: $t \
missing (make deps)"; exit 0; }
done
HA_ROOT=$PWD
HA_P=twbu$$
HA_RUN=$(mktemp -d /tmp/tw-bench-up.XXXXXX)
. tests/netns/ha_lib.sh
ADVBASE=1

cleanup() {
	trap - EXIT INT TERM
	for f in "$HA_RUN/ping.pid" "$HA_RUN/verdict.pid"; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	ha_daemon_kill 1
	ha_daemon_kill 2
	ha_topo_down
	rm -rf "$HA_RUN"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# verdict_start: in the background, fw1's gateway status and its
# upstream demotion sampled every 100 ms; verdict_end T0 prints "DOWN
# DEMOTED": when WAN_GW first said down and when fw1 first said it was
# demoted, from T0 ("?" for never).
verdict_start() {
	set -- $(ha_key 1)
	ha_x fw1 python3 - "http://127.0.0.1:$HA_PORT" "$1" "$2" \
	    > "$HA_RUN/verdict" 2>/dev/null <<'PY' &
import base64, json, sys, time, urllib.request
url, key, secret = sys.argv[1:4]
auth = "Basic " + base64.b64encode(("%s:%s" % (key, secret)).encode()).decode()
def get(path):
    req = urllib.request.Request(url + "/api/" + path,
                                 headers={"Authorization": auth})
    return json.load(urllib.request.urlopen(req, timeout=2))
seen = {}
end = time.time() + 150
while time.time() < end and len(seen) < 2:
    try:
        if "down" not in seen and any(
                i["name"] == "WAN_GW" and i["status"] == "down"
                for i in get("routes/gateway/status")["items"]):
            seen["down"] = time.time()
        if "demoted" not in seen and get(
                "diagnostics/interface/get_vip_status")["upstream"]["demoted"]:
            seen["demoted"] = time.time()
    except (OSError, ValueError, KeyError):
        pass
    time.sleep(0.1)
print(seen.get("down", "?"), seen.get("demoted", "?"))
PY
	echo $! > "$HA_RUN/verdict.pid"
}
verdict_end() {
	wait "$(cat "$HA_RUN/verdict.pid")" 2>/dev/null
	python3 -c 'import sys
t0 = float(sys.argv[1])
print(" ".join("%.1f" % (float(v) - t0) if v != "?" else "?"
               for v in sys.argv[2:4]))' "$1" $(cat "$HA_RUN/verdict" \
	    2>/dev/null || echo "? ?")
}

# row LABEL: one measurement; fw1 holds both VIPs, both upstreams up.
row() {
	ip netns exec "$(ha_ns lan)" ping -D -n -i 0.02 -W 1 $HA_WAN_HOST \
	    > "$HA_RUN/ping.out" 2>&1 &
	echo $! > "$HA_RUN/ping.pid"
	sleep 1
	hold=$(ha_vip_status 1 'd["upstream"]["hold_down_s"]')
	verdict_start
	t0=$(date +%s.%N)
	ha_cut_upstream
	ha_wait_holder fw2 $(( ${hold%.*} + 40 )) || echo "bench_upstream: \
$1: fw2 does not hold both VIPs: $(ha_where)"
	sleep 1
	kill -INT "$(cat "$HA_RUN/ping.pid")" 2>/dev/null
	wait "$(cat "$HA_RUN/ping.pid")" 2>/dev/null
	rm -f "$HA_RUN/ping.pid"
	verdict=$(verdict_end "$t0")
	python3 - "$HA_RUN/ping.out" "$t0" "$1" "$hold" "$ADVBASE" \
	    $verdict <<'PY'
import re, sys
t0, label = float(sys.argv[2]), sys.argv[3]
hold, adv = float(sys.argv[4]), float(sys.argv[5])
verdict, demoted = sys.argv[6], sys.argv[7]
# echo replies only: fw1 answers "Destination Host Unreachable" for the
# same icmp_seq once its neighbour entry for the wan host fails
ts = [float(m.group(1)) for m in (re.match(
      r"\[(\d+\.\d+)\] \d+ bytes from .*icmp_seq=", l)
      for l in open(sys.argv[1])) if m]
# the first reply after the death (replies in flight at t0 excluded)
after = [t for t in ts if t > t0 + 0.2]
got = "%.2f" % (after[0] - t0) if after else "none"
after = "" if verdict == "?" else "; verdict + hold_down + advert = " \
    "%.1f s" % (float(verdict) + hold + adv)
print("%-34s %8s s   derived: hold_down %.0f s + advert %.0f s = %.0f s%s"
      "   (gateway down at %s s, fw1 demoted at %s s)" % (label, got, hold,
      adv, hold + adv, after, verdict, demoted))
PY
	# what fw1's timeline says, newest first
	ha_api 1 GET "core/hasync_status/timeline?limit=4" 2>/dev/null |
	    python3 -c 'import json, sys
for r in json.load(sys.stdin)["rows"]:
    print("#   fw1 timeline: %s -> %s %s" % (r["from"], r["to"], r["cause"][:90]))' \
	    2>/dev/null
}

# --- the pair ---------------------------------------------------------------
ha_topo_up || { echo "bench_upstream: no topology"; exit 0; }
for n in 1 2; do
	ha_daemon_start $n || { echo "bench_upstream: fw$n did not start"
		exit 0; }
done
for n in 1 2; do
	ha_configure $n >/dev/null || { echo "bench_upstream: configure fw$n"
		exit 0; }
done
ha_wait_holder fw1 20 || { echo "bench_upstream: fw1 not master: \
$(ha_where)"; exit 0; }
for n in 1 2; do
	ha_monitor_wan $n 1 1 3 && ha_demoteupstream $n 1 || { echo "bench_upstream: \
demoteupstream on fw$n failed"; exit 0; }
done
ha_wait_vip_status 1 '(d["upstream"]["local"], d["upstream"]["peer"])' \
    "('up', 'up')" 20 || echo "bench_upstream: upstream not up on fw1"

echo "bench_upstream: fw1's upstream path dies (link up) -> traffic via fw2"
row "fastest (1 s, loss 1 s, 3 s)"

# back to fw1: the path mended, the lift hold, preempt
ha_mend_upstream
ha_wait_holder fw1 60 || { echo "bench_upstream: the VIPs did not come \
back to fw1: $(ha_where)"; exit 0; }
for n in 1 2; do
	ha_monitor_wan $n 1 4 60 || { echo "bench_upstream: default probes on fw$n"
		exit 0; }
done
# a full window of good probes first, as in service
sleep 61
ha_wait_vip_status 1 '(d["upstream"]["local"], d["upstream"]["peer"], d["upstream"]["demoted"])' \
    "('up', 'up', False)" 60 && ha_wait_holder fw1 60 ||
    echo "bench_upstream: default row: fw1 not ready: $(ha_where)"
row "default (1 s, loss 4 s, 60 s)"
