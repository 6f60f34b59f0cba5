r"""The height shown for a loss value, and the colour for a height.

Heights that span decades (``surface.height_scale == "log"``, e.g. Rosenbrock from
:math:`10^{-6}` to :math:`10^{3}`) are drawn as :math:`h = \log_{10}(1 + f - f^*)`, which is
0 at the minimum :math:`f^*`, close to :math:`f - f^*` near it, and grows by one per decade
far from it. Otherwise :math:`h = f - f^*`. Every builder that places something at a height
(mesh, path, floor, colour legend) goes through one :class:`HeightMap`, so they agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from manim import UP, ManimColor, Rectangle, VGroup, interpolate_color

LN10 = float(np.log(10.0))


@dataclass(frozen=True, eq=False)
class HeightMap:
    """Loss value -> display height, for one surface, plus the domain's height range."""

    surface: object  # mathcore.Surface
    scale: str = "linear"  # "linear" | "log"
    grid_n: int = 121  # samples per axis used to find the largest height on the domain

    @classmethod
    def for_surface(cls, surface) -> "HeightMap":
        return cls(surface, surface.height_scale)

    @cached_property
    def f_min(self) -> float:
        return self.surface.min_value

    @property
    def is_log(self) -> bool:
        return self.scale == "log"

    def __call__(self, f):
        """Display height of loss value(s) ``f``."""
        d = np.maximum(np.asarray(f, float) - self.f_min, 0.0)
        return np.log10(1.0 + d) if self.is_log else d

    def inverse(self, h):
        """The loss value shown at display height(s) ``h``."""
        h = np.asarray(h, float)
        return (10.0**h - 1.0 if self.is_log else h) + self.f_min

    @cached_property
    def h_max(self) -> float:
        """The largest display height on the domain (the top of the colour scale)."""
        return float(np.max(self(self.surface.f(self.surface.grid(self.grid_n)))))

    def second_derivatives(self, p):
        r"""Diagonal :math:`\partial^2 h / \partial v_i^2` at points ``p`` (shape ``(d, ...)``).

        From mathcore's gradient and Hessian by the chain rule; for the log scale
        :math:`h'' = \frac{f''(1 + f - f^*) - f'^2}{(1 + f - f^*)^2 \ln 10}`. Used only to
        place mesh lines where the drawn surface bends.
        """
        g = self.surface.grad(p)
        hess = self.surface.hess(p)
        diag = np.stack([hess[i, i] for i in range(self.surface.dim)])
        if not self.is_log:
            return diag
        one_plus = 1.0 + np.maximum(self.surface.f(p) - self.f_min, 0.0)
        return (diag * one_plus - g * g) / (one_plus**2 * LN10)

    @property
    def latex(self) -> str:
        """What the vertical axis shows, in LaTeX."""
        shift = "" if abs(self.f_min) < 1e-12 else " - f^*"
        if self.is_log:
            return r"\log_{10}(1 + f" + shift + ")"
        return "f" + shift

    def nice_levels(self, n: int = 8) -> np.ndarray:
        """Loss values for contour levels: decades (and halves) for log, round numbers otherwise.

        Returned as loss values ``f`` strictly above ``f_min`` and below the domain's top.
        """
        top = self.inverse(self.h_max)
        if self.is_log:
            span = top - self.f_min
            decades = np.arange(np.floor(np.log10(max(span, 1e-12))) - 3, np.ceil(np.log10(max(span, 1e-12))) + 1)
            candidates = np.sort(np.concatenate([10.0**decades, 3 * 10.0**decades]))
            levels = candidates[(candidates > 0) & (candidates < 0.9 * span)]
            levels = levels[-n:] + self.f_min
        else:
            levels = _nice_ticks(self.f_min, top, n)
            levels = levels[(levels > self.f_min) & (levels < top)]
        return levels


def quantile_levels(surface, n: int = 9, grid_n: int = 121) -> np.ndarray:
    """About ``n`` contour levels (loss values) that split the domain's area evenly,
    rounded to one significant digit (two when one would merge neighbours).

    For losses with a wide plateau and a narrow valley (the sigmoid error), evenly spaced
    values would put every line on the plateau's edge and none in the valley.
    """
    values = surface.f(surface.grid(grid_n)).ravel()
    raw = np.quantile(values, np.linspace(0.04, 0.96, n))
    levels = []
    for v in raw:
        if v <= 0:
            continue
        for digits in (1, 2):
            rounded = float(f"{v:.{digits}g}")
            if not levels or rounded > levels[-1] * 1.05:
                levels.append(rounded)
                break
    return np.array(levels)


def _nice_ticks(lo: float, hi: float, n: int) -> np.ndarray:
    """About ``n`` round numbers between ``lo`` and ``hi`` (1, 2, 2.5 or 5 times a power of ten)."""
    raw = (hi - lo) / max(n, 1)
    power = 10.0 ** np.floor(np.log10(raw))
    step = min((m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw), default=10 * power)
    return np.arange(np.ceil(lo / step) * step, hi, step)


def colormap(colors, t):
    """The colour at fraction(s) ``t`` in [0, 1] of the piecewise-linear ramp through ``colors``."""
    stops = [ManimColor(c) for c in colors]
    t = float(np.clip(t, 0.0, 1.0)) * (len(stops) - 1)
    i = min(int(t), len(stops) - 2)
    return interpolate_color(stops[i], stops[i + 1], t - i)


__all__ = ["HeightMap", "colormap", "quantile_levels"]


def ramp_bar(theme, height: float = 3.0, width: float = 0.25, n: int = 48) -> tuple[VGroup, Rectangle]:
    """A vertical bar of the theme's height ramp (bottom = lowest) and its frame, centred on the origin."""
    bar = VGroup(*[
        Rectangle(width=width, height=height / n, stroke_width=0, fill_opacity=1,
                  fill_color=colormap(theme.colorscale, (k + 0.5) / n)).move_to(((k + 0.5) / n - 0.5) * height * UP)
        for k in range(n)
    ])
    return bar, Rectangle(width=width, height=height, stroke_color=theme.muted, stroke_width=1)
