r"""Animations driven by precomputed runs: one tracker of the step index moves everything.

A scene builds its driven mobjects (trails, markers, loss dots, readouts: anything with
``set_step(s)``), ties them to a :class:`StepTracker` with :func:`drive`, and plays
:func:`advance`, which animates only the tracker's value. Updaters index precomputed
arrays and integrate nothing, so a frame depends only on :math:`s` (rendering a single
animation with ``-n`` gives the same frames), and every duration is an argument.

Pacing: with ``pace`` < 1, screen time per step is a mix of "one step, one tick" and
"constant speed along the path", so that a run whose first steps are long and last
steps tiny neither jumps nor crawls:
:math:`dt_k \propto (1 - w) / N + w \, \ell_k / L` (:math:`\ell_k` the scene length of step
:math:`k`, :math:`L` the total, :math:`w` = ``path_weight``).
"""

from __future__ import annotations

import numpy as np
from manim import Animation, Mobject, UpdateFromAlphaFunc, ValueTracker, VGroup, VMobject, linear, smooth
from manim import FadeIn as _FadeIn
from manim import FadeOut as _FadeOut
from manim.mobject.types.image_mobject import AbstractImageMobject


class StepTracker(ValueTracker):
    """The fractional step index :math:`s` that driven mobjects follow."""

    @property
    def step(self) -> float:
        return self.get_value()


def drive(tracker: StepTracker, *mobjects: Mobject) -> tuple:
    """Make each mobject follow the tracker (``set_step`` every frame) and place it now."""
    for mob in mobjects:
        mob.set_step(tracker.get_value())
        mob.add_updater(lambda m, tr=tracker: m.set_step(tr.get_value()))
    return mobjects


def drive_part(tracker: StepTracker, owner: Mobject, part: Mobject) -> Mobject:
    """Like :func:`drive` for ``owner``, with the updater on ``part``, one of its submobjects.

    The Cairo renderer repaints, every frame, everything after the first mobject that has
    an updater; the rest is painted once per play. Hanging the updater on the part that
    changes (a plot's curve, a readout's numbers) and bringing that part to the front of
    the scene (``scene.add(part)``) keeps the axes and labels in the once-per-play image.
    """
    owner.set_step(tracker.get_value())
    part.add_updater(lambda m, tr=tracker, o=owner: o.set_step(tr.get_value()))
    return part


def release(*mobjects: Mobject) -> None:
    """Stop following (keeps the current state); cheap static frames afterwards."""
    for mob in mobjects:
        mob.clear_updaters()


def _rate_from_lengths(lengths, path_weight: float):
    """The rate function of :func:`pacing` for per-step path ``lengths``."""
    n = len(lengths)
    total = lengths.sum()
    w = path_weight if total > 0 else 0.0
    dt = (1 - w) / n + (w * lengths / total if total > 0 else 0.0)
    time = np.concatenate([[0.0], np.cumsum(dt)])
    time /= time[-1]
    steps = np.linspace(0.0, 1.0, n + 1)

    def rate(alpha: float) -> float:
        return float(np.interp(alpha, time, steps))

    return rate


def pacing(vertices, start: int, end: int, path_weight: float = 0.5):
    """A rate function alpha -> fraction of the way from step ``start`` to ``end``.

    Screen time per step mixes a constant share and a share proportional to the step's
    length along ``vertices`` (scene points, one per step). Monotone and exact at 0 and 1.
    """
    verts = np.asarray(vertices, float)[start:end + 1]
    if len(verts) <= 1:
        return linear
    lengths = np.linalg.norm(np.diff(verts, axis=0), axis=1)
    return _rate_from_lengths(np.where(np.isfinite(lengths), lengths, 0.0), path_weight)


def shared_pacing(vertex_lists, n_steps: int, path_weight: float = 0.6):
    """A rate function alpha -> fraction of ``n_steps`` shared by several runs.

    As :func:`pacing`, with the length of a step summed across the runs, so the first, long
    steps of every run can be seen and the long crawl along a valley does not drag.
    """
    lengths = np.zeros(n_steps)
    for verts in vertex_lists:
        d = np.linalg.norm(np.diff(np.asarray(verts, float), axis=0), axis=1)[:n_steps]
        lengths[: len(d)] += np.where(np.isfinite(d), d, 0.0)
    return _rate_from_lengths(lengths, path_weight)


def advance(tracker: StepTracker, to: float, run_time: float, rate_func=linear) -> Animation:
    """Animate the step index from its current value to ``to`` in ``run_time`` seconds."""
    return tracker.animate(run_time=run_time, rate_func=rate_func).set_value(to)


def advance_spans(tracker: StepTracker, to: float, run_time: float, rate_func=linear, span: float = 1.0,
                  frame_rate: int = 15) -> list[Animation]:
    """:func:`advance` cut into consecutive plays of about ``span`` seconds, each a whole number of
    frames at ``frame_rate``: played one after another they set the tracker to the same value at
    every frame as the single play does (the shared ``rate_func`` read at the global time), and
    between them the scene can turn what has been drawn into still picture (:meth:`Drive.still`)."""
    frames = max(1, round(run_time * frame_rate))
    count = max(1, round(frames / (span * frame_rate)))
    bounds = np.linspace(0, frames, count + 1).round().astype(int)
    start = tracker.get_value()
    spans = []
    for a, b in zip(bounds[:-1], bounds[1:]):
        t0, t1 = a / frames, b / frames

        def step(mob, alpha, t0=t0, t1=t1):
            r = rate_func(t0 + alpha * (t1 - t0))
            mob.set_value((1 - r) * start + r * to)

        spans.append(UpdateFromAlphaFunc(tracker, step, run_time=(b - a) / frame_rate, rate_func=linear))
    return spans


def descend(tracker: StepTracker, to: int, run_time: float, vertices=None, path_weight: float = 0.5) -> Animation:
    """:func:`advance` to step ``to``, paced along ``vertices`` when given."""
    start = int(round(tracker.get_value()))
    rate = linear if vertices is None else pacing(vertices, start, int(to), path_weight)
    return advance(tracker, to, run_time, rate)


class StepSwitch(VGroup):
    """Shows one of several prebuilt mobjects, chosen by the step: ``variants`` is a list of
    ``(first_step, mobject)`` in increasing order. Nothing is built during the animation
    (LaTeX is compiled up front), so switching is free and deterministic.

    All variants stay in the family (the Cairo renderer keeps drawing the members it saw
    when a play began, so swapping submobjects would leave the old one on screen); the
    others are made transparent. In a 3D scene register every variant as fixed in frame.
    """

    def __init__(self, variants, **kwargs):
        self.variants = list(variants)
        super().__init__(*[mob for _, mob in self.variants], **kwargs)
        self.thresholds = np.array([s for s, _ in self.variants], float)
        self.current = None
        self.set_step(self.thresholds[0])

    def index_at(self, s: float) -> int:
        return int(max(np.searchsorted(self.thresholds, s + 1e-9, side="right") - 1, 0))

    def set_step(self, s: float) -> "StepSwitch":
        i = self.index_at(s)
        if i != self.current:
            self.current = i
            for j, (_, mob) in enumerate(self.variants):
                mob.set_opacity(1.0 if j == i else 0.0)
        return self

    @property
    def shown(self):
        return self.variants[self.current][1]


OUT_SHARE = 0.4  # of a swap's play: what leaves is gone by 40 %, what comes starts then


def _out_first(t: float) -> float:
    return smooth(min(1.0, t / OUT_SHARE))


def _in_after(t: float) -> float:
    return smooth(max(0.0, (t - OUT_SHARE) / (1.0 - OUT_SHARE)))


def fade_out_first(*mobjects, **kwargs) -> list:
    """Fades out that finish in the first 40 % of their play (the grammar of a swap: what leaves
    is gone before what comes appears, so two captions or titles never show at once)."""
    return [FadeOut(m, rate_func=_out_first, **kwargs) for m in mobjects if m is not None]


def fade_in_after(*mobjects, **kwargs) -> list:
    """Fades in that start when :func:`fade_out_first` has finished, in the same play."""
    return [FadeIn(m, rate_func=_in_after, **kwargs) for m in mobjects if m is not None]


def fade_swap(old: Mobject | None, new: Mobject | None, shift=None, run_time: float | None = None) -> list:
    """Animations that replace ``old`` by ``new`` in one play without a double exposure."""
    kwargs = ({} if shift is None else {"shift": shift}) | ({} if run_time is None else {"run_time": run_time})
    return fade_out_first(old, **kwargs) + fade_in_after(new, **kwargs)


# ----------------------------------------------------------------------------- fades without copies

_RGBAS = ("fill_rgbas", "stroke_rgbas", "background_stroke_rgbas")


class _OpacityFade:
    r"""A fade that scales each member's alpha instead of transforming between copies.

    manim's fades are Transforms from a faded deep copy of the mobject to another copy: for a
    3D surface or a dashboard that is most of a play's set-up time. Their interpolation is
    linear per member, so with :math:`a` the member's eased progress
    (lag ratio and rate function as manim's) the same picture is
    :math:`\alpha = a\,\alpha_0` (in) or :math:`(1 - a)\,\alpha_0` (out) on the fill, stroke,
    background stroke and image alpha, and points :math:`p_0 + (1-a)(q - p_0)` (in) or
    :math:`p_0 + a(q - p_0)` (out), :math:`q` the shifted and scaled point. Only the colour
    arrays (and the points, when the fade moves) are saved.
    """

    def begin(self) -> None:
        mob = self.mobject
        fade_in = self.is_introducer()
        moves = bool(np.any(self.shift_vector)) or self.scale_factor != 1
        center = mob.get_center()
        offset = self.shift_vector * (-1 if fade_in and not self.point_target else 1)
        self._members = []
        for m in mob.family_members_with_points():
            if isinstance(m, VMobject):
                saved = {a: getattr(m, a).copy() for a in _RGBAS if hasattr(m, a)}
            elif isinstance(m, AbstractImageMobject):
                saved = {"pixel_array": m.pixel_array.copy()}
            else:
                saved = {}
            points = None
            if moves:
                points = m.points.copy()
                # manim's faded copy: shifted by ``offset``, then scaled about its own centre
                moved = (points - center) * self.scale_factor + center + offset
                points = (points, moved)
            self._members.append((m, saved, points))
        if self.suspend_mobject_updating:
            mob.suspend_updating()
        self.interpolate(0)

    def get_all_mobjects(self):
        return [self.mobject]

    def get_all_families_zipped(self):
        return [(m,) for m in self._members]

    def interpolate_submobject(self, member, alpha: float) -> None:
        m, saved, points = member
        shown = alpha if self.is_introducer() else 1.0 - alpha
        for attr, original in saved.items():
            value = original.copy()
            if attr == "pixel_array":
                value[:, :, 3] = (original[:, :, 3] * shown).astype(original.dtype)
            else:
                value[:, 3] *= shown
            setattr(m, attr, value)
        if points is not None:
            original, moved = points
            away = 1.0 - alpha if self.is_introducer() else alpha
            m.points = original.copy() if away == 0 else original + away * (moved - original)


class FadeIn(_OpacityFade, _FadeIn):
    """manim's ``FadeIn`` (same arguments, same frames) without copying the mobject."""


class FadeOut(_OpacityFade, _FadeOut):
    """manim's ``FadeOut`` (same arguments, same frames) without copying the mobject."""


__all__ = ["StepTracker", "drive", "drive_part", "release", "pacing", "shared_pacing", "advance", "advance_spans", "descend", "StepSwitch", "fade_swap",
           "fade_out_first", "fade_in_after", "FadeIn", "FadeOut"]
