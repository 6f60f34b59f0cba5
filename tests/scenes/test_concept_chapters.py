"""Chapters 1-4 (hook, derivatives, gradient, update rule): dry-run renders and on-screen numbers.

Each chapter's Scene renders once per module under a dry run (no frames, no movie); the
tests then read what the chapter recorded: the number strings and MathTex it showed, its
beat timings, and the layout audit (text size >= 24, inside the 0.5 margin) run after
every beat. Expected values are recomputed here from mathcore and SymPy.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from manim import tempconfig

import mathcore
from scenes.parts import derivatives, gradient, hook, update_rule
from scenes.chapter import Chapter, sig, g3, load_narration

MEDIA = Path(__file__).resolve().parents[2] / "media" / "tests_concept_chapters"
MODULES = {"hook": hook, "derivatives": derivatives, "gradient": gradient, "update_rule": update_rule}
SCENES = {"hook": hook.HookChapter, "derivatives": derivatives.DerivativesChapter,
          "gradient": gradient.GradientChapter, "update_rule": update_rule.UpdateRuleChapter}


def _render(name):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Chapter, "audit", True)
        with tempconfig({"dry_run": True, "quality": "low_quality", "media_dir": str(MEDIA),
                         "disable_caching": True, "verbosity": "WARNING", "progress_bar": "none"}):
            # Skip frame rendering: every play still runs once, at its end state, and the
            # scene clock advances by its run time (dry_run alone would still draw frames).
            scene = SCENES[name](skip_animations=True)
            _watch_overlays(scene)
            scene.render()
    return scene


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


@pytest.fixture(scope="module")
def rendered():
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = _render(name)
        return cache[name]

    return get


# ----------------------------------------------------------------------------- structure


@pytest.mark.parametrize("name", list(MODULES))
def test_beats_match_narration_and_methods(name):
    module = MODULES[name]
    narration = load_narration(name)
    assert list(narration) == list(module.BEATS)
    # every beat says something, except an outro: a short fade with an empty line, over which
    # the previous beat's subtitle stays on (gdx.subtitles.cues_from_beats)
    assert all(text.strip() for beat, text in narration.items() if beat != "outro")
    chapter_cls = next(v for v in vars(module).values()
                       if isinstance(v, type) and issubclass(v, Chapter) and v is not Chapter)
    assert chapter_cls.BEATS == module.BEATS
    for beat in module.BEATS:
        assert callable(getattr(chapter_cls, beat)), beat


@pytest.mark.parametrize("name", list(MODULES))
def test_chapter_renders_in_order_within_length_and_layout(name, rendered):
    scene = rendered(name)
    chapter = scene.chapter
    assert list(chapter.beat_times) == list(MODULES[name].BEATS)
    starts = [a for a, _ in chapter.beat_times.values()]
    assert starts == sorted(starts)
    assert 30.0 <= scene.renderer.time <= 50.0, scene.renderer.time
    assert chapter.layout_problems == []
    assert scene.mobjects == []  # each chapter ends on an empty frame, ready for the next


# The overlays each full 3D chapter writes in, by a word of their text.
INTRODUCED_OVERLAYS = {
    "hook": ("slope", "step"),
    "gradient": ("f(x, y)", r"\frac{\partial f}{\partial x}", r"\text{at}", r"\frac{\partial f}{\partial y}",
                 r"\nabla f = ", r"\begin{matrix}", "steepestascent", "steepestdescent"),  # Text drops spaces
}


@pytest.mark.parametrize("name", ["hook", "gradient"])
def test_overlays_appear_only_with_the_animation_that_shows_them(name, rendered):
    """A pinned overlay (readout, formula, label) is not in the scene before the play that
    writes or fades it in, and one that is changed or faded out was on screen first."""
    log = rendered(name).overlay_log
    assert [entry for entry in log if entry[0] == "early"] == []
    assert [entry for entry in log if entry[0] == "unseen"] == []
    shown = [label for kind, _, label in log if kind == "shown"]
    for word in INTRODUCED_OVERLAYS[name]:  # the check saw the overlays it is about
        assert any(word in label for label in shown), (word, shown)


@pytest.mark.parametrize("name", ["hook", "gradient"])
def test_three_d_chapters_end_with_the_default_camera(name, rendered):
    camera = rendered(name).camera
    assert camera.get_phi() == 0 and camera.get_zoom() == 1
    assert np.allclose(camera.frame_center, 0)
    assert not camera.fixed_in_frame_mobjects


# ----------------------------------------------------------------------------- chapter 1


def test_hook_steps_are_mathcore_gradient_descent(rendered):
    chapter = rendered("hook").chapter
    walk = mathcore.run(hook.profile_surface(), "gd", [hook.PROFILE_START], hook.PROFILE_STEPS, hook.PROFILE_LR)
    assert [s["k"] for s in chapter.shown_numbers] == list(range(walk.n_steps))
    for shown in chapter.shown_numbers:
        k = shown["k"]
        assert shown["slope"] == sig(walk.grads[k][0])
        assert shown["step"] == sig(walk.step_sizes[k])
        assert shown["lr"] == f"{hook.PROFILE_LR:g}"
    # Downhill every time, and the steps shrink as the ground flattens.
    assert np.all(np.diff(walk.points[:, 0]) > 0)
    assert np.all(np.diff(walk.step_sizes) < 0)
    assert np.allclose(walk.step_sizes, hook.PROFILE_LR * np.abs(walk.grads[:-1, 0]))


def test_hook_landscape_path_is_the_mathcore_run(rendered):
    chapter = rendered("hook").chapter
    run = hook.landscape_walk()
    trail = chapter.trail3d
    assert len(trail.vertices) == len(run.points)
    expected = chapter.view3d.lifted_points(run.points, run.losses, chapter.mesh3d)
    assert np.allclose(trail.vertices, expected)
    assert run.losses[-1] < run.losses[0]


# ----------------------------------------------------------------------------- chapter 2


def test_derivatives_secant_and_tangent_numbers(rendered):
    chapter = rendered("derivatives").chapter
    parabola = mathcore.get_surface("parabola")
    f = lambda v: float(parabola.f(np.array([v])))  # noqa: E731
    rise = f(2.5) - f(2.0)
    assert rise == pytest.approx(2.25)
    assert chapter.shown["run"] == "0.5"
    assert chapter.shown["rise"] == "2.25" == g3(rise)
    assert chapter.shown["secant_slope"] == "4.5" == g3(rise / 0.5)
    assert chapter.shown["tangent_slope"] == "4" == g3(parabola.grad(np.array([2.0]))[0])
    assert float(chapter.shown["limit_slope"]) == pytest.approx(4.0, abs=2e-3)
    assert chapter.shown["vertex_slope"] == "0"
    assert chapter.shown["nudge_approx"] == g3(4 * derivatives.NUDGE)
    # What the readout MathTex holds is what was recorded.
    secant = chapter.formulas["secant"]
    assert "2.25" in secant.tex_strings[0] and "0.5" in secant.tex_strings[0]
    assert secant.tex_strings[1] == "4.5"
    assert chapter.formulas["tangent"].tex_strings[1] == "4"


def test_derivatives_formulas_are_sympy_latex(rendered):
    chapter = rendered("derivatives").chapter
    x = sp.Symbol("x", real=True)
    assert chapter.formulas["f"].tex_strings[1] == sp.latex(x**2) == "x^{2}"
    assert chapter.formulas["derivative"].tex_strings[1] == sp.latex(sp.diff(x**2, x)) == "2 x"


# ----------------------------------------------------------------------------- chapter 3


def test_gradient_partials_are_sympy_latex_and_mathcore_values(rendered):
    chapter = rendered("gradient").chapter
    x, y = sp.symbols("x y", real=True)
    expr = mathcore.parse_formula(gradient.SURFACE).subs({sp.Symbol("x", real=True): x})
    assert chapter.formulas["f"].tex_strings[1] == sp.latex(expr)
    assert chapter.formulas["partial_x"].tex_strings[1] == sp.latex(sp.diff(expr, x))
    assert chapter.formulas["partial_y"].tex_strings[1] == sp.latex(sp.diff(expr, y))
    assert chapter.formulas["gradient"].tex_strings[1] == sp.latex(sp.Matrix([sp.diff(expr, x), sp.diff(expr, y)]))
    g = mathcore.get_surface(gradient.SURFACE).grad(np.array(gradient.POINT))
    assert chapter.shown["partial_x"] == sig(g[0])
    assert chapter.shown["partial_y"] == sig(g[1])


def test_gradient_chain_rule_is_sympy(rendered):
    chapter = rendered("gradient").chapter
    x = sp.Symbol("x", real=True)
    h = sp.sin(x**2)
    f = chapter.formulas
    assert f["chain_h"].tex_strings[1] == sp.latex(h)
    assert f["chain_result"].tex_strings[1] == sp.latex(sp.diff(h, x)) == r"2 x \cos{\left(x^{2} \right)}"
    assert f["chain_d_inner"].tex_strings[1] == "2 x"
    assert f["chain_d_outer"].tex_strings[1] == r"\cos{\left(u \right)}"


# ----------------------------------------------------------------------------- chapter 4


def test_update_rule_table_is_mathcore_run(rendered):
    chapter = rendered("update_rule").chapter
    run = mathcore.run(mathcore.get_surface("parabola"), "gd", [5.0], 20, 0.1)
    expected = [(str(k), sig(run.points[k][0]), sig(run.grads[k][0]), sig(run.losses[k])) for k in range(21)]
    assert chapter.table_shown == expected
    assert expected[1][1:] == ("4.00", "8.00", "16.0") and expected[-1][1] == "0.0576"
    assert chapter.shown["final"] == "0.0576"
    assert chapter.shown["ratio"] == "0.8"
    # The scrolling window: at most VISIBLE_ROWS rows on screen, ending with step 20.
    assert len(chapter.visible_rows) == update_rule.VISIBLE_ROWS
    assert chapter.visible_rows[-1][1].tex_string == expected[-1][1]
    # The worked steps.
    step1 = chapter.formulas["step_1"].tex_strings
    assert step1[1:] == ["5.00", "-", "0.1", r"\times", "10.0", "=", "4.00"]
    assert chapter.formulas["step_2"].tex_strings[-1] == "3.20"


def test_update_rule_formulas_are_sympy(rendered):
    chapter = rendered("update_rule").chapter
    theta = sp.Symbol("theta")
    loss = chapter.formulas["loss"].tex_strings
    assert loss[1] == sp.latex(theta**2) and loss[4] == sp.latex(2 * theta)
    h = sp.Symbol("h")
    assert chapter.shown["taylor_exact"] == sp.latex(sp.expand((5 + h) ** 2)) == "h^{2} + 10 h + 25"
    assert chapter.shown["taylor_first"] == "10 h + 25"
    ex = chapter.formulas["taylor_example"].tex_strings
    assert ex[1] == chapter.shown["taylor_exact"] and ex[3] == chapter.shown["taylor_first"]


def test_update_rule_best_direction_is_against_the_gradient(rendered):
    chapter = rendered("update_rule").chapter
    g = mathcore.get_surface(gradient.SURFACE).grad(np.array(gradient.POINT))
    assert chapter.shown["best_angle"] == 180.0
    assert float(chapter.shown["best_value"]) == pytest.approx(-np.linalg.norm(g), abs=5e-3)
