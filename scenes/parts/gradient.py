r"""Chapter 3, partial derivatives and the gradient.

A two-variable surface from mathcore (the elliptic bowl :math:`x^2 + 2y^2`) is sliced
along x and along y through one point; each slice is a one-variable curve whose slope is a
partial derivative, written as SymPy derives it (``surface.partial_latex``). The two
partials form the gradient (``surface.gradient_latex``). The camera then looks straight
down on the contour map: the gradient field (``surface.grad`` on a grid) is perpendicular
to the contours and points uphill, the direction of steepest ascent; its opposite is the
way down. Last, the chain rule on a composite function, every derivative from SymPy.

The explainer's cut (``scenes.explainer.CUTS``, about 28 s instead of 47.5) keeps the slices,
the gradient and the steepest ascent at one point with shorter holds; the field of
arrows and the chain rule are left to the chapter rendered alone.

Render alone::

    manim -ql scenes/parts/gradient.py GradientChapter
"""

from __future__ import annotations


import numpy as np
import sympy as sp
from manim import (
    DEGREES, DOWN, LEFT, ORIGIN, RIGHT, UP, Arrow, Create, Dot, Dot3D, GrowArrow, Line, Polygon, RoundedRectangle, ThreeDScene, VGroup, VMobject, Write, rate_functions,
)
from scenes.animations import FadeIn, FadeOut
from scenes.part import Part

import mathcore
from mathcore.symbolic import chain_rule
from scenes.chapter import Chapter, closed_levels, sig, g3, load_narration
from scenes.mobjects import tagged
from scenes.mobjects.contours import contour_lines, floor_contours
from scenes.mobjects.occlusion import eye_position
from scenes.mobjects.surface import LossSurface, SurfaceView
from scenes.stage import MeshFade, lit_by_mesh, orbit
from scenes.theme import CONTOUR_WIDTH, FONT_BODY, FONT_LABEL, MARGIN

CHAPTER = "gradient"
SURFACE = "x**2 + 2*y**2"
DOMAIN = ((-2.0, 2.0), (-2.0, 2.0))  # the plotting window
POINT = (1.0, 0.8)  # where the slices cross
MAP_LEVELS = (0.25, 0.75, 1.5, 2.5, 3.5)  # contour levels (loss values) on the floor
FIELD_N = 7  # gradient arrows per side
PHI, THETA = 58 * DEGREES, -58 * DEGREES
SETTLE = (6.0, 14.0)  # degrees of phi and theta the camera settles through as the surface arrives
PANEL_LEFT = 1.5  # scene x of the formula column's left edge
ZOOM_3D, CENTER_Z = 1.0, 0.45  # 3D view: zoom and the height the camera looks at
SHIFT_3D = -2.6  # scene units the 3D content sits right (negative: left) of the centre on screen
ZOOM_TOP, MAP_X, MAP_Y = 1.05, -2.9, 0.45  # top view: zoom, and where the map's centre is (scene x, before zoom)

BEATS = (
    "show_surface",
    "slice_x",
    "slice_y",
    "gradient_vector",
    "look_from_above",
    "gradient_field",
    "steepest_ascent",
    "chain_rule",
    "outro",
)
NARRATION = load_narration(CHAPTER)


# --------------------------------------------------------------------------- the chain rule (SymPy)

def chain_rule_example() -> dict[str, str]:
    r"""LaTeX of the chain-rule example :math:`h(x) = \sin(x^2)`, every derivative from
    :func:`mathcore.symbolic.chain_rule` (keys ``h``, ``inner``, ``outer``, ``d_outer``, ``d_inner``,
    ``product``, ``dh``)."""
    x, u = sp.Symbol("x", real=True), sp.Symbol("u", real=True)
    return {key: sp.latex(e) for key, e in chain_rule(sp.sin(u), x**2, u, x).items()}


def gradient_surface() -> mathcore.Surface:
    """The chapter's surface, with its plotting window (nothing recomputed)."""
    return mathcore.get_surface(SURFACE, domain=DOMAIN)


class Gradient(Chapter):
    """The beats of this chapter (needs a ``ThreeDScene``)."""

    name = CHAPTER
    BEATS = BEATS

    def __init__(self, scene, theme=None, sections=False):
        super().__init__(scene, theme, sections)
        self.field = None  # the gradient field's arrows, once gradient_field has played
        self.surface = gradient_surface()
        self.point = np.array(POINT, float)
        self.state(x0=g3(POINT[0]), y0=g3(POINT[1]))
        self.grad_at_point = self.surface.grad(self.point)
        self.shown: dict[str, str] = {}
        self.formulas: dict[str, object] = {}
        self.chain = chain_rule_example()
        t = self.theme
        self.color_x, self.color_y = t.color("partial_x"), t.color("partial_y")

    # ------------------------------------------------------------------ helpers
    def fx(self, x, y) -> float:
        return float(self.surface.f(np.array([x, y], float)))

    def on_surface(self, xy, lift: float = 0.0):
        xy = np.atleast_2d(np.asarray(xy, float))
        return self.view.points(xy, self.surface.f(xy.T), lift=lift)

    def right_vector(self, theta):
        """Scene direction that points right on screen for camera angle ``theta``."""
        return np.array([-np.sin(theta), np.cos(theta), 0.0])

    def slice_group(self, axis: int, color) -> VGroup:
        """The vertical plane through the point along ``axis``, the curve it cuts, and the tangent."""
        t = self.theme
        (x0, x1), (y0, y1) = DOMAIN
        px, py = self.point
        lo, hi = DOMAIN[axis]
        s = np.linspace(lo, hi, 60)
        xy = np.column_stack([s, np.full_like(s, py)]) if axis == 0 else np.column_stack([np.full_like(s, px), s])
        cut = self.on_surface(xy, lift=0.05)
        curve = VMobject(stroke_color=color, stroke_width=5).set_points_smoothly(cut)
        top = float(self.view.heights.inverse(0.95 * self.view.heights.h_max))
        ends = [(lo, py), (hi, py)] if axis == 0 else [(px, lo), (px, hi)]
        high = self.view.points(ends, [top, top])
        # The plane above the cut only: below it the plane is inside the surface, and Cairo (no
        # depth buffer) would draw its outline through the mesh.
        plane = Polygon(*cut, high[1], high[0], stroke_color=color, stroke_width=1.5,
                        stroke_opacity=0.6, fill_color=color, fill_opacity=0.12)
        slope = float(self.grad_at_point[axis])
        a = 0.7
        direction = np.eye(2)[axis]
        f0 = self.fx(*self.point)
        tangent_xy = [self.point - a * direction, self.point + a * direction]
        tangent = Line(*self.view.points(tangent_xy, [f0 - a * slope, f0 + a * slope], lift=0.06),
                       color=t.gradient, stroke_width=5)
        return VGroup(plane, curve, tangent)

    def overlay(self, *parts, font_size=FONT_BODY, color=None):
        return self.tex(*parts, font_size=font_size, color=color)

    # ------------------------------------------------------------------ beats
    def show_surface(self):
        t = self.theme
        scene = self.scene
        self.view = view = SurfaceView.for_surface(self.surface, side=4.4, z_length=1.5, floor_gap=0.5)
        # The camera's frame centre must stay on the z axis (manim shifts fixed-in-frame overlays
        # by its x and y): move the content instead, left on screen, to make room for formulas.
        view.axes.shift(-view.axes.c2p(0, 0, 0) + SHIFT_3D * self.right_vector(THETA))
        (x0, x1), (y0, y1) = DOMAIN
        corners = view.floor_points([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])
        self.floor = Polygon(*corners, stroke_color=t.faint, stroke_width=1.5, fill_opacity=0)
        # The camera settles into its pose (PHI, THETA) while the surface arrives.
        center = np.array([0, 0, CENTER_Z])
        start = {"phi": PHI + SETTLE[0] * DEGREES, "theta": THETA + SETTLE[1] * DEGREES}
        self.orbit = (start, {"phi": PHI, "theta": THETA})
        scene.set_camera_orientation(**start, zoom=ZOOM_3D, frame_center=center)
        focal = scene.renderer.camera.get_focal_distance()
        eyes = [eye_position(PHI + f * SETTLE[0] * DEGREES, THETA + f * SETTLE[1] * DEGREES, focal, center)
                for f in (0.0, 0.5, 1.0)]
        # lit and solid, no side walls; as fine as it is large on screen in the pose it settles in
        self.mesh = LossSurface(view, t, eye=eyes[0], center=center, zoom=ZOOM_3D).shade_undersides(eyes[0])
        lit_by_mesh(scene)
        # The floor lines the mesh hides from this camera (anywhere on its settle) come in only
        # when the mesh goes.
        self.floor_seen, self.floor_hidden = floor_contours(
            self.surface, view, closed_levels(self.surface, MAP_LEVELS), t, self.mesh, eyes,
            stroke_width=CONTOUR_WIDTH, opacity=0.8)
        self.contours = VGroup(self.floor_seen, self.floor_hidden)
        self.formula_f = self.overlay(r"f(x, y) = ", self.surface.latex, font_size=FONT_BODY + 4)
        self.formula_f.to_edge(UP, buff=MARGIN).align_to(np.array([PANEL_LEFT, 0, 0]), LEFT)
        self.formulas["f"] = self.formula_f
        self.fix(self.formula_f)
        self.say(0)
        # The mesh fades by colour, never by opacity (a half-transparent mesh flashes its seams).
        orbit(scene, (1.5, 1.2), [[FadeIn(self.floor_seen), MeshFade(self.mesh, t.background)],
                                  [Write(self.formula_f)]], phi=PHI, theta=THETA)
        self.dot = Dot3D(self.on_surface(self.point, lift=0.06)[0], radius=0.07, color=t.foreground)
        scene.play(FadeIn(self.dot), run_time=0.5)
        self.wait(1.0)

    def _partial(self, axis: int, color):
        t = self.theme
        var = self.surface.variable_names[axis]
        group = self.slice_group(axis, color)
        formula = self.overlay(r"\frac{\partial f}{\partial " + var + "} = ", self.surface.partial_latex[axis],
                               font_size=FONT_BODY)
        value = sig(self.grad_at_point[axis])
        at = self.overlay(r"= " + value + r"\ \text{at}\ (" + g3(self.point[0]) + ", " + g3(self.point[1]) + ")",
                          font_size=FONT_LABEL, color=t.muted)
        formula[1].set_color(color)
        self.shown[f"partial_{var}"] = value
        self.formulas[f"partial_{var}"] = formula
        return group, formula, at

    def slice_x(self):
        group, formula, at = self._partial(0, self.color_x)
        formula.next_to(self.formula_f, DOWN, buff=0.5).align_to(self.formula_f, LEFT)
        at.next_to(formula, RIGHT, buff=0.2)  # (one line each: the column stays clear of the captions)
        self.fix(formula, at)
        self.say(0, y0=g3(self.point[1]))
        self._show_slice([FadeIn(group[0])], group, formula, at)
        self.slice_x_group, self.partial_x = group, VGroup(formula, at)

    def _show_slice(self, plane_in, group, formula, at):
        """The plane (``plane_in``: its animations), the curve it cuts, the tangent with the
        partial derivative, its value."""
        scene = self.scene
        scene.play(*plane_in, run_time=0.6)
        scene.play(Create(group[1]), run_time=1.0)
        scene.play(Create(group[2]), Write(formula), run_time=1.2)
        scene.play(FadeIn(at), run_time=0.4)
        self.wait(1.8)

    def slice_y(self):
        group, formula, at = self._partial(1, self.color_y)
        formula.next_to(self.partial_x, DOWN, buff=0.35).align_to(self.formula_f, LEFT)
        at.next_to(formula, RIGHT, buff=0.2)
        self.fix(formula, at)
        self.say(0, x0=g3(self.point[0]))
        self._show_slice([FadeOut(self.slice_x_group[0]), FadeIn(group[0])], group, formula, at)
        self.slice_y_group, self.partial_y = group, VGroup(formula, at)

    def gradient_vector(self):
        t = self.theme
        scene = self.scene
        grad = self.overlay(r"\nabla f = ", self.surface.gradient_latex, font_size=FONT_BODY)
        g = self.grad_at_point
        value = self.overlay(r"= \left[\begin{matrix}" + sig(g[0]) + r"\\" + sig(g[1]) + r"\end{matrix}\right]",
                             font_size=FONT_BODY, color=t.gradient)
        row = VGroup(grad, value).arrange(RIGHT, buff=0.2)
        row.next_to(self.partial_y, DOWN, buff=0.5).align_to(self.formula_f, LEFT)
        self.formulas["gradient"] = grad
        self.shown["gradient"] = f"({sig(g[0])}, {sig(g[1])})"
        self.fix(row)
        self.say(0)
        scene.play(Write(grad), run_time=1.2)
        scene.play(FadeIn(value), run_time=0.6)
        self.wait(2.0)
        self.gradient_row = row

    def look_from_above(self):
        scene = self.scene
        # The overlays leave; then the camera turns to look straight down while the surface
        # flattens onto its floor, and the flat surface gives way to the full contour map.
        fixed = [self.partial_x, self.partial_y, self.gradient_row]
        self.say(0)
        scene.play(FadeOut(self.slice_x_group[1:]), FadeOut(self.slice_y_group), FadeOut(self.dot),
                   *(FadeOut(m) for m in fixed), run_time=1.0)
        for m in fixed:
            self.unfix(m)
        scene.remove(self.slice_x_group, self.slice_y_group, self.dot, *fixed)
        # From above, world x is screen right: slide the map to the left half while the camera turns.
        floor_center = np.array(self.view.floor_points([(0.0, 0.0)])[0])
        delta = np.array([MAP_X, MAP_Y, 0.0]) - floor_center * np.array([1, 1, 0])
        self.view.axes.shift(delta)
        self.floor_hidden.shift(delta)  # not on screen yet: it comes in where the flat surface was
        floor_point = floor_center + delta
        # Flattened and seen from above, no face is seen from below any more: all in their lit colours.
        self.mesh.shade_undersides([0.0, 0.0, 1e3])
        scene.move_camera(phi=0, theta=-90 * DEGREES, zoom=ZOOM_TOP, frame_center=np.array([0, 0, floor_center[2]]),
                          run_time=2.5, rate_func=rate_functions.ease_in_out_sine,
                          added_anims=[self.floor_seen.animate.shift(delta),
                                       self.mesh.animate.shift(delta).stretch(0.02, 2, about_point=floor_point)])
        self.floor.shift(delta)
        self.scene.play(MeshFade(self.mesh, self.theme.background, out=True), FadeIn(self.floor_hidden),
                        FadeIn(self.floor), run_time=0.5)
        scene.remove(self.mesh)
        self.wait(0.3)

    def floor_arrow(self, xy, vector, scale, color, width=4, tip=0.16):
        start = self.view.floor_points([xy])[0]
        end = self.view.floor_points([np.asarray(xy) + scale * np.asarray(vector)])[0]
        return Arrow(start, end, buff=0, color=color, stroke_width=width, tip_length=tip,
                     max_tip_length_to_length_ratio=0.4, max_stroke_width_to_length_ratio=12)

    def gradient_field(self):
        t = self.theme
        scene = self.scene
        (x0, x1), (y0, y1) = DOMAIN
        xs = np.linspace(x0, x1, FIELD_N + 2)[1:-1]
        grid = np.array(np.meshgrid(xs, xs, indexing="ij")).reshape(2, -1)
        grads = self.surface.grad(grid)
        norms = np.linalg.norm(grads, axis=0)
        spacing = xs[1] - xs[0]
        self.field_scale = 0.8 * spacing / norms.max()  # the longest arrow spans 80% of a cell
        arrows = VGroup(*(self.floor_arrow(p - 0.5 * self.field_scale * g, g, self.field_scale, t.muted, width=3)
                          for p, g, n in zip(grid.T, grads.T, norms) if n > 1e-9))
        self.field = arrows
        (x0, x1), (y0, y1) = DOMAIN
        names = self.surface.variable_names
        xl = self.overlay(names[0], font_size=FONT_LABEL, color=t.muted).next_to(
            self.view.floor_points([(x1, y0)])[0], DOWN + LEFT, buff=0.1)
        yl = self.overlay(names[1], font_size=FONT_LABEL, color=t.muted).next_to(
            self.view.floor_points([(x0, y1)])[0], DOWN + LEFT, buff=0.1)
        self.axis_names = VGroup(xl, yl)
        self.say(0)
        scene.play(FadeIn(self.axis_names), *(GrowArrow(a) for a in arrows), run_time=2.0)
        self.wait(2.0)

    def steepest_ascent(self):
        t = self.theme
        scene = self.scene
        g = self.grad_at_point
        p = self.point
        descent = t.gradient  # -grad f: the gradient's colour, as grad f
        length = 0.75  # parameter units; the map is about 1.5 scene units per parameter unit
        unit = g / np.linalg.norm(g)
        dot = Dot(self.view.floor_points([p])[0], radius=0.07, color=t.foreground)
        ascent = t.gradient
        up = tagged(self.floor_arrow(p, unit, length, ascent, width=6, tip=0.2), "gradient")
        down = tagged(self.floor_arrow(p, -unit, length, descent, width=6, tip=0.2), "gradient")
        # The contour through the point, and a right-angle mark between it and the gradient.
        level = contour_lines(self.surface, self.view.floor_points, [self.fx(*p)], t, color_by_level=False,
                              stroke_width=2.5, opacity=0.9)
        level.set_stroke(t.foreground)
        a, b = self.view.floor_points([p])[0], self.view.floor_points([p + 0.01 * unit])[0]
        d = (b - a) / np.linalg.norm(b - a)
        n = np.array([-d[1], d[0], 0.0])
        size = 0.17
        corner = VMobject(stroke_color=t.foreground, stroke_width=2).set_points_as_corners(
            [a + size * d, a + size * (d + n), a + size * n])
        rows = VGroup(
            VGroup(self.overlay(r"\nabla f", color=ascent), self.text("steepest ascent", FONT_LABEL, ascent)
                   ).arrange(RIGHT, buff=0.3),
            VGroup(self.overlay(r"-\nabla f", color=descent), self.text("steepest descent", FONT_LABEL, descent)
                   ).arrange(RIGHT, buff=0.3),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.4)
        rows.next_to(self.formula_f, DOWN, buff=0.8).align_to(self.formula_f, LEFT)
        self.fix(rows)
        self.say(0)
        dim = [self.field.animate.set_opacity(0.3)] if self.field is not None else []  # the cut has no field
        scene.play(*dim, FadeIn(dot), Create(level), run_time=0.8)
        scene.play(GrowArrow(up), FadeIn(rows[0]), run_time=1.0)
        scene.play(Create(corner), run_time=0.5)
        self.wait(1.2)
        self.say(1)
        # One colour for the gradient and its negative: the way up dims as the way down comes in.
        scene.play(GrowArrow(down), FadeIn(rows[1]), up.animate.set_opacity(0.35), rows[0].animate.set_opacity(0.5),
                   run_time=1.0)
        self.wait(1.8)

    def chain_rule(self):
        t = self.theme
        scene = self.scene
        self.clear(run_time=0.7)
        scene.set_camera_orientation(phi=0, theta=-90 * DEGREES, zoom=1, frame_center=ORIGIN)
        c = self.chain
        inner_color, outer_color = t.color("inner"), t.color("outer")
        # x -> [u = x^2] -> u -> [sin u] -> h: a two-box chain with its derivatives on the links.
        box_in = self._box(r"u = " + c["inner"], inner_color)
        box_out = self._box(r"h = " + c["outer"], outer_color)
        xs = self.tex("x", font_size=FONT_BODY + 4)
        hs = self.tex("h", font_size=FONT_BODY + 4)
        chain = VGroup(xs, box_in, box_out, hs).arrange(RIGHT, buff=1.1).move_to(UP * 3.0)
        links = VGroup(*(Arrow(a.get_right(), b.get_left(), buff=0.15, color=t.muted, stroke_width=3,
                               max_tip_length_to_length_ratio=0.25)
                         for a, b in zip(chain[:-1], chain[1:])))
        d_in = self.tex(r"\frac{du}{dx} = ", c["d_inner"], font_size=FONT_LABEL, color=inner_color)
        d_out = self.tex(r"\frac{dh}{du} = ", c["d_outer"], font_size=FONT_LABEL, color=outer_color)
        d_in.next_to(box_in, DOWN, buff=0.3)
        d_out.next_to(box_out, DOWN, buff=0.3)
        title = self.tex(r"h(x) = ", c["h"], font_size=FONT_BODY + 4)
        title.next_to(VGroup(d_in, d_out), DOWN, buff=0.45).set_x(0)
        rule = self.tex(r"\frac{dh}{dx} = \frac{dh}{du}\cdot\frac{du}{dx}", r"= ", c["d_outer"], r"\cdot",
                        c["d_inner"], font_size=FONT_BODY + 4)
        rule[2].set_color(outer_color)
        rule[4].set_color(inner_color)
        result = self.tex(r"= ", c["dh"], font_size=FONT_BODY + 4, color=t.highlight)
        rule.next_to(title, DOWN, buff=0.45)
        result.next_to(rule, DOWN, buff=0.3).align_to(rule[1], LEFT)
        self.formulas.update(chain_h=title, chain_rule=rule, chain_result=result, chain_d_inner=d_in,
                             chain_d_outer=d_out)
        self.say(0)
        scene.play(FadeIn(xs), FadeIn(box_in), FadeIn(box_out), FadeIn(hs), *(GrowArrow(a) for a in links),
                   run_time=1.0)
        scene.play(Write(d_in), Write(d_out), run_time=1.0)
        scene.play(Write(title), run_time=0.8)
        scene.play(Write(rule[0]), run_time=1.0)
        scene.play(FadeIn(rule[1:]), run_time=0.8)
        self.wait(1.0)
        scene.play(Write(result), run_time=0.9)
        self.wait(2.0)

    def _box(self, latex, color):
        tex = self.tex(latex, font_size=FONT_BODY, color=color)
        box = RoundedRectangle(width=tex.width + 0.5, height=tex.height + 0.4, corner_radius=0.12,
                               stroke_color=color, stroke_width=2.5, fill_color=self.theme.panel, fill_opacity=1)
        return VGroup(box, tex.move_to(box))

    def outro(self):
        self.clear(run_time=0.8)
        self.scene.set_camera_orientation(phi=0, theta=-90 * DEGREES, zoom=1, frame_center=ORIGIN)


class GradientChapter(Part, ThreeDScene):
    """The gradient on its own: slices, partial derivatives, the gradient field, the chain rule.

    With ``cut_plan`` set on the instance (the explainer does), the explainer's cut.
    """

    def construct(self):
        self.chapter = Gradient.play_on(self, sections=True)
