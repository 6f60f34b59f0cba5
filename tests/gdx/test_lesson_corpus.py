"""A corpus of formulas of different characters, each as a lesson: ``--check`` either accepts it
or refuses it in one line; an accepted one never ends in a traceback, and what the parts
would say (verdicts, outcomes, overshoots, counts) comes out of its runs.

Every lesson's parts are built from its config and their runs judged, without drawing; two
lessons of the most awkward characters (a ring of minima, a kink) are dry-run in full through
``gdx lesson --dry-run`` (every play and updater, at 1 frame per second).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from gdx import cli, lesson

ROOT = Path(__file__).resolve().parents[2]
MEDIA = ROOT / ".pytest_cache" / "gdx-media"

# (formula, character). At least 30, each a different kind of trouble for a video about descent.
CORPUS = [
    ("x**2 + y**2", "one round bowl"),
    ("x**4 - 4*x**2 + y**2 + 0.5*x", "two valleys, the lower one global"),
    ("(x**2 + y - 11)**2 + (x + y**2 - 7)**2", "four equal minima"),
    ("(1 - x)**2 + 100*(y - x**2)**2", "a curved valley, heights over decades"),
    ("20 + x**2 + y**2 - 10*cos(2*pi*x) - 10*cos(2*pi*y)", "periodic pits"),
    ("sin(x) + cos(y)", "periodic, minima on a lattice"),
    ("x**2 - y**2 + 0.1*y**4", "a saddle between two minima"),
    ("0.01*x**2 + y**2", "nearly degenerate along x"),
    ("x**2 + 100*y**2", "ill-conditioned bowl"),
    ("-exp(-(x**2 + y**2))", "negative values, flat far away"),
    ("1 - exp(-(x**2 + y**2)/4)", "a plateau around a well"),
    ("x**4 + y**4", "a degenerate minimum"),
    ("(x**2 + y**2 - 1)**2", "a ring of minima"),
    ("abs(x) + abs(y)", "a kink at the minimum"),
    ("sqrt(x**2 + y**2 + 1)", "a smooth cone"),
    ("log(1 + x**2 + y**2)", "a log bowl"),
    ("x**2 + y**2 + 3*sin(x)*sin(y)", "a bowl with dents"),
    ("(x - 2)**2 + (y + 1)**2 - 5", "shifted, f* = -5"),
    ("1000*(x**2 + y**2)", "huge values"),
    ("0.001*(x**2 + y**2)", "tiny values"),
    ("x**2*y**2 + x**2 + y**2", "a quartic cross"),
    ("(x + y)**2 + (x - y)**4", "a flat direction that curves late"),
    ("x**2 + x*y + y**2", "a tilted bowl"),
    ("cosh(x) + cosh(y)", "exponential walls"),
    ("x**2 + (y - sin(3*x))**2", "a winding valley"),
    ("-x*y*exp(-(x**2 + y**2))", "a saddle at the origin, two minima"),
    ("x**4 - x**2 + y**2", "two minima of equal depth"),
    ("0.5*x**2 + y**2 + 2*exp(-((x - 1)**2 + y**2))", "a bump beside the minimum"),
    ("tanh(x)**2 + y**2", "flat far along x"),
    ("sqrt(x**2 + y**2) + 0.2*sin(5*x)", "a rippled cone with a kink"),
    ("x**2 - y**2 + y**4/4", "a start near a saddle"),
    ("x + y", "no minimum at all"),
]
FULL_DRY_RUN = ("(x**2 + y**2 - 1)**2", "abs(x) + abs(y)")
STARTS = {"x**2 - y**2 + y**4/4": [0.5, 0.001]}  # on the saddle's ridge


def lesson_text(formula: str, scenes=("descent", "landscapes", "momentum", "race")) -> str:
    start = f"start = {STARTS[formula]}\n" if formula in STARTS else ""
    return (f'title = "Corpus"\nsurface = "{formula}"\n{start}steps = 150\nscenes = {json.dumps(list(scenes))}\n'
            '[[optimizers]]\nname = "gd"\nlr = 0.01\n[[optimizers]]\nname = "momentum"\nlr = 0.005\nmomentum = 0.9\n'
            '[[optimizers]]\nname = "adam"\nlr = 0.05\n'
            '[race]\nmesh_resolution = 6\nrace_seconds = 3.0\n[descent]\nmesh_resolution = 6\ndescent_seconds = 3.0\n'
            '[landscapes]\nmesh_resolution = 6\nbasin_grid = 21\n')


def test_the_corpus_is_varied():
    assert len(CORPUS) >= 30 and len({f for f, _ in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("formula", [f for f, _ in CORPUS])
def test_every_part_of_every_lesson_is_judged_by_its_runs(tmp_path, formula):
    from scenes import config
    from scenes.parts.descent import OUTCOMES, DescentData
    from scenes.parts.landscapes import LandscapesData
    from scenes.parts.momentum import MomentumData
    from scenes.parts.race import RaceData, verdict

    path = tmp_path / "corpus.toml"
    path.write_text(lesson_text(formula))
    try:
        parsed = lesson.parse(path)
    except lesson.LessonError as exc:  # refused: in lines that name the file and the line
        assert all(p.startswith(f"{path}:") and "\n" not in p for p in exc.problems)
        return
    descent = DescentData(config.from_mapping(parsed.tables["descent"], "descent"))
    assert descent.outcome() in OUTCOMES
    race = RaceData(config.from_mapping(parsed.tables["race"], "race"))
    words = verdict(race.outcomes, race.cfg.loss_tol, race.cfg.steps, race.f_star)
    assert words.count("\n") == 1 and "nan" not in words
    for o, t in zip(race.outcomes, race.trajectories):
        if o["kind"] == "reached":
            assert t.gap[o["steps"]] <= race.cfg.loss_tol
        if o["kind"] == "local":
            assert not t.ended_in.is_global
    momentum = MomentumData(config.from_mapping(parsed.tables["momentum_closeup"], "momentum_closeup"))
    for name in ("momentum", "nesterov"):
        assert momentum.overshoot(name) >= 0
    assert momentum.counts() and isinstance(momentum.zigzags("gd"), bool)
    judge_the_tour(LandscapesData(config.from_mapping(parsed.tables["landscapes"], "landscapes")))


def judge_the_tour(tour):
    """What the landscape tour would say of a surface holds for its runs."""
    from mathcore import landmarks

    facts = tour.pits.facts
    assert tour.trapped_in in ("local", "global", "short")
    if tour.trapped_in != "short":
        assert tour.trapped.ended_in.is_global == (tour.trapped_in == "global")
    if tour.noise is not None:  # only after a run stopped in a local minimum
        assert tour.trapped_in == "local"
        sigma, seed, traj, escaped = tour.noise
        assert escaped == bool(traj.fun < tour.trapped.fun)
    if tour.saddle is not None:  # "the gradient almost vanishes" near a saddle describe found
        g = tour.saddle.grad_norms
        assert g[landmarks.saddle_pause(g)] < 0.01 * g[0]
        assert any(np.allclose(tour.saddle_point, c.point) for c in facts.saddles)
    if tour.plateau is not None:
        assert tour.plateau.grad_norms[0] < landmarks.FLAT * (facts.f_range[1] - facts.f_range[0])
    xs, ys, index = tour.basins
    assert index.shape == (len(xs), len(ys)) and index.max() < len(facts.minima)


@pytest.mark.parametrize("formula", FULL_DRY_RUN)
def test_awkward_lessons_dry_run_in_full(tmp_path, formula, capsys):
    path = tmp_path / f"corpus{FULL_DRY_RUN.index(formula)}.toml"
    path.write_text(lesson_text(formula, ("landscapes", "momentum", "race")))
    code = cli.main(["--media", str(MEDIA), "lesson", str(path), "--dry-run"])
    out, err = capsys.readouterr()
    assert code == 0, err
    story = json.loads((MEDIA / "lessons" / path.stem / "story.json").read_text())
    assert [p["part"] for p in story["parts"]] == ["landscapes", "momentum", "race"]
    assert all(np.isfinite(p["duration"]) and p["beats"] for p in story["parts"])
