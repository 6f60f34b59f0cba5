"""What a surface is like: its critical points, lowest minimum, curvature and plot facts.

``describe(surface, domain) -> SurfaceFacts`` derives everything from the surface's SymPy
expression (through its symbolic gradient and Hessian), for the named surfaces and for any
formula a user types, so that no scene has to assume what is true of one surface.

- Critical points: a vectorized multi-start Newton solve of :math:`\\nabla f = 0` with the
  symbolic Hessian, :math:`p \\leftarrow p - H^{+}\\nabla f` (pseudo-inverse, step length
  capped), from a grid of starts over the domain, polished to :math:`\\|\\nabla f\\| < 10^{-10}`,
  de-duplicated and classified by the eigenvalues of :math:`H`: all positive is a minimum,
  all negative a maximum, mixed signs a saddle. A zero eigenvalue makes the point
  *degenerate*; it is then classified by comparing ``f`` on a small ring around it. For
  polynomial gradients of low degree SymPy eliminates exactly (a lex Groebner basis) and the
  two answers are cross-checked.
- Curvature: :math:`L = \\max_{domain} \\lambda_{max}(H)` and the eigenvalues at the global
  minimum :math:`\\lambda_{min}^*, \\lambda_{max}^*`. For plain gradient descent near the
  minimum, :math:`\\theta - \\theta^* \\leftarrow (I - \\eta H^*)(\\theta - \\theta^*)`: it
  converges iff :math:`\\eta < 2/\\lambda_{max}^*`, is fastest at
  :math:`\\eta = 2/(\\lambda_{max}^* + \\lambda_{min}^*)` (about :math:`1/\\lambda_{max}^*` when
  ill-conditioned), and anywhere in the domain a step with :math:`\\eta < 2/L` lowers ``f``
  (the descent lemma).
- Plot facts: a default domain for a formula, the range of ``f``, whether a log height scale
  helps, contour levels and a start point.

This module never imports manim.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from functools import reduce

import numpy as np
import sympy as sp
from scipy.spatial import cKDTree

from .symbolic import is_smooth

GRAD_TOL = 1e-10  # |grad f| of a reported critical point
WIDE_BOX = 10.0  # a formula's default domain comes from the critical points in [-10, 10]^d
MAX_CRITICAL_FOR_BOX = 30  # more than this in the wide box: a periodic-looking surface
FALLBACK_HALF_WIDTH = 3.0
TOO_LARGE_FACTOR = 1.05  # "too large" is just past the stability limit 2 / lambda_max
TOO_SMALL_FACTOR = 0.1
LR_CHECK_STEPS = 500  # steps of the learning-rate checks
START_CHECK_STEPS = 1000  # steps of the candidate starts' runs


@dataclass(frozen=True)
class CriticalPoint:
    r"""A point where :math:`\nabla f = 0`, with its value and the eigenvalues of :math:`H` there."""

    point: tuple
    f: float
    kind: str  # "minimum", "saddle" or "maximum"
    eigenvalues: tuple
    grad_norm: float
    degenerate: bool = False  # a zero eigenvalue: kind decided by f on a small ring
    is_global: bool = False  # a minimum whose value ties the lowest one in the domain
    kink: bool = False  # f is not differentiable there (abs()): found by direct search, not grad f = 0

    def as_dict(self, names) -> dict:
        out = {n: c for n, c in zip(names, self.point)}
        out["f"] = self.f
        if self.kind == "minimum":
            out["global"] = self.is_global
        out["degenerate"] = self.degenerate
        if self.kink:
            out["kink"] = True
        return out


@dataclass(frozen=True)
class SurfaceFacts:
    """What :func:`describe` found. Lists of critical points are sorted by ``f``, then by position."""

    name: str
    variables: tuple
    domain: tuple
    critical_points: tuple
    f_min: float | None  # the lowest minimum's value inside the domain; None when there is no minimum
    f_range: tuple  # (lowest, highest) value of f over the domain
    lower_on_boundary: bool  # f goes below f_min somewhere on the domain's edge
    curvature_max: float  # L, the largest Hessian eigenvalue over the domain
    curvature_at_min: tuple  # Hessian eigenvalues at the global minimum, ascending
    condition_number: float | None  # lambda_max / lambda_min there (None when not positive definite)
    learning_rates: dict
    log_scale: bool
    levels: tuple
    start: tuple
    exact: str  # "sympy" when SymPy's exact solve confirmed the critical points, else "numeric"
    surface: object = field(repr=False, compare=False, default=None)

    @property
    def minima(self) -> tuple:
        return tuple(c for c in self.critical_points if c.kind == "minimum")

    @property
    def global_minima(self) -> tuple:
        return tuple(c for c in self.minima if c.is_global)

    @property
    def local_minima(self) -> tuple:
        return tuple(c for c in self.minima if not c.is_global)

    @property
    def saddles(self) -> tuple:
        return tuple(c for c in self.critical_points if c.kind == "saddle")

    @property
    def maxima(self) -> tuple:
        return tuple(c for c in self.critical_points if c.kind == "maximum")

    def minimum_index(self, points) -> np.ndarray:
        """For points of shape ``(d,)`` or ``(N, d)``: the index in :attr:`minima` of the basin
        each point lies in (where a damped Newton descent from it ends), -1 for none."""
        return basin_index(self, points)

    def as_dict(self) -> dict:
        names = self.variables
        return {
            "surface": self.name,
            "variables": list(names),
            "domain": [list(pair) for pair in self.domain],
            "minima": [c.as_dict(names) for c in self.minima],
            "saddles": [c.as_dict(names) for c in self.saddles],
            "maxima": [c.as_dict(names) for c in self.maxima],
            "f_min": self.f_min,
            "f_range": list(self.f_range),
            "lower_on_boundary": self.lower_on_boundary,
            "curvature_max": self.curvature_max,
            "curvature_at_min": list(self.curvature_at_min),
            "condition_number": self.condition_number,
            "learning_rates": dict(self.learning_rates),
            "log_scale": self.log_scale,
            "levels": list(self.levels),
            "start": list(self.start),
            "exact": self.exact,
        }

    def to_json(self) -> str:
        """JSON with null for any value that is not a finite number (a kink's curvature)."""
        def clean(v):
            if isinstance(v, float):
                return v if math.isfinite(v) else None
            if isinstance(v, dict):
                return {k: clean(x) for k, x in v.items()}
            if isinstance(v, (list, tuple)):
                return [clean(x) for x in v]
            return v

        return json.dumps(clean(self.as_dict()), indent=1, allow_nan=False)

    def to_text(self) -> str:
        names = self.variables
        fmt = lambda v: f"{v:.6g}"  # noqa: E731
        where = lambda c: "(" + ", ".join(fmt(v) for v in c.point) + ")"  # noqa: E731
        domain = " x ".join(f"[{fmt(lo)}, {fmt(hi)}]" for lo, hi in self.domain)
        lines = [f"surface: {self.name}", f"domain: {domain}"]
        for title, points in (("minima", self.minima), ("saddles", self.saddles), ("maxima", self.maxima)):
            lines.append(f"{title}: {len(points)}")
            for c in points[:12]:
                tags = [t for t, on in (("global", c.is_global), ("degenerate", c.degenerate), ("kink", c.kink)) if on]
                lines.append(f"  {where(c)}  f = {fmt(c.f)}" + (f"  [{', '.join(tags)}]" if tags else ""))
            if len(points) > 12:
                lines.append(f"  ... and {len(points) - 12} more")
        lines.append("f_min: " + ("none (no minimum in the domain)" if self.f_min is None else fmt(self.f_min)))
        if self.lower_on_boundary:
            lines.append("  (f is lower than f_min on the domain's edge)")
        lines.append(f"f over the domain: {fmt(self.f_range[0])} to {fmt(self.f_range[1])}"
                     + ("  (log height scale)" if self.log_scale else ""))
        lines.append(f"largest curvature over the domain: {fmt(self.curvature_max)}")
        if self.curvature_at_min:
            cond = "" if self.condition_number is None else f", condition number {fmt(self.condition_number)}"
            lines.append("curvature at the global minimum: "
                         + ", ".join(fmt(v) for v in self.curvature_at_min) + cond)
        lr = self.learning_rates
        lines.append(f"learning rates: too small {fmt(lr['too_small'])}, right {fmt(lr['right'])}, "
                     f"too large {fmt(lr['too_large'])} (stable below {fmt(lr['stable_below'])})")
        lines.append("levels: " + ", ".join(fmt(v) for v in self.levels))
        lines.append("start: (" + ", ".join(f"{n} = {fmt(v)}" for n, v in zip(names, self.start)) + ")")
        lines.append(f"critical points: {'confirmed by SymPy' if self.exact == 'sympy' else 'numeric'}")
        return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- Newton


def _pinv_solve(H, g):
    r""":math:`H^{+} g` for a stack: ``H`` shape ``(d, d, N)``, ``g`` shape ``(d, N)``."""
    lam, V = np.linalg.eigh(np.moveaxis(H, -1, 0))
    cutoff = 1e-13 * np.maximum(1.0, np.abs(lam).max(axis=-1, keepdims=True))
    inv = np.where(np.abs(lam) > cutoff, 1.0 / np.where(lam == 0, 1.0, lam), 0.0)
    coef = np.einsum("nji,jn->ni", V, g) * inv
    return np.einsum("nij,nj->in", V, coef)


def _newton(surface, p, lo, hi, iterations=80):
    """Newton iterations on grad f = 0 from the columns of ``p`` (d, N); returns converged points."""
    span = float(np.max(hi - lo))
    max_step = 0.25 * span
    done = []
    with np.errstate(all="ignore"):
        for _ in range(iterations):
            if p.shape[1] == 0:
                break
            g = surface.grad(p)
            gnorm = np.sqrt((g * g).sum(axis=0))
            ok = np.isfinite(gnorm)
            conv = ok & (gnorm < GRAD_TOL)
            done.append(p[:, conv])
            keep = ok & ~conv
            p, g = p[:, keep], g[:, keep]
            H = surface.hess(p)
            finite = np.isfinite(H).all(axis=(0, 1))
            p, g, H = p[:, finite], g[:, finite], H[:, :, finite]
            step = _pinv_solve(H, g)
            norm = np.sqrt((step * step).sum(axis=0))
            p = p - step * np.minimum(1.0, max_step / np.where(norm > 0, norm, 1.0))
            inside = np.isfinite(p).all(axis=0) & (p >= (lo - span)[:, None]).all(axis=0) & (
                p <= (hi + span)[:, None]).all(axis=0)
            p = p[:, inside]
    return _polish(surface, np.concatenate(done, axis=1), span) if done else np.empty((len(lo), 0))


def _polish(surface, p, span, iterations=60):
    """Newton steps on converged points until they stop moving; keeps the points that settle.

    Near a degenerate critical point Newton converges only linearly (x <- 2x/3 on x^4), so
    |grad| < 1e-10 can still be 1e-4 away from it. And where f underflows (1e6 exp(xy) far
    out) the gradient is tiny without any critical point: there the steps stay large, and such
    points are dropped.
    """
    last = np.full(p.shape[1], np.inf)
    moving = np.arange(p.shape[1])
    with np.errstate(all="ignore"):
        for _ in range(iterations):
            if not len(moving):
                break
            q = p[:, moving]
            step = _pinv_solve(surface.hess(q), surface.grad(q))
            q_new = q - step
            ok = np.isfinite(q_new).all(axis=0) & (np.linalg.norm(surface.grad(q_new), axis=0) < GRAD_TOL)
            p[:, moving[ok]] = q_new[:, ok]
            size = np.linalg.norm(step, axis=0)
            last[moving] = np.where(ok, size, np.inf)
            moving = moving[ok & (size > 1e-12 * span)]
    return p[:, last < 1e-6 * span]


def _grid(lo, hi, n):
    axes = [np.linspace(a, b, n) for a, b in zip(lo, hi)]
    return np.array(np.meshgrid(*axes, indexing="ij")).reshape(len(lo), -1)


def _starts_per_axis(dim):
    return 400 if dim == 1 else 48


def _cluster(points, tol):
    """Greedy de-duplication: one representative per group of points closer than ``tol``."""
    points = np.asarray(points, float)
    if len(points) < 2:
        return points
    tree = cKDTree(points)
    taken = np.zeros(len(points), bool)
    kept = []
    for i in range(len(points)):
        if not taken[i]:
            kept.append(i)
            taken[tree.query_ball_point(points[i], tol)] = True
    return points[kept]


def _inside(points, lo, hi, span):
    eps = 1e-9 * span
    return (points >= lo - eps).all(axis=1) & (points <= hi + eps).all(axis=1)


def _find_critical(surface, lo, hi, extra=()):
    """Distinct critical points (N, d) in the box [lo, hi], Newton from a grid (and ``extra``)."""
    span = float(np.max(hi - lo))
    starts = _grid(lo, hi, _starts_per_axis(surface.dim))
    if len(extra):
        starts = np.concatenate([starts, np.asarray(extra, float).T], axis=1)
    found = _newton(surface, starts, lo, hi).T
    found = found[_inside(found, lo, hi, span)]
    return _cluster(found, 1e-6 * span)


# ----------------------------------------------------------------------------- exact


def _exact_critical(surface, lo, hi, max_bezout=49, max_terms=24):
    """Real solutions of grad f = 0 in the box by exact elimination, or None when not attempted.

    Only for polynomial gradients with rational coefficients whose Bezout number (product of
    the degrees) is at most ``max_bezout`` and with at most ``max_terms`` terms in all: a lex Groebner basis has a last polynomial in the
    last variable alone; its real roots (to 30 digits) are substituted back, variable by
    variable, keeping the real roots common to every basis polynomial.
    """
    variables = surface.variables
    grads = [sp.expand(g) for g in surface.grad_exprs]
    try:
        polys = [sp.Poly(g, *variables) for g in grads]
    except sp.PolynomialError:
        return None
    if not all(p.domain.is_QQ or p.domain.is_ZZ for p in polys if not p.is_zero):
        return None
    polys = [p for p in polys if not p.is_zero]
    if not polys:
        return None  # f is constant: every point is critical
    if (reduce(lambda a, b: a * b, (max(p.total_degree(), 1) for p in polys)) > max_bezout
            or sum(len(p.terms()) for p in polys) > max_terms):
        return None  # Buchberger's algorithm would take seconds (Goldstein-Price: 36 + 36 terms)
    basis = sp.groebner([p.as_expr() for p in polys], *variables, order="lex")
    if list(basis.exprs) == [1]:
        return np.empty((0, surface.dim))
    if not basis.is_zero_dimensional:
        return None  # a curve of critical points: left to the numeric search
    solutions = [{}]
    for k in reversed(range(len(variables))):
        v = variables[k]
        later = set(variables[k + 1:])
        eqs = [e for e in basis.exprs if v in e.free_symbols and e.free_symbols <= later | {v}]
        extended = []
        for sol in solutions:
            subs = [sp.expand(e.subs(sol)) for e in eqs]
            subs = [s for s in subs if s.free_symbols]
            if not subs:
                continue
            uni = sp.Poly(min(subs, key=lambda s: sp.Poly(s, v).degree()), v)
            for root in uni.nroots(n=30, maxsteps=200):
                if abs(sp.im(root)) > 1e-20:
                    continue
                r = sp.re(root)
                trial = dict(sol)
                trial[v] = r
                if all(abs(sp.N(e.subs(trial), 30)) < 1e-12 * (1 + abs(float(r)) ** 10) for e in subs):
                    extended.append(trial)
        solutions = extended
    points = np.array([[float(s[v]) for v in variables] for s in solutions], float).reshape(-1, surface.dim)
    span = float(np.max(hi - lo))
    return points[_inside(points, lo, hi, span)]


# ----------------------------------------------------------------------------- classify


def _ring_directions(dim):
    """Unit directions around a point: 2 in one variable, 16 in two."""
    if dim == 1:
        return np.array([[1.0], [-1.0]])
    angles = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    return np.stack([np.cos(angles), np.sin(angles)], 1)


def _classify(surface, points, curvature_scale, span, f_spread):
    """CriticalPoints for polished points (N, d), with kinds from the Hessian (or a ring test).

    A degenerate point where f does not change on the ring (by 1e-12 of ``f_spread``, the range
    of f over the box) is numerically flat, not critical (1e6 exp(xy) where it underflows): dropped.
    """
    out = []
    if not len(points):
        return out
    H = surface.hess(points.T)
    fs = surface.f(points.T)
    gs = np.linalg.norm(surface.grad(points.T), axis=0)
    eigs = np.linalg.eigvalsh(np.moveaxis(H, -1, 0))
    zero = 1e-6 * max(1.0, curvature_scale)
    dirs = _ring_directions(surface.dim)
    for p, f, lam, gn in zip(points, fs, eigs, gs):
        degenerate = bool(np.any(np.abs(lam) <= zero))
        if not degenerate:
            kind = "minimum" if lam.min() > 0 else "maximum" if lam.max() < 0 else "saddle"
        else:
            ring = np.concatenate([p + r * span * dirs for r in (1e-3, 1e-2)])
            with np.errstate(all="ignore"):
                diff = surface.f(ring.T) - f
            if not np.any(np.abs(diff) > 1e-12 * f_spread):
                continue
            tol = 1e-12 * (1 + abs(f))
            kind = ("minimum" if np.all(diff >= -tol) else "maximum" if np.all(diff <= tol) else "saddle")
        out.append(CriticalPoint(tuple(map(float, p)), float(f), kind, tuple(map(float, lam)), float(gn),
                                 degenerate))
    return out


def _spread(values) -> float:
    """The range of f over a grid, from its lowest finite value to its 98th percentile (poles aside)."""
    finite = values[np.isfinite(values)]
    return float(np.quantile(finite, 0.98) - finite.min()) if len(finite) else 0.0


def _kink_minimum(surface, grid, values, critical, lo, hi, span):
    """A minimum the Newton search cannot see: where f is lowest on the grid, inside the domain,
    below every minimum found (abs(x) + y^2 has no zero of its gradient, only a kink at 0).
    Found by a Nelder-Mead search from that grid point; returned as a one-element list or []."""
    from scipy.optimize import minimize

    finite = np.isfinite(values)
    if not finite.any():
        return []
    spread = _spread(values)
    k = np.flatnonzero(finite)[np.argmin(values[finite])]
    p0 = grid[:, k]
    f_found = min((c.f for c in critical if c.kind == "minimum"), default=np.inf)
    if values[k] >= f_found - 1e-9 * (1 + abs(f_found)) or np.any(np.isclose(p0, lo)) or np.any(np.isclose(p0, hi)):
        return []
    with np.errstate(all="ignore"):
        res = minimize(lambda q: float(surface.f(q)), p0, method="Nelder-Mead",
                       options=dict(xatol=1e-12 * span, fatol=1e-15, maxiter=4000))
        p, f = res.x, float(res.fun)
        if not (np.all(p > lo) and np.all(p < hi) and np.isfinite(f)) or f >= f_found:
            return []
        g = surface.grad(p)
        if np.linalg.norm(g) > GRAD_TOL:  # maybe a smooth minimum the grid of starts missed
            polished = _newton(surface, p[:, None].copy(), lo, hi)
            if polished.shape[1]:
                return [c for c in _classify(surface, polished.T, 1.0, span, spread) if c.kind == "minimum"]
        eig = np.linalg.eigvalsh(surface.hess(p)) if np.isfinite(surface.hess(p)).all() else np.full(surface.dim, np.nan)
        ring = p + span * np.concatenate([r * _ring_directions(surface.dim) for r in (1e-6, 1e-4, 1e-2)])
        around = surface.f(ring.T)
        if not np.all(around >= f - 1e-12 * (1 + abs(f))):
            return []
        if not np.all(around[: 2 * len(_ring_directions(surface.dim))] - f <= 1e-3 * spread):
            return []  # f jumps next to it: the edge of a pole (tan(x) at -pi/2), not a minimum
    gn = float(np.linalg.norm(g))
    kink = not is_smooth(surface.expr) or not gn <= GRAD_TOL  # abs(x) at 0, or sqrt(x^2 + y^2): nan
    return [CriticalPoint(tuple(map(float, p)), f, "minimum", tuple(map(float, eig)), gn, degenerate=True,
                          kink=kink)]


def _eigen_extremes(surface, lo, hi, n=61):
    """(largest eigenvalue, largest |eigenvalue|) of H over a grid of the domain."""
    grid = _grid(lo, hi, 401 if surface.dim == 1 else n)
    with np.errstate(all="ignore"):
        H = surface.hess(grid)
    H = np.moveaxis(H, -1, 0)
    H = H[np.isfinite(H).all(axis=(1, 2))]
    if not len(H):
        return 0.0, 0.0
    lam = np.linalg.eigvalsh(H)
    return float(lam[:, -1].max()), float(np.abs(lam).max())


# ----------------------------------------------------------------------------- public


def describe(surface, domain=None) -> SurfaceFacts:
    """The facts of ``surface`` (a Surface or its name/formula) over ``domain`` (default: its own)."""
    from .surfaces import get_surface

    surface = get_surface(surface) if isinstance(surface, str) else surface
    domain = tuple(tuple(map(float, pair)) for pair in (domain or surface.domain))
    lo, hi = np.array(domain, float).T
    span = float(np.max(hi - lo))
    names = surface.variable_names

    L, curvature_scale = _eigen_extremes(surface, lo, hi)
    points = _find_critical(surface, lo, hi, extra=np.array(surface.minima + surface.local_minima
                                                            + surface.saddles, float).reshape(-1, surface.dim))
    exact = "numeric"
    exact_points = _exact_critical(surface, lo, hi)
    if exact_points is not None:  # exact points win over the numeric ones near them
        exact = "sympy"
        polished = _newton(surface, np.array(exact_points, float).T.copy(), lo, hi).T
        polished = _cluster(polished[_inside(polished, lo, hi, span)], 1e-6 * span)
        if len(points) and len(polished):
            far = np.min(np.linalg.norm(points[:, None] - polished[None], axis=-1), axis=1) > 1e-3 * span
            points = np.concatenate([polished, points[far]])
        elif len(polished):
            points = polished
    grid = _grid(lo, hi, 401 if surface.dim == 1 else 101)
    with np.errstate(all="ignore"):
        values = surface.f(grid)
    critical = _classify(surface, points, curvature_scale, span, _spread(values))
    # A curve of degenerate critical points (a ring of minima) shows as a chain: thin it out.
    regular = [c for c in critical if not c.degenerate]
    degenerate = [c for c in critical if c.degenerate]
    if len(degenerate) > 1:
        keep = {tuple(k) for k in _cluster(np.array([c.point for c in degenerate]), 0.03 * span)}
        degenerate = [c for c in degenerate if c.point in keep]
    critical = regular + degenerate
    critical += _kink_minimum(surface, grid, values, critical, lo, hi, span)
    values = values[np.isfinite(values)]
    crit_f = [c.f for c in critical if math.isfinite(c.f)]
    f_lo = float(min([values.min()] + crit_f)) if len(values) else float("nan")
    f_hi = float(max([values.max()] + crit_f)) if len(values) else float("nan")
    tie = 1e-9 * max(1.0, f_hi - f_lo)
    minima_f = [c.f for c in critical if c.kind == "minimum"]
    f_min = float(min(minima_f)) if minima_f else None
    critical = [dataclasses.replace(c, is_global=c.kind == "minimum" and c.f <= f_min + tie) for c in critical]
    order = {"minimum": 0, "saddle": 1, "maximum": 2}
    critical.sort(key=lambda c: (order[c.kind], not c.is_global, c.f, c.point))
    lower_on_boundary = f_min is not None and f_lo < f_min - tie

    globals_ = [c for c in critical if c.is_global]
    at_min = tuple(sorted(globals_[0].eigenvalues)) if globals_ else ()
    positive = bool(at_min) and at_min[0] > 1e-6 * max(1.0, curvature_scale)  # not degenerate
    condition = (at_min[-1] / at_min[0]) if positive else None

    ref = f_min if f_min is not None else f_lo
    log_scale = bool(len(values)) and _log_helps(values, ref)
    levels = _levels(values, f_min, [c.f for c in critical if c.kind == "saddle"], f_hi - f_lo)

    facts = SurfaceFacts(
        name=surface.title if surface.name == "custom" else surface.name, variables=names, domain=domain,
        critical_points=tuple(critical), f_min=f_min, f_range=(f_lo, f_hi), lower_on_boundary=lower_on_boundary,
        curvature_max=L, curvature_at_min=at_min, condition_number=condition, learning_rates={},
        log_scale=log_scale, levels=levels, start=(), exact=exact, surface=surface)
    start, rates = _start_and_rates(surface, facts, lo, hi, L)
    return dataclasses.replace(facts, start=start, learning_rates=rates)


def _log_helps(values, ref) -> bool:
    """A linear height axis would squash most of the surface flat: more than half of the domain
    lies in the bottom quarter of the range (the median height is under a quarter of the 98th
    percentile's, both above ``ref``)."""
    median, top = np.quantile(values - ref, [0.5, 0.98])
    return bool(median < 0.25 * top)


def _levels(values, f_min, saddle_values, f_span, n=13):
    """Contour levels at quantiles of f over the domain, plus f_min and the lowest saddles' values."""
    if not len(values):
        return ()
    levels = list(np.quantile(values, np.linspace(0.02, 0.96, n)))
    if f_min is not None:
        levels.append(f_min)
    levels += sorted(saddle_values)[:8]
    levels.sort()
    out = []
    for v in levels:
        if not out or v - out[-1] > 1e-3 * max(f_span, 1e-12):
            out.append(float(v))
        elif v in saddle_values or v == f_min:
            out[-1] = float(v)  # keep the exact critical value over a quantile next to it
    return tuple(out)


def _start_and_rates(surface, facts, lo, hi, L):
    """A start on a slope from which plain GD descends, and the three teaching learning rates.

    The start: of a grid over the inner 80% of the domain, away from every critical point
    (:func:`start_clearance`) and not flat, the point farthest from the global minimum from which GD at the first guess of
    ``right`` gets there (else the one it descends most from). ``right`` starts at
    :math:`1/\\lambda_{max}^*` and is halved until GD from the start descends; ``too_large`` starts
    just past the stability limit :math:`2/\\lambda_{max}^*` and is doubled until GD from the start
    bounces or diverges; ``too_small`` is a tenth of ``right``. Without a minimum in the domain
    the rates are the curvature's guesses, unchecked (no rate leads anywhere).
    """
    from .runner import run

    at_min = facts.curvature_at_min
    if at_min and at_min[-1] > 1e-6 * max(1.0, L):
        L_star = at_min[-1]
    else:
        L_star = L if L > 0 else 1.0
    right = 1.0 / L_star
    span = hi - lo
    inner_lo, inner_hi = lo + 0.1 * span, hi - 0.1 * span
    cand = _grid(inner_lo, inner_hi, 41 if surface.dim == 1 else 11).T
    crit = np.array([c.point for c in facts.critical_points], float).reshape(-1, surface.dim)
    diag = float(np.linalg.norm(span))
    with np.errstate(all="ignore"):
        g = np.linalg.norm(surface.grad(cand.T), axis=0)
        f0 = surface.f(cand.T)
    ok = np.isfinite(g) & np.isfinite(f0) & (g > 1e-6 * (1 + abs(facts.f_range[1] - facts.f_range[0])) / diag)
    if len(crit):
        ok &= np.min(np.linalg.norm(cand[:, None] - crit[None], axis=-1), axis=1) >= start_clearance(crit, diag)
    if not ok.any():
        ok = np.isfinite(f0)
    cand, f0 = cand[ok], f0[ok]
    start = tuple(map(float, cand[len(cand) // 2])) if len(cand) else tuple(map(float, (lo + hi) / 2))
    if len(cand):
        traj = run(surface, "gd", cand, START_CHECK_STEPS, right, record="final")
        end, f_end = traj.x, traj.fun
        glob = np.array([c.point for c in facts.global_minima], float).reshape(-1, surface.dim)
        ref = facts.f_min if facts.f_min is not None else facts.f_range[0]
        with np.errstate(all="ignore"):
            descent = (f0 - f_end) / np.maximum(f0 - ref, 1e-300)
            fine = (traj.status != "diverged") & np.isfinite(descent)
            if len(glob):
                near = np.min(np.linalg.norm(end[:, None] - glob[None], axis=-1), axis=1)
                reached = fine & (near < 0.05 * diag) & (descent > 0.95)
            else:
                reached = np.zeros(len(cand), bool)
        if reached.any():  # the farthest start that still gets there tells the longest story
            dist = np.min(np.linalg.norm(cand[:, None] - glob[None], axis=-1), axis=1)
            pick = int(np.argmax(np.where(reached, dist, -np.inf)))
        elif fine.any():
            pick = int(np.argmax(np.where(fine, descent, -np.inf)))
        else:
            pick = len(cand) // 2
        start = tuple(float(round(v, 10)) for v in cand[pick])
    bound = float(np.max(np.abs(np.concatenate([lo, hi])))) + 2 * float(np.max(span))
    too_large = TOO_LARGE_FACTOR * 2.0 / L_star
    if facts.minima:  # one batch: "right" halved until GD descends, "too large" doubled until it fails
        halvings, doublings = right * 0.5 ** np.arange(30), too_large * 2.0 ** np.arange(40)
        behaviour = _behaviour(surface, start, np.concatenate([halvings, doublings]), bound)
        descends = behaviour == "descends"
        right = float(halvings[np.argmax(descends[:30])]) if descends[:30].any() else float(halvings[-1])
        fails = ~descends[30:]
        too_large = float(doublings[np.argmax(fails)]) if fails.any() else float(doublings[-1])
    rates = {
        "too_small": TOO_SMALL_FACTOR * right,
        "right": right,
        "too_large": too_large,
        "stable_below": 2.0 / L_star,
        "fastest": (2.0 / (at_min[0] + at_min[-1])) if facts.condition_number else 1.0 / L_star,
        "descent_below": (2.0 / L) if L > 0 else None,
    }
    return start, rates


def start_clearance(crit, diag) -> float:
    """How far the start keeps from every critical point: 15% of the domain's diagonal, or 40% of
    the median spacing between critical points where they crowd (Rastrigin's lattice)."""
    if len(crit) < 2:
        return 0.15 * diag
    spacing = cKDTree(crit).query(crit, k=2)[0][:, 1]
    return float(min(0.15 * diag, 0.4 * np.median(spacing)))


def _behaviour(surface, start, lrs, bound) -> np.ndarray:
    """What plain GD does from ``start`` at each rate in ``lrs`` in ``LR_CHECK_STEPS`` steps:
    "diverges" (leaves ``bound`` or overflows), "bounces" (f rises on more than a tenth of its
    steps) or "descends"."""
    from .runner import run

    lrs = np.asarray(lrs, float)
    traj = run(surface, "gd", np.tile(np.asarray(start, float), (len(lrs), 1)), LR_CHECK_STEPS, lrs, bound=bound)
    losses = traj.losses  # (T + 1, N); a run that stopped keeps its last value
    with np.errstate(invalid="ignore"):
        rises = np.count_nonzero(np.diff(losses, axis=0) > 1e-12 * (1 + np.abs(losses[:-1])), axis=0)
    out = np.where(rises > 0.1 * LR_CHECK_STEPS, "bounces", "descends").astype(object)
    out[traj.status == "diverged"] = "diverges"
    return out


def default_domain(surface) -> tuple:
    """A plot domain for a formula: the box around the critical points found in [-10, 10]^d, with margin.

    A margin of a quarter of the points' span (at least 1) on every side, the same half-width
    on every axis (maps are not squashed), ends rounded outward to multiples of 0.5. With no
    critical point, or a periodic-looking crowd of them, the box [-3, 3]^d around the origin
    (grown to hold the lowest minimum found).
    """
    d = surface.dim
    lo, hi = np.full(d, -WIDE_BOX), np.full(d, WIDE_BOX)
    L, scale = _eigen_extremes(surface, lo, hi)
    points = _find_critical(surface, lo, hi)
    with np.errstate(all="ignore"):
        spread = _spread(surface.f(_grid(lo, hi, 401 if d == 1 else 101)))
    crit = _classify(surface, points, scale, 2 * WIDE_BOX, spread)
    if len(crit) > MAX_CRITICAL_FOR_BOX:
        near = [c for c in crit if max(abs(v) for v in c.point) <= FALLBACK_HALF_WIDTH]
        minima = sorted((c for c in crit if c.kind == "minimum"), key=lambda c: (c.f, np.linalg.norm(c.point)))
        crit = near + minima[:1]
    if not crit:
        return tuple((-FALLBACK_HALF_WIDTH, FALLBACK_HALF_WIDTH) for _ in range(d))
    pts = np.array([c.point for c in crit], float)
    a, b = pts.min(axis=0), pts.max(axis=0)
    centre = np.round((a + b))/ 2  # a multiple of 0.5
    half = float(np.max(np.maximum(b - centre, centre - a)))
    half += max(1.0, 0.5 * half)
    return tuple((math.floor((c - half) * 2) / 2, math.ceil((c + half) * 2) / 2) for c in centre)


def basin_index(facts: SurfaceFacts, points, iterations=200) -> np.ndarray:
    r"""Index into ``facts.minima`` of the minimum each point descends to; -1 for none.

    The descent is damped Newton: :math:`-H^{-1}\nabla f` where :math:`H` is positive definite,
    else :math:`-\nabla f / \lambda` with :math:`\lambda = \max(1, |\lambda|_{max})`, each with
    Armijo backtracking. It ends within 0.1% of the domain of a minimum or it is -1 (it left the
    domain, stalled at a saddle or stopped elsewhere).
    """
    surface = facts.surface
    pts = np.asarray(points, float)
    single = pts.ndim == 1
    p = pts.reshape(-1, surface.dim).T.copy()
    minima = np.array([c.point for c in facts.minima], float).reshape(-1, surface.dim)
    if not len(minima) or p.shape[1] == 0:
        out = np.full(p.shape[1], -1)
        return out[0] if single else out
    lo, hi = np.array(facts.domain, float).T
    span = float(np.max(hi - lo))
    with np.errstate(all="ignore"):
        for _ in range(iterations):
            g = surface.grad(p)
            H = np.moveaxis(surface.hess(p), -1, 0)
            good = np.isfinite(H).all(axis=(1, 2)) & np.isfinite(g).all(axis=0)
            H = np.where(good[:, None, None], H, np.eye(surface.dim))
            lam, V = np.linalg.eigh(H)
            pd = lam[:, 0] > 1e-12 * np.maximum(1, np.abs(lam[:, -1]))
            coef = np.einsum("nji,jn->ni", V, np.where(good, g, 0))
            newton = -np.einsum("nij,nj->in", V, coef / np.where(pd[:, None], lam, 1.0))
            scale = np.maximum(1.0, np.abs(lam).max(axis=1))
            d = np.where(pd, newton, -np.where(good, g, 0) / scale)
            norm = np.linalg.norm(d, axis=0)
            d *= np.minimum(1.0, 0.1 * span / np.where(norm > 0, norm, 1))
            f = surface.f(p)
            slope = (g * d).sum(axis=0)
            t = np.ones(p.shape[1])
            for _ in range(40):
                trial = surface.f(p + t * d)
                bad = ~(trial <= f + 1e-4 * t * slope)
                if not bad.any():
                    break
                t = np.where(bad, t / 2, t)
            p = np.where(good, p + t * d, p)
    dist = np.linalg.norm(p.T[:, None] - minima[None], axis=-1)
    idx = np.where(dist.min(axis=1) <= 1e-3 * span, dist.argmin(axis=1), -1)
    idx[~np.isfinite(p).all(axis=0)] = -1
    return idx[0] if single else idx
