#!/usr/bin/python3
"""py_watchdog.py: watchdog (Debian python3-watchdog) as a watcher for the
benchmark suite.

    py_watchdog.py [-r] path

Schedules a handler on path with watchdog's default Observer (inotify on
Linux) and prints each event it dispatches as "type TAB dir|file TAB
src_path TAB dest_path".  watchdog announces no ready point (the watches
are added in the emitter thread), so the run script probes for it.
stdout is flushed whenever the observer's event queue is empty, so no event
waits in a buffer while it blocks.  watchdog turns raw inotify events into
its own (created, modified, closed, deleted, plus a modified event for the
parent directory) and skips an IN_Q_OVERFLOW silently.
"""
import sys
import time

from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer


class Printer(FileSystemEventHandler):
    def __init__(self, observer, out):
        super().__init__()
        self.queue = observer.event_queue
        self.out = out
        self.write = out.write

    def on_any_event(self, event):
        self.write('%s\t%s\t%s\t%s\n' % (
            event.event_type, 'dir' if event.is_directory else 'file',
            event.src_path, getattr(event, 'dest_path', '')))
        if self.queue.empty():
            self.out.flush()


def main():
    args = sys.argv[1:]
    recursive = bool(args) and args[0] == '-r'
    if recursive:
        args = args[1:]
    if len(args) != 1:
        sys.exit('usage: py_watchdog.py [-r] path')
    observer = Observer()
    observer.schedule(Printer(observer, sys.stdout), args[0],
                      recursive=recursive)
    observer.start()
    try:
        while observer.is_alive():
            time.sleep(1)
    finally:
        observer.stop()
        observer.join()


if __name__ == '__main__':
    main()
