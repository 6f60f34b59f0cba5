r"""Chapter 4, the update rule, derived from the first-order Taylor series.

Near :math:`\theta` the loss is almost linear:
:math:`L(\theta + \eta u) \approx L(\theta) + \eta\, u^\top \nabla L(\theta)` (on
:math:`L = \theta^2` at 5 this is SymPy's expansion :math:`25 + 10h` with the :math:`h^2`
dropped, from ``mathcore.taylor``). A unit vector :math:`u` turns around a point of the
chapter-3 surface while :math:`u^\top \nabla L` is plotted against its angle to the gradient:
it is most negative at 180 degrees, so the best step is against the gradient,
:math:`\theta \leftarrow \theta - \eta \nabla L(\theta)`. Then the rule is run by hand on
:math:`\theta^2` from 5.0 with :math:`\eta = 0.1` for 20 steps: ``mathcore.run``'s numbers
fill a scrolling table while the point slides down the parabola.

The explainer's cut (``scenes.explainer.CUTS``, about 31 s instead of 48) plays every beat at
its pace: one step is written out (``arithmetic_steps``) and the table stops after
``table_steps`` steps (same run, same numbers).

Render alone::

    manim -ql scenes/parts/update_rule.py UpdateRuleChapter
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from manim import (
    DOWN, LEFT, PI, RIGHT, UP, Arrow, Circle, Create, DashedLine, Dot, GrowArrow, Line, RoundedRectangle, Scene, VMobject,
    SurroundingRectangle, ValueTracker, VGroup, Write, always_redraw, linear, rate_functions,
)
from scenes.animations import FadeIn, FadeOut, fade_out_first
from scenes.part import Part

import mathcore
from mathcore.symbolic import taylor_function
from scenes.chapter import (
    Chapter, ShiftBy, closed_levels, g3, load_narration, sig,
)
from scenes.mobjects import MapPanel, SciNumber, morph_tex, tagged, themed_axes, tick_numbers
from scenes.parts.gradient import POINT as DIRECTION_POINT
from scenes.parts.gradient import gradient_surface
from scenes.theme import FONT_BODY, FONT_LABEL, FONT_SMALL, MARGIN

CHAPTER = "update_rule"
SURFACE = "parabola"
START = 5.0
LR = 0.1
STEPS = 20
ARITHMETIC_STEPS = 2  # the first steps are written out in full
VISIBLE_ROWS = 7  # rows of the table on screen at once (it scrolls)
MAP_LEVELS = (0.25, 0.75, 1.5, 2.5, 3.5)  # contour levels of the direction map
STOP_ANGLE = 180.0
ZOOM_FROM, ZOOM_TO = 4.0, 0.15  # half-widths of the Taylor zoom window, in theta  # where the turning direction stops, in degrees from the gradient

TABLE_LEFT, TABLE_GAP = 0.75, 0.45  # the hand-run table's left edge and gap between columns (scene units)
# The Taylor line and the rule, term by term: the rule's theta, eta and gradient come out of the line.
TAYLOR_TERMS = (r"L(", r"\theta", "+", r"\eta", "u", ")", r"\approx", r"L(\theta)", "+", r"\eta\,", r"u^{\top}",
                r"\nabla L(\theta)")
RULE_TERMS = (r"\theta", r"\leftarrow", r"\theta", "-", r"\eta", r"\nabla L(\theta)")

BEATS = (
    "taylor",
    "turn_direction",
    "the_rule",
    "hand_setup",
    "hand_first_steps",
    "hand_rest",
    "outro",
)
NARRATION = load_narration(CHAPTER)

THETA = sp.Symbol("theta")
H = sp.Symbol("h")


def run_by_hand() -> mathcore.Trajectory:
    """The hand-run: gradient descent on the parabola from 5.0, eta = 0.1, 20 steps."""
    return mathcore.run(SURFACE, "gd", [START], STEPS, LR)


def theta_latex(expr, surface) -> str:
    """SymPy LaTeX of one of the surface's expressions with its variable renamed theta."""
    return sp.latex(expr.subs(surface.variables[0], THETA))


def taylor_example(surface, point: float = START) -> dict[str, str]:
    """LaTeX of :math:`L(a + h)` exactly and to first order (``mathcore.taylor``) at ``a``."""
    var = surface.variables[0]
    a = sp.nsimplify(point)  # 5.0 -> 5, so that SymPy prints 10 h + 25, not 10.0 h + 25.0
    exact = sp.expand(surface.expr.subs(var, a + H))
    first = sp.expand(mathcore.taylor(surface.expr, var, a, 1).subs(var, a + H))
    return {"exact": sp.latex(exact), "first": sp.latex(first)}


def tangent_function(surface, point: float = START):
    """The first-order Taylor polynomial of the surface at ``point`` (``mathcore.taylor``), as a
    NumPy function of the variable."""
    var = surface.variables[0]
    return taylor_function(surface.expr, var, sp.nsimplify(point), 1)


def table_rows(trajectory) -> list[tuple[str, str, str, str]]:
    """The strings of the hand-run table: step, theta_k, L'(theta_k), L(theta_k), 3 significant digits."""
    return [(str(k), sig(p[0]), sig(g[0]), sig(f))
            for k, (p, g, f) in enumerate(zip(trajectory.points, trajectory.grads, trajectory.losses))]


class UpdateRule(Chapter):
    """The beats of this chapter (a 2D scene)."""

    name = CHAPTER
    BEATS = BEATS

    def __init__(self, scene, theme=None, sections=False):
        super().__init__(scene, theme, sections)
        self.arithmetic_steps = self.option("arithmetic_steps", ARITHMETIC_STEPS)
        self.parabola = parabola = mathcore.get_surface(SURFACE)
        self.L = lambda v: float(parabola.f(np.array([v])))
        self.run = run_by_hand()
        self.rows = table_rows(self.run)
        run = self.run
        self.state(start=g3(START), lr=g3(LR), slope0=g3(run.grads[0][0]), step0=g3(LR * run.grads[0][0]),
                   theta1=g3(run.points[1][0]), ratio=g3(run.points[1][0] / run.points[0][0]))
        self.map_surface = gradient_surface()
        self.point = np.array(DIRECTION_POINT, float)
        self.grad = self.map_surface.grad(self.point)
        self.shown: dict[str, object] = {}
        self.formulas: dict[str, object] = {}
        self.table_shown: list[tuple[str, ...]] = []

    # ------------------------------------------------------------------ beats
    def taylor(self):
        t = self.theme
        # Terms the update rule shares (theta, eta, the gradient) are parts of their own: the rule
        # is morphed out of this line (:meth:`the_rule`).
        general = self.tex(*TAYLOR_TERMS, font_size=FONT_BODY + 6)
        general[-3:].set_color(t.highlight)
        general.to_edge(UP, buff=MARGIN)
        ex = taylor_example(self.parabola)
        f_latex = theta_latex(self.parabola.expr, self.parabola)
        example_head = self.tex(r"L(\theta) = " + f_latex + r":\quad L(" + g3(START) + r" + h) = ", ex["exact"],
                                r"\approx", ex["first"], font_size=FONT_BODY)
        example_head[1].set_color(t.muted)
        example_head[3].set_color(t.highlight)
        example_head.next_to(general, DOWN, buff=0.6)
        self.formulas.update(taylor=general, taylor_example=example_head)
        self.shown["taylor_exact"], self.shown["taylor_first"] = ex["exact"], ex["first"]
        zoom = self._zoom_window()
        self.say(0)
        self.play(Write(general), run_time=1.5)
        self.play(FadeIn(example_head), FadeIn(zoom.frame), FadeIn(zoom.label), run_time=0.8)
        self.scene.add(zoom.curves)
        self.play(zoom.half.animate.set_value(ZOOM_TO), run_time=3.0,
                  rate_func=rate_functions.ease_in_out_cubic)
        self.wait(1.0)
        zoom.curves.clear_updaters()
        self.play(FadeOut(example_head), FadeOut(zoom.frame), FadeOut(zoom.label), FadeOut(zoom.curves),
                  run_time=0.5)
        self.taylor_formula = general

    def _zoom_window(self) -> VGroup:
        """A box showing L and its tangent line at START over a window that shrinks: the bend
        of the curve (the h^2 term) vanishes against the straight first-order term."""
        t = self.theme
        width, height = 6.0, 2.6
        center = np.array([0.0, -0.85, 0.0])
        frame = RoundedRectangle(width=width, height=height, corner_radius=0.1, stroke_color=t.faint,
                                 stroke_width=2).move_to(center)
        half = ValueTracker(ZOOM_FROM)
        L, tangent = self.L, tangent_function(self.parabola)
        slope = float(self.parabola.grad(np.array([START]))[0])
        base = self.L(START)

        def to_box(th, val, h):
            # Same screen angle for the tangent at every zoom: y scaled by the slope.
            return center + np.array([(th - START) / h * width / 2 * 0.92,
                                      (val - base) / (abs(slope) * h) * height / 2 * 0.8, 0.0])

        def curves():
            h = half.get_value()
            ths = np.linspace(START - h, START + h, 80)
            pts_c = np.array([to_box(a, L(a), h) for a in ths])
            pts_t = np.array([to_box(a, float(tangent(a)), h) for a in ths])
            keep = np.abs(pts_c[:, 1] - center[1]) <= height / 2 - 0.08
            curve = VMobject(stroke_color=t.foreground, stroke_width=4).set_points_smoothly(pts_c[keep])
            line = VMobject(stroke_color=t.highlight, stroke_width=3).set_points_as_corners(pts_t[[0, -1]])
            dot = Dot(to_box(START, base, h), radius=0.06, color=t.foreground)
            return VGroup(line, curve, dot)

        group = VGroup()
        group.frame = frame
        group.half = half
        group.curves = always_redraw(curves)
        group.label = self.text(f"zoom in around θ = {g3(START)}", FONT_SMALL, t.muted).next_to(frame, UP, buff=0.12)
        group.label.align_to(frame, LEFT)
        return group

    def turn_direction(self):
        t = self.theme
        surf = self.map_surface
        contours = MapPanel(surf, surf.domain, t, side=4.4, center=(-3.6, -0.45, 0),
                            levels=closed_levels(surf, MAP_LEVELS), labels=False, framed=False,
                            filled=False, line_opacity=0.8)  # a sketch of the level sets, not a map
        p = contours.at(self.point)
        g = self.grad
        g_norm = float(np.linalg.norm(g))
        g_hat = g / g_norm
        radius = 1.25
        dot = Dot(p, radius=0.07, color=t.foreground)
        theta_label = self.tex(r"\theta", font_size=FONT_LABEL).next_to(dot, UP + LEFT, buff=0.08)
        circle = Circle(radius=radius, color=t.faint, stroke_width=2).move_to(p)
        grad_end = np.array(p) + 1.6 * np.append(g_hat, 0)
        grad_arrow = tagged(Arrow(p, grad_end, buff=0, color=t.gradient, stroke_width=6, tip_length=0.22), "gradient")
        grad_label = self.tex(r"\nabla L", font_size=FONT_LABEL + 4, color=t.gradient).next_to(grad_end, UP, buff=0.1)
        angle = ValueTracker(0.0)

        def u_vec(a_deg):
            a = np.deg2rad(a_deg)
            rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
            return rot @ g_hat

        def u_dot_g(a_deg):
            v = float(u_vec(a_deg) @ g)  # u^T grad L with mathcore's gradient
            # At 90 degrees cos and sin leave ~1e-16 of rounding: that is 0, not a number to read.
            return 0.0 if abs(v) < 1e-9 * float(np.linalg.norm(g)) else v

        u_arrow = always_redraw(lambda: Arrow(p, np.array(p) + radius * np.append(u_vec(angle.get_value()), 0),
                                              buff=0, color=t.foreground, stroke_width=5, tip_length=0.2))
        def u_label_at(a_deg):
            # Beside the middle of u's shaft (clockwise side): at its tip it would sit on the
            # gradient's label whenever u turns past the gradient.
            d = u_vec(a_deg)
            return np.array(p) + np.append(0.55 * radius * d + 0.3 * np.array([d[1], -d[0]]), 0)

        u_label = always_redraw(lambda: self.tex("u", font_size=FONT_LABEL + 4).move_to(u_label_at(angle.get_value())))
        # The plot of u^T grad L against the angle.
        plot_axes = themed_axes(t, [0, 360, 90], [-4, 4, 2], 4.6, 2.6).move_to(np.array([3.3, -0.9, 0]))
        x_ticks = VGroup(*(self.tex(rf"{v}^\circ", font_size=FONT_SMALL, color=t.muted).next_to(
            plot_axes.c2p(v, -4), DOWN, buff=0.12) for v in (0, 90, 180, 270, 360)))
        y_name = self.tex(r"u^{\top} \nabla L", font_size=FONT_LABEL, color=t.muted).next_to(
            plot_axes.c2p(0, 4), UP, buff=0.15).align_to(plot_axes, LEFT)
        trace_dot = always_redraw(lambda: Dot(plot_axes.c2p(angle.get_value(), u_dot_g(angle.get_value())),
                                              radius=0.07, color=t.highlight))
        trace = always_redraw(lambda: plot_axes.plot(u_dot_g, x_range=[0, max(angle.get_value(), 1e-3),
                                                                         max(angle.get_value() / 60, 0.5)],
                                                      color=t.highlight, stroke_width=4))
        lab_a = self.tex(r"\text{angle} =", font_size=FONT_BODY)
        val_a = SciNumber(0, FONT_BODY, color=t.foreground, integer=True)
        degree = self.tex(r"{}^\circ", font_size=FONT_BODY)
        lab_v = self.tex(r"u^{\top} \nabla L =", font_size=FONT_BODY)
        val_v = SciNumber(u_dot_g(0), FONT_BODY, color=t.highlight)
        readout = VGroup(VGroup(lab_a, val_a).arrange(RIGHT, buff=0.2), VGroup(lab_v, val_v).arrange(RIGHT, buff=0.2)
                         ).arrange(DOWN, aligned_edge=LEFT, buff=0.25)
        readout.next_to(plot_axes, UP, buff=0.75).align_to(plot_axes, LEFT)
        readout[0].add(degree)
        val_a.add_updater(lambda m: m.set_value(angle.get_value()))
        degree.add_updater(lambda m: m.next_to(val_a, RIGHT, buff=0.04).align_to(val_a, UP))
        val_v.add_updater(lambda m: m.set_value(u_dot_g(angle.get_value())))
        self.say(0)
        setup = [FadeIn(contours), FadeIn(dot), FadeIn(theta_label), Create(circle)]
        plot = [GrowArrow(grad_arrow), FadeIn(grad_label), Create(plot_axes), FadeIn(x_ticks), FadeIn(y_name),
                FadeIn(readout)]
        self.play(*setup, run_time=1.0)
        self.scene.add(u_arrow, u_label)
        self.play(*plot, run_time=1.0)
        self.scene.add(trace, trace_dot)
        self.play(angle.animate.set_value(360), run_time=4.0, rate_func=linear)
        self.play(angle.animate.set_value(STOP_ANGLE), run_time=1.4,
                  rate_func=rate_functions.ease_in_out_sine)
        for m in (val_a, degree, val_v):
            m.clear_updaters()
        best = u_dot_g(STOP_ANGLE)
        self.shown["best_angle"] = STOP_ANGLE
        self.shown["best_value"] = sig(best)
        self.shown["grad_norm"] = sig(g_norm)
        low = plot_axes.c2p(STOP_ANGLE, best)
        mark = DashedLine(plot_axes.c2p(STOP_ANGLE, 4), plot_axes.c2p(STOP_ANGLE, -4), color=t.muted, stroke_width=2)
        # The lowest value is named at the curve's bottom; its number is the readout's, just above.
        note = self.tex(r"-\lVert \nabla L \rVert", font_size=FONT_LABEL + 4, color=t.gradient)
        note.next_to(low, RIGHT, buff=0.2).shift(0.3 * UP)  # (above the tick numbers)
        self.say(1)
        self.play(Create(mark), FadeIn(note), run_time=0.8)
        self.wait(1.8)
        self.direction_group = VGroup(contours, dot, theta_label, circle, grad_arrow, grad_label, plot_axes, x_ticks,
                                      y_name, readout, mark, note)
        self.direction_live = VGroup(u_arrow, u_label, trace, trace_dot)

    def the_rule(self):
        t = self.theme
        scene = self.scene
        for m in self.direction_live:
            m.clear_updaters()
        best_u = self.tex(r"u = -\frac{\nabla L(\theta)}{\lVert \nabla L(\theta) \rVert}", font_size=FONT_BODY + 4)
        rule = self.tex(*RULE_TERMS, font_size=FONT_BODY + 16)
        # eta in its learning rate's colour, as in the learning-rate chapter
        eta_color = t.rate_colors([LR])[LR]
        self.rule_colors = {4: eta_color, 5: t.color("gradient")}  # (the small rule keeps them)
        for i, color in self.rule_colors.items():
            rule[i].set_color(color)
        # Side by side: the rule's terms fly down from the Taylor line without crossing best_u.
        VGroup(best_u, rule).arrange(RIGHT, buff=1.4).move_to(UP * 0.1)
        box = SurroundingRectangle(rule, buff=0.25, color=t.faint, corner_radius=0.12)
        eta_note = self.text("learning rate", FONT_LABEL, eta_color).next_to(box, DOWN, buff=0.5)
        eta_note.align_to(box, LEFT).shift(LEFT * 0.3)
        grad_note = self.text("gradient", FONT_LABEL, t.color("gradient")).next_to(box, DOWN, buff=0.5)
        grad_note.align_to(box, RIGHT).shift(RIGHT * 0.3)
        arrows = VGroup(Line(eta_note.get_top(), rule[4].get_bottom() + DOWN * 0.1, color=eta_color, stroke_width=2),
                        Line(grad_note.get_top(), rule[5].get_bottom() + DOWN * 0.1, color=t.color("gradient"),
                             stroke_width=2))
        self.formulas.update(best_u=best_u, rule=rule)
        # The dial and its plot leave before the two-line caption comes (the plot reaches its band).
        scene.play(FadeOut(self.direction_group), FadeOut(self.direction_live), run_time=0.7)
        self.say(0)
        scene.play(Write(best_u), run_time=1.1)
        self.wait(0.4)
        # theta, eta and the gradient fly out of the Taylor line (it stays) into the rule.
        scene.play(morph_tex(self.taylor_formula.copy(), rule), run_time=1.2)
        scene.play(Create(box), FadeIn(eta_note), FadeIn(grad_note), Create(arrows), run_time=0.8)
        self.wait(2.0)
        self.rule_group = VGroup(best_u, rule, box, eta_note, grad_note, arrows)

    def hand_setup(self):
        t = self.theme
        scene = self.scene
        # The rule goes to the top left; the parabola below it; the table on the right.
        small_rule = self.tex(*RULE_TERMS, font_size=FONT_BODY)
        small_rule.to_corner(UP + LEFT, buff=MARGIN)
        setting = self.tex(r"L(\theta) = ", theta_latex(self.parabola.expr, self.parabola), r",\quad",
                           r"\nabla L = ", theta_latex(self.parabola.grad_exprs[0], self.parabola), r",\quad",
                           r"\theta_0 = " + g3(START) + r",\quad \eta = " + g3(LR), font_size=FONT_LABEL + 2)
        setting.next_to(small_rule, DOWN, buff=0.3).align_to(small_rule, LEFT)
        self.formulas.update(loss=setting)
        self.axes = themed_axes(t, [-1, 5.5, 1], [0, 27, 5], 5.6, 3.8).move_to(np.array([-3.55, -0.55, 0]))
        ticks = tick_numbers(self.axes, t, xs=(1, 2, 3, 4, 5), ys=(10, 20), font_size=FONT_SMALL)
        graph = self.axes.plot(self.L, x_range=[-1, 5.2, 0.02], color=t.foreground, stroke_width=3)
        x_name = self.tex(r"\theta", font_size=FONT_LABEL, color=t.muted).next_to(self.axes.c2p(5.5, 0), RIGHT, buff=0.15)
        self.table = self._table_frame()
        self.say(0, start=g3(START), lr=g3(LR))
        best_u, rule, *notes = self.rule_group
        for i, color in self.rule_colors.items():  # each term keeps its colour as it moves
            small_rule[i].set_color(color)
        # The rest is gone before the rule, shrinking, reaches the corner where the Taylor line was.
        scene.play(*fade_out_first(self.taylor_formula, best_u, *notes), morph_tex(rule, small_rule), run_time=1.0)
        scene.play(FadeIn(setting), run_time=0.8)
        scene.play(Create(self.axes), FadeIn(ticks), FadeIn(x_name), Create(graph), FadeIn(self.table),
                   run_time=1.2)
        self.point_dot = Dot(self.axes.c2p(START, self.L(START)), radius=0.09, color=t.optimizer_color("gd"))
        self.visible_rows = VGroup()
        self._add_row(0, run_time=0.6, extra=[FadeIn(self.point_dot, scale=0.5)])
        self.wait(1.0)
        self.small_rule, self.setting = small_rule, setting

    def _table_frame(self) -> VGroup:
        """The header and rule of the hand-run table. Number columns are aligned on the decimal
        point (10.0 over 8.00, not right edges), wide enough for every row of the run."""
        t = self.theme
        heads = [r"k", r"\theta_k", r"\nabla L(\theta_k)", r"L(\theta_k)"]
        digit = self.tex("0" * 10, font_size=FONT_LABEL).width / 10  # one digit's advance
        self.row_h = 0.48
        self.header_y = 1.05
        self.col_point = []  # scene x of each column's decimal point (of its units digit's right edge)
        header = VGroup()
        x = TABLE_LEFT
        for head, values in zip(heads, zip(*self.rows)):
            whole = max(len(v.split(".")[0]) for v in values) * digit
            point = max((len(v.split(".")[1]) + 0.5 if "." in v else 0.0) for v in values) * digit
            m = self.tex(head, font_size=FONT_LABEL, color=t.muted)
            width = max(whole + point, m.width)
            self.col_point.append(x + (width - whole - point) / 2 + whole)
            header.add(m.move_to(np.array([x + width / 2, self.header_y, 0])))
            x += width + TABLE_GAP
        self.table_right = x - TABLE_GAP
        rule = Line(np.array([TABLE_LEFT, self.header_y - 0.3, 0]), np.array([self.table_right, self.header_y - 0.3, 0]),
                    color=t.faint, stroke_width=2)
        return VGroup(header, rule)

    def _row_mobject(self, k: int, slot: int) -> VGroup:
        t = self.theme
        y = self.header_y - 0.3 - self.row_h * (slot + 0.75)
        row = VGroup()
        colors = [t.muted, t.foreground, t.foreground, t.foreground]
        for text, point, color in zip(self.rows[k], self.col_point, colors):
            cell = self.tex(text, font_size=FONT_LABEL, color=color).set_y(y)
            if "." in text:  # plain digits: one glyph per character
                cell.shift(RIGHT * (point - cell[0][text.index(".")].get_left()[0]))
            else:
                cell.shift(RIGHT * (point - cell.get_right()[0]))
            row.add(cell)
        return row

    def _add_row(self, k: int, run_time: float = 0.4, extra=()):
        """Add table row ``k`` at the bottom, scrolling the others up when the window is full."""
        anims = list(extra)
        slot = min(k, VISIBLE_ROWS - 1)
        row = self._row_mobject(k, slot)
        if k >= VISIBLE_ROWS:
            top = self.visible_rows[0]
            self.visible_rows.remove(top)
            anims += [FadeOut(top, shift=UP * self.row_h * 0.5), ShiftBy(self.visible_rows, UP * self.row_h)]
        anims.append(FadeIn(row, shift=UP * 0.15))
        self.play(*anims, run_time=run_time)
        self.visible_rows.add(row)
        self.table_shown.append(tuple(self.rows[k]))

    def _move_point(self, k: int):
        """The point from step k to k + 1 on the parabola, leaving a faint trace."""
        t = self.theme
        a, b = float(self.run.points[k][0]), float(self.run.points[k + 1][0])
        trace = Dot(self.axes.c2p(a, self.L(a)), radius=0.05, color=t.optimizer_color("gd")).set_opacity(0.45)
        self.scene.add(trace)
        return self.point_dot.animate.move_to(self.axes.c2p(b, self.L(b)))

    def hand_first_steps(self):
        t = self.theme
        scene = self.scene
        line = None
        for k in range(self.arithmetic_steps):
            p, g, q = float(self.run.points[k][0]), float(self.run.grads[k][0]), float(self.run.points[k + 1][0])
            new = self.tex(r"\theta_{%d} = " % (k + 1), sig(p), r"-", g3(LR), r"\times", sig(g), "=", sig(q),
                           font_size=FONT_BODY)
            new[5].set_color(t.color("gradient"))  # the gradient's value
            new[7].set_color(t.highlight)
            new.move_to(np.array([(TABLE_LEFT + self.table_right) / 2, 1.95, 0]))
            self.formulas[f"step_{k + 1}"] = new
            if k == 0:
                self.say(0)
            if line is None:
                scene.play(Write(new), run_time=1.4)
            else:  # the last result becomes the next start: the shared numbers move, the rest swap
                # (the old result passes under the line to its new place, not through its terms)
                scene.play(morph_tex(line, new, path_arc=-PI / 3), run_time=0.7)
            self.wait(1.2)
            self._add_row(k + 1, run_time=0.8, extra=[self._move_point(k)])
            self.wait(0.3)
            line = new
        self.arith_line = line

    def hand_rest(self):
        t = self.theme
        ratio = float(self.run.points[1][0] / self.run.points[0][0])
        self.shown["ratio"] = g3(ratio)
        # The cut stops the table early (the same run's first ``table_steps`` steps), its rows
        # slower (``row_seconds``) so that each can be seen to appear.
        last = self.option("table_steps", self.run.n_steps)
        if self.option("rest_caption", True):  # a short table gives it no time to be read
            self.say(0)
        self.play(FadeOut(self.arith_line), run_time=0.4)
        for k in range(self.arithmetic_steps, last):
            self._add_row(k + 1, run_time=self.option("row_seconds", 0.28), extra=[self._move_point(k)])
        final = sig(self.run.points[last][0])
        self.shown["final"] = final
        self.say(1, last=last, final=final)
        self.play(self.visible_rows[-1].animate.set_color(t.highlight), run_time=0.5)
        self.wait(2.2)

    def outro(self):
        self.clear(run_time=0.8)


class UpdateRuleChapter(Part, Scene):
    """The update rule on its own: from the Taylor series to the rule, then 20 steps by hand.

    With ``cut_plan`` set on the instance (the explainer does), the explainer's cut.
    """

    def construct(self):
        self.chapter = UpdateRule.play_on(self, sections=True)
