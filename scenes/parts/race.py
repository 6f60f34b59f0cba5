r"""Scene 5: the optimizer race -- several optimizers, one start, one step budget.

Render: ``manim -ql scenes/parts/race.py OptimizerRace`` (Rosenbrock) or
``manim -ql scenes/parts/race.py OptimizerRaceRastrigin``; ``GDX_THEME=light``;
``GDX_CONFIG=my.toml`` with a ``[race]`` / ``[race_rastrigin]`` table (see
:mod:`scenes.config`): optimizers, their hyperparameters, start, budget, seed.

Fair by construction: every run is ``mathcore.run(surface, optimizer, start, steps,
seed=seed, grad_noise=...)`` with the same start, budget and seed, no clipping and no
early stop; each optimizer's hyperparameters are on screen. The scoreboard's "steps to
f <= tol" is the first recorded step whose loss is at most the tolerance, and "f after N"
the recorded loss at the end of the budget, both rounded as shown.

Beats (manim sections; narration in ``assets/narration/race.toml``): ``the_field``,
``the_runners``, ``race``, ``finish``, ``scoreboard``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, DashedLine, Group, LaggedStart, VGroup
from scenes.animations import FadeIn, FadeOut

import mathcore
from mathcore import display_name

from scenes.animations import StepTracker, advance_spans, fade_in_after, fade_out_first, shared_pacing
from scenes.common import ThemedThreeDScene
from scenes.config import RaceConfig, load_or_exit
from scenes.mobjects.text import format_short
from scenes.mobjects import title, diverged_mark, format_sig, legend, math, minimum_mark, panel, start_mark, text, visible
from scenes.mobjects import FastNumber, LossPlot, MapPanel, PathOnMap, Scoreboard, hyperparam_text, tagged
from scenes.mobjects.surface import surface_formula
from scenes.mobjects.text import format_plain as plain
from scenes.story import count
from scenes.stage import Drive, SurfaceStage, lit_by_mesh, move_over_mesh, replace_in_scene, snapshot
from scenes.theme import FONT_LABEL, FONT_SMALL, MARGIN, frame_box

# Layout (manim units; frame 14.2 x 8, safe area 0.5 inside; captions below CAPTION_TOP).
SURFACE_SCREEN = (-2.75, -1.0)  # where the middle of the 3D window appears (under the formula)
RIGHT_LEFT = 2.1  # left edge of the right-hand column (legend, plot)
PLOT_AXES = (4.45, -0.8, 3.6, 1.7)  # centre x, centre y, width, height of the log-loss axes
MAP_CENTER = (-3.55, 0.3, 0.0)  # the view from above, at the finish
MAP_SIDE = 4.6
CAPTION_TOP = -2.45


@dataclass
class RaceData:
    """The runs of a race, all from mathcore with the same start, budget and seed, and what
    each one did, judged against the surface's facts (``f*``, its minima)."""

    cfg: RaceConfig

    @cached_property
    def surface(self):
        return self.cfg.surface_object()

    @cached_property
    def optimizers(self) -> list:
        return [mathcore.make_optimizer(name, **hp) for name, hp in self.cfg.runners]

    @cached_property
    def labels(self) -> list[str]:
        """Each runner's name; an optimizer that runs more than once is told apart by its rate."""
        names = [o.name for o in self.optimizers]
        return [display_name(o.name) + (f" (η = {o.hyperparams['lr']:g})" if names.count(o.name) > 1 else "")
                for o in self.optimizers]

    @cached_property
    def trajectories(self) -> list:
        cfg = self.cfg
        return [mathcore.run(self.surface, opt, cfg.start, cfg.steps, seed=cfg.seed, grad_noise=cfg.grad_noise)
                for opt in self.optimizers]

    @property
    def f_star(self) -> float:
        return self.surface.facts.f_min

    def steps_to_tol(self, traj) -> int | None:
        """The first step with f - f* <= ``loss_tol``, or None."""
        return traj.steps_to_gap(self.cfg.loss_tol)

    @cached_property
    def outcomes(self) -> list[dict]:
        """Per runner: ``label``, ``kind`` (reached / local / diverged / short), ``steps`` to the
        tolerance, ``final`` f, ``step`` where it diverged."""
        out = []
        for label, t in zip(self.labels, self.trajectories):
            steps = self.steps_to_tol(t)
            ended = t.ended_in
            if steps is not None:
                kind = "reached"
            elif t.status == "diverged":
                kind = "diverged"
            elif ended is not None and not ended.is_global:
                kind = "local"
            else:
                kind = "short"
            out.append({"label": label, "kind": kind, "steps": steps, "final": float(t.losses[-1]),
                        "step": int(t.n_steps)})
        return out

    def rows(self, theme, colors) -> list:
        """Scoreboard rows: (name, colour, steps to tolerance or None, final loss, settings)."""
        return [(display_name(t.optimizer.name), c, o["steps"], o["final"], hyperparam_text(t.optimizer))
                for o, c, t in zip(self.outcomes, colors, self.trajectories)]


def runner_colors(theme, optimizers) -> list:
    """One colour per optimizer; an optimizer that runs again at another rate gets a shade of its
    colour (lighter as the rate grows, :meth:`Theme.shades`), so a colour still names the method."""
    out = []
    for o in optimizers:
        same = [p for p in optimizers if p.name == o.name]
        if len(same) == 1:
            out.append(theme.optimizer_color(o.name))
            continue
        rank = sorted(p.hyperparams["lr"] for p in same).index(o.hyperparams["lr"])
        out.append(theme.shades(o.name, len(same))[rank])
    return out


def _names(labels, total: int = 0) -> str:
    """``A``, ``A and B``, ``A, B and C``; ``all 4`` when the group is every one of ``total`` runners."""
    if total > 2 and len(labels) == total:
        return f"all {total}"
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def verdict(outcomes, tol: float, steps: int, f_star: float, spoken: bool = False) -> str:
    """The race's closing words from the runs' outcomes: who is first to within ``tol`` of
    :math:`f^*` and what the others did (stopped in a local minimum, diverged, ran out of
    steps). Two lines for the caption; one sentence with ``spoken``."""
    tol_s = f"{tol:g}"
    goal = f"within {tol_s} of the lowest value" if spoken else f"f − f* ≤ {tol_s}"
    reached = sorted((o for o in outcomes if o["kind"] == "reached"), key=lambda o: o["steps"])
    rest = []
    local = [o for o in outcomes if o["kind"] == "local"]
    if local:
        lowest = plain(min(o["final"] for o in local))
        where = (f"in a local minimum at f = {lowest}" if len({plain(o["final"]) for o in local}) == 1
                 else f"in local minima (the lowest at f = {lowest})")
        rest.append(f"{_names([o['label'] for o in local], len(outcomes))} {'stops' if len(local) == 1 else 'stop'} {where}")
    diverged = [o for o in outcomes if o["kind"] == "diverged"]
    for step in sorted({o["step"] for o in diverged}):
        group = [o["label"] for o in diverged if o["step"] == step]
        rest.append(f"{_names(group, len(outcomes))} {'diverges' if len(group) == 1 else 'diverge'} at step {step}")
    short = [o for o in outcomes if o["kind"] == "short"]
    if short:
        lowest = min(short, key=lambda o: o["final"])
        verb = "does" if len(short) == 1 else "do"
        above = plain(lowest["final"] - f_star)  # how far above f* it stopped: f alone may round to f*
        rest.append(f"{_names([o['label'] for o in short], len(outcomes))} {verb} not get there in {steps} steps"
                    + ((f", still {above} above the lowest value" if spoken else f" (f − f* = {above})")
                       if len(short) == 1 else ""))
    if reached:
        first = reached[0]
        head = f"{first['label']} is first to {goal}, at step {first['steps']}"
        if not rest:
            tail = (f"all {len(outcomes)} get there within {steps} steps" if len(outcomes) > 1
                    else f"f* = {plain(f_star)}")
            rest = [tail]
    else:
        head = f"No one gets {goal} in {steps} steps" if spoken else f"No one reaches {goal} in {steps} steps"
    sep = "; " if spoken else ";\n"
    return head + sep + "; ".join(rest) + ("." if spoken else "")


class StepCounter(VGroup):
    """``step k / N`` that follows a step tracker (digits from cached glyphs, no jitter)."""

    def __init__(self, total: int, theme, font_size: int = FONT_LABEL):
        super().__init__()
        self.total = total
        self.label = math(r"\textsf{step}", theme, font_size, color=theme.muted)
        self.number = FastNumber(0, font_size, color=theme.foreground, integer=True)
        self.of = math(r"/\ %d" % total, theme, font_size, color=theme.muted)
        widest = FastNumber(total, font_size, integer=True)
        self.of.next_to(self.label, RIGHT, buff=0.3 + widest.width)
        self.of.align_to(self.label[0][0], DOWN)
        self.add(self.label, self.number, self.of)
        self.step = None
        self.set_step(0)

    def set_step(self, s: float) -> "StepCounter":
        k = int(np.clip(np.floor(s + 1e-9), 0, self.total))
        if k == self.step:
            return self
        self.step = k
        self.number.set_value(k)
        # Right-aligned before the slash, on the label's baseline.
        self.number.next_to(self.of, LEFT, buff=0.15).align_to(self.label[0][0], DOWN)
        return self


class OptimizerRace(ThemedThreeDScene):
    """GD, momentum, Nesterov, RMSProp and Adam from one start with one step budget, on Rosenbrock."""

    config_table = "race"

    BEATS = ("the_field", "the_runners", "race", "finish", "scoreboard")

    def construct(self):
        self.cfg = load_or_exit(self.config_table)
        self.data = RaceData(self.cfg)
        self.tracker = StepTracker(0)
        self.build()
        self.the_field()
        self.the_runners()
        self.race()
        self.finish()
        self.scoreboard()

    # ------------------------------------------------------------------ building

    def build(self):
        d, theme, cfg = self.data, self.theme, self.cfg
        surface = d.surface
        # A log-scaled valley reads well tall; an egg crate's bumps need less height to stay clear of the text.
        log = surface.height_scale == "log"
        z_length = 1.9 if log else 1.2
        screen = SURFACE_SCREEN if log else (SURFACE_SCREEN[0], SURFACE_SCREEN[1] - 0.35)
        self.stage = SurfaceStage(surface, theme, window=cfg.window or None, side=5.0, z_length=z_length, lift=0.05,
                                  phi=cfg.camera_phi, theta=cfg.camera_theta, screen_xy=screen,
                                  resolution=cfg.mesh_resolution or None, floor=False)
        lit_by_mesh(self)
        self.set_camera_orientation(**self.stage.camera_kwargs())
        self.colors = runner_colors(theme, d.optimizers)
        self.runs = [self.stage.run(t, c) for t, c in zip(d.trajectories, self.colors)]

        heading = cfg.title or ("The race on your function" if surface.name == "custom"
                                else f"The race: {surface.title or surface.name}")
        self.title = title(heading, theme)
        self.title.to_corner(UP + LEFT, buff=MARGIN)
        start = ", ".join(f"{v:g}" for v in cfg.start)
        rules = f"start ({start}) · {cfg.steps} steps each · same seed · no clipping"
        if cfg.grad_noise:
            rules = f"start ({start}) · {cfg.steps} steps · same noise σ = {cfg.grad_noise:g}, seed {cfg.seed}"
        self.rules = text(rules, theme, FONT_SMALL, color=theme.muted)
        self.rules.next_to(self.title, DOWN, buff=0.2, aligned_edge=LEFT)
        # As large as the room left of the legend allows; one too long for it at the floor is left out.
        self.formula = surface_formula(surface, theme, RIGHT_LEFT - 0.3 - frame_box()[0]) or VGroup()
        self.formula.next_to(self.rules, DOWN, buff=0.2, aligned_edge=LEFT)
        tagged(self.rules, "heading"), tagged(self.formula, "heading")  # (they stay under the title)

        # Each runner's settings; where they do not fit the column, its step size alone.
        for settings in (hyperparam_text, lambda o: r"\eta = " + format_short(o.hyperparams["lr"])):
            entries = [(rf"\textsf{{{display_name(t.optimizer.name)}}}\ \ " + settings(t.optimizer), c)
                       for t, c in zip(d.trajectories, self.colors)]
            self.legend = legend(entries, theme, FONT_SMALL)
            self.legend.move_to([0, frame_box()[3], 0], aligned_edge=UP).align_to([RIGHT_LEFT, 0, 0], LEFT)
            if self.legend.get_right()[0] <= frame_box()[1]:
                break

        cx, cy, w, h = PLOT_AXES
        # The distance to the lowest value, f - f*, on a log axis: it reads the same on every surface.
        self.plot = LossPlot([(t.gap, c) for t, c in zip(d.trajectories, self.colors)], theme, x_max=cfg.steps,
                               log=True, width=w, height=h, y_min_decade=-8, y_label=r"f - f^*",
                               include=[cfg.loss_tol / 10])
        self.plot.shift(np.array([cx, cy, 0.0]) - self.plot.axes.get_center())
        self.counter = StepCounter(cfg.steps, theme, FONT_SMALL)
        self.counter.next_to(self.plot, UP, buff=0.05).align_to(self.plot.axes, RIGHT)  # (above the axis label)
        lo, hi = self.plot.y_bounds
        y_tol = float(np.clip(cfg.loss_tol, lo, hi))
        self.tol_line = DashedLine(self.plot.point(0, y_tol), self.plot.point(cfg.steps, y_tol), dash_length=0.08, stroke_width=2,
                                   color=theme.muted)
        self.tol_label = math(r"f - f^* = " + format_sig(cfg.loss_tol, 1), theme, FONT_SMALL, color=theme.muted)
        self.tol_label.next_to(self.tol_line, DOWN, buff=0.06).align_to(self.tol_line, RIGHT)
        self.start_mark = start_mark(self.runs[0].lifted[0], theme, label=None, radius=0.1)
        self.minimum = VGroup()
        for m in self.minima:
            point = self.stage.scene_point(m.point)
            mark = minimum_mark(point, theme, size=0.12, local=not m.is_global)
            if not visible([point], self.stage.eye, self.stage.mesh)[0]:
                mark.set_opacity(0.35)  # behind a hill from this camera: drawn faint, as hidden paths are
            self.minimum.add(mark)
        self.fix(self.title, self.rules, self.formula, self.legend, self.plot, self.counter, self.tol_line,
                 self.tol_label)

    @cached_property
    def minima(self) -> list:
        """The minima ``describe`` found in the plotting window (global ones first)."""
        return [m for m in self.data.surface.facts.minima if self._inside(m.point)]

    def _inside(self, point) -> bool:
        x0, x1, y0, y1 = self.stage.box
        return x0 <= point[0] <= x1 and y0 <= point[1] <= y1

    # ------------------------------------------------------------------ beats

    def the_field(self):
        """The surface (an image of a fine mesh), the title and the rules, while the camera
        settles into its pose (a short orbit before any runner is on it)."""
        d = self.data
        self.begin_beat("the_field", runners=count(len(self.runs), "runner", "runners"), steps=self.cfg.steps, f_star=plain(d.f_star),
                        minima=count(len(d.surface.facts.minima), "minimum", "minima"))
        # From a little higher (clear of the title and formula above it), turning and settling down.
        start = self.stage.pose_before(dphi=-6.0)
        self.orbits = {"the_field": (start, self.stage.camera_kwargs())}
        self.set_camera_orientation(**start)
        image = snapshot(self, self.stage.mesh)
        self.play(FadeIn(image), FadeIn(self.title), FadeIn(self.formula), run_time=1.2)
        self.surface_image = move_over_mesh(self, image, [self.stage.mesh], (0.8, 2.2),
                                            ([FadeIn(self.rules), *self.captions.show(self.say())], ()),
                                            **self.stage.camera_kwargs())

    def the_runners(self):
        """Who runs, with which hyperparameters; everyone at the start."""
        self.begin_beat("the_runners")
        self.add(*[r.trail3d for r in self.runs])
        balls = [r.ball3d for r in self.runs]
        self.face_camera(*balls, self.start_mark, self.minimum)
        self.play(LaggedStart(*[FadeIn(row, shift=0.2 * LEFT) for row in self.legend], lag_ratio=0.25),
                  FadeIn(self.start_mark), FadeIn(self.minimum), *[FadeIn(b, scale=0.5) for b in balls],
                  *self.captions.show(self.say()), run_time=1.8)
        self.wait(2.0)

    def race(self):
        """Everyone moves together, one shared step count; the log-loss panel follows."""
        self.begin_beat("race")
        cfg = self.cfg
        self.play(FadeIn(self.plot), FadeIn(self.counter), *self.captions.show(None), run_time=0.8)
        self.tracker.set_value(0)
        drive = Drive(self, self.tracker).add(self.plot, ["curves", "dots"]).add(self.counter, ["number"])
        for run in self.runs:
            drive.add(run.trail3d).add(run.ball3d)
        rate = shared_pacing([r.lifted for r in self.runs], cfg.steps)
        # One play a second: between them each trail so far becomes still picture (painted once
        # per play, in the runners' order), and each frame redraws only the newest part of each trail.
        stills = [None] * len(self.runs)
        with drive:
            spans = advance_spans(self.tracker, cfg.steps, cfg.race_seconds, rate_func=rate)
            for k, span in enumerate(spans):
                self.play(span)
                if k == len(spans) - 1:
                    break
                for i, run in enumerate(self.runs):
                    still = run.trail3d.split()
                    if stills[i] is None:
                        drive.still(still)
                    else:
                        replace_in_scene(self, stills[i], still)
                    stills[i] = still
        self.remove(*[s for s in stills if s is not None])
        for run in self.runs:
            run.trail3d.join()

    def finish(self):
        """From above: the whole race on the contour map; the tolerance on the loss panel."""
        cfg, theme = self.cfg, self.theme
        self.begin_beat("finish", tol=f"{cfg.loss_tol:g}")
        stage = self.stage
        (x0, x1), (y0, y1) = stage.surface.domain
        map_panel = MapPanel(stage.surface, stage.surface.domain, theme, side=MAP_SIDE, center=MAP_CENTER,
                             levels=stage.levels, band_opacity=0.7, line_opacity=0.45)
        self.fix(map_panel)
        self.finish_map = map_panel
        self.map_image = snapshot(self, map_panel)
        self.paths = []
        marks = VGroup()
        for run, color in zip(self.runs, self.colors):
            path = PathOnMap(map_panel.to_scene(run.points), color, theme, width=3.0, radius=0.07, step=run.last)
            self.paths.append(path)
            if run.exit_index is not None:
                pts = path.vertices
                marks.add(diverged_mark(pts[-1], pts[-1] - pts[-2], theme, step=int(run.exit_index)))
        start = start_mark(map_panel.at(cfg.start), theme, label=None, radius=0.11)
        minima = VGroup(*[minimum_mark(map_panel.at(m.point), theme, size=0.13, local=not m.is_global)
                          for m in self.minima])
        paths = VGroup(*self.paths)
        self.fix(paths, start, minima, marks)
        old = Group(self.surface_image, *[r.trail3d for r in self.runs], *[r.ball3d for r in self.runs],
                    self.start_mark, self.minimum)
        self.finish_group = Group(self.map_image, paths, start, minima, marks)
        self.play(FadeOut(old), FadeOut(self.rules), FadeOut(self.formula), FadeIn(self.map_image), FadeIn(paths),
                  FadeIn(start), FadeIn(minima), FadeIn(marks),
                  *self.captions.show(self.say(0)), run_time=1.2)
        self.wait(1.2)
        self.play(FadeIn(self.tol_line), FadeIn(self.tol_label),
                  *self.captions.show(self.say(1)), run_time=0.8)
        self.wait(2.8)  # (the tolerance's formula is read for 3 s before the scoreboard takes its place)

    def scoreboard(self):
        """Steps to the tolerance and the final loss, ranked."""
        d, cfg, theme = self.data, self.cfg, self.theme
        args = (d.outcomes, cfg.loss_tol, cfg.steps, d.f_star)
        self.begin_beat("scoreboard", verdict=verdict(*args), verdict_said=verdict(*args, spoken=True))
        rows = d.rows(theme, self.colors)
        repeated = len({o.name for o in d.optimizers}) < len(d.optimizers)
        if repeated:  # the rate beside the name tells an optimizer's runs apart
            rows = [(rf"\textsf{{{r[0]}}}\ \eta = " + format_short(o.hyperparams["lr"]),) + r[1:4]
                    for r, o in zip(rows, d.optimizers)]
        else:
            rows = [r[:4] for r in rows]
        # The results alone, large, in the middle: the map, the plot and the legend (the board
        # names each runner in its colour) leave first. Too wide at the label size: the small size.
        box = frame_box()
        for size in (FONT_LABEL, FONT_SMALL):
            board = Scoreboard(rows, theme, cfg.loss_tol, cfg.steps, font_size=size, gap=True)
            if board.width <= box[1] - box[0] - 0.4:
                break
        else:
            board.scale_to_fit_width(box[1] - box[0] - 0.4)
        for row in board.rows:
            tagged(row, "result")
        self.board = board
        board.move_to([0, (self.title.get_bottom()[1] + CAPTION_TOP) / 2, 0])
        card = panel(board, theme, buff=0.18)
        self.fix(card, board)
        leaving = [self.plot, self.counter, self.tol_line, self.tol_label, self.legend, self.finish_group]
        self.play(*fade_out_first(*leaving), *fade_in_after(card, board.rule), *self.captions.show(None), run_time=0.8)
        self.play(LaggedStart(*[FadeIn(row, shift=0.15 * DOWN) for row in board.rows], lag_ratio=0.3), run_time=1.8)
        self.play(*self.captions.show(self.say()), run_time=0.6)
        self.wait(4.0)


class OptimizerRaceRastrigin(OptimizerRace):
    """The same race on Rastrigin's egg crate (``[race_rastrigin]``): every method stops in a pit."""

    config_table = "race_rastrigin"

    def construct(self):
        super().construct()


__all__ = ["OptimizerRace", "OptimizerRaceRastrigin", "RaceData", "StepCounter", "verdict",
           "runner_colors"]
