r"""Scene 1: one optimizer descends Rosenbrock's valley, in 3D, then on the contour map.

Render: ``manim -ql scenes/parts/descent.py RosenbrockDescent`` (``GDX_THEME=light`` for
projectors, ``GDX_CONFIG=my.toml`` to change surface, optimizer, start, steps).

Beats: the surface and its formula while the camera settles; the update rule; the
descent (ball on the surface, loss curve, readout, the rule with the numbers of the
current step); the camera rises until the surface flattens into its contour floor, where
the whole path is seen; the end point with its numbers. Every number is from one
``mathcore.run``. The camera is still while the ball moves: a moving camera repaints
every mesh face each frame.

Why the floor comes last: Cairo paints in order, without a depth test. Under a surface
seen from the side, the floor's contours and path are hidden for the most part, and
whatever moves is painted on top of the (static) mesh. Seen from straight above, with
the mesh faded, nothing hides the floor.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from manim import DEGREES, DOWN, LEFT, RIGHT, UP, VGroup, Write
from scenes.animations import FadeIn, FadeOut

import mathcore
from mathcore import display_name
from scenes.animations import StepSwitch, StepTracker, descend, drive, drive_part, release
from scenes.common import ThemedThreeDScene, place_view
from scenes.config import DescentConfig, load_or_exit
from scenes.mobjects import (
    title,
    LossPlot, LossSurface, Marker, Readout, SurfaceView, Trail, clip_to_box, color_legend, contour_labels,
    contour_lines, diverged_mark, flat, floor_frame, format_sig, legend, math, minimum_mark, panel, rule_tex,
    start_mark, substituted_rule_tex, text, visible,
)
from scenes.mobjects.occlusion import eye_position
from scenes.mobjects.surface import surface_formula
from scenes.mobjects.text import format_plain, tagged
from scenes.stage import MeshFade, lit_by_mesh
from scenes.story import count
from scenes.theme import FONT_BODY, FONT_LABEL, FONT_SMALL, MARGIN, frame_box

# The run's outcomes, in the order of the ``conclude`` captions in assets/narration/descent.toml.
OUTCOMES = ("global", "local", "short", "diverged", "left")
OUTCOME_WORDS = {"global": "ends at the lowest minimum", "local": "stops in a local minimum",
                 "short": "has not reached a minimum yet", "diverged": "diverges", "left": "leaves the plotted domain"}

# Screen layout (manim units; the frame is 14.2 x 8, the safe area 0.5 inside it).
SURFACE_SCREEN = (-0.95, -0.15)  # where the middle of the mesh appears in 3D (clear of the formula)
FLOOR_SCREEN_TOP = (-1.9, -0.2)  # where the floor's middle appears seen from above
RIGHT_X = 4.6  # middle of the right-hand column
LEGEND_Y = 0.2  # middle of the colour legend, at the left edge (above the rule's strip)


@dataclass
class DescentData:
    """Everything the scene shows, computed once from the config."""

    cfg: DescentConfig

    @cached_property
    def surface(self):
        return mathcore.get_surface(self.cfg.surface, domain=self.cfg.domain or None)

    @cached_property
    def optimizer(self):
        return mathcore.make_optimizer(self.cfg.optimizer, lr=self.cfg.lr, **self.cfg.hp)

    @cached_property
    def trajectory(self):
        return mathcore.run(self.surface, self.optimizer, self.cfg.start, self.cfg.steps)

    @cached_property
    def shown(self):
        """The run's points up to where it leaves the plotted domain, and where it left (or None)."""
        (x0, x1), (y0, y1) = self.surface.domain
        return clip_to_box(self.trajectory.points, (x0, x1, y0, y1))

    @property
    def last(self) -> int:
        """Index of the last point on screen (the last step, unless the run left the domain)."""
        return len(self.shown[0]) - 1

    @property
    def left_domain(self) -> bool:
        return self.shown[1] is not None

    @property
    def reached_minimum(self):
        """The minimum (``describe``'s :class:`~mathcore.CriticalPoint`) the run ended at, to the
        3 digits shown, or None."""
        end = self.trajectory.points[self.last]
        ended = None if self.left_domain else self.trajectory.ended_in
        if ended is not None and np.all(np.abs(end - np.asarray(ended.point)) <= 5e-3 * np.maximum(1.0, np.abs(ended.point))):
            return ended
        return None

    def outcome(self) -> str:
        """What the run did, judged against the surface's facts: ``left``, ``diverged``,
        ``global``, ``local`` (ended at a minimum that is not the lowest) or ``short``."""
        if self.left_domain:
            return "diverged" if self.trajectory.status == "diverged" else "left"
        reached = self.reached_minimum
        if reached is None:
            return "short"
        return "global" if reached.is_global else "local"


class RosenbrockDescent(ThemedThreeDScene):
    """One optimizer on a 2-D surface: 3D mesh, a slow camera move, loss curve, contour view.

    Defaults (``[descent]`` in ``$GDX_CONFIG``): momentum with :math:`\\eta = 0.001`,
    :math:`\\mu = 0.9` on Rosenbrock from (-1.5, 2), 1900 steps, ending at (1.00, 1.00).
    """

    config_table = "descent"

    BEATS = ("intro", "show_rule", "run_descent", "view_from_above", "conclude")

    def construct(self):
        self.cfg = load_or_exit(self.config_table)
        self.data = DescentData(self.cfg)
        self.build()
        self.intro()
        self.show_rule()
        self.run_descent()
        self.view_from_above()
        self.conclude()

    # ------------------------------------------------------------------ building

    def build(self):
        d, theme, cfg = self.data, self.theme, self.cfg
        surface, traj = d.surface, d.trajectory
        self.phi, self.theta = cfg.camera_phi * DEGREES, cfg.camera_theta * DEGREES
        self.view = view = SurfaceView.for_surface(surface, side=4.4, z_length=1.7, floor_gap=0.6, lift=0.05)
        (x0, x1), (y0, y1) = surface.domain
        middle = view.axes.c2p((x0 + x1) / 2, (y0 + y1) / 2, view.heights.h_max * 0.5)
        place_view(view, middle, SURFACE_SCREEN, self.phi, self.theta)
        self.eye = eye_position(self.phi, self.theta, 20.0)
        # Lit once, in the face colours (and the camera's shading turned off, in intro()): a
        # moving camera paints ~4x more frames per second. No side walls; faces seen from
        # below (an edge curling toward the camera) are drawn as the inside of a cut.
        self.mesh = LossSurface(view, theme, resolution=cfg.mesh_resolution or None, eye=self.eye).shade_undersides(self.eye)

        pts = d.shown[0]
        top_loss = view.heights.inverse(view.heights.h_max)
        losses = np.minimum(np.where(np.isfinite(traj.losses[: len(pts)]), traj.losses[: len(pts)], top_loss), top_loss)
        self.color = theme.optimizer_color(traj.label or d.optimizer.name)
        lifted = view.lifted_points(pts, losses, self.mesh)
        seen = visible(lifted, self.eye, self.mesh)
        self.trail3d = Trail(lifted, self.color, visible=seen, step=0, outline=theme.background)
        self.ball3d = Marker(lifted, self.color, theme, visible=seen, radius=0.085)
        self.start3d = start_mark(lifted[0], theme, label=None, radius=0.11)

        # Overlays (fixed in the frame).
        heading = cfg.title or (f"Descending the {surface.title} valley" if surface.name == "rosenbrock"
                                else "Descending your function" if surface.name == "custom"
                                else f"Descending: {surface.title or surface.name}")
        self.title = title(heading, theme)
        self.title.to_corner(UP + LEFT, buff=MARGIN)
        self.legend = color_legend(view.heights, theme, height=2.2)
        self.legend.to_edge(LEFT, buff=MARGIN).set_y(LEGEND_Y)

        # How far above the lowest value the run is, f - f*, on a log axis (true on any surface).
        # The right-hand column, top to bottom inside the safe area: the optimizer (its name, then
        # its settings), the plot, the readout.
        right = frame_box()[1]
        name, settings = self._optimizer_caption()
        self.key = VGroup(legend([(name, self.color)], theme, FONT_SMALL),
                          math(settings, theme, FONT_SMALL, color=theme.muted)).arrange(DOWN, aligned_edge=LEFT, buff=0.15)
        self.plot = LossPlot([(traj.gap[: d.last + 1], self.color)], theme, x_max=max(d.last, 1), log=True, width=3.6,
                             height=1.8, step=0, y_label=r"f - f^*")
        self.plot.next_to([right, frame_box()[3], 0], DOWN + LEFT, buff=0).shift(DOWN * (self.key.height + 0.2))
        self.key.align_to(self.plot, LEFT).align_to([0, frame_box()[3], 0], UP)
        self.key.shift(LEFT * max(self.key.get_right()[0] - right, 0))
        # The formula under the title, as large as the room left of the plot allows (or left out:
        # then the surface is named by the title alone).
        room = min(self.key.get_left()[0], self.plot.get_left()[0]) - 0.3 - frame_box()[0]
        self.formula = surface_formula(surface, theme, room)
        if self.formula is not None:
            tagged(self.formula.next_to(self.title, DOWN, buff=0.25, aligned_edge=LEFT), "heading")
        rows = [(name, traj.points[: d.last + 1, i]) for i, name in enumerate(surface.variable_names)]
        rows += [("f", traj.losses[: d.last + 1]), (r"\|\nabla f\|", traj.grad_norms[: d.last + 1])]
        self.readout = Readout(rows, theme, font_size=FONT_SMALL)
        # Left-aligned under the plot's axes: numbers in powers of ten grow to the right.
        self.readout.next_to(self.plot, DOWN, buff=0.25).align_to(self.plot.axes, LEFT)

        self.rule = rule_tex(d.optimizer, theme, font_size=FONT_BODY)
        self.rule_label = text("update rule, one step", theme, FONT_SMALL, color=theme.muted)
        VGroup(self.rule_label, self.rule).arrange(DOWN, buff=0.3).move_to([RIGHT_X, -1.2, 0])

        # The rule with the numbers of a step, refreshed a few times (each held >= 2 s).
        # In the bottom strip, from the left edge to the readout: a step whose numbers are too
        # long for it (powers of ten near the end) is left out, the one before stays up longer.
        room = self.readout.get_left()[0] - 0.3 - frame_box()[0]
        variants = []
        for k in self._rule_steps():
            tex = substituted_rule_tex(traj, k, theme, font_size=FONT_SMALL)
            if tex.width > room and variants:
                continue
            if tex.width > room:  # (not even the first fits: scaled to the strip)
                tex.scale_to_fit_width(room)
            tex.to_corner(DOWN + LEFT, buff=MARGIN)
            # One path per version (not one per glyph): the switch is redrawn every frame.
            variants.append((k, flat(tex, merge=True)))
        self.fix(*[v for _, v in variants])
        self.rule_switch = StepSwitch(variants)
        self.tracker = StepTracker(0)

    def _optimizer_caption(self) -> tuple[str, str]:
        """The optimizer's name and its settings ('eta = 0.001, mu = 0.9') in LaTeX, from its own
        hyperparameters."""
        opt = self.data.optimizer
        parts = [rf"\eta = {self.data.trajectory.lrs[0]:g}"]
        for key, symbol in (("momentum", r"\mu"), ("alpha", r"\alpha"), ("rho", r"\rho")):
            value = opt.hyperparams.get(key)
            if value and not isinstance(value, bool):
                parts.append(rf"{symbol} = {value:g}")
        sep = r",\ "
        return rf"\textsf{{{display_name(opt.name)}}}", sep.join(parts)

    def _rule_steps(self) -> list[int]:
        """Steps whose numbers the rule shows: the first two, then spread out over the run.

        The descent is paced (see ``descend``), so equal shares of steps do not take equal
        time; the spread is geometric so that each version stays on screen for seconds.
        """
        last = self.data.last
        if last < 2:
            return [0]
        marks = {0, 1} | {int(k) for k in np.geomspace(8, max(last - 1, 9), 4)}
        return sorted(k for k in marks if k < last)

    # ------------------------------------------------------------------ beats

    def intro(self):
        """Title, formula and the surface, while the camera swings slowly into place."""
        self.begin_beat("intro")
        lit_by_mesh(self)  # the lighting is baked into the mesh (see build)
        self.set_camera_orientation(phi=self.phi, theta=self.theta - 20 * DEGREES)
        formula = [self.formula] if self.formula is not None else []
        self.fix(self.title, *formula, self.legend)
        # One camera move, with everything that arrives during it: every frame of a move
        # repaints the whole mesh, so moves are few and short, and the mesh's fade is short.
        # The mesh fades by colour, never by opacity (a half-transparent mesh flashes its seams).
        self.move_camera_in_two(1.2, 2.3, [MeshFade(self.mesh, self.theme.background), Write(self.title)],
                                [*(Write(f) for f in formula), FadeIn(self.legend)], theta=self.theta)
        self.show_caption(self.say(1 if self.view.heights.is_log else 0))
        self.wait(2.0)

    def show_caption(self, words, run_time=0.6):
        self.play(*self.captions.show(words, run_time), run_time=run_time)

    def show_rule(self):
        """The start, and the update rule, symbolic, held before the numbers start."""
        d = self.data
        start = d.trajectory.points[0]
        self.add(self.trail3d)
        self.face_camera(self.ball3d)
        self.play(FadeIn(self.ball3d, scale=0.5), FadeIn(self.start3d), run_time=0.8)
        self.begin_beat("show_rule", start=f"({start[0]:g}, {start[1]:g})", optimizer=display_name(d.optimizer.name))
        self.show_caption(self.say())
        self.fix(self.rule, self.rule_label)
        self.play(FadeIn(self.rule_label), Write(self.rule), run_time=1.5)
        self.wait(2.5)
        self.fix(self.plot, self.key, self.readout)
        self.play(FadeOut(self.rule), FadeOut(self.rule_label), *self.captions.show(None), run_time=0.5)
        self.play(FadeIn(self.plot), FadeIn(self.key), FadeIn(self.readout), run_time=0.8)

    def run_descent(self):
        """Every driven mobject follows one step index; the camera is still."""
        d = self.data
        self.begin_beat("run_descent", steps=d.last)
        self.play(FadeIn(self.rule_switch), run_time=0.5)
        # Only what changes is repainted each frame: the updaters sit on the changing parts,
        # which go to the front of the scene; the plot's axes, the readout's labels, the
        # mesh and the overlays stay in the image painted once per play.
        drive(self.tracker, self.trail3d, self.ball3d, self.rule_switch)
        parts = (drive_part(self.tracker, self.plot, self.plot.curves),
                 drive_part(self.tracker, self.plot, self.plot.dots),
                 drive_part(self.tracker, self.readout, self.readout.numbers))
        self.keep_fixed(self.readout.numbers)
        self.add(self.rule_switch, *parts, self.trail3d, self.ball3d, self.tracker)
        self.wait(2.0)  # the numbers of step 0, before anything moves
        self.play(descend(self.tracker, d.last, self.cfg.descent_seconds, self.trail3d.vertices, path_weight=0.6))
        release(self.trail3d, self.ball3d, self.rule_switch, *parts)
        self.wait(1.0)

    def view_from_above(self):
        """The camera rises to look straight down while the mesh dissolves into its floor."""
        theme, view, d = self.theme, self.view, self.data
        self.begin_beat("view_from_above")
        pts = d.shown[0]
        floor_center = view.floor_points([[np.mean(r) for r in d.surface.domain]])[0]
        # Straight above, the rotation is the identity and the perspective factor d / (d - z).
        factor = 20.0 / (20.0 - floor_center[2])
        delta = np.array([*FLOOR_SCREEN_TOP, 0.0]) / factor - np.array([*floor_center[:2], 0.0])
        levels = view.heights.nice_levels(8)
        lines = VGroup(floor_frame(view, theme), contour_lines(d.surface, view.floor_points, levels, theme,
                                                                view.heights))
        trail = Trail(view.floor_points(pts), self.color, step=d.last)
        lines.set_stroke(opacity=0)
        trail.set_stroke(opacity=0)
        self.add(lines, trail)
        # The readout goes too: the caption comes under the map, and conclude sums the run up.
        self.play(FadeOut(self.rule_switch), FadeOut(self.legend), FadeOut(self.readout), run_time=0.6)
        first, second = 1.3, 2.2
        share = first / (first + second)
        self.move_camera_in_two(
            first, second,
            [MeshFade(self.mesh, theme.background, out=True), FadeOut(self.trail3d), FadeOut(self.ball3d), FadeOut(self.start3d),
             lines.animate.shift(share * delta).set_stroke(opacity=0.45),
             trail.animate.shift(share * delta).set_stroke(opacity=0.5),
             *self.captions.show(self.say())],
            lambda: [lines.animate.shift((1 - share) * delta).set_stroke(opacity=0.9),
                     trail.animate.shift((1 - share) * delta).set_stroke(opacity=1)],
            phi=0, theta=-90 * DEGREES)
        view.axes.shift(delta)
        self.levels, self.floor_lines, self.floor_trail = levels, lines, trail

    def conclude(self):
        """Contour levels, the known minimum, the run's end, and its numbers."""
        theme, d, traj, view = self.theme, self.data, self.data.trajectory, self.view
        k = d.last
        facts = d.surface.facts
        outcome = d.outcome()
        self.begin_beat("conclude", outcome=OUTCOME_WORDS[outcome], steps=k, f_end=format_plain(traj.losses[k]),
                        f_star=format_plain(facts.f_min), exit_step=int(traj.n_steps),
                        minima=count(len(facts.minima), "minimum", "minima"))
        floor = view.floor_points(d.shown[0])
        (x0, x1), (y0, y1) = d.surface.domain
        a, b = view.floor_points([(x0, y0), (x1, y1)])
        box = (a[0] + 0.3, b[0] - 0.3, a[1] + 0.25, b[1] - 0.25)
        labels = contour_labels(self.floor_lines[1], view.floor_points, theme, avoid=floor, bounds=box,
                                which=range(0, len(self.levels), 2))
        names = d.surface.variable_names
        axis_names = VGroup(math(names[0], theme, FONT_LABEL, color=theme.muted).next_to([(a[0] + b[0]) / 2, a[1], 0], DOWN, 0.15),
                            math(names[1], theme, FONT_LABEL, color=theme.muted).next_to([a[0], (a[1] + b[1]) / 2, 0], LEFT, 0.15))
        ball = Marker(floor, self.color, theme, step=d.last)
        marks = VGroup(start_mark(floor[0], theme, label="start", direction=UP))
        reached = d.reached_minimum
        shown = [m for m in facts.minima if m.is_global or m == reached]
        labelled = reached or (facts.global_minima[0] if facts.global_minima else None)
        for m in shown:
            # A star on every global minimum (hollow on a local one the run reached), labelled on
            # the one the run reached (or the first); drawn after the ball, so that it stays in view.
            p = m.point
            label = f"({p[0]:.3g}, {p[1]:.3g})" if m == labelled else None
            marks.add(minimum_mark(view.floor_points([p])[0], theme, label=label, direction=DOWN + 0.6 * RIGHT,
                                   local=not m.is_global))
        self.play(FadeIn(labels), FadeIn(axis_names), FadeIn(ball), FadeIn(marks), run_time=1.0)

        lines = [rf"\text{{after {k} steps:}}",
                 rf"{names[0]} = {format_sig(traj.points[k][0])},\ \ {names[1]} = {format_sig(traj.points[k][1])}",
                 rf"f = {format_sig(traj.losses[k])}"]
        self.summary = VGroup(*[math(line, theme, FONT_BODY) for line in lines]).arrange(DOWN, aligned_edge=LEFT,
                                                                                         buff=0.22)
        self.summary.next_to(self.plot, DOWN, buff=0.4).set_x(RIGHT_X - 0.1)
        self.summary.shift(LEFT * max(self.summary.get_right()[0] + 0.2 - frame_box()[1], 0))  # (the card's rim too)
        card = panel(self.summary, theme)
        self.fix(card, self.summary)
        extra = []
        if d.left_domain:
            extra = [FadeIn(diverged_mark(floor[-1], floor[-1] - floor[-2], theme, step=int(traj.n_steps)))]
        self.play(FadeIn(card), FadeIn(self.summary), *extra,
                  *self.captions.show(self.say(OUTCOMES.index(outcome))), run_time=1.0)
        self.wait(4.0)


__all__ = ["RosenbrockDescent", "DescentData"]


