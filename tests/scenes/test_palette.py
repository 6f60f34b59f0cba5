"""One palette with fixed meanings (``scenes.theme``), checked three ways, each shown to fail on a
deliberately bad palette:

1. parts ask for colours by meaning: no part names a colour literal, an Okabe-Ito entry, a manim
   colour constant or a colour by position (``series[2]``);
2. within a chapter of the explainer no colour means two things and no meaning has two colours,
   read from what the parts ask the theme for during a dry run (:func:`scenes.theme.recording`);
3. the colours one chapter shows stay apart for colour-blind viewers: after Machado et al.'s
   (2009) simulation of protanopia, deuteranopia and tritanopia (severity 1, in linear RGB),
   every pair, and each colour against the text colour, is at least ``MIN_DELTA_E`` CIEDE2000
   units apart, in both themes.

Why 10: Okabe-Ito, the colour-blind-safe palette the design names, keeps its seven colours
10.9 units apart under the same three simulations (orange and reddish purple for a tritanope are
its closest pair); 10 asks a chapter to be about as legible as that reference. Two samples of one
Okabe-Ito colour a viewer could still mix up (GD's orange against the light theme's old gold
gradient, seen by a protanope) are 3.9 apart.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pytest

from scenes import theme as th

ROOT = Path(__file__).resolve().parents[2]
MIN_DELTA_E = 10.0
MIN_CONTRAST = 2.0  # WCAG contrast of a line colour against the background

# Machado, Oliveira & Fernandes (2009), severity 1.0: linear RGB -> linear RGB as seen.
MACHADO = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
VISIONS = ("normal", *MACHADO)


# ----------------------------------------------------------------------------- colour science


def linear_rgb(hex_color: str) -> np.ndarray:
    c = np.array([int(hex_color[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def lab(hex_color: str, vision: str = "normal") -> np.ndarray:
    """CIELAB (D65) of ``hex_color`` as seen with ``vision``."""
    rgb = linear_rgb(hex_color)
    if vision != "normal":
        rgb = np.clip(MACHADO[vision] @ rgb, 0, 1)
    xyz = np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
                    [0.0193339, 0.1191920, 0.9503041]]) @ rgb / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e2000(lab1, lab2) -> float:
    """CIEDE2000 (Sharma, Wu & Dalal 2005)."""
    (L1, a1, b1), (L2, a2, b2) = lab1, lab2
    cb = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(cb ** 7 / (cb ** 7 + 25 ** 7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1, c2 = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1, h2 = np.degrees(np.arctan2(b1, a1p)) % 360, np.degrees(np.arctan2(b2, a2p)) % 360
    dh = 0.0 if c1 * c2 == 0 else (h2 - h1 + 180) % 360 - 180
    dH = 2 * np.sqrt(c1 * c2) * np.sin(np.radians(dh / 2))
    lb, cbp = (L1 + L2) / 2, (c1 + c2) / 2
    hb = h1 + h2 if c1 * c2 == 0 else ((h1 + h2) / 2 if abs(h1 - h2) <= 180 else (h1 + h2 + 360 * (1 if h1 + h2 < 360 else -1)) / 2)
    t = (1 - 0.17 * np.cos(np.radians(hb - 30)) + 0.24 * np.cos(np.radians(2 * hb))
         + 0.32 * np.cos(np.radians(3 * hb + 6)) - 0.20 * np.cos(np.radians(4 * hb - 63)))
    sl = 1 + 0.015 * (lb - 50) ** 2 / np.sqrt(20 + (lb - 50) ** 2)
    sc, sh = 1 + 0.045 * cbp, 1 + 0.015 * cbp * t
    rt = -np.sin(np.radians(60 * np.exp(-((hb - 275) / 25) ** 2))) * 2 * np.sqrt(cbp ** 7 / (cbp ** 7 + 25 ** 7))
    dl, dc, dh_ = (L2 - L1) / sl, (c2 - c1) / sc, dH / sh
    return float(np.sqrt(dl ** 2 + dc ** 2 + dh_ ** 2 + rt * dc * dh_))


def contrast(a: str, b: str) -> float:
    ya, yb = (float(linear_rgb(c) @ [0.2126, 0.7152, 0.0722]) for c in (a, b))
    return (max(ya, yb) + 0.05) / (min(ya, yb) + 0.05)


def too_close(colours: dict, theme) -> list:
    """(vision, role, role, ΔE) of every pair of ``colours`` (role -> hex), and of each with the
    text colour, closer than :data:`MIN_DELTA_E` for some vision; (role, contrast) of colours
    that fade into the background."""
    named = {**colours, "text": theme.foreground}
    out = []
    for vision in VISIONS:
        labs = {role: lab(c, vision) for role, c in named.items()}
        for (r1, l1), (r2, l2) in itertools.combinations(labs.items(), 2):
            if named[r1].upper() != named[r2].upper() and (d := delta_e2000(l1, l2)) < MIN_DELTA_E:
                out.append((vision, r1, r2, round(d, 1)))
    out += [(role, round(contrast(c, theme.background), 2)) for role, c in colours.items()
            if contrast(c, theme.background) < MIN_CONTRAST]
    return out


# ----------------------------------------------------------------------------- 3. the palette


@pytest.mark.parametrize("name", ["dark", "light"])
def test_the_palette_stays_apart_for_colour_blind_viewers(name):
    theme = th.get_theme(name)
    assert too_close(dict(theme.palette), theme) == []
    assert len(set(theme.palette.values())) == len(theme.palette)


def test_the_check_fails_on_a_bad_palette():
    """The light theme's old gradient gold beside GD's orange, batch beside a mix of it for
    mini-batch (issue 12: "near-identical oranges"), and Okabe-Ito yellow on white."""
    theme = th.get_theme("light")
    bad = too_close({"gd": "#E69F00", "gradient": "#B39A00", "minibatch": "#D98C54", "loss": "#F0E442"}, theme)
    assert ("protanopia", "gd", "gradient", 3.9) in bad
    assert any({"gd", "minibatch"} == set(b[1:3]) for b in bad if len(b) == 4)
    assert ("loss", 1.32) in bad


def test_delta_e2000_matches_sharma_et_al():
    """Pairs 1 and 17 of Sharma, Wu & Dalal's (2005) test data."""
    assert delta_e2000((50, 2.6772, -79.7751), (50, 0, -82.7485)) == pytest.approx(2.0425, abs=1e-4)
    assert delta_e2000((50, 2.5, 0), (73, 25, -18)) == pytest.approx(27.1492, abs=1e-4)


# ----------------------------------------------------------------------------- 1. by meaning

# Colour literals, Okabe-Ito entries, manim's named colours, colours by position or mixed in a part.
COLOUR_NAMES = re.compile(
    r"""(?P<literal>["']\#[0-9A-Fa-f]{3,8}["'])|(?P<okabe>OKABE_ITO|PALETTES)"""
    r"""|(?P<manim>\b(?:RED|BLUE|GREEN|YELLOW|ORANGE|PURPLE|TEAL|GOLD|PINK|MAROON|WHITE|BLACK|GREY|GRAY)(?:_[A-E])?\b)"""
    r"""|(?P<position>\.(?:series|rate_ramp|optimizer_colors|palette)\b)|(?P<mix>\b_mix\()""")


def colour_names(source: str) -> list[str]:
    """Every place ``source`` names a colour instead of asking the theme for a meaning."""
    return [f"{source.count(chr(10), 0, m.start()) + 1}: {m.group(0)}" for m in COLOUR_NAMES.finditer(source)]


@pytest.mark.parametrize("path", sorted((ROOT / "scenes" / "parts").glob("*.py")), ids=lambda p: p.name)
def test_parts_ask_for_colours_by_meaning(path):
    assert colour_names(path.read_text()) == []


def test_the_scan_finds_colours_named_in_a_part():
    source = 'a = Line(color="#E69F00")\nb = th.series[2]\nc = OKABE_ITO["blue"]\nd = BLUE_E\ne = th.color("gd")\n'
    assert colour_names(source) == ['1: "#E69F00"', "2: .series", "3: OKABE_ITO", "4: BLUE_E"]


# ----------------------------------------------------------------------------- 2. per chapter


def meaning_problems(asked: list, theme) -> list[str]:
    """From the (role, colour) a chapter asked for: colours asked by position, meanings with two
    colours, colours with two meanings (ink, the text colour, is shape-coded and exempt), and the
    CVD check of all the chapter's colours."""
    problems = [f"{role} asked by position" for role, c in asked if not isinstance(c, str)]
    by_role, by_colour = {}, {}
    for role, c in asked:
        if isinstance(c, str):
            by_role.setdefault(role, set()).add(c.upper())
            if c.upper() != theme.foreground.upper():
                by_colour.setdefault(c.upper(), set()).add(role)
    problems += [f"{role} has colours {sorted(cs)}" for role, cs in sorted(by_role.items()) if len(cs) > 1]
    problems += [f"{c} means {sorted(rs)}" for c, rs in sorted(by_colour.items()) if len(rs) > 1]
    colours = {sorted(rs)[0]: c for c, rs in by_colour.items()}
    problems += [f"too close: {p}" for p in too_close(colours, theme)]
    return problems


def test_the_chapter_check_fails_on_bad_requests():
    theme = th.get_theme("dark")
    asked = [("gd", "#E69F00"), ("rate 1.05", "#E69F00"), ("adam", "#D55E00"), ("adam", "#CC79A7"),
             ("series", ("#56B4E9",)), ("start", theme.foreground), ("minimum", theme.foreground),
             ("minibatch", "#D98C54")]
    problems = meaning_problems(asked, theme)
    assert "series asked by position" in problems
    assert "adam has colours ['#CC79A7', '#D55E00']" in problems
    assert "#E69F00 means ['gd', 'rate 1.05']" in problems
    assert any(p.startswith("too close:") and "'gd', 'minibatch'" in p for p in problems), problems
    assert not any("start" in p or "minimum" in p for p in problems)  # ink is shape-coded


CHAPTERS = ["Chapter1Hook", "Chapter2Mathematics", "Chapter3LearningRate", "Chapter4Landscapes",
            "Chapter5BetterSteps", "Chapter6NeuralNetworks", "Chapter7Limitations"]


@pytest.fixture(scope="module")
def light_colours():
    """Chapter number -> the (role, colour) its parts asked the light theme for, from one dry run
    of the explainer in the light theme (the dark theme's record is the shared run's)."""
    from gdx.catalog import dry_render
    from scenes import explainer

    colours, play_chapter = {}, explainer.play_chapter

    def recorded(host, number, **kwargs):
        with th.recording() as asked:
            play_chapter(host, number, **kwargs)
        colours[number] = list(asked)

    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("GDX_CONFIG", raising=False)
        mp.setenv(th.ENV_THEME, "light")
        mp.setattr(explainer, "play_chapter", recorded)
        dry_render(explainer.GradientDescentExplained, jump=True)
    return colours


@pytest.mark.parametrize("theme", ["dark", "light"])
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_a_colour_means_one_thing_in_each_chapter(chapter, theme, explainer_run, light_colours):
    """From dry runs of the explainer that record what each chapter asks the theme for."""
    record = explainer_run.colours if theme == "dark" else light_colours
    asked = record[CHAPTERS.index(chapter) + 1]
    problems = meaning_problems(asked, th.get_theme(theme))
    assert problems == []
    assert {r for r, _ in asked} - th.INK, chapter  # the record saw the chapter's colours
