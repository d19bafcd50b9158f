#!/usr/bin/env python3
"""modules.py — the module boundaries, read from the #include lines.

A module is a folder of product code (appliance/<name>/, webapi/, sync/).
Checks, TAP:
  - header names are unique (the build links every public header into one
    folder, see the Makefile's INCDIR);
  - a private header (*_int.h) is included only from its own folder;
  - no circle between modules (module A includes a header of B, and B,
    directly or through others, one of A);
  - no circle either in what the objects of a build call (nm): a
    function declared by hand instead of through its header is a
    dependency the include lines do not show;
  - the same checks catch a private include and a circle planted in a
    copy of the tree, and the compiler refuses the planted include with
    the build's own flags (when a build exists).

  python3 tests/check/modules.py [ROOT]      (default: the repository)
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOTS = ("appliance", "webapi", "sync")
INC = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def sources(root):
    out = []
    for r in ROOTS:
        for d, _, fs in os.walk(os.path.join(root, r)):
            for f in sorted(fs):
                if f.endswith((".c", ".h")):
                    out.append(os.path.relpath(os.path.join(d, f), root))
    return sorted(out)


def analyse(root):
    """(problems by check, module graph) of the tree at root."""
    files = sources(root)
    where = {}
    dup = []
    for p in files:
        if p.endswith(".h"):
            b = os.path.basename(p)
            if b in where:
                dup.append("%s and %s" % (where[b], p))
            where[b] = p
    private, edges = [], {}
    for p in files:
        with open(os.path.join(root, p), errors="replace") as fp:
            text = fp.read()
        mod = os.path.dirname(p)
        for inc in INC.findall(text):
            if "/" in inc:
                private.append("%s: \"%s\": a path (headers are named by "
                               "file name only)" % (p, inc))
                inc = os.path.basename(inc)
            tgt = where.get(inc)
            if tgt is None:
                continue        # generated or a test's own
            tmod = os.path.dirname(tgt)
            if tmod == mod:
                continue
            if inc.endswith("_int.h"):
                private.append("%s includes %s, private to %s/" %
                               (p, inc, tmod))
            edges.setdefault(mod, {}).setdefault(tmod, p)
    circles = []
    # A circle: a path back to the start. Report each once, shortest first.
    seen = set()
    for start in sorted(edges):
        stack = [(start, [start])]
        while stack:
            node, path = stack.pop(0)
            for nxt in sorted(edges.get(node, {})):
                if nxt == start:
                    key = frozenset(path)
                    if key not in seen:
                        seen.add(key)
                        via = ["%s (%s)" % (path[i + 1] if i + 1 < len(path)
                               else start, edges[path[i]][path[i + 1] if
                               i + 1 < len(path) else start])
                               for i in range(len(path))]
                        circles.append(start + " -> " + " -> ".join(via))
                elif nxt not in path and len(path) < 8:
                    stack.append((nxt, path + [nxt]))
    return {"dup": dup, "private": private, "circle": circles}, edges


def symbol_circles(root, build):
    """Circles between modules in the calls of the build's objects, or
    None when there is no build."""
    obj = os.path.join(build, "obj")
    if not os.path.isdir(obj):
        return None
    defs, undef, objs = {}, {}, {}
    for src in sources(root):
        o = os.path.join(obj, src[:-2] + ".o")
        if src.endswith(".c") and os.path.exists(o):
            objs[o] = src
    out = subprocess.run(["nm", "-A"] + sorted(objs), capture_output=True,
                         text=True).stdout
    for line in out.splitlines():
        o, _, rest = line.partition(":")
        src = objs.get(o)
        if src is None:
            continue
        mod = os.path.dirname(src)
        f = rest.split()
        if len(f) == 3 and f[1] in "TDBR":
            defs[f[2]] = (mod, src)
        elif len(f) == 2 and f[0] == "U":
            undef.setdefault(mod, []).append((f[1], src))
    calls = {}
    for mod, syms in undef.items():
        for sym, src in syms:
            if sym in defs and defs[sym][0] != mod:
                calls.setdefault(mod, {}).setdefault(
                    defs[sym][0], "%s calls %s" % (src, sym))
    out = []
    for a in sorted(calls):
        for b in sorted(calls[a]):
            if a < b and a in calls.get(b, {}):
                out.append("%s <-> %s: %s; %s" % (a, b, calls[a][b],
                                                  calls[b][a]))
    return out


def report(n, name, problems):
    print(("ok %d - %s" if not problems else "not ok %d - %s") % (n, name))
    for p in problems[:20]:
        print("#   " + p)


def planted(root, build):
    """Copies of the tree with one violation each: caught?"""
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for r in ROOTS:
            shutil.copytree(os.path.join(root, r), os.path.join(tmp, r))
        # webapi/ including render's private header
        bad = os.path.join(tmp, "webapi", "planted.c")
        with open(bad, "w") as fp:
            fp.write('#include "render_int.h"\nint planted;\n')
        probs, _ = analyse(tmp)
        out.append(("a private header included from another folder is "
                    "reported", any("planted.c" in p for p in
                                    probs["private"])))
        inc = os.path.join(build, "include")
        if os.path.isdir(inc):
            r = subprocess.run(["cc", "-fsyntax-only", "-iquote", inc, bad],
                               capture_output=True, text=True)
            out.append(("the build's flags refuse that include (%s)" %
                        (r.stderr.strip().splitlines() or ["compiled"])[0],
                        r.returncode != 0 and "render_int.h" in r.stderr))
        os.unlink(bad)
        # a circle: the lowest module including the API's header
        util = os.path.join(tmp, "appliance", "base", "util.c")
        if not os.path.exists(util):
            util = [os.path.join(tmp, p) for p in sources(tmp)
                    if p.endswith("util.c")][0]
        with open(util, "a") as fp:
            fp.write('\n#include "webapi.h"\n')
        probs, _ = analyse(tmp)
        out.append(("a circle planted between two modules is reported",
                    len(probs["circle"]) > 0))
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.normpath(os.path.join(here, "..", ".."))
    build = os.path.join(root, os.environ.get("TW_BUILD", "build"))
    probs, edges = analyse(root)
    n = 0
    for key, name in (("dup", "header names are unique"),
                      ("private", "private headers stay in their folder"),
                      ("circle", "no circle between modules")):
        n += 1
        report(n, name, probs[key])
    sym = symbol_circles(root, build)
    if sym is not None:
        n += 1
        report(n, "no two modules call each other (%s)" % build, sym)
        probs["symbol"] = sym
    for name, good in planted(root, build):
        n += 1
        report(n, name, [] if good else ["not caught"])
    print("# modules and what each includes:")
    for m in sorted(edges):
        print("#   %s: %s" % (m, " ".join(sorted(edges[m]))))
    fails = sum(1 for v in probs.values() if v)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
