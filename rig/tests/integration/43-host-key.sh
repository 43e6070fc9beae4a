# Board host keys: the first connection to a board pins its SSH host key in the store; a board
# that shows another key (its image re-keyed, as a re-flashed or swapped board would) is in
# FAULT "lab: host key changed" and serves nothing until `rigctl board forget-key`; the next
# connection pins the new key. Also the modes of what a boot makes (console log, images, the
# board's key). One vq35, booted three times.
. rig/tests/integration/lib.sh

rigd_start || finish
board() { q "[b for b in d if b['name'] == 'vq35'][0]$1" show boards; }
mode() { stat -c %a "$1" 2>/dev/null || echo none; }

check "vq35 powers on" "$RIGCTL" power vq35 on || finish
key1=$(board '["host_key"]')
echo "pinned: $key1"
check "its host key is pinned (SHA256)" contains_s "$key1" "SHA256:"
check "the board's own key, kept by rigd, is 0600 (it is $(mode "$T/hostkeys/vq35"))" \
    [ "$(mode "$T/hostkeys/vq35")" = 600 ]
log=$(board '["console_log"]')
check "the console log is 0640 (it is $(mode "$log"))" [ "$(mode "$log")" = 640 ]
check "the image with the key in it is 0640 (it is $(mode "$T/images/vq35/initrd.gz"))" \
    [ "$(mode "$T/images/vq35/initrd.gz")" = 640 ]
check "nothing rigd made is open to others" \
    [ -z "$(find "$T/hostkeys" "$T/images" "$T/console" "$T/rig.db" -perm /o=rwx 2>/dev/null)" ]

# The same image again: the same key, nothing to pin.
check "a power cycle boots the same image" "$RIGCTL" power vq35 cycle
check "... showing the pinned key" [ "$(board '["host_key"]')" = "$key1" ]

# The board re-keyed: its image gets a new host key; it boots and shows it.
rm "$T/hostkeys/vq35" "$T/hostkeys/vq35.pub"
"$RIGCTL" power vq35 cycle > "$T/cycle.out" 2>&1
rc=$?
cat "$T/cycle.out"
check "a board showing another key does not come up (exit 2)" [ "$rc" -eq 2 ]
check "... it is in FAULT" [ "$(board '["state"]')" = FAULT ]
check "... with the error kind 'lab: host key changed'" [ "$(board '["fault"]')" = "lab: host key changed" ]
check "... and the reason names both keys" contains_s "$(board '["reason"]')" "the rig pinned $key1"
check "... and says how to go on" contains_s "$(board '["reason"]')" "rigctl board forget-key vq35"
"$RIGCTL" run uart-unbind --board vq35 > "$T/run.out" 2>&1
rc=$?
cat "$T/run.out"
check "a run is refused meanwhile (exit 2)" [ "$rc" -eq 2 ]
check "... saying why" contains "$T/run.out" "host key changed"
check "a power on does not get past it either" sh -c "! '$RIGCTL' power vq35 on"
check "... still FAULT" [ "$(board '["state"]')" = FAULT ]

"$RIGCTL" board forget-key vq35 > "$T/forget.out" 2>&1
rc=$?
cat "$T/forget.out"
check "forget-key succeeds" [ "$rc" -eq 0 ]
check "... and says so" contains "$T/forget.out" "vq35: host key forgotten"
check "the board is OFF again, out of FAULT" [ "$(board '["state"]')" = OFF ]
check "... with no fault kind" [ "$(board '["fault"]')" = "" ]
check "the board powers on" "$RIGCTL" power vq35 on
key2=$(board '["host_key"]')
echo "pinned: $key2"
check "the new key is pinned" contains_s "$key2" "SHA256:"
check "... and it is not the old one" [ "$key2" != "$key1" ]
check "a run goes on again" "$RIGCTL" run uart-unbind --board vq35

check "forget-key: no such board (exit 2)" sh -c "! '$RIGCTL' board forget-key nosuch"
check "forget-key: a board is required (exit 2)" sh -c "! '$RIGCTL' board forget-key"
check "rigctl board --help names forget-key" sh -c "'$RIGCTL' board --help | grep -q forget-key"

finish
