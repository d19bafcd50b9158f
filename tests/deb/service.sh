#!/bin/sh
# service.sh start|stop|restart|reload — what systemd does with
# twinwall.service, done by hand where systemd is not PID 1: tests/deb
# installs it into its throwaway root as /usr/local/sbin/tw-service, and
# the recording systemctl there (systemctl.sh) calls it.
#
# From the installed unit it takes: EnvironmentFile, ExecStart (with
# ${VAR} and $VAR expanded from that file), ExecReload with $MAINPID,
# CapabilityBoundingSet and NoNewPrivileges (setpriv), ProtectSystem=
# strict with ReadWritePaths, LimitNOFILE, ProtectHome and PrivateTmp (a mount
# namespace: every top-level directory read-only but the listed paths,
# empty /home and /root, a private /tmp), the system call filter
# (SystemCallFilter, RestrictAddressFamilies, MemoryDenyWriteExecute:
# tw-filter, when python3-seccomp is there), NOTIFY_SOCKET (a datagram
# socket whose messages, with the sender's pid, go to /run/tw-notify.log)
# and TimeoutStopSec. Output of the daemon: /run/tw-daemon.log.
set -u
UNIT=/lib/systemd/system/twinwall.service
PIDF=/run/tw-daemon.pid
LOG=/run/tw-daemon.log
NSOCK=/run/tw-notify

prop() {
	sed -n "s/^$1=//p" "$UNIT"
}

# alive PID: runs (a zombie has exited: whoever adopted it reaps it later)
alive() {
	[ -r "/proc/$1/stat" ] && ! sed 's/.*) //' "/proc/$1/stat" | grep -q '^Z'
}

running() {
	[ -f "$PIDF" ] && alive "$(cat "$PIDF")"
}

notify_listener() {
	[ -S "$NSOCK" ] && return 0
	/usr/bin/python3 - "$NSOCK" /run/tw-notify.log <<'PY' &
import socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
while True:
    msg, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(12))
    pid = 0
    for lvl, typ, data in anc:
        if lvl == socket.SOL_SOCKET and typ == socket.SCM_CREDENTIALS:
            pid = struct.unpack("iII", data[:12])[0]
    with open(sys.argv[2], "a") as f:
        f.write("pid=%d %s\n" % (pid, msg.decode().replace("\n", " ")))
PY
	i=0
	while [ ! -S "$NSOCK" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
}

start() {
	running && return 0
	notify_listener
	ef=$(prop EnvironmentFile)
	ef=${ef#-}
	set -a
	[ -f "$ef" ] && . "$ef"
	set +a
	eval "set -- $(prop ExecStart)"
	caps=$(prop CapabilityBoundingSet | tr 'A-Z ' 'a-z\n' |
	    sed -n 's/^cap_/+/p' | paste -sd, -)
	nnp=
	[ "$(prop NoNewPrivileges)" = yes ] && nnp=--no-new-privs
	rw=$(prop ReadWritePaths)
	[ "$(prop ProtectSystem)" = strict ] || rw=
	if /usr/bin/python3 -c 'import seccomp' 2>/dev/null; then
		set -- /usr/bin/python3 /usr/local/sbin/tw-filter "$UNIT" -- "$@"
	fi
	nofile=$(prop LimitNOFILE)
	# Raising the hard limit takes CAP_SYS_RESOURCE, which systemd has
	# and a container may not give us: then the highest we may.
	h=$(ulimit -Hn)
	[ "$h" = unlimited ] || [ -z "$nofile" ] || [ "$nofile" -le "$h" ] ||
	    nofile=$h
	NOTIFY_SOCKET=$NSOCK unshare -m sh -c '
		rw=$1 caps=$2 nnp=$3 nofile=$4
		shift 4
		[ -n "$nofile" ] && ulimit -n "$nofile"
		mount --make-rprivate /
		mount -t tmpfs -o mode=1777 tmpfs /tmp
		mount -t tmpfs -o mode=1777 tmpfs /var/tmp
		if [ -n "$rw" ]; then
			for d in /*; do
				case $d in /proc|/sys|/dev|/tmp) continue ;; esac
				[ -d "$d" ] && [ ! -L "$d" ] || continue
				mount --rbind "$d" "$d" &&
				    mount -o remount,bind,ro "$d" || exit 1
			done
		fi
		# After the read-only pass, as systemd does: a writable path
		# may be a whole top-level directory (/etc).
		for p in $rw; do
			p=${p#-}
			[ -e "$p" ] && mount --bind "$p" "$p" &&
			    mount -o remount,bind,rw "$p"
		done
		mount -t tmpfs -o ro,mode=0755 tmpfs /home
		mount -t tmpfs -o ro,mode=0700 tmpfs /root
		exec setpriv $nnp --bounding-set -all,$caps -- "$@"
	' sh "$rw" "$caps" "$nnp" "$nofile" "$@" >> "$LOG" 2>&1 < /dev/null &
	echo $! > "$PIDF"
}

stop() {
	running || return 0
	pid=$(cat "$PIDF")
	kill -TERM "$pid"
	t=$(prop TimeoutStopSec | tr -dc 0-9)
	i=0
	while alive "$pid" && [ $i -lt $((${t:-90} * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if alive "$pid"; then
		echo "tw-service: pid $pid still runs after ${t:-90} s: SIGKILL" >&2
		kill -KILL "$pid"
	fi
	echo "$i" > /run/tw-stop.ticks	# tenths of a second
	rm -f "$PIDF"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
restart)
	stop
	# What is in force while the daemon is down, for the test to see.
	nft list ruleset > /run/tw-between.nft 2>&1
	start ;;
reload)
	running || exit 1
	MAINPID=$(cat "$PIDF")
	eval "$(prop ExecReload)" ;;
*)
	echo "usage: tw-service start|stop|restart|reload" >&2
	exit 2 ;;
esac
