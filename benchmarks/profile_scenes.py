"""Where a render's time goes: each scene rendered by the manim CLI under py-spy (a sampling
profiler: every thread, ~no overhead), its samples summed by what they were doing.

    .venv/bin/python benchmarks/profile_scenes.py                      # every scene, -qh (1080p60)
    .venv/bin/python benchmarks/profile_scenes.py -s race,hook -q k     # two scenes at 4K60
    .venv/bin/python benchmarks/profile_scenes.py -s race --plays 5,9   # a play range (manim -n)

py-spy comes with the ``bench`` extra (``BOOTSTRAP_EXTRAS=bench ./scripts/bootstrap.sh``).
Printed per scene: wall and CPU seconds, the share of samples in each kind of work (below), and
the functions with the most samples of their own (the leaves of the stacks). Samples are taken
only while a thread runs, so the shares are shares of CPU time, whatever else the machine does.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from render_scenes import DEFAULT_SCENES, SCENES, checkout_env, cpu_seconds  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FRAME = re.compile(r"(?P<fn>[^;(]+) \((?P<file>[^:;]+):\d+\)")
# (kind, test on a stack's frames): the first kind that matches a sample takes it.
KINDS = (
    ("encoding (x264 thread)", lambda fr: any(f[0] in ("_listen_and_write", "_encode_and_write_frame", "encode_frame")
                                              for f in fr)),
    ("drawing: strokes", lambda fr: any(f[0] == "apply_stroke" for f in fr)),
    ("drawing: fills", lambda fr: any(f[0] == "apply_fill" for f in fr)),
    ("drawing: paths", lambda fr: any(f[0] in ("set_cairo_context_path", "get_stroke_rgbas", "get_fill_rgbas")
                                      for f in fr)),
    ("drawing: meshes", lambda fr: any(f[0] in ("_paint_faces", "_projected_paths") for f in fr)),
    ("drawing: images", lambda fr: any(f[0] in ("display_image_mobject", "display_multiple_image_mobjects")
                                       for f in fr)),
    ("3D projection and sorting", lambda fr: any(f[0] in ("project_points", "transform_points_pre_display",
                                                          "get_mobjects_to_display") for f in fr)),
    ("frame set-up (background copy)", lambda fr: any(f[0] in ("reset", "set_frame_to_background", "get_image",
                                                                "get_frame") or f == ("copy", "encoding.py")
                                                      for f in fr)),
    ("waiting for the encoder", lambda fr: any(f[0] in ("wait", "_wait_for_tstate_lock") for f in fr)),
    ("updaters and animations", lambda fr: any(f[0] in ("update_mobjects", "interpolate", "update_to_time")
                                               for f in fr)),
    ("play cache hashing", lambda fr: any(f[0] == "get_hash_from_play_call" for f in fr)),
    ("LaTeX and text", lambda fr: any(f[0] in ("tex_to_svg_file", "_text2svg", "compile_tex") for f in fr)),
    ("set-up (imports, scene build)", lambda fr: True),
)


def profile(name: str, flag: str, plays: str | None, rate: int) -> dict:
    path, cls = SCENES[name]
    media = Path(tempfile.mkdtemp(prefix=f"gdx-profile-{name}-"))
    raw = media / "samples.txt"
    manim = [sys.executable, "-m", "manim", "render", flag, "--disable_caching", "--media_dir", str(media),
             "-v", "ERROR", "--progress_bar", "none", *(["-n", plays] if plays else []), path, cls]
    env = checkout_env()
    try:
        # LaTeX first (an untimed dry run), as a re-render finds it compiled
        subprocess.run([*manim[:5], "--dry_run", "--frame_rate", "1", *manim[5:]], cwd=ROOT, env=env,
                       capture_output=True)
        before, start = cpu_seconds(), time.perf_counter()
        subprocess.run([shutil.which("py-spy", path=str(Path(sys.executable).parent)) or "py-spy", "record",
                        "--format", "raw", "--threads", "--rate", str(rate), "-o", str(raw), "--", *manim],
                       cwd=ROOT, env=env, capture_output=True)
        wall, cpu = time.perf_counter() - start, cpu_seconds() - before
        kinds, leaves, total = collections.Counter(), collections.Counter(), 0
        for line in raw.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            frames = [(m["fn"].strip(), Path(m["file"]).name) for m in FRAME.finditer(stack)]
            if not frames:
                continue
            n = int(count)
            total += n
            methods = [(fn.rsplit(".", 1)[-1], file) for fn, file in frames]  # (py-spy says Class.method)
            kinds[next(kind for kind, test in KINDS if test(methods))] += n
            leaves[f"{frames[-1][0]} ({frames[-1][1]})"] += n
    finally:
        shutil.rmtree(media, ignore_errors=True)
    return {"wall": wall, "cpu": cpu, "total": total, "kinds": kinds, "leaves": leaves}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-s", "--scenes", default=",".join(n for n in DEFAULT_SCENES if n != "explainer"),
                    help=f"comma-separated, from {', '.join(SCENES)}")
    ap.add_argument("-q", "--quality", default="h", choices=("l", "m", "h", "k"))
    ap.add_argument("--plays", help="manim -n: profile only these plays (e.g. 5,9)")
    ap.add_argument("--rate", type=int, default=25, help="samples per second (py-spy --rate)")
    ap.add_argument("--top", type=int, default=8, help="functions listed per scene")
    args = ap.parse_args(argv)
    names = [n.strip() for n in args.scenes.split(",") if n.strip()]
    unknown = [n for n in names if n not in SCENES]
    if unknown:
        ap.error(f"unknown scene {unknown[0]!r}; accepted: {', '.join(SCENES)}")
    if not shutil.which("py-spy", path=str(Path(sys.executable).parent)) and not shutil.which("py-spy"):
        ap.error("py-spy is not installed; install it with: BOOTSTRAP_EXTRAS=bench ./scripts/bootstrap.sh")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    for name in names:
        r = profile(name, f"-q{args.quality}", args.plays, args.rate)
        print(f"\n{name}: {r['wall']:.1f} s wall, {r['cpu']:.1f} s CPU, {r['total']} samples", flush=True)
        for kind, n in r["kinds"].most_common():
            print(f"  {100 * n / max(1, r['total']):5.1f} %  {kind}")
        print("  most samples of their own:")
        for leaf, n in r["leaves"].most_common(args.top):
            print(f"  {100 * n / max(1, r['total']):5.1f} %  {leaf}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
