"""The explainer's cuts of chapters 1-4: dry runs with ``explainer_cut = True`` on the scene.

``scenes/explainer.py`` (``play_part``) sets ``explainer_cut = True`` on each part's Scene, and
the chapter then plays only its ``CUT_BEATS`` with shorter timings. These tests run each cut
under a dry run (no frames, no movie, a fraction of a second of scene work per play) and check
its length against the budget (hook <= 30 s; derivatives + gradient + update rule <= 80 s),
the beats it played and the sections they started, the layout audit, that it ends on an empty
frame, and that the numbers the cut shows are still mathcore's. One test plays the three
mathematics parts through ``play_part`` on one host scene, as the explainer does.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from manim import ThreeDScene, tempconfig
from manim.scene.scene_file_writer import SceneFileWriter

import mathcore
from scenes.chapters import derivatives, gradient, hook, update_rule
from scenes.chapters._common import Chapter, fmt3, g3

MEDIA = Path(__file__).resolve().parents[2] / "media" / "tests_explainer_cuts_1_4"
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


def recording_sections(mp) -> list[str]:
    """The names of the sections started from now on (a dry run drops them, being empty)."""
    names = []
    own = SceneFileWriter.next_section

    def next_section(self, name, *args, **kwargs):
        names.append(name)
        return own(self, name, *args, **kwargs)

    mp.setattr(SceneFileWriter, "next_section", next_section)
    return names


def _render_cut(name):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Chapter, "audit", True)
        sections = recording_sections(mp)
        with tempconfig(CONFIG):
            # Skip frame rendering: every play still runs once, at its end state, and the
            # scene clock advances by its run time.
            scene = SCENES[name](skip_animations=True)
            scene.explainer_cut = True  # what play_part does
            scene.render()
    scene.section_names = sections
    return scene


@pytest.fixture(scope="module")
def cut():
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = _render_cut(name)
        return cache[name]

    return get


# ----------------------------------------------------------------------------- structure and length


@pytest.mark.parametrize("name", list(MODULES))
def test_cut_plays_the_expected_beats_in_order(name, cut):
    scene = cut(name)
    chapter = scene.chapter
    assert chapter.explainer_cut
    module = MODULES[name]
    assert tuple(module.CUT_BEATS) == EXPECTED_BEATS[name]
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
    assert MINIMUM[name] < scene.renderer.time, scene.renderer.time
    # The beats cover the whole cut: it starts with the first beat and ends with the last.
    assert scene.chapter.duration == pytest.approx(scene.renderer.time)


def test_hook_cut_fits_its_budget(cut):
    assert cut("hook").renderer.time <= HOOK_BUDGET


def test_mathematics_cuts_fit_their_budget(cut):
    times = {name: cut(name).renderer.time for name in MATH}
    assert sum(times.values()) <= MATH_BUDGET, times


@pytest.mark.parametrize("name", list(MODULES))
def test_cut_layout_and_clean_end(name, cut):
    scene = cut(name)
    assert scene.chapter.layout_problems == []
    assert scene.mobjects == []  # the next part starts on the same renderer: nothing stray
    if isinstance(scene, ThreeDScene):
        camera = scene.camera
        assert camera.get_phi() == 0 and camera.get_zoom() == 1
        assert np.allclose(camera.frame_center, 0)
        assert not camera.fixed_in_frame_mobjects


# ----------------------------------------------------------------------------- the numbers


def test_hook_cut_steps_are_mathcore_gradient_descent(cut):
    chapter = cut("hook").chapter
    walk = mathcore.run(hook.profile_surface(), "gd", [hook.PROFILE_START], hook.PROFILE_STEPS, hook.PROFILE_LR)
    # The cut shows one step's numbers (the others are taken briskly, without the readout).
    assert [s["k"] for s in chapter.shown_numbers] == list(range(hook.CUT_DETAILED_STEPS))
    for shown in chapter.shown_numbers:
        k = shown["k"]
        assert shown["slope"] == fmt3(walk.grads[k][0])
        assert shown["step"] == fmt3(walk.step_sizes[k])
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
    assert "2.25" in secant.tex_strings[0] and "0.5" in secant.tex_strings[0]
    assert secant.tex_strings[1] == "4.5"
    assert chapter.formulas["tangent"].tex_strings[1] == "4"
    assert chapter.formulas["derivative"].tex_strings[1] == parabola.partial_latex[0] == "2 x"


def test_gradient_cut_partials_and_gradient_come_from_mathcore(cut):
    chapter = cut("gradient").chapter
    surface = mathcore.get_surface(gradient.SURFACE)
    g = surface.grad(np.array(gradient.POINT))
    assert chapter.shown["partial_x"] == fmt3(g[0])
    assert chapter.shown["partial_y"] == fmt3(g[1])
    assert chapter.shown["gradient"] == f"({fmt3(g[0])}, {fmt3(g[1])})"
    assert chapter.formulas["partial_x"].tex_strings[1] == surface.partial_latex[0]
    assert chapter.formulas["partial_y"].tex_strings[1] == surface.partial_latex[1]
    assert chapter.formulas["gradient"].tex_strings[1] == surface.gradient_latex
    assert chapter.field is None  # the field of arrows is not part of the cut


def test_update_rule_cut_table_is_mathcore_run(cut):
    chapter = cut("update_rule").chapter
    run = mathcore.run(mathcore.get_surface("parabola"), "gd", [5.0], 20, 0.1)
    n = update_rule.CUT_STEPS
    assert 3 <= n < 20
    expected = [(str(k), fmt3(run.points[k][0]), fmt3(run.grads[k][0]), fmt3(run.losses[k])) for k in range(n + 1)]
    assert chapter.table_shown == expected
    assert expected[:3] == [("0", "5.00", "10.0", "25.0"), ("1", "4.00", "8.00", "16.0"), ("2", "3.20", "6.40", "10.2")]
    assert len(chapter.visible_rows) == n + 1
    assert [row[1].tex_string for row in chapter.visible_rows] == [r[1] for r in expected]
    assert chapter.shown["final"] == fmt3(run.points[n][0])
    assert chapter.shown["ratio"] == "0.800"
    step1 = chapter.formulas["step_1"].tex_strings
    assert step1[1:] == ["5.00", "-", "0.1", r"\times", "10.0", "=", "4.00"]
    assert "step_2" not in chapter.formulas  # one step is written out in the cut
    # The derivation before the table: Taylor, then the best direction against the gradient.
    assert chapter.shown["taylor_first"] == "10 h + 25"
    g = mathcore.get_surface(gradient.SURFACE).grad(np.array(gradient.POINT))
    assert chapter.shown["best_angle"] == 180.0
    assert float(chapter.shown["best_value"]) == pytest.approx(-np.linalg.norm(g), abs=5e-3)


# ----------------------------------------------------------------------------- through the explainer


def test_mathematics_parts_through_play_part():
    """The three mathematics parts on one host, as ``Chapter2Mathematics`` plays them."""
    from scenes.explainer import play_part

    parts = []

    def recording(cls):
        class Recorded(cls):
            def construct(self):
                parts.append(self)
                super().construct()

        Recorded.__module__ = cls.__module__  # play_part names sections after the module
        return Recorded

    class Host(ThreeDScene):
        def construct(self):
            self.part_times = []
            for name in MATH:
                start = self.renderer.time
                play_part(self, recording(SCENES[name]), sections=True)
                self.part_times.append(self.renderer.time - start)

    with pytest.MonkeyPatch.context() as mp:
        names = recording_sections(mp)
        with tempconfig(CONFIG):
            host = Host(skip_animations=True)
            host.render()
    assert [p.chapter.explainer_cut for p in parts] == [True, True, True]
    assert [list(p.chapter.beat_times) for p in parts] == [list(EXPECTED_BEATS[n]) for n in MATH]
    assert all(p.mobjects == [] for p in parts)
    assert sum(host.part_times) <= MATH_BUDGET, host.part_times
    sections = [s for s in names if "." in s]
    assert sections == [f"{n}.{b}" for n in MATH for b in EXPECTED_BEATS[n]]


@pytest.mark.parametrize("cut", [True, False])
def test_fix_pins_overlays_without_showing_them_early(cut):
    """An overlay pinned to the frame appears with the animation that shows it, in the cut and
    in the full chapters alike (manim's add_fixed_in_frame_mobjects would put it on screen at once)."""
    from manim import FadeIn, MathTex

    with tempconfig(CONFIG):
        scene = ThreeDScene(skip_animations=True)
        label = MathTex("x")
        Chapter(scene, explainer_cut=cut).fix(label)
        assert label not in scene.mobjects
        assert label in scene.renderer.camera.fixed_in_frame_mobjects
        scene.play(FadeIn(label))
        assert label in scene.mobjects
