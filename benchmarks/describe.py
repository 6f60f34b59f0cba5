"""How long ``mathcore.describe`` takes, formula text to facts, against a classic multi-start root search.

    .venv/bin/python benchmarks/describe.py [--random 20] [--seed 0]

For each formula: parse it, derive gradient and Hessian, pick the default domain and describe
it (critical points, curvature, rates, levels, start), from a cold cache. The baseline, run in
the same process on the same surfaces, is what one would write without vectorizing: one
``scipy.optimize.root(grad, start, jac=hess)`` per start of the same 48 x 48 grid over the
domain (400 starts for one variable). It prints each time, the ratio describe / baseline (below 1: describe is faster),
and the slowest describe (the issue's target: under 1 s for any formula the parser accepts).
"""

import argparse
import os
import random
import time

import numpy as np
from scipy.optimize import root

import mathcore as mc
from mathcore import surfaces
from mathcore.analysis import _grid, describe

FORMULAS = [
    "x**4 - 4*x**2 + y**2 + 0.5*x",
    "(x**2 + y - 11)**2 + (x + y**2 - 7)**2",
    "(1 + (x + y + 1)**2*(19 - 14*x + 3*x**2 - 14*y + 6*x*y + 3*y**2))"
    "*(30 + (2*x - 3*y)**2*(18 - 32*x + 12*x**2 + 48*y - 36*x*y + 27*y**2))",
    "sin(3*pi*x)**2 + (x - 1)**2*(1 + sin(3*pi*y)**2) + (y - 1)**2*(1 + sin(2*pi*y)**2)",
    "20 + x**2 - 10*cos(2*pi*x) + y**2 - 10*cos(2*pi*y)",
    "(x**2 + y**2 - 1)**2",
    "sigmoid(3*x - y) + log(1 + exp(x*y)) + tanh(x)**2 + y**2/4",
    "x**4 + y**4",
]
ATOMS = ["x", "y", "x*y", "(x - 1)", "(y + 0.5)", "x**2", "y**2"]
FUNCS = ["sin", "cos", "exp", "tanh", "sigmoid", "atan"]


def random_formula(rng: random.Random, limit=300) -> str:
    """A seeded random sum of smooth terms, as long as the parser allows."""
    terms = ["x**2/4 + y**2/4"]
    while True:
        a, f = rng.choice(ATOMS), rng.choice(FUNCS)
        c = rng.choice(["0.5", "1.5", "2", "-1", "0.3"])
        term = f"{c}*{f}({a})" if f != "exp" else f"{c}*exp(-{a}**2)"
        if len(" + ".join(terms + [term])) > limit:
            return " + ".join(terms)
        terms.append(term)


def time_describe(formula):
    surfaces._cache.clear()
    t0 = time.perf_counter()
    surface = mc.get_surface(formula)
    facts = describe(surface)
    return time.perf_counter() - t0, surface, facts


def time_baseline(surface):
    lo, hi = np.array(surface.domain, float).T
    starts = _grid(lo, hi, 400 if surface.dim == 1 else 48).T
    t0 = time.perf_counter()
    with np.errstate(all="ignore"):
        for start in starts:
            root(lambda p: surface.grad(p), start, jac=lambda p: surface.hess(p))
    return time.perf_counter() - t0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--random", type=int, default=20, help="how many seeded random formulas of ~300 characters")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    formulas = list(mc.SURFACES) + FORMULAS + [random_formula(rng) for _ in range(args.random)]
    print(f"describe on {len(formulas)} surfaces, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    worst, total_d, total_b = (0.0, ""), 0.0, 0.0
    for formula in formulas:
        t_d, surface, facts = time_describe(formula)
        t_b = time_baseline(surface)
        total_d, total_b = total_d + t_d, total_b + t_b
        worst = max(worst, (t_d, formula))
        label = formula if len(formula) <= 40 else formula[:37] + "..."
        print(f"{label:42s} {t_d:6.3f} s  baseline {t_b:6.2f} s  ratio {t_d / t_b:5.3f}  "
              f"{len(facts.critical_points):4d} critical points")
    print(f"total: describe {total_d:.2f} s, baseline {total_b:.2f} s, ratio {total_d / total_b:.3f}")
    print(f"slowest describe: {worst[0]:.3f} s ({worst[1][:60]}); target < 1 s: {'met' if worst[0] < 1 else 'MISSED'}")


if __name__ == "__main__":
    main()
