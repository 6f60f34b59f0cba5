"""Limitations (``scenes/parts/limitations.py``): Newton against GD, learning-rate schedules.

The part renders once per test session under a dry run (``tests/scenes/conftest.py``).
"""

from __future__ import annotations

import numpy as np
import pytest
from manim import VGroup

import mathcore
from scenes.chapter import sig


def test_newton_and_gd_paths_on_rosenbrock(chapter_run):
    chapter = chapter_run["limitations"].chapter
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


def test_schedules_share_the_seed_and_differ_only_in_the_learning_rate(chapter_run):
    chapter = chapter_run["limitations"].chapter
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


def test_newton_card_and_hessian_keep_clear_of_gd_and_the_plot(chapter_run):
    """Newton's card takes the inset's place right of GD's; the Hessian has a row of its own above
    the loss plot; all inside the frame."""
    from scenes.chapter import in_frame

    chapter = chapter_run["limitations"].chapter
    card, hessian = chapter.rule_newton
    gd = VGroup(chapter.rule_gd, chapter.gd_end)
    assert gd.get_right()[0] < card.get_left()[0]
    assert hessian.get_top()[1] < min(gd.get_bottom()[1], chapter.newton_end.get_bottom()[1])
    assert hessian.get_bottom()[1] > chapter.loss_plot.get_top()[1]
    assert all(in_frame(m) for m in (card, hessian, gd, chapter.newton_end))


def test_the_schedules_axes_come_from_the_runs_and_the_config(tmp_path, monkeypatch):
    """A lesson's own schedule settings get axes that hold them: a learning rate of 1 gets ticks up
    to 1 (not 0 to 0.15), and the loss plot's decades hold every run's gap to the minimum."""
    import numpy as np

    import mathcore
    from gdx.catalog import dry_render
    from scenes.parts.limitations import LimitationsChapter

    config = tmp_path / "config.toml"
    config.write_text("[limitations]\nsched_lr = 1.0\nsched_epochs = 6\n")
    monkeypatch.setenv("GDX_CONFIG", str(config))
    chapter = dry_render(LimitationsChapter, jump=True)[0].chapter
    axes = chapter.schedule_axes
    assert axes["lr_ticks"][0] == 0 and 1.0 <= axes["lr_ticks"][-1] <= 1.1
    f_min = mathcore.get_surface(chapter.cfg.sched_surface).min_value  # (the gaps, as the plot draws them)
    gaps = np.concatenate([t.losses - f_min for t in chapter.runs["schedules"].values()])
    gaps = gaps[gaps > 0]
    lo, hi = axes["decades"]
    assert 10.0**lo <= gaps.min() and gaps.max() <= 10.0**hi
    # From so large a start the runs that shrink late diverge: the words say so, not "settles".
    diverged = [name for name, t in chapter.runs["schedules"].items() if t.status == "diverged"]
    assert diverged
    beat = next(b for b in chapter.story.beats if b["name"] == "schedules")
    words = " ".join([beat["narration"], *beat["captions"]])
    assert "settles" not in words and all(name in words for name in diverged) and "diverged" in words
