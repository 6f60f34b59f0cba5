"""The type floor (``scenes.mobjects.text``): :func:`glyph_px`, :func:`script_level`, :func:`tex_size`,
and the building blocks' defaults held to ``GLYPH_FLOOR_PX`` (14 px capitals at 480p)."""

from __future__ import annotations

import numpy as np
import pytest
from manim import MathTex, Text, VGroup

from scenes.mobjects import (
    FastNumber, LossPlot, MapPanel, Readout, SciNumber, StepCounter, flat, gradient_arrow, legend, math, minimum_mark,
    morph_tex, text,
)
from scenes.mobjects.text import glyph_px, script_level, tex_size
from scenes.theme import FONT_SMALL, GLYPH_FLOOR_PX, MIN_FONT_SIZE, get_theme

THEME = get_theme("dark")


@pytest.mark.parametrize("latex, level", [
    ("x", 0), ("x_t", 1), ("10^{-4}", 1), (r"\theta_{k}", 1), ("e^{x_i}", 2), (r"\frac{a}{b}", 0),
    (r"{\scriptstyle a}", 1), (r"{\scriptscriptstyle a}", 2), ("f'(x)", 0),
])
def test_script_level_counts_nested_scripts(latex, level):
    assert script_level(latex) == level


def test_text_and_math_of_one_size_stand_equally_tall_at_the_floor():
    word, formula = text("H", THEME, MIN_FONT_SIZE), math("H", THEME, MIN_FONT_SIZE)
    assert glyph_px(word) == pytest.approx(glyph_px(formula), rel=1e-6)
    assert glyph_px(word) >= GLYPH_FLOOR_PX - 0.25
    assert word.height == pytest.approx(formula.height, rel=0.03)  # measured, not only computed
    # Raw LaTeX at the same font size is smaller: under the floor.
    assert glyph_px(MathTex("H", font_size=MIN_FONT_SIZE)) < GLYPH_FLOOR_PX - 1
    assert tex_size(MIN_FONT_SIZE, THEME.font) > MIN_FONT_SIZE


def test_a_subscript_counts_at_first_level_but_a_script_of_a_script_fails():
    base = glyph_px(math("x", THEME, FONT_SMALL))
    assert glyph_px(math("x_t", THEME, FONT_SMALL)) == pytest.approx(base)  # TeX's 0.7 is allowed
    assert glyph_px(math("e^{x_i}", THEME, FONT_SMALL)) < GLYPH_FLOOR_PX - 0.25
    # A subscript set 5 px tall (a formula shrunk to fit) fails.
    tiny = math("x_t", THEME, FONT_SMALL).scale(5 / (0.7 * base))
    assert 0.7 * glyph_px(tiny) == pytest.approx(5, rel=1e-6) and glyph_px(tiny) < GLYPH_FLOOR_PX


def test_glyph_px_follows_scaling_and_survives_flattening():
    caption = VGroup(text("a caption", THEME, 28), text("second line", THEME, 28)).arrange()
    size = glyph_px(caption[0])
    flattened = flat(caption)
    assert glyph_px(flattened) == pytest.approx(size)
    assert glyph_px(flat(math("x^2", THEME), merge=True)) == pytest.approx(glyph_px(math("x^2", THEME)))
    flattened.scale(0.5)
    assert glyph_px(flattened) == pytest.approx(size / 2)
    group = VGroup(text("words", THEME, 28)).scale(0.6)
    assert glyph_px(group[0]) == pytest.approx(size * 0.6)
    assert glyph_px(VGroup()) is None and glyph_px(Text("x").set_opacity(0).submobjects[0]) is None


@pytest.mark.parametrize("cls", [SciNumber, FastNumber])
def test_numbers_stand_as_tall_as_text_of_their_size(cls):
    number = cls(3.25, FONT_SMALL)
    assert glyph_px(number) == pytest.approx(glyph_px(text("H", THEME, FONT_SMALL)), rel=1e-6)
    # The digits really are that tall: a 3 is about as tall as a capital.
    assert number.height == pytest.approx(math("3.25", THEME, FONT_SMALL).height, rel=0.05)
    assert glyph_px(cls(1, 10)) >= GLYPH_FLOOR_PX - 0.25  # never under the floor
    number.set_value(12345.0)
    assert glyph_px(number) == pytest.approx(glyph_px(text("H", THEME, FONT_SMALL)), rel=1e-6)


def _small(mob) -> list:
    """Text of ``mob`` under the floor (as tests/scenes/test_transitions.py measures it)."""
    out = []

    def walk(m):
        px = glyph_px(m)
        if px is not None:
            if m.height > 0 and px < GLYPH_FLOOR_PX - 0.25:
                out.append((round(px, 1), getattr(m, "tex_string", None) or getattr(m, "text", "")))
            return
        for sub in m.submobjects:
            walk(sub)

    walk(mob)
    return out


def test_building_blocks_keep_the_floor():
    import mathcore

    surface = mathcore.get_surface("rosenbrock")
    run = mathcore.run(surface, "gd", [-1.0, 1.0], 20, 1e-3)
    blocks = [
        LossPlot([(run.losses, "#ff0000")], THEME, log=True),  # log ticks: 10^{-4}, exponent at TeX's 0.7
        LossPlot([(run.losses, "#ff0000")], THEME),
        MapPanel(surface, surface.domain, THEME, side=3.0),
        Readout([(r"\theta_1", run.points[:, 0]), ("f", run.losses)], THEME),
        StepCounter(THEME), legend([(r"\eta = 0.1", "#ff0000"), ("words", "1.00", "#00ff00")], THEME),
        gradient_arrow(lambda p: np.c_[p, np.zeros(len(p))], [0.0, 0.0], [1.0, 1.0], THEME),
        minimum_mark(np.zeros(3), THEME, label=r"\theta^*"),
    ]
    for block in blocks:
        assert _small(block) == [], type(block).__name__


def test_morph_tex_matches_terms_and_swaps_the_rest_without_overlap():
    a = math(["x", r"\leftarrow", "5.00", "-", "0.1", "=", "4.00"], THEME)
    b = math(["x", r"\leftarrow", "4.00", "-", "0.1", "=", "3.20"], THEME)
    morph = morph_tex(a, b)
    fades = [anim for anim in morph.animations if type(anim).__name__ in ("FadeIn", "FadeOut")]
    assert len(fades) == 2
    out, into = sorted(fades, key=lambda anim: type(anim).__name__ == "FadeIn")
    # What leaves is gone by 40 % of the play; what comes starts only then.
    assert out.rate_func(0.4) == pytest.approx(1.0) and into.rate_func(0.4) == pytest.approx(0.0)
    def terms(mob):
        return {m.tex_string for m in mob.get_family() if hasattr(m, "tex_string")}

    assert terms(out.mobject) == {"5.00"} and terms(into.mobject) == {"3.20"}
