"""Bad input never crashes the kit: generated lesson files, and command lines.

Every problem is one line naming the bad value and what is accepted, with exit status 2
and no traceback.
"""

import json
import re
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from gdx import cli, lesson

PROBLEM = re.compile(r"^.+:\d+: \S.*$")  # FILE:LINE: message
RAW_PYTHON = re.compile(r"not supported between instances|object has no attribute|unhashable type|"
                        r"object is not (iterable|subscriptable|callable)|takes \d+ positional argument")


# ----------------------------------------------------------------------------- TOML writer


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v) if not (isinstance(v, float) and v != v) else "nan"
    if isinstance(v, str):
        return json.dumps(v)  # a JSON string is a valid TOML basic string
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(v)


def toml_document(top: dict, optimizers: list[dict]) -> str:
    lines = [f"{json.dumps(k) if not re.fullmatch(r'[A-Za-z0-9_-]+', k) else k} = {toml_value(v)}"
             for k, v in top.items()]
    for table in optimizers:
        lines.append("")
        lines.append("[[optimizers]]")
        lines += [f"{json.dumps(k) if not re.fullmatch(r'[A-Za-z0-9_-]+', k) else k} = {toml_value(v)}"
                  for k, v in table.items()]
    return "\n".join(lines) + "\n"


scalars = st.one_of(
    st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
    st.text(max_size=20), st.sampled_from(["rosenbrock", "himmelblau", "x**2 + y**2", "x**9**9", "sin(", "adam",
                                           "gd", "light", "dark", "descent", "race", "h", "l", "__import__('os')"]),
)
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(string.ascii_lowercase, min_size=1,
                                                                               max_size=6), inner, max_size=3)),
                      max_leaves=8)
top_keys = st.sampled_from(list(lesson.TOP_KEYS[:-1]) + ["colour", "surfaces", "Steps"])
opt_keys = st.sampled_from(["name", "lr", "betas", "momentum", "eps", "weight_decay", "nesterov", "alpha",
                            "rho", "beta", "amsgrad", "foo"])
GOOD_TOP = {"surface": "himmelblau", "start": [-1.0, -1.0], "steps": 50, "scenes": ["descent"]}


@st.composite
def lesson_documents(draw):
    top = dict(GOOD_TOP) if draw(st.booleans()) else {}
    top.update(draw(st.dictionaries(top_keys, values, max_size=5)))
    optimizers = draw(st.lists(st.builds(lambda base, extra: {**base, **extra},
                                         st.sampled_from([{}, {"name": "adam"}, {"name": "momentum", "lr": 0.1},
                                                          {"name": "gd"}]),
                                         st.dictionaries(opt_keys, values, max_size=4)), max_size=3))
    return toml_document(top, optimizers)


def parse_text(tmp_path, text: str):
    path = tmp_path / "lesson.toml"
    path.write_text(text)
    try:
        return path, lesson.parse(path), None
    except lesson.LessonError as exc:
        return path, None, exc


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(text=lesson_documents())
def test_generated_lesson_files_never_crash(tmp_path, text):
    path, parsed, error = parse_text(tmp_path, text)
    if error is None:
        assert parsed.scenes and parsed.optimizers and lesson.to_config_toml(parsed)
    else:
        assert error.problems
        for problem in error.problems:
            assert "\n" not in problem and problem.startswith(f"{path}:") and PROBLEM.match(problem), problem
            assert not RAW_PYTHON.search(problem), problem  # a message for people, not Python's own text
            line = int(problem[len(str(path)) + 1:].split(":")[0])
            assert 1 <= line <= max(1, len(text.splitlines()))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=200))
def test_any_bytes_as_a_lesson_file_never_crash(tmp_path, data):
    path = tmp_path / "lesson.toml"
    path.write_bytes(data)
    try:
        lesson.parse(path)
    except lesson.LessonError as exc:
        assert all("\n" not in p and p.startswith(f"{path}:") for p in exc.problems)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=lesson_documents())
def test_lesson_check_on_the_command_line(tmp_path, capsys, text):
    path = tmp_path / "lesson.toml"
    path.write_text(text)
    code = cli.main(["--media", str(tmp_path / "media"), "lesson", str(path), "--check"])
    out, err = capsys.readouterr()
    assert code in (0, 2)
    if code == 2:
        assert out == "" and err and all(line.startswith(f"gdx: error: {path}:") for line in err.splitlines())
        assert "Traceback" not in err
    else:
        assert err == "" and out.startswith(f"{path}: ok")
    assert not (tmp_path / "media").exists()  # --check renders nothing


def test_an_invalid_lesson_lists_every_problem_and_renders_nothing(tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text('surface = "himalaya"\nstart = [0.0]\nsteps = 0\n\n[[optimizers]]\nname = "adamm"\n')
    code = cli.main(["--media", str(tmp_path / "media"), "lesson", str(path)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert [line[len(f"gdx: error: {path}:"):].split(":")[0] for line in err.splitlines()] == ["1", "2", "3", "6"]
    assert "accepted: rosenbrock" in err and "accepted: an integer from 1 to 100000" in err
    assert not (tmp_path / "media").exists()


# ----------------------------------------------------------------------------- command lines


def run(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


TINY = Path(__file__).parent / "data" / "tiny.py"


@pytest.mark.parametrize("argv, fragment", [
    ([], "name a command; accepted: list, doctor, render, stills, slides, lesson"),
    (["doctor", "now"], "unrecognized arguments: now; 'gdx doctor' takes no arguments"),
    (["render", "--all", "--fast"], "unrecognized arguments: --fast; accepted by 'gdx render': --all, --captions, --explainer"),
    (["render", "--all", "--jobs", "two"], "argument --jobs: invalid value 'two'; accepted: an integer >= 1"),
    (["render", "--explainer", "--all"], "--explainer renders the explainer alone"),
    (["render", f"{TINY}:Nope"], "unknown scene 'Nope' in"),
    (["render", "nowhere/talk.py:Intro"], "no scene file 'nowhere/talk.py'; accepted: an existing FILE.py:Class"),
    (["render", "--all", "--quality", "8k"], "argument --quality: invalid choice: '8k' (choose from"),
    (["stills", f"{TINY}:Tiny", "--at", "nope"], "unknown beat 'nope' in Tiny; accepted: draw, morph, or a time"),
    (["stills", f"{TINY}:Tiny", "--at", "99"], "invalid --at '99': Tiny lasts 2.47 s; accepted: 0 to 2.47"),
    (["stills", f"{TINY}:Tiny", "--at", "1", "--format", "gif"], "argument --format: invalid choice: 'gif'"),
    (["slides", "NoSuchScene"], "unknown scene 'NoSuchScene'; accepted:"),
    (["slides", "--explainer", "--to", "docx"], "argument --to: invalid choice: 'docx'"),
    (["lesson", "missing.toml"], "missing.toml: cannot read the lesson file (No such file or directory)"),
    (["lesson", "x.toml", "--jobs", "-1"], "argument --jobs: invalid value '-1'; accepted: an integer >= 1"),
])
def test_bad_command_lines_are_one_line_exit_2(capsys, tmp_path, argv, fragment):
    code, out, err = run(capsys, "--media", tmp_path / "media", *argv)
    assert code == 2 and out == "", (code, out, err)
    assert err.count("\n") == 1 and err.startswith("gdx: error: ") and fragment in err, err
    assert not (tmp_path / "media" / "videos").exists()


def test_a_scene_file_that_is_not_python_is_one_line(capsys, tmp_path):
    bad = tmp_path / "broken.py"
    bad.write_text("class Oops(Scene:\n")
    code, out, err = run(capsys, "--media", tmp_path / "media", "render", f"{bad}:Oops")
    assert code == 2 and err.startswith(f"gdx: error: cannot read '{bad}' as Python (SyntaxError") and \
        err.count("\n") == 1
