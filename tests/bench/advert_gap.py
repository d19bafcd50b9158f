#!/usr/bin/env python3
"""advert_gap.py — CARP adverts of one sender as a peer sees them.

  advert_gap.py capture DEV SRC OUT
      Until SIGTERM/SIGINT: a packet socket on DEV (run it in the peer's
      namespace) writes the arrival time of every IPv4 protocol 112
      packet from SRC to OUT, one per line.
  advert_gap.py gap OUT T0 T1
      Prints "GAP N": the longest interval between consecutive adverts
      around [T0, T1] (from the last advert before T0 to the first after
      T1), in seconds, and how many arrived in between.
"""
import signal
import socket
import sys
import time

ETH_P_IP = 0x0800


def capture(dev, src, out):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM,
                      socket.htons(ETH_P_IP))
    s.bind((dev, ETH_P_IP))
    s.settimeout(0.2)
    want = socket.inet_aton(src)
    f = open(out, "w", buffering=1)
    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    signal.signal(signal.SIGINT, lambda *a: stop.append(1))
    while not stop:
        try:
            pkt = s.recv(2048)
        except socket.timeout:
            continue
        except InterruptedError:
            continue
        if len(pkt) >= 20 and pkt[9] == 112 and pkt[12:16] == want:
            f.write("%.6f\n" % time.time())
    f.close()


def gap(out, t0, t1):
    ts = [float(x) for x in open(out) if x.strip()]
    before = [t for t in ts if t < t0]
    after = [t for t in ts if t > t1]
    lo = before[-1] if before else (ts[0] if ts else t0)
    hi = after[0] if after else (ts[-1] if ts else t1)
    win = [t for t in ts if lo <= t <= hi]
    g = max((b - a for a, b in zip(win, win[1:])), default=float("nan"))
    print("%.3f %d" % (g, len(win)))


if __name__ == "__main__":
    if sys.argv[1] == "capture":
        capture(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        gap(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]))
