"""Fuzzing mathcore's inputs: awkward formulas with every optimizer, and the command line.

For every input: a truthful result (finite numbers, or a labelled stop) or one line of
error with exit status 2, never a traceback, never a silently wrong number.
"""

import io
import math
import sys
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import mathcore as mc
from mathcore.__main__ import main

NON_SMOOTH = ["abs(x) + abs(y)", "abs(x - 1)*y + y**2", "sqrt(x**2 + y**2)", "abs(sin(3*x)) + y**2"]
PARTIAL = ["sqrt(x) + y**2", "log(x) + y**2", "log(-x) + y**2", "1/x + y**2", "x**0.5 + (y - 1)**2",
           "log(x*y)"]
COMPLEX = ["sqrt(-1)*x", "log(-1)*x", "(-1)**0.5 + x**2 + y**2", "(-2)**(1/2)*x + y", "x*(-8)**(1/3) + y**2"]


def cli(*args):
    out, err = io.StringIO(), io.StringIO()
    old = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        code = main([str(a) for a in args])
    finally:
        sys.stdout, sys.stderr = old
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("formula", NON_SMOOTH + PARTIAL)
def test_awkward_formulas_with_every_optimizer_are_truthful(formula):
    surface = mc.custom_surface(formula)
    for name in mc.OPTIMIZERS:
        if name == "newton" and not mc.symbolic.is_smooth(surface.expr):
            with pytest.raises(ValueError, match="newton"):
                mc.run(surface, name, [0.5, 0.5], 30)
            continue
        traj = mc.run(surface, name, [0.5, 0.5], 30, lr=0.05)
        assert traj.status in mc.STATUS_MESSAGES
        assert traj.n_steps == len(traj.losses) - 1
        finite = np.isfinite(traj.losses).all() and np.isfinite(traj.points).all()
        if traj.status != "diverged":  # a run that goes on has real, finite numbers at every step
            assert finite, (formula, name, traj.losses[-3:])
        else:  # a diverged run stops at the first step that is not finite, or out of the bound
            assert np.isfinite(traj.losses[:-1]).all()


@pytest.mark.parametrize("formula", COMPLEX)
def test_complex_valued_formulas_are_refused_everywhere(formula):
    with pytest.raises(mc.FormulaError, match="not a real number|complex|not real"):
        mc.custom_surface(formula)
    code, out, err = cli("trajectory", "--surface", formula, "--optimizer", "gd", "--start", "1,1", "--steps", 3)
    assert code == 2 and out == "" and err.count("\n") == 1 and "Traceback" not in err


def test_a_run_leaving_where_f_is_real_is_diverged_at_that_step():
    traj = mc.run(mc.custom_surface("log(x) + y**2"), "gd", [0.5, 0.5], 100, lr=1.0)
    assert traj.status == "diverged" and not np.isfinite(traj.losses[-1])
    assert traj.n_steps < 100


ARGUMENT = st.one_of(
    st.sampled_from(["trajectory", "describe", "surfaces", "--surface", "--optimizer", "--start", "--steps", "--lr",
                     "--hp", "--format", "--domain", "--seed", "--batch-size", "rosenbrock", "himmelblau",
                     "x**2 + y**2", "sqrt(-1)*x", "adam", "gd", "newton", "json", "csv", "text", "1,1", "-1,2",
                     "0,5,0,5", "5,0,0,5", "momentum=0.9", "betas=nan,1", "amsgrad=5", "10**100", "-1", "0",
                     "100001", "nan", "inf", "1e-3", "abs(x)+y**2", "x" * 400]),
    st.text(max_size=12),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(args=st.lists(ARGUMENT, max_size=8))
def test_any_command_line_is_a_result_or_one_error_line(args):
    started = time.perf_counter()
    code, out, err = cli(*args)
    assert time.perf_counter() - started < 20
    assert code in (0, 2), (args, code, err)
    assert "Traceback" not in err
    if code == 2:
        assert out == "" and err.count("\n") == 1 and len(err) < 600, (args, err)
    elif out.lstrip().startswith("{"):  # JSON output: real numbers or null, never NaN
        assert "NaN" not in out and "Infinity" not in out


@settings(max_examples=60, deadline=None)
@given(a=st.floats(-5, 5), b=st.floats(-5, 5), lr=st.floats(1e-4, 3), name=st.sampled_from(list(mc.OPTIMIZERS)))
def test_any_start_and_rate_give_finite_or_labelled_runs(a, b, lr, name):
    traj = mc.run("himmelblau", name, [a, b], 40, lr=lr)
    assert traj.status in mc.STATUS_MESSAGES
    if traj.status != "diverged":
        assert np.isfinite(traj.losses).all() and all(math.isfinite(v) for v in traj.points[-1])


def test_control_characters_in_arguments_stay_on_one_line():
    """Found by the fuzz test above: an argument '\\n' broke the one-line error in two."""
    code, out, err = cli("surfaces", "\n")
    assert code == 2 and err == "mathcore: error: unrecognized arguments: \\n\n"
