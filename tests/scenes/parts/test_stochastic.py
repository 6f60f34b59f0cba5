"""Batch, stochastic, mini-batch (``scenes/parts/stochastic.py``): runs, paths, per-example arrows.

The part renders once per test session under a dry run (``tests/scenes/conftest.py``).
"""

from __future__ import annotations

import numpy as np
import pytest

from scenes.chapter import sig
from scenes.parts import stochastic


def test_stochastic_runs_share_start_lr_seed_and_epochs(chapter_run):
    chapter = chapter_run["stochastic"].chapter
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


def test_stochastic_paths_and_loss_curves_have_one_vertex_per_step(chapter_run):
    chapter = chapter_run["stochastic"].chapter
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


def test_stochastic_arrows_are_the_per_example_gradients_and_their_mean(chapter_run):
    chapter = chapter_run["stochastic"].chapter
    surface = chapter.surface
    start = np.asarray(chapter.cfg.start, float)
    g = surface.example_grads(start)
    assert g.shape == (2, surface.n_examples)
    np.testing.assert_allclose(chapter.example_grad_values, g)
    # The batch arrow is minus the full gradient, which is the mean of the example gradients.
    np.testing.assert_allclose(chapter.mean_grad, -g.mean(axis=1), rtol=1e-12)
    tip = chapter.panel.point(start + chapter.arrow_scale * chapter.mean_grad)
    np.testing.assert_allclose(chapter.mean_arrow.get_end(), tip, atol=1e-6)
