#!/usr/bin/env python3
"""parp_probe.py — who answers a neighbour request, for test_proxyarp*.sh.

  parp_probe.py arp IFACE TARGET SRC [DST]  ARP request (RFC 826) for
                                            TARGET, to DST (a MAC) or
                                            broadcast
  parp_probe.py ns IFACE TARGET SRC          Neighbor Solicitation (RFC 4861)

Sends one request out of IFACE from its MAC and source address SRC, then
listens on every device of the namespace for WAIT seconds (1.5: the
kernel delays a proxy NA by up to 0.8 s) and prints one line per answer
that arrived: "DEVICE ETHER_SOURCE ANSWERED_MAC". In a switch namespace
the device names the port the answer came in on.
"""
import ipaddress
import select
import socket
import struct
import sys
import time

from carp_craft import cksum, mac_of

WAIT = 1.5
ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def fmt(mac):
    return ":".join("%02x" % b for b in mac)


def icmp6_sum(src, dst, msg):
    """RFC 4443: over the IPv6 pseudo-header and the message."""
    return cksum(src + dst + struct.pack("!IxxxB", len(msg), 58) + msg)


def arp_request(mac, src, target, dst=b"\xff" * 6):
    return (dst + mac + b"\x08\x06" +
            struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) +
            mac + src.packed + b"\0" * 6 + target.packed)


def ns_request(mac, src, target):
    dst = ipaddress.IPv6Address("ff02::1:ff00:0").packed[:13] + \
        target.packed[13:]
    msg = struct.pack("!BBHI", 135, 0, 0, 0) + target.packed + \
        struct.pack("!BB", 1, 1) + mac
    msg = msg[:2] + struct.pack("!H", icmp6_sum(src.packed, dst, msg)) + \
        msg[4:]
    ip6 = struct.pack("!IHBB", 6 << 28, len(msg), 58, 255) + src.packed + dst
    return b"\x33\x33" + dst[12:] + mac + b"\x86\xdd" + ip6 + msg


def answer(kind, f, target):
    """The MAC f answers for target with, or None."""
    if kind == "arp":
        if (len(f) >= 42 and f[12:14] == b"\x08\x06" and
                f[20:22] == b"\x00\x02" and f[28:32] == target.packed):
            return f[22:28]
        return None
    if (len(f) < 78 or f[12:14] != b"\x86\xdd" or f[20] != 58 or
            f[54] != 136 or f[62:78] != target.packed):
        return None
    opts = f[78:]
    while len(opts) >= 8 and opts[1]:
        if opts[0] == 2:
            return opts[2:8]
        opts = opts[opts[1] * 8:]
    return b"\0" * 6


def main():
    kind, iface = sys.argv[1], sys.argv[2]
    target = ipaddress.ip_address(sys.argv[3])
    src = ipaddress.ip_address(sys.argv[4])
    mac = mac_of(iface)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                      socket.htons(ETH_P_ALL))
    if kind == "arp" and len(sys.argv) > 5:
        frame = arp_request(mac, src, target,
                            bytes.fromhex(sys.argv[5].replace(":", "")))
    else:
        frame = (arp_request if kind == "arp" else ns_request)(mac, src,
                                                               target)
    s.sendto(frame, (iface, 0))
    end = time.time() + WAIT
    while True:
        left = end - time.time()
        if left <= 0 or not select.select([s], [], [], left)[0]:
            break
        f, addr = s.recvfrom(2048)
        if addr[2] == PACKET_OUTGOING:
            continue
        a = answer(kind, f, target)
        if a is not None:
            print(addr[0], fmt(f[6:12]), fmt(a))
    return 0


if __name__ == "__main__":
    sys.exit(main())
