# console_pyserial: the console-ingest benchmark's baseline: serial lines read as a Python rig
# reads them, pyserial with one thread per port (serial.Serial(path, 1843200), read() of what is
# waiting, as pyserial's own miniterm does), each port's bytes to a file and its lines looked at
# for "BUG:".
#   /usr/bin/python3 console_pyserial.py OUTDIR PORT...
# Prints "ready" once every port is open (or has failed to), reads until standard input closes,
# then keeps reading until the ports are quiet for a second, and writes OUTDIR/result.json: per
# port the bytes read, the error that stopped it (open or read), and when (wall clock, ms) a
# "BUG:" line was seen.
import json
import os
import sys
import threading
import time

import serial

BAUD = 1843200


class Port(threading.Thread):
    def __init__(self, path, out):
        super().__init__(daemon=True)
        self.path = path
        self.out = out
        self.bytes = 0
        self.error = None
        self.bug_ms = None
        self.last = time.monotonic()
        self.ser = None
        try:
            self.ser = serial.Serial(path, BAUD, timeout=0.2)
        except Exception as e:  # what a Python rig would meet: recorded, not raised
            self.error = "open: %s" % e

    def run(self):
        if self.ser is None:
            return
        tail = b""
        try:
            with open(self.out, "wb") as f:
                while not stop.is_set() or time.monotonic() - self.last < 1.0:
                    data = self.ser.read(self.ser.in_waiting or 1)
                    if not data:
                        continue
                    self.last = time.monotonic()
                    f.write(data)
                    self.bytes += len(data)
                    if self.bug_ms is None:
                        lines = (tail + data).split(b"\n")
                        tail = lines.pop()
                        if any(b"BUG:" in l for l in lines):
                            self.bug_ms = int(time.time() * 1000)
        except Exception as e:
            self.error = "read: %s" % e


stop = threading.Event()


def main():
    outdir, paths = sys.argv[1], sys.argv[2:]
    ports = [Port(p, os.path.join(outdir, os.path.basename(p) + ".log")) for p in paths]
    for p in ports:
        p.start()
    t0 = os.times()
    print("ready", flush=True)
    sys.stdin.read()
    stop.set()
    for p in ports:
        p.join()
    t1 = os.times()
    # The process's user + system CPU from ready on, in clock ticks as /proc/PID/stat counts.
    cpu = (t1.user + t1.system - t0.user - t0.system) * os.sysconf("SC_CLK_TCK")
    user = (t1.user - t0.user) * os.sysconf("SC_CLK_TCK")
    res = {"cpu_ticks": round(cpu), "user_ticks": round(user), "ports": [
        {"port": os.path.basename(p.path), "bytes": p.bytes, "error": p.error,
         "bug_ms": p.bug_ms} for p in ports]}
    with open(os.path.join(outdir, "result.json"), "w") as f:
        json.dump(res, f)


main()
