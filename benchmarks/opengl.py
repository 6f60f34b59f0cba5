"""manim's OpenGL renderer against Cairo on the 3D parts: wall time, and whether it renders at all.

    .venv/bin/python benchmarks/opengl.py                          # the four 3D parts and the probe
    .venv/bin/python benchmarks/opengl.py --parts probe --frames /tmp/opengl_eval
    .venv/bin/python benchmarks/opengl.py --parts hook,race --keep

Each part renders at -ql twice in this command, once with the default Cairo renderer and once
with ``--renderer=opengl --write_to_movie`` (manim 0.21 writes no file from OpenGL without it),
each into its own temporary media folder, with manim's play cache off. LaTeX is compiled first
by one untimed Cairo dry run at 1 frame/s and its ``Tex``/``texts`` folders are copied into both
media folders, so neither timed render pays for it. The renders import this tree's packages
(``PYTHONPATH``), so a copy of the project (``git archive HEAD``) measures itself. Printed per
part: each wall time, the video length (ffprobe), the ratio OpenGL / Cairo (below 1: OpenGL is
faster) and, for a render that failed, the one-line reason (the exception manim printed); a
failed render's time is the time to the crash, so no ratio is printed for it.

Headless, manim asks moderngl for a standalone context: GLX first, then EGL when there is no
X display. On Debian that needs ``libegl1`` and ``libgl1-mesa-dri`` (Mesa's llvmpipe software
rasterizer); no environment variable is needed. The GL stack is checked once first; without it
the OpenGL renders are skipped with the reason and the Cairo times are still printed.

``probe`` is not a part of the video: it is a small ThreeDScene written here from manim
primitives with what the 3D parts draw (a height-coloured 32 x 32 mesh, a descent trail and ball
on it, a line that dips under the mesh, fixed-in-frame title, formula and image, a camera move
and an ambient rotation). It renders in both renderers, so it measures what OpenGL would gain on
this kind of scene while the parts themselves do not run under it. In OpenGL the probe uses
what a port would use: an ``OpenGLSurface`` (one lit, depth-tested triangle mesh coloured by
height) and depth-tested lines; in Cairo the ``Surface`` the parts' mesh derives from. Its
fixed-in-frame image is drawn in Cairo only: manim 0.21's OpenGL image mobject does not render
(see the comment in ``PROBE``).

``--frames DIR`` saves frames at the same four times of both videos, side by side (Cairo left,
OpenGL right), as ``DIR/<part>_t<seconds>.png``, for looking at what differs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from render_scenes import MANIM, ROOT, SCENES, duration  # (this folder is on the path when run as a script)

# The 3D parts (their files and classes as render_scenes.py knows them), and the probe below.
PARTS = {**{name: SCENES[name] for name in ("landscapes", "race", "descent", "hook")}, "probe": (None, "OpenGLProbe")}
OPENGL_FLAGS = ["--renderer=opengl", "--write_to_movie"]

PROBE = r'''
import numpy as np
from manim import *
from manim.mobject.opengl.opengl_three_dimensions import OpenGLSurface
from manim.mobject.opengl.opengl_vectorized_mobject import OpenGLVMobject


class OpenGLProbe(ThreeDScene):
    """What the 3D parts draw, from manim primitives only, for either renderer."""

    def construct(self):
        opengl = config.renderer == RendererType.OPENGL
        self.set_camera_orientation(phi=65 * DEGREES, theta=-50 * DEGREES)
        axes = ThreeDAxes(x_range=(-2, 2, 1), y_range=(-2, 2, 1), z_range=(0, 4, 1),
                          x_length=6, y_length=6, z_length=3)
        f = lambda x, y: 0.5 * (x * x + 2 * y * y) + 0.3 * np.sin(3 * x)
        point = lambda u, v: axes.c2p(u, v, f(u, v))
        scale = [(BLUE_E, 0), (TEAL, 1.2), (YELLOW, 3.5)]
        if opengl:
            mesh = OpenGLSurface(point, u_range=(-2, 2), v_range=(-2, 2), resolution=(33, 33),
                                 axes=axes, colorscale=scale)
        else:
            mesh = Surface(point, u_range=(-2, 2), v_range=(-2, 2), resolution=32, fill_opacity=1,
                           checkerboard_colors=False, stroke_width=0.4)
            mesh.set_fill_by_value(axes=axes, colorscale=scale)
        p, steps = np.array([-1.8, 1.6]), []
        for _ in range(40):
            steps.append(p.copy())
            p = p - 0.12 * np.array([p[0] + 0.9 * np.cos(3 * p[0]), 2 * p[1]])
        path_class = OpenGLVMobject if opengl else VMobject  # a bare VMobject is not converted
        trail = path_class(color=RED, stroke_width=4).set_points_as_corners(
            [axes.c2p(x, y, f(x, y) + 0.05) for x, y in steps])
        ball = Dot3D(trail.get_start(), radius=0.09, color=RED, resolution=(8, 8))
        level = Line(axes.c2p(-2, -2, 1.0), axes.c2p(2, 2, 1.0), color=WHITE, stroke_width=5)  # dips under the mesh
        if opengl:
            for m in (trail, level):
                m.apply_depth_test()
        title = Text("Probe: fixed-in-frame title", font_size=28).to_corner(UL)
        formula = MathTex(r"f(x, y) = \tfrac{1}{2}(x^2 + 2y^2) + 0.3\sin 3x", font_size=30).to_corner(UR)
        # An image (the parts' mesh snapshots are ImageMobjects) only in Cairo: in 0.21 ImageMobject is not
        # converted to OpenGLImageMobject, which crashes on an array (its resize size is shape[:2] * 200)
        # and, from a file, at the first frame (the renderer opens its PIL texture as a path).
        ramp = np.uint8(np.linspace(0, 255, 64))[None, :, None].repeat(32, 0).repeat(3, 2)
        image = Text("no image in OpenGL", font_size=24) if opengl else ImageMobject(ramp).set(height=0.8)
        image.to_corner(DR)
        self.add(axes, mesh, level)
        self.add_fixed_in_frame_mobjects(title, formula, image)
        self.play(FadeIn(title), FadeIn(formula), FadeIn(image), run_time=1)
        self.add(ball)
        self.play(Create(trail), MoveAlongPath(ball, trail), run_time=3, rate_func=linear)
        self.move_camera(phi=55 * DEGREES, theta=-110 * DEGREES, run_time=4)
        self.begin_ambient_camera_rotation(rate=0.3)
        self.wait(2)
        self.stop_ambient_camera_rotation()
'''


def gl_stack() -> tuple[bool, str]:
    """Whether a headless GL context opens the way manim opens one (GLX, else EGL), and its renderer."""
    code = ("import moderngl\n"
            "try:\n    c = moderngl.create_context(standalone=True)\n"
            "except Exception:\n    c = moderngl.create_context(standalone=True, backend='egl')\n"
            "print(c.info['GL_RENDERER'], '/', c.info['GL_VERSION'])")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        return False, lines[-1] if lines else f"exit {proc.returncode}"
    return True, proc.stdout.strip()


def _reason(output: str) -> str:
    """The exception line of a failed manim run (its last 'SomethingError: ...' line)."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for line in reversed(lines):
        head = line.split(":", 1)[0]
        if head.endswith(("Error", "Exception")) and " " not in head:
            return line
    return lines[-1] if lines else "no output"


def _video(media: Path, cls: str) -> Path | None:
    found = [v for v in media.rglob(f"{cls}.mp4") if "partial_movie_files" not in v.parts and "sections" not in v.parts]
    return found[0] if found else None


def render(path: str, cls: str, media: Path, tex_from: Path | None, opengl: bool, env: dict) -> dict:
    """One timed render into ``media``; returns wall time, video length and the failure reason."""
    media.mkdir(parents=True, exist_ok=True)
    for sub in ("Tex", "texts"):
        if tex_from is not None and (tex_from / sub).is_dir():
            shutil.copytree(tex_from / sub, media / sub, dirs_exist_ok=True)
    cmd = [str(MANIM), "-ql", "--media_dir", str(media), "--disable_caching", "--progress_bar", "none",
           *(OPENGL_FLAGS if opengl else []), path, cls]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    video = _video(media, cls)
    if proc.returncode != 0 or video is None:
        why = _reason(proc.stderr + "\n" + proc.stdout) if proc.returncode != 0 else "no video written"
        return {"wall": wall, "video": None, "path": None, "error": why}
    return {"wall": wall, "video": duration(video), "path": video, "error": None}


def frames(name: str, cairo: Path, opengl: Path, length: float, out: Path) -> list[Path]:
    """Frames at the same four times of both videos, side by side (Cairo left, OpenGL right)."""
    out.mkdir(parents=True, exist_ok=True)
    saved = []
    for frac in (0.12, 0.37, 0.62, 0.9):
        t = round(length * frac, 1)
        target = out / f"{name}_t{t:05.1f}.png"
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-ss", str(t), "-i", str(cairo),
                        "-ss", str(t), "-i", str(opengl),
                        "-filter_complex", "[0:v][1:v]hstack=inputs=2", "-frames:v", "1", str(target)], check=True)
        saved.append(target)
    return saved


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated, from {', '.join(PARTS)}")
    parser.add_argument("--keep", action="store_true", help="keep the temporary media folders")
    parser.add_argument("--frames", type=Path, metavar="DIR", help="save side-by-side frames of both videos here")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.parts.split(",") if n.strip()]
    unknown = [n for n in names if n not in PARTS]
    if unknown:
        parser.error(f"unknown part {unknown[0]!r}; accepted: {', '.join(PARTS)}")

    ok, gl = gl_stack()
    print(f"OpenGL: {gl}" if ok else f"OpenGL skipped: no headless GL context ({gl}); "
          "on Debian: apt-get install --no-install-recommends libegl1 libgl1-mesa-dri")
    print(f"load average at the start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    env = {**os.environ, "COLUMNS": "400"}  # one-line tracebacks from rich
    env.pop("GDX_CONFIG", None)  # the parts' defaults are what we measure
    # This tree's packages, not those of the editable install (which may be another checkout).
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    work = Path(tempfile.mkdtemp(prefix="gdx-bench-opengl-"))
    probe = work / "opengl_probe.py"
    probe.write_text(PROBE)
    print(f"{'part':11} {'Cairo s':>8} {'OpenGL s':>9} {'video s':>8} {'ratio':>6}  result")
    try:
        for name in names:
            path, cls = PARTS[name]
            path = path or str(probe)
            warm = work / f"{name}-latex"
            subprocess.run([str(MANIM), "-ql", "--media_dir", str(warm), "--disable_caching", "--progress_bar", "none",
                            "--dry_run", "--frame_rate", "1", path, cls], cwd=ROOT, env=env, capture_output=True)
            cairo = render(path, cls, work / f"{name}-cairo", warm, False, env)
            gl_row = render(path, cls, work / f"{name}-opengl", warm, True, env) if ok else None
            video = cairo["video"] or (gl_row or {}).get("video")
            ratio = (f"{gl_row['wall'] / cairo['wall']:6.2f}" if gl_row and not gl_row["error"] and not cairo["error"]
                     else f"{'-':>6}")
            if gl_row is None:
                result = "OpenGL skipped"
            elif gl_row["error"] or cairo["error"]:
                failed = [(label, row) for label, row in (("Cairo", cairo), ("OpenGL", gl_row)) if row["error"]]
                result = "; ".join(f"{label} failed: {row['error']}" for label, row in failed)
            else:
                result = f"both rendered (OpenGL video {gl_row['video']:.1f} s)"
            print(f"{name:11} {cairo['wall']:8.1f} {(gl_row['wall'] if gl_row else float('nan')):9.1f} "
                  f"{(video or float('nan')):8.1f} {ratio}  {result}", flush=True)
            if args.frames and gl_row and not gl_row["error"] and not cairo["error"]:
                length = min(cairo["video"], gl_row["video"])
                for saved in frames(name, cairo["path"], gl_row["path"], length, args.frames):
                    print(f"    frame: {saved}")
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
