"""A long run played as one-second plays (``advance_spans``) sets the step tracker to the same
value at every frame as one play does, and a trail split between plays (``Trail.split``: a still
copy of the whole trail so far, the trail going on from its last vertex) draws the same segments
as the whole trail, and is whole again after ``join``."""

from __future__ import annotations

import numpy as np
import pytest
from manim import smooth

from scenes.animations import StepTracker, advance_spans
from scenes.mobjects.paths import Trail


def test_spans_set_the_tracker_as_one_play_does_at_every_frame():
    tracker = StepTracker(0)
    spans = advance_spans(tracker, 300, 15.0, rate_func=smooth, span=1.0, frame_rate=15)
    assert len(spans) == 15 and sum(round(s.run_time * 15) for s in spans) == 225
    values, frame = [], 0
    for span in spans:
        frames = round(span.run_time * 15)
        span.begin()
        for k in range(frames):
            span.interpolate(k / frames)
            values.append(tracker.get_value())
        span.finish()
    expected = [300 * smooth(f / 225) for f in range(225)]
    assert np.allclose(values, expected, rtol=0, atol=1e-9)
    assert tracker.get_value() == pytest.approx(300)


def test_an_uneven_run_time_is_cut_on_whole_frames():
    spans = advance_spans(StepTracker(0), 10, 2.6, span=1.0)
    frames = [s.run_time * 15 for s in spans]
    assert np.allclose(frames, np.round(frames)) and round(sum(frames)) == 39


def segments(*vmobjects):
    """The drawn segments (start, end) of VMobjects, as a sorted list of rounded tuples."""
    out = []
    for v in vmobjects:
        pts = v.points.reshape(-1, 4, 3)
        out += [tuple(np.round(np.r_[p[0], p[3]], 9)) for p in pts]
    return sorted(out)


def test_a_split_trail_draws_what_the_whole_trail_draws_and_joins_back():
    rng = np.random.default_rng(0)
    vertices = np.cumsum(rng.normal(size=(60, 3)), axis=0)
    seen = rng.random(60) > 0.3
    whole = Trail(vertices, "#ff0000", visible=seen, step=0)
    split = Trail(vertices, "#ff0000", visible=seen, step=0)
    still = None
    for s in (7.4, 19.0, 33.6, 58.2):
        whole.set_step(s)
        split.set_step(s)
        # (the live trail from the last split vertex on, over the still copy of all before it)
        assert segments(whole.front) == segments(split.front, *([still[1]] if still else []))
        assert segments(whole.hidden) == segments(split.hidden, *([still[0]] if still else []))
        k = int(s)
        still = split.split()
        copy = Trail(vertices, "#ff0000", visible=seen, step=k)
        assert np.array_equal(still[1].points, copy.front.points)  # (one path from the first vertex)
        assert np.array_equal(still[0].points, copy.hidden.points)
        assert not still.get_family_updaters()
    split.join()
    assert np.array_equal(split.front.points, whole.front.points)
    assert np.array_equal(split.hidden.points, whole.hidden.points)
