"""dashcheck: the dashboard as a browser shows it, for the integration tests.

Drives headless Chromium through its DevTools protocol (python3-websocket):
  dashcheck.py page BASE PATH OUT [PATH OUT]...
                                           loads BASE+PATH (each in turn, one browser); writes
                                           OUT.html (the DOM after its scripts), OUT.png (a
                                           screenshot) and prints "loaded PATH in N ms"
  dashcheck.py live BASE OUT SECONDS       loads BASE/, prints "open" once its event stream is
                                           open, then waits up to SECONDS for a change that
                                           names a finished run; writes OUT.html and OUT.png;
                                           exits 1 when none came
  dashcheck.py console BASE BOARD OUT TEXT SECONDS
                                           loads BASE/boards/BOARD, prints "open" once its
                                           console stream is, then waits up to SECONDS for TEXT
                                           to come once more on the console shown; writes
                                           OUT.html and OUT.png; exits 1 when it did not
  dashcheck.py type BASE BOARD URL OUT LINE TEXT SECONDS
                                           loads BASE/boards/BOARD as a watcher (no session:
                                           prints "watcher: write=no" when no form to type in
                                           shows), then URL (rigctl console --web's link) as
                                           its holder: prints "holder: write=yes" and the
                                           address bar, types LINE in the page's form, waits up
                                           to SECONDS for TEXT to come on the console shown;
                                           writes OUT.html and OUT.png; exits 1 when it did not
  dashcheck.py links BASE PATH OUT         loads BASE+PATH and every same-site link on it (at
                                           most 40), prints "link CODE URL" for each
No sleeps: page loads are the browser's load event, a change is waited for in the page itself.
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket


class Browser:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="dashcheck.")
        self.proc = subprocess.Popen(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--remote-debugging-port=0", "--window-size=1280,1000",
             "--user-data-dir=" + self.dir, "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # Chromium says where it listens on stderr once it does: read until then.
        port = None
        for line in self.proc.stderr:
            line = line.decode(errors="replace")
            if "DevTools listening on ws://" in line:
                port = line.split("ws://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1]
                break
        if port is None:
            raise SystemExit("dashcheck: chromium did not start")
        req = urllib.request.Request("http://127.0.0.1:%s/json/new?about:blank" % port,
                                     method="PUT")
        target = json.load(urllib.request.urlopen(req, timeout=30))
        self.ws = websocket.create_connection(target["webSocketDebuggerUrl"], timeout=900,
                                              suppress_origin=True)
        self.id = 0
        self.events = []
        self.call("Page.enable")
        self.call("Runtime.enable")

    def call(self, method, **params):
        self.id += 1
        self.ws.send(json.dumps({"id": self.id, "method": method, "params": params}))
        while True:
            m = json.loads(self.ws.recv())
            if m.get("id") == self.id:
                if "error" in m:
                    raise SystemExit("dashcheck: %s: %s" % (method, m["error"]))
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, name):
        while True:
            for i, m in enumerate(self.events):
                if m.get("method") == name:
                    del self.events[i]
                    return m
            self.events.append(json.loads(self.ws.recv()))

    def load(self, url):
        self.events = []
        start = time.monotonic()
        r = self.call("Page.navigate", url=url)
        if r.get("errorText"):
            raise SystemExit("dashcheck: %s: %s" % (url, r["errorText"]))
        self.wait_event("Page.loadEventFired")
        return (time.monotonic() - start) * 1000

    def eval(self, expr, await_promise=False):
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True,
                      awaitPromise=await_promise)
        if "exceptionDetails" in r:
            raise SystemExit("dashcheck: %s: %s" % (expr, r["exceptionDetails"]))
        return r["result"].get("value")

    def save(self, out):
        with open(out + ".html", "w") as f:
            f.write(self.eval("document.documentElement.outerHTML"))
        shot = self.call("Page.captureScreenshot", format="png")
        with open(out + ".png", "wb") as f:
            f.write(base64.b64decode(shot["data"]))

    def close(self):
        self.proc.kill()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


# Resolves when cond() holds, checked at every change of the page (no timer), or after ms.
WAIT = """new Promise(res => {
  const cond = () => %s;
  if (cond()) return res(true);
  const o = new MutationObserver(() => { if (cond()) { o.disconnect(); res(true); } });
  o.observe(document.documentElement, {attributes: true, childList: true, subtree: true,
    characterData: true});
  setTimeout(() => { o.disconnect(); res(cond()); }, %d);
})"""


def main():
    mode, base = sys.argv[1], sys.argv[2].rstrip("/")
    b = Browser()
    try:
        if mode == "page":
            for path, out in zip(sys.argv[3::2], sys.argv[4::2]):
                ms = b.load(base + path)
                b.save(out)
                print("loaded %s in %.0f ms" % (path, ms), flush=True)
        elif mode == "live":
            out, secs = sys.argv[3], float(sys.argv[4])
            b.load(base + "/")
            if not b.eval(WAIT % ("document.body.dataset.live === 'open'", 30000), True):
                b.save(out)
                print("the event stream did not open")
                return 1
            print("open", flush=True)
            ok = b.eval(WAIT % ("/ run [0-9]+/.test(document.getElementById('live')"
                                ".textContent)", secs * 1000), True)
            b.save(out)
            print("change: " + (b.eval("document.getElementById('live').textContent") or
                                "none"))
            return 0 if ok else 1
        elif mode == "console":
            board, out, text, secs = sys.argv[3], sys.argv[4], sys.argv[5], float(sys.argv[6])
            b.load(base + "/boards/" + board)
            if not b.eval(WAIT % ("document.body.dataset.live === 'open'", 30000), True):
                b.save(out)
                print("the console stream did not open")
                return 1
            count = "document.getElementById('console').textContent.split(%s).length" % \
                json.dumps(text)
            before = b.eval(count)
            print("open", flush=True)
            ok = b.eval(WAIT % ("%s > %d" % (count, before), secs * 1000), True)
            b.save(out)
            print("console: %r %d times before, %d after" % (text, before - 1,
                                                            b.eval(count) - 1))
            return 0 if ok else 1
        elif mode == "type":
            board, url, out, line, text, secs = sys.argv[3:9]
            # The page says what it found once its session question is answered.
            decided = "document.body.dataset.write !== undefined && " \
                "document.body.dataset.live === 'open'"
            form = "document.getElementById('console-type').hidden"
            b.load(base + "/boards/" + board)
            b.eval(WAIT % (decided, 30000), True)
            print("watcher: write=%s form hidden=%s" % (b.eval("document.body.dataset.write"),
                                                        b.eval(form)), flush=True)
            # A page of its own: a fragment alone would not load the page again.
            b.load("about:blank")
            b.load(url)
            if not b.eval(WAIT % (decided + " && document.body.dataset.write === 'yes'",
                                  30000), True):
                b.save(out)
                print("holder: write=%s: %s" % (b.eval("document.body.dataset.write"),
                      b.eval("document.getElementById('console-mode').textContent")))
                return 1
            print("holder: write=yes form hidden=%s" % b.eval(form), flush=True)
            print("address: " + b.eval("location.href"), flush=True)
            count = "document.getElementById('console').textContent.split(%s).length" % \
                json.dumps(text)
            before = b.eval(count)
            b.eval("document.getElementById('console-line').value = %s; "
                   "document.getElementById('console-type').requestSubmit()" % json.dumps(line))
            ok = b.eval(WAIT % ("%s > %d" % (count, before), float(secs) * 1000), True)
            b.save(out)
            print("console: %r %d times before, %d after" % (text, before - 1,
                                                            b.eval(count) - 1))
            return 0 if ok else 1
        elif mode == "links":
            path, out = sys.argv[3], sys.argv[4]
            b.load(base + path)
            links = b.eval("[...new Set([...document.querySelectorAll('a[href]')]"
                           ".map(a => a.href).filter(h => h.startsWith(location.origin)))]")
            b.save(out)
            for url in links[:40]:
                try:
                    code = urllib.request.urlopen(url, timeout=60).status
                except urllib.error.HTTPError as e:
                    code = e.code
                print("link %d %s" % (code, url))
        else:
            raise SystemExit("dashcheck: unknown mode " + mode)
    finally:
        b.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
