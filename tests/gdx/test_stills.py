"""gdx stills end to end on the tiny scenes of ``data/tiny.py``: stills at beats and times, all of a
video's stills from one decoding pass, the same moment with captions on and off, a lesson's stills."""

import json
import re
import textwrap
from pathlib import Path

import numpy as np
import pytest

from gdx import catalog, cli
from gdx.commands import stills as stills_cmd
from gdx.stills import beat_still_time, caption_band, frame_at, walk

TINY = Path(__file__).parent / "data" / "tiny.py"
SCENE = f"{TINY}:Tiny"


def gdx(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def png(path):
    from PIL import Image

    return np.asarray(Image.open(path)).astype(int)


def test_stills_at_a_beat_and_a_time_are_the_frames_shown_there(capsys, tmp_path):
    media, out_dir = tmp_path / "media", tmp_path / "stills"
    code, out, err = gdx(capsys, "--media", media, "stills", SCENE, "--at", "draw", "--at", "1.6",
                         "--width", 854, "--out", out_dir, "--jobs", 1)
    assert code == 0, err
    beat = png(out_dir / "Tiny" / "draw.png")
    at_time = png(out_dir / "Tiny" / "t1.6s.png")
    assert beat.shape == (480, 854, 3)
    video = media / "videos" / "tiny" / "480p15" / "Tiny.mp4"
    # the beat's still is the frame the video shows at the end of the beat (1 s at 15 fps)...
    assert np.array_equal(beat, frame_at(video, 1.0 - 0.5 / 15).astype(int))
    # ...which is the last frame of the beat's own section, up to codec noise
    section = sorted((media / "videos" / "tiny" / "480p15" / "sections").glob("Tiny_0000_*.mp4"))[0]
    assert np.abs(beat - frame_at(section, 1e9).astype(int)).mean() < 2.0
    assert np.array_equal(at_time, frame_at(video, 1.6).astype(int))
    assert np.abs(beat - at_time).mean() > 0.5  # mid-morph differs from the end of "draw"
    assert re.findall(r"\S+\.png", out) == [str(out_dir / "Tiny" / "draw.png"), str(out_dir / "Tiny" / "t1.6s.png")]


class DecodeCounter:
    """``av.open`` that counts, per file, the containers opened and the frames decoded."""

    def __init__(self, monkeypatch):
        import av

        self.real, self.opened, self.decoded = av.open, {}, {}
        monkeypatch.setattr(av, "open", self)

    def __call__(self, path, *args, **kwargs):
        container = self.real(path, *args, **kwargs)
        key = Path(str(path)).resolve()
        self.opened[key] = self.opened.get(key, 0) + 1
        real_decode, counts = container.decode, self.decoded

        class Counted:
            streams = container.streams

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                container.close()

            def decode(self, *a, **k):
                for frame in real_decode(*a, **k):
                    counts[key] = counts.get(key, 0) + 1
                    yield frame

        return Counted()


def test_every_still_of_a_video_comes_from_one_decoding_pass(capsys, tmp_path, monkeypatch):
    """--at beats, --at times and every handout beat: the video is opened once and no frame is
    decoded twice; the stills are the ones decoding each moment alone gives."""
    media = tmp_path / "media"
    code, _, err = gdx(capsys, "--media", media, "stills", SCENE, "--width", 854, "--jobs", 1, "--at", "1.0")
    assert code == 0, err  # (the render, outside the count)
    video = (media / "videos" / "tiny" / "480p15" / "Tiny.mp4").resolve()
    counter = DecodeCounter(monkeypatch)
    code, out, err = gdx(capsys, "--media", media, "stills", SCENE, "--width", 854, "--at", "morph", "--at", "draw",
                         "--at", "0.2", "--at", "2.0", "--handout", tmp_path / "h.pdf", "--out", tmp_path / "s")
    assert code == 0, err
    assert "reusing" in out and counter.opened == {video: 1}
    monkeypatch.undo()
    import av

    with av.open(str(video)) as container:
        frames = sum(1 for _ in container.decode(video=0))
    assert counter.decoded[video] <= frames
    spans = stills_cmd.beat_spans([(n, d, None) for n, d in [("tiny.draw", 1.0), ("tiny.morph", 1.4667)]])
    band = caption_band("dark", media)
    for label, start_end in (("draw", spans["tiny.draw"]), ("morph", spans["tiny.morph"])):
        alone = frame_at(video, beat_still_time(video, *start_end, band=band))
        assert np.array_equal(png(tmp_path / "s" / "Tiny" / f"{label}.png"), alone.astype(int))
    for t in (0.2, 2.0):
        assert np.array_equal(png(tmp_path / "s" / "Tiny" / f"t{t:g}s.png"), frame_at(video, t).astype(int))


def test_walk_gives_what_separate_decodes_give(tmp_path):
    from gdx.jobs import Job, Runner

    result = Runner(tmp_path / "media", 1, progress=lambda *_: None).run([Job(TINY, "Fading")])[0]
    assert result.ok, result.error
    spans = list(stills_cmd.beat_spans(result.sections).values())
    times = [2.9, 0.0, 1.3, 99.0]  # unsorted, and one past the end (the last frame)
    got = {(kind, i): (t, pixels) for kind, i, t, pixels in walk(result.video, times, spans)}
    assert len(got) == len(times) + len(spans)
    for i, t in enumerate(times):
        assert np.array_equal(got["time", i][1], frame_at(result.video, t))
    for i, span in enumerate(spans):
        t = beat_still_time(result.video, *span)
        assert got["span", i][0] == pytest.approx(t)
        assert np.array_equal(got["span", i][1], frame_at(result.video, t))


CAPTIONED = textwrap.dedent('''\
    """A beat that ends by taking its caption away, as parts do before their next beat."""

    from manim import BLUE, ORANGE, RIGHT, Circle, Create

    from scenes.common import ThemedScene


    class Captioned(ThemedScene):
        def construct(self):
            self.next_section("captioned.show")
            circle = Circle(color=BLUE, radius=1.0)
            self.play(Create(circle), *self.captions.show("A circle, and a caption\\nof two lines under it"), run_time=1.0)
            self.wait(0.6)
            self.play(*self.captions.show(None))
            self.next_section("captioned.after")
            self.play(circle.animate.shift(2 * RIGHT).set_color(ORANGE), run_time=0.6)
''')


def test_the_still_of_a_beat_is_the_same_moment_with_captions_on_and_off(capsys, tmp_path):
    """A caption fading out at a beat's end is not the picture fading: the still is taken at the same
    moment either way, and the band left out of the measure holds the whole caption. With captions
    off the picture's body is lower (``scenes.part.lower_body``), by the shift, and only that."""
    from manim import config, tempconfig

    from scenes.common import body_shift

    scene_file = tmp_path / "captioned.py"
    scene_file.write_text(CAPTIONED)
    media, moments, stills, held, gone = tmp_path / "media", {}, {}, {}, {}
    for captions in ("on", "off"):
        code, out, err = gdx(capsys, "--media", media, "stills", f"{scene_file}:Captioned", "--at", "show",
                             "--width", 854, "--captions", captions, "--out", tmp_path / captions, "--jobs", 1)
        assert code == 0, err
        moments[captions] = float(re.search(r"show\.png \(at ([\d.]+) s\)", out).group(1))
        stills[captions] = png(tmp_path / captions / "Captioned" / "show.png")
        video = media / "videos" / "captioned" / "480p15" / "Captioned.mp4"
        held[captions] = frame_at(video, 1.3).astype(int)  # the caption held on screen (when on)
        gone[captions] = frame_at(video, 2.15).astype(int)  # the same circle, the caption gone
        if captions == "on":  # the scene does catch the old measure: with the whole frame it picks an earlier frame
            index = json.loads((video.parent / "sections" / "Captioned.json").read_text())
            start, end = stills_cmd.beat_spans([(e["name"], float(e["duration"]), None) for e in index])["captioned.show"]
            assert beat_still_time(video, start, end, band=0.0) < moments["on"] - 0.2
    assert moments["on"] == moments["off"]
    band_rows = int(np.ceil(caption_band("dark", media) * 480))
    caption_rows = np.nonzero(np.abs(held["on"] - gone["on"]).max(axis=(1, 2)) > 64)[0]
    assert len(caption_rows) > 10 and caption_rows.min() >= 480 - band_rows  # the caption, all inside the band
    assert np.abs(held["off"] - gone["off"]).max() < 64  # no caption with captions off

    def circle_rows(pixels):
        return np.nonzero((np.abs(pixels - pixels[0, 0]) > 64).any(axis=(1, 2)))[0]

    with tempconfig({"quality": "low_quality"}):
        shift_px = body_shift() * config.pixel_height / config.frame_height
    on, off = circle_rows(gone["on"]), circle_rows(gone["off"])
    assert off.min() - on.min() == pytest.approx(shift_px, abs=1.5) and off.max() - on.max() == pytest.approx(
        shift_px, abs=1.5)
    lowered = np.roll(stills["on"], round(shift_px), axis=0)[round(shift_px) + 2:-band_rows]
    assert np.abs(lowered - stills["off"][round(shift_px) + 2:-band_rows]).mean() < 1.0  # the same picture, lowered


def test_a_lessons_stills_go_to_its_folder_in_its_theme(capsys, tmp_path, monkeypatch):
    """A lesson's part: rendered with the lesson's config and theme, published in the lesson's folder,
    its stills in MEDIA/stills/<lesson>/<part>/; --at is checked against its own beats first."""
    from gdx.lesson import Lesson
    from gdx.usage import Target

    lesson = Lesson("Tiny lesson", "bowl", (1.0, 1.0), 10, "light", ("tinypart",), (), stem="mylesson")
    target = Target(catalog.find(SCENE), "tinypart", lesson)
    monkeypatch.setattr(stills_cmd, "resolve_targets", lambda names, all_scenes: [target])
    media = tmp_path / "media"
    code, out, err = gdx(capsys, "--media", media, "stills", "mylesson.toml", "--at", "nope")
    assert code == 2 and "unknown beat 'nope' in tinypart; accepted: draw, morph" in err
    assert not (media / "lessons" / "mylesson" / ".stills").exists()
    code, out, err = gdx(capsys, "--media", media, "stills", "mylesson.toml", "--at", "draw", "--width", 854,
                         "--jobs", 1)
    assert code == 0, err
    still = media / "stills" / "mylesson" / "tinypart" / "draw.png"
    assert f"{still} (at" in out
    video = media / "lessons" / "mylesson" / ".stills" / "480p15-light" / "tinypart.mp4"
    assert video.is_file() and (video.parent / "tinypart.mp4.render.json").is_file()
    assert png(still)[5, 5].tolist() == frame_at(video, 0.0)[5, 5].tolist()  # the light theme's background
    assert len(list((media / ".gdx" / "lessons" / "mylesson").glob("timing-*.json"))) == 1
    code, out, err = gdx(capsys, "--media", media, "stills", "mylesson.toml", "--at", "draw", "--width", 854,
                         "--theme", "dark", "--jobs", 1)
    assert code == 0, err  # --theme still wins over the lesson's
    assert (media / "lessons" / "mylesson" / ".stills" / "480p15" / "tinypart.mp4").is_file()


@pytest.mark.parametrize("argv, fragment", [
    (["--at", "1", "--paper", "letter"], "invalid --paper 'letter' without --handout"),
    (["--handout", "x.pdf", "--paper", "a5"], "argument --paper: invalid choice: 'a5'"),
])
def test_bad_paper_is_one_line(capsys, tmp_path, argv, fragment):
    code, out, err = gdx(capsys, "--media", tmp_path / "media", "stills", SCENE, *argv)
    assert code == 2 and out == "" and err.count("\n") == 1 and fragment in err, err
    assert not (tmp_path / "media" / "videos").exists()
