"""How long a lesson takes to know everything it will say, before anything is drawn.

    .venv/bin/python benchmarks/lesson.py [assets/lessons/two_valleys.toml]

Stage 1 reads and checks the lesson (formula parsed, gradient and Hessian derived, ``describe``
run, every part's config validated). Stage 2 makes every run each of its parts shows (descent,
learning rate, the landscape tour, momentum, race; the explainer's surface chapters use the same tables) and judges
them (outcomes, verdicts, overshoots). Both from a cold cache, in a fresh process. The baseline,
in the same command, is ``describe`` alone on the same surface from a cold cache: the ratio says
what the lesson costs on top of the analysis. The issue's target is under 5 s in all.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

STAGES = r"""
import sys, time
sys.path.insert(0, {root!r})
t0 = time.perf_counter()
from gdx import lesson
from scenes import config
from scenes.parts.descent import DescentData
from scenes.parts.landscapes import LandscapesData
from scenes.parts.learning_rate import LearningRateData
from scenes.parts.momentum import MomentumData
from scenes.parts.race import RaceData, verdict
t_import = time.perf_counter()
parsed = lesson.parse({path!r})
t_parse = time.perf_counter()
tables = parsed.tables
if "descent" in tables:
    DescentData(config.from_mapping(tables["descent"], "descent")).outcome()
if "learning_rate" in tables:
    d = LearningRateData(config.from_mapping(tables["learning_rate"], "learning_rate"))
    d.parabola_runs, d.rate_verdict()
if "landscapes" in tables:
    t = LandscapesData(config.from_mapping(tables["landscapes"], "landscapes"))
    t.trapped_in, t.noise, t.saddle, t.plateau, t.basins
if "momentum_closeup" in tables:
    m = MomentumData(config.from_mapping(tables["momentum_closeup"], "momentum_closeup"))
    m.counts(), m.overshoot("momentum"), m.overshoot("nesterov")
if "race" in tables:
    r = RaceData(config.from_mapping(tables["race"], "race"))
    verdict(r.outcomes, r.cfg.loss_tol, r.cfg.steps, r.f_star)
t_runs = time.perf_counter()
print(t_parse - t_import, t_runs - t_parse)
"""

BASELINE = r"""
import sys, time
sys.path.insert(0, {root!r})
import mathcore
t0 = time.perf_counter()
mathcore.get_surface({surface!r}).facts
print(time.perf_counter() - t0)
"""


def run(code: str) -> list[float]:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return [float(v) for v in out.split()]


def main():
    import tomllib

    path = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "assets" / "lessons" / "two_valleys.toml").resolve()
    surface = tomllib.loads(path.read_text())["surface"]
    parse, runs = run(STAGES.format(root=str(ROOT), path=str(path)))
    (base,) = run(BASELINE.format(root=str(ROOT), surface=surface))
    total = parse + runs
    print(f"lesson {path.name}: check {parse:.2f} s + runs {runs:.2f} s = {total:.2f} s (target: under 5 s)")
    print(f"baseline describe alone: {base:.2f} s; lesson / describe = {total / base:.2f}x")


if __name__ == "__main__":
    main()
