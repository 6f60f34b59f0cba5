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
