r"""Where gradient descent struggles on a surface, found from its facts and from runs.

The landscape tour (``scenes/parts/landscapes.py``) shows these places on any surface a lesson
names: a start from which GD stops in a local minimum, noise that kicks it out, a start that
passes a saddle point, a point on a plateau. Each finder returns ``None`` when the surface has
no such place in its domain (a convex bowl has no saddle), so the tour can say so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .runner import run

FLAT = 0.01  # a plateau's slope is under 1% of the domain's mean slope (f_max - f_min) / span
FLAT_SHARE = 0.05  # ... over at least 5% of the domain
NOISE_SCALES = (0.5, 1.0, 2.0, 4.0)  # noise sigmas tried, in units of the domain's median slope
NOISE_SEEDS = tuple(range(6))


def _span(surface) -> float:
    lo, hi = np.array(surface.facts.domain, float).T
    return float(np.max(hi - lo))


def _inside(surface, point) -> bool:
    lo, hi = np.array(surface.facts.domain, float).T
    return bool(np.all(point >= lo) and np.all(point <= hi))


def trap_start(surface, xs, ys, index, near) -> tuple | None:
    """From a basin map (``mathcore.basins``: starts ``xs`` x ``ys``, ``index`` into the minima):
    the start nearest ``near`` whose run ends in a local (not global) minimum at least a fifth
    of the domain's span from it; ``None`` when no run ends in a local minimum."""
    facts = surface.facts
    local = [i for i, c in enumerate(facts.minima) if not c.is_global]
    if not local:
        return None
    starts = np.stack(np.meshgrid(xs, ys, indexing="ij"), -1).reshape(-1, 2)
    ends = np.asarray(index).reshape(-1)
    minima = np.array([c.point for c in facts.minima], float)
    trapped = np.isin(ends, local)
    if not trapped.any():
        return None
    away = np.linalg.norm(starts - minima[np.where(trapped, ends, 0)], axis=1) >= 0.2 * _span(surface)
    pool = trapped & away if (trapped & away).any() else trapped
    dist = np.linalg.norm(starts - np.asarray(near, float), axis=1)
    return tuple(float(v) for v in starts[np.argmin(np.where(pool, dist, np.inf))])


def saddle_start(surface, saddle, optimizer, steps, reach=0.3) -> tuple | None:
    r"""A start from which ``optimizer`` crawls past ``saddle`` (a CriticalPoint), then slides off.

    Along the eigenvector of :math:`H`'s largest eigenvalue (the direction in which the saddle
    is a minimum, so GD walks in) at ``reach`` of the domain's span, or a half or a quarter of
    it, on either side, nudged along the smallest one (the way down) by :math:`10^{-k}` of the
    span, k = 3 to 12: the first start in the domain, with the largest nudge, whose run gets the
    gradient norm below 1% of its start's before it slides off (and leaves the saddle within
    ``steps``). ``None`` when no start does: GD is not seen crawling there.
    """
    p = np.asarray(saddle.point, float)
    lam, vecs = np.linalg.eigh(surface.hess(p))
    inward, down = vecs[:, -1], vecs[:, 0]
    span = _span(surface)
    nudges = span * 10.0 ** -np.arange(3, 13)
    for r in (reach, reach / 2, reach / 4):
        for sign in (1.0, -1.0):
            base = p + sign * r * span * inward
            if not (_inside(surface, base) and np.isfinite(surface.f(base))):
                continue
            traj = run(surface, optimizer, base + nudges[:, None] * down, steps)
            g = np.linalg.norm(traj.grads, axis=-1)  # (T + 1, N)
            dist = np.linalg.norm(traj.points - p, axis=-1)
            pause = np.array([g[saddle_pause(g[:, i]), i] for i in range(len(nudges))])
            good = (dist[-1] > 0.05 * span) & (pause < 0.01 * g[0]) & (traj.status != "diverged")
            if good.any():
                return tuple(float(v) for v in base + nudges[int(np.argmax(good))] * down)
    return None


def saddle_pause(grad_norms) -> int:
    """The step where a run crawls past a saddle: the smallest gradient norm before the norm's
    first peak after it (later, at a minimum, the gradient vanishes too)."""
    g = np.asarray(grad_norms, float)
    k = 0
    while k + 1 < len(g) and g[k + 1] <= g[k]:  # down towards the saddle
        k += 1
    while k + 1 < len(g) and g[k + 1] > g[k]:  # up while it slides off
        k += 1
    return int(np.argmin(g[: k + 1]))


@dataclass(frozen=True)
class Plateau:
    """A flat region: ``start`` on it, ``share`` of the domain flat, ``slope`` the flat threshold."""

    start: tuple
    share: float
    slope: float


def plateau(surface, n=81) -> Plateau | None:
    r"""A plateau: grid points where :math:`\|\nabla f\| <` FLAT times the mean slope
    :math:`(f_{max} - f_{min}) / \text{span}`, farther than a tenth of the span from every
    critical point (near one, f is flat because it is critical, not a plateau). ``None`` when
    they cover less than FLAT_SHARE of the domain; else the start is the flat point with the
    median slope among those from which a minimum is reached (all of them if none is)."""
    facts = surface.facts
    if surface.dim != 2 or not facts.minima:
        return None
    (x0, x1), (y0, y1) = facts.domain
    grid = np.stack(np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n), indexing="ij"), -1).reshape(-1, 2)
    span = _span(surface)
    slope = FLAT * (facts.f_range[1] - facts.f_range[0]) / span
    with np.errstate(all="ignore"):
        g = np.linalg.norm(surface.grad(grid.T), axis=0)
    flat = np.isfinite(g) & (g < slope)
    crit = np.array([c.point for c in facts.critical_points], float).reshape(-1, 2)
    if len(crit):
        flat &= np.min(np.linalg.norm(grid[:, None] - crit[None], axis=-1), axis=1) > 0.1 * span
    share = float(flat.mean())
    if share < FLAT_SHARE:
        return None
    pts, gs = grid[flat], g[flat]
    reaches = facts.minimum_index(pts) >= 0
    if reaches.any():
        pts, gs = pts[reaches], gs[reaches]
    order = np.argsort(gs)
    return Plateau(tuple(float(v) for v in pts[order[len(order) // 2]]), share, float(slope))


def median_slope(surface, n=41) -> float:
    """The median gradient norm over a grid of the domain (the scale of gradient noise)."""
    lo, hi = np.array(surface.facts.domain, float).T
    axes = [np.linspace(a, b, n) for a, b in zip(lo, hi)]
    grid = np.stack(np.meshgrid(*axes, indexing="ij"), -1).reshape(-1, surface.dim)
    with np.errstate(all="ignore"):
        g = np.linalg.norm(surface.grad(grid.T), axis=0)
    g = g[np.isfinite(g)]
    return float(np.median(g)) if len(g) else 1.0


@dataclass(frozen=True)
class NoisyRun:
    """The noisy run the tour shows: its noise, seed and trajectory; ``escaped`` when it ends
    in a lower minimum than the plain run did."""

    sigma: float
    seed: int
    traj: object
    escaped: bool


def noise_escape(surface, optimizer, start, steps, plain_f, schedule=None) -> NoisyRun:
    """The first noise (sigma in NOISE_SCALES x the median slope, rounded to 2 digits, then seed in
    NOISE_SEEDS) whose run from ``start`` ends in the global minimum's basin; else the run ending
    lowest below ``plain_f`` (the noiseless run's end); else the first one tried."""
    facts = surface.facts
    scale = median_slope(surface)
    tie = 1e-6 * max(1.0, facts.f_range[1] - facts.f_range[0])
    tried = []
    for k in NOISE_SCALES:
        sigma = float(f"{k * scale:.2g}")
        for seed in NOISE_SEEDS:
            traj = run(surface, optimizer, start, steps, schedule=schedule, grad_noise=sigma, seed=seed)
            end = np.asarray(traj.x, float)
            ok = traj.status != "diverged" and _inside(surface, end) and np.isfinite(traj.fun)
            if ok:
                i = int(facts.minimum_index(end))
                if i >= 0 and facts.minima[i].is_global and traj.fun < plain_f - tie:
                    return NoisyRun(sigma, seed, traj, True)
            tried.append((ok, traj, sigma, seed))
    lower = [t for t in tried if t[0] and t[1].fun < plain_f - tie]
    if lower:
        _, traj, sigma, seed = min(lower, key=lambda t: t[1].fun)
        return NoisyRun(sigma, seed, traj, True)
    _, traj, sigma, seed = tried[0]
    return NoisyRun(sigma, seed, traj, False)


__all__ = ["FLAT", "FLAT_SHARE", "NoisyRun", "Plateau", "median_slope", "noise_escape", "plateau", "saddle_pause",
           "saddle_start", "trap_start"]
