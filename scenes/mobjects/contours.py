"""Contour lines and filled bands of a 2-D surface, traced by ``contourpy``.

``contourpy`` is the contouring library matplotlib uses; it returns each level as
polylines in parameter space, which a ``to_scene`` function maps onto an ``Axes`` (2D) or
onto the contour floor of a :class:`~scenes.mobjects.surface.SurfaceView` (3D). Values are
sampled from mathcore's ``surface.f`` on a regular grid.
"""

from __future__ import annotations

import contourpy
import numpy as np
from manim import VGroup, VMobject

from ..theme import CONTOUR_WIDTH, FONT_SMALL, Theme
from .heights import HeightMap, colormap
from .text import math


def _grid(surface, grid_n):
    grid = surface.grid(grid_n)
    return grid[0], grid[1], surface.f(grid)


def _polyline(points) -> VMobject:
    line = VMobject()
    line.set_points_as_corners(points)
    return line


class ContourSet(VGroup):
    """One VGroup per level (``self.levels[i]`` is ``self[i]``), holding one VMobject whose
    subpaths are the level's polylines; ``polylines[i]`` are those in parameter space and
    ``segments[i][j]`` says which segments of polyline ``j`` are drawn (None: all of them)."""

    def __init__(self, levels, groups, polylines, segments=None):
        super().__init__(*groups)
        self.levels = np.asarray(levels)
        self.polylines = polylines  # per level: list of (n, 2) arrays in parameter space
        self.segments = segments if segments is not None else [[None] * len(lines) for lines in polylines]


def _trace(surface, levels, theme, heights, grid_n, color_by_level):
    """Per level: its stroke colour and its polylines in parameter space (traced once)."""
    x, y, z = _grid(surface, grid_n)
    generator = contourpy.contour_generator(x, y, z, line_type=contourpy.LineType.Separate)
    out = []
    for level in levels:
        color = theme.muted
        if color_by_level:
            t = float(heights(level) / heights.h_max)
            lo, hi = getattr(theme, "line_ramp", (0.3, 1.0))
            color = colormap(theme.colorscale, lo + (hi - lo) * t)
        out.append((color, [seg for seg in generator.lines(level) if len(seg) >= 2]))
    return out


def _contour_sets(surface, to_scene, levels, theme, heights, grid_n, stroke_width, color_by_level, opacity,
                  split, parts: int) -> list[ContourSet]:
    """``parts`` contour sets from one tracing: ``split(points)`` gives, for a polyline's (n, 3)
    scene points, ``parts`` boolean masks over its n - 1 segments; set ``k`` draws the runs of
    segments that mask ``k`` keeps."""
    traced = _trace(surface, levels, theme, heights, grid_n, color_by_level)
    groups = [[] for _ in range(parts)]
    masks = [[] for _ in range(parts)]
    for color, lines in traced:
        # One VMobject per level, each polyline a subpath: far fewer mobjects to copy and
        # to paint than one per polyline.
        paths = [VMobject(fill_opacity=0).set_stroke(color, width=stroke_width, opacity=opacity) for _ in range(parts)]
        level_masks = [[] for _ in range(parts)]
        for seg in lines:
            pts = np.asarray(to_scene(seg), float)
            for k, mask in enumerate(split(pts)):
                mask = np.asarray(mask, bool)
                level_masks[k].append(mask)
                for run in _segment_runs(pts, mask):
                    paths[k].append_points(_polyline(run).points)
        for k in range(parts):
            groups[k].append(VGroup(paths[k]) if paths[k].has_points() else VGroup())
            masks[k].append(level_masks[k])
    lines = [lines for _, lines in traced]
    return [ContourSet(levels, groups[k], lines, masks[k]) for k in range(parts)]


def contour_lines(surface, to_scene, levels, theme: Theme, heights: HeightMap | None = None,
                  grid_n: int = 161, stroke_width: float = CONTOUR_WIDTH, color_by_level: bool = True,
                  opacity: float = 0.9, keep=None) -> ContourSet:
    """Polylines of ``surface.f == level`` for each loss value in ``levels``.

    ``to_scene`` maps an (n, 2) array of parameters to (n, 3) scene points. With
    ``color_by_level`` a line takes the mesh colour of its height, from the part
    ``theme.line_ramp`` of the ramp that stays legible on the background (not viridis'
    dark end on the dark theme, nor its yellow end on the light one); otherwise theme.muted.
    ``keep`` (optional) maps (n, 3) scene points to a boolean mask: a segment is drawn when
    both its ends are kept (used to drop the parts of the floor a surface hides).
    """
    heights = heights or HeightMap.for_surface(surface)

    def split(pts):
        if keep is None:
            return [np.ones(len(pts) - 1, bool)]
        kept = np.asarray(keep(pts), bool)
        return [kept[:-1] & kept[1:]]

    return _contour_sets(surface, to_scene, levels, theme, heights, grid_n, stroke_width, color_by_level, opacity,
                         split, 1)[0]


def floor_contours(surface, view, levels, theme: Theme, mesh, eye, heights: HeightMap | None = None,
                   grid_n: int = 161, stroke_width: float = CONTOUR_WIDTH, color_by_level: bool = True,
                   opacity: float = 0.9) -> tuple[ContourSet, ContourSet]:
    """The contour floor of a 3D view split by depth: ``(seen, hidden)``, the runs of each level
    that the ``mesh`` leaves in sight from ``eye`` and the runs it hides (Cairo has no depth
    buffer: a floor line drawn after the mesh would show through it). Show ``seen`` with the
    mesh, and ``hidden`` too once the mesh is gone (a top view of the map). ``eye`` may be a
    list of eyes (a camera move): then seen means seen from all of them.

    Traced once: each segment is in exactly one of the two, seen when both its ends are in
    view, hidden otherwise; the two meet at shared vertices, so together they draw every line
    without a seam.
    """
    from .occlusion import visible

    heights = heights or view.heights

    eyes = np.atleast_2d(np.asarray(eye, float))

    def split(pts):
        seen = np.logical_and.reduce([visible(pts, e, mesh) for e in eyes])
        both = seen[:-1] & seen[1:]
        return [both, ~both]

    seen, hidden = _contour_sets(surface, view.floor_points, levels, theme, heights, grid_n, stroke_width,
                                 color_by_level, opacity, split, 2)
    return seen, hidden


def _segment_runs(points, mask):
    """The polylines of consecutive kept segments (segment i joins points i and i + 1)."""
    out, start = [], None
    for i, ok in enumerate(list(mask) + [False]):
        if ok and start is None:
            start = i
        elif not ok and start is not None:
            out.append(points[start:i + 1])
            start = None
    return out


def filled_bands(surface, to_scene, levels, theme: Theme, heights: HeightMap | None = None,
                 grid_n: int = 161, opacity: float = 0.85) -> VGroup:
    """Filled regions between consecutive levels (and below the first, above the last).

    Each band is one VMobject whose subpaths are contourpy's outer rings and holes (holes
    run the other way round, so Cairo's winding rule leaves them empty).
    """
    x, y, z = _grid(surface, grid_n)
    generator = contourpy.contour_generator(x, y, z, fill_type=contourpy.FillType.OuterOffset)
    heights = heights or HeightMap.for_surface(surface)
    bounds = [float(np.min(z)) - 1.0] + list(levels) + [float(np.max(z)) + 1.0]
    bands = VGroup()
    for lower, upper in zip(bounds[:-1], bounds[1:]):
        mid = heights((max(lower, heights.f_min) + min(upper, heights.inverse(heights.h_max))) / 2)
        color = colormap(theme.colorscale, float(mid / heights.h_max))
        band = VMobject(fill_color=color, fill_opacity=opacity, stroke_width=0)
        polygons, offsets = generator.filled(lower, upper)
        for poly, offs in zip(polygons, offsets):
            for a, b in zip(offs[:-1], offs[1:]):
                ring = np.asarray(to_scene(poly[a:b]), float)
                if len(ring) < 3:
                    continue
                band.start_new_path(ring[0])
                band.add_points_as_corners(ring[1:])
        if band.has_points():
            bands.add(band)
    return bands


def format_level(value: float) -> str:
    """A contour level for a label: round numbers stay round (1000, 0.3, 0.05)."""
    if value == 0:
        return "0"
    exponent = int(np.floor(np.log10(abs(value))))
    if -3 <= exponent <= 4:
        text = f"{value:.3g}"
        return str(int(round(value))) if "e" in text or abs(value - round(value)) < 1e-9 * abs(value) else text
    mantissa = value / 10**exponent
    return (f"{mantissa:.2g}" + r"\cdot " if abs(mantissa - 1) > 1e-9 else "") + "10^{%d}" % exponent


def contour_labels(contours: ContourSet, to_scene, theme: Theme, which=None, avoid=None,
                   bounds=None, font_size: int = FONT_SMALL, min_gap: float = 0.9) -> VGroup:
    """A number on each labelled level, on a backing of the background colour.

    Positions are chosen greedily on each level's longest polyline: the point farthest
    from labels already placed and from ``avoid`` ((n, 3) scene points, e.g. a path),
    kept inside ``bounds`` = (xmin, xmax, ymin, ymax) in scene units.
    """
    placed = []
    avoid = np.zeros((0, 3)) if avoid is None else np.asarray(avoid, float)
    labels = VGroup()
    indices = range(len(contours.levels)) if which is None else which
    for i in indices:
        lines = contours.polylines[i]
        if not lines:
            continue
        longest = max(lines, key=len)
        candidates = np.asarray(to_scene(longest), float)
        candidates = candidates[len(candidates) // 10: len(candidates) - len(candidates) // 10 or None]
        if bounds is not None:
            x0, x1, y0, y1 = bounds
            inside = (candidates[:, 0] > x0) & (candidates[:, 0] < x1) & (candidates[:, 1] > y0) & (candidates[:, 1] < y1)
            candidates = candidates[inside]
        if len(candidates) == 0:
            continue
        others = np.concatenate([np.array(placed).reshape(-1, 3), avoid]) if (placed or len(avoid)) else None
        if others is None:
            best = candidates[len(candidates) // 2]
        else:
            dist = np.linalg.norm(candidates[:, None, :2] - others[None, :, :2], axis=-1).min(axis=1)
            if dist.max() < min_gap and placed:
                continue
            best = candidates[int(np.argmax(dist))]
        label = math(format_level(float(contours.levels[i])), theme, font_size)
        label.move_to(best)
        label.add_background_rectangle(color=theme.background, opacity=0.85, buff=0.04)
        labels.add(label)
        placed.append(best)
    return labels


__all__ = ["floor_contours", "ContourSet", "contour_lines", "filled_bands", "contour_labels", "format_level"]
