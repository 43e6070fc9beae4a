# The manual pages and --help say what the code does: every command rigctl lists is in
# rigctl(1), every option rigd accepts is in rigd(8), and none that the code lacks.
. rig/tests/integration/lib.sh

"$RIGCTL" --help > "$T/help"
# The loops below check nothing when a side lists nothing: that must count as a failure too.
check "rigctl --help lists commands" [ -n "$(sed -n 's/^  \([a-z]*\) .*/\1/p' "$T/help")" ]
check "rigctl(1) lists commands" grep -qE '^\.(B|BI) "?[a-z]' rig/man/rigctl.1
for c in $(sed -n 's/^  \([a-z]*\) .*/\1/p' "$T/help"); do
	check "rigctl(1) documents '$c'" grep -qE "^\.(B|BI) \"?$c( |\"|$)" rig/man/rigctl.1
done
for c in $(sed -n 's/^\.\(B\|BI\) "\?\([a-z]*\).*/\2/p' rig/man/rigctl.1 | sort -u); do
	[ "$c" = rigctl ] && continue
	check "rigctl --help lists '$c' from rigctl(1)" grep -q "^  $c " "$T/help"
done
"$RIGD" -h > "$T/rigd-usage" 2>&1
check "rigd -h lists options" grep -q -- '-[A-Za-z]' "$T/rigd-usage"
check "rigd(8) lists options" grep -q '^\.BI\? \\-[A-Za-z]' rig/man/rigd.8
for o in $(grep -o -- '-[A-Za-z]*' "$T/rigd-usage" | tr -d - | grep -o . | sort -u); do
	check "rigd(8) documents -$o" grep -q "^\.BI\? \\\\-$o" rig/man/rigd.8
done
for o in $(sed -n 's/^\.BI\? \\-\([A-Za-z]\).*/\1/p' rig/man/rigd.8 | sort -u); do
	check "rigd accepts -$o from rigd(8)" grep -q -- "-[a-zA-Z]*$o" "$T/rigd-usage"
done
finish
