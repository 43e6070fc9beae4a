"""apt_repo: a package archive of a test's own, for apt-get on this host without the network.

  apt_repo.py DIR RATE   serves DIR (a flat archive: DIR/Packages and the .debs it lists) on a
                         loopback port the kernel picks, RATE bytes a second at most per
                         request, so that a download lasts long enough for apt to say how far it
                         is; prints the port once listening, serves until killed
"""
import http.server
import sys
import time

DIR, RATE = sys.argv[1], int(sys.argv[2])
CHUNK = 64 * 1024


class Slow(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *a, **kw):
        super().__init__(*a, directory=DIR, **kw)

    def copyfile(self, src, dst):
        while True:
            b = src.read(CHUNK)
            if not b:
                break
            dst.write(b)
            time.sleep(len(b) / RATE)

    def log_message(self, *a):
        pass


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slow)
print(srv.server_address[1], flush=True)
srv.serve_forever()
