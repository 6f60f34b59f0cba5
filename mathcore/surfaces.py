"""Loss surfaces, each defined once as a SymPy expression.

A :class:`Surface` holds the expression and what a scene needs around it (plot domain,
known minima and saddles, height scaling). Everything numeric is derived from the
expression: ``f``, ``grad`` and ``hess`` evaluate a point of shape ``(d,)`` or a whole
array ``(d, ...)`` of points (coordinates on axis 0, as ``scipy.optimize.rosen``).
Data-based losses (:class:`DataLoss`) also give per-example gradients, so that SGD and
mini-batch runs use real sampled gradients.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import sympy as sp

from .symbolic import FormulaError, gradient, hessian, parse_formula, sigmoid, vectorize

x, y = sp.symbols("x y", real=True)
w, b = sp.symbols("w b", real=True)


@dataclass(frozen=True, eq=False)
class Surface:
    r"""A scalar loss :math:`f(v_1, \dots, v_d)` given by one SymPy expression.

    ``minima`` lists global minima first; ``local_minima`` and ``saddles`` are the other
    known critical points (empty where unknown). ``height_scale`` is ``"log"`` when the
    heights span decades (Rosenbrock): scenes then plot :math:`\log_{10}(1 + f - f_{min})`.
    """

    name: str
    expr: sp.Expr
    variables: tuple
    domain: tuple  # ((lo, hi), ...) one pair per variable
    title: str = ""
    minima: tuple = ()
    local_minima: tuple = ()
    saddles: tuple = ()
    height_scale: str = "linear"
    params: dict = field(default_factory=dict)  # named parameters already substituted

    @property
    def dim(self) -> int:
        return len(self.variables)

    @property
    def variable_names(self) -> tuple[str, ...]:
        return tuple(str(v) for v in self.variables)

    @cached_property
    def grad_exprs(self) -> list:
        return gradient(self.expr, self.variables)

    @cached_property
    def hess_expr(self) -> sp.Matrix:
        return hessian(self.expr, self.variables)

    @cached_property
    def _f(self):
        return vectorize(self.expr, self.variables)

    @cached_property
    def _grad(self):
        return vectorize(self.grad_exprs, self.variables)

    @cached_property
    def _hess(self):
        return vectorize(self.hess_expr, self.variables)

    def f(self, p):
        """:math:`f(p)`; ``p`` has shape ``(d, ...)``; returns shape ``(...)``."""
        return self._f(p)

    def grad(self, p):
        r""":math:`\nabla f(p)`, shape ``(d, ...)``."""
        return self._grad(p)

    def hess(self, p):
        r""":math:`\nabla^2 f(p)`, shape ``(d, d, ...)``."""
        return self._hess(p)

    @property
    def min_value(self) -> float:
        """The global minimum value: the hand-written one, else the lowest minimum ``describe`` found
        in the domain, else the lowest value of f there."""
        if self.minima:
            return float(self.f(np.asarray(self.minima[0], float)))
        facts = self.facts
        return facts.f_min if facts.f_min is not None else facts.f_range[0]

    def grid(self, n: int = 101):
        """A meshgrid of ``n`` points per axis over the domain, shape ``(d, n, ..., n)``."""
        axes = [np.linspace(lo, hi, n) for lo, hi in self.domain]
        return np.array(np.meshgrid(*axes, indexing="ij"))

    # LaTeX, from the same expressions.
    @cached_property
    def latex(self) -> str:
        return sp.latex(self.expr)

    @cached_property
    def partial_latex(self) -> tuple[str, ...]:
        return tuple(sp.latex(g) for g in self.grad_exprs)

    @cached_property
    def gradient_latex(self) -> str:
        return sp.latex(sp.Matrix(self.grad_exprs))

    @cached_property
    def hessian_latex(self) -> str:
        return sp.latex(self.hess_expr)

    def critical_points(self) -> dict[str, tuple]:
        """The hand-written critical points (named surfaces); :attr:`facts` has the computed ones."""
        return {"minimum": self.minima, "local minimum": self.local_minima, "saddle": self.saddles}

    @cached_property
    def facts(self):
        """What ``mathcore.analysis.describe`` finds over :attr:`domain` (computed once)."""
        from .analysis import describe

        return describe(self)

    def with_domain(self, domain) -> "Surface":
        """The same surface over another domain (checked by :func:`check_domain`), keeping the
        derivatives and NumPy functions already built (they do not depend on the domain)."""
        other = dataclasses.replace(self, domain=check_domain(domain, self.dim))
        for key in ("grad_exprs", "hess_expr", "_f", "_grad", "_hess", "latex", "partial_latex",
                    "gradient_latex", "hessian_latex"):
            if key in self.__dict__:
                other.__dict__[key] = self.__dict__[key]
        return other


@dataclass(frozen=True, eq=False)
class DataLoss(Surface):
    r"""A loss over a data set: :math:`L(\theta) = c \sum_i \ell(\theta; x_i, y_i)`.

    ``c`` is 1 for a sum and :math:`1/n` for a mean. A mini-batch :math:`B` gives the
    unbiased estimate :math:`\hat g = c\,\frac{n}{|B|} \sum_{i \in B} \nabla \ell_i`, so
    batch, stochastic (:math:`|B| = 1`) and mini-batch runs are comparable at one learning rate.
    """

    example_expr: sp.Expr = None  # ell(theta; xi, yi)
    data_symbols: tuple = ()
    data: tuple = ()  # (X, Y) arrays
    scale: float = 1.0

    @property
    def n_examples(self) -> int:
        return len(self.data[0])

    @cached_property
    def example_grad_exprs(self) -> list:
        return gradient(self.example_expr, self.variables)

    @cached_property
    def _example_grad(self):
        return vectorize(self.example_grad_exprs, self.variables, self.data_symbols)

    @cached_property
    def _example_loss(self):
        return vectorize(self.example_expr, self.variables, self.data_symbols)

    def example_grads(self, p, index=None):
        r"""Per-example gradients :math:`\nabla \ell_i(p)`, shape ``(d, ..., k)`` for examples ``index``."""
        p = np.asarray(p, float)
        X, Y = (np.asarray(a, float) for a in self.data)
        if index is not None:
            X, Y = X[index], Y[index]
        return self._example_grad(p[..., None], X, Y)

    def example_losses(self, p):
        p = np.asarray(p, float)
        return self._example_loss(p[..., None], *(np.asarray(a, float) for a in self.data))

    def batch_grad(self, p, index):
        r"""The mini-batch estimate :math:`c\,\frac{n}{|B|}\sum_{i\in B}\nabla\ell_i(p)`."""
        g = self.example_grads(p, index)
        return g.sum(axis=-1) * (self.scale * self.n_examples / len(index))

    @cached_property
    def example_latex(self) -> str:
        return sp.latex(self.example_expr)

    @cached_property
    def example_partial_latex(self) -> tuple[str, ...]:
        return tuple(sp.latex(g) for g in self.example_grad_exprs)


def _newton_refine(surface: Surface, points, iterations: int = 50):
    """Polish approximate critical points with Newton steps on the symbolic Hessian."""
    p = np.array(points, float).T  # (d, k)
    for _ in range(iterations):
        H = np.moveaxis(surface.hess(p), -1, 0)
        g = surface.grad(p).T
        p = p - np.linalg.solve(H, g[..., None])[..., 0].T
    return [tuple(map(float, q)) for q in p.T]


# ----------------------------------------------------------------------------- catalogue


def rosenbrock(a=1, b=100) -> Surface:
    r"""Rosenbrock's valley :math:`(a - x)^2 + b (y - x^2)^2`, minimum at :math:`(a, a^2)`."""
    A, B = sp.symbols("a b", positive=True)
    expr = ((A - x) ** 2 + B * (y - x**2) ** 2).subs({A: a, B: b})
    return Surface("rosenbrock", expr, (x, y), ((-2.0, 2.0), (-1.0, 3.0)), "Rosenbrock",
                   minima=((float(a), float(a) ** 2),), height_scale="log", params={"a": a, "b": b})


def rastrigin(A=10) -> Surface:
    r"""Rastrigin's egg crate :math:`2A + \sum (v^2 - A\cos 2\pi v)`, global minimum at 0.

    Its local minima sit near the integer lattice; they are polished by Newton steps.
    """
    a = sp.Symbol("A", positive=True)
    expr = (2 * a + x**2 - a * sp.cos(2 * sp.pi * x) + y**2 - a * sp.cos(2 * sp.pi * y)).subs(a, A)
    base = Surface("rastrigin", expr, (x, y), ((-5.12, 5.12), (-5.12, 5.12)), "Rastrigin",
                   minima=((0.0, 0.0),), params={"A": A})
    lattice = [(i, j) for i in range(-5, 6) for j in range(-5, 6) if (i, j) != (0, 0)]
    return Surface("rastrigin", expr, (x, y), base.domain, "Rastrigin", minima=((0.0, 0.0),),
                   local_minima=tuple(_newton_refine(base, lattice)), params={"A": A})


def sigmoid_error() -> DataLoss:
    r"""One sigmoid neuron on two points: :math:`L(w,b)=\sum_i \tfrac12(\sigma(w x_i+b)-y_i)^2`.

    With X = (0.5, 2.5) and Y = (0.2, 0.9) the neuron can fit both points exactly:
    :math:`\sigma(0.5w+b)=0.2` and :math:`\sigma(2.5w+b)=0.9` give :math:`w=\ln 6`,
    :math:`b=\operatorname{logit}(0.2)-\ln(6)/2`.
    """
    xi, yi = sp.symbols("x_i y_i", real=True)
    X, Y = (sp.Rational(1, 2), sp.Rational(5, 2)), (sp.Rational(1, 5), sp.Rational(9, 10))
    example = sp.Rational(1, 2) * (sigmoid(w * xi + b) - yi) ** 2
    expr = sum(example.subs({xi: X_, yi: Y_}) for X_, Y_ in zip(X, Y))
    w_star = float(sp.log(6))
    b_star = float(sp.log(sp.Rational(1, 4)) - sp.log(6) / 2)
    return DataLoss("sigmoid-error", expr, (w, b), ((-6.0, 6.0), (-6.0, 6.0)), "Sigmoid neuron error",
                    minima=((w_star, b_star),), example_expr=example, data_symbols=(xi, yi),
                    data=(tuple(map(float, X)), tuple(map(float, Y))), scale=1.0)


def linear_regression(n=32, seed=0) -> DataLoss:
    r"""Least squares on a seeded synthetic line: :math:`L=\frac1n\sum_i \tfrac12(w x_i+b-y_i)^2`.

    Data: :math:`x_i \sim U(-2, 2)`, :math:`y_i = 2 x_i - 1 + \varepsilon_i`,
    :math:`\varepsilon_i \sim N(0, 0.5^2)`, from ``numpy.random.default_rng(seed)``.
    The minimum is the least-squares fit.
    """
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2, 2, n)
    Y = 2 * X - 1 + rng.normal(0, 0.5, n)
    xi, yi = sp.symbols("x_i y_i", real=True)
    example = sp.Rational(1, 2) * (w * xi + b - yi) ** 2
    expr = sum(example.subs({xi: sp.Float(X_, 17), yi: sp.Float(Y_, 17)}) for X_, Y_ in zip(X, Y)) / n
    fit = np.linalg.lstsq(np.stack([X, np.ones(n)], 1), Y, rcond=None)[0]
    return DataLoss("linear-regression", expr, (w, b), ((-1.0, 5.0), (-4.0, 2.0)), "Linear regression",
                    minima=(tuple(map(float, fit)),), example_expr=example, data_symbols=(xi, yi),
                    data=(tuple(X), tuple(Y)), scale=1.0 / n, params={"n": n, "seed": seed})


def bowl() -> Surface:
    r"""The round bowl :math:`x^2 + y^2`."""
    return Surface("bowl", x**2 + y**2, (x, y), ((-3.0, 3.0), (-3.0, 3.0)), "Bowl", minima=((0.0, 0.0),))


def elongated_bowl(condition=10) -> Surface:
    r"""An ill-conditioned quadratic :math:`\tfrac12(x^2 + \kappa y^2)`: curvatures 1 and :math:`\kappa`."""
    k = sp.Symbol("kappa", positive=True)
    expr = (sp.Rational(1, 2) * (x**2 + k * y**2)).subs(k, condition)
    return Surface("elongated-bowl", expr, (x, y), ((-5.0, 5.0), (-2.5, 2.5)), "Elongated bowl",
                   minima=((0.0, 0.0),), params={"condition": condition})


def saddle() -> Surface:
    r"""The saddle :math:`x^2 - y^2`: a critical point at 0 that is not a minimum."""
    return Surface("saddle", x**2 - y**2, (x, y), ((-2.0, 2.0), (-2.0, 2.0)), "Saddle", saddles=((0.0, 0.0),))


def himmelblau() -> Surface:
    r"""Himmelblau's function :math:`(x^2+y-11)^2+(x+y^2-7)^2`: four global minima."""
    s = Surface("himmelblau", (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2, (x, y), ((-5.0, 5.0), (-5.0, 5.0)))
    minima = _newton_refine(s, [(3, 2), (-2.8, 3.1), (-3.8, -3.3), (3.6, -1.8)])
    saddles = _newton_refine(s, [(0.09, 2.88), (-3.07, -0.08), (3.38, 0.07), (-0.13, -1.95)])
    return Surface("himmelblau", s.expr, s.variables, s.domain, "Himmelblau", minima=tuple(minima),
                   saddles=tuple(saddles), height_scale="log")


def beale() -> Surface:
    r"""Beale's function :math:`(1.5-x+xy)^2+(2.25-x+xy^2)^2+(2.625-x+xy^3)^2`, minimum (3, 0.5)."""
    expr = ((sp.Rational(3, 2) - x + x * y) ** 2 + (sp.Rational(9, 4) - x + x * y**2) ** 2
            + (sp.Rational(21, 8) - x + x * y**3) ** 2)
    return Surface("beale", expr, (x, y), ((-4.5, 4.5), (-4.5, 4.5)), "Beale", minima=((3.0, 0.5),),
                   height_scale="log")


def plateau() -> Surface:
    r"""A flat plateau with a steep well: :math:`1 - e^{-(x^2+y^2)/2}`.

    Far from the origin the gradient :math:`r e^{-r^2/2}` is almost zero (a plateau); near
    :math:`r = 1` it is steepest, then the well flattens into the minimum at 0.
    """
    return Surface("plateau", 1 - sp.exp(-(x**2 + y**2) / 2), (x, y), ((-4.0, 4.0), (-4.0, 4.0)), "Plateau",
                   minima=((0.0, 0.0),))


def parabola() -> Surface:
    r"""The one-variable :math:`f(x) = x^2` of the derivative and learning-rate chapters."""
    return Surface("parabola", x**2, (x,), ((-6.0, 6.0),), "Parabola", minima=((0.0,),))


SURFACES = {
    "rosenbrock": rosenbrock,
    "rastrigin": rastrigin,
    "sigmoid-error": sigmoid_error,
    "linear-regression": linear_regression,
    "bowl": bowl,
    "elongated-bowl": elongated_bowl,
    "saddle": saddle,
    "himmelblau": himmelblau,
    "beale": beale,
    "plateau": plateau,
    "parabola": parabola,
}

_cache: dict = {}


def check_domain(domain, dim: int) -> tuple:
    """``((lo, hi), ...)`` with one pair of finite numbers lo < hi per variable, else a one-line ValueError."""
    accepted = f"{dim} pairs [lo, hi] of finite numbers with lo < hi"
    try:
        pairs = tuple((float(lo), float(hi)) for lo, hi in domain)
    except (TypeError, ValueError):
        raise ValueError(f"invalid domain {domain!r}; accepted: {accepted}") from None
    if len(pairs) != dim or not all(math.isfinite(a) and math.isfinite(b) and a < b for a, b in pairs):
        raise ValueError(f"invalid domain {[list(p) for p in pairs]}; accepted: {accepted}")
    if any(max(abs(a), abs(b)) > 1e6 for a, b in pairs):
        raise ValueError(f"invalid domain {[list(p) for p in pairs]}; accepted: coordinates within +-1e6")
    return pairs


def get_surface(name_or_formula: str, domain=None) -> Surface:
    """A named surface from :data:`SURFACES`, or a custom one from a formula in x and y.

    ``domain`` replaces the surface's own (a formula's default comes from
    ``mathcore.analysis.default_domain``). Raises :class:`FormulaError` naming the bad value
    and what is accepted; a bad domain is a ``ValueError``.
    """
    key = name_or_formula.strip()
    cache_key = (key, None if domain is None else tuple(map(tuple, domain)))
    if cache_key in _cache:
        return _cache[cache_key]
    if key in SURFACES:
        surface = SURFACES[key]()
        if domain is not None:
            surface = surface.with_domain(domain)
    elif key.replace("-", "").replace("_", "").isalpha() and key not in ("x", "y"):
        raise FormulaError(f"unknown surface {key!r}; accepted: {', '.join(SURFACES)} or a formula in x and y")
    else:
        surface = custom_surface(key, domain)
    _cache[cache_key] = surface
    return surface


def custom_surface(formula: str, domain=None) -> Surface:
    """A surface from a user formula in ``x`` and ``y``, parsed safely (see ``parse_formula``).

    Without a ``domain``, the plot domain holds the critical points found in [-10, 10]^2
    (``mathcore.analysis.default_domain``).
    """
    from .analysis import default_domain

    expr = parse_formula(formula, ("x", "y"))
    expr = expr.subs({sp.Symbol("x", real=True): x, sp.Symbol("y", real=True): y})
    if not expr.free_symbols:
        raise FormulaError(f"formula {formula[:60]!r} is the constant {expr}; accepted: a formula that depends on x or y")
    wide = Surface("custom", expr, (x, y), ((-3.0, 3.0), (-3.0, 3.0)), formula)
    surface = wide.with_domain(default_domain(wide) if domain is None else domain)
    with np.errstate(all="ignore"):
        if not np.isfinite(surface.f(surface.grid(41))).any():
            raise FormulaError(f"formula {formula[:60]!r} has no real value in the domain "
                               f"{[list(p) for p in surface.domain]}; accepted: a formula that is real somewhere in it")
    return surface


__all__ = ["Surface", "DataLoss", "SURFACES", "get_surface", "custom_surface", "check_domain", "FormulaError"] + [
    f.__name__ for f in SURFACES.values()
]
