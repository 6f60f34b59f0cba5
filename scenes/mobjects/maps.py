"""2-D maps of a surface: the one map panel (filled height bands, contour lines, a frame, tick
numbers), a run drawn on it, a basin map and a colour bar.

A map has one scale for both axes (a parameter unit is the same scene length across and up),
so that a gradient step, which is perpendicular to the contour lines, looks perpendicular.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from manim import LineJointType, DOWN, LEFT, RIGHT, UP, Line, Rectangle, VGroup, VMobject

from ..theme import FONT_LABEL, FONT_SMALL, TRAIL_WIDTH, Theme
from .contours import contour_lines, filled_bands
from .heights import HeightMap, colormap, ramp_bar
from .paths import Marker, Trace, Trail
from .plots import tick_text
from .text import math


def windowed(surface, window):
    """The same mathcore surface plotted over ``window`` ((x0, x1), (y0, y1)); nothing recomputed."""
    if not window:
        return surface
    return dataclasses.replace(surface, domain=tuple(tuple(float(v) for v in side) for side in window))


def inner_ticks(lo: float, hi: float) -> tuple:
    """Integer ticks strictly inside (lo, hi), thinned to the outer ones and 0 when many."""
    ints = [float(v) for v in range(int(np.floor(lo)) + 1, int(np.ceil(hi))) if lo < v < hi]
    if len(ints) > 5:
        ints = [ints[0]] + ([0.0] if ints[0] < 0 < ints[-1] else []) + [ints[-1]]
    return tuple(ints) or (lo, hi)


class MapPanel(VGroup):
    """A 2-D view of a surface over ``window``: filled height bands, contour lines, a frame.

    ``side`` is the scene length of the window's longer side, or a ``(width, height)`` box the
    window is fitted into (one scale for both axes); ``center`` the scene point of the window's
    middle. Bands use the height ramp of :class:`~scenes.mobjects.HeightMap` at
    ``band_opacity`` over the background, so that trails drawn on top stay readable; lines are
    muted. ``ticks`` = (xs, ys) are numbered on the bottom and left edges (default: whole
    numbers inside the window), ``names`` the two parameters (default: the surface's).
    Parameter point ``(x, y)`` appears at :meth:`to_scene` / :meth:`at`, which follow any shift
    of the panel. ``heights`` from another view keeps its colours (an inset of a larger map).
    """

    def __init__(self, surface, window, theme: Theme, side=5.0, center=(0.0, 0.0, 0.0), levels=None,
                 n_levels: int = 8, band_opacity: float = 0.55, line_opacity: float = 0.6, grid_n: int = 161,
                 ticks=None, filled: bool = True, labels: bool = True, heights=None, names=None, framed: bool = True):
        super().__init__()
        self.theme = theme
        # The surface is not kept: animations deep-copy mobjects, and a surface holds SymPy expressions.
        surface = windowed(surface, window)
        (x0, x1), (y0, y1) = surface.domain
        self.window = ((x0, x1), (y0, y1))
        if np.ndim(side):
            self.unit = min(side[0] / (x1 - x0), side[1] / (y1 - y0))  # scene units per parameter unit
        else:
            self.unit = side / max(x1 - x0, y1 - y0)
        w, h = (x1 - x0) * self.unit, (y1 - y0) * self.unit
        # The frame's centre is the window's middle: to_scene reads it, so the map can be moved.
        self.frame = Rectangle(width=w, height=h, stroke_color=theme.muted, stroke_width=1.5 if framed else 0)
        self.frame.move_to(np.asarray(center, float))
        self.heights = heights or HeightMap.for_surface(surface)
        self.levels = self.heights.nice_levels(n_levels) if levels is None else np.asarray(levels, float)
        z = surface.f(surface.grid(grid_n))
        inside = [lv for lv in self.levels if z.min() < lv < z.max()]  # contourpy wants increasing bounds
        self.bands = (filled_bands(surface, self.to_scene, inside, theme, self.heights, grid_n=grid_n,
                                   opacity=band_opacity) if filled else VGroup())
        self.lines = contour_lines(surface, self.to_scene, self.levels, theme, self.heights, grid_n=grid_n,
                                   stroke_width=1.2, color_by_level=not filled, opacity=line_opacity)
        self.tick_labels = VGroup()
        if labels:
            xt, yt = ticks if ticks is not None else (inner_ticks(x0, x1), inner_ticks(y0, y1))
            for v in xt:
                self.tick_labels.add(math(tick_text(v), theme, FONT_SMALL, color=theme.muted)
                                     .next_to(self.at((v, y0)), DOWN, buff=0.12))
            for v in yt:
                self.tick_labels.add(math(tick_text(v), theme, FONT_SMALL, color=theme.muted)
                                     .next_to(self.at((x0, v)), LEFT, buff=0.12))
            names = names or surface.variable_names
            self.tick_labels.add(math(names[0], theme, FONT_LABEL, color=theme.muted)
                                 .next_to(self.frame.get_corner(DOWN + RIGHT), RIGHT, buff=0.12))
            self.tick_labels.add(math(names[1], theme, FONT_LABEL, color=theme.muted)
                                 .next_to(self.frame.get_corner(UP + LEFT), UP, buff=0.08))
        self.add(self.bands, self.lines, self.frame, self.tick_labels)

    def to_scene(self, xy) -> np.ndarray:
        """Scene points (n, 3) of parameter points ``xy`` (n, 2)."""
        xy = np.atleast_2d(np.asarray(xy, float))
        (x0, x1), (y0, y1) = self.window
        center = self.frame.get_center()
        out = np.zeros((len(xy), 3))
        out[:, 0] = center[0] + (xy[:, 0] - (x0 + x1) / 2) * self.unit
        out[:, 1] = center[1] + (xy[:, 1] - (y0 + y1) / 2) * self.unit
        out[:, 2] = center[2]
        return out

    def at(self, xy) -> np.ndarray:
        """The scene point of one parameter point."""
        return self.to_scene([xy])[0]

    point = at

    def trace(self, params, color, width: float = TRAIL_WIDTH, dot_radius: float = 0.07) -> Trace:
        """A :class:`~scenes.mobjects.paths.Trace` of parameter points on the map, with a rim of the
        background colour under it so that it reads on every band."""
        return Trace(self.to_scene(params), color, width=width, dot_radius=dot_radius, outline=self.theme.background)

    @property
    def box(self):
        (x0, x1), (y0, y1) = self.window
        return (x0, x1, y0, y1)


class PathOnMap(VGroup):
    """A run on a :class:`MapPanel`: a trail with a background-coloured casing and a ball.

    One vertex per drawn trajectory point (``vertices``); ``set_step`` reveals it up to a
    fractional step, as :class:`~scenes.mobjects.Trail` does.
    """

    def __init__(self, vertices, color, theme: Theme, width: float = 3.5, radius: float = 0.08,
                 step: float = 0.0, dots: bool = False):
        super().__init__()
        self.vertices = np.asarray(vertices, float)
        self.casing = Trail(self.vertices, theme.background, width=width + 2.0, step=step)
        self.casing.front.set_stroke(opacity=0.85)
        self.trail = Trail(self.vertices, color, width=width, step=step)
        for part in (*self.casing.get_family(), *self.trail.get_family()):
            # Round joints: a mitred rim draws a black spike at every sharp turn of a zig-zag.
            part.joint_type = LineJointType.ROUND
        self.ball = Marker(self.vertices, color, theme, radius=radius, step=step)
        self.add(self.casing, self.trail, self.ball)
        self.step = step

    def fade_to(self, opacity: float):
        """Animations that fade the trail and ball to ``opacity`` (strokes stay unfilled)."""
        # A dimmed path loses its casing: a faint background-coloured outline reads as a double line.
        casing = 0.85 if opacity >= 0.99 else 0.0
        return [self.casing.animate.set_stroke(opacity=casing), self.trail.animate.set_stroke(opacity=opacity),
                self.ball.animate.set_opacity(opacity)]

    def set_step(self, s: float) -> "PathOnMap":
        self.step = s
        self.casing.set_step(s)
        self.trail.set_step(s)
        self.ball.set_step(s)
        return self

    @property
    def last(self) -> int:
        return len(self.vertices) - 1


class BasinMap(VGroup):
    r"""A grid of starts coloured by the minimum each run ends in (``mathcore.basins``).

    ``index[i, j]`` is the index into ``minima`` (mathcore's ``minima + local_minima``) of
    the run from ``(xs[i], ys[j])``; -1 (no known minimum reached) is drawn in
    ``theme.faint``. A minimum's colour is its loss on the height ramp, from the lowest minimum
    to the highest one reached: :meth:`color_of`. One VMobject per minimum holds all its
    cells, so a 61 x 61 map is a few dozen shapes.
    """

    def __init__(self, xs, ys, index, minima_f, theme: Theme, to_scene):
        super().__init__()
        self.xs, self.ys, self.index = np.asarray(xs), np.asarray(ys), np.asarray(index)
        self.minima_f = np.asarray(minima_f, float)
        self.theme = theme
        reached = np.unique(self.index[self.index >= 0])
        self.f_low = float(self.minima_f.min()) if len(self.minima_f) else 0.0
        self.f_top = float(self.minima_f[reached].max()) if len(reached) else self.f_low + 1.0
        dx, dy = self.xs[1] - self.xs[0], self.ys[1] - self.ys[0]
        self.groups = {}
        for idx in np.unique(self.index):
            cells = np.argwhere(self.index == idx)
            shape = VMobject(fill_color=self.color_of(idx), fill_opacity=1.0, stroke_width=0)
            for i, j in cells:
                x, y = self.xs[i], self.ys[j]
                corners = to_scene(np.array([[x - dx / 2, y - dy / 2], [x + dx / 2, y - dy / 2],
                                             [x + dx / 2, y + dy / 2], [x - dx / 2, y + dy / 2]]))
                shape.start_new_path(corners[0])
                shape.add_points_as_corners([*corners[1:], corners[0]])
            self.groups[int(idx)] = shape
        # Reveal order: the global minimum's basin first, then outwards by loss.
        self.order = sorted(self.groups, key=lambda k: (k < 0, self.minima_f[k] if k >= 0 else np.inf))
        self.add(*[self.groups[k] for k in self.order])

    def color_of(self, idx: int):
        if idx < 0:
            return self.theme.faint
        span = self.f_top - self.f_low
        return colormap(self.theme.colorscale, (self.minima_f[idx] - self.f_low) / span if span > 0 else 0.0)

    def cell_color(self, i: int, j: int):
        return self.color_of(int(self.index[i, j]))

    def fraction(self, idx: int) -> float:
        return float(np.mean(self.index == idx))


def color_bar(theme: Theme, top: float, ticks, label: str, height: float = 3.0, width: float = 0.25,
              bottom: float = 0.0) -> VGroup:
    """A vertical bar of the height ramp from ``bottom`` to ``top``, with ``ticks`` (values) and a label."""
    bar, frame = ramp_bar(theme, height, width)
    labels = VGroup()
    for value in ticks:
        y = ((value - bottom) / (top - bottom) - 0.5) * height if top > bottom else -0.5 * height
        tick = Line(RIGHT * width / 2, RIGHT * (width / 2 + 0.12), stroke_color=theme.muted, stroke_width=1.5)
        tick.shift(y * UP)
        number = math(tick_text(value), theme, FONT_SMALL, color=theme.muted).next_to(tick, RIGHT, buff=0.08)
        labels.add(VGroup(tick, number))
    caption = math(label, theme, FONT_SMALL + 4).next_to(frame, UP, buff=0.2)
    group = VGroup(bar, frame, labels, caption)
    group.bar, group.frame, group.labels, group.caption = bar, frame, labels, caption
    return group


__all__ = ["BasinMap", "MapPanel", "PathOnMap", "color_bar", "inner_ticks", "windowed"]
