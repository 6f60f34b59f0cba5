r"""A 3D stage for scenes 4-5: one surface, a still camera, and the runs drawn on it.

:class:`SurfaceStage` bundles what :mod:`scenes.parts.descent` builds inline, so that a scene
can show several surfaces (landscapes) or several runs (the race) the same way: the mesh
(:class:`~scenes.mobjects.LossSurface`), the contour floor with the parts under the mesh
dropped, and for each mathcore trajectory a lifted trail and ball on the mesh plus a
trail and ball on the floor (:meth:`SurfaceStage.run`). Occlusion is decided once for the
still camera (:func:`~scenes.mobjects.visible`), which is why the camera does not move
while balls move: a moving camera also makes Cairo repaint every mesh face each frame.

A *window* is a plotting window smaller than the surface's domain (Rastrigin's 10 x 10
pits are too many to mesh legibly); it changes what is drawn, never the run.

Also here: :func:`keep_fixed`, which re-registers an overlay as fixed in the frame after
each update (a :class:`~scenes.mobjects.Readout` swaps its digit glyphs, and new
submobjects are otherwise projected as 3D objects).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from manim import DEGREES, ORIGIN, ImageMobject, VGroup, config

from scenes.mobjects import (LossSurface, windowed, Marker, SurfaceView, Trail, clip_to_box, contour_lines, floor_frame,
                             visible)
from scenes.mobjects.occlusion import camera_rotation, eye_position
from scenes.theme import Theme

FOCAL_DISTANCE = 20.0  # manim's ThreeDCamera default


class QuickLossSurface(LossSurface):
    """:class:`~scenes.mobjects.LossSurface` built several times faster, drawn the same.

    manim's ``Surface`` maps every Bezier point of every face through the surface function
    (handles included), then, with ``should_make_jagged``, recomputes all handles from the
    anchors. The anchors are mesh vertices; the handles' first values are thrown away, so
    here they are any nearby vertex instead of a fresh evaluation of ``f`` per point.
    """

    def _vertex(self, u, v):
        key = (float(u), float(v))
        index = self._index.get(key)
        if index is None:
            i = min(int(np.searchsorted(self.u_values, u)), len(self.u_values) - 1)
            j = min(int(np.searchsorted(self.v_values, v)), len(self.v_values) - 1)
            index = (i, j)
        return self._vertices[index]


@dataclass
class RunGraphics:
    """The mobjects of one run on a stage; ``vertices_floor[k]`` is step ``k`` on the floor."""

    trajectory: object
    color: str
    points: np.ndarray  # the run's points drawn (cut where it leaves the window)
    exit_index: int | None  # first step outside the window, or None
    lifted: np.ndarray
    floor: np.ndarray
    trail3d: Trail
    ball3d: Marker
    trail_floor: Trail | None  # None when the stage has no floor
    ball_floor: Marker | None
    stage: "SurfaceStage | None" = None

    @property
    def last(self) -> int:
        return len(self.points) - 1

    @property
    def driven(self) -> tuple:
        return tuple(m for m in (self.trail3d, self.trail_floor, self.ball3d, self.ball_floor) if m is not None)

    @property
    def balls(self) -> tuple:
        return tuple(m for m in (self.ball3d, self.ball_floor) if m is not None)

    @property
    def trails(self) -> tuple:
        return tuple(m for m in (self.trail3d, self.trail_floor) if m is not None)


class SurfaceStage:
    """A surface in 3D seen by a still camera at (``phi``, ``theta``) degrees.

    The middle of the window appears at ``screen_xy`` (manim units from the frame centre).
    """

    def __init__(self, surface, theme: Theme, window=None, side: float = 4.6, z_length: float = 1.9,
                 floor_gap: float = 0.9, lift: float = 0.05, phi: float = 62.0, theta: float = -58.0,
                 screen_xy=(-2.35, -0.55), resolution: int | None = None, levels=None, n_levels: int = 8,
                 floor: bool = True):
        self.theme = theme
        self.source = surface
        self.surface = windowed(surface, window)
        self.view = SurfaceView.for_surface(self.surface, side=side, z_length=z_length, floor_gap=floor_gap, lift=lift)
        self.phi, self.theta = phi * DEGREES, theta * DEGREES
        (x0, x1), (y0, y1) = self.surface.domain
        self.box = (x0, x1, y0, y1)
        # The camera's frame centre stays at the origin (manim subtracts it from fixed-in-frame
        # overlays too); the content moves instead, before anything is built from the axes.
        middle = self.view.axes.c2p((x0 + x1) / 2, (y0 + y1) / 2, self.view.heights.h_max * 0.1)
        rot = camera_rotation(self.phi, self.theta)
        self.view.axes.shift(screen_xy[0] * rot[0] + screen_xy[1] * rot[1] - np.asarray(middle, float))
        self.eye = eye_position(self.phi, self.theta, FOCAL_DISTANCE)
        self.mesh = QuickLossSurface(self.view, theme, resolution=resolution or None)
        heights = self.view.heights
        self.levels = heights.nice_levels(n_levels) if levels is None else np.asarray(levels, float)
        self.floor = VGroup()
        self.has_floor = floor
        if floor:
            self.floor_contours = contour_lines(self.surface, self.view.floor_points, self.levels, theme, heights,
                                                keep=lambda p: visible(p, self.eye, self.mesh))
            self.floor_outline = floor_frame(self.view, theme)
            self.floor.add(self.floor_outline, self.floor_contours)

    def camera_kwargs(self) -> dict:
        return {"phi": self.phi, "theta": self.theta}

    def scene_point(self, xy, on_floor: bool = False) -> np.ndarray:
        """The scene point of parameters ``xy`` on the mesh (lifted) or on the floor."""
        xy = np.atleast_2d(np.asarray(xy, float))
        if on_floor:
            return self.view.floor_points(xy)[0]
        f = self.source.f(xy.T)
        return self.view.lifted_points(xy, np.atleast_1d(f), self.mesh)[0]

    def run(self, trajectory, color, radius: float = 0.085, floor_radius: float = 0.07) -> RunGraphics:
        """Trails and balls of ``trajectory`` on the mesh and on the floor, at step 0."""
        pts, exit_index = clip_to_box(trajectory.points, self.box)
        losses = np.asarray(trajectory.losses[: len(pts)], float).copy()
        if exit_index is not None:  # the edge point is not a step: its height is f there
            losses[-1] = float(self.source.f(np.asarray(pts[-1], float)))
        top = self.view.heights.inverse(self.view.heights.h_max)
        lifted = self.view.lifted_points(pts, np.minimum(losses, top), self.mesh)
        floor = self.view.floor_points(pts)
        lifted_seen = visible(lifted, self.eye, self.mesh)
        trail_floor = ball_floor = None
        if self.has_floor:
            floor_seen = visible(floor, self.eye, self.mesh)
            trail_floor = Trail(floor, color, visible=floor_seen, hidden_opacity=0.0, step=0)
            ball_floor = Marker(floor, color, self.theme, visible=floor_seen, radius=floor_radius)
        return RunGraphics(
            trajectory, color, pts, exit_index, lifted, floor,
            Trail(lifted, color, visible=lifted_seen, step=0),
            Marker(lifted, color, self.theme, visible=lifted_seen, radius=radius),
            trail_floor, ball_floor, self,
        )


def snapshot(scene, *mobjects) -> ImageMobject:
    """The mobjects as the scene's camera sees them now, as one fixed-in-frame image.

    A still camera sees a static mesh the same way every frame, but Cairo repaints all its
    faces at each ``play`` (and at every frame of a fade). Painting them once into an image
    keeps a fine mesh affordable: the image costs one blit per frame. The background is
    transparent, so the image can sit over anything. Retake it if the camera moves.
    """
    camera = scene.renderer.camera
    saved = camera.pixel_array.copy()
    opacity = camera.background_opacity
    camera.background_opacity = 0.0
    try:
        camera.reset()
        camera.capture_mobjects(list(mobjects))
        pixels = camera.pixel_array.copy()
    finally:
        camera.background_opacity = opacity
        camera.set_pixel_array(saved)
    image = ImageMobject(pixels, scale_to_resolution=pixels.shape[0])
    image.stretch_to_fit_height(config.frame_height).stretch_to_fit_width(config.frame_width).move_to(ORIGIN)
    camera.add_fixed_in_frame_mobjects(image)
    return image


class Drive:
    """Drive mobjects from a step tracker for the plays inside a ``with`` block, cheaply.

    manim repaints, at every frame, each mobject that has an updater *and every mobject
    after the first such one* in the scene's list. So inside the block the moving parts
    come last: a group whose only some parts change (a plot's curves and dots, a readout's
    numbers) lends those parts to a separate moving group, its axes and labels stay in the
    static image, and the scene's list is re-sorted with static mobjects first and the
    tracker at the very end. On exit the updaters are cleared and the parts go home.

    ``add(mob)`` drives ``mob.set_step`` with the whole of ``mob`` moving; ``add(mob,
    ["curves", "dots"])`` moves only those attributes' submobjects.
    """

    def __init__(self, scene, tracker):
        self.scene, self.tracker = scene, tracker
        self.spec = []  # (mob, attribute names of its moving parts)
        self.items = []  # while inside: (mob, parts, proxy)

    def add(self, mob, parts=None):
        self.spec.append((mob, list(parts or ())))
        return self

    def __enter__(self):
        tracker, scene = self.tracker, self.scene
        items = []
        for mob, names in self.spec:
            mob.set_step(tracker.get_value())
            if names:
                parts = [getattr(mob, n) for n in names]
                mob.remove(*parts)
                proxy = VGroup(*parts)
                proxy.add_updater(lambda p, m=mob, tr=tracker: m.set_step(tr.get_value()))
                scene.add(proxy)
                items.append((mob, parts, proxy))
            else:
                mob.add_updater(lambda m, tr=tracker: m.set_step(tr.get_value()))
                if mob not in scene.mobjects:
                    scene.add(mob)
                items.append((mob, [], None))
        self.items = items
        scene.remove(tracker)
        scene.mobjects.sort(key=lambda m: len(m.get_family_updaters()) > 0)
        scene.add(tracker)
        return self

    def __exit__(self, *exc):
        for mob, parts, proxy in self.items:
            if proxy is not None:
                proxy.clear_updaters()
                self.scene.remove(proxy)
                proxy.remove(*parts)
                mob.add(*parts)
            else:
                mob.clear_updaters()
        self.items = []
        self.scene.remove(self.tracker)
        return False


__all__ = ["SurfaceStage", "QuickLossSurface", "RunGraphics", "windowed", "snapshot", "Drive", "FOCAL_DISTANCE"]
