r"""Scene 4: landscapes that make gradient descent struggle.

Render: ``manim -ql scenes/parts/landscapes.py Landscapes`` (``GDX_THEME=light``,
``GDX_CONFIG=my.toml`` with a ``[landscapes]`` table, see :mod:`scenes.config`).

Beats (one manim section each, narration in ``assets/narration/landscapes.toml``):

1. ``many_minima`` -- Rastrigin's egg crate in 3D: a pit in every cell.
2. ``gd_trapped`` -- seen from above: plain GD rolls into the nearest pit and stops.
3. ``noise_escapes`` -- the same start, the same steps, plus Gaussian noise in each
   gradient (``mathcore.run(..., grad_noise=sigma, seed=...)``): it hops over ridges.
4. ``saddle`` -- :math:`x^2 - y^2`: near the saddle point the gradient almost vanishes
   and GD crawls (one step per tick, so the slowdown is seen), then slides off.
5. ``plateau`` -- :math:`1 - e^{-(x^2+y^2)/2}`: a gradient norm of a few thousandths
   for dozens of steps, then a sudden drop.
6. ``basin_map`` -- a grid of starts on Rastrigin, each coloured by the minimum its run
   ends in (``mathcore.basins``).

Every run, loss and gradient norm is mathcore's. Each 3D surface arrives as an image and the
camera then settles into its pose in a short orbit while nothing else moves
(:func:`scenes.stage.move_over_mesh`); in that pose the mesh is painted once into an image
(:func:`scenes.stage.snapshot`) and balls and trails move over it, which keeps a fine mesh
cheap to render. Meshes are lit (baked shading), without side walls; the plateau's camera
looks down steeply enough that the well's rim hides none of the run.

Explainer cut (``scenes.explainer.CUTS``): the same beats in about 38 s instead of 59, each at
its pace; the explainer fades out what the last beat leaves, since the next part plays on the
same scene.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from manim import (
    DOWN, LEFT, RIGHT, UP, Circle, Dot, Group, LaggedStart, VGroup, linear,
)
from scenes.animations import FadeIn

import mathcore
from mathcore import landmarks
from mathcore.schedules import cosine

from scenes.animations import StepTracker, advance, descend, fade_in_after, fade_out_first
from scenes.common import ThemedThreeDScene
from scenes.mobjects.plots import nice_ticks
from scenes.config import LandscapesConfig, load_or_exit
from scenes.mobjects import title, format_sig, legend, math, minimum_mark, start_mark, text
from scenes.mobjects import BasinMap, FastReadout, LossPlot, MapPanel, PathOnMap, color_bar
from scenes.mobjects.surface import surface_formula
from scenes.mobjects.text import format_plain as plain, tagged
from scenes.stage import Drive, SurfaceStage, lit_by_mesh, move_over_mesh, snapshot
from scenes.story import count
from scenes.theme import FONT_LABEL, FONT_SMALL, MARGIN, frame_box

# Layout (manim units; the frame is 14.2 x 8, the safe area 0.5 inside it). The bottom
# band, below y = -2.45, belongs to the two-line captions.
PLOT_AXES_CENTER = (4.35, 1.3, 0.0)  # the right-hand column: legend above the plot, readout below
PLOT_SIZE = (3.9, 1.6)
LEGEND_TOP = 3.45
READOUT_TOP = -0.3
MAP_CENTER = (-3.55, 0.37, 0.0)  # the 2-D maps (Rastrigin, basins), under a title without formula
MAP_SIDE = 4.55
SURFACE_SCREEN = (-2.9, -0.15)  # where the middle of a 3D surface appears
# The formula under a title: left of the right-hand column (0.3 apart), or across the frame.
COLUMN_WIDTH = PLOT_AXES_CENTER[0] - PLOT_SIZE[0] / 2 - 0.3 - frame_box()[0]
FULL_WIDTH = frame_box()[1] - frame_box()[0]
PLATEAU_PHI = 58.0  # the plateau's preferred view, before SurfaceStage's keep_in_view lowers it


@dataclass
class LandscapesData:
    """Every run the scene shows, computed once from the config by mathcore.

    The built-in tour uses three examples (Rastrigin's pits, the saddle x^2 - y^2, the plateau);
    with ``surface`` set every beat is on that one surface, at places ``mathcore.landmarks``
    finds, and a place it does not have (no saddle, no plateau, no local minimum) is ``None``.
    """

    cfg: LandscapesConfig

    @property
    def tour(self) -> bool:
        return bool(self.cfg.surface)

    def optimizer(self, part: str):
        if self.tour:
            return mathcore.make_optimizer("gd", lr=self.lr)
        name = getattr(self.cfg, f"{part}_optimizer")
        return mathcore.make_optimizer(name, **{**self.cfg.hp(name), "lr": getattr(self.cfg, f"{part}_lr")})

    @cached_property
    def pits(self):
        """The surface of the first beats and the basin map (Rastrigin, or the toured surface)."""
        return self.cfg.surface_object() if self.tour else mathcore.get_surface("rastrigin")

    @cached_property
    def window(self):
        return self.pits.domain if self.tour else self.cfg.rastrigin_window

    @cached_property
    def lr(self) -> float:
        """GD's rate on the toured surface: the config's, else the one its curvature calls right."""
        return self.cfg.lr or float(f"{self.pits.facts.learning_rates['right']:.2g}")

    @property
    def pit_lr(self) -> float:
        return self.lr if self.tour else self.cfg.rastrigin_lr

    @property
    def pit_steps(self) -> int:
        return self.cfg.steps if self.tour else self.cfg.rastrigin_steps

    def _schedule(self):
        if self.tour or self.cfg.rastrigin_schedule == "cosine":
            return cosine(self.pit_lr, self.pit_steps)
        return None

    @cached_property
    def trap_start(self) -> tuple:
        """Where the first run starts: the configured start, or on a toured surface the start
        nearest the lesson's whose run ends in a local minimum (the lesson's own when none does)."""
        if not self.tour:
            return tuple(self.cfg.rastrigin_start)
        near = tuple(self.cfg.start) or self.pits.facts.start
        xs, ys, index = self.basins
        return landmarks.trap_start(self.pits, xs, ys, index, near) or near

    @cached_property
    def trapped(self):
        return mathcore.run(self.pits, self.optimizer("rastrigin"), self.trap_start, self.pit_steps,
                            schedule=self._schedule(), seed=self.cfg.noise_seed)

    @cached_property
    def trapped_in(self) -> str:
        """``local``, ``global`` or ``short``: where the first run ends, by the facts."""
        ended = self.trapped.ended_in
        if ended is None or not np.allclose(self.trapped.x, ended.point, atol=1e-2 * _span(self.window)):
            return "short"
        return "global" if ended.is_global else "local"

    @cached_property
    def noise(self):
        """The noisy run, as ``(sigma, seed, trajectory, escaped)``; None when the first run is
        not in a local minimum (there is nothing to escape from)."""
        cfg = self.cfg
        if not self.tour:
            traj = mathcore.run(self.pits, self.optimizer("rastrigin"), self.trap_start, self.pit_steps,
                                schedule=self._schedule(), grad_noise=cfg.grad_noise, seed=cfg.noise_seed)
            return cfg.grad_noise, cfg.noise_seed, traj, bool(traj.fun < self.trapped.fun)
        if self.trapped_in != "local":
            return None
        found = landmarks.noise_escape(self.pits, self.optimizer("rastrigin"), self.trap_start, self.pit_steps,
                                       float(self.trapped.fun), schedule=self._schedule())
        return found.sigma, found.seed, found.traj, found.escaped

    @property
    def noisy(self):
        return self.noise[2]

    @cached_property
    def saddle_run(self):
        """``(saddle point, GD run past it)``; on a toured surface the first of its saddles with
        a start that GD is seen to crawl from (None when there is none)."""
        cfg = self.cfg
        if not self.tour:
            return (0.0, 0.0), mathcore.run("saddle", self.optimizer("saddle"), cfg.saddle_start, cfg.saddle_steps)
        for saddle in self.pits.facts.saddles[:4]:
            start = landmarks.saddle_start(self.pits, saddle, self.optimizer("saddle"), cfg.steps)
            if start is not None:
                return saddle.point, mathcore.run(self.pits, self.optimizer("saddle"), start, cfg.steps,
                                                  bound=_bound(self.window))
        return None

    @property
    def saddle(self):
        return self.saddle_run[1] if self.saddle_run else None

    @property
    def saddle_point(self):
        return self.saddle_run[0]

    @cached_property
    def plateau(self):
        """GD from a plateau (None on a toured surface without one)."""
        cfg = self.cfg
        if not self.tour:
            return mathcore.run("plateau", self.optimizer("plateau"), cfg.plateau_start, cfg.plateau_steps,
                                grad_tol=cfg.plateau_grad_tol)
        flat = landmarks.plateau(self.pits)
        if flat is None:
            return None
        return mathcore.run(self.pits, self.optimizer("plateau"), flat.start, cfg.steps, bound=_bound(self.window))

    @cached_property
    def basins(self):
        """``(xs, ys, index)`` from ``mathcore.basins`` over the pits' window."""
        tol = 1e-2 * _span(self.window) if self.tour else self.cfg.basin_tol
        return mathcore.basins(self.pits, self.optimizer("basin"), grid_n=self.cfg.basin_grid, steps=self.basin_steps,
                               tol=tol, domain=self.window)

    @property
    def basin_lr(self) -> float:
        return self.lr if self.tour else self.cfg.basin_lr

    @property
    def basin_steps(self) -> int:
        return self.cfg.steps if self.tour else self.cfg.basin_steps

    @cached_property
    def minima(self) -> np.ndarray:
        """The minima ``describe`` found, in the order ``basins`` indexes them."""
        return np.array([c.point for c in self.pits.facts.minima], float)

    @cached_property
    def minima_f(self) -> np.ndarray:
        return self.pits.f(self.minima.T)


def _span(window) -> float:
    return float(max(b - a for a, b in window))


def _bound(window) -> float:
    """Runs stop as diverged well outside the window (what leaves it is clipped on screen)."""
    return float(max(abs(v) for pair in window for v in pair)) + 2 * _span(window)


def lr_caption(data: LandscapesData) -> str:
    r"""The learning rate of the first two runs, as LaTeX (:math:`\eta`: 0.004 -> 0, cosine)."""
    if data.tour or data.cfg.rastrigin_schedule == "cosine":
        return r"\eta: %g \to 0\ \textsf{(cosine)}" % data.pit_lr
    return r"\eta = %g" % data.pit_lr


def minima_heading(n_local: int) -> str:
    """The first beat's title, from the count of local minima."""
    if n_local == 0:
        return "No local minima"
    if n_local == 1:
        return "A local minimum"
    return "Many local minima" if n_local >= 5 else f"{n_local} local minima"


def minima_words(facts) -> tuple[int, dict]:
    """The first beat's variant (see ``many_minima`` in assets/narration/landscapes.toml) and facts."""
    minima, local = facts.minima, facts.local_minima
    said = count(len(minima), "minimum", "minima")
    out = {"Minima": said[0].upper() + said[1:], "n_local": len(local), "f_star": plain(facts.f_min)}
    if len(local) == 1:
        return 1, {**out, "f_local": plain(local[0].f)}
    if local:
        fs = sorted(c.f for c in local)
        return 2, {**out, "f_local_low": plain(fs[0]), "f_local_high": plain(fs[-1])}
    return (3 if len(minima) == 1 else 4), out


class Landscapes(ThemedThreeDScene):
    """Local minima, a saddle, a plateau and a basin map: where gradient descent struggles."""

    config_table = "landscapes"

    BEATS = ("many_minima", "gd_trapped", "noise_escapes", "saddle", "plateau", "basin_map")

    def construct(self):
        self.cfg = load_or_exit(self.config_table)
        self.data = d = LandscapesData(self.cfg)
        self.tracker = StepTracker(0)
        self.title_mob = self.formula_mob = None
        self.orbits = {}  # beat -> (pose where its camera move starts, pose where it ends), for tests
        lit_by_mesh(self)
        domain = str([[round(v, 3) for v in pair] for pair in d.window])
        self.many_minima()
        self.gd_trapped()
        if d.noise is not None:
            self.noise_escapes()
        else:
            self.story.leave_out("noise_escapes")
        if d.saddle is not None:
            self.saddle()
        else:
            self.story.leave_out("saddle", domain=domain)
        if d.plateau is not None:
            self.plateau()
        else:
            self.story.leave_out("plateau", domain=domain, flat_percent=f"{100 * landmarks.FLAT:g}")
        self.basin_map()

    # ------------------------------------------------------------------ helpers

    def caption_anims(self, words):
        return self.captions.show(words, 0.6)

    def heading(self, title_words: str, surface=None, width: float = COLUMN_WIDTH):
        """New title and formula (fixed in the frame) and the animations that swap them in. The
        formula is as large as ``width`` allows; one that does not fit at the type floor is left
        out (a toured surface's formula is then seen in the first beat, across the frame)."""
        new_title = title(title_words, self.theme).to_corner(UP + LEFT, buff=MARGIN)
        group = VGroup(new_title)
        formula = surface_formula(surface, self.theme, width) if surface is not None else None
        if formula is not None:
            tagged(formula.next_to(new_title, DOWN, buff=0.22, aligned_edge=LEFT), "heading")
            group.add(formula)
        self.fix(*group)
        leaving = [m for m in (self.title_mob, self.formula_mob) if m is not None]
        # The old title and formula are gone before the new ones show (no double exposure).
        anims = fade_out_first(*leaving) + (fade_in_after(*group) if leaving else [FadeIn(m) for m in group])
        self.title_mob, self.formula_mob = new_title, formula
        return anims

    def reset_tracker(self):
        """The step tracker at 0 (:class:`~scenes.stage.Drive` puts it last in the scene)."""
        self.tracker.set_value(0)
        return self.tracker

    def readout(self, traj, last: int, color, rows=("f", "grad")) -> FastReadout:
        table = []
        for key in rows:
            if key == "f":
                table.append(("f", traj.losses[: last + 1]))
            elif key == "grad":
                table.append((r"\|\nabla f\|", traj.grad_norms[: last + 1]))
            elif key in traj.surface.variable_names:
                i = traj.surface.variable_names.index(key)
                table.append((key, traj.points[: last + 1, i]))
        return FastReadout(table, self.theme, font_size=FONT_LABEL, accent=color)

    def right_column(self, plot, entries, readout=None):
        """Legend at the top right, the plot under it, the readout under that (fixed in the frame)."""
        plot.shift(np.asarray(PLOT_AXES_CENTER) - plot.axes.get_center())
        leg = legend(entries, self.theme, FONT_SMALL)
        leg.move_to([0, LEGEND_TOP, 0], aligned_edge=UP).align_to(plot.axes, LEFT)
        leg.shift(LEFT * max(leg.get_right()[0] - frame_box()[1], 0))  # a long entry: in from the edge
        self.fix(plot, leg)
        if readout is not None:
            readout.move_to([0, READOUT_TOP, 0], aligned_edge=UP).align_to(plot.axes, LEFT).shift(0.35 * RIGHT)
            self.fix(readout)
        return leg

    def surface_stage(self, surface, **kwargs) -> SurfaceStage:
        opts = dict(side=4.4, z_length=1.7, floor_gap=0.75, phi=62.0, theta=-56.0, screen_xy=SURFACE_SCREEN,
                    floor=False)
        opts.update(kwargs)
        return SurfaceStage(surface, self.theme, resolution=self.cfg.mesh_resolution or None, **opts)

    # ------------------------------------------------------------------ beats

    def show_words(self, index, **facts):
        """Caption ``index`` of the current beat (filled from the facts): the animations."""
        return self.caption_anims(self.say(index, **facts))

    def many_minima(self):
        """The pits' surface in 3D: Rastrigin's egg crate, or the toured surface with its minima."""
        d, cfg = self.data, self.cfg
        variant, facts = (0, {}) if not d.tour else minima_words(d.pits.facts)
        self.begin_beat("many_minima", **facts)
        self.story.speak(variant)
        levels = {} if not d.tour else {"levels": d.pits.facts.levels}
        crate = SurfaceStage(d.pits, self.theme, window=d.window, side=5.6, z_length=1.25, phi=60.0, theta=-62.0,
                             screen_xy=(-1.6, -0.5), floor=False, resolution=cfg.mesh_resolution or None,
                             **levels)
        start = crate.pose_before(dphi=5.0, dtheta=14.0)
        self.set_camera_orientation(**start)
        image = snapshot(self, crate.mesh)
        heading = "Many local minima" if not d.tour else minima_heading(len(d.pits.facts.local_minima))
        self.play(FadeIn(image), *self.heading(heading, d.pits, FULL_WIDTH), run_time=1.2)
        # The crate turns into its pose while the caption comes and is read (nothing else moves).
        self.crate = move_over_mesh(self, image, [crate.mesh], (0.6, 2.2), (self.show_words(variant), ()),
                                    **crate.camera_kwargs())
        self.orbits["many_minima"] = (start, crate.camera_kwargs())

    def gd_trapped(self):
        """From above: plain GD from the start, into the nearest pit (or wherever it ends)."""
        d, theme = self.data, self.theme
        traj = d.trapped
        self.begin_beat("gd_trapped", f_star=plain(d.pits.facts.f_min))
        outcome = ("local", "global", "short").index(d.trapped_in)
        self.story.speak(outcome)
        levels = [2.0, 5.0, 10.0, 20.0, 30.0, 40.0, 50.0] if not d.tour else list(d.pits.facts.levels)
        panel = MapPanel(d.pits, d.window, theme, side=MAP_SIDE, center=MAP_CENTER, levels=levels, band_opacity=0.8,
                         line_opacity=0.35)
        self.map_panel = panel
        self.fix(panel)
        self.map_image = snapshot(self, panel)
        self.gd_color = theme.optimizer_color(traj.label)
        # The noisy run follows a sampled gradient: stochastic GD's colour.
        self.noise_color = theme.color("stochastic")
        self.gd_path = PathOnMap(panel.to_scene(traj.points), self.gd_color, theme)
        self.ring = start_mark(panel.at(d.trap_start), theme, label=None, radius=0.12)
        self.star = minimum_mark(panel.at(d.minima[0]), theme, size=0.14)
        series = [(traj.losses, self.gd_color)] + ([(d.noisy.losses, self.noise_color)] if d.noise else [])
        plot = LossPlot(series, theme, x_max=d.pit_steps, log=False, width=PLOT_SIZE[0], height=PLOT_SIZE[1])
        plot.active = [0]
        if d.noise:
            plot.dots[1].set_opacity(0)
        self.rplot = plot
        readout = self.readout(traj, self.gd_path.last, self.gd_color)
        self.rlegend = self.right_column(plot, [(r"\textsf{GD},\ " + lr_caption(d), self.gd_color)], readout)
        self.fix(self.gd_path, self.ring, self.star)

        # The 3D crate goes before its map comes (never both on screen).
        swap = [*fade_out_first(self.crate, self.formula_mob), *fade_in_after(self.map_image), *self.show_words(0)]
        marks = [FadeIn(self.ring), FadeIn(self.star), FadeIn(plot), FadeIn(self.rlegend), FadeIn(readout)]
        self.formula_mob = None
        self.play(*swap, run_time=1.0)
        self.add(self.gd_path)
        self.play(*marks, run_time=0.8)
        tracker = self.reset_tracker()
        with Drive(self, tracker).add(self.gd_path).add(plot, ["curves", "dots"]).add(readout, ["numbers"]):
            self.play(descend(tracker, self.gd_path.last, 4.0, self.gd_path.vertices,
                              path_weight=0.85))
        final = traj.losses[self.gd_path.last]
        self.play(*self.show_words(1 + outcome, f_trapped=plain(final), trap_steps=self.gd_path.last))
        self.wait(2.0)
        self.gd_readout = readout
        self.on_screen = (Group(self.map_image, self.gd_path, self.ring, self.star), VGroup(plot, self.rlegend, readout))

    def noise_escapes(self):
        """The same run with Gaussian noise added to every gradient (seeded)."""
        d, theme = self.data, self.theme
        sigma, _, traj, escaped = d.noise
        self.begin_beat("noise_escapes")
        self.story.speak(0 if escaped else 1)
        plot = self.rplot
        path = self.noise_path = PathOnMap(self.map_panel.to_scene(traj.points), self.noise_color, theme, width=2.5,
                                           radius=0.075)
        entry = legend([(r"\textsf{GD + noise},\ \sigma = %g" % sigma, self.noise_color)],
                       theme, FONT_SMALL)
        entry.next_to(self.rlegend, DOWN, buff=0.18).align_to(self.rlegend, LEFT)
        gd_final = d.trapped.losses[self.gd_path.last]
        gd_line = math(r"\textsf{GD ends at } f = " + format_sig(gd_final), theme, FONT_SMALL, color=self.gd_color)
        gd_line.move_to(self.gd_readout, aligned_edge=UP).align_to(self.rplot.axes, LEFT)
        readout = self.readout(traj, path.last, self.noise_color, rows=("f",))
        readout.next_to(gd_line, DOWN, buff=0.3).align_to(gd_line, LEFT).shift(0.35 * RIGHT)
        self.fix(entry, gd_line, readout, path)
        self.add(path)
        plot.dots[1].set_opacity(1)
        # GD's readout is gone before the lines that take its place come (no text over text).
        self.play(*fade_out_first(self.gd_readout), *fade_in_after(gd_line, readout), FadeIn(entry),
                  *self.show_words(0), run_time=1.0)
        self.wait(0.8)
        tracker = self.reset_tracker()
        plot.active = [1]
        with Drive(self, tracker).add(path).add(plot, ["curves", "dots"]).add(readout, ["numbers"]):
            self.play(advance(tracker, path.last, 8.0, rate_func=linear))
        self.play(*self.show_words(1 if escaped else 2, f_noisy=plain(traj.losses[path.last])))
        self.wait(2.3)
        group, overlays = self.on_screen
        self.on_screen = (Group(*group, path), VGroup(*overlays[:2], entry, gd_line, readout))

    def _surface_part(self, beat, title_words, traj, stage, plot, legend_entries, readout, enter, words):
        """Cross-fade from what is on screen to a surface snapshot with its run at step 0, then
        ``enter(run, leg)`` (the animations that bring in the run's balls, plot, readout) with
        the caption ``words`` while the camera settles into the stage's pose (1 s, then 1.2 s
        of the camera alone): the old picture and caption go before the new ones come."""
        old, old_overlays = self.on_screen
        start = stage.pose_before()
        self.set_camera_orientation(**start)
        image = snapshot(self, stage.mesh, stage.floor)
        color = self.theme.optimizer_color(traj.label)
        run = stage.run(traj, color)
        leg = self.right_column(plot, legend_entries, readout)
        self.add(image, *run.trails)
        self.face_camera(*run.balls)
        swap = [*fade_out_first(old, old_overlays), *fade_in_after(image), *self.heading(title_words, traj.surface)]
        self.play(*swap, *self.caption_anims(None), run_time=1.0)
        self.remove(old)
        image = move_over_mesh(self, image, [stage.mesh, stage.floor], (1.0, 1.2),
                               ([*enter(run, leg), *self.caption_anims(words)], ()), **stage.camera_kwargs())
        self.orbits[beat] = (start, stage.camera_kwargs())
        return image, run, leg

    def saddle(self):
        """GD past a saddle point: the gradient norm dips near it; one step per tick."""
        d, theme = self.data, self.theme
        traj = d.saddle
        stage = self.surface_stage(traj.surface, z_length=1.9, theta=-62.0, phi=64.0, keep_in_view=traj.points,
                                   **({} if not d.tour else {"window": d.window}))
        color = theme.optimizer_color(traj.label)
        last = len(traj.points) - 1
        k_min = landmarks.saddle_pause(traj.grad_norms[: last + 1])
        self.begin_beat("saddle", g_min=plain(traj.grad_norms[k_min]), k_min=k_min)
        plot = LossPlot([(traj.grad_norms, color)], theme, x_max=last, log=True, width=PLOT_SIZE[0],
                          height=PLOT_SIZE[1], y_label=r"\|\nabla f\|")
        readout = self.readout(traj, last, color, rows=("grad",) if d.tour else ("y", "grad"))
        mark = Circle(radius=0.09, stroke_color=theme.highlight, stroke_width=3)

        def enter(run, leg):
            mark.move_to(stage.scene_point(d.saddle_point))
            self.face_camera(mark)
            return [FadeIn(mark), FadeIn(run.ball3d, scale=0.5), FadeIn(run.ball_floor, scale=0.5), FadeIn(plot),
                    FadeIn(leg), FadeIn(readout)]

        rate = d.lr if d.tour else self.cfg.saddle_lr
        image, run, leg = self._surface_part("saddle", "A saddle point", traj, stage, plot,
                                             [(r"\textsf{GD},\ \eta = %g" % rate, color)], readout, enter, self.say(0))
        self.srun = run
        tracker = self.reset_tracker()
        k_min = min(k_min, run.last)
        if self.option("saddle_crawl_caption", True):  # else the first caption stays while GD crawls
            self.play(*self.show_words(1))
        drive = Drive(self, tracker).add(plot, ["curves", "dots"]).add(readout, ["numbers"])
        for mob in run.driven:
            drive.add(mob)
        with drive:
            self.play(advance(tracker, k_min, 4.2, rate_func=linear))
        self.play(*self.show_words(2))
        with drive:
            self.play(advance(tracker, run.last, 2.8, rate_func=linear))
        self.wait(1.2)
        self.on_screen = (Group(image, mark, *run.driven), VGroup(plot, leg, readout))

    def plateau(self):
        """A plateau: a gradient norm of thousandths for many steps, then the drop."""
        d, theme = self.data, self.theme
        traj = d.plateau
        # The camera looks down as steeply as it must for the well's near rim to hide none of the run.
        # Seen this steeply the plateau's far corner rises toward the formula: a little smaller,
        # lower and to the right.
        stage = self.surface_stage(traj.surface, side=4.0, z_length=1.2, phi=PLATEAU_PHI, keep_in_view=traj.points,
                                   screen_xy=(SURFACE_SCREEN[0] + 0.35, SURFACE_SCREEN[1] - 0.5),
                                   **({} if not d.tour else {"window": d.window}))
        color = theme.optimizer_color(traj.label)
        last = len(traj.points) - 1
        # Off the plateau: halfway down from the start's height to the lowest value.
        f_star = traj.surface.facts.f_min
        half = np.flatnonzero(traj.losses[: last + 1] - f_star <= 0.5 * (traj.losses[0] - f_star))
        g0 = traj.grad_norms[0]
        self.begin_beat("plateau", g0=plain(g0), plateau_steps=last, **({"k_drop": int(half[0])} if len(half) else {}))
        self.story.speak(0 if len(half) else 1)
        plot = LossPlot([(traj.losses, color)], theme, x_max=last, log=False, width=PLOT_SIZE[0], height=PLOT_SIZE[1])
        readout = self.readout(traj, last, color, rows=("f", "grad"))
        rate = d.lr if d.tour else self.cfg.plateau_lr
        image, run, leg = self._surface_part(
            "plateau", "A plateau", traj, stage, plot, [(r"\textsf{GD},\ \eta = %g" % rate, color)], readout,
            lambda run, leg: [FadeIn(run.ball3d, scale=0.5), FadeIn(run.ball_floor, scale=0.5), FadeIn(plot),
                              FadeIn(leg), FadeIn(readout)],
            self.say(0))
        self.prun, self.pread = run, readout
        tracker = self.reset_tracker()
        k_drop = min(int(half[0]), run.last) if len(half) else run.last
        drive = Drive(self, tracker).add(plot, ["curves", "dots"]).add(readout, ["numbers"])
        for mob in run.driven:
            drive.add(mob)
        with drive:
            self.play(advance(tracker, max(k_drop - 3, 1), 5.0, rate_func=linear))
        self.play(*self.show_words(1 if len(half) else 2))
        with drive:
            self.play(advance(tracker, run.last, 1.6, rate_func=linear))
        self.wait(1.6)
        self.on_screen = (Group(image, *run.driven), VGroup(plot, leg, readout))

    def basin_map(self):
        """A grid of starts on the pits' surface, each coloured by the minimum it ends in."""
        d, theme, cfg = self.data, self.theme, self.cfg
        xs, ys, index = d.basins
        panel = self.map_panel
        bmap = BasinMap(xs, ys, index, d.minima_f, theme, panel.to_scene)
        self.bmap = bmap
        (x0, x1), (y0, y1) = d.window
        inside = [m for m in d.minima if x0 < m[0] < x1 and y0 < m[1] < y1]
        dots = VGroup(*[Dot(panel.at(m), radius=0.03, color=theme.background) for m in inside])
        star = minimum_mark(panel.at(d.minima[0]), theme, size=0.13)
        ring = start_mark(panel.at(d.trap_start), theme, label=None, radius=0.12)
        reached = bmap.minima_f[np.unique(index[index >= 0])]
        f_star = float(d.pits.facts.f_min)
        top = float(reached.max()) if len(reached) else f_star + 1.0
        bar = color_bar(theme, top, nice_ticks(f_star, top), r"f \textsf{ at the end}", height=2.9, bottom=f_star)
        bar.move_to([0.05, 0.1, 0])
        share = sum(bmap.fraction(i) for i, c in enumerate(d.pits.facts.minima) if c.is_global)
        n_min = len(np.unique(index[index >= 0]))
        name = mathcore.display_name(d.optimizer("basin").name)
        facts = VGroup(
            text(f"{cfg.basin_grid} × {cfg.basin_grid} starts, {name}, η = {d.basin_lr:g},", theme, FONT_SMALL),
            text(f"{d.basin_steps} steps each", theme, FONT_SMALL),
            text(f"{count(n_min, 'minimum', 'different minima')} reached", theme, FONT_SMALL),
            text(f"{100 * share:.1f} % reach the lowest value", theme, FONT_SMALL, color=theme.good),
        )
        unreached = float(np.mean(index < 0))
        if unreached > 0:
            facts.add(text(f"{100 * unreached:.1f} % end near no minimum (grey)", theme, FONT_SMALL, color=theme.muted))
        facts.arrange(DOWN, aligned_edge=LEFT, buff=0.16)
        facts.next_to(bar, RIGHT, buff=0.75).align_to(bar, UP).shift(0.2 * DOWN)
        self.begin_beat("basin_map", share=f"{100 * share:.1f}", f_star=plain(f_star),
                        only="only " if share < 0.5 else "")
        self.story.speak(0 if n_min > 1 else 1)
        self.fix(panel.frame, panel.tick_labels, bmap, dots, star, ring, bar, facts)
        old, old_overlays = self.on_screen
        self.play(*fade_out_first(old, old_overlays), *fade_in_after(panel.frame, panel.tick_labels),
                  *self.heading("Basins of attraction"), *self.show_words(1 if d.tour else 0),
                  run_time=1.0)
        self.remove(old)
        self.play(LaggedStart(*[FadeIn(bmap.groups[k]) for k in bmap.order], lag_ratio=0.08), FadeIn(bar),
                  run_time=3.0)
        ending = [FadeIn(facts[2:]), FadeIn(ring), *self.show_words(2 if n_min > 1 else 3)]
        self.play(FadeIn(dots), FadeIn(star), FadeIn(facts[:2]), run_time=0.8)
        self.wait(0.8)
        self.play(*ending, run_time=0.8)
        self.wait(2.8)


__all__ = ["Landscapes", "LandscapesData", "lr_caption", "minima_heading", "minima_words", "nice_ticks"]
