"""The explainer as a lecturer renders it for a projector, ``gdx render --explainer --quality h
--jobs 2``, with the current code and with a baseline commit's, one after the other.

    .venv/bin/python benchmarks/explainer_hq.py --baseline 7ba2f0c
    .venv/bin/python benchmarks/explainer_hq.py --baseline 7ba2f0c -q k     # 2160p60

Each run is the real command line into a fresh temporary media folder (no cache shared); the
baseline runs from a worktree of its commit (``render_scenes.worktree``). Printed: each run's
wall time, the video's length, render s per video s (target <= 1.0 at 1080p60 on 2 cores) and
the ratio of wall times, current / baseline. The load average at the start shows how quiet the
machine was.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from render_jobs import ROOT, timed  # noqa: E402
from render_scenes import duration, worktree  # noqa: E402

TARGET = 1.0


def render(root: Path, quality: str, jobs: int) -> tuple[float, float]:
    """(wall s, video s) of one explainer render with the code in ``root``."""
    media = Path(tempfile.mkdtemp(prefix="gdx-bench-explainer-"))
    try:
        result = timed([sys.executable, "-m", "gdx.cli", "--media", str(media), "render", "--explainer",
                        "--quality", quality, "--jobs", str(jobs)], "explainer_hq", root)
        video = next(p for p in media.rglob("GradientDescentExplained.mp4") if "partial" not in str(p))
        return result["wall"], duration(video)
    finally:
        shutil.rmtree(media, ignore_errors=True)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--baseline", metavar="COMMIT", help="also render with the code of this commit")
    p.add_argument("-q", "--quality", default="h", choices=("l", "m", "h", "k"))
    p.add_argument("--jobs", type=int, default=2)
    args = p.parse_args(argv)
    load = os.getloadavg()
    print(f"explainer_hq: gdx render --explainer -q{args.quality} --jobs {args.jobs}; {os.cpu_count()} cores; "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", flush=True)
    runs = [("current", ROOT)] + ([(args.baseline, worktree(args.baseline))] if args.baseline else [])
    walls = {}
    for label, root in runs:
        wall, length = render(root, args.quality, args.jobs)
        walls[label] = wall
        print(f"  {label:8s} {wall:7.1f} s for {length:6.1f} s of video: {wall / length:.2f} render s per video s"
              f"{'' if args.quality != 'h' else (' (target <= %.1f)' % TARGET)}", flush=True)
    if args.baseline:
        print(f"ratio of wall times, current / {args.baseline}: {walls['current'] / walls[args.baseline]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
