# The HTTP API under load and against other sites: six parallel /api/matrix on a store of 100k
# runs while /api/boards answers in under 200 ms; a request naming another host (DNS
# rebinding: a page of another site calling this port) is refused; -H with a port alone binds
# loopback. No board is powered here.
. rig/tests/integration/lib.sh

RUNS=${RIG_HTTP_RUNS:-100000}
HELPER="/usr/bin/python3 $PWD/rig/tests/heavy_reads.py"
PORT=$(free_port)

check "a store of $RUNS runs is filled" "$PWD/$BUILD/tests/store_fill" "$T/rig.db" "$RUNS"
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

# -H PORT: loopback, not every address.
PORT2=$(free_port)
mkdir -p "$T/second"
"$RIGD" -d -S "$T/second" -B vq35 -c scenarios -H "$PORT2" >> "$T/second.log" 2>&1 &
SECOND=$!
RIG_SOCKET=$T/second/rigd.sock "$RIGCTL" wait rigd --pid "$SECOND" --timeout 60 > /dev/null
ss -ltnH "sport = :$PORT2" > "$T/ss.out"
cat "$T/ss.out" "$T/second.log"
check "-H PORT listens on loopback" contains "$T/ss.out" "127.0.0.1:$PORT2"
check "-H PORT listens nowhere else" [ "$(wc -l < "$T/ss.out")" -eq 1 ]
kill "$SECOND" 2>/dev/null
wait "$SECOND" 2>/dev/null
finish
