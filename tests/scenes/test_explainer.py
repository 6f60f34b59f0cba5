"""The full explainer: its sections, its length and its chapter budgets, under a dry run."""

from __future__ import annotations

import pytest

from scenes import explainer as ex


READING_SPEED = 20.0  # characters per second a subtitle may ask of a viewer (a common upper limit)


@pytest.fixture(scope="module")
def explainer(explainer_run):
    """``(sections, beats, narration by beat, storyboard)`` of the shared dry run of
    GradientDescentExplained (planned times, nothing drawn)."""
    filled = {b["name"]: b["narration"] for b in explainer_run.story}
    return explainer_run.sections, explainer_run.beats, filled, explainer_run.story


@pytest.fixture(scope="module")
def sections(explainer):
    return explainer[0]


def test_every_beat_has_narration_a_viewer_can_read_in_time(explainer):
    """Subtitles come from each beat's narration (assets/narration/<module>.toml): every beat
    the explainer plays has a line, and none asks for more than READING_SPEED characters per
    second of its beat (an empty line means no subtitle for that beat). A line with
    {placeholders} is measured as the part filled it from its run."""
    from gdx.words import narration_file

    beats = [(name, start, end) for name, start, end in explainer[1] if not name.startswith("chapter ")]
    assert len(beats) >= 40
    narration, missing = {}, []
    for name, _, _ in beats:
        stem, _, beat = name.rpartition(".")
        lines = narration_file(stem)
        if name in explainer[2] or beat in lines:  # as the part filled it, else the file's line
            narration[name] = explainer[2].get(name) or lines[beat]
            assert "{" not in narration[name], name
        else:
            missing.append(name)
    assert not missing, missing
    too_fast = [(name, round(len(narration[name]) / (end - start), 1)) for name, start, end in beats
                if narration[name].strip() and len(narration[name]) > READING_SPEED * (end - start)]
    assert not too_fast, too_fast


# Numbers said that are mathematics, not a run's or a config's.
MATH_WORDS = {"update_rule.turn_direction": {"180"}}


def test_every_number_said_is_a_fact_of_its_beat(explainer):
    """No number in the narration is typed by hand: each is one the beat's part filled in from
    its runs, its config or the surface's facts (``{placeholders}``), so a changed config or
    surface changes the words with it."""
    import re

    number = re.compile(r"-?\d+(?:\.\d+)?(?:×10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)?")
    story = explainer[3]
    assert len(story) >= 40
    for beat in story:
        allowed = set(number.findall(" ".join(str(v) for v in beat["facts"].values())))
        allowed |= MATH_WORDS.get(beat["name"], set())
        for said in number.findall(beat["narration"].replace("3D", "")):
            assert said in allowed, (beat["name"], said, beat["narration"], beat["facts"])


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
    assert sum(ex.EXPLAINER_BUDGETS) + ex.OPENING_SECONDS + ex.TITLE_SECONDS * len(ex.CHAPTERS) <= 360


def test_the_render_parts_play_every_chapter_once_in_order():
    """`gdx render --explainer` renders the title card, then the chapters, some part by part:
    together they play each chapter's parts once, in order, and each chapter's title card with
    its first part; the chapter list opens each chapter at its first part."""
    assert ex.EXPLAINER_PARTS[0] == "TitleCard"
    played, cards = [], []
    for name in ex.EXPLAINER_PARTS[1:]:
        cls = getattr(ex, name)
        members = ex.CHAPTERS[cls.number - 1][2]
        played += [(cls.number, m) for m in members[cls.parts]]
        if cls.parts.start in (None, 0):
            cards.append(cls.number)
    assert played == [(n, m) for n, (_, _, members) in enumerate(ex.CHAPTERS, 1) for m in members]
    assert cards == list(range(1, len(ex.CHAPTERS) + 1))
    titles = ex.part_titles(ex.EXPLAINER_PARTS)
    assert [t for t in titles if t] == ["Introduction"] + [f"{n}. {h}" for n, (h, _, _) in enumerate(ex.CHAPTERS, 1)]
    assert ex.part_titles(["Tiny", "Themed"]) == ["Introduction", f"1. {ex.CHAPTERS[0][0]}"]  # stand-ins: by place
