#!/usr/bin/env bats
# Every error: its message (naming the path or value at fault and the
# reason) on stderr, nothing on stdout, exit 1.

load helper

# A usage error is found before watchx waits for anything: a watchx still
# running after 2 s accepted what it should have refused.
WX_RUN_TIMEOUT=2

# fails_with MESSAGE ARGS...: watchx -q ARGS exits 1, prints nothing on
# stdout and exactly MESSAGE on stderr.
fails_with() {
	local message=$1
	shift
	run_wx -q "$@"
	assert_equal "watchx $*: status $status" "watchx $*: status 1"
	assert_equal "watchx $*: stdout '$output'" "watchx $*: stdout ''"
	assert_equal "$stderr" "$message"
}

# all_fail_with OPTION TEMPLATE VALUE...: for each VALUE, watchx -q OPTION
# VALUE d exits 1 with TEMPLATE's message, where %s stands for VALUE.  Every
# value is tried; the test fails listing each one that went wrong.
all_fail_with() {
	local opt=$1 template=$2 v message bad=()
	shift 2
	mkdir -p d
	for v in "$@"; do
		# shellcheck disable=SC2059
		printf -v message "$template" "$v"
		run_wx -q "$opt" "$v" d
		if [[ $status != 1 || -n $output || $stderr != "$message" ]]; then
			bad+=("$opt '$v': status $status, stderr '$stderr'; expected status 1, '$message'")
		fi
	done
	((${#bad[@]} == 0)) || fail "$(printf '%s\n' "${bad[@]}")"
}

# --- paths ----------------------------------------------------------------------

@test "missing path: cannot watch 'nosuch': No such file or directory" {
	fails_with "watchx: cannot watch 'nosuch': No such file or directory" nosuch
}

@test "missing path without -q: the message after 'Setting up watches.', not established" {
	run_wx nosuch
	assert_failure 1
	assert_equal "$output" ""
	assert_equal "$stderr" $'Setting up watches.\nwatchx: cannot watch \'nosuch\': No such file or directory'
}

@test "a missing path after a good one: the bad one is named, nothing is watched" {
	mkdir d
	fails_with "watchx: cannot watch 'gone/x': No such file or directory" d gone/x
}

@test "a path through a file: Not a directory" {
	touch f
	fails_with "watchx: cannot watch 'f/x': Not a directory" f/x
}

@test "a dangling symbolic link: No such file or directory; with -P it is watched" {
	ln -s nowhere l
	fails_with "watchx: cannot watch 'l': No such file or directory" l
	run_wx -q -P --no-tick -t 0.1 l
	assert_equal "$status" 2
	assert_equal "$stderr" ""
}

@test "the path in a message is escaped like in events" {
	fails_with "watchx: cannot watch 'no\\nsuch\\t\\001\\377': No such file or directory" \
		$'no\nsuch\t\001\377'
}

@test "unreadable directory, as user nobody: Permission denied" {
	need_root
	# $BATS_TEST_TMPDIR may sit below a directory only root can enter: work
	# in a scratch directory everyone can reach, with a copy of the binary.
	WX_SCRATCH=$(mktemp -d /tmp/watchx-test.XXXXXX)
	chmod 755 "$WX_SCRATCH"
	cp "$WATCHX" "$WX_SCRATCH/watchx"
	chmod 755 "$WX_SCRATCH/watchx"
	mkdir -m 755 "$WX_SCRATCH/ok"
	mkdir -m 000 "$WX_SCRATCH/d"
	mkdir -m 700 "$WX_SCRATCH/priv"
	mkdir -m 755 "$WX_SCRATCH/priv/in"
	cd "$WX_SCRATCH"
	local as_nobody=(timeout -k 1 10 setpriv --reuid=65534 --regid=65534 --clear-groups)

	# First show that nobody can run watchx here at all.
	run --separate-stderr "${as_nobody[@]}" ./watchx -q --no-tick -t 0.1 ok
	assert_equal "nobody watching ok: $status $stderr" "nobody watching ok: 2 "

	run --separate-stderr "${as_nobody[@]}" ./watchx -q d
	assert_equal "$status" 1
	assert_equal "$output" ""
	assert_equal "$stderr" "watchx: cannot watch 'd': Permission denied"

	run --separate-stderr "${as_nobody[@]}" ./watchx -q priv/in
	assert_equal "$status" 1
	assert_equal "$stderr" "watchx: cannot watch 'priv/in': Permission denied"
}

# --- event names ----------------------------------------------------------------

# unknown_event OPTION ITEM ARG [NEAR]: the message names the option, the
# item, the nearest name (NEAR, if given: "did you mean"), and lists every
# valid event name.
unknown_event() {
	local opt=$1 item=$2 arg=$3 near= name
	if [[ -n ${4-} ]]; then
		near=" (did you mean '$4'?)"
	fi
	mkdir -p d
	run_wx -q "$opt" "$arg" d
	assert_equal "$status" 1
	assert_equal "$output" ""
	[[ $stderr == "watchx: $opt: unknown event '$item'$near; valid events: "* ]] ||
		fail "unexpected message: $stderr"
	for name in access modify attrib close_write close_nowrite open moved_from \
		moved_to create delete delete_self move_self unmount ignored close \
		move change all; do
		[[ $stderr =~ [:,]\ $name(,|$) ]] || fail "'$name' not listed in: $stderr"
	done
}

@test "-e foo: unknown event 'foo', with the valid names" {
	unknown_event -e foo foo
}

@test "-x foo: unknown event 'foo', with the valid names" {
	unknown_event -x foo foo
}

@test "-e create,bogus: the bad item of a list is named" {
	unknown_event -e bogus create,bogus
}

@test "-e IN_ alone, IN_CLOSE_WRITEX, isdir are unknown" {
	unknown_event -e IN_ IN_
	unknown_event -e IN_CLOSE_WRITEX IN_CLOSE_WRITEX close_write
	unknown_event -e isdir isdir
}

@test "-e and -x: a misspelt event name: did you mean the nearest" {
	unknown_event -e craete craete create
	unknown_event -x closewrite create,closewrite close_write
	unknown_event -e IN_MOVEDTO IN_MOVEDTO moved_to
	unknown_event -e Modfy Modfy modify
}

@test "-e numbers are decimal or 0x hexadecimal; a leading zero is not octal" {
	mkdir d
	local spec i=0
	# 0100 is one hundred: IN_ATTRIB|IN_OPEN|IN_MOVED_FROM, so a touch
	# (open, attrib) is seen; as octal (64, IN_MOVED_FROM) it would not be.
	for spec in 0100 0x64 100 09; do
		i=$((i + 1))
		wx_start --no-tick -n 1 -e "$spec" d
		if [[ $spec == 09 ]]; then
			: >"d/a$i"
			wait_exit
			assert_equal "09: $status" "09: 0"
			run cat "$OUT"
			assert_output "$(ev 1 8 0 IN_CLOSE_WRITE d "a$i")"
			continue
		fi
		: >"d/a$i"
		wait_exit
		assert_equal "$spec: $status" "$spec: 0"
		run cat "$OUT"
		assert_output "$(ev 1 32 0 IN_OPEN d "a$i")"
	done
}

@test "-e and -x: numbers with bits that are not events, or none, are errors naming them" {
	mkdir d
	local opt v bits
	for opt in -e -x; do
		for v in 0x40000000:0x40000000 0x20000000:0x20000000 0x1000000:0x1000000 \
			0x40000100:0x40000000 16384:0x4000 0x80000000:0x80000000; do
			bits=${v#*:}
			v=${v%%:*}
			run_wx -q "$opt" "$v" d
			assert_equal "$opt $v: $status" "$opt $v: 1"
			[[ $stderr == "watchx: $opt: '$v' has bits that are not events: $bits (events are 0xafff); valid events: "* ]] ||
				fail "$opt $v: unexpected message: $stderr"
		done
		run_wx -q "$opt" 0 d
		assert_equal "$status" 1
		[[ $stderr == "watchx: $opt: '0' is no event: a number must have at least one event bit; valid events: "* ]] ||
			fail "$opt 0: unexpected message: $stderr"
	done
	# Too large for 32 bits, and octal or hexadecimal digits that do not
	# belong: unknown.
	for v in 0x100000000 4294967296 0x 0xg 1a; do
		run_wx -q -e "$v" d
		assert_equal "$v: $status" "$v: 1"
		[[ $stderr == "watchx: -e: unknown event '$v'; valid events: "* ]] ||
			fail "$v: unexpected message: $stderr"
	done
}

@test "-e with an empty item is an error" {
	mkdir d
	local arg
	for arg in "" "create,," "create," ",create"; do
		run_wx -q -e "$arg" d
		assert_equal "-e '$arg': $status" "-e '$arg': 1"
		[[ $stderr == "watchx: -e: an empty event name in '$arg'; "* ]] ||
			fail "-e '$arg': unexpected message: $stderr"
	done
}

# --- numbers --------------------------------------------------------------------

@test "-t: malformed and negative seconds are invalid" {
	all_fail_with -t "watchx: -t: invalid number of seconds '%s'" \
		abc -1 -0.5 1e3 0x10 +1 " 1" "1 " "" . 1.2.3 inf nan 1,5
}

@test "--timeout=abc: the same message" {
	mkdir d
	fails_with "watchx: -t: invalid number of seconds 'abc'" --timeout=abc d
}

@test "-b: malformed and negative seconds are invalid" {
	all_fail_with -b "watchx: -b: invalid number of seconds '%s'" \
		abc -1 -0.1 1e3 0x10 +1 "" .
}

@test "-b 0: seconds must be greater than 0" {
	all_fail_with -b "watchx: -b: seconds must be greater than 0: '%s'" \
		0 0.0 .000 00
}

@test "-t, -b: a positive value that would round to 0 ns is too small, never 'no timeout'" {
	all_fail_with -t "watchx: -t: '%s' seconds is too small (the smallest is 0.000000001)" \
		0.0000000001 .00000000009 0.0000000000000001
	all_fail_with -b "watchx: -b: '%s' seconds is too small (the smallest is 0.000000001)" \
		0.0000000001
	# The smallest that is kept is a real, tiny timeout: exit 2 at once.
	mkdir -p d
	run_wx -q --no-tick -t 0.000000001 d
	assert_equal "$status" 2
	# All zeros is 0: no timeout for -t (it must not exit on its own).
	wx_start --no-tick -t 0.0000000000 -b 0.05 d
	: >d/x
	wait_for_line "$OUT" $'\tIN_CREATE\td\tx$'
	_alive "$WX_PID" || fail "-t 0.0000000000 ended the run"
	wx_stop
}

@test "-t: seconds above 1000000000 are too large" {
	all_fail_with -t "watchx: -t: '%s' seconds is too large (at most 1000000000)" \
		1000000001 1000000000.5 99999999999999999999
}

@test "-b: seconds above 1000000000 are too large" {
	all_fail_with -b "watchx: -b: '%s' seconds is too large (at most 1000000000)" \
		1000000001 1000000000.5 99999999999999999999
}

@test "-t 1000000000, the largest timeout, does not fire at once" {
	mkdir d
	wx_start --tick -t 1000000000 -b 0.05 d
	wait_for_lines "$OUT" 3
	_alive "$WX_PID" || fail "watchx ended"
	wx_stop
}

@test "-n 0: count '0' is too small; negative too" {
	mkdir d
	fails_with "watchx: -n: count '0' is too small" -n 0 d
	fails_with "watchx: -n: count '-1' is too small" -n -1 d
}

@test "-n: malformed counts are invalid (plain decimal digits only)" {
	all_fail_with -n "watchx: -n: count '%s' is invalid" \
		x "" 1.5 0x10 1e3 12abc +1 " 1" "1 "
}

@test "-n 9223372036854775808: too large" {
	mkdir d
	fails_with "watchx: -n: count '9223372036854775808' is too large" \
		-n 9223372036854775808 d
}

# --- kernel limits --------------------------------------------------------------

@test "ENOSPC in a user namespace: names the namespace's limit, its value and the watches held" {
	need_userns
	mkdir d1 d2 d3
	# In a user namespace of its own, watchx may hold only 2 watches: that
	# limit, not the system's, is the one hit.
	run --separate-stderr timeout -k 1 10 unshare -U -r sh -c \
		'echo 2 >/proc/sys/user/max_inotify_watches && exec "$0" -q d1 d2 d3' \
		"$WATCHX"
	assert_equal "$status" 1
	assert_equal "$output" ""
	assert_equal "$stderr" "watchx: cannot watch 'd3': inotify watch limit reached (/proc/sys/user/max_inotify_watches is 2; watchx holds 2 watches)"
}

@test "EMFILE: no inotify instance left names the namespace's max_inotify_instances" {
	need_userns
	mkdir d
	run --separate-stderr timeout -k 1 10 unshare -U -r sh -c \
		'echo 0 >/proc/sys/user/max_inotify_instances && exec "$0" -q d' \
		"$WATCHX"
	assert_equal "$status" 1
	assert_equal "$output" ""
	assert_equal "$stderr" "watchx: inotify_init1: Too many open files (limit of inotify instances: /proc/sys/user/max_inotify_instances is 0; or the open file limit)"
}

# --- --on-overflow --------------------------------------------------------------

@test "--on-overflow: a word other than exit or rescan is named" {
	all_fail_with --on-overflow "watchx: --on-overflow: '%s' is not exit or rescan" restart "" RESCAN exit,rescan
}

@test "--on-overflow rescan without -r is an error; with -r, or exit without it, it runs" {
	mkdir d
	fails_with "watchx: --on-overflow rescan needs -r" --on-overflow rescan d
	run_wx -q -t 0.2 --on-overflow exit d
	assert_equal "$status" 2
	run_wx -q -t 0.2 -r --on-overflow rescan d
	assert_equal "$status" 2
}
