"""The lecture kit's renders: published atomically, crash-safe, parallel-safe, exact stills."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from gdx.jobs import Job, Runner, purge_broken_segments, valid_video, video_duration
from gdx.stills import frame_at

TINY = Path(__file__).parent / "data" / "tiny.py"


@pytest.fixture
def media(tmp_path):
    return tmp_path / "media"


def render(media, scene="Tiny", **kwargs):
    result = Runner(media, 1, progress=lambda *_: None).run([Job(TINY, scene, **kwargs)])[0]
    assert result.ok, result.error
    return result


def test_render_publishes_video_and_sections(media):
    result = render(media)
    assert result.video == media / "videos" / "tiny" / "480p15" / "Tiny.mp4"
    assert valid_video(result.video)
    names = [name for name, _, _ in result.sections]
    assert names == ["tiny.draw", "tiny.morph"]
    total = sum(d for _, d, _ in result.sections)
    assert total == pytest.approx(video_duration(result.video), abs=0.07)
    assert not list(media.rglob("*.part"))
    assert oct(result.video.stat().st_mode & 0o777) == "0o644"


def test_a_running_render_says_how_far_it_has_got(media, monkeypatch):
    monkeypatch.setattr(Runner, "HEARTBEAT", 0.3)
    lines = []
    result = Runner(media, 1, progress=lines.append).run([Job(TINY, "Tiny")])[0]
    assert result.ok, result.error
    beats = [line for line in lines if line.startswith("rendering tiny.Tiny: ")]
    assert beats and all(line.endswith("animation(s) written") for line in beats), lines
    counts = [int(line.split(", ")[1].split()[0]) for line in beats]
    assert counts == sorted(counts)  # what has been written only grows


def test_still_at_a_beat_is_the_frame_at_that_beat(media):
    from gdx.commands.stills import beat_ends

    result = render(media)
    ends = beat_ends(result.sections)
    still = frame_at(result.video, ends["tiny.draw"] - 0.5 / 15)
    section_video = next(path for name, _, path in result.sections if name == "tiny.draw")
    last_of_section = frame_at(section_video, 1e9)
    assert still.shape == last_of_section.shape
    # the two decodes come from two encodes of the same frame: equal up to codec noise
    assert np.abs(still.astype(int) - last_of_section.astype(int)).mean() < 2.0
    first_of_next = frame_at(result.video, ends["tiny.draw"] + 0.5 / 15)
    assert np.abs(still.astype(int) - first_of_next.astype(int)).mean() < 8.0  # continuity, not a jump
    assert np.abs(still.astype(int) - frame_at(result.video, 1e9).astype(int)).mean() > 0.5  # morph differs


def test_truncated_cached_segment_is_rendered_again(media):
    first = render(media)
    segments = list((media / ".jobs").rglob("partial_movie_files/*/*.mp4"))
    assert segments
    victim = max(segments, key=lambda p: p.stat().st_size)
    data = victim.read_bytes()
    victim.write_bytes(data[: len(data) // 3])  # what a render killed mid-write leaves
    assert not valid_video(victim)
    again = render(media)
    assert valid_video(again.video)
    assert video_duration(again.video) == pytest.approx(video_duration(first.video), abs=1e-6)


def test_sigkill_mid_render_then_rerun_gives_a_valid_video(media):
    runner = Runner(media, 1, progress=lambda *_: None)
    job = Job(TINY, "Slow")
    job_dir = media / ".jobs" / job.key
    job_dir.mkdir(parents=True)
    proc = subprocess.Popen(runner._command(job, job_dir), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and len(list(job_dir.rglob("partial_movie_files/*/*.mp4"))) < 3:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert list(job_dir.rglob("partial_movie_files/*/*.mp4")), "the render was killed before it wrote anything"
    assert not (media / "videos").exists()  # nothing was published
    result = runner.run([job])[0]
    assert result.ok, result.error
    assert valid_video(result.video)
    # manim gives each 0.5 s play ceil(0.5 * 15) = 8 frames at 15 fps
    assert video_duration(result.video) == pytest.approx(1.0 + 12 * 8 / 15, abs=0.05)
    assert purge_broken_segments(job_dir) == []


def test_two_renders_in_parallel_into_one_project(media):
    """Three kit processes at once on one media folder: two of them render the same scene."""
    code = ("import sys; from pathlib import Path; from gdx.jobs import Job, Runner; "
            "r = Runner(Path(sys.argv[1]), 1, progress=lambda *_: None).run([Job(Path(sys.argv[2]), sys.argv[3])])[0]; "
            "print(r.video); sys.exit(0 if r.ok else 1)")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(media), str(TINY), scene], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for scene in ("Tiny", "Tiny", "Slow")]
    outputs = [proc.communicate(timeout=300) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0, 0], [err for _, err in outputs]
    videos = {Path(out.strip()) for out, _ in outputs}
    assert len(videos) == 2 and all(valid_video(v) for v in videos)


def test_still_of_a_beat_that_clears_the_screen_is_its_picture_before_the_fade(media):
    """A beat that ends by fading out gets the frame before the fade, not the empty last one;
    a beat that ends on its picture gets its last frame."""
    from gdx.commands.stills import beat_spans
    from gdx.stills import beat_still_time

    result = render(media, "Fading")
    start, end = beat_spans(result.sections)["fading.show"]
    assert end == pytest.approx(2.6, abs=0.07)
    t = beat_still_time(result.video, start, end, 15)
    assert 1.0 <= t <= 2.0 + 1.5 / 15  # the held picture (at most a frame into the 0.6 s fade)
    held = frame_at(result.video, 1.5).astype(int)
    still, last = frame_at(result.video, t).astype(int), frame_at(result.video, end - 0.5 / 15).astype(int)
    assert still.std() >= 0.97 * held.std() > 3 * last.std()  # the circle, not the cleared screen
    start, end = beat_spans(result.sections)["fading.after"]
    assert beat_still_time(result.video, start, end, 15) == pytest.approx(end - 0.5 / 15)


@pytest.mark.parametrize("workers, scenes, threads", [(2, ["Tiny", "Themed"], "1"), (2, ["Tiny"], None),
                                                      (1, ["Tiny", "Themed"], None)])
def test_renders_side_by_side_encode_on_one_thread_each(media, monkeypatch, workers, scenes, threads):
    """Two renders at once keep both cores busy: x264 gets one thread each (GDX_X264_THREADS=1);
    a render alone keeps libavcodec's default. (The command is stood in for: it records its env.)"""
    from scenes.encoding import ENV_THREADS

    monkeypatch.delenv(ENV_THREADS, raising=False)
    seen = {}
    record = "import json, os, sys; open(sys.argv[1], 'w').write(json.dumps(os.environ.get(sys.argv[2])))"
    monkeypatch.setattr(Runner, "_command", lambda self, job, job_dir: [sys.executable, "-c", record,
                                                                         str(job_dir / "env.json"), ENV_THREADS])
    runner = Runner(media, workers, progress=lambda *_: None)
    for result in runner.run([Job(TINY, s) for s in scenes]):
        seen[result.job.scene] = (runner.work / result.job.key / "env.json").read_text()
    assert seen == {s: ("null" if threads is None else f'"{threads}"') for s in scenes}
