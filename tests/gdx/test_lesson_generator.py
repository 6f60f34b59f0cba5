"""Lessons as a generator: a user's formula, defaults from its facts, parts named for what they
are, one optimizer at several rates, per-part tables, ``--list-scenes`` and ``--dry-run``."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pytest

import mathcore
from gdx import cli, lesson
from test_kit_units import write as write_file  # tests/gdx/ is on sys.path (pytest's rootdir-less import)
from scenes.mobjects.text import format_plain as plain

ROOT = Path(__file__).resolve().parents[2]
MEDIA = ROOT / ".pytest_cache" / "gdx-media"  # shared with the scene tests: LaTeX is typeset once
TWO_VALLEYS = "x**4 - 4*x**2 + y**2 + 0.5*x"
LESSON = f'''title = "Two valleys"
surface = "{TWO_VALLEYS}"
steps = 120
loss_tol = 0.01
scenes = ["descent", "momentum", "race"]

[[optimizers]]
name = "gd"
lr = 0.01

[[optimizers]]
name = "gd"
lr = 0.05

[race]
mesh_resolution = 8
race_seconds = 6.0

[descent]
mesh_resolution = 8
descent_seconds = 5.0
'''


def write(tmp_path, text, name="two_valleys.toml") -> Path:
    return write_file(tmp_path, text, name)


def test_defaults_come_from_the_surfaces_facts(tmp_path):
    parsed = lesson.parse(write(tmp_path, LESSON))
    facts = mathcore.get_surface(TWO_VALLEYS).facts
    assert parsed.start == tuple(facts.start) and parsed.loss_tol == 0.01 and parsed.stem == "two_valleys"
    race = parsed.tables["race"]
    assert race["title"] == "Two valleys: the race" and race["loss_tol"] == 0.01
    assert race["optimizers"] == [{"name": "gd", "lr": 0.01}, {"name": "gd", "lr": 0.05}]
    assert race["race_seconds"] == 6.0  # the lesson's [race] table reaches the part's config
    assert parsed.tables["descent"]["title"] == "Two valleys"
    momentum = parsed.tables["momentum_closeup"]
    assert momentum["gd_lr"] == 0.01  # the lesson's GD rate
    # The config the kit writes is read back by the scenes' own loader.
    document = tomllib.loads(lesson.to_config_toml(parsed))
    from scenes import config

    cfg = config.from_mapping(document["race"], "race")
    assert [(n, hp["lr"]) for n, hp in cfg.runners] == [("gd", 0.01), ("gd", 0.05)]


def test_a_lesson_without_optimizers_runs_gd_momentum_and_adam_at_rates_from_the_facts(tmp_path):
    """A lecturer may type only a formula: the runners then come from ``describe``."""
    parsed = lesson.parse(write(tmp_path, 'surface = "0.5*(x**2 + y**2) + sin(3*x)*sin(3*y)"\nscenes = ["race"]\n'))
    surface = mathcore.get_surface("0.5*(x**2 + y**2) + sin(3*x)*sin(3*y)")
    right = surface.facts.learning_rates["right"]
    span = max(hi - lo for lo, hi in surface.domain)
    assert [(n, lr) for n, lr, _ in parsed.optimizers] == [
        ("gd", float(f"{right:.2g}")), ("momentum", float(f"{right / 2:.2g}")), ("adam", float(f"{span / 100:.1g}"))]
    assert parsed.optimizers[1][2] == {"momentum": 0.9}
    assert [r["name"] for r in parsed.tables["race"]["optimizers"]] == ["gd", "momentum", "adam"]
    with pytest.raises(lesson.LessonError, match="no \\[\\[optimizers\\]\\] table"):
        lesson.parse(write(tmp_path, 'surface = "x**2 + y**2"\noptimizers = []\n', "empty.toml"))


def test_a_domain_key_sets_the_surface_and_checks_the_start(tmp_path):
    text = LESSON.replace("steps = 120", "steps = 120\ndomain = [[-1.0, 2.0], [-1.0, 2.0]]\nstart = [-2.0, 0.0]")
    with pytest.raises(lesson.LessonError) as info:
        lesson.parse(write(tmp_path, text))
    assert info.value.problems == [f"{tmp_path / 'two_valleys.toml'}:5: start x = -2.0 is outside the plot domain; "
                                   "accepted: -1.0 to 2.0"]
    parsed = lesson.parse(write(tmp_path, text.replace("start = [-2.0, 0.0]", "start = [0.5, 1.5]")))
    assert parsed.tables["race"]["domain"] == [[-1.0, 2.0], [-1.0, 2.0]]


@pytest.mark.parametrize("old, new, line, fragment", [
    ("race_seconds = 6.0", "race_seconds = -6.0", 17, "[race] race_seconds = -6.0 is not accepted; accepted: a number > 0"),
    ("race_seconds = 6.0", "speed = 3", 17, "[race] unknown key 'speed'; accepted: surface"),
    ("descent_seconds = 5.0", "camera_phi = 120.0", 21, "[descent] camera_phi = 120.0 is not accepted"),
    ('name = "gd"\nlr = 0.05', 'name = "gd"\nlr = 0.01', 12, "optimizer gd with these settings is already entry 1"),
    ("loss_tol = 0.01", "loss_tol = 0", 4, "loss_tol = 0 is not accepted; accepted: a number > 0"),
    ('title = "Two valleys"', 'title = ""', 1, "title = '' is not accepted; accepted: a one-line string"),
    ('scenes = ["descent", "momentum", "race"]', 'scenes = ["race", "race"]', 5, "names a part twice"),
    ("[race]", "[opera]", 15, "unknown key 'opera'; accepted: title, surface, domain"),
])
def test_problems_point_at_their_own_line(tmp_path, old, new, line, fragment):
    path = write(tmp_path, LESSON.replace(old, new, 1))
    with pytest.raises(lesson.LessonError) as info:
        lesson.parse(path)
    problems = info.value.problems
    assert any(p.startswith(f"{path}:{line}: ") and fragment in p for p in problems), problems


def test_a_surface_without_a_minimum_is_refused_for_the_race(tmp_path):
    text = LESSON.replace(f'"{TWO_VALLEYS}"', '"x + y"').replace('["descent", "momentum", "race"]', '["race"]')
    with pytest.raises(lesson.LessonError) as info:
        lesson.parse(write(tmp_path, text))
    assert any("has no minimum inside its domain" in p for p in info.value.problems)


def test_list_scenes(capsys):
    assert cli.main(["lesson", "any.toml", "--list-scenes"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in out] == list(lesson.PARTS)


@pytest.fixture(scope="module")
def dry_run(tmp_path_factory):
    path = write(tmp_path_factory.mktemp("lesson"), LESSON)
    out = MEDIA / "lessons" / "two_valleys"
    shutil.rmtree(out, ignore_errors=True)
    code = cli.main(["--media", str(MEDIA), "lesson", str(path), "--dry-run"])
    return code, out


def test_dry_run_writes_the_storyboard_and_no_video(dry_run, capsys):
    code, out = dry_run
    assert code == 0
    story = json.loads((out / "story.json").read_text())
    assert story["lesson"] == "Two valleys" and story["surface"] == TWO_VALLEYS
    assert [p["part"] for p in story["parts"]] == ["descent", "momentum", "race"]
    assert [p["video"] for p in story["parts"]] == ["descent.mp4", "momentum.mp4", "race.mp4"]
    for part in story["parts"]:
        beats = part["beats"]
        assert beats and beats[0]["start"] == pytest.approx(0.0, abs=1e-9)
        assert beats[-1]["end"] == pytest.approx(part["duration"], abs=1e-3)
        for a, b in zip(beats, beats[1:]):
            assert a["end"] == pytest.approx(b["start"])
        assert all(b["narration"] and "{" not in b["narration"] for b in beats)
    # The verdict is the runs': from describe's start, recomputed here.
    surface = mathcore.get_surface(TWO_VALLEYS)
    runs = [mathcore.run(surface, mathcore.make_optimizer("gd", lr=lr), surface.facts.start, 120) for lr in (0.01, 0.05)]
    hits = [next((k for k, g in enumerate(t.gap) if g <= 0.01), None) for t in runs]
    assert hits[0] is None and hits[1] is not None
    race = story["parts"][2]["beats"][-1]
    assert race["facts"]["verdict"] == (f"GD (η = 0.05) is first to f − f* ≤ 0.01, at step {hits[1]};\n"
                                        f"GD (η = 0.01) does not get there in 120 steps (f − f* = {plain(runs[0].gap[-1])})")
    assert not list(out.glob("*.mp4"))


def test_the_explainer_lesson_puts_the_surface_in_its_chapters(tmp_path):
    text = LESSON.replace('scenes = ["descent", "momentum", "race"]', 'scenes = ["explainer"]') + \
        "[learning_rate]\nrates = [0.02, 0.2]\n"
    parsed = lesson.parse(write(tmp_path, text))
    facts = mathcore.get_surface(TWO_VALLEYS).facts
    card = parsed.tables["explainer"]
    assert card["title"] == "Two valleys" and card["surface"] == TWO_VALLEYS
    assert card["promise"] == (f"A surface with {len(facts.minima)} minima and "
                               f"{'one saddle' if len(facts.saddles) == 1 else f'{len(facts.saddles)} saddles'}")
    # the bowl's promise ("... one minimum and no saddles") stays within the card's 60 characters
    bowl = lesson.parse(write(tmp_path, text.replace(f'surface = "{TWO_VALLEYS}"', 'surface = "x**2 + y**2"')))
    assert bowl.tables["explainer"]["promise"] == "A surface with one minimum and no saddles"
    assert parsed.tables["learning_rate"]["surface"] == TWO_VALLEYS
    assert parsed.tables["learning_rate"]["rates"] == [0.02, 0.2]  # the lesson's [learning_rate] reaches chapter 3
    assert parsed.tables["momentum_closeup"]["surface"] == TWO_VALLEYS
    bad = text.replace('[learning_rate]', '[explainer]\ntitle = ""\n[learning_rate]')
    with pytest.raises(lesson.LessonError) as info:
        lesson.parse(write(tmp_path, bad))
    assert any(":23: [explainer] title = '' is not accepted" in p for p in info.value.problems), info.value.problems


def test_storyboards_join_and_keep_every_section():
    from gdx.commands.lesson import joined
    from gdx.words import marks_of, storyboard

    marks = marks_of([("autocreated", 0.0, None), ("race.the_field", 2.0, None), ("race.finish", 3.0, None)])
    story = {"beats": [{"name": "race.the_field", "captions": ["c"], "narration": "said {n}", "facts": {"n": 1}}]}
    beats = storyboard(marks, 5.0, story, "race")
    assert [(b["name"], b["start"], b["end"]) for b in beats] == [("race.the_field", 0.0, 2.0), ("race.finish", 2.0, 5.0)]
    assert beats[0]["narration"] == "" and beats[0]["captions"] == ["c"]  # an unfilled template is never said
    assert beats[1]["narration"] == ""  # race.toml's text for it has {tol}: nobody filled it, so it is not said
    plain_text = storyboard([("hook.feel_slope", 0.0)], 1.0, {}, "hook")
    assert plain_text[0]["narration"]  # a concept chapter's narration comes from its file
    both = joined([{"duration": 5.0, "beats": beats}, {"duration": 1.0, "beats": beats[:1]}])
    assert both["duration"] == 6.0 and both["beats"][-1]["start"] == 5.0


def test_the_readme_shows_what_list_scenes_prints(capsys):
    text = (ROOT / "README.md").read_text()
    block = text.split("$ gdx lesson any.toml --list-scenes\n", 1)[1].split("```", 1)[0]
    cli.main(["lesson", "any.toml", "--list-scenes"])
    assert capsys.readouterr().out == block
