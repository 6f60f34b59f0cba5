"""Words from facts: the race, the descent and the landscape tour on a user's formula with two
valleys (f* = -4.71, a local minimum at -3.30, a saddle between them).

Each part is dry-run once under a changed config with ``$GDX_STORY`` set; the storyboard it
writes must hold every beat with its times, and every number in its captions and narration
must be one of the facts the beat states, which in turn are checked against mathcore here.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np
import pytest

import mathcore
from scenes.mobjects.text import format_plain as plain
from scenes.parts.race import verdict
from scenes.story import Story, count, fill, placeholders

ROOT = Path(__file__).resolve().parents[2]

TWO_VALLEYS = "x**4 - 4*x**2 + y**2 + 0.5*x"
RACE = f"""
[race]
surface = "{TWO_VALLEYS}"
start = [0.3, 1.8]
steps = 300
mesh_resolution = 8
optimizers = [{{ name = "gd", lr = 0.01 }}, {{ name = "gd", lr = 0.05 }}, "adam"]
hyperparams = {{ adam = {{ lr = 0.05 }} }}
[descent]
surface = "{TWO_VALLEYS}"
title = "Two valleys"
optimizer = "gd"
lr = 0.02
start = [-0.3, 1.8]
steps = 200
mesh_resolution = 8
[landscapes]
surface = "{TWO_VALLEYS}"
mesh_resolution = 8
basin_grid = 31
"""
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:×10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)?")


def dry_story(scene_cls, config_path, story_path):
    from manim import tempconfig

    saved = {k: os.environ.get(k) for k in ("GDX_CONFIG", "GDX_STORY")}
    os.environ.update(GDX_CONFIG=str(config_path), GDX_STORY=str(story_path))
    try:
        with tempconfig({"dry_run": True, "quality": "low_quality", "save_last_frame": True, "disable_caching": True,
                         "progress_bar": "none", "verbosity": "WARNING"}):  # every play jumps to its end
            scene = scene_cls()
            scene.render()
    finally:
        for k, v in saved.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
    return scene, json.loads(story_path.read_text())


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    path = tmp_path_factory.mktemp("words") / "cfg.toml"
    path.write_text(RACE)
    return path


@pytest.fixture(scope="module")
def race(config):
    from scenes.parts.race import OptimizerRace

    return dry_story(OptimizerRace, config, config.with_name("race.json"))


@pytest.fixture(scope="module")
def descent(config):
    from scenes.parts.descent import RosenbrockDescent

    return dry_story(RosenbrockDescent, config, config.with_name("descent.json"))


@pytest.fixture(scope="module")
def tour(config):
    from scenes.parts.landscapes import Landscapes

    return dry_story(Landscapes, config, config.with_name("landscapes.json"))


def numbers_in(text: str) -> list[str]:
    return NUMBER.findall(text.replace("−", "-"))


def assert_numbers_are_facts(story):
    """Every number said or shown is a number of the facts its beat states (or of a fact's own words)."""
    for beat in story["beats"]:
        known = " ".join(str(v) for v in beat["facts"].values())
        allowed = set(numbers_in(known))
        for words in beat["captions"] + [beat["narration"]]:
            for number in numbers_in(words):
                assert number in allowed, f"{beat['name']}: {number!r} in {words!r} is not a fact ({beat['facts']})"


def test_race_story_has_every_beat_with_times(race):
    scene, story = race
    names = [b["name"] for b in story["beats"]]
    assert names == ["the_field", "the_runners", "race", "finish", "scoreboard"]
    for a, b in zip(story["beats"], story["beats"][1:]):
        assert a["end"] == pytest.approx(b["start"]) and a["start"] < a["end"]
    assert story["beats"][-1]["end"] == pytest.approx(scene.renderer.time)
    assert all(b["narration"] for b in story["beats"])


def test_race_numbers_in_words_are_the_runs(race):
    scene, story = race
    assert_numbers_are_facts(story)
    facts = {k: v for b in story["beats"] for k, v in b["facts"].items()}
    surface = mathcore.get_surface(TWO_VALLEYS)
    assert facts["f_star"] == plain(surface.facts.f_min) == "-4.71"
    assert facts["steps"] == 300 and facts["runners"] == "3 runners"
    # From (0.3, 1.8) every runner stops in the right-hand valley, a local minimum.
    finals = [mathcore.run(surface, mathcore.make_optimizer(n, lr=lr), (0.3, 1.8), 300).losses[-1]
              for n, lr in (("gd", 0.01), ("gd", 0.05), ("adam", 0.05))]
    assert facts["verdict"] == (f"No one reaches f − f* ≤ 0.001 in 300 steps;\n"
                                f"all 3 stop in a local minimum at f = {plain(min(finals))}")
    assert "-3.30" in facts["verdict"]


def test_race_plots_the_gap_and_tells_repeated_optimizers_apart(race):
    scene, _ = race
    f_star = mathcore.get_surface(TWO_VALLEYS).facts.f_min
    for (series, _), t in zip(scene.plot.series, scene.data.trajectories):
        np.testing.assert_allclose(series, t.losses - f_star)
    assert scene.data.labels == ["GD (η = 0.01)", "GD (η = 0.05)", "Adam"]
    assert len(set(scene.colors)) == 3
    # Minima marks: the global one filled, the local one hollow, both from describe.
    fills = sorted(round(m[0].get_fill_opacity()) for m in scene.minimum)
    assert fills == [0, 1]


def test_descent_story_on_a_formula(descent):
    scene, story = descent
    assert [b["name"] for b in story["beats"]] == ["intro", "show_rule", "run_descent", "view_from_above",
                                                   "conclude"]
    assert_numbers_are_facts(story)
    assert scene.title.text.replace(" ", "") == "Twovalleys"
    # From (-0.3, 1.8) GD rolls into the left valley: the global minimum.
    end = story["beats"][-1]
    assert end["captions"] == ["The run ends at the lowest minimum, f* = -4.71"]
    assert scene.data.outcome() == "global"
    np.testing.assert_allclose(scene.plot.series[0][0], scene.data.trajectory.gap[: scene.data.last + 1])


def test_tour_of_a_formula_tells_its_own_landscape(tour):
    from mathcore import landmarks

    scene, story = tour
    d = scene.data
    assert [b["name"] for b in story["beats"]] == ["many_minima", "gd_trapped", "noise_escapes", "saddle", "basin_map"]
    assert len(story["notes"]) == 1 and story["notes"][0].startswith("No plateau beat")
    assert_numbers_are_facts(story)
    beats = {b["name"]: b for b in story["beats"]}
    assert beats["many_minima"]["captions"] == ["2 minima: the lowest at f* = -4.71,\nand a local minimum at f = -3.30"]
    # GD stops in the local minimum (f = -3.30); the noisy run, with the sigma and seed on screen, ends lower.
    assert d.trapped_in == "local" and beats["gd_trapped"]["facts"]["f_trapped"] == plain(d.trapped.fun) == "-3.30"
    sigma, seed, noisy, escaped = d.noise
    assert escaped and beats["noise_escapes"]["facts"]["f_noisy"] == plain(noisy.fun) and noisy.fun < d.trapped.fun
    # The saddle's crawl: the smallest gradient before it slides off, at the step said.
    g = d.saddle.grad_norms
    k = landmarks.saddle_pause(g)
    assert beats["saddle"]["facts"] == {"g_min": plain(g[k]), "k_min": k} and g[k] < 0.01 * g[0]
    xs, ys, index = d.basins
    share = np.mean(index == 0)  # minima[0] is the global one
    assert beats["basin_map"]["facts"]["share"] == f"{100 * share:.1f}"
    assert all("{" not in b["narration"] for b in story["beats"])


def test_verdict_words_for_each_outcome():
    out = [{"label": "GD", "kind": "reached", "steps": 40, "final": 1e-5, "step": 100},
           {"label": "Adam", "kind": "local", "steps": None, "final": -3.2966, "step": 100},
           {"label": "Newton", "kind": "diverged", "steps": None, "final": np.inf, "step": 12},
           {"label": "RMSProp", "kind": "short", "steps": None, "final": 0.52, "step": 100}]
    text = verdict(out, 1e-3, 100, -4.71)
    assert text == ("GD is first to f − f* ≤ 0.001, at step 40;\nAdam stops in a local minimum at f = -3.30; "
                    "Newton diverges at step 12; RMSProp does not get there in 100 steps (f − f* = 5.23)")
    said = verdict(out, 1e-3, 100, -4.71, spoken=True)
    assert "\n" not in said and said.startswith("GD is first to within 0.001 of the lowest value, at step 40;")
    assert said.endswith("RMSProp does not get there in 100 steps, still 5.23 above the lowest value.")
    two = [dict(out[2], label=name) for name in ("GD", "Momentum")]
    assert verdict(two, 1e-3, 100, 0.0).endswith("GD and Momentum diverge at step 12")
    assert verdict(out[:1], 1e-3, 100, 0.0) == "GD is first to f − f* ≤ 0.001, at step 40;\nf* = 0"


def test_story_fills_placeholders_and_records_the_facts(tmp_path):
    story = Story("race")
    story.begin("the_field", 0.0, runners=count(2, "runner", "runners"), steps=7, f_star="0", minima="no minima")
    shown = story.caption()
    story.end(3.0)
    assert shown == "2 runners, one start, one budget of 7 steps each"
    beat = story.beats[0]
    assert beat["facts"] == {"runners": "2 runners", "steps": 7, "minima": "no minima", "f_star": "0"}
    assert placeholders("{a} and {b}") == ["a", "b"] and fill("{a}!", {"a": 1}) == "1!"
    assert count(1, "minimum", "minima") == "one minimum" and count(0, "saddle", "saddles") == "no saddles"
    story.write(tmp_path / "s.json")
    assert json.loads((tmp_path / "s.json").read_text())["beats"][0]["end"] == 3.0


def test_no_part_types_its_captions_in_code():
    """One source per beat's words: every caption a part shows is a ``[captions]`` line of its
    narration file (``say(index, **facts)``), never a string literal in the code."""
    import ast

    typed = []
    for path in sorted((ROOT / "scenes").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("say", "caption", "show") and node.args
                    and isinstance(node.args[0], (ast.JoinedStr, ast.Constant))
                    and isinstance(getattr(node.args[0], "value", ""), str)):
                typed.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert typed == []
