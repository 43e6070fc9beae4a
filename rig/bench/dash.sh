# dash: the dashboard's pages on a lab of 100k runs (store_fill): each page's time to its last
# byte (curl, the median of 5, the server's part) and to its load event in headless Chromium
# (once, rendering included), and the JSON twins'.
#   sh rig/bench/dash.sh BUILD_DIR [RUNS]
. rig/bench/lib.sh
RUNS=${2:-100000}
FILL=$PWD/$BUILD/tests/store_fill
[ -x "$FILL" ] || make -s BUILD="$BUILD" "$BUILD/tests/store_fill" || exit 2
"$FILL" "$T/rig.db" "$RUNS" > /dev/null || exit 2
PORT=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$RIGD" -d -S "$T" -B vq35 -c scenarios -H "127.0.0.1:$PORT" > "$T/rigd.log" 2>&1 &
BENCH_PID=$!
trap 'kill $BENCH_PID 2>/dev/null; wait $BENCH_PID 2>/dev/null; rm -rf "$T"' EXIT
"$RIGCTL" wait rigd --pid "$BENCH_PID" --timeout 60 > /dev/null || { cat "$T/rigd.log"; exit 2; }
base=http://127.0.0.1:$PORT
run=$(curl -s "$base/api/runs?limit=1" | js 'd[0]["id"]')
hang=$((run - (run - 4) % 7))
printf '%-34s %10s %10s %12s\n' page "curl ms" "bytes" "browser ms"
for p in / /matrix /runs "/runs?limit=100&before=50000" /runs/$hang /crashes \
    "/history?scenario=scenario-03" /reservations /boards/vq35 /api/lab /api/matrix \
    "/api/runs?limit=100&before=50000" /api/runs/$hang /api/crashes \
    "/api/history?scenario=scenario-03"; do
	ms=$(for i in 1 2 3 4 5; do
		curl -s -o "$T/body" -w '%{time_total}\n' "$base$p"
	done | sort -n | sed -n 3p)
	bytes=$(wc -c < "$T/body")
	case $p in
	/api/*) browser=- ;;
	*) browser=$(/usr/bin/python3 rig/tests/dashcheck.py page "$base" "$p" "$T/shot" |
	    awk '{print $(NF-1)}') ;;
	esac
	awk -v p="$p" -v s="$ms" -v b="$bytes" -v w="$browser" 'BEGIN { printf "%-34s %10.0f %10s %12s\n", p, s * 1000, b, w }'
done
