"""A real browser for the tests: Debian's headless chromium, driven over the DevTools protocol.

The protocol runs over a pair of pipes (``--remote-debugging-pipe``: chromium reads commands on its
fd 3 and writes answers and events on fd 4, each message JSON ended by a NUL byte), so no port is
opened and no websocket library is needed. Chromium starts with an empty profile and every
background-network feature off; the pages are loaded from file://.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Where Debian (chromium), other distributions and Chrome put the browser.
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
FLAGS = (
    "--headless",
    "--no-sandbox",  # tests run as root in containers, where the sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--mute-audio",
    "--autoplay-policy=no-user-gesture-required",
    "--remote-debugging-pipe",
)


def find_chromium() -> str | None:
    """The browser's path: $CHROMIUM if set, else the first of CANDIDATES on PATH."""
    if os.environ.get("CHROMIUM"):
        return os.environ["CHROMIUM"]
    return next((path for name in CANDIDATES if (path := shutil.which(name))), None)


class BrowserError(RuntimeError):
    pass


@dataclass
class Page:
    """One tab: what it logged, the requests it made, and calls into it."""

    browser: Browser
    session: str
    errors: list[str] = field(default_factory=list)  # console errors, uncaught exceptions, failed loads
    requests: list[str] = field(default_factory=list)  # every URL the page asked for

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        return self.browser.call(method, params, session=self.session)

    def js(self, expression: str, *, timeout_s: float = 10.0) -> Any:
        """The value of a JavaScript expression (promises awaited); raises on an exception in it."""
        reply = self.browser.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            session=self.session,
            timeout_s=timeout_s,
        )
        if "exceptionDetails" in reply:
            raise BrowserError(
                f"{expression[:80]}: {reply['exceptionDetails'].get('exception', {}).get('description')}"
            )
        return reply["result"].get("value")

    def open(self, url: str, *, width: int = 1280, height: int = 900, mobile: bool = False) -> None:
        """Load ``url`` at this viewport and wait for its load event."""
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=mobile,
        )
        self.errors.clear()
        self.requests.clear()
        self.browser.events.clear()
        if self.call("Page.navigate", url=url).get("loaderId") is None:
            # Only the #fragment changed: no new document was loaded. Load it afresh.
            self.call("Page.navigate", url="about:blank")
            self.browser.wait_for("Page.loadEventFired", session=self.session)
            self.requests.clear()
            self.call("Page.navigate", url=url)
        self.browser.wait_for("Page.loadEventFired", session=self.session)
        self.settle()

    def settle(self, seconds: float = 0.3) -> None:
        """Let events that follow the load (media metadata, late console messages) arrive."""
        self.browser.pump(seconds)

    def click(self, selector: str) -> None:
        """A real mouse click (pressed and released) in the middle of the first element ``selector`` finds."""
        box = self.js(
            f"(() => {{ const el = document.querySelector({json.dumps(selector)});"
            " if (!el) return null; el.scrollIntoView({block: 'center'});"
            " const r = el.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()"
        )
        if box is None:
            raise BrowserError(f"nothing matches {selector}")
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left", clickCount=1)

    def key(self, key: str, code: str, key_code: int, text: str = "") -> None:
        """A key pressed and released on whatever has the focus (Enter on a button: ``text="\\r"``)."""
        down: dict[str, Any] = {"text": text} if text else {}
        self.call(
            "Input.dispatchKeyEvent",
            type="keyDown",
            key=key,
            code=code,
            windowsVirtualKeyCode=key_code,
            **down,
        )
        self.call("Input.dispatchKeyEvent", type="keyUp", key=key, code=code, windowsVirtualKeyCode=key_code)

    def screenshot(
        self, path: Path | None = None, *, full_page: bool = False, clip: dict[str, float] | None = None
    ) -> bytes:
        """A PNG of the viewport, the whole page, or ``clip`` (x, y, width, height in page pixels)."""
        params: dict[str, Any] = {"format": "png"}
        if clip is not None:
            params["captureBeyondViewport"] = True
            params["clip"] = {**clip, "scale": 1}
        elif full_page:
            params["captureBeyondViewport"] = True
            size = self.js("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
            params["clip"] = {"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1}
        data = base64.b64decode(self.call("Page.captureScreenshot", **params)["data"])
        if path is not None:
            Path(path).write_bytes(data)
        return data


class Browser:
    """A headless chromium for the length of a ``with`` block; ``new_page()`` opens tabs in it."""

    def __init__(self, executable: str, *, timeout_s: float = 30.0) -> None:
        self.executable = executable
        self.timeout_s = timeout_s
        self.events: list[dict[str, Any]] = []
        self.pages: dict[str, Page] = {}
        self._buffer = b""
        self._next_id = 0

    def __enter__(self) -> Browser:
        """Start chromium; a start that does not answer in ``timeout_s`` is tried once more (a first
        start on a cold machine can stall), then fails quoting what chromium printed."""
        try:
            return self._start()
        except TimeoutError:
            return self._start()

    def _log_tail(self) -> str:
        try:
            return Path(self._log).read_text(errors="replace")[-2000:] or "nothing"
        except OSError:
            return "nothing"

    def _start(self) -> Browser:
        self._buffer = b""
        self._profile = tempfile.mkdtemp(prefix="reps-chromium-")
        fd, self._log = tempfile.mkstemp(prefix="reps-chromium-", suffix=".log")
        log = os.fdopen(fd, "wb")
        commands_r, self._commands = os.pipe()
        self._replies, replies_w = os.pipe()
        # Chromium's ends moved above fd 9, so putting them on 3 and 4 cannot overwrite one another.
        commands_r, replies_w = (_above_nine(fd) for fd in (commands_r, replies_w))
        # bash puts the pipes on fds 3 and 4, where chromium looks for them, then becomes chromium.
        self.process = subprocess.Popen(
            [
                "/bin/bash",  # dash cannot name file descriptors above 9
                "-c",
                f'exec "$0" "$@" 3<&{commands_r} 4>&{replies_w} {commands_r}<&- {replies_w}>&-',
                self.executable,
                *FLAGS,
                f"--user-data-dir={self._profile}",
                "about:blank",
            ],
            pass_fds=(commands_r, replies_w),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
        log.close()
        os.close(commands_r)
        os.close(replies_w)
        try:
            self.call("Browser.getVersion", timeout_s=self.timeout_s)
        except TimeoutError as exc:
            tail = self._log_tail()
            self.__exit__(None, None, None)
            raise TimeoutError(f"{exc} in {self.timeout_s:g} s; it printed: {tail}") from exc
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self.process.poll() is None:
                with suppress(BrowserError, OSError, TimeoutError):
                    self.call("Browser.close", timeout_s=5)
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(timeout=10)
        finally:
            for fd in (self._commands, self._replies):
                with suppress(OSError):
                    os.close(fd)
            shutil.rmtree(self._profile, ignore_errors=True)
            with suppress(OSError):
                os.unlink(self._log)

    def new_page(self) -> Page:
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        self.pages[session] = page
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=session)
        return page

    # ------------------------------------------------------------------------------ the protocol

    def call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        session: str | None = None,
        timeout_s: float = 20.0,
    ) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout_s
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error'].get('message')}")
                return reply.get("result", {})
            self._event(reply)

    def wait_for(self, event: str, *, session: str | None = None, timeout_s: float = 20.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while True:
            for seen in self.events:
                if seen.get("method") == event and (session is None or seen.get("sessionId") == session):
                    self.events.remove(seen)
                    return seen
            self._event(self._read(deadline))

    def pump(self, seconds: float) -> None:
        """Read events for ``seconds``."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                self._event(self._read(deadline))
            except TimeoutError:
                return

    def _event(self, message: dict[str, Any]) -> None:
        self.events.append(message)
        page = self.pages.get(message.get("sessionId", ""))
        if page is None:
            return
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            page.errors.append(
                "console: " + " ".join(str(a.get("value", a.get("description"))) for a in params["args"])
            )
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            page.errors.append(
                "exception: " + str(details.get("exception", {}).get("description", details.get("text")))
            )
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            page.errors.append(f"log ({params['entry'].get('source')}): {params['entry'].get('text')}")
        elif method == "Network.requestWillBeSent":
            page.requests.append(params["request"]["url"])

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from chromium")
            ready, _, _ = select.select([self._replies], [], [], left)
            if not ready:
                continue
            chunk = os.read(self._replies, 1 << 16)
            if not chunk:
                raise BrowserError(f"chromium stopped (exit code {self.process.poll()})")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)


def _above_nine(fd: int) -> int:
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return moved


@contextmanager
def chromium() -> Iterator[Browser]:
    """A started browser, or BrowserError when there is none to start."""
    path = find_chromium()
    if path is None:
        raise BrowserError("no chromium on PATH")
    with Browser(path) as browser:
        yield browser
