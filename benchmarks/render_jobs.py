"""Parallel render benchmark: ``gdx render --all --jobs 2`` against ``--jobs 1``.

    .venv/bin/python benchmarks/render_jobs.py                    # every scene at -ql (the real one)
    .venv/bin/python benchmarks/render_jobs.py -q h               # every scene at 1080p60
    .venv/bin/python benchmarks/render_jobs.py --scenes tests/gdx/data/tiny.py:Tiny \\
        tests/gdx/data/tiny.py:Slow                               # a smoke test of a few seconds

Each run is the real command line (``python -m gdx.cli render ...``) run from the project
root, timed from start to exit, into a fresh temporary media folder, so no run reuses
another's cache (manim's play cache and the compiled LaTeX both live in the job folders).
The runs alternate (1, 2, 1, 2, ... with ``--repeat``) so a change in machine load hits
both. Printed: each run's wall time, the sum and the longest of its per-scene job times
(from gdx's progress lines), the ratio ``time(--jobs 2) / time(--jobs 1)`` (target <= 0.6
on 2 cores) and the best ratio the scene mix allows, ``max(longest job, sum / 2) / sum``:
one long scene bounds what two workers can gain. Run it on a quiet machine; the load
average at the start is printed to show how quiet it was.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from render_scenes import ROOT, checkout_env  # noqa: E402

TARGET = 0.6
DONE = re.compile(r"\] done\s+(\S+) in ([0-9.]+) s")


def timed(cmd: list[str], who: str = "render_jobs", root: Path = ROOT) -> dict:
    """Run a ``gdx render`` command line from the project root (or another checkout's, its code
    first on ``PYTHONPATH``), without any ``GDX_CONFIG``:
    ``{"wall": s, "per_job": {scene: s}}`` (per-job times from gdx's ``done`` lines)."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=root, env=checkout_env(root), capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
        raise SystemExit(f"{who}: {' '.join(cmd)} failed (exit {proc.returncode}):\n{tail}")
    return {"wall": wall, "per_job": {name: float(s) for name, s in DONE.findall(proc.stdout)}}


def run(targets: list[str], quality: str, jobs: int, keep: bool) -> dict:
    """One timed ``gdx render`` into a fresh media folder."""
    media = Path(tempfile.mkdtemp(prefix=f"gdx-bench-jobs{jobs}-"))
    cmd = [sys.executable, "-m", "gdx.cli", "--media", str(media), "render", *targets,
           "--quality", quality, "--jobs", str(jobs)]
    try:
        return {"jobs": jobs, **timed(cmd)}
    finally:
        if keep:
            print(f"  kept {media}")
        else:
            shutil.rmtree(media, ignore_errors=True)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scenes", nargs="+", metavar="SCENE",
                   help="scenes to render (names or FILE.py:Class) instead of --all")
    p.add_argument("-q", "--quality", default="l", choices=("l", "m", "h", "k"))
    p.add_argument("--parallel", type=int, default=2, help="the --jobs to compare with --jobs 1 (default 2)")
    p.add_argument("--repeat", type=int, default=1, help="runs of each (alternating); the median is reported")
    p.add_argument("--keep", action="store_true", help="keep the temporary media folders")
    args = p.parse_args(argv)
    if args.parallel < 2 or args.repeat < 1:
        p.error("accepted: --parallel >= 2 and --repeat >= 1")

    targets = args.scenes or ["--all"]
    load = os.getloadavg()
    print(f"render_jobs: gdx render {' '.join(targets)} -q{args.quality}; {os.cpu_count()} cores; "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    runs = {1: [], args.parallel: []}
    for i in range(args.repeat):
        for jobs in (1, args.parallel):
            result = run(targets, args.quality, jobs, args.keep)
            runs[jobs].append(result)
            per_job = result["per_job"]
            longest = max(per_job.items(), key=lambda kv: kv[1]) if per_job else ("-", 0.0)
            print(f"  --jobs {jobs}: {result['wall']:7.1f} s wall  ({len(per_job)} scenes; jobs sum "
                  f"{sum(per_job.values()):.1f} s; longest {longest[0]} {longest[1]:.1f} s)")

    serial = statistics.median(r["wall"] for r in runs[1])
    parallel = statistics.median(r["wall"] for r in runs[args.parallel])
    jobs_1 = runs[1][0]["per_job"]
    total, longest = sum(jobs_1.values()), max(jobs_1.values(), default=0.0)
    bound = max(longest, total / args.parallel) / total if total else float("nan")
    ratio = parallel / serial
    print(f"--jobs 1: {serial:.1f} s   --jobs {args.parallel}: {parallel:.1f} s   "
          f"ratio {ratio:.2f} (target <= {TARGET}; best the scene mix allows: {bound:.2f})  "
          f"{'OK' if ratio <= TARGET else 'ABOVE TARGET'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
