#!/bin/sh
# Run bats test files with every watchx under valgrind memcheck, then fail
# if any run reported a memory error or a definite leak (make valgrind).
# Usage: tests/valgrind.sh FILE... -- [bats [flags...]]
#
# $WATCHX becomes a wrapper script named watchx that execs valgrind on
# ./watchx, so a test's $! is the valgrind process: that is watchx itself
# (valgrind runs its client in the same process), whose /proc/PID/fdinfo
# shows the inotify descriptor and which gets the test's signals.  The
# client's argv[0] is the real binary's path, so messages still start with
# "watchx:" (and under the names inotifywait and inotifywatch, the client
# has that name too).  Each run logs to vg.PID.log; with --quiet a log
# holds only what valgrind reports (errors, definite leaks, warnings).
#
# The tests see WX_VALGRIND=1, on which helper.bash skips the few tests
# listed in tests/valgrind.skip (those that cannot work with valgrind in
# the process, each with its reason), and longer deadlines: valgrind starts
# watchx in about half a second and runs it many times slower.
set -u
top=$(cd "$(dirname "$0")/.." && pwd) || exit 2
files=
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	files="$files $1"
	shift
done
[ $# -gt 0 ] && shift
[ -n "$files" ] || { echo "usage: $0 FILE... -- [bats [flags...]]" >&2; exit 2; }
[ -x "$top/watchx" ] || { echo "$0: no $top/watchx (make watchx)" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "$0: valgrind is not installed" >&2; exit 2; }

# Some tests run watchx as user nobody, from a copy of $WATCHX (the wrapper):
# the wrapper and the real binary must be reachable for nobody, and the log
# directory writable.
vg=$(mktemp -d /tmp/watchx-valgrind.XXXXXX) || exit 2
trap 'rm -rf "$vg"; exit 130' INT TERM
chmod 755 "$vg"
mkdir -m 755 "$vg/bin" "$vg/iw"
ln -s "$top/watchx" "$vg/iw/inotifywait"
ln -s "$top/watchx" "$vg/iw/inotifywatch"
mkdir -m 1777 "$vg/logs"
{
	echo '#!/bin/sh'
	echo '# watchx under valgrind memcheck (written by tests/valgrind.sh).'
	echo "bin='$top/watchx' log='$vg/logs/vg.'\$\$.log"
	# Run as inotifywait or inotifywatch (a link to this wrapper), the
	# client is too.
	echo "case \"\${0##*/}\" in inotifywa[it]*) bin='$vg/iw/'\"\${0##*/}\" ;; esac"
	cat <<'EOF'
# First note which test runs it, for the report: after exec, valgrind is
# this process, so vg.PID.log is its log.
echo "test ${BATS_SUITE_TEST_NUMBER-?} in ${BATS_TEST_FILENAME##*/}" \
	"(${BATS_TEST_NAME-?}): watchx $*" 2>/dev/null >"${log%.log}.test"
set -- --tool=memcheck --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite --show-leak-kinds=definite --quiet \
	"$bin" "$@"
# valgrind opens --log-file on the lowest free descriptor and leaves it open
# there too: with stdin, stdout or stderr closed, watchx would find the log
# in its place.  Then the log goes to descriptor 9, opened here, instead.
# (Each test copies a descriptor, failing if it is closed; a failure on 2
# has nowhere to print.)
if { true 9<&0 && true 9>&1; } 2>/dev/null && true 9>&2; then
	exec valgrind --log-file="$log" "$@"
fi
exec 9>"$log"
exec valgrind --log-fd=9 "$@"
EOF
} >"$vg/bin/watchx"
chmod 755 "$vg/bin/watchx"

# tests/run's TAP goes out as it comes, but its last line, the summary, is
# held back to end the output after the check.
{
	WATCHX=$vg/bin/watchx WX_VALGRIND=1 WX_TESTS=$files \
		WX_DEADLINE=${WX_DEADLINE:-20} \
		WX_RUN_TIMEOUT=${WX_RUN_TIMEOUT:-60} \
		sh "$top/tests/run" "$@"
	echo $? >"$vg/status"
} | tee "$vg/out" | awk 'NR > 1 { print last; fflush() } { last = $0 }'
status=$(cat "$vg/status")

# The check.  With --quiet a log holds only what valgrind reports, and an
# error or a definite leak is a record with a stack trace ("==PID==    at
# 0x..."); the summary forms would catch them without --quiet.  Possibly
# lost and reachable blocks are not shown (--show-leak-kinds=definite).
logs=0 bad=0
for log in "$vg"/logs/vg.*.log; do
	[ -e "$log" ] || continue
	logs=$((logs + 1))
	from=$(cat "${log%.log}.test" 2>/dev/null)
	if grep -qE '^==[0-9]+== {3,}(at|by) 0x|ERROR SUMMARY: [1-9]|definitely lost: [1-9]|definitely lost in loss record' "$log"; then
		bad=$((bad + 1))
		echo "--- valgrind: errors in $log, from $from:"
		cat "$log"
	elif [ -s "$log" ]; then
		echo "--- valgrind: warnings but no error in $log, from $from:"
		cat "$log"
	fi
done
if [ "$logs" -eq 0 ]; then
	echo "valgrind: no log: watchx never ran under valgrind"
	bad=1
else
	echo "valgrind: $logs watchx runs, $bad with errors or definite leaks"
fi
tail -n 1 "$vg/out"
if [ "$bad" -gt 0 ]; then
	echo "valgrind: logs kept in $vg/logs" >&2
	exit 1
fi
rm -rf "$vg"
exit "$status"
