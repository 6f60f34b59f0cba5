"""Colours, fonts and spacing shared by every scene.

Two themes: ``dark`` (default, for screens) and ``light`` (for projectors and slides).
Pick one without editing code::

    GDX_THEME=light manim -ql scenes/parts/descent.py RosenbrockDescent

One palette with fixed meanings: a part asks for a colour by what it means
(:meth:`Theme.color`: an optimizer's name, ``"gradient"``, ``"loss"``, a schedule, a summary
card's topic; :meth:`Theme.rate_colors` for learning rates by rank), never by hue. Eleven
colours (Okabe & Ito's seven, "Color Universal Design" 2008, and four added) stay apart under
protanopia, deuteranopia and tritanopia: every pair, and each against the text colour, is at
least 10 CIEDE2000 units apart after Machado et al.'s (2009) simulation, about as far as
Okabe-Ito's own closest pair (10.9). The light theme has its own eleven (contrast on white).
``tests/scenes/test_palette.py`` checks this, and that within a chapter of the video no colour
means two things and nothing has two colours. Marks told apart by shape (the start ring, a
minimum's star, a highlighted term) are drawn in the text colour: ink, not a meaning.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
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
# The type floor: no glyph's capital height under this many pixels of a 480p video (the cap height
# of Text at MIN_FONT_SIZE; LaTeX sets smaller at the same font size, and scripts at 0.7 of it).
GLYPH_FLOOR_PX = 14

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


# Each theme's eleven colours, by role (the designed palette; see the module docstring). The
# dark theme's are Okabe-Ito's seven and four found by a search for the farthest colours under
# the three simulations; the light theme darkens GD's orange and moves the gradient's yellow to
# gold, which otherwise a protanope sees as one colour (3.9 units apart), and has its own four.
PALETTES = MappingProxyType({
    "dark": MappingProxyType({
        "gd": OKABE_ITO["orange"], "sgd": OKABE_ITO["reddish_purple"], "minibatch": "#A5FFC3",
        "momentum": OKABE_ITO["sky_blue"], "nesterov": OKABE_ITO["blue"], "adagrad": "#9678FF",
        "rmsprop": OKABE_ITO["bluish_green"], "adam": OKABE_ITO["vermillion"], "newton": "#B42D69",
        "gradient": OKABE_ITO["yellow"], "loss": "#A5D278"}),
    "light": MappingProxyType({
        "gd": "#9B4300", "sgd": OKABE_ITO["reddish_purple"], "minibatch": "#557755",
        "momentum": OKABE_ITO["sky_blue"], "nesterov": OKABE_ITO["blue"], "adagrad": "#1E2DB4",
        "rmsprop": OKABE_ITO["bluish_green"], "adam": OKABE_ITO["vermillion"], "newton": "#9966FF",
        "gradient": "#DEB100", "loss": "#4B0F5A"}),
})

# Other names of a role: the same meaning, so the same colour.
ALIASES = MappingProxyType({
    "batch": "gd",  # batch gradient descent is gradient descent
    "stochastic": "sgd",
    "mini-batch": "minibatch",
    "constant": "sgd",  # the schedules' runs are stochastic GD: at a constant rate, plain SGD
    "backprop": "gradient",  # backpropagation computes the gradient
    "schedules": "step_decay",  # (the summary's card for schedules)
})

# Roles with a meaning of their own that take the colour of a role they never share a chapter
# with (eleven colours cannot all stay apart under the simulations plus more): the palette test
# fails where they meet.
BORROWED = MappingProxyType({"step_decay": "nesterov", "cosine": "rmsprop", "exponential": "momentum",
                             "diverged": "adam",
                             # the gradient chapter's slices along x and y, and its chain rule's
                             # inner and outer functions (no optimizer runs in that chapter)
                             "partial_x": "momentum", "partial_y": "sgd", "inner": "rmsprop", "outer": "adam"})

# Drawn in the text colour, told apart by shape: ink, not a meaning.
INK = frozenset({"start", "minimum", "highlight"})

# Learning rates, small to large (cool to warm): seven colours of the palette, so that up to seven
# rates of a part get seven colours (never GD's, the gradient's or "diverged").
RATE_ROLES = ("adagrad", "nesterov", "momentum", "rmsprop", "loss", "sgd", "newton")


def _optimizer_colors(roles, foreground: str) -> dict[str, str]:
    """Every optimizer name's colour: the palette's, and variants of a method at a lighter tint
    of its colour (they are not shown beside it in the video)."""
    out = {k: roles[k] for k in ("gd", "sgd", "minibatch", "momentum", "nesterov", "adagrad", "rmsprop", "adam",
                                 "newton")}
    out.update(adadelta=_mix(roles["rmsprop"], foreground, 0.45), adamw=_mix(roles["adam"], foreground, 0.45),
               amsgrad=_mix(roles["adam"], roles["sgd"], 0.5), nadam=_mix(roles["sgd"], foreground, 0.45))
    return out


# Every colour asked for while :func:`recording` is on, as (role, colour): what the palette test
# reads from a dry run of a chapter. Asking by position (``optimizer_colors[...]``) is recorded
# under that name, so the test can name it.
_asked: list | None = None
_RECORDED_FIELDS = frozenset({"highlight", "gradient", "good", "bad", "start", "optimizer_colors"})
_FIELD_ROLES = {"good": "minimum", "bad": "diverged"}


def _recording_getattribute(self, name):
    value = object.__getattribute__(self, name)
    if _asked is not None and name in _RECORDED_FIELDS:
        _note(_FIELD_ROLES.get(name, name), value)
    return value


@contextmanager
def recording():
    """Record every colour a theme gives out inside the block: yields the list of (role, colour).
    Reading a colour field is watched only inside the block (a render pays nothing for it)."""
    global _asked
    outer, _asked = _asked, []
    Theme.__getattribute__ = _recording_getattribute
    try:
        yield _asked
    finally:
        _asked = outer
        if outer is None:
            del Theme.__getattribute__


def _note(role: str, colour) -> None:
    if _asked is not None:
        _asked.append((role, colour))


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
    colorscale: tuple[str, ...]  # surface height colours, low to high
    optimizer_colors: MappingProxyType = field(default_factory=dict)
    palette: MappingProxyType = field(default_factory=dict)  # role -> colour (PALETTES)
    # Nimbus Sans (URW's Helvetica, Debian's fonts-urw-base35) carries Greek and maths symbols:
    # Latin Modern Sans has no Greek, so eta and nabla in running text came from a fallback font.
    font: str = "Nimbus Sans"
    line_ramp: tuple = (0.3, 1.0)  # part of the colour scale used for lines (contrast with the background)

    def __deepcopy__(self, memo):
        # Immutable: mobjects that keep a theme are copied by animations, the theme is shared.
        return self

    def color(self, role: str) -> str:
        """The colour of ``role``: an optimizer (``"gd"``, ``"adam"``; ``"batch"``, ``"stochastic"``,
        ``"minibatch"``), ``"gradient"``, ``"loss"``, a schedule (``"constant"``, ``"step_decay"``,
        ``"cosine"``), a summary topic (``"backprop"``, ``"schedules"``), ``"diverged"``, the gradient
        chapter's ``"partial_x"``, ``"partial_y"``, ``"inner"`` and ``"outer"``, or ink
        drawn in the text colour (``"start"``, ``"minimum"``, ``"highlight"``)."""
        get = object.__getattribute__
        key = ALIASES.get(role, role)
        palette, optimizers = get(self, "palette"), get(self, "optimizer_colors")
        if key in INK:
            colour = get(self, "foreground")
        elif key in BORROWED:
            colour = palette[BORROWED[key]]
        elif key in palette:
            colour = palette[key]
        elif key in optimizers:
            colour = optimizers[key]
        else:
            roles = sorted({*palette, *optimizers, *ALIASES, *BORROWED, *INK})
            raise ThemeError(f"no colour for role {role!r}; accepted: {', '.join(roles)}")
        _note(key, colour)
        return colour

    def rate_colors(self, rates) -> dict:
        """One colour per learning rate of a part, small to large (cool to warm, :data:`RATE_ROLES`),
        the same for a rate in every beat of the part: ``{rate: colour}`` for the distinct ``rates``.
        Up to seven rates get seven colours of the palette, spread over the ramp with its ends kept."""
        distinct = sorted({float(r) for r in rates})
        ramp = [object.__getattribute__(self, "palette")[r] for r in RATE_ROLES]
        picks = []
        for i in range(len(distinct)):
            pos = i * (len(ramp) - 1) / max(len(distinct) - 1, 1)
            if len(distinct) <= len(ramp):  # the nearest stop: a colour of the palette
                picks.append(ramp[round(pos)])
            else:  # more rates than stops: mixes between them
                k = min(int(pos), len(ramp) - 2)
                picks.append(_mix(ramp[k], ramp[k + 1], pos - k))
        for rate, colour in zip(distinct, picks):
            _note(f"rate {rate:g}", colour)
        return dict(zip(distinct, picks))

    def shades(self, role: str, n: int) -> list[str]:
        """``n`` shades of ``role``'s colour, its own first, then lighter towards the text colour
        (the last 55 % of the way): one method at several settings, each told apart while the
        colour still names the method."""
        base, fg = self.color(role), object.__getattribute__(self, "foreground")
        out = [_mix(base, fg, 0.55 * i / max(n - 1, 1)) for i in range(n)]
        for i, colour in enumerate(out[1:], 1):
            _note(f"{ALIASES.get(role, role)} shade {i}", colour)
        return out

    def optimizer_color(self, name: str) -> str:
        """The colour of optimizer ``name`` (a label such as ``"gd (stochastic)"`` maps to its variant)."""
        key = name.split(" ")[0].lower()
        if "stochastic" in name:
            key = "sgd"
        elif "mini-batch" in name:
            key = "minibatch"
        if key not in object.__getattribute__(self, "optimizer_colors"):
            raise ThemeError(f"no colour for optimizer {name!r}; accepted: "
                             f"{', '.join(object.__getattribute__(self, 'optimizer_colors'))}")
        return self.color(key)


# A perceptually uniform, colour-blind-safe ramp (viridis stops) for heights.
VIRIDIS = ("#440154", "#3B528B", "#21918C", "#5EC962", "#FDE725")


def _theme(name: str, **kw) -> Theme:
    roles = PALETTES[name]
    fg = kw["foreground"]
    return Theme(
        name=name, highlight=fg, gradient=roles["gradient"], good=fg, bad=roles["adam"], start=fg,
        colorscale=VIRIDIS,
        optimizer_colors=MappingProxyType(_optimizer_colors(roles, fg)), palette=roles, **kw)


def _dark() -> Theme:
    return _theme("dark", background="#14161C", foreground="#ECEFF4", muted="#A3A9B5", faint="#3B4252",
                  panel="#1E222B")


def _light() -> Theme:
    return _theme("light", background="#FFFFFF", foreground="#1B1E24", muted="#4C5361", faint="#C9CED6",
                  panel="#F2F4F7",
                  line_ramp=(0.0, 0.72))  # viridis' yellow end is unreadable as a line on white


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
    "OKABE_ITO", "VIRIDIS", "PALETTES", "ALIASES", "BORROWED", "INK", "RATE_ROLES", "recording", "Theme", "ThemeError", "THEMES", "get_theme", "apply_theme", "frame_box",
    "FONT_TITLE", "FONT_BODY", "FONT_LABEL", "FONT_SMALL", "MIN_FONT_SIZE", "GLYPH_FLOOR_PX", "MARGIN",
    "TRAIL_WIDTH", "AXIS_WIDTH", "CONTOUR_WIDTH", "ENV_THEME",
]
