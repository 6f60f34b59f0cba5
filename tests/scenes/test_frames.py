"""Golden frames of building blocks and key frames, with manim's ``frames_comparison``.

Control data (``control_data/scenes/*.npz``) is made on this machine's Cairo (1.16):
``pytest tests/scenes/test_frames.py --set_test`` rewrites it after an intended change,
``--show_diff`` shows what changed. A skipped frame test counts as a failure (conftest).
Colours are passed explicitly: these tests do not read manim.cfg or $GDX_THEME.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from manim import DEGREES, Axes, ThreeDScene
from manim.utils.testing.frames_comparison import frames_comparison

import mathcore
from scenes.mobjects import (
    LossPlot, LossSurface, MapPanel, Marker, Readout, SurfaceView, Trail, diverged_mark, minimum_mark, start_mark,
    visible,
)
from scenes.mobjects.occlusion import eye_position
from scenes.theme import get_theme

__module_test__ = "scenes"
pytestmark = pytest.mark.frames

DARK, LIGHT = get_theme("dark"), get_theme("light")
CONTROL = Path(__file__).parent / "control_data" / __module_test__


@frames_comparison(background_color=DARK.background)
def test_loss_plot_log(scene):
    traj = mathcore.run("rosenbrock", mathcore.make_optimizer("momentum", lr=1e-3), (-1.5, 2.0), 600)
    plot = LossPlot([(traj.losses, DARK.optimizer_color("momentum"))], DARK, log=True, width=6, height=3.5, step=250)
    scene.add(plot)


@frames_comparison(background_color=DARK.background)
def test_contour_map_with_path(scene):
    surface = mathcore.get_surface("sigmoid-error")
    traj = mathcore.run(surface, mathcore.make_optimizer("gd", lr=1.0), (-2.0, -2.0), 300)
    levels = (0.003, 0.01, 0.03, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6)
    panel = MapPanel(surface, surface.domain, DARK, side=6, levels=levels, band_opacity=0.6, line_opacity=0.5,
                     ticks=(range(-6, 7, 2), range(-6, 7, 2)))
    to_map = panel.to_scene
    trail = Trail(to_map(traj.points), DARK.optimizer_color("gd"))
    scene.add(panel, trail, start_mark(to_map(traj.points[:1])[0], DARK, label=None),
              Marker(to_map(traj.points), DARK.optimizer_color("gd"), DARK, step=traj.n_steps),
              minimum_mark(to_map(np.array(surface.minima[:1]))[0], DARK))


@frames_comparison(background_color=LIGHT.background, base_scene=ThreeDScene)
def test_surface_mesh_light(scene):
    """The lit mesh (no side walls), a lifted path with its hidden part faint, in the light theme."""
    surface = mathcore.get_surface("rosenbrock")
    traj = mathcore.run(surface, mathcore.make_optimizer("momentum", lr=1e-3), (-1.5, 2.0), 900)
    phi, theta = 50 * DEGREES, -112 * DEGREES
    view = SurfaceView.for_surface(surface, side=4.4, z_length=1.7)
    mesh = LossSurface(view, LIGHT, resolution=14).bake_shading()
    scene.renderer.camera.should_apply_shading = False
    pts = view.lifted_points(traj.points, traj.losses, mesh)
    seen = visible(pts, eye_position(phi, theta), mesh)
    scene.set_camera_orientation(phi=phi, theta=theta)
    scene.add(mesh, Trail(pts, LIGHT.optimizer_color("momentum"), visible=seen, outline="#000000"))


@frames_comparison(background_color=DARK.background)
def test_key_frame_diverged_parabola(scene):
    """The learning-rate scene's too-large step: chords that leave the plot, and the mark."""
    traj = mathcore.run("parabola", mathcore.make_optimizer("gd", lr=1.05), [5.0], 400)
    axes = Axes(x_range=(-8, 8, 4), y_range=(0, 64, 32), x_length=7, y_length=4.5)
    pts = np.asarray(axes.c2p(traj.points[:6, 0], traj.losses[:6]), float).T
    color = DARK.color("adam")
    from scenes.mobjects import clip_to_box

    lo, hi = axes.c2p(-8, 0), axes.c2p(8, 64)
    shown, exit_index = clip_to_box(pts, (lo[0], hi[0], lo[1], hi[1]))
    assert exit_index == 5
    scene.add(axes, Trail(shown, color, width=3), diverged_mark(shown[-1], shown[-1] - shown[-2], DARK))


@frames_comparison(background_color=DARK.background)
def test_key_frame_readout(scene):
    traj = mathcore.run("sigmoid-error", mathcore.make_optimizer("gd", lr=1.0), (-2.0, -2.0), 1000)
    rows = [("L", traj.losses), ("w", traj.points[:, 0]), ("b", traj.points[:, 1])]
    readout = Readout(rows, DARK, layout="grid", columns=2, slot=2.5)
    readout.set_step(traj.n_steps)
    scene.add(readout)


def test_control_data_exists_for_every_frame_test():
    names = [n[len("test_"):] for n in globals() if n.startswith("test_") and n != "test_control_data_exists_for_every_frame_test"
             and n != "test_comparison_fails_on_a_changed_frame"]
    missing = [n for n in names if not (CONTROL / f"{n}.npz").is_file()]
    assert not missing, f"no control frames for {missing}: run pytest {__file__} --set_test"


def test_comparison_fails_on_a_changed_frame():
    """The comparison really compares: a control frame with a small patch changed fails."""
    from manim.utils.testing._frames_testers import _FramesTester

    path = CONTROL / "contour_map_with_path.npz"
    frame = np.load(path)["frame_data"][0].copy()
    frame[200:220, 300:320, :3] = 255 - frame[200:220, 300:320, :3]  # 400 pixels inverted
    tester = _FramesTester(path)
    with pytest.raises(AssertionError):
        with tester.testing():
            tester.check_frame(0, frame)
