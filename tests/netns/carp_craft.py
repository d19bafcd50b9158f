#!/usr/bin/env python3
"""carp_craft.py — hand-made CARP adverts on a real link, for
test_carp_badpkt.sh. Standard library only.

  carp_craft.py selftest
      checks the HMAC and header encoding against the ucarp vector that
      tests/unit/test_carp_proto.c verifies for the C side; exit 0/1

  carp_craft.py send IFACE CASE [options]
      sends COUNT frames of CASE out of IFACE (an AF_PACKET socket, so
      every byte of the Ethernet frame and IP header is ours), INTERVAL
      seconds apart; prints "sent N CASE" on stdout

Options: --src A (IPv4 source), --vip V (the VHID's VIP, hashed), --vhid N,
--pw PASSWORD, --advskew S (0), --advbase B (1), --count N (3),
--interval S (0.1), --dst IP and --dstmac MAC (unicast cases).

CASE is one of
  good        a valid advert from --src (what a better master sends)
  badpass     the HMAC keyed with a different password     -> bad_hmac
  vhid        vhid --vhid + 1, otherwise valid (its own HMAC) -> unknown_vhid
  cksum       valid, then the CARP checksum flipped       -> bad_checksum
  ttl         TTL 64 to 224.0.0.18                          -> bad_ttl
  ttl_ucast   TTL 64 unicast to --dst / --dstmac            -> bad_ttl
  short       CARP header cut to 20 of 36 bytes, IP total
              length says so                                -> short
  short_len   all 36 bytes in the IP header's total length
              (56) but only 40 bytes of IP in the frame      -> short
  version     CARP version 3                                -> bad_version
  type        CARP type 2                                   -> bad_type
  authlen     authlen 6                                     -> bad_authlen
  own_src     valid, but from --src = the receiver's own
              address                                       -> own_packet
  loop        waits for the receiver's own advert on IFACE and
              sends that very frame back, COUNT times        -> own_packet
  own_counter waits for the receiver's advert, then sends a valid
              advert from --src (not the receiver) carrying that
              advert's counter (its HMAC recomputed)        -> own_packet
  ipcksum     valid, then the IPv4 header checksum flipped -> bad_ip
  fragment    valid, with the more-fragments bit set        -> bad_ip
  ucast_other valid, unicast to --dstmac (the receiver's MAC)
              but to an IP address that is not the receiver's
              (the kernel would forward it)                 -> bad_ip
  otherhost   valid, to the CARP group, in a frame to another
              host's MAC (a flooding switch): not for the
              receiver at all                        -> nothing counted
"""
import argparse
import hashlib
import hmac
import os
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
PACKET_OUTGOING = 4
GROUP = "224.0.0.18"
GROUP_MAC = bytes.fromhex("01005e000012")
CAPTURE_WAIT = 3.5	# advbase 1: an advert is due within a second


def cksum(data):
    """RFC 1071 over data; returns the 16-bit value to store."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def carp_hmac(pw, vhid, vips, counter):
    """ucarp/FreeBSD: HMAC-SHA1 keyed with the password (HMAC pads a
    short key with zeros, so the BSDs' NUL-padded 20-byte key is the
    same), over version 2, type 1, vhid, the IPv4 VIPs in ascending
    order (network bytes), then the 64-bit counter, big-endian."""
    msg = bytes([2, 1, vhid])
    for v in sorted(socket.inet_aton(a) for a in vips):
        msg += v
    msg += struct.pack("!Q", counter)
    return hmac.new(pw.encode(), msg, hashlib.sha1).digest()


def carp_header(vhid, advskew, advbase, counter, md, version=2, ctype=1,
                authlen=7, demote=0):
    """The 36-byte header with its checksum (no pseudo-header)."""
    h = struct.pack("!BBBBBBHQ", version << 4 | ctype, vhid, advskew,
                    authlen, demote, advbase, 0, counter) + md
    return h[:6] + struct.pack("!H", cksum(h)) + h[8:]


def ip4(src, dst, payload, ttl=255, total=None):
    """IPv4 header (TOS 0xe0, DF, proto 112) + payload; total overrides
    the total-length field (the header checksum stays right)."""
    tot = 20 + len(payload) if total is None else total
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0xe0, tot, 0, 0x4000, ttl, 112,
                    0, socket.inet_aton(src), socket.inet_aton(dst))
    return h[:10] + struct.pack("!H", cksum(h)) + h[12:] + payload


def mac_of(iface):
    with open("/sys/class/net/%s/address" % iface) as f:
        return bytes.fromhex(f.read().strip().replace(":", ""))


def capture(sock, vhid):
    """The next CARP frame of vhid that arrives (not one we send)."""
    end = time.time() + CAPTURE_WAIT
    while time.time() < end:
        r, _, _ = select.select([sock], [], [], max(0, end - time.time()))
        if not r:
            break
        f, addr = sock.recvfrom(2048)
        if addr[2] == PACKET_OUTGOING or len(f) < 14 + 20 + 36:
            continue
        if struct.unpack("!H", f[12:14])[0] != ETH_P_IP or f[23] != 112:
            continue
        hl = (f[14] & 0x0f) * 4
        if f[14 + hl + 1] == vhid:
            tot = struct.unpack("!H", f[16:18])[0]
            return f[:14 + tot]
    raise SystemExit("carp_craft: no advert of vhid %d on the link within "
                     "%.1fs" % (vhid, CAPTURE_WAIT))


def build(case, a, counter, looped):
    """One frame (Ethernet + IP + CARP) for case."""
    src_mac = mac_of(a.iface)
    dst_mac, dst, ttl, total = GROUP_MAC, GROUP, 255, None
    vhid, pw, ver, ctype, authlen = a.vhid, a.pw, 2, 1, 7
    if case == "loop":
        return looped
    if case == "own_counter":
        counter = struct.unpack("!Q", looped[14 + 20 + 8:14 + 20 + 16])[0]
    if case == "badpass":
        pw = a.pw + "-wrong"
    elif case == "vhid":
        vhid = a.vhid % 255 + 1
    elif case in ("ttl", "ttl_ucast"):
        ttl = 64
        if case == "ttl_ucast":
            dst, dst_mac = a.dst, bytes.fromhex(a.dstmac.replace(":", ""))
    elif case == "version":
        ver = 3
    elif case == "type":
        ctype = 2
    elif case == "authlen":
        authlen = 6
    elif case == "ucast_other":
        dst, dst_mac = "10.73.1.99", bytes.fromhex(a.dstmac.replace(":", ""))
    elif case == "otherhost":
        dst_mac = bytes.fromhex("020000000099")
    md = carp_hmac(pw, vhid, [a.vip], counter)
    carp = carp_header(vhid, a.advskew, a.advbase, counter, md, ver, ctype,
                       authlen)
    if case == "cksum":
        carp = carp[:6] + bytes([carp[6] ^ 0x5a]) + carp[7:]
    elif case == "short":
        carp = carp[:20]
    pkt = ip4(a.src, dst, carp, ttl, total)
    if case == "short_len":
        pkt = pkt[:40]		# the header still says 56 bytes
    elif case == "ipcksum":
        pkt = pkt[:10] + bytes([pkt[10] ^ 0xff]) + pkt[11:]
    elif case == "fragment":
        h = bytearray(pkt[:20])
        h[6] |= 0x20
        h[10:12] = b"\0\0"
        h[10:12] = struct.pack("!H", cksum(bytes(h)))
        pkt = bytes(h) + pkt[20:]
    return dst_mac + src_mac + struct.pack("!H", ETH_P_IP) + pkt


CASES = ("good", "badpass", "vhid", "cksum", "ttl", "ttl_ucast", "short",
         "short_len", "version", "type", "authlen", "own_src", "loop",
         "own_counter", "ipcksum", "fragment", "ucast_other", "otherhost")


def send(a):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                      socket.htons(ETH_P_ALL))
    s.bind((a.iface, 0))
    looped = None
    if a.case in ("loop", "own_counter"):
        looped = capture(s, a.vhid)
    # FreeBSD: the counter starts random; ours too, so it never meets
    # the receiver's by chance (that would be own_packet).
    counter = struct.unpack("!Q", os.urandom(8))[0]
    for i in range(a.count):
        if i:
            time.sleep(a.interval)
        s.send(build(a.case, a, counter, looped))
        counter = (counter + 1) & 0xffffffffffffffff
    s.close()
    print("sent %d %s" % (a.count, a.case))


def selftest():
    """A vector checked against ucarp's encoder: vhid 7,
    password "secret", VIP 10.9.0.100, counter 0x6f93e5426b37423c."""
    md = carp_hmac("secret", 7, ["10.9.0.100"], 0x6f93e5426b37423c)
    want = bytes.fromhex("d33211215c43d017c193125f8e4e93546570f954")
    h = carp_header(7, 20, 1, 0x6f93e5426b37423c, md)
    ok = (md == want and h[:8] == bytes.fromhex("210714070001639c") and
          cksum(h) == 0)
    print("selftest %s" % ("ok" if ok else "FAILED: md %s head %s" %
                           (md.hex(), h[:8].hex())))
    return 0 if ok else 1


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "selftest":
        return selftest()
    p = argparse.ArgumentParser()
    p.add_argument("cmd", choices=["send"])
    p.add_argument("iface")
    p.add_argument("case", choices=CASES)
    p.add_argument("--src", required=True)
    p.add_argument("--vip", required=True)
    p.add_argument("--vhid", type=int, required=True)
    p.add_argument("--pw", required=True)
    p.add_argument("--advskew", type=int, default=0)
    p.add_argument("--advbase", type=int, default=1)
    p.add_argument("--count", type=int, default=3)
    p.add_argument("--interval", type=float, default=0.1)
    p.add_argument("--dst", default="")
    p.add_argument("--dstmac", default="")
    a = p.parse_args()
    send(a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
