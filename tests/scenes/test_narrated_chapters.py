"""Chapters 5-8 (stochastic, adaptive, backprop, limitations): dry runs and on-screen numbers.

Each chapter Scene is rendered once per module under a dry run (no frames written); the
tests then read the chapter object it leaves on the scene and compare what it put on
screen with mathcore's values.
"""

from __future__ import annotations

import numpy as np
import pytest

manim = pytest.importorskip("manim")
from manim import MathTex, Text, tempconfig  # noqa: E402

import mathcore  # noqa: E402
from mathcore.optimizers import rule_line_latex  # noqa: E402
from scenes.parts import adaptive, backprop, limitations, stochastic  # noqa: E402
from scenes.chapter import in_frame, load_narration  # noqa: E402
from scenes.chapter import sig  # noqa: E402
from scenes.theme import MIN_FONT_SIZE  # noqa: E402

SCENES = {
    "stochastic": stochastic.StochasticChapter,
    "adaptive": adaptive.AdaptiveChapter,
    "backprop": backprop.BackpropChapter,
    "limitations": limitations.LimitationsChapter,
}


class _Rendered(dict):
    """Chapter name -> its scene after a dry run, rendered on first use (so ``-k`` stays cheap).

    ``save_last_frame`` makes the Cairo renderer skip to the end of each animation
    instead of drawing its frames; with ``dry_run`` nothing is written to disk.
    """

    def __missing__(self, name):
        with tempconfig({"dry_run": True, "quality": "low_quality", "save_last_frame": True,
                         "disable_caching": True, "progress_bar": "none", "verbosity": "WARNING"}):
            scene = SCENES[name]()
            scene.render()
        self[name] = scene
        return scene


@pytest.fixture(scope="module")
def rendered():
    """Each chapter scene after a dry run, by chapter name."""
    return _Rendered()


# ----------------------------------------------------------------------------- all chapters


@pytest.mark.parametrize("name", list(SCENES))
def test_chapter_plays_every_narrated_beat_in_30_to_50_seconds(rendered, name):
    chapter = rendered[name].chapter
    beats = tuple(load_narration(name))
    assert chapter.BEATS == beats
    assert tuple(chapter.beat_times) == beats
    assert all(hasattr(chapter, beat) for beat in beats)
    starts = [t[0] for t in chapter.beat_times.values()]
    assert starts == sorted(starts)
    duration = chapter.beat_times[beats[-1]][1] - chapter.beat_times[beats[0]][0]
    assert 30.0 <= duration <= 50.0, duration
    assert rendered[name].mobjects == []  # the chapter leaves a clean slate for the next one


@pytest.mark.parametrize("name", list(SCENES))
def test_everything_on_screen_stays_inside_the_margin_and_is_legible(rendered, name):
    chapter = rendered[name].chapter
    for beat, mobjects in chapter.frames.items():
        for mob in mobjects:
            if not mob.get_family() or not any(m.has_points() for m in mob.get_family()):
                continue
            assert in_frame(mob, margin=0.45), (beat, mob, mob.get_corner([-1, -1, 0]), mob.get_corner([1, 1, 0]))
            for m in mob.get_family():
                if isinstance(m, (Text, MathTex)) and m.has_points():
                    assert m.font_size >= MIN_FONT_SIZE - 0.5, (beat, m, m.font_size)


def test_module_level_beat_lists_match_the_narration():
    for module, name in ((stochastic, "stochastic"), (adaptive, "adaptive"), (backprop, "backprop"),
                         (limitations, "limitations")):
        assert module.BEATS == tuple(load_narration(name))


# ----------------------------------------------------------------------------- chapter 5


def test_stochastic_runs_share_start_lr_seed_and_epochs(rendered):
    chapter = rendered["stochastic"].chapter
    cfg, surface = chapter.cfg, chapter.surface
    n = surface.n_examples
    for key, traj in chapter.runs.items():
        assert traj.settings["lr"] == cfg.lr and traj.settings["seed"] == cfg.seed
        np.testing.assert_array_equal(traj.points[0], cfg.start)
        epochs = stochastic.epochs_axis(traj, n)
        assert epochs[-1] == pytest.approx(cfg.epochs)
    assert chapter.runs["sgd"].label == "gd (stochastic)"
    assert len(chapter.runs["sgd"].points) == cfg.epochs * n + 1
    assert len(chapter.runs["batch"].points) == cfg.epochs + 1


def test_stochastic_paths_and_loss_curves_have_one_vertex_per_step(rendered):
    chapter = rendered["stochastic"].chapter
    for key, traj in chapter.runs.items():
        for trace, scene_points in ((chapter.traces[key], [chapter.panel.point(p) for p in traj.points]),
                                    (chapter.loss_traces[key], None)):
            assert trace.path.get_num_curves() == len(traj.points) - 1
            if scene_points is not None:
                np.testing.assert_allclose(trace.path.get_end(), scene_points[-1], atol=1e-9)
                np.testing.assert_allclose(trace.points_scene, scene_points, atol=1e-9)
        row = chapter.legend[list(chapter.runs).index(key)]
        assert row[1].original_text == f"{chapter.names[key]}: {len(traj.points) - 1} steps, loss"
        assert row[2].tex_string == sig(traj.losses[-1])


def test_stochastic_arrows_are_the_per_example_gradients_and_their_mean(rendered):
    chapter = rendered["stochastic"].chapter
    surface = chapter.surface
    start = np.asarray(chapter.cfg.start, float)
    g = surface.example_grads(start)
    assert g.shape == (2, surface.n_examples)
    np.testing.assert_allclose(chapter.example_grad_values, g)
    # The batch arrow is minus the full gradient, which is the mean of the example gradients.
    np.testing.assert_allclose(chapter.mean_grad, -g.mean(axis=1), rtol=1e-12)
    tip = chapter.panel.point(start + chapter.arrow_scale * chapter.mean_grad)
    np.testing.assert_allclose(chapter.mean_arrow.get_end(), tip, atol=1e-6)


# ----------------------------------------------------------------------------- chapter 6


@pytest.mark.parametrize("name", adaptive.OPTIMIZERS)
def test_rule_terms_join_to_mathcores_rule(name):
    opt = mathcore.make_optimizer(name)
    for lhs, rhs in opt.rule:
        parts = adaptive.rule_parts(lhs, rhs)
        assert "".join(parts).replace(" ", "") == rule_line_latex(lhs, rhs).replace(" ", "")


def test_effective_step_sizes_reproduce_mathcores_updates(rendered):
    chapter = rendered["adaptive"].chapter
    for name, traj in chapter.runs.items():
        eff = adaptive.effective_steps(traj)
        assert eff.shape == (len(traj.points) - 1, 2)
        step = np.diff(traj.points, axis=0)
        if name == "adam":
            beta1 = traj.optimizer.hyperparams["betas"][0]
            t = np.arange(1, len(step) + 1)[:, None]
            direction = traj.state["exp_avg"][1:] / (1 - beta1**t)
        else:
            direction = traj.update_grads
        np.testing.assert_allclose(step, -eff * direction, rtol=1e-9, atol=1e-15)


def test_bars_show_the_last_steps_effective_sizes(rendered):
    chapter = rendered["adaptive"].chapter
    base_y, unit, lo = chapter.bar_geometry
    assert chapter.bar_step == chapter.cfg.steps
    for bar, (name, j) in zip(chapter.bars, chapter.bar_specs):
        value = adaptive.effective_steps(chapter.runs[name])[-1, j]
        assert bar.height == pytest.approx((np.log10(value) - lo) * unit, abs=1e-6)
        assert bar.get_bottom()[1] == pytest.approx(base_y)
    for name, trace in chapter.traces.items():
        assert trace.path.get_num_curves() == len(chapter.runs[name].points) - 1
    shown = [m.tex_string for m in chapter.scoreboard]
    assert shown == [r"L = " + sig(t.losses[-1]) for t in chapter.runs.values()]


# ----------------------------------------------------------------------------- chapter 7


def test_backprop_numbers_on_screen_are_mathcores(rendered):
    chapter = rendered["backprop"].chapter
    num, shown = chapter.num, chapter.shown
    net, theta = num["net"], num["theta"]
    bp = net.backprop(theta, num["x"], num["y"])
    weights = np.concatenate([W.ravel() for W, _ in net.unflatten(theta)])
    assert shown["weights"] == [sig(w) for w in weights]
    assert shown["activations"] == [[sig(a) for a in layer["a"]] for layer in bp["layers"]]
    assert shown["loss"] == r"\ell = " + sig(bp["loss"])
    assert shown["deltas"] == [[sig(d) for d in delta] for delta in bp["deltas"]]
    grads = np.concatenate([dW.ravel() for dW, _ in bp["grads"]])
    assert shown["grads"] == [sig(g) for g in grads]
    # The update is theta - lr * gradient, and it lowers this example's loss.
    new = theta - chapter.cfg.lr * bp["flat"]
    np.testing.assert_allclose(num["new_theta"], new, rtol=1e-15)
    assert shown["new_weights"] == [sig(w) for w in np.concatenate([W.ravel() for W, _ in net.unflatten(new)])]
    assert shown["new_loss"] == r"\ell = " + sig(net.loss(new, num["x"], num["y"]))
    assert num["new_loss"] < bp["loss"]


def test_backprop_histograms_count_the_training_runs_gradients(rendered):
    chapter = rendered["backprop"].chapter
    cfg, num = chapter.cfg, chapter.num
    run = num["net"].train(num["theta"], mathcore.XOR_X, mathcore.XOR_Y, cfg.lr, cfg.train_steps)
    np.testing.assert_array_equal(run["grads"], num["run"]["grads"])
    mags = np.abs(run["grads"])
    for (a, b), counts in zip(cfg.windows, chapter.shown["hist"]):
        expected = np.histogram(np.log10(mags[a:b]), bins=num["bin_edges"])[0]
        assert counts == list(expected)
        assert sum(counts) == mags[a:b].size  # every gradient falls in a bin
    # largest while the loss falls fastest (the middle window), smallest at the end
    medians = [np.median(mags[a:b]) for a, b in cfg.windows]
    assert medians[1] == max(medians) and medians[2] == min(medians)
    drops = [num["run"]["losses"][a] - num["run"]["losses"][b - 1] for a, b in cfg.windows]
    assert drops[1] == max(drops)
    # bar heights are the fractions of the last window
    fractions = np.array(chapter.shown["hist"][-1]) / sum(chapter.shown["hist"][-1])
    plot = chapter.hist_plot
    heights = [bar.height for bar in chapter.hist_bars[0]]
    unit = plot.c2p(0, 1)[1] - plot.c2p(0, 0)[1]
    np.testing.assert_allclose(heights, np.maximum(fractions, 1e-4) * unit, rtol=1e-6, atol=1e-6)


# ----------------------------------------------------------------------------- chapter 8


def test_newton_and_gd_paths_on_rosenbrock(rendered):
    chapter = rendered["limitations"].chapter
    gd, newton = chapter.runs["gd"], chapter.runs["newton"]
    np.testing.assert_array_equal(gd.points[0], newton.points[0])
    assert newton.status == "converged" and newton.n_steps < 10
    np.testing.assert_allclose(newton.x, (1.0, 1.0), atol=1e-8)
    assert chapter.gd_trace.path.get_num_curves() == len(gd.points) - 1
    assert chapter.newton_trace.path.get_num_curves() == len(newton.points) - 1
    np.testing.assert_allclose(chapter.newton_trace.path.get_end(), chapter.panel.point((1.0, 1.0)), atol=1e-6)
    assert chapter.gd_end.tex_string.startswith(f"{gd.n_steps}")
    assert chapter.newton_end.tex_string.startswith(f"{newton.n_steps}")
    assert f"({sig(gd.x[0])},\\ {sig(gd.x[1])})" in chapter.gd_end.tex_string


def test_schedules_share_the_seed_and_differ_only_in_the_learning_rate(rendered):
    chapter = rendered["limitations"].chapter
    cfg = chapter.cfg
    runs = chapter.runs["schedules"]
    n = mathcore.get_surface(cfg.sched_surface).n_examples
    const, step, cos = runs["constant"], runs["step decay"], runs["cosine"]
    np.testing.assert_array_equal(const.lrs, cfg.sched_lr)
    assert step.lrs[cfg.sched_step_epochs * n] == pytest.approx(cfg.sched_lr * cfg.sched_gamma)
    assert cos.lrs[0] == cfg.sched_lr and cos.lrs[-1] < 1e-4
    # Same sampled examples: identical until the schedules diverge.
    np.testing.assert_array_equal(const.points[:2], step.points[:2])
    f_min = mathcore.get_surface(cfg.sched_surface).min_value
    assert [row[1].original_text for row in chapter.schedule_legend] == [f"{name}: final" for name in runs]
    assert [row[2].tex_string for row in chapter.schedule_legend] == [sig(t.losses[-1] - f_min) for t in runs.values()]
    # Decaying schedules end lower than the constant one (below SGD's noise floor).
    assert step.losses[-1] < const.losses[-1] and cos.losses[-1] < const.losses[-1]


# ----------------------------------------------------------------------------- a changed config

CHANGED = """
[stochastic]
batch_size = 4
epochs = 6
lr = 0.1
[adaptive]
lr = 0.05
steps = 300
[backprop]
sizes = [2, 1, 1]
example = 1
lr = 1.0
train_steps = 800
windows = [[0, 100], [100, 801]]
[limitations]
gd_lr = 0.001
gd_steps = 1500
newton_steps = 30
sched_epochs = 8
"""


@pytest.fixture(scope="module")
def changed(tmp_path_factory):
    """Each chapter dry-run (every play jumps to its end) under the config above."""
    from gdx.catalog import dry_render

    path = tmp_path_factory.mktemp("gdx") / "changed.toml"
    path.write_text(CHANGED)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GDX_CONFIG", str(path))
        mp.delenv("GDX_THEME", raising=False)
        return {name: dry_render(cls, jump=True)[0] for name, cls in SCENES.items()}


@pytest.mark.parametrize("name", list(SCENES))
def test_chapters_take_their_tables_from_gdx_config(changed, name, tmp_path):
    """[stochastic], [adaptive], [backprop] and [limitations] reach the chapters: the runs,
    the words (every number said is one of the beat's facts) and the layout follow them."""
    import re

    from scenes import config

    path = tmp_path / "changed.toml"
    path.write_text(CHANGED)
    chapter = changed[name].chapter
    assert chapter.cfg == config.load(name, path) != config.load(name)
    number = re.compile(r"-?\d+(?:\.\d+)?")
    for beat in chapter.story.beats:
        allowed = set(number.findall(" ".join(str(v) for v in beat["facts"].values())))
        for said in number.findall(beat["narration"]):
            assert said in allowed, (beat["name"], said, beat["narration"])
    for beat, mobjects in chapter.frames.items():
        for mob in mobjects:
            if any(m.has_points() for m in mob.get_family()):
                assert in_frame(mob, margin=0.45), (beat, mob, mob.get_corner([-1, -1, 0]), mob.get_corner([1, 1, 0]))
    if name == "stochastic":
        assert chapter.runs["minibatch"].settings["batch_size"] == 4
        assert "4" in " ".join(b["narration"] for b in chapter.story.beats)
        assert len(chapter.runs["batch"].points) == 6 + 1  # one step per epoch
    if name == "adaptive":
        assert chapter.bar_step == 300
    if name == "backprop":
        assert chapter.net.sizes == (2, 1, 1) and len(chapter.pos[1]) == 1
    if name == "limitations":
        assert chapter.runs["gd"].n_steps <= 1500
