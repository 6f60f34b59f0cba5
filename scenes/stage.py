r"""A 3D stage for scenes 4-5: one surface, a still camera, and the runs drawn on it.

:class:`SurfaceStage` bundles what :mod:`scenes.descent` builds inline, so that a scene
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

import dataclasses
from dataclasses import dataclass

import numpy as np
from manim import DEGREES, ORIGIN, ImageMobject, VGroup, config

from scenes.mobjects import (LossSurface, Marker, SurfaceView, Trail, clip_to_box, contour_lines, floor_frame,
                             visible)
from scenes.mobjects.occlusion import camera_rotation, eye_position
from scenes.theme import Theme

FOCAL_DISTANCE = 20.0  # manim's ThreeDCamera default


def windowed(surface, window):
    """The same mathcore surface plotted over ``window`` ((x0, x1), (y0, y1)); nothing recomputed."""
    if not window:
        return surface
    return dataclasses.replace(surface, domain=tuple(tuple(map(float, w)) for w in window))


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
    trail_floor: Trail
    ball_floor: Marker

    @property
    def last(self) -> int:
        return len(self.points) - 1

    @property
    def driven(self) -> tuple:
        return self.trail3d, self.trail_floor, self.ball3d, self.ball_floor

    @property
    def balls(self) -> tuple:
        return self.ball3d, self.ball_floor

    @property
    def trails(self) -> tuple:
        return self.trail3d, self.trail_floor


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
        self.mesh = LossSurface(self.view, theme, resolution=resolution or None)
        heights = self.view.heights
        self.levels = heights.nice_levels(n_levels) if levels is None else np.asarray(levels, float)
        self.floor = VGroup()
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
        floor_seen = visible(floor, self.eye, self.mesh)
        return RunGraphics(
            trajectory, color, pts, exit_index, lifted, floor,
            Trail(lifted, color, visible=lifted_seen, step=0),
            Marker(lifted, color, self.theme, visible=lifted_seen, radius=radius),
            Trail(floor, color, visible=floor_seen, hidden_opacity=0.0, step=0),
            Marker(floor, color, self.theme, visible=floor_seen, radius=floor_radius),
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


def drive_fixed(scene, tracker, *mobjects):
    """:func:`scenes.animations.drive` for overlays in a 3D scene: after each ``set_step``
    the overlay's (possibly new) submobjects are registered as fixed in the frame."""
    camera = scene.renderer.camera
    for mob in mobjects:
        mob.set_step(tracker.get_value())
        camera.add_fixed_in_frame_mobjects(mob)

        def follow(m, tr=tracker):
            m.set_step(tr.get_value())
            camera.add_fixed_in_frame_mobjects(m)

        mob.add_updater(follow)
    return mobjects


def keep_fixed(scene, *mobjects):
    """Keep overlays fixed in the frame while their submobjects change (3D scenes)."""
    camera = scene.renderer.camera
    for mob in mobjects:
        camera.add_fixed_in_frame_mobjects(mob)
        mob.add_updater(lambda m: camera.add_fixed_in_frame_mobjects(m))
    return mobjects


__all__ = ["SurfaceStage", "RunGraphics", "windowed", "snapshot", "drive_fixed", "keep_fixed", "FOCAL_DISTANCE"]
