"""With captions off, a part's body moves down into the band the captions leave free
(``scenes.part.lower_body``): titles, headings and frame snapshots stay where they are, the body
moves by ``scenes.common.body_shift()`` in 2D and 3D alike, and no part then draws inside the
frame's bottom margin (checked on every frame a dry run draws of a 2D and a 3D part; four parts,
HookChapter and LimitationsChapter too, were checked when the shift was chosen)."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
from manim import ORIGIN, UP, Dot, Scene, Square, Text, ThreeDScene, config, tempconfig
from manim.renderer.cairo_renderer import CairoRenderer

from gdx.catalog import dry_render
from scenes.common import body_shift
from scenes.mobjects.text import tagged
from scenes.part import Part
from scenes.stage import snapshot
from scenes.theme import MARGIN

CONFIG = {"dry_run": True, "quality": "low_quality", "disable_caching": True, "verbosity": "WARNING",
          "progress_bar": "none"}


class Probe(Part, Scene):
    """A title at the top, a heading under it and a dot at the centre."""

    hosted = True  # (no storyboard to write)

    def construct(self):
        self.add(tagged(Text("Title").to_edge(UP), "title"), tagged(Square(0.4).move_to(2.2 * UP), "heading"),
                 Dot(ORIGIN, radius=0.3))
        self.wait(0.2)


class SnapshotProbe(Part, ThreeDScene):
    """A 3D scene: a dot painted into a frame snapshot, and the same dot drawn live beside it."""

    hosted = True

    def construct(self):
        self.set_camera_orientation(phi=60 * np.pi / 180, theta=-90 * np.pi / 180)  # (x across the screen)
        painted = Dot([-2, 0, 0], radius=0.3)
        self.add(snapshot(self, painted), Dot([2, 0, 0], radius=0.3))
        self.wait(0.2)


def rows_of_content(pixels: np.ndarray, columns: slice = slice(None)) -> np.ndarray:
    """The rows in which anything is drawn, over the background (the top-left pixel)."""
    grey = pixels[..., :3].astype(int)
    return np.where((np.abs(grey - grey[0, 0]) > 40).any(axis=2)[:, columns].any(axis=1))[0]


def last_frame(scene_class, captions: str, monkeypatch) -> np.ndarray:
    monkeypatch.setenv("GDX_CAPTIONS", captions)
    with tempconfig(CONFIG):
        scene = scene_class()
        scene.render()
        return scene.renderer.camera.pixel_array.copy()


def test_the_body_moves_down_by_the_shift_and_the_title_and_heading_stay(monkeypatch):
    on, off = last_frame(Probe, "on", monkeypatch), last_frame(Probe, "off", monkeypatch)
    with tempconfig(CONFIG):
        px_per_unit = config.pixel_height / config.frame_height
        middle = slice(config.pixel_width // 2 - 20, config.pixel_width // 2 + 20)
        top = slice(0, int(config.pixel_height * 0.35))  # the title and the heading
    shift = body_shift()
    assert shift > 0.3  # half of a two-line caption's band, at least
    dot_on, dot_off = rows_of_content(on[top.stop:], middle), rows_of_content(off[top.stop:], middle)
    assert dot_off.mean() - dot_on.mean() == pytest.approx(shift * px_per_unit, abs=1.0)
    assert np.array_equal(on[top], off[top])  # the title and the heading drawn where they were


def test_in_3d_the_body_moves_by_the_shift_and_a_frame_snapshot_is_not_moved_twice(monkeypatch):
    """The snapshot holds what the camera drew, already lowered: painted and live dots on one row,
    that row lower than with captions on by the shift."""
    rows = {}
    for captions in ("on", "off"):
        frame = last_frame(SnapshotProbe, captions, monkeypatch)
        half = frame.shape[1] // 2
        painted, live = rows_of_content(frame[:, :half]), rows_of_content(frame[:, half:])
        assert len(painted) and len(live)
        assert abs(painted.mean() - live.mean()) <= 1.0, captions
        rows[captions] = live.mean()
    with tempconfig(CONFIG):
        px_per_unit = config.pixel_height / config.frame_height
    assert rows["off"] - rows["on"] == pytest.approx(body_shift() * px_per_unit, abs=1.0)


def test_the_explainer_draws_its_title_cards_where_they_are_laid_out():
    """A part lowers the host's body; the host puts it back for the next title card."""
    from scenes.explainer import reset_camera
    from scenes.part import lower_body

    def dot_rows(host):
        camera = host.renderer.camera
        camera.reset()
        camera.capture_mobjects([Dot(ORIGIN, radius=0.3)])
        return rows_of_content(camera.pixel_array).mean()

    with tempconfig(CONFIG):
        host = ThreeDScene()
        laid_out = dot_rows(host)
        lower_body(host.renderer.camera, 0.8, host)
        assert dot_rows(host) - laid_out == pytest.approx(0.8 * config.pixel_height / config.frame_height, abs=1.0)
        reset_camera(host)
        assert dot_rows(host) == laid_out


# A 2D chapter whose formula column reaches lowest, and a 3D part (mesh snapshot, heading, trails).
@pytest.mark.parametrize("path", ["scenes.parts.derivatives.DerivativesChapter", "scenes.parts.race.OptimizerRace"],
                         ids=lambda p: p.rsplit(".", 1)[-1])
def test_with_captions_off_no_part_draws_in_the_bottom_margin(path, monkeypatch):
    monkeypatch.setenv("GDX_CAPTIONS", "off")
    lowest = []
    adding = CairoRenderer.add_frame

    def add_frame(self, frame, num_frames=1):
        rows = rows_of_content(frame)
        if len(rows):
            lowest.append((frame.shape[0] - 1 - rows.max(), self.time))
        return adding(self, frame, num_frames)

    monkeypatch.setattr(CairoRenderer, "add_frame", add_frame)
    module, name = path.rsplit(".", 1)
    dry_render(getattr(importlib.import_module(module), name), frame_rate=1)
    with tempconfig({"quality": "low_quality"}):
        margin_px = MARGIN * config.pixel_height / config.frame_height
    assert len(lowest) > 20
    gap, when = min(lowest)
    assert gap >= margin_px - 1, f"content {gap} px from the bottom at {when:.1f} s (margin {margin_px:.0f} px)"


def test_the_play_cache_tells_a_lowered_body_apart_and_ignores_the_state_behind_it():
    from manim import Circle, FadeIn
    from manim.utils.hashing import get_hash_from_play_call

    from scenes.part import lower_body

    with tempconfig(CONFIG):
        scene, other = Scene(), Scene()
        camera, anim = scene.renderer.camera, [FadeIn(Circle())]

        def camera_hash():
            return get_hash_from_play_call(scene, camera, anim, []).split("_")[0]

        plain = camera_hash()
        lower_body(camera, 0.8, other)
        lowered = camera_hash()
        camera._gdx_body.unshifted = {1, 2, 3}
        assert camera_hash() == lowered != plain
        lower_body(camera, 0.0, scene)
        assert camera_hash() != lowered
