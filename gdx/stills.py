"""Stills from a rendered scene at named beats or at times, and a handout PDF.

A still is the frame the video shows at that moment, decoded from the rendered video, so
it is exactly a frame a viewer sees. At a beat it is the picture the beat builds up to:
the beat's last frame, unless the beat ends by fading its picture out, in which case the
last frame before the fade. Every still of a video comes out of one decoding pass from its
start (:func:`walk`). PNG keeps every pixel; PDF and SVG wrap the same pixels (a PDF page, or
an SVG with the PNG embedded) for slide tools that want those.

A handout (:class:`Handout`) is a PDF for print on A4 or Letter: a cover listing every beat
with its start time and page, then one page per beat with its still, its on-screen caption
and its narration, set as real (selectable) text with cairo.

A render is reused rather than made again when the stamp published beside it
(``<video>.render.json``, :func:`render_stamp`) says it shows the same picture: the same
scene, code, words, config, theme, captions and resolution (:func:`find_render`).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import math
import os
import tempfile
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .jobs import write_atomic

FORMATS = ("png", "svg", "pdf")
EPS = 1e-6  # seconds: frame times and asked times are equal within this


# ----------------------------------------------------------------------------- decoding


def _pixel_format(stream) -> str:
    pix = stream.codec_context.pix_fmt or ""
    return "rgba" if "a" in pix and "yuv" not in pix else "rgb24"


class _Window:
    """The second half of a beat, where its still is looked for.

    The still is the latest frame whose pixel spread (standard deviation: how much is drawn)
    is at least ``fuller`` times the largest spread of the window: a fade-out lowers the
    spread, a beat that keeps building does not. Only the frames that can still be that
    frame are kept: a frame is out once a later one is at least as full (the later one
    wins) or once it falls below ``fuller`` times the largest so far.
    """

    def __init__(self, start: float, end: float, rate: float, fuller: float):
        self.first, self.last, self.half = start + 0.5 * (end - start), end - 0.5 / rate, 0.5 / rate
        self.fuller, self.top, self.kept = fuller, 0.0, []  # kept: [(time, spread, frame)]

    def add(self, t: float, spread: float, frame) -> None:
        self.top = max(self.top, spread)
        self.kept = [k for k in self.kept if k[1] > spread and k[1] >= self.fuller * self.top]
        self.kept.append((t, spread, frame))

    def still(self, shown):
        """``(time, frame)``: the chosen frame and the middle of its display interval; ``shown``
        (the frame on screen at the window's end) when no frame fell inside the window."""
        chosen = [k for k in self.kept if k[1] >= self.fuller * self.top]
        if not chosen:
            return self.last, shown
        t, _, frame = chosen[-1]
        return min(t + self.half, self.last), frame


def walk(video: Path, times=(), spans=(), band: float = 0.0, fuller: float = 0.97, rate: float | None = None):
    """Decode ``video`` once from its start and yield ``(kind, index, seconds, pixels)`` as each
    still becomes known:

    - ``("time", i, t, pixels)`` for ``times[i]``: the frame shown at ``t`` (clamped to the last frame);
    - ``("span", i, t, pixels)`` for the beat ``spans[i] = (start, end)``: its picture (see
      :class:`_Window`), ``t`` the middle of that frame's display interval.

    Beats that do not overlap are yielded in the order they end. ``band``: the share of the
    frame's height, from the bottom, left out of the spread measure (the caption band: a caption
    that fades must not count as the picture fading). ``rate``: the frame rate the beat ends are
    rounded to (default: the video's). Decoding stops after the last moment asked for.
    """
    import av

    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        rate = float(rate or stream.guessed_rate or stream.average_rate)
        fmt = _pixel_format(stream)
        pending = deque(sorted(range(len(times)), key=lambda i: times[i]))
        active = {i: _Window(start, end, rate, fuller) for i, (start, end) in enumerate(spans)}
        shown = None  # the frame on screen until the current one
        for frame in container.decode(stream):
            t = float(frame.pts * stream.time_base)
            while pending and shown is not None and t > times[pending[0]] + EPS:
                i = pending.popleft()
                yield "time", i, times[i], shown.to_ndarray(format=fmt)
            for i in [i for i, w in active.items() if t > w.last + EPS]:
                at, chosen = active.pop(i).still(shown if shown is not None else frame)
                yield "span", i, at, chosen.to_ndarray(format=fmt)
            if not pending and not active:
                return
            inside = [w for w in active.values() if w.first - EPS <= t <= w.last + EPS]
            if inside:
                gray = frame.to_ndarray(format="gray")
                spread = float(gray[:gray.shape[0] - math.ceil(band * gray.shape[0])].std())
                for w in inside:
                    w.add(t, spread, frame)
            shown = frame
        if shown is None:
            raise ValueError(f"{video} has no frames")
        for i in pending:
            yield "time", i, times[i], shown.to_ndarray(format=fmt)
        for i, w in active.items():
            at, chosen = w.still(shown)
            yield "span", i, at, chosen.to_ndarray(format=fmt)


def frame_at(video: Path, seconds: float) -> np.ndarray:
    """The frame shown at ``seconds`` (RGB or RGBA uint8 array), clamped to the last frame."""
    return next(walk(video, times=[seconds]))[3]


def beat_still_time(video: Path, start: float, end: float, fps: float | None = None, fuller: float = 0.97,
                    band: float = 0.0) -> float:
    """The time of a beat's still: its last frame, or, when the beat ends by clearing the
    screen, the last frame before the clearing began (the middle of that frame's display
    interval, so :func:`frame_at` returns exactly that frame). ``fps``: the video's frame rate
    (default: read from the video); ``band``: see :func:`walk`."""
    return next(walk(video, spans=[(start, end)], band=band, fuller=fuller, rate=fps))[2]


def caption_band(theme: str = "dark", media: Path = Path("media")) -> float:
    """The share of the frame's height, from the bottom, that captions may cover: the top of the
    tallest caption the scenes make (two lines, the most either caption maker allows, in the
    theme's font), plus the theme's margin above it (a caption rises into it as it fades).
    Measured with the scenes' own code, once per change of code (cached in ``media/.gdx``)."""
    from . import catalog

    cache = Path(media) / ".gdx" / "caption-band.json"
    key = f"{catalog.fingerprint()}:{theme}"
    try:
        known = json.loads(cache.read_text())
    except (OSError, ValueError):
        known = {}
    if key not in known:
        known = {key: _measure_caption_band(theme, Path(media))}
        write_atomic(cache, json.dumps(known).encode())
    return known[key]


def _measure_caption_band(theme: str, media: Path) -> float:
    from manim import config, tempconfig
    from scenes.common import caption_band_height
    from scenes.theme import get_theme

    with tempconfig({"media_dir": str(media)}):  # Text typesets into media/texts, not the working folder's
        return caption_band_height(get_theme(theme)) / config.frame_height


# ----------------------------------------------------------------------------- single stills


def save_image(pixels: np.ndarray, path: Path, fmt: str, width: int | None = None) -> Path:
    """Write ``pixels`` as ``fmt`` to ``path`` (written to a temporary name, then renamed)."""
    from PIL import Image

    if fmt not in FORMATS:
        raise ValueError(f"invalid format {fmt!r}; accepted: {', '.join(FORMATS)}")
    image = Image.fromarray(pixels)
    if width and image.width != width:
        image = image.resize((width, round(image.height * width / image.width)), Image.LANCZOS)
    data = io.BytesIO()
    if fmt == "png":
        image.save(data, format="PNG")
    elif fmt == "pdf":
        image.convert("RGB").save(data, format="PDF", resolution=144, title=path.stem)
    else:
        png = io.BytesIO()
        image.save(png, format="PNG")
        encoded = base64.b64encode(png.getvalue()).decode()
        data.write((f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
                    f'width="{image.width}" height="{image.height}" viewBox="0 0 {image.width} {image.height}">'
                    f'<image width="{image.width}" height="{image.height}" '
                    f'xlink:href="data:image/png;base64,{encoded}"/></svg>\n').encode())
    return write_atomic(path, data.getvalue())


# ----------------------------------------------------------------------------- reusing a render

STAMP_SUFFIX = ".render.json"
# Every part of a stamp must match for two renders to be the same picture, but the frame rate
# (any rate gives the same stills) and the video's own digest (checked against the file).
NOT_THE_PICTURE = ("frame_rate", "video")


def _digest(path) -> str:
    """sha256 of a file's bytes ("" for no file), read in blocks: a video may be large."""
    if not path or not Path(path).is_file():
        return ""
    digest = hashlib.sha256()
    with open(path, "rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def render_stamp(job) -> dict:
    """What a render of ``job`` (a :class:`gdx.jobs.Job`) is made from: its scene, quality,
    frame rate, theme, environment (captions, a lesson's name), the content of its config
    file, the project's code and words (:func:`gdx.catalog.fingerprint`), its scene file and
    ``manim.cfg``, the Python files beside it (a scene of one's own may import its helpers) and
    manim's version. Take it before the render starts: code edited during a render is then
    newer than the stamp, and the render is not reused."""
    import importlib.metadata

    from . import catalog

    env = dict(job.env)
    config = env.pop("GDX_CONFIG", None) or os.environ.get("GDX_CONFIG", "")
    beside = {p.name: _digest(p) for p in sorted(Path(job.file).resolve().parent.glob("*.py"))}
    return {"scene": job.scene, "file": str(Path(job.file).resolve()), "scene_file": _digest(job.file),
            "beside": beside, "manim": importlib.metadata.version("manim"),
            "quality": job.quality, "frame_rate": job.frame_rate, "theme": job.theme,
            "transparent": job.transparent, "env": {k: str(v) for k, v in sorted(env.items())},
            "config": _digest(config), "code": catalog.fingerprint(), "manim_cfg": _digest(Path.cwd() / "manim.cfg")}


def stamp_path(video: Path) -> Path:
    """``Tiny.mp4`` -> ``Tiny.mp4.render.json`` beside it (a transparent render, ``Tiny.mov``,
    shares the folder and has its own)."""
    return video.with_name(video.name + STAMP_SUFFIX)


def write_stamp(stamp: dict, video: Path, dest: Path | None = None) -> Path:
    """``stamp`` with the digest of ``video`` (the bytes it describes), written to ``dest``
    (default: beside the video) under a temporary name, then renamed."""
    dest = dest or stamp_path(video)
    return write_atomic(dest, json.dumps({**stamp, "video": _digest(video)}, indent=1).encode())


def find_render(job, folders, want: dict | None = None):
    """A published render of ``job`` that shows the same picture, as a finished
    :class:`gdx.jobs.Result`, from the first of ``folders`` that holds one; else None.
    Its stamp must match ``want`` (default :func:`render_stamp`) but for the frame rate,
    and still describe the video there (its digest): a video published without a stamp
    over a stamped one is not reused."""
    from .jobs import Result

    want = want or render_stamp(job)
    name = job.name or job.scene
    video_name = f"{name}{'.mov' if job.transparent else '.mp4'}"
    for folder in dict.fromkeys(Path(f) for f in folders):
        video = folder / video_name
        stamp_file = stamp_path(video)
        if not (video.is_file() and stamp_file.is_file()):
            continue
        try:
            stamp = json.loads(stamp_file.read_text())
            index = json.loads((folder / "sections" / f"{job.scene}.json").read_text())
            sections = [(e["name"], float(e["duration"]), folder / "sections" / e["video"]) for e in index]
            story_file = folder / f"{name}.story.json"
            story = json.loads(story_file.read_text()) if story_file.exists() else {}
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if any(stamp.get(k) != v for k, v in want.items() if k not in NOT_THE_PICTURE) or \
                not all(p.is_file() for _, _, p in sections):
            continue
        if stamp.get("video") != _digest(video):  # last: it reads the whole video
            continue
        return Result(job, True, 0.0, video, sections, story=story)
    return None


# ----------------------------------------------------------------------------- the handout

# Page sizes in PostScript points: ISO A4 (210 x 297 mm) and US Letter (8.5 x 11 in).
PAPERS = {"a4": (210 / 25.4 * 72, 297 / 25.4 * 72), "letter": (8.5 * 72, 11 * 72)}
# DejaVu Sans has a glyph for every character of the narration (Greek, nabla, subscripts, the
# norm bars; Nimbus Sans, the theme's font, lacks the last two): a test checks it.
FONT = "DejaVu Sans"
PAGE_MARGIN = 20 / 25.4 * 72  # 20 mm: inside any office printer's unprintable edge
IMAGE_ASPECT = 16 / 9  # the box a still is fitted into: manim's frame (14.2 x 8 units)
INK, GREY, RULE = (0.1, 0.1, 0.1), (0.4, 0.4, 0.4), (0.75, 0.75, 0.75)


@dataclass
class BeatPage:
    """One beat of a handout: where it is, and its words."""

    name: str  # as people read it: "Show secant"
    start: float  # seconds from its video's start
    end: float
    captions: list[str] = field(default_factory=list)  # the on-screen captions, in order
    narration: str = ""
    group: str = ""  # the part of its video it belongs to ("derivatives"), where a video has several


@dataclass
class HandoutPart:
    """One video of a handout: a heading, a line about it, its beats."""

    heading: str
    detail: str
    beats: list[BeatPage]


@dataclass
class _Line:
    """A line of type: ``cells`` are ``(x, text, align)`` with x from the left margin."""

    cells: list
    size: float
    bold: bool = False
    color: tuple = INK
    leading: float = 0.0  # baseline to baseline; default 1.35 x size
    before: float = 0.0  # extra space above it (dropped at the top of a page)
    link: int | None = None  # the page the middle cell links to

    @property
    def height(self) -> float:
        return self.leading or 1.35 * self.size


class Handout:
    """A handout PDF written page by page: the cover when opened, then each beat's page as its
    still arrives (:meth:`add`, in the order of ``parts``), to a temporary file renamed into
    place when every page is there; on an error, or with pages missing, nothing is left.

    ``with Handout(path, title, parts) as h: h.add(pixels)``
    """

    def __init__(self, path: Path, title: str, parts: list[HandoutPart], paper: str = "a4", subject: str = "",
                 about: str = "", progress=print):
        if paper not in PAPERS:
            raise ValueError(f"invalid paper {paper!r}; accepted: {', '.join(PAPERS)}")
        self.path, self.title, self.parts, self.paper = Path(path), title, parts, paper
        self.subject, self.about, self.progress = subject, about, progress
        self.width, self.height = PAPERS[paper]
        self.text_width = self.width - 2 * PAGE_MARGIN
        self.beats = [(part, beat) for part in parts for beat in part.beats]
        self.done = 0  # beats added

    # -- type

    def _font(self, size: float, bold: bool = False) -> None:
        import cairo

        self.ctx.select_font_face(FONT, cairo.FONT_SLANT_NORMAL, cairo.FONT_WEIGHT_BOLD if bold else cairo.FONT_WEIGHT_NORMAL)
        self.ctx.set_font_size(size)

    def _measure(self, text: str, size: float, bold: bool = False) -> float:
        self._font(size, bold)
        return self.ctx.text_extents(text).x_advance

    def _wrap(self, text: str, size: float, bold: bool = False) -> list[str]:
        """``text`` broken into lines at spaces to fit the text width (a word too long alone is cut)."""
        width, lines = self.text_width, []
        for paragraph in text.split("\n"):
            line = ""
            for word in paragraph.split():
                while len(word) > 1 and self._measure(word, size, bold) > width:
                    cut = len(word) - 1
                    while cut > 1 and self._measure(word[:cut], size, bold) > width:
                        cut -= 1
                    if line:
                        lines.append(line)
                        line = ""
                    lines.append(word[:cut])
                    word = word[cut:]
                trial = f"{line} {word}".strip()
                if line and self._measure(trial, size, bold) > width:
                    lines.append(line)
                    line = word
                else:
                    line = trial
            if line:
                lines.append(line)
        return lines

    def _para(self, text: str, size: float, bold: bool = False, color=INK, before: float = 0.0,
              leading: float = 0.0) -> list[_Line]:
        lines = [_Line([(0.0, line, "left")], size, bold, color, leading) for line in self._wrap(text, size, bold)]
        if lines:
            lines[0].before = before
        return lines

    def _draw(self, line: _Line, y: float) -> None:
        import cairo

        self.ctx.set_source_rgb(*line.color)
        for n, (x, text, align) in enumerate(line.cells):
            self._font(line.size, line.bold)
            left = PAGE_MARGIN + x - (self.ctx.text_extents(text).x_advance if align == "right" else 0.0)
            linked = line.link is not None and n == len(line.cells) // 2
            if linked:
                # (a named destination: cairo 1.16 drops "page=N" links to pages not yet written)
                self.ctx.tag_begin(cairo.TAG_LINK, f"dest='page{line.link}'")
            self.ctx.move_to(left, y)
            self.ctx.show_text(text)
            if linked:
                self.ctx.tag_end(cairo.TAG_LINK)

    def _flow(self, lines: list[_Line], top: float, bottom: float) -> list[list[tuple[_Line, float]]]:
        """``lines`` set from ``top`` down to ``bottom``, page after page: ``[[(line, baseline)]]``."""
        pages, page, y = [], [], top
        for line in lines:
            step = line.height + (line.before if page else 0.0)
            if page and y + step > bottom:
                pages.append(page)
                page, step, y = [], line.height, top
            y += step
            page.append((line, y - 0.25 * line.height))  # baseline: a quarter of the leading above the line's foot
        return pages + [page]

    # -- pages

    def _footer(self, number: int) -> None:
        size = 8.0
        right = f"{number} / {self.pages}"
        room = self.text_width - self._measure(right, size) - 24
        title = self.title
        while len(title) > 1 and self._measure(title, size) > room:
            title = title[:-2] + "…"
        y = self.height - PAGE_MARGIN + 2 * size
        self._draw(_Line([(0.0, title, "left"), (self.text_width, right, "right")], size, color=GREY), y)

    def _cover_lines(self, beat_pages: list[int]) -> list[_Line]:
        lines = self._para(self.title, 26, bold=True, leading=32)
        if self.subject:
            lines += self._para(self.subject, 12, color=GREY, before=6)
        if self.about:
            lines += self._para(self.about, 9, color=GREY, before=4)
        time_x, name_x = 40.0, 50.0
        pages = iter(beat_pages)
        for part in self.parts:
            lines += self._para(part.heading, 13, bold=True, before=16)
            lines += self._para(part.detail, 9, color=GREY)
            group = None
            for beat in part.beats:
                page = next(pages)
                if beat.group and beat.group != group:
                    lines.append(_Line([(name_x, beat.group, "left")], 9, bold=True, color=GREY, before=4))
                group = beat.group
                name = beat.name
                while len(name) > 1 and self._measure(name, 10.5) > self.text_width - name_x - 40:
                    name = name[:-2] + "…"
                lines.append(_Line([(time_x, _clock(beat.start), "right"), (name_x, name, "left"),
                                    (self.text_width, str(page), "right")], 10.5, leading=15, link=page))
        return lines

    def _beat_layout(self, part: HandoutPart, beat: BeatPage):
        """The beat's page(s): ``(title lines, image box height, [[(line, baseline)]])``. The type and
        then the picture shrink until the words fit on one page; words that still do not fit
        (a narration of pages) go on to pages of their own."""
        top, bottom = PAGE_MARGIN + 30, self.height - PAGE_MARGIN - 10
        for text_scale, image_scale in ((1.0, 1.0), (0.9, 1.0), (0.82, 1.0), (0.82, 0.8), (0.82, 0.6)):
            title = self._para(beat.name, 17 * text_scale, bold=True, leading=22 * text_scale)
            image = self.text_width / IMAGE_ASPECT * image_scale
            words = []
            if beat.captions:
                words += self._para("ON SCREEN", 8, bold=True, color=GREY, before=4)
                for caption in beat.captions:
                    words += self._para(" ".join(caption.split("\n")), 12 * text_scale, before=3 * text_scale)
            if beat.narration:
                words += self._para("NARRATION", 8, bold=True, color=GREY, before=12 if beat.captions else 4)
                words += self._para(beat.narration, 11 * text_scale, leading=15.5 * text_scale)
            if not words:
                words = self._para("(no words in this beat)", 10, color=GREY, before=4)
            y = top + sum(line.height for line in title) + 8 + image + 10
            flowed = self._flow(words, y, bottom)
            if len(flowed) == 1:
                return title, image, flowed
        return title, image, [flowed[0]] + self._flow([line for page in flowed[1:] for line, _ in page], top, bottom)

    def __enter__(self) -> Handout:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".part", dir=self.path.parent)
        os.close(fd)
        self.tmp = Path(tmp)
        try:
            self._open()
        except BaseException:
            self.tmp.unlink(missing_ok=True)
            raise
        return self

    def _open(self) -> None:
        """The PDF surface, its metadata and outline, and the cover page(s)."""
        import cairo

        self.surface = cairo.PDFSurface(str(self.tmp), self.width, self.height)
        for key, value in ((cairo.PDF_METADATA_TITLE, self.title), (cairo.PDF_METADATA_SUBJECT, self.subject),
                           (cairo.PDF_METADATA_AUTHOR, "Gradient Descent, Explained (gdx)"),
                           (cairo.PDF_METADATA_CREATOR, "gdx stills --handout")):
            if value:
                self.surface.set_metadata(key, value)
        self.ctx = cairo.Context(self.surface)
        # Page numbers first: the cover lists them, and a beat whose words run long takes more than one page.
        self.layouts = [self._beat_layout(part, beat) for part, beat in self.beats]
        cover_pages = 1
        while True:  # (the cover's lines do not depend on the numbers: this settles at the second try)
            self.beat_pages, number = [], cover_pages + 1
            for _, _, pages in self.layouts:
                self.beat_pages.append(number)
                number += len(pages)
            cover = self._flow(self._cover_lines(self.beat_pages), PAGE_MARGIN, self.height - PAGE_MARGIN - 20)
            if len(cover) == cover_pages:
                break
            cover_pages = len(cover)
        self.pages, self.written, self.outline = number - 1, 0, {}
        beat_index = 0
        for part in self.parts:
            if part.beats:
                self.outline[id(part)] = self.surface.add_outline(
                    cairo.PDF_OUTLINE_ROOT, part.heading, f"page={self.beat_pages[beat_index]}", 0)
            beat_index += len(part.beats)
        for page in cover:
            for line, y in page:
                self._draw(line, y)
            self._page_done()

    def _page_done(self) -> None:
        self.written += 1
        self._footer(self.written)
        self.ctx.show_page()
        if self.written % 10 == 0 or self.written == self.pages:
            self.progress(f"handout: {self.written}/{self.pages} pages")

    def add(self, pixels: np.ndarray) -> None:
        """The next beat's page(s), with ``pixels`` (RGB or RGBA) as its still."""
        import cairo

        if self.done >= len(self.beats):
            raise ValueError(f"the handout has {len(self.beats)} beats; one more still was given")
        part, beat = self.beats[self.done]
        title, box, pages = self.layouts[self.done]
        self.done += 1
        ctx, left = self.ctx, PAGE_MARGIN
        ctx.tag_begin(cairo.TAG_DEST, f"name='page{self.written + 1}'")
        ctx.tag_end(cairo.TAG_DEST)
        where = part.heading + (f" · {beat.group}" if beat.group else "")
        self._draw(_Line([(0.0, where, "left"), (self.text_width, f"{_clock(beat.start)} – {_clock(beat.end)}", "right")],
                         9, color=GREY), PAGE_MARGIN + 9)
        ctx.set_source_rgb(*RULE)
        ctx.set_line_width(0.5)
        ctx.move_to(left, PAGE_MARGIN + 15)
        ctx.line_to(left + self.text_width, PAGE_MARGIN + 15)
        ctx.stroke()
        y = PAGE_MARGIN + 30
        for line in title:
            y += line.height
            self._draw(line, y - 0.25 * line.height)
        y += 8
        height, width = pixels.shape[:2]
        scale = min(box * IMAGE_ASPECT / width, box / height)  # points per pixel: the still fitted into its box
        x = left + (self.text_width - width * scale) / 2
        image = _cairo_image(pixels)
        ctx.save()
        ctx.translate(x, y)
        ctx.scale(scale, scale)
        ctx.set_source_surface(image, 0, 0)
        ctx.paint()
        ctx.restore()
        ctx.set_source_rgb(*RULE)
        ctx.rectangle(x, y, width * scale, height * scale)
        ctx.stroke()
        self.surface.add_outline(self.outline[id(part)], f"{beat.name} ({_clock(beat.start)})",
                                 f"page={self.written + 1}", 0)
        for n, page in enumerate(pages):
            if n:
                self._draw(_Line([(0.0, f"{where} · {beat.name} (continued)", "left")], 9, color=GREY),
                           PAGE_MARGIN + 9)
            for line, baseline in page:
                self._draw(line, baseline)
            self._page_done()
        del image  # (cairo has written it with the page)

    def __exit__(self, kind, error, trace) -> None:
        complete = kind is None and self.done == len(self.beats)
        try:
            self.surface.finish()
            if complete:
                os.chmod(self.tmp, 0o644)
                os.replace(self.tmp, self.path)
        finally:
            self.tmp.unlink(missing_ok=True)  # (gone already when it was renamed into place)
        if kind is None and not complete:
            raise ValueError(f"the handout got {self.done} of its {len(self.beats)} stills; nothing written")


def _clock(seconds: float) -> str:
    """``83.2`` -> ``1:23.2``."""
    from .usage import fmt_time

    return fmt_time(seconds)


def _cairo_image(pixels: np.ndarray):
    """``pixels`` (RGB or RGBA, uint8) as a cairo image: native-endian BGRA words, alpha premultiplied."""
    import cairo

    height, width = pixels.shape[:2]
    data = np.empty((height, width, 4), np.uint8)
    rgb = pixels[..., :3].astype(np.uint16)
    alpha = pixels[..., 3].astype(np.uint16) if pixels.shape[2] == 4 else None
    if alpha is not None:
        rgb = (rgb * alpha[..., None] + 127) // 255
    data[..., 0], data[..., 1], data[..., 2] = rgb[..., 2], rgb[..., 1], rgb[..., 0]
    data[..., 3] = 255 if alpha is None else alpha
    if not np.little_endian:  # cairo's words are native-endian: ARGB in memory order there
        data = data[..., ::-1].copy()
    fmt = cairo.FORMAT_RGB24 if alpha is None else cairo.FORMAT_ARGB32
    return cairo.ImageSurface.create_for_data(memoryview(bytearray(data.tobytes())), fmt, width, height, width * 4)
