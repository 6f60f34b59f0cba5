"""gdx slides decks in a real browser with the network off: Debian's chromium, headless, driven
over the DevTools protocol (``--remote-debugging-pipe``: JSON messages on file descriptors 3
and 4, so no websocket client is needed).

Also a tool: ``python tests/gdx/test_slides_browser.py DECK.html OUT_DIR`` saves ``deck.png``
and ``speaker_view.png`` (the speaker view that S opens) of a deck's first slide, for the README.
"""

from __future__ import annotations

import base64
import fcntl
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import numpy as np
import pytest

DATA = Path(__file__).parent / "data"
SCENE = f"{DATA / 'tiny.py'}:Tiny"
NARRATION = tomllib.loads((DATA / "narration" / "tiny.toml").read_text())["beats"]
CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
WIDTH, HEIGHT = 1280, 720


def offline_prefix() -> list[str]:
    """``unshare -n``: a network namespace with no network at all, where the kernel allows it
    (root, as CI runs); the browser's own flags below keep it off the network in any case."""
    if shutil.which("unshare") and subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0:
        return ["unshare", "-n"]
    return []


class Browser:
    """Headless chromium with no network, and the few DevTools calls the tests need."""

    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="gdx-chromium-")
        to_browser, self._w = os.pipe()
        self._r, from_browser = os.pipe()

        def on_fds_3_and_4():  # chromium reads commands on fd 3 and writes replies on fd 4
            a, b = fcntl.fcntl(to_browser, fcntl.F_DUPFD, 10), fcntl.fcntl(from_browser, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)

        cmd = [*offline_prefix(), CHROMIUM, "--headless=new", "--no-sandbox", "--remote-debugging-pipe",
               f"--user-data-dir={self.profile}", "--no-first-run", "--no-default-browser-check", "--mute-audio",
               "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",  # no network
               "--autoplay-policy=no-user-gesture-required", f"--window-size={WIDTH},{HEIGHT}"]
        self.proc = subprocess.Popen(cmd, pass_fds=(3, 4), preexec_fn=on_fds_3_and_4,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser)
        os.close(from_browser)
        self._buffer, self._id, self.events = b"", 0, []

    def _message(self) -> dict:
        while b"\0" not in self._buffer:
            chunk = os.read(self._r, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed its DevTools pipe")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)

    def send(self, method: str, session: str | None = None, **params) -> dict:
        self._id += 1
        message = {"id": self._id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._w, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._message()
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            self.events.append(reply)

    def open(self, url: str) -> Page:
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        page = Page(self, target)
        page.send("Network.enable")
        page.send("Page.navigate", url=url)
        return page

    def requests(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.events if e.get("method") == "Network.requestWillBeSent"]

    def close(self):
        try:
            self.send("Browser.close")
            self.proc.wait(10)
        except Exception:  # already gone, or stuck: make sure it ends
            self.proc.kill()
            self.proc.wait()
        os.close(self._w)
        os.close(self._r)
        shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    def __init__(self, browser: Browser, target: str, width: int = WIDTH, height: int = HEIGHT):
        self.browser, self.target = browser, target
        self.session = browser.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)

    def send(self, method: str, **params) -> dict:
        return self.browser.send(method, self.session, **params)

    def js(self, expression: str):
        reply = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in reply:
            raise RuntimeError(f"{expression}: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def wait_for(self, expression: str, seconds: float = 10.0):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            value = self.js(expression)
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError(f"still false after {seconds} s: {expression}")

    def key(self, key: str, code: str, keycode: int, text: str | None = None) -> None:
        for kind in ("keyDown", "keyUp"):
            extra = {"text": text} if text and kind == "keyDown" else {}
            self.send("Input.dispatchKeyEvent", type=kind, key=key, code=code, windowsVirtualKeyCode=keycode,
                      nativeVirtualKeyCode=keycode, **extra)

    def screenshot(self) -> bytes:
        return base64.b64decode(self.send("Page.captureScreenshot", format="png")["data"])

    def popup(self, seconds: float = 10.0) -> Page:
        """The window this page opened (window.open)."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            for info in self.browser.send("Target.getTargets")["targetInfos"]:
                if info["type"] == "page" and info.get("openerId") == self.target:
                    return Page(self.browser, info["targetId"], 1100, 700)  # the size notes.js asks for
            time.sleep(0.05)
        raise AssertionError("no window was opened")


VIDEO = "Reveal.getCurrentSlide().slideBackgroundContentElement.querySelector('video')"
READY = "typeof Reveal !== 'undefined' && Reveal.isReady()"


def played(page: Page, at: float) -> None:
    """Wait until the current slide's video has played to ``at`` seconds (or ended)."""
    page.wait_for(f"(() => {{ const v = {VIDEO}; return v && v.readyState >= 2 && (v.ended || v.currentTime >= {at}); }})()")


def drawn_pixels(png: bytes) -> tuple[tuple, int]:
    """The picture's background colour (its commonest) and how many pixels clearly differ from it."""
    from PIL import Image

    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3).astype(int)
    colours, counts = np.unique(rgb, axis=0, return_counts=True)
    background = colours[counts.argmax()]
    return tuple(background), int((np.abs(rgb - background).sum(axis=1) > 90).sum())


# ----------------------------------------------------------------------------- tests

needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")


@pytest.fixture(scope="module")
def decks(tmp_path_factory):
    """The Tiny deck three ways: with its assets folder (``gdx slides``), and from the same
    render in one file and voiced."""
    import argparse

    from gdx import cli, slides, voice

    root = tmp_path_factory.mktemp("browser")
    media = root / "media"
    assert cli.main(["--media", str(media), "slides", SCENE, "--out", str(root / "assets"), "--jobs", "1"]) == 0
    made = {"assets": root / "assets" / "Tiny.html"}
    part = slides.Part("TinySlides", next((media / ".gdx" / "slides" / "decks").glob("*/TinySlides.json")).parent)
    made["one-file"] = slides.convert("Tiny", [part], root / "one-file", "html", one_file=True, media=media)
    options = argparse.ArgumentParser()
    voice.add_options(options)
    try:  # the quickest engine, espeak-ng, when it is there
        spoken = voice.from_args(options.parse_args(["--voice"] + (["--voice-engine", "espeak"]
                                                                   if shutil.which("espeak-ng") else [])))
    except voice.VoiceError:
        spoken = None  # no engine installed: the voiced test skips
    if spoken is not None:
        made["voiced"] = slides.convert("Tiny", [part], root / "voiced", "html", voice=spoken, media=media,
                                        progress=lambda line: None)
    return made


@pytest.fixture
def browser():
    b = Browser()
    yield b
    b.close()


@needs_chromium
@pytest.mark.parametrize("kind", ["assets", "one-file"])
def test_deck_plays_offline_and_a_key_moves_on(decks, browser, kind):
    deck = decks[kind]
    page = browser.open(deck.as_uri())
    page.wait_for(READY)
    assert page.js("Reveal.getTotalSlides()") == 2
    assert page.js("Reveal.getSlides().map(s => s.querySelector('aside.notes').textContent)") == \
        [NARRATION["draw"], NARRATION["morph"]]
    played(page, 0.9)  # the first slide's video plays: its circle is drawn by now
    background, drawn = drawn_pixels(page.screenshot())
    assert np.abs(np.array(background) - (0x14, 0x16, 0x1C)).max() <= 3  # the video's own background fills the view
    assert drawn > 800  # and a circle is on it: the frame is not blank
    page.key("ArrowRight", "ArrowRight", 39)
    page.wait_for("Reveal.getIndices().h === 1", 3)
    played(page, 0.3)
    # everything the deck loaded came from the disk or from inside the page
    requests = browser.requests()
    assert requests and all(u.startswith(("file:", "data:")) for u in requests), requests
    if kind == "one-file":
        assert [u for u in requests if u.startswith("file:")] == [deck.as_uri()]


@needs_chromium
def test_voiced_deck_is_heard_and_moves_on_when_its_video_ends(decks, browser):
    if "voiced" not in decks:
        pytest.skip("no voice engine is installed (see gdx doctor)")
    page = browser.open(decks["voiced"].as_uri())
    page.wait_for(READY)
    played(page, 0.2)
    assert page.js(f"{VIDEO}.muted") is False
    assert page.js("Reveal.getIndices().h") == 0
    page.js(f"(() => {{ const v = {VIDEO}; v.currentTime = v.duration - 0.3; }})()")  # skip to its last moment
    page.wait_for("Reveal.getIndices().h === 1", 5)  # no key pressed: the deck moved on by itself


@needs_chromium
def test_speaker_view_shows_the_notes_offline(decks, browser):
    page = browser.open(decks["assets"].as_uri())
    page.wait_for(READY)
    page.key("s", "KeyS", 83, "s")
    speaker = page.popup()
    notes = "(() => { const n = document.querySelector('.speaker-controls-notes .value'); return n && n.textContent; })()"
    assert speaker.wait_for(notes).strip() == NARRATION["draw"]
    page.key("ArrowRight", "ArrowRight", 39)
    speaker.wait_for(f"{notes} && {notes}.trim() === {json.dumps(NARRATION['morph'])}", 5)


# ----------------------------------------------------------------------------- screenshots for the README


def screenshots(deck: Path, out_dir: Path, slide: int = 0) -> list[Path]:
    """``deck.png`` (slide ``slide`` after its video has played) and ``speaker_view.png``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    browser = Browser()
    try:
        page = browser.open(deck.resolve().as_uri())
        page.wait_for(READY)
        page.js(f"Reveal.slide({slide})")
        page.wait_for(f"(() => {{ const v = {VIDEO}; return v && (v.ended || v.paused && v.currentTime > 0); }})()", 120)
        (out_dir / "deck.png").write_bytes(page.screenshot())
        page.key("s", "KeyS", 83, "s")
        speaker = page.popup()
        speaker.wait_for("document.querySelector('.speaker-controls-notes .value') !== null")
        time.sleep(6)  # its two small decks load and play their slides
        (out_dir / "speaker_view.png").write_bytes(speaker.screenshot())
        assert all(u.startswith(("file:", "data:")) for u in browser.requests())
    finally:
        browser.close()
    return [out_dir / "deck.png", out_dir / "speaker_view.png"]


if __name__ == "__main__":
    if CHROMIUM is None:
        sys.exit("chromium is not installed")
    for path in screenshots(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 0):
        print(path)
