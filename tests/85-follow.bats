#!/usr/bin/env bats
# -r under races: what happens between watchx's reads (an ancestor
# renamed, a directory moved out and back, a directory moved into a new
# one, the root itself renamed) must not cost a directory its watch or
# its contents their IN_CREATE.  Each case stops watchx (SIGSTOP) while
# the operations run, so that it is behind for certain.

load helper

# re_ev MASK NAMES PATH NAME: an extended regex for one event line with any
# watch descriptor and cookie.
re_ev() {
	local p=$3 n=$4
	p=${p//./\\.}
	n=${n//./\\.}
	printf '^[0-9]+\t%s\t[0-9]+\t%s\t%s\t%s$' "$1" "$2" "$p" "$n"
}

stop_wx() {
	kill -STOP "$WX_PID"
	poll "$WX_DEADLINE" "watchx did not stop" _stopped
}

# created_in PATH NAME: watchx reported PATH/NAME as created.
wait_created_ev() {
	wait_for_line "$OUT" "$(re_ev '[0-9]+' "IN_CREATE(,IN_ISDIR)?" "$1" "$2")"
}

@test "-r: a directory moved out and back in under a new name while watchx is behind: its contents are reported" {
	mkdir -p w/a/sub away
	touch w/a/f1 w/a/sub/f2
	wx_start -r --no-tick w
	stop_wx
	mv w/a away/a
	mv away/a w/b
	kill -CONT "$WX_PID"
	wait_created_ev w/b f1
	wait_created_ev w/b sub
	wait_created_ev w/b/sub f2
	# And it is watched where it is now.
	: >w/b/sub/later
	wait_created_ev w/b/sub later
	wx_stop
}

@test "-r: a directory moved into a directory just created, while watchx is behind: still watched, contents reported" {
	local i
	mkdir w
	for i in 1 2 3 4 5; do
		mkdir -p "w/a$i/sub"
		: >"w/a$i/sub/f"
	done
	wx_start -r --no-tick w
	stop_wx
	for i in 1 2 3 4 5; do
		mkdir "w/b$i" && mv "w/a$i" "w/b$i/a"
	done
	kill -CONT "$WX_PID"
	for i in 1 2 3 4 5; do
		wait_created_ev "w/b$i/a" sub
		wait_created_ev "w/b$i/a/sub" f
	done
	# Past the time a move out waits for its partner: still watched.
	for i in 1 2 3 4 5; do
		: >"w/b$i/a/sub/later"
	done
	for i in 1 2 3 4 5; do
		wait_created_ev "w/b$i/a/sub" later
	done
	wx_stop
}

@test "-r: directories moved into directories just created, at full speed: every one still watched" {
	local i
	mkdir w
	for i in $(seq 1 40); do
		mkdir -p "w/a$i/sub"
	done
	wx_start -r --no-tick w
	for i in $(seq 1 40); do
		mkdir "w/b$i" && mv "w/a$i" "w/b$i/a"
	done
	# Moves out expire after milliseconds: wait past that, then write in
	# every moved directory.
	: >w/mark1
	wait_created_ev w mark1
	sleep 0.1
	for i in $(seq 1 40); do
		: >"w/b$i/a/sub/later"
	done
	for i in $(seq 1 40); do
		wait_created_ev "w/b$i/a/sub" later
	done
	wx_stop
}

@test "-r: a new directory whose parent is renamed before watchx sees it is watched under the new name" {
	mkdir -p w/x
	wx_start -r --no-tick w
	stop_wx
	mkdir w/x/new
	: >w/x/new/f0
	mv w/x w/y
	kill -CONT "$WX_PID"
	wait_created_ev w/y/new f0
	: >w/y/new/f1
	wait_created_ev w/y/new f1
	wx_stop
}

@test "-r: a new directory whose parent is renamed and its old name taken by a file: still watched under the new name" {
	mkdir -p w/x
	wx_start -r --no-tick w
	stop_wx
	mkdir w/x/new
	mv w/x w/y
	: >w/x
	kill -CONT "$WX_PID"
	wait_created_ev w x
	mkdir w/y/new/sub
	wait_created_ev w/y/new sub
	wx_stop
}

@test "-r: a new directory whose parent is renamed and its old name taken by another directory: each watched where it is" {
	mkdir -p w/x
	wx_start -r --no-tick w
	stop_wx
	mkdir w/x/new
	mv w/x w/y
	mkdir -p w/x/new
	kill -CONT "$WX_PID"
	wait_for_line "$OUT" $'\tIN_CREATE,IN_ISDIR\tw\tx$'
	: >w/y/new/f
	: >w/x/new/g
	wait_created_ev w/y/new f
	wait_created_ev w/x/new g
	wx_stop
	run grep -c -e $'\tw/y/new\tg$' -e $'\tw/x/new\tf$' "$OUT"
	assert_output 0
}

@test "-r: the only root moved to another directory: its IN_MOVE_SELF, then its IN_IGNORED ends the run, exit 3, with a warning" {
	mkdir -p w/a/b away
	wx_start -r --no-tick w
	wait_watches 3
	mv w away/w2
	wait_exit
	assert_equal "$status" 3
	assert_out "$(ev 1 2048 0 IN_MOVE_SELF w)" "$(ev 1 32768 0 IN_IGNORED w)"
	run grep -cxF "watchx: 'w' has left its path (moved to another directory, or a directory above it renamed): it is no longer watched" "$ERR"
	assert_output 1
}

@test "-r -e create: a root moved to another directory is ended even when IN_MOVE_SELF is not asked for" {
	mkdir -p w away
	wx_start -r --no-tick -e create w
	mv w away/w2
	wait_exit
	assert_equal "$status" 3
	assert_out "$(ev 1 32768 0 IN_IGNORED w)"
}

@test "-r: a root whose parent directory is renamed is ended when a directory is next created below it" {
	mkdir -p a/w other
	wx_start -r --no-tick -e create,ignored a/w other
	mv a b
	mkdir b/w/new
	wait_for_line -F "$OUT" "$(ev 1 32768 0 IN_IGNORED a/w)"
	mkdir b/w/new/sub
	: >other/mark
	wait_created_ev other mark
	wx_stop
	run grep -c 'sub' "$OUT"
	assert_output 0
	run grep -c "'a/w' has left its path" "$ERR"
	assert_output 1
}

@test "-r: a file given as a root and renamed in its directory goes on being watched" {
	echo hi >f
	mkdir d
	wx_start -r --no-tick f d
	mv f g
	echo more >>g
	wait_for_line -F "$OUT" "$(ev 1 8 0 IN_CLOSE_WRITE f)"
	wx_stop
	run grep -c IN_IGNORED "$OUT"
	assert_output 0
}

@test "-r: a root moved to another directory is no longer watched, nor the directory made at its path; the other roots go on" {
	mkdir -p w/a other away
	wx_start -r --no-tick w other
	wait_watches 3
	mv w away/w2
	wait_for_line -F "$OUT" "$(ev 1 32768 0 IN_IGNORED w)"
	wait_watches 1
	mkdir -p w/impostor
	: >w/impostor/g
	mkdir away/w2/n
	: >away/w2/a/f
	: >other/mark
	wait_created_ev other mark
	wx_stop
	# Nothing of the moved tree after its IN_MOVE_SELF, nothing of the impostor.
	run grep -c -v -e $'\tother\t' "$OUT"
	assert_output 2
	grep -qxF "$(ev 1 2048 0 IN_MOVE_SELF w)" "$OUT"
}

@test "-r: what happened inside a directory while it was out of the tree is reported once, by its listing" {
	mkdir -p w/a away
	: >w/a/old
	wx_start -r --no-tick w
	stop_wx
	mv w/a away/a
	: >away/a/new
	rm away/a/old
	mv away/a w/b
	kill -CONT "$WX_PID"
	wait_created_ev w/b new
	: >w/b/mark
	wait_created_ev w/b mark
	wx_stop
	run grep -c $'\tIN_CREATE\tw/b\tnew$' "$OUT"
	assert_output 1
	# Nothing from its time outside: no IN_DELETE of old, nothing under w/a.
	run grep -c -e $'\told$' -e $'\tw/a\t' "$OUT"
	assert_output 0
}

@test "-r: a directory created and filled while watchx is behind: each entry reported once" {
	local i
	mkdir w
	wx_start -r --no-tick w
	stop_wx
	mkdir w/d
	for i in $(seq 1 50); do : >"w/d/f$i"; done
	kill -CONT "$WX_PID"
	: >w/d/mark
	wait_created_ev w/d mark
	wx_stop
	run grep -cE $'\tIN_CREATE\tw/d\tf[0-9]+$' "$OUT"
	assert_output 50
}

# listed_first DIR P Q: make directories DIR/P and DIR/Q and print the one
# a listing of DIR reads first (the order is the file system's).
listed_first() {
	mkdir "$1/$2" "$1/$3"
	ls -U "$1" | grep -xm1 -e "$2" -e "$3"
}

@test "-r: a directory a walk meets twice, moved ahead of it, keeps only what its second listing found" {
	# D, moved in, holds A and B, read in that order; A holds X and H,
	# read in that order; X holds Y/f; H holds 4,000 directories, so that
	# the walk is still in H when Y and then X are moved.  The walk lists
	# X with Y, then meets X again in B and takes it over.
	mkdir -p w away/D
	local a b x h first
	first=$(listed_first away/D p q)
	a=$first b=$([[ $first == p ]] && echo q || echo p)
	first=$(listed_first "away/D/$a" r s)
	x=$first h=$([[ $first == r ]] && echo s || echo r)
	(cd "away/D/$a/$h" && mkdir h{1..4000})
	mkdir "away/D/$a/$x/Y"
	: >"away/D/$a/$x/Y/f"
	tree_paths w >initial
	wx_start --no-tick -r w
	# Another watchx tells when the walk has read X (its close).
	local spy
	"$WATCHX" -x close_nowrite "away/D/$a/$x" >/dev/null 2>spy.err &
	spy=$!
	WX_PIDS+=("$spy")
	wait_for_line -F spy.err "Watches established."
	mv away/D w/D
	wait_exit "$spy"
	mv "w/D/$a/$x/Y" w/D/Z
	mv "w/D/$a/$x" "w/D/$b/X2"
	: >w/mark
	wait_created_ev w mark
	wx_stop
	run python3 "$ORACLE" --replay "$OUT" w initial
	assert_success
	assert_output ""
}

@test "-r: renames in a directory at the moment watchx gives its watch its full mask back are not lost" {
	# Each time D comes back into w, watchx walks it, then gives D's watch
	# back the bits it left out while listing it.  The kernel drops an
	# event that comes while a watch's mask is replaced (not added to):
	# renames inside D, four seconds of them, all reach the consumer.
	mkdir -p w/D/c away
	tree_paths w >initial
	wx_start --no-tick -r w
	python3 - "$PWD/w" "$PWD/away" <<'PY'
import os, sys, threading, time
w, away = sys.argv[1], sys.argv[2]
stop = time.monotonic() + 4
dfd = os.open(os.path.join(w, "D"), os.O_RDONLY | os.O_DIRECTORY)
def inner():
    names, i = ["c", "e"], 0
    while time.monotonic() < stop:
        os.rename(names[i], names[1 - i], src_dir_fd=dfd, dst_dir_fd=dfd)
        i = 1 - i
def outer():
    while time.monotonic() < stop:
        os.rename(os.path.join(w, "D"), os.path.join(away, "D"))
        os.rename(os.path.join(away, "D"), os.path.join(w, "D"))
        time.sleep(0.0005)
ts = [threading.Thread(target=inner), threading.Thread(target=outer)]
for t in ts:
    t.start()
for t in ts:
    t.join()
PY
	: >w/mark
	wait_for_line "$OUT" "$(re_ev '[0-9]+' IN_CREATE w mark)" 30
	wx_stop
	run python3 "$ORACLE" --replay "$OUT" w initial
	assert_success
	assert_output ""
}

# --- --on-overflow rescan ---------------------------------------------------------

ORACLE=$BATS_TEST_DIRNAME/oracle/oracle.py

# tree_paths DIR: every path below DIR, relative to it, one a line.
tree_paths() {
	(cd "$1" && find . -mindepth 1 -printf '%P\n')
}

# caught_up_after_overflow: watchx has printed an overflow and everything
# up to a mark made after it; then it is stopped.
caught_up_after_overflow() {
	wait_for_line "$OUT" $'\tIN_Q_OVERFLOW\t'
	touch d/mark
	wait_created_ev d mark
	wx_stop
}

@test "--on-overflow rescan: after an overflow the output is again an exact copy of the tree, and the run goes on" {
	need_root
	mkdir -p d/keep/deep d/gone/sub d/moved
	touch d/a d/b d/keep/k d/keep/deep/x d/gone/sub/y d/moved/m
	tree_paths d >initial
	wx_start_small_queue --no-tick -r --on-overflow rescan d
	stop_wx
	rm d/a
	rm -r d/gone
	mv d/moved d/keep/deep/renamed
	mkdir -p d/new/inner
	touch d/new/inner/z d/f{1..60}
	rm d/f1{0..9}
	kill -CONT "$WX_PID"
	caught_up_after_overflow
	# The run went on (no exit 3), and replaying the output gives the tree.
	run python3 "$ORACLE" --replay "$OUT" d initial
	assert_success
	assert_output ""
	# What vanished in the window was reported by the rescan.
	grep -qE "$(re_ev 1073742336 IN_DELETE,IN_ISDIR d gone)" "$OUT"
}

@test "--on-overflow rescan: a directory gone while events were lost is deleted with all that was reported below it, deepest first" {
	need_root
	mkdir -p d/gone/sub/deeper d/keep
	touch d/gone/a d/gone/sub/b d/gone/sub/deeper/c d/keep/k
	tree_paths d >initial
	wx_start_small_queue --no-tick -r --on-overflow rescan -e create,delete,move d
	stop_wx
	# The queue fills first: the deletions are lost.
	touch d/keep/f{1..60}
	rm -r d/gone
	kill -CONT "$WX_PID"
	caught_up_after_overflow
	# Replayed one entry an IN_DELETE, the output gives the tree.
	run python3 "$ORACLE" --strict --replay "$OUT" d initial
	assert_success
	assert_output ""
	# Each of them once, after the overflow.
	run sh -c "sed -n '/IN_Q_OVERFLOW/,\$p' '$OUT' | cut -f4- | grep 'gone' | sort"
	assert_output "IN_DELETE	d/gone	a
IN_DELETE	d/gone/sub	b
IN_DELETE	d/gone/sub/deeper	c
IN_DELETE,IN_ISDIR	d	gone
IN_DELETE,IN_ISDIR	d/gone	sub
IN_DELETE,IN_ISDIR	d/gone/sub	deeper"
}

@test "--on-overflow rescan: a directory moved into a new one while its IN_MOVED_FROM is lost: its old path is deleted with what it held, deepest first" {
	need_root
	mkdir -p d/A/sub d/keep
	touch d/A/x d/A/sub/y
	tree_paths d >initial
	wx_start_small_queue --no-tick -r --on-overflow rescan -e create,delete,move d
	stop_wx
	# n1's IN_CREATE is queued; then the queue fills, and the move is lost.
	mkdir -p d/n1/n2
	touch d/keep/f{1..60}
	mv -T d/A d/n1/n2
	kill -CONT "$WX_PID"
	caught_up_after_overflow
	run python3 "$ORACLE" --strict --replay "$OUT" d initial
	assert_success
	assert_output ""
	# Each once, deepest first.
	run awk -F'\t' '$5 ~ /^d(\/A(\/sub)?)?$/ && $6 ~ /^(A|sub|x|y)$/ {
	    print $4 "\t" $5 "\t" $6 }' "$OUT"
	assert_output "IN_DELETE	d/A/sub	y
IN_DELETE,IN_ISDIR	d/A	sub
IN_DELETE	d/A	x
IN_DELETE,IN_ISDIR	d	A"
}

# overflow_while_stopped CMD...: stop watchx, fill its 16-event queue, run
# CMD (lost), and let it go on until it has printed one more overflow.
overflow_while_stopped() {
	local n
	n=$(grep -c $'\tIN_Q_OVERFLOW\t' "$OUT") || true
	stop_wx
	touch d/keep/f$((n))_{1..40}
	"$@"
	kill -CONT "$WX_PID"
	poll "$WX_DEADLINE" "no overflow" _overflows $((n + 1))
}

_overflows() {
	(($(grep -c $'\tIN_Q_OVERFLOW\t' "$OUT") >= $1))
}

@test "--on-overflow rescan: an empty file a rescan found, then one found gone: its IN_CLOSE_WRITE is not reported after its IN_DELETE" {
	need_root
	mkdir -p d/keep
	wx_start_small_queue --no-tick -r --on-overflow rescan -e create,delete,close_write d
	# Found empty: its IN_CLOSE_WRITE waits a quiet second...
	overflow_while_stopped touch d/e
	wait_created_ev d e
	# ...in which it is deleted, and the next rescan says so.
	overflow_while_stopped rm d/e
	wait_for_line "$OUT" $'\tIN_DELETE\td\te$'
	# SIGTERM prints what is still owed.
	wx_stop
	# Nothing of e after its deletion.
	run awk -F'\t' '$5 == "d" && $6 == "e" && gone { n++ }
	    $4 == "IN_DELETE" && $5 == "d" && $6 == "e" { gone = 1 }
	    END { print gone, n + 0 }' "$OUT"
	assert_output "1 0"
}

@test "--on-overflow rescan: 20,000 creates and some deletes while stopped, with the default queue" {
	ORACLE_DEADLINE=$((WX_DEADLINE > 10 ? WX_DEADLINE : 10)) run python3 "$ORACLE" --strict --flood 20000 --rounds 1 --seed 5 "$WATCHX"
	assert_success
}

# --- what a listing reports for each event ---------------------------------------

# tar_tree DIR: a tar archive of 200 directories of 5 small files each.
tar_tree() {
	local d f
	mkdir -p src
	for d in {1..200}; do
		mkdir "src/d$d"
		for f in 1 2 3 4 5; do
			echo "data $d $f" >"src/d$d/f$f"
		done
	done
	tar cf "$1" -C src .
}

@test "-r -e close_write: tar x of 1,000 files into 200 new directories, 20 times: each file once" {
	tar_tree t.tar
	local i n u runs=20 bad=()
	# Under valgrind, memory is what is checked: two runs do that.
	if [[ -n ${WX_VALGRIND-} ]]; then
		runs=2
	fi
	for ((i = 1; i <= runs; i++)); do
		rm -rf w
		mkdir w
		wx_start -r --no-tick -e close_write w
		# tar opens with O_NONBLOCK: it would fail if watchx leased a
		# file it is creating.
		tar xf t.tar -C w
		: >w/mark
		wait_for_line "$OUT" $'\tw\tmark$'
		wx_stop
		n=$(grep -vc $'\tmark$' "$OUT")
		u=$(grep -v $'\tmark$' "$OUT" | cut -f5,6 | sort -u | grep -c .)
		[[ $n == 1000 && $u == 1000 ]] || bad+=("run $i: $n lines, $u files")
	done
	((${#bad[@]} == 0)) || fail "$(printf '%s\n' "${bad[@]}")"
}

@test "-r: a file found complete by a listing is reported written; one still open is reported when it is closed, once" {
	mkdir w outside
	printf 'done\n' >outside/full
	: >outside/empty
	wx_start -r --no-tick -e create,modify,close_write w
	# Opened after watchx started, so that watchx does not inherit it.
	exec 4>outside/open
	printf 'part' >&4
	mv outside w/m
	wait_for_line -F "$OUT" "$(ev 2 8 0 IN_CLOSE_WRITE w/m full)"
	printf 'rest\n' >&4
	exec 4>&-
	wait_for_line -F "$OUT" "$(ev 2 8 0 IN_CLOSE_WRITE w/m open)"
	# An empty file is taken as complete once untouched for a while.
	wait_for_line -F "$OUT" "$(ev 2 8 0 IN_CLOSE_WRITE w/m empty)"
	: >w/mark
	wait_for_line "$OUT" $'\tw\tmark$'
	wx_stop
	# full: created, written, complete.  empty: created, complete.  open:
	# created and written when listed, then its own IN_MODIFY and one
	# IN_CLOSE_WRITE.
	run grep -c $'\tw/m\tfull$' "$OUT"
	assert_output 3
	grep -qxF "$(ev 2 2 0 IN_MODIFY w/m full)" "$OUT"
	run grep -c $'\tw/m\tempty$' "$OUT"
	assert_output 2
	grep -qxF "$(ev 2 8 0 IN_CLOSE_WRITE w/m empty)" "$OUT"
	run grep -c $'IN_CLOSE_WRITE\tw/m\topen$' "$OUT"
	assert_output 1
}

@test "-r: a listing never opens a file it finds empty (its creator may be opening it); its writer's own IN_CLOSE_WRITE is reported, once" {
	mkdir -p w outside/d
	: >outside/d/f
	# A second watcher, on the file itself, sees every open of it.
	local spy=$BATS_TEST_TMPDIR/spy
	"$WATCHX" --no-tick -e open,close_write outside/d/f >"$spy" 2>"$spy.err" 3>&- &
	local spy_pid=$!
	WX_PIDS+=("$spy_pid")
	wait_for_line "$spy.err" '^Watches established\.$'
	wx_start -r --no-tick -e create,close_write w
	# Held open for writing, as by a creator that has not written yet;
	# opened after the watchers started, so that they do not inherit it.
	exec 4>>outside/d/f
	mv outside/d w/d
	wait_for_line -F "$OUT" "$(ev 2 256 0 IN_CREATE w/d f)"
	printf 'data\n' >&4
	exec 4>&-
	wait_for_line -F "$OUT" "$(ev 2 8 0 IN_CLOSE_WRITE w/d f)"
	wait_for_line "$spy" $'\tIN_CLOSE_WRITE\t'
	: >w/mark
	wait_for_line "$OUT" $'\tw\tmark$'
	wx_stop
	kill "$spy_pid"
	# Only the test's own open: watchx never opened f.
	run grep -c IN_OPEN "$spy"
	assert_output 1
	run grep -c $'IN_CLOSE_WRITE\tw/d\tf$' "$OUT"
	assert_output 1
}

@test "-r: an empty file found by a listing, deleted while its directory is out and back in: no IN_CLOSE_WRITE for it" {
	mkdir -p w outside/d outside/d2 away
	: >outside/d/f
	: >outside/d2/g
	wx_start -r --no-tick -e create,delete,close_write,move w
	mv outside/d w/d
	wait_created_ev w/d f
	# Within the second f waits to be taken as complete:
	stop_wx
	mv w/d away/d
	rm away/d/f
	mv away/d w/e
	kill -CONT "$WX_PID"
	# g is moved in later, so it is taken as complete later than f would be.
	wait_for_line "$OUT" $'IN_MOVED_TO,IN_ISDIR\tw\te$'
	mv outside/d2 w/d2
	wait_for_line "$OUT" $'\tIN_CLOSE_WRITE\tw/d2\tg$'
	wx_stop
	run grep -c $'IN_CLOSE_WRITE\tw/[de]\tf$' "$OUT"
	assert_output 0
}

@test "-r: an empty file taken as complete after its quiet second: a new close of it just after is still reported" {
	mkdir -p w outside/d
	: >outside/d/empty
	wx_start -r --no-tick -e close_write w
	mv outside/d w/d
	wait_for_line -F "$OUT" "$(ev 2 8 0 IN_CLOSE_WRITE w/d empty)"
	# Opened for writing and closed, nothing written.
	: >>w/d/empty
	: >w/mark
	wait_for_line "$OUT" $'\tw\tmark$'
	wx_stop
	run grep -c $'IN_CLOSE_WRITE\tw/d\tempty$' "$OUT"
	assert_output 2
}

@test "-r -t: an empty file found by a listing is reported complete before the idle timeout ends the run" {
	mkdir -p w outside/d
	: >outside/d/empty
	wx_start -r --no-tick -t 0.3 -e create,close_write w
	mv outside/d w/d
	wait_exit
	assert_equal "$status" 2
	run grep -c $'IN_CLOSE_WRITE\tw/d\tempty$' "$OUT"
	assert_output 1
}

@test "-r: a root renamed in its own directory is found there: new directories below it are watched, under the path given" {
	mkdir w
	wx_start -r --no-tick w
	mv w w.old
	mkdir w.old/n
	: >w.old/n/f
	wait_created_ev w/n f
	mkdir -p w.old/n/deeper
	: >w.old/n/deeper/g
	wait_created_ev w/n/deeper g
	wx_stop
	run cat "$ERR"
	refute_output --partial "no longer"
}

# --- the two smaller cases ---------------------------------------------------------

@test "-r: a directory renamed while watchx lists it: none of the listing's IN_OPEN, IN_ACCESS, IN_CLOSE_NOWRITE leaks, under either name" {
	mkdir w
	wx_start -r --no-tick w
	local i
	for i in {1..150}; do
		mkdir "w/d$i" "w/d$i/s"{1..40}
		mv "w/d$i" "w/e$i"
	done
	: >w/mark
	wait_for_line "$OUT" $'\tw\tmark$' 20
	wx_stop
	# Nothing but watchx opens these directories.
	run grep -cE $'\tIN_(OPEN|ACCESS|CLOSE_NOWRITE),IN_ISDIR\t' "$OUT"
	assert_output 0
}

@test "-r: files created and deleted around a new directory's listing: no IN_DELETE for a file never announced, the output replays to the tree" {
	mkdir w
	wx_start -r --no-tick w
	local i
	for i in {1..150}; do
		mkdir "w/d$i"
		touch "w/d$i/f"{1..30}
		rm "w/d$i/f"{1..30..2}
	done
	: >w/mark
	wait_for_line "$OUT" $'\tw\tmark$' 20
	wx_stop
	: >initial
	run python3 "$ORACLE" --replay "$OUT" w initial
	assert_success
	assert_output ""
}

# _watches_above N: watchx holds more than N watches.
_watches_above() {
	watch_count
	((WATCHES > $1))
}

@test "-r: a directory renamed over an empty one a listing has reported, while another listing runs: its IN_MOVED_TO is printed, what it holds stays known" {
	mkdir -p w/A/b/c away/big
	touch w/A/b/c/f w/A/g
	# A tree whose listing lasts long enough for the rename to come during it.
	(cd away/big && printf '%s\n' {1..100}/{1..40} | xargs mkdir -p)
	wx_start -r --no-tick w
	wait_watches 4
	stop_wx
	# Read in one batch: n1 is listed (n3 reported, empty), then z.
	mkdir -p w/n1/n2/n3
	mv away/big w/z
	kill -CONT "$WX_PID"
	# n1, n2, n3 and some of z: z's listing has begun.  No sleep between
	# looks, so that the rename comes before it ends.
	local end=$((SECONDS + 10))
	until _watches_above 8 || ((SECONDS > end)); do :; done
	mv -T w/A w/n1/n2/n3
	: >w/n1/n2/n3/b/c/late
	wait_for_line "$OUT" $'\tw/n1/n2/n3/b/c\tlate$' 20
	wx_stop
	printf '%s\n' A A/b A/b/c A/b/c/f A/g >initial
	run python3 "$ORACLE" --replay "$OUT" w initial
	assert_success
	assert_output ""
}
