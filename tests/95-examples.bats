#!/usr/bin/env bats
# Recipes that work, tested: every example of README.md and of the EXAMPLES
# section of man/watchx.1, run as written.
#
# Each example is named in its document (.\" example: NAME before the
# .Bd -literal of the man page, <!-- example: NAME --> before the README's
# code block); tests/examples.py reads it out exactly as the reader sees it.
# The tests titled "example NAME: ..." run the text of NAME from every
# document that has it (once when both show the same text) in a scratch
# directory, with a watchx that is $WATCHX first on PATH: in sh, or in bash
# for a text that uses $'...', or with make -f for a Makefile rule; the
# command after "$ " of a terminal transcript, whose output must then have
# the shape shown.  Each test makes the events that the text around the
# example speaks of and checks what that text promises.  A long-running
# example runs in a session of its own and is stopped by a signal to its
# process group.  The last tests fail when an example has no name, a name
# has no test here, or a test here names no example.
#
# Not run: quick-start and build-install, the README's lists of the
# Makefile's own targets (they install packages, install into the system,
# run this very suite or take minutes); their test only checks that each
# target and variable they name exists in the Makefile.

load helper

EXAMPLES=$BATS_TEST_DIRNAME/examples.py

# The README's code blocks that are not examples, by the start of their
# first line.
NOT_EXAMPLES=(
	'watchx ['	# the usage synopsis
	'wd  mask'	# the names of the fields of a line
	'src/ '		# the project layout
)

setup() {
	wx_setup
	EX_GROUPS=()
	EX_N=0
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	ln -sf "$WATCHX" "$BATS_TEST_TMPDIR/bin/watchx"
	EX_PATH=$BATS_TEST_TMPDIR/bin:$PATH
}

teardown() {
	local g
	for g in "${EX_GROUPS[@]}"; do
		kill -KILL -- "-$g" 2>/dev/null || true
		wait "$g" 2>/dev/null || true
	done
	wx_teardown
}

# --- helpers for this file ------------------------------------------------------

# ex_each NAME FUNC [ARGS...]: FUNC ARGS... TEXT for each distinct text of
# example NAME in the documents, with EX_DOC saying where it comes from.
ex_each() {
	local name=$1 doc text i seen texts=() from=() rc=0 all
	shift
	all=$BATS_TEST_TMPDIR/texts
	python3 "$EXAMPLES" texts "$name" >"$all" || rc=$?
	((rc != 3)) || { fail "no document has an example named $name"; return 1; }
	((rc == 0)) || { fail "examples.py texts $name: status $rc"; return 1; }
	while IFS= read -r -d '' doc && IFS= read -r -d '' text; do
		seen=
		for i in "${!texts[@]}"; do
			if [[ ${texts[i]} == "$text" ]]; then
				from[i]+=" and $doc"
				seen=1
			fi
		done
		[[ -n $seen ]] || { texts+=("$text"); from+=("$doc"); }
	done <"$all"
	for i in "${!texts[@]}"; do
		EX_DOC=${from[i]}
		# Shown only if the test fails.
		printf '# example %s of %s:\n%s\n' "$name" "$EX_DOC" "${texts[i]}"
		"$@" "${texts[i]}"
	done
}

# ex_scratch: a new empty scratch directory, EXD, made the current one.
ex_scratch() {
	EX_N=$((EX_N + 1))
	EXD=$BATS_TEST_TMPDIR/ex$EX_N
	mkdir "$EXD"
	cd "$EXD"
}

# ex_sh TEXT: the shell to run TEXT in, in EX_SH: bash when it uses $'...',
# else sh.
ex_sh() {
	if [[ $1 == *"\$'"* ]]; then
		EX_SH=bash
	else
		EX_SH=sh
	fi
}

# ex_spawn CMD...: run CMD in the current directory, in the background, in
# a session and process group of its own (EX_PID, its leader), with SIGINT
# at its default as in a terminal, stdout to $OUT and stderr to $ERR.
ex_spawn() {
	: >"$OUT"
	: >"$ERR"
	PATH=$EX_PATH setsid env --default-signal=INT,QUIT "$@" >"$OUT" 2>"$ERR" 3>&- &
	EX_PID=$!
	EX_GROUPS+=("$EX_PID")
	poll "$WX_DEADLINE" "$1 did not get a session of its own" _ex_leader
}

# _ex_leader: EX_PID leads its session (setsid has run), or has ended.
_ex_leader() {
	local stat
	read -r stat 2>/dev/null <"/proc/$EX_PID/stat" || return 0
	stat=${stat##*) }
	set -- $stat
	[[ $1 == Z ]] || (($4 == EX_PID))
}

# ex_watchx: wait until the example has started watchx; its pid in WX_PID.
ex_watchx() {
	poll "$WX_DEADLINE" "no watchx in the example's process group" _ex_watchx
}

_ex_watchx() {
	local f
	f=$(grep -lE "^[0-9]+ \(watchx\) [A-Za-z] [0-9]+ $EX_PID " /proc/[0-9]*/stat 2>/dev/null | head -n 1) || true
	[[ -n $f ]] || return 1
	f=${f#/proc/}
	WX_PID=${f%/stat}
}

# ex_watched PATH...: wait until watchx ($WX_PID) watches each PATH (its
# inode is in the inotify descriptor's fdinfo).
ex_watched() {
	poll "$WX_DEADLINE" "watchx does not watch $*" _ex_watched "$@"
}

_ex_watched() {
	local p ino
	inotify_fdinfo "$WX_PID" || return 1
	for p; do
		ino=$(stat -c %i -- "$p") || return 1
		grep -q "^inotify wd:[0-9a-f]* ino:$(printf %x "$ino") " "$FDINFO" || return 1
	done
}

# ex_tick: wait until watchx writes again: a tick, when nothing happens.
ex_tick() {
	_ex_wchar
	poll 3 "watchx wrote nothing more (no tick)" _ex_wrote_since "$WCHAR"
}

# ex_idle: with EX_NOTICK unset, ex_tick; with it set (a format that gets
# no ticks), let more than one idle cycle pass and see that watchx wrote
# nothing in it.
ex_idle() {
	if [[ -z ${EX_NOTICK-} ]]; then
		ex_tick
		return
	fi
	_ex_wchar
	local before=$WCHAR
	sleep 1.2	# one idle cycle (-b 1) and a fifth: the time a tick would come
	_ex_wchar
	assert_equal "bytes written while idle: $((WCHAR - before))" \
		"bytes written while idle: 0"
}

# _ex_wchar: the bytes watchx has written so far, in WCHAR.
_ex_wchar() {
	local k v
	while read -r k v; do
		if [[ $k == wchar: ]]; then
			WCHAR=$v
			return 0
		fi
	done <"/proc/$WX_PID/io"
	return 1
}

_ex_wrote_since() {
	_ex_wchar && ((WCHAR > $1))
}

# ex_stop: end the example's process group with SIGTERM and wait for its
# leader.
ex_stop() {
	kill -TERM -- "-$EX_PID" 2>/dev/null || true
	wait_exit "$EX_PID"
}

# ex_makefile TEXT: TEXT as a Makefile, EX_MK, and its first target,
# EX_TARGET.
ex_makefile() {
	EX_MK=$BATS_TEST_TMPDIR/example$EX_N.mk
	printf '%s\n' "$1" >"$EX_MK"
	EX_TARGET=${1%%:*}
}

# ex_subst TEXT OLD NEW: TEXT with OLD replaced by NEW, in EX_TEXT; fails if
# TEXT has no OLD.
ex_subst() {
	[[ $1 == *"$2"* ]] || { fail "the example has no '$2' to replace"; return 1; }
	EX_TEXT=${1//"$2"/"$3"}
}

_lines_at_least() {
	local n
	n=$(cat "$ERR" "$OUT" | wc -l)
	((n >= $1))
}

# run_transcript SETUP ACTIONS TEXT: a terminal transcript: its command (after
# "$ ") run in sh in a scratch directory that SETUP has prepared; once
# watchx watches demo, ACTIONS; then the lines shown must come (stderr's,
# then stdout's) in the shape shown: the same events and fields, where wds
# and cookies may differ (examples.py shape).  A last line "^C" is typed:
# SIGINT, and watchx dies by it (130); else SIGTERM ends it.
run_transcript() {
	local setup=$1 actions=$2 text=$3 cmd expected n
	cmd=${text%%$'\n'*}
	[[ $cmd == '$ '* ]] || { fail "not a transcript: $cmd"; return 1; }
	cmd=${cmd#'$ '}
	expected=${text#*$'\n'}
	ex_scratch
	"$setup"
	ex_spawn sh -c "$cmd"
	ex_watchx
	ex_watched demo
	"$actions"
	n=$(grep -vcxF '^C' <<<"$expected")
	poll "$WX_DEADLINE" "not the $n lines shown" _lines_at_least "$n"
	if [[ $expected == *$'\n^C' ]]; then
		expected=${expected%$'\n^C'}
		kill -INT -- "-$EX_PID"
		wait_exit "$EX_PID"
		assert_equal "$status" 130
	else
		ex_stop
	fi
	printf '%s\n' "$expected" >"$BATS_TEST_TMPDIR/expected"
	cat "$ERR" "$OUT" >"$BATS_TEST_TMPDIR/actual"
	run python3 "$EXAMPLES" shape "$BATS_TEST_TMPDIR/expected" "$BATS_TEST_TMPDIR/actual"
	if ((status != 0)); then
		_dump
		fail "$EX_DOC: not the shape shown: $output"
	fi
}

# --- while read loops -------------------------------------------------------------

# run_loop LINE TEXT: a while-read loop over src: a file written, one moved
# in, then, after a tick (the loop skips it; with EX_NOTICK set, after an
# idle cycle without one), one written whose name holds a TAB and a
# newline (one escaped line); LINE NAMES DIR FILE prints what the loop
# prints for each.
run_loop() {
	local line=$1 text=$2 c=$'c\td\ne'
	ex_scratch
	mkdir src
	echo b >"$EXD.b"
	ex_sh "$text"
	ex_spawn "$EX_SH" -c "$text"
	ex_watchx
	ex_watched src
	echo a >src/a
	wait_for_line -F "$OUT" "$("$line" IN_CLOSE_WRITE src a)"
	mv "$EXD.b" src/b
	wait_for_line -F "$OUT" "$("$line" IN_MOVED_TO src b)"
	ex_idle
	echo c >"src/$c"
	wait_for_line -F "$OUT" "$("$line" IN_CLOSE_WRITE src 'c\td\ne')"
	ex_stop
	assert_out "$("$line" IN_CLOSE_WRITE src a)" "$("$line" IN_MOVED_TO src b)" \
		"$("$line" IN_CLOSE_WRITE src 'c\td\ne')"
}

_dir_file() {
	printf '%s/%s' "$2" "$3"
}

_names_path() {
	printf '%s: %s/%s' "$1" "$2" "$3"
}

_changed() {
	printf 'changed: %s/%s' "$2" "$3"
}

@test "example sh-loop: in sh, each file written or moved into src is printed as dir/file; ticks are skipped" {
	ex_each sh-loop run_loop _dir_file
}

@test "example format-loop: in bash, --format '%e\t%p' gives names and path; a TAB in a name arrives as \\t; no empty record when idle" {
	EX_NOTICK=1 ex_each format-loop run_loop _names_path
}

@test "example script-loop: 'changed: dir/file' for each file written or moved in; a name cannot split a record" {
	ex_each script-loop run_loop _changed
}

# --- -0 and xargs, jq -------------------------------------------------------------

check_xargs() {
	local text=$1 f sums=()
	ex_scratch
	mkdir src
	ex_sh "$text"
	ex_spawn "$EX_SH" -c "$text"
	ex_watchx
	ex_watched src
	# Each sum comes before the next file is written: as soon as it is closed.
	for f in plain 'a b' $'new\nline' $'tab\there' $'bad\xff'; do
		printf '%s\n' "$f" >"src/$f"
		sums+=("$(sha256sum -- "src/$f")")
		wait_for_line -F "$OUT" "${sums[-1]}"
	done
	ex_stop
	assert_out "${sums[@]}"
}

@test "example xargs-sha256: each file is checksummed as soon as it is written and closed, whatever its name holds" {
	ex_each xargs-sha256 check_xargs
}

check_jq() {
	local text=$1 bad=$'src/bad\xff' shown=$'src/bad\xef\xbf\xbd'
	ex_scratch
	mkdir -p src/sub
	ex_sh "$text"
	ex_spawn "$EX_SH" -c "$text"
	ex_watchx
	ex_watched src src/sub
	echo a >src/a
	wait_for_line -F "$OUT" src/a
	cat src/a >/dev/null
	echo b >src/sub/b
	wait_for_line -F "$OUT" src/sub/b
	mkdir -p src/new/deeper && echo c >src/new/deeper/c
	wait_for_line -F "$OUT" src/new/deeper/c
	echo bad >"$bad"
	wait_for_line -F "$OUT" "$shown"
	ex_idle
	echo z >src/z
	wait_for_line -F "$OUT" src/z
	ex_stop
	assert_out src/a src/sub/b src/new/deeper/c "$shown" src/z
}

@test "example jq-paths: the path of every file written and closed below src; no empty record when idle, bad UTF-8 as U+FFFD" {
	command -v jq >/dev/null || skip "jq is not installed (.ci/packages lists it)"
	EX_NOTICK=1 ex_each jq-paths check_jq
}

# --- --pair-moves -----------------------------------------------------------------

_demo_two_files() {
	mkdir demo
	echo n >demo/notes.txt
	echo d >demo/draft.txt
}

# The moves of the text: a rename in demo, and a move out of it.
_demo_moves() {
	mv demo/notes.txt demo/notes.old
	mv demo/draft.txt .
}

@test "example pair-moves: a rename is one line with the old path last; a move out is printed alone" {
	ex_each pair-moves run_transcript _demo_two_files _demo_moves
}

check_arrow() {
	local text=$1
	ex_scratch
	_demo_two_files
	ex_spawn sh -c "$text"
	ex_watchx
	ex_watched demo
	_demo_moves
	wait_for_lines "$OUT" 2
	ex_stop
	# The move out has no old path.
	assert_out "demo/notes.txt -> demo/notes.old" " -> demo/draft.txt"
}

@test "example pair-moves-arrow: old -> new; a move printed alone has no old path" {
	ex_each pair-moves-arrow check_arrow
}

# --- a terminal -------------------------------------------------------------------

_demo_empty() {
	mkdir demo
}

# What the transcript shows: a program writes notes.txt and renames it.
_demo_write_rename() {
	echo hello >demo/notes.txt
	mv demo/notes.txt demo/notes.old
}

@test "example terminal: what a program does to demo, then ^C" {
	ex_each terminal run_transcript _demo_empty _demo_write_rename
}

# check_stats TEXT: the transcript's command on demo while notes.txt is
# written and renamed, then ^C: the table shown, exactly, after the status
# lines.
check_stats() {
	local text=$1 cmd expected
	cmd=${text%%$'\n'*}
	cmd=${cmd#'$ '}
	expected=$(sed -n '2,$p' <<<"$text" | grep -vxF '^C')
	ex_scratch
	mkdir demo
	ex_spawn sh -c "$cmd"
	ex_watchx
	ex_watched demo
	_demo_write_rename
	wait_idle
	kill -INT -- "-$EX_PID"
	wait_exit "$EX_PID"
	assert_equal "$status" 130
	run cat "$ERR" "$OUT"
	assert_output "$expected"
}

@test "example stats: --stats counts what demo's writer did, and ^C prints the table" {
	ex_each stats check_stats
}

# --- -r --exclude -----------------------------------------------------------------

_source_dirs() {
	find . -path ./.git -prune -o -type d -print
}

check_exclude() {
	local text=$1 n
	ex_scratch
	if command -v git >/dev/null; then
		git init -q .
	else
		mkdir -p .git/objects .git/refs
	fi
	mkdir -p src/lib
	echo 'int main(void);' >src/main.c
	n=$(_source_dirs | wc -l)
	ex_spawn sh -c "$text"
	ex_watchx
	ex_watched $(_source_dirs)
	watch_count "$WX_PID"
	assert_equal "watches: $WATCHES" "watches: $n"
	echo o >src/main.o
	echo o >src/lib/util.o
	echo x >.git/description
	mkdir -p src/lib/.git/objects
	echo c >src/lib/util.c
	wait_for_line "$OUT" $'\tIN_CLOSE_WRITE\t\\./src/lib\tutil\\.c$'
	# Neither .git directory is watched, the new one included.
	watch_count "$WX_PID"
	assert_equal "watches: $WATCHES" "watches: $n"
	ex_stop
	run grep -E '\.o$|\.git' "$OUT"
	assert_failure
}

@test "example exclude: a source tree without .git, which is not even watched, and without object files" {
	ex_each exclude check_exclude
}

# --- -r --gitignore -----------------------------------------------------------------

check_gitignore() {
	local text=$1
	ex_scratch
	HOME=$EXD GIT_CONFIG_NOSYSTEM=1 git init -q .
	printf '%s\n' 'build/' '*.o' >.gitignore
	mkdir -p src build/obj
	echo 'int main(void);' >src/main.c
	HOME=$EXD GIT_CONFIG_NOSYSTEM=1 ex_spawn sh -c "$text"
	ex_watchx
	ex_watched . src
	# ., src: neither .git nor build.
	watch_count "$WX_PID"
	assert_equal "watches: $WATCHES" "watches: 2"
	echo o >src/main.o
	echo o >build/obj/x
	HOME=$EXD GIT_CONFIG_NOSYSTEM=1 git add src/main.c
	HOME=$EXD GIT_CONFIG_NOSYSTEM=1 git status >/dev/null
	echo c >>src/main.c
	wait_for_line -F "$OUT" 'IN_CLOSE_WRITE ./src/main.c'
	ex_stop
	run grep -E '\.o$|\.git|build' "$OUT"
	assert_failure
}

@test "example gitignore: a git checkout, without what git ignores and without .git" {
	ex_each gitignore check_gitignore
}

# --- -o: a log in JSON ------------------------------------------------------------

_json_logged() {
	grep -q '"names":\["IN_CLOSE_WRITE"\].*"path":"www/blog/index.html"' www-events.json 2>/dev/null
}

check_json_log() {
	local text=$1
	ex_scratch
	mkdir -p www/static
	# The example's TZ=UTC must win over the caller's time zone.
	ex_spawn env TZ=Asia/Kolkata sh -c "$text"
	ex_watchx
	ex_watched www www/static
	echo css >www/static/site.css
	mkdir www/blog && echo hello >www/blog/index.html
	poll "$WX_DEADLINE" "www/blog/index.html written is not in www-events.json" _json_logged
	ex_stop
	run python3 -c '
import json, re, sys
n = 0
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    assert r["path"].startswith("www"), r
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00", r["time"]), r
    n += 1
assert n >= 5, n
' www-events.json
	assert_success
	# Nothing else went to stdout: -o.
	assert_equal "$(cat "$OUT")" ""
}

@test "example json-log: every event below www, with its time in UTC, one JSON object a line, to a file" {
	ex_each json-log check_json_log
}

@test "example json-record: the sample record has the members of a real one, in order, of the same types" {
	ex_each json-record check_json_record
}

check_json_record() {
	local text=$1
	ex_scratch
	mkdir d
	ex_spawn watchx -j -q -n 1 d
	ex_watchx
	ex_watched d
	touch d/aa
	wait_exit "$EX_PID"
	assert_equal "$status" 0
	run python3 -c '
import json, re, sys
s = json.loads(sys.argv[1])
a = json.loads(open(sys.argv[2], encoding="utf-8").readline())
assert list(s) == list(a), (list(s), list(a))
for k in s:
    assert type(s[k]) == type(a[k]), k
for k in ("mask", "cookie", "len", "names", "filename"):
    assert s[k] == a[k], (k, s[k], a[k])
for r in (s, a):
    assert r["path"] == r["watch_path"] + "/" + r["filename"], r
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d", r["time"]), r
' "$text" "$OUT"
	assert_success
}

# --- Makefile: wait once ----------------------------------------------------------

# save STYLE: save src/config.h (which holds "old") the way STYLE does.
save() {
	case $1 in
	checkout) git checkout -q other ;;
	*) save_style "$1" src/config.h ;;
	esac
}

# wait_config STYLE TEXT: the recipe, src/config.h saved by STYLE: exit 0,
# the event that ended it printed last, under the path given.
wait_config() {
	local style=$1 text=$2
	ex_scratch
	mkdir src
	echo old >src/config.h
	if [[ $style == checkout ]]; then
		git init -q -b main . && git config user.email t@t && git config user.name t
		git add src/config.h && git commit -qm old
		git checkout -q -b other && echo new >src/config.h && git commit -qam new
		git checkout -q main
	fi
	ex_makefile "$text"
	ex_spawn make -f "$EX_MK" "$EX_TARGET"
	ex_watchx
	ex_watched src
	save "$style"
	wait_exit "$EX_PID"
	assert_equal "$style: $status" "$style: 0"
	run tail -n 1 "$OUT"
	[[ $output =~ ^[0-9]+$'\t'[0-9]+$'\t'[0-9]+$'\t'(IN_CLOSE_WRITE|IN_MOVED_TO)$'\t'src/config\.h$'\t'$ ]] ||
		fail "$style: last line '$output'"
}

wait_config_styles() {
	local style
	for style in write sed rename backup recreate; do
		wait_config "$style" "$1"
	done
}

@test "example wait-config: the recipe succeeds for every save style: in place, sed -i, write and rename, backup, delete and re-create" {
	ex_each wait-config wait_config_styles
}

@test "example wait-config: ... and git checkout" {
	command -v git >/dev/null || skip "git is not installed"
	ex_each wait-config wait_config checkout
}

check_wait_config_fails() {
	local text=$1
	# With --deadline 1 instead of 30 (so the test does not last 30 s),
	# never saved: the recipe fails with watchx's status 2.
	ex_subst "$text" ' --deadline 30 ' ' --deadline 1 '
	ex_scratch
	mkdir src
	echo old >src/config.h
	ex_makefile "$EX_TEXT"
	ex_spawn make -f "$EX_MK" "$EX_TARGET"
	wait_exit "$EX_PID" 10
	assert_equal "$status" 2
	run grep -c "Error 2\$" "$ERR"
	assert_output 1
	# Without --by-name, a save by rename ends it with 3.
	ex_subst "$text" '--by-name ' ''
	ex_scratch
	mkdir src
	echo old >src/config.h
	ex_makefile "$EX_TEXT"
	ex_spawn make -f "$EX_MK" "$EX_TARGET"
	ex_watchx
	ex_watched src/config.h
	save rename
	wait_exit "$EX_PID"
	assert_equal "$status" 2
	run grep -c "Error 3\$" "$ERR"
	assert_output 1
}

@test "example wait-config: status 2 once the deadline has passed (with --deadline 1), 3 without --by-name on a save by rename" {
	ex_each wait-config check_wait_config_fails
}

check_wait_config_unwatchable() {
	local text=$1
	ex_scratch
	mkdir src
	echo old >src/config.h
	ex_makefile "$text"
	# In a user namespace whose inotify may hold no watch.
	run --separate-stderr timeout -k 1 10 unshare -U -r sh -c \
		'echo 0 >/proc/sys/user/max_inotify_watches && PATH=$0 exec make -f "$1" "$2"' \
		"$EX_PATH" "$EX_MK" "$EX_TARGET"
	assert_equal "$status" 2
	[[ $stderr == *"watchx: cannot watch"*"Error 1" ]] || fail "stderr: $stderr"
}

@test "example wait-config: status 1 if the directory cannot be watched" {
	need_userns
	ex_each wait-config check_wait_config_unwatchable
}

# --- --wait-exists ----------------------------------------------------------------

check_wait_exists() {
	local text=$1
	# There already: 0 at once, silent.
	ex_scratch
	mkdir -p build/out
	echo '<testsuites/>' >build/out/report.xml
	run --separate-stderr timeout -k 1 10 env PATH="$EX_PATH" sh -c "$text"
	assert_success
	assert_output ""
	assert_equal "$stderr" ""
	# Not even its directory: 0 when it appears, and the event printed.
	ex_scratch
	ex_spawn sh -c "$text"
	ex_watchx
	ex_watched .
	mkdir -p build/out && echo '<testsuites/>' >build/out/report.xml
	wait_exit "$EX_PID"
	assert_equal "$status" 0
	run cat "$OUT"
	[[ $output =~ ^[0-9]+$'\t'[0-9]+$'\t'0$'\t'IN_CREATE$'\t'build/out/report\.xml$'\t'$ ]] ||
		fail "printed '$output'"
	# With --deadline 1 instead of 60: never made, 2.
	ex_subst "$text" ' --deadline 60 ' ' --deadline 1 '
	ex_scratch
	mkdir build
	ex_spawn sh -c "$EX_TEXT"
	wait_exit "$EX_PID" 10
	assert_equal "$status" 2
	assert_out ""
	# --wait-gone waits for the opposite.
	ex_subst "$text" --wait-exists --wait-gone
	ex_scratch
	mkdir -p build/out
	echo '<testsuites/>' >build/out/report.xml
	ex_spawn sh -c "$EX_TEXT"
	ex_watchx
	ex_watched build/out
	rm build/out/report.xml
	wait_exit "$EX_PID"
	assert_equal "$status" 0
	run cat "$OUT"
	[[ $output =~ $'\t'IN_DELETE$'\t'build/out/report\.xml$'\t'$ ]] || fail "printed '$output'"
}

@test "example wait-exists: 0 at once if there, else when it appears even in a new directory; 2 at the deadline; --wait-gone" {
	ex_each wait-exists check_wait_exists
}

# --- readiness: --ready-fd and a FIFO ---------------------------------------------

check_ready_fifo() {
	local text=$1 round
	ex_sh "$text"
	for round in 1 2 3; do
		ex_scratch
		ex_spawn "$EX_SH" -c "$text"
		# A write before watchx watched would leave it to its 30 s deadline.
		wait_exit "$EX_PID" 10
		assert_equal "round $round: $status" "round $round: 0"
		# After the events of out.txt, which -x does not filter.
		run tail -n 1 "$OUT"
		assert_output "out.txt was written"
		assert_equal "$(cat out.txt)" done
		assert_not_exist ready
	done
}

@test "example ready-fifo: the FIFO says when watchx watches; the write is seen, the status collected" {
	ex_each ready-fifo check_ready_fifo
}

check_ready_make() {
	local text=$1 line script=
	ex_scratch
	ex_makefile "$text"
	ex_spawn make -f "$EX_MK" "$EX_TARGET"
	wait_exit "$EX_PID" 10
	assert_equal "$status" 0
	assert_equal "$(cat out.txt)" done
	assert_not_exist ready
	# In a shell script: the same lines without the TABs, without the \
	# after & and ;, and with $! for $$!.
	while IFS= read -r line; do
		line=${line#$'\t'}
		line=${line//'$$'/'$'}
		case $line in
		*'& \' | *'; \') line=${line% \\} ;;
		esac
		script+=$line$'\n'
	done <<<"${text#*$'\n'}"
	printf '# as a shell script:\n%s' "$script"
	ex_scratch
	ex_spawn sh -c "$script"
	wait_exit "$EX_PID" 10
	assert_equal "$status" 0
	assert_equal "$(cat out.txt)" done
}

@test "example ready-make: the recipe waits for watchx, writes, and returns its status 0; so do its lines in sh" {
	ex_each ready-make check_ready_make
}

# --- the rebuild loop -------------------------------------------------------------

_built() {
	local IFS=$'\n'
	[[ "$(cat build.log 2>/dev/null)" == "$*" ]]
}

# check_rebuild LINKS TEXT: make runs once for a burst of changes to .c
# files (one written in a new directory too), after it; not for other
# files; again for a .c file moved in; with LINKS=links, for a link made.
# The Makefile logs how many .c files there are at each build.
check_rebuild() {
	local links=$1 text=$2
	ex_scratch
	mkdir src
	printf 'all:\n\t@echo "built $$(find src -name '\''*.c'\'' | wc -l)" >>build.log\n' >Makefile
	echo d >"$EXD.d.c"
	ex_sh "$text"
	ex_spawn "$EX_SH" -c "$text"
	ex_watchx
	ex_watched src
	# Not a .c file: no build (it would log "built 0").
	_ex_wchar
	echo notes >src/notes.txt
	poll "$WX_DEADLINE" "no event for src/notes.txt" _ex_wrote_since "$WCHAR"
	ex_tick
	echo a >src/a.c
	echo notes >src/notes2.txt
	echo b >src/b.c
	mkdir -p src/sub/new && echo c >src/sub/new/c.c
	poll "$WX_DEADLINE" "not one build after the burst" _built "built 3"
	mv "$EXD.d.c" src/d.c
	poll "$WX_DEADLINE" "no build for a file moved in" _built "built 3" "built 4"
	if [[ $links == links ]]; then
		ln -s a.c src/link.c
		poll "$WX_DEADLINE" "no build for a link made" _built "built 3" "built 4" "built 5"
	fi
	ex_stop
	assert_out ""
}

@test "example rebuild: in sh, make once for a burst of .c files written, created or moved in below src" {
	ex_each rebuild check_rebuild links
}

@test "example rebuild-bash: in bash, make once for a burst of .c files written or moved in below src" {
	ex_each rebuild-bash check_rebuild no-links
}

# --- -n 1 -------------------------------------------------------------------------

check_first_event() {
	local text=$1
	ex_scratch
	mkdir dir
	ex_spawn sh -c "$text"
	ex_watchx
	ex_watched dir
	touch dir/f
	wait_exit "$EX_PID"
	assert_equal "$status" 0
	run cut -f2- "$OUT"
	assert_output "$(printf '256\t0\tIN_CREATE\tdir\tf')"
}

@test "example first-event: the first event in dir printed, then exit 0" {
	ex_each first-event check_first_event
}

# --- not run: the Makefile's own targets ------------------------------------------

# check_make_targets TEXT: each line is make with targets and VAR=value:
# each target is a rule of the Makefile, each VAR used by it.
check_make_targets() {
	local text=$1 line word mk=$BATS_TEST_DIRNAME/../Makefile
	while read -r line; do
		line=${line%%#*}
		set -f
		set -- $line
		set +f
		assert_equal "$1" make
		shift
		for word; do
			if [[ $word == *=* ]]; then
				grep -qE "^${word%%=*}[[:space:]]*[?:]?=|\\\$\\(${word%%=*}\\)" "$mk" ||
					fail "$EX_DOC: the Makefile has no variable ${word%%=*}"
			else
				grep -q "^$word:" "$mk" || fail "$EX_DOC: the Makefile has no target $word"
			fi
		done
	done <<<"$text"
}

@test "example quick-start: not run (it installs packages and runs this suite); its targets exist" {
	ex_each quick-start check_make_targets
}

@test "example build-install: not run (it builds, installs, runs for minutes); its targets and variables exist" {
	ex_each build-install check_make_targets
}

# --- every example named and tested -----------------------------------------------

@test "examples: every example is named, every name has a test here, every test here names an example" {
	local p args=() names tested missing stale
	for p in "${NOT_EXAMPLES[@]}"; do
		args+=(--not-example "$p")
	done
	run python3 "$EXAMPLES" check "${args[@]}"
	assert_success
	names=$({ python3 "$EXAMPLES" names man && python3 "$EXAMPLES" names readme; } | sort -u)
	tested=$(sed -nE 's/^@test "example ([a-z0-9-]+):.*/\1/p' "$BATS_TEST_FILENAME" | sort -u)
	missing=$(comm -23 <(echo "$names") <(echo "$tested"))
	stale=$(comm -13 <(echo "$names") <(echo "$tested"))
	[[ -z $missing ]] || fail "examples with no test in ${BATS_TEST_FILENAME##*/}: $missing"
	[[ -z $stale ]] || fail "tests of examples that no document has: $stale"
}

@test "examples: the check finds a new example without a name, a name used twice, a name without a block" {
	local p args=() top=$BATS_TEST_DIRNAME/..
	for p in "${NOT_EXAMPLES[@]}"; do
		args+=(--not-example "$p")
	done
	cp "$top/README.md" readme
	printf '\nWatch d:\n\n    watchx -q d\n' >>readme
	run python3 "$EXAMPLES" --readme readme check "${args[@]}"
	assert_failure
	assert_output --partial "code block without an example name: watchx -q d"
	cp "$top/README.md" readme
	printf '\n<!-- example: terminal -->\n\n    watchx -q d\n\n<!-- example: lost -->\n\nText.\n' >>readme
	run python3 "$EXAMPLES" --readme readme check "${args[@]}"
	assert_failure
	assert_output --partial "example terminal is named already"
	assert_output --partial "example lost is not followed by a code block"
	# The man page: a name taken away.
	sed '/^\.\\" example: first-event$/d' "$top/man/watchx.1" >man
	run python3 "$EXAMPLES" --man man check "${args[@]}"
	assert_failure
	assert_output --partial "literal display in EXAMPLES without an example name: watchx -q -n 1 dir"
}

# --- -H and --wait-written ----------------------------------------------------------

# check_human TEXT: the transcript's command on demo, in a UTF-8 locale,
# while notes.txt is written and renamed; the status lines as shown, and
# each event line as shown but for its time (the first 14 columns).
check_human() {
	local text=$1 cmd expected n
	cmd=${text%%$'\n'*}
	cmd=${cmd#'$ '}
	expected=$(sed -n '2,$p' <<<"$text" | grep -vxF '^C')
	n=$(wc -l <<<"$expected")
	ex_scratch
	mkdir demo
	ex_spawn env LANG=C.UTF-8 sh -c "$cmd"
	ex_watchx
	ex_watched demo
	echo hello >demo/notes.txt
	mv demo/notes.txt demo/notes.old
	poll "$WX_DEADLINE" "not the $n lines shown" _lines_at_least "$n"
	kill -INT -- "-$EX_PID"
	wait_exit "$EX_PID"
	assert_equal "$status" 130
	assert_equal "$(cat "$ERR" "$OUT" | grep -v '^[0-9]')" \
		"$(grep -v '^[0-9]' <<<"$expected")"
	assert_equal "$(cut -c15- "$OUT")" "$(grep '^[0-9]' <<<"$expected" | cut -c15-)"
	run grep -cvE '^[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\.[0-9]{3}  ' "$OUT"
	assert_output 0
}

@test "example human: a person's view of a write and a rename, then ^C" {
	ex_each human check_human
}

# check_wait_written TEXT: the consumer (./consume copies the file) runs
# after a producer that writes in two parts, started before the wait or
# after it: it always gets both parts.
check_wait_written() {
	local text=$1 first
	for first in producer consumer; do
		ex_scratch
		mkdir gen
		printf '#!/bin/sh\ncat "$1" >consumed\n' >consume
		chmod +x consume
		if [[ $first == producer ]]; then
			{ echo part1; sleep 0.5; echo part2; } >gen/data.txt &
			ex_spawn sh -c "$text"
		else
			ex_spawn sh -c "$text"
			ex_watchx
			{ echo part1; sleep 0.5; echo part2; } >gen/data.txt &
		fi
		wait_exit "$EX_PID" 10
		assert_equal "$first first: $status" "$first first: 0"
		assert_equal "$first first: $(cat consumed)" "$first first: part1
part2"
	done
}

@test "example wait-written: the consumer reads the whole file, the producer started before or after it" {
	ex_each wait-written check_wait_written
}
