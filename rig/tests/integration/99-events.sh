# events: every message type rigd sent during the integration tests is documented in proto.h's
# enum proto_event, and every documented one was sent to some test. Runs last: run.sh gives all
# the tests one $RIG_EVENT_LOG, where rigctl appends the type of each message it receives.
. rig/tests/integration/lib.sh

documented=$(sed -n '/^enum proto_event {/,/^};/s/.*\/\* "\([a-z-]*\)".*/\1/p' rig/lib/proto.h | sort -u)
check "proto.h documents the events (enum proto_event)" [ -n "$documented" ]
check "the tests before this one recorded what rigd sent (run with them: run.sh build integration)" [ -s "$RIG_EVENT_LOG" ]
for e in $(sort -u "$RIG_EVENT_LOG" 2>/dev/null); do
	check "rigd sent '$e': documented in proto.h" sh -c 'printf "%s\n" "$1" | grep -qx -- "$0"' "$e" "$documented"
done
for e in $documented; do
	check "proto.h documents '$e': sent during the tests" grep -qx -- "$e" "$RIG_EVENT_LOG"
done
finish
