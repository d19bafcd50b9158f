#!/bin/sh
# lab.sh run|stop — the HA lab of `make run` / `make stop`.
#
# As root: the seed's topology (tests/netns/ha_lib.sh) in namespaces
# twl-*, twinwall on fw1 and fw2 (--platform linux, data in
# /run/twinwall-lab/fwN), configured through the API as the seed
# procedure does (tests/netns/ha_setup.py), applied; the API/GUI of each
# node is forwarded to this machine on 127.0.0.1:18443 (fw1) and
# 127.0.0.1:18444 (fw2). It stays in the foreground; Ctrl-C or
# `make stop` removes every namespace, process and bridge. A second run
# cleans the first.
#
# Without root: one dry node (daemon --platform dry on 127.0.0.1:18443),
# nothing in the host is changed.
set -u
cd "$(dirname "$0")/../.." || exit 1
HA_ROOT=$PWD
HA_P=twl
HA_RUN=/run/twinwall-lab
. tests/netns/ha_lib.sh

FWD_BASE=18443

lab_stop() {
	if [ -d "$HA_RUN" ]; then
		for f in "$HA_RUN"/fwd*.pid; do
			[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
			rm -f "$f"
		done
		ha_daemon_kill 1
		ha_daemon_kill 2
	fi
	ha_topo_down
	if [ -f "$HA_RUN/lab.pid" ]; then
		pid=$(cat "$HA_RUN/lab.pid")
		rm -f "$HA_RUN/lab.pid"
		[ "$pid" != "$$" ] && kill "$pid" 2>/dev/null
	fi
	return 0
}

lab_owned() { [ "$(cat "$HA_RUN/lab.pid" 2>/dev/null)" = "$$" ]; }

# make kills only itself on SIGTERM: its recipe's shell and this script
# live on. `make run` passes its pid as TW_LAB_WATCH; once that process
# is gone, so is the lab.
lab_orphaned() {
	[ -n "${TW_LAB_WATCH:-}" ] && ! kill -0 "$TW_LAB_WATCH" 2>/dev/null
}

dry_run() {
	dir=${TMPDIR:-/tmp}/twinwall-dry-$(id -u)
	mkdir -p "$dir"
	echo "lab: not root: no namespaces, one DRY node only (nothing is"
	echo "lab: applied to this host; run 'make run' as root for the HA lab)"
	build/twinwall daemon --data "$dir" --listen 127.0.0.1:$FWD_BASE \
	    --platform dry --no-tls --www www > "$dir/daemon.log" 2>&1 &
	pid=$!
	trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; exit 0' INT TERM HUP
	i=0
	while [ $i -lt 100 ] && [ ! -s "$dir/initial-password" ]; do
		kill -0 $pid 2>/dev/null || { cat "$dir/daemon.log"; exit 1; }
		sleep 0.1
		i=$((i + 1))
	done
	echo "lab: GUI/API  http://127.0.0.1:$FWD_BASE/"
	echo "lab: user root, password $(cat "$dir/initial-password" \
	    2>/dev/null || echo '(already changed)')"
	echo "lab: API key  $(build/twinwall apikey --data "$dir" --user root \
	    2>/dev/null | tail -n 1)"
	echo "lab: data $dir, log $dir/daemon.log; Ctrl-C stops it"
	while kill -0 $pid 2>/dev/null; do
		if lab_orphaned; then
			kill $pid 2>/dev/null
			wait $pid 2>/dev/null
			exit 0
		fi
		sleep 1 &
		wait $!
	done
}

lab_run() {
	lab_stop
	rm -rf "$HA_RUN"
	mkdir -p "$HA_RUN"
	chmod 0755 "$HA_RUN"
	echo $$ > "$HA_RUN/lab.pid"
	# A newer run (or make stop) takes lab.pid over and cleans up itself.
	trap 'lab_owned && { echo; echo "lab: stopping"; lab_stop; }; exit 0' \
	    INT TERM HUP
	trap 'lab_owned && lab_stop' EXIT
	[ -x "$HA_BIN" ] || { echo "lab: $HA_BIN missing: make all"; exit 1; }
	command -v conntrackd >/dev/null ||
	    echo "lab: conntrackd missing (make deps): no state sync"
	ha_topo_up || { echo "lab: cannot build the topology"; exit 1; }
	for n in 1 2; do
		if ! ha_daemon_start $n; then
			echo "lab: twinwall on fw$n did not start:"
			tail -n 20 "$HA_RUN/fw$n.log"
			exit 1
		fi
	done
	for n in 1 2; do
		if ! ha_configure $n; then
			echo "lab: configuring fw$n failed (see above;" \
			    "log $HA_RUN/fw$n.log)"
			exit 1
		fi
	done
	for n in 1 2; do
		port=$((FWD_BASE + n - 1))
		socat TCP4-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork \
		    EXEC:"ip netns exec $(ha_ns fw$n) socat STDIO TCP4\:127.0.0.1\:$HA_PORT" \
		    2>> "$HA_RUN/fwd$n.log" &
		echo $! > "$HA_RUN/fwd$n.pid"
	done
	if ha_wait_holder fw1 15; then
		echo "lab: CARP: fw1 holds both VIPs"
	else
		echo "lab: CARP: not settled on fw1 yet: $(ha_where)"
	fi
	echo
	echo "twinwall HA lab (namespaces $(ha_ns '*'), data in $HA_RUN)"
	for n in 1 2; do
		set -- $(ha_key $n)
		echo "  fw$n  GUI/API http://127.0.0.1:$((FWD_BASE + n - 1))/" \
		    " root password: $(cat "$HA_RUN/fw$n/initial-password" \
		    2>/dev/null || echo '(changed)')"
		echo "        API key $1  secret $2"
	done
	echo "  lan host: ip netns exec $(ha_ns lan) ping $HA_WAN_HOST"
	echo "  Ctrl-C (or make stop) removes everything."
	while :; do
		if lab_orphaned; then
			echo "lab: make is gone: stopping"
			lab_owned && lab_stop
			exit 0
		fi
		sleep 1 &
		wait $!
	done
}

case ${1:-run} in
run)
	if [ "$(id -u)" != 0 ] || ! ip netns list >/dev/null 2>&1; then
		dry_run
	else
		lab_run
	fi ;;
stop)
	[ "$(id -u)" = 0 ] && lab_stop
	exit 0 ;;
*)
	echo "usage: lab.sh run|stop" >&2
	exit 2 ;;
esac
