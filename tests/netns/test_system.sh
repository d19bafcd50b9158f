#!/bin/sh
# test_system.sh — the system settings reach the host: host name, domain,
# resolvers, time zone and the web GUI's protocol/port, set through the
# API and applied by a REAL daemon (--platform linux), then again after
# a "reboot".
#
# The daemon runs in a network namespace, inside its own mount and UTS
# namespaces (unshare --mount --uts) with a private copy of /etc bound
# over /etc: it writes the real paths (/etc/hostname, /etc/hosts,
# /etc/resolv.conf, /etc/localtime, /etc/timezone) and sets the kernel's
# host name without touching this machine's. The copy is read from here.
#
#   sh tests/netns/test_system.sh          (root; else SKIPPED)
#   TW_BIN=build/asan/twinwall sh tests/netns/test_system.sh
#
# Prints "PASS name" / "FAIL name: reason", then "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/netns/lib.sh
tw_init tws
TW_BIN=$(realpath "${TW_BIN:-build/twinwall}")
for t in unshare nsenter; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "SKIPPED: needs $t"
		exit 0
	fi
done
if [ ! -f /usr/share/zoneinfo/America/New_York ]; then
	echo "SKIPPED: needs tzdata"
	exit 0
fi

OLD=18480			# --listen, as the daemon is started
NEW=443				# stored: below 1024, bound by the root parent
BUSY=18490			# held by another program
ETC="$TW_TMP/etc"
TW_DATA="$TW_TMP/data"
TW_DNS=fw
mkdir -p "$TW_DATA"

# What this machine has, to prove it is never touched.
host_state() {
	{ hostname; readlink /etc/localtime; cat /etc/hostname /etc/hosts \
	    /etc/resolv.conf /etc/timezone 2>/dev/null; } | sha256sum
}
HOST0=$(host_state)

# sys_boot NAME [FILE]: a fresh copy of /etc (as a disk the settings
# never reached), a fresh UTS namespace named NAME, and the daemon on
# $OLD. With FILE, FILE is bind-mounted over /etc/resolv.conf as
# container runtimes do (it cannot be renamed over: EBUSY), and
# $RESOLV names it.
RESOLV="$ETC/resolv.conf"
sys_boot() {
	rm -rf "$ETC"
	cp -a /etc "$ETC"
	# Debian's line for the host's own name, to be replaced; the others
	# (localhost, an administrator's host) must stay.
	printf '127.0.0.1\tlocalhost\n127.0.1.1\toldname\n192.0.2.80\tbackup-host\n' \
	    > "$ETC/hosts"
	printf 'nameserver 198.51.100.1\n' > "$ETC/resolv.conf"
	RESOLV="$ETC/resolv.conf"
	if [ -n "${2:-}" ]; then
		printf 'nameserver 198.51.100.2\n' > "$2"
		RESOLV=$2
	fi
	ip netns exec "$TW_ID-fw" unshare --mount --uts --propagation private \
	    sh -c 'mount --bind "$1" /etc && hostname "$2" &&
	    { [ -z "$6" ] || mount --bind "$6" /etc/resolv.conf; } &&
	    exec "$3" daemon --data "$4" --listen "127.0.0.1:$5" --no-tls \
	    --platform linux' sys "$ETC" "$1" "$TW_BIN" "$TW_DATA" "$OLD" \
	    "${2:-}" >> "$TW_TMP/daemon.log" 2>&1 &
	TW_DPID=$!
}

# gui_up URL: waits (5 s) until the API answers there.
gui_up() {
	i=0
	until ip netns exec "$TW_ID-fw" curl -sk -o /dev/null -m 2 \
	    -u "$TW_KEY:$TW_SECRET" "$1/core/ping"; do
		i=$((i + 1))
		[ $i -gt 50 ] && return 1
		sleep 0.1
	done
}

# gui_gone URL: waits (6 s) until the port refuses connections (curl's
# exit 7): a socket still open but no longer served would time out.
gui_gone() {
	i=0
	while :; do
		ip netns exec "$TW_ID-fw" curl -sk -o /dev/null -m 1 \
		    "$1/core/ping"
		[ $? -eq 7 ] && return 0
		i=$((i + 1))
		[ $i -gt 30 ] && return 1
		sleep 0.2
	done
}

# The settings as the host must show them.
uts_name() {
	nsenter -t "$TW_DPID" --uts hostname
}
check_host() {
	tw_check "$1: kernel host name" test "$(uts_name)" = fw-sys1
	tw_check "$1: /etc/hostname" test "$(cat "$ETC/hostname")" = fw-sys1
	tw_check "$1: /etc/hosts has the host's line" \
	    grep -qx "$(printf '127.0.1.1\tfw-sys1.lab.example\tfw-sys1')" \
	    "$ETC/hosts"
	tw_check "$1: /etc/hosts keeps the other lines" sh -c \
	    "grep -c . '$ETC/hosts' | grep -qx 3 &&
	    grep -qx '$(printf '127.0.0.1\tlocalhost')' '$ETC/hosts' &&
	    grep -qx '$(printf '192.0.2.80\tbackup-host')' '$ETC/hosts' &&
	    ! grep -q oldname '$ETC/hosts'"
	tw_check "$1: resolv.conf" sh -c "
	    grep -v '^#' '$RESOLV' | tr '\n' ' ' | grep -qx \
	    'search lab.example nameserver 192.0.2.53 nameserver 2001:db8::35 '"
	tw_check "$1: /etc/localtime" test "$(readlink "$ETC/localtime")" = \
	    /usr/share/zoneinfo/America/New_York
	tw_check "$1: /etc/timezone" test "$(cat "$ETC/timezone")" = \
	    America/New_York
	tw_check "$1: localtime works" sh -c "TZ=:'$ETC/localtime' date +%Z |
	    grep -Eqx 'EST|EDT'"
}

# --- first boot --------------------------------------------------------
tw_ns fw || { tw_fail setup "no namespace"; tw_summary; exit 1; }
sys_boot fw-before
TW_API="http://127.0.0.1:$OLD/api"
i=0
until ip netns exec "$TW_ID-fw" curl -s -o /dev/null "$TW_API/core/ping"; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 "$TW_DPID" 2>/dev/null; then
		tw_fail setup "daemon did not start: $(tail -5 "$TW_TMP/daemon.log")"
		tw_summary
		exit 1
	fi
	sleep 0.1
done
out=$("$TW_BIN" apikey --data "$TW_DATA" --user root)
TW_KEY=$(echo $out | awk '{ print $(NF - 1) }')
TW_SECRET=$(echo $out | awk '{ print $NF }')

tw_check "fresh store changes nothing" test "$(uts_name)" = fw-before

# A port someone else holds: the apply fails naming it, nothing moves.
tw_bg fw python3 -c "import socket, time
s = socket.socket(); s.bind(('127.0.0.1', $BUSY)); s.listen(); time.sleep(120)"
i=0
until tw_in fw python3 -c "import socket
socket.create_connection(('127.0.0.1', $BUSY), 1)" 2>/dev/null; do
	i=$((i + 1)); [ $i -gt 50 ] && break; sleep 0.1
done
tw_api POST core/system/set "{\"system\":{\"webgui_port\":\"$BUSY\",
    \"hostname\":\"fw-busy\"}}" > /dev/null
body=$(tw_api POST core/system/reconfigure)
tw_check "busy port: the apply fails naming it" sh -c "
    test '$(tw_status)' = 500 && echo '$body' | grep -q 'webgui_port' &&
    echo '$body' | grep -q '127.0.0.1:$BUSY' &&
    echo '$body' | grep -qi 'in use'"
tw_check "busy port: still served on the old port" gui_up "$TW_API"
tw_check "busy port: nothing else applied" test "$(uts_name)" = fw-before
tw_check "busy port: logged" grep -q "cannot listen on 127.0.0.1:$BUSY" \
    "$TW_TMP/daemon.log"

# The real change, answered on the old socket, then moved.
tw_api POST core/system/set '{"system":{"hostname":"fw-sys1",
    "domain":"lab.example","dnsserver":"192.0.2.53,2001:db8::35",
    "timezone":"America/New_York","webgui_protocol":"https",
    "webgui_port":"443"}}' > /dev/null
tw_check "settings saved" test "$(tw_status)" = 200
body=$(tw_api POST core/system/reconfigure)
tw_check "apply answered on the old port" sh -c \
    "test '$(tw_status)' = 200 && echo '$body' | grep -q '\"ok\"'"
tw_check "GUI answers on https port $NEW" gui_up "https://127.0.0.1:$NEW/api"
tw_check "old port $OLD closed" gui_gone "$TW_API"
check_host apply
TW_API="https://127.0.0.1:$NEW/api"
tw_check "API keys still valid on the new port" sh -c \
    "ip netns exec '$TW_ID-fw' curl -sk -u '$TW_KEY:$TW_SECRET' \
    '$TW_API/core/system/get' | grep -q fw-sys1"

# A resolver manager's resolv.conf is left to it, and the log says so.
rm -f "$ETC/resolv.conf"
ln -s ../run/resolver-test/resolv.conf "$ETC/resolv.conf"
ip netns exec "$TW_ID-fw" curl -sk -u "$TW_KEY:$TW_SECRET" -X POST \
    -o "$TW_TMP/body" -w '%{http_code}' "$TW_API/core/system/reconfigure" \
    > "$TW_TMP/status"
tw_check "managed resolv.conf: apply ok" test "$(tw_status)" = 200
tw_check "managed resolv.conf: link left alone" test \
    "$(readlink "$ETC/resolv.conf")" = ../run/resolver-test/resolv.conf
tw_check "managed resolv.conf: logged" grep -q \
    "resolv.conf links to ../run/resolver-test/resolv.conf.*managed elsewhere" \
    "$TW_TMP/daemon.log"

# --- reboot: same data, a fresh /etc and a fresh UTS namespace ----------
kill "$TW_DPID"
i=0
while kill -0 "$TW_DPID" 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
tw_check "daemon stopped" sh -c "! kill -0 $TW_DPID 2>/dev/null"
sys_boot rebooted "$TW_TMP/resolv.mounted"
tw_check "reboot: GUI back on https port $NEW" gui_up \
    "https://127.0.0.1:$NEW/api"
# The boot apply has run once the listener moved.
tw_check "reboot: not on the command line's port $OLD" gui_gone \
    "http://127.0.0.1:$OLD/api"
check_host reboot
tw_check "reboot: bind-mounted resolv.conf rewritten in place" sh -c \
    "test \"\$(nsenter -t $TW_DPID --mount cat /etc/resolv.conf)\" = \
    \"\$(cat '$TW_TMP/resolv.mounted')\" &&
    ! grep -q 198.51.100.2 '$TW_TMP/resolv.mounted'"

tw_check "this machine untouched" test "$(host_state)" = "$HOST0"
kill "$TW_DPID"
i=0
while kill -0 "$TW_DPID" 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
tw_check "no sanitizer report" sh -c "! grep -E \
    'AddressSanitizer|LeakSanitizer|runtime error' '$TW_TMP/daemon.log'"
tw_summary
