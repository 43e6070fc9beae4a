# The integration scripts' own rule: every condition a check states is counted when it fails,
# so no check chains a condition outside itself (rig/tests/tools/check_chains.py says which).
. rig/tests/integration/lib.sh

/usr/bin/python3 rig/tests/tools/check_chains.py rig/tests/integration/*.sh > "$T/chains.out"
rc=$?
cat "$T/chains.out"
check "no check chains a condition outside itself (&& or || after it)" [ "$rc" -eq 0 ]
finish
