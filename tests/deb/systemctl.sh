#!/bin/sh
# systemctl.sh — the throwaway root's systemctl (tests/deb): records every
# call in /run/tw-systemctl.log, so the test sees what the package's
# maintainer scripts ask of the service manager; enable, disable and
# is-enabled go to the real systemctl (they work on files, offline);
# start, stop, restart, reload and is-active act through tw-service.
echo "systemctl $*" >> /run/tw-systemctl.log
verb=
for a in "$@"; do
	case $a in
	-*) ;;
	*) [ -z "$verb" ] && verb=$a ;;
	esac
done
case $verb in
enable|disable|is-enabled|preset|mask|unmask)
	exec /usr/bin/systemctl.real "$@" ;;
daemon-reload) exit 0 ;;
start|stop|restart|reload)
	exec /usr/local/sbin/tw-service "$verb" ;;
is-active)
	[ -f /run/tw-daemon.pid ] && kill -0 "$(cat /run/tw-daemon.pid)" \
	    2>/dev/null && exit 0
	exit 3 ;;
"")
	case " $* " in *" --version "*) exec /usr/bin/systemctl.real --version ;; esac
	exit 0 ;;
*)
	exit 0 ;;
esac
