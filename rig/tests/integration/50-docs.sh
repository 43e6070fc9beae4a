# The manual pages and --help say what the code does: every command rigctl lists is in
# rigctl(1), every option rigd accepts is in rigd(8), and none that the code lacks. The R-Car
# bring-up guide (boards/README.md) quotes rigd's own words: every failure it quotes is one the
# code can print, the rigd -n output it shows is what rigd -n says of this repository's files,
# and a board file with only its site: values set to what this host has is served.
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
for o in $(grep -o -- '\[-[A-Za-z]*' "$T/rigd-usage" | tr -d '[-' | grep -o . | sort -u); do
	check "rigd(8) documents -$o" grep -q "^\.BI\? \\\\-$o" rig/man/rigd.8
done
check "rigd -h lists --store" grep -q -- '--store' "$T/rigd-usage"
for o in $(grep -o -- '--[a-z-]*' "$T/rigd-usage" | sort -u); do
	check "rigd(8) documents $o" grep -q "^\.BI\? \\\\-\\\\-${o#--}" rig/man/rigd.8
done
for o in $(sed -n 's/^\.BI\? \\-\\-\([a-z-]*\).*/\1/p' rig/man/rigd.8 | sort -u); do
	check "rigd accepts --$o from rigd(8)" grep -q -- "--$o" "$T/rigd-usage"
done
for o in $(sed -n 's/^\.BI\? \\-\([A-Za-z]\).*/\1/p' rig/man/rigd.8 | sort -u); do
	check "rigd accepts -$o from rigd(8)" grep -q -- "-[a-zA-Z]*$o" "$T/rigd-usage"
done

# The guide's section between two headings (as the file has them), to standard output.
guide_section() { awk -v a="$1" -v b="$2" 'index($0, a) == 1 { on = 1; next }
	index($0, b) == 1 { on = 0 } on' boards/README.md; }
guide_section '### 5. Reading the first failures' '## site:' > "$T/failures.md"
# Each failure is a bullet opening with the message in backticks.
sed -n 's/^- `\([^`]*\)`.*/\1/p' "$T/failures.md" > "$T/quoted"
check "the guide quotes at least 8 failures" [ "$(wc -l < "$T/quoted")" -ge 8 ]
while IFS= read -r m; do
	check "the code can print the guide's failure: $m" \
	    sh -c 'printf "%s\n" "$0" | /usr/bin/python3 rig/tests/integration/docs_errors.py' "$m"
done < "$T/quoted"
guide_section '### 3. What `rigd -n` must say' '### 4.' > "$T/plan.md"
grep '^board [a-z0-9-]* refused: ' "$T/plan.md" | sed 's/^board [a-z0-9-]* refused: [^:]*:[0-9]*: //' > "$T/refusals"
check "the guide quotes rigd -n refusals" [ -s "$T/refusals" ]
check "the code can print each refusal the guide quotes" \
    sh -c '/usr/bin/python3 rig/tests/integration/docs_errors.py < "$0"' "$T/refusals"
# The quoted lines are this host's (no adapter, GPIO chip, pduclient or /srv/tftp): compared on
# a host like it, skipped (and said) on one where a lab is wired.
"$RIGD" -n -S "$T" -B salvator-xs,ulcb,ebisu,falcon,spider,whitehawk,grayhawk > "$T/plan.out" 2>&1
check "rigd -n reads the seven R-Car files without a file error" \
    contains "$T/plan.out" "rigd: 0 boards served, 7 refused, 8 scenarios: OK"
if [ -e /srv/tftp ] || command -v pduclient > /dev/null || [ -e /dev/gpiochip0 ]; then
	echo "# this host has /srv/tftp, pduclient or a GPIO chip: the guide's rigd -n lines not compared"
else
	grep -e '^board ' -e '^scenario i2c-unbind ' -e '^rigd: 0 boards' "$T/plan.md" |
	    grep -v -e ' arch ' -e 'boards salvator-xs' > "$T/plan.quoted"
	while IFS= read -r l; do
		check "rigd -n says the guide's line: $l" grep -qxF -- "$l" "$T/plan.out"
	done < "$T/plan.quoted"
fi
# Only site: changed: the console a character device this host has (rigd -n opens nothing),
# the PDU client a program that exists, the TFTP folders this test's. The board is served.
mkdir -p "$T/served/boards" "$T/served/bin" "$T/served/tftp"
ln -s /bin/true "$T/served/bin/pduclient"
for b in salvator-xs spider ebisu; do
	sed -e 's|^\(  console: &console\) .*|\1 /dev/null|' \
	    -e "s|^\\(  tftp-root: &tftp-root\\) .*|\\1 $T/served/tftp|" \
	    -e "s|^\\(  tftp-dir: &tftp-dir\\) .*|\\1 $T/served/tftp/$b|" \
	    "boards/$b.yaml" > "$T/served/boards/$b.yaml"
	check "$b: only site: lines differ" sh -c 'diff "$0" "$1" | grep "^[<>]" | grep -qv "^[<>]   [a-z-]*: &"; [ $? -eq 1 ]' \
	    "boards/$b.yaml" "$T/served/boards/$b.yaml"
done
PATH=$T/served/bin:$PATH "$RIGD" -n -v -S "$T" -b "$T/served/boards" > "$T/served.out" 2>&1
cat "$T/served.out" | grep -v '^    '
check "with its site: values set, salvator-xs is served" contains "$T/served.out" \
    "board salvator-xs arch arm64 power command boot uboot-tftp console tty classes i2c"
check "with its site: values set, spider is served" contains "$T/served.out" \
    "board spider arch arm64 power command boot uboot-tftp console tty classes i2c"
check "with its site: values set, ebisu (RFC 2217) is served" contains "$T/served.out" \
    "board ebisu arch arm64 power command boot uboot-tftp console rfc2217 classes i2c"
check "rigd -n serves all three" contains "$T/served.out" "rigd: 3 boards served, 0 refused"
PATH=$T/served/bin:$PATH "$RIGD" -n -v -S "$T" -b "$T/served/boards" -B salvator-xs \
    > "$T/served1.out" 2>&1
grep -e '^board ' -e '^scenario ' -e '^  runs ' -e '^  cannot run ' "$T/plan.md" | grep -e ' arch ' -e 'boards salvator-xs' -e '^  ' > "$T/served.quoted"
check "the guide shows the served board" [ -s "$T/served.quoted" ]
while IFS= read -r l; do
	check "rigd -n says the guide's line for a served board: $l" grep -qxF -- "$l" "$T/served1.out"
done < "$T/served.quoted"
for k in '`site`' '`protected`' '`boot.board-prefix`'; do
	check "the keys table has $k" grep -q "^| $k |" boards/README.md
done
finish
