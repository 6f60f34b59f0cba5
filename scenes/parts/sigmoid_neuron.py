r"""Scene 2: one sigmoid neuron fitted to two points, by guessing, then by gradient descent.

Render: ``manim -ql scenes/parts/sigmoid_neuron.py SigmoidNeuron``.

Left, the data (0.5, 0.2) and (2.5, 0.9) with the curve :math:`\sigma(wx+b)` of the
current :math:`(w, b)`; right, the error :math:`L(w, b)` over :math:`[-6, 6]^2` as a contour
map. First a few guesses, with their errors in a small table; then gradient descent
from (-2, -2) with :math:`\eta = 1`: it crawls across the plateau where the gradient is
tiny, drops into the valley, and ends at :math:`w = 1.79`, :math:`b = -2.28`, where the
curve passes through both points. The loss plot is first shown over the plateau's
steps, then zooms out to the whole run.

The data, the model :math:`\sigma(w x_i + b)` and the loss are mathcore's
``sigmoid-error`` surface; the curve is that model expression, evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import sympy as sp
from manim import (
    DOWN, LEFT, RIGHT, UP, Create, Cross, Dot, Indicate, ReplacementTransform, Transform, VGroup, VMobject, Write,
)
from scenes.animations import FadeIn, FadeOut

import mathcore
from mathcore.symbolic import vectorize
from scenes.animations import StepTracker, advance, drive, release
from scenes.common import ThemedScene
from scenes.config import SigmoidNeuronConfig, load_or_exit
from scenes.mobjects import (
    title,
    LossPlot, MapPanel, Marker, Plot, Readout, Trail, format_sig,
    gradient_arrow, math, start_mark, substituted_rule_tex, text,
)
from scenes.mobjects.text import format_plain as plain
from scenes.theme import FONT_LABEL, FONT_SMALL, MARGIN

# Contour levels of L: geometric in the valley (where the fit is good), even on the plateau.
LEVELS = (0.003, 0.01, 0.03, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6)
MAP_CENTER = (4.2, -0.3)  # low enough for the formula of L, one line at the type floor, above it
MAP_SIDE = 3.9
DATA_CENTER = (-3.55, 0.7)  # its upper point's label stays under the formula of L
LOWER_LEFT = (-3.6, -1.75)  # the table, then the loss plot


@dataclass
class NeuronData:
    """The run and the model, from mathcore."""

    cfg: SigmoidNeuronConfig

    @cached_property
    def surface(self):
        return mathcore.get_surface("sigmoid-error")

    @cached_property
    def trajectory(self):
        opt = mathcore.make_optimizer(self.cfg.optimizer, lr=self.cfg.lr, **self.cfg.hp)
        return mathcore.run(self.surface, opt, self.cfg.start, self.cfg.steps)

    @cached_property
    def model_expr(self):
        r""":math:`\sigma(w x_i + b)`: the model inside mathcore's per-example loss."""
        return next(iter(self.surface.example_expr.atoms(mathcore.sigmoid)))

    @cached_property
    def model(self):
        """``model(w, b, xs)`` -> predictions, lambdified from :attr:`model_expr`."""
        fn = vectorize(self.model_expr, self.surface.variables, self.surface.data_symbols)

        def predict(w, b, xs):
            xs = np.asarray(xs, float)
            return fn(np.array([w, b], float)[:, None], xs, np.zeros_like(xs))

        return predict

    def loss(self, w, b) -> float:
        return float(self.surface.f(np.array([w, b], float)))


class SigmoidNeuron(ThemedScene):
    """Guess work, then gradient descent, on the error surface of one sigmoid neuron."""

    config_table = "sigmoid_neuron"

    BEATS = ("show_problem", "guess", "show_gradient", "descend_plateau", "descend_rest", "conclude")

    def construct(self):
        self.cfg = load_or_exit(self.config_table)
        self.data = NeuronData(self.cfg)
        self.build()
        self.show_problem()
        self.guess()
        self.show_gradient()
        self.descend_plateau()
        self.descend_rest()
        self.conclude()

    # ------------------------------------------------------------------ building

    def build(self):
        theme, d = self.theme, self.data
        surface, traj = d.surface, d.trajectory
        self.color = theme.optimizer_color(traj.label or traj.optimizer.name)
        self.title = title("Fitting one sigmoid neuron", theme).to_corner(UP + LEFT, buff=MARGIN)

        # Left: data and model.
        self.data_axes = Plot(theme, (0, 3, 0.5), (0, 1, 0.5), (5.2, 2.2), x_ticks=(0, 1, 2, 3), y_ticks=(0, 0.5, 1),
                              y_fmt=lambda v: f"{v:.1f}").move_to([*DATA_CENTER, 0])
        ax = self.data_axes
        labels = VGroup(math("x", theme, FONT_LABEL, color=theme.muted).next_to(ax.axes.x_axis, RIGHT, buff=0.15),
                        math("y", theme, FONT_LABEL, color=theme.muted).next_to(ax.axes.y_axis, UP, buff=0.1))
        X, Y = surface.data
        self.points = VGroup(*[Dot(ax.c2p(x, y), radius=0.09, color=theme.foreground) for x, y in zip(X, Y)])
        # Labels where the fitted curve leaves room and clear of the axis' numbers and the model's
        # label: above a point in the upper half, below right of one in the lower half.
        self.point_labels = VGroup(*[
            math(f"({x:g}, {y:g})", theme, FONT_SMALL, color=theme.muted).next_to(p, UP if y > 0.5 else DOWN + RIGHT,
                                                                              buff=0.05)
            for (x, y), p in zip(zip(X, Y), self.points)])
        self.data_panel = VGroup(ax, labels)
        self.model_label = math(r"\hat y = " + sp.latex(d.model_expr).replace("x_{i}", "x"), theme, FONT_LABEL,
                                color=self.color)
        self.model_label.next_to(ax.c2p(0.15, 1.0), RIGHT, buff=0.1).shift(0.05 * DOWN)
        self.curve = ModelCurve(d, self.data_axes, self.color).set_wb(0.0, 0.0)

        # Right: the error surface as a contour map.
        (w0, w1), (b0, b1) = surface.domain
        self.map = MapPanel(surface, surface.domain, theme, side=MAP_SIDE, center=(*MAP_CENTER, 0), levels=LEVELS,
                            band_opacity=0.6, line_opacity=0.5,
                            ticks=(np.arange(w0, w1 + 1e-9, 2), np.arange(b0, b1 + 1e-9, 2)))
        m = self.map.frame
        self.to_map = self.map.to_scene
        # One line, wider than the map: right-aligned to the frame, over the map's label b.
        self.map_caption = math(r"L(w, b) = " + surface.latex, theme, FONT_SMALL)
        self.map_caption.next_to(m, UP, buff=0.4).to_edge(RIGHT, buff=MARGIN)

        # Descent, driven by one tracker.
        pts = self.to_map(traj.points)
        self.trail = Trail(pts, self.color, step=0)
        self.trail.set_stroke(self.theme.background, width=8, background=True)
        self.ball = Marker(pts, self.color, theme, radius=0.08)
        self.tracker = StepTracker(0)
        split = self.cfg.plateau_steps
        self.plot_near = LossPlot([(traj.losses, self.color)], theme, x_max=split, width=4.4, height=1.45, y_label="L",
                                  step=0, x_label_side="right")
        self.plot_far = LossPlot([(traj.losses, self.color)], theme, x_max=traj.n_steps, width=4.4, height=1.45,
                                 y_label="L", step=split, x_label_side="right")
        for plot in (self.plot_near, self.plot_far):
            plot.move_to([*LOWER_LEFT, 0])
        rows = [("L", traj.losses), (surface.variable_names[0], traj.points[:, 0]),
                (surface.variable_names[1], traj.points[:, 1])]
        self.readout = Readout(rows, theme, font_size=FONT_LABEL, layout="grid", columns=2, slot=2.5)
        # Above the map, where the formula of L was (the bottom line is for captions).
        # Right-aligned to the frame with its widest numbers (the last step's), then set to step 0.
        self.readout.set_step(traj.n_steps).next_to(m, UP, buff=0.4).to_edge(RIGHT, buff=MARGIN)
        self.readout.set_step(0)

    def _curve(self, w: float, b: float) -> VMobject:
        return ModelCurve(self.data, self.data_axes, self.color).set_wb(w, b)

    # ------------------------------------------------------------------ beats

    def caption(self, index: int = 0, run_time: float = 0.6, **facts):
        """Show the current beat's caption ``index`` (its ``[captions]`` line, filled)."""
        self.play(*self.captions.show(self.say(index, **facts), run_time), run_time=run_time)

    def show_problem(self):
        """The data, the model, and the error it makes."""
        self.begin_beat("show_problem", n_points=len(self.data.surface.data[0]))
        self.play(Write(self.title), FadeIn(self.data_panel), run_time=1.2)
        self.play(FadeIn(self.points, scale=1.5), FadeIn(self.point_labels), run_time=0.8)
        self.caption(0)
        self.play(Write(self.model_label), Create(self.curve), run_time=1.5)
        self.wait(1.5)
        self.play(FadeIn(self.map), Write(self.map_caption), run_time=1.5)
        self.caption(1)
        self.wait(2.0)

    def guess(self):
        """A few hand-picked (w, b): the curve, a cross on the map, a row of the table."""
        theme, d = self.theme, self.data
        header = VGroup(*[math(s, theme, FONT_LABEL, color=theme.muted) for s in ("w", "b", "L")])
        col_x = [LOWER_LEFT[0] - 1.9, LOWER_LEFT[0] - 0.6, LOWER_LEFT[0] + 1.0]
        row_h = 0.42
        top = -1.0
        for mob, x in zip(header, col_x):
            mob.move_to([x, top, 0])
        self.table = VGroup(header)
        losses = [d.loss(w, b) for w, b in self.cfg.guesses]
        self.begin_beat("guess", n_guesses=len(losses), best_loss=plain(min(losses)))
        self.caption(0)
        self.play(FadeIn(header), run_time=0.5)
        crosses = VGroup()
        for i, (w, b) in enumerate(self.cfg.guesses):
            loss = d.loss(w, b)
            row = VGroup(*[math(s, theme, FONT_LABEL) for s in (f"{w:g}", f"{b:g}", format_sig(loss))])
            for mob, x in zip(row, col_x):
                mob.move_to([x, top - (i + 1) * row_h, 0])
            cross = Cross(stroke_color=theme.foreground, stroke_width=4, scale_factor=0.12).move_to(self.map.at((w, b)))
            self.play(Transform(self.curve, self._curve(w, b)), FadeIn(cross, scale=2), FadeIn(row), run_time=1.2)
            self.table.add(row)
            crosses.add(cross)
            self.wait(0.8)
        best = int(np.argmin([d.loss(w, b) for w, b in self.cfg.guesses]))
        self.play(Indicate(self.table[best + 1], color=theme.highlight), run_time=1.0)
        self.caption(1)
        self.wait(1.5)
        self.crosses = crosses

    def show_gradient(self):
        """At the start the gradient exists but is tiny: the error surface is flat there."""
        theme, traj = self.theme, self.data.trajectory
        start = traj.points[0]
        self.begin_beat("show_gradient", start=f"({start[0]:g}, {start[1]:g})", g0=plain(traj.grad_norms[0]))
        self.start = start_mark(self.to_map(start[None])[0], theme, label=None)
        arrow = gradient_arrow(self.to_map, start, traj.grads[0], theme, length=1.0, label=r"-\nabla L")
        rule = substituted_rule_tex(traj, 0, theme, font_size=FONT_SMALL)
        rule.move_to([*LOWER_LEFT, 0])
        rule_label = text("one step of the rule, with numbers", theme, FONT_SMALL, color=theme.muted)
        rule_label.next_to(rule, UP, buff=0.3)
        self.play(FadeOut(self.table), FadeOut(self.crosses), Transform(self.curve, self._curve(*start)),
                  Create(self.start), run_time=1.0)
        self.caption(0)
        self.play(FadeIn(arrow), run_time=0.8)
        self.wait(1.0)
        self.play(FadeIn(rule), FadeIn(rule_label), run_time=0.8)
        self.wait(2.5)
        self.play(FadeOut(rule), FadeOut(rule_label), FadeOut(arrow), run_time=0.6)

    def descend_plateau(self):
        """The first steps: a crawl across the plateau, then the drop."""
        d, split = self.data, self.cfg.plateau_steps
        self.begin_beat("descend_plateau", lr=f"{d.trajectory.lrs[0]:g}", plateau_steps=split)
        self.add(self.trail)
        self.play(FadeIn(self.ball), FadeIn(self.plot_near), FadeOut(self.map_caption), FadeIn(self.readout),
                  *self.captions.show(self.say(0)), run_time=0.8)
        driven = (self.trail, self.ball, self.plot_near, self.readout, self.curve)
        drive(self.tracker, *driven)
        self.add(self.tracker)
        self.play(advance(self.tracker, split, self.cfg.plateau_seconds))
        release(*driven)
        self.caption(1)
        self.wait(1.0)

    def descend_rest(self):
        """Zoom the loss plot out to the whole run and finish it."""
        d = self.data
        self.begin_beat("descend_rest")
        self.play(ReplacementTransform(self.plot_near, self.plot_far), run_time=1.0)
        driven = (self.trail, self.ball, self.plot_far, self.readout, self.curve)
        drive(self.tracker, *driven)
        self.caption(0)
        self.play(advance(self.tracker, d.trajectory.n_steps, self.cfg.rest_seconds))
        release(*driven)

    def conclude(self):
        """Where it ends: the fit through both points, with the run's numbers."""
        theme, traj = self.theme, self.data.trajectory
        w, b = traj.points[-1]
        X, Y = self.data.surface.data
        miss = float(np.max(np.abs(self.data.model(w, b, X) - np.asarray(Y, float))))
        self.begin_beat("conclude", steps=traj.n_steps, w=plain(w), b=plain(b), miss=plain(miss))
        fits = miss <= 0.01  # the curve passes within 0.01 of every point
        self.story.speak(0 if fits else 1)
        # Each point grows on its own spot (Indicate on the group would scale it about its centre,
        # moving the points off their coordinates).
        self.play(*[Indicate(p, color=theme.highlight, scale_factor=1.6) for p in self.points], run_time=1.2)
        self.caption(0 if fits else 1)
        self.wait(4.0)


class ModelCurve(VMobject):
    """The curve of the model for one (w, b), or for the (w, b) of a run's step.

    Keeps only the model function and the run's points (mobjects are deep-copied by
    animations: no surfaces or SymPy expressions inside).
    """

    def __init__(self, data: NeuronData, axes, color, width: float = 5, samples: int = 121):
        super().__init__(stroke_color=color, stroke_width=width, fill_opacity=0)
        self.predict = data.model
        self.run_points = data.trajectory.points
        self.axes = axes
        self.xs = np.linspace(axes.x0, axes.x1, samples)
        self.k = None

    def set_wb(self, w: float, b: float) -> "ModelCurve":
        ys = np.clip(self.predict(w, b, self.xs), 0, 1)
        self.set_points_smoothly(np.asarray(self.axes.c2p(self.xs, ys), float).T)
        return self

    def set_step(self, s: float) -> "ModelCurve":
        k = int(np.floor(s))
        if k != self.k:
            self.k = k
            self.set_wb(*self.run_points[k])
        return self


__all__ = ["SigmoidNeuron", "NeuronData"]
