"""The gradient (``scenes/parts/gradient.py``): partials and the chain rule from SymPy and mathcore.

The part renders once per test session under a dry run (``tests/scenes/conftest.py``).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

import mathcore
from scenes.chapter import sig
from scenes.parts import gradient


def test_gradient_partials_are_sympy_latex_and_mathcore_values(chapter_run):
    chapter = chapter_run["gradient"].chapter
    x, y = sp.symbols("x y", real=True)
    expr = mathcore.parse_formula(gradient.SURFACE).subs({sp.Symbol("x", real=True): x})
    assert chapter.formulas["f"].tex_strings[1] == sp.latex(expr)
    assert chapter.formulas["partial_x"].tex_strings[1] == sp.latex(sp.diff(expr, x))
    assert chapter.formulas["partial_y"].tex_strings[1] == sp.latex(sp.diff(expr, y))
    assert chapter.formulas["gradient"].tex_strings[1] == sp.latex(sp.Matrix([sp.diff(expr, x), sp.diff(expr, y)]))
    g = mathcore.get_surface(gradient.SURFACE).grad(np.array(gradient.POINT))
    assert chapter.shown["partial_x"] == sig(g[0])
    assert chapter.shown["partial_y"] == sig(g[1])


def test_gradient_chain_rule_is_sympy(chapter_run):
    chapter = chapter_run["gradient"].chapter
    x = sp.Symbol("x", real=True)
    h = sp.sin(x**2)
    f = chapter.formulas
    assert f["chain_h"].tex_strings[1] == sp.latex(h)
    assert f["chain_result"].tex_strings[1] == sp.latex(sp.diff(h, x)) == r"2 x \cos{\left(x^{2} \right)}"
    assert f["chain_d_inner"].tex_strings[1] == "2 x"
    assert f["chain_d_outer"].tex_strings[1] == r"\cos{\left(u \right)}"


def test_gradient_floor_is_split_once_into_seen_and_hidden(chapter_run):
    """The top view's map is the 3D view's seen floor lines plus the hidden ones: each segment of
    each line is in exactly one of them, so the map has no seams where they meet."""
    chapter = chapter_run["gradient"].chapter
    seen, hidden = chapter.floor_seen, chapter.floor_hidden
    total = 0
    for i, lines in enumerate(seen.polylines):
        for line, s_mask, h_mask in zip(lines, seen.segments[i], hidden.segments[i]):
            assert len(s_mask) == len(line) - 1 and np.array_equal(s_mask, ~h_mask)
            total += len(s_mask)
    assert total > 0
    mesh = chapter.mesh
    assert mesh.shading_baked and mesh.family_members_with_points() == mesh.list_of_faces
    start, end = chapter.orbit
    assert start["phi"] != end["phi"] and start["theta"] != end["theta"]
