"""gdx slides end to end on the tiny scenes of ``data/tiny.py``."""

import re
from pathlib import Path

from gdx import cli

TINY = Path(__file__).parent / "data" / "tiny.py"
SCENE = f"{TINY}:Tiny"


def gdx(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_slides_one_per_beat_as_html_and_pdf(capsys, tmp_path):
    media, out_dir = tmp_path / "media", tmp_path / "slides"
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
    assert not (media / "videos").exists()  # the slide class's own video stays out of media/videos
