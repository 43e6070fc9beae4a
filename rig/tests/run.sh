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
for n in test_store test_store_views test_report test_spool; do
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
for t in rig/tests/integration/[0-9]*.sh; do
	n=$(basename "$t" .sh)
	wanted integration "$n" || continue
	echo "== $n"
	start=$(date +%s)
	sh "$t" > "$out" 2>&1
	rc=$?
	cat "$out"
	echo "($n: $(( $(date +%s) - start ))s)"
	tally "$n" "$rc" "$out"
done
rm -f "$out" "$RIG_EVENT_LOG"
[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
