"""console_share_client: the clients of rigd's shared consoles that 67-console-share drives.

Run with /usr/bin/python3 (Debian's pyserial). Each command says "open" on the READY path (a
fifo the test reads) once connected, so the test waits for that, never for a while.

  read URL BAUD N OUT READY        pyserial rfc2217: N console bytes into OUT
  until URL BAUD MARK OUT READY    pyserial rfc2217: bytes until MARK (bytes, hex) into OUT
  type URL BAUD TEXT NOTICE READY  pyserial rfc2217: types TEXT, reads until the rig's ']\\r\\n'
                                   (its notice, into NOTICE: "stdout" is standard output) or
                                   10 s; NOTICE - reads nothing
  badbaud URL BAUD                 pyserial rfc2217 at a rate the line is not at: prints the error
  labgrid ENV TEXT READY           labgrid's SerialDriver on the NetworkSerialPort of ENV's target
                                   main: expects TEXT (a regular expression), prints what came
                                   before it
  telnet HOST PORT N OUT READY     a plain telnet reader (no option agreed), as fast as it can
  stuck HOST PORT READY GO OUT     connects, never reads until GO (a fifo) says so; then reads to
                                   the end and writes how many bytes it got to OUT
  feed SOCKET FILE [RATE]          the board's side: FILE's bytes into the adapter's socket, at
                                   RATE bytes a second at most (a line's pace, above a real one)
  expect SOCKET TEXT READY OUT     the board's side: reads what rigd typed until TEXT, into OUT
  rigctl SOCKET TEXT OUT RIGCTL BOARD
                                   rigctl console BOARD (RIG_SOCKET: the host asked); once it
                                   says on stderr that it is attached, TEXT into the adapter's
                                   SOCKET as the board's words; its standard output until TEXT
                                   (or 30 s) into OUT, its stderr to ours
"""
import os
import select
import socket
import sys
import time


def say_open(path, word="open"):
    with open(path, "w") as f:
        f.write(word + "\n")


def pyserial(url, baud, timeout=None, ready=None):
    import serial
    try:
        return serial.serial_for_url(url, baudrate=int(baud), timeout=timeout)
    except Exception as e:
        if ready is not None:   # the test waits for a word: this one says why not
            say_open(ready, "failed: %s" % e)
        raise


def read_n(args):
    url, baud, n, out, ready = args
    n = int(n)
    port = pyserial(url, baud, timeout=1, ready=ready)
    say_open(ready)
    got = bytearray()
    deadline = time.monotonic() + 120
    while len(got) < n and time.monotonic() < deadline:
        got += port.read(n - len(got))
    port.close()
    with open(out, "wb") as f:
        f.write(got)
    return 0 if len(got) == n else 1


def read_until(args):
    url, baud, mark, out, ready = args
    mark = bytes.fromhex(mark)
    port = pyserial(url, baud, timeout=1, ready=ready)
    say_open(ready)
    got = bytearray()
    deadline = time.monotonic() + 120
    while not got.endswith(mark) and time.monotonic() < deadline:
        got += port.read_until(mark)
    port.close()
    with open(out, "wb") as f:
        f.write(got)
    return 0 if got.endswith(mark) else 1


def type_text(args):
    url, baud, text, notice, ready = args
    port = pyserial(url, baud, timeout=1, ready=ready)
    say_open(ready)
    port.write(text.encode())
    port.flush()
    got = bytearray()
    deadline = time.monotonic() + (0 if notice == "-" else 10)
    while b"]\r\n" not in got and time.monotonic() < deadline:
        got += port.read(1)
    port.close()
    if notice == "stdout":
        sys.stdout.buffer.write(got)
    elif notice != "-":
        with open(notice, "wb") as f:
            f.write(got)
    return 0


def bad_baud(args):
    url, baud = args
    try:
        pyserial(url, baud).close()
    except Exception as e:      # what a user of pyserial sees
        print(e)
        return 0
    print("opened")
    return 1


def labgrid_expect(args):
    env, text, ready = args
    from labgrid import Environment
    target = Environment(env).get_target("main")
    try:
        serial = target.get_driver("SerialDriver")
        target.activate(serial)
    except Exception as e:
        say_open(ready, "failed: %s" % e)
        raise
    say_open(ready)
    before = serial.expect(text, timeout=60)[1]
    sys.stdout.write(before.decode(errors="replace") + "\n")
    return 0


def telnet_read(args):
    """
    A telnet client that agrees to nothing, as fast as Python reads: since it asks nothing,
    rigd sends its offers (5 commands) and then only data, each 0xFF doubled.
    """
    host, port, n, out, ready = args
    n = int(n)
    s = socket.create_connection((host, int(port)))
    say_open(ready)
    s.settimeout(60)
    head = b""
    while len(head) < 15:
        head += s.recv(15 - len(head))
    got = bytearray()
    held = b""
    while len(got) < n:
        buf = held + s.recv(1 << 16)
        if buf == held:
            break
        # An odd run of 0xFF at the end is a pair cut in two: its last byte waits.
        run = len(buf) - len(buf.rstrip(b"\xff"))
        held = buf[-1:] if run % 2 else b""
        got += (buf[:-1] if run % 2 else buf).replace(b"\xff\xff", b"\xff")
    s.close()
    with open(out, "wb") as f:
        f.write(got)
    return 0 if len(got) == n else 1


def stuck(args):
    host, port, ready, go, out = args
    s = socket.create_connection((host, int(port)))
    # A small receive window: the peer's bytes pile up in rigd, as behind a stalled laptop.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    say_open(ready)
    with open(go) as f:
        f.readline()
    s.settimeout(30)
    total = 0
    try:
        while True:
            buf = s.recv(1 << 16)
            if not buf:
                break
            total += len(buf)
    except (socket.timeout, ConnectionResetError):
        total = -1 if total == 0 else total
    with open(out, "w") as f:
        f.write("%d\n" % total)
    return 0


def feed(args):
    path, data = args[:2]
    rate = int(args[2]) if len(args) > 2 else 0
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    with open(data, "rb") as f:
        buf = f.read()
    if rate == 0:
        s.sendall(buf)
    # Paced in 10 ms slices, as a UART delivers: the rate of a line, not a wait for anything.
    start = time.monotonic()
    step = max(rate // 100, 1)
    for off in range(0, len(buf) if rate else 0, step):
        s.sendall(buf[off:off + step])
        ahead = start + (off + step) / rate - time.monotonic()
        if ahead > 0:
            time.sleep(ahead)
    # Stay until the relay has passed it all on: the pty takes what we sent before EOF.
    s.shutdown(socket.SHUT_WR)
    s.settimeout(5)
    try:
        while s.recv(4096):
            pass
    except socket.timeout:
        pass
    s.close()
    return 0


def expect(args):
    path, text, ready, out = args
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    say_open(ready)
    s.settimeout(30)
    got = bytearray()
    want = text.encode()
    try:
        while want not in got:
            buf = s.recv(4096)
            if not buf:
                break
            got += buf
    except socket.timeout:
        pass
    s.close()
    with open(out, "wb") as f:
        f.write(got)
    return 0 if want in got else 1


def rigctl_console(args):
    import subprocess
    path, text, out, rigctl, board = args
    p = subprocess.Popen([rigctl, "console", board], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    # Attached: rigctl says so on stderr once the console's bytes flow (none are kept before).
    said = b""
    for line in p.stderr:
        said += line
        if b"attached" in line:
            break
    sys.stderr.buffer.write(said)
    got = bytearray()
    if b"attached" in said:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)
        s.sendall(text.encode() + b"\r\n")
        os.set_blocking(p.stdout.fileno(), False)
        deadline = time.monotonic() + 30
        while text.encode() not in got and time.monotonic() < deadline:
            r, _, _ = select.select([p.stdout], [], [], deadline - time.monotonic())
            chunk = os.read(p.stdout.fileno(), 4096) if r else b""
            if r and not chunk:
                break
            got += chunk
        s.close()
    p.kill()
    sys.stderr.buffer.write(p.stderr.read())
    p.wait()
    with open(out, "wb") as f:
        f.write(got)
    return 0 if text.encode() in got else 1


COMMANDS = {"read": read_n, "until": read_until, "type": type_text, "badbaud": bad_baud,
            "labgrid": labgrid_expect,
            "telnet": telnet_read, "stuck": stuck, "feed": feed, "expect": expect,
            "rigctl": rigctl_console}

if __name__ == "__main__":
    sys.exit(COMMANDS[sys.argv[1]](sys.argv[2:]))
