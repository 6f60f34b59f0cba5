"""Dry runs shared by the scene tests: each part renders once per session, on first use.

``chapter_run[name]``: a chapter's scene after a dry run in which every play jumps to its end
(no frames drawn), with the layout audit on and the overlays pinned to the frame watched.
``landscapes``, ``race``, ``race_rastrigin``, ``momentum``: ``(scene, section names)`` of those
parts under a config with a coarse mesh (``gdx.catalog.dry_render``).
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MEDIA = ROOT / "media" / "tests_chapters"
CACHE = ROOT / ".pytest_cache" / "gdx-media"
CHAPTER_SCENES = {
    "hook": "HookChapter", "derivatives": "DerivativesChapter", "gradient": "GradientChapter",
    "update_rule": "UpdateRuleChapter", "stochastic": "StochasticChapter", "adaptive": "AdaptiveChapter",
    "backprop": "BackpropChapter", "limitations": "LimitationsChapter",
}


def _overlay_label(mob) -> str:
    """The text of an overlay's Text/MathTex parts, for messages."""
    parts = [getattr(m, "tex_string", None) or getattr(m, "text", None) for m in mob.get_family()]
    return " ".join(p for p in parts if p) or type(mob).__name__


def _watch_overlays(scene) -> None:
    """Before each play, compare the overlays pinned to the frame with what is on screen.

    Fills ``scene.overlay_log``: ``(kind, beat, label)`` per animation of a pinned overlay.
    ``early``: an animation that shows it (an introducer: FadeIn, Write, Create...) while
    some of it is already in the scene, so it was on screen before its animation.
    ``unseen``: an animation that changes or removes it (Transform, FadeOut...) while
    some of it is not in the scene, so it was never shown. ``shown``: a clean introduction.
    Only 3D scenes pin overlays (a 2D scene logs nothing).
    """
    from manim import Animation, ThreeDScene

    scene.overlay_log = []
    if not isinstance(scene, ThreeDScene):
        return
    play = scene.play

    def watched_play(*args, **kwargs):
        fixed = scene.renderer.camera.fixed_in_frame_mobjects
        on_screen = set(scene.get_mobject_family_members())
        chapter = getattr(scene, "chapter", None)
        beat = chapter.current_beat if chapter is not None else ""
        for anim in args:
            mob = getattr(anim, "mobject", None) if isinstance(anim, Animation) else None
            parts = mob.family_members_with_points() if mob is not None else []
            if not parts or not all(m in fixed for m in parts):
                continue  # not an overlay
            present = [m in on_screen for m in parts]
            if anim.is_introducer():
                kind = "early" if any(present) else "shown"
            else:
                kind = "unseen" if not all(present) else "changed"
            scene.overlay_log.append((kind, beat, _overlay_label(mob)))
        return play(*args, **kwargs)

    scene.play = watched_play


class _ChapterRuns(dict):
    """Chapter name -> its scene after a dry run, rendered on first use (so ``-k`` stays cheap)."""

    def __missing__(self, name):
        from manim import tempconfig

        from scenes.chapter import Chapter

        scene_cls = getattr(importlib.import_module(f"scenes.parts.{name}"), CHAPTER_SCENES[name])
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(Chapter, "audit", True)
            with tempconfig({"dry_run": True, "quality": "low_quality", "media_dir": str(MEDIA),
                             "disable_caching": True, "verbosity": "WARNING", "progress_bar": "none"}):
                # Skip frame rendering: every play still runs once, at its end state, and the
                # scene clock advances by its run time (dry_run alone would still draw frames).
                scene = scene_cls(skip_animations=True)
                _watch_overlays(scene)
                scene.render()
        self[name] = scene
        return scene


@pytest.fixture(scope="session")
def chapter_run():
    return _ChapterRuns()


FAST_MESH = """
[landscapes]
mesh_resolution = 10
[race]
mesh_resolution = 10
[race_rastrigin]
mesh_resolution = 10
"""


@pytest.fixture(scope="session")
def fast_config(tmp_path_factory):
    path = tmp_path_factory.mktemp("gdx") / "fast.toml"
    path.write_text(FAST_MESH)
    return path


def dry_part(scene_cls, config_path, theme: str | None = None):
    """A dry run in which every play jumps to its end (``gdx.catalog.dry_render``; nothing
    drawn); returns the scene and its section names. ``exact_duration``: the planned length."""
    from gdx.catalog import dry_render

    saved = {k: os.environ.get(k) for k in ("GDX_CONFIG", "GDX_THEME")}
    os.environ["GDX_CONFIG"] = str(config_path)
    os.environ.pop("GDX_THEME", None)
    if theme:
        os.environ["GDX_THEME"] = theme
    try:
        scene, marks = dry_render(scene_cls, media_dir=CACHE, jump=True)
        scene.exact_duration = scene.renderer.time
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return scene, [name for name, _ in marks]


@pytest.fixture(scope="session")
def landscapes(fast_config):
    from scenes.parts.landscapes import Landscapes

    return dry_part(Landscapes, fast_config)


@pytest.fixture(scope="session")
def race(fast_config):
    from scenes.parts.race import OptimizerRace

    return dry_part(OptimizerRace, fast_config)


@pytest.fixture(scope="session")
def race_rastrigin(fast_config):
    from scenes.parts.race import OptimizerRaceRastrigin

    return dry_part(OptimizerRaceRastrigin, fast_config)


@pytest.fixture(scope="session")
def momentum(fast_config):
    from scenes.parts.momentum import MomentumCloseUp

    return dry_part(MomentumCloseUp, fast_config, theme="light")
