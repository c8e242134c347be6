#!/usr/bin/env bats
# Output for scripts: --format and its directives, --timefmt and %T, --json,
# -0, -o, --fromfile, --include/--exclude, --pair-moves and --color.  The
# default line and every directive are compared with golden files written
# by hand (tests/golden/output/README says for which sequence); JSON is
# checked by jq, NUL-separated records byte for byte.

load helper

GOLDEN=$BATS_TEST_DIRNAME/golden/output
ESC=$'\033'

# --- helpers for this file ------------------------------------------------------

# wx_start_stdin FILE ARGS...: wx_start with stdin read from FILE (a
# background job's stdin is otherwise /dev/null).
wx_start_stdin() {
	local in=$1
	shift
	: >"$OUT"
	: >"$ERR"
	env --default-signal=INT,QUIT "$WATCHX" "$@" <"$in" >"$OUT" 2>"$ERR" 3>&- &
	WX_PID=$!
	WX_PIDS+=("$WX_PID")
	wait_established
}

# wx_start_fifo ARGS...: wx_start with stdout a pipe (a FIFO that cat
# copies to $OUT), so that watchx sees a pipe and $WX_PID is watchx.
wx_start_fifo() {
	local fifo=$BATS_TEST_TMPDIR/fifo
	rm -f "$fifo"
	mkfifo "$fifo"
	: >"$OUT"
	: >"$ERR"
	cat "$fifo" >"$OUT" 3>&- &
	WX_PIDS+=("$!")
	env --default-signal=INT,QUIT "$WATCHX" "$@" >"$fifo" 2>"$ERR" 3>&- &
	WX_PID=$!
	WX_PIDS+=("$WX_PID")
	wait_established
}

# on_tty ARGS...: run watchx ARGS --no-tick -e create -n 1 d on a terminal
# (script(1) gives it a pty), create d/a, and wait for it to exit; what the
# terminal showed (with CR LF line ends) is in $OUT.
on_tty() {
	local cmd
	command -v script >/dev/null || skip "script(1) from util-linux is not installed"
	mkdir -p d
	cmd=$(printf '%q ' "$WATCHX" "$@" --no-tick -e create -n 1 d)
	: >"$OUT"
	script -qec "exec $cmd" /dev/null >"$OUT" 2>&1 </dev/null 3>&- &
	WX_PID=$!
	WX_PIDS+=("$WX_PID")
	wait_for_line "$OUT" 'Watches established'
	: >d/a
	wait_exit
	assert_equal "$status" 0
	grep -q $'^1\t256\t0\t.*IN_CREATE.*\td\ta\r$' "$OUT" ||
		fail "no IN_CREATE line for d/a on the terminal: $(cat -A "$OUT")"
}

# ev_from WD MASK COOKIE NAMES WATCHPATH FILENAME FROM: an expected line
# under --pair-moves (a seventh field, the old full path, maybe empty).
ev_from() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@"
}

# cookie_of LINE: the third field of a default line.
cookie_of() {
	cut -f3 <<<"$1"
}

# is_cookie VALUE: fails unless VALUE is a non-zero decimal number.
is_cookie() {
	[[ $1 =~ ^[1-9][0-9]*$ ]] || fail "cookie '$1' is not a non-zero number"
}

# golden_run COUNT ARGS...: watch d (empty) and f (a file) with ARGS, run
# the sequence of tests/golden/output/README and wait for watchx to exit
# with 0 after COUNT records.
golden_run() {
	local n=$1
	shift
	mkdir d
	: >f
	wx_start --no-tick -n "$n" "$@" d f
	touch d/aa
	mkdir $'d/abcdefgh\tijklmno'
	chmod 600 f
	mv d/aa 'd/b\c'
	rm 'd/b\c'
	wait_exit
	assert_equal "$status" 0
}

# hide_cookie FIELD COUNT: copy $OUT to $NORM with the rename's cookie
# (TAB-separated FIELD; maybe in <>) replaced by COOKIE; fails unless
# exactly COUNT records have a non-zero cookie, all the same.
hide_cookie() {
	NORM=$BATS_TEST_TMPDIR/norm
	awk -F'\t' -v OFS='\t' -v f="$1" -v want="$2" '
		{ v = $f; gsub(/[<>]/, "", v) }
		v != "0" {
			if (c == "") c = v
			if (v != c || v !~ /^[1-9][0-9]*$/) bad = 1
			n++
			sub(v, "COOKIE", $f)
		}
		{ print }
		END { exit bad || n != want }' "$OUT" >"$NORM" || {
		_dump
		fail "not exactly $2 records with one non-zero cookie"
	}
}

# golden_is NAME [FILE]: FILE (default $OUT) is tests/golden/output/NAME.
golden_is() {
	local diff
	if ! diff=$(diff -u "$GOLDEN/$1" "${2:-$OUT}"); then
		echo "$diff" | cat -A
		fail "output differs from golden/output/$1"
	fi
}

# golden_format NAME FMT [ARGS...]: the golden sequence under -f FMT
# equals golden/output/NAME.
golden_format() {
	local name=$1 fmt=$2
	shift 2
	golden_run 9 -f "$fmt" "$@"
	golden_is "$name"
}

# json_valid: every line of $OUT is one JSON object on its own, and the
# file is valid UTF-8 with no control byte but the newlines ending lines.
json_valid() {
	local parsed=$BATS_TEST_TMPDIR/parsed ctl
	jq -cR 'fromjson | objects' "$OUT" >"$parsed" ||
		{ _dump; fail "a line of the output is not JSON"; }
	assert_equal "$(wc -l <"$parsed")" "$(wc -l <"$OUT")"
	iconv -f UTF-8 -t UTF-8 "$OUT" >/dev/null ||
		fail "output is not valid UTF-8: $(od -c "$OUT" | head)"
	ctl=$(LC_ALL=C tr -d '\n\040-\377' <"$OUT" | wc -c)
	assert_equal "$ctl" 0
}

# jline N: line N (from 1) of $OUT.
jline() {
	sed -n "${1}p" "$OUT"
}

# same_bytes WANT FILE: FILE holds exactly the bytes of the string WANT.
same_bytes() {
	printf '%s' "$1" >"$BATS_TEST_TMPDIR/want"
	cmp "$BATS_TEST_TMPDIR/want" "$2" ||
		fail "$(printf '%q' "$1") wanted, got: $(od -c "$2" | head -5)"
}

# nul_count FILE: the number of NUL bytes in FILE.
nul_count() {
	LC_ALL=C tr -cd '\0' <"$1" | wc -c
}

_nuls_at_least() {
	(($(nul_count "$OUT") >= $1))
}

# --- golden files: the default line and each --format directive ---------------

@test "golden: the default line" {
	golden_run 9
	hide_cookie 3 2
	golden_is line "$NORM"
}

@test "golden: the default line under --pair-moves has a 7th field" {
	golden_run 8 --pair-moves
	hide_cookie 3 1
	golden_is line-pair-moves "$NORM"
}

@test "golden: %d watch descriptor" {
	golden_format format-d-wd '<%d>'
}

@test "golden: %m mask, decimal" {
	golden_format format-m-mask '<%m>'
}

@test "golden: %x mask, hex with 0x" {
	golden_format format-x-hexmask '<%x>'
}

@test "golden: %c cookie" {
	golden_run 9 -f '<%c>'
	hide_cookie 1 2
	golden_is format-c-cookie "$NORM"
}

@test "golden: %l the kernel's padded name length, 0 without a name" {
	golden_format format-l-len '<%l>'
}

@test "golden: %e event names" {
	golden_format format-e-names '<%e>'
}

@test "golden: %w watch path" {
	golden_format format-w-watchpath '<%w>'
}

@test "golden: %f filename, escaped" {
	golden_format format-f-filename '<%f>'
}

@test "golden: %p full path, escaped" {
	golden_format format-p-path '<%p>'
}

@test "golden: %P is empty without --pair-moves" {
	golden_format format-P-from '<%P>'
}

@test "golden: %P is the old full path of a paired move" {
	golden_run 8 --pair-moves -f '<%P>'
	golden_is format-P-from-pair-moves
}

@test "golden: %T by --timefmt" {
	golden_format format-T-time '<%T>' --timefmt 'at %%s'
}

@test "golden: %% is a percent sign, not the start of a directive" {
	golden_format format-percent '<%%d%%>'
}

@test "golden: escapes \\t \\n \\\\ in the format" {
	golden_format format-escapes '[%d]\t[%f]\n\\[%e]'
}

# --- --format -------------------------------------------------------------------

@test "-f: %p joins with one '/' after a trailing slash; the watch path alone on itself" {
	mkdir d
	wx_start --no-tick -e create,attrib -f '%w|%f|%p' d/
	: >d/a
	chmod 700 d
	wait_for_lines "$OUT" 2
	wx_stop
	assert_out 'd/|a|d/a' 'd/||d/'
}

@test "-f: newline and bytes that are not UTF-8 are escaped: one record, one line" {
	mkdir $'w\tx'
	wx_start --no-tick -e create -f '%w|%f|%p' $'w\tx'
	: >$'w\tx/a\nb\377'
	wait_for_lines "$OUT" 1
	wx_stop
	assert_out 'w\tx/|a\nb\377|w\tx/a\nb\377'
}

@test "-f: %w ends in / for a directory, so %w%f is the full path as in inotifywait; a file's own %w has none" {
	mkdir -p d/sub
	: >f
	wx_start --no-tick -r -e create,attrib -f '%w%f' d f
	: >d/a
	: >d/sub/b
	chmod 700 d
	chmod 600 f
	wait_for_lines "$OUT" 4
	wx_stop
	assert_out d/a d/sub/b d/ f
}

@test "-f: a tick is an empty line, not an empty format" {
	mkdir d
	wx_start --tick -b 0.1 -f '<%f>' d
	wait_for_lines "$OUT" 2
	wx_stop
	run grep -c . "$OUT"
	assert_output 0
}

@test "-f: an unknown directive is an error at start-up naming it" {
	mkdir d
	run_wx -t 1 -f 'a%qb' d
	assert_equal "$status" 1
	assert_equal "$output" ""
	[[ $stderr == *"'%q'"* && $stderr == *"'a%qb'"* ]] ||
		fail "message does not name '%q' in 'a%qb': $stderr"
	[[ $stderr != *"Watches established"* ]] || fail "watches were set up"
}

@test "-f: a dangling % at the end is an error naming it" {
	mkdir d
	run_wx -t 1 -f 'ab%' d
	assert_equal "$status" 1
	[[ $stderr == *"'%'"* && $stderr == *"'ab%'"* ]] ||
		fail "message does not name the dangling '%' in 'ab%': $stderr"
}

@test "-f: an unknown escape and a dangling backslash are errors" {
	mkdir d
	run_wx -t 1 -f 'a\qb' d
	assert_equal "$status" 1
	[[ $stderr == *"'\\q'"* && $stderr == *"'a\\qb'"* ]] ||
		fail "message does not name '\\q' in 'a\\qb': $stderr"
	run_wx -t 1 -f 'ab\' d
	assert_equal "$status" 1
	[[ $stderr == *"'\\'"* && $stderr == *"'ab\\'"* ]] ||
		fail "message does not name the dangling '\\' in 'ab\\': $stderr"
}

@test "-j and -f together are an error" {
	mkdir d
	run_wx -t 1 -j -f '%f' d
	assert_equal "$status" 1
	assert_equal "$output" ""
	[[ -n $stderr ]] || fail "no message"
}

# --- %T and --timefmt -----------------------------------------------------------

# ISO 8601 with microseconds and a UTC offset.
ISO='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}[+-][0-9]{2}:[0-9]{2}$'

# time_of_one_event TZ: with TZ, create d/a under -f '%T' -n 1; the time
# printed is in $T and must be in ISO form and between the moments before
# the start and after the exit.
time_of_one_event() {
	local before after s
	mkdir d
	before=${EPOCHREALTIME%[.,]*}
	TZ=$1 wx_start --no-tick -e create -n 1 -f '%T' d
	: >d/a
	wait_exit
	after=${EPOCHREALTIME%[.,]*}
	assert_equal "$status" 0
	T=$(cat "$OUT")
	[[ $T =~ $ISO ]] || fail "'$T' is not ISO 8601 with microseconds"
	s=$(date -d "$T" +%s)
	((s >= before && s <= after + 1)) ||
		fail "'$T' ($s) is not between $before and $after"
}

@test "%T: ISO 8601 local time with microseconds, +00:00 in UTC" {
	time_of_one_event UTC
	[[ $T == *+00:00 ]] || fail "'$T' does not end in +00:00"
}

@test "%T: the offset of the local zone, +05:30 in Asia/Kolkata" {
	[[ -e /usr/share/zoneinfo/Asia/Kolkata ]] || skip "no tzdata"
	time_of_one_event Asia/Kolkata
	[[ $T == *+05:30 ]] || fail "'$T' does not end in +05:30"
}

@test "%T: a negative offset with minutes, -03:30 (POSIX TZ, no tzdata needed)" {
	time_of_one_event WXT+03:30
	[[ $T == *-03:30 ]] || fail "'$T' does not end in -03:30"
}

@test "--timefmt is strftime: %s gives the epoch second of the event" {
	local before after
	mkdir d
	before=${EPOCHREALTIME%[.,]*}
	wx_start --no-tick -e create -n 1 -f '%T' --timefmt '%s' d
	: >d/a
	wait_exit
	after=${EPOCHREALTIME%[.,]*}
	assert_equal "$status" 0
	run cat "$OUT"
	[[ $output =~ ^[0-9]+$ ]] || fail "'$output' is not a number of seconds"
	((output >= before && output <= after)) ||
		fail "$output is not between $before and $after"
}

@test "%T is taken once per read batch: 200 events read together, one time" {
	local first
	mkdir d
	wx_start --no-tick -e create,close_write -f '%T' d
	# Stopped, watchx reads everything queued in one go when it goes on.
	kill -STOP "$WX_PID"
	poll "$WX_DEADLINE" "watchx did not stop" _stopped
	touch d/f{001..100}
	kill -CONT "$WX_PID"
	wait_for_lines "$OUT" 200
	first=$(head -1 "$OUT")
	[[ $first =~ $ISO ]] || fail "'$first' is not ISO 8601 with microseconds"
	run sort -u "$OUT"
	assert_output "$first"
	# A later batch has a later time.
	: >d/later
	wait_for_lines "$OUT" 202
	wx_stop
	run tail -1 "$OUT"
	[[ $output > $first ]] || fail "later batch at '$output', not after '$first'"
}

@test "-f: 520 x %T with a 127-byte --timefmt, four events in one batch: every byte written, nothing past the buffer" {
	local fmt tf want
	mkdir d
	fmt=$(printf '%%T%.0s' {1..520})
	tf=$(printf 'x%.0s' {1..127})
	wx_start --no-tick -e create -f "$fmt" --timefmt "$tf" d
	kill -STOP "$WX_PID"
	poll "$WX_DEADLINE" "watchx did not stop" _stopped
	touch d/a d/b d/c d/e
	kill -CONT "$WX_PID"
	wait_for_lines "$OUT" 4
	wx_stop
	want=$(printf '%s' "$tf"{1..520} | tr -d '0-9')
	run sort -u "$OUT"
	assert_equal "${#output}" $((520 * 127))
	assert_output "$want"
}

@test "-0 --pair-moves and -0 -f %P: a record without an old path has an empty field" {
	mkdir d
	wx_start --no-tick -0 --pair-moves -e create -n 1 d
	: >d/a
	wait_exit
	assert_equal "$status" 0
	printf '1\t256\t0\tIN_CREATE\td\ta\t\0' >"$BATS_TEST_TMPDIR/want"
	cmp "$BATS_TEST_TMPDIR/want" "$OUT" || fail "$(od -c "$OUT" | head -5)"
	wx_start --no-tick -0 -f '[%P]%f' -e create -n 1 d
	: >d/b
	wait_exit
	assert_equal "$status" 0
	printf '[]b\0' >"$BATS_TEST_TMPDIR/want"
	cmp "$BATS_TEST_TMPDIR/want" "$OUT" || fail "$(od -c "$OUT" | head -5)"
}

# --- --json ---------------------------------------------------------------------

@test "-j: one object per event with every member; names as an array" {
	mkdir d
	wx_start --no-tick -j -e create,attrib d
	: >d/aa
	mkdir d/s
	chmod 700 d
	wait_for_lines "$OUT" 3
	wx_stop
	json_valid
	run jq -cS 'del(.time)' "$OUT"
	assert_output '{"cookie":0,"filename":"aa","len":16,"mask":256,"names":["IN_CREATE"],"path":"d/aa","watch_path":"d","wd":1}
{"cookie":0,"filename":"s","len":16,"mask":1073742080,"names":["IN_CREATE","IN_ISDIR"],"path":"d/s","watch_path":"d","wd":1}
{"cookie":0,"filename":"","len":0,"mask":1073741828,"names":["IN_ATTRIB","IN_ISDIR"],"path":"d","watch_path":"d","wd":1}'
	local t
	for t in $(jq -r .time "$OUT"); do
		[[ $t =~ $ISO ]] || fail "time '$t' is not ISO 8601 with microseconds"
	done
}

@test "-j: quotes, backslashes, control bytes, emoji, newline: valid JSON, exact names" {
	local names=('q"uo"te' 'back\slash\' $'ctl\001\002\037x' $'tab\tcr\rbs\b'
		'emoji 😀 café' $'new\nline' $'del\177')
	local i n=${#names[@]}
	mkdir d
	TZ=UTC wx_start --no-tick -j -e create -n "$n" d
	for i in "${names[@]}"; do
		: >"d/$i"
	done
	wait_exit
	assert_equal "$status" 0
	assert_equal "$(wc -l <"$OUT")" "$n"
	json_valid
	for ((i = 0; i < n; i++)); do
		jline $((i + 1)) | jq -j .filename >"$BATS_TEST_TMPDIR/got"
		same_bytes "${names[i]}" "$BATS_TEST_TMPDIR/got"
		jline $((i + 1)) | jq -j .path >"$BATS_TEST_TMPDIR/got"
		same_bytes "d/${names[i]}" "$BATS_TEST_TMPDIR/got"
		# Valid UTF-8 needs no lossless copy.
		run jq -c 'keys - ["cookie","filename","len","mask","names","path","time","watch_path","wd"]' <<<"$(jline $((i + 1)))"
		assert_output '[]'
	done
	# Control characters are escaped the RFC 8259 way.
	grep -qF '"filename":"ctl\u0001\u0002\u001fx"' "$OUT" ||
		fail "control bytes not written as \\u00XX: $(grep ctl "$OUT")"
	grep -qF '"filename":"new\nline"' "$OUT" ||
		fail "newline not written as \\n: $(grep new "$OUT")"
}

@test "-j: bytes that are not UTF-8 become U+FFFD; *_base64 holds the exact bytes" {
	local names=($'\xff\xfe' $'a\xc3' $'b\xed\xa0\x80c' $'x\ny\xff')
	local i n=${#names[@]}
	mkdir d
	wx_start --no-tick -j -e create -n "$n" d
	for i in "${names[@]}"; do
		: >"d/$i"
	done
	wait_exit
	assert_equal "$status" 0
	json_valid
	for ((i = 0; i < n; i++)); do
		jline $((i + 1)) | jq -j .filename_base64 | base64 -d >"$BATS_TEST_TMPDIR/got"
		same_bytes "${names[i]}" "$BATS_TEST_TMPDIR/got"
		jline $((i + 1)) | jq -j .path_base64 | base64 -d >"$BATS_TEST_TMPDIR/got"
		same_bytes "d/${names[i]}" "$BATS_TEST_TMPDIR/got"
		run jq -r 'has("watch_path_base64")' <<<"$(jline $((i + 1)))"
		assert_output false
	done
	run jq -c '[.filename, .path]' <<<"$(jline 1)"
	assert_output '["��","d/��"]'
	run jq -c '.filename' <<<"$(jline 4)"
	assert_output '"x\ny�"'
}

@test "-j: a watch path that is not UTF-8 gets watch_path_base64" {
	mkdir $'w\xff'
	wx_start --no-tick -j -e create $'w\xff'
	: >$'w\xff/a'
	wait_for_lines "$OUT" 1
	wx_stop
	json_valid
	jq -j .watch_path_base64 "$OUT" | base64 -d >"$BATS_TEST_TMPDIR/got"
	same_bytes $'w\xff' "$BATS_TEST_TMPDIR/got"
	jq -j .path_base64 "$OUT" | base64 -d >"$BATS_TEST_TMPDIR/got"
	same_bytes $'w\xff/a' "$BATS_TEST_TMPDIR/got"
	run jq -c '[.watch_path, .filename, has("filename_base64")]' "$OUT"
	assert_output '["w�","a",false]'
}

@test "-j: ticks are empty lines" {
	mkdir d
	wx_start --tick -j -b 0.1 -e create d
	wait_for_lines "$OUT" 2
	: >d/a
	wait_for_line "$OUT" '^\{.*"filename":"a"'
	wx_stop
	run grep -c '^$' "$OUT"
	((output >= 2)) || fail "$output empty lines"
	run grep -v '^$' "$OUT"
	assert_equal "${#lines[@]}" 1
	jq -e '.filename == "a"' <<<"$output" >/dev/null || fail "not JSON: $output"
}

# --- -0 -------------------------------------------------------------------------

@test "-0 -f '%f': records split on NUL are the created names, byte for byte" {
	local names=($'new\nline' $'tab\there' 'back\slash' $'bad\xff\xfeutf8'
		$'ctl\001\033[31m' 'sp ace' 'emoji 😀')
	local i n=${#names[@]} rec
	mkdir d
	wx_start --no-tick -0 -e create -f '%f' -n "$n" d
	for i in "${names[@]}"; do
		: >"d/$i"
	done
	wait_exit
	assert_equal "$status" 0
	printf '%s\0' "${names[@]}" >"$BATS_TEST_TMPDIR/want"
	cmp "$BATS_TEST_TMPDIR/want" "$OUT" || fail "$(od -c "$OUT" | head -20)"
	i=0
	while IFS= read -r -d '' rec; do
		[[ $rec == "${names[i]}" ]] ||
			fail "record $i is $(printf %q "$rec"), not $(printf %q "${names[i]}")"
		i=$((i + 1))
	done <"$OUT"
	assert_equal "$i" "$n"
}

@test "-0: the default line with raw names, ended by NUL" {
	local names=($'a\nb' $'c\td\\e' $'f\xff')
	mkdir $'w\tx'
	wx_start --no-tick -0 -e create -n 3 $'w\tx'
	: >$'w\tx/a\nb'
	: >$'w\tx/c\td\\e'
	: >$'w\tx/f\xff'
	wait_exit
	assert_equal "$status" 0
	printf '1\t256\t0\tIN_CREATE\tw\tx\t%s\0' "${names[@]}" >"$BATS_TEST_TMPDIR/want"
	cmp "$BATS_TEST_TMPDIR/want" "$OUT" || fail "$(od -c "$OUT" | head -20)"
}

@test "-0: ticks are lone NULs" {
	mkdir d
	wx_start --tick -0 -b 0.1 -e create -f '%f' d
	poll "$WX_DEADLINE" "no two ticks" _nuls_at_least 2
	: >d/x
	poll "$WX_DEADLINE" "no record for d/x" grep -qa x "$OUT"
	wx_stop
	run nul_count "$OUT"
	((output >= 3)) || fail "$output NULs"
	run grep -c . "$OUT"
	assert_output 1
	LC_ALL=C tr -d '\0' <"$OUT" >"$BATS_TEST_TMPDIR/rest"
	same_bytes x "$BATS_TEST_TMPDIR/rest"
}

# --- -o, --fromfile -------------------------------------------------------------

@test "-o: appends to FILE, keeps what it held, and writes each event at once" {
	mkdir d
	printf 'old line\n' >log
	wx_start --no-tick -e create -o log d
	: >d/a
	# Written before watchx blocks again, while it still runs.
	wait_for_line -F log $'1\t256\t0\tIN_CREATE\td\ta'
	wx_stop
	assert_equal "$(cat log)" $'old line\n1\t256\t0\tIN_CREATE\td\ta'
	assert_equal "$(wc -c <"$OUT")" 0
	# A second run appends too.
	wx_start --no-tick -e create -n 1 -f '%f' -o log d
	: >d/b
	wait_exit
	assert_equal "$status" 0
	assert_equal "$(cat log)" $'old line\n1\t256\t0\tIN_CREATE\td\ta\nb'
}

@test "-o with stderr closed: status messages never reach the event file" {
	mkdir d
	# watchx's own 2>&-: the -o file must not become descriptor 2.
	env --default-signal=INT "$WATCHX" --no-tick -e create -o log d 2>&- 3>&- &
	WX_PID=$!
	WX_PIDS+=("$WX_PID")
	poll "$WX_DEADLINE" "watchx has no inotify watch" eval 'watch_count; ((WATCHES == 1))'
	: >d/a
	wait_for_line -F log $'1\t256\t0\tIN_CREATE\td\ta'
	: >d/missing-dir-is-fine
	wait_for_lines log 2
	kill -TERM "$WX_PID"
	wait_exit
	run cat log
	assert_output "$(ev 1 256 0 IN_CREATE d a; ev 1 256 0 IN_CREATE d missing-dir-is-fine)"
}

@test "stdout closed without -o: an error at start-up, not a lost event" {
	mkdir d
	run --separate-stderr timeout 5 sh -c 'exec "$0" -q d >&-' "$WATCHX"
	assert_equal "$status" 1
	assert_equal "$stderr" "watchx: standard output is closed; give -o FILE"
}

@test "-o: a file that cannot be opened is an error naming it" {
	mkdir d
	run_wx -t 1 -o nodir/log d
	assert_equal "$status" 1
	[[ $stderr == *nodir/log* ]] || fail "message does not name nodir/log: $stderr"
}

@test "--fromfile FILE: one path a line, empty lines skipped, with the paths given" {
	mkdir 'd 1' d2 d3
	printf 'd 1\n\n\nd2' >list
	wx_start --no-tick -e create -f '%w|%f' --fromfile list d3
	watch_count
	assert_equal "$WATCHES" 3
	: >'d 1/a'
	: >d2/b
	: >d3/c
	wait_for_lines "$OUT" 3
	wx_stop
	assert_out 'd 1/|a' 'd2/|b' 'd3/|c'
}

@test "--fromfile -: paths from stdin" {
	mkdir d1 d2
	printf 'd1\nd2\n' >list
	wx_start_stdin list --no-tick -e create -f '%w|%f' --fromfile -
	: >d1/a
	: >d2/b
	wait_for_lines "$OUT" 2
	wx_stop
	assert_out 'd1/|a' 'd2/|b'
}

@test "--fromfile: a missing file is an error naming it" {
	mkdir d
	run_wx -t 1 --fromfile no-such-list d
	assert_equal "$status" 1
	[[ $stderr == *no-such-list* ]] || fail "message does not name no-such-list: $stderr"
}

# --- --include, --exclude -------------------------------------------------------

@test "--include and --exclude: several of each, all honoured, relative to the path given" {
	mkdir d
	# d/keep* would match only d/d/keep*: the path given is not matched;
	# an exclude wins over an include.
	wx_start --no-tick -e create -f '%f' \
		--include '*.c' --include b.h --include 'keep*' \
		--include 'd/x*' --exclude 'skip*' --exclude '/gen.*' d
	local f
	for f in a.c b.h c.h keep.txt skip.c gen.c x.txt z.c; do
		: >"d/$f"
	done
	wait_for_line -F "$OUT" z.c
	wx_stop
	assert_out a.c b.h keep.txt z.c
}

@test "--exclude alone: everything else is printed" {
	mkdir d
	wx_start --no-tick -e create -f '%f' --exclude '*.o' --exclude '*~' d
	local f
	for f in a.o a.c a.c~ z; do
		: >"d/$f"
	done
	wait_for_line -F "$OUT" z
	wx_stop
	assert_out a.c z
}

@test "-r --exclude: excluded directories hold no watch, at start and when created" {
	mkdir -p t/keep/x t/node_modules/a/b t/build
	wx_start --no-tick -r -e create -f '%p' \
		--exclude node_modules --exclude /build t
	# t, t/keep, t/keep/x.
	watch_count
	assert_equal "$WATCHES" 3
	: >t/node_modules/f1
	: >t/node_modules/a/b/f2
	: >t/build/f3
	# Created later: excluded by its last component, and one (new/build)
	# that the anchored /build does not match.
	mkdir t/keep/node_modules
	mkdir -p t/new/build
	: >t/keep/m1
	wait_for_line -F "$OUT" t/keep/m1
	watch_count
	assert_equal "$WATCHES" 5
	: >t/keep/node_modules/f4
	: >t/new/build/f5
	: >t/keep/m2
	wait_for_line -F "$OUT" t/keep/m2
	watch_count
	assert_equal "$WATCHES" 5
	wx_stop
	run grep -e node_modules -e '^t/build' "$OUT"
	assert_output ""
	grep -qxF t/new/build/f5 "$OUT" || { _dump; fail "t/new/build/f5 not printed"; }
}

@test "-r --include: directories are still watched; only the printing is filtered" {
	mkdir -p t/sub
	wx_start --no-tick -r -e create -f '%p' --include '*.c' t
	mkdir -p t/new/deep
	: >t/new/deep/x.c
	: >t/new/deep/x.h
	: >t/sub/y.c
	wait_for_line -F "$OUT" t/sub/y.c
	wx_stop
	assert_out t/new/deep/x.c t/sub/y.c
}

# --- --pair-moves ---------------------------------------------------------------

@test "--pair-moves: a rename inside a directory is one record with the old path" {
	mkdir d
	: >$'d/a\tb'
	wx_start --no-tick --pair-moves -e create,move d
	: >d/x
	mv $'d/a\tb' d/c
	wait_for_lines "$OUT" 2
	wx_stop
	run cat "$OUT"
	assert_equal "${#lines[@]}" 2
	local c
	c=$(cookie_of "${lines[1]}")
	is_cookie "$c"
	assert_out "$(ev_from 1 256 0 IN_CREATE d x '')" \
		"$(ev_from 1 192 "$c" IN_MOVED_FROM,IN_MOVED_TO d c 'd/a\tb')"
}

@test "--pair-moves: a move across two watched directories is one record" {
	mkdir d1 d2
	: >d1/a
	wx_start --no-tick --pair-moves d1 d2
	mv d1/a d2/b
	wait_for_lines "$OUT" 1
	: >d2/marker
	wait_for_line "$OUT" $'\tmarker\t$'
	wx_stop
	run grep -v marker "$OUT"
	assert_equal "${#lines[@]}" 1
	local c
	c=$(cookie_of "${lines[0]}")
	is_cookie "$c"
	assert_equal "${lines[0]}" "$(ev_from 2 192 "$c" IN_MOVED_FROM,IN_MOVED_TO d2 b d1/a)"
}

@test "--pair-moves: a directory rename keeps IN_ISDIR" {
	mkdir -p d/s
	wx_start --no-tick --pair-moves -e move d
	mv d/s d/t
	wait_for_lines "$OUT" 1
	wx_stop
	run cat "$OUT"
	local c
	c=$(cookie_of "${lines[0]}")
	is_cookie "$c"
	assert_out "$(ev_from 1 1073742016 "$c" IN_MOVED_FROM,IN_MOVED_TO,IN_ISDIR d t d/s)"
}

@test "--pair-moves: %P is the old full path, %p the new one" {
	mkdir d1 d2
	: >d1/a
	wx_start --no-tick --pair-moves -e move -f '%m %p <- %P' d1 d2
	mv d1/a d2/b
	wait_for_lines "$OUT" 1
	wx_stop
	assert_out '192 d2/b <- d1/a'
}

@test "--pair-moves: JSON has \"from\", with from_base64 when it is not UTF-8" {
	mkdir d
	: >d/a
	: >$'d/\xff'
	wx_start --no-tick --pair-moves -j -e create,move d
	mv d/a d/b
	mv $'d/\xff' d/ok
	: >d/new
	wait_for_lines "$OUT" 3
	wx_stop
	json_valid
	run jq -c '[.mask, .names, .path, .from]' "$OUT"
	assert_output '[192,["IN_MOVED_FROM","IN_MOVED_TO"],"d/b","d/a"]
[192,["IN_MOVED_FROM","IN_MOVED_TO"],"d/ok","d/�"]
[256,["IN_CREATE"],"d/new",null]'
	jline 2 | jq -j .from_base64 | base64 -d >"$BATS_TEST_TMPDIR/got"
	same_bytes $'d/\xff' "$BATS_TEST_TMPDIR/got"
	run jq -r 'has("from")' <<<"$(jline 3)"
	assert_output false
}

@test "--pair-moves: a move out prints IN_MOVED_FROM alone, within half a second" {
	mkdir d o
	: >d/a
	wx_start --no-tick --pair-moves d
	mv d/a o/a
	wait_for_line "$OUT" $'^1\t64\t[1-9][0-9]*\tIN_MOVED_FROM\td\ta\t$' 0.5
	wx_stop
	run cat "$OUT"
	assert_equal "${#lines[@]}" 1
}

@test "--pair-moves: a move in prints IN_MOVED_TO alone" {
	mkdir d o
	: >o/x
	wx_start --no-tick --pair-moves -e move d
	mv o/x d/x
	wait_for_lines "$OUT" 1
	wx_stop
	run cat "$OUT"
	local c
	c=$(cookie_of "${lines[0]}")
	is_cookie "$c"
	assert_out "$(ev_from 1 128 "$c" IN_MOVED_TO d x '')"
}

@test "--pair-moves: a move out is printed before the events that follow it" {
	mkdir d o
	: >d/a
	wx_start --no-tick --pair-moves -e create,move d
	mv d/a o/a
	: >d/a
	wait_for_lines "$OUT" 2
	wx_stop
	local c
	c=$(cookie_of "$(grep -m1 IN_MOVED_FROM "$OUT")")
	is_cookie "$c"
	# In the kernel's order: d/a left, then a new d/a.
	assert_out "$(ev_from 1 64 "$c" IN_MOVED_FROM d a '')" \
		"$(ev_from 1 256 0 IN_CREATE d a '')"
}

# --- --color --------------------------------------------------------------------

@test "--color always: the names field is wrapped in SGR codes, also into a file" {
	mkdir d
	wx_start --no-tick --color always -e create -n 1 d
	: >d/a
	wait_exit
	assert_equal "$status" 0
	run cat "$OUT"
	[[ $output =~ ^1$'\t'256$'\t'0$'\t'$ESC\[[0-9\;]+mIN_CREATE$ESC\[0m$'\t'd$'\t'a$ ]] ||
		fail "names not coloured: $(cat -A "$OUT")"
}

@test "--color always: %e is coloured, --json never" {
	mkdir d
	wx_start --no-tick --color always -e create -n 1 -f '%e|%f' d
	: >d/a
	wait_exit
	run cat "$OUT"
	[[ $output =~ ^$ESC\[[0-9\;]+mIN_CREATE$ESC\[0m\|a$ ]] ||
		fail "%e not coloured: $(cat -A "$OUT")"
	wx_start --no-tick --color always -j -e create -n 1 d
	: >d/b
	wait_exit
	json_valid
	run grep -c "$ESC" "$OUT"
	assert_output 0
}

@test "--color never, and auto (the default) into a file or a pipe: no colour" {
	unset NO_COLOR
	mkdir d
	local how
	for how in never auto; do
		wx_start --no-tick --color "$how" -e create -n 1 d
		: >d/a
		wait_exit
		assert_out $'1\t256\t0\tIN_CREATE\td\ta'
		rm d/a
	done
	wx_start_fifo --no-tick --color auto -e create -n 1 d
	: >d/a
	wait_exit
	wait_for_lines "$OUT" 1
	assert_out $'1\t256\t0\tIN_CREATE\td\ta'
	rm d/a
	wx_start_fifo --no-tick -e create -n 1 d
	: >d/a
	wait_exit
	wait_for_lines "$OUT" 1
	assert_out $'1\t256\t0\tIN_CREATE\td\ta'
}

@test "--color auto on a terminal: colour, but none with NO_COLOR" {
	unset NO_COLOR
	on_tty --color auto
	grep -q "$ESC\[[0-9;]*mIN_CREATE$ESC\[0m" "$OUT" ||
		fail "no colour on a terminal: $(cat -A "$OUT")"
	rm d/a
	NO_COLOR=1 on_tty --color auto
	run grep -c "$ESC" "$OUT"
	assert_output 0
	rm d/a
	NO_COLOR=1 on_tty
	run grep -c "$ESC" "$OUT"
	assert_output 0
}

@test "--color never on a terminal; always wins over NO_COLOR" {
	unset NO_COLOR
	on_tty --color never
	run grep -c "$ESC" "$OUT"
	assert_output 0
	mkdir -p d
	NO_COLOR=1 wx_start --no-tick --color always -e create -n 1 d
	: >d/b
	wait_exit
	grep -q "$ESC\[[0-9;]*mIN_CREATE$ESC\[0m" "$OUT" ||
		fail "--color always with NO_COLOR=1 not coloured: $(cat -A "$OUT")"
}

@test "--color: a value other than auto, always, never is an error naming it" {
	mkdir d
	run_wx -t 1 --color blue d
	assert_equal "$status" 1
	[[ $stderr == *blue* ]] || fail "message does not name 'blue': $stderr"
}

# --- watchx's own output in the watched tree --------------------------------------

# own_lines FILE: the number of lines in FILE.
own_lines() {
	wc -l <"$1"
}

@test "stdout redirected into the watched tree: an idle tree stays silent, a touch prints its own events only" {
	mkdir -p t/d
	cd t
	env "$WATCHX" -r -q . >events.txt 2>"$ERR" 3>&- &
	WX_PID=$!
	WX_PIDS+=("$WX_PID")
	wait_watches 2
	touch d/x
	wait_for_line events.txt $'\tIN_CLOSE_WRITE\t\\./d\tx$'
	# Long enough for a feedback loop to write thousands of lines.
	local n
	n=$(own_lines events.txt)
	touch d/y
	wait_for_line events.txt $'\tIN_CLOSE_WRITE\t\\./d\ty$'
	wx_stop
	run grep -c "events.txt" events.txt
	assert_output 0
	# touch: IN_CREATE, IN_OPEN, IN_ATTRIB, IN_CLOSE_WRITE, for each file.
	assert_equal "$(own_lines events.txt)" 8
	assert_equal "$n" 4
}

@test "-o FILE in the watched directory: its events are dropped, also after it is renamed or given a second name" {
	mkdir d
	wx_start -o d/log -e modify,close_write,attrib d
	echo x >d/a
	wait_for_line d/log $'\tIN_CLOSE_WRITE\td\ta$'
	mv d/log d/renamed
	echo y >d/b
	wait_for_line d/renamed $'\tIN_CLOSE_WRITE\td\tb$'
	ln d/renamed d/second
	echo z >d/c
	wait_for_line d/renamed $'\tIN_CLOSE_WRITE\td\tc$'
	echo w >d/e
	wait_for_line d/renamed $'\tIN_CLOSE_WRITE\td\te$'
	wx_stop
	run grep -cE $'\t(log|renamed|second)$' d/renamed
	assert_output 0
	run grep -c "" d/renamed
	# Two events (IN_MODIFY, IN_CLOSE_WRITE) for each of four files, and
	# the IN_ATTRIB of ln on a name that is not the output: none.
	assert_output 8
}

@test "another file in the tree with the output's name elsewhere is still reported" {
	mkdir -p d/sub
	wx_start -o d/log -e close_write -r d
	echo x >d/sub/log
	wait_for_line d/log $'\tIN_CLOSE_WRITE\td/sub\tlog$'
	wx_stop
}

# --- -H, --human ------------------------------------------------------------------

# human_run HOW: watchx -H -q --timefmt '<T>' -e create,move,delete -n 4 d
# on a terminal (HOW=pty, LANG=C.UTF-8) or into a pipe (pipe, LANG=C),
# while a file is made, renamed, another made with a TAB in its name, and
# the first deleted; what it wrote in $OUT.
human_run() {
	mkdir d
	run python3 - "$1" "$WATCHX" "$OUT" <<'PY'
import os, pty, subprocess, sys, time
how, watchx, out = sys.argv[1:4]
env = dict(os.environ, LANG="C.UTF-8" if how == "pty" else "C")
env.pop("LC_ALL", None); env.pop("LC_CTYPE", None); env.pop("NO_COLOR", None)
argv = [watchx, "-H", "-q", "--timefmt", "<T>", "-e", "create,move,delete",
        "-n", "4", "d"]
if how == "pty":
    mine, theirs = pty.openpty()
else:
    mine, theirs = os.pipe()
p = subprocess.Popen(argv, stdout=theirs, env=env)
os.close(theirs)
# Watching once its inotify instance holds a watch.
end = time.monotonic() + 5
def watching():
    for fd in os.listdir("/proc/%d/fd" % p.pid):
        try:
            if os.readlink("/proc/%d/fd/%s" % (p.pid, fd)) == "anon_inode:inotify":
                return "inotify wd:" in open("/proc/%d/fdinfo/%s" % (p.pid, fd)).read()
        except OSError:
            pass
    return False
while not watching():
    assert time.monotonic() < end, "watchx did not start"
    time.sleep(0.02)
open("d/a", "w").close()
os.rename("d/a", "d/b")
open("d/x\ty", "w").close()
os.unlink("d/b")
data = b""
while True:
    try:
        chunk = os.read(mine, 4096)
    except OSError:
        break
    if not chunk:
        break
    data += chunk
open(out, "wb").write(data)
sys.exit(p.wait())
PY
}

@test "-H on a terminal: time, names without IN_ in a column, coloured by kind, one full path, a paired move as old → new, a hostile name escaped" {
	human_run pty
	assert_success
	printf '%s\r\n' \
		$'<T>  \e[32mCREATE\e[0m               d/a' \
		$'<T>  \e[34mMOVE\e[0m                 d/a \u2192 d/b' \
		$'<T>  \e[32mCREATE\e[0m               d/x\\ty' \
		$'<T>  \e[31mDELETE\e[0m               d/b' >want
	run cmp want "$OUT"
	[[ $status -eq 0 ]] || { cat -A "$OUT"; fail "not the golden output"; }
}

@test "-H into a pipe (LANG=C): no colour, an ASCII arrow, no ticks" {
	human_run pipe
	assert_success
	assert_out '<T>  CREATE               d/a' \
		'<T>  MOVE                 d/a -> d/b' \
		'<T>  CREATE               d/x\ty' \
		'<T>  DELETE               d/b'
}

@test "-H: the time is local, to the millisecond, without --timefmt" {
	mkdir d
	TZ=UTC wx_start -H -e create -n 1 d
	touch d/a
	wait_exit
	assert_equal "$status" 0
	run cat "$OUT"
	assert_output --regexp '^[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\.[0-9]{3}  CREATE               d/a$'
}

@test "-H with -j, -f or -0 is an error naming them" {
	mkdir d
	run_wx -H -j d
	assert_failure 1
	assert_equal "$stderr" "watchx: -j, -f and -H cannot be used together"
	run_wx -H -0 d
	assert_failure 1
	assert_equal "$stderr" "watchx: -H and -0 cannot be used together: -H is for a terminal"
}
