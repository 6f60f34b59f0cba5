"""Colours, fonts and spacing shared by every scene.

Two themes: ``dark`` (default, for screens) and ``light`` (for projectors and slides).
Pick one without editing code::

    GDX_THEME=light manim -ql scenes/parts/descent.py RosenbrockDescent

Optimizer colours come from the Okabe-Ito palette (Okabe & Ito 2008, "Color Universal
Design"), which stays distinguishable under the common colour-vision deficiencies. The
palette has eight colours and there are more optimizer names, so variants of one method
share its family's hue at a different lightness (amsgrad, adamw, nadam next to adam). The
five methods of the usual race (gd, momentum, nesterov, rmsprop, adam) get five distinct
base colours, and so do batch, stochastic and mini-batch gradient descent, which the
stochastic chapter compares side by side.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from types import MappingProxyType

from manim import config as manim_config

# Okabe-Ito, by name.
OKABE_ITO = MappingProxyType({
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
})

# Font sizes in manim units of font_size (resolution independent): the smallest is 24,
# legible on a projector at 1080p.
FONT_TITLE = 40
FONT_BODY = 32
FONT_LABEL = 28
FONT_SMALL = 24
MIN_FONT_SIZE = 24

# Keep everything this far inside the frame edges (manim units; the frame is 14.2 x 8).
MARGIN = 0.5

# Stroke widths, in manim units (its default is 4).
TRAIL_WIDTH = 4
AXIS_WIDTH = 2
CONTOUR_WIDTH = 1.5

ENV_THEME = "GDX_THEME"


class ThemeError(ValueError):
    """An unknown theme name; the message is one line naming the value and the accepted ones."""


def _mix(color_a: str, color_b: str, t: float) -> str:
    """``color_a`` moved a fraction ``t`` towards ``color_b`` (hex strings), for tints."""
    a = [int(color_a[i:i + 2], 16) for i in (1, 3, 5)]
    b = [int(color_b[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02X}" for x, y in zip(a, b))


def _optimizer_colors(foreground: str, yellow: str) -> dict[str, str]:
    c = OKABE_ITO
    return {
        "gd": c["orange"],
        # Batch, stochastic and mini-batch are compared side by side: distinct hues, with
        # mini-batch half-way between the other two, as it is in what it does.
        "sgd": c["reddish_purple"],
        "minibatch": _mix(c["orange"], c["reddish_purple"], 0.5),
        "momentum": c["sky_blue"],
        "nesterov": c["blue"],
        "adagrad": yellow,
        "rmsprop": c["bluish_green"],
        "adadelta": _mix(c["bluish_green"], foreground, 0.45),
        "adam": c["vermillion"],
        "adamw": _mix(c["vermillion"], foreground, 0.45),
        "amsgrad": _mix(c["vermillion"], c["reddish_purple"], 0.5),
        "nadam": _mix(c["reddish_purple"], foreground, 0.45),
        "newton": foreground,
    }


@dataclass(frozen=True)
class Theme:
    """Every colour a scene uses, by role. Build one with :func:`get_theme`."""

    name: str
    background: str
    foreground: str  # main text, axes
    muted: str  # secondary text, tick labels, contour lines
    faint: str  # grids, panel outlines
    panel: str  # backing rectangles behind overlays
    highlight: str  # the one thing to look at (a formula term, a table row)
    gradient: str  # the gradient and its multiples (-grad f, -eta g), in every part
    good: str  # a minimum, a converged run
    bad: str  # the "diverged" mark
    start: str  # start mark
    series: tuple[str, ...]  # categorical colours for non-optimizer series
    rate_ramp: tuple[str, ...]  # learning rates, small to large (cool to warm): rate_colors
    colorscale: tuple[str, ...]  # surface height colours, low to high
    optimizer_colors: MappingProxyType = field(default_factory=dict)
    font: str = "Latin Modern Sans"
    line_ramp: tuple = (0.3, 1.0)  # part of the colour scale used for lines (contrast with the background)

    def __deepcopy__(self, memo):
        # Immutable: mobjects that keep a theme are copied by animations, the theme is shared.
        return self

    def rate_colors(self, rates) -> dict:
        """One colour per learning rate of a part, small to large along ``rate_ramp`` (cool to warm),
        the same for a rate in every beat of the part: ``{rate: colour}`` for the distinct ``rates``."""
        distinct = sorted({float(r) for r in rates})
        ramp, picks = self.rate_ramp, []
        for i in range(len(distinct)):
            # Evenly spread over the ramp, its ends kept; between two stops, a mix of them.
            pos = i * (len(ramp) - 1) / max(len(distinct) - 1, 1)
            k = min(int(pos), len(ramp) - 2)
            frac = pos - k
            picks.append(ramp[k] if frac < 1e-9 else ramp[k + 1] if frac > 1 - 1e-9 else _mix(ramp[k], ramp[k + 1], frac))
        return dict(zip(distinct, picks))

    def optimizer_color(self, name: str) -> str:
        """The colour of optimizer ``name`` (a label such as ``"gd (stochastic)"`` maps to its variant)."""
        key = name.split(" ")[0].lower()
        if "stochastic" in name:
            key = "sgd"
        elif "mini-batch" in name:
            key = "minibatch"
        try:
            return self.optimizer_colors[key]
        except KeyError:
            raise ThemeError(f"no colour for optimizer {name!r}; accepted: {', '.join(self.optimizer_colors)}") from None


# A perceptually uniform, colour-blind-safe ramp (viridis stops) for heights.
VIRIDIS = ("#440154", "#3B528B", "#21918C", "#5EC962", "#FDE725")


def _dark() -> Theme:
    fg = "#ECEFF4"
    c = OKABE_ITO
    return Theme(
        name="dark", background="#14161C", foreground=fg, muted="#A3A9B5", faint="#3B4252",
        panel="#1E222B", highlight=c["yellow"], gradient=c["yellow"], good=c["bluish_green"], bad=c["vermillion"],
        start=fg,
        series=(c["sky_blue"], c["bluish_green"], c["orange"], c["vermillion"], c["reddish_purple"]),
        rate_ramp=(c["sky_blue"], c["bluish_green"], c["orange"], c["vermillion"], c["reddish_purple"]),  # no yellow: the gradient's
        colorscale=VIRIDIS,
        optimizer_colors=MappingProxyType(_optimizer_colors(fg, c["yellow"])),
    )


def _light() -> Theme:
    fg = "#1B1E24"
    c = OKABE_ITO
    # Okabe-Ito yellow has a contrast ratio of 1.3 on white: use a dark gold in its place.
    gold = "#B39A00"
    return Theme(
        name="light", background="#FFFFFF", foreground=fg, muted="#4C5361", faint="#C9CED6",
        panel="#F2F4F7", highlight=c["vermillion"], gradient=gold, good=c["bluish_green"], bad=c["vermillion"],
        start=fg,
        series=(c["sky_blue"], c["bluish_green"], c["orange"], c["vermillion"], c["reddish_purple"]),
        rate_ramp=(c["sky_blue"], c["bluish_green"], c["orange"], c["vermillion"], c["reddish_purple"]),
        colorscale=VIRIDIS,
        optimizer_colors=MappingProxyType(_optimizer_colors(fg, gold)),
        line_ramp=(0.0, 0.72),  # viridis' yellow end is unreadable as a line on white
    )


THEMES = MappingProxyType({"dark": _dark, "light": _light})


def get_theme(name: str | None = None) -> Theme:
    """The theme ``name``, or the one named by ``$GDX_THEME`` (default ``dark``).

    Raises :class:`ThemeError` with a one-line message for an unknown name.
    """
    source = "theme"
    if name is None:
        name = os.environ.get(ENV_THEME, "").strip() or "dark"
        source = ENV_THEME
    key = name.strip().lower()
    if key not in THEMES:
        raise ThemeError(f"{source}={name!r} is not a theme; accepted: {', '.join(THEMES)}")
    return THEMES[key]()


def apply_theme(theme: Theme) -> None:
    """Set manim's global background colour to the theme's (the CLI default is in manim.cfg)."""
    manim_config.background_color = theme.background


def frame_box(margin: float = MARGIN) -> tuple[float, float, float, float]:
    """``(left, right, bottom, top)`` of the safe area: the frame minus ``margin`` on each side."""
    w, h = manim_config.frame_width / 2, manim_config.frame_height / 2
    return (-w + margin, w - margin, -h + margin, h - margin)


__all__ = [
    "OKABE_ITO", "VIRIDIS", "Theme", "ThemeError", "THEMES", "get_theme", "apply_theme", "frame_box",
    "FONT_TITLE", "FONT_BODY", "FONT_LABEL", "FONT_SMALL", "MIN_FONT_SIZE", "MARGIN",
    "TRAIL_WIDTH", "AXIS_WIDTH", "CONTOUR_WIDTH", "ENV_THEME",
]
