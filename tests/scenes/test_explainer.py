"""The full explainer: its sections, its length and its chapter budgets, under a dry run."""

from __future__ import annotations

import pytest
from manim import Scene, tempconfig

from scenes import explainer as ex


@pytest.fixture(scope="module")
def sections():
    """``[(section name, start, end), ...]`` of a dry run of GradientDescentExplained."""
    marks = []
    original = Scene.next_section

    def recording(self, name="unnamed", *args, **kwargs):
        marks.append((name, self.renderer.time))
        return original(self, name, *args, **kwargs)

    Scene.next_section = recording
    try:
        with tempconfig({"dry_run": True, "quality": "low_quality", "verbosity": "ERROR", "disable_caching": True}):
            scene = ex.GradientDescentExplained()
            scene.render()
            end = scene.renderer.time
    finally:
        Scene.next_section = original
    return [(name, t, marks[i + 1][1] if i + 1 < len(marks) else end) for i, (name, t) in enumerate(marks)]


def test_one_section_per_chapter_after_the_title(sections):
    names = [name for name, _, _ in sections]
    assert names == ["title"] + [f"chapter {n}: {heading}" for n, (heading, _, _) in enumerate(ex.CHAPTERS, 1)]
    assert [heading for heading, _, _ in ex.CHAPTERS] == [
        "The blindfolded climber", "The mathematics", "The learning rate", "Landscapes in 3D",
        "Better steps", "Neural networks", "Limitations"]


def test_total_length_is_four_and_a_half_to_six_minutes(sections):
    total = sections[-1][2]
    assert 270 <= total <= 360, total


def test_each_chapter_keeps_to_its_budget(sections):
    for (name, start, end), budget in zip(sections[1:], ex.EXPLAINER_BUDGETS):
        content = end - start - ex.TITLE_SECONDS
        assert 0.5 * budget <= content <= budget + 0.5, (name, content, budget)
    assert sum(ex.EXPLAINER_BUDGETS) + ex.TITLE_SECONDS * (len(ex.CHAPTERS) + 1) <= 360


def test_title_card_is_its_own_part():
    """`gdx render --explainer` renders the title card and each chapter as separate parts."""
    assert ex.EXPLAINER_PARTS[0] == "TitleCard"
    assert len(ex.EXPLAINER_PARTS) == len(ex.CHAPTERS) + 1
    for number, name in enumerate(ex.EXPLAINER_PARTS[1:], 1):
        assert getattr(ex, name).number == number
