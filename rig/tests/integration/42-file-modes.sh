# File modes: a rigd started with umask 000 (as a careless service manager would) still makes
# its state folder 0750, its database and log 0640 and its SSH key 0600, each so from its
# creation: no chmod of any of them is ever made (strace sees every chmod call). No board is
# powered here; 43-host-key checks the files a boot makes.
. rig/tests/integration/lib.sh

S=$T/st		# rigd makes it; its socket is $RIG_SOCKET, beside it
# rigd as a daemon (-l: its own log file), traced with what it forks.
( umask 000; exec strace -f -qq -y -e trace=chmod,fchmod,fchmodat -o "$T/chmod.trace" \
    "$RIGD" -v -S "$S" -s "$RIG_SOCKET" -B vq35 -c scenarios -l "$T/rigd-daemon.log" ) > "$T/strace.out" 2>&1 &
tracer=$!
check "rigd (umask 000) starts" "$RIGCTL" wait rigd --timeout 120 || { cat "$T/strace.out"; finish; }
mode() { stat -c %a "$1" 2>/dev/null || echo none; }
for f in "$S:750" "$S/rig.db:640" "$S/rigd.pid:640" "$T/rigd-daemon.log:640" \
    "$S/id_ed25519:600" "$S/id_ed25519.pub:640"; do
	check "${f%:*} is ${f##*:} (it is $(mode "${f%:*}"))" [ "$(mode "${f%:*}")" = "${f##*:}" ]
done
# The database's companions (SQLite's WAL and index), when there, share its mode.
for f in "$S/rig.db-wal" "$S/rig.db-shm"; do
	[ ! -e "$f" ] || check "$f is 640 (it is $(mode "$f"))" [ "$(mode "$f")" = 640 ]
done
check "nothing is readable by others in the state folder" \
    [ -z "$(find "$S" -perm /o=rwx 2>/dev/null)" ]
pid=$(cat "$S/rigd.pid")
kill "$pid"
wait_exit "$pid" 30
wait "$tracer" 2>/dev/null
cat "$T/chmod.trace"
# The socket is no file of the state: it is given its mode before bind (fchmod of the unbound
# socket, strace -y shows it as socket:[N]) and to the rig group once it listens.
check "no file rigd made was chmod-ed after its creation" \
    sh -c "! grep -v -e '$RIG_SOCKET' -e 'socket:\\[' '$T/chmod.trace' | grep -q chmod"

finish
