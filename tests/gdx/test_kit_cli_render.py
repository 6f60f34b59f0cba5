"""The kit end to end through its command line, on the tiny scenes of ``data/tiny.py``:
subtitles of a real render, stills at a beat, and the optional voice-over (its default engine,
piper where installed; the engines one by one are in ``test_voice_engines.py``)."""

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from gdx import cli, voice
from gdx.jobs import valid_video, video_duration
from gdx.stills import frame_at
from gdx.words import narration_file, narration_dirs

TINY = Path(__file__).parent / "data" / "tiny.py"
SCENE = f"{TINY}:Tiny"
NARRATION = narration_file("tiny", narration_dirs(TINY))
HAS_ESPEAK = shutil.which("espeak-ng") is not None
DEFAULT_ENGINE = voice.default_engine()


def gdx(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def read_srt(path: Path):
    """``[(start, end, text), ...]`` from an .srt file."""
    def seconds(stamp):
        h, m, rest = stamp.split(":")
        s, ms = rest.split(",")
        return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000

    cues = []
    for block in path.read_text().strip().split("\n\n"):
        lines = block.splitlines()
        start, end = lines[1].split(" --> ")
        cues.append((seconds(start), seconds(end), " ".join(lines[2:])))
    return cues


def assert_in_order_and_inside(cues, duration):
    assert cues
    for (start, end, text), nxt in zip(cues, cues[1:] + [None]):
        assert 0 <= start < end <= duration + 1e-3, (start, end, duration)
        assert text.strip()
        if nxt:
            assert end <= nxt[0] + 1e-3, (end, nxt)


def audio_stream(path: Path):
    import av

    with av.open(str(path)) as c:
        if not c.streams.audio:
            return None
        a = c.streams.audio[0]
        samples = np.concatenate([f.to_ndarray().reshape(-1) for f in c.decode(a)])
        return float(a.duration * a.time_base), a.rate, samples


@pytest.fixture(scope="module")
def voiced(tmp_path_factory):
    """One ``gdx render FILE:Tiny --voice`` (the default engine: piper where installed) shared
    by the tests below (about 3 s)."""
    if DEFAULT_ENGINE is None:
        pytest.skip(f"no voice engine is installed; fix: {voice.FIXES['piper']}")
    media = tmp_path_factory.mktemp("voice") / "media"
    code = cli.main(["--media", str(media), "render", SCENE, "--voice", "--jobs", "1"])
    assert code == 0
    return media / "videos" / "tiny" / "480p15"


def test_render_writes_subtitles_in_order_inside_the_video(voiced):
    video = voiced / "Tiny.mp4"
    assert valid_video(video)
    cues = read_srt(video.with_suffix(".srt"))
    assert_in_order_and_inside(cues, video_duration(video))
    assert " ".join(c[2] for c in cues) == f"{NARRATION['draw']} {NARRATION['morph']}"
    assert cues[-1][0] == pytest.approx(1.0, abs=1e-3)  # "morph" is shown from where its beat starts
    assert video.with_suffix(".vtt").read_text().startswith("WEBVTT")
    assert audio_stream(video) is None  # the silent render stays silent


def test_voiced_video_has_speech_as_long_as_the_video(voiced):
    if voice.engine_problem("piper") is None:  # piper spoke it: its cache entries carry its timings
        assert DEFAULT_ENGINE == "piper" and list((voiced.parents[2] / ".gdx" / "voice").glob("*.marks.json"))
    video = voiced / "Tiny.voice.mp4"
    assert valid_video(video)
    decode = subprocess.run(["ffmpeg", "-v", "error", "-i", str(video), "-f", "null", "-"],
                            capture_output=True, text=True)
    assert decode.returncode == 0 and decode.stderr.strip() == ""  # the joined stream decodes cleanly
    duration = video_duration(video)
    audio_seconds, rate, samples = audio_stream(video)
    assert audio_seconds == pytest.approx(duration, abs=0.1)
    assert duration > video_duration(voiced / "Tiny.mp4") + 1.0  # the first beat was held for its speech
    loud = np.abs(samples) > 0.02
    assert loud[: int(rate * 1.0)].any()  # speech from the start of the first beat


def test_voiced_subtitles_follow_the_speech(voiced):
    video = voiced / "Tiny.voice.mp4"
    duration = video_duration(video)
    cues = read_srt(video.with_name("Tiny.voice.srt"))
    assert_in_order_and_inside(cues, duration)
    spoken = " ".join(NARRATION[b] for b in ("draw", "morph"))
    assert " ".join(c[2] for c in cues) == spoken  # every word said is shown, in order
    assert cues[0][0] == 0.0
    # the second beat's cue starts where that beat starts in the voiced video: after the hold
    morph_start = next(c[0] for c in cues if c[2] == NARRATION["morph"])
    assert morph_start > 1.0 + 1.0
    # and where it starts the picture is the first frame of the morph section
    silent_sections = sorted((voiced / "sections").glob("Tiny_0001_*.mp4"))
    first_of_morph = frame_at(silent_sections[0], 0.0)
    shown = frame_at(video, morph_start + 0.01)
    assert np.abs(shown.astype(int) - first_of_morph.astype(int)).mean() < 2.0
    vtt = video.with_name("Tiny.voice.vtt").read_text()
    assert vtt.startswith("WEBVTT") and vtt.count(" --> ") == len(cues)


def test_the_hold_shows_the_last_frame_of_its_beat(voiced):
    video = voiced / "Tiny.voice.mp4"
    draw = sorted((voiced / "sections").glob("Tiny_0000_*.mp4"))[0]
    last = frame_at(draw, 1e9).astype(int)
    for t in (1.2, 2.5, 4.0):  # inside the hold after the 1 s "draw" beat
        assert np.abs(frame_at(video, t).astype(int) - last).mean() < 2.0


def test_voice_without_any_engine_is_one_line_with_the_fix(capsys, monkeypatch, tmp_path):
    real = shutil.which
    monkeypatch.setattr(voice.shutil, "which", lambda name: None if name in ("espeak-ng", "flite") else real(name))
    monkeypatch.setattr(voice, "piper_version", lambda: None)
    code, out, err = gdx(capsys, "--media", tmp_path / "media", "render", SCENE, "--voice")
    assert code == 2 and out == ""
    assert err == ("gdx: error: missing: a voice engine (needed by --voice): piper, flite or espeak-ng; fix with: "
                   "BOOTSTRAP_EXTRAS=voice ./scripts/bootstrap.sh (or: .venv/bin/pip install -e '.[voice]'), "
                   "or: sudo apt-get install -y flite\n")
    code, out, err = gdx(capsys, "--media", tmp_path / "media", "render", SCENE, "--voice", "--voice-engine", "espeak")
    assert code == 2 and err == ("gdx: error: missing: espeak-ng not on PATH (needed by --voice-engine espeak); "
                                 "fix with: sudo apt-get install -y espeak-ng\n")
    assert not (tmp_path / "media").exists()  # checked before anything renders


@pytest.mark.skipif(not HAS_ESPEAK, reason="espeak-ng is not installed")
@pytest.mark.parametrize("argv, fragment", [
    (["--voice", "--voice-engine", "espeak", "--voice-name", "klingon"],
     "unknown --voice-name 'klingon' for --voice-engine espeak; accepted: an espeak-ng voice such as en-us"),
    (["--voice", "--voice-engine", "espeak", "--voice-name", "en-us+nobody"], "unknown voice variant 'nobody'"),
    (["--voice", "--voice-speed", "20"], "invalid value '20'; accepted: an integer from 80 to 450"),
    (["--voice-name", "en-gb", "--voice-speed", "120"], "--voice-name and --voice-speed need --voice"),
])
def test_voice_option_errors(capsys, tmp_path, argv, fragment):
    code, out, err = gdx(capsys, "--media", tmp_path / "media", "render", SCENE, *argv)
    assert code == 2 and out == "" and err.count("\n") == 1 and fragment in err, err
    assert not (tmp_path / "media").exists()


def test_sentences_and_cue_parts():
    assert voice.sentences("Pick a point at 2.5: the line rises. Then? Done!  ") == [
        "Pick a point at 2.5: the line rises.", "Then?", "Done!"]
    long = ("Where the curve is steep the derivative is large, where it is gentle it is small, "
            "and at the very bottom it is zero.")
    parts = voice.cue_parts(long)
    assert " ".join(parts) == long and all(len(p) <= 84 for p in parts) and len(parts) == 2
    assert voice.cue_parts("short one") == ["short one"]


def test_sigkill_of_a_render_worker_then_rerun_gives_a_valid_video(tmp_path):
    """``gdx render`` runs; its manim worker is killed with SIGKILL half-way; gdx reports the
    failure and publishes nothing; the next ``gdx render`` gives a complete, valid video."""
    import os
    import signal
    import sys
    import time

    media = tmp_path / "media"
    cmd = [sys.executable, "-m", "gdx.cli", "--media", str(media), "render", f"{TINY}:Slow", "--jobs", "1"]
    gdx_proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    worker = None
    while time.time() < deadline and gdx_proc.poll() is None:
        if len(list(media.glob(".jobs/*/videos/*/*/partial_movie_files/*/*.mp4"))) >= 3:
            # gdx starts its workers from pool threads: look at every thread's children
            children = []
            for task in Path(f"/proc/{gdx_proc.pid}/task").iterdir():
                try:
                    children += (task / "children").read_text().split()
                except OSError:  # the thread has just ended
                    pass
            if children:
                worker = int(children[0])
                os.kill(worker, signal.SIGKILL)
                break
        time.sleep(0.05)
    out, err = gdx_proc.communicate(timeout=120)
    assert worker is not None, "the render ended before it could be killed"
    assert gdx_proc.returncode == 1 and "FAILED" in out and "Slow failed" in err
    assert not list(media.glob("videos/**/*.mp4"))  # nothing half-written was published
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    video = media / "videos" / "tiny" / "480p15" / "Slow.mp4"
    assert valid_video(video)
    assert video_duration(video) == pytest.approx(1.0 + 12 * 8 / 15, abs=0.05)


@pytest.mark.skipif(not HAS_ESPEAK, reason="espeak-ng is not installed")
def test_voiced_explainer_moves_its_chapters_with_the_holds(tmp_path, monkeypatch):
    """The explainer's voiced cut from two parts: the second chapter starts after the first
    part's held beat, in the chapter list and in the subtitles."""
    from gdx import subtitles
    from gdx.explainer import voice_explainer
    from gdx.jobs import Job, Runner

    monkeypatch.setattr(subtitles, "MIN_CHAPTER", 0.0)  # the tiny parts are shorter than real chapters

    media = tmp_path / "media"
    results = Runner(media, 1, progress=lambda *_: None).run([Job(TINY, "Tiny"), Job(TINY, "Themed")])
    assert all(r.ok for r in results)
    final = media / "videos" / "explainer" / "480p15" / "Explainer.mp4"
    lines = []
    video = voice_explainer(results, ["Title", "1. Shapes"], final, voice.Voice("en-us", 160, "espeak"), media,
                            lines.append, TINY)
    assert video == final.with_name("Explainer.voice.mp4") and valid_video(video)
    first_part = video_duration(results[0].video)
    chapters = final.with_name("Explainer.voice.chapters.txt").read_text()
    assert chapters.splitlines()[0] == "0:00 Introduction"
    second = chapters.splitlines()[1]
    assert second.endswith(" 1. Shapes")
    start = int(second.split()[0].split(":")[1])
    assert start >= int(first_part) + 3  # moved by the hold of "tiny.draw" (about 4 s)
    assert start <= video_duration(video)
    cues = read_srt(final.with_name("Explainer.voice.srt"))
    assert_in_order_and_inside(cues, video_duration(video))
    assert any(line.startswith("voice: hold tiny.draw") for line in lines)
