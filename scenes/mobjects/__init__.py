"""Builders that take mathcore surfaces and trajectories and return mobjects (never play()).

Everything that moves with a run has ``set_step(s)`` for a fractional step ``s`` and
only indexes precomputed arrays; :mod:`scenes.animations` drives them from one tracker.
"""

from .arrows import gradient_arrow, lookahead_ghost, lookahead_point, nesterov_ball, velocity_arrow
from .contours import ContourSet, contour_labels, contour_lines, filled_bands, floor_contours, format_level
from .heights import HeightMap, colormap
from .occlusion import camera_rotation, eye_of, eye_position, visible
from .maps import BasinMap, MapPanel, PathOnMap, color_bar, inner_ticks, windowed
from .paths import (Marker, Trace, Trail, clip_to_box, diverged_mark, end_mark, minimum_mark, polyline, position_at,
                    start_mark, trace_range, trace_together)
from .plots import LossPlot, Plot, nice_ticks, style_axes, themed_axes, tick_numbers, ticks_within
from .surface import LossSurface, SurfaceView, color_legend, floor_frame, mesh_lines, screen_resolution
from .text import (FastNumber, FastReadout, Readout, Scoreboard, SciNumber, StepCounter, flat, format_plain, format_short,
                   format_sig, hyperparam_text, legend, math, morph_tex, panel, rule_lines, rule_tex, substituted_rule_lines,
                   substituted_rule_tex, tagged, text, title)

__all__ = [
    "gradient_arrow", "lookahead_ghost", "lookahead_point", "nesterov_ball", "velocity_arrow",
    "ContourSet", "contour_labels", "contour_lines", "filled_bands", "floor_contours", "format_level",
    "HeightMap", "colormap",
    "camera_rotation", "eye_of", "eye_position", "visible",
    "BasinMap", "MapPanel", "PathOnMap", "color_bar", "inner_ticks", "windowed",
    "Marker", "Trace", "Trail", "clip_to_box", "diverged_mark", "end_mark", "minimum_mark", "polyline", "position_at",
    "start_mark", "trace_range", "trace_together",
    "LossPlot", "Plot", "nice_ticks", "style_axes", "themed_axes", "tick_numbers", "ticks_within",
    "LossSurface", "SurfaceView", "screen_resolution", "color_legend", "floor_frame", "mesh_lines",
    "FastNumber", "FastReadout", "Readout", "Scoreboard", "SciNumber", "StepCounter", "flat", "format_plain",
    "format_short", "format_sig", "hyperparam_text", "legend", "math", "morph_tex", "panel", "rule_lines", "rule_tex",
    "substituted_rule_lines", "substituted_rule_tex", "tagged", "text", "title",
]
