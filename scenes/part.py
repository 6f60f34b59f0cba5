"""The part framework: what every part of the video shares, whatever it is built on.

A *part* is a Scene class that renders on its own (``manim FILE Class``) and that the explainer
plays on its host scene (:func:`scenes.explainer.play_part`). It plays named *beats* in order;
each beat starts a manim section and a storyboard entry (:class:`scenes.story.Story`) whose
words are filled from the facts the beat states.

The explainer plays a shorter *cut* of each part, given as data (a :class:`Cut` per part, in
``scenes.explainer.CUTS``): which beats it plays and how fast each beat runs. A part's code says
what a beat shows at its full length; in the cut every play and wait of beat ``b`` runs
``pace[b]`` times as long (:meth:`Part.play`). Content that differs in the cut (fewer worked
steps) is an option the cut sets (:meth:`Part.option`). When a hosted
part's last beat leaves anything on screen, :func:`scenes.explainer.play_part` fades it out: the
next part starts on an empty scene. Rendered alone, a part is its full version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType, SimpleNamespace
from typing import Mapping

from manim.animation.animation import prepare_animation
from manim.renderer.cairo_renderer import CairoRenderer
from manim.scene.scene_file_writer import SceneFileWriter, _PartialMovieEncodeJob
from manim.utils import hashing

from .encoding import ENCODING, encode_with_project_options, frames_from_pool, reuse_freed_memory
from .meshpaint import paint_meshes
from .story import Story, write_if_asked

encode_with_project_options(SceneFileWriter, _PartialMovieEncodeJob)  # every scene imports this module
frames_from_pool(CairoRenderer)
reuse_freed_memory()


@dataclass(frozen=True)
class Cut:
    """The explainer's cut of one part: the ``beats`` it plays, in order (``None``: every beat);
    ``pace``, beat -> the share of the beat's full run times it plays at (1 when absent); and
    ``options``, name -> the value the cut uses for one of the part's counts or optional pieces
    (how many steps it works out, whether it turns the camera), read with :meth:`Part.option`.
    ``beats`` can leave out beats of a chapter; an optimizer scene plays all of its own."""

    beats: tuple[str, ...] | None = None
    pace: Mapping[str, float] = field(default_factory=dict)
    options: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self):
        bad = {b: p for b, p in self.pace.items() if not 0 < p <= 1}
        if bad:
            raise ValueError(f"a cut's pace must be in (0, 1]: {bad}")
        object.__setattr__(self, "pace", MappingProxyType(dict(self.pace)))
        object.__setattr__(self, "options", MappingProxyType(dict(self.options)))

    def option(self, name: str, full):
        """The cut's value of option ``name``; ``full``, the full version's, when it sets none."""
        return self.options.get(name, full)

    def beats_of(self, every: tuple[str, ...]) -> tuple[str, ...]:
        """The beats this cut plays of a part whose beats are ``every``."""
        if self.beats is None:
            return tuple(every)
        unknown = [b for b in self.beats if b not in every]
        if unknown:
            raise ValueError(f"the cut names beats {unknown} that the part does not have; it has {list(every)}")
        return tuple(self.beats)


RESULT_SECONDS = 3.0  # a result stays readable this long, in any cut

# The lowest frame rate of manim's qualities (-ql); -qm's 30 and -qh/-qp/-qk's 60 are multiples of it.
BASE_FRAME_RATE = 15


class FrameExact:
    """Mixin of every scene of the project: each play lasts a whole number of frames at
    :data:`BASE_FRAME_RATE`, so a video's length does not depend on its quality.

    manim writes ``len(arange(0, d, 1/fps))`` = ceil(d·fps) frames for a play of ``d`` seconds:
    each play gains up to a frame at 15 fps and a quarter of that at 60 (a chapter was 32.60 s
    at 480p15, 32.15 s at 1080p60). Here each play's animations are stretched or shrunk (by
    less than half a frame) to end on a frame at 15 fps, the rounding carried to the next play
    so the scene's length stays within a frame of its plan; a play of k/15 s then has exactly
    k·fps/15 frames at 15, 30 and 60 fps.

    Its camera also names the project's encoder settings (:mod:`scenes.encoding`), which
    manim's play cache hashes with the camera, and a 3D camera paints meshes in one pass
    (:mod:`scenes.meshpaint`: the same pixels, in 0.3 to 0.4 of the time)."""

    _frame_debt = 0.0  # planned frames not yet played (at the base rate), carried to the next play

    def setup(self):
        super().setup()
        self.renderer.camera.encoding = ENCODING
        paint_meshes(self.renderer.camera)

    def compile_animation_data(self, *animations, **play_kwargs):
        compiled = super().compile_animation_data(*animations, **play_kwargs)
        planned = self.duration * BASE_FRAME_RATE + self._frame_debt
        frames = max(1, round(planned))
        # (a play under a frame still takes one: never carry more than half a frame to the next)
        self._frame_debt = min(0.5, max(-0.5, planned - frames))
        seconds = frames / BASE_FRAME_RATE
        for animation in self.animations:  # all by one factor: their relative timing is kept
            animation.run_time = seconds if animation.run_time == self.duration else \
                animation.run_time * seconds / self.duration
        # A frozen wait writes floor(d·fps) frames (CairoRenderer.freeze_current_frame): a hair over k/15.
        self.duration = seconds + (1e-7 if self.is_current_animation_frozen_frame() else 0.0)
        return compiled

    def get_time_progression(self, run_time, *args, **kwargs):
        """The frame times of a play: k·fps/15 of them for a play of k/15 s (a hair under k/15
        keeps float noise from adding a frame to ``arange``); a skipped play still jumps to its end."""
        skipping = self.renderer.skip_animations and not kwargs.get("override_skip_animations")
        return super().get_time_progression(run_time if skipping else run_time - 1e-7, *args, **kwargs)


class Part(FrameExact):
    """Mixin of every part's Scene class: its storyboard, its beats and the explainer's cut.

    ``cut_plan`` is the :class:`Cut` the explainer plays (``None``: the full part).
    ``hosted`` is set when another scene plays this one; the host then writes the storyboard.
    """

    BEATS: tuple[str, ...] = ()  # every beat the part can play, in order (a chapter's are on the chapter)
    cut_plan: Cut | None = None
    hosted = False

    @property
    def cut(self) -> bool:
        """Whether this is the explainer's cut."""
        return self.cut_plan is not None

    @property
    def story(self) -> Story:
        """This part's storyboard; its words come from ``assets/narration/<module>.toml``."""
        if "_story" not in self.__dict__:
            self._story = Story(type(self).__module__.rsplit(".", 1)[-1])
        return self._story

    def option(self, name: str, full):
        """A count or optional piece the explainer's cut may set (``Cut.options``); ``full`` outside a cut."""
        return full if self.cut_plan is None else self.cut_plan.option(name, full)

    def say(self, index: int = 0, **facts) -> str:
        """The current beat's caption ``index`` (its ``[captions]`` line), filled from the facts."""
        return self.story.caption(index, **facts)

    def begin_beat(self, name: str, **facts) -> None:
        """Start beat ``name``: a manim section and a storyboard entry; ``facts`` fill its words.

        A beat must be one of ``BEATS``, after the beats already played (some may be left out)."""
        if name not in self.BEATS:
            raise ValueError(f"{type(self).__name__} plays beat {name!r}, which its BEATS {self.BEATS} do not declare")
        played = [b["name"] for b in self.story.beats]
        if played and self.BEATS.index(name) <= self.BEATS.index(played[-1]):
            raise ValueError(f"{type(self).__name__} plays beat {name!r} after {played[-1]!r}; BEATS order: {self.BEATS}")
        self.next_section(name)
        self.story.begin(name, self.renderer.time, **facts)

    def beat_pace(self) -> float:
        """The share of its full run times the current beat plays at (1 outside a cut)."""
        story = self.__dict__.get("_story")
        if self.cut_plan is None or story is None or not story.beats:
            return 1.0
        return self.cut_plan.pace.get(story.beats[-1]["name"], 1.0)

    def play(self, *args, **kwargs):
        """manim's play, at the current beat's pace in a cut (every wait is a play too)."""
        pace = self.beat_pace()
        if pace != 1.0:
            if "run_time" in kwargs:
                kwargs["run_time"] *= pace
            else:
                args = [prepare_animation(a) for a in args]
                for anim in args:
                    anim.run_time *= pace
        return super().play(*args, **kwargs)

    def hold(self, seconds: float) -> None:
        """Wait ``seconds`` while a result (a verdict, a scoreboard, a run's numbers) is on screen:
        a cut's pace shortens the wait, but never below ``RESULT_SECONDS`` (or ``seconds``)."""
        pace = self.beat_pace()
        self.wait(max(seconds * pace, min(seconds, RESULT_SECONDS)) / pace)  # play scales it by pace

    def fade_out_all(self, run_time: float = 0.6) -> None:
        """Fade out what is on screen and leave the scene empty (nothing pinned to the frame):
        the end of a chapter, and of a hosted part, so that the next one starts clean."""
        from manim import ValueTracker

        from .animations import FadeOut

        shown = [m for m in self.mobjects if not isinstance(m, ValueTracker)]
        if shown:
            self.play(*[FadeOut(m) for m in shown], run_time=run_time)
        self.remove(*self.mobjects)
        fixed = getattr(self.renderer.camera, "fixed_in_frame_mobjects", None)
        if fixed is not None:
            fixed.clear()
        if getattr(self, "captions", None) is not None:
            self.captions.current = None

    def setup(self):
        super().setup()
        from .common import body_shift, captions_on

        # (an explainer's host lowers the body for each part it plays: scenes.explainer.play_part)
        lower_body(self.renderer.camera, 0.0 if captions_on() else body_shift(), self)

    def tear_down(self):
        super().tear_down()
        if not self.hosted:
            write_if_asked(self.story, self.renderer.time)


def lower_body(camera, shift: float, scene=None) -> None:
    """Draw everything but the titles of ``scene`` ``shift`` units lower, from now on (0: as laid out).

    Parts lay out their picture above the caption band; with captions off that band is free,
    and the body of the picture (plots, surfaces, formulas, readouts) moves down into half of it,
    while the title stays at the top. It is a step of the camera's projection, after 3D
    (:meth:`transform_points_pre_display`), so depth and occlusion are as laid out; mobjects
    tagged ``"title"`` or ``"heading"`` (what sits on or under a title's line: a surface's
    formula) and frame-sized snapshots (``"frame"``, which hold what this camera drew, already
    lowered) are drawn where they are. The camera becomes a :class:`_LowersBody` of its class."""
    if shift and scene is None:
        raise ValueError("lower_body: a shift needs the scene whose titles stay where they are")
    if not hasattr(camera, "capture_mobjects"):  # (manim's OpenGL camera, which no part renders with)
        return
    if not shift and not isinstance(camera, _LowersBody):  # (captions on: the drawing path stays manim's own)
        return
    kind = type(camera)
    if not issubclass(kind, _LowersBody):
        camera.__class__ = _LOWERED.setdefault(kind, type(f"BodyLowering{kind.__name__}", (_LowersBody, kind), {}))
    camera.body_shift = float(shift)
    camera._gdx_body = SimpleNamespace(scene=scene, unshifted=set())


class _LowersBody:
    """A camera that draws the body of the picture ``body_shift`` lower (:func:`lower_body`)."""

    body_shift = 0.0

    def transform_points_pre_display(self, mobject, points):
        points = super().transform_points_pre_display(mobject, points)
        if self.body_shift and not self.keeps_in_place(mobject):
            points = points - (0.0, self.body_shift, 0.0)
        return points

    def keeps_in_place(self, mobject) -> bool:
        """Whether ``mobject`` is drawn where it is laid out (a title, heading or frame; or any
        mobject while there is no shift)."""
        return not self.body_shift or id(mobject) in self._gdx_body.unshifted

    def capture_mobjects(self, mobjects, **kwargs):
        mobjects = list(mobjects)
        state = self._gdx_body
        # (manim hands the camera the families flattened: the tags are on the scene's mobjects)
        state.unshifted = _titles_and_frames([*state.scene.mobjects, *mobjects]) if self.body_shift else set()
        return super().capture_mobjects(mobjects, **kwargs)


_LOWERED: dict[type, type] = {}
# manim's play cache hashes the camera's attributes: the shift changes the picture, so it is hashed;
# the scene and the ids of the frame before are state, not the picture.
hashing.KEYS_TO_FILTER_OUT.add("_gdx_body")


def _titles_and_frames(mobjects) -> set[int]:
    """The ids of every mobject in the family of one tagged ``"title"``, ``"heading"`` or
    ``"frame"`` among ``mobjects`` and their families (each mobject looked at once)."""
    ids, seen, stack = set(), set(), list(mobjects)
    while stack:
        mob = stack.pop()
        if id(mob) in seen:
            continue
        seen.add(id(mob))
        if getattr(mob, "role", None) in ("title", "heading", "frame"):
            ids.update(id(m) for m in mob.get_family())
        else:
            stack.extend(mob.submobjects)
    return ids


__all__ = ["Cut", "Part", "lower_body"]


def visible_opacity(mobject) -> float:
    """The largest fill or stroke opacity among the parts of ``mobject`` that draw something."""
    best = 0.0
    for m in mobject.get_family():
        if not m.has_points():
            continue
        if m.get_fill_opacities().size:
            best = max(best, float(m.get_fill_opacity()))
        if m.get_stroke_opacities().size and m.get_stroke_width() > 0:
            best = max(best, float(m.get_stroke_opacity()))
    return best


def doubled_roles(scene, threshold: float = 0.05, roles=("caption", "title")) -> dict:
    """Roles (``"caption"``, ``"title"``: :func:`scenes.mobjects.text.tagged`) that more than one
    mobject on ``scene`` shows at once with an opacity above ``threshold``: role -> the mobjects.
    The transition grammar is that this is always empty: what leaves is gone before what
    comes in shows."""
    seen: dict = {}
    for m in scene.get_mobject_family_members():
        role = getattr(m, "role", None)
        if role in roles and visible_opacity(m) > threshold:
            seen.setdefault(role, []).append(m)
    return {role: mobs for role, mobs in seen.items() if len(mobs) > 1}
