"""Momentum up close (``scenes/parts/momentum.py``): paths, vectors, overshoots, counts.

The part renders once per test session under a dry run (``tests/scenes/conftest.py``).
"""

from __future__ import annotations

import numpy as np



def same_point(a, b, tol=1e-9):
    return np.allclose(np.asarray(a, float)[:2], np.asarray(b, float)[:2], atol=tol)


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
    # Counted where each ball is drawn: Nesterov's at its classic-form points, on the classic rule shown.
    classic = classic_nesterov(d.surface, cfg.start, cfg.lr, cfg.momentum, cfg.steps)
    for name in ("gd", "momentum", "nesterov"):
        losses = d.surface.f(classic.T) if name == "nesterov" else d.runs[name].losses
        hit = np.flatnonzero(losses - d.surface.facts.f_min <= cfg.loss_tol)
        assert d.steps_to_tol(name) == (int(hit[0]) if len(hit) else None)
    assert (d.steps_to_tol("nesterov"), d.nesterov.steps_to_gap(cfg.loss_tol)) == (17, 16)  # the two views differ
    assert f"Nesterov: {d.steps_to_tol('nesterov')} steps" in d.counts()


def test_nesterov_rule_on_screen_is_the_form_its_ball_follows(momentum):
    from mathcore.optimizers import CLASSIC_NESTEROV_RULE, rule_line_latex

    scene, _ = momentum
    card = scene.rule_card("nesterov")
    assert card[1].source == r" \\ ".join(rule_line_latex(a, b) for a, b in CLASSIC_NESTEROV_RULE)
    assert r"\nabla f{\left(\theta - \eta \mu \Delta \right)}" in card[1].source


def test_legend_and_rule_cards_fit_the_right_hand_column(momentum):
    """The legend names the runs; each rule card carries its run's hyperparameters: all of it
    between the map and the frame's margin."""
    from scenes.chapter import in_frame
    from scenes.mobjects import hyperparam_text

    scene, _ = momentum
    map_right = scene.panel.get_right()[0]
    for name, entry in scene.entries.items():
        card = scene.rule_card(name)
        assert card[2].tex_string == hyperparam_text(scene.data.runs[name].optimizer)
        for mob in (entry, card):
            assert in_frame(mob) and mob.get_left()[0] > map_right
