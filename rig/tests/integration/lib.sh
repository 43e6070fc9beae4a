# lib: what the integration tests share: a private rigd driven only through rigctl, and checks.
# Each test sources this, calls rigd_start, makes checks, and ends with finish.

: "${BUILD:=build/san}"
RIGD=$PWD/$BUILD/bin/rigd
RIGCTL=$PWD/$BUILD/bin/rigctl
: "${RIG_CACHE:=$PWD/var/cache}"
export RIG_CACHE
T=$(mktemp -d /tmp/rig-it-XXXXXX)
export RIG_SOCKET=$T/rigd.sock
# Leak checks run in the unit tests; a daemon stopped by a signal keeps its threads' memory.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ok_n=0
fail_n=0
RIGD_PID=

ok() { ok_n=$((ok_n + 1)); echo "ok   $*"; }
not_ok() { fail_n=$((fail_n + 1)); echo "FAIL $*"; }

# check NAME COMMAND...: passes when the command succeeds.
check() {
	name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}

# contains FILE TEXT: the file holds the text (fixed string).
contains() { grep -qF -- "$2" "$1"; }

# Scenarios for this test: the shipped ones plus the test-only ones (rig/tests/data/scenarios).
with_test_scenarios() {
	mkdir -p "$T/scen"
	cp scenarios/*.yaml rig/tests/data/scenarios/*.yaml "$T/scen/"
	SCENDIR=$T/scen
}

# wait_steps RUN N: until run RUN has stored N steps (60 s at most).
wait_steps() {
	i=0
	while [ $i -lt 600 ]; do
		[ "$(sql "SELECT count(*) FROM run_steps WHERE run_id=$1" 2>/dev/null)" -ge "$2" ] 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

rigd_start() {
	"$RIGD" -d -v -S "$T" -B "${BOARDS:-vq35}" -c "${SCENDIR:-scenarios}" "$@" \
	    >> "$T/rigd.log" 2>&1 &
	RIGD_PID=$!
	i=0
	while [ $i -lt 100 ]; do
		"$RIGCTL" ping > /dev/null 2>&1 && return 0
		kill -0 "$RIGD_PID" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	echo "rigd did not start:"
	cat "$T/rigd.log"
	return 1
}

rigd_stop() {
	[ -n "$RIGD_PID" ] || return 0
	kill "$RIGD_PID" 2>/dev/null
	wait "$RIGD_PID" 2>/dev/null
	RIGD_PID=
}

# sql QUERY: one value from the test's own results database.
sql() { sqlite3 "$T/rig.db" "$1"; }

# wait_state BOARD STATE SECONDS
wait_state() {
	i=0
	while [ $i -lt $(($3 * 2)) ]; do
		"$RIGCTL" show boards 2>/dev/null | grep -q "^$1 .* $2 " && return 0
		sleep 0.5
		i=$((i + 1))
	done
	return 1
}

cleanup() {
	rigd_stop
	# QEMU dies with its rigd; anything started from this test's folder goes too.
	pkill -9 -f "$T/" 2>/dev/null
	if [ "$fail_n" -gt 0 ] || [ -n "${KEEP:-}" ]; then
		echo "--- rigd log (kept in $T)"
		tail -n 60 "$T/rigd.log"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT

finish() {
	echo "$ok_n passed, $fail_n failed"
	[ "$fail_n" -eq 0 ]
	exit $?
}
