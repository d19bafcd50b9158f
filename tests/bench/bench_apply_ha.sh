#!/bin/sh
# bench_apply_ha.sh — `make bench`: what a large apply on the MASTER does
# to its CARP adverts, as the BACKUP sees them (issue 13, item 3). The HA
# pair of tests/netns/ha_lib.sh (fw1 advskew 0, fw2 advskew 100, a VIP on
# lan and on wan); for each size fw1 is stopped, its configuration gets
# N filter rules and 20 aliases x 5,000 entries (the generator of
# bench_apply.py) by export + import, fw1 restarts, takes its VIPs back,
# and then applies the filter once more while a packet socket on fw2's
# lan0 notes every advert from fw1. Printed: the apply time, the longest
# interval between fw1's adverts around the apply, with its target
# advbase + advskew/256 + 0.05 s, and the transitions fw2 logged. Root
# only; a miss is reported, not failed. TW_BENCH_SIZES picks the sizes.
set -u
cd "$(dirname "$0")/../.." || exit 1
if [ "$(id -u)" != 0 ] || ! ip netns list >/dev/null 2>&1; then
	echo "SKIPPED bench_apply_ha: needs root (network namespaces)"
	exit 0
fi
HA_ROOT=$PWD
HA_P=twba$$
HA_RUN=$(mktemp -d /tmp/tw-bench-ha.XXXXXX)
. tests/netns/ha_lib.sh
SIZES=${TW_BENCH_SIZES:-10000 50000 100000}
GAP=$HA_ROOT/tests/bench/advert_gap.py
TARGET=1.05	# advbase 1 + advskew 0/256 + 0.05
ROWS=$HA_RUN/rows
CAP=""

cleanup() {
	trap - EXIT INT TERM
	[ -n "$CAP" ] && kill "$CAP" 2>/dev/null
	ha_daemon_kill 1
	ha_daemon_kill 2
	ha_topo_down
	rm -rf "$HA_RUN"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

now() { python3 -c 'import time; print("%.6f" % time.time())'; }

ha_topo_up || { echo "bench_apply_ha: no topology"; exit 1; }
for n in 1 2; do
	ha_daemon_start $n || { echo "bench_apply_ha: fw$n did not start"
	    exit 1; }
done
for n in 1 2; do
	ha_configure $n >/dev/null || { echo "bench_apply_ha: configure fw$n"
	    exit 1; }
done
ha_wait_holder fw1 30 || { echo "bench_apply_ha: fw1 not master: $(ha_where)"
    exit 1; }
ha_daemon_kill 1
"$HA_BIN" export --data "$HA_RUN/fw1" "$HA_RUN/fw1.json" >/dev/null 2>&1 ||
    { echo "bench_apply_ha: export"; exit 1; }
: > "$ROWS"
for size in $SIZES; do
	ha_daemon_kill 1
	python3 - "$HA_RUN/fw1.json" "$size" "$HA_RUN/big.json" <<'PY' || exit 1
import json, sys
sys.path.insert(0, "tests/bench")
import bench_apply as b
snap = json.load(open(sys.argv[1]))
sec = snap["sections"]
sec["aliases"] = sec["aliases"] + [
    {"uuid": "%08d-0000-4000-8000-00000000ba5e" % a, "name": "bench%d" % a,
     "type": "host", "enabled": "1", "descr": "bench",
     "content": ",".join("10.%d.%d.%d" % (100 + a, k // 250, k % 250 + 1)
                         for k in range(b.NENTRIES))}
    for a in range(b.NALIASES)]
base = dict(sec["filter_rules"][0])
sec["filter_rules"] = sec["filter_rules"] + b.rules_for(base, int(sys.argv[2]))
json.dump(snap, open(sys.argv[3], "w"))
PY
	"$HA_BIN" import --data "$HA_RUN/fw1" "$HA_RUN/big.json" >/dev/null 2>&1 ||
	    { echo "bench_apply_ha: import $size"; exit 1; }
	rm -f "$HA_RUN/big.json"
	ha_daemon_start 1 || { echo "bench_apply_ha: fw1 restart"; exit 1; }
	ha_x fw1 "$HA_BIN" apply --data "$HA_RUN/fw1" vip hasync filter \
	    >/dev/null || { echo "bench_apply_ha: first apply $size"; exit 1; }
	ha_wait_holder fw1 60 || echo "bench_apply_ha: fw1 not back: $(ha_where)"
	sleep 3
	# ip netns exec execs python: $! is the capture itself.
	ip netns exec "$(ha_ns fw2)" python3 "$GAP" capture lan0 \
	    $HA_LAN_NET.231 "$HA_RUN/cap$size" &
	CAP=$!
	sleep 2
	m0=$(grep -c -- '-> MASTER' "$HA_RUN/fw2.log")
	t0=$(now)
	ha_x fw1 "$HA_BIN" apply --data "$HA_RUN/fw1" filter >/dev/null ||
	    echo "bench_apply_ha: apply $size failed"
	t1=$(now)
	sleep 4
	kill "$CAP" 2>/dev/null
	wait "$CAP" 2>/dev/null
	CAP=""
	m1=$(grep -c -- '-> MASTER' "$HA_RUN/fw2.log")
	ms=$(grep -oE 'apply \((control|cli)\): ok in [0-9]* ms' "$HA_RUN/fw1.log" |
	    tail -1 | awk '{ print $5 }')
	set -- $(python3 "$GAP" gap "$HA_RUN/cap$size" "$t0" "$t1") - -
	echo "$size|${ms:-?}|$1|$2|$((m1 - m0))|$(awk -v a="$t0" -v b="$t1" \
	    'BEGIN { printf "%.0f", (b - a) * 1000 }')" >> "$ROWS"
	ha_wait_holder fw1 60 >/dev/null 2>&1
done

echo
echo "apply on the MASTER: the longest interval between its CARP adverts" \
    "as the BACKUP saw them (target $TARGET s: advbase 1 + advskew 0/256 +" \
    "50 ms)"
printf '%8s %9s %9s %9s %8s %14s  %s\n' rules "apply ms" "CLI ms" "gap (s)" \
    adverts "fw2 -> MASTER" verdict
while IFS='|' read -r size ms gap cnt tr cli; do
	v=$(awk -v g="$gap" -v t=$TARGET \
	    'BEGIN { print (g + 0 <= t + 0) ? "met" : "MISSED" }')
	printf '%8s %9s %9s %9s %8s %14s  %s\n' "$size" "$ms" "$cli" "$gap" \
	    "$cnt" "$tr" "$v"
done < "$ROWS"
exit 0
