r"""Scene 3: the learning rate, too small, about right, too large; then on the sigmoid error.

Render: ``manim -ql scenes/parts/learning_rate.py LearningRate``.

Part 1: gradient descent on :math:`f(x) = x^2` from :math:`x = 5` with three step sizes
(defaults 0.01, 0.1 and 1.05), one row each: the plot, and beside it the rate, a step counter,
the rule with the numbers of the step (the slow steps' rules morph term by term into the next)
and how many steps the run needs to reach :math:`|x| \le 0.01`.
With :math:`\eta = 1.05` every step overshoots by more than it corrects
(:math:`x_{k+1} = (1 - 2\eta) x_k = -1.1\,x_k`): the run leaves the plot, gets a
"diverged" mark where it left, and mathcore reports the step at which it passed
:math:`|x| > 10^6`.

Part 2: GD at several rates from one start with one step budget on a surface: by default the
sigmoid error from (-2, -2) with :math:`\eta \in \{0.1, 0.5, 1, 5, 10\}` (on this flat surface the
larger steps win); any surface with ``surface``, its rates from the curvature when ``rates = []``.
The heading and the words say which rate ends lowest (f - f*), from the runs.

Beats (one manim section each, narration in ``assets/narration/learning_rate.toml``):
``three_step_sizes`` (the panels, the rule with the numbers of step 0, the first steps
slowly), ``run_to_the_end`` (the rest of the runs, the "diverged" mark and what each run
reports), ``on_the_surface`` (part 2).

Explainer cut (``scenes.explainer.CUTS``): the same beats in about 28 s instead of 42, at each
beat's pace, with one slow step instead of two (``slow_steps``); the explainer fades out what
the last beat leaves, since the next part plays on the same scene.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Axes, Create, VGroup, VMobject, Write, config
from scenes.animations import FadeIn, FadeOut

import mathcore
from scenes.animations import StepSwitch, StepTracker, advance, drive, release
from scenes.common import ThemedScene
from scenes.config import LearningRateConfig, load_or_exit
from scenes.mobjects import (
    tagged,
    title,
    LossPlot, MapPanel, Marker, StepCounter, Trail, clip_to_box, diverged_mark, flat, format_level, format_sig, legend,
    morph_tex, rule_tex, math, start_mark, substituted_rule_lines, substituted_rule_tex, tick_numbers,
)
from scenes.story import count
from scenes.theme import AXIS_WIDTH, FONT_BODY, FONT_LABEL, FONT_SMALL, MARGIN

# Part 1: one row per rate, the plot on the left and its words and numbers on the right, so that
# the rule with its numbers reads on one line at a size above the type floor.
ROW_YS = (2.0, 0.12, -1.76)
PLOT_X, PLOT_SIZE = -4.3, (4.2, 1.45)
TEXT_X = -1.6  # left edge of the rows' text column
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
    def surface(self):
        return self.cfg.surface_object()

    @cached_property
    def surface_runs(self):
        c = self.cfg
        return [mathcore.run(self.surface, "gd", c.start, c.steps, lr) for lr in c.surface_rates]

    def finals(self) -> list[float]:
        """Each run's last f - f* (infinite when it diverged)."""
        return [float(t.gap[-1]) if t.status != "diverged" and np.isfinite(t.gap[-1]) else np.inf
                for t in self.surface_runs]

    def rate_verdict(self) -> tuple[int, str]:
        """Which rates end lowest (f - f* to the 3 digits shown): ``(0, "larger steps win")``
        when the largest does, ``(1, "smaller steps win")`` the smallest, ``(2, "eta = 0.5 does
        best")`` or ``(2, "eta = 0.5 and 1 tie")`` otherwise; ``(3, ...)`` when every run diverged."""
        finals, rates = self.finals(), self.cfg.surface_rates
        if not np.isfinite(min(finals)):
            return 3, "every rate diverges"
        best = format_sig(min(finals))
        tied = [r for r, g in zip(rates, finals) if np.isfinite(g) and format_sig(g) == best]
        if len(tied) == 1 and len(rates) > 1 and tied[0] == max(rates):
            return 0, "larger steps win"
        if len(tied) == 1 and len(rates) > 1 and tied[0] == min(rates):
            return 1, "smaller steps win"
        names = " and ".join(f"{r:g}" for r in tied)
        return 2, f"η = {names} {'does best' if len(tied) == 1 else 'tie'}"

    def best_in_local_minimum(self) -> bool:
        """Whether the lowest run stopped in a local minimum rather than at f*."""
        best = int(np.argmin(self.finals()))
        ended = self.surface_runs[best].ended_in
        return ended is not None and not ended.is_global


class LearningRate(ThemedScene):
    """Three step sizes on a parabola, side by side; then five on the sigmoid error."""

    config_table = "learning_rate"

    BEATS = ("three_step_sizes", "run_to_the_end", "on_the_surface")

    def construct(self):
        self.cfg = load_or_exit(self.config_table)
        self.data = LearningRateData(self.cfg)
        # One colour per rate for the whole part: a rate in both halves keeps its colour.
        self.rate_colors = self.theme.rate_colors([t.lrs[0] for t in self.data.parabola_runs + list(self.data.surface_runs)])
        self.slow_steps = self.option("slow_steps", 2)  # worked one at a time, each rule held
        self.parabola_part()
        self.surface_part()

    # ------------------------------------------------------------------ part 1

    def _panel(self, i: int, traj, color):
        """Row ``i``: axes with the parabola and the run's ball and chords; right of them the rate,
        the step counter, the rule with the numbers of the step and (later) what the run reports."""
        theme, d, cfg = self.theme, self.data, self.cfg
        y = ROW_YS[i]
        reach = 1.6 * abs(cfg.parabola_start)
        ax = Axes(x_range=(-reach, reach, reach / 2), y_range=(0, reach**2, reach**2 / 2), x_length=PLOT_SIZE[0],
                  y_length=PLOT_SIZE[1], tips=False,
                  axis_config={"color": theme.muted, "stroke_width": AXIS_WIDTH, "tick_size": 0.05})
        ax.move_to([PLOT_X, y, 0])
        # The rows share one x scale: only the bottom plot is numbered.
        ticks = tick_numbers(ax, theme, xs=(-reach, -reach / 2, reach / 2, reach) if i == len(ROW_YS) - 1 else ())
        xs = np.linspace(-reach, reach, 161)
        curve = VMobject(stroke_color=theme.muted, stroke_width=3)
        curve.set_points_smoothly(np.asarray(ax.c2p(xs, d.parabola.f(xs[None, :])), float).T)
        lr = traj.lrs[0]
        head = math(rf"\eta = {lr:g}", theme, FONT_BODY, color=color)
        head.move_to([TEXT_X, y + 0.62, 0], aligned_edge=LEFT)
        finite = np.isfinite(traj.losses)
        pts = np.asarray(ax.c2p(traj.points[finite, 0], traj.losses[finite]), float).T
        lo, hi = ax.c2p(-reach, 0), ax.c2p(reach, reach**2)
        shown, exit_index = clip_to_box(pts, (lo[0], hi[0], lo[1] - 1e-6, hi[1]))
        trail = Trail(shown, color, width=3, step=0)
        ball = Marker(shown, color, theme, radius=0.08)
        arrival = d.arrival(traj)
        # The counter stops where the run stops: on arrival, or at its last step (a run that
        # leaves the plot goes on counting to the step at which it diverged).
        stop = arrival if arrival is not None else int(traj.n_steps)
        # The rule with the numbers of each slow step; while the run goes fast, the rule without
        # numbers (no stale numbers beside a running counter); where it stops, the numbers of the
        # step that got there.
        theta = d.parabola.variable_names[0]
        width = config.frame_width / 2 - MARGIN - TEXT_X

        def place(tex):
            return tex.next_to(head, DOWN, buff=0.25, aligned_edge=LEFT)

        def numbers(k):
            tex = substituted_rule_tex(traj, k, theme, font_size=FONT_LABEL, theta_latex=theta)
            if tex.width > width:  # the result on a line of its own: large numbers stay in the frame
                body = tex.tex_string
                cut = body.rindex(" = ")
                tex = math(body[:cut] + r" \\ &= " + body[cut + 3:], theme, FONT_LABEL)
            return flat(place(tex), merge=True)  # one path per version

        # (never past the step the counter stops at: a run that arrives during the slow steps)
        variants = [(k, numbers(k)) for k in range(max(min(self.slow_steps + 1, traj.n_steps, stop), 1))]
        # The slow steps' rules term by term, to morph one into the next (the result of a step is
        # the start of the next); the switch takes over, showing the same picture, when the run goes fast.
        # (each space-separated token of the printed rule is balanced LaTeX: a number, an operator.
        # The start operand is braced, so that the old result does not travel across the line to
        # it: numbers change in place, the operators stay.)
        terms = []
        for k, _ in variants:
            tokens = substituted_rule_lines(traj, k, theta)[0].split(" ")
            tokens[2] = "{" + tokens[2] + "}"
            terms.append(place(math(tokens, theme, FONT_LABEL)))
        finite = np.flatnonzero(np.isfinite(traj.points[1: stop + 1, 0]))
        last = int(finite[-1]) if len(finite) else None  # the last step k -> k + 1 with finite numbers
        if last is not None and last + 1 > variants[-1][0] + 1:
            general = rule_tex(traj.optimizer, theme, FONT_LABEL, theta_latex=theta)
            variants.append((variants[-1][0] + 1, flat(place(general), merge=True)))
            variants.append((last + 1, numbers(last)))
        rule = StepSwitch(variants)
        counter = StepCounter(theme, last=stop, color=color)
        counter.next_to(head, RIGHT, buff=0.8).align_to(head, DOWN)
        return dict(axes=VGroup(ax, ticks), curve=curve, head=head, trail=trail, ball=ball, rule=rule, terms=terms,
                    counter=counter, exit_index=exit_index, shown=shown, traj=traj, color=color, arrival=arrival, y=y)

    def _run_words(self, p) -> str:
        """What one parabola run did, for the narration: arrived after k steps, diverged, or not yet."""
        traj = p["traj"]
        if traj.status == "diverged":
            return f"diverges at step {traj.n_steps}"
        if p["arrival"] is not None:
            return f"arrives after {p['arrival']} steps"
        return f"is not there after {traj.n_steps} steps"

    def parabola_part(self):
        theme, d, cfg = self.theme, self.data, self.cfg
        self.begin_beat("three_step_sizes", start=f"{cfg.parabola_start:g}")
        colors = [self.rate_colors[float(t.lrs[0])] for t in d.parabola_runs]
        self.title = title("Choosing the learning rate", theme)
        self.title.to_corner(UP + LEFT, buff=MARGIN)
        formula = math(r"f(x) = " + d.parabola.latex, theme, FONT_BODY).to_corner(UP + RIGHT, buff=MARGIN)
        tagged(formula.align_to(self.title, DOWN), "heading")  # (on the title's line, it stays with it)
        panels = [self._panel(i, traj, c) for i, (traj, c) in enumerate(zip(d.parabola_runs, colors))]
        self.panels = panels
        statics = VGroup(*[VGroup(p["axes"], p["curve"], p["head"]) for p in panels])
        caption = self.say()
        self.play(Write(self.title), Write(formula), run_time=1.5)
        # The rules of step 0 come with the plots: read them (3 s at least, in any cut) before anything moves.
        self.play(FadeIn(statics), *[FadeIn(p["terms"][0]) for p in panels], run_time=1.0)
        self.play(*self.captions.show(caption), *[FadeIn(p["ball"]) for p in panels], run_time=0.8)
        for p in panels:
            self.add(p["trail"])
        self.play(FadeIn(VGroup(*[p["counter"] for p in panels])), run_time=0.8)
        self.wait(2.5)  # the rule of step 0, with numbers: read the three before anything moves

        tracker = StepTracker(0)
        driven = [m for p in panels for m in (p["trail"], p["ball"], p["counter"])]
        drive(tracker, *driven)
        self.add(tracker)
        # The slow steps (2 s each), then the rest at a brisk pace. As the ball lands (the last
        # quarter of its step), the rule morphs into the next step's: its numbers change in place.
        # Between morphs the switch shows the rule (the same picture as the terms): as before the
        # morphs, each slow step's rule is the switch's, held the step's 2 s.
        for k in range(1, self.slow_steps + 1):
            self.play(advance(tracker, k - 0.25, 1.5))
            morphing = [p for p in panels if k < len(p["terms"])]
            for p in morphing:
                self.remove(p["rule"])
                self.add(p["terms"][k - 1])
            self.play(advance(tracker, k, 0.5), *[morph_tex(p["terms"][k - 1], p["terms"][k]) for p in morphing],
                      run_time=0.5)
            for p in morphing:
                self.remove(p["terms"][k])
                self.add(p["rule"].set_step(k))
        arrivals = [p["arrival"] for p in panels]
        last = max(int(p["counter"].last) for p in panels)  # every counter reaches where its run stops

        said = [self._run_words(p) for p in panels]
        self.begin_beat("run_to_the_end", small=said[0], right=said[1], large=said[2])
        for p in panels:  # the switch takes over from the term-by-term rule, showing the same
            self.remove(*p["terms"])
            self.add(p["rule"])
        rules = drive(tracker, *[p["rule"] for p in panels])
        self.play(*self.captions.show(self.say()), run_time=0.6)
        # A run that leaves the plot gets its mark the moment it leaves; early steps stay slow.
        for p in sorted((p for p in panels if p["exit_index"] is not None), key=lambda p: len(p["shown"])):
            edge_step = len(p["shown"]) - 1
            if edge_step > tracker.get_value():
                self.play(advance(tracker, edge_step, 0.6 * (edge_step - tracker.get_value())))
            edge = p["shown"][-1]
            mark = diverged_mark(edge, edge - p["shown"][-2], theme, step=None, font_size=FONT_SMALL)
            mark.caption.next_to(mark.cross, DOWN, buff=0.15)
            mark.caption.add_background_rectangle(color=theme.background, opacity=0.85, buff=0.05)
            mark.set_z_index(3)  # over the zig-zag, which is redrawn (and re-added) while it runs
            p["mark"] = mark
            self.play(FadeIn(mark, scale=1.3), run_time=0.6)
        if last > tracker.get_value():
            self.play(advance(tracker, last, 7.0))
        release(*driven, *rules)
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
            res = math(words, theme, FONT_LABEL, color=p["color"])
            res.next_to(p["rule"].variants[-1][1], DOWN, buff=0.2, aligned_edge=LEFT)  # under the last rule
            results.add(res)
        self.results = tagged(results, "result")
        self.play(*self.captions.show(None), run_time=0.5)
        self.play(FadeIn(results), run_time=0.8)
        self.hold(3.0)
        everything = VGroup(statics, *[VGroup(p["trail"], p["ball"], p["rule"], p["counter"]) for p in panels],
                            results, formula, *[m for _, m in marks])
        self.play(FadeOut(everything), FadeOut(self.title), run_time=0.8)
        self.remove(tracker)

    # ------------------------------------------------------------------ part 2

    def surface_part(self):
        """GD at several rates from one start on a surface, with one budget; which rate ends lowest."""
        theme, d, cfg = self.theme, self.data, self.cfg
        surface = d.surface
        runs = d.surface_runs
        colors = [self.rate_colors[float(r.lrs[0])] for r in runs]
        index, winner = d.rate_verdict()
        name = cfg.title or ("Sigmoid error" if surface.name == "sigmoid-error" else
                             "Your function" if surface.name == "custom" else surface.title or surface.name)
        heading = f"{name}: {winner}"
        # The plot's label sits right of x = 1.7: a longer verdict is said in the caption only.
        new_title = title(heading, theme)
        if new_title.width > 7.4:
            new_title = title(name, theme)
        new_title.to_corner(UP + LEFT, buff=MARGIN)
        levels = SIGMOID_LEVELS if surface.name == "sigmoid-error" else surface.facts.levels
        panel = MapPanel(surface, surface.domain, theme, side=4.4, center=(-3.3, 0.05, 0.0), levels=levels,
                         band_opacity=0.6, line_opacity=0.5)
        start = start_mark(panel.at(cfg.start), theme, label=None)
        trails = [Trail(panel.to_scene(r.points), c, width=4, step=0) for r, c in zip(runs, colors)]
        self.surface_trails = trails
        for t in trails:
            t.set_stroke(theme.background, width=7, background=True)
        balls = [Marker(panel.to_scene(r.points), c, theme, radius=0.07) for r, c in zip(runs, colors)]
        plot = LossPlot([(r.gap, c) for r, c in zip(runs, colors)], theme, log=True, width=4.4, height=1.6,
                        y_label=r"f - f^*", step=0)
        plot.move_to([4.1, 1.75, 0])  # (its label under 3.5: the frame margin)
        key = legend([(rf"\eta = {r.lrs[0]:g}", c) for r, c in zip(runs, colors)], theme, FONT_SMALL)
        key.next_to(plot, DOWN, buff=0.6).align_to(plot, LEFT).shift(0.45 * LEFT)
        finals = VGroup()
        for row, r, gap in zip(key, runs, d.finals()):
            shown = rf"f - f^* = {format_sig(gap)}" if np.isfinite(gap) else rf"\text{{diverged (step {r.n_steps})}}"
            value = math(shown, theme, FONT_SMALL)
            value.next_to(row, RIGHT, buff=0.5).align_to(row, DOWN)
            finals.add(value)
        finals.arrange(DOWN, aligned_edge=LEFT, buff=0.18)
        for value, row in zip(finals, key):
            value.set_y(row.get_y())
            value.set_x(key.get_right()[0] + 0.6 + value.width / 2)
        budget = math(rf"\text{{same start, {cfg.steps} steps each}}", theme, FONT_SMALL, color=theme.muted)
        budget.next_to(key, UP, buff=0.3).align_to(key, LEFT)

        rates = ", ".join(f"{r:g}" for r in cfg.surface_rates)
        self.begin_beat("on_the_surface", start=f"({cfg.start[0]:g}, {cfg.start[1]:g})", steps=cfg.steps,
                        n_rates=count(len(runs), "learning rate", "learning rates"), rates=rates, winner=winner,
                        surface_name="the sigmoid error" if surface.name == "sigmoid-error" else "this surface")
        self.play(FadeIn(new_title), FadeIn(panel), run_time=1.2)
        self.play(Create(start), FadeIn(plot), FadeIn(key), FadeIn(budget), *self.captions.show(self.say(0)),
                  run_time=1.0)
        for t in trails:
            self.add(t)
        self.play(*[FadeIn(b) for b in balls], run_time=0.5)
        tracker = StepTracker(0)
        driven = (*trails, *balls, plot)
        drive(tracker, *driven)
        self.add(tracker)
        self.play(advance(tracker, cfg.steps, 9.0))
        release(*driven)
        self.remove(tracker)
        self.play(FadeIn(finals), *self.captions.show(self.say(5 if d.best_in_local_minimum() else 1 + index)),
                  run_time=0.8)
        self.finals = tagged(finals, "result")
        self.hold(4.0)


__all__ = ["LearningRate", "LearningRateData"]
