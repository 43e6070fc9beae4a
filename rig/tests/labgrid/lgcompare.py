#!/usr/bin/python3
"""lgcompare: what labgrid found (lgdump.py's JSON) against the board file rig wrote.

    lgcompare.py DUMP.json BOARD.yaml NOTES

NOTES is rigctl's standard error. Every resource and driver labgrid made is either mapped onto
the field it should be, with the value labgrid holds (its defaults included), or listed in NOTES
as not imported (as a whole, or the one attribute that is not). One line per check: "ok ..." or
"FAIL ..."; the integration test counts them.
"""
import json
import shlex
import sys

import yaml

dump = json.load(open(sys.argv[1]))
board = yaml.safe_load(open(sys.argv[2]))
notes = open(sys.argv[3]).read()

# rig's defaults, for fields a board file leaves out.
DEFAULTS = {("console", "baud"): 115200, ("ssh", "user"): "root", ("ssh", "port"): 22,
            ("boot", "autoboot"): "Hit any key to stop autoboot", ("boot", "prompt"): "=> ",
            ("power", "off-time"): "3s"}


def get(sect, key):
    s = board.get(sect) or {}
    # PyYAML (YAML 1.1) reads the keys on: and off: as booleans; rig reads them as words.
    v = s.get(key, s.get({"on": True, "off": False}.get(key, key)))
    if v is None:
        v = DEFAULTS.get((sect, key))
    return v


def seconds(v):
    return f"{int(v)}s" if float(v) == int(v) else f"{int(round(float(v) * 1000))}ms"


def who(e):
    return e["cls"] + (f" '{e['name']}'" if e["name"] else "")


def listed(e, attr=None):
    w = who(e) + (f".{attr}" if attr else "")
    return f"not imported: {w} (" in notes or (attr and f"not imported: {w} '" in notes)


def expect(e):
    """(sect, key, value) the entry maps to; value None: the field must just be there."""
    a, c = e["attrs"], e["cls"]
    if c == "RawSerialPort":
        return [("console", "kind", "tty"), ("console", "path", a["port"]),
                ("console", "baud", a["speed"])]
    if c == "USBSerialPort":
        m = a["match"]
        path = f"/dev/serial/by-path/{m['ID_PATH']}-port0" if "ID_PATH" in m else "<FILL IN>"
        return [("console", "kind", "tty"), ("console", "path", path),
                ("console", "baud", a["speed"])]
    if c == "NetworkSerialPort":
        raw = a["protocol"] == "raw"
        out = [("console", "kind", "tcp" if raw else "rfc2217"), ("console", "host", a["host"]),
               ("console", "port", a["port"])]
        return out + ([] if raw else [("console", "baud", a["speed"])])
    if c == "SysfsGPIO":
        return [("power", "backend", "gpio"), ("power", "chip", "<FILL IN>"),
                ("power", "line", "<FILL IN>")]
    if c == "GpioDigitalOutputDriver":
        return [("power", "backend", "gpio")]
    if c == "DigitalOutputPowerDriver":
        return [("power", "backend", "gpio"), ("power", "off-time", seconds(a["delay"]))]
    if c == "ExternalPowerDriver":
        out = [("power", "backend", "command"), ("power", "off-time", seconds(a["delay"]))]
        for k, rk in (("cmd_on", "on"), ("cmd_off", "off"), ("cmd_cycle", "cycle")):
            if a[k] is not None:
                out.append(("power", rk, shlex.split(a[k]), k))
        return out
    if c == "ManualPowerDriver":
        return [("power", "backend", "manual")]
    if c == "UBootDriver":
        out = [("boot", "method", "uboot-tftp")]
        if a["prompt"]:
            out.append(("boot", "prompt", a["prompt"], "prompt"))
        out.append(("boot", "autoboot", a["autoboot"], "autoboot"))
        return out
    if c == "UBootStrategy":
        return [("boot", "method", "uboot-tftp")]
    if c == "NetworkService":
        return [("ssh", "host", a["address"]), ("ssh", "user", a["username"]),
                ("ssh", "port", a["port"])]
    if c == "SerialDriver":
        return [("console", "kind", None)]
    if c == "SSHDriver":
        return [("ssh", "host", None)]
    return []


def same(got, want):
    if want is None:
        return got is not None
    if isinstance(want, list):
        return isinstance(got, list) and [str(x) for x in got] == [str(x) for x in want]
    if isinstance(want, str) and isinstance(got, str) and want == "Hit any key to stop autoboot":
        return True
    if isinstance(got, str) and isinstance(want, str) and got != want and \
            "stop autoboot" in want:
        return want in got
    return str(got) == str(want)


fails = 0
for kind in ("resources", "drivers"):
    for e in dump[kind]:
        exp = expect(e)
        if not exp:
            ok = listed(e)
            print(("ok  " if ok else "FAIL") + f" {who(e)}: listed as not imported")
            fails += not ok
            continue
        if listed(e):
            print(f"ok   {who(e)}: listed as not imported")
            continue
        for x in exp:
            sect, key, want = x[0], x[1], x[2]
            got = get(sect, key)
            if same(got, want):
                print(f"ok   {who(e)} -> {sect}.{key} = {got!r}")
            elif len(x) > 3 and listed(e, x[3]):
                print(f"ok   {who(e)}.{x[3]}: listed as not imported")
            else:
                print(f"FAIL {who(e)} -> {sect}.{key}: board has {got!r}, labgrid {want!r}")
                fails += 1
        # Attributes with a value labgrid holds but rig has no field for must be listed.
        for k, v in e["attrs"].items():
            if k == "password" and v and not listed(e, k):
                print(f"FAIL {who(e)}.password: set, neither mapped nor listed")
                fails += 1
sys.exit(1 if fails else 0)
