"""Adaptive step sizes (``scenes/parts/adaptive.py``): rules term by term, effective step sizes.

The part renders once per test session under a dry run (``tests/scenes/conftest.py``).
"""

from __future__ import annotations

import numpy as np
import pytest

import mathcore
from mathcore.optimizers import rule_line_latex
from scenes.chapter import sig
from scenes.parts import adaptive


@pytest.mark.parametrize("name", adaptive.OPTIMIZERS)
def test_rule_terms_join_to_mathcores_rule(name):
    opt = mathcore.make_optimizer(name)
    for lhs, rhs in opt.rule:
        parts = adaptive.rule_parts(lhs, rhs)
        assert "".join(parts).replace(" ", "") == rule_line_latex(lhs, rhs).replace(" ", "")


def test_effective_step_sizes_reproduce_mathcores_updates(chapter_run):
    chapter = chapter_run["adaptive"].chapter
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


def test_bars_show_the_last_steps_effective_sizes(chapter_run):
    chapter = chapter_run["adaptive"].chapter
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


def test_scores_stand_apart_inside_the_frame(chapter_run):
    """The final losses under the bars: side by side without touching, inside the frame's margin."""
    from scenes.chapter import in_frame

    chapter = chapter_run["adaptive"].chapter
    rows = list(chapter.scoreboard)
    assert all(in_frame(r) for r in rows) and in_frame(chapter.counter)
    for a, b in zip(rows, rows[1:]):
        assert a.get_right()[0] < b.get_left()[0]
