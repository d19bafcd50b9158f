#!/bin/sh
# inroot.sh DIR DEB DEB2 FIXTURE — the package installed, run and
# upgraded in a throwaway root. test_package.sh starts it in new mount,
# network and pid namespaces (unshare, private mounts): every mount,
# interface and process made here goes when it exits, and this machine's
# /usr, /etc and dpkg database are never written (the root is an overlay
# of / with its upper layer on a tmpfs mounted on the empty DIR).
#
# Never remove files below the root from here: the host's /dev and /sys
# are bound into it. The namespaces' end takes everything away.
set -u
. tests/netns/lib.sh
T=$1 DEB=$2 DEB2=$3 FIX=$4
V=$(dpkg-deb -f "$DEB" Version)
V2=$(dpkg-deb -f "$DEB2" Version)

[ -d "$T" ] && [ -z "$(ls -A "$T")" ] || { echo "FAIL setup: $T"; exit 1; }
mount -t tmpfs tmpfs "$T" || { echo "FAIL setup: tmpfs"; exit 1; }
mkdir "$T/upper" "$T/work" "$T/root"
R=$T/root
if ! mount -t overlay overlay \
    -o "lowerdir=/,upperdir=$T/upper,workdir=$T/work" "$R"; then
	echo "SKIP throwaway root: no overlay of / here"
	exit 0
fi
mount -t proc proc "$R/proc"
mount --rbind /sys "$R/sys"
mount --rbind /dev "$R/dev"
mount -t tmpfs -o mode=1777 tmpfs "$R/tmp"
mount -t tmpfs -o mode=0755 tmpfs "$R/run"
# The maintainer scripts act on the service only when systemd runs.
mkdir -p "$R/run/systemd/system"
mv "$R/usr/bin/systemctl" "$R/usr/bin/systemctl.real"
install -m 0755 tests/deb/systemctl.sh "$R/usr/bin/systemctl"
install -D -m 0755 tests/deb/service.sh "$R/usr/local/sbin/tw-service"
install -D -m 0755 tests/deb/filter.py "$R/usr/local/sbin/tw-filter"
rm -f "$R/var/lib/man-db/auto-update"	# no mandb run per install
# A container image's "start no service" policy (exit 101): an appliance
# has none, and the upgrade's restart is what is tested.
rm -f "$R/usr/sbin/policy-rc.d"
cp "$DEB" "$DEB2" "$R/tmp/"
in_root() {
	chroot "$R" "$@"
}
calls() {
	cat "$R/run/tw-systemctl.log" 2>/dev/null
}
notes() {
	cat "$R/run/tw-notify.log" 2>/dev/null
}
mainpid() {
	cat "$R/run/tw-daemon.pid" 2>/dev/null
}
ruleset() {
	nft list ruleset | sed -E 's/counter packets [0-9]+ bytes [0-9]+/counter/'
}
wait_note() {	# wait_note PATTERN: a notify message from the main pid
	i=0
	while [ $i -lt 300 ]; do
		notes | grep -q "^pid=$(mainpid) .*$1" && return 0
		if ! kill -0 "$(mainpid)" 2>/dev/null; then
			tail -5 "$R/run/tw-daemon.log"
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
	echo "no $1 from pid $(mainpid): $(notes | tail -3)"
	return 1
}

# The devices the fixture's interfaces name, in this network namespace.
ip link set lo up
for d in em0 em1 em2 em3; do
	ip link add "$d" type veth peer name "${d}p" &&
	    ip link set "$d" up && ip link set "${d}p" up
done

# 1. First installation.
if out=$(in_root dpkg -i "/tmp/$(basename "$DEB")" 2>&1); then
	tw_pass "dpkg -i $V in a throwaway root"
else
	tw_fail "dpkg -i $V in a throwaway root" "$(echo "$out" | tail -5)"
	tw_summary
	exit 1
fi
tw_check "postinst made the system user twinwall (no login)" \
    sh -c "chroot '$R' getent passwd twinwall | grep -q ':/usr/sbin/nologin\$'"
tw_check "postinst made /var/lib/twinwall root:twinwall 0750" \
    test "$(stat -c %U:%G:%a "$R/var/lib/twinwall")" = root:twinwall:750
tw_check "the service is neither enabled nor started at installation" \
    sh -c "! chroot '$R' systemctl.real is-enabled twinwall.service \
    >/dev/null 2>&1 && [ ! -f '$R/run/tw-daemon.pid' ] &&
    ! grep -qE ' (start|restart) ' '$R/run/tw-systemctl.log'"
tw_check "systemd-analyze verify: the installed unit" \
    in_root systemd-analyze verify /lib/systemd/system/twinwall.service

# 2. The admin's steps: a configuration (the fixture store of an earlier
# release), then systemctl enable and start.
install -o root -g root -m 0600 "$FIX/twinwall.db" \
    "$R/var/lib/twinwall/twinwall.db"
set -- $(cat "$FIX/apikey")
KEY=$1 SECRET=$2
in_root systemctl enable twinwall.service > /dev/null 2>&1
in_root systemctl start twinwall.service
tw_check "started as ExecStart says: READY=1 from the main pid" \
    wait_note "READY=1"
tw_check "READY=1 only once the boot apply put a ruleset in force" \
    sh -c "nft list table inet twinwall >/dev/null &&
    ! nft list table inet twinwall_guard >/dev/null 2>&1"
pid1=$(mainpid)
if in_root /usr/bin/python3 -c 'import seccomp' 2>/dev/null; then
	tw_check "the unit's system call filter is loaded (Seccomp: 2)" \
	    sh -c "grep -q '^tw-seccomp: ' '$R/run/tw-daemon.log' &&
	    grep -q '^Seccomp:[[:space:]]*2' /proc/$pid1/status"
else
	echo "SKIP the unit's system call filter: no python3-seccomp"
fi
. "$R/etc/default/twinwall"
PORT=${TWINWALL_LISTEN##*:}
api() {
	curl -sk -u "$KEY:$SECRET" -o "$T/body" -w '%{http_code}' \
	    "https://127.0.0.1:$PORT/api/$1"
}
tw_check "the packaged daemon serves the API on /etc/default's address" \
    test "$(api core/system/status)" = 200
tw_check "it runs the packaged binary, version $V" \
    grep -q "\"version\": *\"$V\"" "$T/body"
child=$(cat "/proc/$pid1/task/$pid1/children" | awk '{ print $1 }')
uid=$(in_root id -u twinwall)
tw_check "the API child runs as twinwall (uid $uid), the parent as root" \
    sh -c "grep -q '^Uid:[[:space:]]*$uid[[:space:]]' /proc/$child/status &&
    grep -q '^Uid:[[:space:]]*0[[:space:]]' /proc/$pid1/status"
nofile=$(sed -n 's/^LimitNOFILE=//p' "$R/lib/systemd/system/twinwall.service")
h=$(ulimit -Hn)
if [ "$h" != unlimited ] && [ "$h" -lt "$nofile" ]; then
	echo "SKIP LimitNOFILE=$nofile: the hard limit here is $h (no CAP_SYS_RESOURCE to raise it); checking $h"
	nofile=$h
fi
tw_check "both processes may hold LimitNOFILE=$nofile descriptors" \
    sh -c "grep -Eq '^Max open files +$nofile +$nofile ' /proc/$pid1/limits &&
    grep -Eq '^Max open files +$nofile +$nofile ' /proc/$child/limits"
tw_check "the parent runs under the unit's bounding set and no_new_privs" \
    sh -c "grep -q '^NoNewPrivs:[[:space:]]*1' /proc/$pid1/status &&
    [ \$(grep '^CapBnd' /proc/$pid1/status | awk '{print \$2}') = \
    \$(grep '^CapBnd' /proc/$child/status | awk '{print \$2}') ] &&
    ! grep -q '^CapBnd:[[:space:]]*000001ffffffffff' /proc/$pid1/status"
# The fixture's WAN takes its addresses by DHCP, which cannot carry its
# CARP VIP and static gateways (check names them since DHCP runs): the
# admin gives it static ones, through the API.
wan=$(in_root twinwall export --data /var/lib/twinwall 2>/dev/null |
    python3 -c 'import json, sys
print([i["uuid"] for i in json.load(sys.stdin)["sections"]["interfaces"]
       if i["name"] == "wan"][0])')
curl -sk -u "$KEY:$SECRET" -H 'Content-Type: application/json' \
    -d '{"interface":{"ipaddr":"203.0.113.2","subnet":"24",
    "ipaddrv6":"2001:db8::2","subnetv6":"64"}}' \
    -o /dev/null "https://127.0.0.1:$PORT/api/interfaces/settings/set_item/$wan"
if out=$(in_root twinwall apply --data /var/lib/twinwall 2>&1); then
	tw_pass "twinwall apply under the unit's restrictions"
else
	tw_fail "twinwall apply under the unit's restrictions" \
	    "$(echo "$out" | tail -3 | tr '\n' ' ')"
fi
# conntrackd (state sync on opt1) is exec'd by the parent: no
# NOTIFY_SOCKET may reach it (a forked child's /proc environ still shows
# the exec-time block, so an exec'd one is the witness).
ct=$(pgrep -x -P "$pid1" conntrackd | head -1)
tw_check "conntrackd runs, exec'd by the parent, without NOTIFY_SOCKET" \
    sh -c "[ -n '$ct' ] && ! tr '\\0' '\\n' < /proc/$ct/environ |
    grep -q NOTIFY_SOCKET"
ruleset > "$T/rules.before"
tw_check "the fixture's ruleset and addresses are in force" \
    sh -c "grep -q 'table inet twinwall' '$T/rules.before' &&
    grep -q mgmt_nets '$T/rules.before' &&
    ip -4 addr show em1 | grep -q 192.168.1.1/24"
tw_check "nothing in the daemon's log was refused (EPERM, EROFS, EACCES)" \
    sh -c "! grep -iE 'operation not permitted|read-only file system|permission denied' '$R/run/tw-daemon.log'"
in_root systemctl reload twinwall.service
tw_check "systemctl reload: SIGHUP, RELOADING=1 then READY=1, same pid" \
    sh -c "sleep 0.5; notes() { cat '$R/run/tw-notify.log'; };
    notes | grep -q 'pid=$pid1 RELOADING=1' &&
    notes | tail -1 | grep -q 'pid=$pid1 READY=1' && kill -0 $pid1 &&
    grep -q 'SIGHUP' '$R/run/tw-daemon.log'"
hash1=$(in_root twinwall export --data /var/lib/twinwall 2>&1 >/dev/null |
    sed -n 's/.*config hash //p')
cert1=$(sha256sum < "$R/var/lib/twinwall/tls/cert.pem")

# 3. Upgrade to N+1 over N, the service running.
: > "$R/run/tw-systemctl.log"
u0=$(date +%s)
if out=$(in_root dpkg -i "/tmp/$(basename "$DEB2")" 2>&1); then
	tw_pass "dpkg -i $V2 over $V"
else
	tw_fail "dpkg -i $V2 over $V" "$(echo "$out" | tail -5 | tr '\n' ' ')"
fi
echo "# dpkg -i $V2 over $V: $(($(date +%s) - u0)) s"
calls | sed 's/^/# /'
grep -E 'stopping|stopped|starting' "$R/run/tw-daemon.log" | sed 's/^/# /'
tw_check "the upgrade restarted the service (restart, never stop)" \
    sh -c "grep -q 'restart twinwall.service' '$R/run/tw-systemctl.log' &&
    ! grep -q ' stop ' '$R/run/tw-systemctl.log'"
tw_check "the upgrade started a new daemon" \
    sh -c "[ -n '$(mainpid)' ] && [ '$(mainpid)' != '$pid1' ]"
tw_check "the restarted daemon is ready (READY=1 from its new pid)" \
    wait_note "READY=1"
tw_check "the ruleset stayed in force while the daemon was down" \
    sh -c "ruleset() { sed -E 's/counter packets [0-9]+ bytes [0-9]+/counter/'; };
    ruleset < '$R/run/tw-between.nft' | cmp -s - '$T/rules.before'"
tw_check "after the upgrade: version $V2 serves the same data" \
    sh -c "[ \"\$(curl -sk -u '$KEY:$SECRET' -o '$T/body2' -w '%{http_code}' \
    'https://127.0.0.1:$PORT/api/core/system/status')\" = 200 ] &&
    grep -q '\"version\": *\"$V2\"' '$T/body2'"
hash2=$(in_root twinwall export --data /var/lib/twinwall 2>&1 >/dev/null |
    sed -n 's/.*config hash //p')
tw_check "the data directory is kept: configuration hash and certificate" \
    sh -c "[ -n '$hash1' ] && [ '$hash1' = '$hash2' ] &&
    [ '$cert1' = \"\$(sha256sum < '$R/var/lib/twinwall/tls/cert.pem')\" ]"
ruleset > "$T/rules.after"
tw_check "the ruleset is the same after the upgrade" \
    cmp -s "$T/rules.before" "$T/rules.after"
tw_check "dpkg knows $V2 installed" \
    sh -c "chroot '$R' dpkg-query -W -f='\${Version} \${Status}' twinwall |
    grep -q '^$V2 install ok installed'"

# 4. Stop: STOPPING=1, the ruleset stays.
pid2=$(mainpid)
in_root systemctl stop twinwall.service
echo "# systemctl stop took $(cat "$R/run/tw-stop.ticks")/10 s"
tw_check "systemctl stop: STOPPING=1, exited within 5 s, no SIGKILL" \
    sh -c "grep -q 'pid=$pid2 STOPPING=1' '$R/run/tw-notify.log' &&
    [ \$(cat '$R/run/tw-stop.ticks') -lt 50 ]"
tw_summary
