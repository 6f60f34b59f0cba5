"""The hook (``scenes/parts/hook.py``): the climber's steps and the 3D path are mathcore's.

The part renders once per test session under a dry run (``tests/scenes/conftest.py``).
"""

from __future__ import annotations

import numpy as np
import pytest

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


def test_hook_landscape_settles_the_camera_and_keeps_the_marker_in_view(chapter_run):
    """The 3D beat: the camera settles into its pose (phi and theta change) within the beat's old
    plays; the mesh is solid and lit (it fades by colour: no wireframe through a half-opaque
    mesh); the marker is in view at every step of the walk."""
    from manim import DEGREES

    scene = chapter_run["hook"]
    chapter = scene.chapter
    start, end = chapter.orbit
    assert abs(start["phi"] - end["phi"]) > 3 * DEGREES and abs(start["theta"] - end["theta"]) > 10 * DEGREES
    assert (end["phi"], end["theta"]) == (58 * DEGREES, -50 * DEGREES)
    mesh = chapter.mesh3d
    assert mesh.shading_baked and all(f.get_fill_opacity() == 1 for f in mesh.list_of_faces)
    assert mesh.family_members_with_points() == mesh.list_of_faces  # no side walls
    assert chapter.marker3d.visible_mask.all()
    beats = scene.story.beats
    lengths = {b["name"]: b["end"] - b["start"] for b in beats if b["end"] is not None}
    assert lengths["landscape_3d"] == pytest.approx(13.76, abs=1 / 15)  # its plan, in whole frames (FrameExact)


def test_a_product_of_rounded_numbers_comes_out_as_shown():
    """1.2 x 1.38 = 1.656, so the hook showed "1.2 x 1.38 = 1.65"; the factor gets the digit it needs."""
    from scenes.parts.hook import factor_for

    assert factor_for(1.2, 1.37909, "1.65") == "1.379"
    assert factor_for(1.2, 1.3796, "1.66") == "1.38"
    assert factor_for(0.5, 3.0, "1.50") == "3.00"
