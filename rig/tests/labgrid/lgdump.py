#!/usr/bin/python3
"""lgdump: what labgrid itself finds in an environment file, as JSON on standard output.

    lgdump.py ENV.yaml TARGET

Loads the file with Debian's python3-labgrid (labgrid.Environment, get_target) and prints
{"resources": [...], "drivers": [...]}, each entry {"cls", "name", "attrs"} with the attributes
labgrid's own classes declare (their attrs fields), as labgrid holds them after loading.
Exit status 2 when labgrid refuses the file (its message on standard error).
"""
import json
import sys
import warnings

import attr
import labgrid

# Fields every resource or driver has: the target it belongs to and labgrid's bookkeeping.
SKIP = {"target", "name", "state", "avail", "bindings", "match", "device", "suggest"}


def plain(v):
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    return str(v)


def entry(obj):
    attrs = {}
    for f in attr.fields(type(obj)):
        if f.name in SKIP or f.name.startswith("_"):
            continue
        attrs[f.name] = plain(getattr(obj, f.name, None))
    if hasattr(obj, "match"):
        attrs["match"] = plain(getattr(obj, "match"))
    return {"cls": type(obj).__name__, "name": obj.name, "attrs": attrs}


def main():
    warnings.simplefilter("ignore")
    try:
        env = labgrid.Environment(sys.argv[1])
        target = env.get_target(sys.argv[2])
    except Exception as e:  # labgrid's own refusal, whatever its class
        print(f"labgrid: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(2)
    if target is None:
        print(f"labgrid: no target {sys.argv[2]}", file=sys.stderr)
        sys.exit(2)
    out = {"resources": [entry(r) for r in target.resources],
           "drivers": [entry(d) for d in target.drivers]}
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    print()


main()
