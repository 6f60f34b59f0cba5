r"""2D panels shared by scenes 4-6: a plot whose series advance separately, a scoreboard,
a basin map, a small colour bar, and helpers for steps-to-tolerance.

Every number comes from a mathcore trajectory (or ``mathcore.basins``); the functions here
only index, round and place.
"""

from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Line, MathTex, Rectangle, VGroup, VMobject

from scenes.mobjects import LossPlot, Readout, format_sig, math
from scenes.mobjects.text import format_plain as plain  # the one number formatter, for running text
from scenes.mobjects.text import format_short
from scenes.mobjects.heights import colormap
from scenes.mobjects.paths import _corner_points, position_at
from scenes.theme import FONT_LABEL, FONT_SMALL, MIN_FONT_SIZE, Theme


class SeriesPlot(LossPlot):
    """A :class:`~scenes.mobjects.LossPlot` whose series can advance one at a time.

    ``set_step(s)`` moves only the series in ``active`` (all by default); the others keep
    the step they were left at, so one run can finish while the next starts.
    """

    def __init__(self, series, theme: Theme, **kwargs):
        self.series_steps = [0.0] * len(series)
        self.active = None
        super().__init__(series, theme, **kwargs)
        # Tick numbers in the theme's muted colour (manim draws them white: invisible on a light theme).
        for axis in (self.axes.x_axis, self.axes.y_axis):
            for name in ("numbers", "labels"):
                group = getattr(axis, name, None)
                if group is not None and len(group):
                    group.set_color(theme.muted)

    def _sync_vertices(self):
        """LossPlot computes its curve vertices once; follow the axes if the plot has moved."""
        center, width = self.axes.get_center(), self.axes.width
        ref = getattr(self, "_vertex_ref", None)
        if ref is None:
            self._vertex_ref = (center, width)
            return
        if abs(width - ref[1]) > 1e-9:
            self.vertices = [self._scene_points(s) for s, _ in self.series]
        elif np.any(np.abs(center - ref[0]) > 1e-12):
            self.vertices = [v + (center - ref[0]) for v in self.vertices]
        self._vertex_ref = (center, width)

    def set_step(self, s: float) -> "SeriesPlot":
        self._sync_vertices()
        active = range(len(self.series)) if self.active is None else self.active
        for i in active:
            self.series_steps[i] = float(s)
        self.step = s
        for verts, curve, dot, t in zip(self.vertices, self.curves, self.dots, self.series_steps):
            t = float(np.clip(t, 0, len(verts) - 1))
            k = int(np.floor(t))
            shown = verts[: k + 1]
            if t > k:
                shown = np.vstack([shown, position_at(verts, t)])
            pts = _corner_points(shown)
            curve.set_points(pts if len(pts) else np.zeros((0, 3)))
            dot.move_to(position_at(verts, t))
        return self


def steps_to_tolerance(losses, tol: float) -> int | None:
    """The first step whose loss is at most ``tol`` (from the recorded losses), or None."""
    losses = np.asarray(losses, float)
    hit = np.flatnonzero(np.isfinite(losses) & (losses <= tol))
    return int(hit[0]) if len(hit) else None


def hyperparam_text(optimizer, lr=None) -> str:
    r"""The optimizer's hyperparameters as LaTeX: :math:`\eta` and the ones that differ from plain defaults."""
    hp = optimizer.hyperparams
    parts = [r"\eta = " + format_short(hp["lr"] if lr is None else lr)]
    if hp.get("momentum"):
        parts.append(r"\mu = " + format_short(hp["momentum"]))
    if "alpha" in hp:
        parts.append(r"\alpha = " + format_short(hp["alpha"]))
    if "betas" in hp:
        b1, b2 = hp["betas"]
        parts.append(r"\beta = (" + format_short(b1) + ", " + format_short(b2) + ")")
    return r",\ ".join(parts)


class Scoreboard(VGroup):
    """A table: one row per run, ranked; columns name, [settings], steps to ``f <= tol``, final ``f``.

    ``rows`` is a list of ``(label, color, steps_or_None, final_loss)`` or, with a settings
    column, ``(label, color, steps_or_None, final_loss, settings_latex)``. Runs that reach
    the tolerance rank by steps, the others after them by final loss. ``.cells[i]`` holds
    the strings shown in ranked row ``i`` (label, steps, final), for tests. A label that starts
    with a backslash is LaTeX already (``\\textsf{GD}\\ \\eta = 0.1``).
    """

    def __init__(self, rows, theme: Theme, tol: float, budget: int, font_size: int = FONT_LABEL, gap: bool = False):
        super().__init__()
        order = sorted(range(len(rows)), key=lambda i: (rows[i][2] is None, rows[i][2] or 0, rows[i][3]))
        self.order = order
        settings = all(len(r) > 4 for r in rows)
        head = [math(r"\phantom{0}", theme, font_size)]
        if settings:
            head.append(math(r"\textsf{settings}", theme, font_size, color=theme.muted))
        goal = r"f - f^* \le " if gap else r"f \le "  # ``gap``: the steps count to within tol of f*
        head += [math(r"\textsf{steps to } " + goal + format_sig(tol, 1), theme, font_size, color=theme.muted),
                 math(r"f \textsf{ after } %d" % budget, theme, font_size, color=theme.muted)]
        self.cells = []
        grid = [head]
        for i in order:
            label, color, steps, final = rows[i][:4]
            steps_s = str(steps) if steps is not None else "-"
            final_s = format_sig(float(final))
            self.cells.append((label, steps_s, final_s))
            row = [math(label if label.startswith("\\") else r"\textsf{%s}" % label, theme, font_size, color=color)]
            if settings:
                row.append(math(rows[i][4], theme, font_size, color=theme.muted))
            row += [math(steps_s if steps is not None else r"\textsf{--}", theme, font_size),
                    math(final_s, theme, font_size)]
            grid.append(row)
        n_cols = len(head)
        widths = [max(row[c].width for row in grid) for c in range(n_cols)]
        gap = 0.6
        col_x = [0.0]
        for c in range(1, n_cols):
            col_x.append(col_x[-1] + widths[c - 1] + gap)
        row_h = 0.6 * font_size / FONT_LABEL
        numeric = range(n_cols - 2, n_cols)
        for r, row in enumerate(grid):
            y = -r * row_h - (0.15 if r else 0.0)
            for c, cell in enumerate(row):
                if c in numeric:  # numbers right-aligned under their headers' right edge
                    cell.move_to([col_x[c] + widths[c], y, 0], aligned_edge=RIGHT)
                else:
                    cell.move_to([col_x[c], y, 0], aligned_edge=LEFT)
        self.rule = Line([col_x[0], -0.5 * row_h - 0.05, 0], [col_x[-1] + widths[-1], -0.5 * row_h - 0.05, 0],
                         stroke_color=theme.faint, stroke_width=2)
        self.rows = VGroup(*[VGroup(*row) for row in grid])
        self.add(self.rule, self.rows)


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
    n = 48
    bar = VGroup(*[
        Rectangle(width=width, height=height / n, stroke_width=0, fill_opacity=1,
                  fill_color=colormap(theme.colorscale, (k + 0.5) / n)).move_to(((k + 0.5) / n - 0.5) * height * UP)
        for k in range(n)
    ])
    frame = Rectangle(width=width, height=height, stroke_color=theme.muted, stroke_width=1)
    labels = VGroup()
    for value in ticks:
        y = ((value - bottom) / (top - bottom) - 0.5) * height if top > bottom else -0.5 * height
        tick = Line(RIGHT * width / 2, RIGHT * (width / 2 + 0.12), stroke_color=theme.muted, stroke_width=1.5)
        tick.shift(y * UP)
        number = MathTex(f"{value:g}", font_size=FONT_SMALL, color=theme.muted).next_to(tick, RIGHT, buff=0.08)
        labels.add(VGroup(tick, number))
    caption = math(label, theme, FONT_SMALL + 4).next_to(frame, UP, buff=0.2)
    group = VGroup(bar, frame, labels, caption)
    group.bar, group.frame, group.labels, group.caption = bar, frame, labels, caption
    return group





# ----------------------------------------------------------------------------- 2D maps


class MapPanel(VGroup):
    """A 2-D view of a surface over ``window``: filled height bands, contour lines, a frame.

    Parameter point ``(x, y)`` appears at :meth:`to_scene`; ``side`` is the scene length of
    the window's longer side, ``center`` the scene point of the window's middle. Bands use
    the height ramp of :class:`~scenes.mobjects.HeightMap` at ``band_opacity`` over the
    background, so that trails drawn on top stay readable.
    """

    def __init__(self, surface, window, theme: Theme, side: float = 5.0, center=(0.0, 0.0, 0.0), levels=None,
                 n_levels: int = 8, band_opacity: float = 0.55, line_opacity: float = 0.6, grid_n: int = 161,
                 ticks=None, filled: bool = True, labels: bool = True, heights=None):
        super().__init__()
        from scenes.mobjects import HeightMap, contour_lines, filled_bands
        from scenes.stage import windowed

        self.theme = theme
        self.surface = windowed(surface, window)
        (x0, x1), (y0, y1) = self.surface.domain
        self.window = ((x0, x1), (y0, y1))
        self.unit = side / max(x1 - x0, y1 - y0)  # scene units per parameter unit
        self.center = np.asarray(center, float)
        # ``heights`` from another view keeps its colours (an inset of a larger map).
        self.heights = heights or HeightMap.for_surface(self.surface)
        self.levels = self.heights.nice_levels(n_levels) if levels is None else np.asarray(levels, float)
        z = self.surface.f(self.surface.grid(grid_n))
        inside = [lv for lv in self.levels if z.min() < lv < z.max()]  # contourpy wants increasing bounds
        self.bands = (filled_bands(self.surface, self.to_scene, inside, theme, self.heights, grid_n=grid_n,
                                   opacity=band_opacity) if filled else VGroup())
        self.lines = contour_lines(self.surface, self.to_scene, self.levels, theme, self.heights, grid_n=grid_n,
                                   stroke_width=1.2, color_by_level=False, opacity=line_opacity)
        w, h = (x1 - x0) * self.unit, (y1 - y0) * self.unit
        self.frame = Rectangle(width=w, height=h, stroke_color=theme.muted, stroke_width=1.5).move_to(self.center)
        self.tick_labels = VGroup()
        if labels:
            xt, yt = ticks if ticks is not None else (_inner_ticks(x0, x1), _inner_ticks(y0, y1))
            for v in xt:
                self.tick_labels.add(MathTex(f"{v:g}", font_size=FONT_SMALL, color=theme.muted)
                                     .next_to(self.at((v, y0)), DOWN, buff=0.12))
            for v in yt:
                self.tick_labels.add(MathTex(f"{v:g}", font_size=FONT_SMALL, color=theme.muted)
                                     .next_to(self.at((x0, v)), LEFT, buff=0.12))
            names = self.surface.variable_names
            self.tick_labels.add(MathTex(names[0], font_size=FONT_LABEL, color=theme.muted)
                                 .next_to(self.frame.get_corner(DOWN + RIGHT), RIGHT, buff=0.12))
            self.tick_labels.add(MathTex(names[1], font_size=FONT_LABEL, color=theme.muted)
                                 .next_to(self.frame.get_corner(UP + LEFT), UP, buff=0.08))
        self.add(self.bands, self.lines, self.frame, self.tick_labels)

    def to_scene(self, xy) -> np.ndarray:
        """Scene points (n, 3) of parameter points ``xy`` (n, 2)."""
        xy = np.atleast_2d(np.asarray(xy, float))
        (x0, x1), (y0, y1) = self.window
        out = np.zeros((len(xy), 3))
        out[:, 0] = self.center[0] + (xy[:, 0] - (x0 + x1) / 2) * self.unit
        out[:, 1] = self.center[1] + (xy[:, 1] - (y0 + y1) / 2) * self.unit
        out[:, 2] = self.center[2]
        return out

    def at(self, xy) -> np.ndarray:
        """The scene point of one parameter point."""
        return self.to_scene([xy])[0]

    @property
    def box(self):
        (x0, x1), (y0, y1) = self.window
        return (x0, x1, y0, y1)


def _inner_ticks(lo: float, hi: float) -> tuple:
    """Integer ticks strictly inside (lo, hi), thinned to the outer ones and 0 when many."""
    ints = [float(v) for v in range(int(np.floor(lo)) + 1, int(np.ceil(hi))) if lo < v < hi]
    if len(ints) > 5:
        ints = [ints[0]] + ([0.0] if ints[0] < 0 < ints[-1] else []) + [ints[-1]]
    return tuple(ints) or (lo, hi)


class PathOnMap(VGroup):
    """A run on a :class:`MapPanel`: a trail with a background-coloured casing and a ball.

    One vertex per drawn trajectory point (``vertices``); ``set_step`` reveals it up to a
    fractional step, as :class:`~scenes.mobjects.Trail` does.
    """

    def __init__(self, vertices, color, theme: Theme, width: float = 3.5, radius: float = 0.08,
                 step: float = 0.0, dots: bool = False):
        super().__init__()
        from scenes.mobjects import Marker, Trail

        self.vertices = np.asarray(vertices, float)
        self.casing = Trail(self.vertices, theme.background, width=width + 2.0, step=step)
        self.casing.front.set_stroke(opacity=0.85)
        self.trail = Trail(self.vertices, color, width=width, step=step)
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



# ----------------------------------------------------------------------------- fast numbers


_GLYPHS: dict[str, tuple] = {}


def _glyph_shape(token: str) -> tuple:
    """(points, width, height, left, bottom) of a number token at font size 48, merged into
    one outline array (each glyph outline stays its own closed subpath)."""
    if token not in _GLYPHS:
        from scenes.mobjects.text import _glyph

        glyph = _glyph(token)
        members = glyph.family_members_with_points()
        pts = np.concatenate([m.points for m in members]) if members else np.zeros((0, 3))
        left, bottom = glyph.get_left()[0], glyph.get_bottom()[1]
        _GLYPHS[token] = (pts, glyph.width, glyph.height, left, bottom)
    return _GLYPHS[token]


class FastNumber(VMobject):
    """A number shown like :class:`~scenes.mobjects.SciNumber` (same rounding, same glyphs,
    same layout) but as one VMobject whose points are replaced on change: no glyph is copied
    per frame, and in a 3D scene it stays registered as fixed in the frame.
    """

    def __init__(self, value: float, font_size: int = FONT_LABEL, color=None, digits: int = 3, integer: bool = False,
                 **kwargs):
        super().__init__(stroke_width=0, fill_opacity=1.0, **kwargs)
        self.integer = integer
        self.font_size_ = max(font_size, MIN_FONT_SIZE)
        self.digits = digits
        self.set_fill(color or "#FFFFFF", opacity=1.0)
        self.latex = ""
        self.value = None
        self.set_value(value)

    def set_value(self, value: float) -> "FastNumber":
        from scenes.mobjects.text import _tokens

        latex = str(int(round(value))) if self.integer else format_sig(float(value), self.digits)
        if latex == self.latex:
            return self
        anchor = self.get_left() if self.has_points() else None
        self.latex, self.value = latex, value
        scale = self.font_size_ / 48
        buff = 0.001 * self.font_size_
        tokens = _tokens(latex)
        shapes = [_glyph_shape(t) for t in tokens]
        parts, x = [], 0.0
        for k, (tok, (pts, w, h, left, bottom)) in enumerate(zip(tokens, shapes)):
            dy = 0.0
            if tok == "-" and k + 1 < len(shapes):
                # The minus sits at the next glyph's mid-height, not on the baseline.
                nh = shapes[k + 1][2]
                dy = (nh * 0.5 - h * 0.5)
            shift = np.array([x - left, -bottom + dy, 0.0])
            parts.append((pts + shift) * scale)
            x += w + buff / scale
        points = np.concatenate(parts) if parts else np.zeros((0, 3))
        self.set_points(points)
        if anchor is not None:
            self.move_to(anchor, LEFT)
        return self


class FastReadout(Readout):
    """:class:`~scenes.mobjects.Readout` (rows ``label = number`` aligned on the equals
    signs, ``set_step``, ``shown``) with :class:`FastNumber` digits."""

    number_class = FastNumber
    buff = 0.15

    def __init__(self, rows, theme: Theme, font_size: int = FONT_LABEL, step_label: str = r"\textsf{step}",
                 accent=None):
        super().__init__(rows, theme, font_size, step_label=step_label, accent=accent)


__all__ = ["SeriesPlot", "plain", "steps_to_tolerance", "hyperparam_text", "Scoreboard", "BasinMap", "color_bar", "MapPanel",
           "PathOnMap", "FastNumber", "FastReadout"]
