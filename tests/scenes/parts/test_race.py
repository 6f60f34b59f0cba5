"""The race (``scenes/parts/race.py``): a fair race drawn from its runs, the scoreboard.

The part renders once per test session under a dry run (``tests/scenes/conftest.py``).
"""

from __future__ import annotations

import numpy as np
import pytest

import mathcore
from scenes import config
from scenes.mobjects import format_sig


def same_point(a, b, tol=1e-9):
    return np.allclose(np.asarray(a, float)[:2], np.asarray(b, float)[:2], atol=tol)


def expected_rows(cfg):
    """(name, steps to tolerance, final loss) per optimizer, recomputed from mathcore."""
    out = []
    for name in cfg.optimizers:
        traj = mathcore.run(cfg.surface, mathcore.make_optimizer(name, **cfg.hp(name)), cfg.start, cfg.steps,
                            seed=cfg.seed, grad_noise=cfg.grad_noise)
        hit = np.flatnonzero(traj.losses <= cfg.loss_tol)
        out.append((name, int(hit[0]) if len(hit) else None, float(traj.losses[-1]), traj))
    return out


@pytest.mark.parametrize("fixture", ["race", "race_rastrigin"])
def test_race_is_fair_and_drawn_from_its_runs(request, fixture):
    scene, _ = request.getfixturevalue(fixture)
    cfg = scene.cfg
    rows = expected_rows(cfg)
    for (name, _, _, traj), run, path in zip(rows, scene.runs, scene.paths):
        assert run.trajectory.optimizer.name == name
        np.testing.assert_array_equal(run.trajectory.points[0], cfg.start)  # same start
        assert len(run.trajectory.points) == cfg.steps + 1  # same budget, no early stop
        np.testing.assert_array_equal(run.trajectory.points, traj.points)
        assert len(run.trail3d.vertices) == len(traj.points)
        assert run.trail3d.step == len(traj.points) - 1
        assert len(path.trail.vertices) == len(traj.points)
        assert same_point(path.trail.end, scene.finish_map.at(traj.points[-1]))
        view = scene.stage.view
        x, y = traj.points[-1]
        assert same_point(run.trail3d.end, view.axes.c2p(x, y, 0.0))
    assert scene.counter.number.latex == str(cfg.steps)


@pytest.mark.parametrize("fixture", ["race", "race_rastrigin"])
def test_scoreboard_numbers_are_mathcores_rounded(request, fixture):
    scene, _ = request.getfixturevalue(fixture)
    rows = expected_rows(scene.cfg)
    from scenes.parts.race import display_name

    expected = {display_name(name): (str(k) if k is not None else "-", format_sig(final)) for name, k, final, _ in rows}
    shown = {label: (steps, final) for label, steps, final in scene.board.cells}
    assert shown == expected
    # Ranked: runs that reach the tolerance first, by steps.
    steps = [s for _, s, _ in scene.board.cells]
    reached = [int(s) for s in steps if s != "-"]
    assert reached == sorted(reached) and steps[: len(reached)] == [str(s) for s in reached]


def test_race_defaults_tell_a_clear_story():
    rows = expected_rows(config.RaceConfig())
    by_name = {name: k for name, k, _, _ in rows}
    assert by_name["momentum"] is not None and by_name["adam"] is not None
    assert by_name["gd"] is None  # GD with lr 0.001 does not reach 1e-3 in 1500 steps


def test_race_camera_settles_before_the_runners_start(race):
    """The camera turns into the race's pose during the first beat, where nothing else moves;
    the beat keeps its length, and the runners' occlusion is for that pose."""
    from manim import DEGREES

    scene, _ = race
    start, end = scene.orbits["the_field"]
    assert abs(start["phi"] - end["phi"]) > 3 * DEGREES and abs(start["theta"] - end["theta"]) > 10 * DEGREES
    camera = scene.renderer.camera
    assert (camera.get_phi(), camera.get_theta()) == pytest.approx((end["phi"], end["theta"]))
    beats = scene.story.beats
    assert beats[0]["name"] == "the_field" and beats[1]["start"] - beats[0]["start"] == pytest.approx(4.2)
    assert not camera.should_apply_shading and scene.stage.mesh.shading_baked
