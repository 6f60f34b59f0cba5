"""Every scene renders under a dry run, and shows mathcore's numbers and formulas.

A dry run plays every animation (updaters included) without writing frames, so it
catches errors in any beat; the scene object is kept for geometry checks afterwards.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from manim import tempconfig

import mathcore
from scenes.mobjects import format_sig

ROOT = Path(__file__).resolve().parents[2]
# LaTeX output is cached between test runs here (ignored by git), not in the CLI's media/.
CACHE = ROOT / ".pytest_cache" / "gdx-media"


@pytest.fixture(autouse=True)
def defaults(monkeypatch):
    monkeypatch.delenv("GDX_THEME", raising=False)
    monkeypatch.delenv("GDX_CONFIG", raising=False)


def render(scene_cls, theme: str | None = None, monkeypatch=None, frame_rate: float = 2):
    """A dry run at low quality. Frames are drawn (so drawing errors show) but only
    ``frame_rate`` per second: every play and updater runs, and the suite stays fast."""
    if theme and monkeypatch is not None:
        monkeypatch.setenv("GDX_THEME", theme)
    with tempconfig({"dry_run": True, "quality": "low_quality", "frame_rate": frame_rate, "media_dir": str(CACHE),
                     "disable_caching": True, "progress_bar": "none", "verbosity": "WARNING"}):
        scene = scene_cls()
        scene.render()
    return scene


@pytest.fixture(scope="module")
def descent():
    from scenes.parts.descent import RosenbrockDescent

    return render(RosenbrockDescent)


@pytest.fixture(scope="module")
def neuron():
    from scenes.parts.sigmoid_neuron import SigmoidNeuron

    return render(SigmoidNeuron)


@pytest.fixture(scope="module")
def learning_rate():
    from scenes.parts.learning_rate import LearningRate

    return render(LearningRate)


def duration(scene) -> float:
    """Seconds of video at the real frame rate (the sum of the plays' run times)."""
    return scene.planned_time


# ----------------------------------------------------------------------------- descent


def test_descent_renders_in_20_to_60_seconds(descent):
    assert 20 <= duration(descent) <= 60


def test_descent_formula_is_the_surface_latex(descent):
    surface = descent.data.surface
    assert descent.formula.tex_strings[1] == surface.latex
    assert descent.rule.source == descent.data.optimizer.latex


def test_descent_path_has_one_vertex_per_point_and_ends_at_the_minimum(descent):
    d, traj = descent.data, descent.data.trajectory
    assert len(descent.trail3d.vertices) == traj.n_steps + 1 == d.last + 1
    end = descent.floor_trail.vertices[-1]
    assert np.allclose(end, descent.view.floor_points([traj.points[-1]])[0])
    assert np.allclose(traj.points[-1], d.surface.minima[0], atol=5e-4)  # reads (1.00, 1.00)


def test_descent_numbers_are_the_trajectorys(descent):
    traj = descent.data.trajectory
    k = descent.data.last
    shown = [line.tex_string for line in descent.summary]
    assert shown[0] == rf"\text{{after {k} steps:}}"
    assert format_sig(traj.points[k][0]) in shown[1] and format_sig(traj.points[k][1]) in shown[1]
    assert shown[2] == f"f = {format_sig(traj.losses[k])}"
    assert descent.readout.shown() == [str(k)] + [format_sig(v) for v in (*traj.points[k], traj.losses[k],
                                                                         traj.grad_norms[k])]


# ----------------------------------------------------------------------------- sigmoid neuron


def test_neuron_renders_in_20_to_60_seconds(neuron):
    assert 20 <= duration(neuron) <= 60


def test_neuron_ends_at_the_fit(neuron):
    traj = neuron.data.trajectory
    assert traj.n_steps == neuron.cfg.steps
    assert [format_sig(v) for v in traj.points[-1]] == ["1.79", "-2.28"]
    assert neuron.readout.shown() == [str(traj.n_steps), format_sig(traj.losses[-1]), "1.79", "-2.28"]
    end = neuron.trail.front.points[-1]
    assert np.allclose(end, neuron.map.at(traj.points[-1]))
    assert len(neuron.trail.vertices) == traj.n_steps + 1
    # The curve passes through both data points (to the pixel).
    X, Y = neuron.data.surface.data
    assert np.allclose(neuron.data.model(*traj.points[-1], X), Y, atol=1e-3)


def test_neuron_formula_is_the_surface_latex(neuron):
    assert neuron.map_caption.tex_string == "L(w, b) = " + neuron.data.surface.latex


def test_neuron_loss_plot_shows_the_plateau(neuron):
    losses = neuron.data.trajectory.losses
    # Flat for the first 50 steps (within 3 %), then down by an order of magnitude by step 100.
    assert losses[50] > 0.97 * losses[0] and losses[100] < 0.1 * losses[0]


# ----------------------------------------------------------------------------- learning rate


def test_learning_rate_renders_in_20_to_60_seconds(learning_rate):
    assert 20 <= duration(learning_rate) <= 60


def test_learning_rate_step_counts_come_from_mathcore(learning_rate):
    d = learning_rate.data
    runs = d.parabola_runs
    assert [d.arrival(r) for r in runs[:2]] == [308, 28]
    assert runs[2].status == "diverged" and runs[2].n_steps == 129


def test_light_theme_renders(monkeypatch):
    from scenes.parts.sigmoid_neuron import SigmoidNeuron

    scene = render(SigmoidNeuron, "light", monkeypatch, frame_rate=1)
    assert scene.theme.name == "light" and str(scene.camera.background_color).upper() == "#FFFFFF"
    assert scene.trail.front.get_stroke_color().to_hex().upper() == scene.theme.optimizer_color("gd").upper()


def test_sigmoid_surface_is_the_one_in_mathcore():
    surface = mathcore.get_surface("sigmoid-error")
    assert surface.data == ((0.5, 2.5), (0.2, 0.9))
