# lib.sh — shared helpers for the namespace tests (sourced, POSIX sh).
#
#   . tests/netns/lib.sh
#   tw_init twf            # root check, unique prefix, cleanup trap
#   tw_ns fw; tw_ns lan    # namespaces "$TW_ID-fw", "$TW_ID-lan" (lo up)
#   tw_veth fw lan0 lan eth0
#   tw_bg fw python3 server.py   # background job, killed on exit
#   tw_daemon fw               # twinwall --platform linux in "$TW_ID-fw"
#   tw_check name cmd...       # PASS name / FAIL name: <output>
#   tw_summary                 # "N passed, N failed"; exit status
#
# Every namespace, background process and temporary directory made here
# is removed by the trap on ANY exit (normal, error, INT/TERM/HUP).
# Names are short so that "$TW_ID-name" stays a valid netns name.

TW_PASS=0
TW_FAIL=0
TW_NSLIST=""
TW_PIDS=""
TW_TMP=""
TW_DPID=""

tw_cleanup() {
	set +e
	for p in $TW_PIDS; do
		kill "$p" 2>/dev/null
	done
	if [ -n "$TW_DPID" ]; then
		kill "$TW_DPID" 2>/dev/null
		i=0
		while kill -0 "$TW_DPID" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -9 "$TW_DPID" 2>/dev/null
	fi
	for n in $TW_NSLIST; do
		# Anything still running in the namespace goes with it.
		for p in $(ip netns pids "$n" 2>/dev/null); do
			kill -9 "$p" 2>/dev/null
		done
		ip netns del "$n" 2>/dev/null
	done
	if [ -n "${TW_KEEP:-}" ]; then
		echo "# kept $TW_TMP (TW_KEEP)"
	elif [ -n "$TW_TMP" ]; then
		rm -rf "$TW_TMP"
	fi
}

# tw_init PREFIX: needs root and the tools; sets TW_ID, TW_TMP, the trap.
tw_init() {
	if [ "$(id -u)" != 0 ]; then
		echo "SKIPPED: needs root"
		exit 0
	fi
	for t in ip nft python3 curl; do
		if ! command -v "$t" >/dev/null 2>&1; then
			echo "SKIPPED: needs $t"
			exit 0
		fi
	done
	TW_ID="$1$$"
	TW_TMP=$(mktemp -d "/tmp/tw-$1.XXXXXX")
	chmod 755 "$TW_TMP"
	trap tw_cleanup EXIT
	trap 'exit 1' INT TERM HUP
}

# tw_ns NAME: creates "$TW_ID-NAME" with lo up.
tw_ns() {
	ip netns add "$TW_ID-$1" || return 1
	TW_NSLIST="$TW_NSLIST $TW_ID-$1"
	ip -n "$TW_ID-$1" link set lo up
}

# tw_veth NS1 DEV1 NS2 DEV2: a veth pair, both ends up.
tw_veth() {
	ip link add "$2" netns "$TW_ID-$1" type veth peer name "$4" \
	    netns "$TW_ID-$3" &&
	ip -n "$TW_ID-$1" link set "$2" up &&
	ip -n "$TW_ID-$3" link set "$4" up
}

# tw_in NS CMD...: runs CMD in "$TW_ID-NS".
tw_in() {
	ns=$1
	shift
	ip netns exec "$TW_ID-$ns" "$@"
}

# tw_listening_ns NETNS PORT: waits (up to 10 s) until a TCP server
# listens on PORT in the namespace named NETNS (in full): a client
# started before that is refused. 0 or 1. ha_lib.sh uses it too.
tw_listening_ns() {
	_i=0
	while [ $_i -lt 100 ]; do
		ip netns exec "$1" ss -Hltn "( sport = :$2 )" | grep -q . &&
		    return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}
# tw_listening NS PORT: the same for our namespace NS.
tw_listening() { tw_listening_ns "$TW_ID-$1" "$2"; }

# tw_bg NS CMD...: runs CMD in the background there, killed on exit.
tw_bg() {
	ns=$1
	shift
	ip netns exec "$TW_ID-$ns" "$@" &
	TW_PIDS="$TW_PIDS $!"
}

tw_pass() {
	echo "PASS $1"
	TW_PASS=$((TW_PASS + 1))
}

tw_fail() {
	echo "FAIL $1: $2"
	TW_FAIL=$((TW_FAIL + 1))
}

# tw_check NAME CMD...: PASS when CMD exits 0, else FAIL with its output.
tw_check() {
	name=$1
	shift
	if out=$("$@" 2>&1); then
		tw_pass "$name"
	else
		tw_fail "$name" "$(echo "$out" | tail -3 | tr '\n' ' ')"
	fi
}

tw_summary() {
	echo "$TW_PASS passed, $TW_FAIL failed"
	[ "$TW_FAIL" -eq 0 ]
}

# tw_unit_prefix: the words that run a daemon under the restrictions
# the package's unit puts on it (dist/twinwall.service: bounding set,
# no_new_privs, system call filter and namespaces, as tests/deb does),
# or nothing where python3-seccomp is missing.
tw_unit_prefix() {
	u=$PWD/dist/twinwall.service
	command -v setpriv >/dev/null &&
	    /usr/bin/python3 -c 'import seccomp' 2>/dev/null || return 0
	caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$u" | tr 'A-Z ' 'a-z\n' |
	    sed -n 's/^cap_/+/p' | paste -sd, -)
	echo "setpriv --no-new-privs --bounding-set -all,$caps --" \
	    "/usr/bin/python3 $PWD/tests/deb/filter.py $u --"
}

# tw_daemon NS [ENV=VAL...] [--opt=VAL...]: starts twinwall --platform
# linux in NS with its data in $TW_TMP/data, API on 127.0.0.1:18480
# (plain HTTP, loopback of that namespace), makes an API key; sets
# TW_DATA, TW_KEY, TW_SECRET. With TW_AS_UNIT=1, under the unit's
# restrictions (tw_unit_prefix).
tw_daemon() {
	ns=$1
	shift
	pre=
	if [ "${TW_AS_UNIT:-0}" = 1 ]; then
		pre=$(tw_unit_prefix)
		if [ -n "$pre" ]; then
			echo "# the daemon runs under dist/twinwall.service's restrictions"
		else
			echo "# the daemon runs unrestricted (no python3-seccomp)"
		fi
	fi
	TW_DATA="$TW_TMP/data"
	TW_API="http://127.0.0.1:18480/api"
	mkdir -p "$TW_DATA"
	# The rest: NAME=VALUE for the environment, --opt=VALUE for the daemon.
	envs= opts=
	for a; do
		case $a in
		-*) opts="$opts $a" ;;
		*) envs="$envs $a" ;;
		esac
	done
	# shellcheck disable=SC2086
	ip netns exec "$TW_ID-$ns" env $envs $pre "$TW_BIN" daemon --data "$TW_DATA" \
	    --listen 127.0.0.1:18480 --no-tls --platform linux $opts \
	    > "$TW_TMP/daemon.log" 2>&1 &
	TW_DPID=$!
	i=0
	until ip netns exec "$TW_ID-$ns" curl -s -o /dev/null \
	    "$TW_API/core/ping" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 "$TW_DPID" 2>/dev/null; then
			echo "daemon did not start:"
			tail -20 "$TW_TMP/daemon.log"
			return 1
		fi
		sleep 0.1
	done
	out=$("$TW_BIN" apikey --data "$TW_DATA" --user root) || return 1
	TW_KEY=$(echo $out | awk '{ print $(NF - 1) }')
	TW_SECRET=$(echo $out | awk '{ print $NF }')
	TW_DNS=$ns
}

# tw_api METHOD PATH [JSON]: the body on stdout; the HTTP status in
# $TW_TMP/status. Runs curl inside the daemon's namespace.
tw_api() {
	ip netns exec "$TW_ID-$TW_DNS" curl -s -u "$TW_KEY:$TW_SECRET" \
	    -X "$1" -H 'Content-Type: application/json' \
	    ${3:+--data-binary "$3"} -o "$TW_TMP/body" \
	    -w '%{http_code}' "$TW_API/$2" > "$TW_TMP/status"
	cat "$TW_TMP/body"
}

# tw_status: the HTTP status of the last tw_api.
tw_status() {
	cat "$TW_TMP/status"
}

# tw_json EXPR: evaluates a Python expression over the JSON on stdin (j).
tw_json() {
	python3 -c 'import json,sys
j = json.load(sys.stdin)
v = eval(sys.argv[1])
print(v if not isinstance(v, (dict, list)) else json.dumps(v))' "$1"
}
