"""Text, numbers and formulas: titles, the live readout, legends, update rules.

Numbers are rounded for reading only (3 significant digits, scientific notation outside
:math:`[10^{-3}, 10^4)`), always from the run's arrays. Formulas are the LaTeX that SymPy
prints for mathcore's expressions; an update rule with numbers is the same SymPy
expression printed with its symbols named by the numbers of one step.
"""

from __future__ import annotations

import math as pymath
import re
from functools import lru_cache

import numpy as np
import sympy as sp
from manim import (
    DOWN, LEFT, ORIGIN, RIGHT, UP, Line, MathTex, RoundedRectangle, SingleStringMathTex, Text, VGroup,
    VMobject, config,
)

from mathcore.optimizers import rule_line_latex

from ..theme import FONT_BODY, FONT_LABEL, FONT_TITLE, MIN_FONT_SIZE, TRAIL_WIDTH, Theme


def text(s: str, theme: Theme, font_size: int = FONT_BODY, color=None, **kwargs) -> Text:
    """Running text in the theme's font (never below the minimum size)."""
    return Text(s, font=theme.font, font_size=max(font_size, MIN_FONT_SIZE), color=color or theme.foreground, **kwargs)


def script_level(latex: str) -> int:
    r"""How deep the deepest sub- or superscript of ``latex`` goes: 0 (none), 1 (``x_t``, ``10^{3}``)
    or 2 (``e^{x_i}``). TeX sets a script 0.7 and a script of a script 0.5 times the type size;
    ``\scriptstyle`` and ``\scriptscriptstyle`` count as 1 and 2."""
    stack, level, deepest, pending, i = [], 0, 0, False, 0
    while i < len(latex):
        c = latex[i]
        if c in "_^":
            pending, i = True, i + 1
            continue
        if c == "{":
            stack.append(level)
            if pending:
                level, pending = level + 1, False
            i += 1
            continue
        if c == "}":
            level, i = (stack.pop() if stack else 0), i + 1
            continue
        if c.isspace():
            i += 1
            continue
        if c == "\\":
            command = re.match(r"\\([A-Za-z]+|.)", latex[i:])
            name = command.group(1) if command else ""  # (a lone backslash at the end)
            i += 1 + len(name)
            if name == "scriptstyle":
                level = max(level, 1)
            elif name == "scriptscriptstyle":
                level = 2
        else:
            i += 1
        if pending:  # a one-token script: x_t, 10^3, x^\prime
            deepest, pending = max(deepest, level + 1), False
        elif c not in "'":  # (a prime is drawn small by design)
            deepest = max(deepest, level)
    return min(deepest, 2)


SCRIPT_SCALE = (1.0, 0.7, 0.5)  # TeX's text, script and script-script sizes
# The type floor counts a first-level script at TeX's own ratio (a formula at the floor has its
# indices at 0.7 of it); a script of a script, at 0.5, must be held up to that same 0.7.
_FLOOR_SCALE = (1.0, 1.0, 0.5 / 0.7)


@lru_cache(maxsize=None)
def _cap_per_font_size(kind: str, font: str = "") -> float:
    """Height of a capital H per unit of font size, in scene units, for ``Text`` in ``font`` or
    for LaTeX (``kind`` ``"tex"``): measured once, so a change of font is measured too."""
    h = (MathTex("H", font_size=48) if kind == "tex" else Text("H", font=font, font_size=48)).height
    return h / 48


def glyph_px(mob, pixel_height: int = 480) -> float | None:
    """The type size of ``mob`` as the floor sees it: the cap height, in pixels of a
    ``pixel_height`` video, of a capital on its main line, lowered where a script of a script is
    smaller than TeX's first script ratio allows (:data:`_FLOOR_SCALE`). ``None`` when ``mob`` is
    not text. Follows any scaling since the text was made; a flattened text (:func:`flat`) keeps it."""
    px = pixel_height / config.frame_height
    ref = getattr(mob, "glyph_ref", None)
    if ref is not None:  # flattened: (cap px when flattened, height when flattened)
        return ref[0] * (mob.height / ref[1]) if ref[1] > 0 else None
    if isinstance(mob, SingleStringMathTex):
        if not mob.initial_height:  # a \phantom sets no glyph: nothing to read
            return None
        return _cap_per_font_size("tex") * mob.font_size * _FLOOR_SCALE[script_level(mob.tex_string)] * px
    if isinstance(mob, Text):
        if not mob.initial_height:  # blank text: nothing to read
            return None
        return _cap_per_font_size("text", mob.font) * mob.font_size * px
    if isinstance(mob, (SciNumber, FastNumber)) and mob.natural_height > 0:
        return _cap_per_font_size("tex") * mob.font_size_ * (mob.height / mob.natural_height) * px
    return None


def flat(mob, merge: bool = False):
    """The same shapes as plain VMobjects (points and style only).

    A manim ``Text`` takes ~65 ms to copy (it keeps its SVG parsing state), and every
    FadeIn/FadeOut copies its mobject: captions that come and go are flattened first.
    With ``merge`` (one-colour text, e.g. a formula) all shapes become the subpaths of one
    VMobject: one path for Cairo to draw per frame instead of one per glyph.
    """
    sizes = [g for g in (glyph_px(m) for m in mob.get_family()) if g is not None]
    if merge:
        parts = mob.family_members_with_points()
        single = VMobject()
        for part in parts:
            single.append_points(part.points)
        if parts:
            single.match_style(parts[0])
        out = single
    else:
        out = VGroup()
        for part in mob.family_members_with_points():
            plain = VMobject()
            plain.set_points(part.points.copy())
            plain.match_style(part)
            out.add(plain)
    if sizes and out.height > 0:
        out.glyph_ref = (min(sizes), out.height)  # the type size survives flattening (see glyph_px)
    return out


def tex_size(font_size: float, font: str) -> float:
    """The LaTeX font size whose capitals stand as tall as those of Text in ``font`` at ``font_size``
    (Computer Modern sets smaller than the sans at one font size: about 1.36 times is needed), so
    that one size constant means one type size for words and formulas alike."""
    return font_size * _cap_per_font_size("text", font) / _cap_per_font_size("tex")


def math(latex, theme: Theme, font_size: int = FONT_BODY, color=None, **kwargs) -> MathTex:
    """A formula at the type size of running text of ``font_size`` (:func:`tex_size`), never
    below the floor. ``latex`` is one string, or a sequence of terms (the MathTex's parts, which
    :func:`morph_tex` matches)."""
    parts = (latex,) if isinstance(latex, str) else tuple(latex)
    return MathTex(*parts, font_size=tex_size(max(font_size, MIN_FONT_SIZE), theme.font),
                   color=color or theme.foreground, **kwargs)


def title(s: str, theme: Theme) -> Text:
    """A part's heading, top left by convention; tagged ``role = "title"`` (see :func:`tagged`)."""
    return tagged(text(s, theme, FONT_TITLE), "title")


def tagged(mob, role: str):
    """Mark ``mob`` as the frame's ``"caption"`` or ``"title"``: at most one of each may be visible
    at any moment (checked on every part by ``gdx.catalog.dry_render(watch=...)`` in the tests).
    A title stays at the top when the body of the picture moves down (``scenes.part.lower_body``),
    as do a ``"heading"`` (what sits under or beside a title) and a ``"frame"`` (a snapshot of what
    the camera drew)."""
    mob.role = role
    return mob


def panel(mob, theme: Theme, buff: float = 0.2) -> RoundedRectangle:
    """A backing card behind an overlay, so that it reads over a surface or a path."""
    return RoundedRectangle(
        width=mob.width + 2 * buff, height=mob.height + 2 * buff, corner_radius=0.12,
        fill_color=theme.panel, fill_opacity=0.92, stroke_color=theme.faint, stroke_width=1,
    ).move_to(mob)



def morph_tex(source: MathTex, target: MathTex, **kwargs):
    """The animation from one formula to the next that shares terms with it: terms with the same
    LaTeX (a MathTex's parts: pass terms as separate strings) move to their new place, the others
    leave in the first 40 % of the play and the new ones come after (``TransformMatchingTex`` with
    the swap's timing of :func:`scenes.animations.fade_swap`: no text drawn over text). Not a
    mobject: the one animation here, since only formulas built by this module split into terms."""
    from manim import FadeIn as _FadeIn, FadeOut as _FadeOut, TransformMatchingTex

    from ..animations import _in_after, _out_first

    morph = TransformMatchingTex(source, target, **kwargs)
    for i, anim in enumerate(morph.animations):
        # In place, not drifting towards the other formula's terms (over whatever lies between).
        if isinstance(anim, _FadeOut):
            morph.animations[i] = _FadeOut(anim.mobject, rate_func=_out_first)
        elif isinstance(anim, _FadeIn):
            morph.animations[i] = _FadeIn(anim.mobject, rate_func=_in_after)
    morph.build_animations_with_timings()  # (the group times the animations it holds)
    return morph


# ----------------------------------------------------------------------------- numbers


def format_sig(value: float, digits: int = 3) -> str:
    r"""``value`` with ``digits`` significant digits, as LaTeX.

    Plain decimals for :math:`10^{-3} \le |v| < 10^4` (trailing zeros kept: 2.00),
    otherwise :math:`m \times 10^{e}`; non-finite values print as :math:`\infty` or NaN.
    """
    if value is None or (isinstance(value, float) and pymath.isnan(value)):
        return r"\mathrm{NaN}"
    if pymath.isinf(value):
        return r"-\infty" if value < 0 else r"\infty"
    if value == 0:
        return "0"
    exponent = pymath.floor(pymath.log10(abs(value)))
    if -3 <= exponent < 4:
        decimals = max(digits - 1 - exponent, 0)
        s = f"{value:.{decimals}f}"
        # Rounding can carry into a new digit (9.996 -> 10.00): keep the significant count.
        if len(s.replace("-", "").replace(".", "").lstrip("0")) > digits and "." in s:
            s = f"{value:.{max(decimals - 1, 0)}f}"
        return "0" if float(s) == 0 else s
    mantissa = value / 10**exponent
    if round(abs(mantissa), digits - 1) >= 10:
        mantissa /= 10
        exponent += 1
    return f"{mantissa:.{digits - 1}f}" + r"\times 10^{%d}" % exponent


def format_plain(value: float) -> str:
    """:func:`format_sig` for running text (captions, narration): Unicode, not LaTeX (7.89×10⁻³¹)."""
    s = format_sig(float(value))
    if r"\times" in s:
        mantissa, exp = s.split(r"\times 10^{")
        sup = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
        return f"{mantissa}×10{exp.rstrip('}').translate(sup)}"
    return s


def format_short(value: float, digits: int = 6) -> str:
    r"""A value as it was typed (a step size, a start, a hyperparameter), as LaTeX: the shortest
    form with up to ``digits`` significant digits and no trailing zeros (0.001, 0.9, 2.25, 4);
    powers of ten as :math:`10^{-8}` or :math:`5 \cdot 10^{-4}`."""
    s = f"{float(value):.{digits}g}"
    if "e" in s:
        mantissa, exp = s.split("e")
        exp = int(exp)
        return (r"10^{%d}" % exp) if mantissa == "1" else mantissa + r"\cdot 10^{%d}" % exp
    return "0" if s in ("-0", "0") else s


_glyphs: dict[tuple[str, str], VMobject] = {}


def _glyph(token: str) -> VMobject:
    """A cached glyph (font size 48) for a token of a number, as one plain VMobject.

    Compiled by LaTeX once per process; flattened so that copying it, which a changing
    number does for every glyph every frame, is cheap.
    """
    key = ("glyph", token)
    if key not in _glyphs:
        tex = SingleStringMathTex(token, font_size=48)
        flat = VMobject(fill_opacity=1, stroke_width=0)
        for part in tex.family_members_with_points():
            flat.append_points(part.points)
        _glyphs[key] = flat
    return _glyphs[key]


def _tokens(latex: str) -> list[str]:
    """Split a :func:`format_sig` string into digit/sign tokens and one exponent token."""
    if r"\times" in latex:
        mantissa, exp = latex.split(r"\times")
        return list(mantissa) + [r"\times" + exp]
    if latex.startswith("\\"):
        return [latex]
    return list(latex)


def _number_size(font_size: float) -> float:
    """The LaTeX size of a number's glyphs shown at text size ``font_size`` (:func:`tex_size`, never
    below the floor): a number beside a word or a :func:`math` formula of one size stands as tall."""
    return tex_size(max(font_size, MIN_FONT_SIZE), Theme.font)


class SciNumber(VGroup):
    """A number that can change every frame, drawn from cached glyphs (no LaTeX per frame).

    ``.latex`` is the string shown (from :func:`format_sig`), for tests and readouts.
    """

    def __init__(self, value: float, font_size: int = FONT_LABEL, color=None, digits: int = 3, integer: bool = False,
                 **kwargs):
        super().__init__(**kwargs)
        self.font_size_ = _number_size(font_size)
        self.digits = digits
        self.integer = integer  # counts (steps) print exactly
        self.number_color = color
        self.latex = ""
        self.set_value(value)

    def set_value(self, value: float) -> "SciNumber":
        latex = str(int(round(value))) if self.integer else format_sig(float(value), self.digits)
        if latex == self.latex:
            return self
        anchor = self.get_left() if self.submobjects else ORIGIN
        self.latex, self.value = latex, value
        scale = self.font_size_ / 48
        parts = [_glyph(tok).copy().scale(scale) for tok in _tokens(latex)]
        for old in self.get_family()[1:]:
            # The Cairo renderer keeps drawing the members it saw when a play began: empty
            # the old glyphs (the same trick as manim's DecimalNumber.set_value).
            old.points = np.zeros((0, 3))
        self.submobjects = []
        row = VGroup(*parts).arrange(RIGHT, buff=0.001 * self.font_size_, aligned_edge=DOWN)
        for tok, part, nxt in zip(_tokens(latex), parts, parts[1:] + [None]):
            if tok == "-" and nxt is not None:
                # The minus sits at the digits' mid-height, not on the baseline.
                part.align_to(nxt, DOWN).shift(nxt.height * 0.5 * UP - part.height * 0.5 * UP)
        self.add(*row.submobjects)
        if self.number_color is not None:
            self.set_color(self.number_color)
        self.move_to(anchor, LEFT)
        self.natural_height = self.height  # at font_size_: glyph_px follows later scaling
        return self


# ----------------------------------------------------------------------------- readout


class Readout(VGroup):
    """Cells ``label = number`` updated by :meth:`set_step`: a column aligned on the equals
    signs (``layout="column"``), or a grid of ``columns`` cells per row with fixed slots so
    that nothing jumps when a number's width changes (``layout="grid"``).

    ``rows`` is a list of ``(label_latex, values)`` with ``values`` an array indexed by
    step (the run's points, losses, gradient norms); the step cell comes first.
    Subclasses may draw the numbers with another ``number_class`` (same signature as
    :class:`SciNumber`).
    """

    number_class = SciNumber
    buff = 0.12  # between a label, its "=" and its number

    def __init__(self, rows, theme: Theme, font_size: int = FONT_LABEL, step_label: str = r"\text{step}",
                 accent=None, layout: str = "column", columns: int = 2, slot: float = 2.6):
        super().__init__()
        self.theme = theme
        self.series = [np.asarray(values, float) for _, values in rows]
        self.n = len(self.series[0])
        labels = [step_label] + [label for label, _ in rows]
        self.labels = VGroup(*[math(lab, theme, font_size, color=theme.muted) for lab in labels])
        self.equals = VGroup(*[math("=", theme, font_size, color=theme.muted) for _ in labels])
        self.numbers = VGroup(*[self.number_class(0, font_size, color=accent or theme.foreground, integer=(i == 0))
                                for i, _ in enumerate(labels)])
        scale = font_size / FONT_LABEL
        row_height = 0.62 * scale
        for i, (lab, eq, num) in enumerate(zip(self.labels, self.equals, self.numbers)):
            if layout == "grid":
                # Each cell's "=" sits at a fixed x; labels right-aligned to it.
                eq.move_to([(i % columns) * slot * scale, -(i // columns) * row_height, 0])
            else:
                eq.move_to([0, -i * row_height, 0])
            lab.next_to(eq, LEFT, buff=self.buff)
            num.next_to(eq, RIGHT, buff=self.buff)
        self.add(self.labels, self.equals, self.numbers)
        self.step = -1
        self.set_step(0)

    def set_step(self, s: float) -> "Readout":
        k = int(np.clip(np.floor(s + 1e-9), 0, self.n - 1))
        if k == self.step:
            return self
        self.step = k
        values = [k] + [series[k] for series in self.series]
        for num, value, eq in zip(self.numbers, values, self.equals):
            num.set_value(value)
            num.next_to(eq, RIGHT, buff=self.buff)
        return self

    def shown(self) -> list[str]:
        """The strings on screen, step first (for tests)."""
        return [num.latex for num in self.numbers]


class StepCounter(VGroup):
    """``step = k`` for the current step, stopping at ``last`` (a run that has arrived)."""

    def __init__(self, theme: Theme, last: int | None = None, font_size: int = FONT_LABEL,
                 label: str = r"\text{step}", color=None):
        super().__init__()
        self.last = last
        self.label = math(label + " =", theme, font_size, color=theme.muted)
        self.number = SciNumber(0, font_size, color=color or theme.foreground, integer=True)
        self.number.next_to(self.label, RIGHT, buff=0.12)
        self.add(self.label, self.number)
        self.step = None
        self.set_step(0)

    def set_step(self, s: float) -> "StepCounter":
        k = int(np.floor(s + 1e-9))
        if self.last is not None:
            k = min(k, self.last)
        if k != self.step:
            self.step = k
            self.number.set_value(k).next_to(self.label, RIGHT, buff=0.12)
        return self


def legend(entries, theme: Theme, font_size: int = FONT_LABEL) -> VGroup:
    """Rows of a short thick line in a series colour, its label (LaTeX when it looks like math,
    words otherwise) and optionally a number: entries ``(label, color)`` or ``(label, latex, color)``."""
    rows = VGroup()
    for entry in entries:
        label, color = entry[0], entry[-1]
        number = entry[1] if len(entry) == 3 else None
        swatch = Line(ORIGIN, 0.45 * RIGHT, stroke_color=color, stroke_width=TRAIL_WIDTH + 2)
        lab = math(label, theme, font_size) if _looks_like_math(label) else text(label, theme, font_size)
        row = VGroup(swatch, lab.next_to(swatch, RIGHT, buff=0.15))
        if number:
            row.add(math(number, theme, font_size + 4).next_to(lab, RIGHT, buff=0.15))
        rows.add(row)
    rows.arrange(DOWN, aligned_edge=LEFT, buff=0.18)
    return rows


def _looks_like_math(label: str) -> bool:
    return "\\" in label or "$" in label or "=" in label


# ----------------------------------------------------------------------------- update rules


def rule_lines(optimizer, rule=None, theta_latex: str | None = None) -> list[str]:
    r"""The optimizer's update rule (or another form of it, ``rule``: mathcore's SymPy pairs), one
    LaTeX string per line (mathcore's own strings); ``theta_latex`` names the parameters in place of
    :math:`\theta` (``x`` for a one-variable function), as :func:`substituted_rule_lines` does."""
    lines = [rule_line_latex(lhs, rhs) for lhs, rhs in (optimizer.rule if rule is None else rule)]
    return lines if theta_latex is None else [line.replace(r"\theta", theta_latex) for line in lines]


def rule_tex(optimizer, theme: Theme, font_size: int = FONT_BODY, color=None, rule=None,
             theta_latex: str | None = None) -> MathTex:
    r"""The rule as a MathTex, lines aligned on the arrows; ``.source`` is the LaTeX of the lines
    (mathcore's ``optimizer.latex`` for its own rule)."""
    lines = rule_lines(optimizer, rule, theta_latex)
    aligned = [line.replace(r" \leftarrow ", r" &\leftarrow ", 1) for line in lines]
    body = r"\begin{aligned}" + r" \\ ".join(aligned) + r"\end{aligned}" if len(aligned) > 1 else aligned[0]
    tex = math(body, theme, font_size, color=color)
    tex.source = r" \\ ".join(lines)
    return tex


def _vector_latex(values, operand: bool = True) -> str:
    """A number or a column vector; a negative scalar operand gets parentheses (-1.05 * (-11.0))."""
    values = np.atleast_1d(np.asarray(values, float))
    if values.size == 1:
        s = format_sig(float(values[0]))
        return rf"\left({s}\right)" if operand and values[0] < 0 else s
    return r"\begin{pmatrix}" + r" \\ ".join(format_sig(float(v)) for v in values) + r"\end{pmatrix}"


def _matrix_latex(matrix) -> str:
    rows = [" & ".join(format_sig(float(v)) for v in row) for row in np.atleast_2d(matrix)]
    return r"\begin{pmatrix}" + r" \\ ".join(rows) + r"\end{pmatrix}"


# State array of a Trajectory behind each rule symbol, per optimizer family.
_STATE_SYMBOLS = {
    r"\Delta": ("momentum_buffer",),
    "m": ("exp_avg",),
    "v": ("exp_avg_sq", "square_avg"),
    "s": ("sum",),
    r"\hat{v}_{max}": ("max_exp_avg_sq",),
    "a": ("acc_delta",),
}


def substituted_rule_lines(trajectory, k: int, theta_latex: str | None = None) -> list[str]:
    r"""The update rule of step ``k`` -> ``k + 1`` with every symbol replaced by its number.

    Each line reads ``lhs <- rhs(numbers) = new value``. Numbers come from the
    trajectory: the point and gradient the optimizer used at step ``k``, its state
    before the step (or after, for symbols that an earlier line of the same step has just
    updated, as the rule is applied line by line), the learning rate and hyperparameters.
    ``theta_latex`` names the parameters on the left (``x`` for a one-variable function).
    """
    opt = trajectory.optimizer
    hp = opt.hyperparams
    betas = hp.get("betas", (None, None))
    # Rule symbols by their printed name (robust to how mathcore names its Python variables).
    # The learning rate and hyperparameters are typed by a person: printed as typed (0.001,
    # not 0.00100); the step count is exact.
    scalars = {r"\eta": trajectory.lrs[k], "t": k + 1, r"\mu": hp.get("momentum"), r"\beta_1": betas[0],
               r"\beta_2": betas[1], r"\alpha": hp.get("alpha"), r"\rho": hp.get("rho"),
               r"\lambda": hp.get("weight_decay"), r"\epsilon": hp.get("eps")}
    symbols = {str(sym): sym for lhs, rhs in opt.rule for sym in (rhs.free_symbols | lhs.free_symbols)}
    names = {symbols[key]: (f"{float(val):g}" if key != r"\epsilon" else format_sig(float(val)))
             for key, val in scalars.items() if key in symbols and val is not None}
    theta, g = symbols.get(r"\theta"), symbols.get("g")
    if theta is not None:
        names[theta] = _vector_latex(trajectory.points[k])
    if g is not None:
        names[g] = _vector_latex(trajectory.update_grads[k])
    if opt.needs_hessian and "H" in symbols:
        hess = trajectory.surface.hess(np.asarray(trajectory.points[k], float))
        names[symbols["H"]] = _matrix_latex(hess)
    state_of = {}
    for lhs, _ in opt.rule:
        if lhs == theta:
            continue
        for key in _STATE_SYMBOLS.get(str(lhs), ()):
            if key in trajectory.state:
                state_of[lhs] = trajectory.state[key]
                break
        if lhs in state_of:
            names[lhs] = _vector_latex(state_of[lhs][k])
    lines = []
    for lhs, rhs in opt.rule:
        rhs_latex = sp.latex(rhs, symbol_names=names, order="none", mul_symbol="dot")
        new = trajectory.points[k + 1] if lhs == theta else (state_of[lhs][k + 1] if lhs in state_of else None)
        lhs_latex = theta_latex if (lhs == theta and theta_latex) else sp.latex(lhs)
        line = lhs_latex + r" \leftarrow " + rhs_latex
        if new is not None:
            line += " = " + _vector_latex(new, operand=False)
            names[lhs] = _vector_latex(new)
        lines.append(line)
    return lines


def substituted_rule_tex(trajectory, k: int, theme: Theme, font_size: int = FONT_LABEL, color=None,
                         theta_latex: str | None = None) -> MathTex:
    """:func:`substituted_rule_lines` as one MathTex, lines aligned on the arrows."""
    lines = [line.replace(r" \leftarrow ", r" &\leftarrow ", 1)
             for line in substituted_rule_lines(trajectory, k, theta_latex)]
    body = r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"
    tex = math(body, theme, font_size, color=color)
    tex.step = k
    return tex


# ----------------------------------------------------------------------------- tables


def hyperparam_text(optimizer, lr=None) -> str:
    r"""The optimizer's hyperparameters as LaTeX: :math:`\eta` and the ones that differ from plain defaults."""
    hp = optimizer.hyperparams
    parts = [r"\eta = " + format_short(hp["lr"] if lr is None else lr)]
    if hp.get("momentum"):
        parts.append(r"\mu = " + format_short(hp["momentum"]))
    if "alpha" in hp:
        parts.append(r"\alpha = " + format_short(hp["alpha"]))
    if "betas" in hp:
        b1, b2 = hp["betas"]
        parts.append(r"\beta = (" + format_short(b1) + ", " + format_short(b2) + ")")
    return r",\ ".join(parts)


class Scoreboard(VGroup):
    """A table: one row per run, ranked; columns name, [settings], steps to ``f <= tol``, final ``f``.

    ``rows`` is a list of ``(label, color, steps_or_None, final_loss)`` or, with a settings
    column, ``(label, color, steps_or_None, final_loss, settings_latex)``. Runs that reach
    the tolerance rank by steps, the others after them by final loss. ``.cells[i]`` holds
    the strings shown in ranked row ``i`` (label, steps, final), for tests. A label that starts
    with a backslash is LaTeX already (``\\textsf{GD}\\ \\eta = 0.1``).
    """

    def __init__(self, rows, theme: Theme, tol: float, budget: int, font_size: int = FONT_LABEL, gap: bool = False):
        super().__init__()
        order = sorted(range(len(rows)), key=lambda i: (rows[i][2] is None, rows[i][2] or 0, rows[i][3]))
        self.order = order
        settings = all(len(r) > 4 for r in rows)
        head = [math(r"\phantom{0}", theme, font_size)]
        if settings:
            head.append(math(r"\textsf{settings}", theme, font_size, color=theme.muted))
        goal = r"f - f^* \le " if gap else r"f \le "  # ``gap``: the steps count to within tol of f*
        head += [math(r"\textsf{steps to } " + goal + format_sig(tol, 1), theme, font_size, color=theme.muted),
                 math(r"f \textsf{ after } %d" % budget, theme, font_size, color=theme.muted)]
        self.cells = []
        grid = [head]
        for i in order:
            label, color, steps, final = rows[i][:4]
            steps_s = str(steps) if steps is not None else "-"
            final_s = format_sig(float(final))
            self.cells.append((label, steps_s, final_s))
            row = [math(label if label.startswith("\\") else r"\textsf{%s}" % label, theme, font_size, color=color)]
            if settings:
                row.append(math(rows[i][4], theme, font_size, color=theme.muted))
            row += [math(steps_s if steps is not None else r"\textsf{--}", theme, font_size),
                    math(final_s, theme, font_size)]
            grid.append(row)
        n_cols = len(head)
        widths = [max(row[c].width for row in grid) for c in range(n_cols)]
        gap = 0.6
        col_x = [0.0]
        for c in range(1, n_cols):
            col_x.append(col_x[-1] + widths[c - 1] + gap)
        row_h = 0.6 * font_size / FONT_LABEL
        numeric = range(n_cols - 2, n_cols)
        for r, row in enumerate(grid):
            y = -r * row_h - (0.15 if r else 0.0)
            for c, cell in enumerate(row):
                if c in numeric:  # numbers right-aligned under their headers' right edge
                    cell.move_to([col_x[c] + widths[c], y, 0], aligned_edge=RIGHT)
                else:
                    cell.move_to([col_x[c], y, 0], aligned_edge=LEFT)
        self.rule = Line([col_x[0], -0.5 * row_h - 0.05, 0], [col_x[-1] + widths[-1], -0.5 * row_h - 0.05, 0],
                         stroke_color=theme.faint, stroke_width=2)
        self.rows = VGroup(*[VGroup(*row) for row in grid])
        self.add(self.rule, self.rows)


# ----------------------------------------------------------------------------- fast numbers


_GLYPHS: dict[str, tuple] = {}


def _glyph_shape(token: str) -> tuple:
    """(points, width, height, left, bottom) of a number token at font size 48, merged into
    one outline array (each glyph outline stays its own closed subpath)."""
    if token not in _GLYPHS:
        glyph = _glyph(token)
        members = glyph.family_members_with_points()
        pts = np.concatenate([m.points for m in members]) if members else np.zeros((0, 3))
        left, bottom = glyph.get_left()[0], glyph.get_bottom()[1]
        _GLYPHS[token] = (pts, glyph.width, glyph.height, left, bottom)
    return _GLYPHS[token]


class FastNumber(VMobject):
    """A number shown like :class:`~scenes.mobjects.SciNumber` (same rounding, same glyphs,
    same layout) but as one VMobject whose points are replaced on change: no glyph is copied
    per frame, and in a 3D scene it stays registered as fixed in the frame.
    """

    def __init__(self, value: float, font_size: int = FONT_LABEL, color=None, digits: int = 3, integer: bool = False,
                 **kwargs):
        super().__init__(stroke_width=0, fill_opacity=1.0, **kwargs)
        self.integer = integer
        self.font_size_ = _number_size(font_size)
        self.digits = digits
        self.set_fill(color or "#FFFFFF", opacity=1.0)
        self.latex = ""
        self.value = None
        self.set_value(value)

    def set_value(self, value: float) -> "FastNumber":
        latex = str(int(round(value))) if self.integer else format_sig(float(value), self.digits)
        if latex == self.latex:
            return self
        anchor = self.get_left() if self.has_points() else None
        self.latex, self.value = latex, value
        scale = self.font_size_ / 48
        buff = 0.001 * self.font_size_
        tokens = _tokens(latex)
        shapes = [_glyph_shape(t) for t in tokens]
        parts, x = [], 0.0
        for k, (tok, (pts, w, h, left, bottom)) in enumerate(zip(tokens, shapes)):
            dy = 0.0
            if tok == "-" and k + 1 < len(shapes):
                # The minus sits at the next glyph's mid-height, not on the baseline.
                nh = shapes[k + 1][2]
                dy = (nh * 0.5 - h * 0.5)
            shift = np.array([x - left, -bottom + dy, 0.0])
            parts.append((pts + shift) * scale)
            x += w + buff / scale
        points = np.concatenate(parts) if parts else np.zeros((0, 3))
        self.set_points(points)
        if anchor is not None:
            self.move_to(anchor, LEFT)
        self.natural_height = self.height  # at font_size_: glyph_px follows later scaling
        return self


class FastReadout(Readout):
    """:class:`~scenes.mobjects.Readout` (rows ``label = number`` aligned on the equals
    signs, ``set_step``, ``shown``) with :class:`FastNumber` digits."""

    number_class = FastNumber
    buff = 0.15

    def __init__(self, rows, theme: Theme, font_size: int = FONT_LABEL, step_label: str = r"\textsf{step}",
                 accent=None):
        super().__init__(rows, theme, font_size, step_label=step_label, accent=accent)


__all__ = ["text", "flat", "math", "title", "panel", "format_sig", "SciNumber", "Readout", "StepCounter", "legend", "rule_lines",
           "rule_tex", "substituted_rule_lines", "substituted_rule_tex", "hyperparam_text", "tagged",
           "Scoreboard", "FastNumber", "FastReadout", "format_plain", "format_short",
           "glyph_px", "script_level", "tex_size", "morph_tex"]
