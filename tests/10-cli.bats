#!/usr/bin/env bats
# The command line: -h, -V, usage errors, option forms, status lines, -P,
# watch paths kept exactly as given.  Number errors are in 60-errors.bats.

load helper

LONG_OPTIONS=(--block --event --exit-on --count --timeout --deadline --no-tick --tick --ready-fd --by-name --wait-exists --wait-gone --quiet
	--no-dereference --help --version)

@test "-h prints usage and every long option on stdout, exit 0" {
	run_wx -h
	assert_success
	assert_equal "$stderr" ""
	assert_line --index 0 --regexp '^usage: watchx '
	local opt
	for opt in "${LONG_OPTIONS[@]}"; do
		assert_output --partial -- "$opt"
	done
}

@test "--help prints the same as -h" {
	run_wx -h
	local short=$output
	run_wx --help
	assert_success
	assert_equal "$output" "$short"
}

@test "-V and --version print 'watchx 0.1.0', exit 0" {
	run_wx -V
	assert_success
	assert_output "watchx 0.1.0"
	assert_equal "$stderr" ""
	run_wx --version
	assert_success
	assert_output "watchx 0.1.0"
}

@test "no path: 'no path to watch' and the usage on stderr, exit 1" {
	run_wx
	assert_failure 1
	assert_equal "$output" ""
	assert_equal "${stderr_lines[0]}" "watchx: no path to watch"
	[[ $stderr == *"usage: watchx "* ]] || fail "no usage in stderr: $stderr"
}

@test "unknown long option: one line naming it, not the whole usage, exit 1" {
	mkdir d
	run_wx --bogus d
	assert_failure 1
	assert_equal "$output" ""
	assert_equal "$stderr" "watchx: unknown option '--bogus' (watchx -h lists the options)"
}

@test "a long option misspelt: did you mean, with its value left out of the name" {
	mkdir d
	run_wx --exlude '*.o' d
	assert_failure 1
	assert_equal "$stderr" "watchx: unknown option '--exlude' (did you mean '--exclude'?)"
	run_wx --dedline=5 d
	assert_failure 1
	assert_equal "$stderr" "watchx: unknown option '--dedline' (did you mean '--deadline'?)"
}

@test "an unknown short option inside a group, after a long option, is named itself; a long option given a value it does not take says so" {
	mkdir d
	run_wx --recursive -Zq d
	assert_failure 1
	assert_equal "$stderr" "watchx: unknown option '-Z' (watchx -h lists the options)"
	run_wx --json=1 d
	assert_failure 1
	assert_equal "$stderr" "watchx: option '--json' takes no value"
}

@test "globs that only look like regular expressions earn no warning: '.*', '*.*', '.*.swp'" {
	mkdir d
	run_wx -q -t 0.1 --no-tick --exclude '.*' --exclude '*.*' --exclude '.*.swp' d
	assert_equal "$status" 2
	assert_equal "$stderr" ""
}

@test "an abbreviation that fits two long options names both" {
	mkdir d
	run_wx --tim 5 d
	assert_failure 1
	assert_equal "$stderr" "watchx: option '--tim' is ambiguous: --timefmt, --timeout"
}

@test "unknown short option: one line naming it, exit 1" {
	mkdir d
	run_wx -Z d
	assert_failure 1
	assert_equal "$output" ""
	assert_equal "$stderr" "watchx: unknown option '-Z' (watchx -h lists the options)"
}

@test "missing option argument: one line naming the option, exit 1" {
	mkdir d
	run_wx d -t
	assert_failure 1
	assert_equal "$stderr" "watchx: option '-t' needs a value"
	run_wx d --deadline
	assert_failure 1
	assert_equal "$stderr" "watchx: option '--deadline' needs a value"
}

@test "-m and --monitor (inotifywait's habit) are accepted and change nothing: watchx monitors" {
	mkdir d
	wx_start --no-tick -m --monitor -e create d
	touch d/a d/b
	wait_for_lines "$OUT" 2
	wx_stop
	assert_out "$(ev 1 256 0 IN_CREATE d a)" "$(ev 1 256 0 IN_CREATE d b)"
}

@test "-t and --deadline take s, m, h and d after the number, as timeout(1)" {
	local t0 ms
	mkdir d
	t0=$(date +%s%N)
	run_wx -q --no-tick --deadline 0.01m d
	ms=$((($(date +%s%N) - t0) / 1000000))
	assert_equal "$status" 2
	# 0.01 minutes: 600 ms, not 10 ms and not 0.01 days.
	((ms >= 550 && ms < 5000)) || fail "--deadline 0.01m ended after $ms ms"
	run_wx -q --no-tick -t 0.0002h d
	assert_equal "$status" 2
	run_wx -q -t 1x d
	assert_failure 1
	assert_equal "$stderr" "watchx: -t: invalid number of seconds '1x'"
}

@test "--exclude or --include that looks like a regular expression: a warning naming the glob, and the run goes on" {
	mkdir d
	run_wx -q -t 0.1 --no-tick --exclude '\.swp$' --include '^src/' d
	assert_equal "$status" 2
	assert_equal "${stderr_lines[0]}" "watchx: --include '^src/' looks like a regular expression; patterns are gitignore(5) globs here: did you mean 'src/*'?"
	assert_equal "${stderr_lines[1]}" "watchx: --exclude '\.swp$' looks like a regular expression; patterns are gitignore(5) globs here: did you mean '*.swp'?"
	run_wx -q -t 0.1 --no-tick --exclude '*.swp' --exclude 'build/' --include 'src/**' d
	assert_equal "$status" 2
	assert_equal "$stderr" ""
}

@test "status lines on stderr, in order, then nothing else" {
	mkdir d
	run_wx -t 0.1 --no-tick d
	assert_equal "$status" 2
	assert_equal "$output" ""
	assert_equal "$stderr" $'Setting up watches.\nWatches established.\nwatchx: no event for 0.1 s (-t)'
}

@test "-q and --quiet remove the status lines" {
	mkdir d
	run_wx -q -t 0.1 --no-tick d
	assert_equal "$status" 2
	assert_equal "$stderr" ""
	run_wx --quiet -t 0.1 --no-tick d
	assert_equal "$status" 2
	assert_equal "$stderr" ""
}

@test "long options with = and with a separate argument" {
	mkdir d
	wx_start --event=create --no-tick --count 2 --block=0.5 d
	touch d/a
	mkdir d/b
	wait_exit
	assert_equal "$status" 0
	assert_out "$(ev 1 256 0 IN_CREATE d a)" \
		"$(ev 1 1073742080 0 IN_CREATE,IN_ISDIR d b)"
}

@test "options may follow the paths" {
	mkdir d
	wx_start d -e create --no-tick -n 1
	touch d/a
	wait_exit
	assert_equal "$status" 0
	assert_out "$(ev 1 256 0 IN_CREATE d a)"
}

@test "seconds accept '2', '0.5' and '.25'" {
	mkdir d
	run_wx -q --no-tick -t .25 d
	assert_equal "$status" 2
	run_wx -q --no-tick -t 0.5 -b 2 d
	assert_equal "$status" 2
	run_wx -q -b .25 -t 0.3 d
	assert_equal "$status" 2
}

@test "-n accepts the largest count, 9223372036854775807" {
	mkdir d
	run_wx -q --no-tick -n 9223372036854775807 -t 0.1 d
	assert_equal "$status" 2
	assert_equal "$stderr" ""
}

@test "watch path printed exactly as given: ./d/ stays ./d/" {
	mkdir d
	wx_start --no-tick -e create,delete ./d/
	touch d/a
	rm d/a
	wait_for_line -F "$OUT" "$(ev 1 512 0 IN_DELETE ./d/ a)"
	wx_stop
	assert_out "$(ev 1 256 0 IN_CREATE ./d/ a)" "$(ev 1 512 0 IN_DELETE ./d/ a)"
}

@test "several paths get wd 1, 2, 3 in order" {
	mkdir d e
	echo x >f
	wx_start --no-tick -e create,attrib d e f
	touch d/a
	touch e/b
	chmod 600 f
	wait_for_line -F "$OUT" "$(ev 3 4 0 IN_ATTRIB f)"
	wx_stop
	assert_out "$(ev 1 256 0 IN_CREATE d a)" \
		"$(ev 1 4 0 IN_ATTRIB d a)" \
		"$(ev 2 256 0 IN_CREATE e b)" \
		"$(ev 2 4 0 IN_ATTRIB e b)" \
		"$(ev 3 4 0 IN_ATTRIB f)"
}

@test "the same path given twice is watched once" {
	mkdir d
	wx_start --no-tick -e create,delete d d
	touch d/a
	rm d/a
	wait_for_line -F "$OUT" "$(ev 1 512 0 IN_DELETE d a)"
	wx_stop
	assert_out "$(ev 1 256 0 IN_CREATE d a)" "$(ev 1 512 0 IN_DELETE d a)"
}

@test "the same inode under two paths is reported under the first" {
	mkdir d
	wx_start --no-tick -e create,delete d ./d
	touch d/a
	rm d/a
	wait_for_line -F "$OUT" "$(ev 1 512 0 IN_DELETE d a)"
	wx_stop
	assert_out "$(ev 1 256 0 IN_CREATE d a)" "$(ev 1 512 0 IN_DELETE d a)"
}

@test "a symbolic link is followed: events of the target, under the link's name" {
	mkdir d
	ln -s d link
	wx_start --no-tick -e create link
	touch d/a
	wait_for_line -F "$OUT" "$(ev 1 256 0 IN_CREATE link a)"
	wx_stop
	assert_out "$(ev 1 256 0 IN_CREATE link a)"
}

@test "-P watches the link itself, not its target" {
	mkdir d
	ln -s d link
	wx_start --no-tick -P link
	touch d/a
	touch -h link
	wait_for_line -F "$OUT" "$(ev 1 4 0 IN_ATTRIB link)"
	wx_stop
	# touch d/a is an event on the target only: nothing for it here.
	assert_out "$(ev 1 4 0 IN_ATTRIB link)"
}

@test "--no-dereference is -P" {
	mkdir d
	ln -s d link
	wx_start --no-tick --no-dereference link
	touch -h link
	wait_for_line -F "$OUT" "$(ev 1 4 0 IN_ATTRIB link)"
	wx_stop
	assert_out "$(ev 1 4 0 IN_ATTRIB link)"
}
