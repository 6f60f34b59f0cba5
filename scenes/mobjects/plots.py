"""Plots: themed axes, tick numbers, a data plot with a linear or log y axis, and a loss plot
whose curves follow the run's step.

One builder for every chart of the video: :class:`Plot` draws the axes, the ticks and the
labels; :class:`LossPlot` is a :class:`Plot` whose ranges and ticks come from the series it
shows (loss against step), each drawn with the one :class:`~scenes.mobjects.paths.Trail`.
"""

from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Axes, Dot, VGroup, VMobject

from ..theme import AXIS_WIDTH, FONT_SMALL, TRAIL_WIDTH, Theme
from .paths import Trace, Trail, polyline, position_at
from .text import format_short, math, text


def themed_axes(theme: Theme, x_range, y_range, x_length: float, y_length: float, tick_size: float = 0.06,
                **kwargs) -> Axes:
    """Axes in the theme's muted colour, thin, without tips (the numbers come from :func:`tick_numbers`)."""
    return Axes(x_range=x_range, y_range=y_range, x_length=x_length, y_length=y_length, tips=False,
                axis_config={"color": theme.muted, "stroke_width": AXIS_WIDTH, "tick_size": tick_size}, **kwargs)


def style_axes(axes: Axes, theme: Theme) -> Axes:
    """Axis lines and any tick numbers of an existing ``Axes`` in the theme's muted colour (manim
    draws numbers white, which vanish on the light theme). Returns ``axes``."""
    from manim import SingleStringMathTex
    from manim.mobject.text.numbers import DecimalNumber

    axes.set_stroke(theme.muted)
    for mob in axes.get_family():
        if isinstance(mob, (DecimalNumber, SingleStringMathTex)):
            mob.set_color(theme.muted)
    return axes


def tick_text(value: float) -> str:
    """A tick number as LaTeX: as typed (``1500``, ``0.25``, ``-2``), a power of ten only where
    plain digits would need an exponent."""
    plain = f"{value:g}"
    return format_short(value, 3) if "e" in plain else plain


def tick_numbers(axes: Axes, theme: Theme, xs=(), ys=(), font_size: float = FONT_SMALL, x_fmt=None, y_fmt=None,
                 shift=(0.0, 0.0)) -> VGroup:
    """Tick numbers (LaTeX at the type size of text of ``font_size``, never under the floor; muted)
    under the x axis and left of the y axis, at axis coordinates ``v - shift``; ``*_fmt`` turns a
    value into LaTeX (default: :func:`tick_text`)."""
    x_fmt = x_fmt or tick_text
    y_fmt = y_fmt or tick_text
    group = VGroup()
    for v in xs:
        group.add(math(x_fmt(v), theme, font_size, color=theme.muted)
                  .next_to(axes.c2p(v - shift[0], 0), DOWN, buff=0.12))
    for v in ys:
        group.add(math(y_fmt(v), theme, font_size, color=theme.muted)
                  .next_to(axes.c2p(0, v - shift[1]), LEFT, buff=0.12))
    return group


class Plot(VGroup):
    """Small axes over ``x_range`` x ``y_range`` with an optional log10 y axis; ``curve`` and
    ``trace`` draw data on it.

    The axes meet at the lower-left corner of the data ranges (not at 0). On a log axis the
    y range is in decades, ``(-1, 1)`` meaning 0.1 to 10, and values below it sit on its
    bottom edge. ``c2p(x, y)`` takes ``y`` in axis units (decades on a log axis), ``point(x, y)``
    a data value. Labels are LaTeX when they hold ``\\``, ``^`` or ``_`` or are one or two
    characters (``f``, ``L``), words otherwise; ``x_label_side`` is ``"below"`` (right-aligned
    under the axis) or ``"right"``.
    """

    def __init__(self, theme: Theme, x_range, y_range, size, log_y: bool = False, x_ticks=(), y_ticks=(),
                 x_label: str = "", y_label: str = "", x_fmt=None, y_fmt=None, x_label_side: str = "below"):
        super().__init__()
        self.theme = theme
        self.log_y = log_y
        self.x0, self.x1 = float(x_range[0]), float(x_range[1])
        self.y0, self.y1 = float(y_range[0]), float(y_range[1])
        width, height = size
        self.axes = themed_axes(theme, [0, self.x1 - self.x0, x_range[2]], [0, self.y1 - self.y0, y_range[2]],
                                width, height, tick_size=0.05)
        y_fmt = y_fmt or ((lambda v: "10^{%d}" % round(v)) if log_y else None)
        self.ticks = tick_numbers(self.axes, theme, x_ticks, y_ticks, x_fmt=x_fmt, y_fmt=y_fmt,
                                  shift=(self.x0, self.y0))
        self.labels = VGroup()
        if x_label:
            xl = self._label(x_label, theme)
            if x_label_side == "right":
                xl.next_to(self.axes.x_axis, RIGHT, buff=0.2)
            else:
                xl.next_to(self.axes.x_axis, DOWN, buff=0.45).align_to(self.axes.x_axis, RIGHT)
            self.labels.add(xl)
        if y_label:
            self.labels.add(self._label(y_label, theme).next_to(self.axes.y_axis, UP, buff=0.15)
                            .align_to(self.axes.y_axis, LEFT))
        self.add(self.axes, self.ticks, self.labels)

    @staticmethod
    def _label(content: str, theme: Theme):
        if any(c in content for c in "\\^_") or len(content.strip()) <= 2:
            return math(content, theme, FONT_SMALL, color=theme.muted)
        return text(content, theme, FONT_SMALL, color=theme.muted)

    def y_value(self, y):
        """Data values in axis units: log10 on a log axis (at least the bottom decade)."""
        y = np.asarray(y, float)
        if not self.log_y:
            return y
        return np.clip(np.log10(np.maximum(y, 1e-300)), self.y0, None)

    def c2p(self, x, y):
        """Scene point of (x, y), ``y`` in axis units (decades on a log axis)."""
        return self.axes.c2p(x - self.x0, y - self.y0)

    def point(self, x, y):
        """Scene point of the data value ``y`` at ``x``."""
        return self.c2p(x, float(self.y_value(y)))

    def coords(self, xs, ys):
        """Scene points (n, 3) of data points."""
        xs = np.asarray(xs, float) - self.x0
        ys = self.y_value(ys) - self.y0
        return np.asarray(self.axes.c2p(xs, ys)).T.reshape(-1, 3)

    def curve(self, xs, ys, color, width: float = 3.0) -> VMobject:
        return polyline(self.coords(xs, ys), color, width)

    def trace(self, xs, ys, color, width: float = 3.0, dot_radius: float = 0.05) -> Trace:
        return Trace(self.coords(xs, ys), color, width, dot_radius)


def decade_range(values) -> tuple[int, int]:
    """The decades ``(lo, hi)`` that hold the positive finite ``values`` (at least one decade)."""
    v = np.asarray(values, float)
    v = v[np.isfinite(v) & (v > 0)]
    if len(v) == 0:
        return -1, 1
    lo, hi = int(np.floor(np.log10(v.min()))), int(np.ceil(np.log10(v.max())))
    return lo, max(hi, lo + 1)


LOG_TICK_GAP = 0.45  # scene units between a log axis's labels (a label at the floor is about 0.3 tall)


def log_tick_step(lo: int, hi: int, height: float) -> int:
    """Every decade, or every 2nd, 4th...: labels (10^k at the type floor) at least LOG_TICK_GAP
    apart, however many decades a log axis of ``height`` holds."""
    span = max(hi - lo, 1)
    return next(k for k in (1, 2, 4, 5, 10, 20, 50) if k * height / span >= LOG_TICK_GAP or k >= span)


class LossPlot(Plot):
    """Loss against step: one curve per series revealed up to step ``s``, a dot on each.

    ``series`` is a list of ``(losses, color)``; ``x_max`` the last step on the axis. With
    ``log=True`` the y axis shows decades (also those of the values in ``include``, e.g. a
    tolerance line below every curve); values below its bottom (a loss of exactly 0) sit on
    the bottom edge, values above it or not finite (a diverged run) on the top edge.
    ``set_step(s)`` moves the series listed in ``active`` (all when None); the others keep
    the step they were left at, so one run can finish while the next starts.
    """

    def __init__(self, series, theme: Theme, x_max: int | None = None, log: bool = False, width: float = 4.2,
                 height: float = 2.4, y_min_decade: int | None = None, y_label: str = "f", x_label: str = r"\text{step}",
                 step: float | None = None, x_ticks: int = 4, x_label_side: str = "below", include=()):
        self.series = [(np.asarray(losses, float), color) for losses, color in series]
        self.log = log
        x_max = x_max or max(len(s) - 1 for s, _ in self.series)
        self.x_max = x_max
        x_step = max(_round_step(x_max / x_ticks), 1.0)  # steps are whole numbers
        xs = np.arange(x_step, x_max + 1e-9, x_step)  # no 0 at the corner, as manim's Axes
        if log:
            lo, hi = decade_range(np.concatenate([s for s, _ in self.series] + [np.asarray(include, float)]))
            if y_min_decade is not None:
                lo = max(lo, y_min_decade)
            self.y_bounds = (10.0**lo, 10.0**hi)
            y_step = log_tick_step(lo, hi, height)
            y_range, ys, y_fmt = (lo, hi, y_step), range(lo, hi + 1, y_step), None
            y_label = y_label + r"\ \text{(log)}"
        else:
            top = max(float(np.nanmax(np.where(np.isfinite(s), s, np.nan))) for s, _ in self.series)
            y_step = _round_step(top / 3)
            top = float(np.ceil(top / y_step) * y_step)
            self.y_bounds = (0.0, top)
            decimals = _decimals(y_step)
            y_range, ys = (0, top, y_step), np.arange(y_step, top + 1e-9 * top, y_step)
            y_fmt = lambda v: f"{v:.{decimals}f}"  # noqa: E731
        super().__init__(theme, (0, x_max, x_step), y_range, (width, height), log_y=log, x_ticks=xs, y_ticks=ys,
                         x_label=x_label, y_label=y_label, x_fmt=lambda v: "%d" % round(v), y_fmt=y_fmt,
                         x_label_side=x_label_side)
        self.curves = VGroup(*[Trail(self._scene_points(s), c, width=TRAIL_WIDTH - 1, step=0) for s, c in self.series])
        self.dots = VGroup(*[Dot(radius=0.07, color=c) for _, c in self.series])
        self.add(self.curves, self.dots)
        self.active = None
        self.series_steps = [0.0] * len(self.series)
        self.step = None
        self.set_step(0 if step is None else step)

    def clamp(self, losses):
        """Losses moved into the plotted range (log: at least its bottom decade)."""
        lo, hi = self.y_bounds
        v = np.asarray(losses, float)
        v = np.where(np.isfinite(v), v, hi)
        return np.clip(v, lo, hi)

    def _scene_points(self, losses):
        keep = min(len(losses), int(self.x_max) + 1)
        return self.coords(np.arange(keep, dtype=float), self.clamp(losses[:keep]))

    @property
    def vertices(self) -> list[np.ndarray]:
        """Per series, one scene point per step shown on the axis."""
        return [curve.vertices for curve in self.curves]

    def set_step(self, s: float) -> "LossPlot":
        active = range(len(self.series)) if self.active is None else self.active
        for i in active:
            self.series_steps[i] = float(s)
        self.step = s
        for curve, dot, t in zip(self.curves, self.dots, self.series_steps):
            curve.set_step(t)
            dot.move_to(position_at(curve.vertices, t))
        return self


def _round_step(raw: float) -> float:
    if raw <= 0:
        return 1.0
    power = 10.0 ** np.floor(np.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * power >= raw:
            return float(m * power)
    return float(10 * power)


def _decimals(step: float) -> int:
    """Decimal places that print ``step`` exactly (0.25 -> 2, 5 -> 0)."""
    for d in range(8):
        if abs(step * 10**d - round(step * 10**d)) < 1e-9:
            return d
    return 8


def nice_ticks(low: float, high: float) -> list[float]:
    """Three to six round ticks from ``low`` to ``high``: multiples of 1, 2 or 5 times a power of ten."""
    span = max(high - low, 1e-12)
    step = 10 ** np.floor(np.log10(span / 3))
    for k in (1, 2, 5, 10):
        if span / (k * step) <= 5:
            step *= k
            break
    first = np.ceil(low / step - 1e-9) * step
    return [float(round(v, 12)) + 0.0 for v in np.arange(first, high + 1e-9 * span, step)]


def ticks_within(low: float, high: float, preferred) -> list[float]:
    """The ``preferred`` ticks that lie in [low, high] when at least two do, else :func:`nice_ticks`
    (a chapter's hand-picked ticks stay on its default window; any other window gets round ones)."""
    inside = [float(v) for v in preferred if low - 1e-9 <= v <= high + 1e-9]
    return inside if len(inside) >= 2 else nice_ticks(low, high)


__all__ = ["LossPlot", "Plot", "decade_range", "log_tick_step", "nice_ticks", "style_axes", "themed_axes", "tick_numbers", "tick_text", "ticks_within"]
