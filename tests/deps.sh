#!/bin/sh
# deps.sh — install what is missing, from Debian's packages and npm.
# Run by `make deps` (and so by `make test` and `make run`).
set -e

PKGS="build-essential pkg-config libmicrohttpd-dev libsqlite3-dev
libjansson-dev libxml2-dev libxmlrpc-core-c3-dev libssl-dev
libcurl4-openssl-dev libnftables-dev libcmocka-dev libcrypt-dev libsystemd-dev
nftables iproute2 iputils-ping python3 wrk sqlite3 conntrack conntrackd ucarp
keepalived tcpdump procps psmisc socat curl tzdata util-linux debhelper
dpkg-dev lintian adduser systemd python3-seccomp dhcpcd-base kea-dhcp4-server
radvd kea-dhcp6-server"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps: missing:$missing" >&2
		echo "deps: run 'make deps' as root to install them" >&2
		exit 1
	fi
	echo "deps: installing$missing"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends $missing >/dev/null
fi
# Browser tests: Debian's Chromium, driven by playwright-core from npm.
if [ -d tests/browser ] && [ -f tests/browser/package.json ]; then
	if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		    chromium >/dev/null
	fi
	if ! command -v npm >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		    nodejs npm >/dev/null
	fi
	if [ ! -d tests/browser/node_modules/playwright-core ] &&
	    command -v npm >/dev/null 2>&1; then
		(cd tests/browser && npm install --no-audit --no-fund \
		    --silent >/dev/null)
	fi
fi
exit 0
