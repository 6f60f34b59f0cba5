"""The part framework (``scenes/part.py``): beats, the explainer's cut as data, its pace."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from manim import Circle, Scene, tempconfig

from scenes.animations import FadeIn
from scenes.explainer import CHAPTERS, CUTS
from scenes.part import Cut, Part

CONFIG = {"dry_run": True, "quality": "low_quality", "disable_caching": True, "verbosity": "WARNING",
          "progress_bar": "none", "save_last_frame": True}


class TwoBeats(Part, Scene):
    """Beat ``a``: a 1 s fade and a 2 s wait; beat ``b``: a 2 s fade and a 1 s wait."""

    BEATS = ("a", "b")

    def construct(self):
        self.begin_beat("a")
        self.play(FadeIn(Circle()), run_time=1.0)
        self.wait(2.0)
        self.begin_beat("b")
        self.play(FadeIn(Circle(), run_time=2.0))  # the animation's own run time
        self.wait(1.0)
        self.story.end(self.renderer.time)


def beat_lengths(cut_plan):
    with tempconfig(CONFIG):
        scene = TwoBeats()
        scene.cut_plan = cut_plan
        scene.render()
    return {b["name"]: round(b["end"] - b["start"], 6) for b in scene.story.beats}


def test_a_cut_plays_each_beat_at_its_pace():
    """(Each play in whole frames at 15 fps, FrameExact: within a frame of the paced plan.)"""
    frame = 1 / 15 + 1e-6
    assert beat_lengths(None) == {"a": 3.0, "b": 3.0}
    assert beat_lengths(Cut()) == {"a": 3.0, "b": 3.0}
    assert beat_lengths(Cut(pace={"b": 0.5})) == pytest.approx({"a": 3.0, "b": 1.5}, abs=frame)
    assert beat_lengths(Cut(pace={"a": 0.25, "b": 0.5})) == pytest.approx({"a": 0.75, "b": 1.5}, abs=frame)


class Holds(Part, Scene):
    """Beat ``a``: a result held 5 s; beat ``b``: one held 2 s."""

    BEATS = ("a", "b")

    def construct(self):
        self.begin_beat("a")
        self.hold(5.0)
        self.begin_beat("b")
        self.hold(2.0)
        self.story.end(self.renderer.time)


def test_a_result_is_held_3_s_in_any_cut():
    """``hold`` follows the cut's pace but never goes under 3 s, nor above what the full part holds."""
    for pace, expected in ((1.0, {"a": 5.0, "b": 2.0}), (0.5, {"a": 3.0, "b": 2.0}), (0.8, {"a": 4.0, "b": 2.0})):
        with tempconfig(CONFIG):
            scene = Holds()
            scene.cut_plan = Cut(pace={"a": pace, "b": pace}) if pace != 1.0 else None
            scene.render()
        assert {b["name"]: round(b["end"] - b["start"], 6) for b in scene.story.beats} == expected, pace


def test_a_cut_names_only_beats_the_part_has_and_paces_in_range():
    assert Cut().beats_of(("a", "b")) == ("a", "b")
    assert Cut(beats=("b",)).beats_of(("a", "b")) == ("b",)
    with pytest.raises(ValueError, match=r"the cut names beats \['c'\] that the part does not have; it has \['a', 'b'\]"):
        Cut(beats=("a", "c")).beats_of(("a", "b"))
    for bad in (0, 1.5, -0.2):
        with pytest.raises(ValueError, match="pace must be in"):
            Cut(pace={"a": bad})


def test_every_part_of_the_explainer_has_a_cut_whose_beats_it_plays(explainer_run):
    """``CUTS`` holds one cut per part, and every beat it names or paces is one the part played."""
    stems = [module.rsplit(".", 1)[-1] for _, _, parts in CHAPTERS for module, _ in parts]
    assert sorted(CUTS) == sorted(stems)
    for stem in stems:
        part, sections, _ = explainer_run.part(stem)
        played = [name.split(".", 1)[1] for name, _ in sections]
        cut = CUTS[stem]
        assert part.cut_plan is cut
        if cut.beats is not None:
            assert played == list(cut.beats), stem
        assert set(cut.pace) <= set(played), stem


def test_scenes_compute_nothing_mathcore_can():
    """No part differentiates, lambdifies, expands in series or minimizes: mathcore does, once."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    banned = {"diff", "lambdify", "series", "solve", "nsolve", "minimize", "gradient", "hessian"}
    found = []
    for path in sorted((root / "scenes").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                owner = getattr(func.value, "id", "") if isinstance(func, ast.Attribute) else ""
                if name in banned and owner in ("sp", "sympy", "scipy", "optimize", ""):
                    found.append(f"{path.relative_to(root)}:{node.lineno} {name}")
    assert found == []


def test_a_parts_cut_is_data():
    """No part branches on ``self.cut``: what its explainer cut changes is in ``CUTS`` (beats,
    pace, options), read through ``option``; only the framework reads the cut itself."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    framework = {root / "scenes" / name for name in ("part.py", "explainer.py", "chapter.py")}
    reads = []
    for path in sorted((root / "scenes").rglob("*.py")):
        if path in framework:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in ("cut", "explainer_cut", "cut_plan"):
                reads.append(f"{path.relative_to(root)}:{node.lineno} .{node.attr}")
    assert reads == []


def test_every_option_a_cut_sets_is_read_by_its_part(explainer_run):
    """An option in ``CUTS`` that its part never asks for would change nothing: a typo."""
    import ast
    import importlib
    from pathlib import Path

    for stem, cut in CUTS.items():
        module = next(m for _, _, parts in CHAPTERS for m, _ in parts if m.rsplit(".", 1)[-1] == stem)
        source = Path(importlib.import_module(module).__file__).read_text()
        asked = {node.args[0].value for node in ast.walk(ast.parse(source))
                 if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "option"
                 and node.args and isinstance(node.args[0], ast.Constant)}
        assert set(cut.options) <= asked, (stem, set(cut.options) - asked)


def test_a_part_plays_only_its_declared_beats_in_order():
    class Declared(Part, Scene):
        BEATS = ("a", "b")

        def construct(self):
            for name in self.order:
                self.begin_beat(name)
                self.wait(0.5)

    for order, problem in ((("a", "b"), None), (("b",), None), (("a", "c"), "which its BEATS"),
                           (("b", "a"), "after 'b'")):
        with tempconfig(CONFIG):
            scene = Declared()
            scene.order = order
            if problem is None:
                scene.render()
                assert [b["name"] for b in scene.story.beats] == list(order)
            else:
                with pytest.raises(ValueError, match=problem):
                    scene.render()


NARRATION = Path(__file__).resolve().parents[2] / "assets" / "narration"


def beats(module: str) -> list[str]:
    with (NARRATION / f"{module}.toml").open("rb") as fh:
        return list(tomllib.load(fh)["beats"])


@pytest.mark.parametrize("fixture, module", [("landscapes", "landscapes"), ("race", "race"),
                                             ("race_rastrigin", "race"), ("momentum", "momentum")])
def test_sections_are_the_narrated_beats(request, fixture, module):
    scene, sections = request.getfixturevalue(fixture)
    named = [s for s in sections if s != "autocreated"]
    assert named == beats(module)
    assert 20.0 <= scene.exact_duration <= 60.0


class Blinks(Part, Scene):
    """Ten plays shorter than a frame (each still takes one), then a 1 s play."""

    BEATS = ("a",)

    def construct(self):
        self.begin_beat("a")
        for _ in range(10):
            self.play(FadeIn(Circle()), run_time=1 / 60)
        self.played_before = self.renderer.time
        self.play(FadeIn(Circle()), run_time=1.0)


def test_plays_under_a_frame_do_not_shorten_the_plays_after_them():
    """Each play is whole frames at 15 fps (FrameExact); the remainder carried to the next play
    stays within half a frame, so ten 1/60 s plays (one frame each) do not eat a later 1 s play."""
    with tempconfig(CONFIG):
        scene = Blinks()
        scene.render()
    assert scene.played_before == pytest.approx(10 / 15)
    assert scene.renderer.time - scene.played_before == pytest.approx(1.0, abs=1 / 30 + 1e-6)
