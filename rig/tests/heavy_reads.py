"""heavy_reads: what the heavy-read tests need beside rigctl: clients that never read, timings
of a command while they hang on, rigd's memory, and a KCIDB check that does not load 300k tests
at once.

  heavy_reads.py hold SOCKET N SECONDS   N export requests, never read; prints "sent", then
                                         "dropped K of N" once rigd hung up on K (or SECONDS)
  heavy_reads.py probe PID N CMD...      CMD N times: "max_ms X rss_max_mb Y" (VmRSS of PID)
  heavy_reads.py kcidb FILE SCHEMA RUNS  FILE is one KCIDB document with RUNS tests: every line
                                         parsed, the document's head and every 100th test
                                         validated against SCHEMA
  heavy_reads.py http URL N BOARDS_URL HOST   N parallel GETs of URL (status and bytes each)
                                         while BOARDS_URL is asked (20 times at least, until
                                         the last answers): "max_ms X asked N"
  heavy_reads.py matrix-pages BASE WHOLE [BOARD]   the /api/matrix pages of BASE (several
                                         sizes, the first pages and the last) against WHOLE,
                                         `rigctl matrix --json` (every run read): each page
                                         has the whole's rows, cells and change marks; prints
                                         "pages N differ K" and a line per difference
"""
import json
import select
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.request


def frame(obj):
    b = json.dumps(obj).encode()
    return struct.pack(">I", len(b) + 1) + b"J" + b


def hold(path, n, seconds):
    socks = []
    for _ in range(n):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(path)
        s.sendall(frame({"v": 1, "cmd": "export", "format": "kcidb", "stream": True}))
        socks.append(s)
    print("sent", flush=True)
    # Hung up: POLLHUP (rigd shut both ways) without reading a byte of what waits.
    p = select.poll()
    for s in socks:
        p.register(s, select.POLLRDHUP)
    dropped = set()
    end = time.monotonic() + seconds
    while len(dropped) < n and time.monotonic() < end:
        for fd, ev in p.poll(1000):
            if ev & (select.POLLHUP | select.POLLRDHUP | select.POLLERR):
                dropped.add(fd)
                p.unregister(fd)
    print("dropped %d of %d" % (len(dropped), n), flush=True)


def rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def probe(pid, n, cmd):
    worst, rss, times = 0.0, rss_mb(pid), []
    for _ in range(n):
        t = time.monotonic()
        r = subprocess.run(cmd, stdout=subprocess.DEVNULL)
        ms = (time.monotonic() - t) * 1000
        if r.returncode != 0:
            ms = 1e9
        worst = max(worst, ms)
        times.append(ms)
        rss = max(rss, rss_mb(pid))
    times.sort()
    print("max_ms %.0f rss_max_mb %.0f median_ms %.0f" % (worst, rss, times[len(times) // 2]))


def kcidb(path, schema_path, runs):
    import jsonschema
    with open(schema_path) as f:
        schema = json.load(f)
    head, tests, tail = [], [], []
    with open(path) as f:
        part = head
        for line in f:
            line = line.rstrip("\n")
            if part is head:
                head.append(line)
                if line.endswith('"tests":['):
                    part = tests
                continue
            if part is tests and line == "]}":
                part = tail
                continue
            if part is tail:
                tail.append(line)
                continue
            tests.append(json.loads(line[:-1] if line.endswith(",") else line))
    ok = part is tail and not any(tail)
    doc = json.loads("\n".join(head) + "]}")
    doc["tests"] = tests[::100]
    jsonschema.validate(doc, schema)
    print("%d tests, %d checkouts, %d builds, document closed: %s" % (
        len(tests), len(doc["checkouts"]), len(doc["builds"]), ok))
    sys.exit(0 if ok and len(tests) == runs else 1)


def http(url, n, boards_url, host):
    results = []

    def get(u):
        t = time.monotonic()
        req = urllib.request.Request(u, headers={"Host": host})
        try:
            with urllib.request.urlopen(req, timeout=300) as r:
                body = r.read()
                results.append((r.status, len(body), time.monotonic() - t))
        except Exception as e:
            results.append((str(e), 0, time.monotonic() - t))

    threads = [threading.Thread(target=get, args=(url,)) for _ in range(n)]
    for t in threads:
        t.start()
    worst, asked = 0.0, 0
    # Asked for as long as any matrix is being made, twenty times at least.
    while asked < 20 or any(t.is_alive() for t in threads):
        asked += 1
        t = time.monotonic()
        req = urllib.request.Request(boards_url, headers={"Host": host})
        with urllib.request.urlopen(req, timeout=60) as r:
            r.read()
        worst = max(worst, (time.monotonic() - t) * 1000)
    for t in threads:
        t.join()
    print("max_ms %.0f asked %d" % (worst, asked))
    for r in results:
        print("matrix %s %d bytes %.1f s" % r)


def change(older, cell):
    """The mark the page gives cell against the build below: pass against another verdict."""
    if not isinstance(older, dict) or not isinstance(cell, dict):
        return None
    a, b = older["verdict"], cell["verdict"]
    if "error" in (a, b) or a == b:
        return None
    return "regression" if a == "pass" else "fix" if b == "pass" else None


def matrix_pages(base, whole_path, board):
    with open(whole_path) as f:
        whole = json.load(f)
    keys = [(c["scenario"], c["board"]) for c in whole["columns"]]
    rows = whole["rows"]
    total, asked, bad = len(rows), 0, []
    for n in (1, 5, 7, 30):
        last = (total - 1) // n
        for page in sorted({0, 1, 2, last}):
            url = "%s/api/matrix?builds=%d&page=%d" % (base, n, page)
            if board:
                url += "&board=" + board
            with urllib.request.urlopen(url, timeout=300) as r:
                got = json.load(r)
            asked += 1
            hi = total - page * n
            want = rows[max(0, hi - n):hi][::-1]
            if got["total_builds"] != total or len(got["rows"]) != len(want):
                bad.append("%s: %d rows of %d, want %d of %d" % (url, len(got["rows"]),
                    got["total_builds"], len(want), total))
                continue
            cols = [keys.index((c["scenario"], c["board"])) for c in got["columns"]]
            for gr, wr in zip(got["rows"], want):
                wi = rows.index(wr)
                for k, ci in enumerate(cols):
                    w = dict(wr["cells"][ci]) if wr["cells"][ci] else None
                    ch = change(rows[wi - 1]["cells"][ci], w) if wi > 0 else None
                    if w is not None and ch:
                        w["change"] = ch
                    if gr["cells"][k] != w or gr["build_id"] != wr["build_id"]:
                        bad.append("%s: build %s, column %s: %s, want %s" % (url,
                            gr["build_id"], keys[ci], gr["cells"][k], w))
                # A column the page left out has nothing in this row.
                for ci in set(range(len(keys))) - set(cols):
                    if wr["cells"][ci] is not None:
                        bad.append("%s: build %s lacks column %s" % (url, wr["build_id"],
                            keys[ci]))
    print("pages %d differ %d" % (asked, len(bad)))
    for b in bad[:20]:
        print(b)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    a = sys.argv
    if a[1] == "hold":
        hold(a[2], int(a[3]), float(a[4]))
    elif a[1] == "probe":
        probe(int(a[2]), int(a[3]), a[4:])
    elif a[1] == "kcidb":
        kcidb(a[2], a[3], int(a[4]))
    elif a[1] == "http":
        http(a[2], int(a[3]), a[4], a[5])
    elif a[1] == "matrix-pages":
        matrix_pages(a[2], a[3], a[4] if len(a) > 4 else None)
