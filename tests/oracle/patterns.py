#!/usr/bin/env python3
"""patterns.py: watchx's gitignore(5) matcher (src/ignore.c) against git's.

Each round writes a random .gitignore (negations, anchors, '**', classes,
ranges, escapes, directory-only patterns, comments, trailing spaces) and
a random tree of files and directories in a fresh repository, then asks
git check-ignore --no-index and tests/unit/ignorecheck (ignore.c) which
paths are ignored; the two sets must be equal.  A path below an ignored
directory is ignored, as git says.  Prints each failing round with its
patterns and the paths judged differently; exits 1 on any failure.

make check: python3 tests/oracle/patterns.py --seed 1 --rounds 400
soak:       python3 tests/oracle/patterns.py --seed N --seconds 600
"""

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

NAMES = ["a", "b", "ab", "a.o", "b.c", "x.log", ".h", "[a]", "a b", "!a",
         "#a", "c-d", "A", "1"]
PIECES = ["a", "b", "c", "o", ".", "x", "*", "**", "?", "[ab]", "[!a]",
          "[^b]", "[a-c]", "[[:alpha:]]", "[[:digit:]]", "[]a]", "\\*",
          "\\!", "-", "A", "1", "[a-]", "[:]", "\\", " "]


def rand_name(rng):
    if rng.random() < 0.7:
        return rng.choice(NAMES)
    while True:
        n = "".join(rng.choice("abco.x-") for _ in range(rng.randint(1, 3)))
        if n not in (".", "..", ".git"):
            return n


def rand_component(rng):
    if rng.random() < 0.3:
        return rng.choice(NAMES)
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 3)))


def rand_pattern(rng):
    parts = [rand_component(rng) for _ in range(rng.choice([1, 1, 1, 2, 3]))]
    if rng.random() < 0.15:
        parts.insert(0, "**")
    if rng.random() < 0.1:
        parts.append("**")
    p = "/".join(parts)
    r = rng.random()
    if r < 0.2:
        p = "/" + p
    if rng.random() < 0.25:
        p += "/"
    if rng.random() < 0.2:
        p = "!" + p
    if rng.random() < 0.05:
        p = "#" + p
    if rng.random() < 0.05:
        p += rng.choice(["  ", "\\ ", " \\ ", "\t"])
    return p


def rand_tree(rng, top):
    paths = {}
    for _ in range(rng.randint(5, 25)):
        depth = rng.randint(1, 4)
        comps = [rand_name(rng) for _ in range(depth)]
        for i in range(1, depth):
            d = "/".join(comps[:i])
            if paths.get(d, "d") != "d":
                break
            paths[d] = "d"
        else:
            p = "/".join(comps)
            if p not in paths:
                paths[p] = rng.choice("fd")
    for p, kind in sorted(paths.items()):
        full = os.path.join(top, p)
        if kind == "d":
            os.makedirs(full, exist_ok=True)
        else:
            open(full, "w").close()
    return paths


def one_round(seed, checker, keep):
    rng = random.Random(seed)
    top = tempfile.mkdtemp(prefix="patterns.")
    try:
        subprocess.run(["git", "init", "-q", top], check=True)
        pats = [rand_pattern(rng) for _ in range(rng.randint(1, 10))]
        text = "\n".join(pats) + ("\n" if rng.random() < 0.8 else "")
        with open(os.path.join(top, ".gitignore"), "w") as f:
            f.write(text)
        paths = rand_tree(rng, top)
        names = sorted(paths)
        env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", HOME=top,
                   XDG_CONFIG_HOME=os.path.join(top, "nonexistent"))
        git = subprocess.run(["git", "-C", top, "check-ignore",
                              "--no-index", "--stdin"],
                             input="\n".join(names) + "\n",
                             capture_output=True, text=True, env=env)
        if git.returncode not in (0, 1):
            return "git failed: " + git.stderr.strip()
        theirs = set(git.stdout.splitlines())
        lines = [p + ("/" if paths[p] == "d" else "") for p in names]
        ours_out = subprocess.run([checker, os.path.join(top, ".gitignore")],
                                  input="\n".join(lines) + "\n",
                                  capture_output=True, text=True, check=True)
        ours = {p.rstrip("/") for p in ours_out.stdout.splitlines()}
        if ours == theirs:
            return None
        diff = ["  %s %s: git %s, watchx %s" % (
            paths[p], p, "ignored" if p in theirs else "kept",
            "ignored" if p in ours else "kept")
            for p in names if (p in ours) != (p in theirs)]
        return ("patterns %r\n" % text) + "\n".join(diff)
    finally:
        if keep:
            print("kept", top)
        else:
            shutil.rmtree(top)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=400)
    ap.add_argument("--seconds", type=float, default=0)
    ap.add_argument("--only", type=int, default=None)
    ap.add_argument("--dump", action="store_true")
    ap.add_argument("checker")
    a = ap.parse_args()
    start = time.monotonic()
    failed = rounds = 0
    r = a.only if a.only is not None else 0
    while True:
        if a.only is not None and rounds == 1:
            break
        if a.only is None and a.seconds == 0 and rounds >= a.rounds:
            break
        if a.seconds and time.monotonic() - start > a.seconds:
            break
        why = one_round(a.seed * 1000003 + r, a.checker, a.dump)
        if why:
            failed += 1
            print("round %d (--seed %d --only %d) failed:\n%s" %
                  (r, a.seed, r, why))
        rounds += 1
        r += 1
    print("patterns: %d rounds, %d failed, %.1f s" %
          (rounds, failed, time.monotonic() - start))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
