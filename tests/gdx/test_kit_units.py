"""The lecture kit without rendering: subtitles, beat lookup, lessons, command-line errors."""

import re
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from gdx import cli, lesson, usage
from gdx.commands import stills as stills_cmd
from gdx.subtitles import Cue, chapter_list, cues_from_beats, to_srt, to_vtt, wrap


def test_cues_follow_the_measured_beats():
    beats = [("intro", 2.0), ("step", 1.5), ("end", 3.25)]
    cues = cues_from_beats(beats, {"intro": "Hello there.", "step": "One step.", "end": "Downhill."}, offset=10.0)
    assert cues == [Cue(10.0, 12.0, "Hello there."), Cue(12.0, 13.5, "One step."), Cue(13.5, 16.75, "Downhill.")]


def test_a_silent_beat_keeps_the_cue_before_it_on_screen():
    """A beat with an empty or missing line (a short outro) extends the previous beat's cue
    over it, when it directly follows a beat that had a cue; otherwise it shows nothing."""
    narration = {"intro": "Hello there.", "outro": "", "step": "One step downhill.", "blank": "  "}
    # a missing line ("silent") and an empty one ("outro") each extend the cue before them
    cues = cues_from_beats([("intro", 2.0), ("silent", 1.5), ("step", 3.25), ("outro", 0.6)], narration, offset=10.0)
    assert cues == [Cue(10.0, 13.5, "Hello there."), Cue(13.5, 17.35, "One step downhill.")]
    # only the beat right after a cue: a second silent beat in a row, or one at the start, shows nothing
    cues = cues_from_beats([("outro", 1.0), ("intro", 2.0), ("blank", 0.5), ("silent", 4.0), ("step", 1.0)], narration)
    assert cues == [Cue(1.0, 3.5, "Hello there."), Cue(7.5, 8.5, "One step downhill.")]
    assert cues_from_beats([("outro", 1.0), ("silent", 1.0)], narration) == []
    # a beat of no duration is passed over
    cues = cues_from_beats([("intro", 2.0), ("step", 0.0), ("outro", 0.5)], narration)
    assert cues == [Cue(0.0, 2.5, "Hello there.")]
    # a narration shown in parts: its last part is the one kept on screen
    long = ("Where the curve is steep the derivative is large, where it is gentle it is small, "
            "and at the very bottom it is zero. Next: a landscape.")
    cues = cues_from_beats([("a", 6.0), ("outro", 0.8)], {"a": long, "outro": ""})
    assert len(cues) >= 2 and cues[-1].end == pytest.approx(6.8)
    assert all(a.end == b.start for a, b in zip(cues, cues[1:]))
    assert " ".join(c.text for c in cues) == long


def test_a_long_narration_is_shown_in_parts_that_share_its_beat():
    text = ("Where the curve is steep the derivative is large, where it is gentle it is small, "
            "and at the very bottom it is zero. Next: a landscape.")
    cues = cues_from_beats([("a", 1.0), ("b", 6.0)], {"b": text})
    assert len(cues) >= 2 and " ".join(c.text for c in cues) == text
    assert cues[0].start == 1.0 and cues[-1].end == 7.0
    assert all(a.end == b.start for a, b in zip(cues, cues[1:]))  # back to back, in order
    assert all(len(c.text) <= 84 for c in cues)
    assert all(len(wrap(c.text).splitlines()) <= 2 for c in cues)


def test_a_narrated_chapter_takes_empty_lines_but_not_missing_ones(monkeypatch):
    """An empty line is a beat without a subtitle of its own; a beat with no key is an error."""
    from types import SimpleNamespace

    from scenes import chapter as _common

    from scenes.part import Cut

    class Two(_common.NarratedChapter):
        name = "two"
        BEATS = ("intro", "outro")

    scene = SimpleNamespace(camera=SimpleNamespace(background_color=None))
    cut = SimpleNamespace(camera=scene.camera, cut_plan=Cut(beats=("intro", "outro")))
    monkeypatch.setattr(_common, "load_narration", lambda name: {"intro": "Hello there.", "outro": ""})
    assert Two(scene).beats_to_play == ("intro", "outro")
    assert Two(cut).beats_to_play == ("intro", "outro")
    monkeypatch.setattr(_common, "load_narration", lambda name: {"intro": "Hello there."})
    with pytest.raises(ValueError, match=r"beats \['outro'\] have no narration in two.toml"):
        Two(scene)


def test_srt_and_vtt_format():
    cues = [Cue(0.0, 2.5, "First line."), Cue(62.25, 3725.5, "Later.")]
    srt = to_srt(cues)
    assert srt.splitlines()[:3] == ["1", "00:00:00,000 --> 00:00:02,500", "First line."]
    assert "00:01:02,250 --> 01:02:05,500" in srt
    vtt = to_vtt(cues)
    assert vtt.startswith("WEBVTT\n\n00:00:00.000 --> 00:00:02.500\nFirst line.\n")


def test_wrap_keeps_two_lines():
    text = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen"
    assert len(wrap(text, 30).splitlines()) == 2
    assert wrap(text, 30).replace("\n", " ") == text


def test_chapter_list_keeps_chapters_video_sites_accept():
    # a 3 s title card hands 0:00 to chapter 1; a 4 s last chapter joins the one before
    parts = [("Introduction", 0.0), ("1. Climber", 2.9), ("2. Maths", 35.5), ("3. End", 100.0)]
    assert chapter_list(parts, end=104.0) == "0:00 1. Climber\n0:35 2. Maths\n"
    assert chapter_list(parts, end=200.0) == "0:00 1. Climber\n0:35 2. Maths\n1:40 3. End\n"


def test_chapter_list_format():
    assert chapter_list([("Hook", 0), ("Derivatives", 40.7), ("Late", 3600 + 65)]) == (
        "0:00 Hook\n0:40 Derivatives\n1:01:05 Late\n")


BEATS = [("derivatives.show_curve", 0.0, 2.0), ("derivatives.outro", 2.0, 5.0)]


def test_parse_at_beats_and_times():
    assert stills_cmd.parse_at("outro", BEATS, 5.0, "S") == ("outro", "beat", "derivatives.outro")
    assert stills_cmd.parse_at("derivatives.show_curve", BEATS, 5.0, "S") == ("show_curve", "beat", "derivatives.show_curve")
    assert stills_cmd.parse_at("2.5", BEATS, 5.0, "S") == ("t2.5s", "time", 2.5)


CHAPTER = [("chapter 2: The mathematics", 0.0, 1.0), ("derivatives.outro", 1.0, 2.0), ("gradient.outro", 2.0, 3.0)]


def test_a_beat_name_shared_by_two_parts_is_named_in_full():
    with pytest.raises(usage.UsageError, match=re.escape(
            "ambiguous beat 'outro' in C; accepted: derivatives.outro, gradient.outro")):
        stills_cmd.parse_at("outro", CHAPTER, 3.0, "C")
    assert stills_cmd.parse_at("gradient.outro", CHAPTER, 3.0, "C") == ("gradient.outro", "beat", "gradient.outro")
    assert stills_cmd.parse_at("chapter 2: The mathematics", CHAPTER, 3.0, "C") == (
        "chapter_2_The_mathematics", "beat", "chapter 2: The mathematics")  # a file-name-safe label
    ends = stills_cmd.beat_ends([(name, end - start, None) for name, start, end in CHAPTER])
    assert ends["derivatives.outro"] == 2.0 and ends["gradient.outro"] == 3.0


@pytest.mark.parametrize("value, fragment", [
    ("nope", "unknown beat 'nope' in S; accepted: show_curve, outro, or a time in seconds"),
    ("9", "invalid --at '9': S lasts 5.00 s; accepted: 0 to 5.00"),
])
def test_parse_at_errors(value, fragment):
    with pytest.raises(usage.UsageError, match=re.escape(fragment)):
        stills_cmd.parse_at(value, BEATS, 5.0, "S")


def test_beat_ends_come_from_rendered_sections():
    ends = stills_cmd.beat_ends([("c.a", 1.5333, None), ("c.b", 2.0, None)])
    assert ends == {"c.a": 1.5333, "c.b": pytest.approx(3.5333)}


def run_cli(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv, fragment", [
    (["render", "NoSuchScene"], "unknown scene 'NoSuchScene'; accepted:"),
    (["render"], "name at least one scene, or use --all"),
    (["render", "--all", "--jobs", "0"], "argument --jobs: invalid value '0'; accepted: an integer >= 1"),
    (["render", "--all", "--quality", "x"], "argument --quality: invalid choice: 'x'"),
    (["render", "--all", "--theme", "pink"], "argument --theme: invalid choice: 'pink'"),
    (["stills", "NoSuchScene", "--at", "1"], "unknown scene 'NoSuchScene'"),
    (["stills", "--all"], "say when: --at BEAT|SECONDS"),
    (["stills", "--all", "--handout", "out.txt"], "invalid --handout 'out.txt'; accepted: a file name ending in .pdf"),
    (["stills", "--all", "--at", "1", "--width", "1000"], "argument --width: invalid choice: 1000"),
    (["fly"], "invalid choice: 'fly'"),
])
def test_usage_errors_are_one_line_exit_2(capsys, argv, fragment):
    code, out, err = run_cli(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("gdx: error: ") and fragment in err


GOOD = textwrap.dedent("""\
    title = "Himmelblau"
    surface = "himmelblau"
    start = [-1.0, -1.0]
    steps = 300
    theme = "light"
    scenes = ["descent"]

    [[optimizers]]
    name = "adam"
    lr = 0.05
    betas = [0.9, 0.99]
    """)


def write(tmp_path, text, name="lesson.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_good_lesson_becomes_scene_config(tmp_path):
    parsed = lesson.parse(write(tmp_path, GOOD))
    assert parsed.theme == "light" and parsed.optimizers == (("adam", 0.05, {"betas": [0.9, 0.99]}),)
    config = lesson.to_config_toml(parsed)
    from scenes.config import from_mapping
    import tomllib

    table = tomllib.loads(config)["descent"]
    cfg = from_mapping(table, "descent")
    assert cfg.surface == "himmelblau" and cfg.optimizer == "adam" and cfg.lr == 0.05
    assert cfg.start == (-1.0, -1.0) and cfg.steps == 300 and dict(cfg.hyperparams)["betas"] == (0.9, 0.99)


def test_a_formula_lesson(tmp_path):
    parsed = lesson.parse(write(tmp_path, GOOD.replace('"himmelblau"', '"x**2 + 3*sin(y)"')))
    assert parsed.surface == "x**2 + 3*sin(y)"


@pytest.mark.parametrize("old, new, line, fragment", [
    ('surface = "himmelblau"', 'surface = "himalaya"', 2, "unknown surface 'himalaya'; accepted: rosenbrock"),
    ('surface = "himmelblau"', 'surface = "__import__(\'os\')"', 2, "is not allowed"),
    ("start = [-1.0, -1.0]", "start = [-1.0]", 3, "accepted: 2 numbers"),
    ("start = [-1.0, -1.0]", "start = [-9.0, 0.0]", 3, "outside the plot domain; accepted: -5.0 to 5.0"),
    ("steps = 300", "steps = 0", 4, "steps = 0 is not accepted; accepted: an integer from 1 to 100000"),
    ('theme = "light"', 'theme = "pink"', 5, "theme = 'pink' is not accepted; accepted: dark, light"),
    ('scenes = ["descent"]', 'scenes = ["descent", "opera"]', 6, "scene 'opera' is not accepted; accepted: descent"),
    ('name = "adam"', 'name = "adamm"', 9, "optimizer name = 'adamm' is not accepted; accepted: gd"),
    ("lr = 0.05", "lr = -1", 10, "lr = -1 is not accepted; accepted: a number > 0"),
    ("betas = [0.9, 0.99]", "betas = [0.9, 1.5]", 11, "invalid betas[1] 1.5"),
    ("betas = [0.9, 0.99]", "beta = 0.9", 11, "unknown hyperparameter 'beta' for adam"),
    ('title = "Himmelblau"', 'colour = "red"', 1, "unknown key 'colour'; accepted: title"),
    ("steps = 300", "steps = = 3", 4, "not valid TOML"),
])
def test_each_problem_is_one_line_with_its_line_number(tmp_path, old, new, line, fragment):
    path = write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(lesson.LessonError) as info:
        lesson.parse(path)
    problems = info.value.problems
    assert any(p.startswith(f"{path}:{line}: ") and fragment in p for p in problems), problems
    assert all("\n" not in p for p in problems)


def test_all_problems_are_reported_at_once(tmp_path):
    text = GOOD.replace('"himmelblau"', '"nowhere"').replace("steps = 300", "steps = -3").replace('"light"', '"x"')
    with pytest.raises(lesson.LessonError) as info:
        lesson.parse(write(tmp_path, text))
    assert [p.split(":")[1] for p in info.value.problems] == ["2", "4", "5"]


toml_values = st.one_of(st.integers(-5, 5), st.floats(allow_nan=False, allow_infinity=False, width=32),
                        st.text(max_size=12), st.booleans(), st.lists(st.integers(-3, 3), max_size=3))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(["surface", "start", "steps", "theme", "scenes", "title", "quality", "name", "lr",
                            "betas", "momentum", "weird"]), value=toml_values, garbage=st.text(max_size=30))
def test_generated_bad_lessons_never_crash(tmp_path, key, value, garbage):
    import json

    rendered = json.dumps(value) if not isinstance(value, bool) else str(value).lower()
    text = GOOD + f"\n{key} = {rendered}\n" + garbage
    path = write(tmp_path, text)
    try:
        lesson.parse(path)
    except lesson.LessonError as exc:
        assert all(p.startswith(f"{path}:") for p in exc.problems)


@pytest.mark.parametrize("argv, want", [
    (["render", "HookChapter"], "off"), (["render", "--explainer"], "off"), (["lesson", "x.toml"], "off"),
    (["stills", "HookChapter", "--at", "1"], "on"), (["slides", "HookChapter"], "on"),
    (["render", "HookChapter", "--captions", "on"], "on"), (["slides", "HookChapter", "--captions", "off"], "off"),
])
def test_captions_are_off_in_videos_and_on_in_stills_and_slides_unless_asked(argv, want):
    """Videos carry their words in .srt/.vtt; a still or a slide has only its picture."""
    from gdx.cli import build_parser
    from gdx.usage import captions_env

    assert captions_env(build_parser().parse_args(argv)) == {"GDX_CAPTIONS": want}


def test_doctor_names_the_theme_font_and_its_package(monkeypatch):
    """The font is checked by the name the theme uses; without it, the fix is its Debian package."""
    import subprocess

    from gdx import doctor
    from scenes.theme import Theme

    assert doctor.THEME_FONT == Theme.font
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(a, 0, stdout="", stderr=""))
    check = doctor.font_check()
    assert not check.ok and check.fix == "sudo apt-get install -y fonts-urw-base35" and check.optional


def test_a_part_alone_speaks_the_words_its_run_filled_in():
    """A chapter rendered alone names its sections ``derivatives.show_curve`` and its storyboard
    ``show_curve``: the subtitles and the voice read the storyboard's filled words (the file's
    text has placeholders, which are never read aloud)."""
    from gdx.jobs import Job, Result
    from gdx.words import result_narration, storyboard

    job = Job(Path("scenes/parts/derivatives.py").resolve(), "DerivativesChapter")
    story = {"beats": [{"name": "show_curve", "narration": "Filled from the run: 4.5.", "captions": ["c"]}]}
    result = Result(job, True, 1.0, sections=[("derivatives.show_curve", 2.0, None), ("derivatives.outro", 1.0, None)],
                    story=story)
    assert result_narration(result)["derivatives.show_curve"] == "Filled from the run: 4.5."
    beats = storyboard([("derivatives.show_curve", 0.0), ("derivatives.outro", 2.0)], 3.0, story, "derivatives",
                       job.file)
    assert beats[0]["narration"] == "Filled from the run: 4.5." and beats[0]["captions"] == ["c"]


def test_doctor_reports_the_offline_reveal_js(monkeypatch, tmp_path):
    """HTML decks load reveal.js from the copy the set-up unpacks; without it doctor names the fix."""
    from gdx import doctor, slides

    assert doctor.reveal_check().ok  # the set-up installed it
    monkeypatch.setattr(slides, "reveal_dir", lambda: tmp_path / "6.0.1")
    check = doctor.reveal_check()
    assert not check.ok and check.optional == "gdx slides --to html" and check.fix == slides.REVEAL_FIX
    assert "missing: reveal.js 6.0.1" in check.detail


def test_times_just_under_a_minute_round_up_to_it():
    assert usage.fmt_time(59.96) == "1:00.0" and usage.fmt_time(119.97) == "2:00.0" and usage.fmt_time(83.24) == "1:23.2"


def test_an_empty_voice_name_is_refused(capsys, tmp_path):
    code = cli.main(["--media", str(tmp_path / "m"), "render", "TitleCard", "--voice", "--voice-engine", "espeak",
                     "--voice-name", ""])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and err.count("\n") == 1 and "unknown --voice-name ''" in err, err
    assert not (tmp_path / "m").exists()
