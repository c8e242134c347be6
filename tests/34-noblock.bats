#!/usr/bin/env bats
# Nothing blocks watchx, or another process because of it: a watchx stopped
# by job control (SIGTSTP, SIGTTIN, SIGTTOU) never holds a read lease of
# the listing (written.c, written_found()), and the readiness notices, on a
# --ready-fd pipe or a NOTIFY_SOCKET nobody reads, never block it.

load helper

# spawn_group ARGS...: like wx_spawn, but watchx runs in a process group of
# its own, with this shell as its parent: a group that is not orphaned, in
# which the kernel does not discard a stop by SIGTSTP, SIGTTIN or SIGTTOU
# (it does in an orphaned one, which the test's own group may be in CI).
# stdout is opened for appending, so that a test can empty $OUT while
# watchx runs.
spawn_group() {
	: >"$OUT"
	: >"$ERR"
	python3 -c '
import os, signal, sys
os.setpgid(0, 0)
for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGPIPE):
    signal.signal(sig, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])
' "$WATCHX" "$@" >>"$OUT" 2>"$ERR" 3>&- &
	WX_PID=$!
	WX_PIDS+=("$WX_PID")
	# Python can be slow to start on a loaded machine.
	WX_DEADLINE=15 wait_established
}

# _state_is PID STATES: the state letter of PID (/proc/PID/stat) is one of
# STATES.
_state_is() {
	local stat
	read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
	stat=${stat##*) }
	[[ $2 == *"${stat:0:1}"* ]]
}

# --- job control and read leases (written.c, written_found()) -----------------

# stop_tries PID N TRIES OUT AWAY INSIDE: TRIES times, rename the directory
# AWAY (N non-empty files) to INSIDE, a watched directory, stop watchx (PID)
# with SIGTSTP at a random moment of the listing that follows, wait until it
# is stopped, look for a lease of its in /proc/locks, let it go on with
# SIGCONT, wait until it has printed the N lines of the listing, and rename
# the directory back.  A listing takes a few ms: the stop is timed in one
# process (no fork between the rename and the kill).  Prints "HITS MID MS":
# the tries that found a lease, the SIGTSTPs sent before the listing's last
# line, how long a listing takes; then a line of /proc/locks for each hit.
stop_tries() {
	timeout 150 python3 - "$@" <<'PY' 3>&-
import os, random, signal, sys, time

pid, n, tries = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
out, away, inside = sys.argv[4], sys.argv[5], sys.argv[6]

def state():
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
    except OSError:
        return "gone"
    return s[s.rindex(")") + 2]

def wait(cond, what, limit):
    end = time.monotonic() + limit
    while not cond():
        if state() in ("gone", "Z"):
            sys.exit(f"watchx is gone: {what}")
        if time.monotonic() > end:
            sys.exit(f"{what} (after {limit} s)")
        time.sleep(0.001)

def lines():
    with open(out, "rb") as f:
        return f.read().count(b"\n")

def leases():
    with open("/proc/locks") as f:
        return [line.strip() for line in f
                if any(x == "LEASE" and w[i + 3] == str(pid)
                       for w in [line.split()]
                       for i, x in enumerate(w[:-3]))]

def move_in():
    os.truncate(out, 0)
    os.rename(away, inside)
    return time.monotonic()

# How long a listing takes here (the middle of three), from the rename to
# its last line: each try stops watchx at a random moment within that.
spans = []
for i in range(3):
    t0 = move_in()
    wait(lambda: lines() >= n, "a listing did not end", 20)
    spans.append(time.monotonic() - t0)
    os.rename(inside, away)
span = sorted(spans)[1]
hits, mid, held = 0, 0, []
for t in range(1, tries + 1):
    move_in()
    time.sleep(random.uniform(0, span))
    # Sent during the listing: its last line is not out yet (watchx may
    # put off the stop, not the signal).
    if lines() < n:
        mid += 1
    os.kill(pid, signal.SIGTSTP)
    wait(lambda: state() == "T",
         f"watchx not stopped (state T) after SIGTSTP, try {t}", 5)
    found = leases()
    if found:
        hits += 1
        held.append(f"try {t}: {found[0]}")
    os.kill(pid, signal.SIGCONT)
    wait(lambda: state() != "T", f"watchx still stopped after SIGCONT, try {t}", 5)
    wait(lambda: lines() >= n, f"the listing of try {t} did not end", 20)
    os.rename(inside, away)
print(hits, mid, round(span * 1000))
print("\n".join(held))
PY
}

@test "SIGTSTP during the listing of a moved-in tree: never stopped holding a read lease (100 tries); still watching after" {
	if [[ $(cat /proc/sys/fs/leases-enable 2>/dev/null) == 0 ]]; then
		skip "leases are disabled (fs.leases-enable is 0)"
	fi
	local n=3000 tries=100 i hits mid ms
	mkdir w x x/t
	# Non-empty files: an empty one is not leased.
	for ((i = 1; i <= n; i++)); do
		echo data >x/t/f$i
	done
	spawn_group --no-tick -r -e close_write w
	run stop_tries "$WX_PID" "$n" "$tries" "$OUT" x/t w/t
	if ((status != 0)); then
		_dump
		fail "the tries failed (status $status): $output"
	fi
	read -r hits mid ms <<<"${lines[0]}"
	if ((hits > 0)); then
		fail "watchx was stopped holding a read lease in $hits of $tries tries ($mid SIGTSTPs sent before the listing's last line; a listing takes $ms ms):"$'\n'"$output"
	fi
	# Had the signals not come during the listings, the tries would have
	# proved nothing.
	if ((mid < 10)); then
		fail "only $mid of $tries SIGTSTPs were sent before the listing's last line (a listing takes $ms ms)"
	fi
	touch w/after
	wait_for_line "$OUT" $'\tIN_CLOSE_WRITE\tw\tafter$'
	wx_stop
}

@test "SIGTSTP, SIGTTIN, SIGTTOU with nothing going on: stopped at once; SIGCONT resumes it, printing what happened meanwhile" {
	local sig
	mkdir d
	spawn_group --no-tick -e create d
	for sig in TSTP TTIN TTOU; do
		kill -"$sig" "$WX_PID"
		poll 2 "watchx not stopped (state T) after SIG$sig" \
			_state_is "$WX_PID" T
		touch "d/$sig"
		_state_is "$WX_PID" T || fail "watchx did not stay stopped (SIG$sig)"
		run grep -c "$sig" "$OUT"
		assert_output 0
		kill -CONT "$WX_PID"
		poll 2 "watchx still stopped after SIGCONT (SIG$sig)" \
			_state_is "$WX_PID" RSD
		wait_for_line "$OUT" $'\tIN_CREATE\td\t'"$sig"'$'
	done
	wx_stop
	assert_out "$(ev 1 256 0 IN_CREATE d TSTP)" \
		"$(ev 1 256 0 IN_CREATE d TTIN)" \
		"$(ev 1 256 0 IN_CREATE d TTOU)"
}

# --- --ready-fd on a full pipe ------------------------------------------------

@test "--ready-fd on a full pipe: a warning naming the descriptor, and watchx goes on (events, --deadline 2)" {
	local fd t0
	mkdir d
	mkfifo fifo
	# The test holds the reading end, and never reads: full, not broken.
	exec {fd}<>fifo
	# Fill it to the last byte, then make it blocking again, as a pipe
	# handed to watchx would be (O_NONBLOCK is the open file's, shared).
	run python3 - "$fd" <<'PY' 3>&-
import fcntl, os, sys
fd = int(sys.argv[1])
fl = fcntl.fcntl(fd, fcntl.F_GETFL)
fcntl.fcntl(fd, fcntl.F_SETFL, fl | os.O_NONBLOCK)
n = 0
for size in (65536, 4096, 1):
    try:
        while True:
            n += os.write(fd, b"x" * size)
    except BlockingIOError:
        pass
fcntl.fcntl(fd, fcntl.F_SETFL, fl)
print(n)
PY
	assert_success
	((output > 0)) || fail "the pipe took nothing"
	_now
	t0=$_now
	wx_spawn --ready-fd "$fd" --deadline 2 -e create d
	wait_established
	touch d/a
	wait_for_line "$OUT" $'\tIN_CREATE\td\ta$'
	wait_exit "$WX_PID" 5
	_now
	exec {fd}>&-
	assert_equal "$status" 2
	(((_now - t0) / 1000 < 4500)) ||
		fail "watchx took $(((_now - t0) / 1000)) ms to end on --deadline 2"
	assert_out "$(ev 1 256 0 IN_CREATE d a)"
	run grep -cE "^watchx: --ready-fd: descriptor $fd([^0-9]|$)" "$ERR"
	assert_output 1
}

# --- NOTIFY_SOCKET ----------------------------------------------------------------

# notify_full SOCKET: bind the datagram socket SOCKET and fill its queue
# until a send that does not wait fails (EAGAIN), in the background; the
# helper then sleeps, holding it, until teardown kills it.
notify_full() {
	local full=$BATS_TEST_TMPDIR/notify.full
	rm -f "$full"
	python3 - "$1" "$full" <<'PY' 3>&- &
import socket, sys, time
path, full = sys.argv[1], sys.argv[2]
r = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
r.bind(path)
senders = []
while True:
    # Until a new sender, too, finds the queue full (not its own buffer).
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    senders.append(s)
    sent = 0
    try:
        while True:
            s.sendto(b"X=1", socket.MSG_DONTWAIT, path)
            sent += 1
    except BlockingIOError:
        pass
    if sent == 0:
        break
open(full, "w").close()
while True:
    time.sleep(60)
PY
	WX_PIDS+=("$!")
	poll 15 "the socket was not filled" test -e "$full"
}

@test "NOTIFY_SOCKET whose queue is full: a warning naming it, and watchx goes on (events, --deadline 2)" {
	local sock=$BATS_TEST_TMPDIR/notify t0
	mkdir d
	notify_full "$sock"
	_now
	t0=$_now
	NOTIFY_SOCKET=$sock wx_spawn --deadline 2 -e create d
	wait_established
	touch d/a
	wait_for_line "$OUT" $'\tIN_CREATE\td\ta$'
	wait_exit "$WX_PID" 5
	_now
	assert_equal "$status" 2
	(((_now - t0) / 1000 < 4500)) ||
		fail "watchx took $(((_now - t0) / 1000)) ms to end on --deadline 2"
	assert_out "$(ev 1 256 0 IN_CREATE d a)"
	run grep -cF "watchx: NOTIFY_SOCKET: $sock" "$ERR"
	assert_output 1
}

@test "NOTIFY_SOCKET in a directory that does not exist: the real error (No such file or directory), and watchx goes on" {
	local sock=$BATS_TEST_TMPDIR/nonexistent/sock
	mkdir d
	NOTIFY_SOCKET=$sock wx_start -x create d
	wait_for_line "$ERR" "^watchx: NOTIFY_SOCKET: $sock: .*No such file or directory"
	touch d/a
	wait_exit
	assert_equal "$status" 0
	assert_out "$(ev 1 256 0 IN_CREATE d a)"
}

@test "NOTIFY_SOCKET naming a regular file: the real error (Connection refused), and watchx goes on" {
	local sock=$BATS_TEST_TMPDIR/file
	mkdir d
	echo hi >"$sock"
	NOTIFY_SOCKET=$sock wx_start -x create d
	wait_for_line "$ERR" "^watchx: NOTIFY_SOCKET: $sock: .*Connection refused"
	touch d/a
	wait_exit
	assert_equal "$status" 0
	assert_out "$(ev 1 256 0 IN_CREATE d a)"
}

@test "SIGTSTP, SIGTTIN, SIGTTOU ignored by the parent stay ignored: watchx is never stopped by them" {
	local sig
	mkdir d
	: >"$OUT"
	: >"$ERR"
	bash -c 'trap "" TSTP TTIN TTOU; exec "$@"' sh "$WATCHX" --no-tick -e create d \
		>"$OUT" 2>"$ERR" 3>&- &
	WX_PID=$!
	WX_PIDS+=("$WX_PID")
	wait_established
	for sig in TSTP TTIN TTOU; do
		kill -"$sig" "$WX_PID"
		# Read with the signal or after it: had it stopped watchx, this
		# event would not be printed.
		touch "d/$sig"
		wait_for_line -F "$OUT" "$(ev 1 256 0 IN_CREATE d "$sig")"
		run _stopped "$WX_PID"
		assert_failure
	done
}

@test "--ready-fd on another user's pipe, which watchx cannot open again: the line is written all the same" {
	[[ $(id -u) -eq 0 ]] || skip "needs root to run watchx as another user"
	command -v setpriv >/dev/null || skip "setpriv is not installed"
	mkdir d
	chmod 755 . d
	# The pipe is root's; watchx runs as nobody, for whom
	# /proc/self/fd/3 cannot be opened (EACCES).
	run bash -c 'setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$1" -q --ready-fd 3 -t 0.2 d 3>&1 >/dev/null 2>"$2" | cat' sh \
		"$WATCHX" "$ERR"
	assert_output ready
	assert_equal "$(cat "$ERR")" ""
}
