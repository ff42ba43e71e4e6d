"""A small headless-Chromium driver over the Chrome DevTools protocol, for the page tests.

Chromium is the Debian package (``/usr/bin/chromium``); it is started headless with
no sandbox, no GPU, no background networking or updates, and a fresh profile, and
every http(s) request is blocked and recorded (a pack page must work offline).
axe-core comes from npm, installed by ``.ci/run`` into ``.ci/node_modules``.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / ".ci" / "node_modules" / "axe-core" / "axe.min.js"
INSTALL = (
    "apt-get update && apt-get install -y chromium poppler-utils && "
    "npm install --no-save --prefix .ci axe-core@4 && .venv/bin/pip install websocket-client"
)


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        p = shutil.which(name)
        if p:
            return p
    return None


def missing() -> str | None:
    """Why the browser tests cannot run here (None when they can)."""
    if chromium_path() is None:
        return "Chromium is not installed"
    if not AXE.exists():
        return f"axe-core is not installed at {AXE.relative_to(ROOT)}"
    try:
        import websocket  # noqa: F401
    except ImportError:
        return "the websocket-client package is not installed"
    return None


class Browser:
    """One headless Chromium with one page, driven over CDP."""

    def __init__(self) -> None:
        import websocket

        self.profile = tempfile.mkdtemp(prefix="sa-chromium-")
        self.proc = subprocess.Popen(
            [
                chromium_path(),
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-dev-shm-usage",
                "--hide-scrollbars",
                f"--user-data-dir={self.profile}",
                "--remote-debugging-port=0",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = Path(self.profile) / "DevToolsActivePort"
        for _ in range(300):
            if port_file.exists() and port_file.read_text().strip():
                break
            time.sleep(0.1)
        else:
            self.close()
            raise RuntimeError("Chromium did not start (no DevToolsActivePort after 30 s)")
        port = int(port_file.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as r:
            pages = [t for t in json.load(r) if t["type"] == "page"]
        self.ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=120)
        self.ids = itertools.count(1)
        self.events: list[dict] = []
        self.requests: list[str] = []
        self.call("Page.enable")
        self.call("Network.enable")
        self.call("Network.setBlockedURLs", urls=["http://*", "https://*", "ws://*", "wss://*"])

    def call(self, method: str, **params):
        i = next(self.ids)
        self.ws.send(json.dumps({"id": i, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == i:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self._event(msg)

    def _event(self, msg: dict) -> None:
        if msg.get("method") == "Network.requestWillBeSent":
            url = msg["params"]["request"]["url"]
            if not url.startswith(("file:", "data:", "about:")):
                self.requests.append(url)
        self.events.append(msg)

    def wait_event(self, method: str, timeout: float = 60) -> dict:
        end = time.time() + timeout
        for k, e in enumerate(self.events):
            if e.get("method") == method:
                return self.events.pop(k)
        while time.time() < end:
            msg = json.loads(self.ws.recv())
            self._event(msg)
            if msg.get("method") == method:
                self.events.remove(msg)
                return msg
        raise TimeoutError(method)

    def open(self, path: Path, width: int = 1366, height: int = 768) -> None:
        self.viewport(width, height)
        self.events.clear()
        self.call("Page.navigate", url=path.resolve().as_uri())
        self.wait_event("Page.loadEventFired")

    def viewport(self, width: int, height: int) -> None:
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=width < 600,
        )

    def js(self, expr: str, await_promise: bool = False):
        r = self.call(
            "Runtime.evaluate", expression=expr, awaitPromise=await_promise, returnByValue=True
        )
        if "exceptionDetails" in r:
            raise RuntimeError(f"JavaScript error: {r['exceptionDetails']}")
        return r["result"].get("value")

    def axe(self) -> list[dict]:
        """axe-core's WCAG 2 A/AA violations on the page: id, impact, help, nodes (first 3 targets)."""
        self.js(AXE.read_text(encoding="utf-8"))
        out = self.js(
            "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa']}})"
            ".then(r => JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact, "
            "help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))))",
            await_promise=True,
        )
        return json.loads(out)

    def pdf(self) -> bytes:
        r = self.call(
            "Page.printToPDF",
            paperWidth=8.27,
            paperHeight=11.69,
            preferCSSPageSize=True,
            printBackground=True,
        )
        return base64.b64decode(r["data"])

    def screenshot(self) -> bytes:
        return base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"])

    def close(self) -> None:
        try:
            self.ws.close()
        except Exception:  # noqa: BLE001 - closing a broken connection
            pass
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def pdf_pages(data: bytes) -> int:
    """Pages in a PDF: from pdfinfo when installed, else from the page objects."""
    if shutil.which("pdfinfo"):
        with tempfile.NamedTemporaryFile(suffix=".pdf", delete=False) as f:
            f.write(data)
        try:
            out = subprocess.run(["pdfinfo", f.name], capture_output=True, text=True, check=True)
        finally:
            os.unlink(f.name)
        for line in out.stdout.splitlines():
            if line.startswith("Pages:"):
                return int(line.split()[1])
    import re

    return len(re.findall(rb"/Type\s*/Page(?!s)", data))


def check_page(browser: Browser, page: Path, theme_page: bool) -> dict:
    """Load a pack page at 1366x768 and report what a partner would hit.

    Returns ``serious`` (axe-core serious/critical violations), ``findings_bottom``
    (bottom of the first key finding, px; None when there is none), ``print_overflow``
    (px wider than an A4 page in print), ``pdf`` (the page printed to A4 PDF) and
    ``pdf_pages`` (its pages). The page stays loaded, at 1366x768 on screen.
    """
    browser.open(page, 1366, 768)
    serious = [v for v in browser.axe() if v["impact"] in ("serious", "critical")]
    bottom = None
    if theme_page:
        bottom = browser.js(
            "(() => { const li = document.querySelector('.sa-callout li');"
            " return li ? li.getBoundingClientRect().bottom : null })()"
        )
    browser.call("Emulation.setEmulatedMedia", media="print")
    browser.viewport(703, 1000)  # A4 less the page margins, at 96 px per inch
    overflow = browser.js(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    browser.call("Emulation.setEmulatedMedia", media="")
    browser.viewport(1366, 768)
    pdf = browser.pdf()
    return {
        "serious": serious,
        "findings_bottom": bottom,
        "print_overflow": overflow,
        "pdf": pdf,
        "pdf_pages": pdf_pages(pdf),
    }
