"""The beats ``gdx list`` reads from the code (``gdx.catalog.declared_beats``) are the sections a
dry run plays, for the explainer, each of its chapters, and parts rendered alone."""

from gdx import catalog


def test_the_explainer_and_its_chapters_declare_the_beats_they_play(explainer_run):
    sections = [name for name, _, _ in explainer_run.sections]
    assert catalog.declared_beats(catalog.find("GradientDescentExplained")) == tuple(sections)
    beats = [name for name, _, _ in explainer_run.beats]
    starts = [i for i, name in enumerate(beats) if name.startswith("chapter ")] + [len(beats)]
    for n, (first, end) in enumerate(zip(starts, starts[1:]), 1):
        info = next(s for s in catalog.scenes() if s.name.startswith(f"Chapter{n}"))
        played = tuple(beats[first + 1:end])
        declared = catalog.declared_beats(info)
        assert declared[0] == sections[n] and declared[1:] == played, info.name


def test_parts_alone_declare_the_beats_they_play(landscapes, race, race_rastrigin, momentum):
    for name, (_, played) in {"Landscapes": landscapes, "OptimizerRace": race,
                              "OptimizerRaceRastrigin": race_rastrigin, "MomentumCloseUp": momentum}.items():
        assert catalog.declared_beats(catalog.find(name)) == tuple(played), name


def test_a_chapter_played_part_by_part_declares_the_chapters_beats():
    """`gdx render --explainer` renders chapters 2 and 5 part by part: their beats, one after the
    other, are the chapter's (which the test above checks against a dry run)."""
    from scenes import explainer

    for whole in ("Chapter2Mathematics", "Chapter5BetterSteps"):
        number = getattr(explainer, whole).number
        pieces = [name for name in explainer.EXPLAINER_PARTS if getattr(getattr(explainer, name), "number", 0) == number]
        assert len(pieces) == 3, pieces
        joined = sum((catalog.declared_beats(catalog.find(name)) for name in pieces), ())
        assert joined == catalog.declared_beats(catalog.find(whole)), whole
