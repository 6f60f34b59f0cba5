"""``gdx list`` answers from the code: no scene is imported or run, durations come from the
last dry run or render, or say "not yet measured"."""

import json
import subprocess
import sys

from gdx import catalog, cli


def gdx(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def entries(out: str) -> dict[str, list[str]]:
    """Scene name -> its three lines (header, description, beats)."""
    lines = out.splitlines()
    return {lines[i].split()[0]: lines[i:i + 3] for i in range(0, len(lines), 3)}


def test_list_imports_no_scene_and_runs_nothing(tmp_path):
    code = ("import sys; from gdx import cli; rc = cli.main(['--media', sys.argv[1], 'list']); "
            "heavy = [m for m in ('manim', 'sympy', 'scenes.parts.hook', 'mathcore') if m in sys.modules]; "
            "print('HEAVY', heavy); sys.exit(rc)")
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path / "media")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "HEAVY []"
    assert not (tmp_path / "media").exists()  # reading durations writes nothing


def test_list_says_not_yet_measured_then_the_dry_run_or_last_render(capsys, tmp_path, monkeypatch):
    media = tmp_path / "media"
    code, out, err = gdx(capsys, "--media", media, "list")
    listed = entries(out)
    assert code == 0 and err == ""
    assert set(listed) == {s.name for s in catalog.scenes()}
    assert all(lines[0].endswith("not yet measured)") for lines in listed.values())
    assert listed["DerivativesChapter"][2] == ("    beats: show_curve, show_secant, shrink_to_tangent, nudge_x, "
                                               "slopes_everywhere, outro")
    # a chapter's beats are grouped by part: parts share beat names such as outro
    assert listed["Chapter3LearningRate"][2] == ("    beats: chapter 3: The learning rate; learning_rate: "
                                                 "three_step_sizes, run_to_the_end, on_the_surface")
    # a render's section index gives its duration...
    sections = media / "videos" / "explainer" / "480p15" / "sections"
    sections.mkdir(parents=True)
    (sections / "Chapter1Hook.json").write_text(json.dumps([{"name": "a", "duration": 1.5, "video": "x.mp4"},
                                                            {"name": "b", "duration": 60.25, "video": "y.mp4"}]))
    # ...and a dry run of the current code is preferred to it (a dry run is never started by list)
    monkeypatch.setattr(catalog, "dry_run", lambda info, media_dir=None: {"duration": 3.0, "beats": [["title", 0, 3]]})
    title = catalog.find("TitleCard")
    lines = []
    catalog.timing(title, media / ".gdx", progress=lines.append)
    assert lines == ["dry run: TitleCard (its beats and duration; once per change of code, words or config)"]
    monkeypatch.setattr(catalog, "dry_run", None)  # list must not call it
    listed = entries(gdx(capsys, "--media", media, "list")[1])
    assert listed["Chapter1Hook"][0].endswith("the explainer, 1:01.8 (last render, 480p15))")
    assert listed["TitleCard"][0].endswith("the explainer, 0:03.0 (dry run))")


def test_descriptions_name_no_chapter_number_of_their_own():
    """The chapter a scene belongs to is read from the explainer's registry; a number typed
    into a docstring goes stale when chapters move."""
    import re

    for info in catalog.scenes():
        if info.chapter.startswith("chapter "):
            assert not re.search(r"[Cc]hapter \d", info.description), (info.name, info.description)


def test_a_dry_run_is_announced_only_when_it_takes_a_while():
    import time

    lines = []
    with catalog.announced("slow", lines.append, after=0.05):
        time.sleep(0.3)
    with catalog.announced("quick", lines.append, after=5.0):
        pass
    assert lines == ["slow"]


def test_progress_reaches_a_pipe_as_it_happens(tmp_path):
    """Into a pipe or a log file Python buffers stdout by blocks: gdx makes it line-buffered, so a
    long render's progress lines are seen when they are printed, not at the end."""
    code = "import sys; from gdx import cli; cli.main(['--media', sys.argv[1], 'list']); print('LB', sys.stdout.line_buffering)"
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path / "m")], capture_output=True, text=True)
    assert proc.stdout.splitlines()[-1] == "LB True", proc.stderr
