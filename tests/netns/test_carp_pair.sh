#!/bin/sh
# test_carp_pair.sh — real CARP between two real twinwall daemons (and a
# ucarp node) in network namespaces.
#
#   fw A (twinwall, advskew 0)      fw B (twinwall, advskew 100)
#     lan0 10.71.1.1   wan0 10.71.2.1   lan0 10.71.1.2   wan0 10.71.2.2
#        |                 |               |                 |
#   [sw: br1 (LAN) ---------------------- br1]  [br2 (WAN) ---- br2]
#        |
#     uc: ucarp node 10.71.1.3 (phase 4)
#
# Switch ports live in their own namespace, so `ip -n sw link set pa2
# down` is a carrier loss on A's WAN only. Each daemon listens on
# 127.0.0.1:8443 inside its namespace (plain HTTP, loopback): the API
# is reached with `ip netns exec NS curl`.
#
# Phases: 1 one VIP: exactly one MASTER (A); 2 kill -9 A: B is MASTER
# within 3 x advbase + skew/256 + margin, A comes back and preempts;
# 3 a second VIP on a second link (vhid 11 keeps its state), WAN link
# loss on A: BOTH VIPs move to B (group promotion), link back: both
# return; 4 ucarp on vhid 11 elects correctly in both orders.
#
# Root only ("SKIPPED: needs root" otherwise). Every namespace, process
# and directory is removed on any exit. Prints PASS/FAIL lines and
# "N passed, N failed".
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${TW_BIN:-$ROOT/build/twinwall}
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIPPED: needs root (network namespaces)"
	exit 0
fi
for t in ip curl python3; do
	command -v $t >/dev/null 2>&1 || { echo "SKIPPED: needs $t"; exit 0; }
done
[ -x "$BIN" ] || { echo "SKIPPED: $BIN not built"; exit 0; }

P="twc$$"
NS_A="$P-a" NS_B="$P-b" NS_SW="$P-sw" NS_U="$P-uc"
RUN=$(mktemp -d "/tmp/twcarp.XXXXXX")
chmod 755 "$RUN"	# the API child (user twinwall) walks through it
PASS=0 FAIL=0
PW="carp-pair-test"
MARGIN=1.0

cleanup() {
	for ns in $NS_A $NS_B $NS_U $NS_SW; do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -n "$pids" ] && kill $pids 2>/dev/null
	done
	sleep 0.5
	for ns in $NS_A $NS_B $NS_U $NS_SW; do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -n "$pids" ] && kill -9 $pids 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

pass() { PASS=$((PASS + 1)); echo "PASS $1"; }
fail() { FAIL=$((FAIL + 1)); echo "FAIL $1: $2"; }
now() { date +%s.%N; }
elapsed() { python3 -c "print('%.2f' % ($2 - $1))"; }
x() { ns=$1; shift; ip netns exec "$ns" "$@"; }

# --- topology ---------------------------------------------------------
for ns in $NS_A $NS_B $NS_SW $NS_U; do
	ip netns add "$ns" || exit 1
	ip -n "$ns" link set lo up
done
for br in br1 br2; do
	ip -n $NS_SW link add $br type bridge
	ip -n $NS_SW link set $br up
done
# port NS IFNAME SWPORT BRIDGE ADDR
port() {
	ip link add "$3" netns $NS_SW type veth peer name "$2" netns "$1"
	ip -n $NS_SW link set "$3" master "$4" up
	ip -n "$1" addr add "$5" dev "$2"
	ip -n "$1" link set "$2" up
}
port $NS_A lan0 pa1 br1 10.71.1.1/24
port $NS_A wan0 pa2 br2 10.71.2.1/24
port $NS_B lan0 pb1 br1 10.71.1.2/24
port $NS_B wan0 pb2 br2 10.71.2.2/24
port $NS_U uc1 pu1 br1 10.71.1.3/24

# --- daemons and the API ----------------------------------------------
# start NAME NS
start() {
	mkdir -p "$RUN/$1"
	# Not through x(): $! must be the daemon itself, not a subshell.
	ip netns exec "$2" "$BIN" daemon --data "$RUN/$1" \
	    --listen 127.0.0.1:8443 --platform linux --no-tls \
	    >> "$RUN/$1.out" 2>> "$RUN/$1.err" &
	echo $! > "$RUN/$1.pid"
	n=0
	until x "$2" curl -s -o /dev/null http://127.0.0.1:8443/api/core/ping
	do
		n=$((n + 1))
		[ $n -gt 100 ] && { echo "daemon $1 did not start:"; \
		    tail -20 "$RUN/$1.err"; return 1; }
		sleep 0.1
	done
	[ -f "$RUN/$1.key" ] ||
	    "$BIN" apikey --data "$RUN/$1" --user root > "$RUN/$1.key"
}
# api NS NAME METHOD PATH [JSON]
api() {
	set -- "$1" "$2" "$3" "$4" "${5:-}"
	k=$(cut -d' ' -f1 "$RUN/$2.key"):$(cut -d' ' -f2 "$RUN/$2.key")
	if [ -n "$5" ]; then
		x "$1" curl -s -u "$k" -X "$3" -H 'Content-Type: application/json' \
		    -d "$5" "http://127.0.0.1:8443/api/$4"
	else
		x "$1" curl -s -u "$k" -X "$3" "http://127.0.0.1:8443/api/$4"
	fi
}
# state NS NAME VHID -> MASTER|BACKUP|INIT|DISABLED|?
state() {
	api "$1" "$2" GET diagnostics/interface/get_vip_status |
	    python3 -c 'import json,sys
try:
    j = json.load(sys.stdin)
    print([r["status"] for r in j["rows"] if r["vhid"] == sys.argv[1]][0])
except Exception:
    print("?")' "$3"
}
# wait_state NS NAME VHID STATE SECONDS -> 0 when reached
wait_state() {
	end=$(python3 -c "import time; print(time.time() + $5)")
	while :; do
		[ "$(state "$1" "$2" "$3")" = "$4" ] && return 0
		python3 -c "import time,sys; sys.exit(time.time() > $end)" ||
		    return 1
		sleep 0.05
	done
}
# setup NS NAME OWNIP_LAN OWNIP_WAN
setup_ifs() {
	api "$1" "$2" POST interfaces/settings/set_item/lan "{\"interface\":
	    {\"device\":\"lan0\",\"ipaddr\":\"$3\",\"subnet\":\"24\",
	    \"ipaddrv6\":\"none\"}}" > /dev/null
	api "$1" "$2" POST interfaces/settings/set_item/wan "{\"interface\":
	    {\"device\":\"wan0\",\"ipaddr\":\"$4\",\"subnet\":\"24\",
	    \"ipaddrv6\":\"none\",\"blockpriv\":\"0\",\"blockbogons\":\"0\"}}" \
	    > /dev/null
	api "$1" "$2" POST interfaces/settings/reconfigure '{}' > /dev/null
}
# add_vip NS NAME IF ADDR VHID SKEW -> prints the uuid
add_vip() {
	api "$1" "$2" POST interfaces/vip_settings/add_item "{\"vip\":{
	    \"mode\":\"carp\",\"interface\":\"$3\",\"subnet\":\"$4\",
	    \"subnet_bits\":\"24\",\"vhid\":\"$5\",\"advbase\":\"1\",
	    \"advskew\":\"$6\",\"password\":\"$PW\"}}" |
	    python3 -c 'import json,sys; print(json.load(sys.stdin)["uuid"])'
}
reconf_vips() {
	api "$1" "$2" POST interfaces/vip_settings/reconfigure '{}' |
	    grep -q '"ok"'
}
# ctl DIR JSON: one request on DIR/control.sock, the answer on stdout
ctl() {
	python3 - "$1/control.sock" "$2" <<'EOF2'
import json, socket, struct, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
m = sys.argv[2].encode()
s.sendall(struct.pack(">I", len(m)) + m)
def rd(n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise SystemExit("control socket closed")
        b += c
    return b
print(rd(struct.unpack(">I", rd(4))[0]).decode())
EOF2
}
# took NS NAME VHID T0: seconds from T0 (epoch) to the newest transition
# of VHID to MASTER in the daemon's own timeline (not our polling).
took() {
	api "$1" "$2" GET core/hasync_status/timeline | python3 -c '
import json,sys
rows = [r for r in json.load(sys.stdin)["rows"]
        if r["vhid"] == int(sys.argv[1]) and r["to"] == "MASTER"]
print("%.2f" % (rows[0]["time"] - float(sys.argv[2])) if rows else "nan")
' "$3" "$4"
}
has_addr() { ip -n "$1" -4 addr show | grep -q "inet $2/"; }

start a $NS_A || exit 1
start b $NS_B || exit 1
setup_ifs $NS_A a 10.71.1.1 10.71.2.1
setup_ifs $NS_B b 10.71.1.2 10.71.2.2

# --- phase 1: one VIP, exactly one MASTER ------------------------------
add_vip $NS_A a lan 10.71.1.100 11 0 > "$RUN/a.vip11"
add_vip $NS_B b lan 10.71.1.100 11 100 > "$RUN/b.vip11"
reconf_vips $NS_A a && reconf_vips $NS_B b ||
    fail "reconfigure" "vip_settings/reconfigure did not answer ok"
if wait_state $NS_A a 11 MASTER 8 && wait_state $NS_B b 11 BACKUP 2; then
	sleep 2	# a few adverts later, still one master
	sa=$(state $NS_A a 11) sb=$(state $NS_B b 11)
	if [ "$sa" = MASTER ] && [ "$sb" = BACKUP ] &&
	    has_addr $NS_A 10.71.1.100 && ! has_addr $NS_B 10.71.1.100; then
		pass "one VIP: exactly one MASTER (A holds 10.71.1.100 on twc11)"
	else
		fail "one VIP: exactly one MASTER" "A=$sa B=$sb"
	fi
else
	fail "one VIP: exactly one MASTER" "A=$(state $NS_A a 11) \
B=$(state $NS_B b 11)"
fi

# --- phase 2: the master dies ------------------------------------------
# B: advbase 1, advskew 100: master-down = 3 x 1 + 100/256 s.
bound=$(python3 -c "print(3 * 1 + 100 / 256 + $MARGIN)")
kill -9 "$(cat "$RUN/a.pid")"
t0=$(now)
# A crashed: its virtual MAC device would keep the VIP; take it away as
# a dead box would (the frames stop), without touching B.
ip -n $NS_A link del twc11 2>/dev/null
if wait_state $NS_B b 11 MASTER 10; then
	dt=$(took $NS_B b 11 "$t0")
	echo "# failover after kill -9 of the master: ${dt}s (bound ${bound}s)"
	echo "failover_kill $dt" >> "$RUN/timings"
	if python3 -c "import sys; sys.exit(not $dt <= $bound)"; then
		pass "kill -9 master: B MASTER in ${dt}s <= ${bound}s"
	else
		fail "kill -9 master" "B took ${dt}s > ${bound}s"
	fi
else
	fail "kill -9 master" "B never became MASTER"
fi
has_addr $NS_B 10.71.1.100 && pass "B holds the VIP after failover" ||
    fail "B holds the VIP after failover" "10.71.1.100 not on B"
start a $NS_A || exit 1
t0=$(now)
if wait_state $NS_A a 11 MASTER 10 && wait_state $NS_B b 11 BACKUP 2; then
	echo "# restarted A preempted after $(elapsed "$t0" "$(now)")s"
	pass "restarted A (advskew 0) preempts B"
else
	fail "restarted A preempts" "A=$(state $NS_A a 11) B=$(state $NS_B b 11)"
fi

# --- phase 3: two VIPs on two links, group promotion -------------------
before=$(api $NS_A a GET core/hasync_status/timeline | python3 -c '
import json,sys; print(len([r for r in json.load(sys.stdin)["rows"]
    if r["vhid"] == 11]))')
add_vip $NS_A a wan 10.71.2.100 12 0 > /dev/null
add_vip $NS_B b wan 10.71.2.100 12 100 > /dev/null
reconf_vips $NS_A a && reconf_vips $NS_B b
after=$(api $NS_A a GET core/hasync_status/timeline | python3 -c '
import json,sys; print(len([r for r in json.load(sys.stdin)["rows"]
    if r["vhid"] == 11]))')
if [ "$before" = "$after" ] && [ "$(state $NS_A a 11)" = MASTER ]; then
	pass "reconfigure keeps the unchanged vhid 11 MASTER (no flap)"
else
	fail "reconfigure keeps vhid 11" "transitions $before -> $after, \
A=$(state $NS_A a 11)"
fi
wait_state $NS_A a 12 MASTER 8 && wait_state $NS_B b 12 BACKUP 2 &&
    pass "second VIP: A MASTER, B BACKUP" ||
    fail "second VIP" "A=$(state $NS_A a 12) B=$(state $NS_B b 12)"

ip -n $NS_SW link set pa2 down		# A's WAN loses carrier
t0=$(now)
if wait_state $NS_B b 11 MASTER 3 && wait_state $NS_B b 12 MASTER 5; then
	dt=$(took $NS_B b 12 "$t0")
	dt11=$(took $NS_B b 11 "$t0")
	echo "# WAN link loss on A: vhid 12 on B after ${dt}s, vhid 11 \
after ${dt11}s"
	echo "failover_link $dt" >> "$RUN/timings"
	sa11=$(state $NS_A a 11) sa12=$(state $NS_A a 12)
	if [ "$sa11" = BACKUP ] && [ "$sa12" = INIT ] &&
	    has_addr $NS_B 10.71.1.100 && has_addr $NS_B 10.71.2.100 &&
	    ! has_addr $NS_A 10.71.1.100; then
		pass "link down on A's WAN: BOTH VIPs move to B in ${dt}s \
(A: 11 BACKUP, 12 INIT)"
	else
		fail "group promotion" "A 11=$sa11 12=$sa12"
	fi
else
	fail "group promotion" "B 11=$(state $NS_B b 11) 12=$(state $NS_B b 12)"
fi
ip -n $NS_SW link set pa2 up
if wait_state $NS_A a 11 MASTER 8 && wait_state $NS_A a 12 MASTER 8 &&
    wait_state $NS_B b 11 BACKUP 2 && wait_state $NS_B b 12 BACKUP 2; then
	pass "link back: A takes both VIPs back (preempt)"
else
	fail "link back" "A 11=$(state $NS_A a 11) 12=$(state $NS_A a 12) \
B 11=$(state $NS_B b 11) 12=$(state $NS_B b 12)"
fi
api $NS_A a GET core/hasync_status/timeline | python3 -c '
import json,sys
rows = json.load(sys.stdin)["rows"]
sys.exit(not any("link down" in r["cause"] for r in rows))' &&
    pass "timeline names the cause (link down)" ||
    fail "timeline cause" "no link down entry"

# --- phase 4: ucarp interop on vhid 11 ----------------------------------
if ! command -v ucarp >/dev/null 2>&1; then
	echo "SKIP ucarp interop: ucarp not installed"
else
	kill "$(cat "$RUN/b.pid")"		# B leaves; ucarp takes its place
	wait_state $NS_A a 11 MASTER 5
	cat > "$RUN/up.sh" <<EOF
#!/bin/sh
echo MASTER > "$RUN/ucarp.state"
EOF
	cat > "$RUN/down.sh" <<EOF
#!/bin/sh
echo BACKUP > "$RUN/ucarp.state"
EOF
	chmod +x "$RUN/up.sh" "$RUN/down.sh"
	echo BACKUP > "$RUN/ucarp.state"
	ip netns exec $NS_U ucarp -i uc1 -s 10.71.1.3 -v 11 -p "$PW" -a 10.71.1.100 \
	    -b 1 -k 100 -P -n -u "$RUN/up.sh" -d "$RUN/down.sh" \
	    > "$RUN/ucarp.log" 2>&1 &
	sleep 5
	sa=$(state $NS_A a 11) su=$(cat "$RUN/ucarp.state")
	if [ "$sa" = MASTER ] && [ "$su" = BACKUP ]; then
		pass "ucarp -k 100 vs twinwall advskew 0: twinwall MASTER"
	else
		fail "ucarp (twinwall preferred)" "twinwall=$sa ucarp=$su"
	fi
	# Reverse the preference: twinwall advskew 200 (in place, no flap).
	uuid=$(cat "$RUN/a.vip11")
	api $NS_A a POST "interfaces/vip_settings/set_item/$uuid" \
	    '{"vip":{"advskew":"200"}}' > /dev/null
	reconf_vips $NS_A a
	t0=$(now)
	if wait_state $NS_A a 11 BACKUP 6; then
		sleep 1
		su=$(cat "$RUN/ucarp.state") sa=$(state $NS_A a 11)
		if [ "$su" = MASTER ] && [ "$sa" = BACKUP ]; then
			pass "twinwall advskew 200 vs ucarp -k 100: ucarp MASTER \
after $(elapsed "$t0" "$(now)")s"
		else
			fail "ucarp (ucarp preferred)" "twinwall=$sa ucarp=$su"
		fi
	else
		fail "ucarp (ucarp preferred)" "twinwall=$(state $NS_A a 11) \
ucarp=$(cat "$RUN/ucarp.state")"
	fi
	# ucarp stayed BACKUP under twinwall, so it took our HMAC; and we
	# took its adverts: accepted, never a bad HMAC.
	ctl "$RUN/a" '{"type":"carp_status"}' | python3 -c '
import json,sys
s = json.load(sys.stdin)["stats"]
print("# twinwall A stats:", s)
sys.exit(not (s["accepted"] > 0 and s["bad_hmac"] == 0))' &&
	    pass "twinwall accepts ucarp adverts (HMAC interop, no bad_hmac)" ||
	    fail "ucarp HMAC" "bad_hmac counted or nothing accepted"
fi

[ -f "$RUN/timings" ] && sed 's/^/# timing /' "$RUN/timings"
if [ "$FAIL" -gt 0 ]; then
	echo "# daemon A log tail:"; tail -30 "$RUN/a.err" | sed 's/^/#   /'
	echo "# daemon B log tail:"; tail -30 "$RUN/b.err" | sed 's/^/#   /'
fi
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
