"""Hardening of the kit: limits on what a file or a folder can make it do.

Every case ends in exit 0 or in exit 2 with a bounded number of one-line errors, no
traceback and no file written; a killed kit leaves no worker behind; a damaged cache is
rebuilt; a scene's files are published together or not at all.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from gdx import cli, jobs, lesson, usage
from scenes import config

TINY = Path(__file__).parent / "data" / "tiny.py"
GOOD = 'surface = "x**2 + y**2"\nstart = [1.0, 1.0]\n\n[[optimizers]]\nname = "gd"\n'


def run(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_line(code, out, err, fragment):
    assert code == 2 and out == "", (code, out, err)
    assert err.count("\n") == 1 and err.startswith("gdx: error: ") and fragment in err, err
    assert "Traceback" not in err


# ----------------------------------------------------------------------------- lesson files


@pytest.mark.parametrize("text, fragment", [
    ("title = " + "[" * 5000 + "]" * 5000 + "\n", ":1: arrays or tables nested too deeply; accepted: at most 32 levels"),
    ("title = " + "{a=" * 2000 + "1" + "}" * 2000 + "\n", ":1: arrays or tables nested too deeply"),
    (GOOD + "title = " + "[" * 40 + "]" * 40 + "\n", ":6: arrays or tables nested too deeply"),
])
def test_deep_nesting_is_one_line(capsys, tmp_path, text, fragment):
    path = tmp_path / "deep.toml"
    path.write_text(text)
    one_line(*run(capsys, "lesson", path, "--check"), fragment)


def test_a_fifo_or_a_folder_is_not_read(capsys, tmp_path):
    fifo = tmp_path / "lesson.toml"
    os.mkfifo(fifo)
    one_line(*run(capsys, "lesson", fifo, "--check"), f"{fifo}: not a regular file; accepted: the path of a lesson file")
    one_line(*run(capsys, "lesson", tmp_path, "--check"), "not a regular file")


def test_a_huge_file_is_refused_unread(capsys, tmp_path):
    path = tmp_path / "big.toml"
    path.write_text("# padding\n" * 200_000)
    one_line(*run(capsys, "lesson", path, "--check"), "the file is 2,000,000 bytes; accepted: at most 1,000,000 bytes")


def test_problems_are_capped_and_a_long_formula_is_not_echoed(capsys, tmp_path):
    path = tmp_path / "many.toml"
    path.write_text(f'surface = "{"x+" * 50_000}y"\n' + "".join(f"k{i} = 1\n" for i in range(100)))
    code, out, err = run(capsys, "lesson", path, "--check")
    lines = err.splitlines()
    assert code == 2 and len(lines) == lesson.MAX_PROBLEMS + 1
    assert lines[-1] == f"gdx: error: and {100 + 3 - lesson.MAX_PROBLEMS} more problems"
    assert max(map(len, lines)) < 300  # the 100 kB formula is shown cut short
    assert "formula is 100001 characters long; at most 300 are accepted" in err


def test_control_characters_in_strings_give_valid_config_toml(tmp_path):
    path = tmp_path / "ctl.toml"
    path.write_text('surface = "(x**2\\n+\\f y**2)"\ntitle = "tab\\there\\u007f"\nstart = [1.0, 1.0]\n\n'
                    '[[optimizers]]\nname = "gd"\n')
    parsed = lesson.parse(path)
    document = tomllib.loads(lesson.to_config_toml(parsed))
    assert document["descent"]["surface"] == "(x**2\n+\f y**2)"


# ----------------------------------------------------------------------------- output folders


def bad_folders(tmp_path):
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    return [(Path("/proc/gdx-media"), "cannot write there"), (a_file / "media", "cannot write there (Not a directory)"),
            (tmp_path / "it's", "its path holds '"), (tmp_path / 'say "hi"', 'its path holds "')]


COMMANDS = [["render", f"{TINY}:Tiny"], ["render", "--explainer"], ["stills", f"{TINY}:Tiny", "--at", "1"],
            ["slides", f"{TINY}:Tiny"], ["list", "--measure"]]


def test_unwritable_or_quoted_media_folders_are_one_line_before_rendering(capsys, tmp_path):
    example = tmp_path / "lesson.toml"
    example.write_text(GOOD)
    before = set(tmp_path.rglob("*"))
    for media, fragment in bad_folders(tmp_path):
        before = set(tmp_path.rglob("*"))
        for argv in COMMANDS + [["lesson", example]]:
            one_line(*run(capsys, "--media", media, *argv), f"invalid --media {str(media)!r}: {fragment}")
        assert set(tmp_path.rglob("*")) == before  # nothing created, not even the folder


def test_unwritable_out_and_handout_folders(capsys, tmp_path):
    media = tmp_path / "media"
    (tmp_path / "a-file").write_text("")
    for option in ("--out", "--handout"):
        target = tmp_path / "a-file" / ("x.pdf" if option == "--handout" else "stills")
        code, out, err = run(capsys, "--media", media, "stills", f"{TINY}:Tiny", "--at", "1", option, target)
        shown = target.parent if option == "--handout" else target
        one_line(code, out, err, f"invalid {option} {str(shown)!r}: cannot write there")
    assert not (media / "videos").exists()


def test_writable_folder_removes_what_it_created_when_it_fails(tmp_path, monkeypatch):
    target = tmp_path / "new" / "deeper" / "media"
    real = jobs.tempfile.mkstemp

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(usage.tempfile, "mkstemp", refuse)
    with pytest.raises(usage.UsageError, match="cannot write there .Permission denied."):
        usage.writable_folder(target)
    assert not (tmp_path / "new").exists()
    monkeypatch.setattr(usage.tempfile, "mkstemp", real)
    assert usage.writable_folder(target).is_dir() and list(target.iterdir()) == []


def test_all_with_a_scene_is_refused(capsys, tmp_path):
    one_line(*run(capsys, "--media", tmp_path / "m", "render", "--all", "HookChapter"),
             "--all renders every scene, so HookChapter cannot be named with it; accepted: SCENE... or --all")


@pytest.mark.parametrize("text, fragment", [
    ("[descent]\nsteps = 0\n", "[descent] steps = 0 is not accepted; accepted: an integer from 1 to 100000"),
    ("[descent]\nsurface = \"sqrt(-1)*x\"\n", "sqrt(-1)"),
    ("[nope]\n", "unknown table [nope]"),
    ("[descent]\nhyperparams = " + "[" * 3000 + "]" * 3000 + "\n", "nested too deeply"),
])
def test_a_bad_gdx_config_is_one_gdx_line(capsys, tmp_path, monkeypatch, text, fragment):
    path = tmp_path / "cfg.toml"
    path.write_text(text)
    monkeypatch.setenv(config.ENV_CONFIG, str(path))
    for argv in COMMANDS + [["list"]]:  # every command that renders or reads durations
        one_line(*run(capsys, "--media", tmp_path / "media", *argv), fragment)
    assert not (tmp_path / "media").exists()


def test_a_gdx_config_fifo_is_not_read(capsys, tmp_path, monkeypatch):
    fifo = tmp_path / "cfg.toml"
    os.mkfifo(fifo)
    monkeypatch.setenv(config.ENV_CONFIG, str(fifo))
    one_line(*run(capsys, "--media", tmp_path / "media", "render", f"{TINY}:Tiny"), "not a regular file")


# ----------------------------------------------------------------------------- caches and publishing


def test_damaged_latex_cache_entries_are_found_and_removed(tmp_path):
    tex = tmp_path / "Tex"
    tex.mkdir()
    (tex / "good.tex").write_text("\\begin{document}x\\end{document}\n")
    (tex / "good.dvi").write_bytes(b"\xf7\x02 body \xf8 post \xf9\x02" + b"\xdf" * 4)
    (tex / "good.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'><path d='M0 0'/></svg>")
    (tex / "cut.tex").write_text("\\begin{document}x\\end{document}\n")
    (tex / "cut.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'><path d='M0")
    (tex / "short.tex").write_text("\\begin{document}x\\end{document}\n")
    (tex / "short.dvi").write_bytes(b"\xf7\x02 body")
    (tex / "half.tex").write_text("\\begin{document}x\\end")
    removed = {p.name for p in jobs.purge_broken_tex(tex)}
    assert removed == {"cut.tex", "cut.svg", "short.tex", "short.dvi", "half.tex"}
    assert sorted(p.name for p in tex.iterdir()) == ["good.dvi", "good.svg", "good.tex"]


def test_a_truncated_latex_svg_is_rebuilt_by_the_next_render(tmp_path):
    media = tmp_path / "media"
    runner = jobs.Runner(media, 1, progress=lambda *_: None)
    first = runner.run([jobs.Job(TINY, "Formula")])[0]
    assert first.ok, first.error
    svgs = list(media.glob(".jobs/*/Tex/*.svg"))
    assert svgs
    for svg in svgs:
        svg.write_text(svg.read_text()[: 40])  # what a render killed while dvisvgm wrote leaves
    for segment in media.glob(".jobs/*/videos/*/*/partial_movie_files/*/*.mp4"):
        segment.unlink()  # make manim typeset again instead of reusing the cached play
    again = runner.run([jobs.Job(TINY, "Formula")])[0]
    assert again.ok, again.error
    assert all(svg.read_text().rstrip().endswith("</svg>") for svg in svgs)


def test_a_scene_is_published_whole_or_not_at_all(tmp_path, monkeypatch):
    media = tmp_path / "media"
    runner = jobs.Runner(media, 1, progress=lambda *_: None)
    first = runner.run([jobs.Job(TINY, "Tiny")])[0]
    assert first.ok, first.error
    published = {p: p.read_bytes() for p in first.video.parent.rglob("*") if p.is_file()}
    for p in published:
        p.write_bytes(b"old")
    real = shutil.copyfile

    def fail_on_the_video(src, dst, *args, **kwargs):
        if Path(src).name == "Tiny.mp4":
            raise OSError(28, "No space left on device")
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(jobs.shutil, "copyfile", fail_on_the_video)
    again = runner._publish(first.job, media / ".jobs" / first.job.key, 0.0)
    assert not again.ok and "No space left on device" in again.error
    assert all(p.read_bytes() == b"old" for p in published)  # the section clips were not replaced either
    assert not [p for p in first.video.parent.rglob("*.part")]


def test_a_killed_kit_leaves_no_worker_running(tmp_path):
    """SIGKILL of gdx's whole process group: its manim worker (in a session of its own) dies too."""
    media = tmp_path / "media"
    cmd = [sys.executable, "-m", "gdx.cli", "--media", str(media), "render", f"{TINY}:Slow", "--jobs", "1"]
    kit = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    worker, deadline = None, time.time() + 120
    while worker is None and time.time() < deadline and kit.poll() is None:
        for task in Path(f"/proc/{kit.pid}/task").iterdir():
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in children:  # not the short tool checks (pkg-config, latex --version)
                try:
                    if b"manim\x00render" in Path(f"/proc/{child}/cmdline").read_bytes():
                        worker = int(child)
                except OSError:
                    pass
        time.sleep(0.05)
    assert worker is not None, "gdx ended before its worker could be seen"
    assert running(worker)
    os.killpg(kit.pid, signal.SIGKILL)
    kit.wait()
    deadline = time.time() + 1.0  # the parent-death signal is at once; the render itself needs seconds more
    while time.time() < deadline and running(worker):
        time.sleep(0.05)
    assert not running(worker), "the manim worker outlived the kit"


def running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie waiting to be reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


# ----------------------------------------------------------------------------- GDX_CONFIG tables


def config_tables():
    from dataclasses import fields

    from hypothesis import strategies as st

    from tests.gdx.test_kit_errors import values

    tables = config.all_tables()
    keys = {name: [f.name for f in fields(make())] + ["colour"] for name, make in tables.items()}
    return st.sampled_from(sorted(tables)).flatmap(
        lambda table: st.tuples(st.just(table), st.dictionaries(st.sampled_from(keys[table]), values, max_size=4)))


def test_generated_config_tables_are_a_config_or_one_line():
    from hypothesis import HealthCheck, given, settings

    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(case=config_tables())
    def check(case):
        table, values = case
        try:
            config.from_mapping(values, table)
        except config.ConfigError as exc:
            message = str(exc)
            assert "\n" not in message and message.startswith(f"[{table}]") and len(message) < 1000, message

    check()


def test_newton_on_a_kink_is_refused_by_check_and_by_gdx_config(capsys, tmp_path, monkeypatch):
    path = tmp_path / "kink.toml"
    path.write_text('surface = "abs(x) + y**2"\nstart = [1.0, 1.0]\nscenes = ["descent", "race"]\n\n'
                    '[[optimizers]]\nname = "newton"\n')
    code, out, err = run(capsys, "lesson", path, "--check")
    assert code == 2 and [line.split(":")[3] for line in err.splitlines()] == ["6", "6"]
    assert "newton needs a twice-differentiable formula" in err
    cfg = tmp_path / "cfg.toml"
    cfg.write_text('[race]\nsurface = "abs(x) + y**2"\noptimizers = ["gd", "newton"]\n')
    monkeypatch.setenv(config.ENV_CONFIG, str(cfg))
    one_line(*run(capsys, "--media", tmp_path / "media", "render", "OptimizerRace"),
             "[race] newton needs a twice-differentiable formula")
