# lib: what the benchmarks share: a private rigd on the plain build, its database, small maths.
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
	i=0
	until "$RIGCTL" ping > /dev/null 2>&1; do
		i=$((i + 1))
		[ $i -gt 100 ] && { echo "bench: rigd did not start"; cat "$T/rigd.log"; exit 2; }
		sleep 0.1
	done
}

sql() { sqlite3 "$T/rig.db" "$1"; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
sec() { awk -v ms="$1" 'BEGIN { printf "%.1f s", ms / 1000 }'; }
