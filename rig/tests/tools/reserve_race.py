#!/usr/bin/python3
"""reserve_race: sums up N concurrent rigctl reserve --json answers (DIR/race.K) against what
the store holds after them (DIR/race.stored, show reservations --json), for 68-lab-hosts.
  reserve_race.py DIR N BASE   (request K asked from BASE + K * 600 s for 1500 s, UTC)

Prints one line per property, each saying it holds or what broke it:
  answered N of N           every request got an ok or a busy answer (JSON)
  overlaps 0                no two stored windows of the board overlap
  stored as accepted        the stored reservations are exactly the accepted ones
  refusals explained        every busy answer names a stored reservation its window meets
"""
import json
import sys


def meets(a, b):
    """Half-open windows [from, until) overlap."""
    return a[0] < b[1] and b[0] < a[1]


def window(base, k):
    """Request k's window as the test asked it: one every 10 min from base, 25 min long."""
    start = (base + k * 600) * 1000
    return (start, start + 1500 * 1000)


def main():
    d, n, base = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    answers = {}
    for k in range(n):
        try:
            with open("%s/race.%d" % (d, k)) as f:
                text = f.read()
            answers[k] = json.loads(text[text.index("{"):])
        except (OSError, ValueError) as e:
            print("request %d: no JSON answer: %s" % (k, e))
    with open(d + "/race.stored") as f:
        stored = [r for r in json.load(f) if r.get("note", "").startswith("race ")]

    ok = {k: a for k, a in answers.items() if a.get("status") == "ok"}
    busy = {k: a for k, a in answers.items() if a.get("status") == "busy"}
    other = sorted(set(answers) - set(ok) - set(busy))
    for k in other:
        print("request %d: answered %s: %s" % (k, answers[k].get("status"),
                                               answers[k].get("error")))
    # The test sends even requests through one host, odd ones through the other.
    print("answered %d of %d (%d accepted: %d even, %d odd; %d refused busy)" %
          (len(ok) + len(busy), n, len(ok), len([k for k in ok if k % 2 == 0]),
           len([k for k in ok if k % 2 == 1]), len(busy)))

    wins = sorted((r["from_ms"], r["until_ms"], r["id"]) for r in stored)
    bad = [(a[2], b[2]) for i, a in enumerate(wins) for b in wins[i + 1:] if meets(a, b)]
    print("overlaps %d%s" % (len(bad), (": " + repr(bad)) if bad else ""))

    acc = sorted((a["id"], a["from_ms"], a["until_ms"]) for a in ok.values())
    got = sorted((r["id"], r["from_ms"], r["until_ms"]) for r in stored)
    print("stored as accepted" if acc == got and len(acc) > 0 else
          "stored %r but accepted %r" % (got, acc))

    by_id = {r["id"]: (r["from_ms"], r["until_ms"]) for r in stored}
    unexplained = []
    for k, a in sorted(busy.items()):
        held = by_id.get((a.get("conflict") or {}).get("id"))
        if held is None or a.get("kind") != "board: reserved" or not meets(window(base, k), held):
            unexplained.append(k)
    if busy and not unexplained:
        print("refusals explained (%d, each naming a stored reservation)" % len(busy))
    elif busy:
        print("refusals unexplained: requests %r" % unexplained)
    else:
        print("no refusal at all: the windows were meant to meet")


if __name__ == "__main__":
    main()
