"""A contact sheet of the rendered explainer: one frame of every beat, labelled.

    .venv/bin/python scripts/contact_sheet.py [media/videos/explainer/480p15] [-o sheet.png] [--columns 6]
    .venv/bin/python scripts/contact_sheet.py [folder] --frames 4 -o sheets/   # 4 frames a beat, a sheet per chapter

Reads the chapter videos that ``gdx render --explainer`` (``./scripts/video``) publishes, with
their manim section index (``sections/ChapterN.json``), and tiles one frame per beat: of the
frames in the last 60 % of the beat, the one with the most on screen (largest pixel spread),
so a beat that ends by fading out shows what it built, not the empty frame after it. With
``--frames N`` each beat is a row of N frames at evenly spread times inside it (from 1/(2N) to
1 - 1/(2N) of the beat, so transitions in and out are seen too), labelled with their time in
the chapter, one sheet per chapter in the output folder.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]


def frames_at(video: Path, times: list[float]) -> list[np.ndarray]:
    """The frames shown at each of ``times`` (seconds, ascending), decoding the video once."""
    import av

    out, pending = [], list(times)
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        previous = None
        for frame in container.decode(stream):
            t = float(frame.pts * stream.time_base)
            while pending and t > pending[0] + 1e-6 and previous is not None:
                out.append(previous.to_ndarray(format="rgb24"))
                pending.pop(0)
            previous = frame
        out += [previous.to_ndarray(format="rgb24") for _ in pending]
    return out


def beat_frames(folder: Path, parts: list[str]) -> list[tuple[str, np.ndarray]]:
    tiles = []
    for part in parts:
        index = json.loads((folder / "sections" / f"{part}.json").read_text())
        times, owners, names, t = [], [], [], 0.0
        for entry in index:
            start, t = t, t + float(entry["duration"])
            if entry["name"].startswith("chapter ") or t - start < 0.5:
                continue  # the title card, and zero-length sections
            for u in np.linspace(start + 0.4 * (t - start), t - 0.05, 8):
                times.append(u)
                owners.append(len(names))
            names.append(entry["name"])
        frames = frames_at(folder / f"{part}.mp4", times)
        best = {}
        for owner, frame in zip(owners, frames):
            spread = float(frame.std())
            if owner not in best or spread > best[owner][0]:
                best[owner] = (spread, frame)
        tiles += [(name, best[i][1]) for i, name in enumerate(names)]
    return tiles


def beat_rows(folder: Path, part: str, n: int) -> list[tuple[str, np.ndarray]]:
    """``n`` frames of every beat of chapter ``part``, in order, labelled ``beat  m:ss.s``."""
    index = json.loads((folder / "sections" / f"{part}.json").read_text())
    times, labels, t = [], [], 0.0
    for entry in index:
        start, t = t, t + float(entry["duration"])
        if t - start < 0.5:
            continue  # zero-length sections
        for k in range(n):
            u = start + (k + 0.5) / n * (t - start)
            times.append(u)
            labels.append(f"{entry['name'] if k == 0 else ''}  {int(u // 60)}:{u % 60:04.1f}")
    return list(zip(labels, frames_at(folder / f"{part}.mp4", times)))


def sheet(tiles, columns: int, width: int) -> Image.Image:
    h = round(width * tiles[0][1].shape[0] / tiles[0][1].shape[1])
    label_h, pad = 22, 4
    rows = (len(tiles) + columns - 1) // columns
    out = Image.new("RGB", (columns * (width + pad) + pad, rows * (h + label_h + pad) + pad), (60, 60, 60))
    draw = ImageDraw.Draw(out)
    try:
        font = ImageFont.truetype("DejaVuSans.ttf", 14)
    except OSError:
        font = ImageFont.load_default()
    for i, (name, pixels) in enumerate(tiles):
        x, y = pad + (i % columns) * (width + pad), pad + (i // columns) * (h + label_h + pad)
        draw.text((x + 2, y + 3), name, fill=(235, 235, 235), font=font)
        out.paste(Image.fromarray(pixels).resize((width, h), Image.LANCZOS), (x, y + label_h))
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default=str(ROOT / "media/videos/explainer/480p15"))
    parser.add_argument("-o", "--output", default="explainer_contact_sheet.png")
    parser.add_argument("--columns", type=int, default=6)
    parser.add_argument("--width", type=int, default=320, help="pixels per tile")
    parser.add_argument("--frames", type=int, default=1, help="frames a beat (more than 1: a sheet per chapter, "
                        "-o names a folder)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from scenes.explainer import EXPLAINER_PARTS

    folder = Path(args.folder)
    missing = [p for p in EXPLAINER_PARTS[1:] if not (folder / "sections" / f"{p}.json").exists()]
    if missing:
        print(f"contact_sheet: no rendered {missing[0]} in {folder}; accepted: the folder ./scripts/video "
              f"renders into (media/videos/explainer/<quality>)", file=sys.stderr)
        return 2
    if args.frames > 1:
        out = Path(args.output)
        out.mkdir(parents=True, exist_ok=True)
        for part in EXPLAINER_PARTS[1:]:
            tiles = beat_rows(folder, part, args.frames)
            sheet(tiles, args.frames, args.width).save(out / f"{part}.png")
            print(f"{out / part}.png: {len(tiles) // args.frames} beats, {args.frames} frames each")
        return 0
    tiles = beat_frames(folder, list(EXPLAINER_PARTS[1:]))
    sheet(tiles, args.columns, args.width).save(args.output)
    print(f"{args.output}: {len(tiles)} beats")
    return 0


if __name__ == "__main__":
    sys.exit(main())
