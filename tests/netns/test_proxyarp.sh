#!/bin/sh
# test_proxyarp.sh — proxy-ARP VIPs on one firewall: extra addresses in
# the WAN subnet (the same subnet as the wan host), answered by the CARP
# engine's responder (IPv4) and the kernel's NDP proxy (IPv6), used as
# the target of a port forward. A REAL daemon (--platform linux) in the
# firewall namespace, configured through its API.
#
#   lan 192.168.50.2 -- lan0 [fw] wan0 -- 10.50.0.2, fd50::2 wan
#   proxy VIPs 10.50.0.100/24 and fd50::100/64 on wan
#
#   sh tests/netns/test_proxyarp.sh          (root; else SKIPPED)
#   TW_BIN=build/asan/twinwall sh tests/netns/test_proxyarp.sh
#
# Prints "PASS name" / "FAIL name: reason", then "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/netns/lib.sh
tw_init twp
TW_BIN=$(realpath "${TW_BIN:-build/twinwall}")
PROBE="$PWD/tests/netns/filter_probe.py"
PARP="$PWD/tests/netns/parp_probe.py"

tw_ns fw && tw_ns lan && tw_ns wan &&
tw_veth fw lan0 lan eth0 && tw_veth fw wan0 wan eth0 &&
tw_in lan ip addr add 192.168.50.2/24 dev eth0 &&
tw_in lan ip route add default via 192.168.50.1 &&
tw_in wan ip addr add 10.50.0.2/24 dev eth0 &&
tw_in wan ip -6 addr add fd50::2/64 dev eth0 nodad &&
tw_in fw sysctl -qw net.ipv4.ip_forward=1 || {
	tw_fail setup "cannot build the namespaces"
	tw_summary
	exit 1
}
tw_bg lan python3 "$PROBE" serve tcp 8000 tag=lansrv
if ! tw_daemon fw; then
	tw_fail setup "daemon did not start"
	tw_summary
	exit 1
fi
FWMAC=$(tw_in fw cat /sys/class/net/wan0/address)

ok_api() {
	[ "$(tw_status)" = 200 ] || {
		echo "HTTP $(tw_status): $(cat "$TW_TMP/body")"
		return 1
	}
}

# answers arp|ns TARGET SRC: one line per answer the wan host saw.
answers() {
	tw_in wan python3 "$PARP" "$1" eth0 "$2" "$3"
}

# one_answer arp|ns TARGET SRC MAC: exactly one answer, with MAC.
one_answer() {
	a=$(answers "$1" "$2" "$3") || return 1
	[ "$a" = "eth0 $4 $4" ] ||
	    { echo "answers for $2: '$a', want one from $4"; return 1; }
}

no_answer() {
	a=$(answers "$1" "$2" "$3") || return 1
	[ -z "$a" ] || { echo "answers for $2: '$a', want none"; return 1; }
}

# neigh_mac ADDR: what the wan host's kernel resolves ADDR to.
neigh_mac() {
	tw_in wan ip neigh flush to "$1" dev eth0 2>/dev/null
	tw_in wan ping -c1 -W1 -q "$1" >/dev/null 2>&1
	tw_in wan ip -j neigh show to "$1" dev eth0 |
	    tw_json '(j[0].get("lladdr") or "none") if j else "none"'
}

t_setup() {
	tw_api POST interfaces/settings/set_item/lan '{"interface":{"device":
	    "lan0","ipaddr":"192.168.50.1","subnet":"24"}}' >/dev/null &&
	    ok_api || return 1
	tw_api POST interfaces/settings/set_item/wan '{"interface":{"device":
	    "wan0","ipaddr":"10.50.0.1","subnet":"24","ipaddrv6":"fd50::1",
	    "subnetv6":"64","blockpriv":"0","blockbogons":"0"}}' >/dev/null &&
	    ok_api || return 1
	tw_api POST interfaces/settings/reconfigure >/dev/null && ok_api ||
	    return 1
	V4=$(tw_api POST interfaces/vip_settings/add_item '{"vip":{"mode":
	    "proxyarp","interface":"wan","subnet":"10.50.0.100",
	    "subnet_bits":"24"}}' | tw_json 'j["uuid"]') && ok_api || return 1
	V6=$(tw_api POST interfaces/vip_settings/add_item '{"vip":{"mode":
	    "proxyarp","interface":"wan","subnet":"fd50::100",
	    "subnet_bits":"64"}}' | tw_json 'j["uuid"]') && ok_api || return 1
	tw_api POST interfaces/vip_settings/reconfigure >/dev/null && ok_api ||
	    return 1
	R=$(tw_api POST firewall/d_nat/add_rule '{"rule":{"interface":"wan",
	    "protocol":"tcp","destination_net":"10.50.0.100",
	    "destination_port":"8080","target":"192.168.50.2",
	    "local_port":"8000"}}' | tw_json 'j["uuid"]') && ok_api || return 1
	tw_api POST firewall/d_nat/apply >/dev/null && ok_api
}
# Dummy entries on the wan host, for the announcements to rewrite.
tw_in wan ip neigh replace 10.50.0.100 lladdr 02:00:00:00:00:99 dev eth0 \
    nud stale
tw_in wan ip neigh replace fd50::100 lladdr 02:00:00:00:00:99 dev eth0 \
    nud stale
if ! t_setup > "$TW_TMP/setup" 2>&1; then
	tw_fail setup "$(tail -3 "$TW_TMP/setup" | tr '\n' ' ')"
	tail -15 "$TW_TMP/daemon.log" | sed 's/^/#   /'
	tw_summary
	exit 1
fi

# announced ADDR: the wan host's entry was rewritten without a question.
announced() {
	i=0
	while :; do
		m=$(tw_in wan ip -j neigh show to "$1" dev eth0 |
		    tw_json '(j[0].get("lladdr") or "none") if j else "none"')
		[ "$m" = "$FWMAC" ] && return 0
		[ $i -lt 20 ] || break
		sleep 0.1
		i=$((i + 1))
	done
	echo "wan host's entry for $1: $m"
	return 1
}
tw_check v4_gratuitous_arp_on_install announced 10.50.0.100
tw_check v6_unsolicited_na_on_install announced fd50::100

# --- IPv4: the engine's responder ---------------------------------------
tw_check v4_same_subnet_answered_with_fw_mac \
    one_answer arp 10.50.0.100 10.50.0.2 "$FWMAC"
t_v4_neigh() {
	m=$(neigh_mac 10.50.0.100)
	[ "$m" = "$FWMAC" ] || { echo "wan host resolved $m, want $FWMAC"
	    return 1; }
}
tw_check v4_wan_host_resolves_to_fw_mac t_v4_neigh
tw_check v4_other_address_not_answered \
    no_answer arp 10.50.0.101 10.50.0.2
tw_check v4_gratuitous_not_answered \
    no_answer arp 10.50.0.100 10.50.0.100
t_forward() {
	got=$(tw_in wan python3 "$PROBE" tcp 10.50.0.100 8080)
	case $got in
	"open lansrv peer=10.50.0.2"*) return 0 ;;
	esac
	echo "tcp 10.50.0.100:8080 from the wan host: $got"
	return 1
}
tw_check port_forward_via_proxy_address_reaches_lan t_forward

# --- IPv6: the kernel's NDP proxy ---------------------------------------
tw_check v6_same_prefix_answered_with_fw_mac \
    one_answer ns fd50::100 fd50::2 "$FWMAC"
t_v6_neigh() {
	m=$(neigh_mac fd50::100)
	[ "$m" = "$FWMAC" ] || { echo "wan host resolved $m, want $FWMAC"
	    return 1; }
}
tw_check v6_wan_host_resolves_to_fw_mac t_v6_neigh

# --- deleted: nobody answers any more ------------------------------------
t_delete() {
	# The port forward names the address: it goes first.
	tw_api POST "firewall/d_nat/del_rule/$R" >/dev/null && ok_api ||
	    return 1
	tw_api POST firewall/d_nat/apply >/dev/null && ok_api || return 1
	tw_api POST "interfaces/vip_settings/del_item/$V4" >/dev/null &&
	    ok_api || return 1
	tw_api POST "interfaces/vip_settings/del_item/$V6" >/dev/null &&
	    ok_api || return 1
	tw_api POST interfaces/vip_settings/reconfigure >/dev/null && ok_api
}
tw_check vips_deleted_and_applied t_delete
tw_check v4_not_answered_after_delete no_answer arp 10.50.0.100 10.50.0.2
tw_check v6_not_answered_after_delete no_answer ns fd50::100 fd50::2
t_entry_gone() {
	p=$(tw_in fw ip -6 neigh show proxy)
	[ -z "$p" ] || { echo "proxy entries left: $p"; return 1; }
}
tw_check v6_kernel_proxy_entry_removed t_entry_gone

if [ "$TW_FAIL" -gt 0 ]; then
	echo "# daemon log (tail):"
	tail -15 "$TW_TMP/daemon.log" | sed 's/^/#   /'
fi
tw_summary
