"""gdx slides end to end on the tiny scenes of ``data/tiny.py``: decks that work offline, the
narration as every slide's notes, voiced decks, one deck per lesson and for the explainer."""

import argparse
import re
import shutil
import tomllib
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from gdx import catalog, cli, slides, usage
from gdx.commands.slides import EXPLAINER_DECK, plan
from gdx.jobs import video_duration
from gdx.usage import Target

DATA = Path(__file__).parent / "data"
TINY = DATA / "tiny.py"
SCENE = f"{TINY}:Tiny"
NARRATION = tomllib.loads((DATA / "narration" / "tiny.toml").read_text())["beats"]
TINY_NOTES = [NARRATION["draw"], NARRATION["morph"]]
ROOT = Path(__file__).resolve().parents[2]


def voice_options() -> list[str]:
    """``--voice`` with the quickest engine installed (espeak-ng), else the default one; skips
    when no engine is installed."""
    from gdx import voice

    options = ["--voice"] + (["--voice-engine", "espeak"] if shutil.which("espeak-ng") else [])
    parser = argparse.ArgumentParser()
    voice.add_options(parser)
    try:
        voice.from_args(parser.parse_args(options))
    except voice.VoiceError as exc:
        pytest.skip(f"no voice: {exc}")
    return options


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    """One media folder for the module: manim's cache makes the second render of a scene quick."""
    return tmp_path_factory.mktemp("slides") / "media"


def gdx(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def deck_slides(html: Path):
    """The slide sections of an HTML deck, in order."""
    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    return soup, [s for s in soup.find_all("section") if s.has_attr("data-background-video")]


def notes_of(sections) -> list[str]:
    return [a.get_text() if (a := s.find("aside", class_="notes")) else "" for s in sections]


def local_refs(soup) -> list[str]:
    return [t.get("href") or t.get("src") for t in soup.find_all(["link", "script"]) if t.get("href") or t.get("src")]


def has_audio(video: Path) -> bool:
    import av

    with av.open(str(video)) as c:
        return bool(c.streams.audio)


def test_slides_one_per_beat_as_html_and_pdf(capsys, media, tmp_path):
    out_dir = tmp_path / "slides"
    code, out, err = gdx(capsys, "--media", media, "slides", f"{TINY}:Themed", "--to", "html", "--out", out_dir,
                         "--jobs", 1)
    assert code == 0, err
    html = out_dir / "Themed.html"
    assert out.splitlines()[-1] == str(html)
    assert len(list((out_dir / "Themed_assets").glob("*.mp4"))) == 2  # one slide per beat
    assert "#14161c" in html.read_text().lower()  # the scene's own background (set as a string)
    code, out, err = gdx(capsys, "--media", media, "slides", f"{TINY}:Themed", "--to", "pdf", "--out", out_dir,
                         "--jobs", 1)
    assert code == 0, err
    assert re.findall(rb"/Count (\d+)", (out_dir / "Themed.pdf").read_bytes())[0] == b"2"
    assert (out_dir / "Themed_assets").is_dir()  # the pdf of that name left the HTML deck's files alone
    assert not (media / "videos").exists()  # the slide class's own video stays out of media/videos
    assert not [p for p in out_dir.iterdir() if p.name.startswith(".")]  # no work folder left behind


def test_html_deck_loads_reveal_from_its_assets_and_holds_the_narration(capsys, media, tmp_path):
    out_dir = tmp_path / "slides"
    code, out, err = gdx(capsys, "--media", media, "slides", SCENE, "--out", out_dir, "--jobs", 1)
    assert code == 0, err
    html = out_dir / "Tiny.html"
    soup, sections = deck_slides(html)
    assert notes_of(sections) == TINY_NOTES  # each slide's notes are its beat's narration, as plain text
    assert not soup.find_all(attrs={"data-markdown": True})
    refs = local_refs(soup)
    assert {r.rsplit("/", 1)[-1] for r in refs} == {"reveal.css", "black.css", "zenburn.css", "reveal.js",
                                                    "notes.js", "markdown.js"}
    for ref in refs:  # every file the page loads is beside it, and is the set-up's reveal.js copy
        assert ref.startswith("Tiny_assets/reveal.js/dist/"), ref
        assert (out_dir / ref).read_bytes() == (slides.reveal_dir() / ref.split("reveal.js/", 1)[1]).read_bytes()
    for section in sections:
        assert (out_dir / section["data-background-video"]).is_file()
    assert "http" not in " ".join(refs) and "cdn" not in html.read_text().lower()
    assert sections[0].has_attr("data-background-video-muted")  # a silent deck autoplays its first slide muted


def test_one_file_deck_holds_everything(capsys, media, tmp_path):
    out_dir = tmp_path / "one"
    code, out, err = gdx(capsys, "--media", media, "slides", SCENE, "--one-file", "--out", out_dir, "--jobs", 1)
    assert code == 0, err
    assert sorted(p.name for p in out_dir.iterdir()) == ["Tiny.html"]
    soup, sections = deck_slides(out_dir / "Tiny.html")
    assert notes_of(sections) == TINY_NOTES
    assert all(s["data-background-video"].startswith("data:video/mp4;base64,") for s in sections)
    assert soup.find_all("link") == [] and len(soup.find_all("style")) == 3  # reveal.css, its theme, zenburn
    scripts = [s["src"] for s in soup.find_all("script", src=True)]
    assert len(scripts) == 3 and all(s.startswith("data:text/javascript;base64,") for s in scripts)
    assert "@font-face" in soup.find_all("style")[1].string  # the theme's fonts come inside it


def test_pptx_notes_are_the_narration(capsys, media, tmp_path):
    import pptx

    code, out, err = gdx(capsys, "--media", media, "slides", SCENE, "--to", "pptx", "--out", tmp_path, "--jobs", 1)
    assert code == 0, err
    deck = pptx.Presentation(str(tmp_path / "Tiny.pptx"))
    assert [s.notes_slide.notes_text_frame.text for s in deck.slides] == TINY_NOTES


STORIED = '''\
from manim import BLUE, Circle, Create, FadeOut, Scene

from scenes.story import Story, write_if_asked


class Storied(Scene):
    """Narration with placeholders: the first beat's filled from the run, the second's never."""

    def construct(self):
        story = Story("storied")
        story.narration = {"grow": ["A circle of radius {radius} appears."]}
        self.next_section("grow")
        story.begin("grow", self.renderer.time, radius=1.5)
        circle = Circle(radius=1.5, color=BLUE)
        self.play(Create(circle), run_time=0.5)
        self.next_section("fade")
        story.begin("fade", self.renderer.time)
        self.play(FadeOut(circle), run_time=0.5)
        write_if_asked(story, self.renderer.time)
'''


def test_notes_are_the_words_filled_from_the_run(capsys, media, tmp_path):
    scene = tmp_path / "storied.py"
    scene.write_text(STORIED)
    (tmp_path / "narration").mkdir()
    (tmp_path / "narration" / "storied.toml").write_text(
        '[beats]\ngrow = "A circle of radius {radius} appears."\nfade = "It fades after {steps} steps."\n')
    code, out, err = gdx(capsys, "--media", media, "slides", f"{scene}:Storied", "--out", tmp_path / "out",
                         "--to", "html", "--jobs", 1)
    assert code == 0, err
    _, sections = deck_slides(tmp_path / "out" / "Storied.html")
    # the storyboard's words, not the file's template; a placeholder nobody filled is not shown
    assert notes_of(sections) == ["A circle of radius 1.5 appears.", ""]


PART = '''\
from manim import BLUE, Circle, Create, FadeOut, Scene

from scenes.part import Part


class Climber(Part, Scene):
    """A part as the project writes them: its words in assets/narration/<its module>.toml."""

    BEATS = ("enter_fog", "first_steps")

    def construct(self):
        self.begin_beat("enter_fog")
        self.say()  # its caption, from the same file
        circle = Circle(color=BLUE)
        self.play(Create(circle), run_time=0.5)
        self.begin_beat("first_steps", lr=0.25)
        self.play(FadeOut(circle), run_time=0.5)
'''


def test_a_part_finds_its_words_as_it_does_in_a_render(capsys, media, tmp_path):
    # named hook.py, a part reads assets/narration/hook.toml, even wrapped as slides
    scene = tmp_path / "hook.py"
    scene.write_text(PART)
    words = tomllib.loads((ROOT / "assets" / "narration" / "hook.toml").read_text())["beats"]
    code, out, err = gdx(capsys, "--media", media, "slides", f"{scene}:Climber", "--out", tmp_path / "out",
                         "--jobs", 1)
    assert code == 0, err
    _, sections = deck_slides(tmp_path / "out" / "Climber.html")
    assert notes_of(sections) == [words["enter_fog"], words["first_steps"].format(lr=0.25)]


def test_voiced_deck_speaks_each_beat_and_moves_on(capsys, media, tmp_path):
    import pptx

    spoken = voice_options()
    code, out, err = gdx(capsys, "--media", media, "slides", SCENE, *spoken, "--out", tmp_path, "--jobs", 1)
    assert code == 0, err
    assert "2 of 2 slides spoken" in out
    soup, sections = deck_slides(tmp_path / "Tiny.html")
    assert notes_of(sections) == TINY_NOTES
    assert not any(s.has_attr("data-background-video-muted") for s in sections)  # the speech is heard
    assert "Reveal.next()" in soup.find_all("script")[-1].string  # each slide gives way when its video ends
    videos = [tmp_path / s["data-background-video"] for s in sections]
    assert all(has_audio(v) for v in videos)
    silent = sorted((media / ".gdx" / "slides" / "decks").glob("*/files/TinySlides/*.mp4"), key=video_duration)
    assert video_duration(videos[0]) > 1.0 + 1.0  # the 1 s beat held while its long sentence is said
    assert video_duration(videos[1]) == pytest.approx(max(video_duration(p) for p in silent), abs=0.07)

    code, out, err = gdx(capsys, "--media", media, "slides", SCENE, *spoken, "--to", "pptx", "--out", tmp_path,
                         "--jobs", 1)
    assert code == 0, err
    deck = pptx.Presentation(str(tmp_path / "Tiny.pptx"))
    assert [s.notes_slide.notes_text_frame.text for s in deck.slides] == TINY_NOTES
    ns = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
    advance = [int(s._element.find(f"{ns}transition").get("advTm")) for s in deck.slides]
    assert advance == [round(video_duration(v) * 1000) for v in videos]  # PowerPoint moves on as the video ends
    with zipfile.ZipFile(tmp_path / "Tiny.pptx") as z:
        movies = [n for n in z.namelist() if n.endswith(".mp4")]
        for i, name in enumerate(movies):
            (tmp_path / f"m{i}.mp4").write_bytes(z.read(name))
    assert len(movies) == 2 and all(has_audio(tmp_path / f"m{i}.mp4") for i in range(2))


def tiny_infos():
    return [catalog.find(SCENE), catalog.find(f"{TINY}:Themed")]


def test_a_lesson_is_one_deck_named_after_its_file(capsys, media, tmp_path, monkeypatch):
    # the lesson's real parse (its theme, quality and config), with its parts played by the tiny scenes
    real = usage.lesson_targets
    monkeypatch.setattr(usage, "lesson_targets",
                        lambda path: [Target(info, info.name, t.lesson) for info, t in zip(tiny_infos(), real(path) * 2)])
    lesson = tmp_path / "my lesson.toml"
    lesson.write_text((ROOT / "assets" / "lessons" / "example.toml").read_text())  # theme = "light"
    code, out, err = gdx(capsys, "--media", media, "slides", lesson, "--out", tmp_path / "out", "--jobs", 1)
    assert code == 0, err
    assert "(480p15, light)" in out and "(480p15, dark)" not in out  # the lesson keeps its theme
    html = tmp_path / "out" / "my lesson.html"
    assert out.splitlines()[-1] == str(html)
    soup, sections = deck_slides(html)
    assert notes_of(sections) == TINY_NOTES + ["", ""]  # both parts in order; Themed has no narration
    for ref in local_refs(soup) + [s["data-background-video"] for s in sections]:
        assert ref.startswith("my%20lesson_assets/"), ref  # the space is quoted in every link
        assert (tmp_path / "out" / ref.replace("%20", " ")).is_file()


def test_the_explainer_is_one_deck(capsys, media, tmp_path, monkeypatch):
    from gdx import explainer

    monkeypatch.setattr(explainer, "chapter_scenes", tiny_infos)  # two tiny chapters
    code, out, err = gdx(capsys, "--media", media, "slides", "--explainer", "--out", tmp_path, "--jobs", 1)
    assert code == 0, err
    assert out.splitlines()[-1] == str(tmp_path / f"{EXPLAINER_DECK}.html")
    _, sections = deck_slides(tmp_path / f"{EXPLAINER_DECK}.html")
    assert notes_of(sections) == TINY_NOTES + ["", ""]


def test_decks_asked_for():
    def decks(*scenes, explainer=False):
        found = plan(argparse.Namespace(scenes=[str(s) for s in scenes], explainer=explainer))
        return [(d.name, [t.name for t in d.targets]) for d in found]

    from scenes.explainer import EXPLAINER_PARTS

    assert decks(explainer=True) == [(EXPLAINER_DECK, list(EXPLAINER_PARTS))]
    assert decks(ROOT / "assets" / "lessons" / "example.toml", SCENE, SCENE) == [("example", ["race"]),
                                                                                 ("Tiny", ["Tiny"])]
    lesson = plan(argparse.Namespace(scenes=[str(ROOT / "assets" / "lessons" / "example.toml")], explainer=False))
    assert lesson[0].targets[0].theme(None) == "light" and lesson[0].targets[0].theme("dark") == "dark"


def test_usage_errors_write_nothing(capsys, media, tmp_path, monkeypatch):
    fresh, out_dir = tmp_path / "media", tmp_path / "out"
    cases = [
        (["slides", SCENE, "--one-file", "--to", "pdf"], "--one-file"),
        (["slides", SCENE, "--voice", "--to", "pdf"], "--to html or --to pptx"),
        (["slides", SCENE, "--explainer"], "--explainer"),
        (["slides"], "name at least one scene"),
    ]
    monkeypatch.setattr(slides, "REVEAL_HOME", tmp_path / "no-reveal")
    cases.append((["slides", SCENE], "fix with: ./scripts/bootstrap.sh"))
    for argv, expected in cases:
        code, out, err = gdx(capsys, "--media", fresh, *argv, "--out", out_dir)
        assert code == 2, argv
        assert err.startswith("gdx: error: ") and err.count("\n") == 1 and expected in err, err
        assert not fresh.exists() and not out_dir.exists(), argv
    code, out, err = gdx(capsys, "--media", media, "slides", SCENE, "--to", "pdf", "--out", out_dir, "--jobs", 1)
    assert code == 0, err  # a pdf needs no reveal.js

