"""Stills from a rendered scene at named beats or at times, and a handout PDF.

A still is the frame the video shows at that moment, decoded from the rendered video, so
it is exactly a frame a viewer sees. At a beat it is the picture the beat builds up to:
the beat's last frame, unless the beat ends by fading its picture out, in which case the
last frame before the fade (:func:`beat_still_time`). PNG keeps every pixel; PDF and SVG wrap the same
pixels (a PDF page, or an SVG with the PNG embedded) for slide tools that want those.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

import numpy as np

FORMATS = ("png", "svg", "pdf")


def frame_at(video: Path, seconds: float) -> np.ndarray:
    """The frame shown at ``seconds`` (RGB or RGBA uint8 array), clamped to the last frame."""
    import av

    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        fmt = "rgba" if "a" in (stream.codec_context.pix_fmt or "") and "yuv" not in stream.codec_context.pix_fmt else "rgb24"
        chosen = None
        for frame in container.decode(stream):
            t = float(frame.pts * stream.time_base)
            if chosen is not None and t > seconds + 1e-6:
                break
            chosen = frame
        if chosen is None:
            raise ValueError(f"{video} has no frames")
        return chosen.to_ndarray(format=fmt)


def beat_still_time(video: Path, start: float, end: float, fps: float, fuller: float = 0.97) -> float:
    """The time of a beat's still: its last frame, or, when the beat ends by clearing the
    screen, the last frame before the clearing began.

    Among the frames of the beat's second half, the still is the latest whose pixel spread
    (standard deviation: how much is drawn) is at least ``fuller`` times the largest spread
    there; a fade-out lowers the spread, a beat that keeps building does not.
    """
    import av

    first = start + 0.5 * (end - start)
    last = end - 0.5 / fps
    spreads = []  # (time, spread)
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            t = float(frame.pts * stream.time_base)
            if t > last + 1e-6:
                break
            if t >= first - 1e-6:
                spreads.append((t, float(frame.to_ndarray(format="gray").std())))
    if not spreads:
        return last
    top = max(spread for _, spread in spreads)
    chosen = [t for t, spread in spreads if spread >= fuller * top][-1]
    # The middle of the chosen frame's display interval: frame_at() returns exactly that frame.
    return min(chosen + 0.5 / fps, last)


def save_image(pixels: np.ndarray, path: Path, fmt: str, width: int | None = None) -> Path:
    """Write ``pixels`` as ``fmt`` to ``path`` (written to a temporary name, then renamed)."""
    from PIL import Image

    image = Image.fromarray(pixels)
    if width and image.width != width:
        image = image.resize((width, round(image.height * width / image.width)), Image.LANCZOS)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    if fmt == "png":
        image.save(tmp, format="PNG")
    elif fmt == "pdf":
        image.convert("RGB").save(tmp, format="PDF", resolution=144)
    elif fmt == "svg":
        png = io.BytesIO()
        image.save(png, format="PNG")
        data = base64.b64encode(png.getvalue()).decode()
        tmp.write_text(f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
                       f'width="{image.width}" height="{image.height}" viewBox="0 0 {image.width} {image.height}">'
                       f'<image width="{image.width}" height="{image.height}" '
                       f'xlink:href="data:image/png;base64,{data}"/></svg>\n')
    else:
        raise ValueError(f"invalid format {fmt!r}; accepted: {', '.join(FORMATS)}")
    tmp.replace(path)
    return path


def handout(pages: list[tuple[np.ndarray, str, str]], path: Path) -> Path:
    """A PDF with one still per page and its caption: ``pages = [(pixels, title, caption)]``."""
    from PIL import Image, ImageDraw, ImageFont

    def font(size):
        for name in ("DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"):
            try:
                return ImageFont.truetype(name, size)
            except OSError:
                continue
        return ImageFont.load_default()

    sheets = []
    for pixels, title, caption in pages:
        still = Image.fromarray(pixels).convert("RGB")
        width = 1600
        still = still.resize((width, round(still.height * width / still.width)), Image.LANCZOS)
        margin, title_font, body_font = 60, font(40), font(30)
        lines = _wrap(caption, body_font, width)
        height = margin * 3 + 50 + still.height + 42 * max(1, len(lines))
        page = Image.new("RGB", (width + 2 * margin, height), "white")
        draw = ImageDraw.Draw(page)
        draw.text((margin, margin), title, fill="black", font=title_font)
        page.paste(still, (margin, margin + 60))
        y = margin * 2 + 60 + still.height
        for line in lines:
            draw.text((margin, y), line, fill="#222222", font=body_font)
            y += 42
        sheets.append(page)
    if not sheets:
        raise ValueError("a handout needs at least one still")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    sheets[0].save(tmp, format="PDF", save_all=True, append_images=sheets[1:], resolution=150)
    tmp.replace(path)
    return path


def _wrap(text, font, width):
    words, lines, line = text.split(), [], ""
    for word in words:
        trial = f"{line} {word}".strip()
        if font.getlength(trial) > width and line:
            lines.append(line)
            line = word
        else:
            line = trial
    return lines + ([line] if line else [])
