#!/usr/bin/python3
# docs_errors: whether each message given (one a line on standard input) is one rig's code can
# print. The code's formats are its C string literals (adjacent ones joined); a message matches
# a format when the format's text is there word for word and each %-directive stands for a value.
# A %s that the message fills with words (a space in it) must itself be a message of the code,
# unless the format quotes it ("%s": what a board printed): so "boot failed: %s" alone does not
# pass a made-up reason, and a format needs five letters of its own ("U-Boot: %s"). Prints
# each message that no format explains; exit 1 if any.
import glob, re, sys

LIT = re.compile(r'"((?:[^"\\\n]|\\.)*)"((?:\s*"(?:[^"\\\n]|\\.)*")*)')
PART = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
DIRECTIVE = re.compile(r'%[-+ #0]*(\d+|\*)?(\.(\d+|\*))?(hh|h|ll|l|z|j|t)?([sdiouxXcp%])')


def unescape(s):
    return re.sub(r'\\(.)', lambda m: {'n': '\n', 't': '\t'}.get(m.group(1), m.group(1)), s)


def formats():
    out = set()
    for path in glob.glob('rig/lib/*.c') + glob.glob('rig/rigd/*.c') + glob.glob('rig/rigctl/*.c'):
        src = open(path, encoding='utf-8').read()
        for m in LIT.finditer(src):
            text = ''.join(unescape(p) for p in PART.findall(m.group(0)))
            if '%' in text or len(text) >= 8:
                out.add(text)
    return out


def compile_format(f, lazy):
    rx, groups, pos = '', [], 0
    for m in DIRECTIVE.finditer(f):
        rx += re.escape(f[pos:m.start()])
        conv = m.group(5)
        if conv == '%':
            rx += '%'
        elif conv == 's':
            quoted = m.start() > 0 and f[m.start() - 1] == '"'
            groups.append(quoted)
            rx += '(.*' + lazy + ')'
        elif conv == 'c':
            rx += '.'
        else:
            rx += r'[-0-9a-fA-Fx]+'
        pos = m.end()
    rx += re.escape(f[pos:])
    return re.compile(rx, re.S), groups


# A format that is mostly directives ("%s: %s") would explain any text: it needs words of its own.
# Each format twice: its %s taking as much and as little as they can (where a message could
# be split two ways, one of them is the code's).
COMPILED = [compile_format(f, lazy) for f in formats()
            if sum(c.isalpha() for c in DIRECTIVE.sub('', f)) >= 5 for lazy in ('', '?')]


def explained(msg, depth=0):
    if depth > 6:
        return False
    # A check names the key and its value first ("power.on pduclient: not found on PATH"): a
    # short "key value" before ": " is a value, what follows must be the code's words.
    head, sep, rest = msg.partition(': ')
    if sep and len(head.split()) <= 2 and '.' in head.split()[0] and explained(rest, depth + 1):
        return True
    for rx, quoted in COMPILED:
        m = rx.fullmatch(msg)
        if not m:
            continue
        if all(q or ' ' not in g or explained(g, depth + 1)
               for g, q in zip(m.groups(), quoted)):
            return True
    return False


bad = [line for line in sys.stdin.read().splitlines() if line and not explained(line)]
for line in bad:
    print(line)
sys.exit(1 if bad else 0)
