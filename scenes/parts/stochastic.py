r"""Chapter 5: batch, stochastic and mini-batch gradient descent on a data loss.

The loss is mathcore's ``linear-regression`` :class:`~mathcore.DataLoss`: a line
:math:`y = w x + b` fitted to 32 seeded points, :math:`L = \frac1n \sum_i \ell_i`. At one
point the per-example gradients :math:`\nabla \ell_i` (``example_grads``) pull in different
directions; their average is the batch gradient. Then three real runs of ``mathcore.run``
with the same learning rate and the same number of epochs: full batch (one step per
epoch), stochastic (``batch_size=1``, 32 steps per epoch) and mini-batch (``batch_size=8``),
their paths on the contours and their losses per epoch.

Render alone::

    manim -ql scenes/parts/stochastic.py StochasticChapter

Explainer cut (``scenes.explainer.CUTS``): every beat at its pace, in about 22 s instead of 42,
without the close-up of one example's residual (``example_close_up``).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from manim import (
    DOWN, LEFT, RIGHT, UP, Arrow, Circle, Create, DashedLine, Line, Scene, Transform, VGroup, linear,
)
from scenes.animations import FadeIn, FadeOut
from scenes.part import Part

import mathcore
from scenes.config import StochasticConfig
from scenes.mobjects.plots import ticks_within
from scenes.chapter import NarratedChapter, sig
from scenes.mobjects import MapPanel, Plot, legend, tagged, trace_together
from scenes.mobjects.text import format_plain as plain
from scenes.theme import FONT_LABEL, FONT_SMALL, MARGIN

CHAPTER = "stochastic"


@lru_cache(maxsize=4)
def runs(cfg: StochasticConfig = StochasticConfig()) -> dict:
    """``{"batch", "sgd", "minibatch"}`` -> Trajectory, each ``epochs`` passes over the data."""
    surface = mathcore.get_surface(cfg.surface)
    n = surface.n_examples
    sizes = {"batch": None, "sgd": 1, "minibatch": cfg.batch_size}
    out = {}
    for key, bs in sizes.items():
        steps_per_epoch = 1 if bs is None else -(-n // bs)
        out[key] = mathcore.run(surface, "gd", cfg.start, cfg.epochs * steps_per_epoch, cfg.lr,
                                batch_size=bs, seed=cfg.seed)
    return out


def epochs_axis(trajectory, n_examples: int) -> np.ndarray:
    """Epoch of each point of a run: step k of a batch size B run is k * B / n epochs."""
    bs = trajectory.settings["batch_size"] or n_examples
    return np.arange(len(trajectory.points)) * bs / n_examples


class Stochastic(NarratedChapter):
    name = CHAPTER
    BEATS = ("setup", "example_arrows", "batch", "sgd", "minibatch", "compare")

    def __init__(self, scene, theme=None, sections: bool = False, cfg: StochasticConfig = StochasticConfig()):
        super().__init__(scene, theme, sections)
        self.cfg = cfg
        self.surface = mathcore.get_surface(cfg.surface)
        self.runs = runs(cfg)
        self.colors = {k: self.theme.optimizer_color(t.label) for k, t in self.runs.items()}
        self.names = {"batch": "batch", "sgd": "stochastic", "minibatch": f"mini-batch ({cfg.batch_size})"}
        r = self.runs
        self.state(n=self.surface.n_examples, batch_size=cfg.batch_size, epochs=cfg.epochs,
                   batch_steps=len(r["batch"].points) - 1, f_batch=plain(r["batch"].losses[-1]),
                   f_sgd=plain(r["sgd"].losses[-1]), f_minibatch=plain(r["minibatch"].losses[-1]))

    # ------------------------------------------------------------------ builders
    def data_plot(self) -> Plot:
        plot = Plot(self.theme, (-2.2, 2.2, 1), (-6, 5, 1), (5.0, 4.0), x_ticks=(-2, -1, 0, 1, 2),
                    y_ticks=(-4, -2, 0, 2, 4))
        X, Y = (np.asarray(a) for a in self.surface.data)
        plot.dots = VGroup(*[
            Circle(radius=0.055, stroke_width=0, fill_color=self.theme.foreground, fill_opacity=0.85)
            .move_to(plot.c2p(x, y)) for x, y in zip(X, Y)])
        xl = self.tex("x", font_size=FONT_LABEL).next_to(plot.axes, RIGHT, buff=0.12)
        xl.align_to(plot.axes, DOWN)
        yl = self.tex("y", font_size=FONT_LABEL).next_to(plot.axes, UP, buff=0.1)
        yl.align_to(plot.axes, LEFT)
        plot.add(plot.dots, xl, yl)
        return plot

    def fit_line(self, plot: Plot, w: float, b: float, line: Line | None = None) -> Line:
        """The line y = w x + b inside the data plot's box."""
        x0, x1, y0, y1 = plot.x0, plot.x1, plot.y0, plot.y1
        xs = [x0, x1]
        if abs(w) > 1e-12:
            xs = [max(x0, min((y0 - b) / w, (y1 - b) / w)), min(x1, max((y0 - b) / w, (y1 - b) / w))]
        a, c = plot.c2p(xs[0], w * xs[0] + b), plot.c2p(xs[1], w * xs[1] + b)
        if line is None:
            return Line(a, c, stroke_width=4, color=self.theme.highlight)
        line.put_start_and_end_on(a, c)
        return line

    # ------------------------------------------------------------------ beats
    def setup(self):
        th = self.theme
        self.title = self.make_title("Batch, stochastic, mini-batch")
        # Two lines in the top right corner, over the map (one line would run into the title).
        loss = VGroup(self.tex(r"L(w, b) = \frac{1}{n} \sum_{i=1}^{n} \ell_i,", font_size=FONT_SMALL),
                      self.tex(r"\ell_i = " + self.surface.example_latex, font_size=FONT_SMALL))
        loss.arrange(DOWN, aligned_edge=LEFT, buff=0.15).to_corner(UP + RIGHT, buff=MARGIN)
        self.loss_tex = tagged(loss, "heading")  # (in the title's corner, it stays with it)
        self.plot = self.data_plot()
        self.plot.move_to([-3.55, 0.2, 0])
        self.panel = MapPanel(self.surface, self.cfg.window, th, side=(3.5, 3.5), levels=self.levels(),
                              ticks=(ticks_within(*self.cfg.window[0], (0, 1, 2, 3)),
                                     ticks_within(*self.cfg.window[1], (-2, -1, 0, 1))), names=("w", "b"))
        self.panel.move_to([4.15, -0.5, 0])
        start = self.panel.point(self.cfg.start)
        self.start_dot = Circle(radius=0.09, stroke_color=th.start, stroke_width=3, fill_opacity=0).move_to(start)
        w, b = self.cfg.start
        self.line = self.fit_line(self.plot, w, b)
        self.play(FadeIn(self.title), FadeIn(loss), run_time=1.0)
        self.play(FadeIn(self.plot), FadeIn(self.panel), run_time=1.2)
        self.play(Create(self.line), FadeIn(self.start_dot), run_time=0.8)
        self.say(0, n_examples=self.surface.n_examples)
        self.wait(2.5)

    def levels(self):
        """Contour levels: loss values spaced so that rings are even near the minimum."""
        f_min = self.surface.min_value
        return f_min + np.array([0.04, 0.15, 0.35, 0.7, 1.2, 2.0, 3.0, 4.5, 6.5])

    def example_arrows(self):
        th = self.theme
        start = np.asarray(self.cfg.start, float)
        grads = self.surface.example_grads(start)  # (2, n): per-example gradients of ell_i
        self.example_grad_values = grads
        steps = -grads.T
        lengths = np.linalg.norm(steps, axis=1)
        self.arrow_scale = 2.4 / lengths.max()  # parameter units per unit of -grad, for display
        origin = self.panel.point(start)
        color = self.theme.color("gradient")  # each example's -grad l_i: a gradient
        self.arrows = VGroup(*[
            tagged(Arrow(origin, self.panel.point(start + self.arrow_scale * d), buff=0, stroke_width=2.5,
                         max_tip_length_to_length_ratio=0.12, max_stroke_width_to_length_ratio=8, color=color), "gradient")
            .set_opacity(0.7) for d in steps])
        self.play(*[Create(a) for a in self.arrows], run_time=2.0)
        self.say(0)
        # One example: the one pulling farthest from the average.
        mean = steps.mean(axis=0)
        cos = steps @ mean / (lengths * np.linalg.norm(mean))
        i = int(np.argmin(cos))
        self.picked = i
        if not self.option("example_close_up", True):  # the arrows alone make the point
            self.wait(1.0)
            return
        X, Y = (np.asarray(a) for a in self.surface.data)
        w, b = self.cfg.start
        dot = self.plot.dots[i]
        ring = Circle(radius=0.16, stroke_color=th.highlight, stroke_width=3).move_to(dot)
        residual = Line(self.plot.c2p(X[i], Y[i]), self.plot.c2p(X[i], w * X[i] + b),
                        stroke_width=3, color=th.highlight)
        arrow = self.arrows[i]
        # The picked arrow stands out by weight, not colour: it is a gradient like the others.
        self.play(FadeIn(ring), Create(residual), arrow.animate.set_opacity(1).set_stroke(width=5), run_time=1.2)
        self.wait(2.0)
        self.play(FadeOut(ring), FadeOut(residual), arrow.animate.set_opacity(0.7).set_stroke(width=2.5), run_time=0.6)

    def batch(self):
        start = np.asarray(self.cfg.start, float)
        mean = -self.surface.grad(start)
        self.mean_grad = mean
        origin = self.panel.point(start)
        target = tagged(Arrow(origin, self.panel.point(start + self.arrow_scale * mean), buff=0, stroke_width=6,
                              max_tip_length_to_length_ratio=0.25, color=self.theme.color("gradient")), "gradient")
        self.say(0)
        self.play(*[Transform(a, target.copy()) for a in self.arrows], run_time=1.8)
        self.scene.remove(*self.arrows)
        self.mean_arrow = target
        self.scene.add(target)
        self.wait(1.5)
        self.traces = {}
        self.run_trace("batch", run_time=3.0)
        self.play(FadeOut(self.mean_arrow), run_time=0.5)

    def run_trace(self, key: str, run_time: float):
        traj = self.runs[key]
        trace = self.panel.trace(traj.points, self.colors[key])
        self.traces[key] = trace
        self.scene.add(trace)
        points = traj.points
        line = self.line.set_color(self.colors[key])

        def follow(alpha):
            s = alpha * (len(points) - 1)
            k = int(min(np.floor(s), len(points) - 2))
            p = points[k] + (s - k) * (points[k + 1] - points[k])
            self.fit_line(self.plot, p[0], p[1], line)

        self.play(trace_together([trace], extra=follow, also=[line], run_time=run_time, rate_func=linear))

    def sgd(self):
        n = self.surface.n_examples
        self.say(0, n=n)
        self.run_trace("sgd", run_time=6.0)
        self.wait(1.0)

    def minibatch(self):
        k = self.cfg.batch_size
        per_epoch = -(-self.surface.n_examples // k)
        self.say(0, k=k, per_epoch=per_epoch)
        self.run_trace("minibatch", run_time=3.5)
        self.wait(1.0)

    def compare(self):
        th = self.theme
        n = self.surface.n_examples
        # decades that hold every run's losses and f*
        losses = np.concatenate([t.losses for t in self.runs.values()] + [[self.surface.min_value]])
        hi = int(np.ceil(np.log10(losses.max())))
        lo = max(int(np.floor(np.log10(max(losses.min(), 1e-300)))), hi - 6)
        lo = min(lo, hi - 2)
        plot = Plot(th, (0, self.cfg.epochs, 1), (lo, hi, 1), (4.8, 2.5), log_y=True,
                    x_ticks=[int(t) for t in ticks_within(0, self.cfg.epochs, range(min(self.cfg.epochs, 10) + 1))],
                    y_ticks=range(lo, hi + 1),
                    x_label="epochs",
                    y_label="loss (log scale)")
        plot.shift((2.3 - plot.axes.get_top()[1]) * UP + (-5.8 - plot.axes.get_left()[0]) * RIGHT)
        f_min = self.surface.min_value
        floor = DashedLine(plot.coords([0], [f_min])[0], plot.coords([self.cfg.epochs], [f_min])[0],
                           dash_length=0.08, stroke_width=2, color=th.muted)
        self.loss_traces = {key: plot.trace(epochs_axis(t, n), t.losses, self.colors[key])
                            for key, t in self.runs.items()}
        entries = [(f"{self.names[k]}: {len(t.points) - 1} steps, loss", sig(t.losses[-1]), self.colors[k])
                   for k, t in self.runs.items()]
        self.legend = tagged(legend(entries, th, FONT_SMALL), "result")  # each run's steps and final loss
        self.legend.next_to(plot, DOWN, buff=0.3).align_to(plot.axes, LEFT)
        self.loss_plot = plot
        self.say(0, epochs=self.cfg.epochs)
        self.play(FadeOut(self.plot), FadeOut(self.line), run_time=0.8)
        self.play(FadeIn(plot), Create(floor), run_time=0.8)
        self.scene.add(*self.loss_traces.values())
        self.play(trace_together(list(self.loss_traces.values()), run_time=3.0, rate_func=linear),
                  FadeIn(self.legend), run_time=3.0)
        self.say(1)
        self.wait(3.5)
        self.clear(0.8)


class StochasticChapter(Part, Scene):
    """Batch, stochastic and mini-batch gradients on their own, side by side.

    Each beat starts a section ``stochastic.<beat>``; with ``cut_plan`` set on the
    instance (the explainer does) it plays the explainer's cut.
    """

    def construct(self):
        self.chapter = Stochastic.play_on(self, sections=True)


BEATS = Stochastic.BEATS
