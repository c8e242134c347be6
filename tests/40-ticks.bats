#!/usr/bin/env bats
# Ticks: an empty line after every idle cycle of -b seconds; --tick and
# --no-tick; where they are printed by default (a pipe or a socket, not a
# one-shot wait) and where not (a terminal, a file, -o).

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
	wx_start --tick -b 0.1 -t 1 d
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
	wx_start --tick -t 1.5 d
	wait_exit
	assert_equal "$status" 2
	ticks
	assert_equal "$ticks" 1
}

@test "--block is -b" {
	mkdir d
	wx_start --tick --block 0.05 d
	wait_for_lines "$OUT" 4 1
	wx_stop
	ticks
}

@test "events that -e filters out do not stop the ticks" {
	mkdir d
	local start
	wx_start --tick -b 0.1 -e delete d
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
	wx_start --tick -b 0.1 -e create d
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

# --- where ticks go by default --------------------------------------------------

# idle_run HOW ARGS...: run watchx ARGS -q -b 0.05 --deadline 0.6 d, with
# stdout a pipe (HOW=pipe), a regular file (file), a terminal (pty) or a
# socket (socket); what it wrote goes to $OUT, and its status must be 2.
idle_run() {
	local how=$1
	shift
	mkdir -p d
	case $how in
	pipe)
		"$WATCHX" "$@" -q -b 0.05 --deadline 0.6 d 3>&- | cat >"$OUT"
		status=${PIPESTATUS[0]}
		;;
	file)
		status=0
		"$WATCHX" "$@" -q -b 0.05 --deadline 0.6 d >"$OUT" 3>&- || status=$?
		;;
	pty | socket)
		status=0
		python3 - "$how" "$OUT" "$WATCHX" "$@" -q -b 0.05 --deadline 0.6 d <<'PY' 3>&- || status=$?
import os, pty, socket, subprocess, sys
how, out, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
if how == "pty":
    mine, theirs = pty.openpty()
else:
    a, b = socket.socketpair()
    mine, theirs = a.detach(), b.detach()
p = subprocess.Popen(argv, stdout=theirs)
os.close(theirs)
data = b""
while True:
    try:
        chunk = os.read(mine, 4096)
    except OSError:            # a pty whose other side closed: EIO
        break
    if not chunk:
        break
    data += chunk
open(out, "wb").write(data)
sys.exit(p.wait())
PY
		;;
	esac
	assert_equal "$how $*: status $status" "$how $*: status 2"
}

@test "ticks by default into a pipe: a while read loop wakes up" {
	idle_run pipe
	ticks
	((ticks >= 3)) || fail "only $ticks ticks into a pipe in 0.6 s with -b 0.05"
}

@test "ticks by default into a socket" {
	idle_run socket
	ticks
	((ticks >= 3)) || fail "only $ticks ticks into a socket in 0.6 s with -b 0.05"
}

@test "no ticks by default on a terminal, into a file, or with -o" {
	idle_run pty
	assert_equal "pty: $(wc -c <"$OUT") bytes" "pty: 0 bytes"
	idle_run file
	assert_equal "file: $(wc -c <"$OUT") bytes" "file: 0 bytes"
	idle_run pipe -o "$BATS_TEST_TMPDIR/o"
	assert_equal "-o: $(wc -c <"$BATS_TEST_TMPDIR/o") bytes" "-o: 0 bytes"
}

@test "no ticks by default in a one-shot wait (-x, -n), even into a pipe" {
	idle_run pipe -x create
	assert_equal "-x: $(wc -c <"$OUT") bytes" "-x: 0 bytes"
	idle_run pipe -n 1
	assert_equal "-n: $(wc -c <"$OUT") bytes" "-n: 0 bytes"
}

@test "--tick forces ticks where they are off by default, --no-tick where they are on" {
	idle_run file --tick
	ticks
	((ticks >= 3)) || fail "only $ticks ticks into a file with --tick"
	idle_run pty --tick
	# A terminal turns each newline into CR LF.
	local n
	n=$(grep -c $'^\r$' "$OUT") || true
	((n >= 3)) || fail "only $n ticks on a terminal with --tick"
	idle_run pipe -x create --tick
	ticks
	((ticks >= 3)) || fail "only $ticks ticks with -x --tick"
	idle_run pipe --no-tick
	assert_equal "--no-tick: $(wc -c <"$OUT") bytes" "--no-tick: 0 bytes"
	# The last of the two wins.
	idle_run pipe --no-tick --tick
	ticks
	((ticks >= 3)) || fail "only $ticks ticks with --no-tick --tick"
}

@test "no ticks by default with -f, --json or -0, even into a pipe or a socket; --tick brings them back" {
	local how arg
	for how in pipe socket; do
		for arg in "-f %p" --json -0; do
			# shellcheck disable=SC2086
			idle_run "$how" $arg
			assert_equal "$how $arg: $(wc -c <"$OUT") bytes" \
				"$how $arg: 0 bytes"
		done
	done
	idle_run pipe -f %p --tick
	ticks
	((ticks >= 3)) || fail "only $ticks ticks with -f --tick"
	# -H is for a person: never a tick, even with --tick.
	idle_run pipe -H --tick
	assert_equal "-H --tick: $(wc -c <"$OUT") bytes" "-H --tick: 0 bytes"
	idle_run pipe -0 --tick
	assert_equal "$(tr -d '\0' <"$OUT" | wc -c)" 0
	(($(tr -cd '\0' <"$OUT" | wc -c) >= 3)) || fail "no NUL ticks with -0 --tick"
}

# slow_events WATCHX-ARGS... -- READER...: watchx WATCHX-ARGS -q -b 0.05 d into
# READER, stdout to $OUT; three files are made 0.2 s apart (four idle cycles
# each), then the run ends by --deadline.
slow_events() {
	local args=() i
	while [[ $1 != -- ]]; do
		args+=("$1")
		shift
	done
	shift
	mkdir -p d
	{
		"$WATCHX" "${args[@]}" -q -b 0.05 --deadline 1.5 d 3>&- &
		for i in 1 2 3; do
			sleep 0.2	# the idle cycles the test is about
			touch "d/f$i"
		done
		wait
	} | "$@" >"$OUT"
}

@test "pipelines: '-e create -f %p | wc -l' counts the events only" {
	slow_events -e create -f %p -- wc -l
	assert_equal "$(cat "$OUT")" 3
}

@test "pipelines: '-0 -f %p | xargs -0 -n1' never sees an empty record" {
	slow_events -0 -e create -f %p -- xargs -0 -n1 printf '[%s]\n'
	assert_out "[d/f1]" "[d/f2]" "[d/f3]"
}

@test "pipelines: '--json | python3' parses every line" {
	slow_events --json -e create -- python3 -c '
import json, sys
for line in sys.stdin:
    print(json.loads(line)["path"])'
	assert_out "d/f1" "d/f2" "d/f3"
}

@test "pipelines: the default line still gets ticks in a while read loop" {
	slow_events -e create -- bash -c '
n=0 ev=0
while IFS= read -r line; do
	if [[ -z $line ]]; then n=$((n + 1)); else ev=$((ev + 1)); fi
done
echo "$ev $((n >= 6))"'
	assert_equal "$(cat "$OUT")" "3 1"
}
