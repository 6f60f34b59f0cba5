"""The chapter framework (``scenes/chapter.py``) on every chapter: beats in code and in the
narration, lengths, layout, overlays, the camera, tables from GDX_CONFIG.

Each chapter renders once per test session under a dry run (``chapter_run``, tests/scenes/conftest.py).
"""

from __future__ import annotations

import numpy as np
import pytest
from manim import MathTex, Text

from scenes.chapter import Chapter, in_frame, load_narration
from scenes.parts import adaptive, backprop, derivatives, gradient, hook, limitations, stochastic, update_rule
from scenes.theme import MIN_FONT_SIZE

MODULES = {"hook": hook, "derivatives": derivatives, "gradient": gradient, "update_rule": update_rule}
SCENES = {
    "stochastic": stochastic.StochasticChapter,
    "adaptive": adaptive.AdaptiveChapter,
    "backprop": backprop.BackpropChapter,
    "limitations": limitations.LimitationsChapter,
}


@pytest.mark.parametrize("name", list(MODULES))
def test_beats_match_narration_and_methods(name):
    module = MODULES[name]
    narration = load_narration(name)
    assert list(narration) == list(module.BEATS)
    # every beat says something, except an outro: a short fade with an empty line, over which
    # the previous beat's subtitle stays on (gdx.subtitles.cues_from_beats)
    assert all(text.strip() for beat, text in narration.items() if beat != "outro")
    chapter_cls = next(v for v in vars(module).values()
                       if isinstance(v, type) and issubclass(v, Chapter) and v is not Chapter)
    assert chapter_cls.BEATS == module.BEATS
    for beat in module.BEATS:
        assert callable(getattr(chapter_cls, beat)), beat


@pytest.mark.parametrize("name", list(MODULES))
def test_chapter_renders_in_order_within_length_and_layout(name, chapter_run):
    scene = chapter_run[name]
    chapter = scene.chapter
    assert list(chapter.beat_times) == list(MODULES[name].BEATS)
    starts = [a for a, _ in chapter.beat_times.values()]
    assert starts == sorted(starts)
    assert 30.0 <= scene.renderer.time <= 50.0, scene.renderer.time
    assert chapter.layout_problems == []
    assert scene.mobjects == []  # each chapter ends on an empty frame, ready for the next


INTRODUCED_OVERLAYS = {
    "hook": ("slope", "step"),
    "gradient": ("f(x, y)", r"\frac{\partial f}{\partial x}", r"\text{at}", r"\frac{\partial f}{\partial y}",
                 r"\nabla f = ", r"\begin{matrix}", "steepestascent", "steepestdescent"),  # Text drops spaces
}


@pytest.mark.parametrize("name", ["hook", "gradient"])
def test_overlays_appear_only_with_the_animation_that_shows_them(name, chapter_run):
    """A pinned overlay (readout, formula, label) is not in the scene before the play that
    writes or fades it in, and one that is changed or faded out was on screen first."""
    log = chapter_run[name].overlay_log
    assert [entry for entry in log if entry[0] == "early"] == []
    assert [entry for entry in log if entry[0] == "unseen"] == []
    shown = [label for kind, _, label in log if kind == "shown"]
    for word in INTRODUCED_OVERLAYS[name]:  # the check saw the overlays it is about
        assert any(word in label for label in shown), (word, shown)


@pytest.mark.parametrize("name", ["hook", "gradient"])
def test_three_d_chapters_end_with_the_default_camera(name, chapter_run):
    camera = chapter_run[name].camera
    assert camera.get_phi() == 0 and camera.get_zoom() == 1
    assert np.allclose(camera.frame_center, 0)
    assert not camera.fixed_in_frame_mobjects


@pytest.mark.parametrize("name", list(SCENES))
def test_chapter_plays_every_narrated_beat_in_30_to_50_seconds(chapter_run, name):
    chapter = chapter_run[name].chapter
    beats = tuple(load_narration(name))
    assert chapter.BEATS == beats
    assert tuple(chapter.beat_times) == beats
    assert all(hasattr(chapter, beat) for beat in beats)
    starts = [t[0] for t in chapter.beat_times.values()]
    assert starts == sorted(starts)
    duration = chapter.beat_times[beats[-1]][1] - chapter.beat_times[beats[0]][0]
    assert 30.0 <= duration <= 50.0, duration
    assert chapter_run[name].mobjects == []  # the chapter leaves a clean slate for the next one


@pytest.mark.parametrize("name", list(SCENES))
def test_everything_on_screen_stays_inside_the_margin_and_is_legible(chapter_run, name):
    chapter = chapter_run[name].chapter
    for beat, mobjects in chapter.frames.items():
        for mob in mobjects:
            if not mob.get_family() or not any(m.has_points() for m in mob.get_family()):
                continue
            assert in_frame(mob, margin=0.45), (beat, mob, mob.get_corner([-1, -1, 0]), mob.get_corner([1, 1, 0]))
            for m in mob.get_family():
                if isinstance(m, (Text, MathTex)) and m.height > 0 and any(p.has_points() for p in m.get_family()):
                    assert m.font_size >= MIN_FONT_SIZE - 0.5, (beat, m, m.font_size)


def test_module_level_beat_lists_match_the_narration():
    for module, name in ((stochastic, "stochastic"), (adaptive, "adaptive"), (backprop, "backprop"),
                         (limitations, "limitations")):
        assert module.BEATS == tuple(load_narration(name))


CHANGED = """
[stochastic]
batch_size = 4
epochs = 6
lr = 0.1
[adaptive]
lr = 0.05
steps = 300
[backprop]
sizes = [2, 1, 1]
example = 1
lr = 1.0
train_steps = 800
windows = [[0, 100], [100, 801]]
[limitations]
gd_lr = 0.001
gd_steps = 1500
newton_steps = 30
sched_epochs = 8
"""


@pytest.fixture(scope="module")
def changed(tmp_path_factory):
    """Each chapter dry-run (every play jumps to its end) under the config above."""
    from gdx.catalog import dry_render

    path = tmp_path_factory.mktemp("gdx") / "changed.toml"
    path.write_text(CHANGED)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GDX_CONFIG", str(path))
        mp.delenv("GDX_THEME", raising=False)
        return {name: dry_render(cls, jump=True)[0] for name, cls in SCENES.items()}


@pytest.mark.parametrize("name", list(SCENES))
def test_chapters_take_their_tables_from_gdx_config(changed, name, tmp_path):
    """[stochastic], [adaptive], [backprop] and [limitations] reach the chapters: the runs,
    the words (every number said is one of the beat's facts) and the layout follow them."""
    import re

    from scenes import config

    path = tmp_path / "changed.toml"
    path.write_text(CHANGED)
    chapter = changed[name].chapter
    assert chapter.cfg == config.load(name, path) != config.load(name)
    number = re.compile(r"-?\d+(?:\.\d+)?")
    for beat in chapter.story.beats:
        allowed = set(number.findall(" ".join(str(v) for v in beat["facts"].values())))
        for said in number.findall(beat["narration"]):
            assert said in allowed, (beat["name"], said, beat["narration"])
    for beat, mobjects in chapter.frames.items():
        for mob in mobjects:
            if any(m.has_points() for m in mob.get_family()):
                assert in_frame(mob, margin=0.45), (beat, mob, mob.get_corner([-1, -1, 0]), mob.get_corner([1, 1, 0]))
    if name == "stochastic":
        assert chapter.runs["minibatch"].settings["batch_size"] == 4
        assert "4" in " ".join(b["narration"] for b in chapter.story.beats)
        assert len(chapter.runs["batch"].points) == 6 + 1  # one step per epoch
    if name == "adaptive":
        assert chapter.bar_step == 300
    if name == "backprop":
        assert chapter.net.sizes == (2, 1, 1) and len(chapter.pos[1]) == 1
    if name == "limitations":
        assert chapter.runs["gd"].n_steps <= 1500
