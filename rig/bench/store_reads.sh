#!/bin/sh
# store_reads (issue 15): the reads that grow with a lab's history, on SQLite and PostgreSQL side
# by side, at 10k and 100k runs (store_fill --crashes: 30 builds, 4 boards, 25 scenarios, a
# report per hang and crash). Each read through a real rigd on that store, as people make it:
# rigctl matrix (whole, one board), compare, export (junit, kcidb, kcidb of one build), show
# crashes; the runs of a board, of a scenario and of both through the JSON API (/api/runs,
# /api/history: no rigctl command lists those). Milliseconds to the last byte, the median of 3,
# with the 100k/10k ratio per engine and the pg/sqlite ratio at 100k; the 1-minute load average
# beside each row (the machine is shared). Then the peak RSS of rigd over a 100k kcidb export:
# SQLite, PostgreSQL streamed (now), PostgreSQL with each result held whole (before,
# RIG_BENCH_PG_WHOLE_RESULTS=1). First, each read's plan on both 100k stores (bench_plans):
# the bench fails if a read that grows scans where an index would serve.
#   sh rig/bench/store_reads.sh [BUILD_DIR] [SMALL BIG]   (default build, 10000 100000)
. rig/bench/lib.sh
SMALL=${2:-10000}
BIG=${3:-100000}
FILL=$PWD/$BUILD/tests/store_fill
PLANS=$PWD/$BUILD/bench/bench_plans
[ -x "$FILL" ] || make -s BUILD="$BUILD" "$BUILD/tests/store_fill" || exit 2
mkdir -p "$BUILD/bench"
# shellcheck disable=SC2046
cc -O2 -g -std=c11 -D_GNU_SOURCE -Irig/lib -I/usr/include/cjson -o "$PLANS" rig/bench/bench_plans.c \
    "$BUILD/lib/librig.a" $(pkg-config --libs libssh yaml-0.1 sqlite3 libpcre2-8 libcjson \
    libcrypto libmicrohttpd libgpiod libarchive libpq) -liberty -lpthread -lm -lutil || exit 2
chmod 711 "$T"	# the server's user (rig-pgtest) reaches its folder in here
trap 'kill $BENCH_PID 2>/dev/null; wait $BENCH_PID 2>/dev/null
    sh rig/tests/pg.sh stop "$T/pg" 2>/dev/null; rm -rf "$T"' EXIT
server=$(sh rig/tests/pg.sh start "$T/pg") || exit 2
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
load() { cut -d' ' -f1 /proc/loadavg; }
now_ms() { date +%s%3N; }
rc=0

# store ENGINE RUNS: the store's path or URI (a database of its own on the one server).
store() {
	if [ "$1" = sqlite ]; then
		echo "$T/rig-$2.db"
	else
		echo "$server" | sed "s|:///rig?|:///rig_$2?|"
	fi
}

# fill ENGINE RUNS: SQLite by one writer; PostgreSQL by four at once (store_fill --part), as a
# lab's hosts write, and four times sooner than one on a loaded machine.
fill() {
	if [ "$1" = sqlite ]; then
		"$FILL" "$(store "$1" "$2")" "$2" --crashes > /dev/null
		return
	fi
	pids=
	for k in 0 1 2 3; do
		"$FILL" "$(store "$1" "$2")" "$2" --crashes --part "$k/4" > /dev/null &
		pids="$pids $!"
	done
	ok=0
	for p in $pids; do
		wait "$p" || ok=1
	done
	return $ok
}

echo "filling (load $(load)):"
for n in $SMALL $BIG; do
	"$pgbin/createdb" -h "$T/pg/sock" -p 5439 -U rig "rig_$n" || exit 2
	for e in sqlite postgresql; do
		t0=$(now_ms)
		fill "$e" "$n" || exit 2
		printf '  %-10s %7s runs: %6.1f s (load %s)\n' "$e" "$n" \
		    "$(echo "$(now_ms) $t0" | awk '{ print ($1 - $2) / 1000 }')" "$(load)"
	done
done

echo
echo "plans at $BIG runs (bench_plans):"
printf '%-30s %-10s %-13s %s\n' read engine plan "telling line"
for e in sqlite postgresql; do
	"$PLANS" "$(store $e "$BIG")" | cut -c1-150 || rc=1
done

# rigd_on STORE [ENV...]: a rigd of its own on STORE, its socket and HTTP port; BENCH_PID.
rigd_on() {
	where=$1
	shift
	D=$(mktemp -d "$T/rigd-XXXXXX")
	export RIG_SOCKET=$D/rigd.sock
	PORT=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	env "$@" "$RIGD" -d -S "$D" -B vq35 -c scenarios --store "$where" -H "127.0.0.1:$PORT" \
	    > "$D/rigd.log" 2>&1 &
	BENCH_PID=$!
	"$RIGCTL" wait rigd --pid "$BENCH_PID" --timeout 120 > /dev/null ||
	    { echo "bench: rigd did not start"; cat "$D/rigd.log"; exit 2; }
}

rigd_off() {
	kill "$BENCH_PID" 2>/dev/null
	wait "$BENCH_PID" 2>/dev/null
	BENCH_PID=
}

# timed NAME CMD...: CMD's time to its last byte (ms), the median of 3, and the load, to $T/res.
timed() {
	name=$1
	shift
	ms=$(for i in 1 2 3; do
		t0=$(now_ms)
		"$@" > "$T/out" 2> "$T/err"
		# compare says regressions by its status (1): only 2 and more are failures
		[ $? -le 1 ] || { echo "bench: $name: $*" >&2; cat "$T/err" >&2; }
		echo $(($(now_ms) - t0))
	done | median)
	echo "$name|$cfg|$ms|$(load)" >> "$T/res"
}

api() { curl -sf "http://127.0.0.1:$PORT$1"; }

: > "$T/res"
a=linux-image-6.1.0-1-amd64
b=linux-image-6.1.0-2-amd64
for e in sqlite postgresql; do
	for n in $SMALL $BIG; do
		cfg="$e $n"
		rigd_on "$(store $e "$n")"
		timed "matrix" "$RIGCTL" matrix --json
		timed "matrix --board" "$RIGCTL" matrix --board lab-a --json
		timed "compare A B" "$RIGCTL" compare "$a" "$b" --json
		timed "export junit" "$RIGCTL" export junit
		timed "export kcidb" "$RIGCTL" export kcidb
		timed "export kcidb --build" "$RIGCTL" export kcidb --build "$b"
		timed "show crashes (groups)" "$RIGCTL" show crashes --json
		timed "runs by board (100)" api "/api/runs?board=lab-a&limit=100"
		timed "runs by scenario (100)" api "/api/runs?scenario=scenario-03&limit=100"
		timed "history scenario x board" api "/api/history?scenario=scenario-03&board=lab-a"
		rigd_off
	done
done

echo
echo "reads (ms to the last byte, median of 3; x: the ratio; load: 1-minute load average):"
/usr/bin/python3 - "$T/res" "$SMALL" "$BIG" <<'EOF'
import sys
res, small, big = sys.argv[1], sys.argv[2], sys.argv[3]
rows, loads, order = {}, {}, []
for line in open(res):
    name, cfg, ms, load = line.rstrip("\n").split("|")
    if name not in rows:
        order.append(name)
    rows.setdefault(name, {})[cfg] = int(ms)
    loads.setdefault(name, []).append(float(load))
k = lambda n: "%dk" % (int(n) // 1000)
def ratio(a, b):
    return "%.1f" % (a / b) if a is not None and b else "-"
hdr = ["read", "sqlite " + k(small), "sqlite " + k(big), "x" + k(big) + "/" + k(small),
       "pg " + k(small), "pg " + k(big), "x" + k(big) + "/" + k(small), "pg/sqlite " + k(big), "load"]
fmt = "%-26s %11s %11s %9s %11s %11s %9s %13s %11s"
print(fmt % tuple(hdr))
for name in order:
    r = rows[name]
    s1, s2 = r.get("sqlite " + small), r.get("sqlite " + big)
    p1, p2 = r.get("postgresql " + small), r.get("postgresql " + big)
    print(fmt % (name, s1, s2, ratio(s2, s1), p1, p2, ratio(p2, p1), ratio(p2, s2),
                 "%.1f-%.1f" % (min(loads[name]), max(loads[name]))))
EOF

# peak ENV...: rigd's peak RSS (MB) over one kcidb export of the big store, the ms it took and
# the load. VmHWM is reset first (clear_refs 5), so what rigd held before does not count.
peak() {
	where=$1
	shift
	rigd_on "$where" "$@"
	echo 5 2>/dev/null > "/proc/$BENCH_PID/clear_refs" || echo "bench: peak RSS since rigd started" >&2
	t0=$(now_ms)
	"$RIGCTL" export kcidb > "$T/out" || echo "bench: export failed" >&2
	ms=$(($(now_ms) - t0))
	kb=$(awk '/^VmHWM/ { print $2 }' "/proc/$BENCH_PID/status")
	echo "$((kb / 1024)) $ms $(load) $(wc -c < "$T/out")"
	rigd_off
}

echo
echo "rigd's peak RSS over one 'rigctl export kcidb' of $BIG runs:"
set -- $(peak "$(store sqlite "$BIG")")
sq=$1
printf '  %-44s %6s MB  %7s ms  load %s  (%s bytes)\n' "sqlite" "$1" "$2" "$3" "$4"
set -- $(peak "$(store postgresql "$BIG")" RIG_BENCH_PG_WHOLE_RESULTS=1)
whole=$1
printf '  %-44s %6s MB  %7s ms  load %s\n' "postgresql, results held whole (before)" "$1" "$2" "$3"
set -- $(peak "$(store postgresql "$BIG")")
printf '  %-44s %6s MB  %7s ms  load %s\n' "postgresql, rows streamed (now)" "$1" "$2" "$3"
awk -v w="$whole" -v s="$1" -v q="$sq" \
    'BEGIN { printf "  x now/before: %.2f   x now/sqlite: %.2f\n", s / w, s / q }'
exit $rc
