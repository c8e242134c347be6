#!/usr/bin/env bats
# --include and --exclude: patterns in gitignore(5) syntax, relative to the
# path given.  Every row of the man page's pattern table is a test here,
# read from the man page itself (check_row): what the row says a pattern
# leaves out must not be printed, what it keeps must be.  A last test
# checks that no row of the table goes untested.

load helper

MAN=$BATS_TEST_DIRNAME/../man/watchx.1

# row PATTERN: the table row whose first column is PATTERN, in $ROW.
row() {
	ROW=$(sed -n '/^\.\\" pattern-table/,/^\.El/p' "$MAN" |
		grep -F ".It Li $1 Ta ") || { fail "no table row for $1"; return 1; }
}

# unroff TEXT: mdoc's escapes undone (\e a backslash, \& nothing).
unroff() {
	local s=${1//\\e/\\}
	printf '%s\n' "${s//\\&/}"
}

# check_row PATTERN: make the paths of PATTERN's row below t, watch t with
# the row's patterns given to --exclude, touch every path, and check what
# is printed.
check_row() {
	row "$1" || return 1
	local pats=() out=() keep=() p cell
	IFS=$'\t' read -r cell <<<"${ROW#.It }"
	cell=${ROW#.It }
	local c1=${cell%% Ta *} rest=${cell#* Ta }
	local c2=${rest%% Ta *} c3=${rest#* Ta }
	for p in ${c1//Li /}; do
		pats+=(--exclude "$(unroff "$p")")
	done
	read -r -a out <<<"${c2#Pa }"
	read -r -a keep <<<"${c3#Pa }"
	for p in "${out[@]}" "${keep[@]}"; do
		p=t/$(unroff "$p")
		if [[ $p == */ ]]; then
			mkdir -p "$p"
		else
			mkdir -p "${p%/*}"
			: >"$p"
		fi
	done
	wx_start --no-tick -r -e attrib -f '%p' "${pats[@]}" t
	for p in "${out[@]}" "${keep[@]}"; do
		p=t/$(unroff "$p")
		touch "${p%/}"
	done
	touch t/zz-end
	wait_for_line -F "$OUT" t/zz-end
	wx_stop
	for p in "${keep[@]}"; do
		p=t/$(unroff "$p")
		grep -qxF "${p%/}" "$OUT" || { _dump; fail "$1: ${p%/} not printed"; return 1; }
	done
	for p in "${out[@]}"; do
		p=t/$(unroff "$p")
		if grep -qxF "${p%/}" "$OUT"; then
			_dump
			fail "$1: ${p%/} printed"
			return 1
		fi
	done
}

@test "pattern *.o: the last component at any depth" {
	check_row '*.o'
}

@test "pattern build/: directories only, at any depth, and all below" {
	check_row 'build/'
}

@test "pattern /build: anchored to the path given" {
	check_row '/build'
}

@test "pattern src/*.c: a middle slash anchors; * stops at a slash" {
	check_row 'src/*.c'
}

@test "pattern **/node_modules/: in any directory" {
	check_row '**/node_modules/'
}

@test "pattern src/**/*.c: any number of directories between" {
	check_row 'src/**/*.c'
}

@test "pattern doc/**: everything below, not the directory" {
	check_row 'doc/**'
}

@test "pattern a/**/b: none or more directories" {
	check_row 'a/**/b'
}

@test "pattern ?.c: one character" {
	check_row '?.c'
}

@test "pattern [a-c].txt: a range" {
	check_row '[a-c].txt'
}

@test "patterns *.log !keep.log: the last that matches decides" {
	check_row '*.log Li !keep.log'
}

@test "patterns logs/ !logs/keep: nothing below a left-out directory comes back" {
	check_row 'logs/ Li !logs/keep'
}

@test "pattern \\#notes: a leading # is a character" {
	check_row '\e#notes'
}

@test "every row of the man page's pattern table has a test" {
	local line pat
	while IFS= read -r line; do
		pat=${line#.It Li }
		pat=${pat%% Ta *}
		grep -qF "check_row '$pat'" "$BATS_TEST_FILENAME" ||
			fail "no test for the table row of $pat"
	done < <(sed -n '/^\.\\" pattern-table/,/^\.El/p' "$MAN" | grep '^\.It Li ')
}

# --- beyond the table -----------------------------------------------------------

@test "--include: relative to the path given, and a directory included brings what is below" {
	mkdir -p t/src/lib t/doc t/lib/src
	wx_start --no-tick -r -e create -f '%p' --include 'src/*.c' --include 'doc/' t
	: >t/src/a.c
	: >t/src/lib/b.c
	: >t/lib/src/c.c
	: >t/doc/x.txt
	mkdir t/doc/sub
	: >t/doc/sub/y
	: >t/src/zz.c
	wait_for_line -F "$OUT" t/src/zz.c
	wx_stop
	assert_out t/src/a.c t/doc/x.txt t/doc/sub t/doc/sub/y t/src/zz.c
}

@test "--include without -r: an event on a path given is matched by its last component" {
	: >a.txt
	: >b.c
	wx_start --no-tick -e attrib -f '%w' --include '*.txt' a.txt b.c
	touch b.c a.txt
	wait_for_line -F "$OUT" a.txt
	wx_stop
	assert_out a.txt
}

@test "--exclude: an include and an exclude of the same path: the exclude wins" {
	mkdir d
	wx_start --no-tick -e create -f '%f' --include '*.c' --exclude 'gen*' d
	: >d/gen.c
	: >d/x.h
	: >d/main.c
	wait_for_line -F "$OUT" main.c
	wx_stop
	assert_out main.c
}

@test "-r --exclude: a watched directory renamed to a left-out name is no longer watched" {
	mkdir -p t/a
	wx_start --no-tick -r -e create,move -f '%e %p' --exclude '*.bak/' t
	wait_watches 2
	mv t/a t/a.bak
	wait_watches 1
	: >t/a.bak/f
	mv t/a.bak t/b
	wait_watches 2
	: >t/b/g
	wait_for_line -F "$OUT" 'IN_CREATE t/b/g'
	wx_stop
	run grep -F a.bak/f "$OUT"
	assert_output ""
}

@test "bad patterns are errors that name them, status 1" {
	run_wx --exclude '[ab' d
	assert_equal "$status" 1
	assert_equal "$stderr" "watchx: --exclude '[ab': a '[' is not closed, or names no [:class:]"
	run_wx --include 'a\' d
	assert_equal "$status" 1
	assert_equal "$stderr" "watchx: --include 'a\\': a backslash at the end quotes nothing"
	run_wx --exclude '' d
	assert_equal "$status" 1
	assert_equal "$stderr" "watchx: --exclude '': matches nothing"
	run_wx --exclude '[[:nope:]]' d
	assert_equal "$status" 1
	[[ $stderr == *"[[:nope:]]"* ]] || fail "$stderr"
}
