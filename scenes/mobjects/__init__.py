"""Builders that take mathcore surfaces and trajectories and return mobjects (never play()).

Everything that moves with a run has ``set_step(s)`` for a fractional step ``s`` and
only indexes precomputed arrays; :mod:`scenes.animations` drives them from one tracker.
"""

from .arrows import gradient_arrow, lookahead_ghost, lookahead_point, nesterov_ball, velocity_arrow
from .contours import ContourSet, contour_labels, contour_lines, filled_bands, format_level, map_frame
from .heights import HeightMap, colormap
from .occlusion import camera_rotation, eye_of, eye_position, visible
from .paths import (Marker, Trail, clip_to_box, diverged_mark, end_mark, minimum_mark, position_at,
                    start_mark)
from .plots import LossPlot, style_axes
from .surface import LossSurface, SurfaceView, auto_resolution, color_legend, floor_frame, mesh_lines
from .text import (Readout, SciNumber, StepCounter, flat, format_sig, legend, math, panel, rule_lines, rule_tex,
                   substituted_rule_lines, substituted_rule_tex, text, title)

__all__ = [
    "gradient_arrow", "lookahead_ghost", "lookahead_point", "nesterov_ball", "velocity_arrow",
    "ContourSet", "contour_labels", "contour_lines", "filled_bands", "format_level", "map_frame",
    "HeightMap", "colormap",
    "camera_rotation", "eye_of", "eye_position", "visible",
    "Marker", "Trail", "clip_to_box", "diverged_mark", "end_mark", "minimum_mark", "position_at", "start_mark",
    "LossPlot", "style_axes",
    "LossSurface", "SurfaceView", "auto_resolution", "color_legend", "floor_frame", "mesh_lines",
    "Readout", "SciNumber", "StepCounter", "flat", "format_sig", "legend", "math", "panel", "rule_lines", "rule_tex",
    "substituted_rule_lines", "substituted_rule_tex", "text", "title",
]
