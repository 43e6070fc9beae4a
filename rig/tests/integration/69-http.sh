# The HTTP API under load and against other sites: six parallel /api/matrix on a store of 100k
# runs while /api/boards answers in under 200 ms; a request naming another host (DNS
# rebinding: a page of another site calling this port) is refused; -H with a port alone binds
# loopback. The dashboard's pages on that store, in headless Chromium and without JavaScript:
# each loads, paginates, links, has its JSON twin, and shows a hostile build name and crash
# title as text. No board is powered here.
. rig/tests/integration/lib.sh

RUNS=${RIG_HTTP_RUNS:-100000}
HELPER="/usr/bin/python3 $PWD/rig/tests/heavy_reads.py"
PORT=$(free_port)

check "a store of $RUNS runs is filled" "$PWD/$BUILD/tests/store_fill" "$T/rig.db" "$RUNS" \
    --hostile
rigd_start -H 127.0.0.1:$PORT || finish
base=http://127.0.0.1:$PORT

start=$(date +%s%N)
$HELPER http "$base/api/matrix" 6 "$base/api/boards" "127.0.0.1:$PORT" > "$T/http.out" 2>&1
echo "(six matrices and twenty /api/boards: $(( ($(date +%s%N) - start) / 1000000 )) ms)"
cat "$T/http.out"
read -r _ ms _ _ < "$T/http.out"
check "/api/boards answers in under 200 ms during six /api/matrix (max $ms ms)" \
    [ "${ms:-99999}" -lt 200 ]
check "the six /api/matrix answer 200" [ "$(grep -c '^matrix 200 ' "$T/http.out")" -eq 6 ]

# Another site's name in Host, as a browser sends after DNS rebinding: refused, said why.
code=$(curl -s -o "$T/rebind.out" -w '%{http_code}' -H "Host: evil.example:$PORT" \
    "$base/api/boards")
cat "$T/rebind.out"; echo
check "a request for another host is refused (421)" [ "$code" = 421 ]
check "the refusal names the host" contains "$T/rebind.out" "evil.example"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Host: localhost:$PORT" "$base/api/boards")
check "localhost is this host (200)" [ "$code" = 200 ]
code=$(curl -s -o /dev/null -w '%{http_code}' "$base/api/boards")
check "the bound address is this host (200)" [ "$code" = 200 ]

# The pages as a browser shows them (screenshots kept in $ARTIFACTS), with their load times.
DASH=$base
run=$(curl -s "$base/api/runs?limit=1" | js 'str(d[0]["id"])')
hang=$((run - (run - 4) % 7))	# store_fill: every seventh run hangs
dash_pages lab:/ matrix:/matrix runs:/runs run:/runs/$hang crashes:/crashes \
    history:/history?scenario=scenario-03 reservations:/reservations board:/boards/vq35
for n in lab matrix runs run crashes history reservations board; do
	check "the $n page loads in Chromium" dash_loaded $n
done
cat "$T/dash.times"
for n in lab matrix runs run crashes history reservations board; do
	check "the $n page is not taken over by the hostile names (title kept)" \
	    grep -q "<title>[^<]* - rig</title>" "$T/dash-$n.html"
done
check "the lab page lists the boards" contains "$T/dash-lab.html" 'href="/boards/vq35">vq35</a>'
check "... and the latest runs" contains "$T/dash-lab.html" "href=\"/runs/$run\">$run</a>"
check "the matrix shows the hostile build's name as text" contains "$T/dash-matrix.html" \
    "&lt;script&gt;document.title='pwned'&lt;/script&gt;"
check "the matrix marks a hang by its shape and word, linked to its run" \
    grep -q '<td class="hang[^"]*" title="INFO: task hung in i2c_del_adapter"><a href="/runs/[0-9]*"><span class="v hang"><span aria-hidden="true">◐</span> hang</span>' "$T/dash-matrix.html"
check "the matrix marks regressions and fixes between neighbouring builds" \
    grep -q 'class="[a-z]* reg".*class="pass fix"' "$T/dash-matrix.html"
curl -s "$base/matrix?builds=10&page=1" > "$T/matrix10.html"
check "the matrix pages by builds: newer and older a link away" \
    grep -q 'href="/matrix?builds=10&amp;page=0">newer builds</a> <a rel="next" href="/matrix?builds=10&amp;page=2">older builds' "$T/matrix10.html"
check "the crash groups show the hostile title as text" contains "$T/dash-crashes.html" \
    "BUG: &lt;img src=x onerror=\"document.title='pwned'\"&gt; in probe"
check "... no element came of it" [ "$(grep -c '<img' "$T/dash-crashes.html")" -eq 0 ]
check "... with the boards it was seen on" \
    [ "$(curl -s "$base/api/crashes" | js 'str(d[0]["boards"])')" = "['lab-c']" ]
check "the runs page has a next page of older runs" \
    grep -q "href=\"/runs?limit=100&amp;before=$((run - 99))\"" "$T/dash-runs.html"
check "the run page has the hang's stack, its guilty frame marked" \
    grep -q '<span class="guilty" title="guilty frame">i2c_del_adapter+0x1c0</span>' "$T/dash-run.html"
check "the run page links the same scenario on the previous build" \
    grep -q 'rel="prev" href="/runs/[0-9]*">same scenario, previous build' "$T/dash-run.html"
# store_fill registers its builds out of version order: the neighbours are by version.
minor() { curl -s "$base/api/runs/$1" | js 'd["build_version"].split("Debian 6.1.")[1].split("-")[0]'; }
v=$(minor "$hang")
prev=$(curl -s "$base/api/runs/$hang" | js 'str(d["prev_build_run"])')
next=$(curl -s "$base/api/runs/$hang" | js 'str(d["next_build_run"])')
check "the previous build's run is on the version just below (6.1.$v: $(minor "$prev"))" \
    [ "$(minor "$prev")" = "$((v - 1))" ]
check "the next build's run is on the version just above (6.1.$v: $(minor "$next"))" \
    [ "$(minor "$next")" = "$((v + 1))" ]
check "the history lists its builds by version" [ "$(curl -s "$base/api/history?scenario=scenario-03" |
    js 'str([int(b["version"].split("Debian 6.1.")[1].split("-")[0]) for b in d["builds"]] == list(range(100, 130)))')" = True ]
check "the history draws verdicts and times in SVG" \
    grep -q '<svg id="durations".*<text [^>]*><title>run [0-9]*, ' "$T/dash-history.html"
check "the reservations page draws the calendar by board" \
    grep -q '<tr><td>vq35</td><td><div class="cal">' "$T/dash-reservations.html"
check "the board page has its console, read-only" contains "$T/dash-board.html" \
    "Read-only here: typing is for the reservation holder"
/usr/bin/python3 "$PWD/rig/tests/dashcheck.py" links "$base" / "$T/dash-links" > "$T/links.out"
cat "$T/links.out"
check "every link of the lab page answers 200" [ "$(grep -c '^link 200 ' "$T/links.out")" -ge 8 ] 
check "... and none fails" [ "$(grep -vc '^link 200 ' "$T/links.out")" -eq 0 ]

# The same pages without JavaScript: the server's HTML holds the data.
curl -s "$base/matrix" > "$T/matrix.html"
check "the matrix page is whole without JavaScript" contains "$T/matrix.html" \
    'title="KASAN: use-after-free Read in uart_remove_one_port"'
curl -s "$base/runs/$run" > "$T/run.html"
check "the run page is whole without JavaScript" contains "$T/run.html" "<h2>Steps</h2>"

# Every page has its JSON twin.
for a in lab "matrix?builds=5" "runs?limit=7&before=$run" "runs/$run" crashes \
    "history?scenario=scenario-03" reservations boards/vq35; do
	code=$(curl -s -o "$T/api.json" -w '%{http_code}' "$base/api/$a")
	check "/api/$a answers (200)" [ "$code" = 200 ]
	check "/api/$a: its body is JSON" /usr/bin/python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$T/api.json"
done
check "/api/matrix?builds=5 has 5 builds of 30, newest first" \
    [ "$(curl -s "$base/api/matrix?builds=5" | js 'str((len(d["rows"]), d["total_builds"]))')" = "(5, 30)" ]
# A page reads only its builds' runs; the whole matrix (rigctl, every run read) must agree
# with it cell by cell, marks included, on every board and on one.
"$RIGCTL" matrix --json > "$T/whole.json"
"$RIGCTL" matrix --board vq35 --json > "$T/whole-vq35.json"
$HELPER matrix-pages "$base" "$T/whole.json" > "$T/pages.out" 2>&1
check "the matrix pages say what the whole matrix says ($(head -n 1 "$T/pages.out"))" \
    grep -q 'differ 0$' "$T/pages.out" || cat "$T/pages.out"
$HELPER matrix-pages "$base" "$T/whole-vq35.json" vq35 > "$T/pages.out" 2>&1
check "... and so do vq35's ($(head -n 1 "$T/pages.out"))" grep -q 'differ 0$' "$T/pages.out" ||
    cat "$T/pages.out"
check "/api/runs pages by id: 7 runs below the newest" \
    [ "$(curl -s "$base/api/runs?limit=7&before=$run" | js 'str([r["id"] for r in d] == list(range('$run' - 1, '$run' - 8, -1)))')" = True ]
check "a run that is not there: 404" \
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/runs/99999999")" = 404 ]

# The sheet and scripts come from dashboards/ (-D), inlined: one request a page.
curl -s "$base/" > "$T/lab.html"
check "the lab page carries dashboards/rig.css" contains "$T/lab.html" "$(sed -n 3p dashboards/rig.css)"
check "the lab page carries dashboards/lab.js" contains "$T/lab.html" "new EventSource('/events')"
check "a board page carries dashboards/console.js" contains_s "$(curl -s "$base/boards/vq35")" \
    "'/console/stream'"

# -H PORT: loopback, not every address. Its -D folder does not exist: said with the path, and
# the pages are served without style or script.
PORT2=$(free_port)
mkdir -p "$T/second"
"$RIGD" -d -S "$T/second" -B vq35 -c scenarios -H "$PORT2" -D "$T/no-dashboards" \
    >> "$T/second.log" 2>&1 &
SECOND=$!
RIG_SOCKET=$T/second/rigd.sock "$RIGCTL" wait rigd --pid "$SECOND" --timeout 60 > /dev/null
ss -ltnH "sport = :$PORT2" > "$T/ss.out"
cat "$T/ss.out" "$T/second.log"
check "-H PORT listens on loopback" contains "$T/ss.out" "127.0.0.1:$PORT2"
check "-H PORT listens nowhere else" [ "$(wc -l < "$T/ss.out")" -eq 1 ]
check "a missing -D folder is named in the log" contains "$T/second.log" "$T/no-dashboards/rig.css"
curl -s "http://127.0.0.1:$PORT2/" > "$T/bare.html"
check "without its sheet the lab page is still served, boards and all" contains "$T/bare.html" \
    'href="/boards/vq35"'
check "without its sheet the page has an empty style, not a broken one" \
    contains "$T/bare.html" "<style>
</style>"
kill "$SECOND" 2>/dev/null
wait "$SECOND" 2>/dev/null
finish
