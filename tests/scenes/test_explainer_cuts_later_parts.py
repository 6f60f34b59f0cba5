"""The explainer's cuts of chapters 3-7 (learning rate, landscapes, SGD, momentum, Adam,
backpropagation, limitations): lengths, beats, a clean slate at the end, mathcore's numbers.

``scenes.explainer.play_part`` sets a part's ``cut_plan`` (``scenes.explainer.CUTS``) before its
``construct``. The parts are read from one shared dry run of the whole explainer, in which
every play jumps to its end (updaters still run once per play with its whole ``dt``), so
scene time is the sum of the planned run times.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest

import mathcore
from scenes.chapter import in_frame
from scenes.chapter import sig
from scenes.mobjects import format_sig
from scenes.theme import RATE_ROLES

ROOT = Path(__file__).resolve().parents[2]
NARRATION = ROOT / "assets" / "narration"

# name: (module, Scene class, narration stem, budget in seconds, beats of the cut in order)
CUTS = {
    "learning_rate": ("scenes.parts.learning_rate", "LearningRate", "learning_rate", 30.0,
                      ("three_step_sizes", "run_to_the_end", "on_the_surface")),
    "landscapes": ("scenes.parts.landscapes", "Landscapes", "landscapes", 40.0,
                   ("many_minima", "gd_trapped", "noise_escapes", "saddle", "plateau", "basin_map")),
    "stochastic": ("scenes.parts.stochastic", "StochasticChapter", "stochastic", 23.0,
                   ("setup", "example_arrows", "batch", "sgd", "minibatch", "compare")),
    "momentum": ("scenes.parts.momentum", "MomentumCloseUp", "momentum", 25.0,
                 ("narrow_valley", "gd_zigzag", "momentum_velocity", "nesterov_lookahead", "compare")),
    "adaptive": ("scenes.parts.adaptive", "AdaptiveChapter", "adaptive", 23.5,
                 ("adagrad", "rmsprop", "adam", "effective_steps", "why_adam")),
    "backprop": ("scenes.parts.backprop", "BackpropChapter", "backprop", 32.0,
                 ("network", "forward", "loss", "backward", "update")),
    "limitations": ("scenes.parts.limitations", "LimitationsChapter", "limitations", 32.0,
                    ("zigzag", "newton", "schedules", "summary")),
}
BETTER_STEPS = ("stochastic", "momentum", "adaptive")  # explainer chapter 5: three parts, one budget
BETTER_STEPS_BUDGET = 70.0


@pytest.fixture(scope="module")
def cuts(explainer_run):
    """Name -> ``(scene, [(section, start time)], duration)`` of each cut, from the shared dry
    run of the explainer (``tests/conftest.py``): the parts as the explainer plays them."""
    return {name: explainer_run.part(name) for name in CUTS}


def narration(stem: str) -> dict:
    with (NARRATION / f"{stem}.toml").open("rb") as fh:
        return dict(tomllib.load(fh)["beats"])


def beat_of(section: str) -> str:
    return section.rsplit(".", 1)[-1]


# ----------------------------------------------------------------------------- every cut


@pytest.mark.parametrize("name", list(CUTS))
def test_cut_keeps_to_its_budget(cuts, name):
    _, _, duration = cuts[name]
    budget = CUTS[name][3]
    assert 0.65 * budget <= duration <= budget, (name, duration)


def test_better_steps_parts_share_seventy_seconds(cuts):
    total = sum(cuts[name][2] for name in BETTER_STEPS)
    assert 55.0 <= total <= BETTER_STEPS_BUDGET, total


@pytest.mark.parametrize("name", list(CUTS))
def test_cut_plays_its_beats_in_order_each_with_narration(cuts, name):
    scene, sections, _ = cuts[name]
    stem, beats = CUTS[name][2], CUTS[name][4]
    assert [beat_of(s) for s, _ in sections] == list(beats)
    # Chapters name their sections "<chapter>.<beat>"; the scenes a bare beat (the explainer
    # prefixes the module): either way the narration file of the module has the beat.
    assert all(s in (b, f"{stem}.{b}") for (s, _), b in zip(sections, beats))
    lines = narration(stem)  # a beat's narration, or the variants it picks from
    said = {b: [v] if isinstance(v, str) else v for b, v in lines.items()}
    assert all(said.get(b) and all(v.strip() for v in said[b]) for b in beats), (name, [b for b in beats if b not in lines])
    starts = [t for _, t in sections]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)  # every beat takes time
    chapter = getattr(scene, "chapter", None)
    if chapter is not None:
        assert tuple(chapter.beat_times) == beats
        assert chapter.BEATS == tuple(lines)  # the full chapter still has every narrated beat


@pytest.mark.parametrize("name", list(CUTS))
def test_cut_leaves_an_empty_scene(cuts, name):
    """The next part of the explainer plays on the same scene: nothing may stay on it."""
    scene, _, _ = cuts[name]
    assert scene.mobjects == []


@pytest.mark.parametrize("name", ["stochastic", "adaptive", "backprop", "limitations"])
def test_chapter_cuts_stay_inside_the_margin(cuts, name):
    chapter = cuts[name][0].chapter
    for beat, mobjects in chapter.frames.items():
        for mob in mobjects:
            if any(m.has_points() for m in mob.get_family()):
                assert in_frame(mob, margin=0.45), (beat, mob)


def test_scene_beat_lists_are_their_narration():
    """The full scenes play every narrated beat (their sections are checked in tests/scenes/test_part.py)."""
    from scenes.parts.landscapes import Landscapes
    from scenes.parts.learning_rate import LearningRate
    from scenes.parts.momentum import MomentumCloseUp

    for cls, stem in ((LearningRate, "learning_rate"), (Landscapes, "landscapes"), (MomentumCloseUp, "momentum")):
        assert cls.BEATS == tuple(narration(stem))


def test_skipped_beats_start_no_section(cuts):
    for name in ("backprop", "limitations"):
        scene, sections, _ = cuts[name]
        skipped = set(scene.chapter.BEATS) - set(CUTS[name][4])
        assert skipped and not skipped & {beat_of(s) for s, _ in sections}


# ----------------------------------------------------------------------------- mathcore's numbers


def test_learning_rate_cut_shows_mathcores_step_counts(cuts):
    scene = cuts["learning_rate"][0]
    cfg = scene.cfg
    parabola = mathcore.get_surface("parabola")
    runs = [mathcore.run(parabola, "gd", [cfg.parabola_start], cfg.max_steps, lr, bound=cfg.bound)
            for lr in cfg.parabola_lrs]
    arrivals = []
    for traj in runs:
        close = np.abs(traj.points[:, 0]) <= cfg.tolerance
        arrivals.append(int(np.argmax(close)) if close.any() else None)
    assert arrivals[:2] == [308, 28] and runs[2].status == "diverged" and runs[2].n_steps == 129
    shown = [r.tex_string for r in scene.results]
    assert f"after {arrivals[0]} steps" in shown[0] and f"after {arrivals[1]} steps" in shown[1]
    assert f"at step {runs[2].n_steps}" in shown[2]
    # The counters stop where the runs stop (the diverged one at the step it diverged, off the plot);
    # the rules show the numbers of step 0 and of the cut's one slow step, the rule without numbers
    # while the runs go fast, and at the end the numbers of the step that got there.
    stops = arrivals[:2] + [runs[2].n_steps]
    for panel, stop, traj in zip(scene.panels, stops, runs):
        assert panel["counter"].step == stop
        rule = panel["rule"]
        assert list(rule.thresholds) == [0, 1, 2, stop] and rule.current == 3
        assert np.isfinite(traj.points[stop]).all()
    sigmoid = mathcore.get_surface("sigmoid-error")
    finals = [mathcore.run(sigmoid, "gd", cfg.start, cfg.steps, lr).gap[-1] for lr in cfg.rates]
    assert [m.tex_string for m in scene.finals] == [f"f - f^* = {format_sig(v)}" for v in finals]


def test_a_learning_rate_keeps_its_colour_in_every_beat(cuts):
    """eta = 0.1 runs on the parabola and on the surface: one colour for it in both halves, and
    the rates cool to warm from small to large."""
    from manim import ManimColor

    scene = cuts["learning_rate"][0]
    cfg = scene.cfg
    assert 0.1 in cfg.parabola_lrs and 0.1 in cfg.surface_rates
    for panel, lr in zip(scene.panels, cfg.parabola_lrs):
        assert panel["color"] == scene.rate_colors[lr]
    for trail, lr in zip(scene.surface_trails, cfg.surface_rates):
        assert ManimColor(trail.front.get_stroke_color()).to_hex().upper() == ManimColor(scene.rate_colors[lr]).to_hex().upper()
    ordered = [scene.rate_colors[r] for r in sorted(scene.rate_colors)]
    ramp = [scene.theme.color(role) for role in RATE_ROLES]
    assert ordered[0] == ramp[0] and ordered[-1] == ramp[-1]
    assert len(set(ordered)) == len(ordered)


def test_landscapes_cut_readouts_are_mathcores(cuts):
    scene = cuts["landscapes"][0]
    traj = scene.data.plateau
    k = scene.pread.step
    assert k == len(traj.points) - 1  # ran to the end
    assert scene.pread.shown() == [str(k), format_sig(traj.losses[k]), format_sig(traj.grad_norms[k])]
    cfg = scene.cfg
    _, _, index = mathcore.basins(mathcore.get_surface("rastrigin"), mathcore.make_optimizer("gd", lr=cfg.basin_lr),
                                  grid_n=cfg.basin_grid, steps=cfg.basin_steps, tol=cfg.basin_tol,
                                  domain=cfg.rastrigin_window)
    assert np.array_equal(scene.bmap.index, index)


def test_momentum_cut_counts_are_mathcores(cuts):
    scene = cuts["momentum"][0]
    cfg = scene.cfg
    surface = mathcore.get_surface(cfg.surface)
    expected = []
    for name, hp in (("gd", {"lr": cfg.gd_lr}), ("momentum", {"lr": cfg.lr, "momentum": cfg.momentum}),
                     ("nesterov", {"lr": cfg.lr, "momentum": cfg.momentum})):
        run = mathcore.run(surface, mathcore.make_optimizer(name, **hp), cfg.start, cfg.steps)
        # Counted where the ball is drawn: Nesterov's in the classic form (its look-ahead points take 16).
        losses = run.classic_nesterov[1] if name == "nesterov" else run.losses
        hit = np.flatnonzero(losses <= cfg.loss_tol)
        expected.append(int(hit[0]) if len(hit) else None)
    assert expected == [24, 35, 17]
    assert scene.captions.current is None  # faded out with everything else
    for name, path in scene.paths.items():
        assert path.trail.step == len(path.vertices) - 1  # every path drawn to its end
    assert [scene.data.steps_to_tol(n) for n in ("gd", "momentum", "nesterov")] == expected


def test_chapter_cuts_show_mathcores_numbers(cuts):
    sto = cuts["stochastic"][0].chapter
    for row, (key, traj) in zip(sto.legend, sto.runs.items()):
        assert row[2].tex_string == sig(traj.losses[-1])
        assert row[1].original_text == f"{sto.names[key]}: {len(traj.points) - 1} steps, loss"
    ada = cuts["adaptive"][0].chapter
    assert ada.bar_step == ada.cfg.steps
    assert [m.tex_string for m in ada.scoreboard] == [r"L = " + sig(t.losses[-1]) for t in ada.runs.values()]
    bp = cuts["backprop"][0].chapter
    num = bp.num
    new = num["theta"] - bp.cfg.lr * num["net"].backprop(num["theta"], num["x"], num["y"])["flat"]
    assert bp.shown["new_loss"] == r"\ell = " + sig(num["net"].loss(new, num["x"], num["y"]))
    assert "hist" not in bp.shown  # the cut has no histogram
    lim = cuts["limitations"][0].chapter
    gd, newton = lim.runs["gd"], lim.runs["newton"]
    assert lim.gd_end.tex_string.startswith(f"{gd.n_steps}")
    assert lim.newton_end.tex_string.startswith(f"{newton.n_steps}") and newton.n_steps < 10
