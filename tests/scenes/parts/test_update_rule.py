"""The update rule (``scenes/parts/update_rule.py``): the table, the formulas, the best direction.

The part renders once per test session under a dry run (``tests/scenes/conftest.py``).
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import mathcore
from scenes.chapter import sig
from scenes.parts import gradient, update_rule


def test_update_rule_table_is_mathcore_run(chapter_run):
    chapter = chapter_run["update_rule"].chapter
    run = mathcore.run(mathcore.get_surface("parabola"), "gd", [5.0], 20, 0.1)
    expected = [(str(k), sig(run.points[k][0]), sig(run.grads[k][0]), sig(run.losses[k])) for k in range(21)]
    assert chapter.table_shown == expected
    assert expected[1][1:] == ("4.00", "8.00", "16.0") and expected[-1][1] == "0.0576"
    assert chapter.shown["final"] == "0.0576"
    assert chapter.shown["ratio"] == "0.8"
    # The scrolling window: at most VISIBLE_ROWS rows on screen, ending with step 20.
    assert len(chapter.visible_rows) == update_rule.VISIBLE_ROWS
    assert chapter.visible_rows[-1][1].tex_string == expected[-1][1]
    # The worked steps.
    step1 = chapter.formulas["step_1"].tex_strings
    assert step1[1:] == ["5.00", "-", "0.1", r"\times", "10.0", "=", "4.00"]
    assert chapter.formulas["step_2"].tex_strings[-1] == "3.20"


def test_update_rule_formulas_are_sympy(chapter_run):
    chapter = chapter_run["update_rule"].chapter
    theta = sp.Symbol("theta")
    loss = chapter.formulas["loss"].tex_strings
    assert loss[1] == sp.latex(theta**2) and loss[4] == sp.latex(2 * theta)
    h = sp.Symbol("h")
    assert chapter.shown["taylor_exact"] == sp.latex(sp.expand((5 + h) ** 2)) == "h^{2} + 10 h + 25"
    assert chapter.shown["taylor_first"] == "10 h + 25"
    ex = chapter.formulas["taylor_example"].tex_strings
    assert ex[1] == chapter.shown["taylor_exact"] and ex[3] == chapter.shown["taylor_first"]


def test_update_rule_best_direction_is_against_the_gradient(chapter_run):
    chapter = chapter_run["update_rule"].chapter
    g = mathcore.get_surface(gradient.SURFACE).grad(np.array(gradient.POINT))
    assert chapter.shown["best_angle"] == 180.0
    assert float(chapter.shown["best_value"]) == pytest.approx(-np.linalg.norm(g), abs=5e-3)


def test_update_rule_rule_is_morphed_from_the_taylor_line(chapter_run):
    """The rule's theta, eta and gradient are terms of the Taylor line (morphed term by term), and
    the small rule in the corner is the same terms."""
    chapter = chapter_run["update_rule"].chapter
    taylor = set(chapter.formulas["taylor"].tex_strings)
    rule = chapter.formulas["rule"].tex_strings
    assert {r"\theta", r"\eta", r"\nabla L(\theta)"} <= taylor & set(rule)
    assert chapter.small_rule.tex_strings == rule
    # Each term keeps its colour in the corner; theta and the arrow stay in the text colour (both themes).
    from manim import ManimColor
    def glyph_colours(tex):  # (a term's own colour is its glyphs'; the group's is manim's default)
        return [ManimColor(term.family_members_with_points()[0].get_fill_color()).to_hex() for term in tex]

    colours = glyph_colours(chapter.small_rule)
    assert colours == glyph_colours(chapter.formulas["rule"])
    assert colours[0] == ManimColor(chapter.theme.foreground).to_hex()
    # The worked steps share the old result: step 1's last number is step 2's first.
    if "step_2" in chapter.formulas:
        assert chapter.formulas["step_1"].tex_strings[-1] == chapter.formulas["step_2"].tex_strings[1]


def test_update_rule_table_columns_align_on_the_decimal_point(chapter_run):
    chapter = chapter_run["update_rule"].chapter
    for col in (1, 2, 3):
        points = [row[col][0][row[col].tex_string.index(".")].get_left()[0] for row in chapter.visible_rows]
        assert max(points) - min(points) < 1e-6, (col, points)
    # 10.0 over 8.00: the points line up, the right edges do not.
    assert chapter.table_shown[0][2] == "10.0" and chapter.table_shown[1][2] == "8.00"
