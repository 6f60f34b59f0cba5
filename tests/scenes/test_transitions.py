"""The transition grammar on every part: never two captions or two titles visible at once; the
gradient drawn in its one colour wherever it shows; every result on screen for 3 s at least; no
Text or MathTex shrunk below the type floor on a still frame.

Each part is played at 6 frames a second with nothing drawn (``gdx.catalog.dry_render(watch=)``);
at every frame time of every play the watch asks :func:`scenes.part.doubled_roles` what a viewer
would see. The explainer's chapters host every part's cut; the full parts play alone.
"""

from __future__ import annotations

import importlib

import numpy as np
import pytest
from manim import DOWN, ManimColor, MathTex, Scene, SingleStringMathTex, Text, Wait

from gdx.catalog import dry_render
from scenes.animations import FadeIn, FadeOut, fade_swap
from scenes.mobjects import tagged
from scenes.mobjects.text import glyph_px
from scenes.part import RESULT_SECONDS as READABLE_SECONDS, Part, doubled_roles, visible_opacity
from scenes.theme import GLYPH_FLOOR_PX, get_theme

PARTS = [
    "scenes.explainer.Chapter1Hook", "scenes.explainer.Chapter2Mathematics", "scenes.explainer.Chapter3LearningRate",
    "scenes.explainer.Chapter4Landscapes", "scenes.explainer.Chapter5BetterSteps",
    "scenes.explainer.Chapter6NeuralNetworks", "scenes.explainer.Chapter7Limitations",
    "scenes.parts.hook.HookChapter", "scenes.parts.derivatives.DerivativesChapter",
    "scenes.parts.gradient.GradientChapter", "scenes.parts.update_rule.UpdateRuleChapter",
    "scenes.parts.learning_rate.LearningRate", "scenes.parts.landscapes.Landscapes",
    "scenes.parts.stochastic.StochasticChapter", "scenes.parts.momentum.MomentumCloseUp",
    "scenes.parts.adaptive.AdaptiveChapter", "scenes.parts.backprop.BackpropChapter",
    "scenes.parts.limitations.LimitationsChapter", "scenes.parts.race.OptimizerRace",
    "scenes.parts.descent.RosenbrockDescent", "scenes.parts.sigmoid_neuron.SigmoidNeuron",
]


def _texts(mob):
    """The text in ``mob``'s family that :func:`glyph_px` measures (Text, MathTex, numbers, flattened
    text), not looking inside it (its glyphs have no type size of their own)."""
    if glyph_px(mob) is not None:
        if mob.height > 0 and any(m.has_points() for m in mob.get_family()):  # (a phantom has no size)
            yield mob
        return
    for sub in mob.submobjects:
        yield from _texts(sub)


FPS = 6  # the watch's frame rate
RELATIONS = ("=", r"\leftarrow", r"\approx", r"\to", r"\le", r"\ge", "<", ">")


def is_formula(mob) -> bool:
    """A formula to read: LaTeX that states a relation (an equation, an update rule, a bound)."""
    tex = getattr(mob, "tex_string", None)
    return isinstance(mob, SingleStringMathTex) and tex is not None and any(r in tex for r in RELATIONS)


def _spans(spans: dict, key, t: float) -> None:
    """Extend ``key``'s last span of consecutive frames to ``t``, or start a new one."""
    runs = spans.setdefault(key, [])
    if runs and t - runs[-1][1] <= 1 / FPS + 1e-6:
        runs[-1][1] = t
    else:
        runs.append([t, t])


def watch_part(scene_class, gradients: list | None = None, results: dict | None = None,
               small: list | None = None, formulas: dict | None = None) -> list:
    """Play ``scene_class`` under the watch. Returns (scene time, role, words) at every frame time
    where a caption or a title is shown twice; fills ``gradients`` with (scene time, colour) of every
    visible gradient, ``results`` with id -> the [first, last] times of each unbroken stretch that a
    result was fully on screen, ``formulas`` the same for every formula (:func:`is_formula`, keyed by
    (id, LaTeX)), and ``small`` with (scene time, font size, words) of type under the floor on a
    still frame."""
    log = []

    def watch(scene):
        for role, mobs in doubled_roles(scene).items():
            log.append((round(scene.time, 2), role, [getattr(m, "words", type(m).__name__) for m in mobs]))
        if results is not None or formulas is not None:  # fully on screen (not fading): for how long
            for m in scene.mobjects:
                for part in m.get_family():
                    if results is not None and getattr(part, "role", None) == "result" \
                            and visible_opacity(part) >= 0.9:
                        _spans(results, id(part), scene.time)
                    if formulas is not None and is_formula(part) and visible_opacity(part) >= 0.9:
                        _spans(formulas, (id(part), part.tex_string), scene.time)
        # Type shrunk below the floor (a scale_to_fit, a scaled group), on still frames: mid-animation
        # a text being written or scaled in is smaller than it will be.
        still = all(isinstance(a, Wait) for a in (scene.animations or []))
        if small is not None and still:
            for top in scene.mobjects:
                for t in _texts(top):
                    px = glyph_px(t)
                    if px < GLYPH_FLOOR_PX - 0.25 and visible_opacity(t) > 0.05:
                        small.append((round(scene.time, 2), round(px, 1),
                                      getattr(t, "tex_string", None) or getattr(t, "text", None)
                                      or getattr(t, "latex", None) or getattr(t, "words", type(t).__name__)))
        if gradients is not None:
            for m in scene.get_mobject_family_members():
                if getattr(m, "role", None) == "gradient" and visible_opacity(m) > 0.05:
                    colour = ManimColor(m.get_color()).to_hex().upper()
                    gradients.append((round(scene.time, 2), colour))

    dry_render(scene_class, frame_rate=FPS, watch=watch)
    return log


class CrossFade(Part, Scene):
    """Two captions cross-faded in one play (what the grammar forbids), then swapped properly; then
    type below the floor."""

    BEATS = ("cross", "swap")

    def construct(self):
        a, b, c = (tagged(Text(w), "caption") for w in ("first", "second", "third"))
        for mob, w in zip((a, b, c), ("first", "second", "third")):
            mob.words = w
        self.begin_beat("cross")
        self.play(FadeIn(a), run_time=0.5)
        self.play(FadeOut(a), FadeIn(b), run_time=1.0)
        self.begin_beat("swap")
        self.play(*fade_swap(b, c, run_time=1.0), run_time=1.0)
        self.add(Text("fine print").scale(0.3))  # below the type floor
        self.wait(0.5)


def test_the_watch_sees_a_cross_fade_and_small_type_and_not_a_swap():
    small = []
    log = watch_part(CrossFade, small=small)
    assert log and all(words == ["first", "second"] for _, _, words in log)
    assert all(0.5 < t < 1.5 for t, _, _ in log)  # the cross-fade, not the swap after it
    assert {words for _, _, words in small} == {"fineprint"}  # (Text keeps no spaces)


class BriefFormula(Part, Scene):
    """A rule shown 1 s, hidden, then shown 4 s (two stretches, one too short); a formula whose
    subscripts are under the floor while its main line is not."""

    BEATS = ("brief",)

    def construct(self):
        rule = MathTex(r"\theta \leftarrow \theta - \eta g", font_size=48)
        self.begin_beat("brief")
        self.add(rule)
        self.wait(1.0)
        self.remove(rule)
        self.wait(0.5)
        self.add(rule)
        self.wait(4.0)
        self.add(MathTex(r"m_t = x", font_size=36).shift(2 * DOWN))  # 15.3 px capitals, indices at 0.7 of them
        self.add(MathTex(r"e^{x_i} = y", font_size=36).shift(3 * DOWN))  # a script of a script counts as 10.9 px
        self.wait(0.5)


def test_the_watch_times_each_stretch_of_a_formula_and_sees_small_scripts():
    formulas, small = {}, []
    watch_part(BriefFormula, formulas=formulas, small=small)
    assert [d for d, tex in short_spans(formulas) if "leftarrow" in tex] == [1.0]
    assert {words for _, _, words in small} == {"e^{x_i} = y"}


# The parts that draw the gradient (an arrow of -grad f, -eta g): it must be seen there, in its colour.
SHOWS_GRADIENT = {"Chapter2Mathematics", "Chapter5BetterSteps", "GradientChapter", "UpdateRuleChapter", "StochasticChapter",
                  "MomentumCloseUp", "SigmoidNeuron"}


# The parts that show a tagged result: a scoreboard, the runs' numbers.
SHOWS_RESULTS = {"Chapter3LearningRate", "Chapter5BetterSteps", "LearningRate", "StochasticChapter",
                 "AdaptiveChapter", "OptimizerRace"}


def short_spans(spans: dict, seconds: float = READABLE_SECONDS) -> list:
    """(seconds on screen, key) of every unbroken stretch shorter than ``seconds``."""
    return sorted((round(b - a + 1 / FPS, 2), key if isinstance(key, int) else key[1])
                  for key, runs in spans.items() for a, b in runs if b - a + 1 / FPS < seconds - 1e-6)


def check_grammar(scene_class, name: str, theme: str = "dark") -> None:
    """No doubled caption or title; every result and every formula fully on screen 3 s at least, in
    one stretch; no type under the floor; every gradient in the theme's gradient colour; gradients
    and results seen exactly where the part shows them."""
    gradients, results, small, formulas = [], {}, [], {}
    assert watch_part(scene_class, gradients, results, small, formulas) == []
    assert sorted({(size, words) for _, size, words in small}) == []
    assert short_spans(results) == []
    assert short_spans(formulas) == []
    assert bool(results) == (name in SHOWS_RESULTS), name
    want = np.array(ManimColor(get_theme(theme).gradient).to_rgb())
    # (animations interpolate colours in floating point: a channel may be off by a step or two)
    assert all(np.abs(np.array(ManimColor(c).to_rgb()) - want).max() <= 3 / 255 for _, c in gradients), \
        sorted({c for _, c in gradients})
    assert bool(gradients) == (name in SHOWS_GRADIENT), name


@pytest.mark.parametrize("path", PARTS, ids=lambda p: p.rsplit(".", 1)[-1])
def test_every_part_keeps_the_grammar(path):
    module, name = path.rsplit(".", 1)
    check_grammar(getattr(importlib.import_module(module), name), name)


# Two lessons of the generator's corpus (tests/gdx/test_lesson_corpus.py): a ring of minima, two valleys.
LESSONS = ["(x**2 + y**2 - 1)**2", "x**4 - 4*x**2 + y**2 + 0.5*x"]
SURFACE_CHAPTERS = ["Chapter3LearningRate", "Chapter4Landscapes", "Chapter5BetterSteps"]


@pytest.mark.parametrize("chapter", SURFACE_CHAPTERS)
@pytest.mark.parametrize("formula", LESSONS)
def test_a_lessons_explainer_keeps_the_grammar(formula, chapter, tmp_path, monkeypatch):
    """The explainer's chapters about "the" surface, on a lesson's own function."""
    from gdx import lesson
    from scenes import explainer

    path = tmp_path / "lesson.toml"
    path.write_text(f'title = "Corpus"\nsurface = "{formula}"\nscenes = ["explainer"]\n'
                    '[landscapes]\nmesh_resolution = 6\nbasin_grid = 21\n')
    config = tmp_path / "config.toml"
    config.write_text(lesson.to_config_toml(lesson.parse(path)))
    monkeypatch.setenv("GDX_CONFIG", str(config))
    monkeypatch.delenv("GDX_THEME", raising=False)
    check_grammar(getattr(explainer, chapter), chapter)


@pytest.mark.parametrize("path", ["scenes.parts.gradient.GradientChapter", "scenes.parts.momentum.MomentumCloseUp"],
                         ids=lambda p: p.rsplit(".", 1)[-1])
def test_the_light_theme_keeps_the_grammar(path, monkeypatch):
    """On the light theme the gradient has the light theme's own colour (gold, not the dark yellow)."""
    monkeypatch.setenv("GDX_THEME", "light")
    module, name = path.rsplit(".", 1)
    check_grammar(getattr(importlib.import_module(module), name), name, theme="light")
