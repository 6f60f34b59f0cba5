"""A loss-vs-step plot whose curve and dot follow the run's step (linear or log y)."""

from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Axes, Dot, MathTex, VGroup, VMobject
from manim.mobject.graphing.scale import LogBase

from ..theme import AXIS_WIDTH, FONT_SMALL, TRAIL_WIDTH, Theme
from .paths import _corner_points, position_at


def style_axes(axes, theme: Theme):
    """Axis lines and tick numbers in the theme's muted colour (manim draws numbers white,
    which vanish on the light theme). Returns ``axes``."""
    from manim import SingleStringMathTex
    from manim.mobject.text.numbers import DecimalNumber

    axes.set_stroke(theme.muted)
    for mob in axes.get_family():
        if isinstance(mob, (DecimalNumber, SingleStringMathTex)):
            mob.set_color(theme.muted)
    return axes


def _decade_range(values) -> tuple[int, int]:
    v = np.asarray(values, float)
    v = v[np.isfinite(v) & (v > 0)]
    if len(v) == 0:
        return -1, 1
    lo, hi = int(np.floor(np.log10(v.min()))), int(np.ceil(np.log10(v.max())))
    return lo, max(hi, lo + 1)


class LossPlot(VGroup):
    """Axes (step, loss), one curve per series revealed up to step ``s``, a dot on each.

    ``series`` is a list of ``(losses, color)``; ``x_max`` the last step on the axis.
    With ``log=True`` the y axis shows decades (also those of the values in ``include``);
    values below its bottom (a loss of exactly 0) sit on the bottom edge. ``.axes`` maps (step, loss) to the scene.
    """

    def __init__(self, series, theme: Theme, x_max: int | None = None, log: bool = False, width: float = 4.2,
                 height: float = 2.4, y_min_decade: int | None = None, y_label: str = "f", x_label: str = r"\text{step}",
                 step: float | None = None, x_ticks: int = 4, x_label_side: str = "below", include=()):
        super().__init__()
        self.theme = theme
        self.series = [(np.asarray(losses, float), color) for losses, color in series]
        self.log = log
        x_max = x_max or max(len(s) - 1 for s, _ in self.series)
        x_step = max(_round_step(x_max / x_ticks), 1.0)  # steps are whole numbers
        axis_config = {"color": theme.muted, "stroke_width": AXIS_WIDTH, "include_tip": False,
                       "font_size": FONT_SMALL}
        if log:
            # ``include``: values the axis must show too (a tolerance line below every curve).
            lo, hi = _decade_range(np.concatenate([s for s, _ in self.series] + [np.asarray(include, float)]))
            if y_min_decade is not None:
                lo = max(lo, y_min_decade)
            self.y_bounds = (10.0**lo, 10.0**hi)
            span = hi - lo
            y_step = 1 if span <= 5 else (2 if span <= 10 else 4)
            y_axis_config = {"scaling": LogBase(custom_labels=True), "include_numbers": True,
                             "font_size": FONT_SMALL}
            y_range = (lo, hi, y_step)
        else:
            top = max(float(np.nanmax(np.where(np.isfinite(s), s, np.nan))) for s, _ in self.series)
            y_step = _round_step(top / 3)
            top = np.ceil(top / y_step) * y_step
            self.y_bounds = (0.0, top)
            y_axis_config = {"include_numbers": True, "font_size": FONT_SMALL,
                             "decimal_number_config": {"num_decimal_places": _decimals(y_step)}}
            y_range = (0, top, y_step)
        self.axes = Axes(
            x_range=(0, x_max, x_step), y_range=y_range, x_length=width, y_length=height,
            axis_config=axis_config, y_axis_config=y_axis_config,
            x_axis_config={"include_numbers": True, "font_size": FONT_SMALL,
                           "decimal_number_config": {"num_decimal_places": 0}},
        )
        style_axes(self.axes, theme)
        self.x_max = x_max
        xl = MathTex(x_label, font_size=FONT_SMALL, color=theme.muted)
        if x_label_side == "right":
            xl.next_to(self.axes.x_axis, RIGHT, buff=0.2)
        else:
            xl.next_to(self.axes.x_axis, DOWN, buff=0.45).align_to(self.axes.x_axis, RIGHT)
        yl = MathTex(y_label + (r"\ \text{(log)}" if log else ""), font_size=FONT_SMALL, color=theme.muted)
        yl.next_to(self.axes.y_axis, UP, buff=0.15).align_to(self.axes.y_axis, LEFT)
        self.labels = VGroup(xl, yl)
        self.vertices = [self._scene_points(s) for s, _ in self.series]
        self._home = self.axes.x_axis.get_start().copy()  # the vertices follow shifts of the axes
        self.curves = VGroup(*[VMobject(stroke_color=c, stroke_width=TRAIL_WIDTH - 1, fill_opacity=0) for _, c in self.series])
        self.dots = VGroup(*[Dot(radius=0.07, color=c) for _, c in self.series])
        self.add(self.axes, self.labels, self.curves, self.dots)
        self.step = None
        self.set_step(0 if step is None else step)

    def clamp(self, losses):
        """Losses moved into the plotted range (log: at least its bottom decade)."""
        lo, hi = self.y_bounds
        v = np.asarray(losses, float)
        v = np.where(np.isfinite(v), v, hi)
        return np.clip(v, lo, hi)

    def _scene_points(self, losses):
        steps = np.arange(len(losses), dtype=float)
        keep = steps <= self.x_max
        vals = self.clamp(losses[keep])
        return np.array([self.axes.c2p(x, y) for x, y in zip(steps[keep], vals)])

    def set_step(self, s: float) -> "LossPlot":
        delta = self.axes.x_axis.get_start() - self._home
        moved = bool(np.any(delta != 0))
        if moved:
            self.vertices = [v + delta for v in self.vertices]
            self._home = self._home + delta
        if s == self.step and not moved:
            return self
        self.step = s
        for verts, curve, dot in zip(self.vertices, self.curves, self.dots):
            t = float(np.clip(s, 0, len(verts) - 1))
            k = int(np.floor(t))
            shown = verts[: k + 1]
            if t > k:
                shown = np.vstack([shown, position_at(verts, t)])
            pts = _corner_points(shown)
            curve.set_points(pts if len(pts) else np.zeros((0, 3)))
            dot.move_to(position_at(verts, t))
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


__all__ = ["LossPlot", "nice_ticks", "style_axes", "ticks_within"]
