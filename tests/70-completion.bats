#!/usr/bin/env bats
# The bash completion (completions/watchx.bash) and the man page agree with
# the options watchx itself knows.

load helper

COMPLETION=$BATS_TEST_DIRNAME/../completions/watchx.bash
MANPAGE=$BATS_TEST_DIRNAME/../man/watchx.1

# complete_words WORD...: in a fresh bash, source the completion, find the
# function `complete -p watchx' names, call it as bash would for the command
# line WORD... with the cursor at the end of the last word; print COMPREPLY,
# one candidate a line.
complete_words() {
	bash -c '
		source "$1" || exit 90
		shift
		spec=$(complete -p watchx) || exit 91
		[[ $spec == *" -F "* ]] || exit 92
		func=${spec##* -F }
		func=${func%% *}
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		"$func" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		((${#COMPREPLY[@]} == 0)) || printf "%s\n" "${COMPREPLY[@]}"
	' bash "$COMPLETION" "$@"
}

# help_long_options: every long option `watchx --help' prints, one a line.
help_long_options() {
	"$WATCHX" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u
}

# man_text: the man page rendered as plain ASCII.
man_text() {
	mandoc -Tascii "$MANPAGE" | sed 's/.\x08//g'
}

@test "completion: --timeo completes to --timeout" {
	run complete_words watchx --timeo
	assert_success
	assert_output -- "--timeout"
}

@test "completion: -e cre completes to create" {
	run complete_words watchx -e cre
	assert_success
	assert_output "create"
}

@test "completion: -x cre and --event cre complete to create too" {
	run complete_words watchx -x cre
	assert_success
	assert_output "create"
	run complete_words watchx -q --event cre
	assert_success
	assert_output "create"
}

@test "completion: --on-overflow r and --on-overflow=e complete to rescan and exit" {
	run complete_words watchx --on-overflow r
	assert_success
	assert_output "rescan"
	run complete_words watchx --on-overflow= e
	assert_success
	assert_output "exit"
}

@test "completion: -- offers every long option of --help" {
	local opts
	opts=$(help_long_options)
	[[ -n $opts ]] || fail "no long option in watchx --help"
	run complete_words watchx --
	assert_success
	local opt
	for opt in $opts; do
		assert_line -- "$opt"
	done
}

@test "completion: under the name inotifywait, its own options: --ex, -e cre, -o, -- offers every long option of its --help" {
	run complete_words inotifywait --ex
	assert_success
	assert_output -- "--exclude
--excludei"
	run complete_words inotifywait -qecre
	assert_output "-qecreate"
	run complete_words /usr/bin/inotifywait -m --event cre
	assert_output "create"
	# -d takes no value here: the word after it is a path.
	mkdir dir
	run complete_words inotifywait -d di
	assert_output "dir"
	run complete_words inotifywait --
	local opt
	for opt in $("$IWAIT" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
		assert_line -- "$opt"
	done
	refute_line -- "--json"
}

@test "man page: mentions every long option of --help" {
	command -v mandoc >/dev/null || skip "mandoc is not installed"
	local opts text opt missing=()
	opts=$(help_long_options)
	[[ -n $opts ]] || fail "no long option in watchx --help"
	text=$(man_text)
	for opt in $opts; do
		grep -qE -- "(^|[^a-z-])$opt([^a-z-]|\$)" <<<"$text" || missing+=("$opt")
	done
	((${#missing[@]} == 0)) || fail "not in man/watchx.1: ${missing[*]}"
}

# --- zsh and fish -------------------------------------------------------------

COMPDIR=$BATS_TEST_DIRNAME/../completions

# zsh_complete LINE WANT: zsh, with the completion in its fpath, completes
# LINE (TAB) to a command line that contains WANT (tests/complete.zsh).
zsh_complete() {
	command -v zsh >/dev/null || fail "zsh is not installed (.ci/packages)"
	run zsh "$BATS_TEST_DIRNAME/complete.zsh" "$COMPDIR" "$1" "$2"
	assert_success
}

# fish_complete LINE: the candidates fish offers for LINE, one a line,
# without their descriptions.
fish_complete() {
	command -v fish >/dev/null || fail "fish is not installed (.ci/packages)"
	fish --no-config -c 'source $argv[1]; complete -C $argv[2]' \
		"$COMPDIR/watchx.fish" "$1" | cut -f1
}

@test "zsh completion: --timeo, -e cre, --on-overflow=re, --col" {
	zsh_complete "watchx --timeo" "watchx --timeout="
	zsh_complete "watchx -e cre" "watchx -e create"
	zsh_complete "watchx -q --event=mov" "watchx -q --event=move"
	zsh_complete "watchx --on-overflow=re" "watchx --on-overflow=rescan"
	zsh_complete "watchx --col" "watchx --color="
}

@test "zsh completion: knows every long option of --help" {
	local opts opt missing=()
	opts=$(help_long_options)
	[[ -n $opts ]] || fail "no long option in watchx --help"
	for opt in $opts; do
		grep -qE -- "[{,'*)]$opt[]=+,'}[]" "$COMPDIR/_watchx" || missing+=("$opt")
	done
	((${#missing[@]} == 0)) || fail "not in completions/_watchx: ${missing[*]}"
}

@test "fish completion: --timeo, -e cre, --on-overflow=" {
	run fish_complete "watchx --timeo"
	assert_output -- "--timeout"
	run fish_complete "watchx -e cre"
	assert_output "create"
	run fish_complete "watchx -e create,mod"
	assert_output "create,modify"
	run fish_complete "watchx --on-overflow="
	assert_output -- "--on-overflow=exit
--on-overflow=rescan"
}

@test "fish completion: -- offers every long option of --help" {
	local opts opt
	opts=$(help_long_options)
	[[ -n $opts ]] || fail "no long option in watchx --help"
	run fish_complete "watchx --"
	assert_success
	for opt in $opts; do
		assert_line -- "$opt"
	done
}

# iw_help_long_options: every long option `inotifywait --help' prints.
iw_help_long_options() {
	"$IWAIT" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u
}

@test "zsh completion under the name inotifywait: --no-n, -e all_, and every long option of its --help" {
	zsh_complete "inotifywait --no-n" "inotifywait --no-newline"
	zsh_complete "inotifywait -m -e all_" "inotifywait -m -e all_events"
	local opt missing=()
	for opt in $(iw_help_long_options); do
		grep -qE -- "[{,'*)]$opt[]=+,'}[]" "$COMPDIR/_inotifywait" || missing+=("$opt")
	done
	((${#missing[@]} == 0)) || fail "not in completions/_inotifywait: ${missing[*]}"
}

@test "fish completion under the name inotifywait: --no-n, -e create,mo, and every long option of its --help" {
	command -v fish >/dev/null || fail "fish is not installed (.ci/packages)"
	iw_fish() {
		fish --no-config -c 'source $argv[1]; complete -C $argv[2]' \
			"$COMPDIR/inotifywait.fish" "$1" | cut -f1
	}
	run iw_fish "inotifywait --no-n"
	assert_output -- "--no-newline"
	run iw_fish "inotifywait -e create,mo"
	assert_output "create,modify
create,move
create,moved_from
create,moved_to
create,move_self"
	run iw_fish "inotifywait --"
	local opt
	for opt in $(iw_help_long_options); do
		assert_line -- "$opt"
	done
}

# iwatch_help_long_options: every long option `inotifywatch --help' prints.
iwatch_help_long_options() {
	"$IWATCH" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u
}

@test "completion: under the name inotifywatch, its own options: -a to, -zecre, --descending= (a sort key, not a path), -- offers every long option of its --help" {
	run complete_words inotifywatch -a to
	assert_output "total"
	run complete_words inotifywatch -zecre
	assert_output "-zecreate"
	run complete_words inotifywatch --descending=close_n
	assert_output "--descending=close_nowrite"
	mkdir dir
	run complete_words inotifywatch -r di
	assert_output "dir"
	run complete_words inotifywatch --
	local opt
	for opt in $(iwatch_help_long_options); do
		assert_line -- "$opt"
	done
	refute_line -- "--monitor"
}

@test "zsh completion under the name inotifywatch: --desc, -e all_, and every long option of its --help" {
	zsh_complete "inotifywatch --desc" "inotifywatch --descending="
	zsh_complete "inotifywatch -r -e all_" "inotifywatch -r -e all_events"
	local opt missing=()
	for opt in $(iwatch_help_long_options); do
		grep -qE -- "[{,'*)]$opt[]=+,'}[]" "$COMPDIR/_inotifywatch" || missing+=("$opt")
	done
	((${#missing[@]} == 0)) || fail "not in completions/_inotifywatch: ${missing[*]}"
}

@test "fish completion under the name inotifywatch: --ze, -a to, -e create,mo, and every long option of its --help" {
	command -v fish >/dev/null || fail "fish is not installed (.ci/packages)"
	iwatch_fish() {
		fish --no-config -c 'source $argv[1]; complete -C $argv[2]' \
			"$COMPDIR/inotifywatch.fish" "$1" | cut -f1
	}
	run iwatch_fish "inotifywatch --ze"
	assert_output -- "--zero"
	run iwatch_fish "inotifywatch -a to"
	assert_output "total"
	run iwatch_fish "inotifywatch -e create,mo"
	assert_output "create,modify
create,move
create,moved_from
create,moved_to
create,move_self"
	run iwatch_fish "inotifywatch --"
	local opt
	for opt in $(iwatch_help_long_options); do
		assert_line -- "$opt"
	done
}
