"""The full video, "Gradient Descent, Explained": a title card, then seven chapters.

    manim -ql scenes/explainer.py GradientDescentExplained     # the whole video, one file
    manim -ql scenes/explainer.py Chapter3LearningRate         # one chapter with its title card
    gdx render --explainer                                     # parts in parallel, joined

Each chapter is built from the chapter and optimizer scenes that also render on their own.
A part is played on the host scene by constructing the part's Scene class around the host's
renderer (:func:`play_part`), so its code runs unchanged and its frames go into the host's
movie. ``GradientDescentExplained`` has one manim section per chapter; the ``ChapterN``
scenes have one section for the title card and one per beat (for subtitles, stills and
slides in the lecture kit). ``gdx render --explainer`` renders ``EXPLAINER_PARTS``: the title
card, and each chapter whole or (the long ones) part by part, the same beats.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

from manim import DEGREES, DOWN, ORIGIN, Line, MathTex, Text, ThreeDScene, VGroup, Write
from scenes.animations import FadeIn, FadeOut

import mathcore

from scenes.common import theme_or_exit
from scenes.part import Cut, FrameExact, lower_body
from scenes.story import ENV_STORY, Story
from scenes.theme import FONT_BODY, FONT_TITLE

TITLE = "Gradient Descent, Explained"

# (chapter title, one-line promise, [(module, Scene class), ...]) in the order of the video.
CHAPTERS = (
    ("The blindfolded climber", "Feel the slope, step downhill",
     [("scenes.parts.hook", "HookChapter")]),
    ("The mathematics", "Derivatives, gradients and the update rule",
     [("scenes.parts.derivatives", "DerivativesChapter"), ("scenes.parts.gradient", "GradientChapter"),
      ("scenes.parts.update_rule", "UpdateRuleChapter")]),
    ("The learning rate", "Too small, just right, too large",
     [("scenes.parts.learning_rate", "LearningRate")]),
    ("Landscapes in 3D", "Local minima, saddle points and plateaus",
     [("scenes.parts.landscapes", "Landscapes")]),
    ("Better steps", "Stochastic gradients, momentum and Adam",
     [("scenes.parts.stochastic", "StochasticChapter"), ("scenes.parts.momentum", "MomentumCloseUp"),
      ("scenes.parts.adaptive", "AdaptiveChapter")]),
    ("Neural networks", "Backpropagation is the chain rule",
     [("scenes.parts.backprop", "BackpropChapter")]),
    ("Limitations", "What gradient descent cannot do, and what comes next",
     [("scenes.parts.limitations", "LimitationsChapter")]),
)

TITLE_SECONDS = 2.0  # a chapter's title card is read in 2 s (the chapter list and subtitles carry it too)
OPENING_SECONDS = 3.0  # the video's own card: title, promise and the function's formula

# Seconds each chapter's parts may take in their explainer cut (title card not included):
# 4.5 to 6 minutes in all, the length the video is made for. Checked by tests/scenes/test_explainer.py.
EXPLAINER_BUDGETS = (30.0, 80.0, 30.0, 40.0, 70.0, 32.0, 32.0)

# The explainer's cut of each part, by module: the beats it plays (all when not named), the
# share of its full run times each beat plays at (1 when not named) and the counts it changes.
CUTS = {
    "hook": Cut(
        pace={"enter_fog": 0.82, "feel_slope": 0.81, "shrinking_steps": 0.93, "lift_fog": 0.76,
              "landscape_3d": 0.72, "outro": 0.75},
        options={"detailed_steps": 1, "first_step_from_felt_slope": True, "readout_while_shrinking": False,
                 "turn_camera": False}),
    "derivatives": Cut(
        beats=("show_curve", "show_secant", "shrink_to_tangent", "outro"),
        pace={"show_curve": 0.77, "show_secant": 0.87, "shrink_to_tangent": 0.87, "outro": 0.75}),
    "gradient": Cut(
        beats=("show_surface", "slice_x", "slice_y", "gradient_vector", "look_from_above", "steepest_ascent",
               "outro"),
        pace={"show_surface": 0.78, "slice_x": 0.79, "slice_y": 0.79, "gradient_vector": 0.89,
              "look_from_above": 0.86, "steepest_ascent": 0.91, "outro": 0.75}),
    "update_rule": Cut(
        pace={"taylor": 0.69, "turn_direction": 0.71, "the_rule": 0.82, "hand_setup": 0.71,
              "hand_first_steps": 0.88, "hand_rest": 0.85, "outro": 0.75},
        options={"arithmetic_steps": 1, "table_steps": 4, "rest_caption": False, "row_seconds": 0.45}),
    "learning_rate": Cut(
        pace={"three_step_sizes": 0.72, "run_to_the_end": 0.72, "on_the_surface": 0.65},
        options={"slow_steps": 1}),
    "landscapes": Cut(
        pace={"many_minima": 0.85, "gd_trapped": 0.68, "noise_escapes": 0.62, "saddle": 0.64,
              "plateau": 0.61, "basin_map": 0.66},
        options={"saddle_crawl_caption": False}),
    "stochastic": Cut(
        pace={"setup": 0.59, "example_arrows": 0.69, "batch": 0.51, "sgd": 0.46, "minibatch": 0.47,
              "compare": 0.58},
        options={"example_close_up": False}),
    "momentum": Cut(
        pace={"narrow_valley": 0.58, "gd_zigzag": 0.77, "momentum_velocity": 0.67,
              "nesterov_lookahead": 0.71, "compare": 0.64},
        options={"gd_magnified_steps": 0, "momentum_magnified": False}),
    "adaptive": Cut(
        pace={"rmsprop": 0.61, "adam": 0.62, "effective_steps": 0.42, "why_adam": 0.56},
        options={"adagrad_in_one_caption": True}),
    "backprop": Cut(
        beats=("network", "forward", "loss", "backward", "update"),
        options={"rule_hold": 2.0},
        pace={"network": 0.72, "forward": 0.9, "loss": 0.76, "backward": 0.83, "update": 0.96}),
    "limitations": Cut(
        beats=("zigzag", "newton", "schedules", "summary"),
        pace={"zigzag": 0.69, "newton": 0.7, "schedules": 0.68, "summary": 0.82}),
}


def part_class(module: str, name: str):
    return getattr(importlib.import_module(module), name)


def reset_camera(host: ThreeDScene) -> None:
    """Back to the flat 2D view with nothing fixed in frame, as a fresh scene starts."""
    camera = host.renderer.camera
    host.stop_ambient_camera_rotation()
    host.set_camera_orientation(phi=0, theta=-90 * DEGREES, gamma=0, zoom=1, frame_center=ORIGIN)
    camera.fixed_in_frame_mobjects = set()
    camera.fixed_orientation_mobjects = dict()
    camera.should_apply_shading = True  # (a part's lit mesh turns manim's shading off: scenes.stage.lit_by_mesh)
    lower_body(camera, 0.0)  # (title cards are laid out on the whole frame)


def play_part(host: ThreeDScene, scene_class, sections: bool) -> None:
    """Run ``scene_class``'s construct on ``host``'s renderer, so its frames join host's movie.

    A Scene builds a new file writer for itself when it is created; the host's is put back,
    so the part writes into the host's file. With ``sections=False`` the part's beats do
    not start sections of their own; with ``sections=True`` each is named
    ``<module>.<beat>``, so the kit finds its narration in ``assets/narration/<module>.toml``.
    """
    writer = host.renderer.file_writer
    part = scene_class(renderer=host.renderer)
    host.renderer.file_writer = writer
    stem = scene_class.__module__.rsplit(".", 1)[-1]
    part.cut_plan = CUTS[stem]  # the part plays its explainer cut
    part.hosted = True  # its beats go into the host's storyboard, not a file of their own
    marks = host.__dict__.setdefault("beat_marks", [])  # (beat, start time) of every beat played, for tests

    def beat_name(name):
        return name if "." in name else f"{stem}.{name}"

    own = part.next_section

    def next_section(name="unnamed", *args, **kwargs):
        marks.append((beat_name(name), host.renderer.time))
        if sections:
            own(beat_name(name), *args, **kwargs)

    part.next_section = next_section
    start = host.renderer.time
    part.setup()
    part.construct()
    part.fade_out_all()  # what the last beat left on screen fades (in that beat): the next part starts clean
    part.tear_down()
    story = part.story
    story.end(host.renderer.time)
    # named as the host's sections are: <module>.<beat>
    host.__dict__.setdefault("story_beats", []).extend({**b, "name": beat_name(b["name"])} for b in story.beats)
    host.__dict__.setdefault("story_notes", []).extend(story.notes)
    # (part, start, end) of every part played: tests read a dry run of the explainer part by part
    host.__dict__.setdefault("played_parts", []).append((part, start, host.renderer.time))
    reset_camera(host)


def title_card(host: ThreeDScene, heading: str, promise: str, formula: str = "", seconds: float = TITLE_SECONDS) -> None:
    """A heading over a rule, the promise under it, and optionally a formula (LaTeX) below, for ``seconds``."""
    theme = theme_or_exit()
    host.camera.background_color = theme.background
    big = Text(heading, font=theme.font, font_size=FONT_TITLE * 1.3, color=theme.foreground)
    if big.width > 12.5:
        big.scale_to_fit_width(12.5)
    rule = Line(big.get_left(), big.get_right(), color=theme.highlight, stroke_width=3).next_to(big, DOWN, 0.25)
    small = Text(promise, font=theme.font, font_size=FONT_BODY, color=theme.muted).next_to(rule, DOWN, 0.35)
    card = VGroup(big, rule, small)
    if formula:
        tex = MathTex(formula, font_size=FONT_BODY + 4, color=theme.foreground).next_to(small, DOWN, 0.5)
        if tex.width > 12.5:
            tex.scale_to_fit_width(12.5)
        card.add(tex)
    card.move_to(ORIGIN)
    host.play(Write(big), FadeIn(rule), run_time=0.7)
    host.play(FadeIn(VGroup(*card[2:]), shift=0.2 * DOWN), run_time=0.4)
    host.wait(seconds - 1.5)
    host.play(FadeOut(card), run_time=0.4)


def opens_chapter(parts: slice) -> bool:
    """Whether a chapter's ``parts`` (a slice of its parts) start with its first: they then play
    its title card and open it in the chapter list."""
    return parts.start in (None, 0)


def play_chapter(host: ThreeDScene, number: int, beat_sections: bool, parts: slice = slice(None)) -> None:
    """Chapter ``number``: its title card, then its parts; with ``parts``, only those of its
    parts (the title card with the first)."""
    heading, promise, members = CHAPTERS[number - 1]
    if opens_chapter(parts):
        host.next_section(f"chapter {number}: {heading}")
        host.__dict__.setdefault("beat_marks", []).append((f"chapter {number}", host.renderer.time))
        title_card(host, f"{number}. {heading}", promise)
    for module, name in members[parts]:
        play_part(host, part_class(module, name), beat_sections)


def opening_card(host: ThreeDScene) -> None:
    """The video's title card, from ``[explainer]`` in ``$GDX_CONFIG`` (a lesson's title and formula)."""
    from scenes.config import load_or_exit

    cfg = load_or_exit("explainer")
    formula = ""
    if cfg.surface:
        surface = mathcore.get_surface(cfg.surface, cfg.domain or None)
        formula = f"f({', '.join(surface.variable_names)}) = {surface.latex}"
    title_card(host, cfg.title, cfg.promise, formula, OPENING_SECONDS)


class _Host(FrameExact, ThreeDScene):
    """A scene that plays parts: it writes their storyboard (``$GDX_STORY``) when it ends."""

    def tear_down(self):
        super().tear_down()
        target = os.environ.get(ENV_STORY)
        if target:
            story = Story(type(self).__name__)
            story.beats = list(self.__dict__.get("story_beats", []))
            story.notes = list(self.__dict__.get("story_notes", []))
            story.write(Path(target))


class GradientDescentExplained(_Host):
    """The full explainer: a title card, then the seven chapters, one section each."""

    def construct(self):
        self.next_section("title")
        opening_card(self)
        for number in range(1, len(CHAPTERS) + 1):
            play_chapter(self, number, beat_sections=False)


class _Chapter(_Host):
    number = 0
    parts = slice(None)  # which of the chapter's parts it plays (the title card with the first)

    def construct(self):
        play_chapter(self, self.number, beat_sections=True, parts=self.parts)


class TitleCard(FrameExact, ThreeDScene):
    """The explainer's opening title card (``[explainer]`` in ``$GDX_CONFIG``: title, promise, and
    the surface whose formula a lesson's explainer shows)."""

    def construct(self):
        self.next_section("title")
        opening_card(self)


class Chapter1Hook(_Chapter):
    """Explainer chapter 1: the blindfolded climber."""
    number = 1


class Chapter2Mathematics(_Chapter):
    """Explainer chapter 2: derivatives, gradients and the update rule."""
    number = 2


class Chapter3LearningRate(_Chapter):
    """Explainer chapter 3: the learning rate."""
    number = 3


class Chapter4Landscapes(_Chapter):
    """Explainer chapter 4: local minima, saddle points and plateaus in 3D."""
    number = 4


class Chapter5BetterSteps(_Chapter):
    """Explainer chapter 5: SGD, momentum and Adam."""
    number = 5


class Chapter6NeuralNetworks(_Chapter):
    """Explainer chapter 6: backpropagation."""
    number = 6


class Chapter7Limitations(_Chapter):
    """Explainer chapter 7: limitations and what comes next."""
    number = 7


# Chapters 2 and 5 part by part: `gdx render --explainer` renders these one process each, so
# that no worker is left with a long chapter while the others wait (the render's wall time is
# the busiest worker's).


class Chapter2Derivatives(_Chapter):
    """Explainer chapter 2, first part: its title card and derivatives."""
    number = 2
    parts = slice(0, 1)


class Chapter2Gradient(_Chapter):
    """Explainer chapter 2, second part: the gradient."""
    number = 2
    parts = slice(1, 2)


class Chapter2UpdateRule(_Chapter):
    """Explainer chapter 2, third part: the update rule."""
    number = 2
    parts = slice(2, 3)


class Chapter5Stochastic(_Chapter):
    """Explainer chapter 5, first part: its title card and stochastic gradients."""
    number = 5
    parts = slice(0, 1)


class Chapter5Momentum(_Chapter):
    """Explainer chapter 5, second part: momentum and Nesterov."""
    number = 5
    parts = slice(1, 2)


class Chapter5Adaptive(_Chapter):
    """Explainer chapter 5, third part: RMSProp and Adam."""
    number = 5
    parts = slice(2, 3)


# The parts of `gdx render --explainer`, in order: rendered in parallel, joined as they are.
# Each is a chapter or a part of one, every chapter's parts in order (tested).
EXPLAINER_PARTS = ("TitleCard",) + tuple(
    cls.__name__ for cls in (Chapter1Hook, Chapter2Derivatives, Chapter2Gradient, Chapter2UpdateRule,
                             Chapter3LearningRate, Chapter4Landscapes, Chapter5Stochastic, Chapter5Momentum,
                             Chapter5Adaptive, Chapter6NeuralNetworks, Chapter7Limitations))


def part_titles(names) -> list[str | None]:
    """For each of the explainer's parts (class names, in order) the chapter it opens, as the
    chapter list names it ("Introduction", "2. The mathematics"), or None when it goes on with
    the chapter before it. A part that is not a chapter (the opening card, or a stand-in) opens
    the chapter of its place."""
    titles = []
    for place, name in enumerate(names):
        cls = globals().get(name)
        if isinstance(cls, type) and issubclass(cls, _Chapter):
            number, opens = cls.number, opens_chapter(cls.parts)
        else:
            number, opens = place, True
        if not opens:
            titles.append(None)
        else:
            titles.append("Introduction" if number == 0 else f"{number}. {CHAPTERS[number - 1][0]}")
    return titles
