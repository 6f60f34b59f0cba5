r"""Scene 4: landscapes that make gradient descent struggle.

Render: ``manim -ql scenes/landscapes.py Landscapes`` (``GDX_THEME=light``,
``GDX_CONFIG=my.toml`` with a ``[landscapes]`` table, see :mod:`scenes.config_more`).

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

Every run, loss and gradient norm is mathcore's. The camera never moves: each 3D mesh is
painted once into an image (:func:`scenes.stage.snapshot`) and balls and trails move
over it, which keeps a fine mesh cheap to render.

Explainer cut: with ``explainer_cut`` set on the instance (``scenes.explainer.play_part``
does), the same six beats play in about 38 s instead of 59: shorter holds and runs, the
saddle without its middle caption (the readout shows the vanishing gradient), and
everything fades out at the end, since the next part plays on the same scene.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from manim import (DOWN, LEFT, RIGHT, UP, Circle, Dot, FadeIn, FadeOut, Group, LaggedStart, MathTex, VGroup, linear)

import mathcore
from mathcore.schedules import cosine

from scenes.animations import StepTracker, advance, descend
from scenes.common import ThemedThreeDScene
from scenes.config_more import LandscapesConfig, load_or_exit
from scenes.mobjects import format_sig, legend, math, minimum_mark, start_mark, text
from scenes.panels import BasinMap, FastReadout, MapPanel, PathOnMap, SeriesPlot, color_bar, plain
from scenes.stage import Drive, SurfaceStage, snapshot
from scenes.theme import FONT_BODY, FONT_LABEL, FONT_SMALL, FONT_TITLE, MARGIN

# Layout (manim units; the frame is 14.2 x 8, the safe area 0.5 inside it). The bottom
# band, below y = -2.45, belongs to the two-line captions.
PLOT_AXES_CENTER = (4.35, 1.3, 0.0)  # the right-hand column: legend above the plot, readout below
PLOT_SIZE = (3.9, 1.6)
LEGEND_TOP = 3.45
READOUT_TOP = -0.3
MAP_CENTER = (-3.55, 0.37, 0.0)  # the 2-D maps (Rastrigin, basins), under a title without formula
MAP_SIDE = 4.55
SURFACE_SCREEN = (-2.9, -0.15)  # where the middle of a 3D surface appears


@dataclass
class LandscapesData:
    """Every run the scene shows, computed once from the config by mathcore."""

    cfg: LandscapesConfig

    def optimizer(self, part: str):
        name = getattr(self.cfg, f"{part}_optimizer")
        return mathcore.make_optimizer(name, **{**self.cfg.hp(name), "lr": getattr(self.cfg, f"{part}_lr")})

    @cached_property
    def rastrigin(self):
        return mathcore.get_surface("rastrigin")

    def _schedule(self):
        cfg = self.cfg
        return cosine(cfg.rastrigin_lr, cfg.rastrigin_steps) if cfg.rastrigin_schedule == "cosine" else None

    @cached_property
    def trapped(self):
        cfg = self.cfg
        return mathcore.run(self.rastrigin, self.optimizer("rastrigin"), cfg.rastrigin_start, cfg.rastrigin_steps,
                            schedule=self._schedule(), seed=cfg.noise_seed)

    @cached_property
    def noisy(self):
        cfg = self.cfg
        return mathcore.run(self.rastrigin, self.optimizer("rastrigin"), cfg.rastrigin_start, cfg.rastrigin_steps,
                            schedule=self._schedule(), grad_noise=cfg.grad_noise, seed=cfg.noise_seed)

    @cached_property
    def saddle(self):
        cfg = self.cfg
        return mathcore.run("saddle", self.optimizer("saddle"), cfg.saddle_start, cfg.saddle_steps)

    @cached_property
    def plateau(self):
        cfg = self.cfg
        return mathcore.run("plateau", self.optimizer("plateau"), cfg.plateau_start, cfg.plateau_steps,
                            grad_tol=cfg.plateau_grad_tol)

    @cached_property
    def basins(self):
        """``(xs, ys, index)`` from ``mathcore.basins`` over the Rastrigin window."""
        cfg = self.cfg
        return mathcore.basins(self.rastrigin, self.optimizer("basin"), grid_n=cfg.basin_grid, steps=cfg.basin_steps,
                               tol=cfg.basin_tol, domain=cfg.rastrigin_window)

    @cached_property
    def minima(self) -> np.ndarray:
        """The minima ``describe`` found, in the order ``basins`` indexes them."""
        return np.array([c.point for c in self.rastrigin.facts.minima], float)

    @cached_property
    def minima_f(self) -> np.ndarray:
        return self.rastrigin.f(self.minima.T)


def lr_caption(cfg: LandscapesConfig) -> str:
    r"""The learning rate of the Rastrigin runs, as LaTeX (:math:`\eta`: 0.004 -> 0, cosine)."""
    if cfg.rastrigin_schedule == "cosine":
        return r"\eta: %g \to 0\ \textsf{(cosine)}" % cfg.rastrigin_lr
    return r"\eta = %g" % cfg.rastrigin_lr


class Landscapes(ThemedThreeDScene):
    """Local minima, a saddle, a plateau and a basin map: where gradient descent struggles."""

    config_table = "landscapes"

    BEATS = ("many_minima", "gd_trapped", "noise_escapes", "saddle", "plateau", "basin_map")

    def construct(self):
        self.cfg = load_or_exit(self.config_table)
        self.data = LandscapesData(self.cfg)
        self.tracker = StepTracker(0)
        self.title_mob = self.formula_mob = None
        self.many_minima()
        self.gd_trapped()
        self.noise_escapes()
        self.saddle()
        self.plateau()
        self.basin_map()
        if self.cut:
            self.clear_for_next_part()

    # ------------------------------------------------------------------ helpers

    def caption_anims(self, words):
        return self.captions.show(words, 0.6)

    def heading(self, title_words: str, surface=None):
        """New title and formula (fixed in the frame) and the animations that swap them in."""
        new_title = text(title_words, self.theme, FONT_TITLE).to_corner(UP + LEFT, buff=MARGIN)
        group = VGroup(new_title)
        if surface is not None:
            formula = MathTex("f(x, y) =", surface.latex, font_size=FONT_BODY, color=self.theme.foreground)
            formula.next_to(new_title, DOWN, buff=0.22, aligned_edge=LEFT)
            group.add(formula)
        self.fix(*group)
        anims = [FadeIn(m) for m in group]
        anims += [FadeOut(m) for m in (self.title_mob, self.formula_mob) if m is not None]
        self.title_mob = new_title
        self.formula_mob = group[1] if surface is not None else None
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
        self.fix(plot, leg)
        if readout is not None:
            readout.move_to([0, READOUT_TOP, 0], aligned_edge=UP).align_to(plot.axes, LEFT).shift(0.35 * RIGHT)
            self.fix(readout)
        return leg

    def surface_stage(self, surface, resolution, **kwargs) -> SurfaceStage:
        opts = dict(side=4.4, z_length=1.7, floor_gap=0.75, phi=62.0, theta=-56.0, screen_xy=SURFACE_SCREEN,
                    floor=False)
        opts.update(kwargs)
        return SurfaceStage(surface, self.theme, resolution=self.cfg.mesh_resolution or resolution, **opts)

    # ------------------------------------------------------------------ beats

    def many_minima(self):
        """Rastrigin in 3D: a bowl under an egg crate."""
        self.next_section("many_minima")
        d, cfg = self.data, self.cfg
        crate = SurfaceStage(d.rastrigin, self.theme, window=cfg.rastrigin_window, side=5.6, z_length=1.25,
                             phi=60.0, theta=-62.0, screen_xy=(-1.6, -0.45), floor=False,
                             resolution=cfg.mesh_resolution or 56)
        self.set_camera_orientation(**crate.camera_kwargs())
        self.crate = snapshot(self, crate.mesh)
        self.play(FadeIn(self.crate), *self.heading("Many local minima", d.rastrigin), run_time=self.pace(1.2, 1.0))
        self.play(*self.caption_anims("Rastrigin's function: a bowl covered in bumps,\n"
                                      "with a pit, a local minimum, in every cell"))
        self.wait(self.pace(2.2, 1.8))

    def gd_trapped(self):
        """From above: plain GD from the configured start, into the nearest pit."""
        self.next_section("gd_trapped")
        d, theme, cfg = self.data, self.theme, self.cfg
        panel = MapPanel(d.rastrigin, cfg.rastrigin_window, theme, side=MAP_SIDE, center=MAP_CENTER,
                         levels=[2.0, 5.0, 10.0, 20.0, 30.0, 40.0, 50.0], band_opacity=0.8, line_opacity=0.35)
        self.map_panel = panel
        self.fix(panel)
        self.map_image = snapshot(self, panel)
        self.gd_color = theme.optimizer_color(d.trapped.label)
        # The noisy run is a sampled-gradient variant of GD: that family's second colour.
        self.noise_color = theme.optimizer_colors["sgd"]
        self.gd_path = PathOnMap(panel.to_scene(d.trapped.points), self.gd_color, theme)
        self.noise_path = PathOnMap(panel.to_scene(d.noisy.points), self.noise_color, theme, width=2.5, radius=0.075)
        self.ring = start_mark(panel.at(cfg.rastrigin_start), theme, label=None, radius=0.12)
        self.star = minimum_mark(panel.at(d.rastrigin.minima[0]), theme, size=0.14)
        plot = SeriesPlot([(d.trapped.losses, self.gd_color), (d.noisy.losses, self.noise_color)], theme,
                          x_max=cfg.rastrigin_steps, log=False, width=PLOT_SIZE[0], height=PLOT_SIZE[1])
        plot.active = [0]
        plot.dots[1].set_opacity(0)
        self.rplot = plot
        readout = self.readout(d.trapped, self.gd_path.last, self.gd_color)
        self.rlegend = self.right_column(plot, [(r"\textsf{GD},\ " + lr_caption(cfg), self.gd_color)], readout)
        self.fix(self.gd_path, self.ring, self.star)

        swap = [FadeOut(self.crate), FadeOut(self.formula_mob), FadeIn(self.map_image),
                *self.caption_anims("Seen from above, colour is height.\nPlain gradient descent from the ring:")]
        marks = [FadeIn(self.ring), FadeIn(self.star), FadeIn(plot), FadeIn(self.rlegend), FadeIn(readout)]
        self.formula_mob = None
        if self.cut:
            self.add(self.gd_path)
            self.play(*swap, *marks, run_time=1.0)
        else:
            self.play(*swap, run_time=1.0)
            self.add(self.gd_path)
            self.play(*marks, run_time=0.8)
        tracker = self.reset_tracker()
        with Drive(self, tracker).add(self.gd_path).add(plot, ["curves", "dots"]).add(readout, ["numbers"]):
            self.play(descend(tracker, self.gd_path.last, self.pace(4.0, 2.5), self.gd_path.vertices,
                              path_weight=0.85))
        final = d.trapped.losses[self.gd_path.last]
        self.play(*self.caption_anims(f"It rolls into the nearest pit and stops:\n"
                                      f"the slope is zero there, but f = {plain(final)}"))
        self.wait(self.pace(2.0, 1.6))
        self.gd_readout = readout

    def noise_escapes(self):
        """The same run with Gaussian noise added to every gradient (seeded)."""
        self.next_section("noise_escapes")
        d, theme, cfg = self.data, self.theme, self.cfg
        plot, path = self.rplot, self.noise_path
        entry = legend([(r"\textsf{GD + noise},\ \sigma = %g\ \textsf{(seed %d)}" % (cfg.grad_noise, cfg.noise_seed),
                         self.noise_color)], theme, FONT_SMALL)
        entry.next_to(self.rlegend, DOWN, buff=0.18).align_to(self.rlegend, LEFT)
        gd_final = d.trapped.losses[self.gd_path.last]
        gd_line = math(r"\textsf{GD ends at } f = " + format_sig(gd_final), theme, FONT_SMALL, color=self.gd_color)
        gd_line.move_to(self.gd_readout, aligned_edge=UP).align_to(self.rplot.axes, LEFT)
        readout = self.readout(d.noisy, path.last, self.noise_color, rows=("f",))
        readout.next_to(gd_line, DOWN, buff=0.3).align_to(gd_line, LEFT).shift(0.35 * RIGHT)
        self.fix(entry, gd_line, readout, path)
        self.add(path)
        plot.dots[1].set_opacity(1)
        self.play(FadeOut(self.gd_readout), FadeIn(gd_line), FadeIn(entry), FadeIn(readout),
                  *self.caption_anims("Same start, same steps, plus random noise in every gradient,\n"
                                      "like the noise of sampling data (SGD)"), run_time=self.pace(1.0, 0.8))
        if not self.cut:  # the cut reads this caption while the run goes
            self.wait(0.8)
        tracker = self.reset_tracker()
        plot.active = [1]
        with Drive(self, tracker).add(path).add(plot, ["curves", "dots"]).add(readout, ["numbers"]):
            self.play(advance(tracker, path.last, self.pace(8.0, 4.6), rate_func=linear))
        final = d.noisy.losses[path.last]
        self.play(*self.caption_anims(f"Noise kicks it over the ridges, here down to f = {plain(final)}.\n"
                                      "Luck of one seed, not a guarantee"))
        self.wait(self.pace(2.3, 1.8))
        self.rastrigin_group = Group(self.map_image, self.gd_path, path, self.ring, self.star)
        self.rastrigin_overlays = VGroup(plot, self.rlegend, entry, gd_line, readout)

    def _surface_part(self, title_words, traj, stage, old, old_overlays, plot, legend_entries, readout, enter,
                      words):
        """Cross-fade from the previous part to a surface snapshot with its run at step 0, then
        ``enter(run, leg)`` (the animations that bring in the run's balls, plot, readout) with
        the caption ``words``. The cut plays both in one cross-fade."""
        self.set_camera_orientation(**stage.camera_kwargs())
        image = snapshot(self, stage.mesh, stage.floor)
        color = self.theme.optimizer_color(traj.label)
        run = stage.run(traj, color)
        leg = self.right_column(plot, legend_entries, readout)
        self.add(image, *run.trails)
        self.face_camera(*run.balls)
        swap = [FadeOut(old), FadeOut(old_overlays), FadeIn(image), *self.heading(title_words, traj.surface)]
        if self.cut:
            self.play(*swap, *enter(run, leg), *self.caption_anims(words), run_time=1.0)
            self.remove(old)
        else:
            self.play(*swap, *self.caption_anims(None), run_time=1.0)
            self.remove(old)
            self.play(*enter(run, leg), *self.caption_anims(words), run_time=1.0)
        return image, run, leg

    def saddle(self):
        """x^2 - y^2: the gradient norm dips near the saddle point; one step per tick."""
        self.next_section("saddle")
        d, theme = self.data, self.theme
        traj = d.saddle
        stage = self.surface_stage(traj.surface, 24, z_length=1.9, theta=-62.0, phi=64.0)
        color = theme.optimizer_color(traj.label)
        last = len(traj.points) - 1
        plot = SeriesPlot([(traj.grad_norms, color)], theme, x_max=last, log=True, width=PLOT_SIZE[0],
                          height=PLOT_SIZE[1], y_label=r"\|\nabla f\|")
        readout = self.readout(traj, last, color, rows=("y", "grad"))
        mark = Circle(radius=0.09, stroke_color=theme.highlight, stroke_width=3)

        def enter(run, leg):
            mark.move_to(stage.scene_point(traj.surface.saddles[0]))
            self.face_camera(mark)
            return [FadeIn(mark), FadeIn(run.ball3d, scale=0.5), FadeIn(run.ball_floor, scale=0.5), FadeIn(plot),
                    FadeIn(leg), FadeIn(readout)]

        image, run, leg = self._surface_part(
            "A saddle point", traj, stage, self.rastrigin_group, self.rastrigin_overlays, plot,
            [(r"\textsf{GD},\ \eta = %g" % self.cfg.saddle_lr, color)], readout, enter,
            "A saddle point: downhill one way, uphill the other,\nand the slope is zero in the middle")
        self.srun = run
        self.wait(self.pace(1.2, 0.9))
        tracker = self.reset_tracker()
        k_min = int(np.argmin(traj.grad_norms[: run.last + 1]))
        if not self.cut:  # the cut keeps the first caption while GD crawls; the readout shows the gradient
            self.play(*self.caption_anims("One step per tick: near the saddle the gradient almost vanishes\n"
                                          f"and GD crawls (‖∇f‖ = {plain(traj.grad_norms[k_min])} at step {k_min})"))
        drive = Drive(self, tracker).add(plot, ["curves", "dots"]).add(readout, ["numbers"])
        for mob in run.driven:
            drive.add(mob)
        with drive:
            self.play(advance(tracker, k_min, self.pace(4.2, 2.6), rate_func=linear))
        self.play(*self.caption_anims("The tiny push along y grows at every step,\nuntil it slides off downhill"))
        with drive:
            self.play(advance(tracker, run.last, self.pace(2.8, 2.0), rate_func=linear))
        self.wait(self.pace(1.2, 0.6))
        self.saddle_group = Group(image, mark, *run.driven)
        self.saddle_overlays = VGroup(plot, leg, readout)

    def plateau(self):
        """A flat plateau around a well: a gradient norm of thousandths, then a sudden drop."""
        self.next_section("plateau")
        d, theme = self.data, self.theme
        traj = d.plateau
        stage = self.surface_stage(traj.surface, 26, z_length=1.2, phi=50.0)
        color = theme.optimizer_color(traj.label)
        last = len(traj.points) - 1
        plot = SeriesPlot([(traj.losses, color)], theme, x_max=last, log=False, width=PLOT_SIZE[0], height=PLOT_SIZE[1])
        readout = self.readout(traj, last, color, rows=("f", "grad"))
        g0 = traj.grad_norms[0]
        image, run, leg = self._surface_part(
            "A plateau", traj, stage, self.saddle_group, self.saddle_overlays, plot,
            [(r"\textsf{GD},\ \eta = %g" % self.cfg.plateau_lr, color)], readout,
            lambda run, leg: [FadeIn(run.ball3d, scale=0.5), FadeIn(run.ball_floor, scale=0.5), FadeIn(plot),
                              FadeIn(leg), FadeIn(readout)],
            f"On a plateau the ground is almost flat: ‖∇f‖ = {plain(g0)},\nso every step is tiny")
        self.prun, self.pread = run, readout
        self.wait(self.pace(1.2, 0.6))
        tracker = self.reset_tracker()
        below = np.flatnonzero(traj.losses[: run.last + 1] < 0.5)
        k_drop = int(below[0]) if len(below) else run.last
        drive = Drive(self, tracker).add(plot, ["curves", "dots"]).add(readout, ["numbers"])
        for mob in run.driven:
            drive.add(mob)
        with drive:
            self.play(advance(tracker, max(k_drop - 3, 1), self.pace(5.0, 2.8), rate_func=linear))
        self.play(*self.caption_anims(f"{k_drop} steps to get off the plateau;\nthen the well is steep and it drops"))
        with drive:
            self.play(advance(tracker, run.last, self.pace(1.6, 1.4), rate_func=linear))
        self.wait(self.pace(1.6, 0.9))
        self.plateau_group = Group(image, *run.driven)
        self.plateau_overlays = VGroup(plot, leg, readout)

    def basin_map(self):
        """A grid of starts on Rastrigin, each coloured by the minimum it ends in."""
        self.next_section("basin_map")
        d, theme, cfg = self.data, self.theme, self.cfg
        xs, ys, index = d.basins
        panel = self.map_panel
        bmap = BasinMap(xs, ys, index, d.minima_f, theme, panel.to_scene)
        self.bmap = bmap
        (x0, x1), (y0, y1) = cfg.rastrigin_window
        inside = [m for m in d.minima if x0 < m[0] < x1 and y0 < m[1] < y1]
        dots = VGroup(*[Dot(panel.at(m), radius=0.03, color=theme.background) for m in inside])
        star = minimum_mark(panel.at(d.minima[0]), theme, size=0.13)
        ring = start_mark(panel.at(cfg.rastrigin_start), theme, label=None, radius=0.12)
        reached = bmap.minima_f[np.unique(index[index >= 0])]
        top = float(reached.max()) if len(reached) else 1.0
        ticks = list(np.arange(0, top + 1e-9, 5 if top > 12 else 2))
        bar = color_bar(theme, top, ticks, r"f \textsf{ at the end}", height=2.9)
        bar.move_to([0.05, 0.1, 0])
        share = bmap.fraction(0)
        n_min = len(np.unique(index[index >= 0]))
        opt = d.optimizer("basin")
        name = "GD" if opt.name == "gd" else opt.name
        facts = VGroup(
            text(f"{cfg.basin_grid} × {cfg.basin_grid} starts, {name}, η = {cfg.basin_lr:g},", theme, FONT_SMALL),
            text(f"{cfg.basin_steps} steps each", theme, FONT_SMALL),
            text(f"{n_min} different minima reached", theme, FONT_SMALL),
            text(f"{100 * share:.1f} % reach the global minimum", theme, FONT_SMALL, color=theme.good),
        )
        unreached = float(np.mean(index < 0))
        if unreached > 0:
            facts.add(text(f"{100 * unreached:.1f} % end near no minimum (grey)", theme, FONT_SMALL, color=theme.muted))
        facts.arrange(DOWN, aligned_edge=LEFT, buff=0.16)
        facts.next_to(bar, RIGHT, buff=0.75).align_to(bar, UP).shift(0.2 * DOWN)
        self.fix(panel.frame, panel.tick_labels, bmap, dots, star, ring, bar, facts)
        self.play(FadeOut(self.plateau_group), FadeOut(self.plateau_overlays), FadeIn(panel.frame),
                  FadeIn(panel.tick_labels), *self.heading("Basins of attraction"),
                  *self.caption_anims("Start GD from every point of a grid on Rastrigin's function\n"
                                      "and colour each start by the loss of the pit it ends in"),
                  run_time=self.pace(1.0, 0.8))
        self.remove(self.plateau_group)
        self.play(LaggedStart(*[FadeIn(bmap.groups[k]) for k in bmap.order], lag_ratio=0.08), FadeIn(bar),
                  run_time=self.pace(3.0, 2.0))
        ending = [FadeIn(facts[2:]), FadeIn(ring),
                  *self.caption_anims("Where you start decides where you end:\n"
                                      f"only {100 * share:.1f} % of starts, the centre cell, reach f = 0")]
        if self.cut:
            self.play(FadeIn(dots), FadeIn(star), FadeIn(facts[:2]), *ending, run_time=0.8)
            self.wait(2.3)
        else:
            self.play(FadeIn(dots), FadeIn(star), FadeIn(facts[:2]), run_time=0.8)
            self.wait(0.8)
            self.play(*ending, run_time=0.8)
            self.wait(2.8)


__all__ = ["Landscapes", "LandscapesData", "lr_caption"]
