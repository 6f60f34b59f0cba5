r"""Chapter 6: adaptive methods, Adagrad, RMSProp and Adam.

Their update rules are mathcore's SymPy rules (``make_optimizer(name).rule``), printed one
term at a time so that each new idea can take its optimizer's colour: Adagrad's sum of
squared gradients, RMSProp's moving average, Adam's first moment (momentum's colour) on
top of RMSProp's second moment, and its bias correction. Then the three run on
Rosenbrock's valley with one learning rate, and the effective step size
:math:`\eta/\sqrt{v}` of each parameter, read from each run's recorded state, is shown as
bars that change as the runs go.

Render alone::

    manim -ql scenes/parts/adaptive.py AdaptiveChapter

Explainer cut (``scenes.explainer.CUTS``): every beat at its pace, in about 23 s instead of 45,
Adagrad's two lines under one caption (``adagrad_in_one_caption``).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp
from manim import (
    DOWN, LEFT, RIGHT, UP, Line, MathTex, Rectangle, ReplacementTransform, Scene, Star, Transform, VGroup,
    Write, linear,
)
from scenes.animations import FadeIn, FadeOut
from scenes.part import Part

import mathcore
from scenes.config import AdaptiveConfig
from scenes.mobjects.plots import ticks_within
from mathcore import optimizers as O
from scenes.chapter import NarratedChapter, sig
from scenes.mobjects import MapPanel, StepCounter, morph_tex, tagged, trace_together
from scenes.theme import FONT_BODY, FONT_LABEL, FONT_SMALL, FONT_TITLE, MARGIN

CHAPTER = "adaptive"
OPTIMIZERS = ("adagrad", "rmsprop", "adam")

# Layout (manim units). The rules: headings left, arrows aligned at ARROW_X. The runs: the map left,
# the bar chart right (its axis at BAR_LEFT), a group of two bars per optimizer GROUP_GAP apart,
# wide enough for a final loss under each name; the step counter in the top right corner.
ARROW_X, RULES_Y = -2.1, 0.35
BAR_LEFT, BAR_BASE, BAR_HEIGHT, GROUP_GAP = 0.55, -0.95, 3.0, 1.95


@lru_cache(maxsize=4)
def runs(cfg: AdaptiveConfig = AdaptiveConfig()) -> dict:
    surface = mathcore.get_surface(cfg.surface)
    return {name: mathcore.run(surface, name, cfg.start, cfg.steps, cfg.lr) for name in OPTIMIZERS}


def second_moment(trajectory) -> np.ndarray:
    r"""The :math:`v` each update divides by, per step and parameter, from the recorded state.

    Adagrad: the sum :math:`s`; RMSProp: the average ``square_avg``; Adam: the bias-corrected
    :math:`\hat v = v / (1 - \beta_2^t)`. Row ``k`` is the state after update ``k`` (row 0 is
    the initial state, all zeros).
    """
    name = trajectory.optimizer.name
    if name == "adagrad":
        return trajectory.state["sum"]
    if name == "rmsprop":
        return trajectory.state["square_avg"]
    if name == "adam":
        beta2 = trajectory.optimizer.hyperparams["betas"][1]
        t = np.arange(len(trajectory.state["exp_avg_sq"]))[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(t > 0, trajectory.state["exp_avg_sq"] / (1 - beta2 ** np.maximum(t, 1)), 0.0)
    raise ValueError(f"no second moment for optimizer {name!r}; accepted: {', '.join(OPTIMIZERS)}")


def effective_steps(trajectory) -> np.ndarray:
    r"""Per step and parameter, :math:`\eta_t / (\sqrt{v} + \epsilon)` after update ``k`` (shape ``(T, d)``).

    The factor each update multiplies its gradient (Adagrad, RMSProp) or its first moment
    (Adam) by; row ``k - 1`` is the step size of update ``k``, with that update's learning rate.
    """
    v = second_moment(trajectory)[1:]
    eps = trajectory.optimizer.hyperparams["eps"]
    return trajectory.lrs[:, None] / (np.sqrt(v) + eps)


def rule_parts(lhs, rhs) -> list[str]:
    """One update line as LaTeX pieces: lhs, arrow, then one piece per term of the SymPy sum."""
    terms = rhs.args if isinstance(rhs, sp.Add) else (rhs,)
    parts = [sp.latex(lhs), r"\leftarrow"]
    for i, term in enumerate(terms):
        latex = sp.latex(term, order="none")
        parts.append(latex if i == 0 or latex.startswith("-") else "+ " + latex)
    return parts


def fraction_parts(mob):
    """Glyphs of a MathTex piece holding one fraction: (numerator, bar, denominator)."""
    glyphs = list(mob.submobjects) if len(mob.submobjects) > 1 else list(mob[0].submobjects)
    bar = max(glyphs, key=lambda g: g.width - 4 * g.height)
    y, x0, x1 = bar.get_center()[1], bar.get_left()[0], bar.get_right()[0]
    inside = [g for g in glyphs if g is not bar and x0 - 1e-3 <= g.get_center()[0] <= x1 + 1e-3]
    num = VGroup(*[g for g in inside if g.get_center()[1] > y])
    den = VGroup(*[g for g in inside if g.get_center()[1] < y])
    return num, bar, den


class Adaptive(NarratedChapter):
    name = CHAPTER
    BEATS = ("adagrad", "rmsprop", "adam", "effective_steps", "why_adam")

    def __init__(self, scene, theme=None, sections: bool = False, cfg: AdaptiveConfig = AdaptiveConfig()):
        super().__init__(scene, theme, sections)
        self.cfg = cfg
        self.surface = mathcore.get_surface(cfg.surface)
        self.runs = runs(cfg)
        self.color = {name: self.theme.optimizer_color(name) for name in (*OPTIMIZERS, "momentum")}

    # ------------------------------------------------------------------ equations
    def rule_lines(self, name: str) -> list[MathTex]:
        """The rule's lines at title size, arrows aligned: the frame's one subject in these beats.
        Fractions inside fractions are set full size (``\\dfrac``): Adam's bias correction would
        otherwise shrink to TeX's script sizes."""
        opt = self.runs[name].optimizer
        lines = [self.tex(*[p.replace(r"\frac", r"\dfrac") for p in rule_parts(lhs, rhs)], font_size=FONT_TITLE)
                 for lhs, rhs in opt.rule]
        group = VGroup(*lines).arrange(DOWN, buff=0.45)
        for line in lines:  # align the arrows
            line.shift((ARROW_X - line[1].get_center()[0]) * RIGHT)
        group.shift((RULES_Y - group.get_center()[1]) * UP)
        self.rule_sources = getattr(self, "rule_sources", {})
        self.rule_sources[name] = ["".join(line.tex_strings) for line in lines]
        return lines

    def heading(self, name: str):
        h = self.text(mathcore.display_name(name), FONT_BODY + 4, color=self.color[name])
        h.move_to([ARROW_X - 1.1, RULES_Y, 0], RIGHT)
        return h

    def adagrad(self):
        self.title = self.make_title("Adaptive step sizes")
        lines = self.rule_lines("adagrad")
        head = self.heading("adagrad")
        c = self.color["adagrad"]
        s_line, t_line = lines
        if self.option("adagrad_in_one_caption", False):
            # Both lines under one caption; each stays at least 2 s after it is complete.
            self.say(0)
            self.play(FadeIn(self.title), FadeIn(head), Write(VGroup(*s_line[:3])),
                      FadeIn(s_line[3].set_color(c), shift=0.2 * LEFT), run_time=1.0)
            self.play(Write(t_line), run_time=1.0)
            self.play(self.tint_denominator(t_line, c), run_time=0.4)
            self.wait(2.0)
            self.head, self.lines = head, lines
            return
        self.play(FadeIn(self.title), run_time=0.8)
        self.say(1)
        self.play(FadeIn(head), Write(VGroup(*s_line[:3])), run_time=1.2)
        self.play(FadeIn(s_line[3].set_color(c), shift=0.2 * LEFT), run_time=0.8)
        self.wait(2.0)
        self.say(2)
        self.play(Write(t_line), run_time=1.4)
        self.play(self.tint_denominator(t_line, c), run_time=0.6)
        self.wait(2.5)
        self.head, self.lines = head, lines

    @staticmethod
    def tint_denominator(line, color):
        """``line``'s fraction with its denominator turning ``color`` (the whole line transforms: an
        animation of a piece would take the formula apart on the scene)."""
        target = line.copy()
        fraction_parts(target[3])[2].set_color(color)
        return Transform(line, target)

    def rmsprop(self):
        lines = self.rule_lines("rmsprop")
        head = self.heading("rmsprop")
        c = self.color["rmsprop"]
        v_line, t_line = lines
        v_line[2].set_color(c)
        v_line[3].set_color(c)
        fraction_parts(t_line[3])[2].set_color(c)
        self.say(0)
        # Term by term: the arrow and "theta <- theta" stay, the changed terms morph.
        self.play(ReplacementTransform(self.head, head), morph_tex(self.lines[0], v_line),
                  morph_tex(self.lines[1], t_line), run_time=1.5)
        self.scene.hold(3.5)  # the new rule reads 3 s even in the cut
        self.head, self.lines = head, lines

    def adam(self):
        lines = self.rule_lines("adam")
        head = self.heading("adam")
        m_line, v_line, t_line = lines
        VGroup(*m_line[2:]).set_color(self.color["momentum"])
        VGroup(*v_line[2:]).set_color(self.color["rmsprop"])
        num, _, den = fraction_parts(t_line[3])
        den.set_color(self.color["adam"])
        num[-1].set_color(self.color["momentum"])  # m
        self.say(0)
        # RMSProp's two lines become Adam's v and theta lines term by term; the first moment is new.
        self.play(ReplacementTransform(self.head, head), morph_tex(self.lines[0], v_line),
                  morph_tex(self.lines[1], t_line), run_time=1.2)
        self.play(FadeIn(m_line, shift=0.2 * DOWN), run_time=1.0)
        self.wait(4.0)
        self.head, self.lines = head, lines

    # ------------------------------------------------------------------ runs
    def bar_chart(self):
        th = self.theme
        lo, hi = self.cfg.bar_decades
        height, base_y, left_x = BAR_HEIGHT, BAR_BASE, BAR_LEFT
        unit = height / (hi - lo)
        right_x = left_x + 0.1 + len(OPTIMIZERS) * GROUP_GAP
        axis = Line([left_x, base_y, 0], [left_x, base_y + height, 0], stroke_color=th.muted, stroke_width=2)
        floor = Line([left_x, base_y, 0], [right_x, base_y, 0], stroke_color=th.muted, stroke_width=2)
        ticks = VGroup()
        for k in range(lo, hi + 1):
            y = base_y + (k - lo) * unit
            ticks.add(Line([left_x - 0.08, y, 0], [left_x, y, 0], stroke_color=th.muted, stroke_width=2))
            ticks.add(self.tex("10^{%d}" % k, font_size=FONT_SMALL, color=th.muted)
                      .next_to([left_x - 0.08, y, 0], LEFT, buff=0.08))
        bars, labels = VGroup(), VGroup()
        self.bar_specs = []
        self.name_positions = {}
        for i, name in enumerate(OPTIMIZERS):
            x_center = left_x + 0.1 + (i + 0.5) * GROUP_GAP
            for j, var in enumerate(self.surface.variable_names):
                x = x_center + (j - 0.5) * 0.7
                bar = Rectangle(width=0.6, height=0.01, stroke_width=0, fill_color=self.color[name],
                                fill_opacity=0.95 if j == 0 else 0.55)
                bar.move_to([x, base_y, 0], DOWN)
                bars.add(bar)
                labels.add(self.tex(var, font_size=FONT_SMALL, color=th.muted).next_to([x, base_y, 0], DOWN, buff=0.1))
                self.bar_specs.append((name, j))
            labels.add(self.text(mathcore.display_name(name), FONT_SMALL, color=self.color[name])
                       .move_to([x_center, base_y - 0.72, 0]))
            self.name_positions[name] = np.array([x_center, base_y - 1.17, 0])  # its final loss, at the end
        header = VGroup(self.tex(sp.latex(O.eta / sp.sqrt(O.v)), font_size=FONT_LABEL),
                        self.text("per parameter (log scale)", FONT_SMALL, color=th.muted))
        header.arrange(RIGHT, buff=0.2)
        header.next_to([left_x, base_y + height, 0], UP, buff=0.25).align_to(ticks, LEFT)
        self.bar_geometry = (base_y, unit, lo)
        self.bars = bars
        return VGroup(axis, floor, ticks, bars, labels, header)

    def set_bars(self, k: int):
        """Bar heights at update ``k`` (1-based), from the effective step sizes of each run."""
        base_y, unit, lo = self.bar_geometry
        for bar, (name, j) in zip(self.bars, self.bar_specs):
            value = self.effective[name][k - 1, j]
            h = max((np.log10(value) - lo) * unit, 0.01)
            bar.stretch_to_fit_height(h)
            bar.move_to([bar.get_center()[0], base_y, 0], DOWN)
        self.bar_step = k

    def effective_steps(self):
        th = self.theme
        self.effective = {name: effective_steps(t) for name, t in self.runs.items()}
        self.say(None)
        self.play(FadeOut(VGroup(*self.lines)), FadeOut(self.head), run_time=0.8)
        panel = MapPanel(self.surface, self.cfg.window, th, side=(4.5, 4.6), n_levels=8,
                         ticks=(ticks_within(*self.cfg.window[0], (-1, 0, 1)), ticks_within(*self.cfg.window[1], (0, 1, 2))))
        panel.move_to([-3.75, 0.2, 0])
        self.panel = panel
        chart = self.bar_chart()
        self.set_bars(1)
        minimum = panel.point(self.surface.minima[0])
        star = Star(outer_radius=0.13, inner_radius=0.06, stroke_width=0, fill_color=th.foreground,
                    fill_opacity=1).move_to(minimum)
        # In the top right corner, laid out with its widest value, then set to step 1.
        counter = StepCounter(th, last=self.cfg.steps, font_size=FONT_LABEL).set_step(self.cfg.steps)
        counter.to_edge(RIGHT, buff=MARGIN).align_to(self.title, UP)
        counter.set_step(1)
        self.counter = counter
        self.play(FadeIn(panel), FadeIn(star), FadeIn(chart), FadeIn(counter), run_time=1.2)
        self.say(0, lr=f"{self.cfg.lr:g}")
        # Shortest run drawn last, so that it stays visible on top of the others.
        order = sorted(self.runs, key=lambda n: -np.linalg.norm(self.runs[n].points[-1] - self.runs[n].points[0]))
        self.traces = {name: panel.trace(self.runs[name].points, self.color[name],
                                   dot_radius=0.07) for name in order}
        self.scene.add(*self.traces.values())
        steps = self.cfg.steps

        def extra(alpha):
            k = int(np.clip(round(alpha * steps), 1, steps))
            if k != self.bar_step:
                self.set_bars(k)
                counter.set_step(k)

        self.play(trace_together(list(self.traces.values()), extra=extra, also=[self.bars, counter],
                                 run_time=11.0, rate_func=linear))
        self.wait(0.5)

    def why_adam(self):
        rows = VGroup()
        for name, t in self.runs.items():
            rows.add(self.tex(r"L = " + sig(t.losses[-1]), font_size=FONT_SMALL).move_to(self.name_positions[name]))
        self.scoreboard = tagged(rows, "result")
        self.play(FadeIn(rows, shift=0.1 * UP), run_time=0.8)
        self.say(0)
        self.wait(5.0)
        self.clear(0.8)


class AdaptiveChapter(Part, Scene):
    """Adaptive steps on its own: AdaGrad, RMSProp and Adam, and the step each one takes.

    Each beat starts a section ``adaptive.<beat>``; with ``cut_plan`` set on the
    instance (the explainer does) it plays the explainer's cut.
    """

    def construct(self):
        self.chapter = Adaptive.play_on(self, sections=True)


BEATS = Adaptive.BEATS
