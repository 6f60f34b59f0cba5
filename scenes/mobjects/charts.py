"""Charts of the narrated chapters (stochastic, adaptive, backprop, limitations): a contour
panel on a chosen window, paths traced step by step in sync, small plots with a log or
linear y axis, legends.

Nothing here computes a gradient or a loss: points and values come in from mathcore.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from manim import (
    DOWN, LEFT, RIGHT, UP, Axes, Dot, Line, MathTex, Rectangle, Text, UpdateFromAlphaFunc, VGroup, VMobject,
)

from ..theme import AXIS_WIDTH, CONTOUR_WIDTH, FONT_LABEL, FONT_SMALL, TRAIL_WIDTH, Theme
from .contours import contour_lines
from .heights import HeightMap
from .paths import Trail, position_at


# ----------------------------------------------------------------------------- panels


def with_domain(surface, domain):
    """The same mathcore surface with another plotting window (nothing recomputed)."""
    return dataclasses.replace(surface, domain=tuple(tuple(map(float, d)) for d in domain))


def styled_axes(theme: Theme, x_range, y_range, x_length, y_length, tick_size: float = 0.05, **kwargs) -> Axes:
    """Axes in the theme's muted colour, thin, without tips."""
    return Axes(
        x_range=x_range, y_range=y_range, x_length=x_length, y_length=y_length, tips=False,
        axis_config={"color": theme.muted, "stroke_width": AXIS_WIDTH, "tick_size": tick_size}, **kwargs,
    )


def tick_labels(axes: Axes, theme: Theme, xs=(), ys=(), x_fmt=None, y_fmt=None, font_size=FONT_SMALL) -> VGroup:
    """Tick numbers in the theme's muted colour (LaTeX strings from ``*_fmt``)."""
    x_fmt = x_fmt or (lambda v: f"{v:g}")
    y_fmt = y_fmt or (lambda v: f"{v:g}")
    group = VGroup()
    y0 = axes.y_range[0]
    x0 = axes.x_range[0]
    for v in xs:
        group.add(MathTex(x_fmt(v), font_size=font_size, color=theme.muted).next_to(axes.c2p(v, y0), DOWN, buff=0.12))
    for v in ys:
        group.add(MathTex(y_fmt(v), font_size=font_size, color=theme.muted).next_to(axes.c2p(x0, v), LEFT, buff=0.12))
    return group


class ContourPanel(VGroup):
    """Axes over a window of a 2-D surface, with contour lines of mathcore's ``f``.

    ``self.axes.c2p(x, y)`` places a parameter point. ``levels`` are loss values.
    """

    def __init__(self, surface, window, size, theme: Theme, levels=None, n_levels: int = 9,
                 x_ticks=(), y_ticks=(), labels=("x", "y"), grid_n: int = 121, opacity: float = 0.75):
        super().__init__()
        (x0, x1), (y0, y1) = window
        surface = with_domain(surface, window)  # not kept: mobjects get deep-copied by animations
        width, height = size
        self.axes = styled_axes(theme, [x0, x1, 1], [y0, y1, 1], width, height)
        self.axes.set_stroke(opacity=0)  # kept for c2p; a frame with edge ticks is drawn instead
        self.frame = Rectangle(width=width, height=height, stroke_color=theme.faint, stroke_width=AXIS_WIDTH)
        self.frame.move_to(self.axes.c2p((x0 + x1) / 2, (y0 + y1) / 2))
        marks = VGroup()
        for v in x_ticks:
            p = self.axes.c2p(v, y0)
            marks.add(Line(p, p + 0.1 * UP, stroke_color=theme.muted, stroke_width=AXIS_WIDTH))
        for v in y_ticks:
            p = self.axes.c2p(x0, v)
            marks.add(Line(p, p + 0.1 * RIGHT, stroke_color=theme.muted, stroke_width=AXIS_WIDTH))
        heights = HeightMap.for_surface(surface)
        self.levels = np.asarray(levels if levels is not None else heights.nice_levels(n_levels), float)
        lines = contour_lines(
            surface, self.to_scene, self.levels, theme, heights=heights, grid_n=grid_n,
            stroke_width=CONTOUR_WIDTH, opacity=opacity)
        # One VMobject per level (its polylines as subpaths) instead of one per polyline:
        # animations deep-copy mobjects, and thousands of small ones make every fade slow.
        self.contours = VGroup()
        for group, polylines in zip(lines, lines.polylines):
            merged = VMobject()
            for seg in polylines:
                pts = self.to_scene(seg)
                merged.start_new_path(pts[0])
                merged.add_points_as_corners(pts[1:])
            if len(group):
                merged.set_stroke(group[0].get_stroke_color(), width=CONTOUR_WIDTH, opacity=opacity)
            self.contours.add(merged)
        self.ticks = tick_labels(self.axes, theme, x_ticks, y_ticks)
        if labels is None:
            self.axis_labels = VGroup()
            self.add(self.axes, self.contours, self.frame, marks, self.ticks)
            return
        xl = MathTex(labels[0], font_size=FONT_LABEL, color=theme.foreground)
        yl = MathTex(labels[1], font_size=FONT_LABEL, color=theme.foreground)
        xl.next_to(self.axes.c2p(x1, y0), DOWN, buff=0.14).shift(0.15 * LEFT)
        yl.next_to(self.axes.c2p(x0, y1), LEFT, buff=0.15).shift(0.2 * DOWN)
        self.axis_labels = VGroup(xl, yl)
        self.add(self.axes, self.contours, self.frame, marks, self.ticks, self.axis_labels)

    def to_scene(self, seg):
        seg = np.asarray(seg, float)
        return np.asarray(self.axes.c2p(seg[:, 0], seg[:, 1])).T.reshape(-1, 3)

    def scene_points(self, params):
        """Scene points of an (n, 2) array of parameters."""
        return self.to_scene(np.asarray(params, float).reshape(-1, 2))

    def point(self, p):
        return self.axes.c2p(*np.asarray(p, float)[:2])


# ----------------------------------------------------------------------------- traced paths


def polyline(points, color, width: float = TRAIL_WIDTH) -> VMobject:
    """One corner per point: ``get_num_curves() == len(points) - 1``."""
    line = VMobject()
    line.set_points_as_corners(np.asarray(points, float))
    line.set_stroke(color, width=width)
    return line


class Trace(VGroup):
    """A :class:`~scenes.mobjects.paths.Trail` (the one trail) with a dot at its head.

    ``set_progress(s)`` shows the first ``s`` steps (fractional: the head is between two
    points); ``points_scene`` are the scene points of the whole trajectory; ``path`` is the
    drawn polyline (one curve per step shown).
    """

    def __init__(self, points_scene, color, width: float = TRAIL_WIDTH, dot_radius: float = 0.07,
                 dot_color=None):
        super().__init__()
        self.points_scene = np.asarray(points_scene, float)
        self.n = len(self.points_scene)
        self.trail = Trail(self.points_scene, color, width=width, step=0)
        self.path = self.trail.front
        self.dot = Dot(self.points_scene[0], radius=dot_radius, color=dot_color or color)
        self.add(self.trail, self.dot)
        self.set_progress(0)

    def set_progress(self, s: float) -> "Trace":
        s = float(np.clip(s, 0, self.n - 1))
        self.trail.set_step(s)
        self.dot.move_to(position_at(self.points_scene, s))
        return self

    def set_fraction(self, alpha: float) -> "Trace":
        return self.set_progress(alpha * (self.n - 1))


def trace_together(traces, extra=None, also=(), **kwargs) -> UpdateFromAlphaFunc:
    """One animation advancing every trace over the same fraction of its run.

    ``extra(alpha)`` (optional) updates anything else in sync (a readout, bars, a fit line);
    the mobjects it changes must be listed in ``also`` so that the renderer redraws them.
    """
    group = VGroup(*traces, *also)

    def update(_, alpha):
        for trace in traces:
            trace.set_fraction(alpha)
        if extra is not None:
            extra(alpha)

    return UpdateFromAlphaFunc(group, update, **kwargs)


# ----------------------------------------------------------------------------- plots


def trace_range(traces, start: float, end: float, extra=None, also=(), **kwargs) -> UpdateFromAlphaFunc:
    """Advance every trace from step ``start`` to step ``end`` (the same steps for all)."""
    group = VGroup(*traces, *also)

    def update(_, alpha):
        s = start + alpha * (end - start)
        for trace in traces:
            trace.set_progress(s)
        if extra is not None:
            extra(alpha)

    return UpdateFromAlphaFunc(group, update, **kwargs)


class Plot(VGroup):
    """Small axes with an optional log10 y axis; ``curve``/``trace`` draw data on it.

    The axes meet at the lower-left corner of the data ranges (not at 0). On a log axis
    the y range is in decades, ``(-1, 1)`` meaning 0.1 to 10; values below are clipped
    to the bottom edge.
    """

    def __init__(self, theme: Theme, x_range, y_range, size, log_y: bool = False, x_ticks=(), y_ticks=(),
                 x_label: str = "", y_label: str = "", x_fmt=None, y_fmt=None):
        super().__init__()
        self.log_y = log_y
        self.x0, self.x1 = float(x_range[0]), float(x_range[1])
        self.y0, self.y1 = float(y_range[0]), float(y_range[1])
        width, height = size
        self.axes = styled_axes(theme, [0, self.x1 - self.x0, x_range[2]], [0, self.y1 - self.y0, y_range[2]],
                                width, height)
        x_fmt = x_fmt or (lambda v: f"{v:g}")
        y_fmt = y_fmt or ((lambda v: "10^{%d}" % round(v)) if log_y else (lambda v: f"{v:g}"))
        self.ticks = VGroup()
        for v in x_ticks:
            self.ticks.add(MathTex(x_fmt(v), font_size=FONT_SMALL, color=theme.muted)
                           .next_to(self.axes.c2p(v - self.x0, 0), DOWN, buff=0.12))
        for v in y_ticks:
            self.ticks.add(MathTex(y_fmt(v), font_size=FONT_SMALL, color=theme.muted)
                           .next_to(self.axes.c2p(0, v - self.y0), LEFT, buff=0.12))
        self.add(self.axes, self.ticks)
        self.labels = VGroup()
        if x_label:
            self.labels.add(self._label(x_label, theme).next_to(self.axes, DOWN, buff=0.45))
        if y_label:
            self.labels.add(self._label(y_label, theme).next_to(self.axes, UP, buff=0.15).align_to(self.axes, LEFT))
        self.add(self.labels)

    @staticmethod
    def _label(content, theme):
        from scenes.mobjects.text import math, text

        if "\\" in content or "^" in content or "_" in content:
            return math(content, theme, FONT_SMALL, color=theme.muted)
        return text(content, theme, FONT_SMALL, color=theme.muted)

    def y_value(self, y):
        y = np.asarray(y, float)
        if not self.log_y:
            return y
        return np.clip(np.log10(np.maximum(y, 1e-300)), self.y0, None)

    def c2p(self, x, y):
        """Scene point of data (x, y) (y already in decades on a log axis)."""
        return self.axes.c2p(x - self.x0, y - self.y0)

    def coords(self, xs, ys):
        xs = np.asarray(xs, float) - self.x0
        ys = self.y_value(ys) - self.y0
        return np.asarray(self.axes.c2p(xs, ys)).T.reshape(-1, 3)

    def curve(self, xs, ys, color, width: float = 3.0) -> VMobject:
        return polyline(self.coords(xs, ys), color, width)

    def trace(self, xs, ys, color, width: float = 3.0, dot_radius: float = 0.05) -> Trace:
        return Trace(self.coords(xs, ys), color, width, dot_radius)


def legend_rows(entries, theme: Theme, font_size=FONT_SMALL) -> VGroup:
    """Rows of a colour swatch, a text label and an optional LaTeX number: ``(label, latex, color)``.

    (The shared ``scenes.mobjects.text.legend`` typesets a whole label as math as soon as it
    holds a backslash, which a number such as ``1.6\times 10^{-4}`` does.)
    """
    rows = VGroup()
    for label, latex, color in entries:
        swatch = Line(LEFT * 0.225, RIGHT * 0.225, stroke_color=color, stroke_width=TRAIL_WIDTH + 2)
        row = VGroup(swatch, Text(label, font=theme.font, font_size=font_size, color=theme.foreground))
        if latex:
            row.add(MathTex(latex, font_size=font_size + 4, color=theme.foreground))
        row.arrange(RIGHT, buff=0.15)
        rows.add(row)
    return rows.arrange(DOWN, aligned_edge=LEFT, buff=0.18)


__all__ = ["legend_rows", "trace_range", "with_domain", "styled_axes", "tick_labels", "ContourPanel", "polyline",
           "Trace", "trace_together", "Plot"]
