"""A part of your own on the part framework: GD on Himmelblau's function, in two beats.

    manim -ql examples/my_part.py FirstSteps          # its words: assets/narration/my_part.toml

A part is a Scene on ``ThemedScene`` (or ``ThemedThreeDScene``), both :class:`scenes.part.Part`:
it declares its ``BEATS`` in order and starts each with ``begin_beat(name, **facts)``; its
captions (``say``) and narration are the beat's lines in ``assets/narration/<module>.toml`` with
their ``{placeholders}`` filled from the facts. Every number comes from mathcore.
"""

from manim import DOWN, LEFT, UP, MathTex

import mathcore as mc
from scenes.animations import FadeIn, StepTracker, advance, drive
from scenes.common import ThemedScene
from scenes.mobjects import MapPanel, PathOnMap
from scenes.mobjects.text import format_plain as plain
from scenes.story import count
from scenes.theme import FONT_BODY, FONT_TITLE, MARGIN
from scenes.mobjects import text


class FirstSteps(ThemedScene):
    """Himmelblau's minima, then gradient descent from one start to one of them."""

    BEATS = ("the_map", "descend")

    def construct(self):
        surface = mc.get_surface("himmelblau")
        facts = surface.facts  # describe(): its minima, saddles, f*, ...
        run = mc.run(surface, mc.make_optimizer("gd", lr=0.01), [-0.5, 0.5], steps=200)
        panel = MapPanel(surface, surface.domain, self.theme, side=4.4, center=(3.3, 0.2, 0))
        title = text("Himmelblau's function", self.theme, FONT_TITLE).to_corner(UP + LEFT, buff=MARGIN)
        formula = MathTex("f(x, y) =", surface.latex, font_size=FONT_BODY, color=self.theme.foreground)
        formula.scale_to_fit_width(min(formula.width, 6.0)).next_to(title, DOWN, aligned_edge=LEFT)

        self.begin_beat("the_map", minima=count(len(facts.minima), "minimum", "minima"), f_star=plain(facts.f_min))
        self.play(FadeIn(title), FadeIn(formula), FadeIn(panel), *self.captions.show(self.say()), run_time=1.0)
        self.wait(2.0)

        k = run.n_steps
        self.begin_beat("descend", steps=k, f_end=plain(run.losses[k]),
                        point=f"({run.points[k][0]:.2f}, {run.points[k][1]:.2f})")
        tracker = StepTracker(0)
        path = PathOnMap(panel.to_scene(run.points), self.theme.optimizer_color("gd"), self.theme)
        drive(tracker, path)
        self.play(FadeIn(path), *self.captions.show(self.say()), run_time=0.6)
        self.play(advance(tracker, k, 3.0))
        self.wait(2.0)
