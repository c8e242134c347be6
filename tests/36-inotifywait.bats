#!/usr/bin/env bats
# watchx under the name inotifywait: its command line, output and exit
# statuses (inotify-tools 4.x), with watchx's engine behind them.  Each test
# states what an inotifywait user relies on.

load helper

@test "inotifywait: without -m the first event ends it, exit 0; its line is '%w %e %f', a directory's %w ending in '/'" {
	mkdir d
	touch d/f
	iw_spawn -e attrib d
	wait_established
	chmod 600 d/f
	wait_exit
	assert_equal "$status" 0
	assert_out "d/ ATTRIB f"
}

@test "inotifywait: a watched file's line has its path and an empty filename (a trailing space)" {
	touch f
	iw_spawn -e attrib f
	wait_established
	chmod 600 f
	wait_exit
	assert_equal "$status" 0
	assert_out "f ATTRIB "
}

@test "inotifywait: names are without IN_, joined by ',', and a close says CLOSE too (CLOSE_WRITE,CLOSE; CREATE,ISDIR)" {
	mkdir d
	iw_spawn -m -e create,close_write d
	wait_established
	mkdir d/sub
	echo x >d/f
	wait_for_lines "$OUT" 3
	kill "$WX_PID"
	wait_exit
	assert_out "d/ CREATE,ISDIR sub" "d/ CREATE f" "d/ CLOSE_WRITE,CLOSE f"
}

@test "inotifywait: -c prints CSV, quoting a field with a comma, a quote or an edge space" {
	mkdir d
	touch f
	iw_spawn -m -c -e create,attrib d f
	wait_established
	: >'d/a,b'
	: >'d/say "hi"'
	: >'d/ x'
	chmod 600 f
	wait_for_lines "$OUT" 4
	kill "$WX_PID"
	wait_exit
	assert_out 'd/,CREATE,"a,b"' 'd/,CREATE,"say ""hi"""' 'd/,CREATE," x"' \
	    'f,ATTRIB,'
}

@test "inotifywait: -c quotes the names when there are two (\"CLOSE_WRITE,CLOSE\")" {
	mkdir d
	iw_spawn -c -e close_write d
	wait_established
	echo x >d/f
	wait_exit
	assert_equal "$status" 0
	assert_out 'd/,"CLOSE_WRITE,CLOSE",f'
}

@test "inotifywait: --format's directives: %w%f, %e, %:e, %c in hexadecimal, %n, %%, and anything else as it is" {
	mkdir d
	iw_spawn -m -e create,moved_from,moved_to --format '%w%f|%e|%:e|%c|%%|%x|\t' d
	wait_established
	touch d/a
	mkdir d/s
	mv d/a d/b
	wait_for_lines "$OUT" 4
	kill "$WX_PID"
	wait_exit
	run sed -n 1,2p "$OUT"
	assert_output 'd/a|CREATE|CREATE|0|%|%x|\t
d/s|CREATE,ISDIR|CREATE:ISDIR|0|%|%x|\t'
	# A move's two halves carry the same cookie, printed in hexadecimal.
	run sed -n '3s/|.*|\([0-9a-f]*\)|%.*/ \1/p' "$OUT"
	assert_output --regexp '^d/a [0-9a-f]+$'
	local cookie=${output#* }
	assert_equal "$(sed -n 4p "$OUT")" "d/b|MOVED_TO|MOVED_TO|$cookie|%|%x|\\t"
	[[ $cookie != 0 ]]
}

@test "inotifywait: --format '%w%f%0' --no-newline ends each record with NUL only" {
	mkdir d
	iw_spawn -m -e create,moved_from,moved_to --format '%w%f%0' --no-newline d
	wait_established
	touch d/src
	mv d/src d/dst
	poll "$WX_DEADLINE" "three records" \
	    test "$(tr -cd '\0' <"$OUT" | wc -c)" -eq 3
	kill "$WX_PID"
	wait_exit
	printf 'd/src\0d/src\0d/dst\0' | cmp - "$OUT"
}

@test "inotifywait: --format with %n and %T (by --timefmt) and no other newline under --no-newline" {
	touch f
	iw_spawn -e attrib --format '%T %e%n' --timefmt 'at %Y' --no-newline f
	wait_established
	chmod 600 f
	wait_exit
	assert_equal "$status" 0
	assert_out "at $(date +%Y) ATTRIB"
}

@test "inotifywait: -t with no event exits 2; -t 0 never times out" {
	touch f
	run_iw -q -t 1 f
	assert_equal "$status" 2
	assert_output ""
	iw_spawn -q -t 0 f
	wait_watches 1
	sleep 1.2 # a -t 1 would be over: -t 0 must not be
	_alive "$WX_PID" || fail "-t 0 timed out"
	chmod 600 f
	wait_exit
	assert_equal "$status" 0
}

@test "inotifywait: -m -t is the time allowed without an event, then exit 2" {
	touch f
	iw_spawn -q -m -t 1 -e attrib f
	wait_watches 1
	chmod 600 f
	wait_for_lines "$OUT" 1
	wait_exit
	assert_equal "$status" 2
	assert_out "f ATTRIB "
}

@test "inotifywait: the watched file deleted ends a wait for another event with exit 1, printing nothing" {
	touch f g
	iw_spawn -q -e modify f g
	wait_watches 2
	rm f
	wait_exit
	assert_equal "$status" 1
	assert_out ""
}

@test "inotifywait: a wait for delete_self ends with it, exit 0" {
	touch f
	iw_spawn -q -e delete_self f
	wait_watches 1
	rm f
	wait_exit
	assert_equal "$status" 0
	assert_out "f DELETE_SELF "
}

@test "inotifywait: -P watches the link: a change to its target times out (2), one to the link ends it (0)" {
	touch target
	ln -s target link
	iw_spawn -q -P -t 2 link
	wait_watches 1
	touch target
	wait_exit
	assert_equal "$status" 2
	assert_out ""
	iw_spawn -q -P -t 3 -e attrib link
	wait_watches 1
	touch -h link
	wait_exit
	assert_equal "$status" 0
	assert_out "link ATTRIB "
}

@test "inotifywait: -q prints no status messages; without it, 'Setting up watches.' and 'Watches established.'" {
	touch f
	iw_spawn -e attrib f
	wait_established
	chmod 600 f
	wait_exit
	run cat "$ERR"
	assert_output "Setting up watches.
Watches established."
	iw_spawn -q -e attrib f
	wait_watches 1
	chmod 644 f
	wait_exit
	assert_equal "$(cat "$ERR")" ""
}

@test "inotifywait: -qq prints nothing, not even the event, and still ends with it (exit 0)" {
	touch f
	iw_spawn -qq -e modify f
	wait_watches 1
	echo x >>f
	wait_exit
	assert_equal "$status" 0
	assert_out ""
	assert_equal "$(cat "$ERR")" ""
}

@test "inotifywait: -r --include ERE prints only files whose %w%f matches, in new directories too, and no directory's event" {
	mkdir -p root/A/B
	iw_spawn -m -r -e create --include '\.txt$' --format '%w%f' root
	wait_established
	touch root/A/B/test.dat root/A/B/test.txt
	mkdir root/A/B/sub
	wait_watches 4
	touch root/A/B/sub/nested.txt root/A/B/sub/nested.dat
	wait_for_lines "$OUT" 2
	echo x >root/end.txt
	wait_for_line -F "$OUT" root/end.txt
	kill "$WX_PID"
	wait_exit
	assert_out root/A/B/test.txt root/A/B/sub/nested.txt root/end.txt
}

@test "inotifywait: --exclude is an ERE on the whole path ('\\.swp\$'); --excludei ignores case" {
	mkdir d
	iw_spawn -m -e create --exclude '\.swp$' d
	wait_established
	touch d/a.swp d/b.SWP d/c.txt
	wait_for_line -F "$OUT" "d/ CREATE c.txt"
	kill "$WX_PID"
	wait_exit
	assert_out "d/ CREATE b.SWP" "d/ CREATE c.txt"
	iw_spawn -m -e create --excludei '\.swp$' d
	wait_established
	touch d/e.SWP d/f.txt
	wait_for_line -F "$OUT" "d/ CREATE f.txt"
	kill "$WX_PID"
	wait_exit
	assert_out "d/ CREATE f.txt"
}

@test "inotifywait: @path leaves a directory out of -r's walk; --fromfile takes paths and @paths, - for stdin" {
	mkdir -p d/skip d/keep
	iw_spawn -q -m -r -e create d @d/skip/
	wait_watches 2
	touch d/skip/x d/keep/y
	wait_for_line -F "$OUT" "d/keep/ CREATE y"
	kill "$WX_PID"
	wait_exit
	assert_out "d/keep/ CREATE y"
	printf 'd\n@d/keep\n' >list
	iw_spawn -q -m -r -e create --fromfile list
	wait_watches 2
	touch d/keep/z d/skip/w
	wait_for_line -F "$OUT" "d/skip/ CREATE w"
	kill "$WX_PID"
	wait_exit
	assert_out "d/skip/ CREATE w"
	# The path from stdin is watched: -t ends it (2), not a missing path (1).
	run_iw -t 1 --fromfile - <<<d/keep
	assert_equal "$status" 2
	assert_equal "$stderr" "Setting up watches.
Watches established.
inotifywait: no event for 1 s (-t)"
}

@test "inotifywait: -d returns once the watches are in place, and the background process logs to a relative -o file" {
	touch f
	run_iw -q -d -o log -e attrib -t 2 f
	assert_success
	assert_output ""
	# No wait needed before the change: the watch is already there.
	chmod 600 f
	wait_for_line -F log "f ATTRIB "
}

@test "inotifywait: -d lets go of the caller's standard output and error (a command substitution returns)" {
	touch f
	local out
	out=$(timeout 5 "$IWAIT" -d -o log -t 1 f 2>&1)
	assert_equal "$?" 0
	assert_equal "$out" ""
}

@test "inotifywait: -d with a path that cannot be watched exits 1 in the foreground, saying why" {
	run_iw -d -o log missing
	assert_equal "$status" 1
	assert_equal "$stderr" "inotifywait: cannot watch 'missing': No such file or directory"
}

@test "inotifywait: -s sends the messages to syslog, not stderr" {
	touch f
	iw_spawn -s -e attrib f
	wait_watches 1
	chmod 600 f
	wait_exit
	assert_equal "$status" 0
	assert_out "f ATTRIB "
	assert_equal "$(cat "$ERR")" ""
}

@test "inotifywait: no empty tick records, even into a pipe while idle" {
	touch f
	mkfifo p
	: >"$OUT"
	"$IWAIT" -q -m -t 2 -e attrib f >p 2>"$ERR" 3>&- &
	WX_PID=$!
	WX_PIDS+=("$WX_PID")
	cat p >"$OUT" &
	wait_watches 1
	sleep 1.2 # an idle cycle, after which watchx would tick into a pipe
	chmod 600 f
	wait_exit
	wait
	assert_out "f ATTRIB "
}

@test "inotifywait: -e takes names in any case, several times and comma-separated; all_events is all" {
	touch f
	iw_spawn -q -e MODIFY -e attrib,Close_Write f
	wait_watches 1
	chmod 600 f
	wait_exit
	assert_out "f ATTRIB "
	run_iw -q -t 1 -e all_events f
	assert_equal "$status" 2
}

@test "inotifywait: its contradictions and bad values exit 1 with a message naming them" {
	touch f
	run_iw --no-newline f
	assert_equal "$status" 1
	assert_equal "$stderr" "inotifywait: --no-newline needs --format"
	run_iw --timefmt %s f
	assert_equal "$stderr" "inotifywait: --timefmt needs --format"
	run_iw --format '%T' f
	assert_equal "$stderr" "inotifywait: --format '%T' has %T: give --timefmt"
	run_iw -c --format %f f
	assert_equal "$stderr" "inotifywait: -c and --format cannot be used together"
	run_iw -d f
	assert_equal "$stderr" "inotifywait: -d needs -o FILE"
	run_iw --exclude a --include b f
	assert_equal "$stderr" "inotifywait: --include and --exclude cannot be used together"
	run_iw --exclude '(' f
	assert_equal "$status" 1
	[[ $stderr == "inotifywait: --exclude '(': "* ]]
	run_iw -e craete f
	assert_equal "$status" 1
	[[ $stderr == *"unknown event 'craete' (did you mean 'create'?)"* ]]
	run_iw --monitr f
	assert_equal "$stderr" "inotifywait: unknown option '--monitr' (did you mean '--monitor'?)"
	run_iw -f f
	assert_equal "$status" 1
	run_iw -F f
	assert_equal "$status" 1
	assert_equal "$stderr" "inotifywait: fanotify (-F, -S) is not supported yet"
	run_iw --format '' f
	assert_equal "$status" 1
	assert_equal "$stderr" "inotifywait: --format: the format is empty"
	run_iw
	assert_equal "$stderr" "inotifywait: no path to watch"
	assert_equal "$status" 1
}

@test "inotifywait: -h says it is watchx under that name and exits 0" {
	run_iw -h
	assert_success
	assert_output --partial "watchx"
	assert_output --partial "--csv"
}

@test "inotifywait: -I (--inotify) is accepted and changes nothing" {
	touch f
	iw_spawn -q -I -e attrib f
	wait_watches 1
	chmod 600 f
	wait_exit
	assert_equal "$status" 0
	assert_out "f ATTRIB "
}
