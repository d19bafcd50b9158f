#!/bin/sh
# test_dhcp6.sh — DHCPv6 with prefix delegation and track6, with a REAL
# daemon (--platform linux) whose parent runs dhcpcd and radvd:
#
#   [host] eth0 -- lan0 [fw] wan0 -- eth0 [up] 2001:db8:77::1/64
#     accept_ra     track6 prefix-id 5   Kea DHCPv6 (IA_NA, IA_PD /56 of
#                   dhcp6, ia_pd_len 8   2001:db8:f0::/48), radvd (M flag:
#                                        the default route), 2001:db8:99::1
#
# DHCPv6 gives no route (RFC 8415): the upstream's radvd does, as an ISP's
# router would. The upstream routes the delegated prefixes to the fw.
#
#   sh tests/netns/test_dhcp6.sh          (root; else SKIPPED)
#   TW_BIN=build/asan/twinwall sh tests/netns/test_dhcp6.sh
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/netns/lib.sh
for t in kea-dhcp6 dhcpcd radvd; do
	if ! command -v "$t" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$t" ]; then
		echo "SKIPPED: needs $t (tests/deps.sh)"
		exit 0
	fi
done
tw_init twp
TW_REAL=$(realpath "${TW_BIN:-build/twinwall}")
# The daemon writes resolv.conf (system.dnsallowoverride below): it runs
# in a mount namespace of its own with a copy of /etc bound over /etc.
ETC="$TW_TMP/etc"
cp -a /etc "$ETC"
printf 'nameserver 198.51.100.1\n' > "$ETC/resolv.conf"
TW_BIN="$TW_TMP/twinwall"
cat > "$TW_BIN" <<EOF
#!/bin/sh
exec unshare --mount --propagation private sh -c \
    'mount --bind "\$0" /etc && exec "\$@"' "$ETC" "$TW_REAL" "\$@"
EOF
chmod 755 "$TW_BIN"

tw_ns fw && tw_ns up && tw_ns host &&
tw_veth fw wan0 up eth0 && tw_veth fw lan0 host eth0 &&
tw_in up sysctl -qw net.ipv6.conf.all.forwarding=1 &&
tw_in up sysctl -qw net.ipv6.conf.eth0.accept_dad=0 &&
tw_in fw sysctl -qw net.ipv6.conf.all.forwarding=1 &&
tw_in fw sysctl -qw net.ipv6.conf.wan0.accept_dad=0 &&
tw_in fw sysctl -qw net.ipv6.conf.lan0.accept_dad=0 &&
tw_in host sysctl -qw net.ipv6.conf.eth0.accept_dad=0 &&
tw_in up ip addr add 2001:db8:77::1/64 dev eth0 &&
tw_in up ip addr add 2001:db8:99::1/128 dev lo || {
	tw_fail setup "cannot build the namespaces"
	tw_summary
	exit 1
}
# The fw's link-local address: the upstream routes the delegations to it.
i=0
until FWLL=$(tw_in fw ip -6 -o addr show dev wan0 scope link |
    awk '{ sub("/.*", "", $4); print $4 }') && [ -n "$FWLL" ]; do
	i=$((i + 1))
	[ $i -gt 30 ] && break
	sleep 0.1
done
tw_in up ip -6 route add 2001:db8:f0::/47 via "$FWLL" dev eth0

mkdir -p "$TW_TMP/kea"
# kea_conf POOL: Kea's configuration delegating /56s of POOL::/48.
kea_conf() {
	cat > "$TW_TMP/kea6.json" <<EOF
{ "Dhcp6": {
  "interfaces-config": { "interfaces": [ "eth0" ] },
  "data-directory": "$TW_TMP/kea",
  "lease-database": { "type": "memfile", "persist": false },
  "preferred-lifetime": 40, "valid-lifetime": 60,
  "renew-timer": 3, "rebind-timer": 30,
  "subnet6": [ { "id": 1, "subnet": "2001:db8:77::/64", "interface": "eth0",
    "pools": [ { "pool": "2001:db8:77::100 - 2001:db8:77::1ff" } ],
    "pd-pools": [ { "prefix": "$1", "prefix-len": 48,
      "delegated-len": 56 } ],
    "option-data": [ { "name": "dns-servers",
      "data": "2001:db8:77::53" } ] } ],
  "loggers": [ { "name": "kea-dhcp6", "severity": "INFO",
    "output_options": [ { "output": "stdout" } ] } ]
} }
EOF
}
KEA_PID=""
kea_start() {
	: > "$TW_TMP/kea.log"
	KEA_PIDFILE_DIR="$TW_TMP/kea" KEA_LOCKFILE_DIR="$TW_TMP/kea" \
	    ip netns exec "$TW_ID-up" kea-dhcp6 -c "$TW_TMP/kea6.json" \
	    >> "$TW_TMP/kea.log" 2>&1 &
	KEA_PID=$!
	TW_PIDS="$TW_PIDS $KEA_PID"
	i=0
	until grep -q DHCP6_STARTED "$TW_TMP/kea.log" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 50 ] && return 1
		sleep 0.1
	done
}
kea_conf 2001:db8:f0::
kea_start || {
	tw_fail setup "kea-dhcp6 did not start: $(tail -3 "$TW_TMP/kea.log")"
	tw_summary
	exit 1
}
# Managed (M): addresses from DHCPv6, none from SLAAC on the WAN link.
cat > "$TW_TMP/radvd-up.conf" <<EOF
interface eth0 {
	AdvSendAdvert on;
	AdvManagedFlag on;
	AdvOtherConfigFlag on;
	MinRtrAdvInterval 3;
	MaxRtrAdvInterval 4;
	AdvDefaultLifetime 60;
	prefix 2001:db8:77::/64 { AdvOnLink on; AdvAutonomous off; };
};
EOF
tw_bg up /usr/sbin/radvd -n -m stderr -C "$TW_TMP/radvd-up.conf" \
    -p "$TW_TMP/radvd-up.pid" >"$TW_TMP/radvd-up.log" 2>&1
# As the package runs it: dhcpcd and radvd must work under the unit.
if ! TW_AS_UNIT=1 tw_daemon fw; then
	tw_fail setup "daemon did not start"
	tw_summary
	exit 1
fi

ok_api() {
	[ "$(tw_status)" = 200 ] &&
	    ! grep -q '"result":"failed"' "$TW_TMP/body" || {
		echo "HTTP $(tw_status): $(cat "$TW_TMP/body")"
		return 1
	}
}
set_if() {
	tw_api POST "interfaces/settings/set_item/$1" "{\"interface\":$2}" \
	    >/dev/null
	ok_api
}
apply_if() {
	tw_api POST interfaces/settings/reconfigure >/dev/null
	ok_api
}
# info IF EXPR: a Python expression over get_interface/IF (w).
info() {
	tw_api GET "interfaces/overview/get_interface/$1" |
	    tw_json "(lambda w: $2)(j)"
}
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
global6() {
	tw_in "$1" ip -6 -o addr show dev "$2" scope global |
	    awk '{ print $4 }'
}

# --- 1. refusals ----------------------------------------------------------
t_refuse() {
	set_if lan '{"ipaddrv6":"track6","track6_interface":"wan"}' &&
	    { echo "accepted"; return 1; }
	tw_json 'j["validations"]["interface.track6_interface"]' \
	    < "$TW_TMP/body" | grep -q "wan does not ask for a delegated" || {
		cat "$TW_TMP/body"
		return 1
	}
}
tw_check "track6 on a WAN that asks for no prefix refused \
(interface.track6_interface)" t_refuse

# --- 2. DHCPv6 address and delegated prefix; the LAN's /64 -------------
t_setup() {
	set_if wan '{"device":"wan0","ipaddr":"none","ipaddrv6":"dhcp6",
"dhcp6_ia_pd_len":"8"}' || return 1
	set_if lan '{"ipaddrv6":"track6","track6_interface":"wan",
"track6_prefix_id":"300"}' && { echo "id 300 accepted"; return 1; }
	tw_json 'j["validations"]["interface.track6_prefix_id"]' \
	    < "$TW_TMP/body" | grep -q "does not fit the /56" || {
		cat "$TW_TMP/body"
		return 1
	}
	set_if lan '{"device":"lan0","ipaddrv6":"track6",
"track6_interface":"wan","track6_prefix_id":"5"}' || return 1
	date +%s.%N > "$TW_TMP/t0"
	apply_if || return 1
	# The factory's LAN IPv6 rule: "lan net" is the delegated /64.
	tw_api POST firewall/filter/add_rule '{"rule":{"interface":"lan",
"ipprotocol":"inet6","source_net":"lan",
"description":"Default allow LAN IPv6 to any rule"}}' >/dev/null
	ok_api || return 1
	tw_api POST firewall/filter/apply >/dev/null
	ok_api
}
tw_check "wan dhcp6 with a /56 asked for, lan track6 prefix id 5 (a prefix \
id beyond the /56 refused: interface.track6_prefix_id)" t_setup

wan_na() {
	global6 fw wan0 | grep -q '^2001:db8:77::1[0-9a-f][0-9a-f]/'
}
t_wan() {
	wait_for 10 wan_na || { global6 fw wan0; return 1; }
	awk "BEGIN { print $(date +%s.%N) - $(cat "$TW_TMP/t0") }" \
	    > "$TW_TMP/t_wan"
	tw_in fw ip -6 route show default | grep -q "via fe80::" || {
		tw_in fw ip -6 route
		return 1
	}
	tw_in fw ping -6 -c 1 -W 2 2001:db8:99::1 >/dev/null
}
tw_check "wan gets its DHCPv6 address (IA_NA) and the default route from \
the upstream's RA" t_wan
echo "# DHCPv6 address $(cat "$TW_TMP/t_wan" 2>/dev/null) s after the apply"

# lan_pfx: the /64 the status shows on lan ("" none).
lan_pfx() {
	info lan 'w.get("track6", {}).get("prefix", "")'
}
t_lan() {
	has() { [ -n "$(lan_pfx)" ]; }
	wait_for 10 has || { info lan 'w'; return 1; }
	P=$(lan_pfx)
	case "$P" in 2001:db8:f0:*5::) ;;
	*) echo "prefix $P is not id 5 of the delegation"; return 1 ;; esac
	# That one only: the client delegates nothing itself.
	[ "$(global6 fw lan0)" = "${P}1/64" ] || { global6 fw lan0
	    return 1; }
	echo "$P" > "$TW_TMP/p1"
}
tw_check "lan (track6) takes ::1 of the /64 numbered 5 of the delegated /56" \
    t_lan
P1=$(cat "$TW_TMP/p1" 2>/dev/null)

t_status() {
	out=$(info wan '[any(a["ipaddr"].startswith(w["dhcp"]["lease6"]["address"]
+ "/") for a in w["ipv6"]), w["dhcp"]["lease6"]["prefix_len"],
w["dhcp"]["lease6"]["prefix"].startswith("2001:db8:f0:"),
w["dhcp"]["lease6"]["prefix_valid_until"] - w["dhcp"]["lease6"]["obtained"],
w["dhcp"]["lease6"]["prefix_preferred_until"] -
w["dhcp"]["lease6"]["obtained"], w["dhcp"]["lease6"]["dns"]]')
	[ "$out" = '[true, 56, true, 60, 40, ["2001:db8:77::53"]]' ] || {
		echo "wan: $out"
		return 1
	}
	out=$(info lan '[w["track6"]["interface"], w["track6"]["prefix_id"],
w["track6"]["radvd"], w["track6"]["address"],
w["track6"]["delegated"].endswith("::/56")]')
	[ "$out" = "[\"wan\", 5, \"running\", \"${P1}1/64\", true]" ] || {
		echo "lan: $out"
		return 1
	}
}
tw_check "interfaces/overview: the wan's DHCPv6 address, delegated prefix \
and lifetimes, DNS; the lan's /64 and radvd" t_status

t_console() {
	out=$(echo 0 | tw_in fw "$TW_BIN" console --data "$TW_DATA" 2>&1)
	echo "$out" | grep -q "track6 of wan: ${P1}1/64" &&
	    echo "$out" | grep -q "delegated 2001:db8:f0:[0-9a-f:]*/56, valid" &&
	    echo "$out" | grep -q "DHCPv6 address 2001:db8:77::1" || {
		echo "$out" > "$TW_TMP/console.out"
		echo "$out" | head -14
		return 1
	}
}
tw_check "the console's header shows the delegated prefix and the lan's /64" \
    t_console

# host_addr P: the host's address in the /64 P ("2001:db8:f0:5::").
host_addr() {
	global6 host eth0 | grep "^${1%:}" | head -1
}
t_host() {
	hostup() { [ -n "$(host_addr "$P1")" ]; }
	wait_for 15 hostup || { global6 host eth0; return 1; }
	tw_in host ip -6 route show default | grep -q "via fe80::" || {
		tw_in host ip -6 route
		return 1
	}
	tw_in host ping -6 -c 1 -W 2 2001:db8:99::1 >/dev/null || {
		tw_in fw nft list ruleset > "$TW_TMP/ruleset.txt"
		echo "no reply from the upstream"
		return 1
	}
	# And TCP, from the prefix's address, answered upstream.
	tw_bg up socat -T 5 TCP6-LISTEN:8080,bind=[2001:db8:99::1],reuseaddr \
	    SYSTEM:'echo upstream' 2>/dev/null
	tw_listening up 8080
	out=$(tw_in host socat -T 3 - TCP6:[2001:db8:99::1]:8080 </dev/null)
	[ "$out" = upstream ] || { echo "TCP: '$out'"; return 1; }
}
tw_check "a lan host configures an address of the /64 from the fw's RA and \
reaches the upstream through it (ping6, TCP)" t_host

t_dns() {
	tw_api POST core/system/set '{"system":{"dnsserver":"192.0.2.53",
"dnsallowoverride":"1"}}' >/dev/null
	ok_api || return 1
	tw_api POST core/system/reconfigure >/dev/null
	ok_api || return 1
	got=$(grep '^nameserver' "$ETC/resolv.conf" | tr '\n' ' ')
	[ "$got" = "nameserver 192.0.2.53 nameserver 2001:db8:77::53 " ] || {
		echo "resolv.conf: $got"
		return 1
	}
}
tw_check "dnsallowoverride: the DHCPv6 lease's DNS server follows the \
configured one in resolv.conf" t_dns

# --- 3. the delegated prefix changes ---------------------------------------
t_change() {
	kill "$KEA_PID"
	wait "$KEA_PID" 2>/dev/null
	kea_conf 2001:db8:f1::
	kea_start || { echo "kea did not restart"; return 1; }
	moved() { lan_pfx | grep -q '^2001:db8:f1:'; }
	wait_for 30 moved || { info lan 'w["track6"]'; return 1; }
	P2=$(lan_pfx)
	global6 fw lan0 | grep -qx "${P2}1/64" || { global6 fw lan0
	    return 1; }
	global6 fw lan0 | grep -q "^$P1" && { echo "old ${P1}1 kept"
	    return 1; }
	echo "$P2" > "$TW_TMP/p2"
	[ "$(info lan 'w["track6"]["deprecated"]')" = "$P1" ] || {
		info lan 'w["track6"]'
		return 1
	}
}
tw_check "a new delegation (Kea restarted with another pool): lan moves to \
the new /64, the old address goes" t_change
P2=$(cat "$TW_TMP/p2" 2>/dev/null)

t_host_follows() {
	[ -n "$P2" ] || return 1
	hostup() { [ -n "$(host_addr "$P2")" ]; }
	wait_for 15 hostup || { global6 host eth0; return 1; }
	# The old prefix is announced with preferred lifetime 0.
	old() {
		tw_in host ip -6 -o addr show dev eth0 | grep "${P1%:}" |
		    grep -q deprecated
	}
	wait_for 5 old || { tw_in host ip -6 -o addr show dev eth0
	    return 1; }
	tw_in host ping -6 -c 1 -W 2 -I "$(host_addr "$P2" |
	    sed 's,/.*,,')" 2001:db8:99::1 >/dev/null
}
tw_check "the lan host takes an address of the new /64 (the old one \
deprecated) and reaches the upstream from it" t_host_follows

# --- 4. switched to none: clients and radvd stop, addresses gone --------
t_none() {
	set_if lan '{"ipaddrv6":"none"}' && set_if wan '{"ipaddrv6":"none"}' &&
	    apply_if || return 1
	pgrep -f "$TW_DATA/rendered/dhcpcd-wan0.conf" >/dev/null && {
		echo "dhcpcd still runs"
		return 1
	}
	pgrep -f "$TW_DATA/rendered/radvd.conf" >/dev/null && {
		echo "radvd still runs"
		return 1
	}
	[ -z "$(global6 fw lan0)" ] || { echo "lan0: $(global6 fw lan0)"
	    return 1; }
	[ -z "$(global6 fw wan0)" ] || { echo "wan0: $(global6 fw wan0)"
	    return 1; }
	# Not asserted: the client sends its RELEASE once as it exits (no
	# retransmission), and one sent during a renewal goes unanswered.
	if wait_for 3 grep -q DHCP6_RELEASE "$TW_TMP/kea.log"; then
		echo "released" > "$TW_TMP/released"
	fi
}
tw_check "switched to none: dhcpcd and radvd stop, the wan's and lan's \
addresses go" t_none
echo "# the server saw the release: $(cat "$TW_TMP/released" 2>/dev/null ||
    echo no)"

t_dns_gone() {
	got=$(grep '^nameserver' "$ETC/resolv.conf" | tr '\n' ' ')
	[ "$got" = "nameserver 192.0.2.53 " ] || {
		echo "resolv.conf: $got"
		return 1
	}
}
tw_check "the lease released: resolv.conf keeps the configured server only" \
    t_dns_gone

# --- 5. the console sets both again ----------------------------------------
t_console_set() {
	printf '2\n2\nn\nnone\ny\ndhcp6\n8\nn\ny\n2\n1\nn\n192.168.1.1/24\ny\ntrack6\nwan\n3\nn\ny\n0\n' |
	    tw_in fw "$TW_BIN" console --data "$TW_DATA" > "$TW_TMP/console2.out" 2>&1
	back() { lan_pfx | grep -q '^2001:db8:f1:[0-9a-f]*3::$'; }
	wait_for 15 back || { info lan 'w.get("track6")'
	    grep -i "refus\|must\|error" "$TW_TMP/console2.out" | head -3
	    return 1; }
	[ "$(global6 fw lan0)" = "$(lan_pfx)1/64" ] || { global6 fw lan0
	    return 1; }
}
tw_check "console option 2: wan dhcp6 asking a /56 and lan track6 id 3; \
applied, lan takes the /64 numbered 3" t_console_set

tw_summary
