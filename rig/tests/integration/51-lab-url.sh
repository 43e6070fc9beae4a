# make lab's dashboard URL, for real and without a boot: lab.sh starts its rigd in a lab folder
# of its own with LAB_RUN=no (no first verdict, which would boot vq35), prints the URL and keeps
# it; the URL serves the lab page; a second start reuses the rigd and prints the same URL;
# lab-stop stops the rigd and removes the URL, which then answers no more.
. rig/tests/integration/lib.sh

LAB=$T/lab
lab() { LAB_RUN=no BIN=$BUILD/bin sh rig/tests/lab.sh "$1" "$LAB" > "$T/lab-$2.out" 2>&1; }
# The dashboard URL the last start printed (its "lab: dashboard: URL" line).
printed() { sed -n 's|^lab: dashboard: \(http://127\.0\.0\.1:[0-9]*/\)$|\1|p' "$T/lab-$1.out"; }
# A test that stops half way leaves no lab rigd behind (stop on a stopped lab says so, no more).
trap 'lab stop atexit; cleanup' EXIT

check "lab.sh start exits 0" lab start first || cat "$T/lab-first.out"
url=$(printed first)
check "it prints the dashboard URL ($url)" [ -n "$url" ]
check "... and keeps it in the lab folder" [ "$(cat "$LAB/http.url")" = "$url" ]
curl -s "${url:-http://127.0.0.1:1/}" > "$T/lab.html"
check "the URL serves the lab page" grep -q '<div id="lab">' "$T/lab.html"
check "... with its boards" grep -q 'href="/boards/vq35">vq35</a>' "$T/lab.html"
check "a second start exits 0" lab start second || cat "$T/lab-second.out"
check "... reuses the rigd" grep -q '^lab: reusing the rigd at ' "$T/lab-second.out"
check "... and prints the same URL" [ "$(printed second)" = "$url" ]
check "lab-stop exits 0" lab stop stop || cat "$T/lab-stop.out"
check "... stops the rigd" grep -q '^lab: rigd [0-9]* stopped' "$T/lab-stop.out"
check "... removes the URL" [ ! -e "$LAB/http.url" ]
check "... which answers no more" [ "$(curl -s -o /dev/null -w '%{http_code}' "$url")" = 000 ]
finish
