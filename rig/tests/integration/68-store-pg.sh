# The store on PostgreSQL: rigd --store with a libpq URI to a private server this test starts
# (rig/tests/pg.sh); rigd -n reads it, rigd serves boards and reservations from it, makes no
# SQLite file, and after a restart on the same database finds what it stored (the migrations
# find nothing to do). No board is booted (the desk board's boot fails at once).
. rig/tests/integration/lib.sh

PGD=$T/pg
chmod 711 "$T"	# the server's user (rig-pgtest) reaches its folder in here
trap 'rigd_stop; sh rig/tests/pg.sh stop "$PGD"; cleanup' EXIT
URI=$(sh rig/tests/pg.sh start "$PGD")
check "a private PostgreSQL server starts" [ -n "$URI" ] || finish

desk_board
adapter_plug desk || not_ok "the desk board's adapter pty appears"
export BOARDS=desk

"$RIGD" -n -S "$T" -b "$T/boards" -B desk --store "$URI" > "$T/plan.out" 2>&1
cat "$T/plan.out"
check "rigd -n names the PostgreSQL store and reads it (no schema yet: said, nothing made)" \
    contains "$T/plan.out" "store $URI: schema 0, this rigd upgrades it to"

rigd_start -b "$T/boards" --store "$URI" || finish
check "rigd serves the desk board" [ "$(q '[b["name"] for b in d]' show boards)" = '["desk"]' ]
id=$("$RIGCTL" reserve desk --for 1h --note "pg" 2> "$T/reserve.err")
cat "$T/reserve.err"
check "a reservation is made ($id)" [ "$id" -gt 0 ] 2>/dev/null
"$RIGCTL" reserve desk --for 30m > "$T/conflict.out" 2>&1
rc=$?
cat "$T/conflict.out"
check "an overlapping one is refused (exit 2)" [ "$rc" -eq 2 ]
check "... naming the holder" contains "$T/conflict.out" "board desk is reserved by root from "
check "... and offering the next free slot" contains "$T/conflict.out" \
    "the next free slot as long is from"
check "no SQLite file is made beside the state" [ ! -e "$T/rig.db" ]
rigd_stop

"$RIGD" -n -S "$T" -b "$T/boards" -B desk --store "$URI" > "$T/plan2.out" 2>&1
check "rigd -n reads the migrated store" contains "$T/plan2.out" "store $URI (0 builds)"
rigd_start -b "$T/boards" --store "$URI" || finish
check "restarted on the same database, the reservation is there" \
    [ "$(q '[(r["id"], r.get("note")) for r in d]' show reservations)" = "[[$id, \"pg\"]]" ]
finish
