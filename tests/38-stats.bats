#!/usr/bin/env bats
# --stats, and watchx under the name inotifywatch: events counted by path
# (by watch, for inotifywatch) and by event name, one table at the end.

load helper

# iwatch_spawn ARGS...: wx_spawn under the name inotifywatch.
iwatch_spawn() {
	WATCHX=$IWATCH wx_spawn "$@"
}

# wait_counting: inotifywatch's "watches in place" line is on stderr.
wait_counting() {
	wait_for_line -F "$ERR" \
	    'Finished establishing watches, now collecting statistics.'
}

# iwatch_end: Ctrl-C to inotifywatch once it has counted what was queued.
iwatch_end() {
	wait_idle
	kill -INT "$WX_PID"
	wait_exit
}

# Seven events on d/a, one on d/b: two rows of different totals.
eight_events() {
	echo x >d/a
	echo y >>d/a
	chmod 600 d/b
}

@test "--stats: a row per path, most events first, a column per event name that occurred; no event lines, no ticks" {
	mkdir d
	touch d/b
	wx_start --stats -n 8 d
	eight_events
	wait_exit
	assert_equal "$status" 0
	assert_out \
	    "total  modify  attrib  close_write  open  create  path" \
	    "7      2       0       2            2     1       d/a" \
	    "1      0       1       0            0     0       d/b"
}

@test "--stats: rows with the same total are in path order" {
	mkdir d
	wx_start --stats -e create,delete -n 46 d
	for i in 1 2 3 4 5 6 7 8 9 10 11; do
		touch d/b d/a
		rm d/b d/a
	done
	touch d/c
	rm d/c
	wait_exit
	assert_equal "$status" 0
	assert_out \
	    "total  create  delete  path" \
	    "22     11      11      d/a" \
	    "22     11      11      d/b" \
	    "2      1       1       d/c"
}

@test "--stats: the table comes when -t ends the run (exit 2, said on stderr)" {
	mkdir d
	touch d/f
	wx_start --stats -t 0.5 -e attrib d
	chmod 600 d/f
	wait_exit
	assert_equal "$status" 2
	assert_out "total  attrib  path" "1      1       d/f"
	run grep -c 'no event for 0.5 s (-t)' "$ERR"
	assert_output 1
}

@test "--stats: Ctrl-C prints the table of what was counted, then watchx dies by SIGINT" {
	mkdir d
	wx_start --stats -e create d
	touch d/a d/b
	wait_idle
	kill -INT "$WX_PID"
	wait_exit
	assert_equal "$status" 130
	assert_out "total  create  path" "1      1       d/a" "1      1       d/b"
}

@test "--stats --json: one object per row, path, total and the counts by event name, most first" {
	mkdir d
	touch d/b
	wx_start --stats --json -n 8 d
	eight_events
	wait_exit
	assert_equal "$status" 0
	run jq -c . "$OUT"
	assert_success
	assert_output "$(printf '%s\n' \
	    '{"path":"d/a","total":7,"events":{"IN_MODIFY":2,"IN_CLOSE_WRITE":2,"IN_OPEN":2,"IN_CREATE":1}}' \
	    '{"path":"d/b","total":1,"events":{"IN_ATTRIB":1}}')"
}

@test "--stats: a name with a newline stays on its row, escaped as in the default line; --json gives the exact bytes" {
	mkdir d
	wx_start --stats -e create -n 1 d
	touch d/$'a\nb'
	wait_exit
	assert_out "total  create  path" "1      1       d/a\\nb"
	wx_start --stats --json -e create -n 1 d
	touch d/$'c\tz'
	wait_exit
	run jq -r .path "$OUT"
	assert_output $'d/c\tz'
}

@test "--stats: under -r, --exclude leaves out what it would not print, and a new directory's rows have their full path" {
	mkdir d
	wx_start --stats -r -e create --exclude '*.o' -n 3 d
	mkdir d/sub
	wait_watches 2
	touch d/sub/x.o d/sub/x.c
	touch d/y.c
	wait_exit
	assert_equal "$status" 0
	assert_out \
	    "total  create  path" \
	    "1      1       d/sub" \
	    "1      1       d/sub/x.c" \
	    "1      1       d/y.c"
}

@test "--stats: what prints events, and a wait, cannot go with it (exit 1, naming them)" {
	mkdir d
	for opt in "-f %w" -H -0 --pair-moves --tick; do
		run_wx --stats $opt d
		assert_equal "$status" 1
		assert_equal "$stderr" "watchx: --stats prints a table, not events: -f, -H, -0, --pair-moves and --tick do not apply"
	done
	run_wx --stats --wait-exists d
	assert_equal "$status" 1
	assert_equal "$stderr" "watchx: --stats cannot be used with a wait"
}

@test "inotifywatch: -t is the time to count for; a row per watch, a directory's path ending in '/'; exit 0" {
	mkdir d
	touch f
	iwatch_spawn -t 2 -e modify,attrib d f
	wait_counting
	echo x >>f
	echo y >>d/a
	echo z >>d/b
	chmod 600 d/a
	wait_exit
	assert_equal "$status" 0
	assert_out \
	    "total  modify  attrib  filename" \
	    "3      2       1       d/" \
	    "1      1       0       f"
	run cat "$ERR"
	assert_output "Establishing watches...
Finished establishing watches, now collecting statistics."
}

@test "inotifywatch: Ctrl-C ends the count with the table and exit 0" {
	mkdir d
	iwatch_spawn -e create d
	wait_counting
	touch d/a d/b
	wait_idle
	kill -INT "$WX_PID"
	wait_exit
	assert_equal "$status" 0
	assert_out "total  create  filename" "2      2       d/"
}

@test "inotifywatch: no event at all says so on stderr, prints nothing, and exits 0" {
	mkdir d
	iwatch_spawn -t 0.3 d
	wait_exit
	assert_equal "$status" 0
	assert_out ""
	run tail -1 "$ERR"
	assert_output "No events occurred."
}

@test "inotifywatch: -a and -d sort by one event's count (or total), then by path" {
	mkdir d e
	iwatch_spawn -a create -e create,attrib d e
	wait_counting
	touch d/1 d/2 e/1
	chmod 600 d/1 d/2 e/1
	chmod 644 e/1
	chmod 640 e/1
	iwatch_end
	assert_out \
	    "total  attrib  create  filename" \
	    "5      4       1       e/" \
	    "6      4       2       d/"
	iwatch_spawn -d attrib -e create,attrib d e
	wait_counting
	chmod 600 d/1
	touch e/2
	iwatch_end
	assert_out \
	    "total  attrib  create  filename" \
	    "1      1       0       d/" \
	    "2      1       1       e/"
}

@test "inotifywatch: a bad sort key is an error naming it (exit 1)" {
	mkdir d
	WATCHX=$IWATCH run_wx -d bogus d
	assert_equal "$status" 1
	[[ $stderr == "inotifywatch: -d: 'bogus' is not an event to sort by: "* ]]
	WATCHX=$IWATCH run_wx -a close d
	assert_equal "$status" 1
	[[ $stderr == "inotifywatch: -a: 'close' is not an event to sort by: "* ]]
}

@test "inotifywatch: -z prints every event asked for as a column and every watch as a row, zeros too" {
	mkdir -p d/s/t
	iwatch_spawn -z -r -e create,delete d
	wait_counting
	touch d/f
	iwatch_end
	assert_equal "$status" 0
	assert_out \
	    "total  create  delete  filename" \
	    "1      1       0       d/" \
	    "0      0       0       d/s/" \
	    "0      0       0       d/s/t/"
}

@test "inotifywatch: --exclude is a regular expression on the path; what it matches is not counted" {
	mkdir d
	iwatch_spawn -e create --exclude '\.o$' d
	wait_counting
	touch d/x.o d/x.c d/y.c
	iwatch_end
	assert_out "total  create  filename" "2      2       d/"
}
