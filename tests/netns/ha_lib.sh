# ha_lib.sh — the seed's HA topology in network namespaces, sourced by
# lab.sh, test_ha_scenarios.sh and tests/bench/bench_failover.sh.
#
#   lan host 192.168.147.10/24 (default via the LAN VIP .230)
#      |
#   [P-swl: bridge br0]          switches are bridges in their own
#      | p1            | p2      namespaces: `ip -n P-swl link set p1
#   fw1 lan0 .231    fw2 lan0 .232     down` is a carrier loss on fw1
#   fw1 sync0 11.11.0.1 ==== fw2 sync0 11.11.0.2   (direct cable)
#   fw1 wan0 .231    fw2 wan0 .232   192.168.148.0/24
#      | p1            | p2
#   [P-sww: bridge br0]
#      |
#   wan host 192.168.148.1/24 (the seed's WAN-GW; plays "the internet")
#
# Every namespace is named P-<role> with the caller's prefix P; each
# twinwall listens on 127.0.0.1:8443 (plain HTTP, loopback) inside its
# namespace. Callers set HA_P (prefix) and HA_RUN (a directory for data
# dirs, logs and pids) before calling anything here.
#
# Shell: POSIX sh, set -u safe.

HA_ROOT=${HA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
HA_BIN=${HA_BIN:-$HA_ROOT/build/twinwall}
# The namespace helpers both topologies share (tw_listening_ns); only
# definitions: nothing of lib.sh's runs until a tw_init.
. "$HA_ROOT/tests/netns/lib.sh"
HA_PORT=8443
HA_LAN_NET=192.168.147
HA_WAN_NET=192.168.148
HA_LAN_VIP=$HA_LAN_NET.230
HA_WAN_VIP=$HA_WAN_NET.230
HA_LAN_HOST=$HA_LAN_NET.10
HA_WAN_HOST=$HA_WAN_NET.1

ha_ns() { echo "$HA_P-$1"; }
ha_x() { ns=$1; shift; ip netns exec "$(ha_ns "$ns")" "$@"; }
# ha_vip_status N EXPR: a python expression over fwN's get_vip_status (d).
ha_vip_status() {
	ha_api "$1" GET diagnostics/interface/get_vip_status 2>/dev/null |
	    python3 -c 'import json, sys
d = json.load(sys.stdin)
print(eval(sys.argv[1]))' "$2" 2>/dev/null
}
# ha_wait_vip_status N EXPR VALUE SECONDS: until EXPR prints VALUE; 0 or 1.
ha_wait_vip_status() {
	end=$(($(date +%s) + $4))
	while [ "$(date +%s)" -le $end ]; do
		[ "$(ha_vip_status "$1" "$2")" = "$3" ] && return 0
		sleep 0.2
	done
	return 1
}
# ha_cut_upstream / ha_mend_upstream: the WAN switch drops every frame
# between fw1's port (p1) and the ISP's (ph): fw1's upstream path is
# dead, its link and its CARP to fw2 are not.
ha_cut_upstream() {
	ha_x sww nft -f - <<'EOF'
table bridge isp {
	chain forward {
		type filter hook forward priority 0;
		iifname "p1" oifname "ph" drop
		iifname "ph" oifname "p1" drop
	}
}
EOF
}
ha_mend_upstream() { ha_x sww nft delete table bridge isp; }
# ha_demoteupstream N ON: hasync demoteupstream on fwN, applied.
ha_demoteupstream() {
	ha_api "$1" POST core/hasync/set "{\"hasync\":{\"demoteupstream\":
	    \"$2\"}}" >/dev/null && ha_api "$1" POST core/hasync/reconfigure \
	    '{}' >/dev/null
}
# ha_monitor_wan N INTERVAL LOSS PERIOD: fwN probes WAN_GW (the upstream
# default gateway) so.
ha_monitor_wan() {
	uuid=$(ha_api "$1" POST routing/settings/search_gateway \
	    '{"current":1,"rowCount":-1}' | python3 -c 'import json, sys
print([r["uuid"] for r in json.load(sys.stdin)["rows"] if r["name"] == "WAN_GW"][0])') ||
	    return 1
	ha_api "$1" POST "routing/settings/set_gateway/$uuid" "{\"gateway\":{
	    \"monitor_disable\":\"0\",\"interval\":\"$2\",\"loss_interval\":
	    \"$3\",\"time_period\":\"$4\"}}" >/dev/null &&
	    ha_api "$1" POST routing/settings/reconfigure '{}' >/dev/null
}
# ha_listening NS PORT: waits (up to 10 s) until a TCP server listens on
# PORT in NS; a client started before that is refused and dies. 0 or 1.
ha_listening() { tw_listening_ns "$(ha_ns "$1")" "$2"; }

# Kills every process left in our namespaces (by pid), then deletes
# them. Safe to call at any time, twice.
ha_topo_down() {
	for r in lan wan fw1 fw2 swl sww; do
		ns=$(ha_ns "$r")
		ip netns list 2>/dev/null | grep -q "^$ns\( \|$\)" || continue
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -n "$pids" ] && kill $pids 2>/dev/null
	done
	# Give the daemons their SIGTERM (they bow out), then make sure.
	n=0
	while [ $n -lt 30 ]; do
		left=""
		for r in lan wan fw1 fw2 swl sww; do
			ns=$(ha_ns "$r")
			ip netns list 2>/dev/null | grep -q "^$ns\( \|$\)" ||
			    continue
			left="$left$(ip netns pids "$ns" 2>/dev/null)"
		done
		[ -z "$left" ] && break
		sleep 0.1
		n=$((n + 1))
	done
	for r in lan wan fw1 fw2 swl sww; do
		ns=$(ha_ns "$r")
		ip netns list 2>/dev/null | grep -q "^$ns\( \|$\)" || continue
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -n "$pids" ] && kill -9 $pids 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	return 0
}

ha_link() {	# ha_link NS1 DEV1 NS2 DEV2
	ip link add "$2" netns "$(ha_ns "$1")" type veth peer name "$4" \
	    netns "$(ha_ns "$3")"
}

# Builds the topology; 0, or 1 at the first command that fails.
ha_topo_up() {
	for r in lan wan fw1 fw2 swl sww; do
		ip netns add "$(ha_ns "$r")" || return 1
		ha_x "$r" ip link set lo up || return 1
	done
	for sw in swl sww; do
		ha_x $sw ip link add br0 type bridge mcast_snooping 0 \
		    forward_delay 0 || return 1
		ha_x $sw ip link set br0 up || return 1
	done
	ha_link fw1 lan0 swl p1 && ha_link fw2 lan0 swl p2 &&
	    ha_link lan eth0 swl ph && ha_link fw1 wan0 sww p1 &&
	    ha_link fw2 wan0 sww p2 && ha_link wan eth0 sww ph &&
	    ha_link fw1 sync0 fw2 sync0 || return 1
	for sw in swl sww; do
		for p in p1 p2 ph; do
			ha_x $sw ip link set "$p" master br0 &&
			    ha_x $sw ip link set "$p" up || return 1
		done
	done
	for n in 1 2; do
		ha_x fw$n sysctl -qw net.ipv4.ip_forward=1 &&
		    ha_x fw$n ip addr add $HA_LAN_NET.23$n/24 dev lan0 &&
		    ha_x fw$n ip addr add $HA_WAN_NET.23$n/24 dev wan0 &&
		    ha_x fw$n ip addr add 11.11.0.$n/24 dev sync0 || return 1
		for d in lan0 wan0 sync0; do
			ha_x fw$n ip link set "$d" up || return 1
		done
		ha_x fw$n ip route add default via $HA_WAN_HOST || return 1
	done
	ha_x lan ip addr add $HA_LAN_HOST/24 dev eth0 &&
	    ha_x lan ip link set eth0 up &&
	    ha_x lan ip route add default via $HA_LAN_VIP &&
	    ha_x wan ip addr add $HA_WAN_HOST/24 dev eth0 &&
	    ha_x wan ip link set eth0 up
}

# ha_daemon_start N: twinwall on fwN, data in $HA_RUN/fwN. Waits until
# the API answers; prints nothing. 0 or 1.
ha_daemon_start() {
	n=$1
	dir=$HA_RUN/fw$n
	mkdir -p "$dir"
	chmod 0755 "$HA_RUN"
	# ip netns exec execs the daemon: $! is the daemon's pid.
	ip netns exec "$(ha_ns fw$n)" "$HA_BIN" daemon --data "$dir" \
	    --listen 127.0.0.1:$HA_PORT --platform linux --no-tls \
	    --www "$HA_ROOT/www" >> "$HA_RUN/fw$n.log" 2>&1 &
	echo $! > "$HA_RUN/fw$n.pid"
	i=0
	while [ $i -lt 200 ]; do
		code=$(ha_x fw$n curl -s -o /dev/null -w '%{http_code}' \
		    "http://127.0.0.1:$HA_PORT/api/core/ping" 2>/dev/null)
		case $code in 200|401) return 0 ;; esac
		kill -0 "$(cat "$HA_RUN/fw$n.pid")" 2>/dev/null || return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# ha_daemon_kill N [SIG]: the daemon of fwN (parent; the child and
# conntrackd follow it).
ha_daemon_kill() {
	pid=$(cat "$HA_RUN/fw$1.pid" 2>/dev/null) || return 0
	kill "-${2:-TERM}" "$pid" 2>/dev/null
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	rm -f "$HA_RUN/fw$1.pid"
}

# ha_key N: creates (once) and prints "KEY SECRET" for root on fwN.
ha_key() {
	f=$HA_RUN/fw$1/apikey.txt
	if [ ! -s "$f" ]; then
		"$HA_BIN" apikey --data "$HA_RUN/fw$1" --user root 2>/dev/null |
		    tail -n 1 > "$f" || return 1
	fi
	cat "$f"
}

# ha_api N METHOD PATH [JSON]: prints the body; exit 1 on HTTP >= 400
# and on a refused save (HTTP 200 {"result":"failed"}, as OPNsense's).
ha_api() {
	n=$1 m=$2 path=$3 body=${4:-}
	set -- $(ha_key "$n")
	if [ -n "$body" ]; then
		ha_out=$(ha_x fw$n curl -s -f -m 5 -X "$m" -u "$1:$2" -H \
		    'Content-Type: application/json' -d "$body" \
		    "http://127.0.0.1:$HA_PORT/api/$path") || return 1
	else
		ha_out=$(ha_x fw$n curl -s -f -m 5 -X "$m" -u "$1:$2" \
		    "http://127.0.0.1:$HA_PORT/api/$path") || return 1
	fi
	printf '%s\n' "$ha_out"
	case "$ha_out" in
	*'"result":"failed"'*) return 1 ;;
	esac
}

# ha_configure N: the seed's procedure through the API (ha_setup.py).
ha_configure() {
	set -- "$1" $(ha_key "$1")
	ha_x fw$1 python3 "$HA_ROOT/tests/netns/ha_setup.py" \
	    "http://127.0.0.1:$HA_PORT" "$2" "$3" "$1"
}

# ha_holder VIP: which firewall carries VIP on a device that is UP with
# carrier (LOWER_UP), by `ip addr`: fw1, fw2, both or none.
ha_holder() {
	h=""
	for n in 1 2; do
		for d in $(ha_x fw$n ip -o -4 addr show up 2>/dev/null |
		    awk -v a=" $1/" 'index($0, a) { sub(/@.*/, "", $2);
		    print $2 }'); do
			if ha_x fw$n ip -o link show dev "$d" 2>/dev/null |
			    grep -q LOWER_UP; then
				h="$h fw$n"
				break
			fi
		done
	done
	case $h in
	" fw1 fw2") echo both ;;
	"") echo none ;;
	*) echo "${h# }" ;;
	esac
}

# ha_api_holder VIP: the same from get_vip_status of both nodes: the
# node(s) reporting MASTER for VIP (fw1, fw2, both, none).
ha_api_holder() {
	h=""
	for n in 1 2; do
		if ha_api $n GET diagnostics/interface/get_vip_status \
		    2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
rows = d.get("rows", d.get("vips", []))
sys.exit(0 if any(r.get("subnet") == sys.argv[1] and
    r.get("status") == "MASTER" for r in rows) else 1)' "$1" 2>/dev/null
		then
			h="$h fw$n"
		fi
	done
	case $h in
	" fw1 fw2") echo both ;;
	"") echo none ;;
	*) echo "${h# }" ;;
	esac
}

# ha_wait_holder WHO TIMEOUT: polls until both VIPs are on WHO by ip and
# by the API; 0 or 1.
ha_wait_holder() {
	end=$(($(date +%s) + $2))
	while [ "$(date +%s)" -le $end ]; do
		if [ "$(ha_holder $HA_LAN_VIP)" = "$1" ] &&
		    [ "$(ha_holder $HA_WAN_VIP)" = "$1" ] &&
		    [ "$(ha_api_holder $HA_LAN_VIP)" = "$1" ] &&
		    [ "$(ha_api_holder $HA_WAN_VIP)" = "$1" ]; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# One line on who holds what, for failure messages; then, per node, its
# demotion and its last CARP log lines (a CI log shows only this line).
ha_where() {
	echo "lan vip: ip=$(ha_holder $HA_LAN_VIP) api=$(ha_api_holder \
$HA_LAN_VIP); wan vip: ip=$(ha_holder $HA_WAN_VIP) api=$(ha_api_holder \
$HA_WAN_VIP)$(ha_why 1)$(ha_why 2)"
}
ha_why() {
	d=$(ha_api $1 GET diagnostics/interface/get_vip_status 2>/dev/null |
	    python3 -c 'import json, sys
d = json.load(sys.stdin)
st = {k: v for k, v in d["stats"].items() if isinstance(v, int) and v}
rx = [r.get("last_advert_received", "-") for r in d["rows"]]
print(d["carp"]["demotion"], "rx", "/".join(rx), "liveness",
      (d.get("liveness") or {}).get("peer"), "stats", st)' 2>/dev/null)
	printf ' || fw%s demotion %s: %s' "$1" "${d:-?}" "$(grep -E \
	    'carp: |statesync: CARP|boot apply' "$HA_RUN/fw$1.log" 2>/dev/null |
	    tail -n 4 | sed 's/^[^ ]* parent\[[0-9]*\]: //' | tr '\n' ';')"
}

# Port link state: ha_port SWITCH PORT up|down (carrier on the fw side).
ha_port() { ha_x "$1" ip link set "$2" "$3"; }
