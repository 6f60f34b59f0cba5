"""An optimizer's marker and trail, start/end marks and the "diverged" mark.

A trail holds one vertex per trajectory point (scene coordinates, computed once) and is
revealed up to a fractional step :math:`s`: the vertices :math:`0..\\lfloor s \\rfloor`
and the point :math:`(1-\\alpha) p_k + \\alpha p_{k+1}`, :math:`\\alpha = s - k`, where the
marker is. ``set_step`` only indexes precomputed arrays, so any frame is reproducible.

Parts that the surface hides (``visible`` mask from :mod:`~scenes.mobjects.occlusion`)
are drawn faint instead of on top of the hill in front of them.
"""

from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Circle, Cross, Dot, Line, Star, UpdateFromAlphaFunc, VGroup, VMobject

from ..theme import FONT_SMALL, TRAIL_WIDTH, Theme
from .text import math, text


def position_at(vertices: np.ndarray, s: float) -> np.ndarray:
    """The point at fractional step ``s`` on the polyline ``vertices`` (clamped to its ends)."""
    n = len(vertices)
    s = float(np.clip(s, 0, n - 1))
    k = min(int(np.floor(s)), n - 2) if n > 1 else 0
    if n == 1:
        return vertices[0].copy()
    a = s - k
    return (1 - a) * vertices[k] + a * vertices[k + 1]


def _corner_points(vertices: np.ndarray) -> np.ndarray:
    """Cubic Bezier control points of the straight segments through ``vertices`` (4 per segment)."""
    if len(vertices) < 2:
        return np.zeros((0, 3))
    a, b = vertices[:-1], vertices[1:]
    return np.stack([a, a + (b - a) / 3, a + 2 * (b - a) / 3, b], axis=1).reshape(-1, 3)


class Trail(VGroup):
    """The polyline of a run up to step ``s``: ``front`` (seen) and ``hidden`` (faint) parts.

    ``vertices`` has one row per trajectory point. A segment is hidden when either end is.
    Shifting the trail (``shift``, ``move_to``, ``animate.shift``) shifts its vertices too:
    an invisible anchor submobject records where the first vertex went. ``outline`` (a
    colour) draws a rim under the seen part.
    """

    def __init__(self, vertices, color, width: float = TRAIL_WIDTH, visible=None, hidden_opacity: float = 0.3,
                 step: float | None = None, outline=None):
        super().__init__()
        self._vertices = np.asarray(vertices, float)
        n = len(self._vertices)
        mask = np.ones(n, bool) if visible is None else np.asarray(visible, bool)
        self.segment_visible = mask[:-1] & mask[1:]
        self.front = VMobject(stroke_color=color, stroke_width=width, fill_opacity=0)
        self.hidden = VMobject(stroke_color=color, stroke_width=width * 0.75, stroke_opacity=hidden_opacity,
                               fill_opacity=0)
        if outline is not None:
            # A dark rim under the seen part, so that a light path reads on a light mesh.
            self.front.set_stroke(outline, width=width + 3.5, opacity=0.6, background=True)
        self.anchor = VMobject(stroke_width=0, fill_opacity=0)
        self.anchor.set_points(np.repeat(self._vertices[:1], 4, axis=0))
        self.add(self.hidden, self.front, self.anchor)
        self.step = None
        self.first = 0  # the vertex it is drawn from (see :meth:`split`)
        self.set_step(n - 1 if step is None else step)

    @property
    def vertices(self) -> np.ndarray:
        """One scene point per trajectory point (following any shift of the trail)."""
        self._follow_shifts()
        return self._vertices

    def _follow_shifts(self) -> bool:
        """Move the vertices by however much the anchor was moved since the last call."""
        delta = self.anchor.points[0] - self._vertices[0]
        if np.any(delta != 0):
            self._vertices = self._vertices + delta
            return True
        return False

    def set_step(self, s: float) -> "Trail":
        n = len(self._vertices)
        s = float(np.clip(s, 0, n - 1))
        if not self._follow_shifts() and s == self.step:
            return self
        self.step = s
        k = int(np.floor(s))
        first = min(self.first, k)
        shown = self._vertices[first: k + 1]
        tip = position_at(self._vertices, s)
        if s > k:
            shown = np.vstack([shown, tip])
        segments = _corner_points(shown).reshape(-1, 4, 3)
        seen = self.segment_visible[first: first + len(segments)]
        for part, mask in ((self.front, seen), (self.hidden, ~seen)):
            pts = segments[mask].reshape(-1, 3)
            part.set_points(pts if len(pts) else np.zeros((0, 3)))
        return self

    @property
    def end(self) -> np.ndarray:
        return position_at(self.vertices, self.step)

    def split(self) -> VGroup:
        """A still copy of the whole trail as drawn up to its last whole vertex ``k`` (one path
        from the first vertex, the faint part under the seen one, as the trail draws itself);
        the trail itself is then drawn from ``k`` on. While a run moves, the copy can stand in
        the still picture that a renderer paints once per play (replacing the copy before it),
        and the trail redraws only its newest part at each frame; :meth:`join` makes it whole."""
        k = int(np.floor(self.step))
        step = self.step
        self.first, self.step = 0, None
        self.set_step(k)
        still = VGroup(self.hidden.copy(), self.front.copy())
        self.first, self.step = k, None
        self.set_step(step)
        return still

    def join(self) -> "Trail":
        """Draw the whole trail again, from its first vertex (after :meth:`split`)."""
        self.first = 0
        step, self.step = self.step, None
        return self.set_step(step)


class Marker(VGroup):
    """A ball: a dot in the run's colour with a background-coloured ring, at step ``s``.

    In a 3D scene register it with ``add_fixed_orientation_mobjects`` so it faces the
    camera; a Dot is not depth-sorted, so ThreeDCamera paints it after every mesh face. When
    ``visible`` says the point is behind the surface, the ball becomes an outlined ring in the
    run's colour over a faint fill: never gone, and plainly "behind".
    """

    def __init__(self, vertices, color, theme: Theme, radius: float = 0.09, visible=None, step: float = 0.0):
        super().__init__()
        self.color_ = color
        self.vertices = np.asarray(vertices, float)
        self.visible_mask = None if visible is None else np.asarray(visible, bool)
        self.ring = Dot(radius=radius * 1.45, color=theme.background)
        self.ball = Dot(radius=radius, color=color)
        self.add(self.ring, self.ball)
        self.step = None
        self.set_step(step)

    def set_step(self, s: float) -> "Marker":
        s = float(np.clip(s, 0, len(self.vertices) - 1))
        if self.step is not None:
            # Follow any shift applied to the marker since it was last placed.
            delta = self.ball.get_center() - position_at(self.vertices, self.step)
            if np.any(np.abs(delta) > 1e-12):
                self.vertices = self.vertices + delta
        if s == self.step:
            return self
        self.step = s
        self.move_to(position_at(self.vertices, s))
        if self.visible_mask is not None:
            seen = bool(self.visible_mask[int(round(s))])
            self.ball.set_fill(self.color_, opacity=1.0 if seen else 0.3)
            self.ball.set_stroke(self.color_, width=0 if seen else 3.0, opacity=1.0)
            self.ring.set_opacity(1.0 if seen else 0.0)
        return self


def start_mark(point, theme: Theme, label: str | None = "start", direction=UP, radius: float = 0.13) -> VGroup:
    """A hollow ring at the start, optionally labelled."""
    ring = Circle(radius=radius, stroke_color=theme.start, stroke_width=3).move_to(point)
    group = VGroup(ring)
    if label:
        words = text(label, theme, FONT_SMALL, color=theme.muted).next_to(ring, direction, buff=0.1)
        words.add_background_rectangle(color=theme.background, opacity=0.8, buff=0.04)
        group.add(words)
    return group


def minimum_mark(point, theme: Theme, label: str | None = None, direction=DOWN, size: float = 0.16,
                 local: bool = False) -> VGroup:
    """A star on a known minimum, optionally labelled (LaTeX): filled on a global minimum,
    hollow on a ``local`` one."""
    star = Star(n=5, outer_radius=size, inner_radius=size * 0.45, stroke_color=theme.good if local else theme.background,
                stroke_width=2.5 if local else 1.5, fill_color=theme.good, fill_opacity=0 if local else 1).move_to(point)
    group = VGroup(star)
    if label:
        tex = math(label, theme, FONT_SMALL, color=theme.good).next_to(star, direction, buff=0.12)
        tex.add_background_rectangle(color=theme.background, opacity=0.8, buff=0.04)
        group.add(tex)
    return group


def end_mark(point, color, theme: Theme, size: float = 0.12) -> VGroup:
    """A ring in the run's colour where it stopped."""
    return VGroup(Circle(radius=size, stroke_color=color, stroke_width=4).move_to(point),
                  Dot(radius=size * 0.35, color=color).move_to(point))


def diverged_mark(edge_point, direction, theme: Theme, step: int | None = None, label: str = "diverged",
                  font_size: int = FONT_SMALL) -> VGroup:
    """Where a run left the frame: a cross at the edge, an arrow pointing out, and a label.

    ``direction`` is the direction it left in (scene units); ``step`` the step at which
    mathcore declared it diverged.
    """
    direction = np.asarray(direction, float)
    norm = np.linalg.norm(direction)
    direction = RIGHT if norm == 0 else direction / norm
    cross = Cross(stroke_color=theme.bad, stroke_width=6, scale_factor=0.18).move_to(edge_point)
    arrow = Line(edge_point - 0.0 * direction, edge_point + 0.45 * direction, stroke_color=theme.bad, stroke_width=4)
    arrow.add_tip(tip_length=0.15, tip_width=0.15)
    words = label if step is None else f"{label} (step {step})"
    caption = text(words, theme, font_size, color=theme.bad)
    side = -direction if abs(direction[1]) < 0.9 else (LEFT if direction[0] >= 0 else RIGHT)
    caption.next_to(cross, side if np.linalg.norm(side) else DOWN, buff=0.15)
    group = VGroup(cross, arrow, caption)
    group.cross, group.arrow, group.caption = cross, arrow, caption
    return group


def clip_to_box(points: np.ndarray, box) -> tuple[np.ndarray, int | None]:
    """Points up to the first one outside ``box`` = (xmin, xmax, ymin, ymax), plus the crossing.

    Returns the kept vertices, with the last replaced by the point where the segment
    meets the box edge, and the index of the first vertex outside (None if none is).
    """
    x0, x1, y0, y1 = box
    pts = np.asarray(points, float)
    outside = (pts[:, 0] < x0) | (pts[:, 0] > x1) | (pts[:, 1] < y0) | (pts[:, 1] > y1) | ~np.isfinite(pts).all(axis=1)
    if not outside.any():
        return pts, None
    j = int(np.argmax(outside))
    if j == 0:
        return pts[:1], 0
    a, b = pts[j - 1], pts[j]
    t = 1.0
    d = b - a
    for lo, hi, c in ((x0, x1, 0), (y0, y1, 1)):
        if not np.isfinite(b[c]):
            continue
        if d[c] > 0 and b[c] > hi:
            t = min(t, (hi - a[c]) / d[c])
        if d[c] < 0 and b[c] < lo:
            t = min(t, (lo - a[c]) / d[c])
    edge = a + t * d if np.isfinite(d).all() else a
    return np.vstack([pts[:j], edge]), j


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
    drawn polyline (one curve per step shown); ``outline`` (a colour) draws a rim under it.
    """

    def __init__(self, points_scene, color, width: float = TRAIL_WIDTH, dot_radius: float = 0.07,
                 dot_color=None, outline=None):
        super().__init__()
        self.points_scene = np.asarray(points_scene, float)
        self.n = len(self.points_scene)
        self.trail = Trail(self.points_scene, color, width=width, step=0, outline=outline)
        self.path = self.trail.front
        self.dot = Dot(self.points_scene[0], radius=dot_radius, color=dot_color or color)
        self.add(self.trail, self.dot)
        self.set_progress(0)

    def set_progress(self, s: float) -> "Trace":
        s = float(np.clip(s, 0, self.n - 1))
        self.trail.set_step(s)
        self.dot.move_to(position_at(self.trail.vertices, s))
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


__all__ = ["polyline", "Trace", "trace_together", "trace_range", "position_at", "Trail", "Marker", "start_mark", "minimum_mark", "end_mark", "diverged_mark", "clip_to_box"]
