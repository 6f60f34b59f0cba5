r"""Arrows at a point of a run: the negative gradient, the momentum velocity, Nesterov's look-ahead.

All vectors come from the trajectory (or mathcore's ``surface.grad`` at a point the
optimizer itself defines); these builders only place and scale them. A vector
:math:`v` in parameter space is drawn from :math:`p` to :math:`p + c\,v` mapped by
``to_scene``; ``c`` is chosen so the arrow is ``length`` scene units long, clamped, since a
gradient's size varies over decades and the arrow must stay on screen.
"""

from __future__ import annotations

import numpy as np
from manim import Arrow, DashedLine, Dot, VGroup

from ..theme import FONT_LABEL, Theme
from .text import math, tagged


def _arrow(to_scene, point, vector, color, length, min_length, max_length, width):
    p = np.asarray(point, float)
    v = np.asarray(vector, float)
    start = np.asarray(to_scene(p[None, :]), float)[0]
    norm = float(np.linalg.norm(v))
    if norm == 0 or not np.isfinite(norm):
        return None, start
    # Scene length per unit of parameter along v: map a small step and measure it.
    probe = np.asarray(to_scene((p + 1e-3 * v / norm)[None, :]), float)[0]
    per_unit = np.linalg.norm(probe - start) / 1e-3
    scene_len = np.clip(length if length is not None else per_unit * norm, min_length, max_length)
    end = start + (probe - start) / np.linalg.norm(probe - start) * scene_len
    arrow = Arrow(start, end, buff=0, color=color, stroke_width=width, max_tip_length_to_length_ratio=0.3,
                  tip_length=0.2)
    return arrow, end


def gradient_arrow(to_scene, point, grad, theme: Theme, color=None, length: float | None = 1.0,
                   min_length: float = 0.3, max_length: float = 1.6, label: bool | str = True,
                   width: float = 5) -> VGroup:
    r"""The arrow :math:`-\nabla f(p)`: the direction of steepest descent, drawn ``length`` long.

    With ``length=None`` it is drawn to scale (``to_scene`` units), clamped to
    ``[min_length, max_length]``.
    """
    role = color is None  # in the gradient's own colour: it is the gradient (checked on every part)
    color = color or theme.gradient
    arrow, end = _arrow(to_scene, point, -np.asarray(grad, float), color, length, min_length, max_length, width)
    group = VGroup()
    if arrow is None:
        return group
    group.add(tagged(arrow, "gradient") if role else arrow)
    if label:
        tex = math(label if isinstance(label, str) else r"-\nabla f", theme, FONT_LABEL, color=color)
        direction = (end - arrow.get_start())
        direction = direction / (np.linalg.norm(direction) or 1)
        tex.move_to(end + 0.35 * direction)
        group.add(tex)
        group.label = tex
    group.arrow = arrow
    return group


def velocity_arrow(to_scene, point, step_vector, theme: Theme, color, length: float | None = None,
                   min_length: float = 0.25, max_length: float = 1.6, label: str | None = "v", width: float = 5) -> VGroup:
    r"""The momentum velocity at ``point``: the step the optimizer is about to take, to scale.

    For heavy-ball momentum (torch form) that step is :math:`-\eta\,\Delta_{k+1}`: pass
    ``-lr * trajectory.state["momentum_buffer"][k + 1]``.
    """
    arrow, end = _arrow(to_scene, point, step_vector, color, length, min_length, max_length, width)
    group = VGroup()
    if arrow is None:
        return group
    group.add(arrow)
    group.arrow = arrow
    if label:
        tex = math(label, theme, FONT_LABEL, color=color)
        direction = end - arrow.get_start()
        direction = direction / (np.linalg.norm(direction) or 1)
        tex.move_to(end + 0.3 * direction)
        group.add(tex)
        group.label = tex
    return group


def lookahead_point(trajectory, k: int) -> np.ndarray:
    r"""Nesterov's look-ahead point at step ``k``, where the gradient of step ``k`` is taken.

    torch (and mathcore) store the look-ahead parameters
    :math:`\phi_k = \theta_k + \mu v_k` of Sutskever's classic form
    :math:`v_{k+1} = \mu v_k - \eta \nabla f(\theta_k + \mu v_k)`,
    :math:`\theta_{k+1} = \theta_k + v_{k+1}`: the recorded point *is* the look-ahead, and
    ``trajectory.grads[k]`` was evaluated there.
    """
    return np.asarray(trajectory.points[k], float)


def nesterov_ball(trajectory, k: int) -> np.ndarray:
    r"""The classic-form position :math:`\theta_k = \phi_k + \eta_{k-1}\,\mu\,b_k` of step ``k``.

    :math:`b_k` is torch's momentum buffer after step ``k - 1`` (so :math:`\mu v_k =
    -\eta_{k-1} \mu b_k`); at step 0 the ball is the start.
    """
    p = np.asarray(trajectory.points[k], float)
    if k == 0:
        return p
    mu = trajectory.optimizer.hyperparams.get("momentum", 0.0)
    return p + trajectory.lrs[k - 1] * mu * np.asarray(trajectory.state["momentum_buffer"][k], float)


def lookahead_ghost(to_scene, trajectory, k: int, theme: Theme, color, arrow_length: float = 0.9) -> VGroup:
    """A hollow ghost at the look-ahead point, a dashed line to it from the ball, and the
    gradient arrow there (``trajectory.grads[k]``, the gradient the step used)."""
    ball = nesterov_ball(trajectory, k)
    ghost_point = lookahead_point(trajectory, k)
    start = np.asarray(to_scene(ball[None, :]), float)[0]
    ghost_scene = np.asarray(to_scene(ghost_point[None, :]), float)[0]
    ghost = Dot(ghost_scene, radius=0.09, fill_opacity=0, stroke_color=color, stroke_width=3)
    link = DashedLine(start, ghost_scene, color=color, stroke_width=2.5, dash_length=0.08)
    grad = np.asarray(trajectory.grads[k], float)
    arrow = gradient_arrow(to_scene, ghost_point, grad, theme, length=arrow_length, label=False)
    group = VGroup(link, ghost, arrow)
    group.ghost, group.link, group.arrow, group.point, group.ball = ghost, link, arrow, ghost_point, ball
    return group


__all__ = ["gradient_arrow", "velocity_arrow", "lookahead_point", "nesterov_ball", "lookahead_ghost"]
