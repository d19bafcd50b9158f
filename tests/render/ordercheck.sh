#!/bin/sh
# ordercheck.sh — pf's quick / last-match decision, checked with real
# packets: loads cases/order_quick.nft into a firewall namespace and
# connects from a client namespace. r2 (quick block tcp 81) must win over
# the later non-quick pass r5; r5 (non-quick pass any) must win over the
# earlier non-quick block r3 (tcp 80). Both namespaces are deleted on exit.
set -u

here=$(dirname "$0")
if [ "$(id -u)" != 0 ]; then
	echo "SKIPPED: ordercheck needs root"
	exit 0
fi
for t in nft ip python3; do
	if ! command -v $t >/dev/null 2>&1; then
		echo "SKIPPED: $t not installed"
		exit 0
	fi
done

fw="twordfw.$$" cl="twordcl.$$" pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	ip netns del "$fw" 2>/dev/null
	ip netns del "$cl" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

ip netns add "$fw" && ip netns add "$cl" &&
ip link add eth1 netns "$fw" type veth peer name eth0 netns "$cl" &&
ip -n "$fw" addr add 192.168.1.1/24 dev eth1 &&
ip -n "$fw" link set eth1 up && ip -n "$fw" link set lo up &&
ip -n "$cl" addr add 192.168.1.2/24 dev eth0 &&
ip -n "$cl" link set eth0 up &&
ip netns exec "$fw" nft -f "$here/cases/order_quick.nft" || {
	echo "FAIL order_quick (setup)"
	exit 1
}

ip netns exec "$fw" python3 -c '
import socket, time
ss = []
for p in (80, 81):
    s = socket.socket(); s.bind(("0.0.0.0", p)); s.listen(8); ss.append(s)
time.sleep(10)' &
pid=$!
sleep 1

got=$(ip netns exec "$cl" python3 -c '
import socket
for p in (80, 81):
    s = socket.socket(); s.settimeout(1.5)
    try:
        s.connect(("192.168.1.1", p)); print("%d:open" % p, end=" ")
    except OSError:
        print("%d:blocked" % p, end=" ")
    s.close()')
if [ "$got" = "80:open 81:blocked " ]; then
	echo "PASS order_quick ($got)"
	exit 0
fi
echo "FAIL order_quick: want 80:open 81:blocked, got $got"
exit 1
