#!/usr/bin/python3
"""check_chains: the integration scripts' checks that chain a condition outside check.

`check NAME [ a ] && [ b ]` counts a failure of a only: b failing leaves the script going on
as if all held. `check NAME [ a ] || [ b ]` counts a failure whenever a fails, b or not. A
check may be followed by what is done after it failed (|| finish, || cat ..., || { ...; }),
nothing else. Prints each offending check as FILE:LINE and exits 1 when there is one."""
import re
import sys

AFTER_FAILURE = re.compile(r"\|\|\s*\\?\s*(finish|cat|diff|not_ok|\{)")


def statements(lines):
    """Each check statement with its continuation lines, and where it begins."""
    i = 0
    while i < len(lines):
        if re.match(r"\s*check ", lines[i]):
            start, st = i, lines[i]
            while re.search(r"(\\|&&|\|\|)\s*$", st) and i + 1 < len(lines):
                i += 1
                st += "\n" + lines[i]
            yield start + 1, st
        i += 1


def unquoted(st):
    st = re.sub(r"'[^']*'", "''", st)
    return re.sub(r'"(\\.|[^"\\])*"', '""', st)


bad = 0
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for line, st in statements(lines):
        body = unquoted(st)
        for m in re.finditer(r"&&|\|\|", body):
            if m.group() == "||" and AFTER_FAILURE.match(body, m.start()):
                continue
            print("%s:%d: a condition chained outside check: %s" % (path, line, st.strip().splitlines()[0]))
            bad += 1
            break
print("%d check(s) with a condition outside them" % bad)
sys.exit(1 if bad else 0)
