#!/usr/bin/env python3
"""filter_probe.py — real packets for the filter tests.

  filter_probe.py serve tcp PORTS udp PORTS tcp6 PORTS [tag]
      TCP: answers "<tag> peer=<address>" and closes; UDP: echoes the same;
      tcp6: TCP over IPv6 (the client picks IPv6 for an address with ":").
  filter_probe.py tcp HOST PORT      -> "open <answer>" | "refused" | "timeout"
  filter_probe.py udp HOST PORT      -> "reply <answer>" | "refused" | "timeout"
"""
import select
import socket
import sys

T = 1.0


def serve(args):
    tcp, udp, tag = [], [], "srv"
    mode = None
    for a in args:
        if a in ("tcp", "udp", "tcp6"):
            mode = a
        elif a.startswith("tag="):
            tag = a[4:]
        else:
            for p in a.split(","):
                if not p:
                    continue
                if mode in ("tcp", "tcp6"):
                    v6 = mode == "tcp6"
                    s = socket.socket(socket.AF_INET6 if v6 else
                                      socket.AF_INET, socket.SOCK_STREAM)
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    if v6:
                        s.setsockopt(socket.IPPROTO_IPV6,
                                     socket.IPV6_V6ONLY, 1)
                    s.bind(("::" if v6 else "0.0.0.0", int(p)))
                    s.listen(64)
                    tcp.append(s)
                else:
                    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    s.bind(("0.0.0.0", int(p)))
                    udp.append(s)
    while True:
        r, _, _ = select.select(tcp + udp, [], [])
        for s in r:
            if s in tcp:
                c, peer = s.accept()
                try:
                    c.sendall(("%s peer=%s\n" % (tag, peer[0])).encode())
                except OSError:
                    pass
                c.close()
            else:
                data, peer = s.recvfrom(2048)
                s.sendto(("%s peer=%s" % (tag, peer[0])).encode(), peer)


def tcp(host, port):
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    s.settimeout(T)
    try:
        s.connect((host, int(port)))
        data = s.recv(200).decode().strip()
        print("open " + data)
    except ConnectionRefusedError:
        print("refused")
    except (socket.timeout, OSError):
        print("timeout")


def udp(host, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(T)
    try:
        s.connect((host, int(port)))
        s.send(b"x")
        print("reply " + s.recv(200).decode().strip())
    except ConnectionRefusedError:
        print("refused")
    except (socket.timeout, OSError):
        print("timeout")


if __name__ == "__main__":
    {"serve": lambda: serve(sys.argv[2:]),
     "tcp": lambda: tcp(sys.argv[2], sys.argv[3]),
     "udp": lambda: udp(sys.argv[2], sys.argv[3])}[sys.argv[1]]()
