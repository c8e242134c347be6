# tests/helper.bash: what every watchx test file loads.
#
# The tests drive the real binary, $WATCHX (the Makefile's asan target points
# it at the sanitizer build).  Watchers run in the background with stdout and
# stderr in files under $BATS_TEST_TMPDIR; tests never sleep for a fixed time,
# they poll for the line they expect and give up after a deadline.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert
bats_load_library bats-file

WATCHX=${WATCHX:-$BATS_TEST_DIRNAME/../watchx}
case $WATCHX in
/*) ;;
*) WATCHX=$PWD/$WATCHX ;;
esac
# Messages start with the program's name, which err(3) takes from argv[0]:
# run any other build ($WATCHX=.../watchx-asan) under the name watchx.
if [[ ${WATCHX##*/} != watchx ]]; then
	mkdir -p "$BATS_RUN_TMPDIR/bin"
	if [[ ! -L $BATS_RUN_TMPDIR/bin/watchx ]]; then
		ln -s "$WATCHX" "$BATS_RUN_TMPDIR/bin/watchx" 2>/dev/null || true
	fi
	WATCHX=$BATS_RUN_TMPDIR/bin/watchx
fi

# The same binary under the name inotifywait (iwait.c), for its command line.
IWAIT=$BATS_RUN_TMPDIR/bin/inotifywait
if [[ ! -L $IWAIT ]]; then
	mkdir -p "$BATS_RUN_TMPDIR/bin"
	ln -s "$WATCHX" "$IWAIT" 2>/dev/null || true
fi

# And under the name inotifywatch (iwait.c and stats.c).
IWATCH=$BATS_RUN_TMPDIR/bin/inotifywatch
if [[ ! -L $IWATCH ]]; then
	mkdir -p "$BATS_RUN_TMPDIR/bin"
	ln -s "$WATCHX" "$IWATCH" 2>/dev/null || true
fi

# Seconds any wait gives up after, unless a call says otherwise.
WX_DEADLINE=${WX_DEADLINE:-5}

# Kernel mask values, so expected lines read like the kernel headers.
IN_ACCESS=1 IN_MODIFY=2 IN_ATTRIB=4 IN_CLOSE_WRITE=8 IN_CLOSE_NOWRITE=16
IN_OPEN=32 IN_MOVED_FROM=64 IN_MOVED_TO=128 IN_CREATE=256 IN_DELETE=512
IN_DELETE_SELF=1024 IN_MOVE_SELF=2048 IN_UNMOUNT=8192 IN_Q_OVERFLOW=16384
IN_IGNORED=32768 IN_ISDIR=$((0x40000000))

setup() {
	wx_setup
}

teardown() {
	wx_teardown
}

# Every test starts in its own empty directory, so watch paths are short and
# exactly predictable ("d", "f").
wx_setup() {
	WX_PIDS=()
	WX_SAVED_QUEUE=
	WX_SCRATCH=
	OUT=$BATS_TEST_TMPDIR/out
	ERR=$BATS_TEST_TMPDIR/err
	cd "$BATS_TEST_TMPDIR" || return 1
	if [[ ! -x $WATCHX ]]; then
		fail "no watchx binary at $WATCHX (run 'make watchx' first)"
	fi
	valgrind_skip
}

# valgrind_skip: under make valgrind (WX_VALGRIND set by tests/valgrind.sh),
# skip a test listed in tests/valgrind.skip, with the reason given there.
valgrind_skip() {
	local name reason
	[[ -n ${WX_VALGRIND-} ]] || return 0
	while IFS=$'\t' read -r name reason; do
		if [[ $name == "$BATS_TEST_DESCRIPTION" ]]; then
			skip "under valgrind: $reason"
		fi
	done <"$BATS_TEST_DIRNAME/valgrind.skip"
}

# Kill whatever watchx a test left running (also stopped ones), and undo the
# system changes some tests make.
wx_teardown() {
	local pid
	for pid in "${WX_PIDS[@]}"; do
		if kill -0 "$pid" 2>/dev/null; then
			kill -KILL "$pid" 2>/dev/null || true
		fi
		wait "$pid" 2>/dev/null || true
	done
	WX_PIDS=()
	if [[ -n $WX_SAVED_QUEUE ]]; then
		echo "$WX_SAVED_QUEUE" >/proc/sys/fs/inotify/max_queued_events
		WX_SAVED_QUEUE=
	fi
	if [[ -n $WX_SCRATCH && -d $WX_SCRATCH ]]; then
		chmod -R u+rwx "$WX_SCRATCH" 2>/dev/null || true
		rm -rf "$WX_SCRATCH"
		WX_SCRATCH=
	fi
}

# _us SECONDS: SECONDS (fractions allowed) in microseconds.
_us() {
	local s=$1 i f=
	i=${s%%.*}
	[[ $s == *.* ]] && f=${s#*.}
	f=${f}000000
	echo $((10#${i:-0} * 1000000 + 10#${f:0:6}))
}

# _now: the current time in microseconds, in $_now (no subshell).
_now() {
	_now=${EPOCHREALTIME/[.,]/}
}

# _alive PID: true while PID exists and is not a zombie.
_alive() {
	local stat
	read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
	stat=${stat##*) }
	[[ ${stat:0:1} != Z ]]
}

# _stopped [PID]: true while PID (default: the last watchx) is stopped
# (state T).
_stopped() {
	local stat
	read -r stat 2>/dev/null <"/proc/${1:-$WX_PID}/stat" || return 1
	stat=${stat##*) }
	[[ ${stat:0:1} == T ]]
}

# _dump: show what the watcher wrote, for a failure message; long lines
# (paths deeper than PATH_MAX) are cut short.
_dump() {
	echo "--- watchx stdout ($OUT):"
	cut -c1-200 "$OUT" 2>/dev/null | cat -A | head -50
	echo "--- watchx stderr ($ERR):"
	cut -c1-200 "$ERR" 2>/dev/null | head -20
}

# poll SECONDS MESSAGE CMD...: run CMD every 20 ms until it succeeds; after
# SECONDS, fail with MESSAGE and what watchx wrote.
poll() {
	local timeout=$1 msg=$2 end
	shift 2
	_now
	end=$((_now + $(_us "$timeout")))
	until "$@"; do
		_now
		if ((_now > end)); then
			_dump
			fail "$msg (after ${timeout}s)"
			return 1
		fi
		sleep 0.02
	done
}

# ev WD MASK COOKIE NAMES WATCHPATH [FILENAME]: one expected event line.
ev() {
	local IFS=$'\t'
	printf '%s\n' "$1	$2	$3	$4	$5	${6-}"
}

# wx_spawn ARGS...: start watchx in the background, stdout to $OUT, stderr to
# $ERR, its pid in WX_PID; no waiting.  A non-interactive shell starts
# background jobs with SIGINT ignored; env restores the default so that
# watchx sees what it would see in a terminal.  fd 3 is bats' own: closed.
wx_spawn() {
	# Empty the files here, not only in the child: a wait must never see
	# what the previous watcher wrote.
	: >"$OUT"
	: >"$ERR"
	env --default-signal=INT,QUIT "$WATCHX" "$@" >"$OUT" 2>"$ERR" 3>&- &
	WX_PID=$!
	WX_PIDS+=("$WX_PID")
}

# iw_spawn ARGS...: wx_spawn, under the name inotifywait.
iw_spawn() {
	WATCHX=$IWAIT wx_spawn "$@"
}

# run_iw ARGS...: run_wx, under the name inotifywait.
run_iw() {
	WATCHX=$IWAIT run_wx "$@"
}

# wx_start ARGS...: wx_spawn, then wait until watchx says "Watches
# established." (so do not pass -q); fails if watchx dies first.
wx_start() {
	wx_spawn "$@"
	wait_established
}

# wx_start_small_queue ARGS...: wx_start ARGS with a kernel queue of 16
# events (needs root).  The limit is read when watchx creates its inotify
# instance: it is restored at once, so that nothing else on the machine
# suffers (teardown restores it too, should the start fail).
wx_start_small_queue() {
	WX_SAVED_QUEUE=$(</proc/sys/fs/inotify/max_queued_events)
	echo 16 >/proc/sys/fs/inotify/max_queued_events
	wx_start "$@"
	echo "$WX_SAVED_QUEUE" >/proc/sys/fs/inotify/max_queued_events
}

# wait_established: wait until $ERR says "Watches established."; fails if
# watchx ($WX_PID) dies first.
wait_established() {
	local end
	_now
	end=$((_now + $(_us "$WX_DEADLINE")))
	until grep -qx 'Watches established\.' "$ERR" 2>/dev/null; do
		if ! _alive "$WX_PID"; then
			_dump
			fail "watchx exited before 'Watches established.'"
			return 1
		fi
		_now
		if ((_now > end)); then
			_dump
			fail "no 'Watches established.' after ${WX_DEADLINE}s"
			return 1
		fi
		sleep 0.02
	done
}

# wait_for_line [-F] FILE PATTERN [SECONDS]: poll FILE every 20 ms until a
# line matches the extended regex PATTERN (with -F: equals PATTERN exactly).
wait_for_line() {
	local mode=-E end
	if [[ $1 == -F ]]; then
		mode=-xF
		shift
	fi
	local file=$1 pattern=$2 timeout=${3:-$WX_DEADLINE}
	_now
	end=$((_now + $(_us "$timeout")))
	until grep -q $mode -e "$pattern" "$file" 2>/dev/null; do
		_now
		if ((_now > end)); then
			_dump
			fail "no line matching '$pattern' in $file after ${timeout}s"
			return 1
		fi
		sleep 0.02
	done
}

# wait_for_lines FILE N [SECONDS]: poll until FILE has at least N lines.
wait_for_lines() {
	local file=$1 n=$2 timeout=${3:-$WX_DEADLINE} end lines
	_now
	end=$((_now + $(_us "$timeout")))
	while :; do
		lines=$(wc -l <"$file" 2>/dev/null) || lines=0
		((lines >= n)) && return 0
		_now
		if ((_now > end)); then
			_dump
			fail "$file has $lines lines, not $n, after ${timeout}s"
			return 1
		fi
		sleep 0.02
	done
}

# wait_exit [PID [SECONDS]]: wait for a background process (default: the last
# watchx) to end; its exit status goes to $status.  Past the deadline the
# process is killed and the test fails.
wait_exit() {
	local pid=${1:-$WX_PID} timeout=${2:-$WX_DEADLINE} end
	_now
	end=$((_now + $(_us "$timeout")))
	while _alive "$pid"; do
		_now
		if ((_now > end)); then
			kill -KILL "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
			_dump
			fail "process $pid still running after ${timeout}s"
			return 1
		fi
		sleep 0.02
	done
	status=0
	wait "$pid" || status=$?
}

# wait_idle: watchx ($WX_PID) has handled every event queued so far.  An event wakes
# it (its state is R from then on) until it waits in epoll again, having
# read it.
wait_idle() {
	poll 5 "watchx never went back to waiting" _idle
}
_idle() {
	local stat wchan
	read -r stat <"/proc/$WX_PID/stat" || return 1
	stat=${stat##*) }
	# No newline ends it: read fails, having read it.
	read -r wchan <"/proc/$WX_PID/wchan" || [[ -n $wchan ]] || return 1
	[[ ${stat:0:1} == S && $wchan == *epoll* ]]
}

# wx_stop: end the background watchx with SIGTERM and wait for it, so that its
# output is complete before a test compares it.
wx_stop() {
	kill -TERM "$WX_PID" 2>/dev/null || true
	wait_exit "$WX_PID"
	if ((status != 143)); then
		_dump
		fail "watchx ended with status $status, not 143, on SIGTERM"
		return 1
	fi
}

# run_wx ARGS...: run watchx in the foreground under bats' run with stderr
# kept apart; a hung watchx is killed after $WX_RUN_TIMEOUT (default 10) s,
# status 124.
run_wx() {
	run --separate-stderr timeout -k 1 "${WX_RUN_TIMEOUT:-10}" "$WATCHX" "$@"
}

# assert_out LINES...: $OUT holds exactly these lines (run after wx_stop or
# wait_exit; leaves $status alone).
assert_out() {
	local output IFS=$'\n'
	output=$(cat "$OUT")
	assert_output "$*"
}

# need_root: skip a test that only root can run.
need_root() {
	if [[ $(id -u) -ne 0 ]]; then
		skip "needs root"
	fi
}

# need_userns: skip when unprivileged user namespaces are not available.
need_userns() {
	if ! unshare -U -r true 2>/dev/null; then
		skip "unshare -U -r is not permitted here"
	fi
}

# inotify_fdinfo [PID]: the fdinfo file of the inotify descriptor of PID
# (default: the last watchx), in $FDINFO; looked up once per process.
inotify_fdinfo() {
	local pid=${1:-$WX_PID} fd
	if [[ ${_FDINFO_PID-} == "$pid" && -e $FDINFO ]]; then
		return 0
	fi
	for fd in /proc/"$pid"/fd/*; do
		if [[ $(readlink "$fd" 2>/dev/null) == anon_inode:inotify ]]; then
			FDINFO=/proc/$pid/fdinfo/${fd##*/}
			_FDINFO_PID=$pid
			return 0
		fi
	done
	return 1
}

# watch_count [PID]: the number of watches the inotify instance holds, in
# $WATCHES (-1 if there is no instance).
watch_count() {
	WATCHES=-1
	inotify_fdinfo "$@" || return 0
	WATCHES=$(grep -c '^inotify wd:' "$FDINFO" 2>/dev/null) || true
	WATCHES=${WATCHES:--1}
}

_count_is() {
	watch_count "${2:-$WX_PID}"
	((WATCHES == $1))
}

# wait_watches N [SECONDS]: poll until watchx holds exactly N watches.
wait_watches() {
	local n=$1 timeout=${2:-$WX_DEADLINE}
	_now
	local end=$((_now + $(_us "$timeout")))
	until _count_is "$n"; do
		_now
		if ((_now > end)); then
			_dump
			fail "watchx holds $WATCHES watches, not $n, after ${timeout}s"
			return 1
		fi
		sleep 0.02
	done
}

# save_style STYLE FILE: save FILE the way STYLE does: write (in place),
# sed (sed -i), rename (a new file renamed over it), backup (renamed to
# FILE~, then written anew), recreate (deleted, then written anew).
save_style() {
	local f=$2
	case $1 in
	write) echo saved >"$f" ;;
	sed) sed -i 's/old/new/' "$f" ;;
	rename) echo saved >"$f.tmp" && mv "$f.tmp" "$f" ;;
	backup) mv "$f" "$f~" && echo saved >"$f" ;;
	recreate) rm "$f" && echo saved >"$f" ;;
	*) return 1 ;;
	esac
}
