# A nightly job on vq35 yields to a reservation that begins while its build boots: it goes back
# to the queue without a run (no scenario runs in another's lease), the jobs wait for the lease
# and the reset after it. Then a reservation that begins while a scenario runs: the scenario
# finishes, the other job waits for the lease. Both jobs finish, each scenario run exactly once,
# none in a lease. Three boots of vq35: the nightly's, and one after each lease's reset.
. rig/tests/integration/lib.sh

B1=linux-image-6.1.0-56-amd64

rigd_start || finish
check "build add $B1" "$RIGCTL" build add $B1
check "a nightly of two jobs on vq35 is queued" sh -c "'$RIGCTL' nightly --builds $B1 \
    --scenarios uart-unbind,i2c-unbind-release --boards vq35 | grep -q '2 job(s) queued'"

# until_rig EXPR SECONDS ARGS...: until EXPR holds of rigctl ARGS --json (as d).
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
check "vq35 boots the nightly's build" \
    until_rig '[b["state"] for b in d if b["name"] == "vq35"] == ["BOOTING"]' 120 show boards
id=$("$RIGCTL" reserve vq35 --for 1h 2>/dev/null)
check "root reserves vq35 during the boot ($id)" [ "$id" -gt 0 ] 2>/dev/null
check "the job yields once booted: back in the queue, both jobs queued" \
    until_rig 'sorted(j["state"] for j in d["jobs"]) == ["queued", "queued"] and any("yielded to a reservation" in (j["note"] or "") for j in d["jobs"])' 300 show queue
check "... and no scenario ran in root's lease" [ "$(q 'str(len(d))' show runs)" = 0 ]
check "root releases vq35" "$RIGCTL" release "$id"
released=$(q '[r["released_at"] for r in d if r["id"] == '"$id"'][0]' show reservations)

# A reservation that begins while a scenario runs: that scenario finishes, the other job waits.
check "after the reset vq35 boots again and runs the first job" \
    until_rig '[b["state"] for b in d if b["name"] == "vq35"] == ["RUNNING"]' 300 show boards
id2=$("$RIGCTL" reserve vq35 --for 1h 2>/dev/null)
check "root reserves vq35 while the scenario runs ($id2)" [ "$id2" -gt 0 ] 2>/dev/null
check "the running job finishes, the other stays queued" \
    until_rig 'len([j for j in d["finished"] if j["why"] != "confirm"]) == 1 and [j["state"] for j in d["jobs"]] == ["queued"]' 300 show queue
check "... and vq35 runs nothing more in the lease" \
    until_rig '[b["state"] for b in d if b["name"] == "vq35"] == ["READY"]' 60 show boards
from2=$(q '[r["from"] for r in d if r["id"] == '"$id2"'][0]' show reservations)
check "... one run so far, begun before the lease" \
    [ "$(q 'str([r["started"] < "'"$from2"'" for r in d])' show runs)" = "[True]" ]
check "root releases vq35 again" "$RIGCTL" release "$id2"
released2=$(q '[r["released_at"] for r in d if r["id"] == '"$id2"'][0]' show reservations)
check "the queue then finishes" "$RIGCTL" wait queue --empty --timeout 600
"$RIGCTL" show queue
check "both jobs done, none lost" [ "$(q 'str(sorted(j["state"] for j in d["finished"] if j["why"] != "confirm"))' show queue)" = "['done', 'done']" ]
echo "# released at $released and $released2"
check "each scenario ran exactly once, none in a lease" \
    [ "$(q 'str(sorted((r["scenario"], r["started"] >= "'"$released"'" and (r["started"] < "'"$from2"'" or r["started"] >= "'"$released2"'")) for r in d if r["repeat_why"] != "confirm"))' show runs)" = \
    "[('i2c-unbind-release', True), ('uart-unbind', True)]" ]
check "each lease's end reset vq35 before the jobs went on" \
    [ "$(q 'str(len([e for e in d if e["board"] == "vq35" and (e["reason"] or "").startswith("reset: reservation ") and " of root ended" in e["reason"]]))' show events)" = 2 ]
finish
