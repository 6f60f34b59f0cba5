r"""Scene 6: momentum and Nesterov up close, in a narrow valley.

Render: ``manim -ql scenes/parts/momentum.py MomentumCloseUp`` (``GDX_THEME=light``;
``GDX_CONFIG=my.toml`` with a ``[momentum_closeup]`` table, see :mod:`scenes.config`).

Beats (manim sections; narration in ``assets/narration/momentum.toml``):

1. ``narrow_valley`` -- the elongated bowl :math:`x^2/2 + 5y^2` from above: steep across,
   gentle along.
2. ``gd_zigzag`` -- GD's steps :math:`-\eta g` point mostly across the valley: it zig-zags.
3. ``momentum_velocity`` -- heavy-ball momentum, drawn tip to tail: the carried step
   :math:`-\eta\mu\Delta_k` plus the gradient step :math:`-\eta g_k` make the new step
   :math:`-\eta\Delta_{k+1}` (``state["momentum_buffer"]``); it builds speed along the
   valley, overshoots the minimum and oscillates.
4. ``nesterov_lookahead`` -- Nesterov: the gradient is taken at the look-ahead point the
   momentum is about to carry the parameters to (a hollow ghost), so it brakes earlier.
5. ``compare`` -- the three paths and their losses; steps to the tolerance.

Nesterov, two views of one run. mathcore follows torch, whose stored parameters
:math:`p_k` are the look-ahead points: the gradient ``grads[k]`` is taken at
:math:`p_k`, and :math:`\Delta_{k+1} = \mu\Delta_k + g(p_k)`,
:math:`p_{k+1} = p_k - \eta(g(p_k) + \mu\Delta_{k+1})`. In the classic picture (Sutskever
et al. 2013) the ball is at :math:`\theta_k = p_k + \eta\mu\Delta_k`, looks ahead to
:math:`\theta_k - \eta\mu\Delta_k = p_k` and steps to
:math:`\theta_{k+1} = \theta_k - \eta\Delta_{k+1}`. The scene draws the ball at
:math:`\theta_k` (from the recorded points and momentum buffer, no gradient computed) and
the ghost at :math:`p_k`, with the recorded gradient there. Losses and steps to the
tolerance are mathcore's recorded ones, i.e. :math:`f(p_k)`, as in the race.

Explainer cut (``scenes.explainer.CUTS``): the same five beats in about 25 s instead of 42, each
at its pace, without GD's magnified first steps (``gd_magnified_steps``) or momentum's
magnified step (``momentum_magnified``: Nesterov's shows the same sum, plus the look-ahead).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from manim import (
    DOWN, LEFT, RIGHT, UP, Arrow, Circle, Create, DashedLine, Dot, GrowArrow, MathTex, Rectangle, VGroup, linear, smooth,
)
from scenes.animations import FadeIn, FadeOut

import mathcore
from mathcore import display_name

from scenes.animations import StepTracker, advance
from scenes.common import ThemedScene
from scenes.config import MomentumConfig, load_or_exit
from scenes.mobjects import title, legend, math, minimum_mark, rule_tex, start_mark, text
from mathcore.optimizers import CLASSIC_NESTEROV_RULE
from scenes.mobjects import LossPlot, MapPanel, PathOnMap, hyperparam_text, tagged
from scenes.stage import Drive
from scenes.mobjects.text import format_plain, tex_size
from scenes.theme import FONT_LABEL, FONT_SMALL, MARGIN

# Layout (manim units; frame 14.2 x 8, safe area 0.5 inside; captions below y = -2.45).
MAP_CENTER = (-2.05, 0.45, 0.0)
MAP_BOX = (8.2, 4.6)  # the most the map may take (width, height), between the title and the captions
RIGHT_LEFT = 2.75  # left edge of the right-hand column (legend, rule, magnified inset)
INSET_CENTER = (4.6, -0.65, 0.0)
INSET_SIDE = 3.2
LEVELS = (0.1, 0.4, 1.0, 2.0, 3.5, 5.5, 8.0, 11.0, 15.0, 20.0, 26.0)  # f; rings about evenly spaced
NAMES = {name: display_name(name) for name in ("gd", "momentum", "nesterov")}
NARROW = 5.0  # a minimum whose curvatures differ by this factor or more is "a narrow valley"


@dataclass
class MomentumData:
    """The three runs, from mathcore, and the vectors drawn tip to tail."""

    cfg: MomentumConfig

    @cached_property
    def surface(self):
        return mathcore.get_surface(self.cfg.surface, domain=self.cfg.domain or None)

    def _run(self, name, **hp):
        cfg = self.cfg
        return mathcore.run(self.surface, mathcore.make_optimizer(name, **hp), cfg.start, cfg.steps)

    @cached_property
    def gd(self):
        return self._run("gd", lr=self.cfg.gd_lr)

    @cached_property
    def momentum(self):
        return self._run("momentum", lr=self.cfg.lr, momentum=self.cfg.momentum)

    @cached_property
    def nesterov(self):
        return self._run("nesterov", lr=self.cfg.lr, momentum=self.cfg.momentum)

    @property
    def runs(self) -> dict:
        return {"gd": self.gd, "momentum": self.momentum, "nesterov": self.nesterov}

    @cached_property
    def nesterov_ball(self) -> np.ndarray:
        r"""The classic-form parameters :math:`\theta_k = p_k + \eta\mu\Delta_k` of the Nesterov run."""
        return self.nesterov.classic_nesterov[0]

    def parts(self, name: str, k: int) -> dict:
        r"""The vectors of step ``k`` (parameter space), all from the recorded run.

        ``carry`` is :math:`-\eta\mu\Delta_k`, ``grad`` is :math:`-\eta g_k` (the gradient
        the optimizer used), ``step`` is :math:`-\eta\Delta_{k+1}` for momentum methods and
        :math:`-\eta g_k` for GD. ``base`` is where the arrows start: the ball.
        For Nesterov, ``ghost`` is the look-ahead point :math:`p_k` where ``g_k`` was taken.
        """
        t = self.runs[name]
        lr = t.lrs[k]
        g = t.update_grads[k]
        if name == "gd":
            return {"base": t.points[k], "carry": np.zeros(2), "grad": -lr * g, "step": -lr * g}
        mu = t.optimizer.hyperparams["momentum"]
        buf = t.state["momentum_buffer"]
        carry = -lr * mu * buf[k]
        out = {"carry": carry, "grad": -lr * g, "step": -lr * buf[k + 1]}
        if name == "nesterov":
            out["base"] = self.nesterov_ball[k]
            out["ghost"] = t.points[k]
        else:
            out["base"] = t.points[k]
        return out

    def ball_points(self, name: str) -> np.ndarray:
        return self.nesterov_ball if name == "nesterov" else self.runs[name].points

    def steps_to_tol(self, name: str) -> int | None:
        """The first step with f - f* <= ``loss_tol``, or None."""
        return self.runs[name].steps_to_gap(self.cfg.loss_tol, self.ball_losses(name))

    def ball_losses(self, name: str) -> np.ndarray:
        """The loss where the drawn ball is: the recorded one, and for Nesterov f at its classic point."""
        return self.nesterov.classic_nesterov[1] if name == "nesterov" else self.runs[name].losses

    @property
    def kappa(self) -> float | None:
        r"""How much steeper across than along at :attr:`target`: :math:`\lambda_{max}/\lambda_{min}` of
        its Hessian (None where a curvature is 0, or at a kink)."""
        low, high = min(self.target_minimum.eigenvalues), max(self.target_minimum.eigenvalues)
        return float(high / low) if low > 0 and np.isfinite(high / low) else None

    @property
    def narrow(self) -> bool:
        return self.kappa is not None and self.kappa >= NARROW

    @cached_property
    def target_minimum(self):
        """The minimum the momentum run heads for (``describe``'s): the one it ends in, else the
        nearest to its end."""
        facts, t = self.surface.facts, self.momentum
        if t.ended_in is not None:
            return t.ended_in
        end = np.where(np.isfinite(t.points[-1]), t.points[-1], 0.0)
        return min(facts.minima, key=lambda m: np.linalg.norm(np.asarray(m.point) - end))

    @property
    def target(self) -> np.ndarray:
        return np.asarray(self.target_minimum.point, float)

    def counts(self, said: bool = False) -> str:
        """``GD: 24 steps, Momentum: 35 steps`` (``said``: ``GD 24, Momentum 35``); runs that do
        not get there grouped: ``GD and Momentum: in a local minimum``, ``Nesterov: not within 60``."""
        done, local, short = [], [], []
        for name, t in self.runs.items():
            k = self.steps_to_tol(name)
            if k is not None:
                done.append(f"{NAMES[name]} {k}" if said else f"{NAMES[name]}: {k} steps")
            elif t.ended_in is not None and not t.ended_in.is_global:
                local.append(NAMES[name])
            else:
                short.append(NAMES[name])

        def group(names):
            return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]

        if local:
            done.append(f"{group(local)}: in a local minimum")
        if short:
            done.append(f"{group(short)}: not within {self.cfg.steps}")
        return ", ".join(done)

    def overshoot(self, name: str) -> float:
        """How far past :attr:`target` the ball goes, measured along the line from the start
        through the target (0 when it never passes it)."""
        pts = self.ball_points(name)
        axis = np.asarray(self.cfg.start, float) - self.target
        norm = np.linalg.norm(axis)
        if norm == 0:
            return 0.0
        along = (pts - self.target) @ (axis / norm)
        along = along[np.isfinite(along)]
        return float(max(0.0, -along.min())) if len(along) else 0.0

    def first_crossing(self, name: str) -> int | None:
        """The first step at which the ball is past :attr:`target` (see :meth:`overshoot`)."""
        pts = self.ball_points(name)
        axis = np.asarray(self.cfg.start, float) - self.target
        hit = np.flatnonzero((pts - self.target) @ axis < 0)
        return int(hit[0]) if len(hit) else None

    def zigzags(self, name: str = "gd", first: int = 6) -> bool:
        """Whether the run reverses direction (consecutive steps more than 90 degrees apart) at
        least twice in its first ``first`` steps."""
        steps = np.diff(self.ball_points(name)[: first + 2], axis=0)
        return int(np.sum(np.einsum("ij,ij->i", steps[:-1], steps[1:]) < 0)) >= 2


def overshoot_words(distance: float) -> str:
    """``"overshoots by 1.52"`` or ``"does not overshoot"``, for the narration."""
    return f"overshoots by {format_plain(distance)}" if distance > 0 else "does not overshoot"


def vector_arrow(start, end, color, width: float = 5.0) -> Arrow:
    length = float(np.linalg.norm(np.asarray(end) - np.asarray(start)))
    return Arrow(start, end, buff=0, color=color, stroke_width=width, tip_length=min(0.2, 0.45 * length),
                 max_tip_length_to_length_ratio=0.45, max_stroke_width_to_length_ratio=12)


def arrow_label(arrow: Arrow, tex: str, theme, color, side: float = 1.0, font_size: int = FONT_LABEL,
                away_from=None, flip: bool = False) -> MathTex:
    """A label beside the middle of ``arrow``: to its left (``side`` +1) or right (-1), or on the
    side away from the point ``away_from`` (towards it with ``flip``)."""
    start, end = arrow.get_start(), arrow.get_end()
    d = end - start
    n = np.array([-d[1], d[0], 0.0])
    n = n / (np.linalg.norm(n) or 1.0)
    if away_from is not None:
        side = 1.0 if np.dot((start + end) / 2 - np.asarray(away_from), n) >= 0 else -1.0
        side = -side if flip else side
    label = math(tex, theme, font_size, color=color)
    label.move_to((start + end) / 2 + side * n * (0.22 + 0.5 * max(label.width, label.height)))
    label.add_background_rectangle(color=theme.background, opacity=0.8, buff=0.05)
    return label


class MomentumCloseUp(ThemedScene):
    """GD's zig-zag, momentum's velocity and overshoot, Nesterov's look-ahead, in a narrow valley."""

    config_table = "momentum_closeup"

    BEATS = ("narrow_valley", "gd_zigzag", "momentum_velocity", "nesterov_lookahead", "compare")

    def construct(self):
        self.cfg = load_or_exit(self.config_table)
        self.data = MomentumData(self.cfg)
        self.tracker = StepTracker(0)
        self.build()
        self.narrow_valley()
        self.gd_zigzag()
        self.momentum_velocity()
        self.nesterov_lookahead()
        self.compare()

    # ------------------------------------------------------------------ building

    def build(self):
        d, theme = self.data, self.theme
        surface = d.surface
        # The hand-picked rings of the default bowl; on any other surface describe's levels.
        self.levels = LEVELS if surface.name == "elongated-bowl" else surface.facts.levels
        (x0, x1), (y0, y1) = surface.domain
        unit = min(MAP_BOX[0] / (x1 - x0), MAP_BOX[1] / (y1 - y0))  # scene units per parameter unit
        # A tall map moves down, so that its y label clears the title.
        center = (MAP_CENTER[0], min(MAP_CENTER[1], 2.55 - unit * (y1 - y0) / 2), 0.0)
        self.panel = MapPanel(surface, surface.domain, theme, side=unit * max(x1 - x0, y1 - y0), center=center,
                              levels=self.levels,
                              band_opacity=0.45, line_opacity=0.5)
        self.colors = {name: theme.optimizer_color(name) for name in NAMES}
        self.paths = {name: PathOnMap(self.panel.to_scene(d.ball_points(name)), self.colors[name], theme, width=4.0,
                                      radius=0.1) for name in NAMES}
        self.title = title(self.cfg.title or "Momentum, up close", theme).to_corner(UP + LEFT, buff=MARGIN)
        names = ", ".join(surface.variable_names)
        self.formula = MathTex(f"f({names}) =", surface.latex, font_size=tex_size(FONT_LABEL, theme.font),
                               color=theme.foreground)
        tagged(self.formula.next_to(self.title, RIGHT, buff=0.8).align_to(self.title, DOWN), "heading")
        self.start = start_mark(self.panel.at(self.cfg.start), theme, label=None, radius=0.13)
        self.star = VGroup(*[minimum_mark(self.panel.at(m.point), theme, size=0.15, local=not m.is_global)
                             for m in surface.facts.minima])
        # Names only: the hyperparameters go on the rule card (the column is too narrow for both).
        self.entries = {name: legend([(NAMES[name], self.colors[name])], theme, FONT_SMALL) for name in d.runs}
        top = 2.75
        for name in NAMES:
            self.entries[name].move_to([0, top, 0], aligned_edge=UP).align_to([RIGHT_LEFT, 0, 0], LEFT)
            top -= 0.45

    def rule_card(self, name: str) -> VGroup:
        """The optimizer's update rule (mathcore's SymPy, one line per equation), under the legend."""
        # Nesterov's ball is drawn in the classic form (at theta, looking ahead): its rule is that form's.
        rule = CLASSIC_NESTEROV_RULE if name == "nesterov" else None
        tex = rule_tex(self.data.runs[name].optimizer, self.theme, font_size=FONT_LABEL, color=self.colors[name],
                       rule=rule)
        if tex.width > 6.6 - RIGHT_LEFT:  # (the rule only: its label keeps the type size)
            tex.scale_to_fit_width(6.6 - RIGHT_LEFT)
        label = text("update rule", self.theme, FONT_SMALL, color=self.theme.muted)
        settings = math(hyperparam_text(self.data.runs[name].optimizer), self.theme, FONT_SMALL, color=self.theme.muted)
        group = VGroup(label, tex, settings).arrange(DOWN, aligned_edge=LEFT, buff=0.18)
        group.move_to([0, 0.85, 0], aligned_edge=UP).align_to([RIGHT_LEFT, 0, 0], LEFT)
        return group

    def caption(self, words, run_time: float = 0.6, *extra):
        self.play(*self.captions.show(words, run_time), *extra, run_time=run_time)

    def advance_path(self, name, to, run_time, rate_func=linear):
        path = self.paths[name]
        with Drive(self, self.tracker).add(path):
            self.play(advance(self.tracker, to, run_time, rate_func=rate_func))

    def gd_step(self, k: int):
        """One GD step drawn on the map: the arrow -eta g, then the ball follows it."""
        d, theme, panel = self.data, self.theme, self.panel
        parts = d.parts("gd", k)
        base = np.asarray(parts["base"], float)
        arrow = tagged(vector_arrow(panel.at(base), panel.at(base + parts["grad"]), theme.gradient, width=5), "gradient")
        label = arrow_label(arrow, r"-\eta g", theme, theme.gradient, side=1.0 if parts["grad"][1] < 0 else -1.0)
        self.play(GrowArrow(arrow), FadeIn(label), run_time=0.7)
        self.tracker.set_value(k)
        self.advance_path("gd", k + 1, 0.6, rate_func=smooth)
        self.play(FadeOut(arrow), FadeOut(label), run_time=0.3)

    def inset_for(self, points):
        """A magnified square view of the map around ``points`` (parameter space)."""
        pts = np.asarray(points, float)
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        center = (lo + hi) / 2
        extent = float((hi - lo).max())
        # Room around the arrows, in proportion when they are short (small steps on a small map).
        half = max(extent / 2 * 1.5, min(0.3, extent)) + min(0.2, 0.6 * extent)
        window = ((center[0] - half, center[0] + half), (center[1] - half, center[1] + half))
        inset = MapPanel(self.data.surface, window, self.theme, side=INSET_SIDE, center=INSET_CENTER, levels=self.levels,
                         band_opacity=0.55, line_opacity=0.5, labels=False, heights=self.panel.heights, grid_n=81)
        inset.frame.set_stroke(self.theme.foreground, width=2)
        (x0, x1), (y0, y1) = window
        a, b = self.panel.at((x0, y0)), self.panel.at((x1, y1))
        box = Rectangle(width=b[0] - a[0], height=b[1] - a[1], stroke_color=self.theme.foreground, stroke_width=2)
        box.move_to((a + b) / 2)
        links = VGroup(*[DashedLine(box.get_corner(c + RIGHT), inset.frame.get_corner(c + LEFT), dash_length=0.06,
                                    stroke_width=1.5, color=self.theme.muted) for c in (UP, DOWN)])
        return inset, VGroup(box, links)

    def detail_step(self, name: str, k: int, show=()):
        """Step ``k`` tip to tail, magnified: the carried step, (the look-ahead,) the gradient
        step, their sum; then the ball moves, here and on the map. The magnified view takes the
        rule card's place: ``show`` (a rule card) comes in as it leaves."""
        d, theme = self.data, self.theme
        parts = d.parts(name, k)
        color = self.colors[name]
        base = np.asarray(parts["base"], float)
        mid, end = base + parts["carry"], base + parts["carry"] + parts["grad"]
        inset, marker = self.inset_for([base, mid, end])
        at = inset.at
        ball = Dot(at(base), radius=0.09, color=color)
        self.play(FadeIn(inset), Create(marker), FadeIn(ball), run_time=0.7)
        shown = VGroup()
        centroid = (at(base) + at(mid) + at(end)) / 3
        carry = vector_arrow(at(base), at(mid), color, width=4).set_opacity(0.8)
        carry_label = arrow_label(carry, r"-\eta\mu\Delta", theme, color, away_from=centroid)
        shown.add(carry, carry_label)
        self.play(GrowArrow(carry), FadeIn(carry_label), run_time=0.7)
        if name == "nesterov":
            ghost = Circle(radius=0.1, stroke_color=color, stroke_width=3).move_to(at(parts["ghost"]))
            ghost_label = math(r"\textsf{look-ahead}", theme, FONT_SMALL, color=color)
            ghost_label.next_to(ghost, UP if parts["grad"][1] < 0 else DOWN, buff=0.12)
            ghost_label.add_background_rectangle(color=theme.background, opacity=0.8, buff=0.05)
            shown.add(ghost, ghost_label)
            self.play(FadeIn(ghost, scale=0.5), FadeIn(ghost_label), run_time=0.5)
        grad = tagged(vector_arrow(at(mid), at(end), theme.gradient, width=4), "gradient")
        grad_label = arrow_label(grad, r"-\eta g", theme, theme.gradient, away_from=centroid)
        shown.add(grad, grad_label)
        if name == "nesterov":
            # Nesterov's gradient is taken at the look-ahead point: drawn there.
            self.play(GrowArrow(grad), FadeIn(grad_label), run_time=0.7)
        else:
            # Heavy ball's gradient is taken at the ball: drawn there, then moved tip to tail.
            offset = at(base) - at(mid)
            grad.shift(offset)
            grad_label.shift(offset)
            self.play(GrowArrow(grad), FadeIn(grad_label), run_time=0.7)
            self.play(grad.animate.shift(-offset), grad_label.animate.shift(-offset), run_time=0.6)
        total = vector_arrow(at(base), at(end), color, width=6)
        total_label = arrow_label(total, r"-\eta\Delta", theme, color, away_from=centroid)
        shown.add(total, total_label)
        self.play(GrowArrow(total), FadeIn(total_label), run_time=0.7)
        self.wait(0.5)
        self.tracker.set_value(k)
        path = self.paths[name]
        with Drive(self, self.tracker).add(path):
            self.play(advance(self.tracker, k + 1, 0.7, rate_func=smooth),
                      ball.animate(rate_func=smooth).move_to(at(end)), run_time=0.7)
        self.play(FadeOut(shown), FadeOut(inset), FadeOut(marker), FadeOut(ball), *[FadeIn(m) for m in show],
                  run_time=0.4)

    # ------------------------------------------------------------------ beats

    def narrow_valley(self):
        """The elongated bowl from above: a long, narrow valley."""
        d = self.data
        kappa = "none" if d.kappa is None else format_plain(d.kappa)
        self.begin_beat("narrow_valley", kappa=kappa, Shape="A narrow valley" if d.narrow else "A round bowl")
        self.play(FadeIn(self.panel), FadeIn(self.title), FadeIn(self.formula), FadeIn(self.star),
                  run_time=1.2)
        self.caption(self.say(0 if d.narrow else 1), 0.6)
        self.wait(2.2)

    def gd_zigzag(self):
        """GD: each step is -eta g, mostly across the valley."""
        zigzag = self.data.zigzags("gd")
        self.begin_beat("gd_zigzag", motion="zig-zags" if zigzag else "does not zig-zag")
        name = "gd"
        path = self.paths[name]
        self.rule = self.rule_card(name)
        self.add(path)
        # The first steps magnified (an option the explainer's cut sets to 0); captions 2 / 5 then
        # 3 / 4 around them, or 0 / 1, the same in one caption, without them.
        magnified = min(self.option("gd_magnified_steps", 2), self.cfg.steps)
        words = self.say((2 if zigzag else 5) if magnified else (0 if zigzag else 1))
        self.play(FadeIn(self.start), FadeIn(path.ball, scale=0.5), FadeIn(self.entries[name]), FadeIn(self.rule),
                  *self.captions.show(words), run_time=0.8)
        self.tracker.set_value(0)
        k_tol = self.data.steps_to_tol(name)
        for k in range(magnified):
            self.gd_step(k)
        if magnified:
            self.play(*self.captions.show(self.say(3 if zigzag else 4)), run_time=0.6)
        self.advance_path(name, len(path.vertices) - 1, 3.0)
        if k_tol is not None:
            self.wait(0.8)
        self.play(*path.fade_to(0.3), run_time=0.5)

    def momentum_velocity(self):
        """Heavy-ball momentum, tip to tail; then it overshoots."""
        d = self.data
        over = d.overshoot("momentum")
        self.begin_beat("momentum_velocity", overshoot=format_plain(over), overshoot_words=overshoot_words(over))
        name = "momentum"
        path = self.paths[name]
        rule = self.rule_card(name)
        self.add(path)
        magnified = self.option("momentum_magnified", True)
        # With magnified steps the rule comes after them (they take its place): it then stays up.
        self.play(FadeOut(self.rule), *([] if magnified else [FadeIn(rule)]), FadeIn(self.entries[name]),
                  FadeIn(path.ball, scale=0.5), *self.captions.show(self.say(0)), run_time=0.8)
        self.rule = rule
        self.tracker.set_value(0)
        if magnified:  # the first step, then ``detail_steps`` magnified
            self.advance_path(name, 1, 0.6, rate_func=smooth)
            for k in range(1, 1 + self.cfg.detail_steps):
                self.detail_step(name, k, show=[rule] if k == self.cfg.detail_steps else ())
            if rule not in self.mobjects:  # (no magnified step configured)
                self.play(FadeIn(rule), run_time=0.4)
        else:
            # Without a magnified step (Nesterov's shows the same sum, plus the look-ahead): the
            # first steps, up to just before it crosses the minimum.
            crossing = d.first_crossing("momentum")
            k_mid = int(np.clip((6 if crossing is None else crossing) - 2, 1, len(path.vertices) - 1))
            self.advance_path(name, k_mid, 1.4)
        self.play(*self.captions.show(self.say(1 if over > 0 else 2)), run_time=0.6)
        self.advance_path(name, len(path.vertices) - 1, 4.5)
        self.wait(0.8)
        self.play(*path.fade_to(0.3), run_time=0.5)

    def nesterov_lookahead(self):
        """Nesterov: the gradient at the look-ahead point."""
        d = self.data
        over, over_m = d.overshoot("nesterov"), d.overshoot("momentum")
        self.begin_beat("nesterov_lookahead", overshoot_nesterov=format_plain(over),
                        overshoot_words_nesterov=overshoot_words(over))
        name = "nesterov"
        path = self.paths[name]
        rule = self.rule_card(name)
        self.add(path)
        # The rule comes after the magnified step (which takes its place), and stays up to the end.
        self.play(FadeOut(self.rule), FadeIn(self.entries[name]), FadeIn(path.ball, scale=0.5),
                  *self.captions.show(self.say(0)), run_time=0.8)
        self.rule = rule
        self.tracker.set_value(0)
        self.advance_path(name, 1, 0.6, rate_func=smooth)
        for k in range(1, 1 + self.cfg.detail_steps):
            self.detail_step(name, k, show=[rule] if k == self.cfg.detail_steps else ())
        if rule not in self.mobjects:  # (no magnified step configured)
            self.play(FadeIn(rule), run_time=0.4)
        self.play(*self.captions.show(self.say(3 if over_m == 0 == over else 1 if over < over_m else 2)), run_time=0.6)
        self.advance_path(name, len(path.vertices) - 1, 4.0)
        self.wait(0.8)

    def compare(self):
        """All three paths, their losses (log), and the steps each needs to reach the tolerance."""
        d, theme, cfg = self.data, self.theme, self.cfg
        self.begin_beat("compare", tol=f"{cfg.loss_tol:g}", counts=d.counts(), counts_said=d.counts(said=True))
        f_min = d.surface.facts.f_min
        plot = LossPlot([(d.ball_losses(n) - f_min, self.colors[n]) for n in NAMES], theme, x_max=cfg.steps, log=True,
                          width=2.9, height=2.4, y_min_decade=-8, step=cfg.steps, y_label=r"f - f^*")
        # The rule card's place, under the legend: tall enough for a decade tick every 0.5 units.
        plot.shift(np.array([RIGHT_LEFT + 0.85 + 1.45, -0.55, 0.0]) - plot.axes.get_center())
        self.play(FadeOut(self.rule), *[a for n in NAMES for a in self.paths[n].fade_to(1.0)], FadeIn(plot),
                  *self.captions.show(self.say()),
                  run_time=1.0)
        self.wait(4.0)
        self.plot = plot


__all__ = ["MomentumCloseUp", "MomentumData", "vector_arrow", "arrow_label"]
