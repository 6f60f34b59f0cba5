"""mathcore.describe against published results of standard test functions, and its promises."""

import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import mathcore as mc
from mathcore.analysis import _exact_critical, _find_critical, default_domain, describe, start_clearance

PI = math.pi
BRANIN = ("(y - 5.1/(4*pi**2)*x**2 + 5/pi*x - 6)**2 + 10*(1 - 1/(8*pi))*cos(x) + 10")
GOLDSTEIN_PRICE = ("(1 + (x + y + 1)**2*(19 - 14*x + 3*x**2 - 14*y + 6*x*y + 3*y**2))"
                   "*(30 + (2*x - 3*y)**2*(18 - 32*x + 12*x**2 + 48*y - 36*x*y + 27*y**2))")
LEVI13 = "sin(3*pi*x)**2 + (x - 1)**2*(1 + sin(3*pi*y)**2) + (y - 1)**2*(1 + sin(2*pi*y)**2)"
MCCORMICK_S = -2 * PI / 3  # x + y at the minimum: cos(x + y) = -1/2 and x - y = 1

# (formula, domain, global minima, f*), published values (Jamil & Yang 2013; Surjanovic & Bingham).
LITERATURE = {
    "booth": ("(x + 2*y - 7)**2 + (2*x + y - 5)**2", ((-10, 10), (-10, 10)), [(1, 3)], 0.0),
    "matyas": ("0.26*(x**2 + y**2) - 0.48*x*y", ((-10, 10), (-10, 10)), [(0, 0)], 0.0),
    "zakharov": ("x**2 + y**2 + (0.5*x + y)**2 + (0.5*x + y)**4", ((-5, 10), (-5, 10)), [(0, 0)], 0.0),
    "bohachevsky1": ("x**2 + 2*y**2 - 0.3*cos(3*pi*x) - 0.4*cos(4*pi*y) + 0.7", ((-1, 1), (-1, 1)), [(0, 0)], 0.0),
    "levi13": (LEVI13, ((-2, 3), (-2, 3)), [(1, 1)], 0.0),
    "branin": (BRANIN, ((-5, 10), (0, 15)), [(-PI, 12.275), (PI, 2.275), (3 * PI, 2.475)], 5 / (4 * PI)),
    "goldstein-price": (GOLDSTEIN_PRICE, ((-2, 2), (-2, 2)), [(0, -1)], 3.0),
    "three-hump-camel": ("2*x**2 - 1.05*x**4 + x**6/6 + x*y + y**2", ((-2.5, 2.5), (-2.5, 2.5)), [(0, 0)], 0.0),
    "easom": ("-cos(x)*cos(y)*exp(-((x - pi)**2 + (y - pi)**2))", ((0, 6), (0, 6)), [(PI, PI)], -1.0),
    "mccormick": ("sin(x + y) + (x - y)**2 - 1.5*x + 2.5*y + 1", ((-1.5, 4), (-3, 4)),
                  [((MCCORMICK_S + 1) / 2, (MCCORMICK_S - 1) / 2)], math.sin(MCCORMICK_S) + 1 - 1.5 * (MCCORMICK_S + 1) / 2
                  + 2.5 * (MCCORMICK_S - 1) / 2 + 1),
}
ISSUE_EXAMPLE = "x**4 - 4*x**2 + y**2 + 0.5*x"  # two valleys, the deeper one at f = -4.71


def facts_of(name):
    formula, domain, _, _ = LITERATURE[name]
    return mc.get_surface(formula, domain=domain).facts


def points(cps):
    return np.array([c.point for c in cps], float)


def assert_same_points(found, expected, atol=1e-6):
    found, expected = np.asarray(found, float), np.asarray(expected, float)
    assert found.shape == expected.shape, (found, expected)
    for e in expected:
        assert np.min(np.linalg.norm(found - e, axis=1)) < atol, (e, found)


@pytest.mark.parametrize("name", LITERATURE)
def test_published_global_minima(name):
    _, _, minima, f_star = LITERATURE[name]
    facts = facts_of(name)
    assert_same_points(points(facts.global_minima), minima)
    assert facts.f_min == pytest.approx(f_star, abs=1e-6)
    assert not facts.lower_on_boundary


def test_himmelblau_four_minima_four_saddles_one_maximum():
    facts = mc.get_surface("himmelblau").facts
    assert_same_points(points(facts.global_minima),
                       [(3, 2), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)])
    assert facts.f_min == pytest.approx(0, abs=1e-12) and not facts.local_minima
    assert len(facts.saddles) == 4
    assert_same_points(points(facts.maxima), [(-0.270845, -0.923039)])
    assert facts.maxima[0].f == pytest.approx(181.617, abs=1e-3)
    assert facts.exact == "sympy"


def test_beale_rosenbrock_and_the_three_hump_camels_local_minima():
    assert_same_points(points(mc.get_surface("beale").facts.global_minima), [(3, 0.5)])
    assert_same_points(points(mc.get_surface("rosenbrock").facts.minima), [(1, 1)])
    # 2x^2 - 1.05x^4 + x^6/6 + xy + y^2: y = -x/2 and x(x^4 - 4.2x^2 + 3.5) = 0
    roots = np.sqrt([(4.2 + math.sqrt(4.2**2 - 14)) / 2, (4.2 - math.sqrt(4.2**2 - 14)) / 2])
    facts = facts_of("three-hump-camel")
    assert_same_points(points(facts.local_minima), [(r, -r / 2) for r in (roots[0], -roots[0])])
    assert_same_points(points(facts.saddles), [(r, -r / 2) for r in (roots[1], -roots[1])])


def test_rastrigin_lattice_of_critical_points():
    facts = mc.get_surface("rastrigin").facts
    # per axis: minima near the 11 integers, maxima near the 10 half-integers of [-5.12, 5.12]
    assert (len(facts.minima), len(facts.saddles), len(facts.maxima)) == (121, 220, 100)
    assert_same_points(points(facts.global_minima), [(0, 0)])
    hand = mc.get_surface("rastrigin")
    assert_same_points(points(facts.minima), np.array(hand.minima + hand.local_minima), atol=1e-8)


@pytest.mark.parametrize("name", list(mc.SURFACES))
def test_hand_written_critical_points_are_found(name):
    s = mc.get_surface(name)
    facts = s.facts
    if s.minima:
        assert_same_points(points(facts.global_minima), s.minima, atol=1e-8)
        assert facts.f_min == pytest.approx(s.min_value, abs=1e-12)
    if s.local_minima:
        assert_same_points(points(facts.local_minima), s.local_minima, atol=1e-8)
    if s.saddles:
        assert_same_points(points(facts.saddles), s.saddles, atol=1e-8)
    assert facts.log_scale == (s.height_scale == "log")


def test_saddles_of_the_saddle_and_the_sigmoid_error_surface():
    facts = mc.get_surface("saddle").facts
    assert not facts.minima and facts.f_min is None
    assert_same_points(points(facts.saddles), [(0, 0)])
    assert sorted(facts.saddles[0].eigenvalues) == pytest.approx([-2, 2])
    sig = mc.get_surface("sigmoid-error").facts  # one exact fit, no other critical point on [-6, 6]^2
    assert len(sig.critical_points) == 1 and sig.f_min == pytest.approx(0, abs=1e-20)


def test_degenerate_points_are_classified_by_the_values_around_them():
    quartic = mc.get_surface("x**4 + y**4").facts
    assert len(quartic.minima) == 1 and quartic.minima[0].degenerate and quartic.minima[0].point == (0, 0)
    assert quartic.condition_number is None
    monkey = mc.get_surface("x**3 - 3*x*y**2", domain=((-2, 2), (-2, 2))).facts  # the monkey saddle
    assert [c.kind for c in monkey.critical_points] == ["saddle"] and monkey.saddles[0].degenerate
    ring = mc.get_surface("(x**2 + y**2 - 1)**2").facts  # a circle of global minima, a maximum inside
    assert len(ring.global_minima) >= 8 and not ring.local_minima
    assert all(abs(math.hypot(*c.point) - 1) < 1e-6 for c in ring.minima)
    assert_same_points(points(ring.maxima), [(0, 0)])


@pytest.mark.parametrize("formula", [ISSUE_EXAMPLE, "(x**2 + y - 11)**2 + (x + y**2 - 7)**2",
                                     "2*x**2 - 1.05*x**4 + x**6/6 + x*y + y**2", "x**3 - 3*x + y**2"])
def test_exact_solve_and_newton_search_agree(formula):
    s = mc.get_surface(formula)
    lo, hi = np.array(s.domain, float).T
    exact = _exact_critical(s, lo, hi)
    numeric = _find_critical(s, lo, hi)
    assert exact is not None and len(exact) > 0
    assert_same_points(numeric, exact, atol=1e-8)


def test_the_issue_example_two_valleys():
    facts = mc.get_surface(ISSUE_EXAMPLE).facts
    assert facts.f_min == pytest.approx(-4.714753862, abs=1e-8) and facts.exact == "sympy"
    assert [round(c.f, 2) for c in facts.minima] == [-4.71, -3.30]
    assert [c.is_global for c in facts.minima] == [True, False]
    assert len(facts.saddles) == 1
    # the default domain holds every critical point with margin; levels reach below 0 into both valleys
    (x0, x1), (y0, y1) = facts.domain
    assert all(x0 + 0.9 < c.point[0] < x1 - 0.9 and y0 + 0.9 < c.point[1] < y1 - 0.9 for c in facts.critical_points)
    assert facts.levels[0] == facts.f_min and sum(v < -3.30 for v in facts.levels) >= 2
    assert facts.saddles[0].f in facts.levels


def test_gap_and_basin_of_a_run_tell_local_from_global():
    s = mc.get_surface(ISSUE_EXAMPLE)
    gd = mc.run(s, "gd", [2.2, 1.0], 200, 0.02)
    assert gd.status == "max_steps" and not gd.success
    assert gd.ended_in.f == pytest.approx(-3.3008864, abs=1e-6) and not gd.ended_in.is_global
    np.testing.assert_allclose(gd.gap, gd.losses - s.facts.f_min)
    assert gd.gap[-1] == pytest.approx(-3.3008864 + 4.7147539, abs=1e-6)
    mom = mc.run(s, mc.make_optimizer("momentum", momentum=0.9), [2.2, 1.0], 300, 0.02)
    assert mom.ended_in.is_global and mom.gap[-1] < 1e-10  # momentum carries it over the ridge
    done = mc.run(s, "gd", [2.0, 1.0], 2000, 0.02, grad_tol=1e-9)
    assert done.status == "converged" and done.success
    batch = mc.run(s, "gd", [[2.2, 1.0], [-2.0, 1.0], s.facts.saddles[0].point], 300, 0.02)
    assert [c.f < -4 if c else None for c in batch.ended_in] == [False, True, None]  # the last sits on the saddle


def test_basins_on_a_formula_label_the_minima_describe_found():
    s = mc.get_surface(ISSUE_EXAMPLE)
    xs, ys, index = mc.basins(s, "gd", grid_n=21, steps=400, lr=0.02)
    assert set(np.unique(index)) == {0, 1}  # both valleys; a start on the saddle's ridge is rare on this grid
    assert index[0, 10] == 0 and index[-1, 10] == 1  # the left edge drains to the deep valley
    assert xs[0] == s.domain[0][0] and ys[-1] == s.domain[1][1]


@pytest.mark.parametrize("name", ["parabola", "bowl", "rosenbrock", "himmelblau", "plateau", ISSUE_EXAMPLE,
                                  "x**4 + y**4", "rastrigin"])
def test_learning_rates_behave_as_named_from_the_start(name):
    s = mc.get_surface(name)
    facts = s.facts
    lr = facts.learning_rates
    assert lr["too_small"] < lr["right"] < lr["too_large"] and lr["right"] <= lr["stable_below"]
    start = facts.start
    right = mc.run(s, "gd", start, 1000, lr["right"])
    assert right.status != "diverged" and right.losses[-1] < right.losses[0]
    assert np.count_nonzero(np.diff(right.losses) > 1e-12 * (1 + np.abs(right.losses[:-1]))) <= 100
    large = mc.run(s, "gd", start, 1000, lr["too_large"], bound=1e3)
    rises = np.count_nonzero(np.diff(large.losses) > 0)
    assert large.status == "diverged" or rises > 100
    small = mc.run(s, "gd", start, 1000, lr["too_small"])
    assert small.losses[-1] > right.losses[-1]


def test_parabola_rates_are_the_textbook_ones():
    lr = mc.get_surface("parabola").facts.learning_rates  # f'' = 2
    assert (lr["right"], lr["stable_below"], lr["fastest"], lr["too_large"]) == (0.5, 1.0, 0.5, 1.05)
    ell = mc.get_surface("elongated-bowl").facts  # curvatures 1 and 10
    assert ell.condition_number == pytest.approx(10)
    assert ell.learning_rates["fastest"] == pytest.approx(2 / 11)
    assert ell.curvature_max == pytest.approx(10)


@pytest.mark.parametrize("name", list(mc.SURFACES) + [ISSUE_EXAMPLE])
def test_start_is_on_a_slope_away_from_every_critical_point(name):
    s = mc.get_surface(name)
    facts = s.facts
    start = np.array(facts.start)
    lo, hi = np.array(s.domain).T
    assert np.all(lo <= start) and np.all(start <= hi)
    diag = np.linalg.norm(hi - lo)
    crit = np.array([c.point for c in facts.critical_points]).reshape(-1, s.dim)
    clearance = start_clearance(crit, diag)
    assert clearance >= min(0.15 * diag, 0.15)  # Rastrigin: critical points about 0.5 apart
    for c in facts.critical_points:
        assert np.linalg.norm(start - c.point) >= clearance - 1e-9
    assert np.linalg.norm(s.grad(start)) > 1e-6


def test_levels_cover_the_range_with_the_critical_values():
    facts = mc.get_surface("himmelblau").facts
    levels = facts.levels
    assert list(levels) == sorted(levels) and levels[0] == facts.f_min
    assert all(s.f in levels for s in facts.saddles)
    assert facts.f_range[0] <= levels[0] and levels[-1] <= facts.f_range[1]
    easom = facts_of("easom")
    assert easom.levels[0] == -1.0 or easom.levels[0] == pytest.approx(-1.0, abs=1e-12)


def test_default_domain_of_formulas():
    assert mc.get_surface("x**2 + y**2").domain == ((-1.0, 1.0), (-1.0, 1.0))
    assert mc.get_surface("x + y").domain == ((-3.0, 3.0), (-3.0, 3.0))  # no critical point at all
    assert mc.get_surface("(x - 6)**2 + (y + 4)**2").domain == ((5.0, 7.0), (-5.0, -3.0))
    periodic = mc.get_surface("sin(x)*cos(y)").domain  # a crowd of critical points: a window near 0
    assert periodic[0][1] - periodic[0][0] <= 8
    assert default_domain(mc.get_surface("x**2 + y**2")) == ((-1.0, 1.0), (-1.0, 1.0))


def test_a_domain_is_part_of_the_surface():
    wide = mc.get_surface("himmelblau", domain=((0, 5), (0, 5)))
    assert wide.domain == ((0.0, 5.0), (0.0, 5.0))
    assert_same_points(points(wide.facts.minima), [(3, 2)])
    assert mc.get_surface("himmelblau").domain == ((-5.0, 5.0), (-5.0, 5.0))
    for bad in [((1, 0), (0, 1)), ((0, 1),), ((0, math.inf), (0, 1)), "abc"]:
        with pytest.raises(ValueError, match="invalid domain"):
            mc.get_surface("bowl", domain=bad)


def test_json_shape():
    data = json.loads(facts_of("branin").to_json())
    for key in ("surface", "domain", "minima", "saddles", "maxima", "f_min", "curvature_max", "learning_rates",
                "levels", "start"):
        assert key in data
    assert data["domain"] == [[-5.0, 10.0], [0.0, 15.0]]
    assert set(data["minima"][0]) >= {"x", "y", "f", "global"} and all(m["global"] for m in data["minima"][:3])
    assert set(data["learning_rates"]) >= {"too_small", "right", "too_large"}


coefficient = st.integers(-4, 4)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=coefficient, b=coefficient, c=coefficient, d=coefficient, e=st.integers(1, 3))
def test_every_reported_point_is_critical_with_the_right_hessian_signs(a, b, c, d, e):
    formula = f"x**4/{e} + {a}*x**2 + {b}*x*y + {c}*y**2 + {d}*x + y**4/4"
    surface = mc.get_surface(formula)
    facts = describe(surface)
    for cp in facts.critical_points:
        p = np.array(cp.point)
        assert np.linalg.norm(surface.grad(p)) < 1e-8
        eig = np.linalg.eigvalsh(surface.hess(p))
        if not cp.degenerate:
            assert {"minimum": eig.min() > 0, "maximum": eig.max() < 0,
                    "saddle": eig.min() < 0 < eig.max()}[cp.kind]
    assert facts.minima, formula  # coercive: a lowest point exists inside the default domain
    assert facts.f_min <= float(np.min(surface.f(surface.grid(61)))) + 1e-9


def test_lower_on_the_edge_is_reported():
    facts = mc.get_surface("x**3 - 3*x + y**2", domain=((-3, 3), (-3, 3))).facts  # f falls to the left of (1, 0)
    assert facts.f_min == pytest.approx(-2) and facts.lower_on_boundary
    assert facts.f_range[0] < -2


def test_kinks_poles_and_underflow():
    kink = mc.get_surface("abs(x - 1) + abs(y + 0.5)").facts  # no zero of the gradient: a kink
    assert len(kink.minima) == 1 and kink.minima[0].kink and kink.minima[0].is_global
    np.testing.assert_allclose(kink.minima[0].point, (1, -0.5), atol=1e-9)
    cone = mc.get_surface("sqrt(x**2 + y**2)").facts
    assert cone.minima[0].kink and cone.f_min == pytest.approx(0, abs=1e-9)
    json.loads(cone.to_json())  # its curvature is not a number: null in JSON
    assert not mc.get_surface("tan(x) + y**2").facts.minima  # the edge of a pole is no minimum
    flat = mc.get_surface("1e6*exp(x*y)").facts  # where it underflows the gradient is 0 to the last bit
    assert not flat.minima and len(flat.saddles) == 1
