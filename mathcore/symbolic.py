"""Symbolic layer: a safe formula parser, derivatives, LaTeX and NumPy functions.

Every formula in the project starts here as one SymPy expression. From it SymPy derives
the gradient and the Hessian, ``sympy.latex`` gives what the viewer reads and
``sympy.lambdify`` gives NumPy functions that evaluate a point or a whole array of points.
"""

from __future__ import annotations

import ast
import math
import re

import numpy as np
import sympy as sp


class FormulaError(ValueError):
    """A formula string that the safe parser refuses."""


class sigmoid(sp.Function):
    r"""The logistic function :math:`\sigma(z) = 1 / (1 + e^{-z})`.

    Kept as a named function so that derivatives print as the textbook
    :math:`\sigma(z)(1 - \sigma(z))` instead of a tower of exponentials.
    """

    def fdiff(self, argindex=1):
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, z, **kwargs):
        return 1 / (1 + sp.exp(-z))

    def _latex(self, printer, exp=None):
        arg = printer._print(self.args[0])
        base = r"\sigma\left(" + arg + r"\right)"
        return base if exp is None else base + "^{" + exp + "}"


def _np_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# Functions a user formula may call, by the name the user types.
ALLOWED_FUNCTIONS = {
    "sin": sp.sin, "cos": sp.cos, "tan": sp.tan,
    "exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt,
    "tanh": sp.tanh, "sinh": sp.sinh, "cosh": sp.cosh,
    "atan": sp.atan, "abs": sp.Abs, "sigmoid": sigmoid,
}
ALLOWED_CONSTANTS = {"pi": sp.pi, "e": sp.E}
MAX_FORMULA_LENGTH = 300
MAX_DEPTH = 20
MAX_EXPONENT = 10
MAX_NUMBER = 1e6

_BINOPS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}


def _shorten(text: str, limit: int = 60) -> str:
    """A formula fragment fit for a one-line message."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def one_line(message: str) -> str:
    """``message`` with control characters escaped (a newline typed as an argument is shown
    as ``\\n``), so an error is always exactly one line."""
    return re.sub(r"[\x00-\x1f\x7f]", lambda m: repr(m.group())[1:-1], message)


def brief(value, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters: how a message echoes what the user typed
    (a 100 kB formula or a 5,000-deep array is never echoed whole)."""
    try:
        text = repr(value)
    except RecursionError:
        text = f"<a {type(value).__name__} nested too deeply to show>"
    return _shorten(text, limit)


def parse_formula(text: str, variables: tuple[str, ...] = ("x", "y")) -> sp.Expr:
    """Parse a user formula such as ``"x**2 + 3*sin(y)"`` without ``eval``.

    The text is parsed by Python's ``ast`` and every node is checked against a whitelist:
    numbers, the given variable names, ``pi``, ``e``, ``+ - * / **``, unary minus and calls
    to :data:`ALLOWED_FUNCTIONS`. The SymPy expression is built from the checked tree, so
    nothing in the text is ever executed. Exponents must be numbers with
    ``|p| <= MAX_EXPONENT`` (``9**9**9`` is refused at once instead of hanging).

    Raises :class:`FormulaError` with a one-line reason.
    """
    if not isinstance(text, str):
        raise FormulaError(f"formula must be a string, got {type(text).__name__}")
    if len(text) > MAX_FORMULA_LENGTH:
        raise FormulaError(f"formula is {len(text)} characters long; at most {MAX_FORMULA_LENGTH} are accepted")
    if not text.strip():
        raise FormulaError("formula is empty")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"formula {text!r} is not valid syntax ({exc.msg})") from None
    symbols = {name: sp.Symbol(name, real=True) for name in variables}
    accepted = (
        f"accepted: numbers, variables {', '.join(variables)}, constants pi and e, "
        f"+ - * / **, and the functions {', '.join(sorted(ALLOWED_FUNCTIONS))}"
    )

    def build(node: ast.AST, depth: int) -> sp.Expr:
        expr = build_node(node, depth)
        # A formula must be real-valued: sqrt(-1), log(-1) or (-8)**(1/3) are complex numbers to
        # SymPy, and NumPy would silently drop their imaginary parts.
        if expr.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
            return expr  # undefined, refused below with its own message
        if expr.has(sp.I) or (expr.is_number and expr.is_real is False):
            shown = _shorten(ast.unparse(node))
            value = f" = {sp.N(expr, 4)}" if expr.is_number else ""
            raise FormulaError(f"{shown!r}{value} is not a real number; accepted: formulas with real values for real "
                               f"{', '.join(variables)} (sqrt and log of negative numbers are complex)")
        return expr

    def build_node(node: ast.AST, depth: int) -> sp.Expr:
        if depth > MAX_DEPTH:
            raise FormulaError(f"formula nests deeper than {MAX_DEPTH} levels")
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            if abs(node.value) > MAX_NUMBER:
                raise FormulaError(f"number {node.value!r} is too large; |n| <= {MAX_NUMBER:g} is accepted")
            return sp.nsimplify(node.value, rational=True) if isinstance(node.value, float) else sp.Integer(node.value)
        if isinstance(node, ast.Name):
            if node.id in symbols:
                return symbols[node.id]
            if node.id in ALLOWED_CONSTANTS:
                return ALLOWED_CONSTANTS[node.id]
            raise FormulaError(f"unknown name {node.id!r} in formula; {accepted}")
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = build(node.operand, depth + 1)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            left = build(node.left, depth + 1)
            right = build(node.right, depth + 1)
            if isinstance(node.op, ast.Pow):
                if not right.is_number:
                    raise FormulaError("exponents must be numbers (use exp() for e**x)")
                if right.is_finite is not True or right.is_real is not True:
                    raise FormulaError(f"exponent {ast.unparse(node.right)!r} is not a finite real number "
                                       "(division by zero?); accepted: a real number")
                if abs(float(right)) > MAX_EXPONENT:
                    raise FormulaError(f"exponent {right} is too large; |p| <= {MAX_EXPONENT} is accepted")
                # A number raised to a number is evaluated exactly by SymPy: bound its size first.
                if left.is_number and abs(float(right)) * math.log10(max(abs(complex(left)), 1e-300)) > 300:
                    raise FormulaError(f"{ast.unparse(node)!r} is too large a number")
            return _BINOPS[type(node.op)](left, right)
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else None
            if name in ALLOWED_FUNCTIONS and (node.keywords or len(node.args) != 1):
                raise FormulaError(f"{name} takes one argument, as in {name}(x); got {_shorten(ast.unparse(node))!r}")
            if name not in ALLOWED_FUNCTIONS:
                shown = name or ast.unparse(node.func)
                raise FormulaError(f"call to {shown!r} is not allowed; {accepted}")
            return ALLOWED_FUNCTIONS[name](build(node.args[0], depth + 1))
        raise FormulaError(f"{ast.unparse(node)!r} is not allowed in a formula; {accepted}")

    expr = build(tree.body, 0)
    if expr.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        raise FormulaError(f"formula {text!r} is undefined somewhere it was simplified (division by zero?)")
    if not expr.free_symbols <= set(symbols.values()):
        raise FormulaError(f"formula uses unknown symbols {sorted(map(str, expr.free_symbols))}")
    return expr


def gradient(expr: sp.Expr, variables) -> list[sp.Expr]:
    """:math:`\\nabla f = (\\partial f/\\partial v_1, \\dots)` as SymPy expressions."""
    return [sp.diff(expr, v) for v in variables]


def hessian(expr: sp.Expr, variables) -> sp.Matrix:
    """:math:`H_{ij} = \\partial^2 f / \\partial v_i \\partial v_j`."""
    return sp.hessian(expr, variables)


def _np_dirac_delta(z, k=0):
    """The derivative of sign(z) (from abs()) away from 0, where it is 0: the Hessian of a
    non-smooth formula is that of its smooth pieces."""
    return np.zeros_like(np.asarray(z, dtype=float))


_MODULES = [{"sigmoid": _np_sigmoid, "DiracDelta": _np_dirac_delta}, "numpy"]


def is_smooth(expr: sp.Expr) -> bool:
    """No abs() (or other kink) whose second derivative is a Dirac delta."""
    return not any(sp.diff(expr, v, 2).has(sp.DiracDelta) for v in expr.free_symbols) and not expr.has(sp.Abs)


def vectorize(exprs, variables, extra=()):
    """Lambdify an expression, a list (gradient) or a Matrix (Hessian) into one NumPy function.

    The returned function takes ``p`` with the coordinates on axis 0 (shape ``(d, ...)``,
    as in ``scipy.optimize.rosen``) followed by the values of the ``extra`` symbols, and
    returns an array of shape ``shape(exprs) + broadcast shape``. Constant entries are
    broadcast, so a Hessian with constant entries still evaluates on a meshgrid.
    """
    if isinstance(exprs, sp.MatrixBase):
        shape, flat = exprs.shape, list(exprs)
    elif isinstance(exprs, (list, tuple)):
        shape, flat = (len(exprs),), list(exprs)
    else:
        shape, flat = (), [exprs]
    funcs = [sp.lambdify((*variables, *extra), e, modules=_MODULES) for e in flat]

    def evaluate(p, *extra_values):
        p = np.asarray(p, dtype=float)
        # One point is evaluated as a batch of one: on 0-d values NumPy computes x**2 with C
        # pow, on arrays with an exact square, and a point must give the bits a batch gives.
        single = p.ndim == 1 and not extra_values
        args = (*(p[:, None] if single else p), *extra_values)
        values = np.broadcast_arrays(*(f(*args) for f in funcs), *args)[: len(funcs)]
        out = np.stack(values).reshape(shape + values[0].shape) if shape else values[0]
        out = np.asarray(out, dtype=float)
        return out[..., 0] if single else out

    return evaluate


def taylor(expr: sp.Expr, variable, point, order: int) -> sp.Expr:
    r"""Taylor polynomial :math:`\sum_{k \le n} f^{(k)}(a) (v - a)^k / k!` of ``expr`` about ``point``."""
    return sp.series(expr, variable, point, order + 1).removeO()


def taylor_function(expr: sp.Expr, variable, point, order: int):
    """:func:`taylor` as a NumPy function of ``variable`` (a number or an array of numbers)."""
    return sp.lambdify(variable, taylor(expr, variable, point, order), modules=_MODULES)


def chain_rule(outer: sp.Expr, inner: sp.Expr, u, x) -> dict:
    r"""The chain rule for :math:`h(x) = g(f(x))`, ``outer`` :math:`g(u)` and ``inner`` :math:`f(x)`:
    ``h``, ``d_outer`` :math:`g'(u)`, ``d_inner`` :math:`f'(x)`, ``product`` :math:`g'(f(x))\, f'(x)`
    and ``dh``, SymPy's :math:`h'(x)`, which equals the product (checked)."""
    h = outer.subs(u, inner)
    d_outer, d_inner = sp.diff(outer, u), sp.diff(inner, x)
    product = d_outer.subs(u, inner) * d_inner
    dh = sp.diff(h, x)
    if sp.simplify(product - dh) != 0:
        raise ArithmeticError(f"the chain rule's product {product} differs from d/dx {h} = {dh}")
    return {"h": h, "inner": inner, "outer": outer, "d_outer": d_outer, "d_inner": d_inner, "product": product,
            "dh": dh}


def latex(expr) -> str:
    """LaTeX of an expression or matrix, as MathTex will typeset it."""
    return sp.latex(expr)
