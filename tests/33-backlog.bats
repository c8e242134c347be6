#!/usr/bin/env bats
# The backlog: what waits for a reader that is not reading is capped at
# 64 MiB, counted record by record (not once per read of the kernel's
# queue), and the rest waits in the kernel; a signal still ends watchx at
# once, whatever waits.

load helper

BACKLOG_KB=$((64 * 1024))

# _hwm PID: its peak resident set in kB, in $HWM.
_hwm() {
	HWM=$(awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null)
	[[ -n $HWM ]]
}

# _idle PID: true once PID sleeps and has used no CPU time for three polls
# in a row (its CPU time is sampled into _IDLE_LAST).
_idle() {
	local stat cpu
	read -r stat <"/proc/$1/stat" || return 1
	stat=${stat##*) }
	set -- $stat
	cpu=$(($12 + $13))
	if [[ $1 == S && $cpu == "${_IDLE_LAST-}" ]]; then
		_IDLE_SAME=$((_IDLE_SAME + 1))
	else
		_IDLE_SAME=0
	fi
	_IDLE_LAST=$cpu
	((_IDLE_SAME >= 3))
}

# _sanitized: whether $WATCHX is the AddressSanitizer build, whose own
# allocator (shadow memory, quarantine) says nothing of watchx's.
_sanitized() {
	ldd "$(readlink -f "$WATCHX")" 2>/dev/null | grep -q libasan
}

@test "a stopped reader and 120 kB records: the backlog stays at 64 MiB, and SIGTERM ends watchx within 300 ms" {
	local fmt i t0 ms
	mkdir d
	mkfifo p
	# The reader: the test holds the pipe open and never reads it.
	exec 5<>p
	fmt=$(printf 'x%.0s' {1..120000})'%f'
	env --default-signal=INT "$WATCHX" -q --no-tick -e create -f "$fmt" d \
		>p 2>"$ERR" 3>&- 5>&- &
	WX_PID=$!
	WX_PIDS+=("$WX_PID")
	# The 3,000 events come in one read (watchx stopped meanwhile): 360 MB
	# of records, were they all formatted.
	poll "$WX_DEADLINE" "no inotify instance" inotify_fdinfo
	poll "$WX_DEADLINE" "no watch yet" _count_is 1
	kill -STOP "$WX_PID"
	for ((i = 0; i < 3000; i++)); do
		: >"d/f$i"
	done
	kill -CONT "$WX_PID"
	_IDLE_SAME=0 _IDLE_LAST=
	poll 20 "watchx never went idle behind the stopped reader" _idle "$WX_PID"
	_hwm "$WX_PID"
	# Past the backlog by at most one record and one read's worth, and the
	# program itself.
	if ! _sanitized; then
		((HWM <= BACKLOG_KB + 8 * 1024)) ||
			fail "peak RSS $HWM kB, over 64 MiB + 8 MiB"
	fi
	# It did fill the backlog: it is not idle for any other reason.
	((HWM >= BACKLOG_KB)) || fail "peak RSS $HWM kB: the backlog never filled"
	t0=$(date +%s%N)
	kill -TERM "$WX_PID"
	wait_exit "$WX_PID" 5
	ms=$((($(date +%s%N) - t0) / 1000000))
	assert_equal "$status" 143
	((ms <= 300)) || fail "watchx took $ms ms to die by SIGTERM"
}

@test "a stopped reader: the events left waiting are printed, in order, once it reads again" {
	local fmt i n
	mkdir d
	fmt=$(printf 'y%.0s' {1..100000})' %f'
	# 1,000 records of 100 kB: half as much again as the backlog, all from one
	# read of the kernel's queue.
	spawn_reader_stopped "$fmt"
	kill -STOP "$WX_PID"
	for ((i = 0; i < 1000; i++)); do
		: >"d/f$i"
	done
	kill -CONT "$WX_PID"
	_IDLE_SAME=0 _IDLE_LAST=
	poll 20 "watchx never went idle behind the stopped reader" _idle "$WX_PID"
	kill -CONT "$READER_PID"
	wait_exit "$WX_PID" 60
	assert_equal "$status" 0
	# Every record whole, each file once, in the order they were made.
	run python3 -c '
import sys
names = [l.split(" ", 1)[1] for l in open(sys.argv[1]).read().split("\n")[:-1]]
want = ["f%d" % i for i in range(1000)]
print("ok" if names == want else "got %d names, first wrong %r" %
    (len(names), next((a for a, b in zip(names, want) if a != b), None)))' "$OUT"
	assert_output ok
}

@test "-r: a directory moved out, then the backlog fills behind a stopped reader: watchx waits without spinning" {
	local fmt i
	mkdir d d/sub
	mkfifo p
	exec 5<>p
	fmt=$(printf 'x%.0s' {1..120000})'%f'
	env --default-signal=INT "$WATCHX" --no-tick -r -e create,move -f "$fmt" d \
		>p 2>"$ERR" 3>&- 5>&- &
	WX_PID=$!
	WX_PIDS+=("$WX_PID")
	wait_established
	# In one read: the move out (its IN_MOVED_TO is waited for, 20 ms),
	# then more records than the backlog holds.  The wait must not run
	# out while the events after it wait too, or the loop would wake at
	# once, forever.
	kill -STOP "$WX_PID"
	mv d/sub sub
	for ((i = 0; i < 1000; i++)); do
		: >"d/f$i"
	done
	kill -CONT "$WX_PID"
	_IDLE_SAME=0 _IDLE_LAST=
	poll 10 "watchx kept running behind the stopped reader" _idle "$WX_PID"
	_hwm "$WX_PID"
	((HWM >= BACKLOG_KB)) || fail "peak RSS $HWM kB: the backlog never filled"
}

# spawn_reader_stopped FORMAT: watchx -n 1000 -e create -f FORMAT d into a
# reader (cut, which reads whatever comes) that is stopped until the test
# sends it SIGCONT; its output, the part after the filler, in $OUT.
spawn_reader_stopped() {
	local fifo=$BATS_TEST_TMPDIR/fifo
	mkfifo "$fifo"
	: >"$OUT"
	: >"$ERR"
	# The reader opens the pipe (so watchx can), then stops itself.
	sh -c 'exec <"$0"; kill -STOP $$; exec cut -c 100001- >"$1"' \
		"$fifo" "$OUT" 3>&- &
	READER_PID=$!
	WX_PIDS+=("$READER_PID")
	"$WATCHX" --no-tick -n 1000 -e create -f "$1" d >"$fifo" 2>"$ERR" 3>&- &
	WX_PID=$!
	WX_PIDS+=("$WX_PID")
	poll "$WX_DEADLINE" "the reader did not stop" _stopped "$READER_PID"
	wait_established
}
