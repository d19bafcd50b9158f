#!/usr/bin/python3
"""filter.py UNIT -- CMD... — runs CMD under the system call filter that
systemd would load for UNIT (tests/deb, where systemd is not PID 1):
SystemCallFilter= allow and ~deny lists (groups expanded with
`systemd-analyze syscall-filter`, @default always allowed),
SystemCallErrorNumber=, RestrictAddressFamilies= (socket() of another
family fails with EAFNOSUPPORT), MemoryDenyWriteExecute= (no mapping
both writable and executable, no mprotect to executable) and
RestrictNamespaces= (unshare, clone and setns with a namespace not
listed fail with EPERM; clone3 with ENOSYS, so glibc falls back to
clone, as under systemd). Needs Debian's
python3-seccomp; prints one line to stderr saying what it loaded."""
import errno
import os
import re
import socket
import subprocess
import sys

import seccomp


def groups():
    out = subprocess.run(["systemd-analyze", "syscall-filter"],
                         capture_output=True, text=True).stdout
    g, cur = {}, None
    for line in out.splitlines():
        if line.startswith("@"):
            cur = g.setdefault(line.strip(), [])
        elif cur is not None and line.strip() and not line.strip().startswith("#"):
            cur.append(line.strip())
    return g


def expand(names, g, seen=None):
    seen = set() if seen is None else seen
    out = set()
    for n in names:
        if n.startswith("@"):
            if n in seen:
                continue
            seen.add(n)
            out |= expand(g.get(n, []), g, seen)
        else:
            out.add(n)
    return out


# RestrictNamespaces= names and their clone flags (<linux/sched.h>).
NS_FLAGS = {"cgroup": 0x02000000, "ipc": 0x08000000, "net": 0x40000000,
            "mnt": 0x00020000, "pid": 0x20000000, "user": 0x10000000,
            "uts": 0x04000000, "time": 0x00000080}


def ns_forbidden(value):
    """The clone flags RestrictNamespaces=value forbids."""
    words = value.split()
    if not words or words == ["no"]:
        return 0
    if words == ["yes"]:
        allowed = set()
    elif words[0].startswith("~"):
        allowed = set(NS_FLAGS) - {words[0][1:]} - set(words[1:])
    else:
        allowed = set(words)
    return sum(f for n, f in NS_FLAGS.items() if n not in allowed)


def props(unit):
    p = {}
    with open(unit) as f:
        for line in f:
            m = re.match(r"^([A-Za-z]+)=(.*)$", line.strip())
            if m:
                p.setdefault(m.group(1), []).append(m.group(2))
    return p


def main():
    unit, cmd = sys.argv[1], sys.argv[sys.argv.index("--") + 1:]
    p, g = props(sys.argv[1]), groups()
    allow, deny = set(), set()
    for v in p.get("SystemCallFilter", []):
        if v.startswith("~"):
            deny |= expand(v[1:].split(), g)
        else:
            allow |= expand(v.split(), g)
    allow = (allow | expand(["@default"], g)) - deny
    err = getattr(errno, (p.get("SystemCallErrorNumber") or ["EPERM"])[-1])
    f = seccomp.SyscallFilter(defaction=seccomp.ERRNO(err))
    special = {"socket", "mmap", "mprotect", "pkey_mprotect"}
    forbid = ns_forbidden((p.get("RestrictNamespaces") or ["no"])[-1])
    if forbid:
        special |= {"unshare", "clone", "clone3", "setns"}
    n = 0
    for name in sorted(allow - special):
        try:
            f.add_rule(seccomp.ALLOW, name)
            n += 1
        except (RuntimeError, ValueError, OSError):
            pass		# not a system call of this architecture
    fams = (p.get("RestrictAddressFamilies") or [""])[-1].split()
    if "socket" in allow:
        if fams:
            for fam in fams:
                f.add_rule(seccomp.ALLOW, "socket",
                           seccomp.Arg(0, seccomp.EQ, getattr(socket, fam)))
            # Any other family: what systemd answers.
            f.add_rule(seccomp.ERRNO(errno.EAFNOSUPPORT), "socket",
                       seccomp.Arg(0, seccomp.GE, 0))
        else:
            f.add_rule(seccomp.ALLOW, "socket")
    for name, arg in (("unshare", 0), ("clone", 0), ("setns", 1)):
        if forbid and name in allow:
            f.add_rule(seccomp.ALLOW, name,
                       seccomp.Arg(arg, seccomp.MASKED_EQ, forbid, 0))
    if forbid and "clone3" in allow:
        f.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    mdwe = (p.get("MemoryDenyWriteExecute") or ["no"])[-1] == "yes"
    W, X = 0x2, 0x4		# PROT_WRITE, PROT_EXEC
    for name in ("mmap", "mprotect", "pkey_mprotect"):
        if name not in allow:
            continue
        if not mdwe:
            f.add_rule(seccomp.ALLOW, name)
        elif name == "mmap":
            for ok in (0, W, X):
                f.add_rule(seccomp.ALLOW, name,
                           seccomp.Arg(2, seccomp.MASKED_EQ, W | X, ok))
        else:
            f.add_rule(seccomp.ALLOW, name,
                       seccomp.Arg(2, seccomp.MASKED_EQ, X, 0))
    f.load()
    sys.stderr.write("tw-seccomp: %d system calls allowed, families %s, "
                     "MemoryDenyWriteExecute=%s, namespaces refused 0x%x\n" % (
                         n, ",".join(fams) or "any", "yes" if mdwe else "no",
                         forbid))
    sys.stderr.flush()
    os.execv(cmd[0], cmd)


if __name__ == "__main__":
    main()
