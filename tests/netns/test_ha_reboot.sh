#!/bin/sh
# test_ha_reboot.sh — the master of the HA pair reboots (tests/netns/
# ha_lib.sh: real daemons, CARP, conntrackd).
#
# fw1 (MASTER) is killed with every process of its namespace, as a power
# cut leaves it; its kernel state (ruleset, addresses, routes, the CARP
# devices) is flushed, its links stay up. fw2 takes the VIPs; fw1 starts
# again. A watcher samples fw1 every 10 ms: it must never hold a VIP
# while its ruleset is absent. A 20 ms ping lan -> wan runs throughout:
# after fw2 took over, and when fw1 preempts back, at most one reply may
# be lost.
# Prints "PASS name" or "FAIL name: reason", then "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
if [ "$(id -u)" != 0 ] || ! ip netns list >/dev/null 2>&1; then
	echo "SKIPPED: needs root (network namespaces)"
	exit 0
fi
for t in conntrackd curl python3 ping; do
	command -v $t >/dev/null || { echo "SKIPPED: $t missing (make deps)";
	    exit 0; }
done
HA_ROOT=$PWD
HA_P=twhr$$
HA_RUN=$(mktemp -d /tmp/tw-hr.XXXXXX)
. tests/netns/ha_lib.sh
. tests/netns/ha_test.sh

PINGLOG=$HA_RUN/ping.log
ha_topo_up || { bad setup "topology"; finish; }
for n in 1 2; do
	ha_daemon_start $n || { bad setup "daemon fw$n did not start"; finish; }
	ha_configure $n > "$HA_RUN/setup$n.log" 2>&1 ||
	    { bad setup "configure fw$n: $(tail -2 "$HA_RUN/setup$n.log")"; finish; }
done
check pair_up_fw1_master ha_wait_holder fw1 15

# A 20 ms ping, timestamped, for the whole test.
ha_x lan ping -D -n -i 0.02 $HA_WAN_HOST > "$PINGLOG" 2>&1 &
PING=$!

# lost FROM_EPOCH: "LOST GAP": the echo requests sent after FROM_EPOCH
# that got no reply (by icmp_seq: a reply delayed by a busy machine is
# not lost), and the longest gap between replies, for the log.
lost() {
	python3 - "$PINGLOG" "$1" <<'EOF'
import re, sys
r = [(float(m.group(1)), int(m.group(2))) for m in
     (re.match(r"\[(\d+\.\d+)\].*icmp_seq=(\d+)", l)
      for l in open(sys.argv[1])) if m]
after = [x for x in r if x[0] >= float(sys.argv[2])]
got = {s for _, s in after}
lost = [s for s in range(after[0][1], after[-1][1]) if s not in got]
gap = max((b[0] - a[0] for a, b in zip(after, after[1:])), default=99)
print(len(lost), "%.3f" % gap)
EOF
}

# --- power cut on fw1 ---------------------------------------------------
t_power_cut() {
	for p in $(ip netns pids "$(ha_ns fw1)"); do
		kill -9 "$p" 2>/dev/null
	done
	rm -f "$HA_RUN/fw1.pid"
	ha_x fw1 nft flush ruleset
	for d in $(ha_x fw1 ip -o link show | awk -F': ' '{ print $2 }' |
	    sed 's/@.*//' | grep '^twc'); do
		ha_x fw1 ip link del "$d"
	done
	for d in lan0 wan0 sync0; do
		ha_x fw1 ip addr flush dev "$d"
	done
	ha_x fw1 ip route flush table main
	ha_wait_holder fw2 10
}
check fw1_power_cut_fw2_takes_over t_power_cut
T_FW2=$(date +%s.%N)

# --- fw1 boots: never a VIP without its ruleset -------------------------
python3 tests/netns/ha_watch.py "$(ha_ns fw1)" 40 "$HA_RUN/watch.json" \
    $HA_LAN_VIP $HA_WAN_VIP &
WATCH=$!
sleep 0.3
t_boot() {
	ha_daemon_start 1 || { echo "fw1 did not start"; return 1; }
	ha_wait_holder fw1 20 || { echo "no preempt: $(ha_where)"; return 1; }
}
check fw1_boots_and_preempts_back t_boot
sleep 1
kill -TERM $WATCH 2>/dev/null
wait $WATCH 2>/dev/null

t_never_vip_without_ruleset() {
	python3 - "$HA_RUN/watch.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
print(r)
assert r["samples"] > 100, r
assert r["held_samples"] > 0, "fw1 never held the VIPs again"
assert r["violations"] == 0, r
EOF
}
check fw1_never_held_a_vip_without_its_ruleset t_never_vip_without_ruleset

t_traffic() {
	kill $PING 2>/dev/null
	sleep 0.2
	set -- $(lost "$T_FW2")
	echo "after fw2 took over: $1 ping(s) lost, longest gap $2 s"
	[ "$1" -le 1 ]
}
check ping_through_fw2_boot_and_preempt_loses_at_most_one t_traffic
set -- $(lost "$T_FW2")
echo "# after fw2 took over (fw1 boot, fw1 preempt): $1 lost, longest gap $2 s"

t_boot_status() {
	"$HA_BIN" status --data "$HA_RUN/fw1" | python3 -c '
import json, sys
s = json.load(sys.stdin)
assert s["boot"]["state"] == "ok", s["boot"]
print("boot apply in force %.2f s after start" % s["boot"]["seconds"])'
}
check fw1_boot_status_ok t_boot_status

finish
