# lib: what the benchmarks share: a private rigd on the plain build, read through rigctl --json
# (never rig.db: the store is the only code that knows its tables), small maths.
#   . rig/bench/lib.sh; bench_start BOARDS [SCENARIO_DIRS...]

BUILD=${1:-build}
RIGD=$PWD/$BUILD/bin/rigd
RIGCTL=$PWD/$BUILD/bin/rigctl
: "${RIG_CACHE:=$PWD/var/cache}"
export RIG_CACHE
T=$(mktemp -d /tmp/rig-bench-XXXXXX)
export RIG_SOCKET=$T/rigd.sock
BENCH_PID=

bench_start() {
	boards=$1
	shift
	mkdir -p "$T/scen"
	cp scenarios/*.yaml "$T/scen/"
	for d in "$@"; do
		cp "$d"/*.yaml "$T/scen/"
	done
	"$RIGD" -d -S "$T" -B "$boards" -c "$T/scen" > "$T/rigd.log" 2>&1 &
	BENCH_PID=$!
	trap 'kill $BENCH_PID 2>/dev/null; wait $BENCH_PID 2>/dev/null; rm -rf "$T"' EXIT
	"$RIGCTL" wait rigd --pid "$BENCH_PID" --timeout 60 > /dev/null ||
	    { echo "bench: rigd did not start"; cat "$T/rigd.log"; exit 2; }
}

# js EXPR: a Python expression over the JSON on standard input (as d); prints the result, a
# string as it is, a list one item a line, anything else as JSON. ms(t) is a stored time
# (ISO 8601 UTC) in ms since the epoch.
js() {
	/usr/bin/python3 -c 'import json, sys, datetime
def ms(t):
    t = datetime.datetime.fromisoformat(t.replace("Z", "+00:00"))
    return int(t.timestamp() * 1000)
d = json.load(sys.stdin)
r = eval(sys.argv[1])
if isinstance(r, list):
    r = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in r)
print(r if isinstance(r, str) else json.dumps(r))' "$1"
}

# q EXPR RIGCTL-ARGS...: rigctl RIGCTL-ARGS --json, and EXPR over what it printed (see js).
q() {
	expr=$1
	shift
	"$RIGCTL" "$@" --json | js "$expr"
}

# last_run: the id of the newest run (0 when there is none).
last_run() { q 'max([r["id"] for r in d] + [0])' show runs; }

# latency RUN STEP: ms from the start of step STEP of run RUN to its stored verdict (the run's
# end, less the step's offset from the run's start).
latency() {
	q "(ms(d['ended']) - ms(d['started']) -
	    [s['started_ms'] for s in d['steps'] if s['idx'] == $2][0])" show run "$1"
}

# recovered BOARD: the board is READY again after a recovery and every run on it has stored its
# recovery time (stored just after the board turns READY, hence the short bounded re-check).
recovered() {
	"$RIGCTL" wait board "$1" READY --timeout 600 > /dev/null || return 1
	i=0
	while [ "$(q "len([r for r in d if r['board'] == '$1' and
	    r['verdict'] in ('hang', 'crash') and r['recovery_ms'] is None])" show runs)" != 0 ]; do
		i=$((i + 1))
		[ $i -gt 50 ] && return 1
		sleep 0.1
	done
}

# release: the kernel release of the newest build.
release() { q 'max(d, key=lambda b: b["id"])["release"]' show builds; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
sec() { awk -v ms="$1" 'BEGIN { printf "%.1f s", ms / 1000 }'; }
