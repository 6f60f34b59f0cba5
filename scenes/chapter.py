"""The chapter base: a chapter is an object that owns its mobjects and plays its named beats
on a scene it is given.

Every chapter declares ``BEATS`` in code, in order (a method per beat) and plays them with
:meth:`Chapter.play_all` (or :meth:`Chapter.play_on`, which builds the chapter first); what each
beat showed last is kept for tests (``frames``). The thin ``Scene`` classes in each chapter module (each a
:class:`scenes.part.Part`) only build one and call its beats, so a longer video can play several
chapters on one scene (``Chapter.play_on``). Captions are the ``[captions]`` lines of the
chapter's narration file (:meth:`Chapter.say`), filled from the facts.

The explainer plays a shorter *cut* of a chapter (:class:`scenes.part.Cut`, the data in
``scenes.explainer.CUTS``): the chapter's Scene is a :class:`scenes.part.Part`, and the chapter
plays the beats of the scene's ``cut_plan`` at their pace. A skipped beat starts no section.
Without a cut (a chapter rendered alone) every beat of ``BEATS`` plays at its full length.

Everything here is presentation: numbers come in from ``mathcore``; nothing is derived here.
"""

from __future__ import annotations

import tomllib

import numpy as np
from manim import (
    DOWN, LEFT, UP, Animation, MathTex, Scene, Text, ThreeDScene, VGroup, Wait, config,
)
from scenes.animations import FadeIn, FadeOut

from scenes.theme import (
    FONT_BODY,
    FONT_TITLE,
    FONT_LABEL,
    MARGIN,
    MIN_FONT_SIZE,
    Theme,
    apply_theme,
    get_theme,
)
from scenes.mobjects.text import format_short, format_sig, tagged, tex_size
from scenes.common import captions_on
from scenes.part import Part
from scenes.story import NARRATION_DIR, Story


def load_narration(chapter: str) -> dict[str, str]:
    """The one-line narration per beat of ``chapter``, from ``assets/narration/<chapter>.toml``.

    The file has one table ``[beats]`` mapping beat names (in order) to their narration.
    """
    path = NARRATION_DIR / f"{chapter}.toml"
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    return dict(data["beats"])


class Chapter:
    """Base class of a chapter: a scene to play on, a theme, captions and the beat runner.

    Subclasses set ``name`` (the narration file's stem) and ``BEATS`` (method names in order).
    The scene's ``cut_plan`` (:class:`scenes.part.Cut`, set by the explainer) says which of them
    the explainer's cut plays.
    """

    name = ""
    BEATS: tuple[str, ...] = ()
    audit = False  # tests switch this on: check text sizes and the frame margin after every beat

    def __init__(self, scene: Scene, theme: Theme | None = None, sections: bool = False):
        self.scene = scene
        self.sections = sections
        self.theme = theme or get_theme()
        apply_theme(self.theme)
        scene.camera.background_color = self.theme.background
        self.burned_in = captions_on()  # with captions off, say() keeps their time and draws nothing
        self._caption_words: str | None = None  # the caption shown, or that would be
        self.caption = None
        self.beat_times: dict[str, tuple[float, float]] = {}  # beat -> (start, end) in scene time
        self.layout_problems: list[str] = []  # filled when ``audit`` is on
        self.frames: dict[str, list] = {}  # beat -> mobjects on screen at its end (for tests)
        self.current_beat = ""
        # The storyboard: narration with {placeholders} filled from the facts the beats state
        # (:meth:`state`); the explainer collects it from the scene (``scene._story``).
        self.story = scene._story = Story(self.name)
        if self.audit:
            # Check the layout after every play (also the ones a beat makes on the scene directly).
            scene_play = scene.play

            def audited_play(*args, **kwargs):
                scene_play(*args, **kwargs)
                for problem in self.audit_frame():
                    entry = f"{self.current_beat}: {problem}"
                    if entry not in self.layout_problems:
                        self.layout_problems.append(entry)

            scene.play = audited_play

    @property
    def caption(self) -> VGroup | None:
        """The caption on screen (``None`` with captions off)."""
        return self._caption

    @caption.setter
    def caption(self, mob) -> None:
        # A beat that fades the caption out itself sets None: then no caption is shown, drawn or not.
        self._caption = mob
        if mob is None:
            self._caption_words = None

    # ------------------------------------------------------------------ running
    @property
    def is_3d(self) -> bool:
        return isinstance(self.scene, ThreeDScene)

    @property
    def cut_plan(self):
        """The explainer's cut of the chapter's scene (``None``: the full chapter)."""
        return getattr(self.scene, "cut_plan", None)

    cut = Part.cut
    option = Part.option

    @property
    def beats_to_play(self) -> tuple[str, ...]:
        """The beats of the explainer's cut, else every beat of ``BEATS``."""
        return self.cut_plan.beats_of(self.BEATS) if self.cut else tuple(self.BEATS)

    @classmethod
    def play_on(cls, scene, theme: Theme | None = None, sections: bool = False, **kwargs) -> "Chapter":
        """Build the chapter on ``scene`` and play it (:meth:`play_all`); returns the chapter, its
        mobjects and timings. Several chapters can play on one scene, one after another."""
        chapter = cls(scene, theme, sections=sections, **kwargs)
        chapter.play_all()
        return chapter

    def play_all(self) -> None:
        """Play every beat in order (in the explainer's cut, the beats of the cut): each starts a
        storyboard entry, and a manim section ``<chapter>.<beat>`` when the chapter has ``sections``."""
        for name in self.beats_to_play:
            if self.sections:
                self.scene.next_section(f"{self.name}.{name}")
            start = self.scene.time
            self.story.begin(name, start)
            self.current_beat = name
            self._before_clear = None
            getattr(self, name)()
            self.beat_times[name] = (start, self.scene.time)
            self.frames[name] = self._before_clear or list(self.scene.mobjects)

    def state(self, **facts) -> None:
        """Facts the narration's {placeholders} are filled from (the numbers the beat shows)."""
        self.story.facts.update(facts)

    @property
    def duration(self) -> float:
        """Scene time from the first beat's start to the last beat's end (after playing)."""
        times = list(self.beat_times.values())
        return times[-1][1] - times[0][0] if times else 0.0

    def play(self, *args, **kwargs):
        self.scene.play(*args, **kwargs)

    def wait(self, seconds: float = 1.0):
        self.scene.wait(seconds)

    def fix(self, *mobjects):
        """Pin overlays to the frame in a 3D scene (titles, readouts); a no-op in 2D.

        Only pins them (the camera's set): the animation that shows an overlay adds it to the
        scene. manim's ``ThreeDScene.add_fixed_in_frame_mobjects`` would also add it at once,
        so an overlay pinned a few plays before the one that writes it would be on screen
        early. An overlay meant to appear without an animation must be added explicitly
        (``self.scene.add``).
        """
        if self.is_3d:
            self.scene.renderer.camera.add_fixed_in_frame_mobjects(*mobjects)
        return mobjects[0] if len(mobjects) == 1 else mobjects

    def unfix(self, *mobjects):
        if self.is_3d:
            self.scene.remove_fixed_in_frame_mobjects(*mobjects)

    def audit_frame(self) -> list[str]:
        """Text on screen that is smaller than ``MIN_FONT_SIZE``, outside the frame margin, or
        overlapping other text.

        In a 3D scene whose camera is turned, only the fixed-in-frame overlays are checked
        (the others are projected; their frame position is not their coordinates).
        """
        from manim import DecimalNumber, SingleStringMathTex

        turned = self.is_3d and (self.scene.camera.get_phi() != 0 or self.scene.camera.get_zoom() != 1)
        fixed = self.scene.camera.fixed_in_frame_mobjects if self.is_3d else set()
        texts = []

        def collect(mob):
            if isinstance(mob, (Text, SingleStringMathTex, DecimalNumber)):
                glyphs = mob.family_members_with_points()
                if glyphs and max(g.get_fill_opacity() for g in glyphs) > 0 and all(m is not mob for m in texts):
                    texts.append(mob)
                return
            for sub in mob.submobjects:
                collect(sub)

        for top in self.scene.mobjects:
            if not (turned and top not in fixed):
                collect(top)
        problems = []
        boxes = []  # (x0, y0, x1, y1) per text, computed once
        w, h = config.frame_width / 2 - MARGIN + 1e-6, config.frame_height / 2 - MARGIN + 1e-6
        for mob in texts:
            label = _label(mob)
            size = float(mob[0].font_size if isinstance(mob, DecimalNumber) else mob.font_size)
            if size < MIN_FONT_SIZE - 0.5:
                problems.append(f"{label!r} has font_size {size:.1f} < {MIN_FONT_SIZE}")
            pts = mob.get_all_points()
            box = (*pts[:, :2].min(axis=0), *pts[:, :2].max(axis=0))
            boxes.append(box)
            if box[0] < -w or box[2] > w or box[1] < -h or box[3] > h:
                problems.append(f"{label!r} is outside the frame margin")
        tol = 0.03
        for i, a in enumerate(boxes):
            for j in range(i + 1, len(boxes)):
                b = boxes[j]
                if a[0] < b[2] - tol and b[0] < a[2] - tol and a[1] < b[3] - tol and b[1] < a[3] - tol:
                    problems.append(f"{_label(texts[i])!r} overlaps {_label(texts[j])!r}")
        return problems

    # ------------------------------------------------------------------ text
    def text(self, content: str, font_size: float = FONT_BODY, color=None, **kwargs) -> Text:
        """Running text in the theme font (never smaller than ``MIN_FONT_SIZE``)."""
        return lighten(Text(content, font=self.theme.font, font_size=max(font_size, MIN_FONT_SIZE),
                            color=color or self.theme.foreground, **kwargs))

    def tex(self, *parts: str, font_size: float = FONT_BODY, color=None, **kwargs) -> MathTex:
        """A formula at the type size of running text of ``font_size`` (:func:`tex_size`)."""
        return lighten(MathTex(*parts, font_size=tex_size(max(font_size, MIN_FONT_SIZE), self.theme.font),
                               color=color or self.theme.foreground, **kwargs))

    def make_caption(self, content: str) -> VGroup:
        """At most two lines of running text, centred at the bottom inside the margin."""
        lines = content.split("\n")
        if len(lines) > 2:
            raise ValueError(f"a caption has at most two lines, got {len(lines)}: {content!r}")
        group = VGroup(*(self.text(line, FONT_LABEL) for line in lines)).arrange(DOWN, buff=0.15)
        max_width = config.frame_width - 2 * MARGIN
        if group.width > max_width:
            group.scale_to_fit_width(max_width)
        group.to_edge(DOWN, buff=MARGIN + 0.01)  # (a comma's tail must not cross the margin by a hair)
        return tagged(group, "caption")

    def say(self, index: int | None = 0, run_time: float = 0.6, **facts) -> None:
        """Replace the caption with the current beat's caption ``index`` (``None`` removes it):
        its ``[captions]`` line in the narration file, filled from ``facts`` and the facts stated."""
        content = None if index is None else self.story.caption(index, **facts)
        if not self.burned_in:
            # The same plays as with captions, as waits that are played, not frozen: manim rounds a
            # play's frames up and a frozen wait's down, so either shortcut would shorten the video.
            if self._caption_words is not None:
                self.play(Wait(run_time=run_time * 0.4, frozen_frame=False))
            if content:
                self.play(Wait(run_time=run_time * 0.6, frozen_frame=False))
            self._caption_words = content or None
            return
        if self.caption is not None:
            # Out first, then in: two captions never overlap on screen.
            self.play(FadeOut(self.caption, shift=0.1 * UP), run_time=run_time * 0.4)
            self.unfix(self.caption)
            self.scene.remove(self.caption)
            self.caption = None
        if content:
            new = self.make_caption(content)
            self.fix(new)
            self.play(FadeIn(new, shift=0.1 * UP), run_time=run_time * 0.6)
            self.caption = new
        self._caption_words = content or None  # (after the swap: setting None above cleared it)

    def clear(self, run_time: float = 0.8) -> None:
        """Fade out everything on the scene (the chapter's last beat): the part's ``fade_out_all``."""
        self._before_clear = list(self.scene.mobjects)  # what the beat showed last, for tests
        self.scene.fade_out_all(run_time)
        self.caption = None  # (which forgets its words too)


def lighten(mobject):
    """Drop the parsed SVG path objects that glyphs keep after their points are built.

    Every animation deep-copies its mobject; for text most of that time is spent copying
    these ``svgelements`` trees, which nothing reads again. Returns ``mobject``.
    """
    for part in mobject.get_family():
        if getattr(part, "path_obj", None) is not None:
            part.path_obj = None
    return mobject


class ShiftBy(Animation):
    """Move a mobject by ``vector`` without copying it (``.animate.shift`` deep-copies twice)."""

    def __init__(self, mobject, vector, **kwargs):
        super().__init__(mobject, **kwargs)
        self.vector = np.asarray(vector, float)

    def begin(self):
        self.start = self.mobject.get_center().copy()
        super().begin()

    def create_starting_mobject(self):
        return self.mobject

    def interpolate_mobject(self, alpha: float) -> None:
        self.mobject.move_to(self.start + self.rate_func(alpha) * self.vector)


def _label(mob) -> str:
    return getattr(mob, "tex_string", None) or getattr(mob, "text", "") or type(mob).__name__


def in_frame(mobject, margin: float = MARGIN - 1e-6) -> bool:
    """Whether ``mobject``'s bounding box lies inside the frame minus ``margin``."""
    w, h = config.frame_width / 2 - margin, config.frame_height / 2 - margin
    return (mobject.get_left()[0] >= -w and mobject.get_right()[0] <= w
            and mobject.get_bottom()[1] >= -h and mobject.get_top()[1] <= h)



def g3(value: float) -> str:
    """A round input as typed, 3 significant digits at most (2.25, 0.5, 4): ``format_short``
    (LaTeX for powers of ten, so plain text takes only round constants through it)."""
    return format_short(value, 3)


def line_through(point, direction, length: float):
    """A Line of scene ``length`` centred on scene ``point`` along scene ``direction``."""
    from manim import Line

    d = np.asarray(direction, float)
    d = d / np.linalg.norm(d)
    p = np.asarray(point, float)
    return Line(p - d * length / 2, p + d * length / 2)


def closed_levels(surface, candidates, grid_n: int = 41) -> list[float]:
    """The contour levels among ``candidates`` that stay inside the domain (closed curves):
    those below the lowest value of ``surface.f`` on the domain's boundary."""
    grid = surface.grid(grid_n)
    edge = np.concatenate([grid[:, [0, -1], :].reshape(2, -1), grid[:, :, [0, -1]].reshape(2, -1)], axis=1)
    lowest = float(surface.f(edge).min())
    return [float(v) for v in candidates if v < lowest]


sig = format_sig  # 3 significant digits, as LaTeX: the one number formatter


class NarratedChapter(Chapter):
    """A chapter with a settings table (``[<name>]`` of ``$GDX_CONFIG``, read by :meth:`play_on`)
    whose beats all have a line in ``assets/narration/<name>.toml``."""

    name = ""

    @classmethod
    def play_on(cls, scene, theme: Theme | None = None, sections: bool = False, **kwargs) -> "Chapter":
        """:meth:`Chapter.play_on` with the chapter's table of ``$GDX_CONFIG`` (``[<name>]``)."""
        from scenes.config import load_or_exit

        return super().play_on(scene, theme, sections, cfg=load_or_exit(cls.name), **kwargs)

    def __init__(self, scene, theme: Theme | None = None, sections: bool = False):
        super().__init__(scene, theme, sections)
        self.narration = load_narration(self.name)
        # Every beat needs a key in the narration file; its line may be empty ("": a short beat
        # whose subtitle is the previous beat's cue).
        missing = [b for b in self.beats_to_play if b not in self.narration]
        if missing:
            raise ValueError(f"{type(self).__name__}: beats {missing} have no narration in {self.name}.toml")

    def make_title(self, content: str):
        title = tagged(self.text(content, FONT_TITLE), "title")
        title.to_corner(UP + LEFT, buff=MARGIN)
        return title
