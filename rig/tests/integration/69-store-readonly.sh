# A read-only database (rig.db bind-mounted read-only: root's writes fail too): rigd serves,
# and a run that cannot be recorded is refused before it starts, with the store's reason and
# the error kind, before the board is booted for it; nothing is recorded.
. rig/tests/integration/lib.sh

with_test_scenarios
# A first rigd makes the database (no board boots), then it is made read-only.
rigd_start || finish
rigd_stop
if ! mount --bind "$T/rig.db" "$T/rig.db"; then
	not_ok "rig.db bind-mounted"
	finish
fi
trap 'rigd_stop; umount -l "$T/rig.db"; cleanup' EXIT
check "rig.db is read-only, for root too" mount -o remount,bind,ro "$T/rig.db"
check "writing it fails" sh -c "! cat /dev/null 2> /dev/null >> '$T/rig.db'"
rigd_start || finish
check "rigd serves a read-only database" "$RIGCTL" ping > /dev/null
runs0=$(last_run)

"$RIGCTL" run i2c-unbind-release > "$T/ro.out" 2>&1
rc=$?
cat "$T/ro.out"
check "read-only: a run that cannot be recorded is refused (exit 2)" [ "$rc" -eq 2 ]
check "read-only: refused as store: failed" contains "$T/ro.out" "store: failed"
check "read-only: with the store's reason" contains "$T/ro.out" "readonly"
check "read-only: the run did not start" sh -c "! grep -q '^run ' '$T/ro.out'"
check "read-only: no run recorded" [ "$(last_run)" = "$runs0" ]
check "read-only: not booted for a run it cannot record (OFF)" [ "$(q 'str([b["state"] for b in d if b["name"] == "vq35"][0])' show boards)" = OFF ]
"$RIGCTL" run i2c-unbind-release --json > "$T/ro.json" 2>&1
rc=$?
check "read-only, --json: exit 2" [ "$rc" -eq 2 ]
check "read-only, --json: the answer carries the error kind" \
    [ "$(tail -n 1 "$T/ro.json" | js 'd["kind"]')" = "store: failed" ]
check "rigd still serves" "$RIGCTL" ping > /dev/null
finish
