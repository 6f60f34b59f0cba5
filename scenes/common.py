"""What every scene class shares: theme set-up, captions, 3D overlay helpers."""

from __future__ import annotations

import os
import sys

import numpy as np
from manim import DOWN, Scene, ThreeDScene, Wait, config, rush_from, rush_into
from scenes.animations import FadeIn, fade_swap

from .mobjects.occlusion import camera_rotation
from .part import Part
from .story import CAPTION_CHOICES, ENV_CAPTIONS
from .mobjects.text import flat, tagged, text
from .theme import FONT_BODY, MARGIN, Theme, ThemeError, get_theme


def theme_or_exit() -> Theme:
    """The theme from ``$GDX_THEME``; a bad name ends a CLI run with one line on stderr and
    exit status 2."""
    try:
        return get_theme()
    except ThemeError as exc:
        print(f"gdx theme error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def captions_on() -> bool:
    """Whether captions are burned into the picture: ``$GDX_CAPTIONS`` (``on``, the default for
    the plain manim CLI, or ``off``; ``gdx render`` sets ``off`` since its .srt/.vtt carry the
    words, ``gdx stills`` and ``gdx slides`` set ``on``). A bad value ends a CLI run with one
    line on stderr and exit status 2."""
    value = os.environ.get(ENV_CAPTIONS, "").strip().lower() or "on"
    if value not in CAPTION_CHOICES:
        print(f"gdx captions error: {ENV_CAPTIONS}={os.environ[ENV_CAPTIONS]!r} is not a choice; accepted: "
              f"{', '.join(CAPTION_CHOICES)}", file=sys.stderr)
        raise SystemExit(2)
    return value == "on"


_BANDS: dict[str, float] = {}


def caption_band_height(theme: Theme) -> float:
    """How far up from the frame's bottom captions may reach, in scene units: the top of the
    tallest caption either caption maker makes (two lines of the tallest and deepest glyphs, in
    the theme's font), plus the margin above it (a caption rises into it as it fades in)."""
    if theme.name not in _BANDS:
        from types import MethodType, SimpleNamespace

        from .chapter import Chapter

        words = "ÀÉgjy|\nÀÉgjy|"
        parts = Captions(None, theme).make(words)  # a part's captions
        stub = SimpleNamespace(theme=theme)
        stub.text = MethodType(Chapter.text, stub)
        chapters = Chapter.make_caption(stub, words)  # a concept chapter's (scenes.chapter)
        _BANDS[theme.name] = max(parts.get_top()[1], chapters.get_top()[1]) + MARGIN + config.frame_height / 2
    return _BANDS[theme.name]


def body_shift() -> float:
    """How far a part's body moves down with captions off (:func:`scenes.part.lower_body`): half
    of the caption band above the frame's bottom margin, so the picture's body stays inside the
    margin and the free space is shared between above and below it."""
    return (caption_band_height(theme_or_exit()) - MARGIN) / 2


class Captions:
    """Running text at the bottom of the frame: at most two lines, one caption at a time.
    With captions off (:func:`captions_on`) nothing is drawn and the swaps take the same time."""

    max_lines = 2

    def __init__(self, scene, theme: Theme, font_size: int = FONT_BODY, fixed: bool = False):
        self.scene, self.theme, self.font_size, self.fixed = scene, theme, font_size, fixed
        self.current = None
        self.burned_in = captions_on()

    def make(self, words: str):
        lines = words.split("\n")
        if len(lines) > self.max_lines:
            raise ValueError(f"caption has {len(lines)} lines; at most {self.max_lines} are accepted: {words!r}")
        caption = flat(text(words, self.theme, self.font_size, line_spacing=0.8))
        caption.words = words
        tagged(caption, "caption")
        caption.to_edge(DOWN, buff=MARGIN)
        if caption.width > config.frame_width - 2 * MARGIN:
            caption.scale_to_fit_width(config.frame_width - 2 * MARGIN)
        if self.fixed:
            self.scene.renderer.camera.add_fixed_in_frame_mobjects(caption)
        return caption

    def show(self, words: str | None, run_time: float = 0.6) -> list:
        """Animations that replace the current caption by ``words`` (None clears it)."""
        old = self.current
        if not self.burned_in:
            self.current = None if words is None else words  # (what a burned-in caption would show)
            # (played, not frozen: a frozen wait alone in a play is rounded to fewer frames than a fade)
            return [Wait(run_time=run_time, frozen_frame=False)] if old is not None or words is not None else []
        self.current = None if words is None else self.make(words)
        # The old caption is gone by 40 % of the play (before whatever else comes in it shows).
        return fade_swap(old, self.current, run_time=run_time) if old is not None else (
            [FadeIn(self.current, run_time=run_time)] if self.current is not None else [])


class _Timed:
    """Adds up the run time of every play (``planned_time``): the scene's length at any
    frame rate (a dry run at a low frame rate rounds each play up to whole frames)."""

    planned_time = 0.0

    def play(self, *args, **kwargs):
        timing = {k: v for k, v in kwargs.items() if k in ("run_time", "rate_func", "lag_ratio")}
        self.planned_time += self.get_run_time(self.compile_animations(*args, **timing))
        return super().play(*args, **kwargs)


class ThemedScene(Part, _Timed, Scene):
    """A 2D scene with the theme applied (background) and captions."""

    def setup(self):
        super().setup()
        self.theme = theme_or_exit()
        self.camera.background_color = self.theme.background
        self.captions = Captions(self, self.theme)


class ThemedThreeDScene(Part, _Timed, ThreeDScene):
    """A 3D scene with the theme applied; overlays are fixed in the frame."""

    def setup(self):
        super().setup()
        self.theme = theme_or_exit()
        self.camera.background_color = self.theme.background
        self.captions = Captions(self, self.theme, fixed=True)

    def fix(self, *mobjects):
        """Register overlays as fixed in the frame (without adding them: animate them in)."""
        self.renderer.camera.add_fixed_in_frame_mobjects(*mobjects)
        return mobjects[0] if len(mobjects) == 1 else mobjects

    def keep_fixed(self, *mobjects):
        """Overlays whose submobjects are rebuilt while they change (numbers): re-register
        their family as fixed in the frame every frame. Add after :func:`drive`."""
        camera = self.renderer.camera
        for mob in mobjects:
            camera.add_fixed_in_frame_mobjects(mob)
            mob.add_updater(lambda m: camera.add_fixed_in_frame_mobjects(m))
        return mobjects

    def move_camera_in_two(self, first_time: float, second_time: float, first_anims=(), second_anims=(),
                           **angles):
        """One camera move (``phi``/``theta`` in radians) played as two plays, without a
        change of speed between them (``rush_into`` then ``rush_from``, the angles split in
        proportion to the times). Animations that touch every mesh face (a fade) go in the
        short first part; in the second only the camera moves, which costs half as much.
        """
        camera = self.renderer.camera
        start = {"phi": camera.get_phi(), "theta": camera.get_theta()}
        share = first_time / (first_time + second_time)
        middle = {key: start[key] + share * (value - start[key]) for key, value in angles.items()}
        self.move_camera(**middle, run_time=first_time, rate_func=rush_into, added_anims=list(first_anims))
        if callable(second_anims):
            second_anims = second_anims()
        self.move_camera(**angles, run_time=second_time, rate_func=rush_from, added_anims=list(second_anims))

    def face_camera(self, *mobjects):
        """Keep flat markers facing the camera (their centres still move in 3D)."""
        self.renderer.camera.add_fixed_orientation_mobjects(*mobjects)
        return mobjects


def world_point_at(screen_xy, phi: float, theta: float) -> np.ndarray:
    """The scene point at camera depth 0 that a ThreeDCamera (frame centre at the origin)
    shows at screen position ``screen_xy``.

    We move 3D content instead of the camera's ``frame_center``: manim subtracts the
    frame centre from fixed-in-frame overlays too, so moving it would drag the titles.
    """
    rot = camera_rotation(phi, theta)
    sx, sy = screen_xy
    return sx * rot[0] + sy * rot[1]


def place_view(view, point, screen_xy, phi: float, theta: float) -> np.ndarray:
    """Shift ``view``'s axes so that the scene point ``point`` of the view appears at
    ``screen_xy`` for the camera angles; returns the shift. Build meshes after this."""
    delta = world_point_at(screen_xy, phi, theta) - np.asarray(point, float)
    view.axes.shift(delta)
    return delta


__all__ = ["theme_or_exit", "Captions", "ThemedScene", "ThemedThreeDScene", "world_point_at", "place_view"]
