#!/usr/bin/python3
"""py_inotify.py: the Python `inotify` package (Debian python3-inotify) as a
watcher for the benchmark suite.

    py_inotify.py [-r] path

Watches path with inotify.adapters.Inotify (all events), or with -r with
inotify.adapters.InotifyTree, writes "Watches established." to stderr once
the watches are in place, and prints each event as watchx's default line:
wd, mask, cookie, names, watch path, filename, TAB-separated.  stdout is
flushed whenever the package's generator yields None (after each batch it
read), so no event waits in a buffer while it blocks.  The package drops an
IN_Q_OVERFLOW event (wd -1 has no path) and ends on IN_UNMOUNT: this script
prints what the package hands over and nothing else.
"""
import sys

import inotify.adapters


def main():
    args = sys.argv[1:]
    recursive = bool(args) and args[0] == '-r'
    if recursive:
        args = args[1:]
    if len(args) != 1:
        sys.exit('usage: py_inotify.py [-r] path')
    if recursive:
        watcher = inotify.adapters.InotifyTree(args[0])
    else:
        watcher = inotify.adapters.Inotify()
        watcher.add_watch(args[0])
    sys.stderr.write('Watches established.\n')
    sys.stderr.flush()

    out = sys.stdout
    write = out.write
    try:
        for event in watcher.event_gen(yield_nones=True):
            if event is None:
                out.flush()
                continue
            header, names, path, filename = event
            write('%d\t%d\t%d\t%s\t%s\t%s\n' % (
                header.wd, header.mask, header.cookie, ','.join(names),
                path, filename))
    except inotify.adapters.TerminalEventException as e:
        header, names, path, filename = e.event
        write('%d\t%d\t%d\t%s\t%s\t%s\n' % (
            header.wd, header.mask, header.cookie, ','.join(names),
            path, filename))
        out.flush()
        sys.exit(3)


if __name__ == '__main__':
    main()
