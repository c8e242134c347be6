#!/usr/bin/env bats
# --gitignore: what git ignores is neither printed nor watched, .git is
# never watched, and a .gitignore changed at run time counts from then on.
# tests/oracle/gitignore.py holds the verdicts to git check-ignore's over
# generated trees; these are the cases a reader can check by eye.

load helper

setup() {
	wx_setup
	# git's view must not depend on the user running the tests.
	export HOME=$BATS_TEST_TMPDIR/home GIT_CONFIG_NOSYSTEM=1
	unset XDG_CONFIG_HOME GIT_DIR GIT_WORK_TREE
	mkdir -p "$HOME"
	git init -q r
}

# touch_all FILE...: touch each, then r/zz-end, and wait for the latter.
touch_all() {
	touch "$@"
	touch r/zz-end
	wait_for_line -F "$OUT" "${ZZ:-r/zz-end}"
}

# printed PATH: PATH is in $OUT; not_printed PATH: it is not.
printed() {
	grep -qxF "$1" "$OUT" || { _dump; fail "$1 not printed"; }
}
not_printed() {
	! grep -qxF "$1" "$OUT" || { _dump; fail "$1 printed"; }
}

@test "--gitignore: what git ignores is not printed, and ignored directories and .git hold no watch" {
	printf '%s\n' 'build/' '*.o' '!keep.o' >r/.gitignore
	mkdir -p r/src/sub r/build/deep/er r/src/build
	: >r/src/a.c
	: >r/src/b.o
	: >r/src/keep.o
	: >r/build/out
	wx_start --no-tick -r --gitignore -e attrib -f '%p' r
	# r, r/src, r/src/sub: not .git and what is below it, not the builds.
	watch_count
	assert_equal "$WATCHES" 3
	touch_all r/src/a.c r/src/b.o r/src/keep.o r/build/out r/src/build r/.git/HEAD
	wx_stop
	printed r/src/a.c
	printed r/src/keep.o
	not_printed r/src/b.o
	not_printed r/build/out
	not_printed r/src/build
	run grep -F .git "$OUT"
	assert_output ""
}

@test "--gitignore: what git does in its .git directory is not printed" {
	: >r/f
	git -C r add f
	wx_start --no-tick -r --gitignore -f '%e %p' r
	git -C r status >/dev/null
	git -C r -c user.name=t -c user.email=t@t commit -qm one
	: >r/zz-end
	wait_for_line -F "$OUT" 'IN_CREATE r/zz-end'
	wx_stop
	run grep -F .git "$OUT"
	assert_output ""
}

@test "--gitignore: a nested .gitignore decides before its parent's, relative to its own directory" {
	printf '%s\n' '*.log' '/top.txt' >r/.gitignore
	mkdir -p r/a/b
	printf '%s\n' '!keep.log' '/b/x.txt' 'top.txt' >r/a/.gitignore
	: >r/a/keep.log
	: >r/a/drop.log
	: >r/a/b/x.txt
	: >r/a/x.txt
	: >r/a/top.txt
	: >r/top.txt
	wx_start --no-tick -r --gitignore -e attrib -f '%p' r
	touch_all r/a/keep.log r/a/drop.log r/a/b/x.txt r/a/x.txt r/a/top.txt r/top.txt
	wx_stop
	printed r/a/keep.log
	printed r/a/x.txt
	not_printed r/a/drop.log
	not_printed r/a/b/x.txt
	not_printed r/a/top.txt
	not_printed r/top.txt
}

@test "--gitignore: .git/info/exclude and core.excludesFile count, after every .gitignore" {
	printf '%s\n' '*.a' >r/.git/info/exclude
	printf '%s\n' '*.b' '*.c' >"$HOME/ignore"
	git config --global core.excludesFile "$HOME/ignore"
	printf '%s\n' '!x.b' >r/.gitignore
	printf '%s\n' '!y.c' >>r/.git/info/exclude
	: >r/f.a
	: >r/f.b
	: >r/x.b
	: >r/f.c
	: >r/y.c
	: >r/f.d
	wx_start --no-tick -r --gitignore -e attrib -f '%p' r
	touch_all r/f.a r/f.b r/x.b r/f.c r/y.c r/f.d
	wx_stop
	printed r/x.b
	printed r/y.c
	printed r/f.d
	not_printed r/f.a
	not_printed r/f.b
	not_printed r/f.c
}

@test "--gitignore: without core.excludesFile, XDG_CONFIG_HOME/git/ignore counts" {
	export XDG_CONFIG_HOME=$BATS_TEST_TMPDIR/xdg
	mkdir -p "$XDG_CONFIG_HOME/git"
	printf '%s\n' '*.tmp' >"$XDG_CONFIG_HOME/git/ignore"
	: >r/f.tmp
	: >r/f.txt
	wx_start --no-tick -r --gitignore -e attrib -f '%p' r
	touch_all r/f.tmp r/f.txt
	wx_stop
	printed r/f.txt
	not_printed r/f.tmp
}

@test "--gitignore: a path below the top counts the .gitignore files above it, relative to the top" {
	printf '%s\n' '/src/gen/' '*.o' >r/.gitignore
	mkdir -p r/src/gen r/src/lib/gen
	printf '%s\n' 'lib/*.tmp' >r/src/.gitignore
	: >r/src/gen/g.c
	: >r/src/lib/gen/h.c
	: >r/src/lib/m.o
	: >r/src/lib/t.tmp
	: >r/src/lib/u.c
	wx_start --no-tick -r --gitignore -e attrib -f '%p' r/src
	# r/src, r/src/lib, r/src/lib/gen.
	watch_count
	assert_equal "$WATCHES" 3
	ZZ=r/src/zz-end
	touch r/src/gen/g.c r/src/lib/gen/h.c r/src/lib/m.o r/src/lib/t.tmp r/src/lib/u.c r/src/zz-end
	wait_for_line -F "$OUT" r/src/zz-end
	wx_stop
	printed r/src/lib/gen/h.c
	printed r/src/lib/u.c
	not_printed r/src/gen/g.c
	not_printed r/src/lib/m.o
	not_printed r/src/lib/t.tmp
}

@test "--gitignore: each of two relative paths below the top counts the .gitignore files above it" {
	printf '%s\n' '/a/gen/' '/b/gen/' '*.o' >r/.gitignore
	mkdir -p r/a/gen r/a/sub r/b/gen r/b/sub
	: >r/a/gen/g.c
	: >r/b/gen/g.c
	: >r/a/sub/m.o
	: >r/b/sub/m.o
	: >r/a/sub/u.c
	: >r/b/sub/u.c
	# The first path's walk leaves the working directory in its tree:
	# the second one's work tree is found all the same.
	wx_start --no-tick -r --gitignore -e attrib -f '%p' r/a r/b
	# r/a, r/a/sub, r/b, r/b/sub.
	watch_count
	assert_equal "$WATCHES" 4
	ZZ=r/b/zz-end
	touch r/a/gen/g.c r/b/gen/g.c r/a/sub/m.o r/b/sub/m.o r/a/sub/u.c r/b/sub/u.c r/b/zz-end
	wait_for_line -F "$OUT" r/b/zz-end
	wx_stop
	printed r/a/sub/u.c
	printed r/b/sub/u.c
	not_printed r/a/gen/g.c
	not_printed r/b/gen/g.c
	not_printed r/a/sub/m.o
	not_printed r/b/sub/m.o
}

@test "--gitignore: a .gitignore changed at run time counts for later events" {
	printf '%s\n' '*.log' 'out/' >r/.gitignore
	mkdir -p r/out/deep r/src
	: >r/out/deep/o1
	: >r/a.log
	: >r/src/s.c
	wx_start --no-tick -r --gitignore -e attrib,create -f '%e %p' r
	wait_watches 2
	# Un-ignore out/ and *.log, ignore src/.
	printf '%s\n' 'src/' >r/.gitignore
	# r, r/out, r/out/deep.
	wait_watches 3
	wait_for_line -F "$OUT" 'IN_CREATE r/out/deep/o1'
	touch r/a.log r/out/deep/o1 r/src/s.c
	: >r/zz-end
	wait_for_line -F "$OUT" 'IN_CREATE r/zz-end'
	wx_stop
	printed 'IN_CREATE,IN_ISDIR r/out'
	printed 'IN_CREATE,IN_ISDIR r/out/deep'
	printed 'IN_ATTRIB r/a.log'
	printed 'IN_ATTRIB r/out/deep/o1'
	not_printed 'IN_ATTRIB r/src/s.c'
}

@test "--gitignore: a .gitignore deleted or renamed away no longer counts" {
	printf '%s\n' '*.log' 'out/' >r/.gitignore
	mkdir -p r/out r/sub
	printf '%s\n' '*.txt' >r/sub/.gitignore
	: >r/out/f
	: >r/sub/a.txt
	wx_start --no-tick -r --gitignore -e attrib -f '%p' r
	rm r/.gitignore
	mv r/sub/.gitignore r/sub/old
	wait_watches 3
	touch r/out/f r/sub/a.txt
	touch r/zz-end
	wait_for_line -F "$OUT" r/zz-end
	wx_stop
	printed r/out/f
	printed r/sub/a.txt
}

@test "--gitignore: a .gitignore that is a symbolic link is not read, as in git" {
	printf '%s\n' '*.x' >r/patterns
	ln -s patterns r/.gitignore
	: >r/f.x
	wx_start --no-tick -r --gitignore -e attrib -f '%p' r
	touch_all r/f.x
	wx_stop
	printed r/f.x
}

@test "--gitignore outside a work tree: the path given is taken as the top" {
	mkdir -p plain/b
	printf '%s\n' '/b/' >plain/.gitignore
	: >plain/b/f
	: >plain/g
	wx_start --no-tick -r --gitignore -e attrib -f '%p' plain
	touch plain/b/f plain/g
	wait_for_line -F "$OUT" plain/g
	wx_stop
	not_printed plain/b/f
}

@test "--gitignore needs -r, and cannot be used with --by-name or a wait" {
	run_wx --gitignore r
	assert_equal "$status" 1
	assert_equal "$stderr" "watchx: --gitignore needs -r"
	run_wx -r --by-name --gitignore r
	assert_equal "$status" 1
	assert_equal "$stderr" "watchx: --gitignore cannot be used with --by-name or a wait"
}

@test "--gitignore: a directory moved among other patterns is judged by them" {
	mkdir -p r/a r/b/gen r/c
	printf '%s\n' 'gen/' >r/a/.gitignore
	: >r/b/gen/f
	wx_start --no-tick -r --gitignore -e attrib,create,move -f '%e %p' r
	# r, a, b, b/gen, c.
	wait_watches 5
	mv r/b r/a/b
	# a/b/gen is ignored now.
	wait_watches 4
	mv r/a/b r/c/b
	# c/b/gen is not: watched, and reported with what it holds.
	wait_watches 5
	wait_for_line -F "$OUT" 'IN_CREATE r/c/b/gen/f'
	touch r/c/b/gen/f
	wait_for_line -F "$OUT" 'IN_ATTRIB r/c/b/gen/f'
	wx_stop
	printed 'IN_CREATE,IN_ISDIR r/c/b/gen'
}

@test "--exclude: a directory moved to where an anchored pattern matches what it holds is judged by it" {
	mkdir -p t/a t/b/gen
	wx_start --no-tick -r -e create -f '%p' --exclude '/a/*/gen/' t
	wait_watches 4
	mv t/b t/a/b
	wait_watches 3
	mv t/a/b t/b2
	wait_watches 4
	: >t/b2/gen/f
	wait_for_line -F "$OUT" t/b2/gen/f
	wx_stop
}

@test "--gitignore: a .gitignore changed in a directory renamed before watchx reads the change still counts" {
	mkdir -p r/d
	printf '%s\n' '*.o' >r/.gitignore
	: >r/d/a.o
	wx_start --no-tick -r --gitignore -e attrib -f '%p' r
	# All of it read at once: the change, the rename, then the touch.
	kill -STOP "$WX_PID"
	printf '%s\n' '!a.o' >r/d/.gitignore
	mv r/d r/e
	touch r/e/a.o r/zz-end
	kill -CONT "$WX_PID"
	wait_for_line -F "$OUT" r/zz-end
	wx_stop
	printed r/e/a.o
}

@test "--gitignore: an event on the path given itself is printed (it is never ignored), first thing" {
	# No sub-directory: that event is the first question asked.
	mkdir plain
	printf '%s\n' '*' >plain/.gitignore
	wx_start --no-tick -r --gitignore -e attrib -f '%p' plain
	touch plain
	wait_for_line -F "$OUT" plain
	wx_stop
}

@test "--gitignore: the patterns of a hundred directories' .gitignore files all count" {
	local i
	for i in $(seq 100); do
		mkdir r/d$i
		printf '%s\n' '*.log' >r/d$i/.gitignore
		: >r/d$i/x.log
	done
	wx_start --no-tick -r --gitignore -e attrib -f '%p' r
	touch r/d*/x.log r/zz-end
	wait_for_line -F "$OUT" r/zz-end
	wx_stop
	assert_out r/zz-end
}

@test "--gitignore: a .gitignore changed in a directory renamed twice before watchx reads it still counts" {
	mkdir -p r/a/b
	: >r/a/b/x.log
	wx_start --no-tick -r --gitignore -e attrib -f '%p' r
	kill -STOP "$WX_PID"
	printf '%s\n' '*.log' >r/a/b/.gitignore
	mv r/a/b r/a/c
	mv r/a/c r/a/d
	touch r/a/d/x.log r/zz-end
	kill -CONT "$WX_PID"
	wait_for_line -F "$OUT" r/zz-end
	wx_stop
	not_printed r/a/d/x.log
}

@test "--gitignore: a .gitignore made as a hard link counts" {
	mkdir r/d
	printf '%s\n' '*.log' >elsewhere
	: >r/d/x.log
	wx_start --no-tick -r --gitignore -e attrib -f '%p' r
	ln elsewhere r/d/.gitignore
	touch r/d/x.log r/zz-end
	wait_for_line -F "$OUT" r/zz-end
	wx_stop
	not_printed r/d/x.log
}

@test "--gitignore: a relative core.excludesFile is relative to the top of the work tree" {
	printf '%s\n' '*.tmp' >r/myignore
	git -C r config core.excludesFile myignore
	: >r/f.tmp
	: >r/f.txt
	cd /
	wx_start --no-tick -r --gitignore -e attrib -f '%p' "$BATS_TEST_TMPDIR/r"
	touch "$BATS_TEST_TMPDIR/r/f.tmp" "$BATS_TEST_TMPDIR/r/zz-end"
	wait_for_line -F "$OUT" "$BATS_TEST_TMPDIR/r/zz-end"
	wx_stop
	not_printed "$BATS_TEST_TMPDIR/r/f.tmp"
}
