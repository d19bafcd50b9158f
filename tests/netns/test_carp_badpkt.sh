#!/bin/sh
# test_carp_badpkt.sh — bad CARP input on a real link is counted and not
# obeyed. A REAL daemon (--platform linux) holds one CARP VIP; a second
# namespace sends hand-made adverts (tests/netns/carp_craft.py, raw
# Ethernet frames) at it.
#
#   fw: lan0 10.73.1.1/24 --veth-- eth0 10.73.1.2/24 :pe (the crafter)
#   VIP 10.73.1.100/24 vhid 10, advbase 1, advskew 100, password
#
# 1. the crafter's HMAC/header match the ucarp vector (selftest);
# 2. GOOD adverts with advskew 0, one a second for 4 s: each is counted
#    "accepted" and the daemon stays BACKUP (it obeys a better master);
# 3. the adverts stop: the daemon takes over (MASTER);
# 4. each bad packet, claiming advskew 0 (if obeyed, MASTER would step
#    down at once, since 0 < 100), is sent COUNT times: its counter in
#    get_vip_status "stats" goes up by exactly COUNT, no other counter
#    moves, the daemon is still MASTER and its timeline has no new
#    transition.
#
#   sh tests/netns/test_carp_badpkt.sh          (root; else SKIPPED)
#   TW_BIN=build/asan/twinwall sh tests/netns/test_carp_badpkt.sh
#   TW_BADPKT_SABOTAGE="cksum ttl" sh ...   sends GOOD adverts (from the
#       peer) in place of those bad cases: their checks must FAIL, which
#       shows that each check can fail
#
# Prints "PASS name" / "FAIL name: reason", then "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/netns/lib.sh
tw_init twb
TW_BIN=$(realpath "${TW_BIN:-build/twinwall}")
[ -x "$TW_BIN" ] || { echo "SKIPPED: $TW_BIN not built"; exit 0; }
CRAFT="$PWD/tests/netns/carp_craft.py"
SABOTAGE=${TW_BADPKT_SABOTAGE:-}

FW_IP=10.73.1.1 PE_IP=10.73.1.2 VIP=10.73.1.100 VHID=10 PW="badpkt-test"
COUNT=3		# bad packets per case

tw_ns fw && tw_ns pe && tw_veth fw lan0 pe eth0 &&
tw_in fw ip addr add $FW_IP/24 dev lan0 &&
tw_in pe ip addr add $PE_IP/24 dev eth0 || {
	tw_fail setup "cannot build the namespaces"
	tw_summary
	exit 1
}
if ! tw_daemon fw; then
	tw_fail setup "daemon did not start"
	tw_summary
	exit 1
fi
FW_MAC=$(tw_in fw cat /sys/class/net/lan0/address)

ok_api() {
	# A refused save is HTTP 200 {"result":"failed",...}, as OPNsense's.
	[ "$(tw_status)" = 200 ] &&
	    ! grep -q '"result":"failed"' "$TW_TMP/body" || {
		echo "HTTP $(tw_status): $(cat "$TW_TMP/body")"
		return 1
	}
}

# craft CASE [options]: sends from the peer (see carp_craft.py).
craft() {
	c=$1
	shift
	tw_in pe python3 "$CRAFT" send eth0 "$c" --vip $VIP --vhid $VHID \
	    --pw "$PW" "$@"
}

# snap [save FILE | judge BEFORE KEY N STATE [settle]]: reads the
# daemon's view (get_vip_status and the timeline) through the API, then
#   (no argument)  prints vhid 10's state;
#   save FILE      also keeps {"stats", "state", "moves"} in FILE: the
#                  receive counters, the state and the number of
#                  timeline transitions of vhid 10;
#   judge ...      compares with BEFORE (a saved FILE): the stats KEY
#                  went up by exactly N and every other receive counter
#                  by 0 ("sent"/"send_errors" are not receive counters),
#                  the state is STATE, no new transition; prints what
#                  differs and exits 1. With "settle", exits 2 instead
#                  of judging while fewer than N packets have been
#                  counted in all (not read yet).
snap() {
	tw_api GET diagnostics/interface/get_vip_status > "$TW_TMP/vs" &&
	    ok_api || return 1
	tw_api GET core/hasync_status/timeline > "$TW_TMP/tl" &&
	    ok_api || return 1
	python3 - "$TW_TMP/vs" "$TW_TMP/tl" $VHID "$@" <<'EOF'
import json, sys
vs = json.load(open(sys.argv[1]))
tl = json.load(open(sys.argv[2]))
vhid, args = sys.argv[3], sys.argv[4:]
st = [r["status"] for r in vs["rows"] if r["vhid"] == vhid]
a = {
    "stats": {k: v for k, v in vs["stats"].items() if isinstance(v, int)},
    "state": st[0] if st else "?",
    "moves": len([r for r in tl["rows"] if r["vhid"] == int(vhid)]),
}
rx = [k for k in a["stats"] if k not in ("sent", "send_errors")]
if not args:
    print(a["state"])
elif args[0] == "save":
    json.dump(a, open(args[1], "w"))
    print(a["state"])
else:
    b = json.load(open(args[1]))
    key, n, want = args[2], int(args[3]), args[4]
    if args[5:] == ["settle"] and \
            sum(a["stats"][k] - b["stats"].get(k, 0) for k in rx) < n:
        sys.exit(2)
    bad = []
    if key not in a["stats"]:
        bad.append("no %s in stats %s" % (key, sorted(a["stats"])))
    for k in sorted(rx):
        d = a["stats"][k] - b["stats"].get(k, 0)
        exp = n if k == key else 0
        if d != exp:
            bad.append("%s +%d (want +%d)" % (k, d, exp))
    if a["state"] != want:
        bad.append("state %s (want %s)" % (a["state"], want))
    if a["moves"] != b["moves"]:
        bad.append("%d new timeline transition(s)" %
                   (a["moves"] - b["moves"]))
    if bad:
        print("; ".join(bad))
        sys.exit(1)
EOF
}

state() {
	snap || echo "?"
}

# wait_state STATE SECONDS
wait_state() {
	end=$(($(date +%s) + $2))
	while [ "$(state)" != "$1" ]; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.1
	done
}

# --- setup: interface and the CARP VIP, through the API ----------------
t_setup() {
	tw_api POST interfaces/settings/set_item/lan "{\"interface\":
	    {\"device\":\"lan0\",\"ipaddr\":\"$FW_IP\",\"subnet\":\"24\",
	    \"ipaddrv6\":\"none\"}}" > /dev/null && ok_api || return 1
	tw_api POST interfaces/settings/reconfigure '{}' > /dev/null &&
	    ok_api || return 1
	tw_api POST interfaces/vip_settings/add_item "{\"vip\":{
	    \"mode\":\"carp\",\"interface\":\"lan\",\"subnet\":\"$VIP\",
	    \"subnet_bits\":\"24\",\"vhid\":\"$VHID\",\"advbase\":\"1\",
	    \"advskew\":\"100\",\"password\":\"$PW\"}}" > /dev/null &&
	    ok_api || return 1
	tw_api POST interfaces/vip_settings/reconfigure '{}' | grep -q '"ok"' ||
	    { echo "vip reconfigure: $(cat "$TW_TMP/body")"; return 1; }
	# INIT -> BACKUP at once; MASTER only after 3 x 1 + 100/256 s.
	wait_state BACKUP 3 || { echo "vhid $VHID is $(state)"; return 1; }
}
tw_check crafter_matches_ucarp_vector python3 "$CRAFT" selftest
if ! out=$(t_setup 2>&1); then
	tw_fail setup "$(echo "$out" | tail -3 | tr '\n' ' ')"
	tail -15 "$TW_TMP/daemon.log" | sed 's/^/#   /'
	tw_summary
	exit 1
fi

# --- a better master: accepted and obeyed -------------------------------
# Five good adverts (advskew 0 < 100), one a second: the master-down
# timer (3.39 s) is restarted by each, so the daemon stays BACKUP.
t_good() {
	snap save "$TW_TMP/b" > /dev/null || return 1
	: > "$TW_TMP/good.out"
	craft good --src $PE_IP --count 5 --interval 1 > "$TW_TMP/good.out" &
	gpid=$!
	# The crafter prints "sent 5 good" when done (about 4 s).
	seen="" i=0
	while [ ! -s "$TW_TMP/good.out" ] && [ $i -lt 40 ]; do
		seen="$seen $(state)"
		sleep 0.25
		i=$((i + 1))
	done
	wait $gpid || { echo "crafter failed"; return 1; }
	case "$seen" in *MASTER*|*INIT*|*'?'*)
		echo "states while a better master advertised:$seen"
		return 1 ;;
	esac
	snap judge "$TW_TMP/b" accepted 5 BACKUP
}
tw_check good_adverts_accepted_daemon_stays_backup t_good

# The better master goes quiet: the daemon takes over (3.39 s).
t_takeover() {
	wait_state MASTER 6 || { echo "still $(state) 6 s later"; return 1; }
}
tw_check takes_over_when_good_adverts_stop t_takeover

# --- bad packets: counted, not obeyed ------------------------------------
# t_bad CASE KEY [crafter options]: COUNT packets of CASE (carp_craft.py),
# each claiming advskew 0 (better than our 100), while the daemon is
# MASTER; then judged with snap judge: KEY +COUNT, nothing else, still
# MASTER, no transition.
t_bad() {
	c=$1 key=$2
	shift 2
	if [ "$(snap save "$TW_TMP/b")" != MASTER ]; then
		# Only after a failed case: let the daemon take over again.
		wait_state MASTER 5 ||
		    { echo "not MASTER before sending: $(state)"; return 1; }
		snap save "$TW_TMP/b" > /dev/null || return 1
	fi
	case " $SABOTAGE " in *" $c "*)
		echo "# sabotage: a good advert in place of $c"
		set -- "$@" --src $PE_IP
		c=good ;;
	esac
	craft "$c" --count $COUNT --interval 0.05 "$@" > /dev/null || return 1
	# The engine reads at once; a slow (ASan) build gets up to 2 s.
	# Judged as soon as all COUNT are counted (under any key): an
	# obeyed packet would have made it BACKUP for 3.39 s by then.
	i=0
	while [ $i -lt 20 ]; do
		sleep 0.1
		i=$((i + 1))
		out=$(snap judge "$TW_TMP/b" "$key" $COUNT MASTER settle)
		case $? in
		0) return 0 ;;
		1) echo "$out"; return 1 ;;
		esac
	done
	snap judge "$TW_TMP/b" "$key" $COUNT MASTER
}

tw_check wrong_password_counted_bad_hmac \
    t_bad badpass bad_hmac --src $PE_IP
# vhid 11 with its own valid HMAC (same password and VIP): only the
# vhid is wrong.
tw_check unknown_vhid_counted_unknown_vhid \
    t_bad vhid unknown_vhid --src $PE_IP
tw_check corrupt_checksum_counted_bad_checksum \
    t_bad cksum bad_checksum --src $PE_IP
tw_check ttl64_multicast_counted_bad_ttl \
    t_bad ttl bad_ttl --src $PE_IP
# Unicast to us without a configured peer: the TTL rule still applies
# (proto.c: no peer -> multicast VHID -> TTL must be 255).
tw_check ttl64_unicast_counted_bad_ttl \
    t_bad ttl_ucast bad_ttl --src $PE_IP --dst $FW_IP --dstmac "$FW_MAC"
tw_check truncated_carp_header_counted_short \
    t_bad short short --src $PE_IP
tw_check ip_length_beyond_frame_counted_short \
    t_bad short_len short --src $PE_IP
tw_check carp_version3_counted_bad_version \
    t_bad version bad_version --src $PE_IP
tw_check carp_type2_counted_bad_type \
    t_bad type bad_type --src $PE_IP
tw_check authlen6_counted_bad_authlen \
    t_bad authlen bad_authlen --src $PE_IP
# Our own packets: the source is the VHID's own address (rc_local is the
# interface address the daemon advertises from), with a valid HMAC —
# the own check comes after the HMAC one, so this is own_packet.
tw_check own_source_address_counted_own_packet \
    t_bad own_src own_packet --src $FW_IP
# The daemon's real advert, captured on the link and sent back verbatim
# (a bridged loop): our source and our counter, advskew 100 — equal to
# ours, which a MASTER would also yield to if it obeyed.
tw_check own_advert_looped_back_counted_own_packet \
    t_bad loop own_packet --src $PE_IP
# The counter the daemon last sent, from another source (OpenBSD's
# replay cookie): own_packet, not a peer's advert. The crafter captures
# the daemon's advert and sends within milliseconds; the next advert,
# which would move the daemon's counter on, is a second away.
tw_check own_counter_from_peer_counted_own_packet \
    t_bad own_counter own_packet --src $PE_IP

# What the kernel's IP layer checks before a BSD CARP sees a packet; a
# packet socket sees the frame before it, so the engine checks again.
tw_check ip_header_checksum_counted_bad_ip \
    t_bad ipcksum bad_ip --src $PE_IP
tw_check ip_fragment_counted_bad_ip \
    t_bad fragment bad_ip --src $PE_IP
tw_check unicast_to_another_address_counted_bad_ip \
    t_bad ucast_other bad_ip --src $PE_IP --dstmac "$FW_MAC"

# t_unseen CASE [options]: COUNT frames of CASE that are not for this
# host at all, then one wrong-password advert as a marker. Read in order
# from one socket: once the marker is counted, the frames before it were
# read too. Nothing of theirs counted or obeyed.
t_unseen() {
	c=$1
	shift
	if [ "$(snap save "$TW_TMP/b")" != MASTER ]; then
		wait_state MASTER 5 ||
		    { echo "not MASTER before sending: $(state)"; return 1; }
		snap save "$TW_TMP/b" > /dev/null || return 1
	fi
	craft "$c" --count $COUNT --interval 0.05 "$@" > /dev/null &&
	    craft badpass --count 1 --src $PE_IP > /dev/null || return 1
	i=0
	while [ $i -lt 20 ]; do
		sleep 0.1
		i=$((i + 1))
		out=$(snap judge "$TW_TMP/b" bad_hmac 1 MASTER settle)
		case $? in
		0) return 0 ;;
		1) echo "$out"; return 1 ;;
		esac
	done
	snap judge "$TW_TMP/b" bad_hmac 1 MASTER
}
tw_check frame_to_another_mac_not_counted_not_obeyed \
    t_unseen otherhost --src $PE_IP

snap save "$TW_TMP/end" > /dev/null &&
    echo "# stats: $(tw_json 'j["stats"]' < "$TW_TMP/end")"

# --- sanitizers: the daemon exits cleanly and reported nothing ----------
# In this shell, not in tw_check's subshell: only the parent can reap it.
kill "$TW_DPID" 2>/dev/null
i=0
while [ -e /proc/$TW_DPID ] &&
    [ "$(cut -d' ' -f3 /proc/$TW_DPID/stat 2>/dev/null)" != Z ]; do
	i=$((i + 1))
	[ $i -gt 100 ] && { kill -9 "$TW_DPID"; break; }
	sleep 0.1
done
wait "$TW_DPID"
rc=$?
TW_DPID=""
t_exit() {
	[ "$1" -eq 0 ] || { echo "daemon exited $1 after TERM"; return 1; }
	! grep -E 'AddressSanitizer|LeakSanitizer|runtime error' \
	    "$TW_TMP/daemon.log"
}
tw_check daemon_exits_cleanly_without_sanitizer_reports t_exit $rc

if [ "$TW_FAIL" -gt 0 ]; then
	echo "# daemon log tail:"
	tail -25 "$TW_TMP/daemon.log" | sed 's/^/#   /'
fi
tw_summary
