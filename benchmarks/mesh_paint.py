"""Painting a 3D mesh: manim's ThreeDCamera against the project's (``scenes.meshpaint``).

For each mesh resolution, the same Rastrigin crate (the Landscapes part's) is drawn at 1080p
from ten camera angles by both cameras; prints CPU ms per frame, the ratio project / manim, and
whether every pixel of every frame is the same. Run: ``.venv/bin/python benchmarks/mesh_paint.py
[N ...]`` (default 24 40 64).
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np
from manim import config
from manim.camera.three_d_camera import ThreeDCamera

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mathcore import surfaces  # noqa: E402
from scenes.meshpaint import paint_meshes  # noqa: E402
from scenes.stage import SurfaceStage  # noqa: E402
from scenes.theme import get_theme  # noqa: E402

FRAMES = 10


def paint(mesh, phi, theta, painting: bool):
    """CPU seconds per frame and the frames, of ``mesh`` turning by 0.03 rad a frame."""
    camera = ThreeDCamera()
    camera.should_apply_shading = False  # (the mesh bakes its light: scenes.stage.lit_by_mesh)
    if painting:
        paint_meshes(camera)
    camera.set_phi(phi)
    shots = []
    start = time.process_time()
    for k in range(FRAMES):
        camera.set_theta(theta + 0.03 * k)
        camera.reset()
        camera.capture_mobjects([mesh])
        shots.append(camera.pixel_array.copy())
    return (time.process_time() - start) / FRAMES, shots


def main(resolutions) -> None:
    config.pixel_width, config.pixel_height = 1920, 1080
    theme = get_theme()
    print(f"load average at the start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(f"{'faces':>6} {'manim ms':>9} {'project ms':>11} {'ratio':>6}  pixels")
    for n in resolutions:
        crate = SurfaceStage(surfaces.rastrigin(), theme, window=((-3.5, 3.5), (-3.5, 3.5)), side=5.6, z_length=1.25,
                             phi=60.0, theta=-62.0, screen_xy=(-1.6, -0.5), floor=False, resolution=n)
        manim_s, manim_frames = paint(crate.mesh, crate.phi, crate.theta, False)
        ours_s, ours_frames = paint(crate.mesh, crate.phi, crate.theta, True)
        same = all(np.array_equal(a, b) for a, b in zip(manim_frames, ours_frames))
        print(f"{n * n:>6} {manim_s * 1000:>9.0f} {ours_s * 1000:>11.0f} {ours_s / manim_s:>6.2f}  "
              f"{'identical' if same else 'DIFFERENT'}")
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [24, 40, 64])
