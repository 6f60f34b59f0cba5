"""``gdx stills --handout``: a print PDF (A4 or Letter) with a cover listing the beats and a page per
beat with its still and words as real text; a render already made is reused, not made again.

The PDFs are read with the small reader below (cairo's output: an xref table, Flate streams,
fonts with ToUnicode maps), so no PDF tool needs to be installed."""

import json
import re
import shutil
import zlib
from pathlib import Path

import numpy as np
import pytest

from gdx import catalog, cli
from gdx.jobs import Job, Result, Runner
from gdx.stills import (FONT, BeatPage, Handout, HandoutPart, find_render, frame_at, render_stamp,
                        write_stamp)
from gdx.words import narration_dirs, narration_file

TINY = Path(__file__).parent / "data" / "tiny.py"
SCENE = f"{TINY}:Tiny"
NARRATION = narration_file("tiny", narration_dirs(TINY))


# ----------------------------------------------------------------------------- a PDF reader


class Pdf:
    """Pages, page sizes, metadata, images and the text of a PDF cairo wrote."""

    def __init__(self, path: Path):
        self.data = data = Path(path).read_bytes()
        start = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
        table = re.match(rb"xref\s+0 (\d+)\s*\n", data[start:])
        entries = data[start + table.end():]
        self.offsets = {i: int(entries[20 * i:20 * i + 10]) for i in range(int(table.group(1)))
                        if entries[20 * i + 17:20 * i + 18] == b"n"}
        kids = re.search(rb"/Type /Pages\s*/Kids \[(.*?)\]", data, re.S).group(1)
        self.pages = [int(n) for n in re.findall(rb"(\d+) 0 R", kids)]

    def obj(self, num: int) -> tuple[bytes, bytes | None]:
        """``(dictionary, decoded stream or None)`` of object ``num``."""
        head_start = re.compile(rb"\d+ 0 obj\s*").match(self.data, self.offsets[num]).end()
        end, stream = self.data.find(b"endobj", head_start), self.data.find(b"stream", head_start)
        if stream == -1 or stream > end:
            return self.data[head_start:end], None
        head = self.data[head_start:stream]
        length = re.search(rb"/Length (\d+)( 0 R)?", head)
        size = int(self.obj(int(length.group(1)))[0]) if length.group(2) else int(length.group(1))
        body_start = stream + len(b"stream") + (2 if self.data[stream + 6:stream + 8] == b"\r\n" else 1)
        body = self.data[body_start:body_start + size]
        return head, zlib.decompress(body) if b"/FlateDecode" in head else body

    def page_size(self, page: int) -> tuple[float, float]:
        box = re.search(rb"/MediaBox \[\s*([\d.\s]+)\]", self.obj(self.pages[page])[0]).group(1).split()
        return float(box[2]) - float(box[0]), float(box[3]) - float(box[1])

    def info(self) -> dict[str, str]:
        ref = re.search(rb"/Info (\d+) 0 R", self.data).group(1)
        head = self.obj(int(ref))[0]
        return {k.decode(): _pdf_string(v) for k, v in re.findall(rb"/(\w+) (\(.*?(?<!\\)\)|<[0-9A-Fa-f]+>)", head)}

    def images(self, page: int) -> list[tuple[int, int]]:
        resources = self._resources(page)
        found = []
        for ref in re.findall(rb"/x\d+ (\d+) 0 R", resources):
            head = self.obj(int(ref))[0]
            if b"/Subtype /Image" in head:
                found.append((int(re.search(rb"/Width (\d+)", head).group(1)), int(re.search(rb"/Height (\d+)", head).group(1))))
        return found

    def _resources(self, page: int) -> bytes:
        head = self.obj(self.pages[page])[0]
        ref = re.search(rb"/Resources (\d+) 0 R", head)
        return self.obj(int(ref.group(1)))[0] if ref else head

    def text(self, page: int) -> str:
        """The page's text: lines in drawing order, cells of a line apart by a space."""
        fonts = {}
        for name, ref in re.findall(rb"/(f-[\d-]+) (\d+) 0 R", self._resources(page)):
            to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", self.obj(int(ref))[0])
            fonts[name.decode()] = _cmap(self.obj(int(to_unicode.group(1)))[1])
        content = self.obj(int(re.search(rb"/Contents (\d+) 0 R", self.obj(self.pages[page])[0]).group(1)))[1]
        out, operands, font, y, scale = [], [], None, None, 1.0
        for token in re.finditer(rb"\((?:\\.|[^\\)])*\)|<<|>>|<[0-9A-Fa-f\s]*>|\[|\]|/[^\s/\[\]()<>]+|[-+.\d]+|[A-Za-z'\"*]+",
                                 content, re.S):
            tok = token.group()
            if tok[:1] in b"(<" and tok not in (b"<<",):
                operands.append(("s", tok))
            elif re.fullmatch(rb"[-+.\d]+", tok):
                operands.append(("n", float(tok)))
            elif tok.startswith(b"/") or tok in (b"[", b"]", b"<<", b">>"):
                operands.append(("x", tok))
            else:
                op = tok.decode()
                if op == "Tf":
                    font = operands[-2][1].decode()[1:]
                elif op in ("Tj", "TJ"):
                    width, table = fonts[font]
                    for kind, value in operands:
                        if kind == "s":
                            raw = _pdf_bytes(value)
                            out.append("".join(table.get(int.from_bytes(raw[i:i + width], "big"), "?")
                                               for i in range(0, len(raw), width)))
                elif op in ("Tm", "Td"):  # a new run of glyphs: on a new line, or further along this one
                    if op == "Tm":
                        new, scale = operands[-1][1], operands[-3][1]
                    else:
                        new = y + operands[-1][1] * scale
                    if y is not None:
                        out.append("\n" if abs(new - y) > 0.5 else " ")
                    y = new
                operands = []
        return "".join(out)

    def words(self, page: int) -> str:
        return " ".join(self.text(page).split())


def _pdf_bytes(token: bytes) -> bytes:
    if token.startswith(b"<"):
        return bytes.fromhex(re.sub(rb"\s", b"", token[1:-1]).decode())
    escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
    return re.sub(rb"\\([0-7]{1,3}|.)", lambda m: bytes([int(m.group(1), 8)]) if m.group(1)[:1].isdigit()
                  else escapes.get(m.group(1), m.group(1)), token[1:-1], flags=re.S)


def _pdf_string(token: bytes) -> str:
    raw = _pdf_bytes(token)
    return raw[2:].decode("utf-16-be") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1")


def _cmap(stream: bytes) -> tuple[int, dict[int, str]]:
    """A ToUnicode CMap: ``(bytes per code, code -> text)``."""
    width = len(re.search(rb"begincodespacerange\s*<([0-9A-Fa-f]+)>", stream).group(1)) // 2
    table = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            table[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", stream, re.S):
        for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]+>|\[.*?\])", block, re.S):
            lo, hi = int(lo, 16), int(hi, 16)
            if dst.startswith(b"["):
                for k, each in enumerate(re.findall(rb"<([0-9A-Fa-f]+)>", dst)):
                    table[lo + k] = bytes.fromhex(each.decode()).decode("utf-16-be")
            else:
                base = bytes.fromhex(dst[1:-1].decode()).decode("utf-16-be")
                for k in range(hi - lo + 1):
                    table[lo + k] = base[:-1] + chr(ord(base[-1]) + k)
    return width, table


# ----------------------------------------------------------------------------- handouts of a render


def gdx(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """A media folder with Tiny rendered for stills (854 wide, captions on) and its A4 handout."""
    root = tmp_path_factory.mktemp("handout")
    code = cli.main(["--media", str(root / "media"), "stills", SCENE, "--width", "854", "--jobs", "1",
                     "--handout", str(root / "a4.pdf")])
    assert code == 0
    return root


def test_a4_handout_is_a_cover_and_a_page_per_beat_on_a4(rendered):
    pdf = Pdf(rendered / "a4.pdf")
    assert len(pdf.pages) == 1 + 2  # the cover, then draw and morph
    for page in range(3):
        assert pdf.page_size(page) == pytest.approx((595.276, 841.89), abs=0.01)  # ISO A4, 210 x 297 mm
    assert pdf.images(0) == [] and pdf.images(1) == pdf.images(2) == [(854, 480)]  # the frame's every pixel


def test_letter_handout_reuses_the_render_and_is_on_letter(capsys, rendered, monkeypatch):
    monkeypatch.setattr(Runner, "run_one", lambda *a: pytest.fail("rendered again"))
    video = rendered / "media" / "videos" / "tiny" / "480p15" / "Tiny.mp4"
    before = video.stat().st_mtime_ns
    code, out, err = gdx(capsys, "--media", rendered / "media", "stills", SCENE, "--width", 854,
                         "--handout", rendered / "letter.pdf", "--paper", "letter")
    assert code == 0, err
    assert out.splitlines()[0] == (f"reusing  {video} (the same scene, code, words, config, theme and captions)")
    assert "handout: 3/3 pages" in out and out.splitlines()[-1] == str(rendered / "letter.pdf")
    assert video.stat().st_mtime_ns == before
    pdf = Pdf(rendered / "letter.pdf")
    assert [pdf.page_size(p) for p in range(len(pdf.pages))] == [(612.0, 792.0)] * 3  # 8.5 x 11 in
    assert not list(rendered.glob(".letter.pdf*"))  # no temporary file left


def test_metadata_names_the_handout(rendered):
    info = Pdf(rendered / "a4.pdf").info()
    assert info["Title"] == "Tiny" and info["Creator"] == "gdx stills --handout"
    assert info["Author"] == "Gradient Descent, Explained (gdx)" and info["Subject"]


def test_cover_lists_every_beat_with_its_start_and_page(rendered):
    cover = Pdf(rendered / "a4.pdf").text(0).splitlines()
    assert cover[0] == "Tiny"
    assert "0:00.0 Draw 2" in cover and "0:01.0 Morph 3" in cover
    assert "Stills 854 pixels wide, dark theme, captions on; made with gdx stills --handout." in cover


def test_each_beat_page_carries_its_narration_as_text(rendered):
    pdf = Pdf(rendered / "a4.pdf")
    for page, beat in ((1, "draw"), (2, "morph")):
        words = pdf.words(page)
        assert f"NARRATION {NARRATION[beat]}" in words
        assert words.startswith(f"Tiny {'0:00.0 – 0:01.0' if beat == 'draw' else '0:01.0 – 0:02.5'} {beat.capitalize()}")
        assert words.endswith(f"Tiny {page + 1} / 3")  # the footer


def test_a_render_of_other_captions_or_code_is_not_reused(capsys, rendered, tmp_path, monkeypatch):
    media = tmp_path / "media"
    shutil.copytree(rendered / "media", media)
    job = Job(TINY, "Tiny", "l", "dark", env={"GDX_CAPTIONS": "on"}, name="Tiny")
    folder = media / "videos" / "tiny" / "480p15"
    assert find_render(job, [folder]).video == folder / "Tiny.mp4"
    assert find_render(Job(TINY, "Tiny", "l", "dark", env={"GDX_CAPTIONS": "off"}), [folder]) is None
    assert find_render(Job(TINY, "Tiny", "l", "light", env={"GDX_CAPTIONS": "on"}), [folder]) is None
    assert find_render(Job(TINY, "Tiny", "m", "dark", env={"GDX_CAPTIONS": "on"}), [folder]) is None
    monkeypatch.setattr(catalog, "fingerprint", lambda: "edited-code")
    assert find_render(job, [folder]) is None
    monkeypatch.undo()
    stamp_file = folder / "Tiny.mp4.render.json"  # a helper beside the scene file, or manim itself, changed
    saved = stamp_file.read_text()
    for key, value in (("beside", {"helper.py": "edited"}), ("manim", "0.0.0")):
        stamp_file.write_text(json.dumps({**json.loads(saved), key: value}))
        assert find_render(job, [folder]) is None, key
    stamp_file.write_text(saved)
    assert find_render(job, [folder]) is not None
    (folder / "Tiny.mp4").write_bytes((folder / "Tiny.mp4").read_bytes()[:-100])  # another video, no new stamp
    assert find_render(job, [folder]) is None
    calls = []
    real = Runner.run_one
    monkeypatch.setattr(Runner, "run_one", lambda self, job: calls.append(job) or real(self, job))
    code, out, err = gdx(capsys, "--media", media, "stills", SCENE, "--width", 854, "--at", "draw", "--jobs", 1)
    assert code == 0 and len(calls) == 1 and "reusing" not in out
    assert find_render(job, [folder]) is not None  # rendered again, and stamped


def test_a_render_at_the_same_resolution_and_another_frame_rate_is_reused(capsys, tmp_path, monkeypatch):
    """``gdx render --quality m`` makes 720p30; stills 1280 wide would render 720p15: the 720p30 is used."""
    media = tmp_path / "media"
    job = Job(TINY, "Tiny", "m", "dark", env={"GDX_CAPTIONS": "on"})
    stamp = render_stamp(job)
    result = Runner(media, 1, progress=lambda *_: None).run([job])[0]
    assert result.ok, result.error
    write_stamp(stamp, result.video)  # what a stamped render publishes beside its video
    monkeypatch.setattr(Runner, "run_one", lambda *a: pytest.fail("rendered again"))
    code, out, err = gdx(capsys, "--media", media, "stills", SCENE, "--width", 1280, "--at", "draw", "--at", "2",
                         "--out", tmp_path / "s")
    assert code == 0, err
    assert out.startswith(f"reusing  {media / 'videos' / 'tiny' / '720p30' / 'Tiny.mp4'} ")
    from PIL import Image

    still = np.asarray(Image.open(tmp_path / "s" / "Tiny" / "t2s.png"))
    assert np.array_equal(still, frame_at(result.video, 2.0))
    # the beat's still is its last frame at 30 frames/s: a 15 frames/s end would be a frame earlier
    at = float(re.search(r"draw\.png \(at ([\d.]+) s\)", out).group(1))
    assert at == pytest.approx(1.0 - 0.5 / 30, abs=1e-3)


# ----------------------------------------------------------------------------- the layout, without a render


def page(name="Show secant", narration="", captions=(), start=5.6, end=11.2, group=""):
    return BeatPage(name, start, end, list(captions), narration, group)


def test_long_words_run_onto_more_pages_and_the_cover_numbers_follow(tmp_path):
    long = " ".join(f"word{n}" for n in range(2500))
    parts = [HandoutPart("Chapter 2: The mathematics", "Chapter2Mathematics, 1:22.9",
                         [page("First", "Short."), page("Long", long, ["On screen\nin two lines"]), page("Last", "End.")])]
    lines = []
    with Handout(tmp_path / "h.pdf", "A title", parts, "letter", progress=lines.append) as handout:
        for _ in range(3):
            handout.add(np.full((480, 854, 3), 40, np.uint8))
    pdf = Pdf(tmp_path / "h.pdf")
    n = len(pdf.pages)
    assert n > 4 and lines[-1] == f"handout: {n}/{n} pages"
    cover = pdf.text(0).splitlines()
    assert "0:05.6 First 2" in cover and "0:05.6 Long 3" in cover and f"0:05.6 Last {n}" in cover
    flowed = " ".join(pdf.words(p) for p in range(2, n - 1))
    assert "ON SCREEN On screen in two lines NARRATION word0 word1" in flowed
    assert all(f"word{k} " in flowed for k in range(0, 2500, 97)) and "word2499" in flowed
    assert "Long (continued)" in pdf.words(3)
    assert pdf.words(n - 1).startswith("Chapter 2: The mathematics 0:05.6 – 0:11.2 Last NARRATION End.")


def test_greek_and_maths_in_the_words_are_real_text(tmp_path):
    words = "Up close: a step η u changes L by about η u·∇L; ‖∇L‖ shrinks, θᵢ ≤ 2.5 ℓ"
    with Handout(tmp_path / "h.pdf", "Θ and η", [HandoutPart("Part", "", [page("Beat", words, [words])])],
                 progress=lambda line: None) as handout:
        handout.add(np.zeros((1080, 1920, 4), np.uint8))  # a transparent still (RGBA)
    pdf = Pdf(tmp_path / "h.pdf")
    assert pdf.info()["Title"] == "Θ and η"
    assert "".join(words.split()) * 2 in "".join(pdf.text(1).split()).replace("ONSCREEN", "").replace("NARRATION", "")


def test_every_character_of_the_narration_has_a_glyph_in_the_handout_font():
    import cairo

    text = "".join(path.read_text() for path in (catalog.ROOT / "assets" / "narration").glob("*.toml"))
    chars = sorted({c for c in text if ord(c) > 127})
    context = cairo.Context(cairo.ImageSurface(cairo.FORMAT_RGB24, 8, 8))
    context.select_font_face(FONT)
    missing = [c for c in chars if context.get_scaled_font().text_to_glyphs(0, 0, c, False)[0].index == 0]
    assert chars and missing == []


def test_a_failure_half_way_leaves_no_file(tmp_path):
    parts = [HandoutPart("Part", "", [page("One"), page("Two")])]
    with pytest.raises(RuntimeError, match="decoder broke"):
        with Handout(tmp_path / "h.pdf", "T", parts, progress=lambda line: None) as handout:
            handout.add(np.zeros((480, 854, 3), np.uint8))
            raise RuntimeError("decoder broke")
    with pytest.raises(ValueError, match="got 1 of its 2 stills; nothing written"):
        with Handout(tmp_path / "h.pdf", "T", parts, progress=lambda line: None) as handout:
            handout.add(np.zeros((480, 854, 3), np.uint8))
    assert list(tmp_path.iterdir()) == []


def test_handout_parts_take_captions_and_narration_from_the_story(tmp_path):
    """The words on a beat's page are the ones the render filled in (its story JSON)."""
    from gdx.commands.stills import handout_part
    from gdx.usage import Target

    story = {"beats": [{"name": "tiny.draw", "captions": ["Step 3 of 10:\nf = 0.25"], "narration": "Filled: 0.25.",
                        "facts": {}}]}
    job = Job(TINY, "Tiny")
    result = Result(job, True, 0.0, tmp_path / "Tiny.mp4", [("tiny.draw", 1.0, None), ("tiny.morph", 1.5, None)],
                    story=story)
    part = handout_part(Target(catalog.find(SCENE), "Tiny"), result)
    assert part.heading == "Tiny" and part.detail == "Tiny, 0:02.5"
    draw, morph = part.beats
    assert (draw.name, draw.start, draw.end, draw.captions, draw.narration) == (
        "Draw", 0.0, 1.0, ["Step 3 of 10:\nf = 0.25"], "Filled: 0.25.")
    assert (morph.name, morph.captions, morph.narration) == ("Morph", [], NARRATION["morph"])
