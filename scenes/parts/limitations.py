r"""Chapter 8: limitations of gradient descent and what comes next.

Brief callbacks to where plain GD stalls (a Rastrigin local minimum, the saddle
:math:`x^2 - y^2`, a plateau), each a real ``mathcore.run``; ill-conditioning as GD's
zig-zag in Rosenbrock's valley against Newton's method (mathcore's ``newton``, with the
symbolic Hessian) from the same start; learning-rate schedules (mathcore's ``constant``,
``step_decay`` and ``cosine``) on stochastic gradient descent of the least-squares loss,
with the same seed; a closing summary.

Render alone::

    manim -ql scenes/parts/limitations.py LimitationsChapter

Explainer cut (``scenes.explainer.CUTS``): ill-conditioning, Newton, schedules and
the closing summary, in about 29 s instead of 49, without the callbacks to local minima,
saddles and plateaus (the ``callbacks`` beat: chapter 4 of the explainer has just shown them).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp
from manim import (
    DOWN, LEFT, RIGHT, UP, Create, Dot, Rectangle, RoundedRectangle, Scene, Star, VGroup, linear,
)
from scenes.animations import FadeIn, FadeOut
from scenes.part import Part

import mathcore
from scenes.config import LimitationsConfig
from scenes.mobjects.plots import decade_range, log_tick_step, nice_ticks, ticks_within
from mathcore import optimizers as O
from scenes.chapter import NarratedChapter, g3, sig
from scenes.mobjects import MapPanel, Plot, legend, trace_range, trace_together
from scenes.theme import FONT_LABEL, FONT_SMALL

CHAPTER = "limitations"

# Layout of the zig-zag and Newton beats (manim units): the map left; right of it, GD's card and then
# Newton's (in the inset's place) along the top, the Hessian's row under them, the loss plot at the bottom.
CARDS_TOP, GD_LEFT, NEWTON_LEFT = 2.75, -1.8, 2.9
HESSIAN_Y, PLOT_BOTTOM = 0.6, -2.3


@lru_cache(maxsize=4)
def runs(cfg: LimitationsConfig = LimitationsConfig()) -> dict:
    out = {"callbacks": [mathcore.run(name, "gd", start, steps, lr) for name, start, lr, steps, _, _ in cfg.callbacks]}
    out["gd"] = mathcore.run("rosenbrock", "gd", cfg.rosen_start, cfg.gd_steps, cfg.gd_lr)
    out["newton"] = mathcore.run("rosenbrock", "newton", cfg.rosen_start, cfg.newton_steps, 1.0, grad_tol=1e-9)
    surface = mathcore.get_surface(cfg.sched_surface)
    n = surface.n_examples
    total = cfg.sched_epochs * n
    schedules = {
        "constant": mathcore.constant(cfg.sched_lr),
        "step decay": mathcore.step_decay(cfg.sched_lr, cfg.sched_step_epochs * n, cfg.sched_gamma),
        "cosine": mathcore.cosine(cfg.sched_lr, total),
    }
    out["schedules"] = {name: mathcore.run(surface, "gd", cfg.sched_start, total, batch_size=1, seed=cfg.seed,
                                           schedule=s) for name, s in schedules.items()}
    return out


class Limitations(NarratedChapter):
    name = CHAPTER
    BEATS = ("callbacks", "zigzag", "newton", "schedules", "summary")

    def __init__(self, scene, theme=None, sections: bool = False, cfg: LimitationsConfig = LimitationsConfig()):
        super().__init__(scene, theme, sections)
        self.cfg = cfg
        self.runs = runs(cfg)
        self.gd_color = self.theme.optimizer_color("gd")
        self.newton_color = self.theme.optimizer_color("newton")
        self.state(newton_steps=len(self.runs["newton"].points) - 1)

    # ------------------------------------------------------------------ beats
    def callbacks(self):
        th = self.theme
        self.title = self.make_title("Limitations, and what comes next")
        self.play(FadeIn(self.title), run_time=0.8)
        panels, traces, labels = VGroup(), [], VGroup()
        for (name, start, lr, steps, window, label), traj in zip(self.cfg.callbacks, self.runs["callbacks"]):
            surface = mathcore.get_surface(name)
            levels = None
            if name == "rastrigin":
                levels = np.array([2.0, 8.0, 15.0, 25.0, 35.0, 45.0])
            panel = MapPanel(surface, window, th, side=(3.1, 3.1), levels=levels, n_levels=7, grid_n=141)
            panels.add(panel)
        panels.arrange(RIGHT, buff=0.5).move_to([0, 0.35, 0])  # with their tick labels, inside the margin
        for panel, traj, spec in zip(panels, self.runs["callbacks"], self.cfg.callbacks):
            traces.append(panel.trace(traj.points, self.gd_color))
            labels.add(self.text(spec[-1], FONT_LABEL, color=th.foreground).next_to(panel, DOWN, buff=0.15))
        self.say(0)
        self.play(FadeIn(panels), FadeIn(labels), run_time=1.0)
        self.scene.add(*traces)
        self.play(trace_together(traces, run_time=3.0, rate_func=linear))
        self.wait(1.5)
        self.play(FadeOut(panels), FadeOut(labels), *[FadeOut(t) for t in traces], run_time=0.8)

    def zigzag(self):
        th = self.theme
        surface = mathcore.get_surface("rosenbrock")
        panel = MapPanel(surface, self.cfg.rosen_window, th, side=(4.0, 4.9), n_levels=8,
                         ticks=(ticks_within(*self.cfg.rosen_window[0], (-1, 0, 1)),
                                ticks_within(*self.cfg.rosen_window[1], (-3, -2, -1, 0, 1, 2))))
        panel.move_to([-4.3, 0.15, 0])
        self.panel = panel
        star = Star(outer_radius=0.13, inner_radius=0.06, stroke_width=0, fill_color=th.foreground,
                    fill_opacity=1).move_to(panel.point(surface.minima[0]))
        gd, newton = self.runs["gd"], self.runs["newton"]
        hi = int(np.ceil(np.log10(max(gd.losses.max(), newton.losses.max()))))
        decades = int(np.ceil(np.log10(self.cfg.gd_steps + 1)))  # of the step number
        plot = Plot(th, (0, decades, 1), (-6, hi, 1), (6.8, 1.85), log_y=True, x_ticks=range(decades + 1),
                    y_ticks=(-6, -3, 0, hi) if hi % 3 else (-6, -3, 0), x_fmt=lambda v: "10^{%d}" % v,
                    y_label="loss and step number (log scales)")
        plot.shift((6.3 - plot.axes.get_right()[0]) * RIGHT + (PLOT_BOTTOM - plot.axes.get_bottom()[1]) * UP)
        self.loss_plot = plot
        self.gd_trace = panel.trace(gd.points, self.gd_color, width=2.5)
        self.gd_loss = plot.trace(np.log10(np.arange(1, len(gd.losses) + 1)), gd.losses, self.gd_color)
        lab = self.text(f"gradient descent, η = {self.cfg.gd_lr:g}", FONT_SMALL, color=self.gd_color)
        self.rule_gd = VGroup(lab, self.tex(mathcore.make_optimizer("gd").latex, font_size=FONT_LABEL))
        self.rule_gd.arrange(DOWN, aligned_edge=LEFT, buff=0.15)
        self.rule_gd.move_to([0, CARDS_TOP, 0], UP).align_to([GD_LEFT, 0, 0], LEFT)
        # A magnified look at the first steps, where the zig-zag is.
        (zx0, zx1), (zy0, zy1) = self.cfg.zoom_window
        k = self.cfg.zoom_steps
        inset = MapPanel(surface, self.cfg.zoom_window, th, side=(3.0, 3.0 * (zy1 - zy0) / (zx1 - zx0)),
                         levels=panel.levels, grid_n=121, labels=False, heights=panel.heights)
        inset.frame.set_stroke(th.highlight, width=2.5)
        inset.move_to([0, CARDS_TOP, 0], UP).align_to([6.3, 0, 0], RIGHT)
        box = Rectangle(width=abs(panel.point((zx1, zy0))[0] - panel.point((zx0, zy0))[0]),
                        height=abs(panel.point((zx0, zy1))[1] - panel.point((zx0, zy0))[1]),
                        stroke_color=th.highlight, stroke_width=2.5).move_to(panel.point(((zx0 + zx1) / 2,
                                                                                          (zy0 + zy1) / 2)))
        self.zoom_trace = inset.trace(gd.points[: k + 1], self.gd_color, width=3,
                                dot_radius=0.07)
        self.inset = VGroup(inset, box)
        title = []
        if not hasattr(self, "title"):  # the cut starts here (no callbacks): bring in the title
            self.title = self.make_title("Limitations, and what comes next")
            title = [FadeIn(self.title)]
        self.say(0)
        self.play(*title, FadeIn(panel), FadeIn(star), FadeIn(plot), FadeIn(self.rule_gd), run_time=1.2)
        self.play(FadeIn(inset), Create(box), run_time=0.8)
        self.scene.add(self.gd_trace, self.gd_loss, self.zoom_trace)
        self.play(trace_range([self.gd_trace, self.gd_loss, self.zoom_trace], 0, k, run_time=3.5,
                              rate_func=linear))
        self.play(trace_range([self.gd_trace, self.gd_loss], k, len(gd.points) - 1, run_time=3.5,
                              rate_func=linear))
        end = self.tex(rf"{gd.n_steps}\ \text{{steps}} \to ({sig(gd.x[0])},\ {sig(gd.x[1])})", font_size=FONT_SMALL,
                       color=self.gd_color)
        end.next_to(self.rule_gd, DOWN, aligned_edge=LEFT, buff=0.15)
        self.gd_end = end
        self.play(FadeIn(end), run_time=0.6)
        self.wait(1.5)

    def newton(self):
        th = self.theme
        newton = self.runs["newton"]
        surface = mathcore.get_surface("rosenbrock")
        opt = newton.optimizer
        lab = self.text("Newton's method, η = 1", FONT_SMALL, color=self.newton_color)
        rule = self.tex(opt.latex, font_size=FONT_LABEL)
        card = VGroup(lab, rule).arrange(DOWN, aligned_edge=LEFT, buff=0.15)
        card.move_to([0, CARDS_TOP, 0], UP).align_to([NEWTON_LEFT, 0, 0], LEFT)
        # The Hessian is wider than a card: its own row, under both cards and over the plot.
        hess = self.tex("H = " + surface.hessian_latex, font_size=FONT_SMALL, color=th.muted)
        hess.move_to([0, HESSIAN_Y, 0]).align_to([6.3, 0, 0], RIGHT)
        group = VGroup(card, hess)
        self.rule_newton = group
        self.say(0)
        self.play(FadeOut(self.inset), FadeOut(self.zoom_trace), run_time=0.6)
        self.play(FadeIn(group, shift=0.1 * UP), run_time=1.0)
        self.wait(2.0)
        trace = self.panel.trace(newton.points, self.newton_color, width=3, dot_radius=0.08)
        vertices = VGroup(*[Dot(self.panel.point(p), radius=0.05, color=self.newton_color) for p in newton.points])
        loss = self.loss_plot.trace(np.log10(np.arange(1, len(newton.losses) + 1)), newton.losses, self.newton_color)
        self.newton_trace, self.newton_loss = trace, loss
        self.scene.add(trace, loss)
        self.play(trace_together([trace, loss], run_time=3.0, rate_func=linear),
                  FadeIn(vertices, lag_ratio=0.3), run_time=3.0)
        end = self.tex(rf"{newton.n_steps}\ \text{{steps}} \to ({sig(newton.x[0])},\ {sig(newton.x[1])})",
                       font_size=FONT_SMALL, color=self.newton_color)
        end.next_to(card, DOWN, aligned_edge=LEFT, buff=0.15)
        self.newton_end = end
        self.play(FadeIn(end), run_time=0.6)
        self.say(1, newton_steps=newton.n_steps, gd_steps=self.runs['gd'].n_steps)
        self.wait(3.0)
        self.play(*[FadeOut(m) for m in self.scene.mobjects if m is not self.title], run_time=0.8)
        self.caption = None

    def schedules(self):
        th = self.theme
        runs_ = self.runs["schedules"]
        surface = mathcore.get_surface(self.cfg.sched_surface)
        n = surface.n_examples
        colors = {name: th.color(name.replace(" ", "_")) for name in runs_}  # constant, step_decay, cosine
        # Axes from the runs and the config (a lesson may set other rates, epochs or a surface).
        lr_ticks = nice_ticks(0, self.cfg.sched_lr * 1.1)
        lr_plot = Plot(th, (0, self.cfg.sched_epochs, 1), (0, self.cfg.sched_lr * 1.1, lr_ticks[1] - lr_ticks[0]),
                       (4.6, 2.3), x_ticks=[int(t) for t in ticks_within(0, self.cfg.sched_epochs, (0, 5, 10))],
                       y_ticks=lr_ticks, x_label="epochs", y_label="learning rate η")
        lr_plot.shift((-6.0 - lr_plot.axes.get_left()[0]) * RIGHT + (2.3 - lr_plot.axes.get_top()[1]) * UP)
        f_min = surface.min_value
        lo, hi = decade_range(np.concatenate([t.losses - f_min for t in runs_.values()]))
        step = log_tick_step(lo, hi, 2.3)
        self.schedule_axes = {"lr_ticks": lr_ticks, "decades": (lo, hi)}  # (for tests)
        loss_plot = Plot(th, (0, self.cfg.sched_epochs, 1), (lo, hi, 1), (4.8, 2.3), log_y=True,
                         x_ticks=[int(t) for t in ticks_within(0, self.cfg.sched_epochs, (0, 5, 10))],
                         y_ticks=range(lo, hi + 1, step),
                         x_label="epochs",
                         y_label="loss above its minimum (log scale)")
        loss_plot.shift((6.3 - loss_plot.axes.get_right()[0]) * RIGHT + (2.3 - loss_plot.axes.get_top()[1]) * UP)
        lr_traces, loss_traces = [], []
        for name, t in runs_.items():
            steps = np.arange(len(t.lrs)) / n
            lr_traces.append(lr_plot.trace(steps, t.lrs, colors[name], width=3.5))
            epochs = np.arange(len(t.losses)) / n
            loss_traces.append(loss_plot.trace(epochs, t.losses - f_min, colors[name], width=2.5))
        entries = [(f"{name}: final", sig(t.losses[-1] - f_min), colors[name]) for name, t in runs_.items()]
        # One run a row, under the loss plot whose curves they end (a row of three is wider than the frame).
        leg = legend(entries, th, FONT_SMALL)
        leg.next_to(loss_plot, DOWN, buff=0.25).align_to(loss_plot.axes, LEFT)
        self.say(0)
        self.play(FadeIn(lr_plot), FadeIn(loss_plot), run_time=1.0)
        self.scene.add(*lr_traces, *loss_traces)
        self.play(trace_together(lr_traces + loss_traces, run_time=4.5, rate_func=linear), FadeIn(leg),
                  run_time=4.5)
        # The verdict the runs support: settling below the noise, or (a start too large) diverging first.
        diverged = [name for name, t in runs_.items() if t.status == "diverged"]
        if diverged:
            self.story.speak(1)
            runs_named = " and ".join(diverged) + (" runs" if len(diverged) > 1 else " run")
            self.say(2, sched_lr=g3(self.cfg.sched_lr), diverged="the " + runs_named)
        else:
            self.say(1)
        self.schedule_legend = leg
        self.wait(3.0)
        self.play(*[FadeOut(m) for m in self.scene.mobjects if m is not self.title], run_time=0.8)
        self.caption = None

    def summary(self):
        th = self.theme
        col = th.color  # each card in the colour its topic had in the video
        cards_spec = [
            ("Gradient descent", mathcore.make_optimizer("gd").latex, col("gd")),
            ("Mini-batches", None, col("minibatch")),
            ("Adam", sp.latex(O.eta / sp.sqrt(O.v)), col("adam")),
            ("Backpropagation", None, col("backprop")),
            ("Newton", mathcore.make_optimizer("newton").latex, col("newton")),
            ("Schedules", None, col("schedules")),
        ]
        subtitles = {"Mini-batches": "cheap, noisy gradients", "Backpropagation": "chain rule, layer by layer",
                     "Schedules": "big steps first, then small", "Adam": "per parameter"}
        cards = VGroup()
        for name, latex, color in cards_spec:
            head = self.text(name, FONT_LABEL, color=color)
            body = VGroup()
            if latex:
                body.add(self.tex(latex, font_size=FONT_LABEL, color=th.foreground))
            if name in subtitles:
                body.add(self.text(subtitles[name], FONT_SMALL, color=th.foreground))
            body.arrange(RIGHT, buff=0.2)
            content = VGroup(head, body).arrange(DOWN, buff=0.25)
            box = RoundedRectangle(width=4.0, height=1.75, corner_radius=0.15, stroke_color=color, stroke_width=2,
                                   fill_color=th.panel, fill_opacity=1)
            content.move_to(box)
            cards.add(VGroup(box, content))
        cards.arrange_in_grid(rows=2, cols=3, buff=(0.3, 0.35)).move_to([0, 0.2, 0])
        self.say(0)
        self.play(FadeIn(cards, lag_ratio=0.25), run_time=2.5)
        self.wait(3.5)
        self.clear(0.8)


class LimitationsChapter(Part, Scene):
    """The limitations on their own: zig-zags, Newton's step, step-size schedules and a summary.

    Each beat starts a section ``limitations.<beat>``; with ``cut_plan`` set on the
    instance (the explainer does) it plays the explainer's cut.
    """

    def construct(self):
        self.chapter = Limitations.play_on(self, sections=True)


BEATS = Limitations.BEATS
