#!/usr/bin/env bats
# Readiness: --ready-fd writes one line once every initial watch is in
# place, then closes the descriptor; NOTIFY_SOCKET gets READY=1.

load helper

# spawn_ready ARGS...: start watchx ARGS --ready-fd 5 in the background
# with descriptor 5 the writing end of the FIFO $READY; WX_PID as usual.
spawn_ready() {
	READY=$BATS_TEST_TMPDIR/ready
	mkfifo "$READY"
	: >"$OUT"
	: >"$ERR"
	env --default-signal=INT,QUIT "$WATCHX" --ready-fd 5 "$@" \
		>"$OUT" 2>"$ERR" 3>&- 5<>"$READY" &
	WX_PID=$!
	WX_PIDS+=("$WX_PID")
}

@test "--ready-fd: one line once the watches of a deep -r tree are in place; an event right after is caught" {
	local deep=t
	mkdir t
	for i in {1..40}; do
		deep=$deep/d$i
	done
	mkdir -p "$deep"
	# 2,000 more directories, so that the start-up walk takes a while.
	mkdir -p t/w{1..40}/x{1..50}
	spawn_ready -q -r -x create t
	local line
	read -r -t 10 line <"$READY" || fail "no line on the ready descriptor in 10 s"
	assert_equal "$line" "ready"
	touch "$deep/f"
	wait_exit
	assert_equal "$status" 0
	run cut -f2- "$OUT"
	assert_output "$(ev 0 256 0 IN_CREATE "$deep" f | cut -f2-)"
}

@test "--ready-fd: the descriptor is closed after the line (a reader sees the end)" {
	mkdir d
	READY=$BATS_TEST_TMPDIR/ready
	mkfifo "$READY"
	env "$WATCHX" -q --ready-fd 5 d >"$OUT" 2>"$ERR" 3>&- 5>"$READY" &
	WX_PID=$!
	WX_PIDS+=("$WX_PID")
	# cat ends at the end of file, which comes only once watchx closes
	# its end: it is then still running.
	run timeout 5 cat "$READY"
	assert_success
	assert_output "ready"
	_alive "$WX_PID" || fail "watchx is gone"
	wx_stop
}

@test "--ready-fd: bad descriptors are errors naming them, exit 1" {
	mkdir d
	run_wx --ready-fd 1 d
	assert_equal "$status" 1
	assert_equal "$stderr" "watchx: --ready-fd: '1' is standard output; give a descriptor of 3 or more"
	run_wx --ready-fd 9 d
	assert_equal "$status" 1
	assert_equal "$stderr" "watchx: --ready-fd: descriptor 9 is not open"
	run_wx --ready-fd x d
	assert_equal "$status" 1
	assert_equal "$stderr" "watchx: --ready-fd: descriptor 'x' is invalid"
	echo hi >r
	run --separate-stderr timeout 10 "$WATCHX" --ready-fd 6 d 6<r
	assert_equal "$status" 1
	assert_equal "$stderr" "watchx: --ready-fd: descriptor 6 is not open for writing"
}

@test "--ready-fd: a reader that has gone is a warning, and watchx goes on" {
	mkdir d
	# A pipe whose reading end is closed before watchx starts: its write
	# fails with EPIPE.
	run --separate-stderr timeout 10 python3 - "$WATCHX" "$OUT" <<'PY' 3>&-
import os, subprocess, sys, time
r, w = os.pipe()
os.close(r)
err = open("err", "w+")
p = subprocess.Popen([sys.argv[1], "--ready-fd", str(w), "-x", "create", "d"],
                     stdout=open(sys.argv[2], "w"), stderr=err, pass_fds=[w])
os.close(w)
while b"Watches established." not in open("err", "rb").read():
    if p.poll() is not None:
        break
    time.sleep(0.02)
open("d/a", "w").close()
sys.exit(p.wait())
PY
	assert_equal "$status" 0
	assert_out "$(ev 1 256 0 IN_CREATE d a)"
	run grep -c "^watchx: --ready-fd: descriptor [0-9]*: Broken pipe$" err
	assert_output 1
}

# notify_listen SOCKET: listen on the datagram socket SOCKET ("@" for the
# abstract namespace) in the background; what it receives goes to $GOT.
notify_listen() {
	GOT=$BATS_TEST_TMPDIR/got
	: >"$GOT"
	python3 - "$1" "$GOT" <<'PY' 3>&- &
import socket, sys
path, got = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + path[1:] if path.startswith("@") else path)
open(got + ".up", "w").close()
s.settimeout(10)
data = s.recv(4096)
open(got, "wb").write(data)
PY
	LISTENER=$!
	WX_PIDS+=("$LISTENER")
	poll 5 "the listener did not start" test -e "$GOT.up"
}

@test "NOTIFY_SOCKET: READY=1 once the watches are in place" {
	mkdir d
	notify_listen "$BATS_TEST_TMPDIR/notify"
	NOTIFY_SOCKET=$BATS_TEST_TMPDIR/notify wx_start -x create d
	wait_exit "$LISTENER"
	assert_equal "$status" 0
	assert_equal "$(cat "$GOT")" "READY=1"
	touch d/a
	wait_exit
	assert_equal "$status" 0
}

@test "NOTIFY_SOCKET in the abstract namespace (@name)" {
	mkdir d
	local name=@watchx-test-$$-$RANDOM
	notify_listen "$name"
	NOTIFY_SOCKET=$name wx_start d
	wait_exit "$LISTENER"
	assert_equal "$status" 0
	assert_equal "$(cat "$GOT")" "READY=1"
	wx_stop
}

@test "NOTIFY_SOCKET that nobody listens on: a warning, and watchx goes on" {
	mkdir d
	NOTIFY_SOCKET=$BATS_TEST_TMPDIR/nobody wx_start -x create d
	# The warning comes after "Watches established.".
	wait_for_line "$ERR" "^watchx: NOTIFY_SOCKET: $BATS_TEST_TMPDIR/nobody: .+"
	touch d/a
	wait_exit
	assert_equal "$status" 0
}
