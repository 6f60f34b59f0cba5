"""A video lasts as long at every quality: each play of every part is a whole number of frames
at 15 fps (``scenes.part.FrameExact``), so at 30 and 60 fps manim writes exactly 2 and 4 times
as many frames. Checked on the plays of dry runs (the explainer: every chapter's parts; parts
rendered alone), and on a real render at 15 and 60 fps of a scene with plays and a frozen wait."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def assert_whole_frames_at_15(played, name):
    """Every play lasts k/15 s (a frozen wait a hair more: manim floors its frame count); the
    render test below shows manim then writes k·fps/15 frames at 15 and 60 fps."""
    assert len(played) > 10, name
    bad = [(d, frozen) for d, frozen in played if d < 1 / 15 - 1e-6 or abs(d * 15 - round(d * 15)) > 1e-5]
    assert not bad, (name, bad[:5])


def test_every_play_of_the_explainer_is_whole_frames_at_every_quality(explainer_run):
    assert_whole_frames_at_15(explainer_run.scene.played, "explainer")


def test_every_play_of_the_parts_alone_is_whole_frames(landscapes, race, race_rastrigin, momentum):
    for name, (scene, _) in {"Landscapes": landscapes, "OptimizerRace": race,
                             "OptimizerRaceRastrigin": race_rastrigin, "MomentumCloseUp": momentum}.items():
        assert_whole_frames_at_15(scene.played, name)
        # rounding is carried from play to play: the length stays within a frame of the plan
        assert scene.renderer.time == pytest.approx(scene.planned_time, abs=1 / 15 + 1e-6), name


@pytest.fixture(scope="module")
def title_cards(tmp_path_factory):
    """TitleCard rendered for real at 15 and at 60 fps: {fps: its video}; at 15 fps as gdx renders
    side by side (x264 on one thread), at 60 fps alone."""
    import os

    from scenes.encoding import ENV_THREADS

    videos = {}
    for fps in (15, 60):
        media = tmp_path_factory.mktemp(f"m{fps}")
        env = {k: v for k, v in os.environ.items() if k != ENV_THREADS} | ({ENV_THREADS: "1"} if fps == 15 else {})
        subprocess.run([sys.executable, "-m", "manim", "render", "-ql", "--frame_rate", str(fps), "--media_dir",
                        str(media), "--disable_caching", "-v", "ERROR", "--progress_bar", "none",
                        str(ROOT / "scenes" / "explainer.py"), "TitleCard"], check=True, cwd=ROOT,
                       capture_output=True, env=env)
        videos[fps] = next(media.rglob("TitleCard.mp4"))
    return videos


def test_a_render_at_15_and_at_60_fps_has_the_same_length(title_cards):
    import av

    counts = {}
    for fps, path in title_cards.items():
        with av.open(str(path)) as video:
            counts[fps] = sum(1 for _ in video.decode(video.streams.video[0]))
    assert counts[60] == 4 * counts[15]
    assert counts[15] == 45  # the card's plan: 0.7 + 0.4 + 1.5 + 0.4 s


def x264_settings(path: Path) -> str:
    """The settings x264 writes into the stream it encodes ("cabac=1 ref=1 ... crf=23.0 ...")."""
    data = path.read_bytes()
    start = data.index(b"options: ") + len(b"options: ")
    return data[start:data.index(b"\0", start)].decode()


def avc_headers(path: Path) -> bytes:
    """The stream's SPS and PPS (the mp4's avcC): what the concat demuxer keeps of the first part."""
    import av

    with av.open(str(path)) as container:
        return bytes(container.streams.video[0].codec_context.extradata)


def test_videos_are_encoded_with_the_project_settings_as_are_the_voice_holds(title_cards, tmp_path):
    import numpy as np

    from gdx.voice import hold_clip
    from scenes.encoding import X264_OPTIONS

    parts = sorted(title_cards[60].parent.glob("partial_movie_files/TitleCard/*.mp4"))
    settings = {x264_settings(p) for p in parts}
    assert len(parts) >= 3 and all(f"crf={X264_OPTIONS['crf']}.0" in s and "ref=1 " in s for s in settings)
    # veryfast (medium searches with subme=7 and 3 references); the card's wait without motion search,
    # macroblock tree, scene cuts or adaptive B-frames
    assert any("subme=2" in s and "me=hex" in s and "mbtree=1" in s for s in settings)
    assert any("subme=0" in s and "me=dia" in s and "mbtree=0" in s and "b_adapt=0" in s and "scenecut=0" in s
               for s in settings)
    # side by side (GDX_X264_THREADS=1) x264 encodes on one thread, alone on libavcodec's default
    side_by_side = sorted(title_cards[15].parent.glob("partial_movie_files/TitleCard/*.mp4"))
    assert all(" threads=1 " in x264_settings(p) for p in side_by_side)
    assert not any(" threads=1 " in s for s in settings)
    hold = hold_clip(np.zeros((480 * 3 // 2, 854), np.uint8), 4, 60, tmp_path / "hold.mp4")
    assert x264_settings(hold) in settings
    # one SPS/PPS for every part and the voice's holds: joined without re-encoding
    assert {avc_headers(p) for p in parts} == {avc_headers(hold)} == {avc_headers(title_cards[60])}
    # ... and partial movies encoded on one thread join those encoded alone (at the same frame rate)
    hold = hold_clip(np.zeros((480 * 3 // 2, 854), np.uint8), 4, 15, tmp_path / "hold15.mp4")
    assert {avc_headers(p) for p in side_by_side} == {avc_headers(hold)} == {avc_headers(title_cards[15])}


def test_the_play_cache_tells_the_encoder_settings_apart():
    """manim's play cache hashes the camera: a partial movie encoded otherwise is not reused."""
    from manim import Circle, FadeIn, Scene
    from manim.utils.hashing import get_hash_from_play_call

    from scenes.part import FrameExact

    class Card(FrameExact, Scene):
        pass

    scene, plain = Card(), Scene()
    scene.setup()
    anim = [FadeIn(Circle())]
    assert get_hash_from_play_call(scene, scene.renderer.camera, anim, []).split("_")[0] != \
        get_hash_from_play_call(plain, plain.renderer.camera, anim, []).split("_")[0]
