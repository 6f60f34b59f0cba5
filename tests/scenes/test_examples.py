"""The README's building-block example renders (dry run) and draws the run it computed."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
from manim import tempconfig

ROOT = Path(__file__).resolve().parents[2]


def test_my_slide_example_builds_the_whole_run():
    spec = importlib.util.spec_from_file_location("my_slide", ROOT / "examples" / "my_slide.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with tempconfig({"dry_run": True, "quality": "low_quality", "verbosity": "ERROR", "disable_caching": True}):
        scene = module.MySlide()
        scene.render()
    from scenes.mobjects.paths import Marker, Trail

    trails = [m for m in scene.mobjects if isinstance(m, Trail)]
    balls = [m for m in scene.mobjects if isinstance(m, Marker)]
    assert trails and balls
    assert all(t.step == len(t.vertices) - 1 for t in trails)  # the whole run is drawn
    assert np.allclose(balls[0].get_center(), trails[0].vertices[-1])


def test_my_part_example_plays_its_beats_with_the_runs_numbers():
    """The README's how-to-add-a-part example: its two beats, words filled from mathcore's run."""
    import mathcore
    from scenes.mobjects.text import format_plain as plain

    spec = importlib.util.spec_from_file_location("my_part", ROOT / "examples" / "my_part.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with tempconfig({"dry_run": True, "quality": "low_quality", "verbosity": "ERROR", "disable_caching": True,
                     "save_last_frame": True}):
        scene = module.FirstSteps()
        scene.render()
    beats = scene.story.beats
    assert [b["name"] for b in beats] == list(module.FirstSteps.BEATS)
    surface = mathcore.get_surface("himmelblau")
    run = mathcore.run(surface, mathcore.make_optimizer("gd", lr=0.01), [-0.5, 0.5], steps=200)
    assert beats[0]["captions"] == [f"{len(surface.facts.minima)} minima; the lowest value is f = {plain(surface.facts.f_min)}"]
    end = f"({run.points[-1][0]:.2f}, {run.points[-1][1]:.2f})"
    assert beats[1]["captions"] == [f"{run.n_steps} steps of GD: f = {plain(run.losses[-1])} at {end}"]
    assert end in beats[1]["narration"] and plain(run.losses[-1]) in beats[1]["narration"]
