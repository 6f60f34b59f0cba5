"""A mesh is as fine as it is large on screen (``scenes.mobjects.surface.screen_resolution``):
finer at 1080p than at 480p and for a surface drawn larger or nearer the camera, the fewest
faces that keep both rules (no face side over ``FACE_PX`` pixels, the mesh within ``CHORD_PX``
pixels of the surface), with its lines denser where the camera is close."""

from __future__ import annotations

import numpy as np
import pytest
from manim import DEGREES, config

import mathcore
from scenes.mobjects.occlusion import eye_position
from scenes.mobjects.surface import (CHORD_PX, FACE_PX, MAX_FACES, MIN_FACES, LossSurface, SurfaceView, chord_px,
                                     mesh_lines, nearness, screen_resolution)
from scenes.theme import get_theme

EYE = eye_position(60 * DEGREES, -90 * DEGREES, 20.0)  # (in front: looking along +y, down at 30 degrees)


def view(formula, side=5.0, z_length=1.9):
    return SurfaceView.for_surface(mathcore.get_surface(formula), side=side, z_length=z_length)


def test_finer_at_higher_resolutions_and_for_a_surface_drawn_larger_or_nearer():
    v = view("himmelblau")
    n480, n720, n1080, n2160 = (screen_resolution(v, pixel_width=w) for w in (854, 1280, 1920, 3840))
    assert n480 < n720 < n1080 <= n2160
    assert screen_resolution(v, zoom=1.5, pixel_width=854) > n480
    assert screen_resolution(v, eye=EYE, pixel_width=1280) > n720  # (its near edge is drawn larger)


def widest_px(v, n, scale):
    """The widest gap between mesh lines, in pixels."""
    span = max(hi - lo for lo, hi in v.surface.domain)
    return max(np.diff(lines).max() for lines in mesh_lines(v, n)) * v.side / span * scale


def test_the_fewest_faces_that_keep_both_rules():
    for formula, width in (("himmelblau", 1280), ("x**2 + 2*y**2", 1920), ("rosenbrock", 854),
                           ("x**4 - 4*x**2 + y**2 + 0.5*x", 1280)):
        v = view(formula)
        n = screen_resolution(v, pixel_width=width)
        scale = width / config.frame_width
        assert MIN_FACES < n < MAX_FACES  # (none of these is at a bound)
        assert widest_px(v, n, scale) <= FACE_PX and chord_px(v, n, scale) <= CHORD_PX
        assert widest_px(v, n - 1, scale) > FACE_PX or chord_px(v, n - 1, scale) > CHORD_PX


def test_bounds_a_plane_gets_the_fewest_and_an_egg_crate_at_4k_the_most():
    assert screen_resolution(view("x + y", side=2.0), pixel_width=854) == MIN_FACES
    assert screen_resolution(view("rastrigin"), pixel_width=3840) == MAX_FACES


def test_chords_shrink_as_the_mesh_grows_and_a_plane_has_none():
    v = view("rastrigin")
    gaps = [chord_px(v, n, 100.0) for n in (16, 32, 64)]
    assert gaps[0] > gaps[1] > gaps[2] > 0
    assert chord_px(view("x + y"), 16, 100.0) == pytest.approx(0.0, abs=1e-9)


def test_nearness_is_the_cameras_perspective_factor():
    v = view("x + y")
    near = nearness(v, EYE, samples=21)
    # (x along axis 0, y along axis 1: the camera is on the side of low y)
    assert near[:, 0].mean() > 1.0 > near[:, -1].mean()
    (x0, x1), (y0, _) = v.surface.domain
    xy = np.array([(x0 + x1) / 2, y0])
    p = v.points([xy], [v.surface.f(xy)])[0]
    focal = np.linalg.norm(EYE)
    assert near[10, 0] == pytest.approx(focal / ((EYE - p) @ (EYE / focal)), rel=0.02)


def test_lines_are_denser_where_the_camera_is_close():
    v = view("x + y")  # (no bends: only the camera's nearness places the lines)
    u_flat, v_flat = mesh_lines(v, 20)
    u_seen, v_seen = mesh_lines(v, 20, eye=EYE)
    assert np.allclose(np.diff(v_flat), np.diff(v_flat)[0])
    steps = np.diff(v_seen)
    assert steps[:5].mean() < steps[-5:].mean()  # (the near rows, low y, are narrower)
    assert np.allclose(np.diff(u_seen), np.diff(u_seen)[0], rtol=0.05)  # (across, all about as near)


def test_a_loss_surface_without_a_resolution_is_sized_on_screen():
    v = view("himmelblau")
    mesh = LossSurface(v, get_theme(), eye=EYE)
    assert len(mesh.u_values) - 1 == screen_resolution(v, eye=EYE)
    assert len(LossSurface(v, get_theme(), resolution=10).u_values) == 11
