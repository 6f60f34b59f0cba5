"""The explainer's cuts of chapters 1-4.

``scenes/explainer.py`` (``play_part``) sets each part's ``cut_plan`` (``CUTS``), and the
chapter then plays the cut's beats at their pace. These tests read each cut
from the shared dry run of the whole explainer (``explainer_run`` in ``tests/conftest.py``:
nothing drawn, every play jumps to its end) and check its length against the budget (hook <=
30 s; derivatives + gradient + update rule <= 80 s), the beats it played and the sections they
started, the layout audit, that it ends on an empty frame, and that the numbers the cut shows
are still mathcore's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from manim import ThreeDScene, tempconfig

import mathcore
from scenes.parts import derivatives, gradient, hook, update_rule
from scenes import explainer
from scenes.chapter import Chapter, sig, g3
from scenes.part import Cut

MEDIA = Path(__file__).resolve().parents[2] / "media" / "tests_explainer_cuts_concepts"
MODULES = {"hook": hook, "derivatives": derivatives, "gradient": gradient, "update_rule": update_rule}
SCENES = {"hook": hook.HookChapter, "derivatives": derivatives.DerivativesChapter,
          "gradient": gradient.GradientChapter, "update_rule": update_rule.UpdateRuleChapter}

# The story of each cut, spelled out here (not read from the modules): a change to a cut's
# beats has to change this list too.
EXPECTED_BEATS = {
    "hook": ("enter_fog", "feel_slope", "first_steps", "shrinking_steps", "lift_fog", "landscape_3d", "outro"),
    "derivatives": ("show_curve", "show_secant", "shrink_to_tangent", "outro"),
    "gradient": ("show_surface", "slice_x", "slice_y", "gradient_vector", "look_from_above", "steepest_ascent",
                 "outro"),
    "update_rule": ("taylor", "turn_direction", "the_rule", "hand_setup", "hand_first_steps", "hand_rest", "outro"),
}
HOOK_BUDGET = 30.0
MATH_BUDGET = 80.0  # derivatives + gradient + update rule
MATH = ("derivatives", "gradient", "update_rule")
MINIMUM = {"hook": 20.0, "derivatives": 15.0, "gradient": 20.0, "update_rule": 22.0}  # a cut is not a skim

CONFIG = {"dry_run": True, "quality": "low_quality", "media_dir": str(MEDIA), "disable_caching": True,
          "verbosity": "WARNING", "progress_bar": "none"}


@pytest.fixture(scope="module")
def cut(explainer_run):
    """The part scene of a chapter's cut, from the shared dry run of the whole explainer
    (``tests/conftest.py``; its chapters audit their layout after every play), with
    ``section_names`` and ``duration`` of the cut."""

    def get(name):
        scene, sections, duration = explainer_run.part(name)
        scene.section_names = [s for s, _ in sections]
        scene.cut_duration = duration
        return scene

    return get


# ----------------------------------------------------------------------------- structure and length


@pytest.mark.parametrize("name", list(MODULES))
def test_cut_plays_the_expected_beats_in_order(name, cut):
    scene = cut(name)
    chapter = scene.chapter
    assert chapter.cut
    module = MODULES[name]
    assert explainer.CUTS[name].beats_of(module.BEATS) == EXPECTED_BEATS[name]
    assert list(chapter.beat_times) == list(EXPECTED_BEATS[name])
    # A subsequence of the full chapter's beats, in the same order.
    positions = [module.BEATS.index(b) for b in EXPECTED_BEATS[name]]
    assert positions == sorted(positions)
    starts = [a for a, _ in chapter.beat_times.values()]
    assert starts == sorted(starts)
    # One section per played beat, named <chapter>.<beat>; skipped beats make none.
    sections = [s for s in scene.section_names if "." in s]
    assert sections == [f"{name}.{b}" for b in EXPECTED_BEATS[name]]


@pytest.mark.parametrize("name", list(MODULES))
def test_cut_length_is_sensible(name, cut):
    scene = cut(name)
    assert MINIMUM[name] < scene.cut_duration, scene.cut_duration
    # The beats cover the whole cut: it starts with the first beat and ends with the last.
    assert scene.chapter.duration == pytest.approx(scene.cut_duration)


def test_hook_cut_fits_its_budget(cut):
    assert cut("hook").cut_duration <= HOOK_BUDGET


def test_mathematics_cuts_fit_their_budget(cut):
    times = {name: cut(name).cut_duration for name in MATH}
    assert sum(times.values()) <= MATH_BUDGET, times


@pytest.mark.parametrize("name", list(MODULES))
def test_cut_layout_and_clean_end(name, cut):
    scene = cut(name)
    assert scene.chapter.layout_problems == []
    assert scene.mobjects == []  # the next part starts on the same renderer: nothing stray
    # (the camera: play_part resets it to the flat view after every part)


# ----------------------------------------------------------------------------- the numbers


def test_hook_cut_steps_are_mathcore_gradient_descent(cut):
    chapter = cut("hook").chapter
    walk = mathcore.run(hook.profile_surface(), "gd", [hook.PROFILE_START], hook.PROFILE_STEPS, hook.PROFILE_LR)
    # The cut shows one step's numbers (the others are taken briskly, without the readout).
    assert [s["k"] for s in chapter.shown_numbers] == list(range(explainer.CUTS["hook"].options["detailed_steps"]))
    for shown in chapter.shown_numbers:
        k = shown["k"]
        assert shown["slope"] == sig(walk.grads[k][0])
        assert shown["step"] == sig(walk.step_sizes[k])
    # The walker still takes every step of the run, and the 3D path is the landscape run.
    assert len(chapter.footprints) == walk.n_steps + 1
    run = hook.landscape_walk()
    assert np.allclose(chapter.trail3d.vertices, chapter.view3d.lifted_points(run.points, run.losses,
                                                                              chapter.mesh3d))


def test_derivatives_cut_secant_and_tangent_come_from_mathcore(cut):
    chapter = cut("derivatives").chapter
    parabola = mathcore.get_surface("parabola")
    f = lambda v: float(parabola.f(np.array([v])))  # noqa: E731
    assert (derivatives.X0, derivatives.X0 + derivatives.SECANT_RUN) == (2.0, 2.5)
    secant_slope = (f(2.5) - f(2.0)) / 0.5
    tangent_slope = float(parabola.grad(np.array([2.0]))[0])
    assert chapter.shown["secant_slope"] == g3(secant_slope) == "4.5"
    assert chapter.shown["tangent_slope"] == g3(tangent_slope) == "4"
    assert float(chapter.shown["limit_slope"]) == pytest.approx(tangent_slope, abs=2e-3)
    # The MathTex on screen hold those strings.
    secant = chapter.formulas["secant"]
    rise_over_run = "".join(secant.tex_strings[:-1])  # (its terms, which the next formula's morph matches)
    assert "2.25" in rise_over_run and "0.5" in rise_over_run
    assert secant.tex_strings[-1] == "4.5"
    assert chapter.formulas["tangent"].tex_strings[-1] == "4"
    assert chapter.formulas["derivative"].tex_strings[1] == parabola.partial_latex[0] == "2 x"


def test_gradient_cut_partials_and_gradient_come_from_mathcore(cut):
    chapter = cut("gradient").chapter
    surface = mathcore.get_surface(gradient.SURFACE)
    g = surface.grad(np.array(gradient.POINT))
    assert chapter.shown["partial_x"] == sig(g[0])
    assert chapter.shown["partial_y"] == sig(g[1])
    assert chapter.shown["gradient"] == f"({sig(g[0])}, {sig(g[1])})"
    assert chapter.formulas["partial_x"].tex_strings[1] == surface.partial_latex[0]
    assert chapter.formulas["partial_y"].tex_strings[1] == surface.partial_latex[1]
    assert chapter.formulas["gradient"].tex_strings[1] == surface.gradient_latex
    assert chapter.field is None  # the field of arrows is not part of the cut


def test_update_rule_cut_table_is_mathcore_run(cut):
    chapter = cut("update_rule").chapter
    run = mathcore.run(mathcore.get_surface("parabola"), "gd", [5.0], 20, 0.1)
    n = explainer.CUTS["update_rule"].options["table_steps"]
    assert 3 <= n < 20
    expected = [(str(k), sig(run.points[k][0]), sig(run.grads[k][0]), sig(run.losses[k])) for k in range(n + 1)]
    assert chapter.table_shown == expected
    assert expected[:3] == [("0", "5.00", "10.0", "25.0"), ("1", "4.00", "8.00", "16.0"), ("2", "3.20", "6.40", "10.2")]
    assert len(chapter.visible_rows) == n + 1
    assert [row[1].tex_string for row in chapter.visible_rows] == [r[1] for r in expected]
    assert chapter.shown["final"] == sig(run.points[n][0])
    assert chapter.shown["ratio"] == "0.8"
    step1 = chapter.formulas["step_1"].tex_strings
    assert step1[1:] == ["5.00", "-", "0.1", r"\times", "10.0", "=", "4.00"]
    assert "step_2" not in chapter.formulas  # one step is written out in the cut
    # The derivation before the table: Taylor, then the best direction against the gradient.
    assert chapter.shown["taylor_first"] == "10 h + 25"
    g = mathcore.get_surface(gradient.SURFACE).grad(np.array(gradient.POINT))
    assert chapter.shown["best_angle"] == 180.0
    assert float(chapter.shown["best_value"]) == pytest.approx(-np.linalg.norm(g), abs=5e-3)


# ----------------------------------------------------------------------------- through the explainer


def test_mathematics_parts_through_play_part(explainer_run):
    """The three mathematics parts on one host, one after the other, as ``Chapter2Mathematics``
    plays them (``play_part``): each its cut, in order, leaving nothing behind."""
    played = [(type(p).__module__.rsplit(".", 1)[-1], p, start, end) for p, start, end in explainer_run.parts]
    names = [stem for stem, *_ in played]
    first = names.index(MATH[0])
    math_parts = played[first:first + len(MATH)]
    assert [stem for stem, *_ in math_parts] == list(MATH)
    assert all(a[3] == pytest.approx(b[2]) for a, b in zip(math_parts, math_parts[1:]))  # back to back
    parts = [p for _, p, _, _ in math_parts]
    assert [p.chapter.cut for p in parts] == [True, True, True]
    assert [list(p.chapter.beat_times) for p in parts] == [list(EXPECTED_BEATS[n]) for n in MATH]
    assert all(p.mobjects == [] for p in parts)
    assert sum(end - start for _, _, start, end in math_parts) <= MATH_BUDGET
    start, end = math_parts[0][2], math_parts[-1][3]
    sections = [name for name, t, _ in explainer_run.beats if start <= t < end]
    assert sections == [f"{n}.{b}" for n in MATH for b in EXPECTED_BEATS[n]]


@pytest.mark.parametrize("cut", [True, False])
def test_fix_pins_overlays_without_showing_them_early(cut):
    """An overlay pinned to the frame appears with the animation that shows it, in the cut and
    in the full chapters alike (manim's add_fixed_in_frame_mobjects would put it on screen at once)."""
    from manim import FadeIn, MathTex

    with tempconfig(CONFIG):
        scene = ThreeDScene(skip_animations=True)
        scene.cut_plan = Cut() if cut else None
        label = MathTex("x")
        Chapter(scene).fix(label)
        assert label not in scene.mobjects
        assert label in scene.renderer.camera.fixed_in_frame_mobjects
        scene.play(FadeIn(label))
        assert label in scene.mobjects
