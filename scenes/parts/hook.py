"""Chapter 1, the hook: a blindfolded climber in the fog feels the slope and steps downhill.

A walker stands on a mountain profile hidden in fog; only the ground under their feet is
visible. Each step is gradient descent on the profile, computed by ``mathcore.run``: the
walker feels the slope (the derivative), steps a distance ``lr * |slope|`` downhill, and the
steps shrink as the ground flattens. The fog lifts on the valley; then the same rule runs on
a two-variable landscape in 3D.

The explainer's cut (``scenes.explainer.CUTS``, about 29 s instead of 47) keeps every beat, at
its pace, and sets options: one step worked out slowly instead of two, starting from the slope
felt in ``feel_slope``; the shrinking steps without the readout (its numbers would change faster
than they can be read); no second turn of the 3D camera after the walk (it still settles into
its pose as the landscape arrives).

Render alone::

    manim -ql scenes/parts/hook.py HookChapter
"""

from __future__ import annotations

import numpy as np
from manim import (
    DEGREES, DOWN, LEFT, ORIGIN, RIGHT, UP, UR, Arrow, Axes, Circle, Create, Dot, Line, ThreeDScene, Transform, ValueTracker, VGroup, always_redraw, rate_functions,
)
from scenes.animations import FadeIn, FadeOut
from scenes.part import Part

import mathcore
from scenes.chapter import Chapter, closed_levels, sig, g3, load_narration
from scenes.mobjects.contours import contour_lines
from scenes.mobjects.text import format_sig
from scenes.mobjects.occlusion import eye_of, eye_position, visible
from scenes.mobjects.paths import Marker, Trail
from scenes.mobjects.surface import LossSurface, SurfaceView
from scenes.stage import MeshFade, lit_by_mesh, orbit, replace_in_scene, snapshot
from scenes.theme import CONTOUR_WIDTH, FONT_LABEL, FONT_SMALL, MARGIN

CHAPTER = "hook"

# The 1D mountain profile, its walk, and the 3D landscape (one formula each, parsed by mathcore).
PROFILE_FORMULA = "(x - 2)**2/8"
PROFILE_DOMAIN = (-4.5, 6.5)
PROFILE_START = -3.5
PROFILE_LR = 1.2
PROFILE_STEPS = 10
DETAILED_STEPS = 2  # the first steps are shown slowly, with the arithmetic


LANDSCAPE_FORMULA = "(x**2 + y**2)/8 - 1.5*exp(-((x - 1)**2 + (y - 0.5)**2)/2) + 1.2*exp(-((x + 0.6)**2 + (y + 0.4)**2))"
LANDSCAPE_DOMAIN = ((-3.0, 3.0), (-3.0, 3.0))
LANDSCAPE_START = (-2.6, -2.6)
LANDSCAPE_LR = 0.5
LANDSCAPE_STEPS = 40
LANDSCAPE_ZOOM = 0.9
SETTLE_FROM = (64.0, -36.0)  # (phi, theta) in degrees where the camera starts its settle to (58, -50)

BEATS = (
    "enter_fog",
    "feel_slope",
    "first_steps",
    "shrinking_steps",
    "lift_fog",
    "landscape_3d",
    "outro",
)
NARRATION = load_narration(CHAPTER)


def profile_surface() -> mathcore.Surface:
    """The mountain profile as a one-variable mathcore Surface."""
    expr = mathcore.parse_formula(PROFILE_FORMULA, ("x",))
    variables = tuple(sorted(expr.free_symbols, key=str))
    return mathcore.Surface("mountain-profile", expr, variables, (PROFILE_DOMAIN,), "Mountain profile")


def profile_walk() -> mathcore.Trajectory:
    return mathcore.run(profile_surface(), "gd", [PROFILE_START], PROFILE_STEPS, PROFILE_LR)


def landscape_surface() -> mathcore.Surface:
    return mathcore.get_surface(LANDSCAPE_FORMULA, domain=LANDSCAPE_DOMAIN)


def landscape_walk() -> mathcore.Trajectory:
    return mathcore.run(landscape_surface(), "gd", list(LANDSCAPE_START), LANDSCAPE_STEPS, LANDSCAPE_LR)


def make_walker(color, accent, height: float = 0.95) -> VGroup:
    """A stick figure with a blindfold; its feet are at the bottom centre."""
    head_r = 0.13 * height / 0.95
    s = height / 0.95
    hip = np.array([0, 0.42 * s, 0])
    neck = np.array([0, 0.72 * s, 0])
    head = Circle(radius=head_r, color=color, stroke_width=3).move_to(neck + UP * head_r * 1.05)
    body = Line(hip, neck, color=color, stroke_width=3)
    legs = VGroup(Line(hip, [-0.14 * s, 0, 0], color=color, stroke_width=3),
                  Line(hip, [0.14 * s, 0, 0], color=color, stroke_width=3))
    arms = VGroup(Line(neck + DOWN * 0.06 * s, [-0.2 * s, 0.45 * s, 0], color=color, stroke_width=3),
                  Line(neck + DOWN * 0.06 * s, [0.2 * s, 0.45 * s, 0], color=color, stroke_width=3))
    blindfold = Line(head.get_center() + LEFT * head_r * 1.25 + UP * 0.02,
                     head.get_center() + RIGHT * head_r * 1.25 + UP * 0.02,
                     color=accent, stroke_width=5)
    knot = Line(blindfold.get_start(), blindfold.get_start() + 0.1 * s * (LEFT + DOWN * 0.6),
                color=accent, stroke_width=3)
    return VGroup(legs, body, arms, head, blindfold, knot)



def factor_for(lr: float, value: float, shown_product: str) -> str:
    """``value`` with as few significant digits (3 to 6) as make ``lr`` times it round to
    ``shown_product``: a product of rounded numbers must come out as the number shown
    (1.2 × 1.379 = 1.65, not 1.2 × 1.38 = 1.65)."""
    for digits in range(3, 7):
        shown = format_sig(value, digits)
        if format_sig(lr * float(shown)) == shown_product:
            return shown
    return format_sig(value, 6)

class Hook(Chapter):
    """The beats of this chapter (needs a ``ThreeDScene`` for the last beat)."""

    name = CHAPTER
    BEATS = BEATS

    def __init__(self, scene, theme=None, sections=False):
        super().__init__(scene, theme, sections)
        self.state(lr=g3(PROFILE_LR))
        self.detailed_steps = self.option("detailed_steps", DETAILED_STEPS)
        self.profile = profile = profile_surface()
        # A plain closure, not a bound method: manim deep-copies the functions a plot keeps.
        self.h = lambda x: float(profile.f(np.array([x])))
        self.walk = profile_walk()
        self.landscape = landscape_surface()
        self.landscape_path = landscape_walk()
        self.shown_numbers: list[dict] = []  # what each step's readout showed (for tests)
        self.felt_tangent = None  # the tangent of feel_slope, when the first step starts from it
        self.readout_left = None  # scene x of the readouts' left edge, fixed in feel_slope

    # ------------------------------------------------------------------ helpers
    def ground(self, x: float):
        return self.axes.c2p(x, self.h(x))

    def _fog_window(self):
        """The ground near the walker, bright in the middle and fading into the fog."""
        x0 = self.x_tracker.get_value()
        half, n = 1.3, 10
        edges = np.linspace(x0 - half, x0 + half, 2 * n + 1)
        pieces = VGroup()
        for a, b in zip(edges[:-1], edges[1:]):
            a, b = max(a, PROFILE_DOMAIN[0]), min(b, PROFILE_DOMAIN[1])
            if b <= a:
                continue
            mid = abs((a + b) / 2 - x0) / half
            pieces.add(self.axes.plot(self.h, x_range=[a, b, (b - a) / 4], color=self.theme.foreground,
                                      stroke_width=5, stroke_opacity=float(np.clip(1.15 - mid**1.5, 0, 1))))
        return pieces

    def _tangent(self, x: float, length: float = 1.6) -> Line:
        """The slope the walker feels: a short tangent segment at their feet."""
        slope = float(self.profile.grad(np.array([x]))[0])
        p = np.array(self.ground(x))
        d = np.array(self.axes.c2p(1, slope)) - np.array(self.axes.c2p(0, 0))
        d = d / np.linalg.norm(d)
        return Line(p - d * length / 2, p + d * length / 2, color=self.theme.highlight, stroke_width=5)

    def _readout(self, k: int, record: bool = True) -> VGroup:
        """Slope and step of step ``k``, from the trajectory, its left edge at ``readout_left``."""
        slope = float(self.walk.grads[k][0])
        step = float(self.walk.step_sizes[k])
        s_slope, s_lr, s_step = sig(slope), f"{PROFILE_LR:g}", sig(step)
        if record:
            self.shown_numbers.append({"k": k, "slope": s_slope, "lr": s_lr, "step": s_step})
        row1 = VGroup(self.text("slope", FONT_LABEL, self.theme.highlight),
                      self.tex(s_slope, font_size=FONT_LABEL + 4)).arrange(RIGHT, buff=0.3)
        row2 = VGroup(self.text("step", FONT_LABEL),
                      self.tex(r"=", s_lr, r"\times", factor_for(PROFILE_LR, abs(slope), s_step), "=", s_step,
                               font_size=FONT_LABEL + 4)
                      ).arrange(RIGHT, buff=0.3)
        row2[1][5].set_color(self.theme.good)
        group = VGroup(row1, row2).arrange(DOWN, aligned_edge=LEFT, buff=0.25)
        # A fixed left edge, so the labels do not jump when the numbers change width.
        group.to_corner(UR, buff=MARGIN + 0.1)
        if self.readout_left is not None:
            group.align_to(np.array([self.readout_left, 0, 0]), LEFT)
        return group

    def _step_arrow(self, k: int) -> Arrow:
        """From the walker's feet along the felt slope to the next x (the step's length)."""
        x0, x1 = float(self.walk.points[k][0]), float(self.walk.points[k + 1][0])
        slope = float(self.walk.grads[k][0])
        below = DOWN * 0.28  # under the ground line, clear of the walker's legs
        start = np.array(self.ground(x0)) + below
        end = np.array(self.axes.c2p(x1, self.h(x0) + slope * (x1 - x0))) + below
        return Arrow(start, end, buff=0, color=self.theme.good, stroke_width=5,
                     max_tip_length_to_length_ratio=0.35, tip_length=0.2)

    def _take_step(self, k: int, detailed: bool) -> None:
        tangent = self._tangent(float(self.walk.points[k][0]))
        arrow = self._step_arrow(k)
        x1 = float(self.walk.points[k + 1][0])
        if detailed and k == 0 and self.felt_tangent is not None:
            # The slope felt in ``feel_slope`` is still shown, and so is step 0's readout.
            tangent, self.felt_tangent = self.felt_tangent, None
            self._readout(k)  # records step 0's numbers: the readout on screen shows them
            self.play(Create(arrow), run_time=0.6)
            self.play(self.x_tracker.animate.set_value(x1), FadeOut(tangent), FadeOut(arrow), run_time=1.0)
        elif detailed:
            readout = self._readout(k)
            self.play(Create(tangent), Transform(self.readout, readout), run_time=0.9)
            self.wait(0.6)
            self.play(Create(arrow), run_time=0.7)
            self.play(self.x_tracker.animate.set_value(x1), FadeOut(tangent), FadeOut(arrow),
                      run_time=1.2)
        elif self.readout is None:
            # Brisk: the slope and the step as lines only (the readout left before these steps).
            self.play(FadeIn(tangent), FadeIn(arrow), run_time=0.25)
            self.play(self.x_tracker.animate.set_value(x1), FadeOut(tangent), FadeOut(arrow),
                      run_time=0.4)
        else:
            readout = self._readout(k)
            self.play(FadeIn(tangent), FadeIn(arrow), Transform(self.readout, readout), run_time=0.5)
            self.play(self.x_tracker.animate.set_value(x1), FadeOut(tangent), FadeOut(arrow),
                      run_time=0.7)
        self.footprints.add(Dot(self.ground(x1), radius=0.04, color=self.theme.muted))
        self.scene.add(self.footprints)

    # ------------------------------------------------------------------ beats
    def enter_fog(self):
        t = self.theme
        (lo, hi) = PROFILE_DOMAIN
        self.axes = Axes(x_range=[lo, hi, 1], y_range=[0, 5.5, 1], x_length=12.2, y_length=4.6,
                         tips=False, axis_config={"stroke_opacity": 0}).shift(UP * 0.1)
        self.axes.x_axis.set_opacity(0)
        self.axes.y_axis.set_opacity(0)
        self.full_curve = self.axes.plot(self.h, x_range=[lo, hi, 0.05], color=t.foreground,
                                         stroke_width=4, stroke_opacity=0.06)
        self.x_tracker = ValueTracker(float(self.walk.points[0][0]))
        self.fog_window = always_redraw(lambda: self._fog_window())  # a lambda: deepcopy keeps it by reference
        self.walker = make_walker(t.foreground, t.highlight)
        self.walker.add_updater(lambda m: m.move_to(self.ground(self.x_tracker.get_value()), aligned_edge=DOWN))
        self.walker.update()
        self.footprints = VGroup(Dot(self.ground(self.x_tracker.get_value()), radius=0.04, color=t.muted))
        self.say(0)
        self.play(FadeIn(self.full_curve), FadeIn(self.fog_window), FadeIn(self.walker, shift=DOWN * 0.2),
                  run_time=1.5)
        self.scene.add(self.footprints)
        self.wait(1.5)

    def feel_slope(self):
        self.say(0)
        x0 = float(self.walk.points[0][0])
        tangent = self._tangent(x0)
        # One left edge for all the readouts, the widest one inside the margin: the labels stay put.
        self.readout_left = None
        self.readout_left = min(self._readout(k, record=False).get_left()[0] for k in range(self.walk.n_steps))
        self.readout = self._readout(0, record=False)
        self.fix(self.readout)
        self.play(Create(tangent), FadeIn(self.readout[0]), run_time=1.0)
        self.wait(1.0)
        self.say(1)
        self.play(FadeIn(self.readout[1]), run_time=0.8)
        self.wait(1.2)
        if self.option("first_step_from_felt_slope", False):
            # The first step starts from this tangent and this readout (step 0's numbers).
            self.felt_tangent = tangent
        else:
            self.play(FadeOut(tangent), run_time=0.4)

    def first_steps(self):
        for k in range(self.detailed_steps):
            self._take_step(k, detailed=True)

    def shrinking_steps(self):
        if not self.option("readout_while_shrinking", True):
            # The readout's numbers would change faster than they can be read: it leaves.
            self.play(FadeOut(self.readout), run_time=0.3)
            self.unfix(self.readout)
            self.scene.remove(self.readout)
            self.readout = None
        self.say(0)
        for k in range(self.detailed_steps, self.walk.n_steps):
            self._take_step(k, detailed=False)
        self.wait(0.8)

    def lift_fog(self):
        t = self.theme
        self.say(0)
        x_min = float(self.profile.minima[0][0]) if self.profile.minima else float(self.walk.points[-1][0])
        mark = Dot(self.ground(x_min), radius=0.08, color=t.good)
        label = self.text("valley floor", FONT_SMALL, t.good).next_to(self.walker, UP, buff=0.2)
        readout = [FadeOut(self.readout)] if self.readout is not None else []
        self.play(self.full_curve.animate.set_stroke(opacity=1.0), *readout, run_time=1.8)
        self.play(FadeIn(mark, scale=0.5), FadeIn(label), run_time=0.8)
        self.wait(1.6)
        self.walker.clear_updaters()
        leaving = [self.full_curve, self.fog_window, self.walker, self.footprints, mark, label]
        self.say(None)
        self.play(*(FadeOut(m) for m in leaving), run_time=0.8)
        self.scene.remove(*leaving)
        self.scene.remove(self.fog_window)

    def landscape_3d(self):
        t = self.theme
        scene = self.scene
        surf = self.landscape
        view = SurfaceView.for_surface(surf, side=6.0, z_length=2.0, floor_gap=0.6)
        # Only levels whose contours close inside the domain (no stray arcs at the edges).
        floor_levels = closed_levels(surf, view.heights.nice_levels(9))
        center = view.axes.c2p(0, 0, 0) * np.array([1, 1, 0]) + np.array([0, 0, -0.3])
        focal = scene.renderer.camera.get_focal_distance()
        # The camera settles into its pose while the landscape arrives (a short orbit, before
        # anything moves on it); with ``turn_camera`` it turns again after the walk.
        start, end = {"phi": SETTLE_FROM[0] * DEGREES, "theta": SETTLE_FROM[1] * DEGREES}, {"phi": 58 * DEGREES,
                                                                                              "theta": -50 * DEGREES}
        scene.set_camera_orientation(**start, zoom=LANDSCAPE_ZOOM, frame_center=center)
        # What the mesh hides from the camera, from where it settles and (when it turns) where it
        # ends: hidden floor lines are left out, hidden parts of the paths drawn faint.
        # The path moves only in the end pose (and the turn's); the floor is on screen throughout.
        eyes = [eye_position(end["phi"], end["theta"], focal, center)]
        if self.option("turn_camera", True):
            eyes.append(eye_position(58 * DEGREES, -70 * DEGREES, focal, center))
        middle = {key: (start[key] + end[key]) / 2 for key in end}
        floor_eyes = eyes + [eye_of(scene.renderer.camera), eye_position(middle["phi"], middle["theta"], focal, center)]
        # lit, solid, no side walls; as fine as it is large on screen where the walk is seen
        mesh = LossSurface(view, t, eye=eyes[0], center=center, zoom=LANDSCAPE_ZOOM).shade_undersides(eyes[0])
        lit_by_mesh(scene)

        def seen(points, eyes=eyes):
            return np.logical_and.reduce([visible(points, eye, mesh) for eye in eyes])

        floor = contour_lines(surf, view.floor_points, floor_levels, t, heights=view.heights,
                              stroke_width=CONTOUR_WIDTH, opacity=0.7, keep=lambda p: seen(p, floor_eyes))
        pts, losses = self.landscape_path.points, self.landscape_path.losses
        color = t.optimizer_color("gd")
        lifted, below = view.lifted_points(pts, losses, mesh), view.floor_points(pts)
        trail = Trail(lifted, color, visible=seen(lifted), step=0)
        shadow = Trail(below, color, width=2.5, visible=seen(below), hidden_opacity=0.0, step=0)
        marker = Marker(lifted, color, t, visible=seen(lifted))
        self.view3d, self.mesh3d, self.trail3d, self.marker3d = view, mesh, trail, marker
        self.orbit = (start, end)
        self.say(0)
        scene.renderer.camera.add_fixed_orientation_mobjects(marker)  # faces the camera; not shown until its fade
        # The mesh fades by colour (MeshFade), never by opacity: a half-transparent mesh
        # flashes its seams as a wireframe. The plays are the beat's old ones, same lengths.
        orbit(scene, (1.5, 0.5, 0.8), [[FadeIn(floor), MeshFade(mesh, t.background)],
                                      [FadeIn(marker, scale=0.5)], ()], **end)
        scene.add(shadow, trail, marker)  # after the mesh: a path on it is drawn over it
        progress = ValueTracker(0)
        n = len(pts) - 1
        for m in (trail, shadow, marker):
            m.add_updater(lambda m: m.set_step(progress.get_value()))
        scene.play(progress.animate.set_value(n), run_time=6, rate_func=rate_functions.ease_out_sine)
        for m in (trail, shadow, marker):
            m.clear_updaters()
        self.say(1)
        if not self.option("turn_camera", True):
            scene.wait(2.0)  # the camera stays: the line is read over a still picture
        else:
            scene.move_camera(theta=-70 * DEGREES, run_time=3, rate_func=rate_functions.ease_in_out_sine)
            scene.wait(1.0)

    def outro(self):
        mesh = getattr(self, "mesh3d", None)
        if mesh is not None and mesh in self.scene.mobjects:
            # The still mesh leaves as its image: an image fades evenly, a mesh by opacity
            # would flash its seams as a wireframe.
            replace_in_scene(self.scene, mesh, snapshot(self.scene, mesh))
        self.clear(run_time=0.8)
        if self.is_3d:
            self.scene.set_camera_orientation(phi=0, theta=-90 * DEGREES, zoom=1, frame_center=ORIGIN)


class HookChapter(Part, ThreeDScene):
    """The opening on its own: the blindfolded climber, then a 3D landscape.

    With ``cut_plan`` set on the instance (the explainer does), the explainer's cut.
    """

    def construct(self):
        self.chapter = Hook.play_on(self, sections=True)
