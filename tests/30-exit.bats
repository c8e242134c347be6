#!/usr/bin/env bats
# How watchx ends, and with which status: --timeout (2), --exit-on and
# --count (0), no watch left, queue overflow and unmount (3), signals
# (128+N), a reader that goes away (SIGPIPE), and flushing to a pipe.

load helper

# spawn_piped READER ARGS...: run 'watchx ARGS | READER >$OUT' in the
# background.  WX_PID is watchx's pid, PIPE_PID the pipeline's subshell,
# which writes "watchx-status reader-status" to $PIPESTATUS_FILE at the end.
spawn_piped() {
	local reader=$1 pidfile=$BATS_TEST_TMPDIR/wxpid
	shift
	PIPESTATUS_FILE=$BATS_TEST_TMPDIR/pipestatus
	: >"$OUT"
	: >"$ERR"
	rm -f "$pidfile" "$PIPESTATUS_FILE"
	(
		env --default-signal=INT,QUIT,PIPE \
			sh -c 'echo $$ >"$0.tmp" && mv "$0.tmp" "$0" && exec "$@"' \
			"$pidfile" "$WATCHX" "$@" 2>"$ERR" | $reader >"$OUT"
		echo "${PIPESTATUS[*]}" >"$PIPESTATUS_FILE"
	) 3>&- &
	PIPE_PID=$!
	WX_PIDS+=("$PIPE_PID")
	wait_for_lines "$pidfile" 1
	WX_PID=$(<"$pidfile")
	WX_PIDS+=("$WX_PID")
	wait_for_line -F "$ERR" "Watches established."
}

# --- --timeout ------------------------------------------------------------------

@test "-t: no event for SECONDS: exit 2, nothing printed" {
	mkdir d
	local t0 t1
	_now
	t0=$_now
	wx_start --no-tick -t 0.4 d
	wait_exit
	_now
	t1=$_now
	assert_equal "$status" 2
	assert_out ""
	(((t1 - t0) >= 400000)) || fail "exited after $(((t1 - t0) / 1000)) ms, before 400 ms"
	(((t1 - t0) < 3000000)) || fail "exited after $(((t1 - t0) / 1000)) ms"
}

@test "--timeout is measured from the last printed event" {
	mkdir d
	local i=0 start last
	wx_start --no-tick --timeout 0.5 -e create d
	_now
	start=$_now
	# New files for 1.2 s, one every ~50 ms: the timeout must not fire.
	while ((_now - start < 1200000)); do
		i=$((i + 1))
		touch "d/f$i"
		wait_for_line -F "$OUT" "$(ev 1 256 0 IN_CREATE d "f$i")"
		sleep 0.05
		_now
	done
	_alive "$WX_PID" || fail "watchx timed out despite an event every 50 ms"
	_now
	last=$_now
	wait_exit
	_now
	assert_equal "$status" 2
	# The last event came ~50 ms before $last.
	(((_now - last) >= 300000)) ||
		fail "exited $(((_now - last) / 1000)) ms after the last check, long before 500 ms"
	run wc -l <"$OUT"
	assert_output "$i"
}

@test "-t: events that -e filters out do not count as activity" {
	mkdir d
	local start
	wx_start --no-tick -t 0.4 -e delete d
	_now
	start=$_now
	# Keep modifying a file; none of it is printed, so watchx must time out.
	while _alive "$WX_PID"; do
		echo x >>d/a
		sleep 0.02
		_now
		if ((_now - start > 3000000)); then
			fail "no timeout after 3 s of filtered-out events"
		fi
	done
	wait_exit
	assert_equal "$status" 2
	assert_out ""
}

@test "-t 0 means no timeout" {
	mkdir d
	wx_start --tick -t 0 -b 0.05 d
	# Five ticks: 250 ms, and watchx is still there.
	wait_for_lines "$OUT" 5
	_alive "$WX_PID" || fail "watchx ended with -t 0"
	wx_stop
}

# --- --deadline -----------------------------------------------------------------

@test "--deadline: exit 2 when it passes, though events keep coming (-t would never fire)" {
	mkdir d
	local t0 t1 i=0
	_now
	t0=$_now
	wx_start --no-tick -t 0.5 --deadline 1 -e create d
	# A new file every 50 ms, for longer than the deadline: each one resets
	# -t, none can hold off --deadline.
	while _alive "$WX_PID"; do
		i=$((i + 1))
		touch "d/f$i"
		sleep 0.05
		_now
		(((_now - t0) < 5000000)) || fail "still running 5 s after start with --deadline 1"
	done
	wait_exit
	_now
	t1=$_now
	assert_equal "$status" 2
	(((t1 - t0) >= 1000000)) || fail "exited after $(((t1 - t0) / 1000)) ms, before the deadline"
	# The events that came before it were printed.
	(($(wc -l <"$OUT") >= 5)) || fail "only $(wc -l <"$OUT") events printed in 1 s"
}

@test "--deadline is measured from start, and an exit event before it wins (0)" {
	mkdir d
	wx_start --no-tick --deadline 5 -x create d
	touch d/a
	wait_exit
	assert_equal "$status" 0
	assert_out "$(ev 1 256 0 IN_CREATE d a)"
}

@test "--deadline: a bad value is an error naming it, exit 1" {
	mkdir d
	local v
	for v in 0 -1 abc 1e3 ""; do
		run_wx --deadline "$v" d
		assert_equal "$v: $status" "$v: 1"
		[[ $stderr == "watchx: --deadline: "*"'$v'"* ]] ||
			fail "--deadline '$v': unexpected message: $stderr"
	done
}

# --- --exit-on ------------------------------------------------------------------

@test "-x create: exit 0 right after printing the creation" {
	mkdir d
	wx_start --no-tick -x create d
	touch d/a
	wait_exit
	assert_equal "$status" 0
	# IN_OPEN, IN_ATTRIB, IN_CLOSE_WRITE of the same touch are not printed.
	assert_out "$(ev 1 256 0 IN_CREATE d a)"
}

@test "-x with -e: the events -e asks for before the exit event are printed" {
	mkdir d
	wx_start --no-tick -e all --exit-on close_write d
	touch d/a
	wait_exit
	assert_equal "$status" 0
	assert_out "$(ev 1 256 0 IN_CREATE d a)" \
		"$(ev 1 32 0 IN_OPEN d a)" \
		"$(ev 1 4 0 IN_ATTRIB d a)" \
		"$(ev 1 8 0 IN_CLOSE_WRITE d a)"
}

@test "-x without -e: only what it waits for is watched and printed (an editor's opens and reads stay out of the log)" {
	mkdir d
	echo old >d/a
	wx_start --no-tick --exit-on close_write d
	cat d/a >/dev/null
	touch d/b
	wait_exit
	assert_equal "$status" 0
	assert_out "$(ev 1 8 0 IN_CLOSE_WRITE d b)"
}

@test "-x without -e: the kernel is asked for the listed events only" {
	mkdir d
	wx_start --no-tick -x close_write,moved_to d
	inotify_fdinfo || fail "no inotify instance"
	run grep -oE ' mask:[0-9a-f]+' "$FDINFO"
	assert_output " mask:$(printf '%x' $((IN_CLOSE_WRITE | IN_MOVED_TO)))"
}

@test "-x events are watched and printed even when -e leaves them out" {
	mkdir d
	wx_start --no-tick -e create -x close_write d
	touch d/a
	wait_exit
	assert_equal "$status" 0
	assert_out "$(ev 1 256 0 IN_CREATE d a)" "$(ev 1 8 0 IN_CLOSE_WRITE d a)"
}

@test "-x with a list: the first event with any listed bit ends it" {
	mkdir d
	touch d/a
	wx_start --no-tick -e attrib -x delete,moved_to d
	chmod 600 d/a
	rm d/a
	wait_exit
	assert_equal "$status" 0
	assert_out "$(ev 1 4 0 IN_ATTRIB d a)" "$(ev 1 512 0 IN_DELETE d a)"
}

# --- --count --------------------------------------------------------------------

@test "-n 3: exit 0 after printing three events" {
	mkdir d
	wx_start --no-tick -n 3 d
	touch d/a
	wait_exit
	assert_equal "$status" 0
	assert_out "$(ev 1 256 0 IN_CREATE d a)" \
		"$(ev 1 32 0 IN_OPEN d a)" \
		"$(ev 1 4 0 IN_ATTRIB d a)"
}

@test "--count counts printed events only: filtered ones and ticks do not count" {
	mkdir d
	wx_start --tick -b 0.05 --count 1 -e delete d
	wait_for_lines "$OUT" 3
	touch d/a
	rm d/a
	wait_exit
	assert_equal "$status" 0
	local l out
	mapfile -t out <"$OUT"
	((${#out[@]} >= 4)) || fail "expected 3 ticks and an event, got ${#out[@]} lines"
	assert_equal "${out[-1]}" "$(ev 1 512 0 IN_DELETE d a)"
	for l in "${out[@]:0:${#out[@]}-1}"; do
		assert_equal "$l" ""
	done
}

# --- no watch left --------------------------------------------------------------

@test "the only watched file is deleted: IN_DELETE_SELF, IN_IGNORED, exit 3" {
	echo hello >f
	wx_start --no-tick -e delete_self,ignored f
	rm f
	wait_exit
	assert_equal "$status" 3
	assert_out "$(ev 1 1024 0 IN_DELETE_SELF f)" "$(ev 1 32768 0 IN_IGNORED f)"
	# One line says why the run ended.
	assert_equal "$(cat "$ERR")" "Setting up watches.
Watches established.
watchx: no watch is left: 'f' was deleted; to follow the path whatever file it names, use --by-name"
}

@test "exit 3 with -q: the reason is not given either" {
	echo hello >f
	wx_spawn -q --no-tick f
	wait_watches 1
	rm f
	wait_exit
	assert_equal "$status" 3
	assert_equal "$(cat "$ERR")" ""
}

@test "exit 3 because the last root left its path under -r: said once, then why the run ended" {
	mkdir -p a/w b
	wx_start --no-tick -r a/w
	mv a/w b/w
	wait_exit
	assert_equal "$status" 3
	run grep -c "watchx: " "$ERR"
	assert_output 2
	run tail -n 1 "$ERR"
	assert_output "watchx: no watch is left: 'a/w' has left its path"
}

@test "the only watched directory is removed: exit 3" {
	mkdir d
	wx_start --no-tick d
	rmdir d
	wait_exit
	assert_equal "$status" 3
	assert_out "$(ev 1 1024 0 IN_DELETE_SELF d)" "$(ev 1 32768 0 IN_IGNORED d)"
}

@test "one of two watches removed: watchx goes on; both: exit 3" {
	echo one >f1
	mkdir d
	wx_start --no-tick -e delete_self,ignored,create f1 d
	rm f1
	wait_for_line -F "$OUT" "$(ev 1 32768 0 IN_IGNORED f1)"
	touch d/a
	wait_for_line -F "$OUT" "$(ev 2 256 0 IN_CREATE d a)"
	_alive "$WX_PID" || fail "watchx ended with a watch left"
	rm d/a
	rmdir d
	wait_exit
	assert_equal "$status" 3
	assert_out "$(ev 1 1024 0 IN_DELETE_SELF f1)" \
		"$(ev 1 32768 0 IN_IGNORED f1)" \
		"$(ev 2 256 0 IN_CREATE d a)" \
		"$(ev 2 1024 0 IN_DELETE_SELF d)" \
		"$(ev 2 32768 0 IN_IGNORED d)"
}

# --- queue overflow -------------------------------------------------------------

# overflow ARGS...: start watchx ARGS d with a kernel queue of 16 events,
# stop it, make far more events than that, let it go on.
overflow() {
	need_root
	mkdir d
	wx_start_small_queue --no-tick "$@" d
	kill -STOP "$WX_PID"
	touch d/f{1..60}
	kill -CONT "$WX_PID"
	wait_exit
}

@test "queue overflow: the queued events, then -1 16384 0 IN_Q_OVERFLOW, exit 3" {
	overflow
	assert_equal "$status" 3
	run cat "$OUT"
	assert_equal "${lines[-1]}" $'-1\t16384\t0\tIN_Q_OVERFLOW\t\t'
	# The kernel queued 16 events before the overflow; all are printed.
	assert_equal "${#lines[@]}" 17
	local l
	for l in "${lines[@]:0:16}"; do
		[[ $l == 1$'\t'* ]] || fail "not an event of wd 1: '$l'"
	done
	assert_equal "${lines[0]}" "$(ev 1 256 0 IN_CREATE d f1)"
	# Why the run ended, with the size of the queue it had.
	run tail -n 1 "$ERR"
	assert_output "watchx: the kernel's event queue overflowed: it holds 16 events (/proc/sys/fs/inotify/max_queued_events), and later ones were lost"
}

@test "queue overflow is printed even when -e leaves it out" {
	overflow -e create
	assert_equal "$status" 3
	local i expected=()
	for i in {1..16}; do
		expected+=("$(ev 1 256 0 IN_CREATE d "f$i")")
	done
	assert_out "${expected[@]}" $'-1\t16384\t0\tIN_Q_OVERFLOW\t\t'
}

# --- unmount --------------------------------------------------------------------

@test "the watched file system is unmounted: IN_UNMOUNT, exit 3" {
	need_userns
	if ! unshare -U -r -m sh -c 'mkdir m && mount -t tmpfs tmpfs m' 2>/dev/null; then
		skip "cannot mount a tmpfs in a user namespace here"
	fi
	run timeout -k 1 10 unshare -U -r -m bash -c '
		mount -t tmpfs tmpfs m || exit 98
		env --default-signal=INT "$1" --no-tick m >out 2>err 3>&- &
		pid=$!
		for i in $(seq 250); do
			grep -qx "Watches established." err && break
			sleep 0.02
		done
		umount m || exit 99
		wait $pid
	' sh "$WATCHX"
	assert_equal "$status" 3
	# The kernel follows IN_UNMOUNT with IN_IGNORED; watchx ends at the
	# terminal IN_UNMOUNT, and whether the IN_IGNORED of the same batch is
	# printed too is not specified.
	run tail -n 1 "$ERR"
	assert_output "watchx: the file system of 'm' was unmounted"
	local output
	output=$(cat "$OUT")
	if [[ $output == *IN_IGNORED* ]]; then
		assert_out "$(ev 1 1073750016 0 IN_UNMOUNT,IN_ISDIR m)" \
			"$(ev 1 32768 0 IN_IGNORED m)"
	else
		assert_out "$(ev 1 1073750016 0 IN_UNMOUNT,IN_ISDIR m)"
	fi
}

# --- signals --------------------------------------------------------------------

# die_by SIGNAL STATUS: events printed before the signal stay printed, and
# watchx dies by that signal, with no message.
die_by() {
	mkdir d
	wx_start --no-tick d
	touch d/a
	wait_for_line -F "$OUT" "$(ev 1 8 0 IN_CLOSE_WRITE d a)"
	kill -"$1" "$WX_PID"
	wait_exit
	assert_equal "$status" "$2"
	assert_out "$(ev 1 256 0 IN_CREATE d a)" \
		"$(ev 1 32 0 IN_OPEN d a)" \
		"$(ev 1 4 0 IN_ATTRIB d a)" \
		"$(ev 1 8 0 IN_CLOSE_WRITE d a)"
	assert_equal "$(cat "$ERR")" $'Setting up watches.\nWatches established.'
}

@test "SIGINT: dies by SIGINT (130)" {
	die_by INT 130
}

@test "SIGTERM: dies by SIGTERM (143)" {
	die_by TERM 143
}

@test "SIGHUP: dies by SIGHUP (129)" {
	die_by HUP 129
}

@test "SIGTERM while idle between ticks" {
	mkdir d
	wx_start --tick -b 0.05 d
	wait_for_lines "$OUT" 2
	kill -TERM "$WX_PID"
	wait_exit
	assert_equal "$status" 143
}

# _pipe_holds FIFO BYTES: the pipe FIFO holds at least BYTES unread.
_pipe_holds() {
	python3 -c '
import fcntl, os, struct, sys, termios
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
n = struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0" * 4))[0]
sys.exit(0 if n >= int(sys.argv[2]) else 1)' "$1" "$2"
}

@test "SIGINT while the reader of a pipe has stopped reading: dies by it within 1 s, and the pipe holds whole records only" {
	local i name t0 ms
	mkdir d
	mkfifo p
	# A reader that never reads: the test holds the pipe open on fd 5.
	exec 5<>p
	env --default-signal=INT "$WATCHX" --json --no-tick d >p 2>"$ERR" 3>&- 5>&- &
	WX_PID=$!
	WX_PIDS+=("$WX_PID")
	wait_established
	# Records of about 400 bytes, many times what the pipe holds.
	name=$(printf 'x%.0s' {1..150})
	for ((i = 0; i < 1000; i++)); do
		: >"d/$name$i"
	done
	poll "$WX_DEADLINE" "the pipe did not fill" _pipe_holds p 40000
	t0=$(date +%s%N)
	kill -INT "$WX_PID"
	wait_exit "$WX_PID" 5
	ms=$((($(date +%s%N) - t0) / 1000000))
	assert_equal "$status" 130
	((ms < 1000)) || fail "watchx took $ms ms to die"
	# What the pipe holds ends with a whole record, and each one parses.
	run python3 -c '
import json, os
os.set_blocking(5, False)
data = b""
while True:
    try:
        chunk = os.read(5, 65536)
    except BlockingIOError:
        break
    data += chunk
assert data.endswith(b"\n"), "cut record: %r" % data[-60:]
lines = data.split(b"\n")[:-1]
for l in lines:
    json.loads(l)
print(len(lines) > 50)'
	assert_success
	assert_output True
}

@test "SIGINT while the terminal's output is stopped (Ctrl-S): dies by it within 1 s" {
	mkdir d
	run python3 - "$WATCHX" d "$ERR" <<'PY'
import os, pty, signal, subprocess, sys, time
watchx, d, errpath = sys.argv[1:4]
master, slave = pty.openpty()
os.write(master, b"\x13")		# Ctrl-S: the terminal stops output
err = open(errpath, "w")
p = subprocess.Popen([watchx, "--no-tick", d], stdout=slave, stderr=err,
                     stdin=subprocess.DEVNULL)
def poll(what, ok, secs=5):
    end = time.monotonic() + secs
    while not ok():
        if time.monotonic() > end:
            p.kill()
            sys.exit("no " + what)
        time.sleep(0.02)
poll("Watches established", lambda: "established" in open(errpath).read())
def rchar():
    for l in open("/proc/%d/io" % p.pid):
        if l.startswith("rchar:"):
            return int(l.split()[1])
r0 = rchar()
for i in range(300):
    open(os.path.join(d, "f%d" % i), "w").close()
# watchx has read the events, and has output waiting for the terminal.
poll("events read", lambda: rchar() > r0 + 3000)
t0 = time.monotonic()
p.send_signal(signal.SIGINT)
try:
    p.wait(timeout=5)
except subprocess.TimeoutExpired:
    p.kill()
    sys.exit("watchx did not die within 5 s")
ms = (time.monotonic() - t0) * 1000
print(p.returncode, "fast" if ms < 1000 else "slow: %d ms" % ms)
PY
	assert_success
	assert_output "-2 fast"
}

# --- the reader goes away -------------------------------------------------------

@test "watchx d | head -1: returns once one event is out; watchx dies by SIGPIPE" {
	mkdir d
	spawn_piped "head -1" --no-tick -e create d
	touch d/a
	# No further event and no tick will come: watchx must notice the
	# reader's hang-up by itself.
	wait_exit "$PIPE_PID" 2
	assert_equal "$(cat "$PIPESTATUS_FILE")" "141 0"
	assert_out "$(ev 1 256 0 IN_CREATE d a)"
	assert_equal "$(cat "$ERR")" $'Setting up watches.\nWatches established.'
}

@test "output to a pipe is flushed while watchx waits" {
	mkdir d
	spawn_piped cat --no-tick d
	touch d/a
	wait_for_line -F "$OUT" "$(ev 1 8 0 IN_CLOSE_WRITE d a)"
	_alive "$WX_PID" || fail "watchx is gone"
	assert_out "$(ev 1 256 0 IN_CREATE d a)" \
		"$(ev 1 32 0 IN_OPEN d a)" \
		"$(ev 1 4 0 IN_ATTRIB d a)" \
		"$(ev 1 8 0 IN_CLOSE_WRITE d a)"
	kill -TERM "$WX_PID"
	wait_exit "$PIPE_PID"
	assert_equal "$(cat "$PIPESTATUS_FILE")" "143 0"
}

# slow_run N DIR ARGS...: run watchx ARGS... DIR into a pipe whose reader
# starts only once N files have been created in DIR; wait for watchx to
# exit 0 and for the reader, whose copy of the output is in ./got.
slow_run() {
	local n=$1 d=$2 reader i
	shift 2
	mkfifo pipe gate
	(read -r _ <gate; cat) <pipe >got &
	reader=$!
	OUT=$BATS_TEST_TMPDIR/pipe
	wx_start --no-tick "$@" "$d"
	for ((i = 0; i < n; i++)); do
		: >"$d/f$i"
	done
	echo go >gate
	wait_exit "$WX_PID" 20
	assert_equal "$status" 0
	wait "$reader"
}

@test "a pipe whose reader is behind: watchx keeps draining the kernel, nothing overflows" {
	# 12000 files make 36000 events: more than the kernel's default queue
	# of 16384 and watchx's read buffer together, and far more than a pipe
	# holds.  The reader starts only once they have all happened; watchx
	# must hold them meanwhile.
	(($(cat /proc/sys/fs/inotify/max_queued_events) < 36000)) ||
		skip "max_queued_events is raised on this machine"
	local d=d
	# tmpfs where there is one: creating files is much cheaper there.
	if [[ -d /dev/shm && -w /dev/shm ]]; then
		d=$(mktemp -d /dev/shm/watchx-test.XXXXXX)
		WX_SCRATCH=$d	# removed by wx_teardown
	else
		mkdir d
	fi
	slow_run 12000 "$d" -e create,open,close_write -n 36000
	run grep -c $'\tIN_CLOSE_WRITE\t'"$d"$'\tf' got
	assert_output 12000
	run grep -c . got
	assert_output 36000
}

@test "-j behind a slow pipe reader, long paths: every record whole and exact (the buffer moves only between records)" {
	local d
	d=$(printf 'long%.0s' {1..50})
	mkdir "$d"
	slow_run 3000 "$d" -j -e create -n 3000
	# Each line is JSON whose "path" is its watch path and filename.
	run jq -r 'select(.path != .watch_path + "/" + .filename) | .path' got
	assert_success
	assert_output ""
	run grep -c . got
	assert_output 3000
}

@test "the terminal hangs up (its other side closed): watchx ends by SIGPIPE at once, even with nothing to write" {
	mkdir d
	run python3 - "$WATCHX" d "$ERR" <<'PY'
import os, pty, subprocess, sys, time
watchx, d, errpath = sys.argv[1:4]
master, slave = pty.openpty()
err = open(errpath, "w")
p = subprocess.Popen([watchx, "--no-tick", d], stdout=slave, stderr=err,
                     stdin=subprocess.DEVNULL)
end = time.monotonic() + 5
while "established" not in open(errpath).read():
    if time.monotonic() > end:
        p.kill()
        sys.exit("no Watches established")
    time.sleep(0.02)
os.close(slave)
os.close(master)
try:
    p.wait(timeout=5)
except subprocess.TimeoutExpired:
    p.kill()
    sys.exit("watchx still running 5 s after the hang-up")
print(p.returncode)
PY
	assert_success
	assert_output "-13"
}

@test "exit 3 after a save that replaces the file (sed -i, write and rename): the reason says so, with the hint of --by-name" {
	local style
	for style in sed rename; do
		echo old >f
		wx_spawn --no-tick f
		wait_established
		save_style "$style" f
		wait_exit
		assert_equal "$style: $status" "$style: 3"
		run tail -n 1 "$ERR"
		assert_output "watchx: no watch is left: 'f' was replaced by another file; to follow the path whatever file it names, use --by-name"
	done
}

@test "exit 3 when the file behind a watched symbolic link is deleted: the reason says deleted, not replaced" {
	echo x >real
	ln -s real link
	wx_spawn --no-tick link
	wait_established
	rm real
	wait_exit
	assert_equal "$status" 3
	run tail -n 1 "$ERR"
	assert_output "watchx: no watch is left: 'link' was deleted; to follow the path whatever file it names, use --by-name"
}

@test "exit 2 says which limit passed: -t, --deadline; a wait names the paths it still waits for; -q says nothing" {
	mkdir d
	touch d/there
	run_wx -t 0.2 --no-tick d
	assert_equal "$status" 2
	assert_equal "${stderr_lines[-1]}" "watchx: no event for 0.2 s (-t)"
	run_wx --deadline 0.25s --no-tick d
	assert_equal "$status" 2
	assert_equal "${stderr_lines[-1]}" "watchx: --deadline 0.25 s passed"
	run_wx --deadline 0.01m --wait-exists d/a d/there $'d/b\tc'
	assert_equal "$status" 2
	assert_equal "${stderr_lines[-1]}" "watchx: --deadline 0.6 s passed; still missing: d/a, d/b\\tc"
	run_wx -t 0.2 --wait-gone d/there d/a
	assert_equal "$status" 2
	assert_equal "${stderr_lines[-1]}" "watchx: no event for 0.2 s (-t); still there: d/there"
	run_wx -q -t 0.2 --no-tick d
	assert_equal "$status" 2
	assert_equal "$stderr" ""
}

@test "exit 3 without IN_DELETE_SELF in -e: the reason still says the file was deleted" {
	echo hello >f
	wx_spawn --no-tick -e modify f
	wait_watches 1
	rm f
	wait_exit
	assert_equal "$status" 3
	run tail -n 1 "$ERR"
	assert_output "watchx: no watch is left: 'f' was deleted; to follow the path whatever file it names, use --by-name"
}
