"""Scenes 4-6 (landscapes, race, momentum close-up): dry runs and geometry without pixels.

Each scene renders once per module under a dry run (every play and updater runs, frames
drawn at 1 per second, nothing written), with a ``$GDX_CONFIG`` file that lowers the 3D
mesh resolution (the geometry under test does not depend on it) and so also exercises the
TOML overrides. The checks compare what is on screen with mathcore's own numbers,
recomputed here independently of the scenes' code paths.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import numpy as np
import pytest
from manim import ManimColor

import mathcore
from mathcore.schedules import cosine
from scenes import config
from scenes.config import ConfigError
from scenes.mobjects import format_sig
from scenes.mobjects.heights import colormap

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".pytest_cache" / "gdx-media"
NARRATION = ROOT / "assets" / "narration"
FAST_MESH = """
[landscapes]
mesh_resolution = 10
[race]
mesh_resolution = 10
[race_rastrigin]
mesh_resolution = 10
"""


@pytest.fixture(scope="module")
def fast_config(tmp_path_factory):
    path = tmp_path_factory.mktemp("gdx") / "fast.toml"
    path.write_text(FAST_MESH)
    return path


def render(scene_cls, config_path, theme: str | None = None):
    """A dry run in which every play jumps to its end (``gdx.catalog.dry_render``; nothing
    drawn); returns the scene and its section names. ``exact_duration``: the planned length."""
    from gdx.catalog import dry_render

    saved = {k: os.environ.get(k) for k in ("GDX_CONFIG", "GDX_THEME")}
    os.environ["GDX_CONFIG"] = str(config_path)
    os.environ.pop("GDX_THEME", None)
    if theme:
        os.environ["GDX_THEME"] = theme
    try:
        scene, marks = dry_render(scene_cls, media_dir=CACHE, jump=True)
        scene.exact_duration = scene.renderer.time
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return scene, [name for name, _ in marks]


@pytest.fixture(scope="module")
def landscapes(fast_config):
    from scenes.parts.landscapes import Landscapes

    return render(Landscapes, fast_config)


@pytest.fixture(scope="module")
def race(fast_config):
    from scenes.parts.race import OptimizerRace

    return render(OptimizerRace, fast_config)


@pytest.fixture(scope="module")
def race_rastrigin(fast_config):
    from scenes.parts.race import OptimizerRaceRastrigin

    return render(OptimizerRaceRastrigin, fast_config)


@pytest.fixture(scope="module")
def momentum(fast_config):
    from scenes.parts.momentum import MomentumCloseUp

    return render(MomentumCloseUp, fast_config, theme="light")


def beats(module: str) -> list[str]:
    with (NARRATION / f"{module}.toml").open("rb") as fh:
        return list(tomllib.load(fh)["beats"])


def same_point(a, b, tol=1e-9):
    return np.allclose(np.asarray(a, float)[:2], np.asarray(b, float)[:2], atol=tol)


# ----------------------------------------------------------------------------- sections and durations


@pytest.mark.parametrize("fixture, module", [("landscapes", "landscapes"), ("race", "race"),
                                             ("race_rastrigin", "race"), ("momentum", "momentum")])
def test_sections_are_the_narrated_beats(request, fixture, module):
    scene, sections = request.getfixturevalue(fixture)
    named = [s for s in sections if s != "autocreated"]
    assert named == beats(module)
    assert 20.0 <= scene.exact_duration <= 60.0


# ----------------------------------------------------------------------------- landscapes


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


# ----------------------------------------------------------------------------- race


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


# ----------------------------------------------------------------------------- momentum


def classic_nesterov(surface, start, lr, mu, steps):
    """Sutskever's form, written independently: v <- mu v - lr grad(theta + mu v); theta <- theta + v."""
    theta, v = np.asarray(start, float), np.zeros(2)
    out = [theta.copy()]
    for _ in range(steps):
        v = mu * v - lr * surface.grad(theta + mu * v)
        theta = theta + v
        out.append(theta.copy())
    return np.array(out)


def test_momentum_paths_and_vectors(momentum):
    scene, _ = momentum
    d, cfg = scene.data, scene.cfg
    for name, path in scene.paths.items():
        pts = d.ball_points(name)
        assert len(path.trail.vertices) == len(pts) == cfg.steps + 1
        assert same_point(path.trail.end, scene.panel.at(pts[-1]))
    # The Nesterov ball is the classic-form run; the ghost is where torch took the gradient.
    classic = classic_nesterov(d.surface, cfg.start, cfg.lr, cfg.momentum, cfg.steps)
    np.testing.assert_allclose(d.nesterov_ball, classic, atol=1e-12)
    for name in ("momentum", "nesterov"):
        for k in range(1, 6):
            parts = d.parts(name, k)
            balls = d.ball_points(name)
            np.testing.assert_allclose(parts["carry"] + parts["grad"], parts["step"], atol=1e-12)
            np.testing.assert_allclose(balls[k] + parts["step"], balls[k + 1], atol=1e-12)
            if name == "nesterov":
                np.testing.assert_allclose(parts["base"] + parts["carry"], parts["ghost"], atol=1e-12)
                np.testing.assert_allclose(parts["grad"], -cfg.lr * d.surface.grad(parts["ghost"]), atol=1e-12)
            else:
                np.testing.assert_allclose(parts["grad"], -cfg.lr * d.surface.grad(balls[k]), atol=1e-12)


def test_momentum_overshoots_and_counts_are_mathcores(momentum):
    scene, _ = momentum
    d, cfg = scene.data, scene.cfg
    assert d.momentum.points[:, 0].max() > 0.5  # overshoots the minimum along the valley
    assert np.sum(np.diff(np.sign(d.gd.points[:4, 1])) != 0) == 3  # GD zig-zags across it
    for name in ("gd", "momentum", "nesterov"):
        losses = d.runs[name].losses
        hit = np.flatnonzero(losses <= cfg.loss_tol)
        assert d.steps_to_tol(name) == (int(hit[0]) if len(hit) else None)


# ----------------------------------------------------------------------------- config


def write(tmp_path, text):
    path = tmp_path / "cfg.toml"
    path.write_text(text)
    return path


def test_config_overrides_merge_hyperparameters(tmp_path):
    path = write(tmp_path, '[race]\noptimizers = ["gd", "adam"]\nsteps = 300\n'
                           'hyperparams = { adam = { lr = 0.05, betas = [0.8, 0.99] } }\n[descent]\nlr = 0.002\n')
    cfg = config.load("race", path)
    assert cfg.optimizers == ("gd", "adam") and cfg.steps == 300
    assert cfg.hp("adam") == {"lr": 0.05, "betas": (0.8, 0.99)}
    assert cfg.hp("gd") == {"lr": 0.001}  # defaults of other optimizers kept


@pytest.mark.parametrize("text, words", [
    ("[race]\nspeed = 3\n", "unknown key 'speed'"),
    ("[race]\noptimizers = [\"gd\", \"sgdx\"]\n", "unknown optimizer 'sgdx'"),
    ("[race]\nstart = [5.0, 0.0]\n", "start = [5.0, 0.0] is not accepted"),
    ("[landscapes]\nrastrigin_schedule = \"step\"\n", "accepted: constant, cosine"),
    ("[momentum_closeup]\nmomentum = 1.5\n", "momentum = 1.5"),
    ("[nope]\n", "unknown table [nope]"),
])
def test_bad_config_values_give_one_line(tmp_path, text, words):
    table = text.split("]")[0].strip("[")
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        config.load(table if table in config.CONFIGS else "race", path)
    assert words in str(info.value) and "\n" not in str(info.value)
