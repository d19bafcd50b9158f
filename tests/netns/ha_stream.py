"""ha_stream.py — a TCP stream through the firewall that notices resets.

  ha_stream.py server PORT
      echoes every line back (one connection at a time, forever)
  ha_stream.py probe SRC DST PORT
      a stateless mid-stream TCP ACK to DST:PORT; "rst" or "none"
  ha_stream.py client HOST PORT STATUSFILE
      sends a counter line every 20 ms, reads the echoes, and rewrites
      STATUSFILE (JSON) every 100 ms: {"sent","recv","max_gap","last_gap",
      "since_last","error","peer"}. error is null while the stream lives;
      a reset or a close ends the client with the reason in error.

max_gap is the longest time between two echoes since the last "mark"
(the client resets it on SIGUSR1, so a test can measure one event).
Standard library only.
"""
import json
import os
import select
import signal
import socket
import sys
import time


def server(port):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", port))
    ls.listen(4)
    while True:
        c, peer = ls.accept()
        try:
            while True:
                b = c.recv(4096)
                if not b:
                    break
                c.sendall(b)
        except OSError:
            pass
        c.close()


def client(host, port, path):
    st = {"sent": 0, "recv": 0, "max_gap": 0.0, "last_gap": 0.0,
          "since_last": 0.0, "error": None, "peer": None}
    mark = {"reset": False}

    def on_usr1(sig, frm):
        mark["reset"] = True

    signal.signal(signal.SIGUSR1, on_usr1)

    def dump():
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(st, f)
        os.replace(tmp, path)

    s = socket.create_connection((host, port), timeout=5)
    s.setblocking(False)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    st["peer"] = "%s:%d" % s.getsockname()
    buf = b""
    last_rx = time.monotonic()
    next_tx = last_rx
    next_dump = last_rx
    try:
        while True:
            now = time.monotonic()
            if mark["reset"]:
                mark["reset"] = False
                st["max_gap"] = 0.0
            if now >= next_tx:
                st["sent"] += 1
                try:
                    s.send(b"%d\n" % st["sent"])
                except BlockingIOError:
                    st["sent"] -= 1
                next_tx += 0.02
                if next_tx < now:
                    next_tx = now + 0.02
            r, _, _ = select.select([s], [], [], max(0.0, min(next_tx,
                                    next_dump) - time.monotonic()))
            if r:
                b = s.recv(65536)
                if not b:
                    raise ConnectionError("closed by the peer (FIN)")
                buf += b
                n = buf.count(b"\n")
                if n:
                    buf = buf[buf.rfind(b"\n") + 1:]
                    t = time.monotonic()
                    gap = t - last_rx
                    st["last_gap"] = round(gap, 3)
                    st["max_gap"] = round(max(st["max_gap"], gap), 3)
                    st["recv"] += n
                    last_rx = t
            now = time.monotonic()
            if now >= next_dump:
                st["since_last"] = round(now - last_rx, 3)
                dump()
                next_dump = now + 0.1
    except (OSError, ConnectionError) as e:
        st["error"] = "%s: %s" % (type(e).__name__, e)
        st["since_last"] = round(time.monotonic() - last_rx, 3)
        dump()
        return 1


def probe(src, dst, dport):
    """Sends a mid-stream TCP segment (ACK, no state anywhere) from src to
    dst:dport and listens 1 s for an answer. Prints "rst" when dst
    answered with a reset, "none" when it stayed silent (exit 0)."""
    import random
    import struct

    def csum(b):
        if len(b) % 2:
            b += b"\0"
        t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
        while t >> 16:
            t = (t & 0xffff) + (t >> 16)
        return ~t & 0xffff

    sport = random.randint(20000, 60000)
    hdr = struct.pack("!HHIIBBHHH", sport, dport, random.getrandbits(32),
                      random.getrandbits(32), 5 << 4, 0x10, 64240, 0, 0)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack(
        "!BBH", 0, socket.IPPROTO_TCP, len(hdr))
    hdr = hdr[:16] + struct.pack("!H", csum(pseudo + hdr)) + hdr[18:]
    rx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    tx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    tx.bind((src, 0))
    tx.sendto(hdr, (dst, 0))
    end = time.monotonic() + 1.0
    while time.monotonic() < end:
        r, _, _ = select.select([rx], [], [], end - time.monotonic())
        if not r:
            break
        pkt, addr = rx.recvfrom(2048)
        ihl = (pkt[0] & 0x0f) * 4
        sp, dp = struct.unpack("!HH", pkt[ihl:ihl + 4])
        if addr[0] == dst and dp == sport and pkt[ihl + 13] & 0x04:
            print("rst")
            return 1
    print("none")
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "server":
        server(int(sys.argv[2]))
    elif sys.argv[1] == "probe":
        sys.exit(probe(sys.argv[2], sys.argv[3], int(sys.argv[4])))
    else:
        sys.exit(client(sys.argv[2], int(sys.argv[3]), sys.argv[4]))
