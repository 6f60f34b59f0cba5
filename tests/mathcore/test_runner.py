"""Convergence, stopping rules, divergence, batches, recorded state, schedules, basins."""

import warnings

import numpy as np
import pytest

import mathcore as mc

START = [-1.5, 2.0]

# (optimizer, lr, steps, tolerance on the distance to (1, 1)) on Rosenbrock.
ROSENBROCK = [
    ("gd", 1e-3, 40000, 1e-4),
    ("momentum", 1e-3, 5000, 1e-5),
    ("nesterov", 1e-3, 5000, 1e-5),
    ("adagrad", 1.0, 20000, 1e-4),
    ("rmsprop", 3e-4, 20000, 1e-3),
    ("adam", 0.02, 5000, 1e-5),
    ("adamw", 0.02, 5000, 2e-2),  # weight decay 1e-2 pulls the end point slightly toward 0
    ("amsgrad", 0.02, 10000, 1e-5),
    ("nadam", 0.005, 20000, 1e-3),
    ("newton", 1.0, 50, 1e-12),
]


@pytest.mark.parametrize("name, lr, steps, tol", ROSENBROCK)
def test_converges_on_rosenbrock(name, lr, steps, tol):
    traj = mc.run("rosenbrock", name, START, steps, lr, grad_tol=1e-6)
    assert traj.status in ("converged", "max_steps")
    assert np.abs(traj.x - 1).max() < tol


def test_adadelta_goes_down_rosenbrock_valley():
    # Adadelta's unit-free steps rattle along the valley floor without settling in 20000
    # steps (a known weakness on Rosenbrock); it still gets most of the way down.
    traj = mc.run("rosenbrock", "adadelta", START, 20000, 1.0)
    assert traj.fun < 0.1 * traj.losses[0]
    assert traj.status == "max_steps" and np.all(np.isfinite(traj.points))


@pytest.mark.parametrize("name", list(mc.OPTIMIZERS))
def test_converges_on_bowl(name):
    lr = {"gd": 0.1, "momentum": 0.05, "nesterov": 0.05, "adagrad": 0.5, "rmsprop": 0.01,
          "adadelta": 1.0, "adam": 0.05, "adamw": 0.05, "amsgrad": 0.05, "nadam": 0.05, "newton": 1.0}[name]
    hp = {"weight_decay": 0.0} if name == "adamw" else {}
    traj = mc.run("bowl", mc.make_optimizer(name, **hp), START, 20000, lr, grad_tol=1e-8)
    assert traj.status == "converged", (traj.status, traj.x)
    np.testing.assert_allclose(traj.x, 0, atol=1e-7)


def test_newton_solves_a_quadratic_in_one_step():
    traj = mc.run("elongated-bowl", "newton", [4.0, -2.0], 5, grad_tol=1e-12)
    assert traj.n_steps == 1 and traj.status == "converged"
    np.testing.assert_allclose(traj.points[1], 0, atol=1e-15)


def test_plain_gd_is_the_update_rule():
    s = mc.get_surface("rosenbrock")
    traj = mc.run(s, "gd", START, 20, 1e-3)
    for k in range(20):
        np.testing.assert_array_equal(traj.points[k + 1], traj.points[k] - 1e-3 * s.grad(traj.points[k]))
    np.testing.assert_array_equal(traj.losses, s.f(traj.points.T))
    np.testing.assert_array_equal(traj.grads, s.grad(traj.points.T).T)


def test_divergence_is_a_status_not_an_exception():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow RuntimeWarning may escape
        traj = mc.run("parabola", "gd", [5.0], 100000, 1.05)
        blown = mc.run("rosenbrock", "gd", START, 1000, 0.1)
    assert traj.status == "diverged" and traj.n_steps < 100000
    assert abs(traj.points[-1, 0]) > 1e6 and abs(traj.points[-2, 0]) <= 1e6
    assert blown.status == "diverged" and blown.n_steps < 50
    np.testing.assert_array_equal(traj.success, False)


def test_bound_marks_leaving_the_frame():
    traj = mc.run("parabola", "gd", [5.0], 100, 1.05, bound=10.0)
    # x_k = 5 * (-1.1)^k first exceeds 10 at k = 8
    assert traj.status == "diverged" and traj.n_steps == 8
    np.testing.assert_allclose(traj.points[:, 0], 5 * (-1.1) ** np.arange(9), rtol=1e-12)


def test_learning_rates_too_small_right_too_large():
    small, right, large = (mc.run("parabola", "gd", [5.0], 1000, lr, grad_tol=1e-3) for lr in (0.01, 0.1, 1.05))
    assert right.status == "converged" and small.status in ("converged", "max_steps")
    assert right.n_steps < small.n_steps
    assert large.status == "diverged"


def test_stopping_rules():
    traj = mc.run("bowl", "gd", START, 1000, 0.1, loss_tol=1e-4)
    assert traj.status == "converged" and traj.losses[-1] <= 1e-4 < traj.losses[-2]
    traj = mc.run("bowl", "gd", START, 1000, 0.1, grad_tol=1e-3)
    assert np.linalg.norm(traj.grads[-1]) <= 1e-3 < np.linalg.norm(traj.grads[-2])
    assert mc.run("bowl", "gd", START, 7, 0.1).n_steps == 7


def test_batch_equals_single_runs_and_stops_each_run_on_its_own():
    starts = np.array([[-1.5, 2.0], [0.0, 0.0], [1.2, 1.2], [2.0, -1.0]])
    batch = mc.run("rosenbrock", "adam", starts, 300, 0.05, grad_tol=1e-3)
    assert batch.points.shape == (301, 4, 2)
    for i, start in enumerate(starts):
        single = mc.run("rosenbrock", "adam", start, 300, 0.05, grad_tol=1e-3)
        n = single.n_steps
        assert batch.n_steps[i] == n and batch.status[i] == single.status
        np.testing.assert_array_equal(batch.points[: n + 1, i], single.points)
        np.testing.assert_array_equal(batch.points[n:, i], np.broadcast_to(single.points[-1], (301 - n, 2)))


def test_final_record_and_threaded_batches_agree_with_full():
    starts = np.random.default_rng(0).uniform(-5, 5, (200, 2))
    full = mc.run("rastrigin", "adam", starts, 100, 0.05)
    final = mc.run("rastrigin", "adam", starts, 100, 0.05, record="final", workers=2)
    np.testing.assert_array_equal(final.points[-1], full.points[-1])
    np.testing.assert_array_equal(final.points[0], starts)
    np.testing.assert_array_equal(final.losses[-1], full.losses[-1])


def test_state_is_recorded_per_step():
    traj = mc.run("rosenbrock", "adam", START, 10, 0.01)
    assert set(traj.state) == {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
    assert traj.state["exp_avg"].shape == (11, 2)
    np.testing.assert_array_equal(traj.state["exp_avg"][0], 0)
    g0 = traj.grads[0]
    np.testing.assert_allclose(traj.state["exp_avg"][1], 0.1 * g0, rtol=1e-12)
    np.testing.assert_allclose(traj.state["exp_avg_sq"][1], 0.001 * g0**2, rtol=1e-12)
    mom = mc.run("bowl", "momentum", START, 5, 0.1)
    np.testing.assert_array_equal(mom.state["momentum_buffer"][1], mom.grads[0])
    np.testing.assert_allclose(mom.step_sizes, np.linalg.norm(np.diff(mom.points, axis=0), axis=1))


def test_stochastic_minibatch_and_batch_are_real():
    s = mc.get_surface("linear-regression")
    full = mc.run(s, "gd", [0.0, 0.0], 64, 0.1)
    sgd = mc.run(s, "gd", [0.0, 0.0], 64, 0.1, batch_size=1, seed=3)
    mini = mc.run(s, "gd", [0.0, 0.0], 64, 0.1, batch_size=8, seed=3)
    assert sgd.label == "gd (stochastic)" and mini.label == "gd (mini-batch 8)"
    np.testing.assert_array_equal(full.update_grads, full.grads[:-1])
    assert not np.allclose(sgd.update_grads, sgd.grads[:-1])
    # each SGD update uses exactly one example's gradient, scaled to estimate the mean loss's gradient
    first = sgd.update_grads[0]
    candidates = s.example_grads(np.zeros(2)).T * s.scale * s.n_examples
    assert np.min(np.linalg.norm(candidates - first, axis=1)) < 1e-12
    # the same seed gives the same run; all three approach the least-squares fit
    again = mc.run(s, "gd", [0.0, 0.0], 64, 0.1, batch_size=1, seed=3)
    np.testing.assert_array_equal(sgd.points, again.points)
    for traj in (full, mini, sgd):
        assert traj.fun < 0.5 * traj.losses[0]


def test_gradient_noise_is_seeded_and_labelled():
    a = mc.run("rastrigin", "gd", [2.0, 2.0], 50, 0.001, grad_noise=5.0, seed=1)
    b = mc.run("rastrigin", "gd", [2.0, 2.0], 50, 0.001, grad_noise=5.0, seed=1)
    clean = mc.run("rastrigin", "gd", [2.0, 2.0], 50, 0.001)
    np.testing.assert_array_equal(a.points, b.points)
    assert not np.allclose(a.points, clean.points)
    assert "noise" in a.label


def test_schedules():
    assert [mc.step_decay(1.0, 2, 0.5)(k) for k in range(5)] == [1, 1, 0.5, 0.5, 0.25]
    assert mc.exponential(1.0, 0.5)(3) == 0.125
    cos = mc.cosine(1.0, 10)
    assert cos(0) == 1.0 and cos(10) == pytest.approx(0) and cos(5) == pytest.approx(0.5)
    warm = mc.with_warmup(mc.constant(0.1), 4)
    assert [warm(k) for k in range(6)] == pytest.approx([0.025, 0.05, 0.075, 0.1, 0.1, 0.1])
    traj = mc.run("bowl", "gd", START, 10, schedule=mc.step_decay(0.1, 5, 0.1))
    np.testing.assert_allclose(traj.lrs, [0.1] * 5 + [0.01] * 5)


def test_basins_on_rastrigin():
    xs, ys, index = mc.basins("rastrigin", "gd", grid_n=21, steps=300, lr=0.002, domain=((-2, 2), (-2, 2)))
    assert index.shape == (21, 21)
    s = mc.get_surface("rastrigin")
    known = np.array([c.point for c in s.facts.minima])
    # a start on the lattice point (1, -1) stays in that point's basin
    i, j = np.argmin(np.abs(xs - 1)), np.argmin(np.abs(ys + 1))
    np.testing.assert_allclose(known[index[i, j]], [1, -1], atol=0.05)
    assert index[10, 10] == 0  # the origin's basin is the global minimum
    assert len(np.unique(index)) == 25  # plain GD from a 5x5 lattice neighbourhood: 25 basins


@pytest.mark.parametrize("kwargs, message", [
    (dict(start=[1.0, 2.0, 3.0]), "has 3 coordinates"),
    (dict(lr=-1.0), "invalid lr"),
    (dict(record="some"), "invalid record"),
    (dict(batch_size=4), "needs a data-based loss"),
])
def test_bad_arguments(kwargs, message):
    args = dict(surface="rosenbrock", optimizer="gd", start=START, steps=3) | kwargs
    with pytest.raises(ValueError, match=message):
        mc.run(**args)


@pytest.mark.parametrize("name, hp, message", [
    ("adamx", {}, "unknown optimizer"),
    ("adam", {"beta": 0.9}, "unknown hyperparameter 'beta'"),
    ("adam", {"betas": 0.9}, "invalid betas"),
    ("momentum", {"momentum": -0.5}, "invalid momentum"),
])
def test_bad_optimizers(name, hp, message):
    with pytest.raises(ValueError, match=message):
        mc.make_optimizer(name, **hp)


def test_update_rules_have_latex():
    for name in mc.OPTIMIZERS:
        latex = mc.make_optimizer(name).latex
        assert r"\theta \leftarrow" in latex, name
    assert r"\beta_{1}" in mc.make_optimizer("adam").latex
    for name in ("adagrad", "rmsprop", "adadelta", "adam", "nadam"):  # symbols, not the default values
        latex = mc.make_optimizer(name).latex
        assert r"\epsilon" in latex and "10^{" not in latex and "0.9" not in latex, (name, latex)
    assert r"\rho" in mc.make_optimizer("adadelta").latex


def test_one_learning_rate_per_run_of_a_batch():
    rates = np.array([0.001, 0.01, 0.05])
    batch = mc.run("himmelblau", "gd", np.tile([-1.0, 1.0], (3, 1)), 50, rates)
    for k, lr in enumerate(rates):
        alone = mc.run("himmelblau", "gd", [-1.0, 1.0], 50, float(lr))
        np.testing.assert_array_equal(batch.points[: alone.n_steps + 1, k], alone.points)
        assert batch.status[k] == alone.status
    assert batch.settings["lr"] == rates.tolist() and batch.lrs.shape == (50, 3)
    with pytest.raises(ValueError, match="one per start"):
        mc.run("himmelblau", "gd", [-1.0, 1.0], 5, rates)
    with pytest.raises(ValueError, match="invalid lr"):
        mc.run("himmelblau", "gd", np.zeros((3, 2)), 5, np.array([0.1, -1.0, 0.1]))


@pytest.mark.parametrize("name, hp, fragment", [
    ("momentum", dict(momentum=float("inf")), "invalid momentum inf; accepted: a finite number in [0, inf)"),
    ("momentum", dict(dampening=float("nan")), "invalid dampening nan"),
    ("momentum", dict(dampening="0.9"), "invalid dampening '0.9'; accepted: a number in [0, 1]"),
    ("momentum", dict(dampening=[0.1]), "invalid dampening [0.1]"),
    ("adamw", dict(weight_decay=float("inf")), "invalid weight_decay inf"),
    ("adagrad", dict(lr_decay=True), "invalid lr_decay True"),
    ("adagrad", dict(initial_accumulator_value=-1), "invalid initial_accumulator_value -1"),
    ("adagrad", dict(initial_accumulator_value=float("nan")), "invalid initial_accumulator_value nan"),
    ("rmsprop", dict(alpha=5), "invalid alpha 5; accepted: a finite number in [0, 1]"),
    ("rmsprop", dict(centered=1), "invalid centered 1; accepted: true or false"),
    ("adam", dict(eps=float("nan")), "invalid eps nan"),
    ("adam", dict(betas=[float("nan"), float("nan")]), "invalid betas[0] nan"),
    ("adam", dict(amsgrad="false"), "invalid amsgrad 'false'; accepted: true or false"),
    ("adam", dict(amsgrad=5), "invalid amsgrad 5"),
    ("nesterov", dict(lr={"a": 1}), "invalid lr {'a': 1}"),
])
def test_hyperparameters_are_checked_for_type_range_and_finiteness(name, hp, fragment):
    with pytest.raises(ValueError) as info:
        mc.make_optimizer(name, **hp)
    assert fragment in str(info.value) and "\n" not in str(info.value)


def test_step_budget_and_learning_rate_limits():
    for steps in (0, mc.MAX_STEPS + 1, 10**100, 2.5, True):
        with pytest.raises(ValueError, match="invalid steps"):
            mc.run("bowl", "gd", [1.0, 1.0], steps)
    for lr in (float("inf"), float("nan")):
        with pytest.raises(ValueError, match="invalid lr"):
            mc.run("bowl", "gd", [1.0, 1.0], 5, lr)


def test_a_run_where_f_is_not_real_diverges_there():
    t = mc.run(mc.get_surface("log(-x) + y**2", domain=((-3, 3), (-3, 3))), "gd", [1.0, 1.0], 50, 0.1)
    assert t.status == "diverged" and t.n_steps == 0  # f(1, 1) = log(-1) is not real; the gradient 1/x is
    t = mc.run(mc.get_surface("sqrt(x) + y**2", domain=((-3, 3), (-3, 3))), "gd", [0.2, 1.0], 50, 0.5)
    assert t.status == "diverged" and np.isfinite(t.losses[:-1]).all() and not np.isfinite(t.losses[-1])


def test_newton_refuses_a_formula_with_a_kink():
    with pytest.raises(ValueError, match="newton needs a twice-differentiable formula"):
        mc.run(mc.get_surface("abs(x) + y**2"), "newton", [1.0, 1.0], 5)
    assert mc.run(mc.get_surface("abs(x) + y**2"), "gd", [1.0, 1.0], 5, 0.1).status == "max_steps"


def test_classic_nesterov_is_sutskevers_form_of_the_torch_run():
    """theta_k = p_k + eta mu Delta_k follows v <- mu v - eta grad(theta + mu v), theta <- theta + v
    (written here independently), and its losses are f there; other optimizers are refused."""
    surface = mc.get_surface("elongated-bowl")
    lr, mu, steps = 0.1, 0.8, 40
    t = mc.run(surface, mc.make_optimizer("nesterov", lr=lr, momentum=mu), (-4.5, 1.5), steps)
    theta, v, expected = np.array([-4.5, 1.5]), np.zeros(2), []
    expected.append(theta.copy())
    for _ in range(steps):
        v = mu * v - lr * surface.grad(theta + mu * v)
        theta = theta + v
        expected.append(theta.copy())
    points, losses = t.classic_nesterov
    np.testing.assert_allclose(points, np.array(expected), atol=1e-12)
    np.testing.assert_allclose(losses, surface.f(np.array(expected).T), atol=1e-12)
    assert t.steps_to_gap(1e-3, losses) != t.steps_to_gap(1e-3)  # two views of one run
    with pytest.raises(ValueError, match="not momentum"):
        mc.run(surface, mc.make_optimizer("momentum", lr=lr, momentum=mu), (-4.5, 1.5), 5).classic_nesterov
