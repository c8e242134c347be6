#!/usr/bin/env python3
"""byname.py: a randomized differential test of watchx --by-name.

Each round makes a small random tree of directories and files named from a
tiny alphabet, starts `watchx --by-name` on a few paths in it (some of them
missing, several levels deep), then applies a seeded random sequence of
operations that make, remove and rename files and whole directories on the
way to those paths, save files by renaming over them, and move trees in
and out.  A marker path given to watchx is created last; once its creation
is printed, watchx has handled everything before it.

The oracle replays watchx's output the way the man page says a consumer
should: IN_CREATE and IN_MOVED_TO of a path mean it exists, IN_DELETE and
IN_MOVED_FROM that it does not.  For every path, the state so replayed
(from the state at start) must equal whether the path exists at the end,
and no IN_CREATE may come for a path that is there, no IN_DELETE or
IN_MOVED_FROM for one that is gone (a creation or removal reported twice).
No line may name a path that was not given; lines with a file name are
the events inside a target that is a directory at the time, and say
nothing about its name.  Prints one line per failing round and a
summary; exits 1 on any failure.
Usage: byname.py [--seed N] [--rounds N] [--ops N] [--seconds S] WATCHX
"""

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

DEADLINE = float(os.environ.get("ORACLE_DEADLINE", "10"))
NAMES = ["a", "b", "c"]
APPEAR = ("IN_CREATE", "IN_MOVED_TO")
VANISH = ("IN_DELETE", "IN_MOVED_FROM")


def rand_path(rng, depth):
    return "/".join(rng.choice(NAMES) for _ in range(depth))


def exists(p):
    return os.path.lexists(p)


def op(rng, tmp):
    """One random operation below the current directory."""
    p = rand_path(rng, rng.randint(1, 3))
    q = rand_path(rng, rng.randint(1, 3))
    kind = rng.choice(["mkdir", "mkdir", "file", "file", "rm", "mv",
                       "save", "movein", "moveout"])
    try:
        if kind == "mkdir":
            os.makedirs(p, exist_ok=True)
        elif kind == "file":
            os.makedirs(os.path.dirname(p) or ".", exist_ok=True)
            with open(p, "w") as f:
                f.write("x")
        elif kind == "rm":
            if os.path.isdir(p) and not os.path.islink(p):
                shutil.rmtree(p)
            elif exists(p):
                os.unlink(p)
        elif kind == "mv":
            if exists(p) and not (q + "/").startswith(p + "/"):
                os.makedirs(os.path.dirname(q) or ".", exist_ok=True)
                os.rename(p, q)
        elif kind == "save":
            # An editor's save: a new file renamed over the name.
            if os.path.isdir(os.path.dirname(p) or "."):
                t = p + ".tmp~"
                with open(t, "w") as f:
                    f.write("y")
                os.rename(t, p)
        elif kind == "movein":
            # A whole tree made elsewhere and moved in.
            src = os.path.join(tmp, "in%d" % rng.randrange(1 << 30))
            os.makedirs(os.path.join(src, rand_path(rng, rng.randint(0, 2))),
                        exist_ok=True)
            for d, _, _ in list(os.walk(src)):
                with open(os.path.join(d, rng.choice(NAMES)), "w") as f:
                    f.write("z")
            if not exists(p):
                os.makedirs(os.path.dirname(p) or ".", exist_ok=True)
                os.rename(src, p)
            else:
                shutil.rmtree(src)
        elif kind == "moveout":
            if exists(p):
                os.rename(p, os.path.join(tmp, "out%d" % rng.randrange(1 << 30)))
    except OSError:
        pass


def one_round(watchx, seed, nops):
    rng = random.Random(seed)
    base = tempfile.mkdtemp(prefix="wxbn.")
    tmp = tempfile.mkdtemp(prefix="wxbn-out.")
    cwd = os.getcwd()
    problems = []
    try:
        os.chdir(base)
        for _ in range(rng.randint(0, 6)):
            op(rng, tmp)
        targets = sorted({rand_path(rng, rng.randint(1, 3))
                          for _ in range(rng.randint(1, 4))})
        if not targets:
            targets = ["a/b/c"]
        start = {t: exists(t) for t in targets}
        mark = "zz-mark"
        out = open("../" + os.path.basename(base) + ".out", "w+")
        err = open("../" + os.path.basename(base) + ".err", "w+")
        proc = subprocess.Popen(
            [watchx, "--by-name", "--no-tick",
             "-e", "create,delete,moved_from,moved_to"] + targets + [mark],
            stdout=out, stderr=err)
        end = time.time() + DEADLINE
        while b"Watches established." not in open(err.name, "rb").read():
            if proc.poll() is not None or time.time() > end:
                problems.append("watchx did not start")
                break
            time.sleep(0.01)
        for _ in range(nops):
            op(rng, tmp)
        open(mark, "w").close()
        while True:
            lines = open(out.name).read().splitlines()
            if any(l.split("\t")[4:5] == [mark] and "IN_CREATE" in l
                   for l in lines):
                break
            if proc.poll() is not None or time.time() > end:
                problems.append("timeout: no marker")
                break
            time.sleep(0.01)
        proc.terminate()
        proc.wait()
        state = dict(start)
        for l in open(out.name).read().splitlines():
            f = l.split("\t")
            if len(f) != 6:
                problems.append("malformed line %r" % l)
                continue
            path, name, names = f[4], f[5], f[3].split(",")
            if path == mark:
                continue
            if path not in state:
                problems.append("a path not given: %r" % l)
                continue
            # Inside a target that is a directory: not about its name.
            if name != "":
                continue
            # IN_MOVED_TO may replace a file that is there; IN_CREATE
            # cannot, and nothing can remove what is not there.
            if "IN_CREATE" in names and state[path]:
                problems.append("created, but there already: %r" % l)
            if any(n in VANISH for n in names) and not state[path]:
                problems.append("removed, but gone already: %r" % l)
            if any(n in APPEAR for n in names):
                state[path] = True
            elif any(n in VANISH for n in names):
                state[path] = False
        for t in targets:
            if state[t] != exists(t):
                problems.append("%s: replayed %s, is %s" %
                                (t, "there" if state[t] else "gone",
                                 "there" if exists(t) else "gone"))
    finally:
        os.chdir(cwd)
        shutil.rmtree(base, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)
        for ext in (".out", ".err"):
            try:
                if not problems:
                    os.unlink(base + ext)
            except OSError:
                pass
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=100)
    ap.add_argument("--ops", type=int, default=30)
    ap.add_argument("--seconds", type=float, default=0)
    ap.add_argument("--only", type=int)
    ap.add_argument("watchx")
    a = ap.parse_args()
    watchx = os.path.abspath(a.watchx)
    failed = rounds = 0
    t0 = time.time()
    i = 0
    while True:
        seed = a.only if a.only is not None else a.seed * 100000 + i
        i += 1
        p = one_round(watchx, seed, a.ops)
        rounds += 1
        if p:
            failed += 1
            print("round seed=%d: %d problems: %s" % (seed, len(p),
                  "; ".join(p[:6])))
        if a.only is not None:
            break
        if a.seconds > 0:
            if time.time() - t0 > a.seconds:
                break
        elif rounds >= a.rounds:
            break
    print("byname oracle: %d rounds, %d failed" % (rounds, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
