# A nightly job on vq35 yields to a reservation that begins while its build boots: it goes back
# to the queue without a run (no scenario runs in another's lease), the jobs wait for the lease
# and the reset after it. Each lease's end resets vq35: power off, power on and a boot of its
# default build (the nightly's build here) to READY, shown as "resetting after reservation N" and
# recorded in show reservations; the job then runs on that fresh boot, booting nothing of its
# own. Then a reservation that begins while a scenario runs: the scenario finishes, the other job
# waits for the lease. A reservation that begins as that one ends gets the board after the
# reset: its holder's run, asked for during the reset, waits for it and runs on the fresh boot.
# Both jobs finish, each scenario run exactly once, none in a lease. Four boots of vq35: the
# nightly's and one at each lease's end. Meanwhile vqbad, a vq35 whose machine never starts
# (qemu.binary false): a boot tried in its lease makes its reset boot too, which fails and leaves
# it in FAULT saying why, recorded with the lease; vq35 goes on.
. rig/tests/integration/lib.sh

B1=linux-image-6.1.0-56-amd64

mkdir -p "$T/boards"
cp boards/vq35.yaml "$T/boards/"
sed -e 's/^name: vq35 /name: vqbad /' -e 's/^  binary: qemu-system-x86_64/  binary: false/' \
    boards/vq35.yaml > "$T/boards/vqbad.yaml"
BOARDS=vq35,vqbad rigd_start -b "$T/boards" || finish
check "build add $B1" "$RIGCTL" build add $B1
check "a nightly of two jobs on vq35 is queued" sh -c "'$RIGCTL' nightly --builds $B1 \
    --scenarios uart-unbind,i2c-unbind-release --boards vq35 | grep -q '2 job(s) queued'"

# until_rig EXPR SECONDS ARGS...: until EXPR holds of rigctl ARGS --json (as d). Only where no
# rigctl wait says it: a job going back to the queue has no event, and a board's reason while
# BOOTING is not in wait board's answer.
until_rig() {
	/usr/bin/python3 -c 'import json, subprocess, sys, time
end = time.monotonic() + float(sys.argv[3])
while time.monotonic() < end:
    d = json.loads(subprocess.run([sys.argv[1]] + sys.argv[4:] + ["--json"],
                   capture_output=True, check=True).stdout)
    if eval(sys.argv[2]):
        sys.exit(0)
    time.sleep(0.2)
print(json.dumps(d)[:2000], file=sys.stderr)
sys.exit(1)' "$RIGCTL" "$@"
}
check "vq35 boots the nightly's build" wait_state vq35 BOOTING 120
id=$("$RIGCTL" reserve vq35 --for 1h 2>/dev/null)
check "root reserves vq35 during the boot ($id)" [ "$id" -gt 0 ] 2>/dev/null
check "the job yields once booted: back in the queue, both jobs queued" \
    until_rig 'sorted(j["state"] for j in d["jobs"]) == ["queued", "queued"] and any("yielded to a reservation" in (j["note"] or "") for j in d["jobs"])' 300 show queue
check "... and no scenario ran in root's lease" [ "$(q 'str(len(d))' show runs)" = 0 ]
log0=$(q '[b["console_log"] for b in d if b["name"] == "vq35"][0]' show boards)
# reset_boot AFTER [FIELD]: the console log (or FIELD) of vq35's first boot for a reset stored
# after AFTER that reached READY ("" when none).
reset_boot() {
	q '([b["'"${2:-console_log}"'"] for b in d if b["board"] == "vq35" and b["why"] == "reset" and
	    b["outcome"] == "ready" and b["at"] >= "'"$1"'"] or [""])[-1]' show boots
}
# reset_seen ID: the events of vq35 say the reset after reservation ID was under way (BOOTING),
# then done with its default build up (READY).
reset_seen() {
	q 'str([e["to_state"] for e in reversed(d) if e["board"] == "vq35" and
	    (e["reason"] or "").startswith(("resetting after reservation '"$1"' of root:",
	    "reset after reservation '"$1"' of root: 6.1.0-56-amd64 up in"))][-2:])' show events
}
# reset_record ID AFTER: whether show reservations has ID reset after AFTER, and how it ended.
reset_record() {
	q 'str([(r.get("reset_at", "") >= "'"$2"'", r.get("reset")) for r in d if r["id"] == '"$1"'])' \
	    show reservations
}

# vqbad, while vq35 is still held (its reset, a restore in under a second, must not run ahead
# of these checks and start the nightly's jobs): the holder's run there fails (its build does
# not boot: OFF, not FAULT), so the lease's end boots the default build, which fails too.
bid=$("$RIGCTL" reserve vqbad --for 1h 2>/dev/null)
check "root reserves vqbad ($bid)" [ "$bid" -gt 0 ] 2>/dev/null
"$RIGCTL" run uart-unbind --board vqbad --build $B1 > "$T/vqbad.out" 2>&1
check "the holder's run on vqbad fails: its machine never starts" [ $? -ne 0 ]
check "root releases vqbad" "$RIGCTL" release "$bid"
check "the reset's boot of vqbad's default build fails: FAULT" wait_state vqbad FAULT 60
check "... saying so" [ "$(q 'str([b["reason"].startswith("reset after reservation '"$bid"' of root: boot failed: ") for b in d if b["name"] == "vqbad"])' show boards)" = "[True]" ]
check "... recorded in show reservations" [ "$(reset_record "$bid" "")" = "[(True, 'fault')]" ]

check "root releases vq35" "$RIGCTL" release "$id"
released=$(q '[r["released_at"] for r in d if r["id"] == '"$id"'][0]' show reservations)

# A reservation that begins while a scenario runs: that scenario finishes, the other job waits.
# The reservation follows the RUNNING event at once: a scenario takes a second or two now that
# hangs are watched and boots restored, too short for a poll and the checks below in between.
check "after the reset vq35 boots again and runs the first job" wait_state vq35 RUNNING 300
id2=$("$RIGCTL" reserve vq35 --for 1h 2>/dev/null)
log1=$(reset_boot "$released")
echo "# the nightly's boot: $log0; the reset's: $log1"
check "the lease's end power cycled vq35: a boot for the reset" [ -n "$log1" ]
check "... in a console log of its own" [ "${log1:-$log0}" != "$log0" ]
check "... which brought up its default build from power-on (booted or restored)" \
    contains "$log1" "ready 6.1.0-56-amd64"
check "... shown while under way, then READY with the default build" \
    [ "$(reset_seen "$id")" = "['BOOTING', 'READY']" ]
check "... and recorded in show reservations: reset after the release, the board ready" \
    [ "$(reset_record "$id" "$released")" = "[(True, 'ready')]" ]
check "root reserves vq35 while the scenario runs ($id2)" [ "$id2" -gt 0 ] 2>/dev/null
check "the running job finishes" "$RIGCTL" wait queue --finished 1 --timeout 300
check "... the other stays queued" [ "$(q 'str((len([j for j in d["finished"] if j["why"] != "confirm"]), [j["state"] for j in d["jobs"]]))' show queue)" = "(1, ['queued'])" ]
check "... and vq35 runs nothing more in the lease" wait_state vq35 READY 60
from2=$(q '[r["from"] for r in d if r["id"] == '"$id2"'][0]' show reservations)
check "... one run so far, begun before the lease" \
    [ "$(q 'str([r["started"] < "'"$from2"'" for r in d])' show runs)" = "[True]" ]
check "root releases vq35 again" "$RIGCTL" release "$id2"
released2=$(q '[r["released_at"] for r in d if r["id"] == '"$id2"'][0]' show reservations)

# Back to back: a reservation that begins as the last one ended. Its holder's run, asked for
# while the board is being reset, waits for the reset and runs on the fresh boot.
id3=$("$RIGCTL" reserve vq35 --for 1h 2>/dev/null)
check "root reserves vq35 again as the lease ends ($id3)" [ "$id3" -gt 0 ] 2>/dev/null
check "show boards says vq35 is being reset after the lease" \
    until_rig '[b["reason"].startswith("resetting after reservation '"$id2"' of root:") for b in d if b["name"] == "vq35"] == [True]' 30 show boards
n=$(last_run)
check "the holder's run, asked for during the reset, passes" "$RIGCTL" run uart-unbind --board vq35
log2=$(reset_boot "$released2")
check "... on the board booted afresh by the reset" \
    [ "$(q 'd["console_log"]' show run $((n + 1)))" = "${log2:-none}" ]
check "... begun once the reset was done" \
    [ "$(q 'd["started"]' show run $((n + 1)))" \> "$(reset_boot "$released2" at | sed 's/^$/~/')" ]
check "... shown while under way, then READY with the default build" \
    [ "$(reset_seen "$id2")" = "['BOOTING', 'READY']" ]
check "... and show reservations has the reset" \
    [ "$(reset_record "$id2" "$released2")" = "[(True, 'ready')]" ]
check "root releases vq35 a third time" "$RIGCTL" release "$id3"
released3=$(q '[r["released_at"] for r in d if r["id"] == '"$id3"'][0]' show reservations)
check "the queue then finishes" "$RIGCTL" wait queue --empty --timeout 600
"$RIGCTL" show queue
check "both jobs done, none lost" [ "$(q 'str(sorted(j["state"] for j in d["finished"] if j["why"] != "confirm"))' show queue)" = "['done', 'done']" ]
echo "# released at $released, $released2 and $released3"
# The nightly's runs (not the holder's), in the order they ran.
nightly='[r for r in sorted(d, key=lambda r: r["id"]) if r["board"] == "vq35" and r["repeat_why"] != "confirm" and r["id"] != '$((n + 1))']'
check "each scenario ran exactly once, none in a lease" \
    [ "$(q 'str(sorted((r["scenario"], r["started"] >= "'"$released"'" and (r["started"] < "'"$from2"'" or r["started"] >= "'"$released3"'")) for r in '"$nightly"'))' show runs)" = \
    "[('i2c-unbind-release', True), ('uart-unbind', True)]" ]
log3=$(reset_boot "$released3")
check "the third lease's end reset vq35 too, recorded" \
    [ "$(reset_record "$id3" "$released3")" = "[(True, 'ready')]" ]
check "the yielded jobs ran on the fresh boots of the resets, booting nothing of their own" \
    [ "$(for r in $(q 'str([r["id"] for r in '"$nightly"'])' show runs | tr -d '[],'); do
    q 'd["console_log"]' show run "$r"; done | tr '\n' ' ')" = "$log1 ${log3:-none} " ]
# For the record: how long each lease's reset held vq35 (its end to the reset recorded).
echo "# vq35 resets took $(q '" ".join("%.1fs" % ((__import__("datetime").datetime.fromisoformat(r["reset_at"][:-1]) - __import__("datetime").datetime.fromisoformat(r["until"][:-1])).total_seconds()) for r in d if r["board"] == "vq35" and r.get("reset") == "ready")' \
    show reservations)"
check "four boots of vq35 in all: the nightly's and one at each lease's end" \
    [ "$(q 'str([b["why"] for b in d if b["board"] == "vq35"])' show boots)" = "['reset', 'reset', 'reset', 'power on']" ]
finish
