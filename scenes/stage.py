r"""A 3D stage for scenes 4-5: one surface, a camera, and the runs drawn on it.

:class:`SurfaceStage` bundles what :mod:`scenes.parts.descent` builds inline, so that a scene
can show several surfaces (landscapes) or several runs (the race) the same way: the mesh
(:class:`~scenes.mobjects.LossSurface`), the contour floor with the parts under the mesh
dropped, and for each mathcore trajectory a lifted trail and ball on the mesh plus a
trail and ball on the floor (:meth:`SurfaceStage.run`). Occlusion is decided once for the
still camera (:func:`~scenes.mobjects.visible`), which is why the camera does not move
while balls move: a moving camera also makes Cairo repaint every mesh face each frame.

A *window* is a plotting window smaller than the surface's domain (Rastrigin's 10 x 10
pits are too many to mesh legibly); it changes what is drawn, never the run.

The camera moves only while nothing else does (:func:`move_over_mesh`: a few seconds of a
settling orbit, with the live mesh in place of its image), and the stage's pose is the one
it ends in: occlusion is decided for that pose. ``keep_in_view`` points (a run's path) make
the stage look down more steeply when the surface would otherwise hide part of them (the
bottom of a well behind its near rim). Meshes are lit once (:class:`LossSurface`'s baked
shading, :func:`lit_by_mesh`), and fade by colour (:class:`MeshFade`), never by opacity: a
half-transparent mesh shows its seams as a wireframe.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from manim import DEGREES, ORIGIN, Animation, Camera, ImageMobject, ManimColor, Mobject, VGroup, config, rate_functions

from scenes.mobjects import (LossSurface, windowed, Marker, SurfaceView, Trail, clip_to_box, contour_lines, floor_frame,
                             tagged, visible)
from scenes.mobjects.occlusion import HeightField, camera_rotation, eye_position
from scenes.mobjects.surface import mesh_lines, screen_resolution
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


def lit_by_mesh(scene) -> None:
    """The camera draws colours as given: a :class:`LossSurface` bakes its own lighting, and
    ThreeDCamera's per-frame shading would darken it twice (and cost a quarter of a frame)."""
    scene.renderer.camera.should_apply_shading = False


class MeshFade(Animation):
    """A mesh fading in (or ``out``) by its faces' colours, from the background colour, at full
    opacity: an opacity fade shows every seam (the faces' strokes over their neighbours' fills)
    as a flashing wireframe, and what lies behind the mesh through it."""

    def __init__(self, mesh, background, out: bool = False, **kwargs):
        self.out = out
        self.background = np.asarray(ManimColor(background).to_rgb(), float)
        self.faces = [f for f in mesh.family_members_with_points()]
        # The faces' own colours and opacities, as arrays: each frame mixes them in one step.
        self.fills = np.array([f.get_fill_rgbas()[0] for f in self.faces], float).reshape(-1, 4)
        self.strokes = np.array([f.get_stroke_rgbas()[0] for f in self.faces], float).reshape(-1, 4)
        kwargs.setdefault("introducer", not out)
        kwargs.setdefault("remover", out)
        super().__init__(mesh, **kwargs)

    def create_starting_mobject(self) -> Mobject:
        return Mobject()  # the faces' own colours are kept in arrays: no copy of the mesh

    def _paint(self, t: float) -> None:
        mix = np.array([1.0, 1.0, 1.0, 0.0]) * t
        keep = np.array([0.0, 0.0, 0.0, 1.0])
        base = np.append(self.background, 0.0) * (1 - t)
        fills = base + self.fills * (mix + keep)
        strokes = base + self.strokes * (mix + keep)
        for face, fill, stroke in zip(self.faces, fills, strokes):
            face.fill_rgbas = fill[None, :].copy()
            face.stroke_rgbas = stroke[None, :].copy()

    def interpolate_mobject(self, alpha: float) -> None:
        t = self.rate_func(alpha)
        self._paint(1 - t if self.out else t)

    def clean_up_from_scene(self, scene) -> None:
        super().clean_up_from_scene(scene)
        self._paint(1.0)  # the mesh keeps its colours, for a later fade in


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
    """A surface in 3D seen by a camera that ends at (``phi``, ``theta``) degrees.

    The middle of the window appears at ``screen_xy`` (manim units from the frame centre).
    ``keep_in_view``: parameter points (n, 2), e.g. a run's path, that the surface must not
    hide; phi is lowered (a steeper look down) by ``phi_step`` degrees at a time, down to
    ``phi_min``, until it hides none of them.
    """

    def __init__(self, surface, theme: Theme, window=None, side: float = 4.6, z_length: float = 1.9,
                 floor_gap: float = 0.9, lift: float = 0.05, phi: float = 62.0, theta: float = -58.0,
                 screen_xy=(-2.35, -0.55), resolution: int | None = None, levels=None, n_levels: int = 8,
                 floor: bool = True, keep_in_view=None, phi_min: float = 30.0, phi_step: float = 4.0):
        self.theme = theme
        self.source = surface
        self.surface = windowed(surface, window)
        self.view = SurfaceView.for_surface(self.surface, side=side, z_length=z_length, floor_gap=floor_gap, lift=lift)
        (x0, x1), (y0, y1) = self.surface.domain
        self.box = (x0, x1, y0, y1)
        if not resolution:  # (sized as seen from where the camera starts; keep_in_view may lower it a little)
            shift = self._placement(phi * DEGREES, theta * DEGREES, screen_xy)
            resolution = screen_resolution(self.view, eye=eye_position(phi * DEGREES, theta * DEGREES, FOCAL_DISTANCE)
                                           - shift, center=-shift)
        n = resolution
        if keep_in_view is not None:
            phi = self._clear_phi(keep_in_view, n, phi, theta, screen_xy, phi_min, phi_step)
        self.phi, self.theta = phi * DEGREES, theta * DEGREES
        # The camera's frame centre stays at the origin (manim subtracts it from fixed-in-frame
        # overlays too); the content moves instead, before anything is built from the axes.
        self.view.axes.shift(self._placement(self.phi, self.theta, screen_xy))
        self.eye = eye_position(self.phi, self.theta, FOCAL_DISTANCE)
        self.mesh = QuickLossSurface(self.view, theme, resolution=n, eye=self.eye).shade_undersides(self.eye)
        heights = self.view.heights
        self.levels = heights.nice_levels(n_levels) if levels is None else np.asarray(levels, float)
        self.floor = VGroup()
        self.has_floor = floor
        if floor:
            self.floor_contours = contour_lines(self.surface, self.view.floor_points, self.levels, theme, heights,
                                                keep=lambda p: visible(p, self.eye, self.mesh))
            self.floor_outline = floor_frame(self.view, theme)
            self.floor.add(self.floor_outline, self.floor_contours)

    def _placement(self, phi: float, theta: float, screen_xy) -> np.ndarray:
        """The shift that puts the window's middle at ``screen_xy`` for the camera angles (radians)."""
        (x0, x1), (y0, y1) = self.surface.domain
        middle = self.view.axes.c2p((x0 + x1) / 2, (y0 + y1) / 2, self.view.heights.h_max * 0.1)
        rot = camera_rotation(phi, theta)
        return screen_xy[0] * rot[0] + screen_xy[1] * rot[1] - np.asarray(middle, float)

    def _clear_phi(self, xy, n: int, phi: float, theta: float, screen_xy, phi_min: float, step: float) -> float:
        """The largest phi (degrees) from ``phi`` down to ``phi_min`` at which the mesh hides none
        of the points ``xy`` lifted onto it (tested on the mesh's heights, before it is built)."""
        xy = np.asarray(xy, float)
        xy = xy[np.all(np.isfinite(xy), axis=1)]
        (x0, x1), (y0, y1) = self.surface.domain
        xy = xy[(xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)]
        top = self.view.heights.inverse(self.view.heights.h_max)
        candidates = np.arange(phi, phi_min - 1e-9, -step)
        for candidate in candidates:
            # Visibility does not change when scene and eye shift together: test in the
            # unshifted frame, with the eye moved back by the content's shift.
            delta = self._placement(candidate * DEGREES, theta * DEGREES, screen_xy)
            eye = eye_position(candidate * DEGREES, theta * DEGREES, FOCAL_DISTANCE) - delta
            # (the mesh's lines as they will be drawn from this eye: denser where it is near)
            u, v = mesh_lines(self.view, n, eye=eye, center=-delta)
            uu, vv = np.meshgrid(u, v, indexing="ij")
            f = self.surface.f(np.array([uu, vv]))
            field = HeightField.of_vertices(
                self.view.points(np.column_stack([uu.ravel(), vv.ravel()]), f.ravel()).reshape(uu.shape + (3,)))
            points = self.view.lifted_points(xy, np.minimum(self.source.f(xy.T), top), field)
            if visible(points, eye, field).all():
                return float(candidate)
        return float(candidates[-1]) if len(candidates) else float(phi)

    def camera_kwargs(self) -> dict:
        return {"phi": self.phi, "theta": self.theta}

    def pose_before(self, dphi: float = 6.0, dtheta: float = 16.0) -> dict:
        """Where a settling orbit starts: ``dphi`` degrees lower (flatter) and ``dtheta`` round."""
        return {"phi": self.phi + dphi * DEGREES, "theta": self.theta + dtheta * DEGREES}

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


def _display_frame_image(camera, image, pixel_array) -> None:
    """``Camera.display_image_mobject`` with a fast path for an image that covers the frame
    pixel for pixel (a :func:`snapshot`): manim re-samples every image through a perspective
    transform at every frame it draws it (0.11 s a frame at 1080p, a quarter of a race's
    render); an image that maps onto the pixel grid unchanged is alpha-composited as it is."""
    pixels = image.get_pixel_array()
    height, width = camera.pixel_height, camera.pixel_width
    if pixels.shape[:2] == (height, width):
        corners = camera.points_to_subpixel_coords(image, image.points)
        if np.allclose(corners, [[0, 0], [width, 0], [0, height], [width, height]], atol=0.5):
            camera.overlay_rgba_array(pixel_array, pixels)
            return
    _manim_display_image(camera, image, pixel_array)


_manim_display_image = Camera.display_image_mobject
Camera.display_image_mobject = _display_frame_image  # every scene that draws a snapshot imports this module


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
    return tagged(image, "frame")  # (drawn where it is: it holds what the camera drew, as it drew it)


def replace_in_scene(scene, old, new) -> None:
    """Put ``new`` where ``old`` is in the scene's drawing order (or on top when it is absent)."""
    if old in scene.mobjects:
        scene.mobjects[scene.mobjects.index(old)] = new
    else:
        scene.add(new)


def orbit(scene, times, anims=None, **angles) -> None:
    """One smooth camera move to ``angles`` (``phi``, ``theta`` in radians) played as
    ``len(times)`` plays of those run times, with ``anims[i]`` (a list, or a function that
    makes it when its play starts) in play ``i``: one ease-in-out over the whole move, so
    the speed does not jump between plays, and a beat whose plays or waits it replaces keeps
    its length (in a cut each play is scaled by the beat's pace, as any play)."""
    camera = scene.renderer.camera
    start = {key: getattr(camera, f"get_{key}")() for key in angles}
    total = float(sum(times))
    if total <= 0:
        return
    anims = list(anims) if anims is not None else [()] * len(times)
    ease = rate_functions.ease_in_out_sine
    t0 = 0.0
    for dt, extra in zip(times, anims):
        a, b = ease(t0 / total), ease((t0 + dt) / total)
        target = {key: start[key] + b * (value - start[key]) for key, value in angles.items()}

        def rate(alpha, t0=t0, dt=dt, a=a, b=b):
            return (ease((t0 + alpha * dt) / total) - a) / (b - a) if b > a else alpha

        extra = extra() if callable(extra) else extra
        scene.move_camera(**target, run_time=dt, rate_func=rate, added_anims=list(extra))
        t0 += dt


def move_over_mesh(scene, image, meshes, times, anims=None, **angles) -> ImageMobject:
    """Move the camera to ``angles`` (radians) with the live ``meshes`` in place of their still
    ``image``, then paint them into a new image for the stills that follow; returns it.

    ``times`` and ``anims`` as in :func:`orbit`. The image and the live meshes paint the same
    pixels at either end, so the swaps do not show. Every frame of the move repaints every
    face: keep it short, in a beat where nothing else moves.
    """
    group = VGroup(*meshes)
    replace_in_scene(scene, image, group)
    orbit(scene, times, anims, **angles)
    still = snapshot(scene, *meshes)
    replace_in_scene(scene, group, still)
    return still


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

    def still(self, *mobjects) -> None:
        """Add ``mobjects`` (no updaters) to the scene inside the block, among the static
        mobjects: painted into the still picture once per play, after those already there."""
        scene = self.scene
        scene.add(*mobjects)
        self._static_first()

    def _static_first(self) -> None:
        scene, tracker = self.scene, self.tracker
        scene.remove(tracker)
        scene.mobjects.sort(key=lambda m: len(m.get_family_updaters()) > 0)
        scene.add(tracker)

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
        self._static_first()
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


__all__ = ["SurfaceStage", "QuickLossSurface", "RunGraphics", "windowed", "snapshot", "Drive", "FOCAL_DISTANCE",
           "MeshFade", "lit_by_mesh", "move_over_mesh", "orbit", "replace_in_scene"]
