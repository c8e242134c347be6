#!/usr/bin/env bats
# The twelve inotifywait idioms of README.md's table, each run as a user
# writes it: once under the name inotifywait, once in watchx's own form.
# Every test asserts the exact lines and exit status.

load helper

setup() {
	wx_setup
	mkdir -p bin
	ln -s "$WATCHX" bin/watchx
	ln -s "$WATCHX" bin/inotifywait
	PATH=$PWD/bin:$PATH
}

# pipeline CMD: run the shell command CMD (a watcher and its consumer) in
# the background, its output in $OUT and its stderr in $ERR; wait until the
# watcher says "Watches established.".
pipeline() {
	: >"$OUT"
	: >"$ERR"
	bash -c "$1" >"$OUT" 2>"$ERR" 3>&- &
	WX_PID=$!
	WX_PIDS+=("$WX_PID")
	wait_established
}

# quiet_pipeline N NAME CMD: pipeline, for a watcher that says nothing
# (-q): wait until a process NAME that CMD started holds N watches.
quiet_pipeline() {
	local n=$1 name=$2
	: >"$OUT"
	: >"$ERR"
	bash -c "$3" >"$OUT" 2>"$ERR" 3>&- &
	WX_PID=$!
	WX_PIDS+=("$WX_PID")
	child_watches "$n" "$name"
}

# child_watches N NAME: wait until a process NAME started by the pipeline
# holds N watches.
child_watches() {
	poll "$WX_DEADLINE" "no $2 holding $1 watches" _child_has "$@"
}

_child_has() {
	local pid
	pid=$(pgrep -P "$WX_PID" -x "$2") || return 1
	_count_is "$1" "$pid"
}

# end_pipeline: stop the watcher of the pipeline (SIGTERM), so that its
# consumer reads to the end; wait for the whole command.
end_pipeline() {
	local name
	# bash -c runs a lone command in its own process.
	name=$(cat /proc/"$WX_PID"/comm 2>/dev/null) || true
	if [[ $name == inotifywait || $name == watchx ]]; then
		kill -TERM "$WX_PID"
	else
		pkill -TERM -P "$WX_PID" -x inotifywait || true
		pkill -TERM -P "$WX_PID" -x watchx || true
	fi
	wait_exit
}

# 1. Every file written under a tree, as one full path per line.

@test "idiom 1, inotifywait: -m -r -e close_write --format '%w%f' dir | while read f" {
	mkdir -p dir/sub
	pipeline 'inotifywait -m -r -e close_write --format "%w%f" dir |
	    while read -r f; do echo "got $f"; done'
	echo x >dir/a.txt
	echo y >dir/sub/b.txt
	wait_for_lines "$OUT" 2
	sleep 1.1 # an idle cycle: no empty line may follow
	end_pipeline
	assert_out "got dir/a.txt" "got dir/sub/b.txt"
}

@test "idiom 1, watchx: -r -e close_write -f '%w%f' dir | while read f" {
	mkdir -p dir/sub
	pipeline 'watchx -r -e close_write -f "%w%f" dir |
	    while read -r f; do echo "got $f"; done'
	echo x >dir/a.txt
	echo y >dir/sub/b.txt
	wait_for_lines "$OUT" 2
	sleep 1.1 # an idle cycle: no empty line may follow
	end_pipeline
	assert_out "got dir/a.txt" "got dir/sub/b.txt"
}

# 2. Wait for one save, then act.

@test "idiom 2, inotifywait: -e close_write f && make" {
	touch f
	pipeline 'inotifywait -e close_write f && echo make'
	echo x >f
	wait_exit
	assert_equal "$status" 0
	assert_out "f CLOSE_WRITE,CLOSE " make
}

@test "idiom 2, watchx: -x close_write f && make" {
	touch f
	pipeline 'watchx -x close_write f && echo make'
	echo x >f
	wait_exit
	assert_equal "$status" 0
	run cut -f4- "$OUT"
	assert_output "IN_CLOSE_WRITE	f	
make"
}

# 3. Rebuild on every change, silently.

@test "idiom 3, inotifywait: while inotifywait -qq -r -e modify src; do make; done" {
	mkdir -p src/lib
	# Two rounds, then the loop ends.
	quiet_pipeline 2 inotifywait 'n=0
	    while inotifywait -qq -r -e modify src; do
	    n=$((n + 1)); echo "make $n"; [ $n -lt 2 ] || break; done'
	echo x >>src/lib/a.c
	wait_for_lines "$OUT" 1
	# The second round watches: a new process, with its own watches.
	child_watches 2 inotifywait
	echo y >>src/b.c
	wait_exit
	assert_equal "$status" 0
	assert_out "make 1" "make 2"
}

@test "idiom 3, watchx: while watchx -q -r -x modify src >/dev/null; do make; done" {
	mkdir -p src/lib
	quiet_pipeline 2 watchx 'n=0
	    while watchx -q -r -x modify src >/dev/null; do
	    n=$((n + 1)); echo "make $n"; [ $n -lt 2 ] || break; done'
	echo x >>src/lib/a.c
	wait_for_lines "$OUT" 1
	child_watches 2 watchx
	echo y >>src/b.c
	wait_exit
	assert_equal "$status" 0
	assert_out "make 1" "make 2"
}

# 4. Wait for a file to appear, but not forever.

@test "idiom 4, inotifywait: -t 30 -e create dir: 0 on a create, 2 on the timeout" {
	mkdir dir
	pipeline 'inotifywait -t 30 -e create dir; echo "status $?"'
	touch dir/new
	wait_exit
	assert_out "dir/ CREATE new" "status 0"
	pipeline 'inotifywait -t 1 -e create dir; echo "status $?"'
	echo x >>dir/new
	wait_exit
	assert_out "status 2"
}

@test "idiom 4, watchx: -t 30 -x create dir: 0 on a create, 2 on the timeout" {
	mkdir dir
	pipeline 'watchx -t 30 -x create dir; echo "status $?"'
	touch dir/new
	wait_exit
	run cut -f4- "$OUT"
	assert_output "IN_CREATE	dir	new
status 0"
	pipeline 'watchx -t 1 -x create dir; echo "status $?"'
	echo x >>dir/new
	wait_exit
	assert_out "status 2"
}

# 5. Leave an editor's swap files out.

@test "idiom 5, inotifywait: -m -e create --exclude '\\.swp\$' dir" {
	mkdir dir
	pipeline 'inotifywait -m -e create --exclude "\.swp$" dir'
	touch dir/.a.swp dir/a
	wait_for_lines "$OUT" 1
	end_pipeline
	assert_out "dir/ CREATE a"
}

@test "idiom 5, watchx: -e create --exclude '*.swp' dir" {
	mkdir dir
	pipeline 'watchx -e create -f "%e %p" --exclude "*.swp" dir'
	touch dir/.a.swp dir/a
	wait_for_lines "$OUT" 1
	end_pipeline
	assert_out "IN_CREATE dir/a"
}

# 6. Events for a program: CSV, or JSON.

@test "idiom 6, inotifywait: -m -c dir (CSV)" {
	mkdir dir
	pipeline 'inotifywait -m -c -e create,delete dir'
	touch 'dir/a,b'
	rm 'dir/a,b'
	wait_for_lines "$OUT" 2
	end_pipeline
	assert_out 'dir/,CREATE,"a,b"' 'dir/,DELETE,"a,b"'
}

@test "idiom 6, watchx: --json dir, one object per line for jq or json.loads" {
	mkdir dir
	pipeline 'watchx --json -e create,delete dir |
	    python3 -c "import json, sys
for l in sys.stdin: e = json.loads(l); print(e[\"names\"], e[\"path\"])"'
	touch 'dir/a,b'
	rm 'dir/a,b'
	wait_for_lines "$OUT" 2
	sleep 1.1 # an idle cycle: no empty line may reach json.loads
	end_pipeline
	assert_out "['IN_CREATE'] dir/a,b" "['IN_DELETE'] dir/a,b"
}

# 7. Log in the background.

@test "idiom 7, inotifywait: -d -o log -e create dir returns at once, watching" {
	mkdir dir
	run inotifywait -d -o log -e create -t 2 dir
	assert_success
	assert_output ""
	touch dir/a
	wait_for_line -F log "dir/ CREATE a"
}

@test "idiom 7, watchx: -o log -e create dir & (--ready-fd says when it watches)" {
	mkdir dir
	watchx -q -o log -e create -t 2 --ready-fd 4 dir 4>ready 3>&- &
	WX_PID=$!
	WX_PIDS+=("$WX_PID")
	wait_for_lines ready 1
	touch dir/a
	wait_for_line log $'\tdir\ta$'
	run cut -f4- log
	assert_output "IN_CREATE	dir	a"
}

# 8. Branch on the event's name.

@test "idiom 8, inotifywait: --format '%e %f' | while read ev f; case \$ev in CREATE*)" {
	mkdir dir
	pipeline 'inotifywait -m -e create,delete --format "%e %f" dir |
	    while read -r ev f; do case $ev in
	    CREATE*) echo "new $f" ;; DELETE*) echo "gone $f" ;; esac; done'
	mkdir dir/sub
	rm -r dir/sub
	wait_for_lines "$OUT" 2
	end_pipeline
	assert_out "new sub" "gone sub"
}

@test "idiom 8, watchx: -f '%e %f' | while read ev f; case \$ev in IN_CREATE*)" {
	mkdir dir
	pipeline 'watchx -e create,delete -f "%e %f" dir |
	    while read -r ev f; do case $ev in
	    IN_CREATE*) echo "new $f" ;; IN_DELETE*) echo "gone $f" ;; esac; done'
	mkdir dir/sub
	rm -r dir/sub
	wait_for_lines "$OUT" 2
	end_pipeline
	assert_out "new sub" "gone sub"
}

# 9. Only some files, in a whole tree.

@test "idiom 9, inotifywait: -m -r --include '\\.txt\$' --format '%w%f' dir" {
	mkdir -p dir/sub
	pipeline 'inotifywait -m -r -e create --include "\.txt$" --format "%w%f" dir'
	touch dir/a.dat dir/sub/b.txt dir/c.txt
	wait_for_lines "$OUT" 2
	end_pipeline
	assert_out dir/sub/b.txt dir/c.txt
}

@test "idiom 9, watchx: -r --include '*.txt' -f '%p' dir" {
	mkdir -p dir/sub
	pipeline 'watchx -r -e create --include "*.txt" -f "%p" dir'
	touch dir/a.dat dir/sub/b.txt dir/c.txt
	wait_for_lines "$OUT" 2
	end_pipeline
	assert_out dir/sub/b.txt dir/c.txt
}

# 10. A log with the time.

@test "idiom 10, inotifywait: --timefmt '%Y' --format '%T %w%f %e'" {
	mkdir dir
	pipeline 'inotifywait -m -e create --timefmt "%Y" --format "%T %w%f %e" dir'
	touch dir/a
	wait_for_lines "$OUT" 1
	end_pipeline
	assert_out "$(date +%Y) dir/a CREATE"
}

@test "idiom 10, watchx: --timefmt '%Y' -f '%T %p %e'" {
	mkdir dir
	pipeline 'watchx -e create --timefmt "%Y" -f "%T %p %e" dir'
	touch dir/a
	wait_for_lines "$OUT" 1
	end_pipeline
	assert_out "$(date +%Y) dir/a IN_CREATE"
}

# 11. Any file name, safely, into xargs -0.

@test "idiom 11, inotifywait: --format '%w%f%0' --no-newline | xargs -0 -n1" {
	mkdir dir
	pipeline 'inotifywait -m -e create --format "%w%f%0" --no-newline dir |
	    xargs -0 -n1 printf "<%s>\n"'
	touch dir/'a b' dir/$'c\nd'
	# Each record reaches xargs whole: wait for the last line of the two.
	wait_for_line -F "$OUT" "d>"
	sleep 1.1 # an idle cycle: no empty record may reach xargs
	end_pipeline
	assert_out "<dir/a b>" "<dir/c" "d>"
}

@test "idiom 11, watchx: -0 -f %p | xargs -0 -n1" {
	mkdir dir
	pipeline 'watchx -0 -e create -f %p dir | xargs -0 -n1 printf "<%s>\n"'
	touch dir/'a b' dir/$'c\nd'
	wait_for_line -F "$OUT" "d>"
	sleep 1.1 # an idle cycle: no empty record may reach xargs
	end_pipeline
	assert_out "<dir/a b>" "<dir/c" "d>"
}

# 12. A whole tree but one directory.

@test "idiom 12, inotifywait: -m -r dir @dir/.git" {
	mkdir -p dir/.git dir/src
	pipeline 'inotifywait -m -r -e create dir @dir/.git'
	touch dir/.git/index dir/src/a.c
	wait_for_lines "$OUT" 1
	end_pipeline
	assert_out "dir/src/ CREATE a.c"
}

@test "idiom 12, watchx: -r --exclude /.git/ dir" {
	mkdir -p dir/.git dir/src
	pipeline 'watchx -r -e create -f "%w%f" --exclude /.git/ dir'
	touch dir/.git/index dir/src/a.c
	wait_for_lines "$OUT" 1
	end_pipeline
	assert_out "dir/src/a.c"
}
