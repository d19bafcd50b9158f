#!/bin/sh
# test_proxyarp_ha.sh — proxy-ARP VIPs on the HA pair (tests/netns/
# ha_lib.sh): with the CARP VIP (vhid 148) on WAN, only the MASTER
# answers for the proxy addresses 192.168.148.100 and fd48::100, with
# the virtual MAC 00:00:5e:00:01:94, so the wan host's neighbour entry
# survives a failover unchanged and a port forward to the proxy address
# keeps working; a new MASTER announces the addresses.
#
# Who answered is seen in the WAN switch's namespace: a request sent
# into the bridge, the answers counted by the port they came in on (p1
# is fw1, p2 fw2). Prints "PASS name" / "FAIL name: reason", then
# "N passed, N failed". Root only.
set -u
cd "$(dirname "$0")/../.." || exit 1
if [ "$(id -u)" != 0 ] || ! ip netns list >/dev/null 2>&1; then
	echo "SKIPPED: needs root (network namespaces)"
	exit 0
fi
for t in conntrackd curl python3; do
	command -v $t >/dev/null || { echo "SKIPPED: $t missing (make deps)";
	    exit 0; }
done
HA_ROOT=$PWD
HA_P=twa$$
HA_RUN=$(mktemp -d /tmp/tw-pha.XXXXXX)
. tests/netns/ha_lib.sh
PARP=$PWD/tests/netns/parp_probe.py
PROBE=$PWD/tests/netns/filter_probe.py
VMAC=00:00:5e:00:01:94
P4=$HA_WAN_NET.100
P6=fd48::100
. tests/netns/ha_test.sh

# only_port PORT arp|ns TARGET [DST]: exactly one answer came in, on PORT,
# with the virtual MAC (br0 sees the same answer delivered to itself).
only_port() {
	src=$HA_WAN_NET.9
	[ "$2" = ns ] && src=fd48::9
	a=$(ha_x sww python3 "$PARP" "$2" br0 "$3" "$src" ${4:-} |
	    grep -v '^br0 ')
	[ "$a" = "$1 $VMAC $VMAC" ] ||
	    { echo "answers for $3 by port: '$a', want one on $1"; return 1; }
}

# wan_neigh ADDR: the wan host's neighbour entry for ADDR, as it is.
wan_neigh() {
	ha_x wan ip -j neigh show to "$1" dev eth0 | python3 -c '
import json, sys
j = json.load(sys.stdin)
print((j[0].get("lladdr") or "none") if j else "none")'
}

# resolves ADDR: the wan host resolves ADDR (afresh) to the vMAC.
resolves() {
	ha_x wan ip neigh flush to "$1" dev eth0 2>/dev/null
	ha_x wan ping -c1 -W1 -q "$1" >/dev/null 2>&1
	m=$(wan_neigh "$1")
	[ "$m" = $VMAC ] || { echo "wan host resolved $1 to $m"; return 1; }
}

still() {
	m=$(wan_neigh "$1")
	[ "$m" = $VMAC ] || { echo "wan host's entry for $1 is $m"; return 1; }
}

forward() {
	got=$(ha_x wan python3 "$PROBE" tcp $P4 8080)
	case $got in
	"open lansrv peer=$HA_WAN_HOST"*) return 0 ;;
	esac
	echo "tcp $P4:8080 from the wan host: $got"
	return 1
}

# announced ADDR: a dummy entry on the wan host, rewritten to the vMAC by
# the new MASTER's gratuitous ARP / unsolicited NA alone.
dummy() {
	ha_x wan ip neigh replace "$1" lladdr 02:00:00:00:00:99 dev eth0 \
	    nud stale
}
announced() {
	i=0
	while [ "$(wan_neigh "$1")" != $VMAC ] && [ $i -lt 20 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	still "$1"
}

# pxconf N: WAN IPv6, the proxy VIPs and the port forward on fwN.
pxconf() {
	ha_api "$1" POST interfaces/settings/set_item/wan "{\"interface\":
	    {\"ipaddrv6\":\"fd48::23$1\",\"subnetv6\":\"64\"}}" &&
	ha_api "$1" POST interfaces/settings/reconfigure '{}' &&
	ha_api "$1" POST interfaces/vip_settings/add_item '{"vip":{"mode":
	    "proxyarp","interface":"wan","subnet":"'$P4'",
	    "subnet_bits":"24"}}' &&
	ha_api "$1" POST interfaces/vip_settings/add_item '{"vip":{"mode":
	    "proxyarp","interface":"wan","subnet":"'$P6'",
	    "subnet_bits":"64"}}' &&
	ha_api "$1" POST interfaces/vip_settings/reconfigure '{}' &&
	ha_api "$1" POST firewall/d_nat/add_rule '{"rule":{"interface":"wan",
	    "protocol":"tcp","destination_net":"'$P4'",
	    "destination_port":"8080","target":"'$HA_LAN_HOST'",
	    "local_port":"8000"}}' &&
	ha_api "$1" POST firewall/d_nat/apply '{}'
}

# --- the pair -------------------------------------------------------------
if ! ha_topo_up || ! ha_x wan ip -6 addr add fd48::1/64 dev eth0 nodad; then
	bad setup "cannot build the topology"
	finish
fi
out=""
for n in 1 2; do
	if ! ha_daemon_start $n || ! out=$(ha_configure $n 2>&1) ||
	    ! out=$(pxconf $n 2>&1); then
		bad setup "fw$n: $(tail -n 3 "$HA_RUN/fw$n.log") $out"
		finish
	fi
done
if ha_wait_holder fw1 20; then
	ok "setup (fw1 MASTER, fw2 BACKUP, proxy VIPs on both)"
else
	bad setup "fw1 does not hold both VIPs: $(ha_where)"
	finish
fi
ha_x lan python3 "$PROBE" serve tcp 8000 tag=lansrv > /dev/null 2>&1 &
ha_listening lan 8000

check "v4 answered by the MASTER only, with the vMAC" only_port p1 arp $P4
check "v6 answered by the MASTER only, with the vMAC" only_port p1 ns $P6
# A neighbour revalidating its entry asks the vMAC itself (RFC 1122
# 2.3.2.1 unicast poll): that arrives on the macvlan, not the parent.
check "v4 request unicast to the vMAC answered" only_port p1 arp $P4 $VMAC
check "wan host resolves $P4 to the vMAC" resolves $P4
check "wan host resolves $P6 to the vMAC" resolves $P6
check "port forward via the proxy address (fw1)" forward

# --- failover: fw1 in maintenance, its links stay up but it is BACKUP ----
if ha_api 1 POST diagnostics/interface/carp_status/maintenance/1 \
    >/dev/null && ha_wait_holder fw2 8; then
	ok "failover: fw2 MASTER"
else
	bad "failover: fw2 MASTER" "$(ha_where)"
fi
check "after failover: wan host's entry for $P4 unchanged" still $P4
check "after failover: wan host's entry for $P6 unchanged" still $P6
check "after failover: v4 answered by fw2 only" only_port p2 arp $P4
check "after failover: v6 answered by fw2 only" only_port p2 ns $P6
check "after failover: unicast to the vMAC answered by fw2" \
    only_port p2 arp $P4 $VMAC
check "after failover: port forward via the proxy address (fw2)" forward

# --- failback: the new MASTER announces the proxy addresses --------------
dummy $P4
dummy $P6
if ha_api 1 POST diagnostics/interface/carp_status/maintenance/0 \
    >/dev/null && ha_wait_holder fw1 20; then
	ok "failback: fw1 MASTER"
else
	bad "failback: fw1 MASTER" "$(ha_where)"
fi
check "takeover announces $P4 (gratuitous ARP)" announced $P4
check "takeover announces $P6 (unsolicited NA)" announced $P6
check "after failback: v4 answered by fw1 only" only_port p1 arp $P4
check "after failback: v6 answered by fw1 only" only_port p1 ns $P6
check "after failback: port forward via the proxy address" forward

finish
