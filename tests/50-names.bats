#!/usr/bin/env bats
# File names the kernel hands over as they are: each event is still exactly
# one line, with backslash, TAB, newline, other control bytes and bytes that
# are not UTF-8 escaped; valid UTF-8 printed raw.

load helper

# name_is RAW ESCAPED: creating RAW in a watched directory prints one line
# whose filename field is ESCAPED, and that line is valid UTF-8.
name_is() {
	local raw=$1 escaped=$2
	mkdir d
	wx_start --no-tick -e create d
	: >"d/$raw"
	wait_for_lines "$OUT" 1
	wx_stop
	assert_equal "$(wc -l <"$OUT")" 1
	assert_out "$(ev 1 256 0 IN_CREATE d "$escaped")"
	iconv -f UTF-8 -t UTF-8 "$OUT" >/dev/null ||
		fail "output is not valid UTF-8: $(od -c "$OUT")"
}

@test "newline in a name: \\n, one line" {
	name_is $'a\nb' 'a\nb'
}

@test "TAB in a name: \\t" {
	name_is $'a\tb' 'a\tb'
}

@test "backslash in a name: \\\\" {
	name_is 'a\b' 'a\\b'
}

@test "a name that looks like an escape stays unambiguous" {
	name_is 'a\nb' 'a\\nb'
}

@test "carriage return, bell, backspace, form feed, vertical tab: C escapes" {
	name_is $'1\r2\a3\b4\f5\v6' '1\r2\a3\b4\f5\v6'
}

@test "control byte 0x01 and escape 0x1b: octal" {
	name_is $'a\001b\033[31mc' 'a\001b\033[31mc'
}

@test "DEL (0x7f): octal" {
	name_is $'a\177b' 'a\177b'
}

@test "invalid UTF-8 byte 0xff: octal" {
	name_is $'a\377b' 'a\377b'
}

@test "stray continuation byte and truncated sequence: octal" {
	name_is $'a\200b\303c' 'a\200b\303c'
}

@test "truncated sequence at the end of the name: octal" {
	name_is $'ab\342\202' 'ab\342\202'
}

@test "overlong encoding and UTF-16 surrogate are not UTF-8: octal" {
	name_is $'a\300\257b\355\240\200c' 'a\300\257b\355\240\200c'
}

@test "valid UTF-8 is printed raw: café, 日本, 😀" {
	name_is 'café 日本 😀' 'café 日本 😀'
}

@test "spaces and shell characters are printed raw" {
	name_is "a b'\"\$x*" "a b'\"\$x*"
}

@test "the watch path is escaped too" {
	mkdir $'w\tx\ny'
	wx_start --no-tick -e create $'w\tx\ny'
	touch $'w\tx\ny/a'
	wait_for_lines "$OUT" 1
	wx_stop
	assert_out "$(ev 1 256 0 IN_CREATE 'w\tx\ny' a)"
}

@test "a watched file with a newline in its name: one line, escaped" {
	echo x >$'f\nx'
	wx_start --no-tick $'f\nx'
	chmod 600 $'f\nx'
	wait_for_lines "$OUT" 1
	wx_stop
	assert_out "$(ev 1 4 0 IN_ATTRIB 'f\nx')"
}

@test "many odd names in one batch: one line each" {
	mkdir d
	wx_start --no-tick -e create d
	local i
	for i in {1..20}; do
		: >"d/"$'\n'"$i"$'\t\\\001\377'
	done
	wait_for_lines "$OUT" 20
	wx_stop
	local expected=()
	for i in {1..20}; do
		expected+=("$(ev 1 256 0 IN_CREATE d '\n'"$i"'\t\\\001\377')")
	done
	assert_out "${expected[@]}"
}
