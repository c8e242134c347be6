#!/usr/bin/env bats
# -r: every directory below each path is watched.  New directories (created
# or moved in) are watched and what they already hold is reported as
# IN_CREATE, so no file is missed; renames keep reporting under the new
# path; directories moved out or deleted are forgotten; watchx's own
# bookkeeping never shows in the output.  The number of watches is read
# from /proc/PID/fdinfo of the inotify descriptor.

load helper

# --- helpers for this file ------------------------------------------------------

# nobody_scratch: $BATS_TEST_TMPDIR may sit below a directory only root can
# enter: work in a scratch directory everyone can reach ($WX_SCRATCH,
# removed by wx_teardown), with a copy of the binary.
nobody_scratch() {
	WX_SCRATCH=$(mktemp -d /tmp/watchx-test.XXXXXX)
	chmod 755 "$WX_SCRATCH"
	cp "$WATCHX" "$WX_SCRATCH/watchx"
	chmod 755 "$WX_SCRATCH/watchx"
	cd "$WX_SCRATCH"
}

# wx_start_nobody ARGS...: wx_start the scratch copy as nobody.  wx_start
# runs "$WATCHX" ARGS: here setpriv, which execs watchx as nobody in the
# same process.
wx_start_nobody() {
	WATCHX=$(command -v setpriv) wx_start --reuid=65534 --regid=65534 \
		--clear-groups "$WX_SCRATCH/watchx" "$@"
}

# re_ev MASK NAMES PATH NAME: an extended regex for one event line with any
# watch descriptor and cookie 0.
re_ev() {
	local p=$3 n=$4
	p=${p//./\\.}
	n=${n//./\\.}
	printf '^[0-9]+\t%s\t0\t%s\t%s\t%s$' "$1" "$2" "$p" "$n"
}

# mark DIR [NAME]: create DIR/NAME (default 'marker') and wait for its
# IN_CLOSE_WRITE.  Events are queued in order, so once it is printed watchx
# has handled everything that happened before.
mark() {
	local name=${2:-marker}
	: >"$1/$name"
	wait_for_line "$OUT" "$(re_ev 8 IN_CLOSE_WRITE "$1" "$name")"
}

# created: the distinct IN_CREATE events in $OUT, one 'kind TAB watch-path
# TAB name' a line, kind d for a directory (IN_ISDIR) and f otherwise; sorted.
created() {
	awk -F'\t' '$4 ~ /(^|,)IN_CREATE(,|$)/ {
		print ($4 ~ /(^|,)IN_ISDIR(,|$)/ ? "d" : "f") "\t" $5 "\t" $6
	}' "$OUT" | LC_ALL=C sort -u
}

_created_is() {
	[[ $(created) == "$(<"$1")" ]]
}

# wait_created FILE [SECONDS]: poll until the distinct IN_CREATE events are
# exactly those listed in FILE (as created() prints them; sorted here):
# every one reported, none that did not happen.
wait_created() {
	local want=$1 timeout=${2:-$WX_DEADLINE}
	LC_ALL=C sort -u -o "$want" "$want"
	if ! poll "$timeout" "IN_CREATE events differ from $want" _created_is "$want"; then
		echo "--- expected but not reported:"
		created | LC_ALL=C comm -13 - "$want" | head -20
		echo "--- reported but not expected:"
		created | LC_ALL=C comm -23 - "$want" | head -20
		return 1
	fi
}

# expect_tree DIR PREFIX [NAME]: what created() should list once DIR has
# been copied or moved to PREFIX/NAME (default: DIR's own name): NAME itself
# and everything below it.
expect_tree() {
	local dir=$1 prefix=$2 name=${3:-$(basename "$1")}
	printf 'd\t%s\t%s\n' "$prefix" "$name"
	(cd "$dir" && find . -mindepth 1 -printf '%y\t%h\t%f\n') |
		sed "s#\t\.#\t$prefix/$name#"
}

# lines_under PATH: the lines of $OUT whose watch-path is PATH or below it.
lines_under() {
	awk -F'\t' -v p="$1" '$5 == p || index($5, p "/") == 1' "$OUT"
}

# assert_alive: the last watchx is still running.
assert_alive() {
	if ! _alive "$WX_PID"; then
		_dump
		fail "watchx has exited"
	fi
}

# --- new directories: nothing is missed ---------------------------------------

@test "-r: 300 rounds of mkdir -p a/b/c then a file in c: every file and directory reported" {
	mkdir w
	wx_start -r --no-tick w
	local i
	for ((i = 0; i < 300; i++)); do
		mkdir -p "w/r$i/b/c" && : >"w/r$i/b/c/f$i"
	done
	for ((i = 0; i < 300; i++)); do
		printf 'd\tw\tr%d\nd\tw/r%d\tb\nd\tw/r%d/b\tc\nf\tw/r%d/b/c\tf%d\n' \
			"$i" "$i" "$i" "$i" "$i"
	done >want
	wait_created want 30
	assert_alive
	run grep -c IN_Q_OVERFLOW "$OUT"
	assert_output 0
	wait_watches $((1 + 3 * 300))
}

@test "-r: mkdir -p 6 levels deep, then a file at the bottom, reported under the full path" {
	mkdir w
	wx_start -r --no-tick w
	mkdir -p w/a/b/c/d/e/f && : >w/a/b/c/d/e/f/file1
	printf '%s\n' $'d\tw\ta' $'d\tw/a\tb' $'d\tw/a/b\tc' $'d\tw/a/b/c\td' \
		$'d\tw/a/b/c/d\te' $'d\tw/a/b/c/d/e\tf' $'f\tw/a/b/c/d/e/f\tfile1' >want
	wait_created want
	wait_watches 7
	# The bottom is watched, not just listed: a later file gets all its events.
	: >w/a/b/c/d/e/f/file2
	wait_for_line -F "$OUT" "$(ev 7 8 0 IN_CLOSE_WRITE w/a/b/c/d/e/f file2)"
	wx_stop
	run grep -F "$(ev 7 256 0 IN_CREATE w/a/b/c/d/e/f file2)" "$OUT"
	assert_success
	run grep -F "$(ev 7 32 0 IN_OPEN w/a/b/c/d/e/f file2)" "$OUT"
	assert_success
}

@test "-r: cp -a of a 200-file tree: every file and directory reported where it landed" {
	mkdir w src
	local d f
	mkdir -p src/tree/{a,b,c,d}/{x,y}
	for d in src/tree/?/?; do
		for ((f = 1; f <= 25; f++)); do
			echo "$f" >"$d/file$f"
		done
	done
	run find src/tree -type f
	assert_equal "${#lines[@]}" 200
	wx_start -r --no-tick w
	cp -a src/tree w/
	# Again while watchx is held up: all of it then exists before the new
	# top directory is watched, so all of it comes from watchx's listing.
	kill -STOP "$WX_PID"
	cp -a src/tree w/tree2
	kill -CONT "$WX_PID"
	expect_tree src/tree w >want
	assert_equal "$(wc -l <want)" 213
	expect_tree src/tree w tree2 >>want
	wait_created want 15
	wait_watches 27
}

# --- renames, moves in and out, deletion --------------------------------------

@test "-r: a renamed subtree reports its new path at once, never the old one" {
	mkdir -p w/a/b/c w/p/q
	wx_start -r --no-tick w
	wait_watches 6
	# No pause between the rename and the next event inside.
	mv w/a w/z && : >w/z/b/c/f1
	wait_for_line "$OUT" "$(re_ev 8 IN_CLOSE_WRITE w/z/b/c f1)"
	# Across directories, deeper.
	mv w/z w/p/q/y && : >w/p/q/y/b/c/f2
	wait_for_line "$OUT" "$(re_ev 8 IN_CLOSE_WRITE w/p/q/y/b/c f2)"
	# A directory created below the renamed one is found at the new path.
	mkdir w/p/q/y/b/new && : >w/p/q/y/b/new/f3
	wait_for_line "$OUT" "$(re_ev 256 IN_CREATE w/p/q/y/b/new f3)"
	wait_watches 7
	: >w/p/q/y/b/new/f4
	wait_for_line "$OUT" "$(re_ev 8 IN_CLOSE_WRITE w/p/q/y/b/new f4)"
	wx_stop

	# Each rename is one pair of events sharing a non-zero cookie.
	local from to
	from=$(awk -F'\t' '$4 == "IN_MOVED_FROM,IN_ISDIR" && $5 == "w" && $6 == "a" { print $3 }' "$OUT")
	to=$(awk -F'\t' '$4 == "IN_MOVED_TO,IN_ISDIR" && $5 == "w" && $6 == "z" { print $3 }' "$OUT")
	assert_equal "$to" "$from"
	assert [ "$from" -gt 0 ]
	from=$(awk -F'\t' '$4 == "IN_MOVED_FROM,IN_ISDIR" && $5 == "w" && $6 == "z" { print $3 }' "$OUT")
	to=$(awk -F'\t' '$4 == "IN_MOVED_TO,IN_ISDIR" && $5 == "w/p/q" && $6 == "y" { print $3 }' "$OUT")
	assert_equal "$to" "$from"
	assert [ "$from" -gt 0 ]
	# Never a stale path: nothing under w/a at all, nothing under w/z once it
	# had moved on.
	run lines_under w/a
	assert_output ""
	run awk -F'\t' '$4 == "IN_MOVED_TO,IN_ISDIR" && $6 == "y" { moved = 1; next }
		moved && ($5 == "w/z" || index($5, "w/z/") == 1)' "$OUT"
	assert_output ""
	# Every event about the files came under the path of the moment.
	run awk -F'\t' '$6 == "f1" && $5 != "w/z/b/c" ||
		$6 == "f2" && $5 != "w/p/q/y/b/c" ||
		($6 == "f3" || $6 == "f4") && $5 != "w/p/q/y/b/new"' "$OUT"
	assert_output ""
}

@test "-r: a subtree moved out: its IN_MOVED_FROM, then nothing from inside, watches removed" {
	mkdir -p w/a/b/c outside
	wx_start -r --no-tick w
	wait_watches 4
	# Events inside right after the move, within the 20 ms window...
	mv w/a outside/a && : >outside/a/b/c/early && mkdir outside/a/b/c/d
	wait_for_line "$OUT" $'^1\t1073741888\t[1-9][0-9]*\tIN_MOVED_FROM,IN_ISDIR\tw\ta$'
	wait_watches 1
	# ... and well after it.
	: >outside/a/b/c/late
	mkdir outside/a/new && : >outside/a/new/f
	mark w
	_count_is 1 || fail "watch count $WATCHES, not 1, after more changes outside"
	wx_stop
	local cookie
	cookie=$(head -1 "$OUT" | cut -f3)
	assert_out "$(ev 1 1073741888 "$cookie" IN_MOVED_FROM,IN_ISDIR w a)" \
		"$(ev 1 256 0 IN_CREATE w marker)" \
		"$(ev 1 32 0 IN_OPEN w marker)" \
		"$(ev 1 8 0 IN_CLOSE_WRITE w marker)"
}

@test "-r: a subtree moved out and straight back in under a new name is followed" {
	mkdir -p w/a/b/c outside
	wx_start -r --no-tick w
	wait_watches 4
	mv w/a outside/a && mv outside/a w/a2
	wait_for_line "$OUT" $'^1\t1073741952\t[1-9][0-9]*\tIN_MOVED_TO,IN_ISDIR\tw\ta2$'
	# Whether it came back inside the 20 ms window or after: watched once,
	# under the new name, and stays so.
	mark w m1
	wait_watches 4
	: >w/a2/b/c/f
	wait_for_line "$OUT" "$(re_ev 8 IN_CLOSE_WRITE w/a2/b/c f)"
	_count_is 4 || fail "watch count $WATCHES, not 4"
	run awk -F'\t' '$6 == "f" && $5 != "w/a2/b/c"' "$OUT"
	assert_output ""
	run lines_under w/a
	assert_output ""
}

@test "-r: a subtree moved in is watched and its contents reported as IN_CREATE (files also as IN_CLOSE_WRITE)" {
	mkdir w
	mkdir -p outside/m/n/o
	: >outside/m/f1
	: >outside/m/n/f2
	: >outside/m/n/o/f3
	wx_start -r --no-tick w
	wait_watches 1
	mv outside/m w/m
	wait_watches 4
	# Once the listing is done (its lines are printed after it), a file
	# created deep inside is reported with all its events, only once.
	wait_for_line -F "$OUT" "$(ev 4 256 0 IN_CREATE w/m/n/o f3)"
	: >w/m/n/o/late
	wait_for_line -F "$OUT" "$(ev 4 8 0 IN_CLOSE_WRITE w/m/n/o late)"
	wx_stop
	local cookie
	cookie=$(head -1 "$OUT" | cut -f3)
	assert [ "$cookie" -gt 0 ]
	# Each already-present entry exactly once; the listing in any order.
	assert_equal "$(head -1 "$OUT")" "$(ev 1 1073741952 "$cookie" IN_MOVED_TO,IN_ISDIR w m)"
	run sh -c 'sed 1d "$1" | LC_ALL=C sort' sh "$OUT"
	assert_output "$(printf '%s\n' \
		"$(ev 2 1073742080 0 IN_CREATE,IN_ISDIR w/m n)" \
		"$(ev 2 256 0 IN_CREATE w/m f1)" \
		"$(ev 2 8 0 IN_CLOSE_WRITE w/m f1)" \
		"$(ev 3 1073742080 0 IN_CREATE,IN_ISDIR w/m/n o)" \
		"$(ev 3 256 0 IN_CREATE w/m/n f2)" \
		"$(ev 3 8 0 IN_CLOSE_WRITE w/m/n f2)" \
		"$(ev 4 256 0 IN_CREATE w/m/n/o f3)" \
		"$(ev 4 8 0 IN_CLOSE_WRITE w/m/n/o f3)" \
		"$(ev 4 256 0 IN_CREATE w/m/n/o late)" \
		"$(ev 4 32 0 IN_OPEN w/m/n/o late)" \
		"$(ev 4 8 0 IN_CLOSE_WRITE w/m/n/o late)" | LC_ALL=C sort)"
}

@test "-r: a deleted subtree: IN_DELETE_SELF and IN_IGNORED for each level, watches dropped" {
	mkdir -p w/a/b/c
	: >w/a/b/c/f
	wx_start -r --no-tick w
	wait_watches 4
	rm -rf w/a
	wait_for_line -F "$OUT" "$(ev 1 1073742336 0 IN_DELETE,IN_ISDIR w a)"
	wait_watches 1
	local wd path
	for wd in 4:w/a/b/c 3:w/a/b 2:w/a; do
		path=${wd#*:}
		wd=${wd%%:*}
		run grep -cxF -e "$(ev "$wd" 1024 0 IN_DELETE_SELF "$path")" \
			-e "$(ev "$wd" 32768 0 IN_IGNORED "$path")" "$OUT"
		assert_output 2
	done
	assert_alive
	# The name is free again: a new directory of that name is watched afresh.
	mkdir w/a
	wait_watches 2
	: >w/a/g
	wait_for_line -F "$OUT" "$(ev 5 8 0 IN_CLOSE_WRITE w/a g)"
}

# --- links, permissions, a tree that changes during the walk ------------------

@test "-r: symbolic links below the top are not followed, loops included" {
	mkdir -p w/a/b outside/o
	ln -s .. w/loop
	ln -s ../.. w/a/loop
	ln -s . w/a/b/self
	ln -s ../outside w/ext
	wx_start -r --no-tick w
	# w, w/a, w/a/b: nothing through a link.
	wait_watches 3
	# A link made while watching is not followed either.
	ln -s ../../.. w/a/b/up
	wait_for_line -F "$OUT" "$(ev 3 256 0 IN_CREATE w/a/b up)"
	: >outside/o/x
	mark w
	_count_is 3 || fail "watch count $WATCHES, not 3"
	wx_stop
	run grep -c -e $'\tx$' -e $'\tw/loop' -e $'\tw/ext' -e $'\tw/a/loop' -e $'\tw/a/b/self' "$OUT"
	assert_output 0
	assert_equal "$(grep -vx -e 'Setting up watches\.' -e 'Watches established\.' "$ERR")" ""
}

@test "-r: a directory reached twice (overlapping roots) is watched once" {
	mkdir -p w/a/b
	wx_start -r --no-tick w w/a
	wait_watches 3
	: >w/a/b/f
	wait_for_line -F "$OUT" "$(ev 3 8 0 IN_CLOSE_WRITE w/a/b f)"
	wx_stop
	run grep -c $'\tf$' "$OUT"
	assert_output 3

	wx_start -r --no-tick w/a w
	wait_watches 3
	: >w/a/b/g
	wait_for_line "$OUT" "$(re_ev 8 IN_CLOSE_WRITE w/a/b g)"
	wx_stop
	run grep -c $'\tg$' "$OUT"
	assert_output 3
}

@test "-r: an unreadable directory is warned about and skipped; the rest is watched" {
	need_root
	nobody_scratch
	mkdir -p w/ok/sub w/locked/inner
	chmod 000 w/locked
	wx_start_nobody -r --no-tick w
	assert_equal "$(stat -c %u "/proc/$WX_PID")" 65534
	wait_watches 3
	# Events elsewhere are reported.
	: >w/ok/sub/f
	wait_for_line "$OUT" "$(re_ev 8 IN_CLOSE_WRITE w/ok/sub f)"
	mkdir w/ok/new
	wait_watches 4
	: >w/ok/new/g
	wait_for_line "$OUT" "$(re_ev 8 IN_CLOSE_WRITE w/ok/new g)"
	wx_stop
	run cat "$ERR"
	assert_output "Setting up watches.
watchx: cannot watch 'w/locked': Permission denied
Watches established."
}

@test "-r: a directory that can be read but not searched is still watched, with a warning that it cannot be listed" {
	need_root
	nobody_scratch
	mkdir -p w/readonly
	# Others may read it (so inotify may watch it) but not enter it.
	chmod 744 w/readonly
	wx_start_nobody -r --no-tick w
	wait_watches 2
	: >w/readonly/f
	wait_for_line "$OUT" "$(re_ev 256 IN_CREATE w/readonly f)"
	wx_stop
	run grep -c "cannot watch 'w/readonly': Permission denied" "$ERR"
	assert_output 1
}

@test "-r: the working directory stays where watchx started, through the start-up walk and new directories" {
	mkdir -p w/a/b
	wx_start -r --no-tick w
	assert_equal "$(readlink "/proc/$WX_PID/cwd")" "$PWD"
	mkdir -p w/a/b/new/deeper
	wait_watches 5
	assert_equal "$(readlink "/proc/$WX_PID/cwd")" "$PWD"
	wx_stop
}

@test "-r: directories deleted during the start-up walk are skipped, never fatal" {
	mkdir -p w/keep/a/b
	local rounds=0 warned=0 del
	# The walk and the deletion run at the same time; each round rebuilds.
	while ((rounds < 3)); do
		rounds=$((rounds + 1))
		mkdir -p w/doom/g{000..199}/{x,y}/z
		(for g in w/doom/g*; do rm -rf "$g"; done) 3>&- &
		del=$!
		WX_PIDS+=("$del")
		wx_start -r --no-tick w
		wait_exit "$del" 30
		assert_equal "$status" 0
		# It goes on in what survived: w, keep, keep/a, keep/a/b, doom.
		wait_watches 5
		: >w/keep/a/b/f
		wait_for_line "$OUT" "$(re_ev 8 IN_CLOSE_WRITE w/keep/a/b f)"
		mkdir w/doom/later
		wait_watches 6
		: >w/doom/later/g
		wait_for_line "$OUT" "$(re_ev 8 IN_CLOSE_WRITE w/doom/later g)"
		rm -r w/doom/later
		wx_stop # also checks it dies by SIGTERM, not by a crash
		# The only complaints allowed: vanished directories in the doomed part.
		run grep -vx -e 'Setting up watches\.' -e 'Watches established\.' \
			-e "watchx: cannot watch 'w/doom/[^']*': No such file or directory" "$ERR"
		assert_output ""
		if grep -q 'cannot watch' "$ERR"; then
			warned=$((warned + 1))
		fi
	done
	echo "# rounds where the walk met a vanished directory: $warned of $rounds" >&3
}

# --- what is printed ------------------------------------------------------------

@test "-r -e modify prints only IN_MODIFY, whatever watchx needs for itself" {
	mkdir -p w/a
	echo x >w/a/f1
	wx_start -r --no-tick -e modify w
	wait_watches 2
	mkdir -p w/n/x
	wait_watches 4
	mv w/a w/b
	echo 1 >>w/b/f1
	echo 2 >w/n/x/f2
	echo 3 >w/marker
	wait_for_line -F "$OUT" "$(ev 1 2 0 IN_MODIFY w marker)"
	wx_stop
	assert_out "$(ev 2 2 0 IN_MODIFY w/b f1)" \
		"$(ev 4 2 0 IN_MODIFY w/n/x f2)" \
		"$(ev 1 2 0 IN_MODIFY w marker)"
}

@test "-r: watchx's listing of a new directory is not reported (no IN_OPEN/IN_ACCESS/IN_CLOSE_NOWRITE)" {
	mkdir w
	wx_start -r --no-tick w
	mkdir w/new
	wait_for_line -F "$OUT" "$(ev 1 1073742080 0 IN_CREATE,IN_ISDIR w new)"
	# Listing new is done by the time its IN_CREATE is printed; its events
	# are queued before the marker's.
	mark w
	wx_stop
	assert_out "$(ev 1 1073742080 0 IN_CREATE,IN_ISDIR w new)" \
		"$(ev 1 256 0 IN_CREATE w marker)" \
		"$(ev 1 32 0 IN_OPEN w marker)" \
		"$(ev 1 8 0 IN_CLOSE_WRITE w marker)"
}

@test "-r: a new directory with contents: IN_CREATE for what it holds (and IN_CLOSE_WRITE for a complete file), no listing noise" {
	mkdir w
	mkdir -p outside/m/n/o
	: >outside/m/n/o/f
	wx_start -r --no-tick w
	mv outside/m w/m
	wait_watches 4
	# The walk's own events are queued by the time its lines are printed.
	wait_for_line -F "$OUT" "$(ev 4 256 0 IN_CREATE w/m/n/o f)"
	mark w
	wx_stop
	run awk -F'\t' '$4 ~ /IN_OPEN|IN_ACCESS|IN_CLOSE_NOWRITE/ && $6 != "marker"' "$OUT"
	assert_output ""
	run wc -l <"$OUT"
	assert_output 8 # MOVED_TO m, CREATE n, o and f, CLOSE_WRITE f, the marker's three
	grep -qxF "$(ev 4 8 0 IN_CLOSE_WRITE w/m/n/o f)" "$OUT"
}

@test "-r: the start-up walk of a deep tree prints nothing" {
	mkdir -p w/a/b/c/d/e w/a/x/y w/p
	: >w/a/b/c/d/e/f
	: >w/a/x/g
	wx_start -r --no-tick w
	wait_watches 9
	mark w
	wx_stop
	assert_out "$(ev 1 256 0 IN_CREATE w marker)" \
		"$(ev 1 32 0 IN_OPEN w marker)" \
		"$(ev 1 8 0 IN_CLOSE_WRITE w marker)"
}

# --- deeper than PATH_MAX -------------------------------------------------------

# deep_start LEVELS: in the background, make LEVELS nested 'dd' directories
# below w (in steps short enough for one system call each), then wait at the
# bottom until deep_touch.  The shell stays down there because a cd from the
# top would make bash search its way back up for its working directory
# (getcwd past PATH_MAX), opening every directory on the way, once per level.
deep_start() {
	local fifo=$BATS_TEST_TMPDIR/deep.fifo built=$BATS_TEST_TMPDIR/deep.built
	rm -f "$fifo" "$built"
	mkfifo "$fifo"
	(
		step=$(printf 'dd/%.0s' {1..100})
		left=$1
		cd w || exit 1
		while ((left > 0)); do
			n=$((left < 100 ? left : 100))
			mkdir -p "${step:0:3*n}" && cd "${step:0:3*n}" || exit 1
			left=$((left - n))
		done
		: >"$built"
		read -r name <"$fifo" && : >"$name"
	) 3>&- &
	DEEP_PID=$!
	WX_PIDS+=("$DEEP_PID")
}

# deep_built: wait until deep_start's tree is complete.
deep_built() {
	poll 30 "deep_start did not finish its tree" test -e "$BATS_TEST_TMPDIR/deep.built"
}

# deep_touch NAME: have deep_start's shell create NAME at the bottom.
deep_touch() {
	_alive "$DEEP_PID" || fail "deep_start's shell has gone"
	timeout 10 sh -c 'echo "$1" >"$2"' sh "$1" "$BATS_TEST_TMPDIR/deep.fifo"
	wait_exit "$DEEP_PID" 10
	assert_equal "$status" 0
}

# deep_path LEVELS: the watch-path of the bottom directory.
deep_path() {
	printf 'w'
	printf '/dd%.0s' $(seq "$1")
}

# _out_has_bottom: $OUT has the IN_CLOSE_WRITE of 'bottom'.
_out_has_bottom() {
	grep -q $'\tIN_CLOSE_WRITE\t[^\t]*\tbottom$' "$OUT"
}

@test "-r: a tree deeper than PATH_MAX at start-up: every level watched, the bottom reported" {
	local levels=1400 path
	mkdir w
	path=$(deep_path "$levels")
	assert [ "${#path}" -gt 4096 ]
	deep_start "$levels"
	deep_built
	wx_start -r --no-tick w
	wait_watches $((levels + 1)) 20
	deep_touch bottom
	poll 20 "no IN_CLOSE_WRITE for bottom" _out_has_bottom
	wx_stop
	run awk -F'\t' '{ print $1, $4, length($5), ($5 == p), $6 }' p="$path" "$OUT"
	assert_output "$((levels + 1)) IN_CREATE ${#path} 1 bottom
$((levels + 1)) IN_OPEN ${#path} 1 bottom
$((levels + 1)) IN_CLOSE_WRITE ${#path} 1 bottom"
	run cat "$ERR"
	assert_output $'Setting up watches.\nWatches established.'
	rm -rf w
}

@test "-r: a tree grown deeper than PATH_MAX while watched: every level watched" {
	local levels=1400 path
	mkdir w
	path=$(deep_path "$levels")
	wx_start -r --no-tick -e close_write w
	deep_start "$levels"
	deep_built
	wait_watches $((levels + 1)) 30
	deep_touch bottom
	poll 20 "no IN_CLOSE_WRITE for bottom" _out_has_bottom
	wx_stop
	run awk -F'\t' '{ print $4, length($5), ($5 == p), $6 }' p="$path" "$OUT"
	assert_output "IN_CLOSE_WRITE ${#path} 1 bottom"
	run cat "$ERR"
	assert_output $'Setting up watches.\nWatches established.'
	rm -rf w
}

# --- roots ------------------------------------------------------------------------

@test "-r: the last root removed: its IN_IGNORED is printed last, exit 3" {
	mkdir -p w/a/b
	wx_start -r --no-tick w
	wait_watches 3
	rm -rf w
	wait_exit
	assert_equal "$status" 3
	assert_equal "$(tail -1 "$OUT")" "$(ev 1 32768 0 IN_IGNORED w)"
	run grep -cxF -e "$(ev 3 32768 0 IN_IGNORED w/a/b)" -e "$(ev 2 32768 0 IN_IGNORED w/a)" \
		-e "$(ev 1 1024 0 IN_DELETE_SELF w)" "$OUT"
	assert_output 3
}

@test "-r -e create: the last root's IN_IGNORED is printed anyway, exit 3" {
	mkdir -p w/a/b
	wx_start -r --no-tick -e create w
	wait_watches 3
	rm -rf w
	wait_exit
	assert_equal "$status" 3
	assert_out "$(ev 1 32768 0 IN_IGNORED w)"
}

@test "-r: several roots, directories and a file, watched together" {
	mkdir w1 w2 w3
	echo x >f
	wx_start -r --no-tick w1 w2/ f ./w3
	wait_watches 4
	mkdir -p w1/a/b && : >w1/a/b/x
	mkdir w2/c && : >w2/c/y
	mkdir w3/d && : >w3/d/z
	echo more >>f
	wait_for_line -F "$OUT" "$(ev 3 2 0 IN_MODIFY f)"
	wait_for_line "$OUT" $'^[0-9]+\t256\t0\tIN_CREATE\tw1/a/b\tx$'
	wait_for_line "$OUT" $'^[0-9]+\t256\t0\tIN_CREATE\tw2/c\ty$'
	wait_for_line "$OUT" $'^[0-9]+\t256\t0\tIN_CREATE\t\\./w3/d\tz$'
	wait_watches 8
	run grep -F $'IN_CREATE,IN_ISDIR\tw2/\tc' "$OUT"
	assert_success
	run grep -c '//' "$OUT"
	assert_output 0
	# Losing a root that is not the last one is not the end.
	rm -rf w1
	wait_for_line -F "$OUT" "$(ev 1 32768 0 IN_IGNORED w1)"
	mark ./w3 m
	assert_alive
	rm -rf w2 w3
	wait_for_line -F "$OUT" "$(ev 4 32768 0 IN_IGNORED ./w3)"
	wait_watches 1
	assert_alive
	rm f
	wait_exit
	assert_equal "$status" 3
	assert_equal "$(tail -1 "$OUT")" "$(ev 3 32768 0 IN_IGNORED f)"
}

@test "-r: a directory renamed over one held open, then the parent moved out: nothing printed from the replaced one" {
	# The replaced directory lives on while someone holds it open; its
	# watch must not outlive the parent it was filed under (this was a
	# heap use-after-free in watch_path()).
	mkdir -p w/P/a w/P/b away
	wx_start -r --no-tick w
	wait_watches 4
	exec 9<w/P/b
	mv -T w/P/a w/P/b
	mv w/P away/P
	wait_for_line "$OUT" $'^1\t1073741888\t[1-9][0-9]*\tIN_MOVED_FROM,IN_ISDIR\tw\tP$'
	# P and what was renamed under it are forgotten once the move expires.
	poll "$WX_DEADLINE" "the subtree moved out is still watched" \
		eval 'watch_count; ((WATCHES <= 2))'
	exec 9<&-
	mark w
	_alive "$WX_PID" || fail "watchx died"
	wx_stop
	# After the move out, only events on w itself.
	run awk -F'\t' 'seen && $5 != "w"; $4 ~ /IN_MOVED_FROM/ && $6 == "P" { seen = 1 }' "$OUT"
	assert_output ""
}

@test "-r: the start-up walk out of descriptors (ulimit -n 8) is an error naming the limit, not a partial run" {
	mkdir -p deep/a/b/c/d/e/f/g/h/i/j
	# The sanitizer's leak check needs a descriptor of its own at exit,
	# and there is none left by design here.
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		run --separate-stderr timeout -k 1 10 bash -c 'ulimit -n 8 && exec "$0" -q -r deep 3>&- 4>&- 5>&- 6>&- 7>&-' "$WATCHX"
	assert_equal "$status" 1
	assert_equal "$output" ""
	[[ $stderr =~ ^"watchx: cannot watch 'deep/"[a-j/]+"': Too many open files (the open file limit, ulimit -n, is 8)"$ ]] ||
		fail "unexpected message: $stderr"
}

@test "-r: out of watches in the start-up walk is fatal even when the limit's file cannot be read" {
	need_userns
	local i
	for i in $(seq 1 60); do mkdir -p "tree/d$i"; done
	# The namespace allows 50 watches, and its limit file is hidden: the
	# message cannot name it, but the walk must still stop.
	run --separate-stderr timeout -k 1 10 unshare -U -r -m sh -c \
		'echo 50 >/proc/sys/user/max_inotify_watches &&
		mount -t tmpfs none /proc/sys/user && exec "$0" -q -r -t 1 tree' \
		"$WATCHX"
	assert_equal "$status" 1
	[[ $stderr =~ ^"watchx: cannot watch 'tree/d"[0-9]+"': inotify watch limit reached" ]] ||
		fail "unexpected message: $stderr"
	run grep -c . <<<"$stderr"
	assert_output 1
}
