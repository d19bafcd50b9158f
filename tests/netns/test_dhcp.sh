#!/bin/sh
# test_dhcp.sh — a WAN in DHCP mode against a real DHCP server (Kea, in
# an upstream namespace), with a REAL daemon (--platform linux) whose
# parent runs dhcpcd:
#
#   [fw] wan0 -- eth0 [up] 10.77.0.1/24, Kea DHCPv4, 198.51.100.1 behind
#
# Kea rather than dnsmasq: dnsmasq will not lease for less than two
# minutes, and the expiry below would take that long.
#
#   sh tests/netns/test_dhcp.sh          (root; else SKIPPED)
#   TW_BIN=build/asan/twinwall sh tests/netns/test_dhcp.sh
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/netns/lib.sh
for t in kea-dhcp4 dhcpcd; do
	if ! command -v "$t" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$t" ]; then
		echo "SKIPPED: needs $t (tests/deps.sh)"
		exit 0
	fi
done
tw_init twd
TW_BIN=$(realpath "${TW_BIN:-build/twinwall}")
LEASE=24	# seconds; renew after 4, rebind after 18

tw_ns fw && tw_ns up && tw_veth fw wan0 up eth0 &&
tw_in up ip addr add 10.77.0.1/24 dev eth0 &&
tw_in up ip addr add 198.51.100.1/32 dev lo || {
	tw_fail setup "cannot build the namespaces"
	tw_summary
	exit 1
}
mkdir -p "$TW_TMP/kea"
cat > "$TW_TMP/kea4.json" <<EOF
{ "Dhcp4": {
  "interfaces-config": { "interfaces": [ "eth0" ],
    "dhcp-socket-type": "raw" },
  "lease-database": { "type": "memfile", "persist": false },
  "valid-lifetime": $LEASE, "renew-timer": 4, "rebind-timer": 18,
  "subnet4": [ { "id": 1, "subnet": "10.77.0.0/24",
    "pools": [ { "pool": "10.77.0.100 - 10.77.0.150" } ],
    "option-data": [ { "name": "routers", "data": "10.77.0.1" },
      { "name": "domain-name-servers",
        "data": "10.77.0.53, 10.77.0.54" } ] } ],
  "loggers": [ { "name": "kea-dhcp4", "severity": "INFO",
    "output_options": [ { "output": "stdout" } ] } ]
} }
EOF
KEA_PID=""
kea_start() {
	KEA_PIDFILE_DIR="$TW_TMP/kea" KEA_LOCKFILE_DIR="$TW_TMP/kea" \
	    ip netns exec "$TW_ID-up" kea-dhcp4 -c "$TW_TMP/kea4.json" \
	    >> "$TW_TMP/kea.log" 2>&1 &
	KEA_PID=$!
	TW_PIDS="$TW_PIDS $KEA_PID"
	i=0
	until grep -q DHCP4_STARTED "$TW_TMP/kea.log" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 50 ] && return 1
		sleep 0.1
	done
}
kea_start || {
	tw_fail setup "kea-dhcp4 did not start: $(tail -3 "$TW_TMP/kea.log")"
	tw_summary
	exit 1
}
# As the package runs it: dhcpcd and radvd must work under the unit.
if ! TW_AS_UNIT=1 tw_daemon fw; then
	tw_fail setup "daemon did not start"
	tw_summary
	exit 1
fi

ok_api() {
	[ "$(tw_status)" = 200 ] || {
		echo "HTTP $(tw_status): $(cat "$TW_TMP/body")"
		return 1
	}
}
set_wan() {
	tw_api POST interfaces/settings/set_item/wan "{\"interface\":$1}" \
	    >/dev/null
	ok_api
}
apply_if() {
	tw_api POST interfaces/settings/reconfigure >/dev/null
	ok_api
}
# wan_addr: the IPv4 addresses on wan0, one per line.
wan_addr() {
	tw_in fw ip -4 -o addr show dev wan0 | awk '{ print $4 }'
}
default_route() {
	tw_in fw ip -4 route show default
}
# wan_info EXPR: a Python expression over interfaces_info's wan row (w).
wan_info() {
	tw_api GET interfaces/overview/get_interface/wan |
	    tw_json "(lambda w: $1)(j)"
}
# wait_for SECONDS CMD...: polls CMD every 0.2 s until it succeeds.
wait_for() {
	n=$(($1 * 5))
	shift
	while [ $n -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
		n=$((n - 1))
	done
	"$@"
}
has_lease() {
	wan_addr | grep -q '^10\.77\.0\.1[0-9][0-9]/24$'
}
has_default() {
	default_route | grep -q 'via 10.77.0.1 dev wan0 proto 177'
}
no_lease() {
	! has_lease
}
no_default() {
	[ -z "$(default_route)" ]
}

# --- 1. the factory WAN (dhcp) gets its address and default route ------
t_lease() {
	set_wan '{"device":"wan0"}' || return 1
	t0=$(date +%s.%N)
	apply_if || return 1
	wait_for 5 has_lease || { echo "no lease: $(wan_addr)"; return 1; }
	wait_for 5 has_default || { echo "no default route: $(default_route)"
	    return 1; }
	t1=$(date +%s.%N)
	awk "BEGIN { print $t1 - $t0 }" > "$TW_TMP/t_lease"
}
tw_check "wan in DHCP mode gets a lease and the default route via its router" \
    t_lease
echo "# address and default route $(cat "$TW_TMP/t_lease" 2>/dev/null) s \
after the apply was sent"
tw_check "traffic leaves through the lease's router" \
    tw_in fw ping -c 1 -W 2 198.51.100.1

t_status() {
	out=$(wan_info '[w["link_type"], w["dhcp"]["client"],
w["dhcp"]["lease"]["router"], w["dhcp"]["lease"]["dns"],
w["dhcp"]["lease"]["lease_time"], w["dhcp"]["gateway"],
w["gateways"], w["addr4"] == w["dhcp"]["lease"]["address"] + "/24",
w["dhcp"]["lease"]["expires"] - w["dhcp"]["lease"]["obtained"]]')
	want='["dhcp", "bound", "10.77.0.1", ["10.77.0.53", "10.77.0.54"], '
	want="$want$LEASE, \"WAN_DHCP\", [\"10.77.0.1\"], true, $LEASE]"
	[ "$out" = "$want" ] || { echo "got $out, want $want"; return 1; }
}
tw_check "interfaces/overview shows the lease: router, DNS, times, gateway" \
    t_status

t_console() {
	out=$(echo 0 | tw_in fw "$TW_BIN" console --data "$TW_DATA" 2>&1)
	echo "$out" | grep -q "DHCP client bound: 10\.77\.0\.1[0-9][0-9]/24, \
gateway WAN_DHCP 10\.77\.0\.1, lease ends in" || {
		echo "$out" | head -12
		return 1
	}
}
tw_check "the console's header shows the lease and WAN_DHCP" t_console

t_gw_search() {
	out=$(tw_api GET routing/settings/search_gateway | tw_json \
	    '[[r["name"], r["gateway"], r["address"], r["interface"]] for r
in j["rows"] if r["name"] == "WAN_DHCP"]')
	[ "$out" = '[["WAN_DHCP", "dynamic", "10.77.0.1", "wan"]]' ] || {
		echo "$out"
		return 1
	}
}
tw_check "search_gateway lists WAN_DHCP with the lease's router" t_gw_search

t_route() {
	tw_api POST routes/routes/addroute \
	    '{"route":{"network":"203.0.113.0/24","gateway":"WAN_DHCP"}}' \
	    >/dev/null
	ok_api || return 1
	tw_api POST routes/routes/reconfigure >/dev/null
	ok_api || return 1
	tw_in fw ip route show 203.0.113.0/24 | grep -q 'via 10.77.0.1' || {
		tw_in fw ip route
		return 1
	}
}
tw_check "a static route through WAN_DHCP goes via the lease's router" t_route

# --- 2. renewal keeps the address ----------------------------------------
t_renew() {
	a0=$(wan_addr)
	o0=$(wan_info 'w["dhcp"]["lease"]["obtained"]')
	renewed() {
		[ "$(wan_info 'w["dhcp"]["lease"]["obtained"]')" -gt "$o0" ]
	}
	wait_for 10 renewed || { echo "no renewal in 10 s"; return 1; }
	[ "$(wan_addr)" = "$a0" ] || { echo "$a0 became $(wan_addr)"
	    return 1; }
	has_default || { echo "default route lost"; return 1; }
	ev=$(wan_info 'w["dhcp"]["last_event"]')
	[ "$ev" = RENEW ] || { echo "last event $ev"; return 1; }
}
tw_check "a renewal (T1 = 4 s) keeps the address and the route" t_renew

# --- 3. switched to static: the client stops, the lease's address goes --
t_refuse_gw_static() {
	tw_api POST routing/settings/add_gateway '{"gateway":{"name":"WAN_GW",
"interface":"wan","gateway":"10.77.0.1"}}' >/dev/null
	{ [ "$(tw_status)" = 200 ] && grep -q "\"result\":\"failed\"" "$TW_TMP/body"; } ||
	    { echo "HTTP $(tw_status)"; return 1; }
	tw_json 'j["validations"]["gateway.gateway"]' < "$TW_TMP/body" |
	    grep -q "wan gets its IPv4 address by DHCP" || {
		cat "$TW_TMP/body"
		return 1
	}
}
tw_check "a static gateway on the DHCP wan refused (gateway.gateway)" \
    t_refuse_gw_static

t_refuse_dyn_used() {
	tw_api POST interfaces/settings/set_item/wan \
	    '{"interface":{"ipaddr":"10.77.0.9","subnet":"24"}}' >/dev/null
	{ [ "$(tw_status)" = 200 ] && grep -q "\"result\":\"failed\"" "$TW_TMP/body"; } ||
	    { echo "HTTP $(tw_status)"; return 1; }
	tw_json 'j["validations"]["interface.ipaddr"]' < "$TW_TMP/body" |
	    grep -q "WAN_DHCP .* is still used by route 203.0.113.0/24" || {
		cat "$TW_TMP/body"
		return 1
	}
	uuid=$(tw_api GET routes/routes/searchroute |
	    tw_json '[r["uuid"] for r in j["rows"]][0]')
	tw_api POST "routes/routes/delroute/$uuid" >/dev/null
	ok_api || return 1
	tw_api POST routes/routes/reconfigure >/dev/null
	ok_api
}
tw_check "static on wan refused (interface.ipaddr) while a route uses \
WAN_DHCP" t_refuse_dyn_used

t_static() {
	lease=$(wan_addr)
	set_wan '{"ipaddr":"10.77.0.9","subnet":"24"}' || return 1
	apply_if || return 1
	[ "$(wan_addr)" = "10.77.0.9/24" ] || { echo "addresses: $(wan_addr)"
	    return 1; }
	pgrep -f "$TW_DATA/rendered/dhcpcd-wan0.conf" >/dev/null && { echo "client still runs"
	    return 1; }
	no_default || { echo "default route left: $(default_route)"
	    return 1; }
	wait_for 3 grep -q DHCP4_RELEASE "$TW_TMP/kea.log" || {
		echo "the server saw no release"
		return 1
	}
	[ "$(wan_info '[w["link_type"], "dhcp" in w]')" = '["static", false]' ] ||
	    { wan_info 'w'; return 1; }
	echo "# $lease released"
}
tw_check "switched to static: client stopped, lease released, address gone" \
    t_static

t_refuse_static_gw() {
	tw_api POST routing/settings/add_gateway '{"gateway":{"name":"WAN_GW",
"interface":"wan","gateway":"10.77.0.1"}}' >/dev/null
	ok_api || return 1
	tw_api POST interfaces/settings/set_item/wan \
	    '{"interface":{"ipaddr":"dhcp","subnet":""}}' >/dev/null
	{ [ "$(tw_status)" = 200 ] && grep -q "\"result\":\"failed\"" "$TW_TMP/body"; } ||
	    { echo "HTTP $(tw_status)"; return 1; }
	tw_json 'j["validations"]["interface.ipaddr"]' < "$TW_TMP/body" |
	    grep -q "gateway WAN_GW (10.77.0.1) refers to it by a static" || {
		cat "$TW_TMP/body"
		return 1
	}
	uuid=$(tw_api GET routing/settings/search_gateway |
	    tw_json '[r["uuid"] for r in j["rows"] if r["name"] == "WAN_GW"][0]')
	tw_api POST "routing/settings/del_gateway/$uuid" >/dev/null
	ok_api
}
tw_check "DHCP on wan refused (interface.ipaddr) while WAN_GW names it \
by a static address" t_refuse_static_gw

# --- 4. back to DHCP, then the server goes away ---------------------------
t_back() {
	set_wan '{"ipaddr":"dhcp","subnet":""}' || return 1
	apply_if || return 1
	wait_for 5 has_lease && wait_for 5 has_default
}
tw_check "back to DHCP: lease and default route again" t_back

t_expire() {
	kill "$KEA_PID"
	wait "$KEA_PID" 2>/dev/null
	exp=$(wan_info 'w["dhcp"]["lease"]["expires"]')
	sleep 2
	has_lease || { echo "address gone before expiry"; return 1; }
	has_default || { echo "route gone before expiry"; return 1; }
	now=$(date +%s)
	[ "$now" -lt "$exp" ] || { echo "expired too early to tell"
	    return 1; }
	sleep $((exp - now - 1))
	has_lease || { echo "address gone 1 s before expiry"; return 1; }
	wait_for 5 no_lease || { echo "address kept after expiry"; return 1; }
	wait_for 3 no_default || { echo "route kept: $(default_route)"
	    return 1; }
	st=$(wan_info 'w["dhcp"]["client"]')
	[ "$st" = searching ] || { echo "client state $st"; return 1; }
}
tw_check "server gone: the lease is kept until it expires, then address and \
route go" t_expire

t_bounded() {
	set_wan '{"ipaddr":"10.77.0.9","subnet":"24"}' && apply_if &&
	    set_wan '{"ipaddr":"dhcp","subnet":""}' || return 1
	t0=$(date +%s)
	apply_if || return 1
	dt=$(($(date +%s) - t0))
	[ $dt -le 7 ] || { echo "apply took $dt s"; return 1; }
	grep -q "no lease on wan0 (wan) after" \
	    "$TW_DATA/rendered/actions.log" || return 1
	echo "# apply returned after $dt s without a lease"
}
tw_check "no server: the apply waits a bounded time and returns ok" t_bounded

t_comes_later() {
	kea_start || return 1
	# The client retries on its own schedule (up to a minute apart).
	wait_for 70 has_lease && wait_for 5 has_default
}
tw_check "the server back: the client that kept trying gets its lease and \
the route follows" t_comes_later

# --- 5. IPv6: SLAAC from the upstream's router advertisements ----------
t_slaac() {
	set_wan '{"ipaddrv6":"slaac"}' && apply_if || return 1
	slaac() {
		tw_in fw ip -6 -o addr show dev wan0 scope global |
		    grep -q "2001:db8:77:"
	}
	v6default() {
		tw_in fw ip -6 route show default |
		    grep -q "via fe80::.* dev wan0 proto 177"
	}
	wait_for 15 slaac || { tw_in fw ip -6 addr show dev wan0; return 1; }
	wait_for 10 v6default || { tw_in fw ip -6 route; return 1; }
	tw_in fw ping -6 -c 1 -W 2 2001:db8:99::1 >/dev/null || {
		echo "no reply through the IPv6 default route"
		return 1
	}
	# The IPv4 lease lived through the client's restart.
	has_lease || { echo "IPv4 lease lost: $(wan_addr)"; return 1; }
	gw6=$(wan_info '[w["dhcp"]["gateway6"], w["dhcp"]["gateway6_address"][:6]]')
	[ "$gw6" = '["WAN_DHCP6", "fe80::"]' ] || { echo "$gw6"; return 1; }
}
if [ -x /usr/sbin/radvd ]; then
	# Started here: a daemon started inside tw_check's $(...) would hold
	# its output open.
	tw_in up sysctl -qw net.ipv6.conf.all.forwarding=1
	tw_in up ip addr add 2001:db8:77::1/64 dev eth0
	tw_in up ip addr add 2001:db8:99::1/128 dev lo
	cat > "$TW_TMP/radvd.conf" <<EOF
interface eth0 {
	AdvSendAdvert on;
	MinRtrAdvInterval 3;
	MaxRtrAdvInterval 4;
	AdvDefaultLifetime 60;
	prefix 2001:db8:77::/64 { AdvOnLink on; AdvAutonomous on; };
};
EOF
	tw_bg up /usr/sbin/radvd -n -m stderr -C "$TW_TMP/radvd.conf" \
	    -p "$TW_TMP/radvd.pid" >"$TW_TMP/radvd.log" 2>&1
	tw_check "slaac on wan: an address from the RA and the IPv6 default \
route via WAN_DHCP6" t_slaac
else
	echo "# SKIPPED slaac: needs radvd"
fi

tw_summary
