"""The hook (``scenes/parts/hook.py``): the climber's steps and the 3D path are mathcore's.

The part renders once per test session under a dry run (``tests/scenes/conftest.py``).
"""

from __future__ import annotations

import numpy as np

import mathcore
from scenes.chapter import sig
from scenes.parts import hook


def test_hook_steps_are_mathcore_gradient_descent(chapter_run):
    chapter = chapter_run["hook"].chapter
    walk = mathcore.run(hook.profile_surface(), "gd", [hook.PROFILE_START], hook.PROFILE_STEPS, hook.PROFILE_LR)
    assert [s["k"] for s in chapter.shown_numbers] == list(range(walk.n_steps))
    for shown in chapter.shown_numbers:
        k = shown["k"]
        assert shown["slope"] == sig(walk.grads[k][0])
        assert shown["step"] == sig(walk.step_sizes[k])
        assert shown["lr"] == f"{hook.PROFILE_LR:g}"
    # Downhill every time, and the steps shrink as the ground flattens.
    assert np.all(np.diff(walk.points[:, 0]) > 0)
    assert np.all(np.diff(walk.step_sizes) < 0)
    assert np.allclose(walk.step_sizes, hook.PROFILE_LR * np.abs(walk.grads[:-1, 0]))


def test_hook_landscape_path_is_the_mathcore_run(chapter_run):
    chapter = chapter_run["hook"].chapter
    run = hook.landscape_walk()
    trail = chapter.trail3d
    assert len(trail.vertices) == len(run.points)
    expected = chapter.view3d.lifted_points(run.points, run.losses, chapter.mesh3d)
    assert np.allclose(trail.vertices, expected)
    assert run.losses[-1] < run.losses[0]
