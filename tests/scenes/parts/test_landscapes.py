"""The landscape tour (``scenes/parts/landscapes.py``): runs, readouts and the basin map.

The part renders once per test session under a dry run (``tests/scenes/conftest.py``).
"""

from __future__ import annotations

import numpy as np
import pytest
from manim import ManimColor

import mathcore
from mathcore.schedules import cosine
from scenes.mobjects import format_sig
from scenes.mobjects.heights import colormap


def same_point(a, b, tol=1e-9):
    return np.allclose(np.asarray(a, float)[:2], np.asarray(b, float)[:2], atol=tol)


def test_landscape_runs_are_mathcores(landscapes):
    scene, _ = landscapes
    cfg = scene.cfg
    surface = mathcore.get_surface("rastrigin")
    opt = mathcore.make_optimizer("gd", lr=cfg.rastrigin_lr)
    schedule = cosine(cfg.rastrigin_lr, cfg.rastrigin_steps)
    plain = mathcore.run(surface, opt, cfg.rastrigin_start, cfg.rastrigin_steps, schedule=schedule)
    noisy = mathcore.run(surface, opt, cfg.rastrigin_start, cfg.rastrigin_steps, schedule=schedule,
                         grad_noise=cfg.grad_noise, seed=cfg.noise_seed)
    assert "noise" in noisy.label and f"{cfg.grad_noise:g}" in noisy.label
    panel = scene.map_panel
    for path, traj in ((scene.gd_path, plain), (scene.noise_path, noisy)):
        assert len(path.trail.vertices) == len(traj.points)
        assert path.trail.step == len(traj.points) - 1
        assert same_point(path.trail.end, panel.at(traj.points[-1]))
        assert same_point(path.ball.get_center(), panel.at(traj.points[-1]))
    # The noisy run ends lower than plain GD, which is stuck in a pit with a zero gradient.
    assert noisy.losses[-1] < plain.losses[-1]
    assert plain.grad_norms[-1] < 1e-9


def test_landscape_3d_runs_end_at_their_last_point(landscapes):
    scene, _ = landscapes
    for run, traj in ((scene.srun, scene.data.saddle), (scene.prun, scene.data.plateau)):
        assert len(run.trail3d.vertices) == len(traj.points) == run.last + 1
        view = scene_view = run.stage.view
        x, y = traj.points[-1]
        expected = view.axes.c2p(x, y, float(view.heights(traj.losses[-1])))
        assert same_point(run.trail3d.end, expected)
        assert scene_view.lift > 0 and run.trail3d.end[2] >= expected[2]
    # The saddle: the gradient norm dips (shown in the readout) and grows again.
    g = scene.data.saddle.grad_norms
    k = int(np.argmin(g))
    assert g[k] < 0.2 * g[0] and g[-1] > 10 * g[k]
    # The plateau starts with a gradient norm of a few thousandths.
    assert scene.data.plateau.grad_norms[0] < 0.01


def test_readouts_show_mathcores_rounded_numbers(landscapes):
    scene, _ = landscapes
    traj = scene.data.plateau
    shown = scene.pread.shown()
    k = scene.pread.step
    assert shown == [str(k), format_sig(traj.losses[k]), format_sig(traj.grad_norms[k])]


def test_basin_map_colours_are_mathcores_basins(landscapes):
    scene, _ = landscapes
    cfg = scene.cfg
    surface = mathcore.get_surface("rastrigin")
    xs, ys, index = mathcore.basins(surface, mathcore.make_optimizer("gd", lr=cfg.basin_lr), grid_n=cfg.basin_grid,
                                    steps=cfg.basin_steps, tol=cfg.basin_tol, domain=cfg.rastrigin_window)
    bmap = scene.bmap
    assert np.array_equal(bmap.index, index)
    minima = np.array([c.point for c in surface.facts.minima], float)  # the order basins index
    f_min = surface.f(minima.T)
    top = f_min[np.unique(index[index >= 0])].max()
    for idx, shape in bmap.groups.items():
        expected = ManimColor(scene.theme.faint) if idx < 0 else colormap(scene.theme.colorscale, f_min[idx] / top)
        assert shape.get_fill_color().to_hex() == ManimColor(expected).to_hex()
        # One closed square per start that ends in this minimum.
        assert len(shape.get_subpaths()) == int(np.sum(index == idx))
    i, j = np.argwhere(index == 0)[0]
    assert ManimColor(bmap.cell_color(i, j)).to_hex() == ManimColor(colormap(scene.theme.colorscale, 0.0)).to_hex()


def _beat_lengths(scene) -> dict:
    beats = scene.story.beats
    ends = [b["end"] if b["end"] is not None else scene.exact_duration for b in beats]
    return {b["name"]: round(e - b["start"], 6) for b, e in zip(beats, ends)}


def test_3d_beats_settle_the_camera_without_changing_their_length(landscapes):
    """The camera turns into each 3D pose (phi and theta both change) in plays that replace the
    beat's old ones: the beats keep the lengths the explainer's budget was made with."""
    from manim import DEGREES

    scene, _ = landscapes
    for beat in ("many_minima", "saddle", "plateau"):
        start, end = scene.orbits[beat]
        assert abs(start["phi"] - end["phi"]) > 3 * DEGREES and abs(start["theta"] - end["theta"]) > 10 * DEGREES
        assert 50 * DEGREES < start["phi"] < 75 * DEGREES
    planned = {"many_minima": 4.0, "gd_trapped": 8.4, "noise_escapes": 12.7, "saddle": 12.6, "plateau": 12.0,
               "basin_map": 9.2}
    # in whole frames at 15 fps (scenes.part.FrameExact): each within a frame of its plan
    assert _beat_lengths(scene) == pytest.approx(planned, abs=1 / 15 + 1e-6)


def test_3d_runs_stay_in_view(landscapes):
    """The plateau's camera looks down steeply enough that no step of the run is behind the
    well's rim (the ball used to vanish there); the saddle's run is in view throughout too."""
    scene, _ = landscapes
    for run in (scene.srun, scene.prun):
        assert run.ball3d.visible_mask.all() and run.trail3d.segment_visible.all()
    stage = scene.prun.stage
    assert stage.phi <= 58 * np.pi / 180
    # The meshes are lit (baked; the camera does not shade them again), walls-free tops.
    assert not scene.renderer.camera.should_apply_shading
    for run in (scene.srun, scene.prun):
        mesh = run.stage.mesh
        assert mesh.shading_baked and mesh.family_members_with_points() == mesh.list_of_faces
