r"""The 3D loss surface: axes, a mesh coloured by height, its colour legend, the floor.

Scene coordinates come from one :class:`SurfaceView`: parameters :math:`(x, y)` map
linearly onto a square of side ``side`` and the display height :math:`h(f)` (see
:class:`~scenes.mobjects.heights.HeightMap`) onto :math:`[0, z_{len}]`. The contour floor
is a plane ``floor_gap`` below the lowest point, so that it can be seen under the
surface.

The mesh is the costliest thing the Cairo renderer draws (one polygon per face, all
redrawn each frame while the camera moves), so its lines are few and placed where the
drawn surface bends: along each axis the spacing follows
:math:`\rho(u) = \tfrac12 + \tfrac12\, c(u)/\bar c`, with :math:`c(u)` the mean
:math:`|\partial^2 h/\partial u^2|^{1/2}` across the other axis.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from manim import (DOWN, RIGHT, UP, Line, ManimColor, MathTex, Polygon, Surface, Text, ThreeDAxes, 
                   ThreeDVMobject, VGroup)

from ..theme import CONTOUR_WIDTH, FONT_SMALL, Theme
from .heights import HeightMap, _nice_ticks, colormap, ramp_bar


@dataclass(frozen=True, eq=False)
class SurfaceView:
    """Where a 2-D surface sits in the 3D scene: the map from (x, y, f) to scene points."""

    surface: object  # mathcore.Surface with dim 2
    heights: HeightMap
    side: float = 5.0  # scene units of the longer domain side
    z_length: float = 2.2  # scene units from the lowest to the highest display height
    floor_gap: float = 1.2  # scene units between the floor and the lowest display height
    lift: float = 0.06  # scene units a path floats above the mesh, so the mesh does not hide it

    @classmethod
    def for_surface(cls, surface, **kwargs) -> "SurfaceView":
        return cls(surface, HeightMap.for_surface(surface), **kwargs)

    @cached_property
    def axes(self) -> ThreeDAxes:
        """A coordinate system only (never added to a scene: its lines would show through the mesh)."""
        (x0, x1), (y0, y1) = self.surface.domain
        scale = self.side / max(x1 - x0, y1 - y0)
        return ThreeDAxes(
            x_range=(x0, x1, 1), y_range=(y0, y1, 1), z_range=(0, self.heights.h_max, 1),
            x_length=(x1 - x0) * scale, y_length=(y1 - y0) * scale, z_length=self.z_length,
        )

    @property
    def z_floor(self) -> float:
        """The floor's display-height coordinate (below 0)."""
        return -self.floor_gap * self.heights.h_max / self.z_length

    def points(self, xy, f=None, lift: float = 0.0) -> np.ndarray:
        """Scene points of parameters ``xy`` (n, 2) at the heights of losses ``f`` (n,), or on the floor when ``f`` is None."""
        xy = np.atleast_2d(np.asarray(xy, float))
        h = np.full(len(xy), self.z_floor) if f is None else self.heights(f)
        # Separate coordinate arrays: unambiguous for any number of points (returns (3, n)).
        pts = np.asarray(self.axes.coords_to_point(xy[:, 0], xy[:, 1], np.asarray(h, float)), float).T
        pts = np.atleast_2d(pts).copy()
        pts[:, 2] += lift
        return pts

    def floor_points(self, xy) -> np.ndarray:
        return self.points(xy)

    def lifted_points(self, xy, f, mesh: "LossSurface | None" = None) -> np.ndarray:
        """Points of a path on the surface, ``lift`` above the drawn mesh (which can lie
        above the true surface between its vertices, where it would hide the path)."""
        pts = self.points(xy, f)
        if mesh is not None:
            pts[:, 2] = np.maximum(pts[:, 2], mesh.height_field(pts[:, 0], pts[:, 1]))
        pts[:, 2] += self.lift
        return pts


def mesh_lines(view: SurfaceView, n: int, samples: int = 161) -> tuple[np.ndarray, np.ndarray]:
    """``n + 1`` parameter values per axis, denser where the display height bends."""
    grid = view.surface.grid(samples)
    h2 = np.abs(view.heights.second_derivatives(grid))
    out = []
    for axis, (lo, hi) in enumerate(view.surface.domain):
        bend = np.sqrt(np.nanmean(np.nan_to_num(h2[axis], posinf=0.0), axis=1 - axis))
        density = 0.5 + 0.5 * bend / max(bend.mean(), 1e-12)
        cumulative = np.concatenate([[0.0], np.cumsum((density[1:] + density[:-1]) / 2)])
        cumulative /= cumulative[-1]
        values = np.interp(np.linspace(0, 1, n + 1), cumulative, np.linspace(lo, hi, samples))
        values[0], values[-1] = lo, hi
        out.append(values)
    return out[0], out[1]


def auto_resolution(view: SurfaceView, low: int = 14, high: int = 32) -> int:
    """Faces per side: more for surfaces whose drawn profile is long (steep walls, many bumps).

    The measure is the longest arc length of the display profile along a grid line, in
    units of the side: 1 for a plane, about 2 for Rosenbrock's log valley.
    """
    grid = view.surface.grid(121)
    z = view.heights(view.surface.f(grid)) / view.heights.h_max * view.z_length
    step = view.side / 120
    arc = max(np.sqrt(step**2 + np.diff(z, axis=a) ** 2).sum(axis=a).max() for a in (0, 1)) / view.side
    return int(np.clip(round(12 * arc), low, high))


# Where ThreeDCamera puts its light by default (a point fixed in the scene).
LIGHT_SOURCE = (-7.0, -9.0, 10.0)


class _GroundSortedFace(ThreeDVMobject):
    """A mesh face that the 3D camera sorts by where it stands on the ground, not by its centre.

    For a height field seen from above (0 < phi < 90 degrees), a ray from the eye moves
    away horizontally as it descends, so what is horizontally nearer can hide what is
    farther, never the reverse. Sorting faces by the depth of their centre projected on
    the ground plane is therefore a correct painter's order, for every camera angle; sorting
    by the centre itself is not, and shows as teeth where a steep wall meets the
    silhouette.
    """

    def get_z_index_reference_point(self):
        center = self.get_center()
        center[2] = 0.0
        return center


class LossSurface(Surface):
    """The mesh of a :class:`SurfaceView`, faces coloured by their mean display height.

    ``u_values``/``v_values`` are the (non-uniform) mesh lines; :meth:`height_field`
    interpolates the drawn mesh's scene height, for occlusion tests.

    ``style``: ``"height"`` (faces in their height colour, seams hidden), ``"checkerboard"``
    (the same colours, every other face darker, so the mesh cells read as a grid) or
    ``"wireframe"`` (no fill: the mesh lines alone, in their height colour).
    """

    STYLES = ("height", "checkerboard", "wireframe")

    def __init__(self, view: SurfaceView, theme: Theme, resolution: int | None = None, opacity: float = 1.0,
                 stroke_width: float = 0.6, skirt: bool = True, triangles: bool = False, style: str = "height",
                 **kwargs):
        if style not in self.STYLES:
            raise ValueError(f"invalid style {style!r}; accepted: {', '.join(self.STYLES)}")
        self.view = view
        self.triangles = triangles
        n = resolution or auto_resolution(view)
        self.u_values, self.v_values = mesh_lines(view, n)
        uu, vv = np.meshgrid(self.u_values, self.v_values, indexing="ij")
        f = view.surface.f(np.array([uu, vv]))
        self._vertices = view.points(np.column_stack([uu.ravel(), vv.ravel()]), f.ravel()).reshape(uu.shape + (3,))
        index = {(float(u), float(v)): (i, j) for i, u in enumerate(self.u_values) for j, v in enumerate(self.v_values)}
        self._index = index
        (u0, u1), (v0, v1) = view.surface.domain
        super().__init__(
            self._vertex, u_range=(u0, u1), v_range=(v0, v1), resolution=(n, n),
            checkerboard_colors=False, fill_opacity=opacity, stroke_width=stroke_width,
            should_make_jagged=True, **kwargs,
        )
        heights = self._vertices[..., 2]
        z0 = view.axes.coords_to_point(0, 0, 0)[2]
        for face in self.list_of_faces:
            mean = np.mean([heights[c] for c in face.corners])
            color = colormap(theme.colorscale, (mean - z0) / view.z_length)
            if style == "wireframe":
                face.set_fill(color, opacity=0)
                face.set_stroke(color, width=max(stroke_width, 1.2), opacity=1.0)
                continue
            if style == "checkerboard" and sum(face.corners[0]) % 2:
                color = ManimColor(color).darker(0.25)
            face.set_fill(color, opacity=opacity)
            face.set_stroke(color, width=stroke_width, opacity=opacity)  # same colour: hides seams
        self.style = style
        self.skirt = self._skirt(theme, z0, opacity) if skirt and style != "wireframe" else VGroup()
        self.add(*self.skirt)

    def bake_shading(self, light_source=None) -> "LossSurface":
        """Fold the 3D camera's shading into each face's colour, once.

        ThreeDCamera shades every ``shade_in_3d`` face on every frame, with a two-colour
        gradient (a quarter of the cost of a frame while the camera moves); the light is a
        fixed point in the scene, so the result never changes. Call this, then set the
        scene's ``camera.should_apply_shading = False``: same look (one colour per face,
        the mean of the gradient's two ends), faster frames.
        """
        from manim.mobject.three_d.three_d_utils import (
            get_3d_vmob_end_corner, get_3d_vmob_end_corner_unit_normal, get_3d_vmob_start_corner,
            get_3d_vmob_start_corner_unit_normal,
        )
        from manim.utils.color.core import get_shaded_rgb

        light = np.asarray(LIGHT_SOURCE if light_source is None else light_source, float)
        for face in self.family_members_with_points():
            rgba = face.get_fill_rgbas()[0]
            start = get_shaded_rgb(rgba[:3], get_3d_vmob_start_corner(face), get_3d_vmob_start_corner_unit_normal(face),
                                   light)
            end = get_shaded_rgb(rgba[:3], get_3d_vmob_end_corner(face), get_3d_vmob_end_corner_unit_normal(face), light)
            color = ManimColor(np.clip((start + end) / 2, 0, 1))
            face.set_fill(color, opacity=rgba[3])
            if face.get_stroke_width() > 0:
                face.set_stroke(color)
        self.shading_baked = True
        return self

    def _skirt(self, theme: Theme, z0: float, opacity: float) -> VGroup:
        """Walls from the mesh's edges down to height 0, so the terrain reads as solid.

        Without them a camera looking across a steep valley sees the valley floor through
        the open side of the sheet (correct for a sheet, confusing for a landscape).
        """
        v = self._vertices
        edges = [v[:, 0], v[-1, :], v[::-1, -1], v[0, ::-1]]
        walls = VGroup()
        for edge in edges:
            for a, b in zip(edge[:-1], edge[1:]):
                a0, b0 = a.copy(), b.copy()
                a0[2] = b0[2] = z0
                # A cut through the terrain: the colour of its top edge, in shadow (darker
                # in both themes: on white, a wall mixed toward the background would glow).
                top = colormap(theme.colorscale, ((a[2] + b[2]) / 2 - z0) / self.view.z_length)
                color = top.interpolate(ManimColor("#000000"), 0.7)
                wall = _GroundSortedFace()
                wall.set_points_as_corners([a, b, b0, a0, a])
                wall.set_fill(color, opacity=opacity).set_stroke(color, width=0.5, opacity=opacity)
                walls.add(wall)
        return walls

    def _get_u_values_and_v_values(self):
        return self.u_values, self.v_values

    def _setup_in_uv_space(self):
        """One quad per mesh cell, or with ``triangles`` two triangles split along the diagonal
        whose ends differ least in height (a data-dependent triangulation, which follows a
        narrow valley crossing cells diagonally, at twice the faces; with the skirt hiding
        the open side, quads look cleaner for the same cost).
        """
        u, v = self.u_values, self.v_values
        z = self._vertices[..., 2]
        faces = []
        for i in range(len(u) - 1):
            for j in range(len(v) - 1):
                a, b, c, d = (u[i], v[j]), (u[i + 1], v[j]), (u[i + 1], v[j + 1]), (u[i], v[j + 1])
                if not self.triangles:
                    face = _GroundSortedFace()
                    face.set_points_as_corners([[*a, 0], [*b, 0], [*c, 0], [*d, 0], [*a, 0]])
                    face.u_index, face.v_index = i, j
                    face.corners = ((i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1))
                    faces.append(face)
                    continue
                if abs(z[i, j] - z[i + 1, j + 1]) <= abs(z[i + 1, j] - z[i, j + 1]):
                    tris = ((a, b, c, (i, j), (i + 1, j), (i + 1, j + 1)), (a, c, d, (i, j), (i + 1, j + 1), (i, j + 1)))
                else:
                    tris = ((a, b, d, (i, j), (i + 1, j), (i, j + 1)), (b, c, d, (i + 1, j), (i + 1, j + 1), (i, j + 1)))
                for p, q, r, *corners in tris:
                    face = _GroundSortedFace()
                    face.set_points_as_corners([[*p, 0], [*q, 0], [*r, 0], [*p, 0]])
                    face.u_index, face.v_index, face.corners = i, j, corners
                    faces.append(face)
        self.list_of_faces = faces
        group = VGroup(*faces)
        group.set_fill(color=self.fill_color, opacity=self.fill_opacity)
        group.set_stroke(color=self.stroke_color, width=self.stroke_width, opacity=self.stroke_opacity)
        self.add(*faces)

    def _vertex(self, u, v):
        """The scene point of mesh vertex (u, v); the mesh's own values, looked up, not recomputed."""
        key = (float(u), float(v))
        if key in self._index:
            i, j = self._index[key]
            return self._vertices[i, j]
        # Bezier handles between vertices: on the true surface.
        f = self.view.surface.f(np.array([u, v], float))
        return self.view.points([[u, v]], [f])[0]

    @cached_property
    def scene_grid(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Scene x of the u lines, scene y of the v lines, scene z at each vertex."""
        return self._vertices[:, 0, 0], self._vertices[0, :, 1], self._vertices[..., 2]

    def height_field(self, x, y):
        """Bilinear scene height of the drawn mesh at scene points (x, y); -inf outside it."""
        xs, ys, zs = self.scene_grid
        x, y = np.asarray(x, float), np.asarray(y, float)
        inside = (x >= xs[0]) & (x <= xs[-1]) & (y >= ys[0]) & (y <= ys[-1])
        i = np.clip(np.searchsorted(xs, x) - 1, 0, len(xs) - 2)
        j = np.clip(np.searchsorted(ys, y) - 1, 0, len(ys) - 2)
        tx = np.clip((x - xs[i]) / (xs[i + 1] - xs[i]), 0, 1)
        ty = np.clip((y - ys[j]) / (ys[j + 1] - ys[j]), 0, 1)
        z = (zs[i, j] * (1 - tx) * (1 - ty) + zs[i + 1, j] * tx * (1 - ty)
             + zs[i, j + 1] * (1 - tx) * ty + zs[i + 1, j + 1] * tx * ty)
        return np.where(inside, z, -np.inf)


def floor_frame(view: SurfaceView, theme: Theme) -> VGroup:
    """The floor's outline, with the parameter names at the middle of two sides."""
    (x0, x1), (y0, y1) = view.surface.domain
    corners = view.floor_points([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])
    outline = Polygon(*corners, stroke_color=theme.muted, stroke_width=CONTOUR_WIDTH, fill_opacity=0)
    return VGroup(outline)


def color_legend(heights: HeightMap, theme: Theme, height: float = 3.0, width: float = 0.25,
                 ticks: int = 4) -> VGroup:
    """A vertical colour bar for the mesh, labelled in loss values, with what it shows.

    For a log scale the ticks are decades of :math:`f - f^*` and the caption says
    "log scale", so that no one reads the heights as linear.
    """
    bar, frame = ramp_bar(theme, height, width)
    labels = VGroup()
    if heights.is_log:
        top = int(np.floor(heights.h_max))
        for e in range(0, top + 1):
            # h = log10(1 + d): tick where d = 10**e - 1 is awkward; tick at d = 10**e instead.
            h = np.log10(1 + 10.0**e)
            if h > heights.h_max:
                continue
            text = "10^{%d}" % e if e > 1 else ("10" if e == 1 else "1")
            labels.add(_tick(text, h / heights.h_max, height, width, theme))
        labels.add(_tick("0", 0.0, height, width, theme))
    else:
        for value in _legend_ticks(heights.h_max, ticks):
            labels.add(_tick(f"{value:g}", value / heights.h_max, height, width, theme))
    caption_text = r"f - f^*" if abs(heights.f_min) > 1e-12 else "f"
    caption = MathTex(caption_text, font_size=FONT_SMALL + 4, color=theme.foreground)
    caption.next_to(frame, UP, buff=0.2)
    group = VGroup(bar, frame, labels, caption)
    if heights.is_log:
        note = Text("log scale", font=theme.font, font_size=FONT_SMALL, color=theme.muted)
        note.next_to(frame, DOWN, buff=0.2)
        group.add(note)
    group.bar, group.frame, group.labels, group.caption = bar, frame, labels, caption
    return group


def _tick(text, t, height, width, theme):
    y = (t - 0.5) * height
    tick = Line(RIGHT * width / 2, RIGHT * (width / 2 + 0.12), stroke_color=theme.muted, stroke_width=1.5).shift(y * UP)
    label = MathTex(text, font_size=FONT_SMALL, color=theme.muted).next_to(tick, RIGHT, buff=0.08)
    return VGroup(tick, label)


def _legend_ticks(top: float, n: int) -> list[float]:
    return list(_nice_ticks(0.0, top, n))


__all__ = ["SurfaceView", "LossSurface", "mesh_lines", "auto_resolution", "floor_frame", "color_legend"]
