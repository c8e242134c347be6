#!/usr/bin/env python3
"""The examples of the documentation, as the reader sees them.

tests/95-examples.bats runs every example of README.md and of the EXAMPLES
section of man/watchx.1 as written; this script finds them.  An example is
named by a comment right before it:

    man/watchx.1   .\\" example: NAME      on the line before .Bd -literal
    README.md      <!-- example: NAME -->  on a line of its own before the
                                           indented (or fenced) code block

Usage:
    examples.py [--man FILE] [--readme FILE] names DOC
        the names annotated in DOC (man or readme), one a line
    examples.py [...] text DOC NAME
        the text of example NAME of DOC, exactly as the reader sees it
        (mdoc escapes turned into what they show; README indent stripped);
        exit 3 if DOC has no such example
    examples.py [...] texts NAME
        for each document that has example NAME, its name (man or readme)
        and the text, each ended by a NUL; exit 3 if none has it
    examples.py [...] check [--not-example PREFIX]...
        exit 1, naming each, on: a literal display in the man page's
        EXAMPLES or a code block in the README without a name (a README
        block whose first line starts with a PREFIX given is not an
        example), a name given twice in one document, a name that no block
        follows, or a man page example that mandoc shows otherwise
    examples.py shape EXPECTED ACTUAL
        compare the lines of ACTUAL with a transcript's EXPECTED lines:
        event lines (TAB-separated, or fields separated by two spaces or
        more when the document shows TABs as spaces) must have the same
        fields, except that wds and cookies may differ as long as equal
        ones stay equal and a zero cookie stays zero; other lines must be
        equal
"""

import os
import re
import subprocess
import sys

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
DOCS = {
    "man": os.path.join(TOP, "man", "watchx.1"),
    "readme": os.path.join(TOP, "README.md"),
}

MAN_NAME = re.compile(r'^\.\\" example: ([a-z0-9][a-z0-9-]*)$')
MD_NAME = re.compile(r"^<!-- example: ([a-z0-9][a-z0-9-]*) -->$")
# Anything that looks like an annotation, to catch misspelt ones.
MAN_ANY = re.compile(r'^\.\\".*\bexample\b')
MD_ANY = re.compile(r"^<!--.*\bexample\b")


class DocError(Exception):
    pass


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read().split("\n")


# --- man page -------------------------------------------------------------------

def man_unescape(line, where):
    """What mandoc shows for one line of a literal display."""
    if line.startswith((".", "'")):
        raise DocError(f"{where}: a request inside a literal display: {line!r}")

    def one(m):
        c = m.group(1)
        if c == "e":
            return "\\"
        if c == "&":
            return ""
        if c == "-":
            return "-"
        raise DocError(f"{where}: escape \\{c} is not known to examples.py: {line!r}")

    return re.sub(r"\\(.)", one, line)


def man_blocks(path):
    """(name or None, first line number, text) for each literal display of
    EXAMPLES; plus the problems found."""
    lines = read(path)
    blocks, problems = [], []
    try:
        start = lines.index(".Sh EXAMPLES")
    except ValueError:
        raise DocError(f"{path}: no .Sh EXAMPLES")
    end = next((i for i in range(start + 1, len(lines))
                if lines[i].startswith(".Sh ")), len(lines))
    i = start + 1
    pending = None  # (name, line number) of an annotation not yet used
    while i < end:
        line = lines[i]
        m = MAN_NAME.match(line)
        if m:
            if pending:
                problems.append(f"{path}:{pending[1]}: example {pending[0]} is not followed by .Bd -literal")
            pending = (m.group(1), i + 1)
        elif MAN_ANY.match(line):
            problems.append(f"{path}:{i + 1}: malformed example name (want '.\\\" example: NAME'): {line}")
        elif line.startswith(".Bd ") and "-literal" in line.split():
            name = None
            if pending and pending[1] == i:  # the line right before
                name = pending[0]
            elif pending:
                problems.append(f"{path}:{pending[1]}: example {pending[0]} is not on the line right before .Bd -literal")
            pending = None
            j = i + 1
            text = []
            while j < end and lines[j] != ".Ed":
                text.append(man_unescape(lines[j], f"{path}:{j + 1}"))
                j += 1
            blocks.append((name, i + 1, "\n".join(text)))
            i = j
        elif pending and line.strip():
            pass  # checked when the .Bd comes (or at the next name)
        i += 1
    if pending:
        problems.append(f"{path}:{pending[1]}: example {pending[0]} is not followed by .Bd -literal")
    return blocks, problems


def mandoc_problems(path, blocks):
    """Each named display as mandoc -Tascii shows it must be our text,
    indented, TABs expanded from the display's margin."""
    try:
        out = subprocess.run(["mandoc", "-Tascii", path], capture_output=True,
                             check=True).stdout
        shown = subprocess.run(["col", "-bx"], input=out, capture_output=True,
                               check=True).stdout.decode()
    except FileNotFoundError as e:
        if e.filename == "mandoc":
            return []  # no mandoc here: nothing to compare with
        return [f"cannot render {path} with mandoc -Tascii | col -bx: {e}"]
    except (OSError, subprocess.CalledProcessError) as e:
        return [f"cannot render {path} with mandoc -Tascii | col -bx: {e}"]
    shown = "\n".join(line.rstrip() for line in shown.split("\n"))
    problems = []
    for name, lineno, text in blocks:
        if name is None:
            continue
        want = "\n".join(("           " + line.expandtabs(8)).rstrip() if line else ""
                         for line in text.split("\n"))
        if "\n" + want + "\n" not in shown:
            problems.append(f"{path}:{lineno}: example {name}: mandoc shows it otherwise than examples.py reads it:\n{want}")
    return problems


# --- README ---------------------------------------------------------------------

def md_blocks(path):
    """(name or None, first line number, text) for each code block, indented
    or fenced; plus the problems found."""
    lines = read(path)
    blocks, problems = [], []
    pending = None
    i = 0
    prev_blank = True
    while i < len(lines):
        line = lines[i]
        m = MD_NAME.match(line)
        fence = re.match(r"^(```+|~~~+)", line)
        if m:
            if pending:
                problems.append(f"{path}:{pending[1]}: example {pending[0]} is not followed by a code block")
            pending = (m.group(1), i + 1)
            i += 1
            prev_blank = False
            continue
        if MD_ANY.match(line):
            problems.append(f"{path}:{i + 1}: malformed example name (want '<!-- example: NAME -->'): {line}")
        if fence:
            j = i + 1
            while j < len(lines) and not lines[j].startswith(fence.group(1)):
                j += 1
            text = "\n".join(lines[i + 1:j])
            blocks.append((pending[0] if pending else None, i + 1, text))
            pending = None
            i = j + 1
            prev_blank = False
            continue
        if prev_blank and line.startswith("    ") and line.strip():
            j = i
            while j < len(lines) and (lines[j].startswith("    ") or not lines[j].strip()):
                j += 1
            body = lines[i:j]
            while body and not body[-1].strip():
                body.pop()
            text = "\n".join(l[4:] for l in body)
            blocks.append((pending[0] if pending else None, i + 1, text))
            pending = None
            i = j
            prev_blank = True
            continue
        if line.strip() and pending:
            problems.append(f"{path}:{pending[1]}: example {pending[0]} is not followed by a code block")
            pending = None
        prev_blank = not line.strip()
        i += 1
    if pending:
        problems.append(f"{path}:{pending[1]}: example {pending[0]} is not followed by a code block")
    return blocks, problems


def blocks_of(doc):
    if doc == "man":
        return man_blocks(DOCS["man"])
    if doc == "readme":
        return md_blocks(DOCS["readme"])
    raise DocError(f"no document {doc!r} (man or readme)")


# --- transcripts ----------------------------------------------------------------

def expected_fields(line):
    """The fields of a transcript's event line: TAB-separated, or separated
    by runs of 2 spaces or more where the document shows TABs as spaces;
    None for a line that is not an event (a message)."""
    if "\t" in line:
        f = line.split("\t")
    elif "  " in line:
        f = re.split(r" {2,}", line)
    else:
        return None
    while f and f[-1] == "":
        f.pop()
    return f


def actual_fields(line):
    f = line.split("\t")
    while f and f[-1] == "":
        f.pop()
    return f


def shape(expected, actual):
    exp = [l for l in expected.split("\n") if l != ""]
    act = [l for l in actual.split("\n") if l != ""]
    problems = []
    if len(exp) != len(act):
        problems.append(f"{len(act)} lines, not {len(exp)}")
    maps = {0: {}, 2: {}}  # column -> expected value -> actual value
    for n, (e, a) in enumerate(zip(exp, act), 1):
        ef = expected_fields(e)
        if ef is None:
            if e != a:
                problems.append(f"line {n}: {a!r}, not {e!r}")
            continue
        af = actual_fields(a)
        if len(ef) != len(af):
            problems.append(f"line {n}: {len(af)} fields, not {len(ef)}: {a!r}")
            continue
        for col, (x, y) in enumerate(zip(ef, af)):
            if col in maps:
                if not re.fullmatch(r"-?[0-9]+", y):
                    problems.append(f"line {n} field {col + 1}: {y!r} is not a number")
                    continue
                if col == 2 and (x == "0") != (y == "0"):
                    problems.append(f"line {n}: cookie {y}, where the document shows {x}")
                seen = maps[col].setdefault(x, y)
                if seen != y:
                    problems.append(f"line {n} field {col + 1}: {y}, not {seen} as before")
                others = [k for k, v in maps[col].items() if v == y and k != x]
                if others:
                    problems.append(f"line {n} field {col + 1}: {y} stands for both {x} and {others[0]}")
            elif x != y:
                problems.append(f"line {n} field {col + 1}: {y!r}, not {x!r}")
    return problems


# --- main -----------------------------------------------------------------------

def main(argv):
    args = argv[1:]
    while args and args[0] in ("--man", "--readme"):
        DOCS[args[0][2:]] = args[1]
        args = args[2:]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, args = args[0], args[1:]
    try:
        if cmd == "names" and len(args) == 1:
            blocks, _ = blocks_of(args[0])
            for name, _, _ in blocks:
                if name:
                    print(name)
            return 0
        if cmd == "texts" and len(args) == 1:
            found = 0
            for doc in ("man", "readme"):
                blocks, _ = blocks_of(doc)
                for name, _, t in blocks:
                    if name == args[0]:
                        sys.stdout.write(f"{doc}\0{t}\0")
                        found = 1
                        break
            return 0 if found else 3
        if cmd == "text" and len(args) == 2:
            blocks, _ = blocks_of(args[0])
            texts = [t for name, _, t in blocks if name == args[1]]
            if not texts:
                return 3
            sys.stdout.write(texts[0] + "\n")
            return 0
        if cmd == "check":
            prefixes = []
            while args:
                if args[0] != "--not-example" or len(args) < 2:
                    print(__doc__, file=sys.stderr)
                    return 2
                prefixes.append(args[1])
                args = args[2:]
            problems = []
            for doc in ("man", "readme"):
                blocks, p = blocks_of(doc)
                problems += p
                seen = {}
                for name, lineno, text in blocks:
                    if name is None:
                        if doc == "readme" and text.split("\n")[0].startswith(tuple(prefixes)):
                            continue
                        what = "literal display in EXAMPLES" if doc == "man" else "code block"
                        first = text.split("\n")[0]
                        problems.append(f"{DOCS[doc]}:{lineno}: {what} without an example name: {first}")
                    elif name in seen:
                        problems.append(f"{DOCS[doc]}:{lineno}: example {name} is named already at line {seen[name]}")
                    else:
                        seen[name] = lineno
                if doc == "man":
                    problems += mandoc_problems(DOCS["man"], blocks)
            for p in problems:
                print(p)
            return 1 if problems else 0
        if cmd == "shape" and len(args) == 2:
            with open(args[0], encoding="utf-8", errors="surrogateescape") as f:
                expected = f.read()
            with open(args[1], encoding="utf-8", errors="surrogateescape") as f:
                actual = f.read()
            problems = shape(expected, actual)
            for p in problems:
                print(p)
            return 1 if problems else 0
    except DocError as e:
        print(f"examples.py: {e}", file=sys.stderr)
        return 2
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
