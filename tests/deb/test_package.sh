#!/bin/sh
# test_package.sh — the Debian package, as an admin meets it.
#
# Builds the package of VERSION and one of the next patch version from
# the same tree (`make deb`, objects reused), checks their contents and
# maintainer scripts, `lintian` (no error; warnings printed), the unit
# with `systemd-analyze security` (score printed), then installs, runs
# and upgrades them in a throwaway root (inroot.sh): never on this
# machine's own /usr. systemd is not PID 1 where this runs, so the unit's
# ExecStart, environment, capabilities and read-only file system are
# applied by hand (service.sh). Needs root; SKIP otherwise.
set -u
cd "$(dirname "$0")/../.." || exit 1
if [ "$(id -u)" != 0 ]; then
	echo "SKIP deb: needs root"
	exit 0
fi
for t in dpkg-deb dh lintian systemd-analyze unshare setpriv nft curl; do
	if ! command -v "$t" > /dev/null 2>&1; then
		echo "SKIP deb: needs $t (make deps)"
		exit 0
	fi
done
. tests/netns/lib.sh
TMP=$(mktemp -d /tmp/tw-deb.XXXXXX)
# The throwaway root's mount point: mounted on only inside inroot.sh's
# private mount namespace, so here it stays an empty directory (rmdir).
ROOTDIR=$(mktemp -d /tmp/tw-debroot.XXXXXX)
trap 'rm -rf "$TMP"; rmdir "$ROOTDIR"' EXIT

V=$(cat VERSION)
V2=${V%.*}.$((${V##*.} + 1))
ARCH=$(dpkg-architecture -qDEB_HOST_ARCH)
DEB=build/twinwall_${V}_$ARCH.deb
DEB2=build/twinwall_${V2}_$ARCH.deb
FIX=$(ls -d tests/fixtures/store-* | sort -V | tail -1)

rm -f "$DEB" "$DEB2"
t0=$(date +%s)
tw_check "make deb builds $DEB" \
    sh -c "make deb > '$TMP/deb.log' 2>&1 && test -f '$DEB'"
t1=$(date +%s)
tw_check "make deb VERSION=$V2 builds $DEB2" \
    sh -c "make deb VERSION=$V2 > '$TMP/deb2.log' 2>&1 && test -f '$DEB2'"
t2=$(date +%s)
echo "# make deb: $((t1 - t0)) s; the second package: $((t2 - t1)) s"
if [ ! -f "$DEB" ] || [ ! -f "$DEB2" ]; then
	tail -20 "$TMP/deb.log" "$TMP/deb2.log" 2>/dev/null | sed 's/^/# /'
	tw_summary
	exit 1
fi

dpkg-deb -c "$DEB" | awk '{ print $1, $2, $NF }' > "$TMP/contents"
has() {	# has MODE PATH
	grep -q "^$1 root/root \./$2\$" "$TMP/contents"
}
tw_check "contents: /usr/sbin/twinwall 0755" has -rwxr-xr-x usr/sbin/twinwall
tw_check "contents: the unit" has -rw-r--r-- lib/systemd/system/twinwall.service
tw_check "contents: twinwall(8)" has -rw-r--r-- usr/share/man/man8/twinwall.8.gz
tw_check "contents: /etc/default/twinwall, a conffile" sh -c "
    grep -q '^-rw-r--r-- root/root ./etc/default/twinwall\$' '$TMP/contents' &&
    dpkg-deb --ctrl-tarfile '$DEB' | tar -xOf - ./conffiles |
    grep -qx /etc/default/twinwall"
tw_check "contents: the GUI under /usr/share/twinwall/www" sh -c "
    for f in \$(cd www && find . -type f); do
	grep -q \"^-rw-r--r-- root/root ./usr/share/twinwall/www/\${f#./}\\\$\" \
	    '$TMP/contents' || { echo missing \$f; exit 1; }
    done"
tw_check "contents: nothing else (no schema/, no build files)" sh -c "
    ! grep -vE '\./(etc/default/twinwall|lib/systemd/system/twinwall.service|usr/sbin/twinwall|usr/share/man/man8/twinwall.8.gz|usr/share/twinwall/www/.*|usr/share/doc/twinwall/(changelog.gz|copyright)|(.*/)?)\$' '$TMP/contents'"
dpkg-deb -f "$DEB" Version Architecture Depends > "$TMP/fields"
tw_check "control: version $V, architecture $ARCH" sh -c "
    grep -qx 'Version: $V' '$TMP/fields' &&
    grep -qx 'Architecture: $ARCH' '$TMP/fields'"
tw_check "control: Depends from the shared libraries plus nftables, conntrackd" \
    sh -c "for d in libc6 libsqlite3-0 libnftables1 libsystemd0 libmicrohttpd12 \
    nftables conntrackd adduser; do
	grep '^Depends:' '$TMP/fields' | grep -qE \"[ ,]\$d( |,|\\\$)\" ||
	    { echo missing \$d; exit 1; }
    done"
dpkg-deb -e "$DEB" "$TMP/ctl"
tw_check "postinst: adduser --system twinwall, /var/lib/twinwall 0750" sh -c "
    grep -q 'adduser .*--system' '$TMP/ctl/postinst' &&
    grep -q 'install -d -o root -g twinwall -m 0750 /var/lib/twinwall' \
    '$TMP/ctl/postinst'"
tw_check "postinst restarts on upgrade; prerm stops only on remove" sh -c "
    grep -q '_dh_action=restart' '$TMP/ctl/postinst' &&
    grep -q '\"\$1\" = remove' '$TMP/ctl/prerm' &&
    ! grep -q 'upgrade' '$TMP/ctl/prerm'"
tw_check "dpkg-deb -I: $DEB2 is version $V2" \
    sh -c "dpkg-deb -I '$DEB2' | grep -qx ' Version: $V2'"

lintian --pedantic -I "$DEB" > "$TMP/lintian" 2>&1
grep -E '^[EWIPX]: ' "$TMP/lintian" | sed 's/^/# lintian: /'
tw_check "lintian: no error" sh -c "! grep -q '^E: ' '$TMP/lintian'"

mkdir "$TMP/x"
dpkg-deb -x "$DEB" "$TMP/x"
UNIT=$TMP/x/lib/systemd/system/twinwall.service
systemd-analyze security --offline=true "$UNIT" > "$TMP/security" 2>&1
score=$(sed -n 's/.*Overall exposure level for twinwall.service: \([0-9.]*\).*/\1/p' \
    "$TMP/security")
echo "# systemd-analyze security: exposure $score"
tw_check "systemd-analyze security: exposure $score, at most 4.5" \
    awk -v s="${score:-10}" 'BEGIN { exit !(s <= 4.5) }'
tw_check "the unit: Type=notify, before network-pre.target, reload is SIGHUP" \
    sh -c "grep -qx Type=notify '$UNIT' && grep -qx DefaultDependencies=no '$UNIT' &&
    grep -q '^Before=network-pre.target' '$UNIT' &&
    grep -qx 'Wants=network-pre.target' '$UNIT' &&
    grep -qx 'ExecReload=/bin/kill -HUP \$MAINPID' '$UNIT' &&
    grep -qx Restart=on-failure '$UNIT'"

# Install, run, upgrade: in new mount, network and pid namespaces.
unshare --mount --net --pid --fork --mount-proc --propagation private \
    sh tests/deb/inroot.sh "$ROOTDIR" "$DEB" "$DEB2" "$FIX" > "$TMP/inroot" 2>&1
rc=$?
cat "$TMP/inroot"
p=$(grep -c '^PASS ' "$TMP/inroot")
f=$(grep -c '^FAIL ' "$TMP/inroot")
TW_PASS=$((TW_PASS + p))
TW_FAIL=$((TW_FAIL + f))
[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && tw_fail "throwaway root" "exited $rc"
# The summary line of inroot.sh is not ours.
tw_summary
