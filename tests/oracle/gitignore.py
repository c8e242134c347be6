#!/usr/bin/env python3
"""gitignore.py: a randomized differential test of watchx -r --gitignore.

  make check: python3 tests/oracle/gitignore.py --seed 1 --rounds 300 ./watchx
  long soak:  python3 tests/oracle/gitignore.py --seed 1 --seconds 600 ./watchx
  one round:  python3 tests/oracle/gitignore.py --only SEED --dump DIR ./watchx

The reference is git itself: `git check-ignore --no-index`.  Each round,
in a fresh directory, `git init` makes a repository and a seeded random
tree of directories, files and a few symbolic links (depth up to 4, names
from a small alphabet: `a`, `a.o`, `b.log`, `.hidden`, `build`, and odd ones
such as `!n`, `#h`, `s ` and `u[1]`).  Then random ignore files: the top
.gitignore, nested ones, .git/info/exclude, and a global excludes file
under a private HOME, either git's default ($XDG_CONFIG_HOME/git/ignore,
or ~/.config/git/ignore when XDG_CONFIG_HOME is unset) or core.excludesFile
set in ~/.gitconfig, $XDG_CONFIG_HOME/git/config or .git/config
(absolute or `~/`), with a decoy at the default place that git must not
read.  Half of the
patterns are made from paths that exist (some segments replaced by globs
or `**`, anchored with a leading or middle `/`, dir-only with a trailing
`/`, `/**` or `/*` after them, negated with `!`), the rest from the
alphabet and a list of globs (`*`, `?`, `[ab]`, `[!a]`, `[^b]`, `[a-c]`,
`[[:alpha:]]`, `***`, `a**`), with comments, blank lines, trailing spaces,
escaped `\\!`, `\\#` and `\\ `, a trailing backslash, a UTF-8 BOM, no final
newline, re-includes under excluded directories (which git refuses), and
now and then a nested .gitignore that is a symbolic link (which git does
not read).  git and watchx get the same environment (HOME,
XDG_CONFIG_HOME set or unset, GIT_CONFIG_NOSYSTEM=1, no other GIT_*).

watchx -r --gitignore runs on the repository's top or, in some rounds, on
a subdirectory that git does not ignore (so the .gitignore files of its
ancestors and info/exclude apply to it), given as a relative or an
absolute path, with -e attrib,create (and more) or, in some rounds, every
event.  Once stderr says "Watches established.", every path of the
repository is touched (os.utime, links not followed; .git, and some of
what is inside it, too), then a marker file whose name git does not
ignore (asked first) is created in the watched directory; once watchx
prints the marker's IN_CREATE it has seen every touch.  The paths printed
with IN_ATTRIB before the marker must be exactly the paths below the
watched directory that git does not ignore: one `git check-ignore
--no-index --stdin -z -v -n` call asks about every path (directories
without a trailing slash; git decides dir-only patterns by lstat).  No
other event may name an ignored path, and none may show a file opened or
read (watchx's own reading of a .gitignore), only the touches and the
listings of directories.  Nothing may be printed under .git, nor .git
itself.

In most rounds a second phase follows while watchx runs: one to three
changes, each to a .gitignore (rewritten in place, appended to, replaced
by a rename, deleted, created) or a directory renamed within the tree
(with what it holds, .gitignore files too) or made outside with a
.gitignore of its own and moved in.  The watched subdirectory and its
ancestors are left alone, so that it stays un-ignored.  Then a second
marker, a touch of everything, a third marker, and the paths printed
with IN_ATTRIB between the second and the third marker must be git's new
verdicts.  (An IN_CLOSE_WRITE that a listing of the second phase owes a
file it reported created may come after the second marker: it comes once
the events queued during the listing are read, and the marker may be
among them.)  Every directory that git ignored before and does not now must
have been reported with IN_CREATE.  When the change was a single atomic
one (a rename or a deletion), the check is exact: the contents of such
directories must be reported too, and what a directory moved in (or
renamed) holds that was not seen under its old name; no IN_CREATE may
name a path that git ignores now or that was reported before, and no
event a path that git ignores both before and after.  With several
changes or a change written in place, watchx may pass through states
that are neither the old nor the new one, so only the directories are
checked.  --no-renames leaves out the directory renames.

A failing round prints one line, `round seed=N ...: K problems: ...`,
then, indented, the ignore files as they were in that round (and the
changes of the second phase), each differing path with the pattern git
matched (`source:line:pattern`, or `::` for none) and a few lines of
watchx's stderr.  `--only SEED` runs that round alone; `--dump DIR` keeps
its directory (repository, HOME, watchx's output, and `env` with the
variables and the command line to run it again by hand) as DIR/SEED.
The summary gives the number of rounds, the failures and the time per
round; the exit status is 1 if any round failed.  ORACLE_DEADLINE (default
10 seconds) bounds every wait for watchx.
Usage: gitignore.py [--seed N] [--rounds N] [--seconds S] [--phase2 P]
                    [--no-renames] [--only SEED] [--dump DIR] WATCHX
"""

import argparse
import fcntl
import os
import random
import selectors
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

# Seconds to wait for watchx; more under valgrind (ORACLE_DEADLINE).
DEADLINE = float(os.environ.get("ORACLE_DEADLINE", "10"))

COMMON = ["a", "b", "c", "d", "x", "ab", "ba", "a.o", "b.o", "b.log",
          "c.txt", ".hidden", ".x.o", "build", "lib", "out"]
ODD = ["!n", "#h", "s ", "u[1]", "t*", "q?", "A", "a.O", "x y"]
GLOBS = ["*", "?", "*.o", "*.o", "*.log", "a*", "*b", "[ab]", "[!a]",
         "[^b]", "[a-c]", "[a-c]*", ".*", "?.o", "b.[lo]*", "*.[!o]*",
         "[[:alpha:]]", "[[:upper:]]*", "**", "***", "a**", "**b", "*.O",
         "??", "[]a]", "[!]]*", "\\a", "*[ ]*", "u[[]1]", "t[*]"]
SPECIAL = ["", "", "# a comment", "#a.o", "   ", "\\#h", "\\!n", "!", "/",
           "a.o   ", "*.log\t", "s\\ ", "s\\  ", "a.o\\", "\\", "**", "/**",
           "**/", "*/", "/*", "!*/", "!/**/", "!**/b", "x y", "!#h",
           "!\\!n", "q\\?", "t\\*", "build/", "/build", "!build/",
           "**/build/**", "lib/**/b", "a/**/b", "**/.*", "!.gitignore",
           ".gitignore", "*.o", "!b.o", "!*.o", "?"]
MARKERS = ["zz-m%d", "mark%d", "M%d.k", "%d"]


# --- the tree -------------------------------------------------------------

def pick_name(rng):
    if rng.random() < 0.12:
        return rng.choice(ODD)
    return rng.choice(COMMON)


def walk(repo):
    """Every path of the work tree below repo, relative to it, without .git
    (links not followed), and whether it is a directory (lstat)."""
    res = {}
    for d, dirs, files in os.walk(repo):
        rel = os.path.relpath(d, repo)
        if rel == ".":
            rel = ""
            if ".git" in dirs:
                dirs.remove(".git")
        for n in dirs + files:
            p = rel + "/" + n if rel else n
            res[p] = os.path.isdir(os.path.join(repo, p)) and \
                not os.path.islink(os.path.join(repo, p))
    return res


def git_paths(repo):
    """.git and a few paths in it, to be touched and never printed."""
    out = [".git"]
    for n in ("HEAD", "config", "objects", "refs", "info", "info/exclude"):
        if os.path.lexists(os.path.join(repo, ".git", n)):
            out.append(".git/" + n)
    return out


def build_tree(rng, repo, outside):
    dirs = [""]
    for _ in range(rng.randint(5, 28)):
        # At most 4 levels: a parent of at most 3.
        parent = rng.choice([d for d in dirs if d == "" or d.count("/") < 2])
        p = (parent + "/" if parent else "") + pick_name(rng)
        full = os.path.join(repo, p)
        if os.path.lexists(full):
            continue
        r = rng.random()
        if r < 0.4:
            os.mkdir(full)
            dirs.append(p)
        elif r < 0.96:
            with open(full, "w") as f:
                f.write("x")
        else:
            # A link to a directory (not one for git: lstat), a file, or
            # nothing.
            target = rng.choice([d for d in dirs if d] + [outside, "nowhere"])
            os.symlink(os.path.join(repo, target) if target not in
                       (outside, "nowhere") else target, full)
    return dirs


# --- the patterns ---------------------------------------------------------

def lit(seg):
    """A name as a pattern segment that matches it literally."""
    return "".join("\\" + c if c in "\\*?[" else c for c in seg)


def glob_for(rng, seg):
    """A glob that matches seg (or, now and then, nearly)."""
    r = rng.random()
    if r < 0.25:
        return "*"
    if r < 0.4:
        return "?" * len(seg)
    if r < 0.55:
        return lit(seg[0]) + "*"
    if r < 0.7 and "." in seg:
        return "*" + lit(seg[seg.rindex("."):])
    if r < 0.8:
        return "[" + ("\\" + seg[0] if seg[0] in "\\]^!" else seg[0]) + \
            "xz]" + lit(seg[1:])
    if r < 0.9:
        return "[!" + ("\\" + seg[0] if seg[0] in "\\]^!" else seg[0]) + \
            "]" + lit(seg[1:])
    return "*" + lit(seg[-1])


def finish(rng, body, isdir):
    """Anchors, dir-only and negation around a pattern's body."""
    if body.strip("/*") == "" and rng.random() < 0.8:
        # Not too many rounds where everything is ignored.
        body = lit(pick_name(rng))
    if body.startswith(("!", "#")):
        body = "\\" + body
    if body.endswith(" ") and not body.endswith("\\ "):
        body = body[:-1] + "\\ "
    r = rng.random()
    if r < (0.35 if isdir else 0.08):
        body += "/"
    elif r < (0.5 if isdir else 0.12):
        body += "/**"
    elif r < (0.58 if isdir else 0.14):
        body += "/*"
    if rng.random() < 0.25:
        body = "!" + body
    if rng.random() < 0.08:
        body += rng.choice([" ", "  ", "\t"])
    return body


def derived(rng, rel, isdir):
    """A pattern made from a path that exists (relative to the directory of
    the ignore file)."""
    segs = rel.split("/")
    out = []
    for s in segs:
        r = rng.random()
        out.append(lit(s) if r < 0.55 else "**" if r < 0.65 and len(segs) > 1
                   else glob_for(rng, s))
    if len(out) > 2 and rng.random() < 0.25:
        i = rng.randrange(len(out) - 1)
        j = rng.randrange(i + 1, len(out))
        out[i:j] = ["**"]
    body = "/".join(out)
    r = rng.random()
    if r < 0.3:
        body = "/" + body
    elif r < 0.5:
        body = "**/" + body
    return finish(rng, body, isdir)


def random_pattern(rng):
    segs = []
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
        segs.append(rng.choice(GLOBS) if rng.random() < 0.45
                    else lit(pick_name(rng)))
    body = "/".join(segs)
    r = rng.random()
    if r < 0.2:
        body = "/" + body
    elif r < 0.3:
        body = "**/" + body
    return finish(rng, body, rng.random() < 0.5)


def ignore_text(rng, entries):
    """The contents of an ignore file; entries: {relative path: is a dir}
    below its directory."""
    lines = []
    names = sorted(entries)
    for _ in range(rng.randint(1, 6)):
        r = rng.random()
        if r < 0.45 and names:
            p = rng.choice(names)
            lines.append(derived(rng, p, entries[p]))
        elif r < 0.85:
            lines.append(random_pattern(rng))
        else:
            lines.append(rng.choice(SPECIAL))
    dirs = [p for p in names if entries[p] and
            any(q.startswith(p + "/") for q in names)]
    if dirs and rng.random() < 0.2:
        # A directory excluded, then something in it re-included: git
        # does it only when the directory itself is not excluded.
        dd = rng.choice(dirs)
        sub = rng.choice([q for q in names if q.startswith(dd + "/")])
        lines.append(rng.choice(["", "/", "**/"]) + lit(dd) +
                     rng.choice(["/", "", "/*", "/**"]))
        lines.append("!" + rng.choice(["", "/"]) + lit(sub) +
                     ("/" if entries[sub] and rng.random() < 0.5 else ""))
    text = "\n".join(lines)
    if rng.random() < 0.75:
        text += "\n"
    if rng.random() < 0.04:
        text = "\ufeff" + text
    return text


def below(entries, d):
    """entries below directory d, relative to d."""
    if d == "":
        return dict(entries)
    return {p[len(d) + 1:]: v for p, v in entries.items()
            if p.startswith(d + "/")}


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


# --- git ------------------------------------------------------------------

def verdicts(repo, env, paths):
    """{path: (ignored, why)} by git check-ignore --no-index for paths
    relative to the top of repo; why is source:line:pattern or '::'."""
    paths = sorted(set(paths))
    if not paths:
        return {}
    p = subprocess.run(
        ["git", "check-ignore", "--no-index", "--stdin", "-z", "-v", "-n"],
        cwd=repo, env=env, input=b"".join(
            os.fsencode(x) + b"\0" for x in paths),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode not in (0, 1):
        raise RuntimeError("git check-ignore: %s" %
                           p.stderr.decode(errors="replace").strip())
    f = p.stdout.split(b"\0")
    res = {}
    for i in range(0, len(f) - 3, 4):
        src, line, pat, path = (os.fsdecode(x) for x in f[i:i + 4])
        res[path] = (src != "" and not pat.startswith("!"),
                     "%s:%s:%s" % (src, line, pat))
    missing = [x for x in paths if x not in res]
    if missing:
        raise RuntimeError("git check-ignore said nothing about %r" %
                           missing[:3])
    return res


def global_excludes(rng, base, env):
    """Sets up the global excludes file the way this round does; returns
    (its path or None, a description, the decoy's path or None)."""
    home = env["HOME"]
    xdg = env.get("XDG_CONFIG_HOME")
    default = os.path.join(xdg or os.path.join(home, ".config"), "git",
                           "ignore")
    mode = rng.choice(["default", "default", "config-abs", "config-tilde",
                       "xdg-config", "repo-config", "none"])
    if mode == "none":
        return None, "none", None
    if mode == "default":
        return default, "default " + default[len(base) + 1:], None
    name = rng.choice(["excl", "dir/ign file", ".gitexcl"])
    path = os.path.join(home, name)
    key = rng.choice(["excludesFile", "excludesfile", "excludesfile",
                      "EXCLUDESFILE"])
    value = path if mode != "config-tilde" else "~/" + name
    if " " in value or rng.random() < 0.2:
        value = '"%s"' % value
    text = "[%s]\n\t%s = %s\n" % (rng.choice(["core", "core", "Core"]), key,
                                  value)
    if mode == "xdg-config":
        conf = os.path.join(xdg or os.path.join(home, ".config"), "git",
                            "config")
    elif mode == "repo-config":
        conf = os.path.join(base, "repo", ".git", "config")
    else:
        conf = os.path.join(home, ".gitconfig")
    os.makedirs(os.path.dirname(conf), exist_ok=True)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(conf, "a") as f:
        f.write(text)
    return path, "%s %s in %s" % (mode, value, conf[len(base) + 1:]), default


# --- watchx ---------------------------------------------------------------

class Watchx:
    """watchx with its stdout and stderr read as they come."""

    def __init__(self, args, cwd, env, outp, errp):
        self.proc = subprocess.Popen(args, cwd=cwd, env=env,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.out = b""
        self.err = b""
        self.outp, self.errp = outp, errp
        self.sel = selectors.DefaultSelector()
        for f in (self.proc.stdout, self.proc.stderr):
            fl = fcntl.fcntl(f, fcntl.F_GETFL)
            fcntl.fcntl(f, fcntl.F_SETFL, fl | os.O_NONBLOCK)
            self.sel.register(f, selectors.EVENT_READ)

    def pump(self, timeout):
        for key, _ in self.sel.select(timeout):
            try:
                data = os.read(key.fileobj.fileno(), 65536)
            except BlockingIOError:
                continue
            if not data:
                self.sel.unregister(key.fileobj)
                continue
            if key.fileobj is self.proc.stdout:
                self.out += data
            else:
                self.err += data

    def wait_for(self, pred, what):
        """pred() within DEADLINE, else a problem (a string)."""
        end = time.monotonic() + DEADLINE
        while not pred():
            if self.proc.poll() is not None and not self.sel.get_map():
                return "%s: watchx exited %s" % (what, self.proc.returncode)
            left = end - time.monotonic()
            if left <= 0:
                return "timeout: %s" % what
            if self.sel.get_map():
                self.pump(min(left, 0.2))
            else:
                time.sleep(0.002)
        return None

    def lines(self):
        """The complete lines so far: [(names, path)]."""
        text = self.out.decode(errors="surrogateescape")
        res = []
        for l in text.split("\n")[:-1]:
            f = l.split("\t", 1)
            res.append((f[0].split(","), f[1] if len(f) > 1 else ""))
        return res

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
        end = time.monotonic() + DEADLINE
        while self.sel.get_map() and time.monotonic() < end:
            self.pump(0.1)
        try:
            self.proc.wait(max(0.1, end - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for f in (self.proc.stdout, self.proc.stderr):
            f.close()
        self.sel.close()
        with open(self.outp, "wb") as f:
            f.write(self.out)
        with open(self.errp, "wb") as f:
            f.write(self.err)


# --- a round --------------------------------------------------------------

class Round:
    def __init__(self, watchx, seed, phase2, base, renames=True):
        self.rng = random.Random(seed)
        self.watchx = watchx
        self.seed = seed
        self.phase2 = phase2
        self.renames = renames
        self.moves = []
        self.base = base
        self.repo = os.path.join(base, "repo")
        self.problems = []
        self.notes = []      # the round's set-up, for the report
        self.why = {}        # path -> what git matched, for the report
        self.tmpn = 0
        self.phase = 1       # the last phase that ran; 3: an exact one

    def ignore_files(self):
        """{path relative to base: contents} of every ignore file and git
        configuration file now."""
        res = {}
        found = [os.path.join(self.repo, p) for p in walk(self.repo)
                 if os.path.basename(p) == ".gitignore"]
        found.append(os.path.join(self.repo, ".git", "info", "exclude"))
        for top in ("home", "xdg"):
            for d, _, files in os.walk(os.path.join(self.base, top)):
                found += [os.path.join(d, n) for n in files]
        for full in found:
            if not os.path.lexists(full):
                continue
            name = os.path.relpath(full, self.base)
            if os.path.islink(full):
                name += " -> " + os.readlink(full)
            try:
                with open(full, encoding="utf-8",
                          errors="surrogateescape") as f:
                    res[name] = f.read()
            except OSError as e:
                res[name] = "(%s)" % e.strerror
        return res

    def gitignore_at(self, d, text):
        path = os.path.join(self.repo, d, ".gitignore")
        if os.path.lexists(path) and os.path.islink(path):
            os.unlink(path)
        write(path, text)

    def setup(self):
        rng = self.rng
        base = self.base
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("GIT_") and k != "XDG_CONFIG_HOME"}
        env["HOME"] = os.path.join(base, "home")
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        os.mkdir(env["HOME"])
        if rng.random() < 0.5:
            env["XDG_CONFIG_HOME"] = os.path.join(base, "xdg")
            os.mkdir(env["XDG_CONFIG_HOME"])
        self.env = env
        os.mkdir(self.repo)
        subprocess.run(["git", "init", "-q", "--template="], cwd=self.repo,
                       env=env, check=True)
        outside = os.path.join(base, "outside")
        os.mkdir(outside)
        self.dirs = build_tree(rng, self.repo, outside)
        entries = walk(self.repo)
        # The ignore files.
        if rng.random() < 0.85:
            write(os.path.join(self.repo, ".gitignore"),
                  ignore_text(rng, entries))
        for d in self.dirs[1:]:
            if rng.random() < 0.3:
                full = os.path.join(self.repo, d, ".gitignore")
                text = ignore_text(rng, below(entries, d))
                if rng.random() < 0.04:
                    # git does not read a .gitignore that is a link.
                    self.tmpn += 1
                    t = os.path.join(outside, "ign%d" % self.tmpn)
                    write(t, text)
                    os.symlink(t, full)
                else:
                    write(full, text)
        if rng.random() < 0.5:
            os.makedirs(os.path.join(self.repo, ".git", "info"),
                        exist_ok=True)
            write(os.path.join(self.repo, ".git", "info", "exclude"),
                  ignore_text(rng, entries))
        self.gexcl, desc, decoy = global_excludes(rng, base, env)
        self.notes.append("excludes: " + desc)
        if self.gexcl:
            os.makedirs(os.path.dirname(self.gexcl), exist_ok=True)
            write(self.gexcl, ignore_text(rng, entries))
        if decoy and rng.random() < 0.7:
            # git's default place, not read when core.excludesFile is set.
            os.makedirs(os.path.dirname(decoy), exist_ok=True)
            write(decoy, "*\n")
        if "XDG_CONFIG_HOME" in env and rng.random() < 0.3:
            # Not read when XDG_CONFIG_HOME is set.
            d = os.path.join(env["HOME"], ".config", "git")
            os.makedirs(d, exist_ok=True)
            write(os.path.join(d, "ignore"), "*\n")
        # The directory to watch: the top, or one that git does not ignore.
        entries = walk(self.repo)
        v = verdicts(self.repo, env, entries)
        cand = [d for d, isdir in entries.items() if isdir and not v[d][0]]
        self.root = ""
        if cand and rng.random() < 0.3:
            self.root = rng.choice(sorted(cand))
        r = rng.random()
        if r < 0.25:
            self.arg = os.path.join(self.repo, self.root) if self.root \
                else self.repo
        elif self.root:
            self.arg = self.root if r < 0.8 else "./" + self.root
        else:
            self.arg = "."
        self.notes.append("watching %r in repo" % self.arg)

    def rel(self, path):
        """A printed path relative to the top of the repository."""
        full = os.path.normpath(os.path.join(self.repo, path))
        r = os.path.relpath(full, self.repo)
        return "" if r == "." else r

    def under_root(self, p):
        """p is the watched directory or below it."""
        return self.root == "" or p == self.root or \
            p.startswith(self.root + "/")

    def marker(self, taken):
        """A name in the watched directory that git does not ignore; may
        append a negation to the directory's .gitignore if none is."""
        names = []
        while len(names) < 4:
            n = self.rng.choice(MARKERS) % self.rng.randrange(1000)
            p = (self.root + "/" if self.root else "") + n
            if p not in taken and p not in names and \
                    not os.path.lexists(os.path.join(self.repo, p)):
                names.append(p)
        v = verdicts(self.repo, self.env, names)
        ok = [p for p in names if not v[p][0]]
        if ok:
            return ok[0], False
        p = names[0]
        path = os.path.join(self.repo, self.root, ".gitignore")
        old = ""
        if os.path.isfile(path) and not os.path.islink(path):
            with open(path, encoding="utf-8") as f:
                old = f.read()
        self.gitignore_at(self.root, old + ("\n" if old and
                                            not old.endswith("\n") else "")
                          + "!/" + lit(os.path.basename(p)) + "\n")
        v = verdicts(self.repo, self.env, [p])
        if v[p][0]:
            raise RuntimeError("marker %s ignored: %s" % (p, v[p][1]))
        self.notes.append("marker %s needed a negation" % p)
        return p, True

    def touch_all(self):
        for p in [""] + list(walk(self.repo)) + git_paths(self.repo):
            try:
                os.utime(os.path.join(self.repo, p), follow_symlinks=False)
            except OSError:
                pass

    def find(self, w, path, start=0):
        """Index of the line of path's IN_CREATE, or None."""
        for i, (names, p) in enumerate(w.lines()[start:], start):
            if "IN_CREATE" in names and self.rel(p) == path:
                return i
        return None

    def compare(self, got, expect, v, phase):
        for p in sorted(expect - got):
            self.problems.append("%smissing: %s" % (phase, p))
            self.why[p] = v.get(p, (None, "?"))[1]
        for p in sorted(got - expect):
            self.problems.append("%sextra: %s" % (phase, p))
            self.why[p] = v.get(p, (None, "not in the tree" if p else
                                    "the top"))[1]

    def mutate(self):
        """The second phase's changes; returns (whether they are one atomic
        change, the paths they created, moved or rewrote)."""
        rng = self.rng
        # The watched directory and its ancestors stay where and as they
        # are, so that it stays un-ignored.
        anc = set()
        if self.root:
            parts = self.root.split("/")
            anc = {"/".join(parts[:i]) for i in range(len(parts))}
        k = 1 if rng.random() < 0.5 else rng.randint(2, 3)
        atomic = k == 1
        made = set()
        self.moves = []
        for _ in range(k):
            entries = walk(self.repo)
            dirs = sorted(d for d, isdir in list(entries.items()) + [("", 1)]
                          if isdir and d not in anc and self.under_root(d))
            if self.root:
                dirs.append(self.root)
            d = rng.choice(dirs)
            gi = (d + "/" if d else "") + ".gitignore"
            full = os.path.join(self.repo, gi)
            text = ignore_text(rng, below(entries, d))
            there = os.path.lexists(full)
            kind = rng.choice(["replace", "replace", "delete", "rewrite",
                               "append", "newtree", "move"] if there else
                              ["replace", "create", "newtree", "move"])
            if kind == "move" and not self.renames:
                kind = "newtree"
            self.tmpn += 1
            stage = os.path.join(self.base, "stage%d" % self.tmpn)
            if kind in ("newtree", "move"):
                if kind == "move":
                    # A directory of the tree (with what it holds, its
                    # .gitignore files too) renamed to another place.
                    srcs = [x for x in dirs if x != self.root and x != ""]
                    if not srcs:
                        continue
                    src = rng.choice(srcs)
                    d = rng.choice([x for x in dirs if x != src and
                                    not x.startswith(src + "/")])
                    made |= {x for x in entries if x.startswith(src + "/")}
                else:
                    # A directory with a .gitignore of its own, moved in.
                    src = stage
                    os.mkdir(stage)
                    sub = {}
                    for _ in range(rng.randint(1, 6)):
                        parent = rng.choice([""] + [x for x, isd in
                                                    sub.items() if isd])
                        p = (parent + "/" if parent else "") + pick_name(rng)
                        if p in sub:
                            continue
                        sub[p] = rng.random() < 0.35
                        if sub[p]:
                            os.mkdir(os.path.join(stage, p))
                        else:
                            write(os.path.join(stage, p), "y")
                    if rng.random() < 0.8:
                        write(os.path.join(stage, ".gitignore"),
                              ignore_text(rng, sub))
                name = pick_name(rng)
                if os.path.lexists(os.path.join(self.repo, d, name)):
                    name = "new%d" % self.tmpn
                dst = (d + "/" if d else "") + name
                os.rename(os.path.join(self.repo, src), os.path.join(
                    self.repo, dst))
                made |= {dst} | {dst + "/" + p for p in walk(
                    os.path.join(self.repo, dst))}
                self.moves.append((src if kind == "move" else None, dst))
                self.notes.append("phase 2: %s %s" % (
                    "moved in" if kind == "newtree" else "renamed %s to" %
                    src, dst))
                continue
            made.add(gi)
            if kind in ("replace", "create") and os.path.isdir(full) and \
                    not os.path.islink(full):
                kind = "delete"
            if kind == "replace":
                write(stage, text)
                os.rename(stage, full)
            elif kind == "delete":
                os.unlink(full)
            elif kind == "append":
                with open(full, "a", encoding="utf-8") as f:
                    f.write(text)
                atomic = False
            else:
                if os.path.islink(full):
                    os.unlink(full)
                write(full, text)
                atomic = False
            self.notes.append("phase 2: %s %s%s" % (
                kind, gi, "" if kind == "delete" else " with %r" % text))
        return atomic, made

    def check_window(self, lines, expect, phase, mark=None, owed=()):
        """Lines of a window with only touches in it (and the directory
        listings of os.walk): every path printed is one git does not ignore,
        and no file was opened, read or written (watchx's own reading of a
        .gitignore must not show).  But for owed: files a listing reported
        created before the window and not yet closed, whose IN_CLOSE_WRITE
        comes once the events queued during the listing are read (the
        window's marker among them), once each."""
        owed = set(owed)
        for names, p in lines:
            r = self.rel(p)
            if r == mark:
                # Its creation's open and close.
                continue
            if names == ["IN_CLOSE_WRITE"] and r in owed:
                owed.discard(r)
                continue
            if r not in expect and "IN_ATTRIB" not in names:
                self.problems.append("%sprinted, but ignored: %s" % (
                    phase, r))
            rest = set(names) - {"IN_ATTRIB", "IN_ISDIR"}
            if rest and (not rest <= {"IN_OPEN", "IN_ACCESS",
                                      "IN_CLOSE_NOWRITE"} or
                         "IN_ISDIR" not in names):
                self.problems.append("%snot a touch: %s %s" % (
                    phase, ",".join(names), r))

    def run(self, dump):
        rng = self.rng
        self.setup()
        mark1, _ = self.marker(set())
        entries1 = walk(self.repo)
        events = rng.choice(["attrib,create", "attrib,create",
                             "attrib,create,close_write,moved_to",
                             "attrib,create,delete,moved_from,moved_to",
                             None])
        args = [self.watchx, "-r", "--gitignore", "--no-tick"] + \
            (["-e", events] if events else []) + \
            ["--format", r"%e\t%p", self.arg]
        if dump:
            # To run it again by hand.
            with open(os.path.join(self.base, "env"), "w") as f:
                f.write("cd %s && env -u XDG_CONFIG_HOME %s %s\n" % (
                    shlex.quote(self.repo), " ".join(
                        "%s=%s" % (k, shlex.quote(self.env[k]))
                        for k in ("HOME", "XDG_CONFIG_HOME",
                                  "GIT_CONFIG_NOSYSTEM") if k in self.env),
                    " ".join(shlex.quote(x) for x in args)))
        v1 = verdicts(self.repo, self.env, entries1)
        w = Watchx(args, self.repo, self.env,
                   os.path.join(self.base, "out"),
                   os.path.join(self.base, "err"))
        try:
            err = w.wait_for(lambda: b"Watches established." in w.err,
                             "Watches established.")
            if err:
                self.problems.append(err)
                return
            self.touch_all()
            open(os.path.join(self.repo, mark1), "w").close()
            err = w.wait_for(lambda: self.find(w, mark1) is not None,
                             "the first marker")
            if err:
                self.problems.append(err)
                return
            i1 = self.find(w, mark1)
            lines = w.lines()
            got = {self.rel(p) for names, p in lines[:i1]
                   if "IN_ATTRIB" in names}
            vis1 = {p for p in entries1 if not v1[p][0] and
                    self.under_root(p)} | {self.root}
            self.compare(got, vis1, v1, "")
            self.check_window(lines[:i1], vis1, "")
            if rng.random() >= self.phase2:
                return
            # Second phase: the rules change under watchx.
            atomic, made = self.mutate()
            self.phase = 2
            mark2, neg = self.marker({mark1})
            if neg:
                atomic = False
                made.add((self.root + "/" if self.root else "") +
                         ".gitignore")
            mark3, neg = self.marker({mark1, mark2})
            if neg:
                atomic = False
            # git reads the .gitignore files: not between the markers.
            entries2 = walk(self.repo)
            entries2[mark2] = False
            v2 = verdicts(self.repo, self.env, entries2)
            open(os.path.join(self.repo, mark2), "w").close()
            err = w.wait_for(lambda: self.find(w, mark2, i1 + 1) is not None,
                             "the second marker")
            if err:
                self.problems.append(err)
                return
            i2 = self.find(w, mark2, i1 + 1)
            self.touch_all()
            open(os.path.join(self.repo, mark3), "w").close()
            err = w.wait_for(lambda: self.find(w, mark3, i2 + 1) is not None,
                             "the third marker")
            if err:
                self.problems.append(err)
                return
            i3 = self.find(w, mark3, i2 + 1)
            lines = w.lines()
            got = {self.rel(p) for names, p in lines[i2 + 1:i3]
                   if "IN_ATTRIB" in names}
            vis2 = {p for p in entries2 if not v2[p][0] and
                    self.under_root(p)} | {self.root}
            self.compare(got, vis2, v2, "phase 2 ")
            before = lines[i1 + 1:i2]
            owed = {self.rel(p) for names, p in before
                    if "IN_CREATE" in names and "IN_ISDIR" not in names} - \
                {self.rel(p) for names, p in before
                 if "IN_CLOSE_WRITE" in names}
            self.check_window(lines[i2 + 1:i3], vis2, "phase 2 ", mark2,
                              owed)
            if atomic:
                # Before the change, the old rules; after, the new ones.
                # The first marker's own later events (IN_OPEN,
                # IN_CLOSE_WRITE after its IN_CREATE) come before the
                # change: the old rules, by which it was not ignored.
                for names, p in lines[i1 + 1:i2]:
                    r = self.rel(p)
                    if r not in vis1 | vis2 | made | {mark1, mark2}:
                        self.problems.append(
                            "phase 2 printed, but ignored before and "
                            "after: %s %s" % (",".join(names), r))
                        self.why[r] = v2.get(r, v1.get(r, (0, "?")))[1]
            self.creates(lines[i1 + 1:i3], entries1, entries2, v1, v2, made,
                         {mark2, mark3}, atomic)
            self.phase = 3 if atomic else 2
        finally:
            w.stop()
            for names, p in w.lines():
                r = self.rel(p)
                if r == ".git" or r.startswith(".git/"):
                    self.problems.append("printed: %s %s" %
                                         (",".join(names), p))
            self.stderr = w.err.decode(errors="replace")
            self.files = self.ignore_files()

    def creates(self, lines, entries1, entries2, v1, v2, made, marks,
                atomic):
        """The IN_CREATE records of the second phase against what became
        visible."""
        def vis(v, p):
            return p in v and not v[p][0] and self.under_root(p)

        def below_any(p, dirs):
            return any(p.startswith(d + "/") for d in dirs)
        created = [self.rel(p) for names, p in lines if "IN_CREATE" in names]
        seen = set()
        for p in created:
            if p in seen and p not in made and atomic:
                self.problems.append("phase 2 created twice: " + p)
            seen.add(p)
        old = {p for p in entries1 if p not in made}
        newly = {p for p in old if vis(v2, p) and not vis(v1, p)}
        newdirs = {p for p in newly if entries1[p]}
        if atomic:
            need = {p for p in newly if p in newdirs or
                    below_any(p, newdirs)}
        else:
            need = set(newdirs)
        if atomic and self.moves:
            # One directory moved in or renamed: what it holds that was not
            # seen under its old name is new (not the directory itself: it
            # comes as IN_MOVED_TO).
            src, dst = self.moves[0]
            was = {}
            for q in made:
                if q.startswith(dst + "/") and vis(v2, q):
                    o = src + q[len(dst):] if src else None
                    was[q] = o is not None and vis(v1, o) and vis(v1, src)
            fresh = {q for q in was if not was[q]}
            fdirs = {q for q in fresh if entries2.get(q)}
            need |= {q for q in fresh if q in fdirs or below_any(q, fdirs)
                     or src is None or not vis(v1, src)}
        for p in sorted(need - seen):
            self.problems.append("phase 2 not reported as created: " + p)
            self.why[p] = "%s -> %s" % (v1.get(p, (0, "(moved)"))[1],
                                        v2[p][1])
        if not atomic:
            return
        for p in sorted(seen - marks):
            if p in made:
                if p in v2 and not vis(v2, p):
                    self.problems.append("phase 2 created, but ignored: " +
                                         p)
                    self.why[p] = v2[p][1]
            elif p in old and vis(v1, p) and vis(v2, p):
                self.problems.append("phase 2 created, but was there: " + p)
                self.why[p] = v1[p][1]
            elif p not in old or not vis(v2, p):
                self.problems.append("phase 2 created, but ignored or "
                                     "unknown: " + p)
                self.why[p] = v2.get(p, (0, "not in the tree"))[1]


def report(rnd):
    kinds = {}
    for p in rnd.problems:
        kinds.setdefault(p.split(":")[0], []).append(p)
    first = []
    for k in sorted(kinds):
        first.append(kinds[k][0] + (" (+%d)" % (len(kinds[k]) - 1)
                                    if len(kinds[k]) > 1 else ""))
    print("round seed=%d (%s): %d problems: %s" % (
        rnd.seed, "; ".join(rnd.notes[:2]), len(rnd.problems),
        "; ".join(first)))
    for n in rnd.notes[2:]:
        print("  " + n)
    for name, text in sorted(getattr(rnd, "files", {}).items()):
        print("  %s: %r" % (name, text))
    for p in rnd.problems[:20]:
        path = p.split(": ", 1)[-1]
        print("  %s  [git: %s]" % (p, rnd.why.get(path, "")))
    if len(rnd.problems) > 20:
        print("  ... %d more" % (len(rnd.problems) - 20))
    err = [l for l in getattr(rnd, "stderr", "").split("\n")
           if l and l not in ("Setting up watches.", "Watches established.")]
    for l in err[:5]:
        print("  stderr: " + l)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=100)
    ap.add_argument("--seconds", type=float, default=0,
                    help="run rounds until this many seconds have passed")
    ap.add_argument("--phase2", type=float, default=0.75,
                    help="the probability of the second phase in a round")
    ap.add_argument("--no-renames", action="store_true",
                    help="no directory renamed in the second phase")
    ap.add_argument("--only", type=int, help="run only the round of this "
                    "seed")
    ap.add_argument("--dump", help="keep the directory of each failing "
                    "round (and of --only) as DIR/SEED")
    ap.add_argument("watchx")
    a = ap.parse_args()
    watchx = os.path.abspath(a.watchx)
    if a.dump:
        a.dump = os.path.abspath(a.dump)
        os.makedirs(a.dump, exist_ok=True)
    failed = rounds = 0
    phases = [0, 0, 0, 0]
    start = time.monotonic()
    r = 0
    while True:
        if a.only is not None:
            if rounds:
                break
            seed = a.only
        else:
            if a.seconds > 0:
                if time.monotonic() - start > a.seconds:
                    break
            elif r >= a.rounds:
                break
            seed = a.seed * 100003 + r
        r += 1
        if a.dump:
            base = os.path.join(a.dump, str(seed))
            shutil.rmtree(base, ignore_errors=True)
            os.mkdir(base)
        else:
            base = tempfile.mkdtemp(prefix="gitignore.")
        rnd = Round(watchx, seed, a.phase2, base, not a.no_renames)
        try:
            rnd.run(a.dump)
        except (RuntimeError, OSError, subprocess.SubprocessError) as e:
            rnd.problems.append("harness: %s" % e)
        rounds += 1
        phases[rnd.phase] += 1
        if rnd.problems:
            failed += 1
            report(rnd)
        if not (a.dump and (rnd.problems or a.only is not None)):
            shutil.rmtree(base, ignore_errors=True)
    took = time.monotonic() - start
    print("gitignore oracle: %d rounds (%d with a second phase, %d of them "
          "exact), %d failed, %.3f s a round" % (
              rounds, phases[2] + phases[3], phases[3], failed,
              took / rounds if rounds else 0))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
