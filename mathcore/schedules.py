r"""Learning-rate schedules: ``schedule(step) -> lr`` for update ``step = 0, 1, ...``.

They follow ``torch.optim.lr_scheduler`` in closed form (``StepLR``, ``ExponentialLR``,
``CosineAnnealingLR``), optionally after a linear warm-up of ``warmup`` steps from
``lr / warmup`` up to ``lr``.
"""

from __future__ import annotations

import math
from typing import Callable

Schedule = Callable[[int], float]


def constant(lr: float) -> Schedule:
    r""":math:`\eta_t = \eta`."""
    return lambda step: lr


def step_decay(lr: float, step_size: int, gamma: float = 0.1) -> Schedule:
    r""":math:`\eta_t = \eta\, \gamma^{\lfloor t / s \rfloor}` (torch ``StepLR``)."""
    if step_size < 1:
        raise ValueError(f"invalid step_size {step_size!r}; accepted: an integer >= 1")
    return lambda step: lr * gamma ** (step // step_size)


def exponential(lr: float, gamma: float) -> Schedule:
    r""":math:`\eta_t = \eta\, \gamma^t` (torch ``ExponentialLR``)."""
    return lambda step: lr * gamma**step


def cosine(lr: float, total_steps: int, lr_min: float = 0.0) -> Schedule:
    r""":math:`\eta_t = \eta_{min} + \tfrac12(\eta - \eta_{min})(1 + \cos(\pi t / T))` (torch ``CosineAnnealingLR``)."""
    if total_steps < 1:
        raise ValueError(f"invalid total_steps {total_steps!r}; accepted: an integer >= 1")
    return lambda step: lr_min + (lr - lr_min) * (1 + math.cos(math.pi * min(step, total_steps) / total_steps)) / 2


def with_warmup(schedule: Schedule, warmup: int) -> Schedule:
    r"""Linear warm-up: :math:`\eta_t = \frac{t+1}{w}\,\text{schedule}(0)` for :math:`t < w`, then ``schedule(t - w)``."""
    if warmup <= 0:
        return schedule
    return lambda step: schedule(0) * (step + 1) / warmup if step < warmup else schedule(step - warmup)


SCHEDULES = {"constant": constant, "step": step_decay, "exponential": exponential, "cosine": cosine}
