"""gdx stills end to end on the tiny scenes of ``data/tiny.py``: stills at beats and times, handouts."""

import re
from pathlib import Path

import numpy as np

from gdx import cli
from gdx.stills import frame_at

TINY = Path(__file__).parent / "data" / "tiny.py"
SCENE = f"{TINY}:Tiny"


def gdx(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_stills_at_a_beat_and_a_time_are_the_frames_shown_there(capsys, tmp_path):
    media, out_dir = tmp_path / "media", tmp_path / "stills"
    code, out, err = gdx(capsys, "--media", media, "stills", SCENE, "--at", "draw", "--at", "1.6",
                         "--width", 854, "--out", out_dir, "--jobs", 1)
    assert code == 0, err
    from PIL import Image

    beat = np.asarray(Image.open(out_dir / "Tiny" / "draw.png")).astype(int)
    at_time = np.asarray(Image.open(out_dir / "Tiny" / "t1.6s.png")).astype(int)
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
