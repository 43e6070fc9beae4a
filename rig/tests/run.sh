#!/bin/sh
# run: every test: the unit programs, then the integration scripts; one closing count.
#   sh rig/tests/run.sh BUILD_DIR [unit|integration|NAME...]
set -u
BUILD=${1:?usage: run.sh BUILD_DIR [unit|integration|NAME...]}
shift
WHAT=${*:-all}
export BUILD
passed=0
failed=0
failures=""

# Adds a test program's closing "N passed, N failed" line to the totals; a program that
# died without one counts as one failure.
tally() {
	name=$1 rc=$2 out=$3
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	if [ -n "$line" ]; then
		p=${line%% passed*}
		f=${line#*passed, }
		f=${f%% failed*}
		passed=$((passed + p))
		failed=$((failed + f))
		if [ "$f" -gt 0 ] || [ "$rc" -ne 0 ]; then
			failures="$failures $name"
			[ "$f" -eq 0 ] && failed=$((failed + 1))
		fi
	else
		failed=$((failed + 1))
		failures="$failures $name"
	fi
}

wanted() {
	case " $WHAT " in
	*" all "*) return 0 ;;
	*" $1 "*|*" $2 "*) return 0 ;;
	esac
	return 1
}

out=$(mktemp)
# Every message type rigctl receives during the integration tests, for 99-events.
RIG_EVENT_LOG=$(mktemp)
export RIG_EVENT_LOG
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	n=$(basename "$t")
	wanted unit "$n" || continue
	echo "== $n"
	"$t" > "$out" 2>&1
	rc=$?
	cat "$out"
	tally "$n" "$rc" "$out"
done
# The store's tests again on PostgreSQL (NAME_pg), each store a database of a private server
# started here for them and removed at the end (rig/tests/pg.sh).
pgdir=""
for n in test_store test_store_views test_report test_spool test_storebuf; do
	t=$BUILD/tests/$n
	[ -x "$t" ] || continue
	wanted unit "${n}_pg" || continue
	echo "== ${n}_pg"
	if [ -z "$pgdir" ]; then
		pgdir=$(mktemp -d /tmp/rig-pg-XXXXXX)
		trap 'sh rig/tests/pg.sh stop "$pgdir"' EXIT
		trap 'exit 130' INT TERM
		pguri=$(sh rig/tests/pg.sh start "$pgdir") || pguri=""
	fi
	if [ -n "$pguri" ]; then
		RIG_TEST_PG=$pguri "$t" > "$out" 2>&1
		rc=$?
	else
		echo "no PostgreSQL server could be started (see above)" > "$out"
		rc=1
	fi
	cat "$out"
	tally "${n}_pg" "$rc" "$out"
done
# The integration scripts: most wait on boards (boots, hang deadlines, a scenario's sleep) with
# the cores idle, so RIG_TEST_JOBS of them (2 unless set) run at once, each with its own rigd,
# boards and folder; each one's output is printed whole when it ends. A script whose checks
# time rigd's answers (a verdict within 3 s, U-Boot's stage deadlines) says so with a line
# `#@ alone: WHY` and runs after those, by itself; 99-events, which reads what all the others
# recorded, runs last.
res=$(mktemp -d /tmp/rig-suites-XXXXXX)
jobs=${RIG_TEST_JOBS:-2}
case $jobs in ''|*[!0-9]*|0) echo "RIG_TEST_JOBS: '$jobs' is not a count of scripts" >&2; exit 2 ;; esac
: > "$res/shared"
: > "$res/alone"
for t in rig/tests/integration/[0-9]*.sh; do
	n=$(basename "$t" .sh)
	wanted integration "$n" || continue
	if [ "$n" = 99-events ] || grep -q '^#@ alone:' "$t"; then
		echo "$n" >> "$res/alone"
	else
		echo "$n" >> "$res/shared"
	fi
done
# suite NAME: runs one script; its output, status and seconds in $res/NAME.*; prints it whole.
suite() {
	start=$(date +%s)
	sh "rig/tests/integration/$1.sh" > "$res/$1.out" 2>&1
	echo $? > "$res/$1.rc"
	echo "($1: $(( $(date +%s) - start ))s)" >> "$res/$1.out"
	flock "$res/print.lock" cat "$res/$1.out"
}
# lane: takes the next shared script off the list until none is left.
lane() {
	while n=$(flock "$res/take.lock" sh -c 'n=$(head -n 1 "$1"); [ -n "$n" ] || exit 1
		sed -i 1d "$1"; echo "$n"' sh "$res/shared"); do
		suite "$n"
	done
}
order=$(cat "$res/shared" "$res/alone")
i=0
pids=""
while [ "$i" -lt "$jobs" ]; do
	lane &
	pids="$pids $!"
	i=$((i + 1))
done
for p in $pids; do wait "$p"; done
for n in $(cat "$res/alone"); do suite "$n"; done
for n in $order; do
	if [ -f "$res/$n.rc" ]; then
		tally "$n" "$(cat "$res/$n.rc")" "$res/$n.out"
	else
		failed=$((failed + 1))
		failures="$failures $n"
	fi
done
rm -rf "$res"
rm -f "$out" "$RIG_EVENT_LOG"
[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
