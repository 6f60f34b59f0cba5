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

The look: the mesh is the terrain's top only (no side walls), each face in its height
colour lit once by a fixed light (Lambert, :func:`shade_factors`), and faces a camera sees
from below (an edge curling toward it) darker, as the inside of a cut.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from manim import DOWN, RIGHT, UP, Line, ManimColor, Polygon, Surface, ThreeDAxes, ThreeDVMobject, VGroup

from ..theme import CONTOUR_WIDTH, FONT_BODY, FONT_LABEL, FONT_SMALL, GLYPH_FLOOR_PX, Theme
from .heights import HeightMap, _nice_ticks, colormap, ramp_bar
from .occlusion import bilinear_height
from .text import glyph_px, math, text


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


def mesh_lines(view: SurfaceView, n: int, samples: int = 161, eye=None, center=(0.0, 0.0, 0.0)
               ) -> tuple[np.ndarray, np.ndarray]:
    """``n + 1`` parameter values per axis, denser where the display height bends and, seen from
    ``eye`` (looking at ``center``), where the mesh is nearer the camera (drawn larger)."""
    return lines_at(line_spacing(view, samples, eye, center), n)


def line_spacing(view: SurfaceView, samples: int = 161, eye=None, center=(0.0, 0.0, 0.0)) -> list:
    """Per axis ``(cumulative, values)``: the share of the mesh's lines before each of ``samples``
    parameter values (what :func:`mesh_lines` places ``n`` lines by; the same for every ``n``)."""
    grid = view.surface.grid(samples)
    h2 = np.abs(view.heights.second_derivatives(grid))
    near = None if eye is None else nearness(view, eye, center, samples)
    out = []
    for axis, (lo, hi) in enumerate(view.surface.domain):
        bend = np.sqrt(np.nanmean(np.nan_to_num(h2[axis], posinf=0.0), axis=1 - axis))
        density = 0.5 + 0.5 * bend / max(bend.mean(), 1e-12)
        if near is not None:
            scale = near.mean(axis=1 - axis)
            density = density * scale / scale.mean()
        cumulative = np.concatenate([[0.0], np.cumsum((density[1:] + density[:-1]) / 2)])
        cumulative /= cumulative[-1]
        out.append((cumulative, np.linspace(lo, hi, samples)))
    return out


def lines_at(spacing: list, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``n + 1`` lines per axis from a :func:`line_spacing`, the domain's ends included exactly."""
    out = []
    for cumulative, params in spacing:
        values = np.interp(np.linspace(0, 1, n + 1), cumulative, params)
        values[0], values[-1] = params[0], params[-1]
        out.append(values)
    return out[0], out[1]


def nearness(view: SurfaceView, eye, center=(0.0, 0.0, 0.0), samples: int = 41) -> np.ndarray:
    r"""How much larger than at ``center`` the perspective camera at ``eye`` draws each point of
    the surface's ``samples``-square grid: :math:`F / ((e - p)\cdot\hat e)` with
    :math:`F = |e - c|` and :math:`\hat e = (e - c)/F` (ThreeDCamera's projection factor)."""
    eye, center = np.asarray(eye, float), np.asarray(center, float)
    focal = float(np.linalg.norm(eye - center))
    toward = (eye - center) / focal
    grid = view.surface.grid(samples)
    f = view.surface.f(grid)
    top = view.heights.inverse(view.heights.h_max)
    pts = view.points(np.column_stack([grid[0].ravel(), grid[1].ravel()]), np.minimum(np.nan_to_num(f.ravel(), nan=top),
                                                                                         top))
    depth = (eye - pts) @ toward
    return (focal / np.maximum(depth, 1e-6)).reshape(grid[0].shape)


SEAM_PX = 1.0  # the width, in pixels, of the stroke that closes the seams between faces


def seam_width(pixels: float = SEAM_PX) -> float:
    """The stroke width (manim's units: 1/100 of a scene unit) of ``pixels`` pixels in this render.

    Each face is stroked in its own colour to close the seams between neighbours: two
    antialiased edges laid side by side leave a quarter of what is behind them showing, a
    dark grid once faces are a few pixels wide. A fixed width is too thin at 480p (0.36
    pixels for 0.6) and thicker than needed at 4K."""
    from manim import config

    return pixels * config.frame_width / config.pixel_width * 100


FACE_PX = 20.0  # the longest a face's side may be on screen, in pixels (its colour and light are flat)
CHORD_PX = 1.0  # the gap on screen, in pixels, between faces and the true surface that 95 % of the mesh keeps within
MIN_FACES, MAX_FACES = 24, 40  # faces per side: the fewest whose light reads smooth; the most a camera
# move can repaint at each frame of a 1080p60 render for less than 24 x 24 faces cost through manim's
# own camera (every part moves its camera over a live mesh: benchmarks/mesh_paint.py, render_scenes.py)


def screen_resolution(view: SurfaceView, zoom: float = 1.0, eye=None, center=(0.0, 0.0, 0.0),
                      pixel_width: int | None = None) -> int:
    """Faces per side for the mesh at its size on screen, in the render's pixels.

    With ``s`` the mesh's pixels per scene unit where it is nearest the camera (the render's
    pixels per unit, times ``zoom``, times the :func:`nearness` seen from ``eye``): the fewest
    faces per side found, from ``MIN_FACES``, such that no face is wider than ``FACE_PX``
    pixels across the ground (the widest gap between its mesh lines, times ``s``; a steep wall
    is drawn longer) and 95 % of the mesh lies within ``CHORD_PX`` pixels of the drawn surface
    (:func:`chord_px`); ``MAX_FACES`` when that takes more. Finer at 1080p than at 480p, and
    for a surface drawn large or close. (A bisection: the gaps shrink with more faces, nearly
    always, so "the fewest" may be off by one.)
    """
    from manim import config

    width = config.pixel_width if pixel_width is None else pixel_width
    scale = width / config.frame_width * zoom
    if eye is not None:
        scale *= float(nearness(view, eye, center).max())
    low = max(MIN_FACES, int(np.ceil(view.side * scale / FACE_PX)))  # (evenly spaced lines need this many)
    if low >= MAX_FACES:
        return MAX_FACES

    spacing = line_spacing(view, eye=eye, center=center)  # (once: the lines of every n come from it)

    def close(n):
        lines = lines_at(spacing, n)
        widest = max(np.diff(axis).max() for axis in lines)
        widest *= view.side / max(hi - lo for lo, hi in view.surface.domain)  # (parameter units to scene units)
        return widest * scale <= FACE_PX and chord_px(view, n, scale, eye, center, lines=lines) <= CHORD_PX

    if close(low):
        return low
    if not close(MAX_FACES):
        return MAX_FACES
    lo, hi = low, MAX_FACES  # (lo does not keep the rules, hi does)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if close(mid) else (mid, hi)
    return hi


def chord_px(view: SurfaceView, n: int, scale: float, eye=None, center=(0.0, 0.0, 0.0), samples: int = 41,
             share: float = 0.95, lines=None) -> float:
    """How far the mesh of ``n`` faces per side (:func:`mesh_lines`) lies from the drawn surface
    between its lines, in pixels at ``scale`` pixels per scene unit: the drawn height a quarter,
    half and three quarters of the way between two lines against the straight line between the
    heights on them (three points, so that bumps as wide as the spacing cannot hide between
    samples), along ``samples`` lines across each axis; the ``share`` quantile of these gaps (a
    kink, where the height is clipped or a log height dips into a minimum, is missed by any grid
    that does not pass through it). ``lines``: the mesh's lines when already at hand."""
    lines = mesh_lines(view, n, eye=eye, center=center) if lines is None else lines
    gaps = []
    for axis in (0, 1):
        ends = lines[axis]
        across = np.linspace(*view.surface.domain[1 - axis], samples)

        def height(values):
            grid = np.meshgrid(values, across, indexing="ij")
            xy = np.array(grid if axis == 0 else grid[::-1])
            return view.heights(view.surface.f(xy)) / view.heights.h_max * view.z_length

        z = height(ends)
        for t in (0.25, 0.5, 0.75):
            inside = height((1 - t) * ends[:-1] + t * ends[1:])
            gaps.append(np.abs(inside - ((1 - t) * z[:-1] + t * z[1:])).ravel())
    gaps = np.concatenate(gaps)
    gaps = gaps[np.isfinite(gaps)]
    return float(np.quantile(gaps, share)) * scale if len(gaps) else 0.0


# The light: a direction in the scene (from the viewer's upper left for the usual views,
# theta -45..-60 degrees); ThreeDCamera's default light point, read as a direction.
LIGHT_SOURCE = (-7.0, -9.0, 10.0)
AMBIENT = 0.5  # share of a face's colour that no slope darkens (the shadowed side stays readable)
LEVEL = 0.9  # a level face's factor: a wide flat top (a plateau) does not glare at full brightness
UNDERSIDE = 0.45  # factor of a face seen from below (where a mesh's edge curls toward the camera)


def shade_factors(normals, light=LIGHT_SOURCE, ambient: float = AMBIENT, level: float = LEVEL) -> np.ndarray:
    r"""Lambert shading of faces with unit ``normals`` (n, 3), relative to a level face.

    :math:`s(n) = a + (1 - a)\max(n\cdot\ell, 0)` and the factor is :math:`\lambda\, s(n)/s(e_z)`
    with :math:`\lambda` = ``level``: a flat face keeps its height colour but for a slight
    dimming (so the colour legend still reads), slopes facing the light are brighter, slopes
    facing away darker.
    """
    ell = np.asarray(light, float)
    ell = ell / np.linalg.norm(ell)
    lit = ambient + (1 - ambient) * np.clip(np.asarray(normals, float) @ ell, 0.0, None)
    return level * lit / (ambient + (1 - ambient) * max(ell[2], 0.0))


def shaded_color(color, factor: float) -> ManimColor:
    """``color`` darkened toward black (factor < 1) or lightened toward white (factor > 1)."""
    color = ManimColor(color)
    if factor <= 1:
        return color.interpolate(ManimColor("#000000"), float(np.clip(1 - factor, 0, 1)))
    return color.interpolate(ManimColor("#FFFFFF"), float(np.clip(0.6 * (factor - 1), 0, 0.35)))


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
    """The mesh of a :class:`SurfaceView`, faces coloured by their mean display height and lit.

    ``u_values``/``v_values`` are the (non-uniform) mesh lines; :meth:`height_field`
    interpolates the drawn mesh's scene height, for occlusion tests.

    ``style``: ``"height"`` (faces in their height colour, seams hidden), ``"checkerboard"``
    (the same colours, every other face darker, so the mesh cells read as a grid) or
    ``"wireframe"`` (no fill: the mesh lines alone, in their height colour).

    ``shading`` (default on): each face's colour is lit from ``LIGHT_SOURCE`` (a direction)
    once, here (:meth:`bake_shading`), so slopes read as 3D at no cost per frame; a scene
    showing it turns the camera's own shading off (``camera.should_apply_shading = False``,
    see :func:`scenes.stage.lit_by_mesh`), which would otherwise shade it twice. The mesh is
    the terrain's top only: no walls down its sides.
    """

    STYLES = ("height", "checkerboard", "wireframe")

    def __init__(self, view: SurfaceView, theme: Theme, resolution: int | None = None, opacity: float = 1.0,
                 stroke_width: float | None = None, triangles: bool = False, style: str = "height", shading: bool = True,
                 eye=None, center=(0.0, 0.0, 0.0), zoom: float = 1.0, **kwargs):
        if style not in self.STYLES:
            raise ValueError(f"invalid style {style!r}; accepted: {', '.join(self.STYLES)}")
        if stroke_width is None:
            stroke_width = seam_width()
        self.view = view
        self.triangles = triangles
        n = resolution or screen_resolution(view, zoom, eye, center)
        self.u_values, self.v_values = mesh_lines(view, n, eye=eye, center=center)
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
            face.base_color = ManimColor(color)  # before lighting: bake_shading starts from it
            face.set_fill(color, opacity=opacity)
            face.set_stroke(color, width=stroke_width, opacity=opacity)  # same colour: hides seams
        self.style = style
        self.shading_baked = False
        if shading and style != "wireframe":
            self.bake_shading()

    def face_normals(self) -> np.ndarray:
        """Unit upward normal of each face (scene coordinates), from its corners' vertices."""
        v = self._vertices
        out = []
        for face in self.list_of_faces:
            p = [v[c] for c in face.corners]
            # A quad's normal from its diagonals; a triangle's from two edges.
            n = np.cross(p[2] - p[0], p[3] - p[1]) if len(p) == 4 else np.cross(p[1] - p[0], p[2] - p[0])
            n = n / max(np.linalg.norm(n), 1e-12)
            out.append(n if n[2] >= 0 else -n)
        return np.array(out)

    def bake_shading(self, light_source=None) -> "LossSurface":
        """Light each face once: its height colour times :func:`shade_factors` of its normal.

        ThreeDCamera would shade every ``shade_in_3d`` face on every frame (a quarter of the
        cost of a frame while the camera moves); the light is fixed in the scene, so the
        result never changes and is folded into the colours instead. Idempotent (it starts
        from the unlit colours each time). Set the scene's ``camera.should_apply_shading =
        False`` (:func:`scenes.stage.lit_by_mesh`).
        """
        light = LIGHT_SOURCE if light_source is None else light_source
        self.shading_baked = False
        for face, factor in zip(self.list_of_faces, shade_factors(self.face_normals(), light)):
            if hasattr(face, "base_color"):
                face.lit_color = shaded_color(face.base_color, float(factor))
                self._paint(face, face.lit_color)
                self.shading_baked = True
        return self

    def shade_undersides(self, eye) -> "LossSurface":
        """Faces that ``eye`` sees from below (a mesh edge curling up toward the camera shows
        its underside) darker, as the inside of a cut; the others as lit. Redo after a move."""
        centers = np.array([np.mean([self._vertices[c] for c in f.corners], axis=0) for f in self.list_of_faces])
        below = np.einsum("ij,ij->i", self.face_normals(), np.asarray(eye, float)[None, :] - centers) < 0
        for face, under in zip(self.list_of_faces, below):
            if hasattr(face, "lit_color"):
                self._paint(face, shaded_color(face.lit_color, UNDERSIDE) if under else face.lit_color)
        self.undersides = below
        return self

    @staticmethod
    def _paint(face, color) -> None:
        face.set_fill(color)
        if face.get_stroke_width() > 0:
            face.set_stroke(color)

    def _get_u_values_and_v_values(self):
        return self.u_values, self.v_values

    def _setup_in_uv_space(self):
        """One quad per mesh cell, or with ``triangles`` two triangles split along the diagonal
        whose ends differ least in height (a data-dependent triangulation, which follows a
        narrow valley crossing cells diagonally, at twice the faces; quads look cleaner for
        the same cost).
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
        return bilinear_height(self.scene_grid, x, y)


def floor_frame(view: SurfaceView, theme: Theme) -> VGroup:
    """The floor's outline, with the parameter names at the middle of two sides."""
    (x0, x1), (y0, y1) = view.surface.domain
    corners = view.floor_points([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])
    outline = Polygon(*corners, stroke_color=theme.muted, stroke_width=CONTOUR_WIDTH, fill_opacity=0)
    return VGroup(outline)


TICK_GAP = 0.4  # scene units between the colour legend's tick labels, at least (type at the floor)


def color_legend(heights: HeightMap, theme: Theme, height: float = 3.0, width: float = 0.25,
                 ticks: int = 4) -> VGroup:
    """A vertical colour bar for the mesh, labelled in loss values, with what it shows.

    For a log scale the ticks are decades of :math:`f - f^*` and the caption says
    "log scale", so that no one reads the heights as linear.
    """
    bar, frame = ramp_bar(theme, height, width)
    if heights.is_log:
        marks = [("0", 0.0)]
        for e in range(0, int(np.floor(heights.h_max)) + 1):
            # h = log10(1 + d): tick where d = 10**e - 1 is awkward; tick at d = 10**e instead.
            h = np.log10(1 + 10.0**e)
            if h <= heights.h_max:
                marks.append(("10^{%d}" % e if e > 1 else ("10" if e == 1 else "1"), h / heights.h_max))
    else:
        marks = [(f"{value:g}", value / heights.h_max) for value in _legend_ticks(heights.h_max, ticks)]
    labels, last = VGroup(), None
    for tex, t in sorted(marks, key=lambda m: m[1]):
        if last is None or (t - last) * height >= TICK_GAP:  # (from the bottom: a label too close is left out)
            labels.add(_tick(tex, t, height, width, theme))
            last = t
    caption_text = r"f - f^*" if abs(heights.f_min) > 1e-12 else "f"
    caption = math(caption_text, theme, FONT_LABEL)
    caption.next_to(frame, UP, buff=0.2)
    group = VGroup(bar, frame, labels, caption)
    if heights.is_log:
        note = text("log scale", theme, FONT_SMALL, color=theme.muted)
        note.next_to(frame, DOWN, buff=0.2)
        group.add(note)
    group.bar, group.frame, group.labels, group.caption = bar, frame, labels, caption
    return group


def _tick(tex, t, height, width, theme):
    y = (t - 0.5) * height
    tick = Line(RIGHT * width / 2, RIGHT * (width / 2 + 0.12), stroke_color=theme.muted, stroke_width=1.5).shift(y * UP)
    label = math(tex, theme, FONT_SMALL, color=theme.muted).next_to(tick, RIGHT, buff=0.08)
    return VGroup(tick, label)


def surface_formula(surface, theme: Theme, width: float):
    r"""The surface's formula, :math:`f(x, y) = \dots` as SymPy prints it, at the largest type size
    (body, label, small) at which it fits ``width`` scene units with every glyph at the type floor
    (a script of a script, as in :math:`e^{-x^2}`, needs the body size); ``None`` when none fits."""
    names = ", ".join(surface.variable_names)
    for size in (FONT_BODY, FONT_LABEL, FONT_SMALL):
        formula = math((f"f({names}) =", surface.latex), theme, size)
        if formula.width <= width and glyph_px(formula) >= GLYPH_FLOOR_PX - 0.25:
            return formula
    return None


def _legend_ticks(top: float, n: int) -> list[float]:
    return list(_nice_ticks(0.0, top, n))


__all__ = ["SurfaceView", "LossSurface", "shade_factors", "shaded_color", "LIGHT_SOURCE", "mesh_lines", "screen_resolution", "chord_px", "nearness", "seam_width", "floor_frame", "color_legend",
           "surface_formula"]
