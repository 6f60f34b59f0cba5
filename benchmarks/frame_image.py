"""Snapshot compositing benchmark: a 3D scene at 1080p60 with manim's way of drawing images
(a perspective re-sample of every image at every frame it is drawn) against the fast path of
``scenes.stage._display_frame_image`` (a frame-sized snapshot composited as it is).

    .venv/bin/python benchmarks/frame_image.py                          # OptimizerRace, plays 5-9, -qh
    .venv/bin/python benchmarks/frame_image.py --scene scenes/parts/landscapes.py:Landscapes --plays 0,6

Both runs render the same plays (``manim -n``) without the play cache into fresh folders, one
after the other (alternating with ``--repeat``); printed: each wall and CPU time, the ratio of
CPU times fast / manim's (the least load-sensitive measure), and the SSIM of every 6th frame of each play between the two outputs (the
picture must stay the same: target >= 0.99). The load average at the start shows how quiet
the machine was.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import av
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from render_scenes import ROOT, cpu_seconds  # noqa: E402

LAUNCH = """
import sys
from scenes import stage
if sys.argv.pop(1) == "manim":
    stage.Camera.display_image_mobject = stage._manim_display_image
from manim.__main__ import main
sys.argv[0] = "manim"
main()
"""


def render(way: str, scene: str, plays: str, quality: str) -> tuple[float, float, Path]:
    """``(wall s, CPU s of the render process, its media folder)``: CPU time is what a busy
    machine distorts least (other processes take wall time, not this one's CPU time)."""
    media = Path(tempfile.mkdtemp(prefix=f"gdx-bench-image-{way}-"))
    file, name = scene.split(":")
    cmd = [sys.executable, "-c", LAUNCH, way, "render", f"-q{quality}", "-n", plays, "--disable_caching",
           "--media_dir", str(media), "-v", "ERROR", "--progress_bar", "none", file, name]
    before, start = cpu_seconds(), time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, capture_output=True)  # manim -n ends with a failed join: the plays are what count
    return time.perf_counter() - start, cpu_seconds() - before, media


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """Mean SSIM over 8x8 blocks of two grey frames."""
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    h, w = a.shape[0] // 8 * 8, a.shape[1] // 8 * 8
    x, y = a[:h, :w].reshape(h // 8, 8, w // 8, 8), b[:h, :w].reshape(h // 8, 8, w // 8, 8)
    mx, my = x.mean((1, 3)), y.mean((1, 3))
    cov = ((x - mx[:, None, :, None]) * (y - my[:, None, :, None])).mean((1, 3))
    return float((((2 * mx * my + c1) * (2 * cov + c2)) / ((mx**2 + my**2 + c1) * (x.var((1, 3)) + y.var((1, 3)) + c2))).mean())


def worst_ssim(a: Path, b: Path) -> float:
    worst = 1.0
    for p in sorted(a.glob("videos/*/*/partial_movie_files/*/*.mp4")):
        q = b / p.relative_to(a)
        with av.open(str(p)) as ca, av.open(str(q)) as cb:
            for i, (x, y) in enumerate(zip(ca.decode(ca.streams.video[0]), cb.decode(cb.streams.video[0]))):
                if i % 6 == 0:
                    worst = min(worst, ssim(x.to_ndarray(format="gray").astype(float),
                                            y.to_ndarray(format="gray").astype(float)))
    return worst


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scene", default="scenes/parts/race.py:OptimizerRace")
    ap.add_argument("--plays", default="5,9", help="manim -n: the plays to render")
    ap.add_argument("-q", "--quality", default="h")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    times = {"manim": [], "fast": []}
    media = {}
    for _ in range(args.repeat):
        for way in ("manim", "fast"):
            wall, cpu, media[way] = render(way, args.scene, args.plays, args.quality)
            times[way].append(cpu)
            print(f"{way:5s}  wall {wall:6.1f} s   CPU {cpu:6.1f} s")
    best = {way: min(t) for way, t in times.items()}
    print(f"ratio of CPU time, fast / manim: {best['fast'] / best['manim']:.2f}  (best of {args.repeat})")
    print(f"worst SSIM, every 6th frame of every play: {worst_ssim(media['manim'], media['fast']):.4f}  (target >= 0.99)")


if __name__ == "__main__":
    main()
