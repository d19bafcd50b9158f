# ha_test.sh — the harness of a test on the HA pair, sourced after
# ha_lib.sh by test_ha_scenarios.sh, test_nopfsync.sh and
# test_proxyarp_ha.sh: the counters, PASS/FAIL lines (tests/run.sh counts
# them), and a cleanup that removes every namespace on any exit.
# TW_KEEP=1 (or any failure) keeps $HA_RUN; TW_VERBOSE=1 shows the daemons' last lines
# after a failure.

pass=0 fail=0

ha_test_cleanup() {
	trap - EXIT INT TERM
	ha_daemon_kill 1
	ha_daemon_kill 2
	ha_topo_down
	# A failure keeps the daemons' logs for the one who reads tests/out/.
	if [ "${TW_KEEP:-0}" = 1 ] || [ "$fail" -gt 0 ]; then
		echo "# kept $HA_RUN"
	else
		rm -rf "$HA_RUN"
	fi
}
trap ha_test_cleanup EXIT
trap 'exit 1' INT TERM

ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() {
	echo "FAIL $1: $2"
	fail=$((fail + 1))
	if [ -n "${TW_VERBOSE:-}" ]; then
		tail -n 15 "$HA_RUN/fw1.log" | sed 's/^/#   fw1: /'
		tail -n 15 "$HA_RUN/fw2.log" | sed 's/^/#   fw2: /'
	fi
}
# check NAME CMD...: PASS when CMD succeeds, else FAIL with its output.
check() {
	name=$1
	shift
	if out=$("$@" 2>&1); then
		ok "$name"
	else
		bad "$name" "$(echo "$out" | tail -3 | tr '\n' ' ')"
	fi
}
# finish: the summary line; the exit status says whether all passed.
finish() {
	echo "$pass passed, $fail failed"
	[ $fail -eq 0 ]
	exit
}
