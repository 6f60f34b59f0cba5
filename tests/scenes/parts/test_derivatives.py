"""Derivatives (``scenes/parts/derivatives.py``): secant, tangent and formulas from SymPy.

The part renders once per test session under a dry run (``tests/scenes/conftest.py``).
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import mathcore
from scenes.chapter import g3
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
    assert chapter.shown["nudge_approx"] == g3(4 * derivatives.NUDGE)
    # What the readout MathTex holds is what was recorded.
    secant = chapter.formulas["secant"]
    assert "2.25" in secant.tex_strings[0] and "0.5" in secant.tex_strings[0]
    assert secant.tex_strings[1] == "4.5"
    assert chapter.formulas["tangent"].tex_strings[1] == "4"


def test_derivatives_formulas_are_sympy_latex(chapter_run):
    chapter = chapter_run["derivatives"].chapter
    x = sp.Symbol("x", real=True)
    assert chapter.formulas["f"].tex_strings[1] == sp.latex(x**2) == "x^{2}"
    assert chapter.formulas["derivative"].tex_strings[1] == sp.latex(sp.diff(x**2, x)) == "2 x"
