"""mathcore.landmarks: the places the landscape tour shows, found from facts and runs."""

from __future__ import annotations

import numpy as np

import mathcore
from mathcore import landmarks

TWO_VALLEYS = "x**4 - 4*x**2 + y**2 + 0.5*x"


def gd(surface):
    return mathcore.make_optimizer("gd", lr=surface.facts.learning_rates["right"])


def test_trap_start_ends_in_the_local_minimum_and_none_on_a_bowl():
    s = mathcore.get_surface(TWO_VALLEYS)
    xs, ys, index = mathcore.basins(s, gd(s), grid_n=31, steps=300)
    start = landmarks.trap_start(s, xs, ys, index, s.facts.start)
    end = mathcore.run(s, gd(s), start, 300).ended_in
    assert end is not None and not end.is_global and end.f > s.facts.f_min
    bowl = mathcore.get_surface("x**2 + 3*y**2")
    xs, ys, index = mathcore.basins(bowl, gd(bowl), grid_n=11, steps=100)
    assert landmarks.trap_start(bowl, xs, ys, index, bowl.facts.start) is None


def test_saddle_start_crawls_past_the_saddle_then_slides_off():
    for name in (TWO_VALLEYS, "x**2 - y**2 + 0.1*y**4", "himmelblau"):
        s = mathcore.get_surface(name)
        saddle = s.facts.saddles[0]
        start = landmarks.saddle_start(s, saddle, gd(s), 300)
        traj = mathcore.run(s, gd(s), start, 300)
        g = traj.grad_norms
        k = landmarks.saddle_pause(g)
        assert g[k] < 0.01 * g[0], name
        assert np.linalg.norm(traj.points[k] - saddle.point) < np.linalg.norm(traj.points[0] - saddle.point)
        assert np.linalg.norm(traj.x - saddle.point) > 0.05 * np.ptp(np.array(s.facts.domain))  # it left


def test_saddle_pause_is_before_the_gradient_vanishes_again_at_a_minimum():
    assert landmarks.saddle_pause([3.0, 1.0, 0.1, 0.5, 2.0, 1.0, 1e-9]) == 2


def test_plateau_is_flat_away_from_critical_points_and_absent_from_a_bowl():
    s = mathcore.get_surface("plateau")
    flat = landmarks.plateau(s)
    assert flat is not None and flat.share >= landmarks.FLAT_SHARE
    g0 = np.linalg.norm(s.grad(np.array(flat.start)))
    assert g0 < flat.slope
    assert all(np.linalg.norm(np.subtract(flat.start, c.point)) > 0.1 * 8 for c in s.facts.critical_points)
    assert landmarks.plateau(mathcore.get_surface("x**2 + 3*y**2")) is None


def test_noise_escape_ends_lower_when_it_says_it_escaped():
    s = mathcore.get_surface(TWO_VALLEYS)
    xs, ys, index = mathcore.basins(s, gd(s), grid_n=31, steps=300)
    start = landmarks.trap_start(s, xs, ys, index, s.facts.start)
    lr = s.facts.learning_rates["right"]
    plain = mathcore.run(s, gd(s), start, 300, schedule=mathcore.cosine(lr, 300))
    noisy = landmarks.noise_escape(s, gd(s), start, 300, float(plain.fun), schedule=mathcore.cosine(lr, 300))
    assert noisy.escaped and noisy.traj.fun < plain.fun
    again = mathcore.run(s, gd(s), start, 300, schedule=mathcore.cosine(lr, 300), grad_noise=noisy.sigma,
                         seed=noisy.seed)
    assert np.array_equal(again.points, noisy.traj.points)  # the seed on screen reproduces the run
