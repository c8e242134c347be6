#!/usr/bin/env bats
# Characters that are valid UTF-8 and still escaped: the line and paragraph
# separators U+2028 and U+2029, which Python's str.splitlines() and other
# readers take for a line break (one record would read as two), and the
# bidirectional controls (U+202E...), which reorder what a terminal shows.
# The default line and --format write their bytes as octal escapes, so that
# unvis(3) (or Python's codecs.escape_decode) still gives back the exact
# name; JSON writes them as \uXXXX.  Under -0 nothing is escaped.

load helper

# U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR, U+202E RIGHT-TO-LEFT
# OVERRIDE, U+2066 LEFT-TO-RIGHT ISOLATE, as bytes: the tests must not depend
# on the locale bash runs in.
LS=$'\xe2\x80\xa8' PS=$'\xe2\x80\xa9' RLO=$'\xe2\x80\xae' LRI=$'\xe2\x81\xa6'
NAME=a${LS}b${PS}c${RLO}d${LRI}e
NAME_ESC='a\342\200\250b\342\200\251c\342\200\256d\342\201\246e'
NAME_JSON='a\u2028b\u2029c\u202ed\u2066e'

# Every bidirectional control: U+061C, U+200E, U+200F, U+202A..U+202E,
# U+2066..U+2069.
BIDI=$'\xd8\x9c\xe2\x80\x8e\xe2\x80\x8f\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac'
BIDI+=$'\xe2\x80\xad\xe2\x80\xae\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9'
BIDI_ESC='\330\234\342\200\216\342\200\217\342\200\252\342\200\253\342\200\254'
BIDI_ESC+='\342\200\255\342\200\256\342\201\246\342\201\247\342\201\250\342\201\251'
BIDI_JSON='\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069'

# need_python3: skip the rest of a test without python3 (the checks before
# it have run).
need_python3() {
	command -v python3 >/dev/null || skip "python3 is not installed"
}

# records FILE: the number of lines Python's str.splitlines() sees in FILE.
records() {
	python3 -c 'import sys
print(len(open(sys.argv[1], encoding="utf-8").read().splitlines()))' "$1"
}

# unescape TEXT: the bytes the escaped TEXT stands for, on stdout.
unescape() {
	python3 -c 'import codecs, sys
sys.stdout.buffer.write(codecs.escape_decode(sys.argv[1].encode())[0])' "$1"
}

# same_bytes WANT FILE: FILE holds exactly the bytes of the string WANT.
same_bytes() {
	printf '%s' "$1" >"$BATS_TEST_TMPDIR/want"
	cmp "$BATS_TEST_TMPDIR/want" "$2" ||
		fail "$(printf '%q' "$1") wanted, got: $(od -c "$2" | head -5)"
}

# no_raw FILE: FILE holds none of the escaped characters raw.
no_raw() {
	local c
	for c in "$LS" "$PS" $'\xd8\x9c' $'\xe2\x80\x8e' $'\xe2\x80\x8f' \
	    $'\xe2\x80\xaa' $'\xe2\x80\xab' $'\xe2\x80\xac' $'\xe2\x80\xad' \
	    $'\xe2\x80\xae' $'\xe2\x81\xa6' $'\xe2\x81\xa7' $'\xe2\x81\xa8' \
	    $'\xe2\x81\xa9'; do
		if LC_ALL=C grep -qF -e "$c" "$1"; then
			fail "a raw separator or bidi control in $1: $(od -c "$1" | head)"
		fi
	done
}

# create_in_d NAME ARGS...: watch d with ARGS, create d/NAME, wait for one
# line and stop.
create_in_d() {
	local name=$1
	shift
	mkdir d
	wx_start --no-tick -e create "$@" d
	: >"d/$name"
	wait_for_lines "$OUT" 1
	wx_stop
}

# json_has NAME [FIELD]: $OUT is one JSON-lines record for Python too, and
# its FIELD (default filename) is exactly the bytes of NAME.
json_has() {
	run python3 -c 'import json, os, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
if len(lines) != 1:
	sys.exit("splitlines: %d records, not 1: %r" % (len(lines), lines))
got = json.loads(lines[0])[sys.argv[3]].encode("utf-8")
want = os.fsencode(sys.argv[2])
if got != want:
	sys.exit("json.loads: %r, not %r" % (got, want))' "$OUT" "$1" "${2:-filename}"
	assert_success
}

@test "U+2028, U+2029, U+202E, U+2066 in a name: octal escapes" {
	create_in_d "$NAME"
	assert_out "$(ev 1 256 0 IN_CREATE d "$NAME_ESC")"
	no_raw "$OUT"
}

@test "U+2028, U+2029, U+202E, U+2066: one line for Python, decodes back" {
	need_python3
	create_in_d "$NAME"
	assert_equal "$(records "$OUT")" 1
	unescape "$(cut -f6 "$OUT")" >"$BATS_TEST_TMPDIR/got"
	same_bytes "$NAME" "$BATS_TEST_TMPDIR/got"
}

@test "every bidirectional control in a name: octal" {
	create_in_d "x${BIDI}y"
	assert_out "$(ev 1 256 0 IN_CREATE d "x${BIDI_ESC}y")"
	no_raw "$OUT"
	need_python3
	unescape "$(cut -f6 "$OUT")" >"$BATS_TEST_TMPDIR/got"
	same_bytes "x${BIDI}y" "$BATS_TEST_TMPDIR/got"
}

@test "the neighbours of the escaped characters are printed raw" {
	# U+061B, U+00A0, U+200D (joins emoji), U+2027, U+202F, U+206A.
	local name=$'\xd8\x9b\xc2\xa0\xe2\x80\x8d\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\xaa'
	create_in_d "$name"
	assert_out "$(ev 1 256 0 IN_CREATE d "$name")"
}

@test "a watch path with U+2028 is escaped too" {
	mkdir "w${LS}x"
	wx_start --no-tick -e create "w${LS}x"
	: >"w${LS}x/a"
	wait_for_lines "$OUT" 1
	wx_stop
	assert_out "$(ev 1 256 0 IN_CREATE 'w\342\200\250x' a)"
}

@test "--format '%f|%p': octal escapes" {
	create_in_d "$NAME" -f '%f|%p'
	assert_out "$NAME_ESC|d/$NAME_ESC"
	no_raw "$OUT"
}

@test "--format '%f': one line for Python, decodes back" {
	need_python3
	create_in_d "$NAME" -f '%f'
	assert_equal "$(records "$OUT")" 1
	unescape "$(cat "$OUT")" >"$BATS_TEST_TMPDIR/got"
	same_bytes "$NAME" "$BATS_TEST_TMPDIR/got"
}

@test "-j: written as \\u2028-style escapes, read back by jq" {
	create_in_d "$NAME" -j
	grep -qF "\"filename\":\"$NAME_JSON\",\"path\":\"d/$NAME_JSON\"" "$OUT" ||
		fail "not written as \\uXXXX: $(cat -A "$OUT")"
	no_raw "$OUT"
	run jq -j .filename "$OUT"
	assert_success
	printf '%s' "$output" >"$BATS_TEST_TMPDIR/got"
	same_bytes "$NAME" "$BATS_TEST_TMPDIR/got"
	run jq -r 'has("filename_base64")' "$OUT"
	assert_output false
}

@test "-j: jq parses it; Python's splitlines sees one record, json.loads the name" {
	need_python3
	create_in_d "$NAME" -j
	jq -e . "$OUT" >/dev/null || fail "jq cannot parse: $(cat -A "$OUT")"
	json_has "$NAME"
	json_has "d/$NAME" path
}

@test "-j: every bidirectional control is written as \\uXXXX" {
	create_in_d "x${BIDI}y" -j
	grep -qF "\"filename\":\"x${BIDI_JSON}y\"" "$OUT" ||
		fail "not written as \\uXXXX: $(cat -A "$OUT")"
	no_raw "$OUT"
	need_python3
	json_has "x${BIDI}y"
}

@test "-j: U+2028 next to bytes that are not UTF-8: escaped, base64 exact" {
	local name=$'\xff'"$LS"$'\xc3'
	create_in_d "$name" -j
	grep -qF '"filename":"'$'\xef\xbf\xbd''\u2028'$'\xef\xbf\xbd''"' "$OUT" ||
		fail "not U+FFFD, \\u2028, U+FFFD: $(cat -A "$OUT")"
	no_raw "$OUT"
	jq -j .filename_base64 "$OUT" | base64 -d >"$BATS_TEST_TMPDIR/got"
	same_bytes "$name" "$BATS_TEST_TMPDIR/got"
	need_python3
	assert_equal "$(records "$OUT")" 1
}

@test "-0: nothing is escaped, U+2028 and U+202E included" {
	mkdir d
	wx_start --no-tick -0 -e create -f '%f' d
	: >"d/$NAME"
	poll "$WX_DEADLINE" "no record" test -s "$OUT"
	wx_stop
	printf '%s\0' "$NAME" >"$BATS_TEST_TMPDIR/want"
	cmp "$BATS_TEST_TMPDIR/want" "$OUT" ||
		fail "not the raw name and a NUL: $(od -c "$OUT" | head -5)"
}
