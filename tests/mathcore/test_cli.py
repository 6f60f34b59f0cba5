"""python -m mathcore: output formats, negative starts, and one-line errors with exit 2."""

import csv
import io
import json
import subprocess
import sys

import numpy as np
import pytest

import mathcore as mc
from mathcore.__main__ import main


def cli(*args):
    out, err = io.StringIO(), io.StringIO()
    old = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        code = main(list(args))
    finally:
        sys.stdout, sys.stderr = old
    return code, out.getvalue(), err.getvalue()


def test_surfaces_lists_every_surface_with_its_gradient():
    code, out, _ = cli("surfaces")
    assert code == 0
    for name in mc.SURFACES:
        assert f"{name}: f(" in out
    assert "d/dx = -400*x*(-x**2 + y) + 2*x - 2" in out


@pytest.mark.parametrize("start", [["--start", "-2,-2"], ["--start=-2,-2"]])
def test_trajectory_csv_with_negative_start(start):
    code, out, err = cli("trajectory", "--surface", "sigmoid-error", "--optimizer", "gd", "--lr", "1",
                         "--steps", "1000", *start)
    assert code == 0 and err == ""
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][:4] == ["step", "x", "y", "loss"]
    assert len(rows) == 1002 and rows[1][:3] == ["0", "-2.0", "-2.0"]
    expected = mc.run("sigmoid-error", "gd", [-2, -2], 1000, 1.0)
    np.testing.assert_array_equal(np.array([[float(v) for v in r[1:3]] for r in rows[1:]]), expected.points)
    w, b = float(rows[-1][1]), float(rows[-1][2])
    assert round(w, 2) == 1.79 and round(b, 2) == -2.28


def test_trajectory_json_with_hyperparameters():
    code, out, _ = cli("trajectory", "--surface", "rosenbrock", "--optimizer", "adam", "--lr", "0.01",
                       "--steps", "5", "--start", "-1.5,2", "--hp", "betas=0.8,0.99", "--hp", "amsgrad=true",
                       "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["hyperparams"]["betas"] == [0.8, 0.99] and data["hyperparams"]["amsgrad"] is True
    assert data["hyperparams"]["lr"] == data["lr"] == 0.01  # the rate used, not the default
    assert len(data["trajectory"]) == 6 and data["trajectory"][0] == {"step": 0, "x": -1.5, "y": 2.0,
                                                                      "loss": pytest.approx(12.5),
                                                                      "gap": pytest.approx(12.5)}
    opt = mc.make_optimizer("adam", betas=(0.8, 0.99), amsgrad=True)
    ref = mc.run("rosenbrock", opt, [-1.5, 2], 5, 0.01)
    assert data["trajectory"][-1]["x"] == ref.x[0]


def test_formula_surface_and_one_variable_surface():
    code, out, _ = cli("trajectory", "--surface", "x**2 + 3*sin(y)", "--optimizer", "gd", "--lr", "0.1",
                       "--steps", "2", "--start", "1,1")
    assert code == 0 and out.splitlines()[1].startswith("0,1.0,1.0,")
    code, out, _ = cli("trajectory", "--surface", "parabola", "--optimizer", "gd", "--lr", "0.1",
                       "--steps", "2", "--start", "5")
    assert out.splitlines()[:3] == ["step,x,loss,grad_norm,gap", "0,5.0,25.0,10.0,25.0",
                                   "1,4.0,16.0,8.0,16.0"]


@pytest.mark.parametrize("args, fragment", [
    (["--surface", "nope"], "unknown surface 'nope'; accepted: rosenbrock"),
    (["--optimizer", "sgdd"], "unknown optimizer 'sgdd'; accepted: gd, momentum"),
    (["--lr", "0"], "invalid --lr '0'; accepted: a number > 0"),
    (["--lr", "-0.5"], "invalid --lr '-0.5'"),
    (["--lr", "abc"], "invalid --lr 'abc'"),
    (["--steps", "0"], "invalid --steps '0'"),
    (["--steps", "1.5"], "invalid --steps '1.5'"),
    (["--start", "1"], "invalid --start '1'; accepted: 2 finite numbers"),
    (["--start", "-1,nan"], "invalid --start '-1,nan'"),
    (["--start", "a,b"], "invalid --start 'a,b'"),
    (["--hp", "foo=1"], "unknown hyperparameter 'foo' for adam; accepted: betas"),
    (["--hp", "betas"], "invalid --hp 'betas'"),
    (["--hp", "betas=0.9"], "invalid betas 0.9"),
    (["--hp", "eps=-1"], "invalid eps -1"),
    (["--hp", "lr=0.1"], "unknown hyperparameter 'lr'"),
    (["--surface", "__import__('os').system('echo hacked')"], "is not allowed"),
    (["--surface", "().__class__.__base__"], "is not allowed in a formula"),
    (["--surface", "9**9**9"], "too large"),
    (["--format", "xml"], "invalid choice: 'xml'"),
    (["--batch-size", "4"], "batch_size needs a data-based loss"),
])
def test_bad_input_is_one_line_and_exit_2(args, fragment):
    base = {"--surface": "rosenbrock", "--optimizer": "adam", "--start": "1,1"}
    argv = ["trajectory"]
    for key, value in base.items():
        if key not in args:
            argv += [key, value]
    code, out, err = cli(*argv, *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("mathcore: error: ")
    assert fragment in err


def test_missing_arguments_and_unknown_command():
    for argv in (["trajectory", "--surface", "bowl"], ["fly"], []):
        code, out, err = cli(*argv)
        assert code == 2 and out == "" and err.count("\n") == 1


def test_module_entry_point_exit_status_and_no_traceback():
    proc = subprocess.run([sys.executable, "-m", "mathcore", "trajectory", "--surface", "bowl",
                           "--optimizer", "gd", "--lr", "-1", "--start", "-1,-1"], capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stdout == "" and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == "mathcore: error: invalid --lr '-1'; accepted: a number > 0"


def test_describe_json_and_text():
    code, out, err = cli("describe", "--surface", "x**4 - 4*x**2 + y**2 + 0.5*x", "--format", "json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["domain"] == [[-2.5, 2.5], [-2.5, 2.5]]
    assert [round(m["f"], 2) for m in data["minima"]] == [-4.71, -3.3]
    assert [m["global"] for m in data["minima"]] == [True, False] and len(data["saddles"]) == 1
    assert data["f_min"] == data["minima"][0]["f"] and data["levels"][0] == data["f_min"]
    facts = mc.get_surface("x**4 - 4*x**2 + y**2 + 0.5*x").facts
    assert data["learning_rates"]["right"] == facts.learning_rates["right"] and data["start"] == list(facts.start)
    code, out, _ = cli("describe", "--surface", "himmelblau", "--domain", "0,5,0,5")
    assert code == 0 and "domain: [0, 5] x [0, 5]" in out and "minima: 1\n  (3, 2)  f = 0  [global]" in out
    code, out, _ = cli("describe", "--surface", "parabola", "--domain=-2,2", "--format", "json")
    assert code == 0 and json.loads(out)["minima"] == [{"x": 0.0, "f": 0.0, "global": True, "degenerate": False}]


def test_trajectory_over_a_domain_reports_gap_and_minimum():
    code, out, _ = cli("trajectory", "--surface", "himmelblau", "--domain", "-5,0,0,5", "--optimizer", "gd",
                       "--lr", "0.01", "--start", "-1,1", "--steps", "200", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["domain"] == [[-5.0, 0.0], [0.0, 5.0]] and data["f_min"] == pytest.approx(0, abs=1e-12)
    assert data["ended_in"]["x"] == pytest.approx(-2.805118, abs=1e-6) and data["ended_in"]["global"] is True
    assert data["trajectory"][-1]["gap"] == pytest.approx(data["trajectory"][-1]["loss"], abs=1e-12)
    assert data["status"] == "max_steps" and data["success"] is False
    code, out, _ = cli("trajectory", "--surface", "saddle", "--optimizer", "gd", "--start", "1,0.5", "--steps", "2",
                       "--format", "json")
    assert json.loads(out)["f_min"] is None and json.loads(out)["trajectory"][0]["gap"] is None


@pytest.mark.parametrize("argv, fragment", [
    (["describe", "--surface", "bowl", "--domain", "3,1,0,1"], "invalid --domain '3,1,0,1'; accepted: XMIN,XMAX"),
    (["describe", "--surface", "bowl", "--domain", "0,1,0"], "invalid --domain '0,1,0'"),
    (["describe", "--surface", "bowl", "--domain", "0,1,0,nan"], "invalid --domain '0,1,0,nan'"),
    (["describe", "--surface", "parabola", "--domain", "0,1,0,1"], "parabola takes 2 numbers (XMIN,XMAX)"),
    (["describe", "--surface", "bowl", "--domain", "0,1e9,0,1"], "coordinates within +-1e6"),
    (["describe", "--surface", "bowl", "--format", "yaml"], "invalid choice: 'yaml'"),
    (["describe", "--surface", "x**"], "invalid --surface: formula 'x**' is not valid syntax"),
    (["describe", "--surface", "nope"], "unknown surface 'nope'"),
    (["trajectory", "--surface", "bowl", "--optimizer", "gd", "--start", "1,1", "--domain", "a,b,c,d"],
     "invalid --domain 'a,b,c,d'"),
])
def test_describe_and_domain_errors_are_one_line(argv, fragment):
    code, out, err = cli(*argv)
    assert code == 2 and out == "" and err.count("\n") == 1 and fragment in err, err


def test_readme_describe_outputs_are_the_real_ones():
    """Every `$ python -m mathcore describe ...` block in the README shows what the command prints."""
    import pathlib
    import shlex

    text = (pathlib.Path(__file__).parents[2] / "README.md").read_text()
    blocks = text.split("$ python -m mathcore describe ")[1:]
    assert len(blocks) >= 2
    for block in blocks:
        command, _, rest = block.partition("\n")
        shown = rest.split("\n$ ")[0].split("\n```")[0]
        code, out, _ = cli("describe", *shlex.split(command.split("#")[0]))
        assert code == 0 and out.rstrip("\n") == shown.rstrip("\n"), command


@pytest.mark.parametrize("argv, fragment", [
    (["--seed", "-1"], "invalid --seed '-1'; accepted: an integer >= 0"),
    (["--steps", "-3"], "invalid --steps '-3'"),
    (["--steps", "1000001"], "invalid --steps '1000001'; accepted: an integer from 1 to 100000"),
    (["--surface", "sin(x, y)"], "sin takes one argument, as in sin(x); got 'sin(x, y)'"),
    (["--surface", "sqrt(-1)*x"], "'sqrt(-1)' = 1.0*I is not a real number"),
    (["--optimizer", "newton", "--surface", "abs(x) + y**2"], "newton needs a twice-differentiable formula"),
])
def test_more_one_line_errors(argv, fragment):
    base = {"--surface": "bowl", "--optimizer": "gd", "--start": "1,1"}
    args = [a for k, v in base.items() if k not in argv for a in (k, v)]
    code, out, err = cli("trajectory", *args, *argv)
    assert code == 2 and out == "" and err.count("\n") == 1 and fragment in err, err


def test_a_formula_starting_with_minus_is_a_value():
    code, out, _ = cli("trajectory", "--surface", "-x**2 + y**2", "--optimizer", "gd", "--start", "1,1", "--steps", "1")
    assert code == 0 and out.splitlines()[1].startswith("0,1.0,1.0,0.0,")
