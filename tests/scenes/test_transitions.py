"""The transition grammar on every part: never two captions or two titles visible at once.

Each part is played at 6 frames a second with nothing drawn (``gdx.catalog.dry_render(watch=)``);
at every frame time of every play the watch asks :func:`scenes.part.doubled_roles` what a viewer
would see. The explainer's chapters host every part's cut; the full parts play alone.
"""

from __future__ import annotations

import importlib

import pytest
from manim import Scene, Text

from gdx.catalog import dry_render
from scenes.animations import FadeIn, FadeOut, fade_swap
from scenes.mobjects import tagged
from scenes.part import Part, doubled_roles

PARTS = [
    "scenes.explainer.Chapter1Hook", "scenes.explainer.Chapter2Mathematics", "scenes.explainer.Chapter3LearningRate",
    "scenes.explainer.Chapter4Landscapes", "scenes.explainer.Chapter5BetterSteps",
    "scenes.explainer.Chapter6NeuralNetworks", "scenes.explainer.Chapter7Limitations",
    "scenes.parts.hook.HookChapter", "scenes.parts.derivatives.DerivativesChapter",
    "scenes.parts.gradient.GradientChapter", "scenes.parts.update_rule.UpdateRuleChapter",
    "scenes.parts.learning_rate.LearningRate", "scenes.parts.landscapes.Landscapes",
    "scenes.parts.stochastic.StochasticChapter", "scenes.parts.momentum.MomentumCloseUp",
    "scenes.parts.adaptive.AdaptiveChapter", "scenes.parts.backprop.BackpropChapter",
    "scenes.parts.limitations.LimitationsChapter", "scenes.parts.race.OptimizerRace",
    "scenes.parts.descent.RosenbrockDescent", "scenes.parts.sigmoid_neuron.SigmoidNeuron",
]


def doubles_seen(scene_class) -> list:
    """(scene time, role, words) at every frame time where a role is shown twice."""
    log = []

    def watch(scene):
        for role, mobs in doubled_roles(scene).items():
            log.append((round(scene.time, 2), role, [getattr(m, "words", type(m).__name__) for m in mobs]))

    dry_render(scene_class, frame_rate=6, watch=watch)
    return log


class CrossFade(Part, Scene):
    """Two captions cross-faded in one play (what the grammar forbids), then swapped properly."""

    BEATS = ("cross", "swap")

    def construct(self):
        a, b, c = (tagged(Text(w), "caption") for w in ("first", "second", "third"))
        for mob, w in zip((a, b, c), ("first", "second", "third")):
            mob.words = w
        self.begin_beat("cross")
        self.play(FadeIn(a), run_time=0.5)
        self.play(FadeOut(a), FadeIn(b), run_time=1.0)
        self.begin_beat("swap")
        self.play(*fade_swap(b, c, run_time=1.0), run_time=1.0)


def test_the_watch_sees_a_cross_fade_and_not_a_swap():
    log = doubles_seen(CrossFade)
    assert log and all(words == ["first", "second"] for _, _, words in log)
    assert all(0.5 < t < 1.5 for t, _, _ in log)  # the cross-fade, not the swap after it


@pytest.mark.parametrize("path", PARTS, ids=lambda p: p.rsplit(".", 1)[-1])
def test_no_two_captions_or_titles_at_once(path):
    module, name = path.rsplit(".", 1)
    assert doubles_seen(getattr(importlib.import_module(module), name)) == []
