"""Burned-in captions are an option (``$GDX_CAPTIONS``, ``gdx ... --captions on|off``): with them
off no caption is made, and every beat starts and ends on the same frame as with them on, at any
frame rate, so the subtitles and the voice, timed from the storyboard, fit either picture."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest
from manim.renderer.cairo_renderer import CairoRenderer

from gdx.catalog import dry_render
from scenes import chapter, common
from scenes.theme import get_theme

# Both caption paths: a chapter's say() (derivatives; limitations also clears its caption itself)
# and an optimizer scene's Captions (the learning rate).
PARTS = ["scenes.parts.derivatives.DerivativesChapter", "scenes.parts.limitations.LimitationsChapter",
         "scenes.parts.learning_rate.LearningRate"]


def _run(path: str, captions: str, fps: int, monkeypatch) -> tuple[list, int, float]:
    """(beat marks, captions made, video length) of ``path`` rendered at ``fps`` with nothing drawn
    (the frame clock is a real render's: waits frozen or played as manim would)."""
    monkeypatch.setenv("GDX_CAPTIONS", captions)
    monkeypatch.setattr(CairoRenderer, "update_frame", lambda self, *a, **k: None)
    common.caption_band_height(get_theme())  # measured once (with two captions made off screen), before counting
    made = []
    for owner, name in ((chapter.Chapter, "make_caption"), (common.Captions, "make")):
        original = getattr(owner, name)
        monkeypatch.setattr(owner, name, lambda self, *a, _o=original, **k: made.append(1) or _o(self, *a, **k))
    module, name = path.rsplit(".", 1)
    scene, marks = dry_render(getattr(importlib.import_module(module), name), frame_rate=fps)
    return [(n, round(t, 9)) for n, t in marks], len(made), scene.renderer.time


@pytest.mark.parametrize("fps", [15, 60])
@pytest.mark.parametrize("path", PARTS, ids=lambda p: p.rsplit(".", 1)[-1])
def test_captions_off_keep_every_frame_of_every_beat_and_make_none(path, fps, monkeypatch):
    on_marks, on_made, on_length = _run(path, "on", fps, monkeypatch)
    off_marks, off_made, off_length = _run(path, "off", fps, monkeypatch)
    assert on_made > 0 and off_made == 0
    assert off_marks == on_marks
    assert off_length == pytest.approx(on_length, abs=1e-9)


def test_a_bad_captions_value_is_one_line_and_exit_2(tmp_path):
    env = {"GDX_CAPTIONS": "maybe", "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-m", "manim", "render", "--dry_run", "--media_dir", str(tmp_path),
                           "scenes/parts/derivatives.py", "DerivativesChapter"], capture_output=True, text=True,
                          env=env, timeout=300)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if "GDX_CAPTIONS" in line]
    assert lines == ["gdx captions error: GDX_CAPTIONS='maybe' is not a choice; accepted: on, off"]
