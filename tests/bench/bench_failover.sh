#!/bin/sh
# bench_failover.sh — `make bench`: the longest gap between replies of a
# 20 ms ping (lan host -> wan host, through NAT to the WAN VIP) across
# each seed scenario, on the HA pair of tests/netns/ha_lib.sh, printed
# as a table with its target. Then the anchor, measured in the same run
# on the same topology: keepalived (vrrp_sync_group LAN+WAN, VRIDs 47
# and 48, which no twinwall VHID uses) for S1 and S8 (its links cut
# first, then killed, so it cannot say goodbye either). S8 runs with the
# default liveness channel (50 ms x 3, appliance/carp/live.h); its CPU
# cost is the parent's utime+stime over 10 s idle with the channel on,
# beside the same with it off (the floor). Root only; a missed target
# is reported, not failed.
set -u
cd "$(dirname "$0")/../.." || exit 1
if [ "$(id -u)" != 0 ] || ! ip netns list >/dev/null 2>&1; then
	echo "SKIPPED bench_failover: needs root (network namespaces)"
	exit 0
fi
HA_ROOT=$PWD
HA_P=twb$$
HA_RUN=$(mktemp -d /tmp/tw-bench.XXXXXX)
. tests/netns/ha_lib.sh
ADVBASE=1
SKEW2=100
ROWS=$HA_RUN/rows

cleanup() {
	trap - EXIT INT TERM
	for f in "$HA_RUN"/*.kpid "$HA_RUN/ping.pid"; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	ha_daemon_kill 1
	ha_daemon_kill 2
	ha_topo_down
	rm -rf "$HA_RUN"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ping_start() {
	ip netns exec "$(ha_ns lan)" ping -D -n -i 0.02 -W 1 $HA_WAN_HOST \
	    > "$HA_RUN/ping.out" 2>&1 &
	echo $! > "$HA_RUN/ping.pid"
	sleep 1
}

# ping_stop: prints "GAP LOST" over the whole capture.
ping_stop() {
	sleep 1
	kill -INT "$(cat "$HA_RUN/ping.pid")" 2>/dev/null
	wait "$(cat "$HA_RUN/ping.pid")" 2>/dev/null
	rm -f "$HA_RUN/ping.pid"
	python3 - "$HA_RUN/ping.out" <<'EOF'
import re, sys
ts, seqs = [], []
for line in open(sys.argv[1]):
    m = re.match(r"\[(\d+\.\d+)\].*icmp_seq=(\d+)", line)
    if m:
        ts.append(float(m.group(1)))
        seqs.append(int(m.group(2)))
gap = max((b - a for a, b in zip(ts, ts[1:])), default=float("nan"))
lost = (max(seqs) - min(seqs) + 1 - len(set(seqs))) if seqs else -1
print("%.3f %d" % (gap, lost))
EOF
}

# measure NAME WHO TARGET CMD...: one row.
measure() {
	name=$1 who=$2 target=$3
	shift 3
	ping_start
	"$@"
	ha_wait_holder "$who" 30 || who="NOT $who ($(ha_where))"
	set -- $(ping_stop)
	echo "$name|$1|$2|$target|$who" >> "$ROWS"
}

carp() { ha_api "$1" POST "diagnostics/interface/carp_status/$2" >/dev/null; }
links() {
	ha_port swl p$1 "$2" && ha_port sww p$1 "$2" &&
	    ha_x fw$1 ip link set sync0 "$2"
}
s1_noisy() {
	ha_x lan ip link add twnz0 type veth peer name twnz1 &&
	    ha_x lan ip link set twnz0 up && ha_x lan ip link set twnz1 up
	sleep 0.3
	ha_port sww p1 down
	ha_x lan ip link del twnz0
}
kill_fw() { ha_daemon_kill "$1" KILL; links "$1" down; }
cut_kill_fw() { links "$1" down; ha_daemon_kill "$1" KILL; }
power_fw() {
	kill -STOP "$(cat "$HA_RUN/fw$1.pid")"
	ha_port swl p$1 down & c1=$!
	ha_port sww p$1 down & c2=$!
	ha_x fw$1 ip link set sync0 down & c3=$!
	wait $c1 $c2 $c3
	ha_daemon_kill "$1" KILL
}
revive_fw() {
	links "$1" up && ha_daemon_start "$1" && ha_configure "$1" >/dev/null
}

ha_topo_up || { echo "bench_failover: no topology"; exit 1; }
for n in 1 2; do
	ha_daemon_start $n || { echo "bench_failover: fw$n did not start";
	    exit 1; }
done
for n in 1 2; do
	ha_configure $n >/dev/null || { echo "bench_failover: configure fw$n";
	    exit 1; }
done
ha_wait_holder fw1 20 || echo "bench_failover: fw1 not master: $(ha_where)"
: > "$ROWS"
# The liveness channel's target: 3 x 50 ms detection + the takeover.
s8=0.3

# cpu_ms N: CPU (ms, all threads) of fwN's daemon over 10 s idle.
cpu_ms() {
	python3 - "$(cat "$HA_RUN/fw1.pid")" "$(cat "$HA_RUN/fw2.pid")" <<'PY'
import os, sys, time
hz = os.sysconf("SC_CLK_TCK")
def t(p):
    f = open("/proc/%s/stat" % p).read().rsplit(")", 1)[1].split()
    return int(f[11]) + int(f[12])
a = [t(p) for p in sys.argv[1:]]
time.sleep(10)
b = [t(p) for p in sys.argv[1:]]
print(" ".join("%d" % ((y - x) * 1000 // hz) for x, y in zip(a, b)))
PY
}
live_set() {	# live_set 0|1 on both nodes
	for n in 1 2; do
		ha_api $n POST core/hasync/set \
		    "{\"hasync\":{\"livenessenabled\":\"$1\"}}" >/dev/null &&
		    ha_api $n POST core/hasync/reconfigure '{}' >/dev/null
	done
	sleep 2
}
set -- $(cpu_ms)
cpu_on1=$1 cpu_on2=$2
live_set 0
set -- $(cpu_ms)
cpu_off1=$1 cpu_off2=$2
live_set 1
ha_wait_holder fw1 20

measure "S1 master WAN down" fw2 0.2 ha_port sww p1 down
measure "S2 master WAN restored" fw1 "no loss" ha_port sww p1 up
# The kernel tells of a carrier loss when linkwatch runs, at most once a
# second for a NIC: another link event on the host just before (here a
# veth pair brought up in the lan namespace) delays the news up to 1 s.
# The engine polls the carrier, so this must not cost more than S1.
ha_wait_holder fw1 20
measure "S1 after a link event" fw2 0.2 s1_noisy
ha_port sww p1 up; ha_wait_holder fw1 20
carp 1 maintenance/1; ha_wait_holder fw2 10
measure "S3 backup WAN down, active" fw1 0.2 ha_port sww p2 down
ha_port sww p2 up; carp 1 maintenance/0; ha_wait_holder fw1 20
measure "S4 master LAN down" fw2 0.2 ha_port swl p1 down
ha_port swl p1 up; ha_wait_holder fw1 20
measure "S5 temporary CARP disable" fw2 0.2 carp 1 disable
carp 1 enable; ha_wait_holder fw1 20
measure "S6 maintenance on" fw2 "no loss" carp 1 maintenance/1
measure "S6 maintenance off" fw1 "no loss" carp 1 maintenance/0
measure "S8 master dies" fw2 "$s8" kill_fw 1
revive_fw 1; ha_wait_holder fw1 30
# As keepalived's S8 below: the links cut first, so the dead node's
# kernel forwards nothing while the daemon's death is being noticed.
measure "S8 links cut, then killed" fw2 "$s8" cut_kill_fw 1
revive_fw 1; ha_wait_holder fw1 30
# Power loss: nothing announces and nothing forwards. Cut in that
# order, fw1 would see its carrier go and hand over by demotion (S4);
# frozen first, it cannot, and only the liveness channel tells fw2.
measure "S8 power loss (frozen, cut)" fw2 "$s8" power_fw 1
revive_fw 1; ha_wait_holder fw1 30

# The anchor: keepalived on the same pair (twinwall stopped; its
# ruleset, which passes protocol 112 and NATs to the VIP, stays).
ha_daemon_kill 1
ha_daemon_kill 2
if command -v keepalived >/dev/null; then
	for n in 1 2; do
		prio=$((n == 1 ? 150 : 100))
		cat > "$HA_RUN/ka$n.conf" <<EOF
global_defs {
	router_id fw$n
	enable_script_security
}
vrrp_sync_group G {
	group {
		LAN
		WAN
	}
}
vrrp_instance LAN {
	state BACKUP
	interface lan0
	virtual_router_id 47
	priority $prio
	advert_int $ADVBASE
	track_interface {
		lan0
		wan0
	}
	virtual_ipaddress {
		$HA_LAN_VIP/24 dev lan0
	}
}
vrrp_instance WAN {
	state BACKUP
	interface wan0
	virtual_router_id 48
	priority $prio
	advert_int $ADVBASE
	track_interface {
		lan0
		wan0
	}
	virtual_ipaddress {
		$HA_WAN_VIP/24 dev wan0
	}
}
EOF
		ip netns exec "$(ha_ns fw$n)" keepalived -n -l -P \
		    -f "$HA_RUN/ka$n.conf" -p "$HA_RUN/ka$n.main.pid" \
		    -r "$HA_RUN/ka$n.vrrp.pid" > "$HA_RUN/ka$n.log" 2>&1 &
		echo $! > "$HA_RUN/ka$n.kpid"
	done
	# Settled: fw1 holds both (keepalived has no API: ip only).
	i=0
	while [ $i -lt 150 ]; do
		[ "$(ha_holder $HA_LAN_VIP)" = fw1 ] &&
		    [ "$(ha_holder $HA_WAN_VIP)" = fw1 ] && break
		sleep 0.1
		i=$((i + 1))
	done
	ping_start
	ha_port sww p1 down
	i=0
	while [ $i -lt 100 ]; do
		[ "$(ha_holder $HA_LAN_VIP)" = fw2 ] &&
		    [ "$(ha_holder $HA_WAN_VIP)" = fw2 ] && break
		sleep 0.1
		i=$((i + 1))
	done
	who=fw2
	[ $i -lt 100 ] || who="NOT fw2 (lan $(ha_holder $HA_LAN_VIP), wan \
$(ha_holder $HA_WAN_VIP))"
	set -- $(ping_stop)
	echo "keepalived S1 (anchor)|$1|$2|-|$who" >> "$ROWS"
	# S8 for keepalived: fw1 back as master, then its links cut and
	# every keepalived process of fw1 killed.
	ha_port sww p1 up
	i=0
	while [ $i -lt 150 ]; do
		[ "$(ha_holder $HA_LAN_VIP)" = fw1 ] &&
		    [ "$(ha_holder $HA_WAN_VIP)" = fw1 ] && break
		sleep 0.1
		i=$((i + 1))
	done
	ping_start
	links 1 down
	kill -9 $(ip netns pids "$(ha_ns fw1)") 2>/dev/null
	i=0
	while [ $i -lt 100 ]; do
		[ "$(ha_holder $HA_LAN_VIP)" = fw2 ] &&
		    [ "$(ha_holder $HA_WAN_VIP)" = fw2 ] && break
		sleep 0.1
		i=$((i + 1))
	done
	who=fw2
	[ $i -lt 100 ] || who="NOT fw2"
	set -- $(ping_stop)
	echo "keepalived S8 (anchor)|$1|$2|-|$who" >> "$ROWS"
else
	echo "keepalived S1 (anchor)|-|-|-|keepalived missing" >> "$ROWS"
fi

echo
echo "failover: longest gap between replies of a 20 ms ping, lan -> wan"
printf '%-30s %9s %6s %9s  %s\n' scenario "gap (s)" lost target "VIPs / verdict"
anchor=$(awk -F'|' '/S1 \(anchor/ { print $2 }' "$ROWS")
while IFS='|' read -r name gap lost target who; do
	verdict=""
	case $target in
	"no loss") [ "$lost" = 0 ] && verdict=met || verdict=MISSED ;;
	-) verdict="" ;;
	*) verdict=$(awk -v g="$gap" -v t="$target" 'BEGIN {
		print (g + 0 <= t + 0) ? "met" : "MISSED" }') ;;
	esac
	printf '%-30s %9s %6s %9s  %s %s\n' "$name" "$gap" "$lost" "$target" \
	    "$who" "$verdict"
done < "$ROWS"
s1=$(awk -F'|' '/^S1 master/ { print $2 }' "$ROWS")
[ -n "$anchor" ] && [ "$anchor" != "-" ] && awk -v a="$anchor" -v s="$s1" \
    'BEGIN { if (a > 0) printf "S1: twinwall %.3f s vs keepalived %.3f s " \
    "(ratio %.2f)\n", s, a, s / a }'
ka8=$(awk -F'|' '/S8 \(anchor/ { print $2 }' "$ROWS")
tw8=$(awk -F'|' '/^S8 power loss/ { print $2 }' "$ROWS")
[ -n "$ka8" ] && [ "$ka8" != "-" ] && awk -v a="$ka8" -v s="$tw8" \
    'BEGIN { if (a > 0) printf "S8: twinwall %.3f s vs keepalived %.3f s " \
    "(ratio %.2f)\n", s, a, s / a }'
echo "(S8 target: liveness 3 x 50 ms + takeover = $s8 s; CARP's own" \
    "master-down is $(awk -v b=$ADVBASE -v s=$SKEW2 \
    'BEGIN { printf "%.2f", 3 * b + s / 256 }') s)"
echo "liveness CPU over 10 s idle, ms (all threads of the daemon):" \
    "fw1 $cpu_on1 (off: $cpu_off1), fw2 $cpu_on2 (off: $cpu_off2)"
exit 0
