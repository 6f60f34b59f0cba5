r"""Chapter 2, derivatives: the slope of :math:`f(x) = x^2`, from a secant to the tangent.

The secant from :math:`x = 2` to :math:`x = 2.5` rises 2.25 over a run of 0.5 (slope 4.5);
as the gap shrinks it turns into the tangent, whose slope is the derivative
:math:`f'(2) = 4`. The derivative is then read as sensitivity (nudge x, watch f), and a
tangent sliding along the curve shows large slopes where f is steep, small ones where it
is gentle, and zero at the vertex. Every value comes from mathcore's ``parabola`` surface
(``f``, ``grad``) and every formula from its SymPy expression.

The explainer's cut (``scenes.explainer.CUTS``, about 20 s instead of 45) keeps the secant
shrinking to the tangent with shorter holds; sensitivity and the tangent tour are left
to the chapter rendered alone.

Render alone::

    manim -ql scenes/parts/derivatives.py DerivativesChapter
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN, LEFT, RIGHT, UP, Create, DashedLine, Dot, Line, Scene, ValueTracker, VGroup, Write,
    always_redraw, rate_functions,
)
from scenes.animations import FadeIn, FadeOut
from scenes.part import Part

import mathcore
from scenes.chapter import Chapter, g3, line_through, load_narration
from scenes.mobjects import SciNumber, format_sig, morph_tex, themed_axes, tick_numbers
from scenes.theme import FONT_BODY, FONT_LABEL, FONT_SMALL, MARGIN

CHAPTER = "derivatives"
SURFACE = "parabola"
X0 = 2.0  # where the slope is measured
SECANT_RUN = 0.5  # the first secant goes from X0 to X0 + SECANT_RUN
H_FINAL = 1e-3  # the gap the secant shrinks to (the slope shown is then f'(X0) to 3 digits)
NUDGE = 0.25  # "nudge x": how far x moves each way
TOUR = (2.5, 0.8, -2.2, 0.0)  # where the sliding tangent stops: steep, gentle, steep the other way, vertex

BEATS = (
    "show_curve",
    "show_secant",
    "shrink_to_tangent",
    "nudge_x",
    "slopes_everywhere",
    "outro",
)
NARRATION = load_narration(CHAPTER)


class Derivatives(Chapter):
    """The beats of this chapter (a 2D scene)."""

    name = CHAPTER
    BEATS = BEATS

    def __init__(self, scene, theme=None, sections=False):
        super().__init__(scene, theme, sections)
        self.surface = surface = mathcore.get_surface(SURFACE)
        self.f = lambda x: float(surface.f(np.array([x])))  # closures, not bound methods (deepcopy)
        self.df = lambda x: float(surface.grad(np.array([x]))[0])
        self.var = surface.variable_names[0]
        rise = self.f(X0 + SECANT_RUN) - self.f(X0)
        derivative = surface.grad_exprs[0]
        self.state(x0=g3(X0), x1=g3(X0 + SECANT_RUN), rise=g3(rise), run=g3(SECANT_RUN),
                   secant_slope=g3(rise / SECANT_RUN), slope=g3(self.df(X0)),
                   derivative=str(derivative).replace("**", "^").replace("*", ""))
        self.shown: dict[str, str] = {}  # number strings shown on screen, by role (for tests)
        self.formulas: dict[str, object] = {}  # MathTex shown, by role (for tests)

    # ------------------------------------------------------------------ helpers
    def p(self, x: float):
        return self.axes.c2p(x, self.f(x))

    def slope_direction(self, slope: float):
        return np.array(self.axes.c2p(1, slope)) - np.array(self.axes.c2p(0, 0))

    def secant(self, h: float, color) -> Line:
        a, b = np.array(self.p(X0)), np.array(self.p(X0 + h))
        slope = (self.f(X0 + h) - self.f(X0)) / h
        line = line_through((a + b) / 2, self.slope_direction(slope), max(3.4, np.linalg.norm(b - a) + 1.6))
        return line.set_stroke(color, width=4)

    def tangent(self, x: float, color, length: float = 3.0) -> Line:
        return line_through(self.p(x), self.slope_direction(self.df(x)), length).set_stroke(color, width=4)

    def panel_anchor(self):
        """Top-left corner of the right-hand formula column."""
        return np.array([PANEL_LEFT, self.formula_f.get_bottom()[1] - 0.5, 0])

    # ------------------------------------------------------------------ beats
    def show_curve(self):
        t = self.theme
        self.axes = themed_axes(t, [-3, 3, 1], [-0.5, 9.5, 1], 5.6, 5.4).move_to(np.array([-3.75, 0.55, 0]))
        self.ticks = tick_numbers(self.axes, t, xs=(-2, -1, 1, 2, 3), ys=(2, 4, 6, 8), font_size=FONT_SMALL)
        self.graph = self.axes.plot(self.f, x_range=[-3, 3, 0.02], color=t.foreground, stroke_width=4)
        self.formula_f = self.tex(r"f(x) = ", self.surface.latex, font_size=FONT_BODY + 4)
        self.formula_f.to_corner(UP + RIGHT, buff=MARGIN).align_to(np.array([PANEL_LEFT, 0, 0]), LEFT)
        self.formulas["f"] = self.formula_f
        self.say(0, x0=g3(X0))
        self.play(Create(self.axes), FadeIn(self.ticks), run_time=1.2)
        self.play(Create(self.graph), Write(self.formula_f), run_time=1.6)
        self.dot0 = Dot(self.p(X0), radius=0.08, color=t.foreground)
        self.play(FadeIn(self.dot0, scale=0.5), run_time=0.6)
        self.wait(1.0)

    def show_secant(self):
        t = self.theme
        x1 = X0 + SECANT_RUN
        rise = self.f(x1) - self.f(X0)
        run = SECANT_RUN
        slope = rise / run
        self.shown.update(run=g3(run), rise=g3(rise), secant_slope=g3(slope))
        self.dot1 = Dot(self.p(x1), radius=0.08, color=t.foreground)
        corner = self.axes.c2p(x1, self.f(X0))
        run_leg = DashedLine(self.p(X0), corner, color=t.muted, stroke_width=3)
        rise_leg = DashedLine(corner, self.p(x1), color=t.muted, stroke_width=3)
        run_label = self.tex(g3(run), font_size=FONT_SMALL, color=t.muted).next_to(run_leg, DOWN, buff=0.12)
        rise_label = self.tex(g3(rise), font_size=FONT_SMALL, color=t.muted).next_to(rise_leg, RIGHT, buff=0.12)
        self.legs = VGroup(run_leg, rise_leg, run_label, rise_label)
        self.secant_line = self.secant(SECANT_RUN, t.highlight)
        # Split into terms, so that the next beat can morph "rise over run" into the difference quotient.
        readout = self.tex(r"\text{slope}", "=", RISE_OVER_RUN, r"= \frac{" + g3(rise) + "}{" + g3(run) + "} =",
                           g3(slope), font_size=FONT_BODY)
        readout.next_to(self.formula_f, DOWN, buff=0.7).align_to(self.formula_f, LEFT)
        readout[-1].set_color(t.highlight)
        self.formulas["secant"] = readout
        self.secant_readout = readout
        self.say(0, rise=g3(rise), run=g3(run))
        self.play(FadeIn(self.dot1, scale=0.5), Create(self.secant_line), run_time=1.2)
        self.play(Create(run_leg), Create(rise_leg), FadeIn(run_label), FadeIn(rise_label),
                  run_time=1.0)
        self.play(Write(readout), run_time=1.4)
        self.wait(2.2)

    def shrink_to_tangent(self):
        t = self.theme
        color = t.highlight
        h = ValueTracker(SECANT_RUN)
        f, df = self.f, self.df

        def secant_slope():
            step = h.get_value()
            return (f(X0 + step) - f(X0)) / step

        self.scene.remove(self.secant_line)
        live_line = always_redraw(lambda: self.secant(h.get_value(), color))
        live_dot = always_redraw(lambda: Dot(self.p(X0 + h.get_value()), radius=0.08, color=t.foreground))
        self.scene.remove(self.dot1)
        self.scene.add(live_line, live_dot)
        quotient = r"\frac{f(%s + h) - f(%s)}{h}" % (g3(X0), g3(X0))
        label_s = self.tex(r"\text{slope}", "=", quotient, "=", font_size=FONT_BODY)
        value_s = SciNumber(secant_slope(), FONT_BODY, color=color)
        label_h = self.tex("h", "=", font_size=FONT_BODY)
        value_h = SciNumber(SECANT_RUN, FONT_BODY, color=t.foreground)
        row_s = VGroup(label_s, value_s).arrange(RIGHT, buff=0.2)
        row_h = VGroup(label_h, value_h).arrange(RIGHT, buff=0.2)
        rows = VGroup(row_s, row_h).arrange(DOWN, aligned_edge=LEFT, buff=0.35)
        rows.next_to(self.formula_f, DOWN, buff=0.7).align_to(self.formula_f, LEFT)
        value_h.add_updater(lambda m: m.set_value(h.get_value()))
        value_s.add_updater(lambda m: m.set_value(secant_slope()))
        self.say(0)
        # "slope =" stays; rise over run and the fixed gap's numbers give way to the difference quotient.
        self.play(morph_tex(self.secant_readout, label_s),
                  FadeOut(self.legs), run_time=0.5)
        self.play(FadeIn(value_s), FadeIn(row_h), run_time=0.5)
        self.play(h.animate.set_value(H_FINAL), run_time=4.5,
                  rate_func=rate_functions.ease_in_out_cubic)
        self.wait(0.4)  # the limit's numbers, still, before they give way to the derivative
        value_h.clear_updaters()
        value_s.clear_updaters()
        self.shown["limit_h"] = value_h.latex
        self.shown["limit_slope"] = value_s.latex
        # The limit, from SymPy's derivative and mathcore's gradient.
        tangent_slope = df(X0)
        self.shown["tangent_slope"] = g3(tangent_slope)
        at_x0 = self.tex(r"f'(" + g3(X0) + ")", "=", r"\lim_{h \to 0}", quotient, "=", g3(tangent_slope),
                         font_size=FONT_BODY)
        at_x0[-1].set_color(color)
        deriv = self.tex(r"f'(x) = ", self.surface.partial_latex[0], font_size=FONT_BODY + 4)
        at_x0.move_to(label_s, aligned_edge=LEFT)
        deriv.next_to(at_x0, DOWN, buff=0.45).align_to(self.formula_f, LEFT)
        self.formulas["derivative"] = deriv
        self.formulas["tangent"] = at_x0
        self.tangent_line = self.tangent(X0, color, length=3.4)
        self.scene.remove(live_line, live_dot)
        self.scene.add(self.tangent_line)
        self.say(1, x0=g3(X0), tangent_slope=g3(tangent_slope))
        # The quotient stays; "slope" becomes f'(2) and the limit is written around it.
        self.play(FadeOut(value_s), FadeOut(row_h), run_time=0.3)
        self.play(morph_tex(label_s, at_x0), run_time=0.8)
        self.play(Write(deriv), run_time=1.0)
        self.wait(2.2)
        self.derivative_group = VGroup(at_x0, deriv)

    def nudge_x(self):
        t = self.theme
        color = t.highlight
        x = ValueTracker(X0)
        f, df = self.f, self.df
        fx0 = f(X0)
        # Guides from the moving point to both axes, and arrows for the changes.
        self.scene.remove(self.dot0)
        dot = always_redraw(lambda: Dot(self.p(x.get_value()), radius=0.08, color=t.foreground))
        guides = always_redraw(lambda: VGroup(
            DashedLine(self.axes.c2p(x.get_value(), 0), self.p(x.get_value()), color=t.faint, stroke_width=2),
            DashedLine(self.axes.c2p(0, f(x.get_value())), self.p(x.get_value()), color=t.faint, stroke_width=2)))
        dx_bar = always_redraw(lambda: Line(self.axes.c2p(X0, 0), self.axes.c2p(x.get_value(), 0),
                                            color=t.foreground, stroke_width=8))
        df_bar = always_redraw(lambda: Line(self.axes.c2p(0, fx0), self.axes.c2p(0, f(x.get_value())),
                                            color=color, stroke_width=8))
        lab_dx = self.tex(r"\Delta x =", font_size=FONT_BODY)
        val_dx = SciNumber(0, FONT_BODY, color=t.foreground)
        lab_df = self.tex(r"\Delta f =", font_size=FONT_BODY)
        val_df = SciNumber(0, FONT_BODY, color=color)
        rows = VGroup(VGroup(lab_dx, val_dx).arrange(RIGHT, buff=0.2),
                      VGroup(lab_df, val_df).arrange(RIGHT, buff=0.2)).arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        rows.next_to(self.derivative_group, DOWN, buff=0.6).align_to(self.formula_f, LEFT)
        val_dx.add_updater(lambda m: m.set_value(x.get_value() - X0))
        val_df.add_updater(lambda m: m.set_value(f(x.get_value()) - fx0))
        self.say(0)
        self.scene.add(dot)
        self.play(FadeIn(guides), FadeIn(dx_bar), FadeIn(df_bar), FadeIn(rows), run_time=0.8)
        for target in (X0 + NUDGE, X0 - NUDGE, X0 + NUDGE):
            self.play(x.animate.set_value(target), run_time=1.3, rate_func=rate_functions.ease_in_out_sine)
        val_dx.clear_updaters()
        val_df.clear_updaters()
        slope = df(X0)
        # Delta x and the product as the readouts above print them (3 significant digits): 1.00 beside 1.06.
        approx = self.tex(r"\Delta f \approx f'(" + g3(X0) + r")\,\Delta x = ", g3(slope), r"\times", val_dx.latex,
                          "=", format_sig(slope * NUDGE), font_size=FONT_LABEL)  # (one line: the column's width)
        approx.next_to(rows, DOWN, buff=0.45).align_to(self.formula_f, LEFT)
        self.shown.update(nudge=val_dx.latex, nudge_df=val_df.latex, nudge_approx=format_sig(slope * NUDGE))
        self.formulas["approx"] = approx
        self.say(1, x0=g3(X0), slope=g3(slope))
        self.play(Write(approx), run_time=1.2)
        self.wait(2.2)
        self.play(x.animate.set_value(X0), FadeOut(rows), FadeOut(approx), FadeOut(dx_bar), FadeOut(df_bar),
                  FadeOut(guides), run_time=0.8)
        self.scene.remove(dot, guides, dx_bar, df_bar)
        self.scene.add(self.dot0)

    def slopes_everywhere(self):
        t = self.theme
        color = t.highlight
        x = ValueTracker(X0)
        df = self.df
        self.scene.remove(self.tangent_line, self.dot0)
        tangent = always_redraw(lambda: self.tangent(x.get_value(), color, length=2.6))
        dot = always_redraw(lambda: Dot(self.p(x.get_value()), radius=0.08, color=t.foreground))
        label = self.tex(r"f'(x) =", font_size=FONT_BODY + 4)
        value = SciNumber(df(X0), FONT_BODY + 4, color=color)
        row = VGroup(label, value).arrange(RIGHT, buff=0.2)
        row.next_to(self.derivative_group, DOWN, buff=0.6).align_to(self.formula_f, LEFT)
        value.add_updater(lambda m: m.set_value(df(x.get_value())))
        self.scene.add(tangent, dot)
        self.say(0)
        self.play(FadeIn(row), run_time=0.6)
        self.tour_values = []
        for stop in TOUR:
            if stop == 0.0:
                self.say(1)
            self.play(x.animate.set_value(stop), run_time=1.5, rate_func=rate_functions.ease_in_out_sine)
            self.tour_values.append(stop)
            self.wait(0.5)
        value.clear_updaters()
        self.shown["vertex_slope"] = g3(df(TOUR[-1]))
        flat = self.tex(r"\text{slope } 0", font_size=FONT_LABEL, color=color)
        flat.next_to(self.axes.c2p(TOUR[-1], self.f(TOUR[-1])), UP, buff=0.3)  # inside the bowl, clear of the ticks
        self.play(FadeIn(flat, shift=0.1 * DOWN), run_time=0.6)
        self.wait(1.2)

    def outro(self):
        self.clear(run_time=0.8)


PANEL_LEFT = -0.2  # scene x of the left edge of the formula column
RISE_OVER_RUN = r"\frac{\text{rise}}{\text{run}}"


class DerivativesChapter(Part, Scene):
    """Derivatives on their own: from a secant of x^2 to its tangent, and what the slope means.

    With ``cut_plan`` set on the instance (the explainer does), the explainer's cut.
    """

    def construct(self):
        self.chapter = Derivatives.play_on(self, sections=True)
