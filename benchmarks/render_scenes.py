"""Render benchmark: seconds of rendering per second of video, per scene and quality.

    .venv/bin/python benchmarks/render_scenes.py                 # every scene, 480p15 and 1080p60
    .venv/bin/python benchmarks/render_scenes.py -q l            # 480p15 only
    .venv/bin/python benchmarks/render_scenes.py -s descent -q h # one scene at 1080p60
    .venv/bin/python benchmarks/render_scenes.py -q h --baseline 7ba2f0c   # and the same at that commit

Each (scene, quality) renders with the manim CLI in its own temporary media folder (two
renders sharing one break each other's LaTeX clean-up), with manim's play cache off.
LaTeX is compiled first by an untimed dry run at 1 frame/s into the same folder: a
re-render normally finds its formulas compiled, and that one-off cost is reported apart.
The ratio is render wall time / video duration (from ffprobe), measured in this run;
below 1 means the scene renders faster than it plays. Target: below 1 at 480p15, at most 2 at
1080p60. CPU is the render's CPU seconds (every thread): a busy machine distorts it least.

``--baseline COMMIT`` renders each scene also from a worktree of that commit (same venv, its
code first on ``PYTHONPATH``), right after the current code's render, and prints its row and
the ratio of CPU times, current / baseline.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MANIM = ROOT / ".venv" / "bin" / "manim"
SCENES = {
    "descent": ("scenes/parts/descent.py", "RosenbrockDescent"),
    "sigmoid_neuron": ("scenes/parts/sigmoid_neuron.py", "SigmoidNeuron"),
    "learning_rate": ("scenes/parts/learning_rate.py", "LearningRate"),
    "landscapes": ("scenes/parts/landscapes.py", "Landscapes"),
    "race": ("scenes/parts/race.py", "OptimizerRace"),
    "race_rastrigin": ("scenes/parts/race.py", "OptimizerRaceRastrigin"),
    "momentum": ("scenes/parts/momentum.py", "MomentumCloseUp"),
    "hook": ("scenes/parts/hook.py", "HookChapter"),
    "derivatives": ("scenes/parts/derivatives.py", "DerivativesChapter"),
    "gradient": ("scenes/parts/gradient.py", "GradientChapter"),
    "update_rule": ("scenes/parts/update_rule.py", "UpdateRuleChapter"),
    "stochastic": ("scenes/parts/stochastic.py", "StochasticChapter"),
    "adaptive": ("scenes/parts/adaptive.py", "AdaptiveChapter"),
    "backprop": ("scenes/parts/backprop.py", "BackpropChapter"),
    "limitations": ("scenes/parts/limitations.py", "LimitationsChapter"),
    # The whole video in one manim process (`gdx render --explainer` renders its parts in parallel).
    "explainer": ("scenes/explainer.py", "GradientDescentExplained"),
}
# The explainer's chapters as `gdx render --explainer` renders them (each part in its explainer cut):
# named on the command line only (`-s chapter2,chapter5`), not rendered by default.
CHAPTER_SCENES = {f"chapter{n}": ("scenes/explainer.py", cls) for n, cls in enumerate(
    ("Chapter1Hook", "Chapter2Mathematics", "Chapter3LearningRate", "Chapter4Landscapes",
     "Chapter5BetterSteps", "Chapter6NeuralNetworks", "Chapter7Limitations"), 1)}
DEFAULT_SCENES = tuple(SCENES)
SCENES.update(CHAPTER_SCENES)
QUALITIES = {"l": ("480p15", "-ql"), "h": ("1080p60", "-qh"), "k": ("2160p60", "-qk")}


def cpu_seconds(who: int = resource.RUSAGE_CHILDREN) -> float:
    """User + system CPU seconds so far of the finished child processes (or of this process,
    every thread, with ``resource.RUSAGE_SELF``): subtract two readings to time a step."""
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _run(args, env, root: Path = ROOT) -> tuple[float, float, list[str]]:
    """Wall and CPU time of the command and the warning lines it printed."""
    before = cpu_seconds()
    start = time.perf_counter()
    result = subprocess.run(args, cwd=root, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    cpu = cpu_seconds() - before
    if result.returncode != 0:
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-15:])
        raise RuntimeError(f"{' '.join(map(str, args))} failed:\n{tail}")
    output = result.stdout + result.stderr
    return elapsed, cpu, [line.strip() for line in output.splitlines() if "WARNING" in line or "Warning" in line]


def duration(video: Path) -> float:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(video)],
                         capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def checkout_env(root: Path = ROOT) -> dict:
    """The environment to run the code in ``root`` with: no ``GDX_CONFIG`` (the scenes' defaults
    are what we measure) and, for another checkout, its code first on ``PYTHONPATH``."""
    env = {k: v for k, v in os.environ.items() if k != "GDX_CONFIG"}
    if root != ROOT:
        env["PYTHONPATH"] = os.pathsep.join([str(root), *filter(None, [env.get("PYTHONPATH")])])
    return env


def measure(name: str, quality: str, keep: bool = False, root: Path = ROOT) -> dict:
    """Render one scene at one quality with the code in ``root``; returns timings and the ratio."""
    path, cls = SCENES[name]
    label, flag = QUALITIES[quality]
    media = Path(tempfile.mkdtemp(prefix=f"gdx-bench-{name}-{label}-"))
    env = checkout_env(root)
    base = [str(MANIM), flag, "--media_dir", str(media), "--disable_caching", "--progress_bar", "none"]
    try:
        warm, _, _ = _run(base + ["--dry_run", "--frame_rate", "1", path, cls], env, root)
        render, cpu, warnings = _run(base + [path, cls], env, root)
        videos = list(media.rglob(f"{cls}.mp4"))
        if not videos:
            raise RuntimeError(f"no video for {cls} in {media}")
        seconds = duration(videos[0])
    finally:
        if not keep:
            shutil.rmtree(media, ignore_errors=True)
    return {"scene": name, "quality": label, "video_s": seconds, "render_s": render, "cpu_s": cpu, "warmup_s": warm,
            "ratio": render / seconds, "warnings": warnings}


def worktree(commit: str) -> Path:
    """A detached worktree of ``commit`` (made once, kept under the system's temp folder)."""
    sha = subprocess.run(["git", "rev-parse", "--short", commit], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.strip()
    folder = Path(tempfile.gettempdir()) / f"gdx-baseline-{sha}"
    if not (folder / "scenes").is_dir():
        subprocess.run(["git", "worktree", "add", "--detach", "--force", str(folder), sha], cwd=ROOT,
                       capture_output=True, check=True)
    return folder


def _row(row: dict, label: str = "") -> str:
    return (f"{row['scene'] + label:22} {row['quality']:8} {row['video_s']:8.1f} {row['render_s']:9.1f} "
            f"{row['cpu_s']:7.1f} {row['ratio']:6.2f}  {row['warmup_s']:20.1f}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-s", "--scenes", default=",".join(DEFAULT_SCENES), help=f"comma-separated, from {', '.join(SCENES)}")
    parser.add_argument("-q", "--qualities", default="lh", help="l (480p15), h (1080p60), k (2160p60), or several: lh")
    parser.add_argument("--keep", action="store_true", help="keep the temporary media folders")
    parser.add_argument("--baseline", metavar="COMMIT", help="also render each scene with the code of this commit")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.scenes.split(",") if n.strip()]
    unknown = [n for n in names if n not in SCENES]
    if unknown:
        parser.error(f"unknown scene {unknown[0]!r}; accepted: {', '.join(SCENES)}")
    bad = [q for q in args.qualities if q not in QUALITIES]
    if bad:
        parser.error(f"unknown quality {bad[0]!r}; accepted: {', '.join(QUALITIES)}")
    old = worktree(args.baseline) if args.baseline else None
    print(f"load average at the start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(f"{'scene':22} {'quality':8} {'video s':>8} {'render s':>9} {'CPU s':>7} {'ratio':>6}  "
          f"{'LaTeX+build s (once)':>20}")
    rows = []
    for quality in args.qualities:
        for name in names:
            row = measure(name, quality, args.keep)
            rows.append(row)
            print(_row(row), flush=True)
            for line in row["warnings"]:
                print(f"    warning: {line}", flush=True)
            if old is not None:
                before = measure(name, quality, args.keep, root=old)
                print(_row(before, f" @{args.baseline[:7]}"), flush=True)
                print(f"{'':22} CPU time, current / {args.baseline[:7]}: {row['cpu_s'] / before['cpu_s']:.2f}", flush=True)
    slow = [r for r in rows if r["quality"] == "480p15" and r["ratio"] >= 1]
    if slow:
        print("slower than real time at 480p15: " + ", ".join(r["scene"] for r in slow))
    print(f"load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
