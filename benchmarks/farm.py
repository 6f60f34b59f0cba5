"""Farm benchmark: ``gdx render --scheduler`` on a LocalCluster of 2 workers against ``--jobs 2``.

    .venv/bin/python benchmarks/farm.py                           # three short parts at -ql
    .venv/bin/python benchmarks/farm.py --all                     # every scene (long)
    .venv/bin/python benchmarks/farm.py --scenes tests/gdx/data/tiny.py:Tiny \\
        tests/gdx/data/tiny.py:Slow                               # a smoke test of a few seconds

Both runs are the real command line (``python -m gdx.cli render ...``) from the project root,
timed from start to exit, each into a fresh temporary media folder; the cluster (two worker
processes of one thread each, this machine's cores) is started before its run with a fresh
worker cache (``GDX_FARM_CACHE``) and is not timed, as a farm is already running when one
renders on it. On one machine the two use the same cores, so expect a ratio near 1: what it
shows is the farm's own cost (the scheduler's round trips, the files sent back as a tar, the
publishing here). The runs alternate with ``--repeat`` and the medians are compared.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from render_jobs import timed  # (this folder is on the path when run as a script)

SCENES = ["StochasticChapter", "MomentumCloseUp", "LearningRate"]  # the three shortest renders at -ql


def run(targets: list[str], quality: str, farm: bool) -> dict:
    """One timed ``gdx render``, on a fresh 2-worker LocalCluster or with ``--jobs 2``."""
    tmp = Path(tempfile.mkdtemp(prefix="gdx-bench-farm-"))
    cmd = [sys.executable, "-m", "gdx.cli", "--media", str(tmp / "media"), "render", *targets, "--quality", quality]
    try:
        if not farm:
            return timed(cmd + ["--jobs", "2"], "farm")
        from distributed import LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                          env={"GDX_FARM_CACHE": str(tmp / "cache")}) as cluster:
            return timed(cmd + ["--scheduler", cluster.scheduler_address], "farm")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = p.add_mutually_exclusive_group()
    group.add_argument("--scenes", nargs="+", metavar="SCENE", help=f"scenes to render (default: {' '.join(SCENES)})")
    group.add_argument("--all", action="store_true", help="every scene")
    p.add_argument("-q", "--quality", default="l", choices=("l", "m", "h", "k"))
    p.add_argument("--repeat", type=int, default=1, help="runs of each (alternating); the median is reported")
    args = p.parse_args(argv)
    if args.repeat < 1:
        p.error(f"invalid --repeat {args.repeat}; accepted: an integer >= 1")
    if importlib.util.find_spec("distributed") is None:
        p.error("needs the farm extra; fix with: .venv/bin/pip install -e '.[farm]'")

    targets = ["--all"] if args.all else (args.scenes or SCENES)
    load = os.getloadavg()
    print(f"farm: gdx render {' '.join(targets)} -q{args.quality}; {os.cpu_count()} cores; "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    runs = {"--jobs 2": [], "--scheduler": []}
    for _ in range(args.repeat):
        for label in runs:
            result = run(targets, args.quality, farm=label == "--scheduler")
            runs[label].append(result)
            per_job = result["per_job"]
            print(f"  {label:12s} {result['wall']:7.1f} s wall  ({len(per_job)} scenes; jobs sum "
                  f"{sum(per_job.values()):.1f} s)")
    local = statistics.median(r["wall"] for r in runs["--jobs 2"])
    farmed = statistics.median(r["wall"] for r in runs["--scheduler"])
    load = os.getloadavg()
    print(f"--jobs 2: {local:.1f} s   --scheduler (LocalCluster, 2 workers): {farmed:.1f} s   "
          f"ratio {farmed / local:.2f} (expect about 1 on one machine); load average after "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
