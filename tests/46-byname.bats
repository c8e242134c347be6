#!/usr/bin/env bats
# --by-name: paths followed by their names (replaced by a save, deleted and
# created again, not there yet); --wait-exists and --wait-gone.

load helper

# The recipe of the man page and README: wait until f is saved.
RECIPE=(--by-name -q -x close_write,moved_to --deadline 5)

@test "--by-name: the wait recipe ends with 0 for every save style, the event under the path given" {
	local style
	for style in write sed rename backup recreate; do
		rm -rf d
		mkdir d
		echo old >d/f
		wx_spawn "${RECIPE[@]}" d/f
		wait_watches 2
		save_style "$style" d/f
		wait_exit
		assert_equal "$style: $status" "$style: 0"
		run tail -n 1 "$OUT"
		[[ $output =~ ^[0-9]+$'\t'[0-9]+$'\t'[0-9]+$'\t'(IN_CLOSE_WRITE|IN_MOVED_TO)$'\t'd/f$'\t'$ ]] ||
			fail "$style: last line '$output'"
	done
}

@test "--by-name: a git checkout of another branch ends the wait with 0" {
	command -v git >/dev/null || skip "no git"
	mkdir r
	cd r
	git init -q -b main . && git config user.email t@t && git config user.name t
	echo one >config.h && git add config.h && git commit -qm one
	git checkout -q -b other && echo two >config.h && git commit -qam two
	git checkout -q main
	wx_spawn "${RECIPE[@]}" config.h
	wait_watches 1
	git checkout -q other
	wait_exit
	assert_equal "$status" 0
	assert_equal "$(cat config.h)" two
}

@test "without --by-name the watch follows the file: sed -i ends the wait with 3, which the man page explains" {
	echo old >f
	wx_spawn -q -x close_write --deadline 5 f
	wait_watches 1
	sed -i 's/old/new/' f
	wait_exit
	assert_equal "$status" 3
}

@test "--by-name: the watch carries on after each replacement, and other entries of the parent are never printed" {
	mkdir d
	echo old >d/f
	wx_start --no-tick --by-name -e modify,create,delete,moved_to d/f
	sed -i 's/old/new/' d/f
	wait_for_line "$OUT" $'\tIN_MOVED_TO\td/f\t$'
	echo more >>d/f
	wait_for_line "$OUT" $'\tIN_MODIFY\td/f\t$'
	touch d/other
	echo x >d/other
	rm d/f
	wait_for_line "$OUT" $'\tIN_DELETE\td/f\t$'
	echo back >d/f
	wait_for_line "$OUT" $'\tIN_CREATE\td/f\t$'
	echo again >>d/f
	wx_stop
	run cut -f4,5,6 "$OUT"
	assert_output "IN_MOVED_TO	d/f	
IN_MODIFY	d/f	
IN_DELETE	d/f	
IN_CREATE	d/f	
IN_MODIFY	d/f	
IN_MODIFY	d/f	"
}

@test "--by-name: a path three missing levels deep is followed down as it is made" {
	wx_start --no-tick --by-name -x create,moved_to --deadline 5 a/b/c/report.xml
	mkdir a
	mkdir a/b
	mkdir a/b/c
	touch a/b/c/report.xml
	wait_exit
	assert_equal "$status" 0
	run cut -f2- "$OUT"
	assert_output "256	0	IN_CREATE	a/b/c/report.xml	"
}

@test "--by-name: a tree moved in whole makes the path: printed as moved in" {
	mkdir -p t/b/c
	touch t/b/c/f
	wx_start --no-tick --by-name -x create,moved_to --deadline 5 a/b/c/f
	mv t a
	wait_exit
	assert_equal "$status" 0
	run cut -f2- "$OUT"
	assert_output "128	0	IN_MOVED_TO	a/b/c/f	"
}

@test "--by-name: created, removed and created again, a level up and down each time" {
	wx_start --no-tick --by-name -e create,delete,moved_from a/f
	mkdir a
	touch a/f
	wait_for_line "$OUT" $'\tIN_CREATE\ta/f\t$'
	rm -r a
	wait_for_line "$OUT" $'\tIN_DELETE\ta/f\t$'
	mkdir a
	touch a/f
	wait_for_lines "$OUT" 3
	mv a b
	wait_for_lines "$OUT" 4
	wx_stop
	run cut -f4,5,6 "$OUT"
	assert_output "IN_CREATE	a/f	
IN_DELETE	a/f	
IN_CREATE	a/f	
IN_MOVED_FROM	a/f	"
}

@test "--by-name: a directory's own events are printed with the names inside it" {
	wx_start --no-tick --by-name -e create d
	mkdir d
	wait_for_line "$OUT" $'\tIN_CREATE,IN_ISDIR\td\t$'
	touch d/x
	wait_for_line "$OUT" $'\tIN_CREATE\td\tx$'
	wx_stop
	run cut -f4- "$OUT"
	assert_output "IN_CREATE,IN_ISDIR	d	
IN_CREATE	d	x"
}

@test "--by-name, race: 50 rounds of mkdir -p a/b/c/d/e and a file at once, each seen" {
	local i
	for i in {1..50}; do
		rm -rf a
		wx_spawn -q --by-name -x create,moved_to --deadline 5 a/b/c/d/e/f
		wait_watches 1
		mkdir -p a/b/c/d/e && touch a/b/c/d/e/f
		wait_exit
		assert_equal "round $i: $status" "round $i: 0"
	done
}

# --- the waits ------------------------------------------------------------------

@test "--wait-exists: a path that exists: exit 0 at once, nothing printed" {
	touch f
	run_wx --wait-exists f
	assert_success
	assert_output ""
}

@test "--wait-exists: a missing path: waits, prints the event that made it, exit 0" {
	wx_start --wait-exists a/b/f
	mkdir -p a/b
	_alive "$WX_PID" || fail "watchx ended before the path existed"
	echo x >a/b/f
	wait_exit
	assert_equal "$status" 0
	run cut -f2- "$OUT"
	assert_output "256	0	IN_CREATE	a/b/f	"
}

@test "--wait-exists with two paths: ends when the last exists, printing that event only" {
	wx_start --wait-exists one two
	touch one
	wait_watches 1
	_alive "$WX_PID" || fail "watchx ended with one path of two"
	mkdir two
	wait_exit
	assert_equal "$status" 0
	run cut -f2- "$OUT"
	assert_output "1073742080	0	IN_CREATE,IN_ISDIR	two	"
}

@test "--wait-exists --deadline: never made: exit 2; -t too" {
	run_wx --wait-exists --deadline 0.3 nothere
	assert_equal "$status" 2
	assert_output ""
	run_wx --wait-exists -t 0.3 nothere
	assert_equal "$status" 2
}

@test "--wait-gone: a missing path: exit 0 at once; an existing one: the deletion ends it" {
	run_wx --wait-gone nothere
	assert_success
	assert_output ""
	mkdir -p a/b
	touch a/b/f
	wx_start --wait-gone a/b/f
	rm -r a
	wait_exit
	assert_equal "$status" 0
	run cut -f2- "$OUT"
	assert_output "512	0	IN_DELETE	a/b/f	"
}

@test "--wait-gone: a directory above it renamed: gone, printed as moved away" {
	mkdir -p a/b
	touch a/b/f
	wx_start --wait-gone a/b/f
	mv a c
	wait_exit
	assert_equal "$status" 0
	run cut -f2- "$OUT"
	assert_output "64	0	IN_MOVED_FROM	a/b/f	"
}

@test "--wait-gone --deadline: still there: exit 2" {
	touch f
	run_wx --wait-gone --deadline 0.3 f
	assert_equal "$status" 2
}

@test "the waits: what does not go with them is an error naming it, exit 1" {
	run_wx --wait-exists -x create f
	assert_equal "$status" 1
	assert_equal "$stderr" "watchx: --wait-exists prints only the event that ends it: -e, -x, -n, --include, --exclude and --pair-moves do not apply"
	local opt
	for opt in --pair-moves --include=f --exclude=f; do
		run_wx --wait-gone "$opt" f
		assert_equal "$opt: $status" "$opt: 1"
	done
	run_wx --wait-gone -r d
	assert_equal "$status" 1
	assert_equal "$stderr" "watchx: --wait-gone cannot be used with -r"
	run_wx --wait-exists --wait-gone f
	assert_equal "$status" 1
	assert_equal "$stderr" "watchx: --wait-exists, --wait-gone and --wait-written cannot be used together"
	run_wx -P --by-name f
	assert_equal "$status" 1
	assert_equal "$stderr" "watchx: -P cannot be used with --by-name"
}

@test "-r --by-name: a root that does not exist yet is watched, with all below it, once it appears" {
	wx_start --no-tick -r --by-name -e create proj
	mkdir proj
	wait_for_line "$OUT" $'\tIN_CREATE,IN_ISDIR\tproj\t$'
	mkdir proj/sub
	wait_for_line "$OUT" $'\tIN_CREATE,IN_ISDIR\tproj\tsub$'
	touch proj/sub/x
	wait_for_line "$OUT" $'\tIN_CREATE\tproj/sub\tx$'
	rm -r proj
	mkdir proj
	wait_for_lines "$OUT" 4
	touch proj/again
	wait_for_line "$OUT" $'\tIN_CREATE\tproj\tagain$'
	_alive "$WX_PID" || fail "watchx ended when its root went"
	wx_stop
}

# --- a Makefile that waits ------------------------------------------------------

# wx_make ARGS...: make -f tests/wait.mk ARGS in the current directory, with
# watchx first on PATH; status in $status, output in $output.
wx_make() {
	mkdir -p bin
	ln -sf "$WATCHX" bin/watchx
	run env PATH="$PWD/bin:$PATH" timeout -k 1 20 make --no-print-directory \
		-f "$BATS_TEST_DIRNAME/wait.mk" "$@"
}

@test "Makefile: a recipe waits for the file another makes (-j2, either order): make succeeds" {
	local i
	for i in 1 2 3; do
		rm -rf out
		wx_make -j2 all
		assert_equal "round $i: $status" "round $i: 0"
		assert_file_exists out/report.txt
	done
	# Made before the wait starts: still 0, at once.
	wx_make produce
	wx_make wait
	assert_success
}

@test "Makefile: the deadline passes: the recipe fails with 2 and make says so" {
	wx_make wait DEADLINE=0.5
	assert_equal "$status" 2
	[[ $output == *"wait] Error 2"* ]] || fail "make's message: $output"
}

@test "Makefile: make interrupted while it waits: make and watchx end by SIGINT" {
	mkdir -p bin
	ln -sf "$WATCHX" bin/watchx
	env --default-signal=INT PATH="$PWD/bin:$PATH" setsid make \
		--no-print-directory -f "$BATS_TEST_DIRNAME/wait.mk" wait \
		>"$OUT" 2>"$ERR" 3>&- &
	local make=$!
	WX_PIDS+=("$make")
	# watchx is the process of make's session that has an inotify
	# instance (under valgrind its name is not watchx).
	poll 10 "watchx did not start under make" watching_in "$make"
	# A terminal's Ctrl-C: SIGINT to the whole process group.
	kill -INT -- "-$make"
	wait_exit "$make"
	assert_equal "$status" 130
	poll 5 "a process of make's session is still running" \
		bash -c "! pgrep -s $make >/dev/null"
}

# watching_in SID: true once a process of session SID has an inotify
# instance (it runs with -q: there is no "Watches established." to wait for).
watching_in() {
	local p
	for p in $(pgrep -s "$1"); do
		inotify_fdinfo "$p" && return 0
	done
	return 1
}

# --- -r with --by-name: the tree under the name, whatever it is -----------------

@test "-r --by-name: a directory removed and made again before watchx reads is walked anew" {
	mkdir d
	wx_start --no-tick -r --by-name -e create d
	kill -STOP "$WX_PID"
	rmdir d
	mkdir d
	kill -CONT "$WX_PID"
	wait_for_line "$OUT" $'\tIN_CREATE,IN_ISDIR\td\t$'
	touch d/f1
	wait_for_line "$OUT" $'\tIN_CREATE\td\tf1$'
	mkdir d/sub
	touch d/sub/f2
	wait_for_line "$OUT" $'\tIN_CREATE\td/sub\tf2$'
	wx_stop
}

@test "-r --by-name: a directory renamed over the name (mv -T) is the one watched, the old one is not" {
	mkdir d d.new
	wx_start --no-tick -r --by-name -e create,moved_to d
	mv -T d.new d
	wait_for_line "$OUT" $'\tIN_MOVED_TO,IN_ISDIR\td\t$'
	touch d/f2
	wait_for_line "$OUT" $'\tIN_CREATE\td\tf2$'
	wx_stop
}

@test "-r --by-name: a root renamed away is no longer followed; what takes its name is" {
	mkdir d
	wx_start --no-tick -r --by-name -e create,delete,move d
	mv d d.old
	wait_for_line "$OUT" $'\tIN_MOVED_FROM,IN_ISDIR\td\t$'
	touch d.old/stale1
	mkdir d
	wait_for_line "$OUT" $'\tIN_CREATE,IN_ISDIR\td\t$'
	touch d/new1 d.old/stale2
	wait_for_line "$OUT" $'\tIN_CREATE\td\tnew1$'
	touch d/new2
	wait_for_line "$OUT" $'\tIN_CREATE\td\tnew2$'
	wx_stop
	run grep -c stale "$OUT"
	assert_output 0
	# Nothing of the root's own watch: no IN_MOVE_SELF, no IN_IGNORED.
	run grep -cE 'IN_MOVE_SELF|IN_IGNORED' "$OUT"
	assert_output 0
	run grep -c "has left its path" "$ERR"
	assert_output 0
}

@test "-r --by-name: a directory of the tree on the way to a path given, moved out and back, is still watched by the tree" {
	mkdir -p d/s
	: >d/s/f
	# d/s holds one kernel watch for both: the tree's and the name d/s/f's.
	wx_start --no-tick -r --by-name -e create,move d d/s/f
	mv d/s x
	mv x d/s
	wait_for_line "$OUT" $'\tIN_MOVED_TO,IN_ISDIR\td\ts$'
	touch d/s/other
	mkdir d/s/sub
	wait_for_line "$OUT" $'\tIN_CREATE,IN_ISDIR\td/s\tsub$'
	touch d/s/sub/deep
	wait_for_line "$OUT" $'\tIN_CREATE\td/s/sub\tdeep$'
	wx_stop
	grep -q $'\tIN_CREATE\td/s\tother$' "$OUT" ||
		{ _dump; fail "d/s/other not printed"; }
}

@test "-r --by-name: a root given after a path below it is watched, with all below it" {
	mkdir -p d/s
	: >d/s/f
	# d and d/s are on the way to d/s/f: watched for it before d's walk.
	wx_start --no-tick -r --by-name -e create d/s/f d
	touch d/top d/s/other
	wait_for_line "$OUT" $'\tIN_CREATE\td\ttop$'
	wait_for_line "$OUT" $'\tIN_CREATE\td/s\tother$'
	wx_stop
}

@test "-r --by-name: a root that appears after a path below it is watched, with all below it" {
	wx_start --no-tick -r --by-name -e create d/s/f d
	mkdir -p d/s
	wait_for_line "$OUT" $'\tIN_CREATE,IN_ISDIR\td\t$'
	touch d/top d/s/other
	wait_for_line "$OUT" $'\tIN_CREATE\td\ttop$'
	wait_for_line "$OUT" $'\tIN_CREATE\td/s\tother$'
	wx_stop
}

@test "-r --by-name: a directory given below another one given, moved in, is reported with what it holds" {
	mkdir w away
	mkdir -p away/d/sub
	: >away/d/sub/f
	wx_start --no-tick -r --by-name -e create,moved_to w w/d
	mv away/d w/d
	wait_for_line "$OUT" $'\tIN_MOVED_TO,IN_ISDIR\tw\td$'
	wait_for_line "$OUT" $'\tIN_CREATE,IN_ISDIR\tw/d\tsub$'
	wait_for_line "$OUT" $'\tIN_CREATE\tw/d/sub\tf$'
	# Followed as part of w's tree: renamed, it is still watched.
	mv w/d w/e
	touch w/e/sub/g
	wait_for_line "$OUT" $'\tIN_CREATE\tw/e/sub\tg$'
	wx_stop
}

@test "-r --by-name --on-overflow rescan: a root made while events were lost is found and walked" {
	need_root
	wx_start_small_queue --no-tick -r --by-name --on-overflow rescan -e create d
	kill -STOP "$WX_PID"
	touch f{1..40}
	mkdir d
	kill -CONT "$WX_PID"
	wait_for_line "$OUT" $'\tIN_Q_OVERFLOW\t'
	wait_for_line "$OUT" $'\tIN_CREATE,IN_ISDIR\td\t$'
	touch d/after
	wait_for_line "$OUT" $'\tIN_CREATE\td\tafter$'
	wx_stop
}

@test "-r --by-name: running out of descriptors walking a root that appears later is a warning, not the end" {
	mkdir -p t
	local p=t i
	for i in {1..30}; do
		p=$p/d$i
	done
	mkdir -p "$p"
	wx_spawn --no-tick -r --by-name -e create,moved_to d
	wait_watches 1
	# Fewer descriptors than two per level of the tree: prlimit on the
	# running watchx.
	prlimit --pid "$WX_PID" --nofile=24:24
	mv t d
	wait_for_line "$OUT" $'\tIN_MOVED_TO,IN_ISDIR\td\t$'
	wait_for_line "$ERR" "Too many open files"
	_alive "$WX_PID" || fail "watchx ended when the late walk ran out of descriptors"
	wx_stop
}

@test "--by-name: a file written in a directory made with it is reported written, so the wait recipe ends" {
	wx_spawn --by-name -q -x close_write,moved_to --deadline 5 src/config.h
	wait_watches 1
	# Made and written while watchx is not looking: it finds them at once.
	kill -STOP "$WX_PID"
	mkdir src && echo '#define X 1' >src/config.h
	kill -CONT "$WX_PID"
	wait_exit
	assert_equal "$status" 0
	# -x without -e prints only what it waits for.
	run cut -f4,5,6 "$OUT"
	assert_output "IN_CLOSE_WRITE	src/config.h	"
}

@test "--by-name: a path ending in / names a directory only; an empty path is an error" {
	touch d
	run_wx --wait-exists --deadline 0.3 d/
	assert_equal "file d: $status" "file d: 2"
	rm d
	wx_start --wait-exists --deadline 5 d/
	touch d
	rm d
	mkdir d
	wait_exit
	assert_equal "$status" 0
	run cut -f4,5 "$OUT"
	assert_output "IN_CREATE,IN_ISDIR	d/"
	run_wx --by-name ""
	assert_equal "$status" 1
	assert_equal "${stderr##*$'\n'}" "watchx: cannot watch '': No such file or directory"
}
