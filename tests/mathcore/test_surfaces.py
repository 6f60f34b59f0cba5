"""Symbolic gradients and Hessians against SciPy and finite differences, on every surface."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy.optimize import approx_fprime, rosen, rosen_der, rosen_hess

import mathcore as mc

NAMES = list(mc.SURFACES)


def sample_points(surface, n=25, seed=1):
    rng = np.random.default_rng(seed)
    lo, hi = np.array(surface.domain).T
    return rng.uniform(lo, hi, (n, surface.dim))


def test_rosenbrock_matches_scipy():
    s = mc.get_surface("rosenbrock")
    for p in sample_points(s):
        assert s.f(p) == pytest.approx(rosen(p), rel=1e-14)
        np.testing.assert_allclose(s.grad(p), rosen_der(p), rtol=1e-13, atol=1e-12)
        np.testing.assert_allclose(s.hess(p), rosen_hess(p), rtol=1e-13, atol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_finite_differences(name):
    s = mc.get_surface(name)
    for p in sample_points(s):
        numeric = approx_fprime(p, lambda q: float(s.f(q)), 1e-7)
        np.testing.assert_allclose(s.grad(p), numeric, rtol=1e-4, atol=1e-4 * (1 + abs(s.f(p))))


@pytest.mark.parametrize("name", NAMES)
def test_hessian_matches_finite_differences_of_gradient(name):
    s = mc.get_surface(name)
    for p in sample_points(s, 10):
        h = 1e-6
        numeric = np.array([(s.grad(p + h * e) - s.grad(p - h * e)) / (2 * h) for e in np.eye(s.dim)]).T
        np.testing.assert_allclose(s.hess(p), numeric, rtol=1e-5, atol=1e-5 * (1 + np.abs(numeric).max()))
        np.testing.assert_allclose(s.hess(p), s.hess(p).T, rtol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_arrays_of_points_match_single_points(name):
    s = mc.get_surface(name)
    grid = s.grid(7)
    f, g, h = s.f(grid), s.grad(grid), s.hess(grid)
    assert f.shape == grid.shape[1:] and g.shape == grid.shape and h.shape == (s.dim,) + grid.shape
    idx = (3,) * s.dim
    p = grid[(slice(None),) + idx]
    assert f[idx] == s.f(p)
    np.testing.assert_array_equal(g[(slice(None),) + idx], s.grad(p))
    np.testing.assert_array_equal(h[(slice(None), slice(None)) + idx], s.hess(p))


@pytest.mark.parametrize("name", NAMES)
def test_known_critical_points(name):
    s = mc.get_surface(name)
    for kind, points in s.critical_points().items():
        for p in points:
            np.testing.assert_allclose(s.grad(np.array(p)), 0, atol=1e-8, err_msg=f"{kind} {p}")
            eig = np.linalg.eigvalsh(s.hess(np.array(p)))
            if kind == "saddle":
                assert eig.min() < 0 < eig.max()
            else:
                assert eig.min() > 0
    if s.minima:
        assert s.f(np.array(s.minima[0])) <= s.f(s.grid(41)).min() + 1e-12


def test_sigmoid_error_minimum_is_closed_form():
    s = mc.get_surface("sigmoid-error")
    w, b = s.minima[0]
    assert w == pytest.approx(np.log(6), rel=1e-15)
    assert b == pytest.approx(np.log(0.2 / 0.8) - np.log(6) / 2, rel=1e-15)
    assert s.f(np.array([w, b])) == pytest.approx(0, abs=1e-30)


def test_sigmoid_error_latex_uses_sigma():
    s = mc.get_surface("sigmoid-error")
    assert r"\sigma" in s.latex and "e^" not in s.latex
    assert s.example_latex == r"\frac{\left(- y_{i} + \sigma\left(b + w x_{i}\right)\right)^{2}}{2}"


def test_rastrigin_local_minima_lie_near_the_integer_lattice():
    s = mc.get_surface("rastrigin")
    minima = np.array(s.local_minima)
    assert len(minima) == 120
    assert np.abs(minima - np.round(minima)).max() < 0.03
    assert np.all(np.abs(minima) <= np.abs(np.round(minima)))  # pulled toward the origin


def test_latex_strings_come_from_the_expression():
    s = mc.get_surface("rosenbrock")
    assert s.latex == r"\left(1 - x\right)^{2} + 100 \left(- x^{2} + y\right)^{2}"
    assert s.partial_latex == (r"- 400 x \left(- x^{2} + y\right) + 2 x - 2", r"- 200 x^{2} + 200 y")
    assert s.gradient_latex.startswith(r"\left[\begin{matrix}")
    assert "1200 x^{2}" in s.hessian_latex


@pytest.mark.parametrize("name", ["sigmoid-error", "linear-regression"])
def test_per_example_gradients_sum_to_the_full_gradient(name):
    s = mc.get_surface(name)
    for p in sample_points(s, 5):
        total = s.example_grads(p).sum(axis=-1) * s.scale
        np.testing.assert_allclose(total, s.grad(p), rtol=1e-12, atol=1e-15)
        every = np.arange(s.n_examples)
        np.testing.assert_allclose(s.batch_grad(p, every), s.grad(p), rtol=1e-12, atol=1e-15)


def test_minibatch_estimate_is_unbiased():
    s = mc.get_surface("linear-regression")
    p = np.array([0.5, 0.5])
    singles = np.array([s.batch_grad(p, [i]) for i in range(s.n_examples)])
    np.testing.assert_allclose(singles.mean(axis=0), s.grad(p), rtol=1e-12)
    assert singles.std(axis=0).min() > 0.1  # really noisy, not a copy of the full gradient


@settings(max_examples=50, deadline=None)
@given(st.floats(-2, 2), st.floats(-1, 3))
def test_rosenbrock_gradient_property(x, y):
    s = mc.get_surface("rosenbrock")
    np.testing.assert_allclose(s.grad(np.array([x, y])), rosen_der(np.array([x, y])), rtol=1e-12, atol=1e-9)


def test_named_parameters_are_substituted():
    s = mc.surfaces.rosenbrock(a=2, b=10)
    assert s.minima == ((2.0, 4.0),)
    np.testing.assert_allclose(s.grad(np.array([2.0, 4.0])), 0)
    assert mc.surfaces.rastrigin(A=5).f(np.array([0.5, 0.0])) == pytest.approx(0.25 + 10)
