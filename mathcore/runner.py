"""Run an optimizer on a surface: one start or a batch of starts, vectorized.

The result is a :class:`Trajectory`, in the spirit of ``scipy.optimize.OptimizeResult``:
positions, losses, gradients, step sizes and the optimizer's internal state per step,
plus a status per run. A run stops when its gradient norm or its loss falls under a
tolerance (``converged``), when it leaves ``bound`` or produces a non-finite value
(``diverged``, recorded at that step, with no warning and no exception), or after
``steps`` updates (``max_steps``).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from .optimizers import Optimizer, make_optimizer
from .surfaces import DataLoss, Surface, get_surface
from .symbolic import is_smooth

MAX_STEPS = 100_000  # the step budget everywhere (CLI, GDX_CONFIG, lessons): 12 MB for a full Adam record

STATUS_MESSAGES = {
    "max_steps": "Maximum number of steps reached (not a success).",
    "converged": "Gradient norm or loss under its tolerance.",
    "diverged": "The run left the bound, or f or its gradient was not a finite real number there.",
}


@dataclass
class Trajectory:
    """What one run (or a batch of runs) did, step by step.

    For a single start, ``points`` has shape ``(T + 1, d)`` and is cut at the run's last
    step; for a batch of N starts it has shape ``(T + 1, N, d)`` and a run that stopped
    early keeps its last position. Step 0 is the start. ``grads`` are the true gradients
    at the points; ``update_grads`` are what the optimizer used (a mini-batch estimate or
    a noisy gradient, when asked for). ``state`` maps each array of the optimizer's state
    (``momentum_buffer``, ``exp_avg_sq``, ...) to its value after each step, shape like
    ``points``, with step 0 the initial state. ``status`` and ``n_steps`` are per run
    (scalars for a single start).
    """

    surface: Surface
    optimizer: Optimizer
    points: np.ndarray
    losses: np.ndarray
    grads: np.ndarray
    update_grads: np.ndarray
    step_sizes: np.ndarray
    lrs: np.ndarray
    state: dict
    status: np.ndarray | str
    n_steps: np.ndarray | int
    label: str = ""
    settings: dict = field(default_factory=dict)

    @property
    def x(self) -> np.ndarray:
        """The final position(s)."""
        return self.points[-1]

    @property
    def fun(self):
        return self.losses[-1]

    @property
    def success(self):
        """Converged under a tolerance (scipy's convention: a run out of steps is no success)."""
        return np.asarray(self.status) == "converged"

    @property
    def f_min(self) -> float | None:
        """The surface's lowest minimum in its domain (``surface.facts.f_min``)."""
        return self.surface.facts.f_min

    @property
    def gap(self) -> np.ndarray:
        r"""The gap to the global minimum, :math:`f(\theta_t) - f^*`, per step (nan without a minimum)."""
        f_min = self.f_min
        return self.losses - (np.nan if f_min is None else f_min)

    @property
    def classic_nesterov(self) -> tuple[np.ndarray, np.ndarray]:
        r"""A Nesterov run in the classic form (:data:`mathcore.optimizers.CLASSIC_NESTEROV_RULE`):
        the ball's points :math:`\theta_k = p_k + \eta\mu\Delta_k` from the recorded look-ahead points
        :math:`p_k` and momentum buffers, and the losses :math:`f(\theta_k)` there."""
        hp = self.optimizer.hyperparams
        if np.ndim(self.points) != 2:
            raise ValueError("classic_nesterov is for one run, not a batch of starts")
        if not hp.get("nesterov"):
            raise ValueError(f"classic_nesterov is for a Nesterov run, not {self.optimizer.name}")
        lrs = np.asarray(self.lrs, float).reshape(-1)
        # One rate per point: a step's own, and the last step's for the final point.
        lrs = np.concatenate([lrs, lrs[-1:] if len(lrs) else [hp["lr"]]])[: len(self.points), None]
        points = self.points + lrs * hp["momentum"] * self.state["momentum_buffer"]
        finite = np.isfinite(points).all(axis=1)
        losses = np.full(len(points), np.inf)
        losses[finite] = self.surface.f(points[finite].T)
        return points, losses

    def steps_to_gap(self, tol: float, losses=None) -> int | None:
        r"""The first step with :math:`f - f^* \le` ``tol``, or None (one run); ``losses`` per step
        of another view of the run (:attr:`classic_nesterov`'s) instead of the recorded ones."""
        f_min = np.nan if self.f_min is None else self.f_min  # no known minimum: no gap, no step
        gap = np.asarray(self.gap if losses is None else np.asarray(losses, float) - f_min, float)
        hit = np.flatnonzero(np.isfinite(gap) & (gap <= tol))
        return int(hit[0]) if len(hit) else None

    @property
    def minimum_index(self):
        """Index in ``surface.facts.minima`` of the basin the final point lies in, -1 for none
        (diverged, left the domain, or stopped at a saddle)."""
        idx = self.surface.facts.minimum_index(np.where(np.isfinite(self.x), self.x, np.nan))
        idx = np.where(np.asarray(self.status) == "diverged", -1, idx)
        return int(idx) if np.ndim(idx) == 0 else idx

    @property
    def ended_in(self):
        """The :class:`~mathcore.analysis.CriticalPoint` (a minimum) the run ended in, by basin,
        or None; a list for a batch."""
        minima = self.surface.facts.minima
        idx = self.minimum_index
        if np.ndim(idx) == 0:
            return minima[idx] if idx >= 0 else None
        return [minima[i] if i >= 0 else None for i in idx]

    @property
    def message(self):
        if isinstance(self.status, str):
            return STATUS_MESSAGES[self.status]
        return np.vectorize(STATUS_MESSAGES.get)(self.status)

    @property
    def grad_norms(self) -> np.ndarray:
        return np.linalg.norm(self.grads, axis=-1)

    def finite_points(self) -> np.ndarray:
        """The points up to the last finite one (a diverged run's last point may be inf)."""
        finite = np.isfinite(self.points).all(axis=-1)
        return self.points[: int(np.argmin(finite)) if not finite.all() else len(self.points)]


def _batch_indices(n_examples, batch_size, steps, rng):
    """Mini-batch index arrays for each update: shuffled epochs, consecutive slices."""
    batches = []
    while len(batches) < steps:
        order = rng.permutation(n_examples)
        batches += [order[i:i + batch_size] for i in range(0, n_examples, batch_size)]
    return batches[:steps]


def check_fits(surface: Surface, optimizer: Optimizer) -> None:
    """Raise ValueError when ``optimizer`` cannot run on ``surface`` (Newton needs a Hessian,
    which a formula with abs() lacks at its kink): the check configs and lessons run early."""
    if optimizer.needs_hessian and not is_smooth(surface.expr):
        raise ValueError(f"{optimizer.name} needs a twice-differentiable formula; {surface.title or surface.name} "
                         "has abs(), which has no second derivative at its kink; accepted: a smooth formula, "
                         "or another optimizer")


def run(surface, optimizer, start, steps: int = 100, lr: float | None = None, *, schedule=None,
        grad_tol: float = 0.0, loss_tol: float | None = None, bound: float = 1e6,
        batch_size: int | None = None, grad_noise: float = 0.0, seed: int = 0,
        record: str = "full", workers: int = 1) -> Trajectory:
    r"""Run ``optimizer`` on ``surface`` from ``start`` for at most ``steps`` updates.

    Parameters
    ----------
    surface, optimizer
        A :class:`Surface` or its name; an :class:`Optimizer` or its name (torch defaults).
    start
        Shape ``(d,)`` for one run or ``(N, d)`` for a batch of N runs, updated together.
    lr
        Learning rate; defaults to the optimizer's. ``schedule(step) -> lr`` overrides it. For a
        batch, an array of N rates gives each run its own (``lrs`` then has shape ``(T, N)``).
    grad_tol, loss_tol
        A run converges at the first point with :math:`\|\nabla f\| \le` ``grad_tol`` or
        :math:`f \le` ``loss_tol``.
    bound
        A run diverges when a coordinate's magnitude exceeds it or a value is not finite.
    batch_size
        For a :class:`DataLoss`: examples per update (1 is SGD, None the full batch).
        Batches are consecutive slices of a shuffled order, reshuffled each epoch.
    grad_noise
        Standard deviation of seeded Gaussian noise added to each gradient (for pure
        surfaces; labelled in ``Trajectory.label``).
    record
        ``"full"`` keeps every step; ``"final"`` keeps only the start and the end (for
        large batches such as basin maps).
    workers
        Split a large batch into this many chunks run in threads (NumPy releases the GIL).
    """
    surface = get_surface(surface) if isinstance(surface, str) else surface
    optimizer = make_optimizer(optimizer) if isinstance(optimizer, str) else optimizer
    start = np.asarray(start, dtype=float)
    single = start.ndim == 1
    if start.shape[-1] != surface.dim:
        raise ValueError(f"start {start.tolist()} has {start.shape[-1]} coordinates; {surface.name} takes {surface.dim}")
    check_fits(surface, optimizer)
    if record not in ("full", "final"):
        raise ValueError(f"invalid record {record!r}; accepted: full, final")
    if batch_size is not None and not isinstance(surface, DataLoss):
        raise ValueError(f"batch_size needs a data-based loss; {surface.name} is a pure surface")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"invalid steps {steps!r}; accepted: an integer from 1 to {MAX_STEPS}")
    base_lr = optimizer.lr if lr is None else lr
    if np.ndim(base_lr):  # one rate per run of a batch: the update broadcasts (N,) against (d, N)
        base_lr = np.asarray(base_lr, float)
        if single or base_lr.shape != (start.shape[0],) or schedule is not None or workers > 1:
            raise ValueError(f"invalid lr of shape {base_lr.shape}; accepted: a number, or one per start "
                             "of a batch (no schedule, one worker)")
    if not np.all((np.asarray(base_lr) > 0) & np.isfinite(base_lr)):
        raise ValueError(f"invalid lr {lr!r}; accepted: a number > 0")
    lr_at = schedule or (lambda step: base_lr)
    rng = np.random.default_rng(seed)
    batches = None
    if isinstance(surface, DataLoss) and batch_size is not None:
        if not 1 <= batch_size <= surface.n_examples:
            raise ValueError(f"invalid batch_size {batch_size!r}; accepted: 1 to {surface.n_examples}")
        batches = _batch_indices(surface.n_examples, batch_size, steps, rng)
    noise = None
    p0 = start.reshape(-1, surface.dim).T.copy()  # (d, N): each coordinate contiguous
    if grad_noise:
        noise = rng.normal(0.0, grad_noise, (steps,) + p0.shape)
    args = (surface, optimizer, steps, lr_at, grad_tol, loss_tol, bound, batches, noise, record)
    if workers > 1 and record == "final" and p0.shape[1] >= 2 * workers and noise is None:
        chunks = np.array_split(np.arange(p0.shape[1]), workers)
        with ThreadPoolExecutor(workers) as pool:
            parts = list(pool.map(lambda idx: _run_batch(p0[:, idx].copy(), *args), chunks))
        result = {k: (np.concatenate([part[k] for part in parts], axis=-1) if k != "state" else
                      {s: np.concatenate([part[k][s] for part in parts], axis=-1) for s in parts[0][k]})
                  for k in parts[0]}
        result["lrs"] = parts[0]["lrs"]
    else:
        result = _run_batch(p0, *args)
    return _package(surface, optimizer, result, single, record == "full", dict(
        steps=steps, lr=base_lr.tolist() if np.ndim(base_lr) else base_lr, grad_tol=grad_tol, loss_tol=loss_tol, bound=bound,
        batch_size=batch_size, grad_noise=grad_noise, seed=seed), _label(optimizer, batch_size, grad_noise))


def _label(optimizer, batch_size, grad_noise):
    label = optimizer.name
    if batch_size == 1:
        label += " (stochastic)"
    elif batch_size:
        label += f" (mini-batch {batch_size})"
    if grad_noise:
        label += f" + gradient noise σ={grad_noise:g}"
    return label


def _run_batch(p, surface, optimizer, steps, lr_at, grad_tol, loss_tol, bound, batches, noise, record):
    """The loop over steps for a (d, N) batch. Returns arrays with the run axis last."""
    d, n = p.shape
    full = record == "full"
    state = optimizer.init(p)
    arrays = [k for k, val in state._asdict().items() if isinstance(val, np.ndarray)]
    active = np.ones(n, bool)
    status = np.full(n, "max_steps", dtype=object)
    n_steps = np.full(n, steps)
    need_loss = full or loss_tol is not None
    need_grad_norm = grad_tol > 0
    history = {k: [] for k in ("points", "losses", "grads", "update_grads", "step_sizes")}
    state_history = {k: [getattr(state, k).copy()] for k in arrays} if full else {}
    lrs = []
    p0 = p
    with np.errstate(all="ignore"):
        if not full:
            grad0, loss0 = surface.grad(p), surface.f(p)
        for k in range(steps + 1):
            grad = surface.grad(p)
            if full:
                history["points"].append(p.copy())
                history["grads"].append(grad)
            loss = surface.f(p) if need_loss else None
            if full:
                history["losses"].append(loss)
            # A point where f or its gradient is not a real number (log(-x) at x > 0) ends the run.
            bad = ~np.isfinite(grad).all(axis=0)
            if loss is not None:
                bad |= ~np.isfinite(loss)
            bad &= active
            if bad.any():
                status[bad], n_steps[bad] = "diverged", k
                active &= ~bad
            stop = np.zeros(n, bool)
            if need_grad_norm:
                stop |= np.sqrt((grad * grad).sum(axis=0)) <= grad_tol
            if loss_tol is not None:
                stop |= loss <= loss_tol
            stop &= active
            if stop.any():
                status[stop], n_steps[stop] = "converged", k
                active &= ~stop
            if k == steps or not active.any():
                break
            g = grad
            if batches is not None:
                g = surface.batch_grad(p, batches[k])
            if noise is not None:
                g = g + noise[k]
            lr = lr_at(k)
            lrs.append(lr)
            hess = surface.hess(p) if optimizer.needs_hessian else None
            new_p, new_state = optimizer.update(p, g, state, lr, hess)
            out = ~(np.abs(new_p).max(axis=0) <= bound)  # also true for nan
            if not active.all():
                new_p = np.where(active, new_p, p)
                new_state = new_state._replace(**{a: np.where(active, getattr(new_state, a), getattr(state, a))
                                                   for a in arrays})
            out &= active
            if out.any():
                status[out], n_steps[out] = "diverged", k + 1
                active &= ~out
            if full:
                history["update_grads"].append(g)
                history["step_sizes"].append(np.where(active | out, np.sqrt(((new_p - p) ** 2).sum(axis=0)), 0.0))
                for a in arrays:
                    state_history[a].append(getattr(new_state, a).copy())
            p, state = new_p, new_state
        if not full:
            history = {"points": [p0, p], "grads": [grad0, surface.grad(p)],
                       "losses": [loss0, surface.f(p)], "update_grads": [], "step_sizes": []}
    result = {key: np.array(val) if val else np.empty((0, d, n) if key != "step_sizes" else (0, n))
              for key, val in history.items()}
    result["state"] = {a: np.array(val) for a, val in state_history.items()}
    result["status"], result["n_steps"], result["lrs"] = status, n_steps, np.array(lrs)
    return result


def _package(surface, optimizer, r, single, full, settings, label) -> Trajectory:
    """Arrays (T, d, N) -> (T, N, d); a single full run is cut at its last step."""
    def coords_last(a):
        return np.moveaxis(a, 1, -1) if a.ndim == 3 else a

    points, grads, update_grads = (coords_last(r[k]) for k in ("points", "grads", "update_grads"))
    state = {k: coords_last(val) for k, val in r["state"].items()}
    losses, step_sizes, lrs = r["losses"], r["step_sizes"], r["lrs"]
    status, n_steps = r["status"].astype(str), r["n_steps"]
    if single:
        n = int(n_steps[0]) if full else len(lrs)
        points, grads, losses = points[: n + 1, 0], grads[: n + 1, 0], losses[: n + 1, 0]
        update_grads, step_sizes, lrs = update_grads[:n, 0], step_sizes[:n, 0], lrs[:n]
        state = {k: val[: n + 1, 0] for k, val in state.items()}
        status, n_steps = str(status[0]), int(n_steps[0])
    return Trajectory(surface, optimizer, points, losses, grads, update_grads, step_sizes,
                      lrs, state, status, n_steps, label, settings)


def basins(surface, optimizer, grid_n: int = 41, steps: int = 500, lr: float | None = None,
           tol: float = 1e-2, domain=None, workers: int = 1, **kwargs):
    """For a grid of starts, the index of the minimum each run ends in.

    Minima are ``surface.facts.minima`` (what ``describe`` found in the surface's domain,
    the global ones first, then by value); -1 means the run ended farther than ``tol`` from
    every one of them or diverged. ``domain`` is the window of starts (default: the
    surface's domain). Returns ``(starts_x, starts_y, index)`` with index of shape
    ``(grid_n, grid_n)``, ``[i, j]`` the start ``(starts_x[i], starts_y[j])``.
    """
    surface = get_surface(surface) if isinstance(surface, str) else surface
    if surface.dim != 2:
        raise ValueError(f"basins need a surface of two variables; {surface.name} has {surface.dim}")
    (x0, x1), (y0, y1) = domain or surface.domain
    xs, ys = np.linspace(x0, x1, grid_n), np.linspace(y0, y1, grid_n)
    starts = np.stack(np.meshgrid(xs, ys, indexing="ij"), -1).reshape(-1, 2)
    traj = run(surface, optimizer, starts, steps, lr, record="final", workers=workers, **kwargs)
    known = np.array([c.point for c in surface.facts.minima], float).reshape(-1, 2)
    if not len(known):
        return xs, ys, np.full((grid_n, grid_n), -1)
    dist = np.linalg.norm(traj.x[:, None, :] - known[None], axis=-1)
    index = np.where(dist.min(axis=1) <= tol, dist.argmin(axis=1), -1)
    index[traj.status == "diverged"] = -1
    return xs, ys, index.reshape(grid_n, grid_n)
