r"""Scene 3: the learning rate, too small, about right, too large; then on the sigmoid error.

Render: ``manim -ql scenes/learning_rate.py LearningRate``.

Part 1: gradient descent on :math:`f(x) = x^2` from :math:`x = 5` with three step sizes
side by side (defaults 0.01, 0.1 and 1.05), one shared step counter, the rule with the
numbers of the first steps, and how many steps each needs to reach :math:`|x| \le 0.01`.
With :math:`\eta = 1.05` every step overshoots by more than it corrects
(:math:`x_{k+1} = (1 - 2\eta) x_k = -1.1\,x_k`): the run leaves the plot, gets a
"diverged" mark where it left, and mathcore reports the step at which it passed
:math:`|x| > 10^6`.

Part 2: the same start (-2, -2) on the sigmoid error with :math:`\eta \in \{0.1, 0.5, 1, 5, 10\}`
and one step budget: on this flat surface the larger steps win.

Beats (one manim section each, narration in ``assets/narration/learning_rate.toml``):
``three_step_sizes`` (the panels, the rule with the numbers of step 0, the first steps
slowly), ``run_to_the_end`` (the rest of the runs, the "diverged" mark and what each run
reports), ``sigmoid_error`` (part 2).

Explainer cut: when ``explainer_cut`` is set on the instance (``scenes.explainer.play_part``
does), the same beats play in about 28 s instead of 42: one slow step instead of two (the
rule shows the numbers of steps 0 and 1), shorter holds and runs, and everything fades out
at the end, since the next part plays on the same scene.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Axes, Create, FadeIn, FadeOut, VGroup, VMobject, Write

import mathcore
from scenes.animations import StepSwitch, StepTracker, advance, drive, release
from scenes.common import ThemedScene
from scenes.config import LearningRateConfig, load_or_exit
from scenes.mobjects import (
    LossPlot, Marker, StepCounter, Trail, clip_to_box, contour_lines, diverged_mark, filled_bands,
    flat, format_level, format_sig, legend, map_frame, style_axes, math, start_mark, substituted_rule_tex, text,
)
from scenes.mobjects.heights import HeightMap
from scenes.theme import AXIS_WIDTH, FONT_BODY, FONT_SMALL, FONT_TITLE, MARGIN

PANEL_XS = (-4.45, 0.0, 4.45)
PANEL_Y = 0.75
SIGMOID_LEVELS = (0.003, 0.01, 0.03, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6)


@dataclass
class LearningRateData:
    cfg: LearningRateConfig

    @cached_property
    def parabola(self):
        return mathcore.get_surface("parabola")

    @cached_property
    def parabola_runs(self):
        c = self.cfg
        return [mathcore.run(self.parabola, "gd", [c.parabola_start], c.max_steps, lr, bound=c.bound)
                for lr in c.parabola_lrs]

    def arrival(self, traj) -> int | None:
        """The first step with :math:`|x - x^*| \\le` tolerance, read off the run (None if never)."""
        target = np.asarray(self.parabola.minima[0], float)
        close = np.linalg.norm(traj.points - target, axis=1) <= self.cfg.tolerance
        return int(np.argmax(close)) if close.any() else None

    @cached_property
    def sigmoid(self):
        return mathcore.get_surface("sigmoid-error")

    @cached_property
    def sigmoid_runs(self):
        c = self.cfg
        return [mathcore.run(self.sigmoid, "gd", c.sigmoid_start, c.sigmoid_steps, lr) for lr in c.sigmoid_lrs]


class LearningRate(ThemedScene):
    """Three step sizes on a parabola, side by side; then five on the sigmoid error."""

    config_table = "learning_rate"

    BEATS = ("three_step_sizes", "run_to_the_end", "sigmoid_error")

    def construct(self):
        self.cfg = load_or_exit(self.config_table)
        self.data = LearningRateData(self.cfg)
        self.parabola_part()
        self.sigmoid_part()
        if self.cut:
            self.clear_for_next_part()

    # ------------------------------------------------------------------ part 1

    def _panel(self, i: int, traj, color):
        """Axes with the parabola, the run's ball and chords, its rule and counter."""
        theme, d, cfg = self.theme, self.data, self.cfg
        reach = 1.6 * abs(cfg.parabola_start)
        ax = Axes(x_range=(-reach, reach, reach / 2), y_range=(0, reach**2, reach**2 / 2), x_length=3.7, y_length=2.4,
                  axis_config={"color": theme.muted, "stroke_width": AXIS_WIDTH, "include_tip": False,
                               "font_size": FONT_SMALL},
                  x_axis_config={"include_numbers": True, "decimal_number_config": {"num_decimal_places": 0}},
                  y_axis_config={"include_numbers": False})
        style_axes(ax, theme).move_to([PANEL_XS[i], PANEL_Y, 0])
        xs = np.linspace(-reach, reach, 161)
        curve = VMobject(stroke_color=theme.muted, stroke_width=3)
        curve.set_points_smoothly(np.asarray(ax.c2p(xs, d.parabola.f(xs[None, :])), float).T)
        lr = traj.lrs[0]
        head = math(rf"\eta = {lr:g}", theme, FONT_BODY, color=color).next_to(ax, UP, buff=0.3)
        finite = np.isfinite(traj.losses)
        pts = np.asarray(ax.c2p(traj.points[finite, 0], traj.losses[finite]), float).T
        lo, hi = ax.c2p(-reach, 0), ax.c2p(reach, reach**2)
        shown, exit_index = clip_to_box(pts, (lo[0], hi[0], lo[1] - 1e-6, hi[1]))
        trail = Trail(shown, color, width=3, step=0)
        ball = Marker(shown, color, theme, radius=0.08)
        # The rule with the numbers of steps 0, 1, 2 (then it stays on step 2's); the cut
        # takes one slow step, so it shows steps 0 and 1 only.
        variants = []
        for k in range(min(2 if self.cut else 3, traj.n_steps)):
            tex = substituted_rule_tex(traj, k, theme, font_size=FONT_SMALL, theta_latex=d.parabola.variable_names[0])
            tex.move_to([PANEL_XS[i], -1.35, 0])
            variants.append((k, flat(tex, merge=True)))  # one path per version: redrawn each frame
        rule = StepSwitch(variants)
        arrival = d.arrival(traj)
        # The counter stops where the run stops: on arrival, or where it leaves the plot.
        stop = arrival if arrival is not None else len(shown) - 1 if exit_index is not None else int(traj.n_steps)
        counter = StepCounter(theme, last=stop, color=color)
        counter.move_to([PANEL_XS[i], -2.3, 0])
        return dict(axes=ax, curve=curve, head=head, trail=trail, ball=ball, rule=rule, counter=counter,
                    exit_index=exit_index, shown=shown, traj=traj, color=color, arrival=arrival)

    def parabola_part(self):
        theme, d, cfg, pace = self.theme, self.data, self.cfg, self.pace
        self.next_section("three_step_sizes")
        colors = (theme.series[0], theme.series[1], theme.series[3])
        self.title = text("Choosing the learning rate", theme, FONT_TITLE)
        self.title.to_corner(UP + LEFT, buff=MARGIN)
        formula = math(r"f(x) = " + d.parabola.latex, theme, FONT_BODY).to_corner(UP + RIGHT, buff=MARGIN)
        formula.align_to(self.title, DOWN)
        panels = [self._panel(i, traj, c) for i, (traj, c) in enumerate(zip(d.parabola_runs, colors))]
        self.panels = panels
        statics = VGroup(*[VGroup(p["axes"], p["curve"], p["head"]) for p in panels])
        start = cfg.parabola_start
        caption = f"Gradient descent from x = {start:g}: the same rule, three step sizes"
        if self.cut:
            self.play(Write(self.title), Write(formula), FadeIn(statics), run_time=1.2)
            for p in panels:
                self.add(p["trail"])
            self.play(*self.captions.show(caption), *[FadeIn(p["ball"]) for p in panels],
                      *[FadeIn(p["rule"]) for p in panels], FadeIn(VGroup(*[p["counter"] for p in panels])),
                      run_time=0.8)
            self.wait(2.2)  # the rule of step 0, with numbers: read the three before anything moves
        else:
            self.play(Write(self.title), Write(formula), run_time=1.5)
            self.play(FadeIn(statics), run_time=1.0)
            self.play(*self.captions.show(caption), *[FadeIn(p["ball"]) for p in panels], run_time=0.8)
            for p in panels:
                self.add(p["trail"])
            self.play(*[FadeIn(p["rule"]) for p in panels], FadeIn(VGroup(*[p["counter"] for p in panels])),
                      run_time=0.8)
            self.wait(2.5)  # the rule of step 0, with numbers: read the three before anything moves

        tracker = StepTracker(0)
        driven = [m for p in panels for m in (p["trail"], p["ball"], p["rule"], p["counter"])]
        drive(tracker, *driven)
        self.add(tracker)
        # Two steps slowly (each new rule held 2 s), then the rest at a brisk pace; the cut
        # takes one (its rule then stays while the runs go on).
        self.play(advance(tracker, 1, 2.0))
        if not self.cut:
            self.play(advance(tracker, 2, 2.0))
        arrivals = [p["arrival"] for p in panels]
        last = max([a for a in arrivals if a is not None] + [len(p["shown"]) - 1 for p in panels])

        self.next_section("run_to_the_end")
        self.play(*self.captions.show("Too small crawls; too large overshoots further each time"), run_time=0.6)
        # A run that leaves the plot gets its mark the moment it leaves; early steps stay slow.
        for p in sorted((p for p in panels if p["exit_index"] is not None), key=lambda p: len(p["shown"])):
            edge_step = len(p["shown"]) - 1
            if edge_step > tracker.get_value():
                self.play(advance(tracker, edge_step, pace(0.6, 0.45) * (edge_step - tracker.get_value())))
            edge = p["shown"][-1]
            mark = diverged_mark(edge, edge - p["shown"][-2], theme, step=None, font_size=FONT_SMALL)
            mark.caption.next_to(mark.cross, DOWN, buff=0.15)
            mark.caption.add_background_rectangle(color=theme.background, opacity=0.85, buff=0.05)
            p["mark"] = mark
            self.play(FadeIn(mark, scale=1.3), run_time=pace(0.6, 0.5))
        if last > tracker.get_value():
            self.play(advance(tracker, last, pace(7.0, 4.5)))
        release(*driven)
        marks = [(p, p["mark"]) for p in panels if "mark" in p]

        # What each run reports.
        results = VGroup()
        for p, arrival in zip(panels, arrivals):
            traj = p["traj"]
            if traj.status == "diverged":
                words = rf"\text{{diverged: }} |x| > {format_level(cfg.bound)}\ \text{{at step {traj.n_steps}}}"
            elif arrival is not None:
                words = rf"|x| \le {cfg.tolerance:g}\ \text{{after {arrival} steps}}"
            else:
                words = rf"\text{{not there after {traj.n_steps} steps}}"
            res = math(words, theme, FONT_SMALL, color=p["color"]).move_to([p["axes"].get_center()[0], -2.85, 0])
            results.add(res)
        self.results = results
        if self.cut:
            self.play(*self.captions.show(None), FadeIn(results), run_time=0.8)
            self.wait(2.4)
        else:
            self.play(*self.captions.show(None), run_time=0.5)
            self.play(FadeIn(results), run_time=0.8)
            self.wait(3.0)
        everything = VGroup(statics, *[VGroup(p["trail"], p["ball"], p["rule"], p["counter"]) for p in panels],
                            results, formula, *[m for _, m in marks])
        self.play(FadeOut(everything), FadeOut(self.title), run_time=pace(0.8, 0.6))
        self.remove(tracker)

    # ------------------------------------------------------------------ part 2

    def sigmoid_part(self):
        theme, d, cfg = self.theme, self.data, self.cfg
        surface = d.sigmoid
        runs = d.sigmoid_runs
        colors = theme.series[: len(runs)]
        new_title = text("Sigmoid error: larger steps win", theme, FONT_TITLE).to_corner(UP + LEFT, buff=MARGIN)
        (w0, w1), (b0, b1) = surface.domain
        side = 4.4
        ax = Axes(x_range=(w0, w1, 2), y_range=(b0, b1, 2), x_length=side, y_length=side).move_to([-3.3, 0.05, 0])
        to_map = lambda xy: np.asarray(ax.c2p(np.asarray(xy)[:, 0], np.asarray(xy)[:, 1]), float).T  # noqa: E731
        heights = HeightMap.for_surface(surface)
        bands = filled_bands(surface, to_map, SIGMOID_LEVELS, theme, heights, opacity=0.6)
        lines = contour_lines(surface, to_map, SIGMOID_LEVELS, theme, heights, stroke_width=1.2,
                              color_by_level=False, opacity=0.5)
        frame = map_frame(ax, theme, surface.variable_names, step=2)
        start = start_mark(to_map(np.array([cfg.sigmoid_start]))[0], theme, label=None)
        trails = [Trail(to_map(r.points), c, width=4, step=0) for r, c in zip(runs, colors)]
        for t in trails:
            t.set_stroke(theme.background, width=7, background=True)
        balls = [Marker(to_map(r.points), c, theme, radius=0.07) for r, c in zip(runs, colors)]
        plot = LossPlot([(r.losses, c) for r, c in zip(runs, colors)], theme, log=True, width=4.4, height=2.0,
                        y_label="L", step=0)
        plot.move_to([4.1, 1.45, 0])
        key = legend([(rf"\eta = {r.lrs[0]:g}", c) for r, c in zip(runs, colors)], theme, FONT_SMALL)
        key.next_to(plot, DOWN, buff=0.6).align_to(plot, LEFT).shift(0.3 * LEFT)
        finals = VGroup()
        for row, r in zip(key, runs):
            value = math(rf"L = {format_sig(r.losses[-1])}", theme, FONT_SMALL)
            value.next_to(row, RIGHT, buff=0.5).align_to(row, DOWN)
            finals.add(value)
        finals.arrange(DOWN, aligned_edge=LEFT, buff=0.18)
        for value, row in zip(finals, key):
            value.set_y(row.get_y())
            value.set_x(key.get_right()[0] + 0.6 + value.width / 2)
        budget = math(rf"\text{{same start, {cfg.sigmoid_steps} steps each}}", theme, FONT_SMALL, color=theme.muted)
        budget.next_to(key, UP, buff=0.3).align_to(key, LEFT)

        self.next_section("sigmoid_error")
        pace = self.pace
        self.play(FadeIn(new_title), FadeIn(bands), FadeIn(lines), FadeIn(frame), run_time=pace(1.2, 1.0))
        self.play(Create(start), FadeIn(plot), FadeIn(key), FadeIn(budget),
                  *self.captions.show(f"From ({cfg.sigmoid_start[0]:g}, {cfg.sigmoid_start[1]:g}), "
                                      f"{NUMBER_WORDS.get(len(runs), len(runs))} learning rates"),
                  run_time=pace(1.0, 0.8))
        for t in trails:
            self.add(t)
        self.play(*[FadeIn(b) for b in balls], run_time=pace(0.5, 0.4))
        tracker = StepTracker(0)
        driven = (*trails, *balls, plot)
        drive(tracker, *driven)
        self.add(tracker)
        self.play(advance(tracker, cfg.sigmoid_steps, pace(9.0, 5.0)))
        release(*driven)
        self.remove(tracker)
        self.play(FadeIn(finals), *self.captions.show(
            "On a plateau the gradient is tiny: a small η barely moves"), run_time=0.8)
        self.finals = finals
        self.wait(pace(4.0, 2.5))


NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven"}


__all__ = ["LearningRate", "LearningRateData"]
