#!/usr/bin/env bats
# Ticks: an empty line after every idle cycle of -b seconds; --no-tick.

load helper

# ticks: the number of empty lines in $OUT; fails if $OUT holds anything else
# than empty lines.
ticks() {
	local rest
	rest=$(tr -d '\n' <"$OUT" | wc -c)
	assert_equal "bytes other than newlines: $rest" "bytes other than newlines: 0"
	ticks=$(wc -l <"$OUT")
}

@test "-b 0.1 -t 1: about ten empty lines, nothing else, exit 2" {
	mkdir d
	wx_start -b 0.1 -t 1 d
	wait_exit
	assert_equal "$status" 2
	ticks
	# Ten cycles fit in the second; on a slow, shared machine a few may be
	# late, but never more than eleven can fit.
	((ticks >= 5 && ticks <= 11)) || fail "$ticks ticks in 1 s with -b 0.1"
}

@test "--no-tick: no empty line at all" {
	mkdir d
	wx_start --no-tick -b 0.1 -t 0.6 d
	wait_exit
	assert_equal "$status" 2
	assert_equal "$(wc -c <"$OUT")" 0
}

@test "the default cycle is one second: one tick in 1.5 s" {
	mkdir d
	wx_start -t 1.5 d
	wait_exit
	assert_equal "$status" 2
	ticks
	assert_equal "$ticks" 1
}

@test "--block is -b" {
	mkdir d
	wx_start --block 0.05 d
	wait_for_lines "$OUT" 4 1
	wx_stop
	ticks
}

@test "events that -e filters out do not stop the ticks" {
	mkdir d
	local start
	wx_start -b 0.1 -e delete d
	_now
	start=$_now
	until (($(wc -l <"$OUT") >= 3)); do
		echo x >>d/a
		sleep 0.02
		_now
		((_now - start < 3000000)) || fail "fewer than 3 ticks in 3 s"
	done
	wx_stop
	ticks
}

@test "ticks and events interleave, each event one line" {
	mkdir d
	wx_start -b 0.1 -e create d
	wait_for_lines "$OUT" 2
	touch d/a
	wait_for_line -F "$OUT" "$(ev 1 256 0 IN_CREATE d a)"
	local n
	n=$(wc -l <"$OUT")
	wait_for_lines "$OUT" $((n + 2))
	wx_stop
	local out l seen=0
	mapfile -t out <"$OUT"
	for l in "${out[@]}"; do
		if [[ -n $l ]]; then
			assert_equal "$l" "$(ev 1 256 0 IN_CREATE d a)"
			seen=$((seen + 1))
		fi
	done
	assert_equal "$seen" 1
}
