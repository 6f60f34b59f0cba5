"""Encoder settings at equal picture: libx264 presets (and x264's ``animation`` tune), and the
project's way of handing frames to the encoder (``scenes.encoding``), against manim 0.21's own
(libx264, preset medium, crf 23, yuv420p; a copy of every frame, each copy of a held frame
converted again), on frames manim really draws.

    .venv/bin/python benchmarks/encoder.py                 # race plays 5-6 (3D) + learning rate plays 8-9 (2D), -qh
    .venv/bin/python benchmarks/encoder.py -q k --frames 120

The sample is rendered once as lossless PNGs (``manim --format png``), so every setting encodes
the same clean frames through manim's own frame path (``_PartialMovieEncodeJob``'s) or the
project's, and its last frame held for a second in a movie of its own (one call with
``num_frames`` = the frame rate, as a wait writes it). Printed for each setting: the CPU time of encoding (all of x264's threads; the least load-sensitive measure)
and its ratio to manim's, the file size, and the worst and mean SSIM of the decoded frames
against the PNGs (luma; the picture must stay >= 0.99). The load average at the start shows
how quiet the machine was.
"""

from __future__ import annotations

import argparse
import itertools
import os
import resource
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

import av
import numpy as np
from manim.scene.scene_file_writer import _PartialMovieEncodeJob
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from frame_image import ssim  # noqa: E402
from render_scenes import cpu_seconds  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from scenes.encoding import X264_OPTIONS, encode_frame  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ("scenes/parts/race.py:OptimizerRace:5,6", "scenes/parts/learning_rate.py:LearningRate:8,9")
MANIM = {"preset": "medium", "crf": "23"}  # libx264's default preset; manim sets crf 23
MANIM_FRAMES = _PartialMovieEncodeJob._encode_and_write_frame  # (scenes.encoding not installed here)
SETTINGS = {  # name: (x264 options, frame path)
    "manim (medium)": MANIM,
    "medium, tune animation": {**MANIM, "tune": "animation"},
    "fast": {"preset": "fast", "crf": "23"},
    "faster": {"preset": "faster", "crf": "23"},
    "veryfast": {"preset": "veryfast", "crf": "23"},
    "veryfast, tune animation": {"preset": "veryfast", "crf": "23", "tune": "animation"},
    "veryfast, crf 21": {"preset": "veryfast", "crf": "21"},
    "superfast": {"preset": "superfast", "crf": "23"},
    "superfast, crf 25": {"preset": "superfast", "crf": "25"},
    "ultrafast": {"preset": "ultrafast", "crf": "23"},
}
SETTINGS = {name: (options, MANIM_FRAMES) for name, options in SETTINGS.items()}
SETTINGS["project: veryfast crf 21, its frame path"] = (dict(X264_OPTIONS), encode_frame)
# as gdx encodes renders run side by side (GDX_X264_THREADS=1)
SETTINGS["project, one thread (side by side)"] = ({**X264_OPTIONS, "threads": "1"}, encode_frame)


def sample_frames(spec: str, quality: str, limit: int, folder: Path) -> tuple[list[np.ndarray], int]:
    """The frames of ``FILE:Scene:plays`` as RGBA arrays (at most ``limit``), and the frame rate."""
    file, scene, plays = spec.split(":")
    media = folder / f"{scene}-{plays.replace(',', '-')}-{quality}"
    if not any(media.glob("images/**/*.png")):
        subprocess.run([sys.executable, "-m", "manim", "render", f"-q{quality}", "-n", plays, "--format", "png",
                        "--disable_caching", "--media_dir", str(media), "-v", "ERROR", "--progress_bar", "none",
                        file, scene], cwd=ROOT, check=True, capture_output=True)
    pngs = sorted(media.glob("images/**/*.png"))[:limit]
    if not pngs:
        raise SystemExit(f"encoder benchmark: manim wrote no frames for {spec}")
    rate = {"l": 15, "m": 30, "h": 60, "p": 60, "k": 60}[quality]
    return [np.asarray(Image.open(p).convert("RGBA")) for p in pngs], rate


def encode(frames: list[np.ndarray], rate: int, options: dict, frame_path, path: Path) -> float:
    """Encode as manim's writer does, ``frame_path`` for each frame: the frames into ``path``, then
    their last frame held a second into a movie of its own beside it (a wait is a play of its own);
    the CPU seconds it took (this process, every thread)."""
    before = cpu_seconds(resource.RUSAGE_SELF)
    for target, batches in ((path, [(f, 1) for f in frames]), (held_path(path), [(frames[-1], rate)])):
        with av.open(str(target), mode="w") as container:
            stream = container.add_stream("libx264", rate=rate, options={"an": "1", **options})
            stream.pix_fmt = "yuv420p"
            stream.height, stream.width = frames[0].shape[:2]
            job = types.SimpleNamespace(stream=stream, container=container)
            for frame, count in batches:
                frame_path(job, frame.copy(), count)  # (the renderer hands over a copy of its pixels)
            for packet in stream.encode():
                container.mux(packet)
    return cpu_seconds(resource.RUSAGE_SELF) - before


def held_path(path: Path) -> Path:
    return path.with_name(path.stem + "-held.mp4")


def similarity(frames: list[np.ndarray], path: Path) -> tuple[float, float]:
    """Worst and mean SSIM (luma) of the decoded videos against the source frames (the held
    movie's frames against the last one)."""
    scores = []
    for target, sources in ((path, frames), (held_path(path), itertools.repeat(frames[-1]))):
        with av.open(str(target)) as container:
            for source, decoded in zip(sources, container.decode(container.streams.video[0])):
                grey = np.asarray(Image.fromarray(source).convert("L"), dtype=float)
                scores.append(ssim(grey, decoded.to_ndarray(format="gray").astype(float)))
    return min(scores), float(np.mean(scores))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-q", "--quality", default="h")
    ap.add_argument("--frames", type=int, default=240, help="at most this many frames of each sample")
    ap.add_argument("--sample", action="append", help="FILE:Scene:plays (repeatable)")
    ap.add_argument("--keep", type=Path, help="render the samples' PNGs into this folder once and reuse them")
    args = ap.parse_args()
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="gdx-bench-encoder-") as tmp:
        samples = [(spec, *sample_frames(spec, args.quality, args.frames, args.keep or Path(tmp)))
                   for spec in args.sample or SAMPLES]
        print(f"frames: {', '.join(f'{len(f)} of {s}' for s, f, _ in samples)} ({samples[0][1][0].shape[1]} px wide)")
        print(f"{'setting':42s} {'CPU s':>7s} {'ratio':>6s} {'wall s':>7s} {'kB':>7s} {'worst SSIM':>10s} {'mean SSIM':>9s}")
        baseline = None
        for name, (options, frame_path) in SETTINGS.items():
            cpu = wall = size = 0.0
            worst, means = 1.0, []
            for i, (_, frames, rate) in enumerate(samples):
                path = Path(tmp) / f"{name.replace(' ', '_').replace(',', '')}-{i}.mp4"
                start = time.perf_counter()
                cpu += encode(frames, rate, options, frame_path, path)
                wall += time.perf_counter() - start
                size += (path.stat().st_size + held_path(path).stat().st_size) / 1000
                low, mean = similarity(frames, path)
                worst, means = min(worst, low), means + [mean]
            baseline = baseline or cpu
            print(f"{name:42s} {cpu:7.1f} {cpu / baseline:6.2f} {wall:7.1f} {size:7.0f} {worst:10.4f} {np.mean(means):9.4f}")


if __name__ == "__main__":
    main()
