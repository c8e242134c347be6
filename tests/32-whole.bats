#!/usr/bin/env bats
# Whole records only (issue 19): whatever ends the run, what watchx leaves in
# a pipe, in the -o file or in a regular file on standard output ends on a
# record boundary, and every record in it is complete.  A pipe: a signal
# while the reader is stopped, slow or reads in small pieces, records longer
# than PIPE_BUF.  A file: the file system fills up (then the message names
# the file, and the status is 1).

load helper

# --- pipes ----------------------------------------------------------------------

# pipe_runs MODE: 100 runs of 'watchx --no-tick -0 -e close_write -f %p w'
# writing into a pipe, 8 at a time (each its own directory w), each ended
# by SIGTERM; fails unless in every run watchx died by SIGTERM (143) within
# 5 s, said nothing after "Watches established.", and the pipe held, in
# order, the first k records of the events, whole: ending on a NUL.  The
# first line of output counts the runs that left a cut record.  MODE says
# how the pipe is read:
#   stopped  watchx is stopped (SIGSTOP) while 1000 files with 157-byte
#            names are written, so that one batch of 161 KB, 2.5 pipes,
#            waits when it goes on (SIGCONT); the pipe is never read until
#            watchx is gone, and SIGTERM comes once it is full.
#   sleeping the issue's 'watchx ... | (sleep 2; xargs -0 ...)': the reader
#            reads only after watchx is gone; 1500 files are written while
#            watchx runs, SIGTERM once the pipe is full.
#   chunks   the reader reads 100 to 300 bytes at a time with a pause after
#            each (so the page at the head of the pipe is mostly partly
#            read), from the start: 3000 files (483 KB), SIGTERM once it
#            has read 128 KiB; slowly on until watchx is gone (so that it
#            goes with records left to write), then the rest at once.
#   long     as stopped, with records longer than PIPE_BUF: -f with 6000
#            literal bytes, then %f (6006 bytes with the NUL); 40 files.
# "Full": it holds 60000 bytes, or what it holds has not changed for 0.1 s.
pipe_runs() {
	local dir=$BATS_TEST_TMPDIR
	# The directories on a tmpfs where there is one: making thousands of
	# files is much cheaper there.
	if [[ -d /dev/shm && -w /dev/shm ]]; then
		dir=$(mktemp -d /dev/shm/watchx-test.XXXXXX)
		WX_SCRATCH=$dir	# removed by wx_teardown
	fi
	run timeout -k 1 120 python3 - "$WATCHX" "$1" "$dir" <<'PY' 3>&-
import fcntl, os, random, signal, subprocess, sys, termios, threading, time
from concurrent.futures import ThreadPoolExecutor

watchx, mode = sys.argv[1], sys.argv[2]
os.chdir(sys.argv[3])
RUNS, SLOTS = 100, 8
LIT = "0123456789" * 600
NFILES = {"stopped": 1000, "sleeping": 1500, "chunks": 3000, "long": 40}[mode]

def fionread(fd):
    b = fcntl.ioctl(fd, termios.FIONREAD, b"\0" * 4)
    return int.from_bytes(b, sys.byteorder)

def poll(ok, secs=5):
    end = time.monotonic() + secs
    while not ok():
        if time.monotonic() > end:
            return False
        time.sleep(0.005)
    return True

def full(fd):
    last = [-1, time.monotonic()]
    def ok():
        n, now = fionread(fd), time.monotonic()
        if n >= 60000:
            return True
        if n != last[0]:
            last[:] = [n, now]
        return n > 0 and now - last[1] >= 0.1
    return poll(ok)

# Each slot its own directory w<slot> and files, made once; a run writes
# (opens and closes) every file again: one IN_CLOSE_WRITE each.
def make(slot):
    d = "w%d" % slot
    os.mkdir(d)
    names = ["%05d" % i + ("" if mode == "long" else "x" * 152)
             for i in range(NFILES)]
    for n in names:
        open(os.path.join(d, n), "w").close()
    if mode == "long":
        recs = [(LIT + n + "\0").encode() for n in names]
    else:
        recs = [(d + "/" + n + "\0").encode() for n in names]
    return d, [os.path.join(d, n) for n in names], recs

# Files are never open while another thread forks: the child would hold
# one open until it execs, and its IN_CLOSE_WRITE would come late, out of
# order.  Writers share the guard, a fork has it alone.
guard, writing, forking = threading.Condition(), 0, False

def spawn(*args, **kw):
    global forking
    with guard:
        guard.wait_for(lambda: not forking)
        forking = True
        guard.wait_for(lambda: writing == 0)
    try:
        return subprocess.Popen(*args, **kw)
    finally:
        with guard:
            forking = False
            guard.notify_all()

def write_all(paths):
    global writing
    with guard:
        guard.wait_for(lambda: not forking)
        writing += 1
    try:
        for p in paths:
            os.close(os.open(p, os.O_WRONLY))
    finally:
        with guard:
            writing -= 1
            guard.notify_all()

# 100 to 300 bytes at a time with a pause, until fast is set.
def read_chunks(fd, got, fast):
    while True:
        c = os.read(fd, 65536 if fast.is_set() else random.randint(100, 300))
        if not c:
            return
        got += c
        if not fast.is_set():
            time.sleep(0.0002)

def run(p, r, d, paths, recs):
    err = b""
    while b"Watches established.\n" not in err:
        c = os.read(p.stderr.fileno(), 4096)
        if not c:
            return "no 'Watches established.': %r" % err
        err += c
    got, reader, fast = bytearray(), None, threading.Event()
    if mode in ("stopped", "long"):
        os.kill(p.pid, signal.SIGSTOP)
        write_all(paths)
        os.kill(p.pid, signal.SIGCONT)
    elif mode == "sleeping":
        write_all(paths)
    else:
        reader = threading.Thread(target=read_chunks, args=(r, got, fast))
        reader.start()
        write_all(paths)
    if reader is not None:
        if not poll(lambda: len(got) >= 128 * 1024):
            return "the reader got only %d bytes" % len(got)
    elif not full(r):
        return "the pipe did not fill (%d bytes)" % fionread(r)
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(5)
    except subprocess.TimeoutExpired:
        return "still running 5 s after SIGTERM"
    fast.set()
    if reader is not None:
        reader.join()
    else:
        while True:
            c = os.read(r, 65536)
            if not c:
                break
            got += c
    err = p.stderr.read()
    if p.returncode != -signal.SIGTERM:
        return "exit status %d, stderr %r" % (p.returncode, err)
    if err:
        return "stderr: %r" % err
    data = bytes(got)
    if not data:
        return "nothing in the pipe"
    k = data.count(b"\0")
    if not data.endswith(b"\0"):
        return "CUT: the pipe ends with %d bytes of a record: ...%r" % (
            len(data) - data.rfind(b"\0") - 1, data[-30:])
    whole = set(recs)
    for rec in data[:-1].split(b"\0"):
        if rec + b"\0" not in whole:
            return "CUT: a cut record in the pipe: %r" % rec[-30:]
    want = b"".join(recs[:k])
    if data != want:
        i = next(i for i in range(len(data)) if data[i] != want[i])
        return "out of order at byte %d: %r, not %r" % (
            i, data[max(0, i - 20):i + 20], want[max(0, i - 20):i + 20])
    return k

# The watchers running; killed (stopped ones too) if timeout(1) ends this.
live = set()

def killed(sig, frame):
    for p in list(live):
        p.kill()
    os._exit(124)

signal.signal(signal.SIGTERM, killed)

def one(slot):
    d, paths, recs = slots[slot]
    r, w = os.pipe()
    p = spawn([watchx, "--no-tick", "-0", "-e", "close_write",
               "-f", LIT + "%f" if mode == "long" else "%p", d],
              stdin=subprocess.DEVNULL, stdout=w, stderr=subprocess.PIPE)
    live.add(p)
    os.close(w)
    try:
        return run(p, r, d, paths, recs)
    finally:
        if p.poll() is None:
            p.kill()
        p.wait()
        live.discard(p)
        p.stderr.close()
        os.close(r)

slots = [make(s) for s in range(SLOTS)]
free, lock = list(range(SLOTS)), threading.Lock()

def job(_):
    with lock:
        slot = free.pop()
    try:
        return one(slot)
    finally:
        with lock:
            free.append(slot)

with ThreadPoolExecutor(SLOTS) as ex:
    res = list(ex.map(job, range(RUNS)))
fails = [r for r in res if not isinstance(r, int)]
cut = [r for r in fails if r.startswith("CUT")]
ks = [r for r in res if isinstance(r, int)]
print("%d of %d runs cut a record, %d failed otherwise; records in the "
      "pipe: %s" % (len(cut), RUNS, len(fails) - len(cut),
                    "%d to %d" % (min(ks), max(ks)) if ks else "-"))
for r in sorted(set(fails))[:5]:
    print("  " + r)
sys.exit(1 if fails else 0)
PY
	assert_success
	assert_line --index 0 --regexp "^0 of 100 runs cut a record, 0 failed otherwise"
}

@test "pipe, whole records: SIGTERM while the reader is stopped, after a batch 2.5 times the pipe went into it at once (100 runs)" {
	pipe_runs stopped
}

@test "pipe, whole records: SIGTERM while the reader sleeps, the issue's 'watchx | (sleep 2; xargs -0)' (100 runs)" {
	pipe_runs sleeping
}

@test "pipe, whole records: SIGTERM while the reader reads 100-300 bytes at a time; it reads on to the end (100 runs)" {
	pipe_runs chunks
}

@test "pipe, whole records: records longer than PIPE_BUF, SIGTERM while the reader is stopped (100 runs)" {
	pipe_runs long
}

# --- a full file system ------------------------------------------------------------

# full_fs_spawn OUTPUT ARGS...: start, in the background, 'watchx ARGS' in
# a private mount namespace, with its cwd a 64 KiB tmpfs mounted there on
# ./mnt (so nothing of it is seen outside), writing to OUTPUT there: an -o
# file (OUTPUT is passed as -o OUTPUT, as given) or, for OUTPUT '>', a
# regular file events.log on standard output.  Its stderr goes to $ERR;
# when it has ended, what the file holds is copied to ./log, and the
# namespace's shell exits with watchx's status.  WX_PID: that shell; the
# pid of watchx itself (its child) goes to WX_PIDS too, for the teardown.
full_fs_spawn() {
	local ns=(unshare -m)
	if [[ $(id -u) -ne 0 ]]; then
		need_userns
		ns=(unshare -U -r -m)
	fi
	mkdir -p mnt
	: >"$ERR"
	rm -f log wxpid
	"${ns[@]}" bash -c '
		mount -t tmpfs -o size=64k none mnt || exit 98
		cd mnt && mkdir sub || exit 98
		watchx=$1 out=$2
		shift 2
		if [[ $out == ">" ]]; then
			out=events.log
			"$watchx" "$@" >"$out" &
		else
			"$watchx" -o "$out" "$@" &
		fi
		pid=$!
		echo $pid >../wxpid.tmp && mv ../wxpid.tmp ../wxpid
		wait $pid
		status=$?
		cp -- "$out" ../log || exit 97
		exit $status' sh "$WATCHX" "$@" 2>"$ERR" 3>&- &
	WX_PID=$!
	WX_PIDS+=("$WX_PID")
	poll "$WX_DEADLINE" "watchx did not start" test -s wxpid
	WX_PIDS+=("$(<wxpid)")
}

# full_fs OUTPUT: watchx -e close_write writing records of 1000 literal
# bytes and a file name (f0 to f199) to OUTPUT (see full_fs_spawn) on a
# 64 KiB file system, while 200 files are written, about 200 KB: watchx
# must stop with status 1; the file must hold whole records only, and at
# least one.
full_fs() {
	local lit i n=0 line
	lit=$(printf '0123456789%.0s' {1..100})
	mkdir d
	full_fs_spawn "$1" --no-tick -e close_write -f "$lit%f" ../d
	wait_established
	for ((i = 0; i < 200; i++)); do
		: >"d/f$i"
	done
	wait_exit
	[[ $status -ne 98 && $status -ne 97 ]] ||
		fail "could not mount the tmpfs or copy the file (status $status): $(cat "$ERR")"
	assert_equal "$status" 1
	[[ -s log ]] || fail "the file is empty"
	# Command substitution drops a final newline, and only that.
	[[ -z $(tail -c 1 log) ]] ||
		fail "the file ends in a cut record: ...$(tail -c 40 log)"
	while IFS= read -r line; do
		[[ $line == "${lit}f$n" ]] ||
			fail "record $n is cut or wrong: ${line:0:40}...${line: -20}"
		n=$((n + 1))
	done <log
	((n > 0 && n < 200)) || fail "$n records in the file"
}

@test "-o on a full file system: exit 1, 'watchx: events.log: No space left on device', whole records in the file" {
	full_fs events.log
	assert_equal "$(cat "$ERR")" $'Setting up watches.\nWatches established.\nwatchx: events.log: No space left on device'
}

@test "-o on a full file system: the message names the file as given (sub/events.log)" {
	full_fs sub/events.log
	assert_equal "$(cat "$ERR")" $'Setting up watches.\nWatches established.\nwatchx: sub/events.log: No space left on device'
}

@test "a regular file on standard output on a full file system: exit 1, 'watchx: standard output: No space left on device', whole records in the file" {
	full_fs '>'
	assert_equal "$(cat "$ERR")" $'Setting up watches.\nWatches established.\nwatchx: standard output: No space left on device'
}

@test "a file written at an offset (1<>file) that fails keeps what it held after watchx's records: nothing is cut that watchx did not write" {
	local lit i
	lit=$(printf '0123456789%.0s' {1..100})
	mkdir d
	# 200,000 bytes the user keeps; watchx writes from offset 0 over them
	# and fails at 50 KiB (ulimit -f, EFBIG with SIGXFSZ ignored).
	head -c 200000 /dev/zero | tr '\0' z >log
	bash -c 'ulimit -f 50; trap "" XFSZ; exec "$@" 1<>log' sh \
		"$WATCHX" --no-tick -e close_write -f "$lit%f" d 2>"$ERR" 3>&- &
	WX_PID=$!
	WX_PIDS+=("$WX_PID")
	wait_established
	for ((i = 0; i < 100; i++)); do
		: >"d/f$i"
	done
	wait_exit
	assert_equal "$status" 1
	assert_equal "$(tail -n 1 "$ERR")" "watchx: standard output: File too large"
	assert_equal "$(stat -c %s log)" 200000
	assert_equal "$(tail -c 10 log)" zzzzzzzzzz
}
