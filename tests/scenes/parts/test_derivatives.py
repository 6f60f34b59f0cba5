"""Derivatives (``scenes/parts/derivatives.py``): secant, tangent and formulas from SymPy.

The part renders once per test session under a dry run (``tests/scenes/conftest.py``).
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import mathcore
from scenes.chapter import g3
from scenes.mobjects import format_sig
from scenes.parts import derivatives


def test_derivatives_secant_and_tangent_numbers(chapter_run):
    chapter = chapter_run["derivatives"].chapter
    parabola = mathcore.get_surface("parabola")
    f = lambda v: float(parabola.f(np.array([v])))  # noqa: E731
    rise = f(2.5) - f(2.0)
    assert rise == pytest.approx(2.25)
    assert chapter.shown["run"] == "0.5"
    assert chapter.shown["rise"] == "2.25" == g3(rise)
    assert chapter.shown["secant_slope"] == "4.5" == g3(rise / 0.5)
    assert chapter.shown["tangent_slope"] == "4" == g3(parabola.grad(np.array([2.0]))[0])
    assert float(chapter.shown["limit_slope"]) == pytest.approx(4.0, abs=2e-3)
    assert chapter.shown["vertex_slope"] == "0"
    assert chapter.shown["nudge"] == "0.250" and chapter.shown["nudge_approx"] == format_sig(4 * derivatives.NUDGE)
    # What the readout MathTex holds is what was recorded.
    secant = chapter.formulas["secant"]
    assert secant.tex_strings[3] == r"= \frac{2.25}{0.5} =" and secant.tex_strings[-1] == "4.5"
    assert chapter.formulas["tangent"].tex_strings[-1] == "4"
    # The live numbers are the one formatter's (3 significant digits), at the end of the limit.
    assert chapter.shown["limit_h"] == "0.00100" and chapter.shown["limit_slope"] == "4.00"
    assert chapter.shown["nudge_df"] == format_sig(f(2.25) - f(2.0)) == "1.06"


def test_derivatives_secant_morphs_into_the_limit(chapter_run):
    """The difference quotient is one term of the limit formula, so the morph keeps it in place."""
    chapter = chapter_run["derivatives"].chapter
    quotient = r"\frac{f(2 + h) - f(2)}{h}"
    assert chapter.formulas["tangent"].tex_strings == ["f'(2)", "=", r"\lim_{h \to 0}", quotient, "=", "4"]
    assert derivatives.RISE_OVER_RUN in chapter.formulas["secant"].tex_strings


def test_derivatives_formulas_are_sympy_latex(chapter_run):
    chapter = chapter_run["derivatives"].chapter
    x = sp.Symbol("x", real=True)
    assert chapter.formulas["f"].tex_strings[1] == sp.latex(x**2) == "x^{2}"
    assert chapter.formulas["derivative"].tex_strings[1] == sp.latex(sp.diff(x**2, x)) == "2 x"
