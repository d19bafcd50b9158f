#!/bin/sh
# bench_gateways.sh — `make bench`: gateway failover and the monitor's
# cost, on tests/netns/lib.sh namespaces (firewall, two upstream hosts).
#
#   failover: the primary's host starts dropping everything (link up);
#   the time until a new TCP connection from the firewall reaches the
#   far address through the second gateway, at OPNsense's default probe
#   settings (after a full 60 s window) and at the fastest accepted ones,
#   beside the figure derived from OPNsense's monitor model (dpinger):
#   loss_interval + interval x (the losses that cross losshigh in one
#   window).
#   policy-routed: the same death, measured from a LAN host whose
#   connections match a pass rule with the gateway group WANS (ISP1
#   tier 1, ISP2 tier 2) while ISP2 is no default gateway: the time until
#   a new connection through the rule flows via the second gateway.
#   cost: CPU of the monitor's thread ("gwmon") probing 8 gateways every
#   second for 20 s, beside the floor measured in the same run: 8 ping
#   processes (iputils) probing the same addresses as often.
# Root only; figures are reported, not failed.
set -u
cd "$(dirname "$0")/../.." || exit 1
if [ "$(id -u)" != 0 ] || ! ip netns list >/dev/null 2>&1; then
	echo "SKIPPED bench_gateways: needs root (network namespaces)"
	exit 0
fi
. tests/netns/lib.sh
tw_init twbg >/dev/null
TW_BIN=$(realpath "${TW_BIN:-build/twinwall}")
PROBE="$PWD/tests/netns/filter_probe.py"
FAR=198.51.100.10

tw_ns fw && tw_ns isp1 && tw_ns isp2 && tw_ns lan &&
tw_veth fw wan0 isp1 eth0 && tw_veth fw wan1 isp2 eth0 &&
tw_veth fw lan0 lan eth0 &&
tw_in lan ip addr add 192.168.72.2/24 dev eth0 &&
tw_in lan ip route add default via 192.168.72.1 &&
tw_in fw sysctl -qw net.ipv4.ip_forward=1 &&
tw_in isp1 ip addr add 10.61.0.2/24 dev eth0 &&
tw_in isp2 ip addr add 10.62.0.2/24 dev eth0 &&
tw_in isp1 ip addr add $FAR/32 dev lo &&
tw_in isp2 ip addr add $FAR/32 dev lo &&
tw_in isp1 ip route add 192.168.72.0/24 via 10.61.0.1 &&
tw_in isp2 ip route add 192.168.72.0/24 via 10.62.0.1 || exit 1
for i in 3 4 5; do
	tw_in isp1 ip addr add 10.61.0.$i/24 dev eth0
	tw_in isp2 ip addr add 10.62.0.$i/24 dev eth0
done
tw_bg isp1 python3 "$PROBE" serve tcp 80 tag=isp1
tw_bg isp2 python3 "$PROBE" serve tcp 80 tag=isp2
tw_daemon fw >/dev/null || { echo "bench_gateways: daemon did not start"
	exit 0; }

api() { tw_api "$@" >/dev/null; [ "$(tw_status)" = 200 ]; }

api POST interfaces/settings/set_item/lan '{"interface":{"device":"lan0",
    "ipaddr":"192.168.72.1","subnet":"24"}}' &&
api POST interfaces/settings/set_item/wan '{"interface":{"device":"wan0",
    "ipaddr":"10.61.0.1","subnet":"24","blockpriv":"0",
    "blockbogons":"0"}}' &&
api POST interfaces/settings/add_item '{"interface":{"name":"opt1",
    "device":"wan1","ipaddr":"10.62.0.1","subnet":"24"}}' &&
api POST interfaces/settings/reconfigure || exit 1

# gateways INTERVAL LOSS PERIOD [DEFAULT2]: ISP1 (primary) and ISP2,
# monitored; ISP2 a default gateway unless DEFAULT2 is 0.
gateways() {
	for n in 1 2; do
		u=$(tw_api GET routing/settings/search_gateway | tw_json \
		    "[r['uuid'] for r in j['rows'] if r['name'] == 'ISP$n']")
		u=$(echo "$u" | tr -d '[]" ')
		dg=1
		[ $n = 2 ] && dg=${4:-1}
		body="{\"gateway\":{
		    \"name\":\"ISP$n\",\"interface\":\"$([ $n = 1 ] && echo wan ||
		    echo opt1)\",\"gateway\":\"10.6$n.0.2\",\"defaultgw\":\"$dg\",
		    \"priority\":\"$n\",\"monitor_disable\":\"0\",
		    \"interval\":\"$1\",\"loss_interval\":\"$2\",
		    \"time_period\":\"$3\"}}"
		# set in place: a grouped gateway cannot be deleted
		if [ -n "$u" ]; then
			api POST routing/settings/set_gateway/$u "$body" ||
			    return 1
		else
			api POST routing/settings/add_gateway "$body" ||
			    return 1
		fi
	done
	api POST routing/settings/reconfigure
}

# failover LABEL INTERVAL LOSS PERIOD [NS DEFAULT2]: one row; the
# connections from NS (fw: the firewall itself; lan: through the rule).
failover() {
	gateways "$2" "$3" "$4" "${6:-1}" || {
		echo "bench_gateways: setup failed"
		return 1; }
	# a full window of good probes first, as in service
	sleep $(($4 + 1))
	# and the primary online and in use again (a window of losses from
	# the row before takes its time to clear)
	n=0
	until [ "$(tw_api GET routes/gateway/status | tw_json '[i["status"]
	    for i in j["items"] if i["name"] == "ISP1"][0]')" = none ] &&
	    sleep 2 && [ "$(tw_api GET routes/gateway/status | tw_json \
	    '[i["status"] for i in j["items"] if i["name"] == "ISP1"][0]')" = \
	    none ] && [ "$(tw_in "${5:-fw}" python3 "$PROBE" tcp $FAR 80 |
	    awk '{ print $2 }')" = isp1 ]; do
		n=$((n + 1))
		[ $n -lt 120 ] || { echo "bench_gateways: $1: isp1 unused"
			return 1; }
		sleep 1
	done
	# the clock starts at the death, not when the client has started
	t0=$(date +%s.%N)
	tw_in isp1 nft -f - <<'EOF2'
table inet dead {
	chain input { type filter hook input priority -10; policy drop; }
	chain forward { type filter hook forward priority -10; policy drop; }
}
EOF2
	secs=$(tw_in "${5:-fw}" python3 - "$FAR" "$t0" <<'PY'
import socket, sys, time
t0 = float(sys.argv[2])
while time.time() - t0 < 120:
    s = socket.socket()
    s.settimeout(0.1)
    try:
        s.connect((sys.argv[1], 80))
        if s.recv(64).startswith(b"isp2"):
            print("%.2f" % (time.time() - t0))
            sys.exit(0)
    except OSError:
        pass
    finally:
        s.close()
    time.sleep(0.02)
print("none")
PY
)
	tw_in isp1 nft delete table inet dead
	derived=$(python3 -c "import sys
i, l, p = map(int, sys.argv[1:])
print(l + i * (int(0.20 * (p - l) / i) + 1))" "$2" "$3" "$4")
	printf '%-34s %8s s   OPNsense model %4s s\n' "$1" "$secs" "$derived"
}

echo "bench_gateways: upstream death -> traffic through the 2nd gateway"
failover "default (1 s, loss 4 s, 60 s)" 1 4 60
failover "fastest (1 s, loss 1 s, 3 s)" 1 1 3

# The policy-routed path: a rule with the group, ISP2 no default gateway.
api POST routing/settings/add_gateway_group '{"gateway_group":{
    "name":"WANS","tier1":"ISP1","tier2":"ISP2","trigger":"down"}}' &&
api POST routing/settings/reconfigure || echo "bench_gateways: group failed"
# Only this rule: the factory's "allow LAN to any" would decide first.
for u in $(tw_api GET firewall/filter/search_rule | tw_json \
    '" ".join(r["uuid"] for r in j["rows"])'); do
	api POST firewall/filter/del_rule/$u
done
api POST firewall/filter/add_rule '{"rule":{"interface":"lan",
    "direction":"in","ipprotocol":"inet","action":"pass","protocol":"tcp",
    "destination_port":"80","gateway":"WANS","sequence":"1"}}' &&
api POST firewall/filter/apply || echo "bench_gateways: policy setup failed"
failover "policy rule, default (1, 4, 60)" 1 4 60 lan 0
failover "policy rule, fastest (1, 1, 3)" 1 1 3 lan 0

# cost: 8 monitored gateways
for n in 3 4 5 6 7 8; do
	if [ $n -le 5 ]; then a=10.61.0.$n; i=wan; else
		a=10.62.0.$((n - 3)); i=opt1; fi
	api POST routing/settings/add_gateway "{\"gateway\":{\"name\":\"G$n\",
	    \"interface\":\"$i\",\"gateway\":\"$a\",\"monitor_disable\":\"0\",
	    \"interval\":\"1\",\"loss_interval\":\"1\",\"time_period\":\"3\"}}"
done
api POST routing/settings/reconfigure
sleep 2
tid=$(grep -l '^gwmon$' /proc/$TW_DPID/task/*/comm 2>/dev/null | head -1 |
    cut -d/ -f5)
ticks() {	# ticks STATFILE: utime + stime
	awk '{ print $14 + $15 }' "$1"
}
hz=$(getconf CLK_TCK)
pids=""
for a in 10.61.0.2 10.61.0.3 10.61.0.4 10.61.0.5 10.62.0.2 10.62.0.3 \
    10.62.0.4 10.62.0.5; do
	ip netns exec "$TW_ID-fw" ping -q -i 1 -w 30 "$a" >/dev/null 2>&1 &
	pids="$pids $!"
done
t0=$(ticks /proc/$TW_DPID/task/$tid/stat)
p0=0
for p in $pids; do p0=$((p0 + $(ticks /proc/$p/stat))); done
sleep 20
t1=$(ticks /proc/$TW_DPID/task/$tid/stat)
# the floor: the same probes from 8 ping processes, same 20 s
p1=0
for p in $pids; do p1=$((p1 + $(ticks /proc/$p/stat))); done
for p in $pids; do kill "$p" 2>/dev/null; done
floor=$(python3 -c "import sys
print('%.3f' % ((int(sys.argv[2]) - int(sys.argv[1])) / int(sys.argv[3])))" \
    "$p0" "$p1" "$hz")
python3 -c "import sys
t = (int(sys.argv[2]) - int(sys.argv[1])) / int(sys.argv[3])
print('%-34s %8.3f s CPU in 20 s (%.2f %%)   floor: 8 pings %s s' % (
    'cost: 8 gateways, 1 probe/s each', t, t / 20 * 100, sys.argv[4]))" \
    "$t0" "$t1" "$hz" "$floor"
