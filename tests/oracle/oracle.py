#!/usr/bin/env python3
"""oracle.py: a randomized differential test of watchx -r.

Each round builds a random tree, starts `watchx -r` on it, applies a seeded
random sequence of file-system operations (creates, writes, deletes, file
and directory renames, moves out of and into the tree, rm -rf, symlinks,
hard links), optionally with watchx stopped (SIGSTOP) while they happen,
then waits until watchx has caught up and replays its output the way the
man page says a consumer should:

  IN_CREATE adds an entry, IN_DELETE removes one, a paired move (same
  cookie) renames an entry and everything below it, an unpaired
  IN_MOVED_FROM removes the entry and its subtree, an unpaired IN_MOVED_TO
  adds the entry (its contents follow as IN_CREATE).

The replayed set of paths must equal the tree's (`find`), no event may name
a path the consumer does not hold, and no IN_CREATE may name one it holds
already.  With --by-name N, watchx runs as `-r --by-name w` plus N random
paths below w (some made later by the operations), so that the tree and
the by-name stage share watches; the by-name stage's own lines (a path
given, no file name) are left out of the replay.  Prints one line per
failing round and a summary; exits 1 on any failure.  Usage: oracle.py [--seed N] [--rounds N] [--ops N] WATCHX
"""

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

# Seconds to wait for watchx; more under valgrind (ORACLE_DEADLINE).
DEADLINE = float(os.environ.get("ORACLE_DEADLINE", "10"))


def walk(root):
    """Every path below root, relative to it (links not followed)."""
    out = set()
    for d, dirs, files in os.walk(root):
        rel = os.path.relpath(d, root)
        for n in dirs + files:
            out.add(n if rel == "." else rel + "/" + n)
    return out


class Tree:
    """The operations, on the real tree under w with a scratch area out."""

    def __init__(self, rng, base):
        self.rng = rng
        self.w = os.path.join(base, "w")
        self.out = os.path.join(base, "out")
        self.n = 0

    def name(self):
        self.n += 1
        return "n%d" % self.n

    def dirs(self, top):
        res = [top]
        for d, dirs, _ in os.walk(top):
            res += [os.path.join(d, x) for x in dirs]
        return res

    def files(self, top):
        res = []
        for d, _, files in os.walk(top):
            res += [os.path.join(d, x) for x in files]
        return res

    def pick_dir(self, top=None, below=False):
        ds = self.dirs(top or self.w)
        if below:
            ds = ds[1:]
        return self.rng.choice(ds) if ds else None

    def populate(self, top, count):
        for _ in range(count):
            d = self.pick_dir(top)
            p = os.path.join(d, self.name())
            if self.rng.random() < 0.4:
                os.mkdir(p)
            else:
                with open(p, "w") as f:
                    f.write("x")

    def op(self):
        r = self.rng
        kind = r.choice(["mkdirp", "create", "create", "write", "delete",
                         "frename", "drename", "moveout", "movein",
                         "rmrf", "symlink", "hardlink", "mkmove",
                         "mkren", "outin"])
        try:
            getattr(self, "op_" + kind)()
        except (FileNotFoundError, FileExistsError, OSError):
            pass

    def op_mkdirp(self):
        p = self.pick_dir()
        for _ in range(self.rng.randint(1, 3)):
            p = os.path.join(p, self.name())
        os.makedirs(p)
        if self.rng.random() < 0.5:
            open(os.path.join(p, self.name()), "w").close()

    def op_create(self):
        with open(os.path.join(self.pick_dir(), self.name()), "w") as f:
            f.write("data")

    def op_write(self):
        fs = self.files(self.w)
        if fs:
            with open(self.rng.choice(fs), "a") as f:
                f.write("more")

    def op_delete(self):
        fs = self.files(self.w)
        if fs:
            os.unlink(self.rng.choice(fs))

    def op_frename(self):
        fs = self.files(self.w)
        if not fs:
            return
        src = self.rng.choice(fs)
        if self.rng.random() < 0.3 and len(fs) > 1:
            dst = self.rng.choice(fs)
        else:
            dst = os.path.join(self.pick_dir(), self.name())
        os.rename(src, dst)

    def op_drename(self):
        src = self.pick_dir(below=True)
        if src is None:
            return
        dst = self.pick_dir()
        if (dst + "/").startswith(src + "/"):
            return
        os.rename(src, os.path.join(dst, self.name()))

    def op_moveout(self):
        src = self.pick_dir(below=True)
        if src is not None:
            os.rename(src, os.path.join(self.out, self.name()))

    def op_movein(self):
        src = self.pick_dir(self.out, below=True)
        if src is not None:
            os.rename(src, os.path.join(self.pick_dir(), self.name()))

    def op_rmrf(self):
        src = self.pick_dir(below=True)
        if src is not None:
            shutil.rmtree(src)

    def op_symlink(self):
        target = self.rng.choice(self.dirs(self.w) + self.files(self.w))
        os.symlink(target, os.path.join(self.pick_dir(), self.name()))

    def op_hardlink(self):
        fs = self.files(self.w)
        if fs:
            os.link(self.rng.choice(fs),
                    os.path.join(self.pick_dir(), self.name()))

    def op_mkmove(self):
        """A directory moved into a directory that was just created."""
        src = self.pick_dir(below=True)
        if src is None:
            return
        new = os.path.join(self.pick_dir(), self.name())
        if (new + "/").startswith(src + "/"):
            return
        os.mkdir(new)
        os.rename(src, os.path.join(new, self.name()))

    def op_mkren(self):
        """A new directory, then its parent renamed."""
        parent = self.pick_dir(below=True)
        if parent is None:
            return
        new = os.path.join(parent, self.name())
        os.mkdir(new)
        open(os.path.join(new, self.name()), "w").close()
        os.rename(parent, os.path.join(os.path.dirname(parent), self.name()))

    def flood(self, creates):
        """Enough to overflow the kernel's queue: creates, some deletes,
        and the random operations mixed in.  Half the creates are in w
        itself, which is watched whatever the operations do: those in a
        directory made meanwhile queue no event until watchx walks it."""
        made = []
        for i in range(creates):
            # The operation first: it may move or delete directories.
            if i % 500 == 0:
                self.op()
                dirs = self.dirs(self.w)
            d = self.w if self.rng.random() < 0.5 else self.rng.choice(dirs)
            p = os.path.join(d, self.name())
            try:
                open(p, "w").close()
                made.append(p)
            except OSError:
                dirs = self.dirs(self.w)
            if made and self.rng.random() < 0.1:
                try:
                    os.unlink(made.pop(self.rng.randrange(len(made))))
                except OSError:
                    pass

    def op_outin(self):
        """A directory moved out and back in under another name."""
        src = self.pick_dir(below=True)
        if src is None:
            return
        tmp = os.path.join(self.out, self.name())
        os.rename(src, tmp)
        os.rename(tmp, os.path.join(self.pick_dir(), self.name()))


def replay(lines, root, initial, overflow=False, strict=False, named=()):
    """The consumer of the man page: the set of paths, and what went wrong.
    With strict, an IN_DELETE of an entry the consumer still holds entries
    below is wrong too (it removes one entry; a directory's are deleted
    first), where otherwise it takes the subtree with it.  Lines of the
    paths in named with no file name are the by-name stage's, about the
    path itself: left out."""
    held = set(initial)
    problems = []
    events = []
    for line in lines:
        f = line.split("\t")
        if len(f) < 6 or (f[5] == "" and f[4] in named):
            continue
        events.append(f)
    paired = {f[2] for f in events if "IN_MOVED_TO" in f[3].split(",")
              and f[2] != "0"}
    moving = {}

    def rel(wpath, name):
        if wpath == root:
            p = ""
        elif wpath.startswith(root + "/"):
            p = wpath[len(root) + 1:]
        else:
            return None
        return (p + "/" + name if p else name) if name else p

    def drop(p):
        held.discard(p)
        for q in [q for q in held if q.startswith(p + "/")]:
            held.discard(q)

    def known(p):
        return p == "" or p in held

    overflowed = [False]
    for wd, mask, cookie, names, wpath, name in (f[:6] for f in events):
        names = names.split(",")
        if "IN_Q_OVERFLOW" in names:
            if not overflow:
                problems.append("overflow")
            overflowed[0] = True
            continue
        p = rel(wpath, name)
        if p is None:
            problems.append("path outside the root: %s/%s" % (wpath, name))
            continue
        parent = p.rsplit("/", 1)[0] if "/" in p else ""
        if "IN_CREATE" in names:
            if p in held:
                problems.append("created twice: " + p)
            if not known(parent):
                problems.append("created under unknown: " + p)
            held.add(p)
        elif "IN_DELETE" in names:
            if p not in held:
                problems.append("deleted unknown: " + p)
            if strict and any(q.startswith(p + "/") for q in held):
                problems.append("deleted before what it holds: " + p)
            drop(p)
        elif "IN_MOVED_FROM" in names:
            if p not in held:
                problems.append("moved from unknown: " + p)
            if cookie in paired:
                moving[cookie] = p
            else:
                drop(p)
        elif "IN_MOVED_TO" in names:
            if not known(parent):
                problems.append("moved to under unknown: " + p)
            src = moving.pop(cookie, None)
            if src is None:
                drop(p)
                held.add(p)
                continue
            sub = [q for q in held if q == src or q.startswith(src + "/")]
            drop(p)
            for q in sub:
                held.discard(q)
            for q in sub:
                held.add(p + q[len(src):])
        elif not known(p):
            problems.append("%s under unknown: %s" % (names[0], p))
    if overflow and not overflowed[0]:
        problems.append("no overflow: the test did not test a rescan")
    return held, problems


def wait_for(pred, what):
    end = time.monotonic() + DEADLINE
    while not pred():
        if time.monotonic() > end:
            raise TimeoutError(what)
        time.sleep(0.01)


def targets(rng, tree, count, nops):
    """count paths below w for --by-name: in the tree or not, some of them
    names that the operations will make."""
    out = []
    for _ in range(count):
        d = tree.pick_dir()
        if rng.random() < 0.5:
            p = os.path.join(d, "n%d" % rng.randint(1, tree.n + 2 * nops))
        else:
            kids = os.listdir(d)
            p = os.path.join(d, rng.choice(kids)) if kids else d
        if rng.random() < 0.3:
            p = os.path.join(p, "n%d" % rng.randint(1, tree.n + 2 * nops))
        out.append(os.path.relpath(p, os.path.dirname(tree.w)))
    return out


def round_(watchx, seed, nops, stop, dump=None, flood=0, strict=False,
           byname=0):
    rng = random.Random(seed)
    base = tempfile.mkdtemp(prefix="oracle.")
    stuck = None
    try:
        tree = Tree(rng, base)
        os.mkdir(tree.w)
        os.mkdir(tree.out)
        tree.populate(tree.w, rng.randint(0, 30))
        tree.populate(tree.out, rng.randint(0, 10))
        initial = walk(tree.w)
        named = targets(rng, tree, byname, nops) if byname else []
        outp = os.path.join(base, "events")
        errp = os.path.join(base, "err")
        with open(outp, "w") as out, open(errp, "w") as err:
            args = [watchx, "-r", "--no-tick", "w"]
            if flood:
                args[1:1] = ["--on-overflow", "rescan"]
            if byname:
                args[1:1] = ["--by-name"]
                args += named
            proc = subprocess.Popen(args, cwd=base, stdout=out, stderr=err)
        try:
            wait_for(lambda: "Watches established." in open(errp).read(),
                     "watches established")
            if stop:
                proc.send_signal(signal.SIGSTOP)
            if flood:
                tree.flood(flood)
            for i in range(nops):
                tree.op()
                if not stop and rng.random() < 0.02:
                    time.sleep(0.03)
            if stop:
                proc.send_signal(signal.SIGCONT)
            mark = os.path.join(tree.w, "mark")
            open(mark, "w").close()
            try:
                wait_for(lambda: "\tw\tmark\n" in open(outp).read(),
                         "the marker's event")
            except TimeoutError:
                stuck = "timeout: no marker (watchx %s)" % (
                    "exited %s" % proc.poll() if proc.poll() is not None
                    else "still running")
            # What came after the marker: moves still waiting to expire.
            time.sleep(0.05)
        finally:
            proc.terminate()
            proc.wait()
        with open(outp, errors="surrogateescape") as f:
            lines = f.read().split("\n")
        if dump:
            shutil.copy(outp, os.path.join(dump, "%d.events" % seed))
            shutil.copy(errp, os.path.join(dump, "%d.err" % seed))
            with open(os.path.join(dump, "%d.args" % seed), "w") as f:
                f.write(" ".join(args[1:]) + "\n")
        held, problems = replay(lines, "w", initial, flood > 0, strict,
                                set(named) | {"w"} if byname else ())
        if stuck:
            problems.append(stuck)
        real = walk(tree.w)
        for p in sorted(real - held):
            problems.append("missing: " + p)
        for p in sorted(held - real):
            problems.append("extra: " + p)
        return problems, open(errp).read()
    finally:
        shutil.rmtree(base, ignore_errors=True)


def replay_only(events, root, initial, strict=False):
    """--replay: print what is wrong, exit 1 if anything is."""
    with open(events, errors="surrogateescape") as f:
        lines = f.read().split("\n")
    with open(initial) as f:
        init = {l for l in f.read().split("\n") if l}
    held, problems = replay(lines, root, init, overflow=True, strict=strict)
    real = walk(root)
    problems += ["missing: " + p for p in sorted(real - held)]
    problems += ["extra: " + p for p in sorted(held - real)]
    for p in problems:
        if not p.startswith("no overflow"):
            print(p)
    return 1 if any(not p.startswith("no overflow") for p in problems) else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--ops", type=int, default=60)
    ap.add_argument("--seconds", type=float, default=0,
                    help="run rounds until this many seconds have passed")
    ap.add_argument("--dump", help="keep each round's events in DIR")
    ap.add_argument("--only", type=int, help="run only the round of this seed")
    ap.add_argument("--flood", type=int, default=0,
                    help="overflow the queue with this many creates while "
                    "watchx is stopped, under --on-overflow rescan")
    ap.add_argument("--replay", nargs=3, metavar=("EVENTS", "ROOT", "INITIAL"),
                    help="only replay EVENTS, the output of watchx -r ROOT "
                    "(run in the current directory) started on the paths "
                    "listed in INITIAL, and compare with the tree ROOT now")
    ap.add_argument("--strict", action="store_true",
                    help="replay an IN_DELETE as removing one entry, which "
                    "must hold none (a directory's are deleted first)")
    ap.add_argument("--by-name", type=int, default=0, metavar="N",
                    help="run -r --by-name on w and N random paths below "
                    "it, some not there yet (the tree and the by-name "
                    "stage then share watches)")
    ap.add_argument("watchx", nargs="?")
    a = ap.parse_args()
    if a.replay:
        sys.exit(replay_only(*a.replay, strict=a.strict))
    watchx = os.path.abspath(a.watchx)
    if a.dump:
        os.makedirs(a.dump, exist_ok=True)
    failed = rounds = 0
    start = time.monotonic()
    r = 0
    while True:
        if a.seconds > 0:
            if time.monotonic() - start > a.seconds:
                break
        elif r >= a.rounds:
            break
        seed = a.seed * 100003 + r
        stop = r % 3 == 2 or a.flood > 0
        if a.only is not None:
            if seed != a.only:
                r += 1
                continue
            a.rounds = 0
        problems, err = round_(watchx, seed, a.ops, stop, a.dump, a.flood,
                               a.strict, a.by_name)
        rounds += 1
        r += 1
        if problems:
            failed += 1
            # The first problem of each kind, the path-set ones first.
            kinds = {}
            for p in problems:
                kinds.setdefault(p.split(":")[0], p)
            order = sorted(kinds, key=lambda k: ("under unknown" in k, k))
            print("round seed=%d%s: %d problems: %s" % (
                seed, " (stopped)" if stop else "", len(problems),
                "; ".join(kinds[k] for k in order)))
            if err.count("\n") > 2:
                print("  stderr: " + err.replace("\n", " | ")[:300])
    print("oracle: %d rounds, %d failed" % (rounds, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
