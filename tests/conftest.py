"""Shared pytest set-up: options and settings for manim's golden-frame tests.

``manim.utils.testing.frames_comparison`` expects to run inside manim's own test suite:

- it reads the ``--set_test`` (write control data) and ``--show_diff`` options, which
  only manim's conftest registers: we register them here;
- it skips every test when the system Cairo is older than 1.18 (Debian 12 has 1.16).
  Our control data is made on this same kind of machine, so we lower the bar; and since a
  silent skip would make the frame tests pass without running, a skip of a frame test is
  turned into a failure below;
- it creates ``control_data/<module>`` without parents: we make ``control_data`` exist.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CONTROL_DATA = Path(__file__).parent / "scenes" / "control_data"


def pytest_addoption(parser):
    parser.addoption("--set_test", action="store_true", default=False,
                     help="write the control frames of frames_comparison tests instead of comparing")
    parser.addoption("--show_diff", action="store_true", default=False,
                     help="show the difference when a frames_comparison test fails")


def pytest_configure(config):
    config.addinivalue_line("markers", "frames: a golden-frame test (a skip counts as a failure)")
    CONTROL_DATA.mkdir(parents=True, exist_ok=True)


def pytest_collection_modifyitems(config, items):
    """Lower frames_comparison's Cairo bar, importing manim only when scene tests run
    (mathcore's tests must not pull manim in)."""
    if any("mathcore" not in str(item.path) for item in items):
        from manim.utils.testing import frames_comparison

        frames_comparison.MIN_CAIRO_VERSION = 0  # control data made with this machine's Cairo (1.16)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A frame test that skips did not test anything: report it as a failure."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and call.when == "call" and item.get_closest_marker("frames"):
        report.outcome = "failed"
        report.longrepr = f"frame test {item.nodeid} was skipped ({call.excinfo.value if call.excinfo else ''})"


class ExplainerRun:
    """One dry run of the whole explainer (every play jumps to its end, nothing is drawn),
    shared by the tests of the explainer and of its parts' cuts: one run instead of one per
    part. ``sections`` and ``beats`` are ``(name, start, end)``; :meth:`part` gives one part."""

    def __init__(self, scene, marks, colours=None):
        end = scene.renderer.time
        self.colours = colours or {}  # chapter number -> the (role, colour) its parts asked the theme for

        def spans(points):
            return [(name, t, points[i + 1][1] if i + 1 < len(points) else end) for i, (name, t) in enumerate(points)]

        self.scene = scene
        self.sections = spans(marks)
        self.beats = spans(scene.beat_marks)
        self.story = scene.__dict__.get("story_beats", [])
        self.parts = scene.played_parts

    def part(self, stem: str):
        """``(part scene, [(section, start)], duration)`` of the part from module ``stem``."""
        for part, start, end in self.parts:
            if type(part).__module__.rsplit(".", 1)[-1] == stem:
                sections = [(name, t) for name, t, _ in self.beats
                            if start <= t < end and name.startswith(f"{stem}.")]
                return part, sections, end - start
        raise KeyError(stem)


@pytest.fixture(scope="session")
def explainer_run():
    from gdx.catalog import dry_render
    from scenes import explainer, theme
    from scenes.chapter import Chapter

    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("GDX_CONFIG", raising=False)
        mp.delenv("GDX_THEME", raising=False)
        mp.setattr(Chapter, "audit", True)  # the chapters check their layout after every play
        colours, play_chapter = {}, explainer.play_chapter

        def recorded(host, number, **kwargs):  # what each chapter asks the theme for (test_palette)
            with theme.recording() as asked:
                play_chapter(host, number, **kwargs)
            colours[number] = list(asked)

        mp.setattr(explainer, "play_chapter", recorded)
        scene, marks = dry_render(explainer.GradientDescentExplained, jump=True)
    return ExplainerRun(scene, marks, colours)
