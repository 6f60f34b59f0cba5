"""A slide of your own from the building blocks: momentum in a narrow valley, light theme.

    manim -ql -s examples/my_slide.py MySlide      # the still lands in media/images/my_slide/
"""

from manim import RIGHT, UL, ThreeDScene

import mathcore as mc
from scenes.mobjects import math
from scenes.mobjects.surface import color_legend
from scenes.stage import SurfaceStage, lit_by_mesh
from scenes.theme import FONT_BODY, get_theme


class MySlide(ThreeDScene):
    def construct(self):
        theme = get_theme("light")
        self.camera.background_color = theme.background
        lit_by_mesh(self)  # the mesh carries its own lighting: manim must not shade it again
        surface = mc.get_surface("elongated-bowl")
        run = mc.run(surface, mc.make_optimizer("momentum", lr=0.1, momentum=0.8), [-4.5, 1.5], steps=60)
        stage = SurfaceStage(surface, theme, phi=38, theta=-75, screen_xy=(-0.5, -1.2), side=6.5, z_length=2.4, floor=False)
        self.set_camera_orientation(**stage.camera_kwargs())
        graphics = stage.run(run, theme.optimizer_color("momentum"))
        for mob in graphics.driven:  # trails and balls are built at step 0: show the whole run
            mob.set_step(graphics.last)
        self.add(stage.mesh, *graphics.driven)
        formula = math(("f(x, y) =", surface.latex), theme, FONT_BODY).to_corner(UL)
        legend = color_legend(stage.view.heights, theme).to_edge(RIGHT)
        self.add_fixed_in_frame_mobjects(formula, legend)
